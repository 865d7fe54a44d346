"""Sets of keys seen so far, whose memory grows with the number of distinct keys, never with
the file: KeySet (each key with the row where it was first seen: in the native kernel's hash
table where it was built, else in sorted levels searched by binary search) and FirstRows (a
64-bit value per row, appended in row order).
"""

from __future__ import annotations

import numpy as np

from validator import native


class KeySet:
    """Distinct keys with the row where each was first seen: 12 bytes a key (a 64-bit hash and a
    32-bit row; rows past 2**31 - 1 widen the rows to 64 bits). Kept with values
    (for findings made after the file), also the first row's line and value. Sorted arrays:
    lookups are binary searches. The keys are in a few sorted levels, largest first, each key
    in one: a chunk's new keys are a level of their own, merged into the level before it while
    that one holds at most ``ratio`` times as many (or there are more than ``max_levels``), so
    a key is copied a few times in all, and a chunk's keys are searched in a few levels.

    Where the native kernels were built, a set that keeps no values holds its keys in a hash
    table instead (``_Table``: 16-32 bytes a key, a chunk's keys added ~7 times faster), and
    gives its keys sorted (``keys``, ``rows``, ``find``) from it when asked. Like the levels, it
    is written by one thread at a time (a chunk's keys go in once, ``keying.first_seen``) and read
    after."""

    _FIELDS = ("keys", "rows", "lines", "values")
    ratio = 4  # a level is merged into the one before it while that one holds at most this many times its keys
    max_levels = 4  # levels kept at most (each added chunk's keys are searched in every one)

    def __init__(self, keep_values: bool = False, hashed: bool | None = None):
        """``hashed``: the keys in a hash table (``_Table``), as by default where the native kernel
        was built and no values are kept; else in sorted levels."""
        self.full = keep_values
        self.levels: list[dict[str, np.ndarray]] = []
        self._rows_type: type = np.int32
        if hashed is None:
            hashed = not keep_values and native.kernels is not None
        if hashed and keep_values:
            raise ValueError("a hashed KeySet keeps no values")
        self._table: _Table | None = _Table() if hashed else None

    def _unhash(self) -> None:
        """The table's keys as one sorted level, from here on (a row too large for it)."""
        if self._table is not None:
            self.levels = [self._table.sorted()] if self._table.used else []
            self._table = None

    def _empty(self) -> dict[str, np.ndarray]:
        return {"keys": np.empty(0, np.uint64), "rows": np.empty(0, self._rows_type),
                "lines": np.empty(0, np.int64), "values": np.empty(0, object)}

    @property
    def _fields(self) -> tuple[str, ...]:
        return self._FIELDS if self.full else self._FIELDS[:2]

    def _widen(self, rows: np.ndarray) -> None:
        """Rows are kept in 32 bits while they fit; a larger one widens every level first."""
        if len(rows) and self._rows_type is np.int32 and int(rows.max()) > np.iinfo(np.int32).max:
            self._rows_type = np.int64
            for level in self.levels:
                level["rows"] = level["rows"].astype(np.int64)

    def _merge(self, start: int = 0) -> None:
        """The levels from ``start`` on merged into one."""
        if len(self.levels) - start > 1:
            self.levels[start:] = [_merged(self.levels[start:], self._fields)]

    def _main(self) -> dict[str, np.ndarray]:
        if self._table is not None:
            return self._table.sorted()
        self._merge()
        return self.levels[0] if self.levels else self._empty()

    @property
    def keys(self) -> np.ndarray:
        return self._main()["keys"]

    @property
    def rows(self) -> np.ndarray:
        return self._main()["rows"]

    @property
    def lines(self) -> np.ndarray:
        return self._main()["lines"] if self.full else self._empty()["lines"]

    @property
    def values(self) -> np.ndarray:
        return self._main()["values"] if self.full else self._empty()["values"]

    def __len__(self) -> int:
        if self._table is not None:
            return self._table.used
        return sum(len(level["keys"]) for level in self.levels)

    @property
    def nbytes(self) -> int:
        if self._table is not None:
            return self._table.nbytes
        return sum(level[f].nbytes for level in self.levels for f in self._fields)

    @staticmethod
    def _find(level: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return KeySet._found(level, keys, _positions(level, keys))

    @staticmethod
    def _found(level: np.ndarray, keys: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found mask, position clipped into the level) from the insertion positions ``pos``."""
        if not len(level):
            return np.zeros(len(keys), bool), pos
        clipped = np.minimum(pos, len(level) - 1)
        return level[clipped] == keys, clipped

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found mask, position in this set) for each key."""
        return self._find(self._main()["keys"], keys)

    def first_rows(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found mask, row where each key was first seen; 0 where not found), without merging
        the levels (a lookup per chunk then costs the chunk's keys, not the set's size)."""
        if self._table is not None:
            return self._table.find(keys)
        largest = max((len(level["keys"]) for level in self.levels), default=0)
        order = _order(keys, largest)  # (sorted once for every level)
        asked = keys if order is None else keys[order]
        found = np.zeros(len(keys), bool)
        rows = np.zeros(len(keys), np.int64)
        for level in self.levels:
            hit, at = self._found(level["keys"], asked, np.searchsorted(level["keys"], asked))
            rows[hit] = level["rows"][at[hit]]
            found |= hit
        if order is not None:
            found[order], rows[order] = found.copy(), rows.copy()
        return found, rows

    def add(self, keys: np.ndarray, rows: np.ndarray, lines: np.ndarray | None = None,
            values: np.ndarray | None = None) -> np.ndarray:
        """Add keys in row order; return, per key, the row where it was first seen (its own row
        when new)."""
        if not len(keys):
            return np.empty(0, np.int64)
        if self._table is not None:
            if int(rows.max()) < _Table.ROW_LIMIT and int(rows.min()) >= 0:
                return self._table.add(keys, rows)
            self._unhash()
        self._widen(rows)
        uniq, first, inverse = _distinct(keys)
        first_rows = np.asarray(rows[first], dtype=np.int64)
        new = np.ones(len(uniq), bool)
        for level in self.levels:  # (the keys are sorted: binary searches in order)
            hit, at = self._found(level["keys"], uniq, np.searchsorted(level["keys"], uniq))
            if hit.any():
                first_rows[hit] = level["rows"][at[hit]]
                new &= ~hit
        if new.any():
            first_new = first[new]
            added = {"keys": uniq[new], "rows": np.asarray(rows[first_new], self._rows_type)}
            if self.full:
                added["lines"] = np.asarray((lines if lines is not None else rows)[first_new], np.int64)
                added["values"] = values[first_new] if values is not None else np.full(len(first_new), "", object)
            self.levels.append(added)
            levels = self.levels
            while len(levels) > 1 and (len(levels) > self.max_levels
                                       or len(levels[-2]["keys"]) <= self.ratio * len(levels[-1]["keys"])):
                self._merge(len(levels) - 2)
        return np.asarray(first_rows[inverse], dtype=np.int64)

    def missing_from(self, other: KeySet) -> np.ndarray:
        """Indexes (into this set) of keys the other set lacks."""
        found, _ = other.find(self.keys)
        return np.flatnonzero(~found)


class _Table:
    """Keys with the row where each was first seen, in the native kernel's hash table (open
    addressing, linear probing; ``table_add``, ``table_find``): two arrays of a power of two
    slots, a 64-bit key and a 32-bit row (plus one: 0 marks an empty slot), 12 bytes a slot.
    Doubled (the keys added again) where a key would fill it past 3/4: 3/8 to 3/4 full, 16 to
    32 bytes a key (24 for a million, in 2**21 slots). A chunk's keys are added or looked up one
    by one in the kernel, ~40 ns a key against ~270 ns merging sorted levels. The keys sorted
    (``sorted``) are worked out when asked for (a set looked up by position, at a file's end),
    and kept until a key is added."""

    __slots__ = ("_sorted", "keys", "rows", "used")
    ROW_LIMIT = 2**32 - 4  # rows at least this large are kept in sorted levels (``KeySet._unhash``)

    def __init__(self) -> None:
        self.keys = np.zeros(16, np.uint64)
        self.rows = np.zeros(16, np.uint32)
        self.used = 0
        self._sorted: dict[str, np.ndarray] | None = None

    @property
    def nbytes(self) -> int:
        return self.keys.nbytes + self.rows.nbytes

    def _grow(self) -> None:
        """Twice the slots, the keys added again."""
        occupied = self.rows != 0
        keys, rows = self.keys[occupied], self.rows[occupied].astype(np.int64) - 1
        self.keys, self.rows = np.zeros(2 * len(self.keys), np.uint64), np.zeros(2 * len(self.rows), np.uint32)
        self.used, _done = native.kernels.table_add(self.keys, self.rows, 0, keys, rows, np.empty(len(keys), np.int64))

    def add(self, keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """``KeySet.add``: per key, the row where it was first seen (its own where new). The
        kernel stops where the table would be over 3/4 full: grown, it goes on from there."""
        keys, rows = np.ascontiguousarray(keys, np.uint64), np.ascontiguousarray(rows, np.int64)
        out = np.empty(len(keys), np.int64)
        at = 0
        while True:
            added, done = native.kernels.table_add(self.keys, self.rows, self.used, keys[at:], rows[at:], out[at:])
            self.used += added
            at += done
            if at >= len(keys):
                break
            self._grow()
        self._sorted = None
        return out

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``KeySet.first_rows``: (found mask, row where each key was first seen; 0 where not)."""
        found = np.empty(len(keys), np.uint8)
        rows = np.empty(len(keys), np.int64)
        native.kernels.table_find(self.keys, self.rows, np.ascontiguousarray(keys, np.uint64), found, rows)
        return found.view(bool), rows

    def sorted(self) -> dict[str, np.ndarray]:
        """The keys sorted, each with its first row, as KeySet's one level."""
        if self._sorted is None:
            occupied = self.rows != 0
            keys = self.keys[occupied]
            order = np.argsort(keys)
            rows = self.rows[occupied][order].astype(np.int64) - 1
            if not len(rows) or int(rows.max()) <= np.iinfo(np.int32).max:  # (as KeySet's levels keep them)
                rows = rows.astype(np.int32)
            self._sorted = {"keys": keys[order], "rows": rows}
        return self._sorted


class FirstRows:
    """Rows in ascending order, each with a 64-bit value (12 bytes a row: rows past 2**31 - 1
    take 16), appended a chunk at a time; ``find`` looks rows up. Kept in the pieces appended
    (no copy), joined into one only when there are many (small chunks)."""

    max_pieces = 256

    def __init__(self) -> None:
        self._rows: list[np.ndarray] = []
        self._values: list[np.ndarray] = []

    def append(self, rows: np.ndarray, values: np.ndarray) -> None:
        """Add rows, each past every row added before."""
        if not len(rows):
            return
        small = int(rows[-1]) <= np.iinfo(np.int32).max
        self._rows.append(np.asarray(rows, np.int32 if small else np.int64))
        self._values.append(np.asarray(values, np.uint64))
        if len(self._rows) > self.max_pieces:
            self._rows = [np.concatenate([r.astype(np.int64, copy=False) for r in self._rows])]
            self._values = [np.concatenate(self._values)]

    def find(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found mask, value of each found row; 0 elsewhere) for ``rows``."""
        found = np.zeros(len(rows), bool)
        out = np.zeros(len(rows), np.uint64)
        if not len(rows) or not self._rows:
            return found, out
        starts = np.array([r[0] for r in self._rows])
        piece = np.searchsorted(starts, rows, side="right") - 1
        for i in np.unique(piece[piece >= 0]):
            ask = np.flatnonzero(piece == i)
            have = self._rows[i]
            at = np.minimum(np.searchsorted(have, rows[ask]), len(have) - 1)
            hit = have[at] == rows[ask]
            found[ask[hit]] = True
            out[ask[hit]] = self._values[i][at[hit]]
        return found, out


def _positions(level: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``np.searchsorted(level, keys)``. Keys in no order, many of them, looked up in a large
    level are sorted first: binary searches of ascending keys walk the level in order, where
    those of random 64-bit hashes each miss the cache (44,000 keys in a level of a million: ~15
    ms, against ~5 ms sorting them first)."""
    order = _order(keys, len(level))
    if order is None:
        return np.searchsorted(level, keys)
    out = np.empty(len(keys), np.intp)
    out[order] = np.searchsorted(level, keys[order])
    return out


def _order(keys: np.ndarray, level_size: int) -> np.ndarray | None:
    """The order that sorts ``keys`` where they are to be sorted before a lookup in a level of
    ``level_size`` keys (``_positions``), else None."""
    if len(keys) < 4096 or level_size < max(1 << 15, len(keys)) or bool(np.all(keys[1:] >= keys[:-1])):
        return None
    return np.argsort(keys)


def _merged(levels: list[dict[str, np.ndarray]], fields: tuple[str, ...]) -> dict[str, np.ndarray]:
    """One level of the keys of ``levels`` (sorted, disjoint), sorted; the levels' arrays are let
    go as they are copied. A stable sort of the levels end to end finds them as runs and merges
    them (numpy's timsort for 64-bit keys: ~9 ms for a million keys and a quarter million,
    against ~15 ms placing the smaller by binary searches and masks); its order of the keys takes
    8 bytes a key while it is applied, so a large merge (``_merged_lean``) places the smaller
    level instead, as that takes less memory than the levels merged."""
    if sum(len(level["keys"]) for level in levels) >= LEAN_MERGE:
        return _merged_lean(levels, fields)
    keys = np.concatenate([level.pop("keys") for level in levels])
    order = np.argsort(keys, kind="stable")
    out = {"keys": keys[order]}
    del keys
    for name in fields[1:]:
        out[name] = np.concatenate([level.pop(name) for level in levels])[order]
    return out


LEAN_MERGE = 1 << 19  # keys of a merge made by ``_merged_lean``, at least


def _merged_lean(levels: list[dict[str, np.ndarray]], fields: tuple[str, ...]) -> dict[str, np.ndarray]:
    """``_merged``, the last level into the one before it until one is left: the smaller one's
    places found by binary searches, the keys sorted in place (their two runs merged), the other
    fields placed by a mask of those places."""
    levels = list(levels)
    while len(levels) > 1:
        small, large = levels.pop(), levels.pop()
        at = np.searchsorted(large["keys"], small["keys"])
        at += np.arange(len(at))
        keys = np.concatenate([large.pop("keys"), small.pop("keys")])
        keys.sort(kind="stable")
        keep = np.ones(len(keys), bool)
        keep[at] = False
        out = {"keys": keys}
        for name in fields[1:]:
            out[name] = np.empty(len(keys), large[name].dtype)
            out[name][at] = small.pop(name)
            out[name][keep] = large.pop(name)
        levels.append(out)
    return levels[0]


def _distinct(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(keys, return_index=True, return_inverse=True)``, with an unstable sort (several
    times faster than the stable one it needs) and each key's first position as the least
    position among its equals."""
    order = np.argsort(keys)
    ordered = keys[order]
    n = len(keys)
    if n > 1:
        flag = np.empty(n, bool)
        flag[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=flag[1:])
    else:
        flag = np.ones(n, bool)
    inverse = np.empty(n, np.intp)
    if flag.all():  # no key twice: the common case
        inverse[order] = np.arange(n)
        return ordered, order, inverse
    starts = np.flatnonzero(flag)
    inverse[order] = np.cumsum(flag) - 1
    return ordered[starts], np.minimum.reduceat(order, starts), inverse
