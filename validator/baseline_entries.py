"""Every finding of a run as the entry a baseline writes for it, for ``--write-baseline``.

A run that writes a baseline keeps each finding as an ``Entry`` (``Entries``, under
``engine.keeping_all``), not as a Finding with its row's cells: file, code, record key, column
name and message, then where it is for the report's order. A data row's key is made from its
chunk as the report makes it (``records.row_key``); one made before its row was read waits for
it (``Entries.resolve``). ``baseline.baseline_text`` writes the entries out.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Mapping

from validator.checks.base import Batch, Cells, Hit
from validator.findings import Finding
from validator.held import span
from validator.records import RowSource, finding_key, row_key

# a finding as the baseline entry written for it: (file, code, key, column name, message), then
# where it is, for the report's order (row, column, pointer); the key is None until its row is read
Entry = tuple[str, str, str | None, str | None, str, int, int, str]


class Entries:
    """Every finding of a run as the entry a baseline writes for it (``Entry``): what a run that
    writes a baseline keeps, in place of the Findings and their rows' cells. A finding's key is
    the report's (``records.finding_key`` of the cells the report keeps for its row): a data
    row's is made from its chunk (``resolve`` for a finding made before its row was read); a
    finding made after (at its file's end) takes the key its row had then, if it had one."""

    def __init__(self) -> None:
        self.slots: dict[tuple[str, str], list[Entry]] = {}  # by (code, file), as the engine counts
        self.row_keys: dict[str, dict[int, str]] = {}  # file -> data row -> key, of rows read with findings
        self.waiting: dict[str, set[int]] = {}  # file -> data rows with findings, not read yet

    def add(self, hit: Hit, rows: RowSource) -> None:
        file = hit.file or ""
        out = self.slots.setdefault((hit.code, file), [])
        first = rows.first
        if not isinstance(hit, Batch):
            at = [hit.row] if hit.row is not None and hit.row >= first else []
            out.append(_entry(hit, self._keys(file, at, rows), first))
            return
        where = hit.rows.tolist()
        keyed = self._keys(file, [r for r in where if r >= first], rows)
        if type(hit) is Batch:  # one column's cells: the entry without a Finding (data rows)
            name, label, number, render = hit.file or "", hit.column.label, hit.column.number, hit.message
            values = hit.values.materialized() if isinstance(hit.values, Cells) else hit.values
            for i, row in enumerate(where):
                if row >= first:
                    out.append((name, hit.code, keyed.get(row), label, render(str(values[i])), row, number, ""))
                else:
                    out.append(_entry(hit.finding(i), keyed, first))
            return
        for i in range(len(where)):
            out.append(_entry(hit.finding(i), keyed, first))

    def _keys(self, file: str, at: list[int], rows: RowSource) -> dict[int, str]:
        """The record keys of data rows ``at`` (``records.row_key``) known now: from the chunk
        being checked, or as their rows were read; the others wait for theirs (``resolve``)."""
        if not at:
            return {}
        known = self.row_keys.setdefault(file, {})
        out: dict[int, str] = {}
        if rows.chunk is not None:
            # rows of the chunk, from it; any other row as without a chunk, so that a finding's
            # key does not depend on when it was made (``held.Held`` keys a baseline's so too)
            first, last = span(rows.chunk)
            now = at if first <= min(at) and max(at) <= last else [r for r in at if first <= r <= last]
            out = dict(zip(now, rows.keys(now), strict=True))
            known.update(out)
            if len(now) == len(at):
                return out
        for r in at:
            if r in out:
                continue
            if r in known:
                out[r] = known[r]
            elif r in rows.kept:
                out[r] = row_key(r, rows.kept[r], rows.columns)
            else:
                self.waiting.setdefault(file, set()).add(r)
        return out

    def resolve(self, file: str, rows: RowSource) -> None:
        """Make the keys of the rows waiting in ``file`` that ``rows``' chunk holds."""
        wait = self.waiting.get(file)
        if not wait or rows.chunk is None:
            return
        chunk = rows.chunk
        present = {int(r) for r in chunk.frame.index.intersection(sorted(wait))}
        present.update(n.row for n in chunk.notes if n.row in wait)
        if present:
            at = sorted(present)
            self.row_keys.setdefault(file, {}).update(zip(at, rows.keys(at), strict=True))
            wait -= present

    def only(self, file: str, keep: str) -> None:
        """Forget the entries of ``file`` but ``keep``'s (as ``collector.Collector.only``)."""
        for slot in [slot for slot in self.slots if slot[1] == file and slot[0] != keep]:
            del self.slots[slot]

    def ordered(self, ranks: Mapping[str, int]) -> list[Entry]:
        """Every entry, in the report's order of findings (``Engine._run``); a key still unknown
        (its row never read) is the row's place, as the report's. Each (rule, file)'s entries
        come in row order mostly: they are merged, not sorted whole (no sort key for each)."""
        by_file: dict[str, list[list[Entry]]] = {}
        for (_code, file), kept in self.slots.items():
            by_file.setdefault(file, []).append(kept if _in_order(kept) else sorted(kept, key=_where))
        out: list[Entry] = []
        for file in sorted(by_file, key=lambda name: (ranks.get(name, len(ranks)), name)):
            out.extend(e if e[2] is not None else (e[0], e[1], self._late(e[0], e[5]), *e[3:])
                       for e in heapq.merge(*by_file[file], key=_where))
        self.slots, self.row_keys, self.waiting = {}, {}, {}
        return out

    def _late(self, file: str, row: int) -> str:
        return self.row_keys.get(file, {}).get(row) or row_key(row, None, ())


def _where(e: Entry) -> tuple[int, int, str, str, str]:
    """Where an entry's finding is listed within its file: row, column, code, pointer, message."""
    return (e[5], e[6], e[1], e[7], e[4])


def _in_order(entries: list[Entry]) -> bool:
    return all(_where(a) <= _where(b) for a, b in itertools.pairwise(entries))


def _entry(f: Finding, keyed: Mapping[int, str], first: int) -> Entry:
    """``f``'s entry; ``keyed``: the record keys of data rows (from row ``first``) known now."""
    if f.key:
        key: str | None = f.key
    elif f.row is not None and f.row >= first:
        key = keyed.get(f.row)
    else:
        key = finding_key(f, None, ())
    return (f.file or "", f.code, key, f.column_name, f.message, f.row or 0, f.column or 0, f.pointer or "")
