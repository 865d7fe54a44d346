"""Accepted findings: a baseline file keyed by record, not by row number.

An entry names a finding by the import it was written for (``request``: the importRequest's
path from the baseline file's folder), the file's ``fileName``, the rule code, the record key
(``email:ann@example.com``, ``id:1234``, ``row:<hash of the row's cells>``, ``value:<key>`` for
a key reported after its file is read or a value two rows share (the later row's finding, keyed
by the value as compared, whichever row comes later), or for findings
outside data rows ``column:<header>``, ``pointer:<JSON pointer>``, ``file``) and, where the
finding has one, the column name (not compared for HS308 and HS319, whose finding moves to the
other row's other column when the two rows swap: ``findings.COLUMN_MOVES``). Re-sorting the file
or inserting rows keeps every entry valid; changing the accepted record's key or content (for
hashed rows) makes the entry stale.
An entry accepts one finding: a second finding like it (a new blank row) is reported.
Findings are matched before the per-rule cap (``max_per_rule``), so accepted ones take no listed
place and are never counted as unlisted. Stale entries for the files of the import being
checked are reported as HS901. A baseline is written with every finding, not only those the
cap lists: the run keeps each one as the entry written for it (``baseline_entries.Entries``,
under ``engine.keeping_all``), not as a Finding with its row's cells, and lists the capped ones
as any run does; one that could not hold them all is refused, not written short.

An entry without ``request`` (version 1 files, written before entries named their import)
accepts the finding in any import whose file has that ``fileName``: a run of one import reads
such a file as it always did; ``--write-baseline`` rewrites it with each entry's import.

File format (JSON)::

    {"version": 2, "tool": "hubspot-preflight",
     "entries": [{"request": "imports/contacts.import.json", "file": "contacts.csv",
                  "code": "HS110", "key": "email:bo@example.org", "column": null,
                  "message": "row has 3 fields, fewer than the header's 4"}]}
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from validator.baseline_entries import Entries as Entries  # (re-exported: they moved there)
from validator.baseline_entries import Entry as Entry
from validator.checks.base import Batch, Hit
from validator.findings import STALE_CODE, Finding, Report, ValidatorError, same_column
from validator.held import Held, part
from validator.record_ignores import RecordIgnores
from validator.records import RowSource, finding_key
from validator.request.decode import checked_int
from validator.sources import read_bounded, stat_named, write_text

VERSION = 2
STALE = STALE_CODE
MAX_BASELINE_BYTES = 64 * 1024 * 1024
# the fewest bytes an entry takes as written (its six keys, indented, with a code and empty
# strings): no baseline read back holds more than MAX_BASELINE_BYTES // ENTRY_BYTES entries
ENTRY_BYTES = 134

BaselineArg = str | os.PathLike[str] | Sequence[Mapping[str, Any]]


def origin_of(source: object) -> str:
    return os.fspath(source) if isinstance(source, (str, os.PathLike)) else "baseline"


def request_scope(request: str | os.PathLike[str] | None, name: str, baseline: object) -> str:
    """How an entry names the import it was written for: the request's path from the baseline
    file's folder ('/'-separated, so the same from any working folder and system), or from the
    working folder for a baseline given as entries; a request given as data, by its name."""
    if request is None:
        return name
    folder = Path(baseline).parent if isinstance(baseline, (str, os.PathLike)) else Path()
    try:
        relative = os.path.relpath(os.path.abspath(request), os.path.abspath(folder))
    except ValueError:  # (another drive, on Windows)
        relative = os.path.abspath(request)
    return Path(relative).as_posix()


def load_baseline(source: BaselineArg) -> list[dict[str, Any]]:
    """Baseline entries from a file or a list of mappings. A missing file is an empty baseline."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if stat_named(path, "cannot read baseline ") is None:
            return []
        try:
            data = json.loads(read_bounded(path, MAX_BASELINE_BYTES), parse_int=checked_int)
        except OSError as exc:
            raise ValidatorError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
        except ValidatorError as exc:
            raise ValidatorError(f"cannot read baseline: {exc}") from None
        except ValueError as exc:
            raise ValidatorError(f"baseline {path} is not valid JSON: {exc}") from None
        except RecursionError:
            raise ValidatorError(f"baseline {path} is nested too deeply") from None
        entries = data.get("entries") if isinstance(data, dict) else None
        where = str(path)
    else:
        entries, where = list(source), "baseline"
    if not isinstance(entries, list):
        raise ValidatorError(f"{where}: expected an object with an 'entries' list")
    for i, e in enumerate(entries):
        if not (isinstance(e, Mapping) and all(isinstance(e.get(k), str) for k in ("file", "code", "key"))):
            raise ValidatorError(f"{where}: entry {i} needs string 'file', 'code' and 'key'")
        if not isinstance(e.get("request"), (str, type(None))):
            raise ValidatorError(f"{where}: entry {i} has a 'request' that is not a string")
    return [dict(e) for e in entries]



class Acceptance:
    """The entries of a baseline that may accept one import's findings (those written for it,
    and those that name no import), as the engine meets the findings: before the per-rule cap,
    so that an accepted finding neither takes a listed place nor is counted unlisted. A finding
    made before its row is read waits for it (``held``), to be keyed as ``Entries`` keys it."""

    def __init__(self, entries: list[dict[str, Any]], scope: str, origin: str = "baseline",
                 ignores: RecordIgnores | None = None):
        self.entries = entries
        self.ignores = ignores  # the settings' ignore-records, matched first
        self.scope = scope
        self.origin = origin
        self.mine = [i for i, e in enumerate(entries) if e.get("request") in (None, scope)]
        # (file, code) -> key -> entry indexes, in file order
        self.slots: dict[tuple[str, str], dict[str, list[int]]] = {}
        for i in self.mine:
            e = entries[i]
            self.slots.setdefault((e["file"], e["code"]), {}).setdefault(e["key"], []).append(i)
        self.used: set[int] = set()
        self.held = Held()  # findings made before their rows were read, until they are (their keys)

    def wants(self, code: str, file: str) -> bool:
        """Whether any entry (or ignore-records entry) may accept a finding of ``code`` in ``file``."""
        return (file, code) in self.slots or (self.ignores is not None and bool(self.ignores.of(code, file)))

    def may(self, code: str, file: str, key: str) -> bool:
        return key in self.slots.get((file, code), {}) or (self.ignores is not None
                                                           and self.ignores.may(code, file, key))

    def accept(self, f: Finding, key: str) -> bool:
        """Accept ``f`` (whose record key is ``key``) with the first entry not yet used that
        matches it: an entry accepts one finding, and a second one like it is new. An
        ignore-records entry of the settings that matches it turns it off first (any number)."""
        if self.ignores is not None and self.ignores.take(f, key):
            return True
        for i in self.slots.get((f.file or "", f.code), {}).get(key, ()):
            if i not in self.used and same_column(f.code, self.entries[i].get("column"), f.column_name):
                self.used.add(i)
                return True
        return False

    def screen(self, hit: Hit, rows: RowSource) -> tuple[Hit | None, list[int]]:
        """``hit`` without the findings this baseline accepts (None where it accepts them all),
        and the data rows of those it accepts. A finding's key is made as the report's are
        (``records.finding_key``), from its row's cells as ``rows`` has them."""
        file = hit.file or ""
        if not isinstance(hit, Batch):
            at = [hit.row] if hit.row is not None and hit.row >= rows.first else []
            if not self.accept(hit, finding_key(hit, rows.cells(at).get(hit.row or 0), rows.columns, rows.first)):
                return hit, []
            return None, at
        where = hit.rows.tolist()
        if not where:
            return hit, []
        # where a batch's findings bring no key of their own (its first tells), a data row's key
        # tells whether an entry may accept the finding there before the finding is made (a
        # column wrong on every row costs no million Findings)
        first = rows.first
        data = [r for r in where if r >= first] if hit.finding(0).key is None else []
        candidates = {r for r, key in zip(data, rows.keys(data), strict=True) if self.may(hit.code, file, key)}
        cells = rows.cells(candidates)
        taken: list[int] = []
        for i, row in enumerate(where):
            if data and row >= first and row not in candidates:
                continue
            f = hit.finding(i)
            if self.accept(f, finding_key(f, cells.get(row), rows.columns, first)):
                taken.append(i)
        if not taken:
            return hit, []
        accepted = [where[i] for i in taken if where[i] >= first]
        keep = np.delete(np.arange(len(where)), taken)
        if not len(keep):
            return None, accepted
        return part(hit, keep), accepted

    def release(self, file: str, keep: str) -> None:
        """Give back the entries used by findings of ``file`` but ``keep``'s (the engine forgot
        those findings: an empty file is reported as that alone), and forget those still held."""
        self.held.drop(file, keep)
        if self.ignores is not None:
            self.ignores.release(file, keep)
        self.used = {i for i in self.used if self.entries[i]["file"] != file or self.entries[i]["code"] == keep}

    def finish(self, report: Report, active: Mapping[str, Any], source: str,
               skip: Callable[[str, str], bool] | None = None) -> None:
        """Count the accepted findings in ``report``, and report this import's stale entries as
        HS901, each located in the baseline file (``origin``) by its JSON pointer; the same for
        the settings' ignore-records (``RecordIgnores.finish``: HS902). ``skip`` (code, file)
        tells where per-file-ignores turn a rule off."""
        for i in self.used:
            code = self.entries[i]["code"]
            report.accepted[code] = report.accepted.get(code, 0) + 1
        report.accepted = dict(sorted(report.accepted.items()))
        # (what several imports of one run need to tell an entry stale: an equal entry any of them used)
        report.baseline_used = {(self.origin, *_content(self.entries[i])) for i in self.used}
        files = {source, *(s.name for s in report.files)}
        # every finding of a rule that ran was matched, those past the cap too: an entry of this
        # import that accepted none is stale (an entry of a rule that did not run on its file,
        # not selected or ignored there, cannot be told)
        stale = [i for i in self.mine if i not in self.used and self.entries[i]["file"] in files
                 and self.entries[i]["code"] in active
                 and not (skip is not None and skip(self.entries[i]["code"], self.entries[i]["file"]))]
        if self.ignores is not None:
            self.ignores.finish(report, active, source, files - {source}, skip)
        if not stale or STALE not in active:
            return
        from validator.checks.tool import StaleBaselineEntry

        rule = StaleBaselineEntry()
        for i in stale:
            e = self.entries[i]
            of = f" of {e['request']}" if e.get("request") is not None else ""  # (two imports' entries apart)
            f = rule.finding(
                f"baseline entry for {e['code']} on {e['key']!r} in {e['file']}{of} matched no finding",
                file=self.origin, pointer=f"/entries/{i}", value=e["key"])
            report.findings.append(replace(f, severity=active[STALE].severity, key=f"pointer:/entries/{i}"))
            report.baseline_stale[(self.origin, f"/entries/{i}")] = (self.origin, *_content(e))
        report.counts[STALE] = report.counts.get(STALE, 0) + len(stale)


def _content(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    return (entry.get("request"), entry["file"], entry["code"], entry["key"], entry.get("column"))


def most_entries() -> int:
    """The most entries a baseline that a run reads back may hold: a run writing one keeps this
    many findings at most (``engine.keeping_all``)."""
    return MAX_BASELINE_BYTES // ENTRY_BYTES


def baseline_text(runs: Iterable[tuple[str | os.PathLike[str] | None, Report]],
                  path: str | os.PathLike[str]) -> tuple[bytearray, int]:
    """The baseline accepting every finding (but stale-entry ones) of each (request path,
    report) for that request, as UTF-8, and its entry count. A run whose findings were not all kept
    (``Report.baseline_entries``: more than a baseline holds, or a run not under
    ``engine.keeping_all``) is refused, as is a baseline larger than a run reads back
    (``MAX_BASELINE_BYTES``): a baseline written short would leave findings its user takes for
    accepted to be reported as new by the next run."""
    runs = list(runs)
    left = sum(n for _request, r in runs if r.baseline_entries is None
               for code, n in r.counts.items() if not code.startswith("HS9"))
    if left:
        found = sum(n for _request, r in runs for code, n in r.counts.items() if not code.startswith("HS9"))
        raise ValidatorError(f"cannot write baseline {path}: {found:,} findings are more than a baseline holds "
                             f"(at most {most_entries():,} entries in the {MAX_BASELINE_BYTES:,} bytes a baseline "
                             "is read up to); fix some findings first, or leave rules out of the check (--ignore)")
    from validator.report.json_format import clean, escaped

    # written as json.dumps(..., ensure_ascii=False, indent=2) writes the whole mapping, one entry
    # at a time into one buffer of UTF-8 (no list of mappings, no second copy of the text); past
    # MAX_BASELINE_BYTES an entry is only measured, for the message
    out = bytearray(b'{\n  "version": %d,\n  "tool": "hubspot-preflight",\n  "entries": [' % VERSION)
    size, n = len(out), 0
    for request, r in runs:
        scope = request_scope(request, r.request or "<request>", path)
        for file, code, key, column, message, *_place in r.baseline_entries or ():
            if code.startswith("HS9"):
                continue
            item = json.dumps({"request": scope, "file": file, "code": code, "key": key, "column": column,
                               "message": message}, ensure_ascii=False, indent=2)
            # (C1, bidi and invisible characters of a key as \uXXXX, as the report formats write them)
            data = ((",\n    " if n else "\n    ") + escaped(clean(item)).replace("\n", "\n    ")).encode("utf-8")
            n += 1
            size += len(data)
            if size <= MAX_BASELINE_BYTES:
                out += data
    end = b"\n  ]\n}\n" if n else b"]\n}\n"
    size += len(end)
    if size > MAX_BASELINE_BYTES:
        raise ValidatorError(f"cannot write baseline {path}: its {n:,} entries take {size:,} bytes, more "
                             f"than the {MAX_BASELINE_BYTES:,} a baseline is read up to; fix some findings first, "
                             "or leave rules out of the check (--ignore)")
    out += end
    return out, n


def write_baseline(path: str | os.PathLike[str], text: bytes | bytearray) -> None:
    """Write a baseline made by ``baseline_text``."""
    try:
        write_text(Path(path), text)
    except OSError as exc:
        raise ValidatorError(f"cannot write baseline {path}: {exc.strerror or exc}") from None
