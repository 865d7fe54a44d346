"""A finding's ``end_line``: the last physical line of its record (CSV records with line breaks in
quoted values span several), in the JSON contract, SARIF, GitLab and GitHub output."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.test_reader_fast import read_exact, read_fast
from tests.workbooks import make_workbook
from validator import Config, render, validate
from validator.findings import Finding
from validator.record_spans import RecordSpans


def _request(name: str = "d.csv", fmt: str = "CSV") -> bytes:
    return json.dumps({"name": "t", "importOperations": {"0-1": "UPSERT"}, "files": [
        {"fileName": name, "fileFormat": fmt, "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnName": "Email", "columnObjectTypeId": "0-1", "propertyName": "email",
             "columnType": "HUBSPOT_ALTERNATE_ID"},
            {"columnName": "Notes", "columnObjectTypeId": "0-1", "propertyName": "message"}]}}]}).encode()


# row 2: lines 2-4; row 3: line 5 (a bad email); row 4: lines 6-7 (a bad email); row 5: line 8
# (ragged); row 6: lines 9-10 (a bad email, the file's last record, no final line break)
DATA = (b'Email,Notes\n'
        b'ann@x.com,"one\ntwo\nthree"\n'
        b'bad1,plain\n'
        b'bad2,"a\r\nb"\n'
        b'c@x.com,x,extra\n'
        b'bad3,"last\nline"')


def _found(config: dict[str, Any]) -> list[tuple[str, int | None, int | None, int | None, int | None]]:
    rep = validate(_request(), files={"d.csv": DATA}, config=Config(**config))
    return [(f.code, f.row, f.line, f.end_line, f.column) for f in rep.findings if f.row is not None]


@pytest.mark.parametrize("config", [{"reader": "exact"}, {"reader": "fast"}, {"reader": "fast", "chunk_rows": 1},
                                    {"reader": "exact", "chunk_rows": 1}, {"reader": "fast", "chunk_rows": 2,
                                                                           "threads": 2}])
def test_findings_carry_the_last_line_of_their_record(config: dict[str, Any]) -> None:
    assert _found(config) == [
        ("HS212", 3, 5, 5, 1),
        ("HS212", 4, 6, 7, 1),
        ("HS110", 5, 8, 8, 3),
        ("HS212", 6, 9, 10, 1),
    ]


def test_a_finding_about_one_line_of_a_record_keeps_that_line() -> None:
    _reader, notes, chunks = read_exact(DATA, 50)
    spans = RecordSpans()
    for chunk in chunks:
        spans.chunk(chunk)
    spans.finish(notes.lines)
    assert spans.end(2, 2) == 4  # the record's first line: its last one
    assert spans.end(2, 3) == 3  # a line inside it (a byte's line): that line
    assert spans.end(3, 5) == 5
    assert spans.end(6, 9) == 10
    assert len(spans) == 3  # only the records of several lines are kept


def test_a_multi_line_header_ends_where_its_record_does() -> None:
    data = b'Email,"Notes\nmore"\nbad,x\n'
    rep = validate(_request(), files={"d.csv": data}, config=Config(reader="fast"))
    head = [f for f in rep.findings if f.row == 1]
    assert head and all((f.line, f.end_line) == (1, 2) for f in head)
    assert [(f.code, f.row, f.line, f.end_line) for f in rep.findings if f.code == "HS212"] == [("HS212", 2, 3, 3)]


def test_the_default_end_line_is_the_line() -> None:
    assert Finding("HS212", "invalid-email", "m", line=7).end_line == 7
    assert Finding("HS212", "invalid-email", "m").end_line is None
    assert Finding("HS212", "invalid-email", "m", line=7, end_line=9).end_line == 9


def test_workbook_findings_end_on_their_line() -> None:
    book = make_workbook({"sheets": [{"name": "Contacts", "rows": [["Email", "Notes"], ["bad", "a\nb"]]}]})
    rep = validate(_request("d.xlsx", "SPREADSHEET"), files={"d.xlsx": book})
    bad = [f for f in rep.findings if f.code == "HS212"]
    assert [(f.row, f.line, f.end_line) for f in bad] == [(2, 2, 2)]


def _report() -> Any:
    return validate(_request(), files={"d.csv": DATA})


def test_json_has_end_line() -> None:
    got = [(f["code"], f["row"], f["line"], f["end_line"]) for f in json.loads(render(_report(), "json"))["findings"]
           if f["row"] is not None]
    assert got == [("HS212", 3, 5, 5), ("HS212", 4, 6, 7), ("HS110", 5, 8, 8), ("HS212", 6, 9, 10)]
    assert all(f["end_line"] is None for f in json.loads(render(_report(), "json"))["findings"] if f["line"] is None)


def test_sarif_region_has_end_line_for_records_of_several_lines() -> None:
    results = json.loads(render(_report(), "sarif"))["runs"][0]["results"]
    regions = [(r["ruleId"], r["locations"][0]["physicalLocation"].get("region")) for r in results
               if r["properties"].get("row")]
    assert regions == [("HS212", {"startLine": 5}), ("HS212", {"startLine": 6, "endLine": 7}),
                       ("HS110", {"startLine": 8}), ("HS212", {"startLine": 9, "endLine": 10})]


def test_gitlab_lines_have_an_end_for_records_of_several_lines() -> None:
    issues = json.loads(render(_report(), "gitlab"))
    lines = [i["location"]["lines"] for i in issues if i["check_name"] in ("HS212", "HS110")]
    assert lines == [{"begin": 5}, {"begin": 6, "end": 7}, {"begin": 8}, {"begin": 9, "end": 10}]


def test_github_annotation_has_end_line() -> None:
    out = render(validate(_request(), files={"d.csv": b'Email,Notes\nbad,"a\nb"\n'}), "github")
    assert "::error file=d.csv,line=2,endLine=3,title=HS212" in out.replace("\n", "|")


# -- against the csv module's line count ---------------------------------------------------------

cell = st.text(alphabet=st.sampled_from(list("ab ,\"\n")), max_size=6)


@st.composite
def multiline_files(draw: Any) -> tuple[bytes, list[tuple[int, int, int]]]:
    """A well-formed CSV of 2 columns (blank lines and line breaks in quoted values among its
    records) and each record's (row, first line, last line) as the csv module counts them."""
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=ending)
    writer.writerow(["Email", "Notes"])
    for _ in range(draw(st.integers(0, 10))):
        if draw(st.integers(0, 5)) == 0:
            out.write(ending)
        else:
            writer.writerow([draw(cell).replace("\n", ending), draw(cell)])
    text = out.getvalue()
    if draw(st.booleans()):
        text = text.rstrip("\r\n") if text.count(ending) > 1 else text
    spans = []
    reader = csv.reader(io.StringIO(text, newline=""))
    last = 0
    for row, _record in enumerate(reader, start=1):
        spans.append((row, last + 1, reader.line_num))
        last = reader.line_num
    return text.encode(), spans


@given(multiline_files(), st.integers(1, 4))
def test_end_lines_are_the_csv_modules(case: tuple[bytes, list[tuple[int, int, int]]], chunk_rows: int) -> None:
    data, truth = case
    for reader, notes, chunks in (read_exact(data, chunk_rows), read_fast(data, chunk_rows, 64)):
        spans = RecordSpans()
        spans.header(reader.header)
        for chunk in chunks:
            spans.chunk(chunk)
        spans.finish(notes.lines)
        assert [(row, line, spans.end(row, line)) for row, line, _ in truth] == truth


def test_text_and_junit_name_the_lines_of_a_record_of_several() -> None:
    text = render(_report(), "text")
    assert "HS212 'bad2' is not a valid email address (Email) [lines 6-7]" in text
    assert "HS212 'bad3' is not a valid email address (Email) [lines 9-10]" in text
    assert "HS212 'bad1' is not a valid email address (Email) [line 5]" in text
    assert "row 4, lines 6-7, col 1" in render(_report(), "junit")


def test_the_records_of_several_lines_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # 24 bytes each, a file of millions of them would hold hundreds of MB: at most MOST are kept,
    # past them a finding's end_line is its line
    import validator.record_spans as spans_module

    monkeypatch.setattr(spans_module, "MOST", 2)
    assert _found({"reader": "fast", "chunk_rows": 2}) == [
        ("HS212", 3, 5, 5, 1),
        ("HS212", 4, 6, 7, 1),  # the second record of several lines kept (row 2 was the first)
        ("HS110", 5, 8, 8, 3),
        ("HS212", 6, 9, 9, 1),  # the third: not kept
    ]
