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
without the GIL and without a Python object per cell: ``xlsx_piece_load._typed``) wherever each of its columns
holds one kind of value and every text cell stays text; any other piece is loaded as Python
values, kept by column (only the cells that hold something: ``xlsx_piece_load.Sparse``).
fastexcel numbers no rows: a marker cell placed in the row above the piece's first cell
begins its range, so its rows are numbered from there.

Only bytes the pre-checks have passed reach calamine. The first ``EARLY`` pieces are cut from the
scan's own windows as it goes (``Pieces.window``) and loaded at once, each only where the cells of
the windows it came from are as bounded as ``choose_engine`` wants a whole sheet to be (every part
but the worksheets was checked before the sheets, and other worksheets are empty ones in a piece's
workbook); the rest are cut after the whole workbook has passed and calamine was chosen
(``begin``). Nothing is given out before the scan ends.

Pieces read as the whole sheet only if no piece holds a row above one an earlier piece gave: the
scan notes whether the cells' rows ever go down in the part (``SheetScan.ordered``); where they
do, the workbook is refused (``xlsx_order.rows_out_of_order``), and where the scan cannot tell (a
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

Here: the plan, the pieces' threads (``Pieces``) and the speculation the pre-checks feed. Cutting
the XML into pieces' workbooks is ``xlsx_piece_cut``; loading one, ``xlsx_piece_load``. The names
of both that other code uses are importable from here as well.
"""

from __future__ import annotations

import queue
import threading
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from validator.readers.xlsx_piece_cut import (  # noqa: F401 (re-exported: part of this module's API)
    _MARKER,
    _TAIL,
    MAX_ROW_BYTES,
    PiecesFailed,
    _Cutter,
    _headers,
    _marker,
    _marker_row,
    _row_start_near,
    _StoredZip,
)
from validator.readers.xlsx_piece_load import (  # noqa: F401 (re-exported: part of this module's API)
    PER_SECOND,
    Piece,
    Sparse,
    _fastexcel,
    _load,
    _text_cells,
    _typed,
)
from validator.readers.xlsx_scan import DENSE_CELLS, MAX_COLS, MAX_ROWS, SPARSE_SLACK

PIECE_BYTES = 4 << 20  # XML bytes of a piece (the first one is smaller: FIRST_BYTES)
FIRST_BYTES = 2 << 20
MIN_SHEET_BYTES = 12 << 20  # smaller sheets load whole: the first piece would be most of them
SST_SHARE = 1  # a piece holds at least as many bytes as the shared strings
AHEAD = 10  # pieces cut and loading or loaded, waiting at most, once the scan has ended
SPARSE_AHEAD = 3  # the same for a sheet too sparse to load whole: each piece holds ~2 million cells
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
# a piece of a sheet too sparse to load whole spans at most this many cells (rows x the sheet's
# columns: calamine allocates them all, ~32 bytes each): 30,000 rows x 500 columns of a wide export,
# 3.5 MB of workbook, check in 3.9-4.3 s this way, against 17.9-21.0 s through openpyxl, with the same report
PIECE_CELLS = 2_500_000

_EMPTY_SHEET = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<sheetData/></worksheet>")


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


Extent = tuple[int, int, int, int, int]  # highest column, lowest row, highest row, cells without a reference, cells


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
        self._bound: tuple[int, int] | None = None  # (``bound``)
        self._loaded: list[Future[Piece]] = []  # the early pieces after the first, loading or loaded
        self._ahead = AHEAD

    # -- while the pre-checks scan the sheet ----------------------------------------------------
    def window(self, data: bytes, extent: Extent) -> None:
        """The next window of the sheet's bytes, checked by the scan, and the extent of its cells."""
        if not self._early:
            return
        seen = _merge(self._extent, extent)
        if not _safe(seen) or self._as_values():
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
                future = self._pool.submit(_load, workbook, self.plan.name, self._count, marker)
                self._queue.put_nowait(future)
                if self._count:
                    self._loaded.append(future)
                self._count += 1
        except Exception:  # no thread to be had: no pieces (the reader loads the sheet whole)
            self._early = False
            self.broken = True
            return
        if self._count >= EARLY:  # never wait here: nobody takes pieces before the scan ends
            self._early = False

    def _as_values(self) -> bool:
        """Whether an early piece after the first has loaded as Python values (its columns mix
        kinds of cells): the pieces cut early wait, loaded, until the scan ends, and as Python
        values each holds an object per cell (as rows, of its rows x columns: a 90,000-row export
        of 500 columns, its custom ones mixing numbers and text, held 22 so, ~480 MiB; as
        ``Sparse`` columns, of its cells that hold something: a dense sheet's are as many); the
        rest are cut after the scan, as many waiting as ``AHEAD`` lets."""
        for future in self._loaded:
            if future.done() and future.exception() is None:
                piece = future.result()
                if piece.values or (piece.typed is None and piece.rows):
                    return True
        return False

    def _layout(self) -> _StoredZip:
        if self._zip is None:
            self._zip = _StoredZip(self._other_parts(), self.plan.part)
        return self._zip

    # -- after the pre-checks -------------------------------------------------------------------
    def bound(self, columns: int, rows: int) -> None:
        """The sheet is too sparse for calamine to load whole (``xlsx_scan.whole_safe``): the pieces
        cut from here on span ``PIECE_CELLS`` cells at most (of ``columns``; the ones cut while
        the scan went were bounded by its test, as a whole sheet is), sized for that from the
        sheet's bytes a row (``rows``: its last); a piece past it ends the pieces, and the reader
        reads on with openpyxl."""
        self._bound = (max(1, columns), PIECE_CELLS)
        self._ahead = SPARSE_AHEAD  # (each loaded in calamine at up to PIECE_CELLS cells)
        try:
            per_row = self.zf.getinfo(self.plan.part).file_size / max(1, rows)
        except KeyError:
            return
        wanted = int(0.8 * PIECE_CELLS / max(1, columns) * per_row)
        self._cutter.size = min(self._cutter.size, max(64 << 10, wanted))  # (64 KB at least: a row may be long)

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
            if self._queue.qsize() >= self._ahead:  # (the early pieces may fill it past AHEAD)
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
        load = _typed_only if self._bound is not None else _load
        try:
            for workbook, marker in self._rest():
                if self._stop.is_set():
                    return
                if not self._put(self._pool.submit(load, workbook, self.plan.name, self._count, marker)):
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
        cutter = _Cutter(min(early.target, early.size), early.size)
        cutter.head, cutter.consumed, cutter.cut = early.head, early.consumed, early.cut
        cutter.bound = self._bound
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


def _typed_only(data: bytes, name: str, index: int, marker: int | None = None) -> Piece:
    """``_load`` of a piece of a sheet too sparse to load whole: one after the first given as rows
    of Python values (no marker row: not kept by column) ends the pieces, and openpyxl reads on.
    As rows, every cell of its rows x columns is an object in a list: a 500-column export checked
    at 480-490 MiB so. A piece whose columns mix kinds of cells (numbers and text), which fastexcel
    does not type, comes as ``Sparse`` columns, only the cells that hold something: a 40,000-row
    export of that kind checks in 10.1-10.3 s at 365-374 MiB, against 27.9 s through openpyxl."""
    piece = _load(data, name, index, marker)
    if index and piece.typed is None and piece.rows:
        raise PiecesFailed("a piece of a sparse sheet given as rows of values")
    return piece


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

    def offers(self, name: str | None) -> bool:
        """Whether there are pieces of sheet ``name`` to adopt."""
        return self.pieces is not None and self.pieces.plan.name == name and not self.pieces.broken

    def adopt(self, name: str | None, engine: str, ordered: bool,
              bound: tuple[int, int] | None = None) -> Pieces | None:
        """The pieces of sheet ``name``, begun, where calamine reads it and its cells' rows never go
        down (``SheetScan.ordered``); else None (all released). ``bound``: (columns, rows) of a
        sheet too sparse to load whole (``Pieces.bound``)."""
        pieces, self.pieces = self.pieces, None
        if pieces is None:
            return None
        if engine != "calamine" or name != pieces.plan.name or not ordered or pieces.broken:
            pieces.close()
            return None
        try:
            if bound is not None:
                pieces.bound(*bound)
            pieces.begin()
        except Exception:  # no thread to be had: the reader loads the sheet whole
            pieces.close()
            return None
        return pieces

    def close(self) -> None:
        if self.pieces is not None:
            self.pieces.close()
            self.pieces = None
