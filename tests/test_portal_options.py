"""A portal snapshot's properties whose options say more than a list of values (README, "Portal
snapshots"): an enumeration listing no options at all, and one whose options come from elsewhere
(``externalOptions``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from validator import Config, validate
from validator.findings import Report
from validator.portal import load_portal


def _contacts(folder: Path, cells: list[str]) -> Path:
    """contacts.json and contacts.csv: Email and Plan (``plan``, a contact property) per row."""
    rows = [f"a{i}@example.com,{c}" for i, c in enumerate(cells)]
    (folder / "contacts.csv").write_text("\n".join(["Email,Plan", *rows]) + "\n", encoding="utf-8")
    request = {"name": "contacts", "files": [{"fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnName": "Email", "columnObjectTypeId": "0-1", "propertyName": "email"},
            {"columnName": "Plan", "columnObjectTypeId": "0-1", "propertyName": "plan"}]}}]}
    path = folder / "contacts.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    return path


def _portal(folder: Path, **plan: Any) -> Path:
    """A snapshot with the contact properties ``email`` and ``plan`` (a dropdown, ``plan`` its fields)."""
    portal = folder / "portal"
    (portal / "properties").mkdir(parents=True)
    props = [{"name": "email", "label": "Email", "type": "string", "fieldType": "text"},
             {"name": "plan", "label": "Plan", "type": "enumeration", "fieldType": "select", **plan}]
    (portal / "properties" / "contacts.json").write_text(json.dumps({"results": props}), encoding="utf-8")
    return portal


def _found(report: Report) -> list[tuple[int | None, int | None, str, str | None, str]]:
    return [(f.row, f.column, f.code, f.severity.label if f.severity else None, f.message) for f in report.findings]


def test_a_dropdown_with_no_options_at_all_takes_no_value(tmp_path: Path) -> None:
    # it was skipped: every cell went unchecked, and HubSpot leaves the property empty
    portal = _portal(tmp_path, options=[])
    report = validate(_contacts(tmp_path, ["gold", "", "silver"]), config=Config(portal=str(portal)))
    outcome = "it has no options at all in the portal snapshot; HubSpot imports the record and leaves plan empty"
    assert _found(report) == [(2, 2, "HS208", "error", f"'gold' is not an option of plan: {outcome}"),
                              (4, 2, "HS208", "error", f"'silver' is not an option of plan: {outcome}")]


def test_a_dropdown_whose_options_come_from_elsewhere_is_not_judged(tmp_path: Path) -> None:
    portal = _portal(tmp_path, options=[], externalOptions=True, referencedObjectType="PRODUCT")
    prop = load_portal(portal).properties["0-1"][1]
    assert (prop.name, prop.external_options, prop.referenced_object) == ("plan", True, "PRODUCT")
    assert _found(validate(_contacts(tmp_path, ["gold"]), config=Config(portal=str(portal)))) == []
    without_reference = _portal(tmp_path / "b", options=[], externalOptions=True)
    assert _found(validate(_contacts(tmp_path, ["gold"]), config=Config(portal=str(without_reference)))) == []
