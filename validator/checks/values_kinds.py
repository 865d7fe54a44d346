"""A column whose values are of another kind than its property takes: mapped to the wrong
property (HS255).

A wrong mapping (a Close Date column mapped to a dropdown, Email to `phone`) fails every row of
the column, each cell as the property's own rule says (HS201, HS205, HS208, HS212 ...), without
naming the cause. This rule names it once per column. It reads a sample only, the column's first
non-blank cells (``SAMPLE``), taken across chunks until that many are seen, and decides at the
file's end: on a long file it costs nothing past the first chunk.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from validator import formats
from validator.catalog import Property
from validator.checks._cell_kinds import DATE, EMAIL, NUMBER, PHONE, PLURAL, WEB, cell_kinds, may_be
from validator.checks._columns import ADDITIONAL
from validator.checks._facts import arrow_column, blank_at
from validator.checks.base import Hit, counted, quote
from validator.checks.typed import ValueRule, is_bool, is_date, is_enumeration, is_number, kind_mask
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.readers.base import Chunk

SAMPLE = 1_000  # the first non-blank cells of a column read
MIN_VALUES = 5  # fewer in a column say nothing
SHARE = 0.9  # of the sample of one other kind
LONGEST = 320  # characters of a sampled cell kept (an email address has at most 254)

# the names of people and companies (object, property): any text fits, but not an address, a
# date or a phone number (a number may be a company's or a deal's name: `3M`, an order number)
NAMES = frozenset({("0-1", "firstname"), ("0-1", "lastname"), ("0-1", "company"), ("0-2", "name"),
                   ("0-3", "dealname")})
# a contact's and a company's website (object, property): any text fits, but a web address is
# never an email address, a date, a phone number or a number (a domain has letters at its end)
WEBSITES = frozenset({("0-1", "website"), ("0-2", "website")})

# the property's kind -> (what the message calls it, the kinds it reports, the rule naming each cell)
_OWN: dict[str, tuple[str, frozenset[str], str | None]] = {
    "date": ("a date", frozenset({EMAIL, WEB, PHONE, NUMBER}), "HS201"),
    "datetime": ("a datetime", frozenset({EMAIL, WEB, PHONE, NUMBER}), "HS201"),
    "number": ("a number", frozenset({DATE, EMAIL, WEB, PHONE}), "HS205"),
    "dropdown": ("a dropdown", frozenset({DATE, EMAIL, WEB, PHONE, NUMBER}), "HS208"),
    "checkbox": ("a single checkbox", frozenset({DATE, EMAIL, WEB, PHONE}), "HS207"),
    "email": ("an email address", frozenset({DATE, WEB, PHONE, NUMBER}), "HS212"),
    "emails": ("a list of email addresses", frozenset({DATE, WEB, PHONE, NUMBER}), "HS245"),
    "phone": ("a phone number", frozenset({EMAIL, DATE, WEB}), "HS215"),
    "domain": ("a domain name", frozenset({EMAIL, DATE, PHONE, NUMBER}), "HS213"),
    "name": ("a name", frozenset({EMAIL, DATE, PHONE}), None),  # (`Booking.com` is a company's name)
    "website": ("a web address", frozenset({EMAIL, DATE, PHONE, NUMBER}), None),
}


def own_kind(prop: Property) -> str | None:
    """What the property takes, as this rule reads it; None for one it does not judge (free text,
    an owner, a stage, ...) or one HubSpot does not import (read-only or calculated: HS232's)."""
    if not prop.writable:
        return None
    if is_date(prop):
        return prop.type
    if is_number(prop):
        return "number"
    if is_bool(prop):
        return "checkbox"
    if is_enumeration(prop) and prop.options:
        return "dropdown"
    if prop.format == "email" and prop.type == "string":
        return "email"
    if ADDITIONAL.get(prop.name) == (prop.object_id, "email"):
        return "emails"
    if prop.format == "phone" or prop.type == "phone_number" or prop.field_type == "phonenumber":
        return "phone"
    if prop.format == "domain" and prop.type == "string":
        return "domain"
    if (prop.object_id, prop.name) in NAMES:
        return "name"
    if (prop.object_id, prop.name) in WEBSITES:
        return "website"
    return None


@dataclass
class _Sample:
    """A column's first non-blank cells, and which of them are a workbook's number cells (serial
    days where the property is a date)."""

    column: Column
    prop: Property
    kind: str
    texts: list[pa.Array] = field(default_factory=list)
    number_cells: list[np.ndarray] = field(default_factory=list)
    size: int = 0

    @property
    def full(self) -> bool:
        return self.size >= SAMPLE


class ColumnHoldsOtherKind(ValueRule):
    """A column's values are of another kind than its property takes: it is mapped to the wrong property.

    Why: a column mapped to the wrong property (a Close Date column to a dropdown, Email to
    `phone`) fails on every row, and each cell is reported by the property's own rule (HS201,
    HS205, HS207, HS208, HS212, HS213, HS215, HS245: up to a finding a row) without the cause
    being named. This names it once, at the column's header. It reads the column's first 1,000
    non-blank cells and reports where there are at least 5, at least 90% of them are of one kind
    the property does not take, and most of those fail the property's own check (for a dropdown:
    they are no option). A kind is an email address (one `@`, a dot after it, no spaces), a date
    (under any of the three dateFormats; a bare number is not one), a web address (a URL from
    `http://`, `https://` or `www.`, or a domain such as `acme.com`, `sub.acme.co.uk/about` whose
    last label is letters; not an email address or a date), a phone number (`+`, digits,
    spaces, brackets, hyphens, dots, 7 to 15 digits, not digits alone) or a number (digits with
    one decimal point, or thousands separated by commas). The pairs reported:

    | property | values of the kind | cells reported by |
    |---|---|---|
    | date, datetime | email addresses, web addresses, phone numbers, numbers (not epoch seconds) | HS201 |
    | number | dates, email addresses, web addresses, phone numbers | HS205 |
    | dropdown, radio, multiple checkbox | dates, email addresses, web addresses, phone numbers, numbers | HS208 |
    | single checkbox | dates, email addresses, web addresses, phone numbers | HS207 |
    | email | dates, web addresses, phone numbers, numbers | HS212 |
    | contact's additional emails | dates, web addresses, phone numbers, numbers | HS245 |
    | phone number | email addresses, web addresses, dates (those HS215 refuses: `15-Mar-2024`) | HS215 |
    | company domain (`domain`) | email addresses, dates, phone numbers, numbers | HS213 |
    | `firstname`, `lastname`, `company`, companies' `name`, `dealname` | email addresses, dates, phone numbers | none |
    | a contact's or company's `website` | email addresses, dates, phone numbers, numbers | none |

    A dropdown whose options include values of that kind (options that are numbers, or dates) is
    not reported for it, nor cells that are its options; a single checkbox holding `1` and `0`
    is HS207's alone (the usual misspelling of True and False). A workbook's number cells in a
    date column are serial days HubSpot reads as dates. Other text properties (`notes`,
    `jobtitle`, `hs_linkedin_url`, ...) take any text and are not judged; a name holding numbers
    or web addresses is not reported (a company may be called `3M` or `Booking.com`, a deal by
    its order number). A `website` is judged as a name is, HubSpot taking any text there: a web
    address is never an email address, a date, a phone number or a number, so a column of them
    is another column's; web addresses in `domain` or `website` are theirs (HS214 names what
    HubSpot cuts of a domain). The finding is a warning: it names
    the cause of the other findings, not an error of its own.
    Example: a column `Close` of `03/15/2024` cells mapped to `hs_lead_status`; `Email` mapped to
    `phone` or to `website`; `Website` (`https://acme.com`) mapped to `email`.
    Fix: map the column to the property its values are for (or the property to the column that
    holds its values), and check the neighbouring mappings: a mapping list shifted by one moves
    several columns.
    """

    code = "HS255"
    name = "column-holds-other-kind"
    severity = Severity.WARNING

    def wants(self, prop: Property) -> bool:
        return own_kind(prop) is not None

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.samples: dict[int, _Sample] = {}
        self.open: list[_Sample] = []
        for column, prop in self.typed(file):
            if column.spec is not None and column.spec.column_type == "EVENT_TIMESTAMP":
                continue  # no property of its own to name
            kind = own_kind(prop)
            if kind is not None:
                self.samples[column.index] = _Sample(column, prop, kind)
        self.open = list(self.samples.values())
        yield from ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if self.open:
            for sample in self.open:
                _take(sample, chunk)
            self.open = [s for s in self.open if not s.full]
        yield from ()

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        for index in sorted(getattr(self, "samples", {})):
            message = _verdict(self.samples[index], self.date_format)
            if message is not None:
                # about the whole column: at its header cell, or at no row where there is none
                yield self.finding(message, file=file, row=1 if file.header is not None else None,
                                   column=self.samples[index].column)
        self.samples, self.open = {}, []


def _take(sample: _Sample, chunk: Chunk) -> None:
    """Add the chunk's first non-blank cells of the column to the sample, as many as it lacks.
    The chunk's facts the value rules made of the column (its cells in Arrow, its blank cells)
    are read where they are made; else a few windows of cells from the top, and the column's
    blank cells only where blanks leave the sample short after them."""
    index, need = sample.column.index, SAMPLE - sample.size
    if _empty(chunk, index):  # a column left empty (a fax number, often)
        return
    known = _known(chunk, ("arrow", index))
    blank = _known(chunk, ("blank", index))

    def cells_at(at: np.ndarray) -> pa.Array:
        if len(at) and int(at[-1]) - int(at[0]) + 1 == len(at):  # in a row: a slice
            return known.slice(int(at[0]), len(at)) if known is not None else _read(chunk, index, int(at[0]), len(at))
        return known.take(pa.array(at)) if known is not None else formats.arrow(chunk.column(index).iloc[at])

    if blank is not None:
        at = np.arange(min(need, len(blank))) if not blank[:need].any() else np.flatnonzero(~blank)[:need]
        pieces, places = [cells_at(at)], [at]
    else:
        pieces, places, start, got = [], [], 0, 0
        for length in (need, 2 * need, 4 * need):  # blanks leave the first window short: a larger one
            if got >= need or start >= len(chunk):
                break
            window = cells_at(np.arange(start, min(start + length, len(chunk))))
            keep = np.flatnonzero(~formats.blank(window))[: need - got]
            pieces.append(window.take(pa.array(keep)) if len(keep) < len(window) else window)
            places.append(start + keep)
            start, got = start + len(window), got + len(keep)
        if got < need and start < len(chunk):  # mostly blank: by the column's blank cells
            rest = start + np.flatnonzero(~blank_at(chunk, index)[start:])[: need - got]
            pieces.append(cells_at(rest))
            places.append(rest)
    at = np.concatenate(places)
    if not len(at):
        return
    # kept cut short, in buffers of their own: no kind is longer, and the chunk's are let go
    sample.texts.extend(pc.utf8_slice_codeunits(p, 0, LONGEST) for p in pieces if len(p))
    sample.size += len(at)
    numbers = kind_mask(chunk, index, "n")
    sample.number_cells.append(numbers[at] if numbers is not None else np.zeros(len(at), dtype=bool))


def _read(chunk: Chunk, index: int, start: int, length: int) -> pa.Array:
    """``length`` cells of the column from row position ``start``, trimmed, as ``formats.arrow``
    gives them: sliced from the column's Arrow storage without a copy where it has one."""
    data = arrow_column(chunk.column(index))
    if data is None:
        return formats.arrow(chunk.column(index).iloc[start:start + length])
    part = data.slice(start, length).combine_chunks()
    return pc.utf8_trim_whitespace(part.cast(pa.string()) if pa.types.is_large_string(part.type) else part)


def _empty(chunk: Chunk, index: int) -> bool:
    """Whether the column's cells hold no character at all, told from its Arrow storage's
    offsets alone (False where it is stored in Python)."""
    data = arrow_column(chunk.column(index))
    if data is None:
        return False
    for part in data.chunks:
        if not len(part):
            continue
        offsets = np.frombuffer(part.buffers()[1], dtype=np.int64 if pa.types.is_large_string(part.type) else np.int32)
        if offsets[part.offset + len(part)] != offsets[part.offset]:
            return False
    return True


def _known(chunk: Chunk, key: tuple[Any, ...]) -> Any:
    """A fact of the chunk another rule has made (``typed.cached``), else None: not made here."""
    slot = chunk.memo.get(key)
    if slot is None or not getattr(slot, "ready", False) or getattr(slot, "error", None) is not None:
        return None
    return slot.value


def _verdict(sample: _Sample, date_format: str) -> str | None:
    """The finding's message for a column whose sample is mostly of a kind its property does not
    take, and whose property's own check fails most of those; else None."""
    n = sample.size
    if n < MIN_VALUES:
        return None
    arr = pa.concat_arrays(sample.texts).cast(pa.string())
    what, reported, rule = _OWN[sample.kind]
    # at least 90% of the cells must be of a kind reported, and most of those fail the property's
    # own check: a column whose cells cannot be (by their characters), or that passes the check,
    # is not classified (most columns: the cost of a few patterns over the sample)
    if int(may_be(arr, reported).sum()) < SHARE * n:
        return None
    fails = ~_fits(sample, arr, date_format)
    if 2 * int(fails.sum()) <= SHARE * n:
        return None
    kinds = cell_kinds(arr, least=SHARE * n)
    found = [(c, k) for k, c in Counter(kinds.tolist()).items() if c >= SHARE * n and k in reported]
    if not found:
        return None
    count, kind = found[0]
    if _has_options_of(sample.prop, kind):
        return None  # a dropdown of numbers (or dates): such cells may be its options
    if 2 * int((fails & (kinds == kind)).sum()) <= count:
        return None
    if sample.kind == "dropdown" and sample.prop.multiple:
        what = "multiple checkboxes"
    firsts = "first " if sample.full else ""
    tail = (f"(each cell is reported as {rule} says)" if rule is not None else
            f"({sample.prop.name} takes any text, so no cell is reported)")
    label = sample.column.label
    return (f"column {quote(label) if label else sample.column.number} is mapped to {sample.prop.name} ({what}), but "
            f"{count:,} of its {firsts}{counted(n, 'value')} are {PLURAL[kind]}: is it mapped to the right "
            f"property? {tail}")


def _fits(sample: _Sample, arr: pa.Array, date_format: str) -> np.ndarray:
    """Which sampled cells the property's own rule accepts (a name or a website takes any text:
    none is checked, every one counts as failing it)."""
    prop, kind = sample.prop, sample.kind
    if kind in ("date", "datetime"):
        d = formats.parse_dates(arr, date_format, with_time=True)
        return d.ok | d.epoch_seconds | np.concatenate(sample.number_cells)
    if kind == "number":
        return np.asarray(formats.parse_numbers(arr, scientific=prop.field_type == "number",
                                                percent=prop.format == "percentage").ok, dtype=bool)
    if kind == "dropdown":
        m = formats.match_options(arr, formats.OptionSet.of(prop.options), multiple=prop.multiple)
        return ~m.unmatched
    if kind == "checkbox":
        return np.asarray(formats.bools(arr), dtype=bool)
    if kind in ("email", "emails"):
        return np.asarray(formats.emails(arr), dtype=bool)
    if kind == "phone":
        return np.asarray(formats.phones(arr), dtype=bool) & (formats.phone_digits(arr) >= formats.PHONE_MIN_DIGITS)
    if kind == "domain":
        return np.asarray(formats.domains(arr)[0], dtype=bool)
    return np.zeros(len(arr), dtype=bool)


def _has_options_of(prop: Property, kind: str) -> bool:
    """Whether some option of a dropdown (its label or internal value) is of ``kind``: a column of
    that kind may be this property's own. Only the options that may be one are classified (a
    property may have thousands)."""
    if not prop.options:
        return False
    texts = formats.arrow([t for o in prop.options for t in (o.label, o.value)])
    maybe = may_be(texts, {kind})
    return bool(maybe.any()) and kind in cell_kinds(texts.filter(pa.array(maybe))).tolist()
