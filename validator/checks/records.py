"""Properties and records: is the property there and writable, does each row carry what creating,
updating or assigning a record needs (fact sheet 4, 9)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from validator import formats
from validator.catalog import Catalog, Pipeline, Property
from validator.checks._facts import blank_at, blank_rows
from validator.checks.base import Hit, quote
from validator.checks.multiobject import parent_reference
from validator.checks.typed import VALUE_COLUMN_TYPES, ValueRule, cells
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.readers.base import Chunk
from validator.request import ColumnSpec

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


def _mapped_specs(file: FileContext) -> Iterator[ColumnSpec]:
    for spec in file.spec.columns:
        if (not spec.ignored and spec.property_name and spec.object_type_id
                and spec.column_type not in _NO_PROPERTY_TYPES):
            yield spec


class UnknownProperty(ValueRule):
    """A column is mapped to a property the portal snapshot does not have on that object.

    Why: HubSpot cannot write a property that does not exist: the column fails with
    PROPERTY_DEFINITION_NOT_FOUND. With a portal snapshot the object's property list is complete,
    so a name missing from it is certain to fail (custom properties must be created first).
    Example: `propertyName: "favourite_colour"` on contacts when the account has no such property.
    Fix: correct the internal name (labels are not names: `First Name` is `firstname`) or create
    the property in HubSpot and save the snapshot again.
    """

    code = "HS230"
    name = "unknown-property"
    hubspot_error = "PROPERTY_DEFINITION_NOT_FOUND"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        for spec in _mapped_specs(file):
            if (self.catalog.knows_all_properties(spec.object_type_id)
                    and self.catalog.property_of(spec.object_type_id, spec.property_name) is None):
                yield self.finding(
                    f"{spec.property_name!r} is not a property of {self.catalog.object_label(spec.object_type_id)} "
                    f"in the portal snapshot", file=file, pointer=spec.at("propertyName"), value=spec.property_name)


class PropertyNotInCatalog(ValueRule):
    """A column is mapped to a property the built-in catalog of standard properties does not list.

    Why: without a portal snapshot we know only HubSpot's common standard properties. A name that
    is not among them is either a custom property (fine, if it exists in the account) or a typo
    that fails with PROPERTY_DEFINITION_NOT_FOUND.
    Example: `propertyName: "first_name"` (the internal name is `firstname`).
    Fix: check the internal name in HubSpot (Settings > Properties), or run with `--portal DIR`.
    """

    code = "HS231"
    name = "property-not-in-catalog"
    severity = Severity.INFO
    hubspot_error = "PROPERTY_DEFINITION_NOT_FOUND"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        for spec in _mapped_specs(file):
            obj = spec.object_type_id
            if (not self.catalog.knows_all_properties(obj) and self.catalog.properties(obj)
                    and self.catalog.property_of(obj, spec.property_name) is None):
                yield self.finding(
                    f"{spec.property_name!r} is not a standard property of {self.catalog.object_label(obj)} "
                    f"we know; unless it is a custom property, HubSpot will not find it",
                    file=file, pointer=spec.at("propertyName"), value=spec.property_name)


class ReadOnlyProperty(ValueRule):
    """A column is mapped to a read-only or calculated property.

    Why: HubSpot sets these itself (`hs_lastmodifieddate`, analytics, counters, calculated
    amounts): their `modificationMetadata.readOnlyValue` or `calculated` flag is set (fact sheet
    4.1). An import cannot write them; the values are dropped [I].
    Example: `num_associated_deals` or `hs_lastmodifieddate` mapped in a contacts import.
    Fix: remove the mapping (or ignore the column).
    """

    code = "HS232"
    name = "read-only-property"
    severity = Severity.WARNING

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        for spec in _mapped_specs(file):
            prop = self.catalog.property_of(spec.object_type_id, spec.property_name)
            if prop is None or prop.writable or prop.name in self.catalog.identifiers(spec.object_type_id):
                continue
            what = "calculated" if prop.calculated else "read-only"
            yield self.finding(f"{prop.name!r} is {what}; HubSpot will not import this column",
                               file=file, pointer=spec.at("propertyName"), value=spec.property_name)


class RequiredRule(ValueRule):
    def plan(self, file: FileContext, obj: str) -> tuple[str, list[tuple[tuple[str, ...], list[Column]]]]:
        """(operation, [(group, columns mapped to one of its properties)]) for an object."""
        columns = own_columns(file, obj)
        groups = [(g, [c for c in columns if c.spec is not None and _in_group(c.spec.property_name, g)])
                  for g in self.catalog.required(obj)]
        return self.ctx.spec.operation(obj), groups

    def creates_every_row(self, file: FileContext, obj: str, op: str) -> bool:
        return op == "CREATE" or (op == "UPSERT" and not identifier_columns(file, obj, self.catalog))

    def unmapped(self, file: FileContext) -> Iterator[tuple[str, str, tuple[str, ...]]]:
        """(object, operation, group) for each required group no column maps, of an object every
        row of the file creates."""
        for obj in objects_of(file):
            op, groups = self.plan(file, obj)
            if self.creates_every_row(file, obj, op):
                yield from ((obj, op, group) for group, mapped in groups if not mapped)

    def blanks(self, chunk: Chunk, file: FileContext) -> Iterator[tuple[str, tuple[str, ...], Column, np.ndarray]]:
        """(object, group, column, rows) for each required group left blank by rows that create
        a record (a group no column maps is ``unmapped``'s, reported once)."""
        empty_row = blank_rows(chunk)
        for obj in objects_of(file):
            op, groups = self.plan(file, obj)
            if op == "UPDATE":
                continue
            every = self.creates_every_row(file, obj, op)
            creating = ~empty_row & ~all_blank(chunk, own_columns(file, obj))
            if not every:
                creating &= all_blank(chunk, identifier_columns(file, obj, self.catalog))
            first = own_columns(file, obj)[0]
            for group, mapped in groups:
                if every and not mapped:
                    continue
                yield obj, group, mapped[0] if mapped else first, creating & all_blank(chunk, mapped)


def _in_group(prop: str | None, group: tuple[str, ...]) -> bool:
    """Whether a property is one of a required group's: a name, or a prefix ending in ``*``
    (``hs_price_*``: a product's price in one currency of a multi-currency account)."""
    return prop is not None and any(prop == g or (g.endswith("*") and prop.startswith(g[:-1])) for g in group)


class MissingRequiredColumn(RequiredRule):
    """An import that creates records has no column for a property HubSpot requires to create them.

    Why: creating a record needs its required properties (fact sheet 4.3): deals a name, pipeline
    and stage; tickets a name, pipeline and status; companies a name or domain; contacts an
    email, first name or last name (HS242 warns where there is no email); line items a
    name, quantity and price, and the deal they belong to; tasks a due date (`hs_timestamp`);
    emails a direction; ... Each row then fails with MISSING_REQUIRED_PROPERTY. Checked when the
    operation is CREATE, or UPSERT with no identifier column (so every row creates). Fields known
    only by HubSpot's usual internal name (a note's body, a task's title) are HS243's warning.
    Example: a CREATE deals import with Deal Name and Amount but no Deal Stage column.
    Fix: add and map the missing column, or switch the object to UPDATE with an identifier.
    """

    code = "HS233"
    name = "missing-required-column"
    hubspot_error = "MISSING_REQUIRED_PROPERTY"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        if not hasattr(self, "ctx"):
            return
        for obj, op, group in self.unmapped(file):
            if not self.catalog.inferred_fields(obj, group):
                need = " or ".join(repr(p) for p in group)
                yield self.finding(f"{op} of {self.catalog.object_label(obj)} needs a column mapped to {need}",
                                   file=file, pointer=file.spec.mappings_pointer)
        for obj in objects_of(file):
            op = self.ctx.spec.operation(obj)
            if obj == LINE_ITEMS and self.creates_every_row(file, obj, op) and not self._with_deals(file):
                yield self.finding(f"{op} of {self.catalog.object_label(obj)} needs the deal each one belongs "
                                   "to: a column with the deal's Record ID or Deal name", file=file,
                                   pointer=file.spec.mappings_pointer)

    def _with_deals(self, file: FileContext) -> bool:
        """Whether the import ties line items to deals (fact sheet 4.3, [V]): the file maps deal
        columns or a column pointing at deals, or a file of the import points deals at line items."""
        if any(c.spec is not None and DEALS in (c.spec.object_type_id, c.spec.to_object_type_id)
               for c in file.mapped()):
            return True
        return any(c.to_object_type_id == LINE_ITEMS and c.object_type_id == DEALS
                   for f in self.ctx.spec.files for c in f.columns if not c.ignored)


DEALS, LINE_ITEMS = "0-3", "0-8"


class MissingRequiredValue(RequiredRule):
    """A row that creates a record leaves a required property blank.

    Why: HubSpot fails the row with MISSING_REQUIRED_PROPERTY (fact sheet 4.3). A row creates a
    record when the operation is CREATE, or UPSERT and the row's identifier cells are blank.
    Fields known only by HubSpot's usual internal name (a note's body, a task's title) are
    HS243's warning.
    Example: a deal row with an empty Deal Stage.
    Fix: fill the value, or give the row an identifier of an existing record.
    """

    code = "HS234"
    name = "missing-required-value"
    hubspot_error = "MISSING_REQUIRED_PROPERTY"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if not hasattr(self, "ctx"):
            return
        for obj, group, column, bad in self.blanks(chunk, file):
            if not self.catalog.inferred_fields(obj, group):
                yield from self.cells(chunk, file, column, bad, f"the row creates a record of "
                                      f"{self.catalog.object_label(obj)} without {' or '.join(group)}")


class RequiredFieldByUsualName(RequiredRule):
    """An import that creates activities (or appointments) has no column, or a row no value, for
    a field HubSpot's import tool requires, under the internal name HubSpot usually gives it.

    Why: the import tool requires a call's notes, an email's body, a meeting's description,
    start and end time, a note's body, a task's title and an appointment's start (fact sheet
    4.3, [V] S6), and a record created without one fails with MISSING_REQUIRED_PROPERTY. The
    internal names we look for (`hs_call_body`, `hs_email_text` or `hs_email_html`,
    `hs_meeting_body`, `hs_meeting_start_time`, `hs_meeting_end_time`, `hs_note_body`,
    `hs_task_subject`, `hs_appointment_start`) are HubSpot's usual ones, not checked in an
    official table ([I]): a file may map the field under another name, hence a warning. The
    properties the object API requires by name (a task's `hs_timestamp`, an email's
    `hs_email_direction`) are errors: HS233 for a column, HS234 for a row.
    Example: a CREATE notes import whose Body column is mapped to `hs_body_preview`.
    Fix: map the field to the internal name the message gives, or check in HubSpot (Settings >
    Properties) that the property you map is the one the import tool requires.
    """

    code = "HS243"
    name = "required-field-by-usual-name"
    severity = Severity.WARNING
    hubspot_error = "MISSING_REQUIRED_PROPERTY"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        if not hasattr(self, "ctx"):
            return
        for obj, op, group in self.unmapped(file):
            if fields := self.catalog.inferred_fields(obj, group):
                need = " or ".join(repr(p) for p in group)
                yield self.finding(f"{op} of {self.catalog.object_label(obj)} has no column mapped to {need}: "
                                   f"{_usual(fields, group, self.catalog.inferred_map.get(obj, {}))}",
                                   file=file, pointer=file.spec.mappings_pointer)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if not hasattr(self, "ctx"):
            return
        for obj, group, column, bad in self.blanks(chunk, file):
            if fields := self.catalog.inferred_fields(obj, group):
                why = _usual(fields, group, self.catalog.inferred_map.get(obj, {}))
                label = self.catalog.object_label(obj)
                yield from self.cells(chunk, file, column, bad, f"the row creates a record of {label} without "
                                      f"{' or '.join(group)}: {why}".replace("{", "{{").replace("}", "}}"))


def _usual(fields: tuple[str, ...], group: tuple[str, ...], inferred: Mapping[str, str]) -> str:
    """``HubSpot's import tool requires 'Note body' (usual internal name 'hs_note_body', not
    confirmed in HubSpot's documentation)``."""
    names = " or ".join(repr(p) for p in group if p in inferred)
    return (f"HubSpot's import tool requires {' or '.join(repr(f) for f in fields)} (usual internal name "
            f"{names}, not confirmed in HubSpot's documentation)")


class ContactWithoutEmail(RequiredRule):
    """An import creates contacts without an email: the file has no email column, or a row that
    creates a contact leaves it blank but gives a name.

    Why: HubSpot's import tool asks for an email to create a contact (fact sheet 4.3, [V] S6);
    its older documentation accepted any of first name, last name and email ([V-old] S8), and
    the object API needs none. Which holds for an API import is not settled, hence a warning; a
    contact with none of the three is an error (HS233 for a missing column, HS234 for a row).
    Checked when the operation is CREATE, or UPSERT for the rows with no identifier.
    Example: a CREATE contacts import with First Name and Phone but no Email column.
    Fix: add and map the contacts' email addresses, or check on a small import that HubSpot
    creates contacts from a name alone.
    """

    code = "HS242"
    name = "contact-without-email"
    severity = Severity.WARNING
    hubspot_error = "MISSING_REQUIRED_PROPERTY"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        if not hasattr(self, "ctx") or CONTACTS not in objects_of(file):
            return
        op = self.ctx.spec.operation(CONTACTS)
        email, names = self._columns(file)
        if op != "UPDATE" and not email and names and self.creates_every_row(file, CONTACTS, op):
            yield self.finding(
                f"{op} of {self.catalog.object_label(CONTACTS)} has no column mapped to 'email': HubSpot's import "
                "tool asks for an email to create a contact (its older versions accepted a first or last name "
                "instead)", file=file, pointer=file.spec.mappings_pointer)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if not hasattr(self, "ctx") or CONTACTS not in objects_of(file):
            return
        op = self.ctx.spec.operation(CONTACTS)
        email, names = self._columns(file)
        every = self.creates_every_row(file, CONTACTS, op)
        if op == "UPDATE" or not names or (every and not email):
            return  # nothing created; HS233 (no name column either) or on_header (no email column) says
        creating = ~blank_rows(chunk) & ~all_blank(chunk, own_columns(file, CONTACTS))
        if not every:
            creating &= all_blank(chunk, identifier_columns(file, CONTACTS, self.catalog))
        bad = creating & all_blank(chunk, email) & ~all_blank(chunk, names)  # no name either: HS234
        yield from self.cells(chunk, file, email[0] if email else names[0], bad,
                              "the row creates a contact without an email: HubSpot's import tool asks for "
                              "one (its older versions accepted a first or last name instead)")

    @staticmethod
    def _columns(file: FileContext) -> tuple[list[Column], list[Column]]:
        """The contacts' email columns, and their first and last name columns."""
        own = own_columns(file, CONTACTS)
        return ([c for c in own if c.spec is not None and c.spec.property_name == "email"],
                [c for c in own if c.spec is not None and c.spec.property_name in ("firstname", "lastname")])


CONTACTS = "0-1"


class StageNotInPipeline(ValueRule):
    """A deal or ticket stage is not a stage of the row's pipeline.

    Why: the stage must belong to the pipeline given in the row (the default pipeline when the
    row names none) [V] S6; otherwise HubSpot fails the row with INVALID_REQUIRED_PROPERTY. With a
    portal snapshot the account's own pipelines and stages apply; without one, the default ones
    ([3P]/[I], fact sheet 4.4), which accounts customise: the finding is then a warning (a severity
    set in the configuration wins).
    Example: stage `closedwon` of the Sales Pipeline in a row whose pipeline is `Renewals`.
    Fix: use a stage (label or ID) of that pipeline.
    """

    code = "HS235"
    name = "stage-not-in-pipeline"
    severity_without_portal = Severity.WARNING
    hubspot_error = "INVALID_REQUIRED_PROPERTY"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for obj in objects_of(file):
            pipes = self.catalog.pipelines(obj)
            if not pipes:
                continue
            pipe_name, stage_name = self.catalog.pipeline_properties(obj)
            cols = {c.spec.property_name: c for c in own_columns(file, obj) if c.spec is not None}
            stage = cols.get(stage_name)
            if stage is None:
                continue
            yield from self._check(chunk, file, pipes, cols.get(pipe_name), stage)

    def _check(self, chunk: Chunk, file: FileContext, pipes: tuple[Pipeline, ...], pipe_col: Column | None,
               stage_col: Column) -> Iterator[Hit]:
        default = next((p for p in pipes if p.id in ("default", "0")), pipes[0])
        stages = formats.fold(cells(chunk, stage_col))
        names = {k: p.id for p in pipes for k in formats.fold_texts((p.id, p.label))}
        if pipe_col is not None:
            raw = formats.fold(cells(chunk, pipe_col))
            keys = list(names)
            idx = pc.index_in(raw, value_set=pa.array(keys, type=pa.string()))
            ids = pa.array([names[k] for k in keys] or [""], type=pa.string())
            pid = pc.if_else(pc.equal(raw, ""), pa.scalar(default.id), pc.take(ids, pc.fill_null(idx, 0)))
            known = formats.blank(raw) | np.asarray(idx.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        else:
            pid = pa.array([default.id] * len(stages), type=pa.string())
            known = np.ones(len(stages), dtype=bool)
        valid = [f"{p.id}\x1f{t}" for p in pipes for s in p.stages for t in formats.fold_texts((s.id, s.label))]
        key = pc.binary_join_element_wise(pid, stages, "\x1f")
        ok = np.asarray(pc.is_in(key, value_set=pa.array(valid, type=pa.string())).to_numpy(zero_copy_only=False))
        bad = known & ~formats.blank(stages) & ~ok
        labels = {p.id: p.label for p in pipes}
        pid_np = np.asarray(pid.to_numpy(zero_copy_only=False), dtype=object)
        for p in sorted(set(pid_np[bad].tolist())):  # each row named with its own pipeline
            yield from self.cells(chunk, file, stage_col, bad & (pid_np == p),
                                  _not_a_stage_of(labels.get(str(p), str(p))))


def _not_a_stage_of(pipeline: str) -> Callable[[str], str]:
    return lambda v: f"{quote(v)} is not a stage of the row's pipeline ({pipeline})"


class OwnerRule(ValueRule):
    """Owner cells against the owners in the portal snapshot (only with a snapshot)."""

    def wants(self, prop: Property) -> bool:
        return prop.format == "owner" or prop.referenced_object == "OWNER"

    def lookup(self, chunk: Chunk, column: Column) -> tuple[np.ndarray, np.ndarray]:
        """(found, several): by owner ID, email (any case) or full name (any case)."""
        owners = self.catalog.owners or ()
        arr = cells(chunk, column)
        low = formats.fold(pc.replace_substring_regex(arr, r"\s+", " "))
        ids = pa.array([o.id for o in owners], type=pa.string())
        emails = pa.array(formats.fold_texts(o.email for o in owners if o.email), type=pa.string())
        counts: dict[str, int] = {}
        for name in formats.fold_texts(o.name for o in owners if o.name):
            counts[name] = counts.get(name, 0) + 1
        names = pa.array(list(counts), type=pa.string())
        several = pa.array([n for n, k in counts.items() if k > 1], type=pa.string())
        direct = formats._np(pc.is_in(arr, value_set=ids)) | formats._np(pc.is_in(low, value_set=emails))
        found = direct | formats._np(pc.is_in(low, value_set=names))
        multi = ~direct & formats._np(pc.is_in(low, value_set=several))
        return found & ~formats.blank(arr), multi


class OwnerNotFound(OwnerRule):
    """An owner cell matches no user in the portal snapshot.

    Why: owner properties take a user's email, owner ID or name [V] S6; a value matching no user
    fails with COULD_NOT_FIND_OWNER. Needs a snapshot of `GET /crm/v3/owners`.
    Example: `sam@old-agency.com` for a user who left.
    Fix: use an existing user's email or owner ID.
    """

    code = "HS236"
    name = "owner-not-found"
    hubspot_error = "COULD_NOT_FIND_OWNER"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if self.catalog.owners is None:
            return
        for column, _prop in self.typed(file):
            found, _multi = self.lookup(chunk, column)
            bad = ~found & ~blank_at(chunk, column.index)
            yield from self.cells(chunk, file, column, bad, "{value} is no user's email, owner ID or name")


class MultipleOwners(OwnerRule):
    """An owner cell is a name shared by several users.

    Why: HubSpot cannot tell which user is meant and fails with MULTIPLE_OWNERS_FOUND; the KB
    advises email or owner ID [V] S6. Needs a snapshot of `GET /crm/v3/owners`.
    Example: `Alex Kim` when two users are called Alex Kim.
    Fix: use the user's email or owner ID.
    """

    code = "HS237"
    name = "multiple-owners"
    hubspot_error = "MULTIPLE_OWNERS_FOUND"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if self.catalog.owners is None:
            return
        for column, _prop in self.typed(file):
            _found, multi = self.lookup(chunk, column)
            yield from self.cells(chunk, file, column, multi, "{value} is the name of several users")


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
        for column in file.mapped(*VALUE_COLUMN_TYPES, "HUBSPOT_OBJECT_ID"):
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

