"""A portal snapshot: HubSpot API response bodies saved from one account, read offline.

Layout of the folder (each file is the body exactly as HubSpot returns it, a list of several
pages in one body; ``portal pull``, ``validator.portal_pull``, saves them; every file is optional):

    properties/<objectType>.json   GET /crm/v3/properties/{objectType}     {"results": [property, ...]}
    properties-archived/<objectType>.json  GET /crm/v3/properties/{objectType}?archived=true  (the same)
    pipelines/<objectType>.json    GET /crm/v3/pipelines/{objectType}      {"results": [pipeline, ...]}
    owners.json                    GET /crm/v3/owners                      {"results": [owner, ...]}
    owners-archived.json           GET /crm/v3/owners?archived=true        {"results": [owner, ...]}
    associations/<from>/<to>.json  GET /crm/v4/associations/{from}/{to}/labels  {"results": [label, ...]}
    schemas.json                   GET /crm/v3/schemas                     {"results": [schema, ...]}

``<objectType>`` is an object type id (``0-1``, ``2-1234567``) or a name HubSpot accepts
(``contacts``, ``deals``, a custom object's name), not both: two files for one object are refused.
What the snapshot holds overrides the built-in catalog: an account customises lifecycle stages,
adds properties, pipelines and custom objects.
A file that is not the body HubSpot returns is a refusal naming the file (ValidatorError).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from validator.catalog import (
    CUSTOM_OBJECT,
    AssociationType,
    Catalog,
    ObjectType,
    Option,
    Owner,
    Pipeline,
    Property,
    Stage,
    builtin,
)
from validator.findings import ValidatorError
from validator.request.decode import checked_int
from validator.sources import is_folder, read_bounded, stat_named

MAX_SNAPSHOT_FILE = 64 * 1024 * 1024


@dataclass(frozen=True)
class Portal:
    path: str
    objects: tuple[ObjectType, ...] = ()  # custom objects from schemas.json
    properties: Mapping[str, tuple[Property, ...]] = field(default_factory=dict)
    required: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    pipelines: Mapping[str, tuple[Pipeline, ...]] = field(default_factory=dict)
    owners: tuple[Owner, ...] | None = None
    # (from object id, to object id) -> label bodies as returned ({category, typeId, label})
    association_labels: Mapping[tuple[str, str], tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    schemas: bool = False  # schemas.json was in the snapshot: it lists every custom object


class _Bad(Exception):
    pass


def _read(path: Path) -> Any:
    try:
        text = read_bounded(path, MAX_SNAPSHOT_FILE).decode("utf-8-sig")
        body = json.loads(text, parse_int=checked_int)
    except ValidatorError as exc:
        raise ValidatorError(f"portal snapshot: {exc}") from None
    except OSError as exc:
        raise ValidatorError(f"portal snapshot {path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidatorError(f"portal snapshot {path}: not JSON ({exc})") from None
    except RecursionError:
        raise ValidatorError(f"portal snapshot {path}: nested too deeply") from None
    lone = _lone_surrogate(body, text)
    if lone is not None:  # (JSON's "\ud800": a pipeline or option of it failed in Arrow, an internal error)
        raise ValidatorError(f"portal snapshot {path}: a string holds a lone surrogate (\\u{ord(lone):04x}), which no "
                             "HubSpot response holds")
    return body


def _lone_surrogate(body: Any, source: str | None = None) -> str | None:
    """The first lone surrogate in a key or string of the JSON ``body``, if any. UTF-8 cannot
    hold a surrogate, so only a ``\\uD800``-``\\uDFFF`` escape in the JSON ``source`` makes one:
    without such an escape the body is not walked (1,000,000 owners took 2.5 s)."""
    if source is not None and not _SURROGATE_ESCAPE.search(source):
        return None
    stack = [body]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
            texts: Any = item.keys()
        elif isinstance(item, list):
            stack.extend(item)
            continue
        else:
            texts = (item,) if isinstance(item, str) else ()
        for text in texts:
            found = _SURROGATE.search(text) if isinstance(text, str) else None
            if found:
                return found.group()
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _there(path: Path) -> bool:
    """Whether the snapshot has this file: anything by that name, for ``_read`` to judge (a folder
    or a device is refused there, a pipe read), where ``is_file()`` passed over all but files."""
    return stat_named(path, "portal snapshot ") is not None


def _results(body: Any) -> list[Mapping[str, Any]]:
    """The ``results`` list of a collection response (a bare list is accepted too)."""
    items = body.get("results") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise _Bad('expected an API response body with a "results" list')
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise _Bad(f"results[{i}] is not an object")
    return items


def _text(item: Mapping[str, Any], key: str, where: str, required: bool = True, number: bool = False) -> str:
    """``item[key]``, a string as HubSpot's bodies hold there; ``where`` is its JSON path. Not
    ``required``: missing or ``null`` (as HubSpot sends a user's unknown name) is ``""``. A
    ``number`` is taken for an id (``"id": 101`` names the owner ``101`` alike); a name, label,
    value or email that is a number, a list or ``true`` is refused."""
    value = item.get(key)
    if value is None and not required:
        return ""
    if isinstance(value, str):
        return value
    if number and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise _Bad(f'{where}: "{key}" is {"missing or " if required else ""}not a string')


_FORMATS_BY_NAME = {"email": "email", "hs_recurring_billing_period": "term"}


def parse_property(obj: str, item: Mapping[str, Any], where: str, base: Property | None = None) -> Property:
    """One property from ``GET /crm/v3/properties`` (fact sheet 4.1)."""
    name = _text(item, "name", where)
    options = item.get("options") or []
    if not isinstance(options, list) or not all(isinstance(o, dict) for o in options):
        raise _Bad(f'{where} ({name}): "options" is not a list of objects')
    opts = tuple(Option(_text(o, "label", f"{where}.options[{j}] ({name})"),
                        _text(o, "value", f"{where}.options[{j}] ({name})"), bool(o.get("hidden", False)))
                 for j, o in enumerate(options))
    meta = item.get("modificationMetadata") or {}
    if not isinstance(meta, dict):
        raise _Bad(f'{where} ({name}): "modificationMetadata" is not an object')
    kind = item.get("type")
    if not isinstance(kind, str) or not kind:  # read as text, a dropdown's cells would go unchecked
        raise _Bad(f'{where} ({name}): "type" is missing or not a string')
    field_type = item.get("fieldType") or "text"
    if not isinstance(field_type, str):
        raise _Bad(f'{where} ({name}): "fieldType" is not a string')
    ref = item.get("referencedObjectType")
    fmt = base.format if base is not None else None
    if fmt is None:
        hint = str(item.get("numberDisplayHint") or "").lower()
        fmt = ("owner" if ref == "OWNER" else "phone" if field_type == "phonenumber" else
               "file" if field_type == "file" else "percentage" if hint in ("percentage", "probability") else
               "duration" if hint == "duration" else
               "currency" if item.get("showCurrencySymbol") or hint == "currency" else
               "domain" if (obj, name) == ("0-2", "domain") else _FORMATS_BY_NAME.get(name))
    return Property(
        object_id=obj, name=name, label=_text(item, "label", f"{where} ({name})", required=False), type=kind,
        field_type=field_type, options=opts, unique=bool(item.get("hasUniqueValue", False)),
        read_only=bool(meta.get("readOnlyValue", False)), calculated=bool(item.get("calculated", False)),
        referenced_object=str(ref) if ref else None, source="portal", format=fmt,
        external_options=bool(item.get("externalOptions", False)), archived=item.get("archived") is True)


def _property_list(obj: str, items: list[Any], where: str, base: Catalog | None = None) -> tuple[Property, ...]:
    """The properties of one object, ``where`` naming the list; a name listed twice is refused
    (the API lists each once; the later would silently replace the earlier)."""
    seen: dict[str, str] = {}
    out = []
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise _Bad(f"{at} is not an object")
        name = item.get("name")  # (checked by parse_property: a list here was an unhashable key)
        prop = parse_property(obj, item, at, base.property_of(obj, name) if base is not None and isinstance(
            name, str) else None)
        if prop.name in seen:
            raise _Bad(f"{at}: property {prop.name!r} is listed twice ({seen[prop.name]})")
        seen[prop.name] = at
        out.append(prop)
    return tuple(out)


def _pipeline(item: Mapping[str, Any], where: str) -> Pipeline:
    stages = item.get("stages")
    if not isinstance(stages, list) or not all(isinstance(s, dict) for s in stages):
        raise _Bad(f'{where}: "stages" is not a list of objects')
    return Pipeline(_text(item, "id", where, number=True), _text(item, "label", where),
                    tuple(Stage(_text(s, "id", f"{where}.stages[{j}]", number=True),
                                _text(s, "label", f"{where}.stages[{j}]"), s.get("archived") is True)
                          for j, s in enumerate(stages)), item.get("archived") is True)


def _owner(item: Mapping[str, Any], where: str) -> Owner:
    return Owner(_text(item, "id", where, number=True), _text(item, "email", where, required=False),
                 _text(item, "firstName", where, required=False), _text(item, "lastName", where, required=False),
                 item.get("archived") is True)


# ``?archived=true`` lists the deactivated users (the archived properties) only: saved beside
# owners.json (properties/<object>.json), which lists the others
ARCHIVED_OWNERS = "owners-archived.json"
ARCHIVED_PROPERTIES = "properties-archived"


def _with_archived(owners: tuple[Owner, ...] | None, items: list[Mapping[str, Any]]) -> tuple[Owner, ...]:
    """``owners`` and the deactivated users of owners-archived.json, each archived whatever its body
    says (an ID owners.json has already is that file's). Alone, the file says nothing of the
    active users, and every owner cell would be an unknown user's: refused."""
    if owners is None:
        raise _Bad("needs owners.json beside it (GET /crm/v3/owners: the active users)")
    known = {o.id for o in owners}
    extra = (replace(_owner(o, f"results[{i}]"), archived=True) for i, o in enumerate(items))
    return owners + tuple(o for o in extra if o.id not in known)


def _with_archived_properties(active: tuple[Property, ...] | None, archived: tuple[Property, ...],
                               stem: str) -> tuple[Property, ...]:
    """An object's properties and those of its properties-archived/ file, each archived whatever
    its body says (a name the active list has already is that list's). Alone, the file says
    nothing of the active properties, and every other column would be an unknown property's: refused."""
    if active is None:
        raise _Bad(f"needs properties/{stem}.json beside it (GET /crm/v3/properties/{stem}: the active properties)")
    known = {p.name for p in active}
    return active + tuple(replace(p, archived=True) for p in archived if p.name not in known)


def _schema(item: Mapping[str, Any], where: str) -> tuple[ObjectType, list[Mapping[str, Any]], tuple[str, ...]]:
    oid = _text(item, "objectTypeId", where, number=True)
    if not CUSTOM_OBJECT.match(oid):
        raise _Bad(f'{where}: "objectTypeId" {oid!r} is not a custom object id (2-...)')
    raw_labels = item.get("labels")
    labels: Mapping[str, Any] = raw_labels if isinstance(raw_labels, dict) else {}
    name = str(item.get("name") or "")
    names = tuple(n for n in (name, str(item.get("fullyQualifiedName") or ""), f"p_{name}" if name else "",
                              str(labels.get("singular") or ""), str(labels.get("plural") or "")) if n)
    props = item.get("properties") or []
    required = item.get("requiredProperties") or []
    if not isinstance(props, list) or not isinstance(required, list):
        raise _Bad(f'{where}: "properties" and "requiredProperties" must be lists')
    return ObjectType(oid, names, "", True), props, tuple(str(r) for r in required)


def snapshot_files(path: str | os.PathLike[str]) -> list[Path]:
    """The files ``load_portal`` reads from a snapshot folder (those that are there): inputs,
    which a report written must never replace."""
    root = Path(path)
    found = [root / "schemas.json", root / "owners.json", root / ARCHIVED_OWNERS,
             *sorted((root / "properties").glob("*.json")), *sorted((root / ARCHIVED_PROPERTIES).glob("*.json")),
             *sorted((root / "pipelines").glob("*.json")), *sorted((root / "associations").glob("*/*.json"))]
    return [p for p in found if p.is_file()]


def load_portal(path: str | os.PathLike[str], catalog: Catalog | None = None) -> Portal:
    """Read a snapshot folder. Raises ValidatorError naming the file that is not what HubSpot returns."""
    root = Path(path)
    if not is_folder(root, "portal snapshot "):
        raise ValidatorError(f"portal snapshot {root}: not a folder")
    base = catalog or builtin()
    objects: list[ObjectType] = []
    names: dict[str, str] = {}
    props: dict[str, tuple[Property, ...]] = {}
    required: dict[str, tuple[tuple[str, ...], ...]] = {}
    current = root / "schemas.json"
    schemas = _there(current)
    try:
        if schemas:
            for i, item in enumerate(_results(_read(current))):
                obj, raw_props, req = _schema(item, f"results[{i}]")
                objects.append(obj)
                names.update({n.lower(): obj.id for n in obj.names})
                props[obj.id] = _property_list(obj.id, raw_props, f"results[{i}].properties")
                required[obj.id] = tuple((r,) for r in req)

        def object_of(file: Path) -> str:
            stem = file.stem if file.suffix == ".json" else file.name
            oid = base.object_id(stem) or names.get(stem.lower())
            if oid is None:
                raise _Bad(f"{stem!r} is not an object type id or name")
            return oid

        seen: dict[tuple[str, ...], Path] = {}

        def once(file: Path, key: tuple[str, ...]) -> None:
            # a file named by id and one named by name (``0-1.json``, ``contacts.json``) for one
            # object: which body is the account's is not known, and one read last would win silently
            other = seen.setdefault(key, file)
            if other != file:
                raise _Bad(f"{other.relative_to(root).as_posix()} is a file for the same object "
                           f"({' to '.join(key[1:])}): keep one of the two")

        for current in sorted((root / "properties").glob("*.json")):
            obj_id = object_of(current)
            once(current, ("properties", obj_id))
            props[obj_id] = _property_list(obj_id, _results(_read(current)), "results", base)
        for current in sorted((root / ARCHIVED_PROPERTIES).glob("*.json")):
            obj_id = object_of(current)
            once(current, (ARCHIVED_PROPERTIES, obj_id))
            archived = _property_list(obj_id, _results(_read(current)), "results", base)
            props[obj_id] = _with_archived_properties(props.get(obj_id), archived, current.stem)
        pipelines: dict[str, tuple[Pipeline, ...]] = {}
        for current in sorted((root / "pipelines").glob("*.json")):
            obj_id = object_of(current)
            once(current, ("pipelines", obj_id))
            pipelines[obj_id] = tuple(_pipeline(p, f"results[{i}]") for i, p in enumerate(_results(_read(current))))
        owners = None
        current = root / "owners.json"
        if _there(current):
            owners = tuple(_owner(o, f"results[{i}]") for i, o in enumerate(_results(_read(current))))
        current = root / ARCHIVED_OWNERS
        if _there(current):
            owners = _with_archived(owners, _results(_read(current)))
        labels: dict[tuple[str, str], tuple[Mapping[str, Any], ...]] = {}
        for current in sorted((root / "associations").glob("*/*.json")):
            pair = (object_of(current.parent), object_of(current))
            once(current, ("associations", *pair))
            labels[pair] = tuple(_results(_read(current)))
    except _Bad as exc:
        raise ValidatorError(f"portal snapshot {current}: {exc}") from None
    return Portal(str(root), tuple(objects), props, required, pipelines, owners, labels,
                  schemas=schemas)


def overlay(catalog: Catalog, portal: Portal) -> Catalog:
    """The catalog as this portal sees it: the snapshot wins wherever it says something."""
    objects = dict(catalog.objects)
    names = dict(catalog._names)
    for obj in portal.objects:
        objects[obj.id] = obj
        names.update({n.lower(): obj.id for n in obj.names})
    props = {k: dict(v) for k, v in catalog.property_map.items()}
    for obj_id, plist in portal.properties.items():
        props[obj_id] = {p.name: p for p in plist}
        for name in catalog.pipeline_properties(obj_id) if catalog.pipelines(obj_id) else ():
            mine, old = props[obj_id].get(name), catalog.property_of(obj_id, name)
            if mine is not None and not mine.options and old is not None:
                # a pipeline or stage property listing no options says nothing of the account's
                # pipelines: HubSpot's default ones stay (a verdict by them is a warning)
                props[obj_id][name] = replace(mine, options=old.options, source=old.source)
    pipelines = dict(catalog.pipeline_map)
    for obj_id, pipes in portal.pipelines.items():
        pipelines[obj_id] = pipes
        pipe_name, stage_name = catalog.pipeline_properties(obj_id)
        by_name = props.setdefault(obj_id, {})
        # an archived pipeline's options are hidden, as are its stages and archived stages (HS247)
        for name, opts in ((pipe_name, tuple(Option(p.label, p.id, p.archived) for p in pipes)),
                           (stage_name, tuple(Option(s.label, s.id, p.archived or s.archived)
                                              for p in pipes for s in p.stages))):
            old = by_name.get(name) or catalog.property_of(obj_id, name)
            if old is not None:
                by_name[name] = replace(old, options=opts, source="portal")
    required = {**catalog.required_map, **portal.required}
    associations = list(catalog.association_types)
    labels = dict(catalog.association_labels)
    for (left, right), bodies in portal.association_labels.items():
        labels[(left, right)] = tuple(str(b["label"]) for b in bodies if b.get("label"))
        for body in bodies:
            type_id = body.get("typeId")
            if isinstance(type_id, int) and not isinstance(type_id, bool):
                associations.append(AssociationType(type_id, left, right, str(body.get("category") or "USER_DEFINED"),
                                                    str(body.get("label") or ""), "portal"))
    return replace(catalog, objects=objects, _names=names, property_map=props, pipeline_map=pipelines,
                   required_map=required, association_types=tuple(associations), association_labels=labels,
                   owners=portal.owners if portal.owners is not None else catalog.owners,
                   complete=catalog.complete | frozenset(portal.properties), portal=portal.path,
                   own_pipelines=catalog.own_pipelines | frozenset(portal.pipelines),
                   custom_objects_known=catalog.custom_objects_known or portal.schemas)


def catalog_for(portal: str | os.PathLike[str] | Portal | None) -> Catalog:
    """The built-in catalog, overlaid by a portal snapshot folder (or loaded Portal) when given."""
    if portal is None:
        return builtin()
    if not isinstance(portal, Portal):
        portal = load_portal(portal)
    return overlay(builtin(), portal)
