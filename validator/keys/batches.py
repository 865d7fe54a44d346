"""Findings about keys as Batches: KeyBatch, whose message names another row (where a value was
first seen), made from a chunk's cells (``key_batch``), and StoredBatch, made after the rows have
gone from the values a KeySet keeps (``stored_batch``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from validator.checks.base import Batch, error_type
from validator.context import Column, FileContext
from validator.findings import Finding
from validator.keys.sets import KeySet
from validator.readers.base import Chunk


@dataclass(frozen=True, slots=True, eq=False)
class KeyBatch(Batch):
    """A Batch whose message also names another row (where a value was first seen)."""

    others: np.ndarray
    describe: Callable[[str, int], str]
    whole_row: bool
    shown: np.ndarray | None = None  # what the message names, where not the cell (a part of it)
    # the repeated value as compared (a lower-cased email, a domain's host), where the finding is
    # keyed by it (``value:<key>``), not by its row's record: whichever of the rows holding it
    # comes later after a re-sort, the finding keeps its key
    keys: np.ndarray | None = None

    def finding(self, i: int) -> Finding:
        f = Batch.finding(self, i)
        named = self.shown[i] if self.shown is not None else self.values[i]
        f = replace(f, message=self.describe(str(named), int(self.others[i])))
        if self.keys is not None:
            f = replace(f, key=f"value:{self.keys[i]}")
        return replace(f, column=None, column_name=None, value=None) if self.whole_row else f


def key_batch(rule: object, chunk: Chunk, file: FileContext, column: Column, pos: np.ndarray,
              others: np.ndarray, describe: Callable[[str, int], str], *, whole_row: bool = False,
              shown: np.ndarray | None = None, hubspot_error: str | None = None,
              keys: np.ndarray | None = None) -> KeyBatch:
    """Findings at chunk positions ``pos`` of ``column``, each naming the row in ``others``;
    ``shown``, where given, is the text each message names instead of the cell; ``keys``, where
    given, the value each finding is keyed by (``value:<key>``) instead of its row's record;
    ``hubspot_error``, where given, replaces the rule's errorType for these (``""``: none)."""
    values = chunk.column(column.index).to_numpy()[pos] if not whole_row else np.full(len(pos), "", object)
    lines = chunk.lines[pos] if len(chunk.lines) == len(chunk.frame) else None
    return KeyBatch(
        code=rule.code, rule=rule.name, hubspot_error=error_type(rule, hubspot_error),  # type: ignore[attr-defined]
        file=file.name, sheet=file.sheet, rows=chunk.rows[pos], lines=lines, column=column,
        values=values, message=lambda v: v, hint=rule.hint,  # type: ignore[attr-defined]
        others=others, describe=describe, whole_row=whole_row, shown=shown, keys=keys)


@dataclass(frozen=True, slots=True, eq=False)
class StoredBatch(Batch):
    """Findings about keys, made after their rows have gone (the rows' cells are not at hand):
    each keyed by its key's value (``value:<key>``), which inserting rows does not change."""

    def finding(self, i: int) -> Finding:
        f = Batch.finding(self, i)
        return replace(f, key=f"value:{str(self.values[i]).strip()}")


def stored_batch(rule: object, file: str, sheet: str | None, column: Column, keys: KeySet,
                 idx: np.ndarray, message: Callable[[str], str], *, hubspot_error: str | None = None) -> Batch:
    """Findings at the first rows of the keys ``idx`` of a KeySet kept with values;
    ``hubspot_error``, where given, replaces the rule's errorType for these (``""``: none)."""
    order = idx[np.argsort(keys.rows[idx], kind="stable")]
    values = keys.values[order]
    return StoredBatch(code=rule.code, rule=rule.name, hubspot_error=error_type(rule, hubspot_error),  # type: ignore[attr-defined]
                       file=file, sheet=sheet, rows=keys.rows[order], lines=keys.lines[order], column=column,
                       values=values, message=message, hint=rule.hint)  # type: ignore[attr-defined]
