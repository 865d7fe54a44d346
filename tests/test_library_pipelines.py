"""The library as data pipelines use it: ``validate()`` from several threads at once, hundreds of
calls in one long-lived process, inside multiprocessing workers (fork and spawn), and a thread
pool shut down while checks run. Each gives the reports that the same calls one after another in
a fresh process give, and leaves the process (and the caller's other threads) as it found it."""

from __future__ import annotations

import gc
import io
import json
import logging
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pandera
import pyarrow as pa
import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from tests.test_parallel import make_large_import
from tests.workbooks import make_workbook
from validator import Config, engine, validate
from validator.keys import hashes, hashing
from validator.portal import load_portal

EXAMPLES = ROOT / "fixtures" / "examples"
REALISTIC = ROOT / "tests" / "data" / "realistic"
PORTAL = ROOT / "fixtures" / "portal"


def _json(report: Any, *, drop_bytes: bool = False) -> dict[str, Any]:
    """``report.to_dict()`` less its times (and, for a workbook written from a DataFrame, its
    size: openpyxl stamps the time it saves into the file, which compresses to more or fewer bytes)."""
    rep = json.loads(json.dumps(report.to_dict(), default=str))
    rep["summary"].pop("seconds", None)
    for f in rep.get("files", []):
        f.pop("seconds", None)
        if drop_bytes:
            f.pop("bytes", None)
    return rep


@pytest.fixture(scope="module")
def large_import(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/test_parallel.py's generated import (every kind of planted problem)."""
    return make_large_import(tmp_path_factory.mktemp("pipelines"))


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"Email": ["ann@x.com", "bad", "ANN@x.com"], "First Name": ["Ann", "Bo", None],
                         "Last Name": ["Lee", "Chen", "Lee"], "Phone Number": ["+14155550101", "12", "+14155550101"],
                         "Lifecycle Stage": ["lead", "lead", "customer"], "Notes": ["a\nb", "", "x"]})


def _calls(large: Path) -> list[tuple[str, Callable[[], dict[str, Any]]]]:
    """A pipeline's mix: every example and realistic request, one with a portal snapshot (its
    folder, and one loaded Portal shared by every call), the large import by the fast reader on
    two rule threads (polars hashes) and by the exact one, and DataFrames as a CSV and a workbook."""
    calls: list[tuple[str, Callable[[], dict[str, Any]]]] = []
    requests = [p for p in sorted(EXAMPLES.rglob("*.json")) if p.name != "hubspot-errors.json"]
    requests += sorted(REALISTIC.glob("*/import.json"))
    for path in requests:
        calls.append((str(path.relative_to(ROOT)), lambda path=path: _json(validate(path))))
    shared = load_portal(PORTAL)
    for portal in (str(PORTAL), shared):
        for example in ("contacts-companies/import.json", "deals/deals.import.json"):
            calls.append((f"{example} --portal {type(portal).__name__}", lambda example=example, portal=portal: _json(
                validate(EXAMPLES / example, config=Config(portal=portal)))))
    calls.append(("large, fast", lambda: _json(validate(large, config=Config(reader="fast", chunk_rows=450)))))
    calls.append(("large, exact", lambda: _json(validate(large, config=Config(reader="exact", chunk_rows=450)))))
    request = json.loads((EXAMPLES / "contacts" / "contacts.import.json").read_text(encoding="utf-8"))
    book = json.loads(json.dumps(request))
    book["files"][0].update(fileName="contacts.xlsx", fileFormat="SPREADSHEET")
    frame = _frame()
    calls.append(("DataFrame", lambda: _json(validate(request, files={"contacts.csv": frame}))))
    calls.append(("DataFrame, workbook", lambda: _json(validate(book, files={"contacts.xlsx": frame}),
                                                       drop_bytes=True)))
    return calls


@pytest.mark.slow
def test_threads_give_the_reports_calls_one_after_another_give(large_import: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # only the large import is large: it hashes with polars, on two rule threads, while the
    # others hash with pandas on one, at the same time in other threads
    size = sum(p.stat().st_size for p in large_import.parent.glob("*.csv"))
    monkeypatch.setattr(engine, "LARGE_INPUT", size)
    calls = _calls(large_import)
    want = {name: call() for name, call in calls}
    assert want["large, fast"]["files"][0]["reader"] == "fast"
    assert {"HS301", "HS304", "HS314"} <= {f["code"] for f in want["large, fast"]["findings"]}
    assert {f["code"] for f in want["fixtures/examples/deals/deals.import.json"]["findings"]} != {
        f["code"] for f in want["deals/deals.import.json --portal str"]["findings"]}  # (the snapshot counts)
    order = calls * 2
    random.Random(7).shuffle(order)
    with ThreadPoolExecutor(6) as pool:
        got = [(name, pool.submit(call)) for name, call in order]
        differ = sorted({name for name, future in got if future.result(timeout=300) != want[name]})
    assert differ == []


def test_a_runs_hashing_is_its_own_thread_s(large_import: Path) -> None:
    """``hashing`` is a context variable: a thread in a large run (polars) and one in a small run
    (pandas), at the same time, each hash their own way, and a new thread hashes with pandas."""
    values = pd.Series(["a@x.com", "b@x.com", "a@x.com"], dtype="str")
    with hashing(fast=False):
        pandas_way = hashes(values).tolist()
    with hashing(fast=True):
        polars_way = hashes(values).tolist()
    assert pandas_way != polars_way
    inside = threading.Barrier(3, timeout=10)
    got: dict[str, list[int]] = {}

    def run(name: str, fast: bool | None) -> None:
        if fast is None:
            inside.wait()
            got[name] = hashes(values).tolist()
            inside.wait()
            return
        with hashing(fast=fast):
            inside.wait()  # all three at once
            got[name] = hashes(values).tolist()
            inside.wait()

    threads = [threading.Thread(target=run, args=args) for args in (("large", True), ("small", False), ("none", None))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert got == {"large": polars_way, "small": pandas_way, "none": pandas_way}


def test_progress_is_called_on_the_callers_thread_only(large_import: Path) -> None:
    seen: set[str] = set()

    def progress(file: str, rows: int, done: int, size: int | None) -> None:
        seen.add(threading.current_thread().name)

    def run() -> None:
        validate(large_import, config=Config(reader="fast", threads=2, chunk_rows=450, progress=progress))
    caller = threading.Thread(target=run, name="pipeline-task")
    caller.start()
    caller.join(60)
    assert seen == {"pipeline-task"}


def _workbook_request(tmp_path: Path) -> Path:
    data = make_workbook({"sheets": [{"name": "S", "rows": [["Email"], *[[f"u{i}@x.com"] for i in range(50)]]}]})
    (tmp_path / "c.xlsx").write_bytes(data)
    request = {"name": "t", "files": [{"fileName": "c.xlsx", "fileFormat": "SPREADSHEET", "fileImportPage": {
        "hasHeader": True, "columnMappings": [{"columnObjectTypeId": "0-1", "columnName": "Email",
                                               "propertyName": "email"}]}}]}
    (tmp_path / "c.import.json").write_text(json.dumps(request), encoding="utf-8")
    return tmp_path / "c.import.json"


def test_a_workbook_read_leaves_the_callers_other_threads_warnings_and_openpyxl_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # while a check opened a workbook, every thread of the process had its warnings ignored (a
    # pipeline's own warning, logged by logging.captureWarnings, was lost), a filter or
    # captureWarnings another thread set meanwhile was undone as the check ended, and another
    # thread's openpyxl.load_workbook(read_only=True) got sheets not sized (max_row None)
    import openpyxl

    import validator.readers.xlsx as xlsx_module

    monkeypatch.setattr(xlsx_module, "choose_engine", lambda scan, prefer=None, pieces=False: "openpyxl")
    monkeypatch.setattr(xlsx_module, "take", lambda stream: None)  # (the prefetch takes calamine)
    theirs = make_workbook({"sheets": [{"name": "S", "rows": [["a"], ["b"], ["c"]]}]})
    real = openpyxl.load_workbook
    opening, go_on = threading.Event(), threading.Event()

    def held(*args: Any, **kwargs: Any) -> Any:  # the check, inside its workbook's opening
        if threading.current_thread().name == "check":
            opening.set()
            assert go_on.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", held)
    request = _workbook_request(tmp_path)
    reports: list[Any] = []
    check = threading.Thread(target=lambda: reports.append(validate(request)), name="check")
    logged: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: logged.append(record.getMessage())  # type: ignore[method-assign]
    pylog = logging.getLogger("py.warnings")
    pylog.addHandler(handler)
    filters, shown = list(warnings.filters), warnings.showwarning
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")  # (a warning shown once per place would hide on a rerun)
            check.start()
            assert opening.wait(20)
            # meanwhile, in this thread (the pipeline's own work)
            sheet = real(io.BytesIO(theirs), read_only=True)["S"]
            assert (sheet.max_row, sheet.max_column) == (3, 1)
            logging.captureWarnings(True)
            warnings.filterwarnings("error", message="pipeline strict")
            warnings.warn("the pipeline's own warning", UserWarning, stacklevel=1)
            go_on.set()
            check.join(30)
            assert reports and reports[0].files[0].reader == "openpyxl" and reports[0].refusals == []
            assert any("the pipeline's own warning" in m for m in logged)
            assert warnings.showwarning is not shown  # captureWarnings(True) stays
            with pytest.raises(UserWarning, match="pipeline strict"):  # and so does the filter
                warnings.warn("pipeline strict", UserWarning, stacklevel=1)
            logging.captureWarnings(False)
    finally:
        go_on.set()
        pylog.removeHandler(handler)
    assert list(warnings.filters) == filters and warnings.showwarning is shown


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _others() -> list[str]:
    return sorted(t.name for t in threading.enumerate() if t is not threading.main_thread())


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts /proc/self/fd")
def test_hundreds_of_calls_leave_no_file_thread_temporary_file_nor_growing_memory(
        large_import: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "LARGE_INPUT", sum(p.stat().st_size for p in large_import.parent.glob("*.csv")))
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))  # every temporary file of this process
    request = json.loads((EXAMPLES / "contacts" / "contacts.import.json").read_text(encoding="utf-8"))
    book = json.loads(json.dumps(request))
    book["files"][0].update(fileName="contacts.xlsx", fileFormat="SPREADSHEET")
    frame = _frame()
    data = (EXAMPLES / "contacts" / "contacts.csv").read_bytes()

    def from_stdin() -> None:
        result = CliRunner().invoke(__import__("validator.cli", fromlist=["cli"]).cli, [
            "check", str(EXAMPLES / "contacts" / "contacts.import.json"), "--file", "contacts.csv=-", "-q"],
            input=data)
        assert result.exit_code in (0, 1), result.output

    def opened() -> None:
        with open(EXAMPLES / "contacts" / "contacts.csv", "rb") as fh:
            validate(request, files={"contacts.csv": fh})
    calls: list[Callable[[], Any]] = [
        lambda: validate(EXAMPLES / "broken" / "contacts.import.json"),
        lambda: validate(REALISTIC / "xlsx-pandas" / "import.json"),
        lambda: validate(REALISTIC / "xlsx-openpyxl" / "import.json"),
        lambda: validate(REALISTIC / "chinese-excel-gbk" / "import.json"),
        lambda: validate(EXAMPLES / "contacts-companies" / "import.json", config=Config(portal=str(PORTAL))),
        lambda: validate(request, files={"contacts.csv": frame}),
        lambda: validate(book, files={"contacts.xlsx": frame}),
        opened,
        from_stdin,
    ]
    for call in calls:  # (imports, caches of a bounded size, polars' pool)
        call()
    validate(large_import, config=Config(reader="fast"))
    gc.collect()
    fds, threads = _open_fds(), _others()
    sizes = []
    for i in range(162):
        calls[i % len(calls)]()
        if i % 54 == 53:
            validate(large_import, config=Config(reader="fast"))
            gc.collect()
            # Python's objects, and Arrow's buffers (which hold the cells)
            sizes.append((sys.getallocatedblocks(), pa.total_allocated_bytes()))
            assert (_open_fds(), _others()) == (fds, threads), i
    assert sizes[-1][0] - sizes[0][0] < 2000 and sizes[-1][1] <= sizes[0][1], sizes  # a plateau, not a line
    assert list(temporary.iterdir()) == []


_LARGE = engine.LARGE_INPUT


def _check_in_worker(job: tuple[str, bool]) -> tuple[dict[str, Any], bool]:
    """A worker's check (module level: spawn imports it by name): the report, and whether the
    worker's keys could be hashed with polars (never in a child forked after polars was loaded)."""
    from validator.keys import hashers

    path, large = job
    engine.LARGE_INPUT = 0 if large else _LARGE
    report = _json(validate(path, config=Config(reader="fast", chunk_rows=450)))
    return report, hashers._polars() is not None


@pytest.mark.slow
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_forked_after_a_large_check_or_spawned_give_the_same_reports(
        large_import: Path, method: str, monkeypatch: pytest.MonkeyPatch, polars_hash: None) -> None:
    """With polars hashing the large check (as without the native kernels, which a fork does not
    trouble): a worker forked after it hashes with pandas, one spawned with its own polars."""
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} here")
    jobs = [(str(large_import), True), (str(REALISTIC / "xlsx-pandas" / "import.json"), False),
            (str(EXAMPLES / "broken" / "contacts.import.json"), False)]
    monkeypatch.setattr(engine, "LARGE_INPUT", engine.LARGE_INPUT)  # (the workers' change, undone here)
    want = [_check_in_worker(job)[0] for job in jobs]  # the large one loads polars and its threads here
    assert "polars" in sys.modules
    with multiprocessing.get_context(method).Pool(2) as pool:
        got = pool.map_async(_check_in_worker, jobs).get(timeout=120)  # a worker that hangs fails here
    assert [report for report, _ in got] == want
    assert {polars for _, polars in got} == ({False} if method == "fork" else {True})


_CANCEL = """
import sys, threading, time
from concurrent.futures import ThreadPoolExecutor
from validator import Config, engine, validate

engine.LARGE_INPUT = 0  # every check with polars and two rule threads
jobs = [sys.argv[1], sys.argv[2]] * 6
pool = ThreadPoolExecutor(4)
futures = [pool.submit(validate, job, config=Config(chunk_rows=300)) for job in jobs]
while not any(f.running() for f in futures):
    time.sleep(0.01)
time.sleep(0.3)
pool.shutdown(wait=False, cancel_futures=True)
print(sum(f.cancelled() for f in futures), flush=True)
"""


@pytest.mark.slow
def test_a_pool_shut_down_with_checks_running_lets_the_interpreter_exit(large_import: Path) -> None:
    done = subprocess.run([sys.executable, "-c", _CANCEL, str(large_import),
                           str(REALISTIC / "xlsx-pandas" / "import.json")],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 4 and done.stderr == ""  # (the checks running finished, the others never began)


def _snapshot_of_many_options_and_users(tmp_path: Path, n: int = 10_000) -> tuple[Path, dict[str, Any], Path]:
    """A snapshot whose lookups are large (``n`` users, a property of ``n`` options), a request
    mapping a deals file to them and that file (its row 3 and 4 flagged by HS236, HS210, HS208)."""
    snapshot = tmp_path / "portal"
    (snapshot / "properties").mkdir(parents=True)
    users = [{"id": str(i), "email": f"u{i}@example.com", "firstName": "User", "lastName": str(i)} for i in range(n)]
    (snapshot / "owners.json").write_text(json.dumps({"results": users}), encoding="utf-8")
    plan = {"name": "plan", "label": "Plan", "type": "enumeration", "fieldType": "select",
            "options": [{"label": f"Plan {i}", "value": f"plan_{i}"} for i in range(n)]}
    (snapshot / "properties" / "deals.json").write_text(json.dumps({"results": [
        {"name": "dealname", "label": "Deal Name", "type": "string", "fieldType": "text"},
        {"name": "hubspot_owner_id", "label": "Deal owner", "type": "enumeration", "fieldType": "select",
         "referencedObjectType": "OWNER", "options": []}, plan]}), encoding="utf-8")
    (tmp_path / "data.csv").write_text("Deal Name,Owner,Plan\nD1,u7@example.com,plan_7\nD2,nobody@example.com,"
                                       "PLAN_8\nD3,Alex Kim,nope\n", encoding="utf-8")
    request = {"name": "x", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-3", "columnName": c, "propertyName": p}
            for c, p in (("Deal Name", "dealname"), ("Owner", "hubspot_owner_id"), ("Plan", "plan"))]}}]}
    return snapshot, request, tmp_path / "data.csv"


def test_a_worker_checking_against_a_snapshot_it_loads_each_time_holds_none_of_the_old_ones(
        tmp_path: Path) -> None:
    # the lookups made from a snapshot's properties and users (ByIdentity) were kept in the
    # process after the check, for the last 64 (options) or 16 (users) snapshots: a worker that
    # loads its snapshot for each check (Config(portal=DIR)) grew by the snapshot's lookups at
    # each call (60 MB for 100,000 options) up to 64 of them; they are the run's now
    snapshot, request, data = _snapshot_of_many_options_and_users(tmp_path)
    found = []
    blocks = []
    for _ in range(5):
        report = validate(request, files={"data.csv": data}, config=Config(portal=str(snapshot)))
        found.append([(f.row, f.column, f.code) for f in report.findings])
        del report
        gc.collect()
        blocks.append(sys.getallocatedblocks())
    assert found[0] == [(None, None, "HS233"), (None, None, "HS233"), (3, 2, "HS236"), (3, 3, "HS210"),
                        (4, 2, "HS236"), (4, 3, "HS208")] and found.count(found[0]) == 5
    assert blocks[-1] - blocks[0] < 5_000, blocks  # (each snapshot's lookups: about 140,000 blocks)


def test_a_pipeline_building_a_schema_from_each_new_snapshot_holds_none_of_the_old_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a pandera schema's checks run outside any check's run, and the lookups they made of the
    # snapshot (a property's options, the account's users) were kept in the process for the last
    # 64 (options) or 16 (users) snapshots after the schema was dropped: a pipeline building its
    # schema from the snapshot it loads each day grew by them at each one; they are the schema's
    from validator.formats.options import OptionSet
    from validator.schema import failures, for_file

    folds = []
    fold = OptionSet._of
    monkeypatch.setattr(OptionSet, "_of", classmethod(lambda cls, options: folds.append(len(options)) or fold(options)))
    snapshot, request, data = _snapshot_of_many_options_and_users(tmp_path)
    df = pd.read_csv(data, dtype=str, keep_default_na=False)
    found = []
    blocks = []
    for _ in range(6):
        schema = for_file(request, "data.csv", portal=str(snapshot))
        for _twice in range(2):  # (the schema's second run uses the lookups of its first)
            with pytest.raises(pandera.errors.SchemaErrors) as info:
                schema.validate(df, lazy=True)
            found.append(failures(info.value))
        del schema, info
        gc.collect()
        blocks.append(sys.getallocatedblocks())
    assert found[0] == [(1, "Owner", "HS236"), (1, "Plan", "HS210"), (2, "Owner", "HS236"), (2, "Plan", "HS208")]
    assert found.count(found[0]) == 12
    assert folds.count(10_000) == 6  # (once a schema, for its two runs and failures')
    assert blocks[-1] - blocks[1] < 5_000, blocks  # (each snapshot's lookups: about 140,000 blocks)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_worker_forked_while_another_thread_reads_a_workbook_starts_clean(tmp_path: Path) -> None:
    # a child forked at that moment kept the warnings filter and openpyxl's replaced functions
    # for good (the thread that would undo them is not in the child), and hung at its first
    # workbook or value rule on a lock that thread held
    import signal

    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    from validator.checks import typed
    from validator.readers.base import warnings_ignored
    from validator.readers.xlsx_openpyxl import _unsized

    request = _workbook_request(tmp_path)
    want = _json(validate(request))
    filters, sizing = list(warnings.filters), ReadOnlyWorksheet._get_size
    inside, leave = threading.Event(), threading.Event()

    def hold() -> None:  # a check opening a workbook, at the instant it holds its locks
        with _unsized(ReadOnlyWorksheet), warnings_ignored(), warnings_ignored._lock, typed._memo_lock:
            inside.set()
            leave.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert inside.wait(10)
        read, write = os.pipe()
        pid = os.fork()  # (3.12 warns of forking a process with threads: this test does just that)
        if pid == 0:  # the child: at most 15 s, then report
            try:
                signal.alarm(15)
                clean = list(warnings.filters) == filters and ReadOnlyWorksheet._get_size is sizing
                same = _json(validate(request)) == want
                after = list(warnings.filters) == filters and ReadOnlyWorksheet._get_size is sizing
                os.write(write, json.dumps([clean, same, after]).encode())
            finally:
                os._exit(0)
        os.close(write)
    finally:
        leave.set()
        holder.join(10)
    with os.fdopen(read, "rb") as got:
        said = got.read()
    _, status = os.waitpid(pid, 0)
    assert (os.WIFEXITED(status), said) == (True, b"[true, true, true]")


@pytest.mark.parametrize("kind", ["fast", "exact", "workbook"])
def test_a_progress_callback_that_raises_stops_the_check_and_leaves_nothing_behind(
        kind: str, large_import: Path, tmp_path: Path) -> None:
    """A pipeline stops a check from its progress callback (a KeyboardInterrupt, its own
    exception): the exception comes out of ``validate``, and no thread, open file, warnings
    filter or paused collector is left; the next check gives the usual report."""
    if kind == "workbook":
        path, config = _workbook_request(tmp_path), Config(chunk_rows=5)
    else:
        path, config = large_import, Config(reader=kind, threads=2, chunk_rows=300)
    want = _json(validate(path, config=config))
    gc.collect()
    before = (_open_fds(), _others(), list(warnings.filters), gc.isenabled())
    for stop in (KeyboardInterrupt, RuntimeError):
        calls: list[int] = []

        def progress(file: str, rows: int, done: int, size: int | None, stop: type[BaseException] = stop,
                     calls: list[int] = calls) -> None:
            calls.append(rows)
            if len(calls) == 2:
                raise stop("the pipeline stops here")

        with pytest.raises(stop, match="the pipeline stops here"):
            validate(path, config=config.with_(progress=progress))
        assert calls[-1] > 0
        assert (_open_fds(), _others(), list(warnings.filters), gc.isenabled()) == before
    assert _json(validate(path, config=config)) == want


_FIRST_CALLS = """
import json, sys, threading
from concurrent.futures import ThreadPoolExecutor
from validator import validate

def report(path):
    rep = validate(path).to_dict()
    rep["summary"].pop("seconds", None)
    for f in rep["files"]:
        f.pop("seconds", None)
    return json.dumps(rep, default=str, sort_keys=True)

paths = sys.argv[2:]
if sys.argv[1] == "threads":  # every first use at once: imports, the rule registry, the profile, catalogs
    start = threading.Barrier(len(paths))
    def first(path):
        start.wait()
        return report(path)
    with ThreadPoolExecutor(len(paths)) as pool:
        out = list(pool.map(first, paths))
else:
    out = [report(p) for p in paths]
print(json.dumps(out))
"""


@pytest.mark.slow
def test_first_calls_of_a_fresh_process_from_eight_threads_at_once() -> None:
    paths = [str(EXAMPLES / p) for p in ("broken/contacts.import.json", "contacts-companies/import.json",
                                         "deals/deals.import.json")]
    paths += [str(REALISTIC / p / "import.json") for p in ("xlsx-pandas", "xlsx-openpyxl", "notes", "excel-csv-german",
                                                           "line-items")]
    got = {}
    for how in ("one-by-one", "threads"):
        done = subprocess.run([sys.executable, "-c", _FIRST_CALLS, how, *paths], capture_output=True, text=True,
                              timeout=120, cwd=ROOT)
        assert done.returncode == 0 and done.stderr == "", done.stderr
        got[how] = json.loads(done.stdout)
    assert got["threads"] == got["one-by-one"]
