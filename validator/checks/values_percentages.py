"""Percentages HubSpot reads otherwise than meant (HS253): a bare number above 1 (`25`, no `%`)
in a percentage column, which HubSpot reads as a fraction of one (2500%), and a percentage with
a space before its sign (`25 %`), which HubSpot does not document.

HubSpot documents a percentage for imports as `25%` or `.25` (fact sheet 6, [V] S6): a number
without `%` is the fraction. A percentage property is one the catalog marks so (a deal's
`hs_forecast_probability`), or a portal property whose ``numberDisplayHint`` is `percentage` or
`probability` (``validator.portal``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import numpy as np
import pyarrow as pa

from validator import formats
from validator.catalog import Property
from validator.checks._facts import rows_with
from validator.checks.base import Hit, quote, space_name
from validator.checks.typed import ValueRule, cells, kind_mask, percent_cells
from validator.checks.values import numbers
from validator.checks.values_times import _plain
from validator.context import FileContext
from validator.findings import Severity
from validator.readers.base import Chunk

# Percentage properties left out: a line item's discount percentage is written in points in
# HubSpot's own API examples (`"hs_discount_percentage": "10"` for 10%), and whether its import
# reads a bare number as a fraction is not documented [GAP]; a warning on every discount would
# be a false one where it is not
_POINTS = frozenset({("0-8", "hs_discount_percentage")})


class BarePercentageAboveOne(ValueRule):
    """A percentage cell holds a number above 1 without `%`, read as a fraction, or a space before its `%`.

    Why: HubSpot's import takes a percentage as `25%` or `.25` (fact sheet 6, [V] S6): a number
    without `%` is a fraction of one, so `25` becomes 2500% and `100` 10000%, silently. That a
    bare number above 1 is read so is inferred from the documented `.25` [I], hence a warning.
    Spreadsheets and exports write percentage points (`25`, `12.5`) all the time; `100` is
    almost surely 100% (and the message says so). `1` (100%), `0`, fractions (`.25`, `0.5`)
    and numbers with `%` (`25%`, `2500%`) pass, as do numbers between -1 and 1; a number below
    -1 (`-25`, read as -2500%) is named as one above 1 is. In a workbook, a cell formatted as a
    percentage holds the fraction (Excel keeps 25% as 0.25) and passes, above 100% too (2.5, shown
    as 250%, which HubSpot reads as 250%: the byte scan finds such cells by their format, whichever
    reader reads the sheet); the message of a number cell in another format says how Excel keeps
    a percentage.
    A space before the sign (`25 %`; French and other locales write a no-break space U+00A0 or
    a narrow one U+202F there) is not in HubSpot's documented form, and whether HubSpot reads
    the sign after it, or the number alone as a fraction, is not documented [GAP]: such a cell is
    named whatever its number (`0.5 %` too), and the message gives `25%` to write.
    A line item's `hs_discount_percentage` is left out: HubSpot's own API examples write it in
    points (`10` for 10%), and how its import reads one is not documented.
    Example: `25` in a deal's Forecast probability (`hs_forecast_probability`).
    Fix: write the percentage with its sign and no space before it (`25%`) or as the fraction (`0.25`).
    """

    code = "HS253"
    name = "bare-percentage-above-one"
    severity = Severity.WARNING
    derived_values = True  # the percentage read, and the one meant
    constants = (r"HubSpot reads \.25 as 25%", r"HubSpot reads 1 as 100%", r"Excel keeps a cell of 25% as 0\.25",
                 r"HubSpot documents 25%")

    def wants(self, prop: Property) -> bool:
        return prop.format == "percentage" and (prop.object_id, prop.name) not in _POINTS

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file, chunk):
            n = numbers(chunk, column, prop)
            signed = rows_with(chunk, column.index, b"%")
            if (n.ok & signed).any():  # `25 %`: a space before the sign, which HubSpot does not document
                at = np.flatnonzero(n.ok & signed)
                spaced = np.zeros(len(signed), bool)
                spaced[at] = formats.matches(cells(chunk, column).take(pa.array(at)), formats.SPACED_PERCENT)
                yield from self.cells(chunk, file, column, spaced, _spaced)
            with np.errstate(invalid="ignore"):
                bare = n.ok & (np.abs(n.value) > 1)
            if not bare.any():
                continue
            bare &= ~signed  # `25%` is the documented form
            number_cells = kind_mask(chunk, column.index, "n")
            if number_cells is not None:
                shown = percent_cells(chunk, file, column.index)  # 2.5 in a 0% cell: 250%, as meant
                if shown is not None:
                    bare &= ~(number_cells & shown)
                yield from self.cells(chunk, file, column, bare & number_cells, _message(cell=True))
                bare &= ~number_cells
            yield from self.cells(chunk, file, column, bare, _message(cell=False))


def _spaced(value: str) -> str:
    text = value.strip()
    number = Decimal(text[:-1].rstrip())  # exact: the digits written
    space = text[:-1][len(text[:-1].rstrip()):]
    what = "a space" if set(space) == {" "} else space_name(next(c for c in space if c != " "))
    return (f"{quote(value)} has {what} before its % sign: HubSpot documents 25%, without one, and how it reads "
            f"the sign after a space is not documented; write {_plain(number)}% or {_plain(number / 100)}")


def _message(*, cell: bool) -> Callable[[str], str]:
    def message(value: str) -> str:
        number = Decimal(value.strip())  # exact: the digits written, not a float's
        read = f"{_plain(number * 100)}%"
        what = f"{quote(value)} is a number cell, read as {read}" if cell else f"{quote(value)} is read as {read}"
        kept = "; Excel keeps a cell of 25% as 0.25" if cell else ""
        if number == 100:
            return (f"{what}, where 100% is almost surely meant (HubSpot reads 1 as 100%{kept}); "
                    "write 100% or 1")
        return (f"{what} (HubSpot reads .25 as 25%{kept}); for {_plain(number)}% write "
                f"{_plain(number)}% or {_plain(number / 100)}")
    return message

