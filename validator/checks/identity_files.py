"""An identifier repeated across files (HS324): the same email, domain, Record ID or unique
value in two files of one import that both import the object.

Each file's keys are the set its own duplicate rules fill (``shared_set``, filled once per chunk
by ``first_seen``); a later file's keys are looked up in the sets of the earlier files of its
object, so memory is what the duplicate rules already hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from validator.checks._key_forms import unusable
from validator.checks.base import CatalogRule, Hit, quote
from validator.checks.identity import _dedupes
from validator.checks.multiobject import record_objects
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.keys import KeySet, cell_keys, first_seen, id_kind, key_batch, shared_set
from validator.readers.base import Chunk


class IdentifierInAnotherFile(CatalogRule):
    """The same email, domain, Record ID or unique value identifies a row in two files of one
    import that both import that object.

    Why: HubSpot matches each row to a record by its identifier across the whole import (fact
    sheet 2.2: DUPLICATE_ALTERNATE_ID, DUPLICATE_OBJECT_ID are "in more than one row of the
    import"); two files naming one record either update it twice, the later overwriting the
    earlier, or fail as duplicates. Which of the two is not documented for several files of one
    object ([GAP]), hence a warning. Values are compared as HS301-HS303 compare them; files
    with several objects, domains of companies deduplicated otherwise (HS309) and values that
    are no identifier (HS212, HS213, HS305) are left out, as those rules leave them. The finding
    is on the later file's row and names the earlier file's first row with the value.
    Example: `ann@example.com` in row 2 of contacts-a.csv and `Ann@example.com` in row 7 of
    contacts-b.csv.
    Fix: keep each record in one file (merge the two rows), or correct the identifier.
    """

    code = "HS324"
    name = "identifier-in-another-file"
    severity = Severity.WARNING
    spans_files = True  # a file's identifiers are kept for the files after it, even where it is ignored

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        # per (object, property): the files read so far, with their keys of that property
        self.earlier: dict[tuple[str, str | None], list[tuple[str, KeySet]]] = {}
        self.columns: list[tuple[Column, tuple[str, str | None]]] = []

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.columns = []
        objects = record_objects(file.spec)
        if len(objects) != 1:
            return
        for c in file.columns:
            s = c.spec
            if s is None or s.object_type_id != objects[0] or id_kind(s, self.catalog) is None:
                continue
            if s.object_type_id == "0-2" and s.property_name == "domain" and any(
                    o.spec is not None and o is not c and _dedupes(o.spec, self.catalog) for o in file.columns):
                continue  # companies that may share a domain (HS309)
            self.columns.append((c, (s.object_type_id, s.property_name)))
        yield from ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, slot in self.columns:
            first_seen(chunk, file, column, slot[1])  # (fills the file's set for later files)
            pos, keys = cell_keys(chunk, column, slot[1])
            left = np.ones(len(pos), bool)
            for name, seen in self.earlier.get(slot, ()):
                found, rows = seen.first_rows(keys)
                found &= left
                if found.any():
                    at = np.flatnonzero(found)
                    at = np.delete(at, unusable(slot[1], chunk.column(column.index).to_numpy(dtype=object)[pos[at]]))
                    left[found] = False
                    if len(at):
                        yield key_batch(self, chunk, file, column, pos[at], rows[at], _in_file(name))

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        for column, slot in self.columns:
            self.earlier.setdefault(slot, []).append((file.name, shared_set(file, column, slot[1])))
        self.columns = []
        yield from ()


def _in_file(name: str) -> Callable[[str, int], str]:
    return lambda value, row: (f"identifier {quote(value)} is also in row {row} of {name}, which imports the "
                               "same object: both rows name one record")
