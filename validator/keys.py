"""Record keys: which columns identify records, how HubSpot compares their values, and sets of
keys seen so far whose memory grows with the number of distinct keys, never with the file.

A key is a cell normalised the way HubSpot compares it (email case-insensitive, domain reduced
to its host) and hashed to a 64-bit integer (about 12 bytes per distinct key with its first row).
Two different keys collide with odds of about n²/2⁶⁵: one in 37 million for a million keys.

One run hashes every key the same way: with pandas' hash, or, for imports large enough that
it pays for its import (``hashing(fast=True)``, chosen by the engine), with polars' hash of the
UTF-8 bytes, about four times faster per cell.
"""

from __future__ import annotations

import contextvars
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.core.util.hashing import combine_hash_arrays

from validator.catalog import Catalog
from validator.checks._facts import surrogate_rows
from validator.checks.base import Batch, error_type
from validator.checks.typed import cached, cells
from validator.context import Column, FileContext
from validator.findings import Finding
from validator.readers.base import Chunk, RecordHasher
from validator.readers.written import written_rows_at
from validator.request import ColumnSpec

RECORD_ID = "hs_object_id"
# Properties a multi-file common column may use besides hs_object_id and unique properties
# (fact sheet 1.4, [V] S5): email for contacts, domain for companies.
COMMON_COLUMN = {"0-1": "email", "0-2": "domain"}
NOT_KEYS = ("FLEXIBLE_ASSOCIATION_LABEL", "ASSOCIATION_KEYS", "EVENT_TIMESTAMP")
_SCHEME = r"^[a-z][a-z0-9+.\-]*://"


def id_kind(spec: ColumnSpec, catalog: Catalog) -> str | None:
    """How a mapped column identifies the record of its own object: ``record`` (Record ID),
    ``alternate`` (the object's own identifier, or a HUBSPOT_ALTERNATE_ID column), ``unique``
    (a hasUniqueValue property), or None. Columns pointing at another object are not keys here."""
    if (spec.ignored or spec.object_type_id is None or spec.to_object_type is not None
            or spec.foreign_key is not None or spec.column_type in NOT_KEYS):
        return None
    if spec.column_type == "HUBSPOT_OBJECT_ID" or spec.property_name == RECORD_ID:
        return "record"
    own = catalog.identifiers_map.get(spec.object_type_id, ())
    if spec.property_name in own or (spec.column_type == "HUBSPOT_ALTERNATE_ID" and spec.property_name):
        return "alternate"  # (an alternate id column that names no property identifies nothing: HS029)
    prop = catalog.property_of(spec.object_type_id, spec.property_name)
    if prop is not None and prop.unique:
        return "unique"
    return None


def is_foreign(spec: ColumnSpec) -> bool:
    """A column that points at records of another object (a common column or a foreign ID)."""
    return (not spec.ignored and spec.to_object_type is not None
            and spec.column_type not in ("FLEXIBLE_ASSOCIATION_LABEL",))


def normaliser(prop: str | None) -> Callable[[pd.Series], pd.Series]:
    """How HubSpot compares values of this property: email ignoring case ([V] HubSpot treats
    addresses case-insensitively), domain as the host it keeps ([V] S6: the path after the TLD is
    dropped; [I] scheme, port and a leading ``www.`` too), everything else trimmed."""
    if prop in ("email", "hs_additional_emails"):
        return lambda s: s.str.strip().str.lower()
    if prop == "domain":
        return domain_key
    if prop == RECORD_ID:  # a number (HS305 takes 0101 as 101): compared without leading zeros
        return record_id_key
    return lambda s: s.str.strip()


def record_id_key(s: pd.Series) -> pd.Series:
    """A Record ID as the number it writes: trimmed, leading zeros dropped (one 0 is kept)."""
    out = s.str.strip()
    return _where_holding(out, r"^0+[0-9]", lambda v: v.str.replace(r"^0+([0-9])", r"\1", regex=True), regex=True)


def domain_key(s: pd.Series) -> pd.Series:
    """The host, lower-cased: the cuts on the cells that have something to cut only (a bare
    domain, the common cell, holds none of ``:/?#`` and does not start with ``www.``)."""
    out = s.str.strip().str.lower()
    return _where_holding(out, r"[:/?#]|^www\.", _cut_to_host, regex=True).str.rstrip(".")


def _cut_to_host(values: pd.Series) -> pd.Series:
    out = _where_holding(values.str.replace(_SCHEME, "", regex=True).str.replace(r"[/?#].*$", "", regex=True),
                         ":", lambda v: v.str.replace(r":\d*$", "", regex=True))
    return out.str.replace(r"^www\.", "", regex=True)


def _where_holding(values: pd.Series, what: str, change: Callable[[pd.Series], pd.Series],
                   regex: bool = False) -> pd.Series:
    r"""``change(values)`` worked out on the cells holding ``what`` (a pattern, with ``regex``)
    only: for a change that leaves every other cell as it is. (pandas runs a pattern with
    ``\d`` cell by cell in Python as soon as a column holds any non-ASCII text; a port is rare,
    company names with accents are not.)"""
    holding = values.str.contains(what, regex=regex).to_numpy(dtype=bool, na_value=False)
    if not holding.any():
        return values
    if holding.all():
        return change(values)
    out = values.copy()
    out[holding] = change(values[holding])
    return out


def hashes(values: pd.Series | pd.DataFrame,
           cell_bytes: Callable[[int], list[pa.Array]] | None = None) -> np.ndarray:
    """64-bit hash of each cell (Series) or row (DataFrame: pandas' combination of the column
    hashes). Cells holding undecodable bytes (lone surrogates, in Python-stored columns) are
    hashed as their UTF-8 bytes with the surrogates passed through: any other cell hashes the
    same whichever chunk it is in. ``cell_bytes(i)``, where given, has those bytes of column
    ``i`` at hand (``checks._facts.column_bytes``)."""
    if isinstance(values, pd.Series):
        return _hash_column(values)
    if values.shape[1] == 0:
        return pd.util.hash_pandas_object(values, index=False).to_numpy(dtype=np.uint64)
    polars = _fast()
    if polars is not None and cell_bytes is not None:  # the bytes at hand: no Series needed
        columns = (_polars_hash(polars, cell_bytes(i)) for i in range(values.shape[1]))
    else:
        columns = (_hash_column(values.iloc[:, i], cell_bytes, i) for i in range(values.shape[1]))
    return np.asarray(combine_hash_arrays(columns, values.shape[1]), dtype=np.uint64)


def _polars_hash(polars: Any, pieces: list[pa.Array]) -> np.ndarray:
    """polars' hash of the bytes of each cell, given as Arrow string or binary arrays."""
    data = pa.chunked_array([a.cast(pa.binary_view()) for a in pieces], pa.binary_view())
    return np.asarray(polars.from_arrow(data).hash(seed=_SEED).to_numpy(), dtype=np.uint64)


# -- whole rows -------------------------------------------------------------------------------
# With polars, a row is hashed as one byte string: the row written as a CSV record
# (``readers.written``). The fast CSV reader hashes its rows so on its parser thread; the rows
# of other readers are written and hashed here.


def record_hasher() -> RecordHasher | None:
    """polars' hash of each value of Arrow binary or string pieces, where this run hashes with
    polars (for the reader's parser thread, which does not see the run's context); else None.
    The hasher waits for polars' import at its first call, not here (the file is opened and its
    first records read meanwhile), and gives None where polars could not be loaded."""
    value = _FAST.get()
    if value is None:
        return None

    def hasher(pieces: list[pa.Array]) -> np.ndarray | None:
        polars = value.module() if isinstance(value, _Loading) else value
        return None if polars is None else _polars_hash(polars, pieces)
    return hasher


def row_hashes(chunk: Chunk, delimiter: str, cell_bytes: Callable[[int], list[pa.Array]]) -> np.ndarray:
    """polars' hash of each frame row written as a CSV record with ``delimiter``: the reader's,
    where it gave one (``Chunk.record_hashes``), else of the row written from ``cell_bytes(i)``
    (column ``i``'s cells as Arrow string or binary pieces; at least one column)."""
    polars = _fast()
    assert polars is not None, "row hashes are polars' (hashing(fast=True))"
    n, width = chunk.frame.shape
    out = np.empty(n, np.uint64)
    given = chunk.record_hashes
    rest = np.arange(n)
    if given is not None:
        out[:] = given[0]
        rest = np.flatnonzero(~given[1])
    if len(rest):
        out[rest] = _polars_hash(polars, written_rows_at([cell_bytes(i) for i in range(width)], rest, delimiter).chunks)
    return out


_FAST: contextvars.ContextVar[Any] = contextvars.ContextVar("fast_hash", default=None)
_SEED = 0x5EED


_polars_forked = False  # polars was loaded before this process was forked from its parent


def _note_fork() -> None:
    global _polars_forked
    _polars_forked = "polars" in sys.modules


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_note_fork)


def _polars() -> Any:
    """polars, or None where it cannot be used: not loadable here (missing, CPU features), or
    loaded before a fork (its thread pool does not survive one; a pipeline that forks workers
    after a check must not hang in them). pandas hashes keys then."""
    if _polars_forked:
        return None
    try:
        import polars
    except Exception:
        return None
    return polars


class _Loading:
    """polars being imported on a thread of its own, started with the run: the file's first
    chunk is read meanwhile (the import takes ~70 ms, the first hash comes later)."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._module: Any = None
        threading.Thread(target=self._load, name="import-polars", daemon=True).start()

    def _load(self) -> None:
        try:
            self._module = _polars()
        finally:
            self._done.set()

    def module(self) -> Any:
        self._done.wait()
        return self._module


def _fast() -> Any:
    """polars where this run hashes with it (waiting for its import), else None."""
    value = _FAST.get()
    return value.module() if isinstance(value, _Loading) else value


@contextmanager
def hashing(fast: bool) -> Iterator[None]:
    """Hash the keys of this run with polars (fast) or pandas; every key of a run one way."""
    loading = _Loading() if fast else None
    token = _FAST.set(loading)
    try:
        yield
    finally:
        _FAST.reset(token)
        if loading is not None:
            loading.module()  # no import left running after the run


def _arrow_stored(values: pd.Series) -> bool:
    return isinstance(getattr(values.array, "_pa_array", None), pa.ChunkedArray)


def _utf8(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """The cells' UTF-8 bytes for polars. Arrow-stored cells go as binary views, the layout
    polars keeps (taken without a copy; from offsets polars converts at about twice the cost of
    Arrow's cast); the bytes, and so the hashes, are the same either way."""
    data = getattr(values.array, "_pa_array", None)
    if isinstance(data, pa.ChunkedArray) and not data.null_count and (
            pa.types.is_large_string(data.type) or pa.types.is_string(data.type)):
        return data.cast(pa.binary_view())
    return pa.array([v.encode("utf-8", "surrogatepass") if isinstance(v, str) else b""
                     for v in values.to_numpy(dtype=object)], pa.binary())


def _hash_column(values: pd.Series, cell_bytes: Callable[[int], list[pa.Array]] | None = None,
                 index: int = 0) -> np.ndarray:
    polars = _fast()
    if polars is not None:
        if cell_bytes is not None and not _arrow_stored(values):
            return _polars_hash(polars, cell_bytes(index))
        data = _utf8(values)
        return _polars_hash(polars, data.chunks if isinstance(data, pa.ChunkedArray) else [data])
    try:
        return pd.util.hash_pandas_object(values, index=False).to_numpy(dtype=np.uint64)
    except UnicodeEncodeError:  # only a column with undecodable bytes: its cells in Python
        raw = np.empty(len(values), dtype=object)
        raw[:] = [v.encode("utf-8", "surrogatepass") if isinstance(v, str) else v
                  for v in values.to_numpy(dtype=object)]
        return np.asarray(pd.util.hash_array(raw), dtype=np.uint64)


def _comparison(prop: str | None) -> str:
    if prop in ("email", "hs_additional_emails"):
        return "email"
    return "domain" if prop == "domain" else "id" if prop == RECORD_ID else "text"


def address_lists(prop: str | None) -> bool:
    """Whether a list of this property's keys is a list of addresses, split as one is: not at a
    separator inside double quotes (``split_list``'s ``quoted``; ``"a;b"@x.com`` is one address)."""
    return _comparison(prop) == "email"


def cell_keys(chunk: Chunk, column: Column, prop: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(positions in the chunk, key hashes) of the column's non-blank cells; computed once per
    chunk, column and way of comparing (several rules key the same column)."""
    def make() -> tuple[np.ndarray, np.ndarray]:
        norm = normaliser(prop)(chunk.column(column.index))
        mask = (norm != "").to_numpy(dtype=bool)
        pos = np.flatnonzero(mask)
        return pos, hashes(norm)[pos] if len(pos) < len(mask) else hashes(norm)
    return cached(chunk, ("cell-keys", column.index, _comparison(prop)), make)


def part_keys(chunk: Chunk, column: Column, prop: str | None,
              separator: str = ";") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions in the chunk, key hashes, parts as written, trimmed) of the non-blank parts of
    the column's cells split at ``separator`` (several addresses in one cell: fact sheet 6,
    [V] S6), in row order, each key once per cell; keys compared and hashed as ``cell_keys``
    does those of a column of ``prop``, so the two meet. Computed once per chunk."""
    def make() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        at, keys, shown, once = _split_parts(chunk, column, prop, separator)
        return at[once], keys[once], shown[once]
    return cached(chunk, ("part-keys", column.index, _comparison(prop), separator), make)


def repeated_parts(chunk: Chunk, column: Column, prop: str | None,
                   separator: str = ";") -> tuple[np.ndarray, np.ndarray]:
    """(positions in the chunk, parts as written) of the parts that repeat an earlier part of
    their own cell, compared as ``part_keys`` compares them (``a@x.com;A@x.com``)."""
    at, _keys, shown, once = _split_parts(chunk, column, prop, separator)
    return at[~once], shown[~once]


def _split_parts(chunk: Chunk, column: Column, prop: str | None,
                 separator: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(positions, key hashes, parts as written, first of its key in its cell) of every non-blank
    part of the column's cells, in row order, then part order. Computed once per chunk."""
    def make() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        arr = cells(chunk, column)
        filled = np.flatnonzero(np.asarray(pc.not_equal(arr, "").to_numpy(zero_copy_only=False), dtype=bool))
        if not len(filled):
            return np.empty(0, np.intp), np.empty(0, np.uint64), np.empty(0, object), np.empty(0, bool)
        parent, parts = split_list(arr.take(pa.array(filled)), separator, quoted=address_lists(prop))
        parts = pc.utf8_trim_whitespace(parts)
        at = filled[parent]
        raw = _with_undecodable_bytes(chunk, column, at, parts.to_numpy(zero_copy_only=False), separator, prop)
        texts = pd.Series(raw, dtype=chunk.column(column.index).dtype)
        norm = normaliser(prop)(texts)
        keep = np.flatnonzero((norm != "").to_numpy(dtype=bool))
        at, keys, shown = at[keep], hashes(norm.iloc[keep]), texts.to_numpy(dtype=object)[keep]
        order = np.lexsort((keys, at))  # stable: of a key repeated in one cell, its first part first
        first = np.ones(len(order), bool)
        first[1:] = (at[order][1:] != at[order][:-1]) | (keys[order][1:] != keys[order][:-1])
        once = np.empty(len(order), bool)
        once[order] = first
        return at, keys, shown, once
    return cached(chunk, ("split-parts", column.index, _comparison(prop), separator), make)


def _with_undecodable_bytes(chunk: Chunk, column: Column, at: np.ndarray, parts: np.ndarray, separator: str,
                            prop: str | None) -> np.ndarray:
    """``parts`` (from ``cells``, where an undecodable byte is U+FFFD) with the parts of cells
    holding such a byte (rare) split again, in Python, from the cell as read: the bytes are
    keyed as ``cell_keys`` keys them (a cell holding one is keyed as read), so a part meets the
    same address in an email column. Each byte is one character either way and no separator,
    quote or space, so a cell splits into as many parts both ways."""
    series = chunk.column(column.index)
    if getattr(series.dtype, "storage", None) != "python" or not len(at):
        return parts  # Arrow-stored: no cell holds an undecodable byte
    odd = surrogate_rows(chunk, column.index)[at]
    if not odd.any():
        return parts
    quoted = address_lists(prop)
    values = series.to_numpy(dtype=object)
    again = [p.strip() for i in np.unique(at[odd])
             for p in (split_quoted(values[i], separator) if quoted else values[i].split(separator))]
    if len(again) != int(np.count_nonzero(odd)):  # cannot happen (see above): keep Arrow's parts
        return parts
    out = np.array(parts, dtype=object)
    out[odd] = again
    return out


def split_list(arr: pa.Array, separator: str = ";", quoted: bool = False) -> tuple[np.ndarray, pa.Array]:
    """(index into ``arr`` of each part's cell, the parts as written, untrimmed) of ``arr``'s
    cells split at ``separator``, in cell order, then part order. With ``quoted`` (a list of
    addresses), not at a separator inside double quotes, where a backslash escapes the next
    character, as an address list is split (RFC 5322's quoted string: ``"a;b"@x.com`` is one
    address). Arrow splits the cells; only those holding a double quote, rare, are split again
    in Python, and their parts put in their cells' places."""
    split = pc.split_pattern(arr, separator)
    parent = np.asarray(pc.list_parent_indices(split).to_numpy(), dtype=np.intp)
    parts = pc.list_flatten(split)
    if not quoted:
        return parent, parts
    has = np.asarray(pc.match_substring(arr, '"').fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    if not has.any():
        return parent, parts
    cells = np.flatnonzero(has)
    pieces = [split_quoted(v or "", separator) for v in arr.take(pa.array(cells)).to_pylist()]
    keep = ~has[parent]
    kept, added = parent[keep], np.repeat(cells, [len(p) for p in pieces])
    # two sorted runs of disjoint cells merged: each added part goes after the kept parts of earlier cells
    into = np.searchsorted(kept, added) + np.arange(len(added))
    from_added = np.zeros(len(kept) + len(added), bool)
    from_added[into] = True
    order = np.empty(len(from_added), np.intp)
    order[~from_added] = np.arange(len(kept))
    order[from_added] = len(kept) + np.arange(len(added))
    merged = pa.concat_arrays([parts.filter(pa.array(keep)), pa.array([t for p in pieces for t in p], parts.type)])
    out = np.empty(len(from_added), np.intp)
    out[~from_added], out[from_added] = kept, added
    return out, merged.take(pa.array(order))


def split_quoted(text: str, separator: str = ";") -> list[str]:
    """``text.split(separator)``, but not inside double quotes (a backslash there escapes the
    next character); an unclosed quote runs to the end."""
    out: list[str] = []
    start, i, inside, n = 0, 0, False, len(text)
    while i < n:
        ch = text[i]
        if inside and ch == "\\":
            i += 2
            continue
        if ch == '"':
            inside = not inside
        elif not inside and text.startswith(separator, i):
            out.append(text[start:i])
            start = i = i + len(separator)
            continue
        i += 1
    out.append(text[start:])
    return out


def shared_set(file: FileContext, column: Column, prop: str | None) -> KeySet:
    """The file's KeySet of this column's keys (compared as ``prop`` is), shared by the rules
    that key it the same way: each chunk's keys go in once (``first_seen``)."""
    slot = (column.index, _comparison(prop))
    keys = file.key_sets.get(slot)
    if keys is None:
        keys = file.key_sets[slot] = KeySet()
    return keys


def first_seen(chunk: Chunk, file: FileContext, column: Column, prop: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(positions in the chunk, row where each cell's key was first seen in the file) of the
    column's non-blank cells. Adds the chunk's keys to the shared set once, however many rules
    ask; chunks must be asked for in file order (the engine's order)."""
    def make() -> tuple[np.ndarray, np.ndarray]:
        pos, keys = cell_keys(chunk, column, prop)
        return pos, shared_set(file, column, prop).add(keys, chunk.rows[pos])
    return cached(chunk, ("first-seen", column.index, _comparison(prop)), make)


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
        return KeySet._found(level, keys, np.searchsorted(level, keys))

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
        in_main, at_main = self._find(main["keys"], uniq)
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


@dataclass(frozen=True, slots=True, eq=False)
class KeyBatch(Batch):
    """A Batch whose message also names another row (where a value was first seen)."""

    others: np.ndarray
    describe: Callable[[str, int], str]
    whole_row: bool
    shown: np.ndarray | None = None  # what the message names, where not the cell (a part of it)

    def finding(self, i: int) -> Finding:
        f = Batch.finding(self, i)
        named = self.shown[i] if self.shown is not None else self.values[i]
        f = replace(f, message=self.describe(str(named), int(self.others[i])))
        return replace(f, column=None, column_name=None, value=None) if self.whole_row else f


def key_batch(rule: object, chunk: Chunk, file: FileContext, column: Column, pos: np.ndarray,
              others: np.ndarray, describe: Callable[[str, int], str], *, whole_row: bool = False,
              shown: np.ndarray | None = None, hubspot_error: str | None = None) -> KeyBatch:
    """Findings at chunk positions ``pos`` of ``column``, each naming the row in ``others``;
    ``shown``, where given, is the text each message names instead of the cell;
    ``hubspot_error``, where given, replaces the rule's errorType for these (``""``: none)."""
    values = chunk.column(column.index).to_numpy()[pos] if not whole_row else np.full(len(pos), "", object)
    lines = chunk.lines[pos] if len(chunk.lines) == len(chunk.frame) else None
    return KeyBatch(
        code=rule.code, rule=rule.name, hubspot_error=error_type(rule, hubspot_error),  # type: ignore[attr-defined]
        file=file.name, sheet=file.sheet, rows=chunk.rows[pos], lines=lines, column=column,
        values=values, message=lambda v: v, hint=rule.hint,  # type: ignore[attr-defined]
        others=others, describe=describe, whole_row=whole_row, shown=shown)


@dataclass(frozen=True, slots=True, eq=False)
class StoredBatch(Batch):
    """Findings about keys, made after their rows have gone (the rows' cells are not at hand):
    each keyed by its key's value (``value:<key>``), which inserting rows does not change."""

    def finding(self, i: int) -> Finding:
        f = Batch.finding(self, i)
        return replace(f, key=f"value:{str(self.values[i]).strip()}")


def stored_batch(rule: object, file: str, sheet: str | None, column: Column, keys: KeySet,
                 idx: np.ndarray, message: Callable[[str], str], *, hubspot_error: str | None = None) -> Batch:
    """Findings at the first rows of the keys ``idx`` of a KeySet kept with values;
    ``hubspot_error``, where given, replaces the rule's errorType for these (``""``: none)."""
    order = idx[np.argsort(keys.rows[idx], kind="stable")]
    values = keys.values[order]
    return StoredBatch(code=rule.code, rule=rule.name, hubspot_error=error_type(rule, hubspot_error),  # type: ignore[attr-defined]
                       file=file, sheet=sheet, rows=keys.rows[order], lines=keys.lines[order], column=column,
                       values=values, message=message, hint=rule.hint)  # type: ignore[attr-defined]

