"""Runs of blank lines: one note per run in both CSV readers, each blank row still reported."""

from __future__ import annotations

import io
from pathlib import Path

from validator import Config, validate
from validator.readers.base import ReaderNotes, RowNote
from validator.readers.csv_exact import CsvReader
from validator.readers.csv_fast import FastCsvReader

HEADER = b"Email,Name\n"


def _notes(reader_class: type, data: bytes, chunk_rows: int, **kw: int) -> list[tuple[RowNote, ...]]:
    reader = reader_class(io.BytesIO(data), ReaderNotes(), chunk_rows=chunk_rows, **kw)
    return [c.notes for c in reader.chunks()]


def test_a_run_of_blank_lines_is_one_note_across_segments() -> None:
    data = HEADER + b"a@x.com,A\n" + b"\n" * 5000 + b"b@x.com,B\n" + b"\r\n" * 3 + b",\n"
    run = RowNote("blank", 3, 3, 5002, rows=5000)
    crlf = RowNote("blank", 5004, 5004, 5006, rows=3)
    fast = _notes(FastCsvReader, data, 50_000, segment=1024)  # the run spans several segments
    assert fast == [(run, crlf)]
    assert _notes(CsvReader, data, 50_000) == fast


def test_a_chunk_cut_inside_a_run_splits_it_in_both_readers() -> None:
    # chunk_rows 10: a chunk holds at most 2 notes, and is cut at the first row of its second
    # (as a reader line by line emits it); the rest of that run starts the next chunk
    data = HEADER + b"a@x.com,A\n\n\nb@x.com,B\n\n\nc@x.com,C\n" + b"\n" * 20 + b"d@x.com,D\n"
    fast = _notes(FastCsvReader, data, 10, segment=64)
    assert fast == [(RowNote("blank", 3, 3, 4, rows=2), RowNote("blank", 6, 6, 6)),
                    (RowNote("blank", 7, 7, 7), RowNote("blank", 9, 9, 9)),
                    (RowNote("blank", 10, 10, 28, rows=19),)]
    assert _notes(CsvReader, data, 10) == fast


def test_blank_lines_are_reported_as_runs_at_their_rows(tmp_path: Path) -> None:
    body = b"a@x.com,A\n" + b"\n" * 100_000 + b"b@x.com,B\n" + b"\n" * 2 + b"c@x.com,C\n"
    (tmp_path / "contacts.csv").write_bytes(HEADER + body)
    request = {"importOperations": {"0-1": "UPSERT"}, "files": [{"fileName": "contacts.csv", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "Name", "propertyName": "firstname"}]}}]}
    for reader in ("fast", "exact"):
        report = validate(request, [tmp_path / "contacts.csv"], Config(reader=reader))
        found = [(f.code, f.row, f.line, f.column, f.message) for f in report.findings if f.code == "HS113"]
        assert found == [("HS113", 3, 3, None, "100000 blank rows (rows 3-100002)"),
                         ("HS113", 100004, 100004, None, "2 blank rows (rows 100004-100005)")], reader


def test_a_blank_run_the_exact_reader_reads_for_the_fast_one_ends_each_chunk_where_its_rows_end() -> None:
    # a lone \r in a CRLF file sends the second segment to the exact reader; its blank run (rows
    # 5-6) is one note, cut in two by one-row chunks: each chunk ends where its last record ends
    data = b"h0,h1\r\n,\r\n,\r\n,\r\n\r\r,\r\n"
    expected = [10, 13, 16, 17, 18, 21]
    for reader in (CsvReader(io.BytesIO(data), ReaderNotes(), chunk_rows=1),
                   FastCsvReader(io.BytesIO(data), ReaderNotes(), chunk_rows=1, segment=16)):
        assert [c.end for c in reader.chunks()] == expected
