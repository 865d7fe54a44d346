"""Benchmark: files that are valid CSV but not the clean UTF-8 kind, checked whole.

    python bench/dialects.py bench/data/contacts-1m --out bench/data/dialects [--repeat 3] [--exact]

From a folder written by ``bench/generate.py`` (``import.json``, ``contacts.csv``,
``companies.csv``) it writes, once (reused when present), one folder per variant of the
contacts file, each with the same request and companies file:

    cp1252      the contacts saved as Windows-1252 (Excel on Windows' "CSV"): every accented
                letter becomes one byte that is not UTF-8
    stray       a nickname after the first name of every 50th row that has no quote in it
                (``Ann "Bo",``): a stray quote inside an unquoted field, text to every parser
    cr          lines ending in a lone carriage return (old Mac files, Excel for Mac's "CSV")
    one-column  the Email column alone, mapped alone (a list of addresses)
    ragged      a delimiter at the end of every line after the header (an export that ends
                rows with a comma): every row has one field too many, HubSpot rejects them all

and times ``hubspot-preflight check`` on each (``--repeat`` fresh processes, median wall and CPU
time, peak RSS; which reader read the contacts). With ``--exact`` each variant is also checked
once with the exact reader forced, and the two JSON reports must be identical but for times
(exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import run_child  # noqa: E402

VARIANTS = ("cp1252", "stray", "cr", "one-column", "ragged")


def _cp1252(data: bytes) -> bytes:
    """Windows-1252 bytes of the text; bytes that were not UTF-8 stay as they were, and a line
    with a character Windows-1252 lacks gets a ``?`` for it (as Excel writes it)."""
    text = data.decode("utf-8", "surrogateescape")
    out = bytearray()
    for piece in text.splitlines(keepends=True):
        try:
            out += piece.encode("cp1252", "surrogateescape")
        except UnicodeEncodeError:
            out += piece.encode("cp1252", "replace")
    return bytes(out)


def _stray(data: bytes) -> bytes:
    lines = data.split(b"\n")
    for i in range(50, len(lines), 50):
        parts = lines[i].split(b",", 2)
        if b'"' not in lines[i] and len(parts) == 3:
            lines[i] = parts[0] + b"," + parts[1] + b' "Bo",' + parts[2]
    return b"\n".join(lines)


def _ragged(data: bytes) -> bytes:
    head, _, body = data.partition(b"\r\n")
    return head + b"\r\n" + body.replace(b"\r\n", b",\r\n")


def _cr(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")


def _one_column(data: bytes) -> bytes:
    import csv
    import io

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    for record in csv.reader(io.StringIO(data.decode("utf-8", "surrogateescape"), newline="")):
        if record:
            writer.writerow(record[:1])
    return out.getvalue().encode("utf-8", "surrogateescape")


def make(source: Path, out: Path, variant: str) -> Path:
    folder = out / variant
    if (folder / "import.json").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    data = (source / "contacts.csv").read_bytes()
    request = json.loads((source / "import.json").read_text(encoding="utf-8"))
    if variant == "one-column":
        data = _one_column(data)
        contacts = next(f for f in request["files"] if f["fileName"] == "contacts.csv")
        page = contacts["fileImportPage"]
        page["columnMappings"] = [m for m in page["columnMappings"] if m["columnName"] == "Email"]
        request["files"] = [contacts]
    else:
        data = {"cp1252": _cp1252, "stray": _stray, "cr": _cr, "ragged": _ragged}[variant](data)
        shutil.copy(source / "companies.csv", folder / "companies.csv")
    (folder / "contacts.csv").write_bytes(data)
    (folder / "import.json").write_text(json.dumps(request, indent=2), encoding="utf-8")
    return folder


def check(folder: Path, reader: str, report: Path) -> tuple[float, int, float]:
    return run_child([sys.executable, "-m", "validator", "check", str(folder / "import.json"), "--format", "json",
                      "-o", str(report), "--reader", reader])


def comparable(report: Path) -> dict[str, Any]:
    data = json.loads(report.read_text(encoding="utf-8"))
    data["summary"].pop("seconds", None)
    for f in data["files"]:
        f.pop("seconds", None)
        f.pop("reader", None)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="a folder written by bench/generate.py")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--exact", action="store_true", help="also check with the exact reader; reports must match")
    parser.add_argument("--only", choices=VARIANTS, action="append")
    parser.add_argument("--make-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    variants = args.only or VARIANTS
    if args.make_only:
        for variant in variants:
            make(args.source, args.out, variant)
        return 0
    # the variants are written by a child: a process that held the files would pass its peak RSS
    # on to every check it starts (Linux counts a child's memory before exec in its maximum)
    subprocess.run([sys.executable, __file__, str(args.source), "--out", str(args.out), "--make-only",
                    *(f"--only={v}" for v in variants)], check=True)
    failed = False
    print("| file | check (median wall) | CPU | peak RSS | reader | same report as the exact reader |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        fast, exact = Path(tmp) / "auto.json", Path(tmp) / "exact.json"
        for variant in variants:
            folder = args.out / variant
            runs = [check(folder, "auto", fast) for _ in range(args.repeat)]
            used = next(f["reader"] for f in json.loads(fast.read_text(encoding="utf-8"))["files"]
                        if f["name"] == "contacts.csv")
            same = "not compared"
            if args.exact:
                wall, _rss, _cpu = check(folder, "exact", exact)
                ok = comparable(fast) == comparable(exact)
                failed |= not ok
                same = f"{'yes' if ok else 'NO'} (exact reader: {wall:.1f} s)"
            size = (folder / "contacts.csv").stat().st_size / 1e6
            median_wall = statistics.median(w for w, _r, _c in runs)
            median_cpu = statistics.median(c for _w, _r, c in runs)
            print(f"| {variant} ({size:.0f} MB) | {median_wall:.2f} s | {median_cpu:.2f} s | "
                  f"{max(r for _w, r, _c in runs) / 2**20:.0f} MiB | {used} | {same} |", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
