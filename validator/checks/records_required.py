"""Required properties of the records an import creates (fact sheet 4.3): a column for each
(HS233), a value in each row that creates a record (HS234), fields known only by their usual
internal name (HS243) and a contact created without an email (HS242), with RequiredRule, which
finds the required groups an object's columns leave unmapped or its creating rows leave blank.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from validator.checks._facts import blank_rows
from validator.checks.base import Hit
from validator.checks.records import all_blank, identifier_columns, objects_of, own_columns
from validator.checks.typed import ValueRule
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.readers.base import Chunk


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
    # the import tool's field labels and the internal names (``_usual``): the schema's, not a cell's
    constants = (r"HubSpot's import tool requires '[^']*'(?: or '[^']*')* \(usual internal name '[^']*'"
                 r"(?: or '[^']*')*",)

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
    Checked when the operation is CREATE, or UPSERT for the rows with no identifier. An email
    mapping whose `columnName` is not in the header HubSpot reads (lines of notes above the
    header, as LinkedIn's Connections.csv has) is HS103's and HS608's, not a file without email.
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
        if not email and any(s.object_type_id == CONTACTS and s.property_name == "email" and not s.ignored
                             for s in file.spec.columns):
            return  # mapped, but its columnName is not in the header HubSpot reads: HS103 (and HS608) say so
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


class ActivityWithoutDate(RequiredRule):
    """Calls, emails or notes are created without an activity date (`hs_timestamp`).

    Why: an activity imported without its Activity date is dated at the time of the import
    (fact sheet 4.3, [V] S6): a file of past calls, emails or notes lands in every timeline as
    done today, in import order, and reports by activity date count them in the wrong month. The
    import does not fail, hence a warning. Tasks need their due date (`hs_timestamp`), which is
    HS233's and HS234's error; meetings are placed by their start time (HS243). Checked when the
    operation is CREATE, or UPSERT for the rows with no identifier; an update keeps the date.
    Example: a CREATE notes import with Note body and the contact's email, but no date column.
    Fix: add the date each activity happened and map it to `hs_timestamp`.
    """

    code = "HS249"
    name = "activity-without-date"
    severity = Severity.WARNING

    def plan(self, file: FileContext, obj: str) -> tuple[str, list[tuple[tuple[str, ...], list[Column]]]]:
        if obj not in DATED:
            return self.ctx.spec.operation(obj), []
        dates = [c for c in own_columns(file, obj) if c.spec is not None and c.spec.property_name == DATE]
        return self.ctx.spec.operation(obj), [((DATE,), dates)]

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        if not hasattr(self, "ctx"):
            return
        for obj, op, _group in self.unmapped(file):
            yield self.finding(f"{op} of {self.catalog.object_label(obj)} has no column mapped to {DATE!r} (the "
                               "activity date): HubSpot dates each record at the time of the import",
                               file=file, pointer=file.spec.mappings_pointer)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if not hasattr(self, "ctx"):
            return
        for obj, _group, column, bad in self.blanks(chunk, file):
            yield from self.cells(chunk, file, column, bad, f"the row creates a record of "
                                  f"{self.catalog.object_label(obj)} without {DATE} (the activity date): "
                                  "HubSpot dates it at the time of the import")


DATE = "hs_timestamp"
DATED = ("0-48", "0-49", "0-46")  # calls, emails, notes (tasks require it; meetings have a start time)
