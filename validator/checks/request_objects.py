"""Request rules (HS0xx) on the objects an import writes and their operations: objects HubSpot does
not document as importable, ``importOperations`` entries no column uses or that leave out an
object imported, event timestamp columns without their marketing event, activities imported
with no record or updated where HubSpot cannot update them, and the contacts-only settings in an
import of no contacts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from validator.checks.base import Hit, Rule, quote
from validator.checks.multiobject import ACTIVITIES, parent_reference, record_objects
from validator.context import ImportContext
from validator.findings import Severity
from validator.request import ImportSpec, escape_pointer


class ObjectNotImportable(Rule):
    """Columns import records of an object HubSpot does not document as importable.

    Why: HubSpot's import guide lists the objects it imports (fact sheet 3): contacts,
    companies, deals, tickets, products, line items, activities, custom objects and a few more.
    Feedback submissions are created by HubSpot itself; for others (quotes, invoices, payments,
    goals, ...) import support is not documented [GAP], so the import may be refused.
    Example: a column mapped to `"columnObjectTypeId": "0-19"` (feedback submissions).
    Fix: import the records through the object's API, or map the column to an importable object.
    """

    code = "HS031"
    name = "object-not-importable"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        seen: set[str] = set()
        for f in ctx.spec.files:
            for obj in record_objects(f):
                kind = ctx.catalog.objects.get(obj)
                if obj in seen or kind is None or kind.importable:
                    continue
                seen.add(obj)
                column = next(c for c in f.columns if c.object_type_id == obj and not c.ignored)
                yield self.finding(f"{ctx.catalog.object_label(obj)} is not among the objects HubSpot documents as "
                                   "importable; the import may be refused", file=ctx,
                                   pointer=column.at("columnObjectTypeId"), value=column.object_type)


class UnusedOperation(Rule):
    """`importOperations` names an object that no column of any file maps to.

    Why: the operation has nothing to act on. It usually means a typo in the object id, or a
    column mapped to the wrong object, so the records you meant to create are not created.
    Example: `"importOperations": {"0-2": "CREATE"}` while every column maps to contacts (`0-1`).
    Fix: map the object's columns with `columnObjectTypeId`, or remove the entry.
    """

    code = "HS009"
    name = "unused-operation"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        used = set(ctx.spec.objects)
        for f in ctx.spec.files:
            for c in f.columns:
                if c.to_object_type_id:
                    used.add(c.to_object_type_id)
        if not ctx.spec.files:
            return
        for obj, pointer in ctx.spec.operation_pointers.items():
            if obj not in used and ctx.catalog.object_id(obj) is not None:  # an unknown one is HS021's
                yield self.finding(
                    f"importOperations sets {ctx.spec.operations[obj]} for "
                    f"{ctx.catalog.object_label(obj)}, but no column maps to that object",
                    file=ctx, pointer=pointer)


def _no_records(spec: ImportSpec, obj: str) -> bool:
    """Whether the columns of ``obj`` import no record of it: in each file, a line item's parent
    deal named by its Record ID or name (looked up, not imported). (Event timestamp columns of
    0-54 are not such: HubSpot's participants example gives "0-54": "CREATE".)"""
    files = [f for f in spec.files if any(c.object_type_id == obj and not c.ignored for c in f.columns)]
    return all(parent_reference(f, obj) for f in files)


class MissingOperation(Rule):
    """`importOperations` is given but names no operation for an object that columns map to.

    Why: HubSpot documents one `importOperations` entry per object imported, and UPSERT for every
    object only where `importOperations` is absent (fact sheet 1.2, [V] S5). What it does with an
    object the given entries leave out is not documented [GAP]: a request copied from another
    import often names the operation of one object and not the other's.
    A line item's parent deal, named by its Record ID or name, is left out: it is looked up, not
    imported.
    Example: `"importOperations": {"0-2": "CREATE"}` with columns mapped to contacts (`0-1`) and
    companies (`0-2`).
    Fix: add the object's operation (`"0-1": "UPSERT"`), or leave `importOperations` out.
    """

    code = "HS024"
    name = "missing-operation"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        if not ctx.spec.operation_pointers:
            return
        for obj in ctx.spec.objects:
            if obj not in ctx.spec.operations and not _no_records(ctx.spec, obj):
                yield self.finding(
                    f"importOperations names no operation for {ctx.catalog.object_label(obj)}, which columns "
                    "map to; HubSpot documents one entry per object imported (this check takes it as UPSERT)",
                    file=ctx, pointer="/importOperations")


class EventTimestampSetup(Rule):
    """An event timestamp column lacks what HubSpot needs to place it.

    Why: an `EVENT_TIMESTAMP` column records when a contact took part in a marketing event; it
    needs its mapping's `marketingEventSubmissionType` (`REGISTERED`, `JOINED`, ...) and the
    request's `marketingEventObjectId`, the event it belongs to (fact sheet 1.2, 1.4, [V] S5).
    Example: `{"columnName": "Joined at", "columnType": "EVENT_TIMESTAMP"}` in a request without
    `marketingEventObjectId`.
    Fix: add the mapping's `marketingEventSubmissionType` and the event's ID as
    `marketingEventObjectId`.
    """

    code = "HS025"
    name = "event-timestamp-setup"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        events = [c for f in ctx.spec.files for c in f.columns
                  if not c.ignored and c.column_type == "EVENT_TIMESTAMP"]
        for c in events:
            if not c.raw.get("marketingEventSubmissionType"):
                yield self.finding(f"event timestamp column {quote(c.column_name or '')} has no "
                                   "marketingEventSubmissionType (REGISTERED, JOINED, ...)", file=ctx,
                                   pointer=c.pointer)
        raw = ctx.spec.raw if isinstance(ctx.spec.raw, Mapping) else {}
        if events and raw.get("marketingEventObjectId") in (None, ""):
            yield self.finding("the request has event timestamp columns but no marketingEventObjectId (the "
                               "marketing event's ID)", file=ctx, pointer="")


# activities that must be imported associated with a CRM record, and that an import cannot update
# (fact sheet 3, [V-old] S8: calls and tasks can be imported alone; calls can be updated)
NEEDS_RECORD = {"0-46": "notes", "0-47": "meetings", "0-49": "emails"}
NOT_UPDATED = {**NEEDS_RECORD, "0-27": "tasks"}


class ActivityWithoutRecord(Rule):
    """Notes, meetings or emails are imported with no CRM record to associate them with.

    Why: HubSpot's import guide says calls and tasks can be imported alone, but emails,
    meetings and notes must be imported associated with a record (a contact, company, deal,
    ticket, ...) named in the same import (fact sheet 3, [V-old] S8: the current guide no longer
    restates it, hence a warning).
    Example: a notes file whose only columns are the note body and its date.
    Fix: add a column that names each note's record (the contact's email, the company's domain
    or a Record ID), mapped to that object, or a second file with those records.
    """

    code = "HS026"
    name = "activity-without-record"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        named = {o for f in ctx.spec.files for c in f.columns if not c.ignored
                 for o in (c.object_type_id, c.to_object_type_id)}
        if any(o is not None and o not in ACTIVITIES for o in named):
            return
        for obj, what in NEEDS_RECORD.items():
            column = next((c for f in ctx.spec.files for c in f.columns
                           if c.object_type_id == obj and not c.ignored), None)
            if column is not None:
                yield self.finding(f"{what} ({obj}) are imported with no record to associate them with: "
                                   "HubSpot imports them only associated with a CRM record", file=ctx,
                                   pointer=column.pointer)


class ActivityUpdate(Rule):
    """An import would update existing emails, meetings, notes or tasks.

    Why: HubSpot's import guide says calls can be updated by import, but existing emails,
    meetings, notes and tasks cannot (fact sheet 3, [V-old] S8: not restated in the current
    guide, hence a warning). `UPDATE` for them, or `UPSERT` with their Record ID column, asks
    for exactly that.
    Example: `"importOperations": {"0-46": "UPDATE"}`.
    Fix: import them with `CREATE` (new activities); change existing ones in HubSpot or through
    the objects API.
    """

    code = "HS027"
    name = "activity-update"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for obj, what in NOT_UPDATED.items():
            op = ctx.spec.operation(obj)
            if op == "UPDATE":
                yield self.finding(f"importOperations sets UPDATE for {what} ({obj}): HubSpot's import does not "
                                   f"update existing {what}", file=ctx, pointer=ctx.spec.operation_pointers[obj],
                                   value=op)
            elif op == "UPSERT":
                for f in ctx.spec.files:
                    for c in f.columns:
                        if (c.object_type_id == obj and not c.ignored and c.property_name == "hs_object_id"
                                and c.to_object_type is None):
                            yield self.finding(
                                f"column {quote(c.column_name or '')} gives Record IDs of {what} in an UPSERT import: "
                                f"HubSpot's import does not update existing {what}", file=ctx, pointer=c.pointer)


CONTACTS = "0-1"


class ContactOptionsWithoutContacts(Rule):
    """`marketableContactImport` or `createContactListFromImport` is true in an import of no contacts.

    Why: both act on the contacts an import writes: the first marks them marketing contacts, the
    second puts them in a static list (fact sheet 1.2, [V] S5). Where no column maps to contacts
    (`0-1`), not even as the object a column associates to, there are none for them to act on, so
    the setting has no effect [I]; it is often a request copied from a contacts import, or
    contact columns mapped to the wrong object.
    Example: `"marketableContactImport": true` with every column mapped to companies (`0-2`).
    Fix: remove the setting (or set it to false), or map the contact columns to `0-1`.
    """

    code = "HS032"
    name = "contact-options-without-contacts"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        spec = ctx.spec
        columns = [c for f in spec.files for c in f.columns if not c.ignored]
        if not columns or any(c.object_type_id is None for c in columns):
            return  # nothing mapped (HS003, HS004), or an object not known (HS019, HS021): it may be contacts
        if any(CONTACTS in (c.object_type_id, c.to_object_type_id) for c in columns):
            return
        objects = ", ".join(ctx.catalog.object_label(o) for o in spec.objects)
        for key, value in (("marketableContactImport", spec.marketable),
                           ("createContactListFromImport", spec.create_list)):
            if value is True:
                yield self.finding(f"{key} is true, but no column maps to contacts (0-1): this import writes "
                                   f"{objects}, so the setting has no effect", file=ctx, pointer=f"/{key}",
                                   value="true")


class ObjectNameCase(Rule):
    """One object is named in two letter cases in the request (`p_cars` and `P_cars`).

    Why: the validator matches object names ignoring letter case, with a portal snapshot and
    without (a custom object's short-hand `p_<name>` or fully qualified `p<portal id>_<name>`
    name, a standard object's `contacts`), so the columns of `p_cars` and `P_cars` are one
    object's and are counted, keyed and checked as one. Whether HubSpot matches object names
    ignoring case is not documented ([GAP]); if it does not, the import holds two objects, and
    one spelling may name none (MISSING_OBJECT_DEFINITION).
    Example: `"columnObjectTypeId": "p_cars"` on one column, `"P_cars"` on another, or as an
    `importOperations` key.
    Fix: spell the object one way throughout the request, as `GET /crm/v3/schemas` spells its
    name, or give its `2-<id>`.
    """

    code = "HS038"
    name = "object-name-case"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        first: dict[str, tuple[str, str]] = {}  # the object's id -> (its spelling, where) first met
        named: set[tuple[str, str]] = set()
        for raw, resolved, pointer in _object_mentions(ctx):
            text = raw.strip()
            seen, where = first.setdefault(resolved, (text, pointer))
            if text == seen or text.lower() != seen.lower() or (resolved, text) in named:
                continue
            named.add((resolved, text))
            yield self.finding(
                f"{quote(text)} is {quote(seen)} (at {where}) in another letter case: both are taken as "
                f"{ctx.catalog.object_label(resolved)}, one object, but whether HubSpot matches object names "
                "ignoring case is not documented", file=ctx, pointer=pointer, value=raw)


def _object_mentions(ctx: ImportContext) -> Iterator[tuple[str, str, str]]:
    """(as written, the object it resolves to, JSON pointer) of each object the request names:
    ``importOperations`` keys, then each column's object and the object it points to."""
    ops = ctx.spec.raw.get("importOperations") if isinstance(ctx.spec.raw, Mapping) else None
    resolved_ops = {pointer: obj for obj, pointer in ctx.spec.operation_pointers.items()}
    for key in ops if isinstance(ops, Mapping) else ():
        pointer = f"/importOperations/{escape_pointer(key)}"
        if isinstance(key, str) and pointer in resolved_ops:
            yield key, resolved_ops[pointer], pointer
    for f in ctx.spec.files:
        for c in f.columns:
            key = "columnObjectTypeId" if "columnObjectTypeId" in c.raw else "columnObjectType"
            for raw, resolved, at in ((c.object_type, c.object_type_id, key),
                                      (c.to_object_type, c.to_object_type_id, "toColumnObjectTypeId")):
                if isinstance(raw, str) and resolved is not None:
                    yield raw, resolved, c.at(at)
