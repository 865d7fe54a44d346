"""Dates written in the digits of another script (HS252): full-width `１５/０３/２０２４` from a CJK
input method, Arabic-Indic `١٥/٠٣/٢٠٢٤`, Devanagari `१५/०३/२०२४`.

HubSpot documents dates in the digits 0-9 (fact sheet 6, [V] S6); whether its importer reads
those of other scripts is not documented [GAP]. A cell that does not parse under the import's
dateFormat (HS201) but would, were its digits (and full-width signs) read as 0-9, is this rule's
warning instead of HS201's error, as a number so written is HS206's. Only the cells HS201 would
report that hold a character past ASCII are read again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from validator import formats
from validator.catalog import Property
from validator.checks.base import Hit, quote
from validator.checks.typed import ValueRule, cached, cells, is_date
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.readers.base import Chunk


def other_digit_cells(rule: ValueRule, chunk: Chunk, file: FileContext, column: Column,
                      prop: Property) -> np.ndarray:
    """The cells of a date column that do not parse under the import's dateFormat but do with their
    digits of another script read as 0-9; once per chunk, column and dateFormat."""
    fmt = rule.date_format

    def make() -> np.ndarray:
        bad = rule.dates(chunk, file, column, prop).bad
        out = np.zeros(len(bad), bool)
        at = np.flatnonzero(bad)
        if not len(at):
            return out
        texts = cells(chunk, column).take(pa.array(at))
        wide = formats.matches(texts, r"[^\x00-\x7f]")
        if not wide.any():
            return out
        plain = [formats.in_ascii_digits(t or "") for t in texts.filter(pa.array(wide)).to_pylist()]
        keep = [int(i) for i, p in zip(at[wide], plain, strict=True) if p is not None]
        if keep:
            mapped = pa.array([p for p in plain if p is not None], pa.string())
            out[keep] = formats.parse_dates(mapped, fmt, with_time=True, distinct=None).ok
        return out
    return cached(chunk, ("other-digits", column.index, fmt), make)


def other_digit_dates(texts: Any, unread: np.ndarray, ok: dict[str, np.ndarray], union: np.ndarray,
                       ambiguous: np.ndarray) -> None:
    """HS204's counts of the ``unread`` cells of ``texts`` (no format reads them) that are dates
    once their digits of another script are read as 0-9, as HS252 reads them: marked in ``ok``
    under each format that reads them, in ``union``, and in ``ambiguous``, in place."""
    at = np.flatnonzero(unread)
    if not len(at):
        return
    some = texts.take(pa.array(at))
    wide = formats.matches(some, r"[^\x00-\x7f]")
    if not wide.any():
        return
    plain = [formats.in_ascii_digits(t or "") for t in some.filter(pa.array(wide)).to_pylist()]
    keep = np.array([int(i) for i, p in zip(at[wide], plain, strict=True) if p is not None], dtype=np.int64)
    if not len(keep):
        return
    mapped = pa.array([p for p in plain if p is not None], pa.string())
    dates = [formats.parse_dates(mapped, f, with_time=True, distinct=None) for f in formats.DATE_FORMATS]
    for f, d in zip(formats.DATE_FORMATS, dates, strict=True):
        ok[f][keep] |= d.ok
        union[keep] |= d.ok
    ambiguous[keep] |= formats.ambiguous_of(dates)


class DateDigitsNotAscii(ValueRule):
    """A date is written in the digits of another script.

    Why: HubSpot documents dates in the digits 0-9 (fact sheet 6, [V] S6); whether its importer
    reads full-width digits (a CJK input method's `１５/０３/２０２４`), Arabic-Indic or Devanagari
    ones is not documented [GAP]. The cell is in the import's dateFormat once its digits are read
    as 0-9, so this is a warning where HS201 would be an error: HubSpot may read it, or fail the
    row with COULD_NOT_PARSE_DATE. The message gives the date in 0-9.
    Example: `１５/０３/２０２４` under DAY_MONTH_YEAR.
    Fix: write the date in the digits 0-9 (`15/03/2024`).
    """

    code = "HS252"
    name = "date-digits-not-ascii"
    severity = Severity.WARNING
    hubspot_error = "COULD_NOT_PARSE_DATE"

    def wants(self, prop: Property) -> bool:
        return is_date(prop)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file, chunk):
            yield from self.cells(chunk, file, column, other_digit_cells(self, chunk, file, column, prop),
                                  _message(self.date_format))


def _message(fmt: str) -> Callable[[str], str]:
    return lambda value: (f"{quote(value)} has {formats.digit_script(value)} digits; in 0-9 it is the {fmt} date "
                          f"{formats.in_ascii_digits(value)}, but HubSpot documents the digits 0-9, and whether it "
                          "reads others is not documented")
