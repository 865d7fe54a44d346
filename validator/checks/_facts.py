"""Facts about a chunk's columns that several rules need, computed once per chunk.

Not a rule family. Each fact is computed from the column's Arrow buffers where the column is
Arrow-backed (no per-cell Python), through pandas' string methods where it is Python-stored (a
column holding undecodable bytes), and kept in the per-chunk memo of ``checks.typed.cached``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from validator import formats, native
from validator.checks.typed import cached
from validator.context import Column
from validator.readers.base import Chunk
from validator.readers.text import FIND_MIN, PY_SPACE, byte_table, bytes_and_offsets, cells_at, holds_any, lookup

_CR, _LF = 13, 10


def arrow_column(series: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow storage of an Arrow-backed string column without nulls; None otherwise."""
    data = getattr(series.array, "_pa_array", None)
    if not isinstance(data, pa.ChunkedArray) or data.null_count:
        return None
    if not (pa.types.is_string(data.type) or pa.types.is_large_string(data.type)):
        return None
    return data


def fullmatch(values: pd.Series, pattern: str) -> np.ndarray:
    r"""``values.str.fullmatch(pattern)`` as a bool array: by RE2 over the Arrow storage (``\s``
    spelled out as Python's, ``\d`` as Python's Unicode digits ``\p{Nd}``), by pandas where the
    column is stored in Python. The pattern may use ``\s`` and ``\d`` but no ``\S``, ``\D``,
    ``\w``, ``\b`` or lookaround (their RE2 meaning differs)."""
    data = arrow_column(values)
    if data is None:
        return np.asarray(values.str.fullmatch(pattern).to_numpy(dtype=bool, na_value=False), dtype=bool)
    body = pattern.replace(r"\s", PY_SPACE).replace(r"\d", r"\p{Nd}")
    found = pc.match_substring_regex(data, "^(?:" + body + ")$")
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def column_bytes(chunk: Chunk, index: int) -> list[pa.Array]:
    """A column's cells as bytes, in Arrow arrays: the Arrow storage itself (UTF-8), or, for a
    column stored in Python (cells holding undecodable bytes as lone surrogates), the cells
    encoded once per chunk with ``surrogatepass``. A surrogate then takes three bytes (ED xx xx)
    that are no character any byte screen looks for, and at least its one character: the
    screens stay necessary conditions, and the exact per-cell test decides on the few rows left."""
    def make() -> list[pa.Array]:
        values = chunk.column(index)
        data = arrow_column(values)
        if data is not None:
            return list(data.chunks)
        if index in chunk.cell_bytes:  # the reader's, at hand
            return list(chunk.cell_bytes[index])
        cells = [v.encode("utf-8", "surrogatepass") if isinstance(v, str) else b""
                 for v in values.to_numpy(dtype=object)]
        return [pa.array(cells, type=pa.large_binary())]
    return cached(chunk, ("bytes", index), make)


def _breaks_in(arr: pa.Array) -> tuple[int, int, int]:
    """(CRLF, LF, CR) counts inside the values of one Arrow string array (per value, summed)."""
    data, offsets = bytes_and_offsets(arr)
    if not len(data):
        return 0, 0, 0
    lf = data == _LF
    cr = data == _CR
    n_lf, n_cr = int(np.count_nonzero(lf)), int(np.count_nonzero(cr))
    if not n_lf or not n_cr:
        return 0, n_lf, n_cr
    pair = cr[:-1] & lf[1:]  # pair[i]: CR at i, LF at i + 1
    crlf = int(np.count_nonzero(pair))
    if crlf:  # a CR ending one value and a LF starting the next are not a CRLF inside a value
        inner = np.unique(offsets[1:-1])
        inner = inner[(inner > 0) & (inner < len(data))]
        crlf -= int(np.count_nonzero(pair[inner - 1]))
    return crlf, n_lf - crlf, n_cr - crlf


def line_breaks(chunk: Chunk) -> dict[str, int]:
    """Line breaks inside the chunk's cells, by kind (a CRLF counts once, as CRLF)."""
    return cached(chunk, ("line-breaks",), lambda: _line_breaks(chunk))


def _line_breaks(chunk: Chunk) -> dict[str, int]:
    out = {"\r\n": 0, "\n": 0, "\r": 0}
    for i in range(chunk.frame.shape[1]):
        if not chunk.filled(i) or not screen(chunk, i).holds(b"\r\n"):  # (the rules' screen, shared): none
            continue
        for piece in column_bytes(chunk, i):
            crlf, lf, cr = _breaks_in(piece)
            out["\r\n"] += crlf
            out["\n"] += lf
            out["\r"] += cr
    return out


# -- byte screens: which rows can hold a character at all ------------------------------------
# A cell's UTF-8 bytes tell cheaply which cells cannot match a character class; rules then run
# their exact predicate on the remaining rows only (per-cell predicates: same result).
NUL = 1
CONTROL = 2  # C0/DEL bytes, and lead bytes of C1 codes (C2), U+061C (D8), U+200B-U+2069 (E2), U+FEFF (EF)
_LUT = np.zeros(256, np.uint8)
_LUT[0] |= NUL
_LUT[[*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0xC2, 0xD8, 0xE2, 0xEF]] |= CONTROL


# Bytes most text is made of: printable ASCII. The other bytes of a column are few, and tell
# which rare bytes it holds at all; ``#``, which one rule looks for in one column, is looked for
# only when asked (``Screen.holds``).
_COMMON = bytes(range(0x20, 0x7F))
_HASH = 0x23


def _rare_bytes(data: np.ndarray) -> np.ndarray:
    """The distinct bytes of ``data`` (uint8) not in ``_COMMON``, by numpy passes that release
    the GIL (a ``bytes.translate`` of a copy holds it for the whole column). A column of
    printable ASCII, the usual case, takes a minimum and a maximum (no array made); otherwise
    one shift puts every byte outside 0x20-0x7E above 0x5E."""
    if not len(data) or (data.min() >= 0x20 and data.max() <= 0x7E):
        return np.empty(0, np.uint8)
    shifted = data - np.uint8(0x20)  # wraps: bytes under 0x20 become 0xE0 and up
    seen = np.zeros(256, bool)
    seen[data[shifted > 0x5E]] = True
    return np.flatnonzero(seen).astype(np.uint8)


class Screen:
    """Per row of one column (its bytes): OR of the byte classes of its bytes, first and last
    byte (0 for an empty cell), length in bytes; and the set of rare bytes (anything but
    printable ASCII) the column holds at all. The byte classes are worked out only when asked
    for, and only where the column holds a byte of some class; whether it holds ``#`` likewise."""

    __slots__ = ("_arrays", "_contains", "_ends", "_group", "_hash", "_spans", "first", "last", "length",
                 "longest", "present")

    def __init__(self, arrays: list[pa.Array], made: tuple[np.ndarray, np.ndarray, np.ndarray, frozenset[int]]
                 | None = None, group: tuple[_Group, int, int] | None = None):
        self._arrays = arrays
        self._group = group  # (the group of columns it was worked out with, its rows there)
        self._contains: np.ndarray | None = None
        self._ends: dict[tuple[bool, bytes], np.ndarray] = {}  # first_in / last_in, once per set
        self._spans: dict[bool, tuple[int, int]] = {}
        self._hash: bool | None = None  # whether a cell holds ``#``: looked for when asked
        if made is not None:  # (worked out with the chunk's other columns: ``_screens``)
            self.first, self.last, self.length, self.present = made
            self.longest = int(self.length.max()) if len(self.length) else 0
            return
        n = sum(len(arr) for arr in arrays)
        # written piece by piece into one array each (no joining), the empty cells zeroed once
        self.first = first = np.zeros(n, np.uint8)
        self.last = last = np.zeros(n, np.uint8)
        # in 32 bits (a cell the readers give is far under 2 GiB): kept with the chunk
        self.length = length = np.empty(n, np.int32)
        if native.kernels is not None:  # one pass over each piece's offsets and one over its bytes
            seen = np.zeros(256, np.uint8)
            _native_screens(arrays, first, last, length, seen)
            self.longest = int(length.max()) if n else 0
            self.present = frozenset(np.flatnonzero(seen).tolist())
            return
        rare: set[int] = set()
        at = 0
        for arr in arrays:
            data, offsets = bytes_and_offsets(arr)
            end = at + len(arr)
            np.subtract(offsets[1:], offsets[:-1], out=length[at:end], casting="unsafe")
            if len(data):  # gather at every row (clipped into the bytes)
                np.take(data, offsets[:-1], out=first[at:end], mode="clip")
                np.take(data, offsets[1:] - 1, out=last[at:end], mode="clip")
                rare.update(_rare_bytes(data).tolist())
            at = end
        empty = length == 0
        if empty.any():  # (an empty cell took a byte of another)
            np.putmask(first, empty, 0)
            np.putmask(last, empty, 0)
        self.longest = int(length.max()) if n else 0  # bytes of the longest cell
        self.present = frozenset(rare)

    @property
    def contains(self) -> np.ndarray:
        if self._contains is None:
            self._contains = self._classes()
        return self._contains

    def _classes(self) -> np.ndarray:
        n = len(self.length)
        if not any(_LUT[b] for b in self.present):
            return np.zeros(n, np.uint8)
        if n and not self._arrays:  # (a group's screen, ``screened``'s: its cells' bytes are not kept)
            raise TypeError("no byte classes for a group of columns")
        parts = []
        for arr in self._arrays:
            data, offsets = bytes_and_offsets(arr)
            contains = np.zeros(len(arr), np.uint8)
            flags = lookup(_LUT, data)
            hits = np.flatnonzero(flags)  # few: most bytes belong to no class
            if len(hits):
                np.bitwise_or.at(contains, np.searchsorted(offsets, hits, side="right") - 1, flags[hits])
            parts.append(contains)
        return np.concatenate(parts) if parts else np.zeros(0, np.uint8)

    def may_have(self, flag: int) -> bool:
        """False only where no cell holds a byte of this class (``has`` is all False)."""
        return any(_LUT[b] & flag for b in self.present)

    def has(self, flag: int) -> np.ndarray:
        return (self.contains & flag) != 0

    def holds(self, chars: bytes) -> bool:
        """False only where no cell holds any of these bytes (printable ASCII but ``#``: always
        True)."""
        return any(b in self.present or (self._holds_hash() if b == _HASH else b in _COMMON) for b in chars)

    def _holds_hash(self) -> bool:
        if self._hash is None:
            self._hash = any(bool((bytes_and_offsets(arr)[0] == _HASH).any()) for arr in self._arrays)
        return self._hash

    def first_in(self, chars: bytes) -> np.ndarray:
        """Rows whose first byte is one of ``chars`` (read-only: several rules share it)."""
        return self._end(True, chars)

    def last_in(self, chars: bytes) -> np.ndarray:
        """Rows whose last byte is one of ``chars`` (read-only: several rules share it)."""
        return self._end(False, chars)

    def _end(self, first: bool, chars: bytes) -> np.ndarray:
        found = self._ends.get((first, chars))
        if found is None and self._group is not None:  # one lookup for the group's columns
            group, a, b = self._group
            found = self._ends[(first, chars)] = group.end(first, chars)[a:b]
        if found is None:
            ends = self.first if first else self.last
            low, high = self._span(first)
            if 0 in chars or any(low <= b <= high for b in chars):
                found = lookup(byte_table(chars), ends)
            else:  # no cell's first (last) byte lies between the least and the greatest
                found = np.zeros(len(ends), bool)
            found.flags.writeable = False
            self._ends[(first, chars)] = found
        return found

    def _span(self, first: bool) -> tuple[int, int]:
        """The least and the greatest first (last) byte of the cells, a 0 (an empty cell's)
        left out of the least, once per screen: two reductions where a lookup makes an array."""
        span = self._spans.get(first)
        if span is None:
            ends = self.first if first else self.last
            # (0 - 1 wraps to 255: the least of the other bytes, less one)
            span = (int((ends - np.uint8(1)).min()) + 1, int(ends.max())) if len(ends) else (1, 0)
            self._spans[first] = span
        return span


# a chunk of at least this many columns has the byte screens of its columns worked out at once
# (``_screens``): a screen's fixed work, ~0.1 ms a column and Arrow piece, was 1.2 s of a
# 40,000-row file of 500 columns
WIDE_SCREENS = 64


def screen(chunk: Chunk, index: int) -> Screen:
    """The byte screen of a column (of its bytes as ``column_bytes`` gives them)."""
    if chunk.frame.shape[1] >= WIDE_SCREENS:
        made = _screens(chunk).get(index)
        if made is not None:
            return made
    return cached(chunk, ("screen", index), lambda: Screen(column_bytes(chunk, index)))


def _screens(chunk: Chunk) -> dict[int, Screen]:
    """The screens of a wide chunk's columns stored in Arrow, worked out a group of columns at a
    time (``GROUP_CELLS`` cells) from one array of all their cells (their pieces joined: one copy
    of their bytes), each a view of its column's rows; a column stored otherwise (in Python) gets
    its own (``screen``)."""
    def make() -> dict[int, Screen]:
        out: dict[int, Screen] = {}
        group: list[tuple[int, list[pa.Array]]] = []
        cells = 0
        kind: pa.DataType | None = None
        for i in range(chunk.frame.shape[1]):
            if not chunk.filled(i) or arrow_column(chunk.column(i)) is None:  # (empty: no rule asks;
                continue  # stored in Python: its own screen, if asked)
            arrays = column_bytes(chunk, i)
            if kind is None and arrays:
                kind = arrays[0].type
            if arrays and all(a.type == kind for a in arrays):
                group.append((i, arrays))
                cells += sum(len(a) for a in arrays)
                if cells >= GROUP_CELLS:
                    _screen_group(group, out)
                    group, cells = [], 0
        if group:
            _screen_group(group, out)
        return out
    return cached(chunk, ("screens",), make)


# cells of the columns whose screens are worked out together: their temporary arrays (~20 bytes a
# cell) stay small beside the chunk (a chunk's all at once took ~30 MiB more peak memory)
GROUP_CELLS = 1 << 18


class _Group:
    """The first and last bytes of a group of columns' cells (``_screens``), and which of them
    are in a set of bytes, looked up once for the group (read-only: each column's screen holds a
    view); ``whole`` is a screen of all its cells (``screened``)."""

    __slots__ = ("_found", "first", "last", "whole")

    def __init__(self, first: np.ndarray, last: np.ndarray, length: np.ndarray, present: frozenset[int]):
        self.first = first
        self.last = last
        self._found: dict[tuple[bool, bytes], np.ndarray] = {}
        self.whole = Screen([], (first, last, length, present), (self, 0, len(length)))

    def end(self, first: bool, chars: bytes) -> np.ndarray:
        found = self._found.get((first, chars))
        if found is None:
            found = lookup(byte_table(chars), self.first if first else self.last)
            found.flags.writeable = False
            self._found[(first, chars)] = found  # (two threads may both look: the same answer)
        return found


def _native_screens(arrays: list[pa.Array], first: np.ndarray, last: np.ndarray, length: np.ndarray,
                    seen: np.ndarray) -> None:
    """``Screen``'s first and last bytes and lengths of the cells of ``arrays`` (end to end) by the
    native kernel, into the arrays given; the rare bytes they hold marked in ``seen`` (256 bytes)."""
    for data, offsets, part in native.buffers(arrays):
        native.kernels.screen_values(data, offsets, first[part], last[part], length[part], seen)


def _screen_group(columns: list[tuple[int, list[pa.Array]]], out: dict[int, Screen]) -> None:
    rows = np.cumsum([0] + [sum(len(a) for a in arrays) for _i, arrays in columns])
    if native.kernels is not None:  # (each column's pieces where they are: no joining)
        first, last, length, rare = _native_group(columns, rows)
    else:
        first, last, length, rare = _numpy_group(columns, rows)
    for shared in (first, last, length):  # (every column's screen holds a view)
        shared.flags.writeable = False
    group = _Group(first, last, length, frozenset().union(*rare))
    for k, (i, arrays) in enumerate(columns):
        a, b = int(rows[k]), int(rows[k + 1])
        out[i] = Screen(arrays, (first[a:b], last[a:b], length[a:b], rare[k]), (group, a, b))


_GroupArrays = tuple[np.ndarray, np.ndarray, np.ndarray, list[frozenset[int]]]  # first, last, length, rare bytes


def _numpy_group(columns: list[tuple[int, list[pa.Array]]], rows: np.ndarray) -> _GroupArrays:
    """A group's first and last bytes and lengths (cells of the columns end to end, starting at
    ``rows``) and each column's rare bytes, from one array of all their cells (one copy)."""
    data, offsets = bytes_and_offsets(pa.concat_arrays([a for _i, arrays in columns for a in arrays]))
    length = np.empty(len(offsets) - 1, np.int32)
    np.subtract(offsets[1:], offsets[:-1], out=length, casting="unsafe")
    first = np.zeros(len(length), np.uint8)
    last = np.zeros(len(length), np.uint8)
    if len(data):
        np.take(data, offsets[:-1], out=first, mode="clip")
        np.take(data, offsets[1:] - 1, out=last, mode="clip")
        empty = length == 0
        np.putmask(first, empty, 0)
        np.putmask(last, empty, 0)
    rare: list[set[int]] = [set() for _ in columns]
    if len(_rare_bytes(data)):  # which columns hold them: the cells at each rare byte, then their columns
        at = np.flatnonzero((data - np.uint8(0x20)) > 0x5E)
        column = np.searchsorted(rows, np.searchsorted(offsets, at, side="right") - 1, side="right") - 1
        for c, b in set(zip(column.tolist(), data[at].tolist(), strict=True)):
            rare[c].add(b)
    return first, last, length, [frozenset(r) for r in rare]


def _native_group(columns: list[tuple[int, list[pa.Array]]], rows: np.ndarray) -> _GroupArrays:
    """``_numpy_group`` by the native kernel, each column's pieces read where they are."""
    n = int(rows[-1])
    first, last, length = np.zeros(n, np.uint8), np.zeros(n, np.uint8), np.empty(n, np.int32)
    rare = []
    for k, (_i, arrays) in enumerate(columns):
        a, b = int(rows[k]), int(rows[k + 1])
        seen = np.zeros(256, np.uint8)
        _native_screens(arrays, first[a:b], last[a:b], length[a:b], seen)
        rare.append(frozenset(np.flatnonzero(seen).tolist()))
    return first, last, length, rare


def screened(chunk: Chunk, columns: Iterable[Column], select: Callable[[Screen], np.ndarray]
             ) -> Iterator[tuple[Column, np.ndarray]]:
    """(column, ``select`` of its screen) for each of ``columns`` where it holds a row, in their
    order. ``select`` works on a screen's first and last bytes and lengths alone (``first_in``,
    ``last_in``, ``length``) and must not change the arrays it is given. In a wide chunk it runs
    once for each group of columns whose screens were worked out together (``_screens``), over
    all their cells: a column with no row selected then costs nothing more (a 500-column file's
    rules each spent ~30 us a column and chunk finding that out column by column)."""
    columns = list(columns)
    wide = _screens(chunk) if chunk.frame.shape[1] >= WIDE_SCREENS else {}
    picked: dict[int, np.ndarray] = {}
    groups: dict[int, tuple[_Group, list[tuple[int, int, int]]]] = {}
    for column in columns:
        seen = wide.get(column.index)
        if seen is not None and seen._group is not None:
            group, a, b = seen._group
            groups.setdefault(id(group), (group, []))[1].append((column.index, a, b))
    for group, spans in groups.values():
        whole = np.asarray(select(group.whole), dtype=bool)
        counts = np.concatenate(([0], np.cumsum(whole, dtype=np.int64)))
        bounds = np.array([(a, b) for _i, a, b in spans], dtype=np.int64)
        held = counts[bounds[:, 1]] - counts[bounds[:, 0]]
        for (index, a, b), n in zip(spans, held.tolist(), strict=True):
            if n:
                picked[index] = whole[a:b]
    for column in columns:
        if column.index in wide:  # (its group's selection: above)
            rows = picked.get(column.index)
            if rows is None:
                continue
        else:
            rows = np.asarray(select(screen(chunk, column.index)), dtype=bool)
            if not rows.any():
                continue
        yield column, rows


def exactly(values: pd.Series, candidates: np.ndarray | None,
            predicate: Callable[[pd.Series], np.ndarray]) -> np.ndarray:
    """``predicate`` (per cell) over all rows, evaluated on the candidate rows only (where they
    are most rows, over all rows, its result kept at the candidates)."""
    if candidates is None:
        return np.asarray(predicate(values), dtype=bool)
    at = np.flatnonzero(candidates)
    if 2 * len(at) > len(values):  # most rows (a phone column, for "+"): no copy of the rows
        return np.asarray(predicate(values), dtype=bool) & candidates
    out = np.zeros(len(values), bool)
    if len(at):
        out[at] = np.asarray(predicate(values.iloc[at]), dtype=bool)
    return out


# First bytes of the characters ``utf8_trim_whitespace`` can remove (ASCII and Unicode spaces)
_SPACE_LEADS = bytes([*range(0x09, 0x0E), *range(0x1C, 0x21), 0xC2, 0xE1, 0xE2, 0xE3])


# Last bytes of those characters: ASCII spaces, and any continuation byte (a character of two
# bytes or more ends in one)
_SPACE_TAILS = bytes([*range(0x09, 0x0E), *range(0x1C, 0x21), *range(0x80, 0xC0)])


def may_trim(chunk: Chunk, index: int) -> bool:
    """Whether trimming whitespace (``utf8_trim_whitespace``) can change a cell of the column:
    not where no cell starts or ends with a byte a space character starts or ends with."""
    seen = screen(chunk, index)
    return bool(seen.first_in(_SPACE_LEADS).any() or seen.last_in(_SPACE_TAILS).any())


def maybe_blank(chunk: Chunk, index: int) -> np.ndarray:
    """Cells of a column that may be empty or whitespace only: empty, or starting with a byte a
    space character starts with (all the others hold a character that is not a space)."""
    seen = screen(chunk, index)
    return (seen.length == 0) | seen.first_in(_SPACE_LEADS)


def blank_at(chunk: Chunk, index: int) -> np.ndarray:
    """Cells of a column that are empty or whitespace only (``formats.blank``), once per chunk."""
    return cached(chunk, ("blank", index),
                  lambda: exactly(chunk.column(index), maybe_blank(chunk, index), formats.blank))


def blank_rows(chunk: Chunk) -> np.ndarray:
    """Rows whose every cell is blank (all rows of a chunk without columns)."""
    def make() -> np.ndarray:
        out = np.ones(len(chunk), dtype=bool)
        for i in range(chunk.frame.shape[1]):
            out &= blank_at(chunk, i)
            if not out.any():  # the other columns cannot make a row blank again
                break
        return out
    return cached(chunk, ("blank-rows",), make)


def rows_with(chunk: Chunk, index: int, chars: bytes) -> np.ndarray:
    """Rows of a column holding any of the given ASCII bytes."""
    def make() -> np.ndarray:
        wanted = np.zeros(256, bool)
        wanted[np.frombuffer(chars, np.uint8)] = True
        out = []
        for arr in column_bytes(chunk, index):
            bytes_, offsets = bytes_and_offsets(arr)
            if len(bytes_) >= FIND_MIN and not holds_any(bytes_, chars):
                out.append(np.zeros(len(arr), bool))
                continue
            out.append(cells_at(offsets, np.flatnonzero(lookup(wanted, bytes_))))
        return np.concatenate(out) if out else np.zeros(0, bool)
    return cached(chunk, ("rows-with", index, chars), make)


def surrogate_rows(chunk: Chunk, index: int) -> np.ndarray:
    """Rows of a column whose cell holds a lone surrogate U+DC00-U+DCFF (an undecodable byte as
    the readers keep it): in the ``surrogatepass`` bytes, ED followed by B0-B3, which valid UTF-8
    never has (ED only leads U+D000-U+D7FF, with 80-9F after it). Once per chunk and column
    (HS402, the keys and HS403's sample ask; read-only)."""
    def make() -> np.ndarray:
        out = []
        for arr in column_bytes(chunk, index):
            data, offsets = bytes_and_offsets(arr)
            lead = np.flatnonzero(data[:-1] == 0xED)
            out.append(cells_at(offsets, lead[(data[lead + 1] >= 0xB0) & (data[lead + 1] <= 0xB3)]))
        rows = np.concatenate(out) if out else np.zeros(0, bool)
        rows.flags.writeable = False
        return rows
    return cached(chunk, ("surrogates", index), make)
