"""Header and mapping rules (HS10x): the file's header row against `columnMappings`."""

from __future__ import annotations

import bisect
import collections
import contextlib
import difflib
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from validator.checks.base import Hit, Rule, counted, deferred, quote
from validator.checks.dialect import TrailingBlank, TrailingEmptyColumns
from validator.checks.header_sep import reports_sep_line, sep_line
from validator.checks.header_title import HeldUnderTitle, TitleHeader, title_header
from validator.context import INVISIBLE, Column, FileContext, header_name, holds_names, mapped_names, normalise_name
from validator.findings import Severity
from validator.readers.base import Chunk

# header cells compared (difflib) for the "closest header" hints of one file: mappings x cells
# grows quadratically, and 750 unmatched mappings against a 4,500-cell header took 12 s of CPU
HINT_BUDGET = 100_000
MAX_NAMED = 3  # invisible characters named in one columnName or header cell


def describe_difference(wanted: str, actual: str) -> str:
    """Say how a columnName differs from a header cell, in words a user can act on."""
    reasons: list[str] = []
    for label, text in (("columnName", wanted), ("header", actual)):
        if text.startswith("\ufeff"):
            reasons.append(f"the {label} starts with a byte order mark")
    for label, text in (("columnName", wanted), ("header", actual)):
        if text != text.strip():
            reasons.append(f"the {label} has spaces around it")
    for label, text in (("columnName", wanted), ("header", actual)):
        start = 1 if text.startswith("\ufeff") else 0
        # each one, up to a few: naming the first alone left a second kind to find after a fix
        found = [f"U+{ord(ch):04X} ({unicodedata.name(ch, 'invisible character').lower()}) at position {pos}"
                 for pos, ch in enumerate(text[start:], start + 1) if ch in INVISIBLE][:MAX_NAMED]
        if found:
            reasons.append(f"the {label} has " + ", ".join(found))
    a, b = _visible(wanted), _visible(actual)
    if a != b:
        if a.lower() == b.lower():
            reasons.append("letter case differs")
        elif unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold():
            reasons.append("look-alike characters differ (same text after Unicode NFKC)")
        else:
            odd = [ch for ch in a + b if ord(ch) > 127 and unicodedata.category(ch).startswith("L")]
            if odd:
                names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?').lower()}" for c in odd[:2])
                reasons.append(f"look-alike letters ({names})")
            else:
                reasons.append("the text differs")
    return "; ".join(reasons) or "the text differs"


def _visible(text: str) -> str:
    return "".join(ch for ch in text if ch not in INVISIBLE).strip()


def _header_row(file: FileContext) -> int | None:
    return file.header.row if file.header is not None else None


class ColumnCountMismatch(HeldUnderTitle):
    """The number of `columnMappings` differs from the number of columns in the file.

    Why: through the API every column needs a mapping, in file order. HubSpot accepts a request
    with too few or too many mappings, then fails the import once it starts with
    INCORRECT_NUMBER_OF_COLUMNS (fact sheet 1.5).
    Example: a header `Email,First Name,Phone` with mappings for Email and First Name only.
    Fix: add a mapping for every column (set `"ignored": true` on a column you do not want
    imported, or delete the column from the file), and remove mappings with no column.
    """

    code = "HS101"
    name = "column-count-mismatch"
    hubspot_error = "INCORRECT_NUMBER_OF_COLUMNS"

    def header_findings(self, file: FileContext) -> Iterator[Hit]:
        mappings = len(file.spec.columns)
        if not file.readable or file.width == 0 or mappings == 0 or mappings == file.width:
            return
        unmapped = [c for c in file.columns if c.spec is None]
        detail = ""
        if unmapped and file.header is not None:
            names = ", ".join(f"{quote(c.name or '')} (column {c.number})" for c in unmapped[:5])
            detail = f"; not mapped: {names}"
        first = unmapped[0].number if unmapped else None
        columns, entries = counted(file.width, "column"), counted(mappings, "entry", "entries")
        if reports_sep_line(file):  # the columns counted are the `sep=,` line's, not the file's (HS108)
            said = (f"row 1 is Excel's delimiter line {quote(sep_line(file) or '')} (HS108), which HubSpot reads "
                    f"as a header of {columns}, but columnMappings has {entries}")
        else:
            said = f"the file has {columns} but columnMappings has {entries}{detail}"
        yield self.finding(
            said,
            file=file, row=_header_row(file), line=file.header.line if file.header else None,
            column=first, column_name=unmapped[0].name if unmapped else None,
            pointer=file.spec.mappings_pointer)

    def under_title(self, file: FileContext, found: TitleHeader, held: list[Hit]) -> Iterator[Hit]:
        # the columns counted are the title's (HS608), not those of the header the mappings name
        columns, entries = counted(file.width, "column"), counted(len(file.spec.columns), "entry", "entries")
        unmapped = [c for c in file.columns if c.spec is None]
        yield self.finding(
            f"{found.said()} (HS608), which HubSpot reads as a header of {columns}, but columnMappings has "
            f"{entries}", file=file, row=_header_row(file), line=file.header.line if file.header else None,
            column=unmapped[0].number if unmapped else None, column_name=unmapped[0].name if unmapped else None,
            pointer=file.spec.mappings_pointer)


class MappingOrder(Rule):
    """The `columnMappings` are not in the order of the file's columns.

    Why: the API requires mappings in the file's column order. HubSpot "attempts to reorder"
    them but may fail once the import starts (fact sheet 1.5); the web importer, by contrast,
    matches by name, so a request that worked by hand can fail through the API.
    Example: header `Email,First Name` with mappings `[First Name, Email]`.
    Fix: reorder `columnMappings` to follow the header from left to right.
    """

    code = "HS102"
    name = "mapping-order"
    hubspot_error = "INCORRECT_NUMBER_OF_COLUMNS"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        if file.header is None or not file.readable:
            return
        placed = [(c.spec.index, c) for c in file.columns
                  if c.spec is not None and c.match in ("exact", "normalised")]
        placed.sort(key=lambda t: t[0])
        keep = _increasing(placed)
        for j, col in placed:
            if (j, col.index) in keep:
                continue
            assert col.spec is not None
            yield self.finding(
                f"columnMappings[{j}] {quote(col.name or '')} is column {col.number} of the file, "
                f"out of order with the other mappings",
                file=file, row=file.header.row, line=file.header.line, column=col,
                pointer=col.spec.pointer)


def _increasing(placed: Sequence[tuple[int, Column]]) -> set[tuple[int, int]]:
    """The (mapping, column) pairs on one longest increasing run of column positions: of the
    longest runs, the one ending earliest, each step taken from the earliest mapping that can
    precede it. O(n log n) (patience sorting): thousands of columns cost milliseconds.

    ``levels[k]`` holds, in order, the mappings whose longest run ending there has k + 1 steps;
    along a level the column positions decrease (a later, larger one would extend the earlier),
    so the earliest usable predecessor is found by bisection."""
    cols = [c.index for _, c in placed]
    levels: list[list[int]] = []
    negated: list[list[int]] = []  # -column of each member of a level: ascending, for bisect
    tails: list[int] = []  # the smallest column of each level: ascending across levels
    before = [-1] * len(cols)
    for i, x in enumerate(cols):
        k = bisect.bisect_left(tails, x)
        if k:
            before[i] = levels[k - 1][bisect.bisect_right(negated[k - 1], -x)]
        if k == len(levels):
            levels.append([])
            negated.append([])
            tails.append(x)
        levels[k].append(i)
        negated[k].append(-x)
        tails[k] = x
    chain = []
    at = levels[-1][0] if levels else -1
    while at >= 0:
        chain.append(at)
        at = before[at]
    return {(placed[i][0], cols[i]) for i in chain}


def _under_sep_line(file: FileContext) -> str:
    """What is on the line under Excel's `sep=` line: the column names, or, where the line names
    a delimiter the header under it does not use (`sep=;` above `Email,First Name`), which one."""
    named, under = file.notes.delimiter, file.notes.next_line_counts
    used = "," if under.get(",") else max(under, key=lambda d: under[d], default=named)  # (as the reader chooses)
    if under.get(named, 0) or not under.get(used, 0) or used == named:
        return "the column names are on the next line"
    return f"which names {quote(named)} while the column names on the next line are separated by {quote(used)}"


class ColumnNameMismatch(HeldUnderTitle):
    """A mapping's `columnName` is not exactly the text of a header cell.

    Why: HubSpot matches `columnName` to the header byte for byte. Letter case, spaces around
    the text, a byte order mark, a non-breaking or zero-width space, or a look-alike letter
    (Cyrillic `е` for Latin `e`) break the match; so does a header saved in a legacy encoding
    (`Prénom` in Windows-1252, `名前` in Shift_JIS), which HubSpot reads as UTF-8: the finding
    then names the encoding (HS403 reports the file).
    Example: header `Email ` (trailing space) and `"columnName": "Email"`.
    Fix: copy the header text exactly into `columnName`, or clean the header in the file.
    """

    code = "HS103"
    name = "column-name-mismatch"
    hubspot_error = "INCORRECT_NUMBER_OF_COLUMNS"

    def under_title(self, file: FileContext, found: TitleHeader, held: list[Hit]) -> Iterator[Hit]:
        # no columnName can match a title (HS608 looks for one only then): said once, not per mapping
        assert file.header is not None
        yield self.finding(
            f"no columnName is in the header: {found.said()} (HS608), and the column names the mappings use are "
            f"on {found.where()}", file=file, row=file.header.row, line=file.header.line,
            pointer=file.spec.mappings_pointer)

    def header_findings(self, file: FileContext) -> Iterator[Hit]:
        if file.header is None or not file.readable:
            return
        cells = file.header.cells
        if reports_sep_line(file) and not any(s.column_name in cells for s in file.spec.columns):
            # no columnName can match Excel's `sep=,` line (HS108): said once, not per mapping
            yield self.finding(
                f"no columnName is in the header: row 1 is Excel's delimiter line {quote(sep_line(file) or '')} "
                f"(HS108), {_under_sep_line(file)}", file=file, row=file.header.row,
                line=file.header.line, pointer=file.spec.mappings_pointer)
            return
        bound = {c.spec.index: c for c in file.columns if c.spec is not None}
        candidates, budget = list(dict.fromkeys(cells)), HINT_BUDGET
        counts = collections.Counter(cells)  # (`in cells` per mapping: mappings x columns, 11 s for 3,000 x 200,000)
        present = collections.Counter(counts)  # header text -> its cells not yet claimed
        named_by: dict[str, int] = {}  # columnName -> the first mapping that names it
        for spec in file.spec.columns:
            wanted = spec.column_name
            if wanted is not None and header_name(wanted) is not None and wanted in counts:
                present[wanted] -= 1
                first = named_by.setdefault(wanted, spec.index)
                if present[wanted] < 0:  # more mappings name it than the header has cells
                    col = bound.get(spec.index)
                    left = (f"; column {quote(col.name)} is left with no mapping"
                            if col is not None and col.name is not None and col.name != wanted else "")
                    times = {1: "once", 2: "twice"}.get(counts[wanted], f"{counts[wanted]} times")
                    yield self.finding(
                        f"columnName {quote(wanted)} is also the columnName of mapping {first}, and the header has "
                        f"it {times}{left}", file=file, row=file.header.row,
                        line=file.header.line, column=col, pointer=spec.at("columnName"), value=wanted)
                continue
            if wanted is None:
                continue
            col = bound.get(spec.index)
            pointer = spec.at("columnName")
            if (col is not None and col.name is not None and header_name(wanted) is not None
                    and normalise_name(col.name) == normalise_name(wanted)):
                yield self.finding(
                    f"columnName {quote(wanted)} does not match header {quote(col.name)} exactly: "
                    f"{describe_difference(wanted, col.name)}",
                    file=file, row=file.header.row, line=file.header.line, column=col,
                    pointer=pointer, value=wanted)
                continue
            legacy = _in_legacy_encoding(wanted, cells)
            if legacy is not None:
                yield self.finding(
                    f"columnName {quote(wanted)} is not in the header: header {quote(legacy[0])} is it in "
                    f"{legacy[1]}, not UTF-8 (HS403)", file=file, row=file.header.row,
                    line=file.header.line, column=col if col is not None else None, pointer=pointer, value=wanted,
                    hint="save the file as CSV UTF-8")
                continue
            close: list[str] = []
            if budget >= len(candidates):  # past the budget, no hint: the finding stays
                budget -= len(candidates)
                close = difflib.get_close_matches(wanted, candidates, n=1, cutoff=0.6)
            hint = f"; closest header is {quote(close[0])}" if close else ""
            yield self.finding(
                f"columnName {quote(wanted)} is not in the header{hint}", file=file,
                row=file.header.row, line=file.header.line,
                column=col if col is not None else None, pointer=pointer, value=wanted)


# The encodings Excel's plain "CSV" save writes, by region: a header cell in one of them holds
# bytes that are not UTF-8, and equals the columnName once read in it
_LEGACY = (("cp1252", "Windows-1252"), ("cp1250", "Windows-1250"), ("cp1251", "Windows-1251"),
           ("cp932", "Shift_JIS"), ("gb18030", "GB18030 (GBK)"), ("big5", "Big5"), ("euc-kr", "EUC-KR"))


def _in_legacy_encoding(wanted: str, cells: Sequence[str]) -> tuple[str, str] | None:
    """(the header cell, the encoding's name) where a cell holding bytes that are not UTF-8 is
    ``wanted`` written in a legacy encoding (`Pr\\xe9nom` for `Prénom` in Windows-1252)."""
    if wanted.isascii():
        return None
    raw: dict[bytes, str] = {}
    for cell in cells:
        if any("\udc80" <= c <= "\udcff" for c in cell):
            with contextlib.suppress(UnicodeEncodeError):
                raw.setdefault(cell.encode("utf-8", "surrogateescape"), cell)
    for encoding, label in _LEGACY if raw else ():
        with contextlib.suppress(UnicodeEncodeError):
            found = raw.get(wanted.encode(encoding))
            if found is not None:
                return found, label
    return None


class DuplicateHeader(Rule):
    """Two columns of the header have the same text.

    Why: HubSpot maps columns by their header text, so with two `Email` columns the mapping is
    ambiguous; one column's values may be imported into the other's property. (Readers such as
    pandas silently rename the second to `Email.1`, hiding the problem.)
    Example: `Email,Name,Email`.
    Fix: rename or remove one of the columns, and update its mapping.
    """

    code = "HS104"
    name = "duplicate-header"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        if file.header is None:
            return
        names = [c for c in file.header.cells if c.strip()]
        if len(set(names)) == len(names):  # no text twice (checked at C speed: a header may be very wide)
            return
        first: dict[str, int] = {}
        for col in file.columns:
            text = col.name or ""
            if not text.strip():
                continue  # HS105
            if text in first:
                yield self.finding(
                    f"header {quote(text)} in column {col.number} repeats column {first[text]}",
                    file=file, row=file.header.row, line=file.header.line, column=col, value=text)
            else:
                first[text] = col.number


class BlankHeader(HeldUnderTitle):
    """A header cell is empty.

    Why: HubSpot maps every column by its header; a column without one cannot be matched to a
    `columnName` and the import reports a column mismatch.
    Example: `Email,,Phone`, or a trailing delimiter `Email,Phone,` whose column holds values.
    Trailing columns of a CSV empty throughout and without a mapping (an Excel export's
    `Email,Phone,,`) are HS410's, named once for them all, where HS410 is on for the file (HS101
    names them as columns without a mapping). The blank cells of a title row above the header the
    mappings name (`Contacts export,,`, a title saved from a spreadsheet) are the title's, which
    HS608 names (with HS608 turned off, reported here).
    Fix: name the column, or delete it (with its mapping) if it holds nothing.
    """

    code = "HS105"
    name = "blank-header"

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.trailing = TrailingBlank()
        self.unmapped: list[Column] = []  # trailing blank headers, named at the file's end unless HS410 names them

    def header_findings(self, file: FileContext) -> Iterator[Hit]:
        return self._header(file)

    def under_title(self, file: FileContext, found: TitleHeader, held: list[Hit]) -> Iterator[Hit]:
        return iter(())  # the blank cells are the title's (HS608)

    def _header(self, file: FileContext) -> Iterator[Hit]:
        header = file.header
        self.trailing, self.unmapped = TrailingBlank(), []
        if header is None or reports_sep_line(file):  # `sep=,` reads as `sep=` and a blank cell: HS108's
            return
        if file.reports(TrailingEmptyColumns.code):
            self.trailing.header(file)
        start = self.trailing.start
        blank = [col for col in file.columns if not (col.name or "").strip()]
        # unmapped: HS101 names them as columns without a mapping (mapped ones are this rule's)
        trailing = [start is not None and col.index >= start and col.spec is None for col in blank]
        self.unmapped = [col for col, held in zip(blank, trailing, strict=True) if held]
        yield from self._blank(file, [col for col, held in zip(blank, trailing, strict=True) if not held])

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if self.held is not None and title_header(file, chunk) is not None:
            self.unmapped = []  # (the title's too, whether or not a blank cell was held)
        yield from super().on_chunk(chunk, file)
        if self.unmapped:
            self.trailing.chunk(chunk)

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        yield from super().on_file_end(file)
        held, self.unmapped = self.unmapped, []
        if held and self.trailing.empty(file) is None:
            yield from self._blank(file, held)

    def _blank(self, file: FileContext, blank: list[Column]) -> Iterator[Hit]:
        header = file.header
        if blank and header is not None:  # made one by one only for those the per-rule cap keeps (a million)
            yield deferred(self, file.name, [header.row] * len(blank), lambda i: self.finding(
                f"header of column {blank[i].number} is blank", file=file, row=header.row,
                line=header.line, column=blank[i], value=blank[i].name))


class NoHeaderRow(Rule):
    """`hasHeader` is false, or missing.

    Why: HubSpot's importer requires a header row (fact sheet 7) and what it does with
    `hasHeader: false` is not documented. The validator's choice: row 1 is read as data, mappings
    are matched to columns by position, and `columnName` is not compared with anything. The API
    documentation expects `hasHeader` in every `fileImportPage` and does not say what its absence
    means; the validator then reads row 1 as the header, as with `true`.
    Example: `"fileImportPage": {"hasHeader": false, ...}`; a `fileImportPage` without it.
    Fix: add a header row whose texts equal the `columnName`s and set `hasHeader` to true.
    """

    code = "HS106"
    name = "no-header-row"
    severity = Severity.WARNING

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.pending = not file.spec.has_header  # said with row 1, which may be the header after all
        if self.pending:
            return
        page = file.spec.raw.get("fileImportPage") if isinstance(file.spec.raw, dict) else None
        if isinstance(page, dict) and "hasHeader" not in page and "hasHeader" not in file.spec.raw:
            yield self.finding("fileImportPage has no hasHeader, which HubSpot expects and whose default it does "
                               "not document; row 1 is read as the header, as with true", file=file,
                               pointer=file.spec.at("fileImportPage"))

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if not getattr(self, "pending", False):
            return
        head = chunk.frame[chunk.frame.index == 1]
        if not len(head):  # (row 1 is not in this chunk's frame: a broken record, or a later chunk)
            return
        self.pending = False
        yield self._headerless(file, [v for v in head.iloc[0].tolist() if isinstance(v, str)])

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        if getattr(self, "pending", False):
            self.pending = False
            yield self._headerless(file, [])

    def _headerless(self, file: FileContext, row_one: list[str]) -> Hit:
        """hasHeader false: row 1 that holds the header the mappings name (HS608's test: at least
        half their columnNames) is named so, since HubSpot would import it as a record."""
        pointer = file.spec.at("fileImportPage/hasHeader")
        wanted = mapped_names(file.spec.columns)
        if wanted and holds_names(row_one, wanted):
            named = ", ".join(quote(v) for v in row_one if normalise_name(v) in wanted)
            return self.finding(f"hasHeader is false, but row 1 holds the columnNames the mappings name ({named}): "
                                "it is a header row, which HubSpot would import as a record; set hasHeader to true",
                                file=file, pointer=pointer)
        return self.finding("hasHeader is false: HubSpot requires a header row; columns are matched to mappings "
                            "by position", file=file, pointer=pointer)


class DuplicatePropertyMapping(Rule):
    """Two columns are mapped to the same property of the same object.

    Why: a property takes one value per record; with two columns mapped to it, one silently
    overwrites the other (which one is not documented).
    Example: `Work Email` and `Email` both mapped to contacts' `email`.
    Fix: map one column to the property and the other to a different property, or ignore it.
    """

    code = "HS107"
    name = "duplicate-property-mapping"
    severity = Severity.WARNING
    hubspot_error = "INVALID_COLUMN_CONFIGURATION"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        first: dict[tuple[str | None, str], int] = {}
        for spec in file.spec.columns:
            if spec.ignored or not spec.property_name or spec.column_type not in (
                    "STANDARD", "HUBSPOT_ALTERNATE_ID"):
                continue
            key = (spec.object_type_id or spec.object_type, spec.property_name)
            if key in first:
                yield self.finding(
                    f"columnMappings[{spec.index}] maps {quote(spec.column_name or '')} to "
                    f"{spec.property_name!r}, already mapped by columnMappings[{first[key]}]",
                    file=file, pointer=spec.at("propertyName"), value=spec.property_name)
            else:
                first[key] = spec.index
