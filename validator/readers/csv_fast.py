"""The fast CSV path: pyarrow parses, numpy frames; the exact path takes over wherever they could differ.

The file is cut into segments of a few MB that end on a record boundary. Each segment is framed
with a few vectorized byte scans (quotes, line feeds, carriage returns): those give every
record's physical start line, its row number (blank lines included) and proof that every quote
sits where RFC 4180 allows one (a quote opens at a field start and closes before a delimiter or
a line end, ``""`` inside). A segment that passes is parsed by ``pyarrow.csv`` with one thread,
every column as a string; ragged records come back through ``invalid_row_handler`` and are
re-read with the stdlib ``csv`` module so their RowNotes match the exact reader's. Stray quotes
(``Robert "Bob" Smith``, ``5'10"``: text to both parsers) are set aside by the framing and
noted as the exact reader notes them (row, physical line, field, value).

Anything the fast path cannot read exactly like the exact path goes to the exact reader at a
record boundary, with line and row counters carried on, before any later row was emitted: text
after a closing quote, a quote never closed, a lone ``\\r`` in a file whose lines end in ``\\n``
(or a ``\\n`` in one whose lines end in ``\\r``), a NUL byte, a record longer than the csv
module's field limit. The records before the problem are still read fast; the exact
reader reads the record with the problem and at least 64 KB after it, up to a line feed after
which the quotes balance again, and must end that piece outside any quote (else it gets the
whole segment, and failing that the rest of the file). A piece it ends outside quotes reads the
same alone as in place, so reports do not depend on the path.

A segment with bytes that are not UTF-8 (a file saved as Windows-1252, say) stays fast:
pyarrow reads it as bytes, and each column of a chunk is decoded the exact reader's way:
Arrow-stored where all its cells are UTF-8, else Python-stored with each undecodable byte as a
lone surrogate; the segment's bad bytes are counted and located as LineSource does.

Lines that end in a lone ``\\r`` (old Mac files) are framed at carriage returns; such a file's
line feeds, if any, are left to the exact reader. Files it hands whole to the exact reader: an
empty or undecodable first line. The dispatcher never starts it on other encodings or without a
header.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from validator.readers.base import (
    MAX_EVENTS,
    PY_STR,
    STR,
    TEXT_KEEP,
    Chunk,
    Header,
    ReaderNotes,
    RecordHasher,
    RowNote,
    StrayQuote,
    collector_paused,
    empty_frame,
    note_limit,
)
from validator.readers.csv_exact import CsvReader, Records, _odd_record, choose_delimiter, count_delimiters
from validator.readers.dispatch import Prefixed, read_into
from validator.readers.framing import (
    CR,
    LF,
    Anomaly,
    Framed,
    first_boundary,
    frame,
    mostly_quoted,
    unquoted,
    utf8_valid,
    written_records,
)
from validator.readers.text import KEEP_UTF8, PY_SPACE, non_ascii_cells, note_first_endings, note_utf8_events
from validator.readers.written import byte_views, written_rows_at

SEGMENT = 4 << 20  # bytes framed and parsed at a time
EXACT_PIECE = 64 << 10  # bytes the exact reader reads at least, from a problem on
MAX_SEGMENT = 64 << 20  # a "record" longer than this is an unclosed quote; the exact path reads it
PA_BLOCK = 1 << 20
PARSERS = 2  # threads that parse and hash segments
IN_FLIGHT = 2  # segments framed and handed to them ahead of the one whose rows are taken
Hashes = tuple[np.ndarray, np.ndarray] | None  # a part's record hashes, and which rows have one


class FastCsvReader:
    """Reads a UTF-8 CSV with a header into Chunks identical to CsvReader's."""

    # its chunks may be made on another thread than the one that checks them (one at a time)
    reads_ahead = True

    def __init__(self, stream: BinaryIO, notes: ReaderNotes, *, chunk_rows: int = 50_000,
                 skip: int = 0, delimiter_hint: int | None = None, segment: int = SEGMENT,
                 record_hasher: RecordHasher | None = None):
        self.stream = stream
        # hashes each segment's records, written as rows are written (framing.written_records),
        # on the parser thread: Chunk.record_hashes, for rules that hash whole rows
        self.record_hasher = record_hasher
        self.notes = notes
        self.chunk_rows = max(1, chunk_rows)
        self.skip = skip
        self.segment = segment
        # bytes framed at a time: a segment, or less just after a problem (problems come in runs:
        # a file with a stray quote every few rows must not frame megabytes for each of them)
        self._window = segment
        self.fallback: CsvReader | None = None  # set when the exact path reads the whole file
        self.handed_over = 0  # parts of the file the exact reader read
        self._buf: bytes | bytearray = b""
        self._eof = False
        self._offset = skip  # absolute byte offset of self._buf[0]
        self._line = 0
        self._row = 0
        self._header: Header | None = None
        self._eol = LF  # the byte lines end with
        self._width = 0
        self.delimiter_hint = delimiter_hint
        notes.reader = "fast"
        try:
            self._open(delimiter_hint)
        except Anomaly:
            self._exact_from_start()

    # -- set-up ------------------------------------------------------------------------------
    def _fill(self, want: int) -> None:
        """Read until the buffer holds ``want`` bytes or the file ends: into one new buffer made
        for them, with the bytes left from before (the start of a record, mostly) copied to its
        front. Reading just up to ``want`` (a segment) lets the next segment be the whole buffer,
        handed on without a copy (``_take``)."""
        while not self._eof and len(self._buf) < want:
            have = len(self._buf)
            room = max(want - have, self.segment >> 2, 1)
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

    def _open(self, delimiter_hint: int | None) -> None:
        self._fill(self.segment)
        first_end = min((i for i in (self._buf.find(b"\n"), self._buf.find(b"\r")) if i >= 0),
                        default=len(self._buf))
        if not self._buf.strip(b"\r\n"):
            raise Anomaly("empty")
        if self._buf[first_end: first_end + 1] == b"\r" and self._buf[first_end + 1: first_end + 2] != b"\n":
            self._eol = CR  # old Mac line ends (Excel for Mac's "CSV"): records end at a lone \r
        try:
            first = self._buf[:first_end].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Anomaly("first line is not UTF-8") from exc
        counts = count_delimiters(first)
        delimiter = choose_delimiter(counts, delimiter_hint)
        self.delimiter = delimiter
        self._delim = ord(delimiter)
        head = self._frame_next(header=True)
        if head is None or not len(head.starts):
            raise Anomaly("no header record")
        size = int(head.starts[1]) if len(head.starts) > 1 else head.size
        raw = bytes(self._buf[:size])
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Anomaly("header is not UTF-8") from exc
        scratch = ReaderNotes()
        reader = CsvReader(io.BytesIO(raw), scratch, delimiter=delimiter)
        if reader.header is None or not reader.header.cells:
            raise Anomaly("no header cells")
        self._header = reader.header
        self._width = len(reader.header.cells)
        self.notes.stray_quotes.extend(scratch.stray_quotes)  # the header's, as the exact reader notes them
        self.notes.stray_quote_count += scratch.stray_quote_count
        self.notes.empty = False
        self.notes.delimiter_counts = counts
        self.notes.delimiter = delimiter
        self._take(size)
        self._consume(raw, lines=int(head.end_lines[0]), rows=1, feeds=head.newlines, crlf=head.crlf)
        note_first_endings(self.notes, raw, 0, self._ending_counts(head.newlines, head.crlf))

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

    def _exact_from_start(self) -> None:
        notes = self.notes
        for key in notes.line_endings:
            notes.line_endings[key] = 0
        notes.first_endings.clear()
        notes.bytes = 0
        notes.reader = "exact"
        source = Prefixed(bytes(self._buf), self.stream, owned=False)  # nothing consumed yet
        self.fallback = CsvReader(source, notes, skip=self.skip, chunk_rows=self.chunk_rows,  # type: ignore[arg-type]
                                  delimiter_hint=self.delimiter_hint)

    # -- Reader protocol -----------------------------------------------------------------------
    @property
    def header(self) -> Header | None:
        return self.fallback.header if self.fallback is not None else self._header

    @property
    def width(self) -> int:
        return self.fallback.width if self.fallback is not None else self._width

    def close(self) -> None:
        self.stream.close()

    def chunks(self) -> Iterator[Chunk]:
        if self.fallback is not None:
            yield from self.fallback.chunks()
            return
        from concurrent.futures import ThreadPoolExecutor

        # Two workers parse and hash the segments in flight (pyarrow and most of the hashing
        # release the GIL: one segment's hashing runs while the next one is parsed) while this
        # thread frames the next segment and the rules check the rows before: no reordering,
        # as each segment's results are taken in order.
        with ThreadPoolExecutor(max_workers=PARSERS, thread_name_prefix="csv-fast") as pool:
            yield from self._pipeline(pool)

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
                except Anomaly as exc:
                    framing, limit = exc, None
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
                exact = self._exact_piece(error, pending)
                self._window = min(self.segment, 2 * EXACT_PIECE)
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

    _final_newline = True
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

        future = pool.submit(_read, raw, self._width, self.delimiter, handler, binary)
        if self.record_hasher is not None and not self._hashed and mostly_quoted(framed):
            # a file that quotes every value: its rows are hashed cell by cell (the rule's own
            # way; it takes the way of the file's first chunk), faster than written out
            self.record_hasher = None
        self._hashed = True
        hashes = None
        if self.record_hasher is not None and not binary:  # a binary segment's bytes are not its cells'
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
        if binary:
            ragged = _first_ragged(raw, framed, self._delim, self._width)
            if ragged is not None:  # pyarrow cannot hand such a row back: the exact reader reads it
                raise Anomaly("a ragged record with bytes that are not UTF-8", framed.size, ragged)
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

    def _complete(self, flight: _Flight) -> tuple[pa.Table, np.ndarray, np.ndarray, list[RowNote], Hashes]:
        """Rows, lines and notes of a parsed segment; Anomaly (at its start) if they disagree."""
        framed, raw = flight.framed, flight.raw
        try:
            table = flight.future.result()
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise Anomaly(f"pyarrow cannot read the segment: {exc}", framed.size) from exc
        content = framed.ends - framed.starts
        nonempty = np.flatnonzero(content > 0)
        rows = flight.row + 1 + np.arange(len(content), dtype=np.int64)
        odd = content == 0
        notes: list[RowNote] = []
        records: dict[int, list[str]] = {}  # the csv module's fields of the ragged records
        numbers = [number for number, _fields in flight.invalid]
        if numbers and not 1 <= min(numbers) <= max(numbers) <= len(nonempty):
            raise Anomaly("invalid row number out of range", framed.size)
        ragged = nonempty[np.asarray(numbers, dtype=np.int64) - 1] if numbers else nonempty[:0]
        with collector_paused(len(numbers)):
            parsed = self._ragged_records(raw, framed, ragged.tolist())
            for (_number, fields), k, record in zip(flight.invalid, ragged.tolist(), parsed, strict=True):
                odd[k] = True
                if len(record) != fields:
                    raise Anomaly("pyarrow and csv disagree on a record's fields", framed.size, int(framed.starts[k]))
                records[k] = record
                notes.append(_odd_record(record, int(rows[k]), int(framed.lines[k]), int(framed.end_lines[k])))
        for b in np.flatnonzero(content == 0).tolist():
            notes.append(RowNote("blank", int(rows[b]), int(framed.lines[b]), int(framed.end_lines[b])))
        good = ~odd
        if int(good.sum()) != table.num_rows:
            raise Anomaly("pyarrow and the framing disagree on the record count", framed.size)
        if len(framed.strays):
            self._note_strays(flight, table, good, rows, records)
        kept = None  # the table's rows left
        if self._width == 1:  # one column: a value of spaces, or "", is a blank row (CsvReader's way)
            table, kept = self._blank_values(table, good, rows, framed, notes)
        notes.sort(key=lambda n: n.row)
        if flight.binary:  # the segment's bad bytes, as LineSource notes them
            note_utf8_events(self.notes, raw, flight.offset, flight.line + 1)
        hashes = None
        if flight.hashes is not None:
            values = flight.hashes.result()
            if values is not None and kept is not None:
                values = values[kept]
            if values is not None and len(values) == table.num_rows:
                hashes = (values, np.ones(len(values), bool))
        return table, rows[good], framed.lines[good], notes, hashes

    def _ragged_records(self, raw: bytes | bytearray, framed: Framed, ks: list[int]) -> list[list[str]]:
        """The csv module's fields of records ``ks`` of a segment: all in one reader over the
        records' texts put one per line (each is a whole record, its quotes balanced), or record
        by record should that not give one record each."""
        if not ks:
            return []
        texts = [raw[framed.starts[k]: framed.ends[k]] for k in ks]
        if len(ks) > 1:
            joined = b"\n".join(texts).decode("utf-8", KEEP_UTF8)
            with contextlib.suppress(csv.Error):
                parsed = list(csv.reader(io.StringIO(joined, newline=""), delimiter=self.delimiter, strict=True))
                if len(parsed) == len(ks):
                    return parsed
        return [next(csv.reader(io.StringIO(t.decode("utf-8", KEEP_UTF8), newline=""), delimiter=self.delimiter,
                                strict=True), []) for t in texts]

    @staticmethod
    def _blank_values(table: pa.Table, good: np.ndarray, rows: np.ndarray, framed: Framed,
                      notes: list[RowNote]) -> tuple[pa.Table, np.ndarray | None]:
        """The table without the rows whose one value is empty or whitespace (Python's, as
        ``str.strip`` knows it), and which rows it kept (None: all); those records become blank
        notes, and leave ``good``."""
        blank = np.asarray(pc.match_substring_regex(table.column(0), f"^{PY_SPACE}*$")
                           .to_numpy(zero_copy_only=False), dtype=bool)
        if not blank.any():
            return table, None
        at = np.flatnonzero(good)[blank]
        good[at] = False
        for k in at.tolist():
            notes.append(RowNote("blank", int(rows[k]), int(framed.lines[k]), int(framed.end_lines[k]), fields=1))
        return table.filter(pa.array(~blank)), ~blank

    def _note_strays(self, flight: _Flight, table: pa.Table, good: np.ndarray, rows: np.ndarray,
                     records: dict[int, list[str]]) -> None:
        """Note the segment's stray quotes as the exact reader does (``CsvReader._stray_quotes``):
        one per unquoted field holding a quote, at its first quote's physical line, with the
        field as read."""
        framed = flight.framed
        body = np.frombuffer(flight.raw, dtype=np.uint8)[: framed.size]
        at = framed.strays
        record = np.searchsorted(framed.starts, at, side="right") - 1
        separators = framed.outside(body, self._delim)  # the delimiters between fields
        column = np.searchsorted(separators, at) - np.searchsorted(separators, framed.starts[record]) + 1
        first = np.ones(len(at), dtype=bool)  # the first stray quote of each field
        first[1:] = (record[1:] != record[:-1]) | (column[1:] != column[:-1])
        at, record, column = at[first], record[first], column[first]
        notes = self.notes
        notes.stray_quote_count += len(at)
        room = MAX_EVENTS - len(notes.stray_quotes)
        if room <= 0:
            return
        at, record, column = at[:room], record[:room], column[:room]
        lines = flight.line + 1 + np.searchsorted(np.flatnonzero(body == self._eol), at)
        in_table = np.cumsum(good) - 1  # a good record's row in the parsed table
        for k, c, line in zip(record.tolist(), column.tolist(), lines.tolist(), strict=True):
            if k in records:
                value = records[k][c - 1]
            else:
                cell = table.column(c - 1)[int(in_table[k])].as_py()
                value = cell.decode("utf-8", KEEP_UTF8) if isinstance(cell, bytes) else cell
            notes.stray_quotes.append(StrayQuote(int(rows[k]), line, c, value[:TEXT_KEEP]))

    def _exact_rest(self, pending: _Pending) -> Iterator[Chunk]:
        """Hand the rest of the file (and the rows read but not emitted) to the exact reader."""
        self.handed_over += 1
        source = Prefixed(bytes(self._buf), self.stream, owned=False)
        reader = CsvReader(source, self.notes, has_header=True, expected_columns=self._width,  # type: ignore[arg-type]
                           chunk_rows=self.chunk_rows, skip=self._offset, delimiter=self.delimiter,
                           resume=(self._line, self._row))
        yield from reader.chunks(seed=pending.export())

    def _record_start(self, at: int) -> int:
        """Start of the record that byte ``at`` of the buffer is in (quotes before it are sound)."""
        ends = self._record_ends(0, at)
        return int(ends[-1]) + 1 if len(ends) else 0

    def _record_ends(self, start: int, stop: int) -> np.ndarray:
        """Offsets in the buffer of the line ends outside quotes in ``[start, stop)`` (``start`` is
        a record boundary) after which a record can start: in a file of lone ``\\r``, not the
        ``\\r`` of a ``\\r\\n`` (nor one whose next byte is not read yet)."""
        buf = np.frombuffer(self._buf, dtype=np.uint8)
        ends = unquoted(buf[start:stop], self._eol, (self._delim, self._eol)) + start
        if self._eol == CR and len(ends):
            after = ends + 1
            known = after < len(buf)
            ok = np.full(len(ends), self._eof)
            ok[known] = buf[after[known]] != LF
            ends = ends[ok]
        return ends

    def _exact_piece(self, exc: Anomaly, pending: _Pending) -> list[Chunk] | None:
        """The exact reader's chunks for the record that has the problem and a few after it.

        The piece ends on a line end after which the quotes balance again, at least EXACT_PIECE
        bytes in. Quotes are counted from the problem record's start (the buffer's start: right
        for a well-quoted record with a bad byte in it, even one whose values span lines), then,
        if the exact reader does not end that piece outside quotes, from the line after the
        problem (where the csv module resumes after a bad quote); failing both, the whole segment
        is tried, then None (the caller reads the rest of the file exactly).
        """
        if exc.size is None:
            return None
        size, at = exc.size, exc.at or 0
        nl = self._buf.find(bytes([self._eol]), at, size)
        if nl >= 0 and self._eol == CR and self._buf[nl + 1: nl + 2] == b"\n":
            nl += 1  # the line goes on to the \n of a \r\n
        ends: list[int] = []
        for origin in (0, nl + 1) if 0 <= nl < size - 1 else (0,):
            end = self._balanced_end(origin, size)
            if end is not None and end not in ends:
                ends.append(end)
        ends += [size] if size not in ends else []
        for end in ends:
            chunks = self._exact_segment(end, pending)
            if chunks is not None:
                return chunks
        return None

    def _balanced_end(self, origin: int, size: int) -> int | None:
        """Just after the first line end (the file's) at least EXACT_PIECE bytes into the buffer
        before which the quotes counted from ``origin`` balance; None if there is none before
        ``size``."""
        ends = self._record_ends(origin, size)
        k = int(np.searchsorted(ends, EXACT_PIECE))
        return int(ends[k]) + 1 if k < len(ends) else None

    def _exact_segment(self, size: int, pending: _Pending) -> list[Chunk] | None:
        """The exact reader's chunks for the next ``size`` bytes alone.

        The segment starts on a record boundary. If the exact reader also ends it outside any
        quote, reading it alone is reading it in place; if it ends inside one (the quote runs
        on into the next segment), nothing is kept and the caller reads the rest exactly.
        """
        notes = self.notes
        saved = (notes.bytes, dict(notes.line_endings), len(notes.decode_events), notes.decode_errors,
                 notes.lines, notes.final_newline, notes.records, len(notes.stray_quotes),
                 notes.stray_quote_count)
        first_endings = dict(notes.first_endings)
        source = io.BytesIO(self._buf[:size])
        reader = CsvReader(source, notes, has_header=True, expected_columns=self._width,
                           chunk_rows=1 << 62, skip=self._offset, delimiter=self.delimiter,
                           resume=(self._line, self._row))
        for _chunk in reader.chunks(keep_tail=True):  # one piece, never cut: all of it in the tail
            raise AssertionError("unreachable")
        good, rows, lines, row_notes = reader.tail
        unclosed = reader.open_at_end or any(n.kind == "unclosed-quote" for n in row_notes)
        if unclosed and not (self._eof and size == len(self._buf)):
            notes.bytes, endings, events, notes.decode_errors, notes.lines, notes.final_newline, \
                notes.records, strays, notes.stray_quote_count = saved
            notes.line_endings.update(endings)
            notes.first_endings.clear()
            notes.first_endings.update(first_endings)
            del notes.decode_events[events:]
            del notes.stray_quotes[strays:]
            return None
        self.handed_over += 1
        pending.add(good, np.asarray(rows, dtype=np.int64), np.asarray(lines, dtype=np.int64), row_notes)
        self._buf = self._buf[size:]
        self._offset += size
        self._line = reader.lines.line
        self._row = reader._row
        if self._eof and not self._buf:
            self._final_newline = notes.final_newline
        return list(pending.flush(self.chunk_rows, final=False))


RAGGED_SWITCH = 1000  # ragged records in one segment, and more than its good ones: the rest goes exact


def _mostly_ragged(notes: list[RowNote], good: int) -> bool:
    """A segment of which most records are ragged (an export that ends every row with a
    delimiter): each costs pyarrow a callback and the csv module a parse, so the exact reader
    alone reads the rest of such a file faster."""
    ragged = sum(1 for n in notes if n.kind == "ragged")
    return ragged >= RAGGED_SWITCH and ragged > good


def _first_ragged(raw: bytes | bytearray, framed: Framed, delimiter: int, width: int) -> int | None:
    """Offset of the first non-blank record whose field count is not ``width`` (None: none).
    The framing has proved every quote well placed, so a delimiter is a field separator exactly
    when an even number of field quotes (stray ones set aside) precede it."""
    delims = framed.outside(np.frombuffer(raw, dtype=np.uint8), delimiter)
    # the separators before each record's start, differenced: each record's own (one search per
    # record, not one per delimiter)
    before = np.searchsorted(delims, np.append(framed.starts, framed.size))
    fields = np.diff(before) + 1
    odd = np.flatnonzero((fields != width) & (framed.ends > framed.starts))
    return int(framed.starts[odd[0]]) if len(odd) else None


def _read(raw: bytes | bytearray, width: int, delimiter: str, handler: Any, binary: bool = False) -> pa.Table:
    from pyarrow import csv as pacsv

    names = [str(i) for i in range(width)]
    return pacsv.read_csv(
        pa.py_buffer(raw),
        read_options=pacsv.ReadOptions(column_names=names, use_threads=False,
                                       block_size=min(max(len(raw) + 1, PA_BLOCK), MAX_SEGMENT)),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                         escape_char=False, newlines_in_values=True,
                                         ignore_empty_lines=True, invalid_row_handler=handler),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.large_binary() if binary
                                                                          else pa.large_string()),
                                             null_values=[], strings_can_be_null=False,
                                             quoted_strings_can_be_null=False, check_utf8=False),
    )


@dataclass(frozen=True, slots=True, eq=False)
class _Flight:
    """A segment handed to the parser thread, with the counters as they were before it."""

    framed: Framed
    raw: bytes | bytearray
    invalid: list[tuple[int, int]]
    row: int
    line: int
    final_newline: bool
    future: Future[pa.Table]
    offset: int = 0  # absolute byte offset of raw[0]
    binary: bool = False  # not UTF-8 throughout: parsed as bytes, decoded cell by cell
    hashes: Future[np.ndarray | None] | None = None  # _hash_rows of the segment


class _Pending:
    """Rows and notes read but not yet emitted, cut into chunks exactly where CsvReader cuts.

    Rows come in parts: pyarrow tables from fast segments, or lists of records handed back by
    the exact reader. A chunk made of tables only stays in Arrow; one with records is built the
    way CsvReader builds it (``string_frame``), so its columns match cell for cell and dtype.
    """

    def __init__(self, width: int):
        self.width = width
        self.parts: list[pa.Table | list[list[str]]] = []
        self.rows: list[np.ndarray] = []
        self.lines: list[np.ndarray] = []
        self.notes: list[RowNote] = []
        self.hashes: list[Hashes] = []  # each part's, where it has them

    def add(self, part: pa.Table | list[list[str]], rows: np.ndarray, lines: np.ndarray,
            notes: list[RowNote], hashes: Hashes = None) -> None:
        if len(rows):
            self.parts.append(part)
            self.rows.append(rows)
            self.lines.append(lines)
            self.hashes.append(hashes)
        self.notes.extend(notes)

    def export(self) -> Records:
        """Everything pending, as CsvReader's lists (for the exact reader to start from)."""
        good = [r for part in self.parts for r in _records(part)]
        rows = np.concatenate(self.rows).tolist() if self.rows else []
        lines = np.concatenate(self.lines).tolist() if self.lines else []
        return good, rows, lines, list(self.notes)

    def flush(self, limit: int, final: bool) -> Iterator[Chunk]:
        while True:
            rows = np.concatenate(self.rows) if self.rows else np.empty(0, dtype=np.int64)
            cut = self._cut(rows, limit)
            if cut is None:
                if final and (len(rows) or self.notes):
                    yield self._emit(rows, len(rows), len(self.notes))
                return
            good = int(np.searchsorted(rows, cut, side="right"))
            notes = sum(1 for n in self.notes if n.row <= cut)
            yield self._emit(rows, good, notes)

    def _record_hashes(self, n: int, good: int) -> Hashes:
        """The record hashes of the first ``good`` of the ``n`` pending rows (a part without
        them: rows without one); the rest stay pending. None where no part has them."""
        if not any(h is not None for h in self.hashes):
            self.hashes = [None] if good < n else []
            return None
        given = [h if h is not None else (np.zeros(len(r), np.uint64), np.zeros(len(r), bool))
                 for h, r in zip(self.hashes, self.rows, strict=True)]
        values = np.concatenate([h[0] for h in given])
        written = np.concatenate([h[1] for h in given])
        self.hashes = [(values[good:], written[good:])] if good < n else []
        return values[:good], written[:good]

    def _cut(self, rows: np.ndarray, limit: int) -> int | None:
        """The row after which CsvReader would emit a chunk (None: not yet)."""
        cuts = []
        if len(rows) >= limit:
            cuts.append(int(rows[limit - 1]))
        if len(self.notes) >= note_limit(limit):
            cuts.append(self.notes[note_limit(limit) - 1].row)
        return min(cuts) if cuts else None

    def _emit(self, rows: np.ndarray, good: int, notes: int) -> Chunk:
        lines = np.concatenate(self.lines) if self.lines else np.empty(0, dtype=np.int64)
        head, rest = _split(self.parts, good)
        cell_bytes: dict[int, list[pa.Array]] = {}
        if not good:
            frame = empty_frame(self.width)
        elif all(isinstance(p, pa.Table) and not _binary(p) for p in head):
            table = pa.concat_tables(head)
            # pyarrow makes the frame (its string columns as they are, no copy): a third of the
            # time of a Series per column
            frame = table.to_pandas(types_mapper={pa.large_string(): pd.api.types.pandas_dtype(STR)}.get)
            frame.columns = pd.Index(range(self.width))
            frame.index = pd.Index(rows[:good])
        else:
            columns = [_mixed_column(head, i) for i in range(self.width)]
            frame = pd.DataFrame({i: c for i, (c, _) in enumerate(columns)}, copy=False)
            frame.index = pd.Index(rows[:good])
            cell_bytes = {i: b for i, (_, b) in enumerate(columns) if b is not None}
        chunk = Chunk(frame, lines[:good].astype(np.int64), tuple(self.notes[:notes]), cell_bytes=cell_bytes,
                      record_hashes=self._record_hashes(len(rows), good))
        self.parts = rest
        self.rows = [rows[good:]] if good < len(rows) else []
        self.lines = [lines[good:]] if good < len(lines) else []
        self.notes = self.notes[notes:]
        return chunk


def _hash_rows(hasher: RecordHasher, raw: bytes | bytearray, framed: Framed, delimiter: str,
               parsed: Future[pa.Table], invalid: list[tuple[int, int]]) -> np.ndarray | None:
    """The hash of each row of a segment's table written as a CSV record (``readers.written``):
    of the record's own bytes where it is so written (``framing.written_records``), else of the
    row written from its cells. Run on the parser thread after the segment's ``_read``; None
    where the table's rows are not the records pyarrow was expected to keep (``_complete``
    then says why)."""
    table = parsed.result()
    nonempty = np.flatnonzero(framed.ends > framed.starts)
    keep = np.ones(len(nonempty), bool)
    numbers = np.asarray([number for number, _fields in invalid], dtype=np.int64)  # ragged: not in the table
    if len(numbers) and not 1 <= int(numbers.min()) <= int(numbers.max()) <= len(nonempty):
        return None
    keep[numbers - 1] = False
    records = nonempty[keep]
    if len(records) != table.num_rows:
        return None
    data, starts, ends, written = written_records(np.frombuffer(raw, dtype=np.uint8), framed, ord(delimiter))
    out = np.empty(len(records), np.uint64)
    mine = written[records]
    at = np.flatnonzero(mine)
    rest = np.flatnonzero(~mine)
    for where, pieces in ((at, lambda: [byte_views(data, starts[records[at]], ends[records[at]])]),
                          (rest, lambda: written_rows_at([c.chunks for c in table.columns], rest, delimiter).chunks)):
        if len(where):
            hashed = hasher(pieces())
            if hashed is None:  # the hasher cannot hash in this run
                return None
            out[where] = hashed
    return out


def _mixed_column(parts: list[Any], i: int) -> tuple[pd.Series, list[pa.Array] | None]:
    """Column ``i`` of tables and record lists, stored as CsvReader's ``string_frame`` would:
    in Arrow, or in Python where a cell holds an undecodable byte (a lone surrogate; in a
    table parsed as bytes, a value that is not UTF-8). A column stored in Python comes with its
    cells' bytes as ``Chunk.cell_bytes`` keeps them (None for an Arrow column)."""
    try:
        arrays = [p.column(i) if isinstance(p, pa.Table) else pa.array([r[i] for r in p], type=pa.large_string())
                  for p in parts]
        chunks = [c for a in arrays for c in (a.chunks if isinstance(a, pa.ChunkedArray) else [a])]
        chunks = [c.cast(pa.large_string()) if pa.types.is_large_binary(c.type) else c for c in chunks]
    except (UnicodeEncodeError, pa.ArrowInvalid):  # Arrow checks UTF-8 value by value, as Python decodes
        values: list[str] = []
        cell_bytes: list[pa.Array] = []
        for p in parts:
            if isinstance(p, pa.Table):
                for arr in p.column(i).chunks:
                    texts, data = _decoded(arr)
                    values += texts
                    cell_bytes.append(data)
            else:
                texts = [r[i] for r in p]
                values += texts
                cell_bytes.append(pa.array([v.encode("utf-8", "surrogatepass") for v in texts], pa.large_binary()))
        return pd.Series(values, dtype=PY_STR), cell_bytes
    return pd.Series(pa.chunked_array(chunks, type=pa.large_string()), dtype=STR, copy=False), None


def _binary(table: pa.Table) -> bool:
    return bool(table.num_columns) and pa.types.is_large_binary(table.schema.field(0).type)


def _texts(column: pa.ChunkedArray | pa.Array) -> list[str]:
    """Cell texts of a column; bytes that are not UTF-8 kept as lone surrogates (LineSource's way).
    Of a column parsed as bytes only the cells with a byte over 0x7F go through Python's decoder
    (in a Windows-1252 file, a few names and cities); the others are ASCII, taken as they are."""
    if not pa.types.is_large_binary(column.type):
        return column.to_pylist()
    out: list[str] = []
    for arr in column.chunks if isinstance(column, pa.ChunkedArray) else [column]:
        out += _decoded(arr)[0]
    return out


def _decoded(arr: pa.Array) -> tuple[list[str], pa.Array]:
    """(texts, their ``surrogatepass`` bytes) of a string or binary array: a string array's own
    bytes; of a binary one, the bytes of each cell that is ASCII, re-encoded from the text for the
    cells decoded in Python (the same bytes where they were UTF-8 already)."""
    if not pa.types.is_large_binary(arr.type):
        return arr.to_pylist(), arr.cast(pa.large_binary())
    high = non_ascii_cells(arr)
    if not high.any():
        return arr.cast(pa.large_string()).to_pylist(), arr
    decoded = [v.decode("utf-8", KEEP_UTF8) for v in arr.filter(pa.array(high)).to_pylist()]
    ascii_part = arr.filter(pa.array(~high))
    texts = np.empty(len(arr), dtype=object)
    texts[~high] = _objects(ascii_part.cast(pa.large_string()).to_pylist())
    texts[high] = _objects(decoded)
    encoded = pa.array([v.encode("utf-8", "surrogatepass") for v in decoded], pa.large_binary())
    order = np.concatenate((np.flatnonzero(~high), np.flatnonzero(high)))
    at = np.empty(len(arr), dtype=np.int64)
    at[order] = np.arange(len(arr))
    data = pa.concat_arrays([ascii_part, encoded]).take(pa.array(at))
    return texts.tolist(), data


def _objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _records(part: pa.Table | list[list[str]]) -> list[list[str]]:
    if isinstance(part, pa.Table):
        return [list(r) for r in zip(*(_texts(c) for c in part.columns), strict=True)]
    return part


def _split(parts: list[pa.Table | list[list[str]]], n: int) -> tuple[list[Any], list[Any]]:
    """The parts holding the first ``n`` rows, and the parts holding the rest."""
    head: list[Any] = []
    rest: list[Any] = []
    for part in parts:
        size = part.num_rows if isinstance(part, pa.Table) else len(part)
        if n >= size:
            head.append(part)
        elif n <= 0:
            rest.append(part)
        else:
            head.append(part.slice(0, n) if isinstance(part, pa.Table) else part[:n])
            rest.append(part.slice(n) if isinstance(part, pa.Table) else part[n:])
        n -= size
    return head, rest
