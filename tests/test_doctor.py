"""``hubspot-preflight doctor`` reports the parser protections of this Python truthfully."""

from __future__ import annotations

import json
import pyexpat
import sys
from pathlib import Path

from tests.hostile.harness import child_env
from validator.doctor import run


def _overlap_fixed() -> bool:
    v = sys.version_info[:3]
    return v >= (3, 12, 2) or (3, 11, 8) <= v < (3, 12)


def test_probes_match_this_python() -> None:
    probes = {p.name: p for p in run()}
    assert set(probes) == {"defusedxml active for openpyxl", "expat billion-laughs protection",
                           "zipfile overlap protection", ".xls reader refuses a corrupt file"}
    assert probes["defusedxml active for openpyxl"].ok
    assert probes["expat billion-laughs protection"].ok == (pyexpat.version_info >= (2, 4, 1))
    overlap = probes["zipfile overlap protection"]
    assert overlap.ok  # the validator's own pre-scan, whatever this Python's zipfile does
    assert "ZIP entries 'a.xml' and 'a.xml' overlap" in overlap.detail
    assert ("alone would read them" in overlap.detail) == (not _overlap_fixed())


def _doctor(tmp_path: Path, **env: str) -> tuple[int, list[dict[str, object]]]:
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "validator", "doctor", "--format", "json"], cwd=tmp_path,
                          env=child_env(env), capture_output=True, timeout=60)
    assert b"Traceback" not in proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_exit_code_says_whether_everything_is_protected(tmp_path: Path) -> None:
    code, probes = _doctor(tmp_path)
    assert code == (0 if all(p["ok"] for p in probes) else 1)


def test_defusedxml_switched_off_is_reported(tmp_path: Path) -> None:
    code, probes = _doctor(tmp_path, OPENPYXL_DEFUSEDXML="False")
    assert code == 1
    bad = [p for p in probes if not p["ok"]]
    assert bad[0]["check"] == "defusedxml active for openpyxl"
    assert "OPENPYXL_DEFUSEDXML" in str(bad[0]["detail"])


def test_overlap_probe_fails_when_the_pre_scan_lets_overlaps_through(monkeypatch: object) -> None:
    import pytest

    from validator import doctor
    from validator.readers import xlsx_container

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(xlsx_container, "_check_overlap", lambda infos, size: None)
    probe = doctor._zip_overlap()
    assert not probe.ok and "let overlapping entries through" in probe.detail


def test_xls_probe_feeds_a_looping_sector_chain_to_the_xls_reader(monkeypatch: object) -> None:
    import pytest

    from validator import doctor

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    probe = doctor._xls()
    assert probe.ok and "CompDocError" in probe.detail and "sector chain loops" in probe.detail
    monkeypatch.setitem(sys.modules, "xlrd", None)  # not installed
    probe = doctor._xls()
    assert not probe.ok and "xlrd is not installed" in probe.detail
