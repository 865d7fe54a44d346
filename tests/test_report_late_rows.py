"""The csv and hubspot formats show the cells of a row named by HS314, a key of a common column
that no row of the owning file holds (README, "Report formats"): where the owning file is read
first, the finding is made while the row is at hand; where it is read later, after the rows have
gone, the rows named are read again from the key's file once the check is done (a second pass
keeping their cells only), unless that file was read from standard input or a stream, or changed
since it was read: then its rows show no cells, and the command line says why on stderr."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from validator import validate
from validator.findings import Report
from validator.report import render

EXAMPLE = ROOT / "fixtures" / "examples" / "two-file-broken"
MESSAGE = ("'dan.smith@initech.example' matches no contacts (0-1) row of contacts.csv; the association works "
           "only if the record already exists in the account")


def test_a_key_of_a_file_read_after_its_owner_shows_its_row() -> None:
    report = validate(EXAMPLE / "import.json")
    late = [f for f in report.findings if f.code == "HS314"]
    assert [(f.file, f.row, f.column, f.code, f.message, f.key) for f in late] == [
        ("companies.csv", 4, 3, "HS314", MESSAGE, "value:dan.smith@initech.example")]
    rows = list(csv.reader(io.StringIO(render(report, "csv"))))
    assert rows[-1] == ["companies.csv", "Initech", "initech.example", "dan.smith@initech.example", "", "4", "3",
                        "Email", "HS314", "warning", MESSAGE]
    error = next(e for e in json.loads(render(report, "hubspot"))["results"] if "HS314" in e["extraContext"])
    assert (error["sourceData"]["rowData"], error["sourceData"]["lineNumber"], error["knownColumnNumber"]) == (
        ["Initech", "initech.example", "dan.smith@initech.example"], 4, 2)


def _key_file_first(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "x")
    request = json.loads((tmp_path / "x" / "import.json").read_text(encoding="utf-8"))
    request["files"].reverse()  # companies.csv first: its keys are judged once contacts.csv is read
    (tmp_path / "x" / "import.json").write_text(json.dumps(request), encoding="utf-8")
    return tmp_path / "x" / "import.json"


def _late(report: Report) -> tuple[list[tuple], list[list[str]], dict]:
    """HS314's findings, its csv rows and its first hubspot error."""
    late = [(f.file, f.row, f.column, f.code, f.message, f.key) for f in report.findings if f.code == "HS314"]
    rows = [r for r in csv.reader(io.StringIO(render(report, "csv"))) if "HS314" in r]
    error = next(e for e in json.loads(render(report, "hubspot"))["results"] if "HS314" in e["extraContext"])
    return late, rows, error


def test_a_key_of_a_file_read_before_its_owner_shows_its_row_read_again(tmp_path: Path) -> None:
    # the row's cells had gone when HS314 named it (contacts.csv, the owner, is read second):
    # the csv row was ["companies.csv", "", "", "", "", "4", ...] and rowData [], as if the row were empty
    report = validate(_key_file_first(tmp_path))
    late, rows, error = _late(report)
    assert late == [("companies.csv", 4, 3, "HS314", MESSAGE, "value:dan.smith@initech.example")]
    assert rows == [["companies.csv", "Initech", "initech.example", "dan.smith@initech.example", "", "4", "3",
                     "Email", "HS314", "warning", MESSAGE]]
    assert (error["sourceData"]["rowData"], error["sourceData"]["lineNumber"], error["knownColumnNumber"],
            error["invalidValue"]) == (["Initech", "initech.example", "dan.smith@initech.example"], 4, 2,
                                       "dan.smith@initech.example")
    assert report.unshown == {}


def test_a_key_file_read_from_a_stream_is_not_read_again(tmp_path: Path) -> None:
    # standard input (a stream, for validate()) is read once: the row shows no cells, as before
    request = _key_file_first(tmp_path)
    with open(request.parent / "companies.csv", "rb") as stream:
        report = validate(request, files={"companies.csv": stream})
    late, rows, error = _late(report)
    assert late == [("companies.csv", 4, 3, "HS314", MESSAGE, "value:dan.smith@initech.example")]
    assert rows == [["companies.csv", "", "", "", "", "4", "3", "Email", "HS314", "warning", MESSAGE]]
    assert (error["sourceData"]["rowData"], error["invalidValue"]) == ([], "dan.smith@initech.example")
    assert report.unshown == {"companies.csv": "it was read from standard input or a stream, which is read once"}


def test_standard_input_says_why_its_rows_show_no_cells(tmp_path: Path) -> None:
    request = _key_file_first(tmp_path)
    for fmt in ("csv", "hubspot", "text"):
        proc = subprocess.run([sys.executable, "-m", "validator", "check", str(request), "--file", "companies.csv=-",
                               "--format", fmt], input=(request.parent / "companies.csv").read_bytes(),
                              capture_output=True, cwd=ROOT, timeout=60)
        assert proc.returncode == 1
        said = ("hubspot-preflight: companies.csv: the cells of rows named once every file was read (HS314) are not "
                "shown: it was read from standard input or a stream, which is read once\n")
        assert proc.stderr.decode() == (said if fmt != "text" else "")  # (text shows no cells at all)
    on_disk = subprocess.run([sys.executable, "-m", "validator", "check", str(request), "--format", "csv"],
                             capture_output=True, cwd=ROOT, timeout=60)
    assert (on_disk.returncode, on_disk.stderr) == (1, b"")
    assert (b"companies.csv,Initech,initech.example,dan.smith@initech.example,,4,3,Email,HS314,warning,"
            in on_disk.stdout)


def test_a_key_file_changed_since_it_was_read_is_not_read_again(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # a file rewritten during the check may hold other rows where the findings point: not shown
    import validator.late_cells as late_cells

    request = _key_file_first(tmp_path)
    real = late_cells.open_reader

    def rewritten(fctx: Any, *args: Any) -> Any:
        with open(fctx.lookup.path, "ab") as fh:
            fh.write(b"Hooli,hooli.example,gavin@hooli.example\n")
        return real(fctx, *args)
    monkeypatch.setattr(late_cells, "open_reader", rewritten)
    report = validate(request)
    late, rows, error = _late(report)
    assert late == [("companies.csv", 4, 3, "HS314", MESSAGE, "value:dan.smith@initech.example")]
    assert rows == [["companies.csv", "", "", "", "", "4", "3", "Email", "HS314", "warning", MESSAGE]]
    assert error["sourceData"]["rowData"] == []
    assert report.unshown == {"companies.csv": "it changed since it was read"}


def test_a_workbook_key_file_shows_its_row_read_again(tmp_path: Path) -> None:
    from tests.workbooks import make_workbook

    request_path = _key_file_first(tmp_path)
    request = json.loads(request_path.read_text(encoding="utf-8"))
    rows = list(csv.reader(io.StringIO((request_path.parent / "companies.csv").read_text(encoding="utf-8"))))
    (request_path.parent / "companies.xlsx").write_bytes(make_workbook({"sheets": [{"name": "Companies",
                                                                                    "rows": rows}]}))
    request["files"][0].update(fileName="companies.xlsx", fileFormat="SPREADSHEET")
    request_path.write_text(json.dumps(request), encoding="utf-8")
    report = validate(request_path)
    late, shown, error = _late(report)
    assert [f[:4] for f in late] == [("companies.xlsx", 4, 3, "HS314")]
    assert shown == [["companies.xlsx", "Initech", "initech.example", "dan.smith@initech.example", "", "4", "3",
                      "Email", "Companies!C4", "HS314", "warning", MESSAGE]]
    assert (error["sourceData"]["rowData"], error["sourceData"]["pageName"]) == (
        ["Initech", "initech.example", "dan.smith@initech.example"], "Companies")


def test_captured_cells_are_the_frames_whatever_the_columns_storage() -> None:
    # the failing rows' cells are read by one take per Arrow piece of each column, or one slice
    # where they are a run of the piece's rows; both give the frame's cells as text, for Arrow
    # columns of several pieces, a column stored in Python (bytes that are not UTF-8) and an empty one
    import numpy as np

    from tests.test_reader_fast import read_fast
    from validator.records import capture

    cafe = "caf\xe9"
    lines = [f"u{i}@x.com,Name {i},{cafe if i % 7 == 0 else 'plain'} {i}," for i in range(2000)]
    data = ("Email,Name,Note,Empty\n" + "\n".join(lines) + "\n").encode("latin-1")
    _reader, _notes, chunks = read_fast(data, 1500, 4096)
    chunk = chunks[0]
    assert len(chunk.column(0).array._pa_array.chunks) > 1  # several pieces
    assert chunk.cell_bytes  # the third column holds bytes that are not UTF-8: stored in Python
    assert not chunk.filled(3)  # the fourth is empty throughout: its cells are "" without a look
    picks = [chunk.frame.index[np.linspace(0, len(chunk) - 1, n).astype(int)].tolist() for n in (1, 9, 300, len(chunk))]
    picks += [chunk.frame.index[5:400].tolist(), chunk.frame.index[390:1200].tolist(),  # runs, within pieces and across
              [*chunk.frame.index[10:20].tolist(), *chunk.frame.index[30:900:3].tolist()]]
    for rows in picks:
        store: dict[int, tuple[str, ...]] = {}
        capture(chunk, [*rows, 10**9], store)  # (a row of another chunk is left out)
        expected = {int(r): tuple(str(v) for v in values)
                    for r, values in zip(rows, chunk.frame.loc[rows].itertuples(index=False, name=None), strict=True)}
        assert store == expected
        assert store[rows[0]][:2] == (f"u{rows[0] - 2}@x.com", f"Name {rows[0] - 2}")


def test_the_command_line_reads_a_file_again_only_for_the_formats_that_show_cells(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the second read serves the csv and hubspot formats: text, json and the rest show no row's
    # cells, so a check in them does not pay for it (a key file of 1,000,000 rows, read twice)
    from click.testing import CliRunner

    import validator.late_cells as late_cells
    from validator.cli import cli

    request = _key_file_first(tmp_path)
    opened: list[str] = []
    real = late_cells.open_reader

    def counted(fctx: Any, *args: Any) -> Any:
        opened.append(fctx.name)
        return real(fctx, *args)
    monkeypatch.setattr(late_cells, "open_reader", counted)
    runs = {}
    for fmt in ("text", "json", "sarif", "csv", "hubspot"):
        opened.clear()
        result = CliRunner().invoke(cli, ["check", str(request), "--format", fmt])
        runs[fmt] = (result.exit_code, list(opened))
    assert runs == {"text": (1, []), "json": (1, []), "sarif": (1, []), "csv": (1, ["companies.csv"]),
                    "hubspot": (1, ["companies.csv"])}
    opened.clear()
    result = CliRunner().invoke(cli, ["check", str(request), "--statistics"])  # (counts: no cells either)
    assert (result.exit_code, opened) == (1, [])
