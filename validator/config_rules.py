"""A ``Config``'s settings that name rules, checked and taken as the settings file takes them.

``Config`` checks them as it is built (``Config.__post_init__``), so that an unknown rule is
refused on the line that names it rather than when ``validate()`` runs; ``validate()`` takes
them as codes (``rule_settings``). The rule registry is read only where a setting names rules: a
``Config`` naming none is built without importing a rule module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from validator.checks import all_rules
from validator.config import specific_codes
from validator.findings import Severity, ValidatorError

if TYPE_CHECKING:
    from validator.config import Config


def names_rules(config: Config) -> bool:
    """Whether any setting of ``config`` names rules (select, ignore, severity, ...)."""
    return bool(config.select is not None or config.extend_select or config.ignore or config.then
                or config.severity or config.options or config.per_file_ignores or config.ignore_records)


def rule_settings(config: Config) -> dict[str, Any]:
    """``select``, ``extend_select``, ``ignore``, ``then``, ``severity``, ``options`` and
    ``per_file_ignores`` as codes, and ``ignore_records`` checked (``record_ignores``); a value
    of the wrong type or an unknown rule is a ValidatorError naming the setting
    (``Config.select: unknown rule code or name 'HS999'``)."""
    selections = {name: patterns(getattr(config, name), f"Config.{name}")
                  for name in ("extend_select", "ignore")}
    select = None if config.select is None else patterns(config.select, "Config.select")
    if select == ():  # (no rule checked: a broken import would pass)
        raise ValidatorError("Config.select names no rule: " + NO_RULE.format(ignore='ignore=["ALL"]'))
    then = []
    if not isinstance(config.then, (tuple, list)):
        raise ValidatorError(f"Config.then must hold (select, extend_select, ignore) triples, not {config.then!r}")
    for entry in config.then:
        if not isinstance(entry, tuple) or len(entry) != 3:
            raise ValidatorError(f"Config.then must hold (select, extend_select, ignore) triples, not {entry!r}")
        then.append((None if entry[0] is None else patterns(entry[0], "Config.then"),
                     patterns(entry[1], "Config.then"), patterns(entry[2], "Config.then")))
    if not isinstance(config.per_file_ignores, Mapping):
        raise ValidatorError(f"Config.per_file_ignores must map globs to rules, not "
                             f"{type(config.per_file_ignores).__name__}")
    ignores = {str(glob): patterns(codes, f"Config.per_file_ignores[{glob!r}]")
               for glob, codes in config.per_file_ignores.items()}
    if not isinstance(config.severity, Mapping) or any(
            not isinstance(v, (Severity, str)) for v in config.severity.values()):
        raise ValidatorError("Config.severity must map rule codes to Severity values or 'error'/'warning'/'info'")
    severity = _by_code({rule: severity_of(v, f"Config.severity[{rule!r}]") for rule, v in config.severity.items()},
                        "Config.severity")
    if not isinstance(config.options, Mapping):
        raise ValidatorError(f"Config.options must map rules to options, not {type(config.options).__name__}")
    for rule, opts in config.options.items():
        if not isinstance(opts, Mapping):
            raise ValidatorError(f"Config.options[{rule!r}] must map option names to values, not {opts!r}")
    options = {code: dict(opts) for code, opts in _by_code(config.options, "Config.options").items()}
    records = record_ignores(config.ignore_records, "Config.ignore_records")
    return dict(select=select, then=tuple(then), per_file_ignores=ignores, options=options, severity=severity,
                ignore_records=records, **selections)


RECORD_FIELDS = ("rule", "key", "file", "column")
KEY_KINDS = ("id", "email", "row", "value", "column", "pointer")


def record_ignores(value: Any, what: str) -> tuple[dict[str, str | None], ...]:
    """``ignore-records`` entries checked, each as a dict of ``RECORD_FIELDS`` (None where not
    given): ``rule`` a code, prefix or name, ``key`` a record key as a baseline keys a finding
    (``records.finding_key``: ``email:`` lower-cased, ``id:`` stripped, as the report makes them),
    ``file`` a glob, ``column`` a column name. Anything else is refused naming ``what[i]``."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
        raise ValidatorError(f"{what} must be a list of tables with rule and key, not {value!r}")
    out = []
    for i, entry in enumerate(value):
        where = f"{what}[{i}]"
        if not isinstance(entry, Mapping):
            raise ValidatorError(f"{where} must be a table with rule and key, not {entry!r}")
        unknown = [k for k in entry if k not in RECORD_FIELDS]
        if unknown:
            raise ValidatorError(f"{where}: unknown field {unknown[0]!r} (known: {', '.join(RECORD_FIELDS)})")
        for name in ("rule", "key"):
            if name not in entry:
                raise ValidatorError(f"{where}: missing {name!r} (each entry needs rule and key)")
        for name in RECORD_FIELDS:
            got = entry.get(name)
            if (name in ("rule", "key") or got is not None) and (not isinstance(got, str) or not got.strip()):
                raise ValidatorError(f"{where}: {name} must be a non-empty string, not {got!r}")
        rule = entry["rule"].strip()
        try:
            specific_codes([rule], all_rules())
        except ValidatorError as exc:
            raise ValidatorError(f"{where}: rule: {exc}") from None
        out.append({"rule": rule, "key": _record_key(entry["key"], where), "file": entry.get("file"),
                    "column": entry.get("column")})
    return tuple(out)


def _record_key(key: str, where: str) -> str:
    """A record key as the report makes it; one of no known kind is refused (a bare address is a
    key the report never makes, and an entry with it would suppress nothing)."""
    text = key.strip()
    kind, sep, rest = text.partition(":")
    if text == "file":
        return text
    if not sep or kind not in KEY_KINDS or not rest.strip():
        kinds = ", ".join(f"{k}:..." for k in KEY_KINDS)
        raise ValidatorError(f"{where}: key {key!r} is no record key (give one as a baseline or the JSON report's "
                             f"key gives it: {kinds} or file)")
    if kind == "email":
        return f"email:{rest.strip().lower()}"
    if kind == "id":
        return f"id:{rest.strip()}"
    return text


def severity_of(value: Severity | str, what: str) -> Severity:
    """A severity as the settings file takes it (``"error"``); one that is none is refused naming
    ``what``, the setting it was given for, as the settings file names its own."""
    if isinstance(value, Severity):
        return value
    try:
        return Severity.parse(value)
    except ValidatorError as exc:
        raise ValidatorError(f"{what}: {exc}") from None


NO_RULE = "give codes, prefixes, names or ALL ({ignore} checks nothing)"  # (a select naming no rule)


def patterns(value: Any, what: str) -> tuple[str, ...]:
    """Rule codes, prefixes or names: a list of them, or one string of them separated by commas
    (as the settings file and ``--select`` take them). An unknown one is refused naming ``what``."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple, set, frozenset)) or not all(isinstance(v, str) for v in value):
        raise ValidatorError(f"{what} must be rule codes, prefixes or names, not {value!r}")
    found = tuple(p.strip() for v in value for p in v.split(",") if p.strip())
    try:
        specific_codes(found, all_rules())
    except ValidatorError as exc:
        raise ValidatorError(f"{what}: {exc}") from None
    return found


def _by_code(table: Mapping[Any, Any], what: str) -> dict[str, Any]:
    """A table keyed by rule codes, names or prefixes, keyed by code; where keys overlap (``HS1``
    and ``HS113``) the more specific one wins, as in the settings file."""
    rules = all_rules()
    out: dict[str, tuple[int, Any]] = {}
    for rule, value in table.items():
        if not isinstance(rule, str):
            raise ValidatorError(f"{what} keys must be rule codes, prefixes or names, not {rule!r}")
        try:
            matched = specific_codes([rule], rules)
        except ValidatorError as exc:
            raise ValidatorError(f"{what}: {exc}") from None
        for code, level in matched.items():
            if code not in out or level >= out[code][0]:
                out[code] = (level, value)
    return {code: value for code, (_level, value) in out.items()}
