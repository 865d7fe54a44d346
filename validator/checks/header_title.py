"""A title or preamble above the header (HS608): lines HubSpot reads as the header row, the
column names the mappings use further down. The findings they cause in other rules (HS101,
HS103, HS110, HS113) are told apart by ``title_header``, so that they name the cause once
instead of on every column and row, as for Excel's `sep=` line (``header_sep``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from validator.checks.base import TITLE_WANTED, Hit, Rule, quote
from validator.checks.header_sep import reports_sep_line
from validator.checks.typed import cached
from validator.context import TITLE_ROWS, FileContext, holds_names, normalise_name
from validator.context import mapped_names as names_of
from validator.readers.base import LOOK_CHARS, Chunk, look_end
from validator.readers.written import written_text

TITLE_CODE = "HS608"
TITLE_ROWS_KEY = ("title-rows",)  # HS608's `rows` as configured, kept in FileContext.parsed at its header


@dataclass(frozen=True)
class TitleHeader:
    """Where the header the mappings name is, below a title on row 1."""

    row: int
    line: int | None
    width: int  # its fields: the width rows below it are judged against
    title: str  # row 1 as the file spells it (a workbook's: its cells with text, joined by ", ")
    blank: bool  # row 1 holds nothing (a blank line, not a title)
    cells: tuple[str, ...] = ()  # its cells as read (HS408 counts the commas in them)
    parts: tuple[str, ...] = ()  # a workbook's: row 1's cells with text, each named in ``said``

    def said(self) -> str:
        """Row 1 named: `row 1 looks like a title ('Notes:')` (a workbook's of several cells:
        `('Contact', 'Stats')`) or `row 1 is blank`."""
        if self.blank:
            return "row 1 is blank"
        return f"row 1 looks like a title ({', '.join(quote(p) for p in self.parts or (self.title,))})"

    def where(self) -> str:
        """The real header's place: `row 4`, or `row 4 (line 5)` where a quoted value spans lines above it."""
        return f"row {self.row}" + (f" (line {self.line})" if self.line is not None and self.line != self.row else "")


def mapped_names(file: FileContext) -> set[str]:
    return names_of(file.spec.columns)


def title_wanted(file: FileContext) -> set[str]:
    """The mapped names to look for below row 1, where row 1 may be a title: a header row none of
    whose cells is a mapped name (and not Excel's `sep=` line, HS108's); else empty. Made once a
    file for the rules that ask (a wide header is read cell by cell)."""
    key = TITLE_WANTED
    if key not in file.parsed:
        wanted: set[str] = set()
        if file.header is not None and file.spec.has_header and not reports_sep_line(file):
            mapped = mapped_names(file)
            if mapped and not any(normalise_name(h) in mapped for h in file.header.cells):
                wanted = mapped
        file.parsed[key] = wanted
    return set(file.parsed[key])


def find_title_header(file: FileContext, chunk: Chunk, wanted: set[str], limit: int) -> TitleHeader | None:
    """The first row up to ``limit`` + 1 of the file's first chunk (which reaches that row where the
    file has it: ``title_look_row``) holding at least half the mapped names ``wanted``, read as the
    header the mappings name."""
    header = file.header
    if header is None or not wanted:
        return None
    for row, line, width, values in rows_down_to(file, chunk, limit + 1, LOOK_CHARS):
        if holds_names(values, wanted):
            notes = file.notes  # as the file writes it; a workbook's cells that hold text, each
            # named (run together, two cells read as one word: 'ContactStats')
            parts = () if notes.kind == "csv" else tuple(c for c in header.cells if c.strip())
            title = written_text(header.cells, notes.delimiter) if notes.kind == "csv" else ", ".join(parts)
            return TitleHeader(row, line, width, title,
                               not any(c.strip() for c in header.cells),
                               tuple(v for v in values if isinstance(v, str)), parts)
    return None


def rows_down_to(file: FileContext, chunk: Chunk, last: int,
                 chars: int | None = None) -> list[tuple[int, int | None, int, list[Any]]]:
    """The rows of ``chunk`` up to row ``last``, in order, each as (row, line, fields, cells): those
    in its frame and those its notes stand for (ragged rows: their cells as read, or a sample).
    With ``chars``, the file's first chunk looked down from row 2 only as far as the rows above a
    row hold fewer characters (``look_end``: the same rows whatever the chunk size)."""
    if chars is not None:
        last = look_end(chunk, last, chars)
    rows: list[tuple[int, int | None, int, list[Any]]] = [
        (n.row, n.line, n.fields, list(n.cells or n.sample)) for n in chunk.notes if n.row <= last]
    head = chunk.frame.iloc[: int(np.searchsorted(chunk.frame.index.to_numpy(), last, side="right"))]
    lines = chunk.lines[: len(head)] if len(chunk.lines) == len(chunk.frame) else [None] * len(head)
    cells = [head[c].tolist() for c in head.columns]
    for i, (row, line) in enumerate(zip(head.index, lines, strict=True)):
        rows.append((int(row), None if line is None else int(line), file.width, [col[i] for col in cells]))
    return sorted(rows, key=lambda r: r[0])


def title_rows(file: FileContext, rows: int) -> None:
    """HS608's ``rows`` option for this file (its ``on_header``), which ``title_header`` looks down
    as far as: the rules that say a title's consequences once find the header HS608 names."""
    file.parsed[TITLE_ROWS_KEY] = rows


def title_look_row(file: FileContext) -> int:
    """The last row ``title_header`` looks at for the header the mappings name (HS608's ``rows``
    below row 1), after every rule's ``on_header``; 0 where it looks at none (HS608 does not
    report in the file, or row 1 holds a mapped name). The engine joins a file's first chunks
    into one that reaches it, so that what is found does not depend on the chunk size."""
    if not file.reports(TITLE_CODE) or not title_wanted(file):
        return 0
    return int(file.parsed.get(TITLE_ROWS_KEY, TITLE_ROWS)) + 1


def title_header(file: FileContext, chunk: Chunk) -> TitleHeader | None:
    """Where the header the mappings name is, in the file's first chunk, when HS608 reports a title
    above it in this file (with HS608 turned off, None: each rule reports as before), looked for as
    far down as HS608's ``rows`` (``title_rows``; its default where HS608 has not said), which that
    chunk reaches whatever the chunk size (``title_look_row``). Made once a
    file, at the first chunk a rule asks about (the rules that ask, ask there: a file's chunks are
    checked one after the other, each after every rule's ``on_header``), and the same for its
    later chunks."""
    if not file.reports(TITLE_CODE):
        return None
    key = ("title-header",)
    if key not in file.parsed:
        rows = int(file.parsed.get(TITLE_ROWS_KEY, TITLE_ROWS))
        file.parsed[key] = cached(chunk, key, lambda: find_title_header(file, chunk, title_wanted(file), rows))
    found: TitleHeader | None = file.parsed[key]
    return found


class HeldUnderTitle(Rule):
    """A header rule whose findings wait for the file's first chunk where row 1 may be a title
    that HS608 reports: there it says what the title causes once (``under_title``), else it gives
    its findings as before (on a file without rows, at the file's end)."""

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.held: list[Hit] | None = None

    def header_findings(self, file: FileContext) -> Iterable[Hit]:
        raise NotImplementedError

    def under_title(self, file: FileContext, found: TitleHeader, held: list[Hit]) -> Iterable[Hit]:
        raise NotImplementedError

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.held = None
        hits = self.header_findings(file)
        if file.reports(TITLE_CODE) and title_wanted(file):
            self.held = list(hits)
            return
        yield from hits

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        held, self.held = self.held, None
        if held:
            found = title_header(file, chunk)
            yield from held if found is None else self.under_title(file, found, held)

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        held, self.held = self.held, None
        yield from held or ()
