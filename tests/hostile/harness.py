"""Run one hostile case through the real command line in a child process and judge the outcome.

The child gets a wall-clock deadline and an address-space limit (RLIMIT_AS); its peak RSS comes
from ``wait4``. Before and after, every file in the case folder and its sibling ``outside``
folder is snapshotted (sha256, size, mode, mtime_ns, listing) without opening anything that is
not a regular file, so a FIFO in a fixture can never hang the harness itself.
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import signal
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.hostile.generate import Case, materialise
from tests.measure import launcher, read_report

ROOT = Path(__file__).resolve().parents[2]
ADDRESS_SPACE = 3 << 30  # bytes; a bomb that gets past us dies here instead of taking the box
BOUND_SECONDS = 2.0  # M4: a refusal of an over-limit or bomb input
HASH_LIMIT = 64 << 20  # bigger (sparse) files are compared by size and mtime only
BOUND_MB = 100.0  # M4: ... and its memory, measured above the CLI's own baseline

# Output must never carry these raw (M14, J4): C0 except TAB/LF/CR, DEL, C1, bidi controls.
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]")
FINDING = re.compile(r"^\s+(line \d+|\S+)\s+(?:error|warning|info)\s+(HS\d{3})\b", re.M)
CODE = re.compile(r"\bHS\d{3}\b")


@dataclass
class Outcome:
    returncode: int
    stdout: bytes
    stderr: bytes
    seconds: float
    maxrss_mb: float
    timed_out: bool = False
    cpu_seconds: float = 0.0  # user + system time of the child: what a bound can hold on a busy machine
    changes: list[str] = field(default_factory=list)

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "surrogateescape")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "surrogateescape")

    def codes(self) -> set[str]:
        return set(CODE.findall(self.out))

    def located(self) -> set[str]:
        return {f"{code}@{loc}" for loc, code in FINDING.findall(self.out)}

    def count(self, code: str) -> int:
        return sum(1 for _loc, c in FINDING.findall(self.out) if c == code)

    def describe(self) -> str:
        return (f"exit {self.returncode} in {self.seconds:.2f} s, {self.maxrss_mb:.0f} MB\n"
                f"--- stdout ---\n{self.out[-3000:]}\n--- stderr ---\n{self.err[-3000:]}")


def snapshot(*folders: Path) -> dict[str, tuple[object, ...]]:
    """Identity of everything under the folders; regular files by content, others by lstat."""
    out: dict[str, tuple[object, ...]] = {}
    for top in folders:
        for dirpath, dirnames, filenames in os.walk(top):
            for name in [*dirnames, *filenames]:
                path = os.path.join(dirpath, name)
                st = os.lstat(path)
                digest = ""
                if stat.S_ISREG(st.st_mode) and st.st_size <= HASH_LIMIT and os.access(path, os.R_OK):
                    digest = _sha256(path)
                out[path] = (stat.S_IFMT(st.st_mode), st.st_mode, st.st_size, st.st_mtime_ns, digest)
    return out


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def child_env(extra: dict[str, str] | None = None, tmpdir: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LC_", "HUBSPOT_PREFLIGHT"))}
    env.update({"PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8", "PYTHONPATH": str(ROOT),
                "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"})
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    env.update(extra or {})
    return env


def run_cli(args: list[str | bytes], cwd: Path, *, env: dict[str, str], timeout: float,
            close_stdout: bool = False, interrupt_after: float | None = None) -> Outcome:
    """``python -m validator check ARGS`` with rlimits; never raises for the child's behaviour."""
    out_path, err_path = cwd.parent / ".stdout", cwd.parent / ".stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        stdout: int | object = out
        read_end = None
        if close_stdout:
            read_end, write_end = os.pipe()
            os.close(read_end)
            stdout = write_end
        started = time.monotonic()
        # the launcher (tests/measure.py) reports the CLI's own peak RSS and CPU time: a child
        # forked straight from pytest would report pytest's high-water mark instead
        report = str(cwd.parent / ".usage")
        proc = subprocess.Popen(launcher(report, [sys.executable, "-m", "validator", "check", *args]),
                                cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=err,
                                preexec_fn=_limits, start_new_session=True)
        if close_stdout:
            os.close(write_end)
        status, timed_out, interrupted = 0, False, False
        while True:
            pid, status, _usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            elapsed = time.monotonic() - started
            if interrupt_after is not None and not interrupted and elapsed >= interrupt_after:
                proc.send_signal(signal.SIGINT)
                interrupted = True
            if elapsed > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                _, status, _usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    own = read_report(report)
    Path(report).unlink(missing_ok=True)
    outcome = Outcome(proc.returncode, out_path.read_bytes(), err_path.read_bytes(), seconds,
                      own[0] if own else 0.0, timed_out, cpu_seconds=own[1] if own else 0.0)
    out_path.unlink()
    err_path.unlink()
    return outcome


def run_case(c: Case, tmp: Path) -> Outcome:
    folder, outside, tmpdir = tmp / "case", tmp / "outside", tmp / "tmp"
    tmpdir.mkdir(parents=True, exist_ok=True)
    args = materialise(c, folder, outside)
    before = snapshot(folder, outside, tmpdir)
    stop = threading.Event()
    worker = None
    if c.during is not None:
        during = c.during
        worker = threading.Thread(target=lambda: stop.wait(0.2) or during(folder, stop), daemon=True)
        worker.start()
    try:
        outcome = run_cli(args, folder, env=child_env(c.env, tmpdir), timeout=c.timeout,
                          close_stdout=c.close_stdout, interrupt_after=c.interrupt_after)
    finally:
        stop.set()
        if worker is not None:
            worker.join()
    after = snapshot(folder, outside, tmpdir)
    if not c.mutates:
        outcome.changes = [f"{p}: {'added' if p not in before else 'removed' if p not in after else 'changed'}"
                           for p in sorted(set(before) | set(after)) if before.get(p) != after.get(p)]
    else:
        outcome.changes = [f"{p}: added" for p in sorted(set(after) - set(before))]
    return outcome


def safety_problems(c: Case, o: Outcome) -> list[str]:
    """The outcome model every case must meet, whatever its specific expectation (M2-M4, M7, M14)."""
    problems = []
    if o.timed_out:
        problems.append(f"no result within {c.timeout} s (hang)")
    elif o.returncode < 0:
        problems.append(f"killed by signal {-o.returncode}")
    elif o.returncode not in (0, 1, 2) and not (c.interrupt_after and o.returncode == 130):
        problems.append(f"exit {o.returncode}, not 0, 1 or 2")
    if b"Traceback" in o.stderr or b"Traceback" in o.stdout:
        problems.append("traceback in the output")
    if b"internal error" in o.stderr:
        problems.append("internal error (a bug)")
    problems += o.changes
    for name, text in (("stdout", o.out), ("stderr", o.err)):
        m = UNSAFE.search(text)
        if m:
            problems.append(f"{name} carries raw control or bidi character U+{ord(m.group()):04X}")
    return problems


def expectation_problems(expect: dict[str, Any], o: Outcome) -> list[str]:
    """What a case's ``expect`` (or ``pending``) table asks for and the outcome does not show."""
    problems = []
    if "exit" in expect and o.returncode not in expect["exit"]:
        problems.append(f"exit {o.returncode}, expected one of {expect['exit']}")
    if expect.get("refused"):
        if o.returncode != 2:
            problems.append(f"exit {o.returncode}, expected 2 (refused)")
        if not re.search(r"refused|error:", o.err):
            problems.append("no one-line refusal on stderr")
        if len([line for line in o.err.splitlines() if line.strip()]) > 20:
            problems.append("refusal is not short")
    codes = o.codes()
    for prefix in expect.get("codes", []):
        if not any(c.startswith(prefix) for c in codes):
            problems.append(f"no {prefix}* finding (found {sorted(codes)})")
    for prefix in expect.get("absent", []):
        hit = sorted(c for c in codes if c.startswith(prefix))
        if hit:
            problems.append(f"unexpected {hit}")
    located = o.located()
    for want in expect.get("at", []):
        prefix, _, loc = want.partition("@")
        if not any(got.startswith(prefix) and got.split("@", 1)[1] == loc for got in located):
            problems.append(f"no {prefix}* finding at {loc}")
    for code, n in expect.get("count", {}).items():
        if o.count(code) != n:
            problems.append(f"{o.count(code)} {code} finding(s), expected {n}")
    for key, text in (("stdout", o.out), ("stderr", o.err)):
        for pattern in expect.get(key, []):
            if not re.search(pattern, text):
                problems.append(f"{key} does not match {pattern!r}")
    for pattern in expect.get("not_stdout", []):
        if re.search(pattern, o.out + o.err):
            problems.append(f"output matches {pattern!r}")
    if "rss_mb" in expect and o.maxrss_mb > expect["rss_mb"]:
        problems.append(f"peak RSS {o.maxrss_mb:.0f} MB > {expect['rss_mb']} MB")
    return problems
