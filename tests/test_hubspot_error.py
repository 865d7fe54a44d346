"""Each finding's HubSpot errorType: the rule's class's unless the hit names its own, and every
report format says the finding's (HS302 in a create-only import: DUPLICATE_UNIQUE_CREATION_KEY)."""

from __future__ import annotations

import ast
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from validator import Config, validate
from validator.catalog import builtin
from validator.checks.base import Rule, deferred
from validator.cli import cli
from validator.keys import KeySet
from validator.report import render

CREATION = "DUPLICATE_UNIQUE_CREATION_KEY"
PROPERTY = "DUPLICATE_UNIQUE_PROPERTY_VALUE"


def _mapping(obj: str, column: str, prop: str) -> dict[str, str]:
    return {"columnObjectTypeId": obj, "columnName": column, "propertyName": prop}


def _import(tmp: Path, operations: dict[str, str]) -> Path:
    """Contacts and companies, each with a unique property (member_id, erp_id) repeated, and a
    portal snapshot that makes those properties unique."""
    portal = tmp / "portal"
    shutil.copytree(ROOT / "fixtures" / "portal", portal)
    for obj, prop in (("contacts", "member_id"), ("companies", "erp_id")):
        path = portal / "properties" / f"{obj}.json"
        body = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"results": []}
        body["results"].append({"name": prop, "label": prop, "type": "string", "fieldType": "text",
                                "hasUniqueValue": True})
        path.write_text(json.dumps(body), encoding="utf-8")
    (tmp / "contacts.csv").write_text("Email,Member\nann@example.com,M-1\nbo@example.com,M-2\n"
                                      "cy@example.com,M-1\n", encoding="utf-8")
    (tmp / "companies.csv").write_text("Name,ERP\nAcme,E-1\nInitech,E-1\n", encoding="utf-8")
    files = [("contacts.csv", [_mapping("0-1", "Email", "email"), _mapping("0-1", "Member", "member_id")]),
             ("companies.csv", [_mapping("0-2", "Name", "name"), _mapping("0-2", "ERP", "erp_id")])]
    request = {"name": "two objects", "importOperations": operations,
               "files": [{"fileName": name, "fileFormat": "CSV",
                          "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}
                         for name, mappings in files]}
    (tmp / "import.json").write_text(json.dumps(request), encoding="utf-8")
    return tmp / "import.json"


def _hs302(report: Any) -> list[tuple[str | None, int | None, int | None, str | None]]:
    return [(f.file, f.row, f.column, f.hubspot_error) for f in report.findings if f.code == "HS302"]


@pytest.mark.parametrize(("operations", "contacts", "companies"), [
    ({"0-1": "CREATE", "0-2": "UPSERT"}, CREATION, PROPERTY),
    ({"0-1": "UPDATE", "0-2": "CREATE"}, PROPERTY, CREATION),
    ({}, PROPERTY, PROPERTY),  # (no importOperations: UPSERT)
])
def test_a_unique_value_repeated_where_rows_create_records_is_a_creation_key_duplicate(
        tmp_path: Path, operations: dict[str, str], contacts: str, companies: str) -> None:
    # HS302 said DUPLICATE_UNIQUE_PROPERTY_VALUE for every repeat, though in a create-only import
    # HubSpot reports two rows creating records with one unique value as DUPLICATE_UNIQUE_CREATION_KEY
    request = _import(tmp_path, operations)
    config = Config(portal=tmp_path / "portal", select=("HS302",))
    report = validate(request, config=config)
    assert _hs302(report) == [("contacts.csv", 4, 2, contacts), ("companies.csv", 3, 2, companies)]
    assert [f.message for f in report.findings] == ["unique value (member_id) 'M-1' repeats row 2",
                                                    "unique value (erp_id) 'E-1' repeats row 2"]
    assert validate(request, config=config.with_(chunk_rows=1)).findings == report.findings
    # the rule's own errorType (its page, the rules table, SARIF's rule descriptor) is unchanged
    from validator.checks import all_rules

    assert all_rules()["HS302"].hubspot_error == PROPERTY


def test_every_report_format_says_each_findings_own_error_type(tmp_path: Path) -> None:
    request = _import(tmp_path, {"0-1": "CREATE"})
    portal = str(tmp_path / "portal")
    report = validate(request, config=Config(portal=portal, select=("HS302",)))
    expected = [CREATION, PROPERTY]
    as_json = json.loads(render(report, "json"))
    assert [f["hubspot_error"] for f in as_json["findings"]] == expected
    sarif = json.loads(render(report, "sarif"))["runs"][0]
    assert [r["properties"]["hubspotErrorType"] for r in sarif["results"]] == expected
    assert [r["properties"]["hubspotErrorType"] for r in sarif["tool"]["driver"]["rules"]] == [PROPERTY]
    hubspot = json.loads(render(report, "hubspot"))["results"]
    assert [(e["errorType"], e["sourceData"]["lineNumber"], e["invalidValue"]) for e in hubspot] == [
        (CREATION, 4, "M-1"), (PROPERTY, 3, "E-1")]
    failures = ET.fromstring(render(report, "junit")).iter("failure")
    assert [line for f in failures for line in (f.text or "").splitlines() if "errorType" in line] == [
        f"HubSpot errorType: {e}" for e in expected]
    # redacted, and through the command line
    assert [f["hubspot_error"] for f in json.loads(render(report, "json", redact=True))["findings"]] == expected
    result = CliRunner().invoke(cli, ["check", str(request), "--portal", portal, "--select", "HS302",
                                      "--format", "json"])
    assert result.exit_code == 1, result.output
    assert [(f["file"], f["row"], f["hubspot_error"]) for f in json.loads(result.output)["findings"]] == [
        ("contacts.csv", 4, CREATION), ("companies.csv", 3, PROPERTY)]


class _Probe(Rule):  # (no code: not registered)
    name = "probe"
    hubspot_error = "INVALID_EMAIL"


def test_a_hit_names_its_own_error_type_or_takes_the_rules() -> None:
    from validator.context import Column
    from validator.keys import stored_batch

    rule = _Probe()
    assert rule.finding("m").hubspot_error == "INVALID_EMAIL"
    assert rule.finding("m", hubspot_error="INVALID_DOMAIN").hubspot_error == "INVALID_DOMAIN"
    assert rule.finding("m", hubspot_error="").hubspot_error is None
    for given, expected in ((None, "INVALID_EMAIL"), ("INVALID_DOMAIN", "INVALID_DOMAIN"), ("", None)):
        batch = deferred(rule, "f.csv", [2, 3], lambda i: rule.finding(f"m{i}", row=i + 2), hubspot_error=given)
        assert batch.hubspot_error == expected
        keys = KeySet(keep_values=True)
        keys.add(np.array([7, 8], np.uint64), np.array([2, 3]), values=np.array(["a", "b"], object))
        column = Column(index=0, name="Email", spec=None)
        stored = stored_batch(rule, "f.csv", None, column, keys, np.array([0, 1]), str, hubspot_error=given)
        assert [stored.finding(i).hubspot_error for i in range(len(stored))] == [expected] * 2


def _strings(node: ast.expr | None) -> set[str]:
    """The strings an expression may give: a constant, either branch of ``a if c else b``, either
    side of ``a or b`` (not the strings compared in a condition)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    if isinstance(node, ast.BoolOp):
        return set().union(*(_strings(v) for v in node.values))
    return set()


def _named_error_types() -> set[str]:
    """Every errorType a hit names: each string given as ``hubspot_error=``, or returned by an
    ``error_type`` method."""
    named: set[str] = set()
    for path in sorted((ROOT / "validator").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "hubspot_error":
                named |= _strings(node.value)
            elif isinstance(node, ast.FunctionDef) and node.name == "error_type":
                named |= {s for r in ast.walk(node) if isinstance(r, ast.Return) for s in _strings(r.value)}
    return named


def test_error_types_named_by_hits_are_real_ones() -> None:
    named = _named_error_types()
    assert {CREATION, "INVALID_EMAIL", "INVALID_NUMBER_SIZE"} <= named
    assert named - set(builtin().error_types) == set()
