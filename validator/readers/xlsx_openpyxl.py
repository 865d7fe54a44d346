"""The openpyxl engine of ``XlsxReader``: a sheet's rows streamed in read-only mode with defusedxml.

openpyxl is imported only when a sheet is opened. Its rows are regrouped by the rows the cells'
references name (``_by_reference``), as calamine reads them; a number or date cell openpyxl
cannot cast reads as calamine reads it, and a boolean cell that is not 0 or 1 is refused as
calamine refuses it (``_parser_class``); and sheets are not sized while a workbook opens
(``_unsized``): the extent comes from the byte scan. Text reads as Excel reads it, without the
spaces at the ends of a ``<t>`` not marked ``xml:space="preserve"`` (``_string_text``).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import re
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from validator.findings import column_letter
from validator.readers.base import Refused, Shared, warnings_ignored
from validator.readers.xlsx_blocks import RawBlock
from validator.readers.xlsx_scan import cell_twice, rows_out_of_order
from validator.readers.xlsx_text import UNCACHED, _unescape

if TYPE_CHECKING:
    from validator.readers.xlsx_scan import WorkbookScan


@functools.cache
def _parser_class() -> type:
    """openpyxl's sheet parser, reading the cells its own refused the workbook for as calamine
    reads them, so that a workbook's findings do not depend on the engine its size picks: a
    number cell of more digits than ``int()`` converts (4,300: ``sys.get_int_max_str_digits``,
    which a library must leave as it is) as the double it holds (``#NUM!`` past any double); a
    number cell holding other text as the double ``float()`` makes of it (``nan``, ``inf``:
    ``#NUM!``) or else as that text (``12abc``); a date cell holding other text as that text. A
    boolean cell holding anything but 0 or 1, which openpyxl read as True, is refused, as
    calamine refuses it. A date-formatted number that is no date Excel shows (it shows
    ``########``) reads as calamine reads it too (``_no_date``), and an inline string as Excel
    reads it (``_string_text``)."""
    from openpyxl.worksheet._reader import INLINE_STRING, VALUE_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        uncached = False  # mark formulas without a cached value (``_uncached``)

        def parse_cell(self, element: Any) -> Any:
            kind = element.get("t", "n")
            cell = self._parse(element)
            if self.uncached and _uncached(element, kind):
                cell["value"] = UNCACHED
                return cell
            if kind == "inlineStr" and cell["data_type"] == "s":
                cell["value"] = _string_text(element.find(INLINE_STRING))
            if kind == "n" and cell["data_type"] in ("d", "e", "n") and cell["style_id"] in self.date_formats:
                value = element.find(VALUE_TAG)
                number = _float((value.text or "").strip()) if value is not None else None
                if number is not None:
                    _no_date(cell, number, cell["style_id"] in self.timedelta_formats)
            return cell

        def _parse(self, element: Any) -> Any:
            counter: int = getattr(self, "col_counter", 0)  # (parse_cell moves it on before the cast)
            kind = element.get("t", "n")
            value = element.find(VALUE_TAG)
            if kind == "b" and value is not None and (value.text or "").strip() not in ("0", "1"):
                # (openpyxl reads any integer as a boolean; calamine refuses the workbook)
                raise ValueError(f"Unrecognized boolean cell value: {(value.text or '').strip()[:40]}")
            form = _NUMBER if kind == "n" else _ISO_DATE if kind == "d" else None
            if form is not None and value is not None and value.text and form.fullmatch(value.text) is None:
                # a number cell calamine reads as its text (`` 12 ``, ``1_000``, ``0x10``), which
                # Python's int() would have read as a number (12, 1000); a date cell not in ISO
                # 8601, of which openpyxl read the date it begins with (2024-03-15 14:30:00 as the
                # day alone; the scan sends every date cell calamine may read otherwise here)
                element.set("t", "str")
                return super().parse_cell(element)
            try:
                return super().parse_cell(element)
            except ValueError:
                text = (value.text or "").strip() if value is not None else ""
                if kind not in ("n", "d") or value is None:
                    raise
                self.col_counter = counter
                if kind == "n" and _LONG_INTEGER.fullmatch(text):
                    double = float(text)  # no digit limit; infinity past any double
                    value.text = repr(double) if double not in (_INF, -_INF) else ("-1e999" if double < 0 else "1e999")
                    return super().parse_cell(element)
                # a number or date cell holding something else: calamine reads a number Python's
                # float() takes as that double (nan, inf), anything else as its text
                element.set("t", "str")
                cell = super().parse_cell(element)
                number = _float(text) if kind == "n" else None
                if number is not None:
                    cell.update(value=number, data_type="n")
                return cell

    return Parser


def _uncached(element: Any, kind: str) -> bool:
    """A formula without a cached value as the byte scan finds one (``xlsx_sheet._scan_text``): a
    referenced cell whose first element is its formula, with no value but blanks and no inline
    string, which is neither an error cell nor a text formula with a value (an empty one too)."""
    from openpyxl.worksheet._reader import FORMULA_TAG, INLINE_STRING, VALUE_TAG

    if not element.get("r") or not len(element) or element[0].tag != FORMULA_TAG or kind == "e":
        return False
    if element.find(INLINE_STRING) is not None:
        return False
    value = element.find(VALUE_TAG)
    if value is None:
        return True
    return kind != "str" and not (value.text or "").strip()


_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _string_text(node: Any) -> str:
    """The text of a shared string (``<si>``) or an inline string (``<is>``) as Excel and calamine
    read it: its ``<t>`` and its rich-text runs' ``<t>`` joined, each without the spaces, tabs
    and line breaks at its ends unless it says ``xml:space="preserve"`` (Excel writes that on
    every text with such ends; a writer that leaves it out loses them in Excel; openpyxl kept
    them), phonetic runs (``<rPh>``) left out."""
    parts: list[str] = []
    for child in node:
        tag = child.tag.rsplit("}", 1)[-1]
        runs = [child] if tag == "t" else [t for t in child if t.tag.rsplit("}", 1)[-1] == "t"] if tag == "r" else []
        for t in runs:
            text = t.text or ""
            parts.append(text if t.get(_XML_SPACE) == "preserve" else text.strip(" \t\r\n"))
    return "".join(parts)


def _string_table(xml_source: Any) -> list[str]:
    """openpyxl's ``read_string_table`` (its defused ``iterparse``, its ``x005F_`` removal), each
    string's text as Excel reads it (``_string_text``)."""
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    tag = f"{{{SHEET_MAIN_NS}}}si"
    strings: list[str] = []
    for _event, node in iterparse(xml_source):
        if node.tag == tag:
            strings.append(_string_text(node).replace("x005F_", ""))
            node.clear()
    return strings


def _no_date(cell: dict[str, Any], number: float, duration: bool) -> None:
    """A date-formatted number cell that is no date Excel shows, read as the scan and calamine
    read it: a negative serial (a date difference in a date-formatted column) as the number
    (openpyxl: a date of 1899, or 1903 in the 1904 system; calamine: the time of day of its
    fraction, which the scan replaces with the number, ``xlsx_sheet._negative_dates``), and a
    serial past 31 December 9999 as the number (openpyxl: the text ``#VALUE!``). A duration
    format keeps openpyxl's reading, calamine's too, but past Python's durations, where openpyxl
    gave ``#VALUE!`` (calamine refuses such a workbook), the number. NaN (no writer's: a crafted
    file) reads as calamine reads it: 30 December 1899, or a duration of nothing."""
    if number != number:
        cell.update(value=dt.timedelta(0) if duration else dt.datetime(1899, 12, 30), data_type="d")
    elif cell["data_type"] == "e" or (not duration and number < 0):
        cell.update(value=number, data_type="n")


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


# a number as calamine (Rust's f64 parse) reads one: no spaces at its ends, no digit separators,
# no hexadecimal, ASCII digits only; Excel itself reads no such text as a number either
_NUMBER = re.compile(r"[+-]?(?:inf|infinity|nan|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?)", re.I)
# a date cell's value in ISO 8601 as openpyxl reads it (a date, a time, both, with a time zone
# it leaves out): the whole value, where openpyxl's own pattern matches how it begins
_ISO_DATE = re.compile(r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2})?T?(?:[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
                       r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?")
_LONG_INTEGER = re.compile(r"[+-]?[0-9]{4000,}")
_INF = float("inf")


_SIZED: dict[str, Shared] = {}
# True in the block of ``_unsized``: the calls openpyxl makes there are this package's
_OPENING: contextvars.ContextVar[bool] = contextvars.ContextVar("openpyxl_opening", default=False)


@contextlib.contextmanager
def _unsized(sheet_class: Any) -> Iterator[None]:
    """openpyxl's read-only sheets not sized while a workbook opens (load_workbook sizes every
    sheet from <dimension> or, without one, by parsing the whole sheet: seconds for 100,000
    rows; the extent comes from our own scan), and its shared strings read as Excel reads them
    (``_string_table``). The two functions are replaced for as long as any thread opens one, by
    ones that do so only in this block: another thread of the caller's that opens a workbook
    with openpyxl meanwhile gets openpyxl's own sizes and strings."""
    shared = _SIZED.get("sheet")
    if shared is None:
        from openpyxl.reader import excel

        def make() -> Any:
            saved = sheet_class._get_size, excel.read_string_table
            size, strings = saved

            def sized(self: Any) -> None:
                if not _OPENING.get():
                    size(self)

            def read(xml_source: Any) -> list[str]:
                return _string_table(xml_source) if _OPENING.get() else strings(xml_source)
            sheet_class._get_size = sized
            excel.read_string_table = read
            return saved

        def undo(saved: Any) -> None:
            sheet_class._get_size, excel.read_string_table = saved
        shared = _SIZED.setdefault("sheet", Shared(make, undo))
    with shared():
        token = _OPENING.set(True)
        try:
            yield
        finally:
            _OPENING.reset(token)


class _OpenpyxlEngine:
    """The part of ``XlsxReader`` that reads with openpyxl."""

    stream: IO[bytes]
    scan: WorkbookScan
    _handle: Any
    _source: Any
    _width: int

    def _openpyxl(self, name: str) -> Any:
        import openpyxl

        if not openpyxl.DEFUSEDXML:  # the env var OPENPYXL_DEFUSEDXML=False turns the guard off
            raise Refused("openpyxl runs without defusedxml (OPENPYXL_DEFUSEDXML is off); refusing to "
                          "parse an untrusted workbook", "unsafe-environment")
        from openpyxl.worksheet._read_only import ReadOnlyWorksheet

        self.stream.seek(0)
        # load_workbook sizes every sheet on opening it, from <dimension> or, when the sheet has
        # none, by parsing the whole sheet (seconds for 100,000 rows); the extent comes from our
        # own scan, so sizing is skipped while the workbook opens
        with _unsized(ReadOnlyWorksheet), warnings_ignored():
            wb = self._handle = openpyxl.load_workbook(self.stream, read_only=True, data_only=True,
                                                       keep_links=False)
        ws = wb[name]
        # the sheet's own rows, never <dimension> (hostile-inputs F1) and never the rows between
        # them: ReadOnlyWorksheet.iter_rows yields every missing row one by one (F2, F3)
        self._source = ws._get_source()
        parser = _parser_class()(self._source, ws._shared_strings, data_only=True, epoch=wb.epoch,
                                 date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        # the scan keeps at most MAX_EXCEPTIONS odd cells; past them, the formulas it dropped
        # (and so the sheet came here) are marked as it marks them
        parser.uncached = bool(self.scan.scan.exceptions_dropped)
        parsed = _by_reference(parser.parse(), every_cell=bool(self.scan.scan.cells_without_ref))
        last = [0]
        part = (self.scan.chosen.part if self.scan.chosen is not None else None) or name

        def block(limit: int, header: bool = False) -> RawBlock | None:
            numbers: list[int] = []
            items: list[list[dict[str, Any]]] = []
            for idx, cells in parsed:
                if idx <= last[0]:  # rows out of order that the pre-scan could not see: cells without a reference
                    raise rows_out_of_order(part, idx, last[0])
                last[0] = idx
                numbers.append(idx)
                items.append(cells)
                if len(numbers) >= limit:
                    break
            if not numbers:
                return None
            n = len(numbers)
            # the header row keeps every column it has; data rows only the header's
            width = max((c["column"] for c in items[0]), default=0) if header else self._width
            columns: list[list[Any]] = [[None] * n for _ in range(width)]
            extra: list[tuple[int, int, Any]] = []
            for i, cells in enumerate(items):
                after: int | None = 0  # columns rise along a row as Excel writes it; where not, one may come twice
                for cell in cells:
                    c = cell["column"] - 1
                    if after is not None:
                        if c < after:
                            _no_repeat(cells, numbers[i], part)
                            after = None  # the row was looked at
                        else:
                            after = c + 1
                    v = cell["value"]
                    if type(v) is str and "_x" in v:
                        v = _unescape(v)
                    if c < width:
                        columns[c][i] = v
                    elif v is not None and v != "":
                        extra.append((i, c, v))
            return RawBlock(np.asarray(numbers, dtype=np.int64), list(columns), extra)
        return block


def _by_reference(parsed: Iterator[tuple[int, list[dict[str, Any]]]], *, every_cell: bool = False
                  ) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """openpyxl's rows of cells regrouped by the rows the cells' references name, as calamine
    reads them: openpyxl's reader numbers a row element's cells by the element (``<row r="2">``
    holding ``A5`` put A5 on row 2), gives a row written in two elements as two rows, and gives
    elements without cells, which hold nothing. A cell without a reference is in its element's
    row (openpyxl's reading, the only one of such a sheet). A row's cells come in one run (the
    pre-scan refuses rows going down), so an element whose first and last cells share a row is
    that row, unless cells without a reference (``every_cell``) make each cell count."""
    row = 0
    held: list[dict[str, Any]] = []
    for _idx, cells in parsed:
        if not cells:
            continue
        first = cells[0]["row"]
        if not every_cell and first == cells[-1]["row"]:
            if first == row:
                held.extend(cells)
                continue
            if held:
                yield row, held
            row, held = first, cells
            continue
        for cell in cells:
            if cell["row"] != row:
                if held:
                    yield row, held
                row, held = cell["row"], []
            held.append(cell)
    if held:
        yield row, held


def _no_repeat(cells: list[dict[str, Any]], row: int, part: str) -> None:
    """Refuses a row of openpyxl's cells in which a column comes twice (the value read last would
    overwrite the other)."""
    seen: set[int] = set()
    for cell in cells:
        if cell["column"] in seen:
            raise cell_twice(part, f"{column_letter(cell['column'])}{row}")
        seen.add(cell["column"])
