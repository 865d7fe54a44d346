"""Shared plumbing of the value rules: which property a column feeds, and parsed cells per chunk.

Not a rule family: it holds no rules (the registry skips modules without Rule subclasses).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from validator import formats
from validator.catalog import Catalog, Property, builtin
from validator.checks.base import Hit, Rule
from validator.context import Column, FileContext, ImportContext
from validator.readers.base import Chunk

VALUE_COLUMN_TYPES = ("STANDARD", "HUBSPOT_ALTERNATE_ID")
_memo_lock = threading.Lock()


def _new_lock() -> None:
    """A child forked while another thread held the lock (storing a fact) gets one of its own."""
    global _memo_lock
    _memo_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_lock)


class _Slot:
    """A fact being worked out or known. The Event a waiting thread needs is made only when one
    comes (rarely: the facts are mostly asked for by one thread at a time)."""

    __slots__ = ("error", "event", "ready", "value")

    def __init__(self) -> None:
        self.ready = False
        self.event: threading.Event | None = None
        self.value: Any = None
        self.error: BaseException | None = None


def cached(chunk: Chunk, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    """Per-chunk memo, so rules reading the same column parse it once (arrow array, dates ...).
    Safe when rules run on several threads: one computes a fact, the others wait for it."""
    with _memo_lock:
        slot = chunk.memo.get(key)
        owner = slot is None
        if slot is None:
            slot = chunk.memo[key] = _Slot()
        elif not slot.ready and slot.event is None:  # a second thread: it waits for the first
            slot.event = threading.Event()
        event = None if owner or slot.ready else slot.event
    if owner:
        try:
            slot.value = make()
        except BaseException as exc:
            slot.error = exc
            raise
        finally:
            with _memo_lock:
                slot.ready = True
                event = slot.event
            if event is not None:
                event.set()
    else:
        if event is not None:
            event.wait()
        if slot.error is not None:
            raise slot.error
    return slot.value


def cells(chunk: Chunk, column: Column) -> pa.Array:
    """``formats.arrow`` of a column's cells, once per chunk; not trimmed where its byte screen
    shows that no cell starts or ends with whitespace (the same cells, without a copy)."""
    def make() -> pa.Array:
        from validator.checks._facts import may_trim

        trim = may_trim(chunk, column.index)
        if column.index in chunk.cell_bytes:  # (stored in Python: its bytes, at hand)
            return formats.arrow_of_bytes(chunk.cell_bytes[column.index], trim=trim)
        return formats.arrow(chunk.column(column.index), trim=trim)
    return cached(chunk, ("arrow", column.index), make)


def distinct_texts(chunk: Chunk, column: Column) -> Any:
    """``formats.distinct_cells`` of a column's cells, once per chunk (each dateFormat parses them)."""
    return cached(chunk, ("distinct", column.index), lambda: formats.distinct_cells(cells(chunk, column)))


class ValueRule(Rule):
    """A rule over the cells of columns mapped to a property of a given kind."""

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        self.ctx = ctx
        yield from ()

    @property
    def catalog(self) -> Catalog:
        ctx = getattr(self, "ctx", None)
        return ctx.catalog if ctx is not None else builtin()

    @property
    def date_format(self) -> str:
        ctx = getattr(self, "ctx", None)
        fmt = ctx.spec.date_format if ctx is not None else "MONTH_DAY_YEAR"
        return fmt if fmt in formats.DATE_FORMATS else "MONTH_DAY_YEAR"

    def wants(self, prop: Property) -> bool:
        return False

    def typed(self, file: FileContext, chunk: Chunk | None = None) -> Iterator[tuple[Column, Property]]:
        """Mapped value columns whose property this rule reads: worked out once per file (a
        rule asks for every chunk; the columns are bound before the first). With ``chunk``, those
        that hold anything in it (``Chunk.empty_columns``): for a rule that finds nothing in an empty
        cell and keeps nothing of one."""
        memo = self.__dict__.get("_typed")
        if memo is None or memo[0] is not file:
            memo = self._typed = (file, list(self._typed_columns(file)))
        empty = chunk.empty_columns if chunk is not None else None
        if not empty:
            return iter(memo[1])
        return iter([(column, prop) for column, prop in memo[1] if column.index not in empty])

    def _typed_columns(self, file: FileContext) -> Iterator[tuple[Column, Property]]:
        for column in file.mapped(*VALUE_COLUMN_TYPES):
            spec = column.spec
            if spec is None or spec.property_name is None or spec.to_object_type_id is not None:
                continue
            prop = self.catalog.property_of(spec.object_type_id, spec.property_name)
            if prop is not None and self.wants(prop):
                yield column, prop
        for column in file.mapped("EVENT_TIMESTAMP"):  # a participation time: a datetime, no property
            spec = column.spec
            if spec is not None and spec.object_type_id is not None:
                event = Property(spec.object_type_id, "event timestamp", type="datetime", field_type="date")
                if self.wants(event):
                    yield column, event

    def dates(self, chunk: Chunk, file: FileContext, column: Column, prop: Property,
              fmt: str | None = None, *, with_time: bool = True) -> formats.Dates:
        """The column's cells parsed as dates (datetimes) under ``fmt`` (default: the import's),
        once per chunk; where the column repeats its values, each distinct text once per file.

        A date property's cells are read with a datetime's grammar too (a date, then perhaps a
        time): HubSpot documents a time for datetime properties only, and what its importer
        does with one on a date property is not known (fact sheet 6, [GAP]); HS219 names those
        cells from ``with_time=False``, the date grammar alone."""
        fmt = fmt or self.date_format
        with_time = with_time or prop.type == "datetime"

        def make() -> formats.Dates:
            distinct = distinct_texts(chunk, column)
            if distinct is None:
                return formats.parse_dates(cells(chunk, column), fmt, with_time=with_time, distinct=None)
            return _parsed_texts(chunk, file, column, fmt, with_time, distinct[0]).take(distinct[1])

        def made() -> formats.Dates:
            parsed = make()
            numbers = kind_mask(chunk, column.index, "n")
            if numbers is None or not numbers.any():
                return parsed
            return formats.serial_dates(parsed, cells(chunk, column), numbers & ~parsed.ok, date1904(file))
        return cached(chunk, ("dates", column.index, fmt, with_time), made)


    def distinct_dates(self, chunk: Chunk, file: FileContext, column: Column, prop: Property,
                       fmt: str) -> tuple[formats.Dates, np.ndarray] | None:
        """The column's distinct texts parsed under ``fmt`` as ``dates`` parses them, with how
        many rows of the chunk hold each (for counts, without spreading the dates to the rows);
        None where ``dates`` must be asked: no distinct texts, or a workbook's number cells (read
        as serial dates row by row)."""
        distinct = distinct_texts(chunk, column)
        numbers = kind_mask(chunk, column.index, "n")
        if distinct is None or (numbers is not None and numbers.any()):
            return None
        texts, at = distinct
        with_time = True  # as ``dates`` reads them: a date, then perhaps a time
        counts = cached(chunk, ("distinct-counts", column.index),
                        lambda: np.bincount(at, minlength=len(texts)))
        return _parsed_texts(chunk, file, column, fmt, with_time, texts), counts


def _parsed_texts(chunk: Chunk, file: FileContext, column: Column, fmt: str, with_time: bool,
                  texts: Any) -> formats.Dates:
    """Distinct texts parsed under ``fmt``, each text once per file (``formats.ParsedTexts``),
    once per chunk."""
    def make() -> formats.Dates:
        slot = ("dates", column.index, fmt, with_time)  # one thread at a time: the chunk memo's key
        memo = file.parsed.get(slot)
        if memo is None:
            shared = file.parsed.setdefault(("date-texts", column.index), formats.SharedTexts())
            memo = file.parsed[slot] = formats.ParsedTexts(fmt, with_time, shared)
        return memo.parse(texts)
    return cached(chunk, ("distinct-dates", column.index, fmt, with_time), make)


def kind_mask(chunk: Chunk, index: int, kind: str) -> np.ndarray | None:
    """A workbook column's cells of one kind (``n`` number, ``d`` date, ``f`` formula, ``e``
    error); None for a CSV, which has no cell kinds."""
    if chunk.kinds is None or index >= chunk.kinds.shape[1]:
        return None
    return kind_codes(chunk, index) == ord(kind)


def kind_codes(chunk: Chunk, index: int) -> np.ndarray:
    """A workbook column's cell kinds as bytes (the kind's letter; 0 for an empty cell):
    ``Chunk.kinds`` holds them so."""
    assert chunk.kinds is not None
    return chunk.kinds.codes(index)


def percent_cells(chunk: Chunk, file: FileContext, index: int) -> np.ndarray | None:
    """A workbook column's number cells in a percentage format holding a number above 1 or below
    -1 (2.5, shown as 250%), as the byte scan found them (``SheetScan.percent_rows``); None for a
    CSV or a sheet with none."""
    sheet = getattr(file.notes.extra.get("workbook"), "scan", None)
    if sheet is None or not sheet.percent_rows.get(index + 1):
        return None
    return sheet.percent_cells(index + 1, chunk.rows)


def padded_formats(chunk: Chunk, file: FileContext, index: int) -> np.ndarray | None:
    """A workbook column's zero-padded number formats (``00000``) by row, where a cell in one
    holds a whole number of fewer digits than its 0s (2134, which Excel shows as 02134), ``""``
    elsewhere, as the byte scan found them (``SheetScan.padded_rows``); None for a CSV or a column
    with none."""
    sheet = getattr(file.notes.extra.get("workbook"), "scan", None)
    if sheet is None or not sheet.padded_rows.get(index + 1):
        return None
    return sheet.padded_formats(index + 1, chunk.rows)


def date1904(file: FileContext) -> bool:
    """Whether the file is a workbook in the 1904 date system (Excel for Mac's old default)."""
    scan = file.notes.extra.get("workbook")
    return bool(getattr(scan, "date1904", False))


def is_date(prop: Property) -> bool:
    return prop.type in ("date", "datetime")


def is_number(prop: Property) -> bool:
    return prop.type == "number" and prop.writable


def is_bool(prop: Property) -> bool:
    return prop.type == "bool" or (prop.type == "enumeration" and prop.field_type == "booleancheckbox")


def is_enumeration(prop: Property) -> bool:
    """A dropdown, radio or checkbox whose cells must match an option. One the portal snapshot
    lists with no options takes no value at all; one with ``externalOptions`` (values from
    records or users) and a built-in one without options are not judged: its options are not known.
    A pipeline's stage is not one: it must be a stage of the row's pipeline (HS235)."""
    return _with_options(prop) and prop.format != "owner" and not _stage_named(prop)


def is_stage(prop: Property) -> bool:
    """A deal's or ticket's stage (``dealstage``, ``hs_pipeline_stage``) with its stages listed."""
    return _with_options(prop) and bool(prop.options) and _stage_named(prop)


def _with_options(prop: Property) -> bool:
    listed = bool(prop.options) or (prop.source == "portal" and not prop.external_options)
    return (prop.type == "enumeration" and prop.field_type != "booleancheckbox" and listed
            and prop.referenced_object is None)


def _stage_named(prop: Property) -> bool:
    return prop.format == "stage" or prop.name == ("dealstage" if prop.object_id == "0-3" else "hs_pipeline_stage")
