"""Every output format: valid by its own standard, exact in content, redactable."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from validator import validate
from validator.cli import cli
from validator.config import Config
from validator.findings import Finding, Report, Severity
from validator.report import FORMATS, render
from validator.report.github import annotate, annotation, escape_data, step_summary
from validator.report.sarif import MAX_RESULTS, sarif_dict

EXAMPLES = ROOT / "fixtures" / "examples"
BROKEN = EXAMPLES / "broken" / "contacts.import.json"
SCHEMA = ROOT / "fixtures" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def broken() -> Report:
    return validate(BROKEN)


def test_sarif_validates_against_the_schema(broken: Report) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    doc = json.loads(render(broken, "sarif"))
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(doc)
    run = doc["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {f.code for f in broken.findings}
    ragged = [r for r in run["results"] if r["ruleId"] == "HS110"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in ragged] == [3, 6]
    first = ragged[0]
    assert first["level"] == "error"
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "fixtures/examples/broken/contacts.csv"
    assert first["properties"]["row"] == 3 and first["properties"]["columnName"] == "Company"
    assert first["properties"]["hubspotErrorType"] == "INCORRECT_NUMBER_OF_COLUMNS"
    assert first["properties"]["recordKey"] == "email:bo.chen@example.org"
    rule = run["tool"]["driver"]["rules"][first["ruleIndex"]]
    assert rule["id"] == "HS110" and rule["name"] == "ragged-row" and "Fix:" in rule["help"]["text"]
    warning = next(r for r in run["results"] if r["ruleId"] == "HS113")
    assert warning["level"] == "warning"


def test_sarif_fingerprints_follow_the_record_not_the_row(tmp_path: Path) -> None:
    def fingerprints(csv_text: str) -> dict[str, str]:
        (tmp_path / "contacts.csv").write_text(csv_text, encoding="utf-8")
        request = json.loads((EXAMPLES / "contacts" / "contacts.import.json").read_text())
        (tmp_path / "r.import.json").write_text(json.dumps(request), encoding="utf-8")
        doc = sarif_dict(validate(tmp_path / "r.import.json"))
        return {r["properties"]["recordKey"]: r["partialFingerprints"]["hubspotPreflight/v1"]
                for r in doc["runs"][0]["results"]}

    header = "Email,First Name,Last Name,Phone Number,Lifecycle Stage,Notes\n"
    a = "ann@example.com,Ann,Lee,+14155550101,lead,x,EXTRA\n"
    b = "bo@example.com,Bo,Chen,+14155550102,lead,y\n"
    first = fingerprints(header + a + b)
    second = fingerprints(header + b + b.replace("bo@", "cy@") + a)
    assert list(first) == ["email:ann@example.com"]
    assert first == second


def test_sarif_uri_of_a_folder_named_in_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    # it ended in "internal error: UnicodeEncodeError" (surrogate escapes into the URI)
    import os
    import shutil

    folder = os.path.join(os.fsencode(tmp_path), b"caf\xe9")
    os.mkdir(folder)
    shutil.copytree(BROKEN.parent, os.fsdecode(os.path.join(folder, b"x")))
    request = Path(os.fsdecode(os.path.join(folder, b"x", b"contacts.import.json")))
    result = CliRunner().invoke(cli, ["check", str(request), "--format", "sarif"])
    assert result.exit_code == 1
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(result.output)["runs"][0]["results"] for loc in r["locations"]}
    assert {u.rsplit("/", 3)[-3:][0] for u in uris} == {"caf%E9"}
    assert {u.rsplit("/", 1)[-1] for u in uris} == {"contacts.csv", "contacts.import.json"}


def test_sarif_uri_of_a_name_with_a_colon_is_not_read_as_a_scheme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    # "data:2024.csv" as a relative reference is the URI of scheme "data"; an absolute path
    # without a scheme is resolved against the checkout by SARIF consumers
    from urllib.parse import unquote, urlsplit

    request = json.loads(BROKEN.read_text(encoding="utf-8"))
    request["files"][0]["fileName"] = "data:2024 #1.csv"
    (tmp_path / "data:2024 #1.csv").write_bytes((BROKEN.parent / "contacts.csv").read_bytes())
    (tmp_path / "data:2024.import.json").write_text(json.dumps(request), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run = sarif_dict(validate(tmp_path / "data:2024.import.json"))["runs"][0]
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"] for loc in r["locations"]}
    assert uris == {"data%3A2024.import.json", "data%3A2024%20%231.csv"}
    assert {urlsplit(u).scheme for u in uris} == {""}
    monkeypatch.chdir(ROOT)
    run = sarif_dict(validate(tmp_path / "data:2024.import.json"))["runs"][0]
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"] for loc in r["locations"]}
    assert {unquote(urlsplit(u).path) for u in uris} == {f"{tmp_path}/data:2024.import.json",
                                                         f"{tmp_path}/data:2024 #1.csv"}
    assert {urlsplit(u).scheme for u in uris} == {"file"}


def test_sarif_is_capped_and_counts_the_rest() -> None:
    findings = [Finding("HS110", "ragged-row", f"row {i}", Severity.ERROR, file="a.csv", row=i + 2, line=i + 2)
                for i in range(MAX_RESULTS + 7)]
    report = Report(findings=findings, counts={"HS110": len(findings) + 3}, suppressed={"HS110": 3},
                    severities={"HS110": Severity.ERROR})
    run = sarif_dict(report)["runs"][0]
    assert len(run["results"]) == MAX_RESULTS
    assert run["properties"]["findingsNotIncluded"] == 10
    assert "10 more finding(s)" in run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]


def test_junit_parses_with_one_suite_per_file(broken: Report) -> None:
    junitparser = pytest.importorskip("junitparser")
    xml = junitparser.JUnitXml.fromstring(render(broken, "junit"))
    suites = {s.name: s for s in xml}
    assert list(suites) == ["contacts.import.json", "exports/contacts.csv"]
    csv_suite = suites["exports/contacts.csv"]
    assert (csv_suite.tests, csv_suite.failures) == (8, 8)
    cases = list(csv_suite)
    ragged = [c for c in cases if c.name == "hubspot-preflight.HS110"]
    # (the data file's path, as validate() was given the request's: its fileName is exports/contacts.csv)
    assert ragged[0].classname == (EXAMPLES / "broken" / "contacts").as_posix()
    assert ragged[0].result[0].message.startswith("row 3, col 4: HS110 row has 3 fields")


def test_junit_classname_is_the_files_path_without_its_extension(monkeypatch: pytest.MonkeyPatch) -> None:
    # the classname was the fileName without its extension ("contacts"), where ruff's layout
    # (and CI viewers grouping by it) has the path ("fixtures/examples/broken/contacts")
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["check", "fixtures/examples/broken/contacts.import.json", "--format", "junit"])
    root = ET.fromstring(result.output)
    cases = {(s.get("name"), c.get("classname"), c.get("file")) for s in root.findall("testsuite") for c in s}
    assert cases == {
        ("contacts.import.json", "fixtures/examples/broken/contacts.import",
         "fixtures/examples/broken/contacts.import.json"),
        ("exports/contacts.csv", "fixtures/examples/broken/contacts", "fixtures/examples/broken/contacts.csv")}
    # a clean file's passing case too; a file given without a path keeps its fileName
    clean = validate(EXAMPLES / "contacts" / "contacts.import.json",
                     files={"contacts.csv": (EXAMPLES / "contacts" / "contacts.csv").read_bytes()})
    suites = ET.fromstring(render(clean, "junit")).findall("testsuite")
    assert [(s.get("name"), [(c.get("name"), c.get("classname")) for c in s]) for s in suites] == [
        ("contacts.import.json", [("hubspot-preflight", (EXAMPLES / "contacts" / "contacts.import").as_posix())]),
        ("contacts.csv", [("hubspot-preflight", "contacts")])]


def test_junit_clean_file_is_one_passing_case_and_control_characters_are_safe() -> None:
    report = Report(findings=[Finding("HS402", "invalid-utf8", "bad \x00\x1b[31m \udcff text", Severity.ERROR,
                                      file="a.csv", row=2, column=1, value="\x07")],
                    severities={"HS402": Severity.ERROR}, counts={"HS402": 1}, request="r.json")
    root = ET.fromstring(render(report, "junit"))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["r.json", "a.csv"]
    assert [c.get("name") for c in suites[0]] == ["hubspot-preflight"] and suites[0].find("*/failure") is None
    failure = suites[1].find("testcase/failure")
    assert failure is not None and "\\u0000\\u001b[31m \\udcff" in failure.get("message", "")


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="FIFOs are POSIX")
def test_junit_has_an_error_case_for_a_refused_file(tmp_path: Path) -> None:
    # a refused file that no finding named had no suite at all: errors="0" in a run that exits 2
    import os

    os.mkfifo(tmp_path / "fifo")
    report = validate(EXAMPLES / "two-file-broken" / "import.json", files={"contacts.csv": tmp_path / "fifo"})
    assert [r.file for r in report.refusals] == ["contacts.csv"] and report.exit_code() == 2
    root = ET.fromstring(render(report, "junit"))
    assert root.get("errors") == "1"
    (suite,) = [s for s in root.findall("testsuite") if s.get("name") == "contacts.csv"]
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("1", "1", "0")
    case = suite.find("testcase")
    assert case is not None and case.get("name") == "hubspot-preflight.read"
    assert case.get("classname") == (tmp_path / "fifo").as_posix()  # (its path, which has no extension)
    error = case.find("error")
    assert error is not None and error.get("message") == report.refusals[0].reason


def test_github_escapes_commas_colons_percent_and_newlines() -> None:
    line = annotation("error", "50% of 'a,b: c'\r\nnext line ::error::x", file="data/a,b:c.csv", line=3, col=2,
                      title="HS110 ragged-row (2)")
    assert line == ("::error file=data/a%2Cb%3Ac.csv,line=3,col=2,title=HS110 ragged-row (2)::"
                    "50%25 of 'a,b: c'%0D%0Anext line ::error::x")
    assert "\n" not in line and escape_data("%0A") == "%250A"


def _decode(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_github_round_trip_of_a_hostile_message() -> None:
    message = "value '1,5%' at 10:30\nsecond line"
    finding = Finding("HS110", "ragged-row", message, Severity.ERROR, file="x,y.csv", row=2, line=2)
    (line,) = annotate([finding])
    head, _, body = line.partition("::")[2].partition("::")
    props = dict(p.split("=", 1) for p in head.split(" ", 1)[1].split(","))
    assert _decode(props["file"]) == "x,y.csv" and props["line"] == "2"
    assert _decode(body).startswith(message + " at row 2")


def test_github_caps_never_hide_a_rule() -> None:
    findings = [Finding(f"HS{100 + r}", f"rule-{r}", "m", Severity.ERROR, file=f"f{k}.csv", row=k + 2)
                for r in range(14) for k in range(3)]
    findings += [Finding("HS113", "blank-row", "m", Severity.WARNING, file=f"f{k}.csv", row=2) for k in range(12)]
    lines = annotate(findings)
    errors = [x for x in lines if x.startswith("::error")]
    warnings = [x for x in lines if x.startswith("::warning")]
    assert len(errors) == 10 and len(warnings) == 1
    text = _decode("\n".join(errors))
    for r in range(14):
        assert f"HS{100 + r}" in text
    assert "(12)" in warnings[0]


def test_github_chosen_in_actions_and_step_summary_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKFLOW", "ci")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = CliRunner().invoke(cli, ["check", str(BROKEN)])
    assert result.exit_code == 1
    assert result.output.startswith("::error file=fixtures/examples/broken/contacts.import.json")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## hubspot-preflight")
    assert ("| exports/contacts.csv | 3 | 4 Company | HS110 | error | "
            "row has 3 fields, fewer than the header's 4 |") in text


def test_step_summary_escapes_table_cells() -> None:
    report = Report(findings=[Finding("HS110", "r", "a|b <script>\nc", Severity.ERROR, file="a.csv", row=2)],
                    severities={"HS110": Severity.ERROR}, counts={"HS110": 1})
    assert "| a.csv | 2 |  | HS110 | error | a\\|b &lt;script&gt;\\nc |" in step_summary(report)


def test_hubspot_format_parses_with_the_official_client(broken: Report) -> None:
    pytest.importorskip("hubspot")
    from hubspot.crm.imports import ApiClient

    class Response:
        data = render(broken, "hubspot")

    page = ApiClient().deserialize(Response(), "CollectionResponsePublicImportErrorForwardPaging")
    errors = page.results
    assert len(errors) == sum(1 for f in broken.findings if f.hubspot_error)
    ragged = [e for e in errors if e.extra_context.startswith("HS110")]
    assert [(e.error_type, e.source_data.line_number, e.known_column_number) for e in ragged] == [
        ("INCORRECT_NUMBER_OF_COLUMNS", 3, 3), ("INCORRECT_NUMBER_OF_COLUMNS", 6, 4)]
    assert ragged[0].source_data.row_data == ["bo.chen@example.org", "Bo", "+442071838750"]
    assert ragged[0].invalid_value == "bo.chen@example.org,Bo,+442071838750"
    assert ragged[0].source_data.file_id == 1
    request = next(e for e in errors if e.extra_context.startswith("HS013"))
    assert (request.source_data.line_number, request.source_data.file_id) == (0, 0)


def test_csv_format_lists_failing_rows_with_row_column_code_severity_and_message(broken: Report) -> None:
    rows = list(csv.reader(io.StringIO(render(broken, "csv"), newline="")))
    assert rows[0] == ["Email", "First Name", "Phone", "Company", "", "row", "column", "column name", "code",
                       "severity", "message"]
    assert rows[1] == ["bo.chen@example.org", "Bo", "+442071838750", "", "", "3", "4", "Company", "HS110", "error",
                       "row has 3 fields, fewer than the header's 4"]
    assert rows[4] == ["dev.patel@example.com", "Dev", "+919876543210", "Globex, Inc.", "extra", "6", "5", "",
                       "HS110", "error", "row has 5 fields, more than the header's 4"]
    assert [r[5:9] for r in rows[1:]] == [["3", "4", "Company", "HS110"], ["4", "", "", "HS113"],
                                          ["5", "2", "First Name", "HS112"], ["6", "5", "", "HS110"],
                                          ["7", "2", "First Name", "HS111"]]


def test_csv_format_tells_apart_two_findings_with_one_message_on_one_row(tmp_path: Path) -> None:
    # the csv format had no column: two findings of one rule with one message on one row (the same
    # bad value in two columns) were two identical lines, and no line said which cell to fix
    (tmp_path / "contacts.csv").write_text("Email,Work email\nbad,bad\n", encoding="utf-8")
    request = {"files": [{"fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "Work email", "propertyName": "email"}]}}]}
    (tmp_path / "r.import.json").write_text(json.dumps(request), encoding="utf-8")
    report = validate(tmp_path / "r.import.json", config=Config(select=["HS212"]))
    assert [(f.row, f.column, f.code, f.message) for f in report.findings] == [
        (2, 1, "HS212", "'bad' is not a valid email address"), (2, 2, "HS212", "'bad' is not a valid email address")]
    rows = list(csv.reader(io.StringIO(render(report, "csv"), newline="")))
    assert rows == [["Email", "Work email", "row", "column", "column name", "code", "severity", "message"],
                    ["bad", "bad", "2", "1", "Email", "HS212", "error", "'bad' is not a valid email address"],
                    ["bad", "bad", "2", "2", "Work email", "HS212", "error", "'bad' is not a valid email address"]]


def test_csv_format_names_a_workbooks_cell_as_a_spreadsheet_does(tmp_path: Path) -> None:
    # a workbook's finding gave its column's number only (2), where the person opening the sheet
    # looks for a cell (Contacts!B3); the column follows column name, empty for a whole row's finding
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Contacts"
    for row in (["Name", "Email"], ["Ann", "ann@x.com"], ["Bo", "bad"], [None, None], ["Cy", "cy@x.com"]):
        sheet.append(row)
    book.save(tmp_path / "contacts.xlsx")
    request = {"files": [{"fileName": "contacts.xlsx", "fileFormat": "SPREADSHEET", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Name", "propertyName": "firstname"},
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"}]}}]}
    (tmp_path / "r.import.json").write_text(json.dumps(request), encoding="utf-8")
    report = validate(tmp_path / "r.import.json", config=Config(select=["HS212", "HS113"]))
    rows = list(csv.reader(io.StringIO(render(report, "csv"), newline="")))
    assert rows == [["Name", "Email", "row", "column", "column name", "cell", "code", "severity", "message"],
                    ["Bo", "bad", "3", "2", "Email", "Contacts!B3", "HS212", "error",
                     "'bad' is not a valid email address"],
                    ["", "", "4", "", "", "", "HS113", "warning", "row is blank"]]
    # a CSV file's findings have no cell, and no such column
    assert "cell" not in next(csv.reader(io.StringIO(render(validate(
        ROOT / "fixtures/examples/broken/contacts.import.json"), "csv"), newline="")))


def test_csv_format_column_name_never_becomes_a_formula_and_stays_one_field() -> None:
    # a header that starts like a formula is the column name of its findings too: it gets the
    # leading ' as a cell does, and one with a comma, a quote and a line break is one quoted field
    names = ("=HYPERLINK(\"http://x\")", "@SUM(A1)", '-2+3', "Mail, \"work\"\nline")
    findings = [Finding("HS212", "invalid-email", "'x' is not a valid email address", Severity.ERROR, file="a.csv",
                        row=2, column=i, column_name=name) for i, name in enumerate(names, 1)]
    report = Report(findings=findings, headers={"a.csv": names}, records={"a.csv": {2: ("x", "x", "x", "x")}})
    out = render(report, "csv")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert len(rows) == 5 and all(len(r) == 10 for r in rows)
    assert rows[0][:4] == ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "'-2+3", "Mail, \"work\"\nline"]
    assert [r[4:7] for r in rows[1:]] == [["2", "1", "'=HYPERLINK(\"http://x\")"], ["2", "2", "'@SUM(A1)"],
                                          ["2", "3", "'-2+3"], ["2", "4", "Mail, \"work\"\nline"]]
    assert '"Mail, ""work""\nline"' in out


def _email_name_request(tmp_path: Path) -> None:
    """r.import.json beside contacts.csv: its Email and Name columns, mapped to contacts."""
    request = {"files": [{"fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "Name", "propertyName": "firstname"}]}}]}
    (tmp_path / "r.import.json").write_text(json.dumps(request), encoding="utf-8")


def test_csv_format_full_rows_as_written(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_bytes(b"Email,Name\na@x.com,\"Ann, \"\"A\"\"\"\nb@x.com,Bo\n\xff,Cy\n")
    _email_name_request(tmp_path)
    report = validate(tmp_path / "r.import.json")
    rows = list(csv.reader(io.StringIO(render(report, "csv"), newline="")))
    assert rows == [["Email", "Name", "row", "column", "column name", "code", "severity", "message"],
                    ["\\xff", "Cy", "4", "1", "Email", "HS212", "error", "'\\xff' is not a valid email address: it "
                     "holds bytes that are not UTF-8 (HS402); save the file as UTF-8"],
                    ["\\xff", "Cy", "4", "1", "Email", "HS402", "error", "'\\xff' is not valid UTF-8 text"]]


@pytest.mark.parametrize(("kind", "chunk_rows"), [("csv", 1), ("csv", 1000), ("xlsx", 1), ("xlsx", 1000)])
def test_csv_format_shows_the_cells_of_a_row_reported_at_its_files_end(tmp_path: Path, kind: str,
                                                                        chunk_rows: int) -> None:
    # HS117 (a stray quote) and HS419 (a column's first date cell) report their row at the file's
    # end, after its chunk has gone: the csv format listed that row with every cell empty where it
    # had no other finding, as if the row were blank
    import datetime as dt

    from tests.workbooks import make_workbook

    _email_name_request(tmp_path)
    if kind == "csv":
        (tmp_path / "contacts.csv").write_bytes(b'Email,Name\na@x.com,An"n\nb@x.com,Bo\n')
    else:
        spec = json.loads((tmp_path / "r.import.json").read_text(encoding="utf-8"))
        spec["files"][0].update(fileName="contacts.xlsx", fileFormat="SPREADSHEET")
        (tmp_path / "r.import.json").write_text(json.dumps(spec), encoding="utf-8")
        (tmp_path / "contacts.xlsx").write_bytes(make_workbook({"sheets": [{"name": "Contacts", "rows": [
            ["Email", "Name"], ["a@x.com", dt.date(2024, 3, 15)], ["b@x.com", "Bo"]]}]}))
    report = validate(tmp_path / "r.import.json", config=Config(chunk_rows=chunk_rows))
    rows = list(csv.reader(io.StringIO(render(report, "csv"), newline="")))
    code, cell = ("HS117", 'An"n') if kind == "csv" else ("HS419", "03/15/2024")
    assert [(f.row, f.column, f.code) for f in report.findings if f.row] == [(2, 2, code)]
    ref = [] if kind == "csv" else ["cell"], [] if kind == "csv" else ["Contacts!B2"]
    assert [r[:6 + len(ref[0])] for r in rows] == [["Email", "Name", "row", "column", "column name", *ref[0], "code"],
                                                   ["a@x.com", cell, "2", "2", "Name", *ref[1], code]]


def test_hubspot_format_shows_undecodable_bytes_in_row_data_as_in_the_value(tmp_path: Path) -> None:
    # rowData held the byte as its surrogate escape, written out as \udcff where invalidValue, the
    # message and the csv format say \xff
    (tmp_path / "contacts.csv").write_bytes(b"Email,Name\n\xff,Cy\n")
    _email_name_request(tmp_path)
    errors = json.loads(render(validate(tmp_path / "r.import.json"), "hubspot"))["results"]
    rows = [(e["sourceData"]["lineNumber"], e.get("knownColumnNumber"), e["errorType"], e["sourceData"]["rowData"],
             e.get("invalidValue")) for e in errors]
    assert rows == [(2, 0, "INVALID_EMAIL", ["\\xff", "Cy"], "\\xff")]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_redact_masks_values_in_every_format(fmt: str, broken: Report) -> None:
    plain = render(broken, fmt)
    masked = render(broken, fmt, redact=True)
    assert "bo.chen" in plain or fmt in ("concise", "pylint", "text", "grouped", "full", "github",
                                         "gitlab", "azure")  # (these show messages only)
    for secret in ("bo.chen", "dev.patel", "+442071838750", "+919876543210"):
        assert secret not in masked, (fmt, secret)


def test_redact_masks_quoted_values_in_messages_but_not_headers() -> None:
    f = Finding("HS402", "invalid-utf8", "'s3cret' in column 'Email' is not valid", Severity.ERROR, file="a.csv",
                row=2, column=1, column_name="Email", value="s3cret", key="email:s3cret@x.com")
    report = Report(findings=[f], headers={"a.csv": ("Email",)}, records={"a.csv": {2: ("s3cret",)}})
    from validator.report import redact_report

    out = redact_report(report).findings[0]
    assert out.message == "'REDACTED' in column 'Email' is not valid"
    request = Finding("HS002", "request-wrong-type", "hasHeader must be true or false, not a string",
                      Severity.ERROR, file="r.json", pointer="/files/0/fileImportPage/hasHeader", value="true")
    assert redact_report(Report(findings=[request])).findings[0].message == request.message
    assert out.value == "REDACTED" and out.key is not None and re.fullmatch(r"email#[0-9a-f]{16}", out.key)


def test_cli_redact_and_every_format_from_the_command_line(tmp_path: Path) -> None:
    for fmt in sorted(FORMATS):
        out = tmp_path / f"report.{fmt}"
        result = CliRunner().invoke(cli, ["check", str(BROKEN), "--format", fmt, "-o", str(out), "--redact"])
        assert result.exit_code == 1, (fmt, result.output)
        assert "bo.chen" not in out.read_text(encoding="utf-8")


def test_csv_format_writes_nul_as_text_and_gives_way_to_a_column_named_like_its_own(tmp_path: Path) -> None:
    # a NUL byte went into the report raw (many tools end the text there), and a data column
    # named row, code or message gave the report two columns of one name
    (tmp_path / "contacts.csv").write_bytes(b"Email,Message\na\x00b@x.com,hi\n")
    request = {"files": [{"fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "message", "propertyName": "message"}]}}]}
    (tmp_path / "r.import.json").write_text(json.dumps(request), encoding="utf-8")
    out = render(validate(tmp_path / "r.import.json"), "csv")
    assert "\x00" not in out
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows[0] == ["Email", "Message", "row", "column", "column name", "code", "severity",
                       "message"]  # (Message is not message)
    assert [r[:6] for r in rows[1:]] == [["a\\x00b@x.com", "hi", "2", "1", "Email", "HS405"]]
    (tmp_path / "contacts.csv").write_bytes(b"Email,message\nbad,hi\n")
    rows = list(csv.reader(io.StringIO(render(validate(tmp_path / "r.import.json"), "csv"), newline="")))
    assert rows == [["Email", "message", "preflight row", "preflight column", "preflight column name",
                     "preflight code", "preflight severity", "preflight message"],
                    ["bad", "hi", "2", "1", "Email", "HS212", "error", "'bad' is not a valid email address"]]


# C1 controls, bidi and invisible characters: JSON and XML carry them as escapes, never raw
INVISIBLE = "\x85\x9b\u00ad\u061c\u200b\u200f\u2028\u2029\u202a\u202e\u2060\u2066\u2069\ufeff"
_RAW_INVISIBLE = re.compile(f"[{INVISIBLE}]")


def _invisible_email(tmp_path: Path) -> Report:
    """One finding, HS212 at row 3, column 1, on a cell that holds every one of those characters."""
    (tmp_path / "contacts.csv").write_text(f"Email,Name\nann@x.com,Ann\nb{INVISIBLE}o,Bo\n", encoding="utf-8")
    _email_name_request(tmp_path)
    return validate(tmp_path / "r.import.json", config=Config(select=["HS212"]))


_ESCAPED = "b\\u0085\\u009b\\u00ad\\u061c\\u200b\\u200f\\u2028\\u2029\\u202a\\u202e\\u2060\\u2066\\u2069\\ufeffo"


@pytest.mark.parametrize(("fmt", "value"), [
    ("json", lambda d: d["findings"][0]["value"]),
    ("sarif", lambda d: d["runs"][0]["results"][0]["properties"]["value"]),
    ("hubspot", lambda d: d["results"][0]["invalidValue"]),
    ("hubspot", lambda d: d["results"][0]["sourceData"]["rowData"][0]),
    ("gitlab", None),
])
def test_json_formats_write_c1_bidi_and_invisible_characters_as_escapes(tmp_path: Path, fmt: str, value: Any) -> None:
    # json, sarif and hubspot wrote them raw (json-lines and gitlab escaped them): a terminal acted
    # on the C1 CSI and the bidi overrides, and str.splitlines() split the report at U+2028
    report = _invisible_email(tmp_path)
    (f,) = report.findings
    assert (f.row, f.column, f.code, f.value) == (3, 1, "HS212", f"b{INVISIBLE}o")
    out = render(report, fmt)
    assert not _RAW_INVISIBLE.search(out)
    if value is not None:  # (gitlab quotes the message only, whose value is escape text already)
        assert _ESCAPED in out
        assert value(json.loads(out)) == f"b{INVISIBLE}o"  # (the same text once read)
    if fmt == "hubspot":
        (error,) = json.loads(out)["results"]
        assert (error["sourceData"]["lineNumber"], error["knownColumnNumber"]) == (3, 0)


def test_junit_writes_c1_bidi_and_invisible_characters_as_character_references(tmp_path: Path) -> None:
    report = _invisible_email(tmp_path)
    out = render(report, "junit")
    assert not _RAW_INVISIBLE.search(out)
    assert ("b&#x0085;&#x009b;&#x00ad;&#x061c;&#x200b;&#x200f;&#x2028;&#x2029;&#x202a;&#x202e;&#x2060;&#x2066;&#x2069;"
            "&#xfeff;o") in out
    failure = ET.fromstring(out).find("testsuite[@name='contacts.csv']/testcase/failure")
    assert failure is not None
    assert failure.get("message") == f"row 3, col 1: HS212 {report.findings[0].message}"  # (the same text once read)
    assert f"value: b{INVISIBLE}o" in (failure.text or "").split("\n")


def test_csv_format_keeps_c1_bidi_and_invisible_characters_as_written(tmp_path: Path) -> None:
    # CSV has no escapes: the failing row is the data as written (HS431 names such cells)
    report = _invisible_email(tmp_path)
    rows = list(csv.reader(io.StringIO(render(report, "csv"), newline="")))
    assert rows[1][:6] == [f"b{INVISIBLE}o", "Bo", "3", "1", "Email", "HS212"]
