"""A chunk's cells as keys, computed once per chunk, column and way of comparing however many
rules ask: the keys of whole cells (``cell_keys``), of the parts of list cells split at ``;``
(``part_keys``, ``repeated_parts``; addresses not split inside double quotes: ``split_list``,
``split_quoted``), and the row where each cell's key was first seen in the file (``first_seen``,
on the file's shared KeySet).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from validator import native
from validator.checks._facts import column_bytes, surrogate_rows
from validator.checks.typed import cached, cells
from validator.context import Column, FileContext
from validator.keys import hashers
from validator.keys.columns import RECORD_ID, normaliser
from validator.keys.hashers import hashes
from validator.keys.sets import KeySet
from validator.readers.base import PY_STR, STR, Chunk


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
    chunk, column and way of comparing (several rules key the same column). In a column stored
    in Python (a cell of it holds an undecodable byte), the cells without one are keyed in Arrow
    from their bytes, as they are in a chunk where no cell holds one (``_keys_split``)."""
    def make() -> tuple[np.ndarray, np.ndarray]:
        values = chunk.column(column.index)
        if getattr(values.dtype, "storage", None) == "python":
            split = _keys_split(chunk, column, prop, values)
            if split is not None:
                return split
        else:
            made = _native_keys(values, prop)
            if made is not None:
                return made
        norm = normaliser(prop)(values)
        mask = (norm != "").to_numpy(dtype=bool)
        pos = np.flatnonzero(mask)
        return pos, hashes(norm)[pos] if len(pos) < len(mask) else hashes(norm)
    return cached(chunk, ("cell-keys", column.index, _comparison(prop)), make)


# the ways of comparing the native kernel keys (``_native_keys``): whether it lower-cases
_NATIVE_WAYS = {"email": True, "text": False}


def _native_keys(values: pd.Series, prop: str | None) -> tuple[np.ndarray, np.ndarray] | None:
    """``cell_keys`` of a column stored in Arrow by the native kernel, where this run hashes with
    it and the column is compared as an email (trimmed, lower-cased) or as text (trimmed): each
    cell trimmed, lower-cased and hashed in one pass over the column's buffers. The cells it
    leaves undecided (a non-ASCII character at an end, where a Unicode space may be; one anywhere
    in an email, where Unicode's case mapping applies) are keyed by Arrow's calls, as ``normaliser``
    keys a column stored in Arrow, to the same hashes: the kernel hashes the key's bytes as the
    run's hash does. None: not a case for it."""
    lower = _NATIVE_WAYS.get(_comparison(prop))
    if lower is None or native.kernels is None or hashers._fast() is not hashers._native_hash:
        return None
    data = getattr(values.array, "_pa_array", None)
    if not isinstance(data, pa.ChunkedArray) or data.null_count or not (
            pa.types.is_string(data.type) or pa.types.is_large_string(data.type)):
        return None
    keys = np.empty(len(values), np.uint64)
    state = np.empty(len(values), np.uint8)  # 0 blank, 1 keyed, 2 undecided
    for raw, offsets, part in native.buffers(data):
        native.kernels.key_values(raw, offsets, lower, hashers._SEED, keys[part], state[part])
    odd = np.flatnonzero(state == 2)
    if len(odd):  # (Arrow's calls, as ``normaliser``'s on a column stored in Arrow, without pandas)
        norm = pc.utf8_trim_whitespace(data.take(pa.array(odd)))
        if lower:
            norm = pc.utf8_lower(norm)
        state[odd] = np.asarray(pc.not_equal(pc.binary_length(norm), 0))
        keys[odd] = hashers._native_hash(norm.chunks)
    pos = np.flatnonzero(state == 1)
    return pos, keys[pos] if len(pos) < len(keys) else keys


def _keys_split(chunk: Chunk, column: Column, prop: str | None,
                values: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """``cell_keys`` of a column stored in Python: the cells holding an undecodable byte (a lone
    surrogate) normalised and hashed in Python, the others in Arrow from their UTF-8 bytes
    (``column_bytes``), as those of a column stored in Arrow are. A key of either kind never
    equals one of the other (a surrogate stays in its key), and each cell is keyed the same
    whichever chunk it is in: a Windows-1252 file's email column (one address in twenty with an
    accented letter) was keyed cell by cell in Python (0.82 s of CPU for 1,048,576 rows; 0.42 s
    now, 4.2 ms of a chunk's 14 ms the few cells in Python). None where there is nothing to
    split (every cell holds such a byte)."""
    odd = surrogate_rows(chunk, column.index)
    if odd.all() or len(odd) != len(values):
        return None
    pieces = column_bytes(chunk, column.index)
    clean = np.flatnonzero(~odd)
    try:
        text = pa.chunked_array(pieces).take(pa.array(clean)).cast(pa.large_string())
    except pa.ArrowInvalid:  # (not UTF-8 after all: keyed as before)
        return None
    at_odd = np.flatnonzero(odd)
    filled, keys = _keys_at(len(values), [(clean, pd.Series(text, dtype=STR, copy=False)),
                                          (at_odd, values.iloc[at_odd])], prop)
    pos = np.flatnonzero(filled)
    return pos, keys[pos]


def _keys_at(n: int, parts: list[tuple[np.ndarray, pd.Series]], prop: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(non-blank, key hash) of ``n`` texts given in ``parts``: (their positions, the texts there),
    each part normalised as ``prop`` compares (``normaliser``) and hashed on its own."""
    filled = np.zeros(n, bool)
    keys = np.zeros(n, np.uint64)
    for at, texts in parts:
        if len(at):
            norm = normaliser(prop)(texts)
            filled[at] = (norm != "").to_numpy(dtype=bool)
            keys[at] = hashes(norm)
    return filled, keys


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
        filled_parts, all_keys = _keyed(raw, _odd_parts(chunk, column, at, raw), prop)
        keep = np.flatnonzero(filled_parts)
        at, keys, shown = at[keep], all_keys[keep], np.asarray(raw, dtype=object)[keep]
        order = np.lexsort((keys, at))  # stable: of a key repeated in one cell, its first part first
        first = np.ones(len(order), bool)
        first[1:] = (at[order][1:] != at[order][:-1]) | (keys[order][1:] != keys[order][:-1])
        once = np.empty(len(order), bool)
        once[order] = first
        return at, keys, shown, once
    return cached(chunk, ("split-parts", column.index, _comparison(prop), separator), make)


def _odd_parts(chunk: Chunk, column: Column, at: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """Which ``parts`` (of the cells ``at``) hold an undecodable byte, a lone surrogate: looked
    for only in the parts of cells holding one (none where the column is stored in Arrow)."""
    odd = np.zeros(len(parts), bool)
    if getattr(chunk.column(column.index).dtype, "storage", None) == "python" and len(at):
        for i in np.flatnonzero(surrogate_rows(chunk, column.index)[at]).tolist():
            odd[i] = _SURROGATE.search(parts[i]) is not None
    return odd


_SURROGATE = re.compile("[\udc80-\udcff]")


def _keyed(texts: np.ndarray, odd: np.ndarray, prop: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(non-blank, key hash) of each of ``texts`` compared as ``prop`` is: those holding an
    undecodable byte (``odd``) normalised in Python, the others in Arrow, as ``cell_keys`` keys
    the cells of a column."""
    objects = np.asarray(texts, dtype=object)
    clean, at_odd = np.flatnonzero(~odd), np.flatnonzero(odd)
    return _keys_at(len(objects), [(clean, pd.Series(objects[clean], dtype=STR)),
                                   (at_odd, pd.Series(objects[at_odd], dtype=PY_STR))], prop)


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
