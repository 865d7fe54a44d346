"""Findings counted but not listed (``--max-per-rule``) still count in every format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from validator.cli import cli
from validator.findings import Finding, Report, Severity
from validator.report.common import unlisted
from validator.report.github import annotate


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One file: 'a@x.com' five times (HS301 on rows 3-6) and one bad email (HS212 on row 7)."""
    monkeypatch.chdir(tmp_path)
    rows = "".join(f"a@x.com,{name}\n" for name in "ABCDE") + "bad,F\n"
    Path("c.csv").write_text("Email,Name\n" + rows, encoding="utf-8")
    request = {"name": "t", "importOperations": {"0-1": "UPSERT"}, "files": [{
        "fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email",
             "columnType": "HUBSPOT_ALTERNATE_ID"},
            {"columnObjectTypeId": "0-1", "columnName": "Name", "propertyName": "firstname"}]}}]}
    Path("c.import.json").write_text(json.dumps(request), encoding="utf-8")
    return tmp_path


def _check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", "c.import.json", *args])
    return result.exit_code, result.output


def test_github_titles_count_the_findings_not_listed(folder: Path) -> None:
    code, out = _check("--format", "github", "--max-per-rule", "2")
    assert code == 1
    assert out.splitlines()[:2] == [
        "::error file=c.csv,line=3,title=HS301 duplicate-alternate-id (4)::identifier (email) 'a@x.com' repeats "
        "row 2 at row 3, column 1 (Email) (and 3 more: row 4, column 1 (Email), …; 2 not listed, raise "
        "--max-per-rule to see them)",
        "::error file=c.csv,line=7,title=HS212 invalid-email (1)::'bad' is not a valid email address at row 7, "
        "column 1 (Email)"]


def test_github_annotates_a_rule_none_of_whose_findings_is_listed(folder: Path) -> None:
    code, out = _check("--format", "github", "--max-per-rule", "0")
    assert code == 1
    assert [line for line in out.splitlines() if line.startswith("::error")] == [
        "::error file=c.csv,title=HS212 invalid-email (1)::1 finding(s) not listed (raise --max-per-rule to see them)",
        "::error file=c.csv,title=HS301 duplicate-alternate-id (4)::4 finding(s) not listed (raise --max-per-rule to "
        "see them)"]


def _finding(code: str, file: str, row: int, sev: Severity = Severity.ERROR) -> Finding:
    return Finding(code, f"rule-{code}", "m", sev, file=file, row=row, line=row)


def test_unlisted_findings_are_placed_in_a_file_only_where_the_report_tells() -> None:
    findings = [_finding("HS301", "a.csv", 3), _finding("HS301", "a.csv", 4),
                _finding("HS212", "a.csv", 5), _finding("HS212", "b.csv", 5)]
    report = Report(findings=findings, suppressed={"HS301": 27, "HS212": 4, "HS409": 6, "HS110": 0})
    assert unlisted(report) == {("HS212", None): 4, ("HS301", "a.csv"): 27, ("HS409", None): 6}
    # a baseline accepted some of the rule's listed findings: their file may have had unlisted ones too
    accepted = Report(findings=findings, suppressed={"HS301": 27}, accepted={"HS301": 1})
    assert unlisted(accepted) == {("HS301", None): 27}


def test_github_folded_annotations_count_the_findings_not_listed() -> None:
    # 11 rule-and-file groups: folded to one annotation per rule, whose count includes the unlisted ones
    findings = [_finding(f"HS{200 + r}", f"f{k}.csv", 2) for r in range(5) for k in range(2)]
    lines = annotate(findings, {("HS200", None): 7, ("HS212", None): 3, ("HS409", None): 2},
                     {"HS212": Severity.ERROR, "HS409": Severity.WARNING})
    assert [line.split("::")[1] for line in lines] == [
        "error file=f0.csv,line=2,title=HS200 rule-HS200 (9)", *(
            f"error file=f0.csv,line=2,title=HS20{r} rule-HS20{r} (2)" for r in range(1, 5)),
        "error title=HS212 invalid-email (3)", "warning title=HS409 surrounding-whitespace (2)"]
    assert lines[0].endswith("(and 8 more: row 2, …; 7 not listed, raise --max-per-rule to see them) "
                             "[2 file(s): f0.csv, f1.csv]")
    many = [_finding(f"HS{200 + r}", "f.csv", 2) for r in range(12)]
    (last,) = [x for x in annotate(many, {("HS211", None): 4}) if "more rules" in x]
    assert last.endswith("::3 more rules: HS209 rule-HS209 ×1, HS210 rule-HS210 ×1, HS211 rule-HS211 ×5 "
                         "(see the step summary)")


def _suites(xml: str) -> list[tuple[str | None, ...]]:
    root = ET.fromstring(xml)
    return [(s.get("name"), s.get("tests"), s.get("failures"), s.get("skipped")) for s in root.findall("testsuite")]


def test_junit_fails_for_findings_not_listed(folder: Path) -> None:
    code, out = _check("--format", "junit", "--max-per-rule", "2")
    assert code == 1
    root = ET.fromstring(out)
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("5", "4", "0", "0")
    assert _suites(out) == [("c.import.json", "1", "0", "0"), ("c.csv", "4", "4", "0")]
    last = root.findall("testsuite/testcase")[-1]
    assert (last.get("name"), last.get("classname"), last.get("file")) == ("hubspot-preflight.HS301", "c", "c.csv")
    failure = last.find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert failure.get("message") == ("HS301 duplicate-alternate-id: 2 more finding(s) not listed "
                                      "(raise --max-per-rule to see them)")
    assert failure.text == ("HS301 duplicate-alternate-id (error): 2 more finding(s) not listed; "
                            "raise --max-per-rule to see them")


def test_junit_with_no_finding_listed_is_no_passing_run(folder: Path) -> None:
    # the engine counts unlisted findings by file: they fail that file's suite
    code, out = _check("--format", "junit", "--max-per-rule", "0")
    assert code == 1
    root = ET.fromstring(out)
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("3", "2", "0")
    assert _suites(out) == [("c.import.json", "1", "0", "0"), ("c.csv", "2", "2", "0")]
    failures = root.findall("testsuite[@name='c.csv']/testcase/failure")
    assert [(f.get("type"), f.get("message")) for f in failures] == [
        ("error", "HS212 invalid-email: 1 finding(s) not listed (raise --max-per-rule to see them)"),
        ("error", "HS301 duplicate-alternate-id: 4 finding(s) not listed (raise --max-per-rule to see them)")]


def test_a_rule_over_the_cap_in_two_files_counts_each_files_own(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # github titled each file's annotation with the listed count only, and put the rest of both
    # files in one annotation without a file
    monkeypatch.chdir(tmp_path)
    mappings = [{"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"}]
    entries = []
    for name, n in (("c.csv", 30), ("d.csv", 20)):
        Path(name).write_text("Email\n" + "".join(f"u{i}@@bad\n" for i in range(n)), encoding="utf-8")
        entries.append({"fileName": name, "fileFormat": "CSV",
                        "fileImportPage": {"hasHeader": True, "columnMappings": mappings}})
    Path("two.import.json").write_text(json.dumps({"name": "t", "files": entries}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "two.import.json", "--format", "github", "--select", "HS212",
                                      "--max-per-rule", "5"])
    titles = [line.split("::")[1] for line in result.output.splitlines() if line.startswith("::error")]
    assert titles == ["error file=c.csv,line=2,title=HS212 invalid-email (30)",
                      "error file=d.csv,line=2,title=HS212 invalid-email (20)"]


def test_concise_counts_the_findings_not_listed_on_a_last_line(folder: Path) -> None:
    assert _check("--format", "concise", "--max-per-rule", "0") == (
        1, "5 finding(s) not listed (HS212 ×1, HS301 ×4); raise --max-per-rule to see them\n")
    assert _check("--format", "concise", "--max-per-rule", "2") == (1, (
        "c.csv:3:1: HS301 [error] identifier (email) 'a@x.com' repeats row 2\n"
        "c.csv:4:1: HS301 [error] identifier (email) 'a@x.com' repeats row 2\n"
        "c.csv:7:1: HS212 [error] 'bad' is not a valid email address\n"
        "2 more finding(s) not listed (HS301 ×2); raise --max-per-rule to see them\n"))
    last = _check("--format", "concise")[1].splitlines()[-1]
    assert last == "c.csv:7:1: HS212 [error] 'bad' is not a valid email address"
