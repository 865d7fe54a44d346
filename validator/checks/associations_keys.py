"""Keys of a multi-file import's common column that name no row of the files owning the property
(HS314), with the owning columns of each common column: the one ``links`` pairs it with, and
those of further files of the same object that hold the same keys.

Where every owning file is read before the file of the common column, each key is judged as its
row is read, so the reports that show a row's cells (csv, hubspot) have them; otherwise once
every file is read, when the rows have gone (keeping every row that might be named would hold
the whole file): those findings show no cells.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from validator.checks._key_forms import no_row, unusable
from validator.checks.associations import Link, links, multi_file
from validator.checks.base import Hit, Rule
from validator.context import Column, FileContext, ImportContext
from validator.findings import Severity
from validator.keys import KeySet, StoredBatch, cell_keys, first_seen, shared_set, stored_batch
from validator.readers.base import Chunk
from validator.request import ColumnSpec, FileSpec, ImportSpec


def owners(spec: ImportSpec, link: Link) -> list[tuple[FileSpec, ColumnSpec]]:
    """The link's owning column, then the columns of the other files of its object (two contacts
    files) that own keys as it does: the same property, under the same columnName or marked
    associationIdentifierColumn. A key in any of them has its row."""
    assert link.owner is not None and link.owner_file is not None
    out = [(link.owner_file, link.owner)]
    for g in spec.files:
        for o in g.columns:
            if (g is not link.ref_file and o is not link.owner and not o.ignored and o.to_object_type is None
                    and o.object_type_id == link.owner.object_type_id
                    and o.property_name == link.owner.property_name
                    and (o.column_name == link.owner.column_name or o.association_identifier)):
                out.append((g, o))
    return out


class AssociationKeyNotInFile(Rule):
    """A common-column value of one file matches no row of the file that owns the property.

    Why: HubSpot links the row to the record with that key; when the owning file has no such
    row, the key is looked up in the account, and if no record has it the association fails
    with NO_OBJECT_ID_FROM_ASSOCIATION_IDENTIFIER. A warning: the record may already exist in
    the account. Where several files import the owning object (two contacts files), a key in
    any of them has its row. A value that is no identifier of the kind (not an email address,
    a domain name or a Record ID) names no record at all, even where a row of the owning file
    has it (that row fails too: HS212, HS213, HS305): the message says the association fails.
    Reported once per value, at the first row that uses it.
    Example: companies.csv's Email column names `dan@initech.example`, which contacts.csv lacks.
    Fix: add the missing record to the owning file, or correct the key.
    """

    code = "HS314"
    name = "association-key-not-in-file"
    severity = Severity.WARNING
    hubspot_error = "NO_OBJECT_ID_FROM_ASSOCIATION_IDENTIFIER"

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.links: list[tuple[Link, list[tuple[FileSpec, ColumnSpec]]]] = []
        self.sets: dict[str, KeySet] = {}  # by mapping pointer
        self.columns: dict[str, tuple[FileContext, Column]] = {}
        self.props: dict[str, str | None] = {}
        self.active: list[tuple[Column, str]] = []
        self.now: dict[str, tuple[Link, list[tuple[FileSpec, ColumnSpec]]]] = {}  # judged as read, by pointer

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        self.ctx = ctx
        if multi_file(ctx.spec):
            self.links = [(k, owners(ctx.spec, k)) for k in links(ctx.spec) if k.owner is not None]
        for k, owning in self.links:
            for _f, o in owning:
                self.props[k.ref.pointer] = self.props[o.pointer] = o.property_name
        yield from ()

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        refs = {k.ref.pointer for k, _o in self.links}
        self.active = []
        for c in file.columns:
            if c.spec is not None and c.spec.pointer in self.props:
                ptr = c.spec.pointer
                # an owning column's keys: the set the duplicate rules fill too (no values needed)
                self.sets[ptr] = KeySet(keep_values=True) if ptr in refs else shared_set(file, c, self.props[ptr])
                self.columns[ptr] = (file, c)
                self.active.append((c, ptr))
        for k, owning in self.links:
            read = [self.columns.get(o.pointer) for _f, o in owning]
            if k.ref.pointer in self.sets and self.columns[k.ref.pointer][0] is file and all(
                    r is not None and r[0] is not file and r[0].readable for r in read):
                self.now[k.ref.pointer] = (k, owning)  # every owning file is read already
        yield from ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, ptr in self.active:
            seen = self.sets[ptr]
            if not seen.full:
                first_seen(chunk, file, column, self.props[ptr])
                continue
            pos, keys = cell_keys(chunk, column, self.props[ptr])
            lines = chunk.lines[pos] if len(chunk.lines) == len(chunk.frame) else None
            values = chunk.column(column.index).iloc[pos].to_numpy()
            first = seen.add(keys, chunk.rows[pos], lines, values)
            if ptr in self.now:
                rows = chunk.rows[pos]
                yield from self._judged(file, column, ptr, np.flatnonzero(first == rows), keys, rows,
                                        lines if lines is not None else rows, values)

    def _judged(self, file: FileContext, column: Column, ptr: str, new: np.ndarray, keys: np.ndarray,
                rows: np.ndarray, lines: np.ndarray, values: np.ndarray) -> Iterator[Hit]:
        """The keys first seen in this chunk (``new``: their positions) that no owning file holds,
        or that are no identifier, found as ``on_import_end`` finds them, with their rows at hand."""
        k, owning = self.now[ptr]
        found = np.zeros(len(new), dtype=bool)
        for _f, o in owning:
            found |= self.sets[o.pointer].first_rows(keys[new])[0]  # (the owning set's levels left unmerged)
        prop = self.props[ptr]
        bad = unusable(prop, values[new])
        found[bad] = False
        at = new[~found]
        if len(at):
            yield StoredBatch(code=self.code, rule=self.name, hubspot_error=self.hubspot_error, file=file.name,
                              sheet=file.sheet, rows=rows[at], lines=lines[at], column=column, values=values[at],
                              message=self._message(k, owning, frozenset(values[new][bad])), hint=self.hint)

    def _message(self, k: Link, owning: list[tuple[FileSpec, ColumnSpec]], bad: frozenset[str]) -> Callable[[str], str]:
        """The message of a key of link ``k``; ``bad``: the keys that are no identifier."""
        target = self.ctx.catalog.object_label(k.ref.to_object_type_id)
        where = " or ".join(dict.fromkeys(f.file_name or "?" for f, _o in owning))
        return no_row(target, where, self.props[k.ref.pointer], bad)

    def on_import_end(self, ctx: ImportContext) -> Iterator[Hit]:
        for k, owning in self.links:
            ref = self.sets.get(k.ref.pointer)
            if k.ref.pointer in self.now:
                continue  # judged as its rows were read
            sets = [self.sets[o.pointer] for _f, o in owning if o.pointer in self.sets]
            if ref is None or len(sets) < len(owning) or not all(self.columns[o.pointer][0].readable
                                                                 for _f, o in owning):
                continue  # a file (or its rows) was not read: its own findings say why
            missing = ref.missing_from(sets[0])
            for other in sets[1:]:
                found, _ = other.find(ref.keys[missing])
                missing = missing[~found]
            prop = self.props[k.ref.pointer]
            bad = unusable(prop, ref.values)  # (a key that is no identifier fails, matched or not)
            idx = np.union1d(missing, bad)
            if not len(idx):
                continue
            file, column = self.columns[k.ref.pointer]
            yield stored_batch(self, file.name, file.sheet, column, ref, idx,
                               self._message(k, owning, frozenset(ref.values[bad])))
