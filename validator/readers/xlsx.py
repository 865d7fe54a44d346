"""The spreadsheet path: one worksheet of an .xlsx, behind the pre-checks of ``xlsx_scan``.

Produces the same Chunks as the CSV reader (all-string frame, positional columns, index = the
sheet's row number, ``lines`` = the same row numbers) plus ``kinds``, a frame of one-letter cell
kinds, so rules can tell a number cell from text that looks like one.

Cells become text once, here, by this rule (README "Cells to text"):

* text: as stored (rich text flattened, OOXML ``_x000D_`` escapes decoded);
* numbers: integers without a decimal point or exponent (``12345678901``, never
  ``1.2345678901E10``); other numbers in the shortest positional form that reads back to the
  same double (``0.1``, ``0.00001``). An .xlsx number is an IEEE double whatever digits its
  ``<v>`` holds (Excel reads it so, and shows 15 digits of it): past 2**53, where not every
  integer is a double, an integer too is the shortest form of its double, on both readers
  (``<v>12345678901234567890</v>`` is ``12345678901234567000``: openpyxl gave the digits
  written, which no double holds, calamine the double's binary expansion ``...7168``, digits no
  one wrote, which made a 15-digit ``123456789012345000000`` look 21 digits long); a number
  past any double is ``#NUM!`` (calamine reads it as infinity);
* dates and datetimes (date-formatted number cells): in the import's ``dateFormat``
  (``MONTH_DAY_YEAR`` -> ``03/15/2024``, ``DAY_MONTH_YEAR`` -> ``15/03/2024``,
  ``YEAR_MONTH_DAY`` -> ``2024/03/15``), with `` HH:MM`` (``:SS`` when not zero) only when the
  time is not midnight; times alone as ``HH:MM[:SS]``;
* booleans: ``TRUE`` / ``FALSE``, as Excel shows them;
* formulas: their cached value, typed as above; a formula without one becomes empty text of
  kind ``f``; error values (``#N/A``, ``#REF!``) keep their text with kind ``e``.

Kinds: ``s`` text, ``n`` number, ``d`` date/datetime, ``t`` time/duration, ``b`` boolean,
``e`` error, ``f`` formula without a cached value, empty string for an empty cell.

The conversion runs by column, not by cell (``column_texts``): a block of rows from the cell
reader is turned into columns, each column is split by Python type, and each type is converted
with numpy / Arrow compute (numbers, dates, booleans) or kept as is (text). ``cell_text`` is the
same rule for one value; the per-column path falls back to it only for rare values (times,
durations, numbers that Arrow would print with an exponent), and a test holds the two to each
other.

Rows the sheet does not have (a sparse sheet: ``<row r="2">`` then ``<row r="900000">``) are
never materialised: the rows between two rows with data become one ``blank`` RowNote whose
``rows`` says how many there are, and a cell far to the right of the header makes its row a
``ragged`` note without widening any other row.

A cell is on the row its reference names, on both readers (openpyxl's reader numbered a row
element's cells by the element, and gave a row written in two elements as two rows: the openpyxl
rows are regrouped, ``_by_reference``). Rows placed after higher ones are refused before either
reader (``xlsx_scan.rows_out_of_order``): calamine sorted them in, a streaming reader takes them
as written, and a finding's row would depend on which of the two HubSpot's import is.

Reader choice (measured, see README and ``bench/xlsx_readers.py``): python-calamine when it is
installed and the pre-scan has bounded the sheet's dense size (and the sheet is not mostly
empty: calamine materialises every row and column of the used range); otherwise openpyxl in
read-only mode with defusedxml, which streams the rows the sheet has in constant memory.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from validator.findings import column_letter
from validator.readers import xlsx_pieces
from validator.readers.base import (
    STR,
    Chunk,
    Header,
    ReaderNotes,
    Refused,
    RowNote,
    Shared,
    collector_paused,
    empty_frame,
    warnings_ignored,
)
from validator.readers.xlsx_explain import explain_failure
from validator.readers.xlsx_prefetch import Prefetched, take
from validator.readers.xlsx_scan import (
    WorkbookScan,
    calamine_available,  # noqa: F401 (part of this module's API)
    cell_twice,
    choose_engine,
    open_zip,
    rows_out_of_order,
    scan_workbook,
)

DATE_ORDERS = {"MONTH_DAY_YEAR": "mdy", "DAY_MONTH_YEAR": "dmy", "YEAR_MONTH_DAY": "ymd"}
DATE_PATTERNS = {"mdy": "%m/%d/%Y", "dmy": "%d/%m/%Y", "ymd": "%Y/%m/%d"}
BLOCK_CELLS = 250_000  # cells converted at once (rows x columns of a block)
CHUNK_CELLS = 4_000_000  # a chunk of a very wide sheet holds fewer rows than ``chunk_rows``
_EXACT_INT = 2**53  # every integer below it is a double; past it, not every one
_EXACT = float(_EXACT_INT)


def format_number(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return "#NUM!"
    if value.is_integer():
        if abs(value) < _EXACT:
            return str(int(value))
        return np.format_float_positional(value, unique=True, trim="-")
    text = repr(value)  # the shortest text that reads back to the same double
    return text if "e" not in text else np.format_float_positional(value, unique=True, trim="-")


@functools.cache
def _parser_class() -> type:
    """openpyxl's sheet parser, reading a number cell of more digits than ``int()`` converts
    (4,300: ``sys.get_int_max_str_digits``, which a library must leave as it is) as the double
    the cell holds, as calamine reads it (``#NUM!`` past any double), where openpyxl's own
    raised ValueError and the workbook was refused."""
    from openpyxl.worksheet._reader import VALUE_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        def parse_cell(self, element: Any) -> Any:
            counter: int = getattr(self, "col_counter", 0)  # (parse_cell moves it on before the cast)
            try:
                return super().parse_cell(element)
            except ValueError:
                value = element.find(VALUE_TAG)
                text = (value.text or "").strip() if value is not None else ""
                if element.get("t", "n") != "n" or not _LONG_INTEGER.fullmatch(text):
                    raise
                self.col_counter = counter
                double = float(text)  # no digit limit; infinity past any double
                value.text = repr(double) if double not in (_INF, -_INF) else ("-1e999" if double < 0 else "1e999")
                return super().parse_cell(element)

    return Parser


_LONG_INTEGER = re.compile(r"[+-]?[0-9]{4000,}")
_INF = float("inf")


def format_integer(value: int) -> str:
    """An integer a cell reader gives for a number cell (openpyxl: the digits written) as the
    double the cell holds."""
    if -_EXACT_INT < value < _EXACT_INT:
        return str(value)
    try:
        return format_number(float(value))
    except OverflowError:  # past any double
        return "#NUM!"


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
        return format_integer(value), "n"
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


# -- cells to text, by column ------------------------------------------------------------------
KINDS = ("", "s", "n", "d", "t", "b", "e", "f")
KIND_CODE = {k: i for i, k in enumerate(KINDS)}
_K_EMPTY, _K_TEXT, _K_NUMBER, _K_DATE, _K_BOOL = (KIND_CODE[k] for k in ("", "s", "n", "d", "b"))
_KIND_ARRAY = pa.array(KINDS, type=pa.large_string())
_NONE, _STR, _FLOAT, _INT, _BOOL, _DATE, _DATETIME, _OTHER = range(8)
_TYPE_CODE: defaultdict[type, int] = defaultdict(lambda: _OTHER, {
    type(None): _NONE, str: _STR, float: _FLOAT, int: _INT, bool: _BOOL, dt.date: _DATE, dt.datetime: _DATETIME})
_LARGE = pa.large_string()


def column_texts(values: Sequence[Any], order: str = "mdy") -> tuple[pa.Array, np.ndarray]:
    """Texts (an Arrow large_string array) and kind codes (int8, indexes into ``KINDS``) of one
    column of cell values, by the same rule as ``cell_text``."""
    n = len(values)
    try:  # most columns hold only text: Arrow takes them as they are, or stops at the first other value
        return _text_cells(values)
    except (pa.ArrowTypeError, TypeError):  # (TypeError: a value that is not text, met while escaping)
        pass
    types = set(map(type, values))
    if len(types) == 1:
        return _CONVERT[_TYPE_CODE[next(iter(types))]](values, order)
    codes = np.fromiter(map(_TYPE_CODE.__getitem__, map(type, values)), dtype=np.int8, count=n)
    groups = [(c, np.flatnonzero(codes == c)) for c in np.unique(codes)]
    texts: list[pa.Array] = []
    kinds = np.empty(n, dtype=np.int8)
    for code, idx in groups:
        picked = [values[i] for i in idx.tolist()]
        text, kind = _CONVERT[int(code)](picked, order)
        texts.append(text)
        kinds[idx] = kind
    where = np.concatenate([idx for _c, idx in groups])
    inverse = np.empty(n, dtype=np.int64)
    inverse[where] = np.arange(n)
    return pa.concat_arrays(texts).take(pa.array(inverse)), kinds


def _text_cells(values: Sequence[Any], _order: str = "") -> tuple[pa.Array, np.ndarray]:
    try:
        arr = pa.array(values, type=_LARGE).fill_null("")
    except UnicodeEncodeError:  # a lone surrogate: written back as the OOXML escape it came from
        arr = pa.array([_escape_surrogates(v) for v in values], type=_LARGE).fill_null("")
    return arr, _text_kinds(arr)


def _text_kinds(arr: pa.Array) -> np.ndarray:
    """Kind codes of a text column without nulls: text, or empty."""
    return np.where(pc.binary_length(arr).to_numpy() > 0, np.int8(_K_TEXT), np.int8(_K_EMPTY))


def _none_cells(values: Sequence[Any], _order: str = "") -> tuple[pa.Array, np.ndarray]:
    return pa.repeat(pa.scalar("", _LARGE), len(values)), np.zeros(len(values), dtype=np.int8)


def _float_cells(values: Sequence[Any], _order: str = "") -> tuple[pa.Array, np.ndarray]:
    v = np.asarray(values, dtype=np.float64)
    kinds = np.full(len(v), _K_NUMBER, dtype=np.int8)
    finite = np.isfinite(v)
    integral = finite & (np.trunc(v) == v)
    small = integral & (np.abs(v) < _EXACT)
    if small.all():
        return pa.array(v.astype(np.int64)).cast(_LARGE), kinds
    text = pa.array(np.where(small, v, 0).astype(np.int64)).cast(_LARGE)
    fraction = finite & ~integral
    if fraction.any():
        shortest = pa.array(np.where(fraction, v, 0.5)).cast(_LARGE)  # shortest round-trip digits
        text = pc.if_else(pa.array(fraction), shortest, text)
    # Arrow writes an exponent where Python's rule wants digits (tiny or huge values), and
    # integral values past 2**53 or not finite need the Python rule: those few go one by one
    odd = ~finite | (integral & ~small)
    if fraction.any():
        odd |= fraction & np.asarray(pc.match_substring(text, "e").to_numpy(zero_copy_only=False), dtype=bool)
    if odd.any():
        idx = np.flatnonzero(odd)
        fixed = pa.array([format_number(float(v[i])) for i in idx.tolist()], type=_LARGE)
        mask = np.zeros(len(v), dtype=bool)
        mask[idx] = True
        text = pc.replace_with_mask(text, pa.array(mask), fixed)
    return text, kinds


def _int_cells(values: Sequence[Any], _order: str = "") -> tuple[pa.Array, np.ndarray]:
    kinds = np.full(len(values), _K_NUMBER, dtype=np.int8)
    try:
        ints = np.asarray(values, dtype=np.int64)
    except OverflowError:
        return pa.array([format_integer(int(v)) for v in values], type=_LARGE), kinds
    text = pa.array(ints).cast(_LARGE)
    wide = (ints >= _EXACT_INT) | (ints <= -_EXACT_INT)  # (openpyxl's integers; past 2**53: few)
    if wide.any():
        idx = np.flatnonzero(wide)
        fixed = pa.array([format_integer(int(ints[i])) for i in idx.tolist()], type=_LARGE)
        text = pc.replace_with_mask(text, pa.array(wide), fixed)
    return text, kinds


def _bool_cells(values: Sequence[Any], _order: str = "") -> tuple[pa.Array, np.ndarray]:
    v = np.asarray(values, dtype=bool)
    return pa.array(np.where(v, "TRUE", "FALSE"), type=_LARGE), np.full(len(v), _K_BOOL, dtype=np.int8)


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _date_cells(values: Sequence[Any], order: str = "mdy") -> tuple[pa.Array, np.ndarray]:
    # a column of dates repeats a few hundred days: each distinct day is formatted once
    ordinals = np.fromiter(map(dt.date.toordinal, values), dtype=np.int64, count=len(values))
    days, inverse = np.unique(ordinals, return_inverse=True)
    stamps = pa.array((days - _EPOCH_ORDINAL).astype("datetime64[D]")).cast(pa.timestamp("s"))
    text = pc.strftime(stamps, format=DATE_PATTERNS[order]).cast(_LARGE)
    return text.take(pa.array(inverse.ravel())), np.full(len(values), _K_DATE, dtype=np.int8)


def _datetime_cells(values: Sequence[Any], order: str = "mdy") -> tuple[pa.Array, np.ndarray]:
    if any(v.tzinfo is not None for v in values):
        return _other_cells(values, order)
    micros = pa.array(values, type=pa.timestamp("us")).cast(pa.int64()).to_numpy()
    return _stamp_texts(micros // 1_000_000, order)  # fractions dropped, as cell_text


def _stamp_texts(all_seconds: np.ndarray, order: str) -> tuple[pa.Array, np.ndarray]:
    """Date-times given as whole seconds since 1970 (each distinct one formatted once)."""
    seconds, inverse = np.unique(all_seconds, return_inverse=True)
    stamps = pa.array(seconds.astype("datetime64[s]"))
    pattern = DATE_PATTERNS[order]
    text = pc.strftime(stamps, format=pattern)
    of_day = seconds % 86400
    if (of_day != 0).any():
        minutes = pc.strftime(stamps, format=pattern + " %H:%M")
        full = pc.strftime(stamps, format=pattern + " %H:%M:%S")
        text = pc.if_else(pa.array(of_day % 60 != 0), full, pc.if_else(pa.array(of_day != 0), minutes, text))
    return text.cast(_LARGE).take(pa.array(inverse.ravel())), np.full(len(all_seconds), _K_DATE, dtype=np.int8)


def _other_cells(values: Sequence[Any], order: str = "mdy") -> tuple[pa.Array, np.ndarray]:
    pairs = [cell_text(v, order) for v in values]
    return (pa.array([t for t, _k in pairs], type=_LARGE),
            np.fromiter((KIND_CODE[k] for _t, k in pairs), dtype=np.int8, count=len(pairs)))


def arrow_texts(arr: pa.Array, order: str = "mdy") -> tuple[pa.Array, np.ndarray]:
    """Texts and kind codes of a typed column of a piece (``xlsx_pieces._typed``: text, numbers,
    booleans or date-times, nulls where python-calamine gives an empty cell), as ``column_texts``
    gives them for python-calamine's values of the same cells."""
    n = len(arr)
    kind = arr.type
    if pa.types.is_null(kind) or arr.null_count == n:
        return _none_cells(arr)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = arr.cast(_LARGE).fill_null("")
        return text, _text_kinds(text)
    if pa.types.is_timestamp(kind):
        stamps = arr.cast(pa.int64()).fill_null(0).to_numpy()
        text, kinds = _stamp_texts(stamps // xlsx_pieces.PER_SECOND[kind.unit], order)
    elif pa.types.is_floating(kind):
        text, kinds = _float_cells(arr.fill_null(0).to_numpy())
    elif pa.types.is_integer(kind):
        text, kinds = _int_cells(arr.fill_null(0).to_numpy())
    elif pa.types.is_boolean(kind):
        text, kinds = _bool_cells(arr.fill_null(False).to_numpy(zero_copy_only=False))
    else:
        raise TypeError(f"no texts for a column of {kind}")
    if arr.null_count:
        valid = arr.is_valid()
        text = pc.if_else(valid, text, pa.scalar("", _LARGE))
        kinds = np.where(valid.to_numpy(zero_copy_only=False), kinds, np.int8(_K_EMPTY))
    return text, kinds


_CONVERT = {_NONE: _none_cells, _STR: _text_cells, _FLOAT: _float_cells, _INT: _int_cells, _BOOL: _bool_cells,
            _DATE: _date_cells, _DATETIME: _datetime_cells, _OTHER: _other_cells}

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """OOXML's ``_xHHHH_`` escapes (``_x000D_`` is a carriage return, ``_x005F_`` a literal
    underscore). calamine decodes them; openpyxl's read-only values keep them, so we do. A
    surrogate (``_xD800_``) is no character: it stays as written, as calamine leaves it."""
    return _ESCAPE.sub(lambda m: m.group() if 0xD800 <= int(m.group(1), 16) <= 0xDFFF else chr(int(m.group(1), 16)),
                       text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogates(text: str | None) -> str | None:
    return None if text is None else _SURROGATE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


# -- blocks of rows as the cell readers give them ------------------------------------------------
@dataclass(slots=True)
class RawBlock:
    """Consecutive rows the sheet has (ascending sheet row numbers; gaps are rows it does not
    have), as column sequences of raw cell values, plus cells right of those columns."""

    rows: np.ndarray
    columns: list[Sequence[Any]]
    extra: list[tuple[int, int, Any]] = field(default_factory=list)  # (position, 0-based column, value)
    typed: list[pa.Array] | None = None  # instead of columns: typed Arrow columns from column A (``arrow_texts``)


@dataclass(slots=True)
class _Piece:
    rows: np.ndarray
    texts: list[pa.Array]
    kinds: list[np.ndarray]


_SIZED: dict[str, Shared] = {}


def _unsized(sheet_class: Any) -> Any:
    """openpyxl's read-only sheets not sized while a workbook opens (load_workbook sizes every
    sheet from <dimension> or, without one, by parsing the whole sheet: seconds for 100,000
    rows; the extent comes from our own scan), for as long as any thread opens one."""
    shared = _SIZED.get("sheet")
    if shared is None:
        def make() -> Any:
            saved = sheet_class._get_size
            sheet_class._get_size = lambda _self: None
            return saved

        def undo(saved: Any) -> None:
            sheet_class._get_size = saved
        shared = _SIZED.setdefault("sheet", Shared(make, undo))
    return shared()


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
        # the command line may have run the pre-checks and calamine's load already (xlsx_prefetch)
        self._pre: Prefetched | None = take(stream) if engine is None else None
        self._speculation: xlsx_pieces.Speculation | None = None  # pieces cut during the pre-checks
        self.scan: WorkbookScan
        if self._pre is not None and self._pre.refused is not None:
            raise self._pre.refused
        if self._pre is not None:
            assert self._pre.zf is not None
            self.zf, self.scan = self._pre.zf, self._pre.scan
        else:
            self.zf = open_zip(stream, size)
            self._speculation = xlsx_pieces.Speculation(self.zf)
            try:
                self.scan = scan_workbook(self.zf, early=self._speculation.sink)
            except BaseException:
                self._speculation.close()
                self.zf.close()
                raise
        self._handle: Any = None
        self._source: Any = None
        self._loader: xlsx_pieces.Pieces | None = None  # the sheet's pieces being loaded, if so
        self._now: _Rows | _Typed | None = None  # the rows being given out
        try:
            notes.extra["workbook"] = self.scan
            notes.bytes = size or 0
            chosen = self.scan.chosen
            if chosen is None:
                raise Refused("the workbook has no worksheet (only chart sheets or other parts; "
                              "HubSpot: INVALID_SPREADSHEET)", "not-a-workbook")
            notes.sheet = chosen.name
            self.engine = choose_engine(self.scan.scan, engine)
            notes.reader = self.engine
            exceptions = sorted(self.scan.scan.exceptions.items())
            self._exc_rows = np.array([r for (r, _c), _v in exceptions], dtype=np.int64)
            self._exceptions = exceptions
            self._next_block = self._open_rows()
            self._header: Header | None = None
            self._width = expected_columns or 0
            self._first: RawBlock | None = None
            if has_header:
                self._read_header()
            notes.empty = not self.scan.scan.has_values
        except BaseException:  # nothing opened here outlives a failed start (the caller closes the stream)
            self._release()
            raise

    # -- engines ---------------------------------------------------------------------------
    def _open_rows(self) -> Any:
        name = self.notes.sheet or ""
        if self.engine != "calamine" and self._speculation is not None:
            self._speculation.close()  # pieces cut for calamine: not wanted
            self._speculation = None
        try:
            if self.engine == "calamine":
                return self._calamine(name)
            return self._openpyxl(name)
        except Refused:
            raise
        except Exception as exc:  # the libraries raise many unrelated types on bad input
            raise self._unreadable(exc) from None

    def _calamine(self, name: str) -> Any:
        pre = self._pre
        mine = pre is not None and pre.scan.chosen is not None and pre.scan.chosen.name == name
        if mine and pre is not None and pre.pieces is not None:
            self._loader, pre.pieces = pre.pieces, None
        elif mine and pre is not None and pre.sheet is not None:
            self._handle, sheet = pre.handle, pre.sheet
            pre.handle = pre.sheet = None
            return self._calamine_rows(sheet)
        else:
            spec, self._speculation = self._speculation, None
            self._loader = spec.adopt(name, "calamine", self.scan.scan.ordered) if spec is not None else None
            if self._loader is None:
                return self._calamine_rows(self._calamine_sheet(name))
        return self._piecewise(self._loader, name)

    def _calamine_sheet(self, name: str) -> Any:
        from python_calamine import CalamineWorkbook

        self.stream.seek(0)
        self._handle = CalamineWorkbook.from_filelike(self.stream)
        return self._handle.get_sheet_by_name(name)

    def _calamine_rows(self, sheet: Any) -> Any:
        """Blocks of the whole sheet's rows."""
        rows = _Rows.whole(sheet)
        return lambda limit, header=False: rows.block(limit)

    def _piecewise(self, pieces: xlsx_pieces.Pieces, name: str) -> Any:
        """Blocks of the rows of the sheet's pieces (``xlsx_pieces``), in order. A piece's rows are
        given out only once the next piece is loaded and starts below them: a row across pieces
        (a ``<row>`` repeated, its cells in two pieces; the whole sheet's load joins them: rows
        placed after higher ones are refused by the pre-scan), or a piece calamine refuses, end
        the pieces, and the whole sheet is loaded and read from the row after the last one given."""
        given = [0]  # the last sheet row given out
        ahead: list[xlsx_pieces.Piece | None] = []  # the piece after the current one, once loaded

        def following() -> xlsx_pieces.Piece | None:
            if ahead:
                return ahead.pop()
            return pieces.next()

        def block(limit: int, header: bool = False) -> RawBlock | None:
            while True:
                rows = self._now
                if rows is not None:
                    got = None
                    if rows.piece is not None and rows.next > given[0] + 1:  # a piece not begun
                        got = self._exception_rows(given[0] + 1, rows.next - 1, limit)
                    got = got or rows.block(limit)
                    if got is not None:
                        given[0] = int(got.rows[-1])
                        return got
                    self._now = None
                    if rows.piece is None:  # the whole sheet, after the pieces ended: all given
                        return None
                try:
                    piece = following()
                    if piece is None:
                        return None
                    after = pieces.next()
                    ahead.append(after)
                    end = piece.first + piece.count - 1 if piece.count else given[0]
                    if after is not None and after.count and after.first <= max(end, given[0]):
                        raise xlsx_pieces.PiecesFailed("rows out of order across pieces")
                except xlsx_pieces.PiecesFailed:
                    ahead.clear()
                    pieces.close()
                    sheet = self._calamine_sheet(name)
                    whole = _Rows.whole(sheet)
                    whole.skip(given[0])
                    self._now = whole
                    continue
                self._now = (_Typed(piece) if piece.typed is not None
                             else _Rows(iter(piece.rows), piece.first, piece.col0, piece))
                piece.rows, piece.typed = [], None
        return block

    def _exception_rows(self, low: int, high: int, limit: int) -> RawBlock | None:
        """Rows between two pieces that hold only error cells or formulas without a cached value
        (no value calamine keeps, so neither piece has them): the whole sheet's load gives them as
        empty rows, which the byte scan's exceptions then fill; here, the first ``limit`` of them."""
        found = self._exceptions_in(low, high)
        if not found:
            return None
        rows = sorted({r for (r, _c), _v in found})[:limit]
        width = max(c for (r, c), _v in found if r <= rows[-1])
        return RawBlock(np.asarray(rows, dtype=np.int64), [(None,) * len(rows)] * width)

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
        parsed = _by_reference(_parser_class()(self._source, ws._shared_strings, data_only=True, epoch=wb.epoch,
                                               date_formats=wb._date_formats,
                                               timedelta_formats=wb._timedelta_formats).parse(),
                               every_cell=bool(self.scan.scan.cells_without_ref))
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

    def _block(self, limit: int, header: bool = False) -> RawBlock | None:
        try:  # a block is a list (calamine) or dicts (openpyxl) per row and cell: no cycles
            with warnings_ignored(), collector_paused(limit):
                block: RawBlock | None = self._next_block(limit, header)
            return block
        except Refused:
            raise
        except Exception as exc:
            raise self._unreadable(exc) from None

    def _unreadable(self, exc: Exception) -> Refused:
        """The refusal for a reader's failure: the malformed part or the cell at fault when a
        bounded look after the failure finds it (``xlsx_explain``), else the reader's message."""
        chosen = self.scan.chosen
        found = explain_failure(self.zf, chosen.part, chosen.name) if chosen and chosen.part else None
        return found or Refused(f"the workbook cannot be read ({type(exc).__name__}: {exc}; "
                                "HubSpot: INVALID_SPREADSHEET)", "bad-workbook")

    # -- header and chunks -------------------------------------------------------------------
    @property
    def header(self) -> Header | None:
        return self._header

    @property
    def width(self) -> int:
        return self._width

    def close(self) -> None:
        try:
            self._release()
        finally:
            if self.owned:
                self.stream.close()

    def _release(self) -> None:
        try:
            if self._source is not None:
                self._source.close()
            if self._speculation is not None:
                self._speculation.close()
            if self._loader is not None:
                self._loader.close()
            self._now = None
            if self._handle is not None:
                self._handle.close()
        finally:
            self.zf.close()
            if self._pre is not None:
                self._pre.close()

    def _read_header(self) -> None:
        block = self._block(1, header=True)
        if block is None:
            return
        if block.typed is not None:  # (a first piece without values: the header came in the next)
            block = RawBlock(block.rows, [a.to_pylist() for a in block.typed], block.extra)
        texts: list[str] = []
        extent = 0  # columns through the header's last cell with a value, blank text included (HS433)
        if int(block.rows[0]) != 1:  # the sheet's first row is below row 1: the header row is empty
            self._first = _narrow(block, 0)
        else:  # one walk over the header row's cells gives both
            cells = self._row_cells(block, 0)
            texts = [cells[c][0] if c in cells else "" for c in range(max(cells, default=-1) + 1)]
            extent = max((c + 1 for c, (_text, kind) in cells.items() if kind), default=0)
        self.notes.extra["header_extent"] = extent
        while texts and not texts[-1]:  # empty trailing cells are no columns; a blank name (" ") is one
            texts.pop()
        self._header = Header(tuple(texts), 1, 1, 1)
        self._width = len(texts)

    def _row_cells(self, block: RawBlock, pos: int) -> dict[int, tuple[str, str]]:
        """(text, kind) of each cell of one row of a block (the header), by 0-based column (the
        kind is empty where the cell holds no value: a styled cell, which openpyxl gives as None,
        or a cell calamine's used range holds and the sheet does not, which it gives as "")."""
        row = int(block.rows[pos])
        cells: dict[int, tuple[str, str]] = {}
        for c, col in enumerate(block.columns):
            cells[c] = cell_text(col[pos], self.order)
        for p, c, v in block.extra:
            if p == pos:
                cells[c] = cell_text(v, self.order)
        for (_r, c), (kind, text) in self._exceptions_in(row, row):
            cells[c - 1] = (text, kind)
        return cells

    def _exceptions_in(self, low: int, high: int) -> list[tuple[tuple[int, int], tuple[str, str]]]:
        if not len(self._exc_rows):
            return []
        a, b = np.searchsorted(self._exc_rows, [low, high + 1])
        return self._exceptions[int(a):int(b)]

    def chunks(self) -> Iterator[Chunk]:
        self._pieces: list[_Piece] = []
        self._good = 0
        self._pending: list[RowNote] = []
        self._last_data = 1 if self.has_header else 0  # the last row with data (the header's, at first)
        self._last_row = self._last_data
        records = 0
        width = self._width
        chunk_rows = max(1, min(self.chunk_rows, CHUNK_CELLS // max(width, 1)))
        # calamine gives every row the used range's full width: a block holds that many cells a row.
        # Blocks are sized by cells alone, not by the chunk's rows: chunks are cut from them as
        # the rows arrive, and a sheet whose used range reaches row 1,048,576 in a few cells
        # must not be converted a handful of rows at a time (3-row chunks made a 2 KB workbook
        # take 50 s: 350,000 blocks of empty rows)
        dense = self.scan.scan.max_col if self.engine == "calamine" else 0
        limit = max(1, BLOCK_CELLS // max(width, dense, 1))
        pending, self._first = self._first, None
        while True:
            block = pending if pending is not None else self._block(limit)
            pending = None
            if block is None:
                break
            records += self._take(block, width)
            yield from self._cut(chunk_rows, width)
        self.notes.records = records
        self.notes.extra["trailing_blank_rows"] = self._last_row - self._last_data
        if self._good or self._pending:
            yield self._emit(self._good, len(self._pending), width)

    def _take(self, block: RawBlock, width: int) -> int:
        """Convert one block, classify its rows and queue good rows and notes; returns the records
        it completes (rows with data and the blank rows before them)."""
        n = len(block.rows)
        texts: list[pa.Array] = []
        kinds: list[np.ndarray] = []
        if block.typed is not None:
            for arr in block.typed:
                t, k = arrow_texts(arr, self.order)
                texts.append(t)
                kinds.append(k)
        for col in block.columns:
            t, k = column_texts(col, self.order)
            texts.append(t)
            kinds.append(k)
        for _ in range(len(texts), width):  # columns the block's cells do not reach (a piece of a
            # sheet whose last column holds only formulas there): the scan's exceptions may
            texts.append(pa.repeat(pa.scalar("", _LARGE), n))
            kinds.append(np.zeros(n, dtype=np.int8))
        extra_last = np.full(n, -1, dtype=np.int64)
        for pos, c, v in block.extra:
            if cell_text(v, self.order)[1]:
                extra_last[pos] = max(extra_last[pos], c)
        self._apply_exceptions(block, texts, kinds, extra_last)
        last = extra_last
        if kinds:
            filled = np.stack([k != 0 for k in kinds], axis=1)
            inside = np.where(filled.any(axis=1), filled.shape[1] - 1 - np.argmax(filled[:, ::-1], axis=1), -1)
            last = np.maximum(inside, extra_last)
        data = last >= 0
        ragged = last >= width
        good = data & ~ragged
        rows = block.rows
        self._last_row = int(rows[-1])
        data_rows = rows[data]
        records = 0
        notes: list[RowNote] = []
        if len(data_rows):
            before = np.concatenate(([self._last_data], data_rows[:-1]))
            gaps = data_rows - before - 1
            for i in np.flatnonzero(gaps > 0).tolist():
                start = int(before[i]) + 1
                notes.append(RowNote("blank", start, start, int(data_rows[i]) - 1, rows=int(gaps[i])))
            records = int(gaps.sum()) + len(data_rows)
            self._last_data = int(data_rows[-1])
        at = np.flatnonzero(ragged)
        if len(at):  # a ragged row keeps every field (reports of failing rows, HS608), as in a CSV
            outside: dict[int, dict[int, Any]] = {}  # cells right of the columns read as texts
            wanted = set(at.tolist())
            for p, c, v in block.extra:
                if p in wanted:
                    outside.setdefault(p, {})[c] = v
            shown = [texts[c].take(pa.array(at)).to_pylist() for c in range(len(texts))]
            for i, pos in enumerate(at.tolist()):
                row, fields = int(rows[pos]), int(last[pos]) + 1
                cells = [shown[c][i] if c < len(shown) else "" for c in range(fields)]
                for c, v in outside.get(pos, {}).items():
                    if c < fields:
                        cells[c] = v.text if isinstance(v, _Exception) else cell_text(v, self.order)[0]
                notes.append(RowNote("ragged", row, row, row, fields=fields, column=fields,
                                     sample=tuple(t[:100] for t in cells[:3]), cells=tuple(cells)))
        notes.sort(key=lambda note: note.row)
        self._pending.extend(notes)
        if good.any():
            keep = np.flatnonzero(good)
            everything = len(keep) == n
            picked = pa.array(keep)
            columns = [texts[j] if everything else texts[j].take(picked) for j in range(min(width, len(texts)))]
            codes = [kinds[j] if everything else kinds[j][keep] for j in range(min(width, len(kinds)))]
            for _ in range(len(columns), width):  # columns the rows do not reach
                columns.append(pa.repeat(pa.scalar("", _LARGE), len(keep)))
                codes.append(np.zeros(len(keep), dtype=np.int8))
            self._pieces.append(_Piece(rows[keep], columns, codes))
            self._good += len(keep)
        return records

    def _apply_exceptions(self, block: RawBlock, texts: list[pa.Array], kinds: list[np.ndarray],
                          extra_last: np.ndarray) -> None:
        """Error cells and formulas without a cached value, as the byte scan found them."""
        found = self._exceptions_in(int(block.rows[0]), int(block.rows[-1]))
        if not found:
            return
        per_column: dict[int, list[tuple[int, str, str]]] = {}
        for (r, c), (kind, text) in found:
            pos = int(np.searchsorted(block.rows, r))
            if pos >= len(block.rows) or block.rows[pos] != r:
                continue
            if c - 1 < len(texts):
                per_column.setdefault(c - 1, []).append((pos, kind, text))
            else:
                block.extra.append((pos, c - 1, _Exception(kind, text)))
                extra_last[pos] = max(extra_last[pos], c - 1)
        for j, changes in per_column.items():
            changes.sort()
            mask = np.zeros(len(block.rows), dtype=bool)
            mask[[p for p, _k, _t in changes]] = True
            texts[j] = pc.replace_with_mask(texts[j], pa.array(mask), pa.array([t for _p, _k, t in changes], _LARGE))
            kinds[j] = kinds[j].copy()
            kinds[j][mask] = [KIND_CODE[k] for _p, k, _t in changes]

    def _cut(self, chunk_rows: int, width: int) -> Iterator[Chunk]:
        """Chunks of ``chunk_rows`` good rows (or as many notes), each with the notes before its
        last row, as the rows arrive."""
        while True:
            ends = []
            if self._good >= chunk_rows:
                ends.append(self._good_row(chunk_rows - 1))
            if len(self._pending) >= chunk_rows:
                ends.append(self._pending[chunk_rows - 1].row)
            if not ends:
                return
            end = min(ends)
            goods = sum(int(np.searchsorted(p.rows, end, side="right")) for p in self._pieces)
            notes = sum(1 for note in self._pending if note.row <= end)
            yield self._emit(goods, notes, width)

    def _good_row(self, index: int) -> int:
        for piece in self._pieces:
            if index < len(piece.rows):
                return int(piece.rows[index])
            index -= len(piece.rows)
        raise IndexError(index)

    def _emit(self, goods: int, notes: int, width: int) -> Chunk:
        """A chunk of the first ``goods`` queued good rows and ``notes`` queued notes."""
        taken: list[_Piece] = []
        left = goods
        while left:
            piece = self._pieces[0]
            if len(piece.rows) <= left:
                taken.append(self._pieces.pop(0))
                left -= len(piece.rows)
            else:
                taken.append(_Piece(piece.rows[:left], [t.slice(0, left) for t in piece.texts],
                                    [k[:left] for k in piece.kinds]))
                self._pieces[0] = _Piece(piece.rows[left:], [t.slice(left) for t in piece.texts],
                                         [k[left:] for k in piece.kinds])
                left = 0
        self._good -= goods
        chunk_notes, self._pending = tuple(self._pending[:notes]), self._pending[notes:]
        if not taken:
            return Chunk(empty_frame(width), np.empty(0, dtype=np.int64), chunk_notes, kinds=empty_frame(width))
        rows = np.concatenate([p.rows for p in taken])
        index = pd.Index(rows)
        frame = pd.DataFrame({j: _series(pa.concat_arrays([p.texts[j] for p in taken]), index)
                              for j in range(width)}, copy=False)
        kinds = pd.DataFrame({j: _series(_KIND_ARRAY.take(pa.array(np.concatenate([p.kinds[j] for p in taken]))),
                                         index) for j in range(width)}, copy=False)
        if not width:
            frame.index = index
            kinds.index = index
        return Chunk(frame, rows.copy(), chunk_notes, kinds=kinds)


@dataclass(frozen=True, slots=True)
class _Exception:
    """An error cell or formula without a cached value right of the columns a block holds."""

    kind: str
    text: str


class _Rows:
    """Rows of calamine values, numbered from ``first``, whose first value is in column ``col0``
    (0-based), given out in blocks; ``piece`` is the loaded piece they come from, if any."""

    __slots__ = ("col0", "next", "piece", "rows")

    def __init__(self, rows: Iterator[list[Any]], first: int, col0: int, piece: Any = None):
        self.rows = rows
        self.next = first
        self.col0 = col0
        self.piece = piece

    @classmethod
    def whole(cls, sheet: Any) -> _Rows:
        """A whole sheet's rows: python-calamine 0.9 pads rows from row 1 but columns only from the
        first used one."""
        start = sheet.start
        return cls(sheet.iter_rows(), 1, start[1] if start is not None else 0)

    def skip(self, upto: int) -> None:
        """Pass over the rows up to sheet row ``upto``."""
        if upto >= self.next:
            for _ in itertools.islice(self.rows, upto - self.next + 1):
                pass
            self.next = upto + 1

    def block(self, limit: int) -> RawBlock | None:
        got = list(itertools.islice(self.rows, limit))
        if not got:
            return None
        numbers = np.arange(self.next, self.next + len(got), dtype=np.int64)
        self.next += len(got)
        widths = set(map(len, got))
        columns: list[Sequence[Any]] = list(
            zip(*got, strict=True) if len(widths) == 1 else itertools.zip_longest(*got))
        if self.col0:
            columns = [(None,) * len(got)] * self.col0 + columns
        return RawBlock(numbers, columns)


class _Typed:
    """The rows of a piece loaded as typed columns, numbered from its first, given out in blocks."""

    __slots__ = ("arrays", "at", "piece")

    def __init__(self, piece: Any):
        self.arrays: list[pa.Array] = piece.typed
        self.at = 0  # rows given out
        self.piece = piece

    @property
    def next(self) -> int:
        """The sheet row of the next row to give out."""
        return int(self.piece.first) + self.at

    def block(self, limit: int) -> RawBlock | None:
        n = min(limit, self.piece.height - self.at)
        if n <= 0:
            return None
        numbers = np.arange(self.next, self.next + n, dtype=np.int64)
        typed = [a.slice(self.at, n) for a in self.arrays]
        self.at += n
        return RawBlock(numbers, [], typed=typed)


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


def _narrow(block: RawBlock, width: int) -> RawBlock:
    """The block with the cells right of ``width`` moved to ``extra``."""
    extra = list(block.extra)
    for c in range(width, len(block.columns)):
        extra.extend((i, c, v) for i, v in enumerate(block.columns[c]) if v is not None and v != "")
    return RawBlock(block.rows, list(block.columns[:width]), extra)


def _series(arr: pa.Array, index: pd.Index) -> pd.Series:
    return pd.Series(arr, dtype=STR, index=index, copy=False)
