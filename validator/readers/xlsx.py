"""The spreadsheet path: one worksheet of an .xlsx, behind the pre-checks of ``xlsx_scan``.

Produces the same Chunks as the CSV reader (all-string frame, positional columns, index = the
sheet's row number, ``lines`` = the same row numbers) plus ``kinds``, a frame of one-letter cell
kinds, so rules can tell a number cell from text that looks like one.

Cells become text once, here, by this rule (README "Cells to text"):

* text: as stored (rich text flattened, OOXML ``_x000D_`` escapes decoded);
* numbers: integers without a decimal point or exponent (``12345678901``, never
  ``1.2345678901E10``); other numbers in the shortest positional form that reads back to the
  same double (``0.1``, ``0.00001``);
* dates and datetimes (date-formatted number cells): in the import's ``dateFormat``
  (``MONTH_DAY_YEAR`` -> ``03/15/2024``, ``DAY_MONTH_YEAR`` -> ``15/03/2024``,
  ``YEAR_MONTH_DAY`` -> ``2024/03/15``), with `` HH:MM`` (``:SS`` when not zero) only when the
  time is not midnight; times alone as ``HH:MM[:SS]``;
* booleans: ``TRUE`` / ``FALSE``, as Excel shows them;
* formulas: their cached value, typed as above; a formula without one becomes empty text of
  kind ``f``; error values (``#N/A``, ``#REF!``) keep their text with kind ``e``.

Kinds: ``s`` text, ``n`` number, ``d`` date/datetime, ``t`` time/duration, ``b`` boolean,
``e`` error, ``f`` formula without a cached value, empty string for an empty cell.

Reader choice (measured, see README and ``bench/xlsx_readers.py``): python-calamine when it is
installed and the pre-scan has bounded the sheet's dense size; otherwise openpyxl in read-only
mode with defusedxml, which streams in constant memory.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from typing import IO, Any

import numpy as np

from validator.readers.base import Chunk, Header, ReaderNotes, Refused, RowNote, empty_frame, string_frame
from validator.readers.xlsx_scan import DENSE_CELLS, SheetScan, WorkbookScan, open_zip, scan_workbook

DATE_ORDERS = {"MONTH_DAY_YEAR": "mdy", "DAY_MONTH_YEAR": "dmy", "YEAR_MONTH_DAY": "ymd"}


def format_number(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return "#NUM!"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)  # the shortest text that reads back to the same double
    return text if "e" not in text else np.format_float_positional(value, unique=True, trim="-")


@functools.lru_cache(maxsize=8192)  # a column of dates repeats the same few hundred days
def format_date(value: dt.date, order: str) -> str:
    y, m, d = f"{value.year:04d}", f"{value.month:02d}", f"{value.day:02d}"
    text = {"mdy": f"{m}/{d}/{y}", "dmy": f"{d}/{m}/{y}", "ymd": f"{y}/{m}/{d}"}[order]
    if isinstance(value, dt.datetime) and (value.hour or value.minute or value.second):
        text += " " + format_time(value.time())
    return text


def format_time(value: dt.time) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}"
    return text + f":{value.second:02d}" if value.second else text


def cell_text(value: Any, order: str = "mdy") -> tuple[str, str]:
    """(text, kind) of one cell value as a cell reader returns it."""
    if value is None:
        return "", ""
    if isinstance(value, str):
        return value, ("s" if value else "")
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), "b"
    if isinstance(value, int):
        return str(value), "n"
    if isinstance(value, float):
        return format_number(value), "n"
    if isinstance(value, dt.date):
        return format_date(value, order), "d"
    if isinstance(value, dt.time):
        return format_time(value), "t"
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}", "t"
    return str(value), "s"


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """OOXML's ``_xHHHH_`` escapes (``_x000D_`` is a carriage return, ``_x005F_`` a literal
    underscore). calamine decodes them; openpyxl's read-only values keep them, so we do."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def calamine_available() -> bool:
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return False
    return True


def choose_engine(scan: SheetScan, prefer: str | None = None) -> str:
    """calamine only where the byte scan bounded what it will allocate; openpyxl otherwise."""
    dense = scan.max_row * max(1, scan.max_col)
    safe = scan.cells_without_ref == 0 and dense <= DENSE_CELLS
    if prefer == "openpyxl" or not safe or not calamine_available():
        return "openpyxl"
    return "calamine"


class XlsxReader:
    """Reads the checked worksheet of one workbook into Chunks."""

    def __init__(self, stream: IO[bytes], notes: ReaderNotes, *, size: int | None, has_header: bool = True,
                 expected_columns: int | None = None, chunk_rows: int = 50_000,
                 date_format: str | None = None, engine: str | None = None, owned: bool = True):
        self.stream = stream
        self.owned = owned  # a caller's stream is never closed
        self.notes = notes
        self.chunk_rows = max(1, chunk_rows)
        self.order = DATE_ORDERS.get(date_format or "", "mdy")
        self.has_header = has_header
        notes.kind = "xlsx"
        notes.encoding = "xlsx"
        notes.delimiter = ""
        self.zf = open_zip(stream, size)
        self.scan: WorkbookScan = scan_workbook(self.zf)
        notes.extra["workbook"] = self.scan
        notes.bytes = size or 0
        chosen = self.scan.chosen
        if chosen is None:
            raise Refused("the workbook has no worksheet (only chart sheets or other parts; "
                          "HubSpot: INVALID_SPREADSHEET)", "not-a-workbook")
        notes.sheet = chosen.name
        self.engine = choose_engine(self.scan.scan, engine)
        notes.reader = self.engine
        self._handle: Any = None
        self._rows = self._open_rows()
        self._header: Header | None = None
        self._width = expected_columns or 0
        self._first: tuple[int, list[Any]] | None = None
        if has_header:
            self._read_header()
        notes.empty = not self.scan.scan.has_values

    # -- engines ---------------------------------------------------------------------------
    def _open_rows(self) -> Iterator[tuple[int, list[Any]]]:
        name = self.notes.sheet or ""
        try:
            if self.engine == "calamine":
                return self._calamine(name)
            return self._openpyxl(name)
        except Refused:
            raise
        except Exception as exc:  # the libraries raise many unrelated types on bad input
            raise Refused(f"the workbook cannot be read ({type(exc).__name__}: {exc}; "
                          "HubSpot: INVALID_SPREADSHEET)", "bad-workbook") from None

    def _calamine(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        from python_calamine import CalamineWorkbook

        self.stream.seek(0)
        self._handle = CalamineWorkbook.from_filelike(self.stream)
        sheet = self._handle.get_sheet_by_name(name)
        # python-calamine 0.9 pads rows from row 1 but columns only from the first used one
        start = sheet.start
        col0 = start[1] if start is not None else 0
        pad = [None] * col0

        def rows() -> Iterator[tuple[int, list[Any]]]:
            for i, row in enumerate(sheet.iter_rows(), start=1):
                yield i, pad + list(row) if col0 else list(row)
        return rows()

    def _openpyxl(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        import openpyxl

        if not openpyxl.DEFUSEDXML:  # the env var OPENPYXL_DEFUSEDXML=False turns the guard off
            raise Refused("openpyxl runs without defusedxml (OPENPYXL_DEFUSEDXML is off); refusing to "
                          "parse an untrusted workbook", "unsafe-environment")
        self.stream.seek(0)
        self._handle = openpyxl.load_workbook(self.stream, read_only=True, data_only=True,
                                              keep_links=False)
        ws = self._handle[name]
        ws.reset_dimensions()  # never trust <dimension> (hostile-inputs F1)

        def rows() -> Iterator[tuple[int, list[Any]]]:
            for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
                yield i, [_unescape(v) if type(v) is str and "_x" in v else v for v in row]
        return rows()

    def _next(self) -> tuple[int, list[Any]] | None:
        try:
            return next(self._rows, None)
        except Refused:
            raise
        except Exception as exc:
            raise Refused(f"the workbook cannot be read ({type(exc).__name__}: {exc}; "
                          "HubSpot: INVALID_SPREADSHEET)", "bad-workbook") from None

    # -- header and chunks -------------------------------------------------------------------
    @property
    def header(self) -> Header | None:
        return self._header

    @property
    def width(self) -> int:
        return self._width

    def close(self) -> None:
        try:
            if self._handle is not None:
                self._handle.close()
        finally:
            self.zf.close()
            if self.owned:
                self.stream.close()

    def _read_header(self) -> None:
        item = self._next()
        if item is None:
            return
        row, values = item
        if row != 1:  # the sheet's first used row is below row 1: the header row is empty
            self._first = item
            texts: list[str] = []
        else:
            texts = self._texts(1, values)[0]
        while texts and not texts[-1].strip():
            texts.pop()
        self._header = Header(tuple(texts), 1, 1, 1)
        self._width = len(texts)

    def _texts(self, row: int, values: list[Any]) -> tuple[list[str], list[str]]:
        """Texts and kinds of one row (the hot loop: common types first, the rest by cell_text)."""
        texts: list[str] = []
        kinds: list[str] = []
        order = self.order
        for v in values:
            t = type(v)
            if t is str:
                texts.append(v)
                kinds.append("s" if v else "")
            elif v is None:
                texts.append("")
                kinds.append("")
            elif t is float and v.is_integer() and -1e21 < v < 1e21:
                texts.append(str(int(v)))
                kinds.append("n")
            else:
                text, kind = cell_text(v, order)
                texts.append(text)
                kinds.append(kind)
        if self.scan.scan.exceptions and row in self._exception_rows():
            for (r, c), (kind, text) in self.scan.scan.exceptions.items():
                if r == row:
                    while len(texts) < c:
                        texts.append("")
                        kinds.append("")
                    texts[c - 1], kinds[c - 1] = text, kind
        return texts, kinds

    def _exception_rows(self) -> set[int]:
        cached: set[int] | None = getattr(self, "_exc_rows", None)
        if cached is None:
            cached = {r for r, _c in self.scan.scan.exceptions}
            self._exc_rows = cached
        return cached

    def chunks(self) -> Iterator[Chunk]:
        width = self._width
        good: list[list[str]] = []
        kinds: list[list[str]] = []
        rows: list[int] = []
        notes: list[RowNote] = []
        blanks: list[int] = []  # blank rows held back until a row with data follows
        records = 0
        pending = self._first
        self._first = None
        while True:
            item = pending if pending is not None else self._next()
            pending = None
            if item is None:
                break
            row, values = item
            texts, row_kinds = self._texts(row, values)
            last = len(row_kinds) - 1
            while last >= 0 and not row_kinds[last]:
                last -= 1
            if last < 0:
                blanks.append(row)
                continue
            records += len(blanks) + 1
            for b in blanks:
                if not width:
                    notes.append(RowNote("blank", b, b, b))
                else:
                    good.append([""] * width)
                    kinds.append([""] * width)
                    rows.append(b)
                if len(good) >= self.chunk_rows or len(notes) >= self.chunk_rows:
                    yield self._chunk(good, kinds, rows, notes, width)
                    good, kinds, rows, notes = [], [], [], []
            blanks = []
            if last >= width:
                notes.append(RowNote("ragged", row, row, row, fields=last + 1,
                                     sample=tuple(t[:100] for t in texts[:3])))
            else:
                if len(texts) < width:
                    texts += [""] * (width - len(texts))
                    row_kinds += [""] * (width - len(row_kinds))
                good.append(texts[:width] if len(texts) > width else texts)
                kinds.append(row_kinds[:width] if len(row_kinds) > width else row_kinds)
                rows.append(row)
            if len(good) >= self.chunk_rows or len(notes) >= self.chunk_rows:
                yield self._chunk(good, kinds, rows, notes, width)
                good, kinds, rows, notes = [], [], [], []
        self.notes.records = records
        self.notes.extra["trailing_blank_rows"] = len(blanks)
        if good or notes:
            yield self._chunk(good, kinds, rows, notes, width)

    @staticmethod
    def _chunk(good: list[list[str]], kinds: list[list[str]], rows: list[int], notes: list[RowNote],
               width: int) -> Chunk:
        if good:
            frame = string_frame(list(zip(*good, strict=True)), rows)
            kind_frame = string_frame(list(zip(*kinds, strict=True)), rows)
        else:
            frame, kind_frame = empty_frame(width), empty_frame(width)
        return Chunk(frame, np.asarray(rows, dtype=np.int64), tuple(notes), kinds=kind_frame)

