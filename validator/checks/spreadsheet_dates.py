"""Spreadsheet rules on dates (HS419, HS425, HS429, HS434): what Excel does to a date column's
cells. Date cells read as dates (HS419), dates stored as text (HS425), Excel serial day numbers
(HS429) and UNIX times in milliseconds held in number cells (HS434), with the messages that
name the day a serial number stands for. Cell kinds come from ``Chunk.kinds``; the rules on text
apply to CSV files too, since a CSV saved by Excel carries the same damage as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from validator import formats
from validator.checks._columns import is_date
from validator.checks._facts import arrow_column, exactly, fullmatch
from validator.checks.base import Hit, Rule, quote, with_values
from validator.checks.spreadsheet import _CatalogRule
from validator.checks.typed import date1904, distinct_texts, kind_mask
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.readers.base import Chunk
from validator.records import keys_read

DATE_TEXT = (r"^\s*(?:\d{1,4}[/.-](?:\d{1,2}|[A-Za-z]{3,9})[/.-]\d{1,4}|\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?)"
             r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp][Mm])?)?\s*$")
SERIAL = r"\s*\d{5}(?:\.\d+)?\s*"  # the whole cell (``fullmatch``)

SERIAL_RANGE = (20_000, 73_000)  # 1954-10-03 .. 2099-11-11 in Excel's 1900 date system


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
        # column -> its first date cell's row, value and record key (made while the row was read:
        # the finding comes at the file's end, after the row's chunk has gone)
        self.first: dict[int, tuple[int, str, str]] = {}
        self.count: dict[int, int] = {}

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in with_values(chunk, file.columns):
            mask = kind_mask(chunk, col.index, "d")
            if mask is None or not mask.any():
                continue
            idx = np.flatnonzero(mask)
            self.count[col.index] = self.count.get(col.index, 0) + len(idx)
            if col.index not in self.first:
                row = int(chunk.rows[idx[0]])
                self.first[col.index] = (row, str(chunk.column(col.index).iloc[idx[0]]),
                                         keys_read(chunk, file, [row])[0])
        yield from ()

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        first, count = self.first, self.count
        self.first, self.count = {}, {}
        for index, (row, value, key) in sorted(first.items()):
            n = count[index]
            yield self.finding(
                f"{n:,} date cell(s) in this column, read as dates in the import's dateFormat (first: "
                f"{quote(value)}); HubSpot asks for date cells in Number format", file=file, row=row,
                column=file.columns[index] if index < len(file.columns) else index + 1, value=value, key=key)


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
        for col in with_values(chunk, file.columns):
            dates, text = kind_mask(chunk, col.index, "d"), kind_mask(chunk, col.index, "s")
            assert dates is not None and text is not None
            if not (is_date(col, self.catalog) or dates.any()):
                continue
            if not text.any():
                continue
            bad = text & chunk.column(col.index).str.match(DATE_TEXT).to_numpy(dtype=bool)
            yield from self.cells(chunk, file, col, bad,
                                  "date {value} is stored as text, not as a date cell")


def _serial_message(date1904: bool) -> Callable[[str], str]:
    return lambda value: f"{quote(value)} looks like an Excel serial date{_serial_date(value, date1904)}"


def serial_texts(chunk: Chunk, column: Column) -> np.ndarray:
    r"""Per row: the cell is an Excel serial number as text (``SERIAL``, the whole cell). Matched
    once per distinct text where the chunk has them (``distinct_texts``, which HS201 and HS204
    share): those texts are trimmed, and ``SERIAL`` allows around the digits exactly the
    spaces trimming removes (``\s``: Python's whitespace, which is Arrow's)."""
    values = chunk.column(column.index)
    distinct = distinct_texts(chunk, column) if arrow_column(values) is not None else None
    if distinct is None:
        return fullmatch(values, SERIAL)
    texts, at = distinct
    return fullmatch(pd.Series(texts, dtype=values.dtype), SERIAL)[at]


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
    derived_values = True  # the time the milliseconds stand for
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
            looks = serial_texts(chunk, col)
            if number_cells is not None:
                looks &= ~number_cells
            if not looks.any():
                continue
            numbers = pd.to_numeric(values.where(looks, "0"), errors="coerce").to_numpy()
            bad = looks & (numbers >= SERIAL_RANGE[0]) & (numbers <= SERIAL_RANGE[1])
            yield from self.cells(chunk, file, col, bad, _serial_message(system))
