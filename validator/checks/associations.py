"""Association rules for multi-file imports (HS310-HS319): the common column, where its settings
sit, the association type and category (keys that point at no row of the owning file, HS314:
``associations_keys``).

A two-file import (fact sheet 1.4, [V] S5) links files by a common column: in the file of the
object that owns the property it maps the property and has `associationIdentifierColumn: true`;
in the other file it has `propertyName: null`, `toColumnObjectTypeId` (the owning object) and
`foreignKeyType` {associationTypeId, associationCategory}.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from validator.catalog import Catalog
from validator.checks.base import Hit, Rule, quote
from validator.context import ImportContext
from validator.findings import Severity
from validator.keys import COMMON_COLUMN, RECORD_ID, is_foreign
from validator.request import ColumnSpec, FileSpec, ImportSpec


def multi_file(spec: ImportSpec) -> bool:
    return sum(1 for f in spec.files if f.columns) >= 2


def common_allowed(catalog: Catalog, obj: str | None) -> set[str]:
    """Properties a common column may use for this object (fact sheet 1.4, [V] S5)."""
    allowed = {RECORD_ID}
    if obj in COMMON_COLUMN:
        allowed.add(COMMON_COLUMN[obj])
    allowed.update(n for n, p in catalog.properties(obj).items() if p.unique)
    return allowed


@dataclass(frozen=True, slots=True)
class Link:
    """A common column: the referencing mapping and the owning one (None when not found)."""

    ref_file: FileSpec
    ref: ColumnSpec
    owner_file: FileSpec | None
    owner: ColumnSpec | None
    renamed: bool = False  # no column of the name: the owner is the one identifier column of its object
    # no column of the name, and several marked associationIdentifierColumn for the object: which
    # one HubSpot pairs it with is not known (owner None)
    candidates: tuple[tuple[FileSpec, ColumnSpec], ...] = ()


def links(spec: ImportSpec) -> list[Link]:
    """Each referencing common column of a multi-file import with its owning column: same
    columnName, in another file, mapped to the object the reference points to; failing that,
    the one column of that object (in another file) marked associationIdentifierColumn (with
    several marked, none is its owner: ``candidates`` lists them)."""
    out = []
    for f in spec.files:
        for c in f.columns:
            # (a same-object keys column, ASSOCIATION_KEYS, links records of its own file)
            if not is_foreign(c) or c.column_type in ("HUBSPOT_OBJECT_ID", "ASSOCIATION_KEYS"):
                continue
            targets = [(g, o) for g in spec.files if g is not f for o in g.columns
                       if not o.ignored and o.object_type_id == c.to_object_type_id and o.to_object_type is None]
            owners = [p for p in targets if p[1].column_name == c.column_name]
            # the owning column is the one marked associationIdentifierColumn, wherever its file is
            owner = next((p for p in owners if p[1].association_identifier), owners[0] if owners else None)
            marked = [p for p in targets if p[1].association_identifier and p[1].property_name is not None]
            if owner is None and len(marked) == 1:
                out.append(Link(f, c, *marked[0], renamed=True))
                continue
            if owner is None and marked:
                out.append(Link(f, c, None, None, renamed=True, candidates=tuple(marked)))
                continue
            out.append(Link(f, c, *(owner or (None, None))))
    return out


def _given(c: ColumnSpec, key: str) -> bool:
    raw = c.raw.get("foreignKeyType")
    return isinstance(raw, Mapping) and key in raw


class InvalidAssociationIdentifier(Rule):
    """A multi-file import's common column is not an identifier HubSpot can link files by.

    Why: files are linked only by `hs_object_id`, contacts' `email`, companies' `domain` or a
    property with hasUniqueValue; any other property is rejected (INVALID_ASSOCIATION_IDENTIFIER),
    and the associations are not made. Use a single file with both objects for other keys.
    A property the catalog does not know may be a unique custom property: it is left to HS231
    (or, where a portal snapshot lists the object's properties, HS230).
    Example: contacts and companies linked by `Company Name` mapped to `name`.
    Fix: link the files by email, domain or Record ID, or import both objects from one file.
    """

    code = "HS310"
    name = "invalid-association-identifier"
    hubspot_error = "INVALID_ASSOCIATION_IDENTIFIER"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        if not multi_file(ctx.spec):
            return
        cat = ctx.catalog
        for f in ctx.spec.files:
            for c in f.columns:
                if c.ignored or not c.association_identifier or c.property_name is None:
                    continue
                allowed = common_allowed(cat, c.object_type_id)
                if c.property_name in allowed:
                    continue
                if cat.property_of(c.object_type_id, c.property_name) is None:
                    continue  # perhaps a unique custom property: HS231 (or, with a snapshot, HS230) says
                yield self.finding(
                    f"common column {quote(c.column_name or '')} maps {c.property_name!r} of "
                    f"{cat.object_label(c.object_type_id)}; files can be linked only by "
                    f"{', '.join(sorted(allowed))} or a unique property",
                    file=ctx, pointer=c.at("propertyName"), value=c.property_name)


class MisplacedAssociationSettings(Rule):
    """Association settings are on the wrong file or column, or a foreignKeyType lacks its target.

    Why: `associationIdentifierColumn: true` belongs on the common column in the file of the
    object that owns the property (Email in the contacts file); `toColumnObjectTypeId` and
    `foreignKeyType` belong on the common column of the other file, whose `propertyName` is
    null. Mixed up, HubSpot reports INVALID_COLUMN_CONFIGURATION and links nothing. The two
    columns are paired by their columnName, as in HubSpot's example ([I]: the docs show the same
    header in both files); where the names differ but another file marks a column of the
    object associationIdentifierColumn (one or several), HS316 warns instead.
    A `foreignKeyType` goes only with the `toColumnObjectTypeId` of the object it points to
    ([V] S5: "in the same place"), in a single-file import as well (HubSpot's `Company ID`
    example): without it the association has no target, in any import. (The other way round, a
    single-file import's toColumnObjectTypeId without its foreignKeyType, is HS326's warning.)
    Example: the contacts file's Email column carries `toColumnObjectTypeId: "0-2"` and the
    companies file's Email column carries `associationIdentifierColumn: true`.
    Fix: move each setting to the place the message names (see HubSpot's two-file example).
    """

    code = "HS311"
    name = "misplaced-association-settings"
    hubspot_error = "INVALID_COLUMN_CONFIGURATION"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        many = multi_file(ctx.spec)
        for f in ctx.spec.files:
            for c in f.columns:
                if c.ignored:
                    continue
                if many:
                    yield from self.column(ctx, c)
                else:  # (where the settings go between files needs two files; a target always)
                    yield from self.no_target(ctx, c)
        if not many:
            return
        for link in links(ctx.spec):
            yield from self.link(ctx, link)

    def column(self, ctx: ImportContext, c: ColumnSpec) -> Iterator[Hit]:
        name = quote(c.column_name or "")
        if c.association_identifier and (c.to_object_type is not None or c.foreign_key is not None):
            yield self.finding(
                f"column {name} has associationIdentifierColumn and toColumnObjectTypeId/foreignKeyType: "
                "the first belongs in the owning object's file, the others on the other file's common column",
                file=ctx, pointer=c.at("associationIdentifierColumn"))
        elif c.association_identifier and c.property_name is None:
            yield self.finding(
                f"associationIdentifierColumn is set on column {name}, which maps no property: it belongs "
                "on the common column of the file whose object owns the property",
                file=ctx, pointer=c.at("associationIdentifierColumn"))
        if c.column_type in ("FLEXIBLE_ASSOCIATION_LABEL", "ASSOCIATION_KEYS"):
            return  # (a label column, and a same-object keys column: HS330-HS332 check those)
        yield from self.no_target(ctx, c)
        if c.to_object_type is not None:
            if c.foreign_key is None:
                yield self.finding(f"column {name} points to {ctx.catalog.object_label(c.to_object_type_id)} "
                                   "but has no foreignKeyType", file=ctx, pointer=c.at("foreignKeyType"))
            if c.property_name is not None and c.column_type != "HUBSPOT_OBJECT_ID":
                yield self.finding(
                    f"column {name} points to {ctx.catalog.object_label(c.to_object_type_id)}, so its "
                    f"propertyName must be null (the property {c.property_name!r} belongs to the other file)",
                    file=ctx, pointer=c.at("propertyName"), value=c.property_name)

    def no_target(self, ctx: ImportContext, c: ColumnSpec) -> Iterator[Hit]:
        """A foreignKeyType without the toColumnObjectTypeId it goes with; where its association
        type is a HUBSPOT_DEFINED one from the column's object, the message names the target."""
        if (c.foreign_key is None or c.to_object_type is not None
                or c.column_type in ("FLEXIBLE_ASSOCIATION_LABEL", "ASSOCIATION_KEYS")):
            return
        cat, fk = ctx.catalog, c.foreign_key
        a = (cat.association(fk.type_id) if fk.type_id is not None and fk.category in (None, "HUBSPOT_DEFINED")
             else None)
        hint = ""
        if a is not None and a.from_object == c.object_type_id:
            hint = (f"; association type {a.id} is {cat.object_label(a.from_object)} to "
                    f'{cat.object_label(a.to_object)}, so it goes with "toColumnObjectTypeId": "{a.to_object}"')
        yield self.finding(f"column {quote(c.column_name or '')} has foreignKeyType but no "
                           f"toColumnObjectTypeId{hint}", file=ctx, pointer=c.at("toColumnObjectTypeId"))

    def link(self, ctx: ImportContext, link: Link) -> Iterator[Hit]:
        ref = link.ref
        target = ctx.catalog.object_label(ref.to_object_type_id)
        if link.renamed or ref.to_object_type_id is None:
            return  # HS316; an object HubSpot does not know is HS021's
        if link.owner is None:
            yield self.finding(
                f"column {quote(ref.column_name or '')} points to {target}, but no other file has a "
                f"column {quote(ref.column_name or '')} mapped to {target}",
                file=ctx, pointer=ref.at("columnName"), value=ref.column_name)
        elif not link.owner.association_identifier:
            owner_file = link.owner_file.file_name if link.owner_file else "?"
            yield self.finding(
                f"common column {quote(ref.column_name or '')} of {owner_file} needs associationIdentifierColumn: true",
                file=ctx,
                pointer=link.owner.at("associationIdentifierColumn"))


class CommonColumnNameDiffers(Rule):
    """A multi-file import's common column has another columnName in each file.

    Why: HubSpot's two-file example names the common column alike in both files (`Email`), and
    the request has no field that pairs the two columns but their object and settings; whether
    HubSpot links files whose common columns are named differently is not documented ([GAP]).
    Reported where the referencing column (`toColumnObjectTypeId`, `foreignKeyType`) finds no
    column of its name in the other file, but that file marks a column of the object
    `associationIdentifierColumn`: with one such column the two are paired (HS314 compares their
    keys); with several, which one HubSpot would pair it with is not known either, so they are
    named and not compared. (With none, the owning file lacks the setting: HS311's error.)
    Example: contacts.csv's `Company Record ID` points to companies, whose file calls its
    `associationIdentifierColumn` `Record ID`.
    Fix: give the common column the same header in both files (and the same columnName).
    """

    code = "HS316"
    name = "common-column-name-differs"
    severity = Severity.WARNING
    hubspot_error = "INVALID_COLUMN_CONFIGURATION"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        if not multi_file(ctx.spec):
            return
        for link in links(ctx.spec):
            if not link.renamed:
                continue
            ref = link.ref
            if link.owner is None or link.owner_file is None:
                named = ", ".join(f"{quote(c.column_name or '')} ({g.file_name})" for g, c in link.candidates)
                yield self.finding(
                    f"column {quote(ref.column_name or '')} points to "
                    f"{ctx.catalog.object_label(ref.to_object_type_id)}, but no other file has a column of that name; "
                    f"several are marked associationIdentifierColumn ({named}): HubSpot documents the common "
                    "column under one name in both files",
                    file=ctx, pointer=ref.at("columnName"), value=ref.column_name)
                continue
            yield self.finding(
                f"column {quote(ref.column_name or '')} points to {ctx.catalog.object_label(ref.to_object_type_id)}, "
                f"whose common column in {link.owner_file.file_name} is {quote(link.owner.column_name or '')}: "
                "HubSpot documents the common column under one name in both files",
                file=ctx, pointer=ref.at("columnName"), value=ref.column_name)


class AssociationTypeMismatch(Rule):
    """A foreignKeyType's association type id is unknown, or is for other objects or the other
    direction.

    Why: HubSpot-defined association type ids are one-directional: Company to Contact is 280,
    Contact to Company is 279 (1 for the primary company). The id must go from the column's
    object to its `toColumnObjectTypeId`; another id fails the association
    (INVALID_COLUMN_CONFIGURATION). Ids are checked against fact sheet section 5, a list of
    the common objects' types: an id not in it is judged only for a pair of objects the list
    has ids for (orders to contacts, or a custom object, are not judged).
    Example: a contacts file's Company column with `toColumnObjectTypeId: "0-2"` and
    `associationTypeId: 280`.
    Fix: use the id the message suggests for that direction.
    """

    code = "HS312"
    name = "association-type-mismatch"
    hubspot_error = "INVALID_COLUMN_CONFIGURATION"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        cat = ctx.catalog
        for f in ctx.spec.files:
            for c in f.columns:
                fk = c.foreign_key
                if c.ignored or fk is None:
                    continue
                if fk.category not in (None, "HUBSPOT_DEFINED"):
                    continue
                if fk.type_id is None:
                    if _given(c, "associationTypeId"):
                        continue  # there, but not an integer: the request-type rule reports it
                    yield self.finding("foreignKeyType has no associationTypeId", file=ctx,
                                       pointer=f"{fk.pointer}/associationTypeId")
                    continue
                src, dst = c.object_type_id, c.to_object_type_id
                if src is None or dst is None:
                    continue
                right = [a for a in cat.types_between(src, dst) if a.category == "HUBSPOT_DEFINED"]
                shown = dict.fromkeys(f"{a.id}{f' ({a.label})' if a.label else ''}" for a in right)  # once each
                fits = ", ".join(shown) or "none known"
                a = cat.association(fk.type_id)
                direction = f"{cat.object_label(src)} to {cat.object_label(dst)}"
                if a is None and not right:
                    continue  # a pair section 5 lists no ids for (orders, custom objects): not known
                if a is None:
                    msg = f"association type {fk.type_id} is not a HUBSPOT_DEFINED type"
                elif (a.from_object, a.to_object) != (src, dst):
                    msg = (f"association type {fk.type_id} is {cat.object_label(a.from_object)} to "
                           f"{cat.object_label(a.to_object)}")
                else:
                    continue
                yield self.finding(f"{msg}, but column {quote(c.column_name or '')} associates {direction} "
                                   f"(HUBSPOT_DEFINED ids for that: {fits})", file=ctx,
                                   pointer=f"{fk.pointer}/associationTypeId", value=str(fk.type_id))


class AssociationCategoryMismatch(Rule):
    """A foreignKeyType gives one of HubSpot's own association type ids as USER_DEFINED or
    INTEGRATOR_DEFINED.

    Why: the ids of fact sheet section 5 are HubSpot's own, category HUBSPOT_DEFINED ([V] S2);
    USER_DEFINED (custom labels) and INTEGRATOR_DEFINED ids are the portal's or the app's own
    (fact sheet 5, [V] S11, S12). One of HubSpot's ids under either category (279 as
    USER_DEFINED) most likely names a type the portal does not have, which would fail the
    column's associations; that HubSpot rejects the pair is inferred ([I]), hence a warning. A
    portal snapshot whose association labels list the id under that category passes.
    Example: `{"associationTypeId": 279, "associationCategory": "USER_DEFINED"}` on a contacts
    file's Company ID column.
    Fix: the category HUBSPOT_DEFINED for one of HubSpot's ids, or, for a custom label, the
    label's own id from the portal (`GET /crm/v4/associations/{from}/{to}/labels`).
    """

    code = "HS328"
    name = "association-category-mismatch"
    severity = Severity.WARNING
    hubspot_error = "INVALID_COLUMN_CONFIGURATION"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        for f in ctx.spec.files:
            for c in f.columns:
                fk = c.foreign_key
                if not c.ignored and fk is not None and fk.category in ("USER_DEFINED", "INTEGRATOR_DEFINED"):
                    yield from self.own_id(ctx, c)

    def own_id(self, ctx: ImportContext, c: ColumnSpec) -> Iterator[Hit]:
        """A USER_DEFINED or INTEGRATOR_DEFINED foreignKeyType whose id is one of HubSpot's own
        (and no portal snapshot lists it under that category)."""
        cat, fk = ctx.catalog, c.foreign_key
        if fk is None or fk.type_id is None or fk.category is None or cat.association(fk.type_id, fk.category):
            return
        a = cat.association(fk.type_id)
        if a is None:
            return
        label = f", {a.label}" if a.label else ""
        yield self.finding(
            f"association type {a.id} is HUBSPOT_DEFINED ({cat.object_label(a.from_object)} to "
            f"{cat.object_label(a.to_object)}{label}), but column {quote(c.column_name or '')} gives it as "
            f"{fk.category}, whose ids are the portal's or an app's own: write HUBSPOT_DEFINED, or the custom "
            "label's id",
            file=ctx, pointer=f"{fk.pointer}/associationCategory", value=fk.category)


class UnknownAssociationCategory(Rule):
    """A foreignKeyType's associationCategory is missing or not one of HubSpot's three.

    Why: HubSpot knows HUBSPOT_DEFINED (its own types), USER_DEFINED (custom labels) and
    INTEGRATOR_DEFINED (app-defined types) ([V] associations v4 AssociationSpec); any other
    value makes the column configuration invalid.
    Example: `"associationCategory": "HUBSPOT"` or `"hubspot_defined"`.
    Fix: use one of the three names, in upper case; HUBSPOT_DEFINED for the standard type ids.
    """

    code = "HS313"
    name = "unknown-association-category"
    hubspot_error = "INVALID_COLUMN_CONFIGURATION"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        categories = ctx.catalog.association_categories
        for f in ctx.spec.files:
            for c in f.columns:
                fk = c.foreign_key
                if c.ignored or fk is None:
                    continue
                if fk.category is None:
                    if _given(c, "associationCategory"):
                        continue
                    yield self.finding("foreignKeyType has no associationCategory", file=ctx,
                                       pointer=f"{fk.pointer}/associationCategory")
                elif fk.category not in categories:
                    yield self.finding(
                        f"associationCategory {quote(fk.category)} is not one of {', '.join(categories)}",
                        file=ctx, pointer=f"{fk.pointer}/associationCategory", value=fk.category)
