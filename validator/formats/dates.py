"""HubSpot's date and datetime grammars (fact sheet 6): cells parsed under each ``dateFormat``
(``parse_dates`` -> ``Dates``), epoch milliseconds, Excel's serial day numbers in workbook number
cells, dates parsed once per distinct text of a file (``ParsedTexts``), and cells that read as
different days under different dateFormats. Calendar validity is checked by arithmetic, not by
``pyarrow.compute.strptime`` (which rolls 02/30 into March)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from validator.catalog import builtin
from validator.formats.arrays import _ints, arrow, as_mask, blank, distinct_cells
from validator.formats.numbers import SCIENTIFIC

DATE_FORMATS = ("MONTH_DAY_YEAR", "DAY_MONTH_YEAR", "YEAR_MONTH_DAY")
_FACTS = builtin().raw.get("formats", {})
MONTHS: tuple[str, ...] = tuple(_FACTS.get("months", ()))
# a month name of another language, or an abbreviation with or without its dot -> its month (1-12)
FOREIGN_MONTHS: dict[str, int] = {
    **{name: i + 1 for i, names in enumerate(_FACTS.get("foreign_months", ())) for name in names},
    **{name + dot: i + 1 for i, names in enumerate(_FACTS.get("foreign_month_abbreviations", ()))
       for name in names for dot in ("", ".")}}
PIVOT = int(_FACTS.get("two_digit_year_pivot", 69))
EPOCH_MS_DIGITS = int(_FACTS.get("epoch_ms_min_digits", 11))

_M = r"(?P<m>\d{1,2}|[A-Za-z]{3,9})"
_D = r"(?P<d>\d{1,2})"
_Y = r"(?P<y>\d{4}|\d{2})"
_S1, _S2 = r"(?P<s1>[/.-])", r"(?P<s2>[/.-])"
DATE_PATTERNS = {
    "MONTH_DAY_YEAR": f"{_M}{_S1}{_D}{_S2}{_Y}",
    "DAY_MONTH_YEAR": f"{_D}{_S1}{_M}{_S2}{_Y}",
    "YEAR_MONTH_DAY": f"{_Y}{_S1}{_M}{_S2}{_D}",
}
# a time after one T or spaces, and an offset only after a time (`+hh:mm`; `+hhmm`, `+hh` and `Z`
# parse too, HS221's undocumented forms: PostgreSQL writes a whole hour's offset as `+00`, `-05`)
_TIME_RE = (r"(?:(?:T| +)(?P<H>\d{1,2}):(?P<MI>\d{2})(?::(?P<SS>\d{2})(?:\.\d{1,9})?)?\s*(?P<ap>[AaPp]\.?[Mm]\.?)?"
            r"\s*(?P<off>[+-]\d{2}(?::?\d{2})?|Z)?)?")
_EPOCH_MS = rf"^-?\d{{{EPOCH_MS_DIGITS},15}}$"
_EPOCH_S = r"^-?\d{9,10}$"
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


@dataclass(frozen=True, slots=True, eq=False)
class Dates:
    """Parsed date or datetime cells. ``ok`` is True for cells that parse (blank cells excluded)."""

    blank: np.ndarray
    ok: np.ndarray
    epoch: np.ndarray  # epoch milliseconds (ok)
    epoch_seconds: np.ndarray  # 9-10 digits, perhaps after a minus: epoch seconds, read by HubSpot as milliseconds
    year: np.ndarray
    month: np.ndarray
    day: np.ndarray

    @property
    def bad(self) -> np.ndarray:
        return ~(self.blank | self.ok | self.epoch_seconds)

    def take(self, index: np.ndarray) -> Dates:
        """The cells at ``index`` (to spread dates parsed once per distinct text to the rows)."""
        return Dates(*(getattr(self, f.name)[index] for f in fields(self)))


def _month(text: pa.Array, foreign: bool = False) -> np.ndarray:
    lower = pc.utf8_lower(text)
    if foreign:  # only the names of other languages: the cells that need them
        names = pc.index_in(lower, value_set=pa.array(list(FOREIGN_MONTHS)))
        month = np.array(list(FOREIGN_MONTHS.values()), dtype=np.int64)
        at = np.asarray(pc.fill_null(names, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
        return np.where(at >= 0, month[np.maximum(at, 0)], 0)
    full = pc.index_in(lower, value_set=pa.array(MONTHS))
    short = pc.index_in(lower, value_set=pa.array([m[:3] for m in MONTHS]))
    named = pc.coalesce(full, short)
    number = _ints(text)
    named_np = np.asarray(pc.fill_null(named, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    is_num = as_mask(pc.match_substring_regex(text, r"^\d{1,2}$"))
    return np.where(is_num, number, named_np + 1)  # 0 when neither


def valid_ymd(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    in_month = (month >= 1) & (month <= 12)
    last = _DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    return in_month & (day >= 1) & (day <= last)


_UNSET: Any = object()


def parse_dates(values: pd.Series | pa.Array, date_format: str, *, with_time: bool = False,
                distinct: Any = _UNSET, foreign: bool = False) -> Dates:
    """Cells as HubSpot's importer reads a date (or, ``with_time``, a datetime) property.

    Date: month as number, 3-letter or full English name; 2- or 4-digit year; ``/``, ``-`` or
    ``.`` (the same one twice); order per ``dateFormat`` [V] S6. Datetime adds ``hh:mm`` (seconds
    allowed), optional AM/PM and an offset ``+hh:mm``, or a UNIX epoch in milliseconds [V] S6.
    Epoch milliseconds are accepted for date properties too (the object API's form [V] S10; [I]
    for imports). Two-digit years: 00-68 are 20xx, 69-99 are 19xx [I].
    ``distinct``: the column's ``distinct_cells`` when the caller has it already. ``foreign``:
    read only month names of other languages (``FOREIGN_MONTHS``, any letters, an abbreviation's
    trailing dot), not English ones.
    """
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    if distinct is _UNSET:
        distinct = distinct_cells(arr)
    if distinct is not None:  # parse each distinct text once, then spread to the rows
        texts, at = distinct
        return parse_dates(texts, date_format, with_time=with_time, foreign=foreign).take(at)
    fmt = date_format if date_format in DATE_PATTERNS else "MONTH_DAY_YEAR"
    pattern = "^" + DATE_PATTERNS[fmt] + (_TIME_RE if with_time else "") + "$"
    if foreign:
        pattern = pattern.replace("[A-Za-z]{3,9}", r"\p{L}{3,9}\.?")  # `janv.`
    parts = pc.extract_regex(arr, pattern)
    found = as_mask(parts.is_valid())

    def get(name: str) -> pa.Array:
        return pc.fill_null(pc.struct_field(parts, name), "")

    year = _ints(get("y"))
    short = np.asarray(pc.utf8_length(get("y")).to_numpy(zero_copy_only=False)) == 2
    year = np.where(short, np.where(year < PIVOT, 2000 + year, 1900 + year), year)
    month = _month(get("m"), foreign)
    day = _ints(get("d"))
    ok = found & as_mask(pc.equal(get("s1"), get("s2"))) & valid_ymd(year, month, day)
    if with_time:
        ok &= _valid_time(get)
    empty = blank(arr)
    epoch = as_mask(pc.match_substring_regex(arr, _EPOCH_MS)) & ~ok
    seconds = as_mask(pc.match_substring_regex(arr, _EPOCH_S)) & ~ok
    if epoch.any():
        ms = np.where(epoch, _ints_wide(arr), 0)
        stamp = pd.to_datetime(ms, unit="ms", errors="coerce")
        year = np.where(epoch, stamp.year.to_numpy(), year)
        month = np.where(epoch, stamp.month.to_numpy(), month)
        day = np.where(epoch, stamp.day.to_numpy(), day)
    zero = ~(ok | epoch)
    # narrow integers: a chunk keeps its date columns parsed under each dateFormat while its rules
    # run (every epoch of 11-15 digits is within pandas' range: years -29719 to 33658)
    return Dates(blank=empty, ok=ok | epoch, epoch=epoch, epoch_seconds=seconds,
                 year=np.where(zero, 0, year).astype(np.int32), month=np.where(zero, 0, month).astype(np.int8),
                 day=np.where(zero, 0, day).astype(np.int8))


def parses(text: str, date_format: str, *, with_time: bool = False) -> bool:
    """Whether one cell parses as ``parse_dates`` reads it (an epoch in milliseconds included), in
    Python: for a message's word on one cell (``parse_dates`` of a single cell takes ~3 ms, most
    of it compiling its pattern). A Hypothesis test holds the two to the same answer."""
    if re.fullmatch(_EPOCH_MS, text, re.ASCII):
        return True
    found = _one_pattern(date_format if date_format in DATE_PATTERNS else "MONTH_DAY_YEAR", with_time).fullmatch(text)
    if found is None or found["s1"] != found["s2"]:
        return False
    year, name = int(found["y"]), found["m"].lower()
    if len(found["y"]) == 2:
        year += 2000 if year < PIVOT else 1900
    month = int(name) if name.isdigit() else next((i + 1 for i, m in enumerate(MONTHS) if name in (m, m[:3])), 0)
    leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
    if not (1 <= month <= 12 and 1 <= int(found["d"]) <= _DAYS[month] + (month == 2 and leap)):  # (``valid_ymd``)
        return False
    if not with_time:
        return True
    hour, ampm = found["H"], found["ap"]
    if hour is None:
        return not ampm
    minute, second = int(found["MI"]), int(found["SS"] or 0)
    hour_ok = 1 <= int(hour) <= 12 if ampm else int(hour) <= 23
    off = re.sub(r"[^0-9]", "", found["off"] or "")
    return hour_ok and minute <= 59 and second <= 59 and int(off[:2] or 0) <= 14 and int(off[2:4] or 0) <= 59


@functools.cache
def _one_pattern(date_format: str, with_time: bool) -> re.Pattern[str]:
    """``parse_dates``' pattern (RE2's) in Python's ``re``: ASCII, as RE2's ``\\d`` and ``\\s`` are."""
    pattern = DATE_PATTERNS[date_format] + (_TIME_RE if with_time else "")
    return re.compile(pattern.replace(r"\s", r"[\t\n\f\r ]"), re.ASCII)  # (RE2's \s has no \v)


# Excel's serial day numbers: 1 is 1900-01-01 (60 is the 29 February 1900 that Excel counts and
# the calendar lacks), 2,958,465 is 9999-12-31; in the 1904 system 0 is 1904-01-01
SERIAL_MAX = 2_958_465
_DAY_1900, _DAY_1904 = np.datetime64("1899-12-30", "D"), np.datetime64("1904-01-01", "D")


def serial_numbers(values: pa.Array | pa.ChunkedArray | pd.Series, number_cells: np.ndarray,
                   date1904: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(which cells are number cells holding a serial day of Excel's calendar, their numbers)."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    text = pc.if_else(pa.array(number_cells), arr, pa.scalar("nan"))
    number = np.asarray(pc.cast(pc.if_else(pc.match_substring_regex(text, SCIENTIFIC), text, "nan"),
                                pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    with np.errstate(invalid="ignore"):
        serial = number_cells & (number >= (0 if date1904 else 1)) & (number <= SERIAL_MAX - (1462 if date1904 else 0))
    return serial, number


def serial_datetime(number: float, date1904: bool = False) -> dt.datetime | None:
    """One serial day (and time of day) as ``serial_dates`` reads it; None outside the calendar."""
    if not (0 if date1904 else 1) <= number <= SERIAL_MAX - (1462 if date1904 else 0):
        return None
    day = int(number // 1)
    start = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30) + dt.timedelta(days=day < 60)
    return start + dt.timedelta(days=number)


def serial_dates(dates: Dates, values: pa.Array | pa.ChunkedArray, number_cells: np.ndarray,
                 date1904: bool = False) -> Dates:
    """``dates`` with the workbook number cells that hold a serial day number read as that day:
    HubSpot asks for Excel date cells in Number format (fact sheet 6, [V] S6)."""
    serial, number = serial_numbers(values, number_cells, date1904)
    if not serial.any():
        return dates
    days = np.floor(np.where(serial, number, 61)).astype(np.int64)
    # before 1 March 1900 Excel's count runs one day ahead (its 29 February 1900)
    day = _DAY_1904 + days if date1904 else _DAY_1900 + days + (days < 60)
    ymd = day.astype("datetime64[D]")
    years = ymd.astype("datetime64[Y]").astype(np.int64) + 1970
    months = ymd.astype("datetime64[M]").astype(np.int64) % 12 + 1
    mdays = (ymd - ymd.astype("datetime64[M]")).astype(np.int64) + 1
    return replace(dates, ok=dates.ok | serial,
                   year=np.where(serial, years, dates.year).astype(np.int32),
                   month=np.where(serial, months, dates.month).astype(np.int8),
                   day=np.where(serial, mdays, dates.day).astype(np.int8))


class SharedTexts:
    """What the ``ParsedTexts`` of one column (one per dateFormat and grammar) share: the texts
    they keep, as one array where theirs are equal (they see the same chunks' texts), and the
    lookup of a chunk's texts among them, made once for all of them (``pc.index_in`` hashes its
    whole value set, up to 16,384 texts, at every call)."""

    def __init__(self) -> None:
        self.kept: pa.Array | None = None
        self.lookups: list[tuple[pa.Array, pa.Array, pa.Array]] = []  # the latest few

    def intern(self, texts: pa.Array) -> pa.Array:
        """``texts``, or the array kept last where it holds the same texts in the same order."""
        kept = self.kept
        if kept is not None and len(kept) == len(texts) and kept.equals(texts):
            return kept
        self.kept = texts
        return texts

    def index_in(self, texts: pa.Array, value_set: pa.Array) -> pa.Array:
        """``pc.index_in(texts, value_set=value_set)``, once per pair of arrays."""
        for seen, among, at in self.lookups:
            if seen is texts and among is value_set:
                return at
        at = pc.index_in(texts, value_set=value_set)
        self.lookups = [*self.lookups[-3:], (texts, value_set, at)]
        return at


class ParsedTexts:
    """Dates parsed so far in one column of a file (under one dateFormat, as dates or datetimes),
    by text. A file's chunks repeat most of their distinct dates (a few thousand days), so each
    text is parsed once per file instead of once per chunk; at most ``limit`` texts are kept.
    ``shared``: the column's ``SharedTexts``, where it has other dateFormats or grammars."""

    limit = 1 << 14  # 16,384 texts (45 years of days): about 0.6 MB a column and dateFormat
    _FIELDS = ("blank", "ok", "epoch", "epoch_seconds", "year", "month", "day")

    def __init__(self, date_format: str, with_time: bool, shared: SharedTexts | None = None):
        self.date_format, self.with_time = date_format, with_time
        self.shared = shared if shared is not None else SharedTexts()
        self.texts: pa.Array | None = None
        self.dates: Dates | None = None

    def parse(self, texts: pa.Array) -> Dates:
        """``parse_dates`` of distinct ``texts``, from what was parsed before where it can."""
        if self.texts is None or self.dates is None:
            fresh = parse_dates(texts, self.date_format, with_time=self.with_time, distinct=None)
            if len(texts) <= self.limit:
                self.texts, self.dates = self.shared.intern(texts), fresh
            return fresh
        at = self.shared.index_in(texts, self.texts)
        known = as_mask(at.is_valid())
        if known.all():
            where = np.asarray(at.to_numpy(zero_copy_only=False), dtype=np.intp)
            return self.dates.take(where)
        new = np.flatnonzero(~known)
        fresh = parse_dates(texts.take(pa.array(new)), self.date_format, with_time=self.with_time, distinct=None)
        old = np.flatnonzero(known)
        where = np.asarray(pc.fill_null(at, 0).to_numpy(zero_copy_only=False), dtype=np.intp)[old]
        out = {}
        for f in self._FIELDS:
            mine, theirs = getattr(self.dates, f), getattr(fresh, f)
            merged = np.empty(len(texts), dtype=np.result_type(mine.dtype, theirs.dtype))
            merged[old] = mine[where]
            merged[new] = theirs
            out[f] = merged
        if len(self.texts) + len(new) <= self.limit:
            self.texts = self.shared.intern(pa.concat_arrays([self.texts, texts.take(pa.array(new))]))
            self.dates = Dates(**{f: np.concatenate([getattr(self.dates, f), getattr(fresh, f)])
                                  for f in self._FIELDS})
        return Dates(**out)


def _ints_wide(arr: pa.Array) -> np.ndarray:
    digits = pc.match_substring_regex(arr, r"^-?\d{1,15}$")
    safe = pc.if_else(digits, arr, pa.scalar("0"))
    return np.asarray(pc.cast(safe, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def _valid_time(g: Callable[[str], pa.Array]) -> np.ndarray:
    hour_text = g("H")
    has_time = as_mask(pc.not_equal(hour_text, ""))
    hour, minute, second = _ints(hour_text), _ints(g("MI")), _ints(g("SS"))
    has_ampm = as_mask(pc.not_equal(g("ap"), ""))
    hour_ok = np.where(has_ampm, (hour >= 1) & (hour <= 12), hour <= 23)
    time_ok = ~has_time | (hour_ok & (minute <= 59) & (second <= 59))
    off = g("off")
    off_digits = pc.replace_substring_regex(off, r"[^0-9]", "")
    off_h = _ints(pc.utf8_slice_codeunits(off_digits, 0, 2))
    off_m = _ints(pc.utf8_slice_codeunits(off_digits, 2, 4))
    off_ok = (off_h <= 14) & (off_m <= 59)
    return time_ok & off_ok & ~(has_ampm & ~has_time)


def date_verdict(values: pd.Series | pa.Array, *, with_time: bool = False) -> dict[str, np.ndarray]:
    """For each dateFormat, which cells parse under it (calendar dates only, no epochs)."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    out: dict[str, np.ndarray] = {}
    for fmt in DATE_FORMATS:
        d = parse_dates(arr, fmt, with_time=with_time)
        out[fmt] = d.ok & ~d.epoch
    return out


def ambiguous_dates(values: pd.Series | pa.Array, *, with_time: bool = False) -> np.ndarray:
    """Cells that parse under more than one dateFormat to different days (``03/04/2024``)."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    return ambiguous_of([parse_dates(arr, f, with_time=with_time) for f in DATE_FORMATS])


def ambiguous_of(parsed: Sequence[Dates]) -> np.ndarray:
    """Ambiguity from cells already parsed under each dateFormat."""
    keys = [np.where(p.ok & ~p.epoch, p.year.astype(np.int64) * 10000 + p.month.astype(np.int64) * 100 + p.day, -1)
            for p in parsed]
    out = np.zeros(len(keys[0]) if keys else 0, dtype=bool)
    for i in range(len(keys)):
        for j in range(i + 1, len(keys)):
            out |= (keys[i] >= 0) & (keys[j] >= 0) & (keys[i] != keys[j])
    return out
