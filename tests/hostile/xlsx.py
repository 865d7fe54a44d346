"""Tiny writers for hand-built containers: minimal XLSX parts, patched ZIPs and an OLE2 file.

The hostile fixtures need bytes no well-behaved library writes (entity bombs, overlapping ZIP
entries, lying sizes, a far cell), so the parts are written as text here.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable, Mapping
from xml.sax.saxutils import escape

from validator.findings import column_letter

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '{sheets}'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>'
)
SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
              'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
ROOT_RELS = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG}">'
             f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{NS}">'
          '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
          '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
          '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
          '<borders count="1"><border/></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
          '</styleSheet>')


def cell(ref: str, value: object) -> str:
    """A cell: str -> inline string; int/float -> number; ('f', formula, cached) -> formula;
    ('e', '#N/A') -> error; ('d', serial) -> number with a date style; raw ('x', xml)."""
    if isinstance(value, tuple):
        kind = value[0]
        if kind == "f":
            cached = "" if value[2] is None else f"<v>{value[2]}</v>"
            return f'<c r="{ref}"><f>{escape(str(value[1]))}</f>{cached}</c>'
        if kind == "e":
            return f'<c r="{ref}" t="e"><v>{escape(str(value[1]))}</v></c>'
        if kind == "d":
            return f'<c r="{ref}" s="1"><v>{value[1]}</v></c>'
        if kind == "s":
            return f'<c r="{ref}" t="s"><v>{value[1]}</v></c>'
        if kind == "x":
            return str(value[1])
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def sheet_xml(rows: Iterable[Iterable[object]], *, dimension: str | None = None, extra: str = "",
              prolog: str = "") -> str:
    body = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(cell(f"{column_letter(c)}{r}", v) for c, v in enumerate(row, start=1) if v is not None)
        body.append(f'<row r="{r}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
            f'<worksheet xmlns="{NS}" xmlns:r="{REL}">{dim}<sheetData>{"".join(body)}</sheetData>{extra}'
            '</worksheet>')


def workbook_xml(names: list[str], states: Mapping[str, str] | None = None, pr: str = "") -> str:
    states = states or {}
    sheets = "".join(
        f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"'
        + (f' state="{states[n]}"' if n in states else "") + "/>"
        for i, n in enumerate(names, start=1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{NS}" '
            f'xmlns:r="{REL}">{pr}<sheets>{sheets}</sheets></workbook>')


def workbook_rels(n: int, kinds: Mapping[int, str] | None = None) -> str:
    kinds = kinds or {}
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL}/{kinds.get(i, "worksheet")}" '
        f'Target="{"chartsheets" if kinds.get(i) == "chartsheet" else "worksheets"}/sheet{i}.xml"/>'
        for i in range(1, n + 1))
    rels += (f'<Relationship Id="rId{n + 1}" Type="{REL}/styles" Target="styles.xml"/>'
             f'<Relationship Id="rId{n + 2}" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{PKG}">{rels}</Relationships>')


def shared_xml(strings: list[str], unique: int | None = None) -> str:
    items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    u = len(strings) if unique is None else unique
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS}" '
            f'count="{len(strings)}" uniqueCount="{u}">{items}</sst>')


def parts(rows: Iterable[Iterable[object]] | None = None, *, sheets: Mapping[str, str] | None = None,
          states: Mapping[str, str] | None = None, shared: list[str] | None = None,
          pr: str = "") -> dict[str, str | bytes]:
    """The parts of a minimal workbook: one sheet from ``rows``, or named sheet XML texts."""
    if sheets is None:
        sheets = {"Contacts": sheet_xml(rows or [])}
    names = list(sheets)
    out: dict[str, str | bytes] = {
        "[Content_Types].xml": CONTENT_TYPES.format(
            sheets="".join(SHEET_TYPE.format(n=i) for i in range(1, len(names) + 1))),
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook_xml(names, states, pr),
        "xl/_rels/workbook.xml.rels": workbook_rels(len(names)),
        "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": shared_xml(shared or []),
    }
    for i, name in enumerate(names, start=1):
        out[f"xl/worksheets/sheet{i}.xml"] = sheets[name]
    return out


def build(files: Mapping[str, str | bytes], level: int = 6) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in files.items():
            zf.writestr(name, data.encode() if isinstance(data, str) else data)
    return buf.getvalue()


def xlsx(rows: Iterable[Iterable[object]] | None = None, **kw: object) -> bytes:
    return build(parts(rows, **kw))  # type: ignore[arg-type]


def bomb_part(name: str, prefix: bytes, filler: bytes, total: int, suffix: bytes) -> bytes:
    """A workbook whose ``name`` part inflates to ``total`` bytes (written in streamed blocks)."""
    base = parts([["Email"], ["a@x.com"]])
    base.pop(name, None)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for n, data in base.items():
            zf.writestr(n, data)
        with zf.open(name, "w", force_zip64=True) as fh:
            fh.write(prefix)
            block = filler * ((1 << 20) // max(1, len(filler)))
            written = 0
            while written < total:
                fh.write(block)
                written += len(block)
            fh.write(suffix)
    return buf.getvalue()


def lie_about_sizes(data: bytes, size: int = 100) -> bytes:
    """Set every entry's declared uncompressed size (local and central headers) to ``size``."""
    out = bytearray(data)
    i = 0
    while (i := out.find(b"PK\x03\x04", i)) >= 0:
        struct.pack_into("<I", out, i + 22, size)
        i += 4
    i = 0
    while (i := out.find(b"PK\x01\x02", i)) >= 0:
        struct.pack_into("<I", out, i + 24, size)
        i += 4
    return bytes(out)


def overlapping(data: bytes, copies: int = 50) -> bytes:
    """Add central-directory records that all point at the first entry's local header."""
    eocd = data.rfind(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack_from("<II", data, eocd + 12)
    central = data[cd_offset:cd_offset + cd_size]
    first_len = 46 + sum(struct.unpack_from("<HHH", central, 28))
    first = bytearray(central[:first_len])
    name_len = struct.unpack_from("<H", first, 28)[0]
    extra = b""
    for k in range(copies):
        rec = bytearray(first)
        new_name = f"xl/worksheets/copy{k:04d}.xml".encode()[:name_len].ljust(name_len, b"_")
        rec[46:46 + name_len] = new_name
        extra += bytes(rec)
    count = struct.unpack_from("<H", data, eocd + 10)[0] + copies
    tail = bytearray(data[eocd:eocd + 22])
    struct.pack_into("<HHI", tail, 8, count, count, cd_size + len(extra))
    return data[:cd_offset + cd_size] + extra + bytes(tail) + data[eocd + 22:]


def many_entries(n: int) -> bytes:
    files: dict[str, str | bytes] = dict(parts([["Email"], ["a@x.com"]]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        for k in range(n):
            zf.writestr(f"x/{k:x}", b"")
    return buf.getvalue()


def ole2(streams: Mapping[str, bytes]) -> bytes:
    """A small, well-formed OLE2 compound file holding ``streams`` (each padded to >= 4 KiB so it
    lives in regular sectors; no mini stream)."""
    sector = 512
    end, free, fat_sect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    bodies = [data.ljust(max(4096, len(data)), b"\0") for data in streams.values()]
    fat: list[int] = [fat_sect, end]  # sector 0: FAT, sector 1: directory
    starts = []
    for body in bodies:
        n = -(-len(body) // sector)
        first = len(fat)
        starts.append(first)
        fat += [first + k + 1 for k in range(n - 1)] + [end]
    assert len(fat) <= sector // 4
    fat += [free] * (sector // 4 - len(fat))
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<I", header, 76, 0)
    for k in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * k, free)

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = (name + "\0").encode("utf-16-le")
        rec = bytearray(128)
        rec[0:len(raw)] = raw
        struct.pack_into("<HBB", rec, 64, len(raw), kind, 1)
        struct.pack_into("<III", rec, 68, left, right, child)
        struct.pack_into("<II", rec, 116, start, size)
        return bytes(rec)

    names = list(streams)
    dirs = [entry("Root Entry", 5, nostream, nostream, 1 if names else nostream, end, 0)]
    for i, (name, start) in enumerate(zip(names, starts, strict=True), start=1):
        right = i + 1 if i < len(names) else nostream
        dirs.append(entry(name, 2, nostream, right, nostream, start, len(streams[name])))
    while len(dirs) < sector // 128:
        dirs.append(bytes(64) + struct.pack("<HBB", 0, 0, 0) + struct.pack("<III", nostream, nostream, nostream)
                    + bytes(128 - 80))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    return bytes(header) + fat_bytes + b"".join(dirs) + b"".join(bodies)
