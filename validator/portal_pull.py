"""``portal pull DIR``: save a portal snapshot (``validator.portal``'s layout) from HubSpot's API.

``pull`` is the library call the command wraps. It reads the custom objects first
(``schemas.json``), which name the objects to pull where none are given: contacts, companies,
deals, tickets and every custom object; ``objects`` (ids or names) and ``requests`` (import
requests: the objects their columns map to and associate with) narrow that. For each object its
properties (active and archived), for deals and tickets their pipelines, the owners (active and
deactivated, every page) and the association labels of each pair of objects pulled.

Every file is optional to the reader: an endpoint the token may not read (403) or the account
lacks (404) skips its file, unless ``strict``. The files go to a new folder beside ``DIR``, are
read back as the check reads them, and only then take ``DIR``'s place: a pull that fails leaves
``DIR`` as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from validator.catalog import CUSTOM_OBJECT, Catalog, builtin
from validator.findings import ValidatorError
from validator.portal import ARCHIVED_OWNERS, ARCHIVED_PROPERTIES, catalog_for, load_portal
from validator.portal_http import ABSENT, DEFAULT_BASE_URL, MAX_PAGES, Api, Fetched, Unavailable, base_url, check_token

DEFAULT_OBJECTS = ("0-1", "0-2", "0-3", "0-5")  # contacts, companies, deals, tickets
PIPELINE_OBJECTS = ("0-3", "0-5")
# what a snapshot folder holds: --force replaces nothing else
SNAPSHOT_NAMES = frozenset({"schemas.json", "owners.json", ARCHIVED_OWNERS, "properties", ARCHIVED_PROPERTIES,
                            "pipelines", "associations"})
_STEM = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
# the scope a 403 names where HubSpot's answer names none ([I]: HubSpot's scope list, per object)
_SCHEMA_SCOPES = {"0-1": "crm.schemas.contacts.read", "0-2": "crm.schemas.companies.read",
                  "0-3": "crm.schemas.deals.read", "0-5": "tickets"}
_OBJECT_SCOPES = {"0-1": "crm.objects.contacts.read", "0-2": "crm.objects.companies.read",
                  "0-3": "crm.objects.deals.read", "0-5": "tickets"}


@dataclass(frozen=True)
class PulledFile:
    path: str  # relative to the snapshot folder, with /
    items: int  # the body's results
    pages: int
    size: int  # bytes written


@dataclass(frozen=True)
class Skipped:
    path: str
    why: str  # one line: the status, the call and what it needs


@dataclass(frozen=True)
class PullSummary:
    """What ``pull`` wrote: ``folder`` (the snapshot, for ``check --portal``), each file, the files
    skipped and why, the object type ids pulled, the calls made and the calls tried again."""

    folder: str
    files: tuple[PulledFile, ...]
    skipped: tuple[Skipped, ...]
    objects: tuple[str, ...]
    calls: int
    retries: int

    @property
    def pages(self) -> int:
        return sum(f.pages for f in self.files)


def pull(folder: str | os.PathLike[str], *, token: str, base: str = DEFAULT_BASE_URL,
         objects: Sequence[str] | None = None, requests: Sequence[str | os.PathLike[str]] = (),
         force: bool = False, strict: bool = False, timeout: float = 30.0, max_pages: int = MAX_PAGES,
         sleep: Callable[[float], None] | None = None, log: Callable[[str], None] | None = None,
         token_name: str = "the token") -> PullSummary:
    """Save the portal snapshot of the account ``token`` opens into ``folder``; see the module.

    ``objects`` and ``requests`` choose the objects (both: the union); ``force`` replaces a
    non-empty ``folder`` that holds a snapshot; ``strict`` fails where a file would be skipped;
    ``sleep`` waits between tries, ``log`` gets a line per call (``--verbose``). Raises
    ValidatorError, one line naming neither the token nor its value, for whatever stops the pull."""
    token = check_token(token, token_name)
    api = Api(base_url(base), token, timeout=timeout, sleep=sleep, log=log)
    target = Path(folder)
    if target.name in ("", ".", ".."):
        target = Path(os.path.abspath(target))
    _check_target(target, force)
    texts = [_request_text(Path(r)) for r in requests]
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".pull", dir=target.parent))
    except OSError as exc:
        raise ValidatorError(f"{target.parent}: cannot make a folder there: {exc.strerror or exc}") from None
    try:
        job = _Pull(api, work, strict, max_pages)
        try:
            ids = job.run(objects, texts)
            if not job.files:
                raise ValidatorError("nothing pulled: " + "; ".join(s.why for s in job.skipped[:3]))
            load_portal(work)  # (what the check will read: refused here, DIR is left as it was)
        except ValidatorError as exc:
            raise ValidatorError(api.scrub(str(exc).replace(str(work), str(target)))) from None
        except OSError as exc:
            raise ValidatorError(f"{target}: cannot write the snapshot: {exc.strerror or exc}") from None
        _install(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return PullSummary(str(target), tuple(job.files), tuple(job.skipped), ids, api.calls, api.retries)


class _Pull:
    def __init__(self, api: Api, work: Path, strict: bool, max_pages: int):
        self.api, self.work, self.strict, self.max_pages = api, work, strict, max_pages
        self.files: list[PulledFile] = []
        self.skipped: list[Skipped] = []

    def run(self, objects: Sequence[str] | None, requests: Sequence[tuple[str, bytes]]) -> tuple[str, ...]:
        schemas = self.save("schemas.json", "/crm/v3/schemas", scope="crm.schemas.custom.read")
        catalog = catalog_for(self.work) if schemas else builtin()
        ids, unknown = _objects(catalog, objects, requests, schemas)
        for skip in unknown:
            if self.strict:
                raise ValidatorError(f"{skip.path}: {skip.why} (--strict: an object skipped fails the pull)")
            self.skipped.append(skip)
        for oid in ids:
            stem, seg = _stem(catalog, oid), urllib.parse.quote(_segment(catalog, oid), safe="")
            scope = "crm.schemas.custom.read" if CUSTOM_OBJECT.match(oid) else _SCHEMA_SCOPES.get(oid)
            # (the archived ones alone the reader refuses, as owners-archived.json alone)
            if self.save(f"properties/{stem}.json", f"/crm/v3/properties/{seg}", scope=scope):
                self.save(f"{ARCHIVED_PROPERTIES}/{stem}.json", f"/crm/v3/properties/{seg}", {"archived": "true"},
                          scope)
        for oid in ids:
            if oid in PIPELINE_OBJECTS:
                self.save(f"pipelines/{_stem(catalog, oid)}.json", f"/crm/v3/pipelines/{_segment(catalog, oid)}",
                          scope=_OBJECT_SCOPES[oid])
        if self.save("owners.json", "/crm/v3/owners", {"limit": "500"}, "crm.objects.owners.read"):
            self.save(ARCHIVED_OWNERS, "/crm/v3/owners", {"limit": "500", "archived": "true"},
                      "crm.objects.owners.read")
        for left in ids:
            for right in ids:
                segs = [urllib.parse.quote(_segment(catalog, o), safe="") for o in (left, right)]
                scope = "crm.objects.custom.read" if CUSTOM_OBJECT.match(left) else _OBJECT_SCOPES.get(left)
                # (400 too: which pairs HubSpot answers so for is not documented, [GAP])
                self.save(f"associations/{_stem(catalog, left)}/{_stem(catalog, right)}.json",
                          f"/crm/v4/associations/{segs[0]}/{segs[1]}/labels", scope=scope,
                          absent=ABSENT | {400})
        return ids

    def save(self, rel: str, path: str, query: dict[str, str] | None = None, scope: str | None = None,
             absent: frozenset[int] = ABSENT) -> bool:
        """Fetch every page of ``path`` into ``rel``; False where it was skipped."""
        try:
            got: Fetched = self.api.collection(path, query, scope, self.max_pages, absent)
        except Unavailable as exc:
            if self.strict:
                raise ValidatorError(f"{rel}: {exc} (--strict: a file skipped fails the pull)") from None
            self.skipped.append(Skipped(rel, self.api.scrub(str(exc))))
            return False
        file = self.work / rel
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(got.body)
        self.files.append(PulledFile(rel, got.items, got.pages, len(got.body)))
        return True


def _objects(catalog: Catalog, objects: Sequence[str] | None, requests: Sequence[tuple[str, bytes]],
             schemas: bool) -> tuple[tuple[str, ...], list[Skipped]]:
    """The object type ids to pull: those named and those the requests use, or the default ones
    and every custom object of schemas.json; and, skipped, each object a request maps to that
    neither HubSpot's standard objects nor schemas.json have (once per request)."""
    if objects is None and not requests:
        return (*DEFAULT_OBJECTS, *catalog.custom_objects()), []
    found: dict[str, None] = {}
    for name in objects or ():
        oid = catalog.object_id(name)
        if oid is None:
            known = "" if schemas else " (custom object names come from schemas.json, which was not pulled)"
            raise ValidatorError(f"--object {name!r}: not an object type id or name HubSpot has{known}")
        found[oid] = None
    from validator.request import parse_request

    unknown: dict[tuple[str, str], Skipped] = {}
    for name, text in requests:
        spec = parse_request(text, name, catalog)
        for file in spec.files:
            for column in file.columns:
                if column.ignored:
                    continue
                for given, oid, key in ((column.object_type, column.object_type_id, "columnObjectTypeId"),
                                        (column.to_object_type, column.to_object_type_id, "toColumnObjectTypeId")):
                    if oid is not None:
                        found[oid] = None
                    elif isinstance(given, str) and (name, given) not in unknown:
                        known = "schemas.json" if schemas else "schemas.json (not pulled)"
                        unknown[(name, given)] = Skipped(
                            given, f"the object {name} maps to ({column.pointer}/{key}): neither HubSpot's "
                                   f"standard objects nor {known} have it")
    return tuple(found), list(unknown.values())


def _stem(catalog: Catalog, oid: str) -> str:
    """The file name of an object's files: its plural name (``contacts``), a custom object's name
    from schemas.json (``cars``), or its id where a name would not read back as this object."""
    obj = catalog.objects.get(oid)
    names = () if obj is None else obj.names[:1] if CUSTOM_OBJECT.match(oid) else obj.names[1:2] or obj.names[:1]
    for name in names:
        own = builtin().object_id(name) if CUSTOM_OBJECT.match(oid) else None
        if _STEM.fullmatch(name) and own is None and catalog.object_id(name) == oid:
            return name
    return oid


def _segment(catalog: Catalog, oid: str) -> str:
    """An object in an API path: the name for the four objects HubSpot's guides call by name, else the id."""
    return _stem(catalog, oid) if oid in DEFAULT_OBJECTS else oid


def _request_text(path: Path) -> tuple[str, bytes]:
    """An import request's text for ``requests``; refused where it is not one."""
    from validator.request import parse_request
    from validator.sources import read_request_bytes

    text = read_request_bytes(path)
    spec = parse_request(text, path.name)
    if not spec.parsed or not spec.files:
        raise ValidatorError(f"--for {path}: not an import request with files[] (check it: hubspot-preflight "
                             f"check {path})")
    return path.name, text


def _check_target(target: Path, force: bool) -> None:
    """Refuse, before any call, a ``DIR`` the pull would not install: a link, a file, a folder
    with something in it (without ``force``; with it, anything but a snapshot's files), a
    missing parent folder, or the current folder or one above it."""
    if not target.parent.is_dir():
        raise ValidatorError(f"{target}: its folder {target.parent} does not exist")
    if os.path.islink(target):
        raise ValidatorError(f"{target}: a link; give the folder it points to")
    if not os.path.lexists(target):
        return
    if not target.is_dir():
        raise ValidatorError(f"{target}: not a folder")
    inside = sorted(p.name for p in target.iterdir())
    if not inside:
        return
    if not force:
        raise ValidatorError(f"{target}: not empty; --force replaces it whole, once the new snapshot is complete")
    here = Path.cwd().resolve()
    if target.resolve() in (here, *here.parents):
        raise ValidatorError(f"{target}: holds the current folder; --force replaces a snapshot folder only")
    other = [n for n in inside if n not in SNAPSHOT_NAMES]
    if other:
        raise ValidatorError(f"{target}: holds {other[0]!r}, which is not a snapshot's; --force replaces a "
                             "snapshot folder only")


def _install(work: Path, target: Path) -> None:
    """Put the finished snapshot ``work`` in ``target``'s place: renamed to it, or its entries
    moved into an empty ``target`` (the folder stays, as a shell's current folder), or, over a
    snapshot (``--force``), renamed once the old one is moved aside (and then removed)."""
    moved: list[str] = []
    old = None
    try:
        if not os.path.lexists(target):
            os.rename(work, target)
        elif not any(target.iterdir()):
            for name in sorted(os.listdir(work)):
                os.rename(work / name, target / name)
                moved.append(name)
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.replace(target, old / "snapshot")
            try:
                os.rename(work, target)
            except OSError:
                os.replace(old / "snapshot", target)
                raise
    except OSError as exc:
        for name in moved:  # (back where they were: the folder stays empty)
            os.rename(target / name, work / name)
        raise ValidatorError(f"{target}: cannot put the snapshot in place: {exc.strerror or exc}") from None
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def files_summary(summary: PullSummary) -> Iterable[str]:
    """The lines ``portal pull`` prints on stderr: each file, the files skipped, the totals."""
    width = max((len(f.path) for f in summary.files), default=0)
    for f in summary.files:
        pages = f", {f.pages:,} pages" if f.pages > 1 else ""
        yield f"  {f.path:<{width}}  {f.items:>6,} item{'' if f.items == 1 else 's'}{pages}"
    for s in summary.skipped:
        yield f"hubspot-preflight: warning: skipped {s.path}: {s.why}"
    tried = f", {summary.retries} tried again" if summary.retries else ""
    yield (f"hubspot-preflight: pulled {len(summary.files)} files into {summary.folder} ({summary.calls} calls"
           f"{tried}; {len(summary.skipped)} skipped)")
