"""Repeated identifiers (HS301-HS303, HS309): an email, a domain or another alternate id, a
unique property's value or a Record ID in more than one row of a file.

Duplicates are found across the whole file: each rule keeps a KeySet per column (64-bit key
hash and first-seen row per distinct value), so memory follows the number of distinct keys.
Files holding several objects are skipped by the duplicate rules: there a repeated company
domain is how several contact rows name the same company (fact sheet 1.4); that such rows agree
about the record is HS329's (``multiobject_records``). The other identity
rules live beside this module: ``identity_emails`` (an email that is another contact's
additional email), ``identity_rows`` (identical rows, repeated event participations) and
``identity_ids`` (Record ID cells, alternate id mappings, operations without an identifier).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from validator.catalog import Catalog
from validator.checks._key_forms import unusable
from validator.checks.base import CatalogRule, Hit, quote
from validator.checks.multiobject import record_objects
from validator.context import Column, FileContext, ImportContext
from validator.findings import Severity
from validator.keys import (
    first_seen,
    id_kind,
    key_batch,
    normaliser,
)
from validator.readers.base import Chunk
from validator.request import ColumnSpec


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
            dup = np.flatnonzero(first != chunk.rows[pos])
            if len(dup):  # (a value that is no identifier is its format rule's alone: HS212, HS213, HS305)
                dup = np.delete(dup, unusable(prop, chunk.column(column.index).to_numpy(dtype=object)[pos[dup]]))
            if len(dup):
                yield key_batch(self, chunk, file, column, pos[dup], first[dup], _repeats(self.describe(column)),
                                hubspot_error=self.error_type(column), keys=_compared(chunk, column, prop, pos[dup]))

    def error_type(self, column: Column) -> str | None:
        """The errorType of the column's repeats (None: the rule's)."""
        return None

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        self.sets = {}
        yield from ()

    def describe(self, column: Column) -> str:
        spec = column.spec
        return f"{self.what} ({spec.property_name})" if spec and spec.property_name else self.what


def _compared(chunk: Chunk, column: Column, prop: str | None, at: np.ndarray, *, nfc: bool = False) -> np.ndarray:
    """The cells at chunk positions ``at`` as the rule compares them (``normaliser``; in NFC form
    first, with ``nfc``, as HS325 compares them): what a repeat's finding is keyed by
    (``value:<key>``), the same whichever of its rows comes later."""
    cells = chunk.column(column.index).iloc[at]
    return normaliser(prop)(cells.str.normalize("NFC") if nfc else cells).to_numpy(dtype=object)


def _repeats(label: str) -> Callable[[str, int], str]:
    return lambda value, row: f"{label} {quote(value)} repeats row {row}"


class DuplicateAlternateId(_Duplicates):
    """The same email, domain or other alternate identifier is in more than one row.

    Why: HubSpot matches rows to records by their identifier; two rows with one email (compared
    without regard to case, as HubSpot compares addresses) or one company domain (compared as the
    host HubSpot keeps) update the same record twice, or fail with DUPLICATE_ALTERNATE_ID (or,
    where both rows would create a record, perhaps DUPLICATE_UNIQUE_CREATION_KEY: see HS302). The
    finding names the row where the value was first seen. A repeated value that is no address
    (domain name) identifies nothing: each row holding it fails for it (INVALID_EMAIL,
    INVALID_DOMAIN: HS212, HS213 report each row), not as a duplicate.
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
                yield key_batch(self, chunk, file, column, pos[dup], first[dup], _shared(self.by[0]),
                                keys=_compared(chunk, column, prop, pos[dup]))


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
    other_errors = ("DUPLICATE_UNIQUE_CREATION_KEY",)  # where both rows create a record
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
    DUPLICATE_RECORD_ID). The finding names the row where the id was first seen. A repeated
    value that is no Record ID (`0` and `00`) names no record: HS305 reports each row.
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

