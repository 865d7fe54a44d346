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

import io
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

from validator.readers.base import Chunk, Header, ReaderNotes, RecordHasher, TitleLook
from validator.readers.csv_exact import (
    DIALECT_SCAN,
    TITLE_CHARS,
    CsvReader,
    choose_delimiter,
    count_delimiters,
    title_delimiter,
)
from validator.readers.csv_fast_buffer import MAX_SEGMENT
from validator.readers.csv_fast_fallback import EXACT_PIECE
from validator.readers.csv_fast_pending import Hashes
from validator.readers.csv_fast_pipeline import IN_FLIGHT, RAGGED_SWITCH, _Pipeline
from validator.readers.csv_fast_segment import PA_BLOCK
from validator.readers.framing import CR, LF, Anomaly
from validator.readers.text import LineSource, note_first_endings

SEGMENT = 4 << 20  # bytes framed and parsed at a time
PARSERS = 2  # threads that parse and hash segments

# (the reader's parts, by module: csv_fast_buffer, the bytes read and framed; csv_fast_pipeline,
# the segments in flight; csv_fast_segment, a segment parsed; csv_fast_pending, rows made into
# chunks; csv_fast_fallback, the exact reader's pieces. Their constants are read there: patch
# them there)
__all__ = [
    "EXACT_PIECE",
    "IN_FLIGHT",
    "MAX_SEGMENT",
    "PARSERS",
    "PA_BLOCK",
    "RAGGED_SWITCH",
    "SEGMENT",
    "FastCsvReader",
    "Hashes",
]


class FastCsvReader(_Pipeline):
    """Reads a UTF-8 CSV with a header into Chunks identical to CsvReader's."""

    # its chunks may be made on another thread than the one that checks them (one at a time)
    reads_ahead = True

    def __init__(self, stream: BinaryIO, notes: ReaderNotes, *, chunk_rows: int = 50_000,
                 skip: int = 0, delimiter_hint: int | None = None, segment: int = SEGMENT,
                 record_hasher: RecordHasher | None = None, title: TitleLook | None = None):
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
        self.title = title  # where line 1 holds no delimiter: look below it, as the exact reader does
        notes.reader = "fast"
        try:
            self._open(delimiter_hint)
        except Anomaly as exc:
            notes.extra["reader_why"] = f"the fast reader handed it over: {exc}"  # (check --verbose says it)
            self._exact_from_start()


    # -- set-up ------------------------------------------------------------------------------
    def _open(self, delimiter_hint: int | None) -> None:
        self._fill(self.segment)
        most = 4 * DIALECT_SCAN  # (line 1 whole, or the characters of it count_delimiters reads)
        while not self._eof:  # and the byte after its end: a \r at the end of the bytes read is no old Mac line end yet
            end = min((i for i in (self._buf.find(b"\n"), self._buf.find(b"\r")) if i >= 0), default=-1)
            if end + 1 >= len(self._buf) or (end < 0 and len(self._buf) < most):
                self._fill(max(len(self._buf) + 1, min(most, 2 * len(self._buf) + 64)))
            else:
                break
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
        below = self._title_delimiter(first) if self.title is not None and not any(counts.values()) else None
        if below is not None:
            delimiter = below[0]
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
        if below is not None:
            _, self.notes.delimiter_line, self.notes.delimiter_line_counts = below
        self._take(size)
        self.notes.next_line_counts = self._next_line_counts()
        self._consume(raw, lines=int(head.end_lines[0]), rows=1, feeds=head.newlines, crlf=head.crlf)
        note_first_endings(self.notes, raw, 0, self._ending_counts(head.newlines, head.crlf))


    def _title_delimiter(self, first: str) -> tuple[str, int, dict[str, int]] | None:
        """``title_delimiter`` of the lines at the buffer's head, decoded and split as the exact
        reader's LineSource gives them, reading more of the file until the look ends (the last
        line read may go on: a ``\\r`` whose ``\\n`` is still to come is only read in full)."""
        assert self.title is not None
        ends = self.title.rows + 2  # line ends (\r and \n alike) to read past, at first
        # the lines read are looked at once they hold this many bytes, whatever their count: the look
        # reads TITLE_CHARS characters at most (a UTF-8 character is 4 bytes at most); reading on
        # to ``rows`` long lines held up to 64 MiB of them and their text at once
        cap = 4 * TITLE_CHARS
        while True:
            buf = np.frombuffer(self._buf, dtype=np.uint8)
            at = np.flatnonzero((buf == LF) | (buf == CR))
            # (the last line read is not looked at: its \n may still be to come)
            early = len(at) >= 3 and int(at[-2]) + 1 >= cap
            if len(at) < ends and not self._eof and not early:
                if len(self._buf) >= MAX_SEGMENT:
                    raise Anomaly("the lines under a first line with no delimiter are too long to look down")
                self._fill(min(MAX_SEGMENT, 2 * len(self._buf) + 64))
                continue
            final = len(at) < ends and self._eof  # (the file ends within them)
            size = len(buf) if final else int(at[min(ends, len(at)) - 1]) + 1
            lines = list(LineSource(io.BytesIO(bytes(self._buf[:size])), ReaderNotes()))
            if not final:
                lines.pop()
            try:
                return title_delimiter(first, _then_more(lines[1:], final), self.delimiter_hint, self.title)
            except _More:
                if len(at) >= ends:
                    ends *= 2
                else:
                    cap = 2 * len(self._buf)

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


class _More(Exception):
    """The lines read so far end before the look below a title does."""


def _then_more(lines: list[str], final: bool) -> Iterator[str]:
    """``lines``, then ``_More`` where the file goes on after them."""
    yield from lines
    if not final:
        raise _More
