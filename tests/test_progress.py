"""The progress bar: drawn on a terminal for large files only, cleared when done."""

from __future__ import annotations

import io

from click.testing import CliRunner

from tests.conftest import FIXTURES
from validator.cli import cli
from validator.progress import MIN_BYTES, ProgressBar, line


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


def test_a_file_read_whole_with_its_first_chunk_is_rated_by_the_rows_checked(monkeypatch) -> None:
    # a file the reader had read to its end by its first chunk (8.7 MB read ahead at once) was
    # drawn at "0.0 MB/s" while its rows were being checked: its bytes no longer moved
    clock = iter([100.0, 102.0])
    monkeypatch.setattr("validator.progress.time.monotonic", lambda: next(clock))
    out = io.StringIO()
    bar = ProgressBar(out)
    size = 8_700_000
    bar("companies.csv", 50_000, size, size)
    bar("companies.csv", 100_000, size, size)  # 50,000 rows of 87 bytes in 2 s
    assert out.getvalue() == ("\rcompanies.csv [########################] 100% 8.7/8.7 MB 100,000 rows 2.2 MB/s"
                              "\x1b[K")


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
