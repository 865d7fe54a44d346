"""The fast CSV reader's pipeline: segments framed here, parsed on the parser threads, taken in order.

``_Pipeline._pipeline`` keeps IN_FLIGHT framed segments handed to the parser threads
(``_start``) ahead of the one whose rows are taken (``_Segments._complete``), and emits their
rows as chunks (``_Pending``). A problem undoes the segments in flight (``_rewind``) and is
read by the exact reader (``csv_fast_fallback``), the clean records before it fast first; a
file of mostly ragged records is read exactly from there on.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Iterator
from typing import Any

from validator.readers.base import Chunk, RowNote
from validator.readers.csv_fast_fallback import _Fallbacks
from validator.readers.csv_fast_pending import _Pending
from validator.readers.csv_fast_segment import RAGGED_STOPS, _cut, _Flight, _hash_rows, _odd_records, _read, _Segments
from validator.readers.framing import Anomaly, Framed, mostly_quoted, utf8_valid
from validator.readers.text import note_first_endings

IN_FLIGHT = 2  # segments framed and handed to the parser threads ahead of the one whose rows are taken
RAGGED_SWITCH = 1000  # ragged records in one segment, and more than its good ones: the rest goes exact


def _mostly_ragged(notes: list[RowNote], good: int) -> bool:
    """A segment of which most records are ragged (an export that ends every row with a
    delimiter): each costs pyarrow a callback and the csv module a parse, so the exact reader
    alone reads the rest of such a file faster."""
    ragged = sum(1 for n in notes if n.kind == "ragged")
    return ragged >= RAGGED_SWITCH and ragged > good


class _Pipeline(_Segments, _Fallbacks):
    """Frames, parses and takes the segments of the file in order (``_pipeline``)."""

    def _pipeline(self, pool: Any) -> Iterator[Chunk]:
        pending = _Pending(self._width)
        limit: int | None = None
        flights: deque[_Flight] = deque()  # segments handed to the parser threads, in file order
        framing: Anomaly | None = None  # met framing the next segment: handled once those before are in
        ended = False
        while True:
            while framing is None and not ended and len(flights) < IN_FLIGHT:
                try:
                    framed = self._frame_next(limit=limit)
                    limit = None
                    if framed is None:
                        ended = True
                    else:
                        flights.append(self._start(framed, pool))
                        self._window = min(2 * self._window, self.segment)
                except Anomaly as exc:  # (its traceback would keep the framed buffer alive while read exactly)
                    framing, limit = exc.with_traceback(None), None
            error: Anomaly | None = None
            if flights:
                flight = flights.popleft()
                try:
                    part = self._complete(flight)
                except Anomaly as exc:
                    self._rewind_all(flights)
                    self._rewind(flight)
                    error, framing, ended = exc, None, False  # the later segments are framed again
                else:
                    note_first_endings(self.notes, flight.raw, flight.line,
                                       self._ending_counts(flight.framed.newlines, flight.framed.crlf))
                    pending.add(*part)
                    yield from pending.flush(self.chunk_rows, final=False)
                    if _mostly_ragged(part[3], part[0].num_rows):  # the csv module alone reads these faster
                        self._rewind_all(flights)
                        yield from self._exact_rest(pending)
                        return
                    continue
            else:
                error, framing = framing, None
            if error is not None:
                start = self._record_start(error.at) if error.at else 0
                if start > 0:  # the records before the problem are clean: read them fast first
                    limit = start
                    continue
                exact = self._exact_piece(error, pending)  # (framing then resumes in small windows)
                if exact is None:
                    yield from self._exact_rest(pending)
                    return
                yield from exact
                continue
            break
        yield from pending.flush(self.chunk_rows, final=True)
        self._finish()

    def _rewind_all(self, flights: deque[_Flight]) -> None:
        """Undo the ``_start`` of every segment in flight, the last one first."""
        while flights:
            self._rewind(flights.pop())

    def _finish(self) -> None:
        notes = self.notes
        notes.records = self._row - 1
        notes.lines = self._line
        notes.final_newline = self._final_newline

    _hashed = False  # a segment was handed to the parser (the record hasher was decided on)

    def _start(self, framed: Framed, pool: Any) -> _Flight:
        """Check a framed segment's bytes, hand it to the parser thread, and move past it."""
        raw = self._take(framed.size)
        try:
            binary = self._binary(raw, framed)
        except Anomaly:
            self._buf = raw + self._buf  # not read after all: the caller looks at these bytes again
            raise
        invalid: list[tuple[int, int]] = []

        def handler(row: Any) -> str:
            invalid.append((row.number, row.actual_columns))
            return "skip"

        parsed: bytes | bytearray = raw
        if binary and self._ragged_stops >= RAGGED_STOPS:  # its ragged records cut out, noted here
            odd = _odd_records(raw, framed, self._delim, self._width)
            if odd:
                parsed, invalid = _cut(raw, framed, odd)
        # a segment that is not UTF-8 has no handler: pyarrow would decode a ragged row's text to
        # hand it over (and print the error where it is not UTF-8); it stops at the row instead
        future = pool.submit(_read, parsed, self._width, self.delimiter, None if binary else handler, binary)
        if self.record_hasher is not None and not self._hashed and mostly_quoted(framed):
            # a file that quotes every value: its rows are hashed cell by cell (the rule's own
            # way; it takes the way of the file's first chunk), faster than written out
            self.record_hasher = None
        self._hashed = True
        hashes = None
        if self.record_hasher is not None:  # (a binary segment's records: their bytes as read, bad ones too)
            hashes = pool.submit(_hash_rows, self.record_hasher, raw, framed, self.delimiter, future, invalid)
        flight = _Flight(framed, raw, invalid, self._row, self._line, self._final_newline, future,
                         self._offset, binary, hashes)
        lines_after = self._line + framed.newlines + (0 if raw.endswith(bytes([self._eol])) or not raw else 1)
        self._consume(raw, lines=lines_after, rows=len(framed.starts), feeds=framed.newlines, crlf=framed.crlf)
        return flight

    def _binary(self, raw: bytes | bytearray, framed: Framed) -> bool:
        """Whether a segment must be parsed as bytes (it is not UTF-8); Anomaly where the fast
        path cannot read it."""
        if raw[:3] == b"\xef\xbb\xbf":  # pyarrow drops a byte order mark that starts its input
            raise Anomaly("a record that starts with U+FEFF at a segment's start", framed.size, 0)
        nul = raw.find(b"\x00")
        if nul >= 0:
            raise Anomaly("NUL byte", framed.size, nul)
        binary = False
        if not utf8_valid(raw):  # Python's codec decides, as it does for the exact reader
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                binary = True  # parsed as bytes; cells are decoded as the exact reader decodes them
        if binary and self._width == 1:  # its blank values would need decoding first
            raise Anomaly("a one-column segment with bytes that are not UTF-8", framed.size, 0)
        return binary

    def _rewind(self, flight: _Flight) -> None:
        """Undo ``_start``: the segment's bytes go back in front of the buffer, counters back."""
        with contextlib.suppress(Exception):  # its result is thrown away either way
            flight.future.result()
        if flight.hashes is not None:
            with contextlib.suppress(Exception):
                flight.hashes.result()
        framed, raw = flight.framed, flight.raw
        self._buf = raw + self._buf
        self._offset -= len(raw)
        self._line, self._row, self._final_newline = flight.line, flight.row, flight.final_newline
        self.notes.bytes -= len(raw)
        self._endings(framed.newlines, framed.crlf, -1)
