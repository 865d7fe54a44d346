"""``ignore-records``: one record's findings turned off in the settings, keyed as a baseline keys them.

Each test writes a settings file beside a contacts import and checks the exact findings left
(``row:col CODE`` or ``pointer CODE``), the count of those turned off (``ignored_records``) and
the stale entries (HS902).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from tests.test_config_file import found, run
from validator import Config, validate
from validator.cli import cli
from validator.findings import Severity, ValidatorError

EXAMPLES = ROOT / "fixtures" / "examples"
HEADER = "Email,First Name,Last Name,Phone Number,Lifecycle Stage,Notes\n"
BO = "bo@example.com,Bo,Chen,+14155550102,lead,y,EXTRA\n"  # HS110 at column 7
ANN = "ann@example.com,Ann,Lee,+14155550101,lead,x,EXTRA\n"  # HS110 at column 7
CY = "cy@example.com,Cy,Diaz,notaphone,sometimes,ok\n"  # HS215 at column 4, HS208 at column 5


def _import(folder: Path, rows: str, settings: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(EXAMPLES / "contacts" / "contacts.import.json", folder / "contacts.import.json")
    (folder / "contacts.csv").write_text(HEADER + rows, encoding="utf-8")
    if settings is not None:
        (folder / "pyproject.toml").write_text(f"[tool.hubspot-preflight]\n{settings}\n", encoding="utf-8")
    return folder / "contacts.import.json"


def test_an_entry_turns_off_its_records_findings_and_no_others(tmp_path: Path) -> None:
    # the settings had no way to turn off one record's finding: ignore-records was an unknown
    # key (exit 2); the key is the report's, an email's in any letter case, the rule a name
    settings = 'ignore-records = [{ rule = "ragged-row", key = "email:Ann@Example.com" }]'
    request = _import(tmp_path, BO + ANN + CY, settings)
    code, report = run("check", str(request))
    assert (code, found(report)) == (1, ["2:7 HS110", "4:4 HS215", "4:5 HS208"])
    assert (report["ignored_records"], report["accepted"], report["suppressed"]) == ({"HS110": 1}, {}, {})
    assert report["findings"][0]["key"] == "email:bo@example.com"
    text = CliRunner().invoke(cli, ["check", str(request)]).output
    assert "(1 turned off by ignore-records)" in text.splitlines()[-1]


def test_an_entry_takes_a_prefix_a_column_and_a_file_glob(tmp_path: Path) -> None:
    settings = ('ignore-records = [\n'
                '  { rule = "HS2", key = "email:cy@example.com", column = "Phone Number" },\n'
                '  { rule = "HS110", key = "email:bo@example.com", file = "imp/*.csv" },\n'
                '  { rule = "HS110", key = "email:ann@example.com", file = "other/*.csv" },\n'
                ']')
    (tmp_path / "pyproject.toml").write_text(f"[tool.hubspot-preflight]\n{settings}\n", encoding="utf-8")
    request = _import(tmp_path / "imp", BO + ANN + CY)
    code, report = run("check", str(request))
    # HS208 on Cy's record is another column; Ann's entry names other files (so is not stale here)
    assert (code, found(report)) == (1, ["3:7 HS110", "4:5 HS208"])
    assert report["ignored_records"] == {"HS110": 1, "HS215": 1}


def test_ignored_findings_take_no_listed_place(tmp_path: Path) -> None:
    request = _import(tmp_path, ANN + BO, 'ignore-records = [{ rule = "HS110", key = "email:ann@example.com" }]')
    code, report = run("check", str(request), "--max-per-rule", "1")
    assert (code, found(report), report["suppressed"], report["ignored_records"]) == (
        1, ["3:7 HS110"], {}, {"HS110": 1})


def test_an_entry_that_turns_off_nothing_is_stale(tmp_path: Path) -> None:
    settings = ('ignore-records = [\n  { rule = "HS110", key = "email:ann@example.com" },\n'
                '  { rule = "HS110", key = "email:gone@example.com" },\n]')
    request = _import(tmp_path, ANN + CY, settings)
    code, report = run("check", str(request), "--select", "HS110,HS902")
    # (its place in the file: /ignore-records/1 was the place in the table, not in pyproject.toml)
    assert (code, found(report)) == (0, ["/tool/hubspot-preflight/ignore-records/1 HS902"])
    stale = report["findings"][0]
    assert (stale["file"], stale["severity"], stale["message"], stale["value"]) == (
        str((tmp_path / "pyproject.toml").resolve()), "warning",
        "ignore-records entry for HS110 on 'email:gone@example.com' matched no finding", "email:gone@example.com")
    assert run("check", str(request), "--select", "HS110,HS902", "--fail-on", "warning")[0] == 1
    # an entry of a rule that did not run (not selected, or off for the file) cannot be told stale
    for flags in (["--select", "HS2,HS902"], ["--ignore", "HS110"]):
        assert "HS902" not in " ".join(found(run("check", str(request), *flags)[1])), flags
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.hubspot-preflight]\n{settings}\n[tool.hubspot-preflight.per-file-ignores]\n"*.csv" = ["HS110"]\n',
        encoding="utf-8")
    assert "HS902" not in " ".join(found(run("check", str(request))[1]))


@pytest.mark.parametrize(("name", "table", "pointer"), [
    ("hubspot-preflight.toml", "", "/ignore-records/1"),  # the file's own keys
    ("hubspot-preflight.toml", "[tool.hubspot-preflight]\n", "/tool/hubspot-preflight/ignore-records/1"),
    ("pyproject.toml", "[project]\nname = 'x'\n[tool.hubspot-preflight]\n", "/tool/hubspot-preflight/ignore-records/1"),
])
def test_a_stale_entry_is_located_from_the_top_of_its_settings_file(tmp_path: Path, name: str, table: str,
                                                                    pointer: str) -> None:
    # HS902 said /ignore-records/1 in pyproject.toml, where the list is tool.hubspot-preflight.ignore-records:
    # a JSON pointer from the file's top, as HS901's /entries/<n> is in the baseline file
    request = _import(tmp_path, ANN + CY)
    (tmp_path / name).write_text(f'{table}ignore-records = [\n  {{ rule = "HS110", key = "email:ann@example.com" }},'
                                 '\n  { rule = "HS110", key = "email:gone@example.com" },\n]\n', encoding="utf-8")
    code, report = run("check", str(request), "--select", "HS110,HS902")
    assert (code, found(report)) == (0, [f"{pointer} HS902"])
    (stale,) = report["findings"]
    assert (stale["file"], stale["row"], stale["column"], stale["key"]) == (
        str((tmp_path / name).resolve()), None, None, f"pointer:{pointer}")
    text = CliRunner().invoke(cli, ["check", str(request), "--select", "HS110,HS902", "--format", "concise"]).output
    assert f"{(tmp_path / name).resolve()}:{pointer}: HS902 [warning] ignore-records entry for HS110 on " \
        "'email:gone@example.com' matched no finding" in text.splitlines()


def test_a_baselines_keys_work_as_ignore_records(tmp_path: Path) -> None:
    # every finding of the broken example (email keys, a blank row's and a broken record's
    # place, the request's and the header's pointers), written to a baseline and copied into ignore-records
    folder = tmp_path / "imp"
    shutil.copytree(EXAMPLES / "broken", folder)
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(cli, ["check", str(folder), "--baseline", str(baseline), "--write-baseline"])
    assert result.exit_code == 0, result.output
    entries = json.loads(baseline.read_text(encoding="utf-8"))["entries"]
    assert {e["key"].split(":")[0] for e in entries} >= {"email", "row", "pointer"}
    listed = ",\n".join(f"{{ rule = {json.dumps(e['code'])}, key = {json.dumps(e['key'])}, "
                        f"file = {json.dumps(e['file'])} }}" for e in entries)
    (folder / "pyproject.toml").write_text(f"[tool.hubspot-preflight]\nignore-records = [\n{listed}\n]\n",
                                           encoding="utf-8")
    code, report = run("check", str(folder))
    counted: dict[str, int] = {}
    for e in entries:
        counted[e["code"]] = counted.get(e["code"], 0) + 1
    assert (code, found(report), report["ignored_records"]) == (0, [], counted)


def test_ignore_records_come_before_the_baseline_and_stay_out_of_a_written_one(tmp_path: Path) -> None:
    request = _import(tmp_path, ANN + BO, 'ignore-records = [{ rule = "HS110", key = "email:ann@example.com" }]')
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(cli, ["check", str(request), "--baseline", str(baseline), "--write-baseline"])
    assert result.exit_code == 0, result.output
    entries = json.loads(baseline.read_text(encoding="utf-8"))["entries"]
    assert [(e["code"], e["key"]) for e in entries] == [("HS110", "email:bo@example.com")]
    # a baseline entry for a finding the settings turn off accepts nothing: it is stale
    data = json.loads(baseline.read_text(encoding="utf-8"))
    data["entries"].append({**entries[0], "key": "email:ann@example.com"})
    baseline.write_text(json.dumps(data), encoding="utf-8")
    code, report = run("check", str(request), "--baseline", str(baseline))
    assert (code, found(report), report["accepted"], report["ignored_records"]) == (
        0, ["/entries/1 HS901"], {"HS110": 1}, {"HS110": 1})


def test_one_settings_file_over_several_imports(tmp_path: Path) -> None:
    # an entry one import used is not stale in another; one neither used is said once
    settings = ('ignore-records = [\n  { rule = "HS110", key = "email:ann@example.com" },\n'
                '  { rule = "HS110", key = "email:gone@example.com" },\n]')
    (tmp_path / "pyproject.toml").write_text(f"[tool.hubspot-preflight]\n{settings}\n", encoding="utf-8")
    _import(tmp_path / "a", ANN + CY)
    _import(tmp_path / "b", BO + CY)
    code, report = run("check", str(tmp_path / "a"), str(tmp_path / "b"), "--select", "HS110,HS902")
    assert (code, found(report), report["ignored_records"]) == (
        1, ["/tool/hubspot-preflight/ignore-records/1 HS902", "2:7 HS110"], {"HS110": 1})
    assert report["findings"][1]["key"] == "email:bo@example.com"


def test_config_in_python_and_the_config_command(tmp_path: Path) -> None:
    request = _import(tmp_path / "imp", ANN + BO)
    config = Config(ignore_records=[{"rule": "HS110", "key": "email:bo@example.com"},
                                    {"rule": "HS110", "key": "email:cy@example.com", "file": "contacts.csv"}],
                    select=["HS110", "HS902"])
    report = validate(request, config=config)
    assert [(f.code, f.file, f.row, f.column, f.pointer, f.severity) for f in report.findings] == [
        ("HS110", "contacts.csv", 2, 7, None, Severity.ERROR),
        ("HS902", "Config", None, None, "/ignore-records/1", Severity.WARNING)]
    assert report.ignored_records == {"HS110": 1}
    with pytest.raises(ValidatorError) as caught:
        Config(ignore_records=[{"rule": "HS999", "key": "email:a@x.com"}])
    assert str(caught.value) == "Config.ignore_records[0]: rule: unknown rule code or name 'HS999'"
    with pytest.raises(ValidatorError) as caught:
        Config(ignore_records={"rule": "HS110", "key": "email:a@x.com"})
    assert str(caught.value).startswith("Config.ignore_records must be a list of tables with rule and key, not {")
    (tmp_path / "imp" / "pyproject.toml").write_text(
        '[tool.hubspot-preflight]\nignore-records = [{ rule = "HS110", key = "email:Bo@Example.com", '
        'file = "*.csv" }]\n', encoding="utf-8")
    out = CliRunner().invoke(cli, ["config", str(tmp_path / "imp")]).output
    assert 'ignore-records = [{"rule": "HS110", "key": "email:bo@example.com", "file": "*.csv"}]' in out.splitlines()
    data = json.loads(CliRunner().invoke(cli, ["config", str(tmp_path / "imp"), "--format", "json"]).output)
    assert data["ignore-records"] == [{"rule": "HS110", "key": "email:bo@example.com", "file": "*.csv"}]
