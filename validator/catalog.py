"""HubSpot facts as data: ``rules/hubspot.toml``, overlaid by a portal snapshot (validator.portal) -> Catalog."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from validator.currencies import is_currency_code

CUSTOM_OBJECT = re.compile(r"^2-\d+$")
# a custom object's fully qualified name, p<portal id>_<name> (schemas' fullyQualifiedName):
# never a HubSpot object's name, so taken as a custom object's, as a 2-<id> is, without a snapshot
CUSTOM_NAME = re.compile(r"^p\d+_[A-Za-z0-9_]+$", re.IGNORECASE)
# a custom object's short-hand name, p_<name> (its schema's name: a letter, then letters, digits,
# underscores), which HubSpot's APIs take beside the id and the fully qualified name since they
# stopped taking the bare name (developer changelog, June 2025); taken as a custom object's too.
# Whether HubSpot matches object names ignoring case is not documented ([GAP]); a snapshot's
# names are matched ignoring case (``Catalog.object_id``), so the prefix is too (P_cars, P123_cars)
CUSTOM_SHORT = re.compile(r"^p_[A-Za-z][A-Za-z0-9_]*$", re.IGNORECASE)
OBJECT_ID = re.compile(r"^\d+-\d+$")


def custom_form(text: str) -> bool:
    """Whether ``text`` has a custom object's shape: its id (``2-<id>``), fully qualified name
    (``p<portal id>_<name>``) or short-hand name (``p_<name>``)."""
    return bool(CUSTOM_OBJECT.match(text) or CUSTOM_NAME.match(text) or CUSTOM_SHORT.match(text))


@dataclass(frozen=True, slots=True)
class ObjectType:
    id: str
    names: tuple[str, ...]
    legacy: str
    importable: bool

    @property
    def label(self) -> str:
        return self.names[-1] if self.names else self.id


@dataclass(frozen=True, slots=True)
class Option:
    """One option of an enumeration property: cells may give the label or the internal value."""

    label: str
    value: str
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class Property:
    """A HubSpot property as the validator needs it (Properties API fields, fact sheet 4.1)."""

    object_id: str
    name: str  # internal name
    label: str = ""
    type: str = "string"  # string | number | date | datetime | enumeration | bool | phone_number | ...
    field_type: str = "text"  # text | textarea | number | date | select | checkbox | booleancheckbox | ...
    options: tuple[Option, ...] = ()
    unique: bool = False  # hasUniqueValue
    read_only: bool = False  # modificationMetadata.readOnlyValue
    calculated: bool = False
    referenced_object: str | None = None  # e.g. OWNER
    source: str = ""  # fact tag ([V] S10, [I], portal)
    format: str | None = None  # how cells are read: email | domain | phone | owner | term | currency | duration | ...
    external_options: bool = False  # externalOptions: the values are records or users, not options listed
    archived: bool = False  # a portal snapshot's archived property (GET /crm/v3/properties?archived=true)

    @property
    def writable(self) -> bool:
        """False for read-only values and calculated properties (fact sheet 4.1)."""
        return not (self.read_only or self.calculated or self.field_type == "calculation_equation")

    @property
    def multiple(self) -> bool:
        """Multiple checkboxes: several options in one cell, separated by ``;`` [V] S6."""
        return self.type == "enumeration" and self.field_type == "checkbox"


@dataclass(frozen=True, slots=True)
class Stage:
    id: str
    label: str
    archived: bool = False


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A deal, ticket or other pipeline with its stages (``GET /crm/v3/pipelines/{objectType}``)."""

    id: str
    label: str
    stages: tuple[Stage, ...]
    archived: bool = False


@dataclass(frozen=True, slots=True)
class Owner:
    """A user records can be assigned to (``GET /crm/v3/owners``)."""

    id: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    archived: bool = False  # a deactivated user (GET /crm/v3/owners?archived=true)

    @property
    def name(self) -> str:
        return " ".join(f"{self.first_name} {self.last_name}".split())


@dataclass(frozen=True, slots=True)
class AssociationType:
    """A HubSpot association type: one direction between two objects (fact sheet 5)."""

    id: int
    from_object: str  # object type id, e.g. "0-1"
    to_object: str
    category: str = "HUBSPOT_DEFINED"  # HUBSPOT_DEFINED | USER_DEFINED | INTEGRATOR_DEFINED
    label: str = ""
    source: str = ""


@dataclass(frozen=True)
class Catalog:
    """What the validator knows about HubSpot. Built-in facts, optionally overlaid by a portal."""

    meta: Mapping[str, Any]
    objects: Mapping[str, ObjectType]
    _names: Mapping[str, str] = field(repr=False)
    raw: Mapping[str, Any] = field(repr=False)
    # object id -> property name -> Property ([[properties]] in hubspot.toml; a portal overrides)
    property_map: Mapping[str, Mapping[str, Property]] = field(default_factory=dict, repr=False)
    association_types: tuple[AssociationType, ...] = ()
    identifiers_map: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    # (from object id, to object id) -> label texts that exist in the portal (GET
    # /crm/v4/associations/{from}/{to}/labels in a portal snapshot); empty without a snapshot
    association_labels: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict, repr=False)
    # object id -> groups; a created record needs a value in one property of every group (4.3)
    required_map: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict, repr=False)
    # object id -> required property whose internal name is only HubSpot's usual one ([I], 4.3)
    # -> the import tool's label of the field it stands for
    inferred_map: Mapping[str, Mapping[str, str]] = field(default_factory=dict, repr=False)
    pipeline_map: Mapping[str, tuple[Pipeline, ...]] = field(default_factory=dict, repr=False)
    # objects whose pipelines a portal snapshot gave (pipelines/<object>.json); others' are the
    # built-in default pipeline, which accounts customise
    own_pipelines: frozenset[str] = frozenset()
    owners: tuple[Owner, ...] | None = None  # None: no portal snapshot, owners unknown
    # objects whose property list is complete (a portal snapshot gave it): unknown names are errors
    complete: frozenset[str] = frozenset()
    portal: str | None = None  # the snapshot folder, when one is loaded
    # a portal snapshot's schemas.json lists the portal's custom objects: other 2-... ids are unknown
    custom_objects_known: bool = False
    # object id -> properties named by a pattern (``hs_price_{currency}``: one per currency of a
    # multi-currency account, [[property_patterns]] in hubspot.toml); a portal's own list wins
    pattern_map: Mapping[str, tuple[Property, ...]] = field(default_factory=dict, repr=False)

    def required(self, object_id: str | None) -> tuple[tuple[str, ...], ...]:
        return self.required_map.get(object_id or "", ())

    def inferred_fields(self, object_id: str | None, group: tuple[str, ...]) -> tuple[str, ...]:
        """The import tool's labels of the fields a required group stands for by an internal name
        that is only HubSpot's usual one ([I], fact sheet 4.3); empty where every name is [V]."""
        names = self.inferred_map.get(object_id or "", {})
        return tuple(dict.fromkeys(names[p] for p in group if p in names))

    def pipelines(self, object_id: str | None) -> tuple[Pipeline, ...]:
        """The object's pipelines: from the portal snapshot, else the built-in default pipeline."""
        return self.pipeline_map.get(object_id or "", ())

    def pipeline_properties(self, object_id: str | None) -> tuple[str, str]:
        """(pipeline, stage) property names: ``pipeline``/``dealstage`` on deals [V] S11."""
        return ("pipeline", "dealstage") if object_id == "0-3" else ("hs_pipeline", "hs_pipeline_stage")

    def knows_all_properties(self, object_id: str | None) -> bool:
        return (object_id or "") in self.complete

    def properties(self, object_id: str | None) -> Mapping[str, Property]:
        return self.property_map.get(object_id or "", {})

    def property_of(self, object_id: str | None, name: str | None) -> Property | None:
        """A property by object and internal name (exact; HubSpot's names are lower case)."""
        if name is None:
            return None
        found = self.properties(object_id).get(name)
        if found is None and not self.knows_all_properties(object_id):
            found = self.patterned(object_id, name)
        return found

    def patterned(self, object_id: str | None, name: str) -> Property | None:
        """The property a pattern of the object names ``name`` by (``hs_price_eur``: the price in
        euros, its label ``Price EUR``), made from the pattern; None where none does."""
        for pattern in self.pattern_map.get(object_id or "", ()):
            code = pattern_code(pattern.name, name)
            if code is not None and code.islower() and is_currency_code(code):
                return replace(pattern, name=name, label=pattern.label.replace("{CURRENCY}", code.upper()))
        return None

    def pattern_near(self, object_id: str | None, name: str | None) -> Property | None:
        """The pattern whose form ``name`` has but whose currency it does not name (``hs_price_xyz``,
        ``hs_price_USD``); None where it has no pattern's form or is the property a pattern names."""
        if name is None or self.patterned(object_id, name) is not None:
            return None
        return next((p for p in self.pattern_map.get(object_id or "", ())
                     if pattern_code(p.name, name) is not None), None)

    def identifiers(self, object_id: str | None) -> tuple[str, ...]:
        """Properties that identify a record of this object: hs_object_id, the object's own
        (email, domain, hs_sku ...; fact sheet 4.2) and every hasUniqueValue property."""
        own = self.identifiers_map.get(object_id or "", ())
        unique = tuple(n for n, p in self.properties(object_id).items() if p.unique and n not in own)
        return ("hs_object_id", *(n for n in own if n != "hs_object_id"), *unique)

    def association(self, type_id: int, category: str = "HUBSPOT_DEFINED") -> AssociationType | None:
        for a in self.association_types:
            if a.id == type_id and a.category == category:
                return a
        return None

    def types_between(self, from_object: str | None, to_object: str | None) -> tuple[AssociationType, ...]:
        """Known association types from one object to another (one direction)."""
        return tuple(a for a in self.association_types
                     if a.from_object == from_object and a.to_object == to_object)

    def labels_between(self, from_object: str | None, to_object: str | None) -> tuple[str, ...] | None:
        """Association labels the portal has for this object pair; None when no snapshot says."""
        return self.association_labels.get((from_object or "", to_object or ""))

    @property
    def association_categories(self) -> tuple[str, ...]:
        return tuple(self.meta.get("association_categories", ()))

    def object_id(self, text: str | None) -> str | None:
        """Normalise an object given by id (``0-1``), name (``contacts``) or legacy name."""
        if text is None:
            return None
        key = text.strip()
        if key in self.objects or (custom_form(key) and not self.custom_objects_known):
            return key
        return self._names.get(key.lower())

    def custom_objects(self) -> tuple[str, ...]:
        """Ids of the custom objects the catalog knows (a portal snapshot's schemas.json)."""
        return tuple(k for k in self.objects if CUSTOM_OBJECT.match(k))

    def object_label(self, object_id: str | None) -> str:
        if object_id is None:
            return "?"
        obj = self.objects.get(object_id)
        return f"{obj.label} ({object_id})" if obj else object_id

    @property
    def date_formats(self) -> tuple[str, ...]:
        return tuple(self.meta["date_formats"])

    @property
    def operations(self) -> tuple[str, ...]:
        return tuple(self.meta["operations"])

    @property
    def file_formats(self) -> tuple[str, ...]:
        return tuple(self.meta["file_formats"])

    @property
    def column_types(self) -> tuple[str, ...]:
        return tuple(self.meta["column_types"])

    @property
    def error_types(self) -> tuple[str, ...]:
        """HubSpot's import errorType values (fact sheet 2.2)."""
        return tuple(self.raw.get("errors", {}).get("types", ()))

    @property
    def error_about(self) -> Mapping[str, Mapping[str, str]]:
        """Per errorType: ``meaning``, ``preflight`` (Y / P / N, with the fact sheet's remark)
        and ``version`` (the enum it came with), from fact sheet 2.2's table."""
        return self.raw.get("errors", {}).get("about", {})

    @property
    def extensions(self) -> Mapping[str, str]:
        return self.meta["file_extensions"]


def pattern_code(pattern: str, name: str) -> str | None:
    """What ``name`` has where ``pattern`` has ``{currency}`` (``eur`` of ``hs_price_eur``), where
    it has the pattern's form; None otherwise."""
    head, _, tail = pattern.partition("{currency}")
    if len(name) <= len(head) + len(tail) or not name.startswith(head) or not name.endswith(tail):
        return None
    return name[len(head):len(name) - len(tail)]


def load_toml(name: str) -> dict[str, Any]:
    """Read one of the shipped data files (``validator.rules``).

    Installed, they are the package ``validator.rules``. Run from a source checkout whose
    ``validator/`` shadows the installed package (``python -m pytest`` in the repository), the
    same files are read from ``rules/`` beside it.

    Each TOML file ships with a JSON twin (``hubspot.json``: the same data, with the SHA-256 of
    the TOML bytes it was made from), read where that hash is the TOML's own: parsing
    ``hubspot.toml`` took ~30 ms of every start, its twin ~1 ms. A TOML file edited since its
    twin was written is parsed itself (never read stale); ``python -m validator.catalog``
    writes the twins anew.
    """
    raw = _rules_file(name).read_bytes()
    try:
        twin = json.loads(_rules_file(_twin_name(name)).read_bytes())
    except (OSError, ValueError):
        twin = None
    if (isinstance(twin, dict) and isinstance(twin.get("data"), dict)
            and twin.get("sha256") == hashlib.sha256(raw).hexdigest()):
        return twin["data"]
    return tomllib.loads(raw.decode("utf-8"))


def _rules_file(name: str) -> Any:
    try:
        return resources.files("validator.rules").joinpath(name)
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "rules" / name


def _twin_name(name: str) -> str:
    return name.removesuffix(".toml") + ".json"


def write_twins(folder: Path) -> list[Path]:
    """Write the JSON twin of each TOML file in ``folder`` (``load_toml``); the paths written."""
    out = []
    for toml in sorted(folder.glob("*.toml")):
        raw = toml.read_bytes()
        twin = folder / _twin_name(toml.name)
        text = json.dumps({"sha256": hashlib.sha256(raw).hexdigest(), "source": toml.name,
                           "data": tomllib.loads(raw.decode("utf-8"))}, ensure_ascii=False, separators=(",", ":"))
        twin.write_text(text + "\n", encoding="utf-8")
        out.append(twin)
    return out


@functools.cache
def builtin() -> Catalog:
    data = load_toml("hubspot.toml")
    objects: dict[str, ObjectType] = {}
    names: dict[str, str] = {}
    for entry in data.get("objects", []):
        obj = ObjectType(
            id=entry["id"],
            names=tuple(entry.get("names", ())),
            legacy=entry.get("legacy", ""),
            importable=bool(entry.get("importable", False)),
        )
        objects[obj.id] = obj
        for n in (*obj.names, obj.legacy):
            if n:
                names[n.lower()] = obj.id
    props = _properties(data, names)
    return Catalog(meta=data["meta"], objects=objects, _names=names, raw=data,
                   property_map=props, association_types=_associations(data, names),
                   identifiers_map={_oid(k, names): tuple(v) for k, v in data.get("identifiers", {}).items()},
                   required_map={_oid(k, names): tuple(tuple(g) for g in v)
                                 for k, v in data.get("required", {}).items()},
                   inferred_map={_oid(k, names): dict(v) for k, v in data.get("required_inferred", {}).items()},
                   pipeline_map=_default_pipelines(props),
                   pattern_map=_patterns(data, names))


def _default_pipelines(props: Mapping[str, Mapping[str, Property]]) -> dict[str, tuple[Pipeline, ...]]:
    """Each object's default pipeline, from the options of its pipeline and stage properties."""
    out: dict[str, tuple[Pipeline, ...]] = {}
    for obj, by_name in props.items():
        pipe_name, stage_name = ("pipeline", "dealstage") if obj == "0-3" else ("hs_pipeline", "hs_pipeline_stage")
        pipe, stage = by_name.get(pipe_name), by_name.get(stage_name)
        if pipe is not None and stage is not None and len(pipe.options) == 1:
            out[obj] = (Pipeline(pipe.options[0].value, pipe.options[0].label,
                                 tuple(Stage(o.value, o.label) for o in stage.options)),)
    return out


def _oid(text: str, names: Mapping[str, str]) -> str:
    return text if OBJECT_ID.match(text) else names.get(text.lower(), text)


def _properties(data: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, dict[str, Property]]:
    """``[[properties]]`` entries: object, name, label, type, field_type, options, unique, ..."""
    out: dict[str, dict[str, Property]] = {}
    for e in data.get("properties", []):
        obj = _oid(e["object"], names)
        options = tuple(Option(str(o["label"]), str(o["value"]), bool(o.get("hidden", False)))
                        for o in e.get("options", []))
        out.setdefault(obj, {})[e["name"]] = Property(
            object_id=obj, name=e["name"], label=e.get("label", ""), type=e.get("type", "string"),
            field_type=e.get("field_type", "text"), options=options, unique=bool(e.get("unique", False)),
            read_only=bool(e.get("read_only", False)), calculated=bool(e.get("calculated", False)),
            referenced_object=e.get("referenced_object"), source=e.get("source", ""), format=e.get("format"))
    return out


def _patterns(data: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, tuple[Property, ...]]:
    """``[[property_patterns]]`` entries: ``[[properties]]`` whose name holds ``{currency}`` (and
    label ``{CURRENCY}``), standing for one property per ISO 4217 code."""
    out: dict[str, list[Property]] = {}
    for e in data.get("property_patterns", []):
        for obj, by_name in _properties({"properties": [e]}, names).items():
            out.setdefault(obj, []).extend(by_name.values())
    return {k: tuple(v) for k, v in out.items()}


def _associations(data: Mapping[str, Any], names: Mapping[str, str]) -> tuple[AssociationType, ...]:
    """``[[association_types]]`` entries: id, from, to, category, label, source."""
    return tuple(
        AssociationType(id=int(e["id"]), from_object=_oid(e["from"], names), to_object=_oid(e["to"], names),
                        category=e.get("category", "HUBSPOT_DEFINED"), label=e.get("label", ""),
                        source=e.get("source", ""))
        for e in data.get("association_types", []))


if __name__ == "__main__":  # python -m validator.catalog: the JSON twins of rules/*.toml, written anew
    for written in write_twins(Path(__file__).resolve().parent.parent / "rules"):
        print(written)
