"""A caller's file object that fails while it is read is a refused input, never an exception."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ROOT
from validator import Config, Refusal, validate

DEALS = ROOT / "fixtures" / "examples" / "deals"
HEADER, *ROWS = (DEALS / "deals.csv").read_bytes().splitlines(keepends=True)
BODY = HEADER + b"".join(ROWS * 4000)  # 1.4 MB


class FailsLate(io.RawIOBase):
    """BODY, then ``error`` once more than ``after`` bytes were read (a stream that breaks)."""

    def __init__(self, error: Callable[[], Exception], after: int):
        self.data, self.error, self.after = io.BytesIO(BODY), error, after

    def readable(self) -> bool:
        return True

    def readinto(self, into: memoryview) -> int:  # type: ignore[override]
        if self.data.tell() > self.after:
            raise self.error()
        got = self.data.read(min(len(into), 1 << 16))
        into[: len(got)] = got
        return len(got)


ENDED = "cannot read: EOFError: Compressed file ended before the end-of-stream marker was reached"
PACKED = gzip.compress(BODY)


@pytest.mark.parametrize("reader", ["exact", "fast", "auto"])
@pytest.mark.parametrize(("opener", "packed", "reason"), [
    # a download cut short, and one corrupted on the way: EOFError and zlib.error ended the call
    (gzip.open, PACKED[: len(PACKED) // 2], ENDED),
    (bz2.open, bz2.compress(BODY)[:800], ENDED),
    (lzma.open, lzma.compress(BODY)[:300], ENDED),
    (gzip.open, PACKED[:40] + b"\xff" * 40 + PACKED[80:], "cannot read: error: Error -3 while decompressing data: "),
])
def test_a_compressed_stream_that_breaks_is_refused(opener: Callable[[io.BytesIO], Any], packed: bytes, reason: str,
                                                    reader: str) -> None:
    with opener(io.BytesIO(packed)) as stream:
        report = validate(DEALS / "deals.import.json", files={"deals.csv": stream}, config=Config(reader=reader))
    assert [(r.file, r.code) for r in report.refusals] == [("deals.csv", "unreadable")]
    assert report.refusals[0].reason.startswith(reason)
    assert report.exit_code() == 2 and not report.ok


@pytest.mark.parametrize("reader", ["exact", "fast", "auto"])
@pytest.mark.parametrize(("error", "reason"), [
    (lambda: OSError(5, "Input/output error"), "cannot read: Input/output error"),
    (lambda: ValueError("I/O operation on closed file."), "cannot read: ValueError: I/O operation on closed file."),
    (lambda: zlib.error("Error -3 while decompressing data"), "cannot read: error: Error -3 while decompressing data"),
])
def test_a_stream_that_fails_part_way_is_refused(error: Callable[[], Exception], reason: str, reader: str) -> None:
    # past the first chunk, an OSError (and any other error of the stream's) ended the call
    for after in (0, 300_000):
        report = validate(DEALS / "deals.import.json", files={"deals.csv": FailsLate(error, after)},
                          config=Config(reader=reader, chunk_rows=1000))
        assert report.refusals == [Refusal("deals.csv", reason, "unreadable")], after
        assert report.exit_code() == 2


def test_a_stream_read_whole_is_not_refused() -> None:
    report = validate(DEALS / "deals.import.json", files={"deals.csv": FailsLate(lambda: OSError(5, "EIO"), 1 << 30)})
    assert report.refusals == [] and report.rows == len(ROWS) * 4000
