"""Human formats: ``text`` (grouped by file, with a footer), ``concise`` (one line each, and
one last line counting the findings over ``--max-per-rule`` that are not listed) and ``pylint``
(concise as pylint's parseable output has it).

Every string that may come from the input passes through ``printable`` so terminal escapes,
control characters and bidi overrides from a file can never reach the terminal raw, nor an Azure
Pipelines logging command (``##vso[``, which its agent runs wherever it stands in a line of a
step's output) a CI log.
"""

from __future__ import annotations

import re

from validator.findings import Finding, Report

# TAB and LF too: one finding is one line, so a cell must not start a line of its own (nor at
# U+2028 and U+2029, where str.splitlines() and other readers break lines too)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069"
                     "\ud800-\udfff\ufeff]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
AZURE_COMMAND = "##vso["  # (the agent runs the first of a line, anywhere in it, as ruff's azure format says)


def printable(text: str | None, *, breaks: bool = False) -> str:
    """``text`` with every control, bidi and invisible character as escape text (``\\u001b``),
    and the ``[`` of an Azure logging command's ``##vso[`` (``##vso\\u005b``); ``breaks``: CR and
    LF are left for the caller (GitHub's commands encode them as ``%0D%0A``)."""
    if not text:
        return ""
    if AZURE_COMMAND in text:
        text = text.replace(AZURE_COMMAND, "##vso\\u005b")

    def escape(m: re.Match[str]) -> str:
        c = m.group()
        if breaks and c in "\r\n":
            return c
        return _SHORT.get(c) or f"\\u{ord(c):04x}"
    return _UNSAFE.sub(escape, text)


NAME_LIMIT = 80  # characters of a column name shown beside a finding, as quote() cuts a cell


def column_label(name: str | None, limit: int = NAME_LIMIT) -> str:
    """A header text as human formats show it beside a finding: printable and cut short with
    ``…`` (a 20,000-character header made every line of its column 20 KB). The machine formats
    (json, sarif) keep it whole."""
    shown = printable(name)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def location(f: Finding) -> str:
    """Where ``f`` is, printable: a JSON pointer holds the request's keys as written."""
    if f.row is not None:
        return f"{f.row}:{f.column}" if f.column is not None else f"{f.row}"
    if f.pointer is not None:
        return printable(f.pointer) or "(request)"
    if f.line is not None:
        return f"line {f.line}"
    return "-"


def _label(f: Finding) -> str:
    return printable(f.path or f.file or "")


def render_text(report: Report) -> str:
    out: list[str] = []
    groups: dict[str, list[Finding]] = {}
    for f in report.findings:
        groups.setdefault(_label(f), []).append(f)
    for name, findings in groups.items():
        out.append(name)
        width = max(len(location(f)) for f in findings)
        for f in findings:
            sev = f.severity.label if f.severity else "?"
            tail = f" ({column_label(f.column_name)})" if f.column_name else ""
            line = ""
            if f.line is not None and f.row is not None and f.end_line is not None and f.end_line > f.line:
                line = f" [lines {f.line}-{f.end_line}]"  # a record with line breaks in a quoted value
            elif f.line is not None and f.row is not None and f.line != f.row:
                line = f" [line {f.line}]"
            if f.cell is not None:
                line = f" [{printable(f.cell)}]"
            out.append(f"  {location(f):<{width}}  {sev:<7} {f.code} {printable(f.message)}{tail}{line}")
        out.append("")
    for r in report.refusals:
        out.append(f"{printable(r.file)}: refused: {printable(r.reason)}")
    if report.refusals:
        out.append("")
    for code, n in sorted(report.suppressed.items()):
        out.append(f"{code}: {n:,} more finding(s) not shown (raise --max-per-rule to see them)")
    out.append(footer(report))
    return "\n".join(out) + "\n"


def footer(report: Report) -> str:
    def plural(n: int, word: str) -> str:
        return f"{n:,} {word}{'' if n == 1 else 's'}"

    counts = f"{plural(report.errors, 'error')}, {plural(report.warnings, 'warning')}, {plural(report.infos, 'info')}"
    refused = f", {plural(len(report.refusals), 'file')} refused" if report.refusals else ""
    accepted, ignored = sum(report.accepted.values()), sum(report.ignored_records.values())
    aside = [*([f"{accepted:,} accepted by the baseline"] if accepted else []),
             *([f"{ignored:,} turned off by ignore-records"] if ignored else [])]
    refused += f" ({', '.join(aside)})" if aside else ""
    return (f"Found {counts}{refused} in {plural(len(report.files), 'file')}; "
            f"checked {plural(report.rows, 'row')} in {report.seconds:.2f} s.")


def render_concise(report: Report) -> str:
    out = []
    for f in report.findings:
        # 1-based like ruff's path:line:col: a finding on a whole row is at its first column, one
        # on the whole file at its start
        where = (f"{f.row}:{f.column or 1}" if f.row is not None else printable(f.pointer)
                 or (f"{f.line}:{f.column or 1}" if f.line else "1:1"))  # (a JSON syntax error: its line)
        sev = f.severity.label if f.severity else "?"
        out.append(f"{_label(f)}:{where}: {f.code} [{sev}] {printable(f.message)}")
    out += _last_lines(report)
    return "\n".join(out) + ("\n" if out else "")


def _last_lines(report: Report) -> list[str]:
    """Each refused input, then one line counting the findings over ``--max-per-rule`` (none with
    a ``path:row`` to misread as a finding's)."""
    out = [f"{printable(r.file)}: refused: {printable(r.reason)}" for r in report.refusals]
    hidden = {code: n for code, n in sorted(report.suppressed.items()) if n > 0}
    if hidden:  # one trailing line, as ruff's "Found N errors." (no path:row:col to misread)
        counts = ", ".join(f"{code} ×{n:,}" for code, n in hidden.items())
        more = "more " if report.findings else ""
        out.append(f"{sum(hidden.values()):,} {more}finding(s) not listed ({counts}); "
                   "raise --max-per-rule to see them")
    return out


def render_pylint(report: Report) -> str:
    """``path:line: [CODE] message``, as ruff's ``pylint`` format (flake8's pylint formatter)
    writes it, for tools that read pylint's parseable output: ``line`` is the physical line a row
    starts on (where an editor opens the file), a workbook's row, else 1. Where that is not all
    of the place, the message ends with the rest: the row where it differs from the line (a
    record with a quoted newline), the column and its header (``(column 4: Company)``: a field
    number, which pylint's format has no place for), a workbook's cell, a request finding's JSON
    pointer. The last lines are concise's."""
    out = []
    for f in report.findings:
        line = f.line if f.line is not None else f.row
        column = ""
        if f.row is not None and f.column is not None:
            column = f"column {f.column}" + (f": {column_label(f.column_name)}" if f.column_name else "")
        if f.cell is not None:
            where = f" ({printable(f.cell)})"
        elif f.row is not None and f.row != line:
            where = f" (row {f.row}" + (f", {column})" if column else ")")
        elif column:
            where = f" ({column})"
        elif f.row is None and f.pointer is not None:
            where = f" (at {printable(f.pointer) or 'the request'})"
        else:
            where = ""
        out.append(f"{_label(f)}:{line if line is not None and line >= 1 else 1}: [{f.code}] "
                   f"{printable(f.message)}{where}")
    out += _last_lines(report)
    return "\n".join(out) + ("\n" if out else "")
