"""Where a worksheet's cells are: their references read from a window of the part's bytes.

``_cell_refs`` gives a window's extent (highest column, lowest and highest row, cells without a
reference, cells) and, for the scans that need them, each cell's offset, row and column, in
document order. ``_fast_refs`` reads the references of cells written as Excel writes them with
array arithmetic; any other form goes to the regexes. ``_last_boundary`` is where a window of a
part may end (after a cell or a row). Used by the worksheet byte scan (``xlsx_sheet``) and its
second pass over cells out of order (``xlsx_order``).
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from validator.readers.xlsx_container import has_bytes, word_positions

_NS = r"(?:[A-Za-z_][\w.-]*:)?"
_Q = rb"[\"']"

_CELL_COL = re.compile(rb"<" + _NS.encode() + rb"c\b[^>]*?\br=" + _Q + rb"([A-Za-z]{1,4})(\d+)" + _Q)
_CELL_ANY = re.compile(rb"<" + _NS.encode() + rb"c[\s/>]")


def col_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + (ord(ch) - 64)
    return n


_END_TAG = re.compile(rb"</" + _NS.encode() + rb"(?:c|row)>")


def _last_boundary(data: bytes) -> int:
    """Index just after the last ``</c>`` or ``</row>`` in ``data`` (-1: none)."""
    cell, row = data.rfind(b"</c>"), data.rfind(b"</row>")
    if cell >= 0 or row >= 0:
        return max(cell + 4 if cell >= 0 else -1, row + 6 if row >= 0 else -1)
    for window in (1 << 20, len(data)):  # prefixed end tags (``</x:c>``)
        start = max(0, len(data) - window)
        ends = [m.end() for m in _END_TAG.finditer(data, start)]
        if ends:
            return ends[-1]
        if start == 0:
            break
    return -1


_CELL_NEXT = np.zeros(256, dtype=bool)
_CELL_NEXT[list(b" >/\t\n\r")] = True
_WINDOW = 20  # "<c r=" and a quote, up to 3 letters and 7 digits, the closing quote, and slack


def _windows(data: bytes, pos: np.ndarray) -> np.ndarray:
    """The ``_WINDOW`` bytes from each offset in ``pos`` (zero-padded past the end), one row each."""
    flat = np.frombuffer(data, np.uint8)
    inside = len(data) - _WINDOW + 1
    near = pos >= inside
    view = np.lib.stride_tricks.as_strided(flat, shape=(max(inside, 0), _WINDOW), strides=(1, 1))
    if not near.any():
        return view[pos]
    out = np.zeros((len(pos), _WINDOW), dtype=np.uint8)
    out[~near] = view[pos[~near]]
    for i in np.flatnonzero(near):
        chunk = flat[pos[i]:]
        out[i, :len(chunk)] = chunk
    return out


# the cells of a window in document order: the offsets of their "<c" (None where the regexes read
# them), rows and columns
Cells = tuple[np.ndarray | None, np.ndarray, np.ndarray]
_KEY = 1 << 20  # a cell's key: row * _KEY + column (the regexes read up to four letters, ZZZZ: 475,254)
_ROW_CAP = 1 << 40  # rows past it (refused as beyond the limits) are keyed as this one


def _fast_refs(data: bytes, order: list[tuple[int, int, bool]] | None = None,
               cells: list[Cells] | None = None) -> tuple[int, int, int, int] | None:
    """(highest column, lowest row, highest row, cells) of the cells in ``data``, or None to use the
    regexes; ``cells`` (given with ``order``) gets their offsets, rows and columns.

    The fast path covers what Excel and common writers emit: every cell opens ``<c r="B7"`` (the
    reference first, upper-case letters, double quotes, no namespace prefix). The ``<c`` openings
    are found as aligned byte pairs and the references parsed with array arithmetic, so a cell
    costs a few bytes of numpy work instead of a regex match and two Python objects. Row numbers
    are read whole, leading zeros included (``A01`` is row 1, as the regexes read it), though a
    window with a leading zero is not taken as in order.
    """
    if has_bytes(data, b":c") and re.search(rb":c[\s/>]", data):
        return None  # prefixed cells (<x:c>): the general regex reads them
    pos = word_positions(data, b"<c")
    if not pos.size:
        return 0, 0, 0, 0
    if order is not None:
        pos = np.sort(pos, kind="stable")  # two sorted runs (even and odd offsets): document order
    win = _windows(data, pos)
    cell = _CELL_NEXT[win[:, 2]]  # <c followed by space, >, / or a line break: a cell
    if not cell.all():  # (<col>, <cfRule>: seldom among a window's cells; no copy where there are none)
        win, pos = win[cell], pos[cell]
    if not len(win):
        return 0, 0, 0, 0
    if not ((win[:, 2] == 32) & (win[:, 3] == 114) & (win[:, 4] == 61) & (win[:, 5] == 34)).all():
        return None
    ref = win[:, 6:]
    upper = (ref[:, :4] - np.uint8(65)) < 26  # uint8 arithmetic wraps: one compare per byte
    two = upper[:, 1]
    three = two & upper[:, 2]
    if not upper[:, 0].all() or (three & upper[:, 3]).any():
        return None  # a lower-case or 4-letter reference: the regexes decide
    letters = 1 + two.astype(np.int8) + three
    rows = np.empty(len(win), dtype=np.int64)
    cols = np.empty(len(win), dtype=np.int64) if cells is not None else None
    high_col = 0
    leading_zero = False
    for k in (1, 2, 3):
        whole = k == 1 and not two.any()
        these = slice(None) if whole else letters == k
        group = ref[these]
        if not len(group):
            continue
        digits = group[:, k:k + 8]
        isdigit = (digits - np.uint8(48)) < 10
        n = np.argmin(isdigit, axis=1)  # the first byte that is not a digit: the closing quote
        if not (isdigit[:, 0] & (digits[np.arange(len(digits)), n] == 34)).all():
            return None
        rows[these] = _row_numbers(digits, n)
        leading_zero = leading_zero or bool((digits[:, 0] == 48).any())
        columns = _letters_value(group[:, :k])
        if cols is not None:
            cols[these] = columns
        high_col = max(high_col, int(columns.max()))
    if order is not None:  # a leading zero (A01) is not what writers write: not read as in order
        order.append((0, 0, False) if leading_zero else
                     (int(rows[0]), int(rows[-1]), bool((rows[1:] >= rows[:-1]).all())))
    if cells is not None and cols is not None:
        cells.append((pos, rows, cols))
    return high_col, int(rows.min()), int(rows.max()), len(win)


# the lowest ``n`` bytes of a 64-bit word, n = 1..8 (index 0 unused); powers of ten
_LOW_BYTES = np.array([0] + [(1 << (8 * n)) - 1 for n in range(1, 8)] + [(1 << 64) - 1], dtype=np.uint64)
_TENS = 10 ** np.arange(9, dtype=np.uint64)


def _row_numbers(digits: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The numbers written by the first ``n`` (1-8) bytes of each row of ``digits`` (ASCII digits
    there): eight bytes read as one little-endian word, the bytes after the number cleared, and
    the digits combined pairwise in three multiplications (SWAR), giving the number times
    10^(8 - n)."""
    word = (np.ascontiguousarray(digits) - np.uint8(48)).view("<u8").ravel()
    word &= _LOW_BYTES[n]
    word = ((word & np.uint64(0x0F0F0F0F0F0F0F0F)) * np.uint64(2561)) >> np.uint64(8)
    word = ((word & np.uint64(0x00FF00FF00FF00FF)) * np.uint64(6553601)) >> np.uint64(16)
    word = ((word & np.uint64(0x0000FFFF0000FFFF)) * np.uint64(42949672960001)) >> np.uint64(32)
    return (word // _TENS[8 - n]).astype(np.int64)


def _letters_value(letters: np.ndarray) -> np.ndarray:
    value = np.zeros(len(letters), dtype=np.int64)
    for j in range(letters.shape[1]):
        value = value * 26 + (letters[:, j].astype(np.int64) - 64)
    return value


def _cell_refs(data: bytes, order: list[tuple[int, int, bool]] | None = None,
               cells: list[Cells] | None = None) -> tuple[int, int, int, int, int]:
    """(highest column, lowest row, highest row, cells without a reference, cells) of the cells in
    ``data``; ``order`` gets (first row, last row, rows never going down) in document order, and
    ``cells`` (given with ``order``) the cells with a reference (``Cells``)."""
    fast = _fast_refs(data, order, cells)
    if fast is not None:
        high_col, low, high, count = fast
        return high_col, low, high, 0, count
    refs = _CELL_COL.findall(data)
    numbers = [int(r) for _, r in refs]
    if order is not None:
        order.clear()
        if numbers:
            order.append((numbers[0], numbers[-1], all(a <= b for a, b in itertools.pairwise(numbers))))
    count = len(_CELL_ANY.findall(data))
    columns = {c: col_number(c) for c in {c for c, _ in refs}}
    if cells is not None and refs:
        cells.append((None, np.array([min(n, _ROW_CAP) for n in numbers], dtype=np.int64),
                      np.array([columns[c] for c, _ in refs], dtype=np.int64)))
    return (max(columns.values(), default=0), min(numbers, default=0), max(numbers, default=0), count - len(refs),
            count)
