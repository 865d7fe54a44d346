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


PROBES: tuple[Callable[[], Probe], ...] = (_defusedxml, _expat, _zip_overlap)


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
