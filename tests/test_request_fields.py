"""Request fields that only some imports use, object names where HubSpot documents ids, and null
for every optional field: each a finding at its JSON pointer, with its message."""

from __future__ import annotations

from typing import Any

import pytest

from validator import validate

COMPANIES = b"Domain,Name\nx.com,X\n"


def _request(mappings_object: str = "0-2", **top: Any) -> dict[str, Any]:
    return {"name": "t", **top, "files": [{"fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": mappings_object, "columnName": "Domain", "propertyName": "domain",
             "columnType": "HUBSPOT_ALTERNATE_ID"},
            {"columnObjectTypeId": mappings_object, "columnName": "Name", "propertyName": "name"}]}}]}


def _found(request: dict[str, Any], code: str, data: bytes = COMPANIES, **kw: Any) -> list[tuple[Any, ...]]:
    report = validate(request, files={"c.csv": data}, **kw)
    assert not report.refusals
    return [(f.pointer, f.row, f.column, f.severity.name, f.message) for f in report.findings if f.code == code]


@pytest.mark.parametrize("key", ["marketableContactImport", "createContactListFromImport"])
def test_a_contacts_only_setting_in_an_import_of_no_contacts_is_named(key: str) -> None:
    # nothing was reported: the setting silently did nothing
    assert _found(_request(**{key: True}), "HS032") == [
        (f"/{key}", None, None, "WARNING", f"{key} is true, but no column maps to contacts (0-1): this import "
                                           "writes companies (0-2), so the setting has no effect")]
    assert _found(_request(**{key: False}), "HS032") == []
    assert _found(_request("0-1", **{key: True}), "HS032", b"Domain,Name\na@x.com,Ann\n") == []


@pytest.mark.parametrize(("key", "portal", "use"), [
    ("companies", None, "use '0-2' (companies)"),
    ("COMPANY", None, "use '0-2' (companies)"),  # a legacy name
    ("cars", "fixtures/portal", "use '2-1234567' (Cars)"),  # a custom object's, from the portal snapshot
    ("p123456_cars", "fixtures/portal", "use '2-1234567' (Cars)"),
    ("p123456_cars", None, "use the custom object's 2-<id> (GET /crm/v3/schemas, or a portal snapshot's "
                           "schemas.json with --portal)"),
])
def test_an_object_name_as_an_operation_key_is_named_with_its_id(key: str, portal: str | None, use: str) -> None:
    # the name was read as the object silently, where HubSpot documents objectTypeIds as the keys
    from tests.conftest import ROOT
    from validator import Config

    config = Config(portal=str(ROOT / portal)) if portal else None
    request = _request("0-2", importOperations={key: "CREATE"})
    assert _found(request, "HS033", config=config) == [
        (f"/importOperations/{key}", None, None, "WARNING",
         f"importOperations key '{key}' is an object name; HubSpot documents objectTypeIds as its keys: {use}")]
    assert _found(_request("0-2", importOperations={"0-2": "CREATE"}), "HS033", config=config) == []
