"""Why a cell reader failed on a workbook the pre-checks let through (hostile-inputs E16, F5).

python-calamine and openpyxl report a broken part without naming it (``XmlError: t``,
``IndexError: list index out of range``, ``Cell string index not found in shared strings
table``). Only after one of them has failed, ``explain_failure`` looks for the cause itself
(and ``malformed_part`` locates a control character the pre-scan found in a part):

1. the shared strings part and the worksheet being read, then every other XML part but the other
   worksheets, are streamed through expat (no handlers, so no Python call per element): the
   first part that is not well-formed XML is named with expat's line and column, and an
   invalid character (a control character such as U+0001) is named as well; in a worksheet, so
   is the cell the fault lies in (its reference: a sheet is often one line of XML, where a
   column of 418,570 says little);
2. in the worksheet, a text cell (``t="s"``) whose shared-string index is not a number below
   the count of ``<si>`` items in the shared strings part is named by its cell reference. An
   index that is not digits (``-1``, ``abc``, `` 1``) fails no reader: python-calamine reads it as
   string 0, openpyxl ``-1`` as the last string; the pre-scan finds one (``xlsx_scan``) and asks
   here for the cell.

The reading path never pays for this. The work is bounded: at most ``EXPLAIN_BYTES`` inflated in
all (a second or so per 200 MB), no markup token over ``MAX_TOKEN`` bytes buffered, and DTDs
refused as in the pre-scan; past a bound the caller keeps the reader's own message.
"""

from __future__ import annotations

import pyexpat
import re
import zipfile
from dataclasses import dataclass

import numpy as np

from validator.readers.base import Refused
from validator.readers.xlsx_scan import _ATTR_R, _NS, _Q, MAX_CARRY, Budget, _last_boundary, stream_part

EXPLAIN_BYTES = 1 << 30
MAX_TOKEN = MAX_CARRY  # bytes without a ">": expat would buffer an unfinished tag this long

_SI = re.compile(rb"<" + _NS.encode() + rb"si[\s/>]")
# a text cell's type attribute and its shared-string index (``t`` appears on cells only; the
# literal " t=" lets the regex engine skip ahead instead of trying every "<")
_STRING_TYPE = rb"\st=" + _Q + rb"s" + _Q + rb"[^>]*?(?<!/)>\s*<" + _NS.encode() + rb"v>"
_STRING_INDEXES = re.compile(_STRING_TYPE + rb"([^<]*)</")
# an index as both readers read it: digits, 19 at most (calamine reads a longer number, which
# overflows, as 0); none at all is an empty cell
_INDEX = re.compile(rb"\d{0,19}")


@dataclass(frozen=True, slots=True)
class _Malformed:
    line: int
    column: int  # 1-based
    reason: str
    cell: str | None = None  # the reference of the worksheet cell holding the fault


# a cell's start tag and end tag (``<c``, ``</c>``, prefixed or not)
_CELL_START = re.compile(rb"<" + _NS.encode() + rb"c[\s/>]")
_CELL_END = re.compile(rb"</" + _NS.encode() + rb"c\s*>")
RECENT = 4096  # bytes kept before a block, to find the cell a fault at its start lies in


def _cell_at(before: bytes) -> str | None:
    """The reference of the cell still open at the end of ``before`` (None: between cells, or
    its start tag not among these bytes)."""
    starts = [m.start() for m in _CELL_START.finditer(before)]
    if not starts:
        return None
    rest = before[starts[-1]:]
    tag_end = rest.find(b">")
    if (tag_end > 0 and rest[tag_end - 1:tag_end] == b"/") or _CELL_END.search(rest) is not None:
        return None
    r = _ATTR_R.search(rest, 0, tag_end if tag_end >= 0 else len(rest))
    return (r.group(1) + r.group(2)).decode("ascii").upper() if r is not None and r.group(1) else None


def explain_failure(zf: zipfile.ZipFile, sheet_part: str, sheet_name: str) -> Refused | None:
    """A refusal naming the malformed part (line, column) or the cell with a shared-string index
    out of range; None when neither is found within the bounds."""
    try:
        return _explain(zf, sheet_part, sheet_name)
    except Refused:  # over the byte budget, or a part that cannot be inflated
        return None


def _explain(zf: zipfile.ZipFile, sheet_part: str, sheet_name: str) -> Refused | None:
    budget = Budget(EXPLAIN_BYTES)
    names = [i.filename for i in zf.infolist()]
    shared = next((n for n in names if n.lower().endswith("sharedstrings.xml")), None)
    count = 0
    if shared is not None:
        bad, count = _check_part(zf, shared, budget, count_items=True)
        if bad is not None:
            return _malformed(shared, bad)
    bad, cell = _check_sheet(zf, sheet_part, budget, count)
    if bad is not None:
        return _malformed(sheet_part, bad)
    if cell is not None:
        ref, value = cell
        held = (f"{shared} holds {count:,} string{'s' if count != 1 else ''}" if shared is not None
                else "the workbook has no shared strings part")
        shown = value.decode("utf-8", "replace")
        why = (f"{shown[:40]}, but {held}" if value.isdigit() else
               f"{shown[:40]!r}, which is not a number; {held}")
        return Refused(f"cell {ref} (sheet {sheet_name!r}, part {sheet_part!r}) "
                       f"refers to shared string index {why} (HubSpot: INVALID_SPREADSHEET)", "bad-workbook")
    for part in names:
        low = part.lower()
        if part in (shared, sheet_part) or not low.endswith((".xml", ".rels")) or "/worksheets/sheet" in low:
            continue
        bad, _ = _check_part(zf, part, budget)
        if bad is not None:
            return _malformed(part, bad)
    return None


def malformed_part(zf: zipfile.ZipFile, part: str) -> Refused | None:
    """The refusal naming where ``part`` stops being well-formed XML; None if it is well-formed
    (or past the bounds)."""
    try:
        bad, _ = _check_part(zf, part, Budget(EXPLAIN_BYTES))
    except Refused:
        return None
    return None if bad is None else _malformed(part, bad)


def _malformed(part: str, bad: _Malformed) -> Refused:
    cell = f", in cell {bad.cell}" if bad.cell is not None else ""
    return Refused(f"part {part!r} is not well-formed XML at line {bad.line:,}, column {bad.column:,}{cell} "
                   f"({bad.reason}; HubSpot: INVALID_SPREADSHEET)", "bad-xml")


class _Expat:
    """A well-formedness check fed block by block; ``cells``: the part is a worksheet, whose
    fault is placed in its cell."""

    def __init__(self, cells: bool = False) -> None:
        self.cells = cells
        self.recent = b""  # the last RECENT bytes fed before the block
        self.parser = pyexpat.ParserCreate(namespace_separator="}")
        self.parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._refuse  # the pre-scan refused these already
        self.parser.EntityDeclHandler = self._refuse
        self.fed = 0
        self.since_close = 0  # bytes since the last ">"

    @staticmethod
    def _refuse(*_args: object) -> None:
        raise Refused("a DTD or entity declaration", "xml-entities")

    def feed(self, block: bytes, final: bool = False) -> _Malformed | None:
        last = block.rfind(b">")
        self.since_close = len(block) - 1 - last if last >= 0 else self.since_close + len(block)
        if self.since_close > MAX_TOKEN:
            raise Refused("a token too long to explain", "bad-xml")
        start = self.fed
        self.fed += len(block)
        try:
            self.parser.Parse(block, final)
        except pyexpat.ExpatError as exc:
            reason = pyexpat.ErrorString(exc.code) or "not well-formed"
            if reason.startswith("not well-formed (") and reason.endswith(")"):
                reason = reason[len("not well-formed ("):-1]
            at = self.parser.ErrorByteIndex - start
            if reason == "invalid token" and 0 <= at < len(block) and _control(block[at]):
                reason = f"invalid character U+{block[at]:04X}"
            cell = _cell_at(self.recent + block[:max(at, 0)]) if self.cells else None
            return _Malformed(exc.lineno, exc.offset + 1, reason, cell)
        except (LookupError, ValueError) as exc:  # a declared encoding Python has no codec for, or a multi-byte one
            return _Malformed(self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1,
                              f"declared encoding: {exc}")
        if self.cells:
            self.recent = (self.recent + block[-RECENT:])[-RECENT:]
        return None


def _control(byte: int) -> bool:
    return byte < 0x20 and byte not in (0x09, 0x0A, 0x0D)


def _check_part(zf: zipfile.ZipFile, part: str, budget: Budget,
                count_items: bool = False) -> tuple[_Malformed | None, int]:
    """(the first well-formedness error, the count of ``<si>`` items when asked)."""
    expat = _Expat(cells="/worksheets/" in part.lower())
    items = 0
    carry = b""
    for block in stream_part(zf, part, budget, controls=False):
        bad = expat.feed(block)
        if bad is not None:
            return bad, items
        if count_items:
            data = carry + block
            cut = data.rfind(b">") + 1
            items += len(_SI.findall(data, 0, cut))
            carry = data[cut:][-MAX_TOKEN:]
    return expat.feed(b"", final=True), items


def string_indexes(data: bytes) -> list[bytes]:
    """The shared-string index of every text cell (``t="s"``) in ``data``, as written."""
    return _STRING_INDEXES.findall(data)


def _check_sheet(zf: zipfile.ZipFile, part: str, budget: Budget,
                 count: int) -> tuple[_Malformed | None, tuple[str, bytes] | None]:
    """(the first well-formedness error, the first text cell whose index is not a number below
    ``count``: its reference and index as written)."""
    expat = _Expat(cells=True)
    found: tuple[str, bytes] | None = None
    carry = b""
    for block in stream_part(zf, part, budget, controls=False):
        bad = expat.feed(block)
        if bad is not None:
            return bad, found
        if found is None:
            data = carry + block
            cut = _last_boundary(data)
            if cut < 0:
                carry = data[-MAX_TOKEN:]
                continue
            found = _bad_index(data[:cut], count)
            carry = data[cut:]
    bad = expat.feed(b"", final=True)
    if found is None and bad is None and carry:
        found = _bad_index(carry, count)
    return bad, found


def _bad_index(data: bytes, count: int) -> tuple[str, bytes] | None:
    """(reference, index as written) of the first text cell in ``data`` whose index is not a
    number below ``count``; the indexes are compared as one array where all are plain digits,
    cells looked at only then."""
    indexes = _STRING_INDEXES.findall(data)
    if not indexes:
        return None
    first: int | None
    if b"".join(indexes).isdigit() and min(map(len, indexes)) > 0 and max(map(len, indexes)) <= 18:
        bad = np.flatnonzero(np.array(indexes).astype(np.int64) >= count)
        first = int(bad[0]) if bad.size else None
    else:
        first = next((i for i, v in enumerate(indexes) if _INDEX.fullmatch(v) is None or (v and int(v) >= count)),
                     None)
    if first is None:
        return None
    # any earlier cell with the same index text would be at fault too: the first is this one
    m = re.search(_STRING_TYPE + rb"(" + re.escape(indexes[first]) + rb")</", data)
    if m is None:
        return None
    tag = data[data.rfind(b"<", 0, m.start()):data.find(b">", m.start())]
    r = _ATTR_R.search(tag)
    ref = "without a reference"
    if r is not None and r.group(1):
        ref = (r.group(1) + r.group(2)).decode("ascii").upper()
    return ref, m.group(1)
