"""Percentages HubSpot reads otherwise than meant (HS253): a bare number above 1 (`25`, no `%`)
in a percentage column, which HubSpot reads as a fraction of one (2500%).

HubSpot documents a percentage for imports as `25%` or `.25` (fact sheet 6, [V] S6): a number
without `%` is the fraction. A percentage property is one the catalog marks so (a deal's
`hs_forecast_probability`), or a portal property whose ``numberDisplayHint`` is `percentage` or
`probability` (``validator.portal``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import numpy as np

from validator.catalog import Property
from validator.checks._facts import rows_with
from validator.checks.base import Hit, quote
from validator.checks.typed import ValueRule, kind_mask
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
    """A percentage cell holds a number above 1 without `%`, which HubSpot reads as a fraction.

    Why: HubSpot's import takes a percentage as `25%` or `.25` (fact sheet 6, [V] S6): a number
    without `%` is a fraction of one, so `25` becomes 2500% and `100` 10000%, silently. That a
    bare number above 1 is read so is inferred from the documented `.25` [I], hence a warning.
    Spreadsheets and exports write percentage points (`25`, `12.5`) all the time; `100` is
    almost surely 100% (and the message says so). `1` (100%), `0`, fractions (`.25`, `0.5`)
    and numbers with `%` (`25%`, `2500%`) pass, as do numbers between -1 and 1; a number below
    -1 (`-25`, read as -2500%) is named as one above 1 is. In a workbook, a cell formatted as a
    percentage holds the fraction (Excel keeps 25% as 0.25) and passes; the reader does not see a
    cell's format, so such a cell above 100% (2.5, shown as 250%) is named too, and the message
    of a number cell says how Excel keeps a percentage.
    A line item's `hs_discount_percentage` is left out: HubSpot's own API examples write it in
    points (`10` for 10%), and how its import reads one is not documented.
    Example: `25` in a deal's Forecast probability (`hs_forecast_probability`).
    Fix: write the percentage with its sign (`25%`) or as the fraction (`0.25`).
    """

    code = "HS253"
    name = "bare-percentage-above-one"
    severity = Severity.WARNING
    derived_values = True  # the percentage read, and the one meant
    constants = (r"HubSpot reads \.25 as 25%", r"HubSpot reads 1 as 100%", r"Excel keeps a cell of 25% as 0\.25")

    def wants(self, prop: Property) -> bool:
        return prop.format == "percentage" and (prop.object_id, prop.name) not in _POINTS

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file):
            n = numbers(chunk, column, prop)
            with np.errstate(invalid="ignore"):
                bare = n.ok & (np.abs(n.value) > 1)
            if not bare.any():
                continue
            bare &= ~rows_with(chunk, column.index, b"%")  # `25%` is the documented form
            number_cells = kind_mask(chunk, column.index, "n")
            if number_cells is not None:
                yield from self.cells(chunk, file, column, bare & number_cells, _message(cell=True))
                bare &= ~number_cells
            yield from self.cells(chunk, file, column, bare, _message(cell=False))


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

