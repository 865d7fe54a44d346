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


@pytest.fixture(params=["native", "polars"])
def fast_hash(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The fast hash a large run uses (``hashing(fast=True)``): the native kernel's XXH64, or
    polars' where the kernel was not built (turned off here)."""
    from validator import native

    if request.param == "polars":
        monkeypatch.setattr(native, "kernels", None)
    elif native.kernels is None:
        pytest.fail(f"the native kernels are not built: install with a C compiler (or set {native.ENV}=0 "
                    "to run the tests without them)")
    return str(request.param)


@pytest.fixture
def polars_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Large runs hash with polars, as where the native kernel was not built."""
    from validator import native

    monkeypatch.setattr(native, "kernels", None)
