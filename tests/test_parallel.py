"""Large-input settings change how fast a report comes, never what it says: polars key hashes
against pandas' hashes, two rule threads against one, on a generated import with every kind of
planted problem (duplicate and case-variant emails, identical rows, broken association keys,
undecodable bytes that make one chunk's column Python-stored)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.test_bench import make
from validator import Config, engine, validate
from validator.keys import hashes, hashing


def _json(report: Any) -> dict[str, Any]:
    rep = json.loads(json.dumps(report.to_dict(), default=str))
    rep["summary"].pop("seconds", None)
    for f in rep.get("files", []):
        f.pop("seconds", None)
    return rep


def make_large_import(folder: Path) -> Path:
    """The generated import (every kind of planted problem, 3,000 rows) with a whole record
    repeated further down (HS304); its import.json."""
    make(folder, rows=3000, seed=11)
    contacts = folder / "contacts.csv"
    lines = contacts.read_bytes().split(b"\r\n")
    # a whole record on one line (no quote in it, none open before it), repeated further down
    i = next(i for i in range(40, len(lines)) if b'"' not in lines[i] and b"".join(lines[:i]).count(b'"') % 2 == 0)
    lines.insert(i + 30, lines[i])
    contacts.write_bytes(b"\r\n".join(lines))
    return folder / "import.json"


@pytest.fixture(scope="module")
def bench_import(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_large_import(tmp_path_factory.mktemp("parallel"))


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_large_input_settings_give_the_same_report(bench_import: Path, reader: str,
                                                   monkeypatch: pytest.MonkeyPatch, fast_hash: str) -> None:
    small = _json(validate(bench_import, config=Config(reader=reader, chunk_rows=450, threads=1)))
    monkeypatch.setattr(engine, "LARGE_INPUT", 0)  # the fast hash (``fast_hash``'s) and, by default, two threads
    large = _json(validate(bench_import, config=Config(reader=reader, chunk_rows=450)))
    assert large == small
    codes = {f["code"] for f in small["findings"]}
    assert {"HS301", "HS304", "HS314", "HS402"} <= codes  # the key rules did find something


def test_two_threads_same_report(bench_import: Path) -> None:
    one = _json(validate(bench_import, config=Config(chunk_rows=333, threads=1)))
    two = _json(validate(bench_import, config=Config(chunk_rows=333, threads=2)))
    assert one == two


def test_polars_and_pandas_hashes_agree_on_duplicates() -> None:
    values = ["a@x.com", "b@x.com", "a@x.com", "", "é", "é", "b@x.com "]
    arrow = pd.Series(values, dtype=pd.StringDtype("pyarrow"))
    python = pd.Series([*values, "bad\udcff", "bad\udcff"], dtype=pd.StringDtype("python"))
    for fast in (False, True):
        with hashing(fast=fast):
            a = hashes(arrow)
            p = hashes(python)
        assert p[: len(values)].tolist() == a.tolist()  # a cell hashes the same in either storage
        assert p[-1] == p[-2] and p[-1] not in a
        assert (a[0] == a[2]) and (a[1] != a[6]) and (a[4] == a[5]) and len(set(a.tolist())) == 5


def test_polars_hashes_the_bytes_whatever_the_arrow_type(polars_hash: None) -> None:
    """Cells go to polars as the Arrow type they have: string, large string and binary pieces of
    the same bytes hash alike, also mixed in one column."""
    import pyarrow as pa

    from validator.keys import _polars, _polars_hash

    polars = _polars()
    texts = ["a@x.com", "", "é", "x" * 40, "b@x.com "]
    raw = [t.encode() for t in texts]
    want = _polars_hash(polars, [pa.array(texts, pa.binary_view())]).tolist()
    assert _polars_hash(polars, [pa.array(texts, pa.large_string())]).tolist() == want
    assert _polars_hash(polars, [pa.array(raw, pa.binary())]).tolist() == want
    mixed = [pa.array(texts[:2], pa.string()), pa.array(raw[2:], pa.large_binary())]
    assert _polars_hash(polars, mixed).tolist() == want
    assert _polars_hash(polars, []).tolist() == []


def test_hashing_choice_is_restored(fast_hash: str) -> None:
    before = hashes(pd.Series(["x"]))
    with hashing(fast=True):
        fast = hashes(pd.Series(["x"]))
    assert hashes(pd.Series(["x"])).tolist() == before.tolist()
    assert fast.dtype == np.uint64 and fast.tolist() != before.tolist()  # the fast hash really hashed inside


def test_polars_loads_beside_the_run_and_no_import_outlives_it(monkeypatch: pytest.MonkeyPatch,
                                                               polars_hash: None) -> None:
    """The run starts reading while polars is imported on a thread; the first hash waits for the
    import, and the run's end for its thread (even where nothing was hashed)."""
    import threading
    import time

    from validator.keys import hashers as keys

    real = keys._polars

    def slow() -> object:
        time.sleep(0.3)
        return real()

    monkeypatch.setattr(keys, "_polars", slow)
    started = time.perf_counter()
    with hashing(fast=True):
        assert time.perf_counter() - started < 0.2  # the run went on at once
    assert not any(t.name == "import-polars" for t in threading.enumerate())
    with hashing(fast=True):
        fast = hashes(pd.Series(["x"]))
    with hashing(fast=False):
        slow_hash = hashes(pd.Series(["x"]))
    assert fast.tolist() != slow_hash.tolist()  # the first hash waited for polars, and used it


@pytest.mark.parametrize("n", [0, 1, 2, 7, 1000])
@pytest.mark.parametrize("high", [3, 60, 2**63])
def test_distinct_keys_match_numpy_unique(n: int, high: int) -> None:
    from validator.keys import _distinct

    keys = np.random.default_rng(n + high % 97).integers(0, high, size=n, dtype=np.uint64)
    want = np.unique(keys, return_index=True, return_inverse=True)
    got = _distinct(keys)
    for w, g in zip(want, got, strict=True):
        assert np.array_equal(w.ravel(), g)


def test_a_failing_rule_on_either_thread_waits_for_the_other(tmp_path: Path) -> None:
    """The engine's chunk step returns only when both threads are done, and re-raises."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from validator.context import FileContext
    from validator.readers.base import Chunk

    done: list[str] = []

    class Slow:
        def on_chunk(self, chunk: Chunk, file: FileContext) -> list[object]:
            time.sleep(0.3)
            done.append(threading.current_thread().name)
            return []

    class Boom:
        def on_chunk(self, chunk: Chunk, file: FileContext) -> list[object]:
            raise ValueError("boom")

    chunk = Chunk(pd.DataFrame({0: pd.Series(["a"], dtype="str")}), np.array([2]))
    for rules in ([Boom(), Slow()], [Slow(), Boom()]):
        done.clear()
        with ThreadPoolExecutor(1) as pool:
            step = engine._chunk_runner(rules, None, pool, iter(()))  # type: ignore[arg-type]
            with pytest.raises(ValueError, match="boom"):
                step(chunk)
            assert len(done) == 1  # the slow rule had finished before the error came out


def test_the_next_chunk_is_read_during_the_step_and_a_read_error_comes_after_the_hits() -> None:
    """With ``ahead``, chunk k+1 is read while the rules check chunk k (the first item of the
    threads' common list); a reader error met there is raised on the engine's thread only when
    it asks for that chunk, after chunk k's hits."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from validator.context import FileContext
    from validator.readers.base import Chunk
    from validator.readers.errors import Refused

    read_on: list[str] = []

    def chunk(row: int) -> Chunk:
        return Chunk(pd.DataFrame({0: pd.Series(["a"], dtype="str")}, index=[row]), np.array([row]))

    def chunks():  # type: ignore[no-untyped-def]
        for row in (2, 3):
            read_on.append(threading.current_thread().name)
            yield chunk(row)
        read_on.append(threading.current_thread().name)
        raise Refused("the disk went away", "unreadable")

    class Echo:
        def on_chunk(self, chunk: Chunk, file: FileContext) -> list[int]:
            return [int(chunk.rows[0])]

    with ThreadPoolExecutor(1, thread_name_prefix="rules") as pool:
        it = chunks()
        step = engine._chunk_runner([Echo(), Echo(), Echo()], None, pool, it, ahead=True)  # type: ignore[arg-type, list-item]
        first = next(it)
        hits, following = step(first)
        assert hits == [[2], [2], [2]] and len(read_on) == 2  # chunk 3 was read within the step
        second = following()
        assert second is not None and second.rows.tolist() == [3]
        hits, following = step(second)
        assert hits == [[3], [3], [3]]  # the hits of the chunk before the error are all there
        assert len(read_on) == 3
        with pytest.raises(Refused, match="disk went away"):
            following()
    assert read_on[0] == threading.current_thread().name


def test_both_threads_take_rules_until_none_is_left() -> None:
    """No fixed split: a thread free early takes the next rule, so one slow rule on one thread
    leaves all the others to the other thread. The slow rule waits until the last short one has
    run: with any fixed split that gives it a short rule to run after it, the wait times out."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from validator.context import FileContext
    from validator.readers.base import Chunk

    ran: dict[int, str] = {}
    last_done = threading.Event()

    class Rule:
        def __init__(self, i: int):
            self.i = i

        def on_chunk(self, chunk: Chunk, file: FileContext) -> list[int]:
            if self.i == 0:
                assert last_done.wait(5), "the other rules were left to this thread"
            ran[self.i] = threading.current_thread().name
            if self.i == 6:
                last_done.set()
            return [self.i]

    chunk = Chunk(pd.DataFrame({0: pd.Series(["a"], dtype="str")}), np.array([2]))
    with ThreadPoolExecutor(1, thread_name_prefix="rules") as pool:
        step = engine._chunk_runner([Rule(i) for i in range(7)], None, pool, iter(()))  # type: ignore[arg-type]
        hits, _ = step(chunk)
    assert hits == [[i] for i in range(7)]  # in rule order, whichever thread ran them
    assert len({ran[i] for i in range(1, 7)}) == 1 and ran[1] != ran[0]  # all on the other thread


def test_keys_hash_with_pandas_when_polars_cannot_load(monkeypatch: pytest.MonkeyPatch, polars_hash: None) -> None:
    import builtins

    from validator.keys import hashers as keys

    real = builtins.__import__

    def refuse(name: str, *args: object, **kwargs: object) -> object:
        if name == "polars":
            raise RuntimeError("this CPU lacks the features polars was built for")
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    values = pd.Series(["a", "b", "a"], dtype="str")
    with hashing(fast=False):
        want = hashes(values)
    monkeypatch.setattr(builtins, "__import__", refuse)
    monkeypatch.delitem(__import__("sys").modules, "polars", raising=False)
    assert keys._polars() is None
    with hashing(fast=True):
        assert hashes(values).tolist() == want.tolist()


def test_a_forked_child_hashes_with_pandas_once_polars_was_loaded(polars_hash: None) -> None:
    """polars' thread pool does not survive fork: a child forked after a large check must not use it."""
    import os
    import sys

    from validator.keys import hashers as keys

    with hashing(fast=True):
        hashes(pd.Series(["a"], dtype="str"))  # polars loaded (and its pool started) in this process
    assert "polars" in sys.modules
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report whether polars would be used, then leave at once
        try:
            os.write(write, b"polars" if keys._polars() is not None else b"pandas")
        finally:
            os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    assert os.read(read, 16) == b"pandas" and os.WEXITSTATUS(status) == 0
    os.close(read)
    assert keys._polars() is not None  # the parent keeps it


def test_a_workbook_counts_twice_its_bytes_toward_the_large_mode(tmp_path: Path) -> None:
    from validator.context import FileLookup

    book, text = tmp_path / "a.xlsx", tmp_path / "b.csv"
    book.write_bytes(b"x" * 1000)
    text.write_bytes(b"x" * 1000)
    lookups = {p.name: FileLookup(p.name, p, "request-dir") for p in (book, text)}
    assert engine._input_bytes(lookups) == 1000 * engine.WORKBOOK_WEIGHT + 1000


@pytest.mark.parametrize("fails", [False, True])
def test_a_fact_asked_for_by_two_threads_is_worked_out_once(fails: bool) -> None:
    """``cached``: the second thread waits for the first one's value (or its error) instead of
    working the fact out again; the first thread alone never makes a wait object."""
    import threading

    from validator.checks.typed import cached
    from validator.readers.base import Chunk

    chunk = Chunk(pd.DataFrame({0: pd.Series(["a"], dtype="str")}), np.array([2]))
    started, release = threading.Event(), threading.Event()
    made: list[str] = []

    def make() -> str:
        made.append(threading.current_thread().name)
        started.set()
        release.wait(5)
        if fails:
            raise ValueError("no fact")
        return "fact"

    got: dict[str, object] = {}

    def ask(name: str) -> None:
        try:
            got[name] = cached(chunk, ("k",), make)
        except ValueError as exc:
            got[name] = exc

    first = threading.Thread(target=ask, args=("first",), name="first")
    first.start()
    assert started.wait(5)
    assert chunk.memo[("k",)].event is None  # nobody waits yet
    second = threading.Thread(target=ask, args=("second",), name="second")
    second.start()
    for _ in range(500):  # until the second thread waits on the slot
        if chunk.memo[("k",)].event is not None:
            break
        threading.Event().wait(0.01)
    release.set()
    first.join(5)
    second.join(5)
    assert made == ["first"]
    if fails:
        assert isinstance(got["first"], ValueError) and got["second"] is got["first"]
    else:
        assert got == {"first": "fact", "second": "fact"}
    if fails:  # a later ask gets the same error, not a new try
        with pytest.raises(ValueError, match="no fact"):
            cached(chunk, ("k",), make)
    else:
        assert cached(chunk, ("k",), make) == "fact"
    assert made == ["first"]
