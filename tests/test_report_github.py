"""``--format github``: what the workflow commands carry from the input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.hostile.harness import UNSAFE
from validator import validate
from validator.findings import Finding, Refusal, Report, Severity
from validator.report import render


def test_github_escapes_control_and_bidi_characters_from_header_and_file_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.csv").write_bytes(b"Email,Na\x1b]0;pwned\x07me\x1bc\na@x.com,Bo\n")
    request = {"name": "t", "files": [{"fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "Name", "propertyName": "firstname"}]}}]}
    (tmp_path / "c.import.json").write_text(json.dumps(request), encoding="utf-8")
    lines = render(validate("c.import.json"), "github").splitlines()
    assert lines[0] == ("::error file=c.csv,line=1,title=HS103 column-name-mismatch (1)::columnName 'Name' is "
                        "not in the header at row 1, column 2 (Na\\u001b]0;pwned\\u0007me\\u001bc)")


def test_github_escapes_every_c0_c1_del_and_bidi_character_but_keeps_line_breaks_encoded() -> None:
    name = "d\x01\x0b\u202e.csv"
    finding = Finding("HS110", "ragged-row", "row has\t3 fields\x00\x7f\x9b\nnext", Severity.ERROR, file=name,
                      row=2, line=2, column=1, column_name="E\u2066m\x85", hint="h\x1b[2J")
    report = Report(findings=[finding], counts={"HS110": 1}, severities={"HS110": Severity.ERROR},
                    refusals=[Refusal("r\x1b.csv", "refused \x07 bell\x00 and\r\nbreak")])
    out = render(report, "github")
    assert not UNSAFE.search(out) and "\t" not in out
    lines = out.splitlines()
    assert lines[0] == ("::error file=d\\u0001\\u000b\\u202e.csv,line=2,title=HS110 ragged-row (1)::"
                        "row has\\t3 fields\\u0000\\u007f\\u009b%0Anext at row 2, column 1 (E\\u2066m\\u0085)"
                        "%0Ahint: h\\u001b[2J")
    assert lines[1] == ("::error file=r\\u001b.csv,title=refused::refused: refused \\u0007 bell\\u0000 and"
                        "%0D%0Abreak")
    assert lines[2] == "::group::d\\u0001\\u000b\\u202e.csv (1 findings)"
    assert re.fullmatch(r"  2:1 error HS110 row has\\t3 fields\\u0000\\u007f\\u009b\\nnext", lines[3])


@pytest.mark.parametrize("n_refused", [1, 12])
def test_github_refusals_fit_under_the_error_cap_with_the_rules(n_refused: int) -> None:
    # a refusal's annotation came after ten error annotations of findings: the eleventh, which
    # GitHub drops without a word, so the reason a run exits 2 was not shown
    findings = [Finding(f"HS{100 + r}", f"rule-{r}", "m", Severity.ERROR, file="f.csv", row=r + 2, line=r + 2)
                for r in range(14)]
    refusals = [Refusal(f"x{i}.csv", f"why {i}") for i in range(n_refused)]
    report = Report(findings=findings, counts={f.code: 1 for f in findings},
                    severities={f.code: Severity.ERROR for f in findings}, refusals=refusals)
    errors = [x for x in render(report, "github").splitlines() if x.startswith("::error")]
    assert len(errors) == 10
    text = "\n".join(errors)
    for r in range(14):
        assert f"HS{100 + r}" in text
    for i in range(n_refused):
        assert f"x{i}.csv" in text and f"why {i}" in text
    if n_refused == 1:
        assert errors[-1] == "::error file=x0.csv,title=refused::refused: why 0"


def test_a_request_key_with_control_characters_reaches_no_log_raw(tmp_path: Path) -> None:
    # the JSON pointer of a finding about a request key was written raw as its location in the
    # text and concise formats and in github's log lines: a key with ESC sequences reached the
    # terminal, one with a line feed started a line of its own (a workflow command in Actions)
    key = "0-1\x1b[2J\n::error file=x::injected"
    request = {"importOperations": {key: "CREATE"}, "files": [{"fileName": "c.csv", "fileFormat": "CSV",
               "fileImportPage": {"hasHeader": True, "columnMappings": [
                   {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"}]}}]}
    (tmp_path / "c.import.json").write_text(json.dumps(request), encoding="utf-8")
    (tmp_path / "c.csv").write_text("Email\na@x.com\n", encoding="utf-8")
    report = validate(tmp_path / "c.import.json")
    assert any(f.code == "HS021" and f.pointer == f"/importOperations/{key}" for f in report.findings)
    shown = "/importOperations/0-1\\u001b[2J\\n::error file=x::injected"
    for fmt in ("text", "concise", "github"):
        out = render(report, fmt)
        assert not UNSAFE.search(out), (fmt, out)
        assert not [line for line in out.splitlines() if line.lstrip().startswith("::error file=x")], fmt
        assert [line for line in out.splitlines() if " HS021 " in line and shown in line], fmt


def test_step_summary_stays_within_githubs_size_limit_and_says_what_it_left_out() -> None:
    # GitHub refuses a step summary over 1 MiB whole (it shows none of it): the table of every
    # finding outgrew that with a few rules at --max-per-rule 1000
    from validator.report.github import SUMMARY_BYTES, step_summary

    n = 12_000
    findings = [Finding("HS212", "invalid-email", f"'someone{i}@example' is not a valid email address " + "x" * 60,
                        Severity.ERROR, file="contacts.csv", row=i + 2, column=1, column_name="Email")
                for i in range(n)]
    report = Report(findings=findings, counts={"HS212": n}, severities={"HS212": Severity.ERROR})
    text = step_summary(report)
    assert SUMMARY_BYTES == 1024 * 1024 and len(text.encode("utf-8")) <= SUMMARY_BYTES
    lines = text.splitlines()
    assert "| HS212 | error | 12,000 |" in lines
    rows = [line for line in lines if line.startswith("| contacts.csv | ")]
    assert rows[0] == ("| contacts.csv | 2 | 1 Email | HS212 | error | 'someone0@example' is not a valid email "
                       "address " + "x" * 60 + " |")
    assert 1000 < len(rows) < n
    assert lines[-1] == (f"{n - len(rows):,} more finding(s) are not in this table: GitHub keeps at most 1 MiB "
                         "of a step's summary (the log lists them all)")
    small = step_summary(Report(findings=findings[:3], counts={"HS212": 3}, severities={"HS212": Severity.ERROR}))
    assert "more finding(s)" not in small and len([x for x in small.splitlines() if x.startswith("| contacts")]) == 3


def test_step_summary_leaves_room_for_what_the_step_wrote_before(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from tests.conftest import ROOT
    from validator.cli import cli

    summary = tmp_path / "summary.md"
    summary.write_text("x" * (1024 * 1024 - 1500) + "\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    broken = ROOT / "fixtures" / "examples" / "broken" / "contacts.import.json"
    result = CliRunner().invoke(cli, ["check", str(broken), "--format", "github"])
    assert result.exit_code == 1
    text = summary.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= 1024 * 1024
    assert "| HS110 | error | 2 |" in text and "more finding(s) are not in this table" in text


def test_a_step_summary_naming_an_input_is_not_written_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GITHUB_STEP_SUMMARY naming the data file (or the request, a settings file, a baseline read)
    # had the summary table appended to it: an input changed, where -o naming one is refused
    import shutil

    from click.testing import CliRunner

    from tests.conftest import ROOT
    from validator.cli import cli

    shutil.copytree(ROOT / "fixtures" / "examples" / "broken", tmp_path / "broken")
    (tmp_path / "accepted.json").write_text('{"entries": []}', encoding="utf-8")
    for name in ("broken/contacts.csv", "broken/contacts.import.json", "accepted.json"):
        before = (tmp_path / name).read_bytes()
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / name))
        result = CliRunner().invoke(cli, ["check", str(tmp_path / "broken" / "contacts.import.json"), "--format",
                                          "github", "--baseline", str(tmp_path / "accepted.json")])
        assert result.exit_code == 1
        assert (tmp_path / name).read_bytes() == before
        assert result.stderr == (f"hubspot-preflight: no step summary written: GITHUB_STEP_SUMMARY "
                                 f"{tmp_path / name} is one of the inputs\n")


def test_a_refused_files_annotation_names_its_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # it named the fileName alone (file=contacts.csv), a file GitHub looks for at the top of the
    # repository, where findings name the path
    folder = tmp_path / "imports" / "q 4"
    folder.mkdir(parents=True)
    request = {"files": [{"fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"}]}}]}
    (folder / "contacts.import.json").write_text(json.dumps(request), encoding="utf-8")
    (folder / "contacts.csv").mkdir()
    monkeypatch.chdir(tmp_path)
    report = validate(Path("imports/q 4/contacts.import.json"))
    assert [r.file for r in report.refusals] == ["contacts.csv"]
    (line,) = [x for x in render(report, "github").splitlines() if x.startswith("::error")]
    assert line.startswith("::error file=imports/q 4/contacts.csv,title=refused::refused: ")


def test_a_line_or_paragraph_separator_in_a_value_starts_no_line() -> None:
    # U+2028 and U+2029 passed through as text: str.splitlines() (and editors, and log viewers) broke
    # a finding in two there, in text, concise and github output alike
    f = Finding("HS212", "invalid-email", "'a\u2028b\u2029c' is not a valid email address", Severity.ERROR,
                file="c\u2028.csv", row=2, column=1, column_name="E\u2029mail", value="a\u2028b\u2029c")
    report = Report(findings=[f], severities={"HS212": Severity.ERROR}, counts={"HS212": 1})
    assert render(report, "concise").splitlines() == [
        "c\\u2028.csv:2:1: HS212 [error] 'a\\u2028b\\u2029c' is not a valid email address"]
    assert render(report, "text").splitlines()[:2] == [
        "c\\u2028.csv", "  2:1  error   HS212 'a\\u2028b\\u2029c' is not a valid email address (E\\u2029mail)"]
    (line,) = [x for x in render(report, "github").splitlines() if x.startswith("::error")]
    assert line.endswith("::'a\\u2028b\\u2029c' is not a valid email address at row 2, column 1 (E\\u2029mail)")
