"""The findings of a run as the engine meets them: screened, capped per rule and file, counted.

``Collector`` keeps the first ``max_per_rule`` findings of each (rule, file) in (row, column)
order, so the report does not depend on chunk size, and counts the rest as suppressed; it stamps
each kept finding's severity and path. Findings a baseline accepts (``baseline.Acceptance``) are
taken out as they come, before the cap; while a baseline is written every finding is also kept
as its entry (``baseline.Entries``). The engine (``engine.Engine``) feeds it hooks' hits.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from validator.baseline import Acceptance, Entries
from validator.checks.base import Batch, Hit
from validator.config import ActiveRule
from validator.findings import Finding, Report, Severity
from validator.held import span
from validator.readers.base import Chunk
from validator.records import RowSource


def _key(f: Finding) -> tuple[Any, ...]:
    return (f.row or 0, f.column or 0, f.pointer or "", f.line or 0, f.message)


class Collector:
    """Keeps the first ``cap`` findings per (rule, file) in location order; counts the rest.
    Findings a baseline accepts are neither kept nor counted. With a ``budget`` (a baseline being
    written), every finding is kept as its baseline entry too (``entries``), and more findings
    than that in all make it keep no entry: what is kept then is never complete."""

    def __init__(self, active: Mapping[str, ActiveRule], cap: int, paths: Mapping[str, str],
                 skip: Callable[[str, str], bool] | None = None, baseline: Acceptance | None = None,
                 budget: int | None = None):
        self.active = active
        self.cap = max(0, cap)
        self.budget = budget
        self.total = 0  # findings counted, in all
        self.paths = paths
        self.skip = skip  # (code, file) -> True where per-file-ignores turn a rule off
        self.baseline = baseline
        self.entries = Entries() if budget is not None else None
        self.kept: dict[tuple[str, str], list[Finding]] = {}
        self.counts: dict[str, int] = {}
        self.per_file: dict[tuple[str, str], int] = {}
        # of those, the findings stamped a severity other than their rule's (judged by a default list)
        self.lowered: dict[tuple[str, str], int] = {}
        self.wanted: dict[str, set[int]] = {}  # rows whose cells the report should keep
        # what record keys are made of, for the baseline: the cells kept so far (the report's
        # records), the chunk being checked, and each file's key columns
        self.records: Mapping[str, Mapping[int, tuple[str, ...]]] = {}
        self.chunk: tuple[str, Chunk] | None = None
        self.key_columns: dict[str, tuple[tuple[str, int], ...]] = {}
        self.firsts: dict[str, int] = {}  # each file's first data row (1 without a header row; else 2)

    def add(self, hits: Iterable[Hit] | None) -> None:
        for hit in hits or ():
            if self.skip is not None and self.skip(hit.code, hit.file or ""):
                continue
            if self.baseline is not None and self.baseline.wants(hit.code, hit.file or ""):
                held = self.baseline.held.hold(hit, self._source(hit))  # (its rows not read yet: no key)
                if held is None:
                    continue
                found, rows = self.baseline.screen(held, self._source(held))
                self.wanted.setdefault(hit.file or "", set()).update(rows)  # kept as a listed finding's are
                if found is None:
                    continue
                hit = found
            if self.entries is not None:
                self.entries.add(hit, self._source(hit))
            if isinstance(hit, Batch):
                self._batch(hit)
            else:
                self._merge(hit.code, hit.file or "", [hit], 1, hit.severity is not None)

    def read(self, file: str) -> None:
        """After the hits of ``file``'s chunk being checked: the findings made before their rows
        were read take their keys from it (``held.Held``, ``baseline.Entries.resolve``)."""
        rows = self.rows_of(file)
        if self.baseline is not None and rows.chunk is not None:
            self.add(self.baseline.held.due(file, rows.chunk))
        if self.entries is not None:
            self.entries.resolve(file, rows)

    def settle(self) -> None:
        """Take the findings still held for rows never read, keyed by their place."""
        if self.baseline is not None:
            self.add(self.baseline.held.rest())

    def captured(self, file: str, chunk: Chunk) -> set[int]:
        """The rows of ``file`` whose cells the report keeps that ``chunk`` may hold; those past
        it (a finding made before its row was read) wait for theirs."""
        wanted = self.wanted.pop(file, set())
        later = {r for r in wanted if r > span(chunk)[1]}
        if later:
            self.wanted[file] = later
        return wanted - later

    def _source(self, hit: Hit) -> RowSource:
        return self.rows_of(hit.file or "")

    def rows_of(self, file: str) -> RowSource:
        """The cells and record keys of ``file``'s rows, as the report will find them."""
        chunk = self.chunk[1] if self.chunk is not None and self.chunk[0] == file else None
        return RowSource(chunk, self.records.get(file, {}), self.key_columns.get(file, ()),
                         self.firsts.get(file, 2))

    def _batch(self, batch: Batch) -> None:
        n = len(batch)
        if not n:
            return
        slot = (batch.code, batch.file)
        kept = self.kept.get(slot, [])
        take = min(n, self.cap)
        if len(kept) >= self.cap and kept and batch.rows[0] > (kept[-1].row or 0):
            take = 0  # rows only grow within a file: nothing here can displace a kept finding
        order = np.argsort(batch.rows, kind="stable")[:take]
        self._merge(batch.code, batch.file, [batch.finding(int(i)) for i in order], n, batch.severity is not None)

    def _merge(self, code: str, file: str, new: list[Finding], count: int, capped: bool) -> None:
        self.counts[code] = self.counts.get(code, 0) + count
        slot = (code, file)
        self.per_file[slot] = self.per_file.get(slot, 0) + count
        severity = self.active[code].level(capped)
        if severity != self.active[code].severity:
            self.lowered[slot] = self.lowered.get(slot, 0) + count
        self.total += count
        if self.entries is not None and self.budget is not None and self.total > self.budget:
            self.entries = None  # over budget: let go of the entries kept (their memory too)
        kept = self.kept.get(slot, [])
        if len(kept) >= self.cap:  # full: only a finding placed before the last kept one gets in
            if not self.cap:
                return
            last = _key(kept[-1])
            new = [f for f in new if _key(f) < last]
        if not new:
            return
        path = self.paths.get(file)
        stamped = [replace(f, severity=severity, path=path) for f in new]
        first = self.firsts.get(file, 2)
        self.wanted.setdefault(file, set()).update(f.row for f in stamped if f.row is not None and f.row >= first)
        if len(stamped) == 1:  # the same as nsmallest below (ties keep kept ones first), in O(log n)
            bisect.insort(kept, stamped[0], key=_key)
            if len(kept) > self.cap:
                kept.pop()
            self.kept[slot] = kept
        else:
            self.kept[slot] = heapq.nsmallest(self.cap, [*kept, *stamped], key=_key)

    def only(self, file: str, code: str) -> None:
        """Forget every finding of ``file`` but ``code``'s (an empty file is reported as that)."""
        if self.baseline is not None:
            self.baseline.release(file, code)
        if self.entries is not None:
            self.entries.only(file, code)
        for slot in [slot for slot in self.per_file if slot[1] == file and slot[0] != code]:
            self.lowered.pop(slot, None)
            n = self.per_file.pop(slot)
            self.total -= n
            self.kept.pop(slot, None)
            left = self.counts[slot[0]] - n
            if left:
                self.counts[slot[0]] = left
            else:
                del self.counts[slot[0]]

    def suppressed(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for (code, _file), total in self.per_file.items():
            out[code] = out.get(code, 0) + total - len(self.kept.get((code, _file), []))
        return out

    def by_default(self, report: Report) -> None:
        """Give ``report`` (its counts final) the severity of the findings judged by a default
        list (``lowered``), where any was: its totals by severity (``Report.by_severity``), and by
        file the unlisted findings of each code some of which have that severity, by severity
        (``Report.unlisted_levels``: the rest are at the code's)."""
        if not self.lowered:
            return
        tally = {s: sum(n for c, n in report.counts.items() if report.severities.get(c, Severity.ERROR) == s)
                 for s in Severity}
        for (code, file), n in self.lowered.items():
            rule = self.active[code]
            tally[rule.severity] -= n
            tally[rule.level(True)] += n
            kept = self.kept.get((code, file), [])
            unlisted = self.per_file[(code, file)] - len(kept)
            lowered = n - sum(f.severity != rule.severity for f in kept)
            if unlisted and lowered:
                split = {rule.severity: unlisted - lowered, rule.level(True): lowered}
                report.unlisted_levels.setdefault(file, {})[code] = {s: k for s, k in split.items() if k}
        report.by_severity = tally

    def suppressed_in(self) -> dict[str, dict[str, int]]:
        """The same by file, then code (files with none left out)."""
        out: dict[str, dict[str, int]] = {}
        for (code, file), total in sorted(self.per_file.items()):
            n = total - len(self.kept.get((code, file), []))
            if n > 0:
                out.setdefault(file, {})[code] = n
        return out
