"""One record in several rows of a file with several objects (HS329): the same identifier with
other values for the record's properties.

In such a file a record repeated row after row is the file's shape (one contact beside each of
its deals), so the duplicate rules (HS301-HS303) leave it alone; what can go wrong is that the
rows disagree about the record. For each object's identifier column (its Record ID, else its
email, domain or other alternate id, else a unique value) and each other column of that
object, two KeySets: the row where a key first had a value in that column, and
the row where the key first had that value; a row whose key had a value before but not this
one gives another value. Memory follows the distinct keys and values, never the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
from pandas.core.util.hashing import combine_hash_arrays

from validator.checks.base import CatalogRule, Hit, quote
from validator.checks.multiobject import record_objects
from validator.checks.records import own_columns
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.keys import KeySet, cell_keys, hashes, id_kind, key_batch, normaliser
from validator.readers.base import Chunk

_PRIORITY = ("record", "alternate", "unique")
_SEP = "\x1f"  # between the cell and the key in the text a finding's message is made from


class RecordValuesDiffer(CatalogRule):
    """One record is in several rows of a file with several objects, with other values for its properties.

    Why: in a file of several objects each row describes associated records, and each object's
    identifier column is how HubSpot tells one record from a new one ([V] S6, fact sheet 1.4): a
    contact repeated beside each of its deals is one contact, the normal shape of such a file, and
    is not reported (HS301-HS303 report a repeated identifier only in a file of one object). When
    the rows give that record other values (another first name, another company name), HubSpot
    writes one record from all of them and only one value remains; which one is not documented
    ([I]), hence a warning. A blank cell changes nothing (fact sheet 6, [V] S6), so a blank beside
    a value is no difference, and neither is a multiple-checkbox cell starting with `;`, which adds
    its options. A record is told by its Record ID where the file has a column for it (HubSpot
    matches a row by it first: with one, a contact's secondary email becomes its primary, fact
    sheet 4.2, [V] S6), else by its email, domain or other alternate id, else by a unique value,
    compared as HS301-HS303 compare them (emails without regard to case, a domain as its host);
    other values are compared trimmed. The finding is at the cell that differs and names the row
    where the record first had a value in that column. Memory: two sets of 12 bytes an entry per
    column of the object, each entry a distinct record (or a record and one of its values).
    Example: `ann@x.com` with First Name `Ann` in row 2 and `Anne` in row 5 of a contacts-and-deals file.
    Fix: give the record the same values in every row, or leave its cells blank after the first.
    """

    code = "HS329"
    name = "record-values-differ"
    severity = Severity.WARNING

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        # per identifier column: the object's other columns, each with (key -> first row with a
        # value, key and value -> first row)
        self.plan: list[tuple[Column, list[tuple[Column, KeySet, KeySet]]]] = []

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.plan = []
        objects = record_objects(file.spec)
        if len(objects) > 1:
            for obj in objects:
                columns = own_columns(file, obj)
                kinds = {c.index: id_kind(c.spec, self.catalog) for c in columns if c.spec is not None}
                # the record's identifier as HubSpot matches it: its Record ID where the row has a
                # column for it, else its email, domain or other alternate id, else a unique value
                key = min((c for c in columns if kinds.get(c.index) is not None),
                          key=lambda c: _PRIORITY.index(kinds[c.index] or ""), default=None)
                others = [(c, KeySet(), KeySet()) for c in columns
                          if c is not key and c.spec is not None and c.spec.property_name]
                if key is not None and others:
                    self.plan.append((key, others))
        yield from ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for key, others in self.plan:
            prop = key.spec.property_name if key.spec else None
            pos, keys = cell_keys(chunk, key, prop)
            if not len(pos):
                continue
            for column, had, pairs in others:
                at, first = self._differing(chunk, column, pos, keys, had, pairs)
                if not len(at):
                    continue
                cells = chunk.column(column.index).iloc[at].to_numpy(dtype=object)  # the differing cells only
                named = chunk.column(key.index).iloc[at]
                shown = np.array([f"{c}{_SEP}{k}" for c, k in zip(cells, named, strict=True)], dtype=object)
                # keyed by the record's identifier as compared, whichever of its rows comes later
                yield key_batch(self, chunk, file, column, at, first, self._message(file, key, column),
                                shown=shown, keys=normaliser(prop)(named).to_numpy(dtype=object))

    def _differing(self, chunk: Chunk, column: Column, pos: np.ndarray, keys: np.ndarray, had: KeySet,
                   pairs: KeySet) -> tuple[np.ndarray, np.ndarray]:
        """(positions, row where the key first had a value in the column) of the cells giving a
        record another value than an earlier row gave it."""
        prop = column.spec.property_name if column.spec else None
        values = normaliser(prop)(chunk.column(column.index).iloc[pos])
        filled = np.array((values != "").to_numpy(dtype=bool, na_value=False))
        found = self.catalog.property_of(column.spec.object_type_id if column.spec else None, prop)
        if found is not None and found.multiple:  # `;a;b` adds options: no other value
            filled &= ~values.str.startswith(";").to_numpy(dtype=bool, na_value=False)
        at = pos[filled]
        if not len(at):
            return at, np.empty(0, np.int64)
        rows = chunk.rows[at]
        first = had.add(keys[filled], rows)
        both = np.asarray(combine_hash_arrays(iter([keys[filled], hashes(values[filled])]), 2), dtype=np.uint64)
        new_pair = pairs.add(both, rows) == rows
        other = (first != rows) & new_pair
        return at[other], first[other]

    def _message(self, file: FileContext, key: Column, column: Column) -> Callable[[str, int], str]:
        obj = self.catalog.object_label(key.spec.object_type_id if key.spec else None)
        what, by = quote(column.label or ""), quote(key.label or "")

        def message(text: str, row: int) -> str:
            cell, _, named = text.partition(_SEP)
            return (f"{quote(cell)} is not the {what} row {row} gives {obj} record {quote(named)} ({by}): "
                    "HubSpot writes one record from both rows, and only one of the values remains")
        return message
