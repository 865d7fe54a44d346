"""Output formats: one function per format, ``render(report, fmt) -> str``.

``render(report, "sarif", redact=True)`` masks every cell value first (``--redact``).
"""

from __future__ import annotations

from collections.abc import Callable

from validator.findings import Report
from validator.report.csv_rows import render_csv
from validator.report.github import render_github, step_summary
from validator.report.hubspot import render_hubspot
from validator.report.json_format import render_json
from validator.report.junit import render_junit
from validator.report.redact import redact as redact_report
from validator.report.sarif import render_sarif
from validator.report.text import render_concise, render_text

FORMATS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "concise": render_concise,
    "json": render_json,
    "sarif": render_sarif,
    "junit": render_junit,
    "github": render_github,
    "hubspot": render_hubspot,
    "csv": render_csv,
}


def render(report: Report, fmt: str, *, redact: bool = False) -> str:
    """The report in one of ``FORMATS``; values masked when ``redact`` is true."""
    try:
        function = FORMATS[fmt]
    except KeyError:
        from validator.findings import ValidatorError

        raise ValidatorError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})") from None
    return function(redact_report(report) if redact else report)


__all__ = ["FORMATS", "redact_report", "render", "render_concise", "render_csv", "render_github", "render_hubspot",
           "render_json", "render_junit", "render_sarif", "render_text", "step_summary"]
