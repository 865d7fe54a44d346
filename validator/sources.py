"""Finding and opening inputs without trusting names.

A request's ``fileName`` is a label, never a path: only its base name is looked up, in the
request's folder (or among the files the caller passed), so nothing outside that folder is ever
opened. Before anything is opened it is ``lstat``-ed: only regular files are read; symlinks must
stay inside the folder; FIFOs, devices and directories are refused without being opened.

Convention for ``check data.csv`` without a request (the pre-commit hook relies on it): the
request is ``data.import.json`` beside the file; failing that, every ``*.import.json``,
``import.json``, ``request.json`` or ``importRequest.json`` in the same folder whose
``files[].fileName`` names the file. Request names are matched in any letter case (``request_named``).
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from validator.context import FileLookup
from validator.findings import ValidatorError
from validator.request import MAX_REQUEST_BYTES, ImportSpec

REQUEST_NAMES = ("import.json", "request.json", "importRequest.json")
REQUEST_SUFFIX = ".import.json"
_REQUEST_NAMES_LOWER = frozenset(name.lower() for name in REQUEST_NAMES)
_SEPARATORS = re.compile(r"[\\/]")
_DRIVE = re.compile(r"^[A-Za-z]:")

FileArg = str | os.PathLike[str] | IO[bytes]


def request_named(name: str) -> bool:
    """Whether a file is named as requests are (``*.import.json``, ``import.json``,
    ``request.json``, ``importRequest.json``), in any letter case: the pre-commit hook's pattern
    takes the names so (``importrequest.json``, ``contacts.Import.JSON``), and a request it passes
    must be the one its data file finds and a folder's walk takes."""
    lower = name.lower()
    return lower.endswith(REQUEST_SUFFIX) or lower in _REQUEST_NAMES_LOWER


def base_name(file_name: str) -> str:
    """The last component of a fileName, whatever separators or drive letters it carries."""
    return _SEPARATORS.split(_DRIVE.sub("", file_name))[-1]


def has_path(file_name: str) -> bool:
    return bool(_SEPARATORS.search(file_name) or _DRIVE.match(file_name))


def check_regular(path: Path, base: Path | None) -> tuple[str | None, str]:
    """(problem, detail) for a path we are about to open; (None, "") when it is safe."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "missing", f"{path} does not exist"
    except (OSError, ValueError) as exc:
        return "unreadable", f"{path}: {getattr(exc, 'strerror', None) or exc}"
    if stat.S_ISLNK(st.st_mode):
        try:
            target = path.resolve(strict=True)
        except RuntimeError:  # (Python 3.11-3.12; 3.13 raises OSError ELOOP)
            return "missing", f"{path} is a symbolic link in a loop (it leads back to itself)"
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return "missing", f"{path} is a symbolic link in a loop (it leads back to itself)"
            return "missing", f"{path} is a broken symbolic link"
        if base is not None and not target.is_relative_to(base.resolve()):
            return "outside", f"{path} is a symbolic link to {target}, outside {base}"
        st = os.stat(target)
    if stat.S_ISDIR(st.st_mode):
        return "not-regular", f"{path} is a directory"
    if not stat.S_ISREG(st.st_mode):
        return "not-regular", f"{path} is not a regular file (a FIFO, socket or device)"
    return None, ""


def stat_named(path: Path, what: str = "") -> os.stat_result | None:
    """``os.stat`` of a path the user named (a request, a folder, a settings or baseline file),
    None where nothing is there, as pathlib's ``exists()`` would say. A name the system cannot
    even look up (too long for the file system, a folder that may not be searched) is a
    ValidatorError naming it: ``Path.exists()`` and ``is_dir()`` raise a bare OSError for those."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EBADF):
            return None
        raise ValidatorError(f"{what}{path}: {exc.strerror or exc}") from None


def is_folder(path: Path, what: str = "") -> bool:
    """``Path.is_dir()`` that refuses an unreadable name (see ``stat_named``) instead of raising."""
    st = stat_named(path, what)
    return st is not None and stat.S_ISDIR(st.st_mode)


def open_binary(lookup: FileLookup) -> tuple[IO[bytes], bool]:
    """Open a looked-up input. Returns (stream, owned): a caller's stream is never closed."""
    if lookup.stream is not None:
        return lookup.stream, False
    assert lookup.path is not None
    return open_regular(lookup.path), True


def open_regular(path: Path, pipes: bool = False) -> IO[bytes]:
    """Open a file for reading only if it is, at open time, a regular file (or, with ``pipes``,
    a pipe: a FIFO nobody writes to then reads as empty).

    O_NONBLOCK: a FIFO swapped in after the lstat check must not hang the open; the fstat on the
    open descriptor then refuses it (and any device) before a byte is read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISREG(mode) or (pipes and stat.S_ISFIFO(mode))):
            raise ValidatorError(f"{path} is not a regular file" + (" or a pipe" if pipes else ""))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a settings, baseline or snapshot file: a regular file, or a pipe (``--config
    <(...)``). Opened without waiting, so a FIFO that nobody writes to reads as empty instead of
    hanging the check; a device (``/dev/zero``), a folder or a socket is refused, and so is more
    than ``limit`` bytes. OSError for what cannot be opened; ValidatorError for the rest."""
    with open_regular(path, pipes=True) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValidatorError(f"{path} is larger than {limit >> 20} MiB")
    return data


def write_text(path: Path, text: str | bytes | bytearray) -> None:
    """Write a report or a baseline (text, or UTF-8 as it is): opened without waiting, so a FIFO
    no one reads from is an error (ENXIO) instead of a check that never ends; a pipe with a reader
    (``-o >(...)``) or a regular file is written as usual. OSError for what cannot be written."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags, 0o666)
    if not isinstance(text, str):
        with os.fdopen(fd, "wb") as out:
            os.set_blocking(fd, True)
            out.write(text)
        return
    with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
        os.set_blocking(fd, True)
        fh.write(text)


def locate(spec: ImportSpec, base: Path | None,
           given: Mapping[str, FileArg] | None = None) -> dict[str, FileLookup]:
    """Match every files[].fileName to an input. Opens nothing."""
    return match_files(spec, base, given)[0]


def match_files(spec: ImportSpec, base: Path | None, given: Mapping[str, FileArg] | None = None
                ) -> tuple[dict[str, FileLookup], dict[str, str]]:
    """``locate``'s lookups, and the key of ``given`` each fileName took (fileNames read from
    ``base``, or found nowhere, take none): a given file no fileName took goes unchecked."""
    given = dict(given or {})
    by_base = {base_name(str(k)): k for k in given}
    out: dict[str, FileLookup] = {}
    taken: dict[str, str] = {}
    for f in spec.files:
        name = f.file_name
        if name is None or name in out:
            continue
        short = base_name(name)
        key = name if name in given else by_base.get(short)
        exact_beside = (base is not None and short not in ("", ".", "..")
                        and check_regular(base / short, base)[0] is None)
        near_given = _near_key(by_base, short) if key is None and not exact_beside else None
        if key is not None:
            out[name], taken[name] = _from_argument(name, given[key]), key
        elif near_given is not None:  # a file given by a name that differs in case: HS601's
            out[name] = replace(_from_argument(name, given[by_base[near_given]]), near=near_given)
            taken[name] = by_base[near_given]
        elif base is not None and short not in ("", ".", ".."):
            path = base / short
            problem, detail = check_regular(path, base)
            near = _near_match(base, short) if problem == "missing" else None
            if near is not None:
                path = base / near
                problem, detail = check_regular(path, base)
            elif problem == "missing" and short.strip() not in (short, "") and \
                    check_regular(base / short.strip(), base)[0] is None:
                # (`"contacts.csv "`: the space is invisible in `{path} does not exist`)
                detail = (f"no file named {short!r} in {base}, but {short.strip()!r} is there: the fileName has "
                          "white space around it")
            out[name] = FileLookup(name, path, "request-dir", problem, detail, near=near)
        else:
            where = f"in {base}" if base is not None else "among the files given"
            out[name] = FileLookup(name, None, "none", "missing", f"no file named {short!r} {where}")
    return out, taken


def _near_key(names: Mapping[str, object], short: str) -> str | None:
    """The one given name equal to ``short`` after NFC and case-folding (as ``_near_match``)."""
    key = fold_name(short)
    found = [n for n in names if fold_name(n) == key]
    return found[0] if len(found) == 1 and found[0] != short else None


def _near_match(base: Path, short: str) -> str | None:
    """The one name in ``base`` equal to ``short`` after NFC and case-folding (macOS stores
    names decomposed; Windows and macOS ignore case), so that a request typed by hand still
    finds the file; HS601 reports the difference. None when there is no single such name."""
    key = fold_name(short)
    try:
        with os.scandir(base) as entries:
            found = [e.name for e in entries if fold_name(e.name) == key]
    except (OSError, ValueError):
        return None
    return found[0] if len(found) == 1 and found[0] != short else None


def _from_argument(name: str, arg: FileArg) -> FileLookup:
    if hasattr(arg, "read"):
        return FileLookup(name, None, "object", stream=arg)
    path = Path(os.fspath(arg))
    problem, detail = check_regular(path, None)
    return FileLookup(name, path, "argument", problem, detail)


def read_request_bytes(path: Path) -> bytes:
    """The request text, refusing anything but a regular file of sane size."""
    problem, detail = check_regular(path, None)
    if problem:
        raise ValidatorError(f"cannot read request: {detail}")
    try:
        with open_regular(path) as fh:
            return fh.read(MAX_REQUEST_BYTES + 1)
    except OSError as exc:
        raise ValidatorError(f"cannot read request {path}: {exc.strerror or exc}") from None


def find_requests(data_file: Path) -> list[Path]:
    """The request(s) a data file belongs to, by the documented convention."""
    folder = data_file.parent
    own = folder / (data_file.name.rsplit(".", 1)[0] + REQUEST_SUFFIX)
    has_own = check_regular(own, folder)[0] is None
    if has_own and names_file(own, data_file.name):
        return [own]
    found = []  # (NAME.import.json may be no request, or one for other files: every request naming it)
    try:
        candidates = sorted(folder.iterdir())
    except OSError:
        candidates = []
    for cand in candidates:
        if not request_named(cand.name):
            continue
        if names_file(cand, data_file.name):
            found.append(cand)
    if not found and has_own and request_file_names(own) is None:  # a request with no files list (a typo
        return [own]  # for `files`, say) is still the file's, by its name: its findings say what is wrong
    return found


SKIPPED_FOLDERS = ("node_modules", "__pycache__", "site-packages")


def requests_under(folder: Path) -> list[Path]:
    """The importRequests in a folder and its subfolders (as ``ruff check DIR`` finds Python
    files), in path order: every ``*.import.json``, and each ``import.json``, ``request.json`` and
    ``importRequest.json`` that is one (has a ``files`` list; ``is_request``). Hidden folders (``.git``,
    ``.venv``), ``node_modules``, ``__pycache__`` and ``site-packages`` are not entered, nor are
    links to folders (a link may lead out of the tree, or round in a loop)."""
    found: list[Path] = []
    for root, dirs, names in os.walk(folder, onerror=lambda _exc: None):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED_FOLDERS]
        for name in names:
            if request_named(name):
                path = Path(root) / name
                if is_request(path):
                    found.append(path)
    return sorted(found)


def _request_json(path: Path, folder: Path | None) -> tuple[bool, Any]:
    """(readable as JSON, the value) of a would-be request; (False, None) where it cannot be read."""
    if check_regular(path, folder)[0] is not None:
        return False, None
    try:
        with open_regular(path) as fh:
            raw = fh.read(MAX_REQUEST_BYTES)
    except (OSError, ValidatorError):
        return False, None
    try:
        return True, json.loads(raw)
    except (ValueError, RecursionError):
        return True, _NOT_JSON


_NOT_JSON = object()


def _broken_request(path: Path, value: Any) -> bool:
    """A file named as requests are (``*.import.json``, ``import.json``, ...) that is not JSON at
    all: a request with a typo, which HS001 reports, never a file to pass over."""
    return value is _NOT_JSON and request_named(path.name)


def file_names(value: Any) -> list[str] | None:
    """The base names of a parsed request's ``files[].fileName`` texts; None where it has no
    ``files`` list (or is no JSON object)."""
    files = value.get("files") if isinstance(value, dict) else None
    if not isinstance(files, list):
        return None
    return [base_name(f["fileName"]) for f in files if isinstance(f, dict) and isinstance(f.get("fileName"), str)]


def request_file_names(request: Path) -> list[str] | None:
    """``file_names`` of a request file; None where it cannot be read as JSON or has no files list."""
    readable, value = _request_json(request, None)
    return file_names(value) if readable else None


def named_by(request: Path, files: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``files`` whose name ``request`` names (by base name, NFC and letter case,
    as HS601 matches); all of them where it names no file (no JSON, HS001; no or an empty files
    list, HS003; no fileName, HS019), as ``validate`` takes them then."""
    names = request_file_names(request)
    if not names:
        return dict(files)
    known = {fold_name(n) for n in names}
    return {name: value for name, value in files.items() if fold_name(base_name(str(name))) in known}


def names_file(request: Path, file_name: str) -> bool:
    """Whether a JSON file is an import request listing ``file_name`` (quietly False if not), or
    a request that is not JSON (it may, and its import is broken either way)."""
    readable, value = _request_json(request, request.parent)
    if not readable:
        return False
    if _broken_request(request, value):
        return True
    names = file_names(value)
    if names is None:
        return False
    if file_name in names:
        return True
    # a name that differs in case or normalisation is HS601's to report, where no file has the
    # request's own spelling (that one is the request's, and this one another file)
    key = fold_name(file_name)
    return any(fold_name(n) == key and not _another_file(request.parent, n, file_name) for n in names)


def _another_file(folder: Path, spelled: str, given: str) -> bool:
    """Whether ``folder`` holds a file spelled ``spelled`` that is not the file ``given`` (on a
    file system that ignores case, both names are one file)."""
    if check_regular(folder / spelled, folder)[0] is not None:
        return False
    try:
        return not os.path.samefile(folder / spelled, folder / given)
    except OSError:
        return True


def fold_name(name: str) -> str:
    """A file name as names are matched loosely (HS601): NFC (macOS stores names decomposed), case-folded."""
    return unicodedata.normalize("NFC", name).casefold()


def is_request(path: Path) -> bool:
    """Whether a JSON file looks like an importRequest (has a files list of fileNames), is named
    as one and is not JSON (``_broken_request``), or is a ``*.import.json``: that name is this
    tool's own, so such a file is a request whatever it holds, and one with no files list (``file``
    for ``files``) has a typo that HS003 reports, as its data file's check finds it
    (``find_requests``). The generic names (``request.json``, ...) need the files list: other
    tools write JSON under them."""
    readable, value = _request_json(path, None)
    if not readable:
        return False
    return (path.name.lower().endswith(REQUEST_SUFFIX) or _broken_request(path, value)
            or (isinstance(value, dict) and isinstance(value.get("files"), list)))
