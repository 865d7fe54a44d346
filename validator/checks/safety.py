"""Safety rules (HS430-HS431): cells a spreadsheet would run, and characters that hide text."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from validator import formats
from validator.checks._facts import CONTROL, PY_SPACE, Screen, arrow_column, exactly, screen, screened
from validator.checks.base import Hit, Rule, quote, with_values
from validator.context import FileContext
from validator.findings import Severity
from validator.readers.base import Chunk

FORMULA_START = r"^[=+\-@\t\r]"
# `+`/`-` followed by a plain number or a phone number (E.164, extensions) is data, not a formula
# a signed number (also -1.5e3, -5%) or phone number (an extension as ext, x or #, any case)
# (a digit before any exponent, % or extension: +E5 and +X1 are cell references to a spreadsheet);
# a digit is any decimal digit (``\d``, Unicode Nd): `+٩٧١ ٥٠ ١٢٣ ٤٥٦٧` in Arabic-Indic digits or
# `+１２０２…` from a CJK input method is a phone number too, and HS215 names its digits in a phone
# column (HubSpot documents 0-9); a sign before digits and separators alone can run nothing
SIGNED_DATA = (r"[+-][\d .,()/-]*|[+-][ .,()/-]*\d[\d .,()/-]*(?:[eE][+-]?\d+)?%?"
               r"(?:(?:[Ee][Xx][Tt]?|[Xx]|#)\.?\s*\d+)?")
DDE = re.compile(r"cmd\s*\||HYPERLINK\(|WEBSERVICE\(|IMPORTXML\(|IMPORTDATA\(|DDE\(", re.I)
CONTROLS = "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
_CONTROLS = re.compile(CONTROLS)
# in values, also the zero-width characters no CRM value needs (zero-width space, word joiner, a
# byte order mark inside the text, a soft hyphen: a web page's &shy;, shown only where a line
# breaks); the joiners U+200C/U+200D spell Persian, Indic scripts and emoji, so only one beside
# printable ASCII or at either end of a value counts (hostile D10)
ZERO_WIDTH = "\u00ad\u200b\u2060\ufeff"
_JOINERS = "\u200c\u200d"
VALUE_CONTROLS = f"{CONTROLS}|[{ZERO_WIDTH}]|(?:^|[ -~])[{_JOINERS}]|[{_JOINERS}](?:$|[ -~])"


# Excel's text formula, `="02134"`: how Excel, and exports meant for it, keep a leading zero or a `+`
_TEXT_FORMULA = re.compile(r'="([^"]*)"')


def _injection_message(value: str) -> str:
    if DDE.search(value):
        return (f"{quote(value)} is a formula that can run commands or fetch URLs when the data is "
                "opened in a spreadsheet")
    text = _TEXT_FORMULA.fullmatch(value)
    if text is not None:
        return (f"{quote(value)} is Excel's =\"...\" form, a formula that keeps a value as text (a leading zero, "
                f"a +); HubSpot runs no formula and stores it as written, = and quotes too: write {quote(text[1])}")
    return f"{quote(value)} starts like a formula; a spreadsheet would run it when the data is exported and opened"


_FORMULA_FIRST = b"=+-@\t\r"


# SIGNED_DATA for RE2 (pyarrow): Python's ``\s`` spelled out and ``\d`` as Python's Unicode
# digits, as RE2's ``\s`` and ``\d`` are ASCII only
_SIGNED_DATA_RE2 = "^(?:" + SIGNED_DATA.replace(r"\s", PY_SPACE).replace(r"\d", r"\p{Nd}") + ")$"
# its plainest cells by bytes: a sign, then digits, spaces and .,()/- only (each matches it)
_SIGNED_BYTES = (b"+-", b"0123456789 .,()/-", None)


def _formula(values: pd.Series) -> np.ndarray:
    data = arrow_column(values)
    if data is not None:  # Arrow-backed: the same test by RE2, without pandas' per-cell fallback
        starts = np.asarray(pc.match_substring_regex(data, FORMULA_START).to_numpy(zero_copy_only=False), dtype=bool)
        if not starts.any():
            return starts
        signed = pc.match_substring_regex(data, _SIGNED_DATA_RE2)
        return starts & ~np.asarray(signed.to_numpy(zero_copy_only=False), dtype=bool)
    starts = values.str.contains(FORMULA_START, regex=True).to_numpy(dtype=bool)
    if not starts.any():
        return starts
    return starts & ~values.str.fullmatch(SIGNED_DATA).to_numpy(dtype=bool)


def _not_signed(values: pd.Series) -> np.ndarray:
    """Cells that are not signed data: on the cells whose first byte is in ``_FORMULA_FIRST``
    (one of ``FORMULA_START``'s characters, each one byte in UTF-8), ``_formula`` itself."""
    data = arrow_column(values)
    if data is not None:  # RE2 on the cells that are not plainly signed numbers by their bytes
        return ~formats.by_bytes_then(data, _SIGNED_BYTES, lambda rest: formats.matches(rest, _SIGNED_DATA_RE2))
    return ~values.str.fullmatch(SIGNED_DATA).to_numpy(dtype=bool)


def _formula_python(values: pd.Series) -> np.ndarray:
    """The same test by Python's ``re`` (for tests)."""
    return _formula(values.astype(object).astype(pd.StringDtype("python")))


class FormulaInjection(Rule):
    """A value starts with `=`, `+`, `-`, `@`, a tab or a carriage return (CSV/formula injection).

    Why: data imported into HubSpot is exported again and opened in Excel or Google Sheets by
    staff, which run such a value as a formula: `=HYPERLINK(...)` or a DDE call can leak data
    or run commands (OWASP "CSV Injection", CWE-1236). Signed numbers and phone numbers
    (`+1 555 0100`, `-12.5`) are data and not reported, in the digits of any script too
    (`+٩٧١٥٠١٢٣٤٥٦٧`, `+１２０２５５５０１００`: in a phone column HS215 names such digits and gives
    the number in 0-9), and so are the values of a column mapped `"ignored": true`, which HubSpot
    does not import.
    Excel's own text formula, `="02134"` (how Excel, and exports meant for it, keep a ZIP code's
    leading zero or a phone number's `+`), is named so: HubSpot runs no formula and stores the
    cell as written, `=` and quotes too ([I]), and the message gives the value to write.
    Example: `=cmd|' /C calc'!A0` in a company name field; `="02134"` in a ZIP column.
    Fix: remove the leading character, or prefix the value with a single quote `'` where the
    text must start with it; for `="02134"` write `02134`.
    """

    code = "HS430"
    name = "formula-injection"
    severity = Severity.WARNING

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col, first in screened(chunk, with_values(chunk, file.imported()), _formula_first):
            bad = exactly(chunk.column(col.index), first, _not_signed)
            yield from self.cells(chunk, file, col, bad, _injection_message)


def _formula_first(seen: Screen) -> np.ndarray:
    return seen.first_in(_FORMULA_FIRST)


class ControlCharacters(Rule):
    """A header or value holds control characters or bidirectional-text overrides.

    Why: control characters (ESC, vertical tab, C1 codes) and bidi overrides (U+202E and
    friends) are invisible or reorder the text on screen, so what a reviewer sees differs from
    what HubSpot stores ("Trojan Source"); some break exports and integrations downstream.
    Values are also checked for zero-width characters: a zero-width space or a byte order mark
    left inside an email makes it another address to HubSpot while it looks the same, and a soft
    hyphen (U+00AD, a web page's `&shy;` copied with the text) hides in a name, which then
    matches no search for it (a joiner, U+200C/U+200D, counts beside ASCII text or at an end:
    scripts and emoji need it elsewhere).
    A column mapped `"ignored": true` has its header checked, not its values, which HubSpot does
    not import.
    Example: `Ann\\u202egnp.exe` shows as `Annexe.png`; `\\ufeffann@example.com` after two
    exports were joined.
    Fix: remove the characters; they are never needed in CRM data.
    """

    code = "HS431"
    name = "control-characters"
    severity = Severity.WARNING

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        if file.header is None:
            return
        for col in file.columns:
            if col.name and _CONTROLS.search(col.name):
                yield self.finding(f"header {quote(col.name)} contains control or bidi characters", file=file,
                                   row=1, line=file.header.line, column=col)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in with_values(chunk, file.imported()):
            seen = screen(chunk, col.index)
            if not seen.may_have(CONTROL):
                continue
            bad = exactly(chunk.column(col.index), seen.has(CONTROL),
                          lambda v: v.str.contains(VALUE_CONTROLS, regex=True).to_numpy(dtype=bool))
            yield from self.cells(chunk, file, col, bad, "{value} contains control, bidi or zero-width characters")
