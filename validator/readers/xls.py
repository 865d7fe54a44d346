"""The spreadsheet path for a legacy Excel 97-2003 workbook (.xls, BIFF8): one worksheet read by
xlrd into the same Chunks, cell kinds and workbook facts (``WorkbookScan``) an .xlsx gives, so
every workbook rule reads both alike.

xlrd is pure Python: a crafted file makes it raise, never abort the process (python-calamine's
.xls reader fails Rust allocations on crafted files, hostile-inputs R9), and whatever it raises,
MemoryError and RecursionError included, is a refusal (``bad-workbook``). It keeps cells within
BIFF8's 65,536 rows x 256 columns (a cell reference past them fails its check), reads the sheets
one at a time (``on_demand``), each row only as long as its last cell (``ragged_rows``), and
with ``formatting_info`` knows each cell's number format and keeps cells that hold only a format.
A file over ``MAX_XLS_BYTES`` is refused before xlrd reads it (README "Spreadsheets"). An
encrypted workbook (a ``FILEPASS`` record: xlrd's "Workbook is encrypted") is refused as
``encrypted``, a workbook older than BIFF8 as ``legacy-xls``. xlrd is imported only when an .xls
is opened.

Cells become text by the .xlsx rule (``xlsx_text``, ``xlsx_columns``): a number cell whose format
shows a date or time is the value openpyxl reads from the same serial and format in an .xlsx
(``openpyxl.utils.datetime.from_excel``, then ``xlsx_openpyxl._no_date``: a negative serial or one
past 9999 stays the number), in the workbook's date system (1900 or 1904); a boolean is
``TRUE``/``FALSE``; an error cell (``#N/A``) is laid over its cell with kind ``e``, as the .xlsx
byte scan's error cells are; a formula is its cached result (BIFF stores one with every formula,
so no cell is a formula without a value, HS423). The workbook facts the rules read come from
xlrd's records: the sheets and their visibility, the date system, the checked sheet's extent
(cells holding only a format included, as the .xlsx scan counts them), hidden rows and columns,
and merged ranges.

The reader is ``XlsxReader`` (``xlsx``) with its own opening: the header, the blocks into chunks
(blank runs, ragged rows) are the .xlsx reader's own.
"""

from __future__ import annotations

import datetime as dt
import itertools
from array import array
from dataclasses import dataclass
from typing import IO, Any

import numpy as np

from validator.readers.base import ReaderNotes, Refused, warnings_ignored
from validator.readers.xls_bounds import SheetBounds, biff8, check_compound, check_globals
from validator.readers.xlsx import XlsxReader
from validator.readers.xlsx_blocks import RawBlock
from validator.readers.xlsx_openpyxl import _no_date
from validator.readers.xlsx_scan import SheetInfo, SheetScan, WorkbookScan

# The largest .xls read. A full BIFF8 sheet (65,536 x 256 cells) of numbers is ~100 MB written
# in MULRK records (6 bytes a cell); xlrd holds a cell in ~11 bytes (~35 with a number object),
# so a full sheet is ~600 MB in xlrd whatever the file's size: the limit bounds the bytes held
# (the file, its workbook stream, the strings) and is well past a real export (65,536 rows x 10
# columns: ~12 MB). HubSpot's own limit is 512 MB.
MAX_XLS_BYTES = 128 << 20

# xlrd's cell types (xlrd.XL_CELL_*), named here so that xlrd is imported only to read an .xls
_EMPTY, _TEXT, _NUMBER, _DATE, _BOOLEAN, _ERROR, _BLANK = range(7)
_STATES = {0: "visible", 1: "hidden", 2: "veryHidden"}
_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
           0x2A: "#N/A"}


class _Quiet:
    """xlrd's log (it writes warnings to stdout by default): dropped."""

    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass


@dataclass(slots=True)
class _Formats:
    """How the workbook's cell formats (xlrd's XF records) read a number: a date (``dates``: the
    XF indexes, True where a duration such as ``[h]:mm``), as openpyxl tells them; and the XF
    indexes xlrd types otherwise (``odd``: a number cell of theirs is looked at one by one)."""

    dates: dict[int, bool]
    odd: frozenset[int]
    percents: frozenset[int]  # XF indexes of percentage formats (``xlsx_styles.is_percent_code``)
    padded: dict[int, str]  # XF indexes of zero-padded formats, their codes (``xlsx_styles.is_padded_code``)
    epoch: dt.datetime
    from_excel: Any  # openpyxl.utils.datetime.from_excel


def _formats(book: Any) -> _Formats:
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
    from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

    from validator.readers.xlsx_styles import is_padded_code, is_percent_code

    dates: dict[int, bool] = {}
    odd: set[int] = set()
    percents: set[int] = set()
    padded: dict[int, str] = {}
    types = book._xf_index_to_xl_type_map
    for i, xf in enumerate(book.xf_list):
        found = book.format_map.get(xf.format_key)
        code = found.format_str if found is not None else BUILTIN_FORMATS.get(xf.format_key, "General")
        if is_date_format(code):
            dates[i] = bool(is_timedelta_format(code))
        elif is_percent_code(code):
            percents.add(i)
        elif is_padded_code(code):
            padded[i] = code
        if (i in dates) != (types.get(i) == _DATE):
            odd.add(i)
    epoch = MAC_EPOCH if book.datemode == 1 else WINDOWS_EPOCH
    return _Formats(dates, frozenset(odd), frozenset(percents), padded, epoch, from_excel)


def _date(value: float, formats: _Formats, duration: bool) -> Any:
    """A date-formatted number as openpyxl reads it from an .xlsx (``xlsx_openpyxl.Parser``)."""
    cell: dict[str, Any] = {"value": value, "data_type": "d"}
    try:
        cell["value"] = formats.from_excel(value, formats.epoch, timedelta=duration)
    except (OverflowError, ValueError):
        cell.update(data_type="e", value="#VALUE!")
    _no_date(cell, value, duration)
    return cell["value"]


class XlsReader(XlsxReader):
    """Reads the checked worksheet of one .xls workbook into Chunks."""

    def __init__(self, stream: IO[bytes], notes: ReaderNotes, *, size: int | None, has_header: bool = True,
                 expected_columns: int | None = None, chunk_rows: int = 50_000,
                 date_format: str | None = None, owned: bool = True):
        self._settings(stream, notes, "xls", has_header=has_header, chunk_rows=chunk_rows,
                       date_format=date_format, owned=owned)
        self.engine = notes.reader = "xlrd"
        notes.bytes = size or 0
        self._pre = self._speculation = self._handle = self._source = self._loader = self._now = None
        self._given = 0
        self._book: Any = None
        try:
            self._book, self.scan, sheet, self._formats = _open(stream, size)
            notes.extra["workbook"] = self.scan
            chosen = self.scan.chosen
            if chosen is None:
                raise Refused("the workbook has no worksheet (only chart sheets or other parts; "
                              "HubSpot: INVALID_SPREADSHEET)", "not-a-workbook")
            notes.sheet = chosen.name
            self._start_rows(self._rows(sheet), expected_columns, has_header)
        except BaseException:
            self._release()
            raise

    def _rows(self, sheet: Any) -> Any:
        """Blocks of the sheet's rows (rows without cells left out, as the .xlsx engines leave
        out rows the sheet does not have); the header row keeps every column it has, data rows
        the header's, with the cells right of them in ``extra``."""
        values, types, xfs = sheet._cell_values, sheet._cell_types, sheet._cell_xf_indexes
        at = [0]
        formats = self._formats

        def block(limit: int, header: bool = False) -> RawBlock | None:
            numbers: list[int] = []
            rows: list[list[Any]] = []
            r = at[0]
            while r < len(values) and len(numbers) < limit:
                cells, kinds = values[r], types[r]
                if cells:
                    if (_DATE in kinds or _BOOLEAN in kinds or _ERROR in kinds
                            or (formats.odd and _NUMBER in kinds and not formats.odd.isdisjoint(xfs[r]))):
                        cells = self._typed(cells, kinds, xfs[r])
                    numbers.append(r + 1)
                    rows.append(cells)
                r += 1
            at[0] = r
            if not numbers:
                return None
            width = len(rows[0]) if header else self._width
            columns: list[Any] = list(itertools.zip_longest(*rows)) if rows else []
            extra: list[tuple[int, int, Any]] = []
            for c in range(width, len(columns)):
                extra.extend((i, c, v) for i, v in enumerate(columns[c]) if v is not None and v != "")
            columns = columns[:width] + [(None,) * len(numbers)] * (width - len(columns))
            return RawBlock(np.asarray(numbers, dtype=np.int64), columns, extra)
        return block

    def _typed(self, cells: list[Any], kinds: Any, xfs: Any) -> list[Any]:
        """A row's values with dates, booleans and errors as the .xlsx engines give them (an error
        cell empty: the scan's exception gives its text and kind)."""
        out = list(cells)
        dates = self._formats.dates
        for c, kind in enumerate(kinds):
            if kind in (_NUMBER, _DATE):
                duration = dates.get(xfs[c])
                if duration is not None:
                    out[c] = _date(out[c], self._formats, duration)
            elif kind == _BOOLEAN:
                out[c] = bool(out[c])
            elif kind == _ERROR:
                out[c] = None
        return out

    def _unreadable(self, exc: Exception) -> Refused:
        return _refusal(exc)

    def _release(self) -> None:
        book, self._book = self._book, None
        if book is not None:
            book.release_resources()


def _open(stream: IO[bytes], size: int | None) -> tuple[Any, WorkbookScan, Any, _Formats]:
    """The workbook read by xlrd, its facts, the checked sheet (loaded) and its number formats."""
    if size is not None and size > MAX_XLS_BYTES:
        raise _too_large(size)
    stream.seek(0)
    # read(n) sets n bytes aside before it reads: a 5 KB file asked for 128 MiB at once (a
    # MemoryError under an address-space limit); the size, where known, bounds the read
    data = stream.read(MAX_XLS_BYTES + 1 if size is None else size + 1)
    if len(data) > MAX_XLS_BYTES:
        raise _too_large(len(data))
    import xlrd

    book = None
    try:
        with warnings_ignored():
            _prescan(data)
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True,
                                      ragged_rows=True, logfile=_Quiet(), verbosity=0)
            if book.biff_version < 80:
                raise _legacy(book.biff_version)
            formats = _formats(book)
            return (*_sheets(book, formats.percents, formats.padded), formats)
    except Refused:
        if book is not None:
            book.release_resources()
        raise
    except Exception as exc:  # xlrd raises many unrelated types on bad input (struct.error, IndexError, ...)
        if book is not None:
            book.release_resources()
        raise _refusal(exc) from None


def _prescan(data: bytes) -> None:
    """The bounds of ``xls_bounds`` that hold before xlrd opens the workbook: the compound file,
    then the workbook globals of the stream xlrd reads (its own ``CompDoc`` finds it)."""
    from xlrd import compdoc

    mem, base = data, 0
    if data[:8] == compdoc.SIGNATURE:
        check_compound(data)
        doc = compdoc.CompDoc(data, logfile=_Quiet())
        for name in ("Workbook", "Book"):
            mem, base, _size = doc.locate_named_stream(name)
            if mem:
                break
        else:
            return  # (xlrd: "Can't find workbook in OLE2 compound document")
    version = biff8(mem, base)
    if version is not None and version < 80:
        raise _legacy(version)
    check_globals(mem, base, version == 80)


def _legacy(version: int) -> Refused:
    return Refused(f"an Excel workbook older than Excel 97 (BIFF{version // 10}) is not checked; save it as "
                   ".xlsx (Excel Workbook) and check that", "legacy-xls")


def _sheets(book: Any, percents: frozenset[int], padded: dict[int, str]) -> tuple[Any, WorkbookScan, Any]:
    """Each worksheet loaded in turn for whether it holds data; the first that does (else the
    first) is the one checked, and stays loaded."""
    infos: list[SheetInfo] = []
    with_data: list[str] = []
    chosen: tuple[int, Any, SheetScan] | None = None
    bounds = SheetBounds(book.mem)
    for i, name in enumerate(book.sheet_names()):
        infos.append(SheetInfo(name, _STATES.get(book._sheet_visibility[i], "hidden"), None))
        bounds.check(book._sh_abs_posn[i], name)
        sheet = book.sheet_by_index(i)
        scan = _scan(sheet, percents, padded)
        if scan.has_values:
            with_data.append(name)
        if chosen is None or (scan.has_values and not chosen[2].has_values):
            if chosen is not None:
                book.unload_sheet(chosen[0])
            chosen = (i, sheet, scan)
        else:
            book.unload_sheet(i)
    if chosen is None:
        return book, WorkbookScan(infos, None, SheetScan(), with_data, bool(book.datemode)), None
    index, sheet, scan = chosen
    return book, WorkbookScan(infos, infos[index], scan, with_data, bool(book.datemode), parts=len(infos)), sheet


def _scan(sheet: Any, percents: frozenset[int] = frozenset(), padded: dict[int, str] | None = None) -> SheetScan:
    """The facts of one sheet the .xlsx byte scan gives (``xlsx_sheet.SheetScan``); ``percents``:
    the XF indexes of percentage formats, for ``percent_rows``; ``padded``: those of zero-padded
    formats with their codes, for ``padded_rows``."""
    out = SheetScan()
    types, values, xfs = sheet._cell_types, sheet._cell_values, sheet._cell_xf_indexes
    for r, kinds in enumerate(types):
        if not kinds:
            continue
        out.max_row = r + 1
        out.min_row = out.min_row or r + 1
        out.max_col = max(out.max_col, len(kinds))
        empty = kinds.count(_EMPTY)
        out.cells += len(kinds) - empty
        if empty + kinds.count(_BLANK) < len(kinds):
            out.has_values = True
            out.rows_with_values += 1
        if percents and _NUMBER in kinds and not percents.isdisjoint(xfs[r]):
            for c, kind in enumerate(kinds):
                if kind == _NUMBER and xfs[r][c] in percents and abs(values[r][c]) > 1:
                    out.percent_rows.setdefault(c + 1, array("q")).append(r + 1)
        if padded and _NUMBER in kinds and not padded.keys().isdisjoint(xfs[r]):
            _padded_cells(out, r, kinds, values[r], xfs[r], padded)
        if _ERROR in kinds:
            for c, kind in enumerate(kinds):
                if kind == _ERROR:
                    out.exceptions[(r + 1, c + 1)] = ("e", _ERRORS.get(values[r][c], "#VALUE!"))
    out.last_row = out.max_row
    out.hidden_rows = {r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden}
    out.hidden_cols = {c + 1 for c, info in sheet.colinfo_map.items() if info.hidden}
    out.merged = [(r1 + 1, c1 + 1, r2, c2) for r1, r2, c1, c2 in sheet.merged_cells]
    return out


def _padded_cells(out: SheetScan, r: int, kinds: Any, values: Any, xfs: Any, padded: dict[int, str]) -> None:
    """The number cells of row ``r`` (0-based) in a zero-padded format holding a whole number of
    fewer digits than its 0s, as the .xlsx byte scan keeps them (``xlsx_sheet._padded_cells``)."""
    for c, kind in enumerate(kinds):
        code = padded.get(xfs[c]) if kind == _NUMBER else None
        if code is not None and 0 <= values[c] < 10 ** (code.count("0") - 1) and float(values[c]).is_integer():
            out.padded_rows.setdefault(c + 1, {}).setdefault(code, array("q")).append(r + 1)


def _too_large(size: int) -> Refused:
    return Refused(f"the .xls workbook is {size:,} bytes, more than the {MAX_XLS_BYTES:,} read (a full Excel 97-2003 "
                   "sheet is ~100 MB); save it as .xlsx (Excel Workbook) and check that", "too-large")


def _refusal(exc: BaseException) -> Refused:
    """The refusal for what xlrd raised on a workbook."""
    text = " ".join(str(exc).split())  # one line
    if "encrypted" in text.lower():
        return Refused("the workbook is password-protected or encrypted (HubSpot: INVALID_SPREADSHEET); "
                       "remove the password and save it again", "encrypted")
    name = type(exc).__name__
    if name == "error":  # struct.error
        name = f"{type(exc).__module__}.error"
    detail = f"{name}: {text}" if text else name
    return Refused(f"the .xls workbook cannot be read ({detail[:200]}; HubSpot: INVALID_SPREADSHEET)",
                   "bad-workbook")
