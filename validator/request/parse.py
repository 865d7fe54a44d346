"""The ``importRequest`` JSON -> ImportSpec: ``parse_request`` and the walk over the JSON tree.

Parsing never fails: whatever the text, the result is an ImportSpec whose ``notes`` record what
was wrong with the JSON (with JSON pointers). Rules in ``checks/request.py`` turn notes into
findings; this module decides nothing about severity.

Legacy names still seen in HubSpot's own examples are accepted and normalised (fact sheet 1.4):
``columnObjectType`` ("CONTACT") -> ``columnObjectTypeId``, ``idColumnType`` -> ``columnType``,
``ignored: true`` -> the column is skipped.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from typing import Any

from validator.catalog import Catalog, builtin
from validator.request.decode import _JsonObject, decode_json
from validator.request.model import (
    FILE_FIELDS,
    FILE_OPTIONAL,
    FOREIGN_KEY_FIELDS,
    LEGACY,
    MAPPING_FIELDS,
    MAPPING_OPTIONAL,
    PAGE_FIELDS,
    PAGE_OPTIONAL,
    TOP_FIELDS,
    TOP_OPTIONAL,
    ColumnSpec,
    FileSpec,
    ForeignKey,
    ImportSpec,
    RequestNote,
    escape_pointer,
)

# C0 controls but the white-space ones (tab, line ends, VT, FF: a header cell may hold them, and
# its columnName then must too; HS431/HS605 warn of them there), DEL and C1: no request text means
# them, and HubSpot's handling is not documented (hostile G13)
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
MAX_CONTROL_NOTES = 20
LEGACY_ALONE = {k: v for k, v in MAPPING_OPTIONAL.items() if k != "columnObjectType"}


class _Walker:
    """Collects notes while reading the JSON tree into specs."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.notes: list[RequestNote] = []
        self.spellings: dict[str, str] = {}  # a custom object's name ignoring case -> as first written

    def object_id(self, text: str | None) -> str | None:
        """``Catalog.object_id``, with a custom object's name that no portal snapshot resolves
        (taken as written) spelled as the request first spells it, ignoring letter case: `P_cars`
        after `p_cars` is `p_cars`, one object, as a snapshot's names are matched (HS038 names
        the other spelling)."""
        found = self.catalog.object_id(text)
        if found is None or found in self.catalog.objects:
            return found
        return self.spellings.setdefault(found.lower(), found)

    def note(self, kind: str, pointer: str, detail: str, value: Any = None) -> None:
        shown = None if value is None else _show(value)
        self.notes.append(RequestNote(kind, pointer, detail, value=shown))

    def fields(
        self, obj: Mapping[str, Any], pointer: str, known: Mapping[str, tuple[type, ...]], what: str,
        optional: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Type-check the known keys of one object; report unknown and duplicate keys. A null for
        one of the ``optional`` fields that does not take it is read as the field left out."""
        for dup in getattr(obj, "duplicates", ()):
            self.note("duplicate-key", f"{pointer}/{escape_pointer(dup)}",
                      f"key {dup!r} appears more than once in {what}; only the last is used")
        out: dict[str, Any] = {}
        for key, value in obj.items():
            ptr = f"{pointer}/{escape_pointer(key)}"
            types = known.get(key)
            if types is None:
                close = _closest(key, known)
                hint = f"; did you mean {close!r}?" if close else ""
                self.note("unknown-key", ptr, f"unknown key {key!r} in {what}{hint}", key)
                continue
            if value is None and optional is not None and key in optional and type(None) not in types:
                self.note("null", ptr, f"{key} is null, which HubSpot does not document for it; this check "
                          f"reads it as left out ({optional[key]})")
                continue
            if not _is_type(value, types):
                expected = _EXPECTED.get(key) or " or ".join(_TYPE_NAMES[t] for t in types)
                self.note("wrong-type", ptr,
                          f"{key} must be {expected}, not {_TYPE_NAMES.get(type(value), 'a value')}",
                          value)
                continue
            out[key] = value
        return out

    def controls(self, value: Any) -> None:
        """Note the strings (keys too) that hold control characters, the first few of them."""
        stack: list[tuple[str, Any]] = [("", value)]
        found = 0
        while stack and found < MAX_CONTROL_NOTES:
            pointer, item = stack.pop()
            if isinstance(item, str):
                m = _CONTROL.search(item)
                if m is not None:
                    found += 1
                    self.note("control", pointer, f"holds the control character U+{ord(m.group()):04X}", item)
            elif isinstance(item, dict):
                for key, v in reversed(list(item.items())):
                    at = f"{pointer}/{escape_pointer(str(key))}"
                    if isinstance(key, str) and _CONTROL.search(key) and found < MAX_CONTROL_NOTES:
                        found += 1
                        self.note("control", at, "holds the control character "
                                  f"U+{ord(_CONTROL.search(key).group()):04X} (a key)", key)  # type: ignore[union-attr]
                    stack.append((at, v))
            elif isinstance(item, list):
                stack.extend((f"{pointer}/{i}", v) for i, v in reversed(list(enumerate(item))))

    def request(self, value: Any, source: str) -> ImportSpec:
        self.controls(value)
        if not isinstance(value, dict):
            kind = _TYPE_NAMES.get(type(value), "a value")
            self.note("wrong-type", "", f"request must be a JSON object, not {kind}", value)
            return _empty(source, self.notes, value)
        top = self.fields(value, "", TOP_FIELDS, "the request", TOP_OPTIONAL)
        event = top.get("marketingEventObjectId")
        # a whole number, or its digits as a string: an ID is never negative, nor "-5" or "abc"
        if (isinstance(event, str) and not re.fullmatch(r"[0-9]+", event)) or (isinstance(event, int) and event < 0):
            what = "text" if isinstance(event, str) else "a negative number"
            self.note("wrong-type", "/marketingEventObjectId",
                      f"marketingEventObjectId must be {_EXPECTED['marketingEventObjectId']}, not {what}", event)
            del top["marketingEventObjectId"]
        ops, op_ptrs = self.operations(top.get("importOperations"))
        files: list[FileSpec] = []
        if "files" not in value:
            self.note("missing", "/files", "request has no 'files' list")
        elif isinstance(top.get("files"), list):
            for i, entry in enumerate(top["files"]):
                spec = self.file(entry, i)
                if spec is not None:
                    files.append(spec)
        date_format = top.get("dateFormat")
        return ImportSpec(
            source=source,
            parsed=True,
            name=top.get("name"),
            operations=ops,
            operation_pointers=op_ptrs,
            date_format=date_format or self.catalog.meta["default_date_format"],
            date_format_given=date_format is not None,
            marketable=top.get("marketableContactImport"),
            create_list=top.get("createContactListFromImport"),
            files=tuple(files),
            notes=tuple(self.notes),
            raw=value,
        )

    def operations(self, ops: Any) -> tuple[dict[str, str], dict[str, str]]:
        out: dict[str, str] = {}
        ptrs: dict[str, str] = {}
        if not isinstance(ops, dict):
            return out, ptrs
        for dup in getattr(ops, "duplicates", ()):
            self.note("duplicate-key", f"/importOperations/{escape_pointer(dup)}",
                      f"importOperations names {dup!r} more than once; only the last is used")
        for key, op in ops.items():
            ptr = f"/importOperations/{escape_pointer(key)}"
            if not isinstance(op, str):
                self.note("wrong-type", ptr, "an import operation must be a string", op)
                continue
            object_id = self.object_id(key) or key
            if object_id in ptrs:  # two keys for one object ("contacts" and "0-1"): the last wins
                label, first = self.catalog.object_label(object_id), ptrs[object_id].rsplit("/", 1)[1]
                self.note("duplicate-key", ptr, f"importOperations names {label} twice (as {first!r} and "
                          f"{key!r}); only the last is used", key)
            out[object_id] = op
            ptrs[object_id] = ptr
        return out, ptrs

    def file(self, entry: Any, i: int) -> FileSpec | None:
        pointer = f"/files/{i}"
        if not isinstance(entry, dict):
            self.note("wrong-type", pointer, "each entry of files must be an object", entry)
            return None
        f = self.fields(entry, pointer, FILE_FIELDS, "a files[] entry", FILE_OPTIONAL)
        if "fileName" not in entry:
            self.note("missing", f"{pointer}/fileName", "files[] entry has no fileName")
        if "dateFormat" in f:
            self.note("misplaced", f"{pointer}/dateFormat",
                      "dateFormat belongs at the top level of the request", f["dateFormat"])
        page = entry.get("fileImportPage")
        p = (self.fields(page, f"{pointer}/fileImportPage", PAGE_FIELDS, "fileImportPage", PAGE_OPTIONAL)
             if isinstance(page, dict) else {})
        if "dateFormat" in p:
            self.note("misplaced", f"{pointer}/fileImportPage/dateFormat",
                      "dateFormat belongs at the top level of the request", p["dateFormat"])
        if "hasHeader" in f:
            self.note("misplaced", f"{pointer}/hasHeader", "hasHeader belongs inside fileImportPage", f["hasHeader"])
        mappings_ptr = f"{pointer}/fileImportPage/columnMappings"
        mappings = p.get("columnMappings")
        if "columnMappings" in f:
            self.note("misplaced", f"{pointer}/columnMappings",
                      "columnMappings belongs inside fileImportPage")
            if mappings is None:
                # HubSpot reads none there: the file has no mappings (HS004); the rules still
                # check the data by the misplaced ones, which is what was meant
                where = mappings_ptr if isinstance(page, dict) else f"{pointer}/fileImportPage"
                self.note("missing", where, "files[] entry has no fileImportPage.columnMappings: its columnMappings "
                          "sit beside fileImportPage, where HubSpot does not read them")
                mappings, mappings_ptr = f["columnMappings"], f"{pointer}/columnMappings"
        if mappings is None and not (isinstance(page, dict) and "columnMappings" in page) and "columnMappings" not in f:
            where = mappings_ptr if isinstance(page, dict) else f"{pointer}/fileImportPage"
            self.note("missing", where, "files[] entry has no fileImportPage.columnMappings")
        columns = tuple(
            c for j, m in enumerate(mappings or []) if (c := self.mapping(m, f"{mappings_ptr}/{j}", j))
        )
        return FileSpec(
            index=i,
            pointer=pointer,
            file_name=f.get("fileName"),
            file_format=f.get("fileFormat"),
            has_header=p.get("hasHeader", True),
            columns=columns,
            mappings_pointer=mappings_ptr,
            date_format=f.get("dateFormat"),
            raw=entry,
        )

    def mapping(self, m: Any, pointer: str, j: int) -> ColumnSpec | None:
        if not isinstance(m, dict):
            self.note("wrong-type", pointer, "each column mapping must be an object", m)
            return None
        # the legacy columnObjectType without columnObjectTypeId is the mapping's object: null there
        # is the required field's wrong type (HS002), as a null columnObjectTypeId is, not HS034's
        optional = MAPPING_OPTIONAL if "columnObjectTypeId" in m else LEGACY_ALONE
        c = self.fields(m, pointer, MAPPING_FIELDS, "a column mapping", optional)
        for old, new in LEGACY.items():
            if old in c:
                modern = f"; the current name is {new!r}" if new else ""
                self.note("legacy-name", f"{pointer}/{old}", f"{old!r} is a legacy field name{modern}")
        obj = c.get("columnObjectTypeId")
        legacy_obj = c.get("columnObjectType")
        object_id = self.object_id
        if obj is not None and legacy_obj is not None and object_id(obj) != object_id(legacy_obj):
            self.note("conflict", f"{pointer}/columnObjectType",
                      f"columnObjectType {legacy_obj!r} disagrees with columnObjectTypeId {obj!r}")
        obj = obj if obj is not None else legacy_obj
        col_type = c.get("columnType")
        legacy_type = c.get("idColumnType")
        if col_type is not None and legacy_type is not None and col_type != legacy_type:
            self.note("conflict", f"{pointer}/idColumnType",
                      f"idColumnType {legacy_type!r} disagrees with columnType {col_type!r}")
        col_type = col_type if col_type is not None else legacy_type
        if "columnName" not in m:
            self.note("missing", f"{pointer}/columnName", "column mapping has no columnName")
        to_obj = c.get("toColumnObjectTypeId")
        fk = c.get("foreignKeyType")
        return ColumnSpec(
            index=j,
            pointer=pointer,
            column_name=c.get("columnName"),
            property_name=c.get("propertyName"),
            object_type=obj,
            object_type_id=self.object_id(obj),
            column_type=col_type if isinstance(col_type, str) else "STANDARD",  # ("" is HS007's)
            to_object_type=to_obj,
            to_object_type_id=self.object_id(to_obj),
            foreign_key=self.foreign_key(fk, f"{pointer}/foreignKeyType") if fk is not None else None,
            association_identifier=bool(c.get("associationIdentifierColumn", False)),
            ignored=bool(c.get("ignored", False)),
            raw=m,
        )

    def foreign_key(self, fk: Mapping[str, Any], pointer: str) -> ForeignKey:
        k = self.fields(fk, pointer, FOREIGN_KEY_FIELDS, "foreignKeyType")
        return ForeignKey(k.get("associationTypeId"), k.get("associationCategory"), pointer)


_TYPE_NAMES: dict[type, str] = {
    str: "a string", bool: "true or false", int: "an integer", float: "a decimal number",
    dict: "an object", list: "an array", type(None): "null", _JsonObject: "an object",
}

# what a field must be, where its JSON types alone would mislead: the marketing event's ID is taken
# as a string too, but only as its digits
_EXPECTED = {"marketingEventObjectId": "a whole number (the marketing event's ID)"}


def _closest(key: str, known: Mapping[str, Any]) -> str | None:
    """The known key most like ``key``, letter case aside: a key in other case (``FILENAME``,
    ``ColumnObjectTypeID``) is that key, not whichever is most alike in its letters' case."""
    folded = {k.lower(): k for k in known}
    close = difflib.get_close_matches(key.lower(), list(folded), n=1)
    return folded[close[0]] if close else None


def _is_type(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in types
    return isinstance(value, types)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)[:200]
    except (TypeError, ValueError):
        return repr(value)[:200]


def _empty(source: str, notes: list[RequestNote], raw: Any) -> ImportSpec:
    return ImportSpec(
        source=source, parsed=False, name=None, operations={}, operation_pointers={},
        date_format="MONTH_DAY_YEAR", date_format_given=False, marketable=None, create_list=None,
        files=(), notes=tuple(notes), raw=raw,
    )


def parse_request(data: bytes | str | Mapping[str, Any], source: str = "<request>",
                  catalog: Catalog | None = None) -> ImportSpec:
    """Read an importRequest from its text (or an already-parsed mapping). Never raises."""
    catalog = catalog or builtin()
    if isinstance(data, (bytes, str)):
        value, notes = decode_json(data)
        if value is None and notes:  # not JSON (HS001); the JSON text ``null`` is HS002's
            return _empty(source, notes, None)
    else:
        value, notes = data, []
    walker = _Walker(catalog)
    walker.notes.extend(notes)
    return walker.request(value, source)
