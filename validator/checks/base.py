"""Rule: the unit of checking. Hooks yield Findings (or Batches of cell findings).

A rule's class carries its identity (code, name, default severity, HubSpot errorType, option
defaults); its docstring is its documentation page: a one-line summary, then ``Why:``,
``Example:`` and ``Fix:`` sections. Rules never read files, print, or know severities: the
engine stamps severity from the active profile, caps and sorts.

The class's errorType is its findings' unless a hit names its own: every helper that makes hits
(``finding``, ``cells``, ``deferred``, ``keys.key_batch``, ``keys.stored_batch``) takes
``hubspot_error`` (None: the rule's; ``""``: none), for a rule whose findings HubSpot reports
under more than one errorType (HS302 in a create-only import). Reports show each finding's; the
class lists those other errorTypes in ``other_errors`` (the rule table and explain-errors show them).
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from validator.catalog import Catalog, builtin
from validator.context import Column, FileContext, ImportContext
from validator.findings import Finding, JsonText, Severity, truncate
from validator.readers.base import Chunk

REGISTRY: dict[str, type[Rule]] = {}
# ``FileContext.parsed`` key of the mapped names looked for below row 1 where it may be a title
# (``header_title.title_wanted``): empty where it may not
TITLE_WANTED = ("title-wanted",)
SECTIONS = ("Why:", "Example:", "Fix:")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def quote(value: str, limit: int = 80) -> str:
    """A cell value as messages show it: quoted, control characters escaped, cut short; a lone
    surrogate of the request JSON (``JsonText``) as its ``\\uXXXX`` escape, not as a byte."""
    shown = _CONTROL.sub(_escape_json if isinstance(value, JsonText) else _escape, value)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f"'{shown}'"


def with_values(chunk: Chunk, columns: Iterable[Column]) -> list[Column]:
    """The ``columns`` that hold anything in ``chunk`` (``Chunk.empty_columns``). For a rule over the
    values of cells, which finds nothing in an empty cell and keeps nothing of one: a column empty
    throughout the chunk is passed over whole (a wide export's unused properties)."""
    empty = chunk.empty_columns
    return [c for c in columns if c.index not in empty] if empty else list(columns)


def option_float(value: int) -> float:
    """A rule's whole-number option as a float to compare values with; one past a float's range
    (an option takes any whole number, ``10**400`` too) as infinity, a limit no value reaches."""
    try:
        return float(value)
    except OverflowError:
        return float("inf")


def counted(n: int, word: str, words: str | None = None) -> str:
    """``n`` and the word for that many, as messages count things: ``1 column``, ``2 columns``,
    ``1,000 entries`` (``words``: a plural other than ``word`` + ``s``)."""
    return f"{n:,} {word if n == 1 else words or word + 's'}"


# spaces that look like a plain one in a message but are not one ("10:00\u202fAM" from newer locales)
_ODD_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_SPACE_NAMES = {0x00A0: "a no-break space (U+00A0)", 0x202F: "a narrow no-break space (U+202F)", 0x09: "a tab"}


def odd_space_note(value: str) -> str:
    """``"; it holds a no-break space (U+00A0) where a plain space is meant"`` for a cell with a
    Unicode space that prints like a plain one, else ``""``: such a message quotes a value that
    looks valid."""
    m = _ODD_SPACE.search(value)
    if m is None:
        return ""
    return f"; it holds {space_name(m.group())} where a plain space is meant"


def space_name(char: str) -> str:
    """What a message calls a space other than U+0020: ``a no-break space (U+00A0)``, ``a tab``."""
    code = ord(char)
    return _SPACE_NAMES.get(code, f"a U+{code:04X} space")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    if 0xDC00 <= code <= 0xDCFF:  # an undecodable byte kept by the reader (readers.text)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"


def _escape_json(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\u{code:04x}" if 0xD800 <= code <= 0xDFFF else _escape(m)


class Cells:
    """A Batch's cell values, each read from the chunk's column when asked for (``values[i]``):
    the engine lists as many findings as the per-rule cap keeps and counts the rest, so a column
    wrong on every row had every bad cell made a Python string for nothing (~4 ms a chunk for
    17,000 cells of notes, more for longer ones). ``materialized`` gives them all at once (a
    baseline written keeps an entry for each)."""

    __slots__ = ("_array", "_at")

    def __init__(self, column: Any, at: np.ndarray):
        self._array = column.array  # the column's cells (pandas' array: Arrow- or Python-stored)
        self._at = at

    def __len__(self) -> int:
        return len(self._at)

    def __getitem__(self, i: int) -> Any:
        return self._array[int(self._at[i])]

    def materialized(self) -> np.ndarray:
        return np.asarray(self._array.take(self._at), dtype=object)


@dataclass(frozen=True, slots=True, eq=False)
class Batch:
    """Findings of one rule in one column of one chunk, kept columnar.

    The engine turns only as many into Findings as the per-rule cap keeps, so a column that is
    wrong on every row costs one mask, not a million objects.
    """

    code: str
    rule: str
    hubspot_error: str | None
    file: str
    sheet: str | None
    rows: np.ndarray
    lines: np.ndarray | None
    column: Column
    values: np.ndarray | Cells  # each cell's value (``values[i]``)
    message: Callable[[str], str]
    hint: str | None
    # the rule's ``severity_without_portal`` where its verdict came from one of HubSpot's default
    # lists, not the account's own (the engine then stamps that severity at most); else None
    severity: Severity | None = field(default=None, kw_only=True)

    def __len__(self) -> int:
        return len(self.rows)

    def finding(self, i: int) -> Finding:
        value = str(self.values[i])
        return Finding(
            code=self.code, rule=self.rule, message=self.message(value), file=self.file,
            sheet=self.sheet, row=int(self.rows[i]),
            line=int(self.lines[i]) if self.lines is not None else None,
            column=self.column.number, column_name=self.column.label, value=truncate(value),
            hubspot_error=self.hubspot_error, hint=self.hint, severity=self.severity,
        )


@dataclass(frozen=True, slots=True, eq=False)
class Deferred(Batch):
    """Findings at ``rows`` made one by one, ``make(i)``, only for those the per-rule cap keeps
    (a file whose every row is ragged costs no million Findings). For findings that differ by
    more than their value; the cell fields of Batch are unused."""

    make: Callable[[int], Finding]

    def finding(self, i: int) -> Finding:
        return self.make(i)


def error_type(rule: object, given: str | None) -> str | None:
    """The errorType of a hit of ``rule``: ``given`` where the hit names its own (``""``: none),
    else the rule's class's."""
    if given is None:
        return rule.hubspot_error  # type: ignore[attr-defined]
    return given or None


def deferred(rule: Rule, file: str, rows: list[int], make: Callable[[int], Finding], *,
             hubspot_error: str | None = None) -> Deferred:
    """Findings at ``rows``, made by ``make`` (each with its own errorType, where ``make`` gives
    it one); ``hubspot_error`` is the batch's (None: the rule's)."""
    return Deferred(code=rule.code, rule=rule.name, hubspot_error=error_type(rule, hubspot_error), file=file,
                    sheet=None, rows=np.asarray(rows, dtype=np.int64), lines=None, column=None,  # type: ignore[arg-type]
                    values=np.empty(0, dtype=object), message=str, hint=rule.hint, make=make)


Hit = Finding | Batch


class Rule:
    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.ERROR  # default; the profile may change it
    hubspot_error: ClassVar[str | None] = None
    # the other errorTypes some of its hits name (``hubspot_error=`` given): HS201's
    # INVALID_EVENT_TIMESTAMP in an event column, ...; explain-errors lists the rule under each
    other_errors: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[Mapping[str, Any]] = {}
    hint: ClassVar[str | None] = None  # default hint for this rule's findings
    # hashes whole rows (validator.keys.row_hashes): the fast CSV reader then hashes records
    hashes_rows: ClassVar[bool] = False
    # what it reads of one file may make findings on another (keys kept for the files after it):
    # it runs on a file whose per-file-ignores turn it off too (``engine.file_rules``)
    spans_files: ClassVar[bool] = False
    # the severity of a finding judged by HubSpot's default lists, which accounts customise: every
    # one without a portal snapshot, else those the snapshot does not cover (``cells(by_default=)``);
    # a severity set in the configuration still wins
    severity_without_portal: ClassVar[Severity | None] = None
    # its messages and hints give numbers or dates worked out from a cell (the date an epoch
    # stands for, the milliseconds to write): ``--redact`` masks every number and date in its
    # findings on a data row, as it masks the quoted value (``report.redact``), but for
    # ``constants``: patterns (regular expressions) of the text's numbers that come from no cell
    # (HubSpot's examples, an option's bounds). On a data row ``--redact`` also leaves the quoted
    # spans inside a constant of any rule: the rule's or the property schema's text, chosen by no
    # cell (HS243's ``requires 'Note body'``), where any other quoted span there is masked
    derived_values: ClassVar[bool] = False
    constants: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.code:
            if cls.code in REGISTRY and REGISTRY[cls.code] is not cls:
                raise RuntimeError(f"rule code {cls.code} defined twice")
            REGISTRY[cls.code] = cls

    def __init__(self, options: Mapping[str, Any] | None = None):
        self.opt: dict[str, Any] = {**self.options, **(options or {})}

    # -- documentation ---------------------------------------------------------------------
    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The docstring's first paragraph, on one line (a summary may run over two lines)."""
        return " ".join(cls.doc().split("\n\n", 1)[0].split())

    @classmethod
    def sections(cls) -> dict[str, str]:
        """The docstring split into ``summary``, ``Why``, ``Example`` and ``Fix``."""
        parts = re.split(r"^(Why|Example|Fix):[ \t]*", cls.doc(), flags=re.M)
        out = {"summary": parts[0].strip()}
        for title, body in zip(parts[1::2], parts[2::2], strict=True):
            out[title] = textwrap.dedent(body).strip("\n").rstrip()
        return out

    @classmethod
    def hooks(cls) -> tuple[str, ...]:
        return tuple(h for h in HOOKS if getattr(cls, h) is not getattr(Rule, h))

    # -- hooks (override the ones the rule needs) -------------------------------------------
    def on_import(self, ctx: ImportContext) -> Iterable[Hit]:
        return ()

    def on_header(self, file: FileContext) -> Iterable[Hit]:
        return ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterable[Hit]:
        return ()

    def on_file_end(self, file: FileContext) -> Iterable[Hit]:
        return ()

    def on_import_end(self, ctx: ImportContext) -> Iterable[Hit]:
        return ()

    # -- helpers ---------------------------------------------------------------------------
    def finding(self, message: str, *, file: FileContext | ImportContext | str | None = None,
                row: int | None = None, line: int | None = None,
                column: Column | int | None = None, column_name: str | None = None,
                pointer: str | None = None, value: str | None = None, hint: str | None = None,
                offset: int | None = None, key: str | None = None, hubspot_error: str | None = None) -> Finding:
        """A finding of this rule; ``column`` may be a Column (number and name come from it);
        ``hubspot_error``, where given, replaces the rule's errorType for this one (``""``: none)."""
        sheet = None
        if isinstance(file, FileContext):
            if isinstance(column, int) and column_name is None:
                # the header's text; without a header row (hasHeader false), what cell findings
                # say there too (``Column.label``): the mapping's columnName
                cells = file.header.cells if file.header is not None else ()
                if 1 <= column <= len(cells):
                    column_name = cells[column - 1]
                elif file.header is None and 1 <= column <= len(file.columns):
                    column_name = file.columns[column - 1].label
            sheet, file = file.sheet, file.name
        elif isinstance(file, ImportContext):
            file = file.source
        if isinstance(column, Column):
            column_name = column_name if column_name is not None else column.label
            column = column.number
        return Finding(
            code=self.code, rule=self.name, message=message, file=file, sheet=sheet, row=row,
            line=line, column=column, column_name=column_name, pointer=pointer,
            value=truncate(value), hubspot_error=error_type(self, hubspot_error),
            hint=hint if hint is not None else self.hint, offset=offset, key=key,
        )

    def cells(self, chunk: Chunk, file: FileContext, column: Column, bad: Any,
              message: str | Callable[[str], str], hint: str | None = None,
              hubspot_error: str | None = None, by_default: bool = False) -> Iterator[Batch]:
        """Cell findings for every row where ``bad`` is true (a boolean mask over the chunk).

        ``message`` is a template with ``{value}`` (the quoted cell) or a function of the raw
        value; ``hubspot_error``, where given, replaces the rule's errorType for these cells
        (``""``: none). ``by_default``: the verdict came from one of HubSpot's default lists,
        which accounts customise, so the cells are stamped ``severity_without_portal`` at most.
        """
        mask = np.asarray(bad, dtype=bool)
        if not mask.any():
            return
        if file.parsed.get(TITLE_WANTED):  # row 1 may be a title: the rows down to the header under it are its
            from validator.checks.header_title import title_header  # (which imports this module)

            found = title_header(file, chunk)
            if found is not None:  # (HS608 names them; deleting them is the fix)
                mask = mask & (chunk.rows > found.row)
                if not mask.any():
                    return
        idx = np.flatnonzero(mask)
        values = Cells(chunk.column(column.index), idx)
        render = message if callable(message) else _template(message)
        yield Batch(
            code=self.code, rule=self.name, file=file.name,
            hubspot_error=error_type(self, hubspot_error),
            sheet=file.sheet, rows=chunk.rows[idx],
            lines=chunk.lines[idx] if len(chunk.lines) == len(chunk.frame) else None,
            column=column, values=values, message=render,
            hint=hint if hint is not None else self.hint,
            severity=self.severity_without_portal if by_default else None,
        )


class CatalogRule(Rule):
    """A rule that reads the import's catalog (portal snapshot or built-in) in its other hooks:
    kept by ``on_import`` (the built-in one until then)."""

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.catalog: Catalog = builtin()

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        self.catalog = ctx.catalog
        yield from ()


def _template(text: str) -> Callable[[str], str]:
    return lambda value: text.format(value=quote(value))


HOOKS = ("on_import", "on_header", "on_chunk", "on_file_end", "on_import_end")
