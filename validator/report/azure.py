"""``--format azure``: Azure Pipelines logging commands, one per finding, as ruff's ``azure`` format.

``##vso[task.logissue type=error;sourcepath=PATH;linenumber=LINE;code=CODE;]message``: the
pipeline lists each as an error or a warning of the step (Azure has no third level: an info
finding is a warning). ``linenumber`` is the physical line a row starts on (where an editor
opens the file), a workbook's row, else 1, as in the ``pylint`` format; there is no
``columnnumber``, which counts characters of the line where a finding's column is a field
number: the message ends with the rest of the place, as ``gitlab``'s does (``(row 3, column 4:
Company)``, a workbook's cell, a request finding's JSON pointer).

Escaping follows azure-pipelines-task-lib's command encoder: ``%``, CR and LF become
``%AZP25``, ``%0D``, ``%0A`` in the message and in properties, where ``;`` and ``]`` also become
``%3B`` and ``%5D``. Other control, bidi and invisible characters from the input become escape
text as in the text format (``\\u001b``). The last lines, refused inputs and the count of
findings over ``--max-per-rule``, are concise's (a refused input exits 2, failing the step). A
``##vso[`` from the input is written ``##vso\\u005b`` (``printable``, as in every format), in a
message and in those lines: the agent runs the first one of any line.
"""

from __future__ import annotations

from validator.findings import Finding, Report, Severity
from validator.report.text import _label, _last_lines, column_label, printable


def escape_data(text: str) -> str:
    """``text`` as a command's message (``printable`` writes a ``##vso[`` in it ``##vso\\u005b``:
    the agent runs the first of a line, ours)."""
    return printable(text, breaks=True).replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(";", "%3B").replace("]", "%5D")


def _where(f: Finding) -> str:
    if f.cell is not None:
        return f" ({f.cell})"
    if f.row is not None:
        name = f": {column_label(f.column_name)}" if f.column_name else ""
        return f" (row {f.row}" + (f", column {f.column}{name}" if f.column is not None else "") + ")"
    if f.pointer is not None:
        return f" (at {f.pointer or 'the request'})"
    return ""


def render_azure(report: Report) -> str:
    out = []
    for f in report.findings:
        line = f.line if f.line is not None else f.row
        kind = "error" if f.severity == Severity.ERROR else "warning"
        props = [f"type={kind}", f"sourcepath={escape_property(_label(f))}",
                 f"linenumber={line if line is not None and line >= 1 else 1}", f"code={escape_property(f.code)}"]
        out.append(f"##vso[task.logissue {';'.join(props)};]{escape_data(f.message + _where(f))}")
    out += _last_lines(report)  # (printable: a refused file's name holding a ##vso[ runs nothing)
    return "\n".join(out) + ("\n" if out else "")
