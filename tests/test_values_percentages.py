"""Percentages: HubSpot reads `25%` or `.25` (fact sheet 6, [V] S6), so a bare number above 1 is
read as a fraction of one (`25` is 2500%): HS253's warning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.workbooks import make_workbook, make_xls
from validator import Config, validate
from validator.readers.xlsx import calamine_available

CODES = ("HS205", "HS206", "HS253")


def _request(file: str, prop: str) -> dict[str, Any]:
    sheet = file.endswith((".xlsx", ".xls"))
    return {"name": "deals", "files": [{"fileName": file, "fileFormat": "SPREADSHEET" if sheet
                                        else "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
        {"columnName": "Name", "columnObjectTypeId": "0-3", "propertyName": "dealname"},
        {"columnName": "Probability", "columnObjectTypeId": "0-3", "propertyName": prop}]}}]}


def _findings(report: Any) -> list[tuple[Any, ...]]:
    assert not report.refusals
    return [(f.row, f.column, f.code, f.severity.label, f.message) for f in report.findings if f.code in CODES]


def _deals(values: list[str], prop: str = "hs_forecast_probability", **kw: Any) -> list[tuple[Any, ...]]:
    rows = "".join(f'Deal {i},"{v}"\n' for i, v in enumerate(values))
    return _findings(validate(_request("deals.csv", prop),
                              files={"deals.csv": ("Name,Probability\n" + rows).encode()}, **kw))


def test_a_bare_number_above_one_in_a_percentage_is_read_as_a_fraction() -> None:
    # 25 imported as 2500%, unremarked: only `25%`, `.25` and text were looked at
    assert _deals(["25", "25%", ".25", "0.5", "1", "0", "-0.5", "1.5", "-25", "12.5", "2500%"]) == [
        (2, 2, "HS253", "warning", "'25' is read as 2500% (HubSpot reads .25 as 25%); for 25% write 25% or 0.25"),
        (9, 2, "HS253", "warning", "'1.5' is read as 150% (HubSpot reads .25 as 25%); for 1.5% write 1.5% or 0.015"),
        (10, 2, "HS253", "warning", "'-25' is read as -2500% (HubSpot reads .25 as 25%); for -25% write -25% or "
                                    "-0.25"),
        (11, 2, "HS253", "warning", "'12.5' is read as 1250% (HubSpot reads .25 as 25%); for 12.5% write 12.5% or "
                                    "0.125"),
    ]


def test_a_hundred_is_almost_surely_a_hundred_percent() -> None:
    assert _deals(["100", "1e2", "100.0", "100%"]) == [
        (2, 2, "HS253", "warning", "'100' is read as 10000%, where 100% is almost surely meant (HubSpot reads 1 "
                                   "as 100%); write 100% or 1"),
        (3, 2, "HS253", "warning", "'1e2' is read as 10000%, where 100% is almost surely meant (HubSpot reads 1 "
                                   "as 100%); write 100% or 1"),
        (4, 2, "HS253", "warning", "'100.0' is read as 10000%, where 100% is almost surely meant (HubSpot reads 1 "
                                   "as 100%); write 100% or 1"),
    ]


def test_other_percentage_forms_keep_their_own_findings() -> None:
    # a decimal comma is HS206's, no number HS205's; neither is also named as a fraction
    assert _deals(["25,5%", "abc", "25%%"]) == [
        (2, 2, "HS206", "warning", "'25,5%' has a decimal comma; HubSpot expects digits and one decimal point: "
                                   "write 25.5%"),
        (3, 2, "HS205", "error", "'abc' is not a number"),
        (4, 2, "HS205", "error", "'25%%' is not a number"),
    ]


def test_a_space_before_the_percent_sign_is_named_with_the_form_to_write() -> None:
    # `25 %` passed unremarked, and `25\u00a0%` / `25\u202f%` (French Excel's) were HS205 errors
    # telling to write a plain space: HubSpot documents `25%`, and a space before the sign not at all
    tail = ("before its % sign: HubSpot documents 25%, without one, and how it reads the sign after a space is not "
            "documented")
    assert _deals(["25 %", "25\u00a0%", "12.5\u202f%", "0.5 %", "25%", "100 %", "12,5\u202f%"]) == [
        (2, 2, "HS253", "warning", f"'25 %' has a space {tail}; write 25% or 0.25"),
        (3, 2, "HS253", "warning", f"'25\u00a0%' has a no-break space (U+00A0) {tail}; write 25% or 0.25"),
        (4, 2, "HS253", "warning", f"'12.5\u202f%' has a narrow no-break space (U+202F) {tail}; write 12.5% or 0.125"),
        (5, 2, "HS253", "warning", f"'0.5 %' has a space {tail}; write 0.5% or 0.005"),
        (7, 2, "HS253", "warning", f"'100 %' has a space {tail}; write 100% or 1"),
        (8, 2, "HS206", "warning", "'12,5\u202f%' has a decimal comma; HubSpot expects digits and one decimal point: "
                                   "write 12.5%"),
    ]


def test_a_number_property_not_shown_as_a_percentage_is_not_one() -> None:
    assert _deals(["25", "100"], prop="amount") == []


def test_a_portal_number_shown_as_a_percentage_is_one(tmp_path: Path) -> None:
    portal = tmp_path / "portal"
    (portal / "properties").mkdir(parents=True)
    props = [{"name": "dealname", "label": "Deal name", "type": "string", "fieldType": "text"},
             {"name": "win_rate", "label": "Win rate", "type": "number", "fieldType": "number",
              "numberDisplayHint": "percentage"},
             {"name": "score", "label": "Score", "type": "number", "fieldType": "number"}]
    (portal / "properties" / "deals.json").write_text(json.dumps({"results": props}), encoding="utf-8")
    config = Config(portal=str(portal))
    assert [f[:3] for f in _deals(["25", "0.25"], prop="win_rate", config=config)] == [(2, 2, "HS253")]
    assert _deals(["25", "0.25"], prop="score", config=config) == []


def test_a_workbook_cell_formatted_as_a_percentage_holds_the_fraction() -> None:
    # Excel keeps 25% as 0.25: the reader gives '0.25', no finding; a General cell holding 25 is 2500%
    data = make_workbook({"sheets": [{"name": "Deals", "rows": [
        ["Name", "Probability"], ["A", {"v": 0.25, "format": "0%"}], ["B", {"v": 1, "format": "0%"}],
        ["C", 25], ["D", {"s": "25"}], ["E", {"s": "25%"}], ["F", {"v": 0.125, "format": "0.0%"}]]}]})
    assert _findings(validate(_request("deals.xlsx", "hs_forecast_probability"), files={"deals.xlsx": data})) == [
        (4, 2, "HS253", "warning", "'25' is a number cell, read as 2500% (HubSpot reads .25 as 25%; Excel keeps a "
                                   "cell of 25% as 0.25); for 25% write 25% or 0.25"),
        (5, 2, "HS253", "warning", "'25' is read as 2500% (HubSpot reads .25 as 25%); for 25% write 25% or 0.25"),
    ]


@pytest.mark.parametrize("engine", ["openpyxl", *(["calamine"] if calamine_available() else [])])
def test_a_workbook_cell_formatted_as_a_percentage_above_100_is_meant(engine: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # 2.5 in a 0% cell (Excel shows 250%) was named as 2.5 read as 250%: it is what the user meant,
    # whichever reader reads the sheet; a format that writes a quoted "%" after the number is no percentage
    import validator.readers.xlsx as xlsx_module

    monkeypatch.setattr(xlsx_module, "choose_engine", lambda scan, prefer=None, pieces=False: engine)
    if engine == "openpyxl":  # and the prefetch, which takes calamine, is left out
        monkeypatch.setattr(xlsx_module, "take", lambda stream: None)
    data = make_workbook({"sheets": [{"name": "Deals", "rows": [
        ["Name", "Probability", "Other"], ["A", {"v": 2.5, "format": "0%"}, {"v": 2.5, "format": "0%"}],
        ["B", {"v": -1.5, "format": "0.00%"}, 3], ["C", {"v": 12, "format": '0.0"%"'}, 4], ["D", 2.5, 5]]}]})
    request = _request("deals.xlsx", "hs_forecast_probability")
    request["files"][0]["fileImportPage"]["columnMappings"].append(
        {"columnName": "Other", "columnObjectTypeId": "0-3", "propertyName": "hs_forecast_probability"})
    report = validate(request, files={"deals.xlsx": data})
    assert report.files[0].reader == engine
    assert [f[:3] for f in _findings(report)] == [
        (3, 3, "HS253"), (4, 2, "HS253"), (4, 3, "HS253"), (5, 2, "HS253"), (5, 3, "HS253")]


def test_an_xls_cell_formatted_as_a_percentage_above_100_is_meant() -> None:
    # the .xls reader knows each cell's format from xlrd's XF records: 2.5 in a 0% cell (250%) passes
    # as in an .xlsx; a quoted "%" is no percentage, a General 2.5 is 250%
    data = make_xls({"sheets": [{"name": "Deals", "rows": [
        ["Name", "Probability", "Other"], ["A", {"v": 2.5, "format": "0%"}, {"v": 2.5, "format": "0%"}],
        ["B", {"v": -1.5, "format": "0.00%"}, 3], ["C", {"v": 12, "format": '0.0"%"'}, 4], ["D", 2.5, 5]]}]})
    request = _request("deals.xls", "hs_forecast_probability")
    request["files"][0]["fileImportPage"]["columnMappings"].append(
        {"columnName": "Other", "columnObjectTypeId": "0-3", "propertyName": "hs_forecast_probability"})
    report = validate(request, files={"deals.xls": data})
    assert report.files[0].reader == "xlrd"
    assert [f[:3] for f in _findings(report)] == [
        (3, 3, "HS253"), (4, 2, "HS253"), (4, 3, "HS253"), (5, 2, "HS253"), (5, 3, "HS253")]


def test_a_line_items_discount_percentage_is_left_out() -> None:
    # written in points in HubSpot's own API examples ("10" for 10%): no warning on 10
    request = json.dumps({"name": "t", "importOperations": {"0-8": "CREATE"}, "files": [{
        "fileName": "li.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnName": "Name", "columnObjectTypeId": "0-8", "propertyName": "name"},
            {"columnName": "Discount", "columnObjectTypeId": "0-8", "propertyName": "hs_discount_percentage"}]}}]})
    rep = validate(request.encode(), files={"li.csv": b"Name,Discount\nWidget,10\n"})
    assert [f.code for f in rep.findings if f.code == "HS253"] == []
