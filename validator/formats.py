"""HubSpot's import value grammars as vectorized predicates (fact sheet 6).

Every predicate takes a Series of cell strings and returns numpy arrays over the same rows: a
boolean mask, and where a rule needs it the parsed value. Work is done by pyarrow compute kernels
(RE2 regular expressions, casts, set lookups), never by a Python loop over cells. Blank cells
(empty or spaces) are HubSpot's "leave the value alone" [V] S6: predicates return True for them
through ``ok = blank | valid`` in the rules, and the parsers mark them ``blank``.

Calendar validity is checked by arithmetic, not by ``pyarrow.compute.strptime`` (which rolls
02/30 into March).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from validator.catalog import Option, builtin
from validator.readers.text import byte_table, bytes_and_offsets, cells_at, lookup, non_ascii_cells

DATE_FORMATS = ("MONTH_DAY_YEAR", "DAY_MONTH_YEAR", "YEAR_MONTH_DAY")
_FACTS = builtin().raw.get("formats", {})
MONTHS: tuple[str, ...] = tuple(_FACTS.get("months", ()))
BOOL_TRUE: tuple[str, ...] = tuple(_FACTS.get("bool_true", ("true", "yes")))
BOOL_FALSE: tuple[str, ...] = tuple(_FACTS.get("bool_false", ("false", "no")))
MAX_TEXT = int(_FACTS.get("max_text_length", 65536))
PIVOT = int(_FACTS.get("two_digit_year_pivot", 69))
EPOCH_MS_DIGITS = int(_FACTS.get("epoch_ms_min_digits", 11))

_M = r"(?P<m>\d{1,2}|[A-Za-z]{3,9})"
_D = r"(?P<d>\d{1,2})"
_Y = r"(?P<y>\d{4}|\d{2})"
_S1, _S2 = r"(?P<s1>[/.-])", r"(?P<s2>[/.-])"
_DATE_RE = {
    "MONTH_DAY_YEAR": f"{_M}{_S1}{_D}{_S2}{_Y}",
    "DAY_MONTH_YEAR": f"{_D}{_S1}{_M}{_S2}{_Y}",
    "YEAR_MONTH_DAY": f"{_Y}{_S1}{_M}{_S2}{_D}",
}
# a time after one T or spaces, and an offset only after a time
_TIME_RE = (r"(?:(?:T| +)(?P<H>\d{1,2}):(?P<MI>\d{2})(?::(?P<SS>\d{2})(?:\.\d{1,9})?)?\s*(?P<ap>[AaPp]\.?[Mm]\.?)?"
            r"\s*(?P<off>[+-]\d{2}:?\d{2}|Z)?)?")
_EPOCH_MS = rf"^-?\d{{{EPOCH_MS_DIGITS},15}}$"
_EPOCH_S = r"^\d{9,10}$"
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def arrow(values: pd.Series | Sequence[str], trim: bool = True) -> pa.Array:
    """Cells as a pyarrow string array, trimmed (unless the caller knows no cell starts or ends
    with whitespace: ``trim=False``); None and NaN become ''.

    Cells holding undecodable bytes (kept as lone surrogates by the reader) cannot be UTF-8: they
    are replaced by U+FFFD first, which no grammar accepts, so they fail every typed check.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    try:
        arr = pa.array(series, from_pandas=True)  # zero-copy for pyarrow-backed str columns
        if arr.type != pa.string():
            arr = pc.cast(arr, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, UnicodeEncodeError):
        # rare path (a column with undecodable bytes): one pass in Python to make it UTF-8
        fixed = [v.encode("utf-8", "replace").decode("utf-8") if isinstance(v, str) else ""
                 for v in series.to_numpy(dtype=object)]
        arr = pa.array(fixed, type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = pc.fill_null(arr, "")
    return pc.utf8_trim_whitespace(arr) if trim else arr


def _np(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def fold(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Texts with letter case set aside, one way for cells and for the option, owner and pipeline
    names they are matched with: Arrow's lower case, with ß as ss and a final sigma as σ (Python's
    ``casefold`` and Arrow's ``utf8_lower`` differ on ß, ς and İ; one of each side made a case-only
    match an error)."""
    lower = pc.utf8_lower(arr)
    return pc.replace_substring(pc.replace_substring(lower, "ß", "ss"), "ς", "σ")


def fold_texts(texts: Iterable[str]) -> list[str]:
    """``fold`` of Python strings (the names cells are matched with)."""
    items = list(texts)
    if not items:
        return []
    try:
        data = pa.array(items, type=pa.string())
    except (UnicodeEncodeError, pa.ArrowInvalid):  # undecodable bytes kept as lone surrogates: U+FFFD
        data = pa.array([t.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for t in items],
                        type=pa.string())
    return fold(data).to_pylist()


def _ints(arr: pa.Array) -> np.ndarray:
    """Digits -> int64 (non-digits -> 0)."""
    digits = pc.match_substring_regex(arr, r"^\d{1,9}$")
    safe = pc.if_else(digits, arr, pa.scalar("0"))
    return np.asarray(pc.cast(safe, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def blank(values: pd.Series | pa.Array) -> np.ndarray:
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    return _np(pc.equal(pc.utf8_length(arr), 0))


def matches(values: pd.Series | pa.Array, pattern: str, ignore_case: bool = False) -> np.ndarray:
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    return _np(pc.match_substring_regex(arr, pattern, ignore_case=ignore_case))


DISTINCT_MIN_ROWS = 2048  # below this, parsing every cell costs less than finding distinct ones
DISTINCT_GLANCE = 4096  # cells looked at first in a longer column


def _distinct(arr: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray] | None:
    """(distinct texts, position of each cell's text among them) when the column repeats its
    values enough for parsing the distinct ones only to pay; None otherwise."""
    if len(arr) < DISTINCT_MIN_ROWS:
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if len(arr) >= 2 * DISTINCT_GLANCE:  # nearly all different at the head: not worth encoding whole
        head = pc.dictionary_encode(arr.slice(0, DISTINCT_GLANCE))
        if len(head.dictionary) * 10 > DISTINCT_GLANCE * 9:
            return None
    encoded = pc.dictionary_encode(arr)
    if len(encoded.dictionary) * 2 > len(arr) or encoded.null_count:
        return None
    at = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.intp)
    return encoded.dictionary, at


# -- dates ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, eq=False)
class Dates:
    """Parsed date or datetime cells. ``ok`` is True for cells that parse (blank cells excluded)."""

    blank: np.ndarray
    ok: np.ndarray
    epoch: np.ndarray  # epoch milliseconds (ok)
    epoch_seconds: np.ndarray  # 9-10 digits: epoch seconds, read by HubSpot as milliseconds
    year: np.ndarray
    month: np.ndarray
    day: np.ndarray

    @property
    def bad(self) -> np.ndarray:
        return ~(self.blank | self.ok | self.epoch_seconds)

    def take(self, index: np.ndarray) -> Dates:
        """The cells at ``index`` (to spread dates parsed once per distinct text to the rows)."""
        return Dates(*(getattr(self, f.name)[index] for f in fields(self)))


def _month(text: pa.Array) -> np.ndarray:
    lower = pc.utf8_lower(text)
    full = pc.index_in(lower, value_set=pa.array(MONTHS))
    short = pc.index_in(lower, value_set=pa.array([m[:3] for m in MONTHS]))
    named = pc.coalesce(full, short)
    number = _ints(text)
    named_np = np.asarray(pc.fill_null(named, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    is_num = _np(pc.match_substring_regex(text, r"^\d{1,2}$"))
    return np.where(is_num, number, named_np + 1)  # 0 when neither


def valid_ymd(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    in_month = (month >= 1) & (month <= 12)
    last = _DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    return in_month & (day >= 1) & (day <= last)


_UNSET: Any = object()


def parse_dates(values: pd.Series | pa.Array, date_format: str, *, with_time: bool = False,
                distinct: Any = _UNSET) -> Dates:
    """Cells as HubSpot's importer reads a date (or, ``with_time``, a datetime) property.

    Date: month as number, 3-letter or full English name; 2- or 4-digit year; ``/``, ``-`` or
    ``.`` (the same one twice); order per ``dateFormat`` [V] S6. Datetime adds ``hh:mm`` (seconds
    allowed), optional AM/PM and an offset ``+hh:mm``, or a UNIX epoch in milliseconds [V] S6.
    Epoch milliseconds are accepted for date properties too (the object API's form [V] S10; [I]
    for imports). Two-digit years: 00-68 are 20xx, 69-99 are 19xx [I].
    ``distinct``: the column's ``_distinct`` when the caller has it already.
    """
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    if distinct is _UNSET:
        distinct = _distinct(arr)
    if distinct is not None:  # parse each distinct text once, then spread to the rows
        texts, at = distinct
        return parse_dates(texts, date_format, with_time=with_time).take(at)
    fmt = date_format if date_format in _DATE_RE else "MONTH_DAY_YEAR"
    pattern = "^" + _DATE_RE[fmt] + (_TIME_RE if with_time else "") + "$"
    parts = pc.extract_regex(arr, pattern)
    found = _np(parts.is_valid())

    def get(name: str) -> pa.Array:
        return pc.fill_null(pc.struct_field(parts, name), "")

    year = _ints(get("y"))
    short = np.asarray(pc.utf8_length(get("y")).to_numpy(zero_copy_only=False)) == 2
    year = np.where(short, np.where(year < PIVOT, 2000 + year, 1900 + year), year)
    month = _month(get("m"))
    day = _ints(get("d"))
    ok = found & _np(pc.equal(get("s1"), get("s2"))) & valid_ymd(year, month, day)
    if with_time:
        ok &= _valid_time(get)
    empty = blank(arr)
    epoch = _np(pc.match_substring_regex(arr, _EPOCH_MS)) & ~ok
    seconds = _np(pc.match_substring_regex(arr, _EPOCH_S)) & ~ok
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


class ParsedTexts:
    """Dates parsed so far in one column of a file (under one dateFormat, as dates or datetimes),
    by text. A file's chunks repeat most of their distinct dates (a few thousand days), so each
    text is parsed once per file instead of once per chunk; at most ``limit`` texts are kept."""

    limit = 1 << 14  # 16,384 texts (45 years of days): about 0.6 MB a column and dateFormat
    _FIELDS = ("blank", "ok", "epoch", "epoch_seconds", "year", "month", "day")

    def __init__(self, date_format: str, with_time: bool):
        self.date_format, self.with_time = date_format, with_time
        self.texts: pa.Array | None = None
        self.dates: Dates | None = None

    def parse(self, texts: pa.Array) -> Dates:
        """``parse_dates`` of distinct ``texts``, from what was parsed before where it can."""
        if self.texts is None or self.dates is None:
            fresh = parse_dates(texts, self.date_format, with_time=self.with_time, distinct=None)
            if len(texts) <= self.limit:
                self.texts, self.dates = texts, fresh
            return fresh
        at = pc.index_in(texts, value_set=self.texts)
        known = _np(at.is_valid())
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
            self.texts = pa.concat_arrays([self.texts, texts.take(pa.array(new))])
            self.dates = Dates(**{f: np.concatenate([getattr(self.dates, f), getattr(fresh, f)])
                                  for f in self._FIELDS})
        return Dates(**out)


def _ints_wide(arr: pa.Array) -> np.ndarray:
    digits = pc.match_substring_regex(arr, r"^-?\d{1,15}$")
    safe = pc.if_else(digits, arr, pa.scalar("0"))
    return np.asarray(pc.cast(safe, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def _valid_time(g: Callable[[str], pa.Array]) -> np.ndarray:
    hour_text = g("H")
    has_time = _np(pc.not_equal(hour_text, ""))
    hour, minute, second = _ints(hour_text), _ints(g("MI")), _ints(g("SS"))
    has_ampm = _np(pc.not_equal(g("ap"), ""))
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


# -- numbers -------------------------------------------------------------------------------
_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
NUMBER = f"^{_NUM}$"
SCIENTIFIC = rf"^{_NUM}(?:[eE][+-]?\d+)?$"
PERCENT = rf"^{_NUM}\s*%$"
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
CURRENCY = (rf"^[+-]?\s*(?:{_SYMBOL}|[A-Z]{{3}}\s)\s*{_AMOUNT}$"
            rf"|^[+-]?{_AMOUNT}\s*(?:{_SYMBOL}|\s[A-Z]{{3}})$")


@dataclass(frozen=True, slots=True, eq=False)
class Numbers:
    blank: np.ndarray
    ok: np.ndarray
    thousands: np.ndarray  # 1,234 / 1 234 (HubSpot's handling undocumented [GAP])
    decimal_comma: np.ndarray  # 12,5
    currency: np.ndarray  # $12 / 12 EUR
    value: np.ndarray  # float64 (NaN where not ok)

    @property
    def formatted(self) -> np.ndarray:
        """Numbers written for people: separators, symbols, commas (flagged, not rejected)."""
        return ~self.ok & ~self.blank & (self.thousands | self.decimal_comma | self.currency)

    @property
    def bad(self) -> np.ndarray:
        return ~(self.ok | self.blank | self.formatted)


def parse_numbers(values: pd.Series | pa.Array, *, scientific: bool = True, percent: bool = False) -> Numbers:
    """Digits with at most one decimal point; scientific notation for the ``number`` fieldType
    [V] S10; ``25%`` for percentages [V] S6 (``.25`` is a plain number)."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    ok = _np(pc.match_substring_regex(arr, SCIENTIFIC if scientific else NUMBER))
    text = arr
    if percent:
        pct = _np(pc.match_substring_regex(arr, PERCENT))
        ok |= pct
        text = pc.replace_substring_regex(arr, r"\s*%$", "")
    safe = pc.if_else(pa.array(ok), text, pa.scalar("nan"))
    value = np.asarray(pc.cast(safe, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
    ok &= ~np.isinf(value)  # 1e999: digits, but past any number HubSpot can store (INVALID_NUMBER_SIZE [I])
    empty = blank(arr)
    # how the other cells are formatted: only they are looked at (a percentage's `%` set aside)
    thousands, comma, currency = (np.zeros(len(ok), dtype=bool) for _ in range(3))
    odd = np.flatnonzero(~ok & ~empty)
    if len(odd):
        rest = pc.take(text, pa.array(odd))
        thousands[odd] = _np(pc.match_substring_regex(rest, THOUSANDS))
        comma[odd] = _np(pc.match_substring_regex(rest, DECIMAL_COMMA)) & ~thousands[odd]
        currency[odd] = _np(pc.match_substring_regex(rest, CURRENCY))
    return Numbers(blank=empty, ok=ok, thousands=thousands, decimal_comma=comma, currency=currency,
                   value=value)


# -- booleans, enumerations -----------------------------------------------------------------
def bools(values: pd.Series | pa.Array) -> np.ndarray:
    """True for cells a single checkbox accepts: True / Yes / False / No, in any case [V] S6
    (case not documented [GAP]; we accept any case, as the object API's own form is ``true``)."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    return _np(pc.is_in(pc.utf8_lower(arr), value_set=pa.array([*BOOL_TRUE, *BOOL_FALSE])))


@dataclass(frozen=True, slots=True)
class OptionSet:
    """An enumeration's options as lookup sets (label or internal value, fact sheet 4.4)."""

    exact: frozenset[str]
    folded: frozenset[str]
    ambiguous: frozenset[str]  # one option's label and another's internal value
    folded_ambiguous: frozenset[str]

    @classmethod
    def of(cls, options: Iterable[Option]) -> OptionSet:
        opts = [o for o in options]
        exact = {o.label for o in opts} | {o.value for o in opts}
        by_label = {o.label: o.value for o in opts}
        ambiguous = {o.value for o in opts if o.value in by_label and by_label[o.value] != o.value}
        folded: dict[str, set[str]] = {}
        pairs = [(t, o.value) for o in opts for t in (o.label, o.value)]
        for (_t, value), key in zip(pairs, fold_texts(t for t, _v in pairs), strict=True):
            folded.setdefault(key, set()).add(value)
        return cls(frozenset(exact), frozenset(folded), frozenset(ambiguous),
                   frozenset(k for k, v in folded.items() if len(v) > 1))


@dataclass(frozen=True, slots=True, eq=False)
class EnumMatch:
    blank: np.ndarray
    exact: np.ndarray  # every item equals a label or internal value
    folded: np.ndarray  # every item equals one ignoring case
    ambiguous: np.ndarray  # some item is one option's label and another's value
    spaced: np.ndarray  # multiple checkboxes: a space after ';'

    @property
    def unmatched(self) -> np.ndarray:
        return ~(self.blank | self.folded)


def match_options(values: pd.Series | pa.Array, options: OptionSet, *, multiple: bool = False) -> EnumMatch:
    """Cells against an enumeration's options. ``multiple``: ``a;b`` items, a leading ``;``
    appends [V] S6, S16; empty items are skipped."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    distinct = _distinct(arr)
    if distinct is not None:  # dropdown columns repeat a few options: match each distinct text once
        texts, at = distinct
        m = match_options(texts, options, multiple=multiple)
        return EnumMatch(blank=m.blank[at], exact=m.exact[at], folded=m.folded[at], ambiguous=m.ambiguous[at],
                         spaced=m.spaced[at])
    n = len(arr)
    empty = blank(arr)
    if multiple:
        lists = pc.split_pattern(arr, ";")
        raw_items = pc.list_flatten(lists)
        parent = np.asarray(pc.list_parent_indices(lists).to_numpy(zero_copy_only=False))
        items = pc.utf8_trim_whitespace(raw_items)
        skip = blank(items)
        # a space (any Unicode one, as the trim takes) beside a ';': at the start of an item after
        # the first, or at the end of one before the last (the cell's own ends are HS409's)
        length = np.asarray(pc.utf8_length(raw_items).to_numpy(zero_copy_only=False))
        lead = length != np.asarray(pc.utf8_length(pc.utf8_ltrim_whitespace(raw_items)).to_numpy(zero_copy_only=False))
        trail = length != np.asarray(pc.utf8_length(pc.utf8_rtrim_whitespace(raw_items)).to_numpy(zero_copy_only=False))
        first = np.ones(len(parent), dtype=bool)
        first[1:] = parent[1:] != parent[:-1]
        last = np.ones(len(parent), dtype=bool)
        last[:-1] = parent[:-1] != parent[1:]
        spaced_items = (lead & ~first) | (trail & ~last)
    else:
        items, parent, skip = arr, np.arange(n), empty
        spaced_items = np.zeros(n, dtype=bool)

    def any_row(item_mask: np.ndarray) -> np.ndarray:
        if not multiple:
            return item_mask
        out = np.zeros(n, dtype=bool)
        out[parent[item_mask]] = True  # setting True is idempotent: the same as logical_or.at
        return out

    exact_i = _np(pc.is_in(items, value_set=pa.array(sorted(options.exact), type=pa.string())))
    folded_items = fold(items)
    folded_i = exact_i | _np(pc.is_in(folded_items,
                                      value_set=pa.array(sorted(options.folded), type=pa.string())))
    amb_i = _np(pc.is_in(items, value_set=pa.array(sorted(options.ambiguous), type=pa.string())))
    amb_i |= ~exact_i & _np(pc.is_in(folded_items,
                                     value_set=pa.array(sorted(options.folded_ambiguous), type=pa.string())))
    return EnumMatch(blank=empty, exact=~any_row(~exact_i & ~skip) & ~empty,
                     folded=~any_row(~folded_i & ~skip) & ~empty, ambiguous=any_row(amb_i & ~skip),
                     spaced=any_row(spaced_items & ~skip) & ~empty)


# -- text formats --------------------------------------------------------------------------
# A label of an internationalised domain holds letters, digits and combining marks (IDNA2008
# permits them: Devanagari's vowel signs, Tamil's virama, Thai's tone marks, and every accent of
# a decomposed `bu\u0308cher.de`), and the joiners U+200C/U+200D within it (Persian, Indic
# scripts); a label starts with a letter or digit, a top-level domain with a letter.
_LABEL = r"[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}\x{200C}\x{200D}-]*[\p{L}\p{M}\p{N}])?"
_TLD = r"\p{L}[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}]"
DOMAIN = rf"^(?:{_LABEL}\.)+{_TLD}$|^(?:{_LABEL}\.)+xn--[a-z0-9-]+$"
EMAIL = (r"^[^\s@\"(),:;<>\[\]\\.](?:[^\s@\"(),:;<>\[\]\\]*[^\s@\"(),:;<>\[\]\\.])?@"
         rf"(?:{_LABEL}\.)+{_TLD}$")
# RFC 5321's other forms, which few senders use: a quoted local part (any text but an unescaped
# quote or a control character; `\\` escapes one character; UTF-8 as RFC 6531 allows) and an
# address literal for the domain (an IPv4 address, or `IPv6:` and one).
_QUOTED = r'"(?:[^"\\\x00-\x1f\x7f]|\\[\x20-\x7e])+"'
_IPV4 = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}"
_LITERAL = rf"\[(?:{_IPV4}|IPv6:(?:[0-9A-Fa-f]{{0,4}}:){{2,7}}(?:[0-9A-Fa-f]{{1,4}}|{_IPV4})?)\]"
EMAIL_RARE = (rf"^{_QUOTED}@(?:(?:{_LABEL}\.)+{_TLD}|{_LITERAL})$|"
              rf"^[^\s@\"(),:;<>\[\]\\.](?:[^\s@\"(),:;<>\[\]\\]*[^\s@\"(),:;<>\[\]\\.])?@{_LITERAL}$")
DOMAIN_EXTRA = r"^[A-Za-z][A-Za-z0-9+.-]*://|^www\.|[/?#:]|[^.]\.$"  # ... or the root's dot: `acme.com.`
PHONE = r"^\+?[\d\s().\-/]*\d[\d\s().\-/]*(?:\s*(?:ext\.?|x|#)\s*\d+)?$"
TERM = r"^P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?$|^\d+$"
FILE_ID = r"^\d+$|^https?://\S+$"


def _ascii(pattern: str) -> str:
    """``pattern`` for ASCII-only text, its letter and digit classes ASCII's: the same matches
    there, about twice as fast in RE2, and compiled in microseconds instead of milliseconds."""
    for wide, narrow in ((r"[\p{L}\p{M}\p{N}\x{200C}\x{200D}-]", "[A-Za-z0-9-]"),
                         (r"[\p{L}\p{M}\p{N}-]", "[A-Za-z0-9-]"), (r"[\p{L}\p{M}\p{N}]", "[A-Za-z0-9]"),
                         (r"[\p{L}\p{M}]", "[A-Za-z]"), (r"[\p{L}\p{N}]", "[A-Za-z0-9]"), (r"\p{L}", "[A-Za-z]")):
        pattern = pattern.replace(wide, narrow)
    return pattern


EMAIL_ASCII = _ascii(EMAIL)
DOMAIN_ASCII = _ascii(DOMAIN)
_WIDE_DOMAIN = r"@[^@]*[^\x00-\x7F]"  # a non-ASCII character after an @ (after the last, or two @s)


def _utf8_bytes(arr: pa.Array | pa.ChunkedArray) -> list[np.ndarray]:
    """The UTF-8 bytes of the values of a string array, one uint8 view per Arrow chunk (no copy:
    numpy's tests of them release the GIL)."""
    return [bytes_and_offsets(piece)[0] for piece in (arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr])]


def _has_pair(data: np.ndarray, byte: int) -> bool:
    """Whether ``byte`` occurs twice in a row in ``data``."""
    at = data == byte
    return bool(np.any(at[1:] & at[:-1]))


def emails(values: pd.Series | pa.Array) -> np.ndarray:
    """A valid address: one ``@``, no spaces, a dotted domain ending in letters; or one of RFC
    5321's rarer forms (``rare_emails``). HubSpot's exact grammar is not published [GAP]; this
    accepts every address RFC 5321 mail uses (RFC 6531's UTF-8 included)."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    blocks = _utf8_bytes(arr) if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) else None
    ascii_only = blocks is not None and all(not len(b) or int(b.max()) < 0x80 for b in blocks)
    wide = non_ascii_cells(arr) if blocks is not None and not ascii_only else None
    if blocks is None:
        ok = _np(pc.match_substring_regex(arr, EMAIL))
    else:  # the grammars differ only after the @: the ASCII one decides every cell but those with
        # a non-ASCII character after an @ (RE2 compiles the Unicode one in ~2 ms, each call)
        ok = _np(pc.match_substring_regex(arr, EMAIL_ASCII))
        if wide is not None and wide.any():
            at = np.flatnonzero(wide)
            at = at[_np(pc.match_substring_regex(pc.take(arr, pa.array(at)), _WIDE_DOMAIN))]
            if len(at):
                ok[at] = _np(pc.match_substring_regex(pc.take(arr, pa.array(at)), EMAIL))
    if blocks is None or any(_has_pair(b, 0x2E) for b in blocks):
        ok &= ~_np(pc.match_substring(arr, ".."))
    if blocks is None or any(len(b) and ((b == 0x22).any() or (b == 0x5B).any()) for b in blocks):
        at = np.flatnonzero(~ok)  # only cells the plain grammar refused: a quote or a [ is rare
        if len(at):
            ok[at] = rare_emails(pc.take(arr, pa.array(at)))
    return ok


def rare_emails(values: pd.Series | pa.Array) -> np.ndarray:
    """RFC 5321 addresses that few senders use: a quoted local part (``"john.doe"@example.com``)
    or an address literal (``user@[192.168.1.1]``, ``user@[IPv6:2001:db8::1]``). Two dots in a
    row are allowed only inside the quotes."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    ok = _np(pc.match_substring_regex(arr, EMAIL_RARE))
    if ok.any():
        ok &= ~(_np(pc.match_substring(arr, "..")) & ~_np(pc.starts_with(arr, '"')))
    return ok


def domains(values: pd.Series | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(valid, stripped): ``stripped`` when HubSpot keeps only the host (a scheme, ``www.``,
    path, port or query is cut [V] S6); ``valid`` when the host left is a domain name."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    distinct = _distinct(arr)
    if distinct is not None:  # a contact file's company domains repeat: each distinct text once
        texts, at = distinct
        valid, extra = domains(texts)
        return valid[at], extra[at]
    extra = _np(pc.match_substring_regex(arr, DOMAIN_EXTRA, ignore_case=True))
    if np.count_nonzero(extra) * 2 > len(extra):
        return _hosts(_host(arr)), extra
    valid = _hosts(arr)  # a cell with nothing to cut is its own host
    if extra.any():
        at = np.flatnonzero(extra)
        valid[at] = _hosts(_host(pc.take(arr, pa.array(at))))
    return valid, extra


def _host(arr: pa.Array) -> pa.Array:
    """The host HubSpot keeps: scheme, path, query, port, ``www.`` and the dot of a fully
    qualified name (``acme.com.``, DNS's name of the root, after the top-level domain) cut."""
    host = pc.replace_substring_regex(arr, r"^[A-Za-z][A-Za-z0-9+.-]*://", "")
    host = pc.replace_substring_regex(host, r"[/?#:].*$", "")
    host = pc.replace_substring_regex(host, r"([^.])\.$", r"\1")
    return pc.replace_substring_regex(host, r"(?i)^www\.", "")


def _hosts(arr: pa.Array) -> np.ndarray:
    """Whether each host, lower-cased, is a domain name: by the ASCII grammar where it is
    ASCII, by the Unicode one (~3 ms to compile, each call) on the others."""
    lowered = pc.utf8_lower(arr)
    ok = _np(pc.match_substring_regex(lowered, DOMAIN_ASCII))
    wide = non_ascii_cells(lowered)
    if wide.any():
        at = np.flatnonzero(wide)
        ok[at] = _np(pc.match_substring_regex(pc.take(lowered, pa.array(at)), DOMAIN))
    return ok


def phones(values: pd.Series | pa.Array) -> np.ndarray:
    """Digits with the usual punctuation, an optional leading ``+`` and ``ext<n>`` [V] S6."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    return by_bytes_then(arr, _PHONE_BYTES, lambda rest: matches(rest, PHONE, ignore_case=True))


# PHONE's plainest cells by bytes: a leading + or what may follow it, then digits, RE2's ``\s``
# and ( ) . - / only, ending in a digit (so holding one): each such cell matches PHONE
_PHONE_BYTES = (b"+0123456789\t\n\x0c\r ().-/", b"0123456789\t\n\x0c\r ().-/", b"0123456789")


def byte_class_cells(arr: pa.Array | pa.ChunkedArray, first: bytes, rest: bytes,
                     last: bytes | None = None) -> np.ndarray:
    """Non-empty cells whose first byte is one of ``first``, every later byte one of ``rest``
    and, with ``last``, whose last byte is one of ``last``: by table lookups over the UTF-8
    bytes (a byte over 0x7F is in no ASCII set, so a cell holding one is never taken)."""
    out = []
    for piece in (arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]):
        data, offsets = bytes_and_offsets(piece)
        filled = np.flatnonzero(offsets[1:] > offsets[:-1])
        wrong = ~lookup(byte_table(rest), data)
        starts = offsets[filled]
        wrong[starts] = ~lookup(byte_table(first), data[starts])
        ok = np.zeros(len(piece), dtype=bool)
        ok[filled] = True if last is None else lookup(byte_table(last), data[offsets[filled + 1] - 1])
        out.append(ok & ~cells_at(offsets, np.flatnonzero(wrong)))
    return out[0] if len(out) == 1 else np.concatenate(out) if out else np.zeros(0, dtype=bool)


def by_bytes_then(arr: pa.Array | pa.ChunkedArray, plain: tuple[bytes, bytes, bytes | None],
                  test: Callable[[pa.Array | pa.ChunkedArray], np.ndarray]) -> np.ndarray:
    """``test(arr)``, given that the cells ``byte_class_cells(arr, *plain)`` takes pass it: the
    test runs on the other cells only (most phone numbers are plain, and RE2 costs ~50 ns a cell)."""
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return test(arr)
    ok = byte_class_cells(arr, *plain)
    rest = np.flatnonzero(~ok)
    if len(rest) * 2 > len(ok):
        return test(arr)
    if len(rest):
        ok[rest] = test(pc.take(arr, pa.array(rest)))
    return ok


def terms(values: pd.Series | pa.Array) -> np.ndarray:
    """ISO-8601 period ``PnYnMnWnD`` (``P12M``, ``P1Y``) or a month count (``10``) [V] S6."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    upper = pc.utf8_upper(arr)
    return _np(pc.match_substring_regex(upper, TERM)) & _np(pc.not_equal(upper, "P"))


TERM_PARTS = r"^(?:P(?:(?P<y>\d+)Y)?(?:(?P<m>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?|(?P<n>\d+))$"
DAYS_PER_MONTH = 365.25 / 12


def term_months(values: pd.Series | pa.Array) -> np.ndarray:
    """The length in months of each term ``terms`` accepts (weeks and days at 365.25/12 days a
    month); NaN for any other cell."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    upper = pc.utf8_upper(arr)
    ok = terms(upper)
    parts = pc.extract_regex(upper, TERM_PARTS)

    def number(name: str) -> np.ndarray:
        field = pc.struct_field(parts, name)
        text = pc.if_else(pc.equal(field, ""), "0", pc.fill_null(field, "0"))
        return np.asarray(pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
    months = (number("y") * 12 + number("m") + number("n")
              + (number("w") * 7 + number("d")) / DAYS_PER_MONTH)
    return np.where(ok, months, np.nan)


def file_ids(values: pd.Series | pa.Array) -> np.ndarray:
    """A File Manager file ID [V] S6 (or a URL, which the errorType name allows [I])."""
    return matches(values, FILE_ID)


def too_long(values: pd.Series | pa.Array, limit: int = MAX_TEXT) -> np.ndarray:
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    return _np(pc.greater(pc.utf8_length(arr), limit))
