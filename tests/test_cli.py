"""The command line: exit codes, formats, request discovery, rules and explain."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from validator import __version__
from validator.checks import all_rules
from validator.cli import cli

EXAMPLES = ROOT / "fixtures" / "examples"
BROKEN = EXAMPLES / "broken" / "contacts.import.json"
CLEAN = EXAMPLES / "contacts" / "contacts.import.json"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_clean_example_exits_zero() -> None:
    result = run("check", str(CLEAN))
    assert result.exit_code == 0, result.output
    assert "Found 0 errors" in result.output


def test_broken_example_exits_one_with_grouped_report() -> None:
    result = run("check", str(BROKEN))
    assert result.exit_code == 1
    assert "  3:4  error   HS110 row has 3 fields, fewer than the header's 4 (Company)" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("Found 10 errors, 3 warnings, 0 infos in 1 file")


def test_exit_zero_and_fail_on() -> None:
    assert run("check", str(BROKEN), "--exit-zero").exit_code == 0
    assert run("check", str(BROKEN), "--select", "HS113", "--fail-on", "error").exit_code == 0
    assert run("check", str(BROKEN), "--select", "HS113", "--fail-on", "warning").exit_code == 1


def test_select_and_ignore_by_code_prefix_and_name() -> None:
    out = json.loads(run("check", str(BROKEN), "--format", "json", "--select", "HS11").output)
    assert {f["code"] for f in out["findings"]} == {"HS110", "HS111", "HS112", "HS113"}
    out = json.loads(run("check", str(BROKEN), "--format", "json", "--ignore", "HS0,ragged-row").output)
    codes = {f["code"] for f in out["findings"]}
    assert "HS110" not in codes and not any(c.startswith("HS0") for c in codes)


def test_json_contract() -> None:
    result = run("check", str(BROKEN), "--format", "json")
    assert result.exit_code == 1
    out = json.loads(result.output)
    assert out["schema_version"] == 1
    assert out["tool"] == {"name": "hubspot-preflight", "version": __version__}
    assert out["ok"] is False
    assert {"errors", "warnings", "infos", "files", "rows", "seconds"} <= set(out["summary"])
    assert (out["summary"]["errors"], out["summary"]["warnings"], out["summary"]["files"]) == (10, 3, 1)
    keys = {"code", "rule", "severity", "message", "file", "sheet", "row", "line", "column",
            "column_name", "pointer", "value", "hubspot_error", "hint"}
    for f in out["findings"]:
        assert keys <= set(f)
    ragged = [f for f in out["findings"] if f["code"] == "HS110"]
    first = ragged[0]
    assert (first["file"], first["row"], first["line"], first["column"], first["column_name"],
            first["severity"], first["hubspot_error"], first["rule"]) == (
        "exports/contacts.csv", 3, 3, 4, "Company", "error", "INCORRECT_NUMBER_OF_COLUMNS", "ragged-row")
    assert first["value"] == "bo.chen@example.org,Bo,+442071838750"
    request_finding = next(f for f in out["findings"] if f["code"] == "HS007")
    assert request_finding["row"] is None
    assert request_finding["pointer"] == "/files/0/fileImportPage/columnMappings/2/columnType"
    assert request_finding["file"] == "contacts.import.json"
    assert out["suppressed"] == {}


def test_concise_format() -> None:
    lines = run("check", str(BROKEN), "--format", "concise").output.splitlines()
    assert any(line.endswith("contacts.csv:3:4: HS110 [error] row has 3 fields, fewer than the header's 4")
               for line in lines)
    # 1-based like ruff's path:line:col: a finding on a whole row is at its first column
    assert any(line.endswith("contacts.csv:4:1: HS113 [warning] row is blank") for line in lines)
    assert not [line for line in lines if ":0:" in line or ":0 " in line]


def test_concise_places_a_json_syntax_error_at_its_line_and_column(tmp_path: Path) -> None:
    request = tmp_path / "bad.import.json"
    request.write_text('{\n  "name": "x",\n  "files": ,\n}\n', encoding="utf-8")
    out = run("check", str(request), "--format", "concise").output
    assert out.startswith(f"{request}:3:12: HS001 [error] request is not valid JSON: "
                          "Expecting value at line 3 column 12")


def test_max_per_rule_counts_the_rest_as_suppressed() -> None:
    out = json.loads(run("check", str(BROKEN), "--format", "json", "--max-per-rule", "1").output)
    assert [f["row"] for f in out["findings"] if f["code"] == "HS110"] == [3]
    assert out["suppressed"] == {"HS110": 1}
    assert out["summary"]["errors"] == 10  # counted, only not listed


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = run("check", str(BROKEN), "--format", "json", "-o", str(target))
    assert result.exit_code == 1 and result.output == ""
    assert json.loads(target.read_text())["ok"] is False


@pytest.mark.parametrize(("args", "message"), [
    (["-o", "{tmp}"], "--output {tmp} is a folder; name a file"),
    (["-o", "{tmp}/no/such/report.json"],
     "--output {tmp}/no/such/report.json: the folder {tmp}/no/such does not exist"),
    # (it said "the folder {broken}/contacts.csv does not exist": it does, as a file)
    (["-o", "{broken}/contacts.csv/report.json"],
     "--output {broken}/contacts.csv/report.json: {broken}/contacts.csv is not a folder"),
    (["--baseline", "{tmp}", "--write-baseline"], "--baseline {tmp} is a folder; name a file"),
    (["--baseline", "{broken}/contacts.csv", "--write-baseline"],
     "--baseline {broken}/contacts.csv is one of the inputs; choose another file"),
    (["--baseline", "{broken}/contacts.import.json", "--write-baseline"],
     "--baseline {broken}/contacts.import.json is one of the inputs; choose another file"),
    (["--baseline", "{tmp}/b.json", "--write-baseline", "-o", "{tmp}/r.json"],
     "--output has no report to take with --write-baseline (it writes the --baseline file)"),
])
def test_an_output_that_cannot_be_written_is_refused_before_the_check(
        tmp_path: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    # these used to end the whole check in "internal error: IsADirectoryError / FileNotFoundError"
    from validator.cli import main

    before = {p: p.read_bytes() for p in BROKEN.parent.iterdir()}
    where = {"tmp": tmp_path, "broken": BROKEN.parent}
    with pytest.raises(SystemExit) as exc:
        main(["check", str(BROKEN), *(a.format(**where) for a in args)])
    assert exc.value.code == 2
    assert capsys.readouterr().err == f"hubspot-preflight: error: {message.format(**where)}\n"
    assert {p: p.read_bytes() for p in BROKEN.parent.iterdir()} == before  # no input written over
    assert not (tmp_path / "b.json").exists()


def test_a_request_with_a_json_typo_is_reported_not_passed_over(tmp_path: Path) -> None:
    # the hook (--ignore-unpaired) and a folder check skipped a request that is not JSON, as if it
    # were some other JSON file: a commit of the broken import went through
    for name in ("contacts.import.json", "import.json"):
        folder = tmp_path / name
        folder.mkdir()
        shutil.copy2(EXAMPLES / "contacts" / "contacts.csv", folder / "contacts.csv")
        text = (EXAMPLES / "contacts" / "contacts.import.json").read_text(encoding="utf-8")
        (folder / name).write_text(text.replace('"UPSERT"}', '"UPSERT"},,', 1), encoding="utf-8")
        (folder / "settings.json").write_text("{not json", encoding="utf-8")  # not named as requests are
        for args in (["--ignore-unpaired", str(folder / name)], ["--ignore-unpaired", str(folder / "contacts.csv")],
                     [str(folder)], ["--ignore-unpaired", str(folder / "settings.json")]):
            proc = subprocess.run([sys.executable, "-m", "validator", "check", "--format", "concise", *args],
                                  capture_output=True, text=True, timeout=120, check=False)
            if args[-1].endswith("settings.json"):
                assert (proc.returncode, proc.stdout) == (0, ""), proc.stderr
                continue
            assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
            assert proc.stdout.startswith(f"{folder / name}:3:41: HS001 [error] request is not valid JSON"), proc.stdout


def test_two_imports_with_the_same_file_names_are_told_apart_by_path(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # the merged report kept rows, headers and JUnit suites by fileName: spring's ragged row was
    # shown with autumn's cells, and the clean request's suite was lost
    header = "Email,First Name,Last Name,Phone Number,Lifecycle Stage,Notes\n"
    for season, row in (("spring", "ann@example.com,Ann,Lee,+14155550101,lead,x,EXTRA\n"),
                        ("autumn", "bad-email,Bo,Chen,+14155550102,lead,z\n")):
        (tmp_path / season).mkdir()
        shutil.copy2(EXAMPLES / "contacts" / "contacts.import.json", tmp_path / season / "contacts.import.json")
        (tmp_path / season / "contacts.csv").write_text(header + row, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    both = ["spring/contacts.import.json", "autumn/contacts.import.json"]
    out = run("check", *both, "--format", "csv").output.splitlines()
    assert out[1:] == [
        'spring/contacts.csv,ann@example.com,Ann,Lee,+14155550101,lead,x,EXTRA,2,7,,HS110,error,'
        '"row has 7 fields, more than the header\'s 6"',
        "autumn/contacts.csv,bad-email,Bo,Chen,+14155550102,lead,z,,2,1,Email,HS212,error,"
        "'bad-email' is not a valid email address"]
    suites = re.findall(r'<testsuite name="([^"]+)" tests="(\d+)" failures="(\d+)"', run("check", *both, "--format",
                                                                                         "junit").output)
    assert suites == [("spring/contacts.import.json", "1", "0"), ("autumn/contacts.import.json", "1", "0"),
                      ("spring/contacts.csv", "1", "1"), ("autumn/contacts.csv", "1", "1")]
    alone = json.loads(run("check", both[0], "--format", "json").output)  # one import: fileNames as before
    assert [(f["file"], f["row"]) for f in alone["findings"]] == [("contacts.csv", 2)]
    # a baseline for both: each import's entry is used by one import only, and not stale in the other
    assert run("check", *both, "--baseline", "b.json", "--write-baseline").exit_code == 0
    entries = json.loads(Path("b.json").read_text(encoding="utf-8"))["entries"]
    entries.append({**entries[0], "key": "email:gone@example.com"})
    Path("b.json").write_text(json.dumps({"entries": entries}), encoding="utf-8")
    again = json.loads(run("check", *both, "--baseline", "b.json", "--format", "json").output)
    assert [(f["code"], f["pointer"]) for f in again["findings"]] == [("HS901", "/entries/2")]
    assert again["accepted"] == {"HS110": 1, "HS212": 1} and again["summary"]["warnings"] == 1


def test_quiet_prints_nothing_and_emitted_requests_go_to_the_output_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from validator.cli import main

    def quiet(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exc:
            main(["check", "-q", *args])
        out, err = capsys.readouterr()
        return exc.value.code, out, err  # type: ignore[return-value]

    baseline = tmp_path / "b.json"
    assert quiet(str(BROKEN), "--baseline", str(baseline), "--write-baseline") == (0, "", "")
    assert json.loads(baseline.read_text())["entries"]
    (tmp_path / "request.json").write_text("{}")
    assert quiet("--ignore-unpaired", str(tmp_path / "request.json")) == (0, "", "")
    with pytest.raises(SystemExit) as exc:
        main(["check", str(CLEAN), "--emit-request", "-o", str(tmp_path / "upload.txt")])
    assert exc.value.code == 0 and capsys.readouterr().out == ""
    assert (tmp_path / "upload.txt").read_text().startswith("POST https://api.hubapi.com/crm/v3/imports\n")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_report_the_system_will_not_take_is_a_one_line_error(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    from validator.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["check", str(BROKEN), "-o", "/dev/full"])  # every write: ENOSPC
    assert exc.value.code == 2
    assert capsys.readouterr().err == ("hubspot-preflight: error: cannot write the report to /dev/full: "
                                       "No space left on device\n")
    os.mkfifo(tmp_path / "nobody-reads")  # a FIFO without a reader: an error, not a wait for ever
    with pytest.raises(SystemExit) as exc:
        main(["check", str(BROKEN), "-o", str(tmp_path / "nobody-reads")])
    assert exc.value.code == 2
    assert capsys.readouterr().err == (f"hubspot-preflight: error: cannot write the report to "
                                       f"{tmp_path / 'nobody-reads'}: No such device or address\n")


def test_data_file_alone_finds_its_request_by_convention() -> None:
    result = run("check", str(EXAMPLES / "contacts" / "contacts.csv"))
    assert result.exit_code == 0, result.output
    two = run("check", str(EXAMPLES / "contacts-companies" / "companies.csv"))
    assert two.exit_code == 0, two.output


def test_file_option_supplies_a_file_from_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.csv").write_bytes((EXAMPLES / "contacts" / "contacts.csv").read_bytes())
    request = tmp_path / "r" / "contacts.import.json"
    request.parent.mkdir()
    request.write_bytes(CLEAN.read_bytes())
    assert run("check", str(request)).exit_code == 1  # contacts.csv is not beside it: FILE_NOT_FOUND
    ok = run("check", str(request), "--file", f"contacts.csv={tmp_path / 'elsewhere.csv'}")
    assert ok.exit_code == 0, ok.output


def test_a_data_file_or_file_option_the_request_does_not_name_is_a_refusal(tmp_path: Path) -> None:
    # both passed clean, checking the request's own contacts.csv (or none) instead of the file given
    export = tmp_path / "export-2026.csv"
    export.write_text("Emial\nnot-an-email\n")
    for args, first in (
        (["--request", str(CLEAN), str(export)], f"{export}: no files[] entry of {CLEAN} names 'export-2026.csv'"),
        ([str(CLEAN), "--file", f"contact.csv={export}"], f"--file contact.csv: no files[] entry of {CLEAN} "
                                                          "names 'contact.csv'"),
    ):
        proc = subprocess.run([sys.executable, "-m", "validator", "check", *args], capture_output=True, text=True,
                              cwd=ROOT, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith(f"hubspot-preflight: error: {first}") and proc.stderr.count("\n") == 1
        assert "(fileNames: contacts.csv)" in proc.stderr
    # a name that differs only in letter case is HS601's (a report), and a matching name is checked
    upper = tmp_path / "data" / "Contacts.csv"
    upper.parent.mkdir()
    upper.write_bytes((EXAMPLES / "contacts" / "contacts.csv").read_bytes())
    request = tmp_path / "contacts.import.json"
    request.write_bytes(CLEAN.read_bytes())
    near = run("check", "--request", str(request), str(upper), "--format", "json")
    assert [f["code"] for f in json.loads(near.output)["findings"]] == ["HS601"]


def test_a_data_file_finds_the_request_that_names_it_however_the_hook_passes_it(tmp_path: Path) -> None:
    # the hook (--ignore-unpaired) passed a broken import clean when the request wrote the name in
    # other letter case or normalisation, and took NAME.import.json even when it was no request or
    # named other files
    data = (EXAMPLES / "broken" / "contacts.csv").read_bytes()
    request = json.loads((EXAMPLES / "broken" / "contacts.import.json").read_text(encoding="utf-8"))
    cases = {"case": ("contacts.csv", "Contacts.csv", None),
             "nfd": ("cafe\u0301.csv", "caf\u00e9.csv", None),
             "notes": ("c.csv", "c.csv", '{"description": "notes about c.csv"}'),
             "other": ("c.csv", "c.csv", json.dumps({**request, "files": [{**request["files"][0],
                                                                         "fileName": "other.csv"}]}))}
    for folder, (on_disk, named, own) in cases.items():
        where = tmp_path / folder
        where.mkdir()
        (where / on_disk).write_bytes(data)
        entry = {**request["files"][0], "fileName": named}
        (where / "import.json").write_text(json.dumps({**request, "files": [entry]}), encoding="utf-8")
        if own is not None:
            (where / "c.import.json").write_text(own, encoding="utf-8")
            (where / "other.csv").write_bytes(b"Email\n")
        result = run("check", "--ignore-unpaired", str(where / on_disk), "--format", "json")
        assert result.exit_code == 1, (folder, result.output)
        found = json.loads(result.output)["findings"]
        assert ("HS110", 3, 4) in [(f["code"], f["row"], f["column"]) for f in found], folder
        assert ("HS601" in [f["code"] for f in found]) == (folder in ("case", "nfd")), folder


@pytest.mark.parametrize("name", ["importrequest.json", "ImportRequest.json", "Import.json", "REQUEST.JSON",
                                  "contacts.Import.json", "leads.IMPORT.JSON"])
def test_a_request_named_in_other_letter_case_is_found_as_the_hook_passes_it(tmp_path: Path, name: str) -> None:
    # the hook's pattern takes request names in any letter case, and the request so named was
    # checked, but a commit changing only its data file passed ("no importRequest names it") and
    # the folder's walk refused the folder (exit 2), though the request names the file
    data = tmp_path / "contacts.csv"
    data.write_bytes((EXAMPLES / "broken" / "contacts.csv").read_bytes())
    (tmp_path / name).write_bytes(BROKEN.read_bytes())
    (tmp_path / "Notes.JSON").write_text('{"not": "an import"}')  # no request, in any case
    for args in (["--ignore-unpaired", str(data)], [str(data)], [str(tmp_path)]):
        result = run("check", *args, "--format", "json")
        assert result.exit_code == 1, (args, result.output)
        found = json.loads(result.output)["findings"]
        assert ("HS110", 3, 4) in [(f["code"], f["row"], f["column"]) for f in found], args


def test_request_discovery_keeps_a_broken_own_request_and_an_exact_name_first(tmp_path: Path) -> None:
    # NAME.import.json with `file` for `files` was passed over (exit 2, or 0 in the hook) instead of
    # reporting HS003; a stray Contacts.csv beside the request's own contacts.csv was checked in its
    # place (a false HS601); --request R with no files list was refused instead of reporting HS003
    typo = tmp_path / "typo"
    typo.mkdir()
    (typo / "contacts.csv").write_text("Email\na@x.com\n")
    (typo / "contacts.import.json").write_text('{"name": "x", "file": [{"fileName": "contacts.csv"}]}')
    for args in ([str(typo / "contacts.csv")], ["--ignore-unpaired", str(typo / "contacts.csv"),
                                                 str(typo / "contacts.import.json")],
                 ["--request", str(typo / "contacts.import.json"), str(typo / "contacts.csv")]):
        result = run("check", *args, "--format", "json")
        assert result.exit_code == 1, (args, result.output)
        assert [(f["code"], f["pointer"]) for f in json.loads(result.output)["findings"]] == [
            ("HS003", "/files"), ("HS016", "/file")], args
    both = tmp_path / "both"
    both.mkdir()
    shutil.copy2(EXAMPLES / "contacts" / "contacts.csv", both / "contacts.csv")
    shutil.copy2(EXAMPLES / "contacts" / "contacts.import.json", both / "import.json")
    (both / "Contacts.csv").write_text("Email\nnot-an-email\n")
    if (both / "Contacts.csv").read_text() != (both / "contacts.csv").read_text():  # a case-sensitive file system
        stray = subprocess.run([sys.executable, "-m", "validator", "check", str(both / "Contacts.csv")],
                               capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert stray.returncode == 2 and "no importRequest found" in stray.stderr
        assert run("check", "--ignore-unpaired", str(both / "Contacts.csv")).exit_code == 0
        assert run("check", str(both / "import.json")).exit_code == 0  # its own contacts.csv, clean


@pytest.mark.parametrize("args", [
    ["check"],
    ["check", "no-such-request.json"],
    ["check", "--fail-on", "fatal", str(CLEAN)],
    ["check", "--select", "HS999", str(CLEAN)],
    ["check", "--file", "nonsense", str(CLEAN)],
    ["explain", "HS999"],
    ["check", "--format", "xml", str(CLEAN)],
])
def test_usage_errors_exit_two_with_one_line_and_no_traceback(args: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "validator", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip()


def test_data_file_without_request_is_a_refusal(tmp_path: Path) -> None:
    data = tmp_path / "lonely.csv"
    data.write_text("Email\na@x.com\n")
    proc = subprocess.run([sys.executable, "-m", "validator", "check", str(data)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "no importRequest found" in proc.stderr


def test_rules_lists_every_rule() -> None:
    out = run("rules").output.splitlines()
    assert len(out) == len(all_rules())
    assert out[0].startswith("HS001  request-not-json")
    rows = json.loads(run("rules", "--format", "json").output)
    assert {r["code"] for r in rows} == set(all_rules())
    hs110 = next(r for r in rows if r["code"] == "HS110")
    assert hs110 == {"code": "HS110", "name": "ragged-row", "severity": "error", "enabled": True,
                     "hubspot_error": "INCORRECT_NUMBER_OF_COLUMNS", "other_errors": [],
                     "severity_without_portal": None, "summary": "A row has more or fewer fields than the header."}
    assert {r["code"]: r["other_errors"] for r in rows if r["other_errors"]} == {
        "HS019": ["FILE_NOT_FOUND"], "HS201": ["INVALID_EVENT_TIMESTAMP"], "HS205": ["INVALID_NUMBER_SIZE"],
        "HS208": ["PROPERTY_VALUE_NOT_FOUND"], "HS210": ["PROPERTY_VALUE_NOT_FOUND"],
        "HS245": ["INVALID_DOMAIN"], "HS247": ["MULTIPLE_OWNERS_FOUND"], "HS302": ["DUPLICATE_UNIQUE_CREATION_KEY"]}
    assert {r["code"]: r["severity_without_portal"] for r in rows if r["severity_without_portal"]} == {
        "HS208": "warning", "HS235": "warning"}


@pytest.mark.parametrize("key", ["HS110", "ragged-row"])
def test_explain_prints_the_rule_page(key: str) -> None:
    result = run("explain", key)
    assert result.exit_code == 0
    text = result.output
    assert text.startswith("HS110 ragged-row\n\nA row has more or fewer fields than the header.")
    for part in ("Why:", "Example:", "Fix:", "HubSpot errorType: INCORRECT_NUMBER_OF_COLUMNS"):
        assert part in text


def test_explain_names_the_other_error_types_of_a_rule() -> None:
    assert "HubSpot errorType: COULD_NOT_PARSE_DATE (some findings: INVALID_EVENT_TIMESTAMP)\n" in run(
        "explain", "HS201").output


def test_console_script_and_module_agree() -> None:
    exe = Path(sys.executable).parent / "hubspot-preflight"
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    a = subprocess.run([str(exe), "check", str(BROKEN), "--format", "concise"], capture_output=True,
                       text=True, timeout=60, env={**os.environ})
    b = subprocess.run([sys.executable, "-m", "validator", "check", str(BROKEN), "--format", "concise"],
                       capture_output=True, text=True, timeout=60)
    assert a.returncode == b.returncode == 1
    assert a.stdout == b.stdout


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_process_entry_flushes_everything_before_leaving(fmt: str, tmp_path: Path) -> None:
    """``python -m validator`` leaves with os._exit after the check: the whole report must be out,
    and the exit code the same as ``main`` gives (1: findings at or above --fail-on)."""
    req = EXAMPLES / "broken" / "contacts.import.json"
    proc = subprocess.run([sys.executable, "-m", "validator", "check", str(req), "--format", fmt],
                          capture_output=True, timeout=120)
    in_process = CliRunner().invoke(cli, ["check", str(req), "--format", fmt])
    assert proc.returncode == in_process.exit_code == 1

    def timeless(text: str) -> str:
        return re.sub(r'("seconds": )[0-9.e-]+|(in )[0-9.]+( s)', r"\1\2\3", text)
    assert timeless(proc.stdout.decode()) == timeless(in_process.output)
    if fmt == "json":
        assert json.loads(proc.stdout)["findings"]


def test_process_entry_exit_codes(tmp_path: Path) -> None:
    usage = subprocess.run([sys.executable, "-m", "validator", "check", str(tmp_path / "missing.json")],
                           capture_output=True, timeout=120)
    assert usage.returncode == 2 and usage.stderr.startswith(b"hubspot-preflight: error:")
    clean = subprocess.run([sys.executable, "-m", "validator", "check",
                            str(EXAMPLES / "contacts" / "contacts.import.json")], capture_output=True, timeout=120)
    assert clean.returncode == 0 and b"Found 0 errors" in clean.stdout


def test_main_in_process_leaves_the_cycle_collector_as_it_found_it() -> None:
    import gc

    from validator.cli import main

    assert gc.isenabled() and gc.get_freeze_count() == 0
    with pytest.raises(SystemExit) as exit_:
        main(["check", str(ROOT / "fixtures" / "examples" / "broken" / "contacts.import.json"), "-q"])
    assert exit_.value.code == 1
    assert gc.isenabled() and gc.get_freeze_count() == 0


def _env_after(code: str, env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "JE_ARROW_MALLOC_CONF"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**clean, **env})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def test_allocator_settings_set_arrows_jemalloc_before_pyarrow_loads_unless_told_otherwise() -> None:
    """Arrow's jemalloc reads JE_ARROW_MALLOC_CONF once, when pyarrow loads: the settings set it
    first (one arena, no muzzy pages), keep a value the environment gives, and leave it alone
    once pyarrow is loaded."""
    from validator.cli import ALLOCATOR_ENV

    code = ("import os, sys\nfrom validator import cli\ncli._allocator_settings()\n"
            "print('pyarrow' in sys.modules, os.environ.get('JE_ARROW_MALLOC_CONF'))")
    conf = ALLOCATOR_ENV["JE_ARROW_MALLOC_CONF"]
    assert conf == "narenas:1,muzzy_decay_ms:0"
    assert _env_after(code, {}) == f"False {conf}"
    assert _env_after(code, {"JE_ARROW_MALLOC_CONF": "narenas:2"}) == "False narenas:2"
    assert _env_after("import pyarrow\n" + code, {}) == "True None"


def test_the_process_entry_sets_the_allocators_first_and_main_leaves_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from validator import cli

    calls: list[object] = []
    monkeypatch.setattr(cli, "_allocator_settings", lambda: calls.append("allocators"))
    monkeypatch.setattr(cli, "main", lambda: calls.append("main"))
    monkeypatch.setattr(cli.os, "_exit", calls.append)
    cli.run()
    assert calls == ["allocators", "main", 0]
    calls.clear()
    monkeypatch.undo()
    monkeypatch.setattr(cli, "_allocator_settings", lambda: calls.append("allocators"))
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert calls == []


def test_allocator_settings_fix_glibcs_thresholds_unless_the_environment_tunes_malloc(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes

    from validator import cli

    calls: list[tuple[int, int]] = []

    class Libc:
        def mallopt(self, option: int, value: int) -> int:
            calls.append((option, value))
            return 1

    monkeypatch.setattr(ctypes, "CDLL", lambda name: Libc())
    monkeypatch.setattr(cli.sys, "platform", "linux")
    for name in [n for n in os.environ if n.startswith("MALLOC_")]:
        monkeypatch.delenv(name)
    cli._allocator_settings()
    assert calls == [(-3, 64 << 20), (-1, 256 << 20)]  # M_MMAP_THRESHOLD, M_TRIM_THRESHOLD
    calls.clear()
    monkeypatch.setenv("MALLOC_ARENA_MAX", "2")
    cli._allocator_settings()
    assert calls == []


def test_a_folder_checks_every_import_request_in_it_and_below(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(EXAMPLES / "contacts", tmp_path / "imports" / "contacts")
    shutil.copytree(EXAMPLES / "broken", tmp_path / "imports" / "nested" / "broken")
    shutil.copytree(EXAMPLES / "deals", tmp_path / "imports" / ".hidden" / "deals")  # not entered
    shutil.copytree(EXAMPLES / "deals", tmp_path / "imports" / "node_modules" / "deals")  # nor this
    (tmp_path / "imports" / "request.json").write_text('{"not": "an import"}')  # not one: skipped
    out = json.loads(run("check", str(tmp_path / "imports"), "--format", "json").output)
    # the two requests (the broken one names its file with a path, as HS013 reports)
    assert sorted(f["name"] for f in out["files"]) == ["contacts.csv", "exports/contacts.csv"]
    hs110 = [(f["path"], f["row"]) for f in out["findings"] if f["code"] == "HS110"]
    assert hs110 == [(str(tmp_path / "imports" / "nested" / "broken" / "contacts.csv"), row) for row in (3, 6)]
    (tmp_path / "empty").mkdir()
    from validator.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["check", str(tmp_path / "empty")])
    assert exc.value.code == 2
    run("check", str(tmp_path / "empty"), "--ignore-unpaired")  # (pre-commit: nothing to do is fine)


def test_a_file_read_from_stdin(tmp_path: Path) -> None:
    # --file NAME=-: a data file from a pipe (copied to a temporary file, so that the readers can
    # look at its first bytes), named in findings by its fileName, the same findings as from disk
    data = (EXAMPLES / "broken" / "contacts.csv").read_bytes()
    piped = CliRunner().invoke(cli, ["check", str(BROKEN), "--format", "json", "--file", "exports/contacts.csv=-"],
                               input=data, catch_exceptions=False)
    on_disk = run("check", str(BROKEN), "--format", "json")
    assert piped.exit_code == on_disk.exit_code == 1

    def rows(out: str) -> list[tuple]:
        return [(f["code"], f["file"], f["row"], f["column"], f["message"]) for f in json.loads(out)["findings"]
                if f["row"] is not None]
    assert rows(piped.output) == rows(on_disk.output) and ("HS110", "exports/contacts.csv", 3, 4) in [
        r[:4] for r in rows(piped.output)]
    from validator.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["check", str(BROKEN), "--file", "a.csv=-", "--file", "b.csv=-"])
    assert exc.value.code == 2
    closed = subprocess.run([sys.executable, "-m", "validator", "check", str(BROKEN), "--file",
                             "exports/contacts.csv=-"], stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, cwd=ROOT, preexec_fn=lambda: os.close(0))
    assert (closed.returncode, closed.stderr) == (
        2, "hubspot-preflight: error: --file NAME=- reads standard input, which is closed\n")


def test_standard_input_past_hubspots_file_limit_is_refused_not_copied_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    # `--file x.csv=- < /dev/zero` copied without end into a temporary file until the disk was full
    import io

    import validator.cli_inputs as cli_module  # (where _spooled_stdin looks its limit up)

    monkeypatch.setattr(cli_module, "STDIN_LIMIT", 1 << 20)
    endless = type("Endless", (io.RawIOBase,), {"readable": lambda self: True,
                                                "readinto": lambda self, b: len(b)})()
    monkeypatch.setattr(sys, "stdin", type("Stdin", (), {"buffer": io.BufferedReader(endless)})())
    from validator.findings import ValidatorError

    with pytest.raises(ValidatorError) as err:
        cli_module._spooled_stdin()
    assert str(err.value) == "standard input is larger than 1 MB, the most HubSpot takes in a file: split it by rows"
    monkeypatch.setattr(sys, "stdin", type("Stdin", (), {"buffer": io.BytesIO(b"x" * (1 << 20))})())
    spool = cli_module._spooled_stdin()  # the limit itself is taken
    assert len(spool.read()) == 1 << 20
    spool.close()


@pytest.mark.parametrize(("closed", "request_path", "code"), [(2, CLEAN, 0), (2, BROKEN, 1), (1, CLEAN, 0)])
def test_a_closed_standard_stream_leaves_the_exit_code_to_the_findings(closed: int, request_path: Path,
                                                                       code: int) -> None:
    # started with stderr (or stdout) closed, as `2>&-` does: Python has no sys.stderr then, and
    # the progress-bar test and the final flush raised AttributeError (exit 1 or 2 for a clean file)
    done = subprocess.run([sys.executable, "-m", "validator", "check", str(request_path)], cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=lambda: os.close(closed))
    assert done.returncode == code


def test_stdin_that_cannot_be_copied_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import io
    import tempfile

    from validator.cli import main

    def full(*_args: object, **_kw: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Email\n")))
    with pytest.raises(SystemExit) as exc:
        main(["check", str(BROKEN), "--file", "exports/contacts.csv=-"])
    assert exc.value.code == 2
    assert capsys.readouterr().err == ("hubspot-preflight: error: cannot copy standard input to a temporary "
                                       "file: No space left on device\n")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_settings_and_baselines_that_are_fifos_or_devices_never_hang(tmp_path: Path) -> None:
    # a FIFO nobody writes to used to block the open for ever (--config, --baseline, a portal
    # snapshot file); now it reads as empty. A device is refused. A pipe still works (--config <(...)).
    os.mkfifo(tmp_path / "settings.toml")
    os.mkfifo(tmp_path / "baseline.json")

    def check(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "validator", "check", str(CLEAN), *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)

    assert check("--config", str(tmp_path / "settings.toml")).returncode == 0  # empty: the defaults
    empty = check("--baseline", str(tmp_path / "baseline.json"))
    assert (empty.returncode, empty.stderr) == (
        2, f"hubspot-preflight: error: baseline {tmp_path / 'baseline.json'} is not valid JSON: "
           "Expecting value: line 1 column 1 (char 0)\n")
    for option, what in (("--config", "configuration"), ("--baseline", "baseline")):
        device = check(option, "/dev/zero")
        assert (device.returncode, device.stderr) == (
            2, f"hubspot-preflight: error: cannot read {what}: /dev/zero is not a regular file or a pipe\n")
    read, write = os.pipe()
    os.write(write, b'[tool.hubspot-preflight]\nselect = ["HS110"]\n')
    os.close(write)
    try:
        piped = subprocess.run([sys.executable, "-m", "validator", "check", str(BROKEN), "--config",
                                f"/dev/fd/{read}", "--format", "json"], cwd=ROOT, capture_output=True,
                               text=True, timeout=60, pass_fds=(read,))
    finally:
        os.close(read)
    assert {f["code"] for f in json.loads(piped.stdout)["findings"]} == {"HS110"}


def test_a_baseline_nested_too_deeply_or_with_a_number_too_long_is_refused_naming_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a baseline of 100,000 nested lists was a RecursionError out of validate() (and, in the
    # CLI, "input nested too deeply to check", naming no file); one with a 5,000-digit number
    # was "not valid JSON" with Python's advice to call sys.set_int_max_str_digits()
    from validator import Config, validate
    from validator.cli import main
    from validator.findings import ValidatorError

    deep, long = tmp_path / "deep.json", tmp_path / "long.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    long.write_text('{"version": ' + "9" * 5000 + ', "entries": []}', encoding="utf-8")
    for path, said in ((deep, f"baseline {deep} is nested too deeply"),
                       (long, f"baseline {long} is not valid JSON: a number of 5,000 digits is too long to read")):
        with pytest.raises(ValidatorError) as info:
            validate(CLEAN, config=Config(baseline=path))
        assert str(info.value) == said
        with pytest.raises(SystemExit) as exc:
            main(["check", str(CLEAN), "--baseline", str(path)])
        assert (exc.value.code, capsys.readouterr().err) == (2, f"hubspot-preflight: error: {said}\n")


def test_a_request_that_names_no_file_is_reported_not_the_file_given_with_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # with an empty files list (or entries without a fileName) the CLI refused --file or a data
    # file (exit 2: "no files[] entry ... names 'contacts.csv' (fileNames: none)") where the
    # library reports the request's own problem; a request with no files list was reported
    from validator.cli import main

    monkeypatch.chdir(tmp_path)
    Path("data.csv").write_text("Email\nann@example.com\n", encoding="utf-8")
    cases = {"empty.import.json": ({"name": "x", "files": []},
                                   ["empty.import.json:/files: HS003 [error] request has an empty 'files' list"]),
             "unnamed.import.json": ({"name": "x", "files": [{"fileFormat": "CSV"}]},
                                     ["unnamed.import.json:/files/0/fileImportPage: HS004 [error] files[] entry has "
                                      "no fileImportPage.columnMappings",
                                      "unnamed.import.json:/files/0/fileName: HS019 [error] files[] entry has no "
                                      "fileName"])}
    for name, (request, expected) in cases.items():
        Path(name).write_text(json.dumps(request), encoding="utf-8")
        for args in (["--file", "contacts.csv=data.csv"], ["--request", name, "data.csv"]):
            with pytest.raises(SystemExit) as done:
                main(["check", name, *args, "--format", "concise"])
            out, err = capsys.readouterr()
            assert (done.value.code, out.splitlines(), err) == (1, expected, ""), (name, args)
