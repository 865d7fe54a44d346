"""Hashing keys and rows to 64-bit integers: with pandas' hash, or, for imports large enough
that it pays (``hashing(fast=True)``, chosen by the engine), with a hash of the UTF-8 bytes about
four times faster per cell: XXH64 by the native kernel (``validator.native``) where it was built,
else polars' hash (polars is then imported on a thread of its own as the run starts, and never
used in a process forked after it was loaded). Whole rows are hashed as the CSV record they write
(``row_hashes``, ``record_hasher`` for the fast CSV reader). One run hashes every key one way.
"""

from __future__ import annotations

import contextvars
import functools
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.core.util.hashing import combine_hash_arrays

from validator import native
from validator.readers.base import Chunk, RecordHasher
from validator.readers.text import bytes_and_offsets
from validator.readers.written import written_rows_at


def hashes(values: pd.Series | pd.DataFrame,
           cell_bytes: Callable[[int], list[pa.Array]] | None = None,
           empty: frozenset[int] = frozenset()) -> np.ndarray:
    """64-bit hash of each cell (Series) or row (DataFrame: pandas' combination of the column
    hashes). Cells holding undecodable bytes (lone surrogates, in Python-stored columns) are
    hashed as their UTF-8 bytes with the surrogates passed through: any other cell hashes the
    same whichever chunk it is in. ``cell_bytes(i)``, where given, has those bytes of column
    ``i`` at hand (``checks._facts.column_bytes``). The columns ``empty`` (every cell ``""``:
    ``Chunk.empty_columns``) take the hash of ``""`` without a look (a wide export's hundreds)."""
    if isinstance(values, pd.Series):
        return _hash_column(values)
    if values.shape[1] == 0:
        return pd.util.hash_pandas_object(values, index=False).to_numpy(dtype=np.uint64)
    fast = _fast()
    blank = _hash_column(pd.Series([""], dtype="str"))[:1] if empty else None  # as an empty cell's own

    def column(i: int) -> np.ndarray:
        if blank is not None and i in empty:
            return np.repeat(blank, len(values))
        if fast is not None and cell_bytes is not None:  # the bytes at hand: no Series needed
            return fast(cell_bytes(i))
        return _hash_column(values.iloc[:, i], cell_bytes, i)
    columns = (column(i) for i in range(values.shape[1]))
    return np.asarray(combine_hash_arrays(columns, values.shape[1]), dtype=np.uint64)


Hasher = Callable[[list[pa.Array]], np.ndarray]  # 64-bit hash of each value of Arrow string or binary pieces


def _polars_hash(polars: Any, pieces: list[pa.Array]) -> np.ndarray:
    """polars' hash of the bytes of each cell, given as Arrow string or binary arrays."""
    data = pa.chunked_array([a.cast(pa.binary_view()) for a in pieces], pa.binary_view())
    return np.asarray(polars.from_arrow(data).hash(seed=_SEED).to_numpy(), dtype=np.uint64)


def _native_hash(pieces: list[pa.Array]) -> np.ndarray:
    """XXH64 (seeded) of the bytes of each cell, given as Arrow string or binary arrays, by the
    native kernel, from the arrays' buffers (views, which keep short values inline, as binary
    first)."""
    pieces = [p.cast(pa.large_binary()) if pa.types.is_binary_view(p.type) or pa.types.is_string_view(p.type)
              else p for p in pieces]
    out = np.empty(sum(len(p) for p in pieces), np.uint64)
    for piece, (data, offsets, part) in zip(pieces, native.buffers(pieces), strict=True):
        native.kernels.hash_values(data, offsets, out[part], _SEED)
        if piece.null_count:  # (a missing value is not the empty one)
            out[part][np.asarray(piece.is_null())] = _NULL
    return out


# -- whole rows -------------------------------------------------------------------------------
# With polars, a row is hashed as one byte string: the row written as a CSV record
# (``readers.written``). The fast CSV reader hashes its rows so on its parser thread; the rows
# of other readers are written and hashed here.


def record_hasher() -> RecordHasher | None:
    """The run's fast hash of each value of Arrow binary or string pieces, where this run hashes
    so (for the reader's parser thread, which does not see the run's context); else None. With
    polars, the hasher waits for polars' import at its first call, not here (the file is opened
    and its first records read meanwhile), and gives None where polars could not be loaded."""
    value = _FAST.get()
    if not isinstance(value, _Loading):
        return value

    def hasher(pieces: list[pa.Array]) -> np.ndarray | None:
        fast = value.hasher()
        return None if fast is None else fast(pieces)
    return hasher


def row_hashes(chunk: Chunk, delimiter: str, cell_bytes: Callable[[int], list[pa.Array]]) -> np.ndarray:
    """The run's fast hash of each frame row written as a CSV record with ``delimiter``: the
    reader's, where it gave one (``Chunk.record_hashes``), else of the row written from
    ``cell_bytes(i)`` (column ``i``'s cells as Arrow string or binary pieces; at least one column)."""
    fast = _fast()
    assert fast is not None, "row hashes are the fast hash's (hashing(fast=True))"
    n, width = chunk.frame.shape
    out = np.empty(n, np.uint64)
    given = chunk.record_hashes
    rest = np.arange(n)
    if given is not None:
        out[:] = given[0]
        rest = np.flatnonzero(~given[1])
    if len(rest):
        columns = [cell_bytes(i) for i in range(width)]
        for part in _batches(columns, rest):  # (written out and hashed a batch at a time)
            out[part] = fast(written_rows_at(columns, part, delimiter).chunks)
    return out


# the bytes of rows written out at once to be hashed (``row_hashes``): a chunk of long rows (1,024
# rows of 1 MB) is not written whole, its copy and polars' beside the chunk itself
ROW_BATCH_BYTES = 16 << 20


def _batches(columns: list[list[pa.Array]], at: np.ndarray) -> list[np.ndarray]:
    """The rows ``at`` (sorted positions) in consecutive batches, each of the rows whose cells end
    within the same ``ROW_BATCH_BYTES`` of all their bytes counted from the first (a batch holds
    at most that many bytes and one row); one batch where the columns hold no more in all."""
    if sum(p.nbytes for pieces in columns for p in pieces) <= ROW_BATCH_BYTES:
        return [at]
    sizes = np.zeros(sum(len(p) for p in columns[0]), np.int64)
    for pieces in columns:
        sizes += np.concatenate([np.diff(bytes_and_offsets(p)[1]) for p in pieces])
    batch = np.cumsum(sizes[at]) // ROW_BATCH_BYTES  # (a row opens batch k where the bytes up to it pass k budgets)
    cuts = np.flatnonzero(np.diff(batch)) + 1
    return np.split(at, cuts)


_FAST: contextvars.ContextVar[Any] = contextvars.ContextVar("fast_hash", default=None)
_SEED = 0x5EED
_NULL = np.uint64(0x9E3779B97F4A7C15)  # the native hash of a missing value (a null of Arrow)


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

    def hasher(self) -> Hasher | None:
        """polars' hash (waiting for its import), or None where polars could not be loaded."""
        polars = self.module()
        return None if polars is None else functools.partial(_polars_hash, polars)


def _fast() -> Hasher | None:
    """This run's fast hash (polars' waiting for its import), else None (pandas hashes)."""
    value = _FAST.get()
    return value.hasher() if isinstance(value, _Loading) else value


@contextmanager
def hashing(fast: bool) -> Iterator[None]:
    """Hash the keys of this run fast (the native kernel's XXH64, else polars') or with pandas;
    every key of a run one way."""
    loading = _Loading() if fast and native.kernels is None else None
    token = _FAST.set(_native_hash if fast and native.kernels is not None else loading)
    try:
        yield
    finally:
        _FAST.reset(token)
        if loading is not None:
            loading.module()  # no import left running after the run


def _arrow_stored(values: pd.Series) -> bool:
    return isinstance(getattr(values.array, "_pa_array", None), pa.ChunkedArray)


def _utf8(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """The cells' UTF-8 bytes for the fast hash: Arrow-stored cells as they are (without a copy),
    others encoded; the bytes, and so the hashes, are the same either way."""
    data = getattr(values.array, "_pa_array", None)
    if isinstance(data, pa.ChunkedArray) and not data.null_count and (
            pa.types.is_large_string(data.type) or pa.types.is_string(data.type)):
        return data
    return pa.array([v.encode("utf-8", "surrogatepass") if isinstance(v, str) else b""
                     for v in values.to_numpy(dtype=object)], pa.binary())


def _hash_column(values: pd.Series, cell_bytes: Callable[[int], list[pa.Array]] | None = None,
                 index: int = 0) -> np.ndarray:
    fast = _fast()
    if fast is not None:
        if cell_bytes is not None and not _arrow_stored(values):
            return fast(cell_bytes(index))
        data = _utf8(values)
        return fast(data.chunks if isinstance(data, pa.ChunkedArray) else [data])
    try:
        return pd.util.hash_pandas_object(values, index=False).to_numpy(dtype=np.uint64)
    except UnicodeEncodeError:  # only a column with undecodable bytes: its cells in Python
        raw = np.empty(len(values), dtype=object)
        raw[:] = [v.encode("utf-8", "surrogatepass") if isinstance(v, str) else v
                  for v in values.to_numpy(dtype=object)]
        return np.asarray(pd.util.hash_array(raw), dtype=np.uint64)
