"""CSV bytes and dialect end to end: the issue's acceptance files, each reported at the right place."""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from validator import Config, validate
from validator.findings import Severity

MAPPINGS = [
    {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
    {"columnObjectTypeId": "0-1", "columnName": "First Name", "propertyName": "firstname"},
    {"columnObjectTypeId": "0-1", "columnName": "City", "propertyName": "city"},
]
TEXT = "Email,First Name,City\r\nann@example.com,Renée,Zürich\r\nbob@example.com,José,Málaga\r\n"


def run(data: bytes, **config) -> list[tuple]:
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": MAPPINGS}}]}
    report = validate(request, files={"data.csv": io.BytesIO(data)}, config=Config(**config),
                      base_dir="/nonexistent")
    assert not report.refusals
    return [(f.code, f.row, f.column, f.line, f.offset) for f in report.findings]


def test_utf16_export_is_reported_and_still_checked() -> None:
    for encoding in ("utf-16", "utf-16-be"):
        data = TEXT.replace(",", "\t").encode(encoding)
        found = run(data)
        assert ("HS404", None, None, 1, 0) in found
        assert ("HS408", 1, None, 1, None) in found  # tab-separated, like Excel's Unicode Text
        assert [f for f in found if f[0] in ("HS110", "HS402")] == []  # cells decoded correctly


def test_windows_1252_file_reports_each_bad_cell_and_the_first_offset() -> None:
    data = TEXT.encode("cp1252")
    found = run(data)
    first = data.index("é".encode("cp1252"))
    assert [f for f in found if f[0] == "HS402"] == [
        ("HS402", None, None, 2, first), ("HS402", 2, 2, 2, None), ("HS402", 2, 3, 2, None),
        ("HS402", 3, 2, 3, None), ("HS402", 3, 3, 3, None)]
    assert ("HS403", None, None, 2, first) in found


def test_semicolon_file_is_one_finding_not_noise_per_row() -> None:
    found = run(TEXT.replace(",", ";").encode())
    assert [f for f in found if f[0] in ("HS408", "HS110", "HS101")] == [("HS408", 1, None, 1, None)]


def test_a_delimiter_other_than_a_comma_is_a_warning() -> None:
    # fact sheet 6: the CSV delimiter is not documented ([GAP]), so a semicolon-, tab- or
    # pipe-separated file is a warning (HS408), not an error: alone it fails no check
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": MAPPINGS}}]}
    for sep, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
        report = validate(request, files={"data.csv": io.BytesIO(TEXT.replace(",", sep).encode())},
                          base_dir="/nonexistent")
        assert [(f.row, f.column, f.line, f.code, f.severity, f.value, f.message) for f in report.findings] == [
            (1, None, 1, "HS408", Severity.WARNING, sep,
             f"the file is {name}-separated (2 {name}s in the header line, 0 commas); HubSpot expects commas")]
        assert report.exit_code() == 0 and report.exit_code("warning") == 1


def test_nul_byte_is_reported_at_its_cell() -> None:
    data = TEXT.replace("José", "Jo\x00sé").encode()
    assert [f for f in run(data) if f[0] == "HS405"] == [("HS405", 3, 2, 3, None)]


@pytest.mark.parametrize("chunk_rows", [1, 2, 50_000])
def test_line_ending_findings_do_not_depend_on_chunk_size(chunk_rows: int) -> None:
    data = b"Email,First Name,City\r\na@x.com,\"A\nB\",X\r\nb@x.com,Bob,Y\nc@x.com,Cy,Z\r\n"
    found = run(data, chunk_rows=chunk_rows)
    assert [f[0] for f in found if f[0] in ("HS406", "HS407")] == ["HS406"]


@pytest.mark.slow
def test_over_the_row_limit_and_every_other_problem_still_found(tmp_path: Path) -> None:
    rows = 1_048_577
    path = tmp_path / "big.csv"
    with open(path, "wb") as fh:
        fh.write(b"Email,First Name,City\n")
        block = b"".join(b"user%d@example.com,Name,Berlin\n" % i for i in range(100_000))
        written = 0
        while written < rows:
            n = min(100_000, rows - written)
            fh.write(block if n == 100_000 else b"".join(block.splitlines(True)[:n]))
            written += n
        # problems planted near the end: a ragged row, a formula and a Latin-1 byte
        fh.write(b"late@example.com,Ann\n=HYPERLINK(\"x\"),Bob,Berlin\nz@example.com,Ren\xe9e,Berlin\n")
    request = tmp_path / "big.import.json"
    request.write_text(json.dumps({"name": "big", "files": [{"fileName": "big.csv", "fileFormat": "CSV",
                       "fileImportPage": {"hasHeader": True, "columnMappings": MAPPINGS}}]}))
    report = validate(request)
    last = rows + 1
    found = {(f.code, f.row, f.column) for f in report.findings}
    assert ("HS501", None, None) in found
    assert ("HS110", last + 1, 3) in found
    assert ("HS430", last + 2, 1) in found
    assert ("HS402", last + 3, 2) in found
    limit = next(f for f in report.findings if f.code == "HS501")
    assert "1,048,580 data rows" in limit.message and "split it into 2 files" in (limit.hint or "")


def findings(data: bytes, code: str, **config) -> list:
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": MAPPINGS}}]}
    report = validate(request, files={"data.csv": io.BytesIO(data)}, config=Config(**config),
                      base_dir="/nonexistent")
    return [f for f in report.findings if f.code == code]


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_backslash_escaped_quote_is_named_with_the_rfc_4180_fix(reader: str) -> None:
    data = b'Email,First Name,City\r\na@x.com,"say \\"hi\\" now",Bern\r\nb@x.com,"Acme" Inc,Bern\r\n'
    escaped, other = findings(data, "HS112", reader=reader)
    assert (escaped.row, escaped.column, escaped.line, escaped.value) == (2, 2, 2, '"say \\"h')
    assert "backslash-escaped" in escaped.message and '("")' in (escaped.hint or "")
    assert (other.row, other.column, other.value) == (3, 2, '"Acme" ')
    assert "backslash" not in other.message and other.hint is None


def test_an_escaped_backslash_before_a_quote_is_not_an_escaped_quote() -> None:
    (f,) = findings(b'Email,First Name,City\na@x.com,"C:\\\\"x,Bern\n', "HS112")
    assert f.value == '"C:\\\\"x' and "backslash" not in f.message


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_stray_quote_is_a_warning_at_its_cell_with_the_quoted_fix(reader: str) -> None:
    (f,) = findings(b'Email,First Name,City\r\na@x.com,An"n,Bern\r\n', "HS117", reader=reader)
    assert (f.row, f.column, f.column_name, f.line, f.value) == (2, 2, "First Name", 2, 'An"n')
    assert f.severity is Severity.WARNING and f.hubspot_error is None
    assert f.hint == 'quote the whole value and double the quote inside it: "An""n", or drop the quote'


def test_stray_quotes_beyond_the_kept_ones_are_counted_once() -> None:
    data = b"Email,First Name,City\n" + b"".join(b'u%d@x.com,Ann,5" St\n' % i for i in range(1003))
    found = findings(data, "HS117", max_per_rule=2000)
    assert len(found) == 1001
    assert [(f.row, f.message) for f in found if f.row is None] == [
        (None, "1,003 fields have a quote inside an unquoted value; the first 1,000 are listed")]


def test_zero_width_characters_in_values_are_named_and_escaped() -> None:
    # (hostile D10) a byte order mark left inside an email by joining two exports, a zero-width space
    from validator.report import render

    data = "Email,First Name,City\n\ufeffann@x.com,Ann,Bern\nbo\u200b@x.com,Bo,Chur\n".encode()
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": MAPPINGS}}]}
    report = validate(request, files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent")
    found = [(f.code, f.row, f.column, f.value) for f in report.findings]
    assert found == [("HS431", 2, 1, "\ufeffann@x.com"), ("HS431", 3, 1, "bo\u200b@x.com")]
    text = render(report, "text")
    assert "3:1  warning HS431 'bo\\u200b@x.com' contains control, bidi or zero-width characters (Email)" in text
    assert "\u200b" not in text and "\ufeff" not in text


def test_a_soft_hyphen_in_a_name_is_named_and_escaped() -> None:
    # (hostile D10) a web page's &shy; copied with the name: 'Liv' on screen, another text to HubSpot
    from validator.report import render

    data = "Email,First Name,City\nliv@x.com,Li\u00adv,Bern\nann@x.com,Ann,Chur\n".encode()
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": MAPPINGS}}]}
    report = validate(request, files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent")
    assert [(f.code, f.row, f.column, f.value) for f in report.findings] == [("HS431", 2, 2, "Li\u00adv")]
    for fmt in ("text", "concise"):
        text = render(report, fmt)
        assert "'Li\\u00adv' contains control, bidi or zero-width characters" in text and "\u00ad" not in text


@pytest.mark.parametrize("data", [b"   \r\n  \r\n", b" \t \n\n", b"\xef\xbb\xbf\n \n", b""])
def test_a_file_of_blank_lines_or_spaces_is_one_finding(data: bytes) -> None:
    # (hostile B2: as B1) the blank header made HS101, an HS103 per mapping, HS105, HS113, HS408 too
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": MAPPINGS}}]}
    report = validate(request, files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent")
    assert [(f.code, f.row, f.column) for f in report.findings] == [("HS116", None, None)]
    assert report.counts == {"HS116": 1} and not report.suppressed


def test_blank_header_cells_past_the_cap_are_counted_not_made() -> None:
    # a header of a million empty cells made a million HS105 findings to keep the first 1,000
    # (7.3 s); the findings past the per-rule cap are now counted only, the kept ones unchanged
    data = b"Email,First Name,City" + b"," * 1003 + b"\na@x.com,Ann,Bern" + b"," * 1002 + b"x\n"  # (not HS410's)
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": MAPPINGS}}]}
    for cap, kept in ((1000, 1000), (2000, 1003)):
        report = validate(request, files={"data.csv": io.BytesIO(data)}, config=Config(max_per_rule=cap),
                          base_dir="/nonexistent")
        found = [(f.row, f.line, f.column, f.column_name, f.value, f.message)
                 for f in report.findings if f.code == "HS105"]
        assert len(found) == kept
        assert found[0] == (1, 1, 4, "", "", "header of column 4 is blank")
        assert found[-1] == (1, 1, 3 + kept, "", "", f"header of column {3 + kept} is blank")
        assert report.suppressed.get("HS105", 0) == 1003 - kept


def _wide_import(columns: int) -> tuple[dict, dict]:
    """A contacts file ``columns`` wide with row problems (a ragged row, a bad email, a blank row),
    and a companies file whose Email column names the contacts."""
    names = ["Email"] + [f"Q{i}" for i in range(1, columns)]
    contacts = ",".join(names) + "\n" + "ann@x.com" + ",1" * (columns - 1) + "\n" + "not an email,1\n\n"
    companies = "Name,Email\nAcme,ann@x.com\nInitech,zed@x.com\n"
    request = {"name": "t", "files": [
        {"fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": n, "propertyName": "email" if n == "Email" else n.lower(),
             **({"associationIdentifierColumn": True} if n == "Email" else {})} for n in names]}},
        {"fileName": "companies.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-2", "columnName": "Name", "propertyName": "name"},
            {"columnObjectTypeId": "0-2", "columnName": "Email", "propertyName": None, "toColumnObjectTypeId": "0-1",
             "foreignKeyType": {"associationTypeId": 280, "associationCategory": "HUBSPOT_DEFINED"}}]}}]}
    return request, {"contacts.csv": contacts.encode(), "companies.csv": companies.encode()}


def test_a_file_wider_than_hubspots_column_limit_has_its_header_checked_not_its_rows(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # (hostile inputs C8, I3): HubSpot refuses such a file whole. Checking its rows cost the rules'
    # work per column on every chunk: a 2 KB workbook 16,384 columns wide took 14 s, a CSV of a
    # million empty columns 282 s and 6 GB. The header is checked; the reader is never asked for rows.
    from validator.readers.csv_exact import CsvReader
    from validator.readers.csv_fast import FastCsvReader

    def guarded(chunks: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def checked(self: Any) -> Any:
            assert self.width < 1000, "the rows of a file over the column limit were read"
            return chunks(self)
        return checked

    request, files = _wide_import(1000)
    for reader in (FastCsvReader, CsvReader):
        monkeypatch.setattr(reader, "chunks", guarded(reader.chunks))
    report = validate(request, files={k: io.BytesIO(v) for k, v in files.items()}, base_dir="/nonexistent")
    monkeypatch.undo()
    assert not report.refusals
    wide = [(f.code, f.row, f.column) for f in report.findings if f.file == "contacts.csv"]
    assert ("HS503", 1, 1000) in wide
    assert [c for c, row, _ in wide if row is not None and row > 1] == []  # no row findings
    hs503 = next(f for f in report.findings if f.code == "HS503")
    assert hs503.message == ("the file has 1,000 columns; HubSpot takes at most 999 and refuses the file "
                             "whole, so its rows are not checked")
    # the companies file is checked as usual, without a finding for keys the unread rows may hold
    assert [f.code for f in report.findings if f.file == "companies.csv" and f.code.startswith("HS31")] == []
    assert {s.name: s.rows for s in report.files} == {"contacts.csv": 0, "companies.csv": 2}
    # one column fewer: every row is checked, the ragged row and the blank one included
    request, files = _wide_import(999)
    report = validate(request, files={k: io.BytesIO(v) for k, v in files.items()}, base_dir="/nonexistent")
    found = {(f.code, f.row) for f in report.findings if f.file == "contacts.csv"}
    assert {("HS110", 3), ("HS113", 4)} <= found and not any(c == "HS503" for c, _ in found)
    assert ("HS314", 3) in {(f.code, f.row) for f in report.findings if f.file == "companies.csv"}


def _limit_findings(data: bytes, code: str, **config: Any) -> tuple[list[str], list[str]]:
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": MAPPINGS}}]}
    report = validate(request, files={"data.csv": io.BytesIO(data)}, config=Config(**config), base_dir="/nonexistent")
    return [f.message for f in report.findings if f.code == code], [r.reason for r in report.refusals]


def test_import_budget_names_the_daily_imports_and_an_app_day_the_rows_exceed(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = b"Email,First Name,City\na@x.com,Ann,Bern\nb@x.com,Bo,Chur\nc@x.com,Cy,Genf\n"
    assert _limit_findings(rows, "HS506", options={"HS506": {"min_rows": 1}})[0] == [
        "this import has 3 rows: 0.00% of the 80,000,000 rows a day HubSpot imports through the API (10,000,000 "
        "a day in the app, paid plan); it is one of the 500 imports a day the paid plan allows; at most 3 imports "
        "run at once and only two over 10,000 rows, the next waits as DEFERRED"]
    import validator.checks.limits as limits_module

    table = dict(limits_module.limits())
    monkeypatch.setattr(limits_module, "limits", lambda catalog=None: {**table, "ui_rows_per_day": {"free": 2}})
    assert _limit_findings(rows, "HS506", options={"HS506": {"min_rows": 1, "plan": "free"}})[0] == [
        "this import has 3 rows: 0.00% of the 80,000,000 rows a day HubSpot imports through the API (more than "
        "the 2 rows a day the app imports on the free plan: through the app, split it over two days or more); "
        "it is one of the 50 imports a day the free plan allows; at most 3 imports run at once and only two "
        "over 10,000 rows, the next waits as DEFERRED"]


def test_limits_count_data_rows_say_whose_limit_and_never_loosen_hubspots() -> None:
    rows = b"Email,First Name,City\na@x.com,Ann,Bern\nb@x.com,Bo,Chur\nc@x.com,Cy,Genf\n"
    # blank lines and lines of delimiters are no data rows (they made HS501 say 5 of 3)
    assert _limit_findings(rows + b"\n,,\n\n", "HS501", options={"HS501": {"max_rows": 3}}) == ([], [])
    assert _limit_findings(rows + b"d@x.com,Di,Zug\n\n", "HS501", options={"HS501": {"max_rows": 3}})[0] == [
        "the file has 4 data rows, over the configured limit of 3 per file"]
    # a size just over a limit is shown in bytes (it read "20 MB, over the 20 MB limit")
    assert _limit_findings(rows, "HS502", options={"HS502": {"max_bytes": len(rows) - 1}})[0] == [
        f"the file is {len(rows)} bytes, over the configured {len(rows) - 1} bytes limit (paid plan)"]
    # an option looser than HubSpot's limit does not loosen it: the rows of a file HubSpot refuses
    # whole are not checked, and HS503 says so; with HS503 off, a refusal says so
    request, files = _wide_import(1000)
    for config, message, refused in (
            (Config(options={"HS503": {"max_columns": 2000}}),
             ["the file has 1,000 columns; HubSpot takes at most 999 and refuses the file whole, so its rows "
              "are not checked"], []),
            (Config(ignore=("HS503",)), [],
             ["1,000 columns, over HubSpot's 999: HubSpot refuses the file whole, and its rows are not checked"])):
        report = validate(request, files={k: io.BytesIO(v) for k, v in files.items()}, base_dir="/nonexistent",
                          config=config)
        assert [f.message for f in report.findings if f.code == "HS503"] == message
        assert [r.reason for r in report.refusals if r.file == "contacts.csv"] == refused
        assert report.exit_code() != 0
    # a trailing header cell over the column limit: its values were never read, so HS410 does not
    # say it has none
    wide = (",".join(["Email"] + [f"Q{i}" for i in range(1, 999)]) + ",\n"
            + "a@x.com" + ",1" * 998 + ",VALUE\n").encode()
    request = {"name": "t", "files": [{"fileName": "w.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [{"columnObjectTypeId": "0-1", "columnName": "Email",
                                               "propertyName": "email"}]}}]}
    report = validate(request, files={"w.csv": io.BytesIO(wide)}, base_dir="/nonexistent")
    assert [f.code for f in report.findings if f.code in ("HS410", "HS503")] == ["HS503"]


def test_a_limit_set_lower_than_hubspots_still_checks_the_rows() -> None:
    # HS503's own max_columns (an in-house policy) reports; only HubSpot's limit stops the rows
    request, files = _wide_import(12)
    report = validate(request, files={k: io.BytesIO(v) for k, v in files.items()}, base_dir="/nonexistent",
                      config=Config(options={"HS503": {"max_columns": 10}}))
    hs503 = next(f for f in report.findings if f.code == "HS503")
    assert (hs503.row, hs503.column, hs503.message) == (1, 11, "the file has 12 columns; the configured most is 10")
    assert ("HS110", 3) in {(f.code, f.row) for f in report.findings}


@pytest.mark.parametrize("reader", ["fast", "exact"])
@pytest.mark.parametrize(("header", "want"), [
    # a space after the closing quote: the columns read the lenient way ("Email " and the rest)
    ('"Email" ,First Name,City', [("HS103", 1, 1), ("HS112", 1, 1), ("HS409", 1, 1)]),
    ('"Em"ail,First Name,City', [("HS112", 1, 1)]),  # text after the quote joins the field
    # a quote never closed swallows the file: one finding, no "blank file" and no mapping noise
    ('"Email,First Name,City', [("HS111", 1, 1)]),
    ('Email,First Name,' + "C" * 200_000, [("HS114", 1, 3)]),  # over the csv module's field limit
])
def test_a_broken_header_record_is_reported_at_row_1_without_a_cascade(header: str, want: list, reader: str) -> None:
    # the header's problem used to be dropped: no columns, so every mapping "not in the header" and
    # every row "ragged, more fields than the header's 0" (or "only blank lines" for an open quote)
    data = (header + "\r\n" + "\r\n".join(TEXT.split("\r\n")[1:])).encode()
    found = sorted((f[0], f[1], f[2]) for f in run(data, reader=reader))
    assert found == want


@pytest.mark.parametrize("reader", ["fast", "exact"])
@pytest.mark.parametrize("chunk_rows", [1, 50_000])
def test_mixed_line_endings_name_the_first_line_of_each(reader: str, chunk_rows: int) -> None:
    # (hostile input B6) the first line each kind ends, where no value holds that kind: then it
    # surely ends a record; the LF inside the quoted value keeps LF's line out of the message
    rows = [f"u{i}@x.com,Ann,Oslo" for i in range(6)]
    data = ("Email,First Name,City\r\n" + rows[0] + "\r\n" + rows[1] + "\n" + rows[2] + "\r\n"
            + rows[3] + "\r" + rows[4] + "\r\n").encode()
    hs406 = findings(data, "HS406", reader=reader, chunk_rows=chunk_rows)
    assert [f.message for f in hs406] == [
        "line endings are mixed: 4 CRLF (Windows, first on line 1), 1 LF (Unix, first on line 3), "
        "1 CR (classic Mac, first on line 5)"]
    quoted = data.replace(b"Ann", b'"A\nB"', 1)  # an LF inside a value, on line 2
    hs406 = findings(quoted, "HS406", reader=reader, chunk_rows=chunk_rows)
    assert [f.message for f in hs406] == [
        "line endings are mixed: 4 CRLF (Windows, first on line 1), 1 LF (Unix), 1 CR (classic Mac, first on line 6)"]


@given(st.lists(st.tuples(st.text(alphabet="ab,", max_size=4), st.sampled_from(["\r\n", "\n", "\r"])),
                max_size=30), st.integers(0, 5))
def test_first_endings_are_the_plain_per_line_answer(lines: list[tuple[str, str]], before: int) -> None:
    from validator.readers.base import ReaderNotes
    from validator.readers.text import note_first_endings

    text = "".join(body + end for body, end in lines)
    want: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(keepends=True), start=before + 1):
        kind = "\r\n" if line.endswith("\r\n") else line[-1]
        want.setdefault(kind, number)
    crlf = text.count("\r\n")  # (a "\r" line then a "\n" one make one CRLF)
    counts = {"\r\n": crlf, "\n": text.count("\n") - crlf, "\r": text.count("\r") - crlf}
    for form in (text, text.encode()):
        notes = ReaderNotes()
        note_first_endings(notes, form, before, counts)
        assert notes.first_endings == want


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_a_line_break_inside_a_ragged_records_value_is_not_a_line_ending(reader: str) -> None:
    # a ragged record's values are in its note, not in the chunk's cells: their line breaks were
    # counted as record endings (a CRLF file with a multi-line note in a ragged row: "mixed")
    data = (TEXT + 'c@example.com,"two\nlines",Oslo,extra\r\n').encode()
    assert findings(data, "HS406", reader=reader) == []
    assert [(f.row, f.column) for f in findings(data, "HS110", reader=reader)] == [(4, 4)]
    mixed = data + b"d@example.com,Di,Rome\n"  # a record that does end in LF (a value holds one
    assert [f.message for f in findings(mixed, "HS406", reader=reader)] == [  # too: no line for LF)
        "line endings are mixed: 4 CRLF (Windows, first on line 1), 1 LF (Unix)"]


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_a_quoted_field_over_the_limit_keeps_its_line_breaks_out_of_the_line_endings(reader: str) -> None:
    # hostile B17/B26: its 70,000 LFs inside the quotes were counted as LF line endings (HS406)
    lines = TEXT.split("\r\n")
    long_value = '"' + "A\n" * 70_000 + '"'
    data = "\r\n".join([lines[0], lines[1].rsplit(",", 1)[0] + "," + long_value, *lines[2:]]).encode()
    found = run(data, reader=reader)
    assert [f[:3] for f in found if f[0] in ("HS114", "HS406")] == [("HS114", 2, len(lines[0].split(",")))]


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_an_unquoted_field_over_the_limit_is_named_beside_quoted_ones(reader: str) -> None:
    data = ('Email,First Name,City\r\n"ann@example.com","Ann",' + "C" * 140_000 + "\r\n").encode()
    assert [f[:3] for f in run(data, reader=reader) if f[0] == "HS114"] == [("HS114", 2, 3)]


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_trailing_empty_columns_are_named_once_not_one_blank_header_each(reader: str) -> None:
    # (hostile C3) an Excel export's trailing delimiters made HS101, HS410 and an HS105 per blank
    # header cell; HS410 names the empty trailing columns once (HS101 the mappings they lack),
    # and HS105 is left to blank headers of columns that hold values, are mapped, or where HS410
    # is off for the file
    def found(data: bytes, mappings: list[dict] = MAPPINGS, **config: Any) -> list[tuple]:
        request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                           "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}
        out = []
        for chunk_rows in (50_000, 1):
            report = validate(request, files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                              config=Config(reader=reader, chunk_rows=chunk_rows, **config))
            out.append([(f.code, f.row, f.column) for f in report.findings if f.code in ("HS101", "HS105", "HS410")])
        assert out[0] == out[1]
        return out[0]
    empty = b"Email,First Name,City,,\r\na@x.com,Ann,Bern,,\r\nb@x.com,Bo,Chur,,\r\n"
    assert found(empty) == [("HS101", 1, 4), ("HS410", 1, 4)]
    assert found(empty, ignore=["HS410"]) == [("HS101", 1, 4), ("HS105", 1, 4), ("HS105", 1, 5)]
    valued = b"Email,First Name,City,,\r\na@x.com,Ann,Bern,,\r\nb@x.com,Bo,Chur,,x\r\n"  # a value, row 3
    assert found(valued) == [("HS101", 1, 4), ("HS105", 1, 4), ("HS105", 1, 5)]
    inner = b"Email,,City,,\r\na@x.com,,Bern,,\r\n"  # a blank header inside: HS105 whatever follows
    assert found(inner) == [("HS105", 1, 2), ("HS101", 1, 4), ("HS410", 1, 4)]
    mapped = [*MAPPINGS, {"columnObjectTypeId": "0-1", "columnName": "", "ignored": True},
              {"columnObjectTypeId": "0-1", "columnName": "", "ignored": True}]
    assert found(empty, mapped) == [("HS105", 1, 4), ("HS410", 1, 4), ("HS105", 1, 5)]


def test_a_file_between_two_readings_of_a_limit_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    # HubSpot's 512 MB (20 MB free) may be MB of 10^6 or 2^20 bytes, and its 1,048,576 rows may
    # or may not count the header and blank rows: HS501/HS502 take the lenient reading, and a file
    # between the two readings was silent; HS507 warns (here with the limits made small)
    import validator.checks.limits as limits_module

    table = dict(limits_module.limits())
    monkeypatch.setattr(limits_module, "limits", lambda catalog=None: {
        **table, "file_bytes": {"paid": 1 << 20, "free": 1 << 20}, "rows_per_file": 50_000})
    header = b"Email,First Name,City\n"

    def sized(size: int) -> bytes:
        row = b"a@example.com,Ann," + b"x" * 80 + b"\n"
        body = row * ((size - len(header)) // len(row))
        return header + body + b"b@x.com,Bo," + b"y" * (size - len(header) - len(body) - len(b"b@x.com,Bo,\n")) + b"\n"
    data = sized(1_010_000)
    assert len(data) == 1_010_000
    assert _limit_findings(data, "HS507") == ([
        "the file is 1,010,000 bytes: within HubSpot's 1 MB (paid plan) if a MB is 2^20 bytes, over it "
        "(1,000,000 bytes) if a MB is 10^6 bytes, which HubSpot does not say"], [])
    assert _limit_findings(sized(999_999), "HS507") == ([], [])
    over = sized((1 << 20) + 1)  # over both readings: HS502's alone
    assert _limit_findings(over, "HS507") == ([], []) and len(_limit_findings(over, "HS502")[0]) == 1
    rows = header + b"a@x.com,Ann,Bern\n" * 50_000
    assert _limit_findings(rows, "HS507") == ([
        "the file has 50,000 data rows: within HubSpot's limit of 50,000 per file, over it if the header row "
        "counts, which HubSpot does not say"], [])
    assert _limit_findings(rows + b",,\n\n", "HS507") == ([
        "the file has 50,000 data rows: within HubSpot's limit of 50,000 per file, over it if the header row "
        "and 2 blank rows count, which HubSpot does not say"], [])
    assert _limit_findings(rows[:-17], "HS507") == ([], [])  # 49,999 rows and the header


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_a_title_row_is_quoted_with_the_files_own_delimiter(reader: str) -> None:
    # hostile B24 above a semicolon header: the title was quoted with its cells joined with a
    # comma, text the file does not hold
    data = b"Export;2024-03-01\r\nEmail;First Name;City\r\na@x.com;Ann;Bern\r\n"
    [title] = findings(data, "HS608", reader=reader)
    assert (title.row, title.column, title.line, title.value) == (1, None, 1, "Export;2024-03-01")
    assert title.message == ("row 1 looks like a title ('Export;2024-03-01'): the column names the mappings use "
                             "are on row 2")
    # Excel's "sep=;" line is no title but HS108's, named as the file writes it
    data = b"sep=;\r\nEmail;First Name;City\r\na@x.com;Ann;Bern\r\n"
    assert findings(data, "HS608", reader=reader) == []
    [sep] = findings(data, "HS108", reader=reader)
    assert (sep.row, sep.column, sep.line, sep.value) == (1, None, 1, "sep=;")


@pytest.mark.parametrize("reader", ["fast", "exact"])
@pytest.mark.parametrize("d", [";", "\t", "|"])
def test_a_ragged_row_is_quoted_with_the_files_own_delimiter(reader: str, d: str) -> None:
    # the row `b@x.com;Bo` was shown as 'b@x.com,Bo', its cells joined with a comma: text the file
    # does not hold; a value holding the delimiter is quoted, as the file must write it
    data = (f'Email{d}First Name{d}City\r\na@x.com{d}Ann{d}Bern\r\nb@x.com{d}Bo\r\n'
            f'c@x.com{d}"Ci{d} ""Jr"""\r\nd@x.com{d}Di{d}Bern{d}x\r\n').encode()
    short, quoted, long = findings(data, "HS110", reader=reader)
    assert (short.row, short.column, short.line, short.value) == (3, 3, 3, f"b@x.com{d}Bo")
    assert (quoted.row, quoted.column, quoted.line, quoted.value) == (4, 3, 4, f'c@x.com{d}"Ci{d} ""Jr"""')
    assert (long.row, long.column, long.line, long.value) == (5, 4, 5, f"d@x.com{d}Di{d}Bern")
    # in the report for HubSpot's errors endpoint too (invalidValue), the row's cells as read
    report = validate({"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": MAPPINGS}}]}, files={"data.csv": io.BytesIO(data)},
        config=Config(reader=reader), base_dir="/nonexistent")
    from validator.report.hubspot import hubspot_dict
    [error] = [e for e in hubspot_dict(report)["results"] if e["sourceData"]["lineNumber"] == 3]
    assert (error["invalidValue"], error["knownColumnNumber"], error["sourceData"]["rowData"]) == (
        f"b@x.com{d}Bo", 2, ["b@x.com", "Bo"])


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_a_title_holding_the_delimiter_is_quoted_as_the_file_writes_it(reader: str) -> None:
    # the title's quoted cell `"Export; March"` was shown as 'Export; March;2024', one cell of two
    data = b'"Export; March";2024\r\nEmail;First Name;City\r\na@x.com;Ann;Bern\r\n'
    [title] = findings(data, "HS608", reader=reader)
    assert (title.row, title.column, title.line, title.value) == (1, None, 1, '"Export; March";2024')


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_under_excels_sep_line_the_column_count_names_the_line(reader: str) -> None:
    # HS101 said "the file has 2 columns" of a file of three: the two are the `sep=,` line's
    # (`sep=` and a blank cell), which HubSpot reads as the header
    data = b"sep=,\r\nEmail,First Name,City\r\na@x.com,Ann,Bern\r\n"
    [count] = findings(data, "HS101", reader=reader)
    assert (count.row, count.column, count.line) == (1, None, 1)
    assert count.message == ("row 1 is Excel's delimiter line 'sep=,' (HS108), which HubSpot reads as a header "
                             "of 2 columns, but columnMappings has 3 entries")
    # without the line, or with HS108 turned off (and HS608, which then calls the line a title), as before
    [count] = findings(data, "HS101", reader=reader, ignore=["HS108", "HS608"])
    assert count.message.startswith("the file has 2 columns but columnMappings has 3 entries")


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_under_a_title_the_header_mismatch_is_said_once(reader: str) -> None:
    # LinkedIn's Connections.csv: `Notes:` lines above the header, which HubSpot reads as the
    # header row; HS101, one HS103 per mapping, HS113 and HS110 on every row named the title's doing
    data = (b'Notes:\r\n"When exporting your connection data, some emails are missing"\r\n\r\n'
            b"Email,First Name,City\r\na@x.com,Ann,Bern\r\nb@x.com,Bo\r\nc@x.com,Ci,Genf\r\n")
    [title] = findings(data, "HS608", reader=reader)
    assert (title.row, title.column, title.line, title.value) == (1, None, 1, "Notes:")
    assert title.message == "row 1 looks like a title ('Notes:'): the column names the mappings use are on row 4"
    assert title.hint == "delete lines 1-3, above the column names"
    [count] = findings(data, "HS101", reader=reader)
    assert (count.row, count.column, count.line) == (1, None, 1)
    assert count.message == ("row 1 looks like a title ('Notes:') (HS608), which HubSpot reads as a header of "
                             "1 column, but columnMappings has 3 entries")
    [names] = findings(data, "HS103", reader=reader)
    assert (names.row, names.column, names.line) == (1, None, 1)
    assert names.message == ("no columnName is in the header: row 1 looks like a title ('Notes:') (HS608), and the "
                             "column names the mappings use are on row 4")
    assert findings(data, "HS113", reader=reader) == []
    assert findings(data, "HS212", reader=reader) == []  # the Notes line, read into the Email column: the title's
    [ragged] = findings(data, "HS110", reader=reader)  # judged against the header on row 4
    assert (ragged.row, ragged.column, ragged.line) == (6, 3, 6)
    assert ragged.message == "row has 2 fields, fewer than the 3 of the header on row 4, under the title (HS608)"
    # with HS608 turned off, as before
    assert len(findings(data, "HS103", reader=reader, ignore=["HS608"])) == 3
    assert [(f.row, f.column) for f in findings(data, "HS110", reader=reader, ignore=["HS608"])] == [
        (4, 2), (5, 2), (6, 2), (7, 2)]
    assert [f.row for f in findings(data, "HS113", reader=reader, ignore=["HS608"])] == [3]
    assert [(f.row, f.column) for f in findings(data, "HS212", reader=reader, ignore=["HS608"])] == [(2, 1)]


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_under_a_title_the_others_look_as_far_down_as_hs608s_rows(reader: str) -> None:
    # with `rows = 20` HS608 named the header on row 13, under a title of 12 lines, but HS101,
    # HS103, HS105, HS110, HS113 and the value rules looked down the default 10 rows only, found
    # none, and reported as if there were no title: an HS103 per mapping, an HS110 per note line
    data = (b"Contacts export,,\r\n" + b"".join(b"note %d\r\n" % i for i in range(2, 12)) + b"\r\n"
            b"Email,First Name,City\r\na@x.com,Ann,Bern\r\nb@x.com,Bo\r\n")
    codes = ("HS101", "HS103", "HS105", "HS110", "HS113", "HS212", "HS608")

    def found(**options: Any) -> list[tuple[str, int | None, int | None, int | None]]:
        request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                           "fileImportPage": {"hasHeader": True, "columnMappings": MAPPINGS}}]}
        report = validate(request, files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                          config=Config(reader=reader, options=options))
        return [(f.code, f.row, f.column, f.line) for f in report.findings if f.code in codes]
    assert found(HS608={"rows": 20}) == [("HS103", 1, None, 1), ("HS608", 1, None, 1), ("HS110", 15, 3, 15)]
    [names] = findings(data, "HS103", reader=reader, options={"HS608": {"rows": 20}})
    assert names.message == ("no columnName is in the header: row 1 looks like a title ('Contacts export,,') "
                             "(HS608), and the column names the mappings use are on row 13")
    [ragged] = findings(data, "HS110", reader=reader, options={"HS608": {"rows": 20}})
    assert ragged.message == "row has 2 fields, fewer than the 3 of the header on row 13, under the title (HS608)"
    # with the default 10 rows the header is not found: no title, and each rule reports as before
    assert found() == [("HS103", 1, 1, 1), ("HS103", 1, 2, 1), ("HS105", 1, 2, 1), ("HS103", 1, 3, 1),
                       ("HS105", 1, 3, 1), *(("HS110", row, 2, row) for row in range(2, 12)),
                       ("HS113", 12, None, 12), ("HS212", 13, 1, 13), ("HS110", 15, 3, 15)]


@pytest.mark.parametrize("reader", ["fast", "exact"])
@pytest.mark.parametrize("at", [2, 4, 10])
def test_the_header_under_a_title_is_found_whatever_the_chunk_size(reader: str, at: int) -> None:
    # HS608 looked for the header the mappings name in the file's first chunk only: with 2 rows a
    # chunk, the header on row 4 was missed, and every rule reported as if there were no title (an
    # HS103 per mapping, an HS110 on each row of the title, HS113 on its blank lines, HS212...)
    title = [b"Contacts export,,", b"G\xe9n\xe9r\xe9,2024-03-01,", b",,", b"Notes:,,", b'"Some emails, are missing",,',
             b"", b"x,,", b"y,,", b"z,,"][: at - 1]
    data = b"\r\n".join([*title, b"Email,First Name,City", b"a@x.com,Ann,Bern", b"b@x.com,Bo", b"",
                          b"c@x.com,Ren\xe9e,Genf", b"a@x.com,Ann,Bern", b"d@x.com,Di,Chur,x", b""])

    def report(chunk_rows: int, **options: Any) -> list[tuple]:
        request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                           "fileImportPage": {"hasHeader": True, "columnMappings": MAPPINGS}}]}
        got = validate(request, files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                       config=Config(reader=reader, chunk_rows=chunk_rows, options=options))
        assert got.files[0].reader == reader
        return [(f.code, f.row, f.column, f.line, f.value, f.message) for f in got.findings]
    found = report(50)
    assert [f for f in found if f[0] == "HS608"] == [
        ("HS608", 1, None, 1, "Contacts export,,",
         f"row 1 looks like a title ('Contacts export,,'): the column names the mappings use are on row {at}")]
    assert [f[:4] for f in found if f[0] in ("HS103", "HS110", "HS113", "HS212", "HS304")] == [
        ("HS103", 1, None, 1), ("HS110", at + 2, 3, at + 2), ("HS113", at + 3, None, at + 3),
        ("HS304", at + 5, None, at + 5), ("HS110", at + 6, 4, at + 6)]
    for chunk_rows in (1, 2, 3):
        assert report(chunk_rows) == found, chunk_rows
    # as far down as HS608's rows, whatever the chunk size: a header on row 13 with rows = 20
    deeper = data.replace(b"Email,", b",,\r\n" * (13 - at) + b"Email,", 1)
    data = deeper
    found = report(50, HS608={"rows": 20})
    assert [f[:4] for f in found if f[0] in ("HS608", "HS110")] == [
        ("HS608", 1, None, 1), ("HS110", 15, 3, 15), ("HS110", 19, 4, 19)]
    assert report(2, HS608={"rows": 20}) == report(1, HS608={"rows": 20}) == found


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_the_rows_joined_under_a_title_are_bounded_by_their_characters(reader: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # the first chunks were joined down to HS608's rows + 1 however long the rows: with 2 rows a
    # chunk and rows of 1 MB, up to 1,001 of them (1 GB) held as one chunk. The look for the header
    # stops at the first row whose rows above it (from row 2) hold LOOK_CHARS characters of cells,
    # whatever the chunk size, and the chunks joined hold no more than those and one chunk (here
    # 100 characters: each note row holds 30)
    from validator import engine
    from validator.checks import header_title
    from validator.readers import base

    for module in (engine, header_title):
        monkeypatch.setattr(module, "LOOK_CHARS", 100, raising=False)
    notes = [b"note %02d %s,," % (i, b"n" * 22) for i in range(2, 12)]  # (30 characters of cells each)

    def titled(at: int) -> bytes:
        return b"\r\n".join([b"Contacts export,,", *notes[: at - 2], b"Email,First Name,City", b"a@x.com,Ann,Bern",
                              b"b@x.com,Bo", b""])

    joined: list[int] = []
    real = engine.reaching

    def spy(chunks: Any, *args: Any) -> Any:
        for i, chunk in enumerate(real(chunks, *args)):
            if not i:
                joined.append(base.last_row(chunk))
            yield chunk
    monkeypatch.setattr(engine, "reaching", spy)

    def report(data: bytes, chunk_rows: int) -> list[tuple]:
        request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                           "fileImportPage": {"hasHeader": True, "columnMappings": MAPPINGS}}]}
        got = validate(request, files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                       config=Config(reader=reader, chunk_rows=chunk_rows, options={"HS608": {"rows": 20}}))
        return [(f.code, f.row, f.column, f.line, f.message) for f in got.findings]
    # the header on row 5: 90 characters above it, found; on row 6: 120, not looked at
    found = report(titled(5), 50)
    assert [f[:4] for f in found if f[0] in ("HS103", "HS110", "HS608")] == [
        ("HS103", 1, None, 1), ("HS608", 1, None, 1), ("HS110", 7, 3, 7)]
    missed = report(titled(6), 50)
    assert [f[:4] for f in missed if f[0] in ("HS608", "HS110")] == [("HS110", 8, 3, 8)]  # (no title found)
    for chunk_rows in (1, 2, 3):
        joined.clear()
        assert report(titled(5), chunk_rows) == found, chunk_rows
        assert report(titled(6), chunk_rows) == missed, chunk_rows
        # the rows joined: as far as the one that reaches row 5's 90 characters and one more note
        # (rows 2-5, 120 characters), not down to row 21
        assert joined == [{1: 5, 2: 5, 3: 7}[chunk_rows]] * 2, (chunk_rows, joined)


@pytest.mark.parametrize("reader", ["fast", "exact"])
@pytest.mark.parametrize("first", [b"\r\n", b",,\r\n", b"  \r\n"])
def test_a_blank_line_above_the_header_is_called_blank_not_a_title(reader: str, first: bytes) -> None:
    # hostile B14 at the top of the file: the blank first line was "a title ('')" (or "(',,')")
    data = first + b"Email,First Name,City\r\na@x.com,Ann,Bern\r\n"
    [title] = findings(data, "HS608", reader=reader)
    assert (title.row, title.column, title.line) == (1, None, 1)
    assert title.message == "row 1 is blank: the column names the mappings use are on row 2"


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_a_utf8_file_cut_inside_its_last_character_is_called_cut_short_not_windows_1252(reader: str) -> None:
    # hostile A9: a UTF-8 file whose last character lost its last byte (a download or `head -c`
    # cut it) was "not UTF-8; it looks like Windows-1252", whose fix (iconv) garbles every é in it
    data = "Email,First Name,City\na@x.com,Renée,Zürich\nb@x.com,Bo,Z".encode() + "ü".encode()[:1]
    [legacy] = findings(data, "HS403", reader=reader)
    assert (legacy.row, legacy.column, legacy.line, legacy.offset) == (None, None, 3, 57)
    assert legacy.message == ("the file ends in the middle of a UTF-8 character (byte 0xC3 at offset 57, line 3): it "
                              "looks cut short; if it was not saved as UTF-8, it looks like Windows-1252 or ISO-8859-1 "
                              "(Latin-1) (where the byte reads as 'Ã')")
    assert [(f.row, f.column) for f in findings(data, "HS402", reader=reader)] == [(None, None), (3, 3)]
    # one byte short of a line break, or not the file's only bad byte: an 8-bit file as before
    for other in (data + b"\n", data.replace(b"Ren\xc3\xa9e", b"Ren\xe9e")):
        [legacy] = findings(other, "HS403", reader=reader)
        assert legacy.message.startswith("the file is not UTF-8; it looks like Windows-1252")


def test_a_bad_code_unit_in_a_utf16_file_is_named_as_utf16_with_its_bytes() -> None:
    # an unpaired high surrogate (D8 00) in a UTF-16 BE file, and a UTF-16 LE file cut one byte
    # into its last code unit, were "not valid UTF-8", and the kept 0x00 / 0x0A bytes showed as
    # '\udc00' / '\udc0a' beside '\xd8'; the file has no UTF-8 in it to be invalid
    lone = ("Email,First Name,City\r\na@x.com,".encode("utf-16-be") + b"\xd8\x00"
            + "A,Bern\r\n".encode("utf-16-be"))
    found = findings(codecs.BOM_UTF16_BE + lone, "HS402")
    assert [(f.row, f.column, f.line, f.offset, f.message) for f in found] == [
        (None, None, 2, 64, "2 byte(s) are not valid UTF-16 BE; the first, 0xD8, is at byte offset 64 "
                            "(line 2, character 9)"),
        (2, 2, 2, None, "'\\xd8\\x00A' is not valid UTF-16 BE text")]
    cut = codecs.BOM_UTF16_LE + "Email,First Name,City\r\na@x.com,Ann,Bern".encode("utf-16-le") + b"\n"
    found = findings(cut, "HS402")
    assert [(f.row, f.column, f.line, f.offset, f.message) for f in found] == [
        (None, None, 2, 80, "1 byte(s) are not valid UTF-16 LE; the first, 0x0A, is at byte offset 80 "
                            "(line 2, character 17)"),
        (2, 3, 2, None, "'Bern\\x0a' is not valid UTF-16 LE text")]


def test_utf32_is_not_called_excels_unicode_text() -> None:
    # Excel's "Unicode Text" is UTF-16; HS404 said so of UTF-32 files too
    hs404 = [f.message for f in findings(TEXT.encode("utf-32"), "HS404")]
    assert hs404 == ["the file is UTF-32 LE text with a byte order mark; HubSpot expects UTF-8"]
    hs404 = [f.message for f in findings(TEXT.encode("utf-16"), "HS404")]
    assert hs404 == ['the file is UTF-16 LE text with a byte order mark (Excel "Unicode Text"); HubSpot expects UTF-8']


def test_a_header_names_every_invisible_character_not_only_the_first() -> None:
    # hostile C5: with a no-break space in front, the zero-width space inside 'Em\u200bail' was
    # named nowhere (HS103 stopped at the first invisible character; HS409 names spaces only)
    data = "\u00a0Em\u200bail,First Name,City\r\na@x.com,Ann,Bern\r\n".encode()
    [hs103] = [f for f in findings(data, "HS103") if f.column == 1]
    assert (hs103.row, hs103.column) == (1, 1)
    assert hs103.message.endswith("the header has U+00A0 (no-break space) at position 1, "
                                  "U+200B (zero width space) at position 4")


def test_a_utf16_file_cut_inside_the_line_feed_of_its_last_crlf_is_one_finding_at_its_last_line() -> None:
    # (hostile A9) the byte left of the cut \n (0A of 0A 00) made a row 3 of its own, one field
    # wide (HS110), besides HS402, which placed it on a line 3 the file does not have
    data = codecs.BOM_UTF16_LE + "Email,First Name,City\r\na@x.com,Ann,Bern\r".encode("utf-16-le") + b"\n"
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": MAPPINGS}}]}
    for reader in ("exact", "fast"):
        report = validate(request, files={"data.csv": io.BytesIO(data)}, config=Config(reader=reader),
                          base_dir="/nonexistent")
        assert [(f.code, f.row, f.column, f.line, f.offset) for f in report.findings
                if f.code in ("HS110", "HS113", "HS402")] == [("HS402", None, None, 2, 82)], reader
        hs402 = next(f.message for f in report.findings if f.code == "HS402")
        assert hs402 == ("1 byte(s) are not valid UTF-16 LE; the first, 0x0A, is at byte offset 82 "
                         "(line 2, character 17)")
        assert report.files[0].rows == 1


@pytest.mark.parametrize(("data", "mappings", "expected"), [
    # HS101 said "the file has 1 columns", "columnMappings has 1 entries"
    (b"Email\r\na@x.com\r\n", MAPPINGS[:2],
     [("HS101", 1, None, "the file has 1 column but columnMappings has 2 entries")]),
    (b"Email,First Name\r\na@x.com,Ann\r\n", MAPPINGS[:1],
     [("HS101", 1, 2, "the file has 2 columns but columnMappings has 1 entry; not mapped: 'First Name' (column 2)")]),
    # HS408 "1 semicolons in the header line, 1 commas"
    (b"Email;First Name\r\na@x.com;Ann\r\n", MAPPINGS[:2],
     [("HS408", 1, None, "the file is semicolon-separated (1 semicolon in the header line, 0 commas); HubSpot "
                         "expects commas")]),
    (b"Email;First Name;City,x\r\na@x.com;Ann;Bern\r\n", [*MAPPINGS[:2], {**MAPPINGS[2], "columnName": "City,x"}],
     [("HS408", 1, None, "the file is semicolon-separated (2 semicolons in the header line, 1 comma); HubSpot "
                         "expects commas")]),
    # HS410 "the last 1 column(s) have"
    (b"Email,First Name,City,\r\na@x.com,Ann,Bern,\r\n", MAPPINGS,
     [("HS101", 1, 4, "the file has 4 columns but columnMappings has 3 entries; not mapped: '' (column 4)"),
      ("HS410", 1, 4, "the last column has no header and no values (trailing delimiters)")]),
    (b"Email,First Name,City,,\r\na@x.com,Ann,Bern,,\r\n", MAPPINGS,
     [("HS101", 1, 4, "the file has 5 columns but columnMappings has 3 entries; not mapped: '' (column 4), '' "
                      "(column 5)"),
      ("HS410", 1, 4, "the last 2 columns have no header and no values (trailing delimiters)")]),
])
def test_a_count_of_one_is_said_in_the_singular(data: bytes, mappings: list[dict], expected: list[tuple]) -> None:
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}
    report = validate(request, files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent")
    assert [(f.code, f.row, f.column, f.message) for f in report.findings
            if f.code in ("HS101", "HS408", "HS410")] == expected


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_under_excels_sep_line_the_delimiters_counted_are_the_real_headers(reader: str) -> None:
    # under "sep=\t" HS408 said "1 tab in the header line": the sep line's own tab, not the
    # header's under it
    data = b"sep=\t\r\nEmail\tFirst Name\tCity\r\na@x.com\tAnn\tBern\r\n"
    [delim] = findings(data, "HS408", reader=reader)
    assert (delim.row, delim.column, delim.line) == (1, None, 1)
    assert delim.message == ("Excel's delimiter line 'sep=\t' (HS108) names the tab as the file's delimiter "
                             "(2 tabs in the header under it, 0 commas); HubSpot expects commas")
    # a header as wide as the line (read by the fast reader itself), a comma in one of its names
    [delim] = findings(b"sep=\t\r\nEmail\tCity, Town\r\na@x.com\tBern\r\n", "HS408", reader=reader)
    assert "(1 tab in the header under it, 1 comma)" in delim.message
    # with HS108 turned off, HS608 calls the line a title, and the header under it is counted as under one
    [delim] = findings(data, "HS408", reader=reader, ignore=["HS108"])
    assert delim.message == ("the file is tab-separated (2 tabs in the header on row 2, under the title (HS608), "
                             "0 commas); HubSpot expects commas")
    # with HS108 and HS608 turned off, as before
    [delim] = findings(data, "HS408", reader=reader, ignore=["HS108", "HS608"])
    assert delim.message == "the file is tab-separated (1 tab in the header line, 0 commas); HubSpot expects commas"


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_under_a_title_the_delimiters_counted_are_the_real_headers(reader: str) -> None:
    # under a title HS608 reports, HS408 counted the title's delimiters as the header's: "1
    # semicolon in the header line" of `Export;2024-03-01`, "1 tab" of a tab title, whose header
    # below has 2
    data = b"Export;2024-03-01\r\nEmail;First Name;City\r\na@x.com;Ann;Bern\r\n"
    [delim] = findings(data, "HS408", reader=reader)
    assert (delim.row, delim.column, delim.line, delim.value) == (1, None, 1, ";")
    assert delim.message == ("the file is semicolon-separated (2 semicolons in the header on row 2, under the title "
                             "(HS608), 0 commas); HubSpot expects commas")
    data = (b"Notes:\t\r\n\t\r\nEmail\tFirst Name\tCity, Town\r\na@x.com\tAnn\tBern\r\nb@x.com\tBo\tChur\r\n")
    [delim] = findings(data, "HS408", reader=reader)
    assert (delim.row, delim.column, delim.line, delim.value) == (1, None, 1, "\t")
    assert delim.message == ("the file is tab-separated (2 tabs in the header on row 3, under the title (HS608), "
                             "1 comma); HubSpot expects commas")
    # with HS608 turned off, as before
    [delim] = findings(data, "HS408", reader=reader, ignore=["HS608"])
    assert delim.message == "the file is tab-separated (1 tab in the header line, 0 commas); HubSpot expects commas"


# A title line with no delimiter above a semicolon (tab, pipe) header: rows 4 (ragged) and 5
# (blank) are the file's own problems, which deleting the title leaves
TITLED = ("Contacts export\r\nEmail{s}First Name{s}City\r\na@x.com{s}Ann{s}Bern\r\nb@x.com{s}Bo\r\n\r\n"
          "c@x.com{s}Ci{s}Chur\r\n")


def _report(data: bytes, mappings: list[dict] | None = None, **config: Any) -> Any:
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": MAPPINGS if mappings is None else mappings}}]}
    return validate(request, files={"data.csv": io.BytesIO(data)}, config=Config(**config), base_dir="/nonexistent")


def _found(data: bytes, mappings: list[dict] | None = None, **config: Any) -> list[tuple]:
    return [(f.code, f.row, f.column, f.line, f.message) for f in _report(data, mappings, **config).findings]


@pytest.mark.parametrize("reader", ["fast", "exact"])
@pytest.mark.parametrize(("sep", "name"), [(";", "semicolon"), ("\t", "tab"), ("|", "pipe")])
def test_a_title_without_a_delimiter_is_read_with_the_delimiter_of_the_header_below(reader: str, sep: str,
                                                                                    name: str) -> None:
    # the delimiter was taken from line 1 alone: a title with none made a semicolon export one
    # comma-separated column (HS101 "the file has 1 column", an HS103 per mapping, an HS212 per
    # row on 'Email;First Name;City'); the header below it gives it now, and the report is the
    # comma file's, HS408 besides
    data = TITLED.replace("{s}", sep).encode()
    report = _report(data, reader=reader)
    assert report.files[0].delimiter == sep
    found = [(f.code, f.row, f.column, f.line) for f in report.findings]
    assert found == [("HS101", 1, None, 1), ("HS103", 1, None, 1), ("HS408", 1, None, 1), ("HS608", 1, None, 1),
                     ("HS110", 4, 3, 4), ("HS113", 5, None, 5)]
    comma = _found(TITLED.replace("{s}", ",").encode(), reader=reader)
    assert [f for f in _found(data, reader=reader) if f[0] != "HS408"] == comma
    assert comma[2] == ("HS608", 1, None, 1, "row 1 looks like a title ('Contacts export'): the column names the "
                                             "mappings use are on row 2")
    [delim] = [f for f in report.findings if f.code == "HS408"]
    assert delim.value == sep
    assert delim.message == (f"the file is {name}-separated (2 {name}s in the header on row 2, under the title "
                             "(HS608), 0 commas); HubSpot expects commas")
    # with HS608 turned off, each rule reports as for the comma file (the rows split as there), and
    # HS408 says where the delimiter is
    off = _found(data, reader=reader, ignore=["HS608"])
    assert [f for f in off if f[0] != "HS408"] == _found(TITLED.replace("{s}", ",").encode(), reader=reader,
                                                         ignore=["HS608"])
    assert [f[:4] for f in off if f[0] in ("HS110", "HS212")] == [
        ("HS110", 2, 2, 2), ("HS110", 3, 2, 3), ("HS110", 4, 2, 4), ("HS110", 6, 2, 6)]
    [delim] = [f for f in off if f[0] == "HS408"]
    assert delim[1:] == (1, None, 1, f"the file is {name}-separated (no delimiter in the header line, 2 {name}s in "
                                     "line 2 under it, 0 commas); HubSpot expects commas")


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_a_title_without_a_delimiter_above_notes_and_a_quoted_comma(reader: str) -> None:
    # a title whose comma is quoted holds no delimiter; LinkedIn-style note lines under it, one
    # quoted over two lines with a semicolon inside the quotes, and a blank line, stand above the
    # header the mappings name
    data = b'"Contacts, export"\r\nEmail;First Name;City\r\na@x.com;Ann;Bern\r\nb@x.com;Bo\r\n'
    assert _report(data, reader=reader).files[0].delimiter == ";"
    assert _found(data, reader=reader) == [
        ("HS101", 1, None, 1, "row 1 looks like a title ('Contacts, export') (HS608), which HubSpot reads as a "
                              "header of 1 column, but columnMappings has 3 entries"),
        ("HS103", 1, None, 1, "no columnName is in the header: row 1 looks like a title ('Contacts, export') "
                              "(HS608), and the column names the mappings use are on row 2"),
        ("HS408", 1, None, 1, "the file is semicolon-separated (2 semicolons in the header on row 2, under the "
                              "title (HS608), 0 commas); HubSpot expects commas"),
        ("HS608", 1, None, 1, "row 1 looks like a title ('Contacts, export'): the column names the mappings use are "
                              "on row 2"),
        ("HS110", 4, 3, 4, "row has 2 fields, fewer than the 3 of the header on row 2, under the title (HS608)")]
    data = (b'Notes:\r\n"When exporting; some emails\r\nare missing"\r\n\r\n'
            b"Email;First Name;City\r\na@x.com;Ann;Bern\r\nb@x.com;Bo\r\n")
    assert _report(data, reader=reader).files[0].delimiter == ";"
    [title] = findings(data, "HS608", reader=reader)
    assert (title.row, title.column, title.line, title.value) == (1, None, 1, "Notes:")
    assert title.message == ("row 1 looks like a title ('Notes:'): the column names the mappings use are on "
                             "row 4 (line 5)")
    assert title.hint == "delete lines 1-4, above the column names"
    assert [f[:4] for f in _found(data, reader=reader)] == [
        ("HS101", 1, None, 1), ("HS103", 1, None, 1), ("HS408", 1, None, 1), ("HS608", 1, None, 1),
        ("HS110", 6, 3, 7)]
    # the header looked for as far down as HS608 looks: past its rows, not found, and not split
    deep = b"Contacts export\r\n" + b"\r\n" * 3 + b"Email;First Name;City\r\na@x.com;Ann;Bern\r\n"
    assert _report(deep, reader=reader).files[0].delimiter == ";"
    assert _report(deep, reader=reader, options={"HS608": {"rows": 3}}).files[0].delimiter == ","
    assert _report(deep, reader=reader, options={"HS608": {"rows": 4}}).files[0].delimiter == ";"
    assert _report(b"Contacts export\r\nEmail;First Name;City\r\n", reader=reader,
                   options={"HS608": {"rows": 0}}).files[0].delimiter == ","


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_a_line_1_without_a_delimiter_that_is_no_title_keeps_the_comma(reader: str) -> None:
    # a file of one column (one mapping, no delimiter on any line) stays one, title or not
    one = MAPPINGS[:1]
    report = _report(b"Email\r\na@x.com\r\nb@x.com\r\n", one, reader=reader)
    assert (report.files[0].delimiter, report.findings) == (",", [])
    report = _report(b"Contacts export\r\nEmail\r\na@x.com\r\n", one, reader=reader)
    assert report.files[0].delimiter == ","
    assert [(f.code, f.row, f.column, f.line) for f in report.findings] == [("HS103", 1, None, 1),
                                                                            ("HS608", 1, None, 1)]
    # a one-column header the mappings name, above rows that hold semicolons: ragged rows, no title
    # (line 1 holds a mapped name): read with the comma, as HubSpot reads line 1, as before
    data = b"Email\r\na@x.com;Ann;Bern\r\nb@x.com;Bo;Chur\r\n"
    assert _report(data, reader=reader).files[0].delimiter == ","
    assert [f[:4] for f in _found(data, reader=reader)] == [
        ("HS101", 1, None, 1), ("HS103", 1, None, 1), ("HS103", 1, None, 1), ("HS212", 2, 1, 2), ("HS212", 3, 1, 3)]
    # a line 1 the mappings do not name, above rows of semicolons that are no header they name
    data = b"Contacts\r\na@x.com;Ann;Bern\r\nb@x.com;Bo;Chur\r\n"
    assert _report(data, reader=reader).files[0].delimiter == ","
    # Excel's delimiter line naming a delimiter the readers do not know is no title either
    data = b"sep=:\r\nEmail;First Name;City\r\na@x.com;Ann;Bern\r\n"
    report = _report(data, reader=reader)
    assert report.files[0].delimiter == ","
    assert [(f.code, f.row) for f in report.findings if f.code in ("HS108", "HS608")] == [("HS108", 1)]
    # without a header row, line 1 is data: no title is looked for
    headless = [{**m, "columnName": None} for m in MAPPINGS]
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": False, "columnMappings": headless}}]}
    report = validate(request, files={"data.csv": io.BytesIO(TITLED.replace("{s}", ";").encode())},
                      base_dir="/nonexistent", config=Config(reader=reader))
    assert report.files[0].delimiter == ","


def test_a_title_without_a_delimiter_is_reported_alike_by_the_cli_and_validate(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from validator.cli import cli

    data = TITLED.replace("{s}", ";").encode()
    (tmp_path / "data.csv").write_bytes(data)
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": MAPPINGS}}]}
    (tmp_path / "r.json").write_text(json.dumps(request))
    for reader in ("fast", "exact"):
        out = CliRunner().invoke(cli, ["check", str(tmp_path / "r.json"), "--format", "json", "--reader", reader])
        assert out.exit_code == 1
        shown = json.loads(out.output)
        assert shown["files"][0]["delimiter"] == ";"
        assert [(f["code"], f["row"], f["column"], f["message"]) for f in shown["findings"]] == [
            (f.code, f.row, f.column, f.message) for f in _report(data, reader=reader).findings]


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_a_sep_line_naming_another_delimiter_than_the_header_under_it_says_so(reader: str) -> None:
    # "sep=;" above a comma-separated file: HS103 said "the column names are on the next line",
    # which does not split under ';', and the line's blank cell was HS410's trailing column
    data = b"sep=;\r\nEmail,First Name,City\r\na@x.com,Ann,Bern\r\n"
    [names] = findings(data, "HS103", reader=reader)
    assert (names.row, names.column, names.pointer) == (1, None, "/files/0/fileImportPage/columnMappings")
    assert names.message == ("no columnName is in the header: row 1 is Excel's delimiter line 'sep=;' (HS108), "
                             "which names ';' while the column names on the next line are separated by ','")
    assert findings(data, "HS410", reader=reader) == []
    [delim] = findings(data, "HS408", reader=reader)
    assert "names the semicolon as the file's delimiter (0 semicolons in the header under it, 2 commas)" in (
        delim.message)
    # under a line naming the header's own delimiter, as before
    [names] = findings(b"sep=;\r\nEmail;First Name;City\r\na@x.com;Ann;Bern\r\n", "HS103", reader=reader)
    assert names.message.endswith("(HS108), the column names are on the next line")
    # with HS108 turned off, as before: the line's blank cell is HS410's
    [trailing] = findings(data, "HS410", reader=reader, ignore=["HS108"])
    assert (trailing.row, trailing.column) == (1, 2)


@pytest.mark.parametrize("reader", ["fast", "exact"])
@pytest.mark.parametrize("chunk_rows", [1, 50_000])
def test_a_title_above_excels_sep_line_is_read_with_the_headers_delimiter(reader: str, chunk_rows: int) -> None:
    # `Export`, then Excel's `sep=;`, then a semicolon header: the look below the title stopped at
    # the `sep=;` line (a delimiter, but no header) and the file was read with commas, one
    # column: no HS608, no HS108, an HS103 per mapping and an HS212 per row. HubSpot honours no
    # `sep=` line and reads row 1 as the header: the file is read with the header's semicolon now,
    # HS608 names the title, HS108 the `sep=` line at its row
    data = b"Export\r\nsep=;\r\nEmail;First Name;City\r\na@x.com;Ann;Bern\r\nb@x.com;Bo\r\n"
    report = _report(data, reader=reader, chunk_rows=chunk_rows)
    assert report.files[0].delimiter == ";"
    assert [(f.code, f.row, f.column, f.line) for f in report.findings] == [
        ("HS101", 1, None, 1), ("HS103", 1, None, 1), ("HS408", 1, None, 1), ("HS608", 1, None, 1),
        ("HS108", 2, None, 2), ("HS110", 5, 3, 5)]
    [sep] = [f for f in report.findings if f.code == "HS108"]
    assert (sep.value, sep.message, sep.hint) == (
        "sep=;", "row 2 is Excel's delimiter line 'sep=;' (semicolon), between row 1 and the header on row 3 "
        "(HS608): HubSpot does not document it and reads it as a data row (Excel reads it on line 1 only)",
        "delete it, with the other lines above the column names")
    [title] = [f for f in report.findings if f.code == "HS608"]
    assert (title.message, title.hint) == (
        "row 1 looks like a title ('Export'): the column names the mappings use are on row 3",
        "delete lines 1-2, above the column names")
    # the same report as the comma file's, but for HS408 (and the text the lines show)
    comma = data.replace(b";", b",")
    assert [f[:4] for f in _found(data, reader=reader) if f[0] != "HS408"] == [
        f[:4] for f in _found(comma, reader=reader)]
    # quoted, naming another delimiter, under a blank line, below a title holding the delimiter
    for data, at, text in ((b'Export\r\n"sep=,"\r\nEmail;First Name;City\r\na@x.com;Ann;Bern\r\n', 2, "sep=,"),
                           (b"Export\r\n\r\nSEP=;\r\nEmail;First Name;City\r\na@x.com;Ann;Bern\r\n", 3, "SEP=;"),
                           (b"Export;;\r\nsep=;\r\nEmail;First Name;City\r\na@x.com;Ann;Bern\r\n", 2, "sep=;"),
                           (b"Export,,\r\nsep=,\r\nEmail,First Name,City\r\na@x.com,Ann,Bern\r\n", 2, "sep=,")):
        report = _report(data, reader=reader, chunk_rows=chunk_rows)
        assert [(f.code, f.row, f.line, f.value) for f in report.findings if f.code in ("HS108", "HS608")] == [
            ("HS608", 1, 1, data.split(b"\r\n")[0].decode()), ("HS108", at, at, text)], data
    # with HS608 turned off the header under the title is not named, nor the `sep=` line above it
    assert [f for f in _found(data, reader=reader, ignore=["HS608"]) if f[0] == "HS108"] == []
    # a `sep=` line on row 1 is reported as before, once
    assert [(f.code, f.row) for f in _report(b"sep=;\r\nEmail;First Name;City\r\na@x.com;Ann;Bern\r\n",
                                             reader=reader).findings if f.code in ("HS108", "HS608")] == [("HS108", 1)]


EAST_ASIAN_ROWS = {  # (the encoding Excel's plain "CSV" save writes there, names and cities, as HS403 names it)
    "cp932": ("山田 太郎,千代田区\r\n鈴木 花子,豊田市\r\n", "Shift_JIS (Windows-31J, Japanese)", "CP932"),
    "gb18030": ("张伟,深圳\r\n王芳,杭州\r\n", "GB18030 (GBK, simplified Chinese)", "GB18030"),
    "big5": ("陳大文,台北市\r\n林美玲,高雄市\r\n", "Big5 (traditional Chinese)", "BIG5"),
    "euc-kr": ("김민준,서울\r\n이서연,부산\r\n", "EUC-KR (Korean)", "EUC-KR"),
}


@pytest.mark.parametrize("reader", ["exact", "fast"])
@pytest.mark.parametrize("encoding", sorted(EAST_ASIAN_ROWS))
def test_an_east_asian_excel_save_is_named_by_its_encoding_not_windows_1252(encoding: str, reader: str) -> None:
    """Japanese and Chinese Excel save a plain "CSV" in Shift_JIS and GBK: HS403 called such a file
    Windows-1252, whose iconv hint garbles every name; it names the double-byte encoding, and
    shows the first bad cell as it reads there."""
    rows, name, iconv = EAST_ASIAN_ROWS[encoding]
    lines = rows.split("\r\n")
    data = ("Email,First Name,City\r\n" + "".join(
        f"p{i}@example.com,{line}\r\n" for i, line in enumerate(lines[:2]))).encode(encoding)
    [legacy] = findings(data, "HS403", reader=reader)
    first = lines[0].split(",")[0]
    offset = len("Email,First Name,City\r\np0@example.com,")
    assert (legacy.row, legacy.column, legacy.line, legacy.offset, legacy.value) == (None, None, 2, offset, first)
    lead = first.encode(encoding)[:1].hex().upper()
    assert legacy.message == (f"the file is not UTF-8; it looks like {name} (byte 0x{lead} at offset {offset}, line 2; "
                              f"the first such cell reads as '{first}' in it)")
    assert legacy.hint == f"save as CSV UTF-8, or convert with iconv -f {iconv} -t UTF-8"


@pytest.mark.parametrize("chunk_rows", [1, 50_000])
@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_the_first_cell_hs403_shows_is_the_files_first_whatever_the_chunk_size(reader: str, chunk_rows: int) -> None:
    """HS403 sampled the cells that are not UTF-8 column by column in each chunk: in one chunk the
    First Name of row 3 came before the City of row 2, so the cell it showed (and the sample it
    judged the encoding by) depended on the chunk size. It takes them row by row now."""
    data = (b"Email,First Name,City\r\np0@example.com,Ann," + "深圳".encode("gb18030")
            + b"\r\np1@example.com," + "王芳".encode("gb18030") + b",Bern\r\n")
    [legacy] = findings(data, "HS403", reader=reader, chunk_rows=chunk_rows)
    assert (legacy.line, legacy.value) == (2, "深圳")
    assert "the first such cell reads as '深圳' in it" in legacy.message


@pytest.mark.parametrize("chunk_rows", [1, 3, 50_000])
@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_cells_of_a_gbk_file_that_are_valid_utf8_by_accident_are_named(reader: str, chunk_rows: int) -> None:
    """GBK's `郑伟` is the bytes D6 A3 CE B0, valid UTF-8 (`֣ΰ`): the reader took such a cell as
    UTF-8, as HubSpot would, and nothing named it while HS402 named the others. In a file HS403
    judges GBK, a cell whose UTF-8 reading is implausible (a Hebrew point, Latin Extended-B,
    letters of two scripts) and whose bytes read as hanzi in GBK is HS403's, at its row and column;
    a genuine UTF-8 `Müller` or `東京` in the same file is not, nor `谢英` (`лӢ`: Cyrillic letters
    as UTF-8), nor a cell before the first byte that is not UTF-8, whatever the chunk size."""
    rows = [("p0@example.com", "陆平".encode("gb18030"), "Zürich".encode()),  # before any bad byte
            ("p1@example.com", "张伟".encode("gb18030"), "深圳".encode("gb18030")),
            ("p2@example.com", "郑伟".encode("gb18030"), "杭州".encode("gb18030")),
            ("p3@example.com", "谢英".encode("gb18030"), "東京".encode()),
            ("p4@example.com", "Müller".encode(), "北京".encode("gb18030")),
            ("p5@example.com", "陆平".encode("gb18030"), "上海".encode("gb18030"))]
    data = b"Email,First Name,City\r\n" + b"".join(b",".join((e.encode(), n, c)) + b"\r\n" for e, n, c in rows)
    found = findings(data, "HS403", reader=reader, chunk_rows=chunk_rows)
    assert [(f.row, f.column, f.line, f.value) for f in found] == [
        (None, None, 3, "张伟"), (4, 2, 4, "֣ΰ"), (7, 2, 7, "½ƽ")]
    assert found[1].message == ("'֣ΰ' is valid UTF-8 only by accident: in GB18030 (GBK, simplified Chinese), the "
                                "file's encoding, its bytes read as '郑伟'; HubSpot would import '֣ΰ'")
    assert found[1].hint == "save as CSV UTF-8, or convert with iconv -f GB18030 -t UTF-8"
    assert found[1].severity == Severity.WARNING


@pytest.mark.parametrize("chunk_rows", [2, 50_000])
@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_a_recurring_accident_is_named_at_each_row_and_judged_once(
        reader: str, chunk_rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """HS403 judged every cell past ASCII of a file with a byte that is not UTF-8 in Python, one by
    one: a column of 100,000 `Dvořák`s (two characters side by side, which the byte screen keeps)
    cost it 1 s of CPU, and a file of Cyrillic and Chinese names with one bad byte took 10.5 s to
    check instead of 1.3 s. Each distinct cell is judged once now: a cell that recurs, within a
    chunk or in a later one, is still named at each of its rows."""
    from validator.checks import _accidental

    judged: list[str] = []
    real = _accidental._readings
    monkeypatch.setattr(_accidental, "_readings", lambda text: judged.append(text) or real(text))
    accident = "郑伟".encode("gb18030")  # valid UTF-8 by accident: `֣ΰ`
    rows = [("p0@example.com", "张伟".encode("gb18030"), b"Bern"),  # the first byte that is not UTF-8
            ("p1@example.com", accident, "Dvořák".encode()),
            ("p2@example.com", accident, "Dvořák".encode()),
            ("p3@example.com", "Dvořák".encode(), accident),
            ("p4@example.com", accident, "Dvořák".encode())]
    data = b"Email,First Name,City\r\n" + b"".join(b",".join((e.encode(), n, c)) + b"\r\n" for e, n, c in rows)
    found = findings(data, "HS403", reader=reader, chunk_rows=chunk_rows)
    assert [(f.row, f.column, f.line, f.value) for f in found] == [
        (None, None, 2, "张伟"), (3, 2, 3, "֣ΰ"), (4, 2, 4, "֣ΰ"), (5, 3, 5, "֣ΰ"), (6, 2, 6, "֣ΰ")]
    assert sorted(judged) == ["Dvořák", "֣ΰ"]  # (once each, whatever the chunks)


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_a_windows_1252_file_is_looked_at_for_accidents_until_its_encoding_is_certain(
        reader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """HS403 looked at every chunk of a file that is not UTF-8 for cells valid UTF-8 by accident
    (0.58 s of CPU in a 1,048,576-row Windows-1252 file), though it names them only in a
    file it judges East Asian or Cyrillic. Both judgements are certain once its sample of cells
    (EAST_ASIAN_SAMPLE bytes) and the file's noted bad bytes (MAX_EVENTS) are full: from then on
    a Windows-1252 file's chunks are not looked at, and the findings are the same."""
    from validator.checks import dialect
    from validator.checks._accidental import Accidents

    looked: list[int] = []
    real = Accidents.look
    monkeypatch.setattr(Accidents, "look", lambda self, chunk, file: looked.append(int(chunk.rows[0])) or real(
        self, chunk, file))
    data = b"Email,First Name,City\r\n" + b"".join(
        b"p%d@example.com,Ren\xe9e,M\xfcnchen %d\r\n" % (i, i) for i in range(1200))  # 2 bad bytes a row
    found = findings(data, "HS403", reader=reader, chunk_rows=100)
    first = len(b"Email,First Name,City\r\np0@example.com,Ren")
    assert [(f.row, f.line, f.offset) for f in found] == [(None, 2, first)]
    assert "Windows-1252" in found[0].message
    # the readers note the file's first 1,000 bad bytes (rows 2-501) as they read ahead; the sample,
    # ~16 bytes a row, fills with the third chunk's cells: the chunks from row 202 on are not looked at
    assert looked == [2, 102]
    monkeypatch.setattr(dialect, "_names_accidents", lambda file: True)
    looked.clear()
    assert findings(data, "HS403", reader=reader, chunk_rows=100) == found
    assert len(looked) == 12


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_an_accident_far_into_a_gbk_file_is_named_once_its_encoding_is_certain(reader: str) -> None:
    """A file judged GBK from its first rows goes on being looked at for cells valid UTF-8 by
    accident to its end: one at row 901 is named there."""
    rows = [b"p%d@example.com,%s,%s\r\n" % (i, "张伟".encode("gb18030"), "深圳".encode("gb18030")) for i in range(1000)]
    rows[899] = b"p899@example.com," + "郑伟".encode("gb18030") + b",Bern\r\n"  # valid UTF-8: `֣ΰ`
    found = findings(b"Email,First Name,City\r\n" + b"".join(rows), "HS403", reader=reader, chunk_rows=100)
    assert [(f.row, f.column, f.line, f.value) for f in found] == [(None, None, 2, "张伟"), (901, 2, 901, "֣ΰ")]


def test_a_utf8_file_of_the_same_cells_has_no_finding_about_its_encoding() -> None:
    data = "Email,First Name,City\r\np0@example.com,֣ΰ,Müller\r\np1@example.com,½ƽ,東京\r\n".encode()
    assert findings(data, "HS403") == findings(data, "HS402") == []


@pytest.mark.parametrize(("text", "accident"), [
    ("֣ΰ", True), ("½ƽ", True), ("ũǫ", True), ("¸Դ", True), ("Ǣâ", True), ("\x85a", True),  # a C1 control
    ("Zhangк", True),  # a Cyrillic letter in a word of ASCII letters
    ("Müller", False), ("Иван Петров", False), ("東京", False), ("Nguyễn Văn", False), ("Łódź", False),
    ("μm", False), ("Hawaiʻi", False), ("Əliyev", False), ("è", False), ("лӢ", False), ("£100", False),
    ("e\u0301", False), ("« Société »", False), ("Dvořák", False),
])
def test_the_utf8_reading_of_an_accident_is_implausible_text(text: str, accident: bool) -> None:
    from validator.checks._accidental import implausible

    assert implausible(text) is accident


@given(st.lists(st.text(alphabet=st.sampled_from(list("aZ 1.-@") + [chr(c) for c in range(0xA0, 0x250)]
                                                + list("\x85\u0301\u05d0\u0434\u4e2d\u0562")
                                                + [chr(c) for c in range(0x2000, 0x2130)] + ["\U0001f600"]),
                        max_size=12),
                max_size=8))
def test_the_byte_screen_passes_every_value_implausible_may_judge_so(values: list[str]) -> None:
    # a necessary condition: a value the screen leaves out is never implausible (Latin letters
    # standing alone among ASCII, the Western text of most files, skip the test one by one)
    import pyarrow as pa

    from validator.checks._accidental import implausible, maybe_implausible

    screened = maybe_implausible(pa.array(values, type=pa.string()))
    assert [v for v, kept in zip(values, screened, strict=True) if implausible(v) and not kept] == []
    assert not maybe_implausible(pa.array(["Müller", "São Paulo", "José Nuñez", "carlos.müller@x.de", "plain",
                                           "1.200 €", "O’Brien", "“quoted”", "20 °C", "½ price", "a\u00a0b",
                                           "Zürich – Genève", "№ 5™"])).any()
    assert maybe_implausible(pa.array(["€€", "ü€", "µm", "Dvořák", "\u0301a", "\u2065", "😀"])).all()


@pytest.mark.parametrize(("text", "encoding", "label"), [
    ("Email,Prénom,Ville\r\na@x.com,Amélie,Besançon\r\nb@x.com,Hélène,Créée\r\n", "cp1252", "Windows-1252"),
    ("Email,Имя,Город\r\na@x.com,Иван,Москва\r\nb@x.com,Мария,Санкт-Петербург\r\n", "cp1251",
     "Windows-1251 (Cyrillic)"),
    ("Email,Имя,Город\r\na@x.com,Иванов,Москва\r\n", "cp1251",  # even-length words: valid GBK bytes too
     "Windows-1251 (Cyrillic)"),
])
def test_an_8_bit_file_is_not_called_east_asian(text: str, encoding: str, label: str) -> None:
    [legacy] = findings(text.encode(encoding), "HS403")
    assert legacy.message.startswith(f"the file is not UTF-8; it looks like {label} ")
    assert "(Cyrillic)" in legacy.message if encoding == "cp1251" else "Cyrillic" not in legacy.message


@pytest.mark.parametrize(("encoding", "label"), [("cp1252", "Windows-1252"), ("cp932", "Shift_JIS"),
                                                 ("gb18030", "GB18030 (GBK)")])
def test_a_column_name_in_the_header_in_a_legacy_encoding_is_named_so(encoding: str, label: str) -> None:
    """A header saved in Windows-1252, Shift_JIS or GBK does not match its columnName written in
    UTF-8: HS103 said only 'is not in the header' (or 'closest header is' the same word), now
    that the header has it in that encoding; a name in no header cell keeps the old message."""
    names = {"cp1252": "Prénom", "cp932": "名前", "gb18030": "名字"}
    name = names[encoding]
    data = f"Email,{name},City\r\na@x.com,Ann,Bern\r\n".encode(encoding)
    mappings = [MAPPINGS[0], {**MAPPINGS[1], "columnName": name}, {**MAPPINGS[2], "columnName": "Ville"}]
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}
    report = validate(request, files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent")
    found = [(f.row, f.column, f.message, f.hint) for f in report.findings if f.code == "HS103"]
    shown = "".join(c if c.isascii() else f"\\x{ord(c) - 0xDC00:02x}"
                    for c in name.encode(encoding).decode("utf-8", "surrogateescape"))
    assert found == [
        (1, 2, f"columnName '{name}' is not in the header: header '{shown}' is it in {label}, not UTF-8 (HS403)",
         "save the file as CSV UTF-8"),
        (1, 3, "columnName 'Ville' is not in the header", None)]


_WESTERN = "Windows-1252 or ISO-8859-1 (Latin-1)"


@pytest.mark.parametrize("reader", ["fast", "exact"])
@pytest.mark.parametrize(("data", "encoding", "offset", "line", "shown"), [
    # Russian Excel's plain "CSV" writes Windows-1251: HS403 called it Windows-1252, whose
    # `iconv -f WINDOWS-1252` makes every name Latin letters with accents (`Имя` -> `Èìÿ`)
    ("Имя,Фамилия,Email\r\nИван,Петров,ivan@example.ru\r\nОльга,Смирнова-Ли,olga@example.ru\r\n"
     "Пётр,Иванов И. И.,petr@example.ru\r\n".encode("cp1251"), "Windows-1251 (Cyrillic)", 0, 1, "И"),
    ("Email,Company\r\nivan@example.ru,ООО «Ромашка» — Москва\r\n".encode("cp1251"),
     "Windows-1251 (Cyrillic)", 31, 2, "О"),
    # Western text: each accented letter beside an ASCII one (`Prénom`, `Müller`, `Größe`)
    ("Prénom,Nom\r\nRenée,Müller\r\nJürgen,Größe\r\n".encode("cp1252"), _WESTERN, 2, 1, "é"),
    # a letter alone between spaces (`à`) reads as a Cyrillic `а` too: no Cyrillic word
    ("Email,Note\r\na@x.fr,rendez-vous à 10h\r\n".encode("cp1252"), _WESTERN, 31, 2, "à"),
    # mixed: Cyrillic words, and letters inside Latin words
    (b"Email,Name,City\r\n" + "a@x.de,Müller,Größe\r\nb@x.de,Jürgen,Düsseldorf\r\n".encode("cp1252")
     + "c@x.ru,Иван,Москва\r\n".encode("cp1251"), _WESTERN, 25, 2, "ü"),
])
def test_an_8_bit_file_is_named_windows_1251_where_its_bytes_read_as_cyrillic_words(
        reader: str, data: bytes, encoding: str, offset: int, line: int, shown: str) -> None:
    [legacy] = findings(data, "HS403", reader=reader)
    first = data[offset:offset + 1]
    assert (legacy.row, legacy.column, legacy.line, legacy.offset) == (None, None, line, offset)
    assert legacy.message == (f"the file is not UTF-8; it looks like {encoding} (byte 0x{first.hex().upper()} at "
                              f"offset {offset}, line {line}, reads as '{shown}' there)")
    iconv = "WINDOWS-1251" if "1251" in encoding else "WINDOWS-1252"
    assert legacy.hint == f"save as CSV UTF-8, or convert with iconv -f {iconv} -t UTF-8"


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_an_excel_for_mac_save_is_named_mac_roman_not_windows_1252(reader: str) -> None:
    """Excel for Mac's "CSV (Macintosh)" writes Mac Roman with lone CR line ends: HS403 called it
    Windows-1252, where `Renée` reads `RenŽe` and the iconv hint garbles every accent; it names
    Mac Roman and shows the byte as it reads there."""
    data = "Email,First Name,City\rrenee@x.com,Renée,Montréal\rj@x.com,Jürgen,München\rf@x.com,François,Besançon\r"
    [legacy] = findings(data.encode("mac_roman"), "HS403", reader=reader)
    assert (legacy.row, legacy.column, legacy.line, legacy.offset) == (None, None, 2, 37)
    assert legacy.message == ("the file is not UTF-8; it looks like Mac Roman (Excel for Mac's \"CSV (Macintosh)\") "
                              "(byte 0x8E at offset 37, line 2, reads as 'é' there)")
    assert legacy.hint == "save as CSV UTF-8, or convert with iconv -f MACINTOSH -t UTF-8"


@pytest.mark.parametrize("reader", ["exact", "fast"])
@pytest.mark.parametrize("text", [
    "Email,Last Name,Note\r\na@x.com,O’Brien,“VIP” – renewal €1200\r\nb@x.com,Dupré,Société Générale\r\n",
    "Email,Last Name,Note\r\na@x.com,Ždanov,Šimon’s €50\r\n",
])
def test_a_windows_1252_save_with_quotes_and_euros_is_not_called_mac_roman(reader: str, text: str) -> None:
    [legacy] = findings(text.encode("cp1252"), "HS403", reader=reader)
    assert legacy.message.startswith("the file is not UTF-8; it looks like Windows-1252 ")
