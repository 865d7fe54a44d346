"""``--format hubspot``: the body of ``GET /crm/v3/imports/{importId}/errors``, before the import.

Scripts written for HubSpot's error report read ours unchanged (fact sheet section 2.1):
``{"results": [PublicImportError, ...]}`` with ``errorType``, ``invalidValue``,
``knownColumnNumber`` (zero-based), ``sourceData.rowData``, ``sourceData.lineNumber`` (the
spreadsheet row, header = 1; 0 for whole-file errors, as the 2026-09 spec reserves it) and
``sourceData.pageName`` (sheet). Only findings that predict a HubSpot ``errorType`` appear, as
in HubSpot's own report. ``fileId`` numbers the files of the run (HubSpot assigns real ids at
upload): the request 0 (each request of a run of several, first), then the data files from 1 in
the order read, then any other a finding names; ``id`` is the finding's stable fingerprint; ``errorMessage`` is our
message and ``extraContext`` names our rule. ``rowData`` holds the row's cells where the reader
split the row to the header's width, else the first fields it saw.
"""

from __future__ import annotations

import time
from typing import Any

from validator.findings import Finding, Report, truncate
from validator.report.common import file_names, fingerprints
from validator.report.json_format import dumps


def _error(f: Finding, report: Report, file_id: int, created: int, print_: str, header: bool) -> dict[str, Any]:
    """``f`` as HubSpot reports an error; ``header``: whether its file has a header row."""
    cells = report.records.get(f.file or "", {}).get(f.row) if f.row is not None else None
    if cells is None and f.row == 1 and header:
        cells = report.headers.get(f.file or "")
    out: dict[str, Any] = {
        "id": print_[:32],
        "createdAt": created,
        "errorType": f.hubspot_error,
        "errorMessage": f.message,
        "extraContext": f"{f.code} {f.rule}" + (f": {f.hint}" if f.hint else ""),
        "sourceData": {
            "rowData": [truncate(c, 1 << 62) for c in cells or ()],  # undecodable bytes as \\xNN, as in values
            "containsEncryptedProperties": False,
            "lineNumber": f.row if f.row is not None else 0,
            "fileId": file_id,
        },
    }
    if f.sheet is not None:
        out["sourceData"]["pageName"] = f.sheet
    if f.value is not None:
        out["invalidValue"] = f.value
        out["invalidValueToDisplay"] = f.value
    if f.column is not None:
        out["knownColumnNumber"] = f.column - 1
    return out


def hubspot_dict(report: Report) -> dict[str, Any]:
    created = int(time.time() * 1000)
    ids = {name: i for i, name in enumerate(file_names(report))}  # request = 0, files from 1
    listed = [f for f in report.findings if f.hubspot_error]
    firsts = report.first_rows()
    results = [_error(f, report, ids.get(f.file or "", 0), created, p, firsts.get(f.file or "", 2) > 1)
               for f, p in zip(listed, fingerprints(listed), strict=True)]
    return {"results": results}


def render_hubspot(report: Report) -> str:
    return dumps(hubspot_dict(report), indent=2) + "\n"
