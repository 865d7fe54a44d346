"""``check --statistics`` (ruff's): one line per rule instead of the findings, with how many it
found, listed or not (the findings over ``--max-per-rule`` are counted, as the text footer
counts them), most first, then by code.

A rule whose findings have two levels (some judged by a default list, or a merged run's imports
setting its severity apart) has a line for each level, as the GitHub step summary's table has.
``text`` is the table (``count  code  name  severity``, aligned; nothing when nothing was
found), ``json`` a list of ``{"code", "name", "count", "severity"}``.
"""

from __future__ import annotations

import json
from typing import Any

from validator.findings import Report
from validator.report.common import levels, rule_name

FORMATS = ("text", "json")


def statistics(report: Report) -> list[dict[str, Any]]:
    """Every rule that found something, with its count and severity: most first, then by code
    (then the higher severity first)."""
    counted = sorted(((code, sev, n) for code, by in levels(report).items() for sev, n in by.items()),
                     key=lambda c: (-c[2], c[0], -c[1]))
    return [{"code": code, "name": rule_name(code, report.findings), "count": n, "severity": sev.label}
            for code, sev, n in counted]


def render_statistics(report: Report, fmt: str = "text") -> str:
    """``statistics`` as a table (``text``) or JSON (``json``)."""
    rows = statistics(report)
    if fmt == "json":
        return json.dumps(rows, indent=2) + "\n"
    if not rows:
        return ""
    counts = [f"{r['count']:,}" for r in rows]
    wide = {k: max(len(str(r[k])) for r in rows) for k in ("code", "name")}
    width = max(len(c) for c in counts)
    return "".join(f"{c:>{width}}  {r['code']:<{wide['code']}}  {r['name']:<{wide['name']}}  {r['severity']}\n"
                   for c, r in zip(counts, rows, strict=True))
