"""One segment of the fast CSV reader: parsed by pyarrow, its records hashed, checked against its framing.

``_read`` and ``_hash_rows`` run on the parser threads (``_Flight``: a segment handed to them);
``_Segments._complete`` takes a parsed segment's rows, lines and notes on the reader's thread,
re-reading its ragged records with the csv module (``_ragged_records``), noting its blank
records and stray quotes as the exact reader notes them, and raises Anomaly where pyarrow and
the framing disagree.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from validator.readers.base import (
    MAX_EVENTS,
    TEXT_KEEP,
    FieldPause,
    RecordHasher,
    RowNote,
    StrayQuote,
    add_note,
)
from validator.readers.csv_exact import _odd_record
from validator.readers.csv_fast_buffer import MAX_SEGMENT, _Buffer
from validator.readers.csv_fast_pending import Hashes
from validator.readers.framing import Anomaly, Framed, inside_quotes, written_records
from validator.readers.text import KEEP_UTF8, PY_SPACE, note_utf8_events
from validator.readers.written import byte_views, written_rows_at

PA_BLOCK = 1 << 20


RAGGED_BLOCK = 1 << 19  # bytes of records whose delimiters are placed at once (``_record_blocks``)


def _record_blocks(framed: Framed) -> Iterator[tuple[int, int]]:
    """The segment's records in runs of about ``RAGGED_BLOCK`` bytes (one record at least): (first,
    end) record indices. A segment of a 500-column file holds millions of delimiters, whose
    offsets, placed at once, took ~70 MB (four arrays of 8 bytes each)."""
    bounds = np.append(framed.starts, framed.size)
    n, first = len(framed.starts), 0
    while first < n:
        end = min(n, max(first + 1, int(np.searchsorted(bounds, bounds[first] + RAGGED_BLOCK, side="right")) - 1))
        yield first, end
        first = end


def _separators(body: np.ndarray, framed: Framed, delimiter: int, first: int, end: int) -> np.ndarray:
    """Offsets, from the start of record ``first``, of the field separators of records ``first``
    to ``end`` (exclusive). The framing has proved every quote well placed, so a delimiter is a
    separator exactly when an even number of field quotes (stray ones set aside) precede it; a
    record starts outside quotes, so they are counted from there."""
    low = int(framed.starts[first])
    high = int(framed.starts[end]) if end < len(framed.starts) else framed.size
    quotes = framed.quotes
    inside = quotes[np.searchsorted(quotes, low): np.searchsorted(quotes, high)] - low
    delims = np.flatnonzero(body[low:high] == delimiter)
    return delims[inside_quotes(inside, delims) == 0]


RAGGED_BYTES = "a ragged record with bytes that are not UTF-8"
# A segment that is not UTF-8 is parsed without counting its records' fields first (~8 ms a 4 MB
# one): pyarrow cannot hand its ragged records back (it decodes a row's text for the handler), so
# the first one stops the parse; the records before it are parsed again. From this many stops in
# a file on, each such segment's fields are counted before its parse and its ragged records cut
# out of what pyarrow parses (``_cut``), as if pyarrow had skipped them: the file stays fast.
RAGGED_STOPS = 1


def _odd_records(raw: bytes | bytearray, framed: Framed, delimiter: int, width: int,
                 first_only: bool = False) -> list[tuple[int, int]]:
    """(record index, field count) of each non-blank record whose field count is not ``width``
    (the first alone with ``first_only``), ``RAGGED_BLOCK`` bytes of records at a time."""
    body = np.frombuffer(raw, dtype=np.uint8)
    starts, ends = framed.starts, framed.ends
    out: list[tuple[int, int]] = []
    for first, end in _record_blocks(framed):
        low = int(starts[first])
        bounds = np.append(starts[first:end], starts[end] if end < len(starts) else framed.size) - low
        # the separators before each record's start, differenced: each record's own (one search per
        # record, not one per delimiter)
        fields = np.diff(np.searchsorted(_separators(body, framed, delimiter, first, end), bounds)) + 1
        odd = np.flatnonzero((fields != width) & (ends[first:end] > starts[first:end]))
        out += [(first + k, int(fields[k])) for k in (odd[:1] if first_only else odd).tolist()]
        if first_only and out:
            break
    return out


def _first_ragged(raw: bytes | bytearray, framed: Framed, delimiter: int, width: int) -> int | None:
    """Offset of the first non-blank record whose field count is not ``width`` (None: none)."""
    odd = _odd_records(raw, framed, delimiter, width, first_only=True)
    return int(framed.starts[odd[0][0]]) if odd else None


def _cut(raw: bytes | bytearray, framed: Framed, odd: list[tuple[int, int]]) -> tuple[bytes, list[tuple[int, int]]]:
    """The segment's bytes without the records ``odd`` (index, fields), each with its line end,
    and what pyarrow's handler of invalid rows would have noted of them: (number among the
    non-blank records, from 1; fields)."""
    numbers = np.cumsum(framed.ends > framed.starts)
    view = memoryview(raw)
    pieces, at = [], 0
    for k, _fields in odd:
        pieces.append(view[at:int(framed.starts[k])])
        at = int(framed.starts[k + 1]) if k + 1 < len(framed.starts) else framed.size
    pieces.append(view[at:framed.size])
    return b"".join(pieces), [(int(numbers[k]), fields) for k, fields in odd]


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


def _blank_runs(at: np.ndarray, rows: np.ndarray, framed: Framed) -> list[RowNote]:
    """The notes of a segment's empty records ``at``: one per run of one-line records on
    consecutive lines (add_note's runs), found with numpy rather than a note per line."""
    if not len(at):
        return []
    lines, ends = framed.lines[at], framed.end_lines[at]
    single = lines == ends
    goes_on = (np.diff(at) == 1) & (lines[1:] == ends[:-1] + 1) & single[1:] & single[:-1]
    starts = np.flatnonzero(np.concatenate(([True], ~goes_on)))
    stops = np.append(starts[1:], len(at)) - 1
    return [RowNote("blank", int(rows[at[a]]), int(lines[a]), int(ends[b]), rows=b - a + 1)
            for a, b in zip(starts.tolist(), stops.tolist(), strict=True)]


class _Segments(_Buffer):
    """Takes the rows of a parsed segment (``_complete``)."""

    def _complete(self, flight: _Flight) -> tuple[pa.Table, np.ndarray, np.ndarray, list[RowNote], Hashes,
                                                  tuple[np.ndarray, np.ndarray]]:
        """Rows, lines, notes and record hashes of a parsed segment, and the row and end offset
        of each of its records; Anomaly (at its start) if they disagree."""
        framed, raw = flight.framed, flight.raw
        try:
            table = flight.future.result()
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            # a segment that is not UTF-8 is parsed without a handler of ragged rows: its first one
            # stops pyarrow; the records before it are parsed again, the rest of the file counted
            # (``RAGGED_STOPS``). One whose ragged records were cut out is not looked through again.
            counted = bool(flight.invalid)
            stop = _first_ragged(raw, framed, self._delim, self._width) if flight.binary and not counted else None
            if stop is not None:
                self._ragged_stops += 1
                raise Anomaly(RAGGED_BYTES, framed.size, stop) from exc
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
        # (made with the collector off, on now and then: base.FieldPause)
        with FieldPause(len(numbers) >= 1000) as pause:
            parsed = self._ragged_records(raw, framed, ragged.tolist(), pause)
            for (_number, fields), k, record in zip(flight.invalid, ragged.tolist(), parsed, strict=True):
                odd[k] = True
                if len(record) != fields:
                    raise Anomaly("pyarrow and csv disagree on a record's fields", framed.size, int(framed.starts[k]))
                records[k] = record
                notes.append(_odd_record(record, int(rows[k]), int(framed.lines[k]), int(framed.end_lines[k])))
                pause.count(fields)
        merge = bool(notes) and any(n.kind == "blank" for n in notes)  # blank records the csv module read
        notes += _blank_runs(np.flatnonzero(content == 0), rows, framed)
        good = ~odd
        if int(good.sum()) != table.num_rows:
            raise Anomaly("pyarrow and the framing disagree on the record count", framed.size)
        if len(framed.strays):
            self._note_strays(flight, table, good, rows, records)
        kept = None  # the table's rows left
        if self._width == 1:  # one column: a value of spaces, or "", is a blank row (CsvReader's way)
            table, kept = self._blank_values(table, good, rows, framed, notes)
            merge = True
        notes.sort(key=lambda n: n.row)
        if merge:  # runs of blank records, as add_note makes them
            merged: list[RowNote] = []
            for note in notes:
                add_note(merged, note)
            notes = merged
        if flight.binary:  # the segment's bad bytes, as LineSource notes them
            note_utf8_events(self.notes, raw, flight.offset, flight.line + 1)
        hashes = None
        if flight.hashes is not None:
            values = flight.hashes.result()
            if values is not None and kept is not None:
                values = values[kept]
            if values is not None and len(values) == table.num_rows:
                hashes = (values, np.ones(len(values), bool))
        ends = flight.offset + np.append(framed.starts[1:], framed.size).astype(np.int64)
        return table, rows[good], framed.lines[good], notes, hashes, (rows, ends)

    def _ragged_records(self, raw: bytes | bytearray, framed: Framed, ks: list[int],
                        pause: FieldPause | None = None) -> list[list[str]]:
        """The csv module's fields of records ``ks`` of a segment: all in one reader over the
        records' texts put one per line (each is a whole record, its quotes balanced), or record
        by record should that not give one record each. ``pause`` counts the fields parsed."""
        if not ks:
            return []
        texts = [raw[framed.starts[k]: framed.ends[k]] for k in ks]
        if len(ks) > 1:
            joined = b"\n".join(texts).decode("utf-8", KEEP_UTF8)
            with contextlib.suppress(csv.Error):
                parsed = []
                for record in csv.reader(io.StringIO(joined, newline=""), delimiter=self.delimiter, strict=True):
                    parsed.append(record)
                    if pause is not None:
                        pause.count(len(record))
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
        column = np.empty(len(at), dtype=np.int64)  # each stray's field, from the separators before it
        for begin, end in _record_blocks(framed):
            lo, hi = np.searchsorted(record, [begin, end])
            if hi > lo:
                low = int(framed.starts[begin])
                separators = _separators(body, framed, self._delim, begin, end)
                column[lo:hi] = np.searchsorted(separators, at[lo:hi] - low) - np.searchsorted(
                    separators, framed.starts[record[lo:hi]] - low) + 1
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
