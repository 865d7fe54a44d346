"""The formats named after ruff's: json-lines, gitlab, grouped and full, pylint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from validator import validate
from validator.findings import Finding, Refusal, Report, Severity
from validator.report import render

BROKEN = ROOT / "fixtures" / "examples" / "broken" / "contacts.import.json"


@pytest.fixture(scope="module")
def broken() -> Report:
    return validate(BROKEN)


def _hostile() -> Report:
    """Findings with control, line-breaking, bidi characters and an undecodable byte in values,
    messages and a file name; one at a JSON pointer whose key holds an escape sequence, one on a
    whole file (no row, no line); a refused file and findings left unlisted."""
    findings = [
        Finding("HS021", "unknown-object-type", "importOperations names '0-1\x1b[2J\n::error::x'", Severity.ERROR,
                file="r.import.json", path="r.import.json", pointer="/importOperations/0-1\x1b[2J\n::error::x",
                key="pointer:/importOperations/0-1\x1b[2J\n::error::x"),
        Finding("HS212", "invalid-email", "'a\u2028b\x85c\u202ed' is not a valid email address", Severity.ERROR,
                file="c\x1b\n.csv", path="c\x1b\n.csv", row=3, line=4, column=1, column_name="E\tmail",
                value="a\u2028b\x85c\u202ed", key="email:a\u2028b\x85c\u202ed"),
        Finding("HS402", "invalid-utf8", "'\\xff' is not valid UTF-8 text", Severity.WARNING,
                file="c\x1b\n.csv", path="c\x1b\n.csv", row=5, line=5, column=2, value="\udcff", key="row:5"),
        Finding("HS404", "bom", "the file starts with a byte order mark", Severity.INFO,
                file="c\x1b\n.csv", path="c\x1b\n.csv", key="file"),
    ]
    return Report(findings=findings, counts={"HS021": 1, "HS212": 3, "HS402": 1, "HS404": 1},
                  suppressed={"HS212": 2}, severities={"HS212": Severity.ERROR},
                  refusals=[Refusal("x\x1b.xlsx", "encrypted\nworkbook", "encrypted")], request="r.import.json")


# json-lines

def test_json_lines_is_one_finding_per_line_with_the_json_formats_fields(broken: Report) -> None:
    out = render(broken, "json-lines")
    lines = out.split("\n")
    assert lines[-1] == "" and len(lines) == 14
    assert [json.loads(x) for x in lines[:-1]] == json.loads(render(broken, "json"))["findings"]
    assert lines[8] == (
        '{"code": "HS110", "rule": "ragged-row", "message": "row has 3 fields, fewer than the header\'s 4", '
        '"severity": "error", "file": "exports/contacts.csv", "sheet": null, "row": 3, "line": 3, "column": 4, '
        '"column_name": "Company", "pointer": null, "value": "bo.chen@example.org,Bo,+442071838750", '
        '"hubspot_error": "INCORRECT_NUMBER_OF_COLUMNS", '
        '"hint": "quote values that contain the delimiter, or add the missing fields", "offset": null, '
        f'"key": "email:bo.chen@example.org", "path": {json.dumps(str(BROKEN.parent / "contacts.csv"))}, '
        '"cell": null}')
    assert render(Report(), "json-lines") == ""


def test_json_lines_keeps_one_finding_on_one_line_whatever_its_text_holds() -> None:
    # JSON escapes U+0000 to U+001F only: NEL, U+2028 and U+2029 split a line for str.splitlines()
    # and other readers, and C1 and bidi characters reach a terminal raw
    report = _hostile()
    out = render(report, "json-lines")
    assert len(out.splitlines()) == 4 and out.endswith("}\n")
    assert [json.loads(x) for x in out.splitlines()] == json.loads(render(report, "json"))["findings"]
    first, second, third, fourth = out.splitlines()
    assert '"pointer": "/importOperations/0-1\\u001b[2J\\n::error::x"' in first
    assert ('"message": "\'a\\u2028b\\u0085c\\u202ed\' is not a valid email address", "severity": "error", '
            '"file": "c\\u001b\\n.csv"') in second
    assert '"column_name": "E\\tmail"' in second
    assert '"value": "\\\\udcff"' in third  # (an undecodable byte as its escape text, as in the json format)
    assert '"row": null, "line": null, "column": null' in fourth
    assert "x.xlsx" not in out and "encrypted" not in out and "not listed" not in out  # findings only
    masked = render(report, "json-lines", redact=True)
    assert "a\\u2028b" not in masked and '"value": "REDACTED"' in masked.splitlines()[1]


def test_json_lines_on_a_stdout_that_is_not_utf8_escapes_as_json(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text("Email,Name\njosé@x,Ann\n", encoding="utf-8")
    request = {"files": [{"fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "Name", "propertyName": "firstname"}]}}]}
    (tmp_path / "r.import.json").write_text(json.dumps(request), encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    proc = subprocess.run([sys.executable, "-m", "validator", "check", str(tmp_path / "r.import.json"),
                           "--format", "json-lines", "--select", "HS212"], capture_output=True, env=env, check=False)
    assert proc.returncode == 1, proc.stderr
    (line,) = proc.stdout.decode("ascii").splitlines()
    assert '"message": "\'jos\\u00e9@x\' is not a valid email address"' in line
    assert json.loads(line)["value"] == "josé@x"
