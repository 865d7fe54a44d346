"""``check --show-files``: what each request reads and which settings it takes; nothing checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from validator.cli import cli

TWO = ROOT / "fixtures" / "examples" / "two-file-broken"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for f in TWO.iterdir():
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(cli, ["check", *args], input=input, catch_exceptions=False)


def test_lists_each_files_entry_and_the_settings(folder: Path) -> None:
    (folder / "pyproject.toml").write_text('[tool.hubspot-preflight]\nselect = ["HS1"]\n')
    (folder / "companies.csv").unlink()
    got = run("import.json", "--show-files")
    assert got.exit_code == 0
    assert got.output == (
        f"import.json  (settings: {folder / 'pyproject.toml'})\n"
        "  contacts.csv -> contacts.csv\n"
        "  companies.csv -> missing: companies.csv does not exist\n")


def test_a_data_file_finds_its_request_and_nothing_is_checked(folder: Path) -> None:
    got = run("contacts.csv", "--show-files", "--isolated")
    assert got.exit_code == 0  # (the files have errors: a check would exit 1)
    assert got.output.splitlines() == ["import.json  (settings: none (--isolated))", "  contacts.csv -> contacts.csv",
                                       "  companies.csv -> companies.csv"]


def test_stdin_is_named_not_read(folder: Path) -> None:
    got = run("import.json", "--file", "contacts.csv=-", "--show-files", "--isolated", input=b"not,read\n")
    assert got.exit_code == 0
    assert "  contacts.csv -> standard input\n" in got.output


def test_a_name_that_differs_in_case_says_so(folder: Path) -> None:
    (folder / "contacts.csv").rename(folder / "CONTACTS.CSV")
    got = run("import.json", "--show-files", "--isolated")
    assert ("  contacts.csv -> CONTACTS.CSV (its name differs from the fileName in letter case or Unicode form: "
            "HS601)\n") in got.output


@pytest.mark.parametrize("flag", ["--emit-request", "--statistics", "--write-baseline"])
def test_refused_with_flags_that_want_a_check(folder: Path, flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    from validator.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["check", "import.json", "--show-files", flag])
    assert exc.value.code == 2
    assert capsys.readouterr().err == ("hubspot-preflight: error: --show-files lists what a check would read, "
                                       f"and checks nothing: not with {flag}\n")


@pytest.mark.parametrize(("text", "why"), [
    (b"{bad", "request is not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
    (b"", "request is not valid JSON: request is empty"),
    (b"[1]", "request must be a JSON object, not an array"),
])
def test_a_request_that_is_no_json_object_says_so(folder: Path, text: bytes, why: str) -> None:
    (folder / "import.json").write_bytes(text)
    got = run("import.json", "--show-files", "--isolated")
    assert got.exit_code == 0
    assert got.output.splitlines() == ["import.json  (settings: none (--isolated))",
                                       f"  (no files[] entry read: {why})"]


def test_paths_the_hook_would_skip_are_listed(folder: Path) -> None:
    # with --ignore-unpaired (the pre-commit hook) a file no request takes was skipped unseen
    (folder / "notes.txt").write_text("hi\n")
    (folder / "other.json").write_text('{"a": 1}\n')
    got = run("--ignore-unpaired", "--show-files", "--isolated", "contacts.csv", "notes.txt", "other.json")
    assert got.exit_code == 0
    assert got.output.splitlines() == [
        "import.json  (settings: none (--isolated))", "  contacts.csv -> contacts.csv",
        "  companies.csv -> companies.csv",
        "notes.txt  (skipped: no importRequest names it)", "other.json  (skipped: JSON that is no importRequest)"]
