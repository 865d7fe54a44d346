"""Measure the XLSX cell readers: openpyxl read-only vs python-calamine, and our pre-scan.

    python bench/xlsx_readers.py [--rows 100000] [--cols 10]

Writes a workbook of ROWS x COLS (text, integers, floats, dates) to a temp folder, then runs
each mode in a fresh child process and prints wall seconds (imports excluded) and peak RSS (MB)
of that child:

    scan       ZIP + XML pre-checks and the worksheet byte scan (validator.readers.xlsx_scan)
    openpyxl   openpyxl read-only, iter_rows(values_only=True)
    calamine   python-calamine, iter_rows()
    reader-*   the whole XlsxReader (pre-scan + cells to text + chunks) with that engine
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time

MODES = ("scan", "openpyxl", "calamine", "reader-openpyxl", "reader-calamine")


def make(path: str, rows: int, cols: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Contacts")
    ws.append([f"col{i}" for i in range(cols)])
    day = dt.date(2024, 1, 1)
    for r in range(rows):
        row: list[object] = []
        for c in range(cols):
            kind = c % 4
            row.append(f"user{r}@example.com" if kind == 0 else r * 7 + c if kind == 1 else
                       r / 3 if kind == 2 else day + dt.timedelta(days=r % 365))
        ws.append(row)
    wb.save(path)


def measure(mode: str, path: str) -> int:
    cells = 0
    if mode == "scan":
        from validator.readers.xlsx_scan import open_zip, scan_workbook

        with open(path, "rb") as fh:
            zf = open_zip(fh, os.path.getsize(path))
            scan = scan_workbook(zf)
            cells = scan.scan.max_row * scan.scan.max_col
    elif mode == "openpyxl":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for row in wb.worksheets[0].iter_rows(values_only=True):
            cells += len(row)
        wb.close()
    elif mode == "calamine":
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(path)
        for row in wb.get_sheet_by_index(0).iter_rows():
            cells += len(row)
    else:
        from validator.readers.base import ReaderNotes
        from validator.readers.xlsx import XlsxReader

        reader = XlsxReader(open(path, "rb"), ReaderNotes(), size=os.path.getsize(path),  # noqa: SIM115 (the reader closes it)
                            engine=mode.split("-", 1)[1])
        for chunk in reader.chunks():
            cells += chunk.frame.size
        reader.close()
    return cells


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cols", type=int, default=10)
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "FILE"))
    args = parser.parse_args()
    if args.measure:
        import openpyxl  # noqa: F401  (imports are not what is measured)
        import python_calamine  # noqa: F401

        import validator.readers.xlsx  # noqa: F401

        started = time.perf_counter()
        cells = measure(*args.measure)
        seconds = time.perf_counter() - started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"{args.measure[0]:<16} {seconds:7.2f} s {rss:6d} MB  {cells:,} cells")
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.xlsx")
        started = time.perf_counter()
        make(path, args.rows, args.cols)
        size = os.path.getsize(path)
        print(f"workbook: {args.rows:,} rows x {args.cols} columns, {size / 1e6:.1f} MB "
              f"(written in {time.perf_counter() - started:.1f} s)")
        for mode in MODES:
            subprocess.run([sys.executable, __file__, "--measure", mode, path], check=False)


if __name__ == "__main__":
    main()
