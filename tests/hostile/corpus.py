"""Run the hostile-input harness over a folder of real-world broken files (kept outside the repo).

    python -m tests.hostile.corpus DIR [--jobs N] [--timeout S]

Every ``*.csv``, ``*.tsv``, ``*.txt``, ``*.xlsx``, ``*.xlsm``, ``*.xls`` under DIR is copied into a
fresh temporary folder (the original is never opened for writing) with an importRequest that maps
the columns of its first line, then checked by the CLI in a child process under the same outcome
model as the catalogue (exit 0/1/2, no traceback, no signal death, no hang, input unchanged, safe
output). Prints one line per file that breaks the model and a summary; exits 1 if any did.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.hostile.corpus", description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    files = sorted(p for p in args.folder.rglob("*") if p.is_file() and not p.is_symlink()
                   and p.suffix.lower() in SUFFIXES)
    exits: Counter[int] = Counter()
    bad = 0
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for path, o, problems in pool.map(lambda p: check(p, args.timeout), files):
            exits[o.returncode] += 1
            if problems:
                bad += 1
                print(f"{path}: {'; '.join(problems)}")
                print("    " + (o.err.strip().splitlines() or ["(no stderr)"])[-1][:300])
    summary = ", ".join(f"exit {k}: {v}" for k, v in sorted(exits.items()))
    print(f"{len(files)} files, {bad} broke the outcome model ({summary})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
