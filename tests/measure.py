"""Run a command as a child and measure its own peak RSS and CPU time.

Linux carries a process's memory high-water mark across ``exec``: a child forked from a large
process (pytest holding a few hundred MB) reports at least the parent's RSS in ``wait4``, however
little the command itself uses. So the command is started by a small launcher (``python -S``,
about 10 MB): the launcher forks the command from its own small image and reports the command's
``wait4`` usage, which is then the command's alone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

_LAUNCHER = r"""
import json, os, signal, sys
report, argv = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
signal.signal(signal.SIGINT, lambda *_: os.kill(pid, signal.SIGINT))  # Ctrl-C goes to the command
_, status, ru = os.wait4(pid, 0)
with open(report, "w") as fh:
    json.dump({"status": status, "maxrss_kb": ru.ru_maxrss, "cpu": ru.ru_utime + ru.ru_stime}, fh)
if os.WIFSIGNALED(status):  # die the same way, so the caller sees the signal
    signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
    os.kill(os.getpid(), os.WTERMSIG(status))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def launcher(report: str, argv: list[str]) -> list[str]:
    """The command line that runs ``argv`` under the launcher, which writes its usage to ``report``."""
    return [sys.executable, "-S", "-c", _LAUNCHER, report, *argv]


def read_report(report: str) -> tuple[float, float] | None:
    """(peak RSS in MB, CPU seconds) of the command, or None if the launcher was killed first."""
    try:
        with open(report) as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return data["maxrss_kb"] / 1024, data["cpu"]


@dataclass
class Measured:
    returncode: int  # negative: killed by that signal (as subprocess reports it)
    maxrss_mb: float
    cpu_seconds: float
    seconds: float
    timed_out: bool = False


def run_measured(argv: list[str], *, timeout: float = 120, **popen: Any) -> Measured:
    """Run ``argv`` (Popen keyword arguments allowed, e.g. stdout, stderr, env, cwd, preexec_fn)."""
    fd, report = tempfile.mkstemp(prefix="hp-measure-", suffix=".json")
    os.close(fd)
    started = time.monotonic()
    timed_out = False
    try:
        proc = subprocess.Popen(launcher(report, argv), start_new_session=True, **popen)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        seconds = time.monotonic() - started
        usage = read_report(report)
    finally:
        os.unlink(report)
    if usage is None:  # killed before the launcher could report
        return Measured(proc.returncode, 0.0, 0.0, seconds, timed_out)
    return Measured(proc.returncode, usage[0], usage[1], seconds, timed_out)
