"""Rows read by the fast CSV reader but not yet emitted, and the chunks made of them.

``_Pending`` holds the parts of rows as they come (pyarrow tables from fast segments, lists of
records from the exact reader's pieces) with their row and line numbers, notes and record
hashes, and cuts them into Chunks exactly where CsvReader cuts. A chunk of tables only stays in
Arrow; one mixed with records, or with cells that are not UTF-8, is built column by column
(``_mixed_column``) as CsvReader's ``string_frame`` builds it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from validator.readers.base import PY_STR, STR, Chunk, RowNote, add_note, cut_note, empty_frame, note_limit
from validator.readers.csv_exact import Records
from validator.readers.dispatch import JOIN_BELOW
from validator.readers.text import KEEP_UTF8, non_ascii_cells

Hashes = tuple[np.ndarray, np.ndarray] | None  # a part's record hashes, and which rows have one

# A chunk of fewer columns than JOIN_BELOW holds each column in one piece (its cells copied once,
# ``_emit``): the rules' Arrow and numpy calls then run once a column, not once per segment the
# rows came from (4 or so in a chunk of the 28-column file at HubSpot's limits: the rules' CPU 15%
# less there, the whole check's 5-6%; such chunks hold 12 MiB of text, not 14, so that the copy
# costs no memory: ``dispatch.JOINED_CHUNK_BYTES``). Wider chunks' byte screens join groups of
# columns themselves (``checks._facts.WIDE_SCREENS``, 64): joining them here too cost a 500-column
# export 4% more CPU and 25-35 MiB more memory. Nor are the columns of a chunk of segments that
# are not UTF-8 joined (``_mixed_column``): that cost a Windows-1252 file of 1,048,576 rows 0.3 s
# more CPU than it saved.


class _Pending:
    """Rows and notes read but not yet emitted, cut into chunks exactly where CsvReader cuts.

    Rows come in parts: pyarrow tables from fast segments, or lists of records handed back by
    the exact reader. A chunk made of tables only stays in Arrow; one with records is built the
    way CsvReader builds it (``string_frame``), so its columns match cell for cell and dtype.
    """

    def __init__(self, width: int):
        self.width = width
        self.parts: list[pa.Table | list[list[str]]] = []
        self.rows: list[np.ndarray] = []
        self.lines: list[np.ndarray] = []
        self.notes: list[RowNote] = []
        self.hashes: list[Hashes] = []  # each part's, where it has them
        # (row, byte offset where its record ends) of every record added, notes' included, in
        # row order: a chunk's end (Chunk.end)
        self.ends: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, part: pa.Table | list[list[str]], rows: np.ndarray, lines: np.ndarray,
            notes: list[RowNote], hashes: Hashes = None, ends: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        if ends is not None and len(ends[0]):
            self.ends.append(ends)
        if len(rows):
            self.parts.append(part)
            self.rows.append(rows)
            self.lines.append(lines)
            self.hashes.append(hashes)
        if notes:  # a blank run may go on from the last part's
            add_note(self.notes, notes[0])
            self.notes.extend(notes[1:])

    def export(self) -> Records:
        """Everything pending, as CsvReader's lists (for the exact reader to start from)."""
        good = [r for part in self.parts for r in _records(part)]
        rows = np.concatenate(self.rows).tolist() if self.rows else []
        lines = np.concatenate(self.lines).tolist() if self.lines else []
        return good, rows, lines, list(self.notes)

    def flush(self, limit: int, final: bool) -> Iterator[Chunk]:
        while True:
            rows = np.concatenate(self.rows) if self.rows else np.empty(0, dtype=np.int64)
            cut = self._cut(rows, limit)
            if cut is None:
                if final and (len(rows) or self.notes):
                    yield self._emit(rows, len(rows), len(self.notes), None)
                return
            good = int(np.searchsorted(rows, cut, side="right"))
            notes = bisect.bisect_right(self.notes, cut, key=lambda n: n.row)
            if notes:  # a blank run the cut goes through: its rows after the cut stay pending
                head, rest = cut_note(self.notes[notes - 1], cut)
                self.notes[notes - 1: notes] = [head] if rest is None else [head, rest]
            yield self._emit(rows, good, notes, cut)

    def _end(self, cut: int | None) -> int:
        """The byte offset where record ``cut`` ends (None: the last record added); the ends of
        the records after it stay pending."""
        if not self.ends:
            return 0
        rows = np.concatenate([r for r, _ in self.ends])
        ends = np.concatenate([e for _, e in self.ends])
        k = len(rows) if cut is None else int(np.searchsorted(rows, cut, side="right"))
        self.ends = [(rows[k:], ends[k:])] if k < len(rows) else []
        return int(ends[k - 1]) if k else 0

    def _record_hashes(self, n: int, good: int) -> Hashes:
        """The record hashes of the first ``good`` of the ``n`` pending rows (a part without
        them: rows without one); the rest stay pending. None where no part has them."""
        if not any(h is not None for h in self.hashes):
            self.hashes = [None] if good < n else []
            return None
        given = [h if h is not None else (np.zeros(len(r), np.uint64), np.zeros(len(r), bool))
                 for h, r in zip(self.hashes, self.rows, strict=True)]
        values = np.concatenate([h[0] for h in given])
        written = np.concatenate([h[1] for h in given])
        self.hashes = [(values[good:], written[good:])] if good < n else []
        return values[:good], written[:good]

    def _cut(self, rows: np.ndarray, limit: int) -> int | None:
        """The row after which CsvReader would emit a chunk (None: not yet)."""
        cuts = []
        if len(rows) >= limit:
            cuts.append(int(rows[limit - 1]))
        if len(self.notes) >= note_limit(limit):
            cuts.append(self.notes[note_limit(limit) - 1].row)
        return min(cuts) if cuts else None

    def _emit(self, rows: np.ndarray, good: int, notes: int, cut: int | None) -> Chunk:
        lines = np.concatenate(self.lines) if self.lines else np.empty(0, dtype=np.int64)
        head, rest = _split(self.parts, good)
        cell_bytes: dict[int, list[pa.Array]] = {}
        if not good:
            frame = empty_frame(self.width)
        elif all(isinstance(p, pa.Table) and not _binary(p) for p in head):
            table = pa.concat_tables(head)
            if self.width < JOIN_BELOW:
                table = table.combine_chunks()
            # pyarrow makes the frame (its string columns as they are, no copy): a third of the
            # time of a Series per column
            frame = table.to_pandas(types_mapper={pa.large_string(): pd.api.types.pandas_dtype(STR)}.get)
            frame.columns = pd.Index(range(self.width))
            frame.index = pd.Index(rows[:good])
        else:
            columns = [_mixed_column(head, i) for i in range(self.width)]
            frame = pd.DataFrame({i: c for i, (c, _) in enumerate(columns)}, copy=False)
            frame.index = pd.Index(rows[:good])
            cell_bytes = {i: b for i, (_, b) in enumerate(columns) if b is not None}
        chunk = Chunk(frame, lines[:good].astype(np.int64), tuple(self.notes[:notes]), cell_bytes=cell_bytes,
                      record_hashes=self._record_hashes(len(rows), good), end=self._end(cut))
        self.parts = rest
        self.rows = [rows[good:]] if good < len(rows) else []
        self.lines = [lines[good:]] if good < len(lines) else []
        self.notes = self.notes[notes:]
        return chunk


def _mixed_column(parts: list[Any], i: int) -> tuple[pd.Series, list[pa.Array] | None]:
    """Column ``i`` of tables and record lists, stored as CsvReader's ``string_frame`` would:
    in Arrow, or in Python where a cell holds an undecodable byte (a lone surrogate; in a
    table parsed as bytes, a value that is not UTF-8). A column stored in Python comes with its
    cells' bytes as ``Chunk.cell_bytes`` keeps them (None for an Arrow column)."""
    try:
        arrays = [p.column(i) if isinstance(p, pa.Table) else pa.array([r[i] for r in p], type=pa.large_string())
                  for p in parts]
        chunks = [c for a in arrays for c in (a.chunks if isinstance(a, pa.ChunkedArray) else [a])]
        chunks = [c.cast(pa.large_string()) if pa.types.is_large_binary(c.type) else c for c in chunks]
    except (UnicodeEncodeError, pa.ArrowInvalid):  # Arrow checks UTF-8 value by value, as Python decodes
        values: list[np.ndarray] = []
        cell_bytes: list[pa.Array] = []
        for p in parts:
            if isinstance(p, pa.Table):
                for arr in p.column(i).chunks:
                    texts, data = _decoded(arr)
                    values.append(texts)
                    cell_bytes.append(data)
            else:
                listed = [r[i] for r in p]
                values.append(_objects(listed))
                cell_bytes.append(pa.array([v.encode("utf-8", "surrogatepass") for v in listed], pa.large_binary()))
        return pd.Series(np.concatenate(values) if values else [], dtype=PY_STR), cell_bytes
    return pd.Series(pa.chunked_array(chunks, type=pa.large_string()), dtype=STR, copy=False), None


def _binary(table: pa.Table) -> bool:
    return bool(table.num_columns) and pa.types.is_large_binary(table.schema.field(0).type)


def _texts(column: pa.ChunkedArray | pa.Array) -> list[str]:
    """Cell texts of a column; bytes that are not UTF-8 kept as lone surrogates (LineSource's way).
    Of a column parsed as bytes only the cells with a byte over 0x7F go through Python's decoder
    (in a Windows-1252 file, a few names and cities); the others are ASCII, taken as they are."""
    if not pa.types.is_large_binary(column.type):
        return column.to_pylist()
    out: list[str] = []
    for arr in column.chunks if isinstance(column, pa.ChunkedArray) else [column]:
        out += _decoded(arr)[0].tolist()
    return out


def _decoded(arr: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """(texts, their ``surrogatepass`` bytes) of a string or binary array: a string array's own
    bytes; of a binary one, the bytes of each cell that is ASCII, re-encoded from the text for the
    cells decoded in Python (the same bytes where they were UTF-8 already). The texts are an
    object array: Arrow makes the strings of the ASCII cells (``to_numpy``), at about half the
    cost of ``to_pylist`` and a list's copy into an array."""
    if not pa.types.is_large_binary(arr.type):
        return arr.to_numpy(zero_copy_only=False), arr.cast(pa.large_binary())
    high = non_ascii_cells(arr)
    if not high.any():
        return arr.cast(pa.large_string()).to_numpy(zero_copy_only=False), arr
    decoded = [v.decode("utf-8", KEEP_UTF8) for v in arr.filter(pa.array(high)).to_pylist()]
    ascii_part = arr.filter(pa.array(~high))
    texts = np.empty(len(arr), dtype=object)
    texts[~high] = ascii_part.cast(pa.large_string()).to_numpy(zero_copy_only=False)
    texts[high] = _objects(decoded)
    encoded = pa.array([v.encode("utf-8", "surrogatepass") for v in decoded], pa.large_binary())
    order = np.concatenate((np.flatnonzero(~high), np.flatnonzero(high)))
    at = np.empty(len(arr), dtype=np.int64)
    at[order] = np.arange(len(arr))
    data = pa.concat_arrays([ascii_part, encoded]).take(pa.array(at))
    return texts, data


def _objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _records(part: pa.Table | list[list[str]]) -> list[list[str]]:
    if isinstance(part, pa.Table):
        return [list(r) for r in zip(*(_texts(c) for c in part.columns), strict=True)]
    return part


def _split(parts: list[pa.Table | list[list[str]]], n: int) -> tuple[list[Any], list[Any]]:
    """The parts holding the first ``n`` rows, and the parts holding the rest."""
    head: list[Any] = []
    rest: list[Any] = []
    for part in parts:
        size = part.num_rows if isinstance(part, pa.Table) else len(part)
        if n >= size:
            head.append(part)
        elif n <= 0:
            rest.append(part)
        else:
            head.append(part.slice(0, n) if isinstance(part, pa.Table) else part[:n])
            rest.append(part.slice(n) if isinstance(part, pa.Table) else part[n:])
        n -= size
    return head, rest
