"""Findings counted but not listed (``--max-per-rule``) still count in every format."""

from __future__ import annotations

import json
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
        "::error title=HS212 invalid-email (1)::1 finding(s) not listed (raise --max-per-rule to see them)",
        "::error title=HS301 duplicate-alternate-id (4)::4 finding(s) not listed (raise --max-per-rule to see them)"]


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
