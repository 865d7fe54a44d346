"""``--format github``: GitHub Actions workflow commands, sized for GitHub's caps.

GitHub shows at most 10 error and 10 warning annotations per step (notices likewise), and drops
the rest without a word. So findings are grouped: one annotation per rule and file with a count;
if that is still more than 10 for a level, one per rule; if there are more than 10 rules, the
last annotation names every remaining rule with its count, so no rule is ever hidden (nor a
refused file: their error annotations come off the error cap first, nine at most). Counts
include the findings over ``--max-per-rule`` that are not listed (in a rule and file's count
where the report tells their file, see ``common.unlisted``; else in an annotation of their own,
as for a rule none of whose findings is listed). Every listed finding is in the log inside
``::group::`` blocks, and ``step_summary`` gives the full table for ``$GITHUB_STEP_SUMMARY``.

Escaping follows the actions/toolkit command encoder: in the message ``%``, CR and LF become
``%25``, ``%0D``, ``%0A``; in properties also ``:`` and ``,`` become ``%3A`` and ``%2C``. Other
control, bidi and invisible characters from the input (header and file names, refusal reasons)
become escape text as in the text format (``\\u001b``, ``\\t``), so none reaches the log raw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from validator.findings import Finding, Report, Severity
from validator.report.common import display_path, levels, relative, rule_name, severity, unlisted
from validator.report.text import column_label, footer, printable

CAP = 10  # annotations per level per step that GitHub displays
SUMMARY_BYTES = 1024 * 1024  # the most of a step's summary GitHub takes (more, and it shows none)
_NOTE_BYTES = 200  # kept for the line that counts the findings left out of the summary's table
COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return printable(text, breaks=True).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, *, file: str | None = None, line: int | None = None,
               col: int | None = None, title: str | None = None, end_line: int | None = None) -> str:
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
    if line is not None:
        props.append(f"line={line}")
        if end_line is not None and end_line > line:
            props.append(f"endLine={end_line}")
    if col is not None:
        props.append(f"col={col}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = f"::{level} {','.join(props)}" if props else f"::{level}"
    return f"{head}::{escape_data(message)}"


def _where(f: Finding) -> str:
    if f.row is not None:
        name = f" ({column_label(f.column_name)})" if f.column_name else ""
        return f"row {f.row}" + (f", column {f.column}{name}" if f.column is not None else "")
    return f.pointer or "the file"


def _one(code: str, group: Sequence[Finding], total: int, level: str, per_file: bool,
         unlisted: int = 0, rule: str = "", file: str | None = None) -> str:
    """The annotation of one rule (in one file): ``total`` counts its findings listed or not."""
    if not group:  # none listed (--max-per-rule 0): only the count, in its file where known
        return annotation(level, f"{total:,} finding(s) not listed (raise --max-per-rule to see them)",
                          file=file or None, title=f"{code} {rule} ({total:,})")
    first = group[0]
    n = len(group)
    places = [_where(f) for f in group[1:4]] + (["…"] if total > min(n, 4) else [])
    hidden = f"; {unlisted:,} not listed, raise --max-per-rule to see them" if unlisted else ""
    more = f" (and {total - 1:,} more: {', '.join(places)}{hidden})" if total > 1 else ""
    message = f"{first.message} at {_where(first)}{more}"
    if not per_file:
        files = sorted({f.file or "" for f in group})
        message += f" [{len(files)} file(s): {', '.join(files[:5])}]"
    if first.hint:
        message += f"\nhint: {first.hint}"
    return annotation(level, message, file=display_path(first) or None, line=_line(first),
                      title=f"{first.code} {first.rule} ({total:,})",
                      end_line=first.end_line if first.line is not None else None)


def _line(f: Finding) -> int | None:
    line = f.line if f.line is not None else (f.row if f.sheet is None else None)
    return line if line is not None and line >= 1 else None


def annotate(findings: Sequence[Finding], unlisted: Mapping[tuple[str, str | None], int] | None = None,
             severities: Mapping[str, Severity] | None = None, paths: Mapping[str, str] | None = None,
             taken: int = 0,
             unlisted_levels: Mapping[tuple[str, str | None], Mapping[Severity, int]] | None = None) -> list[str]:
    """The annotations for ``findings``; ``unlisted``: findings counted but not listed, by rule
    and file (None where the file is not known, see ``common.unlisted``), which the counts
    include, and ``severities`` gives the level of a rule none of whose findings is listed.
    ``taken``: error annotations written besides these (refusals), which the cap leaves room for.
    ``unlisted_levels``: each of ``unlisted`` by severity where known (a merged report's imports
    may give one rule different ones, and a rule judged partly by a default list mixes them)."""
    unlisted = unlisted or {}
    split: dict[tuple[str, str | None], Mapping[Severity, int]] = {}
    listed = {f.code: severity(f) for f in findings}
    for key, n in unlisted.items():
        split[key] = (unlisted_levels or {}).get(key) or {
            listed.get(key[0]) or (severities or {}).get(key[0], Severity.ERROR): n}
    out: list[str] = []
    for sev in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        level = COMMANDS[sev]
        cap = CAP - taken if sev == Severity.ERROR else CAP
        items = [f for f in findings if severity(f) == sev]
        hidden = {key: by[sev] for key, by in split.items() if by.get(sev)}
        # per rule and file; a rule's findings whose file is not known are a group of their own
        by_file: dict[tuple[str, str | None], list[Finding]] = {}
        for f in items:
            by_file.setdefault((f.code, f.file or ""), []).append(f)
        for key in hidden:
            by_file.setdefault(key, [])
        if len(by_file) <= cap:
            out.extend(_one(code, g, len(g) + hidden.get((code, file), 0), level, True,
                            hidden.get((code, file), 0), rule_name(code, items), (paths or {}).get(file or "", file))
                       for (code, file), g in by_file.items())
            continue
        by_code: dict[str, list[Finding]] = {}
        for f in items:
            by_code.setdefault(f.code, []).append(f)
        totals = {code: len(g) for code, g in by_code.items()}
        for (code, _file), n in hidden.items():
            by_code.setdefault(code, [])
            totals[code] = totals.get(code, 0) + n
        groups = [(code, g, totals[code], totals[code] - len(g)) for code, g in by_code.items()]
        if len(groups) <= cap:
            out.extend(_one(code, g, total, level, False, n, rule_name(code, items)) for code, g, total, n in groups)
            continue
        out.extend(_one(code, g, total, level, False, n, rule_name(code, items))
                   for code, g, total, n in groups[: cap - 1])
        rest = groups[cap - 1:]
        listing = ", ".join(f"{code} {rule_name(code, items)} ×{total:,}" for code, _g, total, _n in rest)
        out.append(annotation(level, f"{len(rest)} more rules: {listing} (see the step summary)",
                              title=f"{len(rest)} more rules"))
    return out


def render_github(report: Report) -> str:
    refused = _refusals(report)
    hidden = unlisted(report)
    out = annotate(report.findings, hidden, report.severities, report.paths, taken=len(refused),
                   unlisted_levels={key: report.unlisted_split(*key, n) for key, n in hidden.items()})
    out += refused
    for name, findings in report.by_file().items():
        out.append(f"::group::{escape_data(printable(name))} ({len(findings):,} findings)")
        for f in findings:
            where = (f"{f.row}:{f.column}" if f.column else f"{f.row}") if f.row is not None else (f.pointer or "-")
            out.append(f"  {_log(where)} {severity(f).label} {f.code} {_log(f.message)}")
        out.append("::endgroup::")
    for code, n in sorted(report.suppressed.items()):
        out.append(f"  {code}: {n:,} more finding(s) not listed (raise --max-per-rule to see them)")
    out.append(footer(report))
    return "\n".join(out) + "\n"


def _refusals(report: Report) -> list[str]:
    """An error annotation per refused file, at most ``CAP - 1`` (the last naming the rest), so
    that one is left for the findings."""
    shown = report.refusals if len(report.refusals) < CAP else report.refusals[: CAP - 2]
    out = [annotation("error", f"refused: {r.reason}", file=relative(report.paths.get(r.file) or r.file),
                      title="refused") for r in shown]
    rest = report.refusals[len(shown):]
    if rest:
        listing = "; ".join(f"{r.file}: {r.reason}" for r in rest)
        out.append(annotation("error", f"{len(rest)} more files refused: {listing}", title=f"{len(rest)} more refused"))
    return out


def _log(text: str) -> str:
    return printable(text).replace("\n", "\\n").replace("\r", "\\r")


def _cell(text: object) -> str:
    s = "" if text is None else str(text)
    s = printable(s).replace("\n", " ").replace("\r", " ")
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def step_summary(report: Report, room: int = SUMMARY_BYTES) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: the counts, then every finding in a table, as many
    as fit in ``room`` bytes (GitHub drops a step's summary over 1 MiB whole); a last line counts
    the findings left out."""
    lines = ["## hubspot-preflight", "", _cell(footer(report)), ""]
    if report.counts:
        lines += ["| Rule | Severity | Findings |", "|---|---|---|"]
        lines += [f"| {code} | {sev.label} | {n:,} |" for code, by in levels(report).items() for sev, n in by.items()]
        lines.append("")
    tail = [f"- {_cell(r.file)}: refused: {_cell(r.reason)}" for r in report.refusals]
    table: list[str] = []
    if report.findings:
        table = ["| File | Row | Column | Code | Severity | Message |", "|---|---|---|---|---|---|"]
        used = sum(len(x.encode("utf-8")) + 1 for x in [*lines, *table, "", *tail]) + _NOTE_BYTES
        for f in report.findings:
            col = f"{f.column} {column_label(f.column_name)}".strip() if f.column is not None else ""
            row = f.row if f.row is not None else (f.pointer or "")
            line = (f"| {_cell(f.file)} | {_cell(row)} | {_cell(col)} | {f.code} | "
                    f"{severity(f).label} | {_cell(f.message)} |")
            used += len(line.encode("utf-8")) + 1
            if used > room:
                break
            table.append(line)
        table.append("")
    left = len(report.findings) - max(0, len(table) - 3)
    note = [f"{left:,} more finding(s) are not in this table: GitHub keeps at most 1 MiB of a step's summary "
            "(the log lists them all)"] if left else []
    return "\n".join([*lines, *table, *tail, *note]) + "\n"
