"""``--redact``: a copy of the report with every cell value masked, for logs that must not
carry personal data. Header texts, codes and positions stay; values, whole rows and record keys
do not (a key keeps its kind and a short hash, so accepted findings can still be told apart).

Messages and hints quote values (``'O"Brien'``; a hint that shows a fix writes it as CSV does,
``"O""Brien"``). On a data row every quoted span but a header's is masked; a span with no letter
or digit is syntax (``';'``, ``','``, ``("")``), not a value, and stays; but a finding's value
placed at a byte offset (HS403's first undecodable byte, as it reads: ``'é'``, ``'€'``) is a piece
of a cell, whatever its characters, and is masked wherever the finding stands. A value in digits
of another script is also given bare in 0-9 (HS206's ``write 12345``, HS215's phone number,
HS252's date): that is the value too, masked. A rule whose messages give numbers or dates worked
out from the cell, unquoted (``Rule.derived_values``: HS202's ``for 2023-11-14 22:13:20 UTC write
1700000000000``, HS253's ``read as 2500%``), has every number and date of its findings on a data
row masked, but for its ``constants`` (HS253's ``HubSpot reads .25 as 25%``), header names and
quoted syntax.

A rule's ``constants`` are its own text, chosen by no cell: a quoted span inside one stays on a
data row too (HS243's ``requires 'Note body' (usual internal name 'hs_note_body'``: a field
label and a property name of the schema). Text that a cell chose stays masked even where it
comes from the schema (HS323's ``the pair's label is 'Manager'``, named because the cell is
``manager``): it tells the cell's value; a whole option list, the same for every cell, is no
quoted span and stays.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import replace

from validator.checks.base import quote
from validator.findings import Finding, Report
from validator.formats.numbers import in_ascii_digits

MASK = "REDACTED"  # HubSpot's own word for masked values in its error file
# a quoted span opens after no letter or digit and closes before none: an apostrophe in a word
# (`the import's dateFormat`, `HubSpot's`) is neither, nor is it the end of a value (`'O'Brien'`)
_SPAN = r"(?<!\w)'(?:[^'\\]|\\.|'(?=\w))*'(?!\w)"
_QUOTED = re.compile(_SPAN)
# in a hint also a value written as a CSV field, doubled quotes inside; one cut short by quote()
# ends in "…" instead of its closing quote
_QUOTED_HINT = re.compile(rf"""{_SPAN}|"(?:[^"]|"")*"(?!")|"(?:[^"]|"")*…""")


# a number or a date, as messages write them: `-631152000000`, `0.15`, `2500%`, `1,234.5`, `1.8e308`,
# `00:02:30`, `2023-11-14 22:13:20` (one, with its time), a length with its unit (`2m`, `150s`); not
# digits inside a word or a code (`HS202`, `UTF-8`, `U+00A0`, `P12M`, `hs_x_2`). Atomic, so
# `1.8e308` is never read as `1` alone
_NUMBER = (r"(?<![\w.+\-])[-+]?(?>\d+(?:[,.:/-]\d+)*|\.\d+)(?:[eE][-+]?\d+)?"
           r"(?:[ T]\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?)?(?:%|[^\W\d_]+)?(?!\w)")


@functools.cache
def _derived(code: str) -> re.Pattern[str] | None:
    """For a rule whose messages give values worked out from the cell (``Rule.derived_values``):
    a pattern whose ``keep`` group is text to leave (a constant of the rule, a quoted span left
    by the quoted-value masking: a header name or syntax) and whose ``number`` group is masked."""
    from validator.checks import all_rules

    rule = all_rules().get(code)
    if rule is None or not rule.derived_values:
        return None
    keep = "|".join([*(f"(?:{c})" for c in rule.constants), _SPAN])
    return re.compile(f"(?P<keep>{keep})|(?P<number>{_NUMBER})")


@functools.cache
def _spans(code: str, spans: re.Pattern[str]) -> re.Pattern[str]:
    """``spans`` (the quoted spans to mask) for a rule's findings, with its ``constants`` first as
    a ``keep`` group: a quoted span inside one is the rule's own text, not a value."""
    from validator.checks import all_rules

    rule = all_rules().get(code)
    if rule is None or not rule.constants:
        return spans
    keep = "|".join(f"(?:{c})" for c in rule.constants)
    return re.compile(f"(?P<keep>{keep})|{spans.pattern}")


def mask_key(key: str | None) -> str | None:
    if key is None:
        return None
    kind, sep, value = key.partition(":")
    if not sep or kind in ("row", "pointer", "column", "file"):
        return key  # already a hash, or a place rather than a value
    return f"{kind}#{hashlib.sha256(value.encode('utf-8', 'surrogateescape')).hexdigest()[:16]}"


def _syntax(span: str) -> bool:
    """A quoted span with no letter or digit: a delimiter or a quote the text names."""
    return not any(c.isalnum() for c in span)


def _masked(f: Finding, text: str | None, headers: set[str], spans: re.Pattern[str], first: int) -> str | None:
    """``text`` (``f``'s message or hint) with its values masked; ``first``: the file's first data row."""
    if not text:
        return text
    if f.value:
        shown = quote(f.value)
        if f.offset is not None or not _syntax(shown):  # a value placed at a byte offset is data
            text = text.replace(shown, f"'{MASK}'")  # values appear quoted, never bare
        # but for a value in other digits, given in 0-9 too (HS206, HS215, HS252, HS305, HS306)
        plain = in_ascii_digits(f.value)
        if plain:
            text = re.sub(rf"(?<![\w.,/:-]){re.escape(plain)}(?![\w/:-]|[.,]\w)", MASK, text)
    if f.row is not None and f.row >= first:  # a data row: anything quoted but a header is a value
        def mask(m: re.Match[str]) -> str:
            span = m.group()
            if m.re.groupindex and m.group("keep") is not None:  # the rule's own text (``_spans``)
                return span
            inner = span[1:-1] if span[-1] in "'\"" else span[1:]
            if _syntax(inner) or (span[0] == "'" and inner in headers):
                return span
            return f"{span[0]}{MASK}{span[0]}"
        text = _spans(f.code, spans).sub(mask, text)
        derived = _derived(f.code)
        if derived is not None:  # numbers and dates worked out from the cell, given bare
            text = derived.sub(lambda m: m.group() if m.group("keep") is not None else MASK, text)
    return text


def redact(report: Report) -> Report:
    headers: dict[str, set[str]] = {name: set(cells) for name, cells in report.headers.items()}
    firsts = report.first_rows()
    findings = []
    for f in report.findings:
        names = headers.get(f.file or "", set())
        first = firsts.get(f.file or "", 2)
        findings.append(replace(
            f, message=_masked(f, f.message, names, _QUOTED, first) or "",
            hint=_masked(f, f.hint, names, _QUOTED_HINT, first),
            value=MASK if f.value else f.value, key=mask_key(f.key)))
    records = {name: {row: tuple(MASK if c else "" for c in cells) for row, cells in rows.items()}
               for name, rows in report.records.items()}
    return replace(report, findings=findings, records=records)
