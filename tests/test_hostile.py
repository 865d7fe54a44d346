"""Every class of the hostile-input catalogue, through the real CLI in a child process.

Per class: the outcome model (exit 0/1/2, no traceback, no signal death, no hang, inputs
byte-identical, nothing written beside them, no raw control or bidi characters in the output),
the time and memory bound for refusals of bombs and over-limit inputs, and the class's own
expectation from ``tests/hostile/catalogue.toml``. Expectations that another issue delivers are
reported as xfail naming that issue; the safety assertions run for every class regardless.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.catalogue import REFERENCE, load, missing, parse_markdown
from tests.hostile.generate import REGISTRY, Case, build_case
from tests.hostile.harness import (
    BOUND_MB,
    BOUND_SECONDS,
    Outcome,
    expectation_problems,
    run_case,
    safety_problems,
)

ENTRIES = {e["id"]: e for e in load()}
_OUTCOMES: dict[str, Outcome] = {}
_CASES: dict[str, Case] = {}


def case_of(cid: str) -> Case:
    """A case's settings without its bytes, built once (the bytes are built again for the run
    and dropped after it, so the test process does not hold every fixture at once)."""
    if cid not in _CASES:
        _CASES[cid] = dataclasses.replace(build_case(cid), files={})
    return _CASES[cid]


def outcome(cid: str) -> Outcome:
    """Each case runs once per session; both tests below judge the same run."""
    if cid not in _OUTCOMES:
        with tempfile.TemporaryDirectory(prefix=f"hostile-{cid}-") as tmp:
            try:
                _OUTCOMES[cid] = run_case(build_case(cid), Path(tmp))
            finally:
                for dirpath, dirnames, _files in os.walk(tmp):  # undo chmod 0 fixtures
                    for name in dirnames:
                        os.chmod(os.path.join(dirpath, name), 0o755)
    return _OUTCOMES[cid]


@pytest.fixture(scope="session")
def baseline_rss(request: pytest.FixtureRequest) -> float:
    """Peak RSS of the CLI checking a clean two-row file: interpreter, pandas and pyarrow.

    Measured once, alone; then every case whose result does not depend on wall-clock timing
    runs two at a time (one per core on CI; each child is mostly interpreter start-up), the
    heavy ones first so none is left running alone at the end. The bounds on bombs and
    over-limit inputs hold CPU time and peak RSS, which a neighbour does not change. Only the
    cases that act on the child after a delay (Ctrl-C, a file growing during the check) run
    alone, when their test comes."""
    selected = {item.callspec.params["cid"] for item in request.session.items
                if getattr(item, "callspec", None) is not None and "cid" in item.callspec.params
                and item.module is not None and item.module.__name__ == __name__}
    calm = [cid for cid in ENTRIES if cid in selected and cid != "A1" and _parallel_safe(cid)]
    calm.sort(key=lambda cid: not (case_of(cid).bounded or case_of(cid).timeout > 20))  # heavy first
    base = outcome("A1").maxrss_mb
    with ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
        list(pool.map(outcome, calm))
    return base


def _parallel_safe(cid: str) -> bool:
    case = case_of(cid)
    return not (case.interrupt_after or case.during)


def test_every_catalogue_class_has_a_fixture() -> None:
    assert missing() == []
    assert sorted(set(REGISTRY) - set(ENTRIES)) == []


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference catalogue not checked out beside the repo")
def test_catalogue_matches_the_reference() -> None:
    ref = parse_markdown(REFERENCE.read_text(encoding="utf-8"))
    assert [r["id"] for r in ref] == list(ENTRIES)
    assert {r["id"]: r["required"] for r in ref} == {k: e["required"] for k, e in ENTRIES.items()}


@pytest.mark.parametrize("cid", list(ENTRIES))
def test_hostile_input_is_handled(cid: str, baseline_rss: float) -> None:
    entry: dict[str, Any] = ENTRIES[cid]
    o = outcome(cid)
    case = case_of(cid)
    problems = safety_problems(case, o)
    if case.bounded:
        # CPU time, not wall time: CI's two cores are shared, so wall time measures the neighbours;
        # and over the CLI's own, as memory is (its start-up, ~0.5-1.3 s, is most of a refusal's
        # CPU and grows with a slow hour of a shared machine: E10 took 2.17 s in all in one)
        own = outcome("A1").cpu_seconds
        if o.cpu_seconds - own > BOUND_SECONDS:
            problems.append(f"took {o.cpu_seconds:.2f} s of CPU, {o.cpu_seconds - own:.2f} s over the CLI's own "
                            f"{own:.2f} s (bound {BOUND_SECONDS} s)")
        if o.maxrss_mb - baseline_rss > BOUND_MB:
            problems.append(f"peak RSS {o.maxrss_mb:.0f} MB, {o.maxrss_mb - baseline_rss:.0f} MB over the "
                            f"CLI's own {baseline_rss:.0f} MB (bound {BOUND_MB:.0f} MB)")
    problems += expectation_problems(entry["expect"], o)
    assert not problems, f"{cid} {entry['title']}: {problems}\n{o.describe()}"


PENDING = [cid for cid, e in ENTRIES.items() if "pending" in e]


if PENDING:  # none now: every class meets its required behaviour (no empty parameter set then)
    @pytest.mark.parametrize("cid", PENDING)
    def test_pending_expectation(cid: str, baseline_rss: float) -> None:
        pending = dict(ENTRIES[cid]["pending"])
        issue = pending.pop("issue")
        reason = pending.pop("reason", "")
        problems = expectation_problems(pending, outcome(cid))
        if problems:
            pytest.xfail(f"{cid}: waits for {issue}{f' ({reason})' if reason else ''}: {'; '.join(problems)}")


def test_catalogue_script_lists_a_class_without_fixture(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from tests.hostile import catalogue

    assert catalogue.main([]) == 0
    monkeypatch.delitem(REGISTRY, "B8")
    assert catalogue.main([]) == 1
    assert "B8: no fixture" in capsys.readouterr().out


def test_corpus_runner_checks_copies_of_external_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.hostile.corpus import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "unclosed.csv").write_bytes(b'Email,Name\r\na@x.com,"Ann\r\n')
    (corpus / "renamed.xls").write_bytes(b"Email\r\na@x.com\r\n")
    before = {p.name: p.read_bytes() for p in corpus.iterdir()}
    assert main([str(corpus), "--jobs", "1"]) == 0
    assert "2 files, 0 broke the outcome model (exit 1: 2)" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in corpus.iterdir()} == before
