"""Small pieces the output formats share: where a finding is, its fingerprint, its level."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from validator.findings import Finding, Report, Severity

TOOL = "hubspot-preflight"


def display_path(f: Finding) -> str:
    """The file as a relative, forward-slash path where possible (what CI tools link to)."""
    raw = f.path or f.file or ""
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
    parts = (f.code, f.file or "", f.key or "", f.column_name or "", *((f"#{repeat}",) if repeat else ()))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def fingerprints(findings: Iterable[Finding]) -> list[str]:
    """``fingerprint`` of each finding, told apart where several share rule, file, key and column."""
    seen: dict[tuple[str, str, str, str], int] = {}
    out = []
    for f in findings:
        same = (f.code, f.file or "", f.key or "", f.column_name or "")
        repeat = seen.get(same, 0)
        seen[same] = repeat + 1
        out.append(fingerprint(f, repeat))
    return out


def severity(f: Finding) -> Severity:
    return f.severity or Severity.ERROR


def file_names(report: Report) -> list[str]:
    """Every file the run looked at (request first), then any other file a finding names."""
    names: list[str] = []
    requests = report.requests or [report.request or ""]
    for name in [*requests, *(s.name for s in report.files), *(f.file or "" for f in report.findings)]:
        if name and name not in names:
            names.append(name)
    return names
