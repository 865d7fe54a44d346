"""What ``check`` reads before it checks anything: the command line's paths paired with their
import requests, ``--file NAME=PATH`` (``-`` copied from standard input), each request's own
settings file, the portal snapshot, the progress bar, and the read-ahead of the first large
workbook.

Split from ``cli.py`` (the click command and its steps); every name here is also importable
from ``validator.cli``. Only the standard library and click are imported up front: the rest
(``validator.sources``, ``validator.settings``, ...) when a function needs it, so that the read
ahead starts before pandas and the rules load.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p.strip() for v in values for p in v.split(",") if p.strip())


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    """``--file NAME=PATH`` as {NAME: PATH}. The same NAME twice is refused, not the last taken,
    whatever the paths: one of two files would go unchecked, and the same file twice is a typo
    for another NAME as likely as a repeat."""
    from validator.findings import ValidatorError

    out: dict[str, str] = {}
    for v in values:
        name, sep, path = v.partition("=")
        if not sep or not name or not path:
            raise click.BadParameter(f"{v!r} is not NAME=PATH", param_hint="--file")
        if name in out:
            raise ValidatorError(f"--file {name}: the fileName {name!r} is given twice "
                                 f"({_shown(out[name])}, {_shown(path)})")
        out[name] = path
    return out


def _run_config(paths: tuple[Path, ...], config_file: Path | None, flags: dict[str, Any], portal: Path | None,
                reader: str, threads: int | None, quiet: bool) -> tuple[Any, dict[str, Any]]:
    """The run's settings (the settings file found for all the paths, then the command line's
    flags), and what of them holds for every request (``shared``)."""
    from validator.settings import effective_config

    config = effective_config(paths, config_file, **flags)
    if portal is not None:
        config = config.with_(portal=_portal(portal))
    config = config.with_(reader=reader, progress=None if quiet else _progress(),
                          threads=threads if threads is not None else config.threads)
    # what the command line sets holds for every request; a request's own settings file, the rest
    shared = {k: getattr(config, k) for k in ("reader", "progress", "threads")}
    if portal is not None:
        shared["portal"] = config.portal
    return config, shared


def _given(file_opts: tuple[str, ...], emit_request: bool, read: bool = True) -> tuple[dict[str, Any], list[str]]:
    """``--file NAME=PATH`` as {NAME: PATH}, the one read from stdin (``-``) copied to a temporary
    file (with ``read`` False, an empty one: stdin is left unread); and the names read from
    stdin, whose files the check closes when it ends."""
    from validator.findings import ValidatorError

    given: dict[str, Any] = dict(_pairs(file_opts))
    piped = [name for name, path in given.items() if path == "-"]
    if len(piped) > 1:
        raise ValidatorError(f"only one --file can be read from stdin (-), not {', '.join(piped)}")
    if piped and emit_request:
        raise ValidatorError("--emit-request needs the files on disk (curl uploads them), not on stdin")
    if piped:
        given[piped[0]] = _spooled_stdin() if read else io.BytesIO()
    return given, piped


def _portal(path: Path | None) -> Any:
    """Load the snapshot once for every request checked (a malformed file is a refusal, exit 2)."""
    if path is None:
        return None
    from validator.portal import load_portal

    return load_portal(path)


def _no_stray_files(plan: list[tuple[Path, dict[str, Any]]], given: dict[str, Any]) -> None:
    """Refuse a data file (``--request R FILE``) or a ``--file NAME=...`` whose name no request
    names, not even but for letter case (HS601 reports those): it would be left unchecked while
    the request's own file, or none, is checked in its place."""
    from validator.findings import ValidatorError
    from validator.sources import base_name, fold_name, request_file_names

    # (a request that is no JSON, HS001, has no or an empty files list, HS003, or no fileName at
    # all, HS019: it names no file to tell a stray one by, and its report says what is wrong, as
    # validate() reports it)
    names = {request: request_file_names(request) for request, _ in plan}
    if any(not n for n in names.values()):
        return
    known = {fold_name(n) for ns in names.values() for n in ns or ()}
    listed = ", ".join(sorted({n for ns in names.values() for n in ns or ()})) or "none"
    for request, files in plan:
        for name, value in files.items():
            if fold_name(base_name(str(name))) in known:
                continue
            what = f"--file {name}" if name in given else str(value)
            fix = (f"; give it as --file NAME={value} for the fileName it stands for" if name not in given else "")
            whose = f"of {request} " if len(plan) == 1 else "of any request "
            raise ValidatorError(f"{what}: no files[] entry {whose}names {name!r} (fileNames: {listed}){fix}")


def _named_files(plan: list[tuple[Path, dict[str, Any]]]) -> list[Path]:
    """The data files each request names, where the engine will look for them."""
    from validator.sources import fold_name, request_file_names

    out: list[Path] = []
    for request, _files in plan:
        names = {fold_name(n) for n in request_file_names(request) or ()}
        with contextlib.suppress(OSError):  # (a name that matches but for letter case is read too)
            out.extend(p for p in request.parent.iterdir() if fold_name(p.name) in names)
    return out


STDIN_LIMIT = 512 << 20  # HubSpot's file size limit on any plan (HS502 holds smaller ones to the plan's)


def _spooled_stdin() -> Any:
    """Standard input as a seekable file (``--file NAME=-``): the readers look at a file's first
    bytes before they read it, so a pipe is copied to an unnamed temporary file first (in
    ``TMPDIR``; the system removes it when the process ends). Findings name the request's
    ``fileName``."""
    import tempfile

    from validator.findings import ValidatorError

    source = getattr(sys.stdin, "buffer", None)
    if source is None:
        raise ValidatorError("--file NAME=- reads standard input, which is closed")
    try:
        spool = tempfile.TemporaryFile(prefix="hubspot-preflight-")  # noqa: SIM115 (closed after the check)
        left = STDIN_LIMIT + 1
        while left > 0 and (block := source.read(min(1 << 20, left))):
            spool.write(block)
            left -= len(block)
    except OSError as exc:  # no writable temporary folder, or it filled up
        raise ValidatorError(f"cannot copy standard input to a temporary file: {exc.strerror or exc}") from None
    if left <= 0:  # (an endless pipe, /dev/zero, must not fill the disk)
        spool.close()
        raise ValidatorError(f"standard input is larger than {STDIN_LIMIT >> 20} MB, the most HubSpot takes in a "
                             "file: split it by rows")
    spool.seek(0)
    return spool


def _own_configs(planned: list[tuple[Path, dict[str, Any]]], config: Any, config_file: Path | None,
                 flags: dict[str, Any], shared: dict[str, Any]) -> dict[Path, Any]:
    """The settings of each request checked: as ruff does, a request uses the settings file
    nearest to it (the run's own settings, its output format, fail-on and exit code, come from
    the file found for all the paths); a file that names no baseline takes the run's. With
    --config, that file's for every request; with --isolated, none."""
    from validator.settings import discover, effective_config

    made: dict[str | None, Any] = {config.source: config}
    out: dict[Path, Any] = {}
    for request, _files in planned:
        found = config_file if config_file is not None or flags.get("isolated") else discover((request,))
        key = str(found) if found is not None else None
        if key not in made:
            own = effective_config((request,), found, **flags).with_(**shared)
            made[key] = own if own.baseline is not None else own.with_(baseline=config.baseline)
        out[request] = made[key]
    return out


def _progress() -> Any:
    """A progress bar on stderr for large files, only when stderr is a terminal."""
    if sys.stderr is None or not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
        return None
    from validator.progress import ProgressBar

    return ProgressBar(sys.stderr)


READ_AHEAD_REQUEST_BYTES = 1 << 20
READ_AHEAD_CANDIDATES = 64  # files looked at for a workbook to read ahead


def _read_ahead(paths: tuple[Path, ...], request_opt: Path | None, file_opts: tuple[str, ...]) -> None:
    """Start loading the first large workbook this check will read, on a thread, before pandas
    and the rules are imported (``readers/xlsx_prefetch``: calamine parses without the GIL).
    A guess from the command line and the requests' fileNames: the reader uses the work only
    for the very same file, and any failure here just means no head start."""
    try:
        import json

        from validator.readers import xlsx_prefetch

        given = {n: Path(p) for n, sep, p in (v.partition("=") for v in file_opts) if sep and n and p}
        requests = [p for p in paths if p.suffix.lower() == ".json"]
        requests += [request_opt] if request_opt is not None else []
        candidates = [p for p in paths if p.suffix.lower() in (".xlsx", ".xlsm")]
        for request in requests:
            # never blocks on a FIFO or device: opened without waiting, read only if regular
            fd = os.open(request, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
            with os.fdopen(fd, "rb") as fh:
                if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                    continue
                doc = json.loads(fh.read(READ_AHEAD_REQUEST_BYTES))
            if isinstance(doc, dict) and isinstance(doc.get("importRequest"), (dict, str)):
                inner = doc["importRequest"]
                doc = json.loads(inner) if isinstance(inner, str) else inner
            files = doc.get("files") if isinstance(doc, dict) else None
            for entry in files if isinstance(files, list) else []:
                name = entry.get("fileName") if isinstance(entry, dict) else None
                if isinstance(name, str) and name not in ("", ".", "..") and not any(c in name for c in "/\\\0"):
                    candidates.append(given.get(name, request.parent / name))
        for path in candidates[:READ_AHEAD_CANDIDATES]:  # a hostile files[] of millions costs nothing
            if xlsx_prefetch.start(path):  # released when the command ends, taken or not
                click.get_current_context().call_on_close(xlsx_prefetch.drop_all)
                return
    except Exception:  # only a head start is lost; the check itself reports everything
        pass


def _plan(paths: tuple[Path, ...], request_opt: Path | None, given: dict[str, str],
          ignore_unpaired: bool = False) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Pair the paths on the command line with requests: (request, files for it)."""
    from validator.findings import ValidatorError
    from validator.sources import find_requests, is_folder, is_request, requests_under, stat_named

    requests: dict[Path, dict[str, Any]] = {}
    spelled: dict[object, Path] = {}  # each request as first named (one import given twice is checked once)

    def request(path: Path) -> dict[str, Any]:
        return requests.setdefault(spelled.setdefault(_identity(path), path), {})

    given_paths = bool(paths)
    expanded: list[Path] = []
    for p in paths:  # a folder stands for every importRequest under it
        if not is_folder(p):
            expanded.append(p)
            continue
        under = requests_under(p)
        if not under and not ignore_unpaired:
            raise ValidatorError(f"{p}: no importRequest in this folder or below (*.import.json, import.json, "
                                 "request.json, importRequest.json)")
        expanded.extend(under)
    paths = tuple(expanded)
    data = [p for p in paths if p.suffix.lower() != ".json"]
    for p in paths:
        if p.suffix.lower() == ".json":
            if ignore_unpaired and not is_request(p):
                if stat_named(p) is None:  # (not there at all: refused, as a data file is)
                    raise ValidatorError(f"{p}: no such file")
                continue
            request(p)
    if request_opt is not None:
        files = request(request_opt)  # (checked with no data file given too: --file, or its own files)
        for p in data:
            _add_file(files, p.name, p, str(p))
    else:
        for p in data:
            if stat_named(p) is None:
                raise ValidatorError(f"{p}: no such file")
            found = find_requests(p)
            if not found and ignore_unpaired:
                continue
            if not found:
                raise ValidatorError(
                    f"{p}: no importRequest found (looked for {p.stem}.import.json and requests "
                    f"in {p.parent or '.'} naming {p.name}); pass --request")
            for r in found:
                _add_file(request(r), p.name, p, str(p))
    if not requests and not (ignore_unpaired and given_paths):
        raise ValidatorError("nothing to check: give an importRequest JSON or a data file")
    for r, files in requests.items():
        files = dict(files)
        for name, value in given.items():
            _add_file(files, name, value, f"--file {name}")
        yield r, files


def _identity(path: Path) -> object:
    """What tells one file from another however it is spelled (relative or absolute, through
    ``..``, a folder and a file in it): the file and the folder it is read from (a link to a
    request elsewhere reads the data files beside the link), else the absolute path."""
    from validator.sources import stat_named

    st, folder = stat_named(path), stat_named(path.parent)
    if st is None or folder is None:
        return os.path.abspath(path)
    return st.st_dev, st.st_ino, folder.st_dev, folder.st_ino


def _add_file(files: dict[str, Any], name: str, value: Any, what: str) -> None:
    """One file for ``name``: a second one (a data file or ``--file`` of the same name) would
    leave the first unchecked while the run passes, so it is refused; the same file twice is
    one."""
    from validator.findings import ValidatorError

    held = files.get(name)
    if held is not None and held is not value and not _same_file(held, value):
        raise ValidatorError(f"{what}: the fileName {name!r} is given twice ({_shown(held)}, {_shown(value)})")
    files.setdefault(name, value)


def skipped_paths(paths: Sequence[Path], planned: Sequence[tuple[Path, dict[str, Any]]]) -> list[Path]:
    """The paths given that no planned request takes (neither a request nor a file it reads):
    what ``--ignore-unpaired`` skips. Folders are searched, never skipped."""
    from validator.sources import is_folder

    taken = [*(r for r, _ in planned), *(v for _, f in planned for v in f.values() if isinstance(v, Path))]
    return [p for p in paths if not is_folder(p) and not any(_same_file(p, t) for t in taken)]


def skip_reason(path: Path) -> str:
    """Why a skipped path was not checked (``--show-files`` and ``--verbose`` both say it)."""
    return "JSON that is no importRequest" if path.suffix.lower() == ".json" else "no importRequest names it"


def _same_file(a: Any, b: Any) -> bool:
    if not isinstance(a, (str, Path)) or not isinstance(b, (str, Path)):  # (stdin: never the same as a file)
        return False
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return os.path.abspath(a) == os.path.abspath(b)


def _shown(value: Any) -> str:
    return str(value) if isinstance(value, (str, Path)) else "-"


def _stdin_as(path: Path, paths: tuple[Path, ...], request_opt: Path | None,
              file_opts: tuple[str, ...]) -> tuple[tuple[Path, ...], Path | None, tuple[str, ...]]:
    """``--stdin-filename PATH`` (ruff's): standard input is the data file ``PATH``, read as
    ``--file NAME=-`` for its name, with the request a data file at ``PATH`` would find (NAME.import.json
    beside it, or a request in its folder naming it) where none is given (``--request``, a
    request or a folder among the paths). PATH need not exist; a ``-`` among the paths stands for it."""
    from validator.findings import ValidatorError
    from validator.sources import find_requests, is_folder

    if any(v.partition("=")[2] == "-" for v in file_opts):
        raise ValidatorError("--stdin-filename and --file NAME=- both read standard input: give one")
    paths = tuple(p for p in paths if str(p) != "-")
    file_opts = (*file_opts, f"{path.name}=-")
    if request_opt is None and not any(p.suffix.lower() == ".json" or is_folder(p) for p in paths):
        found = find_requests(path)
        if not found:
            raise ValidatorError(f"--stdin-filename {path}: no importRequest found (looked for "
                                 f"{path.stem}.import.json and requests in {path.parent or '.'} naming "
                                 f"{path.name}); pass --request")
        paths = (*paths, *found)
    return paths, request_opt, file_opts
