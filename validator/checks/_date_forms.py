"""HS201's word on dates written in forms HubSpot does not document, where the date meant is
certain: a month's name with spaces and a comma between the parts (`April 6, 2024`, a Notion
export's; `15 mars 2024`, `5. Januar 2024`, `15 de marzo de 2024` in other languages), a zone
written `GMT+1` (Google Forms') where HubSpot documents an offset `+01:00`, a date that reads in
one other of HubSpot's orders only (`03/15/2024` under DAY_MONTH_YEAR: no month 15; ISO's
`2024-03-15T10:00:00Z` under MONTH_DAY_YEAR), and eight digits that are a year, month and day
(`20240315`). The form to write is given only where it parses under the import's dateFormat."""

from __future__ import annotations

import datetime as dt
import re

from validator.formats.dates import DATE_FORMATS, DATE_PATTERNS, FOREIGN_MONTHS, PIVOT, parses

_MONTHS = {name: i for i, names in enumerate(
    (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")), 1) for name in names}
# `April 6, 2024`, `Apr 6 2024`, `April 6th, 2024`; `6 April 2024`, `6 Apr, 2024`; in other
# languages `15 mars 2024`, `5. Januar 2024`, `15 de marzo de 2024`, `janv. 5, 2024`
_NAME = r"(?P<m>[^\W\d_]{3,10}\.?)"
_NAME_FIRST = re.compile(_NAME + r" +(?P<d>\d{1,2})(?:st|nd|rd|th)?(?P<c>,?) +(?P<y>\d{4})")
_DAY_FIRST = re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th|\.)? +(?:de +)?" + _NAME + r"(?P<c>,?) +(?:de +)?(?P<y>\d{4})")
# a date of HubSpot's grammar (``formats.dates``) in each order, and what follows it
_IN_ORDER = {fmt: re.compile(pattern, re.ASCII) for fmt, pattern in DATE_PATTERNS.items()}
_COMPACT = re.compile(r"(?P<y>19\d\d|20\d\d|2100)(?P<m>\d\d)(?P<d>\d\d)")
# a zone written as GMT or UTC with an hour offset or none: `GMT+1`, `GMT-05:00`, `UTC+5:30`, `GMT`
_GMT = re.compile(r"(?P<rest>.*\d.*?) +(?P<zone>(?:GMT|UTC)(?:(?P<sign>[+-])(?P<h>\d{1,2})(?::?(?P<mm>\d\d))?)?)")
_ORDER = {"MONTH_DAY_YEAR": "{m:02d}/{d:02d}/{y}", "DAY_MONTH_YEAR": "{d:02d}/{m:02d}/{y}",
          "YEAR_MONTH_DAY": "{y}/{m:02d}/{d:02d}"}


def _parses(text: str, date_format: str, with_time: bool) -> bool:
    return parses(text, date_format, with_time=with_time)


def written_form_note(value: str, date_format: str, with_time: bool) -> str:
    """``": why; write X"`` for a date in a form HubSpot does not document whose date is certain
    and whose form ``X`` in ``date_format`` parses; ``""`` for any other cell."""
    text = value.strip()
    named = _NAME_FIRST.fullmatch(text) or _DAY_FIRST.fullmatch(text)
    if named is not None:
        month = _MONTHS.get(named["m"].lower()) or FOREIGN_MONTHS.get(named["m"].lower())
        if month is None:
            return ""
        try:
            day = dt.date(int(named["y"]), month, int(named["d"]))
        except ValueError:  # (31 April: no date to give)
            return ""
        write = _written(day, date_format)
        if not _parses(write, date_format, with_time):
            return ""
        between = "spaces and a comma" if named["c"] else "spaces"
        return (f": HubSpot documents /, - or . between the day, the month and the year, not {between}; "
                f"write {write}")
    zoned = _GMT.fullmatch(text)
    if zoned is not None and with_time:
        hours, minutes = int(zoned["h"] or 0), int(zoned["mm"] or 0)
        if hours > 14 or minutes > 59:
            return ""
        write = f"{zoned['rest']} {zoned['sign'] or '+'}{hours:02d}:{minutes:02d}"
        if not _parses(zoned["rest"], date_format, with_time) or not _parses(write, date_format, with_time):
            return ""
        return f": HubSpot documents an offset as +hh:mm, not {zoned['zone']}; write {write}"
    return _other_order_note(text, date_format, with_time) or _compact_note(text, date_format, with_time)


def _written(day: dt.date, date_format: str) -> str:
    return _ORDER.get(date_format, _ORDER["MONTH_DAY_YEAR"]).format(y=day.year, m=day.month, d=day.day)



def _other_order_note(text: str, date_format: str, with_time: bool) -> str:
    """``": why; write X"`` for a cell that reads as a date in one other of HubSpot's orders only
    (`03/15/2024` under DAY_MONTH_YEAR, ISO's `2024-03-15` under MONTH_DAY_YEAR): the date meant
    is certain; what follows the date (a time) is kept, ISO's `T` and `Z` written as HubSpot
    documents them."""
    readings = []
    for other in DATE_FORMATS:
        found = _IN_ORDER[other].match(text) if other != date_format else None
        if found is None or not _parses(text, other, with_time):
            continue
        name = found["m"].lower()
        month = int(name) if name.isdigit() else _MONTHS.get(name, 0)
        year = int(found["y"])
        if len(found["y"]) == 2:
            year += 2000 if year < PIVOT else 1900
        try:
            readings.append((other, dt.date(year, month, int(found["d"])), text[found.end():]))
        except ValueError:  # (not where the cell parses in that order: kept safe all the same)
            continue
    if len(readings) != 1:  # none, or several days: not certain
        return ""
    other, day, rest = readings[0]
    if rest.startswith("T"):
        rest = " " + rest[1:]
    if rest.endswith("Z"):
        rest = rest[:-1] + " +00:00"
    write = _written(day, date_format) + rest
    if not _parses(write, date_format, with_time):
        return ""
    return f": it reads as a date in {other} order only ({day.isoformat()}); write {write}"


def _compact_note(text: str, date_format: str, with_time: bool) -> str:
    """``": why; write X"`` for eight digits that are a year (1900-2100), a month and a day
    (`20240315`, as databases and file names write a date): read the other way round they are no
    date of those years, so the date meant is certain."""
    found = _COMPACT.fullmatch(text)
    if found is None:
        return ""
    try:
        day = dt.date(int(found["y"]), int(found["m"]), int(found["d"]))
    except ValueError:
        return ""
    write = _written(day, date_format)
    if not _parses(write, date_format, with_time):
        return ""
    return (f": eight digits read as a year, a month and a day ({day.isoformat()}); HubSpot documents /, - or . "
            f"between the day, the month and the year; write {write}")
