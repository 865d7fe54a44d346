"""Dates and numbers HubSpot cannot parse, or reads otherwise than the file means (HS201,
HS203-HS206; fact sheet 6).

The value rules are split by property type: this module holds the date, datetime and number
cells, which share the message of a value that does not parse; ``values_epochs`` the bare
numbers in date columns (HS202); ``values_options`` the
checkboxes and enumerations; ``values_formats`` the string formats (emails, domains, phones,
terms, file IDs) and the length of any value. Each rule is a predicate from
``validator.formats`` over one column plus one call to the cell helper. Blank cells are skipped
everywhere: HubSpot ignores them [V] S6.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import numpy as np

from validator import formats
from validator.catalog import Property
from validator.checks._date_forms import written_form_note
from validator.checks.base import Hit, counted, odd_space_note, quote
from validator.checks.typed import ValueRule, cached, cells, distinct_texts, is_date, is_number, kind_mask
from validator.checks.values_digits import other_digit_cells, other_digit_dates
from validator.checks.values_epochs import near_zero_epochs, unparsed_date_note
from validator.checks.values_months import foreign_month_cells
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.readers.base import Chunk


class UnparseableDate(ValueRule):
    """A date or datetime cell does not parse under the import's dateFormat.

    Why: HubSpot reads dates by the request's `dateFormat` (MONTH_DAY_YEAR unless set): month as
    number, 3-letter or full name, 2- or 4-digit year, separators `/`, `-` or `.`; datetimes add
    `hh:mm`, AM/PM and a `+hh:mm` offset, or give epoch milliseconds (fact sheet 6, [V] S6).
    Anything else, and impossible dates such as 02/30, fail the row with COULD_NOT_PARSE_DATE
    (INVALID_EVENT_TIMESTAMP in a marketing event's `EVENT_TIMESTAMP` column). A cell that
    parses once its month name of another language is read (`janvier`) is HS220's warning, and
    one that parses once its digits of another script are read as 0-9 (`１５/０３/２０２４`) HS252's. A
    number of 16 or 19 digits is named as the epoch microseconds or nanoseconds it looks like,
    with the milliseconds to write, and a zero date (`0000-00-00`, which databases write for
    none) as no date. A date whose meaning is certain but whose form HubSpot does not document is
    told why, with the form to write in the import's dateFormat: an English month name with
    spaces and a comma between the parts (Notion's `April 6, 2024`: `04/06/2024` under
    MONTH_DAY_YEAR; `15 mars 2024` in another language), a zone written `GMT+1` or `UTC` where
    HubSpot documents an offset (Google Forms' `2024/03/15 2:30:00 PM GMT+1`: `2024/03/15
    2:30:00 PM +01:00`), a date that reads in one other of HubSpot's orders only (`03/15/2024`
    under DAY_MONTH_YEAR, which has no month 15: `15/03/2024`; ISO's `2024-03-15T10:30:00Z`), and
    eight digits that are a year, a month and a day (`20240315`).
    Example: `2024-03-15` or `31/12/2024` under MONTH_DAY_YEAR.
    Fix: write the dates in the declared order, or change `dateFormat` (see HS204's verdict).
    """

    code = "HS201"
    name = "unparseable-date"
    hubspot_error = "COULD_NOT_PARSE_DATE"
    other_errors = ("INVALID_EVENT_TIMESTAMP",)  # in a marketing event's EVENT_TIMESTAMP column
    derived_values = True  # an epoch's date and milliseconds

    def wants(self, prop: Property) -> bool:
        return is_date(prop)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        fmt = self.date_format
        for column, prop in self.typed(file, chunk):
            kind = "datetime" if prop.type == "datetime" else "date"
            event = column.spec is not None and column.spec.column_type == "EVENT_TIMESTAMP"
            # a month name of another language is HS220's warning (the cell parses with it read)
            bad = self.dates(chunk, file, column, prop).bad & ~foreign_month_cells(self, chunk, file, column, prop)
            bad &= ~near_zero_epochs(self, chunk, file, column, prop)  # zero: HS202's, as no date
            if bad.any():  # digits of another script: HS252's warning, where they make a date
                bad &= ~other_digit_cells(self, chunk, file, column, prop)
            error = "INVALID_EVENT_TIMESTAMP" if event else None
            numbers = kind_mask(chunk, column.index, "n")
            if numbers is not None and (bad & numbers).any():  # a workbook's number cells
                _serial, number = formats.serial_numbers(cells(chunk, column), bad & numbers)
                with np.errstate(invalid="ignore"):
                    negative = bad & numbers & (number < 0)
                yield from self.cells(chunk, file, column, negative,
                                      _not_a(f"is not a {fmt} {kind}: a negative number, which is no date's "
                                             "serial day (a date cell shows it as ########)"), hubspot_error=error)
                bad = bad & ~negative
                yield from self.cells(chunk, file, column, bad & numbers,
                                      _not_a(f"is not a {fmt} {kind}", kind == "datetime", number_cell=True),
                                      hubspot_error=error)
                bad = bad & ~numbers
            times = kind_mask(chunk, column.index, "t")
            if times is not None and (bad & times).any():  # a workbook's time cells ('09:05': what it shows)
                yield from self.cells(chunk, file, column, bad & times,
                                      _not_a(f"is not a {fmt} {kind}: the cell holds a time of day and no date "
                                             "(a time cell, or a date cell under 1: a fraction of a day)"),
                                      hubspot_error=error)
                bad = bad & ~times
            yield from self.cells(chunk, file, column, bad,
                                  _not_a(f"is not a {fmt} {kind}", kind == "datetime", date_format=fmt),
                                  hubspot_error=error)


def _not_a(what: str, with_time: bool | None = None, number_cell: bool = False,
           date_format: str | None = None) -> Callable[[str], str]:
    """The message of a value that does not parse, with a word on spaces that look plain; for a date
    (``with_time`` given), on a number of epoch microseconds or nanoseconds (in a workbook's
    ``number_cell``, which HubSpot reads as a serial day); with ``date_format``, on a date in a form
    HubSpot does not document whose date is certain (`April 6, 2024`, `... GMT+1`), and the form to write."""
    def note(value: str) -> str:
        if with_time is None:
            return ""
        said = unparsed_date_note(value, with_time, number_cell)
        if not said and date_format is not None:
            said = written_form_note(value, date_format, with_time)
        return said
    return lambda value: f"{quote(value)} {what}{note(value)}{odd_space_note(value)}"


class DateOutOfRange(ValueRule):
    """A date parses but lies outside a plausible range of years.

    Why: HubSpot rejects some dates as OUTSIDE_VALID_TIME_RANGE; far more often a year like 0024
    or 2924 is a typo that imports silently. The range is an option (default 1900-2100) [I].
    Epoch milliseconds are named with the year they are read as.
    Example: `03/15/0024`.
    Fix: correct the year, or widen `min_year` / `max_year` for this rule.
    """

    code = "HS203"
    name = "date-out-of-range"
    severity = Severity.WARNING
    hubspot_error = "OUTSIDE_VALID_TIME_RANGE"
    options: ClassVar[Mapping[str, Any]] = {"min_year": 1900, "max_year": 2100}
    derived_values = True  # the year an epoch is read as
    constants = (r"the years -?\d+--?\d+",)

    def wants(self, prop: Property) -> bool:
        return is_date(prop)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        low, high = int(self.opt["min_year"]), int(self.opt["max_year"])
        for column, prop in self.typed(file, chunk):
            d = self.dates(chunk, file, column, prop)
            bad = d.ok & ((d.year < low) | (d.year > high))
            if bad.any():
                bad &= ~near_zero_epochs(self, chunk, file, column, prop)  # 1970 as no date: HS202's
            # an epoch: the year it is read as, which the cell does not show
            yield from self.cells(chunk, file, column, bad & d.epoch, _epoch_out_of_range(low, high))
            yield from self.cells(chunk, file, column, bad & ~d.epoch, f"{{value}} is outside the years {low}-{high}")


def _epoch_out_of_range(low: int, high: int) -> Callable[[str], str]:
    def message(value: str) -> str:
        year = int(np.datetime64(int(value.strip()), "ms").astype("datetime64[Y]").astype(np.int64)) + 1970
        return f"{quote(value)} is epoch milliseconds in the year {year}, outside the years {low}-{high}"
    return message


class DateFormatVerdict(ValueRule):
    """A date column is written in another dateFormat than the request declares, or mixes formats.

    Why: one `dateFormat` applies to every date in the import. When values are impossible under
    it (a 13th month, a 31st of April) the column was most likely written in another order; then
    every ambiguous value (03/04/2024) imports with day and month swapped, silently. Values
    that are a date in no format (`soon`) are HS201's alone and do not hide the verdict; a date
    in digits of another script (`１５/０３/２０２４`, HS252) counts as the date it is in 0-9. In a
    workbook only text cells count: date cells are written out in the declared dateFormat.
    Example: `28/10/2023`, `03/04/2024` under MONTH_DAY_YEAR: every value parses as DAY_MONTH_YEAR.
    Fix: set `dateFormat` to the format named, or rewrite the column in one format.
    """

    code = "HS204"
    name = "date-format-verdict"
    severity = Severity.WARNING
    hubspot_error = "COULD_NOT_PARSE_DATE"

    def wants(self, prop: Property) -> bool:
        return is_date(prop)

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.counts: dict[int, dict[str, int]] = {}
        self.by_column = {c.index: (c, p) for c, p in self.typed(file)}
        yield from ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.by_column.values():
            # counted over the column's distinct texts, each weighted by its rows, where it has
            # them (a file's dates repeat: a few thousand texts a chunk); else row by row
            distinct = {f: self.distinct_dates(chunk, file, column, prop, f) for f in formats.DATE_FORMATS}
            weights: np.ndarray | None = None
            parsed: dict[str, formats.Dates] = {}
            for f, got in distinct.items():
                if got is None:
                    weights = None
                    parsed = {f: self.dates(chunk, file, column, prop, f) for f in formats.DATE_FORMATS}
                    break
                parsed[f], weights = got
            texts = distinct_texts(chunk, column)[0] if weights is not None else cells(chunk, column)
            first = parsed[formats.DATE_FORMATS[0]]
            calendar = ~first.blank & ~first.epoch & ~first.epoch_seconds
            # a workbook's text cells only: its date and number cells are written out by the
            # reader in the declared dateFormat (or are serial days), never ambiguous, and say
            # nothing of the format the column's text dates are in
            written = kind_mask(chunk, column.index, "s")
            if written is not None and weights is None:
                calendar &= written
            elif written is not None and not written.all():
                _texts, at = distinct_texts(chunk, column)
                weights = np.bincount(at[written], minlength=len(calendar))
            ok = {f: p.ok & calendar for f, p in parsed.items()}
            union = np.zeros(len(calendar), dtype=bool)
            for m in ok.values():
                union |= m
            ambiguous = formats.ambiguous_of(list(parsed.values())) & calendar
            other_digit_dates(texts, calendar & ~union, ok, union, ambiguous)

            def count(mask: np.ndarray, weights: np.ndarray | None = weights) -> int:
                return int(mask.sum()) if weights is None else int(weights[mask].sum())
            c = self.counts.setdefault(column.index, {})
            c["values"] = c.get("values", 0) + count(calendar)
            c["ambiguous"] = c.get("ambiguous", 0) + count(ambiguous)
            c["any"] = c.get("any", 0) + count(union)
            for f, m in ok.items():
                c[f] = c.get(f, 0) + count(m)
        yield from ()

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        declared = self.date_format
        for index, c in sorted(getattr(self, "counts", {}).items()):
            column = self.by_column[index][0]
            n = c["values"]
            bad = n - c.get(declared, 0)
            if not n or not bad:
                continue
            message = self._verdict(c, declared, n, bad)
            if message:
                # about the whole column: at its header cell, or at no row where there is none
                yield self.finding(message, file=file, row=1 if file.header is not None else None, column=column)
        self.counts = {}

    @staticmethod
    def _verdict(c: Mapping[str, int], declared: str, n: int, bad: int) -> str | None:
        """The column's verdict, or None. Values that are a date in no format (``soon``,
        ``2023-13-45``: HS201 names each) do not hide it: a few of them in a column written in
        another order would otherwise leave its every other value unexplained."""
        dated = c.get("any", 0)  # values that are a date in at least one format
        junk = n - dated
        if not dated or dated == c.get(declared, 0):  # every date fits the declared format
            return None
        amb = (f"; {c['ambiguous']:,} of them {'is' if c['ambiguous'] == 1 else 'are'} ambiguous"
               if c.get("ambiguous") else "")
        # (the values no format reads, apart from those counted: "1 is a date in no format" read as one of them)
        nodate = f" ({junk:,} other {'value is' if junk == 1 else 'values are'} no date in any format)" if junk else ""
        all_ok = [f for f in formats.DATE_FORMATS if f != declared and c.get(f, 0) == dated]
        if all_ok:
            every = f"all {dated:,} that are dates parse" if junk else "every value parses"
            are = "is" if bad == 1 else "are"
            return (f"{bad:,} of {counted(n, 'value')} {are} impossible as {declared}; {every} as "
                    f"{all_ok[0]}{nodate}; the request says {declared}{amb}")
        parts = ", ".join(f"{c[f]:,} {'parses' if c[f] == 1 else 'parse'} as {f}"
                          for f in formats.DATE_FORMATS if c.get(f, 0))
        of = f"of the {dated:,} values that are dates{nodate}" if junk else f"of {n:,} values"
        return f"the column mixes date formats: {of} {parts}{amb}"


class UnparseableNumber(ValueRule):
    """A number cell is not a number HubSpot can read.

    Why: number properties take digits with at most one decimal point, scientific notation for
    the `number` fieldType, and `25%` for percentages (fact sheet 6, [V] S10, S6). Other text fails
    the row's value with COULD_NOT_PARSE_NUMBER.
    A number too large to store (`1e400`) is INVALID_NUMBER_SIZE (fact sheet 2) [I].
    A negative amount as ledgers write one, in parentheses (accounting's `(1,200.50)`, `($1,200)`)
    or with the minus after it (SAP's `1200-`), is no number either; the message gives the number
    to write (`-1200.50`).
    A duration (a call's `hs_call_duration`, a portal property shown as a duration) is a number of
    milliseconds ([V] S6): a clock (`00:02:30`, whose label "Call duration (HH:mm:ss)" invites it)
    or units (`2m`, `150s`) are no number, and the message gives their milliseconds (after a minus,
    `-0:02:30`, the length's: a duration is not below zero; a negative number is HS251's warning).
    A workbook's time cell there (`0:02:30` formatted `h:mm:ss`) is a number Excel keeps as a
    fraction of a day, not text; how HubSpot reads one on a duration is not documented [GAP], and
    the message says so and gives the milliseconds to write (the reader gives `00:02` for two
    minutes: hours and minutes, not minutes and seconds).
    Example: `twelve`, `1.2.3`, `n/a` in Amount; `00:02:30` in Call duration.
    Fix: write plain numbers (`1234.5`; a duration in milliseconds, `150000` for 2.5 minutes); leave
    the cell empty when there is no value.
    """

    code = "HS205"
    name = "unparseable-number"
    hubspot_error = "COULD_NOT_PARSE_NUMBER"
    other_errors = ("INVALID_NUMBER_SIZE",)  # a number past a double's range
    derived_values = True  # a clock's milliseconds
    constants = (r"past -?1\.8e308",)

    def wants(self, prop: Property) -> bool:
        return is_number(prop)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file, chunk):
            n = numbers(chunk, column, prop)
            bad = n.bad
            huge = bad & np.isinf(n.value)  # digits, past any number a double holds (1e400)
            if huge.any():
                yield from self.cells(chunk, file, column, huge, _too_large, hubspot_error="INVALID_NUMBER_SIZE")
                bad = bad & ~huge
            if prop.format == "duration":
                times = kind_mask(chunk, column.index, "t")  # a workbook's time cells: numbers, not text
                if times is not None and (bad & times).any():
                    yield from self.cells(chunk, file, column, bad & times, _time_cell(prop.name))
                    bad = bad & ~times
            message = _not_a_duration(prop.name) if prop.format == "duration" else _not_a_number
            yield from self.cells(chunk, file, column, bad, message)


# a negative amount as ledgers write one: in parentheses (accounting's format: `(1,200.50)`,
# `($1,200)`) or with the minus after it (SAP's `1200-`)
_PARENTHESES = re.compile(r"\(\s*([^()]*\d[^()]*?)\s*\)")
_TRAILING_MINUS = re.compile(r"([^-]*\d)\s*-")


def _not_a_number(value: str) -> str:
    """HS205's message: for a negative amount written as ledgers write one, the number to write."""
    return f"{quote(value)} is not a number{_negative_note(value.strip())}{odd_space_note(value)}"


def _negative_note(text: str) -> str:
    """``": why; write -X"`` for `(1,200.50)` or `1200-`, where the amount inside is a number as
    written (``1200``), or one HS206 gives the number of (``$1,200``, ``1.200,50``); else ``""``."""
    found = _PARENTHESES.fullmatch(text)
    how = "parentheses are accounting's way of writing a negative amount"
    if found is None:
        found = _TRAILING_MINUS.fullmatch(text)
        how = "a minus after the number is how SAP and other ledgers write a negative amount"
    if found is None:
        return ""
    inner = found.group(1)
    if inner[:1] in "+-":  # (a sign inside as well: no certain reading)
        return ""
    number, otherwise = None, None
    if formats.matches_one(inner, formats.SCIENTIFIC):
        number = inner
    elif formats.matches_one(inner, formats.CURRENCY):
        amount = formats.currency_amount(inner)
        if amount is not None:
            number, otherwise = amount.number, amount.otherwise
    elif formats.matches_one(inner, formats.THOUSANDS) or formats.matches_one(inner, formats.DECIMAL_COMMA):
        number, otherwise = formats.plain_number(inner)
    if number is None:
        return ""
    other = f" (-{otherwise} if the separator is a decimal mark)" if otherwise is not None else ""
    return f": {how}; write -{number}{other}"


def _too_large(value: str) -> str:
    if value.strip().startswith("-"):
        return f"{quote(value)} is too large a negative number to store (past -1.8e308)"
    return f"{quote(value)} is too large a number to store (past 1.8e308)"


def _not_a_duration(name: str) -> Callable[[str], str]:
    """A duration cell's message: its milliseconds where it is a clock or has units."""
    def message(value: str) -> str:
        text = value.strip()
        # a clock or units after a minus: their length, and a word that a duration is not negative
        length = text[1:].lstrip() if text.startswith("-") else text
        read = formats.duration_ms(length)
        given = "" if read is None else (
            f" ({length} as {'minutes and seconds' if read[1] == 'mm:ss' else 'hh:mm:ss'} is {read[0]})"
            if read[1] != "units" else f" ({length} is {read[0]})")
        sign = ", and not below zero" if read is not None and length != text else ""
        return (f"{quote(value)} is not a number: {name} is a duration in milliseconds{sign}{given}"
                f"{odd_space_note(value)}")
    return message


_TIME_CELL = re.compile(r"(\d+):(\d\d)(?::(\d\d))?")


def _time_cell(name: str) -> Callable[[str], str]:
    """A workbook's time cell in a duration column: Excel keeps a fraction of a day, which the reader
    gives as ``HH:MM[:SS]`` (seconds only when not zero) or, past a day, ``H:MM:SS``: never minutes
    and seconds."""
    def message(value: str) -> str:
        clock = _TIME_CELL.fullmatch(value.strip())
        write = ""
        if clock:
            hours, minutes, seconds = (int(part or 0) for part in clock.groups())
            form = "hh:mm:ss" if clock.group(3) is not None else "hh:mm"
            write = f"; for {value.strip()} ({form}) write {((hours * 60 + minutes) * 60 + seconds) * 1000}"
        return (f"{quote(value)} is a time cell (Excel keeps a time as a number of days): {name} is a duration in "
                f"milliseconds, and how HubSpot reads a time cell there is not documented{write}")
    return message


class FormattedNumber(ValueRule):
    """A number cell carries thousands separators, a currency symbol, a decimal comma or the digits of another script.

    Why: HubSpot documents only digits with one decimal point (fact sheet 6). How it treats
    `1,234`, `$12` or `12,5` is not documented [GAP]: at best they fail with
    COULD_NOT_PARSE_NUMBER, at worst `1,234` becomes 1.234.
    Every locale's way counts: `1.234.567`, `1 234,56` (with a no-break space), Swiss `1'234.50`,
    India's `1,23,456.78`, `R$ 1.234,56`, `1 234,56 zł`, and `12,5 %` on a percentage. So do
    digits other than 0-9 (full-width `１２３` from a CJK input method, Arabic-Indic `١٢٣`,
    Devanagari `१२३`): whether HubSpot reads them is not documented either [GAP], and the message
    gives the number in 0-9.
    An amount with its currency is one whatever the spacing: a symbol (`$ 1,200`, `€8.400,50`) or
    an ISO 4217 code (`USD 23000`, `EUR8400.50`, `23 000 EUR`) before or after it, a sign before
    or after the mark (`-$50`, `$-50`); the message names the code or symbol and the number to
    write (`write 8400.50`; for a lone dot before three digits, `€8.400`, both readings). Three
    letters that are no currency code (`ABC 100`, or a code in lower case) and a mark with no
    amount are no number: HS205's error.
    Example: `$1,200.00` in Amount; `12,5` in Quantity; `１２３`; `EUR8400.50`.
    Fix: remove separators and symbols; use a decimal point (`1200.00`, `12.5`) and the digits 0-9.
    """

    code = "HS206"
    name = "formatted-number"
    severity = Severity.WARNING
    hubspot_error = "COULD_NOT_PARSE_NUMBER"
    derived_values = True  # the number to write, in 0-9
    constants = (r"the digits 0-9",)

    def wants(self, prop: Property) -> bool:
        return is_number(prop)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file, chunk):
            n = numbers(chunk, column, prop)
            yield from self.cells(chunk, file, column, n.formatted, _formatted_message)


def _formatted_message(value: str) -> str:
    plain = formats.in_ascii_digits(value)
    if plain is not None:
        words = formats.digit_script(value)
        written = (f"write {plain}" if formats.matches_one(plain.removesuffix("%").rstrip(), formats.SCIENTIFIC)
                   else f"in the digits 0-9 it is {plain}")
        return (f"{quote(value)} has {words} digits; HubSpot documents the digits 0-9, and whether it reads others "
                f"is not documented: {written}")
    number = value.strip().removesuffix("%").rstrip()  # a percentage's number
    if formats.matches_one(number, formats.CURRENCY):
        amount = formats.currency_amount(number)
        if amount is not None:
            return f"{quote(value)} has a currency {amount.kind}, {quote(amount.mark)}; {_EXPECTED}{_to_write(amount)}"
        return f"{quote(value)} has a currency symbol; {_EXPECTED}"
    kind = "thousands separators" if formats.matches_one(number, formats.THOUSANDS) else "a decimal comma"
    plain, otherwise = formats.plain_number(number)
    if plain is None:
        return f"{quote(value)} has {kind}; {_EXPECTED}"
    sign = "%" if number != value.strip() else ""  # a percentage keeps its %: `12,5 %` is 12.5%
    other = f" ({otherwise}{sign} if the comma is a decimal mark)" if otherwise is not None else ""
    return f"{quote(value)} has {kind}; {_EXPECTED}: write {plain}{sign}{other}"


_EXPECTED = "HubSpot expects digits and one decimal point"


def _to_write(amount: formats.CurrencyAmount) -> str:
    if amount.number is None:
        return ""
    if amount.otherwise is None:
        return f": write {amount.number}"
    return f": write {amount.number} ({amount.otherwise} if the dot is a decimal point)"


def numbers(chunk: Chunk, column: Column, prop: Property) -> formats.Numbers:
    percent = prop.format == "percentage"
    scientific = prop.field_type == "number"
    return cached(chunk, ("numbers", column.index, percent, scientific),
                  lambda: formats.parse_numbers(cells(chunk, column), scientific=scientific, percent=percent))

