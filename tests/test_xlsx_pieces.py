"""A large worksheet loaded in pieces (readers/xlsx_pieces) reads exactly as the whole sheet.

The thresholds are lowered so that workbooks of a few hundred rows are cut into many pieces."""

from __future__ import annotations

import datetime as dt
import io
import threading
import zipfile
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.hostile import xlsx as X
from tests.workbooks import make_workbook
from validator.findings import column_letter
from validator.readers import xlsx_piece_cut, xlsx_piece_load, xlsx_pieces
from validator.readers.base import ReaderNotes
from validator.readers.xlsx import XlsxReader, calamine_available

pytestmark = pytest.mark.skipif(not calamine_available(), reason="python-calamine not installed")


def _rows(n: int) -> list[list[Any]]:
    rows: list[list[Any]] = [["Email", "Id", "Close Date", "Name", "Score", "Note"]]
    for i in range(2, n + 2):
        rows.append([
            f"p{i}@example.com",
            100000 + i if i % 3 else str(100000 + i),
            dt.date(2024, 1, 1) + dt.timedelta(days=i) if i % 5 else dt.datetime(2024, 2, 1, 9, i % 60),
            None if i % 7 == 0 else f"Name {i}",
            i / 8 if i % 4 else True,
            "far" if i % 97 == 0 else None,
        ])
        if i % 97 == 0:  # a cell right of the header: a ragged row
            rows[-1].append("beyond")
    return rows


def _sheet_of(rows: list[str]) -> bytes:
    """A one-sheet workbook whose <sheetData> holds these <row> elements as written."""
    xml = X.sheet_xml([]).replace("<sheetData></sheetData>", "<sheetData>" + "".join(rows) + "</sheetData>")
    return X.build(X.parts(sheets={"Contacts": xml}))


def _read(data: bytes, *, pieces: bool | None, chunk_rows: int = 37) -> tuple[Any, ...]:
    """Everything a reader gives: header, every chunk's cells, kinds, rows and notes, the notes;
    ``pieces``: whether the sheet must have been read in pieces (None: either)."""
    notes = ReaderNotes()
    reader = XlsxReader(io.BytesIO(data), notes, size=len(data), chunk_rows=chunk_rows, engine="calamine")
    got = _everything(reader, notes)
    assert pieces is None or (reader._loader is not None) == pieces  # the reader read the way the test meant
    return got


def _whole_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the sheets the readers load whole from now on, in order."""
    seen: list[str] = []
    sheet = XlsxReader._calamine_sheet

    def whole_sheet(self: XlsxReader, name: str) -> Any:
        seen.append(name)
        return sheet(self, name)
    monkeypatch.setattr(XlsxReader, "_calamine_sheet", whole_sheet)
    return seen


def _everything(reader: XlsxReader, notes: ReaderNotes) -> tuple[Any, ...]:
    try:
        chunks = [(c.frame.values.tolist(), c.kinds.values.tolist() if c.kinds is not None else None,
                   c.rows.tolist(), [repr(n) for n in c.notes]) for c in reader.chunks()]
    finally:
        reader.close()
    extra = {k: v for k, v in notes.extra.items() if k != "workbook"}
    return reader.header, reader.width, chunks, notes.records, repr(extra)


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Pieces of a few hundred bytes; returns the list of piece indexes loaded."""
    monkeypatch.setattr(xlsx_pieces, "MIN_SHEET_BYTES", 0)
    monkeypatch.setattr(xlsx_pieces, "FIRST_BYTES", 300)
    monkeypatch.setattr(xlsx_pieces, "PIECE_BYTES", 1200)
    loaded: list[int] = []
    load = xlsx_pieces._load

    def counted(data: bytes, name: str, index: int, marker: int | None = None) -> xlsx_pieces.Piece:
        loaded.append(index)
        return load(data, name, index, marker)
    monkeypatch.setattr(xlsx_pieces, "_load", counted)
    return loaded


def _whole(monkeypatch: pytest.MonkeyPatch, data: bytes, **kw: Any) -> tuple[Any, ...]:
    with monkeypatch.context() as m:
        m.setattr(xlsx_pieces, "MIN_SHEET_BYTES", 1 << 40)
        return _read(data, pieces=False, **kw)


@pytest.mark.parametrize("chunk_rows", [1, 37, 50_000])
def test_pieces_read_exactly_as_the_whole_sheet(monkeypatch: pytest.MonkeyPatch, small_pieces: list[int],
                                                chunk_rows: int) -> None:
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": _rows(400)}]})
    whole = _whole(monkeypatch, data, chunk_rows=chunk_rows)
    assert _read(data, pieces=True, chunk_rows=chunk_rows) == whole
    assert len(small_pieces) > 20 and small_pieces == sorted(small_pieces)
    assert whole[3] == 400  # records: every data row
    ragged = [n for c in whole[2] for n in c[3] if "ragged" in n]
    assert len(ragged) == 4  # rows 97, 194, 291, 388 reach column 7


def test_gaps_blank_rows_and_a_late_first_column(monkeypatch: pytest.MonkeyPatch, small_pieces: list[int]) -> None:
    # rows the sheet does not have (3-9, 200-999), a row of empty cells, data starting in column C
    body = ['<row r="1"><c r="C1" t="inlineStr"><is><t>Email</t></is></c><c r="D1" t="inlineStr"><is><t>N</t></is>'
            "</c></row>", '<row r="2"><c r="C2" t="inlineStr"><is><t>a@x.com</t></is></c></row>']
    body += [f'<row r="{r}"><c r="C{r}" t="inlineStr"><is><t>r{r}@x.com</t></is></c><c r="D{r}"><v>{r}</v></c></row>'
             for r in range(10, 200)]
    body += ['<row r="1000"><c r="C1000" s="0"/><c r="D1000" t="inlineStr"/></row>',
             '<row r="1001"><c r="D1001"><v>7</v></c></row>', '<row r="1003"/>']
    data = _sheet_of(body)
    whole = _whole(monkeypatch, data)
    assert _read(data, pieces=True) == whole
    assert len(small_pieces) >= 4
    assert whole[0].cells == ("", "", "Email", "N")
    assert whole[3] == 1001 - 1  # rows 2..1001: blank rows between data rows count as records


def _late_rows(late: str) -> bytes:
    notes = "".join(f'<c r="{column_letter(3 + k)}1" t="inlineStr"><is><t>Note {k}</t></is></c>' for k in range(30))
    body = ['<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c><c r="B1" t="inlineStr"><is><t>Id</t></is>'
            f"</c>{notes}</row>"]
    for r in range(2, 160):
        body.append(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>r{r}@x.com</t></is></c><c r="B{r}"><v>{r}</v>'
                    "</c></row>")
        if late == "80" and r == 80:
            body += [f'<row r="80"><c r="{column_letter(3 + k)}80" t="inlineStr"><is><t>late {k}</t></is></c></row>'
                     for k in range(30)]
    if late == "5":
        body.append('<row r="5"><c r="C5" t="inlineStr"><is><t>late</t></is></c></row>')
    return _sheet_of(body)


def test_a_row_repeated_across_pieces_ends_them(monkeypatch: pytest.MonkeyPatch, small_pieces: list[int]) -> None:
    """The whole sheet's load sorts every cell into its row. The same row repeated many times, a
    cell of its own in each (rows never go down, but one row spans pieces): the pieces stop before
    giving out that row, and the whole sheet is read from the row before it. (A cell written twice,
    or a row placed after higher ones, is refused: test_xlsx.)"""
    data = _late_rows("80")
    seen = _whole_loads(monkeypatch)
    whole = _whole(monkeypatch, data)
    seen.clear()
    assert _read(data, pieces=True) == whole
    assert seen == ["Contacts"]  # loaded whole after the pieces ended
    cells = [row for c in whole[2] for row in c[0]]
    assert ["r80@x.com", "80", *[f"late {k}" for k in range(30)]] in cells  # every row 80's cells


def test_a_row_after_higher_ones_is_refused_before_any_piece_is_read(small_pieces: list[int]) -> None:
    from validator.readers.base import Refused

    with pytest.raises(Refused) as info:
        XlsxReader(io.BytesIO(data := _late_rows("5")), ReaderNotes(), size=len(data), engine="calamine")
    assert str(info.value) == ("sheet part 'xl/worksheets/sheet1.xml' has row 5 after row 159 (rows out of order, "
                               "which readers number differently: open it in Excel, which puts them in order, and "
                               "save it again)")


def test_a_row_repeated_across_typed_pieces_ends_them(monkeypatch: pytest.MonkeyPatch, loads: list[str]) -> None:
    """A row of numbers repeated many times, a cell of its own in each, so that typed pieces begin
    and end in it: the pieces stop before giving it out, and the whole sheet is read from the row
    before it."""
    scores = "".join(f'<c r="{column_letter(3 + k)}1" t="inlineStr"><is><t>Score {k}</t></is></c>' for k in range(60))
    body = ['<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c><c r="B1" t="inlineStr"><is><t>Id</t></is>'
            f"</c>{scores}</row>"]
    for r in range(2, 160):
        body.append(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>r{r}@x.com</t></is></c><c r="B{r}"><v>{r}</v>'
                    "</c></row>")
        if r == 80:
            body += [f'<row r="80"><c r="{column_letter(3 + k)}80"><v>{k}</v></c></row>' for k in range(60)]
    data = _sheet_of(body)
    seen = _whole_loads(monkeypatch)
    whole = _whole(monkeypatch, data)
    seen.clear()
    loads.clear()
    assert _read(data, pieces=True) == whole
    assert seen == ["Contacts"] and loads.count("typed") > 3
    assert ["r80@x.com", "80", *map(str, range(60))] in [row for c in whole[2] for row in c[0]]  # every value


def test_a_piece_calamine_refuses_ends_the_pieces(monkeypatch: pytest.MonkeyPatch, small_pieces: list[int]) -> None:
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": _rows(300)}]})
    whole = _whole(monkeypatch, data)
    load = xlsx_pieces._load

    def failing(data: bytes, name: str, index: int, marker: int | None = None) -> xlsx_pieces.Piece:
        if index == 4:
            raise ValueError("calamine: broken piece")
        return load(data, name, index, marker)
    monkeypatch.setattr(xlsx_pieces, "_load", failing)
    assert _read(data, pieces=True) == whole


def test_shared_strings_pieces_and_when_they_are_too_large(monkeypatch: pytest.MonkeyPatch,
                                                            small_pieces: list[int]) -> None:
    strings = [f"s{i}@example.com" for i in range(300)]
    rows = [[("s", i), ("s", (i * 7) % 300), i] for i in range(300)]
    data = X.xlsx(rows, shared=strings)
    whole = _whole(monkeypatch, data)
    monkeypatch.setattr(xlsx_pieces, "SST_SHARE", 0)
    typed = []
    load = xlsx_pieces._load

    def recorded(data: bytes, name: str, index: int, marker: int | None = None) -> xlsx_pieces.Piece:
        piece = load(data, name, index, marker)
        typed.append(piece.typed is not None)
        return piece
    monkeypatch.setattr(xlsx_pieces, "_load", recorded)
    assert _read(data, pieces=True) == whole
    assert small_pieces and typed.count(True) == len(typed) - 1  # every piece but the first typed
    # the default: pieces at least the shared strings' size, and four of them at least; here the
    # strings are 30% of the sheet, so it loads whole; ten strings used again and again: pieces
    monkeypatch.setattr(xlsx_pieces, "SST_SHARE", 1)
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert 4 * zf.getinfo("xl/sharedStrings.xml").file_size > zf.getinfo("xl/worksheets/sheet1.xml").file_size
    assert xlsx_pieces.plan(zf, "xl/worksheets/sheet1.xml", "Sheet1") is None
    few = zipfile.ZipFile(io.BytesIO(X.xlsx([[("s", i % 10), i] for i in range(300)], shared=strings[:10])))
    how = xlsx_pieces.plan(few, "xl/worksheets/sheet1.xml", "Sheet1")
    assert how is not None and how.size == 1200 and how.sst == "xl/sharedStrings.xml"
    # shared strings larger than the pieces may hold: pieces would parse them again and again
    monkeypatch.setattr(xlsx_pieces, "SST_SHARE", 1000)
    assert _read(data, pieces=False) == whole


def test_a_window_whose_cells_span_a_huge_range_is_never_loaded_early() -> None:
    """The early pieces reach calamine only where the windows they came from are as bounded as
    choose_engine wants a whole sheet: a cell at row 1 and one at XFD1048576 are not."""
    assert xlsx_pieces._safe((6, 1, 5000, 0, 30_000))
    assert not xlsx_pieces._safe((16_384, 1, 1_048_576, 0, 2))  # dense 17 billion cells
    assert not xlsx_pieces._safe((3, 1, 10, 1, 30))  # a cell without a reference: positions shift
    assert not xlsx_pieces._safe((3, 1, 2_000_000, 0, 30))  # beyond Excel's rows
    assert xlsx_pieces._merge((3, 5, 9, 0, 4), (7, 2, 6, 1, 2)) == (7, 2, 9, 1, 6)
    assert xlsx_pieces._merge((0, 0, 0, 0, 0), (7, 2, 6, 0, 2)) == (7, 2, 6, 0, 2)


def test_early_pieces_stop_at_an_unsafe_window(monkeypatch: pytest.MonkeyPatch, small_pieces: list[int]) -> None:
    rows = [[f"r{i}@x.com", i] for i in range(200)]
    data = X.build(X.parts(rows))
    zf = zipfile.ZipFile(io.BytesIO(data))
    how = xlsx_pieces.plan(zf, "xl/worksheets/sheet1.xml", "Contacts")
    assert how is not None
    pieces = xlsx_pieces.Pieces(zf, how)
    try:
        xml = zf.read("xl/worksheets/sheet1.xml")
        first, second = xml.index(b'<row r="3"'), xml.index(b'<row r="100"')
        pieces.window(xml[:first], (2, 1, 2, 0, 4))
        assert pieces._count == 0 and pieces._early  # under FIRST_BYTES of rows: no piece yet
        pieces.window(xml[first:second], (16_384, 3, 1_048_576, 0, 2))  # unsafe: nothing is cut early
        assert pieces._count == 0 and not pieces._early
        pieces.window(xml[second:], (2, 100, 200, 0, 200))
        assert pieces._count == 0
    finally:
        pieces.close()


def test_closing_half_way_stops_every_thread(monkeypatch: pytest.MonkeyPatch, small_pieces: list[int]) -> None:
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": _rows(400)}]})
    _read(data, pieces=True, chunk_rows=20)
    every = len(small_pieces)  # the pieces of a whole read
    small_pieces.clear()
    before = {t.ident for t in threading.enumerate()}
    reader = XlsxReader(io.BytesIO(data), ReaderNotes(), size=len(data), chunk_rows=20, engine="calamine")
    chunks = reader.chunks()
    next(chunks)
    reader.close()
    left = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    assert left == []
    # stopped half way: some pieces loaded, not all (up to EARLY of them are cut during the scan,
    # and may all load before the first chunk is taken, on a fast machine)
    assert 0 < len(small_pieces) < every and every > xlsx_pieces.EARLY + xlsx_pieces.AHEAD


def test_prefetched_pieces_read_as_the_reader_would(monkeypatch: pytest.MonkeyPatch, small_pieces: list[int],
                                                    tmp_path: Any) -> None:
    from validator.readers import xlsx_prefetch

    data = make_workbook({"sheets": [{"name": "Contacts", "rows": _rows(400)}]})
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(data)
    whole = _whole(monkeypatch, data)
    monkeypatch.setattr(xlsx_prefetch, "MIN_BYTES", 0)
    assert xlsx_prefetch.start(path)
    with path.open("rb") as fh:
        notes = ReaderNotes()
        reader = XlsxReader(fh, notes, size=len(data), chunk_rows=37, owned=False)
        assert reader._pre is not None and reader._loader is not None  # the prefetch's pieces
        assert _everything(reader, notes) == whole
    assert xlsx_prefetch.pending() == 0


@pytest.mark.parametrize(("rows", "ordered"), [
    (b'<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row><row r="2"><c r="AB2"><v>3</v></c></row>'
     b'<row r="10"><c r="C10"><v>4</v></c></row>', True),
    (b'<row r="9"><c r="A9"><v>1</v></c></row><row r="10"><c r="A10"><v>1</v></c></row>'
     b'<row r="100"><c r="ZZ100"><v>1</v></c></row>', True),
    (b'<row r="10"><c r="A10"><v>1</v></c></row><row r="9"><c r="A9"><v>1</v></c></row>', (9, 10)),
    (b'<row r="10"><c r="A10"><v>1</v></c><c r="B2"><v>1</v></c></row>', (2, 10)),  # a cell above its row
    (b'<row r="1"><c r="A01"><v>1</v></c></row>', False),  # a leading zero: not read as ordered
    (b'<x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c></x:row><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>',
     (1, 2)),  # prefixed cells: the regexes read the order
    (b'<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row><x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c></x:row>',
     True),
])
def test_the_scan_sees_whether_rows_ever_go_down(rows: bytes, ordered: bool | tuple[int, int]) -> None:
    """Whether the pieces may be cut; rows going down are refused, the rows named."""
    from tests.workbooks import raw_workbook, sheet
    from validator.readers.base import Refused
    from validator.readers.xlsx_scan import Budget, scan_sheet

    prefix = b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '  # (x: bound)
    zf = zipfile.ZipFile(io.BytesIO(raw_workbook(sheet(rows).replace(b"<worksheet ", prefix, 1))))
    if isinstance(ordered, tuple):
        with pytest.raises(Refused, match=rf"^sheet part 'xl/worksheets/sheet1.xml' has row {ordered[0]} after row "
                                          rf"{ordered[1]} \(rows out of order"):
            scan_sheet(zf, "xl/worksheets/sheet1.xml", Budget(1 << 30))
    else:
        assert scan_sheet(zf, "xl/worksheets/sheet1.xml", Budget(1 << 30)).ordered is ordered


def test_the_order_carries_across_windows() -> None:
    from validator.readers.xlsx_scan import SheetScan, _scan_text

    for second, ordered in ((b'<row r="59"><c r="B59"><v>1</v></c></row>', True),
                            (b'<row r="60"><c r="A60"><v>1</v></c></row>', True),
                            (b'<row r="3"><c r="B3"><v>1</v></c></row>', False),
                            (b'<x:row r="3"><x:c r="B3"><x:v>1</x:v></x:c></x:row>', False)):
        out = SheetScan()
        _scan_text(b'<row r="58"><c r="A58"><v>1</v></c></row><row r="59"><c r="A59"><v>1</v></c></row>', out)
        assert out.ordered and out.last_row == 59
        _scan_text(second, out)  # the next window: rows in order within it, but it may go below the last
        assert out.ordered is ordered, second


def test_piece_workbooks_are_valid_stored_zips() -> None:
    others = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", "xl/\u00e9t\u00e9.xml": b"<x/>"}
    layout = xlsx_pieces._StoredZip(others, "xl/worksheets/sheet1.xml")
    rows = bytearray(b'<row r="2"><c r="A2"><v>1</v></c></row>' * 50)
    with memoryview(rows) as view:
        data = layout.build([b"<worksheet><sheetData>", view[:len(rows) // 2], xlsx_pieces._TAIL])
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None  # every CRC matches
    assert [i.compress_type for i in zf.infolist()] == [zipfile.ZIP_STORED] * 4
    assert {n: zf.read(n) for n in others} == others
    assert zf.read("xl/worksheets/sheet1.xml") == (b"<worksheet><sheetData>" + bytes(rows[:len(rows) // 2])
                                                   + b"</sheetData></worksheet>")


_VALUES = st.one_of(
    st.none(), st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    st.integers(-(10**12), 10**12), st.floats(-1e9, 1e9, allow_nan=False).map(lambda f: round(f, 4)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2200, 1, 1)), st.booleans(),
    st.sampled_from(["#N/A", "#REF!", "=A1", "=B2*2"]),  # error cells, formulas without a cached value
)


def _same_whole_and_in_pieces(rows: list[list[Any]], gaps: set[int], chunk_rows: int, first: int) -> None:
    """The workbook of these rows (those at ``gaps`` left out) reads the same whole and in pieces
    of ``first`` (the first) and twice that many bytes. (A MonkeyPatch of its own: Hypothesis runs
    the test function many times within one fixture.)"""
    placed = [row if r + 1 not in gaps else [] for r, row in enumerate(rows)]
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": placed}]})
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(xlsx_pieces, "MIN_SHEET_BYTES", 1 << 40)
        whole = _read(data, pieces=False, chunk_rows=chunk_rows)
        mp.setattr(xlsx_pieces, "MIN_SHEET_BYTES", 0)
        mp.setattr(xlsx_pieces, "FIRST_BYTES", first)
        mp.setattr(xlsx_pieces, "PIECE_BYTES", first * 2)
        assert _read(data, pieces=None, chunk_rows=chunk_rows) == whole
    finally:
        mp.undo()


@example(rows=[[]] * 17 + [["=00"], ["0"]], gaps=set(), chunk_rows=1, first=120)  # found by the nightly profile
@example(rows=[[None, 0]] + [[]] * 18 + [[0, "=00"]], gaps=set(), chunk_rows=1, first=120)  # and this one
@example(rows=[[]] * 17 + [["0"], ["null"], [0]], gaps=set(), chunk_rows=1, first=120)  # and, typed, this one
@given(rows=st.lists(st.lists(_VALUES, min_size=0, max_size=7), min_size=20, max_size=150),
       gaps=st.sets(st.integers(2, 150), max_size=20), chunk_rows=st.sampled_from([1, 7, 50_000]),
       first=st.sampled_from([120, 300, 900]))
def test_generated_workbooks_read_the_same_in_pieces(rows: list[list[Any]], gaps: set[int], chunk_rows: int,
                                                     first: int) -> None:
    """Workbooks of random cells (text in any script, numbers, dates, booleans, empty cells, rows
    the sheet skips, rows of any width) read the same whole and in pieces of any size."""
    _same_whole_and_in_pieces(rows, gaps, chunk_rows, first)


@pytest.mark.parametrize("long", [120, 200])
def test_a_row_longer_than_the_pieces_may_hold_loads_the_sheet_whole(monkeypatch: pytest.MonkeyPatch,
                                                                     small_pieces: list[int], long: int) -> None:
    """Also where the long row is the last one: the scan's windows then hold the sheet's end too,
    and the rows from the long one on are still read (once lost: the cut-off pieces looked complete)."""
    monkeypatch.setattr(xlsx_piece_cut, "MAX_ROW_BYTES", 2000)
    rows = _rows(200)
    rows[long] = [*rows[long][:3], "x" * 5000]  # one row of 5 KB: over a piece and MAX_ROW_BYTES
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": rows}]})
    whole = _whole(monkeypatch, data)
    assert whole[3] == 200
    seen = _whole_loads(monkeypatch)
    assert _read(data, pieces=True) == whole
    assert seen == ["Contacts"] and small_pieces  # pieces first, then the whole sheet from the long row on


@pytest.mark.parametrize("block_cells", [1, 250_000])
def test_rows_holding_only_errors_or_formulas_between_pieces(monkeypatch: pytest.MonkeyPatch,
                                                            small_pieces: list[int], block_cells: int) -> None:
    """A row whose cells are only formulas without a cached value (or errors read from the scan)
    has no value calamine keeps: a piece of such rows is empty, and the next starts below them.
    The whole load gives them as empty rows the scan's exceptions fill; so do the pieces."""
    from validator.readers import xlsx as xlsx_reader

    monkeypatch.setattr(xlsx_reader, "BLOCK_CELLS", block_cells)
    rows: list[list[Any]] = [[]] * 17 + [["=00\xa0\xa0\xa0\U00010000"], ["0"]]  # found by the nightly profile
    rows += [["x"]] * 10 + [[]] * 20 + [["=A1"]] * 5 + [[None, "=B2"]] * 3 + [[None, "y"]] * 30 + [["=C1"]] * 4
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": rows}]})
    whole = _whole(monkeypatch, data, chunk_rows=7)
    assert _read(data, pieces=True, chunk_rows=7) == whole
    notes = [n for c in whole[2] for n in c[3]]
    assert any("row=18," in n and "ragged" in n for n in notes)  # the formula row, as the whole load has it
    assert len(small_pieces) >= 4
    # the last rows, formulas alone, below the last value calamine keeps: read (they were not)
    assert whole[3] == 90 and [n[:38] for n in notes[-4:]] == [
        f"RowNote(kind='ragged', row={r}, line={r}" for r in (88, 89, 90, 91)]


@pytest.mark.parametrize("first_sheet", ["data", "empty"])
def test_workbooks_of_several_sheets(monkeypatch: pytest.MonkeyPatch, small_pieces: list[int],
                                     first_sheet: str) -> None:
    """The first worksheet is cut into pieces (the others are empty sheets in the pieces'
    workbooks); when the first holds no data another sheet is checked, and the pieces are dropped."""
    data_sheet = {"name": "Contacts", "rows": _rows(300)}
    other = {"name": "Notes", "rows": [["kept for reference"], ["row two"]]}
    empty = {"name": "Cover", "rows": []}
    sheets = [data_sheet, other] if first_sheet == "data" else [empty, data_sheet, other]
    data = make_workbook({"sheets": sheets})
    whole = _whole(monkeypatch, data)
    assert _read(data, pieces=first_sheet == "data") == whole
    assert whole[3] == 300
    if first_sheet == "data":
        assert len(small_pieces) > 10


@pytest.mark.parametrize("fails", ["loader", "cutter"])
def test_no_thread_to_be_had_means_the_sheet_loads_whole(monkeypatch: pytest.MonkeyPatch, small_pieces: list[int],
                                                         fails: str) -> None:
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": _rows(300)}]})
    whole = _whole(monkeypatch, data)
    start = threading.Thread.start

    def no_thread(self: threading.Thread) -> None:
        if self.name.startswith("xlsx-load" if fails == "loader" else "xlsx-pieces"):
            raise RuntimeError("can't start new thread")
        start(self)
    monkeypatch.setattr(threading.Thread, "start", no_thread)
    assert _read(data, pieces=False) == whole


# -- pieces loaded as typed columns (fastexcel) ------------------------------------------------------
@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch, small_pieces: list[int]) -> list[str]:
    """How each piece was loaded: "typed" (fastexcel's columns), "values" (python-calamine's, as
    rows or as ``Sparse`` columns)."""
    how: list[str] = []
    load = xlsx_pieces._load  # (already the fixture's counting one)

    def recorded(data: bytes, name: str, index: int, marker: int | None = None) -> xlsx_pieces.Piece:
        piece = load(data, name, index, marker)
        how.append("typed" if piece.typed is not None and not piece.values else "values")
        return piece
    monkeypatch.setattr(xlsx_pieces, "_load", recorded)
    return how


def _typed_rows(n: int, stray: int = 0) -> list[list[Any]]:
    """A header and ``n`` rows whose columns each hold one kind of value (text, whole and
    fractional numbers, dates, date-times, booleans), with empty cells, errors and formulas;
    every ``stray``-th row a number in the text column."""
    rows: list[list[Any]] = [["Email", "Id", "Amount", "Close Date", "Created", "Opted In", "Note"]]
    for i in range(2, n + 2):
        rows.append([
            i if stray and i % stray == 0 else f"p{i}@example.com",
            100000 + i,
            [i / 8, -1.5e-7 * i, 1.25e21 + i, 3.0, None][i % 5],
            dt.date(2024, 1, 1) + dt.timedelta(days=i),
            dt.datetime(2024, 2, 1, 9, i % 60, i % 7, (i * 137) % 1000 * 1000),
            None if i % 6 == 0 else bool(i % 2),
            ["#N/A", "=A1", None, " spaced ", "x" * (i % 5)][i % 5],
        ])
    return rows


@pytest.mark.parametrize("chunk_rows", [1, 37, 50_000])
def test_typed_pieces_read_exactly_as_the_whole_sheet(monkeypatch: pytest.MonkeyPatch, loads: list[str],
                                                      chunk_rows: int) -> None:
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": _typed_rows(300)}]})
    whole = _whole(monkeypatch, data, chunk_rows=chunk_rows)
    loads.clear()
    assert _read(data, pieces=True, chunk_rows=chunk_rows) == whole
    assert loads.count("typed") > 10 and loads.count("values") == 1  # all but the first piece (the header)
    got = {r: (c[0][i], c[1][i]) for c in whole[2] for i, r in enumerate(c[2]) if r in (150, 151, 152, 154)}
    assert got == {  # an error, a formula without a value, a number past 1e21, an empty cell, whole minutes
        150: (["p150@example.com", "100150", "18.75", "05/30/2024", "02/01/2024 09:30:03", "", "#N/A"],
              ["s", "n", "n", "d", "d", "", "e"]),
        151: (["p151@example.com", "100151", "-0.00002265", "05/31/2024", "02/01/2024 09:31:04", "TRUE", ""],
              ["s", "n", "n", "d", "d", "b", "f"]),
        152: (["p152@example.com", "100152", "1250000000000000000000", "06/01/2024", "02/01/2024 09:32:05",
               "FALSE", ""], ["s", "n", "n", "d", "d", "b", ""]),
        154: (["p154@example.com", "100154", "", "06/03/2024", "02/01/2024 09:34", "FALSE", "xxxx"],
              ["s", "n", "", "d", "d", "b", "s"]),
    }


def test_a_piece_of_mixed_columns_loads_as_values(monkeypatch: pytest.MonkeyPatch, loads: list[str]) -> None:
    """A number among the texts of a column: fastexcel would type the column one way, so that
    piece is loaded as python-calamine's values (each cell keeps its own kind)."""
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": _typed_rows(300, stray=40)}]})
    whole = _whole(monkeypatch, data)
    loads.clear()
    assert _read(data, pieces=True) == whole
    assert "typed" in loads and loads.count("values") > 1
    kinds = {(c[2][i], k[0]) for c in whole[2] for i, k in enumerate(c[1])}
    assert (80, "n") in kinds and (81, "s") in kinds  # the stray number keeps its kind


@pytest.mark.parametrize("text", ["", "null", "NaN", "1.5"])
def test_text_among_numbers_keeps_its_kind(monkeypatch: pytest.MonkeyPatch, loads: list[str], text: str) -> None:
    """fastexcel lets text that reads as no value ("", "null", "NaN") into a column of numbers; the
    text cells of a piece are counted in its bytes, so such a piece loads as values instead."""
    rows = _typed_rows(200)
    rows[120][2] = {"s": text}  # a text cell in the Amount column
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": rows}]})
    whole = _whole(monkeypatch, data)
    loads.clear()
    assert _read(data, pieces=True) == whole
    # the first piece, and the one with row 121 (an empty text is written as a cell without a
    # value: both read it as empty, and its piece is typed)
    assert "typed" in loads and loads.count("values") == (2 if text else 1)
    row = next((c[0][i], c[1][i]) for c in whole[2] for i, r in enumerate(c[2]) if r == 121)
    assert (row[0][2], row[1][2]) == (text, "s" if text else "")


def test_text_cells_are_counted_in_the_bytes() -> None:
    def count(cells: bytes) -> int | None:
        return xlsx_pieces._text_cells(b"<row>" + cells + b"</row>" + b"\0" * 22)  # (a ZIP ends in its directory)
    assert count(b'<c r="A1" t="s"><v>0</v></c><c r="B1" t="str"><f>X</f><v>a</v></c>'
                 b'<c r="C1" t="inlineStr"><is><t>b</t></is></c><c r="D1" t="n"><v>1</v></c>'
                 b'<c r="E1" t="e"><v>#N/A</v></c><c r="F1" t="b"><v>1</v></c><c r="G1" t="s" s="2"><v>1</v></c>') == 4
    assert count(b'<c r="A2" t="inlineStr" /><c r="B2" t="s"/><c r="C2" t="s" s="1"/>') == 0  # no value
    assert count(b'<row r="2" ht="15" x14ac:dyDescent="0.25"><c r="A2"><v>1</v></c></row>') == 0
    for odd in [b'<c r="A1"\tt="s">', b"<c r='A1' t='s'>", b'<c r="A1" t = "s">', b'<c r="A1" t= "s">',
                b'<c r="A1" t="d"><v>2024-01-01</v></c>', b'<c r="A1"\nt="s">']:
        assert count(odd) is None, odd


def test_pieces_without_fastexcel_load_as_values(monkeypatch: pytest.MonkeyPatch, loads: list[str]) -> None:
    """No fastexcel: python-calamine loads every piece, the marker row taken off again."""
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": _typed_rows(300)}]})
    whole = _whole(monkeypatch, data)
    monkeypatch.setattr(xlsx_piece_load, "_fastexcel", lambda: None)
    loads.clear()
    assert _read(data, pieces=True) == whole
    assert loads and set(loads) == {"values"}


def test_the_marker_is_the_row_above_the_first_cell() -> None:
    rows = bytearray(b'<row r="7"><c r="B7"><v>1</v></c></row><row r="9"><c r="A9"><v>2</v></c></row>')
    assert xlsx_pieces._marker(rows, len(rows)) == 6
    assert xlsx_pieces._marker(bytearray(b'<row r="1"><c r="A1"><v>1</v></c></row>'), 40) is None  # no row above
    assert xlsx_pieces._marker(bytearray(b'<row r="4"/><row r="5"/>'), 24) is None  # no cell
    assert xlsx_pieces._marker(bytearray(b'<row><c><v>1</v></c><c r="B5"><v>1</v></c></row>'), 48) is None
    assert xlsx_pieces._marker_row(6) == b'<row r="6"><c r="A6" t="e"><v>#N/A</v></c></row>'


@pytest.mark.parametrize("case", ["early time", "late date", "duration"])
def test_typed_columns_python_calamine_reads_otherwise_load_as_values(monkeypatch: pytest.MonkeyPatch,
                                                                       loads: list[str], case: str) -> None:
    """A date-time below one day is a time of day to python-calamine (and dates past 9999 or
    durations are not typed here): such a piece loads as values."""
    rows = _typed_rows(120)
    odd: Any = {"early time": dt.datetime(1899, 12, 31, 6, 30), "late date": dt.datetime(9999, 12, 31, 23, 59),
                "duration": dt.timedelta(hours=30)}[case]
    rows[80][4] = odd
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": rows}]})
    whole = _whole(monkeypatch, data)
    loads.clear()
    assert _read(data, pieces=True) == whole
    assert "typed" in loads and loads.count("values") > 1


def test_a_date_past_9999_loads_as_values(monkeypatch: pytest.MonkeyPatch, loads: list[str]) -> None:
    """A date-styled number past 9999-12-31 is a number to python-calamine (fastexcel makes it a
    date in year 10000): its piece loads as values, and the cell reads as the number."""
    rows: list[list[Any]] = [["Email", "Close Date"]]
    rows += [[f"p{i}@example.com", ("d", 45000 + i)] for i in range(2, 200)]
    rows[150][1] = ("d", 2958470)
    data = X.xlsx(rows)
    whole = _whole(monkeypatch, data)
    loads.clear()
    assert _read(data, pieces=True) == whole
    assert "typed" in loads and loads.count("values") == 2
    got = next((c[0][i], c[1][i]) for c in whole[2] for i, r in enumerate(c[2]) if r == 151)
    assert got == (["p151@example.com", "2958470"], ["s", "n"])


def test_a_column_of_durations_loads_as_values(monkeypatch: pytest.MonkeyPatch, loads: list[str]) -> None:
    """fastexcel types a column of durations as such; python-calamine gives time spans: not typed."""
    rows = [[*row[:4], dt.timedelta(hours=row[1] % 50, minutes=7), *row[5:]] if r else row
            for r, row in enumerate(_typed_rows(150))]
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": rows}]})
    whole = _whole(monkeypatch, data)
    loads.clear()
    assert _read(data, pieces=True) == whole
    assert set(loads) == {"values"}
    row = next(c[0][i] for c in whole[2] for i, r in enumerate(c[2]) if r == 9)
    assert row[4] == "9:07:00"


def test_a_marker_in_a_row_of_the_piece_is_not_typed() -> None:
    """The marker's row must hold nothing else (were the rows numbered from it wrongly, the first
    row given would be one with cells)."""
    from tests import workbooks as W

    layout = xlsx_pieces._StoredZip({"[Content_Types].xml": W.CONTENT_TYPES, "_rels/.rels": W.RELS,
                                     "xl/workbook.xml": W.WORKBOOK, "xl/_rels/workbook.xml.rels": W.WB_RELS},
                                    "xl/worksheets/sheet1.xml")
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>x%d</t></is></c></row>'
                    % (r, r, r, r, r) for r in range(6, 40))

    def piece(marker: int) -> bytes:
        return layout.build([W.SHEET_HEAD, xlsx_pieces._marker_row(marker), rows, W.SHEET_TAIL])
    good = xlsx_pieces._typed(piece(5), "Sheet1", 5)
    assert good is not None and good.typed is not None and (good.first, good.height) == (6, 34)
    assert good.typed[0].to_pylist()[:2] == [6.0, 7.0] and good.typed[1].to_pylist()[-1] == "x39"
    assert xlsx_pieces._typed(piece(6), "Sheet1", 6) is None  # the marker's row holds cells


_KINDS = {
    "text": st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=10),
    "int": st.integers(-(10**15), 10**15),
    "float": st.one_of(st.floats(-1e25, 1e25, allow_nan=False), st.floats(-1e-5, 1e-5)),
    "date": st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2200, 1, 1)),
    "datetime": st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2200, 1, 1)),
    "bool": st.booleans(),
}


@st.composite
def _typed_sheet(draw: st.DrawFn) -> list[list[Any]]:
    kinds = draw(st.lists(st.sampled_from(sorted(_KINDS)), min_size=1, max_size=6))
    others = st.sampled_from([None, None, None, "#N/A", "=A1", "#DIV/0!"])
    stray = st.one_of(*_KINDS.values())
    cell = [st.one_of(_KINDS[k], _KINDS[k], _KINDS[k], _KINDS[k], others) for k in kinds]
    n = draw(st.integers(20, 150))
    rows = [[f"c{j}" for j in range(len(kinds))]]
    for _ in range(n):
        row = [draw(c) for c in cell]
        if draw(st.integers(0, 60)) == 0:  # now and then a value of another kind
            row[draw(st.integers(0, len(row) - 1))] = draw(stray)
        rows.append(row)
    return rows


@given(rows=_typed_sheet(), gaps=st.sets(st.integers(2, 150), max_size=20),
       chunk_rows=st.sampled_from([1, 7, 50_000]), first=st.sampled_from([300, 900]))
def test_generated_typed_workbooks_read_the_same_in_pieces(rows: list[list[Any]], gaps: set[int],
                                                           chunk_rows: int, first: int) -> None:
    """Workbooks whose columns each hold one kind of value (most pieces load as typed columns),
    with empty cells, errors, formulas, rows the sheet skips and a value of another kind now and
    then, read the same whole and in pieces."""
    _same_whole_and_in_pieces(rows, gaps, chunk_rows, first)


def _sparse_rows(n: int, width: int = 40) -> list[list[Any]]:
    """A wide export: an email, a number and a date in every row, one column of the other 37
    filled in one row in ten, the rest empty."""
    rows: list[list[Any]] = [["Email", "Score", "Since"] + [f"Custom {j}" for j in range(3, width)]]
    for i in range(2, n + 2):
        row: list[Any] = [f"p{i}@example.com", i / 4, dt.date(2024, 1, 1) + dt.timedelta(days=i)]
        row += [None] * (width - 3)
        if i % 10 == 0:
            row[3 + i % (width - 3)] = f"v{i}"
        rows.append(row)
    return rows


@pytest.fixture
def too_sparse(monkeypatch: pytest.MonkeyPatch, small_pieces: list[int]) -> list[int]:
    """Small pieces, and no slack for empty cells: a sheet of 40 columns, three of them full, is
    too sparse for calamine's whole load (``xlsx_scan.whole_safe``)."""
    from validator.readers import xlsx_scan

    monkeypatch.setattr(xlsx_scan, "SPARSE_SLACK", 0)
    monkeypatch.setattr(xlsx_pieces, "SPARSE_SLACK", 0)  # (and no early piece: ``_safe`` fails at once)
    return small_pieces


def _openpyxl_read(data: bytes, chunk_rows: int = 37) -> tuple[Any, ...]:
    notes = ReaderNotes()
    return _everything(XlsxReader(io.BytesIO(data), notes, size=len(data), chunk_rows=chunk_rows,
                                  engine="openpyxl"), notes)


def test_a_sheet_too_sparse_to_load_whole_is_read_in_bounded_pieces(monkeypatch: pytest.MonkeyPatch,
                                                                     too_sparse: list[int]) -> None:
    from validator.readers import xlsx_scan

    data = make_workbook({"sheets": [{"name": "Contacts", "rows": _sparse_rows(300)}]})
    expected = _openpyxl_read(data)
    whole = _whole_loads(monkeypatch)
    notes = ReaderNotes()
    reader = XlsxReader(io.BytesIO(data), notes, size=len(data), chunk_rows=37)
    assert not xlsx_scan.whole_safe(reader.scan.scan) and reader.engine == "calamine"
    assert reader._loader is not None and reader._loader._bound == (40, xlsx_pieces.PIECE_CELLS)
    assert _everything(reader, notes) == expected
    assert len(too_sparse) > 10 and not whole and notes.reader == "calamine"  # never loaded whole
    # without pieces (a small sheet) it is openpyxl's, as before
    monkeypatch.setattr(xlsx_pieces, "MIN_SHEET_BYTES", 1 << 40)
    reader = XlsxReader(io.BytesIO(data), ReaderNotes(), size=len(data), chunk_rows=37)
    assert reader.engine == "openpyxl" and reader._loader is None
    reader.close()


def test_a_sparse_sheet_whose_columns_mix_kinds_stays_in_calamine(monkeypatch: pytest.MonkeyPatch,
                                                                   too_sparse: list[int], loads: list[str]) -> None:
    # a wide export's custom columns holding numbers in some rows and text in others: fastexcel
    # types no piece, python-calamine's values are kept as Sparse columns (only the cells that hold
    # something), and the sheet is read in pieces to its end, as openpyxl reads it
    rows = _sparse_rows(300)
    for i, row in enumerate(rows[1:], start=2):
        row[5] = i * 1.5 if i % 2 else f"x{i}"  # (every piece: a column fastexcel cannot type)
        if i % 7 == 0:
            row[3 + (i * 3) % 37] = [True, dt.date(2020, 1, i % 28 + 1), 7, "seven", 2.25][i % 5]
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": rows}]})
    expected = _openpyxl_read(data)
    whole = _whole_loads(monkeypatch)
    notes = ReaderNotes()
    reader = XlsxReader(io.BytesIO(data), notes, size=len(data), chunk_rows=37)
    assert reader.engine == "calamine" and reader._loader is not None and reader._loader._bound is not None
    assert _everything(reader, notes) == expected
    assert notes.reader == "calamine" and not whole
    assert len(too_sparse) > 10 and loads.count("values") == len(loads) > 10  # (the first piece's: rows)


def test_sparse_columns_give_the_texts_and_kinds_of_the_whole_column() -> None:
    from validator.readers.xlsx_columns import arrow_texts, column_texts

    rows: list[list[Any]] = [["", 7.0, "a", ""], ["", "", True], ["", 2.5, dt.date(2021, 3, 4), ""],
                             ["", "", "", ""], ["", "7", 1e21, ""]]
    columns = xlsx_piece_load._sparse_columns(rows, 2)  # (rows of differing widths, from column C)
    assert len(columns) == 6 and [len(c) for c in columns] == [5] * 6
    assert [type(c).__name__ for c in columns] == ["NullArray", "NullArray", "NullArray", "Sparse", "Sparse",
                                                  "NullArray"]
    full = [[row[c] if c < len(row) else "" for row in rows] for c in range(4)]
    for c in range(4):
        for order in ("mdy", "dmy"):
            texts, kinds = arrow_texts(columns[c + 2], order)
            want_texts, want_kinds = column_texts(full[c], order)
            assert (texts.to_pylist(), kinds.tolist()) == (want_texts.to_pylist(), want_kinds.tolist()), (c, order)
    sparse = columns[3]
    assert sparse.to_pylist() == [7.0, "", 2.5, "", "7"]
    part = sparse.slice(1, 3)
    assert (len(part), part.to_pylist()) == (3, ["", 2.5, ""])
    assert sparse.slice(4).to_pylist() == ["7"] and sparse.slice(3, 10).to_pylist() == ["", "7"]
    assert arrow_texts(part)[0].to_pylist() == ["", "2.5", ""] and arrow_texts(part)[1].tolist() == [0, 2, 0]
    # an empty column's texts and kinds are one pair for every such column of a block: never written to
    empty = arrow_texts(columns[0])
    assert empty[0] is arrow_texts(columns[1])[0] and not empty[1].flags.writeable
    assert (empty[0].to_pylist(), empty[1].tolist()) == ([""] * 5, [0] * 5)


@pytest.mark.parametrize("late", [False, True])
def test_a_piece_past_its_cells_hands_the_sparse_sheet_to_openpyxl(monkeypatch: pytest.MonkeyPatch,
                                                                    too_sparse: list[int], late: bool) -> None:
    # pieces sized for 3 rows of 40 columns cannot be cut so small (64 KB at least): the first past
    # them ends the pieces; sized for 60 rows, they hold until one spans the 600 empty rows before row 902:
    # openpyxl reads on from the row after the last one given, the sheet never loaded whole
    rows = _sparse_rows(300) + ([[None] * 40] * 600 + [["late@example.com", 1] + [None] * 38]) * 2 if late \
        else _sparse_rows(300)
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": rows}]})
    expected = _openpyxl_read(data, chunk_rows=20)
    whole = _whole_loads(monkeypatch)
    monkeypatch.setattr(xlsx_pieces, "PIECE_CELLS", 40 * (60 if late else 3))
    notes = ReaderNotes()
    reader = XlsxReader(io.BytesIO(data), notes, size=len(data), chunk_rows=20)
    assert reader.engine == ("calamine" if late else "openpyxl")  # (the header is read in __init__)
    got = _everything(reader, notes)
    assert got == expected
    assert notes.reader == "openpyxl" and not whole
    assert len(too_sparse) > 3 or not late  # pieces given before the one past its cells


def test_the_cut_bounds_a_piece_by_its_rows_and_the_sheets_columns() -> None:
    rows = b'<row r="7"><c r="A7"><v>1</v></c></row><row r="8" spans="1:2"><c r="B8"><v>1</v></c></row>' \
           b'<row r="20"><c r="C20"><v>1</v></c></row>'
    buf = bytearray(rows)
    # rows 6 (the marker's, above the first cell) to 20: 15 rows
    assert xlsx_piece_cut._bounded(buf, len(buf), (10, 150)) and not xlsx_piece_cut._bounded(buf, len(buf), (10, 149))
    assert not xlsx_piece_cut._bounded(bytearray(b'<row><c r="A1"><v>1</v></c></row>'), 34, (1, 10**9))  # no number
    assert xlsx_piece_cut._bounded(bytearray(b""), 0, (5, 5))


def test_prefetch_reads_a_sparse_sheet_in_pieces_or_leaves_it_to_openpyxl(monkeypatch: pytest.MonkeyPatch,
                                                                        too_sparse: list[int], tmp_path: Any) -> None:
    from validator.readers import xlsx_prefetch

    data = make_workbook({"sheets": [{"name": "Contacts", "rows": _sparse_rows(300)}]})
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(data)
    expected = _openpyxl_read(data)
    whole = _whole_loads(monkeypatch)
    monkeypatch.setattr(xlsx_prefetch, "MIN_BYTES", 0)
    for pieces in (True, False):
        if not pieces:  # no pieces: openpyxl, and calamine never loads the sheet on a thread of its own
            monkeypatch.setattr(xlsx_pieces, "MIN_SHEET_BYTES", 1 << 40)
        assert xlsx_prefetch.start(path)
        with path.open("rb") as fh:
            notes = ReaderNotes()
            reader = XlsxReader(fh, notes, size=len(data), chunk_rows=37, owned=False)
            assert reader._pre is not None and (reader._loader is not None) == pieces
            assert reader._pre.engine == reader.engine == ("calamine" if pieces else "openpyxl")
            assert _everything(reader, notes) == expected
        assert xlsx_prefetch.pending() == 0 and not whole


def test_pieces_as_python_values_end_early_cutting_and_a_sparse_sheets_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    # a piece after the first that loads as Python values (its columns mix kinds) stops the pieces
    # cut while the scan goes (they wait, loaded, an object per cell), and ends a sparse sheet's
    from concurrent.futures import Future

    values, typed = xlsx_pieces.Piece([["a", 1]], 5, 0), xlsx_pieces.Piece([], 5, 0, [object()], 1)
    sparse = xlsx_pieces.Piece([], 5, 0, [object()], 1, values=True)  # (python-calamine's, by column)
    monkeypatch.setattr(xlsx_pieces, "_load", lambda data, name, index, marker=None:
                        values if index < 9 else typed if index < 20 else sparse)
    assert xlsx_pieces._typed_only(b"", "S", 0).rows == [["a", 1]]  # (the first piece is always values)
    assert xlsx_pieces._typed_only(b"", "S", 9) is typed and xlsx_pieces._typed_only(b"", "S", 20) is sparse
    with pytest.raises(xlsx_pieces.PiecesFailed):
        xlsx_pieces._typed_only(b"", "S", 3)
    data = make_workbook({"sheets": [{"name": "Contacts", "rows": _rows(50)}]})
    zf = zipfile.ZipFile(io.BytesIO(data))
    pieces = xlsx_pieces.Pieces(zf, xlsx_pieces.Plan("xl/worksheets/sheet1.xml", "Contacts", None, 300, 1200))
    try:
        done: Future[xlsx_pieces.Piece] = Future()
        pieces._loaded.append(done)
        assert not pieces._as_values()  # still loading
        done.set_result(typed)
        assert not pieces._as_values()
        other: Future[xlsx_pieces.Piece] = Future()
        other.set_result(values if monkeypatch else sparse)
        pieces._loaded.append(other)
        assert pieces._as_values()
        pieces.window(b"<worksheet><sheetData>", (2, 1, 1, 0, 2))
        assert not pieces._early  # no more early pieces
    finally:
        pieces.close()
