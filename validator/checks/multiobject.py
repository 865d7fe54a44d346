"""Single-file association rules (HS320-HS349): several objects in one file, association labels,
same-object associations (ASSOCIATION_KEYS) and line items (fact sheet 1.4, 5; [V] S5, S6).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from validator.catalog import Catalog
from validator.checks._facts import rows_with
from validator.checks.base import CatalogRule, Hit, Rule, quote
from validator.context import Column, FileContext, ImportContext
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
    split_quoted,
    stored_batch,
)
from validator.readers.base import Chunk
from validator.request import ColumnSpec, FileSpec

LABEL = "FLEXIBLE_ASSOCIATION_LABEL"
KEYS = "ASSOCIATION_KEYS"
EVENT = "EVENT_TIMESTAMP"
POSITIVE_INT = r"\s*0*[1-9][0-9]*\s*"
PARENTS = ("0-3", "0-14")  # deals, quotes


def record_objects(f: FileSpec) -> list[str]:
    """Objects whose records a file's rows describe (label, key and pointing columns aside, and
    a line item's parent named by its Record ID or name: ``parent_reference``)."""
    seen: dict[str, None] = {}
    for c in f.columns:
        if (not c.ignored and c.object_type_id and c.column_type not in (LABEL, KEYS)
                and c.to_object_type is None):
            seen[c.object_type_id] = None
    return [obj for obj in seen if not parent_reference(f, obj)]


# what names a line item's parent deal or quote in its row ([V] KB: deal Record ID or deal name)
PARENT_NAMES = {"0-3": ("hs_object_id", "dealname"), "0-14": ("hs_object_id", "hs_title")}


def parent_reference(f: FileSpec, obj: str) -> bool:
    """Whether a line-item file's columns of ``obj`` (deals, quotes) only name each line item's
    parent: its Record ID or name, no other property. The parent is looked up, not imported."""
    names = PARENT_NAMES.get(obj)
    if names is None or not any(c.object_type_id == "0-8" and not c.ignored for c in f.columns):
        return False
    own = [c for c in f.columns if c.object_type_id == obj and not c.ignored and c.to_object_type is None
           and c.column_type not in (LABEL, KEYS)]
    return bool(own) and all(c.property_name in names for c in own)


def split_cells(cells: pd.Series, quoted: bool = False) -> pd.Series:
    """Each ``;``-separated part of each non-blank cell, trimmed, indexed by the cell's row; with
    ``quoted`` (a list of addresses: ``address_lists``), not at a ``;`` inside double quotes, as
    ``keys.split_list`` splits one (the cells holding a quote, in Python)."""
    filled = cells[(cells.str.strip() != "").to_numpy(dtype=bool)]
    lists = filled.str.split(";")
    if quoted:
        held = np.flatnonzero(filled.str.contains('"', regex=False).to_numpy(dtype=bool, na_value=False))
        if len(held):
            items = lists.to_numpy(dtype=object).copy()
            for i in held:
                items[i] = split_quoted(filled.iat[i])
            lists = pd.Series(items, index=filled.index, dtype=object)
    lengths = lists.str.len().to_numpy(dtype=np.int64)
    flat = np.fromiter(itertools.chain.from_iterable(lists), dtype=object, count=int(lengths.sum()))
    # the cells' own dtype: a column holding undecodable bytes is Python-backed and stays so
    parts = pd.Series(flat, index=np.repeat(filled.index.to_numpy(), lengths), dtype=cells.dtype)
    return parts.str.strip()


# activities: notes, meetings, calls, emails, tasks (fact sheet 3)
ACTIVITIES = frozenset({"0-46", "0-47", "0-48", "0-49", "0-27"})
# objects whose import rows are new records by nature: activities and line items
ALWAYS_NEW = ACTIVITIES | {"0-8"}


class MultiObjectMissingIdentifier(Rule):
    """A file with several objects has no identifier column for one of them.

    Why: in a single-file import of associated objects each row names one record of each
    object; without an identifier (Record ID, email, domain, a unique property) for an object,
    HubSpot cannot match its existing records and creates a duplicate on every row instead of
    associating ([V] KB "Set up your import file").
    Checked for objects imported with UPSERT, activities and line items aside (a new record per
    row is what importing them means), and marketing events given only by EVENT_TIMESTAMP columns
    (participation times of the request's `marketingEventObjectId`, no record of their own).
    Example: contacts with their companies in one file, companies given by Company Name only.
    Fix: add the company's domain (or Record ID) column and map it.
    """

    code = "HS320"
    name = "multi-object-missing-identifier"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for f in ctx.spec.files:
            objects = record_objects(f)
            if len(objects) < 2:
                continue
            for obj in objects:
                if ctx.spec.operation(obj) != "UPSERT" or obj in ALWAYS_NEW:
                    continue  # CREATE means new records, UPDATE never makes one (HS240 says so)
                columns = [c for c in f.columns if c.object_type_id == obj and not c.ignored]
                if all(c.column_type == EVENT for c in columns):
                    continue  # participation times of the request's marketing event: no record of their own
                if not any(id_kind(c, ctx.catalog) for c in columns):
                    yield self.finding(
                        f"{f.file_name} holds several objects, but none of its columns identifies "
                        f"{ctx.catalog.object_label(obj)}: each row creates a new record",
                        file=ctx, pointer=columns[0].pointer)


class LabelColumnMisconfigured(Rule):
    """An association label column lacks its objects, or the object it labels is not in its file.

    Why: a `FLEXIBLE_ASSOCIATION_LABEL` column's `columnObjectTypeId` is the object the
    association goes from and `toColumnObjectTypeId` the object it goes to; the records of both
    must be identified in the same file (in a multi-file import, the label column sits with the
    common column). Otherwise HubSpot cannot tell which pair to label.
    Example: a contacts file with an `Association label` column but no `toColumnObjectTypeId`.
    Fix: set both objects on the label column, and keep it in the file that names the
    associated records.
    """

    code = "HS321"
    name = "label-column-misconfigured"
    hubspot_error = "INVALID_COLUMN_CONFIGURATION"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        cat = ctx.catalog
        for f in ctx.spec.files:
            present = set(record_objects(f))
            present.update(c.to_object_type_id for c in f.columns
                           if c.to_object_type_id and (is_foreign(c) or c.column_type == KEYS))
            present.update(c.object_type_id for c in f.columns if c.column_type == KEYS and c.object_type_id)
            for c in f.columns:
                if c.ignored or c.column_type != LABEL:
                    continue
                if c.to_object_type is None:
                    yield self.finding(f"label column {quote(c.column_name or '')} has no toColumnObjectTypeId "
                                       "(the object the association goes to)", file=ctx,
                                       pointer=c.at("toColumnObjectTypeId"))
                    continue
                ends = ((c.object_type_id, "columnObjectTypeId"), (c.to_object_type_id, "toColumnObjectTypeId"))
                for obj, key in ends:
                    if obj is not None and obj not in present:
                        yield self.finding(
                            f"label column {quote(c.column_name or '')} labels associations with "
                            f"{cat.object_label(obj)}, but {f.file_name} has no column naming its records",
                            file=ctx, pointer=c.at(key))


class AssociationLabelNotFound(CatalogRule):
    """An association label does not exist in the portal for that pair of objects.

    Why: labels must be created before the import; a label the portal lacks fails the row's
    association with ASSOCIATION_LABEL_NOT_FOUND. Cells may hold several labels separated by
    `;`. Checked only with a portal snapshot holding the pair's labels
    (GET /crm/v4/associations/{from}/{to}/labels).
    Example: `Manager;Billing contact` where the portal has only `Manager`.
    Fix: create the label in HubSpot (Settings > Objects > Associations) or correct its spelling.
    """

    code = "HS322"
    name = "association-label-not-found"
    hubspot_error = "ASSOCIATION_LABEL_NOT_FOUND"

    def known(self, c: ColumnSpec) -> set[str] | None:
        labels = self.catalog.labels_between(c.object_type_id, c.to_object_type_id)
        if labels is None:
            return None
        builtin = {a.label for a in self.catalog.types_between(c.object_type_id, c.to_object_type_id) if a.label}
        return {*labels, *builtin}

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column in file.mapped(LABEL):
            assert column.spec is not None
            known = self.known(column.spec)
            if known is None:
                continue
            parts = split_cells(chunk.column(column.index))
            bad = parts[(parts != "") & ~parts.isin(known)]
            if not len(bad):
                continue
            mask = chunk.frame.index.isin(bad.index.unique())

            def message(value: str, known: set[str] = known) -> str:
                missing = [p.strip() for p in value.split(";") if p.strip() and p.strip() not in known]
                return f"association label(s) {', '.join(quote(m) for m in missing)} do not exist for this object pair"

            yield from self.cells(chunk, file, column, mask, message)


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
        for column in _keys_columns(file):
            assert column.spec is not None
            if column.spec.property_name != RECORD_ID:
                continue
            parts = split_cells(chunk.column(column.index))
            bad = parts[~parts.str.fullmatch(POSITIVE_INT)]
            if len(bad):
                yield from self.cells(chunk, file, column, chunk.frame.index.isin(bad.index.unique()),
                                      "{value} holds a key that is not a Record ID (a positive whole number)")


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
        for column in _keys_columns(file):
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
    (ASSOCIATION_RECORD_NOT_FOUND). A warning: the record may well exist. Reported once per
    key, at the first row that uses it.
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
            idx = refs.missing_from(rows)
            if len(idx):
                yield stored_batch(self, file.name, file.sheet, column, refs, idx,
                                   lambda v: f"key {quote(v)} matches no row of this file: the record must "
                                   "already exist in the account")
        self.pairs = []


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
