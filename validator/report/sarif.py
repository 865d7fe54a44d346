"""``--format sarif``: SARIF 2.1.0, one run, for GitHub code scanning and other SARIF viewers.

Results carry the physical line of a CSV row as ``region.startLine``; the spreadsheet row,
column number and name, sheet, value, record key and HubSpot errorType are in ``properties``.
``partialFingerprints`` hash rule + file + record key + column name (``common.fingerprint``), so
an alert follows its record when the file is re-sorted. At most 5,000 results are written (GitHub
shows no more); the rest are counted in ``runs[0].properties`` and a tool notification.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote as url_quote

from validator.checks import all_rules
from validator.findings import Finding, Report, Severity
from validator.report.common import TOOL, display_path, fingerprints, levels, severity
from validator.report.json_format import dumps

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RESULTS = 5000
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT = "hubspotPreflight/v1"


def _rule(code: str, report: Report, of_code: dict[Severity, int]) -> dict[str, Any]:
    """The rule's descriptor; its level the highest its findings have (``of_code``: a merged
    report's imports may give one rule several)."""
    cls = all_rules().get(code)
    level = LEVELS[max(of_code, default=report.severities.get(code, Severity.ERROR))]
    if cls is None:  # a finding code from elsewhere: describe it minimally
        return {"id": code, "shortDescription": {"text": code}, "defaultConfiguration": {"level": level}}
    sections = cls.sections()
    help_lines = [sections["summary"]]
    for title in ("Why", "Example", "Fix"):
        if sections.get(title):
            help_lines += ["", f"{title}: {sections[title]}"]
    return {
        "id": code,
        "name": cls.name,
        "shortDescription": {"text": sections["summary"]},
        "fullDescription": {"text": sections.get("Why") or sections["summary"]},
        "help": {"text": "\n".join(help_lines)},
        "defaultConfiguration": {"level": level},
        "properties": {"hubspotErrorType": cls.hubspot_error, "tags": ["hubspot-import"]},
    }


def _uri(path: str) -> str:
    """A path as a URI reference: its bytes percent-encoded, those of a name that is not UTF-8
    (held as surrogate escapes) included. A relative path keeps no ``:`` (``data:2024.csv``
    would be a URI of scheme ``data``); an absolute one (a file outside the folder the check ran
    in) is a ``file:`` URI, which SARIF consumers map to the checkout, where a bare ``/tmp/x``
    would be read as relative to it."""
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:  # a lone surrogate that no file name decoded to
        raw = path.encode("utf-8", "surrogatepass")
    if not os.path.isabs(path):
        return url_quote(raw, safe="/")
    return "file://" + ("" if raw.startswith(b"/") else "/") + url_quote(raw, safe="/:")


def _result(f: Finding, index: int, print_: str) -> dict[str, Any]:
    uri = _uri(display_path(f))
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    line = f.line if f.line is not None else (f.row if f.sheet is None else None)
    if line is not None and line >= 1:
        physical["region"] = {"startLine": line}
        if f.line is not None and f.end_line is not None and f.end_line > line:  # a record of several lines
            physical["region"]["endLine"] = f.end_line
    props = {k: v for k, v in {
        "row": f.row, "column": f.column, "columnName": f.column_name, "sheet": f.sheet,
        "cell": f.cell, "value": f.value, "recordKey": f.key, "pointer": f.pointer,
        "hubspotErrorType": f.hubspot_error, "severity": severity(f).label,
    }.items() if v is not None}
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": index,
        "level": LEVELS[severity(f)],
        "message": {"text": f.message or f.code},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {FINGERPRINT: print_},
        "properties": props,
    }
    return result


def sarif_dict(report: Report) -> dict[str, Any]:
    codes = sorted({f.code for f in report.findings})
    index = {code: i for i, code in enumerate(codes)}
    shown = report.findings[:MAX_RESULTS]
    left = len(report.findings) - len(shown) + sum(report.suppressed.values())
    counted = levels(report)
    not_included = {code: dict(by) for code, by in counted.items()}
    for f in shown:
        not_included[f.code][severity(f)] -= 1
    notes = [{"level": "error", "message": {"text": f"{r.file}: refused: {r.reason}"}} for r in report.refusals]
    if left:
        notes.append({"level": "note", "message": {
            "text": f"{left:,} more finding(s) not included (over {MAX_RESULTS:,} results or --max-per-rule)"}})
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": TOOL, "version": report.version or "0", "semanticVersion": report.version or "0.0.0",
            "rules": [_rule(code, report, counted.get(code, {})) for code in codes],
        }},
        "invocations": [{"executionSuccessful": not report.refusals,
                         "toolExecutionNotifications": notes}],
        "results": [_result(f, index[f.code], p) for f, p in zip(shown, fingerprints(shown), strict=True)],
        "columnKind": "unicodeCodePoints",
        "properties": {"findingsNotIncluded": left, "counts": dict(report.counts), "notIncluded": {
                           code: {s.label: n for s, n in by.items() if n > 0}
                           for code, by in not_included.items() if any(n > 0 for n in by.values())},
                       "accepted": dict(report.accepted), "ignoredRecords": dict(report.ignored_records)},
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(report: Report) -> str:
    return dumps(sarif_dict(report), indent=2) + "\n"
