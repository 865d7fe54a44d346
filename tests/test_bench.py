"""bench/generate.py: deterministic files whose planted problems are found at their exact rows."""

from __future__ import annotations

import csv
import importlib.util
import itertools
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


# the kinds of problem real files have beside the first fifteen: code, file and column each is planted in
MORE_KINDS = {
    "date_other_order": ("HS201", "contacts.csv", "Signed Up"), "epoch_seconds": ("HS202", "contacts.csv", "Signed Up"),
    "not_a_phone": ("HS215", "contacts.csv", "Mobile"),
    "email_spaces": ("HS409", "contacts.csv", "E-mail"), "value_too_long": ("HS218", "contacts.csv", "Remarks"),
    "zero_width_space": ("HS431", "contacts.csv", "Given Name"), "null_marker": ("HS254", "contacts.csv", "Role"),
    "zip_point_zero": ("HS438", "contacts.csv", "Postcode"), "zip_lost_zero": ("HS428", "contacts.csv", "Postcode"),
    "stage_other_case": ("HS210", "contacts.csv", "Stage"), "stage_label": ("HS208", "contacts.csv", "Stage"),
    "formatted_number": ("HS206", "companies.csv", "Revenue"), "duplicate_domain": ("HS301", "companies.csv", "Domain"),
}


@pytest.mark.parametrize("dialect", [{}, {"delimiter": ";", "quoting": "minimal", "newline": "\r\n",
                                      "date_format": "DAY_MONTH_YEAR"},
                                     {"delimiter": "|", "newline": "\r\n", "date_format": "YEAR_MONTH_DAY"}],
                         ids=["quoted-lf", "semicolon-crlf-dmy", "pipe-crlf-ymd"])
@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_independent_file_every_planted_problem_at_its_row(tmp_path: Path, reader: str, dialect: dict) -> None:
    manifest = independent.Independent(6_000, seed=11, **dialect).write(tmp_path)
    kinds = {p["kind"] for p in manifest["planted"]}
    assert kinds == set(independent.KINDS) - {"legacy_accent"}  # (a Windows-1252 file's only)
    assert len(manifest["planted"]) == 4 * (len(kinds) - 1) + 1
    assert set(MORE_KINDS) <= kinds and len(kinds) == 28
    for p in manifest["planted"]:
        if p["kind"] in MORE_KINDS:
            assert (p["code"], p["file"], p["column_name"]) == MORE_KINDS[p["kind"]]
            assert p.get("expected", True) is (p["kind"] != "stage_label")
    report = validate(tmp_path / "import.json", config=Config(reader=reader, max_per_rule=100_000)).to_dict()
    assert {f["reader"] for f in report["files"]} == {reader}
    result = independent.score(report, manifest)
    assert result["missed"] == [] and result["false"] == []
    assert result["found"] == len(manifest["planted"]) - 4  # the four option labels: found by nothing
    assert all(hit == total == (1 if kind == "unclosed_quote" else 4)
               for kind, (hit, total) in result["per_kind"].items())
    # each planted at its cell: the code at the row and column the manifest names
    cells = {(f["code"], f["file"], f["row"], f["column_name"]) for f in report["findings"]}
    for p in manifest["planted"]:
        if p["kind"] in MORE_KINDS and p["kind"] != "stage_label":
            assert (p["code"], p["file"], p["row"], p["column_name"]) in cells, p
        elif p["kind"] == "stage_label":
            assert not any(c[1:] == (p["file"], p["row"], p["column_name"]) for c in cells), p


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_independent_windows_1252_file_every_planted_problem_at_its_row(tmp_path: Path, reader: str) -> None:
    # saved as Excel on Windows saves CSV: every segment holds bytes that are not UTF-8 (the fast
    # reader parses them as bytes), ragged rows among them; each accented town is HS402 at its cell
    manifest = independent.Independent(6_000, seed=11, encoding="cp1252").write(tmp_path)
    data = (tmp_path / "contacts.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and "Zürich".encode("cp1252") in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    kinds = {p["kind"] for p in manifest["planted"]}
    assert kinds == set(independent.KINDS) - set(independent.NOT_IN_1252)
    accents = [p for p in manifest["planted"] if p["kind"] == "legacy_accent"]
    assert len(accents) >= 10 and all((p["code"], p["column_name"]) == ("HS402", "Town") for p in accents)
    report = validate(tmp_path / "import.json", config=Config(reader=reader, max_per_rule=100_000)).to_dict()
    assert {f["reader"] for f in report["files"]} == {reader}
    result = independent.score(report, manifest)
    assert result["missed"] == [] and result["false"] == []
    assert result["found"] == len(manifest["planted"]) - 4
    cells = {(f["code"], f["file"], f["row"], f["column_name"]) for f in report["findings"]}
    assert all((p["code"], p["file"], p["row"], p["column_name"]) in cells for p in accents)
    assert "HS403" in result["other_codes"]  # the file named as Windows-1252


def test_independent_plants_next_to_chunk_boundaries_in_both_files() -> None:
    gen = independent.Independent(1_048_576, seed=32)
    edges = [r for r in gen.plan if r % 50_000 in (49_999, 0, 1, 2, 3, 4)]
    assert len(edges) == 2 * 20  # two next to each of the 20 boundaries (row 50,001 ends a chunk, 50,002 starts one)
    assert len({gen.plan[r] for r in edges}) >= 20  # the kinds in turn, not the first ones alone
    assert [r for r in gen.company_plan if r % 50_000 in (49_999, 0, 1, 2, 3, 4)] != []
    rows = sorted(r for r, kind in gen.plan.items() if kind != "unclosed_quote")
    assert all(b - a >= 3 for a, b in itertools.pairwise(rows))
    assert all(gen.repeats[r] < r and gen.repeats[r] not in gen.company_plan for r in gen.repeats)


def test_independent_score_counts_a_finding_on_a_cell_that_must_not_be_reported() -> None:
    planted = [{"kind": "stage_label", "code": "HS208", "file": "contacts.csv", "row": 40, "column_name": "Stage",
                "expected": False},
               {"kind": "not_a_phone", "code": "HS215", "file": "contacts.csv", "row": 50, "column_name": "Mobile"}]
    phone = {"code": "HS215", "file": "contacts.csv", "row": 50, "column_name": "Mobile"}
    result = independent.score({"findings": [phone]}, {"planted": planted})
    assert result["per_kind"] == {"stage_label": [1, 1], "not_a_phone": [1, 1]}
    assert (result["found"], result["planted"], result["false"], result["missed"]) == (1, 1, [], [])
    # any code on the label's cell is a false positive (HS210, not only HS208); the phone's code elsewhere a miss
    case = {"code": "HS210", "file": "contacts.csv", "row": 40, "column_name": "Stage"}
    result = independent.score({"findings": [case, {**phone, "column_name": "E-mail"}]}, {"planted": planted})
    assert result["per_kind"] == {"stage_label": [0, 1], "not_a_phone": [0, 1]}
    assert result["false"] == [("HS210", "contacts.csv", 40)]
    assert result["missed"] == [("HS215", "contacts.csv", 50)]


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


def test_shapes_are_written_once_and_timed_against_the_read(tmp_path: Path) -> None:
    shapes = load("shapes")
    make(tmp_path / "source", rows=500, seed=5)
    lines: list[str] = []
    results = shapes.main([str(tmp_path / "source"), "--out", str(tmp_path / "out"), "--repeat", "1",
                           "--only", "quoted", "--only", "dvorak", "--only", "wide-500"], echo=lines.append)
    assert [r["shape"] for r in results] == ["quoted", "dvorak", "wide-500"]
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| quoted", "| dvorak", "| wide-500"]
    assert all(r["check_s"] > 0 and r["read_s"] > 0 and r["rss"] > 0 for r in results)
    quoted = (tmp_path / "out" / "quoted" / "contacts.csv").read_bytes()
    assert quoted.startswith(b'"Email","First Name"') and quoted.count(b'"\r\n"') >= 495  # every value quoted
    rows = (tmp_path / "out" / "dvorak" / "contacts.csv").read_text(encoding="utf-8", errors="replace")
    assert rows.count(",Dvořák,") >= 490  # (a planted ragged or blank row aside)
    wide = (tmp_path / "out" / "wide-500" / "contacts.csv").read_text(encoding="utf-8").splitlines()
    assert len(wide) == 1 + 500 * 2 // 5 and {line.count(",") for line in wide} == {499}
    before = (tmp_path / "out" / "dvorak" / "contacts.csv").stat().st_mtime_ns
    shapes.main([str(tmp_path / "source"), "--out", str(tmp_path / "out"), "--only", "dvorak", "--only", "export-500",
                 "--make-only"])
    with (tmp_path / "out" / "export-500" / "contacts.csv").open(encoding="utf-8", errors="surrogateescape",
                                                                 newline="") as fh:
        export = list(csv.reader(fh))
    assert len(export) == 1 + 500 * 2 // 5 and export[0][13:15] == ["Custom 1", "Custom 2"]
    assert sum(len(r) == 500 for r in export) >= 195 and not any(any(r[-427:]) for r in export[1:] if r)
    assert any(any(r[13:73]) for r in export[1:])  # (60 columns filled in one row in ten)
    request = json.loads((tmp_path / "out" / "export-500" / "import.json").read_text())
    assert len(request["files"][0]["fileImportPage"]["columnMappings"]) == 500
    assert (tmp_path / "out" / "dvorak" / "contacts.csv").stat().st_mtime_ns == before  # (reused)
