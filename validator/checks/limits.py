"""HubSpot's import limits as rules (HS501-HS507; fact sheet 7, data in [limits] of hubspot.toml).

A single value over 65,536 characters is HS218 (value-too-long, with the value rules), so there
is no separate limit rule for it here.

A file over a limit is still read to the end in bounded memory, so every other problem in it is
reported too; the hints say how many files it must be split into. The exception is a file wider
than HubSpot's column limit (``column_limit``): its header is checked, its rows are not.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import numpy as np

from validator.catalog import Catalog, builtin
from validator.checks._facts import screen
from validator.checks.base import Hit, Rule
from validator.checks.rows import empty_rows
from validator.context import FileContext, ImportContext
from validator.findings import Severity
from validator.readers.base import Chunk

PLANS = ("paid", "free")


def limits(catalog: Catalog | None = None) -> Mapping[str, Any]:
    return (catalog or builtin()).raw.get("limits", {})


def column_limit(table: Mapping[str, Any]) -> int:
    """The most columns HubSpot takes in a file (``table``: the catalog's ``limits``). The rows
    of a wider file are not checked (the engine reads its header only): HubSpot refuses such a
    file whole, and the rules' work per column, over every chunk, would make a file of a million
    empty columns take minutes."""
    return int(table.get("max_columns", 999))


def _plan(value: Any) -> str:
    plan = str(value).lower()
    return plan if plan in PLANS else "paid"


def _size(file: FileContext) -> int:
    size = file.notes.extra.get("size")
    return size if isinstance(size, int) else file.notes.bytes


def _mb(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MB" if n >= 1 << 20 else f"{n:,} bytes"


def _sizes(size: int, limit: int) -> tuple[str, str]:
    """The size and the limit as text that shows the one is over the other: in bytes where they
    round to the same number of MB (20,971,521 bytes is not "20 MB, over the 20 MB limit")."""
    if _mb(size) == _mb(limit):
        return f"{size:,} bytes", f"{limit:,}-byte"
    return _mb(size), _mb(limit)


def _capped(option: Any, hubspot: int) -> tuple[int, str]:
    """The limit a rule applies, and whose it is: an option (an in-house policy) applies where it
    is stricter than HubSpot's limit, never looser (HubSpot refuses the file either way)."""
    own = int(option or 0)
    if own and own < hubspot:
        return own, "the configured"
    return hubspot, "HubSpot's"


class _LimitRule(Rule):
    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.limits = limits()

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        self.limits = limits(ctx.catalog)
        yield from ()


class TooManyRows(_LimitRule):
    """The file has more data rows than HubSpot imports from one file (1,048,576).

    Why: HubSpot refuses a file over the row limit (HTTP 429; fact sheet 7, [V] S5, S6). The
    validator still reads the whole file, so all its other problems are reported as well.
    Example: a 1,200,000-row export of every contact.
    Fix: split the file; the hint says into how many parts (each keeps the header row).
    """

    code = "HS501"
    name = "too-many-rows"
    options: ClassVar[Mapping[str, Any]] = {"max_rows": 0}

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.blank = 0

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        # blank rows are no data rows (a workbook's empty rows are not even rows)
        self.blank += len(empty_rows(chunk)) + sum(n.rows for n in chunk.notes if n.kind == "blank")
        yield from ()

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        limit, whose = _capped(self.opt["max_rows"], int(self.limits.get("rows_per_file", 1_048_576)))
        rows, self.blank = file.notes.records - self.blank, 0
        if file.readable and rows > limit:
            parts = math.ceil(rows / limit)
            yield self.finding(f"the file has {rows:,} data rows, over {whose} limit of {limit:,} per file",
                               file=file, hint=f"split it into {parts} files of at most {limit:,} rows, "
                                               "each with the header row")


class FileTooLarge(_LimitRule):
    """The file is larger than HubSpot accepts on the configured plan (512 MB paid, 20 MB free).

    Why: HubSpot refuses larger files (HTTP 429; fact sheet 7, [V] S5, S6). The plan is set
    with `--tier free|paid` (configuration `tier`) (default: paid). Whether "MB" means
    10^6 or 2^20 bytes is not documented; the limits use 2^20.
    Example: a 700 MB CSV on a Professional portal; a 25 MB file on free tools.
    Fix: split the file by rows; the hint says into how many parts.
    """

    code = "HS502"
    name = "file-too-large"
    options: ClassVar[Mapping[str, Any]] = {"plan": "paid", "max_bytes": 0}

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        plan = _plan(self.opt["plan"])
        table = self.limits.get("file_bytes", {"paid": 512 << 20, "free": 20 << 20})
        limit, whose = _capped(self.opt["max_bytes"], int(table.get(plan, 512 << 20)))
        size = _size(file)
        if size > limit:
            parts = math.ceil(size / limit)
            shown, cap = _sizes(size, limit)
            yield self.finding(f"the file is {shown}, over {whose} {cap} limit ({plan} plan)",
                               file=file, hint=f"split it into at least {parts} files by rows")


class LimitReading(TooManyRows):
    """The file is over a HubSpot limit on one reading of the limit, and under it on the other.

    Why: two of HubSpot's limits do not say how they count (fact sheet 7): whether a "MB" of its
    512 MB (20 MB on free tools) is 10^6 or 2^20 bytes, and whether its 1,048,576 rows take in
    the header row (and blank rows). HS501 and HS502 take the lenient reading [I], so that they
    never refuse what HubSpot takes; a file between the two readings may still be refused, which
    only a warning can say.
    Example: a 520,000,000-byte CSV (496 MB of 2^20 bytes); 1,048,576 data rows under a header.
    Fix: keep a margin under both readings: split the file, or drop the blank rows.
    """

    code = "HS507"
    name = "limit-reading"
    severity = Severity.WARNING
    options: ClassVar[Mapping[str, Any]] = {"plan": "paid"}

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        blank, self.blank = self.blank, 0
        plan = _plan(self.opt["plan"])
        binary = int(self.limits.get("file_bytes", {}).get(plan, (512 if plan == "paid" else 20) << 20))
        decimal = binary // (1 << 20) * 1_000_000  # the same number of MB, of 10^6 bytes
        size = _size(file)
        if decimal < size <= binary:
            yield self.finding(f"the file is {size:,} bytes: within HubSpot's {binary >> 20} MB ({plan} plan) if a "
                               f"MB is 2^20 bytes, over it ({decimal:,} bytes) if a MB is 10^6 bytes, which HubSpot "
                               "does not say", file=file, hint="split it by rows, to keep a margin under both")
        limit = int(self.limits.get("rows_per_file", 1_048_576))
        rows = file.notes.records - blank  # data rows, as HS501 counts them
        header = 1 if file.header is not None and file.spec.has_header else 0
        if file.readable and rows <= limit < rows + header + blank:
            counted = " and ".join(x for x in (("the header row" if header else ""),
                                                (f"{blank:,} blank row{'s' if blank > 1 else ''}" if blank else ""))
                                   if x)
            verb = "counts" if header + blank == 1 else "count"
            yield self.finding(f"the file has {rows:,} data rows: within HubSpot's limit of {limit:,} per file, "
                               f"over it if {counted} {verb}, which HubSpot does not say", file=file,
                               hint="drop the blank rows, or split the file by rows" if blank
                               else "split the file by rows, each part with the header row")


class TooManyColumns(_LimitRule):
    """The file has 1,000 columns or more.

    Why: HubSpot takes fewer than 1,000 columns per file (fact sheet 7, [V] S6, S7).
    Example: a wide export with one column per survey answer.
    Fix: drop the columns you do not import, or split the columns into several imports that
    share an identifier column (email or Record ID).
    """

    code = "HS503"
    name = "too-many-columns"
    options: ClassVar[Mapping[str, Any]] = {"max_columns": 0}

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        limit, whose = _capped(self.opt["max_columns"], column_limit(self.limits))
        if file.readable and file.width > limit:
            unchecked = file.width > column_limit(self.limits)  # (the engine's test)
            most = f"HubSpot takes at most {limit:,}" if whose == "HubSpot's" else f"the configured most is {limit:,}"
            yield self.finding(f"the file has {file.width:,} columns; {most}"
                               + (" and refuses the file whole, so its rows are not checked" if unchecked else ""),
                               file=file, row=1 if file.header else None, column=limit + 1)


class RowTooLarge(_LimitRule):
    """A row's values together are larger than HubSpot is likely to accept.

    Why: HubSpot has an errorType ROW_DATA_TOO_LARGE for rows over a size limit it does not
    publish ([GAP]); the default of 1,000,000 characters is an inference ([I]), so this is a
    warning and the threshold an option.
    Example: a row with several long notes and descriptions.
    Fix: shorten the longest values, or move them into notes or attachments.
    """

    code = "HS505"
    name = "row-too-large"
    severity = Severity.WARNING
    hubspot_error = "ROW_DATA_TOO_LARGE"
    options: ClassVar[Mapping[str, Any]] = {"max_chars": 0}

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        limit, whose = _capped(self.opt["max_chars"], int(self.limits.get("row_chars", 1_000_000)))
        frame = chunk.frame
        if not frame.shape[1] or not len(frame):
            return
        filled = [i for i in range(frame.shape[1]) if chunk.filled(i)]  # (an empty column adds nothing)
        if sum(screen(chunk, i).longest for i in filled) <= limit:
            return  # bytes bound characters, and each column's longest cell bounds its cells: most chunks stop here
        total = np.zeros(len(frame), dtype=np.int64)
        for i in filled:
            total += chunk.column(i).str.len().to_numpy(dtype=np.int64)
        for j in np.flatnonzero(total > limit):
            i = int(j)
            yield self.finding(f"the row's values are {int(total[i]):,} characters together, over {whose} "
                               f"{limit:,}",
                               file=file, row=int(chunk.rows[i]), line=int(chunk.lines[i]))


class ImportBudget(_LimitRule):
    """Information: how the import counts against HubSpot's daily and concurrency limits.

    Why: HubSpot imports at most 80,000,000 rows a day through the API (10,000,000 in the app
    on paid plans, 500,000 on free tools), at most 500 imports a day (50 on free tools), runs at
    most three imports at once, and only two of them over 10,000 rows; others wait as DEFERRED
    (fact sheet 7, [V] S5, S6). Reported for imports over 10,000 rows; an import over the app's
    daily rows for the plan says so.
    Example: three 500,000-row imports started together: the third waits.
    Fix: nothing to fix; plan large imports so they do not queue behind each other.
    """

    code = "HS506"
    name = "import-budget"
    severity = Severity.INFO
    options: ClassVar[Mapping[str, Any]] = {"plan": "paid", "min_rows": 0}

    def on_import_end(self, ctx: ImportContext) -> Iterator[Hit]:
        rows = sum(f.notes.records for f in ctx.files if f.readable)
        large = int(self.limits.get("large_import_rows", 10_000))
        if rows <= int(self.opt["min_rows"] or large):
            return
        plan = _plan(self.opt["plan"])
        api = int(self.limits.get("api_rows_per_day", 80_000_000))
        ui = int(self.limits.get("ui_rows_per_day", {}).get(plan, 10_000_000))
        imports = int(self.limits.get("imports_per_day", {}).get(plan, 500))
        concurrent = int(self.limits.get("concurrent_imports", 3))
        app = (f"more than the {ui:,} rows a day the app imports on the {plan} plan: through the app, split it "
               "over two days or more" if rows > ui else f"{ui:,} a day in the app, {plan} plan")
        yield self.finding(
            f"this import has {rows:,} rows: {rows / api:.2%} of the {api:,} rows a day HubSpot imports "
            f"through the API ({app}); it is one of the {imports:,} imports a day the {plan} plan allows; "
            f"at most {concurrent} imports run at once and only two over {large:,} rows, the next waits as "
            "DEFERRED", file=ctx)
