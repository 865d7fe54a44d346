"""The cell formats (``<xf>`` of ``cellXfs``) of a workbook's styles part that show a number as a
date or time, told as openpyxl tells them (``openpyxl.styles.numbers.is_date_format``, durations
such as ``[h]:mm`` left out), those that show it as a percentage (``0%``: Excel keeps 25% as
0.25), and those that pad a whole number with zeros (``00000``: Excel shows 2134 as 02134),
without importing openpyxl (the calamine path never does). Neither reader gives a cell's
format: the byte scan finds the cells in them (``xlsx_sheet``).

The byte scan reads a negative number in such a cell as the number (``xlsx_sheet``): no date has
a serial below zero, and calamine would give the time of day of its fraction.
"""

from __future__ import annotations

import re

from validator.readers.errors import Refused
from validator.readers.xlsx_container import parse_xml

# Excel's built-in number formats that are dates or times (14-22, 45, 47; 46 is [h]:mm:ss, a duration)
_BUILTIN_DATES = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 47})
# openpyxl's: quoted text and [..] sections other than a duration's [h], [m], [s] are no part of a date
# (a section stops at the next "[" too: Excel's sections do not nest, and "[[[[..." with no "]"
# made the search quadratic)
_STRIP = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]\[]*\]')
# Excel's limit on a number format code (MS-XLS 2.4.126: at most 255 characters); openpyxl's
# is_date_format, which reads each code of a workbook it opens, is quadratic in a code's "["s
MAX_FORMAT_CODE = 255
_DATE_PART = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_DURATION = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)


def is_date_code(code: str) -> bool:
    """Whether a format code shows a date or time of day (not a duration): its first section."""
    first = code.split(";")[0]
    return _DATE_PART.search(_STRIP.sub("", first)) is not None and _DURATION.search(first) is None


# Excel's built-in percentage formats: 9 is 0%, 10 is 0.00%
_BUILTIN_PERCENTS = frozenset({9, 10})
# a % that shows the number times 100: not quoted, not escaped (\%), not in a [..] section
_PERCENT_PART = re.compile(r"(?<![_\\])%")


def is_percent_code(code: str) -> bool:
    """Whether a format code shows a number as a percentage: its first section (a number above 0)."""
    return _PERCENT_PART.search(_STRIP.sub("", code.split(";")[0])) is not None


# a format that pads a whole number with zeros to a count of digits, as Excel's Special formats
# "Zip Code" (00000) and "Zip Code + 4" (00000-0000, written 00000\-0000) do: only 0s and literal
# hyphens (bare, escaped or quoted), two 0s at least (0 alone pads nothing)
_PADDED = re.compile(r'0+(?:(?:-|\\-|"-")0+)*')


def is_padded_code(code: str) -> bool:
    """Whether a format code shows a whole number padded with zeros (``00000``, ``00000-0000``)."""
    return code.count("0") >= 2 and _PADDED.fullmatch(code) is not None


def padded_shown(value: str, code: str) -> str:
    """The whole number ``value`` (digits) as Excel shows it in the zero-padded format ``code``:
    ``02134`` for 2134 in ``00000``, ``02134-0567`` for 21340567 in ``00000-0000`` (digits past the
    format's go to its first group, as Excel puts them)."""
    groups = [len(g) for g in re.split(r'\\-|"-"|-', code)]
    digits = value.zfill(sum(groups))
    parts: list[str] = []
    end = len(digits)
    for size in reversed(groups[1:]):
        parts.append(digits[end - size:end])
        end -= size
    return "-".join([digits[:end], *reversed(parts)])


def date_styles(part: str, data: bytes) -> frozenset[int]:
    """The indexes (a cell's ``s``) of the date and time formats in the styles part ``data``."""
    return number_styles(part, data)[0]


def number_styles(part: str, data: bytes) -> tuple[frozenset[int], frozenset[int], dict[int, str]]:
    """The indexes (a cell's ``s``) of the date and time formats, of the percentage formats, and
    of the zero-padded formats with their codes, in the styles part ``data``."""
    try:
        root = parse_xml(data, part)
    except Refused:  # what the readers make of a broken styles part is theirs to say
        return frozenset(), frozenset(), {}
    codes: dict[int, str] = {}
    xfs: list[int] = []
    for node in root.iter():
        tag = str(node.tag).rsplit("}", 1)[-1]
        if tag == "numFmt":
            num = _int(node.get("numFmtId"))
            code = str(node.get("formatCode") or "")
            if len(code) > MAX_FORMAT_CODE:
                raise Refused(f"part {part!r} has a number format code of {len(code):,} characters (numFmtId "
                              f"{node.get('numFmtId')}), more than Excel's {MAX_FORMAT_CODE} (a crafted file?)",
                              "bad-workbook")
            if num is not None:
                codes[num] = code
        elif tag == "cellXfs":
            xfs = [_int(xf.get("numFmtId")) or 0 for xf in node if str(xf.tag).rsplit("}", 1)[-1] == "xf"]
    date_codes = {num for num, code in codes.items() if is_date_code(code)}  # each code once, not per <xf>
    percent_codes = {num for num, code in codes.items() if is_percent_code(code)}
    dates = frozenset(i for i, num in enumerate(xfs)
                      if (num in date_codes if num in codes else num in _BUILTIN_DATES))
    percents = frozenset(i for i, num in enumerate(xfs)
                         if (num in percent_codes if num in codes else num in _BUILTIN_PERCENTS))
    padded_codes = {num: code for num, code in codes.items() if is_padded_code(code)}  # (no built-in one is)
    padded = {i: padded_codes[num] for i, num in enumerate(xfs) if num in padded_codes}
    return dates, percents, padded


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
