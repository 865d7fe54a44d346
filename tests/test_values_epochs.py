"""Epoch numbers in date and datetime columns: seconds where HubSpot reads milliseconds (HS202),
and milliseconds on a date property that are not a midnight UTC (HS219)."""

from __future__ import annotations

from typing import Any

from validator import validate


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
