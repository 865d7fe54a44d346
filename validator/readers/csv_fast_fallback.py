"""Where the fast CSV reader hands over to the exact one: a piece of the file, the rest, or all of it.

A problem the fast path cannot read exactly like the exact path (``framing.Anomaly``) is read by
CsvReader from its record's start: a piece of at least EXACT_PIECE bytes that ends outside any
quote (``_exact_piece``, ``_exact_segment``), else the rest of the file (``_exact_rest``), with
line and row counters carried on; a file whose set-up fails is read exactly from its start
(``_exact_from_start``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np

from validator.readers.base import Chunk
from validator.readers.csv_exact import CsvReader
from validator.readers.csv_fast_buffer import _Buffer
from validator.readers.csv_fast_pending import _Pending
from validator.readers.dispatch import Prefixed
from validator.readers.framing import CR, LF, Anomaly, unquoted

EXACT_PIECE = 64 << 10  # bytes the exact reader reads at least, from a problem on


class _Fallbacks(_Buffer):
    """The exact reader's part in a fast read."""

    def _exact_from_start(self) -> None:
        notes = self.notes
        for key in notes.line_endings:
            notes.line_endings[key] = 0
        notes.first_endings.clear()
        notes.bytes = 0
        notes.reader = "exact"
        source = Prefixed(bytes(self._buf), self.stream, owned=False)  # nothing consumed yet
        self.fallback = CsvReader(source, notes, skip=self.skip, chunk_rows=self.chunk_rows,  # type: ignore[arg-type]
                                  delimiter_hint=self.delimiter_hint, title=self.title)

    def _exact_rest(self, pending: _Pending) -> Iterator[Chunk]:
        """Hand the rest of the file (and the rows read but not emitted) to the exact reader."""
        self.handed_over += 1
        # read in place, and let go of here: freed once read (a copy was up to 83 MB more, held to the end)
        source, self._buf = Prefixed(self._buf, self.stream, owned=False), b""
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
        self._window = min(self.segment, 2 * EXACT_PIECE)  # framing resumes in small windows
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

    def _line_ends(self, size: int, lines: np.ndarray) -> np.ndarray:
        """The file's byte offsets just after the physical ``lines`` (numbered in the file) of the
        buffer's first ``size`` bytes, which start a line: lines end as the exact reader ends them,
        at ``\\r\\n``, ``\\n`` or a lone ``\\r``; the last one may run to the end."""
        body = np.frombuffer(self._buf, dtype=np.uint8)[:size]
        lone_cr = body == CR
        lone_cr[:-1] &= body[1:] != LF
        breaks = np.flatnonzero((body == LF) | lone_cr) + 1
        breaks = np.append(breaks, size) if not len(breaks) or breaks[-1] != size else breaks
        at = np.minimum(lines - self._line - 1, len(breaks) - 1)
        return self._offset + breaks[at]

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
        # read in place: a slice of the buffer, or a BytesIO of it, is a copy (100 MB for a 100 MB value)
        source = Prefixed(memoryview(self._buf)[:size], io.BytesIO(), owned=True)
        reader = CsvReader(source, notes, has_header=True, expected_columns=self._width,  # type: ignore[arg-type]
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
        # every record's row, each row of a blank run included (the exact reader ends each)
        record_rows = np.sort(np.asarray(rows + [r for n in row_notes for r in range(n.row, n.row + n.rows)],
                                         dtype=np.int64))
        ends = self._line_ends(size, np.asarray(reader.tail_ends, dtype=np.int64))
        pending.add(good, np.asarray(rows, dtype=np.int64), np.asarray(lines, dtype=np.int64), row_notes,
                    ends=(record_rows, ends))
        self._buf = self._buf[size:]
        self._offset += size
        self._line = reader.lines.line
        self._row = reader._row
        if self._eof and not self._buf:
            self._final_newline = notes.final_newline
        return list(pending.flush(self.chunk_rows, final=False))
