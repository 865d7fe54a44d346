"""bench/generate.py: deterministic files whose planted problems are found at their exact rows."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from validator import Config, validate

BENCH = Path(__file__).resolve().parent.parent / "bench"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generate = load("generate")
run = load("run")


def make(folder: Path, rows: int = 400, seed: int = 3, wide: bool = False) -> dict:
    return generate.main(["--rows", str(rows), "--seed", str(seed), "--out", str(folder)]
                         + (["--wide"] if wide else []), echo=lambda _s: None)


def test_same_arguments_same_bytes_other_seed_other_rows(tmp_path: Path) -> None:
    a, b, c = make(tmp_path / "a"), make(tmp_path / "b"), make(tmp_path / "c", seed=4)
    for name in ("contacts.csv", "companies.csv", "import.json", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert a == b
    assert [p["row"] for p in a["planted"]] != [p["row"] for p in c["planted"]]
    assert {p["kind"] for p in a["planted"]} == set(run.KIND_CODES)


@pytest.mark.parametrize("wide", [False, True])
@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_every_checkable_planted_problem_is_found_at_its_row(tmp_path: Path, reader: str, wide: bool) -> None:
    manifest = make(tmp_path, rows=600, seed=11, wide=wide)
    report = validate(tmp_path / "import.json", config=Config(reader=reader)).to_dict()
    assert {f["reader"] for f in report["files"]} == {reader}
    result = run.recall(report, manifest)
    known = run.known_codes()
    assert result["found"] == result["checkable"] == sum(1 for c in run.KIND_CODES.values() if c in known) >= 5
    assert result["false_positives"] == 0, result["false_examples"]
    planted = {(run.KIND_CODES[p["kind"]], p["row"]) for p in manifest["planted"] if run.KIND_CODES[p["kind"]] in known}
    rows = {(f["code"], f["row"]) for f in report["findings"] if f["code"] in dict(planted)}
    assert planted <= rows


def test_request_files_name_the_generated_files(tmp_path: Path) -> None:
    make(tmp_path, rows=100)
    request = json.loads((tmp_path / "import.json").read_text())
    assert [f["fileName"] for f in request["files"]] == ["contacts.csv", "companies.csv"]
    header = (tmp_path / "contacts.csv").read_bytes().split(b"\r\n", 1)[0].decode()
    names = [m["columnName"] for m in request["files"][0]["fileImportPage"]["columnMappings"]]
    assert header.split(",") == names


frictionless = load("frictionless")


def test_frictionless_schema_matches_what_the_request_maps() -> None:
    header = ["Email", "First Name", "Create Date", "Annual Revenue", "Lifecycle Stage"]
    fields = {f["name"]: f for f in frictionless.schema_for(header)["fields"]}
    assert fields["Email"] == {"name": "Email", "type": "string", "format": "email", "constraints": {"unique": True}}
    assert fields["Create Date"] == {"name": "Create Date", "type": "date", "format": "%m/%d/%Y"}
    assert fields["Annual Revenue"]["type"] == "number"
    assert "subscriber" in fields["Lifecycle Stage"]["constraints"]["enum"]
    assert fields["First Name"] == {"name": "First Name", "type": "string"}


def test_frictionless_errors_count_only_at_the_planted_row_and_field() -> None:
    planted = {"kind": "bad_date", "file": "contacts.csv", "row": 40}
    hit = {"type": "type-error", "rowNumber": 40, "fieldName": "Create Date"}
    assert frictionless.found([hit], planted) == "found"
    assert frictionless.found([{**hit, "rowNumber": 41}], planted) == "missed"
    assert frictionless.found([{**hit, "fieldName": "Email"}], planted) == "missed"
    assert frictionless.found([hit], {**planted, "kind": "broken_association_key"}) == "no equivalent"


independent = load("independent")


@pytest.mark.parametrize("dialect", [{}, {"delimiter": ";", "quoting": "minimal", "newline": "\r\n",
                                      "date_format": "DAY_MONTH_YEAR"}], ids=["quoted-lf", "semicolon-crlf-dmy"])
@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_independent_file_every_planted_problem_at_its_row(tmp_path: Path, reader: str, dialect: dict) -> None:
    manifest = independent.Independent(6_000, seed=11, **dialect).write(tmp_path)
    kinds = {p["kind"] for p in manifest["planted"]}
    assert kinds == set(independent.KINDS) and len(manifest["planted"]) == 4 * (len(kinds) - 1) + 1
    report = validate(tmp_path / "import.json", config=Config(reader=reader, max_per_rule=100_000)).to_dict()
    assert {f["reader"] for f in report["files"]} == {reader}
    result = independent.score(report, manifest)
    assert result["missed"] == [] and result["false"] == []
    assert result["found"] == len(manifest["planted"])


def test_dialect_variants_take_the_fast_path_and_report_as_the_exact_reader(tmp_path: Path, capsys) -> None:
    dialects = load("dialects")
    make(tmp_path / "source", rows=40_000, seed=5)
    assert dialects.main([str(tmp_path / "source"), "--out", str(tmp_path / "out"), "--repeat", "1", "--exact"]) == 0
    table = capsys.readouterr().out
    for variant in dialects.VARIANTS:
        row = next(line for line in table.splitlines() if line.startswith(f"| {variant} "))
        assert "| fast | yes (exact reader:" in row, row
    cp1252 = (tmp_path / "out" / "cp1252" / "contacts.csv").read_bytes()
    source = (tmp_path / "source" / "contacts.csv").read_bytes()
    assert len(cp1252) < len(source) and cp1252.count(b"\r\n") == source.count(b"\r\n")  # é: two bytes, then one
    with pytest.raises(UnicodeDecodeError):
        cp1252.decode("utf-8")
    assert b"\n" not in (tmp_path / "out" / "cr" / "contacts.csv").read_bytes()
    assert (tmp_path / "out" / "stray" / "contacts.csv").read_bytes().count(b' "Bo",') > 600
    request = json.loads((tmp_path / "out" / "one-column" / "import.json").read_text())
    assert [m["columnName"] for f in request["files"] for m in f["fileImportPage"]["columnMappings"]] == ["Email"]
