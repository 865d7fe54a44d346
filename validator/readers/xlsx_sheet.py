"""The byte scan of one worksheet part, before any cell reader runs (``xlsx_scan``).

One streaming pass (``scan_sheet``) in windows that end after a cell or a row, with byte regexes
and word compares, never trusting ``<dimension>``: the real extent, cells beyond Excel's limits,
hidden rows and columns, merged ranges, formulas without a cached value and error cells, whether
the cells' rows ever go down and whether every cell is above the one before (else
``xlsx_order`` names a cell written twice or rows out of order), rows left open (a part whose
rows ``xlsx_structure`` cannot prove well-formed is parsed) and text cells whose shared-string
index is no number (which no reader refuses: both read another string). The result is a
``SheetScan``.
"""

from __future__ import annotations

import re
import zipfile
from array import array
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from validator.readers.errors import Refused
from validator.readers.xlsx_container import (
    MAX_CARRY,
    MAX_COLS,
    MAX_EXCEPTIONS,
    MAX_ROWS,
    Budget,
    has_bytes,
    stream_part,
)
from validator.readers.xlsx_order import _disorder
from validator.readers.xlsx_refs import _CELL_COL, _KEY, _NS, _Q, Cells, _cell_refs, _last_boundary, col_number
from validator.readers.xlsx_structure import _TAIL, _cells_close, _rows_open_cleanly, _sheet_data_closes
from validator.readers.xlsx_text import format_number

_ROW = re.compile(rb"<" + _NS.encode() + rb"row\b([^>]*?)(/?)>")
_ATTR_R = re.compile(rb"\br=" + _Q + rb"([A-Za-z]*)(\d+)" + _Q)

_HIDDEN = re.compile(rb"\bhidden=" + _Q + rb"(?:1|true)" + _Q)
_COL = re.compile(rb"<" + _NS.encode() + rb"col\b([^>]*)>")
_MERGE = re.compile(rb"<" + _NS.encode() + rb"mergeCell\b[^>]*?\bref=" + _Q + rb"([A-Za-z0-9:$]+)" + _Q)
_NUM_ATTR = re.compile(rb"\b(min|max)=" + _Q + rb"(\d+)" + _Q)
_C_OPEN = _NS.encode() + rb"c\b"
_ERROR_CELL = re.compile(
    rb"<" + _C_OPEN + rb"(?=[^>]*\bt=" + _Q + rb"e" + _Q + rb")([^>]*?)(?<!/)>(.*?)</" + _NS.encode() + rb"c>", re.S)
_FORMULA_CELL = re.compile(rb"<" + _C_OPEN + rb"([^>]*?)(?<!/)>\s*<" + _NS.encode() + rb"f\b(.*?)</" + _NS.encode()
                           + rb"c>", re.S)
_VALUE = re.compile(rb"<" + _NS.encode() + rb"v>([^<]*)</" + _NS.encode() + rb"v>")
_HAS_VALUE = re.compile(rb"<" + _NS.encode() + rb"(?:v>[^<]|is>)")
# a text formula's cached value, an empty one included: Excel saves a formula giving "" as
# t="str" with <v></v> (or <v/>); openpyxl writes <v/> for a formula without a value, with no type
_TEXT_TYPE = re.compile(rb"\bt=" + _Q + rb"str" + _Q)
_CACHED = re.compile(rb"<" + _NS.encode() + rb"v\s*/?>")

_HIDDEN_ROW = re.compile(rb"<" + _NS.encode() + rb"row\b[^>]*?\bhidden=" + _Q + rb"(?:1|true)" + _Q + rb"[^>]*>")



@dataclass(slots=True)
class SheetScan:
    """What the byte scan of one worksheet found."""

    max_row: int = 0
    max_col: int = 0
    min_row: int = 0
    rows_with_values: int = 0
    has_values: bool = False
    cells_without_ref: int = 0
    cells: int = 0  # cell elements, with or without a value
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)  # 1-based
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    # (row, col) -> ("e", "#N/A") for error cells, ("f", "") for formulas without a cached value
    exceptions: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    exceptions_dropped: int = 0
    beyond: tuple[str, int, int] | None = None  # the first cell beyond Excel's limits: reference, row, column
    # the cells' rows never go down in the part's order (a later piece of it never holds a row
    # above an earlier one's); last_row: the row of the last cell so far
    ordered: bool = True
    last_row: int = 0
    # a text cell whose shared-string index is not digits (-1, abc, 0.5) or too long to be a number:
    # both cell readers take such an index as string 0 (or, for -1, openpyxl as the last string)
    odd_string_index: bool = False
    # every cell's (row, column) above the one before it, in the part's order, as Excel writes
    # them: no reference can come twice. last_key: the last cell's (row * _KEY + column)
    cells_sorted: bool = True
    last_key: int = -1
    # a row's first cell not seen right after its row's start tag, itself right after the row before
    # (``_rows_open_cleanly``): the part's structure is left to a parser (``scan_sheet``); tail:
    # the last bytes scanned, for the next window's first rows
    unproven: bool = False
    tail: bytes = b""
    # a cell python-calamine reads otherwise than Excel and openpyxl, or panics on (``_misread``):
    # what it is, for openpyxl to read the sheet (``choose_engine``); empty where there is none
    calamine_misreads: str = ""
    # number cells in a percentage format (``xlsx_styles``) holding a number above 1 or below -1
    # (2.5, which Excel shows as 250%): by column, their rows; for the rules that read a bare
    # number above 1 as percentage points meant (HS253), which neither reader can tell
    percent_rows: dict[int, array[int]] = field(default_factory=dict)
    # number cells in a zero-padded format (``xlsx_styles.is_padded_code``: ``00000``) holding a
    # whole number of fewer digits than the format's 0s (2134, which Excel shows as 02134): by
    # column, then format code, their rows; for the rules on postal codes that lost a leading zero
    # (HS426, HS428), which the cell shows but does not hold, and neither reader tells
    padded_rows: dict[int, dict[str, array[int]]] = field(default_factory=dict)

    def percent_cells(self, col: int, rows: np.ndarray) -> np.ndarray:
        """Which of ``rows`` (sheet rows, ascending) hold such a cell in column ``col`` (1-based)."""
        kept = self.percent_rows.get(col)
        if kept is None or not len(rows):
            return np.zeros(len(rows), bool)
        return _among(kept, rows)

    def padded_formats(self, col: int, rows: np.ndarray) -> np.ndarray | None:
        """The zero-padded format of each of ``rows`` (sheet rows) in column ``col`` (1-based) that
        holds such a cell (``padded_rows``), ``""`` for the others; None where the column has none."""
        by_code = self.padded_rows.get(col)
        if not by_code or not len(rows):
            return None
        out = np.full(len(rows), "", dtype=object)
        for code, kept in by_code.items():
            out[_among(kept, rows)] = code
        return out


def _among(kept: array[int], rows: np.ndarray) -> np.ndarray:
    """Which of ``rows`` (a chunk's sheet rows, ascending) are in ``kept`` (a column's rows, in the
    part's order): only the kept rows within the chunk's are compared, so that a chunk costs its
    own rows, not the column's."""
    at = np.frombuffer(kept, np.int64)
    if not bool((at[1:] >= at[:-1]).all()):
        at = np.sort(at)
    near = at[int(np.searchsorted(at, rows.min())):int(np.searchsorted(at, rows.max(), side="right"))]
    return np.isin(rows, near)


# receives each window of a worksheet's bytes once scanned, with the extent of its cells:
# (highest column, lowest row, highest row, cells without a reference, cells)
Sink = Callable[[bytes, tuple[int, int, int, int, int]], None]


def scan_sheet(zf: zipfile.ZipFile, part: str, budget: Budget, sink: Sink | None = None, *,
               strings: bool = False, dates: frozenset[int] = frozenset(),
               percents: frozenset[int] = frozenset(), padded: Mapping[int, str] | None = None) -> SheetScan:
    """One streaming pass over a worksheet part: extent, hidden rows/cols, merges, odd cells;
    with ``strings`` (the workbook has shared strings), text cells' shared-string indexes;
    ``dates``: the cell formats showing a date (``xlsx_styles``), for negative numbers in them;
    ``percents``: those showing a percentage, for the numbers past 1 in them (``percent_rows``);
    ``padded``: those padding a whole number with zeros, by index their codes (``padded_rows``).
    ``sink``, if given, gets every window of the part, in order, after it is scanned."""
    out = SheetScan()
    carry = b""
    last = before = b""  # the last window scanned, and the bytes before it
    for block in stream_part(zf, part, budget):
        data = carry + block
        cut = _last_boundary(data)
        if cut < 0:
            if len(data) > MAX_CARRY:
                raise Refused(f"part {part!r} has a single element over {MAX_CARRY:,} bytes", "bad-xml")
            carry = data
            continue
        window = data[:cut]
        before, last = out.tail, window
        extent = _scan_text(window, out, strings, dates, percents, padded)
        if sink is not None and not out.calamine_misreads:  # (no pieces for calamine then)
            sink(window, extent)
        carry = data[cut:]
    if carry:
        before, last = out.tail, carry
        extent = _scan_text(carry, out, strings, dates, percents, padded)
        if sink is not None and not out.calamine_misreads:
            sink(carry, extent)
    if out.beyond is not None:
        ref, r, c = out.beyond
        raise Refused(f"sheet part {part!r} has cell {ref} (row {r:,}, column {c:,}), beyond Excel's "
                      f"{MAX_ROWS:,} rows x {MAX_COLS:,} columns (HubSpot: INVALID_SPREADSHEET)", "beyond-limits")
    if out.unproven or not _sheet_data_closes(before + last):
        from validator.readers.xlsx_explain import malformed_part  # it streams parts with this module

        out.unproven = True
        malformed = malformed_part(zf, part)
        if malformed is not None:
            raise malformed
    if not out.cells_sorted:
        disorder = _disorder(zf, part, out)
        if disorder is not None:
            raise disorder
    return out


def _scan_text(data: bytes, out: SheetScan, strings: bool = False, dates: frozenset[int] = frozenset(),
               percents: frozenset[int] = frozenset(),
               padded: Mapping[int, str] | None = None) -> tuple[int, int, int, int, int]:
    # each element regex runs only where a word compare says it can match: the optional namespace
    # prefix makes them try every "<" in the part otherwise
    hidden = has_bytes(data, b"idde") and b"hidden" in data
    for m in _HIDDEN_ROW.finditer(data) if hidden else ():
        r = _ATTR_R.search(m.group())
        if r is not None:
            out.hidden_rows.add(int(r.group(2)))
    order: list[tuple[int, int, bool]] = []
    found: list[Cells] = []
    extent = _cell_refs(data, order, found)
    high_col, low, high, without, cells = extent
    if found:
        at, rows, cols = found[0]
        keys = rows * _KEY + cols
        if out.cells_sorted and (keys[0] <= out.last_key or not bool((keys[1:] > keys[:-1]).all())):
            out.cells_sorted = False
        if not out.unproven:  # the first cell of each row, where the row changes
            starts = np.flatnonzero(np.concatenate(([rows[0] != out.last_key // _KEY], rows[1:] != rows[:-1])))
            out.unproven = (at is None or not _rows_open_cleanly(data, at[starts], out.tail)
                            or not _cells_close(data, at, rows))
        out.last_key = int(keys[-1])
    elif without:
        out.unproven = True
    if order:
        first, last, rising = order[0]
        if not rising or first < out.last_row:
            out.ordered = False
        out.last_row = max(out.last_row, last)
    out.cells_without_ref += without
    out.cells += cells
    if high_col:
        out.max_col = max(out.max_col, high_col)
        out.max_row = max(out.max_row, high)
        out.min_row = low if not out.min_row else min(out.min_row, low)
    if out.max_row > MAX_ROWS or out.max_col > MAX_COLS:
        out.beyond = out.beyond or _beyond_cell(data, out)
    if not out.has_values and _HAS_VALUE.search(data):
        out.has_values = True
    for m in _COL.finditer(data) if hidden else ():
        attrs = m.group(1)
        if _HIDDEN.search(attrs):
            nums = dict((k.decode(), int(v)) for k, v in _NUM_ATTR.findall(attrs))
            lo, hi = nums.get("min", 0), nums.get("max", 0)
            if 1 <= lo <= hi:
                out.hidden_cols.update(range(lo, min(hi, MAX_COLS) + 1))
    for m in _MERGE.finditer(data) if has_bytes(data, b"rgeC") else ():
        rng = _parse_range(m.group(1).decode("ascii"))
        if rng is not None:
            out.merged.append(rng)
    if _has_attr(data, b'="e"'):
        for m in _ERROR_CELL.finditer(data):
            v = _VALUE.search(m.group(2))
            if (not _exception(out, m.group(1), "e", v.group(1).decode("utf-8", "replace") if v else "#VALUE!")
                    and not out.calamine_misreads):  # (calamine gives an error cell not kept as blank)
                out.calamine_misreads = f"more than {MAX_EXCEPTIONS:,} odd cells, error values"
    formulas = has_bytes(data, b"<f") or has_bytes(data, b":f")
    if formulas:
        for m in _FORMULA_CELL.finditer(data):
            v = _VALUE.search(m.group(2))
            if (v is None or not v.group(1).strip()) and b"<is>" not in m.group(2):
                if re.search(rb"\bt=" + _Q + rb"e" + _Q, m.group(1)):
                    continue
                if _TEXT_TYPE.search(m.group(1)) and _CACHED.search(m.group(2)):
                    continue  # a text formula's value, empty or blank
                if not _exception(out, m.group(1), "f", "") and not out.calamine_misreads:
                    # (both readers would give an empty cell; openpyxl marks those the scan drops)
                    out.calamine_misreads = f"more than {MAX_EXCEPTIONS:,} odd cells, formulas without a value"
    if dates and has_bytes(data, b">-"):
        _negative_dates(data, out, dates)
    if percents:
        _percent_cells(data, out, percents)
    if padded:
        _padded_cells(data, out, padded)
    if not out.calamine_misreads:
        out.calamine_misreads = _misread(data, formulas)
    if strings and not out.odd_string_index:
        out.odd_string_index = _odd_string_index(data)
    out.tail = data[-_TAIL:] if len(data) >= _TAIL else (out.tail + data)[-_TAIL:]
    return extent


# A text cell as Excel and other writers write it: t="s" last, then the index (or no value). Any
# other t="s" (another form, or an index that is not digits) sends the window to the exact look,
# which reads every text cell's index whatever its form. One regex search over the window: about
# 1 ns a byte, and only in workbooks with shared strings
_STRING_CELL_ODD = re.compile(rb't="s"(?!><v>\d{0,19}</v>|/>|></c>)')
_STRING_INDEX = re.compile(rb"\d{0,19}")  # an index both readers take as written (none: an empty cell)


def _odd_string_index(data: bytes) -> bool:
    """Whether a text cell (``t="s"``) in ``data`` has an index that is not 0-19 digits."""
    if _STRING_CELL_ODD.search(data) is None and not (b"'" in data and b"t='s'" in data):
        return False
    from validator.readers.xlsx_explain import string_indexes  # it streams parts with this module

    return any(_STRING_INDEX.fullmatch(v) is None for v in string_indexes(data))


_V = _NS.encode() + rb"v>"
# a cached value before its formula (<v>..</v><f>..</f>): Excel reads the value, calamine nothing
_VALUE_THEN_FORMULA = re.compile(rb"</" + _V + rb"\s*<" + _NS.encode() + rb"f\b")
# a date cell (t="d") whose value is not in a form both readers read alike, the ISO form Excel
# writes (a date, a date and time with seconds, a time): calamine reads a date-time with a time
# zone (2024-03-15T14:30:00Z) or without seconds as its text, and 2024-3-5 or " 2024-03-15" as
# a date; openpyxl the other way round (and 2024-03-15 14:30:00 as the day alone before it read
# a date cell only in ISO 8601: ``xlsx_openpyxl``)
_EXCEL_DATE = (rb"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?)?"
               rb"|[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?")
_F = _NS.encode() + rb"f"
_ODD_DATE_CELL = re.compile(  # one search over the window: the first date cell whose <v> is not in that form
    rb"<" + _C_OPEN + rb"(?=[^>]*\bt=" + _Q + rb"d" + _Q + rb")[^>]*?(?<!/)>\s*(?:<" + _F + rb"\b[^>]*?(?:/>|>[^<]*</"
    + _F + rb">)\s*)?<" + _V + rb"(?!" + _EXCEL_DATE + rb"</" + _V + rb")")
# a negative number that may be below -1e11 (12 digits or more, an exponent, infinity), then
# checked with float(): calamine panics on one below about -1.07e11 in a date format, -inf too
# (a Rust panic, which Rust prints to stderr, with a backtrace under RUST_BACKTRACE, though the
# reader catches it)
_LARGE_NEGATIVE = re.compile(rb"<" + _V + rb"(-(?:[Ii][Nn][Ff]|[0-9.]{12,}|[0-9.]*[eE])[^<]*)<")


# a number cell's negative value, after a formula if it has one (group 1: the attributes)
_NEGATIVE_CELL = re.compile(rb"<" + _C_OPEN + rb"([^>]*?)(?<!/)>\s*(?:<" + _F + rb"\b[^>]*?(?:/>|>[^<]*</" + _F
                            + rb">)\s*)?<" + _V + rb"(-[^<]*)</" + _V)
_STYLE = re.compile(rb"\bs=" + _Q + rb"(\d+)" + _Q)
_TYPED = re.compile(rb"\bt=" + _Q + rb"(?!n" + _Q + rb")")


def _negative_dates(data: bytes, out: SheetScan, dates: frozenset[int]) -> None:
    """Negative numbers in cells formatted as dates, kept as the numbers (kind ``n``): no date has
    a serial below zero (Excel shows ########), and python-calamine gives the time of day of the
    fraction (-1.25: 18:00), so a finding would quote a time the cell never held. openpyxl's
    reading is made the same (``xlsx_openpyxl._no_date``), and reads the sheet where the scan
    cannot keep one more (``MAX_EXCEPTIONS``): calamine would give that one's time of day."""
    for m in _NEGATIVE_CELL.finditer(data):
        style = _STYLE.search(m.group(1))
        if style is None or int(style.group(1)) not in dates or _TYPED.search(m.group(1)):
            continue
        try:
            value = float(m.group(2))
        except ValueError:
            continue
        # (-0 and NaN are no negative number; below -1e11, the sheet goes to openpyxl)
        if value < 0 and not _exception(out, m.group(1), "n", format_number(value)) and not out.calamine_misreads:
            out.calamine_misreads = f"more than {MAX_EXCEPTIONS:,} odd cells, negative numbers in date formats"


# a number cell's value, after a formula if it has one (group 1: the attributes, group 2: the value)
_NUMBER_CELL = re.compile(rb"<" + _C_OPEN + rb"([^>]*?)(?<!/)>\s*(?:<" + _F + rb"\b[^>]*?(?:/>|>[^<]*</" + _F
                          + rb">)\s*)?<" + _V + rb"([^<]*)</" + _V)


def _percent_cells(data: bytes, out: SheetScan, percents: frozenset[int]) -> None:
    """Number cells in a percentage format holding a number above 1 or below -1 (``percent_rows``)."""
    for _style, value, col, row in _styled_numbers(data, percents):
        if abs(value) > 1:
            out.percent_rows.setdefault(col, array("q")).append(row)


def _padded_cells(data: bytes, out: SheetScan, padded: Mapping[int, str]) -> None:
    """Number cells in a zero-padded format holding a whole number of fewer digits than its 0s
    (``padded_rows``)."""
    for style, value, col, row in _styled_numbers(data, padded):
        code = padded[style]
        # (a whole number of fewer digits than the 0s: 0 <= value < 10 ** (zeros - 1) shows a leading 0)
        if 0 <= value < 10 ** (code.count("0") - 1) and value.is_integer():
            out.padded_rows.setdefault(col, {}).setdefault(code, array("q")).append(row)


def _styled_numbers(data: bytes, styles: Collection[int]) -> Iterator[tuple[int, float, int, int]]:
    """(format index, number, column, row) of the number cells of ``data`` in one of the cell
    formats ``styles``: looked for only in a window where such a format's index is written as a
    cell's ``s``."""
    if not any(b's="%d"' % i in data or (b"'" in data and b"s='%d'" % i in data) for i in styles):
        return
    for m in _NUMBER_CELL.finditer(data):
        style = _STYLE.search(m.group(1))
        if style is None or int(style.group(1)) not in styles or _TYPED.search(m.group(1)):
            continue
        try:
            value = float(m.group(2))
        except ValueError:
            continue
        r = _ATTR_R.search(m.group(1))
        if r is not None and r.group(1):
            yield int(style.group(1)), value, col_number(r.group(1)), int(r.group(2))


def _has_attr(data: bytes, value: bytes) -> bool:
    """Whether an attribute ends in ``value`` (``="d"``) in either quote (``='d'``): the
    single-quoted form, which Excel and most writers never use, only where a ``'`` is at all
    (one memchr: a word compare over a 75 MB sheet takes ~25 ms of CPU)."""
    return has_bytes(data, value) or (b"'" in data and has_bytes(data, value.replace(b'"', b"'")))


def _misread(data: bytes, formulas: bool) -> str:
    """What in ``data`` python-calamine 0.9 reads otherwise than Excel and openpyxl, or panics on,
    if anything: each regex runs only where a byte or word compare says it can match
    (``formulas``: whether ``data`` may hold a formula element, which the scan has found)."""
    if formulas and _VALUE_THEN_FORMULA.search(data):
        return "a cached value written before its formula"
    if _has_attr(data, b'="d"') and _ODD_DATE_CELL.search(data):
        return "a date cell in another form than Excel's"
    if b"-" in data and has_bytes(data, b">-"):
        for m in _LARGE_NEGATIVE.finditer(data):
            try:
                value = float(m.group(1))
            except ValueError:
                continue
            if value < -1e11:
                return "a number below -1e11"
    return ""


def _string_index_refusal(zf: zipfile.ZipFile, part: str, name: str) -> Refused:
    """The refusal of a sheet with a text cell whose shared-string index is no index: the cell
    named (``xlsx_explain``), as for an index past the strings."""
    from validator.readers.xlsx_explain import explain_failure

    return explain_failure(zf, part, name) or Refused(
        f"sheet {name!r} (part {part!r}) has a text cell whose shared-string index is not a number "
        "(HubSpot: INVALID_SPREADSHEET)", "bad-workbook")


def _beyond_cell(data: bytes, out: SheetScan) -> tuple[str, int, int]:
    """The first cell in ``data`` beyond Excel's limits (the window whose extent first went past
    them holds it) as its reference, row and column; a walk over its cells, only on the way to a
    refusal."""
    for m in _CELL_COL.finditer(data):
        row, col = int(m.group(2)), col_number(m.group(1))
        if row > MAX_ROWS or col > MAX_COLS:
            return (m.group(1) + m.group(2)).decode("ascii").upper(), row, col
    return "?", out.max_row, out.max_col


def _exception(out: SheetScan, attrs: bytes, kind: str, value: str) -> bool:
    """Keep a cell's reading by its position; False where the scan keeps ``MAX_EXCEPTIONS``
    already (the cell dropped: ``exceptions_dropped``)."""
    r = _ATTR_R.search(attrs)
    if r is None or not r.group(1):
        return True
    if len(out.exceptions) >= MAX_EXCEPTIONS:
        out.exceptions_dropped += 1
        return False
    out.exceptions[(int(r.group(2)), col_number(r.group(1)))] = (kind, value)
    return True


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def _parse_range(text: str) -> tuple[int, int, int, int] | None:
    parts = text.split(":")
    ends = [_REF.match(p) for p in parts]
    if not ends or any(e is None for e in ends) or len(ends) > 2:
        return None
    a = ends[0]
    b = ends[-1]
    assert a is not None and b is not None
    return int(a.group(2)), col_number(a.group(1)), int(b.group(2)), col_number(b.group(1))
