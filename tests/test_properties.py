"""Hypothesis properties of the reader and engine."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from validator import Config, validate

# Cells: printable text with the characters that matter to CSV, never only spaces (blank rows
# are their own finding).
CELL = st.text(alphabet=st.sampled_from(list("ab Z09,;\"'\n\r\t-=@é€")), max_size=8)


def _request(width: int) -> dict:
    mappings = [{"columnObjectTypeId": "0-1", "columnName": f"c{i}", "propertyName": f"p{i}"}
                for i in range(width)]
    return {"name": "p", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
            "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}


def _check(data: bytes, width: int, chunk_rows: int) -> list[tuple]:
    report = validate(_request(width), files={"data.csv": io.BytesIO(data)},
                      config=Config(chunk_rows=chunk_rows), base_dir="/nonexistent")
    return [(f.code, f.row, f.line, f.column, f.value, f.message) for f in report.findings]


@st.composite
def messy_csv(draw) -> tuple[bytes, int]:
    """A header plus rows that may be ragged, blank, or carry broken quotes."""
    width = draw(st.integers(1, 4))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = [",".join(f"c{i}" for i in range(width))]
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["ok", "ok", "ok", "short", "long", "blank", "quote", "nl"]))
        n = {"short": max(0, width - 1), "long": width + 1}.get(kind, width)
        cells = [draw(st.text(alphabet="abc01 ", min_size=1, max_size=4)) for _ in range(n)]
        if kind == "blank":
            cells = [""] * width
        if kind == "quote" and cells:
            cells[0] = '"' + cells[0]
        if kind == "nl" and cells:
            cells[-1] = '"x' + newline + 'y"'
        lines.append(",".join(cells))
    return (newline.join(lines) + newline).encode(), width


@given(messy_csv(), st.integers(1, 7))
def test_findings_identical_whatever_the_chunk_size(sample: tuple[bytes, int], chunk_rows: int) -> None:
    data, width = sample
    assert _check(data, width, chunk_rows) == _check(data, width, 50_000)


@given(st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=20),
       st.sampled_from(["\n", "\r\n"]))
def test_csv_writer_round_trip_has_no_structural_finding(rows: list[list[str]], newline: str) -> None:
    # rows of only-blank cells are blank rows (a finding of their own); make every row non-blank
    rows = [r if any(c.strip() for c in r) else ["x", *r[1:]] for r in rows]
    if newline == "\n":
        # csv.writer quotes only the characters of its own lineterminator: with "\n" a bare
        # "\r" is written unquoted, which is a real line break in the file (and is reported)
        rows = [[c.replace("\r", "") for c in r] for r in rows]
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator=newline)
    writer.writerow(["c0", "c1", "c2"])
    writer.writerows(rows)
    found = _check(buf.getvalue().encode(), 3, 4)
    # structure only: value, record and identity rules (HS2xx, HS3xx) judge the made-up properties
    # and the content; cell content (a value starting with "=", spaces) is HS4xx's business
    assert [f for f in found if f[0].startswith("HS1")] == []


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    report = validate(_request(2), files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent")
    assert report.exit_code() in (0, 1, 2)


@given(st.lists(st.lists(st.text(alphabet="abc01", min_size=1, max_size=3), min_size=3, max_size=3),
                min_size=1, max_size=30), st.data())
def test_a_ragged_row_planted_anywhere_is_reported_there(rows: list[list[str]], data) -> None:
    at = data.draw(st.integers(0, len(rows) - 1))
    rows[at] = rows[at][:2]
    text = "c0,c1,c2\n" + "".join(",".join(r) + "\n" for r in rows)
    found = _check(text.encode(), 3, data.draw(st.integers(1, 5)))
    structural = [(code, row, col) for code, row, _l, col, _v, _m in found if not code.startswith(("HS2", "HS3"))]
    assert structural == [("HS110", at + 2, 3)]


def test_property_module_uses_no_files(tmp_path: Path) -> None:
    # the properties above run fully in memory: nothing is written to the working tree
    assert json.dumps(_request(1))
