"""``--redact``: values in hints are masked like values in messages; quoted syntax is not a value."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from validator import validate
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
