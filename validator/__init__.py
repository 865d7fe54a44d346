"""hubspot-preflight: check a HubSpot CRM import (importRequest + CSV/XLSX files) before upload.

Library use::

    from validator import render, validate
    report = validate("imports/contacts.import.json")
    if not report.ok:
        for finding in report.findings:
            print(finding.file, finding.row, finding.column, finding.code, finding.message)
    print(render(report, "sarif", redact=True))     # text concise json sarif junit github hubspot csv
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from validator.api import validate
    from validator.config import Config
    from validator.findings import Finding, Refusal, Report, Severity, ValidatorError
    from validator.report import render

# Imported on first use (PEP 562): `python -m validator` and the console script then start
# without pandas, so Ctrl-C during start-up reaches the CLI's handler instead of printing a
# traceback from the middle of an import.
_LAZY = {"validate": "validator.api", "Config": "validator.config", "Finding": "validator.findings",
         "Refusal": "validator.findings", "Report": "validator.findings", "Severity": "validator.findings",
         "ValidatorError": "validator.findings", "render": "validator.report"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'validator' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "Config",
    "Finding",
    "Refusal",
    "Report",
    "Severity",
    "ValidatorError",
    "__version__",
    "render",
    "validate",
]
