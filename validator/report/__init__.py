"""Output formats: one function per format, ``render(report, fmt) -> str``.

``render(report, "sarif", redact=True)`` masks every cell value first (``--redact``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from validator.findings import Report, ValidatorError
from validator.report import (
    azure,
    csv_rows,
    github,
    gitlab,
    hubspot,
    json_format,
    json_lines,
    junit,
    redact,
    sarif,
    text,
)

T = TypeVar("T")


def _takes_report(function: Callable[..., T], name: str) -> Callable[..., T]:
    """``function`` as the package exports it: anything but a Report is misuse, said as such
    (not an AttributeError from deep inside a format)."""
    @functools.wraps(function)
    def checked(report: Report, **options: Any) -> T:
        _a_report(report, name)
        return function(report, **options)
    return checked


def _a_report(report: Any, name: str) -> None:
    if not isinstance(report, Report):
        raise ValidatorError(f"{name}() takes a Report, not {type(report).__name__}")


render_text = _takes_report(text.render_text, "render_text")
render_concise = _takes_report(text.render_concise, "render_concise")
render_pylint = _takes_report(text.render_pylint, "render_pylint")
render_json = _takes_report(json_format.render_json, "render_json")
render_json_lines = _takes_report(json_lines.render_json_lines, "render_json_lines")
render_sarif = _takes_report(sarif.render_sarif, "render_sarif")
render_junit = _takes_report(junit.render_junit, "render_junit")
render_github = _takes_report(github.render_github, "render_github")
render_gitlab = _takes_report(gitlab.render_gitlab, "render_gitlab")
render_azure = _takes_report(azure.render_azure, "render_azure")
render_hubspot = _takes_report(hubspot.render_hubspot, "render_hubspot")
render_csv = _takes_report(csv_rows.render_csv, "render_csv")
step_summary = _takes_report(github.step_summary, "step_summary")
redact_report = _takes_report(redact.redact, "redact_report")

FORMATS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    # ruff's names for it: text is ruff's grouped layout already, and ruff's full adds the source
    # lines around a finding, where a finding here has none beyond its value, which its message quotes
    "grouped": render_text,
    "full": render_text,
    "concise": render_concise,
    "pylint": render_pylint,
    "json": render_json,
    "json-lines": render_json_lines,
    "sarif": render_sarif,
    "junit": render_junit,
    "github": render_github,
    "gitlab": render_gitlab,
    "azure": render_azure,
    "hubspot": render_hubspot,
    "csv": render_csv,
}


def render(report: Report, fmt: str, *, redact: bool = False) -> str:
    """The report in one of ``FORMATS``; values masked when ``redact`` is true."""
    _a_report(report, "render")
    if not isinstance(fmt, str):
        raise ValidatorError(f"render() takes a format name, not {type(fmt).__name__}")
    try:
        function = FORMATS[fmt]
    except KeyError:
        raise ValidatorError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})") from None
    return function(redact_report(report) if redact else report)


__all__ = ["FORMATS", "redact_report", "render", "render_azure", "render_concise", "render_csv", "render_github",
           "render_gitlab", "render_hubspot", "render_json", "render_json_lines", "render_junit", "render_pylint",
           "render_sarif", "render_text", "step_summary"]
