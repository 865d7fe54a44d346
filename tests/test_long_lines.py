"""A line longer than a read block, and a quoted value over the csv module's field limit.

Such a line used to be joined to each new block as it came (a 100 MB line: 100 copies of up to
100 MB) and its quoted value measured by a regex that kept a backtracking entry per character
(12 GB for a 100 MB value). What is reported must not depend on how the line is read.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from validator import Config, validate
from validator.readers.base import ReaderNotes
from validator.readers.csv_exact import _field_lengths
from validator.readers.text import LineSource

MAPPINGS = [{"columnObjectTypeId": "0-1", "columnName": name, "propertyName": prop}
            for name, prop in (("Email", "email"), ("Notes", "message"), ("City", "city"))]


def _read(data: bytes, block: int, encoding: str = "utf-8") -> tuple[list[str], ReaderNotes]:
    notes = ReaderNotes()
    source = LineSource(io.BytesIO(data), notes, encoding=encoding, block=block)
    return list(source), notes


@settings(max_examples=300)
@given(st.lists(st.sampled_from([b"a", b"bb", b",", b'"', b"\r", b"\n", b"\r\n", b"\xff", "é".encode()]),
                max_size=60),
       st.integers(1, 9))
def test_lines_and_their_notes_do_not_depend_on_the_block_size(pieces: list[bytes], block: int) -> None:
    data = b"".join(pieces)
    want_lines, want = _read(data, 1 << 20)
    lines, notes = _read(data, block)
    assert lines == want_lines
    assert (notes.bytes, notes.lines, notes.line_endings, notes.first_endings, notes.final_newline) == (
        want.bytes, want.lines, want.line_endings, want.first_endings, want.final_newline)
    assert (notes.decode_events, notes.decode_errors) == (want.decode_events, want.decode_errors)


def test_a_line_of_many_blocks_keeps_its_bad_bytes_offsets() -> None:
    # the bad byte lies 40 blocks into a line that began in the middle of a block
    data = b"Email\r\n" + b"x" * 400 + b"\xff" + b"y" * 50 + b"\r\nlast\r\n"
    lines, notes = _read(data, 10)
    assert [len(line) for line in lines] == [7, 453, 6]
    assert [(e.offset, e.line) for e in notes.decode_events] == [(407, 2)]


def _run(data: bytes, reader: str) -> list[tuple]:
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": MAPPINGS}}]}
    report = validate(request, files={"data.csv": io.BytesIO(data)}, config=Config(reader=reader),
                      base_dir="/nonexistent")
    assert not report.refusals
    return [(f.code, f.row, f.column, f.message) for f in report.findings if f.code == "HS114"]


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_a_quoted_value_of_many_blocks_over_the_field_limit_is_named_at_its_cell(reader: str) -> None:
    value = '"' + 'note ""quoted"" ' * 150_000 + '"'  # 2.4 MB on one line: many read blocks
    data = f"Email,Notes,City\r\nann@example.com,{value},Oslo\r\nbo@example.com,hi,Rome\r\n".encode()
    assert _run(data, reader) == [
        ("HS114", 2, 2, f"a field is {len(value):,} characters long (more than 131,072) (lines 2-2)")]


@pytest.mark.parametrize(("line", "want"), [
    ('"a""b",c', [6, 1]),
    ('"a""b"x,c', [7, 1]),  # text after the closing quote joins the field
    ('"a""b,c', [5, 1]),  # never closed: the first quote of the pair closes it, the rest joins
    ('"ab,c', [3, 1]),  # never closed at all: an unquoted field
    ('a,"' + "z" * 50_000 + '",', [1, 50_002, 0]),
])
def test_field_lengths_count_quotes_and_all(line: str, want: list[int]) -> None:
    assert _field_lengths(line, ",") == want
