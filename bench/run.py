"""Benchmark: ``hubspot-preflight check`` against a one-thread pyarrow read of the same files.

    python bench/run.py bench/data/contacts-1m                 # a folder made by bench/generate.py
    python bench/run.py bench/data/c100k bench/data/contacts-1m --repeat 5 --startup
    python bench/run.py bench/data/contacts-1m --json results.json

For each folder it runs, alternately and ``--repeat`` times each, (a) ``hubspot-preflight check
import.json --format json`` and (b) a child Python that reads every CSV file the request names
with ``pyarrow.csv.read_csv`` (one thread, every column as string, quoted newlines on, bad rows
skipped, UTF-8 not checked so that the planted bytes do not stop it). Each is a fresh process:
wall time is measured around it and peak RSS is the child's own (``wait4`` rusage). It prints
the median times, their ratio, the check's peak RSS, and the recall of the planted problems
(``manifest.json``): a planted problem counts as found when the report has a finding with the
expected code at its exact file and row. False positives are findings of those codes at rows
nothing was planted in. ``--startup`` also times the small example import against
``python -c "import pandas, pyarrow"``.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "validator"]
SMALL = ROOT / "fixtures" / "examples" / "contacts" / "contacts.import.json"

# Planted kind -> the rule code that must report it at its row. A code this checkout's registry
# does not have yet counts as "no rule yet", not as a miss (rules land on other branches).
KIND_CODES: dict[str, str] = {
    "ragged_row": "HS110",
    "unclosed_quote": "HS111",
    "bad_quote": "HS112",
    "blank_row": "HS113",
    "invalid_utf8": "HS402",
    "bad_date": "HS201",  # unparseable-date
    "bad_number": "HS205",  # unparseable-number
    "invalid_lifecycle_stage": "HS208",  # invalid-enumeration-option
    "invalid_email": "HS212",  # invalid-email
    "duplicate_email": "HS301",  # duplicate-alternate-id
    "broken_association_key": "HS314",  # association-key-not-in-file
}


def known_codes() -> set[str]:
    from validator.checks import all_rules

    return set(all_rules())

READ = """
import csv, sys
import pyarrow as pa
from pyarrow import csv as pacsv
rows = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        names = next(csv.reader(fh))
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(use_threads=False),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=lambda row: "skip"),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, check_utf8=False),
    )
    rows += table.num_rows
print(rows)
"""


def run_child(cmd: list[str], stdout: Any = subprocess.DEVNULL) -> tuple[float, int, float]:
    """(wall seconds, peak RSS in bytes, CPU seconds) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {err.strip()[-400:]}")
    return wall, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def data_files(request: Path) -> list[Path]:
    spec = json.loads(request.read_text(encoding="utf-8"))
    return [request.parent / f["fileName"] for f in spec["files"]]


def recall(report: dict[str, Any], manifest: dict[str, Any], known: set[str] | None = None) -> dict[str, Any]:
    known = known_codes() if known is None else known
    codes_for = {k: c for k, c in KIND_CODES.items() if c in known}
    found = {(f["code"], f["file"], f["row"]) for f in report["findings"]}
    per_kind: dict[str, str] = {}
    hit = 0
    for p in manifest["planted"]:
        code = codes_for.get(p["kind"])
        if code is None:
            per_kind[p["kind"]] = "no rule yet"
            continue
        ok = (code, p["file"], p["row"]) in found
        hit += ok
        per_kind[p["kind"]] = f"{code} row {p['row']}: " + ("found" if ok else "MISSED")
    expected = {(codes_for[p["kind"]], p["file"], p["row"]) for p in manifest["planted"] if p["kind"] in codes_for}
    codes = set(codes_for.values())
    false = [(f["code"], f["file"], f["row"]) for f in report["findings"]
             if f["code"] in codes and f["row"] is not None and (f["code"], f["file"], f["row"]) not in expected]
    extra = sum(report.get("suppressed", {}).get(c, 0) for c in codes)
    return {"planted": len(manifest["planted"]), "checkable": len(expected), "found": hit,
            "false_positives": len(false) + extra, "false_examples": false[:5], "per_kind": per_kind}


def bench(folder: Path, repeat: int, reader: str) -> dict[str, Any]:
    request = folder / "import.json"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = data_files(request)
    checks: list[float] = []
    reads: list[float] = []
    rss_check: list[int] = []
    rss_read: list[int] = []
    cpu_check: list[float] = []
    cpu_read: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cmd = [*CLI, "check", str(request), "--format", "json", "-o", str(out), "--reader", reader]
        for i in range(repeat):
            order = ("check", "read") if i % 2 == 0 else ("read", "check")
            for what in order:
                if what == "check":
                    wall, rss, cpu = run_child(cmd)
                    checks.append(wall)
                    rss_check.append(rss)
                    cpu_check.append(cpu)
                else:
                    wall, rss, cpu = run_child([sys.executable, "-c", READ, *map(str, files)])
                    reads.append(wall)
                    rss_read.append(rss)
                    cpu_read.append(cpu)
        report = json.loads(out.read_text(encoding="utf-8"))
    check_s, read_s = statistics.median(checks), statistics.median(reads)
    return {
        "folder": str(folder), "rows": manifest["rows"], "columns": manifest["columns"],
        "bytes": sum(f.stat().st_size for f in files), "check_s": check_s, "read_s": read_s,
        "ratio": check_s / read_s, "check_rss": max(rss_check), "read_rss": max(rss_read),
        "check_cpu": statistics.median(cpu_check), "read_cpu": statistics.median(cpu_read),
        "cpu_ratio": statistics.median(cpu_check) / statistics.median(cpu_read),
        "check_best": min(checks), "read_best": min(reads), "best_ratio": min(checks) / min(reads),
        "checks": checks, "reads": reads, "readers": sorted({f.get("reader") for f in report["files"]}),
        "recall": recall(report, manifest),
    }


def startup(repeat: int) -> dict[str, Any]:
    small: list[float] = []
    imports: list[float] = []
    for i in range(repeat):
        pair = [("check", [*CLI, "check", str(SMALL)]), ("import", [sys.executable, "-c", "import pandas, pyarrow"])]
        for what, cmd in pair if i % 2 == 0 else reversed(pair):
            (small if what == "check" else imports).append(run_child(cmd)[0])
    s, b = statistics.median(small), statistics.median(imports)
    return {"check_s": s, "import_s": b, "ratio": s / b}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import pandas
    import pyarrow
    return (f"{cpu}, {os.cpu_count()} cores{mem}; Python {platform.python_version()}, "
            f"pandas {pandas.__version__}, pyarrow {pyarrow.__version__}")


def table(results: list[dict[str, Any]], start: dict[str, Any] | None) -> str:
    out = ["| file | rows x cols | size | check: median (best) | pyarrow read: median (best) | ratio of medians "
           "| ratio of bests | ratio of CPU time | check peak RSS | recall (checkable) | false pos. |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        rc = r["recall"]
        out.append(
            f"| {Path(r['folder']).name} | {r['rows']:,} x {r['columns']} | {r['bytes'] / 1e6:.0f} MB | "
            f"{r['check_s']:.2f} s ({r['check_best']:.2f} s) | {r['read_s']:.2f} s ({r['read_best']:.2f} s) | "
            f"{r['ratio']:.2f}x | {r['best_ratio']:.2f}x | {r['cpu_ratio']:.2f}x | "
            f"{r['check_rss'] / 2**20:.0f} MiB | "
            f"{rc['found']}/{rc['checkable']} ({rc['planted']} planted) | {rc['false_positives']} |")
    if start:
        out.append("")
        out.append(f"Small example import, whole process: {start['check_s']:.2f} s against "
                   f"{start['import_s']:.2f} s for `python -c \"import pandas, pyarrow\"` ({start['ratio']:.2f}x).")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="folders written by bench/generate.py")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side (default 3)")
    parser.add_argument("--reader", default="auto", choices=["auto", "fast", "exact"])
    parser.add_argument("--startup", action="store_true", help="also time the small example import")
    parser.add_argument("--json", type=Path, help="write all measurements here")
    args = parser.parse_args(argv)
    # An installed package has its bytecode compiled (pip does it); a checkout run with
    # PYTHONDONTWRITEBYTECODE would otherwise compile every module on every start.
    compileall.compile_dir(ROOT / "validator", quiet=1)
    results = []
    for folder in args.folders:
        r = bench(folder, args.repeat, args.reader)
        results.append(r)
        print(f"{folder}: check {r['check_s']:.2f} s, read {r['read_s']:.2f} s ({r['ratio']:.2f}x; "
              f"CPU {r['check_cpu']:.2f} s vs {r['read_cpu']:.2f} s, {r['cpu_ratio']:.2f}x), "
              f"peak RSS {r['check_rss'] / 2**20:.0f} MiB, readers {r['readers']}", file=sys.stderr)
        for kind, state in r["recall"]["per_kind"].items():
            print(f"  {kind}: {state}", file=sys.stderr)
    start = startup(max(args.repeat, 5)) if args.startup else None
    print(f"Machine: {machine()}\n")
    print(table(results, start))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": results, "startup": start}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
