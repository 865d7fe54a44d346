"""``--format json``: the versioned contract (schema_version 1). Never rename or drop a field.

Every JSON the tool writes (``json``, ``json-lines``, ``sarif``, ``gitlab``, ``hubspot``,
``explain-errors --format json``) is made by ``dumps``: besides JSON's own escapes (U+0000 to
U+001F), NEL and the other C1 controls, U+2028, U+2029, bidi and invisible characters from the
input are written as ``\\uXXXX`` escapes, which decode to the same text, so none reaches a
terminal, a log or a line-splitting reader raw.
"""

from __future__ import annotations

import json
import re
from typing import Any

from validator.findings import Report

_SURROGATE = re.compile("[\ud800-\udfff]")
# (JSON's own escaping covers U+0000 to U+001F; these are what str.splitlines() and terminals also take)
UNSAFE = re.compile("[\x7f-\x9f\u00ad\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def clean(value: Any) -> Any:
    """Make every string encodable as UTF-8 (lone surrogates become ``\\uXXXX`` text)."""
    if isinstance(value, str):
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", value) if _SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def escaped(text: str) -> str:
    """JSON text with those characters as ``\\uXXXX`` escapes (outside strings JSON has none), and
    the ``[`` of an Azure Pipelines logging command's ``##vso[`` too (its agent runs one wherever it
    stands in a line a step writes; the string reads back the same)."""
    if "##vso[" in text:
        text = text.replace("##vso[", "##vso\\u005b")
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def dumps(obj: object, *, indent: int | None = None) -> str:
    """``obj`` as JSON text, UTF-8 where it can be, those characters escaped (no final line feed)."""
    return escaped(json.dumps(clean(obj), ensure_ascii=False, indent=indent))


def render_json(report: Report) -> str:
    return dumps(report.to_dict(), indent=2) + "\n"
