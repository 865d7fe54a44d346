"""Epoch numbers in date and datetime columns: seconds where HubSpot reads milliseconds (HS202),
and milliseconds on a date property that are not a midnight UTC (HS219)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from validator import validate
from validator.findings import Report
from validator.formats.dates import DATE_FORMATS, parse_dates, parses


def _found(prop: str, obj: str, cells: list[str], codes: tuple[str, ...]) -> list[tuple[Any, ...]]:
    key = "email" if obj == "0-1" else "name" if obj == "0-8" else "dealname"
    rows = "".join(f"r{i},{c}\n" for i, c in enumerate(cells))
    request = {"name": "x", "files": [{"fileName": "f.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnName": "Key", "columnObjectTypeId": obj, "propertyName": key},
            {"columnName": "When", "columnObjectTypeId": obj, "propertyName": prop}]}}]}
    report = validate(request, files={"f.csv": ("Key,When\n" + rows).encode()})
    assert not report.refusals
    return [(f.row, f.column, f.code, f.severity.label, f.message) for f in report.findings if f.code in codes]


def _closedates_in_a_workbook(rows: list[list[Any]]) -> Report:
    """The report of a workbook whose rows (header first) map email and closedate."""
    from tests.workbooks import make_workbook

    request = {"name": "x", "files": [{"fileName": "d.xlsx", "fileFormat": "SPREADSHEET", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnName": "email", "columnObjectTypeId": "0-1", "propertyName": "email"},
            {"columnName": "closedate", "columnObjectTypeId": "0-1", "propertyName": "closedate"}]}}]}
    return validate(request, files={"d.xlsx": make_workbook({"sheets": [{"name": "Deals", "rows": rows}]})})


def test_epoch_seconds_give_the_date_meant_and_the_date_read() -> None:
    # the message said "(1970)" only: neither the date meant nor the milliseconds to write
    assert _found("closedate", "0-3", ["1700000000", "1700000000000", "170000000"], ("HS202", "HS201")) == [
        (2, 2, "HS202", "warning", "'1700000000' looks like epoch seconds (2023-11-14 22:13:20 UTC); HubSpot reads "
                                   "epoch milliseconds, so it becomes 1970-01-20 16:13:20 UTC; for 2023-11-14 "
                                   "22:13:20 UTC write 1700000000000"),
        (4, 2, "HS202", "warning", "'170000000' looks like epoch seconds (1975-05-22 14:13:20 UTC); HubSpot reads "
                                   "epoch milliseconds, so it becomes 1970-01-02 23:13:20 UTC; for 1975-05-22 "
                                   "14:13:20 UTC write 170000000000"),
    ]


def test_epoch_seconds_on_a_date_property_give_days_and_the_midnight_to_write() -> None:
    assert _found("hs_recurring_billing_start_date", "0-8", ["1700000000"], ("HS202", "HS201", "HS219")) == [
        (2, 2, "HS202", "warning", "'1700000000' looks like epoch seconds (2023-11-14); HubSpot reads epoch "
                                   "milliseconds, so it becomes 1970-01-20; for 2023-11-14 write 1699920000000"),
    ]


def test_epoch_milliseconds_on_a_date_property_not_at_midnight_utc_are_a_time_of_day() -> None:
    # passed: an epoch was a valid date whatever its time, where the object API takes midnight UTC only
    assert _found("hs_recurring_billing_start_date", "0-8", ["1700000000000", "1699920000000", "03/15/2024",
                                                             "999999999999999"], ("HS219", "HS201")) == [
        (2, 2, "HS219", "warning", "'1700000000000' is epoch milliseconds at 2023-11-14 22:13:20 UTC, not a midnight "
                                   "UTC, but hs_recurring_billing_start_date is a date property (a day alone); "
                                   "HubSpot's object API rejects such a date and its import does not document one; "
                                   "for the day 2023-11-14 write 1699920000000"),
    ]
    # a datetime property takes any time
    assert _found("closedate", "0-3", ["1700000000000"], ("HS219",)) == []


_ZERO = ("is zero, which is no date: HubSpot reads a bare number in a date column as epoch milliseconds, so it "
         "becomes {when}, the epoch's start; leave the cell empty where there is no date")


def test_zero_in_a_date_column_is_no_date_not_epoch_seconds() -> None:
    # '0000000000' was "epoch seconds (1970-01-01 00:00:00 UTC) ... write 0", a fix that changed
    # nothing; '0' and '00' were HS201's error, though HubSpot reads a bare number as epoch
    # milliseconds; '0000000000000' (13 digits) passed as a date, 1 January 1970
    when = "1970-01-01 00:00:00 UTC"
    assert _found("closedate", "0-3", ["0000000000", "0", "0000000000000", "-0", "00", "03/15/2024"],
                  ("HS201", "HS202", "HS203", "HS219")) == [
        (2, 2, "HS202", "warning", "'0000000000' " + _ZERO.format(when=when)),
        (3, 2, "HS202", "warning", "'0' " + _ZERO.format(when=when)),
        (4, 2, "HS202", "warning", "'0000000000000' " + _ZERO.format(when=when)),
        (5, 2, "HS202", "warning", "'-0' " + _ZERO.format(when=when)),
        (6, 2, "HS202", "warning", "'00' " + _ZERO.format(when=when)),
    ]
    assert _found("hs_recurring_billing_start_date", "0-8", ["000000000"], ("HS201", "HS202", "HS219")) == [
        (2, 2, "HS202", "warning", "'000000000' " + _ZERO.format(when="1970-01-01")),
    ]


def test_a_small_number_padded_with_zeros_is_no_epoch_in_seconds_or_milliseconds() -> None:
    # '0000000001' was "epoch seconds (1970-01-01 00:00:01 UTC) ... write 1000": the epoch's first
    # day either way; '0000000000001' passed as a date (on a date property, HS219's "not a midnight")
    tail = (": within a day of the epoch's start either way, no plausible date; write the date out, or leave the "
            "cell empty where there is none")
    assert _found("closedate", "0-3", ["0000000001", "0000000000001", "0000086399", "0000086400"],
                  ("HS201", "HS202", "HS203", "HS219")) == [
        (2, 2, "HS202", "warning", "'0000000001' is 1 written with leading zeros: HubSpot reads a bare number in a "
                                   "date column as epoch milliseconds, so it becomes 1970-01-01 00:00:00 UTC, and in "
                                   "seconds it would be 1970-01-01 00:00:01 UTC" + tail),
        (3, 2, "HS202", "warning", "'0000000000001' is 1 written with leading zeros: HubSpot reads a bare number in a "
                                   "date column as epoch milliseconds, so it becomes 1970-01-01 00:00:00 UTC, and in "
                                   "seconds it would be 1970-01-01 00:00:01 UTC" + tail),
        (4, 2, "HS202", "warning", "'0000086399' is 86399 written with leading zeros: HubSpot reads a bare number in a "
                                   "date column as epoch milliseconds, so it becomes 1970-01-01 00:01:26 UTC, and in "
                                   "seconds it would be 1970-01-01 23:59:59 UTC" + tail),
        # a day's seconds on, the dates differ: the seconds message and the milliseconds to write
        (5, 2, "HS202", "warning", "'0000086400' looks like epoch seconds (1970-01-02 00:00:00 UTC); HubSpot reads "
                                   "epoch milliseconds, so it becomes 1970-01-01 00:01:26 UTC; for 1970-01-02 "
                                   "00:00:00 UTC write 86400000"),
    ]
    assert _found("hs_recurring_billing_start_date", "0-8", ["0000000000001"], ("HS201", "HS202", "HS219")) == [
        (2, 2, "HS202", "warning", "'0000000000001' is 1 written with leading zeros: HubSpot reads a bare number in a "
                                   "date column as epoch milliseconds, so it becomes 1970-01-01, and in seconds it "
                                   "would be 1970-01-01" + tail),
    ]


def test_negative_epoch_seconds_are_seconds_too() -> None:
    # '-631152000' (1 January 1950 in seconds, as a birthdate before 1970 is written) was HS201's
    # "is not a date", where '631152000' is HS202's seconds: HubSpot reads either as milliseconds
    assert _found("closedate", "0-3", ["-631152000", "-1700000000", "-0000000001"], ("HS201", "HS202")) == [
        (2, 2, "HS202", "warning", "'-631152000' looks like epoch seconds (1950-01-01 00:00:00 UTC); HubSpot reads "
                                   "epoch milliseconds, so it becomes 1969-12-24 16:40:48 UTC; for 1950-01-01 "
                                   "00:00:00 UTC write -631152000000"),
        (3, 2, "HS202", "warning", "'-1700000000' looks like epoch seconds (1916-02-18 01:46:40 UTC); HubSpot reads "
                                   "epoch milliseconds, so it becomes 1969-12-12 07:46:40 UTC; for 1916-02-18 "
                                   "01:46:40 UTC write -1700000000000"),
        (4, 2, "HS202", "warning", "'-0000000001' is -1 written with leading zeros: HubSpot reads a bare number in a "
                                   "date column as epoch milliseconds, so it becomes 1969-12-31 23:59:59 UTC, and in "
                                   "seconds it would be 1969-12-31 23:59:59 UTC: within a day of the epoch's start "
                                   "either way, no plausible date; write the date out, or leave the cell empty where "
                                   "there is none"),
    ]
    assert _found("hs_recurring_billing_start_date", "0-8", ["-631152001"], ("HS201", "HS202", "HS219")) == [
        (2, 2, "HS202", "warning", "'-631152001' looks like epoch seconds (1949-12-31); HubSpot reads epoch "
                                   "milliseconds, so it becomes 1969-12-24; for 1949-12-31 write -631238400000"),
    ]


def test_epoch_seconds_in_a_workbook_number_cell_are_no_serial_day_and_need_a_text_cell() -> None:
    # a number cell's message said HubSpot reads it as epoch milliseconds and it "becomes 1970-01-20",
    # and to write 1700000000000 there: HubSpot reads a number cell as an Excel serial day (fact
    # sheet 6) and epoch milliseconds from a Text cell only (HS434)
    rows = [["email", "closedate"], ["a@x.com", 1700000000], ["b@x.com", "1700000000"], ["c@x.com", -631152000]]
    report = _closedates_in_a_workbook(rows)
    assert [(f.row, f.column, f.code, f.message) for f in report.findings if f.code in ("HS201", "HS202")] == [
        (2, 2, "HS202", "'1700000000' is a number cell that looks like epoch seconds (2023-11-14 22:13:20 UTC); "
                        "HubSpot reads a number cell as an Excel serial day, which it is not, and epoch milliseconds "
                        "from a Text cell only: for 2023-11-14 22:13:20 UTC write 1700000000000 in a Text cell, or "
                        "the date in a date cell"),
        (3, 2, "HS202", "'1700000000' looks like epoch seconds (2023-11-14 22:13:20 UTC); HubSpot reads epoch "
                        "milliseconds, so it becomes 1970-01-20 16:13:20 UTC; for 2023-11-14 22:13:20 UTC write "
                        "1700000000000"),
        (4, 2, "HS202", "'-631152000' is a number cell that looks like epoch seconds (1950-01-01 00:00:00 UTC); "
                        "HubSpot reads a number cell as an Excel serial day, which it is not, and epoch milliseconds "
                        "from a Text cell only: for 1950-01-01 00:00:00 UTC write -631152000000 in a Text cell, or "
                        "the date in a date cell"),
    ]


def test_epoch_microseconds_and_nanoseconds_say_what_they_look_like() -> None:
    # the error said only "is not a MONTH_DAY_YEAR datetime" of 16 and 19 digits, the epochs
    # BigQuery and Parquet (microseconds) and pandas and time.time_ns() (nanoseconds) write
    assert _found("closedate", "0-3", ["1700000000000000", "1700000000000000000", "17000000000000000"],
                  ("HS201", "HS202", "HS203")) == [
        (2, 2, "HS201", "error", "'1700000000000000' is not a MONTH_DAY_YEAR datetime: it looks like epoch "
                                 "microseconds (2023-11-14 22:13:20 UTC), where HubSpot reads milliseconds: write "
                                 "1700000000000"),
        (3, 2, "HS201", "error", "'1700000000000000000' is not a MONTH_DAY_YEAR datetime: it looks like epoch "
                                 "nanoseconds (2023-11-14 22:13:20 UTC), where HubSpot reads milliseconds: write "
                                 "1700000000000"),
        (4, 2, "HS201", "error", "'17000000000000000' is not a MONTH_DAY_YEAR datetime"),
    ]
    assert _found("hs_recurring_billing_start_date", "0-8", ["1700000000000000"], ("HS201", "HS219")) == [
        (2, 2, "HS201", "error", "'1700000000000000' is not a MONTH_DAY_YEAR date: it looks like epoch "
                                 "microseconds (2023-11-14), where HubSpot reads milliseconds: write 1699920000000"),
    ]


def test_epoch_milliseconds_outside_the_years_say_they_are_read_as_an_epoch() -> None:
    # '999999999999999' was only "outside the years 1900-2100": which year, and why a year, unsaid
    assert _found("closedate", "0-3", ["999999999999999", "-99999999999999", "03/15/0024"], ("HS201", "HS203")) == [
        (2, 2, "HS203", "warning", "'999999999999999' is epoch milliseconds in the year 33658, outside the years "
                                   "1900-2100"),
        (3, 2, "HS203", "warning", "'-99999999999999' is epoch milliseconds in the year -1199, outside the years "
                                   "1900-2100"),
        (4, 2, "HS203", "warning", "'03/15/0024' is outside the years 1900-2100"),
    ]


def test_a_zero_date_says_it_is_no_date() -> None:
    # MySQL's zero date, written for none: the error said only "is not a ... datetime", as of a typo
    assert _found("closedate", "0-3", ["0000-00-00 00:00:00", "0000-00-00", "00/00/0000", "2024-00-00"],
                  ("HS201", "HS202", "HS203")) == [
        (2, 2, "HS201", "error", "'0000-00-00 00:00:00' is not a MONTH_DAY_YEAR datetime: a zero date, which "
                                 "databases write for none; leave the cell empty where there is no date"),
        (3, 2, "HS201", "error", "'0000-00-00' is not a MONTH_DAY_YEAR datetime: a zero date, which databases "
                                 "write for none; leave the cell empty where there is no date"),
        (4, 2, "HS201", "error", "'00/00/0000' is not a MONTH_DAY_YEAR datetime: a zero date, which databases "
                                 "write for none; leave the cell empty where there is no date"),
        (5, 2, "HS201", "error", "'2024-00-00' is not a MONTH_DAY_YEAR datetime"),
    ]


def test_epoch_microseconds_in_a_workbook_number_cell_need_a_text_cell() -> None:
    # the message said to write the milliseconds, which in a number cell HubSpot reads as an Excel
    # serial day (as HS202 says of seconds in a number cell); a Text cell holds them
    rows = [["email", "closedate"], ["a@x.com", 1700000000000000], ["b@x.com", "1700000000000000"]]
    report = _closedates_in_a_workbook(rows)
    assert [(f.row, f.column, f.code, f.message) for f in report.findings if f.code in ("HS201", "HS202")] == [
        (2, 2, "HS201", "'1700000000000000' is not a MONTH_DAY_YEAR datetime: it looks like epoch microseconds "
                        "(2023-11-14 22:13:20 UTC); HubSpot reads a number cell as an Excel serial day, which it is "
                        "not, and epoch milliseconds from a Text cell only: write 1700000000000 in a Text cell, or "
                        "the date in a date cell"),
        (3, 2, "HS201", "'1700000000000000' is not a MONTH_DAY_YEAR datetime: it looks like epoch microseconds "
                        "(2023-11-14 22:13:20 UTC), where HubSpot reads milliseconds: write 1700000000000"),
    ]


def _hs201_closedates(date_format: str, cells: list[str]) -> list[tuple[Any, ...]]:
    """(row, column, code, message) of the HS201 findings of deals whose close dates are ``cells``."""
    request = {"name": "x", "dateFormat": date_format, "files": [{"fileName": "f.csv", "fileFormat": "CSV",
               "fileImportPage": {"hasHeader": True, "columnMappings": [
                   {"columnName": "Key", "columnObjectTypeId": "0-3", "propertyName": "dealname"},
                   {"columnName": "When", "columnObjectTypeId": "0-3", "propertyName": "closedate"}]}}]}
    rows = "".join(f'r{i},"{c}"\n' for i, c in enumerate(cells))
    report = validate(request, files={"f.csv": ("Key,When\n" + rows).encode()})
    return [(f.row, f.column, f.code, f.message) for f in report.findings if f.code == "HS201"]


@pytest.mark.parametrize(("date_format", "april", "gmt"), [
    ("MONTH_DAY_YEAR", "04/06/2024", "03/15/2024 2:30:00 PM +01:00"),
    ("DAY_MONTH_YEAR", "06/04/2024", "15/03/2024 2:30:00 PM +01:00"),
    ("YEAR_MONTH_DAY", "2024/04/06", "2024/03/15 2:30:00 PM +01:00"),
])
def test_a_date_in_an_undocumented_form_says_why_and_what_to_write(date_format: str, april: str, gmt: str) -> None:
    # Notion's `April 6, 2024` and Google Forms' `GMT+1` were only "not a MONTH_DAY_YEAR date": the
    # separators and the zone are what HubSpot does not read, and the date meant is certain
    when = gmt.rsplit(" +", 1)[0]
    cells = ["April 6, 2024", "6 Apr 2024", "April 31, 2024", "Sept 6, 2024", f"{when} GMT+1", f"{when} UTC",
             f"{when} GMT+5:30", "soon GMT+1"]
    found = _hs201_closedates(date_format, cells)
    said = f"is not a {date_format} datetime"
    separators = "HubSpot documents /, - or . between the day, the month and the year, not"
    assert found == [
        (2, 2, "HS201", f"'April 6, 2024' {said}: {separators} spaces and a comma; write {april}"),
        (3, 2, "HS201", f"'6 Apr 2024' {said}: {separators} spaces; write {april}"),
        (4, 2, "HS201", f"'April 31, 2024' {said}"),  # no such day: nothing to write
        # (not a name HubSpot documents, but September all the same)
        (5, 2, "HS201", f"'Sept 6, 2024' {said}: {separators} spaces and a comma; write {april.replace('04', '09')}"),
        (6, 2, "HS201", f"'{when} GMT+1' {said}: HubSpot documents an offset as +hh:mm, not GMT+1; write {gmt}"),
        (7, 2, "HS201", f"'{when} UTC' {said}: HubSpot documents an offset as +hh:mm, not UTC; write {when} +00:00"),
        (8, 2, "HS201", f"'{when} GMT+5:30' {said}: HubSpot documents an offset as +hh:mm, not GMT+5:30; write "
                        f"{when} +05:30"),
        (9, 2, "HS201", f"'soon GMT+1' {said}"),
    ]


@pytest.mark.parametrize(("date_format", "march", "rows"), [
    ("MONTH_DAY_YEAR", "03/15/2024", [3, 4, 5, 6, 7, 8]),
    ("DAY_MONTH_YEAR", "15/03/2024", [2, 4, 5, 6, 7, 8]),
    ("YEAR_MONTH_DAY", "2024/03/15", [2, 3, 5, 6, 7, 8]),
])
def test_a_date_in_another_order_only_or_in_eight_digits_says_what_to_write(date_format: str, march: str,
                                                                          rows: list[int]) -> None:
    # a date that reads in one other of HubSpot's orders only, eight digits that are a year, a month
    # and a day, and a month of another language between spaces were only "not a ... datetime":
    # the date meant is certain, and the message gives it in the import's order
    cells = ["03/15/2024", "15/03/2024", "2024-03-15T10:30:00Z", "20240315", "15 mars 2024", "15. März 2024",
             "15 de marzo de 2024", "05/03/24", "20241315", "15 brumaire 2024"]
    found = _hs201_closedates(date_format, cells)
    said = f"is not a {date_format} datetime"
    spaces = f"HubSpot documents /, - or . between the day, the month and the year, not spaces; write {march}"
    expected = {
        2: f"'03/15/2024' {said}: it reads as a date in MONTH_DAY_YEAR order only (2024-03-15); write {march}",
        3: f"'15/03/2024' {said}: it reads as a date in DAY_MONTH_YEAR order only (2024-03-15); write {march}",
        4: f"'2024-03-15T10:30:00Z' {said}: it reads as a date in YEAR_MONTH_DAY order only (2024-03-15); "
           f"write {march} 10:30:00 +00:00",
        5: f"'20240315' {said}: eight digits read as a year, a month and a day (2024-03-15); HubSpot documents "
           f"/, - or . between the day, the month and the year; write {march}",
        6: f"'15 mars 2024' {said}: {spaces}", 7: f"'15. März 2024' {said}: {spaces}",
        8: f"'15 de marzo de 2024' {said}: {spaces}",
        # `05/03/24` parses in every order (HS204's to judge), `20241315` has no month 13, and
        # `brumaire` is no month of any language read: nothing certain to write
        10: f"'20241315' {said}", 11: f"'15 brumaire 2024' {said}",
    }
    assert found == [(row, 2, "HS201", expected[row]) for row in [*rows, 10, 11]]


_NAMES = ["jan", "February", "MAR", "april", "May", "jun", "July", "Aug", "Sept", "oct", "Nov", "december"]


@st.composite
def _date_texts(draw: st.DrawFn) -> str:
    """A date written in one of HubSpot's orders, mostly well formed: any month form and year
    length, separators mostly alike, a day that may not exist, and a time that may not either."""
    year, month = draw(st.integers(0, 2200)), draw(st.integers(0, 13))
    day = draw(st.integers(0, 32))
    y = draw(st.sampled_from([f"{year:04d}", f"{year % 100:02d}", str(year)]))
    m = draw(st.sampled_from([str(month), f"{month:02d}", _NAMES[(month - 1) % 12], "Febr"]))
    d = draw(st.sampled_from([str(day), f"{day:02d}"]))
    s1 = draw(st.sampled_from("/.-"))
    s2 = draw(st.sampled_from([s1, s1, s1, "/", "-", "_", " "]))
    parts = draw(st.sampled_from([(m, d, y), (d, m, y), (y, m, d)]))
    return f"{parts[0]}{s1}{parts[1]}{s2}{parts[2]}" + draw(_TIME)


_TIME = st.one_of(
    st.just(""),
    st.tuples(st.sampled_from([" ", "  ", "T", "\t", "\x0b", ""]), st.integers(0, 30), st.integers(0, 99),
              st.sampled_from(["", ":00", ":59", ":60", ":07.5", ":07.123456789"]),
              st.sampled_from(["", " AM", "pm", " P.M.", "a.m.", " XM"]),
              st.sampled_from(["", "Z", " +01:00", "-0530", "+14", "+15:00", " +01:60", "-00", "\x0b+01:00"]))
    .map(lambda t: f"{t[0]}{t[1]}:{t[2]:02d}{t[3]}{t[4]}{t[5]}"))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_date_texts(), st.integers(-10**15, 10**16).map(str), st.text(max_size=12)),
                min_size=1, max_size=30))
@example(["03/15/2024", "2024-02-29T23:59:59Z", "1900-02-29", "12/31/99 12:00 AM", "1700000000000", "٠٣/١٥/٢٠٢٤",
          "03/15/2024 24:00", "03/15/2024 0:00 AM", "03/15/2024 10:00\x0b+01:00", "03/15/2024 10:00\x0bPM",
          "03/15/2024 10:00 +15:00", "03-15/2024", "02/29/2100", "15/Sept/2024"])
def test_one_cell_parses_as_the_column_parser_reads_it(cells: list[str]) -> None:
    # HS201's word on one cell (the form to write) asks whether a text parses; the column parser
    # took ~3 ms for one cell, so a column of dates in another order took seconds to report
    for date_format in DATE_FORMATS:
        for with_time in (False, True):
            column = parse_dates(cells, date_format, with_time=with_time, distinct=None).ok
            assert [parses(c, date_format, with_time=with_time) for c in cells] == column.tolist(), date_format
