"""Library hygiene (hostile-inputs K1-K5, M10, M11): validate() leaves the process as it found
it, closes every file, and the report does not depend on hash seed, locale or stdout encoding."""

from __future__ import annotations

import copy
import csv
import gc
import json
import locale
import logging
import os
import signal
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.hostile.generate import REGISTRY, build_case, materialise
from tests.hostile.harness import child_env, run_cli
from validator import Config, ValidatorError, validate
from validator.findings import Report


def global_state() -> dict[str, Any]:
    from pandas._config import config as pd_config

    return {
        "field_size_limit": csv.field_size_limit(),
        "warnings": list(warnings.filters),
        "root_logger": (logging.root.level, list(logging.root.handlers)),
        "pandas": copy.deepcopy(pd_config._global_config),
        "numpy_err": np.geterr(),
        "numpy_print": np.get_printoptions(),
        "environ": dict(os.environ),
        "sys_path": list(sys.path),
        "recursion": sys.getrecursionlimit(),
        "int_digits": sys.get_int_max_str_digits(),
        "locale": locale.setlocale(locale.LC_ALL, None),
        "signals": {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE)},
        "excepthook": sys.excepthook,
        "stdout": (sys.stdout, sys.stderr),
    }


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()


LIBRARY_CASES = [cid for cid in REGISTRY if build_case(cid).library and build_case(cid).request is not None
                 and not build_case(cid).args]


@pytest.fixture(scope="module")
def materialised(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Path]]:
    out = []
    for cid in LIBRARY_CASES:
        root = tmp_path_factory.mktemp(f"lib-{cid}")
        c = build_case(cid)
        materialise(c, root / "case", root / "outside")
        out.append((cid, root / "case" / c.request_name))
    return out


def _run(request: Path) -> Report | None:
    try:
        return validate(request, config=Config(chunk_rows=7))
    except ValidatorError:  # documented: misuse only (e.g. an unreadable request)
        return None


def test_no_global_state_changes_and_no_leaked_files(materialised: list[tuple[str, Path]]) -> None:
    # K1-K5, M11: every library-safe hostile fixture, three times over, then 300 more calls
    gc.collect()
    before, fds = global_state(), open_fds()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for _ in range(3):
            for _cid, request in materialised:
                _run(request)
        clean = dict(materialised)["K2"]
        for _ in range(300):
            _run(clean)
        gc.collect()
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaks == []
    assert open_fds() == fds
    after = global_state()
    assert {k: v for k, v in after.items() if before[k] != v} == {}


def test_field_size_limit_is_restored_even_when_it_was_needed(materialised: list[tuple[str, Path]]) -> None:
    # K1: a 200,000-character field needs a raised limit while reading; the caller's stays
    csv.field_size_limit(4096)
    try:
        report = _run(dict(materialised)["K1"])
        assert report is not None and [f.code for f in report.findings] == ["HS114"]
        assert csv.field_size_limit() == 4096
    finally:
        csv.field_size_limit(131072)


def test_only_documented_exceptions_cross_the_api(tmp_path: Path) -> None:
    # K5: bad arguments raise ValidatorError, bad data gives a report
    with pytest.raises(ValidatorError):
        validate(42)  # type: ignore[arg-type]
    with pytest.raises(ValidatorError):
        validate(tmp_path / "missing.json")
    report = validate(b'{"files": [{"fileName": 5}]', base_dir=tmp_path)
    assert [f.code for f in report.findings] == ["HS001"]


def _normalised(stdout: bytes) -> Any:
    data = json.loads(stdout)
    data["summary"].pop("seconds")
    for f in data["files"]:
        f.pop("seconds")
    return data


def test_report_is_identical_whatever_the_hash_seed_locale_and_encoding(tmp_path: Path) -> None:
    # M10: a fixture with findings of many kinds, several files and non-ASCII values
    c = build_case("K4")
    folder = tmp_path / "case"
    materialise(c, folder, tmp_path / "outside")
    (folder / "a.csv").write_bytes("Email,First Name\r\nren\u00e9e@x.com,Ren\u00e9e,x\r\n\r\n,\r\n"
                                   "b@x.com,\"Bo\r\nb\"\r\n".encode())
    outputs = {}
    for seed in ("0", "1", "random"):
        for lc in ("C", "C.UTF-8"):
            for enc in ("utf-8", "ascii"):
                env = child_env({"PYTHONHASHSEED": seed, "LC_ALL": lc, "LANG": lc, "PYTHONIOENCODING": enc})
                o = run_cli(["--format", "json", "import.json"], folder, env=env, timeout=30)
                assert o.returncode == 1, o.describe()
                outputs[(seed, lc, enc)] = _normalised(o.stdout)
    first = next(iter(outputs.values()))
    assert first["findings"], "the fixture must produce findings"
    assert all(v == first for v in outputs.values())


def _no_constants(name: str) -> None:
    raise ValueError(f"non-standard JSON constant {name}")


def test_machine_and_human_output_are_safe_for_every_fixture(materialised: list[tuple[str, Path]]) -> None:
    # M14 / R6: JSON always parses with a strict parser; text carries no raw control or bidi character
    from tests.hostile.harness import UNSAFE
    from validator.report import render

    for cid, request in materialised:
        report = _run(request)
        if report is None:
            continue
        data = json.loads(render(report, "json"), parse_constant=_no_constants)
        assert data["schema_version"] == 1, cid
        for fmt in ("text", "concise"):
            text = render(report, fmt)
            assert not UNSAFE.search(text), (cid, fmt, UNSAFE.search(text))
            text.encode("utf-8")  # no lone surrogates
