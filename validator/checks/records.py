"""Records (fact sheet 4, 9): the columns holding each object's own values and identifiers, and
the objects a file's rows import, which the property and required-field rules
(``records_properties``, ``records_required``) share; and what each row does to its records: an
object left empty in a row (HS238), a Record ID in a CREATE import (HS239), a row an UPDATE
cannot match (HS240) and a participant row without an event timestamp (HS241).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from validator.catalog import Catalog
from validator.checks._facts import blank_at, blank_rows
from validator.checks.base import Hit, with_values
from validator.checks.multiobject import parent_reference
from validator.checks.typed import VALUE_COLUMN_TYPES, ValueRule
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.readers.base import Chunk

_NO_PROPERTY_TYPES = ("FLEXIBLE_ASSOCIATION_LABEL", "ASSOCIATION_KEYS", "EVENT_TIMESTAMP")


def _own(c: Column) -> bool:
    return (c.spec is not None and c.spec.column_type not in _NO_PROPERTY_TYPES
            and not (c.spec.property_name is None and c.spec.to_object_type_id is not None))


def own_columns(file: FileContext, obj: str) -> list[Column]:
    """Columns holding the object's own values (not a foreign key pointing at another file)."""
    return [c for c in file.mapped() if c.spec is not None and c.spec.object_type_id == obj and _own(c)]


def identifier_columns(file: FileContext, obj: str, catalog: Catalog) -> list[Column]:
    ids = set(catalog.identifiers(obj))
    return [c for c in own_columns(file, obj) if c.spec is not None and (
        c.spec.column_type == "HUBSPOT_OBJECT_ID" or c.spec.property_name in ids
        or (c.spec.column_type == "HUBSPOT_ALTERNATE_ID" and bool(c.spec.property_name)))]  # (HS029: none)


def objects_of(file: FileContext) -> list[str]:
    """Objects whose records the file's rows import (a line item's parent deal named in its row
    aside: ``multiobject.parent_reference``)."""
    seen: dict[str, None] = {}
    for c in file.mapped():
        if c.spec is not None and c.spec.object_type_id and _own(c):
            seen[c.spec.object_type_id] = None
    return [obj for obj in seen if not parent_reference(file.spec, obj)]


def all_blank(chunk: Chunk, columns: list[Column]) -> np.ndarray:
    out = np.ones(len(chunk), dtype=bool)
    for c in columns:
        out &= blank_at(chunk, c.index)
        if not out.any():  # no row is left to be blank in every column: the rest need not be read
            break
    return out


class EmptyObjectInRow(ValueRule):
    """Every cell of one object is empty in a row that has other values.

    Why: HubSpot has nothing to create or update for that object and reports
    FAILED_TO_PROCESS_OBJECT_WITH_EMPTY_PROPERTY_VALUES [I]; in a multi-object file the
    association the row meant to make is lost too.
    Example: a contacts-and-companies file whose row has contact columns filled but no company.
    Fix: fill the object's columns, or move such rows to a single-object import.
    """

    code = "HS238"
    name = "empty-object-in-row"
    severity = Severity.WARNING
    hubspot_error = "FAILED_TO_PROCESS_OBJECT_WITH_EMPTY_PROPERTY_VALUES"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        empty_row = blank_rows(chunk)
        for obj in objects_of(file):
            columns = own_columns(file, obj)
            bad = all_blank(chunk, columns) & ~empty_row
            label = self.catalog.object_label(obj).replace("{", "{{").replace("}", "}}")
            yield from self.cells(chunk, file, columns[0], bad, f"every {label} column is empty in this row")


class CreateWithRecordId(ValueRule):
    """A CREATE import carries Record IDs.

    Why: with the operation CREATE, a row that matches an existing record is skipped with
    CREATE_ONLY_IMPORT [I]; a Record ID names an existing record, so the row will not import.
    Example: `importOperations: {"0-1": "CREATE"}` and a filled Record ID column.
    Fix: use UPSERT (or UPDATE) for rows with Record IDs, or drop the column.
    """

    code = "HS239"
    name = "create-with-record-id"
    severity = Severity.WARNING
    hubspot_error = "CREATE_ONLY_IMPORT"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if not hasattr(self, "ctx"):
            return
        for column in with_values(chunk, file.mapped(*VALUE_COLUMN_TYPES, "HUBSPOT_OBJECT_ID")):
            spec = column.spec
            if spec is None or spec.object_type_id is None or self.ctx.spec.operation(spec.object_type_id) != "CREATE":
                continue
            if spec.column_type == "HUBSPOT_OBJECT_ID" or spec.property_name == "hs_object_id":
                if spec.to_object_type is not None or spec.foreign_key is not None:
                    continue  # another record's ID (an association), not the row's own
                bad = ~blank_at(chunk, column.index)
                yield from self.cells(chunk, file, column, bad,
                                      "Record ID {value} in a CREATE import: HubSpot skips rows of existing records")


class UpdateWithoutIdentifier(ValueRule):
    """An UPDATE import has no identifier for a row (or no identifier column at all).

    Why: UPDATE only changes existing records, found by Record ID, email (contacts), domain
    (companies), SKU (products) or a unique property (fact sheet 4.2). Without one, no record
    can match and the row fails with UPDATE_ONLY_IMPORT.
    A row where every column of the object is blank (a task imported without a contact, in a
    file whose contacts are updated) is left to HS238: it names no record to update.
    Example: `importOperations: {"0-1": "UPDATE"}` with First Name and Phone but no Email.
    Fix: add a Record ID or email column, or use UPSERT.
    """

    code = "HS240"
    name = "update-without-identifier"
    hubspot_error = "UPDATE_ONLY_IMPORT"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        if not hasattr(self, "ctx"):
            return
        for obj in objects_of(file):
            if self.ctx.spec.operation(obj) == "UPDATE" and not identifier_columns(file, obj, self.catalog):
                ids = ", ".join(self.catalog.identifiers(obj))
                yield self.finding(f"UPDATE of {self.catalog.object_label(obj)} without an identifier column ({ids})",
                                   file=file, pointer=self.ctx.spec.operation_pointers.get(obj, "/importOperations"))

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if not hasattr(self, "ctx"):
            return
        empty_row = blank_rows(chunk)
        for obj in objects_of(file):
            ids = identifier_columns(file, obj, self.catalog)
            if self.ctx.spec.operation(obj) != "UPDATE" or not ids:
                continue
            bad = all_blank(chunk, ids) & ~empty_row
            if bad.any():
                # a row that gives the object no value at all (a task with no contact) updates
                # nothing: HubSpot has no record to match and nothing to write (HS238 says so)
                bad &= ~all_blank(chunk, own_columns(file, obj))
            yield from self.cells(chunk, file, ids[0], bad, "the row has no identifier, so UPDATE cannot match it")


class MissingEventTimestamp(ValueRule):
    """A marketing event participant row has no timestamp.

    Why: an `EVENT_TIMESTAMP` column says when each contact took part in the event; a row whose
    cell is blank has no participation to record and fails with MISSING_EVENT_TIMESTAMP (fact
    sheet 2). It is the one column where a blank cell is itself the error. With several event
    columns (Registered, Joined, Left, Cancelled, as in HubSpot's example), a row needs one of
    them: a contact who registered but never cancelled leaves Cancelled blank.
    Example: a participants file whose `Joined at` cell is empty on row 7.
    Fix: fill in the time the contact took part, or remove the row.
    """

    code = "HS241"
    name = "missing-event-timestamp"
    hubspot_error = "MISSING_EVENT_TIMESTAMP"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        events = [c for c in file.columns if c.spec is not None and not c.spec.ignored
                  and c.spec.column_type == "EVENT_TIMESTAMP"]
        if not events:
            return
        # one participant row gives the times of the steps it took (registered, joined, left,
        # cancelled: HubSpot's example maps four such columns); a row with none of them has none
        bad = all_blank(chunk, events) & ~blank_rows(chunk)
        yield from self.cells(chunk, file, events[0], bad, "the row has no event timestamp")
