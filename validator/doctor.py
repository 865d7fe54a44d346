"""``hubspot-preflight doctor``: are the hardened parsers in place in this Python?

Each probe attacks the real parser with a small, harmless input (the reference's M13 and R9):

- defusedxml active for openpyxl: openpyxl parses an XML text that declares an entity; with
  defusedxml it refuses (EntitiesForbidden). ``OPENPYXL_DEFUSEDXML=False`` or a missing
  defusedxml turns this off silently, hence the probe.
- expat billion-laughs protection (expat >= 2.4.1): a nested-entity text that expands to 30 MB
  must be stopped by the amplification limit. The probe only runs on expat >= 2.4.0, so an
  unprotected expat never expands it.
- zipfile overlap protection: a ZIP whose two central-directory entries share one local file
  must be refused as a possible zip bomb. Every workbook passes the validator's own ZIP
  pre-scan (``readers.xlsx_scan.open_zip``) before calamine or openpyxl opens it, so the probe
  feeds the bomb to that; it also says whether this Python's ``zipfile`` would refuse it alone
  (CPython >= 3.11.8 / 3.12.2, gh-109858), which matters only to code that bypasses the scan.
- .xls reader refuses a corrupt file: a legacy .xls is read by xlrd (pure Python, which raises
  where python-calamine's .xls reader can abort the process); the probe hands the validator's
  .xls reader (``readers.xls``) a compound file whose workbook stream's sector chain loops back
  on itself, which must end in a refusal, not a hang or a traceback.
"""

from __future__ import annotations

import io
import struct
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Probe:
    name: str
    ok: bool
    detail: str


def _defusedxml() -> Probe:
    name = "defusedxml active for openpyxl"
    try:
        import defusedxml  # noqa: F401
    except ImportError:
        return Probe(name, False, "defusedxml is not installed: pip install defusedxml")
    try:
        import openpyxl.xml
        from openpyxl.xml.functions import fromstring
    except ImportError:
        return Probe(name, False, "openpyxl is not installed")
    if not getattr(openpyxl.xml, "DEFUSEDXML", False):
        return Probe(name, False, "openpyxl runs without defusedxml (is OPENPYXL_DEFUSEDXML=False set?)")
    try:
        fromstring(b'<!DOCTYPE x [<!ENTITY a "expanded">]><x>&a;</x>')
    except Exception as exc:  # defusedxml's EntitiesForbidden (a ValueError)
        return Probe(name, True, f"entity declarations refused ({type(exc).__name__}); "
                                 f"defusedxml {_version('defusedxml')}, openpyxl {_version('openpyxl')}")
    return Probe(name, False, "openpyxl expanded an XML entity: defusedxml is not in effect")


def _expat() -> Probe:
    import pyexpat

    name = "expat billion-laughs protection"
    version = ".".join(map(str, pyexpat.version_info))
    features = dict(pyexpat.features)
    if pyexpat.version_info < (2, 4, 1) or "XML_BLAP_MAX_AMP" not in features:
        return Probe(name, False, f"expat {version} has no amplification limit (needs >= 2.4.1)")
    entities = "".join(f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * 10}">' for i in range(1, 8))
    bomb = f'<!DOCTYPE x [<!ENTITY e0 "lol">{entities}]><x>&e7;</x>'
    parser = pyexpat.ParserCreate()
    try:
        parser.Parse(bomb, True)
    except pyexpat.ExpatError as exc:
        return Probe(name, True, f"expat {version}: stopped a 30 MB expansion ({str(exc).split(':')[0]}); "
                                 f"max amplification {features['XML_BLAP_MAX_AMP']}")
    return Probe(name, False, f"expat {version} expanded a 30 MB entity bomb")


def _zip_overlap() -> Probe:
    name = "zipfile overlap protection"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.xml", b"<a/>" * 64)
    data = buf.getvalue()
    eocd = data.rfind(b"PK\x05\x06")
    size, offset = struct.unpack_from("<II", data, eocd + 12)
    record = data[offset:offset + size]  # a second directory entry for the same local file
    tail = bytearray(data[eocd:eocd + 22])
    struct.pack_into("<HHI", tail, 8, 2, 2, size * 2)
    bomb = data[:offset + size] + record + bytes(tail)
    python = ".".join(map(str, sys.version_info[:3]))
    try:
        with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
            for info in zf.infolist():
                zf.read(info)
    except zipfile.BadZipFile:
        alone = f"Python {python}'s zipfile refuses them too"
    else:
        alone = f"Python {python}'s zipfile alone would read them (fixed in 3.11.8 / 3.12.2, gh-109858)"
    from validator.readers.base import Refused
    from validator.readers.xlsx_scan import open_zip

    try:
        open_zip(io.BytesIO(bomb), len(bomb)).close()
    except Refused as exc:
        if "overlap" in str(exc):  # refused for the overlap, not for something else the bomb lacks
            return Probe(name, True, f"the validator's ZIP pre-scan refuses overlapping entries before any "
                                     f"reader opens a workbook ({exc}); {alone}")
    return Probe(name, False, f"the validator's ZIP pre-scan let overlapping entries through; {alone}")


def _cyclic_xls() -> bytes:
    """An OLE2 compound file (MS-CFB, 512-byte sectors) whose ``Workbook`` stream of 8 KB starts
    at sector 2, whose FAT entry points back at sector 2."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<III", header, 44, 1, 1, 0)  # one FAT sector; the directory at sector 1
    struct.pack_into("<IIIII", header, 56, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 76, 0, *([0xFFFFFFFF] * 108))
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, 2, *([0xFFFFFFFF] * 125))

    def entry(name: str, kind: int, start: int, size: int, child: int = 0xFFFFFFFF) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        e = bytearray(128)
        e[0:len(raw)] = raw
        struct.pack_into("<HB", e, 64, len(raw), kind)
        struct.pack_into("<III", e, 68, 0xFFFFFFFF, 0xFFFFFFFF, child)  # siblings, child
        struct.pack_into("<II", e, 116, start, size)
        return bytes(e)

    directory = entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1) + entry("Workbook", 2, 2, 8192) + bytes(256)
    return bytes(header) + fat + directory + bytes(8192)  # (the data the stream says it has)


def _xls() -> Probe:
    name = ".xls reader refuses a corrupt file"
    try:
        import xlrd  # noqa: F401
    except ImportError:
        return Probe(name, False, "xlrd is not installed: pip install xlrd (legacy .xls files cannot be read)")
    from validator.readers.base import ReaderNotes, Refused
    from validator.readers.xls import XlsReader

    data = _cyclic_xls()
    try:
        XlsReader(io.BytesIO(data), ReaderNotes(), size=len(data)).close()
    except Refused as exc:
        if exc.code != "bad-workbook":
            return Probe(name, False, f"the .xls reader refused the loop for another reason ({exc})")
        return Probe(name, True, f"xlrd {_version('xlrd')} (pure Python: it raises, never aborts): a workbook "
                                 f"stream whose sector chain loops was refused ({exc})")
    return Probe(name, False, "the .xls reader read a workbook stream whose sector chain loops")


PROBES: tuple[Callable[[], Probe], ...] = (_defusedxml, _expat, _zip_overlap, _xls)


def run() -> list[Probe]:
    out = []
    for probe in PROBES:
        try:
            out.append(probe())
        except Exception as exc:  # a probe that breaks is a failed probe, not a crash
            out.append(Probe(probe.__name__.strip("_"), False, f"probe failed: {type(exc).__name__}: {exc}"))
    return out


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return "?"
