"""The exact CSV path: stdlib ``csv`` in strict mode over our own decoded physical lines.

It sees every malformed record with its row and physical line. Rows are counted like a
spreadsheet (header = row 1; a record with quoted newlines is one row; a blank line is a row).
Ragged, blank and unparseable records are kept out of the frame and recorded as RowNotes, never
padded or shifted. ``NA``, ``None``, ``null`` and leading zeros stay exactly as written.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import BinaryIO

import numpy as np

from validator.readers.base import (
    MAX_EVENTS,
    TEXT_KEEP,
    Chunk,
    FieldPause,
    Header,
    ReaderNotes,
    RowNote,
    StrayQuote,
    TitleLook,
    add_note,
    empty_frame,
    note_limit,
    string_frame,
)
from validator.readers.csv_scan import field_lengths, scan
from validator.readers.text import RECORD_KEEP_CHARS, LineSource

CANDIDATES = (",", ";", "\t", "|")
FIELD_LIMIT = csv.field_size_limit()  # read once; never changed (process-wide state)
SAMPLE_FIELDS = 3
DIALECT_SCAN = 64 * 1024  # characters of the header line scanned for delimiters


def count_delimiters(line: str, quotechar: str = '"') -> dict[str, int]:
    """Count candidate delimiters outside quotes in one physical line."""
    counts = dict.fromkeys(CANDIDATES, 0)
    quoted = False
    for ch in line[:DIALECT_SCAN]:
        if ch == quotechar:
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    return counts


def choose_delimiter(counts: dict[str, int], expected: int | None) -> str:
    """Comma unless the header clearly uses another delimiter.

    With the mapping count known, a delimiter that splits the header into exactly that many
    fields wins; comma wins ties (HubSpot expects commas). Never ``csv.Sniffer`` on untrusted
    input: it is slow on crafted text and guesses letters as delimiters.
    """
    if expected:
        # a delimiter absent from the line "fits" one mapping only when no candidate is present
        fits = [d for d in CANDIDATES if counts[d] + 1 == expected and (counts[d] or not any(counts.values()))]
        if fits:
            return fits[0]
    if counts[","]:
        return ","
    best = max(CANDIDATES, key=lambda d: counts[d])
    return best if counts[best] else ","


# Excel's delimiter line above the header (`sep=;`, HS108's): the line names the delimiter itself
SEP_LINE = re.compile(r"sep=(.)", re.IGNORECASE | re.DOTALL)
TITLE_CHARS = 1 << 20  # characters below a title that the look for its header's delimiter reads at most


def title_delimiter(first: str, below: Iterable[str], expected: int | None,
                    look: TitleLook) -> tuple[str, int, dict[str, int]] | None:
    """The delimiter of a file whose line 1 (``first``) holds none outside quotes, with the line it
    was taken from and its counts there: the first of the next ``look.rows`` records (``below``:
    the physical lines after line 1) that holds a candidate delimiter, split as
    ``choose_delimiter`` splits a header, when that record is the header the mappings name below a
    title (``look.header``). None where no such record is found (the file is read with commas,
    one column where no line holds one), where line 1 is Excel's `sep=` line, or past
    ``TITLE_CHARS`` characters. A `sep=` line below line 1 (a title added above an Excel save) is
    looked past, as HubSpot does not honour it: the delimiter is the header's under it. Both CSV
    readers call it on the same lines."""
    title = _cells([first], ",")
    if len(title) == 1 and SEP_LINE.fullmatch(title[0].lstrip("\ufeff")):
        return None
    line, records, chars = 1, 0, 0
    record: list[str] = []
    quoted = False
    for text in below:
        if chars >= TITLE_CHARS or (not record and records >= look.rows):
            return None
        line += 1
        chars += len(text)
        record.append(text)
        quoted ^= text.count('"') % 2 == 1  # (as count_delimiters follows quotes: a record ends outside them)
        if quoted:
            continue
        records += 1
        if _sep_line(record):  # Excel's `sep=` line under the title: HS108's, no header (looked past)
            record = []
            continue
        counts = count_delimiters("".join(record))
        if any(counts.values()):
            delimiter = choose_delimiter(counts, expected)
            if not look.header(title, _cells(record, delimiter)):
                return None
            return delimiter, line + 1 - len(record), counts
        record = []
    return None


def _sep_line(lines: list[str]) -> bool:
    """Whether one record's ``lines`` are Excel's `sep=` line (quoted or not; ``sep=,`` reads as
    two cells with the comma)."""
    return SEP_LINE.fullmatch(",".join(_cells(lines, ","))) is not None


def _cells(lines: list[str], delimiter: str) -> list[str]:
    """The fields of one record's ``lines``, read leniently (none where the csv module fails)."""
    try:
        return next(csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False), [])
    except csv.Error:
        return []


# Records read but not yet in a chunk: (full-width records, their rows, their start lines, notes)
Records = tuple[list[list[str]], list[int], list[int], list[RowNote]]


class CsvReader:
    """Reads one CSV file into Chunks. Construct, read ``header``, iterate ``chunks()``."""

    # its chunks may be made on another thread than the one that checks them (one at a time)
    reads_ahead = True

    def __init__(self, stream: BinaryIO, notes: ReaderNotes, *, has_header: bool = True,
                 expected_columns: int | None = None, chunk_rows: int = 50_000,
                 encoding: str = "utf-8", skip: int = 0, delimiter: str | None = None,
                 delimiter_hint: int | None = None, resume: tuple[int, int] | None = None,
                 title: TitleLook | None = None):
        """``resume=(line, row)`` continues a file another reader started: the stream begins at
        byte ``skip`` on a record boundary after ``line`` physical lines and ``row`` rows (header
        included); the header, delimiter and ``expected_columns`` come from that reader.
        ``title``: where line 1 holds no delimiter, look below it for a title's header
        (``title_delimiter``)."""
        self.notes = notes
        self.has_header = has_header
        self.chunk_rows = max(1, chunk_rows)
        first_line, self._row = resume or (0, 0)
        self.open_at_end = False  # a row read past a bad quote was still inside quotes at the end
        self.lines = LineSource(stream, notes, encoding=encoding, skip=skip, first_line=first_line)
        if resume is None:
            first = self.lines.peek()
            notes.empty = first is None
            notes.delimiter_counts = count_delimiters(first or "")
            notes.delimiter = delimiter or choose_delimiter(
                notes.delimiter_counts, delimiter_hint or expected_columns)
            if delimiter is None and title is not None and first is not None \
                    and not any(notes.delimiter_counts.values()):
                below = title_delimiter(first, islice(self.lines.ahead(), 1, None),
                                        delimiter_hint or expected_columns, title)
                if below is not None:
                    notes.delimiter, notes.delimiter_line, notes.delimiter_line_counts = below
        elif delimiter is not None:
            notes.delimiter = delimiter
        self._reader = csv.reader(self.lines, delimiter=notes.delimiter, quotechar='"',
                                  doublequote=True, strict=True, skipinitialspace=False)
        self._header: Header | None = None
        self._header_rows = 1 if has_header else 0
        self.tail: Records = ([], [], [], [])
        self.tail_ends: list[int] = []  # with keep_tail: the last physical line of each record read, in order
        self._width = expected_columns or 0
        if has_header and resume is None:
            self._read_header()
            under = self.lines.peek()
            notes.next_line_counts = count_delimiters(under) if under is not None else {}

    @property
    def header(self) -> Header | None:
        return self._header

    @property
    def width(self) -> int:
        return self._width

    def close(self) -> None:
        self.lines.stream.close()

    def _read_header(self) -> None:
        item = next(self._records(), None)
        if item is None:
            return
        if isinstance(item, RowNote):  # reported at row 1 by the rule of its kind (HS111, HS112, HS114)
            cells = _lenient(self.lines.record, self.notes.delimiter) if item.kind == "bad-quote" else ()
            self._header = Header(cells, 1, item.line, item.end_line, note=item)
        else:
            record, _row, line, end = item
            self._header = Header(tuple(record), 1, line, end)
        self._width = len(self._header.cells)

    # -- records ------------------------------------------------------------------------
    def _records(self) -> Iterator[tuple[list[str], int, int, int] | RowNote]:
        """Yield (fields, row, start line, end line) or a RowNote for unparseable records.

        Lines come from LineSource's own count, which a resync after an oversized field keeps
        right (csv.reader's line_num would not see the lines skipped by hand).
        """
        lines = self.lines
        while True:
            start = lines.line + 1
            lines.reset_record()
            try:
                record = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self._row += 1
                yield self._malformed(str(exc), start)
                continue
            self._row += 1
            kept = lines.record  # a quote anywhere in the record's text is rare: screen for it
            if len(kept) == 1:
                if '"' in kept[0]:
                    self._stray_quotes(record, kept[0], kept, start)
            elif kept and '"' in (raw := "".join(kept)):
                self._stray_quotes(record, raw, kept, start)
            yield record, self._row, start, lines.line

    def _stray_quotes(self, record: list[str], raw: str, kept: list[str], start: int) -> None:
        """Note every unquoted field of a parsed record that holds a quote (``An"n``)."""
        notes = self.notes
        for column, at in stray_quotes(record, raw, self.notes.delimiter):
            notes.stray_quote_count += 1
            if len(notes.stray_quotes) < MAX_EVENTS:
                notes.stray_quotes.append(StrayQuote(self._row, start + _line_index(kept, at), column,
                                                     record[column - 1][:TEXT_KEEP]))

    def _malformed(self, message: str, start: int) -> RowNote:
        kept = list(self.lines.record)
        end = self.lines.line
        row = self._row
        delimiter = self.notes.delimiter
        if message.startswith(("unexpected end of data", "field larger")):
            opened, column = _quote_opening(kept, delimiter, start)
            if message.startswith("field larger"):
                inside = [0, 0, 0]  # line breaks inside the record's quoted values (HS406 leaves them)
                chars = [0]
                skipped = self._resync(kept, inside, chars)
                if skipped is None:  # quote never closed before the end of the file
                    return RowNote("unclosed-quote", row, opened, self.lines.line, column=column,
                                   detail="quote is never closed",
                                   lines_lost=self.lines.line - opened)
                detail = f"a field is longer than {FIELD_LIMIT:,} characters (its record holds {chars[0]:,})"
                if column is None and len(kept) == 1:  # the long field is unquoted, on one line
                    line = kept[0]
                    lengths = field_lengths(line, delimiter, len(line) - _break_size(line))
                    long = next((i for i, n in enumerate(lengths) if n > FIELD_LIMIT), None)
                    if long is not None:
                        column = long + 1
                        detail = f"a field is {lengths[long]:,} characters long (more than {FIELD_LIMIT:,})"
                return RowNote("field-too-large", row, start, end + skipped, column=column, detail=detail,
                               breaks=(inside[0], inside[1], inside[2]))
            return RowNote("unclosed-quote", row, opened, end, column=column,
                           detail="quote is never closed", lines_lost=max(0, end - opened))
        state = scan(kept, delimiter, stop_on_error=True)
        text = ""
        if state.error_at is not None:
            text = "".join(kept)[state.field_at: state.error_at + 1][-TEXT_KEEP:]
        cells = _lenient(kept, delimiter)  # (before the rest of the record is consumed)
        taken, breaks = self._rest_of_record(kept)
        return RowNote("bad-quote", row, start, end + taken, column=state.error_field, detail=message,
                       text=text, breaks=breaks, cells=cells)

    def _rest_of_record(self, kept: list[str]) -> tuple[int, tuple[int, int, int]]:
        """Lines of a record with a bad quote that follow the line the csv module gave up on,
        and the line breaks inside its quoted values (CRLF, LF, CR).

        The csv module resumes on the next line. Read leniently instead (text after a closing
        quote joins the field, as Excel, pyarrow and the csv module's non-strict mode read it), a
        quoted value may still be open at the end of that line, say a two-line note after
        ``"Acme"Inc``: its lines belong to this record, and are consumed here, so that the rows
        after it keep their numbers. Returns how many lines were consumed (0 almost always)."""
        delimiter = self.notes.delimiter
        inside = [0, 0, 0]
        state = None
        for line in kept:  # line by line: a line that ends inside a value ends no record
            state = scan([line], delimiter, state=state)
            _count_break(inside, line, state.in_quotes)
        taken = 0
        while state is not None and state.in_quotes:
            more = next(self.lines, None)
            if more is None:  # the file ends inside the value: the record runs to its end
                self.open_at_end = True
                break
            state = scan([more], delimiter, state=state)  # a long record costs one pass
            _count_break(inside, more, state.in_quotes)
            taken += 1
        return taken, (inside[0], inside[1], inside[2])

    def _resync(self, kept: list[str], inside: list[int], chars: list[int]) -> int | None:
        """After an oversized field, skip lines until the record's quotes balance, counting into
        ``inside`` the line breaks that fall inside quoted values and into ``chars`` the record's
        characters.

        Returns the lines skipped, or None if the file ended inside the quotes.
        """
        quotes = 0
        for line in kept:
            quotes += line.count('"')
            chars[0] += len(line)
            _count_break(inside, line, quotes % 2 == 1)
        skipped = 0
        while quotes % 2:
            more = next(self.lines, None)
            if more is None:
                return None
            quotes += more.count('"')
            chars[0] += len(more)
            _count_break(inside, more, quotes % 2 == 1)
            skipped += 1
        return skipped

    def chunks(self, seed: Records | None = None, keep_tail: bool = False) -> Iterator[Chunk]:
        """Chunks of the rest of the file.

        ``seed``: records another reader read but did not emit yet (they start the first chunk);
        ``keep_tail``: leave the last, partial chunk's records in ``self.tail`` instead of
        emitting them. With both, a reader taking over part of a file cuts chunks exactly where
        one reader reading the whole file would.
        """
        width = self._width
        good, rows, starts, notes = seed if seed is not None else ([], [], [], [])
        # a chunk's records (a list each) and notes are made with the cycle collector off, and
        # it is on while the chunk is checked (a file of ragged rows spent 13% of its time in it)
        # and for one record after each PAUSE_FIELDS fields read (``FieldPause``)
        pause = FieldPause()
        try:
            for item in self._records():
                if keep_tail:  # (a piece of a fast read: where its records end, for the progress bar)
                    self.tail_ends.append(item.end_line if isinstance(item, RowNote) else item[3])
                if isinstance(item, RowNote):
                    add_note(notes, item)
                else:
                    record, row, line, end = item
                    if len(record) == width and (width > 1 or (width == 1 and record[0].strip())):
                        good.append(record)
                        rows.append(row)
                        starts.append(line)
                    else:
                        add_note(notes, _odd_record(record, row, line, end))
                if len(good) >= self.chunk_rows or len(notes) >= note_limit(self.chunk_rows):
                    pause.release()  # (the chunk's frame, a few containers, is made with it on)
                    chunk = self._chunk(good, rows, starts, notes, width, self.lines.offset())
                    good, rows, starts, notes = [], [], [], []
                    yield chunk
                    pause.hold()
                else:
                    pause.count(len(item.cells or item.sample) if isinstance(item, RowNote) else len(item[0]))
        finally:
            pause.release()
        self.notes.records = self._row - (self._header_rows if self._row else 0)
        if keep_tail:
            self.tail = (good, rows, starts, notes)
        elif good or notes:
            yield self._chunk(good, rows, starts, notes, width, self.lines.offset())

    @staticmethod
    def _chunk(good: list[list[str]], rows: list[int], starts: list[int], notes: list[RowNote],
               width: int, end: int) -> Chunk:
        frame = string_frame(list(zip(*good, strict=True)), rows) if good else empty_frame(width)
        return Chunk(frame, np.asarray(starts, dtype=np.int64), tuple(notes), end=end)


def _odd_record(record: list[str], row: int, line: int, end: int) -> RowNote:
    if not record or (len(record) <= 1 and not record[0].strip()):
        return RowNote("blank", row, line, end, fields=len(record))
    return RowNote("ragged", row, line, end, fields=len(record),
                   sample=tuple(f[:100] for f in record[:SAMPLE_FIELDS]), cells=tuple(record))


def _quote_opening(lines: list[str], delimiter: str, start: int) -> tuple[int, int | None]:
    """Line and field where the quote that is still open at the end of ``lines`` began."""
    state = scan(lines, delimiter)
    if state.open_line is None:
        return start, None
    return start + state.open_line, state.open_field


def stray_quotes(record: list[str], raw: str, delimiter: str) -> Iterator[tuple[int, int]]:
    """(field number, offset in ``raw``) of each unquoted field of ``record`` holding a quote.

    ``record`` is what the strict csv module parsed from ``raw`` (the record's text), so a field
    is quoted exactly when its text starts with a quote, and then takes ``len(value)`` plus
    its quotes doubled plus two characters; an unquoted one takes ``len(value)``.
    """
    pos = 0
    for i, value in enumerate(record):
        if pos >= len(raw):  # the rest of a huge record was not kept
            return
        if raw.startswith('"', pos):
            pos += len(value) + value.count('"') + 2
        else:
            if '"' in value:
                yield i + 1, pos + value.index('"')
            pos += len(value)
        pos += len(delimiter)


def _line_index(lines: list[str], at: int) -> int:
    """Which of ``lines`` (0 = the first) character ``at`` of their text is on."""
    for i, line in enumerate(lines):
        if at < len(line):
            return i
        at -= len(line)
    return max(0, len(lines) - 1)


def _break_size(line: str) -> int:
    """How many characters the line break at the end of ``line`` takes (what ``rstrip("\\r\\n")``
    would cut: a line ends in at most one break)."""
    return 2 if line.endswith("\r\n") else 1 if line.endswith(("\r", "\n")) else 0


def _count_break(inside: list[int], line: str, in_value: bool) -> None:
    """Count ``line``'s break in ``inside`` (CRLF, LF, CR) where it falls inside a value."""
    if in_value:
        kind = 0 if line.endswith("\r\n") else 1 if line.endswith("\n") else 2 if line.endswith("\r") else None
        if kind is not None:
            inside[kind] += 1


def _lenient(lines: list[str], delimiter: str) -> tuple[str, ...]:
    """The fields of a record with a bad quote, read the lenient way (text after a closing quote
    joins the field, as Excel, pyarrow and the csv module's non-strict mode read it): a header
    ``"Email" ,Name`` has the columns ``Email `` and ``Name``, not none. Nothing where the record
    was kept only in part, or the lenient read fails too."""
    if sum(map(len, lines)) >= RECORD_KEEP_CHARS:
        return ()
    try:
        fields = next(csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False), [])
    except csv.Error:  # a field over the csv module's limit
        return ()
    return tuple(fields)
