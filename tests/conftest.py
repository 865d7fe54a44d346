from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"



def write_csv_import(tmp_path: Path, columns: list[tuple[str, str, str]], rows: list[list[str]]) -> Path:
    """A one-file CSV import (``data.csv``, ``import.json`` in ``tmp_path``) of (columnName,
    object, property) columns and its rows; the request's path."""
    with open(tmp_path / "data.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows([[c for c, _, _ in columns], *rows])
    request = {"name": "x", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [{"columnName": c, "columnObjectTypeId": o, "propertyName": p}
                                              for c, o, p in columns]}}]}
    (tmp_path / "import.json").write_text(json.dumps(request), encoding="utf-8")
    return tmp_path / "import.json"


settings.register_profile(
    "ci", max_examples=100, derandomize=True, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile(
    "nightly", max_examples=10_000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside GitHub Actions the CLI picks the github format; tests choose it explicitly."""
    for name in ("GITHUB_ACTIONS", "GITHUB_WORKFLOW", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
