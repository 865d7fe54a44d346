"""The csv and hubspot formats show the cells of a row named by HS314, a key of a common column
that no row of the owning file holds (README, "Report formats"): where the owning file is read
first, the finding is made while the row is at hand; where it is read later, after the rows have
gone, the row's cells are not shown (keeping every row that might be named would hold the whole
file)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from tests.conftest import ROOT
from validator import validate
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
    assert rows[-1] == ["companies.csv", "Initech", "initech.example", "dan.smith@initech.example", "", "4", "HS314",
                        MESSAGE]
    error = next(e for e in json.loads(render(report, "hubspot"))["results"] if "HS314" in e["extraContext"])
    assert (error["sourceData"]["rowData"], error["sourceData"]["lineNumber"], error["knownColumnNumber"]) == (
        ["Initech", "initech.example", "dan.smith@initech.example"], 4, 2)


def test_a_key_of_a_file_read_before_its_owner_has_no_cells_to_show(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "x")
    request = json.loads((tmp_path / "x" / "import.json").read_text(encoding="utf-8"))
    request["files"].reverse()  # companies.csv first: its keys are judged once contacts.csv is read
    (tmp_path / "x" / "import.json").write_text(json.dumps(request), encoding="utf-8")
    report = validate(tmp_path / "x" / "import.json")
    late = [f for f in report.findings if f.code == "HS314"]
    assert [(f.file, f.row, f.column, f.code, f.message, f.key) for f in late] == [
        ("companies.csv", 4, 3, "HS314", MESSAGE, "value:dan.smith@initech.example")]
    rows = list(csv.reader(io.StringIO(render(report, "csv"))))
    assert [r for r in rows if "HS314" in r] == [["companies.csv", "", "", "", "", "4", "HS314", MESSAGE]]
    error = next(e for e in json.loads(render(report, "hubspot"))["results"] if "HS314" in e["extraContext"])
    assert (error["sourceData"]["rowData"], error["invalidValue"]) == ([], "dan.smith@initech.example")


def test_captured_cells_are_the_frames_whatever_the_columns_storage() -> None:
    # the failing rows' cells are read from each column's Arrow pieces one by one (a few rows) or
    # by one take per column (many); both give the frame's cells as text, for Arrow columns of
    # several pieces and for a column stored in Python (bytes that are not UTF-8)
    import numpy as np

    from tests.test_reader_fast import read_fast
    from validator.records import capture

    cafe = "caf\xe9"
    lines = [f"u{i}@x.com,Name {i},{cafe if i % 7 == 0 else 'plain'} {i}" for i in range(2000)]
    data = ("Email,Name,Note\n" + "\n".join(lines) + "\n").encode("latin-1")
    _reader, _notes, chunks = read_fast(data, 1500, 4096)
    chunk = chunks[0]
    assert len(chunk.column(0).array._pa_array.chunks) > 1  # several pieces
    assert chunk.cell_bytes  # the third column holds bytes that are not UTF-8: stored in Python
    for picked in (1, 9, 300, len(chunk)):
        rows = chunk.frame.index[np.linspace(0, len(chunk) - 1, picked).astype(int)].tolist()
        store: dict[int, tuple[str, ...]] = {}
        capture(chunk, [*rows, 10**9], store)  # (a row of another chunk is left out)
        expected = {int(r): tuple(str(v) for v in values)
                    for r, values in zip(rows, chunk.frame.loc[rows].itertuples(index=False, name=None), strict=True)}
        assert store == expected
        assert store[rows[0]][:2] == (f"u{rows[0] - 2}@x.com", f"Name {rows[0] - 2}")
