"""Bounds on the work xlrd does for an .xls, checked before xlrd does it (``readers/xls.py``): a
crafted file within the size limit must not make xlrd loop, parse the same records over and
over, or fill memory. Each check counts structure, never time, so the outcome is the same on any
machine, and each is a refusal (``bad-workbook``) with its reason.

- The compound file (read the way xlrd's ``compdoc`` reads it): each directory entry is reached
  once from the root (xlrd walks the tree recursively, so entries that share children make it
  exponential), and the workbook stream's chain in the mini stream holds no loop (xlrd follows
  that chain without its loop check, for ever).
- The workbook globals: no FORMAT string past 255 characters (Excel's limit, MS-XLS 2.4.126;
  xlrd and openpyxl tell a date format with a regular expression that is quadratic on ``[``),
  and no SST string with a negative phonetic size (xlrd steps back by it and reads the same bytes
  as new strings, as many times as the SST's count says). The SST's count of unique strings is
  one its bytes can hold (3 bytes at least each: a 2-byte length and a flags byte) and at most
  ``MAX_SST``: xlrd makes each string a Python object before any sheet is read.
- Each worksheet, before xlrd loads it: its records are no other sheet's (sheets are BOUNDSHEET
  positions, and many positions on one sheet's records read it once each), and no cell is past
  BIFF8's 256 columns (xlrd's own check is an ``assert``, gone under ``python -O``, and a cell
  at column 65,535 widens its row to 65,536 cells).
"""

from __future__ import annotations

import bisect
import struct
from typing import Any

from validator.readers.base import Refused

_END, _FREE = -2, -1
_BOF, _EOF, _SST, _CONTINUE, _FORMAT = 0x0809, 0x000A, 0x00FC, 0x003C, 0x041E
_BOFS = frozenset({0x0009, 0x0209, 0x0409, 0x0809})
# cell records: their column at offset 2 (MULRK and MULBLANK: the last column is their last 2 bytes)
_CELLS = frozenset({0x0203, 0x00FD, 0x0204, 0x00D6, 0x027E, 0x0006, 0x0206, 0x0406, 0x0205, 0x0201})
_RUNS = frozenset({0x00BD, 0x00BE})
_RECORD = struct.Struct("<HHHH")  # type, length, and a cell record's row and column
_U16 = struct.Struct("<H")
MAX_FORMAT = 255
MAX_COLUMN = 255
# The unique strings an SST may declare: the cells of a full BIFF8 sheet (65,536 x 256). A string
# is in the table for a cell that shows it (a LABELSST record, 14 bytes), and 16,777,216 of those
# alone would be 235 MB, past the 128 MiB read (MAX_XLS_BYTES); xlrd holds a 2-character string
# in ~90 bytes (0.7 s and 89 MiB a million), so the bound keeps the table within what a full
# sheet of cells costs
MAX_SST = 65_536 * 256


def _bad(reason: str) -> Refused:
    return Refused(f"the .xls workbook cannot be read ({reason}; HubSpot: INVALID_SPREADSHEET)", "bad-workbook")


def check_compound(mem: bytes) -> None:
    """The directory tree and the workbook's mini-stream chain, as xlrd's ``CompDoc`` reads them.
    What xlrd refuses on its own (a bad sector id, a file cut short) is left to it."""
    try:
        _compound(mem)
    except (IndexError, struct.error, ValueError):
        return


def _compound(mem: bytes) -> None:
    ssz, sssz = struct.unpack_from("<HH", mem, 30)
    ssz = 9 if ssz > 20 else ssz
    sssz = 6 if sssz > ssz else sssz
    size = 1 << ssz
    _sat_secs, dir_first, _u, min_std, ssat_first, ssat_secs, msatx_first, msatx_secs = struct.unpack_from(
        "<iiiiiiii", mem, 44)
    n = size // 4
    secs = -(-(len(mem) - 512) // size)

    def sector(sid: int) -> tuple[int, ...]:
        return struct.unpack_from(f"<{n}i", mem[512 + size * sid: 512 + size * (sid + 1)].ljust(size, b"\0"))

    msat = list(struct.unpack_from("<109i", mem, 76))
    if not (msatx_secs == 0 and msatx_first in (_END, _FREE, 0)):
        sid, seen = msatx_first, set()
        while sid not in (_END, _FREE, -4) and 0 <= sid < secs and sid not in seen:
            seen.add(sid)
            msat.extend(sector(sid))
            sid = msat.pop()
    sat: list[int] = []
    for sid in msat:
        if 0 <= sid < secs:
            sat.extend(sector(sid))
    directory = b"".join(mem[512 + size * s: 512 + size * (s + 1)] for s in _chain(sat, dir_first))
    entries = [struct.unpack_from("<HBBiii", directory, at + 64) + struct.unpack_from("<ii", directory, at + 116)
               for at in range(0, len(directory) - 127, 128)]
    if not entries:
        return
    children = _tree(entries)
    for name in ("workbook", "book"):
        found = [d for d in children if _name(directory, d).lower() == name]
        if found:
            _ln, kind, _c, _l, _r, _root, first, total = entries[found[0]]
            if kind == 2 and 0 < total < min_std and entries[0][7] > 0:  # read from the mini stream
                ssat: list[int] = []
                for s in _chain(sat, ssat_first)[: max(0, ssat_secs)]:
                    ssat.extend(sector(s))
                if _loops(ssat, first):
                    raise _bad("the workbook stream's chain in the compound file's mini stream loops")
            return


def _chain(table: list[int], sid: int) -> list[int]:
    out: list[int] = []
    seen: set[int] = set()
    while 0 <= sid < len(table) and sid not in seen:
        seen.add(sid)
        out.append(sid)
        sid = table[sid]
    return out


def _loops(table: list[int], sid: int) -> bool:
    seen: set[int] = set()
    while 0 <= sid < len(table):
        if sid in seen:
            return True
        seen.add(sid)
        sid = table[sid]
    return False


def _tree(entries: list[tuple[int, ...]]) -> list[int]:
    """The root's children in xlrd's order (``_build_family_tree``), each entry reached once."""
    reached: set[int] = set()
    root_children: list[int] = []
    # (entry, its parent); xlrd: left subtree, the entry, right subtree, then a storage's own tree
    stack: list[tuple[str, int, int]] = [("walk", entries[0][5], 0)]
    while stack:
        step, did, parent = stack.pop()
        if did < 0 or did >= len(entries):
            continue  # (xlrd: an IndexError of its own)
        if step == "visit":
            if parent == 0:
                root_children.append(did)
            if entries[did][1] == 1:
                stack.append(("walk", entries[did][5], did))
            continue
        if did in reached:
            raise _bad(f"the compound file's directory reaches entry {did} twice (a loop in its tree)")
        reached.add(did)
        stack += [("walk", entries[did][4], parent), ("visit", did, parent), ("walk", entries[did][3], parent)]
    return root_children


def _name(directory: bytes, did: int) -> str:
    length = struct.unpack_from("<H", directory, 128 * did + 64)[0]
    return directory[128 * did: 128 * did + max(0, length - 2)].decode("utf-16-le", "replace") if length else ""


def biff8(mem: bytes, base: int) -> int | None:
    """The BIFF version of the BOF record at ``base`` as xlrd's ``getbof`` tells it (None where
    it is no BOF: xlrd refuses it): an older workbook is refused before xlrd reads it, since xlrd
    reads the one sheet of a BIFF2-4 file while it opens it."""
    if len(mem) < base + 8:
        return None
    opcode, _length, version2 = struct.unpack_from("<HHH", mem, base)
    if opcode not in _BOFS:
        return None
    if opcode >> 8 == 0x08:
        if version2 == 0x0600:
            return 80
        if version2 == 0x0500:
            build, year = struct.unpack_from("<HH", mem.ljust(base + 12, b"\0"), base + 8)
            return 50 if year < 1994 or build in (2412, 3218, 3321) else 70
        return {0x0000: 21, 0x0007: 21, 0x0200: 21, 0x0300: 30, 0x0400: 40}.get(
            version2, 0) or None
    return {0x04: 40, 0x02: 30, 0x00: 21}[opcode >> 8]


def check_globals(mem: bytes, base: int, unicode: bool) -> None:
    """The workbook globals from the BOF at ``base`` to their EOF, as xlrd's ``parse_globals``
    reads them: FORMAT strings' lengths (``unicode``: BIFF8's, with a 2-byte length) and the
    SST's phonetic sizes."""
    at = base
    while at + 4 <= len(mem):
        kind, length = struct.unpack_from("<HH", mem, at)
        data = mem[at + 4: at + 4 + length]
        at += 4 + length
        if kind == _EOF:
            return
        if unicode and kind == _FORMAT and len(data) >= 4 and struct.unpack_from("<H", data, 2)[0] > MAX_FORMAT:
            raise _bad(f"a number format of {struct.unpack_from('<H', data, 2)[0]:,} characters, "
                       f"Excel's are at most {MAX_FORMAT}")
        if kind == _SST:
            parts = [data]
            while at + 4 <= len(mem) and struct.unpack_from("<H", mem, at)[0] == _CONTINUE:
                length = struct.unpack_from("<H", mem, at + 2)[0]
                parts.append(mem[at + 4: at + 4 + length])
                at += 4 + length
            _sst(parts)


def _sst(parts: list[bytes]) -> None:
    """Walks the SST's strings as xlrd's ``unpack_SST_table`` does, without decoding them."""
    if len(parts[0]) < 8:
        return
    count = struct.unpack_from("<i", parts[0], 4)[0]
    size = sum(len(p) for p in parts) - 8
    if count > size // 3:
        raise _bad(f"the shared string table declares {count:,} strings, more than its {size:,} bytes hold "
                   "(3 bytes at least each)")
    if count > MAX_SST:
        raise _bad(f"the shared string table declares {count:,} strings, more than the {MAX_SST:,} cells of a "
                   "full sheet")
    index, data, pos = 0, parts[0], 8
    try:
        for _ in range(max(0, count)):
            nchars = struct.unpack_from("<H", data, pos)[0]
            options = data[pos + 2]
            pos += 3
            runs = phonetic = 0
            if options & 0x08:
                runs = struct.unpack_from("<H", data, pos)[0]
                pos += 2
            if options & 0x04:
                phonetic = struct.unpack_from("<i", data, pos)[0]
                pos += 4
                if phonetic < 0:
                    raise _bad(f"a shared string with a negative phonetic size ({phonetic})")
            got = 0
            while True:
                width = 2 if options & 0x01 else 1
                avail = min((len(data) - pos) // width, nchars - got)
                pos += width * avail
                got += avail
                if got == nchars:
                    break
                index += 1
                data = parts[index]
                options, pos = data[0], 1
            for _run in range(runs):
                if pos == len(data):
                    index, pos = index + 1, 0
                    data = parts[index]
                pos += 4
            pos += phonetic
            if pos >= len(data):
                pos -= len(data)
                index += 1
                if index >= len(parts):
                    return
                data = parts[index]
    except (IndexError, struct.error):
        return  # (xlrd fails on it in its own way)


class SheetBounds:
    """The worksheets' records, walked from each BOUNDSHEET position as xlrd's ``Sheet.read``
    walks them: the stretches read so far, so that no two sheets share records."""

    def __init__(self, mem: Any) -> None:
        self.mem = mem
        self.starts: list[int] = []
        self.ends: list[int] = []

    def check(self, start: int, name: str) -> None:
        mem = self.mem
        i = bisect.bisect_right(self.starts, start)
        if i and start < self.ends[i - 1]:
            raise _bad(f"sheet {name!r} starts inside the records of another sheet")
        limit = self.starts[i] if i < len(self.starts) else len(mem)
        size = len(mem)
        record, u16 = _RECORD.unpack_from, _U16.unpack_from
        cells, runs, bofs = _CELLS, _RUNS, _BOFS
        at = start + 4 + u16(mem, start + 2)[0] if start + 4 <= size else size  # (its BOF)
        nested = False
        while at + 4 <= size:
            if at >= limit:
                raise _bad(f"sheet {name!r} runs into the records of another sheet")
            kind, length, row, column = record(mem, at) if at + 8 <= size else record(mem[at:].ljust(8, b"\0"))
            body, at = at + 4, at + 4 + length
            if kind in cells:
                if column > MAX_COLUMN and not nested and length >= 4:
                    _column(row, column, name)
            elif kind in runs:
                if not nested and length >= 6 and body + length <= size:
                    _column(row, max(column, u16(mem, body + length - 2)[0]), name)
            elif kind == _EOF:
                if not nested:
                    break
                nested = False
            elif kind in bofs:
                nested = True  # an embedded chart: xlrd skips to its EOF
        self.starts.insert(i, start)
        self.ends.insert(i, max(at, start + 1))


def _column(row: int, column: int, name: str) -> None:
    if column > MAX_COLUMN:
        raise _bad(f"sheet {name!r} has a cell at row {row + 1:,}, column {column + 1:,}: past the 256 columns "
                   "of an Excel 97-2003 sheet")
