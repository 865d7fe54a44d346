"""Values and mappings that name only an archived or hidden item of the portal snapshot (HS247):
an archived property, a deactivated owner, a hidden option, an archived pipeline or stage; and
an owner name one active user shares with deactivated ones.

The snapshot's files hold them where they were saved with ``?archived=true`` (properties, in
properties-archived/<object>.json; owners, in owners-archived.json) or where HubSpot lists them
itself (``hidden`` options, ``archived`` pipelines and stages). What an import does with one is
not documented (fact sheet 4.1 names the fields only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from validator import formats
from validator.catalog import Owner, Property
from validator.checks._facts import blank_at
from validator.checks.base import Hit, quote
from validator.checks.records_properties import OwnerRule, _active, _mapped_specs, cell_users, folded_names
from validator.checks.typed import cells
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.memo import ByIdentity
from validator.readers.base import Chunk

_GAP = "what HubSpot's import does with one is not documented"


class ArchivedInPortal(OwnerRule):
    """A column is mapped to an archived property, or a cell matches only an archived or hidden
    item of the portal snapshot, or is the name of an active user and of archived ones.

    Why: the snapshot's properties, owners and pipelines carry `archived: true` (saved with
    `?archived=true`: a deleted property, a deactivated user, a pipeline or stage taken out of
    use) and options `hidden: true` (kept off forms and record pages). HubSpot does not document
    whether an import writes such a property or matches such a value [GAP]: it may fail the
    cell (COULD_NOT_FIND_OWNER, INVALID_ENUMERATION_OPTION) or set a value nobody can pick any
    more, so it is a warning. A value that also matches an active owner, a visible option or a
    stage of an active pipeline is not reported, but for an owner name that one active user
    shares with archived ones: whether the import counts those when it matches a name is not
    documented either, and if it does the row fails with MULTIPLE_OWNERS_FOUND (HS237 when
    several active users share it); the finding names the users. Needs a portal snapshot.
    Example: the owner `sam@old-agency.example`, listed with `"archived": true` in `owners.json`;
    the stage `legacy` of a deal pipeline whose stage is archived; `Ann Lee`, the name of an
    active user and of an archived one.
    Fix: use an active user, a visible option or a stage in use, or restore the item in HubSpot;
    for a shared name, the active user's email or owner ID.
    """

    code = "HS247"
    name = "archived-in-portal"
    severity = Severity.WARNING
    other_errors = ("MULTIPLE_OWNERS_FOUND",)  # the name of an active user and of archived ones

    def wants(self, prop: Property) -> bool:
        if super().wants(prop):
            return any(o.archived for o in self.catalog.owners or ())
        return (prop.type == "enumeration" and prop.field_type != "booleancheckbox"
                and any(o.hidden for o in prop.options))

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        for spec in _mapped_specs(file):
            prop = self.catalog.property_of(spec.object_type_id, spec.property_name)
            if prop is not None and prop.archived:
                yield self.finding(f"{prop.name!r} is an archived property in the portal snapshot; {_GAP}",
                                   file=file, pointer=spec.at("propertyName"), value=spec.property_name)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file, chunk):
            if OwnerRule.wants(self, prop):
                multiple = prop.multiple  # (users separated by ';': deal collaborators)
                found, _several = self.lookup(chunk, column, multiple=multiple)
                active, several = self.lookup(chunk, column, _active(self.catalog.owners or ()),
                                              multiple=multiple)
                yield from self.cells(chunk, file, column, found & ~active,
                                      f"{{value}} {'names' if multiple else 'is'} an archived user in the portal "
                                      f"snapshot; {_GAP}")
                shared = _shared_names(self.catalog.owners or ())
                if shared:  # (a name of several active users is HS237's)
                    named = active & ~several & self.by_name(chunk, column, list(shared), multiple=multiple)
                    yield from self.cells(chunk, file, column, named, _shared_message(shared, multiple),
                                          hubspot_error="MULTIPLE_OWNERS_FOUND")
            else:
                yield from self._options(chunk, file, column, prop)

    def _options(self, chunk: Chunk, file: FileContext, column: Column, prop: Property) -> Iterator[Hit]:
        arr = cells(chunk, column)
        every = formats.match_options(arr, formats.OptionSet.of(prop.options), multiple=prop.multiple)
        shown = formats.match_options(arr, formats.OptionSet.of(tuple(o for o in prop.options if not o.hidden)),
                                      multiple=prop.multiple)
        only = np.asarray(~every.unmatched & shown.unmatched, dtype=bool) & ~blank_at(chunk, column.index)
        pipeline, stage = self.catalog.pipeline_properties(prop.object_id) if self.catalog.pipelines(
            prop.object_id) else (None, None)
        what = ("an archived pipeline" if prop.name == pipeline else
                "an archived stage (or a stage of an archived pipeline)" if prop.name == stage else
                f"a hidden option of {prop.name}")
        yield from self.cells(chunk, file, column, only,
                              f"{{value}} matches only {what} in the portal snapshot; {_GAP}")


def _shared_names(owners: Sequence[Owner]) -> dict[str, list[Owner]]:
    """Folded owner names that one active user and one or more archived users have, with those
    users (the active one first); made once for a tuple of owners, not in every chunk."""
    return _SHARED.get(owners, _shared_names_of) if isinstance(owners, tuple) else _shared_names_of(owners)


_SHARED: ByIdentity[Sequence[Owner], dict[str, list[Owner]]] = ByIdentity()


def _shared_names_of(owners: Sequence[Owner]) -> dict[str, list[Owner]]:
    by_name: dict[str, list[Owner]] = {}
    for owner, name in zip(owners, formats.fold_texts(o.name for o in owners), strict=True):
        if name:
            by_name.setdefault(name, []).append(owner)
    return {name: sorted(users, key=lambda o: o.archived) for name, users in by_name.items()
            if sum(not o.archived for o in users) == 1 and len(users) > 1}


def _shared_message(shared: dict[str, list[Owner]], multiple: bool = False) -> Callable[[str], str]:
    """The message of a cell that is (``multiple``: names among its users) a name one active user
    shares with archived ones."""
    def users(key: str) -> str:
        active, *archived = shared[key]
        gone = ", ".join(o.email or o.id for o in archived)
        return (f"the name of an active user ({active.email or active.id}) and of {len(archived)} archived "
                f"{'user' if len(archived) == 1 else 'users'} ({gone})")

    def message(value: str) -> str:
        items = cell_users(value) if multiple else [value]
        keys = folded_names(formats.arrow(items)).to_pylist()
        named = [(item, key) for item, key in zip(items, keys, strict=True) if key in shared]
        if not multiple or (len(named) == 1 and named[0][0] == value.strip()):
            what = f"is {users(named[0][1])}"
        else:  # (a cell of several users: each shared name, with its users)
            what = "names " + "; ".join(f"{quote(item)}, {users(key)}" for item, key in named)
        return (f"{quote(value)} {what} in the portal snapshot; whether HubSpot's import counts archived users "
                "when it matches a name is not documented (if it does, the row fails as a name of several users)")
    return message
