"""Reading a workbook ahead (readers/xlsx_prefetch): the command line starts the pre-checks and
calamine's load on a thread before it imports pandas; the reader takes that work only for the
very same file, and a check's report never depends on whether it did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.test_xlsx import CLEAN, MIXED, request
from tests.workbooks import make_workbook, zip_bomb
from validator.cli import cli
from validator.readers import xlsx_prefetch
from validator.readers.xlsx import calamine_available

needs_calamine = pytest.mark.skipif(not calamine_available(), reason="python-calamine not installed")


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every workbook of any size may be read ahead; records what each reader was handed."""
    monkeypatch.setattr(xlsx_prefetch, "MIN_BYTES", 0)
    got: list[Any] = []
    real = xlsx_prefetch.take

    def take(stream: Any) -> Any:
        result = real(stream)
        got.append(result)
        return result
    import validator.readers.xlsx as xlsx_reader

    monkeypatch.setattr(xlsx_reader, "take", take)
    yield got
    xlsx_prefetch.drop_all()


def _check(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["check", *args, "--format", "json"], catch_exceptions=False)
    report = json.loads(result.stdout)
    report.pop("seconds", None)
    report.get("summary", {}).pop("seconds", None)
    for f in report.get("files", []):
        f.pop("seconds", None)
    return result.exit_code, report


def _folder(tmp_path: Path, book: dict[str, Any], name: str = "contacts.xlsx", fmt: str = "SPREADSHEET") -> Path:
    (tmp_path / name).write_bytes(make_workbook(book))
    req = request(name)
    req["files"][0]["fileFormat"] = fmt
    (tmp_path / "import.json").write_text(json.dumps(req))
    return tmp_path / "import.json"


@needs_calamine
def test_the_reader_takes_the_workbook_loaded_ahead_and_reports_the_same(tmp_path: Path, taken: list[Any],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    req = _folder(tmp_path, MIXED)
    code, ahead = _check(str(req))
    assert len(taken) == 1 and taken[0] is not None
    assert taken[0].engine == "calamine" and taken[0].scan.chosen.name == "Contacts"
    assert xlsx_prefetch.pending() == 0
    monkeypatch.setattr(xlsx_prefetch, "MIN_BYTES", 1 << 40)  # nothing read ahead this time
    code2, plain = _check(str(req))
    assert taken[1] is None
    assert (code, ahead) == (code2, plain)
    assert [(f["row"], f["column"], f["code"]) for f in ahead["findings"]] == \
        [(f["row"], f["column"], f["code"]) for f in plain["findings"]]
    assert ahead["findings"], "the mixed workbook has findings to compare"


@needs_calamine
def test_a_data_file_named_on_the_command_line_is_read_ahead(tmp_path: Path, taken: list[Any]) -> None:
    req = _folder(tmp_path, CLEAN)
    _check(str(tmp_path / "contacts.xlsx"), "--request", str(req))
    assert len(taken) == 1 and taken[0] is not None


def test_a_workbook_changed_after_the_start_is_read_again(tmp_path: Path, taken: list[Any],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    req = _folder(tmp_path, CLEAN)
    book = tmp_path / "contacts.xlsx"
    real_start = xlsx_prefetch.start
    # made once: openpyxl stamps the time of saving into docProps/core.xml, so a workbook made
    # again a second later may deflate to another size (the report's bytes differed under load)
    mixed = make_workbook(MIXED)

    def start_then_edit(path: Any) -> bool:
        started = real_start(path)
        # the file is rewritten with other data between the read-ahead and the reader
        book.write_bytes(mixed)
        os.utime(book, ns=(1, 1))
        return started
    monkeypatch.setattr(xlsx_prefetch, "start", start_then_edit)
    code, report = _check(str(req))
    assert taken == [None]  # not the same file (size, time): the reader read it itself
    assert book.read_bytes() == mixed and report["files"][0]["bytes"] == len(mixed)
    monkeypatch.setattr(xlsx_prefetch, "start", real_start)  # the same file, read with no read-ahead
    monkeypatch.setattr(xlsx_prefetch, "MIN_BYTES", 1 << 40)
    assert _check(str(req)) == (code, report)
    assert any(f["value"] == "#N/A" for f in report["findings"] if f.get("value"))  # the new content


def test_a_refused_workbook_is_refused_the_same_way(tmp_path: Path, taken: list[Any],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "contacts.xlsx").write_bytes(zip_bomb())
    (tmp_path / "import.json").write_text(json.dumps(request()))
    code, report = _check(str(tmp_path / "import.json"))
    assert code == 2 and len(taken) == 1 and taken[0].refused is not None  # refused once, before the imports
    assert [(r["file"], r["code"]) for r in report["refusals"]] == [("contacts.xlsx", "zip-bomb")]
    monkeypatch.setattr(xlsx_prefetch, "MIN_BYTES", 1 << 40)
    assert _check(str(tmp_path / "import.json")) == (code, report)
    assert taken[1] is None


def test_work_nobody_takes_is_released(tmp_path: Path, taken: list[Any]) -> None:
    req = _folder(tmp_path, CLEAN, fmt="CSV")  # declared CSV: never read as a workbook
    threads = threading.active_count()
    _check(str(req))
    assert taken == [] and xlsx_prefetch.pending() == 0
    for t in threading.enumerate():
        if t.name == "xlsx-prefetch":
            t.join(10)
    assert threading.active_count() <= threads


def test_start_leaves_alone_what_is_not_a_large_regular_zip(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    assert xlsx_prefetch.start(fifo) is False  # opened without waiting for a writer, then left
    small = tmp_path / "small.xlsx"
    small.write_bytes(make_workbook(CLEAN))
    assert xlsx_prefetch.start(small) is False  # under MIN_BYTES
    text = tmp_path / "big.xlsx"
    text.write_bytes(b"x" * (xlsx_prefetch.MIN_BYTES + 1))
    assert xlsx_prefetch.start(text) is False  # not a ZIP
    assert xlsx_prefetch.start(tmp_path / "missing.xlsx") is False
    assert xlsx_prefetch.pending() == 0


def test_a_link_to_a_workbook_outside_the_folder_is_never_read_ahead(tmp_path: Path, taken: list[Any]) -> None:
    outside = tmp_path / "elsewhere.xlsx"
    outside.write_bytes(make_workbook(CLEAN))
    folder = tmp_path / "imports"
    folder.mkdir()
    (folder / "contacts.xlsx").symlink_to(outside)
    (folder / "import.json").write_text(json.dumps(request()))
    assert xlsx_prefetch.start(folder / "contacts.xlsx") is False
    code, report = _check(str(folder / "import.json"))
    assert code == 2 and taken == [] and xlsx_prefetch.pending() == 0
    assert [(r["file"], r["code"]) for r in report["refusals"]] == [("contacts.xlsx", "outside")]


@needs_calamine
def test_no_thread_to_be_had_means_no_read_ahead_and_no_wait(tmp_path: Path, taken: list[Any],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    req = _folder(tmp_path, MIXED)

    def no_thread(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")
    monkeypatch.setattr(xlsx_prefetch.threading.Thread, "start", no_thread)
    code, report = _check(str(req))  # would wait forever on an entry no thread fills
    assert taken == [None] and xlsx_prefetch.pending() == 0
    monkeypatch.undo()
    monkeypatch.setattr(xlsx_prefetch, "MIN_BYTES", 1 << 40)
    assert _check(str(req)) == (code, report)


def test_the_read_ahead_modules_load_without_pandas() -> None:
    code = ("import sys, validator.readers.xlsx_prefetch, validator.readers.xlsx_scan, validator.readers.errors; "
            "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
