"""HS001 on request text that is not JSON: the message names what is wrong in the user's terms,
at the line and column given, and says nothing untrue of the text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from validator import validate

_REQUEST = {"name": "t", "files": [{"fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {
    "hasHeader": True, "columnMappings": [
        {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"}]}}]}


def _hs001(tmp_path: Path, text: bytes) -> list[tuple[int | None, int | None, str, str]]:
    (tmp_path / "c.csv").write_text("Email\na@x.com\n", encoding="utf-8")
    (tmp_path / "r.json").write_bytes(text)
    return [(f.line, f.column, f.severity.name, f.message)
            for f in validate(tmp_path / "r.json").findings if f.code == "HS001"]


def test_a_request_over_the_size_limit_is_not_given_a_size_it_does_not_have(tmp_path: Path) -> None:
    # a request file of 11 MiB was reported as "request is 10,485,761 bytes": the reader stops one
    # byte past the limit, and that count was given as the file's size
    text = json.dumps({**_REQUEST, "x": "a" * (11 * 1024 * 1024)}).encode()
    assert _hs001(tmp_path, text) == [
        (None, None, "ERROR", "request is not valid JSON: request is larger than the limit of 10 MiB "
                              "(10,485,760 bytes)")]


def test_a_raw_control_character_is_named_once_at_its_place(tmp_path: Path) -> None:
    # Python's message ends "Invalid control character at", and " at line 1 column 10" was added
    text = json.dumps(_REQUEST).replace('"name": "t"', '"name": "t\x01"').encode()
    assert _hs001(tmp_path, text) == [
        (1, 12, "ERROR", "request is not valid JSON: Invalid control character at line 1 column 12")]
    assert _hs001(tmp_path, b'{"name": "t') == [
        (1, 10, "ERROR", "request is not valid JSON: Unterminated string starting at line 1 column 10")]


def test_an_integer_too_long_to_read_says_so_without_python_advice(tmp_path: Path) -> None:
    # the message was Python's own, "... use sys.set_int_max_str_digits() to increase the limit"
    text = json.dumps(_REQUEST)[:-1].encode() + b', "marketingEventObjectId": ' + b"9" * 5000 + b"}"
    assert _hs001(tmp_path, text) == [
        (None, None, "ERROR", "request is not valid JSON: a number of 5,000 digits is too long to read")]


@pytest.mark.parametrize(("event", "what"), [
    (-5, "a negative number"), ("-5", "text"), ("abc", "text"), (1.5, "a decimal number"),
    (True, "true or false"),  # (null: HS034, read as left out; test_request_fields)
])
def test_a_marketing_event_id_that_is_no_id_is_named_as_such(tmp_path: Path, event: object, what: str) -> None:
    # -5 passed while "-5" was wrong, and 1.5 or true read "must be an integer or a string", though
    # the only strings taken are an ID's digits
    (tmp_path / "c.csv").write_text("Email\na@x.com\n", encoding="utf-8")
    report = validate({**_REQUEST, "marketingEventObjectId": event}, base_dir=tmp_path)
    found = [(f.pointer, f.line, f.column, f.severity.name, f.message) for f in report.findings if f.code == "HS002"]
    assert found == [("/marketingEventObjectId", None, None, "ERROR",
                      f"marketingEventObjectId must be a whole number (the marketing event's ID), not {what}")]


@pytest.mark.parametrize("event", [0, 123456, "123456"])
def test_a_marketing_event_id_that_is_an_id_is_no_finding(tmp_path: Path, event: object) -> None:
    (tmp_path / "c.csv").write_text("Email\na@x.com\n", encoding="utf-8")
    report = validate({**_REQUEST, "marketingEventObjectId": event}, base_dir=tmp_path)
    assert [f for f in report.findings if f.code == "HS002"] == []


@pytest.mark.parametrize(("where", "key", "meant"), [
    ("/files/0/fileImportPage/columnMappings/0", "ColumnObjectTypeID", "columnObjectTypeId"),
    ("/files/0/fileImportPage/columnMappings/0", "PROPERTYNAME", "propertyName"),
    ("/files/0", "FILENAME", "fileName"),
    ("", "NAME", "name"),
])
def test_an_unknown_key_in_other_letter_case_suggests_the_key_it_spells(
        tmp_path: Path, where: str, key: str, meant: str) -> None:
    # the closest key was found by letter-case-sensitive likeness: 'ColumnObjectTypeID' was told
    # "did you mean 'toColumnObjectTypeId'?", and 'FILENAME' or 'PROPERTYNAME' got no suggestion
    request = json.loads(json.dumps(_REQUEST))
    file = request["files"][0]
    obj = {"": request, "/files/0": file,
           "/files/0/fileImportPage/columnMappings/0": file["fileImportPage"]["columnMappings"][0]}[where]
    obj[key] = obj.pop(meant)
    (tmp_path / "c.csv").write_text("Email\na@x.com\n", encoding="utf-8")
    report = validate(request, base_dir=tmp_path)
    found = [(f.pointer, f.line, f.column, f.severity.name, f.message) for f in report.findings if f.code == "HS016"]
    what = {"": "the request", "/files/0": "a files[] entry"}.get(where, "a column mapping")
    assert found == [(f"{where}/{key}", None, None, "WARNING",
                      f"unknown key {key!r} in {what}; did you mean {meant!r}?")]


def test_an_unknown_legacy_id_column_type_is_named_by_its_own_key(tmp_path: Path) -> None:
    # HS007 said "columnType 'hubspot_alternate_id' is not one of ..." of a mapping that has no
    # columnType, only the legacy idColumnType
    request = json.loads(json.dumps(_REQUEST))
    request["files"][0]["fileImportPage"]["columnMappings"][0]["idColumnType"] = "hubspot_alternate_id"
    (tmp_path / "c.csv").write_text("Email\na@x.com\n", encoding="utf-8")
    report = validate(request, base_dir=tmp_path)
    found = [(f.pointer, f.line, f.column, f.severity.name, f.message) for f in report.findings if f.code == "HS007"]
    assert found == [("/files/0/fileImportPage/columnMappings/0/idColumnType", None, None, "ERROR",
                      "idColumnType 'hubspot_alternate_id' is not one of STANDARD, HUBSPOT_OBJECT_ID, "
                      "HUBSPOT_ALTERNATE_ID, FLEXIBLE_ASSOCIATION_LABEL, ASSOCIATION_KEYS, EVENT_TIMESTAMP; "
                      "did you mean 'HUBSPOT_ALTERNATE_ID'?")]


@pytest.mark.parametrize(("codec", "named"), [
    ("utf-16-le", "UTF-16 (little-endian)"), ("utf-16-be", "UTF-16 (big-endian)"),
    ("utf-16", "UTF-16 (little-endian, with a byte order mark)"),
    ("utf-32-le", "UTF-32 (little-endian)"), ("utf-32-be", "UTF-32 (big-endian)"),
    ("utf-32", "UTF-32 (little-endian, with a byte order mark)")])
def test_a_request_saved_as_utf16_or_utf32_is_named_so(tmp_path: Path, codec: str, named: str) -> None:
    # "Unicode" text as a Windows editor saves it: without a byte order mark its ASCII decodes as
    # UTF-8 with a NUL between characters, which read "Expecting property name ... at line 1
    # column 2"; with one, "not UTF-8 text (byte 0xFF at offset 0)"
    text = json.dumps(_REQUEST).encode(codec)
    assert _hs001(tmp_path, text) == [
        (None, None, "ERROR", f"request is not valid JSON: request is {named} text, not UTF-8; save it as UTF-8")]
    assert _hs001(tmp_path, json.dumps(_REQUEST).encode("utf-8")) == []


@pytest.mark.parametrize(("text", "where", "message"), [
    ('{"name": "t", "files": [],}', (1, 27), "Expecting property name enclosed in double quotes at line 1 column 27: "
                                             "a comma before the end of an object or list, which JSON does not allow"),
    ('{"name": "t", "files": [{"fileName": "c.csv"},]}', (1, 47),
     "Expecting value at line 1 column 47: a comma before the end of an object or list, which JSON does not allow"),
    ('{\n  // contacts from the expo\n  "name": "t"}', (2, 3),
     "Expecting property name enclosed in double quotes at line 2 column 3: a comment, which JSON does not have"),
    ('{"name": "t" /* expo */}', (1, 14), "Expecting ',' delimiter at line 1 column 14: a comment, which JSON does "
                                          "not have"),
    ("{'name': 't'}", (1, 2), "Expecting property name enclosed in double quotes at line 1 column 2: a single "
                              "quote, where JSON's strings take double quotes"),
    ('{"name": "t", "files": [], "x": True}', (1, 33), "Expecting value at line 1 column 33: Python's True, False "
                                                       "or None, where JSON writes true, false or null"),
    ('{"name": "t" "files": []}', (1, 14), "Expecting ',' delimiter at line 1 column 14"),
])
def test_a_hand_edited_request_is_told_what_json_does_not_allow(tmp_path: Path, text: str, where: tuple[int, int],
                                                                 message: str) -> None:
    # a trailing comma, a // comment, single quotes, a Python literal: json's message ("Expecting
    # property name enclosed in double quotes") named the place but not what is wrong there
    assert _hs001(tmp_path, text.encode()) == [(*where, "ERROR", f"request is not valid JSON: {message}")]
