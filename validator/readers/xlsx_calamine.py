"""The python-calamine engine of ``XlsxReader``: a sheet's rows in blocks, whole or in pieces.

calamine reads the whole sheet (``_Rows.whole``), or, for a large one, the pieces ``xlsx_pieces``
loads while the rows of earlier ones are checked (``_piecewise``): as Python values (``_Rows``)
or as typed Arrow columns (``_Typed``). python-calamine is imported only when a sheet is opened.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from validator.readers import xlsx_pieces
from validator.readers.xlsx_blocks import RawBlock
from validator.readers.xlsx_container import MAX_ROWS
from validator.readers.xlsx_scan import whole_safe

if TYPE_CHECKING:
    from validator.readers.xlsx_prefetch import Prefetched
    from validator.readers.xlsx_scan import WorkbookScan


class TooSparse(Exception):
    """The pieces of a sheet too sparse for calamine to load whole ended (``xlsx_scan.whole_safe``):
    the reader reads on with openpyxl."""


class _CalamineEngine:
    """The part of ``XlsxReader`` that reads with python-calamine."""

    stream: IO[bytes]
    scan: WorkbookScan
    _pre: Prefetched | None
    _speculation: xlsx_pieces.Speculation | None
    _handle: Any
    _loader: xlsx_pieces.Pieces | None
    _now: _Rows | _Typed | None

    if TYPE_CHECKING:
        def _exceptions_in(self, low: int, high: int) -> list[tuple[tuple[int, int], tuple[str, str]]]: ...
        def _to_openpyxl(self) -> None: ...
        def _openpyxl(self, name: str) -> Any: ...

    def _calamine(self, name: str) -> Any:
        pre = self._pre
        mine = pre is not None and pre.scan.chosen is not None and pre.scan.chosen.name == name
        if mine and pre is not None and pre.pieces is not None:
            self._loader, pre.pieces = pre.pieces, None
        elif mine and pre is not None and pre.sheet is not None:
            self._handle, sheet = pre.handle, pre.sheet
            pre.handle = pre.sheet = None
            return self._calamine_rows(sheet)
        else:
            spec, self._speculation = self._speculation, None
            scan = self.scan.scan
            bound = None if whole_safe(scan) else (scan.max_col, scan.max_row)
            self._loader = spec.adopt(name, "calamine", scan.ordered, bound) if spec is not None else None
            if self._loader is None:
                return self._whole(name)
        return self._piecewise(self._loader, name)

    def _whole(self, name: str) -> Any:
        """Blocks of the whole sheet's rows, loaded by calamine; openpyxl's where the sheet is too
        sparse for that (its pieces were not to be had)."""
        if not whole_safe(self.scan.scan):
            self._to_openpyxl()
            return self._openpyxl(name)
        return self._calamine_rows(self._calamine_sheet(name))

    def _calamine_sheet(self, name: str) -> Any:
        from python_calamine import CalamineWorkbook

        self.stream.seek(0)
        self._handle = CalamineWorkbook.from_filelike(self.stream)
        return self._handle.get_sheet_by_name(name)

    def _calamine_rows(self, sheet: Any) -> Any:
        """Blocks of the whole sheet's rows, then those below them that hold only cells calamine
        keeps no value of (``_exception_rows``)."""
        rows = _Rows.whole(sheet)
        given = [0]  # the last sheet row given out

        def block(limit: int, header: bool = False) -> RawBlock | None:
            got = rows.block(limit) or self._exception_rows(given[0] + 1, MAX_ROWS, limit)
            if got is not None:
                given[0] = int(got.rows[-1])
            return got
        return block

    def _piecewise(self, pieces: xlsx_pieces.Pieces, name: str) -> Any:
        """Blocks of the rows of the sheet's pieces (``xlsx_pieces``), in order. A piece's rows are
        given out only once the next piece is loaded and starts below them: a row across pieces
        (a ``<row>`` repeated, its cells in two pieces; the whole sheet's load joins them: rows
        placed after higher ones are refused by the pre-scan), or a piece calamine refuses, end
        the pieces, and the whole sheet is loaded and read from the row after the last one given."""
        given = [0]  # the last sheet row given out
        ahead: list[xlsx_pieces.Piece | None] = []  # the piece after the current one, once loaded

        def tail(limit: int) -> RawBlock | None:
            """The rows below the last one calamine gave that hold only cells it keeps no value of."""
            got = self._exception_rows(given[0] + 1, MAX_ROWS, limit)
            if got is not None:
                given[0] = int(got.rows[-1])
            return got

        def following() -> xlsx_pieces.Piece | None:
            if ahead:
                return ahead.pop()
            return pieces.next()

        def block(limit: int, header: bool = False) -> RawBlock | None:
            while True:
                rows = self._now
                if rows is not None:
                    got = None
                    if rows.piece is not None and rows.next > given[0] + 1:  # a piece not begun
                        got = self._exception_rows(given[0] + 1, rows.next - 1, limit)
                    got = got or rows.block(limit)
                    if got is not None:
                        given[0] = int(got.rows[-1])
                        return got
                    self._now = None
                    if rows.piece is None:  # the whole sheet, after the pieces ended: all given
                        return tail(limit)
                try:
                    piece = following()
                    if piece is None:
                        return tail(limit)
                    after = pieces.next()
                    ahead.append(after)
                    end = piece.first + piece.count - 1 if piece.count else given[0]
                    if after is not None and after.count and after.first <= max(end, given[0]):
                        raise xlsx_pieces.PiecesFailed("rows out of order across pieces")
                except xlsx_pieces.PiecesFailed as exc:
                    ahead.clear()
                    pieces.close()
                    if not whole_safe(self.scan.scan):
                        raise TooSparse(str(exc)) from exc
                    sheet = self._calamine_sheet(name)
                    whole = _Rows.whole(sheet)
                    whole.skip(given[0])
                    self._now = whole
                    continue
                self._now = (_Typed(piece) if piece.typed is not None
                             else _Rows(iter(piece.rows), piece.first, piece.col0, piece))
                piece.rows, piece.typed = [], None
        return block

    def _exception_rows(self, low: int, high: int, limit: int) -> RawBlock | None:
        """Rows between two pieces, or below the sheet's last row calamine gives, that hold only
        error cells or formulas without a cached value (no value calamine keeps, so no piece has
        them, and the whole sheet's load ends above them; between its rows, it gives them as empty
        rows, which the byte scan's exceptions then fill): the first ``limit`` of them."""
        found = self._exceptions_in(low, high)
        if not found:
            return None
        rows = sorted({r for (r, _c), _v in found})[:limit]
        width = max(c for (r, c), _v in found if r <= rows[-1])
        return RawBlock(np.asarray(rows, dtype=np.int64), [(None,) * len(rows)] * width)


class _Rows:
    """Rows of calamine values, numbered from ``first``, whose first value is in column ``col0``
    (0-based), given out in blocks; ``piece`` is the loaded piece they come from, if any."""

    __slots__ = ("col0", "next", "piece", "rows")

    def __init__(self, rows: Iterator[list[Any]], first: int, col0: int, piece: Any = None):
        self.rows = rows
        self.next = first
        self.col0 = col0
        self.piece = piece

    @classmethod
    def whole(cls, sheet: Any) -> _Rows:
        """A whole sheet's rows: python-calamine 0.9 pads rows from row 1 but columns only from the
        first used one."""
        start = sheet.start
        return cls(sheet.iter_rows(), 1, start[1] if start is not None else 0)

    def skip(self, upto: int) -> None:
        """Pass over the rows up to sheet row ``upto``."""
        if upto >= self.next:
            for _ in itertools.islice(self.rows, upto - self.next + 1):
                pass
            self.next = upto + 1

    def block(self, limit: int) -> RawBlock | None:
        got = list(itertools.islice(self.rows, limit))
        if not got:
            return None
        numbers = np.arange(self.next, self.next + len(got), dtype=np.int64)
        self.next += len(got)
        widths = set(map(len, got))
        columns: list[Sequence[Any]] = list(
            zip(*got, strict=True) if len(widths) == 1 else itertools.zip_longest(*got))
        if self.col0:
            columns = [(None,) * len(got)] * self.col0 + columns
        return RawBlock(numbers, columns)


class _Typed:
    """The rows of a piece loaded as typed columns, numbered from its first, given out in blocks."""

    __slots__ = ("arrays", "at", "piece")

    def __init__(self, piece: Any):
        self.arrays: list[pa.Array] = piece.typed
        self.at = 0  # rows given out
        self.piece = piece

    @property
    def next(self) -> int:
        """The sheet row of the next row to give out."""
        return int(self.piece.first) + self.at

    def block(self, limit: int) -> RawBlock | None:
        n = min(limit, self.piece.height - self.at)
        if n <= 0:
            return None
        numbers = np.arange(self.next, self.next + n, dtype=np.int64)
        typed = [a.slice(self.at, n) for a in self.arrays]
        self.at += n
        return RawBlock(numbers, [], typed=typed)


def _no_python_value(exc: BaseException) -> bool:
    """Whether calamine failed to give a cell as a Python value where openpyxl reads it: a Rust
    panic (python-calamine 0.9 panics on a date-formatted number below about -1.07e11 days, past
    chrono's durations), which pyo3 raises as ``PanicException``, a BaseException; OverflowError
    (a duration-formatted number past Python's ``timedelta``); or an error value it does not know
    (Excel 365's ``#SPILL!``, ``#CALC!``, ``#GETTING_DATA``...: it refuses the whole sheet), or a
    cell typed a number (``t="n"``) whose text is no number it parses (`` 12 ``, ``1_000``: it
    refuses the whole sheet; without the type it reads such a cell as its text, as openpyxl does)."""
    return (isinstance(exc, OverflowError) or type(exc).__name__ == "PanicException"
            or str(exc).startswith(("Unsupported cell error value", "Parse float error")))
