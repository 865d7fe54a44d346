"""Pick a reader by what the file really is (its first bytes), not by its name."""

from __future__ import annotations

import errno
import functools
import io
import os
import stat
from collections.abc import Callable
from typing import IO, Any

from validator.context import FileContext, ImportContext, mapped_names, title_above
from validator.findings import ValidatorError
from validator.readers.base import Reader, ReaderNotes, RecordHasher, TitleLook
from validator.readers.sniff import HEAD_BYTES, Sniff, sniff
from validator.sources import open_binary

TEXT_ENCODINGS = {"utf-8": "utf-8", "utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be",
                  "utf-32-le": "utf-32-le", "utf-32-be": "utf-32-be"}


def caller_read(read: Callable[[], Any]) -> Any:
    """``read()`` of a caller's stream, which fails in its own ways: a truncated gzip, bz2 or
    lzma stream with EOFError, a corrupt one with zlib.error or LZMAError, a file closed under
    it with ValueError. Any such failure is an OSError here, so that the input is refused as a
    file that cannot be read is (``cannot read: EOFError: ...``), not raised out of the check."""
    try:
        return read()
    except (OSError, MemoryError):
        raise
    except Exception as exc:
        raise OSError(f"{type(exc).__name__}: {exc}") from exc


def ready(data: Any) -> Any:
    """What a read returned, or BlockingIOError where it returned None: a non-blocking stream
    with nothing ready says so, and taking it for the end of the file would check part of it."""
    if data is None:
        raise BlockingIOError(errno.EAGAIN, "the stream has no data ready (a non-blocking stream); "
                                            "give a blocking one")
    return data


def read_into(stream: IO[bytes], into: memoryview) -> int:
    """``stream.readinto(into)``, or a read copied in where the stream has no ``readinto``. None
    (a non-blocking stream with no bytes yet) is no end of file: an OSError, as ``read`` giving it."""
    readinto = getattr(stream, "readinto", None)
    if readinto is not None:
        return int(ready(readinto(into)))
    data = given_bytes(stream.read(len(into)))
    into[: len(data)] = data
    return len(data)


def given_bytes(data: Any) -> bytes:
    """What a caller's ``read()`` gave, as bytes (a bytearray or memoryview too); anything else
    is a file that cannot be read, as OSError: None from a non-blocking stream (``ready``), text.
    Text from the first read is a file open in text mode (``open_reader``), misuse."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise OSError(f"read() gave {type(ready(data)).__name__}, not bytes")


class CallerStream:
    """A caller's seekable stream as the workbook readers read it (``zipfile``, calamine):
    what its reads and seeks fail with is an OSError (``caller_read``), and a read that gives
    anything but bytes is one too (``given_bytes``). Never closed here: it is the caller's.

    ``failed`` keeps the first such failure: ``zipfile`` turns an OSError into "not a zip file"
    and the container checks refuse what they cannot inflate as a bad ZIP, so they ask the
    stream first (``xlsx_container.stream_failure``), and the file is refused as the CSV path
    refuses it (``cannot read: read() gave str, not bytes``), not as a corrupt workbook."""

    def __init__(self, stream: IO[bytes]):
        self.stream = stream
        self.failed: OSError | None = None

    def _call(self, call: Callable[[], Any]) -> Any:
        try:
            return caller_read(call)
        except OSError as exc:
            if self.failed is None:
                self.failed = exc
            raise

    def read(self, size: int | None = -1) -> bytes:
        return bytes(self._call(lambda: given_bytes(self.stream.read(-1 if size is None else size))))

    def readinto(self, into: memoryview) -> int:
        return int(self._call(lambda: read_into(self.stream, into)))

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        try:
            return int(caller_read(lambda: self.stream.seek(offset, whence)))
        except OSError as exc:
            # a seek before the start (zipfile's 22 bytes back from the end of a shorter file)
            # fails with EINVAL, an answer zipfile takes for "not a zip file": no failure of the stream
            if exc.errno != errno.EINVAL and self.failed is None:
                self.failed = exc
            raise

    def tell(self) -> int:
        return int(self._call(self.stream.tell))

    def fileno(self) -> int:  # (a prefetched workbook is found by its file)
        return self.stream.fileno()

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        pass


class Prefixed:
    """A stream whose first bytes were already read for sniffing: replays them, then the rest.

    Given ``opened`` (the fstat of the file when it was opened) it stops at the size seen then,
    so a file that grows while it is read (an export still being written) is checked as it was
    at open; at that end it fstats the same descriptor again and, when size or mtime moved,
    records ``notes.extra["changed"] = (size at open, size now)`` (HS610 reports it).
    """

    def __init__(self, head: bytes | bytearray | memoryview, rest: IO[bytes], owned: bool,
                 opened: os.stat_result | None = None, notes: ReaderNotes | None = None):
        # a view: taking a read's bytes off its front copies those bytes only (``head[size:]`` of
        # bytes copied the rest each time, so 100 MB handed on cost 100 reads of up to 100 MB)
        self.head = memoryview(head)
        self.rest = rest
        self.owned = owned
        self.opened = opened
        self.notes = notes
        self.left = None if opened is None else max(opened.st_size - len(head), 0)
        self.compared = False

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size < 0 or size >= len(self.head):
                out, self.head = self.head, memoryview(b"")
                more = self._more(-1 if size < 0 else size - len(out))
                return out.tobytes() + more
            out, self.head = self.head[:size], self.head[size:]
            return out.tobytes()
        return self._more(size)

    def bytes_left(self) -> int | None:
        """The bytes still to read, where the size is known (a file: its size at open)."""
        return None if self.left is None else len(self.head) + self.left

    def readinto(self, into: memoryview) -> int:
        """``read`` into a caller's buffer (no bytes object made for the rest of the file where
        the underlying stream has ``readinto`` too)."""
        n = 0
        if self.head:
            n = min(len(self.head), len(into))
            into[:n] = self.head[:n]
            self.head = self.head[n:]
            if n == len(into):
                return n
        size = len(into) - n
        if self.left is None:
            return n + self._read(lambda: read_into(self.rest, into[n:]))
        want = min(size, self.left)
        got = self._read(lambda: read_into(self.rest, into[n: n + want])) if want else 0
        self._counted(got, want)
        return n + got

    def _counted(self, got: int, want: int) -> None:
        """``got`` of the ``want`` bytes asked for were read: at the size seen at open (or a
        short read), compare the file with what it was then."""
        assert self.left is not None
        self.left -= got
        if got < want or not self.left:
            self._compare()

    def _read(self, read: Callable[[], Any]) -> Any:
        return read() if self.owned else caller_read(read)

    def _more(self, size: int) -> bytes:
        if self.left is None:
            return self._read(lambda: given_bytes(self.rest.read(size)))
        want = self.left if size < 0 else min(size, self.left)
        data = self._read(lambda: given_bytes(self.rest.read(want))) if want else b""
        self._counted(len(data), want)
        return data

    def _compare(self) -> None:
        if self.compared or self.opened is None or self.notes is None:
            return
        self.compared = True
        try:
            now = os.fstat(self.rest.fileno())
        except (OSError, ValueError, AttributeError):
            return
        if (now.st_size, now.st_mtime_ns) != (self.opened.st_size, self.opened.st_mtime_ns):
            self.notes.extra["changed"] = (self.opened.st_size, now.st_size)

    def close(self) -> None:
        if self.owned:
            self.rest.close()


FAST_MIN_BYTES = 1 << 20  # below this the exact reader is as quick and starts sooner


# about this much text per chunk, so that memory does not grow with row width (14 MiB: a 28-column
# file at HubSpot's 512 MB peaked 10-20 MiB lower than with 16, up to 385 MiB then, for ~1-3% more CPU)
CHUNK_BYTES = 14 << 20
# the fast CSV reader joins each column of a chunk of rows of fewer than JOIN_BELOW cells into one
# piece (``csv_fast_pending``), a copy the chunk holds: with 2 MiB less text a chunk, the 28-column
# file peaks where it did (335-352 MiB, against 337-357 in pieces of 14 MiB), for 5-6% less CPU
JOINED_CHUNK_BYTES = 12 << 20
JOIN_BELOW = 64
MIN_CHUNK_ROWS = 1024
# and a cell counts as at least this many bytes of text: each takes memory of its own, whatever its
# length (8 bytes of Arrow offsets, a byte screen's 6, the rules' masks), so a wide file of short or
# empty cells (a CRM export of 500 columns, most of them empty) held ten times the cells a chunk of
# the 28-column file holds: 40,000 such rows (27 MB) peaked at 517-532 MiB, 322-326 MiB now
CELL_BYTES = 10
_DELIMITERS = (b",", b";", b"\t", b"|")


def rows_per_chunk(head: bytes, chunk_rows: int) -> int:
    """Rows per chunk for a text file: ``chunk_rows``, fewer where the rows sampled at the head
    of the file are long, or hold many cells (findings do not depend on where chunks are cut).
    A row's cells are counted by its most frequent delimiter (quoted ones too: fewer rows)."""
    lines = max(head.count(b"\n"), head.count(b"\r")) or 1  # \r alone ends lines in old Mac files
    cells = max(head.count(d) for d in _DELIMITERS) // lines + 1
    per_row = max(1, len(head) // lines, CELL_BYTES * cells)
    budget = JOINED_CHUNK_BYTES if cells < JOIN_BELOW else CHUNK_BYTES
    return max(1, min(chunk_rows, max(MIN_CHUNK_ROWS, budget // per_row)))


def _regular_at_start(stream: Any) -> os.stat_result | None:
    """The fstat of a caller's file object that is a regular file read from its start (an
    ``open()``-ed file, the CLI's copy of stdin): its size is known, as for a file opened here,
    so it may take the fast path. None for anything else (a BytesIO, a pipe, a socket, and a
    stream that reads other bytes than its descriptor's: a gzip, bz2 or lzma file object's
    descriptor is the compressed file's, whose size would cut the data short)."""
    raw = getattr(stream, "raw", stream)
    if not isinstance(raw, io.FileIO) or not isinstance(stream, (io.FileIO, io.BufferedReader, io.BufferedRandom)):
        return None
    try:
        if stream.tell() != 0:
            return None
        opened = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError and a ValueError
        return None
    return opened if stat.S_ISREG(opened.st_mode) else None


def open_reader(fctx: FileContext, ctx: ImportContext, chunk_rows: int, reader: str = "auto",
                record_hasher: RecordHasher | None = None) -> Reader | None:
    """Open the file behind ``fctx``, sniff it, and return a reader (None if unreadable).

    Sets ``fctx.sniff`` and ``fctx.unreadable``. Raises Refused for inputs we will not read.
    ``record_hasher``: the fast CSV reader hashes records with it (Chunk.record_hashes).
    """
    stream, owned = open_binary(fctx.lookup)
    try:
        opened = os.fstat(stream.fileno()) if owned else _regular_at_start(stream)
        size = opened.st_size if opened is not None else None
        known = size if size is not None or owned else _buffer_size(stream)
        head = stream.read(HEAD_BYTES) if owned else caller_read(lambda: stream.read(HEAD_BYTES))
        if isinstance(head, str):  # (its read(0) gave bytes, which validate() asked it for)
            raise ValidatorError(f"the file for {fctx.name!r} is open in text mode; open it with 'rb'")
        head = given_bytes(head)
        if size is not None:
            head = head[:size]  # bytes written after the open are not checked (Prefixed)
    except BaseException:
        if owned:
            stream.close()
        raise
    fctx.sniff = sniffed = sniff(head)
    fctx.notes.extra["size"] = known
    if owned and opened is not None:  # (a second read, of rows named late, tells the same file by it)
        fctx.notes.extra["identity"] = (opened.st_dev, opened.st_ino, opened.st_size, opened.st_mtime_ns)
    source = Prefixed(head, stream, owned, opened, fctx.notes)
    if sniffed.is_text:
        chunk_rows = rows_per_chunk(head, chunk_rows)
        why = _exact_why(reader, sniffed, fctx, size)
        if why is None:
            return _csv_fast(source, sniffed, fctx, ctx, chunk_rows, record_hasher)
        fctx.notes.extra["reader_why"] = why  # (check --verbose says it)
        return _csv(source, sniffed, fctx, ctx, chunk_rows)
    if sniffed.kind in ("zip", "ole") and _declared_spreadsheet(fctx) and _seekable(stream):
        book: IO[bytes] = stream if owned else CallerStream(stream)  # type: ignore[assignment]
        return _spreadsheet(book, sniffed, fctx, ctx, chunk_rows, size, owned)
    source.close()
    fctx.unreadable = sniffed.description
    if known is None and not owned:
        rest = _rest_size(stream)
        fctx.notes.extra["size"] = None if rest is None else len(head) + rest
    fctx.notes.bytes = len(head)  # what was read (the report gives the size, where known)
    return None


def _buffer_size(stream: Any) -> int | None:
    """The bytes from where a caller's BytesIO stands to its end (bytes given to ``validate``
    are one), read off its buffer; None for other streams, whose size costs a seek."""
    if not isinstance(stream, io.BytesIO):
        return None
    try:
        with stream.getbuffer() as view:
            return max(view.nbytes - stream.tell(), 0)
    except (BufferError, ValueError):
        return None


def _rest_size(stream: Any) -> int | None:
    """The bytes left in a caller's seekable stream, sought to its end and back (only for a file
    not read: a compressed stream finds its end by reading it); None where it cannot tell."""
    if not _seekable(stream):
        return None
    try:
        here = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(here)
    except Exception:  # (a caller's stream fails in its own ways; its size is only reported)
        return None
    return end - here if isinstance(end, int) and isinstance(here, int) and end >= here else None


def _title_look(fctx: FileContext, ctx: ImportContext) -> TitleLook | None:
    """How a CSV reader looks below a line 1 with no delimiter for a title's header (TitleLook):
    HS608's test, as far down as its rows; None without a header row or a mapped name."""
    wanted = mapped_names(fctx.spec.columns) if fctx.spec.has_header else set()
    return TitleLook(ctx.title_rows, functools.partial(title_above, wanted)) if wanted else None


def _csv(source: Prefixed, sniffed: Sniff, fctx: FileContext, ctx: ImportContext, chunk_rows: int) -> Reader:
    from validator.readers.csv_exact import CsvReader

    notes = fctx.notes
    encoding = TEXT_ENCODINGS.get(sniffed.bom_encoding or sniffed.nul_pattern or "utf-8", "utf-8")
    skip = len(sniffed.bom)
    if skip:
        source.read(skip)
    notes.bom = bool(skip)
    notes.encoding = encoding
    mapped = len(fctx.spec.columns) or None
    try:
        return CsvReader(source, notes, has_header=fctx.spec.has_header,  # type: ignore[arg-type]
                         expected_columns=mapped if not fctx.spec.has_header else None,
                         chunk_rows=chunk_rows, encoding=encoding, skip=skip,
                         delimiter_hint=mapped, title=_title_look(fctx, ctx))
    except BaseException:
        source.close()
        raise


def _seekable(stream: IO[bytes]) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _spreadsheet(stream: IO[bytes], sniffed: Sniff, fctx: FileContext, ctx: ImportContext, chunk_rows: int,
                 size: int | None, owned: bool) -> Reader:
    """A workbook: pre-checked container and XML, then one worksheet (readers/xlsx.py); or an
    Excel 97-2003 workbook in an OLE2 compound file (readers/xls.py)."""
    from validator.readers.xlsx_scan import ole_refusal

    try:
        if size is None:
            size = stream.seek(0, os.SEEK_END)
            fctx.notes.extra["size"] = size
        mapped = len(fctx.spec.columns) or None
        options: dict[str, Any] = dict(size=size, has_header=fctx.spec.has_header,
                                       expected_columns=mapped if not fctx.spec.has_header else None,
                                       chunk_rows=chunk_rows, date_format=ctx.spec.date_format, owned=owned)
        reader: Reader
        if sniffed.kind == "ole":
            refused = ole_refusal(stream, size)
            if refused is not None:
                raise refused
            from validator.readers.xls import XlsReader

            reader = XlsReader(stream, fctx.notes, **options)
        else:
            from validator.readers.xlsx import XlsxReader

            reader = XlsxReader(stream, fctx.notes, **options)
    except BaseException:
        if owned:
            stream.close()
        raise
    fctx.sheet = fctx.notes.sheet
    return reader


def _declared_spreadsheet(fctx: FileContext) -> bool:
    """Read a workbook only where the request says SPREADSHEET (or, with no fileFormat, the name
    is not .csv): a workbook sent as CSV is a mismatch that the request rules report."""
    declared = fctx.spec.file_format
    if declared is not None:
        return declared == "SPREADSHEET"
    return not fctx.name.lower().endswith(".csv")


# -- fast CSV path (pyarrow); it hands any part it cannot read exactly to the exact reader ----
def _exact_why(reader: str, sniffed: Sniff, fctx: FileContext, size: int | None) -> str | None:
    """Why the exact reader reads a text file; None where the fast one may. reader: auto (fast
    for UTF-8 files with a header over FAST_MIN_BYTES) | fast | exact."""
    if reader == "exact":
        return "the exact reader was asked for"
    if not fctx.spec.has_header:
        return "no header row (hasHeader false)"
    if sniffed.nul_pattern or sniffed.bom_encoding not in (None, "utf-8"):
        return f"{(sniffed.nul_pattern or sniffed.bom_encoding or '').upper()} text: the fast reader reads UTF-8"
    if reader == "fast":
        return None
    if size is None:
        return "a stream of unknown size"
    return f"under {FAST_MIN_BYTES >> 20} MiB, where it is as quick" if size < FAST_MIN_BYTES else None


def _csv_fast(source: Prefixed, sniffed: Sniff, fctx: FileContext, ctx: ImportContext, chunk_rows: int,
              record_hasher: RecordHasher | None = None) -> Reader:
    from validator.readers.csv_fast import FastCsvReader

    notes = fctx.notes
    skip = len(sniffed.bom)
    if skip:
        source.read(skip)
    notes.bom = bool(skip)
    notes.encoding = "utf-8"
    try:
        return FastCsvReader(source, notes, chunk_rows=chunk_rows, skip=skip,  # type: ignore[arg-type]
                             delimiter_hint=len(fctx.spec.columns) or None, record_hasher=record_hasher,
                             title=_title_look(fctx, ctx))
    except BaseException:
        source.close()
        raise
