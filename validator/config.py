"""The active rule set: built-in profile (``rules/default.toml``), then user settings, then flags.

Selection works like ruff: ``select`` replaces the profile's enabled set, ``extend-select`` adds,
``ignore`` removes; each takes codes (``HS101``), prefixes (``HS1``, ``HS``), rule names
(``ragged-row``) or ``ALL``. Unknown codes, names or keys are a configuration error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from validator.catalog import load_toml
from validator.checks import all_rules
from validator.checks.base import Rule
from validator.findings import Severity, ValidatorError

DEFAULT_MAX_PER_RULE = 1000
DEFAULT_CHUNK_ROWS = 50_000


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] | None = None  # None: the profile's enabled rules
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)  # by code
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # by code
    fail_on: Severity = Severity.ERROR
    max_per_rule: int = DEFAULT_MAX_PER_RULE
    chunk_rows: int = DEFAULT_CHUNK_ROWS
    reader: str = "auto"  # CSV reader: auto | fast | exact (auto: pyarrow for large UTF-8 files)
    progress: Any = field(default=None, compare=False)  # called as progress(file, rows, bytes, size)

    def with_(self, **changes: Any) -> Config:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class ActiveRule:
    cls: type[Rule]
    severity: Severity
    options: Mapping[str, Any]


def load_profile() -> dict[str, dict[str, Any]]:
    """The built-in profile: every rule code once, with enabled, severity and options."""
    return load_toml("default.toml")


def resolve(patterns: Iterable[str], rules: Mapping[str, type[Rule]]) -> set[str]:
    """Codes matched by codes, prefixes, names or ALL. Unknown entries are an error."""
    out: set[str] = set()
    by_name = {r.name: code for code, r in rules.items()}
    for raw in patterns:
        pattern = raw.strip()
        if not pattern:
            continue
        if pattern.upper() == "ALL":
            out.update(rules)
            continue
        if pattern.lower() in by_name:
            out.add(by_name[pattern.lower()])
            continue
        matched = {code for code in rules if code.startswith(pattern.upper())}
        if not matched:
            raise ValidatorError(f"unknown rule code or name {pattern!r}")
        out.update(matched)
    return out


def active_rules(config: Config) -> dict[str, ActiveRule]:
    """Rule classes to run, with their stamped severity and merged options, by code."""
    rules = all_rules()
    profile = load_profile()
    if config.select is None:
        chosen = {code for code in rules if profile.get(code, {}).get("enabled", True)}
    else:
        chosen = resolve(config.select, rules)
    chosen |= resolve(config.extend_select, rules)
    chosen -= resolve(config.ignore, rules)
    for code in list(config.severity) + list(config.options):
        if code not in rules:
            raise ValidatorError(f"unknown rule code {code!r} in configuration")
    active: dict[str, ActiveRule] = {}
    for code in sorted(chosen):
        cls = rules[code]
        entry = profile.get(code, {})
        severity = config.severity.get(code) or Severity.parse(entry.get("severity", cls.severity.label))
        options = {**cls.options, **entry.get("options", {}), **config.options.get(code, {})}
        unknown = set(options) - set(cls.options)
        if unknown:
            raise ValidatorError(f"unknown option(s) {', '.join(sorted(unknown))} for rule {code}")
        active[code] = ActiveRule(cls, severity, options)
    return active
