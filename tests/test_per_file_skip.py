"""A rule a per-file-ignore turns off for a file does not run there (its findings would be
dropped), with the very report it gave when it ran; rules whose work on one file makes findings
on another still run on it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from validator import Config, validate
from validator import engine as engine_module
from validator.checks import all_rules
from validator.report import render

TWO_FILES = ROOT / "fixtures" / "examples" / "two-file-broken" / "import.json"

_REQUEST = {"name": "two", "importOperations": {"0-1": "UPSERT"}, "files": [
    {"fileName": "a.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
        {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email",
         "columnType": "HUBSPOT_ALTERNATE_ID"}]}},
    {"fileName": "b.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
        {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email",
         "columnType": "HUBSPOT_ALTERNATE_ID"},
        {"columnObjectTypeId": "0-1", "columnName": "Other", "propertyName": "hs_additional_emails"}]}}]}


def _emails(tmp_path: Path) -> Path:
    # a.csv: HS301 and HS304 at row 4; b.csv: HS308 at row 2, from a.csv's emails
    (tmp_path / "a.csv").write_text("Email\nann@x.com\nbo@x.com\nbo@x.com\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("Email,Other\ncy@x.com,ann@x.com\ndi@x.com,zed@x.com\n", encoding="utf-8")
    path = tmp_path / "import.json"
    path.write_text(json.dumps(_REQUEST), encoding="utf-8")
    return path


def _json(request: Path, config: Config) -> dict[str, Any]:
    report = json.loads(render(validate(request, config=config), "json"))
    report.pop("summary")
    for f in report["files"]:
        f.pop("seconds", None)
    return report


def _found(report: dict[str, Any]) -> list[tuple[str, str, int | None, int | None]]:
    return [(f["code"], f["file"], f["row"], f["column"]) for f in report["findings"]]


@pytest.mark.parametrize("reader", ["exact", "fast"])
@pytest.mark.parametrize(("example", "ignores", "kept"), [
    # HS314 of companies.csv takes contacts.csv's emails: it runs on contacts.csv though ignored there
    ("two", {"contacts.csv": ["HS301", "HS314", "HS231"]}, [("HS314", "companies.csv", 4, 3)]),
    # HS308 of b.csv takes a.csv's emails (spans_files)
    ("emails", {"a.csv": ["HS301", "HS304", "HS308"]}, [("HS308", "b.csv", 2, 2)]),
    ("emails", {"*.csv": ["HS304"], "b.csv": ["HS308", "HS301"]}, [("HS301", "a.csv", 4, 1)]),
])
def test_rules_skipped_for_a_file_give_the_report_they_gave_when_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str, example: str,
        ignores: dict[str, list[str]], kept: list[tuple[str, str, int, int]]) -> None:
    request = TWO_FILES if example == "two" else _emails(tmp_path)
    config = Config(per_file_ignores=ignores, reader=reader)
    skipped = _json(request, config)
    for code, file, _row, _column in _found(skipped):
        assert not any(code in codes for glob, codes in ignores.items() if glob in (file, "*.csv")), code
    assert [f for f in _found(skipped) if f in kept] == kept
    monkeypatch.setattr(engine_module, "file_rules", lambda hooks, skip, file: hooks)  # every rule runs
    assert _json(request, config) == skipped


def test_a_rule_ignored_for_a_file_is_not_called_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # HS301 and HS304 (whose record hashes the fast reader makes for it alone) ran over every
    # chunk of a.csv, and their findings there were dropped afterwards; HS308 is kept for b.csv
    rules = all_rules()
    calls: Counter[tuple[str, str, str]] = Counter()
    for code in ("HS301", "HS304", "HS308"):
        cls = rules[code]
        for hook in sorted({"on_header", "on_chunk", "on_file_end"}.intersection(cls.hooks())):
            real = getattr(cls, hook)

            def counted(self: Any, *args: Any, _real: Any = real, _hook: str = hook, _code: str = code) -> Any:
                file = args[-1]
                calls[(_code, _hook, file.name)] += 1
                return _real(self, *args)
            monkeypatch.setattr(cls, hook, counted)
    hashers: list[Any] = []
    real_hasher = engine_module.record_hasher
    monkeypatch.setattr(engine_module, "record_hasher", lambda: hashers.append(1) or real_hasher())
    report = validate(_emails(tmp_path), config=Config(per_file_ignores={"a.csv": ["HS301", "HS304", "HS308"]},
                                                       chunk_rows=1))
    assert [(f.code, f.file, f.row, f.column) for f in report.findings if f.code.startswith("HS3")] == [
        ("HS308", "b.csv", 2, 2)]
    assert not any(file == "a.csv" and code in ("HS301", "HS304") for code, _hook, file in calls)
    assert calls[("HS301", "on_chunk", "b.csv")] == 2 and calls[("HS304", "on_chunk", "b.csv")] == 2
    assert calls[("HS308", "on_chunk", "a.csv")] == 3 and calls[("HS308", "on_file_end", "a.csv")] == 1
    assert len(hashers) == 1  # b.csv's, for HS304 there


def test_an_empty_file_whose_hs116_is_ignored_still_drops_its_other_findings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # HS116's finding makes the engine drop the file's others (HS103 and HS113 here): it runs
    # though ignored there
    request = _emails(tmp_path)
    (tmp_path / "a.csv").write_bytes(b"\n\n")
    assert _found(_json(request, Config())) == [("HS116", "a.csv", None, None)]
    config = Config(per_file_ignores={"a.csv": ["HS116"]})
    skipped = _json(request, config)
    assert _found(skipped) == []
    monkeypatch.setattr(engine_module, "file_rules", lambda hooks, skip, file: hooks)
    assert _json(request, config) == skipped
