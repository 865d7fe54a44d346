"""Durations (a call's ``hs_call_duration``, a portal property shown as a duration): HubSpot reads
milliseconds (fact sheet 6, [V] S6). A clock or units are HS205's error with their milliseconds;
a number small enough to be seconds is HS250's warning."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.workbooks import make_workbook
from validator import Config, validate
from validator.formats import duration_ms


def _calls(durations: list[str], prop: str = "hs_call_duration", obj: str = "0-48",
           codes: tuple[str, ...] = ("HS205", "HS206", "HS250"), **kw: Any) -> list[tuple[Any, ...]]:
    rows = "".join(f"03/15/2024 10:00,{d}\n" for d in durations)
    request = {"name": "calls", "files": [{"fileName": "calls.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnName": "Date", "columnObjectTypeId": obj, "propertyName": "hs_timestamp"},
            {"columnName": "Duration", "columnObjectTypeId": obj, "propertyName": prop}]}}]}
    report = validate(request, files={"calls.csv": ("Date,Duration\n" + rows).encode()}, **kw)
    assert not report.refusals
    return [(f.row, f.column, f.code, f.severity.label, f.message) for f in report.findings
            if f.code in codes]


def _talk_time_portal(tmp_path: Path) -> Config:
    """A Config with a portal snapshot whose calls have talk_time, a number shown as a duration."""
    portal = tmp_path / "portal"
    (portal / "properties").mkdir(parents=True)
    props = [{"name": "hs_timestamp", "label": "Activity date", "type": "datetime", "fieldType": "date"},
             {"name": "talk_time", "label": "Talk time", "type": "number", "fieldType": "number",
              "numberDisplayHint": "duration"},
             {"name": "score", "label": "Score", "type": "number", "fieldType": "number"}]
    (portal / "properties" / "calls.json").write_text(json.dumps({"results": props}), encoding="utf-8")
    return Config(portal=str(portal))


def test_a_clock_or_units_in_a_call_duration_is_an_error_giving_its_milliseconds() -> None:
    # the error said only "is not a number", where the column's label asks for HH:mm:ss
    assert _calls(["00:02:30", "2m", "150s", "5:00", "1h 30m", "soon"]) == [
        (2, 2, "HS205", "error", "'00:02:30' is not a number: hs_call_duration is a duration in milliseconds "
                                 "(00:02:30 as hh:mm:ss is 150000)"),
        (3, 2, "HS205", "error", "'2m' is not a number: hs_call_duration is a duration in milliseconds (2m is 120000)"),
        (4, 2, "HS205", "error", "'150s' is not a number: hs_call_duration is a duration in milliseconds "
                                 "(150s is 150000)"),
        (5, 2, "HS205", "error", "'5:00' is not a number: hs_call_duration is a duration in milliseconds "
                                 "(5:00 as minutes and seconds is 300000)"),
        (6, 2, "HS205", "error", "'1h 30m' is not a number: hs_call_duration is a duration in milliseconds "
                                 "(1h 30m is 5400000)"),
        (7, 2, "HS205", "error", "'soon' is not a number: hs_call_duration is a duration in milliseconds"),
    ]


def test_a_call_duration_under_a_second_is_read_as_seconds_written_for_milliseconds() -> None:
    # 150 imported as 150 ms, silently
    assert _calls(["150", "150000", "0", "999", "1000", "2.5"]) == [
        (2, 2, "HS250", "warning", "'150' reads as 150 ms (0.15 seconds): HubSpot reads a duration in "
                                   "milliseconds; if it is 150 seconds, write 150000"),
        (5, 2, "HS250", "warning", "'999' reads as 999 ms (0.999 seconds): HubSpot reads a duration in "
                                   "milliseconds; if it is 999 seconds, write 999000"),
        (7, 2, "HS250", "warning", "'2.5' reads as 2.5 ms (0.0025 seconds): HubSpot reads a duration in "
                                   "milliseconds; if it is 2.5 seconds, write 2500"),
    ]


def test_the_seconds_message_gives_the_number_written_not_a_rounded_one() -> None:
    # '999.9999999' "read as 1000 ms (1 seconds)", past the threshold it was flagged under, and
    # "write 999999.9999" contradicted it; a tiny number wrote 300 zeros or "0 ms"
    assert _calls(["999.9999999", "1.1", "5e-300"]) == [
        (2, 2, "HS250", "warning", "'999.9999999' reads as 999.9999999 ms (0.9999999999 seconds): HubSpot reads a "
                                   "duration in milliseconds; if it is 999.9999999 seconds, write 999999.9999"),
        (3, 2, "HS250", "warning", "'1.1' reads as 1.1 ms (0.0011 seconds): HubSpot reads a duration in "
                                   "milliseconds; if it is 1.1 seconds, write 1100"),
        (4, 2, "HS250", "warning", "'5e-300' reads as 5e-300 ms (5e-303 seconds): HubSpot reads a duration in "
                                   "milliseconds; if it is 5e-300 seconds, write 5e-297"),
    ]


def test_the_threshold_is_an_option() -> None:
    config = Config(options={"HS250": {"min_ms": 100}})
    assert [f[:3] for f in _calls(["150", "99"], config=config)] == [(3, 2, "HS250")]


def test_a_threshold_past_a_floats_range_holds_every_positive_duration() -> None:
    # min_ms = 10**400 (a whole number, as the option takes) was an internal error: OverflowError,
    # int too large to convert to float
    config = Config(options={"HS250": {"min_ms": 10**400}})
    assert [f[:3] for f in _calls(["150", "0", "150000"], config=config)] == [(2, 2, "HS250"), (4, 2, "HS250")]


def test_a_portal_number_shown_as_a_duration_is_one(tmp_path: Path) -> None:
    config = _talk_time_portal(tmp_path)
    assert [f[:3] for f in _calls(["150", "1:30"], prop="talk_time", config=config)] == [
        (2, 2, "HS250"), (3, 2, "HS205")]
    assert _calls(["150", "1:30"], prop="score", config=config) == [
        (3, 2, "HS205", "error", "'1:30' is not a number")]


@pytest.mark.parametrize(("text", "read"), [
    ("00:02:30", (150_000, "hh:mm:ss")), ("2:30", (150_000, "mm:ss")), ("1:02:03.5", (3_723_500, "hh:mm:ss")),
    ("2m30s", (150_000, "units")), ("3 minutes 20 seconds", (200_000, "units")), ("1.5h", (5_400_000, "units")),
    ("150", None), ("1:75", None), ("2m 3", None), ("m", None), ("2x", None), ("1" * 50 + "s", None),
])
def test_durations_written_for_people(text: str, read: tuple[int, str] | None) -> None:
    assert duration_ms(text) == read


def test_a_negative_call_duration_is_a_warning() -> None:
    # passed: HS250 looks above 0 only, and a negative number parses, so -150000 imported unremarked
    assert _calls(["-5", "-150000", "-1e3", "-0", "0", "150000"], codes=("HS205", "HS250", "HS251")) == [
        (2, 2, "HS251", "warning", "'-5' is a negative duration: hs_call_duration is a length of time in "
                                   "milliseconds, and what HubSpot does with one below zero is not documented; "
                                   "write the length as a positive number of milliseconds, or leave the cell "
                                   "empty where it is not known"),
        (3, 2, "HS251", "warning", "'-150000' is a negative duration: hs_call_duration is a length of time in "
                                   "milliseconds, and what HubSpot does with one below zero is not documented; "
                                   "write the length as a positive number of milliseconds, or leave the cell "
                                   "empty where it is not known"),
        (4, 2, "HS251", "warning", "'-1e3' is a negative duration: hs_call_duration is a length of time in "
                                   "milliseconds, and what HubSpot does with one below zero is not documented; "
                                   "write the length as a positive number of milliseconds, or leave the cell "
                                   "empty where it is not known"),
    ]


def test_a_negative_clock_in_a_call_duration_gives_the_milliseconds_of_its_length() -> None:
    # the error said only "is not a number", where the clock without its minus is a length
    assert _calls(["-0:02:30", "-2m"], codes=("HS205", "HS250", "HS251")) == [
        (2, 2, "HS205", "error", "'-0:02:30' is not a number: hs_call_duration is a duration in milliseconds, "
                                 "and not below zero (0:02:30 as hh:mm:ss is 150000)"),
        (3, 2, "HS205", "error", "'-2m' is not a number: hs_call_duration is a duration in milliseconds, "
                                 "and not below zero (2m is 120000)"),
    ]


def test_a_portal_number_shown_as_a_duration_is_not_negative(tmp_path: Path) -> None:
    config = _talk_time_portal(tmp_path)
    assert [f[:3] for f in _calls(["-150000"], prop="talk_time", config=config, codes=("HS251",))] == [
        (2, 2, "HS251")]
    assert _calls(["-150000"], prop="score", config=config, codes=("HS205", "HS250", "HS251")) == []


def test_a_time_cell_in_a_call_duration_is_named_as_one_with_its_milliseconds() -> None:
    # a time cell (a number of days to Excel) was "not a number", and 0:02:00, read as '00:02', was
    # "00:02 as minutes and seconds is 2000": two minutes are 120000
    request = {"name": "calls", "files": [{"fileName": "calls.xlsx", "fileFormat": "SPREADSHEET", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnName": "Date", "columnObjectTypeId": "0-48", "propertyName": "hs_timestamp"},
            {"columnName": "Duration", "columnObjectTypeId": "0-48", "propertyName": "hs_call_duration"}]}}]}
    data = make_workbook({"sheets": [{"name": "Calls", "rows": [
        ["Date", "Duration"], ["03/15/2024 10:00", dt.time(0, 2, 30)], ["03/15/2024 10:00", dt.time(0, 2)],
        ["03/15/2024 10:00", {"v": dt.timedelta(hours=25, minutes=2), "format": "[h]:mm:ss"}],
        ["03/15/2024 10:00", {"s": "00:02:30"}], ["03/15/2024 10:00", 150000]]}]})
    report = validate(request, files={"calls.xlsx": data})
    assert not report.refusals
    time = ("is a time cell (Excel keeps a time as a number of days): hs_call_duration is a duration in "
            "milliseconds, and how HubSpot reads a time cell there is not documented")
    assert [(f.row, f.column, f.code, f.severity.label, f.message) for f in report.findings
            if f.code in ("HS205", "HS250")] == [
        (2, 2, "HS205", "error", f"'00:02:30' {time}; for 00:02:30 (hh:mm:ss) write 150000"),
        (3, 2, "HS205", "error", f"'00:02' {time}; for 00:02 (hh:mm) write 120000"),
        (4, 2, "HS205", "error", f"'25:02:00' {time}; for 25:02:00 (hh:mm:ss) write 90120000"),
        (5, 2, "HS205", "error", "'00:02:30' is not a number: hs_call_duration is a duration in milliseconds "
                                 "(00:02:30 as hh:mm:ss is 150000)"),
    ]
