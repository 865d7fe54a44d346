"""Rules from the hostile-input catalogue (HS601-HS609; tests/hostile/catalogue.toml).

Files that other tools mangled before they reach HubSpot: names changed by the file system,
text decoded wrongly once already, cells longer than Excel keeps, merged ranges, header rows
that are not headers, comment and title lines, line breaks where HubSpot keeps one line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import numpy as np

from validator.catalog import Catalog, builtin
from validator.checks._columns import additional_kind, is_domain, is_email
from validator.checks._facts import screen
from validator.checks.base import CatalogRule, Hit, Rule, quote, with_values
from validator.checks.header_title import mapped_names, title_header, title_rows, title_wanted
from validator.checks.spreadsheet import workbook
from validator.context import TITLE_ROWS, Column, FileContext, ImportContext, normalise_name
from validator.findings import Severity, column_letter
from validator.readers.base import Chunk
from validator.sources import base_name

EXCEL_CELL_CHARS = 32_767  # Excel's "Total number of characters that a cell can contain"


def file_name_key(name: str) -> str:
    """How file systems compare names: macOS stores NFD, Windows and macOS ignore case."""
    return unicodedata.normalize("NFC", name).casefold()


def _differs(a: str, b: str) -> str:
    """What separates two names that are equal after NFC and case-folding."""
    if unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b):
        return "Unicode normalisation (NFC/NFD)"
    if a.casefold() == b.casefold():
        return "letter case"
    return "Unicode normalisation (NFC/NFD) and letter case"


class FileNameNearMatch(Rule):
    """A `fileName` matches a file only after Unicode normalisation or when letter case is ignored.

    Why: HubSpot matches each `fileName` to the name of an uploaded file (HS011); whether it
    forgives a difference in case or Unicode normalisation is not documented ([I], so a
    warning). macOS stores accented names decomposed (NFD: `e` + U+0301), while a request typed
    by hand has them composed (NFC: `é`); case-insensitive disks (Windows, macOS) hide a
    difference in case until the files move to Linux or an upload script. The validator checks
    the file it found this way, and reports two `fileName`s that such disks would treat as one.
    Example: `"fileName": "Renée.csv"` for a file saved on a Mac as `Rene\\u0301e.csv`;
    `data.csv` in the request, `DATA.CSV` on disk.
    Fix: rename the file, or copy its name exactly into `fileName`.
    """

    code = "HS601"
    name = "file-name-near-match"
    severity = Severity.WARNING
    hubspot_error = "FILE_NOT_FOUND"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        seen: dict[str, str] = {}
        for f in ctx.spec.files:
            name = f.file_name
            if name is None:
                continue
            short = base_name(name)
            lookup = ctx.lookups.get(name)
            if lookup is not None and lookup.near is not None:
                yield self.finding(
                    f"fileName {quote(short)} matches the file {quote(lookup.near)} only when "
                    f"{_differs(short, lookup.near)} is ignored; HubSpot matches file names exactly",
                    file=ctx, pointer=f.at("fileName"), value=name)
            other = seen.setdefault(file_name_key(short), short)
            if other != short:
                yield self.finding(
                    f"fileNames {quote(other)} and {quote(short)} differ only in {_differs(other, short)}: "
                    "on Windows and macOS they are one file", file=ctx, pointer=f.at("fileName"), value=name)


class ReplacementCharacter(CatalogRule):
    """A header or value holds U+FFFD, the replacement character `�`.

    Why: a program puts U+FFFD where it could not decode the bytes it read, so the file was
    already mis-decoded once (a Windows-1252 export read as UTF-8, then saved again). The
    original letters are lost; HubSpot imports the `�` as it is. In an email the address is no
    longer the contact's: HubSpot may refuse it (its email grammar is not published, [GAP]) or
    keep a wrong address, so this rule names it, with its fix, and HS212 (invalid email) does
    not, unless the address is malformed otherwise too. So too a company domain (HS213) and a
    list of additional emails or domains (HS245): an identifier HubSpot matches records on.
    The values of a column mapped `"ignored": true` are not imported, so not checked.
    Example: `Ren�e` where the source had `Renée`; the email `ren�e@x.com`; the domain `acm�.com`.
    Fix: export the data again from the source system as UTF-8, or repair the names (addresses,
    domains) by hand.
    """

    code = "HS602"
    name = "replacement-character"
    severity = Severity.WARNING

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        if file.header is None:
            return
        for col in file.columns:
            if col.name and "\ufffd" in col.name:
                yield self.finding(f"header {quote(col.name)} contains U+FFFD: an earlier mis-decoding lost "
                                   "characters", file=file, row=1, line=file.header.line, column=col)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in with_values(chunk, file.imported()):
            seen = screen(chunk, col.index)
            if not seen.holds(b"\xef"):  # U+FFFD is EF BF BD in UTF-8
                continue
            bad = chunk.column(col.index).str.contains("\ufffd", regex=False).to_numpy(dtype=bool)
            kind = self._identifier(col)
            yield from self.cells(chunk, file, col, bad, _LOST_ELSEWHERE if kind is None else _LOST[kind])

    def _identifier(self, col: Column) -> str | None:
        """The kind of identifier ``col`` holds, whose own format rule leaves a value valid but
        for its U+FFFD to this rule (a key of ``_LOST``), else None."""
        if is_email(col, self.catalog):
            return "email"
        if is_domain(col, self.catalog):
            return "domain"
        kind = additional_kind(col, self.catalog)
        return None if kind is None else f"additional {kind}"


_LOST_ELSEWHERE = "{value} contains U+FFFD: an earlier mis-decoding likely lost characters"
# by the identifier a column holds: what was lost, what HubSpot may do with it, and the fix
_LOST = {
    "email": ("email {value} contains U+FFFD: an earlier mis-decoding lost a character of the address, "
              "which HubSpot may refuse or import as another address; take the address from the source "
              "again, exported as UTF-8, or correct it by hand"),
    "domain": ("domain {value} contains U+FFFD: an earlier mis-decoding lost a character of the domain, "
               "which HubSpot may refuse or import as another company's domain; take the domain from the "
               "source again, exported as UTF-8, or correct it by hand"),
    "additional email": ("additional emails {value} contain U+FFFD: an earlier mis-decoding lost a character "
                         "of an address, which HubSpot may refuse or import as another address; take the "
                         "addresses from the source again, exported as UTF-8, or correct them by hand"),
    "additional domain": ("additional domains {value} contain U+FFFD: an earlier mis-decoding lost a character "
                          "of a domain, which HubSpot may refuse or import as another company's domain; take "
                          "the domains from the source again, exported as UTF-8, or correct them by hand"),
}


class ExcelCellLimit(Rule):
    """A value is longer than the 32,767 characters an Excel cell holds.

    Why: 32,767 characters is Excel's documented limit per cell. Excel cuts a longer CSV value
    when it opens the file, so one round trip through Excel loses the rest; a workbook with
    such a cell was not written by Excel, which may call it damaged ([I]). HubSpot's own limit
    (65,536 characters) is HS218. The values of a column mapped `"ignored": true` are not
    imported, so not checked.
    Example: a notes column holding a whole e-mail thread.
    Fix: shorten the value, or keep the file out of Excel (edit it as text).
    """

    code = "HS603"
    name = "excel-cell-limit"
    severity = Severity.WARNING
    options: ClassVar[Mapping[str, Any]] = {"max_chars": EXCEL_CELL_CHARS}

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        # 0: the default, as in the other limits; a larger option does not loosen Excel's own limit
        own = int(self.opt["max_chars"] or EXCEL_CELL_CHARS)
        limit = min(own, EXCEL_CELL_CHARS)
        whose = "an Excel cell holds at most" if limit == EXCEL_CELL_CHARS else "the configured most is"
        then = "Excel cuts it when it opens the file" if file.sheet is None else \
            "Excel may call the workbook damaged"
        for col in with_values(chunk, file.imported()):
            seen = screen(chunk, col.index)
            if seen.longest <= limit:
                continue  # no cell has more bytes, so none more characters, than the limit
            long = (chunk.column(col.index).str.len() > limit).to_numpy(dtype=bool)
            yield from self.cells(chunk, file, col, long,
                                  lambda v: f"value is {len(v):,} characters; {whose} {limit:,}"
                                            + (f", so {then}" if limit == EXCEL_CELL_CHARS else ""))


class MergedCells(Rule):
    """Data cells of a spreadsheet are merged.

    Why: a merged range keeps its value in its first cell only; every other cell of the range
    is empty in the file, so HubSpot imports those rows without the value they seem to have.
    Merged header cells are HS422.
    Example: `B2:B3` merged to show one company name for two contacts.
    Fix: unmerge the range and fill the value into every cell.
    """

    code = "HS604"
    name = "merged-cells"
    severity = Severity.WARNING

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        scan = workbook(file)
        if scan is None:
            return
        for r1, c1, r2, c2 in scan.scan.merged:
            if (r1, c1) == (r2, c2) or (file.spec.has_header and r1 <= 1):
                continue
            ref = f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"
            cells = (r2 - r1 + 1) * (c2 - c1 + 1)
            yield self.finding(f"cells {ref} are merged: only {column_letter(c1)}{r1} holds the value, "
                               f"the other {cells - 1:,} import as empty", file=file, row=r1, column=c1,
                               value=ref)


_BREAKS = re.compile("[\t\n\r]")


def _shown(text: str) -> str:
    return quote(text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r"))


class HeaderLineBreak(Rule):
    """A header cell contains a line break or a tab.

    Why: a line break typed into a header cell (Alt+Enter in Excel) or a tab must be repeated
    exactly in `columnName`, which JSON makes easy to get wrong; tools that show or copy the
    header split it into two lines or trim it. Other control characters are HS431.
    Example: `"Email\\nAddress"` as a header.
    Fix: put the header on one line, with spaces instead of the break or tab.
    """

    code = "HS605"
    name = "header-line-break"
    severity = Severity.WARNING

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        if file.header is None:
            return
        for col in file.columns:
            if col.name and _BREAKS.search(col.name):
                what = "a tab" if not re.search("[\n\r]", col.name) else "a line break"
                yield self.finding(f"header {_shown(col.name)} contains {what}", file=file, row=1,
                                   line=file.header.line, column=col)


class CommentLine(Rule):
    """A line looks like a comment (`# ...`).

    Why: CSV has no comment lines. HubSpot reads a `#` line as a data row: a short one is a
    row with too few columns (INCORRECT_NUMBER_OF_COLUMNS), a full-width one creates a record
    named after the comment.
    Example: `# exported by CRM 2024-01-31` between the header and the data.
    Fix: delete the line.
    """

    code = "HS606"
    name = "comment-line"
    severity = Severity.WARNING

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if file.sheet is not None:
            return
        for note in chunk.notes:
            first = (note.cells or note.sample or ("",))[0]
            if note.kind == "ragged" and note.fields < file.width and first.lstrip().startswith("#"):
                yield self._hit(file, note.row, note.line, first)
        frame = chunk.frame
        if not len(frame) or not frame.shape[1]:
            return
        seen = screen(chunk, 0)
        if not seen.holds(b"#"):
            return
        starts = frame[0].str.contains(r"^\s*#", regex=True).to_numpy(dtype=bool)
        if not starts.any():
            return
        rest = (frame.iloc[:, 1:] == "").to_numpy().all(axis=1) if frame.shape[1] > 1 else starts
        for i in np.flatnonzero(starts & rest):
            line = int(chunk.lines[i]) if len(chunk.lines) == len(frame) else None
            yield self._hit(file, int(chunk.rows[i]), line, str(frame.iat[i, 0]))

    def _hit(self, file: FileContext, row: int, line: int | None, text: str) -> Hit:
        return self.finding(f"line looks like a comment ({quote(text)}); CSV has no comments, so HubSpot "
                            "imports it as a data row", file=file, row=row, line=line, value=text)


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_NUMBER = re.compile(r"[+-]?\d[\d.,]*")
_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")


class HeaderLooksLikeData(Rule):
    """The header row looks like data: e-mail addresses, numbers or dates.

    Why: with `hasHeader: true` HubSpot takes the first row as the header, so a file exported
    without one loses its first record and its columns match no `columnName`.
    Example: `a@x.com,Ann` as the first line of a file whose request says `hasHeader: true`.
    Fix: add the header row the `columnMappings` name, or set `hasHeader` to false.
    """

    code = "HS607"
    name = "header-looks-like-data"
    severity = Severity.WARNING

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        if file.header is None or not file.spec.has_header:
            return
        mapped = mapped_names(file)
        cells = [(c, text) for c in file.columns if c.name and (text := c.name.strip())]
        # (each pattern needs an "@", or a sign or digit first: the others are passed over cheaply)
        emails = [c for c, text in cells if "@" in text and _EMAIL.fullmatch(text)
                  and normalise_name(text) not in mapped]
        other = [c for c, text in cells if (text[0] in "+-" or text[0].isdecimal())
                 and (_NUMBER.fullmatch(text) or _DATE.fullmatch(text)) and normalise_name(text) not in mapped]
        if emails or (cells and 2 * len(other) >= len(cells)):
            col = (emails or other)[0]
            assert col.name is not None
            what = "an e-mail address" if emails else "a number or date"
            yield self.finding(f"row 1 looks like data, not a header ({quote(col.name)} is {what}); with "
                               "hasHeader true HubSpot reads it as the header and does not import it",
                               file=file, row=1, line=file.header.line, column=col)


class TitleRow(Rule):
    """The first row is a title or preamble; the header the mappings name comes later.

    Why: HubSpot takes the first row as the header. Exports that start with a title (`Contacts
    export 2024-01-31`), a few lines of notes or a blank line shift the real header down, so no
    `columnName` matches and the header itself is imported as a record (a blank first row is
    called blank, not a title). What the title causes is said once, not per column and row: HS101
    counts the title's columns and names it, HS103 gives one error at the mappings naming the row
    the column names are on, the title's blank cells are not HS105's (`Contacts export,,`), blank
    lines above that row are not HS113's, a row is HS110's when its width differs from that
    header's, not from the title's (deleting the lines above the header mends every row as wide
    as it; one that is not stays broken), and the cells of the lines above it and of its own row
    are not checked as values. With HS608 turned off, each reports as before.
    Example: a report title on line 1, the column names on line 2; LinkedIn's Connections.csv,
    whose `Notes:` lines and a blank line stand above the header.
    Fix: delete the lines above the header.
    """

    code = "HS608"
    name = "title-row"
    severity = Severity.WARNING
    options: ClassVar[Mapping[str, Any]] = {"rows": TITLE_ROWS}  # (the CSV readers look as far down: ImportContext)
    # the rows looked down are held as one chunk (readers.base.reaching): bounded, as memory is
    option_max: ClassVar[Mapping[str, int]] = {"rows": 1_000}

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.wanted: set[str] = set()

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.wanted = title_wanted(file)  # (none under Excel's sep= line: HS108 names the line)
        title_rows(file, int(self.opt["rows"]))  # (the other rules find the header under a title as far down)
        yield from ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if not self.wanted:
            return
        self.wanted = set()
        found = title_header(file, chunk)  # (the one the other rules read)
        if found is None or file.header is None:
            return
        csv = file.notes.kind == "csv" and found.line is not None  # (a workbook's rows are one line each)
        above = found.line - 1 if csv and found.line is not None else found.row - 1
        lines = f"{'line' if csv else 'row'}{'' if above == 1 else 's'} 1{'' if above == 1 else f'-{above}'}"
        yield self.finding(f"{found.said()}: the column names the mappings use are on {found.where()}", file=file,
                           row=1, line=file.header.line, value=found.title,
                           hint=f"delete {lines}, above the column names")

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        self.wanted = set()
        yield from ()


SINGLE_LINE_EXEMPT = frozenset({"textarea", "html", "rich_text"})


class MultiLineValue(CatalogRule):
    """A value holds a line break, but its property is a single-line field.

    Why: HubSpot imports the break as it is into a single-line text property; forms, lists and
    exports then show the value oddly or split it ([I]; information only). Multi-line text
    properties (`textarea`) take breaks as intended.
    Example: `"Ann\\nMarie"` in a First Name column.
    Fix: replace the break with a space, or map the column to a multi-line text property.
    """

    code = "HS609"
    name = "multiline-value"
    severity = Severity.INFO

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.catalog: Catalog = builtin()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in with_values(chunk, file.mapped()):
            spec = col.spec
            assert spec is not None
            prop = self.catalog.property_of(spec.object_type_id, spec.property_name) \
                if spec.object_type_id and spec.property_name else None
            if prop is None or prop.field_type in SINGLE_LINE_EXEMPT:
                continue
            seen = screen(chunk, col.index)
            if not seen.holds(b"\r\n"):
                continue
            bad = chunk.column(col.index).str.contains("[\r\n]", regex=True).to_numpy(dtype=bool)
            yield from self.cells(chunk, file, col, bad, _multiline_message(prop.name))


def _multiline_message(prop: str) -> Callable[[str], str]:
    return lambda value: f"{_shown(value)} has a line break, but {prop} is a single-line property"


class FileChanged(Rule):
    """The file changed while it was being checked.

    Why: a file that grows or is rewritten during the check (an export still being written, a
    sync client replacing it) is not the file the report describes. The validator reads one
    open descriptor only as far as the size it had when opened, then compares size and
    modification time again, so the report stays consistent with the file as it was then.
    Example: checking a CSV that an export job is still appending rows to.
    Fix: wait until the file is complete, then check it again.
    """

    code = "HS610"
    name = "file-changed-while-read"
    severity = Severity.WARNING

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        changed = file.notes.extra.get("changed")
        if not isinstance(changed, tuple):
            return
        before, now = changed
        how = "grew" if now > before else "shrank" if now < before else "was rewritten"
        yield self.finding(f"the file {how} while it was checked ({before:,} bytes when opened, {now:,} bytes "
                           f"now); only what was there at open was checked", file=file)
