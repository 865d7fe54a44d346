"""Request rules (HS0xx) on fields that must hold one of HubSpot's names: ``dateFormat``,
``fileFormat``, a mapping's ``columnType``, an ``importOperations`` operation, the object types
of operations and mappings, ``importOperations`` keys given as names, not ids, and ``timeZone``
(an IANA zone name). Messages list the names allowed and suggest the closest one."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import zoneinfo
from collections.abc import Iterator, Mapping

from validator.catalog import OBJECT_ID, Catalog, custom_form
from validator.checks.base import Hit, Rule, quote
from validator.context import ImportContext
from validator.findings import Severity
from validator.request import escape_pointer


def _choices(values: tuple[str, ...]) -> str:
    return ", ".join(values)


def _suggest(value: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(value.upper(), list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


class UnknownDateFormat(Rule):
    """`dateFormat` is not one of HubSpot's three date orders.

    Why: HubSpot accepts only MONTH_DAY_YEAR (the default), DAY_MONTH_YEAR and YEAR_MONTH_DAY;
    any other value is rejected or ignored, and every date is then read in the wrong order.
    Example: `"dateFormat": "DD/MM/YYYY"`.
    Fix: use one of the three names, for example `"dateFormat": "DAY_MONTH_YEAR"` for 31/12/2024.
    """

    code = "HS005"
    name = "unknown-date-format"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        formats = ctx.catalog.date_formats
        places = [("/dateFormat", ctx.spec.raw.get("dateFormat") if isinstance(ctx.spec.raw, dict) else None)]
        places += [(f.at("dateFormat"), f.date_format) for f in ctx.spec.files]
        for pointer, value in places:
            if isinstance(value, str) and value not in formats:
                yield self.finding(
                    f"dateFormat {quote(value)} is not one of {_choices(formats)}{_suggest(value, formats)}",
                    file=ctx, pointer=pointer, value=value)


class UnknownFileFormat(Rule):
    """`fileFormat` is neither CSV nor SPREADSHEET.

    Why: HubSpot knows two file formats: `CSV` for .csv files and `SPREADSHEET` for .xlsx/.xls.
    Anything else is rejected.
    Example: `"fileFormat": "XLSX"` or `"fileFormat": "csv"`.
    Fix: use `CSV` or `SPREADSHEET` (upper case).
    """

    code = "HS006"
    name = "unknown-file-format"
    hubspot_error = "INVALID_FILE_TYPE"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        formats = ctx.catalog.file_formats
        for f in ctx.spec.files:
            if f.file_format is not None and f.file_format not in formats:
                yield self.finding(
                    f"fileFormat {quote(f.file_format)} is not one of {_choices(formats)}"
                    f"{_suggest(f.file_format, formats)}",
                    file=ctx, pointer=f.at("fileFormat"), value=f.file_format)


class UnknownColumnType(Rule):
    """A column mapping's `columnType` (or legacy `idColumnType`) is not one HubSpot knows.

    Why: HubSpot reads a column as a property (`STANDARD`), a Record ID (`HUBSPOT_OBJECT_ID`),
    another unique identifier (`HUBSPOT_ALTERNATE_ID`), association labels
    (`FLEXIBLE_ASSOCIATION_LABEL`), same-object association keys (`ASSOCIATION_KEYS`) or an event
    time (`EVENT_TIMESTAMP`). Any other value is an invalid column configuration.
    Example: `"columnType": "EMAIL"` or `"columnType": "standard"`.
    Fix: use one of the values listed in the message, in upper case.
    """

    code = "HS007"
    name = "unknown-column-type"
    hubspot_error = "INVALID_COLUMN_CONFIGURATION"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        types = ctx.catalog.column_types
        for f in ctx.spec.files:
            for c in f.columns:
                if c.column_type not in types:
                    key = "columnType" if "columnType" in c.raw else "idColumnType"
                    yield self.finding(
                        f"{key} {quote(c.column_type)} is not one of {_choices(types)}"
                        f"{_suggest(c.column_type, types)}",
                        file=ctx, pointer=c.at(key), value=c.column_type)


class UnknownOperation(Rule):
    """An `importOperations` value is not CREATE, UPDATE or UPSERT.

    Why: HubSpot decides per object whether rows create records, update existing ones, or both;
    only these three operations exist.
    Example: `"importOperations": {"0-1": "INSERT"}`.
    Fix: use `CREATE`, `UPDATE` or `UPSERT` (the default when the object is not listed).
    """

    code = "HS008"
    name = "unknown-operation"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        ops = ctx.catalog.operations
        for obj, op in ctx.spec.operations.items():
            if op not in ops:
                yield self.finding(
                    f"import operation {quote(op)} for {ctx.catalog.object_label(obj)} is not one "
                    f"of {_choices(ops)}{_suggest(op, ops)}",
                    file=ctx, pointer=ctx.spec.operation_pointers[obj], value=op)


class UnknownObjectType(Rule):
    """An object type in the request is neither a known HubSpot object nor a custom object id.

    Why: objects are given by id (`0-1`, a custom object's `2-<id>`); a column mapping may name
    its object instead (`contacts`, a custom object's fully qualified name `p<portal id>_<name>`
    or short-hand name `p_<name>`, which HubSpot's APIs take for a custom object since they
    stopped taking its bare name: developer changelog, June 2025), where `importOperations` keys
    are documented as ids only (fact sheet 1.2, 1.4, [V] S5; a name there is HS033's warning).
    An unknown object fails with MISSING_OBJECT_DEFINITION. Without a portal snapshot, which
    custom objects the account has is not known: a name of a custom object's shape is taken as
    one, unchecked. A custom object's plain name (`cars`) is known only from a portal snapshot
    (`--portal`) holding `schemas.json`, where a `2-<id>`, fully qualified or short-hand name the
    portal does not have is unknown too. Names are matched ignoring letter case in both
    (`P_cars` is `p_cars`): whether HubSpot minds the case is not documented [GAP].
    Example: `"columnObjectTypeId": "contact_person"` or `"0-99"`.
    Fix: use the object's id from the message's list, or the custom object's `2-...` id from
    `GET /crm/v3/schemas`.
    """

    code = "HS021"
    name = "unknown-object-type"
    hubspot_error = "MISSING_OBJECT_DEFINITION"

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        cat = ctx.catalog
        for obj, pointer in ctx.spec.operation_pointers.items():
            if cat.object_id(obj) is None:
                yield self.finding(f"importOperations names unknown object {quote(obj)}"
                                   f"{self._portal(cat, obj, key=True)}",
                                   file=ctx, pointer=pointer, value=obj)
        for f in ctx.spec.files:
            for c in f.columns:
                for raw, resolved, key in (
                    (c.object_type, c.object_type_id,
                     "columnObjectTypeId" if "columnObjectTypeId" in c.raw else "columnObjectType"),
                    (c.to_object_type, c.to_object_type_id, "toColumnObjectTypeId"),
                ):
                    if raw is not None and resolved is None:
                        yield self.finding(f"{key} {quote(raw)} is not a known HubSpot object"
                                           f"{self._portal(cat, raw, key=False)}",
                                           file=ctx, pointer=c.at(key), value=raw)
                    elif isinstance(raw, str) and raw != raw.strip():
                        yield self.finding(f"{key} {quote(raw)} has spaces around {quote(raw.strip())}; HubSpot "
                                           "matches object ids and names as written", file=ctx, pointer=c.at(key),
                                           value=raw)
        ops = ctx.spec.raw.get("importOperations") if isinstance(ctx.spec.raw, Mapping) else None
        for key in ops if isinstance(ops, Mapping) else ():
            if isinstance(key, str) and key != key.strip() and cat.object_id(key) is not None:
                yield self.finding(f"importOperations key {quote(key)} has spaces around {quote(key.strip())}; "
                                   "HubSpot matches object ids and names as written", file=ctx,
                                   pointer=f"/importOperations/{escape_pointer(key)}", value=key)

    @staticmethod
    def _portal(cat: Catalog, raw: str, *, key: bool) -> str:
        """Why a custom object id is unknown: the portal snapshot's schemas.json lists others; or,
        without one, how a custom object's name would be known, and the forms documented where
        it stands (an ``importOperations`` key: the id alone, as HS033 holds)."""
        if not cat.custom_objects_known and not OBJECT_ID.match(raw.strip()):
            forms = ("2-<id> (HubSpot documents objectTypeIds as importOperations keys)" if key
                     else "2-<id>, fully qualified name p<portal id>_<name> or short-hand name p_<name>")
            return ("; a custom object's name is known only from a portal snapshot (--portal with "
                    f"schemas.json): or give its {forms}")
        if not (cat.custom_objects_known and custom_form(raw.strip())):
            return ""
        known = cat.custom_objects()
        listed = ", ".join(f"{k} ({cat.objects[k].names[0]})" if cat.objects[k].names else k
                           for k in known[:10]) if known else "none"
        return f": the portal snapshot's custom objects (schemas.json) are {listed}"


class OperationKeyNotId(Rule):
    """An `importOperations` key names its object by name (`contacts`), not by objectTypeId (`0-1`).

    Why: HubSpot documents `importOperations` as `{objectTypeId: operation}` (fact sheet 1.2,
    [V] S5); where a column mapping's `columnObjectTypeId` may be a name, nothing says the keys
    here may [GAP]. A key HubSpot does not match leaves its object without the operation meant
    (UPSERT where CREATE was asked). This check reads the name as the object it names.
    Example: `"importOperations": {"contacts": "CREATE"}`; `{"cars": "UPDATE"}` for a custom object.
    Fix: use the objectTypeId the message gives (`0-1`; a custom object's `2-...` id from the
    portal snapshot's schemas.json, or `GET /crm/v3/schemas`).
    """

    code = "HS033"
    name = "operation-key-not-id"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        cat = ctx.catalog
        ops = ctx.spec.raw.get("importOperations") if isinstance(ctx.spec.raw, Mapping) else None
        for key in ops if isinstance(ops, Mapping) else ():
            name = key.strip()
            resolved = cat.object_id(name)
            if resolved is None or OBJECT_ID.match(name):  # unknown (HS021's), or an id
                continue
            if resolved != name:
                use = f"use {quote(resolved)} ({cat.objects[resolved].label})"
            else:  # a custom object's fully qualified or short-hand name, without a portal snapshot to give its id
                use = ("use the custom object's 2-<id> (GET /crm/v3/schemas, or a portal snapshot's "
                       "schemas.json with --portal)")
            yield self.finding(f"importOperations key {quote(key)} is an object name; HubSpot documents "
                               f"objectTypeIds as its keys: {use}", file=ctx,
                               pointer=f"/importOperations/{escape_pointer(key)}", value=key)


# Abbreviations people write for a zone, with a region whose clock they usually mean. Some are
# zones of the IANA database too (EST, MST, HST, CET, EET, MET, WET and the POSIX-style
# EST5EDT ...), kept there for compatibility: EST is a fixed UTC-05:00 with no daylight saving time.
_ABBREVIATIONS = {
    "EST": "America/New_York", "EDT": "America/New_York", "EST5EDT": "America/New_York",
    "CST": "America/Chicago", "CDT": "America/Chicago", "CST6CDT": "America/Chicago",
    "MST": "America/Denver", "MDT": "America/Denver", "MST7MDT": "America/Denver",
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles", "PST8PDT": "America/Los_Angeles",
    "AKST": "America/Anchorage", "HST": "Pacific/Honolulu", "BST": "Europe/London",
    "WET": "Europe/Lisbon", "CET": "Europe/Paris", "CEST": "Europe/Paris", "MET": "Europe/Paris",
    "EET": "Europe/Athens", "EEST": "Europe/Athens", "MSK": "Europe/Moscow", "IST": "Asia/Kolkata",
    "JST": "Asia/Tokyo", "KST": "Asia/Seoul", "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney",
    "NZST": "Pacific/Auckland",
}
# a UTC offset written as a zone: UTC+2, GMT+1, UTC-05:00, +02:00
_OFFSET = re.compile(r"(?:UTC|GMT|Z)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
# entries of a system's zone folder that name no zone a service knows
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})


@functools.lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    """The IANA zone names this system knows (its tz database, or the ``tzdata`` package); empty
    where it has neither: then no name can be judged."""
    try:
        return frozenset(zoneinfo.available_timezones()) - _NOT_ZONES
    except (OSError, ValueError):
        return frozenset()


class UnknownTimeZone(Rule):
    """`timeZone` is not an IANA time zone name.

    Why: HubSpot's guide gives `timeZone` as an IANA zone name (`America/New_York`, fact sheet
    1.2, [V] from its example); what it does with any other value, and what the field changes
    outside marketing-event imports, are not documented [GAP], hence a warning. The usual
    mistakes are an abbreviation (`EST`, `CET`: where the IANA database keeps one, it is a
    legacy zone, and EST is a fixed UTC-05:00 that ignores New York's daylight saving time), an
    offset (`UTC+2`, `GMT+1`), spaces around a name (`"Europe/Paris "`), and a name in other
    letter case (`america/new_york`: IANA names are case-sensitive). Names are checked against
    the system's tz database (or Python's `tzdata` package); where there is none, nothing is said.
    Example: `"timeZone": "EST"` or `"timeZone": "UTC+2"`.
    Fix: write a region's zone name as the IANA database spells it (`America/New_York`,
    `Europe/Berlin`); for UTC itself, `UTC`.
    """

    code = "HS035"
    name = "unknown-time-zone"
    severity = Severity.WARNING

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        value = ctx.spec.raw.get("timeZone") if isinstance(ctx.spec.raw, Mapping) else None
        if not isinstance(value, str):  # a non-string is HS002's; the zones are listed only when
            return  # asked for (the tz database's folders walked: ~30 ms of every start before)
        zones = _zones()
        if not zones:
            return
        problem = _time_zone_problem(value, zones)
        if problem:
            yield self.finding(f"timeZone {quote(value)} {problem}", file=ctx, pointer="/timeZone", value=value)


def _legacy(name: str, region: str) -> str:
    """An abbreviation the IANA database keeps as a zone, and how its clock differs from the region's."""
    def offsets(zone: str) -> tuple[dt.timedelta | None, ...]:
        try:
            z = zoneinfo.ZoneInfo(zone)
        except (OSError, ValueError, zoneinfo.ZoneInfoNotFoundError):
            return ()
        return tuple(dt.datetime(2024, month, 1, tzinfo=z).utcoffset() for month in (1, 7))
    own, theirs = offsets(name), offsets(region)
    if own and theirs and own[0] == own[1] and theirs[0] != theirs[1] and own[0] is not None:
        minutes = int(own[0].total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        fixed = f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        return (f"a legacy zone of the IANA database: a fixed {fixed} all year, where {region} "
                "changes for daylight saving time")
    return "a legacy zone of the IANA database, not a region's"


def _time_zone_problem(value: str, zones: frozenset[str]) -> str | None:
    """What is wrong with ``value`` as an IANA zone name (None: nothing)."""
    name = value.strip()
    upper = name.upper()
    if upper in _ABBREVIATIONS:
        region = _ABBREVIATIONS[upper]
        what = _legacy(name, region) if name in zones else "not an IANA zone name"
        return f"is an abbreviation, {what}; write a region's zone name, such as {quote(region)}"
    if name in zones:
        return f"has spaces around {quote(name)}; IANA names are matched as written" if name != value else None
    if not name:
        return "is empty; HubSpot's guide gives an IANA zone name (America/New_York)"
    if upper == "Z":  # (ISO-8601's UTC designator: 2024-03-15T10:00Z)
        return "is ISO-8601's mark for UTC, not an IANA zone name; write 'UTC'"
    offset = _OFFSET.fullmatch(name)
    if offset and int(offset.group(2)) <= 14 and not (offset.group(3) or "").strip("0"):
        hours = int(offset.group(2))
        inverted = "-" if offset.group(1) == "+" else "+"
        etc = "'UTC'" if hours == 0 else f"{quote(f'Etc/GMT{inverted}{hours}')} (its sign inverted, as IANA names it)"
        return (f"is a UTC offset, not an IANA zone name; a fixed offset is {etc}, and a region's zone name "
                "(Europe/Berlin) follows its daylight saving time")
    if offset:
        return "is a UTC offset, not an IANA zone name; write the zone name of the region whose clock it is"
    folded = {z.casefold(): z for z in zones}.get(name.casefold())
    if folded:
        return f"differs from the IANA name {quote(folded)} in letter case; IANA names are case-sensitive"
    close = difflib.get_close_matches(name, sorted(zones), n=1, cutoff=0.8)
    hint = f"; did you mean {quote(close[0])}?" if close else ""
    return f"is not an IANA time zone name (such as America/New_York){hint}"
