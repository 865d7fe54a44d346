"""Several objects in one file (fact sheet 1.4, 5; [V] S5, S6): which objects a file's rows
describe, an identifier for each (HS320), and association label columns and their labels (HS321,
HS322); with the helpers the other single-file association rules (``multiobject_keys``,
``multiobject_counts``) share: the column types, the objects a file imports and the `;`-split
cells of an association column.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pandas as pd

from validator.checks.associations import multi_file
from validator.checks.base import CatalogRule, Hit, Rule, quote, with_values
from validator.context import FileContext, ImportContext
from validator.findings import Severity
from validator.keys import id_kind, is_foreign, split_quoted
from validator.readers.base import Chunk
from validator.request import ColumnSpec, FileSpec

LABEL = "FLEXIBLE_ASSOCIATION_LABEL"
KEYS = "ASSOCIATION_KEYS"
EVENT = "EVENT_TIMESTAMP"


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


class TargetWithoutAssociationType(Rule):
    """A single-file import's column points to another object but has no foreignKeyType.

    Why: HubSpot documents `toColumnObjectTypeId` only together with the `foreignKeyType`
    ({associationTypeId, associationCategory}) that names the association to make ([V] S5, its
    `Company ID` example and the two-file one). In a multi-file import a common column without it
    is HS311's error; in one file what HubSpot does is not documented [GAP]: most likely the
    records import and the association is not made, hence a warning. Label columns
    (`FLEXIBLE_ASSOCIATION_LABEL`) and same-object keys (`ASSOCIATION_KEYS`) need none.
    Example: a contacts file's `Company` column with `"toColumnObjectTypeId": "0-2"` and no
    foreignKeyType.
    Fix: add `"foreignKeyType": {"associationTypeId": 279, "associationCategory": "HUBSPOT_DEFINED"}`
    (the id for the two objects and the direction; the message lists HubSpot's own).
    """

    code = "HS326"
    name = "target-without-association-type"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        if multi_file(ctx.spec):
            return  # (HS311's error there)
        cat = ctx.catalog
        for f in ctx.spec.files:
            for c in f.columns:
                if (c.ignored or c.to_object_type is None or c.foreign_key is not None
                        or c.column_type in (LABEL, KEYS)):
                    continue
                src, dst = c.object_type_id, c.to_object_type_id
                ids = dict.fromkeys(f"{a.id}{f' ({a.label})' if a.label else ''}"
                                    for a in cat.types_between(src, dst) if a.category == "HUBSPOT_DEFINED")
                known = (f" (HUBSPOT_DEFINED ids from {cat.object_label(src)} to {cat.object_label(dst)}: "
                         f"{', '.join(ids)})" if ids else "")
                yield self.finding(
                    f"column {quote(c.column_name or '')} points to {cat.object_label(dst)} but has no "
                    "foreignKeyType: HubSpot documents toColumnObjectTypeId only with the foreignKeyType that "
                    f"names the association type, so the association will likely not be made{known}",
                    file=ctx, pointer=c.at("foreignKeyType"))


class AssociationLabelNotFound(CatalogRule):
    """An association label does not exist in the portal for that pair of objects.

    Why: labels must be created before the import; a label the portal lacks fails the row's
    association with ASSOCIATION_LABEL_NOT_FOUND. Cells may hold several labels separated by
    `;`. Checked only with a portal snapshot holding the pair's labels
    (GET /crm/v4/associations/{from}/{to}/labels). A label that matches one only when letter
    case is ignored is HS323's.
    Example: `Manager;Billing contact` where the portal has only `Manager`.
    Fix: create the label in HubSpot (Settings > Objects > Associations) or correct its spelling.
    """

    code = "HS322"
    name = "association-label-not-found"
    hubspot_error = "ASSOCIATION_LABEL_NOT_FOUND"
    folded = False  # HS322: labels that match none, even ignoring case; HS323: only ignoring case

    def known(self, c: ColumnSpec) -> set[str] | None:
        labels = self.catalog.labels_between(c.object_type_id, c.to_object_type_id)
        if labels is None:
            return None
        builtin = {a.label for a in self.catalog.types_between(c.object_type_id, c.to_object_type_id) if a.label}
        return {*labels, *builtin}

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column in with_values(chunk, file.mapped(LABEL)):
            assert column.spec is not None
            known = self.known(column.spec)
            if known is None:
                continue
            by_case = {k.casefold(): k for k in sorted(known)}
            parts = split_cells(chunk.column(column.index))
            parts = parts[(parts != "") & ~parts.isin(known)]
            parts = parts[parts.str.casefold().isin(by_case) == self.folded]
            if not len(parts):
                continue
            mask = chunk.frame.index.isin(parts.index.unique())

            def named(value: str, known: set[str] = known, by_case: dict[str, str] = by_case) -> list[str]:
                found = [p.strip() for p in value.split(";") if p.strip() and p.strip() not in known]
                return [p for p in found if (p.casefold() in by_case) == self.folded]

            def message(value: str, by_case: dict[str, str] = by_case) -> str:
                if self.folded:
                    return "association label(s) " + ", ".join(
                        f"{quote(p)} (the pair's label is {quote(by_case[p.casefold()])})" for p in named(value)) + \
                        " match a label of this object pair only when letter case is ignored"
                return (f"association label(s) {', '.join(quote(m) for m in named(value))} do not exist for "
                        "this object pair")

            yield from self.cells(chunk, file, column, mask, message)


class AssociationLabelCase(AssociationLabelNotFound):
    """An association label matches one of the object pair's labels only when letter case is
    ignored.

    Why: HubSpot does not document whether association labels are matched without regard to
    case [GAP]; if they are not, the row's association fails with ASSOCIATION_LABEL_NOT_FOUND.
    A warning, as an option that matches only ignoring case is (HS210).
    Example: `manager` where the portal's label is `Manager`.
    Fix: write the label exactly as the portal has it.
    """

    code = "HS323"
    name = "association-label-case"
    severity = Severity.WARNING
    folded = True
