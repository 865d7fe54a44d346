"""Paths (hostile-inputs H1-H4): request fileNames are labels, never paths; symlinks out of the
request's folder, devices, FIFOs, sockets and directories are refused without being opened."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.generate import CLEAN, request
from validator import ValidatorError, validate
from validator.sources import open_regular

SECRET = b"SECRET,Other\r\nx@y.com,1\r\n"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every path passed to os.open or open() while the test runs."""
    seen: list[str] = []
    real_os_open, real_open = os.open, open

    def os_open(path: Any, *args: Any, **kw: Any) -> int:
        seen.append(os.fsdecode(path))
        return real_os_open(path, *args, **kw)

    def builtin_open(path: Any, *args: Any, **kw: Any) -> Any:
        if isinstance(path, (str, bytes, os.PathLike)):
            seen.append(os.fsdecode(path))
        return real_open(path, *args, **kw)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr("builtins.open", builtin_open)
    yield seen


def within(seconds: float, fn: Callable[[], Any]) -> Any:
    """Run fn in a thread: a blocking open of a FIFO fails the test instead of hanging it.
    Returns fn's result, or the ValidatorError it raised."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = fn()
        except ValidatorError as exc:
            box["result"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "validate() blocked (opened a FIFO or device?)"
    return box["result"]


def layout(tmp_path: Path, req: dict[str, Any]) -> Path:
    folder, outside = tmp_path / "case", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (outside / "secret.csv").write_bytes(SECRET)
    (folder / "import.json").write_text(json.dumps(req))
    return folder


def test_dotdot_and_absolute_file_names_are_labels_not_paths(tmp_path: Path, opened: list[str]) -> None:
    names = ["../outside/secret.csv", str(tmp_path / "outside" / "secret.csv"), "C:\\x\\secret.csv",
             "\\\\server\\share\\secret.csv"]
    folder = layout(tmp_path, request({n: ["Email"] for n in names}))
    report = validate(folder / "import.json")
    found = sorted((f.code, f.pointer) for f in report.findings)
    assert found == sorted([*(("HS011", f"/files/{i}/fileName") for i in range(4)),
                            *(("HS013", f"/files/{i}/fileName") for i in range(4))])
    assert not [p for p in opened if "secret" in p]


def test_symlinks_out_of_the_folder_and_to_devices_are_refused_unopened(tmp_path: Path, opened: list[str]) -> None:
    folder = layout(tmp_path, request({n: ["Email"] for n in ("out.csv", "zero.csv", "random.csv", "in.csv")}))
    os.symlink(tmp_path / "outside" / "secret.csv", folder / "out.csv")
    os.symlink("/dev/zero", folder / "zero.csv")
    os.symlink("/dev/urandom", folder / "random.csv")
    (folder / "real.csv").write_bytes(CLEAN.encode())
    os.symlink("real.csv", folder / "in.csv")  # inside the folder: followed
    report = within(20, lambda: validate(folder / "import.json"))
    assert sorted((r.file, r.code) for r in report.refusals) == [
        ("out.csv", "outside"), ("random.csv", "outside"), ("zero.csv", "outside")]
    assert report.exit_code() == 2
    assert not [p for p in opened if p.endswith(("out.csv", "zero.csv", "random.csv", "secret.csv"))]
    assert [p for p in opened if p.endswith("in.csv")]


def test_devices_named_directly_are_refused_unopened(tmp_path: Path, opened: list[str]) -> None:
    folder = layout(tmp_path, request({"zero.csv": ["Email"], "random.csv": ["Email"]}))
    report = within(20, lambda: validate(folder / "import.json",
                                         files={"zero.csv": "/dev/zero", "random.csv": "/dev/urandom"}))
    assert sorted((r.file, r.code) for r in report.refusals) == [("random.csv", "not-regular"),
                                                               ("zero.csv", "not-regular")]
    assert "/dev/zero" not in opened and "/dev/urandom" not in opened


def test_fifo_socket_and_directory_are_refused_without_blocking(tmp_path: Path, opened: list[str]) -> None:
    import socket

    folder = layout(tmp_path, request({"fifo.csv": ["Email"], "sock.csv": ["Email"], "dir.csv": ["Email"]}))
    os.mkfifo(folder / "fifo.csv")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.csv"))
    sock.close()
    (folder / "dir.csv").mkdir()
    report = within(20, lambda: validate(folder / "import.json"))
    assert sorted((r.file, r.code) for r in report.refusals) == [
        ("dir.csv", "not-regular"), ("fifo.csv", "not-regular"), ("sock.csv", "not-regular")]
    assert not [p for p in opened if p.endswith(("fifo.csv", "sock.csv", "dir.csv"))]


def test_a_fifo_swapped_in_after_the_check_is_refused_at_open(tmp_path: Path) -> None:
    fifo = tmp_path / "late.csv"
    os.mkfifo(fifo)
    error = within(10, lambda: open_regular(fifo))
    assert isinstance(error, ValidatorError) and "not a regular file" in str(error)


def test_a_request_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "import.json")
    error = within(10, lambda: validate(tmp_path / "import.json"))
    assert isinstance(error, ValidatorError) and "not a regular file" in str(error)


def test_the_command_line_refuses_a_request_that_is_a_fifo_without_waiting(tmp_path: Path) -> None:
    from tests.hostile.harness import child_env, run_cli

    os.mkfifo(tmp_path / "import.json")  # the read-ahead must not open it for reading and wait
    o = run_cli(["import.json"], tmp_path, env=child_env(), timeout=30)
    assert o.returncode == 2 and b"not a regular file" in o.stderr


def test_output_onto_an_input_is_refused(tmp_path: Path) -> None:
    from tests.hostile.harness import child_env, run_cli

    folder = layout(tmp_path, request(["Email", "First Name"]))
    (folder / "data.csv").write_bytes(CLEAN.encode())
    o = run_cli(["import.json", "-o", "data.csv"], folder, env=child_env(), timeout=30)
    assert o.returncode == 2 and b"is one of the inputs" in o.stderr
    assert (folder / "data.csv").read_bytes() == CLEAN.encode()


def test_a_request_names_a_file_it_spells_otherwise_where_both_names_are_one_file(tmp_path: Path) -> None:
    # a file system that ignores case shows contacts.csv and Contacts.csv as one file: the request
    # that spells it contacts.csv still names Contacts.csv (a hard link stands in for that here)
    from validator.sources import find_requests, names_file

    (tmp_path / "contacts.csv").write_text("Email\na@x.com\n")
    os.link(tmp_path / "contacts.csv", tmp_path / "Contacts.csv")
    request = tmp_path / "import.json"
    request.write_text(json.dumps({"name": "x", "files": [{"fileName": "contacts.csv"}]}))
    assert names_file(request, "Contacts.csv") and find_requests(tmp_path / "Contacts.csv") == [request]
    (tmp_path / "Contacts.csv").unlink()
    (tmp_path / "Contacts.csv").write_text("Email\nnot-an-email\n")  # another file: not the request's
    assert not names_file(request, "Contacts.csv") and find_requests(tmp_path / "Contacts.csv") == []


LONG = "n" * 300  # one name longer than any file system takes (ENAMETOOLONG)


@pytest.mark.parametrize("args", [
    [f"{LONG}.json"], [f"{LONG}.csv"], [f"{LONG}/import.json"], ["--request", f"{LONG}.json", "data.csv"],
    ["import.json", "--baseline", f"{LONG}.json"], ["import.json", "--portal", LONG],
    ["import.json", "-o", f"{LONG}.txt"]],
    ids=["request", "data-file", "in-folder", "--request", "--baseline", "--portal", "-o"])
def test_a_name_too_long_on_the_command_line_is_a_one_line_refusal(tmp_path: Path, args: list[str]) -> None:
    from tests.hostile.harness import child_env, run_cli

    folder = layout(tmp_path, request(["Email", "First Name"]))
    (folder / "data.csv").write_bytes(CLEAN.encode())
    o = run_cli(args, folder, env=child_env(), timeout=30)
    lines = o.stderr.decode().splitlines()
    assert o.returncode == 2 and len(lines) == 1, o.stderr
    assert lines[0].startswith("hubspot-preflight: error: ") and lines[0].endswith(": File name too long")
    assert b"internal error" not in o.stderr
    assert sorted(os.listdir(folder)) == ["data.csv", "import.json"]


def test_a_name_too_long_for_settings_baseline_or_snapshot_is_a_validator_error(tmp_path: Path) -> None:
    from validator import Config
    from validator.baseline import load_baseline
    from validator.portal import load_portal

    long = tmp_path / LONG
    calls: list[Callable[[], Any]] = [lambda: load_baseline(long), lambda: load_portal(long),
                                      lambda: Config.from_pyproject(long)]
    for call in calls:
        with pytest.raises(ValidatorError, match=r"File name too long$"):
            call()


def test_a_symbolic_link_in_a_loop_is_named_so_not_broken(tmp_path: Path) -> None:
    folder = layout(tmp_path, request({"loop.csv": ["Email"], "broken.csv": ["Email"]}))
    os.symlink("loop.csv", folder / "loop.csv")
    os.symlink("nowhere.csv", folder / "broken.csv")
    report = within(20, lambda: validate(folder / "import.json"))
    assert [(f.code, f.pointer, f.message) for f in report.findings] == [
        ("HS011", "/files/0/fileName",
         f"file 'loop.csv' was not found: {folder / 'loop.csv'} is a symbolic link in a loop (it leads back to "
         "itself)"),
        ("HS011", "/files/1/fileName", f"file 'broken.csv' was not found: {folder / 'broken.csv'} is a broken symbolic "
                                       "link")]


def test_a_file_name_with_white_space_around_it_names_the_file_that_is_there(tmp_path: Path) -> None:
    # `"fileName": "contacts.csv "` (pasted with its space) was "not found: .../contacts.csv  does
    # not exist", the space lost at the end of the line; the file beside it, without the space, went
    # unnamed
    folder = layout(tmp_path, request({"contacts.csv ": ["Email"], " deals.csv": ["Email"], "gone.csv ": ["Email"]}))
    (folder / "contacts.csv").write_text(CLEAN)
    (folder / "deals.csv").write_text(CLEAN)
    report = validate(folder / "import.json")
    assert [(f.code, f.pointer, f.message) for f in report.findings if f.code == "HS011"] == [
        ("HS011", "/files/0/fileName", f"file 'contacts.csv ' was not found: no file named 'contacts.csv ' in "
                                       f"{folder}, but 'contacts.csv' is there: the fileName has white space around "
                                       "it"),
        ("HS011", "/files/1/fileName", f"file ' deals.csv' was not found: no file named ' deals.csv' in {folder}, "
                                       "but 'deals.csv' is there: the fileName has white space around it"),
        ("HS011", "/files/2/fileName", f"file 'gone.csv ' was not found: {folder / 'gone.csv '} does not exist")]
