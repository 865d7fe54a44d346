"""A misnamed end tag inside a cell far into a large sheet: refused by both readers, the cell named.

python-calamine read ``<v>4000</x>`` as if it were ``</v>`` (the check went on with the value),
and a misnamed end tag in a rich-text run or after a formula took the next row's text into the
cell, where openpyxl refused the part; the byte scan, which proved only that rows open and close,
let such a sheet past expat. Each cell's end is now proved too (``xlsx_structure._cells_close``).
"""

from __future__ import annotations

import io

import pytest

from tests.workbooks import raw_workbook, sheet
from validator.readers.base import ReaderNotes, Refused
from validator.readers.xlsx import XlsxReader, calamine_available
from validator.readers.xlsx_scan import Budget, open_zip, scan_sheet

ENGINES = ["openpyxl", *(["calamine"] if calamine_available() else [])]
ROWS = 5000
BAD = 4000
HEAD = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>Name</t></is></c></row>')


def _row(r: int, a: bytes | None = None, b: bytes | None = None) -> bytes:
    a = a if a is not None else b'<c r="A%d" t="inlineStr"><is><t>a%d@x.com</t></is></c>' % (r, r)
    b = b if b is not None else b'<c r="B%d"><v>%d</v></c>' % (r, r)
    return b'<row r="%d">%s%s</row>' % (r, a, b)


def _workbook(a: bytes | None = None, b: bytes | None = None) -> bytes:
    """A sheet of ROWS rows (about 400 KB of XML), row BAD holding the cells given."""
    rows = [HEAD] + [_row(r, a, b) if r == BAD else _row(r) for r in range(2, ROWS + 1)]
    return raw_workbook(sheet(b"".join(rows)))


def _refusal(data: bytes, engine: str) -> Refused:
    with pytest.raises(Refused) as info:
        reader = XlsxReader(io.BytesIO(data), ReaderNotes(), size=len(data), engine=engine)
        try:
            for _chunk in reader.chunks():
                pass
        finally:
            reader.close()
    return info.value


CASES = {  # (cell A, cell B of row BAD) -> the cell named (the misnamed end tag is </x>, or </t> where said)
    "value": (None, b'<c r="B4000"><v>4000</x></c>', "B4000"),
    "value closed by another known name </t>": (None, b'<c r="B4000"><v>4000</t></c>', "B4000"),
    "inline text": (b'<c r="A4000" t="inlineStr"><is><t>a@x.com</x></is></c>', None, "A4000"),
    "inline string": (b'<c r="A4000" t="inlineStr"><is><t>a@x.com</t></x></c>', None, "A4000"),
    "cell": (b'<c r="A4000" t="inlineStr"><is><t>a@x.com</t></is></x>', None, "A4000"),
    "rich-text run": (b'<c r="A4000" t="inlineStr"><is><r><t>a@x.com</t></x></is></c>', None, "A4000"),
    "formula's cached text": (b'<c r="A4000" t="str"><f>"a"</f><v>a</x></c>', None, "A4000"),
}


@pytest.mark.parametrize("block", [4 << 20, 4096])
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", list(CASES))
def test_misnamed_end_tag_in_a_cell_is_refused_by_both_readers_naming_the_cell(
        case: str, engine: str, block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import validator.readers.xlsx_container as container

    monkeypatch.setattr(container, "BLOCK", block)  # (4096: the row far into the scan's windows)
    a, b, cell = CASES[case]
    data = _workbook(a, b)
    part = open_zip(io.BytesIO(data), len(data)).read("xl/worksheets/sheet1.xml")
    wrong = b"</t>" if case.endswith("</t>") else b"</x>"
    # (expat places a mismatched end tag at its name, after "</")
    column = part.index(wrong, part.index(b'<c r="%s"' % cell.encode())) + 3
    exc = _refusal(data, engine)
    assert exc.code == "bad-xml"
    assert str(exc) == (f"part 'xl/worksheets/sheet1.xml' is not well-formed XML at line 1, column {column:,}, "
                        f"in cell {cell} (mismatched tag; HubSpot: INVALID_SPREADSHEET)")


@pytest.mark.parametrize(("a", "b", "parsed"), [
    (None, None, False),
    (None, b'<c r="B4000" s="1"/>', False),  # a styled empty cell
    (None, b'<c r="B4000"><f>1+1</f><v>2</v></c>', False),
    (None, b'<c r="B4000"><f>1+1</f><v/></c>', False),  # no cached value
    (None, b'<c r="B4000"><f>1+1</f><v /></c>', False),  # ... as openpyxl writes it
    (b'<c r="A4000" t="inlineStr"><is><r><t>a@x.com</t></r></is></c>', None, True),  # rich text: expat decides
    (None, b'<c r="B4000"><f>1+1</f></c>', True),  # a formula alone: likewise
])
def test_cells_in_excels_shape_need_no_parse(a: bytes | None, b: bytes | None, parsed: bool) -> None:
    data = _workbook(a, b)
    zf = open_zip(io.BytesIO(data), len(data))
    try:
        assert scan_sheet(zf, "xl/worksheets/sheet1.xml", Budget(1 << 30)).unproven is parsed
    finally:
        zf.close()
