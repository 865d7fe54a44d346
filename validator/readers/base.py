"""Shapes every reader produces: Header, Chunk, row notes and file-level notes.

Readers record structure (field counts, physical lines, encoding events); rules decide what is
wrong. A Chunk is an all-string DataFrame with positional columns 0..n-1 (duplicate headers
cannot break lookups) and the spreadsheet row number as index (header = row 1).
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import threading
import warnings
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa

from validator.readers.errors import Refused as Refused  # re-exported: readers raise it from here

STR = "str"  # pandas' string dtype (pyarrow-backed in pandas >= 3)
MAX_EVENTS = 1000  # byte-level events kept per kind per file; the rest are counted
TEXT_KEEP = 200  # characters of raw record text or of a value a note keeps


class Shared:
    """A process-wide change (a warnings filter, a library's method) held while any thread needs
    it: made by the first thread in, undone by the last one out. Two threads each saving and
    restoring it themselves (``warnings.catch_warnings``) leave one thread's change in place for
    good when their times overlap."""

    def __init__(self, make: Callable[[], Any], undo: Callable[[Any], None]):
        self._make, self._undo = make, undo
        self._lock = threading.Lock()
        self._holders = 0
        self._saved: Any = None
        _ALL_SHARED.add(self)

    def _forked(self) -> None:
        """In a child forked while another thread held the change (a pipeline's worker forked as
        a check in another thread read a workbook): that thread is not in the child, so nobody
        would undo it, and a lock it held would never be let go. Undone here, lock new."""
        self._lock = threading.Lock()
        if self._holders:
            self._holders = 0
            with contextlib.suppress(Exception):
                self._undo(self._saved)
            self._saved = None

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if not self._holders:
                self._saved = self._make()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if not self._holders:
                    self._undo(self._saved)
                    self._saved = None


# the modules whose warnings a reader silences: the spreadsheet libraries' and this package's
# (a warning of pandas or numpy called from here is this package's: it names the line that called)
QUIET_MODULES = re.compile(r"(?:openpyxl|xlrd|defusedxml|et_xmlfile|python_calamine|validator)(?:\.|$)")


_ALL_SHARED: weakref.WeakSet[Shared] = weakref.WeakSet()


def _after_fork() -> None:
    for shared in list(_ALL_SHARED):
        shared._forked()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def _warnings_off() -> Any:
    """One filter in front of the others, ignoring the warnings of ``QUIET_MODULES`` only: the
    caller's other threads go on warning as they were set to meanwhile."""
    entry = ("ignore", None, Warning, QUIET_MODULES, 0)
    filters: Any = warnings.filters  # (a list; typeshed says Sequence)
    filters.insert(0, entry)
    _filters_changed()
    return filters, entry


def _warnings_on(saved: Any) -> None:
    """Take out that one filter, and nothing else: a filter another thread added meanwhile, or its
    ``warnings.showwarning`` (``logging.captureWarnings``), stays (saving the filters and putting
    them back, as ``warnings.catch_warnings`` does, undid them). Taken out of the list it went in
    and of the one in place now, where another thread's ``catch_warnings`` put a copy."""
    filters, entry = saved
    now: Any = warnings.filters
    for held in {id(filters): filters, id(now): now}.values():
        with contextlib.suppress(ValueError):
            held.remove(entry)
    _filters_changed()


def _filters_changed() -> None:
    """Tell ``warnings`` its filters changed (the places that warned once are forgotten)."""
    changed = getattr(warnings, "_filters_mutated", None)
    if callable(changed):
        changed()


# library warnings ("no default style" and the like: nothing a user can act on) silenced while
# any reader needs it
warnings_ignored = Shared(_warnings_off, _warnings_on)


def pause_collector() -> bool:
    """Turn the cycle collector off while a reader makes many container objects, none in a cycle
    (records as lists, notes of ragged rows, a workbook's rows): each collection would walk all
    of them still held, and a full one everything else too. True where this call turned it off
    (the caller turns it back on: ``gc.enable()``); False where it was off already."""
    if not gc.isenabled():
        return False
    gc.disable()
    return True


# fields a reader reads with the cycle collector off, at most, before it is on again for a
# record (``FieldPause``): about 60 ms of the exact reader's time (2,500 records of 13 columns)
PAUSE_FIELDS = 32_768


class FieldPause:
    """``pause_collector`` while a reader makes records, on again for one record after each
    ``PAUSE_FIELDS`` fields (``count``): the collector is the whole process's, and a pipeline's
    other threads went up to 2 s at a time without it (a chunk of 50,000 records; a segment of
    ragged ones). ``release()`` turns it on where this pause turned it off (``hold()`` pauses it
    again); one that found it off leaves it off throughout."""

    __slots__ = ("fields", "ours", "paused")

    def __init__(self, pause: bool = True):
        self.paused = pause and pause_collector()
        self.ours = self.paused  # (it was on, and this pause turned it off)
        self.fields = 0

    def count(self, fields: int) -> None:
        """After a record of ``fields`` fields: off again where it was on for the one before, on
        once the fields read since it went off reach ``PAUSE_FIELDS``."""
        if not self.paused:
            if not self.ours:
                return
            self.paused = pause_collector()
            if not self.paused:  # (turned off meanwhile by another: theirs to turn on)
                self.ours = False
                return
        self.fields += max(1, fields)
        if self.fields >= PAUSE_FIELDS:
            self.release()

    def release(self) -> None:
        if self.paused:
            gc.enable()
            self.paused = False
        self.fields = 0

    def hold(self) -> None:
        if self.ours and not self.paused:
            self.paused = pause_collector()
            self.ours = self.paused

    def __enter__(self) -> FieldPause:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@contextlib.contextmanager
def collector_paused(objects: int) -> Iterator[None]:
    """``pause_collector`` for a block of ``objects`` containers made at once, back on as it was
    after. Fewer than 1,000: left on."""
    paused = objects >= 1000 and pause_collector()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def note_limit(chunk_rows: int) -> int:
    """RowNotes a CSV chunk holds at most: a fifth of its rows (a ragged row's note keeps all its
    cells and weighs several rows; a file whose every row is ragged stays within the memory of
    a clean one). Both CSV readers cut chunks by it, so they cut in the same places."""
    return max(1, chunk_rows // 5)


def add_note(notes: list[RowNote], note: RowNote) -> None:
    """Append ``note``, or lengthen the blank run it continues: a blank row of the same fields
    right after a run of blank one-line rows becomes one note for the run (``rows``), so a
    million blank lines are one note, not a million. Both CSV readers add notes this way, so
    they hold the same notes and cut chunks in the same places."""
    last = notes[-1] if notes else None
    if (last is not None and note.kind == "blank" == last.kind and note.fields == last.fields
            and note.row == last.row + last.rows and note.line == last.end_line + 1
            and note.end_line - note.line + 1 == note.rows and last.end_line - last.line + 1 == last.rows):
        notes[-1] = RowNote("blank", last.row, last.line, note.end_line, fields=last.fields, rows=last.rows + note.rows)
    else:
        notes.append(note)


def cut_note(note: RowNote, row: int) -> tuple[RowNote, RowNote | None]:
    """A note through ``row`` and the rest of its run after it (None: it ends there). A chunk
    cut inside a run keeps the rows up to the cut; the rest start the next chunk's notes, as a
    reader reading line by line starts a new run after it emits a chunk."""
    if note.row + note.rows - 1 <= row:
        return note, None
    head = row - note.row + 1  # a run's rows are one line each (add_note)
    return (RowNote("blank", note.row, note.line, note.line + head - 1, fields=note.fields, rows=head),
            RowNote("blank", row + 1, note.line + head, note.end_line, fields=note.fields, rows=note.rows - head))


@dataclass(frozen=True, slots=True)
class Header:
    cells: tuple[str, ...]  # as read, BOM removed (notes.bom says it was there)
    row: int  # 1
    line: int
    end_line: int
    # the header record's own problem (a bad quote, a quote never closed, a field too long), which
    # the row-structure rules report at row 1; with no cells, the header could not be read at all
    note: RowNote | None = None


@dataclass(frozen=True, slots=True)
class RowNote:
    """A record the reader could not turn into a full-width row.

    kind: ragged (fields != width) | blank (no fields or only whitespace) |
          unclosed-quote | bad-quote | field-too-large
    """

    kind: str
    row: int
    line: int
    end_line: int
    fields: int = 0
    column: int | None = None  # 1-based, where the reader could tell
    detail: str = ""
    lines_lost: int = 0
    sample: tuple[str, ...] = ()  # the first few fields, for messages
    # every field of a ragged record, as read; a bad-quote record's read the lenient way (what
    # Excel shows): for reports of failing rows, and the record's key (baselines, fingerprints)
    cells: tuple[str, ...] = ()
    rows: int = 1  # consecutive rows the note stands for (a run of rows a sparse sheet does not have)
    # bad-quote: the raw text of the field in error, from its start through the character after
    # the quote the csv module rejected (the last TEXT_KEEP characters when longer)
    text: str = ""
    # bad-quote, field-too-large: the line breaks inside its quoted values, by kind (CRLF, LF, CR),
    # read the lenient way; its values are in no chunk's cells, and these breaks end no record (HS406)
    breaks: tuple[int, int, int] = (0, 0, 0)


# hashes each value of Arrow binary or string pieces (validator.keys.record_hasher); None: it
# cannot (and never will in this run)
RecordHasher = Callable[[list[pa.Array]], "np.ndarray | None"]


class Kinds:
    """A workbook chunk's cell kinds, one byte a cell: each column's kinds as a uint8 array of the
    kind's letter's code (``ord("n")``; 0 for an empty cell), in the chunk's row order.

    Kept as bytes, not as a frame of one-letter texts: 9 bytes a cell in Arrow (offsets and the
    letter) made half of a wide sheet's chunk (2 million cells) and a pandas Series a column to
    build each chunk. ``codes(i)`` is what rules use (``checks.typed.kind_codes``); the
    frame-like reads (``[i]``, ``iat``, ``iloc``, ``values``, ``shape``) give the letters, as the
    frame did."""

    __slots__ = ("_codes", "index")

    def __init__(self, codes: Sequence[np.ndarray], index: pd.Index):
        self._codes = list(codes)
        self.index = index

    def codes(self, column: int) -> np.ndarray:
        """Column ``column``'s kinds as letter codes (uint8; 0 for an empty cell)."""
        return self._codes[column]

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.index), len(self._codes)

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, column: int) -> pd.Series:
        return pd.Series(_letters(self._codes[column]), index=self.index, dtype=object)

    @property
    def values(self) -> np.ndarray:
        """The kinds' letters as a rows x columns object array."""
        out = np.empty(self.shape, dtype=object)
        for c, codes in enumerate(self._codes):
            out[:, c] = _letters(codes)
        return out

    @property
    def iat(self) -> _KindAt:
        return _KindAt(self)

    @property
    def iloc(self) -> _KindRow:
        return _KindRow(self)

    @staticmethod
    def of_letters(columns: Sequence[Sequence[str]], index: pd.Index) -> Kinds:
        """Kinds from each column's letters (``""`` for an empty cell)."""
        return Kinds([np.array([ord(k) if k else 0 for k in column], dtype=np.uint8) for column in columns], index)

    @staticmethod
    def joined(parts: Sequence[Kinds]) -> Kinds:
        """Consecutive chunks' kinds as one."""
        width = parts[0].shape[1] if parts else 0
        return Kinds([np.concatenate([p.codes(c) for p in parts]) for c in range(width)],
                     pd.Index(np.concatenate([p.index.to_numpy() for p in parts])))


def _letters(codes: np.ndarray) -> list[str]:
    return [chr(c) if c else "" for c in codes.tolist()]


class _KindAt:
    __slots__ = ("kinds",)

    def __init__(self, kinds: Kinds):
        self.kinds = kinds

    def __getitem__(self, at: tuple[Any, Any]) -> str:
        code = int(self.kinds.codes(int(at[1]))[int(at[0])])
        return chr(code) if code else ""


class _KindRow:
    __slots__ = ("kinds",)

    def __init__(self, kinds: Kinds):
        self.kinds = kinds

    def __getitem__(self, row: int) -> pd.Series:
        width = self.kinds.shape[1]
        return pd.Series([self.kinds.iat[row, c] for c in range(width)], dtype=object)


@dataclass(frozen=True, slots=True, eq=False)
class Chunk:
    frame: pd.DataFrame  # str cells, columns 0..width-1, index = spreadsheet rows
    lines: np.ndarray  # physical start line of each frame row (CSV); equals rows for XLSX
    notes: tuple[RowNote, ...] = ()
    # spreadsheets only: one-letter cell kinds, same shape and index as ``frame`` (``Kinds``:
    # s text, n number, d date, t time, b boolean, e error, f formula without value, "" empty)
    kinds: Kinds | None = None
    # facts several rules need, computed once per chunk (``checks.typed.cached``)
    memo: dict = field(default_factory=dict, compare=False, repr=False)
    # the cells' UTF-8 bytes (lone surrogates passed through: ``surrogatepass``) of columns
    # stored in Python, where the reader has them at hand: column -> Arrow binary arrays
    cell_bytes: dict = field(default_factory=dict, compare=False, repr=False)
    # the fast CSV reader's hash of each frame row written as a CSV record (readers.written),
    # and which rows have one (rows the exact reader read have none): for rules that hash rows
    record_hashes: tuple[np.ndarray, np.ndarray] | None = field(default=None, compare=False, repr=False)
    # CSV: the file's byte offset where the chunk's last record ends (its line end included), for
    # the progress bar: the readers read megabytes ahead of the rows checked. 0: not known
    end: int = 0

    @property
    def rows(self) -> np.ndarray:
        return self.frame.index.to_numpy()

    def column(self, index: int) -> pd.Series:
        """The frame's column ``index``, made once per chunk (``frame[index]`` makes a new Series
        at each call: ~9 us, thousands of calls per file)."""
        key = ("column", index)
        got = self.memo.get(key)
        if got is None:
            got = self.memo[key] = self.frame[index]
        return got

    @property
    def empty_columns(self) -> frozenset[int]:
        """The columns that hold nothing in this chunk: every cell ``""``, no null, and (a
        workbook) no cell of any kind, such as a formula without a value, which reads as ``""``.
        Rules over the values of cells pass over them (``checks.base.with_values``): a wide
        export's hundreds of unused properties cost them ~0.4 ms a column and chunk before.
        Worked out once per chunk, an Arrow column from its offsets."""
        key = ("empty-columns",)
        got = self.memo.get(key)
        if got is None:
            kinds = self.kinds
            got = self.memo[key] = frozenset(
                i for i in range(self.frame.shape[1])
                if not _holds_text(self.column(i))
                and not (kinds is not None and i < kinds.shape[1] and bool(kinds.codes(i).any())))
        return got

    def filled(self, index: int) -> bool:
        """Whether column ``index`` holds anything in this chunk (``empty_columns``)."""
        return index not in self.empty_columns

    def __len__(self) -> int:
        return len(self.frame)


def _holds_text(values: pd.Series) -> bool:
    """Whether a column holds a cell other than ``""`` (a null counts: what it holds is unknown)."""
    from validator.readers.text import bytes_and_offsets  # (which imports this module)

    data = getattr(values.array, "_pa_array", None)
    if isinstance(data, pa.ChunkedArray) and (pa.types.is_large_string(data.type) or pa.types.is_string(data.type)):
        return bool(data.null_count) or any(len(bytes_and_offsets(arr)[0]) for arr in data.chunks)
    cells = values.to_numpy(dtype=object)
    # (a column stored in Python holds an undecodable byte somewhere: its first cell mostly tells)
    return bool(len(cells)) and (not isinstance(cells[0], str) or cells[0] != "" or not bool((cells == "").all()))


@dataclass(frozen=True, slots=True)
class DecodeEvent:
    offset: int  # absolute byte offset of the first bad byte
    line: int
    column: int  # 1-based character position in the physical line
    bytes: bytes
    # an ASCII letter stands right before or after the byte in its line (`Ren\xe9e`): the byte is
    # part of a Latin word, where a Cyrillic word in Windows-1251 is all such bytes (HS403)
    by_letter: bool = False


@dataclass(frozen=True, slots=True)
class StrayQuote:
    """A quote inside an unquoted field (``An"n``), which the csv module keeps as text."""

    row: int
    line: int  # physical line the quote is on
    column: int  # 1-based field
    value: str  # the field as read (its first TEXT_KEEP characters)


@dataclass(slots=True)
class ReaderNotes:
    """What a reader saw of a file as a whole. Filled while reading; complete at file end."""

    kind: str = "csv"
    encoding: str = "utf-8"
    bom: bool = False
    delimiter: str = ","
    delimiter_counts: dict[str, int] = field(default_factory=dict)
    # the same counts of the physical line under the header record (the real header under
    # Excel's `sep=` line: HS108); empty where the file has no header row or nothing under it
    next_line_counts: dict[str, int] = field(default_factory=dict)
    # where line 1 holds no delimiter, a title above the header the mappings name: the physical
    # line the delimiter was taken from (that header's) and its counts there (TitleLook); 1 and
    # {} where it was taken from line 1
    delimiter_line: int = 1
    delimiter_line_counts: dict[str, int] = field(default_factory=dict)
    quotechar: str = '"'
    bytes: int = 0
    lines: int = 0
    records: int = 0  # data records including blank and malformed ones
    line_endings: dict[str, int] = field(default_factory=lambda: {"\r\n": 0, "\n": 0, "\r": 0})
    # the physical line (1-based) each kind of line end first ends (quoted ones included, as above)
    first_endings: dict[str, int] = field(default_factory=dict)
    final_newline: bool = True
    decode_events: list[DecodeEvent] = field(default_factory=list)
    decode_errors: int = 0
    stray_quotes: list[StrayQuote] = field(default_factory=list)  # the first MAX_EVENTS
    stray_quote_count: int = 0  # fields with a stray quote, all of them
    empty: bool = False
    sheet: str | None = None
    reader: str = "exact"
    extra: dict[str, object] = field(default_factory=dict)  # reader-specific facts


@dataclass(frozen=True)
class TitleLook:
    """How a CSV reader finds the delimiter of a file whose line 1 holds none outside quotes (and
    is no Excel `sep=` line): from the first of the next ``rows`` records that holds one, where
    that record is the header the mappings name below a title (``header(line 1's cells, the
    record's cells)``; ``context.title_above``: HS608's test, as far down as its ``rows``). Row 1
    stays the header, as HubSpot reads it; the rows are split into their real columns."""

    rows: int
    header: Callable[[Sequence[str], Sequence[str]], bool]


class Reader(Protocol):
    notes: ReaderNotes

    @property
    def header(self) -> Header | None: ...

    @property
    def width(self) -> int: ...

    def chunks(self) -> Iterator[Chunk]: ...

    def close(self) -> None: ...


def string_frame(columns: Sequence[Sequence[str]], rows: Sequence[int]) -> pd.DataFrame:
    """Build an all-string frame from column-major cells without type inference."""
    data = {i: _string_series(col) for i, col in enumerate(columns)}
    frame = pd.DataFrame(data, copy=False)
    frame.index = pd.Index(np.asarray(rows, dtype=np.int64))
    return frame


# Undecodable bytes are kept as lone surrogates (surrogateescape) so that no byte is lost;
# Arrow cannot hold those, so such a column keeps the same ``str`` semantics in Python storage.
PY_STR = pd.StringDtype("python", na_value=np.nan)


def _string_series(col: Sequence[str]) -> pd.Series:
    try:
        return pd.Series(pa.array(col, type=pa.large_string()), dtype=STR, copy=False)
    except UnicodeEncodeError:
        return pd.Series(list(col), dtype=PY_STR)


def empty_frame(width: int) -> pd.DataFrame:
    return string_frame([[] for _ in range(width)], [])


def last_row(chunk: Chunk) -> int:
    """The last row a chunk holds, in its frame or its notes (a note may stand for a run of rows);
    0 for none."""
    return max([*(int(r) for r in chunk.rows[-1:]), *(n.row + n.rows - 1 for n in chunk.notes)], default=0)


def joined(chunks: Sequence[Chunk]) -> Chunk:
    """Consecutive chunks of one file as one, as a reader with more rows per chunk would have
    made it: each column in Arrow, or in Python where a chunk holds it so (a lone surrogate);
    the cells' bytes (``cell_bytes``) of a column where every chunk has them; the reader's row
    hashes where the first chunk has them (rows of a chunk without any have none)."""
    if len(chunks) == 1:
        return chunks[0]
    frames = [c.frame for c in chunks]
    index = pd.Index(np.concatenate([f.index.to_numpy(dtype=np.int64) for f in frames]))
    columns: dict[Any, pd.Series] = {}
    for i in frames[0].columns:
        parts = [f[i] for f in frames]
        if all(p.dtype == parts[0].dtype for p in parts):
            columns[i] = pd.concat(parts, ignore_index=True)
        else:
            columns[i] = _string_series([v for p in parts for v in p.tolist()])
    if columns:
        frame = pd.DataFrame(columns, copy=False)
        frame.index = index
    else:
        frame = pd.DataFrame(index=index)
    lines = (np.concatenate([c.lines for c in chunks]) if all(len(c.lines) == len(c.frame) for c in chunks)
             else np.empty(0, dtype=np.int64))
    kinds = None
    if all(c.kinds is not None for c in chunks):
        kinds = Kinds.joined([c.kinds for c in chunks if c.kinds is not None])
    cell_bytes = {i: [a for c in chunks for a in c.cell_bytes[i]] for i in chunks[0].cell_bytes
                  if all(i in c.cell_bytes for c in chunks) and frame[i].dtype == PY_STR}
    hashes = None
    if chunks[0].record_hashes is not None:
        given = [c.record_hashes or (np.zeros(len(c), np.uint64), np.zeros(len(c), bool)) for c in chunks]
        hashes = (np.concatenate([h[0] for h in given]), np.concatenate([h[1] for h in given]))
    return Chunk(frame, lines, tuple(n for c in chunks for n in c.notes), kinds=kinds, cell_bytes=cell_bytes,
                 record_hashes=hashes, end=chunks[-1].end)


# characters of the cells below row 1 that the look for the header under a title (HS608) reads
# down at most, as a reader's chunk holds about CHUNK_BYTES (readers.dispatch): a row is looked at
# where the rows above it, from row 2, hold fewer (``look_end``), so that the chunks joined for it
# (``reaching``) hold no more than these and one chunk, whatever the chunk size
LOOK_CHARS = 16 << 20


def _chars(values: pd.Series) -> np.ndarray:
    """The characters of each cell of a column (0 for one that is no text)."""
    try:
        lengths = values.str.len()
    except AttributeError:  # (a column of no strings at all)
        return np.zeros(len(values), np.int64)
    return lengths.fillna(0).to_numpy(dtype=np.int64)


def row_chars(chunk: Chunk, last: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(rows, the characters of their cells) of the rows of ``chunk`` (as far as row ``last``),
    its frame's and those its notes stand for (a ragged row's cells as read), in row order."""
    frame = chunk.frame
    k = len(frame) if last is None else int(np.searchsorted(frame.index.to_numpy(), last, side="right"))
    head = frame.iloc[:k]  # (a slice: no copy)
    sizes = np.zeros(k, np.int64)
    for c in head.columns:
        sizes += _chars(head[c])
    noted = [n for n in chunk.notes if last is None or n.row <= last]
    rows = np.concatenate([head.index.to_numpy(dtype=np.int64), np.asarray([n.row for n in noted], np.int64)])
    sizes = np.concatenate([sizes, np.asarray([sum(len(c) for c in n.cells or n.sample) for n in noted], np.int64)])
    order = np.argsort(rows, kind="stable")
    return rows[order], sizes[order]


def look_end(chunk: Chunk, last: int, chars: int) -> int:
    """The last row a look down the file's first ``chunk`` (from row 2) reaches: ``last``, or the
    row before the first one whose rows above it hold ``chars`` characters or more."""
    rows, sizes = row_chars(chunk, last)
    over = np.flatnonzero(np.cumsum(sizes) - sizes >= chars)
    return int(rows[over[0]]) - 1 if len(over) else last


def reaching(chunks: Iterator[Chunk], row: int, chars: int | None = None) -> Iterator[Chunk]:
    """``chunks``, the first ones joined into one that reaches ``row`` (where the file has it), or,
    with ``chars``, that holds that many characters of cells (then no row after them is within
    the look's ``chars``: ``look_end``): what a rule looks for in the file's first chunk is there
    whatever the reader's chunk size. An error the reader raises before that row comes after the
    rows read (as it would have, after their chunks)."""
    held: list[Chunk] = []
    size = 0
    try:
        for chunk in chunks:
            held.append(chunk)
            if last_row(chunk) >= row:
                break
            if chars is not None:
                size += int(row_chars(chunk)[1].sum())
                if size >= chars:
                    break
    except Exception:
        if held:
            yield joined(held)
        raise
    if held:
        yield joined(held)
    yield from chunks
