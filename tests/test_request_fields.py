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
    ("p_cars", "fixtures/portal", "use '2-1234567' (Cars)"),  # a custom object's short-hand name
    ("p_cars", None, "use the custom object's 2-<id> (GET /crm/v3/schemas, or a portal snapshot's "
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


def _full_request() -> dict[str, Any]:
    """A request with every field of the model given (the misplaced ones too)."""
    mapping = {"columnObjectTypeId": "0-2", "columnObjectType": "COMPANY", "columnName": "Name", "propertyName": "name",
               "columnType": "STANDARD", "idColumnType": "STANDARD", "toColumnObjectTypeId": "0-1",
               "foreignKeyType": {"associationTypeId": 280, "associationCategory": "HUBSPOT_DEFINED"},
               "associationIdentifierColumn": False, "ignored": False, "marketingEventSubmissionType": "JOINED"}
    key = {"columnObjectTypeId": "0-2", "columnName": "Domain", "propertyName": "domain",
           "columnType": "HUBSPOT_ALTERNATE_ID"}
    return {"name": "t", "importOperations": {"0-2": "UPSERT"}, "dateFormat": "DAY_MONTH_YEAR",
            "marketableContactImport": False, "createContactListFromImport": False, "marketingEventObjectId": 7,
            "timeZone": "Europe/Paris", "files": [{
                "fileName": "c.csv", "fileFormat": "CSV", "dateFormat": "DAY_MONTH_YEAR", "hasHeader": True,
                "columnMappings": [key, mapping],
                "fileImportPage": {"hasHeader": True, "dateFormat": "DAY_MONTH_YEAR",
                                   "columnMappings": [key, mapping]}}]}


def _places() -> list[tuple[str, str]]:
    from validator.request import FILE_FIELDS, FOREIGN_KEY_FIELDS, MAPPING_FIELDS, PAGE_FIELDS, TOP_FIELDS

    mapping = "/files/0/fileImportPage/columnMappings/1"
    return ([("", k) for k in TOP_FIELDS] + [("/files/0", k) for k in FILE_FIELDS]
            + [("/files/0/fileImportPage", k) for k in PAGE_FIELDS] + [(mapping, k) for k in MAPPING_FIELDS]
            + [(f"{mapping}/foreignKeyType", k) for k in FOREIGN_KEY_FIELDS])


@pytest.mark.parametrize(("at", "key"), _places())
def test_null_for_any_field_is_a_finding_or_documented_as_accepted(at: str, key: str) -> None:
    """Every field of the request model, null: HS002 (a required field), HS034 (an optional one,
    read as left out), or nothing where the model takes null (HubSpot's own example writes it)."""
    import json

    from validator.request import FILE_FIELDS, FOREIGN_KEY_FIELDS, MAPPING_FIELDS, PAGE_FIELDS, TOP_FIELDS
    from validator.request.model import FILE_OPTIONAL, MAPPING_OPTIONAL, PAGE_OPTIONAL, TOP_OPTIONAL

    request = _full_request()
    node: Any = request
    for part in at.split("/")[1:]:
        node = node[int(part)] if part.isdigit() else node[part]
    node[key] = None
    report = validate(json.dumps(request).encode(), files={"c.csv": COMPANIES})
    assert not report.refusals
    codes = sorted(f.code for f in report.findings if f.pointer == f"{at}/{key}" and f.code in ("HS002", "HS034"))
    fields, optional = {"": (TOP_FIELDS, TOP_OPTIONAL), "/files/0": (FILE_FIELDS, FILE_OPTIONAL),
                        "/files/0/fileImportPage": (PAGE_FIELDS, PAGE_OPTIONAL)}.get(
        at, (FOREIGN_KEY_FIELDS, {}) if at.endswith("foreignKeyType") else (MAPPING_FIELDS, MAPPING_OPTIONAL))
    if type(None) in fields[key]:
        assert codes == [], codes  # documented as taken: propertyName, columnType, foreignKeyType, ...
    else:
        assert codes == (["HS034"] if key in optional else ["HS002"])


def test_null_for_an_optional_field_says_it_is_read_as_left_out() -> None:
    # it was HS002, an error ("dateFormat must be a string, not null"), though HubSpot's handling of
    # null for a field it may leave out is not documented
    request = _request(dateFormat=None)
    request["files"][0]["fileImportPage"]["columnMappings"][1]["ignored"] = None
    assert _found(request, "HS034") == [
        ("/dateFormat", None, None, "WARNING", "dateFormat is null, which HubSpot does not document for it; this "
                                               "check reads it as left out (MONTH_DAY_YEAR)"),
        ("/files/0/fileImportPage/columnMappings/1/ignored", None, None, "WARNING",
         "ignored is null, which HubSpot does not document for it; this check reads it as left out (false)")]
    assert _found(request, "HS002") == []
    assert _found({**_request(), "files": None}, "HS002") == [
        ("/files", None, None, "ERROR", "files must be an array, not null")]


@pytest.mark.parametrize(("value", "kind"), [(None, "null"), (7, "an integer")])
def test_a_column_object_that_is_no_string_is_reported_once(value: Any, kind: str) -> None:
    # HS019 added "column mapping 'Name' has no columnObjectTypeId" at the same pointer as HS002
    request = _request()
    request["files"][0]["fileImportPage"]["columnMappings"][1]["columnObjectTypeId"] = value
    report = validate(request, files={"c.csv": COMPANIES})
    at = "/files/0/fileImportPage/columnMappings/1/columnObjectTypeId"
    assert [(f.code, f.row, f.column, f.severity.name, f.message) for f in report.findings if f.pointer == at] == [
        ("HS002", None, None, "ERROR", f"columnObjectTypeId must be a string, not {kind}")]
    del request["files"][0]["fileImportPage"]["columnMappings"][1]["columnObjectTypeId"]  # left out: HS019's
    assert _found(request, "HS019") == [(at, None, None, "ERROR", "column mapping 'Name' has no columnObjectTypeId")]


@pytest.mark.parametrize(("value", "kind"), [(None, "null"), (7, "an integer")])
def test_a_legacy_column_object_that_is_no_string_is_reported_once(value: Any, kind: str) -> None:
    # the legacy columnObjectType standing alone for columnObjectTypeId: null was HS034's "read as
    # left out" warning and HS019's error, 7 HS002's and HS019's; now HS002's alone, as for the current name
    request = _request()
    mapping = request["files"][0]["fileImportPage"]["columnMappings"][1]
    del mapping["columnObjectTypeId"]
    mapping["columnObjectType"] = value
    report = validate(request, files={"c.csv": COMPANIES})
    assert not report.refusals
    at = "/files/0/fileImportPage/columnMappings/1/columnObjectType"
    assert [(f.code, f.pointer, f.row, f.column, f.severity.name, f.message) for f in report.findings
            if f.code in ("HS002", "HS019", "HS034")] == [
        ("HS002", at, None, None, "ERROR", f"columnObjectType must be a string, not {kind}")]
    mapping["columnObjectTypeId"] = "0-2"  # beside the current name, a null one is read as left out (HS034)
    assert [(f.code, f.pointer) for f in validate(request, files={"c.csv": COMPANIES}).findings
            if f.code in ("HS002", "HS019", "HS034")] == [("HS034" if value is None else "HS002", at)]


@pytest.mark.parametrize(("zone", "message"), [
    ("EST", "timeZone 'EST' is an abbreviation, a legacy zone of the IANA database: a fixed UTC-05:00 all year, "
            "where America/New_York changes for daylight saving time; write a region's zone name, such as "
            "'America/New_York'"),
    ("PST", "timeZone 'PST' is an abbreviation, not an IANA zone name; write a region's zone name, such as "
            "'America/Los_Angeles'"),
    ("UTC+2", "timeZone 'UTC+2' is a UTC offset, not an IANA zone name; a fixed offset is 'Etc/GMT-2' (its sign "
              "inverted, as IANA names it), and a region's zone name (Europe/Berlin) follows its daylight saving time"),
    ("GMT+1", "timeZone 'GMT+1' is a UTC offset, not an IANA zone name; a fixed offset is 'Etc/GMT-1' (its sign "
              "inverted, as IANA names it), and a region's zone name (Europe/Berlin) follows its daylight saving time"),
    ("+05:30", "timeZone '+05:30' is a UTC offset, not an IANA zone name; write the zone name of the region whose "
               "clock it is"),
    ("Europe/Paris ", "timeZone 'Europe/Paris ' has spaces around 'Europe/Paris'; IANA names are matched as written"),
    ("america/new_york", "timeZone 'america/new_york' differs from the IANA name 'America/New_York' in letter case; "
                         "IANA names are case-sensitive"),
    ("Europe/Pari", "timeZone 'Europe/Pari' is not an IANA time zone name (such as America/New_York); did you mean "
                    "'Europe/Paris'?"),
    ("", "timeZone '' is empty; HubSpot's guide gives an IANA zone name (America/New_York)"),
    ("Z", "timeZone 'Z' is ISO-8601's mark for UTC, not an IANA zone name; write 'UTC'"),
    ("z", "timeZone 'z' is ISO-8601's mark for UTC, not an IANA zone name; write 'UTC'"),
])
def test_a_time_zone_that_is_no_iana_name_is_named(zone: str, message: str) -> None:
    # any string passed: only its JSON type was checked (HS002)
    assert _found(_request(timeZone=zone), "HS035") == [("/timeZone", None, None, "WARNING", message)]


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin", "UTC", "Etc/GMT-2", "Asia/Kolkata"])
def test_iana_time_zone_names_pass(zone: str) -> None:
    assert _found(_request(timeZone=zone), "HS035") == []


def test_without_a_tz_database_no_time_zone_is_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    # a system with no tz database (and no tzdata package) knows no name: every one would be flagged
    import zoneinfo

    from validator.checks import request_names

    monkeypatch.setattr(zoneinfo, "available_timezones", set)
    request_names._zones.cache_clear()
    try:
        assert _found(_request(timeZone="EST"), "HS035") == []
        assert _found(_request(timeZone="America/New_York"), "HS035") == []
    finally:
        request_names._zones.cache_clear()


def test_time_zones_are_listed_only_for_a_request_that_names_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # listing the tz database walks its folders (~30 ms): a check without timeZone never does
    import zoneinfo

    from validator.checks import request_names

    calls: list[int] = []

    def listed() -> set[str]:
        calls.append(1)
        return {"America/New_York"}

    monkeypatch.setattr(zoneinfo, "available_timezones", listed)
    request_names._zones.cache_clear()
    try:
        assert _found(_request(), "HS035") == []
        assert calls == []
        assert [p for p, *_ in _found(_request(timeZone="EST"), "HS035")] == ["/timeZone"]
        assert calls == [1]
    finally:
        request_names._zones.cache_clear()


def test_a_files_entry_without_a_file_name_is_file_not_found() -> None:
    # it was INVALID_COLUMN_CONFIGURATION, the errorType of a mapping's fields: an entry naming no
    # upload is HubSpot's FILE_NOT_FOUND, as for a fileName that matches no part (HS011-HS013)
    request = _request()
    del request["files"][0]["fileName"]
    del request["files"][0]["fileImportPage"]["columnMappings"][1]["columnName"]
    report = validate(request)
    assert [(f.pointer, f.row, f.column, f.hubspot_error) for f in report.findings if f.code == "HS019"] == [
        ("/files/0/fileImportPage/columnMappings/1/columnName", None, None, "INVALID_COLUMN_CONFIGURATION"),
        ("/files/0/fileName", None, None, "FILE_NOT_FOUND")]


@pytest.mark.parametrize("name", ["p_myobj", "p_My_Object2", "p123456_cars", "2-999"])
def test_a_custom_object_name_without_a_portal_snapshot_is_not_an_unknown_object(name: str) -> None:
    # a short-hand name (p_<name>) was HS021's error, though nothing says the account lacks the object
    assert _found(_request(name), "HS021") == []


@pytest.mark.parametrize(("name", "message"), [
    ("p_trucks", "columnObjectTypeId 'p_trucks' is not a known HubSpot object: the portal snapshot's custom "
                 "objects (schemas.json) are 2-1234567 (cars)"),
    ("trucks", "columnObjectTypeId 'trucks' is not a known HubSpot object"),
])
def test_a_custom_object_name_the_portal_snapshot_lacks_is_unknown(name: str, message: str) -> None:
    from tests.conftest import ROOT
    from validator import Config

    config = Config(portal=str(ROOT / "fixtures" / "portal"))
    at = "/files/0/fileImportPage/columnMappings/{}/columnObjectTypeId"
    assert _found(_request(name), "HS021", config=config) == [
        (at.format(0), None, None, "ERROR", message), (at.format(1), None, None, "ERROR", message)]
    assert _found(_request("p_cars"), "HS021", config=config) == []


@pytest.mark.parametrize("name", ["P_cars", "p_Cars", "P123456_cars"])
def test_a_custom_object_names_letter_case_is_taken_alike_with_and_without_a_portal_snapshot(name: str) -> None:
    # P_cars resolved with a snapshot (names matched ignoring case) but was HS021's error without
    # one, where p_Cars passed: whether HubSpot minds the case is not documented, so neither does
    # either path
    from tests.conftest import ROOT
    from validator import Config
    from validator.catalog import builtin
    from validator.portal import catalog_for

    assert _found(_request(name), "HS021") == []
    assert _found(_request(name), "HS021", config=Config(portal=str(ROOT / "fixtures" / "portal"))) == []
    assert builtin().object_id(name) == name  # (a custom object, unchecked)
    assert catalog_for(str(ROOT / "fixtures" / "portal")).object_id(name) == "2-1234567"
    at = "/files/0/fileImportPage/columnMappings/{}/columnObjectTypeId"
    assert _found(_request("P_trucks"), "HS021", config=Config(portal=str(ROOT / "fixtures" / "portal"))) == [
        (at.format(i), None, None, "ERROR", "columnObjectTypeId 'P_trucks' is not a known HubSpot object: the "
                                            "portal snapshot's custom objects (schemas.json) are 2-1234567 (cars)")
        for i in (0, 1)]


def test_without_a_portal_snapshot_a_bare_name_names_the_forms_a_custom_object_takes() -> None:
    assert _found(_request("trucks"), "HS021")[0][4] == (
        "columnObjectTypeId 'trucks' is not a known HubSpot object; a custom object's name is known only from a "
        "portal snapshot (--portal with schemas.json): or give its 2-<id>, fully qualified name "
        "p<portal id>_<name> or short-hand name p_<name>")


def test_settings_with_nothing_to_act_on_are_named() -> None:
    # each passed without a word: HubSpot has nothing to apply them to where they stand
    request = _request("0-1", marketingEventObjectId=123456)
    request["files"][0]["fileImportPage"]["columnMappings"][0].update(
        marketingEventSubmissionType="REGISTERED", associationIdentifierColumn=True)
    at = "/files/0/fileImportPage/columnMappings/0"
    assert _found(request, "HS037", b"Domain,Name\na@x.com,Ann\n") == [
        (f"{at}/associationIdentifierColumn", None, None, "WARNING",
         "column 'Domain' has associationIdentifierColumn, which links the common column of two files; this "
         "import has one file, so it has no effect"),
        (f"{at}/marketingEventSubmissionType", None, None, "WARNING",
         "column 'Domain' has marketingEventSubmissionType 'REGISTERED', which HubSpot reads only on an "
         "EVENT_TIMESTAMP column; this one is HUBSPOT_ALTERNATE_ID"),
        ("/marketingEventObjectId", None, None, "WARNING",
         "marketingEventObjectId is set, but no column is an EVENT_TIMESTAMP column: the marketing event's ID "
         "places event timestamp columns, so it has no effect here")]
    assert _found(_request("0-1"), "HS037", b"Domain,Name\na@x.com,Ann\n") == []


def test_a_custom_object_named_in_two_letter_cases_is_one_object_and_the_other_spelling_is_named() -> None:
    """Without a portal snapshot `p_cars` and `P_cars` were two objects (a snapshot makes both its
    2-1234567): a file of contacts and cars held three objects, and HS320 named each spelling as an
    object without an identifier. They are one object now, spelled as first written, and HS038's
    warning names the other spelling once, where it first stands."""
    from validator.catalog import builtin
    from validator.request import parse_request

    def mapping(obj: str, name: str) -> dict[str, Any]:
        return {"columnObjectTypeId": obj, "columnName": name.title(), "propertyName": name}

    request = {"name": "t", "importOperations": {"0-1": "UPSERT", "P_CARS": "UPSERT"}, "files": [{
        "fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            mapping("0-1", "email"), mapping("p_cars", "name"), mapping("P_cars", "model"),
            mapping("P_cars", "year")]}}]}
    data = b"Email,Name,Model,Year\na@x.com,Herbie,Beetle,1963\n"
    import json

    spec = parse_request(json.dumps(request).encode(), "import.json", builtin())
    assert spec.objects == ("0-1", "P_CARS") and set(spec.operations) == {"0-1", "P_CARS"}
    at = "/files/0/fileImportPage/columnMappings/{}/columnObjectTypeId"
    tail = ("in another letter case: both are taken as P_CARS, one object, but whether HubSpot matches object names "
            "ignoring case is not documented")
    assert _found(request, "HS038", data) == [
        (at.format(1), None, None, "WARNING", f"'p_cars' is 'P_CARS' (at /importOperations/P_CARS) {tail}"),
        (at.format(2), None, None, "WARNING", f"'P_cars' is 'P_CARS' (at /importOperations/P_CARS) {tail}")]
    assert [p for p, *_ in _found(request, "HS320", data)] == ["/files/0/fileImportPage/columnMappings/1"]
    assert _found(request, "HS009", data) == []  # the operation's object has columns
