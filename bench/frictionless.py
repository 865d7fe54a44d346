"""Benchmark: `frictionless validate` on the same generated files, with an equivalent schema.

    python bench/frictionless.py bench/data/contacts-1m --frictionless /path/to/bin/frictionless

frictionless is not a dependency of this project; install it anywhere (``python -m venv fl &&
fl/bin/pip install frictionless``) and pass its executable. For each data file of the import
the script writes a Table Schema equivalent to what the request maps (Email: an email, unique;
Create Date: a date in the request's MONTH_DAY_YEAR order; Annual Revenue: a number; Lifecycle
Stage: one of the generator's stages; every other column a string), runs ``frictionless validate
FILE --schema SCHEMA --json --limit-errors 1000000 --checks duplicate-row --trusted`` as a fresh process,
and prints wall time, CPU time, peak RSS, the rows frictionless read and, per planted problem of
``manifest.json``, whether an error of the matching kind names its row. There is no
cross-file check in a per-file validation, so the broken association key has no equivalent.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import STAGES
from run import run_child

# planted kind -> (frictionless error types that count, the field they must name or None)
MATCH: dict[str, tuple[tuple[str, ...], str | None]] = {
    "ragged_row": (("extra-cell", "missing-cell"), None),
    "blank_row": (("blank-row",), None),
    "bad_date": (("type-error",), "Create Date"),
    "bad_number": (("type-error",), "Annual Revenue"),
    "invalid_lifecycle_stage": (("constraint-error",), "Lifecycle Stage"),
    "invalid_email": (("type-error",), "Email"),
    "duplicate_email": (("unique-error",), "Email"),
    "invalid_utf8": (("encoding-error", "type-error", "constraint-error"), None),
    "bad_quote": (("extra-cell", "missing-cell", "source-error", "type-error"), None),
    "unclosed_quote": (("extra-cell", "missing-cell", "source-error", "type-error"), None),
}


def schema_for(header: list[str]) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    for name in header:
        field: dict[str, Any] = {"name": name, "type": "string"}
        if name == "Email":
            field.update(format="email", constraints={"unique": True})
        elif name == "Create Date":
            field.update(type="date", format="%m/%d/%Y")
        elif name == "Annual Revenue":
            field.update(type="number")
        elif name == "Lifecycle Stage":
            field.update(constraints={"enum": list(STAGES)})
        fields.append(field)
    return {"fields": fields}


def found(errors: list[dict[str, Any]], planted: dict[str, Any]) -> str:
    kind = planted["kind"]
    if kind not in MATCH:
        return "no equivalent"
    types, field = MATCH[kind]
    for e in errors:
        if e.get("type") in types and e.get("rowNumber") == planted["row"] and \
                (field is None or e.get("fieldName") == field):
            return "found"
    return "missed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--frictionless", required=True, help="the frictionless executable")
    parser.add_argument("--clean-copy", action="store_true",
                        help="validate copies whose undecodable bytes are replaced (frictionless stops at "
                             "the first one), so that it reads every row")
    args = parser.parse_args(argv)
    manifest = json.loads((args.folder / "manifest.json").read_text(encoding="utf-8"))
    total_wall = total_cpu = 0.0
    peak = 0
    states: dict[str, str] = {}
    rows_read: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(manifest["files"]):
            data = args.folder / name
            if args.clean_copy:
                copy = Path(tmp) / name
                copy.write_bytes(data.read_bytes().decode("utf-8", "replace").encode("utf-8"))
                data = copy
            with data.open(encoding="utf-8", errors="replace", newline="") as fh:
                header = next(csv.reader(fh))
            schema = Path(tmp) / f"{name}.schema.json"
            schema.write_text(json.dumps(schema_for(header)), encoding="utf-8")
            out = Path(tmp) / f"{name}.report.json"
            with out.open("wb") as fh:
                wall, rss, cpu = run_child([args.frictionless, "validate", str(data), "--schema", str(schema), "--json",
                                            "--limit-errors", "1000000", "--checks", "duplicate-row", "--trusted"],
                                           stdout=fh)
            total_wall, total_cpu, peak = total_wall + wall, total_cpu + cpu, max(peak, rss)
            report = json.loads(out.read_text(encoding="utf-8"))
            task = report["tasks"][0]
            rows_read[name] = int(task.get("stats", {}).get("rows") or 0)
            errors = task.get("errors", [])
            for p in manifest["planted"]:
                if p["file"] == name:
                    states[f"{p['kind']} ({name} row {p['row']})"] = found(errors, p)
    hits = sum(s == "found" for s in states.values())
    comparable = sum(s != "no equivalent" for s in states.values())
    how = " (copies, undecodable bytes replaced)" if args.clean_copy else ""
    print(f"frictionless on {args.folder.name}{how}: {total_wall:.2f} s wall, {total_cpu:.2f} s CPU, "
          f"peak RSS {peak / 2**20:.0f} MiB; rows read {rows_read}; "
          f"planted problems found at their row: {hits}/{comparable} comparable ({len(states)} planted)")
    for what, state in states.items():
        print(f"  {what}: {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
