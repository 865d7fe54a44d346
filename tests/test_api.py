"""The library call: request as path, bytes or dict; files as paths or binary objects."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from validator import Config, Report, Severity, ValidatorError, render, validate

EXAMPLES = ROOT / "fixtures" / "examples"


def locations(report: Report) -> list[tuple[str | None, int | None, int | None, str]]:
    return [(f.file, f.row, f.column, f.code) for f in report.findings]


def test_path_dict_and_bytes_give_the_same_findings() -> None:
    request = EXAMPLES / "broken" / "contacts.import.json"
    by_path = validate(request)
    data = request.read_bytes()
    by_bytes = validate(data, base_dir=request.parent, request_name=request.name)
    by_dict = validate(json.loads(data), base_dir=request.parent, request_name=request.name)
    assert locations(by_path) == locations(by_bytes) == locations(by_dict)
    assert by_path.exit_code() == 1 and not by_path.ok


def test_files_as_binary_objects() -> None:
    folder = EXAMPLES / "contacts-companies"
    request = json.loads((folder / "import.json").read_text())
    files = {name: io.BytesIO((folder / name).read_bytes()) for name in ("contacts.csv", "companies.csv")}
    report = validate(request, files=files, base_dir="/nonexistent")
    assert report.findings == [] and report.ok
    assert report.rows == sum(1 for _ in (folder / "contacts.csv").open()) - 1 + \
        sum(1 for _ in (folder / "companies.csv").open()) - 1
    assert not any(f.closed for f in files.values())  # the caller's objects stay open


def test_an_open_file_takes_the_fast_path_as_its_path_does(tmp_path: Path) -> None:
    # a caller's open() of a regular file, read from its start, has a known size: over 1 MiB it is
    # read by the fast CSV path (it used to go to the exact reader, several times slower); an
    # in-memory stream still goes to the exact reader, with the same findings
    rows = "".join(f"u{i}@x.com,Ann,Berlin\n" for i in range(60_000))
    data = ("Email,First Name,City\n" + rows + "bad,Bo,Oslo,extra\nnot an email,Cy,Rome\n").encode()
    path = tmp_path / "contacts.csv"
    path.write_bytes(data)
    request = {"name": "t", "files": [{"fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": n, "propertyName": p}
            for n, p in (("Email", "email"), ("First Name", "firstname"), ("City", "city"))]}}]}
    by_path = validate(request, files={"contacts.csv": path}, base_dir="/nonexistent")
    with open(path, "rb") as fh:
        by_handle = validate(request, files={"contacts.csv": fh}, base_dir="/nonexistent")
        assert not fh.closed  # the caller's to close
    in_memory = validate(request, files={"contacts.csv": io.BytesIO(data)}, base_dir="/nonexistent")
    assert [s.reader for s in (*by_path.files, *by_handle.files, *in_memory.files)] == ["fast", "fast", "exact"]
    assert locations(by_path) == locations(by_handle) == locations(in_memory)
    assert ("contacts.csv", 60_002, 4, "HS110") in locations(by_handle)
    assert ("contacts.csv", 60_003, 1, "HS212") in locations(by_handle)
    with open(path, "rb") as fh:  # a handle already past its start is read from there, as before
        fh.readline()
        moved = validate(request, files={"contacts.csv": fh}, base_dir="/nonexistent")
    assert [s.reader for s in moved.files] == ["exact"]


def test_misuse_is_a_validator_error_naming_it(tmp_path: Path) -> None:
    # these ended in TypeError / AttributeError deep in a check, or (a string for files) in a
    # wrong report
    import pandas as pd

    folder = EXAMPLES / "broken"
    request = json.loads((folder / "contacts.import.json").read_text())
    data = folder / "contacts.csv"
    with data.open() as text_mode:
        cases = {
            "is open in text mode; open it with 'rb'": dict(files={"contacts.csv": text_mode}),
            "must be a path, bytes, a binary file object or a pandas DataFrame, not Series":
                dict(files={"contacts.csv": pd.Series(["a@x.com"])}),
            "files must be a mapping of fileName": dict(files=str(data)),
            "config must be a validator.Config, not dict": dict(config={"max_per_rule": 5}),
            "Config.max_per_rule must be a whole number >= 0, not '5'": dict(config=Config(max_per_rule="5")),
            "Config.tier must be one of 'paid', 'free', not 'enterprise'": dict(config=Config(tier="enterprise")),
            "Config.reader must be one of": dict(config=Config(reader="bogus")),
            "Config.portal must be a folder path or a loaded Portal, not 5": dict(config=Config(portal=5)),
        }
        for message, kwargs in cases.items():
            with pytest.raises(ValidatorError, match=re.escape(message)):
                validate(request, base_dir=folder, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValidatorError, match=re.escape("Config.severity must map rule codes")):
        Config(severity={"HS113": 3})  # type: ignore[dict-item]
    # a zip member is a binary stream whose mode reads 'r': taken, not called text mode
    import zipfile

    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(data, "contacts.csv")
    with zipfile.ZipFile(archive) as zf, zf.open("contacts.csv") as member:
        zipped = validate(request, files={"contacts.csv": member}, base_dir="/nonexistent",
                          request_name="contacts.import.json")
    assert locations(zipped) == locations(validate(folder / "contacts.import.json"))
    # bytes for a file, a severity as text, and a key that is no string (sent as JSON: "1")
    as_bytes = validate(request, files={"contacts.csv": data.read_bytes()}, base_dir="/nonexistent",
                        request_name="contacts.import.json")
    assert locations(as_bytes) == locations(validate(folder / "contacts.import.json"))
    stern = validate(folder / "contacts.import.json", config=Config(severity={"HS113": "error"}))
    assert (stern.errors, stern.warnings, stern.exit_code()) == (11, 2, 1)
    odd = validate({**request, "importOperations": {1: "CREATE"}}, base_dir=folder)
    assert [(f.code, f.pointer) for f in odd.findings if f.pointer and "importOperations" in f.pointer] == [
        ("HS021", "/importOperations/1"), ("HS024", "/importOperations")]


@pytest.mark.parametrize("opener", ["gzip", "bz2", "lzma"])
def test_a_compressed_file_object_is_read_whole(tmp_path: Path, opener: str) -> None:
    # its descriptor is the compressed file's: the size taken from it cut the data short (a
    # spurious HS110 "row has 1 field" where the bytes ran out)
    import importlib

    folder = EXAMPLES / "contacts"
    request = json.loads((folder / "contacts.import.json").read_text(encoding="utf-8"))
    header, *rows = (folder / "contacts.csv").read_text(encoding="utf-8").splitlines()
    text = header + "\n" + "\n".join(rows * 3000) + "\n"  # over 1 MiB: the size would choose the fast path
    (tmp_path / "plain.csv").write_text(text, encoding="utf-8")
    module = importlib.import_module(opener)
    with module.open(tmp_path / "packed", "wt", encoding="utf-8") as fh:
        fh.write(text)
    plain = validate(request, files={"contacts.csv": str(tmp_path / "plain.csv")}, base_dir="/nonexistent")
    with module.open(tmp_path / "packed", "rb") as fh:
        packed = validate(request, files={"contacts.csv": fh}, base_dir="/nonexistent")
    assert packed.rows == plain.rows > 10_000
    assert locations(packed) == locations(plain)


def test_files_as_a_list_of_paths() -> None:
    folder = EXAMPLES / "contacts"
    report = validate(json.loads((folder / "contacts.import.json").read_text()),
                      files=[folder / "contacts.csv"], base_dir="/nonexistent")
    assert report.ok, locations(report)


def test_missing_request_file_raises_validator_error(tmp_path: Path) -> None:
    with pytest.raises(ValidatorError):
        validate(tmp_path / "nope.json")


def test_config_selects_rules() -> None:
    report = validate(EXAMPLES / "broken" / "contacts.import.json", config=Config(select=("HS110",)))
    assert locations(report) == [("exports/contacts.csv", 3, 4, "HS110"), ("exports/contacts.csv", 6, 5, "HS110")]


def test_report_to_dict_is_json_ready() -> None:
    report = validate(EXAMPLES / "broken" / "contacts.import.json")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["summary"]["errors"] == 10


def test_validate_never_prints(capsys: pytest.CaptureFixture[str]) -> None:
    validate(EXAMPLES / "broken" / "contacts.import.json")
    assert capsys.readouterr() == ("", "")


def _fingerprint(folder: Path) -> dict[str, tuple[str, int, int]]:
    out = {}
    for p in sorted(folder.iterdir()):
        st = p.stat()
        out[p.name] = (hashlib.sha256(p.read_bytes()).hexdigest(), st.st_size, st.st_mtime_ns)
    return out


def test_hand_made_import_every_problem_at_its_place(tmp_path: Path) -> None:
    """A new user's import: BOM, mis-ordered mappings, duplicate header, quoted newline,
    ragged row, and a fileName with a path."""
    csv = ("\ufeffEmail,First Name,Last Name,Email,Notes\r\n"
           "ann@example.com,Ann,Lee,ann2@example.com,\"line one\r\nline two\"\r\n"
           "bo@example.com,Bo,Chen,bo2@example.com\r\n"
           "cy@example.com,Cy,Ng,cy2@example.com,ok\r\n")
    (tmp_path / "people.csv").write_bytes(csv.encode("utf-8"))
    mappings = [
        {"columnObjectTypeId": "0-1", "columnName": "First Name", "propertyName": "firstname"},
        {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
        {"columnObjectTypeId": "0-1", "columnName": "Last Name", "propertyName": "lastname"},
        {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "work_email"},
        {"columnObjectTypeId": "0-1", "columnName": "Notes", "propertyName": "notes"},
    ]
    request = {"name": "people", "files": [{"fileName": "exports/people.csv", "fileFormat": "CSV",
               "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}
    (tmp_path / "people.import.json").write_text(json.dumps(request))
    before = _fingerprint(tmp_path)
    report = validate(tmp_path / "people.import.json")
    assert _fingerprint(tmp_path) == before
    got = {(f.code, f.row, f.column, f.pointer) for f in report.findings}
    assert ("HS110", 3, 5, None) in got  # ragged row: the 5th field is missing
    assert ("HS104", 1, 4, None) in got  # second Email
    assert ("HS102", 1, 1, "/files/0/fileImportPage/columnMappings/1") in got  # Email is column 1
    assert ("HS401", 1, 1, None) in got  # BOM before the first header
    assert ("HS013", None, None, "/files/0/fileName") in got
    assert not any(f.row == 2 for f in report.findings)  # the quoted newline is valid
    assert report.exit_code() == 1


def test_same_result_whatever_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    request = EXAMPLES / "broken" / "contacts.import.json"
    a = locations(validate(request))
    monkeypatch.chdir(tmp_path)
    b = locations(validate(request))
    assert a == b


def test_open_handles_are_closed(tmp_path: Path) -> None:
    if not Path("/proc/self/fd").exists():
        pytest.skip("needs /proc")
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        validate(EXAMPLES / "contacts-companies" / "import.json")
        validate(EXAMPLES / "broken" / "contacts.import.json")
    assert len(os.listdir("/proc/self/fd")) <= before


# c.csv: Email and Name, mapped to email and firstname (the cap tests' request)
EMAIL_NAME = {"name": "r", "importOperations": {"0-1": "CREATE"}, "files": [{
    "fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
        {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
        {"columnObjectTypeId": "0-1", "columnName": "Name", "propertyName": "firstname"}]}}]}


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_ragged_rows_become_findings_only_as_far_as_the_cap_keeps_them(reader: str, monkeypatch) -> None:
    from validator.checks.rows import RaggedRow

    made: list[int] = []
    real = RaggedRow._finding
    monkeypatch.setattr(RaggedRow, "_finding",
                        lambda self, n, file, *rest: made.append(n.row) or real(self, n, file, *rest))
    data = b"Email,Name\n" + b"".join(b"u%d@x.com,Ann,%d\n" % (i, i) for i in range(3000))
    report = validate(EMAIL_NAME, files={"c.csv": io.BytesIO(data)},
                      config=Config(reader=reader, max_per_rule=5, chunk_rows=700))
    ragged = [f for f in report.findings if f.code == "HS110"]
    assert [(f.row, f.column, f.message) for f in ragged] == [
        (r, 3, "row has 3 fields, more than the header's 2") for r in range(2, 7)]
    assert report.counts["HS110"] == 3000 and report.suppressed["HS110"] == 2995
    assert len(made) <= 5 * 5  # at most the cap per chunk: never one per ragged row


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_bad_cells_are_read_only_as_far_as_the_cap_keeps_their_findings(reader: str, monkeypatch) -> None:
    # a column wrong on every row made every bad cell a Python string, for findings counted, not
    # listed (~4 ms a chunk for 17,000 cells of notes): the cells are read as findings are made
    from validator.checks.base import Cells

    read: list[int] = []
    real = Cells.__getitem__
    monkeypatch.setattr(Cells, "__getitem__", lambda self, i: read.append(i) or real(self, i))
    data = b"Email,Name\n" + b"".join(b"u%d@x.com, Ann %d\n" % (i, i) for i in range(3000))
    report = validate(EMAIL_NAME, files={"c.csv": io.BytesIO(data)},
                      config=Config(reader=reader, max_per_rule=5, chunk_rows=700, select=("HS409",)))
    assert [(f.row, f.column, f.code, f.value) for f in report.findings] == [
        (r, 2, "HS409", f" Ann {r - 2}") for r in range(2, 7)]
    assert report.counts["HS409"] == 3000 and report.suppressed["HS409"] == 2995
    assert len(read) == 5  # the five listed: none of the 2,995 counted


CONTACTS = EXAMPLES / "contacts"


def _contacts_request() -> dict:
    return json.loads((CONTACTS / "contacts.import.json").read_text(encoding="utf-8"))


def _misuse(message: str, request: object, **kwargs: object) -> None:
    with pytest.raises(ValidatorError) as caught:
        validate(request, **kwargs)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_a_given_file_the_request_does_not_name_is_refused_as_the_cli_refuses_it(tmp_path: Path) -> None:
    # the file was dropped without a word and the request's own contacts.csv (or none: HS011) checked
    export = tmp_path / "export-2026.csv"
    export.write_text("Emial\nnot-an-email\n")
    path = CONTACTS / "contacts.import.json"
    _misuse("files['contact.csv']: no files[] entry of contacts.import.json names 'contact.csv' "
            "(fileNames: contacts.csv)", path, files={"contact.csv": export})
    _misuse("files['contact.csv']: no files[] entry of the request names 'contact.csv' (fileNames: contacts.csv)",
            _contacts_request(), files={"contact.csv": io.BytesIO(b"Email\n")}, base_dir=CONTACTS)
    _misuse(f"{export}: no files[] entry of contacts.import.json names 'export-2026.csv' (fileNames: contacts.csv)",
            path, files=[export])
    _misuse("files keys must be fileNames (strings), not int", path, files={1: export})
    # names match as the CLI matches them: by base name, then NFC and letter case (HS601 reports those)
    clean = CONTACTS / "contacts.csv"
    assert validate(path, files={"exports/contacts.csv": clean}, base_dir="/nonexistent").findings == []
    assert [f.code for f in validate(path, files={"CONTACTS.csv": clean}, base_dir=tmp_path).findings] == ["HS601"]
    nfc = {**_contacts_request(), "files": [{**_contacts_request()["files"][0], "fileName": "caf\u00e9.csv"}]}
    near = validate(nfc, files={"cafe\u0301.csv": clean}, base_dir=tmp_path)
    assert [(f.code, f.message) for f in near.findings] == [
        ("HS601", "fileName 'caf\u00e9.csv' matches the file 'cafe\u0301.csv' only when Unicode normalisation "
                  "(NFC/NFD) is ignored; HubSpot matches file names exactly")]
    # a request that names no file (not JSON: HS001; no or an empty files list: HS003) is reported instead
    assert [f.code for f in validate(b"{", files={"contact.csv": export}).findings] == ["HS001"]
    for broken in ({"name": "x"}, {**_contacts_request(), "files": []}):
        report = validate(broken, files={"contact.csv": export})
        assert [(f.code, f.message) for f in report.findings if f.code == "HS003"] == [
            ("HS003", "request has no 'files' list" if "files" not in broken else "request has an empty 'files' list")]


def test_two_files_given_for_one_fileName_are_refused(tmp_path: Path) -> None:
    # one of them went unchecked without a word: the last of a list, the one a path's base name
    # matched, or a name in other letter case where the request's own spelling lies beside it
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    good, bad = tmp_path / "a" / "contacts.csv", tmp_path / "b" / "contacts.csv"
    good.write_bytes((CONTACTS / "contacts.csv").read_bytes())
    bad.write_text("Emial\nnot-an-email\n")
    path = CONTACTS / "contacts.import.json"
    _misuse(f"files lists two files named 'contacts.csv' ({bad}, {good}); give one file per fileName",
            path, files=[bad, good])
    _misuse("files['x/contacts.csv']: the files[] entry 'contacts.csv' of contacts.import.json is read from "
            "files['contacts.csv'], not from this file; give one file per fileName",
            path, files={"contacts.csv": good, "x/contacts.csv": bad})
    _misuse(f"files['Contacts.csv']: the files[] entry 'contacts.csv' of contacts.import.json is read from "
            f"{CONTACTS / 'contacts.csv'}, not from this file; give one file per fileName",
            path, files={"Contacts.csv": bad})
    _misuse(f"files['CONTACTS.csv']: the files[] entry 'contacts.csv' of the request is read from "
            f"{tmp_path / 'contacts.csv'}, not from this file; give one file per fileName",
            _contacts_request(), files={"CONTACTS.csv": bad, "Contacts.csv": bad}, base_dir=tmp_path)
    # where both spellings are one file (a file system that ignores case; a hard link stands in), it is read
    os.link(good, tmp_path / "a" / "Contacts.csv")
    same = validate(_contacts_request(), files={"Contacts.csv": tmp_path / "a" / "Contacts.csv"},
                    base_dir=tmp_path / "a")
    assert same.findings == [] and [s.name for s in same.files] == ["contacts.csv"]


def test_the_cli_gives_each_request_only_the_files_it_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # --file is meant for one request of several: the library must not see it as another's stray
    from validator.cli import main

    for name in ("a", "b"):
        (tmp_path / f"{name}.csv").write_bytes((CONTACTS / "contacts.csv").read_bytes())
        request = _contacts_request()
        request["files"][0]["fileName"] = f"{name}.csv"
        (tmp_path / f"{name}.import.json").write_text(json.dumps(request), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text("Emial\nnot-an-email\n")
    with pytest.raises(SystemExit) as done:
        main(["check", str(tmp_path), "--file", f"a.csv={elsewhere}", "--format", "concise"])
    assert done.value.code == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" ", 2)[1] for line in lines] == ["HS101", *["HS103"] * 6, "HS212"]
    assert all(line.startswith(f"{elsewhere}:") for line in lines)  # read for a.csv; b.import.json clean
    beside = tmp_path / "data" / "Contacts.csv"
    beside.parent.mkdir()
    beside.write_text("Emial\nnot-an-email\n")
    with pytest.raises(SystemExit) as done:
        main(["check", "--request", str(tmp_path / "a.import.json"), str(tmp_path / "a.csv"), str(beside)])
    assert done.value.code == 2


def test_misused_arguments_name_the_problem(tmp_path: Path) -> None:
    # JSON text for the request read as a file name ('File name too long'), an empty path read as
    # the current folder, and a wrong base_dir, request_name or stream ended in TypeError or
    # ValueError deep in the check, or in a report naming 5 as its file
    import tempfile

    path = CONTACTS / "contacts.import.json"
    text = path.read_text(encoding="utf-8")
    _misuse("request is JSON text, not a path: pass it as bytes (text.encode()) or as a mapping (json.loads(text))",
            text)
    _misuse("request is an empty path", "")
    _misuse("base_dir must be a folder path, not int", _contacts_request(), base_dir=5)
    _misuse("request_name must be a string, not int", _contacts_request(), base_dir=CONTACTS, request_name=5)
    _misuse("the file for 'contacts.csv' is an empty path", path, files={"contacts.csv": ""})
    data = (CONTACTS / "contacts.csv").read_text(encoding="utf-8")
    with tempfile.NamedTemporaryFile("w+", encoding="utf-8") as text_mode:  # no io.TextIOBase
        text_mode.write(data)
        text_mode.seek(0)
        _misuse("the file for 'contacts.csv' is open in text mode; open it with 'rb'", path,
                files={"contacts.csv": text_mode})
        assert text_mode.read() == data  # nothing was read
    with open(CONTACTS / "contacts.csv", "rb") as fh:
        pass
    _misuse("the file for 'contacts.csv' is closed", path, files={"contacts.csv": fh})
    with open(tmp_path / "out.csv", "wb") as write_only:
        _misuse("the file for 'contacts.csv' is not open for reading", path, files={"contacts.csv": write_only})

    class NoSize:
        def read(self) -> bytes:
            return data.encode()
    _misuse("the file for 'contacts.csv' has a read() that takes no size; pass a binary file object or the bytes",
            path, files={"contacts.csv": NoSize()})
    # a path that starts with a brace is still a path
    odd = tmp_path / "{x}.json"
    odd.write_text(text, encoding="utf-8")
    (tmp_path / "contacts.csv").write_bytes((CONTACTS / "contacts.csv").read_bytes())
    assert validate(odd).findings == []


def test_config_takes_what_the_settings_file_takes(tmp_path: Path) -> None:
    # a string for select or ignore was read letter by letter ("unknown rule code or name 'S'");
    # a rule name or prefix as a severity or options key was an "unknown rule code", though the
    # settings file takes both; options, per_file_ignores, baseline or progress of the wrong type
    # ended in TypeError or AttributeError deep in the check; fail_on, redact, exit_zero and
    # output_format of any value were taken without a word
    from validator.settings import from_table

    broken = EXAMPLES / "broken" / "contacts.import.json"
    table = {"select": "HS1,HS2", "ignore": "HS113", "severity": {"ragged-row": "info", "HS2": "warning"},
             "per-file-ignores": {"*.csv": "HS111"}, "options": {"HS6": {"max_chars": 100}}}
    from_file = validate(broken, config=from_table(table))
    given = Config(select="HS1,HS2", ignore="HS113", severity={"ragged-row": "info", "HS2": Severity.WARNING},
                   per_file_ignores={"*.csv": "HS111"}, options={"HS6": {"max_chars": 100}})
    report = validate(broken, config=given)
    assert locations(report) == locations(from_file) and report.severities == from_file.severities
    assert {f.code for f in report.findings} == {"HS101", "HS102", "HS103", "HS110", "HS112"}
    assert (report.severities["HS110"], report.severities["HS201"]) == (Severity.INFO, Severity.WARNING)
    built: dict[str, dict[str, Any]] = {  # (settings naming rules are refused as the Config is built)
        "Config.select must be rule codes, prefixes or names, not 5": dict(select=5),
        "Config.ignore must be rule codes, prefixes or names, not [3]": dict(ignore=[3]),
        "Config.severity: unknown rule code or name 'HS999'": dict(severity={"HS999": "error"}),
        "Config.options: unknown rule code or name 'bogus'": dict(options={"bogus": {}}),
        "Config.options['HS603'] must map option names to values, not 5": dict(options={"HS603": 5}),
        # (no rule checked, and a broken import passed, as `--select ""` before it was refused)
        "Config.select names no rule: give codes, prefixes, names or ALL (ignore=[\"ALL\"] checks nothing)":
            dict(select=[""]),
        "Config.per_file_ignores must map globs to rules, not list": dict(per_file_ignores=["x"]),
    }
    for message, kwargs in built.items():
        _raises(message, Config, **kwargs)
    _raises('Config.select names no rule: give codes, prefixes, names or ALL (ignore=["ALL"] checks nothing)', Config,
            select=())
    cases = {
        "Config.baseline must be a file path or a list of entries, not 5": Config(baseline=5),  # type: ignore[arg-type]
        "Config.progress must be callable or None, not 5": Config(progress=5),
        "Config.fail_on must be a Severity or 'error', 'warning', 'info', not 5": Config(fail_on=5),  # type: ignore[arg-type]
        "Config.redact must be True or False, not 'no'": Config(redact="no"),  # type: ignore[arg-type]
        "Config.exit_zero must be True or False, not 1": Config(exit_zero=1),  # type: ignore[arg-type]
        "Config.output_format must be one of None, 'text', 'grouped', 'full', 'concise', 'pylint', 'json', "
        "'json-lines', 'sarif', 'junit', 'github', 'gitlab', 'azure', 'hubspot', 'csv', 'auto', not 'xml'":
            Config(output_format="xml"),
        "Config.root must be a folder path or None, not 5": Config(root=5),  # type: ignore[arg-type]
        # an empty path was the current folder: read as a portal snapshot, or refused as "not a
        # regular file or a pipe" for the baseline
        "Config.portal must be a folder path or a loaded Portal, not ''": Config(portal=""),
        "Config.baseline must be a file path or a list of entries, not ''": Config(baseline=""),
    }
    for message, config in cases.items():
        _misuse(message, broken, config=config)
    assert validate(broken, config=Config(fail_on="warning")).exit_code("warning") == 1  # type: ignore[arg-type]



def test_a_config_severity_that_is_none_names_its_setting() -> None:
    # the settings file says "severity['HS110']: unknown severity 'fatal'"; a Config said only
    # "unknown severity 'fatal'", leaving the caller to find which of its settings it was
    broken = EXAMPLES / "broken" / "contacts.import.json"
    _raises("Config.severity['ragged-row']: unknown severity 'fatal' (choose from info, warning, error)",
            Config, severity={"ragged-row": "fatal"})
    _misuse("Config.fail_on: unknown severity 'never' (choose from info, warning, error)",
            broken, config=Config(fail_on="never"))  # type: ignore[arg-type]

def _raises(message: str, call: object, *args: object, **kwargs: object) -> None:
    with pytest.raises(ValidatorError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    assert str(caught.value) == message


def test_report_functions_refuse_what_is_no_report() -> None:
    # render(5, "json") and Report.merge([r, 5]) ended in AttributeError ('int' object has no
    # attribute 'to_dict' / 'names'); Report.exit_code(5) compared 5 with severities and said 0
    from validator.report import redact_report, render, render_sarif, step_summary

    report = validate(EXAMPLES / "broken" / "contacts.import.json")
    _raises("render() takes a Report, not int", render, 5, "json")
    _raises("render() takes a Report, not dict", render, report.to_dict(), "text", redact=True)
    _raises("render_sarif() takes a Report, not NoneType", render_sarif, None)
    _raises("step_summary() takes a Report, not str", step_summary, "report")
    _raises("redact_report() takes a Report, not list", redact_report, [])
    _raises("render() takes a format name, not list", render, report, ["json"])
    _raises("unknown format 'xml' (choose from text, grouped, full, concise, pylint, json, json-lines, sarif, junit, "
            "github, gitlab, azure, hubspot, csv)", render, report, "xml")
    for bad in (5, 3, True, None):
        _raises(f"fail_on must be a Severity or 'error', 'warning', 'info', not {bad!r}", report.exit_code, bad)
    _raises("unknown severity 'fatal' (choose from info, warning, error)", report.exit_code, "fatal")
    assert (report.exit_code(), report.exit_code(Severity.INFO), report.exit_code(" Warning ")) == (1, 1, 1)
    _raises("Report.merge() takes Reports, not int (item 1)", Report.merge, [report, 5])
    _raises("Report.merge() takes an iterable of Reports, not int", Report.merge, 5)
    assert Report.merge(iter([report])).errors == report.errors == 10


def test_report_total_takes_a_severity_or_its_name_and_refuses_anything_else() -> None:
    # Report.total(5) and Report.total("error") said 0 (5 and "error" equal no Severity), and
    # total(3) counted the errors: a misspelt call read as "no findings of that severity"
    report = validate(EXAMPLES / "broken" / "contacts.import.json")
    assert (report.errors, report.warnings, report.infos) == (10, 3, 0)
    assert [report.total(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)] == [10, 3, 0]
    assert [report.total(s) for s in ("error", " Warning ", "INFO")] == [10, 3, 0]
    for bad in (5, 3, True, None, 2.0):
        _raises(f"severity must be a Severity or 'error', 'warning', 'info', not {bad!r}", report.total, bad)
    _raises("unknown severity 'errors' (choose from info, warning, error)", report.total, "errors")


def test_config_settings_by_keyword_are_checked_by_name(tmp_path: Path) -> None:
    # Config.with_(bogus=1) and Config.from_pyproject(path, bogus=1) raised Python's bare TypeError
    # ("Config.__init__() got an unexpected keyword argument"); an unknown code in per_file_ignores
    # (or select, ignore) was refused as "unknown rule code or name 'HS999'", naming no field
    known = ("select, extend_select, ignore, then, severity, options, fail_on, max_per_rule, chunk_rows, portal, "
             "per_file_ignores, ignore_records, baseline, tier, exit_zero, output_format, redact, root, source, "
             "source_table, reader, threads, progress")
    _raises(f"unknown Config setting 'bogus' (known: {known})", Config().with_, bogus=1)
    (tmp_path / "pyproject.toml").write_text('[tool.hubspot-preflight]\nselect = ["HS1"]\n', encoding="utf-8")
    _raises(f"unknown Config setting 'max-per-rule' (known: {known})",
            Config.from_pyproject, tmp_path / "pyproject.toml", max_per_rule=5, **{"max-per-rule": 5})
    assert Config.from_pyproject(tmp_path / "pyproject.toml", max_per_rule=5).max_per_rule == 5
    # a path of the wrong type, and a `then` that holds no triples, raised TypeError
    _raises("Config.from_pyproject() takes a settings file path, not int", Config.from_pyproject, 5)
    _raises("Config.then must hold (select, extend_select, ignore) triples, not 5", Config, then=5)
    cases: dict[str, dict[str, Any]] = {
        "Config.per_file_ignores['*.csv']: unknown rule code or name 'HS999'":
            dict(per_file_ignores={"*.csv": ["HS110", "HS999"]}),
        "Config.per_file_ignores['x/*.csv']: unknown rule code or name 'no-such-rule'":
            dict(per_file_ignores={"*.json": "HS0", "x/*.csv": "no-such-rule"}),
        "Config.select: unknown rule code or name 'HS999'": dict(select=["HS1", "HS999"]),
        "Config.extend_select: unknown rule code or name 'HS998'": dict(extend_select="HS998"),
        "Config.ignore: unknown rule code or name 'nope'": dict(ignore=("nope",)),
    }
    for message, kwargs in cases.items():
        _raises(message, Config, **kwargs)


def test_a_common_column_named_differently_with_several_candidates_is_a_warning() -> None:
    # contacts.csv's 'Company Key' points to companies, whose file marks two columns
    # associationIdentifierColumn, neither of that name: pairing the common columns by name rests
    # on HubSpot's example alone ([I], fact sheet 1.4), so HS316 warns and names both; with no
    # column marked, the owning file lacks a documented setting ([V] S5): HS311's error
    def found(marked: bool) -> list[tuple]:
        flag = {"associationIdentifierColumn": True} if marked else {}
        request = {"files": [
            {"fileName": "contacts.csv", "fileImportPage": {"hasHeader": True, "columnMappings": [
                {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
                {"columnObjectTypeId": "0-1", "columnName": "Company Key", "propertyName": None,
                 "toColumnObjectTypeId": "0-2",
                 "foreignKeyType": {"associationTypeId": 279, "associationCategory": "HUBSPOT_DEFINED"}}]}},
            {"fileName": "companies.csv", "fileImportPage": {"hasHeader": True, "columnMappings": [
                {"columnObjectTypeId": "0-2", "columnName": "Record ID", "propertyName": "hs_object_id", **flag},
                {"columnObjectTypeId": "0-2", "columnName": "Domain", "propertyName": "domain", **flag}]}}]}
        files = {"contacts.csv": io.BytesIO(b"Email,Company Key\nann@x.com,1001\n"),
                 "companies.csv": io.BytesIO(b"Record ID,Domain\n1001,acme.example\n")}
        report = validate(request, files=files, base_dir="/nonexistent")
        return [(f.row, f.column, f.pointer, f.code, f.severity, f.message) for f in report.findings
                if f.code in ("HS311", "HS314", "HS316")]
    pointer = "/files/0/fileImportPage/columnMappings/1/columnName"
    assert found(marked=True) == [(
        None, None, pointer, "HS316", Severity.WARNING,
        "column 'Company Key' points to companies (0-2), but no other file has a column of that name; several are "
        "marked associationIdentifierColumn ('Record ID' (companies.csv), 'Domain' (companies.csv)): HubSpot "
        "documents the common column under one name in both files")]
    assert found(marked=False) == [(
        None, None, pointer, "HS311", Severity.ERROR,
        "column 'Company Key' points to companies (0-2), but no other file has a column 'Company Key' mapped to "
        "companies (0-2)")]


def test_a_request_mapping_nested_too_deeply_is_misuse_not_a_recursion_error() -> None:
    # validate(mapping) and schema.for_file(mapping) raised RecursionError from json.dumps
    from validator.schema import for_file

    request = json.loads((EXAMPLES / "deals" / "deals.import.json").read_text(encoding="utf-8"))
    deep: list[object] = []
    inner = deep
    for _ in range(5000):
        inner.append([])
        inner = inner[0]  # type: ignore[assignment]
    for call in (validate, lambda r: for_file(r, "deals.csv")):
        _raises("request mapping is nested too deeply to send as JSON", call, {**request, "name": deep})
        _raises("request mapping is not JSON: Object of type set is not JSON serializable", call,
                {**request, "name": {1}})
        # (Python's own text told the caller to raise sys.set_int_max_str_digits())
        _raises("request mapping is not JSON: it holds an integer of more than 4,300 digits", call,
                {**request, "name": 10 ** 5000})


class _Stream(io.RawIOBase):
    """A header and ``rows`` rows (row 3 ragged), 64 KiB a read; past ``fail_at`` bytes each read
    returns None (a non-blocking stream with nothing ready) or raises EIO."""

    def __init__(self, fail_at: int, then: str, rows: int = 200_000):
        self.data = b"Email,First Name\na@x.com,Ann\nb@x.com,Bo,extra\n" + b"c@x.com,Cy\n" * rows
        self.at, self.fail_at, self.then = 0, fail_at, then

    def readable(self) -> bool:
        return True

    def readinto(self, buf: memoryview | bytearray) -> int | None:  # type: ignore[override]
        if self.at >= self.fail_at:
            if self.then == "none":
                return None
            raise OSError(5, "Input/output error")
        n = min(len(buf), 65536, len(self.data) - self.at)
        buf[:n] = self.data[self.at: self.at + n]
        self.at += n
        return n


def _stream_request() -> dict:
    mappings = [{"columnObjectTypeId": "0-1", "columnName": c, "propertyName": p}
                for c, p in (("Email", "email"), ("First Name", "firstname"))]
    return {"name": "t", "files": [{"fileName": "c.csv", "fileFormat": "CSV",
                                    "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}


@pytest.mark.parametrize("wrap", [False, True])
@pytest.mark.parametrize("fail_at", [0, 65536])
def test_a_stream_with_nothing_ready_is_refused_not_a_crash_or_an_early_end(fail_at: int, wrap: bool) -> None:
    # a read that returned None (a non-blocking stream) raised AttributeError or TypeError out of
    # validate(), and read_into took it for the end of the file (part of it checked as all of it)
    stream: io.RawIOBase | io.BufferedReader = _Stream(fail_at, "none")
    if wrap:
        stream = io.BufferedReader(stream)
    report = validate(_stream_request(), files={"c.csv": stream}, base_dir="/nonexistent")
    assert [(r.file, r.code, r.reason) for r in report.refusals] == [
        ("c.csv", "unreadable",
         "cannot read: the stream has no data ready (a non-blocking stream); give a blocking one")]
    assert report.exit_code() == 2
    r, w = os.pipe()
    os.set_blocking(r, False)
    with os.fdopen(r, "rb") as pipe:
        report = validate(_stream_request(), files={"c.csv": pipe}, base_dir="/nonexistent")
    os.close(w)
    assert [r.code for r in report.refusals] == ["unreadable"] and report.exit_code() == 2


@pytest.mark.parametrize("then", ["error", "none"])
def test_a_read_error_past_the_first_chunk_is_a_refusal_that_keeps_the_findings_so_far(then: str) -> None:
    # the exact reader met EIO 1 MB in, past the bytes read at open: the OSError came out of
    # validate() (the CLI: "internal error"), and the ragged row 3 found before it was lost
    report = validate(_stream_request(), files={"c.csv": _Stream(1 << 20, then)}, base_dir="/nonexistent",
                      config=Config(reader="exact", chunk_rows=1000))
    reason = "Input/output error" if then == "error" else "the stream has no data ready"
    assert [(r.file, r.code) for r in report.refusals] == [("c.csv", "unreadable")]
    assert report.refusals[0].reason.startswith(f"cannot read: {reason}")
    assert [(f.code, f.row, f.column) for f in report.findings if f.code == "HS110"] == [("HS110", 3, 3)]
    assert report.exit_code() == 2


def test_a_config_naming_an_unknown_rule_is_refused_as_it_is_built() -> None:
    # Config(select=["HS999"]) was built without a word and refused only once validate() ran,
    # far from the line that named the rule; each setting that names rules now refuses it at once,
    # with validate()'s message, and a Config naming none reads no rule registry to be built
    cases = {
        "Config.select: unknown rule code or name 'HS999'": dict(select=["HS1", "HS999"]),
        "Config.extend_select: unknown rule code or name 'HS998'": dict(extend_select="HS998"),
        "Config.ignore: unknown rule code or name 'nope'": dict(ignore=("nope",)),
        "Config.then: unknown rule code or name 'HS997'": dict(then=((None, ("HS997",), ()),)),
        "Config.severity: unknown rule code or name 'HS996'": dict(severity={"HS996": "error"}),
        "Config.per_file_ignores['*.csv']: unknown rule code or name 'HS995'":
            dict(per_file_ignores={"*.csv": "HS995"}),
        "Config.options: unknown rule code or name 'bogus'": dict(options={"bogus": {}}),
        "Config.severity['HS110']: unknown severity 'fatal' (choose from info, warning, error)":
            dict(severity={"HS110": "fatal"}),
    }
    for message, kwargs in cases.items():
        _raises(message, Config, **kwargs)
        _raises(message, Config().with_, **kwargs)
    assert Config(select="HS1,ragged-row", severity={"HS2": "warning"}).select == "HS1,ragged-row"
    code = ("import sys, validator; validator.Config(max_per_rule=5); "
            "print(any(m.startswith('validator.checks.') and m != 'validator.checks.base' for m in sys.modules))")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert shown.stdout.strip() == "False"


def test_a_dataframe_is_checked_as_the_file_it_is_written_as() -> None:
    # a pipeline had to write its DataFrame to a file or bytes first; it is taken as the file
    # to_csv(index=False) writes (to_excel for a workbook's fileName), every rule run over it
    import pandas as pd

    request = json.loads((EXAMPLES / "contacts" / "contacts.import.json").read_text())
    df = pd.DataFrame({"Email": ["ann@x.com", "bad", "ANN@x.com"], "First Name": ["Ann", "Bo", None],
                       "Last Name": ["Lee", "Chen", "Lee"], "Phone Number": ["+14155550101", "12", "+14155550101"],
                       "Lifecycle Stage": ["lead", "lead", "customer"], "Notes": ["a\nb", "", "x"]})
    report = validate(request, files={"contacts.csv": df})
    found = [(f.row, f.line, f.end_line, f.column_name, f.code) for f in report.findings]
    assert found == [(3, 4, 4, "Email", "HS212"), (3, 4, 4, "Phone Number", "HS215"), (4, 5, 5, "Email", "HS301")]
    assert found == [(f.row, f.line, f.end_line, f.column_name, f.code) for f in validate(
        request, files={"contacts.csv": df.to_csv(index=False).encode()}).findings]
    book = json.loads(json.dumps(request))
    book["files"][0].update(fileName="contacts.xlsx", fileFormat="SPREADSHEET")
    assert [(f.cell, f.code) for f in validate(book, files={"contacts.xlsx": df}).findings] == [
        ("Sheet1!A3", "HS212"), ("Sheet1!D3", "HS215"), ("Sheet1!A4", "HS301")]
    with pytest.raises(ValidatorError, match="must be a path, bytes, a binary file object or a pandas DataFrame"):
        validate(request, files={"contacts.csv": 5})


def test_a_report_as_a_dataframe_has_a_row_per_listed_finding_as_the_json_report_has_it(tmp_path: Path) -> None:
    # a pipeline filtering or storing findings had to build the frame from to_dict() itself
    import pandas as pd

    from validator.findings import FRAME_COLUMNS
    from validator.report import redact_report

    (tmp_path / "contacts.csv").write_bytes(b"Email,First Name\nbad,Ann\n\xff@x.com,Bo\nok@x.com,Cy,extra\n")
    request = {"name": "t", "files": [{"fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "First Name", "propertyName": "firstname"}]}}]}
    (tmp_path / "c.import.json").write_text(json.dumps(request), encoding="utf-8")
    report = validate(tmp_path / "c.import.json", config=Config(select=["HS110", "HS212", "HS402"]))
    frame = report.to_frame()
    assert list(frame.columns) == list(FRAME_COLUMNS) and len(frame) == len(report.findings) == 5
    plain = frame.astype(object).where(frame.notna(), None)  # (<NA> as None)
    assert [(r.file, r.row, r.column, r.column_name, r.code, r.severity, r.hubspot_error)
            for r in plain.itertuples()] == [
        ("contacts.csv", None, None, None, "HS402", "error", None),
        ("contacts.csv", 2, 1, "Email", "HS212", "error", "INVALID_EMAIL"),
        ("contacts.csv", 3, 1, "Email", "HS212", "error", "INVALID_EMAIL"),
        ("contacts.csv", 3, 1, "Email", "HS402", "error", None),
        ("contacts.csv", 4, 3, None, "HS110", "error", "INCORRECT_NUMBER_OF_COLUMNS")]
    # typed for storage: nullable integers and text, a missing value <NA>, never NaN or None
    assert {str(frame[c].dtype) for c in ("row", "column", "line", "end_line", "offset")} == {"Int64"}
    assert {str(frame[c].dtype) for c in FRAME_COLUMNS if c not in ("row", "column", "line", "end_line", "offset")} \
        == {"string"}
    assert frame["column_name"].isna().tolist() == [True, False, False, False, True]
    # every value the JSON report's findings hold (an undecodable byte as its \xNN text), so the
    # frame writes to Parquet as it is
    assert plain.to_dict("records") == [
        {k: f[k] for k in FRAME_COLUMNS} for f in json.loads(render(report, "json"))["findings"]]
    assert frame.loc[2, "value"] == "\\xff@x.com"
    buf = io.BytesIO()
    frame.to_parquet(buf)
    assert pd.read_parquet(io.BytesIO(buf.getvalue()))["value"].tolist() == frame["value"].tolist()
    masked = redact_report(report).to_frame()
    assert masked["value"].fillna("").tolist() == ["", "REDACTED", "REDACTED", "REDACTED", "REDACTED"]
    assert not masked["message"].str.contains("x.com").any()
    # a lone surrogate (a report made by hand; readers write an undecodable byte as \xNN) is the
    # JSON report's \uXXXX text, which Parquet takes (the raw character is no UTF-8)
    from validator.findings import Finding

    odd = Report(findings=[Finding("HS212", "invalid-email", "'\udcff' is bad", Severity.ERROR, file="c.csv",
                                   row=2, column=1, value="\udcff@x.com")]).to_frame()
    assert odd[["row", "value", "message"]].astype(object).values.tolist() == [[2, "\\udcff@x.com",
                                                                                "'\\udcff' is bad"]]
    odd.to_parquet(io.BytesIO())
    # no finding: the columns all the same, no row
    assert Report().to_frame().shape == (0, len(FRAME_COLUMNS))
