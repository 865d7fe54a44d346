"""How many records a row or record is associated with in one file (fact sheet 5; [V] S6): a
line item naming more than one parent deal or quote (HS340), a cell naming one associated record
twice (HS318) and a record past the configured association limit (HS341), with the helpers that
find the columns naming associated records and compare their ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import numpy as np

from validator.catalog import Catalog
from validator.checks._facts import rows_with
from validator.checks.base import CatalogRule, Hit, quote
from validator.checks.multiobject import KEYS, LABEL, split_cells
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.keys import (
    RECORD_ID,
    KeySet,
    address_lists,
    hashes,
    id_kind,
    is_foreign,
    normaliser,
    part_keys,
    repeated_parts,
    stored_batch,
)
from validator.readers.base import Chunk
from validator.request import ColumnSpec

PARENTS = ("0-3", "0-14")  # deals, quotes


def _parent_columns(file: FileContext, catalog: Catalog) -> list[Column]:
    """Columns naming a line item's parent deal or quote ([V] KB: deal Record ID or deal name)."""
    out = []
    for c in file.columns:
        s = c.spec
        if s is None or s.ignored:
            continue
        pointing = s.object_type_id == "0-8" and s.to_object_type_id in PARENTS and is_foreign(s)
        naming = s.object_type_id in PARENTS and (id_kind(s, catalog) is not None or s.property_name == "dealname")
        if pointing or naming:
            out.append(c)
    return out


class LineItemMultipleParents(CatalogRule):
    """A line item row names more than one parent deal or quote.

    Why: a line item belongs to one deal or quote; HubSpot fails such rows with
    LINE_ITEM_MULTIPLE_PARENTS_IN_ROW (2026-09 errorType list). Several parents come from a
    deal and a quote in one row, from `;`-separated ids in one cell, or from two columns of deal
    Record IDs holding different ids (a deal's Record ID and its name in one row name one deal;
    `101` and `0101` are one Record ID).
    Example: a line item row with both a Deal ID and a Quote ID, Deal ID `101;102`, or Deal ID
    `101` beside Renewal Deal ID `102`.
    Fix: give each line item one parent; repeat the line item row for another deal.
    """

    code = "HS340"
    name = "line-item-multiple-parents"
    hubspot_error = "LINE_ITEM_MULTIPLE_PARENTS_IN_ROW"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if "0-8" not in file.spec.objects:
            return
        parents = _parent_columns(file, self.catalog)
        if not parents:
            return
        # a deal named by its Record ID and its name is one parent: parents are counted per
        # object, the most any one way of naming it names; ids compared alike (Record IDs in a
        # pointing column and in the deal's own column) are counted together, so 101 and 102 in
        # two columns are two deals; ";" separates ids, not names (a deal's name may hold one)
        per_object: dict[str, np.ndarray] = {}
        ids: dict[tuple[str, str | None], list[tuple[np.ndarray, np.ndarray]]] = {}
        for c in parents:
            s = c.spec
            assert s is not None
            obj = (s.to_object_type_id if is_foreign(s) else s.object_type_id) or ""
            if s.property_name == "dealname" and not is_foreign(s):
                filled = (chunk.column(c.index).str.strip() != "").to_numpy(dtype=bool)
                per_object[obj] = np.maximum(per_object.get(obj, 0), filled.astype(np.int64))
                continue
            how = _parent_comparison(s)
            at, keys, _shown = part_keys(chunk, c, how)
            ids.setdefault((obj, how), []).append((at, keys))
        for (obj, _how), found in ids.items():
            # distinct ids per row: `101;101`, or 101 in two columns, name one deal (HS318's repeat)
            per_object[obj] = np.maximum(per_object.get(obj, 0), _distinct_per_row(found, len(chunk)))
        bad = sum(per_object.values(), np.zeros(len(chunk), np.int64)) > 1
        yield from self.cells(chunk, file, parents[0], bad,
                              "line item row names more than one parent deal or quote")


def _parent_comparison(spec: ColumnSpec) -> str | None:
    """How a line item's parent ids are compared: Record IDs as Record IDs, whether the column
    points at the deal (HUBSPOT_OBJECT_ID) or is the deal's own Record ID column."""
    if spec.column_type == "HUBSPOT_OBJECT_ID" or spec.property_name == RECORD_ID:
        return RECORD_ID
    return _id_comparison(spec)


def _distinct_per_row(found: list[tuple[np.ndarray, np.ndarray]], rows: int) -> np.ndarray:
    """The number of distinct keys each row of the chunk holds, over (positions, key hashes) of
    several columns compared alike."""
    at = np.concatenate([a for a, _k in found]).astype(np.int64)
    keys = np.concatenate([k for _a, k in found])
    if not len(at):
        return np.zeros(rows, np.int64)
    order = np.lexsort((keys, at))
    at, keys = at[order], keys[order]
    first = np.ones(len(at), bool)
    first[1:] = (at[1:] != at[:-1]) | (keys[1:] != keys[:-1])
    return np.bincount(at[first], minlength=rows).astype(np.int64)


def _id_comparison(spec: ColumnSpec) -> str | None:
    """How a column's ids are compared: a pointing column's as Record IDs where it holds them."""
    if is_foreign(spec) and spec.column_type == "HUBSPOT_OBJECT_ID":
        return RECORD_ID
    return spec.property_name


def _association_id_columns(file: FileContext, catalog: Catalog) -> list[tuple[Column, str | None]]:
    """Columns whose cells name associated records, several separated by `;`, with how their
    ids are compared: same-object keys, Record IDs of records of another object, and the ids
    naming a line item's parent."""
    out: list[tuple[Column, str | None]] = []
    parents = _parent_columns(file, catalog) if "0-8" in file.spec.objects else []
    for c in file.columns:
        s = c.spec
        if s is None or s.ignored or s.column_type == LABEL:
            continue
        pointing_ids = is_foreign(s) and s.column_type != KEYS and (
            s.column_type == "HUBSPOT_OBJECT_ID" or s.property_name == RECORD_ID)
        parent = c in parents and (is_foreign(s) or s.property_name != "dealname")
        if s.column_type == KEYS or pointing_ids or parent:
            out.append((c, _id_comparison(s)))
    return out


class DuplicateAssociationId(CatalogRule):
    """A cell of associated records names the same record twice.

    Why: a same-object association column (`ASSOCIATION_KEYS`) takes several identifiers
    separated by `;` (fact sheet 5, [V] KB), each naming one record to associate; a cell of
    Record IDs pointing to another object, or naming a line item's parent, may be written so
    too. An identifier given twice names one association twice: HubSpot's DUPLICATE_ASSOCIATION_ID
    is, by its name, this repeat ([I]: its meaning is not documented), hence a warning.
    Identifiers are compared as HubSpot compares them: emails without regard to case, domains
    as their host, Record IDs as numbers (`0101` is `101`). A line item's parent given twice is
    one parent (HS340 counts distinct ones).
    Example: `globex.example;Globex.example` in a company's Parent company column, or Deal ID
    `101;101` on a line item.
    Fix: give each associated record once in the cell.
    """

    code = "HS318"
    name = "duplicate-association-id"
    severity = Severity.WARNING
    hubspot_error = "DUPLICATE_ASSOCIATION_ID"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in _association_id_columns(file, self.catalog):
            if not rows_with(chunk, column.index, b";").any():
                continue  # no list in the column: nothing to split (most pointing id columns)
            at, _shown = repeated_parts(chunk, column, prop)
            if not len(at):
                continue
            bad = np.zeros(len(chunk), bool)
            bad[at] = True
            yield from self.cells(chunk, file, column, bad,
                                  "{value} names the same associated record more than once")


class AssociationLimitExceeded(CatalogRule):
    """A record is associated with more records of one object than the configured limit.

    Why: HubSpot limits associations per record and object pair (ASSOCIATION_LIMIT_EXCEEDED);
    the limit depends on the pair and the account, so this rule is off until `limit` is set.
    Counted within one file: distinct associated keys per record, across its rows and
    `;`-separated keys, and for a record named in a pointing or keys column, the distinct records
    naming it (three companies naming one contact).
    Example: with `limit = 2`, a company whose hierarchy column names three child companies.
    Fix: split the associations over several imports after checking the portal's limits, or
    remove the extra associations.
    """

    code = "HS341"
    name = "association-limit-exceeded"
    hubspot_error = "ASSOCIATION_LIMIT_EXCEEDED"
    options: ClassVar[Mapping[str, Any]] = {"limit": 0}

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.pairs: list[tuple[Column, Column, KeySet, KeySet, list[np.ndarray]]] = []
        # a pointing or keys column's side: the records its keys name, each counted too (three
        # companies naming one contact give the contact three associations)
        self.named: dict[int, tuple[KeySet, list[np.ndarray]]] = {}

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.pairs = []
        if int(self.opt["limit"]) <= 0:
            return
        owners = [c for c in file.columns if c.spec is not None and id_kind(c.spec, self.catalog)]
        targets = [c for c in file.columns if c.spec is not None and not c.spec.ignored
                   and (is_foreign(c.spec) or c.spec.column_type == KEYS)]
        targets += owners
        for own in owners:
            for other in targets:
                assert own.spec is not None and other.spec is not None
                same = other.spec.object_type_id == own.spec.object_type_id
                # keys and pointing columns belong to their own object's records; an identifier
                # column of another object in the same row is an association of each record
                points = other.spec.column_type == KEYS or is_foreign(other.spec)
                if other is own or same != points:
                    continue
                self.pairs.append((own, other, KeySet(keep_values=True), KeySet(), []))
                if points:
                    self.named[len(self.pairs) - 1] = (KeySet(keep_values=True), [])
        yield from ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for n, (own, other, records, links, owners) in enumerate(self.pairs):
            mine = normaliser(own.spec.property_name if own.spec else None)(chunk.column(own.index))
            prop = other.spec.property_name if other.spec else None
            parts = split_cells(chunk.column(other.index), address_lists(prop))
            parts = parts[parts != ""]
            ids = mine.reindex(parts.index)
            ok = (ids != "").to_numpy(dtype=bool)
            a = hashes(ids[ok])
            b = hashes(normaliser(prop)(parts[ok]))
            pair = a ^ (b * np.uint64(0x9E3779B97F4A7C15))  # distinct (record, associated key) pairs
            uniq, first = np.unique(pair, return_index=True)
            found, _ = links.find(uniq)
            owners.append(a[first[~found]])
            links.add(uniq[~found], np.zeros(int((~found).sum()), np.int64))
            if n in self.named:  # the named records' side of the new pairs, and where each is first named
                named, counted = self.named[n]
                counted.append(b[first[~found]])
                at = chunk.frame.index.get_indexer(parts.index[ok])
                lines = chunk.lines[at] if len(chunk.lines) == len(chunk.frame) else None
                named.add(b, chunk.rows[at], lines, parts[ok].to_numpy())
            filled = np.flatnonzero((mine != "").to_numpy(dtype=bool))
            lines = chunk.lines[filled] if len(chunk.lines) == len(chunk.frame) else None
            records.add(hashes(mine.iloc[filled]), chunk.rows[filled], lines,
                        chunk.column(own.index).to_numpy()[filled])
        yield from ()

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        limit = int(self.opt["limit"])
        for own, other, records, _links, owners in self.pairs:
            if not owners:
                continue
            keys, counts = np.unique(np.concatenate(owners), return_counts=True)
            over = keys[counts > limit]
            if not len(over):
                continue
            found, at = records.find(over)
            idx = at[found]
            yield stored_batch(self, file.name, file.sheet, own, records, idx, _over(limit, other.label or "?"))
        for n, (named, counted) in self.named.items():
            if not counted:
                continue
            keys, counts = np.unique(np.concatenate(counted), return_counts=True)
            over = keys[counts > limit]
            if len(over):
                found, at = named.find(over)
                other = self.pairs[n][1]
                yield stored_batch(self, file.name, file.sheet, other, named, at[found],
                                   _named_over(limit, other.label or "?"))
        self.pairs, self.named = [], {}


def _over(limit: int, label: str) -> Callable[[str], str]:
    return lambda value: f"{quote(value)} has more than {limit} associations through column {quote(label)}"


def _named_over(limit: int, label: str) -> Callable[[str], str]:
    return lambda value: f"{quote(value)} is named by more than {limit} records in column {quote(label)}"
