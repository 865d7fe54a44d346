"""Findings over ``--max-per-rule`` whose rule mixes levels in one file (README, "Portal
snapshots": HS208 is an error where the account's own list judged the cell, a warning where
HubSpot's default list did) are counted at their own levels in every format, merged or not."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import ROOT
from validator import Config, validate
from validator.findings import Report, Severity
from validator.report import render
from validator.report.common import levels, unlisted

# Pipeline judged by the account's pipelines (errors), Type by HubSpot's default list (warnings);
# a blank Stage of a created deal is HS234 (errors)
ROWS = "Deal Name,Pipeline,Stage,Type\nA,Nope,,odd\nB,Nope,,odd\n"
MAPPINGS = [("Deal Name", "dealname"), ("Pipeline", "pipeline"), ("Stage", "dealstage"), ("Type", "dealtype")]


def _deals(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "deals.csv").write_text(ROWS, encoding="utf-8")
    request = {"name": "deals", "importOperations": {"0-3": "CREATE"}, "files": [{
        "fileName": "deals.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-3", "columnName": c, "propertyName": p} for c, p in MAPPINGS]}}]}
    path = folder / "deals.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    return path


@pytest.fixture
def portal(tmp_path: Path) -> Path:
    """A snapshot holding only the account's deal pipelines."""
    (tmp_path / "portal" / "pipelines").mkdir(parents=True)
    shutil.copy(ROOT / "fixtures" / "portal" / "pipelines" / "deals.json", tmp_path / "portal" / "pipelines")
    return tmp_path / "portal"


def _capped(tmp_path: Path, portal: Path, folder: str = "a") -> Report:
    report = validate(_deals(tmp_path / folder), config=Config(portal=str(portal), max_per_rule=1))
    assert [(f.row, f.column, f.code, f.severity) for f in report.findings] == [
        (2, 2, "HS208", Severity.ERROR), (2, 3, "HS234", Severity.ERROR)]
    assert (report.errors, report.warnings, report.counts) == (4, 2, {"HS208": 4, "HS234": 2})
    return report


def _junit_unlisted(xml: str) -> list[tuple[str, str, str | None, str | None]]:
    """(suite, case, failure type, failure text) of each case of unlisted findings."""
    root = ET.fromstring(xml)
    return [(s.get("name") or "", c.get("name") or "", f.get("type"), f.text)
            for s in root for c in s for f in c.iter("failure") if "not listed" in (f.text or "")]


def test_levels_split_a_files_unlisted_findings_by_their_own_severity(tmp_path: Path, portal: Path) -> None:
    report = _capped(tmp_path, portal)
    assert unlisted(report) == {("HS208", "deals.csv"): 3, ("HS234", "deals.csv"): 1}
    assert report.unlisted_levels == {"deals.csv": {"HS208": {Severity.ERROR: 1, Severity.WARNING: 2}}}
    assert levels(report) == {"HS208": {Severity.ERROR: 2, Severity.WARNING: 2}, "HS234": {Severity.ERROR: 2}}


def test_junit_gives_each_severity_of_a_files_unlisted_findings_its_case(tmp_path: Path, portal: Path) -> None:
    # one case said "HS208 ... (error): 3 more finding(s) not listed", 2 of them warnings
    xml = render(_capped(tmp_path, portal), "junit")
    assert _junit_unlisted(xml) == [
        ("deals.csv", "hubspot-preflight.HS208", "error",
         "HS208 invalid-enumeration-option (error): 1 more finding(s) not listed; raise --max-per-rule to see them"),
        ("deals.csv", "hubspot-preflight.HS208", "warning",
         "HS208 invalid-enumeration-option (warning): 2 more finding(s) not listed; raise --max-per-rule to see them"),
        ("deals.csv", "hubspot-preflight.HS234", "error",
         "HS234 missing-required-value (error): 1 more finding(s) not listed; raise --max-per-rule to see them")]
    root = ET.fromstring(xml)
    suite = next(s for s in root if s.get("name") == "deals.csv")
    assert (suite.get("tests"), suite.get("failures"), root.get("tests"), root.get("failures")) == ("5", "5", "6", "5")


def test_github_annotates_a_files_unlisted_warnings_apart_from_its_errors(tmp_path: Path, portal: Path) -> None:
    report = _capped(tmp_path, portal)
    path = tmp_path / "a" / "deals.csv"
    heads = [(line.split("::")[1], line.split("::", 2)[2]) for line in render(report, "github").splitlines()
             if line.startswith("::") and "title=" in line]
    assert heads == [
        (f"error file={path},line=2,title=HS208 invalid-enumeration-option (2)",
         "'Nope' is not an option of pipeline (default, 98765); HubSpot rejects the row: its pipeline must exist "
         "at row 2, column 2 (Pipeline) (and 1 more: …; 1 not listed, raise --max-per-rule to see them)"),
        (f"error file={path},line=2,title=HS234 missing-required-value (2)",
         "the row creates a record of deals (0-3) without dealstage at row 2, column 3 (Stage) "
         "(and 1 more: …; 1 not listed, raise --max-per-rule to see them)"),
        (f"warning file={path},title=HS208 invalid-enumeration-option (2)",
         "2 finding(s) not listed (raise --max-per-rule to see them)")]
    from validator.report.github import step_summary

    assert [line for line in step_summary(report).splitlines() if line.startswith("| HS")] == [
        "| HS208 | error | 2 |", "| HS208 | warning | 2 |", "| HS234 | error | 2 |"]


def test_sarif_counts_a_files_unlisted_findings_by_their_own_severity(tmp_path: Path, portal: Path) -> None:
    run = json.loads(render(_capped(tmp_path, portal), "sarif"))["runs"][0]
    assert [(r["ruleId"], r["level"], r["properties"]["row"], r["properties"]["column"]) for r in run["results"]] == [
        ("HS208", "error", 2, 2), ("HS234", "error", 2, 3)]
    assert run["properties"]["findingsNotIncluded"] == 4
    assert run["properties"]["notIncluded"] == {"HS208": {"error": 1, "warning": 2}, "HS234": {"error": 1}}


def test_a_merged_report_keeps_each_files_split(tmp_path: Path, portal: Path) -> None:
    # two imports of one fileName (told apart by path), and one without a snapshot (all warnings)
    a, b = _capped(tmp_path, portal, "a"), _capped(tmp_path, portal, "b")
    bare = validate(_deals(tmp_path / "c"), config=Config(max_per_rule=1))
    assert (bare.severities["HS208"], bare.counts["HS208"], bare.suppressed["HS208"]) == (Severity.WARNING, 4, 3)
    # merged with a and b merged before, c's fileName is no one else's and stays deals.csv
    for merged, c in ((Report.merge([a, b, bare]), "c"), (Report.merge([Report.merge([a, b]), bare]), "deals.csv"),
                      (Report.merge([bare, Report.merge([b]), a]), "c")):
        assert (merged.errors, merged.warnings) == (4 + 4 + 2, 2 + 2 + 4)
        assert levels(merged) == {"HS208": {Severity.ERROR: 4, Severity.WARNING: 8}, "HS234": {Severity.ERROR: 6}}
        sarif = json.loads(render(merged, "sarif"))["runs"][0]["properties"]["notIncluded"]
        assert sarif == {"HS208": {"error": 2, "warning": 7}, "HS234": {"error": 3}}
        cases = sorted((Path(s).parent.name or s, case, t, (x or "").split(": ")[1].split(";")[0])
                       for s, case, t, x in _junit_unlisted(render(merged, "junit")))
        assert cases == [
            ("a", "hubspot-preflight.HS208", "error", "1 more finding(s) not listed"),
            ("a", "hubspot-preflight.HS208", "warning", "2 more finding(s) not listed"),
            ("a", "hubspot-preflight.HS234", "error", "1 more finding(s) not listed"),
            ("b", "hubspot-preflight.HS208", "error", "1 more finding(s) not listed"),
            ("b", "hubspot-preflight.HS208", "warning", "2 more finding(s) not listed"),
            ("b", "hubspot-preflight.HS234", "error", "1 more finding(s) not listed"),
            (c, "hubspot-preflight.HS208", "warning", "3 more finding(s) not listed"),
            (c, "hubspot-preflight.HS234", "error", "1 more finding(s) not listed")]


def test_the_cli_reports_the_split_in_junit(tmp_path: Path, portal: Path) -> None:
    from click.testing import CliRunner

    from validator.cli import cli

    args = ["check", str(_deals(tmp_path / "a")), "--portal", str(portal), "--max-per-rule", "1"]
    result = CliRunner().invoke(cli, [*args, "--format", "junit"])
    assert result.exit_code == 1, result.output
    assert [(t, (x or "").split(": ")[1].split(";")[0]) for _s, _c, t, x in _junit_unlisted(result.output)] == [
        ("error", "1 more finding(s) not listed"), ("warning", "2 more finding(s) not listed"),
        ("error", "1 more finding(s) not listed")]
    for reader in ("fast", "exact"):  # both CSV readers give the same report
        out = CliRunner().invoke(cli, [*args, "--format", "sarif", "--reader", reader]).output
        assert json.loads(out)["runs"][0]["properties"]["notIncluded"]["HS208"] == {"error": 1, "warning": 2}
