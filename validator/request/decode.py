"""The ``importRequest`` text -> a JSON value, and the notes on what was wrong with the text
(too large, not UTF-8, a byte order mark, not JSON, nested too deeply, numbers JSON does not
allow). Never raises.

Objects are read as ``_JsonObject``, which remembers the keys given twice (``json`` keeps only
the last): ``request.parse`` notes them.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from validator.findings import JsonText
from validator.request.model import RequestNote

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # a 1,000-column request is about 200 KB


class _JsonObject(dict[str, Any]):
    """A JSON object that remembers keys given twice (json keeps only the last)."""

    __slots__ = ("duplicates",)

    def __init__(self, pairs: list[tuple[str, Any]]):
        super().__init__()
        self.duplicates: list[str] = []
        for k, v in pairs:
            if k in self:
                self.duplicates.append(k)
            self[k] = v


class _TaggedObject(_JsonObject):
    """``_JsonObject`` for a text with a surrogate escape: its strings holding a lone surrogate
    become ``JsonText`` (shown as ``\\udc80``, not as the byte 0x80 of a data file)."""

    __slots__ = ()

    def __init__(self, pairs: list[tuple[str, Any]]):
        super().__init__([(_tagged(k), _tagged(v)) for k, v in pairs])


_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # (an escaped backslash before one only costs a look)


def _tagged(value: Any) -> Any:
    """Strings holding a lone surrogate as ``JsonText``; lists walked (objects are tagged by
    their own hook, as they are made)."""
    if isinstance(value, str):
        return JsonText(value) if _SURROGATE.search(value) else value
    if isinstance(value, list):
        return [_tagged(v) for v in value]
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _checked_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text[:40]} is too large")
    return value


def checked_int(text: str) -> int:
    """A JSON integer (``json.loads(..., parse_int=checked_int)``: the request, a baseline)."""
    try:
        return int(text)
    except ValueError:  # past Python's limit on digits, whose message advises a Python setting
        raise ValueError(f"a number of {len(text.lstrip('-')):,} digits is too long to read") from None


_WIDE_BOMS = ((b"\x00\x00\xfe\xff", "utf-32", "UTF-32 (big-endian, with a byte order mark)"),
              (b"\xff\xfe\x00\x00", "utf-32", "UTF-32 (little-endian, with a byte order mark)"),
              (b"\xfe\xff", "utf-16", "UTF-16 (big-endian, with a byte order mark)"),
              (b"\xff\xfe", "utf-16", "UTF-16 (little-endian, with a byte order mark)"))
_WIDE_ZEROS = {(True, True, True, False): ("utf-32-be", "UTF-32 (big-endian)"),
               (False, True, True, True): ("utf-32-le", "UTF-32 (little-endian)"),
               (True, False, True, False): ("utf-16-be", "UTF-16 (big-endian)"),
               (False, True, False, True): ("utf-16-le", "UTF-16 (little-endian)")}


def wide_encoding(data: bytes) -> tuple[str, str] | None:
    """(Python codec, name) of UTF-16 or UTF-32 text, as a Windows editor saves "Unicode" text:
    by its byte order mark, or by the zero bytes beside the first character, which JSON text
    starts with in ASCII (RFC 8259's way of telling them apart); None for any other bytes."""
    for bom, codec, name in _WIDE_BOMS:
        if data.startswith(bom):
            return codec, name
    head = data[:4]
    if len(head) < 4 or head == b"\x00" * 4:
        return None
    return _WIDE_ZEROS.get((head[0] == 0, head[1] == 0, head[2] == 0, head[3] == 0))


def decode_json(data: bytes | str) -> tuple[Any, list[RequestNote]]:
    """Parse request text. Returns (value or None, notes); never raises."""
    notes: list[RequestNote] = []
    if isinstance(data, bytes):
        if len(data) > MAX_REQUEST_BYTES:  # (a request file is read only to one byte past the limit)
            detail = f"request is larger than the limit of 10 MiB ({MAX_REQUEST_BYTES:,} bytes)"
            return None, [RequestNote("too-large", "", detail)]
        if data.startswith(b"\xef\xbb\xbf"):
            notes.append(RequestNote("bom", "", "request text starts with a UTF-8 byte order mark"))
            data = data[3:]
        wide = wide_encoding(data)
        if wide is not None:  # (without a byte order mark, UTF-16 of ASCII text decodes as UTF-8 with NULs)
            detail = f"request is {wide[1]} text, not UTF-8; save it as UTF-8"
            return None, [*notes, RequestNote("not-json", "", detail)]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            detail = f"request is not UTF-8 text (byte 0x{data[exc.start]:02X} at offset {exc.start})"
            return None, [*notes, RequestNote("not-json", "", detail)]
    else:
        text = data
        if text.startswith("\ufeff"):
            notes.append(RequestNote("bom", "", "request text starts with a byte order mark"))
            text = text[1:]
    if not text.strip():
        return None, [*notes, RequestNote("not-json", "", "request is empty")]
    tag = _SURROGATE_ESCAPE.search(text) is not None
    try:
        value = json.loads(
            text,
            object_pairs_hook=_TaggedObject if tag else _JsonObject,
            parse_constant=_reject_constant,
            parse_float=_checked_float,
            parse_int=checked_int,
        )
        if tag:
            value = _tagged(value)
    except json.JSONDecodeError as exc:
        # (some of json's messages end in "at", as "Invalid control character at", before the place)
        detail = f"{exc.msg.removesuffix(' at')} at line {exc.lineno} column {exc.colno}{_json_hint(text, exc.pos)}"
        notes.append(RequestNote("not-json", "", detail, line=exc.lineno, column=exc.colno))
        return None, notes
    except RecursionError:
        notes.append(RequestNote("not-json", "", "request is nested too deeply to read"))
        return None, notes
    except ValueError as exc:  # integers too long to read, NaN/Infinity, overflowing floats
        notes.append(RequestNote("not-json", "", str(exc).split("\n")[0][:200]))
        return None, notes
    return value, notes


def _json_hint(text: str, pos: int) -> str:
    """What a hand-edited request has at ``pos`` that JSON does not allow, where json's message
    names only what it expected there: a trailing comma, a comment, a single quote, a Python
    literal (``": ..."`` to follow the place), else ``""``."""
    ahead = text[pos:pos + 5]
    if ahead[:2] in ("//", "/*"):
        return ": a comment, which JSON does not have"
    if ahead[:1] in ("}", "]") and text[:pos].rstrip().endswith(","):
        return ": a comma before the end of an object or list, which JSON does not allow"
    if ahead[:1] == "'":
        return ": a single quote, where JSON's strings take double quotes"
    if ahead.startswith(("True", "False", "None")):
        return ": Python's True, False or None, where JSON writes true, false or null"
    return ""
