"""Runs ``fixtures/rules/HSnnn.toml`` case files.

A case file holds ``[[case]]`` tables:

    name = "what the case shows"
    csv = '''
    Email,Name
    a@x.com,Ann,extra
    '''                      # the data file (UTF-8); \\r\\n and other escapes allowed
    file_name = "data.csv"   # optional; the files[] fileName
    bom = true               # optional; prepend a UTF-8 BOM
    bytes_file = "x.csv"     # optional; raw bytes from fixtures/files/ instead of csv
    workbook = { sheets = [...] }   # optional; an .xlsx built at test time (tests/workbooks.py);
                             # file_name defaults to data.xlsx and fileFormat to SPREADSHEET;
                             # with xls = true, an Excel 97-2003 .xls (data.xls)
    files = { "b.csv" = "..." }   # optional; more data files
    request = '''{...}'''    # optional; the whole request JSON text ({file} = file_name)
    mappings = [ {...} ]     # optional; columnMappings (default: one per header cell)
    top = { dateFormat = "DAY_MONTH_YEAR" }   # optional; top-level request keys
    file_entry = { fileFormat = "CSV" }       # optional; keys merged into files[0]
    options = { chunk_rows = 2 }              # optional; Config fields (portal = "portal" is
                                              # a snapshot folder under fixtures/)
    labels = { "0-1>0-2" = ["Manager"] }      # optional; association labels of a portal snapshot
    properties = [ { object = "0-1", name = "member_id", unique = true } ]  # optional; portal properties
    grow = "b@x.com\n"       # optional; appended to the data file just after the validator opens it
    limits = { rows_per_file = 3 }   # optional; HubSpot's [limits] (hubspot.toml) changed for the case
    dataframe = false        # optional; the csv is no table (lines above its header): the pandera
                             # schema's test, which reads each case as a DataFrame, leaves it out
    expect = ["3:3"]         # locations of the rule's findings: row:col, row, a JSON
                             # pointer, "line N" or "-" (whole file), exactly these

Every rule needs at least one case with findings and one without.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

from validator import Config, validate
from validator.catalog import Catalog, Property, builtin
from validator.engine import Engine
from validator.findings import Report
from validator.report.text import location
from validator.request import parse_request

CASES = Path(__file__).resolve().parent.parent / "fixtures" / "rules"
BYTES = CASES.parent / "files"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_") or "column"


def default_mappings(header: list[str], object_type: str = "0-1") -> list[dict[str, Any]]:
    return [{"columnObjectTypeId": object_type, "columnName": h, "propertyName": slug(h)}
            for h in header]


def load_cases(code: str) -> list[dict[str, Any]]:
    with open(CASES / f"{code}.toml", "rb") as fh:
        return tomllib.load(fh).get("case", [])


def all_case_ids() -> list[tuple[str, int]]:
    out = []
    for path in sorted(CASES.glob("HS*.toml")):
        for i, _case in enumerate(load_cases(path.stem)):
            out.append((path.stem, i))
    return out


def _header(data: bytes) -> list[str]:
    import csv
    import io

    text = data.decode("utf-8-sig", errors="replace")
    first = next(csv.reader(io.StringIO(text, newline="")), [])
    return first


def build(case: dict[str, Any], tmp: Path) -> Path:
    """Write the case's files and request into ``tmp``; return the request path."""
    xls = bool(case.get("workbook", {}).get("xls"))
    file_name = case.get("file_name", ("data.xls" if xls else "data.xlsx") if "workbook" in case else "data.csv")
    header: list[str] | None = None
    if "workbook" in case:
        from tests.workbooks import header_of, make_workbook, make_xls

        data = make_xls(case["workbook"]) if xls else make_workbook(case["workbook"])
        header = header_of(case["workbook"])
    elif "bytes_file" in case:
        data = (BYTES / case["bytes_file"]).read_bytes()
    else:
        data = case.get("csv", "").encode("utf-8")
        if case.get("bom"):
            data = b"\xef\xbb\xbf" + data
    if case.get("write", True):
        (tmp / Path(file_name.replace("\\", "/")).name).write_bytes(data)
    for name, text in case.get("files", {}).items():
        (tmp / name).write_bytes(text.encode("utf-8"))
    if "request" in case:
        text = case["request"].replace("{file}", file_name)
    else:
        entry = {
            "fileName": file_name,
            "fileFormat": "SPREADSHEET" if "workbook" in case else "CSV",
            "fileImportPage": {
                "hasHeader": True,
                "columnMappings": case.get("mappings", default_mappings(header if header is not None
                                                                        else _header(data))),
            },
        }
        entry.update(case.get("file_entry", {}))
        request = {"name": "case", "files": [entry], **case.get("top", {})}
        text = json.dumps(request)
    path = tmp / "request.json"
    path.write_text(text, encoding="utf-8")
    return path


def portal(labels: dict[str, list[str]], properties: list[dict[str, Any]]) -> Catalog:
    """The built-in catalog with a portal's association labels and properties laid over it."""
    base = builtin()
    props: dict[str, dict[str, Property]] = {k: dict(v) for k, v in base.property_map.items()}
    for p in properties:
        props.setdefault(p["object"], {})[p["name"]] = Property(
            object_id=p["object"], name=p["name"], unique=bool(p.get("unique", False)), source="portal")
    pairs = {(a, b): tuple(v) for k, v in labels.items() for a, b in [k.split(">")]}
    return dataclasses.replace(base, association_labels={**base.association_labels, **pairs}, property_map=props)


@contextlib.contextmanager
def growing(text: str | None) -> Iterator[None]:
    """Append ``text`` to each data file after the validator opened it and took its size, before
    its first read (a writer racing the check, made deterministic)."""
    if text is None:
        yield
        return
    from validator.readers import dispatch

    real = dispatch.open_binary

    class Growing:
        def __init__(self, stream: Any, path: Path):
            self.stream, self.path = stream, path

        def read(self, size: int = -1) -> bytes:
            if self.path is not None:
                with open(self.path, "ab") as fh:
                    fh.write(text.encode("utf-8"))
                self.path = None
            return bytes(self.stream.read(size))

        def __getattr__(self, name: str) -> Any:
            return getattr(self.stream, name)

    def open_and_grow(lookup: Any) -> tuple[Any, bool]:
        stream, owned = real(lookup)
        return Growing(stream, lookup.path), owned

    with mock.patch.object(dispatch, "open_binary", open_and_grow):
        yield


def run_case(code: str, case: dict[str, Any], tmp: Path) -> list[str]:
    report = case_report(case, tmp)
    return sorted(location(f) for f in report.findings if f.code == code)


def case_report(case: dict[str, Any], tmp: Path) -> Report:
    """The report of a case: its files written into ``tmp`` and checked."""
    request = build(case, tmp)
    options = dict(case.get("options", {}))
    if "portal" in options:  # a snapshot folder under fixtures/
        options["portal"] = str(CASES.parent / options["portal"])
    config = Config(**options)
    if "labels" in case or "properties" in case or "limits" in case:
        # a portal snapshot on top of the built-in catalog; HubSpot's limits made small for a case
        catalog = portal(case.get("labels", {}), case.get("properties", []))
        if "limits" in case:
            catalog = dataclasses.replace(catalog, raw={**catalog.raw, "limits": {
                **catalog.raw.get("limits", {}), **case["limits"]}})
        spec = parse_request(request.read_bytes(), request.name, catalog)
        report = Engine(config, catalog).run(spec, request_path=request, base=tmp)
    else:
        with growing(case.get("grow")):
            report = validate(request, config=config)
    return report
