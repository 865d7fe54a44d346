"""Build test workbooks at test time (no binaries in git): openpyxl for real ones (``make_xls``:
the same with xlwt, as Excel 97-2003 .xls), raw ZIP bytes for hostile ones.

A workbook spec (also the ``workbook`` key of a rule case file)::

    { sheets = [ { name = "Contacts", rows = [["Email", "Id"], ["a@x.com", 12]],
                   state = "hidden", hidden_rows = [3], hidden_cols = ["C"],
                   merged = ["A1:B1"], formatted = ["A3:B2000"],
                   tables = [ { name = "Deals", ref = "A1:B4", totals = 1 } ] } ] }

Cell values are written as given: numbers as number cells, TOML dates as date cells, strings
starting with ``=`` as formulas (without a cached value, as openpyxl writes them), ``#N/A`` and
the other error codes as error cells. ``{ s = "=text" }`` forces a text cell; ``{ v = 0.25,
format = "0%" }`` writes a value with a number format. ``formatted``
ranges get a border on every cell, so Excel's way of writing formatting without values (a
cell element with a style and no value) is in the sheet. ``tables`` are Excel tables (a
``xl/tables`` part), ``totals``: the rows of its totals row (0: none).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import openpyxl
from openpyxl.styles import Border, Side
from openpyxl.worksheet.table import Table

BORDER = Border(bottom=Side(style="thin"))


def _value(cell: Any, value: Any) -> None:
    if isinstance(value, dict) and "s" in value:
        cell.value = str(value["s"])
        cell.data_type = "s"
        return
    if isinstance(value, dict) and "format" in value:
        cell.value = value["v"]
        cell.number_format = str(value["format"])
        return
    cell.value = value
    if isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"


def make_workbook(spec: dict[str, Any]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if spec.get("date1904"):  # date cells written as serials of the 1904 date system
        wb.epoch = openpyxl.utils.datetime.MAC_EPOCH
    for sheet in spec.get("sheets", []):
        ws = wb.create_sheet(sheet.get("name", "Sheet1"))
        for r, row in enumerate(sheet.get("rows", []), start=1):
            for c, value in enumerate(row, start=1):
                if value is not None and value != "":
                    _value(ws.cell(row=r, column=c), value)
        for r in sheet.get("hidden_rows", []):
            ws.row_dimensions[r].hidden = True
        for c in sheet.get("hidden_cols", []):
            ws.column_dimensions[c].hidden = True
        for ref in sheet.get("merged", []):
            ws.merge_cells(ref)
        for ref in sheet.get("formatted", []):
            for row in ws[ref]:
                for cell in row:
                    cell.border = BORDER
        for table in sheet.get("tables", []):
            ws.add_table(Table(displayName=table["name"], ref=table["ref"],
                               totalsRowCount=table.get("totals") or None))
        if "state" in sheet:
            ws.sheet_state = sheet["state"]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# Excel's error values as BIFF codes (xlwt writes them by code)
XLS_ERRORS = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D, "#NUM!": 0x24,
              "#N/A": 0x2A}


def make_xls(spec: dict[str, Any]) -> bytes:
    """The workbook ``make_workbook`` builds from ``spec``, as an Excel 97-2003 .xls (xlwt): the
    same cells, number formats, hidden rows, columns and sheets, merged and formatted ranges;
    ``date1904 = true`` for the 1904 date system. BIFF stores a result with every formula, which
    xlwt cannot compute: a formula here is refused."""
    import xlwt

    wb = xlwt.Workbook()
    wb.dates_1904 = bool(spec.get("date1904"))
    styles: dict[str, Any] = {}

    def style(fmt: str = "General", border: bool = False) -> Any:
        key = f"{fmt}|{border}"
        if key not in styles:
            styles[key] = xlwt.easyxf("borders: bottom thin" if border else "", num_format_str=fmt)
        return styles[key]

    for sheet in spec.get("sheets", []):
        ws = wb.add_sheet(sheet.get("name", "Sheet1"), cell_overwrite_ok=True)
        covered = {cell for ref in sheet.get("merged", []) for cell in list(_cells(ref))[1:]}
        formatted = {cell for ref in sheet.get("formatted", []) for cell in _cells(ref)}
        for r, row in enumerate(sheet.get("rows", []), start=1):
            for c, value in enumerate(row, start=1):
                if value is None or value == "" or (r, c) in covered:
                    continue
                _xls_value(ws, r - 1, c - 1, value, style, (r, c) in formatted)
        for r, c in sorted(formatted):
            rows = sheet.get("rows", [])
            if r > len(rows) or c > len(rows[r - 1]) or rows[r - 1][c - 1] in (None, ""):
                ws.write(r - 1, c - 1, "", style(border=True))
        for r in sheet.get("hidden_rows", []):
            ws.row(r - 1).hidden = True
        for col in sheet.get("hidden_cols", []):
            ws.col(_column(col) - 1).hidden = True
        for ref in sheet.get("merged", []):
            (r1, c1), *_rest, (r2, c2) = list(_cells(ref))
            ws.merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1)
        ws.visibility = {"visible": 0, "hidden": 1, "veryHidden": 2}[sheet.get("state", "visible")]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _xls_value(ws: Any, r: int, c: int, value: Any, style: Any, border: bool) -> None:
    if isinstance(value, dict) and "s" in value:
        ws.write(r, c, str(value["s"]), style(border=border))
    elif isinstance(value, dict) and "format" in value:
        ws.write(r, c, value["v"], style(str(value["format"]), border))
    elif isinstance(value, str) and value in XLS_ERRORS:
        ws.row(r).set_cell_error(c, XLS_ERRORS[value], style(border=border))
    elif isinstance(value, str) and value.startswith("="):
        raise ValueError(f"no formula in an .xls built here: {value!r}")
    elif isinstance(value, dt.datetime):
        ws.write(r, c, value, style("yyyy-mm-dd hh:mm", border))
    elif isinstance(value, dt.date):
        ws.write(r, c, value, style("yyyy-mm-dd", border))
    else:
        ws.write(r, c, value, style(border=border))


def _column(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _cells(ref: str) -> Any:
    """The (row, column) cells of an A1 range, 1-based, row by row."""
    ends = []
    for part in ref.split(":"):
        letters = part.rstrip("0123456789")
        ends.append((int(part[len(letters):]), _column(letters)))
    (r1, c1), (r2, c2) = ends[0], ends[-1]
    return ((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))


def header_of(spec: dict[str, Any]) -> list[str]:
    for sheet in spec.get("sheets", []):
        rows = sheet.get("rows", [])
        if rows:
            return [str(v) for v in rows[0] if v not in (None, "")]
    return []


# -- hostile workbooks, as raw ZIP bytes ------------------------------------------------------------
CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                 b'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                 b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 b'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                 b'"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WB_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
           b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
           b'2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
              b'spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = b"</sheetData></worksheet>"


def _skeleton(zf: zipfile.ZipFile) -> None:
    """The parts every minimal workbook here shares: content types, rels, workbook."""
    zf.writestr("[Content_Types].xml", CONTENT_TYPES)
    zf.writestr("_rels/.rels", RELS)
    zf.writestr("xl/workbook.xml", WORKBOOK)
    zf.writestr("xl/_rels/workbook.xml.rels", WB_RELS)


def raw_workbook(sheet_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .xlsx whose first sheet part is ``sheet_xml`` (and any extra parts)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        _skeleton(zf)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return out.getvalue()


def sheet(rows: bytes) -> bytes:
    return SHEET_HEAD + rows + SHEET_TAIL


def zip_bomb(megabytes: int = 2048) -> bytes:
    """A sheet part that inflates to ``megabytes`` MiB of blanks (compressed ~1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        _skeleton(zf)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(SHEET_HEAD)
            block = b" " * (1 << 20)
            for _ in range(megabytes):
                fh.write(block)
            fh.write(SHEET_TAIL)
    return out.getvalue()


def entity_bomb() -> bytes:
    """Billion laughs in the sheet part."""
    lol = b'<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
    ) + b"]>"
    xml = (b'<?xml version="1.0" encoding="UTF-8"?>' + lol + b'<worksheet xmlns="http://schemas.openxmlformats.org/'
           b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c>'
           b"</row></sheetData></worksheet>")
    return raw_workbook(xml)


def encrypted_workbook() -> bytes:
    """An OLE2 compound file with EncryptionInfo and EncryptedPackage streams, as Excel writes
    for a password-protected workbook (directory only; the encrypted payload is irrelevant)."""
    return ole_file(("EncryptionInfo", "EncryptedPackage"))


def ole_file(streams: tuple[str, ...]) -> bytes:
    """A minimal OLE2 compound file whose directory lists ``streams`` (legacy .xls: "Workbook")."""
    sector = 512
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[24:26] = (0x3E).to_bytes(2, "little")
    header[26:28] = (3).to_bytes(2, "little")
    header[28:30] = b"\xfe\xff"
    header[30:32] = (9).to_bytes(2, "little")
    header[32:34] = (6).to_bytes(2, "little")
    header[44:48] = (1).to_bytes(4, "little")  # one FAT sector
    header[48:52] = (1).to_bytes(4, "little")  # directory starts at sector 1
    header[56:60] = (4096).to_bytes(4, "little")
    header[60:64] = (0xFFFFFFFE).to_bytes(4, "little")
    header[68:72] = (0xFFFFFFFE).to_bytes(4, "little")
    difat = [0] + [0xFFFFFFFF] * 108
    header[76:512] = b"".join(x.to_bytes(4, "little") for x in difat)
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [0xFFFFFFFF] * (sector // 4 - 2)
    fat_bytes = b"".join(x.to_bytes(4, "little") for x in fat)

    def entry(name: str, kind: int) -> bytes:
        e = bytearray(128)
        raw = name.encode("utf-16-le") + b"\x00\x00"
        e[0: len(raw)] = raw
        e[64:66] = len(raw).to_bytes(2, "little")
        e[66] = kind
        e[68:80] = b"\xff" * 12
        return bytes(e)

    directory = entry("Root Entry", 5) + b"".join(entry(n, 2) for n in streams)
    directory += bytes(128 * (-(len(directory) // 128) % 4))
    return bytes(header) + fat_bytes + directory
