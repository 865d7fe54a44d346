"""The ``xls`` kind of the fuzz run (``tests/fuzz.py``): legacy Excel 97-2003 seeds written by
xlwt, and mutations of their compound file and of the BIFF records of their workbook stream.

A mutation is a function of its ``random.Random`` and its input alone. The compound file is read
here without xlrd (a mutated file can make xlrd's own reader loop): the header, the FAT of the
header's first 109 entries, the directory sectors, and each chain followed at most once per
sector. The workbook stream's records (2-byte type, 2-byte length) are mutated as records, and
the stream is written back into a new compound file of the same layout xlwt writes (512-byte
sectors, the stream in the big sectors), or, where it is under 4,096 bytes, in the mini stream;
each BOUNDSHEET record's position then follows its sheet's BOF record.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import struct
from typing import Any

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
END, FREE, FAT_SECTOR = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
BOUNDSHEET, BOF, EOF, SST, CONTINUE = 0x0085, 0x0809, 0x000A, 0x00FC, 0x003C
# the fields a mutation aims at: record type -> (offset, size) of its count, index and length fields
FIELDS: dict[int, list[tuple[int, int]]] = {
    0x0208: [(0, 2), (2, 2), (4, 2), (12, 4)],  # ROW: row, first col, last col + 1, flags (hidden)
    0x0200: [(0, 4), (4, 4), (8, 2), (10, 2)],  # DIMENSIONS
    0x00BD: [(0, 2), (2, 2), (-2, 2)],  # MULRK: row, first col, last col
    0x00BE: [(0, 2), (2, 2), (-2, 2)],  # MULBLANK
    0x00FD: [(0, 2), (2, 2), (4, 2), (6, 4)],  # LABELSST: row, col, xf, string index
    0x0203: [(0, 2), (2, 2), (4, 2)],  # NUMBER
    0x027E: [(0, 2), (2, 2), (4, 2)],  # RK
    0x0201: [(0, 2), (2, 2), (4, 2)],  # BLANK
    0x0205: [(0, 2), (2, 2), (6, 1), (7, 1)],  # BOOLERR: row, col, value, is-error
    0x0204: [(0, 2), (2, 2), (6, 2)],  # LABEL: row, col, length
    0x0006: [(0, 2), (2, 2), (4, 2), (6, 1), (8, 1), (12, 2), (14, 2), (20, 2)],  # FORMULA: result, flags
    0x00E0: [(0, 2), (2, 2), (4, 2)],  # XF: font, format, type and parent
    0x041E: [(0, 2), (2, 2), (4, 1)],  # FORMAT: index, length, options
    0x00FC: [(0, 4), (4, 4), (8, 2), (10, 1)],  # SST: total, unique, first length, options
    0x0085: [(0, 4), (4, 1), (5, 1), (6, 1)],  # BOUNDSHEET: position, visibility, type, name length
    0x00E5: [(0, 2), (2, 2), (4, 2), (6, 2)],  # MERGEDCELLS: count, first range
    0x007D: [(0, 2), (2, 2), (8, 2)],  # COLINFO: first col, last col, flags
    0x0809: [(0, 2), (2, 2)],  # BOF: version, type
    0x0022: [(0, 2)],  # DATEMODE
}
VALUES = [0, 1, 2, 3, 7, 0xFF, 0x100, 0x101, 0x3FFF, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF, 0x10000, 0x7FFFFFFF,
          0x80000000, 0xFFFFFFF9, 0xFFFFFFFF]


def seeds() -> list[tuple[str, bytes, list[str]]]:
    """(name, .xls bytes, header) of each xls seed."""
    import xlwt

    from tests.workbooks import make_xls

    header = ["Email", "First Name", "Phone", "Zip", "Close Date", "Subscribed"]
    rows: list[list[Any]] = [
        header,
        ["a@x.com", "Ann", 5551234, "02139", dt.date(2024, 3, 15), True],
        ["b@x.com", "Bob", 1.5, 2139, dt.datetime(2024, 3, 16, 14, 30), False],
        ["c@x.com", "#N/A", {"v": 0.5, "format": "h:mm"}, {"s": "07030"}, {"v": -1.25, "format": "yyyy-mm-dd"}, "x"],
        [None, "Dee", None, "x", {"v": 1.5, "format": "[h]:mm:ss"}, None],
        ["e@x.com", "", "", "", "31/12/2024", "yes"]]
    every = {"sheets": [
        {"name": "Contacts", "rows": rows, "hidden_rows": [3], "hidden_cols": ["C"], "merged": ["A7:B7"],
         "formatted": ["A8:F12"]},
        {"name": "Notes", "rows": [["kept"]], "state": "hidden"}]}
    out = [("xls-every-rule", make_xls(every), header),
           ("xls-1904", make_xls({"date1904": True, "sheets": [
               {"name": "Cover", "rows": []}, {"name": "Data", "rows": rows[:4], "merged": ["E5:F5"]},
               {"name": "Other", "rows": rows[:2], "state": "veryHidden"}]}), header)]
    wb = xlwt.Workbook()
    for name in ("Formulas", "Second"):
        ws = wb.add_sheet(name)
        for c, text in enumerate(["Email", "Score", "Total", "Flag"]):
            ws.write(0, c, text)
        for r in range(1, 6):
            ws.write(r, 0, f"p{r}@x.com")
            ws.write(r, 1, r * 1.25)
            ws.write(r, 2, xlwt.Formula(f"B{r + 1}*2"))  # xlwt stores 0 as the formula's cached value
            ws.write(r, 3, xlwt.Formula("1>0") if r % 2 else xlwt.Formula('"t"&"x"'))
        ws.row(2).hidden = True
        ws.write_merge(7, 8, 0, 1, "merged")
    buf = io.BytesIO()
    wb.save(buf)
    out.append(("xls-formulas", _cached(buf.getvalue()), ["Email", "Score", "Total", "Flag"]))
    return out


def _cached(data: bytes) -> bytes:
    """The workbook with cached formula results as Excel stores them (xlwt stores 0 for each):
    a number, then by turns a boolean, an error (#DIV/0!) and a text (a STRING record after it)."""
    recs = records(workbook_stream(data) or b"")
    out: list[list[Any]] = []
    for n, rec in enumerate(recs):
        out.append(rec)
        if rec[0] != 0x0006:
            continue
        col = struct.unpack_from("<H", rec[1], 2)[0]
        kind = 3 if col == 2 else n % 3
        result = [struct.pack("<BxBxxxH", 1, 1, 0xFFFF), struct.pack("<BxBxxxH", 2, 7, 0xFFFF),
                  struct.pack("<BxxxxxH", 0, 0xFFFF), struct.pack("<d", 2.5)][kind]
        rec[1] = rec[1][:6] + result + rec[1][14:]
        if kind == 2:
            out.append([0x0207, struct.pack("<HB", 2, 0) + b"tx", -1])
    return compound(serialize(out))


# -- the compound file ------------------------------------------------------------------------------

def _u32(data: bytes, at: int) -> int:
    return int(struct.unpack_from("<I", data, at)[0]) if 0 <= at <= len(data) - 4 else FREE


def _fat(data: bytes) -> list[int]:
    out: list[int] = []
    for k in range(109):
        sid = _u32(data, 76 + 4 * k)
        if sid >= FAT_SECTOR:
            continue
        sector = data[512 + 512 * sid: 1024 + 512 * sid]
        out.extend(struct.unpack(f"<{len(sector) // 4}I", sector[: len(sector) // 4 * 4]))
    return out


def _chain(fat: list[int], start: int, limit: int) -> list[int]:
    out: list[int] = []
    seen: set[int] = set()
    while start < len(fat) and start not in seen and len(out) < limit:
        seen.add(start)
        out.append(start)
        start = fat[start]
    return out


def directory(data: bytes) -> list[int]:
    """The file offsets of the directory entries (a 512-byte-sector file; [] when unreadable)."""
    if not data.startswith(MAGIC) or len(data) < 1024 or data[30] != 9:
        return []
    sectors = _chain(_fat(data), _u32(data, 48), len(data) // 512)
    return [512 + 512 * s + k for s in sectors for k in range(0, 512, 128) if 640 + 512 * s + k <= len(data)]


def workbook_stream(data: bytes) -> bytes | None:
    """The Workbook stream of a 512-byte-sector compound file, or None."""
    entries = directory(data)
    fat = _fat(data)
    found = root = None
    for at in entries:
        size = struct.unpack_from("<H", data, at + 64)[0]
        name = data[at: at + max(0, min(size, 64) - 2)].decode("utf-16-le", "replace")
        if name == "Workbook" and data[at + 66] == 2:
            found = at
        elif data[at + 66] == 5:
            root = at
    if found is None:
        return None
    start, size = _u32(data, found + 116), _u32(data, found + 120)
    if size >= _u32(data, 56) or root is None:
        body = b"".join(data[512 + 512 * s: 1024 + 512 * s] for s in _chain(fat, start, len(data) // 512))
        return body[:size]
    mini_fat = _chain(fat, _u32(data, 60), len(data) // 512)
    minis = list(struct.unpack(f"<{128 * len(mini_fat)}I",
                               b"".join(data[512 + 512 * s: 1024 + 512 * s].ljust(512, b"\0") for s in mini_fat)))
    container = b"".join(data[512 + 512 * s: 1024 + 512 * s]
                         for s in _chain(fat, _u32(data, root + 116), len(data) // 512))
    body = b"".join(container[64 * s: 64 * s + 64] for s in _chain(minis, start, len(container) // 64 + 1))
    return body[:size]


def compound(stream: bytes, mini: bool = False) -> bytes:
    """A compound file holding ``stream`` as its Workbook (in the mini stream where ``mini`` and
    the stream is under 4,096 bytes; else padded to 4,096 bytes as xlwt pads it)."""
    mini = mini and len(stream) < 4096
    if not mini and len(stream) < 4096:
        stream = stream.ljust(4096, b"\0")
    body = stream.ljust(-(-len(stream) // (64 if mini else 512)) * (64 if mini else 512), b"\0")
    mini_sectors = len(body) // 64 if mini else 0
    n_minifat = -(-mini_sectors // 128)
    n_container = -(-len(body) // 512) if mini else 0
    n_stream = 0 if mini else len(body) // 512
    n_fat = 1
    while n_fat * 128 < n_fat + 1 + n_minifat + n_container + n_stream:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("too big for the header's FAT list")
    fat = [FAT_SECTOR] * n_fat
    dir_at = len(fat)
    fat.append(END)

    def run(count: int) -> int:
        first = len(fat)
        fat.extend([*range(first + 1, first + count), END] if count else [])
        return first if count else END

    minifat_at, container_at, stream_at = run(n_minifat), run(n_container), run(n_stream)
    fat += [FREE] * (-len(fat) % 128)
    header = bytearray(512)
    header[0:8] = MAGIC
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 44, n_fat, dir_at, 0, 4096, minifat_at, n_minifat, END, 0)
    struct.pack_into("<109I", header, 76, *(list(range(n_fat)) + [FREE] * (109 - n_fat)))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        e = bytearray(128)
        raw = name.encode("utf-16-le") + b"\0\0"
        e[: len(raw)] = raw
        struct.pack_into("<HBBIII", e, 64, len(raw), kind, 1, FREE, FREE, child)
        struct.pack_into("<II", e, 116, start, size)
        return bytes(e)

    empty = bytearray(128)
    struct.pack_into("<III", empty, 68, FREE, FREE, FREE)
    dirs = (entry("Root Entry", 5, 1, container_at, len(body) if mini else 0)
            + entry("Workbook", 2, FREE, 0 if mini else stream_at, len(stream))
            + bytes(empty) * 2)
    minifat = [*range(1, mini_sectors), END] if mini else []
    minifat += [FREE] * (-len(minifat) % 128)
    return (bytes(header) + struct.pack(f"<{len(fat)}I", *fat) + dirs
            + struct.pack(f"<{len(minifat)}I", *minifat) + (body if mini else b"") + (b"" if mini else body))


# -- records -----------------------------------------------------------------------------------------

def records(stream: bytes) -> list[list[Any]]:
    """[type, data, offset in the stream] of each whole record, up to the first that runs past the end."""
    out: list[list[Any]] = []
    at = 0
    while at + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, at)
        if at + 4 + size > len(stream) or (kind == 0 and size == 0 and out and out[-1][0] == EOF):
            break
        out.append([kind, stream[at + 4: at + 4 + size], at])
        at += 4 + size
    return out


def serialize(recs: list[list[Any]], keep_positions: frozenset[int] = frozenset()) -> bytes:
    """The records as a stream; each BOUNDSHEET's position moved with its BOF record (unless the
    BOUNDSHEET's index is in ``keep_positions``: a mutation aimed at it)."""
    offsets: dict[int, int] = {}
    at = 0
    for rec in recs:
        offsets.setdefault(rec[2], at)
        at += 4 + len(rec[1])
    out = bytearray()
    for i, (kind, data, _old) in enumerate(recs):
        if kind == BOUNDSHEET and len(data) >= 4 and i not in keep_positions:
            pos = struct.unpack_from("<I", data)[0]
            if pos in offsets:
                data = struct.pack("<I", offsets[pos]) + data[4:]
        out += struct.pack("<HH", kind, len(data) & 0xFFFF) + data
    return bytes(out)


def _set(data: bytes, at: int, size: int, value: int) -> bytes:
    if at < 0:
        at += len(data)
    if not 0 <= at <= len(data) - size:
        return data
    return data[:at] + (value & ((1 << 8 * size) - 1)).to_bytes(size, "little") + data[at + size:]


def mutate_records(rng: random.Random, recs: list[list[Any]]) -> tuple[list[list[Any]], frozenset[int]]:
    """One BIFF-aware change of the records; the BOUNDSHEET indexes whose position it set."""
    keep: set[int] = set()
    aimed = [i for i, r in enumerate(recs) if r[0] in FIELDS]
    choice = rng.randrange(10)
    if choice <= 3 and aimed:  # a count, index or length field
        i = rng.choice(aimed)
        at, size = rng.choice(FIELDS[recs[i][0]])
        value = rng.choice(VALUES) if rng.random() < 0.7 else rng.randrange(1 << 8 * size)
        if recs[i][0] == BOUNDSHEET and at == 0:
            keep.add(i)
            sheets = [r[2] for r in recs if r[0] == BOF]
            value = rng.choice([*sheets, value]) if sheets else value
        recs[i][1] = _set(recs[i][1], at, size, value)
    elif choice == 4 and recs:  # a record duplicated (a BOUNDSHEET: a second sheet on the same records)
        pool = [i for i, r in enumerate(recs) if r[0] == BOUNDSHEET] if rng.random() < 0.3 else []
        i = rng.choice(pool or range(len(recs)))
        for _ in range(rng.choice([1, 1, 5, 100])):
            recs.insert(i, list(recs[i]))
    elif choice == 5 and len(recs) > 1:  # dropped
        del recs[rng.randrange(1, len(recs))]
    elif choice == 6 and len(recs) > 2:  # two swapped
        i, j = rng.randrange(1, len(recs)), rng.randrange(1, len(recs))
        recs[i], recs[j] = recs[j], recs[i]
    elif choice == 7:  # the SST's counts or a string's length, options, rich-text runs or phonetic size
        ssts = [r for r in recs if r[0] in (SST, CONTINUE)]
        if ssts:
            rec = rng.choice(ssts)
            at = rng.choice([0, 4, 8, 10, 11, 13]) if rec[0] == SST else rng.randrange(max(1, len(rec[1])))
            size = rng.choice([1, 2, 4])
            rec[1] = _set(rec[1], at, size, rng.choice(VALUES))
    elif choice == 8 and recs:  # the length field, or the data, of a record
        i = rng.randrange(len(recs))
        data = recs[i][1]
        recs[i][1] = rng.choice([data[: rng.randrange(len(data) + 1)], data + bytes(rng.choice([1, 2, 8])),
                                 data + rng.randbytes(rng.choice([1, 100]))])
    else:  # a record inserted: an early EOF, a BOF, a CONTINUE, a cell far out, a FILEPASS
        kind, data = rng.choice([(EOF, b""), (BOF, bytes.fromhex("0006100000000000")), (CONTINUE, b"\x00ab"),
                                 (0x0203, struct.pack("<HHHd", 0xFFFF, rng.choice([255, 256, 0xFFFF]), 15, 1.0)),
                                 (0x0201, struct.pack("<HHH", 65535, 255, 15)), (0x002F, bytes(6)),
                                 (0x00E5, struct.pack("<HHHHH", 1, 0, 0xFFFF, 0, 0xFF))])
        recs.insert(rng.randint(min(1, len(recs)), len(recs)), [kind, data, -1])
    return recs, frozenset(keep)


def mutate_compound(rng: random.Random, data: bytes) -> bytes:
    """A header field, a FAT entry or a directory entry's field of the compound file."""
    choice = rng.randrange(3)
    if choice == 0:  # sector sizes, FAT and miniFAT counts and starts, the mini-stream cutoff, DIFAT
        at, size = rng.choice([(30, 2), (32, 2), (44, 4), (48, 4), (56, 4), (60, 4), (64, 4), (68, 4), (72, 4),
                               (76, 4), (80, 4)])
        return _set(data, at, size, rng.choice([0, 1, 2, 7, 8, 10, 12, 16, 21, 64, 4095, 0xFFFF, END, FREE,
                                                0xFFFFFFFA, rng.randrange(1 << 8 * size)]))
    if choice == 1:  # a FAT entry: a loop, a chain ended early or sent elsewhere
        fat_at = 512 + 512 * _u32(data, 76)
        entries = max(1, min(128, (len(data) - 512) // 512))
        at = fat_at + 4 * rng.randrange(entries)
        own = (at - fat_at) // 4
        return _set(data, at, 4, rng.choice([own, own - 1, 0, 1, END, FREE, FAT_SECTOR, 0x7FFFFFFF,
                                             rng.randrange(entries)]))
    entries = directory(data)
    if not entries:
        return data
    at = rng.choice(entries)
    field, size = rng.choice([(64, 2), (66, 1), (68, 4), (72, 4), (76, 4), (116, 4), (120, 4)])
    value = rng.choice([0, 1, 2, 3, 4, 5, 64, 4095, 4096, 0x7FFFFFFF, END, FREE, rng.randrange(len(entries) + 1)])
    return _set(data, at + field, size, value)


def mutate(rng: random.Random, data: bytes, other: bytes, byte_mutations: list[Any]) -> bytes:
    """One mutation of an .xls: BIFF-aware (records), compound-file-aware, or of its bytes (one
    of ``byte_mutations``)."""
    choice = rng.randrange(10)
    stream = workbook_stream(data) if choice <= 5 else None
    if stream:
        recs, keep = mutate_records(rng, records(stream))
        for _ in range(rng.choice([0, 0, 1, 2])):
            recs, more = mutate_records(rng, recs)
            keep |= more
        try:
            return compound(serialize(recs, keep), mini=rng.random() < 0.25)
        except ValueError:
            pass
    if choice in (6, 7):
        return mutate_compound(rng, data)
    if choice == 8 and data.startswith(MAGIC):  # bytes of the workbook stream only (past the header)
        at = rng.randrange(512, max(513, len(data)))
        return data[:at] + rng.choice(byte_mutations)(rng, data[at:], other)
    return rng.choice(byte_mutations)(rng, data, other)
