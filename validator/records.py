"""Rows behind findings: their cells (kept while reading) and a stable record key.

A record key names a record the way a person would, so that accepting a finding (a baseline)
survives re-sorting the file: ``id:<Record ID>`` when the file has a record-ID column,
``email:<address>`` when it has an email column, else ``row:<hash of the row's cells>``.
Only rows that have findings are kept (at most ``max_per_rule`` per rule and file, also while
a baseline is written: its entries take each finding's key as the finding is made, from the
chunk at hand), so memory stays bounded however large the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

from validator.context import Column, FileContext
from validator.findings import Finding
from validator.readers.base import Chunk

ID_TYPES = ("HUBSPOT_OBJECT_ID",)
ID_PROPERTIES = ("hs_object_id",)
ID_HEADERS = ("record id", "hs_object_id")
EMAIL_PROPERTIES = ("email",)
EMAIL_HEADERS = ("email", "e-mail", "email address")


def capture(chunk: Chunk, rows: Iterable[int] | None, store: dict[int, tuple[str, ...]]) -> None:
    """Copy the cells of ``rows`` found in this chunk into ``store`` (row -> cells).

    A ragged record keeps every field it has; a record the csv module could not parse at all
    (a broken quote) keeps what the reader saw of it, often nothing.
    """
    wanted = set(rows or ())
    if not wanted:
        return
    frame = chunk.frame
    present = frame.index.intersection(sorted(wanted))
    if len(present):
        at = frame.index.get_indexer(present)
        # by column (a column empty throughout the chunk holds "" in every row: a wide export's
        # many); rows read one by one as tuples cost ~1 us a cell (0.6 s of a 40,000-row export
        # of 500 columns whose every row has a finding)
        columns = [_cells_at(chunk.column(i), at) if chunk.filled(i) else [""] * len(at)
                   for i in range(frame.shape[1])]
        rows_cells = zip(*columns, strict=True) if columns else [()] * len(present)
        store.update((int(row), cells) for row, cells in zip(present, rows_cells, strict=True))
    for note in chunk.notes:
        if note.row in wanted and note.row not in store:
            store[note.row] = tuple(note.cells or note.sample)


def _cells_at(values: pd.Series, at: np.ndarray) -> list[str]:
    """The cells of a column at positions ``at`` (ascending) as text. An Arrow column's are taken
    piece by piece, each piece's positions at once (a run of them sliced: a take copies the cells
    into Arrow's memory first, which it keeps for its next arrays, beside the text kept here):
    pandas' ``take`` joins all the column's pieces first (~10 ms a chunk of the 28-column bench
    file, for one row), and reading cells one by one costs ~1 us each (0.13 s a chunk of 256 rows
    with findings in a 500-column file)."""
    data = getattr(values.array, "_pa_array", None)
    if not isinstance(data, pa.ChunkedArray):
        return [str(v) for v in values.iloc[at].tolist()]
    cells: list[str | None] = []
    pieces = data.chunks
    starts = np.cumsum([0] + [len(piece) for piece in pieces])
    bounds = np.searchsorted(at, starts)
    for k, piece in enumerate(pieces):
        a, b = int(bounds[k]), int(bounds[k + 1])
        if b > a:
            first, last = int(at[a]) - int(starts[k]), int(at[b - 1]) - int(starts[k])
            cells += (piece.slice(first, last - first + 1) if last - first + 1 == b - a
                      else piece.take(pa.array(at[a:b] - starts[k]))).to_pylist()
    return ["<NA>" if v is None else str(v) for v in cells]  # (a missing value as pandas writes it)


def key_columns(file: FileContext) -> tuple[tuple[str, int], ...]:
    """(kind, column index) of the columns that identify a record, best first."""
    found: list[tuple[int, str, int]] = []
    for c in file.columns:
        kind = _kind(c)
        if kind is not None:
            found.append((0 if kind == "id" else 1, kind, c.index))
    return tuple((kind, index) for _rank, kind, index in sorted(found))


def _kind(c: Column) -> str | None:
    spec = c.spec
    if spec is None and not c.name:  # an unmapped column without a header text (a wide blank header)
        return None
    prop = (spec.property_name or "").lower() if spec is not None else ""
    label = (c.name or "").strip().lower()
    if spec is not None and (spec.column_type in ID_TYPES or prop in ID_PROPERTIES):
        return "id"
    if label in ID_HEADERS:
        return "id"
    if prop in EMAIL_PROPERTIES or label in EMAIL_HEADERS:
        return "email"
    return None


def record_key(cells: tuple[str, ...] | None, keys: tuple[tuple[str, int], ...]) -> str | None:
    """The stable key of a record from its cells, or None when the cells are unknown."""
    if cells is None:
        return None
    for kind, index in keys:
        if index < len(cells) and cells[index].strip():
            value = cells[index].strip()
            return f"{kind}:{value.lower() if kind == 'email' else value}"
    return "row:" + content_hash(cells)


def content_hash(cells: Iterable[str]) -> str:
    joined = "\x1f".join(cells).encode("utf-8", "surrogatepass")
    return hashlib.sha256(joined).hexdigest()[:16]


def finding_key(f: Finding, cells: tuple[str, ...] | None, keys: tuple[tuple[str, int], ...],
                first: int = 2) -> str:
    """A key for any finding: the record key for findings on data rows (from row ``first``: 1 in
    a file without a header row), else where it points."""
    if f.key:
        return f.key
    if f.row is not None and f.row >= first:
        return row_key(f.row, cells, keys)
    if f.pointer is not None:
        return f"pointer:{f.pointer}"
    if f.row == 1 or f.column is not None:
        return f"column:{f.column_name if f.column_name is not None else f.column}"
    return "file"


def row_key(row: int, cells: tuple[str, ...] | None, keys: tuple[tuple[str, int], ...]) -> str:
    """The key of a finding at data row ``row`` that brings no key of its own."""
    if cells is not None and not any(c.strip() for c in cells):
        # no content to key it by (a blank row, a quote never closed): its place, so that an
        # entry accepts this finding only, not every blank row or lost record of the file
        return f"row:{row}"
    return record_key(cells, keys) or f"row:{row}"


class RowSource:
    """The cells and record keys of one file's rows as the report will find them (``capture``
    then ``finding_key``): a row of the chunk being checked from that chunk, any other from the
    cells kept so far. For a baseline, which must know a finding's key before the per-rule cap."""

    def __init__(self, chunk: Chunk | None, kept: Mapping[int, tuple[str, ...]],
                 keys: tuple[tuple[str, int], ...], first: int = 2):
        self.chunk = chunk
        self.kept = kept
        self.columns = keys
        self.first = first  # the file's first data row (1 without a header row)

    def cells(self, rows: Iterable[int]) -> dict[int, tuple[str, ...]]:
        wanted = list(rows)
        out: dict[int, tuple[str, ...]] = {}
        if self.chunk is not None and wanted:
            capture(self.chunk, wanted, out)
        out.update({r: self.kept[r] for r in wanted if r not in out and r in self.kept})
        return out

    def keys(self, rows: list[int]) -> list[str]:
        """``row_key`` of each of ``rows`` (data rows); where a key column has the value, read
        from that column alone (a column wrong on every row is keyed without copying its rows)."""
        out: dict[int, str] = {}
        if self.chunk is not None and self.columns and rows:
            frame = self.chunk.frame
            at = frame.index.get_indexer(rows)
            pending = np.flatnonzero(at >= 0)
            for kind, index in self.columns:
                if not len(pending) or index >= frame.shape[1]:
                    continue
                still = []
                for j, v in zip(pending.tolist(), frame.iloc[at[pending], index].tolist(), strict=True):
                    value = str(v).strip()
                    if value:  # as record_key: the first key column with a value
                        out[rows[j]] = f"{kind}:{value.lower() if kind == 'email' else value}"
                    else:
                        still.append(j)
                pending = np.asarray(still, dtype=np.intp)
        rest = [r for r in rows if r not in out]
        cells = self.cells(rest) if rest else {}
        out.update({r: row_key(r, cells.get(r), self.columns) for r in rest})
        return [out[r] for r in rows]


def keys_read(chunk: Chunk, file: FileContext, rows: list[int]) -> list[str]:
    """The record keys of data rows ``rows`` that ``chunk`` holds, as a baseline keys a finding
    there while the chunk is checked (``RowSource.keys``; a row it does not hold, by its place).
    For a rule that reports a row at its file's end, after its chunk has gone (HS117, HS419):
    the finding brings this key, so that --write-baseline, a baseline check and the report key
    it alike, by its record, whatever other findings its row has. Without it, each took the
    record's key only where the row had another finding (the writer: any; a check: one listed
    or accepted), else the row's place. The rows' cells are kept too (``file.read_cells``), for
    the formats that show them (csv, hubspot): without them such a row was shown blank."""
    capture(chunk, rows, file.read_cells)
    return RowSource(chunk, {}, key_columns(file)).keys(rows)


def stamp_keys(findings: list[Finding], records: Mapping[str, Mapping[int, tuple[str, ...]]],
               keys: Mapping[str, tuple[tuple[str, int], ...]], firsts: Mapping[str, int]) -> list[Finding]:
    """``findings`` with their keys (``finding_key``); ``firsts``: each file's first data row."""
    from dataclasses import replace

    out = []
    for f in findings:
        name = f.file or ""
        cells = records.get(name, {}).get(f.row) if f.row is not None else None
        key = finding_key(f, cells, keys.get(name, ()), firsts.get(name, 2))
        out.append(f if f.key == key else replace(f, key=key))
    return out
