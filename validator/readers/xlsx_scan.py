"""Pre-checks on a workbook before any cell reader touches it (hostile-inputs E and F).

Container: the ZIP central directory is read, never extracted: entry count, declared sizes, the
compression ratio of large parts, overlapping entries (the "quoted overlap" bomb, which
Python 3.11.7's zipfile does not detect), and the parts an .xlsx must have. Every XML part is
then streamed once, with a budget on the bytes really inflated (zipfile stops at the declared
size and fails the CRC when a size lies), and refused if it declares a DTD or entities, or is not
UTF-8. The worksheet that will be read is scanned with byte regexes for its real extent (never
trusting ``<dimension>``), rows beyond Excel's limits, hidden rows and columns, merged ranges,
formulas without a cached value and error cells, cells written twice, rows left open (a sheet
it cannot prove closes them is parsed) and text cells whose shared-string index is no number
(which no reader refuses: both read another string). Only then may a reader run; python-calamine,
which can abort the whole process on a crafted file, runs only when this scan has shown the
sheet's dense size to be safe.

An OLE2 compound file is a legacy .xls or an encrypted (password-protected) workbook; both are
refused with a clear reason.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

import numpy as np
from defusedxml import ElementTree as SafeET

from validator.findings import column_letter
from validator.readers.errors import Refused

MAX_ENTRIES = 10_000
# A sheet at HubSpot's limits (1,048,576 rows x 20 columns) is about 1 GB of XML; the budgets leave
# room for that and bound the time a bomb can cost (the scan streams, so memory stays flat).
MAX_TOTAL_BYTES = 8 << 30  # declared (and really inflated) uncompressed bytes of all parts
MAX_PART_BYTES = 4 << 30
MAX_RATIO = 200  # for parts over RATIO_FLOOR bytes
RATIO_FLOOR = 16 << 20
MAX_META_BYTES = 16 << 20  # workbook.xml, rels, content types, styles: small in real files
MAX_CARRY = 64 << 20
MAX_ROWS = 1_048_576  # Excel's sheet limits
MAX_COLS = 16_384
DENSE_CELLS = 40_000_000  # calamine allocates rows x columns; above this, stream with openpyxl
SPARSE_SLACK = 4_000_000  # calamine may allocate this many empty cells beyond 4 per real one (~130 MB)
MAX_EXCEPTIONS = 200_000  # error / uncached-formula cells kept by position
BLOCK = 4 << 20
SST_MIN_ITEM = 5  # bytes of the smallest shared string item, <si/>

CODE = "INVALID_SPREADSHEET"

_NS = r"(?:[A-Za-z_][\w.-]*:)?"
_Q = rb"[\"']"
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_ROW = re.compile(rb"<" + _NS.encode() + rb"row\b([^>]*?)(/?)>")
_ATTR_R = re.compile(rb"\br=" + _Q + rb"([A-Za-z]*)(\d+)" + _Q)
_CELL_COL = re.compile(rb"<" + _NS.encode() + rb"c\b[^>]*?\br=" + _Q + rb"([A-Za-z]{1,4})(\d+)" + _Q)
_CELL_ANY = re.compile(rb"<" + _NS.encode() + rb"c[\s/>]")
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
_SST = re.compile(rb"<" + _NS.encode() + rb"sst\b([^>]*)>")
_COUNT = re.compile(rb"\b(count|uniqueCount)=" + _Q + rb"(\d+)" + _Q)

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
STRICT_NS = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
REL_ATTR = re.compile(r"^\{[^}]*relationships\}id$")


def col_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + (ord(ch) - 64)
    return n


@dataclass(frozen=True, slots=True)
class SheetInfo:
    name: str
    state: str  # visible | hidden | veryHidden
    part: str | None  # zip path of the worksheet XML (None: not a worksheet)
    kind: str = "worksheet"  # worksheet | chartsheet | other


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


class Budget:
    """Bytes really inflated across the whole pre-check, against the declared total."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0

    def take(self, n: int, part: str) -> None:
        self.used += n
        if self.used > self.limit:
            raise Refused(f"workbook inflates to more than {self.limit:,} bytes while reading {part} "
                          "(a ZIP bomb?)", "zip-bomb")


# -- OLE2 (legacy .xls, encrypted workbooks) ---------------------------------------------------
OLE_ENCRYPTED = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
OLE_XLS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))


def calamine_available() -> bool:
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return False
    return True


def choose_engine(scan: SheetScan, prefer: str | None = None) -> str:
    """calamine only where the byte scan bounded what it will allocate (rows x columns of the used
    range) and the sheet is not mostly empty space; openpyxl otherwise."""
    dense = scan.max_row * max(1, scan.max_col)
    safe = scan.cells_without_ref == 0 and dense <= DENSE_CELLS and dense <= 4 * scan.cells + SPARSE_SLACK
    if prefer == "openpyxl" or not safe or not calamine_available():
        return "openpyxl"
    return "calamine"


def ole_refusal(stream: IO[bytes], size: int | None) -> Refused:
    """Why an OLE2 compound file is refused: encrypted workbook, legacy .xls, or neither."""
    names = _ole_directory_names(stream)
    if any(n in ("EncryptionInfo", "EncryptedPackage") for n in names):
        return Refused("the workbook is password-protected or encrypted (HubSpot: INVALID_SPREADSHEET); "
                       "remove the password and save it as .xlsx", "encrypted")
    if any(n in ("Workbook", "Book") for n in names):
        return Refused("legacy Excel 97-2003 (.xls) workbooks are not checked; save it as .xlsx "
                       "(Excel Workbook) and check that", "legacy-xls")
    return Refused("an OLE2 compound file that is neither a workbook nor an encrypted one "
                   "(HubSpot: INVALID_SPREADSHEET)", "not-a-workbook")


def _ole_directory_names(stream: IO[bytes]) -> list[str]:
    """Names in the compound file's directory (MS-CFB 2.6), following the directory chain.

    Bounded: at most 4,096 directory sectors and a FAT of at most 64 MiB are read.
    """
    try:
        stream.seek(0)
        header = stream.read(512)
        if len(header) < 512:
            return []
        shift = struct.unpack_from("<H", header, 30)[0]
        if shift not in (9, 12):
            return []
        size = 1 << shift
        first_dir = struct.unpack_from("<I", header, 48)[0]
        fat_sectors = [s for s in struct.unpack_from("<109I", header, 76) if s < 0xFFFFFFFA]
        fat: list[int] = []
        for s in fat_sectors[: (64 << 20) // size]:
            stream.seek((s + 1) * size)
            data = stream.read(size)
            fat.extend(struct.unpack(f"<{len(data) // 4}I", data[: len(data) // 4 * 4]))
        names: list[str] = []
        sector, seen = first_dir, 0
        while sector < 0xFFFFFFFA and seen < 4096:
            stream.seek((sector + 1) * size)
            data = stream.read(size)
            for off in range(0, len(data) - 127, 128):
                length = struct.unpack_from("<H", data, off + 64)[0]
                if 2 <= length <= 64:
                    names.append(data[off: off + length - 2].decode("utf-16-le", "replace"))
            seen += 1
            sector = fat[sector] if sector < len(fat) else 0xFFFFFFFE
        return names
    except (OSError, struct.error):
        return []


# -- ZIP container ----------------------------------------------------------------------------
def declared_entries(stream: IO[bytes]) -> int | None:
    """The entry count the End Of Central Directory record declares (ZIP64 included), read
    before zipfile builds one ZipInfo per entry (200,000 entries cost ~100 MB); None if absent."""
    try:
        end = stream.seek(0, os.SEEK_END)
        tail_len = min(end, 22 + 65535)
        stream.seek(end - tail_len)
        tail = stream.read(tail_len)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return None
        count = struct.unpack_from("<H", tail, at + 10)[0]
        if count == 0xFFFF:  # ZIP64: the locator just before names the ZIP64 end record
            loc = tail.rfind(b"PK\x06\x07", 0, at)
            if loc < 0:
                return None
            stream.seek(struct.unpack_from("<Q", tail, loc + 8)[0])
            record = stream.read(56)
            if record[:4] != b"PK\x06\x06" or len(record) < 40:
                return None
            count = struct.unpack_from("<Q", record, 32)[0]
        return int(count)
    except (OSError, ValueError, struct.error):
        return None
    finally:
        with contextlib.suppress(OSError, ValueError):
            stream.seek(0)


def open_zip(stream: IO[bytes], size: int | None) -> zipfile.ZipFile:
    declared = declared_entries(stream)
    if declared is not None and declared > MAX_ENTRIES:
        raise Refused(f"the workbook has {declared:,} ZIP entries (limit {MAX_ENTRIES:,}; a ZIP bomb?)", "zip-bomb")
    try:
        zf = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError,
            struct.error, UnicodeDecodeError) as exc:
        raise Refused(f"not a readable .xlsx: the ZIP container is corrupt or truncated ({exc})", "bad-zip") from None
    try:
        check_container(zf, size)
    except BaseException:
        zf.close()
        raise
    return zf


def check_container(zf: zipfile.ZipFile, size: int | None) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise Refused(f"the workbook has {len(infos):,} ZIP entries (limit {MAX_ENTRIES:,}; a ZIP bomb?)", "zip-bomb")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_PART_BYTES:
            raise Refused(f"part {info.filename!r} declares {info.file_size:,} bytes uncompressed "
                          f"(limit {MAX_PART_BYTES:,}; a ZIP bomb?)", "zip-bomb")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(1, info.compress_size):
            ratio = info.file_size // max(1, info.compress_size)
            raise Refused(f"part {info.filename!r} compresses {ratio:,}:1 (limit {MAX_RATIO}:1; a ZIP bomb?)",
                          "zip-bomb")
    if total > MAX_TOTAL_BYTES:
        raise Refused(f"the workbook declares {total:,} bytes uncompressed (limit {MAX_TOTAL_BYTES:,}; "
                      "a ZIP bomb?)", "zip-bomb")
    _check_overlap(infos, size)
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names:
        raise Refused("not an .xlsx workbook: the ZIP has no [Content_Types].xml (HubSpot: INVALID_SPREADSHEET)",
                      "not-a-workbook")


def _check_overlap(infos: list[zipfile.ZipInfo], size: int | None) -> None:
    """Entries must not share bytes (CVE-2024-0450 style bombs), nor run past the file."""
    spans = sorted((i.header_offset, i.header_offset + 30 + len(i.filename.encode()) + i.compress_size, i.filename)
                   for i in infos)
    for (_start, end, name), (nxt, _e, other) in itertools.pairwise(spans):
        if end > nxt:
            raise Refused(f"ZIP entries {name!r} and {other!r} overlap (a ZIP bomb?)", "zip-bomb")
    if size is not None and spans and spans[-1][1] > size:
        raise Refused("the ZIP container is truncated (an entry runs past the end of the file)", "bad-zip")


def stream_part(zf: zipfile.ZipFile, name: str, budget: Budget, limit: int | None = None, *,
                controls: bool = True) -> Iterator[bytes]:
    """The inflated bytes of one XML part, in blocks, refusing DTDs, entities, non-UTF-8 XML and
    (unless ``controls`` is off) C0 control characters."""
    info = zf.getinfo(name)
    if limit is not None and info.file_size > limit:
        raise Refused(f"part {name!r} is {info.file_size:,} bytes (limit {limit:,} for this part)", "zip-bomb")
    first = True
    tail = b""
    try:
        with zf.open(info) as fh:
            while True:
                block = fh.read(BLOCK)
                if not block:
                    return
                budget.take(len(block), name)
                if first:
                    _check_xml_start(block, name)
                    first = False
                if _declares_dtd(tail, block):
                    raise Refused(f"part {name!r} declares a DTD or entities, which workbooks never need "
                                  "(an XML entity bomb or external entity?)", "xml-entities")
                if controls and _has_control(tail, block):
                    raise _invalid_character(zf, name)
                tail = block[-16:]
                yield block
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError, ValueError) as exc:
        raise Refused(f"cannot inflate part {name!r}: {exc}", "bad-zip") from None


# A C0 control other than tab, LF and CR is malformed anywhere in an XML 1.0 document
# (hostile-inputs E16); python-calamine would read it into the cell. Found with numpy in about
# 0.2 ms per MB (a vector minimum, then the bytes below 0x20 where there are any); and the same
# controls written as character references (&#1; &#x1B;), which calamine would decode
_CONTROL_REF = re.compile(rb"&#(?:0*(?:[0-8]|1[124-9]|2\d|3[01])|[xX]0*(?:[0-8bBcCeEfF]|1[\dA-Fa-f]));")


def _has_control(tail: bytes, block: bytes) -> bool:
    """Whether ``block`` (after ``tail``, the end of the block before) holds a control character
    XML does not allow, as a byte or as a character reference."""
    codes = np.frombuffer(block, np.uint8)
    if codes.size and codes.min() < 0x20:  # in a block with line breaks or tabs: are they all?
        low = codes[codes < 0x20]
        if ((low != 0x09) & (low != 0x0A) & (low != 0x0D)).any():
            return True
    if b"&" in tail and _CONTROL_REF.search(tail + block[:16]) is not None:  # a reference cut in two
        return True
    return b"&" in block and has_bytes(block, b"&#") and _CONTROL_REF.search(block) is not None


def _invalid_character(zf: zipfile.ZipFile, name: str) -> Refused:
    """The refusal of a part with a control character: expat's line and column for it."""
    from validator.readers.xlsx_explain import malformed_part  # it streams parts with this module

    return malformed_part(zf, name) or Refused(f"part {name!r} is not well-formed XML (a control character; "
                                               "HubSpot: INVALID_SPREADSHEET)", "bad-xml")


def _declares_dtd(tail: bytes, block: bytes) -> bool:
    if _DTD.search(tail + block[:16]):  # a declaration cut by the block boundary
        return True
    return has_bytes(block, b"<!") and _DTD.search(block) is not None


def has_bytes(data: bytes, needle: bytes) -> bool:
    """Whether a 2- or 4-byte string occurs in ``data``: compared as aligned uint16 / uint32 words at
    every offset, several times faster than ``bytes.find`` when the first byte is as common in XML
    as ``<`` (a pre-filter: the exact search or regex runs only where this says it can match).
    Only whether: no offsets are gathered, and the first offset that holds it ends the search."""
    key = int.from_bytes(needle, "little")
    return any(bool((words == key).any()) for words in _aligned_words(data, len(needle)))


def word_positions(data: bytes, needle: bytes) -> np.ndarray:
    """Offsets of every occurrence of a 2- or 4-byte string in ``data`` (unsorted)."""
    width, key = len(needle), int.from_bytes(needle, "little")
    found = [np.flatnonzero(words == key) * width + offset
             for offset, words in enumerate(_aligned_words(data, width))]
    return np.concatenate(found) if found else np.empty(0, dtype=np.int64)


def _aligned_words(data: bytes, width: int) -> Iterator[np.ndarray]:
    """``data`` as little-endian words of ``width`` bytes (2 or 4), from offset 0, then 1, ..."""
    dtype = {2: "<u2", 4: "<u4"}[width]
    for offset in range(width):
        count = (len(data) - offset) // width
        if count <= 0:
            return
        yield np.frombuffer(data, dtype, count=count, offset=offset)


def _check_xml_start(block: bytes, name: str) -> None:
    head = block[:4]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 2 and 0 in head[:2]):
        raise Refused(f"part {name!r} is not UTF-8 XML (HubSpot: INVALID_SPREADSHEET)", "bad-xml")


def read_part(zf: zipfile.ZipFile, name: str, budget: Budget, limit: int = MAX_META_BYTES) -> bytes:
    return b"".join(stream_part(zf, name, budget, limit))


def parse_xml(data: bytes, name: str) -> SafeET.Element:
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except Exception as exc:  # defusedxml and expat raise several unrelated types
        raise Refused(f"part {name!r} is not well-formed XML ({type(exc).__name__}: {exc})", "bad-xml") from None


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
    sheets, date1904 = _sheets(zf, wb_part, budget, names)
    for part in names:
        low = part.lower()
        if low.endswith((".xml", ".rels", ".vml")) and part != wb_part and "/worksheets/sheet" not in low:
            limit = MAX_META_BYTES if low.endswith((".rels", "styles.xml", "[content_types].xml")) else None
            if low.endswith("styles.xml"):
                _check_styles(part, b"".join(stream_part(zf, part, budget, limit)))
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
        scans[info.name] = result = scan_sheet(zf, info.part, budget, sink, strings=strings)
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
    return WorkbookScan(sheets, chosen, scan, with_data, date1904, shared, len(names), budget.used)


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


def _relationships(zf: zipfile.ZipFile, part: str, budget: Budget, names: list[str]) -> dict[str, str]:
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if rels_name not in names:
        return {}
    root = parse_xml(read_part(zf, rels_name, budget), rels_name)
    out = {}
    for rel in root:
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


# -- worksheet byte scan -----------------------------------------------------------------------
# receives each window of a worksheet's bytes once scanned, with the extent of its cells:
# (highest column, lowest row, highest row, cells without a reference, cells)
Sink = Callable[[bytes, tuple[int, int, int, int, int]], None]


def scan_sheet(zf: zipfile.ZipFile, part: str, budget: Budget, sink: Sink | None = None, *,
               strings: bool = False) -> SheetScan:
    """One streaming pass over a worksheet part: extent, hidden rows/cols, merges, odd cells;
    with ``strings`` (the workbook has shared strings), text cells' shared-string indexes.
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
        extent = _scan_text(window, out, strings)
        if sink is not None:
            sink(window, extent)
        carry = data[cut:]
    if carry:
        before, last = out.tail, carry
        extent = _scan_text(carry, out, strings)
        if sink is not None:
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


def cell_twice(part: str, ref: str) -> Refused:
    """The refusal of a cell written twice (the pre-scan's, and the openpyxl reader's own)."""
    return Refused(f"sheet part {part!r} has cell {ref} twice (a row or cell written again); readers keep only "
                   "one of its values", "bad-workbook")


def rows_out_of_order(part: str, row: int, after: int) -> Refused:
    """The refusal of a row placed after a higher one (the pre-scan's, by the cells' references,
    and the openpyxl reader's own, for cells without one). Excel puts the rows in order when it
    opens such a file (a repair); a reader that sorts them (calamine) and one that takes them as
    written (a streaming one) number them differently, and which HubSpot's import is, is not
    known: read either way, a finding's row could be another reader's other row."""
    return Refused(f"sheet part {part!r} has row {row:,} after row {after:,} (rows out of order, which readers "
                   "number differently: open it in Excel, which puts them in order, and save it again)",
                   "bad-workbook")


def _disorder(zf: zipfile.ZipFile, part: str, out: SheetScan) -> Refused | None:
    """Why a sheet whose cells are not in order (``SheetScan.cells_sorted``) is refused: a cell
    written twice (the first, in the part's order, whose reference a cell before it has: calamine
    keeps the later value, openpyxl's streaming reader the earlier row), else a row placed after
    a higher one (the first cell whose reference names a row above the cell's before it); None
    where its cells are only out of order within their rows. One more pass over the part, with
    a flag per cell of its used range. A used range larger than calamine may read
    (``choose_engine``), or cells without a reference, leave the repeats to openpyxl, whose
    reader meets them itself (``XlsxReader``), as it meets rows out of order where cells have no
    reference."""
    width = max(1, out.max_col) + 1
    seen = None
    if not out.cells_without_ref and out.max_row * (width - 1) <= DENSE_CELLS:
        seen = np.zeros((out.max_row + 1) * width, dtype=bool)
    last = 0
    down: tuple[int, int] | None = None
    for window in _part_windows(zf, part):
        found: list[Cells] = []
        _cell_refs(window, [], found)
        if not found or not len(found[0][1]):
            continue
        _at, rows, cols = found[0]
        if seen is not None:
            twice = _repeat_in(rows, cols, seen, width)
            if twice is not None:
                return cell_twice(part, twice)
        if down is None:
            before = np.concatenate(([last], rows[:-1]))
            lower = rows < before
            if lower.any():
                i = int(np.argmax(lower))
                down = int(rows[i]), int(before[i])
                if seen is None:
                    break
            last = int(rows[-1])
    return rows_out_of_order(part, *down) if down is not None else None


def _part_windows(zf: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """A part already scanned, again, in windows that end where an element does."""
    carry = b""
    for block in stream_part(zf, part, Budget(MAX_TOTAL_BYTES)):
        data = carry + block
        cut = _last_boundary(data)
        if cut < 0:
            carry = data
            continue
        yield data[:cut]
        carry = data[cut:]
    if carry:
        yield carry


def _repeat_in(rows: np.ndarray, cols: np.ndarray, seen: np.ndarray, width: int) -> str | None:
    """The first of these cells whose reference is flagged in ``seen`` or comes twice among them;
    they are flagged."""
    keys = rows * width + cols
    first = np.zeros(len(keys), dtype=bool)
    first[np.unique(keys, return_index=True)[1]] = True
    again = ~first | seen[keys]
    seen[keys] = True
    if not again.any():
        return None
    i = int(np.argmax(again))
    return f"{column_letter(int(cols[i]))}{int(rows[i])}"


_END_TAG = re.compile(rb"</" + _NS.encode() + rb"(?:c|row)>")


def _last_boundary(data: bytes) -> int:
    """Index just after the last ``</c>`` or ``</row>`` in ``data`` (-1: none)."""
    cell, row = data.rfind(b"</c>"), data.rfind(b"</row>")
    if cell >= 0 or row >= 0:
        return max(cell + 4 if cell >= 0 else -1, row + 6 if row >= 0 else -1)
    for window in (1 << 20, len(data)):  # prefixed end tags (``</x:c>``)
        start = max(0, len(data) - window)
        ends = [m.end() for m in _END_TAG.finditer(data, start)]
        if ends:
            return ends[-1]
        if start == 0:
            break
    return -1


_HIDDEN_ROW = re.compile(rb"<" + _NS.encode() + rb"row\b[^>]*?\bhidden=" + _Q + rb"(?:1|true)" + _Q + rb"[^>]*>")
_CELL_NEXT = np.zeros(256, dtype=bool)
_CELL_NEXT[list(b" >/\t\n\r")] = True
_WINDOW = 20  # "<c r=" and a quote, up to 3 letters and 7 digits, the closing quote, and slack


def _windows(data: bytes, pos: np.ndarray) -> np.ndarray:
    """The ``_WINDOW`` bytes from each offset in ``pos`` (zero-padded past the end), one row each."""
    flat = np.frombuffer(data, np.uint8)
    inside = len(data) - _WINDOW + 1
    near = pos >= inside
    view = np.lib.stride_tricks.as_strided(flat, shape=(max(inside, 0), _WINDOW), strides=(1, 1))
    if not near.any():
        return view[pos]
    out = np.zeros((len(pos), _WINDOW), dtype=np.uint8)
    out[~near] = view[pos[~near]]
    for i in np.flatnonzero(near):
        chunk = flat[pos[i]:]
        out[i, :len(chunk)] = chunk
    return out


# the cells of a window in document order: the offsets of their "<c" (None where the regexes read
# them), rows and columns
Cells = tuple[np.ndarray | None, np.ndarray, np.ndarray]
_KEY = 1 << 20  # a cell's key: row * _KEY + column (the regexes read up to four letters, ZZZZ: 475,254)
_ROW_CAP = 1 << 40  # rows past it (refused as beyond the limits) are keyed as this one


def _fast_refs(data: bytes, order: list[tuple[int, int, bool]] | None = None,
               cells: list[Cells] | None = None) -> tuple[int, int, int, int] | None:
    """(highest column, lowest row, highest row, cells) of the cells in ``data``, or None to use the
    regexes; ``cells`` (given with ``order``) gets their offsets, rows and columns.

    The fast path covers what Excel and common writers emit: every cell opens ``<c r="B7"`` (the
    reference first, upper-case letters, double quotes, no namespace prefix). The ``<c`` openings
    are found as aligned byte pairs and the references parsed with array arithmetic, so a cell
    costs a few bytes of numpy work instead of a regex match and two Python objects. Row numbers
    are read whole, leading zeros included (``A01`` is row 1, as the regexes read it), though a
    window with a leading zero is not taken as in order.
    """
    if has_bytes(data, b":c") and re.search(rb":c[\s/>]", data):
        return None  # prefixed cells (<x:c>): the general regex reads them
    pos = word_positions(data, b"<c")
    if not pos.size:
        return 0, 0, 0, 0
    if order is not None:
        pos = np.sort(pos, kind="stable")  # two sorted runs (even and odd offsets): document order
    win = _windows(data, pos)
    cell = _CELL_NEXT[win[:, 2]]  # <c followed by space, >, / or a line break: a cell
    if not cell.all():  # (<col>, <cfRule>: seldom among a window's cells; no copy where there are none)
        win, pos = win[cell], pos[cell]
    if not len(win):
        return 0, 0, 0, 0
    if not ((win[:, 2] == 32) & (win[:, 3] == 114) & (win[:, 4] == 61) & (win[:, 5] == 34)).all():
        return None
    ref = win[:, 6:]
    upper = (ref[:, :4] - np.uint8(65)) < 26  # uint8 arithmetic wraps: one compare per byte
    two = upper[:, 1]
    three = two & upper[:, 2]
    if not upper[:, 0].all() or (three & upper[:, 3]).any():
        return None  # a lower-case or 4-letter reference: the regexes decide
    letters = 1 + two.astype(np.int8) + three
    rows = np.empty(len(win), dtype=np.int64)
    cols = np.empty(len(win), dtype=np.int64) if cells is not None else None
    high_col = 0
    leading_zero = False
    for k in (1, 2, 3):
        whole = k == 1 and not two.any()
        these = slice(None) if whole else letters == k
        group = ref[these]
        if not len(group):
            continue
        digits = group[:, k:k + 8]
        isdigit = (digits - np.uint8(48)) < 10
        n = np.argmin(isdigit, axis=1)  # the first byte that is not a digit: the closing quote
        if not (isdigit[:, 0] & (digits[np.arange(len(digits)), n] == 34)).all():
            return None
        rows[these] = _row_numbers(digits, n)
        leading_zero = leading_zero or bool((digits[:, 0] == 48).any())
        columns = _letters_value(group[:, :k])
        if cols is not None:
            cols[these] = columns
        high_col = max(high_col, int(columns.max()))
    if order is not None:  # a leading zero (A01) is not what writers write: not read as in order
        order.append((0, 0, False) if leading_zero else
                     (int(rows[0]), int(rows[-1]), bool((rows[1:] >= rows[:-1]).all())))
    if cells is not None and cols is not None:
        cells.append((pos, rows, cols))
    return high_col, int(rows.min()), int(rows.max()), len(win)


# the lowest ``n`` bytes of a 64-bit word, n = 1..8 (index 0 unused); powers of ten
_LOW_BYTES = np.array([0] + [(1 << (8 * n)) - 1 for n in range(1, 8)] + [(1 << 64) - 1], dtype=np.uint64)
_TENS = 10 ** np.arange(9, dtype=np.uint64)


def _row_numbers(digits: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The numbers written by the first ``n`` (1-8) bytes of each row of ``digits`` (ASCII digits
    there): eight bytes read as one little-endian word, the bytes after the number cleared, and
    the digits combined pairwise in three multiplications (SWAR), giving the number times
    10^(8 - n)."""
    word = (np.ascontiguousarray(digits) - np.uint8(48)).view("<u8").ravel()
    word &= _LOW_BYTES[n]
    word = ((word & np.uint64(0x0F0F0F0F0F0F0F0F)) * np.uint64(2561)) >> np.uint64(8)
    word = ((word & np.uint64(0x00FF00FF00FF00FF)) * np.uint64(6553601)) >> np.uint64(16)
    word = ((word & np.uint64(0x0000FFFF0000FFFF)) * np.uint64(42949672960001)) >> np.uint64(32)
    return (word // _TENS[8 - n]).astype(np.int64)


def _letters_value(letters: np.ndarray) -> np.ndarray:
    value = np.zeros(len(letters), dtype=np.int64)
    for j in range(letters.shape[1]):
        value = value * 26 + (letters[:, j].astype(np.int64) - 64)
    return value


def _cell_refs(data: bytes, order: list[tuple[int, int, bool]] | None = None,
               cells: list[Cells] | None = None) -> tuple[int, int, int, int, int]:
    """(highest column, lowest row, highest row, cells without a reference, cells) of the cells in
    ``data``; ``order`` gets (first row, last row, rows never going down) in document order, and
    ``cells`` (given with ``order``) the cells with a reference (``Cells``)."""
    fast = _fast_refs(data, order, cells)
    if fast is not None:
        high_col, low, high, count = fast
        return high_col, low, high, 0, count
    refs = _CELL_COL.findall(data)
    numbers = [int(r) for _, r in refs]
    if order is not None:
        order.clear()
        if numbers:
            order.append((numbers[0], numbers[-1], all(a <= b for a, b in itertools.pairwise(numbers))))
    count = len(_CELL_ANY.findall(data))
    columns = {c: col_number(c) for c in {c for c, _ in refs}}
    if cells is not None and refs:
        cells.append((None, np.array([min(n, _ROW_CAP) for n in numbers], dtype=np.int64),
                      np.array([columns[c] for c, _ in refs], dtype=np.int64)))
    return (max(columns.values(), default=0), min(numbers, default=0), max(numbers, default=0), count - len(refs),
            count)


def _scan_text(data: bytes, out: SheetScan, strings: bool = False) -> tuple[int, int, int, int, int]:
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
            out.unproven = at is None or not _rows_open_cleanly(data, at[starts], out.tail)
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
    if has_bytes(data, b'="e"') or has_bytes(data, b"='e'"):
        for m in _ERROR_CELL.finditer(data):
            v = _VALUE.search(m.group(2))
            _exception(out, m.group(1), "e", v.group(1).decode("utf-8", "replace") if v else "#VALUE!")
    if has_bytes(data, b"<f") or has_bytes(data, b":f"):
        for m in _FORMULA_CELL.finditer(data):
            v = _VALUE.search(m.group(2))
            if (v is None or not v.group(1).strip()) and b"<is>" not in m.group(2):
                if re.search(rb"\bt=" + _Q + rb"e" + _Q, m.group(1)):
                    continue
                if _TEXT_TYPE.search(m.group(1)) and _CACHED.search(m.group(2)):
                    continue  # a text formula's value, empty or blank
                _exception(out, m.group(1), "f", "")
    if strings and not out.odd_string_index:
        out.odd_string_index = _odd_string_index(data)
    out.tail = data[-_TAIL:] if len(data) >= _TAIL else (out.tail + data)[-_TAIL:]
    return extent


# -- the rows' structure -------------------------------------------------------------------------
# python-calamine reads a worksheet whose end tags are missing (an extra or unclosed <row>) or
# misnamed as if they were there, and so does its XML parser, which only checks that no end tag
# closes more than was opened; a strict reader refuses the part. The byte scan proves what it can
# at a cost per row, not per byte: the first cell of each row comes right after its row's start
# tag, and that tag right after the end of the row before (</row>), a row without cells
# (<row .../>) or <sheetData>; the part's </sheetData> right after the last row (10 ms for the
# 100,000 rows of the bench sheet, about what the windows' copy it saves in ``_fast_refs`` cost).
# A part in which it cannot see that (white space between tags, a start tag over _LOOKS[-1]
# bytes, prefixed or reference-less cells) is parsed by expat after the scan (``scan_sheet``):
# half a second per 75 MB, which a sheet in Excel's shape never pays. A misnamed end tag inside a
# cell, or a row without cells left open before another one, is beyond it.
_TAIL = 1024  # bytes of a window kept for the next one's first rows
_NAME_END = np.zeros(256, dtype=bool)
_NAME_END[list(b" \t\r\n>/")] = True
_ROW_WORD = int.from_bytes(b"<row", "little")
_END_ROW_WORD = np.uint64(int.from_bytes(b"</row>", "little"))
_SHEET_END = re.compile(rb"(?:</row>|<sheetData>|<row\b[^<>]*/>)\Z")


def _rows_open_cleanly(data: bytes, at: np.ndarray, tail: bytes) -> bool:
    """Whether the cell at each offset in ``at`` (the first of its row) comes right after a row's
    start tag, and that tag right after ``</row>``, ``<sheetData>`` or a row without cells
    (``<row .../>``); ``tail``: the bytes of the part before ``data``."""
    if not at.size:
        return True
    near = at < _TAIL
    if near.any() and not _rows_open(np.frombuffer(tail + data[:_TAIL], dtype=np.uint8), at[near] + len(tail)):
        return False
    return _rows_open(np.frombuffer(data, dtype=np.uint8), at[~near])


def _rows_open(flat: np.ndarray, at: np.ndarray) -> bool:
    if not at.size:
        return True
    tag = _last_open(flat, at)
    word = _words(flat, tag)  # "<row" and the byte after the name
    if not (((word & 0xFFFFFFFF) == _ROW_WORD) & _NAME_END[(word >> 32) & 0xFF]).all():
        return False
    closed = (_words(flat, tag - 8) >> 16) == _END_ROW_WORD  # "</row>" right before
    if closed.all():
        return True
    rest = tag[~closed]
    first = _is(flat, rest - 11, b"<sheetData>")
    if first.all():
        return True
    end = rest[~first] - 2  # the row before, without cells, ends right there: "/>"
    if not _is(flat, end, b"/>").all():
        return False
    empty = _last_open(flat, end)
    if not (_is(flat, empty, b"<row") & _NAME_END[_byte(flat, empty + 4)]).all():
        return False
    width = -(-int((end - empty).max()) // 8) * 8  # between its "<" and "/>": no ">"
    win = _before(flat, end, width)
    return not bool(((win == 62) & (np.arange(width) >= (width - (end - empty) + 1)[:, None])).any())


_LOOKS = (24, 128, 512)  # bytes looked at before an offset for a "<": wider only where not found


def _last_open(flat: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The offset of the last "<" before each offset in ``at``, within ``_LOOKS[-1]`` bytes (-1:
    none); the few bytes that hold it for most rows first, more for the rest."""
    tag = np.full(len(at), -1, dtype=np.int64)
    todo = np.arange(len(at))
    for width in _LOOKS:
        lt = _before(flat, at[todo], width) == 60
        back = np.argmax(lt[:, ::-1], axis=1)
        hit = lt[np.arange(len(todo)), width - 1 - back]
        tag[todo[hit]] = at[todo[hit]] - 1 - back[hit]
        todo = todo[~hit]
        if not todo.size:
            break
    return tag


def _before(flat: np.ndarray, at: np.ndarray, width: int) -> np.ndarray:
    """The ``width`` (a multiple of 8) bytes before each offset in ``at``, one row each (zeros
    before the buffer); gathered as 8-byte words."""
    start = at - width
    inside = start >= 0
    out = np.zeros((len(at), width), dtype=np.uint8)
    if len(flat) >= width and inside.any():
        view = np.ndarray((len(flat) - width + 1, width // 8), dtype="<u8", buffer=flat, strides=(1, 8))
        if inside.all():
            return view[start].view(np.uint8)
        out[inside] = view[start[inside]].view(np.uint8)
    for i in np.flatnonzero(~inside).tolist():  # the few near the buffer's start
        a = max(int(at[i]), 0)
        out[i, width - a:] = flat[:a]
    return out


def _words(flat: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The 8 bytes at each offset in ``at`` as a little-endian word (0 where they leave the buffer)."""
    if len(flat) < 8:
        return np.zeros(len(at), dtype=np.uint64)
    view = np.ndarray((len(flat) - 7,), dtype="<u8", buffer=flat, strides=(1,))
    inside = (at >= 0) & (at < len(flat) - 7)
    if inside.all():
        return view[at]
    return np.where(inside, view[np.clip(at, 0, len(flat) - 8)], np.uint64(0))


def _is(flat: np.ndarray, at: np.ndarray, pattern: bytes) -> np.ndarray:
    """Whether ``pattern`` is at each offset in ``at`` (False where it would leave the buffer)."""
    ok = (at >= 0) & (at <= len(flat) - len(pattern))
    where = np.where(ok, at, 0)
    for k, byte in enumerate(pattern):
        ok &= flat[np.minimum(where + k, len(flat) - 1)] == byte
    return ok


def _byte(flat: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The byte at each offset in ``at`` (0 outside the buffer)."""
    inside = (at >= 0) & (at < len(flat))
    return np.where(inside, flat[np.clip(at, 0, len(flat) - 1)], 0).astype(np.uint8)


def _sheet_data_closes(text: bytes) -> bool:
    """Whether the part's end (``text``: its last window, after the bytes before it) closes
    ``<sheetData>`` right after the last row (or holds an empty ``<sheetData/>``)."""
    end = text.find(b"</sheetData>")
    if end < 0:
        return b"<sheetData/>" in text and b"<row" not in text
    return _SHEET_END.search(text, max(0, end - _TAIL), end) is not None


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


def _exception(out: SheetScan, attrs: bytes, kind: str, value: str) -> None:
    r = _ATTR_R.search(attrs)
    if r is None or not r.group(1):
        return
    if len(out.exceptions) >= MAX_EXCEPTIONS:
        out.exceptions_dropped += 1
        return
    out.exceptions[(int(r.group(2)), col_number(r.group(1)))] = (kind, value)


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
