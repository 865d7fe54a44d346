"""Legacy Excel 97-2003 workbooks (.xls, BIFF8), read by xlrd (``validator/readers/xls.py``): the
same findings as the same sheet in an .xlsx, and hostile .xls files refused in one line. Workbooks
are generated here with xlwt, never committed."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.workbooks import make_workbook, make_xls, ole_file
from validator import validate
from validator.readers import xls as xls_reader
from validator.readers.base import ReaderNotes, Refused
from validator.readers.xls import MAX_XLS_BYTES, XlsReader
from validator.readers.xlsx_scan import ole_refusal

PROPS = {"Name": "firstname", "Email": "email", "Close Date": "closedate", "Zip": "zip", "Record ID": "hs_object_id",
         "Phone": "phone", "Score": "score", "Subscribed": "subscribed"}


def request(name: str, headers: tuple[str, ...], date_format: str = "MONTH_DAY_YEAR") -> dict:
    return {"name": "t", "dateFormat": date_format, "files": [{
        "fileName": name, "fileFormat": "SPREADSHEET", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": h, "propertyName": PROPS.get(h, h.lower())}
            for h in headers]}}]}


def write(tmp: Path, data: bytes, name: str, headers: tuple[str, ...], date_format: str = "MONTH_DAY_YEAR") -> Path:
    (tmp / name).write_bytes(data)
    req = tmp / f"{name}.json"
    req.write_text(json.dumps(request(name, headers, date_format)))
    return req


def cli(*args: str) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "validator", "check", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    return proc.returncode, proc.stdout, proc.stderr


def findings(report: Any) -> list[tuple]:
    return [(f.code, f.row, f.column, f.cell, f.value, f.message) for f in report.findings]


HEADERS = ("Name", "Email", "Close Date", "Zip", "Record ID", "Phone", "Score", "Subscribed")
# one sheet holding a finding of each workbook rule an .xls can have (no formula: BIFF stores a
# result with every formula, so HS423 has nothing to find in an .xls)
EVERY_RULE = {"sheets": [
    {"name": "Contacts", "rows": [
        list(HEADERS),
        ["Ann", "ann@example.com", dt.date(2024, 3, 15), "02134", "101", "+16175551234", 3, True],
        ["Bob", "bob@example", "31/12/2024", 2134, 123456789012, 447700900123, 7.25, False],  # B3 bad email
        ["Cy", "cy@example.com", dt.datetime(2024, 3, 16, 14, 30), "#N/A", "103", "+4930123456", 0.1, "yes"],
        ["Di", "di@example.com", {"v": -1.25, "format": "yyyy-mm-dd"}, "10001", 1.5, "+16175551234",
         {"v": 0.5, "format": "h:mm"}, True],
        ["Ed", "ed@example.com", {"v": 45000, "format": "0"}, "94105", "105", "6175551234",
         {"v": 1.5, "format": "[h]:mm:ss"}, False],
        ["Flo", "flo@example.com", {"v": 0.25, "format": "0%"}, {"s": "07030"}, "106", "+16175551234", 12, True],
    ], "hidden_rows": [4], "hidden_cols": ["G"], "merged": ["A8:B8"], "formatted": ["A9:J12"]},
    {"name": "Notes", "rows": [["kept for reference"]], "state": "hidden"},
]}


@pytest.mark.parametrize("date1904", [False, True])
@pytest.mark.parametrize("date_format", ["MONTH_DAY_YEAR", "DAY_MONTH_YEAR"])
def test_an_xls_gives_the_findings_of_the_same_sheet_as_an_xlsx(tmp_path: Path, date1904: bool,
                                                              date_format: str) -> None:
    spec = {**EVERY_RULE, "date1904": date1904}
    xlsx = make_workbook(spec)
    got_xlsx = validate(write(tmp_path, xlsx, "contacts.xlsx", HEADERS, date_format))
    got_xls = validate(write(tmp_path, make_xls(spec), "contacts.xls", HEADERS, date_format))
    assert not got_xls.refusals and not got_xlsx.refusals
    assert findings(got_xls) == findings(got_xlsx)
    codes = {f.code for f in got_xls.findings}
    assert {"HS201", "HS212", "HS419", "HS420", "HS421", "HS424", "HS426", "HS428", "HS432", "HS433",
            "HS604"} <= codes, codes


SMALL = {"sheets": [{"name": "Contacts", "rows": [
    ["Name", "Email", "Close Date", "Zip"],
    ["Ann", "ann@example.com", "03/15/2024", "02134"],
    ["Bob", "bob@example", "31/12/2024", 2134],
    ["Cy", "cy@example.com", dt.date(2024, 3, 16), "10001"],
], "hidden_rows": [4]}]}


def test_findings_of_an_xls_are_at_their_row_column_and_cell(tmp_path: Path) -> None:
    report = validate(write(tmp_path, make_xls(SMALL), "contacts.xls", ("Name", "Email", "Close Date", "Zip")))
    assert not report.refusals
    assert [(f.code, f.row, f.column, f.cell) for f in report.findings] == [
        ("HS204", 1, 3, "Contacts!C1"),  # the date column reads as day-month as a whole
        ("HS425", 2, 3, "Contacts!C2"),  # a date typed as text
        ("HS212", 3, 2, "Contacts!B3"),  # the bad email
        ("HS201", 3, 3, "Contacts!C3"),  # a day-month date in a MONTH_DAY_YEAR import
        ("HS425", 3, 3, "Contacts!C3"),
        ("HS426", 3, 4, "Contacts!D3"),  # a postal code in a number cell
        ("HS428", 3, 4, "Contacts!D3"),  # ... that lost its leading zero
        ("HS421", 4, None, None),  # the hidden row
        ("HS419", 4, 3, "Contacts!C4"),  # the date cell, read in the import's dateFormat (information)
    ]


CLEAN = {"sheets": [{"name": "Contacts", "rows": [
    ["Name", "Email", "Zip"],
    ["Ann", "ann@example.com", "02134"],
    ["Bob", "bob@example.com", "10001"],
]}]}


def test_a_clean_xls_has_no_finding_and_the_json_report_names_its_reader(tmp_path: Path) -> None:
    req = write(tmp_path, make_xls(CLEAN), "contacts.xls", ("Name", "Email", "Zip"))
    assert validate(req).findings == []
    code, out, err = cli(str(req), "--format", "json")
    assert code == 0, err
    (entry,) = json.loads(out)["files"]
    assert (entry["kind"], entry["reader"], entry["sheet"], entry["rows"]) == ("xls", "xlrd", "Contacts", 2)


def test_validate_reads_an_xls_given_as_a_stream_and_leaves_it_open(tmp_path: Path) -> None:
    stream = io.BytesIO(make_xls(SMALL))
    report = validate(request("contacts.xls", ("Name", "Email", "Close Date", "Zip")),
                      files={"contacts.xls": stream}, base_dir="/nonexistent")
    assert not stream.closed and not report.refusals
    assert ("HS212", "Contacts!B3") in [(f.code, f.cell) for f in report.findings]


def test_the_first_sheet_holding_data_is_checked_as_in_an_xlsx(tmp_path: Path) -> None:
    spec = {"sheets": [{"name": "Cover", "rows": []},
                       {"name": "Data", "rows": [["Email"], ["bad@"]]}]}
    for name, data in (("c.xlsx", make_workbook(spec)), ("c.xls", make_xls(spec))):
        report = validate(write(tmp_path, data, name, ("Email",)))
        assert [(f.code, f.cell) for f in report.findings] == [("HS420", None), ("HS212", "Data!A2")], name
        assert "checked: 'Data'" in report.findings[0].message


def test_a_number_in_a_date_format_is_the_date_openpyxl_reads_in_either_date_system(tmp_path: Path) -> None:
    notes = ReaderNotes()
    for date1904, day in ((False, "03/15/2024"), (True, "03/16/2028")):
        spec = {"date1904": date1904, "sheets": [{"name": "S", "rows": [
            ["When", "Time", "Span", "Minus", "Far"],
            [{"v": 45366, "format": "d-mmm-yy"}, {"v": 0.75, "format": "h:mm"}, {"v": 1.5, "format": "[h]:mm:ss"},
             {"v": -2.5, "format": "yyyy-mm-dd"}, {"v": 3e6, "format": "yyyy-mm-dd"}]]}]}
        data = make_xls(spec)
        reader = XlsReader(io.BytesIO(data), notes, size=len(data))
        (chunk,) = list(reader.chunks())
        reader.close()
        assert chunk.frame.iloc[0].tolist() == [day, "18:00", "36:00:00", "-2.5", "3000000"]
        assert chunk.kinds is not None and chunk.kinds.iloc[0].tolist() == ["d", "t", "t", "n", "n"]


# -- hostile .xls files: a one-line refusal, never a traceback ----------------------------------------
def _ole_layout(data: bytes) -> tuple[int, int]:
    """(offset of the FAT's first sector, first sector of the Workbook stream) of a compound file
    as xlwt writes it (512-byte sectors, one FAT sector listed in the header)."""
    fat_sector = struct.unpack_from("<I", data, 76)[0]
    first_dir = struct.unpack_from("<I", data, 48)[0]
    directory = data[(first_dir + 1) * 512: (first_dir + 2) * 512]
    for off in range(0, 512, 128):
        length = struct.unpack_from("<H", directory, off + 64)[0]
        if directory[off: off + length - 2].decode("utf-16-le") == "Workbook":
            return (fat_sector + 1) * 512, struct.unpack_from("<I", directory, off + 116)[0]
    raise AssertionError("no Workbook stream")


def encrypted_xls() -> bytes:
    """An .xls whose workbook globals hold a FILEPASS record (as a password-protected .xls does):
    the record after BOF retyped in place."""
    data = bytearray(make_xls(CLEAN))
    _fat, start = _ole_layout(bytes(data))
    at = (start + 1) * 512
    assert data[at: at + 2] == b"\x09\x08"  # BOF
    data[at + 20: at + 22] = (0x002F).to_bytes(2, "little")
    return bytes(data)


def cyclic_xls() -> bytes:
    """An .xls whose Workbook stream's sector chain points back at its own first sector."""
    data = bytearray(make_xls(CLEAN))
    fat, start = _ole_layout(bytes(data))
    data[fat + 4 * start: fat + 4 * start + 4] = start.to_bytes(4, "little")
    return bytes(data)


def overwritten(byte: bytes) -> bytes:
    """An .xls whose workbook records past the first are overwritten with ``byte`` (its compound
    file's directory intact)."""
    data = bytearray(make_xls(EVERY_RULE))
    data[700:1700] = byte * 1000
    return bytes(data)


def random_after_header() -> bytes:
    import random

    data = make_xls(CLEAN)
    return data[:512] + random.Random(7).randbytes(len(data) - 512)


HOSTILE = [
    ("encrypted", encrypted_xls, "encrypted", "password-protected or encrypted"),
    ("truncated", lambda: make_xls(EVERY_RULE)[:3000], "bad-workbook", "directory cannot be read"),
    ("cut-to-the-header", lambda: make_xls(CLEAN)[:600], "bad-workbook", "directory cannot be read"),
    ("random-after-header", random_after_header, "bad-workbook", "directory cannot be read"),
    ("records-overwritten", lambda: overwritten(b"\xff"), "bad-workbook", "the .xls workbook cannot be read"),
    ("records-zeroed", lambda: overwritten(b"\x00"), "bad-workbook", "the .xls workbook cannot be read"),
    ("cyclic-sectors", cyclic_xls, "bad-workbook", "CompDocError"),
    ("excel-95", lambda: ole_file(("Book",)), "legacy-xls", "Excel 5.0/95"),
    ("no-workbook", lambda: ole_file(("WordDocument",)), "not-a-workbook", "neither a workbook"),
    ("empty-workbook-stream", lambda: ole_file(("Workbook",)), "bad-workbook", "cannot be read"),
]


@pytest.mark.parametrize(("case", "make", "code", "reason"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_xls_is_refused_with_its_reason(tmp_path: Path, case: str, make: Any, code: str,
                                                 reason: str) -> None:
    report = validate(write(tmp_path, make(), "contacts.xls", ("Name", "Email", "Zip")))
    assert [(r.code, reason in r.reason) for r in report.refusals] == [(code, True)], report.refusals


def test_hostile_xls_files_are_one_line_refusals_on_the_command_line(tmp_path: Path) -> None:
    names = []
    for case, make, _code, _reason in HOSTILE:
        (tmp_path / f"{case}.xls").write_bytes(make())
        names.append(f"{case}.xls")
    req = tmp_path / "import.json"
    req.write_text(json.dumps({"name": "t", "files": [
        {"fileName": n, "fileFormat": "SPREADSHEET", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"}]}} for n in names]}))
    code, _out, err = cli(str(req))
    assert code == 2 and "Traceback" not in err
    refused = {line.split(": ")[1]: line for line in err.splitlines() if ": refused: " in line}
    assert sorted(refused) == sorted(names), err
    for case, _make, _code, reason in HOSTILE:
        assert reason in refused[f"{case}.xls"], refused[f"{case}.xls"]


@pytest.mark.parametrize("error", [MemoryError(), RecursionError("maximum recursion depth exceeded"),
                                   struct.error("unpack requires a buffer of 8 bytes"), IndexError("list index"),
                                   AssertionError(), KeyError(12), ValueError("bad\nvalue")])
@pytest.mark.parametrize("where", ["open_workbook", "sheet_by_index"])
def test_whatever_xlrd_raises_is_a_one_line_refusal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    error: BaseException, where: str) -> None:
    import xlrd
    import xlrd.book

    def fail(*_args: Any, **_kw: Any) -> Any:
        raise error

    monkeypatch.setattr(xlrd if where == "open_workbook" else xlrd.book.Book, where, fail)
    report = validate(write(tmp_path, make_xls(CLEAN), "contacts.xls", ("Name", "Email", "Zip")))
    ((refusal),) = report.refusals
    assert refusal.code == "bad-workbook" and type(error).__name__ in refusal.reason
    assert "\n" not in refusal.reason


def test_bytes_flipped_anywhere_in_an_xls_end_in_a_report_or_a_refusal(tmp_path: Path) -> None:
    import random

    data = make_xls(EVERY_RULE)
    req = write(tmp_path, data, "contacts.xls", HEADERS)
    refused = 0
    for seed in range(25):
        rnd = random.Random(seed)
        mutated = bytearray(data)
        for _ in range(20):
            mutated[rnd.randrange(512, len(mutated))] = rnd.randrange(256)
        (tmp_path / "contacts.xls").write_bytes(bytes(mutated))
        report = validate(req)
        refused += len(report.refusals)
        assert all(r.code in ("bad-workbook", "not-a-workbook") and "\n" not in r.reason for r in report.refusals)
    assert refused >= 20  # (most flips break a record; a few hit only a cell's value)


def test_an_xls_over_the_size_read_is_refused_before_xlrd(monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_xls(CLEAN)
    monkeypatch.setattr(xls_reader, "MAX_XLS_BYTES", len(data) - 1)
    with pytest.raises(Refused) as info:
        XlsReader(io.BytesIO(data), ReaderNotes(), size=len(data))
    assert info.value.code == "too-large"
    assert MAX_XLS_BYTES == 128 << 20


def test_the_ole_directory_tells_a_workbook_from_what_is_refused() -> None:
    assert ole_refusal(io.BytesIO(make_xls(CLEAN)), None) is None
    assert ole_refusal(io.BytesIO(ole_file(("Workbook", "SummaryInformation"))), None) is None
    assert ole_refusal(io.BytesIO(ole_file(("EncryptionInfo", "EncryptedPackage"))), None).code == "encrypted"
    assert ole_refusal(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)), None).code == "bad-workbook"


# -- names and contents that differ ------------------------------------------------------------------
def test_an_xls_named_xlsx_and_an_xlsx_named_xls_are_read_by_what_they_are(tmp_path: Path) -> None:
    for name, data, reader in (("a.xlsx", make_xls(SMALL), "xlrd"), ("b.xls", make_workbook(SMALL), None)):
        report = validate(write(tmp_path, data, name, ("Name", "Email", "Close Date", "Zip")))
        assert ("HS212", "Contacts!B3") in [(f.code, f.cell) for f in report.findings], name
        assert [(f.code, f.pointer) for f in report.findings if f.code == "HS435"] == [
            ("HS435", "/files/0/fileName")], name
        (stats,) = report.files
        assert stats.reader == reader if reader else stats.reader in ("calamine", "openpyxl")


def test_csv_text_named_xls_is_still_read_as_the_csv_it_is(tmp_path: Path) -> None:
    report = validate(write(tmp_path, b"Email\r\nbad@\r\n", "contacts.xls", ("Email",)))
    assert not report.refusals
    assert [(f.code, f.row) for f in report.findings] == [("HS014", None), ("HS212", 2)]


def test_a_csv_check_never_imports_xlrd(tmp_path: Path) -> None:
    req = write(tmp_path, b"Email\r\na@example.com\r\n", "contacts.csv", ("Email",))
    req.write_text(req.read_text().replace("SPREADSHEET", "CSV"))
    code = ("import sys; from validator import validate; r = validate(sys.argv[1]); "
            "print(len(r.findings), 'xlrd' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code, str(req)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert proc.stdout.split() == ["0", "False"], proc.stderr


def test_the_pre_commit_hook_checks_a_changed_xls_with_its_request(tmp_path: Path) -> None:
    # the hook's files pattern takes .xls; the changed file alone finds its request by convention
    hook = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "xlsx|xls)" in hook
    write(tmp_path, make_xls(SMALL), "contacts.xls", ("Name", "Email", "Close Date", "Zip"))
    (tmp_path / "contacts.xls.json").rename(tmp_path / "contacts.import.json")
    code, out, err = cli("--ignore-unpaired", str(tmp_path / "contacts.xls"))
    assert code == 1, out + err
    assert "HS212" in out and "[Contacts!B3]" in out


def test_an_encrypted_workbook_named_xlsx_is_no_xls_named_xlsx(tmp_path: Path) -> None:
    report = validate(write(tmp_path, ole_file(("EncryptionInfo", "EncryptedPackage")), "contacts.xlsx", ("Email",)))
    assert [r.code for r in report.refusals] == ["encrypted"]
    assert "HS435" not in {f.code for f in report.findings}
