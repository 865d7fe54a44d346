"""Sets of keys seen so far, whose memory grows with the number of distinct keys, never with
the file: KeySet (each key with the row where it was first seen, in sorted levels searched by
binary search) and FirstRows (a 64-bit value per row, appended in row order).
"""

from __future__ import annotations

import numpy as np


class KeySet:
    """Distinct keys with the row where each was first seen: 12 bytes a key (a 64-bit hash and a
    32-bit row; rows past 2**31 - 1 widen the rows to 64 bits). Kept with values
    (for findings made after the file), also the first row's line and value. Sorted arrays:
    lookups are binary searches. New keys go to a small sorted level first, merged into the
    main level when it reaches a quarter of it, so adding a chunk costs about its own size."""

    _FIELDS = ("keys", "rows", "lines", "values")
    merge_min = 1 << 16  # keys the fresh level may hold before it is merged, at least

    def __init__(self, keep_values: bool = False):
        self.full = keep_values
        self._main = self._empty()
        self._fresh = self._empty()

    @staticmethod
    def _empty(rows: type = np.int32) -> dict[str, np.ndarray]:
        return {"keys": np.empty(0, np.uint64), "rows": np.empty(0, rows),
                "lines": np.empty(0, np.int64), "values": np.empty(0, object)}

    def _widen(self, rows: np.ndarray) -> None:
        """Rows are kept in 32 bits while they fit; a larger one widens every level first."""
        if len(rows) and self._main["rows"].dtype == np.int32 and int(rows.max()) > np.iinfo(np.int32).max:
            for level in (self._main, self._fresh):
                level["rows"] = level["rows"].astype(np.int64)

    def _merge(self) -> None:
        fresh = self._fresh
        if not len(fresh["keys"]):
            return
        where = np.searchsorted(self._main["keys"], fresh["keys"])
        _insert_sorted(self._main, where, fresh, self._FIELDS if self.full else self._FIELDS[:2])
        self._fresh = self._empty(self._main["rows"].dtype.type)

    @property
    def keys(self) -> np.ndarray:
        self._merge()
        return self._main["keys"]

    @property
    def rows(self) -> np.ndarray:
        self._merge()
        return self._main["rows"]

    @property
    def lines(self) -> np.ndarray:
        self._merge()
        return self._main["lines"]

    @property
    def values(self) -> np.ndarray:
        self._merge()
        return self._main["values"]

    def __len__(self) -> int:
        return len(self._main["keys"]) + len(self._fresh["keys"])

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for level in (self._main, self._fresh) for a in level.values())

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
        self._merge()
        return self._find(self._main["keys"], keys)

    def first_rows(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found mask, row where each key was first seen; 0 where not found), without merging
        the levels (a lookup per chunk then costs the chunk's keys, not the set's size)."""
        found = np.zeros(len(keys), bool)
        rows = np.zeros(len(keys), np.int64)
        for level in (self._main, self._fresh):
            hit, at = self._find(level["keys"], keys)
            rows[hit] = level["rows"][at[hit]]
            found |= hit
        return found, rows

    def add(self, keys: np.ndarray, rows: np.ndarray, lines: np.ndarray | None = None,
            values: np.ndarray | None = None) -> np.ndarray:
        """Add keys in row order; return, per key, the row where it was first seen (its own row
        when new)."""
        if not len(keys):
            return np.empty(0, np.int64)
        self._widen(rows)
        uniq, first, inverse = _distinct(keys)
        main, fresh = self._main, self._fresh
        in_main, at_main = self._found(main["keys"], uniq, np.searchsorted(main["keys"], uniq))  # (sorted)
        in_fresh_at = np.searchsorted(fresh["keys"], uniq)  # also where the new keys go in
        in_fresh, at_fresh = self._found(fresh["keys"], uniq, in_fresh_at)
        first_rows = np.asarray(rows[first], dtype=np.int64)
        if in_main.any():
            first_rows[in_main] = main["rows"][at_main[in_main]]
        if in_fresh.any():
            first_rows[in_fresh] = fresh["rows"][at_fresh[in_fresh]]
        new = ~(in_main | in_fresh)
        first_new = first[new]
        added = {"keys": uniq[new], "rows": rows[first_new]}
        if self.full:
            added["lines"] = (lines if lines is not None else rows)[first_new]
            added["values"] = values[first_new] if values is not None else np.full(len(first_new), "", object)
        _insert_sorted(fresh, in_fresh_at[new], added, self._FIELDS if self.full else self._FIELDS[:2])
        if len(fresh["keys"]) > max(self.merge_min, len(main["keys"]) // 4):
            self._merge()
        return np.asarray(first_rows[inverse], dtype=np.int64)

    def missing_from(self, other: KeySet) -> np.ndarray:
        """Indexes (into this set) of keys the other set lacks."""
        found, _ = other.find(self.keys)
        return np.flatnonzero(~found)


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
    if len(keys) < 4096 or len(level) < max(1 << 15, len(keys)):
        return np.searchsorted(level, keys)
    if bool(np.all(keys[1:] >= keys[:-1])):
        return np.searchsorted(level, keys)
    order = np.argsort(keys)
    out = np.empty(len(keys), np.intp)
    out[order] = np.searchsorted(level, keys[order])
    return out


def _insert_sorted(level: dict[str, np.ndarray], where: np.ndarray, added: dict[str, np.ndarray],
                   fields: tuple[str, ...]) -> None:
    """``np.insert(level[f], where, added[f])`` for each field, with ``where`` ascending (as
    searchsorted gives it for sorted keys): one placement mask for all fields, no sort of it."""
    if not len(where):
        return
    size = len(level[fields[0]]) + len(where)
    at = where + np.arange(len(where))
    keep = np.ones(size, bool)
    keep[at] = False
    for name in fields:
        out = np.empty(size, level[name].dtype)
        out[at] = added[name]
        out[keep] = level[name]
        level[name] = out


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
