"""The fast CSV path (pyarrow) against the exact one: identical chunks, notes and reports."""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from validator import Config, validate
from validator.context import title_above
from validator.readers import framing
from validator.readers.base import Chunk, ReaderNotes, TitleLook, joined, last_row, reaching
from validator.readers.csv_exact import CsvReader
from validator.readers.csv_fast import FastCsvReader

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "fixtures" / "examples").glob("*/*.json"))
NOTE_FIELDS = ("bom", "bytes", "lines", "records", "line_endings", "final_newline", "decode_events",
               "decode_errors", "empty", "delimiter", "delimiter_counts", "next_line_counts", "delimiter_line",
               "delimiter_line_counts", "stray_quotes", "stray_quote_count")


def read_exact(data: bytes, chunk_rows: int, title: TitleLook | None = None,
               hint: int | None = None) -> tuple[CsvReader, ReaderNotes, list[Chunk]]:
    notes = ReaderNotes()
    reader = CsvReader(io.BytesIO(data), notes, chunk_rows=chunk_rows, title=title, delimiter_hint=hint)
    return reader, notes, list(reader.chunks())


def read_fast(data: bytes, chunk_rows: int, segment: int, title: TitleLook | None = None,
              hint: int | None = None) -> tuple[FastCsvReader, ReaderNotes, list[Chunk]]:
    notes = ReaderNotes()
    reader = FastCsvReader(io.BytesIO(data), notes, chunk_rows=chunk_rows, segment=segment, title=title,
                           delimiter_hint=hint)
    return reader, notes, list(reader.chunks())


def assert_same(data: bytes, chunk_rows: int = 3, segment: int = 64, title: TitleLook | None = None,
                hint: int | None = None) -> str:
    """Both readers agree; returns which reader the fast path ended as ("fast" or "exact")."""
    ea, na, ca = read_exact(data, chunk_rows, title, hint)
    eb, nb, cb = read_fast(data, chunk_rows, segment, title, hint)
    assert ea.header == eb.header
    assert ea.width == eb.width
    for name in NOTE_FIELDS:
        assert getattr(na, name) == getattr(nb, name), name
    assert [n for c in ca for n in c.notes] == [n for c in cb for n in c.notes]
    lines_a = np.concatenate([c.lines for c in ca]) if ca else np.empty(0)
    lines_b = np.concatenate([c.lines for c in cb]) if cb else np.empty(0)
    assert lines_a.tolist() == lines_b.tolist()
    if ca:  # chunks may be cut elsewhere after a hand-over; the rows are the same
        pd.testing.assert_frame_equal(pd.concat([c.frame.astype(object) for c in ca]),
                                      pd.concat([c.frame.astype(object) for c in cb]))
    for c in cb:  # the bytes the fast reader hands over for columns stored in Python
        for i, arrays in c.cell_bytes.items():
            assert c.frame[i].dtype.storage == "python"
            assert [v for a in arrays for v in a.to_pylist()] == [v.encode("utf-8", "surrogatepass")
                                                                  for v in c.frame[i]]
    for chunks in (ca, cb):  # where each chunk's last record ends (the progress bar's bytes): the file's end last
        ends = [c.end for c in chunks]
        assert ends == sorted(ends) and all(ends) and ends[-1:] == [len(data)] * bool(chunks)
    if nb.reader == "fast":  # hand-overs included: the very same chunks
        assert len(ca) == len(cb)
        for a, b in zip(ca, cb, strict=True):
            pd.testing.assert_frame_equal(a.frame, b.frame)
            assert a.notes == b.notes and a.lines.tolist() == b.lines.tolist() and a.end == b.end
    return nb.reader


def test_clean_file_stays_fast_with_lines_of_quoted_newlines() -> None:
    data = b'Email,Note\r\na@x.com,"two\r\nlines"\r\n\r\nb@x.com,"x, y"\r\nc@x.com,z,extra\r\nd@x.com,""""\r\n'
    assert assert_same(data) == "fast"
    _r, _n, chunks = read_fast(data, 100, 64)
    assert chunks[0].frame.index.tolist() == [2, 4, 6]
    assert chunks[0].lines.tolist() == [2, 5, 7]
    assert [(n.kind, n.row, n.line) for n in chunks[0].notes] == [("blank", 3, 4), ("ragged", 5, 6)]


@pytest.mark.parametrize(("data", "reader"), [
    (b"Email,City\na@x.com,Z\xfcrich\nb@x.com,Bern\n", "fast"),  # one segment read exactly
    (b'Email,Note\na@x.com,ok\nb@x.com,"open\nc@x.com,more\n', "fast"),  # unclosed: exact to the end
    (b'Email,Note\na@x.com,"Acme" Inc\nb@x.com,x\n', "fast"),
    (b"Email,Note\ra@x.com,x\r", "fast"),  # CR-only line ends (old Mac): framed at carriage returns
    (b'Email,Note\ra@x.com,"two\rlines"\rb@x.com,"a\nb"\rc@x.com,z\r', "fast"),  # a line feed: exact piece
    (b'Email\na@x.com\n\n""\nb@x.com,x\n', "fast"),  # one column: a blank line, an empty value, a ragged row
    (b"Email,Note\na@x.com,a\x00b\n", "fast"),
    (b"", "exact"),
    (b"Email,Note", "fast"),
])
def test_hand_over_to_the_exact_reader(data: bytes, reader: str) -> None:
    assert assert_same(data * 1) == reader


def test_long_file_many_segments() -> None:
    rows = [f'u{i}@x.com,"note {i}\nline 2",{i}\n' for i in range(3000)]
    rows[1500] = "\n"
    rows[2000] = "bad,row\n"
    rows[2500] = "u@x.com,Z\xfcrich,1\n"
    data = ("Email,Note,N\n" + "".join(rows)).encode("utf-8", "surrogateescape")
    data = data.replace("Z\xfcrich".encode(), b"Z\xfcrich")
    assert assert_same(data, chunk_rows=700, segment=4096) == "fast"


cell = st.text(alphabet=st.sampled_from(list('ab ,"\r\n\u00e9')), max_size=6)
plain = st.text(alphabet=st.sampled_from(list("ab \u00e9")), max_size=3)
# a quote inside an unquoted field: An"n, a space before an opening quote, 5" at the end
stray = st.builds(lambda a, b: a + '"' + b, plain.filter(bool),
                  st.text(alphabet=st.sampled_from(list('ab "')), max_size=3))
# MySQL's backslash-escaped quote inside a quoted field, sometimes over a line break
backslashed = st.builds(lambda a, b, c: f'"{a}\\"{b}\\"{c}"', plain,
                        st.text(alphabet=st.sampled_from(list("ab,\n")), max_size=3), plain)


@st.composite
def csv_files(draw: Any) -> bytes:
    width = draw(st.integers(1, 4))
    header = [f"h{i}" for i in range(width)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"])))
    writer.writerow(header)
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["row", "row", "row", "ragged", "blank", "raw", "stray", "backslash"]))
        if kind in ("stray", "backslash"):  # written by hand: csv.writer would quote them
            fields = [draw(plain) for _ in range(width)]
            fields[draw(st.integers(0, width - 1))] = draw(stray if kind == "stray" else backslashed)
            out.write(",".join(fields) + writer.dialect.lineterminator)
        elif kind == "blank":
            out.write(writer.dialect.lineterminator)
        elif kind == "raw":  # hand-written bytes: stray quotes, lone CRs, odd spacing
            out.write(draw(st.text(alphabet=st.sampled_from(list('a,"\r\n ')), max_size=8)))
        else:
            n = width if kind == "row" else draw(st.integers(1, width + 2))
            writer.writerow([draw(cell) for _ in range(n)])
    data = out.getvalue().encode()
    if draw(st.booleans()):
        data = data.rstrip(b"\r\n")
    if draw(st.integers(0, 5)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\xff" + data[at:]
    return data


@given(csv_files(), st.integers(1, 5), st.sampled_from([16, 64, 1 << 20]))
def test_fast_and_exact_read_generated_files_alike(data: bytes, chunk_rows: int, segment: int) -> None:
    assert_same(data, chunk_rows, segment)


# fields as they are written by hand or by tools that never quote: quotes anywhere in unquoted
# text, beside quoted fields that hold delimiters, doubled quotes and line breaks
stray_field = st.one_of(
    plain, stray,
    st.builds(lambda a, b: f"{a}\"{b}", plain, st.text(alphabet=st.sampled_from(list('a,"')), max_size=3)),
    st.builds(lambda a: '"' + a.replace('"', '""') + '"',
              st.text(alphabet=st.sampled_from(list('ab,"\n')), max_size=5)),
)


@st.composite
def stray_quote_files(draw: Any) -> bytes:
    width = draw(st.integers(1, 4))
    newline = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    lines = [",".join(draw(stray_field) for _ in range(width)) for _ in range(draw(st.integers(1, 16)))]
    data = (",".join(f"h{i}" for i in range(width)) + newline + newline.join(lines)).encode()
    return data if draw(st.booleans()) else data + newline.encode()


@given(stray_quote_files(), st.integers(1, 5), st.sampled_from([16, 64, 1 << 20]), st.sampled_from([1, 24, 1 << 19]))
def test_fast_and_exact_read_files_with_stray_quotes_alike(data: bytes, chunk_rows: int, segment: int,
                                                          block: int) -> None:
    # (a stray's field is counted from the separators of its run of records: RAGGED_BLOCK bytes)
    from validator.readers import csv_fast_segment

    saved, csv_fast_segment.RAGGED_BLOCK = csv_fast_segment.RAGGED_BLOCK, block
    try:
        assert_same(data, chunk_rows, segment)
    finally:
        csv_fast_segment.RAGGED_BLOCK = saved


accented = st.text(alphabet=st.sampled_from(list('aé ü,"\nñ€ß')), max_size=5)


@st.composite
def mixed_encoding_files(draw: Any) -> bytes:
    """Rows written by the csv module, each encoded as UTF-8 or Latin-1/Windows-1252 (a file
    pasted together from two exports), some ragged, some with a stray lone byte."""
    width = draw(st.integers(1, 4))
    newline = draw(st.sampled_from(["\r\n", "\n"]))
    parts = [",".join(f"h{i}" for i in range(width)).encode() + newline.encode()]
    for _ in range(draw(st.integers(1, 14))):
        buf = io.StringIO()
        n = width if draw(st.integers(0, 4)) else draw(st.integers(1, width + 2))
        csv.writer(buf, lineterminator=newline).writerow([draw(accented) for _ in range(n)])
        row = buf.getvalue().encode(draw(st.sampled_from(["utf-8", "cp1252", "latin-1"])), "replace")
        if draw(st.integers(0, 4)) == 0:
            at = draw(st.integers(0, len(row)))
            row = row[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xe2\x82", b"\x80"])) + row[at:]
        parts.append(row)
    return b"".join(parts)


@given(mixed_encoding_files(), st.integers(1, 5), st.sampled_from([16, 64, 1 << 20]))
def test_fast_and_exact_read_files_with_bytes_not_utf8_alike(data: bytes, chunk_rows: int, segment: int) -> None:
    assert_same(data, chunk_rows, segment)


def test_a_windows_1252_files_rows_after_a_cut_ragged_record_keep_their_hashes() -> None:
    # the records pyarrow parses without the cut ragged ones: the row hashes (HS304's) follow
    # the rows they are of, as with pyarrow's own handler in a UTF-8 segment
    rows = [f"u{i}@x.com,Jürgen {i},Café {i}\r\n" for i in range(3000)]
    for i in (400, 1700, 2900):
        rows[i] = rows[50]  # identical rows, after ragged ones
    for i in (100, 450, 1699, 2400):
        rows[i] = f"r{i}@x.com,Zoë,ragged,extra\r\n" if i % 2 else f"r{i}@x.com\r\n"
    data = ("Email,Name,Notes\r\n" + "".join(rows)).encode("cp1252")
    request = json.dumps({"files": [{"fileName": "d.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": c, "propertyName": p}
            for c, p in (("Email", "email"), ("Name", "firstname"), ("Notes", "message"))]}}]}).encode()
    fast = report(request, "fast", **{"d.csv": io.BytesIO(data)})
    assert fast == report(request, "exact", **{"d.csv": io.BytesIO(data)})
    found = [(f["code"], f["row"]) for f in fast["findings"] if f["code"] in ("HS304", "HS110")]
    assert found == [("HS110", 102), ("HS304", 402), ("HS110", 452), ("HS110", 1701), ("HS304", 1702),
                     ("HS110", 2402), ("HS304", 2902)]
    reader, _notes, _chunks = read_fast(data, 50_000, 1 << 20)
    assert reader.handed_over == 0 and reader._ragged_stops == 1


@st.composite
def windows_1252_files_with_ragged_rows(draw: Any) -> bytes:
    """A Windows-1252 file (every record holds a byte that is not UTF-8) of tens of records, some
    ragged (fewer or more fields; one with a quoted line break), blank lines among them, the last
    record without its line end at times: the records pyarrow does not parse are cut out."""
    width = draw(st.integers(2, 4))
    newline = draw(st.sampled_from(["\r\n", "\n"]))
    parts = [",".join(f"h{i}" for i in range(width)) + newline]
    for i in range(draw(st.integers(5, 60))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            parts.append(newline)
            continue
        n = width if kind > 3 else draw(st.sampled_from([1, width - 1, width + 1, width + 2]))
        fields = [f"é{i}"] + [draw(accented) for _ in range(max(n, 1) - 1)]
        buf = io.StringIO()
        csv.writer(buf, lineterminator=newline).writerow(fields[:max(n, 1)])
        parts.append(buf.getvalue())
    data = "".join(parts).encode("cp1252")
    return data[:-len(newline)] if draw(st.booleans()) else data


@given(windows_1252_files_with_ragged_rows(), st.integers(1, 7), st.sampled_from([16, 48, 160, 1 << 20]))
def test_fast_and_exact_read_windows_1252_files_with_ragged_rows_alike(data: bytes, chunk_rows: int,
                                                                      segment: int) -> None:
    assert_same(data, chunk_rows, segment)


def test_stray_quotes_read_fast_and_backslash_quotes_exactly_between_fast_segments() -> None:
    rows = [f'u{i}@x.com,"Lee, Ann {i}",{i}\n' for i in range(3000)]
    rows[700] = 'a@x.com,An"n,1\n'
    rows[1900] = 'b@x.com,"say \\"hi\\" now",2\n'
    rows[2600] = 'c@x.com,"x\ny", 5" tall\n'
    data = ("Email,Name,N\n" + "".join(rows)).encode()
    assert assert_same(data, chunk_rows=700, segment=4096) == "fast"
    _r, notes, chunks = read_fast(data, 700, 4096)
    assert [(q.row, q.line, q.column, q.value) for q in notes.stray_quotes] == [
        (702, 702, 2, 'An"n'), (2602, 2603, 3, ' 5" tall')]
    assert notes.stray_quote_count == 2
    bad = [n for c in chunks for n in c.notes]
    assert [(n.kind, n.row, n.column, n.text) for n in bad] == [("bad-quote", 1902, 2, '"say \\"h')]


STRAY_ROWS = [
    'a@x.com,Robert "Bob" Smith,1\n',  # a nickname: two stray quotes, one field, one note
    'b@x.com,5\'10",2\n',  # an inch mark just before the delimiter
    'c@x.com,x"y,z"w\n',  # strays in two fields: the delimiter between them still separates
    'd@x.com,"Lee, ""Ann""",3\r\n',  # doubled quotes in a quoted field: no stray
    'e@x.com,"multi\nline",6" tall\n',  # a stray after a quoted value that spans two lines
    'f@x.com,ab",4,extra\n',  # a ragged record with a stray
    'g@x.com,tail,7"\n',  # a stray quote ending the record
    'h@x.com, "spaced",8\n',  # a quote after a space does not open a field: both are strays
]


@pytest.mark.parametrize("block", [16, 1 << 19])
@pytest.mark.parametrize("segment", [64, 4096, 1 << 20])
def test_stray_quotes_stay_on_the_fast_path_and_are_noted_as_the_exact_reader_notes_them(
        segment: int, block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from validator.readers import csv_fast_segment

    monkeypatch.setattr(csv_fast_segment, "RAGGED_BLOCK", block)  # (records' runs of 16 bytes: one record each)
    rows = [f'u{i}@x.com,"Lee, Ann {i}",{i}\n' for i in range(400)]
    for k, row in enumerate(STRAY_ROWS):
        rows[40 * k + 7] = row
    data = ('Email,Name "full",N\n' + "".join(rows) + 'z@x.com,end,9"').encode()  # and in the header
    assert assert_same(data, chunk_rows=60, segment=segment) == "fast"
    reader, notes, chunks = read_fast(data, 60, segment)
    assert reader.handed_over == 0
    assert [(q.row, q.line, q.column, q.value) for q in notes.stray_quotes] == [
        (1, 1, 2, 'Name "full"'), (9, 9, 2, 'Robert "Bob" Smith'), (49, 49, 2, '5\'10"'), (89, 89, 2, 'x"y'),
        (89, 89, 3, 'z"w'), (169, 170, 3, '6" tall'), (209, 210, 2, 'ab"'), (249, 250, 3, '7"'),
        (289, 290, 2, ' "spaced"'), (402, 403, 3, '9"')]
    assert notes.stray_quote_count == 10
    assert [(n.kind, n.row) for c in chunks for n in c.notes] == [("ragged", 209)]


def test_stray_quotes_are_counted_past_the_kept_notes() -> None:
    rows = "".join(f'u{i}@x.com,Al "{i}" Bo,{i}\n' for i in range(1500))
    data = ("Email,Name,N\n" + rows).encode()
    assert assert_same(data, chunk_rows=500, segment=8192) == "fast"
    _reader, notes, _chunks = read_fast(data, 500, 8192)
    assert notes.stray_quote_count == 1500 and len(notes.stray_quotes) == 1000
    assert (notes.stray_quotes[-1].row, notes.stray_quotes[-1].value) == (1001, 'Al "999" Bo')


def report(request: Path | bytes, reader: str, config: dict[str, Any] | None = None, **files: Any) -> dict[str, Any]:
    rep = validate(request, files=files or None, config=Config(reader=reader, **(config or {}))).to_dict()
    rep["summary"].pop("seconds")
    for f in rep["files"]:
        f.pop("seconds")
        f.pop("reader")
    return rep


@pytest.mark.parametrize("request_path", EXAMPLES, ids=lambda p: p.parent.name)
def test_examples_give_identical_reports(request_path: Path) -> None:
    assert report(request_path, "fast") == report(request_path, "exact")


@given(csv_files())
def test_generated_files_give_identical_reports(data: bytes) -> None:
    request = json.dumps({"files": [{"fileName": "d.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "h0", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "h1", "propertyName": "firstname"}]}}]}).encode()
    fast = report(request, "fast", **{"d.csv": io.BytesIO(data)})
    exact = report(request, "exact", **{"d.csv": io.BytesIO(data)})
    assert fast == exact
    # two rule threads, the second reading each next 3-row chunk while the first still checks
    ahead = report(request, "fast", {"threads": 2, "chunk_rows": 3}, **{"d.csv": io.BytesIO(data)})
    assert ahead == exact


def test_auto_takes_the_fast_path_for_large_utf8_files_only(tmp_path: Path) -> None:
    body = "".join(f'u{i}@x.com,"Lee, Ann",{i}\r\n' for i in range(40_000))
    big = tmp_path / "big.csv"
    big.write_bytes(("Email,Name,N\r\n" + body + "u@x.com,Bo\r\n").encode())
    small = tmp_path / "small.csv"
    small.write_bytes(b"Email,Name,N\r\na@x.com,Ann,1\r\n")
    for path, reader in ((big, "fast"), (small, "exact")):
        request = json.dumps({"files": [{"fileName": path.name, "fileFormat": "CSV", "fileImportPage": {
            "hasHeader": True, "columnMappings": [
                {"columnObjectTypeId": "0-1", "columnName": c, "propertyName": c.lower()}
                for c in ("Email", "Name", "N")]}}]}).encode()
        rep = validate(request, base_dir=tmp_path)
        assert rep.files[0].reader == reader
        if path is big:
            assert big.stat().st_size > 1 << 20
            assert [(f.code, f.row, f.line) for f in rep.findings if f.code.startswith("HS11")] == [
                ("HS110", 40_002, 40_002)]


def test_exact_reader_resumes_mid_file_with_counters_carried_on() -> None:
    data = b'Email,Note\na@x.com,"x\ny"\nb@x.com,z\n\nc@x.com,w,extra\n'
    _e, _n, whole = read_exact(data, 100)
    offset = data.index(b"b@x.com")
    notes = ReaderNotes()
    tail = CsvReader(io.BytesIO(data[offset:]), notes, expected_columns=2, skip=offset, delimiter=",",
                     resume=(3, 2))
    chunks = list(tail.chunks())
    assert chunks[0].frame.index.tolist() == [3] and chunks[0].lines.tolist() == [4]
    assert chunks[0].notes == whole[0].notes[-2:]
    assert (notes.records, notes.lines) == (4, 6)


@pytest.mark.parametrize("bad", [b"Gen\x00t", b"Ge\xe9\xfft"], ids=["nul", "not-utf8"])
def test_a_bad_byte_before_a_multi_line_value_is_read_exactly_in_a_small_piece(bad: bytes, monkeypatch) -> None:
    # the first line feed after the bad byte is inside the record's quoted two-line note: quotes
    # balance from the record's start, so the exact reader takes a small piece, not the segment
    import validator.readers.csv_fast as cf
    import validator.readers.csv_fast_fallback as fallback

    monkeypatch.setattr(fallback, "EXACT_PIECE", 2048)  # (read there)
    rows = [f'"{i}","u{i}@x.com","Town {i}","Met, then\ncall {i}"\n'.encode() for i in range(6000)]
    rows[2500] = b'"2500","u2500@x.com","' + bad + b'","Met, then\ncall again"\n'
    data = b"ID,Email,Town,Notes\n" + b"".join(rows)
    sizes: list[int] = []
    real = cf.FastCsvReader._exact_segment

    def exact_segment(self: Any, size: int, pending: Any) -> Any:
        sizes.append(size)
        return real(self, size, pending)
    monkeypatch.setattr(cf.FastCsvReader, "_exact_segment", exact_segment)
    assert assert_same(data, chunk_rows=1000, segment=64 << 10) == "fast"
    if b"\x00" in bad:  # one piece of about EXACT_PIECE bytes (was the 64 KB segment)
        assert sizes and max(sizes) < 4096
    else:  # bytes that are not UTF-8: read fast, as bytes, decoded cell by cell
        assert sizes == []
    _r, _notes, chunks = read_fast(data, 1000, 64 << 10)
    frame = next(c.frame for c in chunks if 2502 in c.frame.index)
    assert frame.loc[2502, 2] == bad.decode("utf-8", "surrogateescape")
    assert frame.loc[2502, 3] == "Met, then\ncall again"


def test_a_bad_quote_before_a_multi_line_value_keeps_the_rows_after_it() -> None:
    # text after a closing quote, then a quoted two-line note in the same record: the record
    # ends where the note does (read leniently, as Excel and pyarrow do), not on the next line
    rows = [f'u{i}@x.com,Analyst,"Met, then\ncall {i}"\n' for i in range(400)]
    rows[150] = 'bad@x.com,"Buyer"Co,"Met at Lyon\nnext: call"\n'
    data = ("Email,Role,Notes\n" + "".join(rows)).encode()
    _r, notes, chunks = read_exact(data, 1000)
    bad = [n for c in chunks for n in c.notes]
    assert [(n.kind, n.row, n.line, n.end_line, n.column) for n in bad] == [("bad-quote", 152, 302, 303, 2)]
    frame = pd.concat([c.frame for c in chunks])
    assert frame.index.tolist() == [r for r in range(2, 402) if r != 152]
    assert frame.loc[153, 0] == "u151@x.com" and frame.loc[401, 2] == "Met, then\ncall 399"
    assert notes.stray_quote_count == 0
    assert assert_same(data, chunk_rows=100, segment=2048) == "fast"
    report = validate(_single_file_request(), files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent")
    assert sorted({(f.code, f.row) for f in report.findings if f.code in ("HS110", "HS112", "HS117")}) == [
        ("HS112", 152)]


def _single_file_request() -> dict[str, Any]:
    return {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": c, "propertyName": p}
            for c, p in (("Email", "email"), ("Role", "jobtitle"), ("Notes", "message"))]}}]}


def test_a_windows_1252_file_reads_fast_and_reports_as_the_exact_reader(tmp_path: Path) -> None:
    # every segment holds bytes that are not UTF-8: read as bytes, decoded column by column
    names = ["Renée", "Jürgen", "Zoë", "Ann", "Łukasz?", "Çelik", "Ana María"]
    rows = [f'{names[i % 7].split()[0].lower()}{i}@x.com,{names[i % 7]},"Café, {i}\nnext: call",{i}\r\n'
            for i in range(30_000)]
    rows[123] = 'bad@@x.com,=1+2,\t lead,7\r\n'
    rows[20_001] = 'x@x.com,Ann,ragged,é,extra\r\n'
    data = ("Email,First Name,Notes,N\r\n" + "".join(rows)).encode("cp1252", "replace")
    request = json.dumps({"files": [{"fileName": "d.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": c, "propertyName": p}
            for c, p in (("Email", "email"), ("First Name", "firstname"), ("Notes", "message"), ("N", "n"))]}}]}
                         ).encode()
    fast = report(request, "fast", **{"d.csv": io.BytesIO(data)})
    assert fast == report(request, "exact", **{"d.csv": io.BytesIO(data)})
    codes = {(f["code"], f["row"]) for f in fast["findings"]}
    assert {("HS402", 2), ("HS212", 125), ("HS430", 125), ("HS110", 20_003)} <= codes
    fast_reader, notes, _chunks = read_fast(data, 50_000, 1 << 20)
    assert fast_reader.handed_over == 0  # the ragged row with a byte that is not UTF-8 read fast too
    _e, exact_notes, _c = read_exact(data, 50_000)
    assert notes.decode_errors == exact_notes.decode_errors > 60_000
    assert notes.decode_events == exact_notes.decode_events and len(notes.decode_events) == 1000


def test_a_windows_1252_file_keeps_its_ragged_records_on_the_fast_path(monkeypatch, capfd) -> None:
    # a segment that is not UTF-8 is parsed without a handler of ragged rows (pyarrow would decode
    # the row's text for it): its fields are not counted first (~0.4 s of a 1M-row file); the
    # first ragged record stops pyarrow's parse; from then on each such segment's fields are
    # counted and its ragged records cut out of what pyarrow parses, noted as pyarrow's handler
    # notes them: no exact pieces (one for every ragged row before)
    from validator.readers import csv_fast_pipeline, csv_fast_segment

    calls: list[str] = []

    def counting(where: str, counted: Any) -> Any:
        def count(*args: Any, **kwargs: Any) -> Any:
            calls.append(where)
            return counted(*args, **kwargs)
        return count

    monkeypatch.setattr(csv_fast_pipeline, "_odd_records", counting("before", csv_fast_segment._odd_records))
    monkeypatch.setattr(csv_fast_segment, "_first_ragged", counting("after", csv_fast_segment._first_ragged))
    rows = [f"u{i}@x.com,Jürgen {i},Café {i}\r\n" for i in range(9000)]
    clean = ("Email,Name,Notes\r\n" + "".join(rows)).encode("cp1252")
    assert assert_same(clean, chunk_rows=700, segment=1 << 14) == "fast"
    assert calls == []
    ragged = [1500, 3000, 3001, 4500, 6000, 7500, 8999]  # two in a row, and the last record
    for i in ragged:
        rows[i] = "x@x.com,Zoë,ragged,\"ex\ntra\"\r\n" if i % 2 else "y@x.com,Zoë\r\n"
    data = ("Email,Name,Notes\r\n" + "".join(rows)).encode("cp1252")
    assert assert_same(data, chunk_rows=700, segment=1 << 14) == "fast"
    calls.clear()
    fast_reader, _notes, chunks = read_fast(data, 700, 1 << 14)
    notes = [n for c in chunks for n in c.notes]
    assert [(n.kind, n.row, n.fields) for n in notes] == [("ragged", i + 2, 4 if i % 2 else 2) for i in ragged]
    assert notes[2].cells == ("x@x.com", "Zo\udceb", "ragged", "ex\ntra")  # (the byte as the exact reader keeps it)
    assert fast_reader.handed_over == 0  # (the first one stopped a parse, then was cut out of the next)
    assert csv_fast_segment.RAGGED_STOPS == 1
    assert calls[0] == "after" and calls.count("after") == 1 and calls.count("before") > 10
    assert "Exception ignored" not in capfd.readouterr().err


def test_problems_every_few_rows_frame_small_windows_and_read_the_same(monkeypatch) -> None:
    # text after a closing quote every 7th row: after each exact piece the next window is small,
    # and it doubles back to a whole segment over clean rows; the rows read as the exact reader
    # reads them
    import validator.readers.csv_fast_buffer as buffer
    import validator.readers.csv_fast_fallback as fallback

    monkeypatch.setattr(fallback, "EXACT_PIECE", 512)  # (each read where it is used)
    framed: list[int] = []
    real = buffer.frame

    def frame(buf: Any, *args: Any, **kwargs: Any) -> Any:
        framed.append(len(buf))
        return real(buf, *args, **kwargs)
    monkeypatch.setattr(buffer, "frame", frame)
    rows = [f'u{i}@x.com,"Lee, Ann",{"5" if i % 7 else chr(34) + "5" + chr(34) + " screen"},{i}\n' for i in range(4000)]
    rows += [f"v{i}@x.com,Bo,1,{i}\n" for i in range(6000)]  # then clean rows: windows grow back
    data = ("Email,Name,Size,N\n" + "".join(rows)).encode()
    assert assert_same(data, chunk_rows=700, segment=64 << 10) == "fast"
    framed.clear()
    reader, _notes, chunks = read_fast(data, 700, 64 << 10)
    bad = [n for c in chunks for n in c.notes if n.kind == "bad-quote"]
    assert len(bad) == len(range(0, 4000, 7)) and reader.handed_over > 50
    assert sum(framed) < 40 * len(data)  # each problem frames a small window, not the 64 KB segment
    assert max(framed) > 32 << 10  # the window grew back over the clean rows


def test_a_file_whose_every_row_is_ragged_goes_to_the_exact_reader_after_one_segment(monkeypatch) -> None:
    import validator.readers.csv_fast_pipeline as pipeline

    monkeypatch.setattr(pipeline, "RAGGED_SWITCH", 20)  # (read there)
    rows = "".join(f"u{i}@x.com,Ann {i},\n" for i in range(3000))  # one field too many on every row
    data = ("Email,Name\n" + "".join(f"a{i}@x.com,Bo\n" for i in range(50)) + rows).encode()
    assert assert_same(data, chunk_rows=400, segment=8192) == "fast"
    reader, _notes, chunks = read_fast(data, 400, 8192)
    assert reader.handed_over == 1  # the rest of the file, once
    ragged = [n for c in chunks for n in c.notes if n.kind == "ragged"]
    assert [(n.row, n.fields) for n in ragged[:2]] == [(52, 3), (53, 3)] and len(ragged) == 3000


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_a_run_of_blank_rows_across_chunks_keeps_the_key_one_chunk_gives(reader: str) -> None:
    """A run of blank rows (empty lines and rows of delimiters) that goes on into the next chunk
    is reported after its first row's chunk is gone; its record key must not change for that."""
    data = b"h0,h1\r\na@x.com,Ann\r\n,\r\n,\r\n\r\n,\r\nb@x.com,Bo\r\n\r\n,\r\nc@x.com,Cy\r\n"
    request = json.dumps({"files": [{"fileName": "d.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "h0", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "h1", "propertyName": "firstname"}]}}]}).encode()
    whole = report(request, reader, **{"d.csv": io.BytesIO(data)})
    blank = [(f["row"], f["message"], f["key"]) for f in whole["findings"] if f["code"] == "HS113"]
    assert [(r, m) for r, m, _k in blank] == [(3, "4 blank rows (rows 3-6)"), (8, "2 blank rows (rows 8-9)")]
    assert all(k.startswith("row:") and k[4:] not in ("3", "8") for _r, _m, k in blank)  # keyed by cells
    for rows in (1, 2, 3):
        assert report(request, reader, {"chunk_rows": rows}, **{"d.csv": io.BytesIO(data)}) == whole


class _ReadOnly:
    """A caller's stream with ``read`` only (no ``readinto``)."""

    def __init__(self, data: bytes):
        self._io = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._io.read(size)


def _generated(rows: int) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["Email", "Note", "City"])
    for i in range(rows):
        note = f"line one\nline {i}" if i % 7 == 0 else ("" if i % 11 == 0 else f"note, {i}")
        w.writerow([f"u{i}@x.com", note, "Zürich" if i % 5 == 0 else "Bern"])
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("segment", [64, 100, 4096])
def test_segments_are_taken_from_the_buffer_without_changing_what_is_read(segment: int) -> None:
    """Each segment is read into a buffer made for it and handed on as it lies (the buffer cut
    in place); a stream without ``readinto`` reads the same, and so does a reader whose buffer
    is held by a view when a segment is taken (then the head is copied)."""
    data = _generated(400)
    assert assert_same(data, chunk_rows=50, segment=segment) == "fast"
    _r, notes, want = read_fast(data, 50, segment)
    plain = FastCsvReader(_ReadOnly(data), ReaderNotes(), chunk_rows=50, segment=segment)  # type: ignore[arg-type]
    held = FastCsvReader(io.BytesIO(data), ReaderNotes(), chunk_rows=50, segment=segment)
    views: list[memoryview] = []
    take = held._take

    def take_while_viewed(size: int) -> bytes | bytearray:
        views.append(memoryview(held._buf))  # a view of the buffer outlives the take
        return take(size)

    held._take = take_while_viewed  # type: ignore[method-assign]
    for reader in (plain, held):
        got = list(reader.chunks())
        assert len(got) == len(want)
        for a, b in zip(want, got, strict=True):
            pd.testing.assert_frame_equal(a.frame, b.frame)
            assert a.lines.tolist() == b.lines.tolist() and a.notes == b.notes
        assert reader.notes.bytes == notes.bytes == len(data)
    assert len(views) >= 3 and all(v.obj is not None for v in views)


def test_a_chunk_holds_each_column_in_one_arrow_piece_whatever_segments_its_rows_came_from() -> None:
    """A chunk's rows come from the segments pyarrow parsed (several of a small segment size, a
    piece each); the chunk joins each column's pieces into one, so that the rules' Arrow and
    numpy calls run once a column, with the cells the exact reader reads."""
    data = _generated(400)
    assert assert_same(data, chunk_rows=150, segment=256) == "fast"
    _r, notes, chunks = read_fast(data, 150, 256)
    assert [len(c) for c in chunks] == [150, 150, 100]
    assert notes.bytes > 4 * 256  # (the rows of a chunk span several segments)
    for c in chunks:
        for i in range(c.frame.shape[1]):
            stored = c.column(i).array._pa_array
            assert stored.num_chunks == 1 and len(stored) == len(c)


@pytest.mark.parametrize("width", [63, 64])
def test_a_chunk_of_64_columns_or_more_keeps_the_pieces_its_segments_gave(width: int) -> None:
    """From 64 columns on (JOIN_BELOW), the byte screens join groups of columns themselves: a
    chunk's columns stay in the pieces of the segments its rows came from (no second copy)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [[f"c{j}" for j in range(width)], *([f"r{i}v{j}" for j in range(width)] for i in range(60))])
    data = out.getvalue().encode()
    assert assert_same(data, chunk_rows=40, segment=2048) == "fast"
    _r, _notes, chunks = read_fast(data, 40, 2048)
    pieces = {c.column(i).array._pa_array.num_chunks for c in chunks for i in range(width)}
    assert (pieces == {1}) if width < 64 else (max(pieces) > 1)


def test_a_segment_put_back_after_a_problem_reads_as_the_exact_reader() -> None:
    """A segment is taken from the buffer before its bytes are checked; a NUL byte in it puts
    it back, and the exact reader reads from the problem's record on."""
    data = bytearray(_generated(300))
    at = data.index(b"u150@x.com")
    data[at + 1: at + 1] = b"\x00"
    assert assert_same(bytes(data), chunk_rows=40, segment=256) == "fast"


def test_prefixed_readinto_replays_the_head_then_stops_at_the_size_seen_at_open(tmp_path: Path) -> None:
    import os

    from validator.readers.dispatch import Prefixed

    path = tmp_path / "grows.csv"
    path.write_bytes(b"abcdefghij")
    for rest_kind in ("file", "read-only"):
        fh = open(path, "rb")  # noqa: SIM115 - Prefixed closes it
        opened = os.fstat(fh.fileno())
        head = fh.read(3)
        with open(path, "ab") as more:
            more.write(b"XYZ")  # written after the open: not read
        notes = ReaderNotes()
        rest = fh if rest_kind == "file" else _ReadOnly(fh.read())
        source = Prefixed(head, rest, owned=True, opened=opened, notes=notes)  # type: ignore[arg-type]
        buf = bytearray(4)
        assert source.readinto(memoryview(buf)[:2]) == 2 and buf[:2] == b"ab"  # from the head alone
        assert source.readinto(memoryview(buf)) == 4 and buf == b"cdef"  # head's last byte, then the file
        big = bytearray(20)
        assert source.readinto(memoryview(big)) == 4 and big[:4] == b"ghij"  # stops at the size seen
        assert source.readinto(memoryview(big)) == 0
        if rest_kind == "file":  # the end of the size seen at open compares the file again
            assert notes.extra["changed"] == (10, 13)
        else:  # a stream with no descriptor to compare
            assert "changed" not in notes.extra
        if rest_kind == "file":
            source.close()
        fh.close()
        path.write_bytes(b"abcdefghij")


def test_take_hands_on_the_buffer_itself_when_the_segment_is_most_of_it() -> None:
    reader = FastCsvReader(io.BytesIO(b"a,b\n1,2\n"), ReaderNotes())
    reader._buf = buf = bytearray(b"0123456789")
    head = reader._take(7)
    assert head is buf and head == b"0123456" and reader._buf == b"789"  # the rest copied, not the head
    reader._buf = buf = bytearray(b"0123456789")
    head = reader._take(2)
    assert head == b"01" and reader._buf is buf and buf == b"23456789"  # the short head copied
    reader._buf = buf = bytearray(b"0123456789")
    view = memoryview(buf)  # held elsewhere: the buffer cannot be cut, so both parts are copies
    head = reader._take(7)
    assert head == b"0123456" and head is not buf and reader._buf == b"789" and bytes(view) == b"0123456789"
    view.release()
    reader._buf = b"0123"
    assert reader._take(4) == b"0123" and reader._buf == b""


@given(st.lists(st.sampled_from([b"a", b"\xc3\xa9", b"\n", b"\r", b"\r\n", b",", b"\x80", b"\xff", b"\xe2\x80",
                                 b"\xf0\x9f\x98", b"\xed\xa0\x80", b"\xc3", b"\xe2\x82\xac"]), max_size=40),
       st.integers(0, 3), st.integers(0, 1000))
def test_sparse_bad_bytes_are_noted_as_a_decode_of_the_whole_segment_notes_them(parts: list[bytes], line: int,
                                                                                offset: int) -> None:
    from validator.readers import text
    from validator.readers.base import MAX_EVENTS

    raw = b"".join(parts)
    for kept in (0, MAX_EVENTS - 3, MAX_EVENTS):  # room for all events, for three, and for none (counted only)
        want, got = ReaderNotes(), ReaderNotes()
        for notes in (want, got):
            notes.decode_events.extend([text.DecodeEvent(0, 1, 1, b"\x80")] * kept)
        text.note_decode_events(want, raw.decode("utf-8", text.KEEP_UTF8), offset, line + 1)
        text.note_utf8_events(got, bytearray(raw), offset, line + 1)
        assert got.decode_events == want.decode_events
        assert got.decode_errors == want.decode_errors


@given(st.lists(st.sampled_from([b"a", b"\n", b"\xe9", b"\xc3", b"\xc3\xa9", b"\x80", b"\xa9", b"\xf4", b"\xf5",
                                 b"\xc1\xa9", b"\xed\xa0\x80", b"\xe2\x82\xac", b"\xf0\x9f\x98"]), max_size=30))
def test_bad_utf8_bytes_are_counted_as_two_decodes_count_them(parts: list[bytes]) -> None:
    # (a Windows-1252 segment's bytes from 0x80 up, none starting a valid sequence, are counted in
    # numpy; any that may be valid sends the count to the decoder)
    from validator.readers import text

    raw = b"".join(parts)
    want = len(raw.decode("utf-8", text.KEEP_UTF8)) - len(raw.decode("utf-8", "ignore"))
    assert text.bad_utf8_count(raw) == text.bad_utf8_count(bytearray(raw)) == want


def test_a_file_over_the_column_limit_has_its_size_whichever_reader(tmp_path: Path) -> None:
    # its rows go unread (HS503): the fast reader reported the bytes of its first segment only
    header = ",".join(f"c{i}" for i in range(1000))
    data = (header + "\n" + "\n".join(",".join("x" * 2 for _ in range(1000)) for _ in range(20)) + "\n").encode()
    (tmp_path / "wide.csv").write_bytes(data)
    request = {"name": "x", "files": [{"fileName": "wide.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [{"columnName": "c0", "columnObjectTypeId": "0-1",
                                               "propertyName": "email"}]}}]}
    (tmp_path / "import.json").write_text(json.dumps(request))
    for reader in ("fast", "exact"):
        stats = validate(tmp_path / "import.json", config=Config(reader=reader)).files[0]
        assert (stats.bytes, stats.rows, stats.reader) == (len(data), 0, None), reader


@pytest.mark.parametrize("segment", [16, 64, 1 << 20])
def test_a_record_that_starts_with_u_feff_keeps_it_at_any_segment_start(segment: int) -> None:
    # pyarrow drops a byte order mark at the start of its input: the first record of every
    # segment lost its U+FEFF (fast and exact reports differed)
    data = ("Email,Name\n" + "".join(f"\ufeffu{i}@x.com,N{i}\n" for i in range(40))).encode()
    assert_same(data, 7, segment)
    assert_same(data.replace(b"\xef\xbb\xbfu3@", b"u3@"), 7, segment)


@pytest.mark.parametrize("data", [
    b"sep=,\r\nEmail,First Name,Last Name\r\na@x.com,Ann,Lee\r\nb@x.com,Bo,Ng,extra\r\nc@x.com,Ci\r\n",
    b"\xef\xbb\xbfsep=;\nEmail;First Name;Last Name\na@x.com;Ann;Lee\nb@x.com;Bo\n",
    b'"sep=,"\nEmail,First Name,Last Name\n' + b"".join(b"u%d@x.com,Ann,Lee\n" % i for i in range(40)),
], ids=["comma", "semicolon-bom", "quoted"])
def test_excel_sep_line_reads_and_reports_alike(data: bytes) -> None:
    """Excel's `sep=` line above the header (HS108): both readers read it as the header and give
    the same report, down to the rows HS110 calls ragged against the header under it."""
    assert_same(data, chunk_rows=2, segment=32)
    request = json.dumps({"files": [{"fileName": "d.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": c, "propertyName": p}
            for c, p in (("Email", "email"), ("First Name", "firstname"), ("Last Name", "lastname"))]}}]}).encode()
    reports = [report(request, reader, {"chunk_rows": 2}, **{"d.csv": io.BytesIO(data)})
               for reader in ("fast", "exact")]
    assert reports[0] == reports[1]
    found = [(f["row"], f["column"], f["code"]) for f in reports[0]["findings"]]
    assert (1, None, "HS108") in found
    assert not any(code in ("HS105", "HS608") for _r, _c, code in found)
    ragged = [(r, c) for r, c, code in found if code == "HS110"]
    assert ragged == {"comma": [(4, 4), (5, 3)], "semicolon-bom": [(4, 3)], "quoted": []}[
        "comma" if data.startswith(b"sep=,") else "semicolon-bom" if b";" in data else "quoted"]



@pytest.mark.parametrize("data", [
    b"Export\r\nsep=;\r\nEmail;First Name;Last Name\r\na@x.com;Ann;Lee\r\nb@x.com;Bo;Ng;extra\r\nc@x.com;Ci\r\n",
    b'Export,,\n\n"sep=,"\nEmail,First Name,Last Name\n' + b"".join(b"u%d@x.com,Ann,Lee\n" % i for i in range(40)),
], ids=["semicolon", "quoted-comma"])
def test_excel_sep_line_under_a_title_reads_and_reports_alike(data: bytes) -> None:
    """A title, then Excel's `sep=` line, then the header: both readers read the file with the
    header's delimiter and give the same report, HS608 on row 1 and HS108 on the `sep=` line."""
    assert_same(data, chunk_rows=2, segment=32, title=TitleLook(10, functools.partial(
        title_above, {"email", "first name", "last name"})), hint=3)
    request = json.dumps({"files": [{"fileName": "d.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": c, "propertyName": p}
            for c, p in (("Email", "email"), ("First Name", "firstname"), ("Last Name", "lastname"))]}}]}).encode()
    for chunk_rows in (1, 2, 50_000):
        reports = [report(request, reader, {"chunk_rows": chunk_rows}, **{"d.csv": io.BytesIO(data)})
                   for reader in ("fast", "exact")]
        assert reports[0] == reports[1]
        found = [(f["row"], f["column"], f["code"]) for f in reports[0]["findings"]
                 if f["code"] in ("HS108", "HS110", "HS608")]
        assert found == ([(1, None, "HS608"), (2, None, "HS108"), (5, 4, "HS110"), (6, 3, "HS110")]
                         if b";" in data else [(1, None, "HS608"), (3, None, "HS108")])


def _counts(comma: int = 0, semicolon: int = 0, tab: int = 0) -> dict[str, int]:
    return {",": comma, ";": semicolon, "\t": tab, "|": 0}


@pytest.mark.parametrize(("data", "under"), [
    (b"sep=\t\r\nEmail\tCity, Town\r\na@x.com\tBern\r\n", _counts(comma=1, tab=1)),
    (b"sep=;\nEmail,First Name\na@x.com,Ann\n", _counts(comma=1)),
    (b"sep=;\rEmail;" + b"x" * 300 + b"\ra@x.com;Ann\r", _counts(semicolon=1)),
    (b"Email;Name\n\na@x.com;Ann\n", _counts()),
    (b"Email;Name\n", {}),
    (b"Email;Name", {}),
], ids=["tab", "semicolon-over-commas", "long-cr", "blank-line-under", "header-and-end", "header-alone"])
def test_both_readers_count_the_delimiters_of_the_line_under_the_header_alike(data: bytes,
                                                                               under: dict[str, int]) -> None:
    """The delimiters of the line under the header (the real header under Excel's `sep=` line:
    HS408 counts those, HS103 tells which the line uses), in a segment shorter than the line too."""
    for segment in (32, 1 << 20):
        assert_same(data, chunk_rows=2, segment=segment)
    assert read_fast(data, 2, 32)[1].next_line_counts == under
    assert read_exact(data, 2)[1].next_line_counts == under


def test_a_header_line_end_at_the_end_of_the_first_bytes_read_is_no_old_mac_line_end() -> None:
    # the first bytes read (a segment) ended on the \r of the header's \r\n, and the fast reader
    # took the file for one with old Mac line ends (a lone \r): the \n after it was a blank row 2
    # and every row after it one row down (4 lines of a file of 3); the byte after the header's
    # line end is read before it decides now
    data = b"Contacts export\r\nh0,h1\r\na,b\r\n"
    assert_same(data, 2, 16)
    assert read_fast(data, 2, 16)[1].line_endings == {"\r\n": 3, "\n": 0, "\r": 0}


# HS608's test for the header the mappings name (h0, h1, h2 here), as the dispatcher gives it
TITLE = TitleLook(10, functools.partial(title_above, {"h0", "h1", "h2"}))


@pytest.mark.parametrize(("data", "delimiter", "line"), [
    (b"Contacts export\r\nh0;h1;h2\r\na;b;c\r\nd;e\r\n", ";", 2),
    (b"Contacts export\nh0\th1\th2\na\tb\tc\n", "\t", 2),
    (b"Contacts export\rh0|h1|h2\ra|b|c\r\r", "|", 2),  # old Mac line ends
    (b'"Contacts, export"\r\n"a ""quoted; note\r\nover; two lines"\r\n\r\nh0;h1;h2\r\na;b;c\r\n', ";", 5),
    (b"Contacts export\r\n" + b"x" * 300 + b"\r\nh0;h1;h2\r\na;b;c\r\n", ";", 3),  # a line longer than a segment
    (b"\r\nh0;h1;h2\r\na;b;c", ";", 2),  # a blank line 1, no line end at the end
    (b"Contacts export\r\nh0;x;y\r\na;b;c\r\n", ",", 1),  # h0 alone: a third of the names is too few
    (b"h0\r\na;b;c\r\n", ",", 1),  # a one-column header the mappings name: ragged rows below it
    (b"Contacts export\r\nh0\r\na\r\n", ",", 1),  # no line holds a delimiter
    (b"sep=:\r\nh0;h1;h2\r\na;b;c\r\n", ",", 1),  # Excel's delimiter line
    (b"Contacts export", ",", 1),
    (b"Contacts export\r\nsep=;\r\nh0;h1;h2\r\na;b;c\r\n", ";", 3),  # Excel's line under a title: looked past
    (b'Contacts export\n"sep=,"\n\nh0\th1\th2\na\tb\tc\n', "\t", 4),
    (b"Contacts export\r\nsep=;\r\na;b;c\r\n", ",", 1),  # no header under it
], ids=["semicolon", "tab", "pipe-cr", "quoted-notes", "long-line", "blank-first", "too-few-names", "one-column",
        "no-delimiter", "sep-line", "title-alone", "title-sep-line", "title-quoted-sep-line", "title-sep-no-header"])
def test_both_readers_take_the_delimiter_of_a_title_from_the_header_below_alike(data: bytes, delimiter: str,
                                                                                line: int) -> None:
    """Line 1 holds no delimiter (a title): the delimiter is that of the first record below it
    that holds one, where it holds the header the mappings name (HS608's test), else the comma;
    both readers alike, in segments shorter than a line too."""
    for segment in (16, 32, 1 << 20):
        for chunk_rows in (1, 2, 7):
            assert_same(data, chunk_rows, segment, TITLE, hint=3)
    notes = read_exact(data, 2, TITLE, hint=3)[1]
    assert (notes.delimiter, notes.delimiter_line) == (delimiter, line)
    assert read_exact(data, 2)[1].delimiter == ","  # (no title looked for: line 1 alone, as before)


@pytest.mark.parametrize("chunk_rows", [1, 2, 3])
def test_chunks_joined_are_the_chunk_a_larger_chunk_size_makes(chunk_rows: int) -> None:
    # the engine joins a file's first chunks into one that reaches the last row HS608 looks at
    # (reaching): the same frame, notes and lines as one chunk of them, with Arrow and Python
    # columns (a byte that is not UTF-8 in some chunks only), a ragged and a blank row
    data = (b"Contacts,,\r\nG\xe9n\xe9r\xe9,2024,\r\n,,\r\nEmail,First Name,City\r\na@x.com,Ann,Bern\r\n"
            b"b@x.com,Bo\r\n\r\nc@x.com,Ren\xe9e,Genf\r\nd@x.com,Di,Chur\r\n")
    for read in (lambda n: read_exact(data, n), lambda n: read_fast(data, n, 64)):
        _, _, [whole] = read(1000)
        _, _, chunks = read(chunk_rows)
        one = joined(chunks)
        pd.testing.assert_frame_equal(one.frame, whole.frame)
        assert (one.notes, one.lines.tolist(), one.end) == (whole.notes, whole.lines.tolist(), whole.end)
        for i, pieces in one.cell_bytes.items():  # (where every chunk had them)
            assert [v for a in pieces for v in a.to_pylist()] == [v.encode("utf-8", "surrogatepass")
                                                                  for v in one.frame[i]]
        first, *rest = reaching(iter(chunks), 5)  # as far as the chunk that reaches row 5, the others as read
        held = len(chunks) - len(rest)
        assert last_row(chunks[held - 1]) >= 5 and all(last_row(c) < 5 for c in chunks[:held - 1])
        assert all(a is b for a, b in zip(rest, chunks[held:], strict=True))
        pd.testing.assert_frame_equal(first.frame, joined(chunks[:held]).frame)

    def broken() -> Iterator[Chunk]:  # a reader that fails before row 5: the rows read first, then its error
        yield from chunks[:2]
        raise OSError("disk error")
    got = reaching(broken(), 5)
    pd.testing.assert_frame_equal(next(got).frame, joined(chunks[:2]).frame)
    with pytest.raises(OSError, match="disk error"):
        next(got)


def test_a_title_look_stops_at_the_first_record_below_that_holds_a_delimiter() -> None:
    # `h0;x;y` holds the one name of a single mapping: its header; a row of data under a line
    # that holds none is not looked past, whatever lies below it
    one = TitleLook(10, functools.partial(title_above, {"h0"}))
    assert read_exact(b"Contacts export\r\nh0;x;y\r\na;b;c\r\n", 2, one, hint=1)[1].delimiter == ";"
    assert read_exact(b"Contacts export\r\na;b;c\r\nh0;h1;h2\r\n", 2, TITLE, hint=3)[1].delimiter == ","


@st.composite
def titled_files(draw: Any) -> bytes:
    """A title and notes (no delimiter in line 1, quotes and delimiters below it) above a file of
    any delimiter, some with the header the mappings name."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    note = st.one_of(st.text(alphabet=st.sampled_from(list("ab ")), max_size=8),
                     st.text(alphabet=st.sampled_from(list('ab ";,\t|\r\n')), max_size=8))
    title = draw(st.one_of(st.text(alphabet=st.sampled_from(list("ab ")), max_size=8),
                           st.text(alphabet=st.sampled_from(list('ab "')), max_size=8)))
    lines = [title, *draw(st.lists(note, max_size=3))]
    width = draw(st.integers(1, 4))
    names = draw(st.sampled_from([["h0", "h1", "h2"], ["h0", "x", "y"], ["a", "b"]]))[:width]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(names)
    for _ in range(draw(st.integers(0, 6))):
        writer.writerow([draw(cell) for _ in range(draw(st.integers(1, width + 1)))])
    return (newline.join(lines) + newline + out.getvalue()).encode()


@given(titled_files(), st.integers(1, 5), st.sampled_from([16, 64, 1 << 20]), st.integers(1, 6))
def test_fast_and_exact_read_files_under_a_title_alike(data: bytes, chunk_rows: int, segment: int, rows: int) -> None:
    assert_same(data, chunk_rows, segment, TitleLook(rows, TITLE.header), hint=3)


def _framed_or_anomaly(buf: np.ndarray, final: bool, eol: int) -> Any:
    try:
        framed = framing.frame(buf, ord(","), 0, final=final, eol=eol)
    except framing.Anomaly as exc:
        return "anomaly", str(exc), exc.size, exc.at
    if framed is None:
        return None
    return tuple(v.tolist() if isinstance(v, np.ndarray) else v for v in
                 (framed.starts, framed.ends, framed.lines, framed.end_lines, framed.newlines, framed.crlf,
                  framed.size, framed.strays, framed.quotes))


@given(st.lists(st.sampled_from([b"a", b",", b'"', b'""', b"\n", b"\r\n", b"\r", b'","', b'"\n']), max_size=40),
       st.booleans(), st.sampled_from([framing.LF, framing.CR]))
def test_framing_checks_quotes_once_where_their_count_proves_them_sound(parts: list[bytes], final: bool,
                                                                        eol: int) -> None:
    """``check_quotes`` on the segment's body is left out where the count already proved every
    quote of the bytes framed sound: the same records, or the same Anomaly, as with it."""
    buf = np.frombuffer(b"".join(parts), dtype=np.uint8)
    got = _framed_or_anomaly(buf, final, eol)
    real = framing._field_quotes
    with pytest.MonkeyPatch.context() as m:
        m.setattr(framing, "_field_quotes", lambda *a: (*real(*a)[:2], False))  # the body always checked
        assert _framed_or_anomaly(buf, final, eol) == got


@pytest.mark.parametrize("resyncs", [0, 1, 16])
@given(parts=st.lists(st.sampled_from([b'"', b'"', b'"', b",", b";", b"\n", b"\r", b"a"]), max_size=40),
       dialect=st.sampled_from([(ord(","), framing.LF), (ord(";"), framing.LF), (ord(","), framing.CR)]))
def test_field_quotes_from_the_count_and_strays_equal_the_walk_quote_by_quote(
        resyncs: int, parts: list[bytes], dialect: tuple[int, int]) -> None:
    """A segment with a stray quote had every quote walked in Python (a file that quotes every
    value: ~1 s a segment): the count places the quotes up to the first it cannot, sets that
    stray aside and takes up again after it. Field and stray quotes equal the walk's from the
    first quote, however many strays are set aside before the rest is walked."""
    buf = np.frombuffer(b"".join(parts), dtype=np.uint8)
    quotes = np.flatnonzero(buf == framing.QUOTE)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(framing, "_RESYNCS", resyncs)
        field, strays, sound = framing._field_quotes(buf, *dialect)
    if sound:
        assert framing._count_sound(buf, quotes, *dialect) and not len(strays)
        assert field.tolist() == quotes.tolist()
        return
    want = framing._walk(buf, quotes, *dialect)
    assert (field.tolist(), strays.tolist()) == (want[0].tolist(), want[1].tolist())


def test_a_segment_whose_quotes_are_sound_by_their_count_is_checked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    check = framing.check_quotes

    def counted(*args: Any, **kwargs: Any) -> None:
        calls.append(args[1].tolist())
        check(*args, **kwargs)

    monkeypatch.setattr(framing, "check_quotes", counted)
    buf = np.frombuffer(b'a,"b,c"\n"d",e\nf,"g', dtype=np.uint8)
    framed = framing.frame(buf, ord(","), 0, final=False)
    assert framed is not None
    assert (framed.starts.tolist(), framed.ends.tolist(), framed.size) == ([0, 8], [7, 13], 14)
    assert calls == [[2, 6, 8, 10, 16]]  # the count's check over all the bytes framed; none of the body's
    calls.clear()
    with pytest.raises(framing.Anomaly, match="text follows a closing quote"):
        framing.frame(np.frombuffer(b'a,"b"c\n', dtype=np.uint8), ord(","), 0, final=True)
    assert len(calls) == 2  # quotes not sound: the body is checked, and raises


@given(st.lists(st.sampled_from(['"', "\n", ","]), max_size=300))
def test_inside_quotes_counts_the_quotes_before_each_offset(data: list[str]) -> None:
    """The parity of the quotes before each offset, whether the quotes are placed among the
    offsets (fewer quotes) or the offsets among the quotes: as a search of each offset says."""
    buf = np.frombuffer("".join(data).encode(), dtype=np.uint8)
    quotes = np.flatnonzero(buf == framing.QUOTE)
    for byte in (framing.LF, ord(",")):
        at = np.flatnonzero(buf == byte)
        assert framing.inside_quotes(quotes, at).tolist() == (np.searchsorted(quotes, at) & 1).tolist()


@given(titled_files(), st.integers(1, 5), st.sampled_from([16, 64, 1 << 20]), st.integers(1, 6),
       st.integers(1, 24))
def test_a_look_below_a_title_cut_short_by_its_characters_reads_alike(data: bytes, chunk_rows: int, segment: int,
                                                                      rows: int, chars: int) -> None:
    # the fast reader looks at the lines it has read once they hold 4 * TITLE_CHARS bytes, not
    # reading on to ``rows`` line ends first: the same delimiter as the exact reader's look
    from unittest import mock

    from validator.readers import csv_exact, csv_fast
    with mock.patch.object(csv_exact, "TITLE_CHARS", chars), mock.patch.object(csv_fast, "TITLE_CHARS", chars):
        assert_same(data, chunk_rows, segment, TitleLook(rows, TITLE.header), hint=3)


@pytest.mark.parametrize(("note", "delimiter"), [(1_048_575, ";"), (1_048_576, ","), (3 << 20, ",")])
def test_a_title_look_reads_the_lines_that_start_in_its_first_million_characters(note: int, delimiter: str) -> None:
    # a note of 1,048,575 characters and its line end: the header starts within the look's
    # 1,048,576 characters; one character more and it is past them (read with the comma, as a
    # file with no delimiter there); the fast reader reads no more ahead than its look does
    data = b"Contacts export\n" + b"n" * (note - 1) + b"\nh0;h1;h2\na;b;c\n" + b"x;y;z\n" * 1000
    for reader, notes, _ in (read_exact(data, 3, TITLE, hint=3), read_fast(data, 3, 1 << 20, TITLE, hint=3)):
        assert notes.delimiter == delimiter, type(reader)


def test_a_segments_ragged_records_are_made_with_the_collector_on_now_and_then(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # the fast reader parsed and noted a segment's ragged records with the process's cycle
    # collector off all along: a file whose every row has one field too many (a trailing comma
    # the header lacks) kept it off for 1 s at a time in a library validate(). It is on again
    # after each PAUSE_FIELDS fields (base.FieldPause), the parse's and the notes' alike
    import gc

    import validator.readers.csv_fast_segment as segment
    from validator.readers.base import PAUSE_FIELDS

    events: list[str] = []
    off, on, odd = gc.disable, gc.enable, segment._odd_record

    def disable() -> None:
        if gc.isenabled():
            events.append("off")
        off()

    def enable() -> None:
        if not gc.isenabled():
            events.append("on")
        on()

    monkeypatch.setattr(gc, "disable", disable)
    monkeypatch.setattr(gc, "enable", enable)
    monkeypatch.setattr(segment, "_odd_record", lambda *a: (events.append("note"), odd(*a))[1])
    data = b"a,b,c\n" + b"".join(b"u%d@x.com,Ann,Lee,extra\n" % i for i in range(20_000))
    _reader, _notes, chunks = read_fast(data, 50_000, 1 << 22)
    assert (sum(len(c.notes) for c in chunks), events.count("note")) == (20_000, 20_000) and gc.isenabled()
    windows: list[int] = []  # notes made in each stretch with the collector off
    for event in events:
        if event == "off":
            windows.append(0)
        elif event == "note" and windows and windows[-1] >= 0:
            windows[-1] += 1
        elif event == "on" and windows:
            windows.append(-1)  # (on until the next "off")
    made = [w for w in windows if w >= 0]
    assert max(made) <= PAUSE_FIELDS // 4 and len(made) >= 20_000 * 8 // PAUSE_FIELDS  # (4 fields parsed, 4 noted)


_TOKENS = st.sampled_from(["", "a", "bc", '"q"', '"a,b"', '"x\ny"', '"say ""hi"""', 'a"b', '"c\r\nd"'])


@given(st.lists(st.lists(_TOKENS, min_size=0, max_size=5), min_size=1, max_size=12), st.integers(1, 4),
       st.sampled_from(["\n", "\r\n"]), st.sampled_from([1, 5, 16, 64, 1 << 19]))
def test_first_ragged_record_is_found_block_by_block(rows: list[list[str]], width: int, newline: str,
                                                     block: int) -> None:
    # the first record whose field count is not the header's, found RAGGED_BLOCK bytes of records
    # at a time, is the one the csv module reads so (blank records aside), whatever the block
    from validator.readers import csv_fast_segment

    raw = (newline.join(",".join(r) for r in rows) + newline).encode()
    try:
        framed = framing.frame(np.frombuffer(raw, dtype=np.uint8), ord(","), 0, final=True)
    except framing.Anomaly:
        return
    assert framed is not None
    expected = None
    for start, end in zip(framed.starts.tolist(), framed.ends.tolist(), strict=True):
        fields = next(csv.reader(io.StringIO(raw[start:end].decode(), newline="")), [])
        if end > start and len(fields) != width:
            expected = start
            break
    saved = csv_fast_segment.RAGGED_BLOCK
    csv_fast_segment.RAGGED_BLOCK = block
    try:
        assert csv_fast_segment._first_ragged(raw, framed, ord(","), width) == expected
    finally:
        csv_fast_segment.RAGGED_BLOCK = saved
