"""A large worksheet loaded by calamine in pieces, so its first rows are checked while the rest load.

python-calamine parses a whole sheet before it gives the first row (about 0.7 s for 100,000 rows
x 13 columns), and turning its cells into Python values, then columns, then checking them takes
about as long again, mostly holding the GIL: the two can overlap. The worksheet's XML is cut, at
row starts, into pieces of 4 MB (the first one 2 MB, so checking starts early): each is the
sheet's own head (everything before ``<sheetData>``, less ``<dimension>``, which no reader here
trusts) with some of its rows, in a workbook of its own (in memory, stored) with the same styles,
shared strings and workbook part, so every cell converts exactly as in the whole sheet. A thread
(``LOADERS``) loads pieces while the reader takes the rows of earlier ones; at most ``AHEAD``
pieces wait.

The first piece (it holds the header) is loaded by python-calamine, its rows as Python values.
Every later one is loaded by fastexcel (calamine's parse as well, straight to typed Arrow columns,
without the GIL and without a Python object per cell: ``_typed``) wherever each of its columns
holds one kind of value and every text cell stays text; any other piece is loaded as Python
values. fastexcel numbers no rows: a marker cell placed in the row above the piece's first cell
begins its range, so its rows are numbered from there.

Only bytes the pre-checks have passed reach calamine. The first ``EARLY`` pieces are cut from the
scan's own windows as it goes (``Pieces.window``) and loaded at once, each only where the cells of
the windows it came from are as bounded as ``choose_engine`` wants a whole sheet to be (every part
but the worksheets was checked before the sheets, and other worksheets are empty ones in a piece's
workbook); the rest are cut after the whole workbook has passed and calamine was chosen
(``begin``). Nothing is given out before the scan ends.

Pieces read as the whole sheet only if no piece holds a row above one an earlier piece gave: the
scan notes whether the cells' rows ever go down in the part (``SheetScan.ordered``); where they
do, the workbook is refused (``xlsx_scan.rows_out_of_order``), and where the scan cannot tell (a
reference with a leading zero), the pieces are dropped (``Speculation.adopt``) and the sheet
loads whole. A row repeated across
a piece boundary (rows that never go down, but one row in two pieces), a row over
``MAX_ROW_BYTES``, or a piece calamine refuses ends the pieces before that row is given out (the
reader checks each piece against the next one): the reader loads the whole sheet and reads on from
the row after the last one it gave. Rows between pieces holding only formulas without a cached
value or error cells (no value calamine keeps) are given by the reader from the scan's exceptions,
as the whole load gives them. Shared
strings are parsed again for every piece: pieces are at least ``SST_SHARE`` times their size, and
a sheet with too few such pieces loads whole (``plan``). (Typed pieces cost so much less than the
whole sheet as Python values that an Excel-saved workbook whose shared strings are a fifth of its
sheet checks 20% faster in pieces of the shared strings' size, and in less memory.)
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import queue
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from validator.readers.xlsx_scan import DENSE_CELLS, MAX_COLS, MAX_ROWS, SPARSE_SLACK

PIECE_BYTES = 4 << 20  # XML bytes of a piece (the first one is smaller: FIRST_BYTES)
FIRST_BYTES = 2 << 20
MIN_SHEET_BYTES = 12 << 20  # smaller sheets load whole: the first piece would be most of them
SST_SHARE = 1  # a piece holds at least as many bytes as the shared strings
AHEAD = 10  # pieces cut and loading or loaded, waiting at most, once the scan has ended
# pieces cut from the scan's windows at most: those wait (loaded) until the scan ends, and the
# ones after them are cut from the part inflated again, the bytes before passed over. Forty
# cover a sheet of 160 MB (200,000 rows of 13 columns) in the scan's one pass: the bench
# workbook (75 MB of sheet) checks in 1.46 s against 1.68 s with ten (medians of 7), at the same
# peak RSS (280 MiB)
EARLY = 40
# threads loading pieces: one, as fast as two now that ten pieces may wait (1.143 against 1.171 s
# for the bench workbook; 1.29 against 1.35 s with every piece as Python values), and with pieces
# sized by the shared strings each loader holds them parsed (one: 1.22-1.25 s at 289-303 MiB; two:
# 1.11-1.21 s at 369-385 MiB, for 8.6 MB of shared strings and 47 MB of sheet)
LOADERS = 1
READ = 4 << 20
MAX_ROW_BYTES = 64 << 20  # a longer row ends the pieces (the whole sheet is loaded instead)

_ROW_START = re.compile(rb"<row[\s>/]")
_DIMENSION = re.compile(rb"<dimension\b[^>]*>")
_TAIL = b"</sheetData></worksheet>"
_EMPTY_SHEET = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<sheetData/></worksheet>")


class PiecesFailed(Exception):
    """The pieces could not go on; the reader loads the whole sheet."""


@dataclass(slots=True)
class Plan:
    part: str  # the worksheet part
    name: str  # the sheet's name in the workbook
    sst: str | None  # the shared-strings part, if any
    first: int  # XML bytes of the first piece
    size: int  # XML bytes of the largest pieces


def plan(zf: zipfile.ZipFile, part: str, name: str) -> Plan | None:
    """Pieces for this sheet, or None where the whole load is as good (a small sheet, or shared
    strings so large next to the sheet that parsing them again would cost more than it saves)."""
    try:
        sheet_bytes = zf.getinfo(part).file_size
    except KeyError:
        return None
    if sheet_bytes < MIN_SHEET_BYTES:
        return None
    sst = next((i for i in zf.infolist() if i.filename.lower().endswith("sharedstrings.xml")), None)
    size = PIECE_BYTES
    if sst is not None and sst.file_size:
        # every piece parses the shared strings again: pieces at least SST_SHARE times their
        # size, and at least four of them, or the whole load is as good (or better)
        size = max(PIECE_BYTES, SST_SHARE * sst.file_size)
        if 4 * size > sheet_bytes:
            return None
    return Plan(part, name, sst.filename if sst is not None else None,
                min(FIRST_BYTES, size), size)


@dataclass(slots=True)
class Piece:
    """One loaded piece: its rows of cell values, the sheet row of the first one and the sheet
    column (0-based) of their first values; or (``typed``) its columns from column A as Arrow
    arrays of ``height`` values each, typed as fastexcel gives them."""

    rows: list[list[Any]]
    first: int
    col0: int
    typed: list[Any] | None = None
    height: int = 0

    @property
    def count(self) -> int:
        """The rows it holds."""
        return len(self.rows) if self.typed is None else self.height


Extent = tuple[int, int, int, int, int]  # highest column, lowest row, highest row, cells without a reference, cells


class _Cutter:
    """Cuts a worksheet's XML, fed in order, into pieces: each the head, whole rows, the closing tags."""

    def __init__(self, first: int, size: int):
        self.head: bytes | None = None
        self.buf = bytearray()
        self.target = first
        self.size = size
        self.consumed = 0  # bytes of the part in the head and the pieces cut so far
        self.done = False  # </sheetData> seen
        self.cut = 0  # pieces cut so far

    @property
    def complete(self) -> bool:
        """Every piece is cut."""
        return self.done and not self.buf

    def feed(self, data: bytes | bytearray, build: Callable[[list[Any]], bytes],
             limit: int = 1 << 30) -> list[tuple[bytes, int | None]]:
        """The pieces ``data`` completes, at most ``limit`` (the rest stays in the buffer), each
        made by ``build`` from its parts (head, rows, a marker row, closing tags) in one copy, with
        the row of its marker (None: none; the first piece has none, see ``_marker``)."""
        buf = self.buf
        buf += data
        if self.head is None:
            at = buf.find(b"<sheetData>")
            if at < 0:
                if len(buf) > 64 << 20 or buf.find(b"<sheetData") >= 0 or buf.find(b":sheetData") >= 0:
                    raise PiecesFailed("no plain <sheetData> element")
                return []
            at += len(b"<sheetData>")
            self.head = _DIMENSION.sub(b"", bytes(buf[:at]))
            del buf[:at]
            self.consumed += at
        if not self.done:
            end = buf.find(b"</sheetData>")
            if end >= 0:
                del buf[end:]
                self.done = True
        out: list[tuple[bytes, int | None]] = []
        while len(out) < limit and buf and (self.done or len(buf) >= self.target):
            cut = _row_start_near(buf, self.target) if len(buf) > self.target else -1
            if cut <= 0:
                if not self.done and len(buf) <= self.target + MAX_ROW_BYTES:
                    break  # no row starts after the first one yet: read on
                cut = len(buf)
            if cut > self.target + MAX_ROW_BYTES:  # never hold more than a piece and a row
                if out:  # the pieces before it first: the next call raises
                    break
                raise PiecesFailed("a row of the sheet is longer than the pieces may hold")
            marker = _marker(buf, cut) if self.cut else None
            with memoryview(buf) as view, view[:cut] as rows:
                out.append((build([self.head, _marker_row(marker), rows, _TAIL]), marker))
            del buf[:cut]
            self.consumed += cut
            self.cut += 1
            self.target = min(self.target * 2, self.size)
        return out


class _StoredZip:
    """Workbooks that differ only in one part: the other parts are laid out once, and each piece's
    workbook is joined from them, its part's header and its bytes (ZIP, stored, no compression)."""

    def __init__(self, others: dict[str, bytes], part: str):
        heads: list[bytes] = []
        central: list[bytes] = []
        offset = 0
        for name, data in others.items():
            local, entry = _headers(name, zlib.crc32(data), len(data), offset)
            heads += (local, data)
            central.append(entry)
            offset += len(local) + len(data)
        self.prefix = b"".join(heads)
        self.central = b"".join(central)
        self.entries = len(others) + 1
        self.part = part

    def build(self, parts: list[Any]) -> bytes:
        crc = 0
        for piece in parts:
            crc = zlib.crc32(piece, crc)
        size = sum(len(piece) for piece in parts)
        local, entry = _headers(self.part, crc, size, len(self.prefix))
        central = self.central + entry
        end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, self.entries, self.entries, len(central),
                          len(self.prefix) + len(local) + size, 0)
        return b"".join([self.prefix, local, *parts, central, end])


def _headers(name: str, crc: int, size: int, offset: int) -> tuple[bytes, bytes]:
    """The local and central directory headers of a stored entry (dated 1980-01-01)."""
    raw = name.encode("utf-8")
    flags = 0 if raw.isascii() else 0x800  # names in UTF-8
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 0, 0, 33, crc, size, size, len(raw), 0) + raw
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, 0, 0, 33, crc, size, size, len(raw),
                          0, 0, 0, 0, 0, offset) + raw
    return local, central


class Pieces:
    """A worksheet's pieces, loaded on ``LOADERS`` thread(s); ``next`` gives them in order.

    The first ones (at most ``EARLY``) may be cut while the pre-checks scan the sheet (``window``:
    bytes the scan has checked, each piece loaded at once where the extent of the windows it came
    from is as safe as ``xlsx_scan.choose_engine`` wants a whole sheet to be); ``begin``, once the
    pre-checks have passed the whole workbook and chosen calamine, cuts the rest on a thread of its
    own, from where those stopped."""

    def __init__(self, zf: zipfile.ZipFile, chosen: Plan):
        self.zf = zf
        self.plan = chosen
        self._queue: queue.Queue[Future[Piece] | BaseException | None] = queue.Queue(maxsize=max(AHEAD, EARLY))
        self._stop = threading.Event()
        self._ended = False
        self._pool = ThreadPoolExecutor(LOADERS, thread_name_prefix="xlsx-load")
        self._thread: threading.Thread | None = None
        self._zip: _StoredZip | None = None
        self._cutter = _Cutter(chosen.first, chosen.size)
        self._early = True  # still cutting from the scan's windows
        self._extent: Extent | None = None
        self._count = 0  # pieces handed to the loaders
        self.broken = False  # a loading thread could not be started: not to be used

    # -- while the pre-checks scan the sheet ----------------------------------------------------
    def window(self, data: bytes, extent: Extent) -> None:
        """The next window of the sheet's bytes, checked by the scan, and the extent of its cells."""
        if not self._early:
            return
        seen = _merge(self._extent, extent)
        if not _safe(seen):
            self._early = False
            return
        try:
            pieces = self._cutter.feed(data, self._layout().build, EARLY - self._count)
        except PiecesFailed:
            self._early = False
            # the rest is read again after the scan (and fails again), even where the sheet's end
            # was seen: it is not complete, whatever the buffer held
            self._cutter.buf = bytearray()
            self._cutter.done = False
            return
        # the bytes left in the buffer came with this window: its extent covers them
        self._extent = extent if pieces else seen
        try:
            for workbook, marker in pieces:
                self._queue.put_nowait(self._pool.submit(_load, workbook, self.plan.name, self._count, marker))
                self._count += 1
        except Exception:  # no thread to be had: no pieces (the reader loads the sheet whole)
            self._early = False
            self.broken = True
            return
        if self._count >= EARLY:  # never wait here: nobody takes pieces before the scan ends
            self._early = False

    def _layout(self) -> _StoredZip:
        if self._zip is None:
            self._zip = _StoredZip(self._other_parts(), self.plan.part)
        return self._zip

    # -- after the pre-checks -------------------------------------------------------------------
    def begin(self) -> None:
        """The pre-checks passed and chose calamine for this sheet: cut and load the rest."""
        self._early = False
        self._thread = threading.Thread(target=self._run, name="xlsx-pieces", daemon=True)
        self._thread.start()

    def next(self) -> Piece | None:
        """The next loaded piece; None after the last. Raises PiecesFailed when the pieces
        cannot go on (the reader then loads the whole sheet)."""
        if self._ended:
            return None
        item = self._queue.get()
        try:
            if isinstance(item, Future):
                return item.result()
        except BaseException as exc:  # calamine refused the piece
            item = exc
        self._ended = True
        if item is None:
            return None
        raise PiecesFailed(str(item)) from item

    def close(self) -> None:
        """Stop the threads and drop what they loaded and nobody took."""
        self._stop.set()
        self._ended = True
        self._early = False
        while self._thread is not None and self._thread.is_alive():
            self._drain()
            self._thread.join(0.05)
        self._drain()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._drain()

    def _drain(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, Future):
                item.cancel()

    def _put(self, item: Future[Piece] | BaseException | None) -> bool:
        while not self._stop.is_set():
            if self._queue.qsize() >= AHEAD:  # (the early pieces may fill it past AHEAD)
                self._stop.wait(0.005)
                continue
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        if isinstance(item, Future):
            item.cancel()
        return False

    def _run(self) -> None:
        try:
            for workbook, marker in self._rest():
                if self._stop.is_set():
                    return
                if not self._put(self._pool.submit(_load, workbook, self.plan.name, self._count, marker)):
                    return
                self._count += 1
            self._put(None)
        except BaseException as exc:  # anything at all: the reader loads the whole sheet instead
            self._put(exc)

    def _rest(self) -> Iterator[tuple[bytes, int | None]]:
        """The pieces after those cut during the scan: the part inflated again, the bytes they
        took passed over."""
        early = self._cutter
        if early.complete:
            return
        cutter = _Cutter(early.target, early.size)
        cutter.head, cutter.consumed, cutter.cut = early.head, early.consumed, early.cut
        early.buf = bytearray()  # what it held past its last piece is read again here
        skip = early.consumed
        with self.zf.open(self.plan.part) as fh:
            while not cutter.complete:
                block = fh.read(READ)
                if not block:
                    raise PiecesFailed("the worksheet ends inside its rows")
                if skip:
                    taken = min(skip, len(block))
                    skip -= taken
                    block = block[taken:]
                    if not block:
                        continue
                yield from cutter.feed(block, self._layout().build)
                if self._stop.is_set():
                    return

    def _other_parts(self) -> dict[str, bytes]:
        """Every part a piece's workbook carries besides the piece: the small XML parts as they
        are, other worksheets as empty ones, the shared strings; no media."""
        out: dict[str, bytes] = {}
        for info in self.zf.infolist():
            name = info.filename
            low = name.lower()
            if name == self.plan.part or name.startswith("__MACOSX/") or info.is_dir():
                continue
            if "/worksheets/" in low and low.endswith(".xml"):
                out[name] = _EMPTY_SHEET
            elif name == self.plan.sst or (low.endswith((".xml", ".rels")) and info.file_size <= 1 << 20):
                out[name] = self.zf.read(info)
        return out


def _merge(a: Extent | None, b: Extent) -> Extent:
    if a is None:
        return b
    if not a[4] or not b[4]:
        return a if a[4] else b
    return (max(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), a[3] + b[3], a[4] + b[4])


def _safe(extent: Extent) -> bool:
    """Whether calamine may load the cells of this extent (``xlsx_scan.choose_engine``'s test)."""
    high_col, low, high, without, cells = extent
    if without:
        return False
    if not cells:
        return True
    dense = (high - low + 1) * max(1, high_col)
    return high <= MAX_ROWS and high_col <= MAX_COLS and dense <= DENSE_CELLS and dense <= 4 * cells + SPARSE_SLACK


def _row_start_near(buf: bytearray, target: int) -> int:
    """Where a piece of about ``target`` bytes ends: the last row start at or before ``target``,
    else the first one after it (a row longer than the target); 0 or -1 where there is none."""
    at = target + 1
    while True:
        at = buf.rfind(b"<row", 0, at)
        if at <= 0:
            break
        if _ROW_START.match(buf, at):
            return at
    at = target
    while True:
        at = buf.find(b"<row", at + 1)
        if at < 0 or _ROW_START.match(buf, at):
            return at


class Speculation:
    """Made before the pre-checks: gives ``scan_workbook`` a window sink for a workbook's first
    worksheet when it is large (``plan``), and after them the pieces, if the reader reads that
    sheet with calamine (other worksheets are empty ones in the pieces' workbooks)."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.pieces: Pieces | None = None
        self.asked = False  # a worksheet was offered

    def sink(self, part: str, name: str) -> Any:
        """The window sink for the workbook's first worksheet (the one checked, unless it holds no
        data or the request names another), where it is large; None for every other."""
        if self.asked:
            return None
        self.asked = True
        how = plan(self.zf, part, name)
        if how is None:
            return None
        self.pieces = Pieces(self.zf, how)
        return self.pieces.window

    def adopt(self, name: str | None, engine: str, ordered: bool) -> Pieces | None:
        """The pieces of sheet ``name``, begun, where calamine reads it and its cells' rows never go
        down (``SheetScan.ordered``); else None (all released)."""
        pieces, self.pieces = self.pieces, None
        if pieces is None:
            return None
        if engine != "calamine" or name != pieces.plan.name or not ordered or pieces.broken:
            pieces.close()
            return None
        try:
            pieces.begin()
        except Exception:  # no thread to be had: the reader loads the sheet whole
            pieces.close()
            return None
        return pieces

    def close(self) -> None:
        if self.pieces is not None:
            self.pieces.close()
            self.pieces = None


_CELL_REF = re.compile(rb"<c\b[^>]*?\br=[\"']([A-Za-z]{1,3})(\d{1,7})[\"']")
_MARKER = b'<row r="%d"><c r="A%d" t="e"><v>#N/A</v></c></row>'
# python-calamine gives a time of day below one day (before 1904-01-02, in either date system),
# and a number past 9999: date-times typed only between these, in seconds since 1970
_SINCE = int((dt.datetime(1904, 1, 2) - dt.datetime(1970, 1, 1)).total_seconds())
_UNTIL = int((dt.datetime(9999, 12, 31) - dt.datetime(1970, 1, 1)).total_seconds())
PER_SECOND = {"s": 1, "ms": 1000, "us": 1_000_000, "ns": 1_000_000_000}  # a timestamp unit's steps
_TYPED = ("string", "large_string", "double", "int64", "bool", "null")


def _marker(buf: bytearray, end: int) -> int | None:
    """The row for the marker cell of the piece ``buf[:end]``: the one above the row of its first
    cell (its cells' rows never go down: the scan checked the part), or None where there is none."""
    found = _CELL_REF.search(buf, 0, end)
    if found is None or buf.find(b"<c", 0, found.start()) >= 0:  # (a cell without a reference first)
        return None
    row = int(found.group(2)) - 1
    return row if row >= 1 else None


def _marker_row(row: int | None) -> bytes:
    return _MARKER % (row, row) if row else b""


def _text_cells(data: bytes) -> int | None:
    """The cells of the piece typed as text (``t="s"``, ``"str"`` or ``"inlineStr"``) that are not
    empty elements (``<c t="inlineStr"/>``: no value), counted in its bytes with array arithmetic
    (numpy lets other threads run meanwhile); None where a type is written any other way (quotes,
    spaces) or a cell is an ISO date (``t="d"``): not counted, so such a piece is not typed. Text
    that looks like a type attribute counts too: the counts then differ, and the piece loads as
    values."""
    import numpy as np

    a = np.frombuffer(data, dtype=np.uint8)
    eq = np.flatnonzero(a == 0x3D)  # "=": the attributes (and some text)
    eq = eq[(eq >= 2) & (eq < len(a) - 16)]  # (the ZIP's directory ends the bytes: no cell there)
    before = a[eq - 1]
    blank = (before == 0x20) | (before == 0x09) | (before == 0x0A) | (before == 0x0D)
    for i in eq[blank].tolist():  # "t =": a blank before "=" right after a lone "t"
        j = i - 1
        while j > 0 and a[j] in _BLANKS:
            j -= 1
        if a[j] == 0x74 and j > 0 and a[j - 1] in _BLANKS:
            return None
    eq = eq[before == 0x74]  # "t="
    lead = a[eq - 2]
    space = lead == 0x20
    if ((lead == 0x09) | (lead == 0x0A) | (lead == 0x0D)).any() or (space & (a[eq + 1] != 0x22)).any():
        return None
    eq = eq[space]
    first, second = a[eq + 2], a[eq + 3]
    if ((first == 0x64) & (second == 0x22)).any():  # t="d"
        return None
    short = (first == 0x73) & (second == 0x22)  # t="s": the tag goes on after eq + 4
    after = np.concatenate([eq[short] + 4, eq[(first == 0x73) & (second == 0x74)] + 6,  # t="str"
                            eq[(first == 0x69) & (second == 0x6E)] + 12])  # t="inlineStr"
    follows = a[after]
    count = int((follows == 0x3E).sum())  # ">": the cell holds something
    # "/>" or " />": an empty element; any other attribute after the type: look for the tag's end
    empty = (follows == 0x2F) | ((follows == 0x20) & (a[after + 1] == 0x2F))
    for k in after[(follows != 0x3E) & ~empty].tolist():
        end = data.find(b">", k)
        count += end > 0 and data[end - 1] != 0x2F
    return count


_BLANKS = (0x20, 0x09, 0x0A, 0x0D)


def _fastexcel() -> Any:
    """fastexcel, or None where it cannot be loaded."""
    try:
        import fastexcel
    except Exception:
        return None
    # an all-empty column is typed as text, with a warning on the log: that is as wanted here
    logging.getLogger("fastexcel.types.dtype").setLevel(logging.ERROR)
    return fastexcel


def _typed(data: bytes, name: str, marker: int) -> Piece | None:
    """A piece's cells as typed Arrow columns, from fastexcel (calamine's parse, straight to Arrow:
    no Python object per cell), where every column holds one kind of value and each reads as
    python-calamine reads it; None where not (the piece is loaded as Python values instead).

    Every text cell of the piece must be in a column typed as text: fastexcel lets text that
    reads as no value ("", "null", "NaN") into a column of numbers, where python-calamine keeps
    it as text (the text cells are counted in the piece's bytes: ``_text_cells``).

    fastexcel gives no row numbers: the marker cell (an error value in column A, above every cell
    of the piece, which reads as empty) begins the range, so the rows it gives are numbered from
    ``marker``, and their columns from column A."""
    fastexcel = _fastexcel()
    if fastexcel is None:
        return None
    text_cells = _text_cells(data)
    if text_cells is None:
        return None
    try:
        sheet = fastexcel.read_excel(data).load_sheet(name, header_row=None, schema_sample_rows=None,
                                                      dtype_coercion="strict")
        batch = sheet.to_arrow()
    except Exception:  # a column of mixed kinds, mostly: python-calamine gives each cell's
        return None
    height = batch.num_rows
    if not height:
        return None
    arrays = []
    texts = 0
    for arr in batch.columns:
        kind = str(arr.type)
        if arr[0].is_valid:  # the marker's row holds nothing else (were the marker not in the
            return None  # range, its first row would be one of the piece's, and columns shift)
        if kind in ("string", "large_string"):
            texts += len(arr) - arr.null_count
        if kind.startswith("timestamp["):
            import pyarrow.compute as pc

            per = PER_SECOND[arr.type.unit]
            low, high = pc.min_max(arr.cast("int64")).values()
            if low.is_valid and (low.as_py() < _SINCE * per or high.as_py() > _UNTIL * per):
                return None
        elif kind not in _TYPED:  # durations, dates: as python-calamine would give them, not checked
            return None
        arrays.append(arr.slice(1))
    # fastexcel's typing lets text that reads as no value ("", "null", "NaN") into a column of
    # numbers; python-calamine keeps it as text: every text cell must be in a text column
    if texts != text_cells:
        return None
    if height == 1:
        return Piece([], 1, 0)
    return Piece([], marker + 1, 0, arrays, height - 1)


def _load(data: bytes, name: str, index: int, marker: int | None = None) -> Piece:
    """A piece's cells: as typed columns (``_typed``) where it has a marker, else from
    python-calamine as Python values: the first piece's from row 1 and column 1 (as the whole
    sheet's), later ones from their first used row and column."""
    if marker is not None:
        typed = _typed(data, name, marker)
        if typed is not None:
            return typed
    from python_calamine import CalamineWorkbook

    handle = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        sheet = handle.get_sheet_by_name(name)
        start = sheet.start
        if start is None:
            return Piece([], 1, 0)
        if index == 0:
            return Piece(sheet.to_python(skip_empty_area=False), 1, 0)
        rows = sheet.to_python(skip_empty_area=True)
        if marker is not None:  # its row is the first one, and no row of the sheet
            if start[0] + 1 != marker:
                raise PiecesFailed("a piece's cells reach above its marker")
            del rows[0]
            if not rows:
                return Piece([], 1, 0)
            return Piece(rows, marker + 1, start[1])
        return Piece(rows, start[0] + 1, start[1])
    finally:
        handle.close()


