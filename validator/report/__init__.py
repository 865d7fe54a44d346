"""Output formats: one function per format, ``render(report, fmt) -> str``."""

from __future__ import annotations

from collections.abc import Callable

from validator.findings import Report
from validator.report.json_format import render_json
from validator.report.text import render_concise, render_text

FORMATS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "concise": render_concise,
    "json": render_json,
}


def render(report: Report, fmt: str) -> str:
    try:
        return FORMATS[fmt](report)
    except KeyError:
        from validator.findings import ValidatorError

        raise ValidatorError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})") from None


__all__ = ["FORMATS", "render", "render_concise", "render_json", "render_text"]
