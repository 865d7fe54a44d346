"""What rules see: the import as a whole, and each file once its header is known."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from validator.catalog import Catalog
from validator.findings import JsonText
from validator.readers.base import Header, ReaderNotes
from validator.readers.sniff import Sniff
from validator.request import ColumnSpec, FileSpec, ImportSpec

INVISIBLE = frozenset("\ufeff\u200b\u200c\u200d\u2060\u00ad\u00a0\u202f\u2007")
TITLE_ROWS = 10  # HS608's default `rows`: how far down the header the mappings name is looked for


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a file: its position, header text, and the mapping bound to it."""

    index: int  # 0-based position in the file
    name: str | None  # header text as read (None when hasHeader is false)
    spec: ColumnSpec | None
    match: str | None = None  # how the mapping was bound: exact | normalised | position

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def label(self) -> str | None:
        """What findings call the column: the header, else the mapping's columnName."""
        if self.name is not None:
            return self.name
        return self.spec.column_name if self.spec else None


@dataclass(frozen=True, slots=True)
class FileLookup:
    """How a files[] entry was matched to something on disk (or not).

    problem: None | missing | not-regular | outside | unreadable
    """

    file_name: str
    path: Path | None
    how: str  # request-dir | option | argument | object
    problem: str | None = None
    detail: str = ""
    stream: Any = None  # a binary file object given by a library caller
    near: str | None = None  # the name on disk, when it matched only after NFC and case-folding


@dataclass(eq=False)
class FileContext:
    spec: FileSpec
    name: str
    lookup: FileLookup
    sniff: Sniff | None = None
    notes: ReaderNotes = field(default_factory=ReaderNotes)
    header: Header | None = None
    columns: tuple[Column, ...] = ()
    width: int = 0
    rows: int = 0  # data rows put into chunks so far (full-width rows)
    readable: bool = False  # a reader produced rows for this file
    unreadable: str | None = None  # why not, when not
    sheet: str | None = None
    rank: int = 0
    # key sets shared by the rules that key a column the same way (validator.keys.first_seen)
    key_sets: dict[tuple[int, str], Any] = field(default_factory=dict)
    # values parsed so far, by (kind, column, ...): each distinct text once per file (typed.dates)
    parsed: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    # whether a rule's findings in this file reach the report: the rule is active and no
    # per-file-ignore turns it off here (the engine's answer; every rule, where none is given).
    # A rule that leaves a finding to another rule asks it, so that the finding is not lost.
    reports: Callable[[str], bool] = field(default=lambda _code: True, repr=False)
    # the cells of data rows a rule reports at the file's end, after their chunk has gone (HS117,
    # HS419: ``records.keys_read``), kept as the rows are read: the engine gives them to the report
    read_cells: dict[int, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def column(self, index: int) -> Column:
        return self.columns[index]

    def mapped(self, *column_types: str) -> list[Column]:
        """Columns bound to a (not ignored) mapping, optionally of the given columnTypes."""
        return [
            c for c in self.columns
            if c.spec is not None and not c.spec.ignored
            and (not column_types or c.spec.column_type in column_types)
        ]

    def imported(self) -> list[Column]:
        """Columns whose values HubSpot imports: all but those mapped `"ignored": true`, whose
        values it reads past (a column no mapping names counts: HS101 reports it)."""
        return [c for c in self.columns if c.spec is None or not c.spec.ignored]


@dataclass(eq=False)
class ImportContext:
    spec: ImportSpec
    catalog: Catalog
    request_path: Path | None
    lookups: Mapping[str, FileLookup]  # by fileName
    files: list[FileContext] = field(default_factory=list)
    options: Mapping[str, Any] = field(default_factory=dict)
    # HS608's rows: how far below a title the CSV readers look for the delimiter of a file whose
    # line 1 holds none (readers.base.TitleLook), as far as the rules look for the header
    title_rows: int = TITLE_ROWS

    @property
    def source(self) -> str:
        return self.spec.source


def header_name(column_name: str | None) -> str | None:
    """A mapping's ``columnName`` as a header cell can hold it; None where none can: a name
    holding a lone surrogate escaped in the request JSON (``JsonText``: ``"Na\\udc80me"``).
    Python keeps an undecodable byte of the file (0x80) as that same character, but it is a
    byte, which no JSON escape names: HubSpot matches no such header cell."""
    return None if isinstance(column_name, JsonText) else column_name


def mapped_names(columns: Sequence[ColumnSpec]) -> set[str]:
    """The columnNames of ``columns`` that a header cell can hold, normalised (``normalise_name``)."""
    return {normalise_name(name) for c in columns if (name := header_name(c.column_name)) is not None}


def holds_names(values: Iterable[object], wanted: set[str]) -> bool:
    """A row holds the header the mappings name: at least half the mapped names ``wanted`` (one at
    least) are among its cells (``values``; those that are no text are passed over)."""
    found = {normalise_name(v) for v in values if isinstance(v, str)}
    return bool(wanted & found) and 2 * len(wanted & found) >= len(wanted)


def title_above(wanted: set[str], first: Sequence[str], cells: Sequence[str]) -> bool:
    """Row 1 (``first``) is a title above a header row (``cells``) the mappings name: none of its
    cells is a mapped name, and ``cells`` holds at least half of them (``wanted``)."""
    return not any(normalise_name(c) in wanted for c in first) and holds_names(cells, wanted)


def normalise_name(text: str) -> str:
    """Compare header texts the forgiving way: NFKC, no invisibles, trimmed, case-folded."""
    if text.isascii():  # NFKC leaves ASCII as it is, no invisible is ASCII, and casefold is lower there
        return " ".join(text.split()).lower()
    return _normalised(text)


def _normalised(text: str) -> str:
    """``normalise_name`` of any text, step by step."""
    cleaned = "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch not in INVISIBLE)
    return " ".join(cleaned.split()).casefold()


def bind_columns(header: Sequence[str] | None, width: int,
                 specs: Sequence[ColumnSpec]) -> tuple[Column, ...]:
    """Attach each mapping to a file column.

    Documented rule: with a header, a mapping binds to the header cell whose text equals its
    columnName exactly; failing that, to one equal after normalisation (case, spaces, BOM,
    look-alikes); failing that, to the column at its own position. Without a header (hasHeader
    false) mappings bind by position. Header rules report every mismatch; the binding only lets
    value rules check the column HubSpot would most likely use.
    """
    bound: list[ColumnSpec | None] = [None] * width
    how: list[str | None] = [None] * width
    pending = list(specs)
    if header is not None:
        matchers: tuple[tuple[str, Callable[[str], str]], ...] = (
            ("exact", lambda s: s), ("normalised", normalise_name))
        for label, matcher in matchers:
            if not pending:  # every mapping bound: no header cell needs normalising
                break
            free: dict[str, list[int]] = {}  # text -> unbound header cells with it, last first
            if label == "exact":  # only the texts some mapping names (a header may be very wide)
                wanted = {header_name(spec.column_name) for spec in pending}
                for i in range(len(header) - 1, -1, -1):  # (nothing is bound before this pass)
                    if header[i] in wanted:
                        free.setdefault(header[i], []).append(i)
            else:
                for i in range(len(header) - 1, -1, -1):
                    if bound[i] is None:
                        free.setdefault(matcher(header[i]), []).append(i)
            rest = []
            for spec in pending:
                name = header_name(spec.column_name)
                want = matcher(name) if name is not None else None
                cells = free.get(want) if want is not None else None
                if cells:
                    i = cells.pop()  # the leftmost unbound cell with that text
                    bound[i], how[i] = spec, label
                else:
                    rest.append(spec)
            pending = rest
    for spec in pending:
        if spec.index < width and bound[spec.index] is None:
            bound[spec.index], how[spec.index] = spec, "position"
    names = list(header) if header is not None else [None] * width
    return tuple(Column(i, names[i] if i < len(names) else None, bound[i], how[i])
                 for i in range(width))
