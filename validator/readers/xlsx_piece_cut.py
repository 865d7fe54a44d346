"""A large worksheet's XML cut into pieces, each a workbook of its own (``xlsx_pieces``).

``_Cutter`` cuts the sheet's XML, fed in order, at row starts: each piece is the sheet's own head
(everything before ``<sheetData>``, less ``<dimension>``), whole rows and the closing tags, with a
marker row above a later piece's first cell (``_marker``: fastexcel numbers its rows from it).
``_StoredZip`` lays a piece out as a stored ZIP whose other parts (styles, shared strings,
workbook part) are laid out once. A row over ``MAX_ROW_BYTES``, or a sheet without a plain
``<sheetData>``, ends the pieces (``PiecesFailed``).
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable
from typing import Any

MAX_ROW_BYTES = 64 << 20  # a longer row ends the pieces (the whole sheet is loaded instead)

_ROW_START = re.compile(rb"<row[\s>/]")
_DIMENSION = re.compile(rb"<dimension\b[^>]*>")
_TAIL = b"</sheetData></worksheet>"


class PiecesFailed(Exception):
    """The pieces could not go on; the reader loads the whole sheet."""


class _Cutter:
    """Cuts a worksheet's XML, fed in order, into pieces: each the head, whole rows, the closing tags."""

    def __init__(self, first: int, size: int):
        self.head: bytes | None = None
        self.buf = bytearray()
        self.target = first
        self.size = size
        self.consumed = 0  # bytes of the part in the head and the pieces cut so far
        self.done = False  # </sheetData> seen
        self.cut = 0  # pieces cut so far
        # (columns, cells): a piece's rows x columns at most (``Pieces.bound``: a sheet too sparse
        # to load whole); None: not bounded here
        self.bound: tuple[int, int] | None = None

    @property
    def complete(self) -> bool:
        """Every piece is cut."""
        return self.done and not self.buf

    def feed(self, data: bytes | bytearray, build: Callable[[list[Any]], bytes],
             limit: int = 1 << 30) -> list[tuple[bytes, int | None]]:
        """The pieces ``data`` completes, at most ``limit`` (the rest stays in the buffer), each
        made by ``build`` from its parts (head, rows, a marker row, closing tags) in one copy, with
        the row of its marker (None: none; the first piece has none, see ``_marker``)."""
        buf = self.buf
        buf += data
        if self.head is None:
            at = buf.find(b"<sheetData>")
            if at < 0:
                if len(buf) > 64 << 20 or buf.find(b"<sheetData") >= 0 or buf.find(b":sheetData") >= 0:
                    raise PiecesFailed("no plain <sheetData> element")
                return []
            at += len(b"<sheetData>")
            self.head = _DIMENSION.sub(b"", bytes(buf[:at]))
            del buf[:at]
            self.consumed += at
        if not self.done:
            end = buf.find(b"</sheetData>")
            if end >= 0:
                del buf[end:]
                self.done = True
        out: list[tuple[bytes, int | None]] = []
        while len(out) < limit and buf and (self.done or len(buf) >= self.target):
            cut = _row_start_near(buf, self.target) if len(buf) > self.target else -1
            if cut <= 0:
                if not self.done and len(buf) <= self.target + MAX_ROW_BYTES:
                    break  # no row starts after the first one yet: read on
                cut = len(buf)
            if cut > self.target + MAX_ROW_BYTES:  # never hold more than a piece and a row
                if out:  # the pieces before it first: the next call raises
                    break
                raise PiecesFailed("a row of the sheet is longer than the pieces may hold")
            marker = _marker(buf, cut) if self.cut else None
            if self.bound is not None and not _bounded(buf, cut, self.bound):
                if out:  # the pieces before it first: the next call raises
                    break
                raise PiecesFailed("a piece of the sheet spans more cells than calamine may load at once")
            with memoryview(buf) as view, view[:cut] as rows:
                out.append((build([self.head, _marker_row(marker), rows, _TAIL]), marker))
            del buf[:cut]
            self.consumed += cut
            self.cut += 1
            self.target = min(self.target * 2, self.size)
        return out


class _StoredZip:
    """Workbooks that differ only in one part: the other parts are laid out once, and each piece's
    workbook is joined from them, its part's header and its bytes (ZIP, stored, no compression)."""

    def __init__(self, others: dict[str, bytes], part: str):
        heads: list[bytes] = []
        central: list[bytes] = []
        offset = 0
        for name, data in others.items():
            local, entry = _headers(name, zlib.crc32(data), len(data), offset)
            heads += (local, data)
            central.append(entry)
            offset += len(local) + len(data)
        self.prefix = b"".join(heads)
        self.central = b"".join(central)
        self.entries = len(others) + 1
        self.part = part

    def build(self, parts: list[Any]) -> bytes:
        crc = 0
        for piece in parts:
            crc = zlib.crc32(piece, crc)
        size = sum(len(piece) for piece in parts)
        local, entry = _headers(self.part, crc, size, len(self.prefix))
        central = self.central + entry
        end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, self.entries, self.entries, len(central),
                          len(self.prefix) + len(local) + size, 0)
        return b"".join([self.prefix, local, *parts, central, end])


def _headers(name: str, crc: int, size: int, offset: int) -> tuple[bytes, bytes]:
    """The local and central directory headers of a stored entry (dated 1980-01-01)."""
    raw = name.encode("utf-8")
    flags = 0 if raw.isascii() else 0x800  # names in UTF-8
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 0, 0, 33, crc, size, size, len(raw), 0) + raw
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, 0, 0, 33, crc, size, size, len(raw),
                          0, 0, 0, 0, 0, offset) + raw
    return local, central


def _row_start_near(buf: bytearray, target: int) -> int:
    """Where a piece of about ``target`` bytes ends: the last row start at or before ``target``,
    else the first one after it (a row longer than the target); 0 or -1 where there is none."""
    at = target + 1
    while True:
        at = buf.rfind(b"<row", 0, at)
        if at <= 0:
            break
        if _ROW_START.match(buf, at):
            return at
    at = target
    while True:
        at = buf.find(b"<row", at + 1)
        if at < 0 or _ROW_START.match(buf, at):
            return at


_ROW_NUMBER = re.compile(rb"<row\b[^>]*?\br=[\"'](\d{1,7})[\"']")


def _bounded(buf: bytearray, end: int, bound: tuple[int, int]) -> bool:
    """Whether the piece ``buf[:end]`` spans at most ``bound[1]`` cells of ``bound[0]`` columns:
    from the row above its first cell (its marker's) to its last row element's. A last row without
    a number is not bounded."""
    columns, cells = bound
    above = _marker(buf, end) or 1
    at = end
    while True:
        at = buf.rfind(b"<row", 0, at)
        if at < 0:
            return True  # (no row: no cell)
        if _ROW_START.match(buf, at):
            break
    found = _ROW_NUMBER.match(buf, at)
    return found is not None and (int(found.group(1)) - above + 1) * columns <= cells


_CELL_REF = re.compile(rb"<c\b[^>]*?\br=[\"']([A-Za-z]{1,3})(\d{1,7})[\"']")
_MARKER = b'<row r="%d"><c r="A%d" t="e"><v>#N/A</v></c></row>'


def _marker(buf: bytearray, end: int) -> int | None:
    """The row for the marker cell of the piece ``buf[:end]``: the one above the row of its first
    cell (its cells' rows never go down: the scan checked the part), or None where there is none."""
    found = _CELL_REF.search(buf, 0, end)
    if found is None or buf.find(b"<c", 0, found.start()) >= 0:  # (a cell without a reference first)
        return None
    row = int(found.group(2)) - 1
    return row if row >= 1 else None


def _marker_row(row: int | None) -> bytes:
    return _MARKER % (row, row) if row else b""
