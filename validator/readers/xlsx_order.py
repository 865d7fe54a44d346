"""Cells out of order in a worksheet: a cell written twice, or a row placed after a higher one.

The byte scan (``xlsx_sheet``) notes whether every cell's reference is above the one before it;
where not, ``_disorder`` makes one more pass over the part to name the cell or rows at fault.
``cell_twice`` and ``rows_out_of_order`` are the refusals, shared with the openpyxl reader, which
meets such cells itself where they have no reference.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from validator.findings import column_letter
from validator.readers.errors import Refused
from validator.readers.xlsx_container import DENSE_CELLS, MAX_TOTAL_BYTES, Budget, stream_part
from validator.readers.xlsx_refs import Cells, _cell_refs, _last_boundary

if TYPE_CHECKING:
    from validator.readers.xlsx_sheet import SheetScan


def cell_twice(part: str, ref: str) -> Refused:
    """The refusal of a cell written twice (the pre-scan's, and the openpyxl reader's own)."""
    return Refused(f"sheet part {part!r} has cell {ref} twice (a row or cell written again); readers keep only "
                   "one of its values", "bad-workbook")


def rows_out_of_order(part: str, row: int, after: int) -> Refused:
    """The refusal of a row placed after a higher one (the pre-scan's, by the cells' references,
    and the openpyxl reader's own, for cells without one). Excel puts the rows in order when it
    opens such a file (a repair); a reader that sorts them (calamine) and one that takes them as
    written (a streaming one) number them differently, and which HubSpot's import is, is not
    known: read either way, a finding's row could be another reader's other row."""
    return Refused(f"sheet part {part!r} has row {row:,} after row {after:,} (rows out of order, which readers "
                   "number differently: open it in Excel, which puts them in order, and save it again)",
                   "bad-workbook")


def _disorder(zf: zipfile.ZipFile, part: str, out: SheetScan) -> Refused | None:
    """Why a sheet whose cells are not in order (``SheetScan.cells_sorted``) is refused: a cell
    written twice (the first, in the part's order, whose reference a cell before it has: calamine
    keeps the later value, openpyxl's streaming reader the earlier row), else a row placed after
    a higher one (the first cell whose reference names a row above the cell's before it); None
    where its cells are only out of order within their rows. One more pass over the part, with
    a flag per cell of its used range. A used range larger than calamine may read
    (``choose_engine``), or cells without a reference, leave the repeats to openpyxl, whose
    reader meets them itself (``XlsxReader``), as it meets rows out of order where cells have no
    reference."""
    width = max(1, out.max_col) + 1
    seen = None
    if not out.cells_without_ref and out.max_row * (width - 1) <= DENSE_CELLS:
        seen = np.zeros((out.max_row + 1) * width, dtype=bool)
    last = 0
    down: tuple[int, int] | None = None
    for window in _part_windows(zf, part):
        found: list[Cells] = []
        _cell_refs(window, [], found)
        if not found or not len(found[0][1]):
            continue
        _at, rows, cols = found[0]
        if seen is not None:
            twice = _repeat_in(rows, cols, seen, width)
            if twice is not None:
                return cell_twice(part, twice)
        if down is None:
            before = np.concatenate(([last], rows[:-1]))
            lower = rows < before
            if lower.any():
                i = int(np.argmax(lower))
                down = int(rows[i]), int(before[i])
                if seen is None:
                    break
            last = int(rows[-1])
    return rows_out_of_order(part, *down) if down is not None else None


def _part_windows(zf: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """A part already scanned, again, in windows that end where an element does."""
    carry = b""
    for block in stream_part(zf, part, Budget(MAX_TOTAL_BYTES)):
        data = carry + block
        cut = _last_boundary(data)
        if cut < 0:
            carry = data
            continue
        yield data[:cut]
        carry = data[cut:]
    if carry:
        yield carry


def _repeat_in(rows: np.ndarray, cols: np.ndarray, seen: np.ndarray, width: int) -> str | None:
    """The first of these cells whose reference is flagged in ``seen`` or comes twice among them;
    they are flagged."""
    keys = rows * width + cols
    first = np.zeros(len(keys), dtype=bool)
    first[np.unique(keys, return_index=True)[1]] = True
    again = ~first | seen[keys]
    seen[keys] = True
    if not again.any():
        return None
    i = int(np.argmax(again))
    return f"{column_letter(int(cols[i]))}{int(rows[i])}"
