"""The model of an ``importRequest``: ImportSpec / FileSpec / ColumnSpec / ForeignKey, the
RequestNote parsing leaves for the rules, and the request's whole known shape (each field with
the JSON types it takes, the legacy names with their current ones).

Plain frozen data with no parsing in it (``request.parse`` builds it from the JSON): what
checks, reports and anything else that makes or reads an import request share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_ANY_STR = (str,)
_NULLABLE_STR = (str, type(None))

# Field name -> accepted JSON types. The whole known shape of an importRequest (fact sheet 1.2-1.4).
TOP_FIELDS: dict[str, tuple[type, ...]] = {
    "name": _ANY_STR,
    "importOperations": (dict,),
    "dateFormat": _ANY_STR,
    "marketableContactImport": (bool,),
    "createContactListFromImport": (bool,),
    "files": (list,),
    "marketingEventObjectId": (int, str),
    "timeZone": _ANY_STR,
}
FILE_FIELDS: dict[str, tuple[type, ...]] = {
    "fileName": _ANY_STR,
    "fileFormat": _ANY_STR,
    "fileImportPage": (dict,),
    "dateFormat": _ANY_STR,  # misplaced, but known: HubSpot ignores it here
    "columnMappings": (list,),  # misplaced, but known: belongs in fileImportPage
    "hasHeader": (bool,),  # misplaced, but known: belongs in fileImportPage
}
PAGE_FIELDS: dict[str, tuple[type, ...]] = {"hasHeader": (bool,), "columnMappings": (list,),
                                            "dateFormat": _ANY_STR}  # (misplaced, but known: HubSpot ignores it)
MAPPING_FIELDS: dict[str, tuple[type, ...]] = {
    "columnObjectTypeId": _ANY_STR,
    "columnObjectType": _ANY_STR,
    "columnName": _ANY_STR,
    "propertyName": _NULLABLE_STR,
    # null where nothing is set: HubSpot's own example writes "idColumnType": null and
    # "foreignKeyType": null on plain columns (fact sheet 1.4, [V] S5), as serialisers write an
    # absent optional field
    "columnType": _NULLABLE_STR,
    "idColumnType": _NULLABLE_STR,
    "toColumnObjectTypeId": _NULLABLE_STR,
    "foreignKeyType": (dict, type(None)),
    "associationIdentifierColumn": (bool,),
    "ignored": (bool,),
    "marketingEventSubmissionType": _ANY_STR,
}
FOREIGN_KEY_FIELDS: dict[str, tuple[type, ...]] = {
    "associationTypeId": (int,),
    "associationCategory": _ANY_STR,
}
# the fields each object may leave out (fact sheet 1.2-1.4; the misplaced ones too), with what
# leaving one out means: ``null`` for one whose types above do not take it is read as the field left
# out, and noted (HS034); for a required one (``files``, ``fileName``, ``fileImportPage``, its
# ``columnMappings``, a mapping's ``columnName`` and ``columnObjectTypeId`` (or the legacy
# ``columnObjectType`` without it), a foreignKeyType's fields) it is the wrong type (HS002)
TOP_OPTIONAL = {"name": "no name", "importOperations": "UPSERT for every object", "dateFormat": "MONTH_DAY_YEAR",
                "marketableContactImport": "not set", "createContactListFromImport": "no list made",
                "marketingEventObjectId": "no marketing event", "timeZone": "not set"}
FILE_OPTIONAL = {"fileFormat": "not set", "dateFormat": "not set", "columnMappings": "not set", "hasHeader": "not set"}
PAGE_OPTIONAL = {"hasHeader": "true, row 1 is the header", "dateFormat": "not set"}
MAPPING_OPTIONAL = {"columnObjectType": "not set", "associationIdentifierColumn": "false", "ignored": "false",
                    "marketingEventSubmissionType": "not set"}
# legacy names with their current ones (HS018); ``ignored`` is read too, but has no current name: it is
# the one way to leave a column out, so it is no finding
LEGACY = {"columnObjectType": "columnObjectTypeId", "idColumnType": "columnType"}


@dataclass(frozen=True, slots=True)
class RequestNote:
    """Something about the request text worth a rule's attention.

    kind: not-json | too-large | bom | duplicate-key | wrong-type | missing | unknown-key |
          legacy-name | misplaced | conflict | control | null
    """

    kind: str
    pointer: str
    detail: str
    line: int | None = None
    column: int | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True)
class ForeignKey:
    type_id: int | None
    category: str | None
    pointer: str


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    index: int  # position in columnMappings (0-based)
    pointer: str
    column_name: str | None
    property_name: str | None
    object_type: str | None  # as written
    object_type_id: str | None  # normalised ("0-1"); None when unknown
    column_type: str  # as written (legacy idColumnType folded in); STANDARD when absent
    to_object_type: str | None
    to_object_type_id: str | None
    foreign_key: ForeignKey | None
    association_identifier: bool
    ignored: bool
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    def at(self, key: str) -> str:
        return f"{self.pointer}/{key}"


@dataclass(frozen=True, slots=True)
class FileSpec:
    index: int
    pointer: str
    file_name: str | None
    file_format: str | None
    has_header: bool
    columns: tuple[ColumnSpec, ...]
    mappings_pointer: str
    date_format: str | None  # a dateFormat placed inside files[] (ignored by HubSpot)
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    def at(self, key: str) -> str:
        return f"{self.pointer}/{key}"

    @property
    def objects(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for c in self.columns:
            if c.object_type_id and not c.ignored:
                seen[c.object_type_id] = None
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class ImportSpec:
    source: str  # the request's name in findings (its file name, or "<request>")
    parsed: bool  # False when the text is not a JSON object
    name: str | None
    operations: Mapping[str, str]  # normalised object id (or the key as written) -> op
    operation_pointers: Mapping[str, str]
    date_format: str
    date_format_given: bool
    marketable: bool | None
    create_list: bool | None
    files: tuple[FileSpec, ...]
    notes: tuple[RequestNote, ...]
    raw: Any = field(repr=False, compare=False)

    def operation(self, object_type_id: str) -> str:
        return self.operations.get(object_type_id, "UPSERT")

    @property
    def objects(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for f in self.files:
            for o in f.objects:
                seen[o] = None
        return tuple(seen)


def escape_pointer(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
