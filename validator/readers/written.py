"""Rows written as CSV records, as byte strings: one byte string a row, for hashing whole rows.

A row is written with the file's delimiter, a value quoted (``"``, its quotes doubled) only
where it holds the delimiter, a quote, CR or LF: the csv module's minimal quoting. That writing
is one-to-one for rows of one width, so two rows are identical exactly when their writings are.
Most records of a file already are their row so written (``framing.written_records`` says
which, and rewrites those that quote a plain value); the other rows are written here from their
cells.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from validator.readers.text import bytes_and_offsets, cells_at

QUOTE, CR, LF = 0x22, 0x0D, 0x0A


def byte_views(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    """``data[starts[i]:ends[i]]`` (``data``: uint8) for each i, as an Arrow binary-view array
    over ``data`` itself: 16 bytes a value, its length then its first 12 bytes inline, or its
    first 4 bytes and its offset (in buffer 0). No copy of the bytes."""
    n = len(starts)
    if not len(data) or len(data) > np.iinfo(np.int32).max:
        return pa.array([data[int(a):int(b)].tobytes() for a, b in zip(starts, ends, strict=True)], pa.binary_view())
    lengths = (ends - starts).astype(np.int32)
    views = np.zeros((n, 4), "<i4")  # length, then 12 bytes: inline, or prefix, buffer 0, offset
    views[:, 0] = lengths
    long = np.flatnonzero(lengths > 12)  # most records: their first 4 bytes and their offset
    if len(long):
        at = starts[long].astype(np.int32)
        views[long, 1] = data[at[:, None] + np.arange(4)].view("<i4")[:, 0]  # (each start + 3 is in data)
        views[long, 3] = at
    short = np.flatnonzero(lengths <= 12)
    if len(short):  # zeros after a short value's bytes
        inline = data[np.minimum(starts[short, None] + np.arange(12), len(data) - 1)]
        inline[np.arange(12) >= lengths[short, None]] = 0
        views.view(np.uint8).reshape(n, 16)[short, 4:] = inline
    return pa.Array.from_buffers(pa.binary_view(), n, [None, pa.py_buffer(views), pa.py_buffer(data)])


def written_text(cells: Iterable[str], delimiter: str) -> str:
    """One row's ``cells`` written as a CSV record, as text: joined with ``delimiter``, a value
    quoted only where it holds the delimiter, a quote, CR or LF (as ``written_rows`` writes it)."""
    specials = (delimiter, '"', "\r", "\n") if delimiter else ('"', "\r", "\n")
    return delimiter.join('"' + c.replace('"', '""') + '"' if any(s in c for s in specials) else c
                          for c in cells)


def written_rows(columns: list[list[pa.Array]], delimiter: str) -> pa.ChunkedArray:
    """Each row of ``columns`` (each a column's cells as Arrow string or binary pieces, the same
    rows in each) written as a CSV record, as binary."""
    specials = sorted({ord(delimiter), QUOTE, CR, LF})
    quote, empty = pa.scalar(b'"', pa.large_binary()), pa.scalar(b"", pa.large_binary())
    written = []
    for pieces in columns:
        cells = pa.chunked_array([p.cast(pa.large_binary()) for p in pieces], pa.large_binary())
        need = np.concatenate([_holding(p, specials) for p in pieces]) if pieces else np.zeros(0, bool)
        if need.any():
            quoted = pc.binary_join_element_wise(quote, pc.replace_substring(cells, b'"', b'""'), quote, empty)
            cells = pc.if_else(pa.array(need), quoted, cells)
        written.append(cells)
    return pc.binary_join_element_wise(*written, pa.scalar(delimiter.encode("utf-8"), pa.large_binary()))


def _holding(arr: pa.Array, specials: list[int]) -> np.ndarray:
    """Which values of a string or binary array hold any of the bytes ``specials`` (by numpy
    compares over its bytes: several times faster than a regular expression's character class)."""
    data, offsets = bytes_and_offsets(arr)
    hit = data == specials[0]
    for byte in specials[1:]:
        hit |= data == byte
    return cells_at(offsets, np.flatnonzero(hit))


def written_rows_at(columns: list[list[pa.Array]], at: np.ndarray, delimiter: str) -> pa.ChunkedArray:
    """``written_rows`` of the rows ``at`` (sorted positions) of ``columns`` only."""
    every = len(at) == (sum(len(p) for p in columns[0]) if columns else 0)
    if every or not len(at):
        return written_rows([pieces if every else taken(pieces, at) for pieces in columns], delimiter)
    if int(at[-1]) - int(at[0]) + 1 == len(at):  # a run of rows: the pieces sliced, not copied
        return written_rows([sliced(pieces, int(at[0]), int(at[-1]) + 1) for pieces in columns], delimiter)
    return written_rows([taken(pieces, at) for pieces in columns], delimiter)


def sliced(pieces: list[pa.Array], start: int, stop: int) -> list[pa.Array]:
    """Rows ``start`` to ``stop`` of a column given in pieces, as slices of them (no copy)."""
    out = []
    for p in pieces:
        if start < len(p) and stop > 0:
            out.append(p.slice(max(start, 0), min(stop, len(p)) - max(start, 0)))
        start, stop = start - len(p), stop - len(p)
    return out


def taken(pieces: list[pa.Array], at: np.ndarray) -> list[pa.Array]:
    """Rows ``at`` (sorted) of a column given in pieces, piece by piece (a take across pieces
    joins them first: a copy of the whole column)."""
    bounds = np.cumsum([0, *(len(p) for p in pieces)])
    cut = np.searchsorted(at, bounds)
    return [p.take(pa.array(at[cut[k]:cut[k + 1]] - bounds[k]))
            for k, p in enumerate(pieces) if cut[k + 1] > cut[k]]
