"""A quoted value over the csv module's field limit, on a line longer than a read block.

Its length used to be measured by a regex that kept a backtracking entry per character (12 GB
for a 100 MB value); the lengths and the finding are the same either way.
"""

from __future__ import annotations

import io

import pytest

from validator import Config, validate
from validator.readers.csv_exact import _field_lengths

MAPPINGS = [{"columnObjectTypeId": "0-1", "columnName": name, "propertyName": prop}
            for name, prop in (("Email", "email"), ("Notes", "message"), ("City", "city"))]


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
