"""A caller's file object that fails while it is read is a refused input, never an exception."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import random
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from validator import Config, Refusal, ValidatorError, validate

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
    (lambda: EOFError("Compressed file ended"), "cannot read: EOFError: Compressed file ended"),
])
def test_a_stream_that_fails_part_way_is_refused(error: Callable[[], Exception], reason: str, reader: str) -> None:
    # past the first chunk, an OSError (and any other error of the stream's) ended the call; one
    # failing from the start (read(0), which tells a binary stream from a text one) did too
    for after in (-1, 0, 300_000):
        report = validate(DEALS / "deals.import.json", files={"deals.csv": FailsLate(error, after)},
                          config=Config(reader=reader, chunk_rows=1000))
        assert report.refusals == [Refusal("deals.csv", reason, "unreadable")], after
        assert report.exit_code() == 2


def test_a_stream_read_whole_is_not_refused() -> None:
    report = validate(DEALS / "deals.import.json", files={"deals.csv": FailsLate(lambda: OSError(5, "EIO"), 1 << 30)})
    assert report.refusals == [] and report.rows == len(ROWS) * 4000


ZIP = b"PK\x03\x04" + b"\0" * 100  # a workbook's first bytes, given for a file the request says is CSV


class Unseekable(io.RawIOBase):
    """``data`` read once, front to back, as from a pipe or a socket."""

    def __init__(self, data: bytes):
        self.data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, into: memoryview) -> int:  # type: ignore[override]
        got = self.data.read(len(into))
        into[: len(got)] = got
        return len(got)


def _stats(given: Any) -> tuple[list[tuple[int | None, str]], list[tuple[str, int, str | None]]]:
    report = validate(DEALS / "deals.import.json", files={"deals.csv": given}, config=Config(select=["HS014"]))
    return ([(f.row, f.code) for f in report.findings],
            [(s["name"], s["bytes"], s["kind"]) for s in report.to_dict()["files"]])


def test_an_unread_file_given_as_bytes_or_a_stream_reports_its_size(tmp_path: Path) -> None:
    # files[].bytes said 0 for bytes and streams the readers did not read (a workbook given as
    # CSV), where the same bytes given as a path said 104
    (tmp_path / "deals.csv").write_bytes(ZIP)
    found = [(None, "HS014")]
    assert _stats(tmp_path / "deals.csv") == (found, [("deals.csv", 104, "zip")])
    assert _stats(ZIP) == (found, [("deals.csv", 104, "zip")])
    assert _stats(bytearray(ZIP)) == (found, [("deals.csv", 104, "zip")])
    with open(tmp_path / "deals.csv", "rb") as f:
        assert _stats(f) == (found, [("deals.csv", 104, "zip")])
    # a stream from where it stands, not from its start
    at = io.BytesIO(b"ignored" + ZIP)
    at.seek(7)
    assert _stats(at) == (found, [("deals.csv", 104, "zip")])
    (tmp_path / "later.csv").write_bytes(b"x" * 5 + ZIP + b"\0" * 200_000)
    with open(tmp_path / "later.csv", "rb") as f:
        f.read(5)
        assert _stats(f) == (found, [("deals.csv", 200_104, "zip")])
    # one that cannot tell its size: what was read
    big = ZIP + b"\0" * 200_000
    assert _stats(Unseekable(big)) == (found, [("deals.csv", 64 * 1024, "zip")])
    assert _stats(Unseekable(ZIP)) == (found, [("deals.csv", 104, "zip")])


class Reads:
    """A file object whose ``read(0)`` gives ``b""`` (as a binary one's does) and whose reads
    give BODY's bytes as ``first`` makes them for the first read and ``later`` for the rest."""

    def __init__(self, first: Callable[[bytes], Any], later: Callable[[bytes], Any]):
        self.data, self.first, self.later, self.reads = io.BytesIO(BODY), first, later, 0

    def read(self, size: int = -1) -> Any:
        if size == 0:
            return b""
        self.reads += 1
        return (self.first if self.reads == 1 else self.later)(self.data.read(size))


@pytest.mark.parametrize("reader", ["exact", "fast", "auto"])
def test_a_file_object_that_reads_text_is_the_text_mode_error(reader: str) -> None:
    # read(0) gave b"" and the first read a str: a TypeError from inside the sniffer
    text = Reads(bytes.decode, bytes.decode)
    with pytest.raises(ValidatorError) as raised:
        validate(DEALS / "deals.import.json", files={"deals.csv": text}, config=Config(reader=reader))
    assert str(raised.value) == "the file for 'deals.csv' is open in text mode; open it with 'rb'"


_NOT_READY = "cannot read: the stream has no data ready (a non-blocking stream); give a blocking one"


@pytest.mark.parametrize("reader", ["exact", "fast", "auto"])
@pytest.mark.parametrize(("first", "later", "reason"), [
    (bytes, bytes.decode, "cannot read: read() gave str, not bytes"),
    (bytes, lambda data: None, _NOT_READY),
    (lambda data: None, bytes, _NOT_READY),
    (bytearray, bytearray, None),
    (memoryview, memoryview, None),
])
def test_a_file_object_whose_reads_are_not_bytes_is_refused(first: Callable[[bytes], Any],
                                                            later: Callable[[bytes], Any], reason: str | None,
                                                            reader: str) -> None:
    # a str or None after bytes was a TypeError (can't concat str to bytes) out of the exact reader
    report = validate(DEALS / "deals.import.json", files={"deals.csv": Reads(first, later)},
                      config=Config(reader=reader))
    if reason is None:  # bytes by another type are read as bytes
        assert report.refusals == [] and report.rows == len(ROWS) * 4000
    else:
        assert report.refusals == [Refusal("deals.csv", reason, "unreadable")]
        assert report.exit_code() == 2


class NoDataYet(io.RawIOBase):
    """BODY, whose ``stall``-th ``readinto`` gives None (a non-blocking stream with no bytes yet)."""

    def __init__(self, stall: int):
        self.data, self.stall, self.calls = io.BytesIO(BODY), stall, 0

    def readable(self) -> bool:
        return True

    def readinto(self, into: memoryview) -> int | None:  # type: ignore[override]
        self.calls += 1
        if self.calls == self.stall:
            return None
        got = self.data.read(min(len(into), 1 << 16))
        into[: len(got)] = got
        return len(got)


@pytest.mark.parametrize("reader", ["exact", "fast", "auto"])
@pytest.mark.parametrize("stall", [2, 3, 4, 6])  # (the first: read(0), the probe of its mode)
def test_a_stream_with_no_bytes_yet_is_refused_by_either_reader(stall: int, reader: str) -> None:
    # the fast reader took a readinto() of None for the end of the file (the rows after it went
    # unchecked, or were read on where it came after the sniffed head), the exact one refused it
    report = validate(DEALS / "deals.import.json", files={"deals.csv": NoDataYet(stall)}, config=Config(reader=reader))
    assert report.refusals == [Refusal("deals.csv", _NOT_READY, "unreadable")]
    assert report.exit_code() == 2

def _workbook_request() -> dict[str, Any]:
    return {"name": "w", "importOperations": {"0-1": "UPSERT"}, "files": [{
        "fileName": "c.xlsx", "fileFormat": "SPREADSHEET", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email",
             "columnType": "HUBSPOT_ALTERNATE_ID"}]}}]}


class Seekable(io.BytesIO):
    """A workbook's bytes whose reads give ``later(data)`` after the first."""

    def __init__(self, data: bytes, later: Callable[[bytes], Any]):
        super().__init__(data)
        self.later, self.reads = later, 0

    def read(self, size: int | None = -1) -> Any:
        if size == 0:
            return b""
        self.reads += 1
        data = super().read(size)
        return data if self.reads == 1 else self.later(data)


def test_a_workbook_stream_that_breaks_is_refused() -> None:
    # a cut gzip stream of a workbook raised EOFError out of validate, and a stream whose reads
    # gave text past the first a TypeError from the zip reader: each is a refused file
    from tests.workbooks import make_workbook

    noise = random.Random(7)  # (addresses that compress little: half the gzip stream is more than its head)
    rows = [["Email"], *([f"{noise.getrandbits(64):016x}@example.com"] for _ in range(20_000))]
    data = make_workbook({"sheets": [{"name": "Sheet1", "rows": rows}]})
    packed = gzip.compress(data)
    assert len(zlib.decompressobj(31).decompress(packed[: len(packed) // 2])) > 64 * 1024
    with gzip.open(io.BytesIO(packed)) as stream:
        whole = validate(_workbook_request(), files={"c.xlsx": stream})
    assert (whole.refusals, whole.rows) == ([], 20_000)
    with gzip.open(io.BytesIO(packed[: len(packed) // 2])) as stream:
        report = validate(_workbook_request(), files={"c.xlsx": stream})
    assert report.refusals == [Refusal("c.xlsx", ENDED, "unreadable")]
    # reads that give text past the first are refused as the CSV path refuses them (zipfile took
    # the failure for "File is not a zip file", and a part's inflate for a bad ZIP)
    report = validate(_workbook_request(), files={"c.xlsx": Seekable(data, lambda d: d.decode("latin-1"))})
    assert report.refusals == [Refusal("c.xlsx", "cannot read: read() gave str, not bytes", "unreadable")]
    assert report.exit_code() == 2


class TextAfter(io.BytesIO):
    """A workbook's bytes whose reads give text after the first ``good`` ones."""

    def __init__(self, data: bytes, good: int):
        super().__init__(data)
        self.good, self.reads = good, 0

    def read(self, size: int | None = -1) -> Any:
        if size == 0:
            return b""
        self.reads += 1
        data = super().read(size)
        return data if self.reads <= self.good else data.decode("latin-1")


def test_a_workbook_stream_whose_reads_turn_to_text_is_not_a_bad_zip() -> None:
    # wherever the reads turn to text (the ZIP directory, the container's open, a part being
    # inflated), the reason was bad-zip ("File is not a zip file", "cannot inflate part ...")
    from tests.workbooks import make_workbook

    rows = [["Email"], *([f"a{i}@x.com"] for i in range(50))]
    data = make_workbook({"sheets": [{"name": "Sheet1", "rows": rows}]})
    whole = TextAfter(data, 10_000)
    assert validate(_workbook_request(), files={"c.xlsx": whole}).refusals == []
    for good in range(1, whole.reads):
        report = validate(_workbook_request(), files={"c.xlsx": TextAfter(data, good)})
        assert report.refusals == [Refusal("c.xlsx", "cannot read: read() gave str, not bytes", "unreadable")], good
        assert (report.exit_code(), report.rows) == (2, 0), good


@pytest.mark.parametrize("size", [4, 13, 21])
def test_a_workbook_file_shorter_than_a_zip_end_record_is_a_bad_zip(tmp_path: Path, size: int) -> None:
    # zipfile seeks 22 bytes back from the end to find the ZIP's end record: on an open() file
    # shorter than that the seek fails with EINVAL, which zipfile takes for "not a zip file"; the
    # stream kept it as its own failure and the file was refused as "cannot read: Invalid
    # argument" (a file on stdin, --file NAME=-, too), where its path gave the bad-zip reason
    path = tmp_path / "c.xlsx"
    path.write_bytes((b"PK\x03\x04" + b"not a zip file at all")[:size])
    expected = [Refusal("c.xlsx", "not a readable .xlsx: the ZIP container is corrupt or truncated "
                                  "(File is not a zip file)", "bad-zip")]
    assert validate(_workbook_request(), files={"c.xlsx": path}).refusals == expected
    with path.open("rb") as stream:
        assert validate(_workbook_request(), files={"c.xlsx": stream}).refusals == expected
