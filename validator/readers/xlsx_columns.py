"""Cells to text by column: a column of cell values to Arrow texts and kind codes at once.

The conversion runs by column, not by cell (``column_texts``): a block of rows from the cell
reader is turned into columns, each column is split by Python type, and each type is converted
with numpy / Arrow compute (numbers, dates, booleans) or kept as is (text). ``cell_text`` is the
same rule for one value; the per-column path falls back to it only for rare values (times,
durations, numbers that Arrow would print with an exponent), and a test holds the two to each
other.

``arrow_texts`` does the same for a typed Arrow column of a piece loaded by fastexcel
(``xlsx_pieces``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from validator.readers import xlsx_pieces
from validator.readers.xlsx_piece_load import Sparse
from validator.readers.xlsx_text import (
    _EXACT,
    _EXACT_INT,
    DATE_PATTERNS,
    _escape_surrogates,
    cell_text,
    format_integer,
    format_number,
)

KINDS = ("", "s", "n", "d", "t", "b", "e", "f")
KIND_CODE = {k: i for i, k in enumerate(KINDS)}
_K_EMPTY, _K_TEXT, _K_NUMBER, _K_DATE, _K_BOOL = (KIND_CODE[k] for k in ("", "s", "n", "d", "b"))
_NONE, _STR, _FLOAT, _INT, _BOOL, _DATE, _DATETIME, _OTHER = range(8)
_TYPE_CODE: defaultdict[type, int] = defaultdict(lambda: _OTHER, {
    type(None): _NONE, str: _STR, float: _FLOAT, int: _INT, bool: _BOOL, dt.date: _DATE, dt.datetime: _DATETIME})
_LARGE = pa.large_string()


def column_texts(values: Sequence[Any], order: str = "mdy") -> tuple[pa.Array, np.ndarray]:
    """Texts (an Arrow large_string array) and kind codes (int8, indexes into ``KINDS``) of one
    column of cell values, by the same rule as ``cell_text``."""
    n = len(values)
    try:  # most columns hold only text: Arrow takes them as they are, or stops at the first other value
        return _text_cells(values)
    except (pa.ArrowTypeError, TypeError):  # (TypeError: a value that is not text, met while escaping)
        pass
    types = set(map(type, values))
    if len(types) == 1:
        return _CONVERT[_TYPE_CODE[next(iter(types))]](values, order)
    codes = np.fromiter(map(_TYPE_CODE.__getitem__, map(type, values)), dtype=np.int8, count=n)
    groups = [(c, np.flatnonzero(codes == c)) for c in np.unique(codes)]
    texts: list[pa.Array] = []
    kinds = np.empty(n, dtype=np.int8)
    for code, idx in groups:
        picked = [values[i] for i in idx.tolist()]
        text, kind = _CONVERT[int(code)](picked, order)
        texts.append(text)
        kinds[idx] = kind
    where = np.concatenate([idx for _c, idx in groups])
    inverse = np.empty(n, dtype=np.int64)
    inverse[where] = np.arange(n)
    return pa.concat_arrays(texts).take(pa.array(inverse)), kinds


def _text_cells(values: Sequence[Any], _order: str = "") -> tuple[pa.Array, np.ndarray]:
    try:
        arr = pa.array(values, type=_LARGE).fill_null("")
    except UnicodeEncodeError:  # a lone surrogate: written back as the OOXML escape it came from
        arr = pa.array([_escape_surrogates(v) for v in values], type=_LARGE).fill_null("")
    return arr, _text_kinds(arr)


def _text_kinds(arr: pa.Array) -> np.ndarray:
    """Kind codes of a text column without nulls: text, or empty."""
    return np.where(pc.binary_length(arr).to_numpy() > 0, np.int8(_K_TEXT), np.int8(_K_EMPTY))


def _none_cells(values: Sequence[Any], _order: str = "") -> tuple[pa.Array, np.ndarray]:
    return empty_cells(len(values))


@functools.lru_cache(maxsize=16)
def empty_cells(n: int) -> tuple[pa.Array, np.ndarray]:
    """Texts and kinds of ``n`` empty cells: one pair for every empty column of a block (a wide
    export's hundreds: an array made for each cost ~0.1 ms), its kinds read-only."""
    kinds = np.zeros(n, dtype=np.int8)
    kinds.flags.writeable = False
    return pa.repeat(pa.scalar("", _LARGE), n), kinds


def _float_cells(values: Sequence[Any], _order: str = "") -> tuple[pa.Array, np.ndarray]:
    v = np.asarray(values, dtype=np.float64)
    kinds = np.full(len(v), _K_NUMBER, dtype=np.int8)
    finite = np.isfinite(v)
    integral = finite & (np.trunc(v) == v)
    small = integral & (np.abs(v) < _EXACT)
    if small.all():
        return pa.array(v.astype(np.int64)).cast(_LARGE), kinds
    text = pa.array(np.where(small, v, 0).astype(np.int64)).cast(_LARGE)
    fraction = finite & ~integral
    if fraction.any():
        shortest = pa.array(np.where(fraction, v, 0.5)).cast(_LARGE)  # shortest round-trip digits
        text = pc.if_else(pa.array(fraction), shortest, text)
    # Arrow writes an exponent where Python's rule wants digits (tiny or huge values), and
    # integral values past 2**53 or not finite need the Python rule: those few go one by one
    odd = ~finite | (integral & ~small)
    if fraction.any():
        odd |= fraction & np.asarray(pc.match_substring(text, "e").to_numpy(zero_copy_only=False), dtype=bool)
    if odd.any():
        idx = np.flatnonzero(odd)
        fixed = pa.array([format_number(float(v[i])) for i in idx.tolist()], type=_LARGE)
        mask = np.zeros(len(v), dtype=bool)
        mask[idx] = True
        text = pc.replace_with_mask(text, pa.array(mask), fixed)
    return text, kinds


def _int_cells(values: Sequence[Any], _order: str = "") -> tuple[pa.Array, np.ndarray]:
    kinds = np.full(len(values), _K_NUMBER, dtype=np.int8)
    try:
        ints = np.asarray(values, dtype=np.int64)
    except OverflowError:
        return pa.array([format_integer(int(v)) for v in values], type=_LARGE), kinds
    text = pa.array(ints).cast(_LARGE)
    wide = (ints >= _EXACT_INT) | (ints <= -_EXACT_INT)  # (openpyxl's integers; past 2**53: few)
    if wide.any():
        idx = np.flatnonzero(wide)
        fixed = pa.array([format_integer(int(ints[i])) for i in idx.tolist()], type=_LARGE)
        text = pc.replace_with_mask(text, pa.array(wide), fixed)
    return text, kinds


def _bool_cells(values: Sequence[Any], _order: str = "") -> tuple[pa.Array, np.ndarray]:
    v = np.asarray(values, dtype=bool)
    return pa.array(np.where(v, "TRUE", "FALSE"), type=_LARGE), np.full(len(v), _K_BOOL, dtype=np.int8)


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _date_cells(values: Sequence[Any], order: str = "mdy") -> tuple[pa.Array, np.ndarray]:
    # a column of dates repeats a few hundred days: each distinct day is formatted once
    ordinals = np.fromiter(map(dt.date.toordinal, values), dtype=np.int64, count=len(values))
    days, inverse = np.unique(ordinals, return_inverse=True)
    stamps = pa.array((days - _EPOCH_ORDINAL).astype("datetime64[D]")).cast(pa.timestamp("s"))
    text = pc.strftime(stamps, format=DATE_PATTERNS[order]).cast(_LARGE)
    return text.take(pa.array(inverse.ravel())), np.full(len(values), _K_DATE, dtype=np.int8)


def _datetime_cells(values: Sequence[Any], order: str = "mdy") -> tuple[pa.Array, np.ndarray]:
    if any(v.tzinfo is not None for v in values):
        return _other_cells(values, order)
    micros = pa.array(values, type=pa.timestamp("us")).cast(pa.int64()).to_numpy()
    return _stamp_texts(micros // 1_000_000, order)  # fractions dropped, as cell_text


def _stamp_texts(all_seconds: np.ndarray, order: str) -> tuple[pa.Array, np.ndarray]:
    """Date-times given as whole seconds since 1970 (each distinct one formatted once)."""
    seconds, inverse = np.unique(all_seconds, return_inverse=True)
    stamps = pa.array(seconds.astype("datetime64[s]"))
    pattern = DATE_PATTERNS[order]
    text = pc.strftime(stamps, format=pattern)
    of_day = seconds % 86400
    if (of_day != 0).any():
        minutes = pc.strftime(stamps, format=pattern + " %H:%M")
        full = pc.strftime(stamps, format=pattern + " %H:%M:%S")
        text = pc.if_else(pa.array(of_day % 60 != 0), full, pc.if_else(pa.array(of_day != 0), minutes, text))
    return text.cast(_LARGE).take(pa.array(inverse.ravel())), np.full(len(all_seconds), _K_DATE, dtype=np.int8)


def _other_cells(values: Sequence[Any], order: str = "mdy") -> tuple[pa.Array, np.ndarray]:
    pairs = [cell_text(v, order) for v in values]
    return (pa.array([t for t, _k in pairs], type=_LARGE),
            np.fromiter((KIND_CODE[k] for _t, k in pairs), dtype=np.int8, count=len(pairs)))


def arrow_texts(arr: pa.Array | Sparse, order: str = "mdy") -> tuple[pa.Array, np.ndarray]:
    """Texts and kind codes of a typed column of a piece (``xlsx_piece_load._typed``: text, numbers,
    booleans or date-times, nulls where python-calamine gives an empty cell), as ``column_texts``
    gives them for python-calamine's values of the same cells; of a ``Sparse`` column, its cells
    that hold something by ``column_texts``, the others empty."""
    n = len(arr)
    if isinstance(arr, Sparse):
        return _sparse_texts(arr, order)
    kind = arr.type
    if pa.types.is_null(kind) or arr.null_count == n:
        return _none_cells(arr)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = arr.cast(_LARGE).fill_null("")
        return text, _text_kinds(text)
    if pa.types.is_timestamp(kind):
        stamps = arr.cast(pa.int64()).fill_null(0).to_numpy()
        text, kinds = _stamp_texts(stamps // xlsx_pieces.PER_SECOND[kind.unit], order)
    elif pa.types.is_floating(kind):
        text, kinds = _float_cells(arr.fill_null(0).to_numpy())
    elif pa.types.is_integer(kind):
        text, kinds = _int_cells(arr.fill_null(0).to_numpy())
    elif pa.types.is_boolean(kind):
        text, kinds = _bool_cells(arr.fill_null(False).to_numpy(zero_copy_only=False))
    else:
        raise TypeError(f"no texts for a column of {kind}")
    if arr.null_count:
        valid = arr.is_valid()
        text = pc.if_else(valid, text, pa.scalar("", _LARGE))
        kinds = np.where(valid.to_numpy(zero_copy_only=False), kinds, np.int8(_K_EMPTY))
    return text, kinds


def _sparse_texts(arr: Sparse, order: str) -> tuple[pa.Array, np.ndarray]:
    n = len(arr)
    if not len(arr.at):
        return empty_cells(n)
    texts, kinds = column_texts(arr.values.tolist(), order)
    if len(arr.at) == n:
        return texts, kinds
    index = np.zeros(n, dtype=np.int64)  # 0: an empty cell; k + 1: the k-th cell kept
    index[arr.at] = np.arange(1, len(arr.at) + 1)
    out = np.zeros(n, dtype=np.int8)
    out[arr.at] = kinds
    return pa.concat_arrays([pa.array([""], _LARGE), texts]).take(pa.array(index)), out


_CONVERT = {_NONE: _none_cells, _STR: _text_cells, _FLOAT: _float_cells, _INT: _int_cells, _BOOL: _bool_cells,
            _DATE: _date_cells, _DATETIME: _datetime_cells, _OTHER: _other_cells}
