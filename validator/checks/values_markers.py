"""A missing value written as text by the tool that exported the file (HS254): PostgreSQL's and
MySQL's `\\N`, a database's `NULL`, pandas' `nan`, `NaT` and `<NA>`, JavaScript's `undefined`, in
a text property's column, where HubSpot stores them as the text they are.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from validator.checks._facts import Screen, arrow_column, exactly, screened
from validator.checks.base import Hit, quote, with_values
from validator.checks.typed import VALUE_COLUMN_TYPES, ValueRule
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.readers.base import Chunk

# each marker, exactly as its tool writes it, with the tool named in the message
MARKERS = {
    "\\N": "PostgreSQL's COPY and MySQL's text for a NULL",
    "NULL": "a database export's text for a NULL",
    "null": "JSON's text for no value",
    "nan": "pandas' text for a missing value",
    "NaN": "pandas' text for a missing value",
    "NaT": "pandas' text for a missing date",
    "<NA>": "pandas' text for a missing value",
    "undefined": "JavaScript's text for no value",
}
_LONGEST = max(len(m) for m in MARKERS)
_MARKER_SET = pa.array(list(MARKERS))
# per cell length in bytes (past the longest marker's: one more), whether a marker is that long
_LENGTHS = np.zeros(_LONGEST + 2, bool)
_LENGTHS[[len(m.encode()) for m in MARKERS]] = True
# the bytes the markers start and end with: a cell is looked up only where its own agree (a
# column of names holds many short cells, few of them starting with N, n, u, < or \\ and
# ending with one of these)
_FIRSTS = bytes(sorted({m.encode()[0] for m in MARKERS}))
_LASTS = bytes(sorted({m.encode()[-1] for m in MARKERS}))


class NullMarker(ValueRule):
    """A text cell holds a missing value as its exporting tool writes it: `\\N`, `NULL`, `nan`.

    Why: a database or a script writes no value as text of its own: PostgreSQL's `COPY` (in its
    text format, or `NULL '\\N'`) and MySQL's `INTO OUTFILE` write `\\N`, database tools `NULL`,
    pandas `nan`, `NaT` or `<NA>` once a column is turned into text (`astype(str)`), JavaScript
    `undefined`. To HubSpot each is text like any other ([I]: no import step is documented to
    read them as no value), so a contact's job title becomes `NULL`; where the import updates
    records, the text replaces the value the record had, where a blank cell leaves it as it is
    ([V] S6: blank cells are ignored). Only text properties (and properties the catalog does not
    know, such as custom ones) are looked at: in a number, date, option or email column such a
    cell is no valid value, and the rule of that kind reports it. `None`, `N/A` and `-` are words
    people type too (an answer, an option's label), so they are not named.
    Example: `\\N` in a Job Title column of a `COPY ... TO STDOUT` export; `nan` in Company.
    Fix: leave the cell empty: `COPY ... WITH (FORMAT csv)` writes NULL as an empty field, and
    pandas' `to_csv` writes missing values empty unless the column was made text first
    (`astype(str)`: keep the missing values missing, or `replace("nan", "")` after it).
    """

    code = "HS254"
    name = "null-marker"
    severity = Severity.WARNING

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, short in screened(chunk, with_values(chunk, self._text_columns(file)), _candidates):
            bad = _markers_at(chunk.column(column.index), short)
            yield from self.cells(chunk, file, column, bad, _message,
                                  hint="leave the cell empty: HubSpot ignores a blank cell")

    def _text_columns(self, file: FileContext) -> list[Column]:
        """Value columns of a text property (no format that another rule reads) or of one the
        catalog does not know; once per file."""
        memo = self.__dict__.get("_text")
        if memo is not None and memo[0] is file:
            return list(memo[1])
        out = []
        for column in file.mapped(*VALUE_COLUMN_TYPES):
            spec = column.spec
            if spec is None or spec.property_name is None or spec.to_object_type_id is not None:
                continue
            prop = self.catalog.property_of(spec.object_type_id, spec.property_name)
            if prop is None or (prop.type == "string" and prop.format is None):
                out.append(column)
        self._text = (file, out)
        return out


def _candidates(seen: Screen) -> np.ndarray:
    """The cells as short as a marker, whose first and last bytes are a marker's."""
    short = _LENGTHS[np.minimum(seen.length, _LONGEST + 1)]
    if not short.any():
        return short
    short &= seen.first_in(_FIRSTS)
    if not short.any():
        return short
    return short & seen.last_in(_LASTS)


def _markers_at(values: pd.Series, candidates: np.ndarray) -> np.ndarray:
    """The candidate rows whose cell is a marker: the candidates' cells taken from the Arrow
    storage and looked up there (pandas' ``iloc`` and ``isin`` cost ~0.4 ms a column and chunk,
    however few they are); by ``isin`` where the column is stored in Python."""
    data = arrow_column(values)
    if data is None:
        return exactly(values, candidates, lambda v: v.isin(MARKERS).to_numpy(dtype=bool))
    at = np.flatnonzero(candidates)
    out = np.zeros(len(values), bool)
    out[at] = pc.is_in(data.take(at), value_set=_MARKER_SET).to_numpy(zero_copy_only=False)
    return out


def _message(value: str) -> str:
    return (f"{quote(value)} is {MARKERS.get(value, 'a text for no value')}; HubSpot imports it as text, "
            f"where a blank cell would leave the property as it is")

