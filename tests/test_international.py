"""International data HubSpot's users import every day: no error where HubSpot takes the value.

Each case names the exact cells reported (row, column, code, severity), and the nearby value that
is still wrong, so that loosening a grammar for one script or locale keeps its true positives.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from validator import validate


def _check(tmp: Path, obj: str, columns: list[tuple[str, str, list[str]]], fmt: str = "DAY_MONTH_YEAR",
           bom: bool = False) -> list[tuple[int | None, int | None, str, str]]:
    """(row, column, code, severity) of the findings on a one-file import of ``columns``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([h for h, _p, _v in columns])
    writer.writerows(zip(*[values for _h, _p, values in columns], strict=True))
    text = out.getvalue()
    (tmp / "data.csv").write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    request = {"name": "intl", "dateFormat": fmt, "files": [{
        "fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": obj, "columnName": h, "propertyName": p} for h, p, _v in columns]}}]}
    (tmp / "import.json").write_text(json.dumps(request), encoding="utf-8")
    return [(f.row, f.column, f.code, f.severity.label) for f in validate(tmp / "import.json").findings
            if f.code not in ("HS401", "HS352")]


def test_idn_addresses_with_combining_marks_are_valid_emails(tmp_path: Path) -> None:
    """Devanagari, Tamil, Sinhala and Thai domains spell vowels and tone marks with combining
    marks (IDNA2008 permits them), and a decomposed `bu\u0308cher.de` has its accent as one."""
    emails = ["priya@उदाहरण.भारत", "kumar@உதாரணம்.இந்தியா", "nimal@example.ලංකා", "somchai@ตัวอย่าง.ไทย",
              "jose@bu\u0308cher.de", "priya@उदाहरण", "jose@\u0308bucher.de"]
    found = _check(tmp_path, "0-1", [("Email", "email", emails), ("First Name", "firstname", ["A"] * 7)])
    # no top-level domain, and a label that starts with a mark: still not addresses
    assert found == [(7, 1, "HS212", "error"), (8, 1, "HS212", "error")]


def test_idn_company_domains_with_combining_marks_are_domains(tmp_path: Path) -> None:
    domains = ["उदाहरण.भारत", "உதாரணம்.இந்தியா", "ตัวอย่าง.ไทย", "bu\u0308cher.de", "उदाहरण .भारत"]
    found = _check(tmp_path, "0-2", [("Domain", "domain", domains), ("Name", "name", ["A", "B", "C", "D", "E"])])
    assert found == [(6, 1, "HS213", "error")]


def test_a_fully_qualified_company_domain_is_a_domain_with_a_dot_hubspot_cuts(tmp_path: Path) -> None:
    """`acme.co.uk.` (the root's trailing dot) is a valid name; what HubSpot keeps is `acme.co.uk`,
    as the duplicate rules already compare it: HS214's warning, not HS213's error."""
    domains = ["example.co.uk.", "EXAMPLE.COM.AU.", "пример.рф.", "example.com..", "example."]
    found = _check(tmp_path, "0-2", [("Domain", "domain", domains), ("Name", "name", ["A", "B", "C", "D", "E"])])
    assert found == [(2, 1, "HS214", "warning"), (3, 1, "HS214", "warning"), (4, 1, "HS214", "warning"),
                     (5, 1, "HS213", "error"), (6, 1, "HS213", "error")]


def test_numbers_written_the_way_each_locale_writes_them_are_warnings_not_errors(tmp_path: Path) -> None:
    """Thousands separators, decimal commas and currency symbols are undocumented ([GAP], fact
    sheet 6 and 9 #29): HS206's warning for every locale's way, not HS205's error for some."""
    revenue = ["1,234.56", "1.234.567", "1\u00a0234,56", "1’234.50", "1,23,456.78", "R$ 1.234,56",
               "1 234,56 zł", "kr 1 234,56", "1.2.3", "12 34"]
    found = _check(tmp_path, "0-2", [("Revenue", "annualrevenue", revenue), ("Name", "name", ["A"] * 10)])
    assert found == [(r, 1, "HS206", "warning") for r in range(2, 10)] + [
        (10, 1, "HS205", "error"), (11, 1, "HS205", "error")]  # two decimal points; digits split anyhow


def test_a_number_written_for_people_is_named_with_the_number_to_write(tmp_path: Path) -> None:
    """HS206 said what to write for an amount with its currency (`€8.400,50`: 8400.50) but not
    for the same number without it: a German Excel export's `1.234,56` said only that HubSpot
    expects one decimal point. A lone comma before three digits is thousands in one locale and a
    decimal comma in another: both readings are given."""
    revenue = ["1.234,56", "1\u00a0234,56", "1,234.56", "1’234.50", "-0,5", "1,234", "€8.400,50"]
    _check(tmp_path, "0-2", [("Revenue", "annualrevenue", revenue), ("Name", "name", ["A"] * 7)])
    found = [(f.row, f.column, f.code, f.message) for f in validate(tmp_path / "import.json").findings
             if f.code == "HS206"]
    expects = "HubSpot expects digits and one decimal point"
    assert found == [
        (2, 1, "HS206", f"'1.234,56' has a decimal comma; {expects}: write 1234.56"),
        (3, 1, "HS206", f"'1\u00a0234,56' has a decimal comma; {expects}: write 1234.56"),
        (4, 1, "HS206", f"'1,234.56' has thousands separators; {expects}: write 1234.56"),
        (5, 1, "HS206", f"'1’234.50' has thousands separators; {expects}: write 1234.50"),
        (6, 1, "HS206", f"'-0,5' has a decimal comma; {expects}: write -0.5"),
        (7, 1, "HS206", f"'1,234' has thousands separators; {expects}: write 1234 (1.234 if the comma is a "
                        "decimal mark)"),
        (8, 1, "HS206", f"'€8.400,50' has a currency symbol, '€'; {expects}: write 8400.50")]


def test_numbers_in_digits_of_another_script_are_warnings_naming_the_digits(tmp_path: Path) -> None:
    """Full-width digits (a CJK input method's), Arabic-Indic and Devanagari ones: HubSpot documents
    digits, and whether it reads those of other scripts is not documented ([GAP], fact sheet 6):
    HS206's warning with the number in ASCII digits, where HS205's error said only 'is not a number'."""
    revenue = ["１２３", "١٢٣٫٥", "१२३", "１２３．５", "１,２３４", "１２三", "12"]
    found = _check(tmp_path, "0-2", [("Revenue", "annualrevenue", revenue), ("Name", "name", ["A"] * 7)])
    assert found == [(r, 1, "HS206", "warning") for r in range(2, 7)] + [(7, 1, "HS205", "error")]
    messages = [f.message for f in validate(tmp_path / "import.json").findings if f.code in ("HS205", "HS206")]
    assert messages == [
        "'１２３' has fullwidth digits; HubSpot documents the digits 0-9, and whether it reads others is not "
        "documented: write 123",
        "'١٢٣٫٥' has Arabic-Indic digits; HubSpot documents the digits 0-9, and whether it reads others is not "
        "documented: write 123.5",
        "'१२३' has Devanagari digits; HubSpot documents the digits 0-9, and whether it reads others is not "
        "documented: write 123",
        "'１２３．５' has fullwidth digits; HubSpot documents the digits 0-9, and whether it reads others is not "
        "documented: write 123.5",
        # thousands separators too: the number in 0-9, HS206's separators to remove then
        "'１,２３４' has fullwidth digits; HubSpot documents the digits 0-9, and whether it reads others is not "
        "documented: in the digits 0-9 it is 1,234",
        "'１２三' is not a number"]


def test_a_phone_in_digits_of_another_script_is_named_with_the_number_in_0_to_9(tmp_path: Path) -> None:
    """A CJK input method types `＋８１ ３-１２３４-５６７８`: HS215 said only 'is not a phone number'.
    HubSpot documents `+<country code><number>` ([V] S6) and says nothing of digits other than
    0-9 ([GAP]): still HS215's warning, naming the digits and giving the number in 0-9, as HS206
    and HS252 do; a value that is no phone number in 0-9 either keeps the plain message."""
    phones = ["＋８１ ３-１２３４-５６７８", "＋８１\u3000３－１２３４－５６７８", "０３-１２３４-５６７８ ｅｘｔ１２",
              "+٩٧١ ٤ ٣٤٥ ٦٧٨٩", "１２", "電話 ０３-１２３４-５６７８", "+81 3-1234-5678"]
    found = _check(tmp_path, "0-1", [("Email", "email", [f"p{i}@example.com" for i in range(7)]),
                                     ("Phone", "phone", phones)])
    assert [f for f in found if f[2] == "HS215"] == [(r, 2, "HS215", "warning") for r in range(2, 8)]
    messages = [f.message for f in validate(tmp_path / "import.json").findings if f.code == "HS215"]
    tail = "HubSpot documents phone numbers in the digits 0-9, and whether it reads others is not documented"
    assert messages == [
        f"'＋８１ ３-１２３４-５６７８' has fullwidth digits; {tail}: write +81 3-1234-5678",
        f"'＋８１\u3000３－１２３４－５６７８' has fullwidth digits; {tail}: write +81 3-1234-5678",
        f"'０３-１２３４-５６７８ ｅｘｔ１２' has fullwidth digits; {tail}: write 03-1234-5678 ext12",
        f"'+٩٧١ ٤ ٣٤٥ ٦٧٨٩' has Arabic-Indic digits; {tail}: write +971 4 345 6789",
        "'１２' has fullwidth digits; in 0-9 it is 12, which has 2 digits, too few for a phone number with its "
        "country code (the shortest in use have 7)",
        "'電話 ０３-１２３４-５６７８' is not a phone number (+<country><number> ext<n>)"]


def test_a_sign_before_digits_of_another_script_is_a_phone_number_not_a_formula(tmp_path: Path) -> None:
    """HS430 let `+` and `-` before 0-9 pass as a phone or signed number but took `+٩٧١٥٠١٢٣٤٥٦٧`
    (Arabic-Indic), `+۹۸...` (Persian), Devanagari or full-width digits for a formula: two warnings
    on one phone. Any decimal digit counts now, so the phone column has HS215's one finding, which
    gives the number in 0-9, and a text column none; a formula after such digits is still HS430's."""
    values = ["+٩٧١٥٠١٢٣٤٥٦٧", "+۹۸۹۱۲۳۴۵۶۷۸۹", "+९१ ९८७६५ ४३२१०", "+１２０２５５５０１００", "+٩٧١+A1", "+SUM(1)",
              "-2+3", "+1 555 0100"]
    found = _check(tmp_path, "0-1", [("Email", "email", [f"p{i}@example.com" for i in range(len(values))]),
                                     ("Phone", "phone", values), ("Notes", "message", values)])
    assert found == [(2, 2, "HS215", "warning"), (3, 2, "HS215", "warning"), (4, 2, "HS215", "warning"),
                     (5, 2, "HS215", "warning"),
                     *[(r, c, code, "warning") for r in (6, 7, 8) for c, code in ((2, "HS215"), (2, "HS430"),
                                                                                   (3, "HS430"))]]
    messages = [f.message for f in validate(tmp_path / "import.json").findings if f.code == "HS215"]
    assert messages[0] == ("'+٩٧١٥٠١٢٣٤٥٦٧' has Arabic-Indic digits; HubSpot documents phone numbers in the digits "
                           "0-9, and whether it reads others is not documented: write +971501234567")


def test_a_record_id_in_digits_of_another_script_is_named_with_the_id_in_0_to_9(tmp_path: Path) -> None:
    """A Record ID typed in full-width digits (a CJK input method) or Arabic-Indic ones is a positive
    whole number in those digits: HS305 said it was not one. Its error now names the digits and
    gives the id in 0-9, as HS206 and HS215 do for numbers and phones; a zero, or a value that is
    no id in 0-9 either, keeps the plain message."""
    ids = ["１２３４５", "٠١٢٣٤٥٦٧٨٩٠١٢", "٠", "１２a", "12345"]
    found = _check(tmp_path, "0-1", [("Email", "email", [f"p{i}@example.com" for i in range(len(ids))]),
                                     ("Record ID", "hs_object_id", ids)])
    assert [f for f in found if f[2] == "HS305"] == [(r, 2, "HS305", "error") for r in (2, 3, 4, 5)]
    messages = [f.message for f in validate(tmp_path / "import.json").findings if f.code == "HS305"]
    tail = ("a Record ID is a positive whole number in the digits 0-9, and whether HubSpot reads others is not "
            "documented")
    assert messages == [f"'１２３４５' has fullwidth digits; {tail}: write 12345",
                        f"'٠١٢٣٤٥٦٧٨٩٠١٢' has Arabic-Indic digits; {tail}: write 0123456789012",
                        "'٠' is not a valid Record ID (a positive whole number)",
                        "'１２a' is not a valid Record ID (a positive whole number)"]
    from tests.casefiles import case_report  # a workbook's text cell: the same

    (tmp_path / "wb").mkdir()
    report = case_report({"workbook": {"sheets": [{"name": "Contacts", "rows": [
        ["Email", "Record ID"], ["a@x.com", "١٢٣٤٥"], ["b@x.com", 12345]]}]}, "mappings": [
        {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
        {"columnObjectTypeId": "0-1", "columnName": "Record ID", "propertyName": "hs_object_id"}]}, tmp_path / "wb")
    assert [(f.cell, f.message) for f in report.findings if f.code == "HS305"] == [
        ("Contacts!B2", f"'١٢٣٤٥' has Arabic-Indic digits; {tail}: write 12345")]


@pytest.mark.parametrize(("text", "script"), [
    ("۱۲۳", "Extended Arabic-Indic"),  # Persian and Urdu digits: the name was "Extended arabic-Indic"
    ("١٢٣", "Arabic-Indic"), ("१२३", "Devanagari"), ("১২৩", "Bengali"), ("᧑᧒", "New Tai Lue"),
    ("１２３", "fullwidth"), ("𝟏𝟐", "mathematical bold"), ("12", ""),
])
def test_the_script_of_digits_is_named_as_written(text: str, script: str) -> None:
    from validator.formats import digit_script

    assert digit_script(text) == script


def test_a_percentage_with_a_decimal_comma_is_a_warning(tmp_path: Path) -> None:
    forecast = ["12,5 %", "25%", "1,234%", "viel%"]
    columns = [("Deal Name", "dealname", ["A", "B", "C", "D"]),
               ("Forecast", "hs_forecast_probability", forecast)]
    report_rows = _check(tmp_path, "0-3", columns)
    assert [f for f in report_rows if f[2] in ("HS205", "HS206")] == [
        (2, 2, "HS206", "warning"), (4, 2, "HS206", "warning"), (5, 2, "HS205", "error")]
    request = tmp_path / "import.json"
    messages = [f.message for f in validate(request).findings if f.code == "HS206"]
    assert messages == ["'12,5 %' has a decimal comma; HubSpot expects digits and one decimal point: write 12.5%",
                        "'1,234%' has thousands separators; HubSpot expects digits and one decimal point: write 1234% "
                        "(1.234% if the comma is a decimal mark)"]


def test_foreign_postal_codes_are_not_us_zip_codes_that_lost_a_zero(tmp_path: Path) -> None:
    """HS428 reads 4 and 7-8 digits as a ZIP code that lost its zero, which holds in the US only:
    Sydney's 2000, Tel Aviv's 6100000, Zurich's 8001, a Japanese 1000001 are whole codes."""
    rows = [("United States", "2134"), ("Australia", "2000"), ("Israel", "6100000"), ("Switzerland", "8001"),
            ("Denmark", "2100"), ("Belgium", "1000"), ("Austria", "1010"), ("Japan", "1000001"),
            ("Brazil", "20040020"), ("", "2134"), ("usa", "2134"), (" United States of America ", "123456789"),
            ("U.S.", "0213"), ("US", "02134"), ("uS", "2134")]
    columns = [("Email", "email", [f"p{i}@example.com" for i in range(len(rows))]),
               ("Country", "country", [c for c, _z in rows]), ("Zip", "zip", [z for _c, z in rows])]
    found = _check(tmp_path, "0-1", columns)
    # a blank country keeps the check, as do the US's spellings; row 13's spaces are HS409's
    assert found == [(2, 3, "HS428", "warning"), (11, 3, "HS428", "warning"), (12, 3, "HS428", "warning"),
                     (13, 2, "HS409", "warning"), (14, 3, "HS428", "warning"), (16, 3, "HS428", "warning")]
    messages = [f.message for f in validate(tmp_path / "import.json").findings if f.code == "HS428"]
    assert messages[0] == "postal code '2134' looks like it lost a leading zero"


def test_a_company_postal_code_is_judged_by_the_company_country(tmp_path: Path) -> None:
    columns = [("Name", "name", ["A", "B", "C"]), ("Country", "country", ["Australia", "USA", "Österreich"]),
               ("Postal Code", "zip", ["2000", "2000", "1010"])]
    assert _check(tmp_path, "0-2", columns) == [(3, 3, "HS428", "warning")]


def test_surrounding_whitespace_names_a_space_that_prints_like_a_plain_one(tmp_path: Path) -> None:
    """A no-break space or a tab after `Lee` prints as an ordinary space: HS409's message names
    it, as other rules' messages name odd spaces; plain spaces keep the plain message."""
    columns = [("Email", "email", ["a@example.com", "b@example.com", "c@example.com", "d@example.com"]),
               ("Last Name", "lastname", ["Lee\u00a0", "\tLee", "Lee ", "\u3000Lee\u202f"])]
    assert _check(tmp_path, "0-1", columns) == [  # a leading tab is also a formula prefix (HS430)
        (2, 2, "HS409", "warning"), (3, 2, "HS409", "warning"), (3, 2, "HS430", "warning"),
        (4, 2, "HS409", "warning"), (5, 2, "HS409", "warning")]
    messages = [f.message for f in validate(tmp_path / "import.json").findings if f.code == "HS409"]
    assert messages == ["'Lee\u00a0' has spaces around it: a no-break space (U+00A0) at the end",
                        "'\tLee' has spaces around it: a tab at the start",
                        "'Lee ' has spaces around it",
                        "'\u3000Lee\u202f' has spaces around it: a U+3000 space at the start, "
                        "a narrow no-break space (U+202F) at the end"]


def test_quoted_local_parts_and_address_literals_are_valid_addresses_hubspot_may_refuse(tmp_path: Path) -> None:
    """RFC 5321 mail takes `"john.doe"@example.com` and `user@[192.168.1.1]`; HubSpot's grammar is
    not published ([GAP], fact sheet 6): HS246's warning, not HS212's error. A broken quote, an
    address out of range, two dots outside quotes and an empty quote stay errors."""
    emails = ['"john.doe"@example.com', "user@[192.168.1.1]", '"john..doe"@example.com',
              "ann@[IPv6:2001:db8::1]", '"jöhn doe"@exämple.de', '"john"doe"@example.com', "user@[999.1.1.1]",
              "a..b@[192.168.1.1]", '""@example.com', "user@192.168.1.1", "ann.lee@example.com"]
    columns = [("Email", "email", emails), ("First Name", "firstname", ["A"] * len(emails))]
    assert _check(tmp_path, "0-1", columns) == [(r, 1, "HS246", "warning") for r in (2, 3, 4, 5, 6)] + [
        (r, 1, "HS212", "error") for r in (7, 8, 9, 10, 11)]
    messages = [f.message for f in validate(tmp_path / "import.json").findings if f.code == "HS246"]
    assert messages[:2] == [
        "'\"john.doe\"@example.com' has a quoted local part; valid, but HubSpot's email grammar is unpublished",
        "'user@[192.168.1.1]' has an IP address for a domain; valid, but HubSpot's email grammar is unpublished"]


def test_a_rare_address_form_in_additional_emails_is_a_warning_naming_the_address(tmp_path: Path) -> None:
    """An Additional emails list is split as HS245 splits it (not at a `;` inside quotes), so a
    quoted local part there passes HS245; each of its addresses is looked at by HS246 too, the
    cell reported once, naming the first address in a rare form."""
    extras = ['ann@x.com;"bo;lee"@x.com', "cy@[10.0.0.1]; \"d e\"@x.com", '"e;f@x.com', "g@x.com;h@x.com", ""]
    columns = [("Email", "email", ["a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com"]),
               ("Additional emails", "hs_additional_emails", extras)]
    assert _check(tmp_path, "0-1", columns) == [(2, 2, "HS246", "warning"), (3, 2, "HS246", "warning"),
                                                (4, 2, "HS245", "warning")]
    messages = [f.message for f in validate(tmp_path / "import.json").findings if f.code == "HS246"]
    assert messages == [
        "'\"bo;lee\"@x.com' in 'ann@x.com;\"bo;lee\"@x.com' has a quoted local part; valid, but HubSpot's "
        "email grammar is unpublished",
        "'cy@[10.0.0.1]' in 'cy@[10.0.0.1]; \"d e\"@x.com' has an IP address for a domain; valid, but HubSpot's "
        "email grammar is unpublished"]


def test_dates_in_digits_of_another_script_are_warnings_with_the_date_in_0_to_9(tmp_path: Path) -> None:
    """As numbers are (HS206): whether HubSpot reads a date's digits of another script is not
    documented ([GAP], fact sheet 6), so a date that parses once they are read as 0-9 is HS252's
    warning, where HS201's error said only that it is no date; an impossible one stays HS201's."""
    dates = ["１５/０３/２０２４", "١٥/٠٣/٢٠٢٤ 10:00", "१५/०३/२०२४", "３１/０２/２０２４", "15/03/2024",
             "１５/三/２０２４"]
    found = _check(tmp_path, "0-1", [("Email", "email", [f"p{i}@example.com" for i in range(6)]),
                                     ("Close", "closedate", dates)])
    assert found == [(2, 2, "HS252", "warning"), (3, 2, "HS252", "warning"), (4, 2, "HS252", "warning"),
                     (5, 2, "HS201", "error"), (7, 2, "HS201", "error")]
    messages = [f.message for f in validate(tmp_path / "import.json").findings if f.code == "HS252"]
    tail = "but HubSpot documents the digits 0-9, and whether it reads others is not documented"
    assert messages == [
        f"'１５/０３/２０２４' has fullwidth digits; in 0-9 it is the DAY_MONTH_YEAR date 15/03/2024, {tail}",
        f"'١٥/٠٣/٢٠٢٤ 10:00' has Arabic-Indic digits; in 0-9 it is the DAY_MONTH_YEAR date 15/03/2024 10:00, {tail}",
        f"'१५/०३/२०२४' has Devanagari digits; in 0-9 it is the DAY_MONTH_YEAR date 15/03/2024, {tail}"]


@pytest.mark.parametrize(("fmt", "dates", "verdict"), [
    # HS252 calls these DAY_MONTH_YEAR dates; HS204 counted them as dates in no format, so one
    # ASCII date made it say every value is impossible as DAY_MONTH_YEAR and that all of them
    # parse as MONTH_DAY_YEAR
    ("DAY_MONTH_YEAR", ["１５/０３/２０２４", "２０/０４/２０２４", "١٥/٠٣/٢٠٢٤", "03/15/2024"],
     "the column mixes date formats: of 4 values 1 parses as MONTH_DAY_YEAR, 3 parse as DAY_MONTH_YEAR"),
    # and said nothing where every date is in other digits, in another order than the declared one
    ("MONTH_DAY_YEAR", ["１５/０３/２０２４", "２０/０４/２０２４", "१५/०३/२०२४"],
     "3 of 3 values are impossible as MONTH_DAY_YEAR; every value parses as DAY_MONTH_YEAR; the request says "
     "MONTH_DAY_YEAR"),
])
def test_the_date_format_verdict_reads_dates_in_digits_of_another_script(tmp_path: Path, fmt: str,
                                                                          dates: list[str], verdict: str) -> None:
    _check(tmp_path, "0-1", [("Email", "email", [f"p{i}@example.com" for i in range(len(dates))]),
                             ("Close", "closedate", dates)], fmt=fmt)
    got = [(f.row, f.column, f.message) for f in validate(tmp_path / "import.json").findings if f.code == "HS204"]
    assert got == [(1, 2, verdict)]


def test_an_email_column_is_judged_once_a_chunk_for_hs212_and_hs246(tmp_path: Path, monkeypatch) -> None:
    """HS246 warns of a local part that is not ASCII only in an address HS212 takes: it reads
    HS212's verdict of the chunk's cells, where it judged those cells a second time."""
    import validator.formats as formats_package
    from validator.formats import text

    calls = []
    judge = text.emails

    def counted(values):
        calls.append(len(values))
        return judge(values)
    monkeypatch.setattr(formats_package, "emails", counted)
    monkeypatch.setattr(text, "emails", counted)
    emails = ["josé@example.com", "ann@example.com", "zoë@x.com", "jö hn@example.de", "bo@example.com"]
    columns = [("Email", "email", emails), ("First Name", "firstname", ["A"] * len(emails))]
    assert _check(tmp_path, "0-1", columns) == [(2, 1, "HS246", "warning"), (4, 1, "HS246", "warning"),
                                                (5, 1, "HS212", "error")]
    assert calls == [5]  # the column's five cells, once


def test_a_local_part_that_is_not_ascii_is_a_rare_form_an_idn_domain_is_not(tmp_path: Path) -> None:
    """`josé@例え.jp` is RFC 6531 mail, which needs SMTPUTF8 on every server on the way, where RFC
    2822's grammar is ASCII and HubSpot's is unpublished ([GAP], fact sheet 6): HS246's warning,
    where it passed unremarked. `taro@例え.jp` has an ASCII form (`xn--`) and stays clean, as do
    the list of additional emails' plain addresses; a quoted one keeps its own message."""
    emails = ["josé@例え.jp", "taro@例え.jp", "用户@例子.广告", "müller@bücher.de", '"jö"@example.de',
              "ann@example.com", "jö hn@example.de"]
    extras = ["", "", "cy@example.com;zoë@example.com", "", "", "bo@例え.jp", ""]
    columns = [("Email", "email", emails), ("Additional emails", "hs_additional_emails", extras)]
    assert _check(tmp_path, "0-1", columns) == [
        (2, 1, "HS246", "warning"), (4, 1, "HS246", "warning"), (4, 2, "HS246", "warning"), (5, 1, "HS246", "warning"),
        (6, 1, "HS246", "warning"), (8, 1, "HS212", "error")]
    messages = [f.message for f in validate(tmp_path / "import.json").findings if f.code == "HS246"]
    assert messages[:3] == [
        "'josé@例え.jp' has a local part that is not ASCII (RFC 6531); valid, but HubSpot's email grammar is "
        "unpublished",
        "'用户@例子.广告' has a local part that is not ASCII (RFC 6531); valid, but HubSpot's email grammar is "
        "unpublished",
        "'zoë@example.com' in 'cy@example.com;zoë@example.com' has a local part that is not ASCII (RFC 6531); "
        "valid, but HubSpot's email grammar is unpublished"]
    assert messages[4] == ("'\"jö\"@example.de' has a quoted local part; valid, but HubSpot's email grammar is "
                           "unpublished")


def test_excels_text_formula_is_named_with_the_value_hubspot_would_store(tmp_path: Path) -> None:
    """`="02134"` is how Excel (and exports meant for it) keep a ZIP code's zero or a phone's `+`:
    a formula whose result is the text. HubSpot runs no formula and stores `="02134"` as written,
    but HS430 said only that a spreadsheet would run it once exported; it now names the form and
    the value to write. Any other formula keeps HS430's message."""
    columns = [("Zip", "zip", ['="02134"', "02134", "=1+1", '="a"&"b"']),
               ("Phone", "phone", ['="+14155550101"', "+14155550101", "", ""])]
    _check(tmp_path, "0-1", columns)
    found = [(f.row, f.column, f.code, f.message) for f in validate(tmp_path / "import.json").findings
             if f.code == "HS430"]
    text = ("is Excel's =\"...\" form, a formula that keeps a value as text (a leading zero, a +); HubSpot runs no "
            "formula and stores it as written, = and quotes too")
    assert found == [
        (2, 1, "HS430", f"'=\"02134\"' {text}: write '02134'"),
        (2, 2, "HS430", f"'=\"+14155550101\"' {text}: write '+14155550101'"),
        (4, 1, "HS430", "'=1+1' starts like a formula; a spreadsheet would run it when the data is exported and "
                        "opened"),
        (5, 1, "HS430", "'=\"a\"&\"b\"' starts like a formula; a spreadsheet would run it when the data is exported "
                        "and opened")]
