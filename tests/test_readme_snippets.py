"""The README's copy-paste snippets, run: report formats, GitHub Actions steps, the library."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from validator.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
SCHEMA = ROOT / "fixtures" / "schemas" / "sarif-schema-2.1.0.json"


def block(name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->\s*```\w+\n(.*?)```", README, re.S)
    assert match, name
    return match.group(1)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "fixtures" / "examples", tmp_path / "fixtures" / "examples")
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_ACTIONS", "GITHUB_WORKFLOW", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def invoke(line: str):
    args = shlex.split(line.split("  #")[0])
    assert args[0] == "hubspot-preflight"
    return CliRunner().invoke(cli, args[1:], catch_exceptions=False)


def test_cli_examples(workdir: Path) -> None:
    lines = [x for x in block("cli-examples").splitlines() if x.strip()]
    codes = [invoke(x).exit_code for x in lines]
    assert codes == [1, 1, 1, 1, 0, 0]
    sarif = json.loads((workdir / "preflight.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) == 13
    assert "<testsuite" in (workdir / "preflight.xml").read_text(encoding="utf-8")
    errors = json.loads((workdir / "errors.json").read_text(encoding="utf-8"))
    assert "bo.chen" not in json.dumps(errors) and errors["results"][0]["errorType"]
    rows = list(csv.reader(io.StringIO((workdir / "failing-rows.csv").read_text(encoding="utf-8"))))
    assert rows[0][-6:] == ["row", "column", "column name", "code", "severity", "message"] and len(rows) == 6
    emitted = invoke(lines[4]).output
    assert emitted.startswith("POST https://api.hubapi.com/crm/v3/imports\n")
    assert emitted.count("Content-Type: multipart/form-data") == 1
    assert 'Content-Disposition: form-data; name="importRequest"' in emitted
    assert 'Content-Disposition: form-data; name="files"; filename="contacts.csv"\nContent-Type: text/csv' in emitted
    assert "<390 bytes from fixtures/examples/contacts/contacts.csv>" in emitted
    assert invoke(lines[5]).output.startswith("# configuration: built-in defaults")


def test_github_actions_steps(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    yaml = pytest.importorskip("yaml")
    jsonschema = pytest.importorskip("jsonschema")
    workflow = yaml.safe_load(block("actions"))
    steps = workflow["jobs"]["preflight"]["steps"]
    runs = [s["run"] for s in steps if str(s.get("run", "")).startswith("hubspot-preflight")]
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    (workdir / "imports").mkdir()
    for name in ("contacts.csv", "contacts.import.json"):
        shutil.copy2(workdir / "fixtures" / "examples" / "broken" / name, workdir / "imports" / name)
    summary = workdir / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKFLOW", workflow["name"])
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    first = invoke(runs[0])
    assert first.exit_code == 1 and first.output.startswith("::error file=imports/contacts.import.json")
    assert "| exports/contacts.csv | 3 | 4 Company | HS110 |" in summary.read_text(encoding="utf-8")
    assert invoke(runs[1]).exit_code == 0
    sarif = json.loads((workdir / upload["with"]["sarif_file"]).read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(sarif)
    assert "bo.chen" not in json.dumps(sarif)


def test_library_snippet(workdir: Path) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit, match="import blocked: 10 errors"):
        exec(compile(block("library"), "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    assert lines[0] == "10 3 1"
    assert lines[1] == "exports/contacts.csv 3 Company HS110 INCORRECT_NUMBER_OF_COLUMNS email:bo.chen@example.org"
    assert lines[-1] == "{'error': 10, 'warning': 3}"
    assert json.loads((workdir / "preflight.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
