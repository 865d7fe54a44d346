"""Pre-checks on a workbook before any cell reader touches it (hostile-inputs E and F).

``scan_workbook`` checks every part, lists the sheets and byte-scans the worksheet to read; only
then may a reader run, and python-calamine, which can abort the whole process on a crafted
file, runs only when the scan has shown the sheet's dense size to be safe (``choose_engine``).
The pre-checks live in these modules, and every name of theirs other code uses is importable
from here as well:

* ``xlsx_container``: the ZIP container (entry count, declared sizes, compression ratios,
  overlapping entries, the parts an .xlsx must have), each XML part streamed once with a budget
  on the bytes really inflated and refused if it declares a DTD or entities, holds a control
  character or is not UTF-8; OLE2 compound files (legacy .xls, encrypted workbooks) refused with
  a clear reason; and the limits of every pre-check;
* here: the workbook's structure (content types, the workbook part, its sheets and
  relationships, styles, the shared strings' declared count);
* ``xlsx_sheet``: the byte scan of the worksheet that will be read, for its real extent (never
  trusting ``<dimension>``), rows beyond Excel's limits, hidden rows and columns, merged ranges,
  formulas without a cached value and error cells, and text cells whose shared-string index is
  no number (which no reader refuses: both read another string);
* ``xlsx_refs``: the cells' references read from a window of bytes (numpy fast path, regexes);
* ``xlsx_order``: cells written twice and rows out of order, named by one more pass;
* ``xlsx_structure``: the proof that rows open and close cleanly (a sheet it cannot prove closes
  them is parsed).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from validator.readers.errors import Refused
from validator.readers.xlsx_container import (  # noqa: F401 (re-exported: part of this module's API)
    BLOCK,
    DENSE_CELLS,
    MAX_CARRY,
    MAX_COLS,
    MAX_ENTRIES,
    MAX_EXCEPTIONS,
    MAX_META_BYTES,
    MAX_PART_BYTES,
    MAX_RATIO,
    MAX_ROWS,
    MAX_TOTAL_BYTES,
    OLE_ENCRYPTED,
    OLE_XLS,
    RATIO_FLOOR,
    SPARSE_SLACK,
    Budget,
    _check_overlap,
    check_container,
    declared_entries,
    has_bytes,
    ole_refusal,
    open_zip,
    parse_xml,
    read_part,
    stream_part,
    word_positions,
)
from validator.readers.xlsx_order import cell_twice, rows_out_of_order  # noqa: F401 (re-exported)
from validator.readers.xlsx_refs import (  # noqa: F401 (re-exported)
    _CELL_ANY,
    _CELL_COL,
    _NS,
    _Q,
    Cells,
    _cell_refs,
    _fast_refs,
    _last_boundary,
    col_number,
)
from validator.readers.xlsx_sheet import (  # noqa: F401 (re-exported)
    _ATTR_R,
    SheetScan,
    Sink,
    _parse_range,
    _scan_text,
    _string_index_refusal,
    scan_sheet,
)
from validator.readers.xlsx_styles import number_styles

SST_MIN_ITEM = 5  # bytes of the smallest shared string item, <si/>

CODE = "INVALID_SPREADSHEET"

_SST = re.compile(rb"<" + _NS.encode() + rb"sst\b([^>]*)>")
_COUNT = re.compile(rb"\b(count|uniqueCount)=" + _Q + rb"(\d+)" + _Q)

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
STRICT_NS = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
REL_ATTR = re.compile(r"^\{[^}]*relationships\}id$")


@dataclass(frozen=True, slots=True)
class SheetInfo:
    name: str
    state: str  # visible | hidden | veryHidden
    part: str | None  # zip path of the worksheet XML (None: not a worksheet)
    kind: str = "worksheet"  # worksheet | chartsheet | other


@dataclass(frozen=True, slots=True)
class TotalsRow:
    """The totals row of an Excel table on the checked sheet (``totalsRowCount``): its rows
    (``first`` to ``last``) and columns (``c1`` to ``c2``), the table's name and range."""
    table: str
    ref: str
    first: int
    last: int
    c1: int
    c2: int


@dataclass(slots=True)
class WorkbookScan:
    sheets: list[SheetInfo]
    chosen: SheetInfo | None
    scan: SheetScan
    sheets_with_data: list[str]
    date1904: bool = False
    shared_strings: int = 0
    parts: int = 0
    inflated: int = 0
    totals: tuple[TotalsRow, ...] = ()  # the checked sheet's tables' totals rows (.xlsx only)


def calamine_available() -> bool:
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return False
    return True


def choose_engine(scan: SheetScan, prefer: str | None = None, pieces: bool = False) -> str:
    """calamine only where the byte scan bounded what it will allocate (rows x columns of the used
    range), the sheet is not mostly empty space and holds no cell calamine misreads or panics on
    (``SheetScan.calamine_misreads``); openpyxl otherwise. A sheet that is mostly empty space (a
    wide export's unused columns) goes to calamine too where it is cut into ``pieces``
    (``xlsx_pieces``) whose rows x columns are bounded each (``PIECE_CELLS``), its rows never going
    down; it is never loaded whole (``whole_safe``): openpyxl reads on from where the pieces end."""
    piecewise = (pieces and scan.cells_without_ref == 0 and scan.ordered and scan.max_col <= MAX_COLS
                 and scan.max_row <= MAX_ROWS)
    if prefer == "openpyxl" or not (whole_safe(scan) or piecewise) or scan.calamine_misreads \
            or not calamine_available():
        return "openpyxl"
    return "calamine"


def whole_safe(scan: SheetScan) -> bool:
    """Whether calamine may load the whole sheet: its used range (rows x columns, which calamine
    allocates) is bounded, and not mostly empty space."""
    dense = scan.max_row * max(1, scan.max_col)
    return scan.cells_without_ref == 0 and dense <= DENSE_CELLS and dense <= 4 * scan.cells + SPARSE_SLACK


# -- workbook structure -------------------------------------------------------------------------
def scan_workbook(zf: zipfile.ZipFile, *, sheet: str | None = None,
                  early: Callable[[str, str], Sink | None] | None = None) -> WorkbookScan:
    """Check every XML part, list the sheets, and byte-scan the one to read. ``early(part, name)``
    may give a sink for a worksheet's checked windows (``scan_sheet``)."""
    budget = Budget(MAX_TOTAL_BYTES)
    # macOS Finder's "Compress" adds AppleDouble metadata (__MACOSX/xl/._sharedStrings.xml, binary):
    # no part of the workbook, and never read by Excel; skip them rather than refuse the file
    names = [i.filename for i in zf.infolist() if not i.filename.startswith("__MACOSX/")]
    types = parse_xml(read_part(zf, "[Content_Types].xml", budget), "[Content_Types].xml")
    if str(types.tag).rsplit("}", 1)[-1] != "Types":
        raise Refused("not an .xlsx workbook: [Content_Types].xml is not a list of content types (its root is "
                      f"<{str(types.tag).rsplit('}', 1)[-1][:40]}>; HubSpot: INVALID_SPREADSHEET)", "not-a-workbook")
    wb_part = _workbook_part(zf, budget, names)
    dates: frozenset[int] = frozenset()
    percents: frozenset[int] = frozenset()
    padded: dict[int, str] = {}
    sheets, date1904 = _sheets(zf, wb_part, budget, names)
    for part in names:
        low = part.lower()
        if low.endswith((".xml", ".rels", ".vml")) and part != wb_part and "/worksheets/sheet" not in low:
            limit = MAX_META_BYTES if low.endswith((".rels", "styles.xml", "[content_types].xml")) else None
            if low.endswith("styles.xml"):
                body = b"".join(stream_part(zf, part, budget, limit))
                _check_styles(part, body)
                dates, percents, padded = number_styles(part, body)
                continue
            for _ in stream_part(zf, part, budget, limit):
                pass
    shared = _shared_strings(zf, names, budget)
    strings = any(n.lower().endswith("sharedstrings.xml") for n in names)
    with_data: list[str] = []
    scans: dict[str, SheetScan] = {}
    for info in sheets:
        if info.part is None:
            continue
        if info.part not in names:
            raise Refused(f"sheet {info.name!r} points to a missing part {info.part!r}", "not-a-workbook")
        sink = early(info.part, info.name) if early is not None and info.kind == "worksheet" else None
        scans[info.name] = result = scan_sheet(zf, info.part, budget, sink, strings=strings, dates=dates,
                                                 percents=percents, padded=padded)
        if result.odd_string_index:
            raise _string_index_refusal(zf, info.part, info.name)
        if result.has_values:
            with_data.append(info.name)
    worksheets = [s for s in sheets if s.kind == "worksheet"]
    if sheet is not None:
        chosen = next((s for s in worksheets if s.name == sheet), None)
    else:
        chosen = next((s for s in worksheets if s.name in with_data), worksheets[0] if worksheets else None)
    scan = scans.get(chosen.name, SheetScan()) if chosen else SheetScan()
    totals = _totals_rows(zf, chosen.part, budget, names) if chosen is not None and chosen.part else ()
    return WorkbookScan(sheets, chosen, scan, with_data, date1904, shared, len(names), budget.used, totals)


def _totals_rows(zf: zipfile.ZipFile, part: str, budget: Budget, names: list[str]) -> tuple[TotalsRow, ...]:
    """The totals rows of the Excel tables of worksheet ``part`` (its rels' ``/table`` targets:
    ``<table ref="A1:D5" totalsRowCount="1">`` ends with one). Parts every pre-check passed
    already; one that does not parse, or names no range, is no table here (Excel would call the
    workbook damaged; the cells are read as before)."""
    out = []
    try:
        targets = _relationships(zf, part, budget, names, kind="table").values()
    except Refused:
        return ()
    for target in targets:
        if target not in names:
            continue
        try:
            table = parse_xml(read_part(zf, target, budget), target)
        except Refused:
            continue
        count, ref = str(table.get("totalsRowCount", "")), str(table.get("ref", ""))
        header = str(table.get("headerRowCount", "1"))
        rng = _parse_range(ref) if count.isdigit() and int(count) > 0 and header.isdigit() else None
        if rng is None or rng[2] - int(count) + 1 < rng[0] + int(header):
            continue  # (no range, or totals rows that would reach the table's header: a damaged table)
        _r1, c1, r2, c2 = rng
        name = str(table.get("displayName") or table.get("name") or "")
        out.append(TotalsRow(name, ref, r2 - int(count) + 1, r2, c1, c2))
    return tuple(out)


MAX_STYLE_FORMATS = 65_490  # Excel's limit on unique cell formats / cell styles in a workbook
_XF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?xf[\s/>]")


def _check_styles(part: str, data: bytes) -> None:
    """A styles bomb (hostile-inputs E15): openpyxl builds an object per ``<xf>`` it reads, so a
    workbook with more than Excel itself allows is refused before any reader sees it."""
    count = len(_XF.findall(data))
    if count > MAX_STYLE_FORMATS:
        raise Refused(f"part {part!r} holds {count:,} cell formats (<xf>), more than Excel's "
                      f"{MAX_STYLE_FORMATS:,} (a styles bomb?)", "zip-bomb")


def _workbook_part(zf: zipfile.ZipFile, budget: Budget, names: list[str]) -> str:
    if "_rels/.rels" in names:
        root = parse_xml(read_part(zf, "_rels/.rels", budget), "_rels/.rels")
        for rel in root:
            if str(rel.get("Type", "")).endswith("/officeDocument"):
                target = str(rel.get("Target", "")).lstrip("/")
                if target in names:
                    return target
    if "xl/workbook.xml" in names:
        return "xl/workbook.xml"
    raise Refused("not an .xlsx workbook: no workbook part (HubSpot: INVALID_SPREADSHEET)", "not-a-workbook")


def _sheets(zf: zipfile.ZipFile, wb_part: str, budget: Budget, names: list[str]) -> tuple[list[SheetInfo], bool]:
    root = parse_xml(read_part(zf, wb_part, budget), wb_part)
    rels = _relationships(zf, wb_part, budget, names)
    out: list[SheetInfo] = []
    date1904 = False
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "workbookPr":
            date1904 = str(el.get("date1904", "")).lower() in ("1", "true")
        if tag != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if REL_ATTR.match(k)), None)
        target = rels.get(rid or "")
        kind = "other"
        if target is not None:
            kind = "worksheet" if "/worksheets/" in target or "worksheet" in target else (
                "chartsheet" if "chartsheet" in target else "other")
        out.append(SheetInfo(str(el.get("name", "")), str(el.get("state", "visible")),
                             target if kind == "worksheet" else None, kind))
    if not out:
        raise Refused("the workbook lists no sheets (HubSpot: INVALID_SPREADSHEET)", "not-a-workbook")
    return out, date1904


def _relationships(zf: zipfile.ZipFile, part: str, budget: Budget, names: list[str],
                   kind: str | None = None) -> dict[str, str]:
    """``part``'s relationships, id -> target part; ``kind``: only those of that type (``table``)."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if rels_name not in names:
        return {}
    root = parse_xml(read_part(zf, rels_name, budget), rels_name)
    out = {}
    for rel in root:
        if kind is not None and not str(rel.get("Type", "")).endswith("/" + kind):
            continue
        target = str(rel.get("Target", ""))
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[str(rel.get("Id", ""))] = path
    return out


def _shared_strings(zf: zipfile.ZipFile, names: list[str], budget: Budget) -> int:
    """The declared shared-string count, checked against the part's size (calamine #684)."""
    part = next((n for n in names if n.lower().endswith("sharedstrings.xml")), None)
    if part is None:
        return 0
    info = zf.getinfo(part)
    head = next(stream_part(zf, part, Budget(MAX_TOTAL_BYTES)), b"")[:65536]
    m = _SST.search(head)
    counts = dict((k.decode(), int(v)) for k, v in _COUNT.findall(m.group(1))) if m else {}
    unique = counts.get("uniqueCount", 0)
    if unique > info.file_size // SST_MIN_ITEM + 1:
        raise Refused(f"sharedStrings declares {unique:,} strings in {info.file_size:,} bytes, more than can "
                      "fit (a crafted count that makes readers allocate huge buffers)", "bad-xml")
    return unique
