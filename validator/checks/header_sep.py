"""Excel's `sep=` line (HS108): a first line that tells Excel the delimiter, read by HubSpot as
the header row. The findings it causes in other rules (HS103, HS105, HS110, HS408, HS410, HS608)
are told apart by ``sep_line``, so that they name the cause once instead of on every column and
row."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from validator.checks.base import Hit, Rule, quote
from validator.context import FileContext
from validator.findings import Severity
from validator.readers.base import Chunk
from validator.readers.csv_exact import SEP_LINE

_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def sep_line(file: FileContext) -> str | None:
    """The text of a CSV's header row where it is Excel's `sep=X` line (`sep=,`, `sep=;`), else
    None. The line holds its own delimiter, so it reads as `sep=` and one blank cell (or as one
    cell where it names another delimiter than the file's)."""
    header = file.header
    if header is None or file.notes.kind != "csv" or not file.spec.has_header or len(header.cells) > 2:
        return None
    text = file.notes.delimiter.join(header.cells).lstrip("\ufeff")
    return text if SEP_LINE.fullmatch(text) else None


def reports_sep_line(file: FileContext) -> bool:
    """Whether a rule may leave what a `sep=` line causes to HS108: there is one, and HS108
    reports in this file (with HS108 turned off, each rule reports as before)."""
    return sep_line(file) is not None and file.reports(SepLine.code)


class SepLine(Rule):
    """The first line is Excel's `sep=,` (or `sep=;`) delimiter line, not the header.

    Why: Excel writes `sep=,` above the header in some CSV saves (and reads it, to split the file
    on that delimiter, then hides it). HubSpot does not document the line; it takes row 1 as the
    header row ([V] fact sheet 1.3, 7), so the line is read as a header of `sep=` and a blank
    cell, no `columnName` matches it (HS101, naming the line, and HS103 report that, once) and each row is longer than
    this header. What HubSpot does with the line itself is not documented, hence a warning. The
    blank header cell (HS105, HS410's trailing column), the title row (HS608) and rows as wide as
    the line under it (HS110) are this line's doing and are not reported again; a row wider or
    narrower than the real header is still HS110's, and HS408 counts the delimiter in the real
    header, not in the line. Under a title (HS608) the line is a row above the header HS608
    names, reported at its row: HubSpot reads it as a data row.
    Example: `sep=,` on line 1, `Email,First Name` on line 2.
    Fix: delete line 1 (`sep=...`), so that the column names are row 1.
    """

    code = "HS108"
    name = "excel-sep-line"
    severity = Severity.WARNING

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.first = True  # the file's first chunk is still to come (where HS608 finds the title's header)

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.first = True
        text = sep_line(file)
        if text is None or file.header is None:
            return
        named = text[4:]
        said = _NAMES.get(named, quote(named))
        yield self.finding(
            f"row 1 is Excel's delimiter line {quote(text)} ({said}), not a header: HubSpot does not "
            f"document it and takes row 1 as the header, so the column names on the next line match "
            f"no columnName", file=file, row=file.header.row, line=file.header.line, value=text,
            hint="delete the first line")

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if not self.first:
            return
        self.first = False
        from validator.checks.header_title import rows_down_to, title_header
        found = title_header(file, chunk) if file.notes.kind == "csv" else None
        if found is None:
            return
        for row, line, _fields, cells in rows_down_to(file, chunk, found.row - 1):
            text = file.notes.delimiter.join(str(c) for c in cells)
            if row > 1 and SEP_LINE.fullmatch(text):
                said = _NAMES.get(text[4:], quote(text[4:]))
                yield self.finding(
                    f"row {row} is Excel's delimiter line {quote(text)} ({said}), between row 1 and the header "
                    f"on {found.where()} (HS608): HubSpot does not document it and reads it as a data row "
                    f"(Excel reads it on line 1 only)", file=file, row=row, line=line, value=text,
                    hint="delete it, with the other lines above the column names")
