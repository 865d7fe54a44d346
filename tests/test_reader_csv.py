"""The exact CSV reader: row numbers, lines, dialect and values exactly as written."""

from __future__ import annotations

import io

import pytest

from validator.readers.base import ReaderNotes
from validator.readers.csv_exact import CsvReader


def read(data: bytes, *, chunk_rows: int = 1000, expected: int | None = None, skip: int = 0):
    notes = ReaderNotes()
    reader = CsvReader(io.BytesIO(data), notes, chunk_rows=chunk_rows, expected_columns=expected,
                       skip=skip)
    chunks = list(reader.chunks())
    rows: dict[int, list[str]] = {}
    lines: dict[int, int] = {}
    for chunk in chunks:
        for pos, row in enumerate(chunk.frame.index):
            rows[int(row)] = [chunk.frame.iat[pos, i] for i in range(chunk.frame.shape[1])]
            lines[int(row)] = int(chunk.lines[pos])
    row_notes = [n for c in chunks for n in c.notes]
    return reader, notes, rows, lines, row_notes


def test_header_is_row_one_and_data_starts_at_two() -> None:
    reader, _notes, rows, lines, _ = read(b"Email,Name\na@x.com,Ann\nb@x.com,Bob\n")
    assert reader.header.cells == ("Email", "Name")
    assert rows == {2: ["a@x.com", "Ann"], 3: ["b@x.com", "Bob"]}
    assert lines == {2: 2, 3: 3}


def test_frame_is_all_strings_with_positional_columns() -> None:
    _r, _n, _rows, _l, _ = read(b"a,b\n1,2\n")
    notes = ReaderNotes()
    chunk = next(CsvReader(io.BytesIO(b"a,b\n1,2\n"), notes).chunks())
    assert list(chunk.frame.columns) == [0, 1]
    assert all(str(t) == "str" for t in chunk.frame.dtypes)


def test_bom_is_skipped_by_the_caller_and_values_unchanged() -> None:
    # dispatch strips the BOM before the reader (skip counts the bytes for offsets)
    reader, _notes, _rows, _l, _ = read(b"Email,Name\na@x.com,Ann\n")
    assert reader.header.cells[0] == "Email"


@pytest.mark.parametrize("newline", [b"\r\n", b"\r", b"\n"])
def test_line_endings(newline: bytes) -> None:
    data = newline.join([b"Email,Name", b"a@x.com,Ann", b"b@x.com,Bob", b""])
    _reader, notes, rows, lines, row_notes = read(data)
    assert rows == {2: ["a@x.com", "Ann"], 3: ["b@x.com", "Bob"]}
    assert lines == {2: 2, 3: 3}
    assert not row_notes
    assert notes.line_endings[newline.decode()] == 3


def test_quoted_newline_is_one_row_and_lines_move_on() -> None:
    data = b'Email,Note\r\na@x.com,"two\r\nlines"\r\nb@x.com,"x, y"\r\nc@x.com,z\r\n'
    _r, _n, rows, lines, row_notes = read(data)
    assert rows[2] == ["a@x.com", "two\r\nlines"]
    assert rows[3] == ["b@x.com", "x, y"]
    assert rows[4] == ["c@x.com", "z"]
    assert lines == {2: 2, 3: 4, 4: 5}
    assert not row_notes


def test_ragged_rows_are_recorded_not_padded() -> None:
    data = b"a,b,c\n1,2,3\n1,2\n1,2,3,4\n5,6,7\n"
    _r, _n, rows, _l, row_notes = read(data)
    assert sorted(rows) == [2, 5]
    ragged = {(n.row, n.line, n.fields) for n in row_notes if n.kind == "ragged"}
    assert ragged == {(3, 3, 2), (4, 4, 4)}


def test_unclosed_quote_names_the_opening_line() -> None:
    data = b'Email,Note\na@x.com,ok\nb@x.com,"open\nc@x.com,more\nd@x.com,end\n'
    _r, _n, rows, _l, row_notes = read(data)
    assert sorted(rows) == [2]
    (note,) = row_notes
    assert (note.kind, note.row, note.line, note.column) == ("unclosed-quote", 3, 3, 2)


def test_na_none_null_and_leading_zeros_stay_verbatim() -> None:
    data = b"Zip,Flag,Other,Nothing,Empty\n02134,NA,None,null,\n007,N/A,NaN,NULL,  \n"
    _r, _n, rows, _l, _ = read(data)
    assert rows[2] == ["02134", "NA", "None", "null", ""]
    assert rows[3] == ["007", "N/A", "NaN", "NULL", "  "]


@pytest.mark.parametrize(("data", "delimiter"), [
    (b"Email;Name\na@x.com;Ann\n", ";"),
    (b"Email\tName\na@x.com\tAnn\n", "\t"),
    (b'"Last, First",Email\n"Lee, Ann",a@x.com\n', ","),
    (b'"a;b;c",d\n"1;2;3",4\n', ","),
])
def test_delimiter_from_header_outside_quotes(data: bytes, delimiter: str) -> None:
    _r, notes, rows, _l, row_notes = read(data)
    assert notes.delimiter == delimiter
    assert len(rows[2]) == 2 and not row_notes


def test_chunks_keep_row_numbers() -> None:
    data = b"a\n" + b"".join(b"%d\n" % i for i in range(10))
    _r, _n, rows, _l, _ = read(data, chunk_rows=3)
    assert rows == {i + 2: [str(i)] for i in range(10)}


def test_invalid_utf8_is_kept_and_located() -> None:
    data = b"Email,City\na@x.com,Z\xfcrich\n"
    _r, notes, rows, _l, _ = read(data)
    assert rows[2][1] == "Z\udcfcrich"
    (event,) = notes.decode_events
    assert (event.offset, event.line, event.column, event.bytes) == (20, 2, 10, b"\xfc")


def test_quote_inside_an_unquoted_field_is_kept_as_text_and_noted() -> None:
    data = b'Email,Em"ail,Note\na@x.com,An"n,"she said ""hi"""\nb@x.com,"x\ny", 5" tall\nc@x.com,"Lee, Ann",""\n'
    _r, notes, rows, _l, row_notes = read(data)
    assert rows[2] == ["a@x.com", 'An"n', 'she said "hi"']
    assert rows[3] == ["b@x.com", "x\ny", ' 5" tall']
    assert row_notes == []  # the rows are whole; the quotes are a file note
    assert [(q.row, q.line, q.column, q.value) for q in notes.stray_quotes] == [
        (1, 1, 2, 'Em"ail'), (2, 2, 2, 'An"n'), (3, 4, 3, ' 5" tall')]
    assert notes.stray_quote_count == 3


def test_stray_quotes_past_the_kept_events_are_counted() -> None:
    data = b"Email,Note\n" + b"".join(b'u%d@x.com,5" wide\n' % i for i in range(1005))
    _r, notes, _rows, _l, _ = read(data)
    assert notes.stray_quote_count == 1005
    assert len(notes.stray_quotes) == 1000 and notes.stray_quotes[-1].row == 1001


@pytest.mark.parametrize(("field", "text"), [
    (b'"say \\"hi\\" now"', '"say \\"h'),  # MySQL's escaping: the second quote closes the field
    (b'"Acme" Inc', '"Acme" '),
    (b'"' + b"x" * 300 + b'"y', "x" * 198 + '"y'),  # the last 200 characters
])
def test_bad_quote_note_keeps_the_field_through_the_rejected_quote(field: bytes, text: str) -> None:
    _r, _n, _rows, _l, row_notes = read(b"Email,Note,N\na@x.com," + field + b",1\n")
    (note,) = row_notes
    assert (note.kind, note.row, note.column, note.text) == ("bad-quote", 2, 2, text)


@pytest.mark.parametrize(("record", "breaks", "end_line"), [
    (b'a@x.com,"Acme"Inc,"two\nlines"\r\n', (0, 1, 0), 3),  # the note's LF, read the lenient way
    (b'a@x.com,"Acme"Inc,"one\r\ntwo\r\nthree"\r\n', (2, 0, 0), 4),
    (b'a@x.com,"Acme"Inc,one line\r\n', (0, 0, 0), 2),
    (b'a@x.com,"two\nlines","Acme"Inc\r\n', (0, 1, 0), 3),  # a value over two lines before the bad quote
])
def test_bad_quote_note_counts_the_line_breaks_inside_its_values(record: bytes, breaks: tuple[int, int, int],
                                                                 end_line: int) -> None:
    """A record with a bad quote is a note, its values in no chunk: the note says which line
    breaks fall inside them (HS406 counts those as no record's ending)."""
    _r, _n, rows, _l, row_notes = read(b"Email,Company,Note\r\n" + record + b"b@x.com,Bo,x\r\n")
    (note,) = row_notes
    assert (note.kind, note.row, note.line, note.end_line, note.breaks) == ("bad-quote", 2, 2, end_line, breaks)
    assert rows == {3: ["b@x.com", "Bo", "x"]}


def test_records_are_gathered_with_the_cycle_collector_paused(monkeypatch) -> None:
    """A chunk's records and notes (lists and tuples, no cycles) are made with the collector
    off, and it is on again while the chunk is checked, after the last one, and when the
    reader is dropped half way (a file of ragged rows spent 13% of its time collecting)."""
    import gc

    import validator.readers.csv_exact as exact

    during: list[bool] = []
    odd = exact._odd_record
    monkeypatch.setattr(exact, "_odd_record", lambda *a: (during.append(gc.isenabled()), odd(*a))[1])
    data = b"a,b\n" + b"1,2,3\n1,2\n" * 50
    reader = CsvReader(io.BytesIO(data), ReaderNotes(), chunk_rows=10)
    held = []
    for chunk in reader.chunks():
        held.append(gc.isenabled())
        assert len(chunk.frame) + len(chunk.notes)
    assert gc.isenabled() and len(held) > 5 and all(held)
    assert len(during) == 50 and not any(during)
    gen = CsvReader(io.BytesIO(data), ReaderNotes(), chunk_rows=10).chunks()
    next(gen)
    gen.close()
    assert gc.isenabled()
    gc.disable()
    try:  # off before: left off, never turned on by the reader
        assert all(not gc.isenabled() for _ in CsvReader(io.BytesIO(data), ReaderNotes(), chunk_rows=10).chunks())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_cycle_collector_is_on_for_a_record_after_each_few_thousand_fields() -> None:
    """The collector is the whole process's: a chunk of 50,000 records read with it off held a
    pipeline's other threads without it for up to 2 s (a 13-column file, in a library
    ``validate()``). It is on again for one record once PAUSE_FIELDS fields were read."""
    import gc
    from itertools import groupby

    from validator.readers.base import PAUSE_FIELDS

    data = b"h" + b",h".join(b"%d" % i for i in range(13)) + b"\n" + b"a,b,c,d,e,f,g,h,i,j,k,l,m\n" * 10_000

    def states() -> list[bool]:
        """gc.isenabled() as each record was parsed."""
        reader = CsvReader(io.BytesIO(data), ReaderNotes())
        records = reader._records
        seen: list[bool] = []
        reader._records = lambda: ((seen.append(gc.isenabled()), item)[1] for item in records())  # type: ignore[method-assign]
        assert sum(len(c.frame) for c in reader.chunks()) == 10_000
        return seen

    seen = states()
    on = [i + 2 for i, state in enumerate(seen) if state]  # (rows: the header is row 1)
    assert len(seen) == 10_000 and gc.isenabled()
    assert on == [2523, 5044, 7565]  # (the records after those that reached 32,768 fields: 2,521 records)
    assert max(len(list(run)) for state, run in groupby(seen) if not state) == -(-PAUSE_FIELDS // 13)
    gc.disable()
    try:  # off before: left off, never turned on by the reader
        assert not any(states()) and not gc.isenabled()
    finally:
        gc.enable()
