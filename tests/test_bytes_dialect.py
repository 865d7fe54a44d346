"""CSV bytes and dialect end to end: the issue's acceptance files, each reported at the right place."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

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
