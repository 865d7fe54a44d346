"""Runs the rules over import -> files -> chunks; the only place that caps, stamps and sorts.

Order of hooks: ``on_import`` once; per file ``on_header``, ``on_chunk`` for each chunk,
``on_file_end``; then ``on_import_end``. Only the hooks a rule overrides are called. Findings a
baseline accepts, or the settings' ``ignore-records`` turn off, are taken out as they come,
before the cap. Per rule and file at most
``max_per_rule`` findings are kept, always the first ones in (row, column) order, so the report
does not depend on chunk size; the rest are counted as suppressed. While a baseline is written
(``keeping_all``) every finding is also kept as the entry the baseline writes for it
(``baseline.Entries``: no Finding, no row cells), up to what a baseline can hold.

The findings are kept, capped and counted by ``collector.Collector``; the rules run over each
chunk, on one thread or two, by ``chunk_runner._chunk_runner``.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from validator import __version__
from validator.baseline import Acceptance, load_baseline, origin_of, request_scope
from validator.catalog import Catalog, builtin
from validator.checks.base import Rule
from validator.checks.header_title import TITLE_CODE, title_look_row
from validator.checks.limits import column_limit, limits
from validator.chunk_runner import _chunk_runner
from validator.collector import Collector
from validator.config import ActiveRule, Config, active_rules, file_ignores
from validator.context import TITLE_ROWS, FileContext, FileLookup, ImportContext, bind_columns
from validator.findings import FileStats, Refusal, Report, Severity, ValidatorError, first_data_row
from validator.keys import hashing, record_hasher
from validator.late_cells import read_again
from validator.memo import run_scope
from validator.portal import catalog_for
from validator.readers.base import LOOK_CHARS, Refused, reaching
from validator.readers.dispatch import open_reader
from validator.record_ignores import RecordIgnores
from validator.record_spans import RecordSpans, with_end_lines
from validator.records import capture, key_columns, stamp_keys
from validator.request import ImportSpec
from validator.sources import FileArg, locate

_REFUSED_PROBLEMS = ("not-regular", "outside", "unreadable")

EMPTY_FILE = "HS116"  # a file without content: reported by this rule alone

# While set (``keeping_all``), runs keep every finding as its baseline entry, whatever
# ``max_per_rule`` lists, up to this many in all: what a baseline being written needs (past it,
# none, as no baseline holds them)
_KEEP_ALL: contextvars.ContextVar[int | None] = contextvars.ContextVar("keep_all", default=None)


@contextlib.contextmanager
def keeping_all(budget: int) -> Iterator[None]:
    """Runs in this context keep every finding as the entry a baseline writes for it
    (``Report.baseline_entries``), besides the first ``max_per_rule`` of each rule and file that
    any run lists; more than ``budget`` in one run make it keep no entry (None)."""
    token = _KEEP_ALL.set(budget)
    try:
        yield
    finally:
        _KEEP_ALL.reset(token)


# While False (``without_late_cells``), runs do not read a file again for the cells of the rows
# named once every file was read (``late_cells``): only the csv and hubspot formats show cells
_READ_AGAIN: contextvars.ContextVar[bool] = contextvars.ContextVar("read_again", default=True)


@contextlib.contextmanager
def without_late_cells() -> Iterator[None]:
    """Runs in this context leave the cells of rows named once every file was read unread
    (``Report.records`` lacks them): for a report no format of which shows them."""
    token = _READ_AGAIN.set(False)
    try:
        yield
    finally:
        _READ_AGAIN.reset(token)


class Engine:
    def __init__(self, config: Config | None = None, catalog: Catalog | None = None):
        self.config = config or Config()
        self.catalog = catalog or (catalog_for(self.config.portal) if self.config.portal is not None else builtin())
        self.active = active_rules(self.config)

    def _instances(self) -> list[Rule]:
        return [a.cls(a.options) for a in self.active.values()]

    def run(self, spec: ImportSpec, *, request_path: Path | None = None,
            base: Path | None = None, files: Mapping[str, FileArg] | None = None) -> Report:
        started = time.perf_counter()
        lookups = locate(spec, base, files)
        large = _input_bytes(lookups) >= LARGE_INPUT
        threads = self.config.threads if self.config.threads is not None else (2 if large else 1)
        with hashing(fast=large), run_scope(), contextlib.ExitStack() as stack:
            pool = stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="rules")) if threads > 1 else None
            return self._run(spec, lookups, request_path, started, pool)

    def _run(self, spec: ImportSpec, lookups: Mapping[str, FileLookup], request_path: Path | None,
             started: float, pool: ThreadPoolExecutor | None) -> Report:
        rules = self._instances()
        overridden = [(r, type(r).hooks()) for r in rules]  # (once per rule, not once per hook)
        hooks = {h: [r for r, has in overridden if h in has] for h in
                 ("on_import", "on_header", "on_chunk", "on_file_end", "on_import_end")}
        title = self.active.get(TITLE_CODE)  # (its rows, turned off or not: the CSV readers look as far down)
        ctx = ImportContext(spec, self.catalog, request_path, lookups,
                            title_rows=int(title.options["rows"]) if title is not None else TITLE_ROWS)
        paths = {spec.source: str(request_path) if request_path else spec.source}
        paths.update({n: str(lk.path) for n, lk in lookups.items() if lk.path is not None})
        baseline = None
        if self.config.baseline is not None or self.config.ignore_records:
            origin = self.config.source or "Config"  # (settings given in Python)
            table = self.config.source_table if self.config.source else ""
            ignores = (RecordIgnores(self.config.ignore_records, paths, self.config.root, origin, table)
                       if self.config.ignore_records else None)
            entries = load_baseline(self.config.baseline) if self.config.baseline is not None else []
            baseline = Acceptance(entries, request_scope(request_path, spec.source, self.config.baseline),
                                  origin_of(self.config.baseline), ignores)
        budget = _KEEP_ALL.get()
        collect = Collector(self.active, self.config.max_per_rule, paths, file_ignores(self.config, paths),
                            baseline, budget)
        for file_spec in spec.files:  # (a name given twice is read once, as its first entry says)
            if file_spec.file_name is not None:
                collect.firsts.setdefault(file_spec.file_name, first_data_row(file_spec.has_header))
        report = Report(request=spec.source, version=__version__, paths=dict(paths))
        collect.records = report.records
        for rule in hooks["on_import"]:
            collect.add(rule.on_import(ctx))
        seen: set[str] = set()
        spans: dict[str, RecordSpans] = {}  # each CSV's records of several lines (findings' end_line)
        for file_spec in spec.files:
            name = file_spec.file_name
            if name is None or name in seen:
                continue
            seen.add(name)
            fctx = FileContext(file_spec, name, lookups[name], rank=len(seen),
                               reports=_reports(self.active, collect.skip, name))
            ctx.files.append(fctx)
            spans[name] = RecordSpans()
            self._file(fctx, ctx, file_rules(hooks, collect.skip, name), collect, report, pool, spans[name])
        for rule in hooks["on_import_end"]:
            collect.add(rule.on_import_end(ctx))
        collect.settle()
        ranks = {spec.source: 0, **{f.name: f.rank for f in ctx.files}}
        report.findings = with_end_lines(sorted(
            (f for kept in collect.kept.values() for f in kept),
            key=lambda f: (ranks.get(f.file or "", len(ranks)), f.file or "", f.row or 0,
                           f.column or 0, f.code, f.pointer or "", f.message),
        ), spans)
        report.counts = dict(sorted(collect.counts.items()))
        report.suppressed = {c: n for c, n in sorted(collect.suppressed().items()) if n}
        report.suppressed_in = collect.suppressed_in()
        report.severities = {code: a.severity for code, a in self.active.items()}
        if collect.entries is not None:
            report.baseline_entries = collect.entries.ordered(ranks)
        self._records(report, ctx)
        # rows named once every file was read (HS314), after their chunks went: read again for
        # their cells (the csv and hubspot formats show them; their keys are made already)
        if _READ_AGAIN.get():
            read_again(report, ctx, {type(r).code for r in hooks["on_import_end"]}, self.config.chunk_rows,
                       self.config.reader)
        if baseline is not None:
            baseline.finish(report, self.active, spec.source, collect.skip)
        collect.by_default(report)
        report.seconds = time.perf_counter() - started
        return report

    def _file(self, fctx: FileContext, ctx: ImportContext, hooks: Mapping[str, list[Rule]],
              collect: Collector, report: Report, pool: ThreadPoolExecutor | None = None,
              spans: RecordSpans | None = None) -> None:
        started = time.perf_counter()
        lookup: FileLookup = fctx.lookup
        stats = FileStats(fctx.name, has_header=bool(fctx.spec.has_header))
        if lookup.problem in _REFUSED_PROBLEMS:
            report.refusals.append(Refusal(fctx.name, lookup.detail, lookup.problem or "refused"))
            return
        if lookup.problem is not None:  # missing: the request rules report it
            return
        try:
            hasher = record_hasher() if any(type(r).hashes_rows for r in hooks["on_chunk"]) else None
            reader = open_reader(fctx, ctx, self.config.chunk_rows, self.config.reader, hasher)
        except Refused as exc:
            report.refusals.append(Refusal(fctx.name, str(exc), exc.code))
            return
        except OSError as exc:
            report.refusals.append(Refusal(fctx.name, f"cannot read: {exc.strerror or exc}", "unreadable"))
            return
        try:
            if reader is not None:
                fctx.header = reader.header
                fctx.width = reader.width
                header = reader.header.cells if reader.header is not None else None
                fctx.columns = bind_columns(header, fctx.width, fctx.spec.columns)
                collect.key_columns[fctx.name] = key_columns(fctx)
                broken = reader.header is not None and reader.header.note is not None and not header
                fctx.readable = not broken  # a header record that could not be read at all: no columns, no rows
                if broken:
                    fctx.unreadable = "the header row cannot be read"
            for rule in hooks["on_header"]:
                collect.add(rule.on_header(fctx))
            widest = column_limit(limits(ctx.catalog))
            if reader is not None and fctx.width > widest:
                # HubSpot refuses the file whole (HS503 says so): its header is checked, its rows
                # are not, and the file-end rules see it as a file without rows
                fctx.readable = False
                fctx.unreadable = f"{fctx.width:,} columns, over HubSpot's {widest:,}"
                if "HS503" not in self.active:  # then nothing else would say the rows went unchecked
                    report.refusals.append(Refusal(fctx.name, f"{fctx.unreadable}: HubSpot refuses the file "
                                                   "whole, and its rows are not checked", "too-many-columns"))
            elif reader is not None and fctx.readable:
                store = report.records.setdefault(fctx.name, {})
                progress = self.config.progress
                if progress is not None:  # (a file starts at 0 rows: the next request's may have the same name;
                    # and at 0 bytes, not those the reader read ahead as it opened the file)
                    progress(fctx.name, 0, 0, fctx.notes.extra.get("size"))
                read = 0  # rows read, those kept out of the frame (RowNotes: ragged, blank...) included
                spans = spans if fctx.notes.kind == "csv" else None  # (a workbook's rows are one line each)
                if spans is not None:
                    spans.header(reader.header)
                chunks = iter(reader.chunks())
                look = title_look_row(fctx)  # (HS608's rows below a title: in the first chunk, whatever its size)
                if look:
                    chunks = reaching(chunks, look, LOOK_CHARS)  # (and no more than its characters)
                ahead = getattr(reader, "reads_ahead", False)  # may make its next chunk on a rule thread
                run_chunk = _chunk_runner(hooks["on_chunk"], fctx, pool, chunks, ahead)
                chunk = next(chunks, None)
                while chunk is not None:
                    fctx.rows += len(chunk)
                    hits, following = run_chunk(chunk)
                    if spans is not None:
                        spans.chunk(chunk)
                    collect.chunk = (fctx.name, chunk)
                    for found in hits:
                        collect.add(found)
                    collect.read(fctx.name)  # (rows of findings made before they were read)
                    collect.chunk = None
                    capture(chunk, collect.captured(fctx.name, chunk), store)
                    if progress is not None:  # (a CSV's bytes: those of the rows checked, not those read ahead)
                        # the rows read, not only those in frames: a file whose rows are all ragged said 0
                        # rows at each chunk, which is the engine's "a file starts", and was never drawn
                        read += len(chunk) + sum(note.rows for note in chunk.notes)
                        progress(fctx.name, read, chunk.end or _bytes_done(fctx, read), fctx.notes.extra.get("size"))
                    del hits
                    chunk = None  # let this chunk go before the next one is read (if not yet)
                    chunk = following()  # the reader's error, if it met one, is raised here
                if spans is not None:
                    spans.finish(fctx.notes.lines)
            ended = [hit for rule in hooks["on_file_end"] for hit in rule.on_file_end(fctx) or ()]
            collect.add(ended)
            if fctx.read_cells:  # (rows reported now, kept as read: ``_records`` keeps those with findings)
                kept = report.records.setdefault(fctx.name, {})
                for row, cells in fctx.read_cells.items():
                    kept.setdefault(row, cells)
                fctx.read_cells = {}
            if any(hit.code == EMPTY_FILE for hit in ended):  # (hostile B1, B2) nothing else to say
                collect.only(fctx.name, EMPTY_FILE)
            fctx.key_sets = {}  # rules that need a file's keys after it keep their own reference
            fctx.parsed = {}
        except Refused as exc:
            report.refusals.append(Refusal(fctx.name, str(exc), exc.code))
        except OSError as exc:  # (a read that failed part way: a disk error, a caller's stream that broke)
            report.refusals.append(Refusal(fctx.name, f"cannot read: {exc.strerror or exc}", "unreadable"))
        finally:
            if reader is not None:
                reader.close()
        notes = fctx.notes
        stats.rows = notes.records
        size = notes.extra.get("size")
        # a file whose rows went unread (over the column limit) is as large as it is, however far
        # the reader had got (the fast reader, a segment; the exact one, the whole file)
        stats.bytes = size if not fctx.readable and isinstance(size, int) else notes.bytes
        stats.kind = notes.kind if fctx.readable else (fctx.sniff.kind if fctx.sniff else None)
        stats.encoding = notes.encoding if fctx.readable else None
        stats.delimiter = notes.delimiter if fctx.readable and notes.kind == "csv" else None
        stats.sheet = notes.sheet
        stats.reader = notes.reader if fctx.readable else None
        if stats.reader == "exact" and isinstance(why := notes.extra.get("reader_why"), str):
            stats.reader_why = why
        stats.seconds = time.perf_counter() - started
        report.files.append(stats)


    def _records(self, report: Report, ctx: ImportContext) -> None:
        """Keep the cells of reported rows only, and give every finding its record key."""
        for fctx in ctx.files:
            if fctx.header is not None:
                report.headers[fctx.name] = fctx.header.cells
            elif not fctx.spec.has_header and fctx.columns:  # no header row: the mappings' names
                report.headers[fctx.name] = tuple(c.label or "" for c in fctx.columns)
        wanted: dict[str, set[int]] = {}
        for f in report.findings:
            if f.row is not None:
                wanted.setdefault(f.file or "", set()).add(f.row)
        report.records = {name: {r: cells for r, cells in rows.items() if r in wanted.get(name, ())}
                          for name, rows in report.records.items()}
        keys = {f.name: key_columns(f) for f in ctx.files}
        firsts = {f.name: first_data_row(f.spec.has_header) for f in ctx.files}
        report.findings = stamp_keys(report.findings, report.records, keys, firsts)


# Inputs this large (all files together, as CSV text) hash keys the fast way (the native kernels'
# XXH64, else polars', whose import pays off) and run the rules of each chunk on two threads
# (much of their work releases the GIL).
LARGE_INPUT = 16 << 20
# a workbook's cells come to about twice its (compressed) size as CSV text: 100,000 contacts
# are 8.4 MB as .xlsx and 17 MB as CSV, and check 0.1 s faster in the large mode
WORKBOOK_WEIGHT = 2


def file_rules(hooks: Mapping[str, list[Rule]], skip: Callable[[str, str], bool] | None,
               file: str) -> Mapping[str, list[Rule]]:
    """``hooks`` less the rules a per-file-ignore turns off for ``file``: their findings there would
    be dropped (``Collector.add``), so their header, chunk and file-end work is not done (nor
    the record hashes only HS304 needs: ``hashes_rows``). Each such rule keeps its state per
    file (reset at the header or the file's end), so skipping all three hooks of one file leaves
    its work on the others as it was. Still run: a rule whose work on this file may make
    findings on another (``spans_files``: HS308, HS319, HS324 and HS325 keep each file's identifiers
    for the files after it; a rule with ``on_import_end``, HS314's keys of the owning file, HS506's
    rows), and HS116, whose finding makes the engine drop the file's others (``Collector.only``).
    Rules that change what they do by another rule being reported ask ``FileContext.reports``,
    which says the same with or without this. The import-level hooks are never skipped."""
    if skip is None:
        return hooks

    def runs(rule: Rule) -> bool:
        kind = type(rule)
        return (not skip(kind.code, file) or kind.spans_files or kind.code == EMPTY_FILE
                or "on_import_end" in kind.hooks())
    return {h: rules if h in ("on_import", "on_import_end") else [r for r in rules if runs(r)]
            for h, rules in hooks.items()}


def _reports(active: Mapping[str, ActiveRule], skip: Callable[[str, str], bool] | None,
             file: str) -> Callable[[str], bool]:
    """``FileContext.reports`` of ``file``: a code's findings there reach the report when its rule
    is active and no per-file-ignore turns it off for the file."""
    def reports(code: str) -> bool:
        return code in active and (skip is None or not skip(code, file))
    return reports


def _bytes_done(fctx: FileContext, read: int) -> int:
    """The bytes read, for the progress callback; a workbook's share of its ``read`` rows: it is
    read whole as it opens, and its bytes said 100% from its first chunk to its last."""
    book: Any = fctx.notes.extra.get("workbook")  # (a WorkbookScan; a CSV has none)
    rows = book.scan.max_row - (1 if fctx.spec.has_header else 0) if book is not None else 0
    if rows <= 0:
        return fctx.notes.bytes
    return min(fctx.notes.bytes, fctx.notes.bytes * read // rows)


def _input_bytes(lookups: Mapping[str, FileLookup]) -> int:
    total = 0
    for lk in lookups.values():
        if lk.path is not None and lk.problem is None:
            with contextlib.suppress(OSError):
                size = lk.path.stat().st_size
                total += size * WORKBOOK_WEIGHT if lk.path.suffix.lower() in (".xlsx", ".xlsm") else size
    return total

def severity_of(report: Report, code: str) -> Severity:
    return report.severities.get(code, Severity.ERROR)


__all__ = ["Collector", "Engine", "ValidatorError"]
