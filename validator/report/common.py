"""Small pieces the output formats share: where a finding is, its fingerprint, its level."""

from __future__ import annotations

import hashlib
import os
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


def fingerprint(f: Finding) -> str:
    """Stable across runs and re-sorted files: rule + file + record key (+ column name)."""
    text = "\x1f".join((f.code, f.file or "", f.key or "", f.column_name or ""))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def severity(f: Finding) -> Severity:
    return f.severity or Severity.ERROR


def file_names(report: Report) -> list[str]:
    """Every file the run looked at (request first), then any other file a finding names."""
    names: list[str] = []
    for name in [report.request or "", *(s.name for s in report.files), *(f.file or "" for f in report.findings)]:
        if name and name not in names:
            names.append(name)
    return names
