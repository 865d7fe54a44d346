"""Request rules (HS0xx) on settings that have nothing to act on where they stand: a
``marketingEventSubmissionType`` on a column that holds no event timestamps, a
``marketingEventObjectId`` in an import with no event timestamp column, and an
``associationIdentifierColumn`` that no column of another file links to."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from validator.checks.base import Hit, Rule, quote
from validator.context import ImportContext
from validator.findings import Severity
from validator.request import ColumnSpec, ImportSpec

EVENT = "EVENT_TIMESTAMP"


def _columns(spec: ImportSpec) -> list[ColumnSpec]:
    return [c for f in spec.files for c in f.columns if not c.ignored]


class SettingWithoutEffect(Rule):
    """A setting has nothing to act on where it stands, so HubSpot does nothing with it.

    Why: some settings mean something only beside others (fact sheet 1.2, 1.4, [V] S5).
    `marketingEventSubmissionType` says how an `EVENT_TIMESTAMP` column's contacts took part in
    the event (REGISTERED, JOINED, ...); `marketingEventObjectId` names the event those columns
    belong to; `associationIdentifierColumn: true` marks, in a two-file import, the common column
    of the file whose object owns the property, which the other file's column points to with
    `toColumnObjectTypeId`. Elsewhere (on a column of another type, in a request with no event
    timestamp column, in a single-file import, or where no column of another file points to the
    object) nothing uses them: HubSpot most likely ignores them ([I]: what it does is not
    documented). It is usually a request copied from another import, or a column type or file
    left out by mistake. (A `foreignKeyType` without its `toColumnObjectTypeId` is HS311's
    error, a `toColumnObjectTypeId` without its `foreignKeyType` HS326's warning.)
    Example: `{"columnName": "Email", "columnType": "HUBSPOT_ALTERNATE_ID",
    "marketingEventSubmissionType": "REGISTERED"}`; `"associationIdentifierColumn": true` in an
    import of one file.
    Fix: remove the setting, or give it what it goes with (the column's `"columnType":
    "EVENT_TIMESTAMP"`, the second file and its common column).
    """

    code = "HS037"
    name = "setting-without-effect"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        columns = _columns(ctx.spec)
        for c in columns:
            kind = c.raw.get("marketingEventSubmissionType")
            # (a null one is HS034's, one of another JSON type HS002's: quoted as text it is not)
            if isinstance(kind, str) and c.column_type != EVENT:
                yield self.finding(
                    f"column {quote(c.column_name or '')} has marketingEventSubmissionType {quote(kind)}, "
                    f"which HubSpot reads only on an {EVENT} column; this one is {c.column_type}",
                    file=ctx, pointer=c.at("marketingEventSubmissionType"), value=kind)
        yield from self._event_id(ctx, columns)
        yield from self._identifiers(ctx)

    def _event_id(self, ctx: ImportContext, columns: list[ColumnSpec]) -> Iterator[Hit]:
        raw = ctx.spec.raw if isinstance(ctx.spec.raw, Mapping) else {}
        event = raw.get("marketingEventObjectId")
        types = set(ctx.catalog.column_types)
        # (one of the wrong type is HS002's); nothing mapped (HS003, HS004), or a column type
        # HubSpot does not know (HS007): a misspelt EVENT_TIMESTAMP, perhaps
        if (not isinstance(event, int | str) or isinstance(event, bool) or event == "" or not columns
                or any(c.column_type not in types for c in columns)):
            return
        if not any(c.column_type == EVENT for c in columns):
            yield self.finding(f"marketingEventObjectId is set, but no column is an {EVENT} column: the "
                               "marketing event's ID places event timestamp columns, so it has no effect here",
                               file=ctx, pointer="/marketingEventObjectId", value=str(event))

    def _identifiers(self, ctx: ImportContext) -> Iterator[Hit]:
        files = [f for f in ctx.spec.files if f.columns]
        for f in files:
            for c in f.columns:
                if (c.ignored or not c.association_identifier or c.object_type_id is None
                        or c.property_name is None or c.to_object_type is not None or c.foreign_key is not None):
                    continue  # (with no property, or with a target of its own: HS311's)
                name = quote(c.column_name or "")
                if len(files) < 2:
                    yield self.finding(
                        f"column {name} has associationIdentifierColumn, which links the common column of two "
                        "files; this import has one file, so it has no effect",
                        file=ctx, pointer=c.at("associationIdentifierColumn"))
                elif not any(o.to_object_type is not None and o.to_object_type_id in (c.object_type_id, None)
                             for g in files if g is not f for o in g.columns if not o.ignored):
                    # (a target HubSpot does not know is HS021's: it may be meant for this object)
                    yield self.finding(
                        f"column {name} has associationIdentifierColumn, but no column of another file points "
                        f"to {ctx.catalog.object_label(c.object_type_id)} (toColumnObjectTypeId), so it links nothing",
                        file=ctx, pointer=c.at("associationIdentifierColumn"))
