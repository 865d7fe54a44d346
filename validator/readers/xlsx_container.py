"""The workbook's container, before any XML is read (hostile-inputs E and F), and the limits of
every workbook pre-check (``xlsx_scan``).

The ZIP central directory is read, never extracted: entry count (from the End Of Central
Directory record, before zipfile builds an object per entry), declared sizes, the compression
ratio of large parts, overlapping entries (the "quoted overlap" bomb, which Python 3.11.7's
zipfile does not detect), and the parts an .xlsx must have. An XML part is streamed
(``stream_part``) with a budget on the bytes really inflated (zipfile stops at the declared size
and fails the CRC when a size lies), and refused if it declares a DTD or entities, holds a
control character XML does not allow, or is not UTF-8. ``has_bytes`` and ``word_positions`` are
the word-compare pre-filters the byte scans use.

An OLE2 compound file is a legacy .xls (read by ``readers.xls``) or an encrypted
(password-protected) workbook, refused with a clear reason (``ole_refusal``), as is an Excel
5.0/95 workbook and a compound file that holds no workbook or whose directory cannot be read.

Light imports only (stdlib, numpy, defusedxml): it runs before pandas is loaded (``xlsx_prefetch``).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO

import numpy as np
from defusedxml import ElementTree as SafeET

from validator.readers.errors import Refused

MAX_ENTRIES = 10_000
# A sheet at HubSpot's limits (1,048,576 rows x 20 columns) is about 1 GB of XML; the budgets leave
# room for that and bound the time a bomb can cost (the scan streams, so memory stays flat).
MAX_TOTAL_BYTES = 8 << 30  # declared (and really inflated) uncompressed bytes of all parts
MAX_PART_BYTES = 4 << 30
MAX_RATIO = 200  # for parts over RATIO_FLOOR bytes
RATIO_FLOOR = 16 << 20
MAX_META_BYTES = 16 << 20  # workbook.xml, rels, content types, styles: small in real files
MAX_CARRY = 64 << 20
MAX_ROWS = 1_048_576  # Excel's sheet limits
MAX_COLS = 16_384
DENSE_CELLS = 40_000_000  # calamine allocates rows x columns; above this, stream with openpyxl
SPARSE_SLACK = 4_000_000  # calamine may allocate this many empty cells beyond 4 per real one (~130 MB)
MAX_EXCEPTIONS = 200_000  # error / uncached-formula cells kept by position
BLOCK = 4 << 20

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")


class Budget:
    """Bytes really inflated across the whole pre-check, against the declared total."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0

    def take(self, n: int, part: str) -> None:
        self.used += n
        if self.used > self.limit:
            raise Refused(f"workbook inflates to more than {self.limit:,} bytes while reading {part} "
                          "(a ZIP bomb?)", "zip-bomb")


# -- OLE2 (legacy .xls, encrypted workbooks) ---------------------------------------------------
OLE_ENCRYPTED = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
OLE_XLS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))


def ole_refusal(stream: IO[bytes], size: int | None) -> Refused | None:
    """Why an OLE2 compound file is refused (an encrypted workbook, an Excel 5.0/95 one, one
    whose directory cannot be read, or no workbook at all), or None for an Excel 97-2003 workbook
    (a ``Workbook`` stream), which ``readers.xls`` reads."""
    names = _ole_directory_names(stream)
    if names is None:
        return Refused("an OLE2 compound file whose directory cannot be read (truncated or corrupt; "
                       "HubSpot: INVALID_SPREADSHEET)", "bad-workbook")
    if any(n in ("EncryptionInfo", "EncryptedPackage") for n in names):
        return Refused("the workbook is password-protected or encrypted (HubSpot: INVALID_SPREADSHEET); "
                       "remove the password and save it as .xlsx", "encrypted")
    if "Workbook" in names:
        return None
    if "Book" in names:  # (BIFF5: Excel 5.0 and 95 wrote the stream under this name)
        return Refused("an Excel 5.0/95 workbook (BIFF5) is not checked; save it as .xlsx "
                       "(Excel Workbook) and check that", "legacy-xls")
    return Refused("an OLE2 compound file that is neither a workbook nor an encrypted one "
                   "(HubSpot: INVALID_SPREADSHEET)", "not-a-workbook")


def _ole_directory_names(stream: IO[bytes]) -> list[str] | None:
    """Names in the compound file's directory (MS-CFB 2.6), following the directory chain; None
    where the header or the directory cannot be read (a file cut short, random bytes).

    Bounded: at most 4,096 directory sectors and a FAT of at most 64 MiB are read.
    """
    try:
        stream.seek(0)
        header = stream.read(512)
        if len(header) < 512:
            return None
        shift = struct.unpack_from("<H", header, 30)[0]
        if shift not in (9, 12):
            return None
        size = 1 << shift
        first_dir = struct.unpack_from("<I", header, 48)[0]
        fat_sectors = [s for s in struct.unpack_from("<109I", header, 76) if s < 0xFFFFFFFA]
        fat: list[int] = []
        for s in fat_sectors[: (64 << 20) // size]:
            stream.seek((s + 1) * size)
            data = stream.read(size)
            fat.extend(struct.unpack(f"<{len(data) // 4}I", data[: len(data) // 4 * 4]))
        names: list[str] = []
        sector, seen = first_dir, 0
        while sector < 0xFFFFFFFA and seen < 4096:
            stream.seek((sector + 1) * size)
            data = stream.read(size)
            for off in range(0, len(data) - 127, 128):
                length = struct.unpack_from("<H", data, off + 64)[0]
                if 2 <= length <= 64:
                    names.append(data[off: off + length - 2].decode("utf-16-le", "replace"))
            seen += 1
            sector = fat[sector] if sector < len(fat) else 0xFFFFFFFE
        return names or None  # (every compound file's directory holds its root entry)
    except (OSError, struct.error):
        return None


# -- ZIP container ----------------------------------------------------------------------------
def declared_entries(stream: IO[bytes]) -> int | None:
    """The entry count the End Of Central Directory record declares (ZIP64 included), read
    before zipfile builds one ZipInfo per entry (200,000 entries cost ~100 MB); None if absent."""
    try:
        end = stream.seek(0, os.SEEK_END)
        tail_len = min(end, 22 + 65535)
        stream.seek(end - tail_len)
        tail = stream.read(tail_len)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return None
        count = struct.unpack_from("<H", tail, at + 10)[0]
        if count == 0xFFFF:  # ZIP64: the locator just before names the ZIP64 end record
            loc = tail.rfind(b"PK\x06\x07", 0, at)
            if loc < 0:
                return None
            stream.seek(struct.unpack_from("<Q", tail, loc + 8)[0])
            record = stream.read(56)
            if record[:4] != b"PK\x06\x06" or len(record) < 40:
                return None
            count = struct.unpack_from("<Q", record, 32)[0]
        return int(count)
    except (OSError, ValueError, struct.error):
        return None
    finally:
        with contextlib.suppress(OSError, ValueError):
            stream.seek(0)


def open_zip(stream: IO[bytes], size: int | None) -> zipfile.ZipFile:
    declared = declared_entries(stream)
    if declared is not None and declared > MAX_ENTRIES:
        raise Refused(f"the workbook has {declared:,} ZIP entries (limit {MAX_ENTRIES:,}; a ZIP bomb?)", "zip-bomb")
    try:
        zf = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError,
            struct.error, UnicodeDecodeError) as exc:
        stream_failure(stream)
        raise Refused(f"not a readable .xlsx: the ZIP container is corrupt or truncated ({exc})", "bad-zip") from None
    try:
        check_container(zf, size)
    except BaseException:
        zf.close()
        raise
    return zf


def check_container(zf: zipfile.ZipFile, size: int | None) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise Refused(f"the workbook has {len(infos):,} ZIP entries (limit {MAX_ENTRIES:,}; a ZIP bomb?)", "zip-bomb")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_PART_BYTES:
            raise Refused(f"part {info.filename!r} declares {info.file_size:,} bytes uncompressed "
                          f"(limit {MAX_PART_BYTES:,}; a ZIP bomb?)", "zip-bomb")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(1, info.compress_size):
            ratio = info.file_size // max(1, info.compress_size)
            raise Refused(f"part {info.filename!r} compresses {ratio:,}:1 (limit {MAX_RATIO}:1; a ZIP bomb?)",
                          "zip-bomb")
    if total > MAX_TOTAL_BYTES:
        raise Refused(f"the workbook declares {total:,} bytes uncompressed (limit {MAX_TOTAL_BYTES:,}; "
                      "a ZIP bomb?)", "zip-bomb")
    _check_overlap(infos, size)
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names:
        raise Refused("not an .xlsx workbook: the ZIP has no [Content_Types].xml (HubSpot: INVALID_SPREADSHEET)",
                      "not-a-workbook")


def _check_overlap(infos: list[zipfile.ZipInfo], size: int | None) -> None:
    """Entries must not share bytes (CVE-2024-0450 style bombs), nor run past the file."""
    spans = sorted((i.header_offset, i.header_offset + 30 + len(i.filename.encode()) + i.compress_size, i.filename)
                   for i in infos)
    for (_start, end, name), (nxt, _e, other) in itertools.pairwise(spans):
        if end > nxt:
            raise Refused(f"ZIP entries {name!r} and {other!r} overlap (a ZIP bomb?)", "zip-bomb")
    if size is not None and spans and spans[-1][1] > size:
        raise Refused("the ZIP container is truncated (an entry runs past the end of the file)", "bad-zip")


def stream_part(zf: zipfile.ZipFile, name: str, budget: Budget, limit: int | None = None, *,
                controls: bool = True) -> Iterator[bytes]:
    """The inflated bytes of one XML part, in blocks, refusing DTDs, entities, non-UTF-8 XML and
    (unless ``controls`` is off) C0 control characters."""
    info = zf.getinfo(name)
    if limit is not None and info.file_size > limit:
        raise Refused(f"part {name!r} is {info.file_size:,} bytes (limit {limit:,} for this part)", "zip-bomb")
    first = True
    tail = b""
    try:
        with zf.open(info) as fh:
            while True:
                block = fh.read(BLOCK)
                if not block:
                    return
                budget.take(len(block), name)
                if first:
                    _check_xml_start(block, name)
                    first = False
                if _declares_dtd(tail, block):
                    raise Refused(f"part {name!r} declares a DTD or entities, which workbooks never need "
                                  "(an XML entity bomb or external entity?)", "xml-entities")
                if controls and _has_control(tail, block):
                    raise _invalid_character(zf, name)
                tail = block[-16:]
                yield block
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError, ValueError) as exc:
        stream_failure(zf.fp)
        raise Refused(f"cannot inflate part {name!r}: {exc}", "bad-zip") from None


def stream_failure(stream: object) -> None:
    """Raise what a caller's stream failed with (``dispatch.CallerStream.failed``: a read that
    gave text, a gzip stream cut short), where ``zipfile`` or a check took it for a bad ZIP."""
    failed = getattr(stream, "failed", None)
    if isinstance(failed, OSError):
        raise failed


# A C0 control other than tab, LF and CR is malformed anywhere in an XML 1.0 document
# (hostile-inputs E16); python-calamine would read it into the cell. Found with numpy in about
# 0.2 ms per MB (a vector minimum, then the bytes below 0x20 where there are any); and the same
# controls written as character references (&#1; &#x1B;), which calamine would decode
_CONTROL_REF = re.compile(rb"&#(?:0*(?:[0-8]|1[124-9]|2\d|3[01])|[xX]0*(?:[0-8bBcCeEfF]|1[\dA-Fa-f]));")


def _has_control(tail: bytes, block: bytes) -> bool:
    """Whether ``block`` (after ``tail``, the end of the block before) holds a control character
    XML does not allow, as a byte or as a character reference."""
    codes = np.frombuffer(block, np.uint8)
    if codes.size and codes.min() < 0x20:  # in a block with line breaks or tabs: are they all?
        low = codes[codes < 0x20]
        if ((low != 0x09) & (low != 0x0A) & (low != 0x0D)).any():
            return True
    if b"&" in tail and _CONTROL_REF.search(tail + block[:16]) is not None:  # a reference cut in two
        return True
    return b"&" in block and has_bytes(block, b"&#") and _CONTROL_REF.search(block) is not None


def _invalid_character(zf: zipfile.ZipFile, name: str) -> Refused:
    """The refusal of a part with a control character: expat's line and column for it."""
    from validator.readers.xlsx_explain import malformed_part  # it streams parts with this module

    return malformed_part(zf, name) or Refused(f"part {name!r} is not well-formed XML (a control character; "
                                               "HubSpot: INVALID_SPREADSHEET)", "bad-xml")


def _declares_dtd(tail: bytes, block: bytes) -> bool:
    if _DTD.search(tail + block[:16]):  # a declaration cut by the block boundary
        return True
    return has_bytes(block, b"<!") and _DTD.search(block) is not None


def has_bytes(data: bytes, needle: bytes) -> bool:
    """Whether a 2- or 4-byte string occurs in ``data``: compared as aligned uint16 / uint32 words at
    every offset, several times faster than ``bytes.find`` when the first byte is as common in XML
    as ``<`` (a pre-filter: the exact search or regex runs only where this says it can match).
    Only whether: no offsets are gathered, and the first offset that holds it ends the search."""
    key = int.from_bytes(needle, "little")
    return any(bool((words == key).any()) for words in _aligned_words(data, len(needle)))


def word_positions(data: bytes, needle: bytes) -> np.ndarray:
    """Offsets of every occurrence of a 2- or 4-byte string in ``data`` (unsorted)."""
    width, key = len(needle), int.from_bytes(needle, "little")
    found = [np.flatnonzero(words == key) * width + offset
             for offset, words in enumerate(_aligned_words(data, width))]
    return np.concatenate(found) if found else np.empty(0, dtype=np.int64)


def _aligned_words(data: bytes, width: int) -> Iterator[np.ndarray]:
    """``data`` as little-endian words of ``width`` bytes (2 or 4), from offset 0, then 1, ..."""
    dtype = {2: "<u2", 4: "<u4"}[width]
    for offset in range(width):
        count = (len(data) - offset) // width
        if count <= 0:
            return
        yield np.frombuffer(data, dtype, count=count, offset=offset)


def _check_xml_start(block: bytes, name: str) -> None:
    head = block[:4]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 2 and 0 in head[:2]):
        raise Refused(f"part {name!r} is not UTF-8 XML (HubSpot: INVALID_SPREADSHEET)", "bad-xml")


def read_part(zf: zipfile.ZipFile, name: str, budget: Budget, limit: int = MAX_META_BYTES) -> bytes:
    return b"".join(stream_part(zf, name, budget, limit))


def parse_xml(data: bytes, name: str) -> SafeET.Element:
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except Exception as exc:  # defusedxml and expat raise several unrelated types
        raise Refused(f"part {name!r} is not well-formed XML ({type(exc).__name__}: {exc})", "bad-xml") from None
