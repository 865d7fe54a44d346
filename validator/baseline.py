"""Accepted findings: a baseline file keyed by record, not by row number.

An entry names a finding by the file's ``fileName``, the rule code, the record key
(``email:ann@example.com``, ``id:1234``, ``row:<hash of the row's cells>``, ``value:<key>`` for
a key reported after its file is read, or for findings
outside data rows ``column:<header>``, ``pointer:<JSON pointer>``, ``file``) and, where the
finding has one, the column name. Re-sorting the file or inserting rows keeps every entry
valid; changing the accepted record's key or content (for hashed rows) makes the entry stale.
An entry accepts one finding: a second finding like it (a new blank row) is reported.
Stale entries for the files of the import being checked are reported as HS901.

File format (JSON)::

    {"version": 1, "tool": "hubspot-preflight",
     "entries": [{"file": "contacts.csv", "code": "HS110", "key": "email:bo@example.org",
                  "column": null, "message": "row has 3 fields, fewer than the header's 4"}]}
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from validator.findings import STALE_CODE, Finding, Report, ValidatorError
from validator.sources import read_bounded, write_text

VERSION = 1
STALE = STALE_CODE
MAX_BASELINE_BYTES = 64 * 1024 * 1024

Entry = tuple[str, str, str, str | None]  # file, code, key, column name (None: any)


def origin_of(source: object) -> str:
    return os.fspath(source) if isinstance(source, (str, os.PathLike)) else "baseline"


def load_baseline(source: str | os.PathLike[str] | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Baseline entries from a file or a list of mappings. A missing file is an empty baseline."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            return []
        try:
            data = json.loads(read_bounded(path, MAX_BASELINE_BYTES))
        except OSError as exc:
            raise ValidatorError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
        except ValidatorError as exc:
            raise ValidatorError(f"cannot read baseline: {exc}") from None
        except ValueError as exc:
            raise ValidatorError(f"baseline {path} is not valid JSON: {exc}") from None
        entries = data.get("entries") if isinstance(data, dict) else None
        where = str(path)
    else:
        entries, where = list(source), "baseline"
    if not isinstance(entries, list):
        raise ValidatorError(f"{where}: expected an object with an 'entries' list")
    for i, e in enumerate(entries):
        if not (isinstance(e, Mapping) and all(isinstance(e.get(k), str) for k in ("file", "code", "key"))):
            raise ValidatorError(f"{where}: entry {i} needs string 'file', 'code' and 'key'")
    return [dict(e) for e in entries]


def entry_of(f: Finding) -> dict[str, Any]:
    return {"file": f.file or "", "code": f.code, "key": f.key or "", "column": f.column_name,
            "message": f.message}


def _matches(entry: Mapping[str, Any], f: Finding) -> bool:
    if (entry["file"], entry["code"], entry["key"]) != (f.file or "", f.code, f.key or ""):
        return False
    column = entry.get("column")
    return column is None or column == f.column_name


def apply_baseline(report: Report, entries: list[dict[str, Any]], active: Mapping[str, Any],
                   source: str, origin: str = "baseline") -> None:
    """Drop accepted findings from ``report`` (and its counts); report stale entries as HS901.

    A stale entry is located in the baseline file (``origin``) by its JSON pointer.
    """
    index: dict[tuple[str, str, str], list[int]] = {}
    for i, e in enumerate(entries):
        index.setdefault((e["file"], e["code"], e["key"]), []).append(i)
    used: set[int] = set()
    kept: list[Finding] = []
    for f in report.findings:  # an entry accepts one finding: a second one like it is new
        hit = next((i for i in index.get((f.file or "", f.code, f.key or ""), ())
                    if i not in used and _matches(entries[i], f)), None)
        if hit is not None:
            used.add(hit)
            report.counts[f.code] -= 1
            report.accepted[f.code] = report.accepted.get(f.code, 0) + 1
            continue
        kept.append(f)
    report.counts = {c: n for c, n in report.counts.items() if n > 0}
    # (what several imports of one run need to tell an entry stale: an equal entry any of them used)
    report.baseline_used = {(origin, *_content(entries[i])) for i in used}
    files = {source, *(s.name for s in report.files)}
    # an entry of a rule that did not run, or whose findings went past --max-per-rule (the finding
    # it accepts may be among those not listed), cannot be told stale
    unsure = {code for code, n in report.suppressed.items() if n > 0}
    stale = [i for i, e in enumerate(entries) if i not in used and e["file"] in files
             and e["code"] in active and e["code"] not in unsure]
    if stale and STALE in active:
        from validator.checks.tool import StaleBaselineEntry

        rule = StaleBaselineEntry()
        for i in stale:
            e = entries[i]
            f = rule.finding(
                f"baseline entry for {e['code']} on {e['key']!r} in {e['file']} matched no finding",
                file=origin, pointer=f"/entries/{i}", value=e["key"])
            kept.append(replace(f, severity=active[STALE].severity, key=f"pointer:/entries/{i}"))
            report.baseline_stale[(origin, f"/entries/{i}")] = (origin, *_content(e))
        report.counts[STALE] = report.counts.get(STALE, 0) + len(stale)
    report.findings = kept


def _content(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    return (entry["file"], entry["code"], entry["key"], entry.get("column"))


def write_baseline(report: Report, path: str | os.PathLike[str]) -> int:
    """Write every listed finding (but stale-entry ones) as accepted; returns the entry count."""
    entries = [entry_of(f) for f in report.findings if not f.code.startswith("HS9")]
    text = json.dumps({"version": VERSION, "tool": "hubspot-preflight", "entries": entries},
                      ensure_ascii=False, indent=2)
    from validator.report.json_format import clean

    try:
        write_text(Path(path), clean(text) + "\n")
    except OSError as exc:
        raise ValidatorError(f"cannot write baseline {path}: {exc.strerror or exc}") from None
    return len(entries)
