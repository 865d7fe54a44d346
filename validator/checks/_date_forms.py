"""HS201's word on dates written in forms HubSpot does not document, where the date meant is
certain: a month's English name with spaces and a comma between the parts (`April 6, 2024`, a
Notion export's), and a zone written `GMT+1` (Google Forms') where HubSpot documents an offset
`+01:00`. The form to write is given only where it parses under the import's dateFormat."""

from __future__ import annotations

import datetime as dt
import re

from validator import formats

_MONTHS = {name: i for i, names in enumerate(
    (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")), 1) for name in names}
# `April 6, 2024`, `Apr 6 2024`, `April 6th, 2024`; `6 April 2024`, `6 Apr, 2024`
_NAME_FIRST = re.compile(r"(?P<m>[A-Za-z]{3,9}) +(?P<d>\d{1,2})(?:st|nd|rd|th)?(?P<c>,?) +(?P<y>\d{4})")
_DAY_FIRST = re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th)? +(?P<m>[A-Za-z]{3,9})(?P<c>,?) +(?P<y>\d{4})")
# a zone written as GMT or UTC with an hour offset or none: `GMT+1`, `GMT-05:00`, `UTC+5:30`, `GMT`
_GMT = re.compile(r"(?P<rest>.*\d.*?) +(?P<zone>(?:GMT|UTC)(?:(?P<sign>[+-])(?P<h>\d{1,2})(?::?(?P<mm>\d\d))?)?)")
_ORDER = {"MONTH_DAY_YEAR": "{m:02d}/{d:02d}/{y}", "DAY_MONTH_YEAR": "{d:02d}/{m:02d}/{y}",
          "YEAR_MONTH_DAY": "{y}/{m:02d}/{d:02d}"}


def _parses(text: str, date_format: str, with_time: bool) -> bool:
    return bool(formats.parse_dates(formats.arrow([text]), date_format, with_time=with_time, distinct=None).ok[0])


def written_form_note(value: str, date_format: str, with_time: bool) -> str:
    """``": why; write X"`` for a date in a form HubSpot does not document whose date is certain
    and whose form ``X`` in ``date_format`` parses; ``""`` for any other cell."""
    text = value.strip()
    named = _NAME_FIRST.fullmatch(text) or _DAY_FIRST.fullmatch(text)
    if named is not None:
        month = _MONTHS.get(named["m"].lower())
        if month is None:
            return ""
        try:
            day = dt.date(int(named["y"]), month, int(named["d"]))
        except ValueError:  # (31 April: no date to give)
            return ""
        write = _ORDER.get(date_format, _ORDER["MONTH_DAY_YEAR"]).format(y=day.year, m=day.month, d=day.day)
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
    return ""
