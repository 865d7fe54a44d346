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
from validator.readers.csv_scan import ScanState, field_lengths, scan
from validator.readers.dispatch import Prefixed
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
    assert field_lengths(line, ",") == want


def _scan_by_character(lines: list[str], delimiter: str, stop_on_error: bool = False,
                       state: ScanState | None = None) -> ScanState:
    """The scanner's states stepped one character at a time, as it was written at first."""
    state = state or ScanState()
    field_no, in_quotes, at_start, after_quote = state.field_no, state.in_quotes, state.at_start, state.after_quote
    offset = state.offset
    for i, line in enumerate(lines):
        for ch in line:
            offset += 1
            if in_quotes:
                if ch == '"':
                    in_quotes, after_quote = False, True
                continue
            if after_quote:
                after_quote = False
                if ch == '"':
                    in_quotes = True
                    continue
                if ch not in (delimiter, "\r", "\n"):
                    state.error_field, state.error_at = field_no, offset
                    if stop_on_error:
                        return state
            if ch == delimiter:
                field_no, at_start, state.field_at = field_no + 1, True, offset + 1
            elif ch in "\r\n":
                at_start, state.field_at = True, offset + 1
            elif ch == '"' and at_start:
                in_quotes, state.open_line, state.open_field = True, i, field_no
                at_start = False
            else:
                at_start = False
    state.field_no, state.in_quotes, state.at_start, state.after_quote = field_no, in_quotes, at_start, after_quote
    state.offset = offset
    if not in_quotes:
        state.open_line = state.open_field = None
    return state


def _fields(state: ScanState) -> tuple:
    return tuple(getattr(state, name) for name in ScanState.__slots__)


@settings(max_examples=500)
@given(st.lists(st.text(alphabet='ab;,"\r\n', max_size=12), min_size=1, max_size=4),
       st.sampled_from([",", ";"]), st.booleans(), st.integers(1, 3))
def test_the_scan_jumping_over_runs_ends_in_the_state_of_one_character_at_a_time(
        lines: list[str], delimiter: str, stop_on_error: bool, split: int) -> None:
    # at once, and as ``_rest_of_record`` goes on line by line from the state so far
    want = _scan_by_character(lines, delimiter, stop_on_error)
    assert _fields(scan(lines, delimiter, stop_on_error)) == _fields(want)
    first, second = scan(lines[:split], delimiter), _scan_by_character(lines[:split], delimiter)
    assert _fields(scan(lines[split:], delimiter, state=first)) == _fields(
        _scan_by_character(lines[split:], delimiter, state=second))


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_values_of_a_megabyte_every_few_rows_are_each_named_at_their_cell(reader: str) -> None:
    rows = [f"u{i}@example.com,{'n' * 1_000_000 if i % 3 == 2 else 'hi'},Oslo" for i in range(7)]
    data = ("Email,Notes,City\r\n" + "\r\n".join(rows) + "\r\n").encode()
    assert _run(data, reader) == [
        ("HS114", row, 2, f"a field is 1,000,000 characters long (more than 131,072) (lines {row}-{row})")
        for row in (4, 7)]


@settings(max_examples=200)
@given(st.binary(max_size=40), st.binary(max_size=20),
       st.lists(st.tuples(st.booleans(), st.integers(-1, 12)), max_size=12))
def test_bytes_handed_on_read_back_the_same_in_reads_of_any_size(head: bytes, rest: bytes,
                                                                 reads: list[tuple[bool, int]]) -> None:
    # the fast reader hands its buffer to the exact one this way (all of a 100 MB value's bytes)
    source = Prefixed(head, io.BytesIO(rest), owned=True)
    got = b""
    for into, size in reads:
        if into:
            buffer = bytearray(max(size, 0))
            got += bytes(buffer[: source.readinto(memoryview(buffer))])
        else:
            got += source.read(size)
    got += source.read()
    assert got == head + rest
