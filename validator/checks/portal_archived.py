"""Values and mappings that name only an archived or hidden item of the portal snapshot (HS247):
an archived property, a deactivated owner, a hidden option, an archived pipeline or stage.

The snapshot's files hold them where they were saved with ``?archived=true`` (properties,
owners) or where HubSpot lists them itself (``hidden`` options, ``archived`` pipelines and
stages). What an import does with one is not documented (fact sheet 4.1 names the fields only).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from validator import formats
from validator.catalog import Property
from validator.checks._facts import blank_at
from validator.checks.base import Hit
from validator.checks.records_properties import OwnerRule, _mapped_specs
from validator.checks.typed import cells
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.readers.base import Chunk

_GAP = "what HubSpot's import does with one is not documented"


class ArchivedInPortal(OwnerRule):
    """A column is mapped to an archived property, or a cell matches only an archived or hidden
    item of the portal snapshot.

    Why: the snapshot's properties, owners and pipelines carry `archived: true` (saved with
    `?archived=true`: a deleted property, a deactivated user, a pipeline or stage taken out of
    use) and options `hidden: true` (kept off forms and record pages). HubSpot does not document
    whether an import writes such a property or matches such a value [GAP]: it may fail the
    cell (COULD_NOT_FIND_OWNER, INVALID_ENUMERATION_OPTION) or set a value nobody can pick any
    more, so it is a warning. A value that also matches an active owner, a visible option or a
    stage of an active pipeline is not reported. Needs a portal snapshot.
    Example: the owner `sam@old-agency.example`, listed with `"archived": true` in `owners.json`;
    the stage `legacy` of a deal pipeline whose stage is archived.
    Fix: use an active user, a visible option or a stage in use, or restore the item in HubSpot.
    """

    code = "HS247"
    name = "archived-in-portal"
    severity = Severity.WARNING

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
        for column, prop in self.typed(file):
            if OwnerRule.wants(self, prop):
                found, _several = self.lookup(chunk, column)
                active, _several = self.lookup(chunk, column, [o for o in self.catalog.owners or () if not o.archived])
                yield from self.cells(chunk, file, column, found & ~active,
                                      f"{{value}} is an archived user in the portal snapshot; {_GAP}")
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
