"""Same-object associations in one file (ASSOCIATION_KEYS; fact sheet 1.4, 5; [V] S5): the
keys column's property and Record IDs (HS330), a key naming the row's own record (HS331) and a
key naming no row of the file (HS332), with the helpers that find a keys column and the column
identifying its row's own record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from validator.catalog import Catalog
from validator.checks._key_forms import FORMS, unusable
from validator.checks.base import CatalogRule, Hit, Rule, quote, with_values
from validator.checks.identity_ids import POSITIVE_INT
from validator.checks.multiobject import KEYS, split_cells
from validator.context import Column, FileContext, ImportContext
from validator.findings import Severity
from validator.keys import (
    RECORD_ID,
    KeySet,
    address_lists,
    hashes,
    id_kind,
    normaliser,
    stored_batch,
)
from validator.readers.base import Chunk


def _keys_columns(file: FileContext) -> list[Column]:
    return file.mapped(KEYS)


def _own_column(file: FileContext, keys: Column, catalog: Catalog) -> Column | None:
    """The column identifying the row's own record with the property the keys use."""
    spec = keys.spec
    assert spec is not None
    for c in file.columns:
        s = c.spec
        if s is None or s.object_type_id != spec.object_type_id or id_kind(s, catalog) is None:
            continue
        if s.property_name == spec.property_name or (
                spec.property_name == RECORD_ID and s.column_type == "HUBSPOT_OBJECT_ID"):
            return c
    return None


class InvalidAssociationKey(Rule):
    """A same-object association column (`ASSOCIATION_KEYS`) uses a property that is not an
    identifier, points at another object, or holds a Record ID that is not a positive whole number.

    Why: the keys name the other record of each pair by Record ID, primary email (contacts),
    primary domain (companies) or a unique property; secondary emails or domains and ordinary
    properties are not supported ([V] KB), and the row fails with INVALID_ASSOCIATION_KEY.
    Several keys in one cell are separated by `;`. The column links records of its own object
    only (fact sheet 1.4, [V] S5); a property the catalog does not know may be a unique custom
    property, left to HS231.
    Example: `{"columnName": "Parent", "propertyName": "name", "columnType": "ASSOCIATION_KEYS"}`.
    Fix: map the keys column to hs_object_id, email, domain or a unique property.
    """

    code = "HS330"
    name = "invalid-association-key"
    hubspot_error = "INVALID_ASSOCIATION_KEY"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        cat = ctx.catalog
        for f in ctx.spec.files:
            for c in f.columns:
                if c.ignored or c.column_type != KEYS or c.object_type_id is None:
                    continue
                name = quote(c.column_name or "")
                if c.to_object_type_id is not None and c.to_object_type_id != c.object_type_id:
                    yield self.finding(
                        f"ASSOCIATION_KEYS column {name} links {cat.object_label(c.object_type_id)} to "
                        f"{cat.object_label(c.to_object_type_id)}: it links records of one object only (a column "
                        "with toColumnObjectTypeId and foreignKeyType links other objects)",
                        file=ctx, pointer=c.at("toColumnObjectTypeId"), value=c.to_object_type)
                if not c.property_name:
                    yield self.finding(f"ASSOCIATION_KEYS column {name} names no property (hs_object_id, "
                                       f"{', '.join(cat.identifiers(c.object_type_id)[1:]) or 'a unique property'})",
                                       file=ctx, pointer=c.at("propertyName"))
                elif (c.property_name not in cat.identifiers(c.object_type_id)
                      and cat.property_of(c.object_type_id, c.property_name) is not None):
                    # (one the catalog does not know may be a unique custom property: HS231's)
                    yield self.finding(
                        f"ASSOCIATION_KEYS column {name} maps {c.property_name!r}, which "
                        f"does not identify {cat.object_label(c.object_type_id)} records",
                        file=ctx, pointer=c.at("propertyName"), value=c.property_name)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column in with_values(chunk, _keys_columns(file)):
            assert column.spec is not None
            if column.spec.property_name != RECORD_ID:
                continue
            parts = split_cells(chunk.column(column.index))
            bad = parts[~parts.str.fullmatch(POSITIVE_INT)]
            if len(bad):
                yield from self.cells(chunk, file, column, chunk.frame.index.isin(bad.index.unique()),
                                      "{value} holds a key that is not a Record ID (a positive whole number, "
                                      "at most 9223372036854775807)")


class SelfAssociation(CatalogRule):
    """A same-object association key names the row's own record.

    Why: a record cannot be associated with itself; HubSpot fails or skips that association.
    Usually a parent column was filled from the wrong column.
    Example: company `acme.example` with `acme.example` in its Parent company column.
    Fix: put the other record's identifier in the keys column.
    """

    code = "HS331"
    name = "self-association"
    severity = Severity.WARNING
    hubspot_error = "INVALID_ASSOCIATION_KEY"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column in with_values(chunk, _keys_columns(file)):
            own = _own_column(file, column, self.catalog)
            if own is None:
                continue
            prop = column.spec.property_name if column.spec else None
            norm = normaliser(prop)
            parts = norm(split_cells(chunk.column(column.index), address_lists(prop)))
            mine = norm(chunk.column(own.index)).reindex(parts.index)
            # compared as Python strings: either side may hold undecodable bytes (Python-backed)
            same = parts.to_numpy(dtype=object) == mine.to_numpy(dtype=object)
            hit = parts[np.asarray(same, dtype=bool)]
            if len(hit):
                yield from self.cells(chunk, file, column, chunk.frame.index.isin(hit.index.unique()),
                                      "{value} associates the record with itself")


class AssociationKeyUnmatched(CatalogRule):
    """A same-object association key matches no row of the file.

    Why: at least one record of each pair must already exist in HubSpot; a key that names no
    row of this file must name a record already in the account, or the association fails
    (ASSOCIATION_RECORD_NOT_FOUND). A warning: the record may well exist. A key that is no
    email address (domain name) names no record at all, even where a row has it (that row fails
    too: HS212, HS213): the message says the association fails. Reported once per key, at the
    first row that uses it.
    Example: a company hierarchy whose Parent column names `globex.example`, which no row has.
    Fix: add the parent to the file, or check that it exists in HubSpot with that identifier.
    """

    code = "HS332"
    name = "association-key-unmatched"
    severity = Severity.WARNING
    hubspot_error = "ASSOCIATION_RECORD_NOT_FOUND"

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.pairs: list[tuple[Column, Column, KeySet, KeySet]] = []

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.pairs = []
        for column in _keys_columns(file):
            own = _own_column(file, column, self.catalog)
            if own is not None:
                self.pairs.append((column, own, KeySet(keep_values=True), KeySet()))
        yield from ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        lines = chunk.lines if len(chunk.lines) == len(chunk.frame) else chunk.rows
        line_of = pd.Series(lines, index=chunk.frame.index)
        for column, own, refs, rows in self.pairs:
            prop = column.spec.property_name if column.spec else None
            norm = normaliser(prop)
            mine = norm(chunk.column(own.index))
            filled = np.flatnonzero((mine != "").to_numpy(dtype=bool))
            rows.add(hashes(mine.iloc[filled]), chunk.rows[filled])
            raw = split_cells(chunk.column(column.index), address_lists(prop))
            raw = raw[raw != ""]
            keys = norm(raw)
            refs.add(hashes(keys), raw.index.to_numpy(dtype=np.int64),
                     line_of.reindex(raw.index).to_numpy(dtype=np.int64), raw.to_numpy(dtype=object))
        yield from ()

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        for column, _own, refs, rows in self.pairs:
            prop = column.spec.property_name if column.spec else None
            # (a Record ID key that is no id is HS330's error)
            bad = unusable(prop, refs.values) if prop != RECORD_ID else np.empty(0, np.intp)
            idx = np.union1d(refs.missing_from(rows), bad)
            if len(idx):
                yield stored_batch(self, file.name, file.sheet, column, refs, idx,
                                   _unmatched(prop, frozenset(refs.values[bad])))
        self.pairs = []


def _unmatched(prop: str | None, bad: frozenset[str]) -> Callable[[str], str]:
    def render(value: str) -> str:
        if value in bad:
            return (f"key {quote(value)} is not {FORMS[prop or '']}, so it names no record, in this file or "
                    "in the account: the association fails")
        return f"key {quote(value)} matches no row of this file: the record must already exist in the account"
    return render
