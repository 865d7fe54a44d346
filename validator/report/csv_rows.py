"""``--format csv``: the failing rows as written, plus ``row``, ``column``, ``column name``
(``cell`` with a workbook's findings), ``code``, ``severity`` and ``message`` columns.

Like HubSpot's downloadable error file, but before the import: one line per finding on a data
row, the file's own columns first (header text as the column names; in a file without a header
row, hasHeader false, the mappings' columnNames, and row 1 is a data row). With findings in several
data files a ``file`` column comes first and the columns are numbered instead. Findings that are
not about a data row (request, header, whole file) are not rows, so they are not listed.
A row the reader could not split to the header's width shows the first fields it saw.
``column`` is the finding's 1-based column (the JSON report's ``column``) and ``column name`` its
header as written (``column_name``), both empty for a finding on a whole row, so two findings with
one message on one row are told apart; ``severity`` is ``error``, ``warning`` or ``info``. Where a
listed finding is in a workbook, a ``cell`` column follows ``column name``: the cell as a
spreadsheet names it, ``Contacts!D17`` (the JSON report's ``cell``), empty for a whole row's finding
and for a CSV file's.

The report is meant to be opened in a spreadsheet, so it is escaped the OWASP way (CSV
injection, CWE-1236): a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
is written with a leading `'`, unless it is a plain signed number or phone number (`-12.5`,
`+1 555 0100`). A NUL byte, which ends the text for many tools that read the report, is
written as ``\\x00``, as undecodable bytes are written as ``\\xNN``. Those are the only differences
from the rows as written; HS430 and HS405 report such cells in the data itself. Where the file's
own header names a column as one of the report's own (``row``, ``column``, ``column name``,
``cell``, ``code``, ``severity``, ``message``), the report's own are ``preflight row``,
``preflight column`` and so on instead, so that no two columns share a name.
"""

from __future__ import annotations

import csv
import io
import re

from validator.findings import Report, truncate

_FORMULA = re.compile(r"[=+\-@\t\r]")
# the report's own columns, after the row's cells (a finding's place, then what it is)
OWN = ("row", "column", "column name", "code", "severity", "message")
_SIGNED = re.compile(r"[+-][0-9 .,()/-]*(?:(?:ext?|x)\.?\s*[0-9]+)?")


def _text(value: str) -> str:
    """Undecodable bytes (kept as lone surrogates) and NUL are written as ``\\xNN`` text; a cell
    a spreadsheet would run as a formula gets a leading ``'``."""
    text = (truncate(value, 1 << 62) or "").replace("\x00", "\\x00")
    if _FORMULA.match(text) and not _SIGNED.fullmatch(text):
        return "'" + text
    return text


def render_csv(report: Report) -> str:
    firsts = report.first_rows()
    rows = [f for f in report.findings if f.row is not None and f.row >= firsts.get(f.file or "", 2)]
    files = list(dict.fromkeys(f.file or "" for f in rows))
    cells = {id(f): list(report.records.get(f.file or "", {}).get(f.row or 0, ())) for f in rows}
    # a workbook's findings name their cell (Contacts!D17) after the column's name
    refs = any(f.sheet is not None for f in rows)
    own = [*OWN[:3], "cell", *OWN[3:]] if refs else list(OWN)
    longest = max((len(c) for c in cells.values()), default=0)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    if len(files) <= 1:
        header = list(report.headers.get(files[0], ())) if files else []
        width = max(len(header), longest)
        header += [""] * (width - len(header))  # a ragged row's extra fields have no header
        if set(own) & set(header):  # the file's own columns keep their names; the report's give way
            own = [f"preflight {name}" for name in own]
        writer.writerow([*map(_text, header), *own])
    else:
        width = max([longest, *(len(report.headers.get(name, ())) for name in files)])
        writer.writerow(["file", *(f"column {i}" for i in range(1, width + 1)), *own])
    for f in rows:
        row = cells[id(f)] + [""] * (width - len(cells[id(f)]))
        lead = [f.file or ""] if len(files) > 1 else []
        level = f.severity.label if f.severity is not None else ""
        ref = [f.cell or ""] if refs else []
        writer.writerow([*map(_text, lead + row), f.row, "" if f.column is None else f.column,
                         _text(f.column_name or ""), *ref, f.code, level, _text(f.message)])
    return buf.getvalue()
