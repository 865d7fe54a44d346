"""``--format json``: the versioned contract (schema_version 1). Never rename or drop a field."""

from __future__ import annotations

import json
import re
from typing import Any

from validator.findings import Report

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(value: Any) -> Any:
    """Make every string encodable as UTF-8 (lone surrogates become ``\\uXXXX`` text)."""
    if isinstance(value, str):
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", value) if _SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def render_json(report: Report) -> str:
    return json.dumps(clean(report.to_dict()), ensure_ascii=False, indent=2) + "\n"
