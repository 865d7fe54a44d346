"""Columns empty throughout a chunk: the rules over cell values pass over them
(``Chunk.empty_columns``, ``checks.base.with_values``, ``ValueRule.typed(file, chunk)``), and the
reports stay the same.

The request maps one column to every property of the catalog's contacts, companies and deals
(the built-in catalog's, and a portal snapshot's with its owners), each column empty in some
chunks and holding, in others, values of every kind the rules look at: the reports with the
columns passed over and with every column looked at (``Chunk.empty_columns`` always none) must be
equal, for both CSV readers and a workbook.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from tests.conftest import ROOT
from tests.workbooks import make_workbook
from validator import Config, validate
from validator.catalog import Catalog
from validator.checks import _facts
from validator.portal import catalog_for
from validator.readers.base import PY_STR, STR, Chunk, Kinds

PORTAL = ROOT / "fixtures" / "portal"
OBJECTS = {"0-1": "contacts", "0-2": "companies", "0-3": "deals"}
# what the rules look for, one value each: markers, spaces, formulas, control characters, numbers
# and dates in many forms, options, emails, domains, phones, IDs, lists, long and multi-line text
VALUES = ["nan", " Ann ", "=1+2", "Ann\x0bLee", "1.5551E+16", "'02134", "2134", "2134.0", "12/31/2020",
          "31/12/2020", "2020-13-45", "1700000000", "1700000000000", "0", "-5", "25 %", "250", "1,234.50",
          "€5", "yes", "maybe", "Lead", "lead", "a; b", "ann@example.com", "bad@", "Ann@Example.com",
          "example.com", "https://www.example.com/x", "+1 415 555 0132", "555", "12345", "1;2", "x" * 70,
          "line\nbreak", "\ufffd", "١٢/٣١/٢٠٢٠", "Janvier 3, 2020", "2020-01-02T03:04:05Z", "ann@example.com;bob@",
          "Jane Owner", "owner@example.com", "0:30", "\u00a0x", "##", "a\x00b", ""]
# a workbook's cells of other kinds: a date, numbers (one past 15 digits), a boolean, a formula
# without a value, an error; its text cells hold no control character (openpyxl refuses them)
CELLS = [dt.datetime(2020, 1, 2, 3, 4), 12345678901234567, 0.25, 2134, True, "=1+2", {"s": "#N/A"}]
ROWS = 30
CHUNK_ROWS = 5


def _properties(catalog: Catalog) -> list[tuple[str, str]]:
    return [(obj, name) for obj in OBJECTS for name in sorted(catalog.properties(obj))]


def _table(props: list[tuple[str, str]], workbook: bool) -> tuple[list[str], list[list[Any]]]:
    """A header and rows: chunks 1, 3 and 5 hold only an email (every other column empty in them),
    chunks 2, 4 and 6 a value of ``VALUES`` (and ``CELLS``) in each cell, spread so each column
    meets many."""
    names = ["Email"] + [f"{OBJECTS[o]} {p}" for o, p in props]
    values: list[Any] = [v for v in VALUES if v.isprintable() or "\n" in v] + CELLS if workbook else VALUES
    rows = []
    for r in range(ROWS):
        row: list[Any] = [f"u{r}@example.com" if r != 13 else "bad@"]
        for c in range(len(props)):
            row.append(values[(r * 7 + c * 3) % len(values)] if (r // CHUNK_ROWS) % 2 else "")
        rows.append(row)
    return names, rows


def _request(props: list[tuple[str, str]], name: str, fmt: str) -> dict[str, Any]:
    mappings = [{"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email", "columnType":
                 "HUBSPOT_ALTERNATE_ID"}]
    mappings += [{"columnObjectTypeId": o, "columnName": f"{OBJECTS[o]} {p}", "propertyName": p} for o, p in props
                 if not (o == "0-1" and p == "email")]
    return {"name": "every property", "importOperations": {o: "UPSERT" for o in OBJECTS},
            "dateFormat": "MONTH_DAY_YEAR",
            "files": [{"fileName": name, "fileFormat": fmt, "fileImportPage": {"hasHeader": True,
                                                                                "columnMappings": mappings}}]}


def _report(request: dict[str, Any], files: dict[str, Any], reader: str, portal: Any) -> dict[str, Any]:
    rep = validate(request, files=files, base_dir="/nonexistent",
                   config=Config(reader=reader, chunk_rows=CHUNK_ROWS, portal=portal)).to_dict()
    rep["summary"].pop("seconds")
    for f in rep["files"]:
        f.pop("seconds")
    return rep


def _inputs(portal: Any, workbook: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    props = _properties(catalog_for(portal))
    names, rows = _table([p for p in props if p != ("0-1", "email")], workbook)
    if workbook:
        data = make_workbook({"sheets": [{"rows": [names, *rows]}]})
        return _request(props, "data.xlsx", "SPREADSHEET"), {"data.xlsx": io.BytesIO(data)}
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows([names, *rows])
    return _request(props, "data.csv", "CSV"), {"data.csv": io.BytesIO(text.getvalue().encode("utf-8"))}


@pytest.mark.parametrize("portal", [None, PORTAL], ids=["built-in", "portal"])
@pytest.mark.parametrize("reader", ["fast", "exact", "workbook"])
def test_empty_columns_passed_over_give_the_same_report(monkeypatch: pytest.MonkeyPatch, portal: Any,
                                                         reader: str) -> None:
    request, files = _inputs(portal, reader == "workbook")
    how = "auto" if reader == "workbook" else reader
    passed_over = _report(request, {k: io.BytesIO(v.getvalue()) for k, v in files.items()}, how, portal)
    monkeypatch.setattr(Chunk, "empty_columns", property(lambda self: frozenset()))
    looked_at = _report(request, files, how, portal)
    assert passed_over == looked_at
    codes = {f["code"] for f in passed_over["findings"]}
    # the values reached the rules that pass empty columns over (a test that finds nothing proves nothing)
    assert {"HS201", "HS205", "HS207", "HS208", "HS212", "HS215", "HS245", "HS254", "HS409", "HS436", "HS438",
            "HS602", "HS609"} <= codes
    if reader == "workbook":
        assert {"HS419", "HS423", "HS425", "HS426", "HS427"} <= codes
    else:
        assert {"HS405", "HS430", "HS431"} <= codes
    assert not {f["row"] for f in passed_over["findings"] if f["code"] in {"HS254", "HS409", "HS430"}} & \
        {r + 2 for r in range(ROWS) if not (r // CHUNK_ROWS) % 2}


def test_no_byte_screen_is_made_for_an_empty_column(monkeypatch: pytest.MonkeyPatch) -> None:
    # a wide export: an email and 40 text columns, two of them holding a value in the second chunk
    # only; the screens are made for the email and those two there, not for the 38 others
    names = ["Email"] + [f"Field {i}" for i in range(40)]
    rows = [[f"u{r}@example.com"] + ["" if not (r >= 5 and i in (3, 17)) else " x" for i in range(40)]
            for r in range(10)]
    text = "\r\n".join(",".join(r) for r in [names, *rows]) + "\r\n"
    request = {"name": "wide", "files": [{"fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [{"columnObjectTypeId": "0-1", "columnName": n,
                                               "propertyName": "email" if n == "Email" else n.lower().replace(" ", "_")}
                                              for n in names]}}]}
    made: list[tuple[int, int]] = []
    real = _facts.column_bytes

    def spy(chunk: Chunk, index: int) -> list[pa.Array]:
        made.append((int(chunk.rows[0]), index))
        return real(chunk, index)

    monkeypatch.setattr(_facts, "column_bytes", spy)
    report = validate(request, files={"c.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent",
                      config=Config(reader="fast", chunk_rows=5))
    assert {(f.code, f.row, f.column) for f in report.findings if f.code == "HS409"} == \
        {("HS409", r, c) for r in range(7, 12) for c in (5, 19)}
    assert set(made) == {(2, 0), (7, 0), (7, 4), (7, 18)}


def test_filled_reads_arrow_offsets_python_cells_and_workbook_kinds() -> None:
    arrow = pa.chunked_array([pa.array(["", "x", ""], pa.large_string())])

    def chunk(*columns: pd.Series, kinds: Kinds | None = None) -> Chunk:
        frame = pd.DataFrame(dict(enumerate(columns)))
        frame.index = pd.Index(np.arange(2, 2 + len(frame)))
        return Chunk(frame=frame, lines=frame.index.to_numpy(), kinds=kinds)

    c = chunk(pd.Series(arrow.slice(0, 1), dtype=STR), pd.Series(arrow.slice(1, 1), dtype=STR),
              pd.Series(arrow.slice(2, 1), dtype=STR))
    assert [c.filled(i) for i in range(3)] == [False, True, False]  # a slice's own cells, not its buffer's
    pieces = [pa.array(v, pa.large_string()) for v in (["", ""], ["", "x"], [""], ["", ""])]
    c = chunk(pd.Series(pa.chunked_array(pieces[:3]), dtype=STR),
              pd.Series(pa.chunked_array([pieces[0], pieces[2], pieces[3]]), dtype=STR))
    assert [c.filled(i) for i in range(2)] == [True, False]  # every piece looked at
    c = chunk(pd.Series(["", ""], dtype=PY_STR), pd.Series(["", "\udcff"], dtype=PY_STR),
              pd.Series(pa.array(["", None], pa.large_string()), dtype=STR))
    assert [c.filled(i) for i in range(3)] == [False, True, True]  # a null: unknown, so looked at
    kinds = Kinds.of_letters([["", "f"], ["", ""]], pd.Index([2, 3]))  # a formula without a value reads as ""
    c = chunk(pd.Series(["", ""], dtype=STR), pd.Series(["", ""], dtype=STR), kinds=kinds)
    assert [c.filled(i) for i in range(2)] == [True, False] and c.empty_columns == {1}



def test_kinds_hold_a_byte_a_cell_and_read_as_letters() -> None:
    kinds = Kinds.of_letters([["s", "", "n"], ["f", "d", ""]], pd.Index([4, 5, 7]))
    assert kinds.shape == (3, 2) and len(kinds) == 3
    assert kinds.codes(0).dtype == np.uint8 and kinds.codes(0).tolist() == [ord("s"), 0, ord("n")]
    assert kinds[1].tolist() == ["f", "d", ""] and kinds[1].index.tolist() == [4, 5, 7]
    assert kinds.iat[2, 0] == "n" and kinds.iat[2, 1] == "" and kinds.iloc[1].tolist() == ["", "d"]
    assert kinds.values.tolist() == [["s", "f"], ["", "d"], ["n", ""]]
    both = Kinds.joined([kinds, Kinds.of_letters([["e"], ["b"]], pd.Index([9]))])
    assert both.values.tolist() == [["s", "f"], ["", "d"], ["n", ""], ["e", "b"]]
    assert both.index.tolist() == [4, 5, 7, 9]


def test_kind_masks_equal_the_kinds_compared_as_text() -> None:
    # a workbook's cell kinds as bytes from the Arrow storage (typed.kind_codes), against the
    # kinds' strings compared in pandas, for every kind letter and column of a workbook's chunks
    from validator.checks.typed import kind_mask
    from validator.readers.base import ReaderNotes
    from validator.readers.xlsx import XlsxReader

    names, rows = _table(_properties(catalog_for(None))[:30], workbook=True)
    data = make_workbook({"sheets": [{"rows": [names, *rows]}]})
    reader = XlsxReader(io.BytesIO(data), ReaderNotes(), size=len(data), chunk_rows=7)
    try:
        chunks = list(reader.chunks())
    finally:
        reader.close()
    seen = set()
    for chunk in chunks:
        assert chunk.kinds is not None
        for i in range(chunk.kinds.shape[1]):
            for kind in "sndtbef":
                got = kind_mask(chunk, i, kind)
                assert got is not None and got.tolist() == (chunk.kinds[i] == kind).to_numpy().tolist()
                seen.update(kind for _ in range(int(got.sum())))
    assert {"s", "n", "d", "b", "f"} <= seen
    assert kind_mask(chunks[0], 10**6, "s") is None


def test_rules_screened_a_group_of_columns_at_a_time_report_as_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # a wide chunk's rules select the columns worth a look for a group of columns at once
    # (_facts.screened over _screens' groups); the report equals the one made column by column:
    # formulas (HS430), spaces around (HS409), null markers (HS254), apostrophes (HS436), NUL
    # (HS405) and control characters (HS431) scattered over custom text columns, most of them
    # with none, some empty throughout a chunk
    import random

    rng = random.Random(7)
    bad = ["=SUM(A1)", "+1 555 0100", "@x", " x", "x\u00a0", "\u3000", "NULL", "\\N", "nan", "'0123", "a\x00b",
           "a\u202eb", "caf\u00e9", "don't", "-5"]
    names = ["Email"] + [f"Field {i}" for i in range(30)]
    rows = []
    for r in range(120):
        cells = [f"u{r}@example.com"]
        for i in range(30):
            if i % 7 == 3 and (r // 40) % 2 == 0:
                cells.append("")  # (empty throughout alternate chunks)
            elif i % 5 == 0 and rng.random() < 0.2:
                cells.append(rng.choice(bad))
            else:
                cells.append(rng.choice(["plain", "", "text here", "7"]))
        rows.append(cells)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([names, *rows])
    request = {"name": "wide", "files": [{"fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [{"columnObjectTypeId": "0-1", "columnName": n,
                                               "propertyName": "email" if n == "Email" else n.lower().replace(" ", "_")}
                                              for n in names]}}]}

    def report(wide: int, group: int) -> list[tuple[str, int | None, int | None, str]]:
        monkeypatch.setattr(_facts, "WIDE_SCREENS", wide)
        monkeypatch.setattr(_facts, "GROUP_CELLS", group)
        got = validate(request, files={"c.csv": io.BytesIO(buf.getvalue().encode())}, base_dir="/nonexistent",
                       config=Config(reader="fast", chunk_rows=40))
        return sorted((f.code, f.row, f.column, f.message) for f in got.findings)

    column_by_column = report(10**9, 1 << 18)
    codes = {c for c, _r, _col, _m in column_by_column}
    assert {"HS430", "HS409", "HS254", "HS436", "HS405", "HS431"} <= codes
    for group in (1, 100, 1 << 18):  # (a column a group, a few, all of them)
        assert report(2, group) == column_by_column, group
