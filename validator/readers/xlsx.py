"""The spreadsheet path: one worksheet of an .xlsx, behind the pre-checks of ``xlsx_scan``.

Produces the same Chunks as the CSV reader (all-string frame, positional columns, index = the
sheet's row number, ``lines`` = the same row numbers) plus ``kinds``, a frame of one-letter cell
kinds, so rules can tell a number cell from text that looks like one.

Cells become text once, by the rule ``xlsx_text`` states (README "Cells to text"); kinds:
``s`` text, ``n`` number, ``d`` date/datetime, ``t`` time/duration, ``b`` boolean, ``e`` error,
``f`` formula without a cached value, empty string for an empty cell. The conversion runs by
column, not by cell (``xlsx_columns``).

Rows the sheet does not have (a sparse sheet: ``<row r="2">`` then ``<row r="900000">``) are
never materialised: the rows between two rows with data become one ``blank`` RowNote whose
``rows`` says how many there are, and a cell far to the right of the header makes its row a
``ragged`` note without widening any other row.

A cell is on the row its reference names, on both readers (openpyxl's reader numbered a row
element's cells by the element, and gave a row written in two elements as two rows: the openpyxl
rows are regrouped, ``xlsx_openpyxl._by_reference``). Rows placed after higher ones are refused before either
reader (``xlsx_order.rows_out_of_order``): calamine sorted them in, a streaming reader takes them
as written, and a finding's row would depend on which of the two HubSpot's import is.

Reader choice (measured, see README and ``bench/xlsx_readers.py``): python-calamine when it is
installed and the pre-scan has bounded the sheet's dense size (and the sheet is not mostly
empty: calamine materialises every row and column of the used range); otherwise openpyxl in
read-only mode with defusedxml, which streams the rows the sheet has in constant memory. A
large sheet that is mostly empty goes to calamine in pieces of bounded rows x columns
(``xlsx_pieces.PIECE_CELLS``), never whole: openpyxl reads on where the pieces end
(``TooSparse``).

``XlsxReader`` is put together from these modules, and every name of theirs other code uses is
importable from here as well: ``xlsx_calamine`` and ``xlsx_openpyxl`` (the two engines, each
giving the sheet's rows in ``RawBlock``s), ``xlsx_blocks`` (blocks into chunks: texts, kinds,
blank and ragged rows), ``xlsx_columns`` and ``xlsx_text`` (cells to text).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import numpy as np

from validator.readers import xlsx_pieces
from validator.readers.base import (
    Chunk,
    Header,
    ReaderNotes,
    Refused,
    RowNote,
    collector_paused,
    warnings_ignored,
)
from validator.readers.xlsx_blocks import RawBlock, _ChunkBuilder, _narrow, _Piece
from validator.readers.xlsx_calamine import TooSparse, _CalamineEngine, _no_python_value, _Rows, _Typed
from validator.readers.xlsx_columns import KIND_CODE, KINDS, arrow_texts, column_texts  # noqa: F401 (re-exported)
from validator.readers.xlsx_explain import explain_failure
from validator.readers.xlsx_openpyxl import _OpenpyxlEngine, _unsized  # noqa: F401 (_unsized: re-exported)
from validator.readers.xlsx_prefetch import Prefetched, take
from validator.readers.xlsx_scan import (
    WorkbookScan,
    calamine_available,  # noqa: F401 (part of this module's API)
    choose_engine,
    open_zip,
    scan_workbook,
)
from validator.readers.xlsx_text import (  # noqa: F401 (re-exported: part of this module's API)
    DATE_ORDERS,
    DATE_PATTERNS,
    cell_text,
    format_date,
    format_integer,
    format_number,
    format_time,
)

BLOCK_CELLS = 250_000  # cells converted at once (rows x columns of a block)
CHUNK_CELLS = 2_000_000  # a chunk of a very wide sheet holds fewer rows than ``chunk_rows``
# (4,000,000 before: a 90,000-row export of 500 columns, mostly empty, peaked at ~480 MiB, now ~390)


class XlsxReader(_CalamineEngine, _OpenpyxlEngine, _ChunkBuilder):
    """Reads the checked worksheet of one workbook into Chunks."""

    def _start_rows(self, blocks: Any, expected_columns: int | None, has_header: bool) -> None:
        """Ready to give out the sheet's rows from ``blocks`` (its cells' exceptions kept, the
        header row read where there is one)."""
        exceptions = sorted(self.scan.scan.exceptions.items())
        self._exc_rows = np.array([r for (r, _c), _v in exceptions], dtype=np.int64)
        self._exceptions = exceptions
        self._next_block = blocks
        self._header: Header | None = None
        self._width = expected_columns or 0
        self._first: RawBlock | None = None
        if has_header:
            self._read_header()
        self.notes.empty = not self.scan.scan.has_values

    def _settings(self, stream: IO[bytes], notes: ReaderNotes, kind: str, *, has_header: bool, chunk_rows: int,
                  date_format: str | None, owned: bool) -> None:
        """What every workbook reader (``.xlsx``, ``.xls``) keeps of its arguments."""
        self.stream = stream
        self.owned = owned  # a caller's stream is never closed
        self.notes = notes
        self.chunk_rows = max(1, chunk_rows)
        self.order = DATE_ORDERS.get(date_format or "", "mdy")
        self.has_header = has_header
        notes.kind = notes.encoding = kind
        notes.delimiter = ""

    def __init__(self, stream: IO[bytes], notes: ReaderNotes, *, size: int | None, has_header: bool = True,
                 expected_columns: int | None = None, chunk_rows: int = 50_000,
                 date_format: str | None = None, engine: str | None = None, owned: bool = True):
        self._settings(stream, notes, "xlsx", has_header=has_header, chunk_rows=chunk_rows,
                       date_format=date_format, owned=owned)
        # the command line may have run the pre-checks and calamine's load already (xlsx_prefetch)
        self._pre: Prefetched | None = take(stream) if engine is None else None
        self._speculation: xlsx_pieces.Speculation | None = None  # pieces cut during the pre-checks
        self.scan: WorkbookScan
        if self._pre is not None and self._pre.refused is not None:
            raise self._pre.refused
        if self._pre is not None:
            assert self._pre.zf is not None
            self.zf, self.scan = self._pre.zf, self._pre.scan
        else:
            self.zf = open_zip(stream, size)
            self._speculation = xlsx_pieces.Speculation(self.zf)
            try:
                self.scan = scan_workbook(self.zf, early=self._speculation.sink)
            except BaseException:
                self._speculation.close()
                self.zf.close()
                raise
        self._handle: Any = None
        self._source: Any = None
        self._loader: xlsx_pieces.Pieces | None = None  # the sheet's pieces being loaded, if so
        self._now: _Rows | _Typed | None = None  # the rows being given out
        self._given = 0  # the sheet row of the last row given out
        try:
            notes.extra["workbook"] = self.scan
            notes.bytes = size or 0
            chosen = self.scan.chosen
            if chosen is None:
                raise Refused("the workbook has no worksheet (only chart sheets or other parts; "
                              "HubSpot: INVALID_SPREADSHEET)", "not-a-workbook")
            notes.sheet = chosen.name
            pieces = self._pre.pieces is not None if self._pre is not None else \
                self._speculation is not None and self._speculation.offers(chosen.name)
            self.engine = choose_engine(self.scan.scan, engine, pieces=pieces)
            notes.reader = self.engine
            self._start_rows(self._open_rows(), expected_columns, has_header)
        except BaseException:  # nothing opened here outlives a failed start (the caller closes the stream)
            self._release()
            raise

    # -- engines ---------------------------------------------------------------------------
    def _open_rows(self) -> Any:
        name = self.notes.sheet or ""
        if self.engine != "calamine" and self._speculation is not None:
            self._speculation.close()  # pieces cut for calamine: not wanted
            self._speculation = None
        try:
            if self.engine == "calamine":
                return self._calamine(name)
            return self._openpyxl(name)
        except Refused:
            raise
        except Exception as exc:  # the libraries raise many unrelated types on bad input
            if self.engine == "calamine" and _no_python_value(exc):
                self._to_openpyxl()
                return self._open_rows()
            raise self._unreadable(exc) from None
    def _block(self, limit: int, header: bool = False) -> RawBlock | None:
        try:  # a block is a list (calamine) or dicts (openpyxl) per row and cell: no cycles
            with warnings_ignored(), collector_paused(limit):
                block: RawBlock | None = self._next_block(limit, header)
        except Refused:
            raise
        except BaseException as exc:
            if self.engine == "calamine" and (_no_python_value(exc) or isinstance(exc, TooSparse)):
                return self._on_openpyxl(limit, header)
            if not isinstance(exc, Exception):
                raise
            raise self._unreadable(exc) from None
        if block is not None:
            self._given = int(block.rows[-1])
        return block

    def _on_openpyxl(self, limit: int, header: bool) -> RawBlock | None:
        """calamine cannot give a cell as a Python value (``_no_python_value``; openpyxl reads such
        a cell as the number), or the pieces of a sheet too sparse to load whole ended
        (``TooSparse``): openpyxl reads the sheet on from the row after the last one given."""
        given = self._given
        self._to_openpyxl()
        self._next_block = self._open_rows()
        while (block := self._block(limit, header)) is not None:
            keep = int(np.searchsorted(block.rows, given, side="right"))
            if keep < len(block.rows):
                return RawBlock(block.rows[keep:], [col[keep:] for col in block.columns],
                                [(p - keep, c, v) for p, c, v in block.extra if p >= keep])
        return None

    def _to_openpyxl(self) -> None:
        """Leave calamine (its pieces, its workbook) for openpyxl."""
        if self._loader is not None:
            self._loader.close()
            self._loader = None
        self._now = None
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self.engine = self.notes.reader = "openpyxl"

    def _unreadable(self, exc: Exception) -> Refused:
        """The refusal for a reader's failure: the malformed part or the cell at fault when a
        bounded look after the failure finds it (``xlsx_explain``), else the reader's message."""
        chosen = self.scan.chosen
        found = explain_failure(self.zf, chosen.part, chosen.name) if chosen and chosen.part else None
        return found or Refused(f"the workbook cannot be read ({type(exc).__name__}: {exc}; "
                                "HubSpot: INVALID_SPREADSHEET)", "bad-workbook")

    # -- header and chunks -------------------------------------------------------------------
    @property
    def header(self) -> Header | None:
        return self._header

    @property
    def width(self) -> int:
        return self._width

    def close(self) -> None:
        try:
            self._release()
        finally:
            if self.owned:
                self.stream.close()

    def _release(self) -> None:
        try:
            if self._source is not None:
                self._source.close()
            if self._speculation is not None:
                self._speculation.close()
            if self._loader is not None:
                self._loader.close()
            self._now = None
            if self._handle is not None:
                self._handle.close()
        finally:
            self.zf.close()
            if self._pre is not None:
                self._pre.close()

    def _read_header(self) -> None:
        block = self._block(1, header=True)
        if block is None:
            return
        if block.typed is not None:  # (a first piece without values: the header came in the next)
            block = RawBlock(block.rows, [a.to_pylist() for a in block.typed], block.extra)
        texts: list[str] = []
        extent = 0  # columns through the header's last cell with a value, blank text included (HS433)
        if int(block.rows[0]) != 1:  # the sheet's first row is below row 1: the header row is empty
            self._first = _narrow(block, 0)
        else:  # one walk over the header row's cells gives both
            cells = self._row_cells(block, 0)
            texts = [cells[c][0] if c in cells else "" for c in range(max(cells, default=-1) + 1)]
            extent = max((c + 1 for c, (_text, kind) in cells.items() if kind), default=0)
        self.notes.extra["header_extent"] = extent
        while texts and not texts[-1]:  # empty trailing cells are no columns; a blank name (" ") is one
            texts.pop()
        self._header = Header(tuple(texts), 1, 1, 1)
        self._width = len(texts)

    def _row_cells(self, block: RawBlock, pos: int) -> dict[int, tuple[str, str]]:
        """(text, kind) of each cell of one row of a block (the header), by 0-based column (the
        kind is empty where the cell holds no value: a styled cell, which openpyxl gives as None,
        or a cell calamine's used range holds and the sheet does not, which it gives as "")."""
        row = int(block.rows[pos])
        cells: dict[int, tuple[str, str]] = {}
        for c, col in enumerate(block.columns):
            cells[c] = cell_text(col[pos], self.order)
        for p, c, v in block.extra:
            if p == pos:
                cells[c] = cell_text(v, self.order)
        for (_r, c), (kind, text) in self._exceptions_in(row, row):
            cells[c - 1] = (text, kind)
        return cells
    def chunks(self) -> Iterator[Chunk]:
        self._pieces: list[_Piece] = []
        self._good = 0
        self._pending: list[RowNote] = []
        self._last_data = 1 if self.has_header else 0  # the last row with data (the header's, at first)
        self._last_row = self._last_data
        records = 0
        width = self._width
        chunk_rows = max(1, min(self.chunk_rows, CHUNK_CELLS // max(width, 1)))
        # calamine gives every row the used range's full width: a block holds that many cells a row.
        # Blocks are sized by cells alone, not by the chunk's rows: chunks are cut from them as
        # the rows arrive, and a sheet whose used range reaches row 1,048,576 in a few cells
        # must not be converted a handful of rows at a time (3-row chunks made a 2 KB workbook
        # take 50 s: 350,000 blocks of empty rows)
        dense = self.scan.scan.max_col if self.engine == "calamine" else 0
        limit = max(1, BLOCK_CELLS // max(width, dense, 1))
        pending, self._first = self._first, None
        while True:
            block = pending if pending is not None else self._block(limit)
            pending = None
            if block is None:
                break
            records += self._take(block, width)
            yield from self._cut(chunk_rows, width)
        self.notes.records = records
        self.notes.extra["trailing_blank_rows"] = self._last_row - self._last_data
        if self._good or self._pending:
            yield self._emit(self._good, len(self._pending), width)
