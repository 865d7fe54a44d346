"""Configuration files: ``[tool.hubspot-preflight]`` in pyproject.toml, or ``--config FILE``;
``--config 'KEY = VALUE'`` sets one setting over the file's (``config_arguments``).

Discovery works like ruff's: from the folder of each checked file upward, the first
``.hubspot-preflight.toml``, ``hubspot-preflight.toml`` or ``pyproject.toml`` with a
``[tool.hubspot-preflight]`` table wins, in that order within a folder (ruff reads ``.ruff.toml``,
``ruff.toml``, then ``pyproject.toml``). A standalone file given with ``--config`` may hold the
keys at its top level or under ``[tool.hubspot-preflight]``. Every key is checked: an unknown
key, rule code, severity or value is a ValidatorError naming it (the CLI exits 2).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from validator.checks import all_rules
from validator.config import Config, active_rules, resolve, specific_codes
from validator.config_rules import NO_RULE, record_ignores
from validator.findings import Severity, ValidatorError
from validator.sources import is_folder, read_bounded, stat_named

TABLE = "hubspot-preflight"
STANDALONE = (".hubspot-preflight.toml", "hubspot-preflight.toml")  # in this order, as ruff reads .ruff.toml first
TIERS = ("paid", "free")
FORMATS = ("text", "grouped", "full", "concise", "pylint", "json", "json-lines", "sarif", "junit", "github", "gitlab",
           "azure", "hubspot", "csv")

KEYS = {
    "select": "codes, prefixes or names; replaces the default rule set",
    "extend-select": "codes, prefixes or names added to the selection",
    "ignore": "codes, prefixes or names turned off",
    "severity": "table: rule -> error | warning | info",
    "per-file-ignores": "table: glob -> rules turned off for matching files",
    "ignore-records": "list of { rule, key, file?, column? }: one record's findings of a rule turned off",
    "options": "table: rule -> table of rule options",
    "fail-on": "error | warning | info",
    "max-per-rule": "findings listed per rule and file",
    "portal": "portal snapshot folder (relative to the configuration file)",
    "tier": "HubSpot plan tier for limits: paid | free",
    "exit-zero": "exit 0 even when findings fail",
    "output-format": "report format",
    "baseline": "baseline file of accepted findings (relative to the configuration file)",
    "redact": "mask cell values in every format",
}


def discover(paths: Iterable[Path]) -> Path | None:
    """The configuration file for these inputs: nearest first, from each path's folder up."""
    for path in paths:
        start = path if is_folder(path) else path.parent
        for folder in [start.resolve(), *start.resolve().parents]:
            for name in STANDALONE:
                own = folder / name
                if _is_file(own):
                    return own
            pyproject = folder / "pyproject.toml"
            if _is_file(pyproject) and TABLE in _read(pyproject).get("tool", {}):
                return pyproject
    return None


def _is_file(path: Path) -> bool:
    st = stat_named(path, "cannot read configuration ")
    return st is not None and stat.S_ISREG(st.st_mode)


MAX_CONFIG_BYTES = 4 << 20


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(read_bounded(path, MAX_CONFIG_BYTES).decode("utf-8"))
    except OSError as exc:
        raise ValidatorError(f"cannot read configuration {path}: {exc.strerror or exc}") from None
    except ValidatorError as exc:
        raise ValidatorError(f"cannot read configuration: {exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValidatorError(f"{path} is not valid TOML: {exc}") from None
    except RecursionError:  # (valid TOML, nested deeper than tomllib recurses)
        raise ValidatorError(f"cannot read configuration {path}: nested too deeply") from None
    except ValueError:  # (valid TOML: a whole number past Python's limit on digits)
        raise ValidatorError(f"cannot read configuration {path}: {_too_long()}") from None


def _too_long() -> str:
    return f"a number of more than {sys.get_int_max_str_digits():,} digits is too long to read"


def load_file(path: Path, overrides: Iterable[Override] = ()) -> Config:
    """The Config a file describes (defaults for what it leaves out), with ``overrides``
    (``--config KEY = VALUE``) over its settings."""
    data = _read(path)
    tool = data.get("tool", {})
    section: str | None = SECTION
    if isinstance(tool, dict) and TABLE in tool:
        table = tool[TABLE]
    elif path.name == "pyproject.toml":
        table = {}
    else:
        table, section = data, None  # a standalone file's keys at its top level
    if not isinstance(table, dict):
        raise ValidatorError(f"{path}: [tool.{TABLE}] must be a table")
    return from_table(_overridden(table, overrides), path, section)


Override = tuple[str, Mapping[str, Any]]  # a --config KEY = VALUE as given, and the settings it sets


def config_arguments(values: Iterable[str]) -> tuple[Path | None, tuple[Override, ...]]:
    """``--config`` values, told apart as ruff tells them: a path that is there (a file, or
    anything else, which reading then refuses) is the settings file, at most one; else a value
    with ``=`` is a TOML ``KEY = VALUE`` override of one setting (``select = ["HS1"]``,
    ``severity.HS113 = "error"``), checked as a settings file's keys are; else a settings file
    that is not there (refused when read)."""
    files: list[str] = []
    overrides: list[Override] = []
    for value in values:
        if not value:  # (Path("") is the current folder)
            raise ValidatorError("--config '' names no settings file, nor a 'KEY = VALUE' setting")
        if os.path.lexists(value) or "=" not in value:
            files.append(value)
            continue
        overrides.append((value, override(value)))
    if len(files) > 1:
        raise ValidatorError(f"--config names one settings file, not {len(files)} ({', '.join(files)}); "
                             "give the others' settings as --config 'KEY = VALUE'")
    return (Path(files[0]) if files else None), tuple(overrides)


def override(value: str) -> Mapping[str, Any]:
    """The settings of one ``--config KEY = VALUE`` (refused, naming it, where it is no TOML or
    sets an unknown key or value). Its portal and baseline paths are relative to the current
    folder, as the flags' are, not to the settings file's."""
    setting = f"--config {value!r}"
    try:
        table = tomllib.loads(value)
    except tomllib.TOMLDecodeError as exc:
        raise ValidatorError(f"{setting} is no file, nor a TOML 'KEY = VALUE' setting: {exc}") from None
    except RecursionError:
        raise ValidatorError(f"{setting}: nested too deeply") from None
    except ValueError:  # (a whole number past Python's limit on digits)
        raise ValidatorError(f"{setting}: {_too_long()}") from None
    tool = table.get("tool")
    if set(table) == {"tool"} and isinstance(tool, dict) and set(tool) == {TABLE}:  # (as pyproject.toml spells it)
        table = tool[TABLE]
    if not isinstance(table, dict) or not table:
        raise ValidatorError(f"{setting} sets no setting: give KEY = VALUE (select = [\"HS1\"])")
    with _naming(setting):
        from_table(table, None, None)
    return {k: (os.path.abspath(v) if k in ("portal", "baseline") else v) for k, v in table.items()}


def _overridden(table: Mapping[str, Any], overrides: Iterable[Override]) -> Mapping[str, Any]:
    """``table`` with each override's settings over it, in order: a table (severity, options,
    per-file-ignores) entry by entry, any other setting whole."""
    def merged(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(base)
        for key, value in over.items():
            held = out.get(key)
            out[key] = merged(held, value) if isinstance(held, dict) and isinstance(value, dict) else value
        return out
    for _value, settings in overrides:
        table = merged(table, settings)
    return table


SECTION = f"[tool.{TABLE}]"


def from_table(table: Mapping[str, Any], path: Path | None = None, section: str | None = SECTION) -> Config:
    """The Config a settings table describes; ``path`` and ``section`` (the table's header, None
    for a standalone file's top level) name where a refused setting came from."""
    where = f" in {path}" if path is not None else ""
    named = _key_namer(path, section)
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ValidatorError(f"unknown configuration key {unknown[0]!r}{where} "
                             f"(known: {', '.join(KEYS)})")
    root = path.parent.resolve() if path is not None else None
    rules = all_rules()
    changes: dict[str, Any] = {"root": str(root) if root else None, "source": str(path) if path else None,
                               "source_table": section.strip("[]") if path is not None and section else ""}
    for key in ("select", "extend-select", "ignore"):
        if key in table:
            with _naming(named(key)):
                codes = _strings(table[key])
                resolve(codes, rules)
                if key == "select" and not any(p.strip() for c in codes for p in c.split(",")):
                    raise ValidatorError("names no rule: " + NO_RULE.format(ignore='ignore = ["ALL"]'))
            changes[key.replace("-", "_")] = codes
    if "severity" in table:
        with _naming(named("severity")):
            levels = _table(table["severity"])
        changes["severity"] = severities(levels, named)
    if "per-file-ignores" in table:
        pfi = {}
        with _naming(named("per-file-ignores")):
            globs = _table(table["per-file-ignores"])
        for glob, codes in globs.items():
            with _naming(named(f"per-file-ignores[{glob!r}]")):
                pfi[str(glob)] = _strings(codes)
                resolve(pfi[str(glob)], rules)
        changes["per_file_ignores"] = pfi
    if "ignore-records" in table:
        changes["ignore_records"] = record_ignores(table["ignore-records"], named("ignore-records"))
    if "options" in table:
        options = {}
        with _naming(named("options")):
            by_rule = _table(table["options"])
        for rule, opts in by_rule.items():
            with _naming(named("options")):
                matched = resolve([rule], rules)
            with _naming(named(f"options[{rule!r}]")):
                opts = _table(opts)
            for code in matched:
                options[code] = dict(opts)
        changes["options"] = options
    if "fail-on" in table:
        with _naming(named("fail-on")):
            changes["fail_on"] = Severity.parse(_string(table["fail-on"]))
    if "max-per-rule" in table:
        value = table["max-per-rule"]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValidatorError(f"{named('max-per-rule')}: must be a whole number >= 0, not {value!r}")
        changes["max_per_rule"] = value
    for key in ("portal", "baseline"):
        if key in table:
            with _naming(named(key)):
                value = _string(table[key])
                if not value:  # (the folder itself: read as a snapshot, or "not a regular file")
                    raise ValidatorError(f"'' names no {'folder' if key == 'portal' else 'file'}")
            changes[key] = str(root / value) if root is not None else value
    if "tier" in table:
        with _naming(named("tier")):
            changes["tier"] = check_tier(_string(table["tier"]))
    if "output-format" in table:
        with _naming(named("output-format")):
            changes["output_format"] = check_format(_string(table["output-format"]))
    for key in ("exit-zero", "redact"):
        if key in table:
            if not isinstance(table[key], bool):
                raise ValidatorError(f"{named(key)}: must be true or false, not {table[key]!r}")
            changes[key.replace("-", "_")] = table[key]
    config = Config().with_(**changes)
    with _naming(named("options")):  # unknown rule options, or values of the wrong kind
        active_rules(config)
    return config


def severities(table: Mapping[str, Any], key: Callable[[str], str] = str) -> dict[str, Severity]:
    """Severity per code; where entries overlap (``HS1`` and ``HS113``) the more specific one
    wins, as in rule selection (a TOML table has no order to go by). ``key`` names a setting in
    messages (``severity['HS110']``) with the file it came from."""
    out: dict[str, tuple[int, Severity]] = {}
    rules = all_rules()
    for rule, level in table.items():
        with _naming(key(f"severity[{rule!r}]")):
            sev = Severity.parse(_string(level))
        with _naming(key("severity")):
            matched = specific_codes([rule], rules)
        for code, specific in matched.items():
            if code not in out or specific >= out[code][0]:
                out[code] = (specific, sev)
    return {code: sev for code, (_s, sev) in out.items()}


def _key_namer(path: Path | None, section: str | None) -> Callable[[str], str]:
    """``select`` -> ``pyproject.toml [tool.hubspot-preflight] select``: a setting as messages
    name it, with its file (relative to the current folder where it is inside it) and table."""
    shown = None
    if path is not None:
        shown = str(path)
        with contextlib.suppress(ValueError):  # another drive on Windows
            relative = os.path.relpath(path.resolve(), Path.cwd().resolve())
            if not relative.startswith(".."):
                shown = relative
    head = " ".join(p for p in (shown, section) if p)
    return lambda name: f"{head} {name}" if head else name


@contextlib.contextmanager
def _naming(setting: str) -> Iterator[None]:
    """A ValidatorError raised inside (an unknown rule, an unknown severity) prefixed with the
    setting it came from, as ``Config`` names its field (``Config.select: ...``)."""
    try:
        yield
    except ValidatorError as exc:
        raise ValidatorError(f"{setting}: {exc}") from None


def check_tier(value: str) -> str:
    if value.lower() not in TIERS:
        raise ValidatorError(f"unknown tier {value!r} (choose from {', '.join(TIERS)})")
    return value.lower()


def check_format(value: str) -> str:
    if value not in (*FORMATS, "auto"):
        raise ValidatorError(f"unknown output format {value!r} (choose from {', '.join(FORMATS)}, auto)")
    return value


# each of these raises naming no setting: its caller wraps it in ``_naming`` (file, table, key)
def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidatorError(f"must be a list of strings, not {value!r}")
    return tuple(p.strip() for v in value for p in v.split(",") if p.strip())


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValidatorError(f"must be a string, not {value!r}")
    return value


def _table(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ValidatorError(f"must be a table, not {value!r}")
    return value


def choose_format(fmt: str | None) -> str:
    """``auto`` (the default): github inside GitHub Actions, else text (like yamllint)."""
    if fmt is None or fmt == "auto":
        in_actions = os.environ.get("GITHUB_ACTIONS") == "true" and os.environ.get("GITHUB_WORKFLOW")
        return "github" if in_actions else "text"
    return fmt


def effective_config(paths: tuple[Path, ...], config_file: Path | None, *, isolated: bool = False,
                     overrides: tuple[Override, ...] = (), **flags: Any) -> Config:
    """Built-in profile, then the configuration file with ``overrides`` over it (``--config KEY
    = VALUE``, see ``config_arguments``), then the flags that were given.

    ``flags`` are the ``check`` options by name (select, extend_select, ignore, fail_on,
    max_per_rule, tier, baseline, redact, exit_zero, chunk_rows); None, empty or False means
    "not given". ``isolated`` (ruff's ``--isolated``): no settings file is looked for, the
    built-in profile, the overrides and the flags alone (``config_file`` must then be None).
    """
    if isolated and config_file is not None:
        raise ValidatorError(f"--isolated reads no settings file, and --config names one ({config_file})")
    found = config_file if config_file is not None or isolated else discover(paths or (Path.cwd(),))
    if found is not None:
        config = load_file(found, overrides)
    else:
        config = from_table(_overridden({}, overrides), None, None) if overrides else Config()
    flags = {k: v for k, v in flags.items() if v is not None and v is not False and v != ()}
    changes: dict[str, Any] = {k: flags[k] for k in ("chunk_rows",) if k in flags}
    if any(k in flags for k in ("select", "extend_select", "ignore")):  # after the file's, as ruff does
        cli = (split_flags(flags["select"]) if "select" in flags else None,
               split_flags(flags.get("extend_select", ())), split_flags(flags.get("ignore", ())))
        changes["then"] = (*config.then, cli)
    if "fail_on" in flags:
        changes["fail_on"] = Severity.parse(flags["fail_on"])
    if "max_per_rule" in flags:
        changes["max_per_rule"] = flags["max_per_rule"]
    if "tier" in flags:  # the flag wins over a rule's own plan option in the file too
        changes["tier"] = check_tier(flags["tier"])
        changes["options"] = {code: {k: v for k, v in opts.items() if k != "plan"}
                              for code, opts in config.options.items()}
    if "baseline" in flags:
        changes["baseline"] = str(flags["baseline"])
    for key in ("redact", "exit_zero"):
        if key in flags:
            changes[key] = True
    config = config.with_(**changes)
    active_rules(config)  # unknown codes fail here, before any file is read
    return config


def split_flags(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p.strip() for v in values for p in v.split(",") if p.strip())


def describe(config: Config) -> dict[str, Any]:
    """The effective configuration as plain data (what ``hubspot-preflight config`` prints)."""
    active = active_rules(config)
    return {
        "source": config.source,
        "select": list(config.select) if config.select is not None else None,
        "extend-select": list(config.extend_select),
        "ignore": list(config.ignore),
        "severity": {code: sev.label for code, sev in sorted(config.severity.items())},
        "per-file-ignores": {glob: list(codes) for glob, codes in config.per_file_ignores.items()},
        "ignore-records": [{k: v for k, v in entry.items() if v is not None} for entry in config.ignore_records],
        "options": {code: dict(opts) for code, opts in sorted(config.options.items())},
        "fail-on": config.fail_on.label,
        "max-per-rule": config.max_per_rule,
        "portal": config.portal,
        "tier": config.tier,
        "exit-zero": config.exit_zero,
        "output-format": config.output_format,
        "baseline": (os.fspath(config.baseline) if isinstance(config.baseline, (str, os.PathLike))
                     else None if config.baseline is None else "(entries given in Python)"),
        "redact": config.redact,
        "rules": {code: a.severity.label for code, a in active.items()},
    }
