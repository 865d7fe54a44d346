"""Identity rules (HS301-HS309, HS317, HS350-HS352): repeated identifiers, malformed Record IDs,
alternate ids that are not unique, and import operations against the identifiers present.

Duplicates are found across the whole file: each rule keeps a KeySet per column (64-bit key
hash and first-seen row per distinct value), so memory follows the number of distinct keys.
Files holding several objects are skipped by the duplicate rules: there a repeated company
domain is how several contact rows name the same company (fact sheet 1.4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
from pandas.core.util.hashing import combine_hash_arrays

from validator.catalog import Catalog
from validator.checks._facts import column_bytes, exactly, fullmatch, rows_with
from validator.checks.base import CatalogRule, Hit, Rule, quote
from validator.checks.multiobject import record_objects
from validator.checks.rows import empty_rows
from validator.checks.typed import VALUE_COLUMN_TYPES, cached
from validator.context import Column, FileContext, ImportContext
from validator.findings import Severity
from validator.keys import (
    RECORD_ID,
    FirstRows,
    KeySet,
    cell_keys,
    first_seen,
    hashes,
    id_kind,
    key_batch,
    part_keys,
    row_hashes,
    shared_set,
)
from validator.readers.base import Chunk
from validator.request import ColumnSpec

POSITIVE_INT = r"\s*0*[1-9][0-9]*\s*"
ID_LIST = rf"{POSITIVE_INT}(?:;{POSITIVE_INT})+"


class _Duplicates(CatalogRule):
    """Shared machinery: the columns of one id kind, one KeySet each, reset per file."""

    kinds: tuple[str, ...] = ()
    what = "value"

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.sets: dict[int, tuple[Column, str | None]] = {}

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.sets = {}
        objects = record_objects(file.spec)
        if len(objects) == 1:  # (a label column's 'from' object aside)
            for c in file.columns:
                # a line item's parent deal, named by its Record ID, repeats for each of its line items
                if (c.spec is not None and c.spec.object_type_id == objects[0]
                        and id_kind(c.spec, self.catalog) in self.kinds and self.keyed(file, c)):
                    self.sets[c.index] = (c, c.spec.property_name)
        yield from ()

    def keyed(self, file: FileContext, column: Column) -> bool:
        return True

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.sets.values():
            pos, first = first_seen(chunk, file, column, prop)
            dup = first != chunk.rows[pos]
            if dup.any():
                yield key_batch(self, chunk, file, column, pos[dup], first[dup], _repeats(self.describe(column)),
                                hubspot_error=self.error_type(column))

    def error_type(self, column: Column) -> str | None:
        """The errorType of the column's repeats (None: the rule's)."""
        return None

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        self.sets = {}
        yield from ()

    def describe(self, column: Column) -> str:
        spec = column.spec
        return f"{self.what} ({spec.property_name})" if spec and spec.property_name else self.what


def _repeats(label: str) -> Callable[[str, int], str]:
    return lambda value, row: f"{label} {quote(value)} repeats row {row}"


class DuplicateAlternateId(_Duplicates):
    """The same email, domain or other alternate identifier is in more than one row.

    Why: HubSpot matches rows to records by their identifier; two rows with one email (compared
    without regard to case, as HubSpot compares addresses) or one company domain (compared as the
    host HubSpot keeps) update the same record twice, or fail with DUPLICATE_ALTERNATE_ID (or,
    where both rows would create a record, perhaps DUPLICATE_UNIQUE_CREATION_KEY: see HS302). The
    finding names the row where the value was first seen.
    Companies deduplicated by Record ID or a unique property may share a domain, so domains are
    not compared when the file has such a column (KB "Set up your import file"); HS309 warns
    of the companies that will then share one.
    Example: `Ann@Example.com` in row 2 and `ann@example.com` in row 9 of a contacts file.
    Fix: merge the two rows into one, or correct the identifier of one of them.
    """

    code = "HS301"
    name = "duplicate-alternate-id"
    hubspot_error = "DUPLICATE_ALTERNATE_ID"
    kinds = ("alternate",)
    what = "identifier"

    def keyed(self, file: FileContext, column: Column) -> bool:
        # Companies deduplicated by Record ID or a unique property may share a domain ([V] S6)
        spec = column.spec
        if spec is None or spec.object_type_id != "0-2" or spec.property_name != "domain":
            return True
        return not any(c.spec is not None and c is not column and _dedupes(c.spec, self.catalog)
                       for c in file.columns)


class DomainSharedByCompanies(_Duplicates):
    """A company domain repeats in a file whose companies are deduplicated by Record ID or a
    unique property.

    Why: companies deduplicated by Record ID or a unique property need not have unique domains
    (fact sheet 4.2, [V] S6), so HubSpot imports both rows and creates several companies with
    one domain (fact sheet 9, cause 23). HS301 does not call
    these duplicates; this warning says so, naming the row where the domain was first seen.
    A row whose deduplicating value is also that row's is the same company again (HS301,
    HS302 or HS303 report the repeat), not another one.
    Example: `ERP ID` E1 with `acme.example` in row 2, and E2 with `www.acme.example` in row 9.
    Fix: give each company its own domain, merge the rows, or keep them where several
    companies (branches, subsidiaries) are meant to share the domain.
    """

    code = "HS309"
    name = "domain-shared-by-companies"
    severity = Severity.WARNING
    kinds = ("alternate",)
    what = "domain"

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.by: list[Column] = []  # the columns companies are deduplicated by instead

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.by = [c for c in file.columns if c.spec is not None and _dedupes(c.spec, self.catalog)]
        yield from super().on_header(file)

    def keyed(self, file: FileContext, column: Column) -> bool:
        spec = column.spec
        return (spec is not None and spec.object_type_id == "0-2" and spec.property_name == "domain"
                and bool(self.by))  # (HS301 keys the domain where no column dedupes companies)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.sets.values():
            pos, first = first_seen(chunk, file, column, prop)
            dup = first != chunk.rows[pos]
            for c in self.by:  # the same company again: its deduplicating value first seen in that row too
                at, key_first = first_seen(chunk, file, c, c.spec.property_name if c.spec else None)
                again = np.full(len(chunk), -1, np.int64)
                again[at] = key_first
                dup &= again[pos] != first
            if dup.any():
                yield key_batch(self, chunk, file, column, pos[dup], first[dup], _shared(self.by[0]))


def _shared(by: Column) -> Callable[[str, int], str]:
    label = quote(by.label or "")
    return lambda value, row: (f"domain {quote(value)} repeats row {row}: companies are deduplicated by {label} "
                               "here, not by domain, so HubSpot keeps two companies with this domain")


def _dedupes(spec: ColumnSpec, catalog: Catalog) -> bool:
    """A column companies are deduplicated by instead of their domain: the Record ID, a unique
    property, or another identifier mapped as HUBSPOT_ALTERNATE_ID (how a unique custom
    property is mapped, fact sheet 1.4)."""
    kind = id_kind(spec, catalog)
    return kind in ("record", "unique") or (kind == "alternate" and spec.property_name != "domain")


class DuplicateUniqueValue(_Duplicates):
    """A value of a unique property (hasUniqueValue) is in more than one row.

    Why: a property with hasUniqueValue holds each value on one record only; the second row
    fails with DUPLICATE_UNIQUE_PROPERTY_VALUE. Where both rows create a record (the object's
    import operation is CREATE), the finding says DUPLICATE_UNIQUE_CREATION_KEY instead: an
    errorType of HubSpot's newer SDK whose meaning, two rows that would create records with the
    same unique value within one import, is read from its name (fact sheet 2.2, [I]). It names
    the row where the value was first seen.
    Example: a custom unique `member_id` of `A-100` in rows 2 and 40.
    Fix: give each record its own value, or merge the rows.
    """

    code = "HS302"
    name = "duplicate-unique-value"
    hubspot_error = "DUPLICATE_UNIQUE_PROPERTY_VALUE"
    kinds = ("unique",)
    what = "unique value"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        self.operation = ctx.spec.operation
        yield from super().on_import(ctx)

    def error_type(self, column: Column) -> str | None:
        obj = column.spec.object_type_id if column.spec is not None else None
        return "DUPLICATE_UNIQUE_CREATION_KEY" if obj is not None and self.operation(obj) == "CREATE" else None


class DuplicateRecordId(_Duplicates):
    """The same Record ID (hs_object_id) is in more than one row.

    Why: a Record ID names one existing record; two rows with it update the same record twice,
    the later silently overwriting the earlier (DUPLICATE_OBJECT_ID, also reported as
    DUPLICATE_RECORD_ID). The finding names the row where the id was first seen.
    Example: Record ID `5101` in row 17 and again in row 100,017.
    Fix: merge the rows, or correct the id of one of them.
    """

    code = "HS303"
    name = "duplicate-record-id"
    hubspot_error = "DUPLICATE_OBJECT_ID"
    kinds = ("record",)
    what = "Record ID"

    def describe(self, column: Column) -> str:
        return self.what


class EmailIsAdditionalEmail(CatalogRule):
    """A contact's email is another row's additional email (`hs_additional_emails`).

    Why: HubSpot keeps an address on one contact: a new contact's email may not be an existing
    contact's additional email (fact sheet 4.2, [V] S6), and an additional email that is another
    contact's email cannot be saved (SECONDARY_EMAIL_WRITE_FAILURE). Two rows of one import that
    share an address this way conflict once either is imported; that the other then fails is
    our inference from the rule for existing records, hence a warning. Emails are compared
    without regard to case, additional emails split at `;` (not inside a quoted local part,
    `"a;b"@x.com`); a contact listing its own email among its additional ones conflicts with no
    other row. Every contacts email column and every Additional emails column of the import
    counts, in one file or across its files (an email in one file, additional emails in
    another). Each pair of rows is reported once, at the later
    row (files in the request's order), naming the other row (and its file, if another one).
    Example: row 2 `ann@x.com` with additional emails `bo@x.com;cy@x.com`, and row 7 `Bo@X.com`.
    Fix: decide which contact owns the address: take it out of the other row's additional
    emails, or merge the two rows into one contact.
    """

    code = "HS308"
    name = "email-is-additional-email"
    severity = Severity.WARNING
    hubspot_error = "SECONDARY_EMAIL_WRITE_FAILURE"

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.active = False  # the import maps both an email and an additional emails column
        self.emails: list[Column] = []
        self.extras: list[Column] = []
        self.listed = KeySet()  # this file's additional emails, with the first row listing each
        # each earlier file's email key sets (shared with the duplicate rules: kept, not copied)
        # and additional emails: memory follows the distinct addresses, never the rows
        self.earlier: list[tuple[str, list[KeySet], KeySet]] = []

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        yield from super().on_import(ctx)
        specs = [c for f in ctx.spec.files for c in f.columns]
        self.active = (any(self._email(c) for c in specs) and any(_additional_emails(c) for c in specs))
        self.earlier = []

    def _email(self, spec: ColumnSpec | None) -> bool:
        return (spec is not None and spec.object_type_id == CONTACTS and spec.property_name == "email"
                and id_kind(spec, self.catalog) == "alternate")

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.listed = KeySet()
        self.emails = [c for c in file.mapped() if self._email(c.spec)] if self.active else []
        self.extras = [c for c in file.mapped() if _additional_emails(c.spec)] if self.active else []
        yield from ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if not self.emails and not self.extras:
            return
        rows = chunk.rows
        for column in self.emails:  # this chunk's emails join the file's sets
            first_seen(chunk, file, column, "email")
        at, keys, shown, which = self._parts(chunk)
        if len(self.extras) > 1:  # in row order (one column's parts already are)
            order = np.argsort(at, kind="stable")
            self.listed.add(keys[order], rows[at[order]])
        else:
            self.listed.add(keys, rows[at])
        sources = [*self.earlier, (None, [shared_set(file, c, "email") for c in self.emails], self.listed)]
        # each pair of rows is reported once, at the later row: an email listed as additional by
        # an earlier row, or an additional email that an earlier row has as its email; the
        # earliest such row is named (an earlier file's before this file's)
        for column in self.emails:
            pos, own = cell_keys(chunk, column, "email")
            left = np.ones(len(pos), bool)
            for name, _sets, listed in sources:
                found, listing = listed.first_rows(own)
                hit = left & found & ((listing < rows[pos]) if name is None else True)
                left &= ~hit
                if hit.any():
                    yield key_batch(self, chunk, file, column, pos[hit], listing[hit],
                                    _conflict("email", "an additional email", name))
        left = np.ones(len(at), bool)
        for name, sets, _listed in sources:
            found, owner = _first_rows(sets, keys)
            hit = left & found & ((owner < rows[at]) if name is None else True)
            left &= ~hit
            for j in np.unique(which[hit]):
                mine = hit & (which == j)
                yield key_batch(self, chunk, file, self.extras[j], at[mine], owner[mine],
                                _conflict("additional email", "the email", name), shown=shown[mine])

    def _parts(self, chunk: Chunk) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(positions, keys, parts as written, index into ``extras``) of the additional emails of
        every additional emails column, column after column, each in row order; without a row's
        own email (in any of the file's email columns)."""
        got = [part_keys(chunk, c, ADDITIONAL_EMAILS) for c in self.extras]
        if not got:
            return np.empty(0, np.intp), np.empty(0, np.uint64), np.empty(0, object), np.empty(0, np.intp)
        at = np.concatenate([g[0] for g in got])
        keys = np.concatenate([g[1] for g in got])
        shown = np.concatenate([g[2] for g in got])
        which = np.repeat(np.arange(len(got)), [len(g[0]) for g in got])
        other = np.ones(len(at), bool)
        for column in self.emails:  # the row's own email among its additional ones
            pos, own_keys = cell_keys(chunk, column, "email")
            own = np.zeros(len(chunk), np.uint64)
            has = np.zeros(len(chunk), bool)
            own[pos], has[pos] = own_keys, True
            other &= ~(has[at] & (own[at] == keys))
        return at[other], keys[other], shown[other], which[other]

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        if self.emails or self.extras:  # kept for the files after this one
            self.earlier.append((file.name, [shared_set(file, c, "email") for c in self.emails], self.listed))
        self.emails, self.extras, self.listed = [], [], KeySet()
        yield from ()


CONTACTS, ADDITIONAL_EMAILS = "0-1", "hs_additional_emails"


def _additional_emails(spec: ColumnSpec | None) -> bool:
    """A column of contacts' additional emails (a value column, not pointing at other records)."""
    return (spec is not None and not spec.ignored and spec.column_type in VALUE_COLUMN_TYPES
            and spec.object_type_id == CONTACTS and spec.property_name == ADDITIONAL_EMAILS
            and spec.to_object_type is None)


def _first_rows(sets: list[KeySet], keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(found mask, the least row where each key was first seen in any of ``sets``)."""
    found = np.zeros(len(keys), bool)
    first = np.zeros(len(keys), np.int64)
    for keyset in sets:
        hit, rows = keyset.first_rows(keys)
        better = hit & (~found | (rows < first))
        first[better] = rows[better]
        found |= hit
    return found, first


def _conflict(what: str, other: str, file: str | None = None) -> Callable[[str, int], str]:
    where = f" of {file}" if file is not None else ""
    return lambda value, row: (f"{what} {quote(value)} is {other} of row {row}{where}: HubSpot keeps an address "
                               "on one contact, so one of the two rows is likely to fail")


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
    (duplicate-row) alone, whether or not HS304 is selected: its participations are that row's
    again, HubSpot names such a row DUPLICATE_ROW_CONTENT, and one finding says it (deleting the
    row is the fix). A row that repeats a participation and differs elsewhere is this rule's.
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

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self._reset()
        events = file.mapped("EVENT_TIMESTAMP")
        self.contact = next((c for c in file.columns if c.spec is not None and c.spec.object_type_id == CONTACTS
                             and id_kind(c.spec, self.catalog) is not None), None)
        if self.contact is not None:
            self.events = [(c, KeySet()) for c in events]
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
        filled, twin = first_identical(chunk, file, self.catalog)  # (asked of every chunk: it keeps state)
        copy = np.zeros(len(chunk), bool)
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
                yield key_batch(self, chunk, file, column, at[dup], first[dup], _participation(kind),
                                shown=names[at[dup]])

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
        file's first chunk came with the reader's hashes (polars hashes this run); else of the
        cells, hashed one by one and combined (polars', or pandas' in a run that hashes with pandas)."""
        if self.written is None:
            self.written = chunk.record_hashes is not None

        def cells(i: int) -> list[pa.Array]:
            return column_bytes(chunk, i)
        if self.written:
            return row_hashes(chunk, file.notes.delimiter, cells)
        return hashes(chunk.frame, cells)

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


def _id_columns(file: FileContext, foreign: bool) -> list[Column]:
    """Columns holding Record IDs: of the row's own record, or (foreign) of associated records."""
    out = []
    for c in file.columns:
        s = c.spec
        if s is None or s.ignored:
            continue
        points = s.to_object_type is not None
        holds_ids = s.column_type == "HUBSPOT_OBJECT_ID" or (
            s.property_name == RECORD_ID and s.column_type not in ("FLEXIBLE_ASSOCIATION_LABEL", "ASSOCIATION_KEYS"))
        if points == foreign and holds_ids:
            out.append(c)
    return out


class InvalidRecordId(Rule):
    """A Record ID is not a positive whole number.

    Why: HubSpot Record IDs (hs_object_id) are positive integers; anything else cannot name a
    record and the row fails with INVALID_RECORD_ID. Spreadsheets often turn ids into `5101.0`
    or `5.1E+03`.
    Example: `5101.0`, `abc`, `-4` or `0` in a Record ID column.
    Fix: format the column as text or a whole number, and export the ids again.
    """

    code = "HS305"
    name = "invalid-record-id"
    hubspot_error = "INVALID_RECORD_ID"
    foreign = False
    what = "Record ID"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column in _id_columns(file, self.foreign):
            cells = chunk.column(column.index)
            bad = (cells.str.strip() != "").to_numpy(dtype=bool) & ~fullmatch(cells, POSITIVE_INT)
            if self.foreign and bad.any():  # a list of ids is HS315's (whether HubSpot takes one is unknown)
                bad &= ~_id_lists(cells, chunk, column.index)
            yield from self.cells(chunk, file, column, bad,
                                  f"{{value}} is not a valid {self.what} (a positive whole number)")


class InvalidObjectId(InvalidRecordId):
    """An associated record's id (a HUBSPOT_OBJECT_ID column pointing to another object) is not a
    positive whole number.

    Why: a column with `columnType: HUBSPOT_OBJECT_ID` and `toColumnObjectTypeId` holds the
    Record IDs of existing records to associate; a value that is not a positive integer fails
    with INVALID_OBJECT_ID and the association is not made.
    Example: a `Company ID` column holding `Acme` or `1234.0`.
    Fix: put the associated record's numeric Record ID in the cell.
    """

    code = "HS306"
    name = "invalid-object-id"
    hubspot_error = "INVALID_OBJECT_ID"
    foreign = True
    what = "object id"


def _id_lists(cells: Any, chunk: Chunk, index: int) -> np.ndarray:
    """Cells that are several positive whole numbers separated by semicolons."""
    return exactly(cells, rows_with(chunk, index, b";"), lambda v: fullmatch(v, ID_LIST))


class SeveralObjectIds(Rule):
    """A cell of associated record ids (a HUBSPOT_OBJECT_ID column pointing to another object)
    holds several ids separated by semicolons.

    Why: HubSpot's exports write a record's associations so (`Associated Company IDs`:
    `10024;10025`), but the import documents semicolon-separated identifiers for same-object
    association columns only (ASSOCIATION_KEYS, fact sheet 5); whether a cross-object id column
    associates each id, or fails the cell with INVALID_OBJECT_ID, is not documented ([GAP]).
    Example: `10024;10025` in a `Company ID` column mapped with `toColumnObjectTypeId` 0-2.
    Fix: one id per cell: repeat the record's row (with its identifier, so the rows update one
    record) for each further associated id, or import the associations in a file of their own.
    """

    code = "HS315"
    name = "several-object-ids"
    severity = Severity.WARNING
    hubspot_error = "INVALID_OBJECT_ID"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column in _id_columns(file, foreign=True):
            cells = chunk.column(column.index)
            yield from self.cells(chunk, file, column, _id_lists(cells, chunk, column.index),
                                  "{value} holds several object ids; HubSpot documents one per cell here "
                                  "(semicolons only for same-object association keys)")


class AlternateIdNotUnique(Rule):
    """A `HUBSPOT_ALTERNATE_ID` column maps a property that is not a unique identifier.

    Why: an alternate id must identify one record: contacts' email, companies' domain,
    products' SKU, or a property with hasUniqueValue. On any other property HubSpot fails the
    rows with INVALID_ALTERNATE_ID or creates duplicates. A property the catalog does not know
    may be a unique custom property: it is left to HS231 (or, where a portal snapshot lists the
    object's properties, HS230).
    Example: `{"columnName": "Name", "propertyName": "firstname", "columnType": "HUBSPOT_ALTERNATE_ID"}`.
    Fix: map the column as `STANDARD`, or use a unique property as the alternate id.
    """

    code = "HS307"
    name = "alternate-id-not-unique"
    hubspot_error = "INVALID_ALTERNATE_ID"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        cat = ctx.catalog
        for f in ctx.spec.files:
            for c in f.columns:
                if c.ignored or c.column_type != "HUBSPOT_ALTERNATE_ID" or not c.property_name:
                    continue
                obj = c.object_type_id
                if obj is None or c.property_name in cat.identifiers(obj):
                    continue
                if cat.property_of(obj, c.property_name) is None:
                    continue  # perhaps a unique custom property: HS231 (or, with a snapshot, HS230) says
                yield self.finding(
                    f"HUBSPOT_ALTERNATE_ID column {quote(c.column_name or '')} maps "
                    f"{c.property_name!r} of {cat.object_label(obj)}, which is not a unique property",
                    file=ctx, pointer=c.at("propertyName"), value=c.property_name)


# -- operations ------------------------------------------------------------------------------

def _identifiers(ctx: ImportContext) -> dict[str, list[tuple[ColumnSpec, str]]]:
    """Per object: the mappings (in any file) that identify its records, with their kind."""
    out: dict[str, list[tuple[ColumnSpec, str]]] = {}
    for f in ctx.spec.files:
        for c in f.columns:
            kind = id_kind(c, ctx.catalog)
            if kind is not None and c.object_type_id is not None:
                out.setdefault(c.object_type_id, []).append((c, kind))
    return out


def _first_mapping(ctx: ImportContext, obj: str) -> ColumnSpec | None:
    return next((c for f in ctx.spec.files for c in f.columns
                 if c.object_type_id == obj and not c.ignored), None)


class UpsertWithoutIdentifier(Rule):
    """An object is imported with UPSERT (the default) but no column identifies its records.

    Why: without a Record ID or alternate id HubSpot cannot find existing records, so every row
    creates a new one, even for records already in the account.
    Example: a contacts file with First Name and Phone but no Email column.
    Fix: add an identifier column to update existing records; ignore this when every row is new.
    """

    code = "HS352"
    name = "upsert-without-identifier"
    severity = Severity.INFO

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        ids = _identifiers(ctx)
        for obj in ctx.spec.objects:
            if ctx.spec.operation(obj) != "UPSERT" or ids.get(obj):
                continue
            if ctx.catalog.identifiers(obj) == ("hs_object_id",):
                continue  # deals, tickets, activities: only a Record ID; new rows are the norm
            pointer = ctx.spec.operation_pointers.get(obj)
            if pointer is None:
                first = _first_mapping(ctx, obj)
                pointer = first.pointer if first else None
            yield self.finding(f"{ctx.catalog.object_label(obj)} has no identifier column: "
                               "every row creates a new record", file=ctx, pointer=pointer)
