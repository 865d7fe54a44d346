"""Record IDs and the identifiers a request maps (HS305-HS307, HS315, HS327, HS352): Record ID
and associated object id cells that are not positive whole numbers or hold several ids, alternate
ids on properties that are not unique, id column types that disagree with their property, and
objects upserted without an identifier column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from validator import formats
from validator.checks._facts import exactly, fullmatch, rows_with
from validator.checks.base import Hit, Rule, quote, with_values
from validator.context import Column, FileContext, ImportContext
from validator.findings import Severity
from validator.keys import (
    RECORD_ID,
    id_kind,
)
from validator.readers.base import Chunk
from validator.request import ColumnSpec

# HubSpot's record ids are 64-bit integers (the CRM API types an associated record's id int64,
# [I]): a larger number names no record, whatever it is compared with.
MAX_RECORD_ID = 2**63 - 1


def _at_most(limit: str) -> str:
    """A pattern of the whole numbers from 1 to ``limit``, written without leading zeros: the
    shorter ones, then those of its length that are below it from some digit on, then itself."""
    n = len(limit)
    alternatives = [f"[1-9][0-9]{{0,{n - 2}}}"]
    for i, digit in enumerate(limit):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            alternatives.append(f"{limit[:i]}[{low}-{int(digit) - 1}][0-9]{{{n - i - 1}}}")
    alternatives.append(limit)
    return "(?:" + "|".join(alternatives) + ")"


POSITIVE_INT = rf"\s*0*{_at_most(str(MAX_RECORD_ID))}\s*"
ID_LIST = rf"{POSITIVE_INT}(?:;{POSITIVE_INT})+"
_DIGITS = re.compile(r"\s*[0-9]+\s*")


def id_message(what: str) -> Callable[[str], str]:
    """The message of a cell that is not a ``what`` (a Record ID): a number too large for one
    says so, as its digits alone look right; an id in the digits of another script (`１２３４５`,
    `١٢٣٤٥`) names them and gives it in 0-9, as HS206 and HS215 do."""
    def render(value: str) -> str:
        if _DIGITS.fullmatch(value) and int(value) > MAX_RECORD_ID:
            return (f"{quote(value)} is larger than any {what} (HubSpot's ids are 64-bit: "
                    f"at most {MAX_RECORD_ID})")
        plain = formats.in_ascii_digits(value)
        if plain is not None and _DIGITS.fullmatch(plain) and 0 < int(plain) <= MAX_RECORD_ID:
            return (f"{quote(value)} has {formats.digit_script(value)} digits; a {what} is a positive whole number "
                    f"in the digits 0-9, and whether HubSpot reads others is not documented: write {plain.strip()}")
        return f"{quote(value)} is not a valid {what} (a positive whole number)"
    return render


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

    Why: HubSpot Record IDs (hs_object_id) are positive 64-bit integers; anything else, a
    number over 9223372036854775807 too, cannot name a record and the row fails with
    INVALID_RECORD_ID. Spreadsheets often turn ids into `5101.0` or `5.1E+03`. An id in the
    digits of another script (`１２３４５` from a CJK input method, Arabic-Indic `١٢٣٤٥`) is
    named with its digits and given in 0-9: HubSpot documents ids in 0-9 and says nothing of
    others.
    Example: `5101.0`, `abc`, `-4`, `0` or `99999999999999999999` in a Record ID column.
    Fix: format the column as text or a whole number, and export the ids again.
    """

    code = "HS305"
    name = "invalid-record-id"
    hubspot_error = "INVALID_RECORD_ID"
    foreign = False
    what = "Record ID"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column in with_values(chunk, _id_columns(file, self.foreign)):
            cells = chunk.column(column.index)
            bad = (cells.str.strip() != "").to_numpy(dtype=bool) & ~fullmatch(cells, POSITIVE_INT)
            if self.foreign and bad.any():  # a list of ids is HS315's (whether HubSpot takes one is unknown)
                bad &= ~_id_lists(cells, chunk, column.index)
            yield from self.cells(chunk, file, column, bad, id_message(self.what))


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
        for column in with_values(chunk, _id_columns(file, foreign=True)):
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


class IdColumnTypeMismatch(Rule):
    """A `HUBSPOT_OBJECT_ID` column maps a property other than the Record ID, or a
    `HUBSPOT_ALTERNATE_ID` column maps the Record ID.

    Why: the column type says what the cells hold (fact sheet 1.4, [V] S5): `HUBSPOT_OBJECT_ID`
    record IDs (`hs_object_id`, or `null` on a column pointing at another object's records),
    `HUBSPOT_ALTERNATE_ID` another unique identifier (email, domain, a unique property). A mapping
    whose type and property disagree is inconsistent: whether HubSpot then reads the cells as
    Record IDs, matching rows to the wrong records or none, or fails the column
    (INVALID_COLUMN_CONFIGURATION) is not documented [I], so this is a warning. Cells of a
    `HUBSPOT_OBJECT_ID` column that are not Record IDs are HS305's or HS306's, row by row.
    Example: `{"columnName": "Email", "propertyName": "email", "columnType": "HUBSPOT_OBJECT_ID"}`.
    Fix: type an email, domain or unique property column `HUBSPOT_ALTERNATE_ID` (or `STANDARD`),
    and the Record ID column (`hs_object_id`) `HUBSPOT_OBJECT_ID`.
    """

    code = "HS327"
    name = "id-column-type-mismatch"
    severity = Severity.WARNING
    hubspot_error = "INVALID_COLUMN_CONFIGURATION"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for f in ctx.spec.files:
            for c in f.columns:
                if c.ignored or not c.property_name:
                    continue
                if c.column_type == "HUBSPOT_OBJECT_ID" and c.property_name != RECORD_ID:
                    what = f"maps {c.property_name!r}, not the Record ID ({RECORD_ID})"
                elif c.column_type == "HUBSPOT_ALTERNATE_ID" and c.property_name == RECORD_ID:
                    what = f"maps the Record ID ({RECORD_ID}), which is HUBSPOT_OBJECT_ID's"
                else:
                    continue
                yield self.finding(f"{c.column_type} column {quote(c.column_name or '')} {what}",
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
