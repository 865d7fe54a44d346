"""hubspot-preflight: check a HubSpot CRM import (importRequest + CSV/XLSX files) before upload.

Library use::

    from validator import validate
    report = validate("imports/contacts.import.json")
    if not report.ok:
        for finding in report.findings:
            print(finding.file, finding.row, finding.column, finding.code, finding.message)
    print(render(report, "sarif", redact=True))     # text concise json sarif junit github hubspot csv
"""

from __future__ import annotations

__version__ = "0.1.0"

from validator.api import validate
from validator.config import Config
from validator.findings import Finding, Refusal, Report, Severity, ValidatorError
from validator.report import render

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
