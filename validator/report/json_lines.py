"""``--format json-lines``: one finding per line, as ruff's ``json-lines``: each line one JSON
object with the fields of a finding in ``--format json`` (its ``findings[]`` entries), and
nothing else on the output, so ``jq -c``, ``grep`` and a line-by-line reader take it as it comes.

A run's summary, its refused inputs and the findings counted but not listed (``--max-per-rule``)
are not findings, so they are not lines (ruff writes diagnostics only): a refused input is said
on stderr and exits 2, in every format; ``--format json`` has the counts. A clean run writes
nothing.

One finding is one line for every reader: JSON escapes the control characters below U+0020, and
the characters other readers split lines at or a terminal acts on (NEL and the other C1
controls, U+2028, U+2029, bidi and invisible characters) are written as ``\\uXXXX`` escapes
too, which decode to the same text (``json_format.dumps``, as every JSON format writes).
"""

from __future__ import annotations

from validator.findings import Report
from validator.report.json_format import dumps


def line(obj: object) -> str:
    """``obj`` as one line of JSON (no line feed)."""
    return dumps(obj)


def render_json_lines(report: Report) -> str:
    return "".join(line(f.to_dict()) + "\n" for f in report.findings)
