"""Times HubSpot may read otherwise than meant: a time of day on a date property, written out or as
epoch milliseconds that are not a midnight UTC (HS219); datetimes in forms its import documentation
does not show (HS221): ISO-8601's `T` between the date and the time, `Z` for UTC, and an offset
without its colon (`+0100`); durations small enough to be seconds, where HubSpot reads
milliseconds (HS250), and durations below zero (HS251).

HubSpot documents a datetime for imports as a date, a space, `hh:mm`, perhaps AM/PM and an
offset `+hh:mm` relative to the account's time zone (fact sheet 6, [V] S6); the `T` and `Z`
forms are the object API's (S10), and whether the importer takes them is not documented [GAP].
Only cells that parse (HS201 has the others) and hold one of the bytes these forms need are
matched against them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from validator import formats
from validator.catalog import Property
from validator.checks._facts import rows_with
from validator.checks.base import Hit, option_float, quote
from validator.checks.typed import ValueRule, cells, is_date, kind_mask
from validator.checks.values import numbers
from validator.checks.values_epochs import near_zero_epochs
from validator.context import FileContext
from validator.findings import Severity
from validator.readers.base import Chunk

_TIME = r"\d:\d\d(?::\d\d(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*"
_FORMS = {"a T between the date and the time": r"^[^T ]+T\d{1,2}:",
          "Z for UTC": rf"{_TIME}Z$",
          "an offset without its colon": rf"{_TIME}[+-]\d{{4}}$",
          "an offset of hours alone": rf"{_TIME}[+-]\d{{2}}$"}
_ANY = "|".join(f"(?:{p})" for p in _FORMS.values())


class TimeOnDateProperty(ValueRule):
    """A date property's cell carries a time of day.

    Why: a date property (a date picker) holds a day; HubSpot documents a time (`hh:mm`) for
    datetime properties only (fact sheet 6, [V] S6). Whether its importer drops the time, keeps
    the day or refuses the value is not documented [GAP], so this is a warning where HS201 would
    be an error. Excel writes such cells from a date column formatted with a time
    (`3/15/2024 0:00`), pandas from a datetime column (`2024-03-15 00:00:00`), and a workbook's
    date cell holding a time is read as its date and time.
    Epoch milliseconds that are not a midnight UTC are a time too: HubSpot's object API takes a
    date property's epoch only at midnight UTC and rejects others ([V] S10, S15); for imports
    that form is for reference, and what the importer does is inferred [I]. (A workbook's number
    cell holding one is HS434's.)
    Example: `03/15/2024 14:30` in a line item's start date (`hs_recurring_billing_start_date`);
    `1700000000000` (2023-11-14 22:13:20 UTC) there.
    Fix: write the day alone (`03/15/2024`, or the epoch of its midnight UTC, `1699920000000`):
    format the column as a date without a time, or map it to a datetime property when the time
    matters.
    """

    code = "HS219"
    name = "time-on-date-property"
    severity = Severity.WARNING
    derived_values = True  # an epoch's date and time, its midnight's milliseconds

    def wants(self, prop: Property) -> bool:
        return is_date(prop) and prop.type != "datetime"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file, chunk):
            parsed = self.dates(chunk, file, column, prop)
            timed = parsed.ok & ~self.dates(chunk, file, column, prop, with_time=False).ok
            yield from self.cells(chunk, file, column, timed, _timed(prop.name))
            epoch = parsed.epoch & (parsed.year >= 1) & (parsed.year <= 9999)  # others: HS203's years alone
            if epoch.any():
                epoch &= ~near_zero_epochs(self, chunk, file, column, prop)  # no date at all: HS202's
            numbers = kind_mask(chunk, column.index, "n")
            if numbers is not None:
                epoch = epoch & ~numbers  # a workbook's number cell: HS434's
            at = np.flatnonzero(epoch)
            if not len(at):
                continue
            ms = np.asarray(pc.cast(cells(chunk, column).take(pa.array(at)), pa.int64()).to_numpy(
                zero_copy_only=False), dtype=np.int64)
            off = np.zeros(len(chunk), dtype=bool)
            off[at] = ms % _DAY_MS != 0
            yield from self.cells(chunk, file, column, off, _epoch_timed(prop.name))


def _timed(name: str) -> Callable[[str], str]:
    return lambda value: (f"{quote(value)} has a time of day, but {name} is a date property (a day "
                          "alone); HubSpot documents times for datetime properties only")


_DAY_MS = 86_400_000


def _epoch_timed(name: str) -> Callable[[str], str]:
    def message(value: str) -> str:
        ms = int(value.strip())
        midnight = ms // _DAY_MS * _DAY_MS
        try:
            when = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(milliseconds=ms)
        except OverflowError:  # past the year 9999 (HS203 names the year)
            at, day = "not a midnight UTC", f"write {midnight} for its day"
        else:
            at = f"at {when:%Y-%m-%d %H:%M:%S} UTC, not a midnight UTC"
            day = f"for the day {when:%Y-%m-%d} write {midnight}"
        return (f"{quote(value)} is epoch milliseconds {at}, but {name} is a date property (a day alone); "
                f"HubSpot's object API rejects such a date and its import does not document one; {day}")
    return message


class UndocumentedDatetimeForm(ValueRule):
    """A datetime parses, but in a form HubSpot documents for its object API, not for imports.

    Why: for imports HubSpot documents a date, `hh:mm`, AM/PM and an offset `+hh:mm` relative to
    the account's time zone (fact sheet 6, [V] S6). ISO-8601's `T` between date and time and
    its `Z` for UTC are the object API's forms (S10), and an offset without its colon, or of
    hours alone (`+00`, `-05`: PostgreSQL's text of a timestamptz), is neither; whether the
    importer reads them is not documented [GAP], hence a warning.
    Example: `2024-01-05T10:00:00Z`, `2024-01-05 10:00 +0100` or `2024-01-05 10:00:00+00` under
    YEAR_MONTH_DAY.
    Fix: write `2024-01-05 10:00 +00:00` (a space, and an offset with its colon), or epoch
    milliseconds.
    """

    code = "HS221"
    name = "undocumented-datetime-form"
    severity = Severity.WARNING
    hubspot_error = "COULD_NOT_PARSE_DATE"

    def wants(self, prop: Property) -> bool:
        return prop.type == "datetime"  # a time on a date property is HS219's

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file, chunk):
            if not rows_with(chunk, column.index, b"TZ+:").any():
                continue  # one pass over a column of dates without times (the usual case), not three
            maybe = rows_with(chunk, column.index, b"TZ+") | (rows_with(chunk, column.index, b"-")
                                                              & rows_with(chunk, column.index, b":"))
            at = np.flatnonzero(maybe & self.dates(chunk, file, column, prop).ok)
            if not len(at):
                continue
            bad = np.zeros(len(chunk), bool)
            bad[at] = formats.matches(cells(chunk, column).take(pa.array(at)), _ANY)
            yield from self.cells(chunk, file, column, bad, _message)


def _message(value: str) -> str:
    form = next((name for name, p in _FORMS.items() if re.search(p, value.strip())), "a form not documented")
    return (f"{quote(value)} writes its time with {form}: HubSpot documents `date hh:mm` and `+hh:mm` "
            "offsets for imports, and whether it reads this form is not documented")


class DurationInSeconds(ValueRule):
    """A duration cell holds a number small enough to be seconds, where HubSpot reads milliseconds.

    Why: HubSpot reads a duration (a call's `hs_call_duration`, a portal property shown as a
    duration) as milliseconds (fact sheet 6, [V] S6). Phone systems and spreadsheets log seconds,
    and `150` (two and a half minutes) imports as 150 ms, silently. A call shorter than a second
    is rare, so a value under 1000 (the option `min_ms`) is most likely seconds; it could be meant,
    hence a warning. Zero is zero in any unit and passes. A clock or units (`00:02:30`,
    `2m`) are no number: HS205's error.
    Example: `150` in Call duration.
    Fix: give milliseconds: multiply seconds by 1000 (`150000`).
    """

    code = "HS250"
    name = "duration-in-seconds"
    severity = Severity.WARNING
    options: ClassVar[Mapping[str, Any]] = {"min_ms": 1000}
    derived_values = True  # the number in seconds and in milliseconds

    def wants(self, prop: Property) -> bool:
        return prop.format == "duration"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        low = option_float(self.opt["min_ms"])
        for column, prop in self.typed(file, chunk):
            n = numbers(chunk, column, prop)
            with np.errstate(invalid="ignore"):
                short = n.ok & (n.value > 0) & (n.value < low)
            yield from self.cells(chunk, file, column, short, _seconds)


def _seconds(value: str) -> str:
    number = Decimal(value.strip())  # exact: a float rounded 999.9999999 to "1000 ms", past the threshold
    return (f"{quote(value)} reads as {_plain(number)} ms ({_plain(number / 1000)} seconds): HubSpot reads a "
            f"duration in milliseconds; if it is {_plain(number)} seconds, write {_plain(number * 1000)}")


class NegativeDuration(ValueRule):
    """A duration cell holds a number below zero.

    Why: HubSpot reads a duration (a call's `hs_call_duration`, a portal property shown as a
    duration) as a length of time in milliseconds (fact sheet 6, [V] S6); what it does with one
    below zero (stores it, or fails the row) is not documented [GAP], hence a warning. A minus
    sign there is most often an end time subtracted from its start, or an export's mark for a
    length not known (`-1`). A clock or units with a minus (`-0:02:30`) are no number: HS205's
    error. `-0` is zero and passes.
    Example: `-150000` in Call duration.
    Fix: write the length as a positive number of milliseconds (`150000`), or leave the cell
    empty where it is not known.
    """

    code = "HS251"
    name = "negative-duration"
    severity = Severity.WARNING

    def wants(self, prop: Property) -> bool:
        return prop.format == "duration"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file, chunk):
            n = numbers(chunk, column, prop)
            with np.errstate(invalid="ignore"):
                negative = n.ok & (n.value < 0)
            yield from self.cells(chunk, file, column, negative, _negative(prop.name))


def _negative(name: str) -> Callable[[str], str]:
    return lambda value: (f"{quote(value)} is a negative duration: {name} is a length of time in milliseconds, "
                          "and what HubSpot does with one below zero is not documented; write the length as a "
                          "positive number of milliseconds, or leave the cell empty where it is not known")


def _plain(number: Decimal) -> str:
    """A number as a person writes it: no exponent, no trailing zeros (an exponent past 24 characters,
    as `5e-300`)."""
    text = f"{number:f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return text if len(text) <= 24 else f"{number.normalize():.6g}"
