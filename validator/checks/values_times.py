"""Datetimes in forms HubSpot's import documentation does not show (HS221): ISO-8601's `T`
between the date and the time, `Z` for UTC, and an offset without its colon (`+0100`).

HubSpot documents a datetime for imports as a date, a space, `hh:mm`, perhaps AM/PM and an
offset `+hh:mm` relative to the account's time zone (fact sheet 6, [V] S6); the `T` and `Z`
forms are the object API's (S10), and whether the importer takes them is not documented [GAP].
Only cells that parse (HS201 has the others) and hold one of the bytes these forms need are
matched against them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from validator import formats
from validator.catalog import Property
from validator.checks._facts import rows_with
from validator.checks.base import Hit, quote
from validator.checks.typed import ValueRule, cells
from validator.context import FileContext
from validator.findings import Severity
from validator.readers.base import Chunk

_TIME = r"\d:\d\d(?::\d\d(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*"
_FORMS = {"a T between the date and the time": r"^[^T ]+T\d{1,2}:",
          "Z for UTC": rf"{_TIME}Z$",
          "an offset without its colon": rf"{_TIME}[+-]\d{{4}}$"}
_ANY = "|".join(f"(?:{p})" for p in _FORMS.values())


class UndocumentedDatetimeForm(ValueRule):
    """A datetime parses, but in a form HubSpot documents for its object API, not for imports.

    Why: for imports HubSpot documents a date, `hh:mm`, AM/PM and an offset `+hh:mm` relative to
    the account's time zone (fact sheet 6, [V] S6). ISO-8601's `T` between date and time and
    its `Z` for UTC are the object API's forms (S10), and an offset without its colon is
    neither; whether the importer reads them is not documented [GAP], hence a warning.
    Example: `2024-01-05T10:00:00Z` or `2024-01-05 10:00 +0100` under YEAR_MONTH_DAY.
    Fix: write `2024-01-05 10:00 +00:00` (a space, and an offset with its colon), or epoch
    milliseconds.
    """

    code = "HS221"
    name = "undocumented-datetime-form"
    severity = Severity.WARNING
    hubspot_error = "COULD_NOT_PARSE_DATE"

    def wants(self, prop: Property) -> bool:
        return prop.type == "datetime"  # a time on a date property is HS219's

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file):
            if not rows_with(chunk, column.index, b"TZ+:").any():
                continue  # one pass over a column of dates without times (the usual case), not three
            maybe = rows_with(chunk, column.index, b"TZ+") | (rows_with(chunk, column.index, b"-")
                                                              & rows_with(chunk, column.index, b":"))
            at = np.flatnonzero(maybe & self.dates(chunk, file, column, prop).ok)
            if not len(at):
                continue
            bad = np.zeros(len(chunk), bool)
            bad[at] = formats.matches(cells(chunk, column).take(pa.array(at)), _ANY)
            yield from self.cells(chunk, file, column, bad, _message)


def _message(value: str) -> str:
    form = next((name for name, p in _FORMS.items() if re.search(p, value.strip())), "a form not documented")
    return (f"{quote(value)} writes its time with {form}: HubSpot documents `date hh:mm` and `+hh:mm` "
            "offsets for imports, and whether it reads this form is not documented")
