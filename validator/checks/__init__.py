"""Rule classes, one module per family. Importing a family registers its rules."""

from __future__ import annotations

import functools
import importlib
import pkgutil

from validator.checks.base import REGISTRY, Rule


@functools.cache
def families() -> tuple[str, ...]:
    """The rule modules of this package (every module but ``base``), found on disk once (a
    folder listing per call cost each ``validate()`` of a small file ~1 ms, five times over)."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__)
                        if m.name != "base" and not m.name.startswith("_")))


def all_rules() -> dict[str, type[Rule]]:
    """Every registered rule by code, in code order."""
    for family in families():
        importlib.import_module(f"validator.checks.{family}")
    return dict(sorted(REGISTRY.items()))


def find_rule(text: str) -> type[Rule] | None:
    """A rule by code (``HS101``) or name (``ragged-row``), case-insensitive."""
    rules = all_rules()
    key = text.strip()
    if key.upper() in rules:
        return rules[key.upper()]
    for rule in rules.values():
        if rule.name == key.lower():
            return rule
    return None
