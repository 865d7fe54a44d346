"""Dates written with a month name of another language (HS220): `5/janvier/2024`, `März/3/2024`,
`5/janv./2024`, and English `5/Sept/2024`.

HubSpot documents months as a number, a 3-letter abbreviation or the full name, with English
examples (fact sheet 6, [V] S6); whether its importer reads the names of other languages, their
abbreviations (CLDR's), or English `Sept`, is not documented [GAP]. A cell that does not parse
under the import's dateFormat (HS201) but would, were its month name one of
``formats.dates.FOREIGN_MONTHS`` read as its month, is this rule's warning instead of HS201's
error. Only the cells HS201 would report are parsed again; a token that is also an English
month names the same month there, so an impossible date stays HS201's.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from validator import formats
from validator.catalog import Property
from validator.checks.base import Hit, quote
from validator.checks.typed import ValueRule, cached, cells, is_date
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.readers.base import Chunk

_LETTER = "[^\\x00-\\x40\\x5b-\\x60\\x7b-\\x7f]"  # an ASCII letter or any character past ASCII (\p{L} and more)


def foreign_month_cells(rule: ValueRule, chunk: Chunk, file: FileContext, column: Column,
                        prop: Property) -> np.ndarray:
    """The cells of a date column that do not parse under the import's dateFormat but do with a
    month name of another language read as its month; once per chunk, column and dateFormat."""
    fmt = rule.date_format

    def make() -> np.ndarray:
        bad = rule.dates(chunk, file, column, prop).bad
        out = np.zeros(len(bad), bool)
        at = np.flatnonzero(bad)
        if len(at):
            texts = cells(chunk, column).take(pa.array(at))
            # a month name has letters: the cells without any are no candidates (the pattern's
            # \p{L} costs RE2 ~14 ms to compile at each call, however few the cells: a date
            # column in the other order, `25/03/2019`, paid it in every chunk)
            named = np.flatnonzero(formats.as_mask(pc.match_substring_regex(texts, _LETTER)))
            if len(named):
                out[at[named]] = formats.parse_dates(texts.take(pa.array(named)), fmt, with_time=True,
                                                     distinct=None, foreign=True).ok
        return out
    return cached(chunk, ("foreign-months", column.index, fmt), make)


class ForeignMonthName(ValueRule):
    """A date names its month in a language other than English, or abbreviates it otherwise than in 3 letters.

    Why: HubSpot documents months as a number, a 3-letter abbreviation or the full name, with
    English examples (`OCT`, `October`; fact sheet 6, [V] S6); whether its importer reads
    `janvier`, `März`, `diciembre`, their abbreviations (`janv.`, `dic`, `okt`) or English `Sept` is
    not documented [GAP]. The cell is in the import's
    dateFormat once the name is read as its month, so this is a warning where HS201 would be an
    error: HubSpot may read it, or fail the row with COULD_NOT_PARSE_DATE.
    Example: `5/janvier/2024` or `5/Sept/2024` under DAY_MONTH_YEAR, `März/3/2024` under MONTH_DAY_YEAR.
    Fix: write the month as a number or by its English name (`5/01/2024`, `5/Jan/2024`).
    """

    code = "HS220"
    name = "month-name-not-english"
    severity = Severity.WARNING
    hubspot_error = "COULD_NOT_PARSE_DATE"

    def wants(self, prop: Property) -> bool:
        return is_date(prop)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        fmt = self.date_format
        for column, prop in self.typed(file, chunk):
            yield from self.cells(chunk, file, column, foreign_month_cells(self, chunk, file, column, prop),
                                  lambda value: (f"{quote(value)} names its month otherwise than by its English "
                                                 f"name or 3-letter abbreviation; it is a {fmt} date once that "
                                                 "is read as its month, but HubSpot documents English names, "
                                                 "3-letter abbreviations and numbers only, and whether it reads "
                                                 "others is not documented"))
