"""``check -v`` / ``--verbose``: what the run did, on stderr, the report on stdout unchanged."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.workbooks import make_workbook
from validator.cli import main
from validator.config import Config, active_rules

EXAMPLES = ROOT / "fixtures" / "examples"


def _main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_verbose_says_on_stderr_what_the_check_read_and_leaves_the_json_as_it_is(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # a check said nothing of the settings it took, the files it read, with which reader and why,
    # nor how long each took: a slow or surprising run left nothing to go on
    shutil.copytree(EXAMPLES / "deals", tmp_path / "deals")
    request = tmp_path / "deals" / "deals.import.json"
    monkeypatch.setattr(time, "perf_counter", lambda: 0.0)  # (the report's seconds, the same in both runs)
    code, plain, quiet_err = _main(["check", str(request), "--isolated", "--format", "json"], capsys)
    assert (code, quiet_err) == (1, "")
    rules = len(active_rules(Config()))
    for flag in ("-v", "--verbose"):
        assert _main(["check", str(request), "--isolated", "--format", "json", flag], capsys) == (1, plain, (
            "hubspot-preflight: settings: none (--isolated)\n"
            f"hubspot-preflight: request {request}: settings none (--isolated); {rules} rules selected\n"
            f"hubspot-preflight:   deals.csv: {tmp_path / 'deals' / 'deals.csv'}, 406 bytes, exact reader (under 1 "
            "MiB, where it is as quick); 5 rows in 0.000 s\n"
            "hubspot-preflight: checked 1 request(s), 1 file(s), 5 rows in 0.000 s\n"))
    assert json.loads(plain)["files"][0]["reader"] == "exact"  # (and no reason in the JSON contract)
    assert "reader_why" not in plain


def test_verbose_names_the_settings_file_each_reader_and_the_fast_readers_hand_over(tmp_path: Path) -> None:
    # over 1 MiB a CSV goes to the fast reader, which hands a header that is not UTF-8 to the exact
    # one: the reason is said; a workbook's reader is named; the seconds are real ones
    (tmp_path / "pyproject.toml").write_text('[tool.hubspot-preflight]\nignore = ["HS113"]\n', encoding="utf-8")
    rows = "".join(f"c{i}@example.com,Ann\n" for i in range(60_000)).encode()
    (tmp_path / "contacts.csv").write_bytes(b"Email,N\xe9me\n" + rows)
    (tmp_path / "deals.xlsx").write_bytes(make_workbook({"sheets": [{"name": "Deals", "rows": [
        ["Name", "Amount"], ["A", 10], ["B", 20]]}]}))
    mappings = {"contacts.csv": ("0-1", [("Email", "email"), ("N\ufffdme", "firstname")]),
                "deals.xlsx": ("0-3", [("Name", "dealname"), ("Amount", "amount")])}
    for name, (obj, columns) in mappings.items():
        request = {"name": name, "files": [{"fileName": name, "fileFormat": "SPREADSHEET" if name.endswith("xlsx")
                                            else "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": obj, "columnName": c, "propertyName": p} for c, p in columns]}}]}
        (tmp_path / f"{name.split('.')[0]}.import.json").write_text(json.dumps(request), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "validator", "check", "contacts.import.json", "deals.import.json",
                           "-v", "--format", "json"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 1, proc.stderr
    json.loads(proc.stdout)
    rules = len(active_rules(Config(ignore=["HS113"])))
    settings = tmp_path / "pyproject.toml"
    expected = [  # SECONDS and READER stand for what may differ from run to run
        f"hubspot-preflight: settings: {settings}",
        f"hubspot-preflight: request contacts.import.json: settings {settings}; {rules} rules selected",
        f"hubspot-preflight:   contacts.csv: contacts.csv, {11 + len(rows):,} bytes, exact reader (the fast reader "
        "handed it over: first line is not UTF-8); 60,000 rows in SECONDS",
        f"hubspot-preflight: request deals.import.json: settings {settings}; {rules} rules selected",
        f"hubspot-preflight:   deals.xlsx: deals.xlsx, {(tmp_path / 'deals.xlsx').stat().st_size:,} bytes, "
        "READER reader; 2 rows in SECONDS",
        "hubspot-preflight: checked 2 request(s), 2 file(s), 60,002 rows in SECONDS",
    ]
    lines = proc.stderr.splitlines()
    assert len(lines) == len(expected), proc.stderr
    for line, text in zip(lines, expected, strict=True):
        pattern = re.escape(text).replace("SECONDS", r"\d+\.\d{3} s").replace("READER", "(?:calamine|openpyxl)")
        assert re.fullmatch(pattern, line), (line, text)


def test_verbose_and_quiet_together_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # as ruff refuses -v with -q: the two ask for opposite things
    shutil.copytree(EXAMPLES / "deals", tmp_path / "deals")
    for args in (["-v", "-q"], ["--quiet", "--verbose"]):
        assert _main(["check", str(tmp_path / "deals" / "deals.import.json"), *args], capsys) == (
            2, "", "hubspot-preflight: error: --verbose and --quiet ask for opposite things: give one\n")


def test_verbose_names_standard_input_and_a_refused_file(tmp_path: Path) -> None:
    # a file read from stdin (--file NAME=-) was said to be read from a path named as its fileName,
    # and a refused file had no line at all ("0 file(s)"), as if the request named none
    shutil.copytree(EXAMPLES / "deals", tmp_path / "deals")
    data = (tmp_path / "deals" / "deals.csv").read_bytes()
    proc = subprocess.run([sys.executable, "-m", "validator", "check", "deals/deals.import.json",
                           "--file", "deals.csv=-", "-v", "--isolated", "--format", "json"],
                          input=data, capture_output=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.decode().splitlines()
    assert re.fullmatch(r"hubspot-preflight:   deals\.csv: standard input \(--file deals\.csv=-\), 406 bytes, "
                        r"exact reader \(under 1 MiB, where it is as quick\); 5 rows in \d+\.\d{3} s", lines[2]), lines
    request = json.loads((tmp_path / "deals" / "deals.import.json").read_text(encoding="utf-8"))
    request["files"][0]["fileName"] = "deals.xlsx"
    request["files"][0]["fileFormat"] = "SPREADSHEET"
    (tmp_path / "deals" / "deals.import.json").write_text(json.dumps(request), encoding="utf-8")
    (tmp_path / "deals" / "deals.xlsx").write_bytes(b"PK\x03\x04not a zip")
    proc = subprocess.run([sys.executable, "-m", "validator", "check", "deals/deals.import.json", "-v",
                           "--isolated", "-o", "report.txt"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[2] == f"hubspot-preflight:   deals.xlsx: {Path('deals') / 'deals.xlsx'}, 13 bytes, refused (bad-zip)"
    assert re.fullmatch(r"hubspot-preflight: checked 1 request\(s\), 0 file\(s\), 0 rows in \d+\.\d{3} s", lines[3])
    assert lines[4:] == ["hubspot-preflight: deals.xlsx: refused: not a readable .xlsx: the ZIP container is "
                         "corrupt or truncated (File is not a zip file)"]
    # read from stdin and refused: no path, no size
    proc = subprocess.run([sys.executable, "-m", "validator", "check", "deals/deals.import.json", "--file",
                           "deals.xlsx=-", "-v", "--isolated", "-o", "report.txt"], input="PK\x03\x04not a zip",
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines()[2] == (
        "hubspot-preflight:   deals.xlsx: standard input (--file deals.xlsx=-), refused (bad-zip)")


def test_verbose_names_standard_input_by_the_option_that_read_it(tmp_path: Path) -> None:
    # a file read by --stdin-filename PATH was said to come by `--file deals.csv=-`, an option not given
    shutil.copytree(EXAMPLES / "deals", tmp_path / "deals")
    data = (tmp_path / "deals" / "deals.csv").read_bytes()
    request = json.loads((tmp_path / "deals" / "deals.import.json").read_text(encoding="utf-8"))
    request["files"][0]["fileName"] = "de\x1bals.csv"  # (a name the terminal would act on is shown escaped)
    (tmp_path / "deals" / "de\x1bals.import.json").write_text(json.dumps(request), encoding="utf-8")
    for given, shown in (("deals/deals.csv", "deals.csv: standard input (--stdin-filename deals/deals.csv)"),
                         ("deals/de\x1bals.csv",
                          "de\\u001bals.csv: standard input (--stdin-filename deals/de\\u001bals.csv)")):
        proc = subprocess.run([sys.executable, "-m", "validator", "check", "--stdin-filename", given, "-v",
                               "--isolated", "--format", "json"], input=data, capture_output=True, cwd=tmp_path,
                              timeout=120)
        assert proc.returncode == 1, proc.stderr
        lines = proc.stderr.decode().splitlines()
        assert re.fullmatch(rf"hubspot-preflight:   {re.escape(shown)}, 406 bytes, exact reader \(under 1 MiB, "
                            r"where it is as quick\); 5 rows in \d+\.\d{3} s", lines[2]), lines


def test_verbose_and_show_files_name_a_run_without_settings_alike(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    # --show-files said "(settings: defaults)" where -v said "settings none found" of the same run:
    # both say "none found" now (or "none (--isolated)": no file was looked for)
    shutil.copytree(EXAMPLES / "deals", tmp_path / "deals")
    request = tmp_path / "deals" / "deals.import.json"
    for flags, said in (([], "none found"), (["--isolated"], "none (--isolated)")):
        _code, shown, _err = _main(["check", str(request), "--show-files", *flags], capsys)
        assert shown.splitlines()[0] == f"{request}  (settings: {said})"
        _code, _out, err = _main(["check", str(request), "-v", "-o", str(tmp_path / "report.txt"), *flags], capsys)
        assert err.splitlines()[:2] == [f"hubspot-preflight: settings: {said}",
                                        f"hubspot-preflight: request {request}: settings {said}; "
                                        f"{len(active_rules(Config()))} rules selected"]


def test_verbose_lists_the_paths_the_hook_skips_as_show_files_does(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # with --ignore-unpaired (the pre-commit hook) -v said nothing of the paths it skipped, which
    # --show-files lists with why
    shutil.copytree(EXAMPLES / "deals", tmp_path / "deals")
    monkeypatch.chdir(tmp_path / "deals")
    (tmp_path / "deals" / "notes.txt").write_text("hi\n", encoding="utf-8")
    (tmp_path / "deals" / "other.json").write_text('{"a": 1}\n', encoding="utf-8")
    paths = ["--ignore-unpaired", "--isolated", "deals.csv", "notes.txt", "other.json"]
    _code, shown, _err = _main(["check", *paths, "--show-files"], capsys)
    assert shown.splitlines()[-2:] == ["notes.txt  (skipped: no importRequest names it)",
                                       "other.json  (skipped: JSON that is no importRequest)"]
    code, _out, err = _main(["check", *paths, "-v", "-o", "report.txt"], capsys)
    assert code == 1
    assert err.splitlines()[:4] == [
        "hubspot-preflight: settings: none (--isolated)",
        "hubspot-preflight: notes.txt: skipped (no importRequest names it)",
        "hubspot-preflight: other.json: skipped (JSON that is no importRequest)",
        f"hubspot-preflight: request deals.import.json: settings none (--isolated); "
        f"{len(active_rules(Config()))} rules selected"]
    # nothing but skipped paths: each is said before "nothing to check"
    assert _main(["check", "--ignore-unpaired", "--isolated", "notes.txt", "-v"], capsys) == (0, "", (
        "hubspot-preflight: notes.txt: skipped (no importRequest names it)\n"
        "hubspot-preflight: nothing to check (no import requests among the files)\n"))


def test_verbose_gives_a_file_not_found_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # a files[] entry whose file is missing (HS011) had no line, where a refused one has
    shutil.copytree(EXAMPLES / "deals", tmp_path / "deals")
    monkeypatch.chdir(tmp_path / "deals")
    (tmp_path / "deals" / "deals.csv").unlink()
    code, _out, err = _main(["check", "deals.import.json", "-v", "--isolated", "-o", "report.txt"], capsys)
    assert code == 1
    lines = err.splitlines()
    assert lines[2] == f"hubspot-preflight:   deals.csv: {Path('deals.csv')}, not found (HS011)"
    assert re.fullmatch(r"hubspot-preflight: checked 1 request\(s\), 0 file\(s\), 0 rows in \d+\.\d{3} s", lines[3])
    assert "HS011" in (tmp_path / "deals" / "report.txt").read_text(encoding="utf-8")
