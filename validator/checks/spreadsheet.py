"""Spreadsheet rules on the workbook (HS420-HS424, HS432, HS433, HS435, HS437): its sheets, formatted
empty rows and columns, hidden data, merged header cells, formulas without a value and error values,
a workbook named as the other kind of workbook, a table's totals row;
with the pre-scan's workbook facts (``workbook``) and the catalog column roles the cell rules of
``spreadsheet_dates`` and ``spreadsheet_numbers`` share.

The workbook facts come from the reader's pre-scan (``notes.extra["workbook"]``); cell kinds
(number, date, error, formula without value) from ``Chunk.kinds``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from validator.checks._columns import is_date
from validator.checks.base import CatalogRule, Hit, Rule, quote, with_values
from validator.checks.typed import kind_mask
from validator.context import Column, FileContext
from validator.findings import Severity, column_letter
from validator.readers.base import Chunk

if TYPE_CHECKING:
    from validator.readers.xlsx_scan import WorkbookScan


def workbook(file: FileContext) -> WorkbookScan | None:
    scan = file.notes.extra.get("workbook")
    if scan is None:  # a CSV: the workbook scanner (and its XML parser) is never imported
        return None
    from validator.readers.xlsx_scan import WorkbookScan

    return scan if isinstance(scan, WorkbookScan) else None


NAMES_LISTED = 20  # sheet names a message lists before "and N more" (a workbook may hold thousands)


def _names(names: list[str]) -> str:
    listed = ", ".join(quote(n) for n in names[:NAMES_LISTED]) or "none"
    return listed + (f" and {len(names) - NAMES_LISTED:,} more" if len(names) > NAMES_LISTED else "")


class _CatalogRule(CatalogRule):
    """Column roles from the import's catalog."""

    def date_columns(self, file: FileContext) -> list[Column]:
        """The file's columns mapped to date or datetime properties."""
        return [col for col in file.columns if is_date(col, self.catalog)]


class SheetCount(Rule):
    """The workbook has more than one sheet.

    Why: HubSpot imports a workbook with exactly one sheet and fails any other with
    INVALID_SHEET_COUNT (fact sheet 7, [V] S6). Extra sheets are often a notes tab or an
    old copy of the data left behind. The validator checks the first worksheet that holds data.
    Example: `contacts.xlsx` with sheets `Contacts` and `Sheet2`.
    Fix: delete the other sheets (or copy the data sheet into a new workbook) and save again.
    """

    code = "HS420"
    name = "sheet-count"
    hubspot_error = "INVALID_SHEET_COUNT"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        scan = workbook(file)
        if scan is None or len(scan.sheets) <= 1:
            return
        listed = _names([s.name + ("" if s.state == "visible" else f" ({s.state})") for s in scan.sheets])
        yield self.finding(
            f"the workbook has {len(scan.sheets)} sheets ({listed}); HubSpot takes exactly one. "
            f"Sheets holding data: {_names(scan.sheets_with_data)}; checked: "
            f"{quote(scan.chosen.name) if scan.chosen else 'none'}",
            file=file, hint="delete the other sheets and save the workbook again")


_WORKBOOK_KINDS = {".xlsx": "an .xlsx (Excel Workbook)", ".xls": "an .xls (Excel 97-2003 Workbook)"}


class WorkbookKindMismatch(Rule):
    """An Excel 97-2003 workbook is named `.xlsx`, or an `.xlsx` workbook `.xls`.

    Why: the two are different formats (an OLE2 compound file of BIFF records; a ZIP of XML
    parts). The validator reads a workbook by its content, as pandas does, but a reader that goes
    by the name fails on it (openpyxl and python-calamine refuse an `.xls` named `.xlsx`); whether
    HubSpot's importer goes by the name or the content is not documented ([I]), so this is a
    warning: the import may fail with INVALID_FILE_TYPE.
    Example: `contacts.xlsx` whose first bytes are `D0 CF 11 E0` (a file saved as "Excel
    97-2003 Workbook" and renamed).
    Fix: open the file in Excel and save it as Excel Workbook (.xlsx), with that name.
    """

    code = "HS435"
    name = "workbook-kind-mismatch"
    severity = Severity.WARNING
    hubspot_error = "INVALID_FILE_TYPE"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        ext = "." + file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
        read = "." + file.notes.kind  # what the reader read it as (an encrypted workbook is read as none)
        if not file.readable or ext not in _WORKBOOK_KINDS or read not in _WORKBOOK_KINDS or read == ext:
            return
        yield self.finding(f"the file is named {ext} but is {_WORKBOOK_KINDS[read]}; it is read as what it is, but a "
                           "reader that goes by the name fails on it", file=file,
                           pointer=file.spec.at("fileName"), value=file.name,
                           hint="save it in Excel as the kind its name says, or rename it")


class FormattedEmptyRows(Rule):
    """Rows after the data hold formatted cells without values.

    Why: Excel keeps formatting (a fill, a border, a number format) applied below the data as
    cells without values, so the sheet's used range runs on past the last row of data; some
    readers (pandas with openpyxl, for one) return those rows as empty records. The validator does
    not count them as rows, toward the row limit or otherwise; whether HubSpot counts them is not
    documented ([I]), so this is information.
    Example: data in rows 1-2, a border applied down to row 2,000.
    Fix: select the rows below the data and delete them (Delete Rows, not the Delete key), then
    save.
    """

    code = "HS432"
    name = "formatted-empty-rows"
    severity = Severity.INFO

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.last = 0  # the last sheet row the reader gave, as a row or in a note

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if len(chunk.rows):
            self.last = max(self.last, int(chunk.rows.max()))
        for n in chunk.notes:
            self.last = max(self.last, n.row + n.rows - 1)
        yield from ()

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        last, self.last = self.last, 0
        scan = workbook(file)
        if scan is None or not file.readable:
            return
        sheet = scan.scan
        last = max(last, 1 if file.header is not None else 0, *(r for r, _c in sheet.exceptions))
        if sheet.max_row > last:
            n = sheet.max_row - last
            where = f"row {last + 1:,}" if n == 1 else f"rows {last + 1:,}-{sheet.max_row:,}"
            yield self.finding(f"{where} after the data hold formatted cells without values "
                               f"({n:,} row{'s' if n > 1 else ''}); they are not counted as rows",
                               file=file, row=last + 1)


class FormattedEmptyColumns(Rule):
    """Columns right of the data hold formatted cells without values.

    Why: formatting applied across whole rows (a fill on the header row, a border over a range
    wider than the data) leaves cells without values to the right of the last column, and the
    sheet's used range runs on past it; some readers return those columns as unnamed, empty
    ones. The validator does not count them as columns, toward the column limit or otherwise;
    whether HubSpot's importer lists them as columns to map is not documented ([I]), so this is
    information.
    Example: data in columns A-B, a fill on rows 1-100 through column Z.
    Fix: select the columns right of the data and delete them (Delete Columns, not the Delete
    key), then save.
    """

    code = "HS433"
    name = "formatted-empty-columns"
    severity = Severity.INFO

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.widest = 0  # the most columns a row reached with a value (ragged rows' notes)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for n in chunk.notes:
            if n.kind == "ragged":
                self.widest = max(self.widest, n.fields)
        yield from ()

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        widest, self.widest = self.widest, 0
        scan = workbook(file)
        if scan is None or not file.readable or file.header is None:
            return
        extent = file.notes.extra.get("header_extent", 0)
        last = max(widest, file.width, extent if isinstance(extent, int) else 0)
        high = scan.scan.max_col
        if high > last:
            n = high - last
            first = column_letter(last + 1)
            where = f"column {first}" if n == 1 else f"columns {first}-{column_letter(high)}"
            yield self.finding(f"{where} right of the data hold formatted cells without values "
                               f"({n:,} column{'s' if n > 1 else ''}); they are not counted as columns",
                               file=file, row=1, column=last + 1)  # the header row's cell


class HiddenData(Rule):
    """A hidden sheet, row or column holds data.

    Why: HubSpot imports hidden rows and columns like any other, and a hidden sheet makes the
    sheet count wrong; whoever checked the workbook by eye never saw that data.
    Example: row 7 hidden with a test contact in it; column D hidden with internal notes.
    Fix: unhide everything (Excel: select all, Unhide), then delete what must not be imported.
    """

    code = "HS421"
    name = "hidden-data"
    severity = Severity.WARNING

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.first_in_col: dict[int, int] = {}

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        scan = workbook(file)
        if scan is None:
            return
        for s in scan.sheets:
            if s.state != "visible" and s.name in scan.sheets_with_data:
                yield self.finding(f"sheet {quote(s.name)} is {s.state} and holds data", file=file)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        scan = workbook(file)
        if scan is None or not len(chunk):
            return
        frame = chunk.frame

        def filled(i: int) -> np.ndarray:  # (a column at a time, only where something is hidden)
            return np.zeros(len(frame), bool) if i in chunk.empty_columns else \
                np.asarray((chunk.column(i) != "").to_numpy(), dtype=bool)
        if scan.scan.hidden_rows:
            hidden = np.isin(chunk.rows, list(scan.scan.hidden_rows))
            if hidden.any():
                held = np.zeros(len(frame), bool)
                for j in range(frame.shape[1]):
                    held |= filled(j)
                hidden &= held
            for i in np.flatnonzero(hidden):
                yield self.finding(f"row {int(chunk.rows[i])} is hidden and holds data", file=file,
                                   row=int(chunk.rows[i]))
        for col in scan.scan.hidden_cols:
            if col > frame.shape[1] or col in self.first_in_col:
                continue
            rows = np.flatnonzero(filled(col - 1))
            if len(rows):
                self.first_in_col[col] = int(chunk.rows[rows[0]])
                yield self.finding(f"column {column_letter(col)} is hidden and holds data", file=file,
                                   row=int(chunk.rows[rows[0]]), column=col)

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        self.first_in_col = {}
        yield from ()


class TableTotalsRow(Rule):
    """The totals row of an Excel table holds values: HubSpot imports it as a record.

    Why: a table's Total Row (Table Design > Total Row) is cells of the sheet like any other
    row; HubSpot does not document Excel tables and reads the sheet's rows ([I]), so the row
    (`Total` and the sums of the columns) is imported as one more record, or fails as one, and a
    number column's sum lands in the last record's place. A warning: the row is named from the
    table's own part (`totalsRowCount`), not guessed from its text.
    Example: a table of deals `A1:C101` whose row 101 holds `Total` and `=SUBTOTAL(109,[Amount])`.
    Fix: turn the table's Total Row off before the import, or delete the row.
    """

    code = "HS437"
    name = "table-totals-row"
    severity = Severity.WARNING

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        scan = workbook(file)
        if scan is None or not scan.totals or not len(chunk):
            return
        rows = chunk.rows
        for t in scan.totals:
            for i in np.flatnonzero((rows >= t.first) & (rows <= t.last)):
                # its cells in the table's columns that hold text, or a formula without a value
                held = [c for c in range(t.c1, min(t.c2, chunk.frame.shape[1]) + 1)
                        if chunk.frame.iat[i, c - 1] != "" or (chunk.kinds is not None and
                                                                chunk.kinds.iat[i, c - 1] == "f")]
                if held:
                    yield self.finding(
                        f"row {int(rows[i])} is the totals row of Excel table {quote(t.table)} ({t.ref}); HubSpot "
                        "imports it as a record like any other row", file=file, row=int(rows[i]), column=held[0],
                        value=chunk.frame.iat[i, held[0] - 1],
                        hint="turn the table's Total Row off (Table Design), or delete the row")


class MergedHeader(Rule):
    """Header cells are merged.

    Why: a merged range keeps its text in the first cell only; the other columns of the range
    have an empty header, so HubSpot cannot map them and the columns' data is misread.
    Example: `B1:C1` merged to show "Name" over First and Last name.
    Fix: unmerge the cells and give every column its own header.
    """

    code = "HS422"
    name = "merged-header"
    severity = Severity.WARNING

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        scan = workbook(file)
        if scan is None or not file.spec.has_header:
            return
        for r1, c1, r2, c2 in scan.scan.merged:
            if r1 <= 1 <= r2 and (c1 != c2 or r1 != r2):
                ref = f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"
                yield self.finding(f"header cells {ref} are merged", file=file, row=1, column=c1,
                                   value=ref)


class FormulaWithoutValue(Rule):
    """A formula cell has no computed (cached) value.

    Why: HubSpot reads the value a formula last computed, which the file stores beside the
    formula. Workbooks written by scripts (openpyxl, many exporters) store formulas without that
    value, so the cell imports as empty although Excel shows a result. A column mapped
    `"ignored": true` is not imported, so not checked.
    Example: `=A2&" "&B2` written by a script and never opened in Excel.
    Fix: open the workbook in Excel and save it (that stores the values), or paste the column as
    values.
    """

    code = "HS423"
    name = "formula-without-value"
    severity = Severity.WARNING

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in with_values(chunk, file.imported()):
            mask = kind_mask(chunk, col.index, "f")
            if mask is not None and mask.any():
                yield from self.cells(chunk, file, col, mask,
                                      "formula has no computed value; the cell would import as empty")


class ErrorValue(Rule):
    """A cell holds an Excel error value such as `#N/A` or `#REF!`.

    Why: an error value is not data: HubSpot imports the text `#N/A` or rejects the value
    for typed properties. It usually means a lookup failed or a referenced cell was deleted.
    A column mapped `"ignored": true` is not imported, so not checked.
    Example: a `VLOOKUP` that found no match: `#N/A`.
    Fix: correct the formula or clear the cell; paste values once the column is right.
    """

    code = "HS424"
    name = "error-value"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in with_values(chunk, file.imported()):
            mask = kind_mask(chunk, col.index, "e")
            if mask is not None and mask.any():
                yield from self.cells(chunk, file, col, mask, "{value} is an Excel error value")
