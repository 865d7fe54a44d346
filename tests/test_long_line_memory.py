"""How many copies of a long line the readers hold at once (Python's own allocations, traced).

A 100 MB quoted value peaked at 594 MB of RSS: the line was joined with the rest of its last
block and then cut out of that (three copies at once), and the fast reader handed its buffer to
the exact one as a copy. Now the line is joined once from its parts, and the buffer is read in
place. What is reported stays the same (``test_long_lines``).
"""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from validator import Config, validate
from validator.readers.base import ReaderNotes
from validator.readers.text import LineSource

SIZE = 24 << 20


def _peak(run: object) -> int:
    tracemalloc.start()
    try:
        run()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_line_of_many_blocks_is_held_at_most_twice() -> None:
    data = b"Email\n" + b"x" * SIZE + b"\nlast"  # (no line break at the end: the old way cut the lines out)
    lengths: list[int] = []

    def read() -> None:
        lengths.extend(len(line) for line in LineSource(io.BytesIO(data), ReaderNotes()))
    peak = _peak(read)
    assert lengths == [6, SIZE + 1, 4]
    assert peak < 2.5 * SIZE  # its parts and the line joined from them (was 3 copies and more)


@pytest.mark.parametrize(("reader", "copies"), [("fast", 3.5), ("exact", 2.5)])
def test_a_value_over_the_field_limit_is_held_a_few_times_only(tmp_path: Path, reader: str, copies: float) -> None:
    value = '"' + "n" * SIZE + '"'
    path = tmp_path / "data.csv"
    path.write_bytes(f"Email,Notes\nann@example.com,{value}\nbo@example.com,hi\n".encode())
    del value
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "Notes", "propertyName": "message"}]}}]}
    found: list[tuple] = []

    def check() -> None:
        report = validate(request, files=[path], config=Config(reader=reader), base_dir=tmp_path)
        found.extend((f.code, f.row, f.column) for f in report.findings if f.code == "HS114")
    validate(request, files={"data.csv": io.BytesIO(b"Email,Notes\na@x.com,hi\n")}, base_dir=tmp_path)
    peak = _peak(check)  # (the modules a check loads are loaded above, outside the count)
    assert found == [("HS114", 2, 2)]
    # the exact reader: the line's parts and the line joined from them (was 3 copies); the fast
    # one adds its buffer, read in place (was 4.8 copies: a copy of it, and the line cut out again)
    assert peak < copies * SIZE


def test_the_look_below_a_title_reads_a_few_megabytes_only(tmp_path: Path) -> None:
    # line 1 holds no delimiter: the fast reader looks below it for the header's, as far down as
    # HS608's rows (1,000 here); it read on to 1,000 line ends, up to 64 MiB, and held those bytes,
    # a copy and their text at once (401 MB of RSS for this file with 1 MB lines, 180 MB without
    # the title); the look reads a million characters at most, the same as the exact reader's
    line = b"x" * (1 << 20) + b"\n"
    path = tmp_path / "data.csv"
    path.write_bytes(b"Contacts export March\n" + line * 40 + b"Email,Notes\na@example.com,hi\n")
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "Notes", "propertyName": "message"}]}}]}
    found: dict[str, list[tuple]] = {}

    def check(reader: str) -> None:
        config = Config(reader=reader, options={"HS608": {"rows": 1000}}, select=["HS114", "HS110", "HS608"])
        report = validate(request, files=[path], config=config, base_dir=tmp_path)
        found[reader] = [(f.code, f.row, f.column) for f in report.findings]
    validate(request, files={"data.csv": io.BytesIO(b"Email,Notes\na@x.com,hi\n")}, base_dir=tmp_path)
    peak = _peak(lambda: check("fast"))
    check("exact")
    assert found["fast"][:2] == [("HS608", 1, None), ("HS114", 2, 1)]
    assert found["fast"][-1:] == [("HS114", 41, 1)] and len(found["fast"]) == 41
    assert found["fast"] == found["exact"]
    assert peak < 40 << 20  # (was 150 MB: the 41 MB below the title, read, copied and decoded; now 27 MB)


def test_the_rows_a_report_keeps_are_sliced_from_the_chunk_not_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    # the report keeps the cells of the rows its findings name; more than 256 of them were taken
    # from the chunk (a copy of the rows in Arrow's memory, which it keeps for its next arrays, beside
    # the text kept): under a title every row below the header had a finding on long cells and the
    # header's row none, so the rows were 3-302 of a chunk of 2-302, taken, not sliced (a title
    # above 500 rows of 1 MB peaked at 2.12 GB of RSS with HS603 alone, 1.58 GB without the title).
    # A run of rows is sliced now: the same cells kept
    import pandas as pd

    rows = [f"u{i}@x.com,Ann,{'n' * 33_000}{i}" for i in range(300)]
    data = ("Contacts export,,\nEmail,First Name,City\n" + "\n".join(rows) + "\n").encode()
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "First Name", "propertyName": "firstname"},
            {"columnObjectTypeId": "0-1", "columnName": "City", "propertyName": "city"}]}}]}
    taken: list[int] = []
    real = pd.DataFrame.take

    def take(self: pd.DataFrame, indices: Any, *args: Any, **kwargs: Any) -> pd.DataFrame:
        taken.append(len(indices))
        return real(self, indices, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "take", take)
    for reader in ("fast", "exact"):
        taken.clear()
        report = validate(request, files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                          config=Config(reader=reader, select=["HS603", "HS608"]))
        assert [(f.code, f.row, f.column) for f in report.findings] == [
            ("HS608", 1, None), *(("HS603", row, 3) for row in range(3, 303))]
        kept = report.records["data.csv"]
        assert sorted(kept) == list(range(3, 303))
        assert kept[3] == ("u0@x.com", "Ann", "n" * 33_000 + "0")
        assert kept[302] == ("u299@x.com", "Ann", "n" * 33_000 + "299")
        assert all(n <= 256 for n in taken), (reader, taken)  # (was a take of the 300 rows)


def test_the_chunks_joined_under_a_title_hold_the_looks_characters_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # with 2 rows a chunk and HS608's rows = 1,000, the first chunks were joined down to row 1,001:
    # every row of 1 MB above the header at once (here 20 of them, 21 MB; 1,000 such rows, 1 GB).
    # The look stops where the rows above a row hold LOOK_CHARS (16 MiB) characters: the chunks
    # joined are rows 2-19 (18 rows of 1,044,003 characters; 17 reach the 16,777,216), and the
    # header on row 22 is past the look, for 2 rows a chunk as for the default
    from validator import engine
    from validator.readers import base
    from validator.readers.base import last_row

    wide = ",".join(["x" * 87_000] * 12)
    data = ("Contacts export" + "," * 12 + "\n" + "".join(f"n{i:02d},{wide}\n" for i in range(20))
            + "Email,First Name,City" + "," * 10 + "\na@x.com,Ann,Bern" + "," * 10 + "\n").encode()
    assert 16 * 1_044_003 < getattr(base, "LOOK_CHARS", 16 << 20) <= 17 * 1_044_003
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "First Name", "propertyName": "firstname"},
            {"columnObjectTypeId": "0-1", "columnName": "City", "propertyName": "city"}]}}]}
    joined: list[tuple[int, int]] = []
    real = engine.reaching

    def spy(chunks: Any, *args: Any) -> Any:
        for i, chunk in enumerate(real(chunks, *args)):
            if not i:
                joined.append((int(chunk.rows[0]), last_row(chunk)))
            yield chunk
    monkeypatch.setattr(engine, "reaching", spy)
    reports = []
    for chunk_rows in (2, 50_000):
        report = validate(request, files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                          config=Config(reader="exact", chunk_rows=chunk_rows, options={"HS608": {"rows": 1000}},
                                        select=["HS103", "HS110", "HS608"]))
        reports.append([(f.code, f.row, f.column, f.line) for f in report.findings])
    assert reports[0] == reports[1] == [("HS103", 1, 1, 1), ("HS103", 1, 2, 1), ("HS103", 1, 3, 1)]
    assert joined == [(2, 19), (2, 23)]  # (with 50,000 rows a chunk, the reader's own first chunk)
