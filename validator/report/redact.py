"""``--redact``: a copy of the report with every cell value masked, for logs that must not
carry personal data. Header texts, codes and positions stay; values, whole rows and record keys
do not (a key keeps its kind and a short hash, so accepted findings can still be told apart).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace

from validator.checks.base import quote
from validator.findings import Finding, Report

MASK = "REDACTED"  # HubSpot's own word for masked values in its error file
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'")


def mask_key(key: str | None) -> str | None:
    if key is None:
        return None
    kind, sep, value = key.partition(":")
    if not sep or kind in ("row", "pointer", "column", "file"):
        return key  # already a hash, or a place rather than a value
    return f"{kind}#{hashlib.sha256(value.encode('utf-8', 'surrogateescape')).hexdigest()[:16]}"


def _message(f: Finding, headers: set[str]) -> str:
    text = f.message
    if f.value:
        text = text.replace(quote(f.value), f"'{MASK}'")  # values appear quoted, never bare
    if f.row is not None and f.row > 1:  # a data row: anything quoted but a header is a value
        text = _QUOTED.sub(lambda m: m.group() if m.group()[1:-1] in headers else f"'{MASK}'", text)
    return text


def redact(report: Report) -> Report:
    headers: dict[str, set[str]] = {name: set(cells) for name, cells in report.headers.items()}
    findings = []
    for f in report.findings:
        names = headers.get(f.file or "", set())
        findings.append(replace(
            f, message=_message(f, names), value=MASK if f.value else f.value, key=mask_key(f.key)))
    records = {name: {row: tuple(MASK if c else "" for c in cells) for row, cells in rows.items()}
               for name, rows in report.records.items()}
    return replace(report, findings=findings, records=records)
