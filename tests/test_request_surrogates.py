"""A lone surrogate escaped in the request JSON (``\\udc80``) is shown as that escape in every
format, never as ``\\x80`` (how an undecodable byte of a data file is shown: Python holds both as
U+DC80); the outputs stay valid (no lone surrogate written, well-formed XML)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from validator import Config, validate
from validator.findings import Report
from validator.report import FORMATS, render

REQUEST = """{"name": "a\\ud800b", "files": [{"fileName": "contacts.csv", "fileFormat": "CSV", "x\\udcffy": 1,
 "fileImportPage": {"hasHeader": true, "columnMappings": [
  {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
  {"columnObjectTypeId": "0-1", "columnName": "Na\\udc80me", "propertyName": "firstname"},
  {"columnObjectTypeId": "0-1", "columnName": "Phone", "propertyName": "ph\\uDC41one"}]}}]}"""


def _report(tmp_path: Path) -> Report:
    # the data file's own undecodable byte (0x80 in row 2) is the \\x80 a request escape is not
    (tmp_path / "contacts.csv").write_bytes(b"Email,Name,Phone\nann@x.com,Bo\x80,1\n")
    path = tmp_path / "r.import.json"
    path.write_text(REQUEST, encoding="utf-8")
    return validate(path)


def _shown(report: Report) -> set[tuple[str, int | None, int | None, str | None, str | None]]:
    return {(f["code"], f["row"], f["column"], f["pointer"], f["value"])
            for f in json.loads(render(report, "json"))["findings"]}


def test_a_request_surrogate_is_shown_as_its_escape_and_a_data_byte_as_a_byte(tmp_path: Path) -> None:
    report = _report(tmp_path)
    found = {f.code: f for f in report.findings if f.code in ("HS016", "HS103", "HS231")}
    assert (found["HS103"].row, found["HS103"].column, found["HS103"].value) == (1, 2, "Na\\udc80me")
    assert found["HS103"].message.startswith("columnName 'Na\\udc80me' is not in the header")
    assert (found["HS016"].pointer, found["HS016"].value) == ("/files/0/x\udcffy", "x\\udcffy")
    assert found["HS231"].pointer == "/files/0/fileImportPage/columnMappings/2/propertyName"
    assert found["HS231"].value == "ph\\udc41one" and found["HS231"].message.startswith("'ph\\udc41one' is not")
    (byte,) = [f for f in report.findings if f.code == "HS402" and f.row == 2]
    assert (byte.column, byte.value) == (2, "Bo\\x80")
    for fmt in sorted(FORMATS):
        out = render(report, fmt)
        out.encode("utf-8")  # no lone surrogate left to write
        assert "x80me" not in out and "xffy" not in out and "x41one" not in out, fmt
        assert "udc80me" in out or fmt in ("csv", "hubspot"), fmt  # (those two list data rows only)
    json.loads(render(report, "json"))
    json.loads(render(report, "sarif"))
    ET.fromstring(render(report, "junit"))


def test_a_request_mapping_with_a_lone_surrogate_reads_as_the_json_a_client_sends(tmp_path: Path) -> None:
    # the mapping was written as bytes that are not UTF-8, so the request was "not valid JSON"
    from_file = _report(tmp_path)
    mapping = json.loads(REQUEST)
    from_mapping = validate(mapping, base_dir=tmp_path, request_name="r.import.json")
    assert "HS001" not in {f.code for f in from_mapping.findings}
    assert _shown(from_mapping) == _shown(from_file)


def test_a_request_surrogate_never_matches_the_undecodable_byte_of_a_header(tmp_path: Path) -> None:
    # Python holds the JSON's \udc80 and the header's byte 0x80 as one character; HubSpot reads
    # a byte the file cannot decode, which no JSON escape names: the mapping matches no header
    # cell (HS103), as for the fast and the exact reader alike
    (tmp_path / "contacts.csv").write_bytes(b"Email,Na\x80me\nann@x.com,Bo\n")
    path = tmp_path / "r.import.json"
    path.write_text(REQUEST.replace(',\n  {"columnObjectTypeId": "0-1", "columnName": "Phone", "propertyName": '
                                    '"ph\\uDC41one"}', ""), encoding="utf-8")
    for reader in ("exact", "fast"):
        report = validate(path, config=Config(reader=reader))
        assert [(f.row, f.column, f.code, f.message) for f in report.findings if f.code == "HS103"] == [
            (1, 2, "HS103", "columnName 'Na\\udc80me' is not in the header; closest header is 'Na\\x80me'"),
        ], reader
