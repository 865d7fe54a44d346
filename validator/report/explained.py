"""``explain-errors``' output: HubSpot's errors of an import that ran, per errorType, mapped back
to the rules of this tool that predict them (``validator/hubspot_errors.py`` reads them).

Per errorType, most frequent first (then by name): the count, its meaning and whether a check
before upload can catch it (fact sheet 2.2, ``[errors.about]`` in ``rules/hubspot.toml``), the
rules whose ``hubspot_error`` it is or whose findings name it some of the time (``other_errors``:
HS201's INVALID_EVENT_TIMESTAMP, ...), and the first examples as HubSpot listed them. An errorType
this version does not know (HubSpot adds values) is listed as unknown, with no rule.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from validator.hubspot_errors import HubSpotError, Reading
from validator.report.json_format import dumps
from validator.report.text import printable

SCHEMA_VERSION = 1
PREFLIGHT = {"Y": "a file or request check alone can predict it",
             "P": "a check can predict it with portal metadata fetched ahead (--portal)",
             "N": "server-side only: no check before upload predicts it"}


def explained(reading: Reading, headers: Mapping[int | None, tuple[str, ...]], examples: int) -> dict[str, Any]:
    """The explanation as plain data (``--format json``); ``headers``: the column names of each
    file by its fileId (None: of any other file, see ``hubspot_errors.read_headers``)."""
    from validator.catalog import builtin
    from validator.checks import all_rules
    from validator.config import load_profile

    about = builtin().error_about
    profile = load_profile()
    predicting: dict[str, list[dict[str, Any]]] = {}
    for code, rule in all_rules().items():
        for error in dict.fromkeys(e for e in (rule.hubspot_error, *rule.other_errors) if e):
            predicting.setdefault(error, []).append(
                {"code": code, "name": rule.name, "enabled": bool(profile.get(code, {}).get("enabled", True))})
    counts = Counter(e.error_type for e in reading.errors)
    firsts: dict[str, list[HubSpotError]] = {}
    for e in reading.errors:  # (one pass: a hostile file may hold as many errorTypes as errors)
        shown = firsts.setdefault(e.error_type, [])
        if len(shown) < examples:
            shown.append(e)
    types = []
    for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        known = about.get(name)
        shown = firsts[name]
        types.append({
            "errorType": name, "count": count, "known": known is not None,
            "meaning": known["meaning"] if known else None,
            "preflight": known["preflight"] if known else None,
            "rules": predicting.get(name, []),
            "examples": [_example(e, headers.get(e.file_id, headers.get(None))) for e in shown],
        })
    return {"schema_version": SCHEMA_VERSION, "sources": reading.sources, "errors": len(reading.errors),
            "more": reading.more, "skipped": dict(reading.skipped), "errorTypes": types}


def _example(e: HubSpotError, header: tuple[str, ...] | None) -> dict[str, Any]:
    # a column's name only for an error on a row (rowData): a whole-file error's column is no data column
    named = header is not None and bool(e.row) and e.column is not None and e.column <= len(header)
    name = header[e.column - 1] if named and header is not None and e.column is not None else None
    return {"lineNumber": e.line, "column": e.column, "columnName": name, "invalidValue": e.value,
            "errorMessage": e.message, "fileId": e.file_id, "pageName": e.sheet, "objectTypeId": e.object_type}


def render_json(data: dict[str, Any]) -> str:
    return dumps(data, indent=2) + "\n"


def render_text(data: dict[str, Any]) -> str:
    types = data["errorTypes"]
    unknown = sum(1 for t in types if not t["known"])
    lines = [f"{', '.join(map(printable, data['sources']))}: {_count(data['errors'], 'error')} of "
             f"{_count(len(types), 'errorType')}" + (f" ({unknown} unknown)" if unknown else "")]
    files = {x["fileId"] for t in types for x in t["examples"]}
    for t in types:
        lines += ["", f"{printable(t['errorType'])}  {_count(t['count'], 'error')}"]
        if t["known"]:
            verdict = t["preflight"]
            lines.append(f"  meaning: {t['meaning']}")
            glosses = [PREFLIGHT[c] for c in dict.fromkeys(re.findall(r"\b[YPN]\b", verdict))]
            lines.append(f"  before upload: {verdict}: {'; or '.join(glosses)}")
        else:
            lines.append("  unknown errorType: not among the 69 HubSpot values this version knows (HubSpot adds "
                         "new ones); see HubSpot's errorMessage")
        rules = ", ".join(f"{r['code']} {r['name']}" + ("" if r["enabled"] else " (off by default)")
                          for r in t["rules"])
        lines.append(f"  rules: {rules or 'none of this tool predicts it'}")
        lines += [f"  {_where(x, len(files) > 1)}{_said(x)}" for x in t["examples"]]
        if t["count"] > len(t["examples"]) and t["examples"]:
            lines.append(f"  … {t['count'] - len(t['examples'])} more")
    lines += _footer(data)
    return "\n".join(lines) + "\n"


def _where(x: dict[str, Any], files: bool) -> str:
    line = x["lineNumber"]
    parts = [f"file {x['fileId']}"] if files and x["fileId"] is not None else []
    if x["pageName"] is not None:
        parts.append(f"sheet {_quoted(x['pageName'])}")
    parts.append("whole file" if line == 0 else "line ?" if line is None else f"line {line}")
    if x["column"] is not None:
        parts.append(f"column {x['column']}" + (f" {_quoted(x['columnName'])}" if x["columnName"] is not None else ""))
    return ", ".join(parts)


def _said(x: dict[str, Any]) -> str:
    value = f": {_quoted(x['invalidValue'])}" if x["invalidValue"] is not None else ""
    message = f": {printable(_cut(x['errorMessage'], 200))}" if x["errorMessage"] else ""
    return value + message


def _footer(data: dict[str, Any]) -> list[str]:
    out = []
    codes = sorted({r["code"] for t in data["errorTypes"] for r in t["rules"]})
    if codes:
        out += ["", f"Before the next upload: hubspot-preflight check IMPORT.json --select {','.join(codes)}"]
    for reason, n in data["skipped"].items():
        out.append(f"skipped: {n:,} {printable(reason)}")
    if data["more"] is not None:
        out.append(f"more errors follow: the last page read has paging.next.after {_quoted(data['more'])}; "
                   "fetch the next page with ?after= that value")
    return out


def _quoted(value: str) -> str:
    return f"'{printable(_cut(value, 80))}'"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _count(n: int, word: str) -> str:
    return f"{n:,} {word if n == 1 else word + 's'}"
