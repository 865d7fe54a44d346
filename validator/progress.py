"""A one-line progress bar on stderr for large files: bytes and rows, rate, time left.

The engine calls it after each chunk; it draws at most ten times a second, only for files over
``MIN_BYTES``, and clears its line when the file is done, so reports on stdout stay clean. The
line is cut to the terminal's width, read at each draw (a window resized meanwhile included):
a longer one wraps, and ``\r`` then returns to its last screen row only, so each draw would
leave a row behind and the clear would leave one above the report. Other text written to
stderr while the bar is up (a Python warning, a library's log line, a message) goes through
the bar (``ProgressBar.holding``): its line is cleared first, and drawn again below the text.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Iterator
from typing import Any, TextIO

MIN_BYTES = 4 << 20
INTERVAL = 0.1
WIDTH = 24
NARROWEST = 8  # bar cells below which the bar is left out
SETTLED = 3  # chunks after the first before a time left is drawn: the first ones carry the start-up


class ProgressBar:
    def __init__(self, stream: TextIO, min_bytes: int = MIN_BYTES):
        self.stream = stream
        self.min_bytes = min_bytes
        self.file: str | None = None
        self.started = 0.0
        self.drawn = 0.0
        self.shown = False
        # (time, bytes) after each chunk since the clock started, back to the oldest one the rate needs
        self.samples: deque[tuple[float, int]] = deque()
        self.chunks = 0
        self.text = ""  # the line drawn last
        self.midline = False  # other text left the cursor after it, not at a line's start
        self.hidden = False  # the line is off while other text is written: drawn again after it
        self.lock = threading.RLock()  # (a reader's thread may warn while the bar draws)

    def __call__(self, file: str, rows: int, done: int, size: int | None) -> None:
        if rows == 0:  # a file starts (the engine says so): it may have the last one's name
            self.clear()
            self.file = None
            return
        now = time.monotonic()
        if file != self.file:  # the first chunk of a file starts its clock; nothing to rate yet
            self.clear()
            self.file, self.started, self.drawn, self.chunks = file, now, 0.0, 0
            self.samples = deque([(now, done)])
            return
        rate = self.rate(now, done)
        if not size or size < self.min_bytes or (now - self.drawn < INTERVAL and done < size):
            return  # (the last chunk is drawn whatever the interval: the line stays while the file's end is checked)
        self.drawn = now
        from validator.report.text import printable  # (the report loads it anyway)

        # a file name is the request's text: its control characters would reach the terminal
        text = line(shown(printable(file), self.stream), rows, done, size, rate, columns(self.stream),
                    settled=self.chunks >= SETTLED)
        with self.lock:
            self.text = text
            self.draw()

    def draw(self) -> None:
        """The last line drawn, again, on a line of its own (``\r`` would write over text
        another write left unfinished on the cursor's line)."""
        self.stream.write(("\n" if self.midline else "") + "\r" + self.text + "\x1b[K")
        self.stream.flush()
        self.midline, self.shown, self.hidden = False, True, False

    def write_other(self, text: str) -> int:
        """Text for stderr from something else: the bar's line cleared first, so the two do not
        mix, and drawn again below a whole line (a piece of one leaves it off until the next draw)."""
        with self.lock:
            if not text:
                return self.stream.write(text)
            up = self.shown or self.hidden
            self.clear()
            written = self.stream.write(text)
            self.midline = not text.endswith("\n")
            if up and not self.midline:
                self.draw()
            else:
                self.hidden = up
                self.stream.flush()
            return written

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """While in the block, what is written to ``sys.stderr`` (Python's warnings, logging's
        last-resort handler and click look it up as they write) goes through ``write_other``,
        where ``sys.stderr`` is the stream the bar draws on."""
        if sys.stderr is not self.stream:
            yield
            return
        sys.stderr = _Through(self)
        try:
            yield
        finally:
            sys.stderr = self.stream

    def rate(self, now: float, done: int) -> float:
        """Bytes a second over the later half of the time since the clock started: the first
        chunks' start-up (imports, threads, caches filling) ran the rate low, and an average
        since the start kept it there, so early times left ran high (5 s at 7% of a file checked
        in 3); a window of the later half lets it go, and grows with the file, so that a long
        file's rate stays steady. (The bytes are those of the rows checked.)"""
        self.chunks += 1
        self.samples.append((now, done))
        half = now - (now - self.started) / 2
        while len(self.samples) > 2 and self.samples[1][0] <= half:
            self.samples.popleft()  # (the oldest kept is the last one at or before the half)
        since, then = self.samples[0]
        return (done - then) / (now - since) if now > since else 0.0

    def clear(self) -> None:
        with self.lock:
            if self.shown:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
            self.shown = self.hidden = False

    def close(self) -> None:
        self.clear()


class _Through:
    """stderr, its writes going through the bar (``ProgressBar.write_other``); anything else
    (``encoding``, ``fileno``, ``isatty``) is the stream's own."""

    def __init__(self, bar: ProgressBar):
        self._bar = bar

    def write(self, text: str) -> int:
        return self._bar.write_other(text)

    def writelines(self, lines: Any) -> None:
        for text in lines:
            self.write(text)

    def flush(self) -> None:
        self._bar.stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bar.stream, name)


def columns(stream: TextIO) -> int:
    """The terminal's width: ``COLUMNS`` where set (as ``shutil.get_terminal_size`` reads it),
    else the stream's own terminal (not stdout's, which may go to a file), else 80."""
    try:
        given = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        given = 0
    if given > 0:
        return given
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):  # (no file descriptor, or not a terminal)
        return 80


def shown(text: str, stream: TextIO) -> str:
    """``text`` as ``stream`` writes it: a character its encoding lacks (a Japanese name on an
    ASCII or Latin-1 terminal) as the escape text (``\\u9867``) that stderr writes in its place,
    so that the line is measured as drawn (and a stream whose errors are strict does not raise)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        return text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:
        return text


def line(file: str, rows: int, done: int, size: int, rate: float, columns: int = 200, *,
         settled: bool = True) -> str:
    """``contacts.csv [#########.....]  38% 64.2/170.0 MB 402,113 rows 41.3 MB/s 3 s left``, in
    at most ``columns - 1`` cells (a full last column makes some terminals wrap): the bar
    narrows, then goes; then the file name keeps its end only; then the rate, the megabytes and
    the rows go, in that order; the percent and the time left stay longest. No time left
    until the rate has ``settled`` (SETTLED chunks)."""
    part = min(1.0, done / size) if size else 0.0
    left = f"{_duration((size - done) / rate)} left" if settled and rate > 0 and done < size else ""
    percent = min(round(part * 100), 100 if done >= size else 99)  # (100% at the end only, not from 99.5%)
    # tenths of a MB: the total rounded, the part done cut, and below the total until the end (99.96 of
    # 100 MB said "100.0/100.0 MB")
    total = round(size / 1e5)
    got = total if done >= size else max(0, min(int(done) // 100_000, total - 1))
    pieces = [f"{percent:3d}%", f"{got / 10:.1f}/{total / 10:.1f} MB", f"{rows:,} rows",
              f"{rate / 1e6:.1f} MB/s", left]
    room = max(1, columns - 1)
    for drop in ((), (3,), (3, 1), (3, 1, 2)):
        stats = " ".join(p for k, p in enumerate(pieces) if p and k not in drop)
        cells = min(WIDTH, room - _cells(file) - len(stats) - 4)  # (the name's space, brackets, space)
        if cells >= NARROWEST:
            filled = int(part * cells)
            return f"{file} [{'#' * filled}{'.' * (cells - filled)}] {stats}"
        if _cells(file) + 1 + len(stats) <= room:
            return f"{file} {stats}"
        if 3 + NARROWEST + 1 + len(stats) <= room:
            return f"...{_tail(file, room - len(stats) - 4)} {stats}"
    return stats.strip()[:room]


def _duration(seconds: float) -> str:
    """``3 s``, ``14 min``, ``2.5 h``: never ``0 s`` while bytes are left (half a second left
    said 0), and in minutes or hours where seconds would be long to read (``5432 s``)."""
    if seconds < 89.5:
        return f"{max(1, round(seconds))} s"
    if seconds < 89.5 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def _cells(text: str) -> int:
    """Terminal cells ``text`` takes: two for a wide (East Asian) character, none for a combining one."""
    if text.isascii():
        return len(text)
    return sum(map(_cell, text))


def _cell(c: str) -> int:
    return 0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1


def _tail(text: str, room: int) -> str:
    """The end of ``text`` that fits in ``room`` cells: one pass from its end (measuring each
    longer end whole made a long name cost its length squared)."""
    if text.isascii():
        return text[max(0, len(text) - max(0, room)):]
    used, start = 0, len(text)
    while start > 0:
        used += _cell(text[start - 1])
        if used > room:
            break
        start -= 1
    return text[start:]
