"""Benchmark: value rules on a typed 100,000-row file against a plain read of the same file.

    python -m bench.values [ROWS]

Writes a deals-and-dates CSV (dates, datetimes, numbers, percentages, enumerations, checkboxes,
emails, domains, owners) into a temporary folder, then times
  1. a plain read: the exact CSV reader with only structural rules (HS1xx) selected;
  2. the full check: every rule, HS2xx value rules included;
  3. pandas.read_csv(dtype=str) of the same file, for scale.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from validator import Config, validate

HEADER = ["Email", "First Name", "Phone", "Lifecycle Stage", "Lead Status", "Close Date", "Created",
          "Employees", "Owner", "Company", "Domain", "Revenue", "Public"]
MAPPINGS = [
    ("0-1", "Email", "email"), ("0-1", "First Name", "firstname"), ("0-1", "Phone", "phone"),
    ("0-1", "Lifecycle Stage", "lifecyclestage"), ("0-1", "Lead Status", "hs_lead_status"),
    ("0-1", "Close Date", "closedate"), ("0-1", "Created", "createdate"), ("0-1", "Employees", "numemployees"),
    ("0-1", "Owner", "hubspot_owner_id"), ("0-2", "Company", "name"), ("0-2", "Domain", "domain"),
    ("0-2", "Revenue", "annualrevenue"), ("0-2", "Public", "is_public"),
]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    stages = ["lead", "Customer", "subscriber", "opportunity", "Hot lead"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\n")
        for i in range(rows):
            m, d = rnd.randint(1, 12), rnd.randint(1, 31)
            fh.write(",".join([
                f"user{i}@example{i % 97}.com" if i % 500 else f"user{i}@bad",
                f"Name{i}", f"+1415555{i % 10000:04d}", rnd.choice(stages), rnd.choice(["NEW", "OPEN", ""]),
                f"{m:02d}/{d:02d}/20{rnd.randint(10, 29)}", f"{m}/{min(d, 28)}/2024 {rnd.randint(1, 12)}:30 PM",
                rnd.choice(["1-5", "25-50", "1000+"]), str(1_700_000_000_000 + i), f"Company {i % 300}",
                f"company{i % 300}.com", f"{rnd.randint(1, 10**7)}.{rnd.randint(0, 99):02d}",
                rnd.choice(["True", "false", "Yes", "no"]),
            ]) + "\n")
    request = {"name": "bench", "files": [{"fileName": path.name, "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": o, "columnName": c, "propertyName": p} for o, c, p in MAPPINGS]}}]}
    path.with_suffix(".import.json").write_text(json.dumps(request))


def timed(label: str, fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    extra = f", {sum(result.counts.values()):,} findings" if hasattr(result, "counts") else ""
    print(f"{label:<40} {seconds:6.2f} s{extra}")
    return seconds


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "contacts.csv"
        generate(path, rows)
        request = path.with_suffix(".import.json")
        print(f"{rows:,} rows, {len(HEADER)} typed columns, {path.stat().st_size / 1e6:.1f} MB")
        timed("pandas.read_csv(dtype=str)", lambda: pd.read_csv(path, dtype=str, keep_default_na=False))
        timed("plain read (structural rules HS1xx)", lambda: validate(request, config=Config(select=("HS1",))))
        timed("full check (all rules)", lambda: validate(request))


if __name__ == "__main__":
    main()
