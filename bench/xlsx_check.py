"""Benchmark: a whole ``hubspot-preflight check`` of an .xlsx against a python-calamine read of it.

    python bench/xlsx_check.py --rows 100000 --out bench/data/xlsx-100k [--repeat 5]

Writes (once; reused when present) ``contacts.xlsx``: the contacts of ``bench/generate.py``
(same columns and values, no planted problems) as a one-sheet workbook with typed cells (Create
Date as date cells, Annual Revenue as number cells, the rest text), written by openpyxl's
write-only mode (inline strings), and ``import.json`` naming it with ``fileFormat:
SPREADSHEET``. Then runs, alternately and ``--repeat`` times each, three fresh processes:

    check      hubspot-preflight check import.json --format json (every rule that applies)
    reader     the XLSX reader alone: pre-checks, cells to text, chunks (no rules)
    calamine   python-calamine opening the workbook and iterating every row

and prints median wall time, CPU time (user + system) and peak RSS of each, and the ratios of
check and reader to the calamine read (issue 7's target: check at most 1.5x).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CALAMINE = """
import sys
from python_calamine import CalamineWorkbook
rows = 0
for row in CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).iter_rows():
    rows += 1
print(rows)
"""
READER = """
import os, sys
from validator.readers.base import ReaderNotes
from validator.readers.xlsx import XlsxReader
reader = XlsxReader(open(sys.argv[1], "rb"), ReaderNotes(), size=os.path.getsize(sys.argv[1]),
                    date_format="MONTH_DAY_YEAR")
rows = sum(len(chunk) for chunk in reader.chunks())
reader.close()
print(rows)
"""


def make(out: Path, rows: int, seed: int) -> None:
    import openpyxl

    from bench.generate import Generator

    gen = Generator(rows, seed, wide=False)
    names = [name for name, _p in gen.columns]
    date_col, money_col = names.index("Create Date"), names.index("Annual Revenue")
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Contacts")
    ws.append(names)
    for i in range(rows):
        cells: list[Any] = list(gen.contact(i))
        m, d, y = (int(x) for x in cells[date_col].split("/"))
        cells[date_col] = dt.date(y, m, d)
        cells[money_col] = int(cells[money_col])
        ws.append(cells)
    out.mkdir(parents=True, exist_ok=True)
    wb.save(out / "contacts.xlsx")
    request = {"name": f"XLSX benchmark ({rows:,} contacts)", "dateFormat": "MONTH_DAY_YEAR",
               "importOperations": {"0-1": "UPSERT"},
               "files": [{"fileName": "contacts.xlsx", "fileFormat": "SPREADSHEET", "fileImportPage": {
                   "hasHeader": True, "columnMappings": [
                       {"columnObjectTypeId": "0-1", "columnName": c, "propertyName": p} for c, p in gen.columns]}}]}
    (out / "import.json").write_text(json.dumps(request, indent=2) + "\n", encoding="utf-8")


def run_child(cmd: list[str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS bytes) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {err.strip()[-400:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    book = args.out / "contacts.xlsx"
    if not book.exists():
        started = time.perf_counter()
        make(args.out, args.rows, args.seed)
        print(f"wrote {book} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    modes = {
        "check": [sys.executable, "-m", "validator", "check", str(args.out / "import.json"), "--format", "json",
                  "-o", os.devnull],
        "reader": [sys.executable, "-c", READER, str(book)],
        "calamine": [sys.executable, "-c", CALAMINE, str(book)],
    }
    runs: dict[str, list[tuple[float, float, int]]] = {m: [] for m in modes}
    for i in range(args.repeat):
        order = list(modes) if i % 2 == 0 else list(reversed(modes))
        for mode in order:
            runs[mode].append(run_child(modes[mode]))
    med = {m: (statistics.median(w for w, _c, _r in r), statistics.median(c for _w, c, _r in r),
               max(x for _w, _c, x in r)) for m, r in runs.items()}
    base_wall, base_cpu = med["calamine"][0], med["calamine"][1]
    print(f"workbook: {args.rows:,} rows x 13 columns, {book.stat().st_size / 1e6:.1f} MB; "
          f"{args.repeat} runs each, alternately; medians")
    print("| process | wall | CPU | peak RSS | wall / calamine | CPU / calamine |")
    print("|---|---|---|---|---|---|")
    for mode, (wall, cpu, rss) in med.items():
        print(f"| {mode} | {wall:.2f} s | {cpu:.2f} s | {rss / 2**20:.0f} MiB | {wall / base_wall:.2f}x | "
              f"{cpu / base_cpu:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
