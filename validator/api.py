"""The library entry point: ``validate(request, files=None, config=None) -> Report``."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from validator.config import Config
from validator.engine import Engine
from validator.findings import Report, Severity, ValidatorError
from validator.request import parse_request
from validator.sources import FileArg, base_name, read_request_bytes

RequestArg = str | os.PathLike[str] | Mapping[str, Any] | bytes


def validate(request: RequestArg, files: Mapping[str, FileArg] | Sequence[FileArg] | None = None,
             config: Config | None = None, *, base_dir: str | os.PathLike[str] | None = None,
             request_name: str | None = None) -> Report:
    """Check an import before upload and return the report as data.

    ``request`` is a path to the importRequest JSON, its text as bytes, or an already-parsed
    mapping. Each ``files[].fileName`` is looked up in ``files`` (a mapping of fileName to a
    path or binary file object, or a list of paths matched by base name), then in ``base_dir``
    (by default the request's folder; for a mapping or bytes, the current directory).

    Data problems are findings, never exceptions; inputs that cannot be read safely are listed
    in ``report.refusals``. Only misuse (a missing request file, bad configuration) raises
    ValidatorError. Nothing is printed and no input is modified.
    """
    config = _checked(config)
    given = _files(files)
    if isinstance(request, Mapping):  # as the JSON HubSpot would be sent (keys as strings)
        try:
            request = json.dumps(request, ensure_ascii=False).encode("utf-8", "surrogatepass")
        except (TypeError, ValueError) as exc:
            raise ValidatorError(f"request mapping is not JSON: {exc}") from None
    engine = Engine(config)  # its catalog (a portal's custom objects) also reads the request's object names
    if isinstance(request, bytes):
        spec = parse_request(request, request_name or "<request>", engine.catalog)
        request_path = None
        base = Path(base_dir) if base_dir is not None else Path.cwd()
    elif isinstance(request, (str, os.PathLike)):
        request_path = Path(request)
        spec = parse_request(read_request_bytes(request_path), request_name or request_path.name, engine.catalog)
        base = Path(base_dir) if base_dir is not None else request_path.parent
    else:
        raise ValidatorError(f"request must be a path, bytes or a mapping, not {type(request).__name__}")
    return engine.run(spec, request_path=request_path, base=base, files=given)


def _checked(config: Config | None) -> Config:
    """The configuration, its values checked (misuse is a ValidatorError, not a TypeError deep
    in a check); severities given as text, as the TOML form writes them, are parsed."""
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
    choices = {"tier": ("paid", "free"), "reader": ("auto", "fast", "exact"), "threads": (None, 1, 2)}
    for name, allowed in choices.items():
        if getattr(config, name) not in allowed:
            raise ValidatorError(f"Config.{name} must be one of {', '.join(map(repr, allowed))}, "
                                 f"not {getattr(config, name)!r}")
    if config.portal is not None and not isinstance(config.portal, (str, os.PathLike)) \
            and type(config.portal).__name__ != "Portal":
        raise ValidatorError(f"Config.portal must be a folder path or a loaded Portal, not {config.portal!r}")
    if not isinstance(config.severity, Mapping) or any(
            not isinstance(v, (Severity, str)) for v in config.severity.values()):
        raise ValidatorError("Config.severity must map rule codes to Severity values or 'error'/'warning'/'info'")
    if any(isinstance(v, str) for v in config.severity.values()):
        config = config.with_(severity={k: Severity.parse(v) if isinstance(v, str) else v
                                        for k, v in config.severity.items()})
    return config


def _file_arg(name: str, value: Any) -> FileArg:
    """One given file: a path, a binary file object, or its bytes."""
    if isinstance(value, (str, os.PathLike)):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(value))
    if not callable(getattr(value, "read", None)):
        raise ValidatorError(f"the file for {name!r} must be a path, bytes or a binary file object, "
                             f"not {type(value).__name__}")
    if isinstance(value, io.TextIOBase):  # (a binary stream's mode may read 'r': a zip member's does)
        raise ValidatorError(f"the file for {name!r} is open in text mode; open it with 'rb'")
    return value


def _files(files: Mapping[str, FileArg] | Sequence[FileArg] | None) -> dict[str, FileArg]:
    if files is None:
        return {}
    if isinstance(files, Mapping):
        return {name: _file_arg(name, value) for name, value in files.items()}
    if isinstance(files, (str, bytes, os.PathLike)) or not isinstance(files, Sequence):
        raise ValidatorError("files must be a mapping of fileName to a path, bytes or binary file object, "
                             f"or a list of paths; not {type(files).__name__}")
    out: dict[str, FileArg] = {}
    for item in files:
        if isinstance(item, (str, os.PathLike)):
            out[base_name(os.fspath(item))] = item
        else:
            name = getattr(item, "name", None)
            if not isinstance(name, str):
                raise ValidatorError("file objects must be passed as a mapping of fileName to object")
            out[base_name(name)] = item
    return out


__all__ = ["validate"]
