"""Cell values HubSpot rejects or silently drops, per property type (fact sheet 6).

Each rule is a predicate from ``validator.formats`` over one column plus one call to the cell
helper. Blank cells are skipped everywhere: HubSpot ignores them [V] S6.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from validator import formats
from validator.catalog import Property
from validator.checks._facts import blank_at, screen
from validator.checks.base import Hit, odd_space_note, quote
from validator.checks.typed import ValueRule, cached, cells, is_bool, is_date, is_enumeration, is_number
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.keys import split_list, split_quoted
from validator.readers.base import Chunk


class UnparseableDate(ValueRule):
    """A date or datetime cell does not parse under the import's dateFormat.

    Why: HubSpot reads dates by the request's `dateFormat` (MONTH_DAY_YEAR unless set): month as
    number, 3-letter or full name, 2- or 4-digit year, separators `/`, `-` or `.`; datetimes add
    `hh:mm`, AM/PM and a `+hh:mm` offset, or give epoch milliseconds (fact sheet 6, [V] S6).
    Anything else, and impossible dates such as 02/30, fail the row with COULD_NOT_PARSE_DATE
    (INVALID_EVENT_TIMESTAMP in a marketing event's `EVENT_TIMESTAMP` column).
    Example: `2024-03-15` or `31/12/2024` under MONTH_DAY_YEAR.
    Fix: write the dates in the declared order, or change `dateFormat` (see HS204's verdict).
    """

    code = "HS201"
    name = "unparseable-date"
    hubspot_error = "COULD_NOT_PARSE_DATE"

    def wants(self, prop: Property) -> bool:
        return is_date(prop)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        fmt = self.date_format
        for column, prop in self.typed(file):
            kind = "datetime" if prop.type == "datetime" else "date"
            event = column.spec is not None and column.spec.column_type == "EVENT_TIMESTAMP"
            yield from self.cells(chunk, file, column, self.dates(chunk, file, column, prop).bad,
                                  _not_a(f"is not a {fmt} {kind}"),
                                  hubspot_error="INVALID_EVENT_TIMESTAMP" if event else None)


def _not_a(what: str) -> Callable[[str], str]:
    """The message of a value that does not parse, with a word on spaces that look plain."""
    return lambda value: f"{quote(value)} {what}{odd_space_note(value)}"


class EpochSeconds(ValueRule):
    """A date cell holds a UNIX time in seconds where HubSpot expects milliseconds.

    Why: HubSpot reads a bare number in a date or datetime column as epoch milliseconds
    ([V] S6), so `1700000000` (14 Nov 2023 in seconds) becomes 20 Jan 1970, silently.
    Example: `1700000000` in a Close Date column.
    Fix: multiply by 1000 (`1700000000000`), or write the date out.
    """

    code = "HS202"
    name = "epoch-seconds"
    severity = Severity.WARNING

    def wants(self, prop: Property) -> bool:
        return is_date(prop)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file):
            yield from self.cells(chunk, file, column, self.dates(chunk, file, column, prop).epoch_seconds,
                                  "{value} looks like epoch seconds; HubSpot reads epoch milliseconds (1970)")


class DateOutOfRange(ValueRule):
    """A date parses but lies outside a plausible range of years.

    Why: HubSpot rejects some dates as OUTSIDE_VALID_TIME_RANGE; far more often a year like 0024
    or 2924 is a typo that imports silently. The range is an option (default 1900-2100) [I].
    Example: `03/15/0024`.
    Fix: correct the year, or widen `min_year` / `max_year` for this rule.
    """

    code = "HS203"
    name = "date-out-of-range"
    severity = Severity.WARNING
    hubspot_error = "OUTSIDE_VALID_TIME_RANGE"
    options: ClassVar[Mapping[str, Any]] = {"min_year": 1900, "max_year": 2100}

    def wants(self, prop: Property) -> bool:
        return is_date(prop)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        low, high = int(self.opt["min_year"]), int(self.opt["max_year"])
        for column, prop in self.typed(file):
            d = self.dates(chunk, file, column, prop)
            bad = d.ok & ((d.year < low) | (d.year > high))
            yield from self.cells(chunk, file, column, bad, f"{{value}} is outside the years {low}-{high}")


class DateFormatVerdict(ValueRule):
    """A date column is written in another dateFormat than the request declares, or mixes formats.

    Why: one `dateFormat` applies to every date in the import. When values are impossible under
    it (a 13th month, a 31st of April) the column was most likely written in another order; then
    every ambiguous value (03/04/2024) imports with day and month swapped, silently. Values
    that are a date in no format (`soon`) are HS201's alone and do not hide the verdict.
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
            arr = cells(chunk, column)
            parsed = {f: self.dates(chunk, file, column, prop, f) for f in formats.DATE_FORMATS}
            calendar = ~parsed[formats.DATE_FORMATS[0]].blank & ~parsed[formats.DATE_FORMATS[0]].epoch
            calendar &= ~parsed[formats.DATE_FORMATS[0]].epoch_seconds
            ok = {f: p.ok & calendar for f, p in parsed.items()}
            union = np.zeros(len(arr), dtype=bool)
            for m in ok.values():
                union |= m
            c = self.counts.setdefault(column.index, {})
            c["values"] = c.get("values", 0) + int(calendar.sum())
            c["ambiguous"] = c.get("ambiguous", 0) + int(
                (formats.ambiguous_of(list(parsed.values())) & calendar).sum())
            c["any"] = c.get("any", 0) + int(union.sum())
            for f, m in ok.items():
                c[f] = c.get(f, 0) + int(m.sum())
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
                yield self.finding(message, file=file, row=1, column=column)
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
        amb = f"; {c['ambiguous']:,} of them are ambiguous" if c.get("ambiguous") else ""
        nodate = f" ({junk:,} {'is a date' if junk == 1 else 'are dates'} in no format)" if junk else ""
        all_ok = [f for f in formats.DATE_FORMATS if f != declared and c.get(f, 0) == dated]
        if all_ok:
            every = f"all {dated:,} that are dates parse" if junk else "every value parses"
            return (f"{bad:,} of {n:,} values are impossible as {declared}; {every} as "
                    f"{all_ok[0]}{nodate}; the request says {declared}{amb}")
        parts = ", ".join(f"{c.get(f, 0):,} parse as {f}" for f in formats.DATE_FORMATS if c.get(f, 0))
        of = f"of the {dated:,} values that are dates{nodate}" if junk else f"of {n:,} values"
        return f"the column mixes date formats: {of} {parts}{amb}"


class TimeOnDateProperty(ValueRule):
    """A date property's cell carries a time of day.

    Why: a date property (a date picker) holds a day; HubSpot documents a time (`hh:mm`) for
    datetime properties only (fact sheet 6, [V] S6). Whether its importer drops the time, keeps
    the day or refuses the value is not documented [GAP], so this is a warning where HS201 would
    be an error. Excel writes such cells from a date column formatted with a time
    (`3/15/2024 0:00`), pandas from a datetime column (`2024-03-15 00:00:00`), and a workbook's
    date cell holding a time is read as its date and time.
    Example: `03/15/2024 14:30` in a line item's start date (`hs_recurring_billing_start_date`).
    Fix: write the day alone (`03/15/2024`): format the column as a date without a time, or map
    it to a datetime property when the time matters.
    """

    code = "HS219"
    name = "time-on-date-property"
    severity = Severity.WARNING

    def wants(self, prop: Property) -> bool:
        return is_date(prop) and prop.type != "datetime"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file):
            timed = (self.dates(chunk, file, column, prop).ok
                     & ~self.dates(chunk, file, column, prop, with_time=False).ok)
            yield from self.cells(chunk, file, column, timed, _timed(prop.name))


def _timed(name: str) -> Callable[[str], str]:
    return lambda value: (f"{quote(value)} has a time of day, but {name} is a date property (a day "
                          "alone); HubSpot documents times for datetime properties only")


class UnparseableNumber(ValueRule):
    """A number cell is not a number HubSpot can read.

    Why: number properties take digits with at most one decimal point, scientific notation for
    the `number` fieldType, and `25%` for percentages (fact sheet 6, [V] S10, S6). Other text fails
    the row's value with COULD_NOT_PARSE_NUMBER.
    A number too large to store (`1e400`) is INVALID_NUMBER_SIZE (fact sheet 2) [I].
    Example: `twelve`, `1.2.3`, `n/a` in Amount.
    Fix: write plain numbers (`1234.5`); leave the cell empty when there is no value.
    """

    code = "HS205"
    name = "unparseable-number"
    hubspot_error = "COULD_NOT_PARSE_NUMBER"

    def wants(self, prop: Property) -> bool:
        return is_number(prop)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file):
            n = numbers(chunk, column, prop)
            bad = n.bad
            huge = bad & np.isinf(n.value)  # digits, past any number a double holds (1e400)
            if huge.any():
                yield from self.cells(chunk, file, column, huge,
                                      "{value} is too large a number to store (past 1.8e308)",
                                      hubspot_error="INVALID_NUMBER_SIZE")
                bad = bad & ~huge
            yield from self.cells(chunk, file, column, bad, _not_a("is not a number"))


class FormattedNumber(ValueRule):
    """A number cell carries thousands separators, a currency symbol or a decimal comma.

    Why: HubSpot documents only digits with one decimal point (fact sheet 6). How it treats
    `1,234`, `$12` or `12,5` is not documented [GAP]: at best they fail with
    COULD_NOT_PARSE_NUMBER, at worst `1,234` becomes 1.234.
    Every locale's way counts: `1.234.567`, `1 234,56` (with a no-break space), Swiss `1'234.50`,
    India's `1,23,456.78`, `R$ 1.234,56`, `1 234,56 zł`, and `12,5 %` on a percentage.
    Example: `$1,200.00` in Amount; `12,5` in Quantity.
    Fix: remove separators and symbols; use a decimal point (`1200.00`, `12.5`).
    """

    code = "HS206"
    name = "formatted-number"
    severity = Severity.WARNING
    hubspot_error = "COULD_NOT_PARSE_NUMBER"

    def wants(self, prop: Property) -> bool:
        return is_number(prop)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file):
            n = numbers(chunk, column, prop)
            yield from self.cells(chunk, file, column, n.formatted, _formatted_message)


def _formatted_message(value: str) -> str:
    number = value.strip().removesuffix("%").rstrip()  # a percentage's number
    kind = ("a currency symbol" if formats.matches([number], formats.CURRENCY)[0] else
            "thousands separators" if formats.matches([number], formats.THOUSANDS)[0] else "a decimal comma")
    return f"{quote(value)} has {kind}; HubSpot expects digits and one decimal point"


def numbers(chunk: Chunk, column: Column, prop: Property) -> formats.Numbers:
    percent = prop.format == "percentage"
    scientific = prop.field_type == "number"
    return cached(chunk, ("numbers", column.index, percent, scientific),
                  lambda: formats.parse_numbers(cells(chunk, column), scientific=scientific, percent=percent))


class InvalidBool(ValueRule):
    """A single-checkbox cell is not True, Yes, False or No.

    Why: single checkbox (bool) properties take `True`/`Yes` (checked) or `False`/`No`
    (unchecked) [V] S6. We accept any letter case (HubSpot does not document it [GAP]). Other
    values are not imported.
    Example: `1`, `Y`, `checked`.
    Fix: write `True` or `False`.
    """

    code = "HS207"
    name = "invalid-bool"
    hubspot_error = "INVALID_PROPERTY_VALUE_FORMAT"

    def wants(self, prop: Property) -> bool:
        return is_bool(prop)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, _prop in self.typed(file):
            arr = cells(chunk, column)
            bad = ~formats.bools(arr) & ~blank_at(chunk, column.index)
            yield from self.cells(chunk, file, column, bad, "{value} is not True, Yes, False or No")


class EnumRule(ValueRule):
    def wants(self, prop: Property) -> bool:
        return is_enumeration(prop)

    def match(self, chunk: Chunk, column: Column, prop: Property) -> formats.EnumMatch:
        return cached(chunk, ("enum", column.index, prop.object_id, prop.name),
                      lambda: formats.match_options(cells(chunk, column), formats.OptionSet.of(prop.options),
                                                    multiple=prop.multiple))


def _unmatched(prop: Property, required: str | None = None, needed: bool = False) -> Any:
    """The message of a cell matching no option; ``required``: the pipeline or stage the
    property names (the row fails rather than importing without it); ``needed``: a property a
    new record cannot be created without (fact sheet 4.3)."""
    folded = set(formats.fold_texts(t for o in prop.options for t in (o.label, o.value)))
    outcome = (f"HubSpot rejects the row: its {required} must exist" if required
               else f"HubSpot leaves {prop.name} empty, and a new record needs it" if needed
               else f"HubSpot imports the record and leaves {prop.name} empty")

    def message(value: str) -> str:
        items = [v.strip() for v in value.split(";")] if prop.multiple else [value.strip()]
        wrong = [v for v, key in zip(items, formats.fold_texts(items), strict=True) if v and key not in folded]
        shown = ", ".join(quote(v) for v in wrong[:3]) or quote(value)
        sample = ", ".join(o.value for o in prop.options[:6]) + (", ..." if len(prop.options) > 6 else "")
        text = f"{shown} is not an option of {prop.name} ({sample}); {outcome}"
        if prop.multiple and any("," in v for v in wrong):  # options listed with commas, a spreadsheet's habit
            parts = [p.strip() for v in items for p in v.split(",") if p.strip()]
            if all(key in folded for key in formats.fold_texts(parts)):
                text += f"; separate checkbox values with ';': {quote(';'.join(parts))}"
        return text
    return message


class InvalidEnumerationOption(EnumRule):
    """A dropdown, radio or checkbox cell matches none of the property's options.

    Why: enumeration cells must give an option's label or internal value, and options must exist
    before the import (fact sheet 4.4, 6). HubSpot still imports the record but leaves the
    property empty, reported as INVALID_ENUMERATION_OPTION ([V-old] S9) - data is lost silently.
    A deal's or ticket's pipeline or stage that matches none is worse: the row fails
    (PROPERTY_VALUE_NOT_FOUND, fact sheet 9 #13, [V] S6).
    With a portal snapshot the account's own options apply (custom lifecycle stages, ...).
    Without one, the lists are HubSpot's defaults ([3P]/[I] in the fact sheet, 4.4), which
    accounts customise: the finding is then a warning (a severity set in the configuration wins).
    Example: `Hot lead` in Lifecycle Stage; `a,b` in a multiple-checkbox column.
    Fix: use an existing label or internal value (the finding's message lists the property's
    options; a portal snapshot gives the account's own), or add the option in HubSpot first;
    separate checkbox values with `;`.
    """

    code = "HS208"
    name = "invalid-enumeration-option"
    severity_without_portal = Severity.WARNING
    hubspot_error = "INVALID_ENUMERATION_OPTION"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file):
            required = self._pipeline_part(column)
            needed = (prop.name,) in self.catalog.required(prop.object_id)  # a group of it alone
            yield from self.cells(chunk, file, column, self.match(chunk, column, prop).unmatched,
                                  _unmatched(prop, required, needed),
                                  hubspot_error="PROPERTY_VALUE_NOT_FOUND" if required else None)

    def _pipeline_part(self, column: Column) -> str | None:
        """``pipeline`` or ``stage`` where the column holds the pipeline or stage of an object
        with pipelines (deals, tickets, ...), else None."""
        obj = column.spec.object_type_id if column.spec is not None else None
        if obj is None or not self.catalog.pipelines(obj):
            return None
        pipeline, stage = self.catalog.pipeline_properties(obj)
        name = column.spec.property_name if column.spec is not None else None
        return "pipeline" if name == pipeline else "stage" if name == stage else None


class AmbiguousEnumerationOption(EnumRule):
    """A cell is one option's label and another option's internal value.

    Why: HubSpot matches a cell against labels and internal values; when it is the label of one
    option and the value of another, it cannot choose and reports AMBIGUOUS_ENUMERATION_OPTION.
    Example: options `{label "Customer", value "customer"}` and `{label "customer", value "cust_old"}`
    and the cell `customer`.
    Fix: use the other option's internal value, or rename one option in HubSpot.
    """

    code = "HS209"
    name = "ambiguous-enumeration-option"
    hubspot_error = "AMBIGUOUS_ENUMERATION_OPTION"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file):
            yield from self.cells(chunk, file, column, self.match(chunk, column, prop).ambiguous,
                                  f"{{value}} is one option's label and another's internal value in {prop.name}")


class EnumerationCase(EnumRule):
    """A cell matches an option only when letter case is ignored.

    Why: HubSpot does not document whether option matching ignores case [GAP]. If it does not,
    the property is left empty (INVALID_ENUMERATION_OPTION); writing the exact label or value is safe.
    Example: `LEAD` for the option `lead` / `Lead`.
    Fix: write the internal value or label exactly.
    """

    code = "HS210"
    name = "enumeration-case"
    severity = Severity.WARNING
    hubspot_error = "INVALID_ENUMERATION_OPTION"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file):
            m = self.match(chunk, column, prop)
            yield from self.cells(chunk, file, column, m.folded & ~m.exact,
                                  f"{{value}} matches an option of {prop.name} only ignoring case")


class CheckboxSpace(EnumRule):
    """A multiple-checkbox cell has a space before or after a `;`.

    Why: HubSpot's format is `value1;value2` with no spaces [V] S6; a space may become part of the
    option name and fail to match. Any Unicode space counts (a no-break space looks like none).
    Example: `PRODUCT_ISSUE; BILLING_ISSUE`, `PRODUCT_ISSUE ;BILLING_ISSUE`.
    Fix: remove the spaces: `PRODUCT_ISSUE;BILLING_ISSUE` (a leading `;` appends to existing values).
    """

    code = "HS211"
    name = "checkbox-separator-space"
    severity = Severity.WARNING
    hubspot_error = "INVALID_ENUMERATION_OPTION"

    def wants(self, prop: Property) -> bool:
        return is_enumeration(prop) and prop.multiple

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file):
            yield from self.cells(chunk, file, column, self.match(chunk, column, prop).spaced,
                                  "{value} has a space beside ';'")


class FormatRule(ValueRule):
    """A rule for one text format (``fmt``): every non-blank cell must pass ``valid``."""

    fmt: ClassVar[str] = ""
    message: ClassVar[str] = ""  # a template with {value}

    def wants(self, prop: Property) -> bool:
        return prop.format == self.fmt and prop.type in ("string", "enumeration", "phone_number")

    def valid(self, arr: Any) -> Any:
        """A boolean mask: True where the cell is written as HubSpot reads this format."""
        raise NotImplementedError

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, _prop in self.typed(file):
            arr = cells(chunk, column)
            yield from self.cells(chunk, file, column, ~self.valid(arr) & ~blank_at(chunk, column.index), self.message)


class InvalidEmail(FormatRule):
    """An email cell is not a valid address.

    Why: HubSpot rejects malformed addresses with INVALID_EMAIL ([V] S9); for contacts the email is
    also the identifier, so the row cannot be matched or deduplicated.
    Example: `ann.lee@example`, `ann lee@example.com`, `ann@@example.com`.
    Fix: correct the address, or leave the cell empty.
    """

    code = "HS212"
    name = "invalid-email"
    hubspot_error = "INVALID_EMAIL"
    fmt = "email"

    message = "{value} is not a valid email address"

    def valid(self, arr: Any) -> Any:
        return formats.emails(arr)


class InvalidDomain(FormatRule):
    """A company domain cell is not a domain name.

    Why: the company domain is the company's identifier; HubSpot rejects values that are not a
    domain with INVALID_DOMAIN ([V] S9).
    Example: `acme`, `acme .com`, `ann@acme.com`.
    Fix: write the bare domain: `acme.com`.
    """

    code = "HS213"
    name = "invalid-domain"
    hubspot_error = "INVALID_DOMAIN"
    fmt = "domain"

    message = "{value} is not a domain name"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, _prop in self.typed(file):
            valid, _extra = _domains(chunk, column)
            yield from self.cells(chunk, file, column, ~valid & ~blank_at(chunk, column.index), self.message)

    def valid(self, arr: Any) -> Any:
        return formats.domains(arr)[0]


def _domains(chunk: Chunk, column: Column) -> tuple[Any, Any]:
    """``formats.domains`` of a column, once per chunk (HS213 and HS214 both read it)."""
    return cached(chunk, ("domains", column.index), lambda: formats.domains(cells(chunk, column)))


_ADDITIONAL = {"hs_additional_emails": ("0-1", "email"), "hs_additional_domains": ("0-2", "domain")}


class InvalidAdditionalIdentifier(ValueRule):
    """A contact's additional email, or a company's additional domain, is not an address (a
    domain name).

    Why: "Additional email addresses" and "Additional Domains" hold several values separated by
    `;` (fact sheet 6, [V]); each is a secondary identifier HubSpot matches records on (fact
    sheet 4.2), so it must be an address (a domain) as the primary one must. What HubSpot does
    with one that is not is not documented (the row's secondary emails may fail with
    SECONDARY_EMAIL_WRITE_FAILURE) [I], hence a warning. A part with a scheme or a path is a
    domain HubSpot cuts, as HS214 says of the primary one, not an invalid one. Emails are split
    as an address list is: not at a `;` inside double quotes (a backslash there escapes the next
    character), so `"a;b"@example.com` is one address.
    Example: `ann@x.com;ann at x dot com` for a contact, `acme.com;acme` for a company.
    Fix: correct or remove the part; separate the values with `;`.
    """

    code = "HS245"
    name = "invalid-additional-identifier"
    severity = Severity.WARNING
    hubspot_error = "INVALID_EMAIL"

    def wants(self, prop: Property) -> bool:
        kind = _ADDITIONAL.get(prop.name)
        return kind is not None and kind[0] == prop.object_id

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file):
            kind = _ADDITIONAL[prop.name][1]
            filled = np.flatnonzero(~blank_at(chunk, column.index))
            if not len(filled):
                continue
            parent, parts = split_list(cells(chunk, column).take(pa.array(filled)), ";", quoted=kind == "email")
            at = filled[parent]
            ok = _parts_valid(pc.utf8_trim_whitespace(parts), kind)
            bad = np.zeros(len(chunk), bool)
            bad[at[~ok]] = True
            yield from self.cells(chunk, file, column, bad, _additional_message(kind),
                                  hubspot_error="INVALID_EMAIL" if kind == "email" else "INVALID_DOMAIN")


def _additional_message(kind: str) -> Callable[[str], str]:
    what = "email address" if kind == "email" else "domain name"

    def message(value: str) -> str:
        return (f"{quote(_first_invalid(value, kind))} in {quote(value)} is not a valid {what} "
                "(several are separated by ';')")
    return message


def _parts_valid(parts: Any, kind: str) -> np.ndarray:
    """Per part (trimmed; an empty one, as after a last ``;``, passes): an address or a domain."""
    ok = np.asarray(formats.emails(parts) if kind == "email" else formats.domains(parts)[0], dtype=bool)
    return ok | np.asarray(pc.equal(parts, "").to_numpy(zero_copy_only=False), dtype=bool)


def _first_invalid(value: str, kind: str) -> str:
    parts = [p.strip() for p in (split_quoted(value) if kind == "email" else value.split(";"))]
    # (``formats.arrow``: a part holding an undecodable byte cannot be UTF-8 as it is)
    ok = _parts_valid(formats.arrow(parts, trim=False), kind)
    return next((p for p, good in zip(parts, ok, strict=True) if not good), value)


class DomainStripped(FormatRule):
    """A company domain carries a scheme, `www.`, a path or a port that HubSpot strips.

    Why: HubSpot keeps only the domain: anything after the top-level domain is dropped [V] S6, so
    `https://acme.com/home` becomes `acme.com`. Two rows that differ only there become one company.
    The dot that ends a fully qualified name (`acme.com.`) is after the top-level domain too: the
    name is valid, and `acme.com` is what remains [I].
    Example: `https://www.acme.com/about`, `acme.com.`.
    Fix: write `acme.com`.
    """

    code = "HS214"
    name = "domain-stripped"
    severity = Severity.WARNING
    fmt = "domain"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, _prop in self.typed(file):
            valid, extra = _domains(chunk, column)
            yield from self.cells(chunk, file, column, valid & extra,
                                  "{value} is not a bare domain; HubSpot keeps only the domain name")


class InvalidPhone(FormatRule):
    """A phone cell holds something other than a phone number.

    Why: HubSpot expects `+<country code><number>`, an extension as `ext<n>` [V] S6, and formats
    the number by its country code. Letters or missing digits mean the value will not dial.
    Example: `call reception`, `555-CALL-NOW`.
    Fix: write `+14155550101 ext12`.
    """

    code = "HS215"
    name = "invalid-phone"
    severity = Severity.WARNING
    hubspot_error = "INVALID_PROPERTY_VALUE_FORMAT"
    fmt = "phone"

    message = "{value} is not a phone number (+<country><number> ext<n>)"

    def valid(self, arr: Any) -> Any:
        return formats.phones(arr)


class UnparseableTerm(FormatRule):
    """A product or line-item term is not an ISO-8601 period or a month count.

    Why: the term takes `PnYnMnD` / `PnW` (`P12M`, `P1Y`) or a plain month count (`12`) [V] S6;
    other values fail with COULD_NOT_PARSE_TERM.
    Example: `12 months`, `1 year`.
    Fix: write `P12M` or `12`.
    """

    code = "HS216"
    name = "unparseable-term"
    hubspot_error = "COULD_NOT_PARSE_TERM"
    fmt = "term"

    message = "{value} is not a term (P12M, P1Y or a number of months)"

    def valid(self, arr: Any) -> Any:
        return formats.terms(arr)


class TermOutOfRange(FormatRule):
    """A product or line-item term parses but has no length, or is longer than `max_years`.

    Why: HubSpot has an errorType for a term that parses but lies outside the allowed range
    (OUTSIDE_VALID_TERM_RANGE); the range itself is not documented ([GAP]), hence a warning.
    A term of no length (`0`, `P0M`) bills for no period at all, and one longer than
    `max_years` (default 100) is far more often a price or a day count typed into the term
    column than a contract [I]. A blank cell is the default term [V] S6 and is not judged.
    Example: `P0M`, `0`, or `2400` (200 years).
    Fix: write the term in months (`12`) or as a period (`P1Y`); leave the cell blank for the
    default term; raise `max_years` for this rule where such terms are meant.
    """

    code = "HS244"
    name = "term-out-of-range"
    severity = Severity.WARNING
    hubspot_error = "OUTSIDE_VALID_TERM_RANGE"
    fmt = "term"
    options: ClassVar[Mapping[str, Any]] = {"max_years": 100}

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        most = float(self.opt["max_years"])
        for column, _prop in self.typed(file):
            months = formats.term_months(cells(chunk, column))
            yield from self.cells(chunk, file, column, months == 0, "{value} is a term of no length")
            yield from self.cells(chunk, file, column, months > most * 12,
                                  f"{{value}} is a term of more than {most:g} years")


class InvalidFileId(FormatRule):
    """A file property cell is not a File Manager file ID.

    Why: file properties take the File ID from HubSpot's File Manager [V] S6; other values fail
    with INVALID_ENUM_FILE_ID_OR_URL.
    Example: `contract.pdf`.
    Fix: upload the file to the File Manager and use its numeric ID.
    """

    code = "HS217"
    name = "invalid-file-id"
    hubspot_error = "INVALID_ENUM_FILE_ID_OR_URL"
    fmt = "file"

    message = "{value} is not a File Manager file ID"

    def valid(self, arr: Any) -> Any:
        return formats.file_ids(arr)


class ValueTooLong(ValueRule):
    """A cell is longer than the 65,536 characters a HubSpot property value holds.

    Why: a string property holds at most 65,536 characters [V] S10; longer cells fail with
    COLUMN_TOO_LARGE.
    Example: a notes column holding a whole e-mail thread.
    Fix: shorten the value, or attach the text as a note or file.
    """

    code = "HS218"
    name = "value-too-long"
    hubspot_error = "COLUMN_TOO_LARGE"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column in file.mapped():
            seen = screen(chunk, column.index)
            if seen.longest <= formats.MAX_TEXT:
                continue  # no cell has more bytes, so none more characters, than the limit
            bad = formats.too_long(cells(chunk, column))
            yield from self.cells(chunk, file, column, bad,
                                  lambda v: f"the value has {len(v):,} characters, more than 65,536")
