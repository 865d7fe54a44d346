"""Benchmark: duplicate Record IDs and emails across a large contacts file.

    python -m bench.duplicates [ROWS] [--without-identity]     (default 1,000,000 rows)

Writes a contacts CSV with a unique Record ID and email per row, except that the id of row
100,002 repeats in row 200,002 (100,000 rows apart) and one email repeats in other letter case,
then validates it and prints the findings of HS301/HS303, the time, and the peak memory.
``--without-identity`` runs without the HS3xx rules, for the baseline (run it as its own process:
peak RSS only grows).
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from validator import Config, validate


def write(folder: Path, rows: int) -> Path:
    with open(folder / "contacts.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write("Record ID,Email,First Name\n")
        for i in range(rows):
            rid = 100_001 if i == 200_000 else i + 1  # row i + 2: row 200,002 repeats row 100,002's id
            email = "User5@Example.com" if i == rows - 1 else f"user{i}@example.com"
            fh.write(f"{rid},{email},Name{i % 1000}\n")
    request = {"name": "bench", "files": [{"fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Record ID", "propertyName": "hs_object_id"},
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "First Name", "propertyName": "firstname"}]}}]}
    path = folder / "request.json"
    path.write_text(json.dumps(request))
    return path


def main(rows: int, identity: bool = True) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        request = write(Path(tmp), rows)
        size = (Path(tmp) / "contacts.csv").stat().st_size
        started = time.perf_counter()
        report = validate(request, config=Config(ignore=() if identity else ("HS3",)))
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for f in report.findings:
        if f.code in ("HS301", "HS303"):
            print(f"  {f.row}:{f.column} {f.code} {f.message}")
    print(f"{rows:,} rows, {size / 1e6:.1f} MB: {seconds:.1f} s, peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 1_000_000, identity="--without-identity" not in sys.argv)
