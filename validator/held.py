"""Findings a baseline must wait for: made before their rows are read, so without a record key yet.

A baseline entry names a data row's finding by its record (``records.row_key`` of the row's
cells), and ``--write-baseline`` keys each finding so (``baseline.Entries``), whenever it was
made: a finding made before its row was read (HS604's merged cells, found in the workbook's
sheet before any row) takes its key when the row is read. Checked against that baseline, the
same finding must be keyed alike, or its entry is stale and the finding new: ``Held`` keeps such
a finding until the chunk holding its row is being checked (``due``), when its key can be made
from the row's cells, and gives back at the run's end (``rest``) those whose row was never read,
keyed by their place as the writer keys them. Findings that bring a key of their own
(``value:...``) and those of rows already read (the cells the report keeps, or their place)
never wait.
"""

from __future__ import annotations

import numpy as np

from validator.checks.base import Batch, Deferred, Hit
from validator.findings import Finding
from validator.readers.base import Chunk
from validator.records import RowSource


def span(chunk: Chunk) -> tuple[int, int]:
    """The first and last rows ``chunk`` stands for, frame rows' or notes' (made once per chunk)."""
    got = chunk.memo.get("span")
    if got is None:
        rows = chunk.rows
        ends = [int(rows.min()), int(rows.max())] if len(rows) else []
        ends += [end for n in chunk.notes for end in (n.row, n.row + n.rows - 1)]
        got = chunk.memo["span"] = (min(ends), max(ends)) if ends else (0, 0)
    return got


def part(hit: Batch, keep: np.ndarray) -> Deferred:
    """The findings of ``hit`` at indexes ``keep``, each made by its own index (a batch's fields
    are indexed alike, a subclass's too)."""
    made = hit.finding
    return Deferred(code=hit.code, rule=hit.rule, hubspot_error=hit.hubspot_error, file=hit.file,
                    sheet=hit.sheet, rows=hit.rows[keep], lines=None, column=hit.column,
                    values=np.empty(0, dtype=object), message=hit.message, hint=hit.hint,
                    make=lambda j: made(int(keep[j])), severity=hit.severity)


class Held:
    """The findings of each file waiting for their rows to be read (a baseline being checked)."""

    def __init__(self) -> None:
        self.waiting: dict[str, list[Finding]] = {}  # file -> findings, in the order made
        self.read_to: dict[str, int] = {}  # file -> the last row of the chunks checked so far
        self.open = True  # False once the rest is given back: nothing more waits

    def hold(self, hit: Hit, rows: RowSource) -> Hit | None:
        """``hit`` less its findings at data rows not read yet (kept here), or None where it is
        all such findings. A row of the chunk being checked (``rows.chunk``) is read."""
        if not self.open:
            return hit
        file = hit.file or ""
        read = self.read_to.get(file, 0)
        if rows.chunk is not None:
            read = max(read, span(rows.chunk)[1])
        read = max(read, rows.first - 1)  # (a header row is read: a finding there is keyed by column)
        if not isinstance(hit, Batch):
            if hit.key or hit.row is None or hit.row <= read:
                return hit
            self.waiting.setdefault(file, []).append(hit)
            return None
        ahead = hit.rows > read
        if not ahead.any() or hit.finding(0).key is not None:  # (a batch's findings bring keys, or none)
            return hit
        self.waiting.setdefault(file, []).extend(hit.finding(int(i)) for i in np.flatnonzero(ahead))
        keep = np.flatnonzero(~ahead)
        return part(hit, keep) if len(keep) else None

    def due(self, file: str, chunk: Chunk) -> list[Finding]:
        """The findings of ``file`` whose rows ``chunk`` (just checked) has reached: their keys
        can be made now, from the chunk (a row it skipped, a sheet's empty one, by place)."""
        read = self.read_to[file] = max(self.read_to.get(file, 0), span(chunk)[1])
        wait = self.waiting.get(file)
        if not wait:
            return []
        out = [f for f in wait if (f.row or 0) <= read]
        if out:
            self.waiting[file] = [f for f in wait if (f.row or 0) > read]
        return out

    def rest(self) -> list[Finding]:
        """Every finding still waiting (its row never read: past the file's last row, or in a
        file refused while read), to be keyed now; nothing waits after this."""
        self.open = False
        out = [f for wait in self.waiting.values() for f in wait]
        self.waiting = {}
        return out

    def drop(self, file: str, keep: str) -> None:
        """Forget the findings of ``file`` but ``keep``'s (as ``engine.Collector.only``)."""
        if file in self.waiting:
            self.waiting[file] = [f for f in self.waiting[file] if f.code == keep]
