"""Bare numbers in date and datetime columns that are no date HubSpot would read as meant (HS202):
UNIX times in seconds, where HubSpot reads epoch milliseconds, and numbers near zero (`0`,
`0000000000`, `0000000001`) that are the epoch's start in either unit.

HubSpot reads a bare number in a date or datetime column as epoch milliseconds (fact sheet 6,
[V] S6). The cells near zero are taken from HS201 (a short `0` does not parse as a date), HS203
and HS219, whose messages would be about a date in 1970 no one meant: this rule names them once.
A workbook's number cells are serial days (HS429, HS434), not epochs, and are left to those rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from validator import formats
from validator.catalog import Property
from validator.checks.base import Hit, quote
from validator.checks.typed import ValueRule, cached, cells, is_date, kind_mask
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.readers.base import Chunk

_DAY_S = 86_400  # under a day's seconds, a number is the epoch's first day in seconds and in milliseconds


def near_zero_epochs(rule: ValueRule, chunk: Chunk, file: FileContext, column: Column,
                     prop: Property) -> np.ndarray:
    """The cells of a date column that are zero (`0`, `-0`, `0000000000`: any number of zeros), or a
    number padded with zeros to an epoch's digits whose value is under a day's seconds
    (`0000000001`): no date in seconds nor in milliseconds. Once per chunk and column."""
    def make() -> np.ndarray:
        d = rule.dates(chunk, file, column, prop)
        epochs = d.epoch | d.epoch_seconds
        maybe = d.bad | epochs
        numbers = kind_mask(chunk, column.index, "n")
        if numbers is not None:
            maybe &= ~numbers  # a workbook's number cell is a serial day
        out = np.zeros(len(maybe), bool)
        at = np.flatnonzero(maybe)
        if not len(at):
            return out
        texts = cells(chunk, column).take(pa.array(at))
        zero = formats.matches(texts, r"^-?0+$")
        padded = formats.matches(texts, r"^-?0+\d{1,5}$") & epochs[at]
        if padded.any():
            value = np.asarray(pc.cast(texts.filter(pa.array(padded)), pa.int64()).to_numpy(zero_copy_only=False))
            padded[np.flatnonzero(padded)] = np.abs(value) < _DAY_S
        out[at] = zero | padded
        return out
    return cached(chunk, ("near-zero-epochs", column.index, rule.date_format), make)


class EpochSeconds(ValueRule):
    """A date cell holds a UNIX time in seconds where HubSpot expects milliseconds, or a number near zero.

    Why: HubSpot reads a bare number in a date or datetime column as epoch milliseconds
    ([V] S6), so `1700000000` (14 Nov 2023 in seconds) becomes 20 Jan 1970, silently; seconds
    are the classic mistake ([3P]); a minus before them is a date before 1970 (`-631152000`, a
    birthdate in 1950). The message gives both dates (UTC; the day alone for a date property) and
    the milliseconds to write (in a workbook's number cell, which HubSpot reads as a serial day and
    these are not, to write in a Text cell). Zero in any number of digits (`0`, `0000000000`) is
    the epoch's start, 1 Jan 1970, and a number padded with zeros to under a day's seconds
    (`0000000001`) is its first day in either unit: no date anyone means, most often a
    placeholder for none, and named as such.
    Example: `1700000000` or `0000000000` in a Close Date column.
    Fix: multiply seconds by 1000 (`1700000000000`), or write the date out; leave the cell empty
    where there is no date.
    """

    code = "HS202"
    name = "epoch-seconds"
    severity = Severity.WARNING
    derived_values = True  # the dates meant and read, the milliseconds to write

    def wants(self, prop: Property) -> bool:
        return is_date(prop)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file, chunk):
            near = near_zero_epochs(self, chunk, file, column, prop)
            seconds = self.dates(chunk, file, column, prop).epoch_seconds & ~near
            numbers = kind_mask(chunk, column.index, "n")
            if numbers is not None and (seconds & numbers).any():  # a workbook's number cells: no serial day
                yield from self.cells(chunk, file, column, seconds & numbers,
                                      _seconds_message(prop.type == "datetime", number_cell=True))
                seconds = seconds & ~numbers
            yield from self.cells(chunk, file, column, seconds, _seconds_message(prop.type == "datetime"))
            yield from self.cells(chunk, file, column, near, _near_zero_message(prop.type == "datetime"))


def _shown(with_time: bool) -> str:
    return "%Y-%m-%d %H:%M:%S UTC" if with_time else "%Y-%m-%d"


def _seconds_message(with_time: bool, number_cell: bool = False) -> Callable[[str], str]:
    """The dates a seconds epoch is meant as and read as (UTC), and the milliseconds to write: for
    a date property, those of the day's midnight UTC (the object API's form of a date, HS219). A
    workbook's number cell is read as a serial day, which these are not (past 9999 or below zero),
    and the milliseconds go in a Text cell (fact sheet 6, [V] S6; HS434)."""
    shown = _shown(with_time)

    def message(value: str) -> str:
        seconds = int(value.strip())
        meant = dt.datetime.fromtimestamp(seconds, dt.UTC).strftime(shown)
        ms = seconds * 1000 if with_time else seconds // 86_400 * 86_400_000
        if number_cell:
            return (f"{quote(value)} is a number cell that looks like epoch seconds ({meant}); HubSpot reads a "
                    "number cell as an Excel serial day, which it is not, and epoch milliseconds from a Text cell "
                    f"only: for {meant} write {ms} in a Text cell, or the date in a date cell")
        read = dt.datetime.fromtimestamp(seconds / 1000, dt.UTC).strftime(shown)
        return (f"{quote(value)} looks like epoch seconds ({meant}); HubSpot reads epoch milliseconds, "
                f"so it becomes {read}; for {meant} write {ms}")
    return message


def _near_zero_message(with_time: bool) -> Callable[[str], str]:
    """Zero is the epoch's start; a padded small number its first day, in milliseconds and in seconds."""
    shown = _shown(with_time)
    read_as = "HubSpot reads a bare number in a date column as epoch milliseconds, so it becomes"

    def message(value: str) -> str:
        number = int(value.strip())
        read = dt.datetime.fromtimestamp(number / 1000, dt.UTC).strftime(shown)
        if not number:
            return (f"{quote(value)} is zero, which is no date: {read_as} {read}, the epoch's start; leave the "
                    "cell empty where there is no date")
        seconds = dt.datetime.fromtimestamp(number, dt.UTC).strftime(shown)
        return (f"{quote(value)} is {number} written with leading zeros: {read_as} {read}, and in seconds it "
                f"would be {seconds}: within a day of the epoch's start either way, no plausible date; write "
                "the date out, or leave the cell empty where there is none")
    return message


# 16 and 19 digits: epoch microseconds (BigQuery, Parquet) and nanoseconds (pandas, time.time_ns())
# of the years 2001-2286, as 13 digits are milliseconds and 10 seconds; 17 and 18 digits are either
_FINER = {16: ("microseconds", 1000), 19: ("nanoseconds", 1_000_000)}


_ZERO_DATE = re.compile(r"0+([-/.])0+(?:\1)0+(?:[ T]0+:0+(?::0+(?:\.0+)?)?)?")


def unparsed_date_note(value: str, with_time: bool, number_cell: bool = False) -> str:
    """For HS201's message: what a number of 16 or 19 digits looks like, and the milliseconds to write
    (for a date property, of the day's midnight UTC; from a workbook's number cell, which HubSpot
    reads as a serial day, in a Text cell, as HS202 says of seconds); that a zero date (MySQL's
    `0000-00-00`) is none; ``""`` for any other cell."""
    text = value.strip()
    if _ZERO_DATE.fullmatch(text):
        return ": a zero date, which databases write for none; leave the cell empty where there is no date"
    digits = text.removeprefix("-")
    if not digits.isascii() or not digits.isdigit() or len(digits) not in _FINER:
        return ""
    unit, per_ms = _FINER[len(digits)]
    ms = int(text) // per_ms
    if not with_time:
        ms = ms // 86_400_000 * 86_400_000
    when = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(milliseconds=ms)
    if number_cell:
        return (f": it looks like epoch {unit} ({when.strftime(_shown(with_time))}); HubSpot reads a number cell "
                "as an Excel serial day, which it is not, and epoch milliseconds from a Text cell only: write "
                f"{ms} in a Text cell, or the date in a date cell")
    return (f": it looks like epoch {unit} ({when.strftime(_shown(with_time))}), where HubSpot reads "
            f"milliseconds: write {ms}")
