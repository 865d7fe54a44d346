"""``explain-errors``: HubSpot's error report of an import that ran, mapped back to the rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from validator import hubspot_errors
from validator.cli import cli, main

BROKEN = ROOT / "fixtures" / "examples" / "broken"
EXAMPLE = BROKEN / "hubspot-errors.json"
HEADER = BROKEN / "contacts.csv"


def run(*args: str | Path):
    return CliRunner().invoke(cli, ["explain-errors", *map(str, args)], catch_exceptions=False)


def as_json(*args: str | Path) -> dict[str, Any]:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def refusal(capsys: pytest.CaptureFixture[str], *args: str | Path) -> str:
    """The one line a refused input prints (exit 2, nothing on stdout)."""
    with pytest.raises(SystemExit) as exc:
        main(["explain-errors", *map(str, args)])
    out, err = capsys.readouterr()
    assert exc.value.code == 2 and out == ""
    assert err.count("\n") == 1, err
    return err.removeprefix("hubspot-preflight: error: ").rstrip("\n")


def page(*errors: dict[str, Any], after: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"results": list(errors)}
    if after is not None:
        body["paging"] = {"next": {"after": after, "link": f"https://api.hubapi.com/x?after={after}"}}
    return body


def error(error_type: str, line: int, column: int | None = None, value: str | None = None,
          ident: str | None = None, **more: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": ident or f"{error_type}-{line}-{column}", "createdAt": 0, "errorType": error_type,
                           "sourceData": {"rowData": ["a", "b"], "containsEncryptedProperties": False,
                                          "lineNumber": line, "fileId": 7}, **more}
    if column is not None:
        out["knownColumnNumber"] = column
    if value is not None:
        out["invalidValue"] = value
    return out


EXPECTED = """\
{path}: 12 errors of 7 errorTypes

INCORRECT_NUMBER_OF_COLUMNS  5 errors
  meaning: The row's cell count differs from the header or mapping count. Also raised when a column is left unmapped ([V] S5). Older UI name: "Header and row sizes don't match" ([V-old] S7).
  before upload: Y: a file or request check alone can predict it
  rules: HS004 missing-column-mappings, HS101 column-count-mismatch, HS102 mapping-order, HS103 column-name-mismatch, HS110 ragged-row
  file 1, line 1, column 1 'Email': columnMappings[1] 'Email' is column 1 of the file, out of order with the other mappings
  file 1, line 1, column 1 'Email': 'email': columnName 'email' does not match header 'Email' exactly: letter case differs
  … 3 more

COULD_NOT_PARSE_ROW  2 errors
  meaning: The row itself cannot be tokenised (bad quoting, stray delimiters, broken line).
  before upload: Y: a file or request check alone can predict it
  rules: HS111 unclosed-quote, HS112 malformed-quote
  file 1, line 5, column 2 'First Name': '"Carla,"D': row cannot be parsed: ',' expected after '"'
  file 1, line 7, column 2: quote opened at line 7 is never closed

FAILED_TO_CREATE_ASSOCIATION  1 error
  meaning: The association could not be created (general).
  before upload: N: server-side only: no check before upload predicts it
  rules: none of this tool predicts it
  file 1, line 2: The contact was created but could not be associated

FILE_NOT_FOUND  1 error
  meaning: A file named in importRequest.files was not found among the uploaded parts.
  before upload: Y: a file or request check alone can predict it
  rules: HS011 file-not-found, HS012 file-name-without-extension, HS013 file-name-with-path, HS019 missing-field, HS601 file-name-near-match
  file 0, whole file: 'exports/contacts.csv': fileName 'exports/contacts.csv' contains a path; use 'contacts.csv'

GDPR_BLACKLISTED_EMAIL  1 error
  meaning: The email belongs to a contact deleted or blocked for privacy (GDPR) reasons, so it cannot be recreated.
  before upload: P/N: a check can predict it with portal metadata fetched ahead (--portal); or server-side only: no check before upload predicts it
  rules: none of this tool predicts it
  file 1, line 2, column 1 'Email': 'ann.lee@example.com': This email address belongs to a contact deleted for privacy reasons and cannot be imported

INVALID_COLUMN_CONFIGURATION  1 error
  meaning: The mapping for a column is internally inconsistent (bad columnType, property or object combination, missing toColumnObjectTypeId or foreignKeyType, etc.).
  before upload: Y: a file or request check alone can predict it
  rules: HS007 unknown-column-type, HS019 missing-field, HS020 conflicting-fields, HS107 duplicate-property-mapping, HS311 misplaced-association-settings, HS312 association-type-mismatch, HS313 unknown-association-category, HS316 common-column-name-differs, HS321 label-column-misconfigured, HS327 id-column-type-mismatch, HS328 association-category-mismatch
  file 0, whole file: 'PHONE': columnType 'PHONE' is not one of STANDARD, HUBSPOT_OBJECT_ID, HUBSPOT_ALTERNATE_ID, FLEXIBLE_ASSOCIATION_LABEL, ASSOCIATION_KEYS, EVENT_TIMESTAMP

UNKNOWN_ERROR  1 error
  meaning: Unclassified server-side failure.
  before upload: N: server-side only: no check before upload predicts it
  rules: none of this tool predicts it
  file 1, line 6: An unknown error occurred while importing this row

Before the next upload: hubspot-preflight check IMPORT.json --select HS004,HS007,HS011,HS012,HS013,HS019,HS020,HS101,HS102,HS103,HS107,HS110,HS111,HS112,HS311,HS312,HS313,HS316,HS321,HS327,HS328,HS601
"""  # noqa: E501


def test_the_example_explained_exactly() -> None:
    result = run(EXAMPLE, "--header", HEADER, "--examples", "2")
    assert result.exit_code == 0
    assert result.output == EXPECTED.format(path=EXAMPLE)


def test_the_example_as_json() -> None:
    data = as_json(EXAMPLE, "--header", HEADER, "--examples", "1")
    assert data["schema_version"] == 1 and data["errors"] == 12 and data["skipped"] == {} and data["more"] is None
    assert [(t["errorType"], t["count"]) for t in data["errorTypes"]] == [
        ("INCORRECT_NUMBER_OF_COLUMNS", 5), ("COULD_NOT_PARSE_ROW", 2), ("FAILED_TO_CREATE_ASSOCIATION", 1),
        ("FILE_NOT_FOUND", 1), ("GDPR_BLACKLISTED_EMAIL", 1), ("INVALID_COLUMN_CONFIGURATION", 1),
        ("UNKNOWN_ERROR", 1)]
    parse_row = data["errorTypes"][1]
    assert parse_row["preflight"] == "Y" and parse_row["known"] is True
    assert parse_row["rules"] == [{"code": "HS111", "name": "unclosed-quote", "enabled": True},
                                  {"code": "HS112", "name": "malformed-quote", "enabled": True}]
    assert parse_row["examples"] == [{"lineNumber": 5, "column": 2, "columnName": "First Name",
                                      "invalidValue": '"Carla,"D', "errorMessage":
                                      "row cannot be parsed: ',' expected after '\"'", "fileId": 1,
                                      "pageName": None, "objectTypeId": None}]
    gdpr = data["errorTypes"][4]
    assert gdpr["preflight"] == "P/N" and gdpr["rules"] == [] and gdpr["examples"][0]["objectTypeId"] == "0-1"


def test_an_unknown_error_type_is_listed_as_unknown_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "errors.json"
    path.write_text(json.dumps(page(error("SOME_NEW_ERROR_TYPE", 4, 1, "x"), error("INVALID_EMAIL", 3, 0, "a@"),
                                    error("SOME_NEW_ERROR_TYPE", 9, 0, "y"))))
    result = run(path)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == f"{path}: 3 errors of 2 errorTypes (1 unknown)"
    assert lines[2:7] == [
        "SOME_NEW_ERROR_TYPE  2 errors",
        "  unknown errorType: not among the 69 HubSpot values this version knows (HubSpot adds new ones); "
        "see HubSpot's errorMessage",
        "  rules: none of this tool predicts it",
        "  line 4, column 2: 'x'",
        "  line 9, column 1: 'y'",
    ]
    unknown = as_json(path)["errorTypes"][0]
    assert unknown["known"] is False and unknown["meaning"] is None and unknown["preflight"] is None


def test_pages_saved_one_after_another_or_as_a_list_are_one_report(tmp_path: Path) -> None:
    first = page(error("INVALID_EMAIL", 2, 0, "a@", ident="1"), after="MTAw")
    second = page(error("INVALID_EMAIL", 5, 0, "b@", ident="2"), error("COULD_NOT_PARSE_DATE", 5, 3, "x", ident="3"))
    together = tmp_path / "pages.json"
    together.write_text(json.dumps(first, indent=2) + "\n" + json.dumps(second) + "\n")
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([first, second]))
    apart = [tmp_path / "p1.json", tmp_path / "p2.json"]
    for path, body in zip(apart, (first, second), strict=True):
        path.write_text(json.dumps(body))
    for args in ([together], [listed], apart):
        data = as_json(*args)
        assert data["errors"] == 3 and data["more"] is None, args
        assert [(t["errorType"], t["count"]) for t in data["errorTypes"]] == [("INVALID_EMAIL", 2),
                                                                          ("COULD_NOT_PARSE_DATE", 1)]
        assert [x["lineNumber"] for x in data["errorTypes"][0]["examples"]] == [2, 5]
    assert as_json(apart[1], apart[0])["more"] == "MTAw"  # the last page read says more follow
    text = run(apart[0]).output
    assert text.splitlines()[-1] == ("more errors follow: the last page read has paging.next.after 'MTAw'; "
                                     "fetch the next page with ?after= that value")


def test_a_page_saved_twice_counts_each_error_once(tmp_path: Path) -> None:
    path = tmp_path / "errors.json"
    body = json.dumps(page(error("INVALID_EMAIL", 2, 0, "a@", ident="1")))
    path.write_text(body + body)
    data = as_json(path)
    assert data["errors"] == 1
    assert data["skipped"] == {"entries repeated (an id read before), counted once": 1}


def test_round_trip_with_check_format_hubspot(tmp_path: Path) -> None:
    out = tmp_path / "errors.json"
    checked = CliRunner().invoke(cli, ["check", str(BROKEN / "contacts.import.json"), "--format", "hubspot",
                                       "-o", str(out)], catch_exceptions=False)
    assert checked.exit_code == 1
    results = json.loads(out.read_text(encoding="utf-8"))["results"]
    data = as_json(out, "--examples", "100")
    assert data["errors"] == len(results) == 9 and data["skipped"] == {}
    for t in data["errorTypes"]:  # every error is explained by the rule that wrote it
        mine = [r for r in results if r["errorType"] == t["errorType"]]
        assert t["count"] == len(mine)
        codes = {r["code"] for r in t["rules"]}
        assert {r["extraContext"].split()[0] for r in mine} <= codes, t["errorType"]
        assert [x["lineNumber"] for x in t["examples"]] == [r["sourceData"]["lineNumber"] for r in mine]


def test_a_csv_with_an_error_type_column(tmp_path: Path) -> None:
    path = tmp_path / "errors.csv"
    path.write_text("Error Type,Line number,Known column number,Invalid value,Error message\r\n"
                    "INVALID_EMAIL,3,0,ann@,Invalid email\r\n,4,0,x,no type\r\n\r\nINVALID_EMAIL,x,1,bo@,\r\n",
                    encoding="utf-8")
    data = as_json(path)
    assert data["errors"] == 2
    assert data["errorTypes"][0]["examples"][:2] == [
        {"lineNumber": 3, "column": 1, "columnName": None, "invalidValue": "ann@", "errorMessage": "Invalid email",
         "fileId": None, "pageName": None, "objectTypeId": None},
        {"lineNumber": None, "column": 2, "columnName": None, "invalidValue": "bo@", "errorMessage": None,
         "fileId": None, "pageName": None, "objectTypeId": None}]
    assert data["skipped"] == {"entries without an errorType text": 1,
                               "lineNumber fields that are no whole number, ignored": 1}


def test_wrong_types_and_missing_fields_are_skipped_and_said(tmp_path: Path) -> None:
    path = tmp_path / "errors.json"
    path.write_text(json.dumps(page(
        "not an object", {"errorType": 5}, {"id": "x"},
        {"errorType": "INVALID_EMAIL", "knownColumnNumber": "two", "sourceData": [], "invalidValue": {"a": 1}},
        {"errorType": "INVALID_EMAIL", "knownColumnNumber": -1, "sourceData": {"lineNumber": True, "rowData": [1]},
         "errorMessage": 12},
    )))
    result = run(path)
    assert result.exit_code == 0
    data = as_json(path)
    assert data["errors"] == 2
    assert data["errorTypes"][0]["examples"][1] == {
        "lineNumber": None, "column": None, "columnName": None, "invalidValue": None, "errorMessage": "12",
        "fileId": None, "pageName": None, "objectTypeId": None}
    assert data["skipped"] == {
        "entries that are no JSON object": 1, "entries without an errorType text": 2,
        "sourceData fields that are no object, ignored": 1,
        "knownColumnNumber fields that are no whole number, ignored": 2,
        "invalidValue fields that are no text, ignored": 1, "rowData fields that are no list of text, ignored": 1,
        "lineNumber fields that are no whole number, ignored": 1}
    assert "skipped: 2 entries without an errorType text" in result.output.splitlines()


def test_numbers_as_text_are_ascii_digits_only(tmp_path: Path) -> None:
    # str.isdigit() takes superscripts and other scripts' digits: int('²') raised, a traceback
    path = tmp_path / "errors.json"
    path.write_text(json.dumps(page(
        {"errorType": "INVALID_EMAIL", "knownColumnNumber": "\u0663", "sourceData": {"lineNumber": "\u00b2"}},
        {"errorType": "INVALID_EMAIL", "knownColumnNumber": " 2 ", "sourceData": {"lineNumber": "12"}})))
    data = as_json(path)
    assert [(x["lineNumber"], x["column"]) for x in data["errorTypes"][0]["examples"]] == [(None, None), (12, 3)]
    assert data["skipped"] == {"knownColumnNumber fields that are no whole number, ignored": 1,
                               "lineNumber fields that are no whole number, ignored": 1}
    csv_path = tmp_path / "errors.csv"
    csv_path.write_text("errorType,lineNumber\nINVALID_EMAIL,\u00b9\n", encoding="utf-8")
    assert as_json(csv_path)["skipped"] == {"lineNumber fields that are no whole number, ignored": 1}


def test_a_number_that_is_no_integer_is_shown_as_written(tmp_path: Path) -> None:
    # read as floats, 1.10 was shown as '1.1' and 1e400 as 'inf'
    path = tmp_path / "errors.json"
    path.write_text('{"results": [{"errorType": "INVALID_NUMBER", "invalidValue": 1.10}, '
                    '{"errorType": "INVALID_NUMBER", "invalidValue": 1e400}, '
                    '{"errorType": "INVALID_NUMBER", "invalidValue": NaN, "knownColumnNumber": 2.0}]}')
    data = as_json(path)
    assert [x["invalidValue"] for x in data["errorTypes"][0]["examples"]] == ["1.10", "1e400", "NaN"]
    assert data["skipped"] == {"knownColumnNumber fields that are no whole number, ignored": 1}


def test_text_after_the_pages_that_is_no_json_is_skipped_and_said(tmp_path: Path) -> None:
    path = tmp_path / "errors.json"
    path.write_text(json.dumps(page(error("INVALID_EMAIL", 2, 0, "a@"))) + '\n{"results": [{"errorTy')
    data = as_json(path)
    assert data["errors"] == 1
    assert data["skipped"] == {f"{path}: text after JSON value 1 is not JSON (Unterminated string starting at: "
                               "line 2 column 15)": 1}


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty"),
    (b"  \n", "empty"),
    (b"hello, world\n", "neither JSON nor a CSV with an errorType column (the columns of HubSpot's downloaded "
                        "error file are not documented: save the JSON of GET /crm/v3/imports/{importId}/errors "
                        "instead)"),
    (b'{"results": [1, ', "not JSON: Expecting value: line 1 column 17"),
    (b'{"foo": 1}', "not an errors page of GET /crm/v3/imports/{importId}/errors: JSON objects without a "
                    "results list"),
    (b'[1, "a"]', "not an errors page of GET /crm/v3/imports/{importId}/errors: JSON numbers"),
    (b'{"results": "none"}', "not an errors page of GET /crm/v3/imports/{importId}/errors: pages whose results "
                             "is a string, not an array"),
    (b'{"status": "error", "category": "OBJECT_NOT_FOUND", "message": "resource not found", "correlationId": "c"}',
     "not an errors page of GET /crm/v3/imports/{importId}/errors: HubSpot's error response (OBJECT_NOT_FOUND: "
     "resource not found)"),
    (b'{"results": [{"errorType": "X"}]}\xff', "not UTF-8 text (byte 0xff at offset 33)"),
    (b"PK\x03\x04rest", "a ZIP or XLSX file; give the errors as JSON (or CSV)"),
    (b"[" * 100_000, "JSON nested too deeply"),
])
def test_bad_input_is_refused_in_one_line(content: bytes, reason: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "errors.json"
    path.write_bytes(content)
    assert refusal(capsys, path) == f"{path}: {reason}"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_text_is_read(codec: str, tmp_path: Path) -> None:
    # Windows PowerShell's > writes UTF-16: it was refused as not UTF-8 (with a byte order mark)
    # or as "not JSON" (without one); the errors file and --header's CSV are read in it now
    path, header = tmp_path / "errors.json", tmp_path / "contacts.csv"
    path.write_bytes(json.dumps(page(error("INVALID_EMAIL", 2, 0, "jos\u00e9@"))).encode(codec))
    header.write_bytes("E-mail\u00e9,Name\r\njos\u00e9@,A\r\n".encode(codec))
    data = as_json(path, "--header", header)
    assert data["errors"] == 1 and data["skipped"] == {}
    assert data["errorTypes"][0]["examples"] == [{
        "lineNumber": 2, "column": 1, "columnName": "E-mail\u00e9", "invalidValue": "jos\u00e9@", "errorMessage": None,
        "fileId": 7, "pageName": None, "objectTypeId": None}]


def test_utf16_that_does_not_decode_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "errors.json"
    path.write_bytes(b"\xff\xfe" + '{"results": []}'.encode("utf-16-le") + b"\x00\xd8")
    assert refusal(capsys, path) == (f"{path}: UTF-16 (little-endian, with a byte order mark) text with bytes "
                                     "that do not decode (at offset 32)")


def test_a_huge_file_missing_file_and_folder_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "errors.json"
    path.write_text(json.dumps(page(error("INVALID_EMAIL", 2, 0, "a@"))))
    monkeypatch.setattr(hubspot_errors, "MAX_BYTES", 64)
    assert refusal(capsys, path) == f"{path}: over 0 MiB, more than explain-errors reads (save fewer pages per file)"
    monkeypatch.undo()
    assert refusal(capsys, tmp_path / "nope.json") == f"{tmp_path / 'nope.json'}: no such file"
    assert refusal(capsys, tmp_path) == f"{tmp_path}: not a file"
    assert refusal(capsys, path, "--header", tmp_path / "nope.csv").startswith(f"--header {tmp_path / 'nope.csv'}: "
                                                                               "cannot read: ")


def test_standard_input_and_many_distinct_error_types(tmp_path: Path) -> None:
    body = json.dumps(page(*(error(f"NEW_TYPE_{i}", i, ident=str(i)) for i in range(20_000))))
    result = CliRunner().invoke(cli, ["explain-errors", "-", "--format", "json", "--examples", "1"], input=body,
                                catch_exceptions=False)
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["sources"] == ["<stdin>"] and data["errors"] == 20_000 and len(data["errorTypes"]) == 20_000
    assert data["errorTypes"][0]["errorType"] == "NEW_TYPE_0" and data["errorTypes"][0]["known"] is False


def test_standard_input_given_twice_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    # the second - read the end of what the first had read: "<stdin>: empty"
    assert refusal(capsys, "-", EXAMPLE, "-") == "-: standard input given twice: it is read once"


def test_standard_input_closed_or_unreadable_is_refused(capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # (sys.stdin is None where the process started with it closed: an AttributeError, an internal error)
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", None)
    assert refusal(capsys, "-") == "<stdin>: standard input is closed"

    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            raise OSError(5, "Input/output error")

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(Broken())))
    assert refusal(capsys, "-") == "<stdin>: cannot read: Input/output error"


def test_the_readme_shows_the_examples_output(monkeypatch: pytest.MonkeyPatch) -> None:
    import re
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"```sh\n(hubspot-preflight explain-errors fixtures/\S+ [^\n]*)\n```", readme)
    shown = re.search(r"<!-- explain-errors:start -->\n```text\n(.*?)```\n<!-- explain-errors:end -->", readme, re.S)
    assert command and shown
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, shlex.split(command.group(1))[1:], catch_exceptions=False)
    assert result.exit_code == 0 and result.output == shown.group(1)


def test_control_characters_of_an_unknown_error_type_are_escaped(tmp_path: Path) -> None:
    path = tmp_path / "errors.json"
    path.write_text(json.dumps(page(error("EVIL\x1b[2J", 3, 0, "v\x07"))))
    lines = run(path).output.splitlines()
    assert lines[2] == "EVIL\\u001b[2J  1 error"
    assert lines[5] == "  line 3, column 1: 'v\\u0007'"


def test_json_writes_c1_bidi_and_invisible_characters_of_the_report_as_escapes(tmp_path: Path) -> None:
    # --format json wrote them raw, where the text output and check's JSON formats escape them
    hidden = "\x85\x9b\u061c\u200b\u200f\u2028\u2029\u202a\u202e\u2060\u2066\u2069\ufeff"
    path = tmp_path / "errors.json"
    path.write_text(json.dumps(page(error("INVALID_EMAIL", 3, 0, f"b{hidden}o", errorMessage=f"bad{hidden}"))))
    result = run(path, "--format", "json")
    assert result.exit_code == 0
    assert not any(c in result.output for c in hidden)
    assert '"invalidValue": "b\\u0085\\u009b\\u061c\\u200b\\u200f\\u2028\\u2029\\u202a\\u202e\\u2060\\u2066\\u2069' \
        '\\ufeffo"' in result.output
    (example,) = json.loads(result.output)["errorTypes"][0]["examples"]
    assert (example["lineNumber"], example["column"], example["invalidValue"], example["errorMessage"]) == (
        3, 1, f"b{hidden}o", f"bad{hidden}")


def _two_files(tmp_path: Path) -> Path:
    """Errors of two files, fileId 1 (contacts: Email, Name) and 2 (companies: Name, Domain), and
    one without a fileId; the two data files beside them."""
    (tmp_path / "contacts.csv").write_text("Email,Name\na@,Ann\n", encoding="utf-8")
    (tmp_path / "companies.csv").write_text("Name,Domain\nAcme,acme\n", encoding="utf-8")
    contact = error("INVALID_EMAIL", 2, 0, "a@")
    company = error("INVALID_DOMAIN", 2, 1, "acme")
    company["sourceData"]["fileId"] = 2
    contact["sourceData"]["fileId"] = 1
    loose = error("UNKNOWN_ERROR", 3, 1, "x")
    del loose["sourceData"]["fileId"]
    path = tmp_path / "errors.json"
    path.write_text(json.dumps(page(contact, company, loose)))
    return path


def _places(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted((t["errorType"], x["fileId"], x["lineNumber"], x["column"], x["columnName"])
                  for t in data["errorTypes"] for x in t["examples"])


def test_each_file_named_by_its_own_header_by_file_id(tmp_path: Path) -> None:
    # --header took one file, whose first row named the columns of every file's errors: the
    # companies file's Domain error (column 2) was shown as 'Name', the contacts file's second column
    path = _two_files(tmp_path)
    data = as_json(path, "--header", f"1={tmp_path / 'contacts.csv'}", "--header", f"2={tmp_path / 'companies.csv'}")
    assert _places(data) == [("INVALID_DOMAIN", 2, 2, 2, "Domain"), ("INVALID_EMAIL", 1, 2, 1, "Email"),
                             ("UNKNOWN_ERROR", None, 3, 2, None)]
    # a header without a fileId names the columns of every other file, and of errors without one
    data = as_json(path, "--header", f"2={tmp_path / 'companies.csv'}", "--header", tmp_path / "contacts.csv")
    assert _places(data) == [("INVALID_DOMAIN", 2, 2, 2, "Domain"), ("INVALID_EMAIL", 1, 2, 1, "Email"),
                             ("UNKNOWN_ERROR", None, 3, 2, "Name")]
    text = run(path, "--header", f"1={tmp_path / 'contacts.csv'}", "--header", f"2={tmp_path / 'companies.csv'}")
    assert "  file 2, line 2, column 2 'Domain': 'acme'" in text.output.splitlines()


@pytest.mark.parametrize("d", [",", ";", "\t", "|"])
def test_the_header_file_is_split_by_its_own_delimiter(tmp_path: Path, d: str) -> None:
    # a pipe-separated header was read with commas, as one column: column 1 was named
    # 'Email|First Name|City', a name the file does not hold, and column 2 not at all
    header = tmp_path / "contacts.csv"
    header.write_text(f"Email{d}First Name{d}City\r\na@x.com{d}Ann{d}Bern\r\n")
    path = tmp_path / "errors.json"
    path.write_text(json.dumps(page(error("INVALID_EMAIL", 2, 0, "bad"), error("UNKNOWN_ERROR", 3, 1, "Bo"))))
    data = as_json(path, "--header", header)
    assert _places(data) == [("INVALID_EMAIL", 7, 2, 1, "Email"), ("UNKNOWN_ERROR", 7, 3, 2, "First Name")]


def test_a_header_given_twice_or_for_a_file_id_no_error_has_is_refused(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = _two_files(tmp_path)
    contacts, companies = tmp_path / "contacts.csv", tmp_path / "companies.csv"
    assert refusal(capsys, path, "--header", f"1={contacts}", "--header", f"1={companies}") == (
        f"--header 1={companies}: a second header for fileId 1")
    assert refusal(capsys, path, "--header", contacts, "--header", companies) == (
        f"--header {companies}: a second header for every file; give each file's as FILEID=PATH "
        "(the fileId of its errors' sourceData)")
    assert refusal(capsys, path, "--header", f"7={contacts}") == (
        f"--header 7={contacts}: no error read is of fileId 7 (their fileIds: 1, 2)")
    assert refusal(capsys, path, "--header", f"1={tmp_path / 'nope.csv'}").startswith(
        f"--header 1={tmp_path / 'nope.csv'}: cannot read: ")


@pytest.mark.parametrize("fmt", ["csv", "json", "json-lines", "sarif", "gitlab"])
def test_the_tools_own_reports_but_hubspot_are_refused_saying_what_is_read(
        fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # check --format csv was refused as "neither JSON nor a CSV with an errorType column", and the
    # JSON formats as "JSON objects without a results list": as if the file were broken
    from validator import validate
    from validator.report import render

    path = tmp_path / f"report.{fmt}"
    path.write_text(render(validate(BROKEN / "contacts.import.json"), fmt), encoding="utf-8")
    said = (f"the output of check --format {fmt}, this tool's findings, not HubSpot's errors (explain-errors reads "
            "HubSpot's errors JSON, which check --format hubspot also writes, or a CSV with an errorType column)")
    where = "" if fmt == "csv" else "not an errors page of GET /crm/v3/imports/{importId}/errors: "
    assert refusal(capsys, path) == f"{path}: {where}{said}"


@pytest.mark.parametrize(("args", "what", "of"), [
    (["--statistics", "--format", "json"], "the output of check --statistics --format json", "findings"),
    (["--write-baseline"], "a baseline that check --write-baseline wrote", "findings"),
    (None, "the output of explain-errors --format json", "explanation of HubSpot's errors"),
])
def test_the_tools_other_json_outputs_are_refused_saying_what_they_are(
        args: list[str] | None, what: str, of: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # these were refused as "JSON objects without a results list", as if the file were broken
    from validator.cli import main

    path = tmp_path / "out.json"
    if args is None:
        errors = tmp_path / "errors.json"
        with pytest.raises(SystemExit):
            main(["check", str(BROKEN / "contacts.import.json"), "--format", "hubspot", "-o", str(errors)])
        with pytest.raises(SystemExit):
            main(["explain-errors", str(errors), "--format", "json"])
        path.write_text(capsys.readouterr().out, encoding="utf-8")
    elif "--write-baseline" in args:
        with pytest.raises(SystemExit):
            main(["check", str(BROKEN / "contacts.import.json"), "--baseline", str(path), *args])
    else:
        with pytest.raises(SystemExit):
            main(["check", str(BROKEN / "contacts.import.json"), "-o", str(path), *args])
    capsys.readouterr()
    assert refusal(capsys, path) == (
        f"{path}: not an errors page of GET /crm/v3/imports/{{importId}}/errors: {what}, this tool's {of}, not "
        "HubSpot's errors (explain-errors reads HubSpot's errors JSON, which check --format hubspot also writes, "
        "or a CSV with an errorType column)")


def test_an_empty_header_path_names_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # it said "--header : cannot read: No such file or directory", as if a file named '' were missing
    path = _two_files(tmp_path)
    assert refusal(capsys, path, "--header", "") == "--header : names no file (give the data file that was uploaded)"
    assert refusal(capsys, path, "--header", "1=") == (
        "--header 1=: names no file (give the data file that was uploaded)")


def test_a_header_that_is_a_device_folder_or_idle_fifo_is_refused_or_read_without_waiting(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # --header opened its path as it came: a FIFO nobody wrote to hung explain-errors for ever,
    # and /dev/zero was read as a CSV whose first field was too long
    path = _two_files(tmp_path)
    reason = "not a regular file or a pipe (a folder, socket or device)"
    assert refusal(capsys, path, "--header", "/dev/zero") == f"--header /dev/zero: {reason}"
    assert refusal(capsys, path, "--header", str(tmp_path)) == f"--header {tmp_path}: {reason}"
    fifo = tmp_path / "header.csv"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "validator", "explain-errors", "--header", str(fifo), str(path)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert (done.returncode, done.stderr) == (0, "")  # read as empty: no column names to show


def test_an_error_type_some_findings_of_a_rule_name_lists_that_rule(tmp_path: Path) -> None:
    # HS201 reports a bad event timestamp as INVALID_EVENT_TIMESTAMP, HS205 a number past a
    # double's range as INVALID_NUMBER_SIZE, HS208 a pipeline that matches none as
    # PROPERTY_VALUE_NOT_FOUND: explain-errors said no rule predicts them
    path = tmp_path / "errors.json"
    path.write_text(json.dumps(page(error("INVALID_EVENT_TIMESTAMP", 2, 1, "yesterday"),
                                    error("INVALID_NUMBER_SIZE", 3, 1, "1e400"),
                                    error("PROPERTY_VALUE_NOT_FOUND", 4, 1, "Partner deals"),
                                    error("DUPLICATE_UNIQUE_CREATION_KEY", 5, 1, "A-1"))))
    rules = {t["errorType"]: [r["code"] for r in t["rules"]] for t in as_json(path)["errorTypes"]}
    assert rules == {"INVALID_EVENT_TIMESTAMP": ["HS201"], "INVALID_NUMBER_SIZE": ["HS205"],
                     "PROPERTY_VALUE_NOT_FOUND": ["HS208", "HS210"], "DUPLICATE_UNIQUE_CREATION_KEY": ["HS302"]}
    assert "  rules: HS201 unparseable-date" in run(path).output.splitlines()
