"""Whole rows hashed as written CSV records (HS304 with polars): the fast reader's hashes of
records' own bytes agree with rows written from their cells, whatever the quoting, and HS304
reports the same rows whichever way a run hashes and whichever reader reads."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.test_reader_fast import csv_files, stray_quote_files
from validator import Config, engine, native, validate
from validator.keys import _polars_hash, hashers, hashing, record_hasher
from validator.readers import framing
from validator.readers.base import ReaderNotes
from validator.readers.csv_fast import FastCsvReader
from validator.readers.framing import frame, written_records
from validator.readers.written import byte_views, taken, written_rows

CELL = st.text(alphabet=st.sampled_from(list('ab ,;"\r\né\t')), max_size=6)


def minimal(cells: list[str], delimiter: str) -> bytes:
    """The csv module's writing of a row, quoting only where needed, without the line end (and
    a row of one empty value as nothing: the csv module writes ``""`` there, so that the line
    is not blank; a blank row is no row to compare)."""
    if cells == [""]:
        return b""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerow(cells)
    return out.getvalue().removesuffix("\r\n").encode()


@given(st.binary(max_size=80), st.lists(st.tuples(st.integers(0, 80), st.integers(0, 40)), max_size=12))
def test_byte_views_are_the_slices(data: bytes, spans: list[tuple[int, int]]) -> None:
    buf = np.frombuffer(data, np.uint8)
    starts = np.array([min(a, len(data)) for a, _ in spans], np.int64)
    ends = np.array([min(a + n, len(data)) for a, n in spans], np.int64)
    views = byte_views(buf, starts, ends)
    assert views.type == pa.binary_view()
    views.validate(full=True)  # Arrow checks each view's inline bytes or prefix against the data
    assert views.to_pylist() == [data[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]


@given(st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=8), st.sampled_from([",", ";", "\t"]),
       st.integers(1, 3))
def test_written_rows_quote_as_the_csv_module_does(rows: list[list[str]], delimiter: str, pieces: int) -> None:
    columns = []
    for i in range(3):
        cells = [r[i] for r in rows]
        cut = max(1, len(cells) // pieces)  # the column in pieces, some string, some binary
        columns.append([pa.array(cells[k:k + cut], pa.large_string() if k % 2 else pa.binary())
                        for k in range(0, len(cells), cut)])
    got = written_rows(columns, delimiter).to_pylist()
    assert got == [minimal(r, delimiter) for r in rows]
    at = np.array([k for k in range(len(rows)) if k % 2 == 0])
    assert written_rows([taken(c, at) for c in columns], delimiter).to_pylist() == [got[k] for k in at.tolist()]


# a value written by hand, as CSV writers of every kind write it: bare where it can be, quoted
# where it must be, or quoted although it need not be (QUOTE_ALL, QUOTE_NONNUMERIC)
@st.composite
def hand_written(draw: Any, delimiter: str) -> tuple[str, str]:
    cell = draw(CELL.filter(lambda c: c.count("\r") == c.count("\r\n")))  # CR only in CRLF: a lone one goes exact
    need = any(ch in cell for ch in (delimiter, '"', "\r", "\n"))
    if need or draw(st.booleans()):
        return cell, '"' + cell.replace('"', '""') + '"'
    return cell, cell


@given(st.data(), st.sampled_from([",", ";"]), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_written_records_are_the_rows_written(data: Any, delimiter: str, newline: str, dense: bool) -> None:
    """Every record ``written_records`` marks is its row written with minimal quoting: records
    that quote plain values lose those quotes, others stay as they are. With ``dense`` off, the
    segment is rewritten however many quotes it holds."""
    width = data.draw(st.integers(1, 4))
    rows = data.draw(st.lists(st.lists(hand_written(delimiter), min_size=width, max_size=width), min_size=1,
                              max_size=10))
    rows = [r for r in rows if any(raw for _cell, raw in r)]  # (an empty line is no record)
    assume(rows)
    text = newline.join(delimiter.join(raw for _cell, raw in r) for r in rows) + newline
    buf = np.frombuffer(text.encode(), np.uint8)
    saved = framing._QUOTES_APART, framing._QUOTED_SHARE
    try:
        if not dense:
            framing._QUOTES_APART = framing._QUOTED_SHARE = 0
        framed = frame(buf, ord(delimiter), 0, final=True)
        assert framed is not None
        out, starts, ends, written = written_records(buf, framed, ord(delimiter))
    finally:
        framing._QUOTES_APART, framing._QUOTED_SHARE = saved
    assert len(starts) == len(rows)
    for k, row in enumerate(rows):
        unquoted = all(raw == cell for cell, raw in row)
        if written[k]:
            assert out[starts[k]:ends[k]].tobytes() == minimal([c for c, _ in row], delimiter)
        if not dense:
            assert written[k]  # no stray quotes here: every record is written
        assert written[k] or not unquoted  # a record without quotes always is


def _fast_read(data: bytes, segment: int, chunk_rows: int = 3) -> tuple[ReaderNotes, list[Any]]:
    notes = ReaderNotes()
    with hashing(fast=True):
        reader = FastCsvReader(io.BytesIO(data), notes, chunk_rows=chunk_rows, segment=segment,
                               record_hasher=record_hasher())
        return notes, list(reader.chunks())


def _fast_chunks(data: bytes, segment: int, chunk_rows: int = 3) -> list[Any]:
    return _fast_read(data, segment, chunk_rows)[1]


def _assert_hashes_are_the_written_rows(data: bytes, segment: int) -> int:
    """Each row the fast reader hashed hashes as its cells written, a byte that is not UTF-8 as it
    was read (a lone surrogate's byte); returns how many it hashed."""
    hashed = 0
    notes, chunks = _fast_read(data, segment)
    with hashing(fast=True):
        fast = hashers._fast()
    assert fast is not None
    for chunk in chunks:
        if chunk.record_hashes is None or not len(chunk):
            continue
        values, has = chunk.record_hashes
        assert len(values) == len(has) == len(chunk)
        columns = [[pa.array([v.encode("utf-8", "surrogateescape") for v in chunk.frame[i]], pa.binary())]
                   for i in range(chunk.frame.shape[1])]
        want = fast(written_rows(columns, notes.delimiter).chunks)  # the file's delimiter
        assert values[has].tolist() == want[has].tolist()
        hashed += int(has.sum())
    return hashed


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(csv_files(), st.sampled_from([16, 64, 1 << 20]))
def test_fast_reader_row_hashes_are_the_rows_written(fast_hash: str, data: bytes, segment: int) -> None:
    _assert_hashes_are_the_written_rows(data, segment)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stray_quote_files(), st.sampled_from([16, 64, 1 << 20]))
def test_fast_reader_row_hashes_with_stray_quotes(fast_hash: str, data: bytes, segment: int) -> None:
    _assert_hashes_are_the_written_rows(data, segment)


def test_most_rows_of_a_clean_file_come_hashed(fast_hash: str) -> None:
    names = ['"Lee, Ann"', '"Bo"', "Cy"]  # quoted as needed, quoted though plain, bare
    rows = [f"u{i % 50}@x.com,{names[i % 3]},a note of some length or rather of none {i % 7}\n" for i in range(3000)]
    data = ("Email,Name,N\n" + "".join(rows)).encode()
    assert _assert_hashes_are_the_written_rows(data, 4096) == 3000
    quoted = ('"Email","Name","N"\n' + "".join(f'"u{i}@x.com","Bo","{i}"\n' for i in range(3000))).encode()
    chunks = _fast_chunks(quoted, 4096)  # every value quoted: left to the rule's own way
    assert all(c.record_hashes is None for c in chunks)
    # a Windows-1252 file's segments are parsed as bytes: their records are hashed as read too
    assert _assert_hashes_are_the_written_rows(data.replace(b"Ann", b"Ren\xe9e"), 4096) == 3000


REQUEST = {"files": [{"fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {
    "hasHeader": True, "columnMappings": [
    {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
    {"columnObjectTypeId": "0-1", "columnName": "Name", "propertyName": "firstname"},
    {"columnObjectTypeId": "0-1", "columnName": "Note", "propertyName": "message"}]}}]}


def _hs304(data: bytes, reader: str, fast_hashes: bool, monkeypatch: pytest.MonkeyPatch,
           key: str = "email", rewrite: bool = False, chunk_rows: int = 7) -> list[tuple[int, str]]:
    """HS304's (row, message) pairs; ``rewrite``: the fast reader rewrites every segment's
    records however many quotes it holds (none counts as mostly quoted)."""
    request = json.loads(json.dumps(REQUEST))
    request["files"][0]["fileImportPage"]["columnMappings"][0]["propertyName"] = key
    with monkeypatch.context() as m:
        if fast_hashes:
            m.setattr(engine, "LARGE_INPUT", 0)  # polars hashes the run's keys and rows
        if rewrite:
            m.setattr(framing, "_QUOTES_APART", 0)
            m.setattr(framing, "_QUOTED_SHARE", 0)
        m.setitem(FastCsvReader.__init__.__kwdefaults__, "segment", 512)
        report = validate(request, files={"c.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                          config=Config(reader=reader, chunk_rows=chunk_rows, select=("HS304",)))
    return [(f.row, f.message) for f in report.findings if f.code == "HS304"]


POOL = [["ann@x.com", "Ann", "plain"], ["bo@x.com", "Bo", "Lee, Bo"], ["cy@x.com", "Cy", 'said "hi"'],
        ["di@x.com", "Di", "two\nlines"], ["ann@x.com", "Ann", "other"], ["", "", ""], ["ed@x.com", "Ed", ""]]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(POOL) - 1), st.sampled_from(["minimal", "all", "stray"])),
                min_size=1, max_size=40),
       st.sampled_from(["email", "firstname"]))
def test_duplicate_rows_whatever_the_quoting_and_the_hashing(picks: list[tuple[int, str]], key: str) -> None:
    """Identical rows are reported at their rows when one is written bare and the other quoted
    (an export concatenated with another tool's): with the fast hash (the native kernel's, and
    polars') on the fast reader (most rows hashed from their bytes, some from their cells) and on
    the exact one, and with pandas'."""
    monkeypatch = pytest.MonkeyPatch()
    lines, rows = [], []
    for index, style in picks:
        cells = POOL[index]
        if style == "all":
            line = ",".join('"' + c.replace('"', '""') + '"' for c in cells)
        elif style == "stray" and cells[1]:  # a stray quote: text, kept as it is
            cells = [cells[0], cells[1] + ' "B"', cells[2]]
            line = ",".join([cells[0], cells[1], minimal([cells[2]], ",").decode()])
        else:
            line = minimal(cells, ",").decode()
        lines.append(line or ",,")
        rows.append(cells)
    data = ("Email,Name,Note\r\n" + "\r\n".join(lines) + "\r\n").encode()
    want = []
    for i, row in enumerate(rows):
        earlier = [j for j in range(i) if rows[j] == row]
        if earlier and any(c.strip() for c in row):
            want.append((i + 2, f"row is identical to row {earlier[0] + 2}"))
    try:
        for kernels in (native.kernels, None):  # the native kernel's hash, then polars'
            monkeypatch.setattr(native, "kernels", kernels)
            for reader in ("fast", "exact"):
                for fast_hashes in (True, False):
                    assert _hs304(data, reader, fast_hashes, monkeypatch, key) == want, (reader, fast_hashes, kernels)
            assert _hs304(data, "fast", True, monkeypatch, key, rewrite=True) == want
    finally:
        monkeypatch.undo()


def test_a_file_that_turns_to_quoting_every_value_keeps_one_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose first segment quotes little and whose later ones quote every value: its rows
    are still hashed one way (as written), so a bare row and its fully quoted repeat match."""
    bare = [f"u{i}@x.com,Ann,note {i}" for i in range(60)]
    quoted = [f'"u{i}@x.com","Ann","note {i}"' for i in range(60)]
    data = ("Email,Name,Note\n" + "\n".join(bare + quoted) + "\n").encode()
    want = [(62 + i, f"row is identical to row {2 + i}") for i in range(60)]
    assert _hs304(data, "fast", True, monkeypatch) == want
    assert _hs304(data, "exact", False, monkeypatch) == want


def test_rows_the_exact_reader_reads_mid_file_hash_as_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of rows the exact reader read (after text behind a closing quote) come without the
    reader's hashes; their rows are written from their cells, and match the rows around them."""
    import validator.readers.csv_fast_fallback as fallback

    monkeypatch.setattr(fallback, "EXACT_PIECE", 512)  # (read there)
    rows = [f"u{i}@x.com,Ann,a note of some length number {i}" for i in range(30)]
    bad = 'v@x.com,"Buyer"Co,x'
    data = ("Email,Name,Note\n" + "\n".join([*rows, bad, *rows[:20], *rows[:5]]) + "\n").encode()
    want = [(33 + i, f"row is identical to row {2 + i}") for i in range(20)]
    want += [(53 + i, f"row is identical to row {2 + i}") for i in range(5)]
    chunks = _fast_chunks(data, 512)
    assert any(c.record_hashes is None and len(c) for c in chunks)  # a chunk the exact reader read
    assert any(c.record_hashes is not None for c in chunks)
    for key in ("email", "firstname"):
        assert _hs304(data, "fast", True, monkeypatch, key, chunk_rows=3) == want
        assert _hs304(data, "exact", False, monkeypatch, key, chunk_rows=3) == want


def test_the_record_hasher_waits_for_polars_at_its_first_hash_only(monkeypatch: pytest.MonkeyPatch,
                                                                   polars_hash: None) -> None:
    """The engine asks for the hasher as it opens a file: that must not wait for polars' import
    (the file's first records are read meanwhile). Where polars cannot be loaded, the hasher
    hashes nothing, the reader gives no hashes, and HS304 hashes with pandas, finding the same."""
    import time

    from validator.keys import hashers as keys

    real = keys._polars

    def slow() -> object:
        time.sleep(0.3)
        return real()

    monkeypatch.setattr(keys, "_polars", slow)
    with hashing(fast=True):
        started = time.perf_counter()
        hasher = record_hasher()
        assert hasher is not None and time.perf_counter() - started < 0.2
        got = hasher([pa.array([b"a,b"], pa.binary())])
        assert got is not None and got.tolist() == _polars_hash(real(), [pa.array([b"a,b"], pa.binary_view())]).tolist()

    monkeypatch.setattr(keys, "_polars", lambda: None)
    rows = [f"u{i % 40}@x.com,Ann,a note of some length or rather of none" for i in range(100)]
    data = ("Email,Name,Note\n" + "\n".join(rows) + "\n").encode()
    with hashing(fast=True):
        hasher = record_hasher()
        assert hasher is not None and hasher([pa.array([b"x"])]) is None
    assert all(c.record_hashes is None for c in _fast_chunks(data, 512))
    want = [(42 + i, f"row is identical to row {2 + i % 40}") for i in range(60)]
    assert _hs304(data, "fast", True, monkeypatch) == want


def test_rows_written_to_be_hashed_are_written_a_batch_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows without the reader's hashes (here those the exact reader read mid-file) are written
    as records to be hashed: a chunk of them was written whole at once (1,024 rows of 1 MB: a
    copy of the chunk, and polars' of that, beside it; a title above the header made the file's
    first chunk come with the reader's hashes, so that way was taken); they are written and
    hashed ``ROW_BATCH_BYTES`` at a time now, with the same hashes: the same findings."""
    import validator.readers.csv_fast_fallback as fallback
    from validator.keys import hashers

    monkeypatch.setattr(fallback, "EXACT_PIECE", 512)
    rows = [f"u{i}@x.com,Ann,a note of some length number {i}" for i in range(30)]
    data = ("Email,Name,Note\n" + "\n".join([*rows, 'v@x.com,"Buyer"Co,x', *rows[:20], *rows[:5]]) + "\n").encode()
    want = [("HS304", 33 + i, None) for i in range(20)] + [("HS304", 53 + i, None) for i in range(5)]
    written: list[int] = []
    real = hashers.written_rows_at

    def spy(columns: Any, at: Any, delimiter: str) -> Any:
        out = real(columns, at, delimiter)
        written.append(sum(len(v) for v in out.to_pylist()))
        return out

    monkeypatch.setattr(hashers, "written_rows_at", spy)
    monkeypatch.setattr(hashers, "ROW_BATCH_BYTES", 200, raising=False)
    for chunk_rows in (7, 50):
        written.clear()
        with monkeypatch.context() as m:
            m.setattr(engine, "LARGE_INPUT", 0)  # polars hashes the run's keys and rows
            m.setitem(FastCsvReader.__init__.__kwdefaults__, "segment", 512)
            report = validate(REQUEST, files={"c.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                              config=Config(reader="fast", chunk_rows=chunk_rows, select=("HS304",)))
        assert [(f.code, f.row, f.column) for f in report.findings] == want
        longest = max(len(r) for r in rows)
        assert written and max(written) <= 200 + longest, written  # (was every row of a chunk at once)
        assert len(written) > 1


@given(st.lists(CELL, min_size=1, max_size=12), st.integers(1, 4), st.data())
def test_rows_written_from_a_run_of_rows_are_those_taken(cells: list[str], pieces: int, data: Any) -> None:
    """``written_rows_at`` of consecutive rows slices the column's pieces (no copy): the same
    records as the rows taken."""
    from validator.readers.written import written_rows_at

    cut = max(1, len(cells) // pieces)
    column = [pa.array(cells[k:k + cut], pa.large_string()) for k in range(0, len(cells), cut)]
    start = data.draw(st.integers(0, len(cells) - 1))
    stop = data.draw(st.integers(start + 1, len(cells)))
    at = np.arange(start, stop)
    got = written_rows_at([column, column], at, ";").to_pylist()
    assert got == written_rows([taken(column, at), taken(column, at)], ";").to_pylist()
    assert got == [minimal([c, c], ";") for c in cells[start:stop]]


@pytest.mark.parametrize("fast", [True, False])
def test_an_empty_column_hashes_as_its_cells_would(fast: bool, fast_hash: str) -> None:
    # a row's hash combines its cells' (a workbook's rows, or a CSV read exactly): a column empty
    # throughout the chunk takes the hash of "" without a look, the same as its cells hashed
    import pandas as pd

    from validator.keys.hashers import hashes
    from validator.readers.base import PY_STR, STR

    frame = pd.DataFrame({0: pd.Series(["a", "b", ""], dtype=STR), 1: pd.Series(["", "", ""], dtype=STR),
                          2: pd.Series(["x", "\udcff", ""], dtype=PY_STR), 3: pd.Series(["", "", ""], dtype=PY_STR)})

    def cells(i: int) -> list[pa.Array]:
        return [pa.array([v.encode("utf-8", "surrogatepass") for v in frame[i]], pa.large_binary())]
    with hashing(fast=fast):
        looked = hashes(frame, cells)
        assert hashes(frame, cells, frozenset({1, 3})).tolist() == looked.tolist()
        assert hashes(frame, None, frozenset({1, 3})).tolist() == hashes(frame).tolist()
        assert len(set(looked.tolist())) == 3
