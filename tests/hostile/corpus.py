"""Run the hostile-input harness over a folder of real-world broken files (kept outside the repo).

    python -m tests.hostile.corpus DIR [--jobs N] [--timeout S] [--sample N [--seed S]]

Every ``*.csv``, ``*.tsv``, ``*.txt``, ``*.xlsx``, ``*.xlsm``, ``*.xls`` under DIR is copied into a
fresh temporary folder (the original is never opened for writing) with an importRequest that maps
the columns of its first line, then checked by the CLI in a child process under the same outcome
model as the catalogue (exit 0/1/2, no traceback, no signal death, no hang, input unchanged, safe
output). Prints one line per file that breaks the model, a summary per source (the first folder
under DIR) and in all; exits 1 if any did. ``--sample N`` checks a seeded random N of the files.
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
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
