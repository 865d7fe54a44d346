"""Reading a workbook ahead, while the command line is still importing pandas and the rules.

python-calamine parses a whole sheet before it yields the first row (about 0.7 s for 100,000
rows x 13 columns), and it does so without holding the GIL. The command line knows the files
of a check before it imports the heavy modules (about 0.3 s), so ``start`` runs exactly what
the XLSX reader would run first: the container and XML pre-checks of ``xlsx_scan`` (the gate
that must pass before calamine may touch the file; Python work, done at once) and the engine
choice, then, where that choice is calamine, calamine's load of the chosen sheet on a
background thread while the imports go on.

``take`` hands that work to the reader that opens the same file later: same device, inode,
size and modification time as when it was opened here, or nothing. A refusal of the
pre-checks is handed over as such (the reader raises it: the same checks on the same bytes);
anything else that fails here is dropped, and the reader does the work itself and reports it
the usual way, so a prefetch can change the time a check takes, never its outcome. Only
light modules load here (stdlib, numpy, defusedxml, python-calamine), never pandas.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
import zipfile
from dataclasses import dataclass
from typing import IO, Any

MIN_BYTES = 1 << 20  # smaller workbooks load in well under the imports' time: not worth a thread
_MAGIC = b"PK\x03\x04"

Identity = tuple[int, int, int, int]


@dataclass(slots=True)
class Prefetched:
    """What the reader would have built first: the open ZIP over this module's own file handle,
    the pre-checks' result, the engine chosen, and calamine's workbook and loaded sheet; or the
    refusal the pre-checks ended in."""

    stream: IO[bytes] | None
    zf: zipfile.ZipFile | None
    scan: Any  # xlsx_scan.WorkbookScan
    engine: str
    handle: Any = None  # python_calamine.CalamineWorkbook
    sheet: Any = None  # python_calamine.CalamineSheet of scan.chosen
    refused: Exception | None = None  # readers.errors.Refused
    pieces: Any = None  # xlsx_pieces.Pieces of scan.chosen, loading (instead of handle and sheet)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self.pieces is not None:
                self.pieces.close()
        with contextlib.suppress(Exception):
            if self.handle is not None:
                self.handle.close()
        with contextlib.suppress(Exception):
            if self.zf is not None:
                self.zf.close()
        with contextlib.suppress(Exception):
            if self.stream is not None:
                self.stream.close()


class _Entry:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Prefetched | None = None
        self.dropped = False  # nobody will take it: the thread closes what it made


_LOCK = threading.Lock()
_ENTRIES: dict[Identity, _Entry] = {}


def _forked() -> None:
    """A forked child has none of the loading threads, and shares the file offsets of what was
    opened: it starts with nothing prefetched, and a lock of its own."""
    global _LOCK
    _LOCK = threading.Lock()
    _ENTRIES.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forked)


def identity(st: os.stat_result) -> Identity:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def start(path: str | os.PathLike[str]) -> bool:
    """Run the pre-checks of the workbook at ``path`` now, then start calamine's load of the chosen
    sheet on a background thread (the pre-checks hold the GIL; calamine does not, so it overlaps
    with the imports that follow). Does nothing (False) unless ``path`` is a regular file, not a
    symbolic link, of at least MIN_BYTES that starts like a ZIP. A refusal is kept for the reader
    to raise."""
    from validator.readers.errors import Refused

    try:  # never blocks (a FIFO or device is opened without waiting, then left alone) and never
        # follows a symbolic link: one may point outside the request's folder, which is not read
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
                     | getattr(os, "O_NOFOLLOW", 0))
    except (OSError, ValueError, TypeError):
        return False
    try:
        stream = os.fdopen(fd, "rb")
    except Exception:
        os.close(fd)
        return False
    zf: zipfile.ZipFile | None = None
    try:
        st = os.fstat(stream.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size < MIN_BYTES or stream.read(4) != _MAGIC:
            stream.close()
            return False
        key = identity(st)
        with _LOCK:
            if key in _ENTRIES:
                stream.close()
                return False
        from validator.readers import xlsx_pieces
        from validator.readers.xlsx_scan import choose_engine, open_zip, scan_workbook, whole_safe

        entry = _Entry()
        speculation: xlsx_pieces.Speculation | None = None
        try:
            zf = open_zip(stream, st.st_size)
            speculation = xlsx_pieces.Speculation(zf)
            scan = scan_workbook(zf, early=speculation.sink)
        except Refused as exc:
            if speculation is not None:
                speculation.close()
            _close(None, zf, stream)
            entry.result = Prefetched(None, None, None, "", refused=exc)
            entry.done.set()
            _register(key, entry)
            return True
        if scan.chosen is None:  # the reader refuses that itself; nothing worth handing over
            speculation.close()
            _close(None, zf, stream)
            return False
        sheet = scan.scan
        made = Prefetched(stream, zf, scan, choose_engine(sheet, pieces=speculation.offers(scan.chosen.name)))
        made.pieces = speculation.adopt(scan.chosen.name, made.engine, sheet.ordered,
                                        None if whole_safe(sheet) else (sheet.max_col, sheet.max_row))
        if made.pieces is None and not whole_safe(sheet):  # (too sparse for calamine's whole load)
            made.engine = "openpyxl"
        if made.engine != "calamine" or made.pieces is not None:  # pieces: loading on threads of their own
            _register(key, entry)
            _finish(entry, made)
            return True
        loader = threading.Thread(target=_load, args=(made, key, entry), name="xlsx-prefetch", daemon=True)
        loader.start()  # may fail (no thread to be had): then nothing is registered, nothing waits
        _register(key, entry)
        return True
    except Exception:  # a file that cannot even be looked at: the reader meets it again itself
        _close(None, zf, stream)
        return False


def _register(key: Identity, entry: _Entry) -> None:
    with _LOCK:
        _ENTRIES[key] = entry


def _close(made: Prefetched | None, zf: zipfile.ZipFile | None, stream: IO[bytes] | None) -> None:
    if made is not None:
        made.close()
        return
    with contextlib.suppress(Exception):
        if zf is not None:
            zf.close()
    with contextlib.suppress(Exception):
        if stream is not None:
            stream.close()


def _load(made: Prefetched, key: Identity, entry: _Entry) -> None:
    """calamine's load of the sheet the pre-checks chose (the pre-checks passed: it is safe)."""
    try:
        from python_calamine import CalamineWorkbook

        assert made.stream is not None and made.scan is not None
        made.stream.seek(0)
        made.handle = CalamineWorkbook.from_filelike(made.stream)
        made.sheet = made.handle.get_sheet_by_name(made.scan.chosen.name)
        if identity(os.fstat(made.stream.fileno())) != key:  # changed while it was read
            raise OSError("changed")
    except BaseException:  # a bad sheet, memory: the reader will meet it again itself
        made.close()
        _finish(entry, None)
        return
    _finish(entry, made)


def _finish(entry: _Entry, made: Prefetched | None) -> None:
    with _LOCK:
        entry.result = made
        drop = entry.dropped
        entry.done.set()
    if drop and made is not None:
        made.close()


def take(stream: IO[bytes]) -> Prefetched | None:
    """The prefetched work for the file open as ``stream``, waiting for the thread if it is still
    loading; None when nothing was started for that very file or the thread gave up."""
    try:
        key = identity(os.fstat(stream.fileno()))
    except (AttributeError, OSError, ValueError, TypeError):
        return None  # an in-memory or foreign stream: never prefetched
    with _LOCK:
        entry = _ENTRIES.pop(key, None)
    if entry is None:
        return None
    entry.done.wait()
    return entry.result


def drop_all() -> None:
    """Release whatever was prefetched and not taken (a file that turned out not to be read as a
    workbook, or a check that stopped early). A thread still loading closes its work when done."""
    ready: list[Prefetched] = []
    with _LOCK:
        for entry in _ENTRIES.values():
            entry.dropped = True
            if entry.done.is_set() and entry.result is not None:
                ready.append(entry.result)
                entry.result = None
        _ENTRIES.clear()
    for made in ready:
        made.close()


def pending() -> int:
    """Prefetches not taken yet (for tests)."""
    with _LOCK:
        return len(_ENTRIES)
