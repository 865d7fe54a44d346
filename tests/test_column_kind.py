"""HS255: a column whose values are of another kind than its property takes (a Close Date column
mapped to a dropdown, Email to `phone`): one warning at the column's header naming the wrong
mapping, where each cell's own finding (HS201, HS205, HS208, ...) does not."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.workbooks import make_workbook
from validator import Config, validate
from validator.findings import Report

ASK = "is it mapped to the right property?"


def _request(name: str, obj: str, prop: str, fmt: str = "CSV") -> dict[str, Any]:
    """A file of two columns: a first name (a contact's), a company's or a deal's name, then ``prop``."""
    first = {"0-1": ("First Name", "firstname"), "0-2": ("Name", "name")}.get(obj, ("Name", "dealname"))
    return {"name": "x", "files": [{"fileName": name, "fileFormat": fmt, "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnName": first[0], "columnObjectTypeId": obj, "propertyName": first[1]},
            {"columnName": "Value", "columnObjectTypeId": obj, "propertyName": prop}]}}]}


def _csv(values: list[str], obj: str = "0-1") -> bytes:
    head = "First Name,Value\n" if obj == "0-1" else "Name,Value\n"
    return (head + "".join(f'Row {i},"{v}"\n' for i, v in enumerate(values))).encode()


def _found(report: Report) -> list[tuple[int | None, int | None, str, str]]:
    assert not report.refusals
    return [(f.row, f.column, f.code, f.message) for f in report.findings if f.code == "HS255"]


def _reports(request: dict[str, Any], data: bytes, chunks: tuple[int, ...] = (50_000, 1),
             **config: Any) -> Iterator[tuple[str, int, Report]]:
    """The reports of the file with one chunk and with ``chunks`` rows a chunk, by both CSV readers."""
    name = request["files"][0]["fileName"]
    for reader in ("exact", "fast"):
        for chunk_rows in chunks:
            yield reader, chunk_rows, validate(request, files={name: io.BytesIO(data)}, base_dir="/nonexistent",
                                               config=Config(chunk_rows=chunk_rows, reader=reader, **config))


def _check(obj: str, prop: str, values: list[str]) -> list[tuple[int | None, int | None, str, str]]:
    """HS255's findings, the same whichever reader and chunk size."""
    seen = None
    for reader, chunk_rows, report in _reports(_request("x.csv", obj, prop), _csv(values, obj)):
        found = _found(report)
        assert seen is None or found == seen, (reader, chunk_rows)
        seen = found
    assert seen is not None
    return seen


DATES = ["03/15/2024", "04/01/2024", "12/31/2023", "2024-01-05", "07/04/2024"]
EMAILS = ["ann@example.com", "bo@example.org", "cy@x.co.uk", "di@y.com", "ed@z.de"]
PHONES = ["+1 617 982 2033", "(415) 555-0101", "+44 20 7946 0958", "617-555-0199", "+14155550132"]
NUMBERS = ["1500", "230.50", "1,200", "99", "4155550101"]
URLS = ["https://www.acme.com/about", "http://globex.com", "www.initech.io", "HTTPS://umbrella.co.uk/contact?x=1",
        "www.hooli.xyz/"]
DOMAINS = ["acme.com", "globex.com:8080", "initech.io", "sub.umbrella.co.uk", "hooli.xyz/about"]


@pytest.mark.parametrize(("obj", "prop", "values", "message"), [
    ("0-1", "hs_lead_status", DATES,
     "column 'Value' is mapped to hs_lead_status (a dropdown), but 5 of its 5 values are dates: " + ASK +
     " (each cell is reported as HS208 says)"),
    ("0-1", "hs_lead_status", EMAILS,
     "column 'Value' is mapped to hs_lead_status (a dropdown), but 5 of its 5 values are email addresses: " + ASK +
     " (each cell is reported as HS208 says)"),
    ("0-1", "hs_lead_status", NUMBERS,
     "column 'Value' is mapped to hs_lead_status (a dropdown), but 5 of its 5 values are numbers: " + ASK +
     " (each cell is reported as HS208 says)"),
    ("0-1", "hs_lead_status", PHONES,
     "column 'Value' is mapped to hs_lead_status (a dropdown), but 5 of its 5 values are phone numbers: " + ASK +
     " (each cell is reported as HS208 says)"),
    ("0-3", "amount", DATES,
     "column 'Value' is mapped to amount (a number), but 5 of its 5 values are dates: " + ASK +
     " (each cell is reported as HS205 says)"),
    ("0-3", "amount", EMAILS,
     "column 'Value' is mapped to amount (a number), but 5 of its 5 values are email addresses: " + ASK +
     " (each cell is reported as HS205 says)"),
    ("0-3", "amount", PHONES,
     "column 'Value' is mapped to amount (a number), but 5 of its 5 values are phone numbers: " + ASK +
     " (each cell is reported as HS205 says)"),
    ("0-3", "closedate", EMAILS,
     "column 'Value' is mapped to closedate (a datetime), but 5 of its 5 values are email addresses: " + ASK +
     " (each cell is reported as HS201 says)"),
    ("0-3", "closedate", PHONES,
     "column 'Value' is mapped to closedate (a datetime), but 5 of its 5 values are phone numbers: " + ASK +
     " (each cell is reported as HS201 says)"),
    ("0-3", "closedate", ["1500", "230.50", "1,200", "99", "12.5"],
     "column 'Value' is mapped to closedate (a datetime), but 5 of its 5 values are numbers: " + ASK +
     " (each cell is reported as HS201 says)"),
    ("0-1", "email", DATES,
     "column 'Value' is mapped to email (an email address), but 5 of its 5 values are dates: " + ASK +
     " (each cell is reported as HS212 says)"),
    ("0-1", "email", PHONES,
     "column 'Value' is mapped to email (an email address), but 5 of its 5 values are phone numbers: " + ASK +
     " (each cell is reported as HS212 says)"),
    ("0-1", "email", NUMBERS,
     "column 'Value' is mapped to email (an email address), but 5 of its 5 values are numbers: " + ASK +
     " (each cell is reported as HS212 says)"),
    ("0-1", "hs_additional_emails", PHONES,
     "column 'Value' is mapped to hs_additional_emails (a list of email addresses), but 5 of its 5 values are "
     "phone numbers: " + ASK + " (each cell is reported as HS245 says)"),
    ("0-1", "phone", EMAILS,
     "column 'Value' is mapped to phone (a phone number), but 5 of its 5 values are email addresses: " + ASK +
     " (each cell is reported as HS215 says)"),
    ("0-1", "phone", ["15-Mar-2024", "01-Apr-2024", "31-Dec-2023", "05-Jan-2024", "04-Jul-2024"],
     "column 'Value' is mapped to phone (a phone number), but 5 of its 5 values are dates: " + ASK +
     " (each cell is reported as HS215 says)"),
    ("0-1", "lastname", EMAILS,
     "column 'Value' is mapped to lastname (a name), but 5 of its 5 values are email addresses: " + ASK +
     " (lastname takes any text, so no cell is reported)"),
    ("0-1", "company", PHONES,
     "column 'Value' is mapped to company (a name), but 5 of its 5 values are phone numbers: " + ASK +
     " (company takes any text, so no cell is reported)"),
    ("0-3", "dealname", DATES,
     "column 'Value' is mapped to dealname (a name), but 5 of its 5 values are dates: " + ASK +
     " (dealname takes any text, so no cell is reported)"),
])
def test_a_column_of_another_kind_is_named_once_at_its_header(obj: str, prop: str, values: list[str],
                                                              message: str) -> None:
    # each cell was reported by the property's own rule (up to a finding a row), and the cause,
    # the wrong mapping, by none
    assert _check(obj, prop, values) == [(1, 2, "HS255", message)]


@pytest.mark.parametrize(("obj", "prop", "values"), [
    ("0-1", "email", EMAILS),  # each property holding its own kind
    ("0-3", "amount", NUMBERS),
    ("0-3", "closedate", DATES),
    ("0-1", "phone", PHONES),
    ("0-1", "phone", NUMBERS[4:] * 5),  # a phone number in digits alone is one
    ("0-1", "phone", DATES),  # dates in digits HS215 takes as a phone number: no cell fails
    ("0-3", "closedate", ["1700000000", "1700000001", "1700000002", "1700000003", "1700000004"]),  # HS202's
    ("0-3", "dealname", NUMBERS),  # a deal (or a company) may be named by a number
    ("0-1", "jobtitle", EMAILS),  # free text: not judged
    ("0-1", "hs_lead_status", ["NEW", "OPEN", "new", "In progress", "UNQUALIFIED"]),
])
def test_a_column_of_its_own_kind_or_free_text_is_not_reported(obj: str, prop: str, values: list[str]) -> None:
    assert _check(obj, prop, values) == []


def test_five_values_are_needed_and_ninety_percent_of_one_kind() -> None:
    assert _check("0-1", "email", DATES[:4]) == []  # four values say nothing
    assert _check("0-1", "email", [*DATES[:4], "", " ", "", "12/01/2024"]) == [
        (1, 2, "HS255", "column 'Value' is mapped to email (an email address), but 5 of its 5 values are dates: "
                        + ASK + " (each cell is reported as HS212 says)")]  # blank cells are not values
    nine = DATES + DATES[:4] + ["soon"]  # 9 of 10: 90%
    assert _check("0-1", "email", nine) == [
        (1, 2, "HS255", "column 'Value' is mapped to email (an email address), but 9 of its 10 values are dates: "
                        + ASK + " (each cell is reported as HS212 says)")]
    assert _check("0-1", "email", DATES + DATES[:3] + ["soon", "later"]) == []  # 8 of 10
    assert _check("0-1", "email", DATES + EMAILS[:1]) == []  # 5 of 6: 83%


def test_the_sample_is_the_first_thousand_values() -> None:
    dates = [f"{m:02d}/{d:02d}/2024" for m in range(1, 13) for d in range(1, 29)] * 4  # 1,344
    request = _request("x.csv", "0-3", "amount")
    message = ("column 'Value' is mapped to amount (a number), but 1,000 of its first 1,000 values are dates: "
               + ASK + " (each cell is reported as HS205 says)")
    for _reader, _rows, report in _reports(request, _csv(dates, "0-3"), chunks=(50_000, 333)):
        assert _found(report) == [(1, 2, "HS255", message)]
    # dates past the first 1,000 values are not looked at
    late = ["1500"] * 1_000 + dates
    for _reader, _rows, report in _reports(request, _csv(late, "0-3"), chunks=(50_000, 333)):
        assert _found(report) == []


def _portal(folder: Path, prop: dict[str, Any]) -> Path:
    portal = folder / "portal"
    (portal / "properties").mkdir(parents=True)
    props = [{"name": "firstname", "label": "First Name", "type": "string", "fieldType": "text"}, prop]
    (portal / "properties" / "contacts.json").write_text(json.dumps({"results": props}), encoding="utf-8")
    return portal


def _with_portal(tmp_path: Path, prop: dict[str, Any], values: list[str]) -> list[tuple[Any, ...]]:
    portal = str(_portal(tmp_path, prop))
    seen = None
    for _reader, _rows, report in _reports(_request("x.csv", "0-1", prop["name"]), _csv(values), portal=portal):
        assert seen is None or _found(report) == seen
        seen = _found(report)
    assert seen is not None
    return seen


def test_a_dropdown_whose_options_are_numbers_holding_numbers_is_not_reported(tmp_path: Path) -> None:
    rating = {"name": "rating", "label": "Rating", "type": "enumeration", "fieldType": "select",
              "options": [{"label": str(i), "value": str(i)} for i in range(1, 6)]}
    assert _with_portal(tmp_path, rating, ["1", "2", "5", "3", "4", "4"]) == []
    # numbers that are no option are HS208's, one by one: the column holds what the property takes
    assert _with_portal(tmp_path / "b", rating, ["1", "7", "5", "9", "40", "4"]) == []
    # but dates are not its kind
    assert _with_portal(tmp_path / "c", rating, DATES) == [
        (1, 2, "HS255", "column 'Value' is mapped to rating (a dropdown), but 5 of its 5 values are dates: " + ASK +
                        " (each cell is reported as HS208 says)")]


def test_a_dropdown_whose_options_are_dates_holding_them_is_not_reported(tmp_path: Path) -> None:
    cohort = {"name": "cohort", "label": "Cohort", "type": "enumeration", "fieldType": "radio",
              "options": [{"label": d, "value": d} for d in DATES]}
    assert _with_portal(tmp_path, cohort, DATES) == []


def test_a_single_checkbox_of_ones_and_zeros_is_hs207s_alone(tmp_path: Path) -> None:
    vip = {"name": "vip", "label": "VIP", "type": "bool", "fieldType": "booleancheckbox",
           "options": [{"label": "Yes", "value": "true"}, {"label": "No", "value": "false"}]}
    assert _with_portal(tmp_path, vip, ["1", "0", "1", "1", "0"]) == []
    assert _with_portal(tmp_path / "b", vip, EMAILS) == [
        (1, 2, "HS255", "column 'Value' is mapped to vip (a single checkbox), but 5 of its 5 values are email "
                        "addresses: " + ASK + " (each cell is reported as HS207 says)")]
    assert _with_portal(tmp_path / "c", vip, URLS) == [
        (1, 2, "HS255", "column 'Value' is mapped to vip (a single checkbox), but 5 of its 5 values are web "
                        "addresses: " + ASK + " (each cell is reported as HS207 says)")]


def test_a_multiple_checkbox_is_named_as_one(tmp_path: Path) -> None:
    tags = {"name": "tags", "label": "Tags", "type": "enumeration", "fieldType": "checkbox",
            "options": [{"label": "A", "value": "a"}, {"label": "B", "value": "b"}]}
    assert _with_portal(tmp_path, tags, EMAILS) == [
        (1, 2, "HS255", "column 'Value' is mapped to tags (multiple checkboxes), but 5 of its 5 values are email "
                        "addresses: " + ASK + " (each cell is reported as HS208 says)")]


def _sheet(rows: list[list[Any]], prop: str, obj: str = "0-3") -> list[tuple[Any, ...]]:
    data = make_workbook({"sheets": [{"name": "Deals", "rows": rows}]})
    report = validate(_request("x.xlsx", obj, prop, fmt="SPREADSHEET"), files={"x.xlsx": io.BytesIO(data)},
                      base_dir="/nonexistent")
    return _found(report)


def test_a_workbooks_date_cells_mapped_to_a_number() -> None:
    import datetime as dt

    rows: list[list[Any]] = [["Name", "Value"]] + [[f"Deal {i}", dt.date(2024, 3, i + 1)] for i in range(6)]
    assert _sheet(rows, "amount") == [
        (1, 2, "HS255", "column 'Value' is mapped to amount (a number), but 6 of its 6 values are dates: " + ASK +
                        " (each cell is reported as HS205 says)")]
    # a workbook's number cells in a date column are serial days HubSpot reads as dates
    assert _sheet([["Name", "Value"]] + [[f"Deal {i}", 45000 + i] for i in range(6)], "closedate") == []


def test_without_a_header_row_the_finding_names_the_mappings_column_at_no_row() -> None:
    request = _request("x.csv", "0-1", "hs_lead_status")
    request["files"][0]["fileImportPage"]["hasHeader"] = False
    data = "".join(f"Row {i},{d}\n" for i, d in enumerate(DATES)).encode()
    for _reader, _rows, report in _reports(request, data):
        assert [(f.row, f.column, f.column_name, f.message) for f in report.findings if f.code == "HS255"] == [
            (None, 2, "Value", "column 'Value' is mapped to hs_lead_status (a dropdown), but 5 of its 5 values are "
                               "dates: " + ASK + " (each cell is reported as HS208 says)")]


@pytest.mark.parametrize("select", [None, ("HS255",)])
def test_values_after_many_blank_cells_are_sampled(select: tuple[str, ...] | None) -> None:
    # past the windows read from the top of a chunk (8,000 blank cells): by the column's blank
    # cells; alone (select), no other rule has made the chunk's facts of the column
    values = [""] * 8_000 + DATES + [""] * 3
    request = _request("x.csv", "0-1", "email")
    message = ("column 'Value' is mapped to email (an email address), but 5 of its 5 values are dates: " + ASK +
               " (each cell is reported as HS212 says)")
    extra = {"select": select} if select else {}
    for _reader, _rows, report in _reports(request, _csv(values), chunks=(50_000, 3_001), **extra):
        assert _found(report) == [(1, 2, "HS255", message)]


def _web(prop: str, what: str, rule: str, kind: str = "web addresses") -> str:
    return (f"column 'Value' is mapped to {prop} ({what}), but 5 of its 5 values are {kind}: " + ASK +
            f" (each cell is reported as {rule} says)")


@pytest.mark.parametrize(("obj", "prop", "values", "message"), [
    ("0-1", "email", URLS, _web("email", "an email address", "HS212")),
    ("0-1", "email", DOMAINS, _web("email", "an email address", "HS212")),
    ("0-1", "hs_additional_emails", DOMAINS, _web("hs_additional_emails", "a list of email addresses", "HS245")),
    ("0-1", "phone", URLS, _web("phone", "a phone number", "HS215")),
    ("0-1", "mobilephone", DOMAINS, _web("mobilephone", "a phone number", "HS215")),
    ("0-3", "amount", DOMAINS, _web("amount", "a number", "HS205")),
    ("0-3", "closedate", URLS, _web("closedate", "a datetime", "HS201")),
    ("0-1", "hs_lead_status", DOMAINS, _web("hs_lead_status", "a dropdown", "HS208")),
    ("0-2", "domain", EMAILS, _web("domain", "a domain name", "HS213", "email addresses")),
    ("0-2", "domain", PHONES, _web("domain", "a domain name", "HS213", "phone numbers")),
    ("0-2", "domain", DATES, _web("domain", "a domain name", "HS213", "dates")),
    ("0-2", "domain", NUMBERS, _web("domain", "a domain name", "HS213", "numbers")),
])
def test_web_addresses_and_domains_of_another_kind_are_named(obj: str, prop: str, values: list[str],
                                                             message: str) -> None:
    # a column of URLs or domains in a property that takes none (each cell HS212's, HS215's ...), and
    # email addresses, phone numbers, dates or numbers in a company's domain (each cell HS213's)
    assert _check(obj, prop, values) == [(1, 2, "HS255", message)]


@pytest.mark.parametrize(("obj", "kind", "values"), [
    ("0-2", "email addresses", EMAILS),
    ("0-1", "phone numbers", PHONES),
    ("0-2", "dates", DATES),
    ("0-1", "numbers", NUMBERS),
])
def test_a_website_holding_no_web_address_is_named(obj: str, kind: str, values: list[str]) -> None:
    # HubSpot takes any text in a website (no cell is reported), but a web address is none of these
    assert _check(obj, "website", values) == [
        (1, 2, "HS255", f"column 'Value' is mapped to website (a web address), but 5 of its 5 values are {kind}: "
                        + ASK + " (website takes any text, so no cell is reported)")]


@pytest.mark.parametrize(("obj", "prop", "values"), [
    ("0-2", "domain", DOMAINS),  # a company's domain holding domains
    ("0-2", "domain", URLS),  # ... or URLs: HS214 names what HubSpot cuts
    ("0-2", "website", URLS),  # a website holding URLs, or bare domains
    ("0-1", "website", DOMAINS),
    ("0-1", "hs_linkedin_url", ["https://www.linkedin.com/in/ann", "linkedin.com/in/bo", *URLS[:3]]),
    ("0-2", "linkedin_company_page", EMAILS),  # a text property: not judged
    ("0-2", "name", DOMAINS),  # a company may be named by its domain: `Booking.com`
    ("0-1", "company", URLS),
    ("0-1", "website", ["Acme", "Globex Corp", "n/a", "tbd", "none"]),  # free text in a website
    ("0-3", "closedate", ["15.03.2024", "01.04.2024", "31.12.2023", "05.01.2024", "04.07.2024"]),  # no domain
])
def test_web_addresses_where_they_belong_are_not_reported(obj: str, prop: str, values: list[str]) -> None:
    assert _check(obj, prop, values) == []


def test_a_dropdown_whose_options_are_domains_holding_them_is_not_reported(tmp_path: Path) -> None:
    site = {"name": "site", "label": "Site", "type": "enumeration", "fieldType": "select",
            "options": [{"label": d, "value": d} for d in ("acme.com", "globex.com")]}
    assert _with_portal(tmp_path, site, ["acme.com", "globex.com", "initech.io", "hooli.xyz", "acme.com"]) == []
    assert _with_portal(tmp_path / "b", site, EMAILS) == [
        (1, 2, "HS255", "column 'Value' is mapped to site (a dropdown), but 5 of its 5 values are email addresses: "
                        + ASK + " (each cell is reported as HS208 says)")]


def test_numbers_and_dates_with_dots_are_no_web_addresses() -> None:
    # a domain's last label is letters: `1.5` is a number, `15.03.2024` a date, `acme.co.uk` a domain
    assert _check("0-1", "email", ["1.5", "2.25", "1,200.50", "99", "0.5"]) == [
        (1, 2, "HS255", _web("email", "an email address", "HS212", "numbers"))]
    assert _check("0-1", "email", ["15.03.2024", "01.04.2024", "31.12.2023", "05.01.2024", "04.07.2024"]) == [
        (1, 2, "HS255", _web("email", "an email address", "HS212", "dates"))]
    # an address is an email address first, though it may be read as a URL
    assert _check("0-1", "phone", ["https://ann@acme.com", *EMAILS[1:]]) == [
        (1, 2, "HS255", _web("phone", "a phone number", "HS215", "email addresses"))]
