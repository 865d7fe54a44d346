"""The progress bar: drawn on a terminal for large files only, cleared when done."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES
from validator import Config, validate
from validator.cli import cli
from validator.progress import MIN_BYTES, ProgressBar, line


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch) -> None:
    """The bar fits the terminal's width: these tests say which, whatever the runner's is."""
    monkeypatch.setenv("COLUMNS", "200")


def test_line_shows_bytes_rows_rate_and_time_left() -> None:
    text = line("contacts.csv", 402_113, 64_200_000, 170_000_000, 32_100_000.0)
    assert text.startswith("contacts.csv [#########")
    assert "38% 64.2/170.0 MB 402,113 rows 32.1 MB/s 3 s left" in text


def test_small_files_draw_nothing_large_ones_draw_and_clear() -> None:
    out = io.StringIO()
    bar = ProgressBar(out)
    bar("small.csv", 10, 100, 1000)
    assert out.getvalue() == ""
    bar("big.csv", 50_000, MIN_BYTES // 4, MIN_BYTES * 2)
    assert out.getvalue() == ""  # the first chunk only starts the clock
    bar("big.csv", 100_000, MIN_BYTES // 2, MIN_BYTES * 2)
    assert "big.csv [" in out.getvalue() and "100,000 rows" in out.getvalue()
    bar.close()
    assert out.getvalue().endswith("\r\x1b[K")


def test_not_a_terminal_means_no_progress_on_stderr() -> None:
    request = FIXTURES / "examples" / "contacts" / "contacts.import.json"
    result = CliRunner().invoke(cli, ["check", str(request)])
    assert "\r" not in result.stderr


def test_a_file_name_with_control_characters_is_drawn_escaped() -> None:
    # a request's fileName of 'big\x1b[31mRED.csv' (HS028 reports it) reached the terminal as
    # an escape sequence: the bar turned the terminal red, while the report showed it escaped
    out = io.StringIO()
    bar = ProgressBar(out)
    bar("big\x1b[31mRED\r\n.csv", 50_000, MIN_BYTES // 4, MIN_BYTES * 2)
    bar("big\x1b[31mRED\r\n.csv", 100_000, MIN_BYTES // 2, MIN_BYTES * 2)
    drawn = out.getvalue()
    assert drawn.startswith("\r" + r"big\u001b[31mRED\r\n.csv [")
    assert "\x1b[31m" not in drawn and "\n" not in drawn and drawn.count("\r") == 1


@pytest.mark.parametrize(("columns", "drawn"), [
    (200, "contacts.csv [#########...............]  38% 64.2/170.0 MB 402,113 rows 32.1 MB/s 3 s left"),
    (80, "contacts.csv [####.........]  38% 64.2/170.0 MB 402,113 rows 32.1 MB/s 3 s left"),
    (60, "contacts.csv  38% 64.2/170.0 MB 402,113 rows 3 s left"),
    (40, "contacts.csv  38% 402,113 rows 3 s left"),
    (30, "contacts.csv  38% 3 s left"),
    (20, "38% 3 s left"),
    (10, "38% 3 s l"),
    (1, "3"),
])
def test_the_line_fits_the_terminal(columns: int, drawn: str) -> None:
    # an 88-character line on an 80-column terminal wrapped: each draw's \r went back to its
    # second screen row only, leaving a row behind per draw and one above the report at the end
    assert line("contacts.csv", 402_113, 64_200_000, 170_000_000, 32_100_000.0, columns) == drawn


def test_a_long_or_wide_file_name_keeps_its_end() -> None:
    name = "a_really_long_export_name_from_the_crm_2024_final.csv"
    assert line(name, 402_113, 64_200_000, 170_000_000, 32_100_000.0, 60) == (
        "..._2024_final.csv  38% 64.2/170.0 MB 402,113 rows 3 s left")
    # two cells a character: 13 characters take 24 cells
    assert line("顧客リスト_二〇二四年.csv", 402_113, 64_200_000, 170_000_000, 32_100_000.0, 60) == (
        "..._二〇二四年.csv  38% 64.2/170.0 MB 402,113 rows 3 s left")


def test_the_bar_reads_the_width_at_each_draw(monkeypatch) -> None:
    clock = iter([100.0, 101.0, 102.0])
    monkeypatch.setattr("validator.progress.time.monotonic", lambda: next(clock))
    monkeypatch.setattr("validator.progress.SETTLED", 0)  # (a time left from the first draw)
    out = io.StringIO()
    bar = ProgressBar(out)
    bar("contacts.csv", 100_000, 20_000_000, 170_000_000)
    monkeypatch.setenv("COLUMNS", "40")
    bar("contacts.csv", 200_000, 40_000_000, 170_000_000)
    monkeypatch.setenv("COLUMNS", "30")  # (a window made narrower)
    bar("contacts.csv", 300_000, 60_000_000, 170_000_000)
    assert out.getvalue() == ("\rcontacts.csv  24% 200,000 rows 6 s left\x1b[K"
                              "\rcontacts.csv  35% 6 s left\x1b[K")


def test_a_file_with_the_last_ones_name_starts_its_own_clock(tmp_path, monkeypatch) -> None:
    # two requests in one run, each with its own contacts.csv: the second file kept the first's
    # clock and byte count, so its first chunk was drawn at once with a rate taken over both
    # files (0.0 MB/s, or 5.6 MB/s for a file read at 60) and a time left to match
    monkeypatch.setattr("validator.progress.INTERVAL", 0.0)
    spec = {"name": "n", "importOperations": {"0-1": "CREATE"}, "files": [{
        "fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"}]}}]}
    out = io.StringIO()
    config = Config(chunk_rows=10, progress=ProgressBar(out, min_bytes=0))
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "contacts.csv").write_text("Email\n" + "".join(f"u{i}@example.com\n" for i in range(30)))
        validate(spec, config=config, base_dir=tmp_path / folder)
    drawn = [text for text in out.getvalue().split("\r") if "rows" in text]
    assert [text.split(" rows")[0].rsplit(" ", 1)[1] for text in drawn] == ["20", "30", "20", "30"]
    assert all(text.startswith("contacts.csv [") for text in drawn)  # (each file's first 10 rows start its clock)


@pytest.mark.parametrize(("blank_every", "drawn_at"), [(0, (0, 10, 20, 30)), (5, (0, 13, 25, 30))])
def test_a_workbook_is_drawn_by_its_rows_checked(tmp_path, blank_every: int, drawn_at: tuple[int, ...]) -> None:
    # a workbook is read whole as it opens: its bytes said 100% (a full bar, no time left) from
    # its first chunk to its last; its bytes are now its share of the sheet's rows checked, blank
    # rows included (with 6 of 30 rows blank, counting the rows in frames only drew its end at 80%)
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Email"])
    for i in range(30):
        sheet.append([f"u{i}@example.com"] if not blank_every or i % blank_every else [])
    book.save(tmp_path / "contacts.xlsx")
    size = (tmp_path / "contacts.xlsx").stat().st_size
    mapping = {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"}
    spec = {"name": "n", "importOperations": {"0-1": "CREATE"}, "files": [{
        "fileName": "contacts.xlsx", "fileFormat": "SPREADSHEET",
        "fileImportPage": {"hasHeader": True, "columnMappings": [mapping]}}]}
    calls: list[tuple[str, int, int, int]] = []
    validate(spec, config=Config(chunk_rows=10, progress=lambda *call: calls.append(call)), base_dir=tmp_path)
    assert calls == [("contacts.xlsx", rows, size * rows // 30, size) for rows in drawn_at]


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_a_csv_is_drawn_by_the_bytes_of_its_rows_checked(tmp_path, reader: str) -> None:
    # the readers read ahead (up to ~16 MB): the bar followed the bytes read, so it drew 35% at
    # 16% checked on a 60 MB file and "0 s left" from 84%; a CSV's bytes are now those of the
    # records of the chunks checked, the same whichever reader
    header = b"Email,Note\r\n"
    records = [f"u{i}@example.com,{'Zürich' if i % 3 else 'x' * i}\r\n".encode() for i in range(30)]
    records[4] = b'u4@example.com,"two\r\nlines"\r\n'
    records[7] = b"\r\n"  # a blank row (a note: chunks count the rows read)
    records[15] = b'u15@example.com,"Acme" Inc\r\n'  # a bad quote: the fast reader reads it exactly
    (tmp_path / "contacts.csv").write_bytes(header + b"".join(records))
    size = (tmp_path / "contacts.csv").stat().st_size
    spec = {"name": "n", "importOperations": {"0-1": "CREATE"}, "files": [{
        "fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"}]}}]}
    calls: list[tuple[str, int, int, int]] = []
    config = Config(chunk_rows=10, reader=reader, progress=lambda *call: calls.append(call))
    validate(spec, config=config, base_dir=tmp_path)
    good = [k for k in range(30) if k not in (7, 15)]  # the 10th, 20th and last good rows end the chunks
    ends = [len(header) + sum(map(len, records[: k + 1])) for k in (good[9], good[19], 29)]
    assert calls == [("contacts.csv", 0, 0, size)] + [  # (it started at the bytes read ahead as the file opened)
        ("contacts.csv", rows, end, size) for rows, end in zip((11, 22, 30), ends, strict=True)]
    assert ends[-1] == size


def test_a_very_long_file_name_is_cut_in_one_pass(monkeypatch) -> None:
    # _tail measured each longer end of the name whole: a name of n wide characters took n²/2
    # width look-ups (a 20,000-character name on a wide terminal: minutes, the bar drawn each 0.1 s)
    import unicodedata

    looked: list[str] = []

    class Counting:
        combining = staticmethod(unicodedata.combining)

        @staticmethod
        def east_asian_width(c: str) -> str:
            looked.append(c)
            return unicodedata.east_asian_width(c)

    monkeypatch.setattr("validator.progress.unicodedata", Counting)
    name = "顧客" * 10_000 + "_final.csv"
    drawn = line(name, 402_113, 64_200_000, 170_000_000, 32_100_000.0, 10_050)
    stats = " 38% 64.2/170.0 MB 402,113 rows 32.1 MB/s 3 s left"
    tail = drawn.removeprefix("...").removesuffix(" " + stats)
    assert drawn == f"...{tail} {stats}" and name.endswith(tail) and tail.endswith("_final.csv")
    cells = len(drawn) + drawn.count("客") + drawn.count("顧")  # (two cells each)
    assert cells in (10_048, 10_049)  # the longest end that fits in 10,049 cells (a wide one may not)
    assert len(tail) == 10 + (10_049 - len(stats) - 4 - 10) // 2
    assert len(looked) <= 3 * len(name)
    assert line("x" * 100_000 + ".csv", 1, 5, 10, 1.0, 50) == "...xxxxxxxxxx.csv  50% 0.0/0.0 MB 1 rows 5 s left"


def test_the_percent_says_100_at_the_end_only() -> None:
    # 99.6% checked was drawn "100%" (rounded) with a full bar, a file's last chunk still unchecked
    assert line("c.csv", 9, 99_600_000, 100_000_000, 1e6).startswith("c.csv [#######################.]  99% ")
    assert line("c.csv", 9, 100_000_000, 100_000_000, 1e6).startswith("c.csv [########################] 100% ")
    assert line("c.csv", 9, 994_999, 100_000_000, 1e6).startswith("c.csv [........................]   1% ")


@pytest.mark.parametrize(("done", "size", "shown"), [
    (99_960_000, 100_000_000, " 99% 99.9/100.0 MB "),  # it said 100.0/100.0 MB, a chunk still unchecked
    (99_999_999, 100_000_000, " 99% 99.9/100.0 MB "),
    (99_940_000, 99_960_000, " 99% 99.9/100.0 MB "),
    (99_910_000, 99_940_000, " 99% 99.8/99.9 MB "),  # (the total rounded down: the part done stays below it)
    (100_000_000, 100_000_000, " 100% 100.0/100.0 MB "),
    (64_290_000, 170_000_000, "  38% 64.2/170.0 MB "),  # (cut, not rounded up: 64.3 would be more than done)
    (5, 10, "  50% 0.0/0.0 MB "),
])
def test_the_megabytes_done_reach_the_total_at_the_end_only(done: int, size: int, shown: str) -> None:
    assert shown in line("c.csv", 9, done, size, 1e6)


def _on_a_terminal(tmp_path, name: str, env: dict[str, str], columns: int = 60,
                   args: tuple[str, ...] = (), hook: str = "") -> tuple[str, str, int]:
    """The CLI checking a CSV of 3,000 rows called ``name`` with its stderr on a pseudo-terminal
    ``columns`` wide (stdout a pipe), a bar drawn for each 100 rows, after the code ``hook``
    (``p`` is validator.progress): (stderr as the terminal got it, stdout, exit code)."""
    import fcntl
    import json
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    (tmp_path / name).write_text("Email\n" + "".join(f"u{i}@example.com\n" for i in range(3000)), encoding="utf-8")
    mapping = {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"}
    (tmp_path / "r.import.json").write_text(json.dumps({"name": "n", "importOperations": {"0-1": "CREATE"}, "files": [
        {"fileName": name, "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [mapping]}}]}))
    main, side = pty.openpty()
    fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    code = ("import sys, validator.progress as p; p.INTERVAL = 0; p.ProgressBar.__init__.__defaults__ = (0,)\n"
            f"{hook}from validator.cli import cli; cli(sys.argv[1:])")
    run_env = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | {"TERM": "xterm"} | env
    command = [sys.executable, "-c", code, "check", "--chunk-rows", "100", *args, str(tmp_path / "r.import.json")]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=side, env=run_env,
                          cwd=Path(__file__).parent.parent) as proc:
        os.close(side)
        drawn = b""
        while True:
            try:
                got = os.read(main, 65536)
            except OSError:  # (the terminal's other side closed)
                break
            if not got:
                break
            drawn += got
        out = proc.stdout.read() if proc.stdout else b""
    os.close(main)
    return drawn.decode("utf-8"), out.decode("utf-8"), proc.returncode


def _draws(drawn: str) -> list[str]:
    return [text.removesuffix("\x1b[K") for text in drawn.split("\r") if text.removesuffix("\x1b[K")]


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_name_the_terminal_cannot_encode_is_drawn_escaped_and_fits(tmp_path, encoding: str) -> None:
    # on an ASCII or Latin-1 terminal (PYTHONIOENCODING) stderr wrote "顧客.csv" as "\u9867\u5ba2.csv":
    # measured as 8 cells, drawn as 16, the line overflowed the terminal and wrapped at each draw
    drawn, out, code = _on_a_terminal(tmp_path, "顧客リスト_二〇二四年_最終版.csv", {"PYTHONIOENCODING": encoding})
    assert code == 0 and "Traceback" not in drawn and "checked 3,000 rows" in out
    draws = _draws(drawn)
    assert len(draws) >= 20 and drawn.endswith("\r\x1b[K")  # (cleared before the report)
    assert all(text.isascii() and len(text) <= 59 for text in draws), draws
    assert all(text.startswith("...") and r"\u7248.csv " in text for text in draws)
    assert draws[-1].startswith(r"...6700\u7d42\u7248.csv 100% 0.1/0.1 MB 3,000 rows ")


def test_the_bar_fits_the_terminal_it_draws_on(tmp_path) -> None:
    # COLUMNS unset: the width is stderr's terminal's (stdout is a pipe); set, COLUMNS wins
    name = "a_really_long_export_name_from_the_crm_2024_final.csv"
    drawn, _out, code = _on_a_terminal(tmp_path, name, {}, columns=50)
    assert code == 0 and drawn.endswith("\r\x1b[K") and "\n" not in drawn  # (one screen row, redrawn)
    assert all(len(text) <= 49 for text in _draws(drawn)) and max(map(len, _draws(drawn))) >= 40
    drawn, _out, _code = _on_a_terminal(tmp_path, name, {"COLUMNS": "120"}, columns=50)
    assert max(map(len, _draws(drawn))) > 60



@pytest.mark.parametrize(("done", "size", "left"), [
    (99_900_000, 100_000_000, "1 s left"),  # a tenth of a second was "0 s left" while bytes were left
    (96_700_000, 100_000_000, "3 s left"),
    (11_000_000, 100_000_000, "89 s left"),
    (10_000_000, 100_000_000, "2 min left"),  # 90 s
    (0, 5_340_000_000, "89 min left"),  # it was "5340 s left"
    (0, 10_000_000_000, "2.8 h left"),  # and "10000 s left"
])
def test_the_time_left_reads_at_a_glance(done: int, size: int, left: str) -> None:
    assert line("c.csv", 9, done, size, 1e6, 200).endswith(f" 1.0 MB/s {left}")


@pytest.mark.parametrize(("env", "args"), [({"TERM": "dumb"}, ()), ({}, ("--quiet",))])
def test_a_dumb_terminal_or_quiet_draws_nothing(tmp_path, env: dict[str, str], args: tuple[str, ...]) -> None:
    # a dumb terminal has no "erase line" (the bar's \x1b[K would show as text); --quiet says nothing
    drawn, out, code = _on_a_terminal(tmp_path, "contacts.csv", env, args=args)
    assert (drawn, code) == ("", 0) and ("checked 3,000 rows" in out) is not bool(args)


def test_a_files_last_chunk_is_drawn_however_soon_it_comes(monkeypatch) -> None:
    # the last chunk came within 0.1 s of the draw before: the line stayed at "96% ... 1 s left"
    # while the file-end checks ran (seconds, on a large file), as if rows were still being read
    clock = iter([100.0, 101.0, 101.05, 101.06])
    monkeypatch.setattr("validator.progress.time.monotonic", lambda: next(clock))
    out = io.StringIO()
    bar = ProgressBar(out)
    bar("c.csv", 50_000, 2_000_000, 50_000_000)
    bar("c.csv", 100_000, 48_000_000, 50_000_000)
    bar("c.csv", 110_000, 49_000_000, 50_000_000)  # (within the interval: not drawn)
    bar("c.csv", 120_000, 50_000_000, 50_000_000)
    assert out.getvalue() == (
        "\rc.csv [#######################.]  96% 48.0/50.0 MB 100,000 rows 46.0 MB/s\x1b[K"  # (not settled)
        "\rc.csv [########################] 100% 50.0/50.0 MB 120,000 rows 45.3 MB/s\x1b[K")


def test_a_file_of_ragged_rows_is_drawn_by_the_rows_read(tmp_path, monkeypatch) -> None:
    # rows kept out of the frame (ragged, blank) were not counted: a file whose every row ends in
    # an extra delimiter said 0 rows at each chunk, which is how a file's start is told, so its
    # bar was never drawn however large the file
    monkeypatch.setattr("validator.progress.INTERVAL", 0.0)
    records = [f"u{i}@example.com,n,\n" for i in range(30)]
    (tmp_path / "contacts.csv").write_text("Email,Name\n" + "".join(records))
    spec = {"name": "n", "importOperations": {"0-1": "CREATE"}, "files": [{
        "fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"}]}}]}
    calls: list[tuple[str, int, int, int]] = []
    validate(spec, config=Config(chunk_rows=10, progress=lambda *call: calls.append(call)), base_dir=tmp_path)
    assert [(rows, done) for _name, rows, done, _size in calls[1:]] == [  # (two notes a chunk)
        (rows, len("Email,Name\n") + sum(map(len, records[:rows]))) for rows in range(2, 31, 2)]
    out = io.StringIO()
    validate(spec, config=Config(chunk_rows=10, progress=ProgressBar(out, min_bytes=0)), base_dir=tmp_path)
    drawn = [text for text in out.getvalue().split("\r") if "rows" in text]
    assert len(drawn) == 14 and drawn[-1].startswith("contacts.csv [########################] 100% 0.0/0.0 MB 30 rows ")


def test_the_time_left_follows_the_recent_rate_not_the_start_up(monkeypatch) -> None:
    # the rate was an average since the first chunk: a slow start (1 MB/s for 2 s, then 10 MB/s)
    # kept it low, and the time left high, long after (7.0 MB/s, "8 s left" at 43%, 5.7 s left);
    # it is now the rate over the later half of the time since the clock started, with no time
    # left drawn until three chunks have followed the first
    times = [0.0, 2.0] + [2.0 + 0.5 * k for k in range(1, 9)]
    dones = [1_000_000, 3_000_000] + [3_000_000 + 5_000_000 * k for k in range(1, 9)]
    clock = iter(times)
    monkeypatch.setattr("validator.progress.time.monotonic", lambda: next(clock))
    out = io.StringIO()
    bar = ProgressBar(out)
    for k, done in enumerate(dones):
        bar("c.csv", (k + 1) * 1000, done, 100_000_000)
    assert [text.removesuffix("\x1b[K").split(" rows ")[1] for text in out.getvalue().split("\r") if text] == [
        "1.0 MB/s", "2.8 MB/s",  # (the first chunks: no time left yet)
        "4.0 MB/s 22 s left", "4.9 MB/s 17 s left",  # (the slow start is still within the later half)
        "10.0 MB/s 8 s left", "10.0 MB/s 7 s left", "10.0 MB/s 7 s left", "10.0 MB/s 6 s left",
        "10.0 MB/s 6 s left"]
    assert len(bar.samples) == 7  # (back to the last chunk at or before the half, 3.0 s, only)


def test_other_text_on_stderr_clears_the_line_first_and_the_bar_comes_back_below_it(monkeypatch) -> None:
    # text written to stderr while the bar was up went on after the bar's text, on its line
    # ("c.csv [####...]  8% ...a message"), and the next draw's \r wrote over its last line: now
    # the line is cleared first and the bar drawn again below it
    import sys

    import click

    clock = iter([100.0, 101.0, 102.0])
    monkeypatch.setattr("validator.progress.time.monotonic", lambda: next(clock))
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    bar = ProgressBar(out)
    bar("c.csv", 50_000, 2_000_000, 50_000_000)
    bar("c.csv", 100_000, 4_000_000, 50_000_000)
    drawn = "c.csv [#.......................]   8% 4.0/50.0 MB 100,000 rows 2.0 MB/s"
    assert out.getvalue() == f"\r{drawn}\x1b[K"
    with bar.holding():
        click.echo("a message", err=True)
        sys.stderr.write("half a line, ")  # (the bar stays off until the line is whole, then below it)
        sys.stderr.write("then its end\n")
    assert sys.stderr is out
    assert out.getvalue() == (
        f"\r{drawn}\x1b[K"
        f"\r\x1b[Ka message\n\r{drawn}\x1b[K"
        f"\r\x1b[Khalf a line, then its end\n\r{drawn}\x1b[K")
    with bar.holding():
        sys.stderr.write("no end")
    bar("c.csv", 150_000, 6_000_000, 50_000_000)  # (the next draw starts a line of its own)
    assert out.getvalue().endswith("\r\x1b[Kno end\n\rc.csv [##......................]  12% 6.0/50.0 MB "
                                   "150,000 rows 2.0 MB/s\x1b[K")
    bar.close()
    assert out.getvalue().endswith("\r\x1b[K")


def test_a_warning_or_a_log_line_during_a_check_is_not_written_over_the_bar(tmp_path) -> None:
    # the CLI on a terminal: a Python warning and a library's log line written mid-check (here
    # at the draw for row 1,500) went on after the bar's text, on its line; now each is on a line
    # of its own, the bar's line cleared before it and drawn again after it
    hook = ("import logging, warnings; draw = p.ProgressBar.__call__\n"
            "def noisy(self, file, rows, done, size):\n"
            "    draw(self, file, rows, done, size)\n"
            "    if rows == 1500:\n"
            "        warnings.warn_explicit('a library warns', UserWarning, 'lib.py', 7)\n"
            "        logging.getLogger('lib').warning('a library logs')\n"
            "p.ProgressBar.__call__ = noisy\n")
    drawn, out, code = _on_a_terminal(tmp_path, "contacts.csv", {}, hook=hook)
    assert code == 0 and "checked 3,000 rows" in out
    before, warned, between, logged, after = re.split(r"(lib\.py:7: UserWarning: a library warns\r\n|"
                                                       r"a library logs\r\n)", drawn)
    bar = r"\rcontacts\.csv [^\r\n]* 1,500 rows [^\r\n]*\x1b\[K"  # (the line at row 1,500: its rate varies)
    assert (warned, logged) == ("lib.py:7: UserWarning: a library warns\r\n", "a library logs\r\n")
    assert re.search(bar + r"\r\x1b\[K$", before), before[-200:]  # (the line cleared, then the text)
    assert re.fullmatch(bar + r"\r\x1b\[K", between), between  # (drawn again below it, cleared again)
    assert re.match(bar, after), after[:200]
