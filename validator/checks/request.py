"""Request rules (HS0xx): the importRequest JSON on its own, and against the files given."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping

from validator.catalog import CUSTOM_OBJECT, Catalog
from validator.checks.base import Hit, Rule, quote
from validator.checks.multiobject import ACTIVITIES, parent_reference, record_objects
from validator.context import FileContext, ImportContext
from validator.findings import Severity
from validator.request import ImportSpec, escape_pointer
from validator.sources import base_name, has_path


def _notes(ctx: ImportContext, *kinds: str) -> Iterator:
    return (n for n in ctx.spec.notes if n.kind in kinds)


def _choices(values: tuple[str, ...]) -> str:
    return ", ".join(values)


def _suggest(value: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(value.upper(), list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


class RequestNotJson(Rule):
    """The importRequest is not valid JSON.

    Why: HubSpot rejects the whole POST with HTTP 400 ("Unable to parse ... JSON") before any
    file is looked at, so nothing is imported.
    Example: a trailing comma, `{"name": "Q3 contacts", "files": [],}`, or a JSON text that is
    empty, truncated, nested thousands of levels deep, or uses NaN.
    Fix: correct the JSON at the line and column given; `python -m json.tool request.json`
    shows the same position.
    """

    code = "HS001"
    name = "request-not-json"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for n in _notes(ctx, "not-json", "too-large"):
            yield self.finding(f"request is not valid JSON: {n.detail}", file=ctx, pointer="",
                               line=n.line, column=n.column)


class RequestWrongType(Rule):
    """A request field has the wrong JSON type.

    Why: HubSpot's request schema is typed; a string where a boolean belongs (`"true"`), an
    object where a list belongs, or `null` for `files` makes the request fail or the field be
    ignored.
    Example: `"hasHeader": "true"` or `"columnMappings": {"0": {...}}`.
    Fix: use the JSON type given in the message (true/false without quotes, arrays in `[...]`).
    """

    code = "HS002"
    name = "request-wrong-type"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for n in _notes(ctx, "wrong-type"):
            yield self.finding(n.detail, file=ctx, pointer=n.pointer, value=n.value)


class RequestControlCharacters(Rule):
    """A request string holds a control character (NUL, escape, ...).

    Why: no name, property or file name means a control character; a NUL in a `fileName`
    (`"a.csv\u0000.txt"`) or an escape sequence in a `name` is a copy-paste or injection accident,
    and HubSpot's handling of them is not documented: the file is not found, the column not
    matched, or the text stored as is.
    Example: `"propertyName": "first\u0000name"`.
    Fix: delete the character (the message gives its code point) from the request.
    """

    code = "HS028"
    name = "request-control-characters"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for n in _notes(ctx, "control"):
            if n.pointer.endswith("/columnName"):
                continue  # it must equal its header cell, control characters and all (HS431 warns there)
            yield self.finding(f"{quote(str(n.value))} {n.detail}", file=ctx, pointer=n.pointer, value=n.value)


class MappingWithoutProperty(Rule):
    """A column mapping names no property (`propertyName` missing, null or empty).

    Why: `propertyName` may be null only on a multi-file import's common column (the one with
    `toColumnObjectTypeId`) and on association label columns (fact sheet 1.4, [V] S5). What
    HubSpot does with any other mapping without one is not documented [GAP]: at best the column
    is left out, at worst the import fails (an empty name is no property: PROPERTY_DEFINITION_NOT_FOUND).
    A `HUBSPOT_ALTERNATE_ID` column without its property identifies nothing.
    Example: `{"columnName": "First Name", "columnObjectTypeId": "0-1", "propertyName": null}`.
    Fix: name the property (`firstname`), or set `"ignored": true` to leave the column out on purpose.
    """

    code = "HS029"
    name = "mapping-without-property"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for f in ctx.spec.files:
            for c in f.columns:
                if (c.ignored or c.column_type not in ("STANDARD", "HUBSPOT_ALTERNATE_ID")
                        or c.to_object_type is not None or c.foreign_key is not None
                        or c.association_identifier):  # a common column's settings are HS310/HS311's
                    continue
                name = c.property_name
                if isinstance(name, str) and name.strip():
                    continue
                how = ("is empty" if isinstance(name, str) else "is null" if "propertyName" in c.raw
                       else "is missing")
                what = ("identifies nothing without it" if c.column_type == "HUBSPOT_ALTERNATE_ID"
                        else "HubSpot's handling of such a column is not documented")
                yield self.finding(f"column {quote(c.column_name or '')}: propertyName {how}; {what} (name the "
                                   'property, or set "ignored": true to leave the column out)', file=ctx,
                                   pointer=c.at("propertyName") if "propertyName" in c.raw else c.pointer)


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


class MissingFiles(Rule):
    """The request has no `files` list, or the list is empty.

    Why: every HubSpot import names at least one uploaded file in `files`; without it there is
    nothing to import and the request is rejected.
    Example: `{"name": "Contacts", "importOperations": {"0-1": "CREATE"}}`.
    Fix: add one `files` entry per uploaded file, with `fileName`, `fileFormat` and
    `fileImportPage.columnMappings`.
    """

    code = "HS003"
    name = "missing-files"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for n in _notes(ctx, "missing"):
            if n.pointer == "/files":
                yield self.finding(n.detail, file=ctx, pointer=n.pointer)
        files = ctx.spec.raw.get("files") if isinstance(ctx.spec.raw, dict) else None
        if isinstance(files, list) and not files:
            yield self.finding("request has an empty 'files' list", file=ctx, pointer="/files")


class MissingColumnMappings(Rule):
    """A file entry has no `fileImportPage.columnMappings`, or the list is empty.

    Why: through the API every column must be mapped, in file order; with no mappings HubSpot
    cannot import the file (a column left unmapped fails with INCORRECT_NUMBER_OF_COLUMNS).
    Example: `{"fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": true}}`.
    Fix: add one mapping per column, in the order of the file's header.
    """

    code = "HS004"
    name = "missing-column-mappings"
    hubspot_error = "INCORRECT_NUMBER_OF_COLUMNS"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for n in _notes(ctx, "missing"):
            if n.pointer.endswith(("/columnMappings", "/fileImportPage")):
                yield self.finding(n.detail, file=ctx, pointer=n.pointer)
        for f in ctx.spec.files:
            raw = f.raw.get("fileImportPage")
            mappings = raw.get("columnMappings") if isinstance(raw, dict) else None
            if isinstance(mappings, list) and not mappings:
                yield self.finding(f"columnMappings of {f.file_name!r} is empty", file=ctx,
                                   pointer=f.mappings_pointer)


class UnknownDateFormat(Rule):
    """`dateFormat` is not one of HubSpot's three date orders.

    Why: HubSpot accepts only MONTH_DAY_YEAR (the default), DAY_MONTH_YEAR and YEAR_MONTH_DAY;
    any other value is rejected or ignored, and every date is then read in the wrong order.
    Example: `"dateFormat": "DD/MM/YYYY"`.
    Fix: use one of the three names, for example `"dateFormat": "DAY_MONTH_YEAR"` for 31/12/2024.
    """

    code = "HS005"
    name = "unknown-date-format"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        formats = ctx.catalog.date_formats
        places = [("/dateFormat", ctx.spec.raw.get("dateFormat") if isinstance(ctx.spec.raw, dict) else None)]
        places += [(f.at("dateFormat"), f.date_format) for f in ctx.spec.files]
        for pointer, value in places:
            if isinstance(value, str) and value not in formats:
                yield self.finding(
                    f"dateFormat {quote(value)} is not one of {_choices(formats)}{_suggest(value, formats)}",
                    file=ctx, pointer=pointer, value=value)


class UnknownFileFormat(Rule):
    """`fileFormat` is neither CSV nor SPREADSHEET.

    Why: HubSpot knows two file formats: `CSV` for .csv files and `SPREADSHEET` for .xlsx/.xls.
    Anything else is rejected.
    Example: `"fileFormat": "XLSX"` or `"fileFormat": "csv"`.
    Fix: use `CSV` or `SPREADSHEET` (upper case).
    """

    code = "HS006"
    name = "unknown-file-format"
    hubspot_error = "INVALID_FILE_TYPE"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        formats = ctx.catalog.file_formats
        for f in ctx.spec.files:
            if f.file_format is not None and f.file_format not in formats:
                yield self.finding(
                    f"fileFormat {quote(f.file_format)} is not one of {_choices(formats)}"
                    f"{_suggest(f.file_format, formats)}",
                    file=ctx, pointer=f.at("fileFormat"), value=f.file_format)


class UnknownColumnType(Rule):
    """A column mapping's `columnType` (or legacy `idColumnType`) is not one HubSpot knows.

    Why: HubSpot reads a column as a property (`STANDARD`), a Record ID (`HUBSPOT_OBJECT_ID`),
    another unique identifier (`HUBSPOT_ALTERNATE_ID`), association labels
    (`FLEXIBLE_ASSOCIATION_LABEL`), same-object association keys (`ASSOCIATION_KEYS`) or an event
    time (`EVENT_TIMESTAMP`). Any other value is an invalid column configuration.
    Example: `"columnType": "EMAIL"` or `"columnType": "standard"`.
    Fix: use one of the values listed in the message, in upper case.
    """

    code = "HS007"
    name = "unknown-column-type"
    hubspot_error = "INVALID_COLUMN_CONFIGURATION"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        types = ctx.catalog.column_types
        for f in ctx.spec.files:
            for c in f.columns:
                if c.column_type not in types:
                    key = "columnType" if "columnType" in c.raw else "idColumnType"
                    yield self.finding(
                        f"columnType {quote(c.column_type)} is not one of {_choices(types)}"
                        f"{_suggest(c.column_type, types)}",
                        file=ctx, pointer=c.at(key), value=c.column_type)


class UnknownOperation(Rule):
    """An `importOperations` value is not CREATE, UPDATE or UPSERT.

    Why: HubSpot decides per object whether rows create records, update existing ones, or both;
    only these three operations exist.
    Example: `"importOperations": {"0-1": "INSERT"}`.
    Fix: use `CREATE`, `UPDATE` or `UPSERT` (the default when the object is not listed).
    """

    code = "HS008"
    name = "unknown-operation"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        ops = ctx.catalog.operations
        for obj, op in ctx.spec.operations.items():
            if op not in ops:
                yield self.finding(
                    f"import operation {quote(op)} for {ctx.catalog.object_label(obj)} is not one "
                    f"of {_choices(ops)}{_suggest(op, ops)}",
                    file=ctx, pointer=ctx.spec.operation_pointers[obj], value=op)


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


class MisplacedField(Rule):
    """A field sits where HubSpot does not read it (`dateFormat` inside `files[]`).

    Why: `dateFormat` is read only at the top level of the request. Inside a `files[]` entry it
    is silently ignored, so dates are parsed as MONTH_DAY_YEAR and day-first dates fail
    (reported on a Japanese write-up of the API, fact sheet 1.2). Likewise `columnMappings`
    belongs inside `fileImportPage`.
    Example: `"files": [{"fileName": "c.csv", "dateFormat": "DAY_MONTH_YEAR", ...}]`.
    Fix: move `dateFormat` to the top level, next to `name` and `files`.
    """

    code = "HS010"
    name = "misplaced-field"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for n in _notes(ctx, "misplaced"):
            detail = n.detail
            if n.pointer.endswith("/dateFormat"):
                used = ctx.spec.date_format
                detail += f"; HubSpot ignores it inside files[] and reads dates as {used}"
            yield self.finding(detail, file=ctx, pointer=n.pointer, value=n.value)


class FileNotFound(Rule):
    """A `files[].fileName` matches none of the files given for upload.

    Why: HubSpot pairs each `files[]` entry with the multipart file part of exactly that name;
    a name with no matching part fails with FILE_NOT_FOUND.
    Example: the request names `contacts.csv`, and neither the request's folder nor a `--file`
    option holds a file of that name (one that differs only in letter case is HS601's).
    Fix: make `fileName` equal the uploaded file's name, extension included, or pass the file
    with `--file NAME=PATH`.
    """

    code = "HS011"
    name = "file-not-found"
    hubspot_error = "FILE_NOT_FOUND"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for f in ctx.spec.files:
            lookup = ctx.lookups.get(f.file_name) if f.file_name is not None else None
            if lookup is not None and lookup.problem == "missing":
                yield self.finding(f"file {quote(f.file_name or '')} was not found: {lookup.detail}",
                                   file=ctx, pointer=f.at("fileName"), value=f.file_name)


class FileNameWithoutExtension(Rule):
    """A `fileName` has no extension.

    Why: HubSpot matches `fileName` to the uploaded part's name including its extension
    (`import_name.csv`); a bare name fails with FILE_NOT_FOUND.
    Example: `"fileName": "contacts"` for an upload named `contacts.csv`.
    Fix: give the full name with its extension: `"fileName": "contacts.csv"`.
    """

    code = "HS012"
    name = "file-name-without-extension"
    hubspot_error = "FILE_NOT_FOUND"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for f in ctx.spec.files:
            name = base_name(f.file_name) if f.file_name is not None else None
            if name is not None and "." not in name.strip("."):
                yield self.finding(f"fileName {quote(f.file_name or '')} has no extension",
                                   file=ctx, pointer=f.at("fileName"), value=f.file_name)


class FileNameWithPath(Rule):
    """A `fileName` contains a folder path.

    Why: `fileName` must equal the name of the uploaded part, not a local path; one report had
    HubSpot answer HTTP 400 for a path. The validator never opens such a path: it looks up only
    the base name in the request's folder.
    Example: `"fileName": "exports/2024/contacts.csv"` or `"C:\\data\\contacts.csv"`.
    Fix: use the bare file name: `"fileName": "contacts.csv"`.
    """

    code = "HS013"
    name = "file-name-with-path"
    hubspot_error = "FILE_NOT_FOUND"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for f in ctx.spec.files:
            if f.file_name is not None and has_path(f.file_name):
                yield self.finding(
                    f"fileName {quote(f.file_name)} contains a path; use {quote(base_name(f.file_name))}",
                    file=ctx, pointer=f.at("fileName"), value=f.file_name)


class FileTypeMismatch(Rule):
    """The file's content is not what `fileFormat` or its extension says.

    Why: HubSpot reads `CSV` parts as text and `SPREADSHEET` parts as Excel workbooks; a workbook
    declared as CSV, a CSV renamed .xlsx, or a PDF, gzip or other binary file fails with
    INVALID_FILE_TYPE. The check uses the file's first bytes (its magic number).
    Example: `"fileFormat": "CSV"` for a file that starts with `PK\\x03\\x04` (an .xlsx).
    Fix: export the data in the declared format, or set `fileFormat` (and the extension) to match
    the content.
    """

    code = "HS014"
    name = "file-type-mismatch"
    hubspot_error = "INVALID_FILE_TYPE"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        sniffed = file.sniff
        if sniffed is None or sniffed.kind == "empty":
            return
        pointer = file.spec.at("fileFormat") if file.spec.file_format else file.spec.at("fileName")
        actual = sniffed.format
        if actual is None:
            yield self.finding(f"file is {sniffed.description}, not CSV or a spreadsheet",
                               file=file, pointer=pointer)
            return
        declared = file.spec.file_format
        ext = "." + base_name(file.name).rsplit(".", 1)[-1].lower() if "." in file.name else ""
        by_ext = {".csv": "CSV", ".xlsx": "SPREADSHEET", ".xls": "SPREADSHEET"}.get(ext)
        if declared in ("CSV", "SPREADSHEET") and declared != actual:
            yield self.finding(f"fileFormat is {declared} but the file is {sniffed.description}",
                               file=file, pointer=file.spec.at("fileFormat"), value=declared)
        elif by_ext is not None and by_ext != actual:
            yield self.finding(f"the file is named {ext} but is {sniffed.description}",
                               file=file, pointer=file.spec.at("fileName"), value=file.name)


class MissingFileFormat(Rule):
    """A workbook's `files[]` entry does not say `"fileFormat": "SPREADSHEET"`.

    Why: `fileFormat` is `CSV` or `SPREADSHEET` ([V] S5); the official client's example leaves it
    out, for a CSV. With it left out, HubSpot is taken to read the file as CSV (fact sheet 1.3,
    [I]; the default is not documented), which a workbook is not: INVALID_FILE_TYPE.
    Example: `{"fileName": "contacts.xlsx", "fileImportPage": {...}}`.
    Fix: add `"fileFormat": "SPREADSHEET"` to the entry.
    """

    code = "HS030"
    name = "missing-file-format"
    severity = Severity.WARNING
    hubspot_error = "INVALID_FILE_TYPE"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        sniffed = file.sniff
        if file.spec.file_format is None and sniffed is not None and sniffed.format == "SPREADSHEET":
            yield self.finding(f"{quote(file.name)} is a workbook, but its files[] entry has no fileFormat; HubSpot "
                               'is taken to read such a file as CSV: set "fileFormat": "SPREADSHEET"',
                               file=file, pointer=file.spec.pointer)


class UnsupportedExtension(Rule):
    """A `fileName` ends in an extension HubSpot does not import.

    Why: HubSpot imports `.csv`, `.xlsx` and `.xls` files only; other extensions (`.tsv`,
    `.txt`, `.json`, `.csv.gz`) fail with INVALID_FILE_TYPE.
    Example: `"fileName": "contacts.tsv"`.
    Fix: save the data as a comma-separated .csv (UTF-8) or an .xlsx workbook and name it so.
    """

    code = "HS015"
    name = "unsupported-extension"
    hubspot_error = "INVALID_FILE_TYPE"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        allowed = ctx.catalog.extensions
        for f in ctx.spec.files:
            name = base_name(f.file_name or "")
            if "." not in name.strip("."):
                continue  # HS012
            ext = "." + name.rsplit(".", 1)[-1].lower()
            if ext not in allowed:
                yield self.finding(f"extension {quote(ext)} is not one HubSpot imports "
                                   f"({', '.join(allowed)})", file=ctx,
                                   pointer=f.at("fileName"), value=f.file_name)


class UnknownKey(Rule):
    """The request contains a key HubSpot's import schema does not have.

    Why: HubSpot ignores keys it does not know, so a misspelt key (`colunmMappings`,
    `hasheader`) silently does nothing and its default applies instead.
    Example: `"fileImportPage": {"hasheader": true, ...}`.
    Fix: correct the spelling (the message suggests the closest known key) or remove the key.
    """

    code = "HS016"
    name = "unknown-key"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for n in _notes(ctx, "unknown-key"):
            yield self.finding(n.detail, file=ctx, pointer=n.pointer, value=n.value)


class DuplicateKey(Rule):
    """A JSON object in the request gives the same key twice.

    Why: JSON parsers keep only the last value of a repeated key, silently, so two
    `fileName`s or two operations for one object leave one of them unused.
    Example: `{"fileName": "a.csv", "fileName": "b.csv", ...}`.
    Fix: keep one value per key.
    """

    code = "HS017"
    name = "duplicate-key"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for n in _notes(ctx, "duplicate-key"):
            yield self.finding(n.detail, file=ctx, pointer=n.pointer)


class LegacyFieldName(Rule):
    """A column mapping uses a legacy field name (`columnObjectType`, `idColumnType`).

    Why: HubSpot's current schema names these `columnObjectTypeId` and `columnType`; the old
    names still appear in HubSpot's longer examples and are accepted, and the validator
    normalises them, but new requests should use the current names. (`ignored` is old too, but
    has no current name: it stays the way to leave a column out, and is no finding.)
    Example: `{"columnName": "Email", "columnObjectType": "CONTACT", "idColumnType": "HUBSPOT_ALTERNATE_ID"}`.
    Fix: write `"columnObjectTypeId": "0-1"` and `"columnType": "HUBSPOT_ALTERNATE_ID"`.
    """

    code = "HS018"
    name = "legacy-field-name"
    severity = Severity.INFO

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for n in _notes(ctx, "legacy-name"):
            yield self.finding(n.detail, file=ctx, pointer=n.pointer)


class MissingField(Rule):
    """A required field is missing: `fileName`, `columnName`, or the object of a mapped column.

    Why: HubSpot needs the file's name to find the upload, each mapping's `columnName` to find
    its column, and the `columnObjectTypeId` of every mapped column to know which object the
    property belongs to; without them the column configuration is invalid.
    Example: `{"columnName": "Email", "propertyName": "email"}` (no `columnObjectTypeId`).
    Fix: add the missing field; the object is given by id (`0-1`) or name (`contacts`).
    """

    code = "HS019"
    name = "missing-field"
    hubspot_error = "INVALID_COLUMN_CONFIGURATION"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for n in _notes(ctx, "missing"):
            if n.pointer.endswith(("/fileName", "/columnName")):
                yield self.finding(n.detail, file=ctx, pointer=n.pointer)
        for f in ctx.spec.files:
            for c in f.columns:
                if c.ignored or c.object_type is not None:
                    continue
                yield self.finding(
                    f"column mapping {quote(c.column_name or '?')} has no columnObjectTypeId",
                    file=ctx, pointer=c.at("columnObjectTypeId"))


class ConflictingFields(Rule):
    """A mapping gives a legacy field and its current name with different values.

    Why: with both `columnObjectType` and `columnObjectTypeId` (or `idColumnType` and
    `columnType`) present and disagreeing, it is undefined which one HubSpot uses.
    Example: `{"columnObjectTypeId": "0-1", "columnObjectType": "COMPANY"}`.
    Fix: keep only the current field name.
    """

    code = "HS020"
    name = "conflicting-fields"
    hubspot_error = "INVALID_COLUMN_CONFIGURATION"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for n in _notes(ctx, "conflict"):
            yield self.finding(n.detail, file=ctx, pointer=n.pointer)


class UnknownObjectType(Rule):
    """An object type in the request is neither a known HubSpot object nor a custom object id.

    Why: objects are given by id (`0-1`), by name (`contacts`) or, for custom objects, by
    `2-<id>`; an unknown name fails with MISSING_OBJECT_DEFINITION. With a portal snapshot
    (`--portal`) that holds `schemas.json`, a `2-<id>` the portal does not have is unknown too.
    Example: `"columnObjectTypeId": "contact_person"` or `"0-99"`.
    Fix: use the object's id from the message's list, or the custom object's `2-...` id from
    `GET /crm/v3/schemas`.
    """

    code = "HS021"
    name = "unknown-object-type"
    hubspot_error = "MISSING_OBJECT_DEFINITION"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        cat = ctx.catalog
        for obj, pointer in ctx.spec.operation_pointers.items():
            if cat.object_id(obj) is None:
                yield self.finding(f"importOperations names unknown object {quote(obj)}{self._portal(cat, obj)}",
                                   file=ctx, pointer=pointer, value=obj)
        for f in ctx.spec.files:
            for c in f.columns:
                for raw, resolved, key in (
                    (c.object_type, c.object_type_id,
                     "columnObjectTypeId" if "columnObjectTypeId" in c.raw else "columnObjectType"),
                    (c.to_object_type, c.to_object_type_id, "toColumnObjectTypeId"),
                ):
                    if raw is not None and resolved is None:
                        yield self.finding(f"{key} {quote(raw)} is not a known HubSpot object{self._portal(cat, raw)}",
                                           file=ctx, pointer=c.at(key), value=raw)
                    elif isinstance(raw, str) and raw != raw.strip():
                        yield self.finding(f"{key} {quote(raw)} has spaces around {quote(raw.strip())}; HubSpot "
                                           "matches object ids and names as written", file=ctx, pointer=c.at(key),
                                           value=raw)
        ops = ctx.spec.raw.get("importOperations") if isinstance(ctx.spec.raw, Mapping) else None
        for key in ops if isinstance(ops, Mapping) else ():
            if isinstance(key, str) and key != key.strip() and cat.object_id(key) is not None:
                yield self.finding(f"importOperations key {quote(key)} has spaces around {quote(key.strip())}; "
                                   "HubSpot matches object ids and names as written", file=ctx,
                                   pointer=f"/importOperations/{escape_pointer(key)}", value=key)

    @staticmethod
    def _portal(cat: Catalog, raw: str) -> str:
        """Why a custom object id is unknown: the portal snapshot's schemas.json lists others."""
        if not (cat.custom_objects_known and CUSTOM_OBJECT.match(raw.strip())):
            return ""
        known = cat.custom_objects()
        listed = ", ".join(f"{k} ({cat.objects[k].names[0]})" if cat.objects[k].names else k
                           for k in known[:10]) if known else "none"
        return f": the portal snapshot's custom objects (schemas.json) are {listed}"


class DuplicateFileName(Rule):
    """Two `files[]` entries have the same `fileName`.

    Why: HubSpot pairs entries with uploaded parts by name; two entries with one name cannot
    both be matched, and one file's mappings are applied to the other.
    Example: two entries with `"fileName": "contacts.csv"`.
    Fix: give each uploaded file a distinct name and one entry.
    """

    code = "HS022"
    name = "duplicate-file-name"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        first: dict[str, int] = {}
        for f in ctx.spec.files:
            if f.file_name is None:
                continue
            if f.file_name in first:
                yield self.finding(
                    f"fileName {quote(f.file_name)} is also used by files[{first[f.file_name]}]",
                    file=ctx, pointer=f.at("fileName"), value=f.file_name)
            else:
                first[f.file_name] = f.index


class RequestBom(Rule):
    """The request file starts with a byte order mark.

    Why: the importRequest is sent as a text form field; a leading byte order mark is not JSON
    and can make HubSpot's parser reject the request ("Unable to parse JSON").
    Example: a request saved by Notepad as "UTF-8 with BOM".
    Fix: save the JSON as UTF-8 without a byte order mark.
    """

    code = "HS023"
    name = "request-bom"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for n in _notes(ctx, "bom"):
            yield self.finding(n.detail, file=ctx, pointer="", line=1, column=1)
