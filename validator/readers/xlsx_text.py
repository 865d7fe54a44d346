"""One cell value, as a cell reader gives it, to its text and kind (``cell_text``).

Cells become text once, by this rule (README "Cells to text"):

* text: as stored (rich text flattened, OOXML ``_x000D_`` escapes decoded);
* numbers: integers without a decimal point or exponent (``12345678901``, never
  ``1.2345678901E10``); other numbers in the shortest positional form that reads back to the
  same double (``0.1``, ``0.00001``). An .xlsx number is an IEEE double whatever digits its
  ``<v>`` holds (Excel reads it so, and shows 15 digits of it): past 2**53, where not every
  integer is a double, an integer too is the shortest form of its double, on both readers
  (``<v>12345678901234567890</v>`` is ``12345678901234567000``: openpyxl gave the digits
  written, which no double holds, calamine the double's binary expansion ``...7168``, digits no
  one wrote, which made a 15-digit ``123456789012345000000`` look 21 digits long); a number
  past any double is ``#NUM!`` (calamine reads it as infinity);
* dates and datetimes (date-formatted number cells): in the import's ``dateFormat``
  (``MONTH_DAY_YEAR`` -> ``03/15/2024``, ``DAY_MONTH_YEAR`` -> ``15/03/2024``,
  ``YEAR_MONTH_DAY`` -> ``2024/03/15``), with `` HH:MM`` (``:SS`` when not zero) only when the
  time is not midnight; times alone as ``HH:MM[:SS]``;
* booleans: ``TRUE`` / ``FALSE``, as Excel shows them;
* formulas: their cached value, typed as above; a formula without one becomes empty text of
  kind ``f``; error values (``#N/A``, ``#REF!``) keep their text with kind ``e``.

Kinds: ``s`` text, ``n`` number, ``d`` date/datetime, ``t`` time/duration, ``b`` boolean,
``e`` error, ``f`` formula without a cached value, empty string for an empty cell.

``xlsx_columns`` applies the same rule to a column of values at once; ``XlsxReader`` (``xlsx``)
uses both.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

import numpy as np

DATE_ORDERS = {"MONTH_DAY_YEAR": "mdy", "DAY_MONTH_YEAR": "dmy", "YEAR_MONTH_DAY": "ymd"}
DATE_PATTERNS = {"mdy": "%m/%d/%Y", "dmy": "%d/%m/%Y", "ymd": "%Y/%m/%d"}
_EXACT_INT = 2**53  # every integer below it is a double; past it, not every one
_EXACT = float(_EXACT_INT)


def format_number(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return "#NUM!"
    if value.is_integer():
        if abs(value) < _EXACT:
            return str(int(value))
        return np.format_float_positional(value, unique=True, trim="-")
    text = repr(value)  # the shortest text that reads back to the same double
    return text if "e" not in text else np.format_float_positional(value, unique=True, trim="-")


def format_integer(value: int) -> str:
    """An integer a cell reader gives for a number cell (openpyxl: the digits written) as the
    double the cell holds."""
    if -_EXACT_INT < value < _EXACT_INT:
        return str(value)
    try:
        return format_number(float(value))
    except OverflowError:  # past any double
        return "#NUM!"


@functools.lru_cache(maxsize=8192)  # a column of dates repeats the same few hundred days
def format_date(value: dt.date, order: str) -> str:
    y, m, d = f"{value.year:04d}", f"{value.month:02d}", f"{value.day:02d}"
    text = {"mdy": f"{m}/{d}/{y}", "dmy": f"{d}/{m}/{y}", "ymd": f"{y}/{m}/{d}"}[order]
    if isinstance(value, dt.datetime) and (value.hour or value.minute or value.second):
        text += " " + format_time(value.time())
    return text


def format_time(value: dt.time) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}"
    return text + f":{value.second:02d}" if value.second else text


class Uncached:
    """A formula cell without a cached value, as openpyxl's parser marks one where the byte scan
    could keep no more of them (``xlsx_openpyxl._uncached``): read as the scan's ``("f", "")``."""

    __slots__ = ()


UNCACHED = Uncached()


def cell_text(value: Any, order: str = "mdy") -> tuple[str, str]:
    """(text, kind) of one cell value as a cell reader returns it."""
    if value is None:
        return "", ""
    if value is UNCACHED:
        return "", "f"
    if isinstance(value, str):
        return value, ("s" if value else "")
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), "b"
    if isinstance(value, int):
        return format_integer(value), "n"
    if isinstance(value, float):
        return format_number(value), "n"
    if isinstance(value, dt.date):
        return format_date(value, order), "d"
    if isinstance(value, dt.time):
        return format_time(value), "t"
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}", "t"
    return str(value), "s"


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """OOXML's ``_xHHHH_`` escapes (``_x000D_`` is a carriage return, ``_x005F_`` a literal
    underscore). calamine decodes them; openpyxl's read-only values keep them, so we do. A
    surrogate (``_xD800_``) is no character: it stays as written, as calamine leaves it."""
    return _ESCAPE.sub(lambda m: m.group() if 0xD800 <= int(m.group(1), 16) <= 0xDFFF else chr(int(m.group(1), 16)),
                       text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogates(text: str | None) -> str | None:
    return None if text is None else _SURROGATE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
