"""A one-line progress bar on stderr for large files: bytes and rows, rate, time left.

The engine calls it after each chunk; it draws at most ten times a second, only for files over
``MIN_BYTES``, and clears its line when the file is done, so reports on stdout stay clean.
"""

from __future__ import annotations

import time
from typing import TextIO

MIN_BYTES = 4 << 20
INTERVAL = 0.1
WIDTH = 24


class ProgressBar:
    def __init__(self, stream: TextIO, min_bytes: int = MIN_BYTES):
        self.stream = stream
        self.min_bytes = min_bytes
        self.file: str | None = None
        self.started = 0.0
        self.drawn = 0.0
        self.shown = False
        self.base = 0
        self.base_rows = 0

    def __call__(self, file: str, rows: int, done: int, size: int | None) -> None:
        now = time.monotonic()
        if file != self.file:  # the first chunk of a file starts its clock; nothing to rate yet
            self.clear()
            self.file, self.started, self.drawn, self.base, self.base_rows = file, now, 0.0, done, rows
            return
        if not size or size < self.min_bytes or now - self.drawn < INTERVAL:
            return
        self.drawn = now
        rate = 0.0
        if now > self.started:
            rate = (done - self.base) / (now - self.started)
            if done == self.base and rows > self.base_rows:  # the file was read whole with its first chunk:
                rate = (rows - self.base_rows) * (done / rows) / (now - self.started)  # its rows' bytes, checked
        from validator.report.text import printable  # (the report loads it anyway)

        # a file name is the request's text: its control characters would reach the terminal
        self.stream.write("\r" + line(printable(file), rows, done, size, rate) + "\x1b[K")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False

    def close(self) -> None:
        self.clear()


def line(file: str, rows: int, done: int, size: int, rate: float) -> str:
    """``contacts.csv [#########.....]  38% 64.2/170.0 MB 402,113 rows 41.3 MB/s 3 s left``"""
    part = min(1.0, done / size) if size else 0.0
    filled = int(part * WIDTH)
    left = f"{(size - done) / rate:.0f} s left" if rate > 0 and done < size else ""
    return (f"{file} [{'#' * filled}{'.' * (WIDTH - filled)}] {part:4.0%} {done / 1e6:.1f}/{size / 1e6:.1f} MB "
            f"{rows:,} rows {rate / 1e6:.1f} MB/s {left}").rstrip()
