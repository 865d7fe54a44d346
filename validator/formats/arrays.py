"""Cells as Arrow string arrays, and what every grammar of ``validator.formats`` does with them:
the conversion (``arrow``), boolean masks of blank and matching cells, letter case set aside
(``fold``), digits read as integers, a column's distinct texts where parsing them only pays, and
byte-level tests of a cell's characters against byte classes (``byte_class_cells``) that spare a
regular expression the plainest cells (``by_bytes_then``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from validator import native
from validator.readers.text import byte_table, bytes_and_offsets, lookup

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def arrow(values: pd.Series | Sequence[str], trim: bool = True) -> pa.Array:
    """Cells as a pyarrow string array, trimmed (unless the caller knows no cell starts or ends
    with whitespace: ``trim=False``); None and NaN become ''.

    Cells holding undecodable bytes (kept as lone surrogates by the reader) cannot be UTF-8: each
    such byte is replaced by one U+FFFD first, which no grammar accepts (the email grammar
    refuses it by name: an address may hold other non-ASCII text), so they fail every typed check
    besides HS402's finding on the bytes, as a value HubSpot would read garbled.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    try:
        arr = pa.array(series, from_pandas=True)  # zero-copy for pyarrow-backed str columns
        if arr.type != pa.string():
            arr = pc.cast(arr, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, UnicodeEncodeError):
        # rare path (a column with undecodable bytes): one pass in Python to make it UTF-8
        # (``str.encode``'s "replace" would write "?", which an email's local part takes)
        fixed = [_LONE_SURROGATE.sub("\ufffd", v) if isinstance(v, str) else ""
                 for v in series.to_numpy(dtype=object)]
        arr = pa.array(fixed, type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = pc.fill_null(arr, "")
    return pc.utf8_trim_whitespace(arr) if trim else arr


def arrow_of_bytes(arrays: Sequence[pa.Array], trim: bool = True) -> pa.Array:
    """``arrow`` of a column stored in Python, from its cells' ``surrogatepass`` bytes
    (``Chunk.cell_bytes``): each lone surrogate (three bytes, ED A0-BF xx, which no UTF-8 text
    holds) becomes U+FFFD (three bytes too, so no offset moves), in the bytes, where ``arrow``
    replaces them cell by cell in Python (~0.4 us a cell: most of a Windows-1252 file's names and
    cities columns). A null cell is ''."""
    pieces = []
    for arr in arrays:
        data, offsets = bytes_and_offsets(arr)
        lead = np.flatnonzero(data[:-2] == 0xED) if len(data) > 2 else np.empty(0, np.int64)
        lead = lead[data[lead + 1] >= 0xA0]
        if len(lead):
            data = data.copy()
            data[lead], data[lead + 1], data[lead + 2] = 0xEF, 0xBF, 0xBD
        piece = pa.Array.from_buffers(pa.large_string(), len(arr),
                                      [None, pa.py_buffer(np.asarray(offsets, np.int64)), pa.py_buffer(data)])
        if arr.null_count:
            piece = pc.if_else(arr.is_valid(), piece, pa.scalar("", pa.large_string()))
        pieces.append(piece)
    out = pa.concat_arrays(pieces).cast(pa.string()) if pieces else pa.array([], pa.string())
    return pc.utf8_trim_whitespace(out) if trim else out


def as_mask(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An Arrow boolean result as a numpy mask, a null (no answer for the cell) as False."""
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def fold(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Texts with letter case set aside, one way for cells and for the option, owner and pipeline
    names they are matched with: Arrow's lower case, with ß as ss and a final sigma as σ (Python's
    ``casefold`` and Arrow's ``utf8_lower`` differ on ß, ς and İ; one of each side made a case-only
    match an error)."""
    lower = pc.utf8_lower(arr)
    return pc.replace_substring(pc.replace_substring(lower, "ß", "ss"), "ς", "σ")


def fold_texts(texts: Iterable[str]) -> list[str]:
    """``fold`` of Python strings (the names cells are matched with)."""
    items = list(texts)
    if not items:
        return []
    try:
        data = pa.array(items, type=pa.string())
    except (UnicodeEncodeError, pa.ArrowInvalid):  # undecodable bytes kept as lone surrogates: U+FFFD
        data = pa.array([t.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for t in items],
                        type=pa.string())
    return fold(data).to_pylist()


def _ints(arr: pa.Array) -> np.ndarray:
    """Digits -> int64 (non-digits -> 0)."""
    digits = pc.match_substring_regex(arr, r"^\d{1,9}$")
    safe = pc.if_else(digits, arr, pa.scalar("0"))
    return np.asarray(pc.cast(safe, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def blank(values: pd.Series | pa.Array) -> np.ndarray:
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    # (a cell of no characters is one of no bytes: the lengths from the offsets, where the
    # characters' count reads every byte, ~35 times as long)
    return as_mask(pc.equal(pc.binary_length(arr), 0))


def matches(values: pd.Series | pa.Array, pattern: str, ignore_case: bool = False) -> np.ndarray:
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    return as_mask(pc.match_substring_regex(arr, pattern, ignore_case=ignore_case))


DISTINCT_MIN_ROWS = 2048  # below this, parsing every cell costs less than finding distinct ones
DISTINCT_GLANCE = 4096  # cells looked at first in a longer column


def distinct_cells(arr: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray] | None:
    """(distinct texts, position of each cell's text among them) when the column repeats its
    values enough for parsing the distinct ones only to pay; None otherwise."""
    if len(arr) < DISTINCT_MIN_ROWS:
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if len(arr) >= 2 * DISTINCT_GLANCE:  # nearly all different at the head: not worth encoding whole
        head = pc.dictionary_encode(arr.slice(0, DISTINCT_GLANCE))
        if len(head.dictionary) * 10 > DISTINCT_GLANCE * 9:
            return None
    encoded = pc.dictionary_encode(arr)
    if len(encoded.dictionary) * 2 > len(arr) or encoded.null_count:
        return None
    at = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.intp)
    return encoded.dictionary, at


def byte_class_cells(arr: pa.Array | pa.ChunkedArray, first: bytes, rest: bytes,
                     last: bytes | None = None) -> np.ndarray:
    """Non-empty cells whose first byte is one of ``first``, every later byte one of ``rest``
    and, with ``last``, whose last byte is one of ``last``: by table lookups over the UTF-8
    bytes (a byte over 0x7F is in no ASCII set, so a cell holding one is never taken)."""
    if native.kernels is not None:  # (one pass over each piece's bytes)
        return _native_class_cells(arr, first, rest, last)
    out = []
    for piece in (arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]):
        data, offsets = bytes_and_offsets(piece)
        ok = offsets[1:] > offsets[:-1]  # non-empty
        if not len(data):
            out.append(ok)
            continue
        wrong = ~lookup(byte_table(rest), data)
        starts = offsets[:-1][ok]
        wrong[starts] = ~lookup(byte_table(first), data[starts])
        if last is not None:  # (an empty cell's clipped byte is not asked: it is not ok)
            ok &= lookup(byte_table(last), np.take(data, offsets[1:] - 1, mode="clip"))
        hits = np.flatnonzero(wrong)  # few: the cells holding a byte out of place
        if len(hits):
            ok[np.searchsorted(offsets, hits, side="right") - 1] = False
        out.append(ok)
    return out[0] if len(out) == 1 else np.concatenate(out) if out else np.zeros(0, dtype=bool)


def _native_class_cells(arr: pa.Array | pa.ChunkedArray, first: bytes, rest: bytes,
                        last: bytes | None) -> np.ndarray:
    """``byte_class_cells`` by the native kernel (``class_values``)."""
    tables = [byte_table(b).view(np.uint8) if b is not None else None for b in (first, rest, last)]
    ok = np.empty(len(arr), np.uint8)
    for data, offsets, part in native.buffers(arr):
        native.kernels.class_values(data, offsets, *tables, ok[part])
    return ok.view(bool)


def by_bytes_then(arr: pa.Array | pa.ChunkedArray, plain: tuple[bytes, bytes, bytes | None],
                  test: Callable[[pa.Array | pa.ChunkedArray], np.ndarray]) -> np.ndarray:
    """``test(arr)``, given that the cells ``byte_class_cells(arr, *plain)`` takes pass it: the
    test runs on the other cells only (most phone numbers are plain, and RE2 costs ~50 ns a cell)."""
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return test(arr)
    ok = byte_class_cells(arr, *plain)
    rest = np.flatnonzero(~ok)
    if len(rest) * 2 > len(ok):
        return test(arr)
    if len(rest):
        ok[rest] = test(pc.take(arr, pa.array(rest)))
    return ok
