"""Loading one piece of a large worksheet (``xlsx_pieces``): typed columns or Python values.

A later piece (it has a marker row) is loaded by fastexcel straight to typed Arrow columns
(``_typed``) wherever each of its columns holds one kind of value and every text cell stays text
(``_text_cells`` counts them in the piece's bytes); any other piece, and the first, by
python-calamine as Python values (``_load``). A later piece's Python values are kept by column,
only the cells that hold something (``Sparse``): as rows, every cell of its rows x columns was an
object in a list (a 500-column export whose custom columns mix numbers and text: ~25 MB a piece).
Runs on the pieces' loader thread; the libraries are imported only when a piece loads.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from typing import Any

from validator.readers.xlsx_piece_cut import PiecesFailed


@dataclass(slots=True)
class Piece:
    """One loaded piece: its rows of cell values, the sheet row of the first one and the sheet
    column (0-based) of their first values; or (``typed``) its columns from column A, ``height``
    values each: Arrow arrays typed as fastexcel gives them, or (``values``: python-calamine's
    values of a piece fastexcel could not type) ``Sparse`` columns and null arrays."""

    rows: list[list[Any]]
    first: int
    col0: int
    typed: list[Any] | None = None
    height: int = 0
    values: bool = False

    @property
    def count(self) -> int:
        """The rows it holds."""
        return len(self.rows) if self.typed is None else self.height


class Sparse:
    """A column of python-calamine's values of a piece, ``length`` cells of which only those that
    hold something are kept: their positions (``at``, ascending) and values (an object array).
    An empty cell is ``""`` (as python-calamine gives it). Sliced as an Arrow array is
    (``_Typed.block``); ``xlsx_columns.arrow_texts`` converts it as ``column_texts`` does the
    whole column."""

    __slots__ = ("at", "length", "values")

    def __init__(self, length: int, at: Any, values: Any):
        self.length = length
        self.at = at
        self.values = values

    def __len__(self) -> int:
        return self.length

    def slice(self, offset: int = 0, length: int | None = None) -> Sparse:
        import numpy as np

        end = self.length if length is None else min(self.length, offset + length)
        a, b = (int(i) for i in np.searchsorted(self.at, [offset, end]))
        return Sparse(max(0, end - offset), self.at[a:b] - offset, self.values[a:b])

    def to_pylist(self) -> list[Any]:
        out: list[Any] = [""] * self.length
        for i, v in zip(self.at.tolist(), self.values.tolist(), strict=True):
            out[i] = v
        return out


def _sparse_columns(rows: list[list[Any]], col0: int) -> list[Any]:
    """Rows of python-calamine's values (the first in sheet column ``col0``, 0-based) as columns
    from column A: a null array where a column holds nothing, else a ``Sparse`` column."""
    import numpy as np
    import pyarrow as pa

    height = len(rows)
    width = max(map(len, rows), default=0)
    grid = np.full((height, width), "", dtype=object)
    if all(len(row) == width for row in rows):  # (calamine's rows: one width, that of its range)
        grid[:] = rows
    else:
        for r, row in enumerate(rows):
            grid[r, :len(row)] = row
    filled = grid != ""
    columns: list[Any] = [pa.nulls(height)] * (col0 + grid.shape[1])
    for c in np.flatnonzero(filled.any(axis=0)).tolist():
        at = np.flatnonzero(filled[:, c])
        columns[col0 + c] = Sparse(height, at, grid[at, c])
    return columns


# python-calamine gives a time of day below one day (before 1904-01-02, in either date system),
# and a number past 9999: date-times typed only between these, in seconds since 1970
_SINCE = int((dt.datetime(1904, 1, 2) - dt.datetime(1970, 1, 1)).total_seconds())
_UNTIL = int((dt.datetime(9999, 12, 31) - dt.datetime(1970, 1, 1)).total_seconds())
PER_SECOND = {"s": 1, "ms": 1000, "us": 1_000_000, "ns": 1_000_000_000}  # a timestamp unit's steps
_TYPED = ("string", "large_string", "double", "int64", "bool", "null")


def _text_cells(data: bytes) -> int | None:
    """The cells of the piece typed as text (``t="s"``, ``"str"`` or ``"inlineStr"``) that are not
    empty elements (``<c t="inlineStr"/>``: no value), counted in its bytes with array arithmetic
    (numpy lets other threads run meanwhile); None where a type is written any other way (quotes,
    spaces) or a cell is an ISO date (``t="d"``): not counted, so such a piece is not typed. Text
    that looks like a type attribute counts too: the counts then differ, and the piece loads as
    values."""
    import numpy as np

    a = np.frombuffer(data, dtype=np.uint8)
    eq = np.flatnonzero(a == 0x3D)  # "=": the attributes (and some text)
    eq = eq[(eq >= 2) & (eq < len(a) - 16)]  # (the ZIP's directory ends the bytes: no cell there)
    before = a[eq - 1]
    blank = (before == 0x20) | (before == 0x09) | (before == 0x0A) | (before == 0x0D)
    for i in eq[blank].tolist():  # "t =": a blank before "=" right after a lone "t"
        j = i - 1
        while j > 0 and a[j] in _BLANKS:
            j -= 1
        if a[j] == 0x74 and j > 0 and a[j - 1] in _BLANKS:
            return None
    eq = eq[before == 0x74]  # "t="
    lead = a[eq - 2]
    space = lead == 0x20
    if ((lead == 0x09) | (lead == 0x0A) | (lead == 0x0D)).any() or (space & (a[eq + 1] != 0x22)).any():
        return None
    eq = eq[space]
    first, second = a[eq + 2], a[eq + 3]
    if ((first == 0x64) & (second == 0x22)).any():  # t="d"
        return None
    short = (first == 0x73) & (second == 0x22)  # t="s": the tag goes on after eq + 4
    after = np.concatenate([eq[short] + 4, eq[(first == 0x73) & (second == 0x74)] + 6,  # t="str"
                            eq[(first == 0x69) & (second == 0x6E)] + 12])  # t="inlineStr"
    follows = a[after]
    count = int((follows == 0x3E).sum())  # ">": the cell holds something
    # "/>" or " />": an empty element; any other attribute after the type: look for the tag's end
    empty = (follows == 0x2F) | ((follows == 0x20) & (a[after + 1] == 0x2F))
    for k in after[(follows != 0x3E) & ~empty].tolist():
        end = data.find(b">", k)
        count += end > 0 and data[end - 1] != 0x2F
    return count


_BLANKS = (0x20, 0x09, 0x0A, 0x0D)


def _fastexcel() -> Any:
    """fastexcel, or None where it cannot be loaded."""
    try:
        import fastexcel
    except Exception:
        return None
    # an all-empty column is typed as text, with a warning on the log: that is as wanted here
    logging.getLogger("fastexcel.types.dtype").setLevel(logging.ERROR)
    return fastexcel


def _typed(data: bytes, name: str, marker: int) -> Piece | None:
    """A piece's cells as typed Arrow columns, from fastexcel (calamine's parse, straight to Arrow:
    no Python object per cell), where every column holds one kind of value and each reads as
    python-calamine reads it; None where not (the piece is loaded as Python values instead).

    Every text cell of the piece must be in a column typed as text: fastexcel lets text that
    reads as no value ("", "null", "NaN") into a column of numbers, where python-calamine keeps
    it as text (the text cells are counted in the piece's bytes: ``_text_cells``).

    fastexcel gives no row numbers: the marker cell (an error value in column A, above every cell
    of the piece, which reads as empty) begins the range, so the rows it gives are numbered from
    ``marker``, and their columns from column A."""
    fastexcel = _fastexcel()
    if fastexcel is None:
        return None
    text_cells = _text_cells(data)
    if text_cells is None:
        return None
    try:
        sheet = fastexcel.read_excel(data).load_sheet(name, header_row=None, schema_sample_rows=None,
                                                      dtype_coercion="strict")
        batch = sheet.to_arrow()
    except Exception:  # a column of mixed kinds, mostly: python-calamine gives each cell's
        return None
    height = batch.num_rows
    if not height:
        return None
    arrays = []
    texts = 0
    for arr in batch.columns:
        kind = str(arr.type)
        if arr[0].is_valid:  # the marker's row holds nothing else (were the marker not in the
            return None  # range, its first row would be one of the piece's, and columns shift)
        if kind in ("string", "large_string"):
            texts += len(arr) - arr.null_count
        if kind.startswith("timestamp["):
            import pyarrow.compute as pc

            per = PER_SECOND[arr.type.unit]
            low, high = pc.min_max(arr.cast("int64")).values()
            if low.is_valid and (low.as_py() < _SINCE * per or high.as_py() > _UNTIL * per):
                return None
        elif kind not in _TYPED:  # durations, dates: as python-calamine would give them, not checked
            return None
        arrays.append(arr.slice(1))
    # fastexcel's typing lets text that reads as no value ("", "null", "NaN") into a column of
    # numbers; python-calamine keeps it as text: every text cell must be in a text column
    if texts != text_cells:
        return None
    if height == 1:
        return Piece([], 1, 0)
    return Piece([], marker + 1, 0, arrays, height - 1)


def _load(data: bytes, name: str, index: int, marker: int | None = None) -> Piece:
    """A piece's cells: as typed columns (``_typed``) where it has a marker, else from
    python-calamine as Python values: the first piece's from row 1 and column 1 (as the whole
    sheet's), later ones from their first used row and column."""
    if marker is not None:
        typed = _typed(data, name, marker)
        if typed is not None:
            return typed
    from python_calamine import CalamineWorkbook

    handle = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        sheet = handle.get_sheet_by_name(name)
        start = sheet.start
        if start is None:
            return Piece([], 1, 0)
        if index == 0:
            return Piece(sheet.to_python(skip_empty_area=False), 1, 0)
        rows = sheet.to_python(skip_empty_area=True)
        if marker is not None:  # its row is the first one, and no row of the sheet
            if start[0] + 1 != marker:
                raise PiecesFailed("a piece's cells reach above its marker")
            del rows[0]
            if not rows:
                return Piece([], 1, 0)
            return Piece([], marker + 1, 0, _sparse_columns(rows, start[1]), len(rows), values=True)
        return Piece(rows, start[0] + 1, start[1])
    finally:
        handle.close()
