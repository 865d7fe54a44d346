"""The command line's inputs as a user spells them: one import named twice, two files for one
fileName. Each case is checked for the exact findings (code, row, column) or the one-line refusal."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from validator.cli import cli

EXAMPLES = ROOT / "fixtures" / "examples"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "validator", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=60, env=_env())


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _findings(output: str) -> list[tuple[str, str, int | None, int | None]]:
    return [(f["code"], Path(f["path"]).name, f["row"], f["column"]) for f in json.loads(output)["findings"]]


def test_one_import_named_twice_is_checked_once(tmp_path: Path) -> None:
    # the same request given as a relative and an absolute path, through a "..", or as a folder
    # and a file in it, was checked once per spelling: every finding listed and counted twice
    shutil.copytree(EXAMPLES / "broken", tmp_path / "broken")
    once = CliRunner().invoke(cli, ["check", str(tmp_path / "broken" / "contacts.import.json"), "--format", "json"])
    expected = _findings(once.output)
    assert ("HS110", "contacts.csv", 3, 4) in expected and len(expected) == 13
    for args in (["broken/contacts.import.json", str(tmp_path / "broken" / "contacts.import.json")],
                 ["broken/contacts.import.json", "broken/../broken/contacts.import.json"],
                 ["broken", "./broken/"],
                 ["broken/contacts.csv", str(tmp_path / "broken" / "contacts.csv")]):
        proc = _run("check", *args, "--format", "json", cwd=tmp_path)
        assert proc.returncode == 1, (args, proc.stderr)
        report = json.loads(proc.stdout)
        assert _findings(proc.stdout) == expected, args
        assert (report["summary"]["errors"], report["summary"]["warnings"]) == (10, 3), args
        if args[0].endswith(".json"):  # (named as first given)
            assert {f["path"] for f in report["findings"] if f["path"].endswith(".json")} == {args[0]}, args


def test_two_files_for_one_file_name_are_refused_not_one_dropped(tmp_path: Path) -> None:
    # `--request R a/contacts.csv b/contacts.csv` checked b only (a broken a passed, exit 0), and
    # `--file NAME=...` twice, or beside a data file of that name, took the last one silently
    broken = tmp_path / "a" / "contacts.csv"
    clean = tmp_path / "b" / "contacts.csv"
    shutil.copytree(EXAMPLES / "broken", broken.parent)
    shutil.copytree(EXAMPLES / "contacts", clean.parent)
    request = str(clean.parent / "contacts.import.json")
    for args, first in (
        (["--request", request, str(broken), str(clean)], f"{clean}: the fileName 'contacts.csv' is given twice "
                                                          f"({broken}, {clean})"),
        ([request, "--file", f"contacts.csv={broken}", "--file", f"contacts.csv={clean}"],
         f"--file contacts.csv: the fileName 'contacts.csv' is given twice ({broken}, {clean})"),
        (["--request", request, str(broken), "--file", f"contacts.csv={clean}"],
         f"--file contacts.csv: the fileName 'contacts.csv' is given twice ({broken}, {clean})"),
        # one NAME twice with one path (or two spellings of it, or stdin twice) was taken as one
        # file, where two paths were refused: the same NAME twice is refused whatever its paths
        ([request, "--file", f"contacts.csv={clean}", "--file", f"contacts.csv={clean}"],
         f"--file contacts.csv: the fileName 'contacts.csv' is given twice ({clean}, {clean})"),
        ([request, "--file", "contacts.csv=b/contacts.csv", "--file", "contacts.csv=b/../b/contacts.csv"],
         "--file contacts.csv: the fileName 'contacts.csv' is given twice (b/contacts.csv, b/../b/contacts.csv)"),
        ([request, "--file", "contacts.csv=-", "--file", "contacts.csv=-"],
         "--file contacts.csv: the fileName 'contacts.csv' is given twice (-, -)"),
    ):
        proc = _run("check", *args, cwd=tmp_path)
        assert proc.returncode == 2, (args, proc.stdout)
        assert proc.stderr == f"hubspot-preflight: error: {first}\n", args
        assert proc.stdout == ""
    # the same file twice (two spellings of it) is one file, checked once
    same = _run("check", "--request", request, str(broken), "a/../a/contacts.csv", "--format", "json", cwd=tmp_path)
    assert same.returncode == 1, same.stderr
    assert [(c, r, col) for c, _n, r, col in _findings(same.stdout) if c == "HS110"] == [("HS110", 3, 4),
                                                                                          ("HS110", 6, 5)]


def test_config_of_a_path_that_is_not_there_is_refused(tmp_path: Path) -> None:
    # `config imports/typo` printed the settings found from the folder above (or the built-in
    # defaults) as if they were that path's, exit 0; `check` refuses such a path
    (tmp_path / "pyproject.toml").write_text('[tool.hubspot-preflight]\nfail-on = "warning"\n', encoding="utf-8")
    (tmp_path / "imports").mkdir()
    (tmp_path / "imports" / "pyproject.toml").write_text('[tool.hubspot-preflight]\nignore = ["HS1"]\n',
                                                        encoding="utf-8")
    proc = _run("config", "imports/typo/", "--format", "json", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "hubspot-preflight: error: config imports/typo: no such file or folder\n"
    found = _run("config", "imports", "--format", "json", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert (json.loads(found.stdout)["ignore"], json.loads(found.stdout)["fail-on"]) == (["HS1"], "error")


def test_a_select_that_names_no_rule_is_refused_not_a_pass(tmp_path: Path) -> None:
    # `--select "$RULES"` with RULES unset checked no rule at all and passed a broken import
    # (exit 0, "Found 0 errors"); an empty --ignore or --extend-select changes nothing, as before
    broken = str(EXAMPLES / "broken" / "contacts.import.json")
    for value in ("", ",", " , "):
        proc = _run("check", broken, "--select", value, cwd=tmp_path)
        assert (proc.returncode, proc.stdout) == (2, ""), value
        assert proc.stderr == ("hubspot-preflight: error: --select names no rule: give codes, prefixes, names or "
                               "ALL (--ignore ALL checks nothing)\n"), value
    for flag in ("--ignore", "--extend-select"):
        proc = _run("check", broken, flag, "", "--select", "HS11", "--format", "json", cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
        assert [(c, r, col) for c, _n, r, col in _findings(proc.stdout)] == [
            ("HS110", 3, 4), ("HS113", 4, None), ("HS112", 5, 2), ("HS110", 6, 5), ("HS111", 7, 2)]


def test_a_per_file_ignore_by_absolute_path_holds_whatever_path_the_check_is_given(tmp_path: Path) -> None:
    # an absolute glob (as ruff takes them) held only when the check was given an absolute path:
    # `check imports/contacts.csv` from the project's folder still reported HS110
    shutil.copytree(EXAMPLES / "broken", tmp_path / "imports")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.hubspot-preflight]\nselect = [\"HS11\"]\n[tool.hubspot-preflight.per-file-ignores]\n"
        f"{json.dumps(str(tmp_path / 'imports' / '*.csv'))} = [\"ragged-row\"]\n"
        f"{json.dumps(str(tmp_path / 'elsewhere' / '*.csv'))} = [\"HS112\"]\n", encoding="utf-8")
    for given, cwd in (("imports/contacts.csv", tmp_path), ("contacts.csv", tmp_path / "imports"),
                       (str(tmp_path / "imports" / "contacts.csv"), ROOT)):
        proc = _run("check", given, "--format", "json", cwd=cwd)
        assert proc.returncode == 1, proc.stderr
        assert [(c, r, col) for c, _n, r, col in _findings(proc.stdout)] == [
            ("HS113", 4, None), ("HS112", 5, 2), ("HS111", 7, 2)], given


def test_emit_request_with_write_baseline_is_refused_not_a_baseline_left_unwritten(tmp_path: Path) -> None:
    # --emit-request checks nothing, so --write-baseline beside it wrote no baseline, and said
    # nothing of it (exit 0)
    request = str(EXAMPLES / "contacts" / "contacts.import.json")
    baseline = tmp_path / "baseline.json"
    proc = _run("check", request, "--emit-request", "--write-baseline", "--baseline", str(baseline), cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == ("hubspot-preflight: error: --write-baseline needs a check, and --emit-request checks "
                           "nothing\n")
    assert not baseline.exists()


def test_a_json_path_that_is_not_there_is_refused_in_the_hook_too(tmp_path: Path) -> None:
    # with --ignore-unpaired a missing data file was refused (exit 2) but a missing request was
    # passed over as "not a request" (exit 0, nothing checked)
    for missing in ("nope.json", "nope.csv"):
        proc = _run("check", "--ignore-unpaired", missing, cwd=tmp_path)
        assert (proc.returncode, proc.stdout) == (2, ""), missing
        assert proc.stderr == f"hubspot-preflight: error: {missing}: no such file\n"
    (tmp_path / "notes.json").write_text('{"not": "a request"}', encoding="utf-8")
    skipped = _run("check", "--ignore-unpaired", "notes.json", cwd=tmp_path)
    assert (skipped.returncode, skipped.stdout) == (0, "")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["check", "{clean}"], ["check", "{broken}", "--format", "json"], ["rules"],
                                  ["explain", "HS110"], ["config"]])
def test_standard_output_that_takes_nothing_is_a_one_line_error_not_an_internal_one(args: list[str],
                                                                                    tmp_path: Path) -> None:
    # `> full-disk/report.txt`: every command said "internal error: OSError: [Errno 28] ..."
    # (a bug of ours, by its words), as -o to that disk does not
    args = [a.format(clean=EXAMPLES / "contacts" / "contacts.import.json",
                     broken=EXAMPLES / "broken" / "contacts.import.json") for a in args]
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "validator", *args], stdout=full, stderr=subprocess.PIPE,
                              text=True, cwd=tmp_path, timeout=60, env=_env())
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == "hubspot-preflight: error: cannot write to standard output: No space left on device\n"


def test_the_report_never_overwrites_the_baseline_or_portal_snapshot_it_reads(tmp_path: Path) -> None:
    # `-o` naming the baseline read (from --baseline or the settings file) or a portal snapshot
    # file replaced it with the report: the accepted findings, or the account's owners, lost
    shutil.copytree(EXAMPLES / "broken", tmp_path / "imports")
    shutil.copytree(ROOT / "fixtures" / "portal", tmp_path / "portal")
    request = str(tmp_path / "imports" / "contacts.import.json")
    baseline = tmp_path / "imports" / "baseline.json"
    wrote = _run("check", request, "--baseline", str(baseline), "--write-baseline", cwd=tmp_path)
    assert wrote.returncode == 0, wrote.stderr
    kept = {p: p.read_bytes() for p in (baseline, tmp_path / "portal" / "owners.json")}
    (tmp_path / "imports" / "hubspot-preflight.toml").write_text('baseline = "baseline.json"\n', encoding="utf-8")
    for args, target in ((["--baseline", str(baseline)], baseline), ([], baseline),
                         (["--portal", "portal"], tmp_path / "portal" / "owners.json")):
        proc = _run("check", request, *args, "-o", str(target), "--format", "json", cwd=tmp_path)
        assert (proc.returncode, proc.stdout) == (2, ""), args
        assert proc.stderr == f"hubspot-preflight: error: --output {target} is one of the inputs; choose another file\n"
        assert {p: p.read_bytes() for p in kept} == kept, args
    again = _run("check", request, "--write-baseline", cwd=tmp_path)  # (the baseline read is rewritten so)
    assert again.returncode == 0, again.stderr
    assert baseline.read_bytes() == kept[baseline]
    accepted = _run("check", request, "--format", "json", cwd=tmp_path)  # the baseline still accepts all 13
    assert (accepted.returncode, json.loads(accepted.stdout)["findings"]) == (0, [])


def test_request_option_alone_checks_that_request(tmp_path: Path) -> None:
    # (--request R with no data file given, its files beside it or from --file, is checked)
    broken = str(EXAMPLES / "broken" / "contacts.import.json")
    for args in (["--request", broken], ["--request", broken, "--file",
                                         f"exports/contacts.csv={EXAMPLES / 'broken' / 'contacts.csv'}"]):
        proc = _run("check", *args, "--format", "json", cwd=tmp_path)
        assert proc.returncode == 1, (args, proc.stderr)
        assert ("HS110", "contacts.csv", 3, 4) in _findings(proc.stdout), args


def test_a_baseline_that_is_not_there_is_said_on_stderr_and_accepts_nothing(tmp_path: Path) -> None:
    # a missing baseline reads as no entries (so that --write-baseline can make it); a misspelt
    # path then reported every accepted finding as new without a word
    request = str(EXAMPLES / "deals" / "deals.import.json")
    plain = _run("check", request, "--format", "json", cwd=tmp_path)
    proc = _run("check", request, "--format", "json", "--baseline", "nope.json", cwd=tmp_path)
    assert proc.returncode == plain.returncode == 1
    assert _findings(proc.stdout) == _findings(plain.stdout) and _findings(plain.stdout)
    assert proc.stderr == ("hubspot-preflight: baseline nope.json does not exist: no finding is accepted (make it "
                           "with --write-baseline)\n")
    quiet = _run("check", request, "-q", "--baseline", "nope.json", cwd=tmp_path)
    assert (quiet.returncode, quiet.stderr) == (1, "")
    written = _run("check", request, "--baseline", "nope.json", "--write-baseline", cwd=tmp_path)
    assert written.returncode == 0 and "does not exist" not in written.stderr
    again = _run("check", request, "--format", "json", "--baseline", "nope.json", cwd=tmp_path)
    assert (again.returncode, again.stderr, _findings(again.stdout)) == (0, "", [])


def test_redact_in_one_import_s_settings_masks_a_run_checking_it_with_others(tmp_path: Path) -> None:
    # output settings come from the file found for the paths given (b's, given first), so a's own
    # 'redact = true' was dropped when a was checked beside b from the folder above
    for name in ("a", "b"):
        shutil.copytree(EXAMPLES / "deals", tmp_path / name)
    (tmp_path / "a" / "pyproject.toml").write_text("[tool.hubspot-preflight]\nredact = true\n", encoding="utf-8")
    (tmp_path / "b" / "pyproject.toml").write_text("[tool.hubspot-preflight]\nmax-per-rule = 50\n", encoding="utf-8")
    for order in (("a", "b"), ("b", "a")):
        proc = _run("check", *order, "--format", "json", cwd=tmp_path)
        values = [f["value"] for f in json.loads(proc.stdout)["findings"] if f["row"] and f["row"] > 1]
        assert proc.returncode == 1 and {v for v in values if v} == {"REDACTED"}, order  # (an empty cell stays "")
    alone = _run("check", "b", "--format", "json", cwd=tmp_path)
    assert "REDACTED" not in alone.stdout and json.loads(alone.stdout)["findings"]


@pytest.mark.parametrize(("args", "said", "command"), [
    (("check", "--fail-on", "fatal", "x.json"), "'fatal' is not one of 'error', 'warning', 'info'", "check"),
    (("check", "--nope"), "No such option '--nope'", "check"),
    (("chek",), "No such command 'chek'", ""),
    (("explain",), "Missing argument 'RULE'", "explain"),
])
def test_a_usage_error_is_one_line_on_stderr(tmp_path: Path, args: tuple[str, ...], said: str, command: str) -> None:
    # click's own form was three lines (Usage, Try, Error), where every other refusal is one
    proc = _run(*args, cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr.count("\n")) == (2, "", 1), proc.stderr
    assert proc.stderr.startswith("hubspot-preflight: error: ") and said in proc.stderr, proc.stderr
    assert proc.stderr.endswith(f"(see '{' '.join(('hubspot-preflight', command)).strip()} --help')\n"), proc.stderr


def test_no_command_still_prints_the_help(tmp_path: Path) -> None:
    proc = _run(cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith("Usage: hubspot-preflight [OPTIONS] COMMAND")
    assert "Commands:" in proc.stderr


def test_fail_on_takes_any_letter_case_as_the_settings_file_does(tmp_path: Path) -> None:
    # fail-on = "WARNING" in a settings file was taken, --fail-on WARNING refused (exit 2)
    (tmp_path / "c.csv").write_text("Email\nann@x.example\n ann@y.example\n", encoding="utf-8")
    (tmp_path / "c.import.json").write_text(json.dumps({"name": "t", "files": [{
        "fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnName": "Email", "columnObjectTypeId": "0-1", "propertyName": "email"}]}}]}), encoding="utf-8")
    plain = _run("check", "c.import.json", "--format", "json", cwd=tmp_path)
    assert {(f["code"], f["severity"]) for f in json.loads(plain.stdout)["findings"]} == {("HS409", "warning")}
    assert plain.returncode == 0
    for spelt in ("warning", "WARNING", "Warning"):
        proc = _run("check", "c.import.json", "-q", "--fail-on", spelt, cwd=tmp_path)
        assert (proc.returncode, proc.stderr) == (1, ""), spelt


def test_a_request_file_whose_files_key_is_misspelt_is_checked_not_passed_over(tmp_path: Path) -> None:
    # contacts.import.json with "file" for "files" is valid JSON with no files list: the hook
    # (--ignore-unpaired, given the request alone) passed it over as "not a request" (exit 0, a
    # commit of the broken import went through) and a folder check said the folder held no
    # request (exit 2); its data file found it and reported it (HS003), so the two disagreed
    text = (EXAMPLES / "contacts" / "contacts.import.json").read_text(encoding="utf-8")
    assert text.count('"files":') == 1
    (tmp_path / "contacts.import.json").write_text(text.replace('"files":', '"file":'), encoding="utf-8")
    shutil.copy2(EXAMPLES / "contacts" / "contacts.csv", tmp_path / "contacts.csv")
    expected = ["contacts.import.json:/files: HS003 [error] request has no 'files' list",
                "contacts.import.json:/file: HS016 [warning] unknown key 'file' in the request; did you mean 'files'?"]
    for args in (["--ignore-unpaired", "contacts.import.json"], ["--ignore-unpaired", "contacts.csv"], ["."]):
        proc = _run("check", "--format", "concise", *args, cwd=tmp_path)
        assert (proc.returncode, proc.stdout.splitlines()) == (1, expected), (args, proc.stdout, proc.stderr)
    # JSON of another kind under a request's generic name (a tool's request.json) is still passed over
    (tmp_path / "request.json").write_text('{"url": "https://example.com"}', encoding="utf-8")
    skipped = _run("check", "--ignore-unpaired", "request.json", cwd=tmp_path)
    assert (skipped.returncode, skipped.stdout) == (0, ""), skipped.stderr


def test_ruff_spellings_of_the_output_options_and_the_format_environment_variable(tmp_path: Path) -> None:
    # `--output-format` and `--output-file` (ruff's names, and the settings file's `output-format`)
    # were refused as no such option, and HUBSPOT_PREFLIGHT_OUTPUT_FORMAT was not read
    broken = EXAMPLES / "broken" / "contacts.import.json"
    target = tmp_path / "report.txt"
    runner = CliRunner()
    result = runner.invoke(cli, ["check", str(broken), "--select", "HS113", "--output-format", "concise",
                                 "--output-file", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == f"{broken.parent / 'contacts.csv'}:4:1: HS113 [warning] row is blank\n"
    result = runner.invoke(cli, ["check", str(broken), "--select", "HS113"],
                           env={"HUBSPOT_PREFLIGHT_OUTPUT_FORMAT": "concise"})
    assert result.output == f"{broken.parent / 'contacts.csv'}:4:1: HS113 [warning] row is blank\n"
    result = runner.invoke(cli, ["check", str(broken), "--select", "HS113", "--format", "json"],
                           env={"HUBSPOT_PREFLIGHT_OUTPUT_FORMAT": "concise"})  # the flag wins
    assert [(f["code"], f["row"]) for f in json.loads(result.output)["findings"]] == [("HS113", 4)]


def test_a_format_from_the_environment_that_is_no_format_is_refused_naming_the_variable() -> None:
    # click refused it as "Invalid value for '--format' / '--output-format'", a flag not given
    broken = EXAMPLES / "broken" / "contacts.import.json"
    result = CliRunner().invoke(cli, ["check", str(broken)], env={"HUBSPOT_PREFLIGHT_OUTPUT_FORMAT": "xml"})
    assert result.exit_code == 2
    assert result.output.endswith("Error: HUBSPOT_PREFLIGHT_OUTPUT_FORMAT='xml' is not one of text, grouped, full, "
                                  "concise, pylint, json, json-lines, sarif, junit, github, gitlab, azure, hubspot, "
                                  "csv, auto\n")
    result = CliRunner().invoke(cli, ["check", str(broken), "--format", "xml"])  # the flag's refusal is click's
    assert result.exit_code == 2 and "Invalid value for '--format' / '--output-format': 'xml'" in result.output


@pytest.mark.parametrize("args", [["check", "-"], ["check", "--request", "-", "contacts.csv"],
                                  ["check", "contacts.import.json", "-"]])
def test_a_dash_for_standard_input_says_how_to_pipe_a_file(tmp_path: Path, args: list[str]) -> None:
    # `check -` (ruff reads standard input so) was "-: no such file", `--request -` "cannot read
    # request: - does not exist", leaving a user to guess that only --file NAME=- reads it
    for name in ("contacts.import.json", "contacts.csv"):
        shutil.copy(EXAMPLES / "contacts" / name, tmp_path / name)
    result = _run(*args, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("hubspot-preflight: error: -: standard input is read as a data file only: give its "
                             "path as --stdin-filename (check --stdin-filename contacts.csv -), or the request's "
                             "path and --file NAME=- (check contacts.import.json --file contacts.csv=-)\n")


STATISTICS = """\
2  HS110  ragged-row             error
1  HS002  request-wrong-type     error
1  HS007  unknown-column-type    error
1  HS009  unused-operation       warning
1  HS010  misplaced-field        warning
1  HS013  file-name-with-path    error
1  HS101  column-count-mismatch  error
1  HS102  mapping-order          error
1  HS103  column-name-mismatch   error
1  HS111  unclosed-quote         error
1  HS112  malformed-quote        error
1  HS113  blank-row              warning
"""


@pytest.mark.parametrize("args", [[], ["--max-per-rule", "1"], ["--format", "concise"], ["--format", "grouped"],
                                  ["--format", "full"]])
def test_statistics_counts_each_rule_s_findings_listed_or_not(args: list[str]) -> None:
    # ruff's `--statistics` was refused as no such option: a count per rule, most first, then by
    # code; the findings over --max-per-rule are counted (HS110's second), the exit code the check's
    broken = EXAMPLES / "broken" / "contacts.import.json"
    result = CliRunner().invoke(cli, ["check", str(broken), "--statistics", *args])
    assert (result.exit_code, result.output) == (1, STATISTICS)
    result = CliRunner().invoke(cli, ["check", str(broken), "--statistics", "--exit-zero", "--select", "HS11",
                                      "--max-per-rule", "0", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.output) == [
        {"code": "HS110", "name": "ragged-row", "count": 2, "severity": "error"},
        *({"code": code, "name": name, "count": 1, "severity": sev} for code, name, sev in (
            ("HS111", "unclosed-quote", "error"), ("HS112", "malformed-quote", "error"),
            ("HS113", "blank-row", "warning")))]
    clean = CliRunner().invoke(cli, ["check", str(EXAMPLES / "contacts" / "contacts.import.json"), "--statistics"])
    assert (clean.exit_code, clean.output) == (0, "")


def test_statistics_in_a_format_other_than_text_or_json_is_refused_before_the_check(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "broken", tmp_path / "broken")
    said = ("hubspot-preflight: error: --statistics prints a table (text) or json, not sarif: give --format text "
            "or json\n")
    proc = _run("check", "broken", "--statistics", "--format", "sarif", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", said)
    (tmp_path / "broken" / "hubspot-preflight.toml").write_text('output-format = "sarif"\n', encoding="utf-8")
    proc = _run("check", "broken", "--statistics", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", said)
    proc = _run("check", "broken", "--statistics", "--format", "text", "--select", "HS113", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (0, "1  HS113  blank-row  warning\n")
    for flag, why in (("--write-baseline", "--write-baseline writes them to the baseline"),
                      ("--emit-request", "--emit-request checks nothing")):
        proc = _run("check", "broken", "--statistics", flag, "--baseline", "b.json", cwd=tmp_path)
        assert (proc.returncode, proc.stderr) == (
            2, f"hubspot-preflight: error: --statistics counts a check's findings, and {why}\n")
    assert not (tmp_path / "b.json").exists()


def test_isolated_reads_no_settings_file(tmp_path: Path) -> None:
    # ruff's `--isolated` was refused as no such option: a check could not be run without the
    # settings found beside the files (a pyproject.toml, a hubspot-preflight.toml)
    shutil.copytree(EXAMPLES / "broken", tmp_path / "broken")
    (tmp_path / "pyproject.toml").write_text('[tool.hubspot-preflight]\nfail-on = "info"\n', encoding="utf-8")
    (tmp_path / "broken" / "hubspot-preflight.toml").write_text(
        'select = ["HS11"]\nignore = ["HS113"]\noutput-format = "json"\nexit-zero = true\n', encoding="utf-8")
    proc = _run("check", "broken", "--statistics", cwd=tmp_path)
    assert (proc.returncode, json.loads(proc.stdout)) == (0, [
        {"code": "HS110", "name": "ragged-row", "count": 2, "severity": "error"},
        {"code": "HS111", "name": "unclosed-quote", "count": 1, "severity": "error"},
        {"code": "HS112", "name": "malformed-quote", "count": 1, "severity": "error"}])
    for args in (["broken"], ["broken/contacts.csv"], ["broken/contacts.import.json"]):
        proc = _run("check", *args, "--statistics", "--isolated", cwd=tmp_path)
        assert (proc.returncode, proc.stdout, proc.stderr) == (1, STATISTICS, ""), args
    proc = _run("check", "broken", "--isolated", "--config", "pyproject.toml", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        2, "", "hubspot-preflight: error: --isolated reads no settings file, and --config names one "
               "(pyproject.toml)\n")
    proc = _run("config", "broken", "--isolated", "--format", "json", cwd=tmp_path)
    shown = json.loads(proc.stdout)
    assert (proc.returncode, shown["source"], shown["select"], shown["fail-on"], shown["output-format"]) == (
        0, None, None, "error", None)
    proc = _run("config", "broken", "--isolated", cwd=tmp_path)
    assert proc.stdout.splitlines()[:2] == ["# configuration: built-in defaults (--isolated)", "select = null"]


def test_config_key_value_overrides_one_setting_over_the_settings_file(tmp_path: Path) -> None:
    # ruff's `--config "KEY = VALUE"` was read as a file's name ("cannot read configuration
    # select = ...: No such file"); a value that is no path and holds `=` now sets one setting
    # over the file's (the file's other settings stay), repeatable, as ruff tells the two apart
    shutil.copytree(EXAMPLES / "broken", tmp_path / "broken")
    (tmp_path / "broken" / "hubspot-preflight.toml").write_text(
        'select = ["HS11"]\nignore = ["HS113"]\noutput-format = "json"\n', encoding="utf-8")

    def stats(*args: str) -> tuple[int, list[str]]:
        proc = _run("check", "broken", "--statistics", *args, cwd=tmp_path)
        assert proc.stderr == "", args
        return proc.returncode, [line.split()[1] for line in proc.stdout.splitlines()]

    assert stats("--format", "text") == (1, ["HS110", "HS111", "HS112"])
    assert stats("--config", "output-format = 'text'", "--config", 'select = ["HS11", "HS013"]') == (
        1, ["HS110", "HS013", "HS111", "HS112"])  # (the file's ignore still holds: HS113 stays off)
    assert stats("--config", 'output-format="text"', "--config", "ignore = []") == (
        1, ["HS110", "HS111", "HS112", "HS113"])
    proc = _run("check", "broken", "--statistics", "--config", "severity.HS11 = 'warning'", "--config",
                "tool.hubspot-preflight.fail-on = 'error'", "--format", "text", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (0, "2  HS110  ragged-row       warning\n"
                                                 "1  HS111  unclosed-quote   warning\n"
                                                 "1  HS112  malformed-quote  warning\n")
    # with --isolated, the overrides over the built-in defaults; a file beside them is still refused
    proc = _run("check", "broken", "--statistics", "--isolated", "--config", "select = ['blank-row']", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (0, "1  HS113  blank-row  warning\n")
    proc = _run("config", "broken", "--config", "select = ['HS113']", "--config", "fail-on = 'info'", cwd=tmp_path)
    assert proc.stdout.splitlines()[:2] == [
        f"# configuration: {tmp_path / 'broken' / 'hubspot-preflight.toml'}; --config select, fail-on over it",
        'select = ["HS113"]']
    # a path it sets is relative to the current folder, as a flag's, not to the settings file's
    proc = _run("config", "broken", "--format", "json", "--config", "baseline = 'accepted.json'", cwd=tmp_path)
    assert json.loads(proc.stdout)["baseline"] == str(tmp_path / "accepted.json")


def test_a_settings_file_or_baseline_path_with_control_characters_is_printed_escaped(tmp_path: Path) -> None:
    # `config` printed the settings file's path raw ("# configuration: .../evil<ESC>]0;T<BEL>/...",
    # setting the terminal's title), and so did --write-baseline's "wrote N accepted finding(s) to"
    folder = tmp_path / "evil\x1b]0;T\x07"
    shutil.copytree(EXAMPLES / "broken", folder)
    (folder / "pyproject.toml").write_text('[tool.hubspot-preflight]\nselect = ["HS1"]\n', encoding="utf-8")
    shown = str(folder).replace("\x1b", "\\u001b").replace("\x07", "\\u0007")
    proc = _run("config", str(folder), cwd=tmp_path)
    assert proc.stdout.splitlines()[0] == f"# configuration: {shown}/pyproject.toml"
    proc = _run("check", str(folder / "contacts.import.json"), "--baseline", str(folder / "accepted.json"),
                "--write-baseline", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (
        0, f"hubspot-preflight: wrote 8 accepted finding(s) to {shown}/accepted.json\n")  # (select: HS1)


@pytest.mark.parametrize(("args", "said"), [
    # an empty path was the current folder: a check of every import in it and below, a portal
    # snapshot read from it, or refusals that named '.' ("cannot read request: . is a directory")
    (("check", ""), "Invalid value for '[PATHS]...': '' names no file or folder (see 'hubspot-preflight check "
                    "--help')"),
    (("config", ""), "Invalid value for '[PATHS]...': '' names no file or folder (see 'hubspot-preflight config "
                     "--help')"),
    (("check", "broken/contacts.import.json", "--portal", ""),
     "Invalid value for '--portal': '' names no file or folder (see 'hubspot-preflight check --help')"),
    (("check", "broken/contacts.import.json", "--baseline", ""),
     "Invalid value for '--baseline': '' names no file or folder (see 'hubspot-preflight check --help')"),
    (("check", "broken/contacts.import.json", "-o", ""),
     "Invalid value for '-o' / '--output' / '--output-file': '' names no file or folder (see 'hubspot-preflight "
     "check --help')"),
    (("check", "--request", "", "broken/contacts.csv"),
     "Invalid value for '--request': '' names no file or folder (see 'hubspot-preflight check --help')"),
    (("check", "broken/contacts.import.json", "--config", "portal = ''"),
     "--config \"portal = ''\": portal: '' names no folder"),
])
def test_an_empty_path_is_refused_not_read_as_the_current_folder(tmp_path: Path, args: tuple[str, ...],
                                                                  said: str) -> None:
    shutil.copytree(EXAMPLES / "broken", tmp_path / "broken")
    proc = _run(*args, cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", f"hubspot-preflight: error: {said}\n")


@pytest.mark.parametrize(("value", "said"), [
    ("select = [", "--config 'select = [' is no file, nor a TOML 'KEY = VALUE' setting: Invalid value (at end of "
                   "document)"),
    ("colour = 'red'", "--config \"colour = 'red'\": unknown configuration key 'colour' (known: select, "
                       "extend-select, ignore, severity, per-file-ignores, ignore-records, options, fail-on, "
                       "max-per-rule, portal, tier, exit-zero, output-format, baseline, redact)"),
    ("select = ['HS999']", "--config \"select = ['HS999']\": select: unknown rule code or name 'HS999'"),
    ("max-per-rule = -1", "--config 'max-per-rule = -1': max-per-rule: must be a whole number >= 0, not -1"),
    ("# a = b", "--config '# a = b' sets no setting: give KEY = VALUE (select = [\"HS1\"])"),
    ("nope.toml", "cannot read configuration nope.toml: No such file or directory"),
    # (it was read as the current folder: "cannot read configuration: . is not a regular file or a pipe")
    ("", "--config '' names no settings file, nor a 'KEY = VALUE' setting"),
    # `--config "select = ['$RULES']"` with RULES unset checked no rule and passed a broken import
    # (exit 0), as `--select ""` did before it was refused; so did select = [] or "" in a file
    ("select = ['']", "--config \"select = ['']\": select: names no rule: give codes, prefixes, names or ALL "
                      "(ignore = [\"ALL\"] checks nothing)"),
    ("select = []", "--config 'select = []': select: names no rule: give codes, prefixes, names or ALL "
                    "(ignore = [\"ALL\"] checks nothing)"),
    # (an internal error: ValueError from Python's limit on the digits of an int, in tomllib)
    ("max-per-rule = " + "9" * 5000, f"--config 'max-per-rule = {'9' * 5000}': a number of more than 4,300 digits "
                                     "is too long to read"),
])
def test_a_config_value_that_is_no_file_nor_a_known_setting_is_refused(tmp_path: Path, value: str,
                                                                       said: str) -> None:
    shutil.copytree(EXAMPLES / "broken", tmp_path / "broken")
    for command in ("check", "config"):
        proc = _run(command, "broken", "--config", value, cwd=tmp_path)
        assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", f"hubspot-preflight: error: {said}\n")
    (tmp_path / "a.toml").write_text("", encoding="utf-8")
    (tmp_path / "b=c.toml").write_text("", encoding="utf-8")  # (a file that is there is a file, `=` or not)
    proc = _run("check", "broken", "--config", "a.toml", "--config", "b=c.toml", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (2, "hubspot-preflight: error: --config names one settings file, not 2 "
                                                 "(a.toml, b=c.toml); give the others' settings as --config "
                                                 "'KEY = VALUE'\n")


def _stdin_check(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    for name in ("contacts.import.json", "contacts.csv"):
        shutil.copy(EXAMPLES / "broken" / name, tmp_path / name)
    return subprocess.run([sys.executable, "-m", "validator", "check", *args], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60, env=_env(), input=(tmp_path / "contacts.csv").read_text())


@pytest.mark.parametrize("args", [["--stdin-filename", "contacts.csv", "-"], ["--stdin-filename", "contacts.csv"],
                                  ["--stdin-filename", "contacts.csv", "contacts.import.json"],
                                  ["--stdin-filename", "contacts.csv", "--request", "contacts.import.json"]])
def test_stdin_filename_reads_standard_input_as_that_data_file(tmp_path: Path, args: list[str]) -> None:
    # ruff's --stdin-filename was "No such option" (exit 2): standard input is now the data file
    # PATH names, its request found beside PATH as for a data file given (or the one given), and
    # its findings those of the file on disk, under the request's fileName
    result = _stdin_check(tmp_path, *args, "--format", "json")
    assert result.returncode == 1, result.stderr
    rows = [(f["code"], f["file"], f["row"], f["column"]) for f in json.loads(result.stdout)["findings"]
            if f["row"] is not None and f["row"] > 1]
    assert rows == [("HS110", "exports/contacts.csv", 3, 4), ("HS113", "exports/contacts.csv", 4, None),
                    ("HS112", "exports/contacts.csv", 5, 2), ("HS110", "exports/contacts.csv", 6, 5),
                    ("HS111", "exports/contacts.csv", 7, 2)]


def test_stdin_filename_refusals_are_one_line(tmp_path: Path) -> None:
    result = _stdin_check(tmp_path, "--stdin-filename", "other/x.csv")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("hubspot-preflight: error: --stdin-filename other/x.csv: no importRequest found "
                             "(looked for x.import.json and requests in other naming x.csv); pass --request\n")
    result = _stdin_check(tmp_path, "--stdin-filename", "contacts.csv", "--file", "contacts.csv=-")
    assert (result.returncode, result.stderr) == (
        2, "hubspot-preflight: error: --stdin-filename and --file NAME=- both read standard input: give one\n")


@pytest.mark.parametrize("flag", ["-s", "--silent"])
def test_silent_is_quiet_under_ruffs_name(flag: str) -> None:
    # ruff's -s/--silent (print nothing, the exit code tells) was "No such option"; -q is that already
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES / "broken" / "contacts.import.json"), flag])
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "")


def test_rule_is_explain_and_rule_all_is_rules_under_ruffs_names() -> None:
    # `rule HS110` and `rule --all` (ruff's) were "No such command 'rule'"
    runner = CliRunner()
    page = runner.invoke(cli, ["rule", "ragged-row"])
    assert (page.exit_code, page.stdout) == (0, runner.invoke(cli, ["explain", "HS110"]).stdout)
    assert page.stdout.startswith("HS110 ragged-row\n")
    every = runner.invoke(cli, ["rule", "--all", "--output-format", "json"])
    assert (every.exit_code, every.stdout) == (0, runner.invoke(cli, ["rules", "--format", "json"]).stdout)
    assert json.loads(every.stdout)[0]["code"] == "HS001"
    for args, message in ((["rule"], "rule takes a rule's code or name, or --all: give one"),
                          (["rule", "HS110", "--all"], "rule takes a rule's code or name, or --all: give one"),
                          (["rule", "HS999"], "unknown rule 'HS999' (see `hubspot-preflight rules`)")):
        refused = _run(*args, cwd=ROOT)
        assert (refused.returncode, refused.stdout, refused.stderr) == (2, "", f"hubspot-preflight: error: {message}\n")
