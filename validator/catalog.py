"""HubSpot facts as data: ``rules/hubspot.toml`` (and, later, a portal snapshot) -> Catalog."""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

CUSTOM_OBJECT = re.compile(r"^2-\d+$")
OBJECT_ID = re.compile(r"^\d+-\d+$")


@dataclass(frozen=True, slots=True)
class ObjectType:
    id: str
    names: tuple[str, ...]
    legacy: str
    importable: bool

    @property
    def label(self) -> str:
        return self.names[-1] if self.names else self.id


@dataclass(frozen=True)
class Catalog:
    """What the validator knows about HubSpot. Built-in facts, optionally overlaid by a portal."""

    meta: Mapping[str, Any]
    objects: Mapping[str, ObjectType]
    _names: Mapping[str, str] = field(repr=False)
    raw: Mapping[str, Any] = field(repr=False)

    def object_id(self, text: str | None) -> str | None:
        """Normalise an object given by id (``0-1``), name (``contacts``) or legacy name."""
        if text is None:
            return None
        key = text.strip()
        if key in self.objects or CUSTOM_OBJECT.match(key):
            return key
        return self._names.get(key.lower())

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
    def extensions(self) -> Mapping[str, str]:
        return self.meta["file_extensions"]


def load_toml(name: str) -> dict[str, Any]:
    """Read one of the shipped data files (``validator.rules``).

    Installed, they are the package ``validator.rules``. Run from a source checkout whose
    ``validator/`` shadows the installed package (``python -m pytest`` in the repository), the
    same files are read from ``rules/`` beside it.
    """
    try:
        source: Any = resources.files("validator.rules").joinpath(name)
    except ModuleNotFoundError:
        source = Path(__file__).resolve().parent.parent / "rules" / name
    with source.open("rb") as fh:
        return tomllib.load(fh)


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
    return Catalog(meta=data["meta"], objects=objects, _names=names, raw=data)
