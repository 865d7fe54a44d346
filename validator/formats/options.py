"""Single checkbox and enumeration cells (fact sheet 6): the words a checkbox accepts, and cells
matched against an enumeration's options by label or internal value (``OptionSet``,
``match_options`` -> ``EnumMatch``), exactly or with letter case set aside, one option or a
``;``-separated list of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from validator.catalog import Option, builtin
from validator.formats.arrays import arrow, as_mask, blank, distinct_cells, fold, fold_texts
from validator.memo import ByIdentity

_FACTS = builtin().raw.get("formats", {})
BOOL_TRUE: tuple[str, ...] = tuple(_FACTS.get("bool_true", ("true", "yes")))
BOOL_FALSE: tuple[str, ...] = tuple(_FACTS.get("bool_false", ("false", "no")))


def bools(values: pd.Series | pa.Array) -> np.ndarray:
    """True for cells a single checkbox accepts: True / Yes / False / No, in any case [V] S6
    (case not documented [GAP]; we accept any case, as the object API's own form is ``true``)."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    return as_mask(pc.is_in(pc.utf8_lower(arr), value_set=pa.array([*BOOL_TRUE, *BOOL_FALSE])))


@dataclass(frozen=True, slots=True)
class OptionSet:
    """An enumeration's options as lookup sets (label or internal value, fact sheet 4.4)."""

    exact: frozenset[str]
    folded: frozenset[str]
    ambiguous: frozenset[str]  # one option's label and another's internal value
    folded_ambiguous: frozenset[str]
    # the four sets above as Arrow arrays for ``pc.is_in``, made with them, not for every chunk
    arrays: tuple[pa.Array, ...] = field(default=(), compare=False, repr=False)
    # each folded text -> the first label or value that folds to it (HS210 names the option meant)
    meant: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.arrays:
            sets = (self.exact, self.folded, self.ambiguous, self.folded_ambiguous)
            object.__setattr__(self, "arrays", tuple(pa.array(sorted(s), type=pa.string()) for s in sets))

    @classmethod
    def of(cls, options: Iterable[Option]) -> OptionSet:
        """The sets of ``options``; a property's tuple of options is folded once, not in every
        chunk (a portal property of 100,000 options took 0.3 s a chunk and column)."""
        if isinstance(options, tuple):
            return _OPTION_SETS.get(options, cls._of)
        return cls._of(options)

    @classmethod
    def _of(cls, options: Iterable[Option]) -> OptionSet:
        opts = [o for o in options]
        exact = {o.label for o in opts} | {o.value for o in opts}
        by_label = {o.label: o.value for o in opts}
        ambiguous = {o.value for o in opts if o.value in by_label and by_label[o.value] != o.value}
        folded: dict[str, set[str]] = {}
        meant: dict[str, str] = {}
        pairs = [(t, o.value) for o in opts for t in (o.label, o.value)]
        for (text, value), key in zip(pairs, fold_texts(t for t, _v in pairs), strict=True):
            folded.setdefault(key, set()).add(value)
            if text:
                meant.setdefault(key, text)
        return cls(frozenset(exact), frozenset(folded), frozenset(ambiguous),
                   frozenset(k for k, v in folded.items() if len(v) > 1), meant=meant)


# the OptionSet of each tuple of options, made once a run (or a schema)
_OPTION_SETS: ByIdentity[tuple[Option, ...], OptionSet] = ByIdentity()


@dataclass(frozen=True, slots=True, eq=False)
class EnumMatch:
    blank: np.ndarray
    exact: np.ndarray  # every item equals a label or internal value
    folded: np.ndarray  # every item equals one ignoring case
    ambiguous: np.ndarray  # some item is one option's label and another's value
    spaced: np.ndarray  # multiple checkboxes: a space after ';'

    @property
    def unmatched(self) -> np.ndarray:
        return ~(self.blank | self.folded)


def match_options(values: pd.Series | pa.Array, options: OptionSet, *, multiple: bool = False) -> EnumMatch:
    """Cells against an enumeration's options. ``multiple``: ``a;b`` items, a leading ``;``
    appends [V] S6, S16; empty items are skipped."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    if not multiple:
        clean = _all_options(arr, options)
        if clean is not None:
            return clean
    distinct = distinct_cells(arr)
    if distinct is not None:  # dropdown columns repeat a few options: match each distinct text once
        texts, at = distinct
        m = match_options(texts, options, multiple=multiple)
        return EnumMatch(blank=m.blank[at], exact=m.exact[at], folded=m.folded[at], ambiguous=m.ambiguous[at],
                         spaced=m.spaced[at])
    n = len(arr)
    empty = blank(arr)
    if multiple:
        lists = pc.split_pattern(arr, ";")
        raw_items = pc.list_flatten(lists)
        parent = np.asarray(pc.list_parent_indices(lists).to_numpy(zero_copy_only=False))
        items = pc.utf8_trim_whitespace(raw_items)
        skip = blank(items)
        # a space (any Unicode one, as the trim takes) beside a ';': at the start of an item after
        # the first, or at the end of one before the last (the cell's own ends are HS409's)
        length = np.asarray(pc.utf8_length(raw_items).to_numpy(zero_copy_only=False))
        lead = length != np.asarray(pc.utf8_length(pc.utf8_ltrim_whitespace(raw_items)).to_numpy(zero_copy_only=False))
        trail = length != np.asarray(pc.utf8_length(pc.utf8_rtrim_whitespace(raw_items)).to_numpy(zero_copy_only=False))
        first = np.ones(len(parent), dtype=bool)
        first[1:] = parent[1:] != parent[:-1]
        last = np.ones(len(parent), dtype=bool)
        last[:-1] = parent[:-1] != parent[1:]
        spaced_items = (lead & ~first) | (trail & ~last)
    else:
        items, parent, skip = arr, np.arange(n), empty
        spaced_items = np.zeros(n, dtype=bool)

    def any_row(item_mask: np.ndarray) -> np.ndarray:
        if not multiple:
            return item_mask
        out = np.zeros(n, dtype=bool)
        out[parent[item_mask]] = True  # setting True is idempotent: the same as logical_or.at
        return out

    exact_set, folded_set, ambiguous_set, folded_ambiguous_set = options.arrays
    exact_i = as_mask(pc.is_in(items, value_set=exact_set))
    folded_items = fold(items)
    folded_i = exact_i | as_mask(pc.is_in(folded_items, value_set=folded_set))
    amb_i = as_mask(pc.is_in(items, value_set=ambiguous_set))
    amb_i |= ~exact_i & as_mask(pc.is_in(folded_items, value_set=folded_ambiguous_set))
    return EnumMatch(blank=empty, exact=~any_row(~exact_i & ~skip) & ~empty,
                     folded=~any_row(~folded_i & ~skip) & ~empty, ambiguous=any_row(amb_i & ~skip),
                     spaced=any_row(spaced_items & ~skip) & ~empty)


def _all_options(arr: pa.Array | pa.ChunkedArray, options: OptionSet) -> EnumMatch | None:
    """``match_options`` of single-option cells where every filled cell is an option's label or
    internal value as written (a clean dropdown column: most chunks), by one lookup of the cells
    among them, without finding the distinct texts first (``distinct_cells``, twice the time);
    None where some filled cell is not one. Such a cell also matches ignoring case, and is
    ambiguous exactly where it is one option's label and another's value as written."""
    exact_set, _folded, ambiguous_set, _folded_ambiguous = options.arrays
    exact = as_mask(pc.is_in(arr, value_set=exact_set))
    empty = blank(arr)
    if not (exact | empty).all():
        return None
    filled = ~empty
    none = np.zeros(len(filled), dtype=bool)
    ambiguous = as_mask(pc.is_in(arr, value_set=ambiguous_set)) & filled if len(ambiguous_set) else none
    return EnumMatch(blank=empty, exact=exact & filled, folded=filled, ambiguous=ambiguous, spaced=none.copy())
