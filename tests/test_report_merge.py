"""A report of several imports (``Report.merge``, the CLI with several requests) counts each
finding at the severity its own import gave it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import ROOT
from validator import Config, Report, Severity, validate
from validator.cli import cli

DEALS = ROOT / "fixtures" / "examples" / "deals"


def _two_deals(tmp_path: Path, severity_of_a: str) -> tuple[Path, Path]:
    """The deals import twice, in folders a and b; a's settings make HS208 ``severity_of_a``."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        for f in ("deals.import.json", "deals.csv"):
            shutil.copy(DEALS / f, tmp_path / name / f)
        table = f'[tool.hubspot-preflight.severity]\nHS208 = "{severity_of_a}"\n' if name == "a" else ""
        (tmp_path / name / "pyproject.toml").write_text(f"[tool.hubspot-preflight]\n{table}", encoding="utf-8")
    return tmp_path / "a", tmp_path / "b"


def test_merged_report_counts_each_finding_at_its_own_imports_severity() -> None:
    # the merged report kept one severity per code, the last import's: HS208's three findings of
    # an import that makes it an error were counted as warnings (errors 6, warnings 10, not 9, 7)
    deals = DEALS / "deals.import.json"
    a = validate(deals, config=Config(severity={"HS208": "error"}))
    b = validate(deals)
    assert [f.severity for f in a.findings if f.code == "HS208"] == [Severity.ERROR] * 3
    assert (a.errors, a.warnings, b.errors, b.warnings) == (6, 2, 3, 5)
    for reports in ([a, b], [b, a]):
        merged = Report.merge(reports)
        assert (merged.errors, merged.warnings, merged.infos) == (9, 7, 0)
        assert sum(f.severity == Severity.ERROR for f in merged.findings) == merged.errors
        assert merged.to_dict()["summary"]["errors"] == 9
    assert Report.merge([Report.merge([a, b]), b]).errors == 12


def test_merged_report_fails_on_an_error_of_any_of_its_imports() -> None:
    # an import whose only findings were errors by its own settings passed the run when a later
    # import made that rule a warning: exit 0, ok true
    deals = DEALS / "deals.import.json"
    only = Config(select=["HS208"])
    a = validate(deals, config=only.with_(severity={"HS208": "error"}))
    b = validate(deals, config=only)
    assert (a.exit_code(), b.exit_code()) == (1, 0)
    merged = Report.merge([a, b])
    assert (merged.ok, merged.exit_code(), merged.exit_code("warning")) == (False, 1, 1)
    assert (merged.errors, merged.warnings) == (3, 3)


def test_cli_with_two_folders_of_own_settings_sums_their_severities(tmp_path: Path) -> None:
    a, b = _two_deals(tmp_path, "error")
    result = CliRunner().invoke(cli, ["check", str(a), str(b), "--format", "json", "--select", "HS208"])
    assert result.exit_code == 1, result.output
    out = json.loads(result.output)
    assert (out["ok"], out["summary"]["errors"], out["summary"]["warnings"]) == (False, 3, 3)
    assert [(Path(f["file"]).parent.name, f["row"], f["column"], f["code"], f["severity"])
            for f in out["findings"]] == [
        ("a", 2, 2, "HS208", "error"), ("a", 4, 2, "HS208", "error"), ("a", 4, 7, "HS208", "error"),
        ("b", 2, 2, "HS208", "warning"), ("b", 4, 2, "HS208", "warning"), ("b", 4, 7, "HS208", "warning")]


def test_a_stale_entry_said_once_is_counted_once_at_the_severity_of_the_one_kept(tmp_path: Path) -> None:
    # both imports find the shared entry stale; the merged report keeps the first's HS901 (a
    # warning there) and counted it at the last import's severity (an error there)
    entries = [{"file": "deals.csv", "code": "HS208", "key": "email:gone@example.com", "column": "Pipeline"}]
    only = Config(baseline=entries, select=["HS208", "HS901"])
    a, b = (tmp_path / "a" / "deals.import.json", tmp_path / "b" / "deals.import.json")
    _two_deals(tmp_path, "warning")
    warned, failed = validate(a, config=only), validate(b, config=only.with_(severity={"HS901": "error"}))
    assert [(f.pointer, f.code, f.severity) for f in failed.findings if f.row is None] == [
        ("/entries/0", "HS901", Severity.ERROR)]
    for merged, kept in ((Report.merge([warned, failed]), Severity.WARNING),
                         (Report.merge([warned, Report.merge([failed])]), Severity.WARNING),
                         (Report.merge([failed, Report.merge([warned])]), Severity.ERROR)):
        assert [(f.pointer, f.code, f.severity) for f in merged.findings if f.row is None] == [
            ("/entries/0", "HS901", kept)]
        assert merged.counts == {"HS208": 6, "HS901": 1}
        assert (merged.errors, merged.warnings) == ((0, 7) if kept == Severity.WARNING else (1, 6))


def test_a_code_of_no_known_severity_counts_as_the_error_exit_code_takes_it_for() -> None:
    # a Report built by hand (or merged from one) with a count but no severity for its code
    # exited 1, as for an error, while errors said 0 and ok said True
    report = Report(counts={"HS110": 2})
    assert (report.errors, report.warnings, report.ok, report.exit_code()) == (2, 0, False, 1)
    merged = Report.merge([report, Report(counts={"HS113": 1}, severities={"HS113": Severity.WARNING})])
    assert (merged.errors, merged.warnings, merged.ok, merged.exit_code(), merged.exit_code("warning")) == (
        2, 1, False, 1, 1)


def _run(a: Path, b: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(cli, ["check", str(a), str(b), "--select", "HS208", *args], env=env)
    assert result.exit_code == 1, result.output
    return result.output


def test_junit_labels_each_imports_unlisted_findings_at_its_own_severity(tmp_path: Path) -> None:
    # the cases of findings over --max-per-rule took the last import's severity (both "warning")
    a, b = _two_deals(tmp_path, "error")
    import xml.etree.ElementTree as ET

    root = ET.fromstring(_run(a, b, "--max-per-rule", "0", "--format", "junit"))
    cases = [(Path(s.get("name") or "").parent.name, c.get("name"), f.get("type"), f.text)
             for s in root for c in s for f in c.iter("failure")]
    assert cases == [
        ("a", "hubspot-preflight.HS208", "error",
         "HS208 invalid-enumeration-option (error): 3 finding(s) not listed; raise --max-per-rule to see them"),
        ("b", "hubspot-preflight.HS208", "warning",
         "HS208 invalid-enumeration-option (warning): 3 finding(s) not listed; raise --max-per-rule to see them")]


def test_github_annotations_and_summary_label_each_imports_unlisted_findings(tmp_path: Path) -> None:
    a, b = _two_deals(tmp_path, "error")
    summary = tmp_path / "summary.md"
    out = _run(a, b, "--max-per-rule", "0", "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert [(line.split(" ", 1)[0], Path(line.split("file=")[1].split(",")[0]).parent.name)
            for line in out.splitlines() if line.startswith("::") and "file=" in line] == [
        ("::error", "a"), ("::warning", "b")]
    table = [line for line in summary.read_text(encoding="utf-8").splitlines() if line.startswith("| HS")]
    assert table == ["| HS208 | error | 3 |", "| HS208 | warning | 3 |"]
    # with some listed: the rest of each file's findings keep that file's level
    out = _run(a, b, "--max-per-rule", "1", "--format", "github")
    assert [line.split("::")[1] for line in out.splitlines() if line.startswith("::") and "title=" in line] == [
        f"error file={a / 'deals.csv'},line=2,title=HS208 invalid-enumeration-option (3)",
        f"warning file={b / 'deals.csv'},line=2,title=HS208 invalid-enumeration-option (3)"]


def test_sarif_counts_each_imports_unlisted_findings_at_its_own_severity(tmp_path: Path) -> None:
    # the rule's level was the last import's (warning), as if every left-out finding were one
    a, b = _two_deals(tmp_path, "error")
    run = json.loads(_run(a, b, "--max-per-rule", "1", "--format", "sarif"))["runs"][0]
    assert [r["level"] for r in run["results"]] == ["error", "warning"]
    assert [(r["id"], r["defaultConfiguration"]["level"]) for r in run["tool"]["driver"]["rules"]] == [
        ("HS208", "error")]
    assert run["properties"]["findingsNotIncluded"] == 4
    assert run["properties"]["notIncluded"] == {"HS208": {"error": 2, "warning": 2}}
    run = json.loads(_run(a, b, "--max-per-rule", "0", "--format", "sarif"))["runs"][0]
    assert run["properties"]["notIncluded"] == {"HS208": {"error": 3, "warning": 3}}


def test_a_merged_report_records_each_files_unlisted_findings_at_its_own_imports_level(tmp_path: Path) -> None:
    # one record by file, code and level (Report.unlisted_levels): the file of an import that makes
    # HS208 an error is in it wherever the merged report's level of HS208 (the last import's) is another
    a, b = _two_deals(tmp_path, "error")
    only = Config(select=["HS208"], max_per_rule=1)
    made = validate(a / "deals.import.json", config=only.with_(severity={"HS208": "error"}))
    warned = validate(b / "deals.import.json", config=only)
    in_a, in_b = str(a / "deals.csv"), str(b / "deals.csv")
    listed = {in_a: (in_a, 2, 2, "HS208", Severity.ERROR), in_b: (in_b, 2, 2, "HS208", Severity.WARNING)}
    for reports, level, record in (([made, warned], Severity.WARNING, {in_a: {"HS208": {Severity.ERROR: 2}}}),
                                   ([warned, made], Severity.ERROR, {in_b: {"HS208": {Severity.WARNING: 2}}})):
        merged = Report.merge(reports)
        first, second = (in_a, in_b) if reports[0] is made else (in_b, in_a)
        assert [(f.file, f.row, f.column, f.code, f.severity) for f in merged.findings] == [
            listed[first], listed[second]]
        assert (merged.severities["HS208"], merged.unlisted_levels) == (level, record)
        assert merged.suppressed_in == {in_a: {"HS208": 2}, in_b: {"HS208": 2}}
        assert [merged.unlisted_split("HS208", name, 2) for name in (in_a, in_b)] == [
            {Severity.ERROR: 2}, {Severity.WARNING: 2}]
        assert Report.merge([merged]).unlisted_levels == record


def test_an_unlisted_count_the_record_does_not_hold_is_all_at_its_one_level() -> None:
    # a report read without the engine's counts by file (common.unlisted) may ask for another n
    report = Report(severities={"HS208": Severity.WARNING}, unlisted_levels={
        "a.csv": {"HS208": {Severity.ERROR: 2}}, "b.csv": {"HS208": {Severity.ERROR: 1, Severity.WARNING: 1}}})
    assert report.unlisted_split("HS208", "a.csv", 2) == {Severity.ERROR: 2}
    assert report.unlisted_split("HS208", "a.csv", 5) == {Severity.ERROR: 5}
    assert report.unlisted_split("HS208", "b.csv", 2) == {Severity.ERROR: 1, Severity.WARNING: 1}
    assert report.unlisted_split("HS208", "b.csv", 5) == {Severity.WARNING: 5}  # no split of 5: the code's level
    assert [report.unlisted_split("HS208", name, 3) for name in ("c.csv", None)] == [{Severity.WARNING: 3}] * 2
