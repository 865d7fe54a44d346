"""The spreadsheet path: cells to text, both cell readers, and hostile workbooks refused in bounded
time and memory (hostile-inputs E and F). Workbooks are generated here, never committed."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.hostile import xlsx as X
from tests.measure import run_measured
from tests.workbooks import (
    CONTENT_TYPES,
    WB_RELS,
    encrypted_workbook,
    entity_bomb,
    make_workbook,
    ole_file,
    raw_workbook,
    sheet,
    zip_bomb,
)
from validator import Config, validate
from validator.findings import Severity, column_letter
from validator.readers.base import ReaderNotes, Refused
from validator.readers.xlsx import XlsxReader, calamine_available, cell_text, format_number
from validator.readers.xlsx_scan import MAX_ENTRIES, Budget, ole_refusal, open_zip, scan_sheet

ENGINES = ["openpyxl", *(["calamine"] if calamine_available() else [])]

MIXED = {"sheets": [
    {"name": "Contacts", "rows": [
        ["Email", "Record ID", "Close Date", "Full Name", "Score"],
        ["ann@example.com", 123456789012, dt.date(2024, 3, 15), "=A2&\"!\"", "#N/A"],
        ["bob@example.com", "123456789013", dt.datetime(2024, 3, 16, 14, 30), "Bob Lee", 7.25],
    ]},
    {"name": "Notes", "rows": [["kept for reference"]]},
]}
CLEAN = {"sheets": [
    {"name": "Contacts", "rows": [
        ["Email", "Record ID", "Close Date", "Full Name", "Score"],
        ["ann@example.com", "123456789012", dt.date(2024, 3, 15), "Ann Lee", 3],
        ["bob@example.com", "123456789013", dt.datetime(2024, 3, 16, 14, 30), "Bob Lee", 7.25],
    ]},
]}
PROPS = {"Email": "email", "Record ID": "hs_object_id", "Close Date": "closedate", "Full Name": "lastname",
         "Score": "score"}


def request(name: str = "contacts.xlsx", headers: tuple[str, ...] = tuple(PROPS)) -> dict:
    return {"name": "t", "dateFormat": "MONTH_DAY_YEAR", "files": [{
        "fileName": name, "fileFormat": "SPREADSHEET", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": h, "propertyName": PROPS.get(h, h.lower())}
            for h in headers]}}]}


def write(tmp: Path, data: bytes, name: str = "contacts.xlsx", headers: tuple[str, ...] = tuple(PROPS)) -> Path:
    (tmp / name).write_bytes(data)
    req = tmp / "import.json"
    req.write_text(json.dumps(request(name, headers)))
    return req


def cli(*args: str) -> tuple[int, str, str]:
    """Run the CLI in a child process: (exit code, stdout, stderr)."""
    proc = subprocess.run([sys.executable, "-m", "validator", "check", *args], capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=120, check=False)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def cli_measured(*args: str) -> tuple[int, str, float, int]:
    """(exit code, stderr, CPU seconds, peak RSS MB) of one CLI run: the child's own figures
    (tests/measure.py), CPU time rather than wall time since CI's cores are shared."""
    with open(os.devnull, "rb") as stdin, open(os.devnull, "wb") as sink, \
            tempfile.TemporaryFile() as err:
        m = run_measured([sys.executable, "-m", "validator", "check", *args], stdin=stdin, stdout=sink,
                         stderr=err, timeout=120)
        err.seek(0)
        text = err.read().decode()
    return m.returncode, text, m.cpu_seconds, int(m.maxrss_mb)


# -- cells to text ------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "text", "kind"), [
    (12345678901, "12345678901", "n"),
    (12345678901.0, "12345678901", "n"),
    (1.2345678901e10, "12345678901", "n"),
    # past 2**53 a number cell's digits are its double's, in the fewest that read back to it
    (12345678901234567890, "12345678901234567000", "n"),  # openpyxl gives the digits written
    (1.2345678901234567e19, "12345678901234567000", "n"),  # calamine gives the double
    (9007199254740993, "9007199254740992", "n"),
    (123456789012345000000, "123456789012345000000", "n"),  # 15 digits, as Excel shows it
    (-(2**70), "-1180591620717411300000", "n"),
    (10**400, "#NUM!", "n"),  # past any double: calamine reads it as infinity
    (0.1, "0.1", "n"),
    (1e-05, "0.00001", "n"),
    (7.25, "7.25", "n"),
    (True, "TRUE", "b"),
    (dt.date(2024, 3, 5), "03/05/2024", "d"),
    (dt.datetime(2024, 3, 5, 0, 0), "03/05/2024", "d"),
    (dt.datetime(2024, 3, 5, 14, 30), "03/05/2024 14:30", "d"),
    (dt.datetime(2024, 3, 5, 14, 30, 9), "03/05/2024 14:30:09", "d"),
    (dt.time(9, 5), "09:05", "t"),
    ("02134", "02134", "s"),
    (None, "", ""),
])
def test_cell_text_rule(value, text, kind) -> None:
    assert cell_text(value, "mdy") == (text, kind)


def test_dates_follow_the_import_date_format() -> None:
    day = dt.date(2024, 3, 5)
    assert cell_text(day, "dmy")[0] == "05/03/2024"
    assert cell_text(day, "ymd")[0] == "2024/03/05"
    assert format_number(float("nan")) == "#NUM!"


@pytest.mark.parametrize("engine", ENGINES)
def test_both_cell_readers_give_the_same_chunks(engine: str) -> None:
    notes = ReaderNotes()
    reader = XlsxReader(io.BytesIO(make_workbook(MIXED)), notes, size=None, engine=engine,
                        date_format="DAY_MONTH_YEAR")
    try:
        assert reader.header is not None and reader.header.cells == tuple(PROPS)
        chunks = list(reader.chunks())
    finally:
        reader.close()
    assert notes.reader == engine and notes.sheet == "Contacts"
    frame = chunks[0].frame
    assert frame.index.tolist() == [2, 3]
    assert frame.values.tolist() == [
        ["ann@example.com", "123456789012", "15/03/2024", "", "#N/A"],
        ["bob@example.com", "123456789013", "16/03/2024 14:30", "Bob Lee", "7.25"],
    ]
    assert chunks[0].kinds is not None
    assert chunks[0].kinds.values.tolist() == [["s", "n", "d", "f", "e"], ["s", "s", "d", "s", "n"]]


def test_rows_are_sheet_rows_with_gaps_and_an_empty_first_row() -> None:
    data = raw_workbook(sheet(b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'
                              b'<row r="5"><c r="B5"><v>3</v></c></row>'))
    for engine in ENGINES:
        notes = ReaderNotes()
        reader = XlsxReader(io.BytesIO(data), notes, size=None, engine=engine)
        chunks = list(reader.chunks())
        reader.close()
        assert reader.header is not None and reader.header.cells == ()
        # rows 3 and 4 are not in the sheet: one note for the run
        assert [(n.kind, n.row, n.rows, n.fields, n.column) for c in chunks for n in c.notes] == [
            ("ragged", 2, 1, 1, 1), ("blank", 3, 2, 0, None), ("ragged", 5, 1, 2, 2)], engine
        assert notes.records == 4 and notes.extra["trailing_blank_rows"] == 0


def _read(data: bytes, engine: str, **kw) -> tuple[XlsxReader, ReaderNotes, list]:
    notes = ReaderNotes()
    reader = XlsxReader(io.BytesIO(data), notes, size=len(data), engine=engine, **kw)
    try:
        chunks = list(reader.chunks())
    finally:
        reader.close()
    return reader, notes, chunks


def _number(ref: str, digits: str) -> bytes:
    return f'<c r="{ref}"><v>{digits}</v></c>'.encode()


_PAST_DOUBLES = {  # a number cell's <v> -> its text on both readers
    "12345678901234567890": "12345678901234567000",
    "-12345678901234567890": "-12345678901234567000",
    "9007199254740993": "9007199254740992",  # 2**53 + 1
    "9007199254740992": "9007199254740992",
    "9223372036854775807": "9223372036854776000",  # int64's largest: 2**63 as a double
    "18446744073709551617": "18446744073709552000",  # past int64
    "123456789012345000000": "123456789012345000000",
    "1" + "0" * 400: "#NUM!",
    "9" * 5000: "#NUM!",  # more digits than int() converts (4,300): openpyxl refused the workbook
    "-" + "9" * 5000: "#NUM!",
    "0" * 4400 + "1234": "1234",
    "4503599627370497": "4503599627370497",  # below 2**53: every integer is a double
}


@pytest.mark.parametrize("engine", ENGINES)
def test_numbers_past_double_precision_read_the_same_on_both_readers(engine: str) -> None:
    """An .xlsx number is an IEEE double (Excel keeps 15 digits of it): calamine read
    <v>12345678901234567890</v> as the double, openpyxl as the integer written, so the two
    readers gave two texts (and calamine's was the double's binary expansion, ...7168). The
    header row (cell by cell), a data row (by column) and a ragged row's cells past the header."""
    texts = list(_PAST_DOUBLES.values())
    width = len(texts)
    rows = b"".join(b'<row r="%d">' % r + b"".join(_number(f"{column_letter(c + 1)}{r}", v)
                                                   for c, v in enumerate(_PAST_DOUBLES)) + b"</row>" for r in (1, 2))
    ragged = b'<row r="3">' + _number(f"{column_letter(width + 2)}3", "12345678901234567890") + b"</row>"
    reader, _notes, chunks = _read(raw_workbook(sheet(rows + ragged)), engine)
    assert reader.header is not None and list(reader.header.cells) == texts
    assert chunks[0].frame.values.tolist() == [texts]
    assert chunks[0].kinds is not None and chunks[0].kinds.values.tolist() == [["n"] * width]
    assert [n.cells[-1] for c in chunks for n in c.notes if n.kind == "ragged"] == ["12345678901234567000"]


def test_a_number_of_more_digits_than_int_converts_keeps_the_cells_after_it_in_place() -> None:
    """Cells without a reference (openpyxl counts their columns): the cell after a 5,000-digit
    number stays in the third column (the parser's column count is not moved on twice)."""
    cell = b'<c t="inlineStr"><is><t>%s</t></is></c>'
    rows = (b'<row r="1">' + b"".join(cell % h for h in (b"A", b"B", b"C")) + b"</row>"
            b'<row r="2">' + cell % b"x" + b"<c><v>" + b"9" * 5000 + b"</v></c>" + cell % b"after" + b"</row>")
    _reader, notes, chunks = _read(raw_workbook(sheet(rows)), "openpyxl")
    assert notes.reader == "openpyxl"
    assert chunks[0].frame.values.tolist() == [["x", "#NUM!", "after"]]


def test_sparse_sheet_is_read_in_runs_not_row_by_row() -> None:
    """hostile-inputs F2: a real cell at XFD1048576. The rows between are one note, and the far
    cell makes its own row ragged without widening any other row."""
    data = raw_workbook(sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c>'
                              b'<c r="B1" t="inlineStr"><is><t>Name</t></is></c></row>'
                              b'<row r="2"><c r="A2" t="inlineStr"><is><t>a@x.com</t></is></c></row>'
                              b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row>'))
    reader, notes, chunks = _read(data, "calamine")  # the dense size sends it to openpyxl anyway
    assert notes.reader == "openpyxl" and reader.width == 2
    assert [c.frame.index.tolist() for c in chunks] == [[2]]
    assert [(n.kind, n.row, n.end_line, n.rows, n.fields, n.column, n.sample) for n in chunks[0].notes] == [
        ("blank", 3, 1048575, 1048573, 0, None, ()), ("ragged", 1048576, 1048576, 1, 16384, 16384, ("", "", ""))]
    assert notes.records == 1048575


def test_a_used_range_to_the_last_row_is_read_in_blocks_of_cells_whatever_the_chunk_rows(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A cell referenced at C1048576 inside row 2 (found by the fuzz, from hostile-inputs F7):
    calamine gives every row of the used range, a million empty ones. Tiny chunks must not mean
    tiny blocks: 3-row chunks made 350,000 blocks (50 s); blocks are sized by cells alone."""
    data = raw_workbook(sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c>'
                              b'<c r="B1" t="inlineStr"><is><t>Name</t></is></c></row>'
                              b'<row r="2"><c r="A2" t="inlineStr"><is><t>a@x.com</t></is></c>'
                              b'<c r="C1048576" t="inlineStr"><is><t>Ann</t></is></c></row><row r="3"></row>'))
    blocks: list[int] = []
    real = XlsxReader._block

    def counted(self: XlsxReader, limit: int, header: bool = False) -> Any:
        blocks.append(limit)
        return real(self, limit, header)

    monkeypatch.setattr(XlsxReader, "_block", counted)
    results = []
    for chunk_rows in (3, 50_000):
        blocks.clear()
        _reader, notes, chunks = _read(data, "calamine", chunk_rows=chunk_rows)
        assert len(blocks) < 100, (chunk_rows, len(blocks))
        results.append(([c.frame.index.tolist() for c in chunks if len(c)],
                        [(n.kind, n.row, n.rows, n.fields) for c in chunks for n in c.notes], notes.records))
    tiny, default = results
    assert [r for rows in tiny[0] for r in rows] == [r for rows in default[0] for r in rows]
    assert tiny[1:] == default[1:]


def test_sparse_sheet_findings_name_the_run_and_the_far_cell(tmp_path: Path) -> None:
    data = raw_workbook(sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c></row>'
                              b'<row r="2"><c r="A2" t="inlineStr"><is><t>a@x.com</t></is></c></row>'
                              b'<row r="900000"><c r="A900000" t="inlineStr"><is><t>b@x.com</t></is></c>'
                              b'<c r="XFD900000"><v>1</v></c></row>'))
    report = validate(write(tmp_path, data, headers=("Email",)))
    found = [(f.code, f.row, f.cell, f.message) for f in report.findings if f.code in ("HS110", "HS113")]
    assert found == [("HS113", 3, None, "899997 blank rows (rows 3-899999)"),
                     ("HS110", 900000, "Sheet1!XFD900000", "row has 16384 fields, more than the header's 1")]


def _use_engine(monkeypatch: pytest.MonkeyPatch, engine: str) -> None:
    """validate() reads workbooks with ``engine`` (it picks calamine for these small sheets)."""
    import validator.readers.xlsx as xlsx_module

    monkeypatch.setattr(xlsx_module, "choose_engine", lambda scan, prefer=None, pieces=False: engine)
    if engine == "openpyxl":  # and the prefetch, which takes calamine, is left out
        monkeypatch.setattr(xlsx_module, "take", lambda stream: None)


@pytest.mark.parametrize("engine", ENGINES)
def test_ragged_workbook_row_keeps_every_field_like_a_csv(tmp_path: Path, engine: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # a ragged row's note kept its first three fields only: the csv and hubspot reports showed its
    # other cells blank, and HS608 could not find a header of seven names or more below a title
    from validator.report import render

    _use_engine(monkeypatch, engine)
    names = ["Email", "First Name", "Last Name", "Phone", "Zip", "City", "Notes", "Stage"]
    ragged = ["ann@example.com", "Ann", "Lee", "+14155550101", "02134", "Boston", "met", "lead", "EXTRA"]
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": [names[:7], [*ragged[:7], "", "EXTRA"]]}]})
    report = validate(write(tmp_path, data, headers=tuple(names[:7])))
    assert report.files[0].reader == engine
    assert render(report, "csv").splitlines()[1] == (
        'ann@example.com,Ann,Lee,+14155550101,02134,Boston,met,,EXTRA,2,9,,Contacts!I2,HS110,error,'
        '"row has 9 fields, more than the header\'s 7"')
    titled = make_workbook({"sheets": [{"name": "Contacts", "rows": [["Contacts export"], names, ragged[:8]]}]})
    report = validate(write(tmp_path, titled, headers=tuple(names)))
    assert [(f.code, f.row, f.message) for f in report.findings if f.code == "HS608"] == [
        ("HS608", 1, "row 1 looks like a title ('Contacts export'): the column names the mappings use are on row 2")]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_workbook_under_a_title_has_no_delimiter_to_choose(tmp_path: Path, engine: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # the CSV readers take the delimiter of a file whose title holds none from the header below
    # it; a workbook's cells are cells: the title is found as in a CSV of commas, a semicolon in a
    # cell stays in it, and nothing is said of a delimiter (HS408)
    _use_engine(monkeypatch, engine)
    names = ["Email", "First Name", "City"]
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": [
        ["Contacts export"], names, ["ann@example.com", "Ann", "Bern"], ["bo@example.com;x", "Bo", "Chur"]]}]})
    report = validate(write(tmp_path, data, headers=tuple(names)))
    assert report.files[0].delimiter is None
    found = [(f.code, f.row, f.column) for f in report.findings if f.code != "HS231"]  # ('first name', 'city')
    assert found == [("HS101", 1, None), ("HS103", 1, None), ("HS608", 1, None)]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_workbook_title_of_several_cells_names_each_cell(tmp_path: Path, engine: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # a workbook's title row was its cells run together: pandas' to_excel of two header levels
    # (Contact over Email and First Name, merged; Stats over Score) was "a title ('ContactStats')"
    _use_engine(monkeypatch, engine)
    names = ["Email", "First Name", "Score"]
    data = make_workbook({"sheets": [{"name": "Sheet1", "merged": ["A1:B1"], "rows": [
        ["Contact", "", "Stats"], names, ["ann@example.com", "Ann", 3]]}]})
    report = validate(write(tmp_path, data, headers=tuple(names)))
    assert [(f.code, f.row, f.column, f.value, f.message) for f in report.findings if f.code == "HS608"] == [
        ("HS608", 1, None, "Contact, Stats", "row 1 looks like a title ('Contact', 'Stats'): the column names the "
         "mappings use are on row 2")]
    one = make_workbook({"sheets": [{"name": "Sheet1", "rows": [["", "Contacts export"], names]}]})
    report = validate(write(tmp_path, one, headers=tuple(names)))
    assert [(f.code, f.row, f.value, f.message) for f in report.findings if f.code == "HS608"] == [
        ("HS608", 1, "Contacts export", "row 1 looks like a title ('Contacts export'): the column names the "
         "mappings use are on row 2")]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_workbooks_header_under_a_title_is_found_whatever_the_chunk_size(tmp_path: Path, engine: str,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # with 1 to 3 rows a chunk the header on row 4 was past the first chunk, where HS608 looked
    # for it: no title, an HS103 per mapping and an HS110 on each title row
    _use_engine(monkeypatch, engine)
    names = ["Email", "First Name", "City"]
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": [
        ["Contacts export"], ["Notes:"], [], names, ["ann@example.com", "Ann", "Bern"], ["bo@example.com", "Bo"], [],
        ["x@example.com", "X", "Y", "Z"]]}]})
    request = write(tmp_path, data, headers=tuple(names))

    def found(chunk_rows: int) -> list[tuple[str, int | None, int | None, str | None, str]]:
        report = validate(request, config=Config(chunk_rows=chunk_rows))
        assert report.files[0].reader == engine
        return [(f.code, f.row, f.column, f.cell, f.message) for f in report.findings if f.code != "HS231"]
    assert [f[:4] for f in found(50)] == [("HS101", 1, None, None), ("HS103", 1, None, None),
                                          ("HS608", 1, None, None), ("HS110", 6, 2, "Contacts!B6"),
                                          ("HS113", 7, None, None), ("HS110", 8, 4, "Contacts!D8")]
    assert found(1) == found(2) == found(3) == found(50)


@pytest.mark.parametrize("engine", ENGINES)
def test_epoch_in_a_number_cell_of_a_date_column(tmp_path: Path, engine: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # fact sheet 6 [V]: Excel epochs in milliseconds are read from Text cells only
    _use_engine(monkeypatch, engine)
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": [
        ["Email", "Close Date"], ["a@x.com", 1698451200000], ["b@x.com", "1698451200000"]]}]})
    report = validate(write(tmp_path, data, headers=("Email", "Close Date")))
    assert report.files[0].reader == engine
    assert [(f.row, f.column, f.cell, f.hubspot_error, f.message) for f in report.findings if f.code == "HS434"] == [
        (2, 2, "Contacts!B2", "COULD_NOT_PARSE_DATE", "'1698451200000' is a UNIX time in milliseconds "
         "(2023-10-28 00:00 UTC) in a number cell; HubSpot reads one from a Text cell only")]


def _numbers_report(tmp_path: Path, headers: tuple[str, str], rows: list[tuple[str, str]]) -> Any:
    """validate() of a sheet of an Email column (a@x.com, b@x.com, ...) and two columns of number
    cells, each ``<v>`` written as given."""
    xml = b'<row r="1">' + _text("A1", "Email") + _text("B1", headers[0]) + _text("C1", headers[1]) + b"</row>"
    for n, (b, c) in enumerate(rows, start=2):
        xml += (f'<row r="{n}">'.encode() + _text(f"A{n}", f"{'abcdefgh'[n - 2]}@x.com")
                + _number(f"B{n}", b) + _number(f"C{n}", c) + b"</row>")
    return validate(write(tmp_path, raw_workbook(sheet(xml)), headers=("Email", *headers)))


@pytest.mark.parametrize("engine", ENGINES)
def test_an_id_past_double_precision_in_a_number_cell_is_one_finding_whichever_reader(
        tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 20-digit Record ID and a 16-digit phone typed as numbers hold doubles: both readers show
    the double (HS427 says the digits are lost; openpyxl showed the digits written), and a 15-digit
    number past 2**53 lost nothing (calamine showed ...4995840 and HS427 fired on it alone), nor
    did the North American phone number 14155550101."""
    _use_engine(monkeypatch, engine)
    report = _numbers_report(tmp_path, ("Record ID", "Phone"), [("12345678901234567890", "9007199254740993"),
                                                               ("123456789012345000000", "14155550101")])
    assert report.files[0].reader == engine and not report.refusals
    assert [(f.row, f.column, f.code, f.value) for f in report.findings if f.code in ("HS426", "HS427")] == [
        (2, 2, "HS426", "12345678901234567000"), (2, 2, "HS427", "12345678901234567000"),
        (2, 3, "HS426", "9007199254740992"), (2, 3, "HS427", "9007199254740992"),
        (3, 2, "HS426", "123456789012345000000")]  # 14155550101: a complete North American number
    lost = next(f for f in report.findings if f.code == "HS427")
    assert lost.message == ("'12345678901234567000' has lost digits to Excel (scientific notation or over 15 "
                            "significant digits)")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_number_cell_id_is_named_only_where_excel_shows_or_keeps_it_otherwise(
        tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """HS426 named every number cell of an ID, phone or postal code column, 42 too. A whole number
    of up to 11 digits is kept and shown exactly: only 12 digits or more (scientific notation in
    General format), fractions, a postal code that lost its zero (HS428 says so of any cell) and
    every phone number but a complete North American one (a number holds no leading + or 0)
    are named."""
    _use_engine(monkeypatch, engine)
    report = _numbers_report(tmp_path, ("Record ID", "Zip"), [
        ("42", "90210"), ("12345678901", "2134"), ("123456789012", "12345.5"), ("12345.0", "60601")])
    assert [(f.row, f.column, f.code, f.message) for f in report.findings if f.code in ("HS426", "HS428")] == [
        (3, 3, "HS426", "'2134' is stored as a number cell, which holds no leading zero, and looks like a postal "
                        "code that lost one; ZIP codes belong in Text cells"),
        (3, 3, "HS428", "postal code '2134' looks like it lost a leading zero"),
        (4, 2, "HS426", _long_id("123456789012")),
        (4, 3, "HS426", "'12345.5' is stored as a number cell with a fraction, which Excel shows as the cell's "
                        "format rounds it; IDs and ZIP codes belong in Text cells")]
    phones = _numbers_report(tmp_path, ("Phone", "Fax"), [("4155550101", "42")])
    assert [(f.row, f.column, f.code, f.message) for f in phones.findings if f.code == "HS426"] == [
        (2, 3, "HS426", f"phone number '42' is stored as a number cell, {_LOST_PLUS}")]


_LOST_PLUS = ("which holds no leading + or 0, and is no complete North American number: one was lost, or its "
              "country is unclear; phones belong in Text cells, as +<country code><number>")

# a Zip column of number cells: 2134 in Excel's Zip Code format (00000, shown 02134), 2134 in none,
# 21340567 in Zip Code + 4 (written 00000\-0000, shown 02134-0567), 90210 in 00000 (nothing lost)
PADDED_ZIPS = {"sheets": [{"name": "Contacts", "rows": [
    ["Email", "Zip"], ["a@x.com", {"v": 2134, "format": "00000"}], ["b@x.com", 2134],
    ["c@x.com", {"v": 21340567, "format": "00000\\-0000"}], ["d@x.com", {"v": 90210, "format": "00000"}]]}]}


def padded_zip_findings(report: Any) -> list[tuple]:
    """HS426's and HS428's findings on PADDED_ZIPS as (row, column, code, message); the messages
    on a cell in a zero-padded format name it and what Excel shows, the others are as before."""
    return [(f.row, f.column, f.code, f.message) for f in report.findings if f.code in ("HS426", "HS428")]


PADDED_ZIP_FINDINGS = [
    (2, 2, "HS426", "'2134' is stored as a number cell, which holds no leading zero: Excel shows '02134' through "
                    "the cell's number format 00000, but the file holds the number; ZIP codes belong in Text cells"),
    (2, 2, "HS428", "postal code '2134' is stored as a number, which holds no leading zero: Excel shows '02134' "
                    "through the cell's number format 00000, but the file holds the number, which HubSpot may "
                    "import without the zero (how it reads a number format is not documented); make the column "
                    "Text, or write '02134' as text"),
    (3, 2, "HS426", "'2134' is stored as a number cell, which holds no leading zero, and looks like a postal code "
                    "that lost one; ZIP codes belong in Text cells"),
    (3, 2, "HS428", "postal code '2134' looks like it lost a leading zero"),
    (4, 2, "HS426", "'21340567' is stored as a number cell, which holds no leading zero: Excel shows '02134-0567' "
                    "through the cell's number format 00000\\-0000, but the file holds the number; ZIP codes "
                    "belong in Text cells"),
    (4, 2, "HS428", "postal code '21340567' is stored as a number, which holds no leading zero: Excel shows "
                    "'02134-0567' through the cell's number format 00000\\-0000, but the file holds the number, "
                    "which HubSpot may import without the zero (how it reads a number format is not documented); "
                    "make the column Text, or write '02134-0567' as text")]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("chunk_rows", [1, 1000])
def test_a_zip_code_in_a_zero_padded_format_is_said_to_show_its_zero_but_not_hold_it(
        tmp_path: Path, engine: str, chunk_rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """HS426 and HS428 said 2134 "looks like it lost a leading zero" where Excel shows 02134: the
    cell's format (00000, Excel's Zip Code) pads it. The file holds 2134, which HubSpot may import
    (how it reads a number format is not documented): the message says what Excel shows, through
    which format, and what the file holds; a cell in no such format keeps the message it had."""
    _use_engine(monkeypatch, engine)
    headers = ("Email", "Zip")
    report = validate(write(tmp_path, make_workbook(PADDED_ZIPS), headers=headers),
                      config=Config(chunk_rows=chunk_rows))
    assert report.files[0].reader == engine and not report.refusals
    assert padded_zip_findings(report) == PADDED_ZIP_FINDINGS
    from validator.report import redact_report  # the values are masked, the workbook's format is not

    masked = [m for *_at, m in padded_zip_findings(redact_report(report))]
    assert not any("2134" in m for m in masked) and "through the cell's number format 00000," in masked[0]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("chunk_rows", [1, 1000])
def test_a_phone_number_in_a_zero_padded_format_is_said_to_show_its_zero_but_not_hold_it(
        tmp_path: Path, engine: str, chunk_rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A UK mobile number typed as 7700900123 in a cell formatted 00000000000 shows 07700900123 in
    Excel: HS426 said its 0 "was lost"; the message says what Excel shows, through which format,
    and that the file holds the number. The same number in no such format keeps its message."""
    _use_engine(monkeypatch, engine)
    book = {"sheets": [{"name": "Contacts", "rows": [
        ["Email", "Phone"], ["a@x.com", {"v": 7700900123, "format": "00000000000"}], ["b@x.com", 7700900123]]}]}
    report = validate(write(tmp_path, make_workbook(book), headers=("Email", "Phone")),
                      config=Config(chunk_rows=chunk_rows))
    assert report.files[0].reader == engine and not report.refusals
    assert [(f.row, f.column, f.code, f.message) for f in report.findings if f.code == "HS426"] == [
        (2, 2, "HS426", "phone number '7700900123' is stored as a number cell, which holds no leading + or 0: Excel "
                        "shows '07700900123' through the cell's number format 00000000000, but the file holds the "
                        "number; phones belong in Text cells, as +<country code><number>"),
        (3, 2, "HS426", f"phone number '7700900123' is stored as a number cell, {_LOST_PLUS}")]


# a Record ID column of number cells in formats that show every whole digit (0, #,##0 and 0.00 are
# Excel's built-in 1, 3 and 2, 000000000000 a custom one), in General, and past 15 significant digits
WHOLE_IDS = {"sheets": [{"name": "Contacts", "rows": [
    ["Email", "Record ID"], ["a@x.com", {"v": 123456789012, "format": "0"}],
    ["b@x.com", {"v": 123456789012, "format": "#,##0"}], ["c@x.com", {"v": 12345.5, "format": "0"}],
    ["d@x.com", 123456789012], ["e@x.com", {"v": 1234567890123456789, "format": "0"}],
    ["f@x.com", 1234567890123456789], ["g@x.com", {"v": 12345678901, "format": "0"}],
    ["h@x.com", {"v": 10 ** 30, "format": "#,##0"}]]}]}


def whole_id_workbook() -> bytes:
    """WHOLE_IDS as an .xlsx, its 19-digit IDs written with every digit (``<v>1234567890123456789</v>``,
    as a writer of 64-bit integers does; openpyxl writes 1.234567890123457e+18)."""
    book = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(make_workbook(WHOLE_IDS))) as src, zipfile.ZipFile(book, "w") as out:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert body.count(b">1.234567890123457e+18<") == 2
                body = body.replace(b">1.234567890123457e+18<", b">1234567890123456789<")
            out.writestr(item, body)
    return book.getvalue()


def _long_id(value: str) -> str:
    return (f"'{value}' is stored as a number cell with 12 digits or more, which Excel shows in scientific notation "
            "(1.23457E+11) in the General format (a Number format such as 0 shows every digit, but the cell still "
            "holds a number); IDs and ZIP codes belong in Text cells")


_LOST_15 = ("'1234567890123456800' is stored as a number cell with more than 15 significant digits: the cell holds "
            "that number, not the digits typed, and Excel keeps 15 of them, so the digits past the 15th are lost "
            "whatever the cell's number format shows; IDs and ZIP codes belong in Text cells")
WHOLE_ID_FINDINGS = [
    (2, 2, "HS426", _long_id("123456789012")), (3, 2, "HS426", _long_id("123456789012")),
    (4, 2, "HS426", "'12345.5' is stored as a number cell with a fraction, which Excel shows as the cell's format "
                    "rounds it; IDs and ZIP codes belong in Text cells"),
    (5, 2, "HS426", _long_id("123456789012")), (6, 2, "HS426", _LOST_15), (7, 2, "HS426", _LOST_15),
    (9, 2, "HS426", _long_id("1" + "0" * 30))]


def whole_id_findings(report: Any) -> list[tuple]:
    return [(f.row, f.column, f.code, f.message) for f in report.findings if f.code == "HS426"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("chunk_rows", [1, 1000])
def test_an_ids_message_is_true_whatever_its_cells_number_format(
        tmp_path: Path, engine: str, chunk_rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """HS426 said a 12-digit ID "Excel shows in scientific notation" whatever the cell's format:
    true of General alone, and the reader gives no cell's format. In 0 or #,##0 Excel shows every
    digit: the message now says General's notation and that a Number format shows the digits, but
    the cell still holds a number. Past 15 significant digits (1234567890123456789 written, a
    number cell holds 1234567890123456800) the digits are lost whatever the format shows, and the
    message says so, as it did not (it spoke of scientific notation alone); an 11-digit ID is quiet."""
    _use_engine(monkeypatch, engine)
    report = validate(write(tmp_path, whole_id_workbook(), headers=("Email", "Record ID")),
                      config=Config(chunk_rows=chunk_rows))
    assert report.files[0].reader == engine and not report.refusals
    assert whole_id_findings(report) == WHOLE_ID_FINDINGS
    from validator.report import redact_report  # the values are masked, the rule's own text is not

    masked = [m for *_at, m in whole_id_findings(redact_report(report))]
    assert not any("12345" in m for m in masked) and "more than 15 significant digits" in masked[4]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_complete_north_american_phone_number_in_a_number_cell_lost_nothing(
        tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """HS426 named every phone number in a number cell, 6175551234 too: a complete North American
    number (10 digits, area code and exchange starting with 2-9, perhaps after a 1) had no + or 0
    to lose. An international number that needed its +, a national one that needed its 0 (the
    UK mobile 07700 900123, 10 digits, its exchange 090), an area code starting with 0 or 1, and
    a number too short or too long for North America are still named."""
    _use_engine(monkeypatch, engine)
    report = _numbers_report(tmp_path, ("Phone", "Mobile phone"), [
        ("6175551234", "16175551234"),       # complete: quiet
        ("2125550199", "19995550100"),       # complete: quiet
        ("447700900123", "7700900123"),      # lost a +, lost a 0
        ("1175551234", "10175551234"),       # area codes 117 and 017
        ("6171234567", "5551234"),           # exchange 123; 7 digits
        ("616175551234", "26175551234")])    # 12 digits; 11 not starting with 1
    assert report.files[0].reader == engine
    assert [(f.row, f.column, f.code, f.message) for f in report.findings if f.code == "HS426"] == [
        (4, 2, "HS426", f"phone number '447700900123' is stored as a number cell, {_LOST_PLUS}"),
        (4, 3, "HS426", f"phone number '7700900123' is stored as a number cell, {_LOST_PLUS}"),
        (5, 2, "HS426", f"phone number '1175551234' is stored as a number cell, {_LOST_PLUS}"),
        (5, 3, "HS426", f"phone number '10175551234' is stored as a number cell, {_LOST_PLUS}"),
        (6, 2, "HS426", f"phone number '6171234567' is stored as a number cell, {_LOST_PLUS}"),
        (6, 3, "HS426", f"phone number '5551234' is stored as a number cell, {_LOST_PLUS}"),
        (7, 2, "HS426", f"phone number '616175551234' is stored as a number cell, {_LOST_PLUS}"),
        (7, 3, "HS426", f"phone number '26175551234' is stored as a number cell, {_LOST_PLUS}")]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_north_american_shaped_phone_number_is_named_in_a_row_of_another_country(
        tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A number of North American shape lost nothing only where the row's country is blank or
    a member of the plan (any case, trimmed); in a German row, 3012345678 lost its +49."""
    _use_engine(monkeypatch, engine)
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": [
        ["Email", "Phone", "Country"],
        ["a@x.com", 3012345678, "Germany"], ["b@x.com", 6175551234, " Canada "], ["c@x.com", 6175551235, ""],
        ["d@x.com", 6175551236, "united states"], ["e@x.com", 8765551234, "Jamaica"],
        ["f@x.com", 7700900123, "Canada"]]}]})
    report = validate(write(tmp_path, data, headers=("Email", "Phone", "Country")))
    assert report.files[0].reader == engine
    assert [(f.row, f.column, f.code, f.message) for f in report.findings if f.code == "HS426"] == [
        (2, 2, "HS426", "phone number '3012345678' is stored as a number cell, which holds no leading + or 0, "
                        "and the row's country is not North American: its country code or trunk 0 was lost; "
                        "phones belong in Text cells, as +<country code><number>"),
        (7, 2, "HS426", f"phone number '7700900123' is stored as a number cell, {_LOST_PLUS}")]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_phone_property_known_by_its_field_type_is_a_phone_column(
        tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A portal's phone property is a string whose fieldType is phonenumber, as HubSpot's own
    are: one whose name says nothing of phones (WhatsApp) was no identifier column, so HS426 did
    not name its number cells, nor HS427 its scientific notation in a CSV."""
    _use_engine(monkeypatch, engine)
    portal = tmp_path / "portal"
    shutil.copytree(ROOT / "fixtures" / "portal", portal)
    path = portal / "properties" / "contacts.json"
    body = json.loads(path.read_text(encoding="utf-8"))
    body["results"].append({"name": "whatsapp", "label": "WhatsApp", "type": "string", "fieldType": "phonenumber"})
    path.write_text(json.dumps(body), encoding="utf-8")
    config = Config(portal=portal)
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": [
        ["Email", "WhatsApp"], ["a@x.com", 447700900123], ["b@x.com", "+447700900124"]]}]})
    report = validate(write(tmp_path, data, headers=("Email", "WhatsApp")), config=config)
    assert report.files[0].reader == engine
    assert [(f.row, f.column, f.code, f.message) for f in report.findings if f.code in ("HS426", "HS427")] == [
        (2, 2, "HS426", f"phone number '447700900123' is stored as a number cell, {_LOST_PLUS}")]
    (tmp_path / "contacts.csv").write_text("Email,WhatsApp\na@x.com,4.47701E+11\n", encoding="utf-8")
    csv_request = request("contacts.csv", ("Email", "WhatsApp"))
    csv_request["files"][0]["fileFormat"] = "CSV"
    (tmp_path / "import.json").write_text(json.dumps(csv_request), encoding="utf-8")
    report = validate(tmp_path / "import.json", config=config)
    assert [(f.row, f.column, f.code) for f in report.findings if f.code in ("HS426", "HS427")] == [(2, 2, "HS427")]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_computed_fraction_has_lost_no_digits_whichever_reader(
        tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``=0.1+0.2`` and ``=100*1.1`` hold 0.30000000000000004 and 110.00000000000001 (Excel
    writes every digit of the double, shows 15): no digit anyone wrote is lost, so no HS427;
    a fraction whose whole part is past 15 digits (a double past 2**53 is a whole number) is."""
    _use_engine(monkeypatch, engine)
    report = _numbers_report(tmp_path, ("Amount", "Ratio"), [("0.30000000000000004", "110.00000000000001"),
                                                            ("-0.1234567890123456789", "1234567890123456789.5")])
    assert report.files[0].reader == engine and not report.refusals
    assert [(f.row, f.column, f.code, f.value) for f in report.findings if f.code == "HS427"] == [
        (3, 3, "HS427", "1234567890123456800")]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("mac", [False, True])
def test_a_serial_day_in_a_number_cell_of_a_date_column_is_a_date(tmp_path: Path, engine: str, mac: bool,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # fact sheet 6 [V]: Excel date cells are to be in Number format, so 45366 in a number cell
    # is 15 March 2024 (HS201 called it no date): HS429 names the day it stands for (hostile D6)
    # with no errorType; the same digits as text are no date (HS201, HS429)
    import openpyxl

    _use_engine(monkeypatch, engine)
    wb = openpyxl.Workbook()
    if mac:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904

        wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    serial = 43904 if mac else 45366  # 2024-03-15 in either date system
    for row in (["Email", "Close Date"], ["a@x.com", serial], ["b@x.com", serial + 0.5], ["c@x.com", str(serial)],
                ["d@x.com", 5]):
        ws.append(row)
    out = tmp_path / "contacts.xlsx"
    wb.save(out)
    report = validate(write(tmp_path, out.read_bytes(), headers=("Email", "Close Date")))
    assert report.files[0].reader == engine
    system = " in the 1904 date system" if mac else ""
    read_as = "is a number cell in a date column: read as the Excel serial date '2024-03-15'" + (
        " (1904 date system)" if mac else "")
    assert sorted((f.code, f.row, f.column, f.hubspot_error, f.message) for f in report.findings) == [
        ("HS201", 4, 2, "COULD_NOT_PARSE_DATE", f"'{serial}' is not a MONTH_DAY_YEAR datetime"),
        ("HS429", 2, 2, None, f"'{serial}' {read_as}"),
        ("HS429", 3, 2, None, f"'{serial + 0.5}' {read_as.replace('-15', '-15 12:00')}"),
        ("HS429", 4, 2, "COULD_NOT_PARSE_DATE",
         f"'{serial}' looks like an Excel serial date ('2024-03-15' as an Excel serial date{system})"),
        ("HS429", 5, 2, None, "'5' is a number cell in a date column: read as the Excel serial date "
         + ("'1904-01-06' (1904 date system)" if mac else "'1900-01-05'")
         + "; far from today: was a year or another number meant?")]


SHAPES = {"sheets": [{"name": "S", "rows": [
    ["Email", "Id", "When", None, "Score"],
    ["a@x.com", 1, dt.date(2024, 1, 2), None, 0.5],
    [],
    [],
    ["b@x.com", 2, dt.datetime(2024, 1, 2, 3, 4, 5), None, True, "extra"],
    ["c@x.com", None, None, None, "#N/A"],
    [],
    ["d@x.com", "=A1", dt.time(9, 30), None, 1e-07],
    ["e@x.com", 123456789012, dt.date(1999, 12, 31), None, -2.5],
    [None, None, None, None, None, None, None, "far"],
    ["f@x.com", 7, None, None, None],
    [],
]}]}


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 50_000])
def test_both_cell_readers_cut_the_same_chunks(chunk_rows: int) -> None:
    data = make_workbook(SHAPES)
    seen = []
    for engine in ENGINES:
        reader, notes, chunks = _read(data, engine, chunk_rows=chunk_rows)
        assert notes.reader == engine and reader.width == 5  # the trailing blank header cell is dropped
        seen.append(([(c.frame.index.tolist(), c.frame.values.tolist(), c.kinds.values.tolist(), c.notes)
                      for c in chunks], notes.records))
    assert all(s == seen[0] for s in seen)
    chunks, records = seen[0]
    assert records == 10
    assert [row for rows, *_ in chunks for row in rows] == [2, 6, 8, 9, 11]
    notes = [(n.kind, n.row, n.rows, n.fields) for *_, ns in chunks for n in ns]
    assert notes == [("blank", 3, 2, 0), ("ragged", 5, 1, 6), ("blank", 7, 1, 0), ("ragged", 10, 1, 8)]
    if chunk_rows == 50_000:
        (_rows, values, kinds, _notes), = chunks
        assert values[2] == ["d@x.com", "", "09:30", "", "0.0000001"]
        assert kinds[2] == ["s", "f", "t", "", "n"]


def test_ooxml_escapes_decode_the_same_on_both_readers() -> None:
    data = raw_workbook(sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>Note</t></is></c></row>'
                              b'<row r="2"><c r="A2" t="inlineStr"><is><t>a_x000D_b _x005F_x000D_</t></is></c></row>'
                              b'<row r="3"><c r="A3" t="inlineStr"><is><t>lone _xD800_ half</t></is></c></row>'))
    for engine in ENGINES:
        reader = XlsxReader(io.BytesIO(data), ReaderNotes(), size=None, engine=engine)
        assert [c.frame.values.tolist() for c in reader.chunks()] == [[["a\rb _x000D_"], ["lone _xD800_ half"]]], engine
        reader.close()
    from validator.readers.xlsx import column_texts

    assert column_texts(("a\ud800", None))[0].to_pylist() == ["a_xD800_", ""]
    # a lone surrogate before a number: the text path gives up, and the column is split by type
    texts, kinds = column_texts(("a\ud800", 1.5, None, True))
    assert texts.to_pylist() == ["a_xD800_", "1.5", "", "TRUE"] and kinds.tolist() == [1, 2, 0, 5]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_blank_last_header_cell_is_a_column_as_in_a_csv(tmp_path: Path, engine: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A header cell holding only a space is a column with a blank name (HS105, as the same CSV
    gives), not dropped as an empty cell would be (HS101, HS103, HS110)."""
    _use_engine(monkeypatch, engine)
    rows = [["Email", "First Name", " "], ["a@example.com", "Ann", "Lee"]]
    data = X.xlsx(rows)
    reader = XlsxReader(io.BytesIO(data), ReaderNotes(), size=len(data), engine=engine)
    try:
        assert reader.header is not None and reader.header.cells == ("Email", "First Name", " ")
    finally:
        reader.close()
    mappings = [{"columnObjectTypeId": "0-1", "columnName": c, "propertyName": p}
                for c, p in (("Email", "email"), ("First Name", "firstname"), (" ", "lastname"))]
    found = []
    for name, body in (("contacts.xlsx", data), ("contacts.csv", b"Email,First Name, \r\na@example.com,Ann,Lee\r\n")):
        (tmp_path / name).write_bytes(body)
        req = {"name": "t", "files": [{"fileName": name, "fileFormat": "SPREADSHEET" if name.endswith("x") else "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}
        (tmp_path / "import.json").write_text(json.dumps(req))
        report = validate(tmp_path / "import.json")
        found.append(sorted((f.code, f.row, f.column) for f in report.findings if f.severity is not None
                            and f.severity.label != "info"))
    assert found[0] == found[1] == [("HS105", 1, 3)]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_formula_whose_cached_value_is_empty_text_has_a_value(tmp_path: Path, engine: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Excel saves a formula giving "" as a text formula (t="str") with an empty cached value
    (<v></v> or <v/>): the cell is empty, not a formula without a computed value (HS423). That is
    one without <v>, or with openpyxl's <v/> and no type."""
    _use_engine(monkeypatch, engine)
    formula = '<c r="B{n}"{t}><f>IF(TRUE,"","x")</f>{v}</c>'
    cells = [(' t="str"', "<v></v>"), (' t="str"', "<v/>"), (' t="str"', "<v />"), (' t="str"', ""), ("", "<v />")]
    rows = [["Email", "City"]] + [[f"p{n}@example.com", ("x", formula.format(n=n, t=t, v=v))]
                                  for n, (t, v) in enumerate(cells, start=2)]
    (tmp_path / "contacts.xlsx").write_bytes(X.xlsx(rows))
    req = tmp_path / "import.json"
    req.write_text(json.dumps(request("contacts.xlsx", ("Email", "City"))))
    found = [(f.code, f.cell) for f in validate(req).findings if f.code.startswith("HS4")]
    assert found == [("HS423", "Contacts!B5"), ("HS423", "Contacts!B6")]


# -- the issue's acceptance checks ----------------------------------------------------------------
def test_mixed_workbook_reported_cell_by_cell_with_sheet_name(tmp_path: Path) -> None:
    report = validate(write(tmp_path, make_workbook(MIXED)))
    assert not report.refusals
    found = {(f.code, f.cell) for f in report.findings if f.code.startswith("HS4")}
    assert found == {
        ("HS419", "Contacts!C2"),  # the Excel date cell, read by dateFormat (information)
        ("HS420", None),  # two sheets (file level)
        ("HS423", "Contacts!D2"),  # formula without a cached value
        ("HS424", "Contacts!E2"),  # #N/A
        ("HS426", "Contacts!B2"),  # 12-digit ID in a number cell
    }
    sheet_count = next(f for f in report.findings if f.code == "HS420")
    assert sheet_count.sheet == "Contacts" and "'Notes'" in sheet_count.message
    assert all(f.sheet == "Contacts" for f in report.findings if f.file == "contacts.xlsx")
    code, _out, err = cli(str(tmp_path / "import.json"))
    assert code == 1 and "Traceback" not in err


def test_clean_one_sheet_workbook_passes(tmp_path: Path) -> None:
    req = write(tmp_path, make_workbook(CLEAN))
    report = validate(req)
    assert [f for f in report.findings if f.severity is not None and f.severity.label != "info"] == []
    code, out, err = cli(str(req))
    assert code == 0, out + err


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("zip-bomb", lambda: zip_bomb(64), "ZIP bomb"),
    ("entity-bomb", entity_bomb, "DTD or entities"),
    ("encrypted", encrypted_workbook, "password-protected"),
])
def test_hostile_workbooks_refused_fast_and_small(tmp_path: Path, name: str, data, reason: str) -> None:
    req = write(tmp_path, data(), headers=("Email",))
    code, err, seconds, rss = cli_measured(str(req))
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and reason in lines[0] and "refused" in lines[0], err
    assert "Traceback" not in err
    assert seconds < 5, seconds
    assert rss < 300, rss


# -- pre-checks, one by one ---------------------------------------------------------------------------
def refusal(data: bytes) -> Refused:
    with pytest.raises(Refused) as info:
        reader = XlsxReader(io.BytesIO(data), ReaderNotes(), size=len(data))
        reader.close()
    return info.value


def test_declared_size_that_lies_is_refused() -> None:
    good = zip_bomb(1)
    patched = bytearray(good)
    # shrink the sheet's declared size in the local header and the central directory
    name = b"xl/worksheets/sheet1.xml"
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = 0
        while (pos := patched.find(sig, pos)) >= 0:
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if patched[name_at: name_at + len(name)] == name:
                size = struct.unpack_from("<I", patched, pos + size_at)[0]
                if size != 0xFFFFFFFF:
                    struct.pack_into("<I", patched, pos + size_at, 1000)
            pos += 4
    exc = refusal(bytes(patched))
    assert exc.code in ("bad-zip", "bad-xml")


def test_too_many_entries_and_overlap_and_missing_content_types() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for i in range(MAX_ENTRIES + 1):
            zf.writestr(f"x{i}", b"")
    assert refusal(out.getvalue()).code == "zip-bomb"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("a.xml", b"<a/>")
    assert refusal(out.getvalue()).code == "not-a-workbook"


def test_cells_beyond_excel_limits_are_refused_before_any_reader() -> None:
    data = raw_workbook(sheet(b'<row r="5000000"><c r="A5000000"><v>1</v></c></row>'))
    assert refusal(data).code == "beyond-limits"


@pytest.mark.parametrize(("cells", "named"), [
    # the header reaches column D; the far cell is in column A: its own column is named
    (b'<row r="5000000"><c r="A5000000"><v>1</v></c></row>', "cell A5000000 (row 5,000,000, column 1)"),
    (b'<row r="2"><c r="B2"><v>1</v></c><c r="XFE2"><v>2</v></c></row>', "cell XFE2 (row 2, column 16,385)"),
])
def test_a_cell_beyond_excel_limits_is_named_by_its_own_reference(cells: bytes, named: str) -> None:
    header = b"".join(b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (c, c) for c in (b"A", b"B", b"C", b"D"))
    exc = refusal(raw_workbook(sheet(b'<row r="1">' + header + b"</row>" + cells)))
    assert str(exc) == (f"sheet part 'xl/worksheets/sheet1.xml' has {named}, beyond Excel's 1,048,576 rows x "
                        "16,384 columns (HubSpot: INVALID_SPREADSHEET)")


_HEAD = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c><c r="B1" t="inlineStr"><is><t>Name</t></is>'
         b"</c></row>")


def _text(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("block", [4 << 20, 97])  # one window, or many (the repeat in another window)
@pytest.mark.parametrize(("rows", "twice"), [
    # the same row twice: calamine kept the second's cells, openpyxl the first's
    ([b'<row r="2">' + _text("A2", "not-an-email") + _text("B2", "Ann") + b"</row>",
      b'<row r="2">' + _text("A2", "b@x.com") + _text("B2", "Bo") + b"</row>"], "A2"),
    # a cell twice in its row: both readers kept the second
    ([b'<row r="2">' + _text("A2", "not-an-email") + _text("A2", "b@x.com") + _text("B2", "Bo") + b"</row>"], "A2"),
    # after rows out of order
    ([b'<row r="3">' + _text("A3", "c@x.com") + b"</row>", b'<row r="2">' + _text("B2", "x") + b"</row>",
      b'<row r="3">' + _text("B3", "Cy") + _text("B3", "Cy") + b"</row>"], "B3"),
])
def test_a_cell_written_twice_is_refused_naming_it(engine: str, block: int, rows: list[bytes], twice: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import validator.readers.xlsx_container as container

    monkeypatch.setattr(container, "BLOCK", block)
    exc = read_refusal(raw_workbook(sheet(_HEAD + b"".join(rows))), engine)
    assert str(exc) == (f"sheet part 'xl/worksheets/sheet1.xml' has cell {twice} twice (a row or cell written "
                        "again); readers keep only one of its values")


def _out_of_order(row: int, after: int) -> str:
    return (f"sheet part 'xl/worksheets/sheet1.xml' has row {row} after row {after} (rows out of order, which "
            "readers number differently: open it in Excel, which puts them in order, and save it again)")


def _untagged(rows: bytes) -> bytes:
    """The rows without their r attributes (the cells keep their references)."""
    return rows.replace(b'<row r="1">', b"<row>").replace(b'<row r="2">', b"<row>").replace(b'<row r="3">', b"<row>")


_ROWS_OUT_OF_ORDER = [  # (rows after the header, the row named, the row it comes after)
    # a row placed after a higher one: calamine sorted it in, openpyxl's reader refused it
    (b'<row r="5">' + _text("A5", "e@x.com") + b'</row><row r="3">' + _text("A3", "c@x.com") + b"</row>", 3, 5),
    # ... with another row between them
    (b'<row r="3">' + _text("A3", "c@x.com") + b'</row><row r="4">' + _text("A4", "d@x.com") + b"</row>"
     b'<row r="2">' + _text("A2", "b@x.com") + _text("B2", "Bo") + b"</row>", 2, 4),
    # rows without r: openpyxl numbered them in the order written (c@x.com on row 2, though its
    # cell is A3), calamine by the cells' references
    (_untagged(b'<row r="3">' + _text("A3", "c@x.com") + b'</row><row r="2">' + _text("A2", "b@x.com") + b"</row>"),
     2, 3),
    # cells without a reference (read by openpyxl only): the reader's own refusal, in the same words
    (b'<row r="3"><c t="inlineStr"><is><t>c@x.com</t></is></c></row>'
     b'<row r="2"><c t="inlineStr"><is><t>b@x.com</t></is></c></row>', 2, 3),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("block", [4 << 20, 61])  # one window, or many (the rows in windows of their own)
@pytest.mark.parametrize(("rows", "row", "after"), _ROWS_OUT_OF_ORDER)
def test_rows_out_of_order_are_refused_by_both_readers_naming_them(engine: str, block: int, rows: bytes, row: int,
                                                                   after: int,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows out of order, no cell twice: calamine sorted them into place, openpyxl's streaming
    reader refused them (and, with rows without r, numbered them as written): the pre-scan
    refuses them before either reader, one line naming the rows."""
    import validator.readers.xlsx_container as container

    monkeypatch.setattr(container, "BLOCK", block)
    exc = read_refusal(raw_workbook(sheet(_HEAD + rows)), engine)
    assert (exc.code, str(exc)) == ("bad-workbook", _out_of_order(row, after))


def test_the_header_after_a_data_row_is_refused_whichever_reader(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from validator.findings import Refusal

    data = raw_workbook(sheet(b'<row r="2">' + _text("A2", "b@x.com") + _text("B2", "Bo") + b"</row>" + _HEAD))
    for engine in ENGINES:
        _use_engine(monkeypatch, engine)
        report = validate(write(tmp_path, data, headers=("Email", "Name")))
        assert report.refusals == [Refusal("contacts.xlsx", _out_of_order(1, 2), "bad-workbook")], engine
        assert not [f for f in report.findings if f.file == "contacts.xlsx"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("rows", "expected"), [
    # row 2 written in two elements, a cell in each: one row (openpyxl refused "row 2 after row 2")
    (b'<row r="2">' + _text("A2", "b@x.com") + b'</row><row r="2">' + _text("B2", "Bo") + b"</row>",
     [(2, ["b@x.com", "Bo"])]),
    # a row without cells after a higher one holds nothing to misplace (openpyxl refused it)
    (b'<row r="5"/><row r="3">' + _text("A3", "c@x.com") + b"</row>", [(3, ["c@x.com", ""])]),
    # a cell whose reference names a row other than its row element's: the cell's (openpyxl's
    # reader put e@x.com on row 2)
    (b'<row r="2">' + _text("A5", "e@x.com") + b"</row>", [(5, ["e@x.com", ""])]),
])
def test_rows_are_where_their_cells_references_put_them_on_both_readers(engine: str, rows: bytes,
                                                                       expected: list) -> None:
    _reader, _notes, chunks = _read(raw_workbook(sheet(_HEAD + rows)), engine)
    assert [(r, v) for c in chunks for r, v in zip(c.frame.index.tolist(), c.frame.values.tolist(), strict=True)] == \
        expected


def test_a_cell_twice_in_a_sheet_only_the_streaming_reader_reads_is_refused_by_it() -> None:
    """A used range too large for calamine (a cell in XFD40000): no second pass over the part; the
    streaming reader meets the repeat in its row."""
    far = b'<row r="40000"><c r="XFD40000"><v>1</v></c></row>'
    for twice in (b'<row r="2">' + _text("A2", "a@x.com") + _text("A2", "b@x.com") + b"</row>",
                  # in two elements of the row (its cells joined, as calamine's are)
                  b'<row r="2">' + _text("A2", "a@x.com") + b'</row><row r="2">' + _text("A2", "b@x.com") + b"</row>"):
        data = raw_workbook(sheet(_HEAD + twice + far))
        exc = read_refusal(data, ENGINES[-1])
        assert str(exc) == ("sheet part 'xl/worksheets/sheet1.xml' has cell A2 twice (a row or cell written again); "
                            "readers keep only one of its values")


_ROW2 = b'<row r="2">' + _text("A2", "a@x.com") + _text("B2", "Ann") + b"</row>"
_ROW3 = b'<row r="3">' + _text("A3", "b@x.com") + _text("B3", "Bo") + b"</row>"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("rows", "column"), [
    (b"<row>" + _HEAD + _ROW2, 363),  # an extra <row> before the first
    (_HEAD + _ROW2[:-6] + _ROW3, 466),  # row 2 never closed
    (_HEAD + _ROW2 + _ROW3[:-6], 466),  # the last row never closed
    (_HEAD + b'<row r="2">' + _ROW3, 368),  # a row without cells never closed
    (_HEAD + _ROW2[:-6 - len(_text("B2", "Ann"))] + b'<c r="B2"/>' + _ROW3, 430),  # ... after a cell "/>"
])
def test_a_sheet_whose_rows_are_not_closed_is_refused_naming_the_part(engine: str, rows: bytes, column: int) -> None:
    """python-calamine read these as if the end tags were there (hostile-inputs E16)."""
    exc = read_refusal(raw_workbook(sheet(rows)), engine)
    assert exc.code == "bad-xml"
    assert str(exc) == (f"part 'xl/worksheets/sheet1.xml' is not well-formed XML at line 1, column {column} "
                        "(mismatched tag; HubSpot: INVALID_SPREADSHEET)")


@pytest.mark.parametrize(("rows", "parsed"), [
    (_HEAD + _ROW2 + _ROW3, False),
    # Excel's rows: long start tags, rows without cells between (a row height), the first row's
    # start tag after <sheetData>, in windows of their own too
    (b'<row r="1" spans="1:2" s="2" customFormat="1" ht="20.25" customHeight="1" x14ac:dyDescent="0.3">'
     + _HEAD[len(b'<row r="1">'):] + b'<row r="2" spans="1:2" ht="30" customHeight="1" x14ac:dyDescent="0.25"/>'
     + b'<row r="3" spans="1:2" x14ac:dyDescent="0.25">' + _ROW3[len(b'<row r="3">'):], False),
    (b"\n" + _HEAD + b"\n" + _ROW2 + b"\n", True),  # white space between rows: expat decides
    (_HEAD + _ROW2.replace(b'<c r="A2"', b"<c"), True),  # a cell without a reference: likewise
])
@pytest.mark.parametrize("block", [4 << 20, 61])
def test_rows_in_excels_shape_need_no_parse(rows: bytes, parsed: bool, block: int,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import validator.readers.xlsx_container as container

    monkeypatch.setattr(container, "BLOCK", block)
    head = b'<worksheet xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" '
    data = raw_workbook(sheet(rows).replace(b"<worksheet ", head, 1))
    zf = open_zip(io.BytesIO(data), len(data))
    try:
        assert scan_sheet(zf, "xl/worksheets/sheet1.xml", Budget(1 << 30)).unproven is parsed
    finally:
        zf.close()


def test_reader_choice_follows_the_dense_size() -> None:
    near = raw_workbook(sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c></row>'
                              b'<row r="3"><c r="XFD3"><v>1</v></c></row>'))
    far = raw_workbook(sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c></row>'
                             b'<row r="40000"><c r="XFD40000"><v>1</v></c></row>'))
    for data, engine in ((near, ENGINES[-1]), (far, "openpyxl")):
        notes = ReaderNotes()
        reader = XlsxReader(io.BytesIO(data), notes, size=len(data))
        try:
            assert notes.reader == engine
            notes_seen = [(n.kind, n.row, n.fields) for c in reader.chunks() for n in c.notes]
        finally:
            reader.close()
        assert notes_seen[-1] == ("ragged", 40000 if data is far else 3, 16384)


def test_shared_string_count_that_cannot_fit_is_refused() -> None:
    sst = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
           b'2006/main" count="4294967295" uniqueCount="4294967295"><si><t>a</t></si></sst>')
    data = raw_workbook(sheet(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), {"xl/sharedStrings.xml": sst})
    assert refusal(data).code == "bad-xml"


def test_entities_refused_in_any_part() -> None:
    dtd = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    data = raw_workbook(sheet(b""), {"xl/styles.xml": dtd})
    assert refusal(data).code == "xml-entities"


def test_styles_bomb_is_refused() -> None:
    styles = b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>' + (
        b'<xf numFmtId="0"/>' * 1_000_000) + b"</cellXfs></styleSheet>"
    data = raw_workbook(sheet(b""), {"xl/styles.xml": styles})
    exc = refusal(data)
    assert exc.code == "zip-bomb" and "styles.xml" in str(exc)


def _styles_with_format(code: bytes) -> bytes:
    return (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1">'
            b'<numFmt numFmtId="164" formatCode="' + code + b'"/></numFmts><cellXfs count="2"><xf numFmtId="0"/>'
            b'<xf numFmtId="164"/></cellXfs></styleSheet>')


def test_a_number_format_code_past_excels_255_characters_is_refused() -> None:
    # openpyxl's is_date_format (and the scan's own) were quadratic in a code's "["s: a 64,000-character
    # code of them took 7 s, a 16 MiB styles part hours; Excel writes at most 255 characters
    data = raw_workbook(sheet(b'<row r="1"><c r="A1" s="1"><v>1</v></c></row>'),
                        {"xl/styles.xml": _styles_with_format(b"[" * 256)})
    exc = refusal(data)
    assert exc.code == "bad-workbook"
    assert str(exc).startswith("part 'xl/styles.xml' has a number format code of 256 characters (numFmtId 164), "
                               "more than Excel's 255")
    # 255 characters, an entity counted as the one character it is: read
    fine = raw_workbook(sheet(b'<row r="1"><c r="A1" s="1"><v>1</v></c></row>'),
                        {"xl/styles.xml": _styles_with_format(b"0" + b"&quot;" * 254)})
    XlsxReader(io.BytesIO(fine), ReaderNotes(), size=len(fine)).close()


def test_utf16_xml_part_is_refused() -> None:
    data = raw_workbook('<?xml version="1.0" encoding="UTF-16"?><worksheet/>'.encode("utf-16"))
    assert refusal(data).code == "bad-xml"


def test_an_ole2_file_is_refused_with_a_clear_reason_unless_it_is_an_xls() -> None:
    assert ole_refusal(io.BytesIO(ole_file(("Workbook", "SummaryInformation"))), None) is None  # readers/xls.py
    assert ole_refusal(io.BytesIO(ole_file(("Book",))), None).code == "legacy-xls"  # Excel 5.0/95
    assert ole_refusal(io.BytesIO(encrypted_workbook()), None).code == "encrypted"
    assert ole_refusal(io.BytesIO(ole_file(("WordDocument",))), None).code == "not-a-workbook"


def test_hidden_rows_cols_and_merges_found_by_the_byte_scan() -> None:
    wb = make_workbook({"sheets": [{"name": "S", "rows": [["a", "b", "c"], [1, 2, 3]], "hidden_rows": [2],
                                    "hidden_cols": ["B"], "merged": ["A1:B1"]}]})
    zf = open_zip(io.BytesIO(wb), len(wb))
    part = next(n for n in zf.namelist() if "worksheets/sheet" in n)
    scan = scan_sheet(zf, part, Budget(1 << 30))
    zf.close()
    assert scan.hidden_rows == {2} and scan.hidden_cols == {2} and scan.merged == [(1, 1, 1, 2)]
    assert (scan.max_row, scan.max_col) == (2, 3)


def test_library_caller_stream_is_read_and_left_open() -> None:
    stream = io.BytesIO(make_workbook(MIXED))
    report = validate(request(), files={"contacts.xlsx": stream}, base_dir="/nonexistent")
    assert not report.refusals and not stream.closed
    assert ("HS424", "Contacts!E2") in {(f.code, f.cell) for f in report.findings}



# -- a reader's failure explained: the malformed part, the cell at fault (hostile-inputs E16, F5) -------
def read_refusal(data: bytes, engine: str) -> Refused:
    with pytest.raises(Refused) as info:
        reader = XlsxReader(io.BytesIO(data), ReaderNotes(), size=len(data), engine=engine)
        try:
            for _chunk in reader.chunks():
                pass
        finally:
            reader.close()
    return info.value


def test_invalid_xml_character_is_refused_before_any_reader_with_its_line_and_column() -> None:
    rows = X.sheet_xml([["Email"], ["a@x.com"]]).replace("<row ", "\n<row ").replace("a@x.com", "a@x\x01.com")
    line = rows.split("\n")[3]  # the declaration, <worksheet ...>, row 1, row 2
    exc = refusal(X.build(X.parts(sheets={"Contacts": rows})))
    assert exc.code == "bad-xml"
    assert str(exc) == ("part 'xl/worksheets/sheet1.xml' is not well-formed XML at line 4, "
                        f"column {line.index(chr(1)) + 1}, in cell A2 (invalid character U+0001; HubSpot: "
                        "INVALID_SPREADSHEET)")
    p = X.parts([["Email"], [("s", 0)]], shared=["a\x1bb"])
    column = str(p["xl/sharedStrings.xml"]).split("\n")[1].index("\x1b") + 1
    assert str(refusal(X.build(p))) == (f"part 'xl/sharedStrings.xml' is not well-formed XML at line 2, "
                                        f"column {column} (invalid character U+001B; HubSpot: INVALID_SPREADSHEET)")
    # the same control as a character reference, which python-calamine would decode into the cell
    rows = X.sheet_xml([["Email"], ["a@x.com"]]).replace("<row ", "\n<row ").replace("a@x.com", "a&#x1;x.com")
    column = rows.split("\n")[3].index("&#x1;") + 1
    assert str(refusal(X.build(X.parts(sheets={"Contacts": rows})))) == (
        f"part 'xl/worksheets/sheet1.xml' is not well-formed XML at line 4, column {column}, in cell A2 "
        "(reference to invalid character number; HubSpot: INVALID_SPREADSHEET)")


@pytest.mark.parametrize(("encoding", "reason"), [
    ("UTF-0x8", "unknown encoding: UTF-0x8"),  # no codec of that name (a fuzzed workbook)
    ("shift_jis", "multi-byte encodings are not supported"),  # a codec expat cannot take
])
@pytest.mark.parametrize("part", ["_rels/.rels", "xl/worksheets/sheet1.xml"])
def test_a_part_declaring_an_encoding_expat_cannot_use_is_refused_not_raised(part: str, encoding: str,
                                                                           reason: str) -> None:
    # the explanation of a control character parses the part again with expat, which raises
    # LookupError or ValueError on such a declaration (it used to escape as a crash)
    p = X.parts([["Email"], ["a@x.com"]])
    p[part] = str(p[part]).replace('encoding="UTF-8"', f'encoding="{encoding}"').replace("><", ">\x01<", 1)
    exc = refusal(X.build(p))
    assert exc.code == "bad-xml"
    assert str(exc) == (f"part {part!r} is not well-formed XML at line 1, column 31 "
                        f"(declared encoding: {reason}; HubSpot: INVALID_SPREADSHEET)")


@pytest.mark.parametrize("engine", ENGINES)
def test_malformed_sheet_is_named_after_the_reader_fails(engine: str) -> None:
    rows = X.sheet_xml([["Email"], ["a@x.com"]]).replace("<row ", "\n<row ")
    rows = rows.replace("a@x.com", "a&x.com")  # a bare ampersand
    exc = read_refusal(X.build(X.parts(sheets={"Contacts": rows})), engine)
    assert exc.code == "bad-xml"
    column = rows.split("\n")[3].index("&x.com") + len("&x.com") + 1  # where the entity's ";" should be
    assert str(exc) == (f"part 'xl/worksheets/sheet1.xml' is not well-formed XML at line 4, column {column}, "
                        "in cell A2 (invalid token; HubSpot: INVALID_SPREADSHEET)")
    truncated = rows[:rows.index("a&x.com")].replace("\n<row r=\"2\">", "")
    exc = read_refusal(X.build(X.parts(sheets={"Contacts": truncated})), engine)
    column = len(truncated.split("\n")[2]) + 1  # the end of the part
    assert str(exc) == (f"part 'xl/worksheets/sheet1.xml' is not well-formed XML at line 3, column {column}, "
                        "in cell A2 (no element found; HubSpot: INVALID_SPREADSHEET)")  # (cut inside it)


@pytest.mark.parametrize(("types", "message"), [
    ("garbage", "part '[Content_Types].xml' is not well-formed XML (ParseError: syntax error: line 1, column 0)"),
    ("<Types><Default Extension='xml'", "part '[Content_Types].xml' is not well-formed XML (ParseError: "
                                        "unclosed token: line 1, column 7)"),
    ('<?xml version="1.0"?><Relationships/>', "not an .xlsx workbook: [Content_Types].xml is not a list of content "
                                              "types (its root is <Relationships>; HubSpot: INVALID_SPREADSHEET)"),
])
def test_content_types_that_are_not_a_list_of_types_are_refused(types: str, message: str) -> None:
    p = X.parts([["Email"], ["a@x.com"]])
    p["[Content_Types].xml"] = types
    assert str(refusal(X.build(p))) == message


@pytest.mark.parametrize("engine", ENGINES)
def test_malformed_shared_strings_and_styles_are_named(engine: str) -> None:
    p = X.parts([["Email"], [("s", 0)]], shared=["a@x.com"])
    p["xl/sharedStrings.xml"] = str(p["xl/sharedStrings.xml"]).replace("</si>", "</sx>", 1)
    exc = read_refusal(X.build(p), engine)
    assert str(exc) == ("part 'xl/sharedStrings.xml' is not well-formed XML at line 2, column 118 "
                        "(mismatched tag; HubSpot: INVALID_SPREADSHEET)")
    p = X.parts([["Email"], ["a@x.com"]])
    p["xl/styles.xml"] = str(p["xl/styles.xml"]).replace("</cellXfs>", "")
    exc = read_refusal(X.build(p), engine)
    assert exc.code == "bad-xml"
    assert str(exc).startswith("part 'xl/styles.xml' is not well-formed XML at line 2, column ")
    assert str(exc).endswith(" (mismatched tag; HubSpot: INVALID_SPREADSHEET)")


@pytest.mark.parametrize("engine", ENGINES)
def test_shared_string_index_out_of_range_names_the_cell(engine: str) -> None:
    data = X.xlsx([["Email", "First Name"], ["a@x.com", ("s", 0)], ["b@x.com", ("s", 1)], ["c@x.com", ("s", 7)]],
                  shared=["Ann"])
    exc = read_refusal(data, engine)
    assert exc.code == "bad-workbook"
    assert str(exc) == ("cell B3 (sheet 'Contacts', part 'xl/worksheets/sheet1.xml') refers to shared string "
                        "index 1, but xl/sharedStrings.xml holds 1 string (HubSpot: INVALID_SPREADSHEET)")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("cell", "why"), [
    # python-calamine reads each of these as string 0, openpyxl -1 as the last string: no reader fails
    ('<c r="B3" t="s"><v>-1</v></c>', "'-1', which is not a number;"),
    ('<c r="B3" t="s"><v>abc</v></c>', "'abc', which is not a number;"),
    ('<c r="B3" t="s"><v>0.5</v></c>', "'0.5', which is not a number;"),
    ('<c r="B3" t="s"><v> 1</v></c>', "' 1', which is not a number;"),
    ('<c r="B3" t="s"><v>99999999999999999999</v></c>', "99999999999999999999, but"),
    ('<c r="B3" t="s" s="0"><v>+1</v></c>', "'+1', which is not a number;"),  # t="s" not last
    ("<c r='B3' t='s'><v>1e0</v></c>", "'1e0', which is not a number;"),
])
def test_a_shared_string_index_that_is_not_a_number_names_the_cell(engine: str, cell: str, why: str) -> None:
    rows = [["Email", "First Name"], ["a@x.com", ("s", 1)], ["b@x.com", ("x", cell)], ["c@x.com", ("s", 1)]]
    exc = read_refusal(X.xlsx(rows, shared=["first-string", "Ann"]), engine)
    assert exc.code == "bad-workbook"
    assert str(exc) == ("cell B3 (sheet 'Contacts', part 'xl/worksheets/sheet1.xml') refers to shared string "
                        f"index {why} xl/sharedStrings.xml holds 2 strings (HubSpot: INVALID_SPREADSHEET)")


@pytest.mark.parametrize("engine", ENGINES)
def test_text_cells_without_an_index_or_in_other_forms_read(engine: str) -> None:
    """An empty index or none is an empty cell; t="s" before other attributes, single quotes and
    leading zeros read as written: none of them is refused."""
    cells = ['<c r="B2" t="s"><v></v></c>', '<c r="B3" t="s"/>', '<c r="B4" t="s" s="0"><v>1</v></c>',
             "<c r='B5' t='s'><v>01</v></c>", '<c r="B6" t="s"></c>']
    rows = [["Email", "First Name"]] + [[f"p{n}@x.com", ("x", c)] for n, c in enumerate(cells, start=2)]
    data = X.xlsx(rows, shared=["first-string", "Ann"])
    reader = XlsxReader(io.BytesIO(data), ReaderNotes(), size=len(data), engine=engine)
    try:
        assert [v for c in reader.chunks() for v in c.frame[1].tolist()] == ["", "", "Ann", "Ann", ""]
    finally:
        reader.close()


def test_unexplained_failure_keeps_the_readers_message(monkeypatch: pytest.MonkeyPatch) -> None:
    import validator.readers.xlsx_explain as explain

    data = X.xlsx([["Email"], [("s", 99)]], shared=["a@x.com"])
    monkeypatch.setattr(explain, "EXPLAIN_BYTES", 100)  # the explanation stops at its byte budget
    exc = read_refusal(data, "openpyxl")
    assert str(exc) == ("the workbook cannot be read (IndexError: list index out of range; "
                        "HubSpot: INVALID_SPREADSHEET)")


def test_a_workbook_that_reads_never_runs_the_explanation(monkeypatch: pytest.MonkeyPatch) -> None:
    import validator.readers.xlsx as xlsx_reader

    def fail(*_args: object) -> None:
        raise AssertionError("explain_failure ran on a readable workbook")

    monkeypatch.setattr(xlsx_reader, "explain_failure", fail)
    data = X.xlsx([["Email"], [("s", 0)]], shared=["a@x.com"])
    for engine in ENGINES:
        reader = XlsxReader(io.BytesIO(data), ReaderNotes(), size=len(data), engine=engine)
        try:
            assert [c.frame[0].tolist() for c in reader.chunks()] == [["a@x.com"]]
        finally:
            reader.close()


# -- totality: mutated workbooks end in a report or a refusal, never an exception ------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_BASE = make_workbook(MIXED)


def _rezip(part_mutator) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(_BASE))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, part_mutator(info.filename, data))
    return out.getvalue()


@settings(max_examples=60)
@given(st.sampled_from(["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml",
                        "xl/_rels/workbook.xml.rels"]),
       st.lists(st.tuples(st.integers(0, 10_000), st.binary(min_size=0, max_size=4)), min_size=1, max_size=4))
def test_mutated_xml_parts_never_crash(part: str, edits: list[tuple[int, bytes]]) -> None:
    def mutate(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        buf = bytearray(data)
        for pos, new in edits:
            at = pos % max(1, len(buf))
            buf[at: at + len(new)] = new
        return bytes(buf)

    report = validate(request(), files={"contacts.xlsx": io.BytesIO(_rezip(mutate))}, base_dir="/nonexistent")
    assert report.exit_code() in (0, 1, 2)


def test_unsupported_zip_version_is_refused() -> None:
    # found by the byte-flip fuzzer: zipfile raises NotImplementedError("zip file version 19.9")
    data = bytearray(_BASE)
    central = data.find(b"PK\x01\x02")
    data[central + 6] = 199
    report = validate(request(), files={"contacts.xlsx": io.BytesIO(bytes(data))}, base_dir="/nonexistent")
    assert [r.code for r in report.refusals] == ["bad-zip"]


@settings(max_examples=60)
@given(st.lists(st.tuples(st.integers(0, len(_BASE) - 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_flipped_container_bytes_never_crash(flips: list[tuple[int, int]]) -> None:
    data = bytearray(_BASE)
    for pos, value in flips:
        data[pos] = value
    report = validate(request(), files={"contacts.xlsx": io.BytesIO(bytes(data))}, base_dir="/nonexistent")
    assert report.exit_code() in (0, 1, 2)


_REF_CELL = st.builds(
    lambda letters, digits, quote, lead, prefix, body: (
        f"<{prefix}c{lead}r={quote}{letters}{digits}{quote}{body}").encode(),
    st.text("ABCXYZaz", min_size=1, max_size=4), st.text("0123456789", min_size=1, max_size=8),
    st.sampled_from(['"', "'"]), st.sampled_from([" ", " ", " ", "\n", ' t="s" ', "  "]),
    st.sampled_from(["", "", "", "x:"]), st.sampled_from(["><v>1</v></c>", "/>", ' t="n"><v>2</v></c>']))
_OTHER = st.sampled_from([b"<row r=\"3\">", b"</row>", b"<c/>", b"<c><v>1</v></c>", b"<cols><col min=\"1\"/></cols>",
                          b"<color rgb=\"FF\"/>", b"text <c", b"<cfRule/>"])


@settings(max_examples=600)
@given(st.lists(st.one_of(_REF_CELL, _OTHER), max_size=12))
def test_fast_cell_references_agree_with_the_regexes(parts: list[bytes]) -> None:
    from validator.readers.xlsx_scan import _CELL_ANY, _CELL_COL, _cell_refs, _fast_refs, col_number

    data = b"".join(parts)
    refs = _CELL_COL.findall(data)
    numbers = [int(r) for _, r in refs]
    cells = len(_CELL_ANY.findall(data))
    expected = (max((col_number(c) for c, _ in refs), default=0), min(numbers, default=0),
                max(numbers, default=0), cells - len(refs), cells)
    order: list[tuple[int, int, bool]] = []
    assert _cell_refs(data, order) == expected
    if numbers:  # first row, last row, rows never going down (document order)
        rising = all(a <= b for a, b in itertools.pairwise(numbers))
        if _fast_refs(data) is not None and any(r.startswith(b"0") for _, r in refs):
            assert order == [(0, 0, False)]  # a leading zero: never taken as in order
        else:
            assert order == [(numbers[0], numbers[-1], rising)]


@pytest.mark.parametrize(("data", "expected", "order"), [
    # a longer reference with leading zeros beside a shorter, larger one: rows 5 and 999,999 (the
    # fast path once took the lowest row from the shortest numbers and the highest from the longest)
    (b'<c r="A0000005"/><c r="B999999"/>', (2, 5, 999_999, 0, 2), (0, 0, False)),
    (b'<c r="C01"><v>1</v></c><c r="A2"><v>2</v></c><c r="B3"/>', (3, 1, 3, 0, 3), (0, 0, False)),
    (b'<c r="XFD1048576"/><c r="A7"/>', (16_384, 7, 1_048_576, 0, 2), (1_048_576, 7, False)),
    (b'<c r="A9"/><c r="B10"/><c r="C1234567"/>', (3, 9, 1_234_567, 0, 3), (9, 1_234_567, True)),
    (b'<c r="A0"/><c r="B5"/>', (2, 0, 5, 0, 2), (0, 0, False)),
])
def test_cell_references_with_leading_zeros_and_any_length(data: bytes, expected: tuple, order: tuple) -> None:
    from validator.readers.xlsx_scan import _cell_refs, _fast_refs

    got: list[tuple[int, int, bool]] = []
    assert _fast_refs(data) is not None  # these are the fast path's to read
    assert _cell_refs(data, got) == expected
    assert got == [order]


_CELL_VALUES = st.one_of(
    st.none(), st.text(max_size=5), st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-1e6, 1e6).map(lambda f: round(f, 3)),
    st.integers(-(10**15), 10**15).map(float),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.datetimes(min_value=dt.datetime(1, 1, 2)),
    st.times(), st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=400)),
)


@settings(max_examples=400)
@given(st.lists(_CELL_VALUES, max_size=12), st.sampled_from(["mdy", "dmy", "ymd"]), st.booleans())
def test_cells_to_text_by_column_is_the_cell_rule(values: list, order: str, same_type: bool) -> None:
    from validator.readers.xlsx import KINDS, column_texts

    if same_type and values:  # one type per column: the fast paths
        values = [v for v in values if type(v) is type(values[0])]
    texts, kinds = column_texts(tuple(values), order)
    assert list(zip(texts.to_pylist(), [KINDS[k] for k in kinds], strict=True)) == [cell_text(v, order) for v in values]


@pytest.mark.parametrize("engine", ENGINES)
def test_blocks_of_rows_are_made_with_the_cycle_collector_paused(engine: str, monkeypatch) -> None:
    """A block of workbook rows is a list per row (calamine) or a dict per cell (openpyxl), none
    in a cycle: the collector is off while a large one is made (each collection walked them all)
    and back on after; the header (one row) is made with it on."""
    import gc

    rows = [list(PROPS)] + [[f"p{i}@example.com", str(i), "", "Ann", "x"] for i in range(2_500)]
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": rows}]})
    seen: list[tuple[int, bool]] = []
    original = XlsxReader._open_rows

    def opened(self):
        block = original(self)

        def spy(limit: int, header: bool = False):
            seen.append((limit, gc.isenabled()))
            return block(limit, header)
        return spy

    monkeypatch.setattr(XlsxReader, "_open_rows", opened)
    assert gc.isenabled()
    _reader, notes, chunks = _read(data, engine, chunk_rows=1_200)
    assert gc.isenabled()
    assert notes.reader == engine and sum(len(c) for c in chunks) == 2_500
    assert seen[0] == (1, True)  # the header row
    big = [enabled for limit, enabled in seen[1:] if limit >= 1_000]
    assert big and not any(big)


def test_collector_pause_restores_the_state_it_found() -> None:
    import gc

    from validator.readers.base import collector_paused

    with collector_paused(999):
        assert gc.isenabled()  # too few objects to bother
    with collector_paused(1_000):
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused(5_000):
            assert not gc.isenabled()
        assert not gc.isenabled()  # off before: left off
    finally:
        gc.enable()


def test_a_workbook_of_thousands_of_sheets_names_twenty_of_them() -> None:
    from validator.checks.spreadsheet import _names

    names = [f"S{i}" for i in range(3000)]
    assert _names(names) == ", ".join(f"'S{i}'" for i in range(20)) + " and 2,980 more"
    assert _names(names[:20]) == ", ".join(f"'S{i}'" for i in range(20))
    assert _names([]) == "none"


@given(st.binary(max_size=40), st.sampled_from([b"<c", b":c", b"<!", b"idde", b'="e"', b"&#"]),
       st.lists(st.integers(0, 40), max_size=3))
def test_word_scans_find_what_bytes_find(data: bytes, needle: bytes, at: list[int]) -> None:
    """The pre-scan's aligned-word searches agree with ``str.startswith`` at every offset."""
    from validator.readers.xlsx_scan import has_bytes, word_positions

    for i in at:  # the needle put in at odd and even offsets, overlapping or not
        data = data[:i] + needle + data[i:]
    want = [i for i in range(len(data)) if data.startswith(needle, i)]
    assert sorted(word_positions(data, needle).tolist()) == want
    assert has_bytes(data, needle) == bool(want)


@pytest.mark.parametrize("engine", ENGINES)
def test_formatted_cells_right_of_the_data_are_no_columns(engine: str, tmp_path: Path) -> None:
    """hostile-inputs F15, columns: styled cells without values right of the header (a fill
    through column H) widen no row and are named once (HS433) from the first such column; a
    header cell holding only a space is a value (a column with a blank name), and ends the formatted
    run there."""
    right = "".join(f'<c r="{c}1" s="1"/>' for c in "DEFGH")
    sheet = X.sheet_xml([["Email", "Name", " "], ["a@x.com", "Ann"]]).replace("</row>", right + "</row>", 1)
    data = X.build(X.parts(sheets={"Contacts": sheet}))
    reader, notes, chunks = _read(data, engine)
    assert reader.header is not None and reader.header.cells == ("Email", "Name", " ")
    assert reader.width == 3 and notes.extra["header_extent"] == 3
    assert [n.kind for c in chunks for n in c.notes] == [] and sum(len(c) for c in chunks) == 1
    (tmp_path / "contacts.xlsx").write_bytes(data)
    req = tmp_path / "import.json"
    req.write_text(json.dumps(request("contacts.xlsx", ("Email", "Name"))))
    found = [(f.row, f.column, f.severity, f.message) for f in validate(req).findings if f.code == "HS433"]
    assert found == [(1, 4, Severity.INFO, "columns D-H right of the data hold formatted cells without values "
                                    "(5 columns); they are not counted as columns")]


@pytest.mark.parametrize("engine", ENGINES)
def test_number_and_date_cells_holding_other_text_read_alike_by_either_engine(engine: str,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # a number cell holding nan, inf or 12abc, or a date cell holding other text, was read by
    # calamine (the engine of small sheets: nan, inf, the text) and refused whole by openpyxl (the
    # engine of large or sparse ones): the same workbook got findings or a refusal by its size;
    # a boolean cell holding 2 the other way round
    _use_engine(monkeypatch, engine)
    request = {"name": "t", "files": [{"fileName": "c.xlsx", "fileFormat": "SPREADSHEET", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-2", "columnName": c, "propertyName": p}
            for c, p in (("Domain", "domain"), ("Employees", "numberofemployees"), ("Close", "closedate"))]}}]}
    head = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>Domain</t></is></c><c r="B1" t="inlineStr"><is><t>'
            b'Employees</t></is></c><c r="C1" t="inlineStr"><is><t>Close</t></is></c></row>')

    def row(n: int, number: bytes, date: bytes) -> bytes:
        return (f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x{n}.com</t></is></c>'.encode()
                + f'<c r="B{n}"><v>'.encode() + number + f'</v></c><c r="C{n}" t="d"><v>'.encode() + date
                + b"</v></c></row>")
    data = raw_workbook(sheet(head + row(2, b"nan", b"2024-01-05") + row(3, b"inf", b"not a date")
                              + row(4, b"12abc", b"2024-01-06") + row(5, b"12", b"2024-01-07")))
    report = validate(request, files={"c.xlsx": io.BytesIO(data)}, base_dir="/nonexistent")
    assert report.files[0].reader == engine and not report.refusals
    assert [(f.code, f.row, f.column, f.value) for f in report.findings if f.row and f.row > 1] == [
        ("HS205", 2, 2, "#NUM!"), ("HS419", 2, 3, "01/05/2024"), ("HS205", 3, 2, "#NUM!"),
        ("HS201", 3, 3, "not a date"), ("HS205", 4, 2, "12abc")]
    boolean = raw_workbook(sheet(head + b'<row r="2"><c r="A2" t="b"><v>2</v></c></row>'))
    refused = validate(request, files={"c.xlsx": io.BytesIO(boolean)}, base_dir="/nonexistent").refusals
    assert len(refused) == 1 and "Unrecognized boolean cell value: 2" in refused[0].reason


def _serials_workbook(values: list[float], fmt: str, mac: bool = False) -> bytes:
    """A sheet of an Email column and a Close Date column of number cells in format ``fmt``
    (NaN written as ``nan``)."""
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Contacts"
    if mac:
        wb.epoch = CALENDAR_MAC_1904
    ws.append(["Email", "Close Date"])
    for n, value in enumerate(values, start=2):
        ws.append([f"p{n}@example.com", value])
        ws.cell(row=n, column=2).number_format = fmt
    saved = io.BytesIO()
    wb.save(saved)
    out = io.BytesIO()  # openpyxl writes NaN as an empty <v/>: the cell is written as "nan"
    with zipfile.ZipFile(saved) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            body = zin.read(item)
            zout.writestr(item, body.replace(b"<v />", b"<v>nan</v>") if "worksheets" in item.filename else body)
    return out.getvalue()


@pytest.mark.parametrize("mac", [False, True])
def test_a_serial_no_date_holds_reads_the_same_on_both_readers(mac: bool) -> None:
    """A date-formatted number before the epoch or past 31 December 9999 (Excel shows it as
    ########): openpyxl read the one as a date of 1899 or 1903 (kind d), a number past its
    dates as the text '#VALUE!' (kind s); calamine reads a negative serial as the time of day of
    its fraction (as it reads every serial below 1: -1.25 was '18:00', a time the cell never
    held) and one past 9999 as the number. Both read them as the numbers they are (the scan
    gives calamine's negative ones), so the findings quote the cells and do not depend on the
    engine the sheet's size picks (NaN, which no writer saves, as calamine: 30 December 1899)."""
    values = [-1, -1.25, -0.5, 2958466 if not mac else 2957004, 1e10, -1e10, 45366.5, 0.25, float("nan")]
    expected = (["-1", "-1.25", "-0.5", "2958466" if not mac else "2957004", "10000000000",
                 "-10000000000", "03/15/2024 12:00" if not mac else "03/16/2028 12:00", "06:00", "12/30/1899"],
                ["n", "n", "n", "n", "n", "n", "d", "t", "d"])
    for fmt in ("yyyy-mm-dd", "h:mm", "m/d/yyyy h:mm"):
        data = _serials_workbook(values, fmt, mac)
        for engine in ENGINES:
            _reader, _notes, (chunk,) = _read(data, engine)
            assert (chunk.frame[1].tolist(), chunk.kinds[1].tolist()) == expected, (fmt, engine)


def test_negative_date_serials_past_the_scans_limit_read_the_same_on_both_readers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # the scan keeps at most MAX_EXCEPTIONS odd cells; past that, a negative date serial was not
    # kept as its number and calamine read it as the time of day of its fraction again (-1.25:
    # 18:00) while openpyxl read the number: the sheet now goes to openpyxl, which reads them all
    import validator.readers.xlsx_sheet as sheet_module

    monkeypatch.setattr(sheet_module, "MAX_EXCEPTIONS", 2)
    data = _serials_workbook([-1, -1.25, 45366, -0.5, -3.75], "yyyy-mm-dd")
    for engine in ENGINES:
        _reader, notes, (chunk,) = _read(data, engine)
        assert (chunk.rows.tolist(), chunk.frame[1].tolist(), chunk.kinds[1].tolist()) == (
            [2, 3, 4, 5, 6], ["-1", "-1.25", "03/15/2024", "-0.5", "-3.75"], ["n", "n", "d", "n", "n"]), engine
        assert notes.reader == "openpyxl", engine


def test_error_cells_past_the_scans_limit_read_the_same_on_both_readers(monkeypatch: pytest.MonkeyPatch) -> None:
    # past MAX_EXCEPTIONS odd cells, an error cell was not kept: calamine read it as a blank cell
    # and openpyxl as the text #N/A; the sheet now goes to openpyxl, whose text the value rules see
    import openpyxl

    import validator.readers.xlsx_sheet as sheet_module

    monkeypatch.setattr(sheet_module, "MAX_EXCEPTIONS", 1)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Contacts"
    ws.append(["Email", "Score"])
    for n in range(2, 5):
        ws.append([f"p{n}@example.com", "#N/A"])
    wb.save(buffer := io.BytesIO())
    for engine in ENGINES:
        _reader, notes, (chunk,) = _read(buffer.getvalue(), engine)
        assert (chunk.rows.tolist(), chunk.frame[1].tolist(), chunk.kinds[1].tolist()) == (
            [2, 3, 4], ["#N/A", "#N/A", "#N/A"], ["e", "s", "s"]), engine
        assert notes.reader == "openpyxl", engine


def test_formulas_without_a_value_past_the_scans_limit_are_reported_on_both_readers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # past MAX_EXCEPTIONS odd cells, a formula without a cached value lost its marker on both
    # readers (an empty cell, no HS423); the sheet now goes to openpyxl, which marks the rest
    import validator.readers.xlsx_sheet as sheet_module

    monkeypatch.setattr(sheet_module, "MAX_EXCEPTIONS", 2)
    rows = [["Email", "City", "Score"]] + [
        [f"p{n}@example.com", ("x", f'<c r="B{n}"><f>A{n}&amp;"!"</f></c>'),
         ("x", f'<c r="C{n}"><f>1+1</f><v>2</v></c>')] for n in range(2, 6)]
    data = X.xlsx(rows)
    for engine in ENGINES:
        _reader, notes, (chunk,) = _read(data, engine)
        assert (chunk.rows.tolist(), chunk.frame[1].tolist(), chunk.kinds[1].tolist(), chunk.kinds[2].tolist()) == (
            [2, 3, 4, 5], [""] * 4, ["f"] * 4, ["n"] * 4), engine
        assert notes.reader == "openpyxl", engine
    (tmp_path / "contacts.xlsx").write_bytes(data)
    req = tmp_path / "import.json"
    req.write_text(json.dumps(request("contacts.xlsx", ("Email", "City", "Score"))))
    found = [(f.code, f.row, f.column, f.cell, f.message) for f in validate(req).findings if f.code.startswith("HS4")]
    assert found == [("HS423", n, 2, f"Contacts!B{n}",
                      "formula has no computed value; the cell would import as empty") for n in range(2, 6)]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_negative_date_serial_is_quoted_as_its_number(tmp_path: Path, engine: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # HS201 quoted '18:00' for -1.25 in a yyyy-mm-dd cell (calamine's time of day of the fraction)
    # and openpyxl read it as a day of 1899; a formula's cached value, the same
    _use_engine(monkeypatch, engine)
    data = _serials_workbook([-1.25, 45366, -3, 0.25], "yyyy-mm-dd")
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out := io.BytesIO(), "w") as zout:
        for item in zin.infolist():
            body = zin.read(item)
            if "worksheets" in item.filename:
                body = re.sub(rb"(<c r=\"B4\"[^>]*>)(<v>)", rb"\1<f>0-3</f>\2", body)
            zout.writestr(item, body)
    path = write(tmp_path, out.getvalue(), headers=("Email", "Close Date"))
    report = validate(path)
    why = ": a negative number, which is no date's serial day (a date cell shows it as ########)"
    assert report.files[0].reader == engine
    assert [(f.row, f.column, f.code, f.value, f.message) for f in report.findings if f.code == "HS201"] == [
        (2, 2, "HS201", "-1.25", f"'-1.25' is not a MONTH_DAY_YEAR datetime{why}"),
        (4, 2, "HS201", "-3", f"'-3' is not a MONTH_DAY_YEAR datetime{why}"),
        (5, 2, "HS201", "06:00", f"'06:00' is not a MONTH_DAY_YEAR datetime{TIME_OF_DAY}")]


@pytest.mark.parametrize("engine", ENGINES)
def test_rows_after_the_data_holding_only_formulas_without_values_or_errors_are_read(
        tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # calamine keeps no value of a formula without a cached value or of an error cell, so its
    # sheet ended at the last row with another value: rows below it holding only those were
    # never read (openpyxl read them). A workbook whose rows a script wrote as formulas was "HS115
    # the file has a header row but no data rows", and HS423 never said why
    _use_engine(monkeypatch, engine)
    formulas = make_workbook({"sheets": [{"name": "Contacts", "rows": [
        ["Email", "Close Date"], *[[f'=LOWER("U{i}@X.COM")', f"=DATE(2024,3,{i})"] for i in (2, 3)]]}]})
    report = validate(write(tmp_path, formulas, headers=("Email", "Close Date")))
    assert (report.files[0].reader, report.files[0].rows) == (engine, 2)
    assert [(f.row, f.column, f.code) for f in report.findings if f.code.startswith("HS1") or f.code >= "HS4"] == [
        (2, None, "HS113"), (2, 1, "HS423"), (2, 2, "HS423"), (3, 1, "HS423"), (3, 2, "HS423")]
    below = make_workbook({"sheets": [{"name": "Contacts", "rows": [
        ["Email", "Close Date"], ["a@x.com", dt.date(2024, 3, 15)], ["", "=B2+1"], ["#N/A", ""]]}]})
    report = validate(write(tmp_path, below, headers=("Email", "Close Date")))
    assert (report.files[0].reader, report.files[0].rows) == (engine, 3)
    assert [(f.row, f.column, f.code) for f in report.findings if f.code in ("HS113", "HS423", "HS424")] == [
        (3, None, "HS113"), (3, 2, "HS423"), (4, 1, "HS424")]


TIME_OF_DAY = ": the cell holds a time of day and no date (a time cell, or a date cell under 1: a fraction of a day)"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_time_cell_in_a_date_column_is_named_as_a_time_of_day(tmp_path: Path, engine: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # a time cell (9:05 formatted h:mm) in a date column was "'09:05' is not a MONTH_DAY_YEAR
    # datetime", the time quoted as if it were a date written wrong
    _use_engine(monkeypatch, engine)
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": [
        ["Email", "Close Date"], ["a@x.com", dt.time(9, 5)], ["b@x.com", dt.date(2024, 3, 15)],
        ["c@x.com", {"v": 0.75, "format": "h:mm AM/PM"}]]}]})
    report = validate(write(tmp_path, data, headers=("Email", "Close Date")))
    assert report.files[0].reader == engine
    assert [(f.row, f.column, f.code, f.value, f.message) for f in report.findings if f.code == "HS201"] == [
        (2, 2, "HS201", "09:05", f"'09:05' is not a MONTH_DAY_YEAR datetime{TIME_OF_DAY}"),
        (4, 2, "HS201", "18:00", f"'18:00' is not a MONTH_DAY_YEAR datetime{TIME_OF_DAY}")]


@pytest.mark.parametrize("block_cells", [2, 250_000])
def test_a_cell_calamine_cannot_give_reads_on_with_openpyxl(tmp_path: Path, block_cells: int,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """python-calamine panics on a date-formatted number below about -1.07e11 (a Rust panic,
    which Python raises as a BaseException: the check ended in a traceback) and raises
    OverflowError on a duration-formatted one past Python's durations (the workbook was refused
    as unreadable), though Excel opens both (showing ########). openpyxl reads the sheet on from
    the row after the last one calamine gave, each such cell as the number, as it reads any
    serial no date or duration holds. (The scan now sends a sheet holding a number below -1e11
    to openpyxl from the start; here it is kept from noticing, for the road after a panic.)"""
    import validator.readers.xlsx as xlsx_module
    import validator.readers.xlsx_sheet as sheet_module

    monkeypatch.setattr(xlsx_module, "BLOCK_CELLS", block_cells)
    monkeypatch.setattr(sheet_module, "_misread", lambda data, formulas: "")
    for fmt, value, code in (("yyyy-mm-dd", -1e13, "HS203"), ("[h]:mm:ss", 1e10, "HS434")):
        data = _serials_workbook([45366, 45367, value, 45368], fmt)
        texts = []
        for engine in ENGINES:
            _reader, notes, chunks = _read(data, engine)
            texts.append([(c.frame.index.tolist(), c.frame.values.tolist(), c.kinds.values.tolist()) for c in chunks])
            assert notes.reader == "openpyxl"
        assert texts[0] == texts[-1]
        assert [row[1] for _rows, values, _kinds in texts[0] for row in values][2] == format_number(value)
        (tmp_path / "contacts.xlsx").write_bytes(data)
        req = tmp_path / "import.json"
        req.write_text(json.dumps(request("contacts.xlsx", ("Email", "Close Date"))))
        report = validate(req)
        assert report.files[0].reader == "openpyxl"
        assert [(f.code, f.row, f.column, f.cell) for f in report.findings if f.cell == "Contacts!B4"] == [
            (code, 4, 2, "Contacts!B4")], fmt


@pytest.mark.parametrize("engine", ENGINES)
def test_text_without_xml_space_preserve_is_trimmed_as_excel_reads_it(tmp_path: Path, engine: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Excel drops the spaces, tabs and line breaks at the ends of a <t> element unless it says
    xml:space="preserve" (Excel writes that on every text with such ends; some writers leave it
    out), and so does calamine, for each run of rich text; openpyxl kept them: a workbook whose
    sheet was small enough for calamine had no HS409 where a large one read by openpyxl had one
    on every such cell."""
    _use_engine(monkeypatch, engine)
    preserve = ' xml:space="preserve"'
    rows = (b'<row r="1"><c r="A1" t="inlineStr"><is><t> Email</t></is></c><c r="B1" t="s"><v>0</v></c></row>'
            b'<row r="2"><c r="A2" t="inlineStr"><is><t>a@x.com\n\t</t></is></c><c r="B2" t="s"><v>1</v></c></row>'
            b'<row r="3"><c r="A3" t="inlineStr"><is><r><t> b@x</t></r><r><t>.com </t></r></is></c>'
            b'<c r="B3" t="s"><v>2</v></c></row>'
            b'<row r="4"><c r="A4" t="inlineStr"><is><t' + preserve.encode() + b'> c@x.com</t></is></c>'
            b'<c r="B4" t="s"><v>3</v></c></row>')
    strings = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               b'<si><t>City </t></si><si><t> Boston</t></si><si><r><t>New </t></r><r><t> York</t></r></si>'
               b'<si><t' + preserve.encode() + b'>Lima </t></si></sst>')
    rels = WB_RELS.replace(b"</Relationships>", b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
                           b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                           b"</Relationships>")
    data = raw_workbook(sheet(rows), {"xl/sharedStrings.xml": strings})
    data = _replace_part(data, "xl/_rels/workbook.xml.rels", rels)
    data = _replace_part(data, "[Content_Types].xml", CONTENT_TYPES.replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>')))
    _reader, _notes, (chunk,) = _read(data, engine)
    assert _reader.header is not None and _reader.header.cells == ("Email", "City")
    assert chunk.frame.values.tolist() == [["a@x.com", "Boston"], ["b@x.com", "NewYork"], [" c@x.com", "Lima "]]
    req = write(tmp_path, data, headers=("Email", "City"))
    report = validate(req)
    assert report.files[0].reader == engine
    assert [(f.code, f.row, f.column, f.cell) for f in report.findings if f.code in ("HS409", "HS212")] == [
        ("HS409", 4, 1, "Sheet1!A4"), ("HS409", 4, 2, "Sheet1!B4")]


def _replace_part(data: bytes, name: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, body if item.filename == name else zin.read(item))
    return out.getvalue()


@pytest.mark.parametrize("errors", [("#SPILL!", "#CALC!"), ("#GETTING_DATA", "#N/A")])
def test_an_error_value_of_excel_365_is_reported_not_refused(tmp_path: Path, errors: tuple[str, str]) -> None:
    """Excel 365's newer error values (#SPILL! of a dynamic array that cannot spill, #CALC! of a
    FILTER that matches nothing, #GETTING_DATA while a data type loads, and #FIELD!, #BLOCKED!,
    #CONNECT!, #BUSY!, #UNKNOWN!, #PYTHON!) are no values python-calamine 0.9 knows: it refused
    to load the sheet, and the workbook was refused as unreadable (INVALID_SPREADSHEET) when its
    size picked calamine. openpyxl reads such a sheet, and HS424 names each error cell."""
    rows = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c>'
            b'<c r="B1" t="inlineStr"><is><t>Score</t></is></c></row>')
    for n, err in enumerate(errors, start=2):
        rows += (f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>p{n}@example.com</t></is></c>'
                 f'<c r="B{n}" t="e"><f>FILTER(A1:A9,A1:A9="x")</f><v>{err}</v></c></row>').encode()
    data = raw_workbook(sheet(rows))
    seen = []
    for engine in ENGINES:
        _reader, notes, chunks = _read(data, engine)
        seen.append([(c.frame.values.tolist(), c.kinds.values.tolist()) for c in chunks])
        assert notes.reader == "openpyxl"
    assert seen[0] == seen[-1] == [([[f"p{n}@example.com", err] for n, err in enumerate(errors, start=2)],
                                     [["s", "e"]] * len(errors))]
    report = validate(write(tmp_path, data, headers=("Email", "Score")))
    assert [(f.code, f.row, f.column, f.cell, f.message) for f in report.findings if f.code == "HS424"] == [
        ("HS424", n, 2, f"Sheet1!B{n}", f"'{err}' is an Excel error value") for n, err in enumerate(errors, start=2)]


@pytest.mark.parametrize("typed", [False, True])
def test_a_number_cell_whose_text_is_no_number_reads_as_that_text_on_both_readers(tmp_path: Path,
                                                                                  typed: bool) -> None:
    """A number cell holding `` 12 ``, ``1_000`` or ``0x10`` (a writer's bug: Excel writes none)
    is no number calamine parses: typed ``t="n"``, it refused the whole workbook ("Parse float
    error"); untyped, it read the text, where openpyxl read `` 12 `` and ``1_000`` as numbers
    (Python's int() takes them). Both now read the text as written, and the value rules name it;
    the typed cell makes calamine's sheet read on by openpyxl."""
    kind = ' t="n"' if typed else ""
    odd = [" 12 ", "1_000", "0x10"]
    rows = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c>'
            b'<c r="B1" t="inlineStr"><is><t>Employees</t></is></c></row>')
    for n, text in enumerate([*odd, "7"], start=2):
        rows += (f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Acme {n}</t></is></c>'
                 f'<c r="B{n}"{kind}><v>{text}</v></c></row>').encode()
    data = raw_workbook(sheet(rows))
    seen = []
    for engine in ENGINES:
        _reader, notes, chunks = _read(data, engine)
        seen.append([(c.frame.values.tolist(), c.kinds.values.tolist()) for c in chunks])
        assert notes.reader == ("openpyxl" if typed else engine)
    assert seen[0] == seen[-1] == [([[f"Acme {n}", t] for n, t in enumerate([*odd, "7"], start=2)],
                                     [["s", "s"]] * 3 + [["s", "n"]])]
    (tmp_path / "companies.xlsx").write_bytes(data)
    req = request("companies.xlsx", ("Name", "Employees"))
    for mapping, prop in zip(req["files"][0]["fileImportPage"]["columnMappings"], ("name", "numberofemployees"),
                             strict=True):
        mapping.update(columnObjectTypeId="0-2", propertyName=prop)
    (tmp_path / "import.json").write_text(json.dumps(req))
    report = validate(tmp_path / "import.json")
    assert [(f.code, f.row, f.column, f.cell, f.message) for f in report.findings if f.column == 2] == [
        ("HS409", 2, 2, "Sheet1!B2", "' 12 ' has spaces around it"),
        ("HS205", 3, 2, "Sheet1!B3", "'1_000' is not a number"),
        ("HS205", 4, 2, "Sheet1!B4", "'0x10' is not a number")]


def test_a_cached_value_written_before_its_formula_is_read_on_both_readers(tmp_path: Path) -> None:
    """A cell whose ``<v>`` comes before its ``<f>`` (no writer of ours, but Excel reads the value
    in either order): calamine gave an empty cell, openpyxl the value. The scan notices it and
    openpyxl reads the sheet, so the value is checked whichever size the sheet has."""
    rows = [["Email", "Full Name"],
            [("x", '<c r="A2" t="s"><v>0</v><f>B2&amp;"@"</f></c>'),
             ("x", '<c r="B2" t="str"><v>Ann Lee</v><f>"Ann "&amp;"Lee"</f></c>')],
            ["bob@example.com", ("x", '<c r="B3"><v>7</v> <f>3+4</f></c>')]]
    data = X.xlsx(rows, shared=["ann at example.com"])
    seen = []
    for engine in ENGINES:
        _reader, notes, chunks = _read(data, engine)
        seen.append([(c.frame.values.tolist(), c.kinds.values.tolist()) for c in chunks])
        assert notes.reader == "openpyxl"
    assert seen[0] == seen[-1] == [([["ann at example.com", "Ann Lee"], ["bob@example.com", "7"]],
                                     [["s", "s"], ["s", "n"]])]
    report = validate(write(tmp_path, data, headers=("Email", "Full Name")))
    assert [(f.code, f.row, f.column, f.cell) for f in report.findings if f.row == 2] == [
        ("HS212", 2, 1, "Contacts!A2")]


@pytest.mark.parametrize("written", ["2024-03-15T14:30:00Z", "2024-03-15T14:30:00+02:00",
                                     "2024-03-15T14:30:00.250-05:00"])
def test_a_date_cell_with_a_time_zone_is_a_date_on_both_readers(tmp_path: Path, written: str) -> None:
    """A date cell (``t="d"``) holding an ISO date-time with a time zone: openpyxl read the date
    and time (its wall-clock time, as every date cell's), calamine the ISO text, which HS201
    then named as a date not in the request's format. A typed date cell is written out in the
    request's dateFormat like any other: the scan notices the zone and openpyxl reads the sheet."""
    rows = [["Email", "Close Date"], ["ann@example.com", ("x", f'<c r="B2" t="d"><v>{written}</v></c>')],
            ["bob@example.com", ("x", '<c r="B3" t="d"><v>2024-03-16T09:00:00</v></c>')]]
    data = X.xlsx(rows)
    for engine in ENGINES:
        _reader, notes, (chunk,) = _read(data, engine)
        assert (chunk.frame[1].tolist(), chunk.kinds[1].tolist()) == (
            ["03/15/2024 14:30", "03/16/2024 09:00"], ["d", "d"]), engine
        assert notes.reader == "openpyxl"
    report = validate(write(tmp_path, data, headers=("Email", "Close Date")))
    assert [(f.code, f.row, f.column, f.cell) for f in report.findings if f.column == 2] == [
        ("HS419", 2, 2, "Contacts!B2")]  # (information: how date cells are read)


def test_a_number_calamine_panics_on_is_read_by_openpyxl_without_noise(tmp_path: Path) -> None:
    """A date-formatted number below about -1.07e11 (or -inf) makes python-calamine panic: the
    reader recovered, but Rust printed the panic (and, with RUST_BACKTRACE=1, a backtrace) to
    stderr. The scan notices such a number and openpyxl reads the sheet: stderr stays empty."""
    rows = [["Email", "Close Date"], ["ann@example.com", ("d", "-9e15")], ["bob@example.com", ("d", "-inf")],
            ["cy@example.com", ("d", 45366)]]
    data = X.xlsx(rows)
    for engine in ENGINES:
        _reader, notes, (chunk,) = _read(data, engine)
        assert chunk.frame[1].tolist() == ["-9000000000000000", "#NUM!", "03/15/2024"], engine
        assert notes.reader == "openpyxl"
    req = write(tmp_path, data, headers=("Email", "Close Date"))
    env = {**os.environ, "RUST_BACKTRACE": "1"}
    proc = subprocess.run([sys.executable, "-m", "validator", "check", "--format", "json", str(req)],
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=120, check=False, env=env)
    assert proc.stderr.decode() == ""
    found = json.loads(proc.stdout)["findings"]
    assert [(f["code"], f["row"], f["column"]) for f in found if f["column"] == 2 and f["row"] in (2, 3)] == [
        ("HS201", 2, 2), ("HS201", 3, 2)]


@pytest.mark.parametrize(("texts", "verdict"), [
    (["2024-03-15"], "1 of 1 value is impossible as MONTH_DAY_YEAR; every value parses as YEAR_MONTH_DAY; "
                     "the request says MONTH_DAY_YEAR"),
    (["2024-03-15", "03/04/2024"], "the column mixes date formats: of 2 values 1 parses as MONTH_DAY_YEAR, "
                                   "1 parses as DAY_MONTH_YEAR, 1 parses as YEAR_MONTH_DAY; 1 of them is ambiguous")])
@pytest.mark.parametrize(("pieces", "chunk_rows", "number_cell"), [
    (False, 50_000, False), (False, 50_000, True), (True, 50_000, False), (True, 70, True)])
def test_the_date_format_verdict_counts_text_cells_not_date_cells(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, texts: list[str], verdict: str, pieces: bool,
        chunk_rows: int, number_cell: bool) -> None:
    """HS204 counted a workbook's date cells with its text dates: one ISO text among 199,988 date
    cells made "the column mixes date formats: of 199,989 values 199,988 parse as
    MONTH_DAY_YEAR, 77,327 ... DAY_MONTH_YEAR ...; 70,661 of them are ambiguous". A date cell
    is written out by the reader in the declared dateFormat, never ambiguous, and a number cell
    is a serial day: neither says which format the text dates use. Only text cells count, on
    the whole sheet, in pieces, by distinct texts and (with a number cell) row by row."""
    from validator.readers import xlsx_pieces

    if pieces and not calamine_available():
        pytest.skip("pieces are read by calamine")
    loaded: list[int] = []
    if pieces:  # pieces of a few hundred bytes (as test_xlsx_pieces.small_pieces)
        load = xlsx_pieces._load
        monkeypatch.setattr(xlsx_pieces, "MIN_SHEET_BYTES", 0)
        monkeypatch.setattr(xlsx_pieces, "FIRST_BYTES", 300)
        monkeypatch.setattr(xlsx_pieces, "PIECE_BYTES", 1200)
        monkeypatch.setattr(xlsx_pieces, "_load", lambda *a: loaded.append(a[2]) or load(*a))
    rows: list[list[Any]] = [["Email", "Close Date"]]
    rows += [[f"p{i}@example.com", ("d", 45300 + i)] for i in range(400)]  # 12 of every month's days ambiguous
    rows += [[f"t{i}@example.com", text] for i, text in enumerate(texts)]
    if number_cell:
        rows.append(["n@example.com", 45366])
    report = validate(write(tmp_path, X.xlsx(rows), headers=("Email", "Close Date")),
                      config=Config(chunk_rows=chunk_rows))
    assert [(f.code, f.row, f.column, f.cell, f.message) for f in report.findings if f.code == "HS204"] == [
        ("HS204", 1, 2, "Contacts!B1", verdict)]
    assert len(loaded) > 3 if pieces else not loaded


@pytest.mark.parametrize(("written", "text", "kind"), [
    ("2024-03-15 14:30:00", "2024-03-15 14:30:00", "s"), ("2024-03-15xyz", "2024-03-15xyz", "s"),
    ("2024-03-15T14", "2024-03-15T14", "s"), ("2024-3-5", "2024-3-5", "s"), (" 2024-03-15", " 2024-03-15", "s"),
    ("2024-03-15T14:30", "03/15/2024 14:30", "d"), ("2024-03-15T14:30:00.123456", "03/15/2024 14:30", "d")])
def test_a_date_cell_not_in_iso_8601_reads_alike_on_both_readers(written: str, text: str, kind: str) -> None:
    """A date cell (``t="d"``) in another form than ISO 8601 as Excel writes it read differently:
    openpyxl read the date its value begins with (``2024-03-15 14:30:00`` as the day alone,
    ``2024-03-15xyz`` as a date), calamine read ``2024-03-15T14:30`` as text and ``2024-3-5``
    as a date. openpyxl now reads a date cell only in ISO 8601 (else as its text, which the
    value rules name), and the scan sends every date cell calamine may read otherwise to it."""
    rows = [["Email", "Close Date"], ["ann@example.com", ("x", f'<c r="B2" t="d"><v>{written}</v></c>')]]
    data = X.xlsx(rows)
    for engine in ENGINES:
        _reader, _notes, (chunk,) = _read(data, engine)
        assert (chunk.frame[1].tolist(), chunk.kinds[1].tolist()) == ([text], [kind]), engine


def test_date_styles_tell_date_formats_as_openpyxl_does() -> None:
    # the scan's reading of a negative number in a date cell needs the date formats without
    # importing openpyxl (the calamine path never does); they must be openpyxl's own
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    from validator.readers.xlsx_styles import date_styles, is_date_code

    codes = [*BUILTIN_FORMATS.values(), "yyyy-mm-dd", '"day" 0', "[Red]0.00", "[h]:mm", "[$-409]mmm d", "0;[Red]-0",
             "d/m/yyyy;@", "_-* #,##0_-", "\\d0", "mm:ss.0", "[ss]"]
    assert [c for c in codes if is_date_code(c)] == [
        c for c in codes if is_date_format(c) and not is_timedelta_format(c)]
    styles = (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2">'
              b'<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts>'
              b'<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/><xf numFmtId="165"/>'
              b'<xf numFmtId="46"/></cellXfs></styleSheet>')
    assert date_styles("xl/styles.xml", styles) == frozenset({1, 2})
    assert date_styles("xl/styles.xml", b"<styleSheet") == frozenset()


def test_number_styles_tell_percentage_formats() -> None:
    # a cell formatted 0% holds the fraction (2.5 shown as 250%): HS253 passes it, so the scan
    # needs the percentage formats; a quoted or escaped % (0.0"%", 0\%) shows the number as it is
    from validator.readers.xlsx_styles import is_percent_code, number_styles

    codes = ["0%", "0.00%", "#,##0.0%;[Red]-0.0%", '0.0"%"', "0\\%", "0_%", "[$%-409]0", "0;0%", "General"]
    assert [c for c in codes if is_percent_code(c)] == ["0%", "0.00%", "#,##0.0%;[Red]-0.0%"]
    styles = (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2">'
              b'<numFmt numFmtId="164" formatCode="0.0%"/><numFmt numFmtId="165" formatCode="0.0&quot;%&quot;"/>'
              b'</numFmts><cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="9"/><xf numFmtId="164"/>'
              b'<xf numFmtId="165"/><xf numFmtId="10"/><xf numFmtId="14"/></cellXfs></styleSheet>')
    assert number_styles("xl/styles.xml", styles) == (frozenset({5}), frozenset({1, 2, 4}), {})


def test_number_styles_tell_zero_padded_formats_and_what_they_show() -> None:
    # Excel's Zip Code format (00000) shows 2134 as 02134: the scan needs the formats that pad a
    # whole number with zeros, only 0s and literal hyphens (Zip Code + 4 is written 00000\-0000)
    from validator.readers.xlsx_styles import is_padded_code, number_styles, padded_shown

    codes = ["00000", "00000\\-0000", "00000-0000", '000"-"00', "0", "0.00", "#00000", "00000;-00000", "General",
             "00000_)", "000-00-0000"]
    assert [c for c in codes if is_padded_code(c)] == ["00000", "00000\\-0000", "00000-0000", '000"-"00',
                                                       "000-00-0000"]
    assert [padded_shown(v, c) for v, c in (("2134", "00000"), ("21340567", "00000\\-0000"), ("7", '000"-"00'),
                                            ("1234567890", "00000-0000"))] == [
        "02134", "02134-0567", "000-07", "123456-7890"]
    styles = (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2">'
              b'<numFmt numFmtId="164" formatCode="00000"/><numFmt numFmtId="165" formatCode="00000\\-0000"/>'
              b'</numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="165"/><xf numFmtId="1"/>'
              b'<xf numFmtId="164"/></cellXfs></styleSheet>')
    assert number_styles("xl/styles.xml", styles)[2] == {1: "00000\\-0000", 3: "00000"}


def test_excels_quote_prefix_is_no_apostrophe_in_the_value(tmp_path: Path) -> None:
    """Excel's quote prefix (a ZIP code typed `'02134`) is a cell style, not part of the value, and
    is not HS436's; an apostrophe in the cell's text, which HubSpot stores, is."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Email", "Zip"])
    sheet.append(["a@x.com", "02134"])
    sheet.append(["b@x.com", "'02134"])
    sheet["B2"].quotePrefix = True
    book.save(tmp_path / "c.xlsx")
    request = {"name": "t", "files": [{"fileName": "c.xlsx", "fileFormat": "SPREADSHEET", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "Zip", "propertyName": "zip"}]}}]}
    (tmp_path / "import.json").write_text(json.dumps(request))
    report = validate(tmp_path / "import.json")
    assert [(f.row, f.column, f.code) for f in report.findings] == [(3, 2, "HS436")]
