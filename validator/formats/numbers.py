"""HubSpot's number grammars (fact sheet 6): plain and scientific numbers, percentages, and the
ways spreadsheets write numbers for people (thousands separators, a decimal comma, currency
symbols), which ``parse_numbers`` flags apart from numbers that are simply wrong."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from validator.currencies import CODE_PATTERN, CURRENCY_CODES
from validator.formats.arrays import arrow, as_mask, blank

_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
NUMBER = f"^{_NUM}$"
SCIENTIFIC = rf"^{_NUM}(?:[eE][+-]?\d+)?$"
# a space before the sign, as French and other locales' spreadsheets write one (`25 %`, with a
# no-break or narrow no-break space): the number is read, and HS253 says to write `25%` (RE2's \s is ASCII)
_PERCENT_SPACE = r"[\s\x{a0}\x{202f}]"
PERCENT = rf"^{_NUM}{_PERCENT_SPACE}*%$"
PERCENT_SIGN = rf"{_PERCENT_SPACE}*%$"
SPACED_PERCENT = rf"{_PERCENT_SPACE}+%$"
# Numbers as the world's spreadsheets write them (HubSpot's handling is not documented [GAP], so
# these are HS206's warnings, never HS205's errors): groups of three split by a comma, a dot
# (1.234.567), an apostrophe (Swiss 1'234 or 1’234), a space, a no-break or thin space (French
# Excel writes U+202F), or India's lakh and crore (1,23,456.78); a decimal comma after such
# groups; a currency symbol (any of Unicode's, or R$, US$, ...), a local abbreviation (kr, zł, Kč,
# Ft, lei, Rs) or an ISO code before or after
_GROUP = r"[, '’.\x{a0}\x{202f}\x{2009}]"
THOUSANDS = (rf"^[+-]?\d{{1,3}}(?:{_GROUP}\d{{3}})+(?:\.\d+)?$"
             r"|^[+-]?\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?$")
DECIMAL_COMMA = r"^[+-]?\d+,\d+$|^[+-]?\d{1,3}(?:[. '’\x{a0}\x{202f}\x{2009}]\d{3})+,\d+$"
_SYMBOL = r"(?:[A-Z]{0,3}\p{Sc}|[Kk]r\.?|zł|Kč|Ft|lei|Rs\.?|Fr\.|RM|Rp)"
_AMOUNT = r"[.,'’ \x{a0}\x{202f}\x{2009}]*\d[\d.,'’ \x{a0}\x{202f}\x{2009}]*"
# a currency code is an ISO 4217 one (`USD`, `EUR`; upper case, as ISO writes them), before or
# after the amount with or without a space (`USD 23000`, `EUR8400.50`, `23000 USD`): any other
# three letters (`ABC 100`) make no amount, and the cell is HS205's; a sign may stand before the
# symbol or code or after it (`-$50`, `$-50`)
_MARK = rf"(?:{_SYMBOL}|{CODE_PATTERN})"
_SPACE = r"[\s\x{a0}\x{202f}]*"
CURRENCY = (rf"^[+-]?{_SPACE}{_MARK}{_SPACE}[+-]?{_SPACE}{_AMOUNT}$"
            rf"|^[+-]?{_AMOUNT}{_SPACE}{_MARK}$")


# Unicode's currency symbols (category Sc) as RE2's ``\p{Sc}`` reads them, for ``matches_one``
# (a test holds the two to the same code points)
CURRENCY_SYMBOLS = ("\u0024\u00a2-\u00a5\u058f\u060b\u07fe-\u07ff\u09f2-\u09f3\u09fb\u0af1\u0bf9\u0e3f\u17db"
                    "\u20a0-\u20c0\ua838\ufdfc\ufe69\uff04\uffe0-\uffe1\uffe5-\uffe6\U00011fdd-\U00011fe0"
                    "\U0001e2ff\U0001ecb0")


def matches_one(text: str, pattern: str) -> bool:
    """``arrays.matches([text], pattern)[0]``, in Python: for a message's word on one cell (RE2
    compiles the pattern at each call: 0.15-0.5 ms for these). The text is trimmed, as ``arrow``
    trims it; for this module's patterns (RE2's syntax as they use it). A Hypothesis test holds
    the two to the same answers."""
    return _in_python(pattern).search(text.strip()) is not None


@functools.cache
def _in_python(pattern: str) -> re.Pattern[str]:
    r"""An RE2 pattern of this module in Python's ``re``: ``\x{hhhh}`` as ``\Uhhhhhhhh``, ``\p{Sc}``
    as its class, ``\s`` as RE2's (no ``\v``), ASCII ``\d`` (``$`` ends the text: it is trimmed)."""
    out, inside, i = [], False, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            escape = re.match(r"\\x\{([0-9A-Fa-f]+)\}|\\p\{Sc\}|\\.", pattern[i:])
            assert escape is not None
            token = escape.group()
            if escape.group(1) is not None:
                token = f"\\U{int(escape.group(1), 16):08x}"
            elif token == r"\p{Sc}":
                token = CURRENCY_SYMBOLS if inside else f"[{CURRENCY_SYMBOLS}]"
            elif token == r"\s":
                token = "\\t\\n\\f\\r " if inside else "[\\t\\n\\f\\r ]"
            out.append(token)
            i += len(escape.group())
            continue
        if c == "[" and not inside:
            inside = True
        elif c == "]" and inside and out and out[-1] != "[":
            inside = False
        out.append(c)
        i += 1
    return re.compile("".join(out), re.ASCII)


@dataclass(frozen=True, slots=True, eq=False)
class Numbers:
    blank: np.ndarray
    ok: np.ndarray
    thousands: np.ndarray  # 1,234 / 1 234 (HubSpot's handling undocumented [GAP])
    decimal_comma: np.ndarray  # 12,5
    currency: np.ndarray  # $12 / 12 EUR
    value: np.ndarray  # float64 (NaN where not ok)
    other_digits: np.ndarray  # １２３, ١٢٣: a number in the digits of another script [GAP]

    @property
    def formatted(self) -> np.ndarray:
        """Numbers written for people: separators, symbols, commas, digits of another script
        (flagged, not rejected)."""
        return ~self.ok & ~self.blank & (self.thousands | self.decimal_comma | self.currency | self.other_digits)

    @property
    def bad(self) -> np.ndarray:
        return ~(self.ok | self.blank | self.formatted)


def parse_numbers(values: pd.Series | pa.Array, *, scientific: bool = True, percent: bool = False) -> Numbers:
    """Digits with at most one decimal point; scientific notation for the ``number`` fieldType
    [V] S10; ``25%`` for percentages [V] S6 (``.25`` is a plain number)."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    ok = as_mask(pc.match_substring_regex(arr, SCIENTIFIC if scientific else NUMBER))
    text = arr
    if percent:
        pct = as_mask(pc.match_substring_regex(arr, PERCENT))
        ok |= pct
        text = pc.replace_substring_regex(arr, PERCENT_SIGN, "")
    safe = pc.if_else(pa.array(ok), text, pa.scalar("nan"))
    value = np.asarray(pc.cast(safe, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
    ok &= ~np.isinf(value)  # 1e999: digits, but past any number HubSpot can store (INVALID_NUMBER_SIZE [I])
    empty = blank(arr)
    # how the other cells are formatted: only they are looked at (a percentage's `%` set aside)
    thousands, comma, currency, other = (np.zeros(len(ok), dtype=bool) for _ in range(4))
    odd = np.flatnonzero(~ok & ~empty)
    if len(odd):
        rest = pc.take(text, pa.array(odd))
        thousands[odd] = as_mask(pc.match_substring_regex(rest, THOUSANDS))
        comma[odd] = as_mask(pc.match_substring_regex(rest, DECIMAL_COMMA)) & ~thousands[odd]
        currency[odd] = as_mask(pc.match_substring_regex(rest, CURRENCY))
        # digits of another script: only the cells holding one are read, each distinct text once
        wide = as_mask(pc.match_substring_regex(rest, r"[^\x00-\x7f]"))
        if wide.any():
            wide[wide] = as_mask(pc.match_substring_regex(
                pc.replace_substring_regex(rest.filter(pa.array(wide)), "[0-9]", ""), r"\p{Nd}"))
        seen: dict[str, str | None] = {}
        plain = [seen[t] if t in seen else seen.setdefault(t, in_ascii_digits(t))
                 for t in (v or "" for v in rest.filter(pa.array(wide)).to_pylist())]
        at = [int(odd[i]) for i, p in zip(np.flatnonzero(wide), plain, strict=True) if p is not None]
        if at:
            texts = pa.array([p for p in plain if p is not None], pa.string())
            if percent:
                texts = pc.replace_substring_regex(texts, PERCENT_SIGN, "")
            number = pc.match_substring_regex(texts, SCIENTIFIC if scientific else NUMBER)
            written = [pc.match_substring_regex(texts, p) for p in (THOUSANDS, DECIMAL_COMMA, CURRENCY)]
            other[at] = as_mask(number) | np.logical_or.reduce([as_mask(w) for w in written])
    return Numbers(blank=empty, ok=ok, thousands=thousands, decimal_comma=comma, currency=currency,
                   value=value, other_digits=other)


@dataclass(frozen=True, slots=True)
class CurrencyAmount:
    """An amount written with a currency code or symbol (``currency_amount``)."""

    kind: str  # "code" (an ISO 4217 code) or "symbol" ($, €, R$, kr, ...)
    mark: str  # the code or symbol as written
    number: str | None  # the number to write: digits and one decimal point; None where unclear
    otherwise: str | None = None  # the number a lone `.` before three digits would make as a decimal point


_GROUP_MARKS = str.maketrans("", "", " \u00a0\u202f\u2009'’")
_DIGITS = "0123456789"


def currency_amount(text: str) -> CurrencyAmount | None:
    """The code or symbol of a cell HS206 takes for an amount with its currency (``CURRENCY``),
    and the number to write (``23000`` for `USD 23000`, ``8400.50`` for `€8.400,50`); None where
    the cell has no digit, or a mark both before and after its amount."""
    value = text.strip()
    at = [i for i, c in enumerate(value) if c in _DIGITS]
    if not at:
        return None
    start = at[0]
    while start > 0 and value[start - 1] in ".,":  # `$.50`
        start -= 1
    head, amount, tail = value[:start].strip(), value[start:at[-1] + 1], value[at[-1] + 1:].strip()
    sign = ""
    if head[:1] in ("+", "-"):
        sign, head = head[0], head[1:].strip()
    if head[-1:] in ("+", "-"):
        sign, head = head[-1], head[:-1].strip()
    if bool(head) == bool(tail):
        return None
    mark = head or tail
    number, otherwise = _plain(amount)
    sign = "" if sign == "+" else sign
    return CurrencyAmount("code" if mark in CURRENCY_CODES else "symbol", mark,
                          sign + number if number is not None else None,
                          sign + otherwise if otherwise is not None else None)


def _plain(amount: str) -> tuple[str | None, str | None]:
    """(the amount in digits and one decimal point, the other reading of a lone `.` before
    three digits: `8.400` is 8400 or 8.4). Groups split by spaces or apostrophes; where a comma
    and a dot both appear, the later is the decimal mark; a lone comma or dot before three digits
    splits thousands (as HS206 reads `1,200`); several of one mark split groups."""
    text = amount.translate(_GROUP_MARKS)
    if any(c not in _DIGITS + ".," for c in text):
        return None, None
    otherwise = None
    if "." in text and "," in text:
        mark = "." if text.rfind(".") > text.rfind(",") else ","
        whole, _, frac = text.rpartition(mark)
        out = whole.replace("," if mark == "." else ".", "") + "." + frac
    elif "." in text or "," in text:
        mark = "." if "." in text else ","
        parts = text.split(mark)
        if len(parts) > 2:
            out = "".join(parts)
        elif len(parts[1]) == 3 and 1 <= len(parts[0]) <= 3 and parts[0] != "0":
            out = "".join(parts)
            otherwise = ".".join(parts) if mark == "." else None
        else:
            out = ".".join(parts)
    else:
        out = text
    if not re.fullmatch(r"\d*\.?\d+|\d+\.", out):
        return None, None
    return out, otherwise


def plain_number(text: str) -> tuple[str | None, str | None]:
    """(the number to write, in digits and one decimal point, and its other reading) of a number
    written for people, as HS206 names one (``1.234,56``: 1234.56; ``1 000``: 1000; None where it
    is no such number). A lone comma before three digits (``1,234``) is read as thousands, as
    ``_plain`` reads it, and the decimal comma's reading (1.234) is the other; a lone dot so
    (``1.234``) is a decimal point, the plain number it is, and never comes here."""
    value = text.strip()
    sign = value[0] if value[:1] in ("+", "-") else ""
    body = value[len(sign):].strip()
    number, otherwise = _plain(body)
    if number is None:
        return None, None
    grouped = body.translate(_GROUP_MARKS)
    if otherwise is None and grouped.count(",") == 1 and "." not in grouped:
        whole, frac = grouped.split(",")
        if len(frac) == 3 and 1 <= len(whole) <= 3 and whole != "0":
            otherwise = f"{whole}.{frac}"
    sign = "" if sign == "+" else sign
    return sign + number, (sign + otherwise if otherwise is not None else None)


# the separators of Arabic script (U+066B decimal, U+066C thousands), which NFKC leaves as they are
_ARABIC_SEPARATORS = str.maketrans({"\u066b": ".", "\u066c": ","})


def in_ascii_digits(text: str) -> str | None:
    """``text`` (trimmed) with the digits of other scripts (full-width `１`, Arabic-Indic `١`,
    Devanagari `१`, ...) made 0-9, and full-width signs and Arabic separators made ASCII (NFKC);
    None where it has no such digit."""
    value = unicodedata.normalize("NFKC", text.strip()).translate(_ARABIC_SEPARATORS)
    if not any(not c.isascii() and unicodedata.decimal(c, None) is not None for c in text):
        return None
    return "".join(str(unicodedata.decimal(c)) if not c.isascii() and unicodedata.decimal(c, None) is not None
                   else c for c in value)


def digit_script(text: str) -> str:
    """The script of the first digit of ``text`` past 0-9, as Unicode names it (`fullwidth`,
    `Arabic-Indic`, `Devanagari`); ``""`` where there is none."""
    for c in text:
        if not c.isascii() and unicodedata.decimal(c, None) is not None:
            words = unicodedata.name(c, "").split(" DIGIT")[0].lower().split(" ")
            # a script's name is capitalized (`Extended Arabic-Indic`), a form of the digits is not
            return " ".join(w if w in _DIGIT_FORMS else "-".join(p.capitalize() for p in w.split("-"))
                            for w in words)
    return ""


# the words of Unicode's digit names that tell a form (`FULLWIDTH`, `MATHEMATICAL BOLD`), not a script
_DIGIT_FORMS = frozenset({"fullwidth", "mathematical", "bold", "double-struck", "sans-serif", "monospace",
                          "segmented"})


# a duration written for people, not in milliseconds: a clock (`00:02:30`, `2:30`) or amounts with
# units (`2m`, `150s`, `1h 30m`, `2 min`)
_CLOCK = re.compile(r"(?:(\d+):)?(\d+):(\d{2}(?:\.\d+)?)")
_UNIT_MS = {"h": 3_600_000, "hr": 3_600_000, "hrs": 3_600_000, "hour": 3_600_000, "hours": 3_600_000,
            "m": 60_000, "min": 60_000, "mins": 60_000, "minute": 60_000, "minutes": 60_000,
            "s": 1000, "sec": 1000, "secs": 1000, "second": 1000, "seconds": 1000, "ms": 1}
_AMOUNT_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)\.?")


def duration_ms(text: str) -> tuple[int, str] | None:
    """The milliseconds of a duration written as a clock or with units, and how it was read
    (``hh:mm:ss``, ``mm:ss`` or ``units``); None for any other text. A clock of two parts is read
    as minutes and seconds, as call logs write one."""
    value = text.strip()
    if len(value) > 40:
        return None
    clock = _CLOCK.fullmatch(value)
    if clock:
        hours, minutes, seconds = clock.groups()
        ms = (int(hours or 0) * 3600 + int(minutes) * 60) * 1000 + round(float(seconds) * 1000)
        if float(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
            return None
        return ms, "hh:mm:ss" if hours is not None else "mm:ss"
    parts = [p for p in re.split(r"\s+", value.lower()) if p]
    joined = "".join(parts)
    pos, total = 0, 0.0
    for m in _AMOUNT_UNIT.finditer(joined):
        if m.start() != pos or m.group(2) not in _UNIT_MS:
            return None
        total += float(m.group(1)) * _UNIT_MS[m.group(2)]
        pos = m.end()
    if pos == 0 or pos != len(joined):
        return None
    return round(total), "units"
