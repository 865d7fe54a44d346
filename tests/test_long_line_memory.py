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
