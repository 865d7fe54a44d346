"""Record-keyed ignores: ``ignore-records`` entries of the settings turn one record's findings off.

CSV and JSON carry no comments to put a ``noqa`` in, so a finding of one record is turned off in
the settings: ``{ rule = "HS301", key = "email:ann@example.com" }``, optionally with ``file`` (a
glob, matched as ``per-file-ignores`` globs are: ``config.matches_file``) and ``column`` (a column
name). The key is the one a baseline entry and the report give the finding
(``records.finding_key``), so a baseline entry's key works here unchanged. Unlike a baseline
entry, which accepts one finding, an entry turns off every finding of its rule with that key
(both rows of a duplicate, say), in any import.

Entries are matched where a baseline's are (``baseline.Acceptance``, which asks these first):
before the per-rule cap, so ignored findings take no listed place and are not counted unlisted;
they are counted per code in the report's ``ignored_records``. An entry that turned off nothing
in a run where one of its rules ran on a file it names is stale, reported as HS902, located in
the settings file (``Config.source``; ``Config`` for settings given in Python) by its place in
it as a JSON pointer from the file's top, as HS901 locates a baseline entry:
``/tool/hubspot-preflight/ignore-records/<n>`` in pyproject.toml (``Config.source_table``),
``/ignore-records/<n>`` where the keys are the file's own (TOML gives no line numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from validator.checks import all_rules
from validator.config import matches_file, resolve
from validator.findings import Finding, Report, same_column

STALE_IGNORE = "HS902"
_IMPORT_HOOKS = ("on_import", "on_import_end")  # the hooks whose findings may be the request's
_FILE_HOOKS = ("on_header", "on_chunk", "on_file_end", "on_import_end")  # a data file's


@dataclass(frozen=True, slots=True)
class RecordIgnore:
    codes: frozenset[str]
    rule: str  # as the settings gave it
    key: str
    file: str | None  # a glob
    column: str | None


class RecordIgnores:
    """The ``ignore-records`` entries of one import's run (``paths``: each file's path as given,
    by fileName; ``root``: the folder globs are relative to; ``origin``: the settings file, and
    ``table`` the TOML table in it that holds them, dotted: ``tool.hubspot-preflight``)."""

    def __init__(self, entries: Sequence[Mapping[str, Any]], paths: Mapping[str, str], root: str | None,
                 origin: str, table: str = ""):
        rules = all_rules()
        self.entries = [RecordIgnore(frozenset(resolve([e["rule"]], rules)), e["rule"], e["key"],
                                     e.get("file"), e.get("column")) for e in entries]
        self.paths = paths
        self.root = root
        self.origin = origin
        # (a JSON pointer from the file's top: its keys hold no '/' or '~' to escape)
        self.at = "".join(f"/{part}" for part in table.split(".") if part) + "/ignore-records"
        self._of: dict[tuple[str, str], list[int]] = {}  # (code, file) -> entries that may match
        self._files: dict[tuple[int, str], bool] = {}  # (entry, file) -> its glob matches
        self.used: dict[int, dict[tuple[str, str], int]] = {}  # entry -> (file, code) -> findings turned off

    def names(self, i: int, file: str) -> bool:
        """Whether entry ``i`` names ``file`` (no ``file``: every file)."""
        glob = self.entries[i].file
        if glob is None:
            return True
        got = self._files.get((i, file))
        if got is None:
            got = self._files[(i, file)] = matches_file(glob, file, self.paths.get(file), self.root)
        return got

    def of(self, code: str, file: str) -> list[int]:
        found = self._of.get((code, file))
        if found is None:
            found = self._of[(code, file)] = [i for i, e in enumerate(self.entries)
                                              if code in e.codes and self.names(i, file)]
        return found

    def may(self, code: str, file: str, key: str) -> bool:
        return any(self.entries[i].key == key for i in self.of(code, file))

    def take(self, f: Finding, key: str) -> bool:
        """Turn ``f`` (whose record key is ``key``) off with the first entry matching it."""
        file = f.file or ""
        for i in self.of(f.code, file):
            e = self.entries[i]
            if e.key == key and same_column(f.code, e.column, f.column_name):
                slot = self.used.setdefault(i, {})
                slot[(file, f.code)] = slot.get((file, f.code), 0) + 1
                return True
        return False

    def release(self, file: str, keep: str) -> None:
        """Forget what was turned off in ``file`` but ``keep``'s (as ``Acceptance.release``)."""
        for i, slot in list(self.used.items()):
            for where in [w for w in slot if w[0] == file and w[1] != keep]:
                del slot[where]
            if not slot:
                del self.used[i]

    def finish(self, report: Report, active: Mapping[str, Any], request: str, files: set[str],
               skip: Callable[[str, str], bool] | None = None) -> None:
        """Count the findings turned off in ``report.ignored_records``, and report as HS902 each
        entry that turned none off where one of its rules ran on a file it names: the ``request``
        (a rule with an import hook) or a data file of ``files`` (a rule with a file's hooks, or
        an import-end one). A rule not selected, or off there by a per-file ignore, did not run:
        its entry cannot be told stale."""
        rules = {code: active[code].cls.hooks() for code in active}

        def ran(code: str, file: str) -> bool:
            hooks = rules.get(code)
            if hooks is None or (skip is not None and skip(code, file)):
                return False
            wanted = _IMPORT_HOOKS if file == request else _FILE_HOOKS
            return any(h in wanted for h in hooks)

        for slot in self.used.values():
            for (_file, code), n in slot.items():
                report.ignored_records[code] = report.ignored_records.get(code, 0) + n
        report.ignored_records = dict(sorted(report.ignored_records.items()))
        report.baseline_used |= {self._identity(i) for i in self.used}
        stale = [i for i, e in enumerate(self.entries) if i not in self.used
                 and any(self.names(i, file) and ran(code, file) for code in e.codes for file in {request, *files})]
        if not stale or STALE_IGNORE not in active:
            return
        from validator.checks.tool import StaleRecordIgnore

        rule = StaleRecordIgnore()
        for i in stale:
            e = self.entries[i]
            where = f" in {e.file}" if e.file is not None else ""
            column = f" (column {e.column!r})" if e.column is not None else ""
            pointer = f"{self.at}/{i}"
            f = rule.finding(f"ignore-records entry for {e.rule} on {e.key!r}{column}{where} matched no finding",
                             file=self.origin, pointer=pointer, value=e.key)
            report.findings.append(replace(f, severity=active[STALE_IGNORE].severity, key=f"pointer:{pointer}"))
            report.baseline_stale[(self.origin, pointer)] = self._identity(i)
        report.counts[STALE_IGNORE] = report.counts.get(STALE_IGNORE, 0) + len(stale)

    def _identity(self, i: int) -> tuple[str, str, str]:
        """An entry as several imports of one run tell it (``findings._stale_once``): an entry
        one of them used is not stale in the others."""
        return ("ignore-records", self.origin, f"{self.at}/{i}")
