"""The importRequest model: fields, defaults, legacy names, pointers, bad JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from validator.request import parse_request


def request(**top):
    base = {
        "name": "r",
        "files": [{
            "fileName": "contacts.csv", "fileFormat": "CSV",
            "fileImportPage": {"hasHeader": True, "columnMappings": [
                {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email",
                 "columnType": "HUBSPOT_ALTERNATE_ID"},
                {"columnObjectTypeId": "0-1", "columnName": "Company Domain", "propertyName": None,
                 "toColumnObjectTypeId": "0-2",
                 "foreignKeyType": {"associationTypeId": 279, "associationCategory": "HUBSPOT_DEFINED"}},
            ]},
        }],
    }
    base.update(top)
    return base


def kinds(spec):
    return sorted((n.kind, n.pointer) for n in spec.notes)


def test_defaults_and_fields() -> None:
    spec = parse_request(request(marketableContactImport=True, createContactListFromImport=False))
    assert spec.parsed and spec.name == "r"
    assert spec.date_format == "MONTH_DAY_YEAR" and not spec.date_format_given
    assert spec.operation("0-1") == "UPSERT"
    assert spec.marketable is True and spec.create_list is False
    (f,) = spec.files
    assert (f.file_name, f.file_format, f.has_header, f.pointer) == ("contacts.csv", "CSV", True, "/files/0")
    email, domain = f.columns
    assert email.column_type == "HUBSPOT_ALTERNATE_ID" and email.object_type_id == "0-1"
    assert email.pointer == "/files/0/fileImportPage/columnMappings/0"
    assert domain.column_type == "STANDARD" and domain.to_object_type_id == "0-2"
    assert domain.foreign_key.type_id == 279 and domain.foreign_key.category == "HUBSPOT_DEFINED"
    assert kinds(spec) == []


def test_object_by_name_is_normalised() -> None:
    r = request(importOperations={"contacts": "CREATE"})
    r["files"][0]["fileImportPage"]["columnMappings"][0]["columnObjectTypeId"] = "contacts"
    spec = parse_request(r)
    assert spec.files[0].columns[0].object_type_id == "0-1"
    assert spec.operation("0-1") == "CREATE"


def test_legacy_names_accepted_and_normalised() -> None:
    r = request()
    r["files"][0]["fileImportPage"]["columnMappings"] = [
        {"columnObjectType": "CONTACT", "columnName": "Email", "propertyName": "email",
         "idColumnType": "HUBSPOT_ALTERNATE_ID"},
        {"columnObjectType": "CONTACT", "columnName": "Skip", "ignored": True},
    ]
    spec = parse_request(r)
    email, skip = spec.files[0].columns
    assert email.object_type_id == "0-1" and email.column_type == "HUBSPOT_ALTERNATE_ID"
    assert skip.ignored
    base = "/files/0/fileImportPage/columnMappings"
    assert kinds(spec) == [
        ("legacy-name", f"{base}/0/columnObjectType"), ("legacy-name", f"{base}/0/idColumnType"),
        ("legacy-name", f"{base}/1/columnObjectType"),  # (not ignored: it has no current name, HS101's fix)
    ]


def test_pointers_of_wrong_types_and_unknown_keys() -> None:
    r = request(dateFormat=3, extra={"a": 1})
    r["files"][0]["fileImportPage"]["columnMappings"][1]["columnName"] = ["x"]
    r["files"][0]["fileImportPage"]["hasHeader"] = "true"
    spec = parse_request(r)
    assert ("wrong-type", "/dateFormat") in kinds(spec)
    assert ("wrong-type", "/files/0/fileImportPage/columnMappings/1/columnName") in kinds(spec)
    assert ("wrong-type", "/files/0/fileImportPage/hasHeader") in kinds(spec)
    assert ("unknown-key", "/extra") in kinds(spec)


@pytest.mark.parametrize(("event", "wrong"), [(123, False), ("123", False), ("abc", True), ("12 3", True),
                                              ("", True), (True, True), (1.5, True)])
def test_marketing_event_id_is_a_number_or_its_digits(event: object, wrong: bool) -> None:
    spec = parse_request(request(marketingEventObjectId=event))
    notes = [(n.kind, n.pointer, n.detail) for n in spec.notes if n.pointer == "/marketingEventObjectId"]
    if not wrong:
        assert notes == []
    elif isinstance(event, str):
        assert notes == [("wrong-type", "/marketingEventObjectId",
                          "marketingEventObjectId must be a whole number (the marketing event's ID), not text")]
    else:
        assert [k for k, _p, _d in notes] == ["wrong-type"]


def test_pointer_escapes_slash_and_tilde() -> None:
    spec = parse_request(request(**{"a/b~c": 1}))
    assert ("unknown-key", "/a~1b~0c") in kinds(spec)


@pytest.mark.parametrize("text", [
    b"", b"not json", b"{", b"[1, 2]", b'"just a string"', b"{\"a\": NaN}", b"\xff\xfe{}",
    b"[" * 100_000, b'{"files": 1e999}',
])
def test_text_that_is_not_a_request_is_a_note_never_an_exception(text: bytes) -> None:
    spec = parse_request(text)
    assert spec.notes, text[:20]
    assert spec.files == ()


def test_duplicate_key_is_noted_with_its_pointer() -> None:
    spec = parse_request(b'{"name": "a", "files": [], "name": "b"}')
    assert ("duplicate-key", "/name") in kinds(spec)


def test_json_round_trip_of_bytes_and_mapping_agree() -> None:
    r = request()
    a = parse_request(r)
    b = parse_request(json.dumps(r).encode())
    assert a.files == b.files and kinds(a) == kinds(b)


def test_an_object_without_its_operation_is_named_once(tmp_path: Path) -> None:
    """HS024: importOperations names companies only; contacts' columns get one finding, at the
    importOperations object, with the object named."""
    from validator import validate

    (tmp_path / "c.csv").write_text("Email,Company Name\na@x.com,Acme\nb@x.com,Globex\n", encoding="utf-8")
    request = {"name": "t", "importOperations": {"0-2": "CREATE"}, "files": [{
        "fileName": "c.csv", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-2", "columnName": "Company Name", "propertyName": "name"}]}}]}
    (tmp_path / "r.json").write_text(json.dumps(request), encoding="utf-8")
    found = [(f.pointer, f.row, f.column, f.severity.name, f.message)
             for f in validate(tmp_path / "r.json").findings if f.code == "HS024"]
    assert found == [("/importOperations", None, None, "WARNING",
                      "importOperations names no operation for contacts (0-1), which columns map to; HubSpot "
                      "documents one entry per object imported (this check takes it as UPSERT)")]


@pytest.mark.parametrize(("text", "kind"), [(b"null", "wrong-type"), (b" null\n", "wrong-type"), (b"[]", "wrong-type"),
                                            (b"", "not-json"), (b"nul", "not-json")])
def test_a_request_that_is_json_null_is_the_wrong_type_not_a_clean_pass(text: bytes, kind: str) -> None:
    # b"null" decoded to None, which read as "nothing decoded" with no note: a clean pass
    assert kinds(parse_request(text)) == [(kind, "")]


@pytest.mark.parametrize(("value", "how"), [(None, "is null"), ("", "is empty"), (5, "is not a string"),
                                            (True, "is not a string"), (["email"], "is not a string")])
def test_a_mapping_without_a_property_says_what_its_property_name_is(value: object, how: str) -> None:
    # HS029 said "propertyName is null" of a number, a boolean or a list (HS002 names the wrong type)
    from validator import validate

    request = {"name": "t", "files": [{"fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "First Name", "propertyName": value}]}}]}
    report = validate(request, files={"c.csv": b"Email,First Name\na@x.com,Ann\n"})
    found = [(f.pointer, f.row, f.column, f.severity.name, f.message) for f in report.findings if f.code == "HS029"]
    assert found == [("/files/0/fileImportPage/columnMappings/1/propertyName", None, None, "WARNING",
                      f"column 'First Name': propertyName {how}; HubSpot's handling of such a column is not "
                      'documented (name the property, or set "ignored": true to leave the column out)')]
