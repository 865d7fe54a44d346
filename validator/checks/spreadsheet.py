"""Spreadsheet rules (HS419-HS429, HS432, HS433): workbook shape and what Excel does to cells.

The workbook facts come from the reader's pre-scan (``notes.extra["workbook"]``); cell kinds
(number, date, error, formula without value) from ``Chunk.kinds``. Rules on digits and dates
apply to CSV files too, since a CSV saved by Excel carries the same damage as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from validator import formats
from validator.checks._columns import is_date, is_identifier, is_phone, is_zip
from validator.checks._facts import exactly, fullmatch, per_distinct, rows_with
from validator.checks.base import CatalogRule, Hit, Rule, quote
from validator.checks.typed import cached, date1904, kind_mask
from validator.context import Column, FileContext
from validator.findings import Severity, column_letter
from validator.readers.base import Chunk

SCIENTIFIC = r"^\s*[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+\s*$"
DATE_TEXT = (r"^\s*(?:\d{1,4}[/.-](?:\d{1,2}|[A-Za-z]{3,9})[/.-]\d{1,4}|\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?)"
             r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp][Mm])?)?\s*$")
SERIAL = r"\s*\d{5}(?:\.\d+)?\s*"  # the whole cell (``fullmatch``)
if TYPE_CHECKING:
    from validator.readers.xlsx_scan import WorkbookScan

SERIAL_RANGE = (20_000, 73_000)  # 1954-10-03 .. 2099-11-11 in Excel's 1900 date system


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


class DateCell(Rule):
    """A column holds Excel date cells; says how they were read (information).

    Why: HubSpot asks for date cells in Excel's Number format (fact sheet 6, [V] S6) and does not
    say how it reads a cell formatted as a date. The validator reads each date cell as the
    date it shows, written in the import's `dateFormat` (README "Cells to text"), and checks
    that text; this finding names the first such cell per column so the assumption is visible.
    Example: `Contacts!C2` formatted as a date, read as `03/15/2024` under MONTH_DAY_YEAR.
    Fix: nothing, if the dates shown are right; when HubSpot imports them shifted, format the
    column as Text holding dates in the `dateFormat`.
    """

    code = "HS419"
    name = "date-cell"
    severity = Severity.INFO

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.first: dict[int, tuple[int, str]] = {}
        self.count: dict[int, int] = {}

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in file.columns:
            mask = kind_mask(chunk, col.index, "d")
            if mask is None or not mask.any():
                continue
            idx = np.flatnonzero(mask)
            self.count[col.index] = self.count.get(col.index, 0) + len(idx)
            if col.index not in self.first:
                self.first[col.index] = (int(chunk.rows[idx[0]]), str(chunk.column(col.index).iloc[idx[0]]))
        yield from ()

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        first, count = self.first, self.count
        self.first, self.count = {}, {}
        for index, (row, value) in sorted(first.items()):
            n = count[index]
            yield self.finding(
                f"{n:,} date cell(s) in this column, read as dates in the import's dateFormat (first: "
                f"{quote(value)}); HubSpot asks for date cells in Number format", file=file, row=row,
                column=file.columns[index] if index < len(file.columns) else index + 1, value=value)


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
        filled = (frame != "").to_numpy() if frame.shape[1] else np.zeros((len(frame), 0), bool)
        if scan.scan.hidden_rows:
            hidden = np.isin(chunk.rows, list(scan.scan.hidden_rows)) & filled.any(axis=1)
            for i in np.flatnonzero(hidden):
                yield self.finding(f"row {int(chunk.rows[i])} is hidden and holds data", file=file,
                                   row=int(chunk.rows[i]))
        for col in scan.scan.hidden_cols:
            if col > frame.shape[1] or col in self.first_in_col:
                continue
            rows = np.flatnonzero(filled[:, col - 1])
            if len(rows):
                self.first_in_col[col] = int(chunk.rows[rows[0]])
                yield self.finding(f"column {column_letter(col)} is hidden and holds data", file=file,
                                   row=int(chunk.rows[rows[0]]), column=col)

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        self.first_in_col = {}
        yield from ()


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
    value, so the cell imports as empty although Excel shows a result.
    Example: `=A2&" "&B2` written by a script and never opened in Excel.
    Fix: open the workbook in Excel and save it (that stores the values), or paste the column as
    values.
    """

    code = "HS423"
    name = "formula-without-value"
    severity = Severity.WARNING

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in file.columns:
            mask = kind_mask(chunk, col.index, "f")
            if mask is not None and mask.any():
                yield from self.cells(chunk, file, col, mask,
                                      "formula has no computed value; the cell would import as empty")


class ErrorValue(Rule):
    """A cell holds an Excel error value such as `#N/A` or `#REF!`.

    Why: an error value is not data: HubSpot imports the text `#N/A` or rejects the value
    for typed properties. It usually means a lookup failed or a referenced cell was deleted.
    Example: a `VLOOKUP` that found no match: `#N/A`.
    Fix: correct the formula or clear the cell; paste values once the column is right.
    """

    code = "HS424"
    name = "error-value"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in file.columns:
            mask = kind_mask(chunk, col.index, "e")
            if mask is not None and mask.any():
                yield from self.cells(chunk, file, col, mask, "{value} is an Excel error value")


class DateAsText(_CatalogRule):
    """A date in a spreadsheet is stored as text instead of a date (number) cell.

    Why: HubSpot asks for date cells in Excel's Number format (fact sheet 6, [V] S6). Text that
    only looks like a date is parsed by the import's `dateFormat`, so `03/04/2024` typed as text
    can become the 3rd of April or the 4th of March.
    Example: a Close Date column where some cells were pasted as text.
    Fix: convert the column to real dates (Excel: Data > Text to Columns > Date), or make the
    text match the import's `dateFormat` exactly.
    """

    code = "HS425"
    name = "date-as-text"
    severity = Severity.WARNING

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if chunk.kinds is None:
            return
        for col in file.columns:
            kinds = chunk.kinds[col.index]
            if not (is_date(col, self.catalog) or (kinds == "d").any()):
                continue
            text = (kinds == "s").to_numpy()
            if not text.any():
                continue
            bad = text & chunk.column(col.index).str.match(DATE_TEXT).to_numpy(dtype=bool)
            yield from self.cells(chunk, file, col, bad,
                                  "date {value} is stored as text, not as a date cell")


class NumberCellIdentifier(_CatalogRule):
    """A number cell holds an ID or postal code of 12 digits or more or with a fraction, a
    postal code that lost its leading zero, or a phone number.

    Why: in its General format Excel shows a number of 12 digits or more in scientific notation
    (`1.23457E+11`) and keeps only 15 significant digits; one save as CSV and the digits are gone
    (HS427 says where they already are). A fraction is no ID: the cell shows, and a CSV saved
    from it carries, what its format rounds the number to. A phone number starts with `+`
    (HubSpot's format is `+<country code><number>`, fact sheet 6) or, in national form, mostly
    with 0: a number cell holds neither, so Excel dropped them as the number was typed. A
    postal code too short for its country (3-4 or 7-8 digits where the row's country is the US
    or blank, as HS428 reads it) lost its leading zero the same way; HS428 says so of any cell,
    this rule names the number cell that did it. A whole number of up to 11 digits otherwise
    lost nothing and stays as it is (`42`, a 10-digit ID, the ZIP code `90210`: Excel keeps up
    to 15 digits exactly and shows up to 11), so it is not named. (The reader sees a cell's
    number, not its format: a whole number formatted with decimals, `12345.0` on screen, reads
    as `12345`.)
    Example: Record ID `123456789012` typed into a General-format cell; phone `447700900123`.
    Fix: format the column as Text before entering or pasting the values.
    """

    code = "HS426"
    name = "number-cell-identifier"
    severity = Severity.WARNING

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in file.columns:
            mask = kind_mask(chunk, col.index, "n")
            if mask is None or not mask.any() or not is_identifier(col, self.catalog):
                continue
            if is_phone(col, self.catalog):
                yield from self.cells(chunk, file, col, mask, "phone number {value} is stored as a number cell, "
                                      "which holds no leading + or 0; phones belong in Text cells")
                continue
            at = np.flatnonzero(mask)
            long, fraction = _number_shape(chunk.column(col.index).iloc[at])
            for risky, why in ((long, "with 12 digits or more, which Excel shows in scientific notation"),
                               (fraction, "with a fraction, which Excel shows as the cell's format rounds it")):
                if risky.any():
                    bad = np.zeros(len(chunk), bool)
                    bad[at[risky]] = True
                    yield from self.cells(chunk, file, col, bad, f"{{value}} is stored as a number cell {why}; "
                                          "IDs and ZIP codes belong in Text cells")
            if is_zip(col):
                yield from self.cells(chunk, file, col, mask & lost_zero(chunk, file, col),
                                      "{value} is stored as a number cell, which holds no leading zero, and looks "
                                      "like a postal code that lost one; ZIP codes belong in Text cells")


def _number_shape(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(12 digits or more before the point, else a fraction) of number-cell texts (``-1234.5``:
    the reader writes no exponent and no thousands separator)."""
    size = values.str.len().to_numpy(dtype=np.int64, na_value=0)
    point = values.str.find(".").to_numpy(dtype=np.int64, na_value=-1)
    sign = values.str.match(r"[+-]").to_numpy(dtype=bool, na_value=False)
    whole = np.where(point >= 0, point, size) - sign
    return whole >= 12, (point >= 0) & (whole < 12)


def _significant(values: pd.Series) -> pd.Series:
    """Significant digits of number-cell texts that can have lost some to Excel: an integer's
    (trailing zeros are Excel's padding), and a fraction's whole part only. A fraction's digits
    past the 15th are the double's (``0.30000000000000004``, ``110.00000000000001``: what
    ``=0.1+0.2`` and ``=100*1.1`` hold), not digits anyone wrote."""
    unsigned = values.str.replace(r"^[+-]", "", regex=True)
    whole = unsigned.str.replace(r"\..*$", "", regex=True).str.lstrip("0")
    digits = whole.where(unsigned.str.contains(".", regex=False), whole.str.rstrip("0"))
    return digits.str.len()


class MangledNumber(_CatalogRule):
    """Digits were lost to Excel: scientific notation, or more than 15 significant digits.

    Why: Excel keeps 15 significant digits; an 18-digit Record ID becomes
    `123456789012345000` or `1.23457E+17`, and a CSV saved afterwards carries that text. HubSpot
    then matches or creates the wrong record, or rejects the ID.
    Example: `1.5551E+16` in a phone column of a CSV; a 17-digit number cell in an XLSX.
    Fix: re-export from the source with the column formatted as Text; the lost digits cannot be
    recovered from the file.
    """

    code = "HS427"
    name = "mangled-number"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in file.columns:
            values = chunk.column(col.index)
            bad = np.zeros(len(values), dtype=bool)
            if is_identifier(col, self.catalog):  # scientific notation has an e or E
                bad |= exactly(values, rows_with(chunk, col.index, b"eE"),
                               lambda v: v.str.match(SCIENTIFIC).to_numpy(dtype=bool))
            numbers = kind_mask(chunk, col.index, "n")
            if numbers is not None and numbers.any():  # 16 digits need 16 characters at least
                long = np.flatnonzero(numbers & (values.str.len() > 15).to_numpy(dtype=bool))
                if len(long):
                    bad[long[(_significant(values.iloc[long]) > 15).to_numpy(dtype=bool)]] = True
            yield from self.cells(chunk, file, col, bad,
                                  "{value} has lost digits to Excel (scientific notation or over 15 "
                                  "significant digits)")


class LostLeadingZero(_CatalogRule):
    """A ZIP or postal code looks like it lost its leading zero.

    Why: Excel turns `02134` into the number `2134`; HubSpot then stores a wrong postal code,
    which breaks territory and tax rules. US ZIP codes have 5 digits, ZIP+4 codes 9. Other
    countries' codes have 4 digits (Australia, Switzerland, Denmark, Belgium, Austria), 7
    (Israel, Japan without its hyphen) or 8 (Brazil): a row whose `country` column (of the same
    object) names another country is not judged; a blank country is read as the US.
    Example: `2134` in a Zip column.
    Fix: format the column as Text and re-enter or re-import the codes with their zeros.
    """

    code = "HS428"
    name = "lost-leading-zero"
    severity = Severity.WARNING

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in file.columns:
            if is_zip(col):
                yield from self.cells(chunk, file, col, lost_zero(chunk, file, col),
                                      "postal code {value} looks like it lost a leading zero")


def lost_zero(chunk: Chunk, file: FileContext, col: Column) -> np.ndarray:
    """Per row: the postal code looks like it lost a leading zero (HS428, and HS426 of a number
    cell); once per chunk and column."""
    def make() -> np.ndarray:
        bad = chunk.column(col.index).str.fullmatch(r"\d{3,4}|\d{7,8}").to_numpy(dtype=bool)
        country = country_column(file, col)
        if country is not None and bad.any():
            bad = bad & us_or_blank(chunk.column(country.index))
        return bad
    return cached(chunk, ("lost-zero", col.index), make)


_US = pa.array(["us", "usa", "u.s.", "u.s.a.", "united states", "united states of america"])


def country_column(file: FileContext, zip_column: Column) -> Column | None:
    """The column mapped to the ``country`` property of the postal code's object (contacts and
    companies both name it so), else any column mapped to ``country`` when the postal code's
    column is unmapped."""
    spec = zip_column.spec
    for col in file.columns:
        other = col.spec
        if (other is not None and not other.ignored and (other.property_name or "").lower() == "country"
                and other.to_object_type_id is None
                and (spec is None or spec.object_type_id == other.object_type_id)):
            return col
    return None


def us_or_blank(values: pd.Series) -> np.ndarray:
    """Per row: the country cell is blank or names the United States (the usual spellings,
    any case, trimmed)."""
    names = pc.utf8_lower(formats.arrow(values))
    return np.asarray(pc.or_(pc.equal(names, ""), pc.is_in(names, value_set=_US)).to_numpy(
        zero_copy_only=False), dtype=bool)


def _serial_message(date1904: bool) -> Callable[[str], str]:
    return lambda value: f"{quote(value)} looks like an Excel serial date{_serial_date(value, date1904)}"


def _serial_cell_message(date1904: bool) -> Callable[[str], str]:
    def message(value: str) -> str:
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        when = formats.serial_datetime(number, date1904)
        if when is None:
            return f"{quote(value)} is a number cell in a date column"
        shown = when.strftime("%Y-%m-%d %H:%M") if number % 1 else when.strftime("%Y-%m-%d")
        system = " (1904 date system)" if date1904 else ""
        far = ("; far from today: was a year or another number meant?"
               if not SERIAL_RANGE[0] <= number + (1462 if date1904 else 0) <= SERIAL_RANGE[1] else "")
        return (f"{quote(value)} is a number cell in a date column: read as the Excel serial date "
                f"{quote(shown)}{system}{far}")
    return message


def _serial_date(value: str, date1904: bool = False) -> str:
    try:
        when = formats.serial_datetime(float(value), date1904)
    except ValueError:
        when = None
    if when is None:
        return ""
    system = " in the 1904 date system" if date1904 else ""
    return f" ({quote(when.date().isoformat())} as an Excel serial date{system})"


EPOCH_MS = r"\s*[0-9]{11,13}\s*"  # 1973-03-03 .. 2286-11-20 in milliseconds (the whole cell)


class EpochNumberCell(_CatalogRule):
    """A spreadsheet's date column holds a UNIX time in milliseconds as a number cell.

    Why: HubSpot reads a UNIX epoch in milliseconds from a CSV, and from Excel only where the cell
    is formatted as Text (fact sheet 6, [V] S6). In a number cell Excel keeps the value as a
    floating-point number (it shows `1.69845E+12`), which HubSpot is not documented to read as
    a time [I].
    Example: `1698451200000` entered in a General-format Close Date cell.
    Fix: format the column as Text before entering the values, or enter dates as date cells.
    """

    code = "HS434"
    name = "epoch-number-cell"
    severity = Severity.WARNING
    hubspot_error = "COULD_NOT_PARSE_DATE"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in self.date_columns(file):
            numbers = kind_mask(chunk, col.index, "n")
            if numbers is None or not numbers.any():
                continue
            bad = exactly(chunk.column(col.index), numbers, lambda v: fullmatch(v, EPOCH_MS))
            yield from self.cells(chunk, file, col, bad, _epoch_message)


def _epoch_message(value: str) -> str:
    try:
        when = dt.datetime.fromtimestamp(int(value) / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (ValueError, OverflowError, OSError):
        when = "a time"
    return (f"{quote(value)} is a UNIX time in milliseconds ({when}) in a number cell; HubSpot reads one "
            "from a Text cell only")


class SerialDate(_CatalogRule):
    """A date column holds an Excel serial number such as `45366` instead of a date.

    Why: Excel stores dates as day counts since 1900; a date cell in General format, or a CSV
    written from one, shows the count. As text, HubSpot reads `45366` as no date at all
    (COULD_NOT_PARSE_DATE) or as a timestamp in milliseconds, near 1970. In a workbook's number
    cell it is the Number-format date HubSpot asks for (fact sheet 6): read as that day, with no
    errorType, and named so the day can be checked.
    Example: `45366` in a Close Date column (2024-03-15).
    Fix: format the column as a date in Excel before saving, or convert the numbers.
    """

    code = "HS429"
    name = "serial-date"
    severity = Severity.WARNING
    hubspot_error = "COULD_NOT_PARSE_DATE"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in self.date_columns(file):
            values = chunk.column(col.index)
            system = date1904(file)
            number_cells = kind_mask(chunk, col.index, "n")
            if number_cells is not None and number_cells.any():
                # a number cell: the Number-format date HubSpot asks for, read as that day (HS201
                # takes it as a date); said per cell with the day it stands for (hostile D6)
                serial, _ = formats.serial_numbers(values, number_cells, system)
                yield from self.cells(chunk, file, col, serial, _serial_cell_message(system), hubspot_error="")
            looks = per_distinct(values, lambda v: fullmatch(v, SERIAL))
            if number_cells is not None:
                looks &= ~number_cells
            if not looks.any():
                continue
            numbers = pd.to_numeric(values.where(looks, "0"), errors="coerce").to_numpy()
            bad = looks & (numbers >= SERIAL_RANGE[0]) & (numbers <= SERIAL_RANGE[1])
            yield from self.cells(chunk, file, col, bad, _serial_message(system))
