"""The library leaves the process as it found it, and the pre-commit path options behave."""

from __future__ import annotations

import copy
import csv
import json
import locale
import logging
import os
import re
import shutil
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from tests.conftest import ROOT
from validator import Config, render, validate
from validator.cli import cli
from validator.report import FORMATS

EXAMPLES = ROOT / "fixtures" / "examples"


def snapshot() -> dict[str, object]:
    root = logging.getLogger()
    return {
        "warnings": list(warnings.filters),
        "logging": (root.level, list(root.handlers), sorted(logging.root.manager.loggerDict)),
        "csv": csv.field_size_limit(),
        "pandas": copy.deepcopy(pd._config.config._global_config),  # every option, set or not
        "numpy": np.geterr(),
        "locale": locale.setlocale(locale.LC_ALL),
        "recursion": sys.getrecursionlimit(),
        "stdout": (sys.stdout, getattr(sys.stdout, "errors", None)),
    }


def test_validate_and_render_touch_no_global_state(tmp_path: Path) -> None:
    import validator.report  # noqa: F401  (imports are allowed to register loggers once)

    validate(EXAMPLES / "contacts" / "contacts.import.json")
    before = snapshot()
    (tmp_path / "pyproject.toml").write_text('[tool.hubspot-preflight]\nselect = ["ALL"]\n', encoding="utf-8")
    config = Config.from_pyproject(tmp_path / "pyproject.toml")
    for example in ("broken/contacts.import.json", "contacts-companies/import.json"):
        report = validate(EXAMPLES / example, config=config)
        for fmt in FORMATS:
            render(report, fmt)
            render(report, fmt, redact=True)
    assert snapshot() == before


def test_ignore_unpaired_skips_json_that_is_not_a_request_and_orphan_data(tmp_path: Path) -> None:
    (tmp_path / "request.json").write_text('{"name": "not an import"}', encoding="utf-8")
    (tmp_path / "orphan.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--ignore-unpaired", str(tmp_path / "request.json"),
                                      str(tmp_path / "orphan.csv")])
    assert result.exit_code == 0, result.output
    plain = CliRunner().invoke(cli, ["check", str(tmp_path / "orphan.csv")])
    assert plain.exit_code != 0


def test_a_changed_data_file_checks_its_whole_import(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "contacts-companies", tmp_path / "imp")
    result = CliRunner().invoke(cli, ["check", "--ignore-unpaired", str(tmp_path / "imp" / "companies.csv"),
                                      "--format", "json"])
    report = json.loads(result.output)
    assert sorted(f["name"] for f in report["files"]) == ["companies.csv", "contacts.csv"]


def test_emit_request_for_a_missing_file_says_so(tmp_path: Path) -> None:
    request = {"files": [{"fileName": "gone.xlsx", "fileFormat": "SPREADSHEET",
                          "fileImportPage": {"hasHeader": True, "columnMappings": []}}]}
    (tmp_path / "r.import.json").write_text(json.dumps(request), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "r.import.json"), "--emit-request"])
    assert result.exit_code == 0
    assert ('Content-Disposition: form-data; name="files"; filename="gone.xlsx"\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\n\n<not sent: ") \
        in result.output


def test_emit_request_writes_a_file_names_quote_and_line_break_as_clients_send_them(tmp_path: Path) -> None:
    # a fileName with '"', CR or LF was written raw into the Content-Disposition header: a broken
    # header (filename="a"b.csv"), or a header line of its own (X-Evil: 1), where curl and
    # requests send %22, %0D, %0A; and the request's own C1 and bidi characters, and any in a
    # file's path, reached the terminal raw (ESC ] sets its title): they are escapes now
    name = 'a"b\r\nX-Evil: 1\u202e.csv'
    request = {"name": "spring\u009b31m expo\u202e", "files": [{"fileName": name, "fileFormat": "CSV",
               "fileImportPage": {"hasHeader": True, "columnMappings": []}}]}
    (tmp_path / "r.import.json").write_text(json.dumps(request, ensure_ascii=False), encoding="utf-8")
    (tmp_path / name).write_text("Email\na@x.com\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "r.import.json"), "--emit-request"])
    assert result.exit_code == 0
    assert 'Content-Disposition: form-data; name="files"; filename="a%22b%0D%0AX-Evil: 1\\u202e.csv"\n' \
        in result.output
    assert '{"name": "spring\\u009b31m expo\\u202e", "files": ' in result.output  # (the same JSON)
    assert f"<14 bytes from {tmp_path}/a\"b\\r\\nX-Evil: 1\\u202e.csv>" in result.output
    quoted = 'a\\\\"b\\r\\nX-Evil: 1\\u202e.csv'  # (in curl's quotes, in the shell's $'...')
    assert f"""-F $'files=@"{tmp_path}/{quoted}";filename="{quoted}";type=text/csv'""" in result.output
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", result.output)


def test_overlapping_threads_leave_no_warnings_filter_nor_patched_method(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # each thread saved and restored the filters (warnings.catch_warnings) and openpyxl's sizing
    # method itself: when their times overlapped, the last one out put the other's change back
    # for good ("ignore" every warning, read-only sheets never sized)
    import threading

    from openpyxl.reader import excel
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    from validator.readers.base import warnings_ignored
    from validator.readers.xlsx import _unsized

    filters, sizing, strings = list(warnings.filters), ReadOnlyWorksheet._get_size, excel.read_string_table
    inside, leave = threading.Barrier(2), threading.Barrier(2)

    def hold(first: bool) -> None:
        with _unsized(ReadOnlyWorksheet), warnings_ignored():
            inside.wait(timeout=10)  # both in at once
            if first:
                leave.wait(timeout=10)
        if not first:
            leave.wait(timeout=10)  # the second one in leaves first
    threads = [threading.Thread(target=hold, args=(first,)) for first in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert list(warnings.filters) == filters
    assert ReadOnlyWorksheet._get_size is sizing
    assert excel.read_string_table is strings
    # and end to end: workbooks checked in two threads at once
    from tests.workbooks import make_workbook

    data = make_workbook({"sheets": [{"name": "S", "rows": [["Email"], *[[f"u{i}@x.com"] for i in range(3000)]]}]})
    request = {"name": "t", "files": [{"fileName": "c.xlsx", "fileFormat": "SPREADSHEET", "fileImportPage": {
        "hasHeader": True, "columnMappings": [{"columnObjectTypeId": "0-1", "columnName": "Email",
                                               "propertyName": "email"}]}}]}
    import validator.readers.xlsx as xlsx_module

    monkeypatch.setattr(xlsx_module, "choose_engine", lambda scan, prefer=None, pieces=False: "openpyxl")
    monkeypatch.setattr(xlsx_module, "take", lambda stream: None)  # (the prefetch takes calamine)
    reports: list[tuple[int, str | None]] = []

    def check() -> None:
        for _ in range(3):
            report = validate(request, files={"c.xlsx": data}, base_dir="/nonexistent")
            reports.append((report.rows, report.files[0].reader))
    threads = [threading.Thread(target=check) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert reports == [(3000, "openpyxl")] * 9
    assert list(warnings.filters) == filters and ReadOnlyWorksheet._get_size is sizing


def test_emitted_curl_sends_each_file_under_its_file_name(tmp_path: Path) -> None:
    # the curl line sent the file under its name on disk (an export-2026-11.csv given with --file,
    # or Contacts.csv for a fileName contacts.csv), and broke on a ',' or ';' in the path
    import http.server
    import subprocess
    import threading

    folder = tmp_path / "Q1, 2026; final"
    folder.mkdir()
    shutil.copy2(ROOT / "fixtures" / "examples" / "contacts" / "contacts.import.json", folder / "contacts.import.json")
    shutil.copy2(ROOT / "fixtures" / "examples" / "contacts" / "contacts.csv", folder / "export-2026-11.csv")
    result = CliRunner().invoke(cli, ["check", str(folder / "contacts.import.json"), "--emit-request",
                                      "--file", f"contacts.csv={folder / 'export-2026-11.csv'}"])
    assert result.exit_code == 0
    line = next(x for x in result.output.splitlines() if "files=@" in x)
    assert line.strip() == f"""-F 'files=@"{folder}/export-2026-11.csv";filename="contacts.csv";type=text/csv'"""
    if shutil.which("curl") is None:
        return
    seen: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen.extend(x for x in body.split(b"\r\n") if x.lower().startswith(b"content-disposition"))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.handle_request, daemon=True).start()
    command = result.output.split("# the same with curl:\n", 1)[1].replace(
        "https://api.hubapi.com", f"http://127.0.0.1:{server.server_port}").strip()
    sent = subprocess.run(["bash", "-c", command + " -s -o /dev/null"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "HUBSPOT_TOKEN": "x"})
    server.server_close()
    assert sent.returncode == 0, sent.stderr
    assert seen == [b'Content-Disposition: form-data; name="importRequest"',
                    b'Content-Disposition: form-data; name="files"; filename="contacts.csv"']
