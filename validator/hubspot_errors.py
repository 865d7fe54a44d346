"""Read HubSpot's error report of an import that ran: ``explain-errors`` (its output is
``validator/report/explained.py``).

Input: the body of ``GET /crm/v3/imports/{importId}/errors`` (fact sheet 2.1): one page
``{"results": [PublicImportError, ...], "paging": ...}``, several pages saved one after the other
in one file or as a JSON list of pages (a list of the errors themselves is taken too), or the
``--format hubspot`` output of ``check``, which has that shape. Or a CSV file with an errorType
column: the columns of the error file HubSpot's web importer offers for download are not
documented (fact sheet [GAP]), so a CSV is read only where its header names the API's fields
(``errorType`` and, where present, ``errorMessage``, ``invalidValue``, ``lineNumber``,
``knownColumnNumber``; letter case, spaces and underscores aside), and refused otherwise. The
other reports of ``check`` (csv, json, json-lines, sarif, gitlab, ``--statistics --format json``)
and its baselines are refused as such: they hold this tool's findings, not HubSpot's errors; so is
``explain-errors --format json``, an explanation of them.

Bad input is refused (``ValidatorError``, one line, exit 2) where nothing could be read; where
something could, what could not is skipped and counted (``Reading.skipped``), never guessed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from validator.findings import ValidatorError
from validator.request.decode import wide_encoding

MAX_BYTES = 100 << 20  # one errors page is small; 100 MiB of saved pages is ~100,000 errors with rows
HEADER_BYTES = 1 << 20  # --header reads the first record of the data file from this much
_ID_DIGITS = 40  # longer integer literals stay text (Python refuses to parse some 4,300-digit ones)
_DIGITS = re.compile(f"[0-9]{{1,{_ID_DIGITS}}}")  # a number given as text


@dataclass(frozen=True, slots=True)
class HubSpotError:
    """One ``PublicImportError``, the fields explain-errors shows; None where absent or unusable."""

    error_type: str
    line: int | None = None  # sourceData.lineNumber: 1-indexed, 0 = the whole file
    column: int | None = None  # knownColumnNumber + 1
    value: str | None = None  # invalidValue, else invalidValueToDisplay
    message: str | None = None  # errorMessage
    file_id: int | None = None  # sourceData.fileId
    sheet: str | None = None  # sourceData.pageName
    object_type: str | None = None  # objectTypeId
    row: tuple[str, ...] | None = None  # sourceData.rowData


@dataclass
class Reading:
    """What the files held: the errors in order, and what was skipped (reason -> count)."""

    sources: list[str] = field(default_factory=list)
    errors: list[HubSpotError] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    more: str | None = None  # the last page's paging.next.after: more errors follow
    _ids: set[str] = field(default_factory=set)
    _pages: int = 0


def read_errors(paths: list[str]) -> Reading:
    """Every file's errors, in order; ``-`` reads standard input."""
    reading = Reading()
    if paths.count("-") > 1:
        raise ValidatorError("-: standard input given twice: it is read once")
    for path in paths:
        name = "<stdin>" if path == "-" else path
        text = _decoded(_raw(path, name), name)
        if not text.strip():
            raise ValidatorError(f"{name}: empty")
        reading.sources.append(name)
        before, skipped = (reading._pages, len(reading.errors)), Counter(reading.skipped)
        if text.lstrip()[:1] in ("{", "["):
            _json(text, name, reading)
        else:
            _csv(text, name, reading)
        if (reading._pages, len(reading.errors)) == before:  # nothing of it read: a refusal, with the reason
            reason = next((k for k in reading.skipped if reading.skipped[k] != skipped[k]), "nothing in it")
            raise ValidatorError(f"{name}: not an errors page of GET /crm/v3/imports/{{importId}}/errors: {reason}")
    return reading


def _raw(path: str, name: str) -> bytes:
    if path == "-":
        import sys

        source = getattr(sys.stdin, "buffer", None)
        if source is None:
            raise ValidatorError(f"{name}: standard input is closed")
        try:
            data = source.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ValidatorError(f"{name}: cannot read: {exc.strerror or exc}") from None
    else:
        try:
            if not Path(path).is_file():
                raise ValidatorError(f"{name}: no such file" if not os.path.lexists(path) else f"{name}: not a file")
            with open(path, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ValidatorError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise ValidatorError(f"{name}: over {MAX_BYTES >> 20} MiB, more than explain-errors reads "
                             "(save fewer pages per file)")
    return data


def _decoded(data: bytes, name: str) -> str:
    if data.startswith(b"PK\x03\x04"):
        raise ValidatorError(f"{name}: a ZIP or XLSX file; give the errors as JSON (or CSV)")
    wide = wide_encoding(data)
    if wide is not None:  # (Windows PowerShell's > and Out-File write UTF-16)
        codec, label = wide
        try:
            return data.decode(codec).removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            raise ValidatorError(f"{name}: {label} text with bytes that do not decode "
                                 f"(at offset {exc.start})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidatorError(f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None


def _json(text: str, name: str, reading: Reading) -> None:
    """One or more JSON values one after the other (pages saved in turn), each a page, an error
    or a list of them. Text after the first value that is no JSON is skipped and said, so a
    download cut short still explains what it holds."""
    # a number that is no integer (and NaN, Infinity, which Python's json takes) stays as written:
    # as a float, an invalidValue 1.10 was shown as '1.1', 1e400 as 'inf'
    decoder = json.JSONDecoder(parse_int=lambda s: int(s) if len(s) <= _ID_DIGITS else s,
                               parse_float=str, parse_constant=str)
    at, n = 0, 0
    while True:
        at = _skip_space(text, at)
        if at >= len(text):
            return
        try:
            value, at = decoder.raw_decode(text, at)
        except RecursionError:
            raise ValidatorError(f"{name}: JSON nested too deeply") from None
        except ValueError as exc:
            where = _where(text, getattr(exc, "pos", at))
            reason = str(getattr(exc, "msg", exc))
            if n == 0:
                raise ValidatorError(f"{name}: not JSON: {reason}: {where}") from None
            reading.skipped[f"{name}: text after JSON value {n} is not JSON ({reason}: {where})"] += 1
            return
        n += 1
        _value(value, name, reading, top=True)


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and (text[at].isspace() or text[at] == ","):
        at += 1
    return at


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    return f"line {line} column {pos - (text.rfind(chr(10), 0, pos) + 1) + 1}"


def _value(value: Any, name: str, reading: Reading, top: bool) -> None:
    own = _own_format(value) if top else None
    if own is not None:
        reading.skipped[_not_errors(own)] += 1
        return
    if isinstance(value, list) and top:
        for item in value:
            _value(item, name, reading, top=False)
        return
    if isinstance(value, dict) and "results" in value:
        _page(value, name, reading)
        return
    if isinstance(value, dict) and "errorType" in value:
        _entry(value, reading)
        return
    if isinstance(value, dict) and "category" in value and "message" in value:
        reading.skipped[f"HubSpot's error response ({_short(value['category'])}: {_short(value['message'])})"] += 1
        return
    kind = kind_of(value)
    reading.skipped["JSON objects without a results list" if kind == "object" else f"JSON {kind}s"] += 1


def _own_format(value: Any) -> str | None:
    """What of this tool's wrote ``value``, where it is one of its outputs other than ``check
    --format hubspot`` (which is an errors page, read as one): ``check --format X``'s report (the
    format's name), or another output (what it is, and what it holds)."""
    if isinstance(value, dict):
        if "schema_version" in value and "findings" in value:
            return "json"
        if {"code", "rule", "message", "severity"} <= value.keys():
            return "json-lines"
        if "runs" in value and "version" in value:
            return "sarif"
        if value.get("tool") == "hubspot-preflight" and "entries" in value:
            return "a baseline that check --write-baseline wrote, this tool's findings"
        if "schema_version" in value and "errorTypes" in value:
            return "the output of explain-errors --format json, this tool's explanation of HubSpot's errors"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        if all("check_name" in v for v in value):
            return "gitlab"
        if all({"code", "name", "count", "severity"} <= v.keys() for v in value):
            return "the output of check --statistics --format json, this tool's findings"
    return None


def _not_errors(fmt: str) -> str:
    """Why a report of ``check --format fmt`` (or another output of this tool, as ``_own_format``
    tells it) is not read."""
    what = fmt if " " in fmt else f"the output of check --format {fmt}, this tool's findings"
    return (f"{what}, not HubSpot's errors (explain-errors reads HubSpot's errors JSON, which check --format "
            "hubspot also writes, or a CSV with an errorType column)")


def kind_of(value: Any) -> str:
    """A JSON value's kind, by JSON's names."""
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "object" if isinstance(value, dict) else "array" if isinstance(value, list) else \
        "string" if isinstance(value, str) else "number"


def _page(page: dict[str, Any], name: str, reading: Reading) -> None:
    results = page["results"]
    if not isinstance(results, list):
        reading.skipped[f"pages whose results is a {kind_of(results)}, not an array"] += 1
        return
    reading._pages += 1
    for entry in results:
        _entry(entry, reading)
    after = _get(page, "paging", "next", "after")
    reading.more = str(after) if isinstance(after, (str, int)) and not isinstance(after, bool) else None


def _get(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _entry(entry: Any, reading: Reading) -> None:
    if not isinstance(entry, dict):
        reading.skipped["entries that are no JSON object"] += 1
        return
    error_type = entry.get("errorType")
    if not isinstance(error_type, str) or not error_type.strip():
        reading.skipped["entries without an errorType text"] += 1
        return
    ident = entry.get("id")
    if isinstance(ident, str) and ident:
        if ident in reading._ids:  # the same page saved twice
            reading.skipped["entries repeated (an id read before), counted once"] += 1
            return
        reading._ids.add(ident)
    source = entry.get("sourceData")
    if source is not None and not isinstance(source, dict):
        reading.skipped["sourceData fields that are no object, ignored"] += 1
        source = None
    source = source or {}
    row = source.get("rowData")
    if row is not None and not (isinstance(row, list) and all(isinstance(c, str) for c in row)):
        reading.skipped["rowData fields that are no list of text, ignored"] += 1
        row = None
    column = _number(entry, "knownColumnNumber", reading)
    value = _text(entry, "invalidValue", reading)
    reading.errors.append(HubSpotError(
        error_type=error_type.strip(),
        line=_number(source, "lineNumber", reading),
        column=None if column is None else column + 1,
        value=value if value is not None else _text(entry, "invalidValueToDisplay", reading),
        message=_text(entry, "errorMessage", reading),
        file_id=_number(source, "fileId", reading),
        sheet=_text(source, "pageName", reading),
        object_type=_text(entry, "objectTypeId", reading),
        row=tuple(row) if row is not None else None,
    ))


def _number(entry: dict[str, Any], key: str, reading: Reading) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):  # (ASCII: str.isdigit() takes '²', '٣')
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    reading.skipped[f"{key} fields that are no whole number, ignored"] += 1
    return None


def _text(entry: dict[str, Any], key: str, reading: Reading) -> str | None:
    value = entry.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    reading.skipped[f"{key} fields that are no text, ignored"] += 1
    return None


def _short(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 120 else text[:119] + "…"


# The CSV's columns, by the API's field names (fact sheet 2.1) with case, spaces and _ ignored.
_CSV_FIELDS = {"errortype": "errorType", "errormessage": "errorMessage", "invalidvalue": "invalidValue",
               "invalidvaluetodisplay": "invalidValueToDisplay", "linenumber": "lineNumber",
               "knowncolumnnumber": "knownColumnNumber", "objecttypeid": "objectTypeId", "id": "id"}


def _csv(text: str, name: str, reading: Reading) -> None:
    from validator.report.csv_rows import OWN  # (the report's columns, said when it is given here)

    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(rows, [])
        fields = {i: _CSV_FIELDS.get(re.sub(r"[\s_-]", "", h.lower())) for i, h in enumerate(header)}
        if "errorType" not in fields.values():
            own = [re.sub(r"^preflight ", "", h.strip().lower()) for h in header]
            # (an older check wrote row, code, message only)
            if own[-len(OWN):] == list(OWN) or own[-3:] == ["row", "code", "message"]:
                raise ValidatorError(f"{name}: {_not_errors('csv')}")
            raise ValidatorError(f"{name}: neither JSON nor a CSV with an errorType column (the columns of "
                                 "HubSpot's downloaded error file are not documented: save the JSON of "
                                 "GET /crm/v3/imports/{importId}/errors instead)")
        reading._pages += 1
        for cells in rows:
            entry: dict[str, Any] = {key: cells[i] for i, key in fields.items() if key and i < len(cells)}
            source = {"lineNumber": entry.pop("lineNumber", "") or None}
            entry = {k: v for k, v in entry.items() if v != ""}
            if not any(cells):
                continue
            _entry({**entry, "sourceData": source}, reading)
    except csv.Error as exc:
        reading.skipped[f"{name}: the rest of the CSV, unreadable ({exc})"] += 1


_FILE_ID = re.compile(f"([0-9]{{1,{_ID_DIGITS}}})=(.*)", re.S)  # --header FILEID=PATH (ASCII digits, as _DIGITS)


def read_headers(given: Sequence[str], reading: Reading) -> dict[int | None, tuple[str, ...]]:
    """``--header`` as given, each ``PATH`` or ``FILEID=PATH``: the header row of each file, by
    the ``sourceData.fileId`` of the errors whose columns it names (None: of every file given no
    header of its own, and of errors without a fileId). Refused: a file id given twice, or two
    headers without one (which names the columns could only be guessed), and a fileId that no
    error of ``reading`` has (a mistyped id would name no column, and say nothing)."""
    have = {e.file_id for e in reading.errors}
    headers: dict[int | None, tuple[str, ...]] = {}
    for spec in given:
        m = _FILE_ID.fullmatch(spec)
        file_id, path = (int(m.group(1)), m.group(2)) if m else (None, spec)
        if file_id in headers:
            raise ValidatorError(f"--header {spec}: a second header " + (
                f"for fileId {file_id}" if file_id is not None else
                "for every file; give each file's as FILEID=PATH (the fileId of its errors' sourceData)"))
        if file_id is not None and file_id not in have:
            ids = ", ".join(str(i) for i in sorted(i for i in have if i is not None)) or "none"
            raise ValidatorError(f"--header {spec}: no error read is of fileId {file_id} (their fileIds: {ids})")
        headers[file_id] = read_header(path, spec)
    return headers


def read_header(path: str, spec: str | None = None) -> tuple[str, ...]:
    """The column names of the data file that was uploaded: its first record (CSV), so that a
    column number can be shown with its name; ``spec``: the ``--header`` value, for messages."""
    spec = path if spec is None else spec
    if not path:  # (open('') says "No such file or directory", as if a file of that name were missing)
        raise ValidatorError(f"--header {spec}: names no file (give the data file that was uploaded)")
    from validator.sources import open_regular  # (sources imports the request package, which is heavier)

    try:  # without waiting: a FIFO nobody writes to hung explain-errors, /dev/zero was read as CSV
        with open_regular(Path(path), pipes=True) as fh:
            data = fh.read(HEADER_BYTES)
    except OSError as exc:
        raise ValidatorError(f"--header {spec}: cannot read: {exc.strerror or exc}") from None
    except ValidatorError:
        raise ValidatorError(f"--header {spec}: not a regular file or a pipe (a folder, socket or device)") from None
    if data.startswith(b"PK\x03\x04"):
        raise ValidatorError(f"--header {spec}: a workbook; give the header row as a CSV file")
    wide = wide_encoding(data)  # (a UTF-16 CSV is checked as such: its header is read as such too)
    text = data.decode(wide[0], errors="replace").removeprefix("\ufeff") if wide else \
        data.decode("utf-8-sig", errors="replace")
    first = text.split("\n", 1)[0]
    try:
        # the delimiters check reads (a pipe too), the comma on a tie
        record = next(csv.reader(io.StringIO(text, newline=""), delimiter=max(",;\t|", key=first.count)), [])
    except csv.Error as exc:
        raise ValidatorError(f"--header {spec}: its first record is not readable CSV ({exc})") from None
    return tuple(record)
