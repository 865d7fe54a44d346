"""Request rules (HS0xx) on the ``files[]`` entries against the files given: a ``fileName`` that
matches no file, lacks an extension, holds a path, names an extension HubSpot does not import or
is used twice, and a file whose content is not what its ``fileFormat`` or extension says."""

from __future__ import annotations

from collections.abc import Iterator

from validator.checks.base import Hit, Rule, quote
from validator.context import FileContext, ImportContext
from validator.findings import Severity
from validator.sources import base_name, has_path


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
