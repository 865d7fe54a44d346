"""Properties against the catalog or portal snapshot: is each mapped property there and
writable (HS230-HS232), is a deal's or ticket's stage one of the row's pipeline (HS235), and does
an owner cell name one user of the portal (HS236, HS237), with the mapped properties the
header rules read and the owner lookup both owner rules share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from validator import formats
from validator.catalog import Owner, Pipeline, Property, Stage
from validator.checks._facts import blank_at
from validator.checks.base import Hit, quote
from validator.checks.records import _NO_PROPERTY_TYPES, all_blank, identifier_columns, objects_of, own_columns
from validator.checks.typed import ValueRule, cells
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.memo import ByIdentity
from validator.readers.base import Chunk
from validator.request import ColumnSpec


def _mapped_specs(file: FileContext) -> Iterator[ColumnSpec]:
    for spec in file.spec.columns:
        if (not spec.ignored and spec.property_name and spec.object_type_id
                and spec.column_type not in _NO_PROPERTY_TYPES):
            yield spec


class UnknownProperty(ValueRule):
    """A column is mapped to a property the portal snapshot does not have on that object.

    Why: HubSpot cannot write a property that does not exist: the column fails with
    PROPERTY_DEFINITION_NOT_FOUND. With a portal snapshot the object's property list is complete,
    so a name missing from it is certain to fail (custom properties must be created first).
    Example: `propertyName: "favourite_colour"` on contacts when the account has no such property.
    Fix: correct the internal name (labels are not names: `First Name` is `firstname`) or create
    the property in HubSpot and save the snapshot again.
    """

    code = "HS230"
    name = "unknown-property"
    hubspot_error = "PROPERTY_DEFINITION_NOT_FOUND"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        for spec in _mapped_specs(file):
            if (self.catalog.knows_all_properties(spec.object_type_id)
                    and self.catalog.property_of(spec.object_type_id, spec.property_name) is None):
                yield self.finding(
                    f"{spec.property_name!r} is not a property of {self.catalog.object_label(spec.object_type_id)} "
                    f"in the portal snapshot", file=file, pointer=spec.at("propertyName"), value=spec.property_name)


class PropertyNotInCatalog(ValueRule):
    """A column is mapped to a property the built-in catalog of standard properties does not list.

    Why: without a portal snapshot we know only HubSpot's common standard properties. A name that
    is not among them is either a custom property (fine, if it exists in the account) or a typo
    that fails with PROPERTY_DEFINITION_NOT_FOUND.
    A product's or line item's price in one currency of a multi-currency account
    (`hs_price_usd`, `hs_price_eur`: "Price <CUR>", fact sheet 4.3, [V] S6; the internal name
    [I]) is known for every ISO 4217 code written in lower case, and its values are checked as
    the `price`'s; another code (`hs_price_xyz`, `hs_price_USD`) is reported, the message saying
    what the name takes.
    Example: `propertyName: "first_name"` (the internal name is `firstname`); `hs_price_xyz`.
    Fix: check the internal name in HubSpot (Settings > Properties), or run with `--portal DIR`.
    """

    code = "HS231"
    name = "property-not-in-catalog"
    severity = Severity.INFO
    hubspot_error = "PROPERTY_DEFINITION_NOT_FOUND"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        for spec in _mapped_specs(file):
            obj = spec.object_type_id
            if (not self.catalog.knows_all_properties(obj) and self.catalog.properties(obj)
                    and self.catalog.property_of(obj, spec.property_name) is None):
                yield self.finding(
                    f"{spec.property_name!r} is not a standard property of {self.catalog.object_label(obj)} "
                    f"we know{_pattern_note(self.catalog.pattern_near(obj, spec.property_name))}; unless it is "
                    f"a custom property, HubSpot will not find it",
                    file=file, pointer=spec.at("propertyName"), value=spec.property_name)


def _pattern_note(pattern: Property | None) -> str:
    """What a name of a pattern's form lacks: ``hs_price_xyz`` names no currency."""
    if pattern is None:
        return ""
    form = pattern.name.replace("{currency}", "<code>")
    return f" ({form} takes an ISO 4217 currency code in lower case, such as {form.replace('<code>', 'usd')})"


class ReadOnlyProperty(ValueRule):
    """A column is mapped to a read-only or calculated property.

    Why: HubSpot sets these itself (`hs_lastmodifieddate`, analytics, counters, calculated
    amounts): their `modificationMetadata.readOnlyValue` or `calculated` flag is set (fact sheet
    4.1). An import cannot write them; the values are dropped [I].
    Example: `num_associated_deals` or `hs_lastmodifieddate` mapped in a contacts import.
    Fix: remove the mapping (or ignore the column).
    """

    code = "HS232"
    name = "read-only-property"
    severity = Severity.WARNING

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        for spec in _mapped_specs(file):
            prop = self.catalog.property_of(spec.object_type_id, spec.property_name)
            if prop is None or prop.writable or prop.name in self.catalog.identifiers(spec.object_type_id):
                continue
            what = "calculated" if prop.calculated else "read-only"
            yield self.finding(f"{prop.name!r} is {what}; HubSpot will not import this column",
                               file=file, pointer=spec.at("propertyName"), value=spec.property_name)


class StageNotInPipeline(ValueRule):
    """A deal or ticket stage is not a stage of the row's pipeline.

    Why: the stage must belong to the pipeline given in the row (the default pipeline when the
    row creates a record and names none) [V] S6; otherwise HubSpot fails the row with
    INVALID_REQUIRED_PROPERTY. A row that may update a record (every row of an UPDATE, a row of an
    UPSERT with its identifier) and names no pipeline keeps the record's own, which the file does
    not give: its stage need only be a stage of some pipeline. With a portal snapshot holding
    `pipelines/<object>.json` the account's own pipelines and stages apply, and the finding is an
    error. With `properties/<object>.json` but no pipelines file, the account's stages are known
    but not which pipeline each is in: only a stage the account does not have at all is reported
    ("not a stage of any pipeline"), an error. Otherwise (no snapshot, one with neither file, or
    a stage property there with no options, which says nothing of the account's stages)
    HubSpot's default pipeline applies ([3P]/[I], fact sheet 4.4), which accounts customise: the
    finding is a warning. A severity set in the configuration wins over both.
    Example: stage `closedwon` of the Sales Pipeline in a row whose pipeline is `Renewals`.
    Fix: use a stage (label or ID) of that pipeline.
    """

    code = "HS235"
    name = "stage-not-in-pipeline"
    severity_without_portal = Severity.WARNING
    hubspot_error = "INVALID_REQUIRED_PROPERTY"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for obj in objects_of(file):
            pipes = self.catalog.pipelines(obj)
            if not pipes:
                continue
            pipe_name, stage_name = self.catalog.pipeline_properties(obj)
            cols = {c.spec.property_name: c for c in own_columns(file, obj) if c.spec is not None}
            stage = cols.get(stage_name)
            if stage is None:
                continue
            own = obj in self.catalog.own_pipelines
            prop = self.catalog.property_of(obj, stage_name)
            if not own and prop is not None and prop.source == "portal" and prop.options:
                # the account's stages (its properties) without its pipelines: which pipeline a
                # stage is in is not known, only whether the account has the stage at all
                stages = Pipeline("", "", tuple(Stage(o.value, o.label) for o in prop.options))
                yield from self._check(chunk, file, (stages,), None, stage, np.ones(len(chunk), dtype=bool),
                                       by_default=False)
                continue
            yield from self._check(chunk, file, pipes, cols.get(pipe_name), stage, self._updating(chunk, file, obj),
                                   by_default=not own)

    def _updating(self, chunk: Chunk, file: FileContext, obj: str) -> np.ndarray:
        """Rows that may update an existing record: every row of an UPDATE, the rows of an UPSERT
        that give an identifier."""
        op = self.ctx.spec.operation(obj) if hasattr(self, "ctx") else "UPSERT"
        ids = identifier_columns(file, obj, self.catalog)
        if op == "CREATE" or (op == "UPSERT" and not ids):
            return np.zeros(len(chunk), dtype=bool)
        return np.ones(len(chunk), dtype=bool) if op == "UPDATE" else ~all_blank(chunk, ids)

    def _check(self, chunk: Chunk, file: FileContext, pipes: tuple[Pipeline, ...], pipe_col: Column | None,
               stage_col: Column, updating: np.ndarray, by_default: bool) -> Iterator[Hit]:
        default = next((p for p in pipes if p.id in ("default", "0")), pipes[0])
        stages = formats.fold(cells(chunk, stage_col))
        names = {k: p.id for p in pipes for k in formats.fold_texts((p.id, p.label))}
        if pipe_col is not None:
            raw = formats.fold(cells(chunk, pipe_col))
            keys = list(names)
            idx = pc.index_in(raw, value_set=pa.array(keys, type=pa.string()))
            ids = pa.array([names[k] for k in keys] or [""], type=pa.string())
            pid = pc.if_else(pc.equal(raw, ""), pa.scalar(default.id), pc.take(ids, pc.fill_null(idx, 0)))
            known = formats.blank(raw) | np.asarray(idx.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
            unnamed = formats.blank(raw)
        else:
            pid = pa.array([default.id] * len(stages), type=pa.string())
            known = unnamed = np.ones(len(stages), dtype=bool)
        valid = [f"{p.id}\x1f{t}" for p in pipes for s in p.stages for t in formats.fold_texts((s.id, s.label))]
        key = pc.binary_join_element_wise(pid, stages, "\x1f")
        ok = np.asarray(pc.is_in(key, value_set=pa.array(valid, type=pa.string())).to_numpy(zero_copy_only=False))
        bad = known & ~formats.blank(stages) & ~ok
        own = unnamed & updating  # the record keeps its own pipeline: any pipeline's stage may be right
        if own.any():
            any_stage = [t for p in pipes for s in p.stages for t in formats.fold_texts((s.id, s.label))]
            bad &= ~(own & formats.as_mask(pc.is_in(stages, value_set=pa.array(any_stage, type=pa.string()))))
            yield from self.cells(chunk, file, stage_col, bad & own, "{value} is not a stage of any pipeline",
                                  by_default=by_default)
            bad &= ~own
        labels = {p.id: p.label for p in pipes}
        pid_np = np.asarray(pid.to_numpy(zero_copy_only=False), dtype=object)
        for p in sorted(set(pid_np[bad].tolist())):  # each row named with its own pipeline
            yield from self.cells(chunk, file, stage_col, bad & (pid_np == p),
                                  _not_a_stage_of(labels.get(str(p), str(p))), by_default=by_default)


def _not_a_stage_of(pipeline: str) -> Callable[[str], str]:
    return lambda v: f"{quote(v)} is not a stage of the row's pipeline ({pipeline})"


class OwnerRule(ValueRule):
    """Owner cells against the owners in the portal snapshot (only with a snapshot). A
    multi-valued owner property (a checkbox of users: deal collaborators) takes several users
    separated by ``;`` [V] S6; each is looked up on its own, and a leading ``;`` (append) or an
    empty item is passed over, as for multiple checkboxes."""

    def wants(self, prop: Property) -> bool:
        return prop.format == "owner" or prop.referenced_object == "OWNER"

    def lookup(self, chunk: Chunk, column: Column, owners: Sequence[Owner] | None = None,
               multiple: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(found, several): by owner ID, email (any case) or full name (any case), among
        ``owners`` (default: every owner of the snapshot, archived ones too). ``multiple``: a
        cell is found when each of its users is, and several when one of them is."""
        arr = cells(chunk, column)
        empty = formats.blank(arr)
        if not multiple:
            found, several = self.match(arr, owners)
            return found & ~empty, several
        items, parent = user_items(arr)
        found, several = self.match(items, owners)
        skip = formats.blank(items)
        return ~_any_item(len(arr), parent, ~found & ~skip) & ~empty, _any_item(len(arr), parent, several & ~skip)

    def match(self, arr: pa.Array, owners: Sequence[Owner] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(found, several) for each text of ``arr`` as one user."""
        owners = self.catalog.owners or () if owners is None else owners
        low = folded_names(arr)
        _ids, _emails, names, several = _owner_sets(owners)
        direct = _direct(arr, low, owners)
        found = direct | _is_in(low, names)
        multi = ~direct & _is_in(low, several)
        return found, multi

    def unknown(self, value: str) -> list[str]:
        """The users of a multi-valued cell that match no owner of the snapshot."""
        items = cell_users(value)
        found, _several = self.match(pa.array(items, type=pa.string()))
        return [t for t, ok in zip(items, found.tolist(), strict=True) if not ok]

    def shared(self, value: str) -> list[str]:
        """The users of a multi-valued cell that are the name of several active users."""
        items = cell_users(value)
        _found, several = self.match(pa.array(items, type=pa.string()), _active(self.catalog.owners or ()))
        return [t for t, many in zip(items, several.tolist(), strict=True) if many]

    def by_name(self, chunk: Chunk, column: Column, names: Sequence[str], multiple: bool = False) -> np.ndarray:
        """Cells that are one of ``names`` (folded, as ``folded_names`` folds a cell) and no
        owner's ID or email (``multiple``: cells with such a user among theirs)."""
        arr = cells(chunk, column)
        items, parent = user_items(arr) if multiple else (arr, None)
        low = folded_names(items)
        named = formats.as_mask(pc.is_in(low, value_set=pa.array(list(names), type=pa.string())))
        named &= ~_direct(items, low, self.catalog.owners or ())
        return named if parent is None else _any_item(len(arr), parent, named)


def user_items(arr: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """The users of multi-valued owner cells (split at ``;``, trimmed) and the cell of each."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    lists = pc.split_pattern(arr, ";")
    parent = np.asarray(pc.list_parent_indices(lists).to_numpy(zero_copy_only=False), dtype=np.intp)
    return pc.utf8_trim_whitespace(pc.list_flatten(lists)), parent


def cell_users(value: str) -> list[str]:
    """The users of one multi-valued owner cell, as ``user_items`` splits and trims them (its empty
    items and repeats left out)."""
    items, _parent = user_items(pa.array([value], type=pa.string()))
    return list(dict.fromkeys(t for t in items.to_pylist() if t))  # (a user given twice, named once)


def _any_item(n: int, parent: np.ndarray, item_mask: np.ndarray) -> np.ndarray:
    """Cells (of ``n``) with at least one item where ``item_mask`` holds."""
    out = np.zeros(n, dtype=bool)
    out[parent[np.asarray(item_mask, dtype=bool)]] = True
    return out


def folded_names(arr: pa.Array) -> pa.Array:
    """Cells as owner names are matched: runs of whitespace as one space, letter case aside."""
    return formats.fold(pc.replace_substring_regex(arr, r"\s+", " "))


def _direct(arr: pa.Array, low: pa.Array, owners: Sequence[Owner]) -> np.ndarray:
    """Cells that are an owner's ID, or email (any case)."""
    ids, emails, _names, _several = _owner_sets(owners)
    return _is_in(arr, ids) | _is_in(low, emails)


def _is_in(arr: pa.Array | pa.ChunkedArray, known: tuple[pa.Array, frozenset[str]]) -> np.ndarray:
    """Cells of ``arr`` that are one of the texts ``known`` holds (as an Arrow array and a set).
    Arrow hashes the whole value set in every ``is_in``: when the texts outnumber the cells (a
    snapshot of 1,000,000 users: 0.5 s a call), the cells' distinct texts are looked up instead."""
    values, texts = known
    if len(values) > len(arr):
        hits = [t for t in pc.unique(arr).to_pylist() if t in texts]
        values = pa.array(hits, type=pa.string())
    return formats.as_mask(pc.is_in(arr, value_set=values))


# a snapshot's users as the lookups need them (ids, folded emails, folded names, names of several
# users), made once for a tuple of owners, not in every chunk and for every finding's message (a
# snapshot of 1,000,000 users took 2 s each time)
_Known = tuple[pa.Array, frozenset[str]]
_OWNER_SETS: ByIdentity[Sequence[Owner], tuple[_Known, _Known, _Known, _Known]] = ByIdentity()
_ACTIVE: ByIdentity[tuple[Owner, ...], tuple[Owner, ...]] = ByIdentity()


def _owner_sets(owners: Sequence[Owner]) -> tuple[_Known, _Known, _Known, _Known]:
    return _OWNER_SETS.get(owners, _owner_sets_of) if isinstance(owners, tuple) else _owner_sets_of(owners)


def _owner_sets_of(owners: Sequence[Owner]) -> tuple[_Known, _Known, _Known, _Known]:
    counts: dict[str, int] = {}
    for name in formats.fold_texts(o.name for o in owners if o.name):
        counts[name] = counts.get(name, 0) + 1
    lists = ([o.id for o in owners], formats.fold_texts(o.email for o in owners if o.email), list(counts),
             [n for n, k in counts.items() if k > 1])
    ids, emails, names, several = ((pa.array(t, type=pa.string()), frozenset(t)) for t in lists)
    return ids, emails, names, several


def _active(owners: tuple[Owner, ...]) -> tuple[Owner, ...]:
    """The users of ``owners`` that are not deactivated, one tuple for the same owners."""
    return _ACTIVE.get(owners, lambda all_: tuple(o for o in all_ if not o.archived))


class OwnerNotFound(OwnerRule):
    """An owner cell matches no user in the portal snapshot.

    Why: owner properties take a user's email, owner ID or name [V] S6; a value matching no user
    fails with COULD_NOT_FIND_OWNER. Needs a snapshot of `GET /crm/v3/owners`. A property of
    several users (deal collaborators, a checkbox of users) takes them separated by `;` [V] S6:
    each is looked up, and the message names those that match no user.
    Example: `sam@old-agency.com` for a user who left.
    Fix: use an existing user's email or owner ID.
    """

    code = "HS236"
    name = "owner-not-found"
    hubspot_error = "COULD_NOT_FIND_OWNER"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if self.catalog.owners is None:
            return
        for column, prop in self.typed(file, chunk):
            found, _multi = self.lookup(chunk, column, multiple=prop.multiple)
            bad = ~found & ~blank_at(chunk, column.index)
            yield from self.cells(chunk, file, column, bad, self._unknown_message if prop.multiple
                                  else "{value} is no user's email, owner ID or name")

    def _unknown_message(self, value: str) -> str:
        unknown = self.unknown(value)
        if len(unknown) == 1 and unknown[0] == value.strip():
            return f"{quote(value)} is no user's email, owner ID or name"
        return f"{quote(value)} names {', '.join(quote(u) for u in unknown)}, no user's email, owner ID or name"


class MultipleOwners(OwnerRule):
    """An owner cell is a name shared by several active users.

    Why: HubSpot cannot tell which user is meant and fails with MULTIPLE_OWNERS_FOUND; the KB
    advises email or owner ID [V] S6. Needs a snapshot of `GET /crm/v3/owners`. A name one
    active user shares only with archived (deactivated) users is HS247's warning: whether the
    import counts deactivated users when it matches a name is not documented [GAP]. In a cell of
    several users (deal collaborators, separated by `;`) the message names the shared name.
    Example: `Alex Kim` when two users are called Alex Kim.
    Fix: use the user's email or owner ID.
    """

    code = "HS237"
    name = "multiple-owners"
    hubspot_error = "MULTIPLE_OWNERS_FOUND"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if self.catalog.owners is None:
            return
        for column, prop in self.typed(file, chunk):
            _found, multi = self.lookup(chunk, column, _active(self.catalog.owners),
                                        multiple=prop.multiple)
            yield from self.cells(chunk, file, column, multi, self._several_message if prop.multiple
                                  else "{value} is the name of several users")

    def _several_message(self, value: str) -> str:
        names = self.shared(value)
        if len(names) == 1 and names[0] == value.strip():
            return f"{quote(value)} is the name of several users"
        return f"{quote(value)} names {', '.join(quote(n) for n in names)}, the name of several users"
