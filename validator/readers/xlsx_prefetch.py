"""Reading a workbook ahead, while the command line is still importing pandas and the rules.

python-calamine parses a whole sheet before it yields the first row (about 0.7 s for 100,000
rows x 13 columns), and it does so without holding the GIL. The command line knows the files
of a check before it imports the heavy modules (about 0.3 s), so ``start`` runs, on a
background thread, exactly what the XLSX reader would run first: the container and XML
pre-checks of ``xlsx_scan`` (the gate that must pass before calamine may touch the file),
the engine choice, and, where that choice is calamine, calamine's load of the chosen sheet.

``take`` hands that work to the reader that opens the same file later: same device, inode,
size and modification time as when the thread opened it, or nothing. Anything that fails or
refuses on the thread is dropped, and the reader then does the work itself and reports it the
usual way, so a prefetch can change the time a check takes, never its outcome. Only this module's
own imports (stdlib, numpy, defusedxml, python-calamine) run on the thread.
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
    """What the reader would have built first: the open ZIP over the thread's own file handle,
    the pre-check's result, the engine chosen, and calamine's workbook and loaded sheet."""

    stream: IO[bytes]
    zf: zipfile.ZipFile
    scan: Any  # xlsx_scan.WorkbookScan
    engine: str
    handle: Any = None  # python_calamine.CalamineWorkbook
    sheet: Any = None  # python_calamine.CalamineSheet of scan.chosen

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self.handle is not None:
                self.handle.close()
        with contextlib.suppress(Exception):
            self.zf.close()
        with contextlib.suppress(Exception):
            self.stream.close()


class _Entry:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Prefetched | None = None
        self.dropped = False  # nobody will take it: the thread closes what it made


_LOCK = threading.Lock()
_ENTRIES: dict[Identity, _Entry] = {}


def identity(st: os.stat_result) -> Identity:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def start(path: str | os.PathLike[str]) -> bool:
    """Begin the pre-check and sheet load of the workbook at ``path`` on a background thread.
    Does nothing (False) unless it is a regular file of at least MIN_BYTES starting like a ZIP."""
    try:  # never blocks: a FIFO or device is opened without waiting, then left alone
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError, TypeError):
        return False
    try:
        stream = os.fdopen(fd, "rb")
    except Exception:
        os.close(fd)
        return False
    try:
        st = os.fstat(stream.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size < MIN_BYTES or stream.read(4) != _MAGIC:
            stream.close()
            return False
        key = identity(st)
        entry = _Entry()
        with _LOCK:
            if key in _ENTRIES:
                stream.close()
                return False
            _ENTRIES[key] = entry
        threading.Thread(target=_load, args=(stream, st.st_size, key, entry), name="xlsx-prefetch",
                         daemon=True).start()
        return True
    except Exception:
        stream.close()
        return False


def _load(stream: IO[bytes], size: int, key: Identity, entry: _Entry) -> None:
    made: Prefetched | None = None
    zf: zipfile.ZipFile | None = None
    try:
        from validator.readers.xlsx_scan import choose_engine, open_zip, scan_workbook

        zf = open_zip(stream, size)
        scan = scan_workbook(zf)
        if scan.chosen is None:  # refused by the reader: nothing worth handing over
            raise LookupError("no worksheet")
        engine = choose_engine(scan.scan)
        made = Prefetched(stream, zf, scan, engine)
        if engine == "calamine":
            from python_calamine import CalamineWorkbook

            stream.seek(0)
            made.handle = CalamineWorkbook.from_filelike(stream)
            made.sheet = made.handle.get_sheet_by_name(scan.chosen.name)
        if identity(os.fstat(stream.fileno())) != key:  # changed while it was read: not the same file
            raise OSError("changed")
    except BaseException:  # a refusal, a bad file, memory: the reader will meet it again itself
        if made is not None:
            made.close()
        else:
            if zf is not None:
                with contextlib.suppress(Exception):
                    zf.close()
            with contextlib.suppress(Exception):
                stream.close()
        made = None
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
