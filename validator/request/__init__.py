"""The ``importRequest`` JSON -> ImportSpec / FileSpec / ColumnSpec.

Parsing never fails: whatever the text, the result is an ImportSpec whose ``notes`` record what
was wrong with the JSON (with JSON pointers). Rules in ``checks/request.py`` turn notes into
findings; this package decides nothing about severity.

Legacy names still seen in HubSpot's own examples are accepted and normalised (fact sheet 1.4):
``columnObjectType`` ("CONTACT") -> ``columnObjectTypeId``, ``idColumnType`` -> ``columnType``,
``ignored: true`` -> the column is skipped.

One module per part: ``model`` (the spec types, RequestNote, the request's known shape and
``escape_pointer``: plain data, for anything that makes or reads an import request),
``decode`` (the text -> a JSON value and notes, ``decode_json``) and ``parse`` (the JSON ->
ImportSpec, ``parse_request``). Callers use them as ``validator.request.X``: this package names
each one here.
"""

from __future__ import annotations

from validator.request.decode import MAX_REQUEST_BYTES, decode_json
from validator.request.model import (
    FILE_FIELDS,
    FOREIGN_KEY_FIELDS,
    LEGACY,
    MAPPING_FIELDS,
    PAGE_FIELDS,
    TOP_FIELDS,
    ColumnSpec,
    FileSpec,
    ForeignKey,
    ImportSpec,
    RequestNote,
    escape_pointer,
)
from validator.request.parse import MAX_CONTROL_NOTES, parse_request

__all__ = [
    "FILE_FIELDS", "FOREIGN_KEY_FIELDS", "LEGACY", "MAPPING_FIELDS", "MAX_CONTROL_NOTES", "MAX_REQUEST_BYTES",
    "PAGE_FIELDS", "TOP_FIELDS", "ColumnSpec", "FileSpec", "ForeignKey", "ImportSpec", "RequestNote",
    "decode_json", "escape_pointer", "parse_request",
]
