"""Run the hostile-input harness over a folder of real-world broken files (kept outside the repo).

    python -m tests.hostile.corpus DIR [--jobs N] [--timeout S] [--sample N [--seed S]] [--rows] [--readers]

Every ``*.csv``, ``*.tsv``, ``*.txt``, ``*.xlsx``, ``*.xlsm``, ``*.xls`` under DIR is copied into a
fresh temporary folder (the original is never opened for writing) with an importRequest that maps
the columns of its first line, then checked by the CLI in a child process under the same outcome
model as the catalogue (exit 0/1/2, no traceback, no signal death, no hang, input unchanged, safe
output). Prints one line per file that breaks the model, a summary per source (the first folder
under DIR) and in all; exits 1 if any did. ``--sample N`` checks a seeded random N of the files.

``--rows`` then checks where structural problems are reported, for every CSV file that the
standard library's strict ``csv`` reader parses (with the delimiter and encoding the validator
chose): each record whose field count differs from the header's must be an HS110 finding at
that row, each run of blank records an HS113 at the run's first row, and nothing else.

``--readers`` checks every CSV/TSV file through both CSV readers (the fast one forced, 7-row
chunks), and the fast one again with two rule threads (reading ahead), and requires identical
reports.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.hostile.generate import Case, request
from tests.hostile.harness import Outcome, run_case, safety_problems

SUFFIXES = {".csv": "CSV", ".tsv": "CSV", ".txt": "CSV", ".xlsx": "SPREADSHEET", ".xlsm": "SPREADSHEET",
            ".xls": "SPREADSHEET"}


def columns_of(data: bytes) -> list[str]:
    """Header names from the first line (at most 64 KB of it), or a single placeholder."""
    first = data[:65536].splitlines()[0] if data.strip() else b""
    text = first.decode("utf-8", "replace").lstrip("\ufeff")
    delimiter = max(",;\t|", key=text.count)
    try:
        names = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except (csv.Error, StopIteration):
        names = []
    names = [n for n in dict.fromkeys(names) if n][:999]
    return names or ["Column 1"]


def corpus_case(path: Path) -> Case:
    data = path.read_bytes()
    fmt = SUFFIXES[path.suffix.lower()]
    name = "data" + path.suffix.lower()
    cols = columns_of(data) if fmt == "CSV" else ["Column 1"]
    return Case(f"corpus:{path}", {name: data}, request({name: cols}, fmt=fmt), timeout=60.0)


def check(path: Path, timeout: float) -> tuple[Path, Outcome, list[str]]:
    c = corpus_case(path)
    c.timeout = timeout
    with tempfile.TemporaryDirectory(prefix="corpus-") as tmp:
        o = run_case(c, Path(tmp))
    return path, o, safety_problems(c, o)


def row_problems(path: Path) -> tuple[str, list[str]]:
    """("checked" | "skipped: why", problems) for the structural findings of one CSV file."""
    from validator import Config, validate

    data = path.read_bytes()
    cols = columns_of(data)
    name = "data" + path.suffix.lower()
    report = validate(request({name: cols}), files={name: io.BytesIO(data)}, base_dir=path.parent,
                      config=Config(max_per_rule=1_000_000, select=("HS1",)))
    stats = report.files[0] if report.files else None
    if report.refusals or stats is None or stats.kind != "csv" or not stats.delimiter or not stats.encoding:
        return "skipped: not read as CSV", []
    if any(f.code in ("HS111", "HS112", "HS114") for f in report.findings):
        return "skipped: quote or size findings (the strict reader cannot agree)", []
    try:
        text = data.decode(stats.encoding, "replace")  # a mis-encoded cell changes no structure
        records = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=stats.delimiter,
                                  strict=True))
    except (csv.Error, UnicodeError, LookupError) as exc:
        return f"skipped: {type(exc).__name__}", []
    if not records:
        return "skipped: no records", []
    width = len(records[0])
    ragged = {row for row, rec in enumerate(records, start=1) if rec and row > 1 and len(rec) != width}
    # a blank record with the wrong field count (",,,," under three columns) is reported as ragged
    blank = [row > 1 and row not in ragged and not any(c.strip() for c in rec)
             for row, rec in enumerate(records, start=1)]
    runs = {row for row, b in enumerate(blank, start=1) if b and not blank[row - 2]}
    found_ragged = {f.row or 0 for f in report.findings if f.code == "HS110"}
    found_blank = {f.row or 0 for f in report.findings if f.code == "HS113"}
    problems = []
    if found_ragged != ragged:
        problems.append(f"HS110 rows {sorted(found_ragged)[:10]}, expected {sorted(ragged)[:10]}")
    if found_blank != runs:
        problems.append(f"HS113 rows {sorted(found_blank)[:10]}, expected {sorted(runs)[:10]}")
    return "checked", problems


def readers_differ(path: Path) -> bool:
    """Whether the fast CSV reader (forced) and the exact one give different reports, or the fast
    one with two rule threads (the second reading each next chunk ahead) another one."""
    from validator import Config, validate

    data = path.read_bytes()
    name = "data" + path.suffix.lower()

    def report(reader: str, threads: int = 1) -> dict[str, Any]:
        out = validate(request({name: columns_of(data)}), files={name: io.BytesIO(data)}, base_dir=path.parent,
                       config=Config(reader=reader, chunk_rows=7, threads=threads)).to_dict()
        out.pop("seconds", None)
        out["summary"].pop("seconds", None)
        for f in out["files"]:
            f.pop("seconds", None)
            f.pop("reader", None)
        return out
    fast = report("fast")
    return fast != report("exact") or fast != report("fast", threads=2)


def source_of(path: Path, top: Path) -> str:
    parts = path.relative_to(top).parts
    return parts[0] if len(parts) > 1 else "."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.hostile.corpus", description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--sample", type=int, default=0, help="check only a random N of the files")
    parser.add_argument("--seed", type=int, default=0, help="seed of --sample")
    parser.add_argument("--rows", action="store_true", help="also check the rows of structural findings")
    parser.add_argument("--readers", action="store_true", help="also hold the two CSV readers to one report")
    args = parser.parse_args(argv)
    files = sorted(p for p in args.folder.rglob("*") if p.is_file() and not p.is_symlink()
                   and p.suffix.lower() in SUFFIXES)
    if args.sample and args.sample < len(files):
        files = sorted(random.Random(args.seed).sample(files, args.sample))
    exits: Counter[int] = Counter()
    by_source: dict[str, Counter[str]] = {}
    bad = 0
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for path, o, problems in pool.map(lambda p: check(p, args.timeout), files):
            exits[o.returncode] += 1
            counts = by_source.setdefault(source_of(path, args.folder), Counter())
            counts[f"exit {o.returncode}"] += 1
            counts[path.suffix.lower()] += 1
            if problems:
                bad += 1
                counts["broke the model"] += 1
                print(f"{path}: {'; '.join(problems)}")
                print("    " + (o.err.strip().splitlines() or ["(no stderr)"])[-1][:300])
    for source, counts in sorted(by_source.items()):
        total = sum(v for k, v in counts.items() if k.startswith("exit"))
        print(f"  {source}: {total} files (" + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + ")")
    summary = ", ".join(f"exit {k}: {v}" for k, v in sorted(exits.items()))
    print(f"{len(files)} files, {bad} broke the outcome model ({summary}) in {time.monotonic() - started:.0f} s")
    misplaced = 0
    if args.rows:
        verdicts: Counter[str] = Counter()
        for path in files:
            if SUFFIXES[path.suffix.lower()] != "CSV":
                continue
            verdict, problems = row_problems(path)
            verdicts[verdict] += 1
            if problems:
                misplaced += 1
                print(f"{path}: {'; '.join(problems)}")
        checked = verdicts.pop("checked", 0)
        print(f"rows: {checked} CSV files checked against the strict csv reader, {misplaced} with a structural "
              f"finding at the wrong row or missing; skipped: "
              + (", ".join(f"{v} {k.removeprefix('skipped: ')}" for k, v in sorted(verdicts.items())) or "none"))
    differ = 0
    if args.readers:
        text = [p for p in files if SUFFIXES[p.suffix.lower()] == "CSV"]
        for path in text:
            if readers_differ(path):
                differ += 1
                print(f"{path}: the fast and exact readers report differently")
        print(f"readers: {len(text)} CSV files through both readers, {differ} with different reports")
    return 1 if bad or misplaced or differ else 0


if __name__ == "__main__":
    sys.exit(main())
