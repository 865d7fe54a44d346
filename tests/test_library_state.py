"""The library leaves the process as it found it, and the pre-commit path options behave."""

from __future__ import annotations

import copy
import csv
import json
import locale
import logging
import shutil
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from tests.conftest import ROOT
from validator import Config, render, validate
from validator.cli import cli
from validator.report import FORMATS

EXAMPLES = ROOT / "fixtures" / "examples"


def snapshot() -> dict[str, object]:
    root = logging.getLogger()
    return {
        "warnings": list(warnings.filters),
        "logging": (root.level, list(root.handlers), sorted(logging.root.manager.loggerDict)),
        "csv": csv.field_size_limit(),
        "pandas": copy.deepcopy(pd._config.config._global_config),  # every option, set or not
        "numpy": np.geterr(),
        "locale": locale.setlocale(locale.LC_ALL),
        "recursion": sys.getrecursionlimit(),
        "stdout": (sys.stdout, getattr(sys.stdout, "errors", None)),
    }


def test_validate_and_render_touch_no_global_state(tmp_path: Path) -> None:
    import validator.report  # noqa: F401  (imports are allowed to register loggers once)

    validate(EXAMPLES / "contacts" / "contacts.import.json")
    before = snapshot()
    (tmp_path / "pyproject.toml").write_text('[tool.hubspot-preflight]\nselect = ["ALL"]\n', encoding="utf-8")
    config = Config.from_pyproject(tmp_path / "pyproject.toml")
    for example in ("broken/contacts.import.json", "contacts-companies/import.json"):
        report = validate(EXAMPLES / example, config=config)
        for fmt in FORMATS:
            render(report, fmt)
            render(report, fmt, redact=True)
    assert snapshot() == before


def test_ignore_unpaired_skips_json_that_is_not_a_request_and_orphan_data(tmp_path: Path) -> None:
    (tmp_path / "request.json").write_text('{"name": "not an import"}', encoding="utf-8")
    (tmp_path / "orphan.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--ignore-unpaired", str(tmp_path / "request.json"),
                                      str(tmp_path / "orphan.csv")])
    assert result.exit_code == 0, result.output
    plain = CliRunner().invoke(cli, ["check", str(tmp_path / "orphan.csv")])
    assert plain.exit_code != 0


def test_a_changed_data_file_checks_its_whole_import(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "contacts-companies", tmp_path / "imp")
    result = CliRunner().invoke(cli, ["check", "--ignore-unpaired", str(tmp_path / "imp" / "companies.csv"),
                                      "--format", "json"])
    report = json.loads(result.output)
    assert sorted(f["name"] for f in report["files"]) == ["companies.csv", "contacts.csv"]


def test_emit_request_for_a_missing_file_says_so(tmp_path: Path) -> None:
    request = {"files": [{"fileName": "gone.xlsx", "fileFormat": "SPREADSHEET",
                          "fileImportPage": {"hasHeader": True, "columnMappings": []}}]}
    (tmp_path / "r.import.json").write_text(json.dumps(request), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "r.import.json"), "--emit-request"])
    assert result.exit_code == 0
    assert ('Content-Disposition: form-data; name="files"; filename="gone.xlsx"\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\n\n<not sent: ") \
        in result.output
