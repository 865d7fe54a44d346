"""A long header name is cut in the human formats, as a long cell is, and kept whole in json and sarif."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from validator import validate
from validator.findings import Report
from validator.report import render, step_summary

LONG = "N" * 20_000
SHOWN = "N" * 79 + "…"


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    monkeypatch.chdir(tmp_path)
    Path("c.csv").write_text(f"{LONG},Name\n" + "".join(f"bad{i},x\n" for i in range(3)), encoding="utf-8")
    request = {"name": "t", "files": [{"fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": LONG, "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "Name", "propertyName": "firstname"}]}}]}
    Path("c.import.json").write_text(json.dumps(request), encoding="utf-8")
    return validate("c.import.json")


def test_text_cuts_a_long_column_name(report: Report) -> None:
    lines = render(report, "text").splitlines()
    assert lines[:4] == ["c.csv",
                         f"  2:1  error   HS212 'bad0' is not a valid email address ({SHOWN})",
                         f"  3:1  error   HS212 'bad1' is not a valid email address ({SHOWN})",
                         f"  4:1  error   HS212 'bad2' is not a valid email address ({SHOWN})"]
    assert max(len(line) for line in lines) < 200


def test_concise_and_github_stay_short(report: Report) -> None:
    assert render(report, "concise").splitlines() == [f"c.csv:{r}:1: HS212 [error] 'bad{r - 2}' is not a valid email "
                                                      "address" for r in (2, 3, 4)]
    github = render(report, "github").splitlines()
    assert github[0] == (f"::error file=c.csv,line=2,title=HS212 invalid-email (3)::'bad0' is not a valid email "
                         f"address at row 2, column 1 ({SHOWN}) (and 2 more: row 3, column 1 ({SHOWN}), "
                         f"row 4, column 1 ({SHOWN}))")
    assert f"| c.csv | 2 | 1 {SHOWN} | HS212 | error | 'bad0' is not a valid email address |" in \
        step_summary(report).splitlines()
    assert max(len(line) for line in github) < 600


def test_json_and_sarif_keep_the_whole_name(report: Report) -> None:
    findings = json.loads(render(report, "json"))["findings"]
    assert [(f["row"], f["column"], f["column_name"]) for f in findings] == [(r, 1, LONG) for r in (2, 3, 4)]
    results = json.loads(render(report, "sarif"))["runs"][0]["results"]
    assert [r["properties"]["columnName"] for r in results] == [LONG] * 3
