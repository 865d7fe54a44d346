"""Whether a worksheet's rows open and close cleanly, proved from its bytes (``xlsx_sheet``'s scan).

python-calamine reads a worksheet whose end tags are missing (an extra or unclosed <row>) or
misnamed as if they were there, and so does its XML parser, which only checks that no end tag
closes more than was opened; a strict reader refuses the part. The byte scan proves what it can
at a cost per row, not per byte: the first cell of each row comes right after its row's start
tag, and that tag right after the end of the row before (</row>), a row without cells
(<row .../>) or <sheetData>; the part's </sheetData> right after the last row (10 ms for the
100,000 rows of the bench sheet, about what the windows' copy it saves in ``xlsx_refs._fast_refs`` cost).
A part in which it cannot see that (white space between tags, a start tag over _LOOKS[-1]
bytes, prefixed or reference-less cells) is parsed by expat after the scan (``xlsx_sheet.scan_sheet``):
half a second per 75 MB, which a sheet in Excel's shape never pays. A row without cells left
open before another one is beyond it.

Cells are proved to close the same way, at a cost per cell (``_cells_close``, ``_cell_ends``):
each one ends as Excel ends one, ``/>``, ``</v></c>`` (``<v/></c>``: no cached value) or
``</t></is></c>``, right before the next cell of its row, its row's ``</row>`` or the window's
end (4 ms for 120,000 cells, one word compared for most). python-calamine reads a value whose end
tag is misnamed (``<v>12</x>``) as if it were ``</v>``, and a misnamed one in a rich-text run or
after a formula takes the next cell's text into the cell; any other end (rich text, a formula
without a cached value, a misnamed end tag) leaves the part to expat, which names the place (and
the cell). A misnamed end tag followed by the right one (``<v>1</x></v>``) is beyond it.
"""

from __future__ import annotations

import re

import numpy as np

_TAIL = 1024  # bytes of a window kept for the next one's first rows
_NAME_END = np.zeros(256, dtype=bool)
_NAME_END[list(b" \t\r\n>/")] = True
_ROW_WORD = int.from_bytes(b"<row", "little")
_END_ROW_WORD = np.uint64(int.from_bytes(b"</row>", "little"))
_V_END = np.uint64(int.from_bytes(b"</v></c>", "little"))
_V_EMPTY = np.uint64(int.from_bytes(b"<v/></c>", "little"))  # (a formula without a cached value,
_V_EMPTY_SPACED = np.uint64(int.from_bytes(b"v /></c>", "little"))  # as openpyxl writes it: <v />)
_IS_END = np.uint64(int.from_bytes(b"/is></c>", "little"))  # the last 8 bytes of "</t></is></c>"
_T_END = np.uint64(int.from_bytes(b"</t><", "little"))
_SELF_CLOSED = np.uint64(int.from_bytes(b"/>", "little"))
_SHEET_END = re.compile(rb"(?:</row>|<sheetData>|<row\b[^<>]*/>)\Z")


def _rows_open_cleanly(data: bytes, at: np.ndarray, tail: bytes) -> bool:
    """Whether the cell at each offset in ``at`` (the first of its row) comes right after a row's
    start tag, and that tag right after ``</row>`` (the row before's last cell ending as
    ``_cell_ends`` wants), ``<sheetData>`` or a row without cells (``<row .../>``); ``tail``: the
    bytes of the part before ``data``."""
    if not at.size:
        return True
    near = at < _TAIL
    if near.any() and not _rows_open(np.frombuffer(tail + data[:_TAIL], dtype=np.uint8), at[near] + len(tail)):
        return False
    return _rows_open(np.frombuffer(data, dtype=np.uint8), at[~near])


def _rows_open(flat: np.ndarray, at: np.ndarray) -> bool:
    if not at.size:
        return True
    tag = _last_open(flat, at)
    word = _words(flat, tag)  # "<row" and the byte after the name
    if not (((word & 0xFFFFFFFF) == _ROW_WORD) & _NAME_END[(word >> 32) & 0xFF]).all():
        return False
    closed = (_words(flat, tag - 8) >> 16) == _END_ROW_WORD  # "</row>" right before
    if not _cell_ends(flat, tag[closed] - 6):  # and the row's last cell before it
        return False
    if closed.all():
        return True
    rest = tag[~closed]
    first = _is(flat, rest - 11, b"<sheetData>")
    if first.all():
        return True
    end = rest[~first] - 2  # the row before, without cells, ends right there: "/>"
    if not _is(flat, end, b"/>").all():
        return False
    empty = _last_open(flat, end)
    if not (_is(flat, empty, b"<row") & _NAME_END[_byte(flat, empty + 4)]).all():
        return False
    width = -(-int((end - empty).max()) // 8) * 8  # between its "<" and "/>": no ">"
    win = _before(flat, end, width)
    return not bool(((win == 62) & (np.arange(width) >= (width - (end - empty) + 1)[:, None])).any())


def _cells_close(data: bytes, at: np.ndarray, rows: np.ndarray) -> bool:
    """Whether each cell in ``data`` (at the offsets ``at``, in document order, of rows ``rows``)
    but the last of its row ends as Excel ends one (``_cell_ends``) right before the next cell,
    and the window's last cell, where the window ends with it or its row (a window ends after
    ``</c>`` or ``</row>``); the last cell of any other row is looked at by ``_rows_open``, before
    its ``</row>``."""
    if not at.size:
        return True
    flat = np.frombuffer(data, dtype=np.uint8)
    ends = at[1:][rows[1:] == rows[:-1]]
    last = len(data) if data.endswith(b"</c>") else data.rfind(b"</row>")
    if last > at[-1]:
        ends = np.append(ends, last)
    return _cell_ends(flat, ends)


def _cell_ends(flat: np.ndarray, end: np.ndarray) -> bool:
    """Whether the cell ending at each offset in ``end`` (just after it) ends as Excel ends one:
    ``/>``, ``</v></c>``, ``<v/></c>`` (``<v /></c>``: a formula without a cached value) or
    ``</t></is></c>``."""
    if not end.size:
        return True
    word = _words(flat, end - 8)
    ok = (word == _V_END) | (word == _V_EMPTY) | ((word >> 48) == _SELF_CLOSED)
    if ok.all():
        return True
    inline = ~ok & (word == _IS_END)  # and "</t><" before it
    ok[inline] = (_words(flat, end[inline] - 13) & np.uint64(0xFFFFFFFFFF)) == _T_END
    spaced = ~ok & (word == _V_EMPTY_SPACED)  # and "<" before it
    ok[spaced] = _byte(flat, end[spaced] - 9) == 60
    return bool(ok.all())


_LOOKS = (24, 128, 512)  # bytes looked at before an offset for a "<": wider only where not found


def _last_open(flat: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The offset of the last "<" before each offset in ``at``, within ``_LOOKS[-1]`` bytes (-1:
    none); the few bytes that hold it for most rows first, more for the rest."""
    tag = np.full(len(at), -1, dtype=np.int64)
    todo = np.arange(len(at))
    for width in _LOOKS:
        lt = _before(flat, at[todo], width) == 60
        back = np.argmax(lt[:, ::-1], axis=1)
        hit = lt[np.arange(len(todo)), width - 1 - back]
        tag[todo[hit]] = at[todo[hit]] - 1 - back[hit]
        todo = todo[~hit]
        if not todo.size:
            break
    return tag


def _before(flat: np.ndarray, at: np.ndarray, width: int) -> np.ndarray:
    """The ``width`` (a multiple of 8) bytes before each offset in ``at``, one row each (zeros
    before the buffer); gathered as 8-byte words."""
    start = at - width
    inside = start >= 0
    out = np.zeros((len(at), width), dtype=np.uint8)
    if len(flat) >= width and inside.any():
        view = np.ndarray((len(flat) - width + 1, width // 8), dtype="<u8", buffer=flat, strides=(1, 8))
        if inside.all():
            return view[start].view(np.uint8)
        out[inside] = view[start[inside]].view(np.uint8)
    for i in np.flatnonzero(~inside).tolist():  # the few near the buffer's start
        a = max(int(at[i]), 0)
        out[i, width - a:] = flat[:a]
    return out


def _words(flat: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The 8 bytes at each offset in ``at`` as a little-endian word (0 where they leave the buffer)."""
    if len(flat) < 8:
        return np.zeros(len(at), dtype=np.uint64)
    view = np.ndarray((len(flat) - 7,), dtype="<u8", buffer=flat, strides=(1,))
    inside = (at >= 0) & (at < len(flat) - 7)
    if inside.all():
        return view[at]
    return np.where(inside, view[np.clip(at, 0, len(flat) - 8)], np.uint64(0))


def _is(flat: np.ndarray, at: np.ndarray, pattern: bytes) -> np.ndarray:
    """Whether ``pattern`` is at each offset in ``at`` (False where it would leave the buffer)."""
    ok = (at >= 0) & (at <= len(flat) - len(pattern))
    where = np.where(ok, at, 0)
    for k, byte in enumerate(pattern):
        ok &= flat[np.minimum(where + k, len(flat) - 1)] == byte
    return ok


def _byte(flat: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The byte at each offset in ``at`` (0 outside the buffer)."""
    inside = (at >= 0) & (at < len(flat))
    return np.where(inside, flat[np.clip(at, 0, len(flat) - 1)], 0).astype(np.uint8)


def _sheet_data_closes(text: bytes) -> bool:
    """Whether the part's end (``text``: its last window, after the bytes before it) closes
    ``<sheetData>`` right after the last row (or holds an empty ``<sheetData/>``)."""
    end = text.find(b"</sheetData>")
    if end < 0:
        return b"<sheetData/>" in text and b"<row" not in text
    return _SHEET_END.search(text, max(0, end - _TAIL), end) is not None
