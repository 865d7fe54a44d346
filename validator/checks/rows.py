"""Row structure rules (HS11x): records the reader could not turn into full-width rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from validator.checks._facts import maybe_blank
from validator.checks.base import Hit, Rule, deferred, quote
from validator.checks.header_sep import reports_sep_line
from validator.checks.header_title import title_header
from validator.checks.typed import cached
from validator.context import FileContext
from validator.findings import Finding, Severity, first_data_row
from validator.held import span
from validator.readers.base import Chunk, RowNote
from validator.readers.written import written_text
from validator.records import key_columns, keys_read, record_key


def _notes(chunk: Chunk, kind: str) -> Iterator[RowNote]:
    return (n for n in chunk.notes if n.kind == kind)


def _header_note(file: FileContext, kind: str) -> tuple[RowNote, ...]:
    """The header record's own problem where it is of this kind: reported at row 1, as a data
    row's would be at its row."""
    note = file.header.note if file.header is not None else None
    return (note,) if note is not None and note.kind == kind else ()


class RaggedRow(Rule):
    """A row has more or fewer fields than the header.

    Why: HubSpot rejects such a row with INCORRECT_NUMBER_OF_COLUMNS. Readers that "repair" it
    (pandas pads short rows, and shifts every column of a long first row) would import values
    into the wrong properties.
    Example: header `Email,Name` and a row `ann@example.com,Ann,extra`, often an unquoted comma
    inside a value (`Acme, Inc.`). The finding shows the row's first fields as the file writes
    them (`b@x.com;Bo` in a semicolon-separated file).
    Under Excel's `sep=,` line (HS108), which HubSpot reads as a header of two cells, a row is
    ragged when its width differs from the line under it (the real header, row 2): every row
    is longer than the `sep=` line, and deleting that line mends them all. Likewise under a
    title or preamble (HS608): a row below the header the mappings name is ragged when its width
    differs from that header's, and the lines above it are the title's.
    Fix: quote values that contain the delimiter (`"Acme, Inc."`), or add the missing fields.
    """

    code = "HS110"
    name = "ragged-row"
    hubspot_error = "INCORRECT_NUMBER_OF_COLUMNS"

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.sep_width: int | None = None  # under a `sep=` line: the width of the row under it
        # under a title (HS608): the row of the header the mappings name, and its width
        self.title: tuple[int, int] | None = None
        self.first = True  # the file's first chunk is still to come (where HS608 finds the title's header)

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.sep_width, self.title, self.first = None, None, True
        yield from ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        ragged = list(_notes(chunk, "ragged"))
        if self.first:
            self.first = False
            found = title_header(file, chunk)
            self.title = None if found is None else (found.row, found.width)
        if self.sep_width is None and reports_sep_line(file):
            rows = [(n.row, n.fields) for n in ragged] + [(int(r), file.width) for r in chunk.frame.index[:1]]
            self.sep_width = min(rows)[1] if rows else None
        width = self.sep_width
        if self.title is not None:  # the title's rows, down to the header the mappings name, are HS608's
            at, width = self.title
            ragged = [n for n in ragged if n.row > at and n.fields != width]
            if width != file.width:  # rows as wide as the title are narrower or wider than the real header
                ragged = sorted(ragged + [n for n in _full_rows(chunk) if n.row > at], key=lambda n: n.row)
        elif width is not None:
            ragged = [n for n in ragged if n.fields != width]
            if width != file.width:  # rows as wide as the `sep=` line are narrower or wider than the real header
                ragged = sorted(ragged + list(_full_rows(chunk)), key=lambda n: n.row)
        if ragged:  # made into findings only as far as the per-rule cap keeps them
            title = self.title
            yield deferred(self, file.name, [n.row for n in ragged],
                           lambda i: self._finding(ragged[i], file, width, title))

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        self.sep_width, self.title = None, None
        yield from ()

    def _finding(self, n: RowNote, file: FileContext, sep_width: int | None,
                 title: tuple[int, int] | None = None) -> Finding:
        # as the file writes it: with its delimiter, quoted where a value needs it (a sheet's cells with commas)
        sample = written_text(n.sample, file.notes.delimiter) if file.notes.kind == "csv" else ",".join(n.sample)
        width = file.width if sep_width is None else sep_width
        more = "more" if n.fields > width else "fewer"
        column = min(n.fields, width) + 1 if n.fields > width else n.fields + 1
        column = n.column or column  # a spreadsheet names the last cell with data
        # the width is the header's, or without a header row (hasHeader false) the mappings' count
        than = (f"the {width} of the header on row {title[0]}, under the title (HS608)" if title is not None
                else f"the {width} of the header under Excel's sep= line" if sep_width is not None
                else f"the header's {width}" if file.header is not None
                else f"the {width} column{'' if width == 1 else 's'} mapped")
        return self.finding(
            f"row has {n.fields} field{'' if n.fields == 1 else 's'}, {more} than {than}",
            file=file, row=n.row, line=n.line, column=column, value=sample,
            hint="quote values that contain the delimiter, or add the missing fields")


def _full_rows(chunk: Chunk) -> Iterator[RowNote]:
    """The chunk's full-width rows as ragged notes (under a `sep=` line, whose width they have)."""
    frame = chunk.frame
    lines = chunk.lines if len(chunk.lines) == len(frame) else [0] * len(frame)
    cells = [frame[c].tolist() for c in frame.columns]
    for i, (row, line) in enumerate(zip(frame.index, lines, strict=True)):
        record = tuple(str(col[i]) for col in cells)
        yield RowNote("ragged", int(row), int(line), int(line), fields=len(record), sample=record[:5], cells=record)


class UnclosedQuote(Rule):
    """A quoted field is never closed.

    Why: everything after an unclosed quote reads as one giant value. HubSpot fails the row
    (COULD_NOT_PARSE_ROW) and the rows after it are lost; lenient readers hide this by silently
    swallowing the rest of the file into one cell.
    Example: `ann@example.com,"Ann` with no closing quote.
    Fix: close the quote, or double a quote that belongs to the text (`"Ann ""The Boss"" Lee"`).
    """

    code = "HS111"
    name = "unclosed-quote"
    hubspot_error = "COULD_NOT_PARSE_ROW"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        yield from self._findings(_header_note(file, "unclosed-quote"), file)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        yield from self._findings(_notes(chunk, "unclosed-quote"), file)

    def _findings(self, notes: Iterable[RowNote], file: FileContext) -> Iterator[Hit]:
        for n in notes:
            lost = f"; the {n.lines_lost} line(s) after it could not be read" if n.lines_lost else ""
            yield self.finding(f"quote opened at line {n.line} is never closed{lost}",
                               file=file, row=n.row, line=n.line, column=n.column)


class MalformedQuote(Rule):
    """A quoted field is followed by text before the next delimiter.

    Why: in CSV a closing quote must be followed by a delimiter or the end of the line; text
    after it (`"Ann"x`) is read differently by different parsers. HubSpot reports
    COULD_NOT_PARSE_ROW.
    A quote written `\\"` inside a quoted field (MySQL's and many programming languages'
    escaping, not CSV's) ends the field early, so it is reported here, and said so. The row
    is read to its end the lenient way (text after the closing quote joins the field, as Excel
    and most parsers read it), so a quoted value on several lines later in the row stays in it
    and the rows after keep their numbers.
    Example: `"Acme" Inc,ann@example.com`; `"say \\"hi\\" now"` from a MySQL export.
    Fix: put the whole value inside the quotes: `"Acme Inc"`; write a quote inside a quoted
    value as two quotes (RFC 4180): `"say ""hi"" now"`, not `\\"`.
    """

    code = "HS112"
    name = "malformed-quote"
    hubspot_error = "COULD_NOT_PARSE_ROW"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        yield from self._findings(_header_note(file, "bad-quote"), file)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        yield from self._findings(_notes(chunk, "bad-quote"), file)

    def _findings(self, notes: Iterable[RowNote], file: FileContext) -> Iterator[Hit]:
        for n in notes:
            if backslash_escaped(n.text):
                yield self.finding(
                    f"row cannot be parsed: {n.detail}; the quote in {quote(n.text)} looks "
                    "backslash-escaped (\\\"), which CSV does not use", file=file, row=n.row,
                    line=n.line, column=n.column, value=n.text,
                    hint='write a quote inside a quoted value as two quotes (""), as RFC 4180 does, '
                         'not as \\"')
            else:
                yield self.finding(f"row cannot be parsed: {n.detail}", file=file, row=n.row,
                                   line=n.line, column=n.column, value=n.text or None)


def backslash_escaped(text: str) -> bool:
    """Whether the quote before the last character of a bad-quote note's text is escaped
    with a backslash (an odd run of backslashes before it: ``\\\\"`` is a backslash, then a quote)."""
    if len(text) < 3 or text[-2] != '"':
        return False
    body = text[:-2]
    return (len(body) - len(body.rstrip("\\"))) % 2 == 1


class StrayQuote(Rule):
    """A quote stands inside a field that does not start with one.

    Why: only a field that starts with a quote is quoted in CSV (RFC 4180); a quote later in an
    unquoted field is text to Python's csv module and to pandas, but other parsers read it as
    the start of a quoted field or reject the row (csvlint's `stray_quote`). Whether HubSpot's
    parser keeps it as text is not documented [I], so this is a warning. It is also a common
    sign of a value cut short by a broken export, or of a space before an opening quote.
    Example: `ann@example.com,An"n` or `ann@example.com, "Lee, Ann"`.
    Fix: quote the whole value and double the quote inside it (`"An""n"`), or drop the quote; for a
    space before an opening quote, remove the space.
    """

    code = "HS117"
    name = "stray-quote"
    severity = Severity.WARNING

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.keys: dict[int, str] = {}  # data row -> its record key, made while the row was read
        self.next = 0  # the first of the file's listed stray quotes whose row no chunk has reached

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.keys, self.next = {}, 0
        yield from ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        # the reader notes a row's stray quotes before it gives the chunk holding the row, so the
        # rows this chunk reached are the next ones in the list. It may be reading the next chunk
        # meanwhile (on another thread): noting later rows, or dropping the notes of a segment it
        # reads again (never those of a row given), so an item past this chunk may go as it is read
        listed = file.notes.stray_quotes
        if self.next >= len(listed):  # (none noted past those keyed: most files, most chunks)
            return
        first, last = span(chunk)
        data = first_data_row(file.spec.has_header)  # (a stray quote in the header row has no record)
        at: list[int] = []
        i = self.next
        while True:
            try:
                row = listed[i].row
            except IndexError:
                break
            if row > last:
                break
            if row >= first and row >= data and row not in self.keys:
                at.append(row)
            i += 1
        self.next = i
        if at:
            self.keys.update(zip(at, keys_read(chunk, file, at), strict=True))
        yield from ()

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        notes = file.notes
        keys, self.keys, self.next = self.keys, {}, 0
        opened: dict[int, list[int]] = {}  # row -> columns of fields whose quote follows spaces
        for q in notes.stray_quotes:
            fixed = '"' + q.value.replace('"', '""') + '"'
            hint = (f"quote the whole value and double the quote inside it: {quote(fixed)[1:-1]}, "
                    "or drop the quote")
            before = [c for c in opened.get(q.row, ()) if c < q.column]
            if q.value[:1].isspace() and q.value.lstrip().startswith('"'):
                opened.setdefault(q.row, []).append(q.column)
                hint = ("remove the space before the opening quote: the field is then quoted, delimiters "
                        "inside it included")
            elif q.value.endswith('"') and before:
                hint = (f"the rest of the value begun in column {before[-1]}, cut at a delimiter: remove the "
                        "space before that value's opening quote")
            yield self.finding(
                f"quote inside an unquoted field: {quote(q.value)} is read with the quote as text "
                "here, but other parsers may read it as the start of a quoted field",
                file=file, row=q.row, line=q.line, column=q.column, value=q.value, hint=hint,
                key=keys.get(q.row))  # (reported after its row's chunk has gone: its record's key)
        if notes.stray_quote_count > len(notes.stray_quotes):
            yield self.finding(
                f"{notes.stray_quote_count:,} fields have a quote inside an unquoted value; "
                f"the first {len(notes.stray_quotes):,} are listed", file=file)


class BlankRow(Rule):
    """A row is blank: an empty line, or only delimiters.

    Why: a blank row imports nothing; HubSpot skips it or reports an error for a row whose
    objects have no values. Blank lines inside the data often mean a file was concatenated or
    cut by hand, and rows after them may be misaligned.
    Example: an empty line between two contacts, or `,,,` at the end of an Excel export.
    Fix: delete the blank rows.
    """

    code = "HS113"
    name = "blank-row"
    severity = Severity.WARNING

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        # the open run of blank rows: (row, line, cells) where it starts, its last row, its length
        self.run: list[tuple[int, int, tuple[str, ...]]] = []
        self.end = 0
        self.count = 0
        self.first = True  # the file's first chunk is still to come (where HS608 finds a title's header)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        # a note may stand for a run of rows (the rows a sparse sheet does not have)
        # (row, line, rows, the note's cells or the frame position of an empty row)
        blank: list[tuple[int, int, int, tuple[str, ...] | int]] = [
            (n.row, n.line, n.rows, tuple(n.cells or n.sample)) for n in chunk.notes if n.kind == "blank"]
        blank += [(int(chunk.rows[i]), int(chunk.lines[i]), 1, i) for i in empty_rows(chunk).tolist()]
        if self.first:
            self.first = False
            found = title_header(file, chunk) if blank else None
            if found is not None:  # blank lines between a title and the header the mappings name are HS608's
                blank = [b for b in blank if b[0] > found.row]
        if not blank and not self.run:
            return
        blank.sort(key=lambda b: b[0])
        last_row = max([*chunk.rows[-1:].tolist(), *(n.row for n in chunk.notes)], default=0)
        for row, line, count, source in blank:
            if self.run and row != self.end + 1:
                yield self._flush(file)
            if not self.run:  # a run's first row: its cells (only these) are kept for its key
                cells = source if isinstance(source, tuple) else \
                    tuple(str(v) for v in chunk.frame.iloc[source].tolist())
                self.run = [(row, line, cells)]
            self.end = row + count - 1
            self.count += count
        if self.run and self.end < last_row:
            yield self._flush(file)

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        self.first = True
        if self.run:
            yield self._flush(file)

    def _flush(self, file: FileContext) -> Hit:
        (row, line, cells), n, end = self.run[0], self.count, self.end
        self.run, self.count = [], 0
        text = "row is blank" if n == 1 else f"{n} blank rows (rows {row}-{end})"
        # the record key from the run's first row, kept when the run began: a run that goes on
        # into a later chunk is reported after that row's chunk (and its cells) has gone
        # (a run of blank rows has no content to key it by: its first row and its length)
        key = (f"row:{row}" if n == 1 else f"row:{row}+{n}") if not any(c.strip() for c in cells) \
            else record_key(cells, key_columns(file))
        return self.finding(text, file=file, row=row, line=line, key=key)


class OversizedField(Rule):
    """A field is longer than the CSV reader's limit of 131,072 characters.

    Why: HubSpot stores at most 65,536 characters in a text property and fails longer cells with
    COLUMN_TOO_LARGE. A field this long is also the usual sign of a stray quote that swallowed
    many lines.
    Example: a notes column holding a whole e-mail thread with attachments inlined.
    Fix: shorten the value, or check the quotes in the rows before it.
    """

    code = "HS114"
    name = "oversized-field"
    hubspot_error = "COLUMN_TOO_LARGE"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        yield from self._findings(_header_note(file, "field-too-large"), file)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        yield from self._findings(_notes(chunk, "field-too-large"), file)

    def _findings(self, notes: Iterable[RowNote], file: FileContext) -> Iterator[Hit]:
        for n in notes:
            yield self.finding(f"{n.detail} (lines {n.line}-{n.end_line})", file=file, row=n.row,
                               line=n.line, column=n.column)


class NoDataRows(Rule):
    """The file has a header row but no data rows.

    Why: there is nothing to import; HubSpot starts the import and ends it with no records, or
    fails it. Usually the wrong file was exported.
    Example: a CSV holding only `Email,First Name`.
    Fix: export the records again, or drop the file from the request.
    """

    code = "HS115"
    name = "no-data-rows"

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.records = 0

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        self.records += len(chunk) + sum(1 for n in chunk.notes if n.kind != "blank")
        yield from ()

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        if (file.readable and not file.notes.empty and file.header is not None and self.records == 0
                and any((c or "").strip() for c in file.header.cells)):
            yield self.finding("the file has a header row but no data rows", file=file)
        self.records = 0


class EmptyFile(Rule):
    """The file is empty: no bytes, or only a byte order mark, blank lines or spaces.

    Why: HubSpot needs a header row and at least one data row; an empty file fails the import.
    The file's other findings (a blank header, blank rows) say the same: only this one is kept.
    Example: a 0-byte `contacts.csv` left by an export that crashed.
    Fix: export the data again.
    """

    code = "HS116"
    name = "empty-file"

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.content = 0

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        self.content += len(chunk) - len(empty_rows(chunk))
        self.content += sum(1 for n in chunk.notes if n.kind != "blank")
        yield from ()

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        content, self.content = self.content, 0
        if not file.readable:
            if file.sniff is not None and file.sniff.kind == "empty":
                yield self.finding("the file is empty (0 bytes)", file=file)
            return
        header_blank = file.header is None or not any((c or "").strip() for c in file.header.cells)
        if file.notes.empty:
            yield self.finding("the file has no content" + (" but a byte order mark" if file.notes.bom else ""),
                               file=file)
        elif header_blank and content == 0 and file.spec.has_header:
            yield self.finding("the file holds only blank lines or spaces", file=file)


def empty_rows(chunk: Chunk) -> np.ndarray:
    """Positions of frame rows whose every cell is empty or spaces (narrowed column by column),
    once per chunk (two rules ask).

    The first column's byte screen leaves the rows whose cell is empty or starts with a byte a
    space character starts with; each column then tests only the rows still blank.
    """
    def make() -> np.ndarray:
        frame = chunk.frame
        if not frame.shape[1]:
            return np.arange(0)
        candidates = np.flatnonzero(maybe_blank(chunk, 0))
        for i in range(frame.shape[1]):
            if not len(candidates):
                break
            candidates = candidates[_blank(chunk.column(i).iloc[candidates])]
        return candidates
    return cached(chunk, ("empty-rows",), make)


def _blank(cells: Any) -> np.ndarray:
    """Empty or whitespace only (the same as ``strip() == ""``), without building new strings."""
    return ((cells.str.len() == 0) | cells.str.isspace()).to_numpy(dtype=bool)
