"""A file imported with ``hasHeader: false``: its row 1 is a data row, in every format and baseline.

HS106 warns that HubSpot wants a header; the file is then read with row 1 as its first record
and the mappings bound by position. Row 1 is keyed by its record, listed by ``--format csv``
(with the mappings' columnNames as column names), given its cells in ``--format hubspot``,
masked by ``--redact`` as any data row, and accepted by a baseline written for it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.workbooks import make_workbook
from validator import validate
from validator.cli import cli
from validator.report import render

ROWS = [["bad mail", 'A"nn'], ["ok@x.com", "Bo"], ["bad2", "Cy"]]
MAPPINGS = [{"columnName": "Email", "columnObjectTypeId": "0-1", "propertyName": "email"},
            {"columnName": "First", "columnObjectTypeId": "0-1", "propertyName": "firstname"}]
READERS = [("csv", "exact"), ("csv", "fast"), ("xlsx", "auto")]


def _import(folder: Path, kind: str, rows: list[list[str]] = ROWS, merged: list[str] | None = None) -> Path:
    folder.mkdir(exist_ok=True)
    name = f"c.{kind}"
    if kind == "csv":
        (folder / name).write_text("".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    else:
        sheet = {"name": "Contacts", "rows": rows, "merged": merged or []}
        (folder / name).write_bytes(make_workbook({"sheets": [sheet]}))
    request = {"name": "t", "files": [{"fileName": name, "fileFormat": "CSV" if kind == "csv" else "SPREADSHEET",
                                       "fileImportPage": {"hasHeader": False, "columnMappings": MAPPINGS}}]}
    path = folder / "c.import.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    return path


def _check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.output


def _emails(report: dict) -> list[tuple[int, int, str, str]]:
    return [(f["row"], f["column"], f["code"], f["key"]) for f in report["findings"] if f["code"] == "HS212"]


@pytest.mark.parametrize(("kind", "reader"), READERS)
@pytest.mark.parametrize("chunk_rows", ["1", "50000"])
def test_row_one_is_keyed_by_its_record(tmp_path: Path, kind: str, reader: str, chunk_rows: str) -> None:
    # row 1 was keyed as a header cell (column:Email), as if it held the column's name
    request = _import(tmp_path / "imp", kind)
    _code, out = _check(str(request), "--format", "json", "--reader", reader, "--chunk-rows", chunk_rows)
    report = json.loads(out)
    assert _emails(report) == [(1, 1, "HS212", "email:bad mail"), (3, 1, "HS212", "email:bad2")]
    assert report["files"][0]["has_header"] is False


def test_files_say_whether_they_have_a_header_row(tmp_path: Path) -> None:
    request = _import(tmp_path / "imp", "csv", [["Email", "First"], *ROWS])
    spec = json.loads(request.read_text(encoding="utf-8"))
    spec["files"][0]["fileImportPage"]["hasHeader"] = True
    request.write_text(json.dumps(spec), encoding="utf-8")
    assert [s.has_header for s in validate(request).files] == [True]


@pytest.mark.parametrize(("kind", "reader"), READERS)
def test_csv_format_lists_row_one_under_the_mappings_column_names(tmp_path: Path, kind: str, reader: str) -> None:
    # the header was empty (",,") and row 1 was not listed: it was taken for the header row
    request = _import(tmp_path / "imp", kind)
    _code, out = _check(str(request), "--format", "csv", "--reader", reader, "--select", "HS212")
    # (a workbook's findings name their cell too)
    cells = [[], [], []] if kind == "csv" else [["cell"], ["Contacts!A1"], ["Contacts!A3"]]
    assert list(csv.reader(io.StringIO(out, newline=""))) == [
        ["Email", "First", "row", "column", "column name", *cells[0], "code", "severity", "message"],
        ["bad mail", 'A"nn', "1", "1", "Email", *cells[1], "HS212", "error", "'bad mail' is not a valid email address"],
        ["bad2", "Cy", "3", "1", "Email", *cells[2], "HS212", "error", "'bad2' is not a valid email address"]]


@pytest.mark.parametrize(("kind", "reader"), READERS)
def test_hubspot_format_gives_row_one_its_cells(tmp_path: Path, kind: str, reader: str) -> None:
    # rowData was [] at row 1: the header's cells were looked for, and there are none
    request = _import(tmp_path / "imp", kind)
    _code, out = _check(str(request), "--format", "hubspot", "--reader", reader, "--select", "HS212")
    errors = [(e["sourceData"]["lineNumber"], e["knownColumnNumber"], e["errorType"], e["sourceData"]["rowData"])
              for e in json.loads(out)["results"]]
    assert errors == [(1, 0, "INVALID_EMAIL", ["bad mail", 'A"nn']), (3, 0, "INVALID_EMAIL", ["bad2", "Cy"])]


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_redact_masks_row_one_as_any_data_row(tmp_path: Path, reader: str) -> None:
    # the stray quote's hint writes the value as a CSV field ("A""nn"): on row 1 it was left
    # unmasked, row 1 being taken for the header row whose texts stay
    request = _import(tmp_path / "imp", "csv")
    _code, out = _check(str(request), "--format", "json", "--reader", reader, "--redact", "--select", "HS117,HS212")
    found = [(f["row"], f["column"], f["code"], f["message"], f["hint"], f["key"])
             for f in json.loads(out)["findings"]]
    assert [f[:3] for f in found] == [(1, 1, "HS212"), (1, 2, "HS117"), (3, 1, "HS212")]
    stray = found[1]
    assert stray[3] == ("quote inside an unquoted field: 'REDACTED' is read with the quote as text here, "
                        "but other parsers may read it as the start of a quoted field")
    assert stray[4] == "quote the whole value and double the quote inside it: \"REDACTED\", or drop the quote"
    assert all(key.startswith("email#") and "bad" not in key for *_rest, key in found)
    masked = render(validate(request), "csv", redact=True)
    assert "bad mail" not in masked and "nn" not in masked
    assert masked.startswith("Email,First,row,column,column name,code,severity,message")


@pytest.mark.parametrize(("kind", "reader"), READERS)
@pytest.mark.parametrize("chunk_rows", ["1", "50000"])
def test_baseline_round_trip_keys_row_one_by_its_record(tmp_path: Path, kind: str, reader: str,
                                                         chunk_rows: str) -> None:
    # HS604 (a workbook's merged cells) reports row 1 before any row is read: its entry and
    # the check must both key it by row 1's record
    merged = ["B1:B2"] if kind == "xlsx" else None
    request = _import(tmp_path / "imp", kind, merged=merged)
    baseline = tmp_path / "baseline.json"
    flags = ["--reader", reader, "--chunk-rows", chunk_rows, "--baseline", str(baseline)]
    _check(str(request), *flags, "--write-baseline")
    entries = [(e["code"], e["key"]) for e in json.loads(baseline.read_text(encoding="utf-8"))["entries"]]
    row_one = [("HS212", "email:bad mail"), ("HS604" if kind == "xlsx" else "HS117", "email:bad mail")]
    assert [e for e in entries if e[1] == "email:bad mail"] == row_one
    assert ("HS212", "email:bad2") in entries
    _code, out = _check(str(request), *flags, "--format", "json")
    report = json.loads(out)
    assert report["findings"] == []
    assert report["accepted"]["HS212"] == 2
    # row 1's record changed: its entries are stale, the other rows' still accepted, and its
    # merged cells (the workbook's) a new finding, keyed by its new record
    _import(tmp_path / "imp", kind, [["ann@x.com", "Ann"], *ROWS[1:]], merged=merged)
    _code, out = _check(str(request), *flags, "--format", "json")
    report = json.loads(out)
    assert [f["value"] for f in report["findings"] if f["code"] == "HS901"] == ["email:bad mail"] * 2
    new = [(f["row"], f["column"], f["code"], f["key"]) for f in report["findings"] if f["code"] != "HS901"]
    assert new == ([(1, 2, "HS604", "email:ann@x.com")] if kind == "xlsx" else [])
    assert report["accepted"]["HS212"] == 1


@pytest.mark.parametrize("reader", ["exact", "fast"])
@pytest.mark.parametrize("chunk_rows", ["1", "50000"])
def test_a_stray_quote_on_row_one_alone_is_keyed_by_its_record(tmp_path: Path, reader: str, chunk_rows: str) -> None:
    # HS117 reports at the file's end, with the key its row had as read: row 1 was given none
    # (taken for the header row), so the finding was keyed by its place where nothing else was
    # found on its row
    request = _import(tmp_path / "imp", "csv", [["ann@x.com", 'A"nn'], ["bo@x.com", 'B"o']])
    _code, out = _check(str(request), "--format", "json", "--reader", reader, "--chunk-rows", chunk_rows,
                        "--select", "HS117")
    found = [(f["row"], f["column"], f["code"], f["key"]) for f in json.loads(out)["findings"]]
    assert found == [(1, 2, "HS117", "email:ann@x.com"), (2, 2, "HS117", "email:bo@x.com")]


@pytest.mark.parametrize(("kind", "reader"), READERS)
def test_findings_placed_by_column_number_name_the_mappings_column(tmp_path: Path, kind: str, reader: str) -> None:
    # HS117 (a stray quote) and HS604 (merged cells) name their column by number: its name was
    # looked up in the header row alone, so it was null here, where cell findings say the
    # mapping's columnName
    request = _import(tmp_path / "imp", kind, merged=["B1:B2"] if kind == "xlsx" else None)
    _code, out = _check(str(request), "--format", "json", "--reader", reader, "--select", "HS117,HS212,HS604")
    found = [(f["row"], f["column"], f["code"], f["column_name"]) for f in json.loads(out)["findings"]]
    placed = (1, 2, "HS604" if kind == "xlsx" else "HS117", "First")
    assert found == [(1, 1, "HS212", "Email"), placed, (3, 1, "HS212", "Email")]


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_a_date_columns_verdict_is_about_the_column_not_row_one(tmp_path: Path, reader: str) -> None:
    # HS204 sums up a whole column, placed at its header cell (row 1): without a header row that
    # is a data row, so the verdict was keyed as row 1's record (row:1, its cells gone by then)
    # and listed by --format csv as a failing row 1 with no cells
    folder = tmp_path / "imp"
    request = _import(folder, "csv", [["a@x.com", "28/10/2023"], ["b@x.com", "13/04/2024"]])
    spec = json.loads(request.read_text(encoding="utf-8"))
    spec["dateFormat"] = "MONTH_DAY_YEAR"
    spec["files"][0]["fileImportPage"]["columnMappings"][1].update(columnName="Close", propertyName="closedate")
    request.write_text(json.dumps(spec), encoding="utf-8")
    _code, out = _check(str(request), "--format", "json", "--reader", reader, "--select", "HS204")
    found = [(f["row"], f["column"], f["code"], f["column_name"], f["key"]) for f in json.loads(out)["findings"]]
    assert found == [(None, 2, "HS204", "Close", "column:Close")]
    _code, out = _check(str(request), "--format", "csv", "--reader", reader, "--select", "HS204")
    assert list(csv.reader(io.StringIO(out, newline=""))) == [["row", "column", "column name", "code", "severity",
                                                                 "message"]]  # no failing row


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_a_ragged_row_is_measured_against_the_columns_mapped(tmp_path: Path, reader: str) -> None:
    # without a header row the width is the mappings' count: the message spoke of "the header's 2"
    request = _import(tmp_path / "imp", "csv", [["a@x.com", "Ann", "extra"], ["ok@x.com"], ["c@x.com", "Cy"]])
    _code, out = _check(str(request), "--format", "json", "--reader", reader, "--select", "HS110")
    found = [(f["row"], f["column"], f["code"], f["message"], f["key"]) for f in json.loads(out)["findings"]]
    assert found == [(1, 3, "HS110", "row has 3 fields, more than the 2 columns mapped", "email:a@x.com"),
                     (2, 2, "HS110", "row has 1 field, fewer than the 2 columns mapped", "email:ok@x.com")]


@pytest.mark.parametrize(("kind", "reader"), READERS)
@pytest.mark.parametrize("chunk_rows", ["1", "50000"])
def test_a_header_row_under_has_header_false_is_named_so(tmp_path: Path, kind: str, reader: str,
                                                         chunk_rows: str) -> None:
    # `hasHeader: false` over a file whose row 1 is the header the mappings name: HS106 said only
    # that HubSpot requires a header row, and row 1's cells were judged as data ("'Email' is not a
    # valid email address"), with no word that row 1 is the header HubSpot would import as a record
    request = _import(tmp_path / "imp", kind, rows=[["Email", "First"], ["ok@x.com", "Bo"]])
    _code, out = _check(str(request), "--format", "json", "--reader", reader, "--chunk-rows", chunk_rows)
    found = [(f["code"], f["pointer"], f["message"]) for f in json.loads(out)["findings"] if f["code"] == "HS106"]
    assert found == [("HS106", "/files/0/fileImportPage/hasHeader",
                      "hasHeader is false, but row 1 holds the columnNames the mappings name ('Email', 'First'): "
                      "it is a header row, which HubSpot would import as a record; set hasHeader to true")]
    plain = _import(tmp_path / "plain", kind)  # row 1 is data: the finding as before
    _code, out = _check(str(plain), "--format", "json", "--reader", reader, "--chunk-rows", chunk_rows)
    assert [f["message"] for f in json.loads(out)["findings"] if f["code"] == "HS106"] == [
        "hasHeader is false: HubSpot requires a header row; columns are matched to mappings by position"]
