"""The library entry point: ``validate(request, files=None, config=None) -> Report``."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from validator.config import Config
from validator.engine import Engine
from validator.findings import Report, ValidatorError
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
    config = config or Config()
    given = _files(files)
    if isinstance(request, (Mapping, bytes)):
        spec = parse_request(request, request_name or "<request>")
        request_path = None
        base = Path(base_dir) if base_dir is not None else Path.cwd()
    elif isinstance(request, (str, os.PathLike)):
        request_path = Path(request)
        spec = parse_request(read_request_bytes(request_path), request_name or request_path.name)
        base = Path(base_dir) if base_dir is not None else request_path.parent
    else:
        raise ValidatorError(f"request must be a path, bytes or a mapping, not {type(request).__name__}")
    return Engine(config).run(spec, request_path=request_path, base=base, files=given)


def _files(files: Mapping[str, FileArg] | Sequence[FileArg] | None) -> dict[str, FileArg]:
    if files is None:
        return {}
    if isinstance(files, Mapping):
        return dict(files)
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
