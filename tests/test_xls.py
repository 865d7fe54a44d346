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


def test_an_xls_zip_code_in_a_zero_padded_format_is_said_to_show_its_zero_as_in_an_xlsx(tmp_path: Path) -> None:
    # the .xls reader knows each cell's format too: 2134 in 00000, which Excel shows as 02134, is
    # said so (not "looks like it lost a leading zero"), as in an .xlsx
    from tests.test_xlsx import PADDED_ZIP_FINDINGS, PADDED_ZIPS, padded_zip_findings

    report = validate(write(tmp_path, make_xls(PADDED_ZIPS), "contacts.xls", ("Email", "Zip")))
    assert not report.refusals and report.files[0].reader == "xlrd"
    assert padded_zip_findings(report) == PADDED_ZIP_FINDINGS


def test_an_xls_ids_message_is_true_whatever_its_cells_number_format_as_in_an_xlsx(tmp_path: Path) -> None:
    # as in an .xlsx: General's notation and a Number format's digits both said, and past 15
    # significant digits the digits lost (BIFF holds the 19-digit ID as a double too)
    from tests.test_xlsx import WHOLE_ID_FINDINGS, WHOLE_IDS, whole_id_findings

    report = validate(write(tmp_path, make_xls(WHOLE_IDS), "contacts.xls", ("Email", "Record ID")))
    assert not report.refusals and report.files[0].reader == "xlrd"
    assert whole_id_findings(report) == WHOLE_ID_FINDINGS


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


class _Asked(io.BytesIO):
    """A stream that keeps what each read asked for."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.asked: list[int] = []

    def read(self, n: int | None = -1) -> bytes:
        self.asked.append(-1 if n is None else n)
        return super().read(n)


def test_a_small_xls_is_read_without_setting_aside_the_size_limit() -> None:
    # read(MAX_XLS_BYTES + 1) sets 128 MiB aside before it reads: a 5 KB workbook in a fuzz worker
    # under an address-space limit died of a MemoryError there; the size bounds the read
    data = make_xls(SMALL)
    stream = _Asked(data)
    report = validate(request("contacts.xls", ("Name", "Email", "Close Date", "Zip")),
                      files={"contacts.xls": stream}, base_dir="/nonexistent")
    assert not report.refusals
    assert max(stream.asked) <= 1 << 20, stream.asked  # (the sniff reads a head of 64 KiB)


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


# -- bounds on xlrd's work (validator/readers/xls_bounds.py) -----------------------------------------
# Each input below made xlrd loop, repeat work or fill memory before these checks: found by the
# xls kind of tests/fuzz.py (the mini-stream loop: seed 2501, input 2444, 10 s of CPU for 5 KB)
# or by reading xlrd's source.
def _rebuilt(spec: dict, change: Any, mini: bool = False) -> bytes:
    """``spec`` as an .xls whose workbook stream's records (``[type, data, offset]``) ``change``
    edits in place, written back into a compound file (tests/fuzz_xls.py)."""
    from tests import fuzz_xls

    recs = fuzz_xls.records(fuzz_xls.workbook_stream(make_xls(spec)) or b"")
    change(recs)
    return fuzz_xls.compound(fuzz_xls.serialize(recs), mini=mini)


def _refusal(data: bytes) -> tuple[str, str, float]:
    import time

    started = time.process_time()
    with pytest.raises(Refused) as info:
        XlsReader(io.BytesIO(data), ReaderNotes(), size=len(data))
    return info.value.code, str(info.value), time.process_time() - started


def test_a_loop_in_the_workbook_streams_mini_stream_chain_is_refused() -> None:
    # xlrd follows a chain in the mini stream without its loop check: 34 s of CPU and 1.7 GB for
    # this 3.5 KB file, then a MemoryError (or none, where memory allows)
    data = bytearray(_rebuilt(CLEAN, lambda recs: None, mini=True))
    mini_fat = (struct.unpack_from("<I", data, 60)[0] + 1) * 512
    struct.pack_into("<I", data, mini_fat + 8, 1)  # mini sector 2 -> 1
    code, reason, cpu = _refusal(bytes(data))
    assert (code, "the workbook stream's chain in the compound file's mini stream loops" in reason) == (
        "bad-workbook", True), reason
    assert cpu < 1


def test_directory_entries_reached_twice_are_refused() -> None:
    # xlrd walks the directory tree recursively: entries sharing their children make it visit
    # 2**depth entries; here the Workbook entry's left and right both lead to entry 2, whose own
    # left and right both lead to entry 3
    data = bytearray(_rebuilt(CLEAN, lambda recs: None))
    directory = (struct.unpack_from("<I", data, 48)[0] + 1) * 512
    for did, (left, right) in ((1, (2, 2)), (2, (3, 3))):
        struct.pack_into("<ii", data, directory + 128 * did + 68, left, right)
    for did, name in ((2, "A"), (3, "B")):
        raw = name.encode("utf-16-le") + b"\0\0"
        data[directory + 128 * did: directory + 128 * did + len(raw)] = raw
        struct.pack_into("<HB", data, directory + 128 * did + 64, len(raw), 2)
    code, reason, _cpu = _refusal(bytes(data))
    assert (code, "directory reaches entry 3 twice" in reason) == ("bad-workbook", True), reason


def test_sheets_on_the_same_records_are_refused() -> None:
    # each BOUNDSHEET record is a sheet xlrd reads from its position: 20 records on one sheet's
    # records read it 20 times (a 350 KB sheet and 100,000 such 14-byte records: ~1 hour of CPU)
    def twenty(recs: list) -> None:
        at = next(i for i, r in enumerate(recs) if r[0] == 0x0085)
        recs[at: at + 1] = [list(recs[at]) for _ in range(20)]

    code, reason, _cpu = _refusal(_rebuilt(CLEAN, twenty))
    assert (code, "sheet 'Contacts' starts inside the records of another sheet" in reason) == (
        "bad-workbook", True), reason


def _far_cell(recs: list) -> None:
    at = max(i for i, r in enumerate(recs) if r[0] == 0x000A)  # the (one) sheet's EOF
    recs.insert(at, [0x0203, struct.pack("<HHHd", 2, 300, 15, 1.0), -1])


def test_a_cell_past_column_256_is_refused_by_the_reader_not_by_an_assert() -> None:
    # xlrd's own check is an assert, gone under python -O, where a cell at column 65,535 widens
    # its row to 65,536 cells; the refusal is the reader's now, in both modes
    code, reason, _cpu = _refusal(_rebuilt(CLEAN, _far_cell))
    assert (code, "sheet 'Contacts' has a cell at row 3, column 301: past the 256 columns" in reason) == (
        "bad-workbook", True), reason


def test_a_cell_past_column_256_is_refused_under_python_o(tmp_path: Path) -> None:
    (tmp_path / "far.xls").write_bytes(_rebuilt(CLEAN, _far_cell))
    code = ("import io, sys; from validator.readers.xls import XlsReader; from validator.readers.base import "
            "ReaderNotes, Refused\ntry:\n XlsReader(open(sys.argv[1], 'rb'), ReaderNotes(), size=None)\n"
            "except Refused as e:\n print(e.code, e)")
    proc = subprocess.run([sys.executable, "-O", "-c", code, str(tmp_path / "far.xls")], capture_output=True,
                          text=True, cwd=ROOT, timeout=120, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert proc.stdout.startswith("bad-workbook ") and "column 301: past the 256 columns" in proc.stdout, (
        proc.stdout + proc.stderr)


def test_a_number_format_past_255_characters_is_refused() -> None:
    # xlrd and openpyxl tell a date format with a regular expression that is quadratic on "[":
    # 2.5 s of CPU for each 64 K-character FORMAT record, and xlrd's record limit is 64 KB only
    spec = {"sheets": [{"name": "S", "rows": [["When"], [{"v": 45000, "format": "yyyy-mm-dd"}]]}]}

    def long_format(recs: list) -> None:
        rec = next(r for r in recs if r[0] == 0x041E)
        rec[1] = rec[1][:2] + struct.pack("<HB", 300, 0) + b"[" * 300

    code, reason, _cpu = _refusal(_rebuilt(spec, long_format))
    assert (code, "a number format of 300 characters, Excel's are at most 255" in reason) == (
        "bad-workbook", True), reason


def test_a_shared_string_with_a_negative_phonetic_size_is_refused() -> None:
    # xlrd steps back by the phonetic size and reads the same 7 bytes as a new string as many
    # times as the SST's count says (2**31 - 1: hours, and a list of 2 G strings); a count the 7
    # bytes can hold (2), since a greater one is refused for that (below)
    def stepping_back(recs: list) -> None:
        rec = next(r for r in recs if r[0] == 0x00FC)
        rec[1] = struct.pack("<ii", 2, 2) + struct.pack("<HBi", 0, 0x04, -7)

    code, reason, _cpu = _refusal(_rebuilt(CLEAN, stepping_back))
    assert (code, "a shared string with a negative phonetic size (-7)" in reason) == ("bad-workbook", True), reason


def _strings(count: int, strings: int) -> Any:
    """An edit of the SST: ``count`` unique strings declared, ``strings`` of 2 characters given."""
    def change(recs: list) -> None:
        rec = next(r for r in recs if r[0] == 0x00FC)
        rec[1] = struct.pack("<ii", count, count) + b"\x02\x00\x00ab" * strings
    return change


def test_a_shared_string_count_its_bytes_cannot_hold_is_refused() -> None:
    # each string takes 3 bytes at least (its length and flags): 2 of 5 bytes each (10 bytes)
    # cannot be 4; xlrd read on until its own assert (gone under python -O)
    code, reason, _cpu = _refusal(_rebuilt(CLEAN, _strings(4, 2)))
    assert (code, "the shared string table declares 4 strings, more than its 10 bytes hold (3 bytes at least "
                  "each)" in reason) == ("bad-workbook", True), reason
    code, reason, _cpu = _refusal(_rebuilt(CLEAN, _strings(50_000_000, 2)))
    assert "declares 50,000,000 strings, more than its 10 bytes hold" in reason, reason


def test_a_shared_string_count_past_a_full_sheets_cells_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # xlrd makes each string a Python object before a sheet is read (0.7 s and 89 MiB a million,
    # and 128 MiB hold 26 million 2-character strings); a count past the 16,777,216 cells of a full
    # sheet is refused, here with the bound set to 10 (a table that large needs a 50 MB test file)
    from validator.readers import xls_bounds

    assert xls_bounds.MAX_SST == 16_777_216
    monkeypatch.setattr(xls_bounds, "MAX_SST", 10)
    code, reason, _cpu = _refusal(_rebuilt(CLEAN, _strings(11, 11)))
    assert (code, "the shared string table declares 11 strings, more than the 10 cells of a full sheet" in reason) == (
        "bad-workbook", True), reason
    reader = XlsReader(io.BytesIO(_rebuilt(CLEAN, _strings(10, 10))), ReaderNotes(), size=None)  # (10: read)
    assert reader.header is not None


def test_an_older_biff_stream_is_refused_before_xlrd_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # xlrd reads the one sheet of a BIFF2-4 stream while it opens it, past the bounds above
    import xlrd

    def biff4(recs: list) -> None:
        recs[0][0] = 0x0409

    def never(*_a: Any, **_k: Any) -> None:
        raise AssertionError("xlrd opened it")

    monkeypatch.setattr(xlrd, "open_workbook", never)
    code, reason, _cpu = _refusal(_rebuilt(CLEAN, biff4))
    assert (code, "older than Excel 97 (BIFF4)" in reason) == ("legacy-xls", True), reason
