"""Small pieces the output formats share: where a finding is, its fingerprint, its level."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from validator.findings import COLUMN_MOVES, Finding, Report, Severity

TOOL = "hubspot-preflight"


def display_path(f: Finding) -> str:
    """The file as a relative, forward-slash path where possible (what CI tools link to)."""
    return relative(f.path or f.file or "")


def relative(raw: str) -> str:
    """``display_path`` of a path as given."""
    if not raw:
        return ""
    p = Path(raw)
    if p.is_absolute():
        try:
            p = Path(os.path.relpath(p))
        except ValueError:
            return p.as_posix()
        if p.as_posix().startswith("../"):
            return Path(raw).as_posix()
    return p.as_posix()


def fingerprint(f: Finding, repeat: int = 0) -> str:
    """Stable across runs and re-sorted files: rule + file + record key (+ column name); the
    ``repeat``-th other finding with all of these (two blank rows) gets ``#repeat`` added."""
    parts = (f.code, f.file or "", f.key or "", _column(f), *((f"#{repeat}",) if repeat else ()))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _column(f: Finding) -> str:
    """The column a fingerprint names: none for a finding that moves between columns when its
    rows swap (``COLUMN_MOVES``)."""
    return "" if f.code in COLUMN_MOVES else f.column_name or ""


def fingerprints(findings: Iterable[Finding]) -> list[str]:
    """``fingerprint`` of each finding, told apart where several share rule, file, key and column."""
    seen: dict[tuple[str, str, str, str], int] = {}
    out = []
    for f in findings:
        same = (f.code, f.file or "", f.key or "", _column(f))
        repeat = seen.get(same, 0)
        seen[same] = repeat + 1
        out.append(fingerprint(f, repeat))
    return out


def severity(f: Finding) -> Severity:
    return f.severity or Severity.ERROR


def file_names(report: Report) -> list[str]:
    """Every file the run looked at (request first), then any other file a finding names, then
    the files refused (which no finding may name: junit gives each its suite)."""
    names: list[str] = []
    requests = report.requests or [report.request or ""]
    for name in [*requests, *(s.name for s in report.files), *(f.file or "" for f in report.findings),
                 *(r.file for r in report.refusals)]:
        if name and name not in names:
            names.append(name)
    return names


def unlisted(report: Report) -> dict[tuple[str, str | None], int]:
    """Findings counted but not listed (over ``--max-per-rule``), by rule and file.

    The engine counts them by file too (``Report.suppressed_in``); a report made otherwise is
    read this way: the engine lists the first N findings of each rule in each file and counts the
    rest per rule, so a rule's unlisted findings lie in files where it has N listed ones: where only one
    file has listed findings of the rule (and no baseline accepted any, nor ignore-records turned
    any off), they are all that file's. Otherwise (N = 0, or several files) the report cannot
    tell, and the file is None.
    """
    if report.suppressed_in and sum(n for c in report.suppressed_in.values() for n in c.values()) == sum(
            n for n in report.suppressed.values() if n > 0):  # the engine's own counts, by file
        return {(code, file): n for file, by_code in report.suppressed_in.items() for code, n in by_code.items()}
    files: dict[str, set[str]] = {}
    for f in report.findings:
        files.setdefault(f.code, set()).add(f.file or "")
    out: dict[tuple[str, str | None], int] = {}
    for code, n in sorted(report.suppressed.items()):
        if n <= 0:
            continue
        where = files.get(code, set())
        elsewhere = report.accepted.get(code) or report.ignored_records.get(code)
        out[(code, next(iter(where)) if len(where) == 1 and not elsewhere else None)] = n
    return out


def levels(report: Report) -> dict[str, dict[Severity, int]]:
    """Every finding (listed or not) by code, then severity: the listed at their own, the unlisted
    as their file's import gave them (``Report.unlisted_split``); what neither accounts for (a
    report made by hand) at the code's severity. One severity per code, but where a merged
    report's imports differ or some of a code's findings were judged by a default list."""
    out: dict[str, dict[Severity, int]] = {}
    for f in report.findings:
        mine = out.setdefault(f.code, {})
        mine[severity(f)] = mine.get(severity(f), 0) + 1
    for (code, file), n in unlisted(report).items():
        mine = out.setdefault(code, {})
        for level, k in report.unlisted_split(code, file, n).items():
            mine[level] = mine.get(level, 0) + k
    for code, total in report.counts.items():
        mine = out.setdefault(code, {})
        level = report.severities.get(code, Severity.ERROR)
        mine[level] = mine.get(level, 0) + max(0, total - sum(mine.values()))
    return {code: {s: n for s, n in sorted(by.items(), reverse=True) if n > 0} for code, by in sorted(out.items())}


def rule_name(code: str, findings: Iterable[Finding] = ()) -> str:
    """The rule's name (``ragged-row``) for a code, from a finding of it or the registry."""
    for f in findings:
        if f.code == code:
            return f.rule
    from validator.checks import all_rules

    cls = all_rules().get(code)
    return cls.name if cls is not None else code
