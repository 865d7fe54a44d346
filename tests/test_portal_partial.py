"""A portal snapshot that covers only some objects (README, "Portal snapshots"): HS208 and HS235
are errors where the account's own list judged the cell, warnings where HubSpot's default list
did (a severity set in the configuration wins), in every format, the totals and the exit code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from validator import Config, validate
from validator.cli import main
from validator.findings import Report, Severity

PORTAL = ROOT / "fixtures" / "portal"


def _import(folder: Path, name: str, header: str, rows: list[str], columns: list[tuple[str, str, str]]) -> Path:
    """``name``.json and ``name``.csv in ``folder``: one CSV mapping (columnName, object, property)."""
    (folder / f"{name}.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    request = {"name": name, "files": [{"fileName": f"{name}.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [{"columnName": c, "columnObjectTypeId": o, "propertyName": p}
                                              for c, o, p in columns]}}]}
    path = folder / f"{name}.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    return path


def _contacts(folder: Path, *stages: str) -> Path:
    return _import(folder, "contacts", "Email,Lifecycle Stage", [f"a{i}@example.com,{s}" for i, s in enumerate(stages)],
                   [("Email", "0-1", "email"), ("Lifecycle Stage", "0-1", "lifecyclestage")])


def _deals(folder: Path, *rows: str) -> Path:
    """Deal Name, Pipeline, Stage and (where a row has four cells) Type."""
    typed = [("Type", "0-3", "dealtype")] if rows[0].count(",") == 3 else []
    return _import(folder, "deals", "Deal Name,Pipeline,Stage" + (",Type" if typed else ""), list(rows),
                   [("Deal Name", "0-3", "dealname"), ("Pipeline", "0-3", "pipeline"),
                    ("Stage", "0-3", "dealstage"), *typed])


@pytest.fixture
def owners_only(tmp_path: Path) -> Path:
    """A snapshot of the owners alone: every property and pipeline is still HubSpot's default."""
    portal = tmp_path / "portal"
    portal.mkdir()
    shutil.copy(PORTAL / "owners.json", portal / "owners.json")
    return portal


def _found(report: Report) -> list[tuple[int | None, int | None, str, str | None]]:
    return [(f.row, f.column, f.code, f.severity.label if f.severity else None) for f in report.findings]


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """(exit code, stdout) of ``check`` with ``args``."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main(["check", *args])
    return int(exc.value.code or 0), capsys.readouterr().out


def test_a_default_list_finding_is_a_warning_with_a_snapshot_that_lacks_the_list(tmp_path: Path,
                                                                                 owners_only: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    contacts = _contacts(tmp_path, "Partner")
    report = validate(contacts, config=Config(portal=str(owners_only)))
    assert _found(report) == [(2, 2, "HS208", "warning")]
    assert (report.errors, report.warnings, report.exit_code("error"), report.exit_code("warning")) == (0, 1, 0, 1)
    code, out = _cli(capsys, str(contacts), "--portal", str(owners_only), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert [(f["row"], f["column"], f["code"], f["severity"]) for f in data["findings"]] == [
        (2, 2, "HS208", "warning")]
    assert (data["summary"]["errors"], data["summary"]["warnings"], data["ok"]) == (0, 1, True)
    code, out = _cli(capsys, str(contacts), "--portal", str(owners_only), "--fail-on", "error")
    assert code == 0
    assert "2:2  warning HS208 'Partner' is not an option of lifecyclestage" in out
    assert "Found 0 errors, 1 warning, 0 infos in 1 file" in out
    assert _cli(capsys, str(contacts), "--portal", str(owners_only), "--fail-on", "warning")[0] == 1
    code, out = _cli(capsys, str(contacts), "--portal", str(owners_only), "--format", "sarif")
    run = json.loads(out)["runs"][0]
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [("HS208", "warning")]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "HS208")
    assert rule["defaultConfiguration"]["level"] == "warning"


def test_a_deal_pipeline_the_snapshot_does_not_hold_is_judged_by_the_default_one(tmp_path: Path,
                                                                                owners_only: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    deals = _deals(tmp_path, "A,Renewals,closedwon,newbusiness", "B,default,Renewed,newbusiness")
    report = validate(deals, config=Config(portal=str(owners_only)))
    assert _found(report) == [(2, 2, "HS208", "warning"), (3, 3, "HS235", "warning")]
    assert report.exit_code("error") == 0
    code, out = _cli(capsys, str(deals), "--portal", str(owners_only), "--format", "concise")
    assert code == 0 and out.count("warning") == 2 and "error" not in out


def test_a_severity_the_configuration_sets_wins_over_the_default_list(tmp_path: Path, owners_only: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    contacts = _contacts(tmp_path, "Partner")
    report = validate(contacts, config=Config(portal=str(owners_only), severity={"HS208": "error"}))
    assert _found(report) == [(2, 2, "HS208", "error")]
    assert (report.errors, report.warnings, report.exit_code("error")) == (1, 0, 1)
    report = validate(contacts, config=Config(portal=str(owners_only), severity={"HS208": "info"}))
    assert _found(report) == [(2, 2, "HS208", "info")] and report.infos == 1


def test_the_accounts_own_list_makes_an_error_and_a_default_list_a_warning_in_one_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # pipelines/deals.json alone: Pipeline and Stage are the account's (errors); Deal Type, which
    # the snapshot does not hold, is HubSpot's default list (a warning)
    portal = tmp_path / "portal"
    (portal / "pipelines").mkdir(parents=True)
    shutil.copy(PORTAL / "pipelines" / "deals.json", portal / "pipelines" / "deals.json")
    deals = _deals(tmp_path, "A,Nope,closedwon,odd", "B,default,closedwon,odd", "C,Renewals,closedwon,newbusiness")
    report = validate(deals, config=Config(portal=str(portal)))
    assert _found(report) == [(2, 2, "HS208", "error"), (2, 4, "HS208", "warning"), (3, 4, "HS208", "warning"),
                              (4, 3, "HS235", "error")]
    assert (report.errors, report.warnings) == (2, 2)
    # past --max-per-rule the unlisted findings keep their own severity
    capped = validate(deals, config=Config(portal=str(portal), max_per_rule=1))
    assert _found(capped) == [(2, 2, "HS208", "error"), (4, 3, "HS235", "error")]
    assert (capped.errors, capped.warnings, capped.counts["HS208"]) == (2, 2, 3)
    merged = Report.merge([report, validate(_contacts(tmp_path, "Partner"), config=Config(portal=str(portal)))])
    assert (merged.errors, merged.warnings) == (2, 3)
    code, out = _cli(capsys, str(deals), "--portal", str(portal), "--max-per-rule", "1", "--format", "sarif")
    levels = [(r["ruleId"], r["level"]) for r in json.loads(out)["runs"][0]["results"]]
    assert code == 1 and levels == [("HS208", "error"), ("HS235", "error")]
    code, out = _cli(capsys, str(deals), "--portal", str(portal))
    assert code == 1 and "Found 2 errors, 2 warnings, 0 infos in 1 file" in out


def test_the_full_snapshot_still_makes_errors() -> None:
    report = validate(ROOT / "fixtures" / "examples" / "deals" / "deals.import.json", config=Config(portal=str(PORTAL)))
    assert [(r, c, code, s) for r, c, code, s in _found(report) if code in ("HS208", "HS235")] == [
        (4, 3, "HS235", "error"), (4, 7, "HS208", "error")]


def test_a_stale_baseline_entry_and_a_default_list_warning_are_counted_at_their_own(tmp_path: Path,
                                                                                   owners_only: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    contacts = _contacts(tmp_path, "Partner")
    entry: dict[str, Any] = {"file": "contacts.csv", "code": "HS208", "key": "row:0", "column": "Lifecycle Stage"}
    config = Config(portal=str(owners_only), baseline=[entry], severity={"HS901": "error"})
    report = validate(contacts, config=config)
    assert sorted((f.code, f.severity) for f in report.findings) == [("HS208", Severity.WARNING),
                                                                    ("HS901", Severity.ERROR)]
    assert (report.errors, report.warnings) == (1, 1)


def _properties(portal: Path, stages: list[dict[str, str]]) -> None:
    """properties/deals.json with the account's pipelines and stages, and no pipelines file."""
    (portal / "properties").mkdir(parents=True)
    body = json.loads((PORTAL / "properties" / "deals.json").read_text(encoding="utf-8"))
    for prop in body["results"]:
        if prop["name"] == "pipeline":
            prop["options"] = [{"label": "Sales Pipeline", "value": "default"}]
        if prop["name"] == "dealstage":
            prop["options"] = stages
    (portal / "properties" / "deals.json").write_text(json.dumps(body), encoding="utf-8")


def test_the_accounts_stages_without_its_pipelines_are_not_held_to_the_default_pipeline(tmp_path: Path) -> None:
    portal = tmp_path / "portal"
    _properties(portal, [{"label": "Demo booked", "value": "demo_booked"},
                         {"label": "Closed won", "value": "closedwon"}])
    deals = _deals(tmp_path, "A,default,Demo booked", "B,default,Qualified", "C,default,closedwon")
    report = validate(deals, config=Config(portal=str(portal)))
    # which pipeline each stage is in is not in the properties response: only whether the
    # account has the stage at all is judged, by its own list (an error)
    assert _found(report) == [(3, 3, "HS235", "error")]
    assert report.findings[0].message == "'Qualified' is not a stage of any pipeline"


def test_the_rule_table_says_a_default_lists_verdict_is_a_warning_with_a_snapshot_too(
        capsys: pytest.CaptureFixture[str]) -> None:
    # it said "error (warning without a portal)", though a snapshot without the property's
    # options or the object's pipelines leaves the cell to the default list, a warning too
    said = "warning where a default list, not the portal snapshot, judged the value"
    from click.testing import CliRunner

    from validator.cli import cli

    lines = CliRunner().invoke(cli, ["rules"]).output.splitlines()
    assert [line.split()[0] for line in lines if f"({said})" in line] == ["HS208", "HS235"]
    assert next(line for line in lines if line.startswith("HS208")).endswith(f"options. ({said})")
    table = CliRunner().invoke(cli, ["rules", "--format", "markdown"]).output.splitlines()
    assert [row.split(" | ")[:3] for row in table if said in row] == [
        ["| HS208", "`invalid-enumeration-option`", f"error ({said})"],
        ["| HS235", "`stage-not-in-pipeline`", f"error ({said})"]]
    page = CliRunner().invoke(cli, ["explain", "HS235"]).output
    assert f"\nSeverity: error ({said})\n" in page


def test_a_stage_property_without_options_leaves_the_stages_to_the_default_pipeline(tmp_path: Path) -> None:
    # properties/deals.json whose dealstage lists no options (and no pipelines file) says nothing
    # of the account's stages: HS235 judges by the default pipeline, as without a snapshot, a warning
    portal = tmp_path / "portal"
    _properties(portal, [])
    deals = _deals(tmp_path, "A,default,closedwon", "B,default,Bogus", "C,default,Demo booked")
    report = validate(deals, config=Config(portal=str(portal)))
    assert [(f.row, f.column, f.code, f.severity, f.message) for f in report.findings] == [
        (3, 3, "HS235", Severity.WARNING, "'Bogus' is not a stage of the row's pipeline (Sales Pipeline)"),
        (4, 3, "HS235", Severity.WARNING, "'Demo booked' is not a stage of the row's pipeline (Sales Pipeline)")]
    assert (report.errors, report.warnings, report.exit_code()) == (0, 2, 0)
    bare = validate(deals)
    assert [(f.row, f.column, f.code, f.severity, f.message) for f in bare.findings] == [
        (f.row, f.column, f.code, f.severity, f.message) for f in report.findings]


def test_a_pipeline_property_without_options_leaves_the_pipelines_to_the_default_list(tmp_path: Path) -> None:
    # properties/deals.json whose pipeline lists no options (and no pipelines file) made HS208
    # skip the Pipeline column: a pipeline the account cannot have, which HubSpot rejects, passed
    # with the snapshot, though without one it is a warning
    portal = tmp_path / "portal"
    (portal / "properties").mkdir(parents=True)
    shutil.copy(PORTAL / "properties" / "deals.json", portal / "properties" / "deals.json")
    deals = _deals(tmp_path, "A,default,closedwon", "B,Nope,closedwon", "C,Sales Pipeline,Bogus")
    report = validate(deals, config=Config(portal=str(portal)))
    assert [(f.row, f.column, f.code, f.severity, f.message, f.hubspot_error) for f in report.findings] == [
        (3, 2, "HS208", Severity.WARNING, "'Nope' is not an option of pipeline (default); HubSpot rejects the row: "
         "its pipeline must exist", "PROPERTY_VALUE_NOT_FOUND"),
        (4, 3, "HS235", Severity.WARNING, "'Bogus' is not a stage of the row's pipeline (Sales Pipeline)",
         "INVALID_REQUIRED_PROPERTY")]
    assert (report.errors, report.warnings) == (0, 2)
    assert _found(validate(deals)) == _found(report)
