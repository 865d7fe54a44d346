"""Request rules (HS0xx) on the importRequest JSON as a document: invalid JSON, a byte order
mark, wrong JSON types, optional fields that are null, control characters, unknown, duplicate,
legacy, conflicting or misplaced keys, and missing required fields (files, column mappings, file
and column names, a mapping's object or property). Most turn the notes ``validator.request`` made
while parsing into findings. The other request rules live beside it: ``request_names`` (fields
that must hold one of HubSpot's names), ``request_files`` (``files[]`` entries against the files
given), ``request_objects`` (the objects imported and their operations) and ``request_settings``
(settings with nothing to act on where they stand)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from validator.checks.base import Hit, Rule, quote
from validator.context import ImportContext
from validator.findings import Severity


def _notes(ctx: ImportContext, *kinds: str) -> Iterator:
    return (n for n in ctx.spec.notes if n.kind in kinds)


class RequestNotJson(Rule):
    """The importRequest is not valid JSON.

    Why: HubSpot rejects the whole POST with HTTP 400 ("Unable to parse ... JSON") before any
    file is looked at, so nothing is imported.
    Example: a trailing comma, `{"name": "Q3 contacts", "files": [],}`, or a JSON text that is
    empty, truncated, nested thousands of levels deep, uses NaN, or is saved as UTF-16 (a
    Windows editor's "Unicode").
    Fix: correct the JSON at the line and column given (`python -m json.tool request.json`
    shows the same position); save the file as UTF-8.
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


class NullField(Rule):
    """An optional request field is `null`.

    Why: HubSpot's guide gives each optional field a type (a string, true or false, an object) and
    says what leaving it out means; it documents `null` only where its own example writes it
    (`propertyName`, `columnType`, `idColumnType`, `toColumnObjectTypeId`, `foreignKeyType`, fact
    sheet 1.4). Whether it reads `null` elsewhere as the field left out or refuses it is not
    documented [GAP]; a serialiser writes one for an unset field. This check reads it as the field
    left out (the message says what that means) and says so, rather than take it for a value. A
    required field that is `null` (`files`, `fileName`, `columnName`, ...) is HS002's, as is the
    legacy `columnObjectType` where no `columnObjectTypeId` is given (it is the column's object).
    Example: `"dateFormat": null` (dates then read as MONTH_DAY_YEAR) or `"ignored": null`.
    Fix: leave the field out, or give it a value of its type.
    """

    code = "HS034"
    name = "null-field"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for n in _notes(ctx, "null"):
            yield self.finding(n.detail, file=ctx, pointer=n.pointer, value="null")


class MissingImportName(Rule):
    """The request has no `name`, or an empty one.

    Why: HubSpot's guide lists `name` among the fields an importRequest includes; it is how the
    import is shown on the Imports page, in its error report and in lists made from it (fact
    sheet 1.2, [V] S5). What HubSpot does without one is not documented [GAP]: an import
    without a name is hard to tell from the others when its errors come back hours later.
    A `null` name is HS034's, a name that is no string HS002's.
    Example: `{"files": [...], "importOperations": {"0-1": "UPSERT"}}`, or `"name": " "` (spaces or
    invisible characters only, as a zero-width space).
    Fix: give the import a name that says what it is and when (`"name": "Expo leads 2026-11"`).
    """

    code = "HS036"
    name = "missing-import-name"
    severity = Severity.INFO

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        raw = ctx.spec.raw
        if not isinstance(raw, dict) or not isinstance(raw.get("files"), list):
            return  # not a request at all (HS001, HS002, HS003 say what it is)
        if "name" not in raw:
            yield self.finding("the request has no name; HubSpot shows an import by its name on the Imports "
                               "page and in lists made from it", file=ctx, pointer="/name")
        elif isinstance(raw["name"], str) and not _shown(raw["name"]):
            yield self.finding(f"name {quote(raw['name'])} is empty; HubSpot shows an import by its name on the "
                               "Imports page and in lists made from it", file=ctx, pointer="/name", value=raw["name"])


def _shown(text: str) -> str:
    """``text`` as a page shows it: without spaces and invisible format characters (a zero-width
    space, a word joiner, a byte order mark)."""
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


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
                raw = c.raw.get("propertyName", name)  # (a value of the wrong type is HS002's, and read as none)
                how = ("is missing" if "propertyName" not in c.raw else "is empty" if isinstance(raw, str)
                       else "is null" if raw is None else "is not a string")
                what = ("identifies nothing without it" if c.column_type == "HUBSPOT_ALTERNATE_ID"
                        else "HubSpot's handling of such a column is not documented")
                yield self.finding(f"column {quote(c.column_name or '')}: propertyName {how}; {what} (name the "
                                   'property, or set "ignored": true to leave the column out)', file=ctx,
                                   pointer=c.at("propertyName") if "propertyName" in c.raw else c.pointer)


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
    property belongs to. A `files[]` entry without a `fileName` names no uploaded part, which is
    FILE_NOT_FOUND (fact sheet 2.2 and 9 #5: a `fileName` that matches no part; HS011-HS013 name
    it for a `fileName` that is there); without the others the column configuration is invalid.
    A `columnObjectTypeId` that is there but no string (`null`, `7`) is HS002's alone, as a null
    `fileName` or `columnName` is: one finding at its pointer, saying what it holds; so is the
    legacy `columnObjectType` where it stands alone for it (not HS034's "read as left out").
    Example: `{"columnName": "Email", "propertyName": "email"}` (no `columnObjectTypeId`).
    Fix: add the missing field; the object is given by id (`0-1`) or name (`contacts`).
    """

    code = "HS019"
    name = "missing-field"
    hubspot_error = "INVALID_COLUMN_CONFIGURATION"
    other_errors = ("FILE_NOT_FOUND",)

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for n in _notes(ctx, "missing"):
            if n.pointer.endswith("/fileName"):
                yield self.finding(n.detail, file=ctx, pointer=n.pointer, hubspot_error="FILE_NOT_FOUND")
            elif n.pointer.endswith("/columnName"):
                yield self.finding(n.detail, file=ctx, pointer=n.pointer)
        typed = {n.pointer for n in _notes(ctx, "wrong-type")}
        for f in ctx.spec.files:
            for c in f.columns:
                if (c.ignored or c.object_type is not None or c.at("columnObjectTypeId") in typed
                        or ("columnObjectTypeId" not in c.raw and c.at("columnObjectType") in typed)):
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
