"""``--redact``: values in hints are masked like values in messages; quoted syntax is not a value."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.casefiles import all_case_ids, case_report, load_cases
from tests.workbooks import make_workbook
from validator import validate
from validator.catalog import builtin
from validator.checks import all_rules
from validator.findings import Finding, Report, Severity
from validator.report import redact_report, render


def _import(folder: Path, name: str, header: list[str], rows: str, mappings: list[tuple[str, str, str]]) -> Path:
    (folder / f"{name}.csv").write_text(",".join(header) + "\n" + rows, encoding="utf-8")
    request = {"name": name, "files": [{"fileName": f"{name}.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": obj, "columnName": column, "propertyName": prop}
            for obj, column, prop in mappings]}}]}
    path = folder / f"{name}.import.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    return path


def _stray_quote(tmp_path: Path) -> Report:
    return validate(_import(tmp_path, "contacts", ["Email", "Name", "Close Date"],
                            'secret.person@example.com,O"Brien-Secret,45366\n',
                            [("0-1", "Email", "email"), ("0-1", "Name", "firstname"),
                             ("0-1", "Close Date", "closedate")]))


def test_redact_masks_a_value_in_a_hint_in_json_junit_and_github(tmp_path: Path) -> None:
    report = _stray_quote(tmp_path)
    hint = "quote the whole value and double the quote inside it: \"REDACTED\", or drop the quote"
    (stray,) = [f for f in json.loads(render(report, "json", redact=True))["findings"] if f["code"] == "HS117"]
    assert (stray["row"], stray["column"], stray["column_name"]) == (2, 2, "Name")
    assert stray["message"] == ("quote inside an unquoted field: 'REDACTED' is read with the quote as text here, "
                                "but other parsers may read it as the start of a quoted field")
    assert stray["hint"] == hint
    junit = ET.fromstring(render(report, "junit", redact=True))
    failure = junit.find(".//testcase[@name='hubspot-preflight.HS117']/failure")
    assert failure is not None and failure.text == ("HS117 stray-quote (warning) at row 2, col 2\ncolumn: Name\n"
                                                    f"value: REDACTED\nhint: {hint}")
    github = render(report, "github", redact=True)
    (line,) = [x for x in github.splitlines() if "title=HS117" in x]
    assert line.endswith(f"at row 2, column 2 (Name)%0Ahint: {hint}")
    for fmt in ("json", "junit", "github", "sarif", "text", "concise", "csv", "hubspot"):
        out = render(report, fmt, redact=True)
        assert "Brien" not in out and "secret.person" not in out, fmt


def test_redact_keeps_quoted_syntax_and_the_static_hint(tmp_path: Path) -> None:
    # ';', ',' and '"' are what the message is about, not cell values; ("") is the hint's own text
    path = _import(tmp_path, "tickets", ["Subject", "Pipeline", "Status", "Category"],
                   'C,0,1,"PRODUCT_ISSUE,BILLING_ISSUE"\nD,0,1,"say \\"hi\\" now"\n',
                   [("0-5", "Subject", "subject"), ("0-5", "Pipeline", "hs_pipeline"),
                    ("0-5", "Status", "hs_pipeline_stage"), ("0-5", "Category", "hs_ticket_category")])
    found = {(f["code"], f["row"], f["column"]): f for f in json.loads(render(validate(path), "json",
                                                                              redact=True))["findings"]}
    checkbox = found["HS208", 2, 4]
    assert checkbox["message"] == (
        "'REDACTED' is not an option of hs_ticket_category (PRODUCT_ISSUE, BILLING_ISSUE, FEATURE_REQUEST, "
        "GENERAL_INQUIRY); HubSpot imports the record and leaves hs_ticket_category empty; "
        "separate checkbox values with ';': 'REDACTED'")
    quote = found["HS112", 3, 4]
    assert quote["message"] == ("row cannot be parsed: ',' expected after '\"'; the quote in 'REDACTED' looks "
                                "backslash-escaped (\\\"), which CSV does not use")
    assert quote["hint"] == 'write a quote inside a quoted value as two quotes (""), as RFC 4180 does, not as \\"'


def test_redact_masks_a_hint_value_cut_short_and_keeps_header_names() -> None:
    cut = Finding("HS117", "stray-quote", "quote inside an unquoted field: 'x' is read", Severity.WARNING,
                  file="a.csv", row=3, column=2, column_name="Name", value="x",
                  hint='quote the whole value and double the quote inside it: "Ann""Lee-long…, or drop the quote')
    header = Finding("HS208", "invalid-enumeration-option", "column 'Name' holds 'Ann'", Severity.ERROR,
                     file="a.csv", row=2, column=2, value="Ann", hint="see column 'Name' and ':'")
    out = redact_report(Report(findings=[cut, header], headers={"a.csv": ("Email", "Name")})).findings
    assert out[0].hint == 'quote the whole value and double the quote inside it: "REDACTED", or drop the quote'
    assert out[1].message == "column 'Name' holds 'REDACTED'"
    assert out[1].hint == "see column 'Name' and ':'"


def test_redact_masks_the_byte_hs403_reads_in_every_format(tmp_path: Path) -> None:
    # HS403 quoted its first undecodable byte as it reads ('é', '€') with no row, so neither its
    # message nor any format masked it ('„' is no letter: it was taken for syntax); the offset and line stay
    for raw, char, at in ((b"Ren\xa7e", "§", 24), (b"\x84 99", "„", 21)):  # (not in any rule help)
        (tmp_path / "contacts.csv").write_bytes(b"Email,Name\nann@x.com," + raw + b"\n")
        request = {"name": "n", "files": [{"fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {
            "hasHeader": True, "columnMappings": [
                {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
                {"columnObjectTypeId": "0-1", "columnName": "Name", "propertyName": "firstname"}]}}]}
        path = tmp_path / "contacts.import.json"
        path.write_text(json.dumps(request), encoding="utf-8")
        report = validate(path)
        (plain,) = [f for f in json.loads(render(report, "json"))["findings"] if f["code"] == "HS403"]
        assert (plain["line"], plain["offset"], plain["value"]) == (2, at, char)
        assert plain["message"].endswith(f"at offset {at}, line 2, reads as '{char}' there)")
        (masked,) = [f for f in json.loads(render(report, "json", redact=True))["findings"] if f["code"] == "HS403"]
        assert (masked["line"], masked["offset"], masked["row"], masked["column"]) == (2, at, None, None)
        assert masked["value"] == "REDACTED"
        assert masked["message"].endswith(f"at offset {at}, line 2, reads as 'REDACTED' there)")
        for fmt in ("json", "junit", "github", "sarif", "text", "concise", "csv", "hubspot"):
            assert char not in render(report, fmt, redact=True), (fmt, char)


def test_redact_masks_a_value_in_other_digits_where_the_message_gives_it_in_0_9(tmp_path: Path) -> None:
    # HS206 and HS252 give the cell in the digits 0-9 ("write 12345", "the MONTH_DAY_YEAR date
    # 03/15/2024"): the value itself, which --redact left for every log to read
    path = _import(tmp_path, "companies", ["Name", "Revenue", "Start"],
                   "Acme,１２３４５,０３/１５/２０２４\nGlobex,\"١٬٢٣٤٫٥\",1/1/2024\nInitech,٠,\n",
                   [("0-2", "Name", "name"), ("0-2", "Revenue", "annualrevenue"),
                    ("0-2", "Start", "closedate")])
    report = redact_report(validate(path))
    got = [(f.row, f.code, f.message) for f in report.findings if f.code in ("HS206", "HS252")]
    tail = "HubSpot documents the digits 0-9, and whether it reads others is not documented"
    assert got == [
        (2, "HS206", f"'REDACTED' has fullwidth digits; {tail}: write REDACTED"),
        (2, "HS252", f"'REDACTED' has fullwidth digits; in 0-9 it is the MONTH_DAY_YEAR date REDACTED, but {tail}"),
        (3, "HS206", f"'REDACTED' has Arabic-Indic digits; {tail}: in the digits 0-9 it is REDACTED"),
        (4, "HS206", f"'REDACTED' has Arabic-Indic digits; {tail}: write REDACTED"),
    ]
    for fmt in ("json", "text", "sarif", "junit", "github", "gitlab", "hubspot"):
        out = render(validate(path), fmt, redact=True)
        assert "12345" not in out and "03/15/2024" not in out and "1,234.5" not in out, fmt


def _request(name: str, obj: str, columns: list[tuple[str, str]]) -> dict[str, Any]:
    return {"name": name, "files": [{"fileName": name, "fileFormat": "SPREADSHEET" if name.endswith(".xlsx")
                                     else "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
        {"columnName": c, "columnObjectTypeId": obj, "propertyName": p} for c, p in columns]}}]}


def _masked(request: dict[str, Any], data: bytes, codes: tuple[str, ...]) -> list[tuple[Any, ...]]:
    report = validate(request, files={request["files"][0]["fileName"]: data})
    assert not report.refusals
    return [(f.row, f.column, f.code, f.message) for f in redact_report(report).findings if f.code in codes]


def test_redact_masks_numbers_and_dates_a_message_works_out_from_the_cell() -> None:
    # HS202 wrote "for 2023-11-14 22:13:20 UTC write 1700000000000" under --redact: the cell in
    # milliseconds and the date it stands for, unquoted, so only the quoted value was masked
    dates = _masked(_request("contacts.csv", "0-1", [("Email", "email"), ("Close", "closedate")]),
                    b"Email,Close\na@x.com,1700000000\nb@x.com,0000000001\nc@x.com,1700000000000000\n"
                    b"d@x.com,999999999999999\ne@x.com,03/15/0024\n", ("HS201", "HS202", "HS203"))
    read = "HubSpot reads a bare number in a date column as epoch milliseconds, so it becomes"
    assert dates == [
        (2, 2, "HS202", "'REDACTED' looks like epoch seconds (REDACTED UTC); HubSpot reads epoch milliseconds, so it "
                        "becomes REDACTED UTC; for REDACTED UTC write REDACTED"),
        (3, 2, "HS202", f"'REDACTED' is REDACTED written with leading zeros: {read} REDACTED UTC, and in seconds it "
                        "would be REDACTED UTC: within a day of the epoch's start either way, no plausible date; "
                        "write the date out, or leave the cell empty where there is none"),
        (4, 2, "HS201", "'REDACTED' is not a MONTH_DAY_YEAR datetime: it looks like epoch microseconds (REDACTED UTC), "
                        "where HubSpot reads milliseconds: write REDACTED"),
        (5, 2, "HS203", "'REDACTED' is epoch milliseconds in the year REDACTED, outside the years 1900-2100"),
        (6, 2, "HS203", "'REDACTED' is outside the years 1900-2100"),  # the option's years stay
    ]
    # the date a cell in another order reads as, the form to write and its offset (`+00:00` for
    # ISO's `Z`, `+01:00` for `GMT+1`: the offset came out as `+01:REDACTED`, the sign kept it whole)
    request = {**_request("contacts.csv", "0-1", [("Email", "email"), ("Close", "closedate")]),
               "dateFormat": "DAY_MONTH_YEAR"}
    reads = _masked(request,
                    b"Email,Close\na@x.com,2024-03-15T10:30:00Z\nb@x.com,20240315\nc@x.com,03/15/2024 2:30 PM GMT+1\n",
                    ("HS201",))
    assert reads == [
        (2, 2, "HS201", "'REDACTED' is not a DAY_MONTH_YEAR datetime: it reads as a date in YEAR_MONTH_DAY order "
                        "only (REDACTED); write REDACTED REDACTED"),
        (3, 2, "HS201", "'REDACTED' is not a DAY_MONTH_YEAR datetime: eight digits read as a year, a month and a day "
                        "(REDACTED); HubSpot documents /, - or . between the day, the month and the year; write "
                        "REDACTED"),
        (4, 2, "HS201", "'REDACTED' is not a DAY_MONTH_YEAR datetime"),
    ]
    assert _masked(_request("items.csv", "0-8", [("Name", "name"), ("Start", "hs_recurring_billing_start_date")]),
                   b"Name,Start\nA,1700000000000\n", ("HS219",)) == [
        (2, 2, "HS219", "'REDACTED' is epoch milliseconds at REDACTED UTC, not a midnight UTC, but "
                        "hs_recurring_billing_start_date is a date property (a day alone); HubSpot's object API "
                        "rejects such a date and its import does not document one; for the day REDACTED write "
                        "REDACTED"),
    ]
    duration = "is not a number: hs_call_duration is a duration in milliseconds"
    assert _masked(_request("calls.csv", "0-48", [("Date", "hs_timestamp"), ("Duration", "hs_call_duration")]),
                   "".join(f"03/15/2024 10:00,{v}\n" for v in ("00:02:30", "1h 30m", "150", "-150000", "1e999"))
                   .join(["Date,Duration\n", ""]).encode(), ("HS205", "HS250", "HS251")) == [
        (2, 2, "HS205", f"'REDACTED' {duration} (REDACTED as hh:mm:ss is REDACTED)"),
        (3, 2, "HS205", f"'REDACTED' {duration} (REDACTED REDACTED is REDACTED)"),
        (4, 2, "HS250", "'REDACTED' reads as REDACTED ms (REDACTED seconds): HubSpot reads a duration in "
                        "milliseconds; if it is REDACTED seconds, write REDACTED"),
        (5, 2, "HS251", "'REDACTED' is a negative duration: hs_call_duration is a length of time in milliseconds, "
                        "and what HubSpot does with one below zero is not documented; write the length as a "
                        "positive number of milliseconds, or leave the cell empty where it is not known"),
        (6, 2, "HS205", "'REDACTED' is too large a number to store (past 1.8e308)"),  # a double's limit stays
    ]
    # HubSpot's own examples stay; what the cell is read as and what to write are masked
    assert _masked(_request("deals.csv", "0-3", [("Name", "dealname"), ("Probability", "hs_forecast_probability")]),
                   b"Name,Probability\nA,25\nB,100\n", ("HS253",)) == [
        (2, 2, "HS253", "'REDACTED' is read as REDACTED (HubSpot reads .25 as 25%); for REDACTED write REDACTED or "
                        "REDACTED"),
        (3, 2, "HS253", "'REDACTED' is read as REDACTED, where REDACTED is almost surely meant (HubSpot reads 1 as "
                        "100%); write REDACTED or REDACTED"),
    ]


def test_redact_keeps_the_field_label_and_name_a_rule_requires_on_a_data_row() -> None:
    # HS243 names the import tool's field and its usual internal name, the schema's text whatever
    # the row holds: --redact masked them ('REDACTED' (usual internal name 'REDACTED')) as values
    request = {**_request("tasks.csv", "0-27", [("Title", "hs_task_subject"), ("Due", "hs_timestamp")]),
               "importOperations": {"0-27": "CREATE"}}
    assert _masked(request, b"Title,Due\nCall Ann,2024-03-15\n,2024-03-16\n", ("HS243",)) == [
        (3, 1, "HS243", "the row creates a record of tasks (0-27) without hs_task_subject: HubSpot's import tool "
                        "requires 'Task title' (usual internal name 'hs_task_subject', not confirmed in HubSpot's "
                        "documentation)"),
    ]


def test_redact_masks_what_a_workbook_cell_is_worked_out_as() -> None:
    deals = make_workbook({"sheets": [{"name": "Deals", "rows": [
        ["Name", "Close", "Probability"], ["A", 1700000000000, 25]]}]})
    assert _masked(_request("deals.xlsx", "0-3", [("Name", "dealname"), ("Close", "closedate"),
                                                  ("Probability", "hs_forecast_probability")]),
                   deals, ("HS253", "HS434")) == [
        (2, 2, "HS434", "'REDACTED' is a UNIX time in milliseconds (REDACTED UTC) in a number cell; HubSpot reads one "
                        "from a Text cell only"),
        (2, 3, "HS253", "'REDACTED' is a number cell, read as REDACTED (HubSpot reads .25 as 25%; Excel keeps a cell "
                        "of 25% as 0.25); for REDACTED write REDACTED or REDACTED"),
    ]
    calls = make_workbook({"sheets": [{"name": "Calls", "rows": [
        ["Date", "Duration"], ["03/15/2024 10:00", dt.time(0, 2, 30)]]}]})
    assert _masked(_request("calls.xlsx", "0-48", [("Date", "hs_timestamp"), ("Duration", "hs_call_duration")]),
                   calls, ("HS205",)) == [
        (2, 2, "HS205", "'REDACTED' is a time cell (Excel keeps a time as a number of days): hs_call_duration is a "
                        "duration in milliseconds, and how HubSpot reads a time cell there is not documented; for "
                        "REDACTED (hh:mm:ss) write REDACTED"),
    ]


# Numbers a message on a data row may keep under --redact: a place (row, line, column, byte
# offset), an object type id, a word or code with digits (HS202, UTF-8, U+00A0, A3, P12M), a
# rule's ``constants``, and these: counts and sizes (how many fields, digits, characters: what
# the finding is about, not what the cell holds) and limits that come from no cell. A number
# worked out from a cell is none of them: its rule sets ``derived_values`` and --redact masks it.
_KEPT = {
    "HS110": r"row has \d+ fields?, (?:fewer|more) than (?:the header's \d+|the \d+ of the header under Excel's "
             r"sep= line|the \d+ of the header on row \d+, under the title \(HS608\)|the \d+ columns? mapped)",
    "HS111": r"the \d+ line\(s\) after it",
    "HS113": r"\d+ blank rows",
    "HS114": r"a field is [\d,]+ characters long \(more than 131,072\)",
    "HS206": r"the digits 0-9",
    "HS208": r"is not an option of \w+ \([^)]*\)",  # the property's options, the schema's (a pipeline id)
    "HS215": r"has \d+ digits?, too few|the shortest in use have 7|in 0-9|the digits 0-9",
    "HS218": r"the value has [\d,]+ characters, more than 65,536",
    "HS220": r"3-letter",
    "HS244": r"more than 100 years",
    "HS247": r"\d+ archived users?",
    "HS248": r"has \d+ octets \(RFC \d+ allows \d+\)",
    "HS252": r"in 0-9|the digits 0-9",
    "HS305": r"64-bit: at most 9223372036854775807",
    "HS306": r"64-bit: at most 9223372036854775807",
    "HS330": r"at most 9223372036854775807",
    "HS341": r"more than \d+ (?:associations|records)",
    "HS419": r"[\d,]+ date cell\(s\)",
    # (a cell's zero-padded number format, 00000: the workbook's style, not what the cell holds)
    "HS426": r"12 digits or more|1\.23457E\+11|such as 0|more than 15 significant digits|keeps 15 of them"
             r"|past the 15th|leading \+ or 0|trunk 0|number format 0[0\\\"-]*",
    "HS427": r"over 15 significant digits",
    "HS428": r"number format 0[0\\\"-]*",
    "HS432": r"\([\d,]+ rows?\)",
    "HS505": r"values are [\d,]+ characters together, over the configured \d+",
    "HS603": r"value is [\d,]+ characters|the configured most is \d+|at most 32,767",
    "HS604": r"the other [\d,]+ import as empty",
}
_PLACE = re.compile(r"\b(?:rows?|lines?|columns?|offset) \d[\d,]*(?:-\d[\d,]*)?|\(\d+-\d+\)"
                    r"|[^\W\d_][\w+.:-]*\d\w*")


@functools.cache
def _schema_texts() -> frozenset[str]:
    """The built-in schema's property names and labels, and the import tool's field labels."""
    catalog = builtin()
    names = {t for props in catalog.property_map.values() for p in props.values() for t in (p.name, p.label)}
    names |= {t for fields in catalog.inferred_map.values() for pair in fields.items() for t in pair}
    return frozenset(t for t in names if t)


def _data_text(folder: Path) -> str:
    """Every data file a case wrote, as text (a workbook's parts), folded: where a cell's text can be."""
    out = []
    for path in folder.iterdir():
        if path.name == "request.json" or not path.is_file():
            continue
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                out += [zf.read(n).decode("utf-8", "replace") for n in zf.namelist()]
        else:
            out.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out).casefold()


@pytest.mark.parametrize("code", sorted({code for code, _ in all_case_ids()}))
def test_redact_leaves_no_number_worked_out_from_a_cell_in_any_rule_case(code: str, tmp_path: Path) -> None:
    # every rule's cases under --redact: a number left in the message or hint of a finding on a
    # data row is a place, a count, a constant, or a leak (a rule printing a number it works out
    # from the cell, unquoted, must set ``derived_values``). And a quoted property name or label
    # that no cell of the case holds is the rule's or the schema's text, which stays (HS243's
    # "requires 'Note body' (usual internal name 'hs_note_body'" was masked on a data row)
    rule = all_rules()[code]
    kept = re.compile("|".join([*rule.constants, *filter(None, [_KEPT.get(code)])]) or "(?!)")
    for i, case in enumerate(load_cases(code)):
        folder = tmp_path / str(i)
        folder.mkdir()
        report = case_report(case, folder)
        first = report.first_rows()
        data = _data_text(folder)
        for plain, f in zip(report.findings, redact_report(report).findings, strict=True):
            if f.code != code or f.row is None or f.row < first.get(f.file or "", 2):
                continue
            for before, text in ((plain.message, f.message), (plain.hint or "", f.hint or "")):
                assert not re.search(r"\d", _PLACE.sub("", kept.sub("", text))), (case.get("name"), text)
                for span in re.findall(r"(?<!\w)'[^']+'(?!\w)", before):
                    if span[1:-1] in _schema_texts() and span[1:-1].casefold() not in data:
                        assert span in text, (case.get("name"), span, text)


def test_redact_takes_an_apostrophe_in_a_word_for_no_quote() -> None:
    # "the import's dateFormat (first: '03/15/2024')" came out as "the import'REDACTED'REDACTED')": the
    # apostrophe was taken for a value's opening quote; and a value with an apostrophe quoted apart
    # from the finding's own lost its quote at it, leaving the rest of the address readable
    date = Finding("HS419", "date-cell", "1 date cell(s) in this column, read as dates in the import's dateFormat "
                   "(first: '03/15/2024'); HubSpot asks for date cells in Number format", Severity.INFO,
                   file="a.csv", row=2, column=2, value="03/15/2024")
    part = Finding("HS248", "email-too-long", "'o'brien@x.com' in 'REDACTED' is HubSpot's", Severity.WARNING,
                   file="a.csv", row=3, column=1, value="a@x.com;o'brien@x.com")
    out = redact_report(Report(findings=[date, part], headers={"a.csv": ("Email", "Close")})).findings
    assert out[0].message == ("1 date cell(s) in this column, read as dates in the import's dateFormat (first: "
                              "'REDACTED'); HubSpot asks for date cells in Number format")
    assert out[1].message == "'REDACTED' in 'REDACTED' is HubSpot's"
