"""``--format gitlab``: a GitLab Code Quality report (``artifacts: reports: codequality:``), the
subset of the Code Climate issue format GitLab reads, as ruff writes it: a JSON array of issues,
each with ``description``, ``check_name`` (the rule's code), ``fingerprint``, ``severity`` and
``location.path`` + ``location.lines.begin``.

- ``description``: the code, then the message (GitLab's widget does not show ``check_name``, so
  ruff puts the code first too), then where in the file, in brackets: row, column and column
  name, the cell of a workbook, or the JSON pointer of a request finding. Text from the input is printable as in
  the text format (``\\u001b``, ``\\n``): GitLab shows it to people. The path is kept whole (it
  names the file in the repository), its C1, bidi and invisible characters written as JSON
  escapes, as in ``json-lines``.
- ``severity``: error is ``major``, warning ``minor``, info ``info`` (ruff, which has no
  severities, writes ``major`` for all); a refused input is ``blocker``: nothing of it was checked.
- ``location.path``: relative to ``$CI_PROJECT_DIR`` where it is set and the file is inside it
  (as ruff), else as the other formats show it; ``lines.begin``: the physical line a CSV row
  starts on, a workbook's row, else 1 (a request finding at a JSON pointer, a whole-file finding).
- ``fingerprint``: SARIF's ``partialFingerprints`` (rule + file + record key + column name,
  the column left out for HS308 and HS319, whose finding moves column when its rows swap), so
  GitLab follows an issue across runs when the file is re-sorted and tells new ones from fixed ones.

Findings over ``--max-per-rule`` are one issue per rule, file and severity saying how many, and
a refused input one issue (``check_name`` ``read``), so a merge request never shows a clean
report for what was not listed or not read.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from validator.findings import Finding, Report, Severity
from validator.report.common import display_path, fingerprints, relative, rule_name, severity, unlisted
from validator.report.json_format import dumps
from validator.report.text import column_label, printable

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}
REFUSED = "blocker"


def _path(raw: str) -> str:
    """``raw`` relative to ``$CI_PROJECT_DIR`` (GitLab's checkout) where it lies inside it."""
    root = os.environ.get("CI_PROJECT_DIR")
    if root and raw:
        try:
            rel = os.path.relpath(os.path.abspath(raw), root)
        except ValueError:  # (another drive)
            rel = os.pardir
        if rel != os.pardir and not rel.startswith(os.pardir + os.sep):
            return Path(rel).as_posix()
    return relative(raw)


def _where(f: Finding) -> str:
    """Where in its file ``f`` is, in brackets after the message: row, column and its name, a
    workbook's cell, a request's JSON pointer; nothing for a whole-file finding."""
    name = f": {column_label(f.column_name)}" if f.column_name else ""
    if f.cell is not None:
        return f" ({printable(f.cell)}{name})"
    if f.row is not None:
        return f" (row {f.row}" + (f", column {f.column}{name})" if f.column is not None else ")")
    if f.pointer is not None:
        return f" (at {printable(f.pointer) or 'the request'})"
    return ""


def _issue(description: str, check: str, print_: str, level: str, path: str, line: int,
           end: int | None = None) -> dict[str, Any]:
    lines = {"begin": line, "end": end} if end is not None and end > line else {"begin": line}
    return {"description": description, "check_name": check, "fingerprint": print_, "severity": level,
            "location": {"path": path, "lines": lines}}


def _other(*parts: str) -> str:
    """The fingerprint of an issue that is no finding (a count, a refusal): never one of a finding's."""
    return hashlib.sha256("\x1f".join(("issue", *parts)).encode("utf-8", "surrogatepass")).hexdigest()


def gitlab_list(report: Report) -> list[dict[str, Any]]:
    out = []
    for f, print_ in zip(report.findings, fingerprints(report.findings), strict=True):
        line = f.line if f.line is not None else f.row
        out.append(_issue(f"{f.code}: {printable(f.message)}{_where(f)}", f.code, print_, SEVERITIES[severity(f)],
                          _path(display_path(f)), line if line is not None and line >= 1 else 1,
                          f.end_line if f.line is not None else None))
    for (code, file), n in unlisted(report).items():
        listed = [f for f in report.findings if f.code == code and f.file == file]
        more = "more " if listed else ""
        where = next((f.path for f in report.findings if f.file == file and f.path), None) or \
            (report.paths.get(file) if file else None) or file or report.request or ""
        for level, k in report.unlisted_split(code, file, n).items():
            out.append(_issue(f"{code}: {k:,} {more}finding(s) of {rule_name(code, report.findings)} not listed "
                              "(raise --max-per-rule to see them)", code,
                              _other("unlisted", code, file or "", level.label), SEVERITIES[level], _path(where), 1))
    for r in report.refusals:
        out.append(_issue(f"refused: {printable(r.reason)}", "read", _other("refused", r.file), REFUSED,
                          _path(report.paths.get(r.file) or r.file), 1))
    return out


def render_gitlab(report: Report) -> str:
    return dumps(gitlab_list(report), indent=2) + "\n"
