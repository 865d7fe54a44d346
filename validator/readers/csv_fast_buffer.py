"""The fast CSV reader's bytes: the buffer read from the file, framed a segment at a time.

``_Buffer`` is the base of ``csv_fast.FastCsvReader``: it reads the file into one buffer
(``_fill``), hands its head on without copying where it can (``_take``), frames the next segment
up to a record boundary (``_frame_next``, ``framing.frame``) and accounts for the bytes, line
ends, lines and rows taken (``_consume``). The reader's state is declared here for the classes
built on it (``csv_fast_segment``, ``csv_fast_fallback``, ``csv_fast_pipeline``); the reader's
``__init__`` sets it.
"""

from __future__ import annotations

import contextlib
from typing import BinaryIO

import numpy as np

from validator.readers.base import ReaderNotes, RecordHasher, TitleLook
from validator.readers.csv_exact import DIALECT_SCAN, CsvReader, count_delimiters
from validator.readers.dispatch import read_into
from validator.readers.framing import CR, Anomaly, Framed, first_boundary, frame

MAX_SEGMENT = 64 << 20  # a "record" longer than this is an unclosed quote; the exact path reads it


class _Buffer:
    """The bytes of the file read but not yet taken, and the counters of those taken."""

    # set by FastCsvReader.__init__ (and its _open: delimiter, _delim)
    stream: BinaryIO
    record_hasher: RecordHasher | None
    notes: ReaderNotes
    chunk_rows: int
    skip: int
    segment: int
    _window: int
    fallback: CsvReader | None
    handed_over: int
    _buf: bytes | bytearray
    _eof: bool
    _offset: int
    _line: int
    _row: int
    _eol: int
    _width: int
    delimiter_hint: int | None
    title: TitleLook | None
    delimiter: str
    _delim: int

    _final_newline = True
    # segments not UTF-8 whose parse stopped at a ragged record (``_Segments._complete``): from
    # RAGGED_STOPS on, such segments have their ragged records counted and cut out before the parse
    _ragged_stops = 0

    def _fill(self, want: int) -> None:
        """Read until the buffer holds ``want`` bytes or the file ends: into one new buffer made
        for them, with the bytes left from before (the start of a record, mostly) copied to its
        front. Reading just up to ``want`` (a segment) lets the next segment be the whole buffer,
        handed on without a copy (``_take``)."""
        bytes_left = getattr(self.stream, "bytes_left", None)  # (a Prefixed file knows its size)
        while not self._eof and len(self._buf) < want:
            have = len(self._buf)
            room = max(want - have, self.segment >> 2, 1)
            left = bytes_left() if bytes_left is not None else None
            if left is not None:  # no room past the file's end (+1: the end is seen in this read)
                room = min(room, left + 1)
            new = bytearray(have + room)
            new[:have] = self._buf
            view = memoryview(new)
            try:
                got = read_into(self.stream, view[have:])
            finally:
                view.release()
            if got < room:
                del new[have + got:]
            if not got:
                self._eof = True
            self._buf = new

    def _take(self, size: int) -> bytes | bytearray:
        """The buffer's first ``size`` bytes as an object of their own (which is never changed
        after), the rest left in the buffer, copying the shorter of the two only: after
        ``_fill``, a segment is most of the buffer and the rest the start of one record."""
        buf = self._buf
        if size >= len(buf):
            self._buf = b""
            return buf
        if isinstance(buf, bytearray):
            with contextlib.suppress(BufferError):  # (a view of it still held: copy both below)
                if 2 * size >= len(buf):
                    rest = buf[size:]
                    del buf[size:]  # cut in place: the head is not copied
                    self._buf = rest
                    return buf
                first = buf[:size]
                del buf[:size]  # a bytearray drops its first bytes without moving the rest
                return first
        head, self._buf = buf[:size], buf[size:]
        return head

    def _next_line_counts(self) -> dict[str, int]:
        """The delimiters in the physical line at the buffer's head, counted as the exact reader
        counts them in the line under the header (``ReaderNotes.next_line_counts``): its first
        ``DIALECT_SCAN`` characters, read up to 4 bytes each; {} where the file ends first."""
        most = 4 * DIALECT_SCAN
        while True:
            buf = self._buf
            ends = [i for i in (buf.find(b"\n", 0, most), buf.find(b"\r", 0, most)) if i >= 0]
            if ends or self._eof or len(buf) >= most:
                break
            self._fill(min(most, 2 * len(buf) + 64))
        if not buf:
            return {}
        line = bytes(buf[: min(ends, default=most)]).decode("utf-8", "replace")
        return count_delimiters(line)

    def _frame_next(self, header: bool = False, limit: int | None = None) -> Framed | None:
        """Frame the next segment of the buffer, reading more until a record boundary is in it.

        ``limit``: frame exactly the first ``limit`` bytes (they end on a record boundary).
        """
        want = 1 if header else self.segment
        window = None if header or limit is not None else self._window
        while True:
            self._fill(want)
            if not self._buf:
                return None
            buf = np.frombuffer(self._buf, dtype=np.uint8)
            final = self._eof
            cut_short = False
            if limit is not None:
                buf, final = buf[:limit], True
            elif window is not None and len(buf) > window:  # frame the window only: more follows
                buf, final, cut_short = buf[:window], False, True
            if header:  # frame only through the first record boundary
                cut = first_boundary(buf, self._delim, self._eol)
                if cut is not None:
                    buf, final = buf[:cut], True
            framed = frame(buf, self._delim, self._line, final=final, eol=self._eol)
            if framed is not None:
                return framed
            if cut_short:  # no record ends in the window: widen it before reading more
                window = 2 * (window or 1)
                continue
            if self._eof:
                raise Anomaly("unreachable")
            if len(self._buf) >= MAX_SEGMENT:
                raise Anomaly("no record boundary in the next 64 MB")
            want = len(self._buf) * 2

    def _consume(self, raw: bytes | bytearray, lines: int, rows: int, feeds: int, crlf: int) -> None:
        """Account for ``raw`` (taken from the buffer's head) as read: bytes, line ends, lines, rows."""
        notes = self.notes
        notes.bytes += len(raw)
        self._endings(feeds, crlf, +1)
        self._offset += len(raw)
        self._line = lines
        self._row += rows
        if self._eof and not self._buf and raw:
            self._final_newline = raw.endswith((b"\n", b"\r"))

    def _ending_counts(self, feeds: int, crlf: int) -> dict[str, int]:
        """A piece's line ends by kind: ``feeds`` of the file's kind, ``crlf`` of them after a
        carriage return."""
        return {"\r": feeds} if self._eol == CR else {"\r\n": crlf, "\n": feeds - crlf}

    def _endings(self, feeds: int, crlf: int, sign: int) -> None:
        """Count (sign +1) or uncount (-1) a piece's line ends."""
        endings = self.notes.line_endings
        for kind, n in self._ending_counts(feeds, crlf).items():
            endings[kind] += sign * n
