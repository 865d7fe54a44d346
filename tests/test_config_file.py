"""Configuration files, rule selection, per-rule severity, per-file ignores and baselines.

Table-driven: each case is a ``[tool.hubspot-preflight]`` table plus command-line flags, run on
the bundled broken import, with the exact findings (``row:col CODE`` or ``pointer CODE``) and
exit code expected.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from validator import Config, validate
from validator.cli import cli
from validator.config import active_rules
from validator.findings import ValidatorError
from validator.records import content_hash
from validator.report.text import location
from validator.settings import discover, effective_config

EXAMPLES = ROOT / "fixtures" / "examples"
ALL_BROKEN = [
    "/files/0/fileImportPage/hasHeader HS002", "/files/0/fileImportPage/columnMappings/2/columnType HS007",
    "/importOperations/0-2 HS009", "/files/0/dateFormat HS010", "/files/0/fileName HS013",
    "1:1 HS102", "1:1 HS103", "1:4 HS101", "3:4 HS110", "4 HS113", "5:2 HS112", "6:5 HS110", "7:2 HS111",
]
DATA_ROWS = ["3:4 HS110", "4 HS113", "5:2 HS112", "6:5 HS110", "7:2 HS111"]


def run(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)


def found(report: dict) -> list[str]:
    out = []
    for f in report["findings"]:
        where = f"{f['row']}:{f['column']}" if f["row"] is not None and f["column"] is not None else (
            str(f["row"]) if f["row"] is not None else f["pointer"])
        out.append(f"{where} {f['code']}")
    return out


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "proj" / "imports"
    shutil.copytree(EXAMPLES / "broken", folder)
    return tmp_path / "proj"


CASES = [
    ("nothing configured", "", [], ALL_BROKEN, 1),
    ("select a prefix", 'select = ["HS11"]', [], DATA_ROWS, 1),
    ("select by name, extend-select a code", 'select = ["blank-row"]\nextend-select = ["HS111"]', [],
     ["4 HS113", "7:2 HS111"], 1),
    ("ignore by prefix and name", 'ignore = ["HS0", "ragged-row"]', [],
     ["1:1 HS102", "1:1 HS103", "1:4 HS101", "4 HS113", "5:2 HS112", "7:2 HS111"], 1),
    ("flags override the file's select", 'select = ["HS113"]', ["--select", "HS111"], ["7:2 HS111"], 1),
    ("flags add to the file's ignore", 'select = ["HS11"]\nignore = ["HS110"]', ["--ignore", "HS111"],
     ["4 HS113", "5:2 HS112"], 1),
    ("a warning does not fail by default", 'select = ["HS113"]', [], ["4 HS113"], 0),
    ("fail-on warning", 'select = ["HS113"]\nfail-on = "warning"', [], ["4 HS113"], 1),
    ("fail-on from the command line", 'select = ["HS113"]', ["--fail-on", "warning"], ["4 HS113"], 1),
    ("per-rule severity turns an error into a warning", 'select = ["HS110"]\n[tool.hubspot-preflight.severity]\n'
     '"ragged-row" = "warning"', [], ["3:4 HS110", "6:5 HS110"], 0),
    ("per-rule severity turns a warning into an error", 'select = ["HS113"]\n[tool.hubspot-preflight.severity]\n'
     'HS113 = "error"', [], ["4 HS113"], 1),
    ("per-file-ignores for data files by glob", 'select = ["HS11"]\n[tool.hubspot-preflight.per-file-ignores]\n'
     '"imports/*.csv" = ["HS110", "blank-row"]', [], ["5:2 HS112", "7:2 HS111"], 1),
    ("per-file-ignores on the request", '[tool.hubspot-preflight.per-file-ignores]\n'
     '"*.import.json" = ["HS0"]\n"other/*.csv" = ["HS1"]', [], ALL_BROKEN[5:], 1),
    # (an empty glob, or ".", raised pathlib's "empty pattern", a traceback: they match no file)
    ("per-file-ignores with an empty glob", 'select = ["HS113"]\n[tool.hubspot-preflight.per-file-ignores]\n'
     '"" = ["HS113"]\n"." = ["HS113"]', [], ["4 HS113"], 0),
    ("max-per-rule", 'select = ["HS110"]\nmax-per-rule = 1', [], ["3:4 HS110"], 1),
    ("exit-zero", 'select = ["HS110"]\nexit-zero = true', [], ["3:4 HS110", "6:5 HS110"], 0),
]


@pytest.mark.parametrize(("name", "table", "flags", "expected", "code"), CASES, ids=[c[0] for c in CASES])
def test_configuration_table(project: Path, name: str, table: str, flags: list[str], expected: list[str],
                             code: int) -> None:
    (project / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.hubspot-preflight]\n{table}\n",
                                            encoding="utf-8")
    exit_code, report = run("check", str(project / "imports" / "contacts.csv"), *flags)
    assert found(report) == expected
    assert exit_code == code
    if name == "max-per-rule":
        assert report["suppressed"] == {"HS110": 1}
    if name.startswith("per-rule severity turns an error"):
        assert {f["severity"] for f in report["findings"]} == {"warning"}


@pytest.mark.parametrize(("table", "message"), [
    ('selct = ["HS1"]', "unknown configuration key 'selct'"),
    # an unknown rule or severity is named with the file and key it came from, as the library's
    # Config names its field ("Config.per_file_ignores['*.csv']: unknown rule code or name ...")
    ('select = ["HS999"]', "{file} [tool.hubspot-preflight] select: unknown rule code or name 'HS999'"),
    ('extend-select = "HS1,HS996"', "{file} [tool.hubspot-preflight] extend-select: unknown rule code or name 'HS996'"),
    ('ignore = ["no-such-rule"]', "{file} [tool.hubspot-preflight] ignore: unknown rule code or name 'no-such-rule'"),
    ('[tool.hubspot-preflight.severity]\nHS998 = "warning"',
     "{file} [tool.hubspot-preflight] severity: unknown rule code or name 'HS998'"),
    ('[tool.hubspot-preflight.severity]\nHS110 = "fatal"',
     "{file} [tool.hubspot-preflight] severity['HS110']: unknown severity 'fatal'"),
    ('[tool.hubspot-preflight.per-file-ignores]\n"*.csv" = ["HS997"]',
     "{file} [tool.hubspot-preflight] per-file-ignores['*.csv']: unknown rule code or name 'HS997'"),
    ('[tool.hubspot-preflight.options]\nbogus = { limit = 1 }',
     "{file} [tool.hubspot-preflight] options: unknown rule code or name 'bogus'"),
    ('fail-on = "never"', "{file} [tool.hubspot-preflight] fail-on: unknown severity 'never'"),
    ('max-per-rule = -1', "max-per-rule"),
    # a tier, a report format or a rule option refused named no file, nor the setting
    ('tier = "gold"', "{file} [tool.hubspot-preflight] tier: unknown tier 'gold' (choose from paid, free)"),
    ('output-format = "JSON"', "{file} [tool.hubspot-preflight] output-format: unknown output format 'JSON'"),
    ('[tool.hubspot-preflight.options]\nHS203 = { min_year = 1950, maxyear = 2035 }',
     "{file} [tool.hubspot-preflight] options: unknown option(s) maxyear for rule HS203"),
    # a setting of the wrong type was named "tier in /abs/path/pyproject.toml must be ...", not as above
    ('tier = 5', "{file} [tool.hubspot-preflight] tier: must be a string, not 5"),
    ('max-per-rule = 1.5', "{file} [tool.hubspot-preflight] max-per-rule: must be a whole number >= 0, not 1.5"),
    ('select = 5', "{file} [tool.hubspot-preflight] select: must be a list of strings, not 5"),
    ('redact = "yes"', "{file} [tool.hubspot-preflight] redact: must be true or false, not 'yes'"),
    ('[tool.hubspot-preflight.severity]\nHS110 = 3', "{file} [tool.hubspot-preflight] severity['HS110']: must be a "
     "string, not 3"),
    ('[tool.hubspot-preflight.options]\nHS503 = 5',
     "{file} [tool.hubspot-preflight] options['HS503']: must be a table, not 5"),
    ('[tool.hubspot-preflight.per-file-ignores]\n"*.csv" = 5',
     "{file} [tool.hubspot-preflight] per-file-ignores['*.csv']: must be a list of strings, not 5"),
    # ignore-records (one record's findings of a rule) was an unknown key; each entry is checked
    ('ignore-records = [{ rule = "HS999", key = "email:a@x.com" }]',
     "{file} [tool.hubspot-preflight] ignore-records[0]: rule: unknown rule code or name 'HS999'"),
    ('ignore-records = [{ rule = "HS110" }]',
     "{file} [tool.hubspot-preflight] ignore-records[0]: missing 'key' (each entry needs rule and key)"),
    ('ignore-records = [{ rule = "HS110", key = "email:a@x.com" }, { rule = 110, key = "email:a@x.com" }]',
     "{file} [tool.hubspot-preflight] ignore-records[1]: rule must be a non-empty string, not 110"),
    ('ignore-records = [{ rule = "HS110", key = "email:a@x.com", file = ["*.csv"] }]',
     "{file} [tool.hubspot-preflight] ignore-records[0]: file must be a non-empty string, not ['*.csv']"),
    ('ignore-records = [{ rule = "HS110", key = "email:a@x.com", code = "HS110" }]',
     "{file} [tool.hubspot-preflight] ignore-records[0]: unknown field 'code' (known: rule, key, file, column)"),
    ('ignore-records = [{ rule = "HS110", key = "a@x.com" }]',
     "{file} [tool.hubspot-preflight] ignore-records[0]: key 'a@x.com' is no record key (give one as a baseline "
     "or the JSON report's key gives it: id:..., email:..., row:..., value:..., column:..., pointer:... or file)"),
    ('ignore-records = { rule = "HS110", key = "email:a@x.com" }',
     "{file} [tool.hubspot-preflight] ignore-records must be a list of tables with rule and key, not {'rule': "),
    ('ignore-records = ["HS110"]',
     "{file} [tool.hubspot-preflight] ignore-records[0] must be a table with rule and key, not 'HS110'"),
    ('select = "HS1', "not valid TOML"),
    # TOML nested deeper than Python's reader recurses said "input nested too deeply to check",
    # naming no file, and Config.from_pyproject raised RecursionError
    ("select = " + "[" * 3000 + "]" * 3000, "cannot read configuration {file}: nested too deeply"),
    # a whole number past Python's limit on digits was an internal error (ValueError from tomllib)
    ("max-per-rule = " + "9" * 5000, "cannot read configuration {file}: a number of more than 4,300 digits is too "
                                     "long to read"),
    # a rule option of the wrong kind used to escape as "internal error: ValueError"
    ('[tool.hubspot-preflight.options]\nHS503 = { max_columns = "many" }',
     "{file} [tool.hubspot-preflight] options: option max_columns of rule HS503 must be a whole number >= 0, "
     "not 'many'"),
    ('[tool.hubspot-preflight.options]\nHS503 = { max_columns = 1.5 }', "must be a whole number >= 0, not 1.5"),
    ('[tool.hubspot-preflight.options]\nHS503 = { max_columns = true }', "must be a whole number >= 0, not True"),
    ('[tool.hubspot-preflight.options]\nHS501 = { max_rows = -1 }', "must be a whole number >= 0, not -1"),
    # HS608's rows are held as one chunk while it looks down them: bounded, as memory is
    ('[tool.hubspot-preflight.options]\nHS608 = { rows = 100000000 }',
     "{file} [tool.hubspot-preflight] options: option rows of rule HS608 must be at most 1,000, not 100000000"),
    ('[tool.hubspot-preflight.options]\nHS502 = { plan = 5 }', "option plan of rule HS502 must be a string, not 5"),
    # an empty path was the settings file's own folder: read as a portal snapshot, or refused as
    # "cannot read baseline: ... is not a regular file or a pipe"
    ('select = " , "', "{file} [tool.hubspot-preflight] select: names no rule: give codes, prefixes, names or ALL "
                     '(ignore = ["ALL"] checks nothing)'),
    ('portal = ""', "{file} [tool.hubspot-preflight] portal: '' names no folder"),
    ('baseline = ""', "{file} [tool.hubspot-preflight] baseline: '' names no file"),
    # a plan that is no tier was taken for "paid", silently, where tier = "gold" is refused
    ('[tool.hubspot-preflight.options]\nHS502 = { plan = "gold" }',
     "option plan of rule HS502 must be paid or free, not 'gold'"),
])
def test_configuration_errors_exit_2_naming_the_culprit(project: Path, table: str, message: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from validator.cli import main

    (project / "pyproject.toml").write_text(f"[tool.hubspot-preflight]\n{table}\n", encoding="utf-8")
    message = message.replace("{file}", str((project / "pyproject.toml").resolve()))
    for command in (["check", str(project / "imports" / "contacts.csv")], ["config", str(project / "imports")]):
        with pytest.raises(SystemExit) as exc:
            main(command)
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("hubspot-preflight: error: ") and message in err, err
        assert len(err.strip().splitlines()) == 1


def test_a_settings_file_nested_too_deeply_is_a_validator_error_naming_it(tmp_path: Path) -> None:
    for name, text in (("pyproject.toml", "[tool.hubspot-preflight]\nselect = "), ("deep.toml", "x = ")):
        (tmp_path / name).write_text(text + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
        with pytest.raises(ValidatorError) as info:
            Config.from_pyproject(tmp_path / name)
        assert str(info.value) == f"cannot read configuration {tmp_path / name}: nested too deeply"


def test_unknown_code_message_on_stderr(project: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # the file is named as found, relative to the current folder where it is inside it
    from validator.cli import main

    monkeypatch.chdir(project)
    (project / "pyproject.toml").write_text('[tool.hubspot-preflight]\nselect = ["HS1", "HS999"]\n', encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["check", str(project / "imports" / "contacts.csv")])
    assert exc.value.code == 2
    assert capsys.readouterr().err.strip() == "hubspot-preflight: error: pyproject.toml [tool.hubspot-preflight] " \
        "select: unknown rule code or name 'HS999'"


@pytest.mark.parametrize(("flag", "value"), [("--select", "HS1,HS999"), ("--extend-select", "HS999"),
                                             ("--ignore", "no-such-rule")])
def test_an_unknown_rule_on_the_command_line_names_its_flag(project: Path, capsys: pytest.CaptureFixture[str],
                                                           flag: str, value: str) -> None:
    from validator.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["check", str(project / "imports" / "contacts.csv"), flag, value])
    assert exc.value.code == 2
    bad = value.split(",")[-1]
    assert capsys.readouterr().err.strip() == f"hubspot-preflight: error: {flag}: unknown rule code or name {bad!r}"


def test_config_command_prints_the_effective_configuration(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.hubspot-preflight]\nselect = ["HS11"]\nportal = "portal"\ntier = "free"\n'
        '[tool.hubspot-preflight.severity]\nblank-row = "error"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["config", str(project / "imports" / "contacts.csv")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"# configuration: {(project / 'pyproject.toml').resolve()}"
    assert 'select = ["HS11"]' in lines
    assert 'severity = {"HS113": "error"}' in lines
    assert f'portal = "{(project / "portal").resolve()}"' in lines
    assert 'tier = "free"' in lines
    assert lines[-1] == ("# 8 active rules: HS110=error, HS111=error, HS112=error, HS113=error, "
                         "HS114=error, HS115=error, HS116=error, HS117=warning")
    data = json.loads(CliRunner().invoke(cli, ["config", str(project), "--format", "json"]).output)
    assert data["rules"]["HS113"] == "error" and len(data["rules"]) == 8


def test_config_file_option_and_library_loader(tmp_path: Path) -> None:
    standalone = tmp_path / "preflight.toml"
    standalone.write_text('select = ["HS110"]\nmax-per-rule = 1\n', encoding="utf-8")
    exit_code, report = run("check", str(EXAMPLES / "broken" / "contacts.import.json"), "--config", str(standalone))
    assert (found(report), exit_code) == (["3:4 HS110"], 1)
    config = Config.from_pyproject(standalone, fail_on=Config().fail_on)
    assert (config.select, config.max_per_rule) == (("HS110",), 1)
    assert [location(f) for f in validate(EXAMPLES / "broken" / "contacts.import.json", config=config).findings] \
        == ["3:4"]
    (tmp_path / "pyproject.toml").write_text('[tool.hubspot-preflight]\nbogus = 1\n', encoding="utf-8")
    with pytest.raises(ValidatorError, match="unknown configuration key 'bogus'"):
        Config.from_pyproject(tmp_path / "pyproject.toml")


@pytest.mark.parametrize(("file", "flags", "on", "off"), [
    # ruff's order: the file's selection, then the command line's on what it leaves
    ('ignore = ["HS110"]', {"select": ("HS110",)}, {"HS110"}, {"HS111", "HS101"}),
    ('extend-select = ["HS9"]\nignore = ["HS110"]', {"select": ("HS11",)}, {"HS110", "HS111"}, {"HS901", "HS101"}),
    ('ignore = ["HS110"]', {"extend_select": ("HS110",)}, {"HS110", "HS101"}, set()),
    ('ignore = ["HS1"]', {"ignore": ("HS2",)}, set(), {"HS110", "HS201"}),
    # within one selection the more specific entry wins, an ignore on a tie
    ("", {"select": ("HS110",), "ignore": ("HS1",)}, {"HS110"}, {"HS111"}),
    ("", {"select": ("HS1",), "ignore": ("HS110",)}, {"HS111"}, {"HS110"}),
    ("", {"select": ("ragged-row",), "ignore": ("HS110",)}, set(), {"HS110"}),
    ('select = ["ALL"]\nignore = ["HS11"]\nextend-select = ["HS110"]', {}, {"HS110", "HS901"}, {"HS111"}),
])
def test_command_line_selection_applies_after_the_files(tmp_path: Path, file: str, flags: dict[str, tuple[str, ...]],
                                                         on: set[str], off: set[str]) -> None:
    (tmp_path / "hubspot-preflight.toml").write_text(file + "\n", encoding="utf-8")
    config = effective_config((tmp_path,), tmp_path / "hubspot-preflight.toml", **flags)
    active = set(active_rules(config))
    assert on <= active and not off & active


def test_each_request_uses_the_settings_file_nearest_to_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # one file was applied to every request of a run: b's ignore silenced a's HS1 findings when both
    # were checked together, and a folder check above them applied neither
    for name in ("a", "b"):
        shutil.copytree(EXAMPLES / "broken", tmp_path / "imports" / name)
    (tmp_path / "imports" / "b" / "pyproject.toml").write_text('[tool.hubspot-preflight]\nignore = ["HS1"]\n',
                                                                encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def codes(*args: str) -> dict[str, set[str]]:
        _code, report = run("check", *args)
        out: dict[str, set[str]] = {}
        for f in report["findings"]:
            out.setdefault(f["path"].split("/")[1], set()).add(f["code"][:3])
        return out
    alone = {**codes("imports/a/contacts.import.json"), **codes("imports/b/contacts.import.json")}
    assert "HS1" in alone["a"] and "HS1" not in alone["b"]
    assert codes("imports/a/contacts.import.json", "imports/b/contacts.import.json") == alone
    assert codes("imports") == alone
    assert codes("imports/b/contacts.import.json", "imports/a/contacts.import.json") == alone


@pytest.mark.parametrize("table", ['HS113 = "error"\nHS1 = "info"', 'HS1 = "info"\nHS113 = "error"'])
def test_a_more_specific_severity_wins_whatever_its_place(tmp_path: Path, table: str) -> None:
    (tmp_path / "hubspot-preflight.toml").write_text(f"[severity]\n{table}\n", encoding="utf-8")
    active = active_rules(effective_config((tmp_path,), tmp_path / "hubspot-preflight.toml"))
    assert (active["HS113"].severity.label, active["HS110"].severity.label) == ("error", "info")


def test_a_rules_plan_that_is_no_tier_is_refused_in_python_too() -> None:
    # options={"HS506": {"plan": "Gold"}} checked as the paid plan, silently
    with pytest.raises(ValidatorError, match=r"^option plan of rule HS506 must be paid or free, not 'Gold'$"):
        validate(EXAMPLES / "contacts" / "contacts.import.json", config=Config(options={"HS506": {"plan": "Gold"}}))
    assert active_rules(Config(options={"HS506": {"plan": "FREE"}}))["HS506"].options["plan"] == "FREE"


def test_tier_flag_wins_over_a_rules_plan_in_the_file_and_zero_means_the_default(tmp_path: Path) -> None:
    (tmp_path / "hubspot-preflight.toml").write_text('[options]\nHS502 = { plan = "paid" }\n'
                                                     'HS603 = { max_chars = 0 }\n', encoding="utf-8")
    config = effective_config((tmp_path,), tmp_path / "hubspot-preflight.toml", tier="free")
    assert active_rules(config)["HS502"].options["plan"] == "free"
    assert active_rules(effective_config((tmp_path,), tmp_path / "hubspot-preflight.toml"))["HS502"].options[
        "plan"] == "paid"
    # max_chars = 0 is the default limit, as for the other limits (HS603 flagged every cell)
    report = validate(EXAMPLES / "contacts" / "contacts.import.json", config=config)
    assert [f.code for f in report.findings if f.code == "HS603"] == []


# -- baselines -----------------------------------------------------------------------------------

HEADER = "Email,First Name,Last Name,Phone Number,Lifecycle Stage,Notes\n"
ANN = "ann@example.com,Ann,Lee,+14155550101,lead,x,EXTRA\n"
BO = "bo@example.com,Bo,Chen,+14155550102,lead\n"
CY = "cy@example.com,Cy,Diaz,+14155550103,lead,ok\n"


def _import(folder: Path, rows: str) -> Path:
    folder.mkdir(exist_ok=True)
    shutil.copy2(EXAMPLES / "contacts" / "contacts.import.json", folder / "contacts.import.json")
    (folder / "contacts.csv").write_text(HEADER + rows, encoding="utf-8")
    return folder / "contacts.import.json"


BASELINE_STEPS = [
    # (rows in the file, extra flags, expected findings, exit code)
    ("the accepted rows, re-sorted, with a new clean row", CY + BO + CY.replace("cy@", "di@") + ANN, [], [], 0),
    ("a new problem on a new record is reported", BO + ANN + CY + "ed@example.com,Ed\n", [], ["5:3 HS110"], 1),
    ("the accepted problem on Bo's record moved to another record",
     ANN + CY + "bo@example.com,Bo,Chen,+14155550102,lead,y\n" + "fi@example.com,Fi\n", [],
     ["5:3 HS110", "/entries/1 HS901"], 1),
    ("Bo fixed: his entry is stale, a warning", ANN + "bo@example.com,Bo,Chen,+14155550102,lead,y\n", [],
     ["/entries/1 HS901"], 0),
    ("stale entries fail with fail-on warning", ANN + "bo@example.com,Bo,Chen,+14155550102,lead,y\n",
     ["--fail-on", "warning"], ["/entries/1 HS901"], 1),
]


@pytest.mark.parametrize(("name", "rows", "flags", "expected", "code"), BASELINE_STEPS,
                         ids=[s[0] for s in BASELINE_STEPS])
def test_baseline_keyed_by_record(tmp_path: Path, name: str, rows: str, flags: list[str], expected: list[str],
                                  code: int) -> None:
    request = _import(tmp_path / "imp", ANN + BO)
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(cli, ["check", str(request), "--baseline", str(baseline), "--write-baseline"])
    assert result.exit_code == 0, result.output
    entries = json.loads(baseline.read_text(encoding="utf-8"))["entries"]
    assert [(e["file"], e["code"], e["key"]) for e in entries] == [
        ("contacts.csv", "HS110", "email:ann@example.com"), ("contacts.csv", "HS110", "email:bo@example.com")]
    _import(tmp_path / "imp", rows)
    exit_code, report = run("check", str(request), "--baseline", str(baseline), *flags)
    assert found(report) == expected
    assert exit_code == code


def test_baseline_entries_of_rules_that_did_not_run_or_ran_past_the_cap_are_not_stale(tmp_path: Path) -> None:
    # --ignore HS110 made both accepted HS110 entries "stale" (HS901); so did --max-per-rule 1 for
    # the entry whose finding went unlisted past the cap
    request = _import(tmp_path / "imp", ANN + BO)
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(cli, ["check", str(request), "--baseline", str(baseline), "--write-baseline"])
    assert result.exit_code == 0, result.output
    for flags in (["--ignore", "HS110"], ["--select", "HS2,HS901"], ["--max-per-rule", "1"]):
        _exit_code, report = run("check", str(request), "--baseline", str(baseline), *flags)
        assert [f for f in found(report) if "HS901" in f] == [], flags
    _exit_code, report = run("check", str(request), "--baseline", str(baseline), "--ignore", "HS113")
    assert report["accepted"] == {"HS110": 2}


def test_baseline_accepts_one_finding_per_entry_and_keys_broken_quote_rows_by_record(tmp_path: Path) -> None:
    # a broken-quote row had the key of no cells at all (row:e3b0...), like every other one, and
    # one entry accepted any number of findings: a new broken row, or a new blank row, passed;
    # a run of blank rows elsewhere, or a quote never closed elsewhere, was accepted too
    broken = 'ann@example.com,"Ann"x,Lee,+14155550101,lead,n\n'
    request = _import(tmp_path / "imp", broken + "\n" + CY)
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(cli, ["check", str(request), "--baseline", str(baseline), "--write-baseline"])
    assert result.exit_code == 0, result.output
    entries = json.loads(baseline.read_text(encoding="utf-8"))["entries"]
    # a blank row has no cells to key it by: its place (the hash of no cells accepted every blank
    # row, and every quote never closed, anywhere in the file)
    assert [(e["code"], e["key"]) for e in entries] == [("HS112", "email:ann@example.com"), ("HS113", "row:3")]
    _import(tmp_path / "imp", CY + "\n" + broken + 'zed@example.com,"Zed"y,Ng,+14155550102,lead,n\n\n')
    exit_code, report = run("check", str(request), "--baseline", str(baseline))
    assert (found(report), exit_code) == (["5:2 HS112", "6 HS113"], 1)
    assert [f["key"] for f in report["findings"]] == ["email:zed@example.com", "row:6"]
    assert report["accepted"] == {"HS112": 1, "HS113": 1}
    # two findings alike (two blank rows) get two fingerprints: the first one's as before
    from validator.report.common import fingerprint
    from validator.report.sarif import sarif_dict

    both = validate(request)
    results = sarif_dict(both)["runs"][0]["results"]
    prints = [r["partialFingerprints"]["hubspotPreflight/v1"] for r in results if r["ruleId"] == "HS113"]
    first = next(f for f in both.findings if f.code == "HS113")
    assert len(set(prints)) == 2 and prints[0] == fingerprint(first)


def test_findings_made_after_the_file_keep_their_baseline_entry_when_rows_move(tmp_path: Path) -> None:
    # HS314 (like HS332 and HS341) is reported after its file is read, when the row's cells are
    # gone: its key was the row number, and a row inserted above made the entry stale
    folder = tmp_path / "imp"
    shutil.copytree(EXAMPLES / "two-file-broken", folder)
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(cli, ["check", str(folder / "import.json"), "--baseline", str(baseline),
                                      "--write-baseline"])
    assert result.exit_code == 0, result.output
    entries = json.loads(baseline.read_text(encoding="utf-8"))["entries"]
    assert [(e["code"], e["key"]) for e in entries if e["code"] == "HS314"] == [
        ("HS314", "value:dan.smith@initech.example")]
    companies = (folder / "companies.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "companies.csv").write_text(companies[0] + "Hooli,hooli.example,ann.lee@acme.example\n"
                                          + "".join(companies[1:]), encoding="utf-8")
    _code, report = run("check", str(folder / "import.json"), "--baseline", str(baseline))
    assert [f["code"] for f in report["findings"]] == []
    assert report["accepted"]["HS314"] == 1


COMPANIES = {"name": "Companies", "importOperations": {"0-2": "UPSERT"}, "files": [{
    "fileName": "companies.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
        {"columnObjectTypeId": "0-2", "columnName": "Name", "propertyName": "name"},
        {"columnObjectTypeId": "0-2", "columnName": "Domain", "propertyName": "domain",
         "columnType": "HUBSPOT_ALTERNATE_ID"}]}}]}


def _companies(folder: Path, rows: list[str]) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "companies.import.json").write_text(json.dumps(COMPANIES), encoding="utf-8")
    (folder / "companies.csv").write_text("Name,Domain\n" + "".join(rows), encoding="utf-8")
    return folder / "companies.import.json"


@pytest.mark.parametrize(("rows", "order", "keys"), [
    # two companies with one domain and two names: no Record ID or email column, so each row was
    # keyed by its cells' hash; the finding is on the later row, and a re-sort that put the other
    # row first made the entry stale (HS901) and the finding new
    (["Acme,acme.example\n", "Acme Inc,https://www.ACME.example/about\n"], [1, 0], ["value:acme.example"]),
    # three rows with one domain: two findings with one key, two entries, each accepting one
    (["Acme,acme.example\n", "Acme Inc,acme.example\n", "Acme Ltd,www.acme.example\n"], [2, 0, 1],
     ["value:acme.example", "value:acme.example"]),
], ids=["two rows", "three rows"])
def test_a_duplicates_baseline_entry_follows_its_value_when_the_rows_are_re_sorted(
        tmp_path: Path, rows: list[str], order: list[int], keys: list[str]) -> None:
    request = _companies(tmp_path / "imp", rows)
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(cli, ["check", str(request), "--baseline", str(baseline), "--write-baseline",
                                      "--select", "HS301"])
    assert result.exit_code == 0, result.output
    entries = json.loads(baseline.read_text(encoding="utf-8"))["entries"]
    assert [(e["code"], e["key"], e["column"]) for e in entries] == [("HS301", k, "Domain") for k in keys]
    _companies(tmp_path / "imp", [rows[i] for i in order])
    exit_code, report = run("check", str(request), "--baseline", str(baseline), "--select", "HS301,HS901")
    assert (found(report), exit_code, report["accepted"]) == ([], 0, {"HS301": len(keys)})
    # a third company with that domain is new: its finding is reported, the entries still accept theirs
    _companies(tmp_path / "imp", [*(rows[i] for i in order), "Acme GmbH,acme.example\n"])
    exit_code, report = run("check", str(request), "--baseline", str(baseline), "--select", "HS301,HS901")
    assert (found(report), exit_code) == ([f"{len(rows) + 2}:2 HS301"], 1)
    assert [f["key"] for f in report["findings"]] == ["value:acme.example"]


def _one_import(folder: Path, columns: list[tuple[str, str, str | dict]], rows: list[str], **top: object) -> Path:
    """A one-file import of (columnName, object, property or the mapping's other fields) columns."""
    folder.mkdir(exist_ok=True)
    mappings = [{"columnObjectTypeId": o, "columnName": c, **(p if isinstance(p, dict) else {"propertyName": p})}
                for c, o, p in columns]
    request = {"name": "t", **top, "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": mappings}}]}
    (folder / "data.import.json").write_text(json.dumps(request), encoding="utf-8")
    (folder / "data.csv").write_text(",".join(c for c, _, _ in columns) + "\n" + "".join(rows), encoding="utf-8")
    return folder / "data.import.json"


REGISTERED = {"columnType": "EVENT_TIMESTAMP", "marketingEventSubmissionType": "REGISTERED"}


@pytest.mark.parametrize(("code", "columns", "top", "rows", "key", "column"), [
    # an email in another Unicode form: keyed by each row's Record ID
    ("HS325", [("Record ID", "0-1", "hs_object_id"), ("Email", "0-1", "email")], {},
     ["1,jos\u00e9@x.com\n", "2,JOSE\u0301@x.com\n"], "value:jos\u00e9@x.com", "Email"),
    # a repeated participation: keyed by each row's Record ID as written
    ("HS317", [("Record ID", "0-1", "hs_object_id"), ("Registered", "0-54", REGISTERED)],
     {"marketingEventObjectId": 123456, "dateFormat": "YEAR_MONTH_DAY"},
     ["501,2024-03-01 10:00\n", "0501,2024-03-01 10:00\n"], "value:501 2024-03-01 10:00", "Registered"),
    # a company given two names beside two contacts: keyed by each row's contact email
    ("HS329", [("Email", "0-1", "email"), ("Company", "0-2", "name"), ("Domain", "0-2", "domain")], {},
     ["ann@x.com,Acme,acme.example\n", "bo@x.com,Acme Inc,www.acme.example\n"], "value:acme.example", "Company"),
], ids=["HS325", "HS317", "HS329"])
def test_a_findings_baseline_entry_follows_the_value_it_names_an_earlier_row_by_when_the_rows_are_re_sorted(
        tmp_path: Path, code: str, columns: list, top: dict, rows: list[str], key: str, column: str) -> None:
    # each finding is on the later of two rows, naming the earlier one; it was keyed by the later
    # row's record, so a re-sort that put the other row later made the entry stale (HS901) and
    # the finding new: it is keyed by the value the two rows meet in
    request = _one_import(tmp_path / "imp", columns, rows, **top)
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(cli, ["check", str(request), "--baseline", str(baseline), "--write-baseline",
                                      "--select", code])
    assert result.exit_code == 0, result.output
    entries = json.loads(baseline.read_text(encoding="utf-8"))["entries"]
    assert [(e["code"], e["key"], e["column"]) for e in entries] == [(code, key, column)]
    _one_import(tmp_path / "imp", columns, rows[::-1], **top)
    exit_code, report = run("check", str(request), "--baseline", str(baseline), "--select", f"{code},HS901")
    assert (found(report), exit_code, report["accepted"]) == ([], 0, {code: 1})


SHARED_ADDITIONAL = [
    # HS308's finding is on the later of the two rows, in that row's email or additional emails
    # column: keyed by the address the two rows share, it moves to the other column when the
    # other row comes later
    ("HS308", [("Email", "0-1", "email"), ("Additional emails", "0-1", "hs_additional_emails")],
     ["ann@x.com,bo@x.com\n", "Bo@x.com,\n"], "value:bo@x.com", ("Email", "Additional emails")),
    ("HS319", [("Name", "0-2", "name"), ("Domain", "0-2", "domain"),
               ("Additional domains", "0-2", "hs_additional_domains")],
     ["Acme,acme.example,acme.de\n", "Acme GmbH,www.ACME.de,\n"], "value:acme.de",
     ("Domain", "Additional domains")),
]


@pytest.mark.parametrize(("code", "columns", "rows", "key", "moved"), SHARED_ADDITIONAL, ids=["HS308", "HS319"])
def test_an_entry_for_a_value_that_is_another_rows_additional_one_accepts_its_finding_in_either_column(
        tmp_path: Path, code: str, columns: list, rows: list[str], key: str, moved: tuple[str, str]) -> None:
    # the entry names the column its finding was in; a swap of the two rows moves the finding to
    # the other column, and the entry (which named the first) made it new and itself stale (HS901)
    request = _one_import(tmp_path / "imp", columns, rows)
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(cli, ["check", str(request), "--baseline", str(baseline), "--write-baseline",
                                      "--select", code])
    assert result.exit_code == 0, result.output
    entries = json.loads(baseline.read_text(encoding="utf-8"))["entries"]
    assert [(e["code"], e["key"], e["column"]) for e in entries] == [(code, key, moved[0])]
    _one_import(tmp_path / "imp", columns, rows[::-1])
    exit_code, report = run("check", str(request), "--select", code)
    assert [(f["row"], f["column_name"], f["key"]) for f in report["findings"]] == [(3, moved[1], key)]
    exit_code, report = run("check", str(request), "--baseline", str(baseline), "--select", f"{code},HS901")
    assert (found(report), exit_code, report["accepted"]) == ([], 0, {code: 1})


@pytest.mark.parametrize(("code", "columns", "rows", "key", "moved"), SHARED_ADDITIONAL, ids=["HS308", "HS319"])
def test_an_ignore_records_entry_naming_the_column_turns_off_the_finding_in_either_column(
        tmp_path: Path, code: str, columns: list, rows: list[str], key: str, moved: tuple[str, str]) -> None:
    settings = f'ignore-records = [{{ rule = "{code}", key = "{key}", column = "{moved[0]}" }}]'
    for order in (rows, rows[::-1]):
        request = _one_import(tmp_path / "imp", columns, order)
        exit_code, report = run("check", str(request), "--isolated", "--config", settings, "--select", f"{code},HS902")
        assert (found(report), exit_code) == ([], 0)


@pytest.mark.parametrize(("code", "columns", "rows", "key", "moved"), SHARED_ADDITIONAL, ids=["HS308", "HS319"])
def test_the_sarif_fingerprint_of_a_value_that_is_another_rows_additional_one_survives_a_swap(
        tmp_path: Path, code: str, columns: list, rows: list[str], key: str, moved: tuple[str, str]) -> None:
    from validator.report.sarif import sarif_dict

    def prints(order: list[str]) -> list[tuple[str, str]]:
        report = validate(_one_import(tmp_path / "imp", columns, order), config=Config(select=(code,)))
        return [(r["properties"]["columnName"], r["partialFingerprints"]["hubspotPreflight/v1"])
                for r in sarif_dict(report)["runs"][0]["results"]]

    before, after = prints(rows), prints(rows[::-1])
    assert [name for name, _ in before] == [moved[0]] and [name for name, _ in after] == [moved[1]]
    assert [p for _, p in before] == [p for _, p in after]


def test_a_duplicates_sarif_fingerprint_stays_the_same_when_the_rows_are_re_sorted(tmp_path: Path) -> None:
    from validator.report.sarif import sarif_dict

    def prints(rows: list[str]) -> list[tuple[int, str]]:
        report = validate(_companies(tmp_path / "imp", rows), config=Config(select=("HS301",)))
        return [(r["locations"][0]["physicalLocation"]["region"]["startLine"],
                 r["partialFingerprints"]["hubspotPreflight/v1"]) for r in sarif_dict(report)["runs"][0]["results"]]

    before = prints(["Acme,acme.example\n", "Acme Inc,acme.example\n"])
    after = prints(["Acme Inc,acme.example\n", "Acme,acme.example\n"])
    assert [line for line, _ in before] == [line for line, _ in after] == [3]
    assert before == after


def test_baselines_and_settings_over_several_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # several imports in one run: two identical ones each used the same first entries and called
    # the others stale; a stale entry was said once per import, under a renamed baseline; each
    # folder's own baseline, and a folder's portal, were lost when checked from above
    monkeypatch.chdir(tmp_path)
    for name in ("a", "b"):
        shutil.copytree(EXAMPLES / "broken", tmp_path / name)
    assert CliRunner().invoke(cli, ["check", "a", "b", "--baseline", "bl.json", "--write-baseline"]).exit_code == 0
    code, report = run("check", "a", "b", "--baseline", "bl.json")
    assert (code, report["findings"]) == (0, [])
    entries = json.loads(Path("bl.json").read_text(encoding="utf-8"))["entries"]
    Path("bl.json").write_text(json.dumps({"entries": [*entries, {**entries[0], "key": "email:gone@x"}]}),
                               encoding="utf-8")
    _code, report = run("check", "a", "b", "--baseline", "bl.json")
    assert [(f["code"], f["file"], f["pointer"]) for f in report["findings"]] == [
        ("HS901", "bl.json", f"/entries/{len(entries)}")]
    # each folder's settings name its own baseline: written there, read there, stale there
    for name in ("a", "b"):
        (tmp_path / name / "pyproject.toml").write_text('[tool.hubspot-preflight]\nbaseline = "bl.json"\n',
                                                        encoding="utf-8")
    assert CliRunner().invoke(cli, ["check", ".", "--write-baseline"]).exit_code == 0
    assert {p.parent.name for p in tmp_path.glob("*/bl.json")} == {"a", "b"}
    assert run("check", ".")[1]["findings"] == []
    # a folder's portal is kept when the check starts above it (the snapshot has no 'message')
    shutil.copytree(EXAMPLES / "contacts", tmp_path / "c")
    (tmp_path / "c" / "pyproject.toml").write_text(
        f'[tool.hubspot-preflight]\nportal = "{ROOT / "fixtures" / "portal"}"\n', encoding="utf-8")
    assert [(f["code"], f["file"]) for f in run("check", ".")[1]["findings"]] == [("HS230", "contacts.csv")]
    # neither a settings file nor a data file found by letter case is written over
    (tmp_path / "b" / "contacts.csv").rename(tmp_path / "b" / "Contacts.csv")
    for target in ("b/pyproject.toml", "b/Contacts.csv"):
        result = CliRunner().invoke(cli, ["check", "b", "--baseline", target, "--write-baseline"])
        assert isinstance(result.exception, ValidatorError) and "is one of the inputs" in str(result.exception)
    assert (tmp_path / "b" / "Contacts.csv").read_bytes() == (EXAMPLES / "broken" / "contacts.csv").read_bytes()


def test_baseline_in_configuration_and_library(tmp_path: Path) -> None:
    request = _import(tmp_path / "imp", ANN + BO)
    (tmp_path / "pyproject.toml").write_text('[tool.hubspot-preflight]\nbaseline = "accepted.json"\n',
                                             encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(request), "--write-baseline"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "accepted.json").exists()
    exit_code, report = run("check", str(request))
    assert (found(report), exit_code, report["accepted"]) == ([], 0, {"HS110": 2})
    lib = validate(request, config=Config(baseline=tmp_path / "accepted.json"))
    assert (lib.findings, lib.ok, lib.accepted) == ([], True, {"HS110": 2})


def test_write_baseline_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    from validator.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["check", str(EXAMPLES / "broken" / "contacts.import.json"), "--write-baseline"])
    assert exc.value.code == 2
    assert "--write-baseline needs --baseline FILE" in capsys.readouterr().err


def test_tier_sets_the_plan_of_the_size_limits(tmp_path: Path) -> None:
    """`tier = "free"` (or --tier free) applies the 20 MB file limit of free tools (HS502)."""
    row = b"a@example.com,Ann\n"
    (tmp_path / "big.csv").write_bytes(b"Email,Name\n" + row * (21 * 2**20 // len(row)))
    request = {"files": [{"fileName": "big.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "Name", "propertyName": "firstname"}]}}]}
    (tmp_path / "big.import.json").write_text(json.dumps(request))
    cfg = Config(select=("HS502",))
    assert validate(tmp_path / "big.import.json", config=cfg).findings == []
    free = validate(tmp_path / "big.import.json", config=cfg.with_(tier="free"))
    assert [(f.code, f.file, f.row) for f in free.findings] == [("HS502", "big.csv", None)]


def test_a_quote_never_closed_or_a_blank_run_elsewhere_is_not_accepted_by_an_old_entry(tmp_path: Path) -> None:
    request = _import(tmp_path / "imp", ANN + "\n" + BO + 'cy@example.com,"Cy\n')
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(cli, ["check", str(request), "--baseline", str(baseline), "--write-baseline"])
    assert result.exit_code == 0, result.output
    assert {(e["code"], e["key"]) for e in json.loads(baseline.read_text(encoding="utf-8"))["entries"]} >= {
        ("HS113", "row:3"), ("HS111", "row:5")}
    _import(tmp_path / "imp", 'cy@example.com,"Cy\n' + ANN + BO + "\n\n\n")
    _exit_code, report = run("check", str(request), "--baseline", str(baseline))
    assert [f for f in found(report) if "HS111" in f or "HS113" in f] == ["2:2 HS111"]



def _two_imports(root: Path, spring: str, autumn: str) -> list[str]:
    """Two imports in one run whose data files are both named contacts.csv."""
    for season, rows in (("spring", spring), ("autumn", autumn)):
        _import(root / season, rows)
    return [str(root / season / "contacts.import.json") for season in ("spring", "autumn")]


def test_a_baseline_entry_accepts_findings_of_its_own_import_only(tmp_path: Path) -> None:
    # an entry written for spring's contacts.csv accepted the same finding in autumn's
    # contacts.csv: one baseline for both imports hid a new ragged row in autumn
    both = _two_imports(tmp_path, ANN + CY, CY)
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(cli, ["check", *both, "--baseline", str(baseline), "--write-baseline"])
    assert result.exit_code == 0, result.output
    _import(tmp_path / "autumn", CY + ANN)
    exit_code, report = run("check", *both, "--baseline", str(baseline))
    assert [(f["file"], f["row"], f["column"], f["code"], f["key"]) for f in report["findings"]] == [
        (str(tmp_path / "autumn" / "contacts.csv"), 3, 7, "HS110", "email:ann@example.com")]
    assert (exit_code, report["accepted"], report["summary"]["errors"]) == (1, {"HS110": 1}, 1)
    # the entry names its import by the request's path from the baseline's folder
    entries = json.loads(baseline.read_text(encoding="utf-8"))["entries"]
    assert [(e["request"], e["file"], e["code"], e["key"], e["column"]) for e in entries] == [
        ("spring/contacts.import.json", "contacts.csv", "HS110", "email:ann@example.com", None)]
    # the same with the library, one import at a time; spring's entry is not stale in autumn
    config = Config(baseline=baseline)
    autumn = validate(both[1], config=config)
    assert [(f.file, f.row, f.column, f.code) for f in autumn.findings] == [("contacts.csv", 3, 7, "HS110")]
    assert autumn.accepted == {}
    spring = validate(both[0], config=config)
    assert (spring.findings, spring.accepted) == ([], {"HS110": 1})
    # re-sorted rows keep the entry (its key is the record's, its scope the request's path)
    _import(tmp_path / "spring", CY + ANN)
    assert (validate(both[0], config=config).findings, validate(both[0], config=config).accepted) == (
        [], {"HS110": 1})


def test_entries_without_a_request_accept_findings_in_any_import_as_before(tmp_path: Path) -> None:
    # baselines written before entries named their import: a run of one import reads them as
    # it did (and so does a run of several, where the file name is all they say)
    both = _two_imports(tmp_path, ANN + CY, CY)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"version": 1, "tool": "hubspot-preflight", "entries": [
        {"file": "contacts.csv", "code": "HS110", "key": "email:ann@example.com", "column": None},
        {"file": "contacts.csv", "code": "HS110", "key": "email:gone@example.com", "column": None}]}),
        encoding="utf-8")
    exit_code, report = run("check", both[0], "--baseline", str(baseline))
    assert [(f["file"], f["pointer"], f["code"]) for f in report["findings"]] == [
        (str(baseline), "/entries/1", "HS901")]
    assert (exit_code, report["accepted"]) == (0, {"HS110": 1})
    _import(tmp_path / "autumn", CY + ANN)
    exit_code, report = run("check", *both, "--baseline", str(baseline))
    assert [(f["file"], f["pointer"], f["code"]) for f in report["findings"]] == [
        (str(baseline), "/entries/1", "HS901")]
    assert (exit_code, report["accepted"]) == (0, {"HS110": 2})


DO = "do@example.com,Do,Ek,4\n"  # 4 fields: ragged at column 5
NIA = ",Nia,Ng,+14155550105,lead,y,EXTRA\n"  # no email: keyed by the hash of its cells


@pytest.mark.parametrize("chunk_rows", ["50000", "1", "2"])
def test_accepted_findings_leave_the_cap_to_new_ones(tmp_path: Path, chunk_rows: str) -> None:
    # the baseline was applied after --max-per-rule: an accepted finding took a listed place and
    # the new one behind it went unlisted, and accepted findings past the cap were counted as
    # errors not listed (exit 1 with every finding accepted)
    request = _import(tmp_path / "imp", ANN + NIA + BO)
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(cli, ["check", str(request), "--baseline", str(baseline), "--write-baseline"])
    assert result.exit_code == 0, result.output
    entries = json.loads(baseline.read_text(encoding="utf-8"))["entries"]
    assert [(e["code"], e["key"][:4]) for e in entries] == [("HS110", "emai"), ("HS110", "row:"), ("HS110", "emai")]
    flags = ("--baseline", str(baseline), "--max-per-rule", "1", "--chunk-rows", chunk_rows)
    exit_code, report = run("check", str(request), *flags)
    assert (found(report), report["suppressed"], report["accepted"]) == ([], {}, {"HS110": 3})
    assert (exit_code, report["summary"]["errors"]) == (0, 0)
    # Ann's (row 2), Nia's (row 4) and Bo's (row 5) accepted; Cy's (row 3) and Do's (row 6)
    # new: the first listed, the other counted
    _import(tmp_path / "imp", ANN + CY.replace(",ok", ",ok,EXTRA") + NIA + BO + DO)
    exit_code, report = run("check", str(request), *flags)
    assert [(f["row"], f["column"], f["code"], f["key"]) for f in report["findings"]] == [
        (3, 7, "HS110", "email:cy@example.com")]
    assert (report["suppressed"], report["accepted"], report["summary"]["errors"], exit_code) == (
        {"HS110": 1}, {"HS110": 3}, 2, 1)
    exit_code, report = run("check", str(request), "--baseline", str(baseline), "--max-per-rule", "0",
                            "--chunk-rows", chunk_rows)
    assert (found(report), report["suppressed"], report["accepted"], report["summary"]["errors"]) == (
        [], {"HS110": 2}, {"HS110": 3}, 2)


def test_an_entry_is_stale_or_not_whatever_the_cap(tmp_path: Path) -> None:
    # every finding is matched against the baseline before the cap: an entry whose finding went
    # past --max-per-rule is used (not stale), one whose finding is gone is stale
    request = _import(tmp_path / "imp", ANN + BO + DO)
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(cli, ["check", str(request), "--baseline", str(baseline), "--write-baseline"])
    assert result.exit_code == 0, result.output
    _import(tmp_path / "imp", CY + DO + BO + "ed@example.com,Ed\n")  # Ann fixed, Ed new
    exit_code, report = run("check", str(request), "--baseline", str(baseline), "--max-per-rule", "1")
    assert found(report) == ["5:3 HS110", "/entries/0 HS901"]
    assert [f["value"] for f in report["findings"]] == ["ed@example.com,Ed", "email:ann@example.com"]
    assert (report["suppressed"], report["accepted"], exit_code) == ({}, {"HS110": 2}, 1)
    assert report["summary"]["errors"] == 1 and report["summary"]["warnings"] == 1


def test_entries_of_a_rule_ignored_for_their_file_are_not_stale(tmp_path: Path) -> None:
    # per-file-ignores turned HS110 off for contacts.csv, and both accepted HS110 entries were
    # reported stale, as --ignore HS110 no longer made them
    request = _import(tmp_path / "imp", ANN + BO)
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(cli, ["check", str(request), "--baseline", str(baseline), "--write-baseline"])
    assert result.exit_code == 0, result.output
    off = validate(request, config=Config(baseline=baseline, per_file_ignores={"contacts.csv": ("HS110",)}))
    assert (off.findings, off.accepted, off.counts) == ([], {}, {})
    _import(tmp_path / "imp", CY + BO)  # Ann fixed: her entry is stale where HS110 runs
    for ignores in ({"other.csv": ("HS110",)}, {"contacts.csv": ("HS212",)}):
        on = validate(request, config=Config(baseline=baseline, per_file_ignores=ignores))
        assert [(f.code, f.file, f.pointer) for f in on.findings] == [("HS901", str(baseline), "/entries/0")]
        assert on.accepted == {"HS110": 1}


def test_a_stale_entry_names_the_import_it_was_written_for(tmp_path: Path) -> None:
    # two stale entries for contacts.csv, one per import, differed only by their JSON pointer
    both = _two_imports(tmp_path, ANN, ANN)
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(cli, ["check", *both, "--baseline", str(baseline), "--write-baseline"])
    assert result.exit_code == 0, result.output
    entries = json.loads(baseline.read_text(encoding="utf-8"))["entries"]
    gone = [{**e, "key": "email:gone@example.com"} for e in entries]
    old = {k: v for k, v in gone[0].items() if k != "request"}  # written before entries named their import
    baseline.write_text(json.dumps({"version": 2, "entries": [*entries, *gone, old]}), encoding="utf-8")
    exit_code, report = run("check", *both, "--baseline", str(baseline))
    assert [(f["pointer"], f["message"]) for f in report["findings"]] == [
        ("/entries/2", "baseline entry for HS110 on 'email:gone@example.com' in contacts.csv of "
                       "spring/contacts.import.json matched no finding"),
        ("/entries/4", "baseline entry for HS110 on 'email:gone@example.com' in contacts.csv matched no finding"),
        ("/entries/3", "baseline entry for HS110 on 'email:gone@example.com' in contacts.csv of "
                       "autumn/contacts.import.json matched no finding")]
    assert (exit_code, report["accepted"]) == (0, {"HS110": 2})


def test_write_baseline_writes_every_finding_whatever_the_cap_lists(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # --write-baseline wrote only the findings --max-per-rule listed (exit 0, and under -q without
    # a word): the next run reported the rest of a rule over the cap as new, though the user took
    # "wrote the baseline" for "accepted every finding"
    from validator.cli import main

    request = _import(tmp_path / "imp", "".join(f"p{i}@example.com,P,Q,{i},lead,x,EXTRA\n" for i in range(5)) + BO)
    baseline = tmp_path / "baseline.json"

    def write(*flags: str) -> tuple[int | str | None, list[str], list[str]]:
        with pytest.raises(SystemExit) as done:
            main(["check", str(request), "--baseline", str(baseline), "--write-baseline", *flags])
        out, err = capsys.readouterr()
        entries = json.loads(baseline.read_text(encoding="utf-8"))["entries"] if baseline.exists() else []
        assert out == ""
        return done.value.code, err.splitlines(), [e["key"] for e in entries]

    keys = [f"email:p{i}@example.com" for i in range(5)] + ["email:bo@example.com"]
    for cap in ("2", "0", "1000"):
        baseline.unlink(missing_ok=True)
        assert write("--max-per-rule", cap) == (0, [f"hubspot-preflight: wrote 6 accepted finding(s) to {baseline}"],
                                                keys), cap
        assert write("--max-per-rule", cap, "-q", "--chunk-rows", "1") == (0, [], keys), cap
        for flags in ([], ["--max-per-rule", cap]):
            exit_code, report = run("check", str(request), "--baseline", str(baseline), *flags)
            assert (exit_code, found(report), report["suppressed"], report["accepted"]) == (0, [], {}, {"HS110": 6})
    # the same from a settings file's max-per-rule
    (tmp_path / "imp" / "pyproject.toml").write_text("[tool.hubspot-preflight]\nmax-per-rule = 1\n", encoding="utf-8")
    baseline.unlink()
    assert write("-q") == (0, [], keys)
    exit_code, report = run("check", str(request))
    assert (exit_code, len(report["findings"]), report["suppressed"]) == (1, 1, {"HS110": 5})
    # a baseline that cannot hold every finding is refused (even under -q), and the one there is
    # left as it was: findings past what a baseline holds are counted, not kept
    size = len(baseline.read_bytes())
    monkeypatch.setattr("validator.baseline.MAX_BASELINE_BYTES", 134 * 5)
    refused = (f"hubspot-preflight: error: cannot write baseline {baseline}: 6 findings are more than a baseline "
               "holds (at most 5 entries in the 670 bytes a baseline is read up to); fix some findings first, or "
               "leave rules out of the check (--ignore)")
    assert write("-q") == (2, [refused], keys)
    assert write("--max-per-rule", "1000", "--chunk-rows", "2") == (2, [refused], keys)
    # one that holds them all in number, but not in bytes, is refused too
    monkeypatch.setattr("validator.baseline.MAX_BASELINE_BYTES", size - 1)
    assert write("-q") == (2, [
        f"hubspot-preflight: error: cannot write baseline {baseline}: its 6 entries take {size:,} bytes, more than "
        f"the {size - 1:,} a baseline is read up to; fix some findings first, or leave rules out of the check "
        "(--ignore)"], keys)
    assert len(baseline.read_bytes()) == size


def test_a_run_that_keeps_all_keeps_every_finding_as_its_entry_or_none(tmp_path: Path) -> None:
    # what --write-baseline runs under: every finding kept, whatever max_per_rule lists, as the
    # entry the baseline writes for it; the report lists and keeps the cells of max_per_rule of
    # them as any run does. Each finding was kept as a Finding (with its row's cells: ~0.9 KB a
    # finding, ~450 MB for what a baseline holds), every one listed, every row's cells kept.
    # Past the budget (what a baseline can hold) no entry is kept.
    from validator.engine import keeping_all

    request = _import(tmp_path / "imp", "".join(f"p{i}@example.com,P,Q,{i},lead,x,EXTRA\n" for i in range(5)) + BO)
    entries = [("contacts.csv", "HS110", f"email:p{i}@example.com", None, "row has 7 fields, more than the header's 6",
                i + 2, 7, "") for i in range(5)]
    entries.append(("contacts.csv", "HS110", "email:bo@example.com", "Notes", "row has 5 fields, fewer than the "
                    "header's 6", 7, 6, ""))
    for chunk_rows in (1, 50_000):
        config = Config(max_per_rule=1, chunk_rows=chunk_rows)
        with keeping_all(6):
            every = validate(request, config=config)
        assert ([(f.row, f.code, f.key) for f in every.findings], list(every.records["contacts.csv"])) == (
            [(2, "HS110", "email:p0@example.com")], [2])
        assert every.baseline_entries == entries
        assert (every.counts, every.suppressed, every.suppressed_in) == (
            {"HS110": 6}, {"HS110": 5}, {"contacts.csv": {"HS110": 5}})
        with keeping_all(5):
            none = validate(request, config=config)
        assert (none.baseline_entries, [(f.row, f.code) for f in none.findings], none.counts, none.suppressed) == (
            None, [(2, "HS110")], {"HS110": 6}, {"HS110": 5})
        capped = validate(request, config=config)  # and outside it, no entries
        assert (capped.baseline_entries, [(f.row, f.code) for f in capped.findings], capped.suppressed) == (
            None, [(2, "HS110")], {"HS110": 5})


def test_the_entries_a_run_keeps_are_the_findings_of_a_run_that_lists_all(tmp_path: Path) -> None:
    # the entries are made as the hits come (a record key from the chunk being checked, or for a
    # finding made at a file's end from its row's earlier findings): for every rule's cases, each
    # is the finding a run listing every finding reports, field for field, in the same order
    from tests.casefiles import CASES, all_case_ids, build, growing, load_cases, portal
    from validator.engine import Engine, keeping_all
    from validator.request import parse_request

    checked = 0
    for code, index in all_case_ids():
        case = load_cases(code)[index]
        if "grow" in case:  # (the file grows while read: a second run reads another file)
            continue
        folder = tmp_path / f"{code}-{index}"
        folder.mkdir()
        request = build(case, folder)
        options = dict(case.get("options", {}))
        if "portal" in options:
            options["portal"] = str(CASES.parent / options["portal"])
        runs = []
        for keep in (False, True):
            config = Config(**{**options, "max_per_rule": 10**6 if not keep else 1})
            with keeping_all(10**6) if keep else growing(None):
                if "labels" in case or "properties" in case:
                    catalog = portal(case.get("labels", {}), case.get("properties", []))
                    spec = parse_request(request.read_bytes(), request.name, catalog)
                    runs.append(Engine(config, catalog).run(spec, request_path=request, base=folder))
                else:
                    runs.append(validate(request, config=config))
        listed, kept = runs
        assert kept.baseline_entries == [
            (f.file or "", f.code, f.key, f.column_name, f.message, f.row or 0, f.column or 0, f.pointer or "")
            for f in listed.findings if f.code not in ("HS901", "HS902")], (code, case.get("name"))  # (stale entries)
        checked += len(listed.findings)
    for path in sorted(EXAMPLES.glob("*/*.json")):  # imports of several files (their order too)
        listed = validate(path, config=Config(max_per_rule=10**6, chunk_rows=2))
        with keeping_all(10**6):
            kept = validate(path, config=Config(max_per_rule=1, chunk_rows=2))
        assert kept.baseline_entries == [
            (f.file or "", f.code, f.key, f.column_name, f.message, f.row or 0, f.column or 0, f.pointer or "")
            for f in listed.findings], path
        checked += len(listed.findings)
    assert checked > 700


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_write_baseline_says_which_input_was_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a refused data file left its findings out of the baseline, and --write-baseline exited 2
    # saying only what it wrote (under -q, nothing): the check says each refusal and why
    from validator.cli import main

    folder = tmp_path / "imp"
    shutil.copytree(EXAMPLES / "two-file-broken", folder)
    (folder / "companies.csv").unlink()
    os.mkfifo(folder / "companies.csv")
    baseline = tmp_path / "baseline.json"
    refused = (f"hubspot-preflight: companies.csv: refused: {folder / 'companies.csv'} is not a regular file "
               "(a FIFO, socket or device)")
    for quiet in ([], ["-q"]):
        with pytest.raises(SystemExit) as done:
            main(["check", str(folder / "import.json"), "--baseline", str(baseline), "--write-baseline", *quiet])
        out, err = capsys.readouterr()
        entries = json.loads(baseline.read_text(encoding="utf-8"))["entries"]
        wrote = [] if quiet else [f"hubspot-preflight: wrote {len(entries)} accepted finding(s) to {baseline}"]
        assert (done.value.code, out, err.splitlines()) == (2, "", [*wrote, refused])
        assert {e["file"] for e in entries} == {"import.json", "contacts.csv"}  # (none of companies.csv)
    # and --help says so (it said "exit 0", the baseline written or not)
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    assert "and exit 0, or 2 where an input was refused (its findings are in no baseline);" in " ".join(
        capsys.readouterr().out.split())


def _write_then_check(request: Path, baseline: Path, *flags: str) -> tuple[list[tuple[str, str]], dict]:
    baseline.unlink(missing_ok=True)
    result = CliRunner().invoke(cli, ["check", str(request), "--baseline", str(baseline), "--write-baseline", *flags])
    assert result.exit_code == 0, result.output
    entries = json.loads(baseline.read_text(encoding="utf-8"))["entries"]
    _code, report = run("check", str(request), "--baseline", str(baseline), *flags)
    return [(e["code"], e["key"]) for e in entries], report


@pytest.mark.parametrize("chunk_rows", ["1", "2", "50000"])
def test_findings_made_before_their_rows_are_read_match_their_baseline_entries(tmp_path: Path,
                                                                               chunk_rows: str) -> None:
    # HS604 finds merged cells in the sheet before any row is read: --write-baseline keyed its
    # entry by the row's record (email:...), the check against that baseline by the row's place
    # (row:2), so the entry was stale and the finding new right after the baseline was written;
    # and a run listing it gave it its place as key where its row came in a later chunk
    from tests.workbooks import make_workbook

    rows = [["Email", "Company", "City"], ["a@x.com", "Acme", "Oslo"], ["b@x.com", "", ""],
            ["", "Initech", "Rome"], ["", "", ""], ["c@x.com", "Hooli", "Lima"]]
    folder = tmp_path / "imp"
    folder.mkdir()
    request = folder / "contacts.import.json"
    mappings = [{"columnObjectTypeId": "0-1", "columnName": name, "propertyName": prop}
                for name, prop in (("Email", "email"), ("Company", "company"), ("City", "city"))]
    request.write_text(json.dumps({"name": "merged", "files": [{
        "fileName": "contacts.xlsx", "fileFormat": "SPREADSHEET",
        "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}), encoding="utf-8")

    def save(rows: list[list[str]]) -> None:
        sheet = {"name": "Contacts", "rows": rows, "merged": ["B2:B3", "C2:C3", "B4:B5"]}
        (folder / "contacts.xlsx").write_bytes(make_workbook({"sheets": [sheet]}))

    save(rows)
    flags = ["--chunk-rows", chunk_rows, "--max-per-rule", "1", "--select", "HS604,HS901"]
    entries, report = _write_then_check(request, tmp_path / "baseline.json", *flags)
    keyless = rows[3]  # (no email: keyed by the hash of its cells)
    assert entries == [("HS604", "email:a@x.com"), ("HS604", "email:a@x.com"),
                       ("HS604", f"row:{content_hash(keyless)}")]
    assert (found(report), report["accepted"], report["suppressed"]) == ([], {"HS604": 3}, {})
    # a real change: the record of the row holding B4:B5 is edited, so its entry is stale and its
    # finding new, where it is; re-sorting does not touch the merged cells' rows' records here
    save([*rows[:3], ["d@x.com", "Initech", "Rome"], *rows[4:]])
    _code, report = run("check", str(request), "--baseline", str(tmp_path / "baseline.json"), *flags)
    assert found(report) == ["4:2 HS604", "/entries/2 HS901"]
    new = report["findings"][0]
    assert (new["row"], new["column"], new["code"], new["key"]) == (4, 2, "HS604", "email:d@x.com")
    assert report["accepted"] == {"HS604": 2}
    # listed without a baseline, each finding's key is its entry's, whatever chunk its row is in
    save(rows)
    _code, listed = run("check", str(request), "--chunk-rows", chunk_rows, "--select", "HS604")
    assert [(f["code"], f["key"]) for f in listed["findings"]] == entries


def test_a_finding_keyed_by_record_whatever_its_row_is_made_before_after_or_with(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a rule may report a data row before the reader reaches it (with the header, or with an
    # earlier chunk): the writer and the check must key it alike, as the report does
    from validator.checks.hostile import MergedCells

    def ahead(self: MergedCells, file: object, rows: tuple[int, ...]) -> list[object]:
        return [self.finding(f"row {r} reported early", file=file, row=r, column=2) for r in rows]  # type: ignore[arg-type]

    monkeypatch.setattr(MergedCells, "on_header", lambda self, file: ahead(self, file, (3,)))
    monkeypatch.setattr(MergedCells, "on_chunk", lambda self, chunk, file: ahead(
        self, file, tuple(int(r) + 2 for r in chunk.rows if int(r) == 2)))
    request = _import(tmp_path / "imp", CY + BO + ",Nia,Ng,+14155550105,lead,y\n")
    for chunk_rows in ("1", "2", "50000"):
        flags = ["--chunk-rows", chunk_rows, "--select", "HS604,HS901"]
        entries, report = _write_then_check(request, tmp_path / "baseline.json", *flags)
        assert entries == [("HS604", "email:bo@example.com"), ("HS604", "row:" + content_hash(
            ("", "Nia", "Ng", "+14155550105", "lead", "y")))], chunk_rows
        assert (found(report), report["accepted"]) == ([], {"HS604": 2}), chunk_rows
        _code, listed = run("check", str(request), *flags)
        assert [(f["code"], f["key"]) for f in listed["findings"]] == entries, chunk_rows
        # Bo's record changed: his finding is new, at its place; Nia's still accepted
        _import(tmp_path / "imp", CY + "bo@example.org,Bo,Chen,+14155550102,lead\n" + ",Nia,Ng,+14155550105,lead,y\n")
        _code, report = run("check", str(request), "--baseline", str(tmp_path / "baseline.json"), *flags)
        assert (found(report), report["accepted"]) == (["3:2 HS604", "/entries/0 HS901"], {"HS604": 1}), chunk_rows
        _import(tmp_path / "imp", CY + BO + ",Nia,Ng,+14155550105,lead,y\n")


@pytest.mark.parametrize(("kind", "code"), [("csv", "HS117"), ("xlsx", "HS419")])
@pytest.mark.parametrize("chunk_rows", ["1", "50000"])
def test_a_finding_made_at_its_files_end_keeps_its_records_key_whatever_else_its_row_has(
        tmp_path: Path, kind: str, code: str, chunk_rows: str) -> None:
    # HS117 (a stray quote) and HS419 (a column's first date cell) report a row at the file's
    # end, after its chunk has gone. Its key was the record's where the row had another finding
    # while read (--write-baseline: any; a check: one listed or accepted), else the row's place:
    # Bo's finding, written as email:bo@example.com beside his bad phone, was row:3 in a check
    # where his phone was fixed and his new finding came past --max-per-rule (its entry stale,
    # the finding new), though --write-baseline gave it his record there; and row:3 where his
    # phone was fixed alone. It is keyed by its record, as its row is read, whatever else the
    # row has, by the writer, the check and the report alike
    import datetime as dt

    from tests.workbooks import make_workbook

    folder = tmp_path / "imp"
    request = _import(folder, "")
    mark = 'B"o' if kind == "csv" else "Bo"  # HS117: the quote; HS419: the date cell
    when: object = "y" if kind == "csv" else dt.date(2024, 3, 15)
    if kind == "xlsx":
        spec = json.loads(request.read_text(encoding="utf-8"))
        spec["files"][0].update(fileName="contacts.xlsx", fileFormat="SPREADSHEET")
        request.write_text(json.dumps(spec), encoding="utf-8")

    def save(ann: list[object], bo: list[object]) -> None:
        rows = [HEADER.rstrip("\n").split(","), ann, bo]
        if kind == "csv":
            (folder / "contacts.csv").write_text("".join(",".join(map(str, r)) + "\n" for r in rows),
                                                 encoding="utf-8")
        else:
            (folder / "contacts.xlsx").write_bytes(make_workbook({"sheets": [{"name": "Contacts", "rows": rows}]}))

    ann = ["ann@example.com", "Ann", "Lee", "+14155550101", "lead", ""]
    baseline = tmp_path / "baseline.json"
    flags = ["--chunk-rows", chunk_rows, "--max-per-rule", "1", "--select", f"{code},HS208,HS215,HS901"]
    # written with Bo's phone wrong: both his findings are keyed by his record
    save(ann, ["bo@example.com", mark, "Chen", "call me", "lead", when])
    entries, report = _write_then_check(request, baseline, *flags)
    bo = "email:bo@example.com"
    assert sorted(entries) == sorted([(code, bo), ("HS215", bo)])
    assert (found(report), report["accepted"]) == ([], {code: 1, "HS215": 1})
    phone = f"/entries/{entries.index(('HS215', bo))} HS901"
    # his phone fixed, a new finding on each row, his past --max-per-rule: the phone's entry is
    # stale, the other finding still accepted, Ann's new one listed
    save([*ann[:4], "wizard", ""], ["bo@example.com", mark, "Chen", "+14155550102", "wizard", when])
    _code, report = run("check", str(request), "--baseline", str(baseline), *flags)
    assert (found(report), report["accepted"], report["suppressed"]) == (
        ["2:5 HS208", phone], {code: 1}, {"HS208": 1})
    # ... its key as --write-baseline gives it on that input
    rewritten, report = _write_then_check(request, tmp_path / "again.json", *flags)
    assert sorted(rewritten) == sorted([(code, bo), ("HS208", "email:ann@example.com"), ("HS208", bo)])
    assert (found(report), report["accepted"]) == ([], {code: 1, "HS208": 2})
    # his phone fixed alone (nothing else on his row): the same, and so the report keys it
    save(ann, ["bo@example.com", mark, "Chen", "+14155550102", "lead", when])
    _code, report = run("check", str(request), "--baseline", str(baseline), *flags)
    assert (found(report), report["accepted"]) == ([phone], {code: 1})
    rewritten, _report = _write_then_check(request, tmp_path / "again.json", *flags)
    assert rewritten == [(code, bo)]
    _code, listed = run("check", str(request), *flags)
    assert [(f["code"], f["key"]) for f in listed["findings"]] == [(code, bo)]


def test_a_dotted_settings_file_is_found_first_as_ruff_finds_dot_ruff_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.hubspot-preflight]\nfail-on = "error"\n', encoding="utf-8")
    sub = tmp_path / "imports"
    sub.mkdir()
    (sub / "hubspot-preflight.toml").write_text('fail-on = "warning"\n', encoding="utf-8")
    assert discover([sub]) == sub / "hubspot-preflight.toml"
    (sub / ".hubspot-preflight.toml").write_text('fail-on = "info"\n', encoding="utf-8")
    assert discover([sub]) == sub / ".hubspot-preflight.toml"
    assert discover([sub / "contacts.csv"]) == sub / ".hubspot-preflight.toml"


def test_a_written_baseline_escapes_bidi_and_invisible_characters_and_still_accepts(tmp_path: Path) -> None:
    # a key with U+202E (right-to-left override) and U+200B was written raw: `cat baseline.json`
    # showed the email reversed, where every report format escapes it
    odd = "ann\u202emoc.elpmaxe@x\u200b.com"
    request = _import(tmp_path / "imp", f"{odd},Ann,Lee,+14155550101,lead,x,EXTRA\n")
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(cli, ["check", str(request), "--baseline", str(baseline), "--write-baseline"])
    assert result.exit_code == 0, result.output
    text = baseline.read_text(encoding="utf-8")
    assert "\u202e" not in text and "\u200b" not in text
    assert "ann\\u202emoc.elpmaxe@x\\u200b.com" in text
    assert [e["key"] for e in json.loads(text)["entries"] if e["code"] == "HS110"] == [f"email:{odd}"]
    _exit_code, report = run("check", str(request), "--baseline", str(baseline))
    assert report["accepted"].get("HS110") == 1 and not [f for f in found(report) if "HS901" in f]
