"""The formats named after ruff's: json-lines, gitlab, grouped and full, pylint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, write_csv_import
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
        '"severity": "error", "file": "exports/contacts.csv", "sheet": null, "row": 3, "line": 3, "end_line": 3, '
        '"column": 4, '
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
    assert '"row": null, "line": null, "end_line": null, "column": null' in fourth
    assert "x.xlsx" not in out and "encrypted" not in out and "not listed" not in out  # findings only
    masked = render(report, "json-lines", redact=True)
    assert "a\\u2028b" not in masked and '"value": "REDACTED"' in masked.splitlines()[1]


def _on_ascii_stdout(tmp_path: Path, fmt: str) -> str:
    """The report in ``fmt`` of an invalid email with an é, written to a stdout that is ASCII."""
    (tmp_path / "contacts.csv").write_text("Email,Name\njosé@x,Ann\n", encoding="utf-8")
    request = {"files": [{"fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "Name", "propertyName": "firstname"}]}}]}
    (tmp_path / "r.import.json").write_text(json.dumps(request), encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    proc = subprocess.run([sys.executable, "-m", "validator", "check", str(tmp_path / "r.import.json"),
                           "--format", fmt, "--select", "HS212"], capture_output=True, env=env, check=False)
    assert proc.returncode == 1, proc.stderr
    return proc.stdout.decode("ascii")


def test_json_lines_on_a_stdout_that_is_not_utf8_escapes_as_json(tmp_path: Path) -> None:
    (line,) = _on_ascii_stdout(tmp_path, "json-lines").splitlines()
    assert '"message": "\'jos\\u00e9@x\' is not a valid email address"' in line
    assert json.loads(line)["value"] == "josé@x"


# gitlab

def test_gitlab_is_a_code_quality_report_with_sarifs_fingerprints(broken: Report) -> None:
    from validator.report.sarif import FINGERPRINT, sarif_dict

    issues = json.loads(render(broken, "gitlab"))
    assert len(issues) == 13 and len({i["fingerprint"] for i in issues}) == 13
    results = sarif_dict(broken)["runs"][0]["results"]
    assert [i["fingerprint"] for i in issues] == [r["partialFingerprints"][FINGERPRINT] for r in results]
    fingerprints = [i.pop("fingerprint") for i in issues]
    assert all(len(p) == 64 for p in fingerprints)
    assert issues[0] == {"description": "HS002: hasHeader must be true or false, not a string "
                                        "(at /files/0/fileImportPage/hasHeader)",
                         "check_name": "HS002", "severity": "major",
                         "location": {"path": "fixtures/examples/broken/contacts.import.json", "lines": {"begin": 1}}}
    assert issues[2]["check_name"] == "HS009" and issues[2]["severity"] == "minor"
    assert [(i["check_name"], i["location"]["lines"]["begin"], i["description"]) for i in issues[8:11]] == [
        ("HS110", 3, "HS110: row has 3 fields, fewer than the header's 4 (row 3, column 4: Company)"),
        ("HS113", 4, "HS113: row is blank (row 4)"),
        ("HS112", 5, "HS112: row cannot be parsed: ',' expected after '\"' (row 5, column 2: First Name)")]
    assert {i["location"]["path"] for i in issues[5:]} == {"fixtures/examples/broken/contacts.csv"}
    assert render(Report(), "gitlab") == "[]\n"


def test_gitlab_paths_are_relative_to_ci_project_dir(broken: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI_PROJECT_DIR", str(ROOT / "fixtures"))
    paths = [i["location"]["path"] for i in json.loads(render(broken, "gitlab"))]
    assert paths == ["examples/broken/contacts.import.json"] * 5 + ["examples/broken/contacts.csv"] * 8
    monkeypatch.setenv("CI_PROJECT_DIR", str(ROOT / "tests"))  # (outside it: as the other formats say it)
    assert {i["location"]["path"] for i in json.loads(render(broken, "gitlab"))} == {
        "fixtures/examples/broken/contacts.import.json", "fixtures/examples/broken/contacts.csv"}


def test_gitlab_hostile_text_counts_and_refusals() -> None:
    from tests.hostile.harness import UNSAFE

    report = _hostile()
    out = render(report, "gitlab")
    assert not UNSAFE.search(out) and "\u2028" not in out  # (escape text, as in the text format)
    issues = json.loads(out)
    for issue in issues:
        assert len(issue.pop("fingerprint")) == 64
    assert issues == [
        {"description": "HS021: importOperations names '0-1\\u001b[2J\\n::error::x' "
                        "(at /importOperations/0-1\\u001b[2J\\n::error::x)",
         "check_name": "HS021", "severity": "major", "location": {"path": "r.import.json", "lines": {"begin": 1}}},
        {"description": "HS212: 'a\\u2028b\\u0085c\\u202ed' is not a valid email address (row 3, column 1: E\\tmail)",
         "check_name": "HS212", "severity": "major", "location": {"path": "c\x1b\n.csv", "lines": {"begin": 4}}},
        {"description": "HS402: '\\xff' is not valid UTF-8 text (row 5, column 2)",
         "check_name": "HS402", "severity": "minor", "location": {"path": "c\x1b\n.csv", "lines": {"begin": 5}}},
        {"description": "HS404: the file starts with a byte order mark",
         "check_name": "HS404", "severity": "info", "location": {"path": "c\x1b\n.csv", "lines": {"begin": 1}}},
        {"description": "HS212: 2 more finding(s) of invalid-email not listed (raise --max-per-rule to see them)",
         "check_name": "HS212", "severity": "major", "location": {"path": "c\x1b\n.csv", "lines": {"begin": 1}}},
        {"description": "refused: encrypted\\nworkbook", "check_name": "read", "severity": "blocker",
         "location": {"path": "x\x1b.xlsx", "lines": {"begin": 1}}}]
    masked = render(report, "gitlab", redact=True)
    assert "u2028" not in masked and "'REDACTED' is not a valid email address" in masked


def test_gitlab_names_a_refused_or_unlisted_only_file_by_its_path() -> None:
    # the issue of a refused file, and of findings of a file none of whose findings is listed
    # (--max-per-rule 0), had the fileName as location.path ("bad.xlsx"), where the findings'
    # issues, junit's classname and github's annotations have the path the file was given as
    report = Report(counts={"HS212": 2}, suppressed={"HS212": 2}, suppressed_in={"c.csv": {"HS212": 2}},
                    severities={"HS212": Severity.ERROR}, refusals=[Refusal("bad.xlsx", "corrupt", "corrupt")],
                    paths={"c.csv": "data/c.csv", "bad.xlsx": "data/bad.xlsx"}, request="data/r.import.json")
    issues = json.loads(render(report, "gitlab"))
    assert [(i["check_name"], i["severity"], i["location"]) for i in issues] == [
        ("HS212", "major", {"path": "data/c.csv", "lines": {"begin": 1}}),
        ("read", "blocker", {"path": "data/bad.xlsx", "lines": {"begin": 1}})]


def test_gitlab_sheet_findings_name_their_cell() -> None:
    f = Finding("HS212", "invalid-email", "'x' is not a valid email address", Severity.ERROR, file="b.xlsx",
                path="b.xlsx", sheet="Con\x1btacts", row=7, column=2, column_name="Email", key="row:7")
    (issue,) = json.loads(render(Report(findings=[f]), "gitlab"))
    assert issue["description"] == "HS212: 'x' is not a valid email address (Con\\u001btacts!B7: Email)"
    assert issue["location"] == {"path": "b.xlsx", "lines": {"begin": 7}}


def test_gitlab_on_a_stdout_that_is_not_utf8_escapes_as_json(tmp_path: Path) -> None:
    (issue,) = json.loads(_on_ascii_stdout(tmp_path, "gitlab"))
    assert issue["description"] == "HS212: 'josé@x' is not a valid email address (row 2, column 1: Email)"


def test_a_settings_file_takes_every_format_the_command_line_takes(tmp_path: Path) -> None:
    # output-format = "json-lines" (or "gitlab") in a settings file was refused, its list kept apart
    from click.testing import CliRunner

    from validator import report, settings
    from validator.cli import check

    choices = next(p for p in check.params if p.name == "fmt").type.choices  # type: ignore[attr-defined]
    assert set(settings.FORMATS) == set(report.FORMATS) == set(choices) - {"auto"}
    (tmp_path / "pyproject.toml").write_text('[tool.hubspot-preflight]\noutput-format = "json-lines"\n',
                                             encoding="utf-8")
    from validator.cli import cli

    result = CliRunner().invoke(cli, ["check", str(BROKEN), "--config", str(tmp_path / "pyproject.toml"),
                                      "--select", "HS113"])
    assert result.exit_code == 0, result.output
    assert [json.loads(x)["code"] for x in result.output.splitlines()] == ["HS113"]


# grouped, full

def test_grouped_and_full_are_the_text_format(broken: Report, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from validator.cli import cli

    text = render(broken, "text")
    assert render(broken, "grouped") == render(broken, "full") == text
    assert text.splitlines()[7:10] == [
        f"{BROKEN.parent / 'contacts.csv'}",
        "  1:1  error   HS102 columnMappings[1] 'Email' is column 1 of the file, out of order with the other "
        "mappings (Email)",
        "  1:1  error   HS103 columnName 'email' does not match header 'Email' exactly: letter case differs (Email)"]
    assert render(_hostile(), "grouped", redact=True) == render(_hostile(), "text", redact=True)
    for fmt in ("grouped", "full"):
        out = CliRunner().invoke(cli, ["check", str(BROKEN), "--output-format", fmt, "--select", "HS113"]).output
        assert out.splitlines()[:3] == [f"{BROKEN.parent / 'contacts.csv'}", "  4  warning HS113 row is blank", ""]
    (tmp_path / "pyproject.toml").write_text('[tool.hubspot-preflight]\noutput-format = "full"\n', encoding="utf-8")
    out = CliRunner().invoke(cli, ["check", str(BROKEN), "--config", str(tmp_path / "pyproject.toml"),
                                   "--select", "HS113"]).output
    assert out.startswith(f"{BROKEN.parent / 'contacts.csv'}\n  4  warning HS113 row is blank\n")


# pylint

def test_pylint_is_path_line_code_message(broken: Report) -> None:
    lines = render(broken, "pylint").splitlines()
    request, data = BROKEN, BROKEN.parent / "contacts.csv"
    assert len(lines) == 13
    assert lines[0] == f"{request}:1: [HS002] hasHeader must be true or false, not a string " \
                       "(at /files/0/fileImportPage/hasHeader)"
    assert lines[5:] == [
        f"{data}:1: [HS102] columnMappings[1] 'Email' is column 1 of the file, out of order with the other mappings "
        "(column 1: Email)",
        f"{data}:1: [HS103] columnName 'email' does not match header 'Email' exactly: letter case differs "
        "(column 1: Email)",
        f"{data}:1: [HS101] the file has 4 columns but columnMappings has 3 entries; not mapped: 'Company' (column 4) "
        "(column 4: Company)",
        f"{data}:3: [HS110] row has 3 fields, fewer than the header's 4 (column 4: Company)",
        f"{data}:4: [HS113] row is blank",
        f"{data}:5: [HS112] row cannot be parsed: ',' expected after '\"' (column 2: First Name)",
        f"{data}:6: [HS110] row has 5 fields, more than the header's 4 (column 5)",
        f"{data}:7: [HS111] quote opened at line 7 is never closed (column 2: First Name)"]
    assert render(Report(), "pylint") == ""


def test_pylint_hostile_text_rows_on_other_lines_cells_and_last_lines() -> None:
    from tests.hostile.harness import UNSAFE

    sheet = Finding("HS212", "invalid-email", "'x' is not a valid email address", Severity.ERROR, file="b.xlsx",
                    path="b.xlsx", sheet="Con\u202etacts", row=7, column=2, key="row:7")
    report = _hostile()
    report.findings.append(sheet)
    out = render(report, "pylint")
    assert not UNSAFE.search(out)
    assert out.splitlines() == [
        "r.import.json:1: [HS021] importOperations names '0-1\\u001b[2J\\n::error::x' "
        "(at /importOperations/0-1\\u001b[2J\\n::error::x)",
        "c\\u001b\\n.csv:4: [HS212] 'a\\u2028b\\u0085c\\u202ed' is not a valid email address (row 3, column 1: "
        "E\\tmail)",
        "c\\u001b\\n.csv:5: [HS402] '\\xff' is not valid UTF-8 text (column 2)",
        "c\\u001b\\n.csv:1: [HS404] the file starts with a byte order mark",
        "b.xlsx:7: [HS212] 'x' is not a valid email address (Con\\u202etacts!B7)",
        "x\\u001b.xlsx: refused: encrypted\\nworkbook",
        "2 more finding(s) not listed (HS212 ×2); raise --max-per-rule to see them"]
    masked = render(report, "pylint", redact=True)
    assert "a\\u2028b" not in masked and "c\\u001b\\n.csv:4: [HS212] 'REDACTED' is not a valid email" in masked


# azure

def test_azure_is_one_logging_command_per_finding(broken: Report) -> None:
    # ruff's azure format was refused ("Invalid value for '--format'"); each finding is now an
    # issue of the step, at the line an editor opens, the row and column (a field number) in the text
    lines = render(broken, "azure").splitlines()
    request, data = BROKEN, BROKEN.parent / "contacts.csv"
    assert len(lines) == 13
    assert lines[0] == (f"##vso[task.logissue type=error;sourcepath={request};linenumber=1;code=HS002;]"
                        "hasHeader must be true or false, not a string (at /files/0/fileImportPage/hasHeader)")
    assert lines[2].startswith(f"##vso[task.logissue type=warning;sourcepath={request};linenumber=1;code=HS009;]")
    assert lines[8:10] == [
        f"##vso[task.logissue type=error;sourcepath={data};linenumber=3;code=HS110;]row has 3 fields, fewer than "
        "the header's 4 (row 3, column 4: Company)",
        f"##vso[task.logissue type=warning;sourcepath={data};linenumber=4;code=HS113;]row is blank (row 4)"]
    assert render(Report(), "azure") == ""
    from click.testing import CliRunner

    from validator.cli import cli
    result = CliRunner().invoke(cli, ["check", str(BROKEN), "--output-format", "azure", "--select", "HS113"])
    assert (result.exit_code, result.stdout) == (0, f"##vso[task.logissue type=warning;sourcepath={data};"
                                                    "linenumber=4;code=HS113;]row is blank (row 4)\n")


def test_azure_escapes_as_the_task_library_and_runs_no_command_from_the_input() -> None:
    from tests.hostile.harness import UNSAFE

    report = _hostile()
    report.findings[1] = Finding("HS212", "invalid-email", "'50%;]x\r\n##vso[task.setvariable variable=a]1' is not "
                                 "a valid email address", Severity.ERROR, file="a;b].csv", path="a;b].csv", row=3,
                                 line=3, column=1, column_name="Email", key="row:3")
    report.refusals.append(Refusal("##vso[task.complete result=Succeeded]", "unreadable", "unreadable"))
    out = render(report, "azure")
    assert not UNSAFE.search(out)
    assert out.splitlines() == [
        "##vso[task.logissue type=error;sourcepath=r.import.json;linenumber=1;code=HS021;]importOperations names "
        "'0-1\\u001b[2J%0A::error::x' (at /importOperations/0-1\\u001b[2J%0A::error::x)",
        "##vso[task.logissue type=error;sourcepath=a%3Bb%5D.csv;linenumber=3;code=HS212;]'50%AZP25;]x%0D%0A##vso\\u005b"
        "task.setvariable variable=a]1' is not a valid email address (row 3, column 1: Email)",
        "##vso[task.logissue type=warning;sourcepath=c\\u001b\\n.csv;linenumber=5;code=HS402;]'\\xff' is not valid "
        "UTF-8 text (row 5, column 2)",
        "##vso[task.logissue type=warning;sourcepath=c\\u001b\\n.csv;linenumber=1;code=HS404;]the file starts with a "
        "byte order mark",
        "x\\u001b.xlsx: refused: encrypted\\nworkbook",
        "##vso\\u005btask.complete result=Succeeded]: refused: unreadable",
        "2 more finding(s) not listed (HS212 ×2); raise --max-per-rule to see them"]
    assert all(line.count("##vso[") <= 1 and (line.startswith("##vso[") or "##vso[" not in line)
               for line in out.splitlines())


def test_no_format_writes_an_azure_logging_command_the_data_holds(tmp_path: Path) -> None:
    # Azure's agent runs a ##vso[ wherever it stands in a line of a step's output: a cell, a header
    # or a file name holding one must not reach any format as one (csv, the rows as read, aside)
    request = write_csv_import(tmp_path, [("Email", "0-1", "email"), ("##vso[task.complete result=Failed]", "0-1",
                                                                       "firstname")],
                               [["x##vso[task.setvariable variable=a]1@example.com", "Ann"]])
    report = validate(request)
    assert [(f.code, f.row, f.column) for f in report.findings if f.code == "HS212"] == [("HS212", 2, 1)]
    for fmt in ("text", "concise", "pylint", "json", "json-lines", "sarif", "junit", "github", "gitlab", "hubspot",
                "azure"):
        out = render(report, fmt)
        assert "##vso" in out, fmt
        leaked = [line for line in out.splitlines()
                  if "##vso[" in line.removeprefix("##vso[task.logissue " if fmt == "azure" else "")]
        assert leaked == [], fmt
        if fmt in ("json", "sarif", "hubspot"):  # (values read back whole)
            assert "x##vso[task.setvariable variable=a]1@example.com" in json.dumps(json.loads(out), ensure_ascii=False)
        if fmt == "junit":
            import xml.etree.ElementTree as ET
            tree = ET.fromstring(out.split("\n", 1)[1])
            assert "x##vso[task.setvariable variable=a]1@example.com" in ET.tostring(tree, encoding="unicode")
