"""The seeded fuzz loop of tests/fuzz.py: a short run in CI, and proof that it catches what it claims to."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest

import validator
from tests import fuzz
from validator import ValidatorError


def test_a_short_fuzz_run_finds_no_crash(tmp_path: Path) -> None:
    # the same loop as `python -m tests.fuzz --n 10000`, on a CI budget: 240 inputs, 3 of them
    # also through the command line in a child process
    summary = fuzz.run(240, seed=8, jobs=2, cli_every=80, out=tmp_path)
    assert [(inp.index, r.signature or r.cli, r.detail[-400:]) for inp, r in summary.crashes] == []
    assert set(summary.by_kind) == {"csv", "xlsx", "xls", "request"}
    assert sum(sum(c.values()) for c in summary.by_kind.values()) == 240
    assert summary.cli_runs == 3
    # the inputs reach the readers and rules, not only the refusals
    outcomes = sum(summary.by_kind.values(), start=fuzz.Counter())
    assert outcomes["exit1"] > 50 and outcomes["refused"] > 10
    assert not list(tmp_path.iterdir())


def test_inputs_are_a_function_of_seed_and_index() -> None:
    a, b = fuzz.make_input(3, 17), fuzz.make_input(3, 17)
    assert (a.files, a.request, a.mutations, a.chunk_rows) == (b.files, b.request, b.mutations, b.chunk_rows)
    assert fuzz.make_input(3, 18).files != a.files or fuzz.make_input(3, 18).request != a.request
    assert {fuzz.make_input(1, i).kind for i in range(40)} == {"csv", "xlsx", "xls", "request"}
    xls = [fuzz.make_input(3, i, "xls") for i in range(30)]
    assert {inp.kind for inp in xls} == {"xls"} and [x.files for x in xls] == [
        fuzz.make_input(3, i, "xls").files for i in range(30)]
    assert "x_xls" in {m for inp in xls for m in inp.mutations}


def test_a_short_run_of_xls_inputs_finds_no_crash(tmp_path: Path) -> None:
    # the .xls reader (xlrd behind xls_bounds) under the xls kind alone: BIFF records, the
    # compound file and bytes mutated; 1 input of 80 also through the command line
    summary = fuzz.run(80, seed=25, jobs=2, cli_every=80, out=tmp_path, kind="xls")
    assert [(inp.index, r.signature or r.cli, r.detail[-400:]) for inp, r in summary.crashes] == []
    assert set(summary.by_kind) == {"xls"} and summary.cli_runs == 1
    outcomes = summary.by_kind["xls"]
    assert outcomes["refused"] > 20 and outcomes["exit1"] > 5, outcomes
    assert not summary.slow


def test_a_short_run_of_titled_csv_inputs_finds_no_crash(tmp_path: Path) -> None:
    # CSVs with a title or preamble above the header (c_title first: lines with and without the
    # delimiter, blank ones, delimiters only, sep=, an unclosed quote), chunks of 3 and 7 rows
    # among them: HS608's look below the title and the first chunks joined down to its rows
    summary = fuzz.run(60, seed=27, jobs=2, cli_every=60, out=tmp_path, kind=fuzz.TITLED)
    assert [(inp.index, r.signature or r.cli, r.detail[-400:]) for inp, r in summary.crashes] == []
    assert set(summary.by_kind) == {"csv"} and summary.cli_runs == 1
    inputs = [fuzz.make_input(27, i, fuzz.TITLED) for i in range(60)]
    assert all(inp.mutations[0] == "c_title" for inp in inputs)
    assert {inp.chunk_rows for inp in inputs} == {3, 7, 50_000}
    assert not summary.slow


def _run_with(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake: Any, **kw: Any) -> fuzz.Summary:
    # the workers are forked, so they inherit the patched entry point
    monkeypatch.setattr(validator, "validate", fake)
    return fuzz.run(2, seed=1, jobs=1, cli_every=0, out=tmp_path, **kw)


def test_an_exception_is_a_crash_and_its_input_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def fake(*_a: Any, **_k: Any) -> None:
        raise KeyError("boom")

    summary = _run_with(monkeypatch, tmp_path, fake)
    assert [r.outcome for _i, r in summary.crashes] == ["crash", "crash"]
    assert all("KeyError: 'boom'" in r.detail for _i, r in summary.crashes)
    saved = sorted(p.name for p in tmp_path.iterdir())
    assert saved == ["crash-1-0", "crash-1-1"]
    text = (tmp_path / "crash-1-0" / "crash.txt").read_text()
    assert "rebuild: python -m tests.fuzz --seed 1 --only 0" in text
    assert (tmp_path / "crash-1-0" / fuzz.REQUEST).read_bytes() == fuzz.make_input(1, 0).request


def test_a_validator_error_is_the_clean_refusal_not_a_crash(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    def fake(*_a: Any, **_k: Any) -> None:
        raise ValidatorError("cannot read the request")

    summary = _run_with(monkeypatch, tmp_path, fake)
    assert summary.crashes == []
    assert sum(summary.by_kind.values(), start=fuzz.Counter()) == {"error": 2}


def test_a_hang_is_a_crash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def fake(*_a: Any, **_k: Any) -> None:
        time.sleep(60)

    started = time.monotonic()
    summary = _run_with(monkeypatch, tmp_path, fake, timeout=1.0)
    assert [r.signature for _i, r in summary.crashes] == ["hang", "hang"]
    assert time.monotonic() - started < 30


def test_a_changed_input_is_a_crash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = validator.validate

    def fake(request: Any, *a: Any, **k: Any) -> Any:
        report = real(request, *a, **k)
        Path(request).with_name("stray.txt").write_text("x")
        return report

    summary = _run_with(monkeypatch, tmp_path, fake)
    assert [r.signature for _i, r in summary.crashes] == ["input changed", "input changed"]
    assert "stray.txt" in summary.crashes[0][1].detail


# Regressions found by the fuzz runs -----------------------------------------------------------

def test_mappings_against_a_wide_header_are_matched_in_linear_time() -> None:
    # each mapping's columnName was looked for in the header cell by cell (`in` a tuple):
    # 3,000 mappings against a 200,000-cell header (1.7 MB) took HS103 11 s, mappings x columns;
    # the header's texts are counted once now
    cells = [f"h{i}" for i in range(100_000)]
    data = (",".join(cells) + "\r\n").encode()
    mappings = [{"columnObjectTypeId": "0-1", "columnName": f"missing {i}", "propertyName": "email"}
                for i in range(6000)]
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}
    started = time.process_time()
    report = validator.validate(request, files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                                config=validator.Config(select=("HS103",)))
    assert time.process_time() - started < 3  # (over 5 s of CPU before; about 1 s now)
    assert [(f.code, f.row, f.pointer) for f in report.findings[:2]] == [
        ("HS103", 1, "/files/0/fileImportPage/columnMappings/0/columnName"),
        ("HS103", 1, "/files/0/fileImportPage/columnMappings/1/columnName")]
    assert report.counts["HS103"] == 6000


def test_closest_header_hints_stay_within_a_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # seed 2, input 1694: 750 unmatched mappings against a 4,500-cell header made HS103 run
    # difflib on every pair (12 s of CPU for a 27 KB file); hints now stop after HINT_BUDGET
    # comparisons and every mapping still gets its finding
    import difflib

    from validator.checks import header

    compared = []
    real = difflib.get_close_matches

    def counting(word: str, possibilities: list[str], **kw: Any) -> list[str]:
        compared.append(len(possibilities))
        return real(word, possibilities, **kw)

    monkeypatch.setattr(header.difflib, "get_close_matches", counting)
    cells = [f"h{i}" for i in range(2000)]
    data = (",".join(cells) + "\r\n" + ",".join("v" for _ in cells) + "\r\n").encode()
    names = ["Emial"] + [f"missing column {i}" for i in range(299)]
    mappings = [{"columnObjectTypeId": "0-1", "columnName": n, "propertyName": "email"} for n in names]
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}
    report = validator.validate(request, files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                                config=validator.Config(select=("HS103",)))
    assert [(f.code, f.row) for f in report.findings] == [("HS103", 1)] * 300
    assert sum(compared) <= header.HINT_BUDGET and len(compared) == header.HINT_BUDGET // 2000
    small = b"Email,First Name\r\na@x.com,Ann\r\n"
    request["files"][0]["fileImportPage"]["columnMappings"] = mappings[:1]
    report = validator.validate(request, files={"data.csv": io.BytesIO(small)}, base_dir="/nonexistent",
                                config=validator.Config(select=("HS103",)))
    assert [f.message for f in report.findings] == [
        "columnName 'Emial' is not in the header; closest header is 'Email'"]
