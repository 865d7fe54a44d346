"""Where each CSV record ends: the last physical line of records that span several lines.

A record with a line break inside a quoted value (a note, an address) starts on one line and
ends on a later one. Findings carry the record's first line (``line``); ``end_line`` is its
last, as editors and code hosts show a range (SARIF ``endLine``, GitLab ``lines.end``, GitHub
``endLine``).

Every physical line of a CSV belongs to one record (a blank line is a row of its own), so a
record ends on the line before the next record starts, and the file's last one on its last
line. Kept are the records that span more than one line only (few in most files), as sorted
arrays of (row, first line, last line), and at most ``MOST`` of them in a file (HubSpot's row
limit; 24 MiB), so memory stays bounded: past them (a file of millions of records of several
lines, over HubSpot's limit), a finding's ``end_line`` is its ``line``.
Workbooks have no lines: their findings' ``end_line`` is their ``line``.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

import numpy as np

from validator.findings import Finding
from validator.readers.base import Chunk, Header

MOST = 1_048_576  # records of several lines kept per file


class RecordSpans:
    """Fed a CSV's header and chunks in file order, then ``finish(lines)``; gives each
    multi-line record's last line (``end``)."""

    __slots__ = ("_ends", "_kept", "_lines", "_parts", "_rows", "_tail")

    def __init__(self) -> None:
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._kept = 0  # records kept in _parts (at most MOST)
        self._tail: tuple[int, int] | None = None  # (row, line) of the last record, its end not yet known
        self._rows = self._lines = self._ends = np.zeros(0, np.int64)

    def header(self, header: Header | None) -> None:
        if header is not None:
            self._keep(header.row, header.line, header.end_line)

    def chunk(self, chunk: Chunk) -> None:
        """The records of a chunk: its rows (ends from the next record's start) and its notes
        (ragged, blank and broken records, whose readers give their last line; the rows of a
        run of blank rows are one line each)."""
        if self._kept >= MOST:  # (bounded: no more are kept)
            self._tail = None
            return
        rows = chunk.rows.astype(np.int64, copy=False)
        lines = np.asarray(chunk.lines, dtype=np.int64)
        ends = np.full(len(rows), -1, np.int64)  # -1: the line before the next record's
        if chunk.notes:
            rows = np.concatenate([rows, np.array([n.row for n in chunk.notes], np.int64)])
            lines = np.concatenate([lines, np.array([n.line for n in chunk.notes], np.int64)])
            # (a run of blank rows, one note: each of its rows is one line, the first one's included)
            ends = np.concatenate([ends, np.array([n.line if n.rows > 1 else n.end_line for n in chunk.notes],
                                                  np.int64)])
            order = np.argsort(rows, kind="stable")
            rows, lines, ends = rows[order], lines[order], ends[order]
        if not len(rows):
            return
        if self._tail is not None:  # the previous chunk's last record ends before this one's first
            self._keep(*self._tail, int(lines[0]) - 1)
            self._tail = None
        open_ = np.flatnonzero(ends[:-1] < 0)  # each ends on the line before the next record's
        if len(open_):
            ends[open_] = lines[open_ + 1] - 1
        if ends[-1] < 0:  # the chunk's last record: the next chunk, or the file's end, tells
            self._tail = (int(rows[-1]), int(lines[-1]))
            rows, lines, ends = rows[:-1], lines[:-1], ends[:-1]
        many = np.flatnonzero(ends > lines)[: MOST - self._kept]
        if len(many):
            self._parts.append((rows[many], lines[many], ends[many]))
            self._kept += len(many)

    def finish(self, lines: int) -> None:
        """The file had ``lines`` physical lines: its last record ends on the last of them."""
        if self._tail is not None:
            self._keep(*self._tail, lines)
            self._tail = None
        if self._parts:
            self._rows = np.concatenate([p[0] for p in self._parts])
            self._lines = np.concatenate([p[1] for p in self._parts])
            self._ends = np.concatenate([p[2] for p in self._parts])
            self._parts = []

    def _keep(self, row: int, line: int, end: int) -> None:
        if end > line and self._kept < MOST:
            self._parts.append((np.array([row], np.int64), np.array([line], np.int64), np.array([end], np.int64)))
            self._kept += 1

    def end(self, row: int, line: int) -> int:
        """The last line of the record of ``row`` starting on ``line`` (``line`` where it has one
        line, or where ``line`` is not where that record starts: a finding about one line of it)."""
        at = bisect.bisect_left(self._rows, row)  # (numpy's scalar search costs more per call)
        if at < len(self._rows) and self._rows[at] == row and self._lines[at] == line:
            return int(self._ends[at])
        return line

    def __len__(self) -> int:
        return len(self._rows)


def with_end_lines(findings: list[Finding], spans: dict[str, RecordSpans]) -> list[Finding]:
    """``findings`` with ``end_line`` set where a finding's record spans several lines."""
    if not any(len(s) for s in spans.values()):
        return findings
    out = []
    for f in findings:
        got = spans.get(f.file or "")
        if got is not None and len(got) and f.row is not None and f.line is not None:
            end = got.end(f.row, f.line)
            if end != f.line:
                f = replace(f, end_line=end)
        out.append(f)
    return out
