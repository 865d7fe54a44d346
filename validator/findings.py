"""Findings and the report: plain data, no behaviour beyond counting and serialising."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

SCHEMA_VERSION = 1
VALUE_LIMIT = 200  # characters of a cell echoed in a finding


class ValidatorError(Exception):
    """Misuse of the tool: bad arguments, bad configuration, unreadable inputs.

    The only exception the library raises on purpose. Data problems are findings, never this.
    """


STALE_CODE = "HS901"  # a baseline entry that accepted no finding
STALE_IGNORE_CODE = "HS902"  # an ignore-records entry of the settings that turned off no finding
# rules whose finding sits in either of two columns of its record as the rows come: HS308 in the
# later row's email or additional emails, HS319 in its domain or additional domains. The value the
# two rows share keys the finding in either order; which column it sits in is no part of which
# finding it is (a baseline entry, an ignore-records entry or a SARIF fingerprint that named the
# column would go stale when the two rows swap)
COLUMN_MOVES = frozenset({"HS308", "HS319"})


def same_column(code: str, column: str | None, column_name: str | None) -> bool:
    """Whether an entry naming ``column`` (None: any) matches a finding of ``code`` in
    ``column_name``: always for a rule whose findings move between columns (``COLUMN_MOVES``)."""
    return column is None or column == column_name or code in COLUMN_MOVES


class Severity(enum.IntEnum):
    """Ordered so that ``severity >= fail_on`` reads naturally."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValidatorError(f"unknown severity {text!r} (choose from {choices})") from None

    @property
    def label(self) -> str:
        return self.name.lower()


_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonText(str):
    """A string of the request JSON that holds a lone surrogate (an escape such as ``\\udc80``).

    Python holds an undecodable byte of a data file (0x80, kept by ``surrogateescape``) as the
    same character U+DC80, which findings show as ``\\x80``; a request string is strict UTF-8
    text, so its surrogate came from an escape and is shown as one (``\\udc80``). The type
    carries that origin to ``truncate`` and ``checks.base.quote``, and keeps a ``columnName`` from
    matching a header cell (``context.header_name``); it is a plain ``str`` in every other way
    (equal and hashed as one).
    """

    __slots__ = ()


def truncate(value: str | None, limit: int = VALUE_LIMIT) -> str | None:
    """A cell echoed in a finding: cut short, undecodable bytes shown as ``\\xNN``.

    Lone surrogates (bytes kept by ``surrogateescape``, or ``\\ud800`` in JSON) cannot be
    written as UTF-8, so they become escape text here, once, for every output format.
    """
    if value is None:
        return None
    escape = escape_json_surrogate if isinstance(value, JsonText) else _escape_surrogate
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    if _SURROGATE.search(value):
        value = _SURROGATE.sub(escape, value)
    return value


def _escape_surrogate(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC00 <= code <= 0xDCFF else escape_json_surrogate(m)


def escape_json_surrogate(m: re.Match[str]) -> str:
    """A lone surrogate as the JSON escape it was written as: ``\\udc80``."""
    return f"\\u{ord(m.group()):04x}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place. ``row`` counts the header as row 1; ``column`` is 1-based."""

    code: str
    rule: str
    message: str
    severity: Severity | None = None  # stamped by the engine from the active profile
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    line: int | None = None
    # the record's last physical line (a CSV record with line breaks in a quoted value spans
    # several); ``line`` where not given
    end_line: int | None = None
    column: int | None = None
    column_name: str | None = None
    pointer: str | None = None
    value: str | None = None
    hubspot_error: str | None = None
    hint: str | None = None
    offset: int | None = None  # absolute byte offset, for byte-level findings
    key: str | None = None  # stable record key (email, Record ID) where one is known
    path: str | None = None  # where the file is on disk, as the caller named it

    def __post_init__(self) -> None:
        if self.end_line is None and self.line is not None:
            object.__setattr__(self, "end_line", self.line)

    @property
    def cell(self) -> str | None:
        """A1-style reference (``Contacts!D17``) for spreadsheet findings."""
        if self.sheet is None or self.row is None or self.column is None:
            return None
        return f"{self.sheet}!{column_letter(self.column)}{self.row}"

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["severity"] = self.severity.label if self.severity is not None else None
        out["cell"] = self.cell
        return out


def column_letter(column: int) -> str:
    letters = ""
    while column > 0:
        column, rem = divmod(column - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True, slots=True)
class Refusal:
    """An input the tool would not or could not read (a bomb, a FIFO, an encrypted workbook)."""

    file: str
    reason: str
    code: str = "refused"


@dataclass(slots=True)
class FileStats:
    name: str
    rows: int = 0
    bytes: int = 0
    seconds: float = 0.0
    kind: str | None = None  # csv | xlsx | ...
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    reader: str | None = None  # exact | fast (CSV) | calamine | openpyxl (workbook) | xlrd (.xls)
    # why a CSV file has the exact reader, where a reason is known (check --verbose); out of to_dict()
    reader_why: str | None = None
    # False where the request says hasHeader false: row 1 is then a data row, not a header
    has_header: bool = True


def first_data_row(has_header: object) -> int:
    """The first data row of a file (spreadsheet rows, header = 1): 1 without a header row
    (hasHeader false, or any false value, as the readers take it), else 2."""
    return 2 if has_header else 1


@dataclass(slots=True)
class Report:
    """Everything a run found. Plain data: formats and callers read it, nothing mutates it later.

    Where a code's findings have several levels (some judged by a default list, a merged report's
    imports), ``by_severity`` totals them and ``unlisted_levels`` splits the unlisted by file. The
    totals are kept, not summed: the unlisted are only counted, a report made by hand by code.
    """

    findings: list[Finding] = field(default_factory=list)
    files: list[FileStats] = field(default_factory=list)
    suppressed: dict[str, int] = field(default_factory=dict)
    # the same by file and code (the formats that group by file count them there); out of to_dict()
    suppressed_in: dict[str, dict[str, int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # every finding per code, stored or not
    severities: dict[str, Severity] = field(default_factory=dict)  # code -> stamped severity
    refusals: list[Refusal] = field(default_factory=list)
    accepted: dict[str, int] = field(default_factory=dict)  # findings a baseline accepted, per code
    ignored_records: dict[str, int] = field(default_factory=dict)  # findings ignore-records turned off, per code
    request: str | None = None
    seconds: float = 0.0
    version: str = ""
    # The cells of rows that have findings, by file and row (for the hubspot and csv formats);
    # header cells by file (a file without a header row: its mappings' columnNames, by position).
    # Kept out of to_dict(): the JSON contract never carries whole rows.
    records: dict[str, dict[int, tuple[str, ...]]] = field(default_factory=dict)
    headers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # files whose rows named only once every file was read (HS314) have no cells in ``records``,
    # by file: why they were not read again (``late_cells``). Out of to_dict(), as ``records``.
    unshown: dict[str, str] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)  # each file's path as given, by fileName
    requests: list[str] = field(default_factory=list)  # every request of a merged run (else [request])
    # the baseline entries that accepted a finding, and the stale ones by (baseline, pointer): as
    # (baseline, file, code, key, column), so that a run of several imports compares them; the
    # settings' ignore-records entries too, as ("ignore-records", settings file, pointer)
    baseline_used: set[tuple[Any, ...]] = field(default_factory=set)
    baseline_stale: dict[tuple[str, str], tuple[Any, ...]] = field(default_factory=dict)
    # while a baseline is written (``engine.keeping_all``): every finding as the entry written for
    # it, (file, code, key, column name, message, row, column, pointer), in report order; None in
    # other runs and where there were more than a baseline holds. Out of to_dict().
    baseline_entries: list[tuple[Any, ...]] | None = None
    # totals where a code's findings have several levels (above); None: counted by code
    by_severity: dict[Severity, int] | None = None
    # the findings not listed (over ``max_per_rule``) by file, code and severity, where they are
    # not all at the level ``severities`` gives the code (a code judged partly by a default list,
    # a merged report's import that sets the code's level); see ``unlisted_split``
    unlisted_levels: dict[str, dict[str, dict[Severity, int]]] = field(default_factory=dict)

    def total(self, severity: Severity | str) -> int:
        """Findings of ``severity`` (listed or not; a Severity or its name, as ``exit_code`` takes
        ``fail_on``: any other value is misuse)."""
        level = _level(severity, "severity")
        if self.by_severity is not None:
            return self.by_severity.get(level, 0)
        return sum(n for code, n in self.counts.items() if self.severities.get(code, Severity.ERROR) == level)

    @property
    def errors(self) -> int:
        return self.total(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.total(Severity.WARNING)

    @property
    def infos(self) -> int:
        return self.total(Severity.INFO)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def ok(self) -> bool:
        return not self.refusals and self.errors == 0

    def exit_code(self, fail_on: Severity | str = Severity.ERROR) -> int:
        """0: nothing at or above ``fail_on``; 1: something is; 2: an input was refused.
        ``fail_on`` takes what ``--fail-on`` and ``Config.fail_on`` take (any other value is misuse)."""
        level = _level(fail_on, "fail_on")
        if self.refusals:
            return 2
        if any(self.total(s) for s in Severity if s >= level):
            return 1
        return 0

    def to_frame(self) -> Any:
        """The listed findings as a pandas DataFrame, a row each in report order, with the JSON
        report's fields as columns (``FRAME_COLUMNS``: the integers as pandas' nullable ``Int64``,
        the others as its ``string``, a missing value ``<NA>``; the text as the JSON report has it,
        an undecodable byte as ``\\xNN`` text and any lone surrogate as ``\\uXXXX``, so the frame
        writes to Parquet or a database as it is). Findings over ``max_per_rule`` are counted in
        ``counts``, not listed; mask values first with
        ``validator.report.redact_report(report).to_frame()``."""
        import pandas as pd

        from validator.report.json_format import clean

        rows = [clean(f.to_dict()) for f in self.findings]
        return pd.DataFrame({name: pd.array([r[name] for r in rows],
                                            dtype="Int64" if name in _INT_COLUMNS else "string")
                             for name in FRAME_COLUMNS})

    def unlisted_split(self, code: str, file: str | None, n: int) -> dict[Severity, int]:
        """The ``n`` findings of ``code`` not listed in ``file`` (None: not known) by severity:
        as ``unlisted_levels`` splits them, else all at the report's severity of the code. An
        ``n`` the record does not count (a report whose ``suppressed_in`` was made otherwise, read
        by ``common.unlisted``) is all at the record's level where it has one."""
        split = self.unlisted_levels.get(file, {}).get(code) if file is not None else None
        if split and sum(split.values()) == n:
            return dict(split)
        if split and len(split) == 1:
            return {level: n for level in split}
        return {self.severities.get(code, Severity.ERROR): n}

    def first_rows(self) -> dict[str, int]:
        """Each data file's first data row (``first_data_row``); a file not in ``files`` has its
        header at row 1."""
        return {s.name: first_data_row(s.has_header) for s in self.files}

    def by_file(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = {}
        for f in self.findings:
            grouped.setdefault(f.file or "", []).append(f)
        return grouped

    @classmethod
    def merge(cls, reports: Iterable[Report]) -> Report:
        """One report for several imports checked in one run (the CLI with many requests).
        A fileName that more than one of them uses is told apart by its path (``_renamed``)."""
        out = cls()
        if isinstance(reports, (str, bytes, Mapping)) or not isinstance(reports, Iterable):
            raise ValidatorError(f"Report.merge() takes an iterable of Reports, not {type(reports).__name__}")
        reports = list(reports)
        for i, r in enumerate(reports):
            if not isinstance(r, Report):
                raise ValidatorError(f"Report.merge() takes Reports, not {type(r).__name__} (item {i})")
        seen: dict[str, int] = {}
        for r in reports:
            for name in r.names():
                seen[name] = seen.get(name, 0) + 1
        reports = _stale_once([r._renamed({n for n in r.names() if seen[n] > 1}) for r in reports])
        out.baseline_used = set().union(*(r.baseline_used for r in reports))
        out.by_severity = {s: sum(r.total(s) for r in reports) for s in Severity}
        splits: dict[str, dict[str, dict[Severity, int]]] = {}  # each file's unlisted, by code and level
        for r in reports:
            out.findings.extend(r.findings)
            out.files.extend(r.files)
            out.refusals.extend(r.refusals)
            out.seconds += r.seconds
            out.version = r.version
            out.request = out.request or r.request
            out.requests.extend(r.requests or ([r.request] if r.request else []))
            for code, n in r.counts.items():
                out.counts[code] = out.counts.get(code, 0) + n
            for code, n in r.suppressed.items():
                out.suppressed[code] = out.suppressed.get(code, 0) + n
            for name, by_code in r.suppressed_in.items():
                mine = out.suppressed_in.setdefault(name, {})
                for code, n in by_code.items():
                    mine[code] = mine.get(code, 0) + n
                    split = splits.setdefault(name, {}).setdefault(code, {})
                    for level, k in r.unlisted_split(code, name, n).items():
                        split[level] = split.get(level, 0) + k
            for code, n in r.accepted.items():
                out.accepted[code] = out.accepted.get(code, 0) + n
            for code, n in r.ignored_records.items():
                out.ignored_records[code] = out.ignored_records.get(code, 0) + n
            out.severities.update(r.severities)
            for name, rows in r.records.items():
                out.records.setdefault(name, {}).update(rows)
            out.headers.update(r.headers)
            out.unshown.update(r.unshown)
            out.paths.update(r.paths)
        for name, of_file in splits.items():  # kept where the code's one level does not hold for all
            for code, by_level in of_file.items():
                if by_level.keys() != {out.severities.get(code, Severity.ERROR)}:
                    out.unlisted_levels.setdefault(name, {})[code] = by_level
        return out

    def names(self) -> set[str]:
        """The request's and its data files' names (not a baseline file's, which several imports
        of a run share)."""
        named = {s.name for s in self.files} | set(self.records) | set(self.headers)
        return named | ({self.request} if self.request else set())

    def _renamed(self, names: set[str]) -> Report:
        """This report with the files ``names`` called by their paths (else by fileName and request)."""
        if not names:
            return self
        new = {n: self.paths.get(n) or f"{n} ({self.request})" for n in names}

        def name(n: str | None) -> str | None:
            return new.get(n, n) if n is not None else None
        out = replace(self, findings=[replace(f, file=name(f.file)) if f.file in new else f for f in self.findings],
                      files=[replace(s, name=new.get(s.name, s.name)) for s in self.files],
                      refusals=[replace(x, file=new.get(x.file, x.file)) for x in self.refusals],
                      records={new.get(k, k): v for k, v in self.records.items()},
                      suppressed_in={new.get(k, k): v for k, v in self.suppressed_in.items()},
                      headers={new.get(k, k): v for k, v in self.headers.items()},
                      unshown={new.get(k, k): v for k, v in self.unshown.items()},
                      unlisted_levels={new.get(k, k): v for k, v in self.unlisted_levels.items()},
                      paths={new.get(k, k): v for k, v in self.paths.items()}, request=name(self.request))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "hubspot-preflight", "version": self.version},
            "ok": self.ok,
            "summary": {
                "errors": self.errors,
                "warnings": self.warnings,
                "infos": self.infos,
                "files": len(self.files),
                "rows": self.rows,
                "seconds": round(self.seconds, 3),
            },
            "findings": [f.to_dict() for f in self.findings],
            "suppressed": dict(sorted(self.suppressed.items())),
            "files": [
                {k: (round(v, 3) if k == "seconds" else v) for k, v in asdict(s).items() if k != "reader_why"}
                for s in self.files
            ],
            "refusals": [asdict(r) for r in self.refusals],
            "accepted": dict(sorted(self.accepted.items())),
            "ignored_records": dict(sorted(self.ignored_records.items())),
        }


# ``Report.to_frame``'s columns: where the finding is, what it is, then the rest of its fields
FRAME_COLUMNS = ("file", "sheet", "row", "column", "column_name", "cell", "code", "rule", "severity",
                 "hubspot_error", "message", "value", "hint", "key", "line", "end_line", "pointer", "offset", "path")
_INT_COLUMNS = frozenset({"row", "column", "line", "end_line", "offset"})


def _level(value: object, name: str) -> Severity:
    """A Severity given as one or by its name (``"warning"``); anything else is misuse, said
    naming the argument ``name``."""
    if isinstance(value, Severity):
        return value
    if isinstance(value, str):
        return Severity.parse(value)
    raise ValidatorError(f"{name} must be a Severity or 'error', 'warning', 'info', not {value!r}")


def count_by_code(findings: Iterable[Finding]) -> Mapping[str, int]:
    out: dict[str, int] = {}
    for f in findings:
        out[f.code] = out.get(f.code, 0) + 1
    return out


def _stale_once(reports: list[Report]) -> list[Report]:
    """The reports of one run with each stale baseline entry (HS901) or ignore-records entry
    (HS902) said once, and only where no import of the run used the entry (two imports with the
    same fileName each saw the other's entries as stale; a settings file's entry used by one
    import is not stale in another)."""
    used = set().union(*(r.baseline_used for r in reports))
    said: set[tuple[str | None, str | None]] = set()
    out = []
    for r in reports:
        kept = []
        dropped: dict[Severity, int] = {}
        by_code: dict[str, int] = {}
        for f in r.findings:
            if f.code in (STALE_CODE, STALE_IGNORE_CODE) and f.pointer is not None:
                if r.baseline_stale.get((f.file or "", f.pointer)) in used or (f.file, f.pointer) in said:
                    level = f.severity or r.severities.get(f.code, Severity.ERROR)
                    dropped[level] = dropped.get(level, 0) + 1
                    by_code[f.code] = by_code.get(f.code, 0) + 1
                    continue
                said.add((f.file, f.pointer))
            kept.append(f)
        if dropped:
            counts = {**r.counts, **{code: r.counts[code] - n for code, n in by_code.items()}}
            tally = None if r.by_severity is None else {s: n - dropped.get(s, 0) for s, n in r.by_severity.items()}
            r = replace(r, findings=kept, counts={c: n for c, n in counts.items() if n}, by_severity=tally)
        out.append(r)
    return out
