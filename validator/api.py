"""The library entry point: ``validate(request, files=None, config=None) -> Report``."""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from validator.config import Config
from validator.config_rules import rule_settings, severity_of
from validator.engine import Engine
from validator.findings import Report, Severity, ValidatorError
from validator.report import FORMATS
from validator.request import ImportSpec, parse_request
from validator.sources import FileArg, base_name, file_names, fold_name, match_files, read_request_bytes

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

RequestArg = str | os.PathLike[str] | Mapping[str, Any] | bytes


def validate(request: RequestArg, files: Mapping[str, FileArg] | Sequence[FileArg] | None = None,
             config: Config | None = None, *, base_dir: str | os.PathLike[str] | None = None,
             request_name: str | None = None) -> Report:
    """Check an import before upload and return the report as data.

    ``request`` is a path to the importRequest JSON, its text as bytes, or an already-parsed
    mapping. Each ``files[].fileName`` is looked up in ``files`` (a mapping of fileName to a
    path or binary file object, or a list of paths matched by base name), then in ``base_dir``
    (by default the request's folder; for a mapping or bytes, the current directory). Every file
    given must be one a fileName takes (names match by base name, then as HS601 matches them:
    NFC and letter case), as the CLI refuses a data file no request names.

    Data problems are findings, never exceptions; inputs that cannot be read safely are listed
    in ``report.refusals``. Only misuse (a missing request file, a file given that no fileName
    takes, bad configuration) raises ValidatorError. Nothing is printed and no input is modified.
    """
    config = checked_config(config)
    given, labels = _files(files)
    if base_dir is not None and not isinstance(base_dir, (str, os.PathLike)):
        raise ValidatorError(f"base_dir must be a folder path, not {type(base_dir).__name__}")
    if request_name is not None and not isinstance(request_name, str):
        raise ValidatorError(f"request_name must be a string, not {type(request_name).__name__}")
    if isinstance(request, Mapping):
        request = mapping_json(request)
    engine = Engine(config)  # its catalog (a portal's custom objects) also reads the request's object names
    if isinstance(request, bytes):
        spec = parse_request(request, request_name or "<request>", engine.catalog)
        request_path = None
        base = Path(base_dir) if base_dir is not None else Path.cwd()
    elif isinstance(request, (str, os.PathLike)):
        request_path = _request_path(request)
        spec = parse_request(read_request_bytes(request_path), request_name or request_path.name, engine.catalog)
        base = Path(base_dir) if base_dir is not None else request_path.parent
    else:
        raise ValidatorError(f"request must be a path, bytes or a mapping, not {type(request).__name__}")
    _all_taken(spec, base, given, labels)
    return engine.run(spec, request_path=request_path, base=base, files=given)


def mapping_json(request: Mapping[str, Any]) -> bytes:
    """A request mapping as the JSON HubSpot would be sent (keys as strings); what cannot be
    sent as JSON (a set, bytes, nesting deeper than Python's encoder recurses) is misuse. A lone
    surrogate in a string is written as its escape (``\\udc80``), as a client's JSON encoder
    sends it, not as bytes that are not UTF-8 (which made the request "not valid JSON")."""
    try:
        text = json.dumps(request, ensure_ascii=False)
        return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")
    except (TypeError, ValueError) as exc:
        if "integer string conversion" in str(exc):  # (Python's advice to raise its own limit is not ours to give)
            raise ValidatorError("request mapping is not JSON: it holds an integer of more than "
                                 f"{sys.get_int_max_str_digits():,} digits") from None
        raise ValidatorError(f"request mapping is not JSON: {exc}") from None
    except RecursionError:
        raise ValidatorError("request mapping is nested too deeply to send as JSON") from None


def _request_path(request: str | os.PathLike[str]) -> Path:
    """The request's path. JSON text where a path goes is misuse, and said to be: a str is
    always a path here (pandas' read_json stopped guessing which of the two a str is)."""
    text = os.fspath(request)
    if not text:
        raise ValidatorError("request is an empty path")
    if isinstance(request, str) and text.lstrip().startswith(("{", "[")) and not os.path.lexists(text):
        try:
            json.loads(text)
        except (ValueError, RecursionError):
            pass  # (a path such as '{project}/import.json': "does not exist" says what is wrong)
        else:
            raise ValidatorError("request is JSON text, not a path: pass it as bytes (text.encode()) "
                                 "or as a mapping (json.loads(text))")
    return Path(text)


def _all_taken(spec: ImportSpec, base: Path, given: Mapping[str, FileArg], labels: Mapping[str, str]) -> None:
    """Refuse a given file that no files[] entry takes, as the CLI refuses a data file or a
    ``--file NAME`` no request names: it would go unchecked while the request's own file, or
    none, is checked in its place. Names match as HS601 matches them (base name, NFC, letter
    case). A request that names no file (not JSON, HS001; no or an empty files list, HS003; no
    fileName at all) is reported instead: its report says what is wrong and is not ok."""
    names = file_names(spec.raw)
    if not given or not names:
        return
    lookups, taken = match_files(spec, base, given)
    used = set(taken.values())
    whose = f"of {spec.source} " if spec.source != "<request>" else "of the request "
    for key in given:
        if key in used:
            continue
        folded = fold_name(base_name(key))
        entry = next((f.file_name for f in spec.files
                      if f.file_name is not None and fold_name(base_name(f.file_name)) == folded), None)
        if entry is None:
            listed = ", ".join(sorted(set(names))) or "none"
            raise ValidatorError(f"{labels[key]}: no files[] entry {whose}names {base_name(key)!r} "
                                 f"(fileNames: {listed})")
        lookup = lookups[entry]
        if lookup.path is not None and _same_file(given[key], lookup.path):
            continue  # (a file system that ignores case: the name on disk is this very file)
        other = labels[taken[entry]] if entry in taken else str(lookup.path or "no file")
        raise ValidatorError(f"{labels[key]}: the files[] entry {entry!r} {whose}is read from {other}, "
                             "not from this file; give one file per fileName")


def _same_file(arg: FileArg, path: Path) -> bool:
    try:
        return isinstance(arg, (str, os.PathLike)) and os.path.samefile(arg, path)
    except (OSError, ValueError):
        return False


def checked_config(config: Config | None) -> Config:
    """The configuration, its values checked (misuse is a ValidatorError, not a TypeError deep
    in a check) and taken as the settings file takes them: rules as a comma-separated string,
    severities as text, and rule names or prefixes as keys of ``severity`` and ``options``."""
    if config is None:
        return Config()
    if not isinstance(config, Config):
        raise ValidatorError(f"config must be a validator.Config, not {type(config).__name__}")

    def whole(name: str, least: int) -> None:
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ValidatorError(f"Config.{name} must be a whole number >= {least}, not {value!r}")
    whole("max_per_rule", 0)
    whole("chunk_rows", 1)
    choices = {"tier": ("paid", "free"), "reader": ("auto", "fast", "exact"), "threads": (None, 1, 2),
               "output_format": (None, *FORMATS, "auto"), "exit_zero": (False, True), "redact": (False, True)}
    for name, allowed in choices.items():
        value = getattr(config, name)
        if not any(value is a or (type(value) is type(a) and value == a) for a in allowed):
            shown = "True or False" if allowed == (False, True) else f"one of {', '.join(map(repr, allowed))}"
            raise ValidatorError(f"Config.{name} must be {shown}, not {value!r}")
    if config.portal == "" or (config.portal is not None and not isinstance(config.portal, (
            str, os.PathLike)) and type(config.portal).__name__ != "Portal"):  # ("": the current folder)
        raise ValidatorError(f"Config.portal must be a folder path or a loaded Portal, not {config.portal!r}")
    if config.root is not None and not isinstance(config.root, (str, os.PathLike)):
        raise ValidatorError(f"Config.root must be a folder path or None, not {config.root!r}")
    if config.progress is not None and not callable(config.progress):
        raise ValidatorError(f"Config.progress must be callable or None, not {config.progress!r}")
    baseline = config.baseline
    if baseline is not None and (isinstance(baseline, (bytes, Mapping)) or not isinstance(baseline, (
            str, os.PathLike, Sequence)) or baseline == ""):
        raise ValidatorError(f"Config.baseline must be a file path or a list of entries, not {baseline!r}")
    if isinstance(config.fail_on, str):
        config = config.with_(fail_on=severity_of(config.fail_on, "Config.fail_on"))
    elif not isinstance(config.fail_on, Severity):
        raise ValidatorError(f"Config.fail_on must be a Severity or 'error', 'warning', 'info', not {config.fail_on!r}")
    return config.with_(**rule_settings(config))


def _file_arg(name: str, value: Any) -> FileArg:
    """One given file: a path, a binary file object open for reading, or its bytes."""
    if isinstance(value, (str, os.PathLike)):
        if not os.fspath(value):
            raise ValidatorError(f"the file for {name!r} is an empty path")
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(value))
    if type(value).__name__ == "DataFrame" and callable(getattr(value, "to_csv", None)):
        return io.BytesIO(_written(name, value))
    if not callable(getattr(value, "read", None)):
        raise ValidatorError(f"the file for {name!r} must be a path, bytes, a binary file object or a "
                             f"pandas DataFrame, not {type(value).__name__}")
    if getattr(value, "closed", False) is True:
        raise ValidatorError(f"the file for {name!r} is closed")
    readable = getattr(value, "readable", None)
    if callable(readable) and readable() is False:
        raise ValidatorError(f"the file for {name!r} is not open for reading")
    # (a binary stream's mode may read 'r': a zip member's does; a NamedTemporaryFile("w+") is no
    # TextIOBase: what reading nothing gives tells them apart, and moves no stream)
    try:
        nothing = None if isinstance(value, io.TextIOBase) else value.read(0)
    except TypeError:
        raise ValidatorError(f"the file for {name!r} has a read() that takes no size; pass a binary "
                             "file object or the bytes") from None
    except Exception:  # (what cannot be read is a refusal in the report, whatever a read fails with: caller_read)
        nothing = b""
    if isinstance(value, io.TextIOBase) or isinstance(nothing, str):
        raise ValidatorError(f"the file for {name!r} is open in text mode; open it with 'rb'")
    return value


def _written(name: str, frame: Any) -> bytes:
    """A pandas DataFrame as the file a pipeline writes from it: ``to_excel(index=False)`` for a
    workbook's fileName, else ``to_csv(index=False)`` in UTF-8 (its cells as pandas writes them:
    a missing value blank, numbers and dates in pandas' default form)."""
    try:
        if base_name(name).lower().endswith((".xlsx", ".xlsm")):
            out = io.BytesIO()
            frame.to_excel(out, index=False)
            return out.getvalue()
        text = frame.to_csv(index=False)
    except Exception as exc:  # (a cell pandas cannot write: the caller's data, said in one line)
        raise ValidatorError(f"the DataFrame for {name!r} cannot be written: {type(exc).__name__}: {exc}") from None
    return str(text).encode("utf-8", "surrogateescape")


def _files(files: Mapping[str, FileArg] | Sequence[FileArg] | None) -> tuple[dict[str, FileArg], dict[str, str]]:
    """The given files by name, and how messages call each one (``files['NAME']``, or the path
    of a list's item)."""
    if files is None:
        return {}, {}
    if isinstance(files, Mapping):
        out: dict[str, FileArg] = {}
        for key, value in files.items():
            if isinstance(key, os.PathLike):
                key = os.fspath(key)
            if not isinstance(key, str):
                raise ValidatorError(f"files keys must be fileNames (strings), not {type(key).__name__}")
            out[key] = _file_arg(key, value)
        return out, {key: f"files[{key!r}]" for key in out}
    if isinstance(files, (str, bytes, os.PathLike)) or not isinstance(files, Sequence):
        raise ValidatorError("files must be a mapping of fileName to a path, bytes or binary file object, "
                             f"or a list of paths; not {type(files).__name__}")
    out = {}
    labels: dict[str, str] = {}
    for item in files:
        label = os.fspath(item) if isinstance(item, (str, os.PathLike)) else getattr(item, "name", None)
        if not isinstance(label, str):
            raise ValidatorError("file objects must be passed as a mapping of fileName to object")
        name = base_name(label)
        if name in out:  # a request's fileNames tell files apart by name alone
            raise ValidatorError(f"files lists two files named {name!r} ({labels[name]}, {label}); "
                                 "give one file per fileName")
        out[name], labels[name] = _file_arg(name, item), label
    return out, labels


__all__ = ["validate"]
