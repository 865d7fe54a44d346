"""Whole rows and event participations repeated in a file (HS304, HS317).

A row identical to an earlier one is found by hashing whole rows, pivoting on the file's first
identifier column where it has one, so that no set of every row's hash is kept
(``first_identical``: computed once per chunk, asked by both rules). A marketing event
participation is the row's contact and one event column's timestamp; a repeat that is a
whole-row repeat is left to HS304 where HS304 reports the file's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
from pandas.core.util.hashing import combine_hash_arrays

from validator.catalog import Catalog
from validator.checks._facts import arrow_column, column_bytes
from validator.checks.base import CatalogRule, Hit, quote
from validator.checks.identity_emails import CONTACTS
from validator.checks.multiobject import record_objects
from validator.checks.rows import empty_rows
from validator.checks.typed import cached
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.keys import (
    FirstRows,
    KeySet,
    cell_keys,
    first_seen,
    hashes,
    id_kind,
    key_batch,
    normaliser,
    row_hashes,
)
from validator.readers.base import Chunk


class DuplicateParticipation(CatalogRule):
    """A marketing event participation is in more than one row: the same contact and timestamp
    in one event column.

    Why: each `EVENT_TIMESTAMP` cell of a participants import records that the row's contact
    took part in the event (`marketingEventSubmissionType`: REGISTERED, JOINED, ...) at that time
    (fact sheet 1.2, 1.4, [V] S5). Another row giving the same contact the same timestamp in that
    column records the same participation again: HubSpot's DUPLICATE_EVENT is, by its name, this
    repeat ([I]: its meaning is not documented), hence a warning. Contacts are compared by the
    file's first contact identifier column (email without regard to case, or Record ID),
    timestamps as written, trimmed; a contact's other participations (another type, another
    time) are not repeats. A row identical to an earlier row, cell for cell, is HS304's
    (duplicate-row) alone where HS304 reports the file: its participations are that row's again,
    HubSpot names such a row DUPLICATE_ROW_CONTENT, and one finding says it (deleting the row is
    the fix). Where HS304 does not (not selected, or turned off for the file by
    `per-file-ignores`), this rule names that row's repeated participations too: turning off
    one rule must not hide what another finds. A row that repeats a participation and differs
    elsewhere is this rule's.
    Example: `ann@x.com` registered at `2024-03-01 10:00` in rows 2 and 9.
    Fix: delete the repeated participation, or correct the contact or the time of one of them.
    """

    code = "HS317"
    name = "duplicate-participation"
    severity = Severity.WARNING
    hubspot_error = "DUPLICATE_EVENT"

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self._reset()

    def _reset(self) -> None:
        self.contact: Column | None = None
        self.events: list[tuple[Column, KeySet]] = []
        self.copies_reported = True  # HS304 reports the file's whole-row repeats: they are its alone

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self._reset()
        events = file.mapped("EVENT_TIMESTAMP")
        self.contact = next((c for c in file.columns if c.spec is not None and c.spec.object_type_id == CONTACTS
                             and id_kind(c.spec, self.catalog) is not None), None)
        if self.contact is not None:
            self.events = [(c, KeySet()) for c in events]
        self.copies_reported = file.reports(DuplicateRow.code)
        yield from ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if self.contact is None or not self.events:
            return
        spec = self.contact.spec
        prop = spec.property_name if spec is not None else None
        pos, keys = cell_keys(chunk, self.contact, prop)
        who = np.zeros(len(chunk), np.uint64)
        has = np.zeros(len(chunk), bool)
        who[pos], has[pos] = keys, True
        names = chunk.column(self.contact.index).to_numpy()
        copy = np.zeros(len(chunk), bool)
        if self.copies_reported:  # (then asked of every chunk: it keeps state)
            filled, twin = first_identical(chunk, file, self.catalog)
            copy[filled] = twin != chunk.rows[filled]  # a whole-row repeat: HS304's
        for column, seen in self.events:
            times = chunk.column(column.index).str.strip()
            at = np.flatnonzero(has & (times != "").to_numpy(dtype=bool))
            if not len(at):
                continue
            pair = combine_hash_arrays(iter([who[at], hashes(times.iloc[at])]), 2)
            first = seen.add(np.asarray(pair, dtype=np.uint64), chunk.rows[at])
            dup = (first != chunk.rows[at]) & ~copy[at]
            if dup.any():
                kind = str((column.spec.raw.get("marketingEventSubmissionType") if column.spec else None) or "")
                # keyed by the contact and timestamp as compared, whichever of the rows comes later
                contacts = normaliser(prop)(chunk.column(self.contact.index).iloc[at[dup]])
                keys = np.array([f"{c} {t}" for c, t in zip(contacts, times.iloc[at[dup]], strict=True)], dtype=object)
                yield key_batch(self, chunk, file, column, at[dup], first[dup], _participation(kind),
                                shown=names[at[dup]], keys=keys)

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        self._reset()
        yield from ()


def _participation(kind: str) -> Callable[[str, int], str]:
    what = f" ({kind})" if kind else ""
    return lambda contact, row: (f"participation{what} of {quote(contact)} at this time repeats row {row}: "
                                 "the same contact, event column and timestamp")


class DuplicateRow(CatalogRule):
    """A row is identical to an earlier row.

    Why: HubSpot reports DUPLICATE_ROW_CONTENT for the repeat, or imports the same record twice
    when the row has no identifier. Usually a file was concatenated or exported twice.
    Example: row 12 repeats row 3 cell for cell.
    Fix: delete the repeated row.
    """

    code = "HS304"
    name = "duplicate-row"
    severity = Severity.WARNING
    hubspot_error = "DUPLICATE_ROW_CONTENT"
    hashes_rows = True

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        pos, first = first_identical(chunk, file, self.catalog)
        dup = first != chunk.rows[pos]
        if dup.any():
            yield key_batch(self, chunk, file, file.columns[0], pos[dup], first[dup],
                            lambda _v, row: f"row is identical to row {row}", whole_row=True)


_ROWS = (-1, "rows")  # the file's key-set slot of its whole-row hashes (``first_identical``)


def first_identical(chunk: Chunk, file: FileContext, catalog: Catalog) -> tuple[np.ndarray, np.ndarray]:
    """(positions of the chunk's non-blank rows, the first row of the file identical to each: its
    own row where none is). HS304's finding, which HS317 asks too: computed once per chunk, its
    state kept in the file's key sets (so it goes at the file's end); chunks must be asked for in
    file order, every one of them."""
    def make() -> tuple[np.ndarray, np.ndarray]:
        if not len(chunk) or not file.columns:
            return np.empty(0, np.intp), np.empty(0, np.int64)
        state = file.key_sets.get(_ROWS)
        if state is None:
            state = file.key_sets[_ROWS] = _RowRepeats(file, catalog)
        return state.first(chunk, file)
    return cached(chunk, ("first-identical",), make)


def _as_read(chunk: Chunk, i: int) -> list[pa.Array]:
    """Column ``i``'s cells as the file's bytes, for rows written out as records: the reader hashed
    the records' own bytes, a byte that is not UTF-8 as it is (a lone surrogate of a cell stored
    in Python is that byte, as read: ``surrogateescape``), the bytes of the cells elsewhere."""
    values = chunk.column(i)
    if arrow_column(values) is not None:
        return column_bytes(chunk, i)
    out = []
    for v in values.to_numpy(dtype=object):
        try:
            out.append(v.encode("utf-8", "surrogateescape") if isinstance(v, str) else b"")
        except UnicodeEncodeError:  # (a surrogate no byte was read as: its bytes as elsewhere)
            out.append(v.encode("utf-8", "surrogatepass"))
    return [pa.array(out, pa.large_binary())]


class _RowRepeats:
    """The whole-row hashes of one file seen so far, kept as little as ``first`` needs."""

    def __init__(self, file: FileContext, catalog: Catalog):
        self.seen = KeySet()  # row hashes of the rows without a pivot key (every row, without a pivot)
        self.repeats = KeySet()  # row hashes of the rows whose pivot key an earlier row had
        self.firsts = FirstRows()  # the row hash of each pivot key's first row
        self.written: bool | None = None  # rows hashed as written records (None: not decided yet)
        # The pivot: the file's first identifier column (the duplicate rules key it anyway, so
        # its keys come at no cost). Identical rows have the same key there, so a row whose key
        # is new repeats no row, and one whose key is not is compared with that key's first
        # row, then with the other rows whose key was not new: no set of every row's hash is needed.
        self.pivot: tuple[Column, str | None] | None = None
        if len(record_objects(file.spec)) == 1:  # (a label column's 'from' object aside)
            for c in file.columns:
                if c.spec is not None and id_kind(c.spec, catalog) is not None:
                    self.pivot = (c, c.spec.property_name)
                    break

    def first(self, chunk: Chunk, file: FileContext) -> tuple[np.ndarray, np.ndarray]:
        keep = np.ones(len(chunk), bool)
        keep[empty_rows(chunk)] = False  # blank rows are the blank-row rule's
        pos = np.flatnonzero(keep)
        keys = self._hashes(chunk, file)[pos] if len(pos) else np.empty(0, np.uint64)
        rows = chunk.rows[pos]
        first = self.seen.add(keys, rows) if self.pivot is None else self._first_rows(chunk, file, pos, keys, rows)
        return pos, first

    def _hashes(self, chunk: Chunk, file: FileContext) -> np.ndarray:
        """Each row's hash, one way for every row of a file: of the row written as a CSV record
        with the file's delimiter (``row_hashes``: the fast reader hashed most of them) where the
        file's first chunk came with the reader's hashes (this run hashes the fast way); else of
        the cells, hashed one by one and combined (the fast hash's, or pandas' in a run that
        hashes with pandas)."""
        if self.written is None:
            self.written = chunk.record_hashes is not None

        def cells(i: int) -> list[pa.Array]:
            return column_bytes(chunk, i)
        if self.written:
            return row_hashes(chunk, file.notes.delimiter, lambda i: _as_read(chunk, i))
        return hashes(chunk.frame, cells, chunk.empty_columns)

    def _first_rows(self, chunk: Chunk, file: FileContext, pos: np.ndarray, keys: np.ndarray,
                    rows: np.ndarray) -> np.ndarray:
        """Per row at ``pos`` (hashes ``keys``, rows ``rows``), the first row identical to it."""
        assert self.pivot is not None
        at, key_first = first_seen(chunk, file, *self.pivot)
        where = np.searchsorted(pos, at)  # the keyed rows among ``pos`` (an empty row is not there)
        inside = where < len(pos)
        inside[inside] = pos[where[inside]] == at[inside]
        where, key_first = where[inside], key_first[inside]
        first = np.empty(len(pos), np.int64)
        new = key_first == rows[where]
        self.firsts.append(rows[where[new]], keys[where[new]])
        first[where[new]] = rows[where[new]]
        again, again_first = where[~new], key_first[~new]
        found, first_keys = self.firsts.find(again_first)  # not found: the key's first row was empty
        same = found & (first_keys == keys[again])
        first[again[same]] = again_first[same]
        other = again[~same]
        first[other] = self.repeats.add(keys[other], rows[other])
        unkeyed = np.ones(len(pos), bool)
        unkeyed[where] = False
        first[unkeyed] = self.seen.add(keys[unkeyed], rows[unkeyed])
        return first
