"""Blocks of rows, as the cell readers give them, into Chunks (``XlsxReader.chunks``).

A ``RawBlock`` is consecutive rows the sheet has, as column sequences of raw cell values. Each
block is converted to texts and kinds by column (``xlsx_columns``), the byte scan's error cells
and formulas without a cached value are laid over it, and its rows are classified: rows with
data within the header's width are queued as good rows, the rows between two rows with data
become one ``blank`` RowNote, and a row with a cell right of the header a ``ragged`` one. Chunks
are cut from the queue as the rows arrive (``_ChunkBuilder``, a part of ``XlsxReader``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from validator.readers.base import STR, Chunk, Kinds, RowNote, empty_frame
from validator.readers.xlsx_columns import _LARGE, KIND_CODE, KINDS, arrow_texts, column_texts, empty_cells
from validator.readers.xlsx_text import cell_text


@dataclass(slots=True)
class RawBlock:
    """Consecutive rows the sheet has (ascending sheet row numbers; gaps are rows it does not
    have), as column sequences of raw cell values, plus cells right of those columns."""

    rows: np.ndarray
    columns: list[Sequence[Any]]
    extra: list[tuple[int, int, Any]] = field(default_factory=list)  # (position, 0-based column, value)
    typed: list[pa.Array] | None = None  # instead of columns: typed Arrow columns from column A (``arrow_texts``)


@dataclass(slots=True)
class _Piece:
    rows: np.ndarray
    texts: list[pa.Array]
    kinds: list[np.ndarray]


@dataclass(frozen=True, slots=True)
class _Exception:
    """An error cell or formula without a cached value right of the columns a block holds."""

    kind: str
    text: str


def _narrow(block: RawBlock, width: int) -> RawBlock:
    """The block with the cells right of ``width`` moved to ``extra``."""
    extra = list(block.extra)
    for c in range(width, len(block.columns)):
        extra.extend((i, c, v) for i, v in enumerate(block.columns[c]) if v is not None and v != "")
    return RawBlock(block.rows, list(block.columns[:width]), extra)


# a kind code (an index into KINDS) -> its letter's code, as ``Kinds`` holds it (0: empty)
_LETTER = np.array([ord(k) if k else 0 for k in KINDS], dtype=np.uint8)


def _series(arr: pa.Array, index: pd.Index) -> pd.Series:
    return pd.Series(arr, dtype=STR, index=index, copy=False)


class _ChunkBuilder:
    """The part of ``XlsxReader`` that turns blocks into chunks."""

    order: str
    _exc_rows: np.ndarray
    _exceptions: list[tuple[tuple[int, int], tuple[str, str]]]
    _pieces: list[_Piece]
    _good: int
    _pending: list[RowNote]
    _last_data: int
    _last_row: int

    def _exceptions_in(self, low: int, high: int) -> list[tuple[tuple[int, int], tuple[str, str]]]:
        if not len(self._exc_rows):
            return []
        a, b = np.searchsorted(self._exc_rows, [low, high + 1])
        return self._exceptions[int(a):int(b)]
    def _take(self, block: RawBlock, width: int) -> int:
        """Convert one block, classify its rows and queue good rows and notes; returns the records
        it completes (rows with data and the blank rows before them)."""
        n = len(block.rows)
        texts: list[pa.Array] = []
        kinds: list[np.ndarray] = []
        if block.typed is not None:
            for arr in block.typed:
                t, k = arrow_texts(arr, self.order)
                texts.append(t)
                kinds.append(k)
        for col in block.columns:
            t, k = column_texts(col, self.order)
            texts.append(t)
            kinds.append(k)
        for _ in range(len(texts), width):  # columns the block's cells do not reach (a piece of a
            # sheet whose last column holds only formulas there): the scan's exceptions may
            t, k = empty_cells(n)
            texts.append(t)
            kinds.append(k)
        extra_last = np.full(n, -1, dtype=np.int64)
        for pos, c, v in block.extra:
            if cell_text(v, self.order)[1]:
                extra_last[pos] = max(extra_last[pos], c)
        self._apply_exceptions(block, texts, kinds, extra_last)
        last = extra_last
        if kinds:
            filled = np.stack([k != 0 for k in kinds], axis=1)
            inside = np.where(filled.any(axis=1), filled.shape[1] - 1 - np.argmax(filled[:, ::-1], axis=1), -1)
            last = np.maximum(inside, extra_last)
        data = last >= 0
        ragged = last >= width
        good = data & ~ragged
        rows = block.rows
        self._last_row = int(rows[-1])
        data_rows = rows[data]
        records = 0
        notes: list[RowNote] = []
        if len(data_rows):
            before = np.concatenate(([self._last_data], data_rows[:-1]))
            gaps = data_rows - before - 1
            for i in np.flatnonzero(gaps > 0).tolist():
                start = int(before[i]) + 1
                notes.append(RowNote("blank", start, start, int(data_rows[i]) - 1, rows=int(gaps[i])))
            records = int(gaps.sum()) + len(data_rows)
            self._last_data = int(data_rows[-1])
        at = np.flatnonzero(ragged)
        if len(at):  # a ragged row keeps every field (reports of failing rows, HS608), as in a CSV
            outside: dict[int, dict[int, Any]] = {}  # cells right of the columns read as texts
            wanted = set(at.tolist())
            for p, c, v in block.extra:
                if p in wanted:
                    outside.setdefault(p, {})[c] = v
            shown = [texts[c].take(pa.array(at)).to_pylist() for c in range(len(texts))]
            for i, pos in enumerate(at.tolist()):
                row, fields = int(rows[pos]), int(last[pos]) + 1
                cells = [shown[c][i] if c < len(shown) else "" for c in range(fields)]
                for c, v in outside.get(pos, {}).items():
                    if c < fields:
                        cells[c] = v.text if isinstance(v, _Exception) else cell_text(v, self.order)[0]
                notes.append(RowNote("ragged", row, row, row, fields=fields, column=fields,
                                     sample=tuple(t[:100] for t in cells[:3]), cells=tuple(cells)))
        notes.sort(key=lambda note: note.row)
        self._pending.extend(notes)
        if good.any():
            keep = np.flatnonzero(good)
            everything = len(keep) == n
            picked = pa.array(keep)
            columns = [texts[j] if everything else texts[j].take(picked) for j in range(min(width, len(texts)))]
            codes = [kinds[j] if everything else kinds[j][keep] for j in range(min(width, len(kinds)))]
            for _ in range(len(columns), width):  # columns the rows do not reach
                t, k = empty_cells(len(keep))
                columns.append(t)
                codes.append(k)
            self._pieces.append(_Piece(rows[keep], columns, codes))
            self._good += len(keep)
        return records

    def _apply_exceptions(self, block: RawBlock, texts: list[pa.Array], kinds: list[np.ndarray],
                          extra_last: np.ndarray) -> None:
        """Error cells and formulas without a cached value, as the byte scan found them."""
        found = self._exceptions_in(int(block.rows[0]), int(block.rows[-1]))
        if not found:
            return
        per_column: dict[int, list[tuple[int, str, str]]] = {}
        for (r, c), (kind, text) in found:
            pos = int(np.searchsorted(block.rows, r))
            if pos >= len(block.rows) or block.rows[pos] != r:
                continue
            if c - 1 < len(texts):
                per_column.setdefault(c - 1, []).append((pos, kind, text))
            else:
                block.extra.append((pos, c - 1, _Exception(kind, text)))
                extra_last[pos] = max(extra_last[pos], c - 1)
        for j, changes in per_column.items():
            changes.sort()
            mask = np.zeros(len(block.rows), dtype=bool)
            mask[[p for p, _k, _t in changes]] = True
            texts[j] = pc.replace_with_mask(texts[j], pa.array(mask), pa.array([t for _p, _k, t in changes], _LARGE))
            kinds[j] = kinds[j].copy()
            kinds[j][mask] = [KIND_CODE[k] for _p, k, _t in changes]

    def _cut(self, chunk_rows: int, width: int) -> Iterator[Chunk]:
        """Chunks of ``chunk_rows`` good rows (or as many notes), each with the notes before its
        last row, as the rows arrive."""
        while True:
            ends = []
            if self._good >= chunk_rows:
                ends.append(self._good_row(chunk_rows - 1))
            if len(self._pending) >= chunk_rows:
                ends.append(self._pending[chunk_rows - 1].row)
            if not ends:
                return
            end = min(ends)
            goods = sum(int(np.searchsorted(p.rows, end, side="right")) for p in self._pieces)
            notes = sum(1 for note in self._pending if note.row <= end)
            yield self._emit(goods, notes, width)

    def _good_row(self, index: int) -> int:
        for piece in self._pieces:
            if index < len(piece.rows):
                return int(piece.rows[index])
            index -= len(piece.rows)
        raise IndexError(index)

    def _emit(self, goods: int, notes: int, width: int) -> Chunk:
        """A chunk of the first ``goods`` queued good rows and ``notes`` queued notes."""
        taken: list[_Piece] = []
        left = goods
        while left:
            piece = self._pieces[0]
            if len(piece.rows) <= left:
                taken.append(self._pieces.pop(0))
                left -= len(piece.rows)
            else:
                taken.append(_Piece(piece.rows[:left], [t.slice(0, left) for t in piece.texts],
                                    [k[:left] for k in piece.kinds]))
                self._pieces[0] = _Piece(piece.rows[left:], [t.slice(left) for t in piece.texts],
                                         [k[left:] for k in piece.kinds])
                left = 0
        self._good -= goods
        chunk_notes, self._pending = tuple(self._pending[:notes]), self._pending[notes:]
        if not taken:
            return Chunk(empty_frame(width), np.empty(0, dtype=np.int64), chunk_notes,
                         kinds=Kinds([np.zeros(0, np.uint8)] * width, pd.RangeIndex(0)))
        rows = np.concatenate([p.rows for p in taken])
        index = pd.Index(rows)
        frame = pd.DataFrame({j: _series(pa.concat_arrays([p.texts[j] for p in taken]), index)
                              for j in range(width)}, copy=False)
        kinds = Kinds([_LETTER[np.concatenate([p.kinds[j] for p in taken])] for j in range(width)], index)
        if not width:
            frame.index = index
        return Chunk(frame, rows.copy(), chunk_notes, kinds=kinds)
