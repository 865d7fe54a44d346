"""The active rule set: built-in profile (``rules/default.toml``), then user settings, then flags.

Selection works like ruff: ``select`` replaces the profile's enabled set, ``extend-select`` adds,
``ignore`` removes; each takes codes (``HS101``), prefixes (``HS1``, ``HS``), rule names
(``ragged-row``) or ``ALL``. Unknown codes, names or keys are a configuration error.

As in ruff, the settings file's selection comes first and the command line's is applied to what
it leaves (``Config.then``): a ``--select`` there starts afresh, without the file's ``ignore`` or
``extend-select``. Within one of them the more specific entry wins (``select HS110`` with ``ignore
HS1`` keeps HS110; ``ALL`` < ``HS`` < ``HS1`` < ``HS11`` < a code or a name), an ``ignore`` on a tie.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePosixPath, PureWindowsPath
from types import MappingProxyType
from typing import Any

from validator.catalog import load_toml
from validator.checks import all_rules
from validator.checks.base import Rule
from validator.findings import Severity, ValidatorError

DEFAULT_MAX_PER_RULE = 1000
DEFAULT_CHUNK_ROWS = 50_000


Selection = tuple[tuple[str, ...] | None, tuple[str, ...], tuple[str, ...]]  # select, extend-select, ignore


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] | None = None  # None: the profile's enabled rules
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # selections applied after this one's, in order: the command line's (select, extend-select, ignore)
    then: tuple[Selection, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)  # by code
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # by code
    fail_on: Severity = Severity.ERROR
    max_per_rule: int = DEFAULT_MAX_PER_RULE
    chunk_rows: int = DEFAULT_CHUNK_ROWS
    portal: Any = None  # a portal snapshot folder (str or PathLike) or a loaded validator.portal.Portal
    # glob -> codes, prefixes or names turned off for matching files (request or data files)
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # findings of single records turned off: each a mapping with ``rule`` (a code, prefix or name)
    # and ``key`` (a record key, as a baseline's), optionally ``file`` (a glob, as per_file_ignores')
    # and ``column`` (a column name); see validator/record_ignores.py
    ignore_records: Sequence[Mapping[str, Any]] = ()
    # accepted findings: a baseline file, or its entries (see validator/baseline.py)
    baseline: str | os.PathLike[str] | Sequence[Mapping[str, Any]] | None = None
    tier: str = "paid"  # HubSpot plan tier for limits: paid | free
    exit_zero: bool = False
    output_format: str | None = None  # None: text, or github inside GitHub Actions
    redact: bool = False
    root: str | None = None  # folder that per-file-ignores globs are relative to (the config's)
    source: str | None = None  # the configuration file these settings came from
    # the table of ``source`` they are in: "tool.hubspot-preflight" (pyproject.toml), "" the file's top level
    source_table: str = ""
    reader: str = "auto"  # CSV reader: auto | fast | exact (auto: pyarrow for large UTF-8 files)
    threads: int | None = None  # rule threads per chunk: 1 or 2 (None: 2 for inputs over 16 MB)
    # progress(file, rows, bytes, size): with rows and bytes 0 as a file starts, then after each chunk (rows: the
    # file's rows read so far, ragged and blank ones included; bytes: a CSV's through its last row read)
    progress: Any = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # an unknown rule (or a value of the wrong type) in a setting that names rules is refused
        # where the Config is built, not when validate() runs; one naming none reads no registry
        from validator.config_rules import names_rules, rule_settings

        if names_rules(self):
            rule_settings(self)

    def with_(self, **changes: Any) -> Config:
        """A copy with ``changes`` (settings by their field names); an unknown name is a
        ValidatorError naming it, as an unknown key of the settings file is."""
        names = [f.name for f in fields(self)]
        unknown = sorted(set(changes) - set(names))
        if unknown:
            raise ValidatorError(f"unknown Config setting {unknown[0]!r} (known: {', '.join(names)})")
        return replace(self, **changes)

    @classmethod
    def from_pyproject(cls, path: str | os.PathLike[str] | None = None, **overrides: Any) -> Config:
        """Settings from ``[tool.hubspot-preflight]``: of ``path`` (a pyproject.toml or a
        standalone TOML file), or of the nearest pyproject.toml from the current folder up.
        Keyword arguments override the file. Unknown keys or codes raise ValidatorError."""
        from validator.settings import discover, load_file

        if path is not None and not isinstance(path, (str, os.PathLike)):
            raise ValidatorError(f"Config.from_pyproject() takes a settings file path, not {type(path).__name__}")
        found = Path(path) if path is not None else discover([Path.cwd()])
        base = load_file(found) if found is not None else cls()
        return base.with_(**overrides) if overrides else base


@dataclass(frozen=True, slots=True)
class ActiveRule:
    cls: type[Rule]
    severity: Severity
    options: Mapping[str, Any]
    # the severity of the findings whose verdict came from HubSpot's default lists (a hit with a
    # ``severity``: ``Rule.severity_without_portal``), unless the configuration sets the code's
    by_default: Severity | None = None

    def level(self, capped: bool) -> Severity:
        """The severity a hit is stamped: ``capped``, one judged by a default list."""
        return (self.by_default or self.severity) if capped else self.severity


@functools.cache
def load_profile() -> Mapping[str, Mapping[str, Any]]:
    """The built-in profile: every rule code once, with enabled, severity and options. Read once
    (each ``validate()`` of a small file parsed it again, a third of its time); read-only, as
    every caller shares it."""
    return _frozen(load_toml("default.toml"))


def _frozen(value: Any) -> Any:
    """``value`` with every table made a read-only mapping and every list a tuple."""
    if isinstance(value, dict):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def resolve(patterns: Iterable[str], rules: Mapping[str, type[Rule]]) -> set[str]:
    """Codes matched by codes, prefixes, names or ALL. Unknown entries are an error."""
    return set(specific_codes(patterns, rules))


def specific_codes(patterns: Iterable[str], rules: Mapping[str, type[Rule]]) -> dict[str, int]:
    """Each code matched by codes, prefixes, names or ALL, with how specific its most specific
    match is: ALL 0, a prefix its length, a whole code or a name more than any prefix."""
    out: dict[str, int] = {}
    by_name = {r.name: code for code, r in rules.items()}
    whole = 1 + max((len(code) for code in rules), default=0)

    def note(code: str, level: int) -> None:
        out[code] = max(out.get(code, -1), level)
    for raw in patterns:
        pattern = raw.strip()
        if not pattern:
            continue
        if pattern.upper() == "ALL":
            for code in rules:
                note(code, 0)
            continue
        if pattern.lower() in by_name:
            note(by_name[pattern.lower()], whole)
            continue
        matched = [code for code in rules if code.startswith(pattern.upper())]
        if not matched:
            raise ValidatorError(f"unknown rule code or name {pattern!r}")
        for code in matched:
            note(code, whole if code == pattern.upper() else len(pattern))
    return out


def _select(before: set[str], selection: Selection, rules: Mapping[str, type[Rule]]) -> set[str]:
    """One selection (select, extend-select, ignore) applied to the codes chosen ``before``: a
    code is on where its most specific "on" entry is more specific than its most specific
    ignore; ``select`` starts from nothing, else the codes before count as on, least specific."""
    select, extend, ignore = selection
    on = specific_codes(select, rules) if select is not None else dict.fromkeys(before, -1)
    for code, level in specific_codes(extend, rules).items():
        on[code] = max(on.get(code, -1), level)
    off = specific_codes(ignore, rules)
    return {code for code, level in on.items() if level > off.get(code, -2)}


def active_rules(config: Config) -> dict[str, ActiveRule]:
    """Rule classes to run, with their stamped severity and merged options, by code."""
    rules = all_rules()
    profile = load_profile()
    chosen = {code for code in rules if profile.get(code, {}).get("enabled", True)}
    for selection in ((config.select, config.extend_select, config.ignore), *config.then):
        chosen = _select(chosen, selection, rules)
    for code in list(config.severity) + list(config.options):
        if code not in rules:
            raise ValidatorError(f"unknown rule code {code!r} in configuration")
    active: dict[str, ActiveRule] = {}
    for code in sorted(chosen):
        cls = rules[code]
        entry = profile.get(code, {})
        severity = config.severity.get(code) or Severity.parse(entry.get("severity", cls.severity.label))
        by_default = None
        if cls.severity_without_portal is not None and code not in config.severity:
            by_default = min(severity, cls.severity_without_portal)
            if config.portal is None:  # every verdict is a default list's
                severity = by_default
        # rules with a `plan` option (size limits) follow the configured HubSpot plan tier
        tier = {"plan": config.tier} if "plan" in cls.options else {}
        options = {**cls.options, **entry.get("options", {}), **tier, **config.options.get(code, {})}
        unknown = set(options) - set(cls.options)
        if unknown:
            raise ValidatorError(f"unknown option(s) {', '.join(sorted(unknown))} for rule {code}")
        for name, value in options.items():
            _check_option(code, name, value, cls.options[name], getattr(cls, "option_max", {}).get(name))
        active[code] = ActiveRule(cls, severity, options, by_default)
    return active


def _check_option(code: str, name: str, value: Any, default: Any, most: int | None = None) -> None:
    """A rule option holds what its default holds: a whole number >= 0 (not a bool; every such
    option is a limit, a count or a year), at most ``most`` where the rule bounds it (its
    ``option_max``: a look-down whose rows are held in memory), or a string."""
    if isinstance(default, bool) or not isinstance(default, (int, str)):
        return
    if isinstance(default, int) and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValidatorError(f"option {name} of rule {code} must be a whole number >= 0, not {value!r}")
    if most is not None and value > most:
        raise ValidatorError(f"option {name} of rule {code} must be at most {most:,}, not {value!r}")
    if isinstance(default, str) and not isinstance(value, str):
        raise ValidatorError(f"option {name} of rule {code} must be a string, not {value!r}")
    from validator.checks.limits import PLANS  # (here: a Config alone loads no rule module)

    if name == "plan" and value.lower() not in PLANS:  # as the tier: any other was read as "paid"
        raise ValidatorError(f"option plan of rule {code} must be {' or '.join(PLANS)}, not {value!r}")


def file_ignores(config: Config, paths: Mapping[str, str]) -> Callable[[str, str], bool] | None:
    """A test ``(code, file) -> skip?`` for ``per-file-ignores``; None when there are none.

    A glob matches a file when it matches the request's ``fileName``, the path as given, or the
    path relative to ``config.root`` (the folder of the configuration file), like ruff; an
    absolute glob matches the file's absolute path, however the check was given it.
    """
    if not config.per_file_ignores:
        return None
    rules = all_rules()
    table = [(glob, _absolute(glob), frozenset(resolve(codes, rules)))
             for glob, codes in config.per_file_ignores.items()]
    cache: dict[str, frozenset[str]] = {}

    def skip(code: str, file: str) -> bool:
        codes = cache.get(file)
        if codes is None:
            names = file_names(file, paths.get(file), config.root)
            full = absolute_names(paths.get(file))
            codes = frozenset().union(*(c for glob, absolute, c in table
                                        if any(glob_match(n, glob) for n in (full if absolute else names))))
            cache[file] = codes
        return code in codes

    return skip


def matches_file(glob: str, file: str, path: str | None, root: str | None) -> bool:
    """Whether ``glob`` matches ``file`` (its fileName; ``path``: where it is read from) as a
    per-file-ignores glob does (``file_ignores``)."""
    names = absolute_names(path) if _absolute(glob) else file_names(file, path, root)
    return any(glob_match(n, glob) for n in names)


def file_names(file: str, path: str | None, root: str | None) -> set[str]:
    names = {file.replace("\\", "/")}
    if path:
        names.add(Path(path).as_posix())
        for base in (root, os.getcwd()):
            if base:
                with contextlib.suppress(ValueError):  # another drive on Windows
                    names.add(Path(os.path.relpath(Path(path).resolve(), Path(base).resolve())).as_posix())
    return names


def absolute_names(path: str | None) -> set[str]:
    """A file's absolute path, as spelled and with links resolved, for absolute globs."""
    if not path:
        return set()
    return {Path(os.path.abspath(path)).as_posix(), Path(path).resolve().as_posix()}


def _absolute(glob: str) -> bool:
    return glob.replace("\\", "/").startswith("/") or PureWindowsPath(glob).is_absolute()


def glob_match(name: str, pattern: str) -> bool:
    pattern = pattern.replace("\\", "/")
    if fnmatch.fnmatchcase(name, pattern):
        return True
    try:
        return PurePosixPath(name).match(pattern)
    except ValueError:  # ("", ".": pathlib's "empty pattern") a glob of no path part matches no file
        return False
