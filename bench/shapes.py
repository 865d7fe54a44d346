"""Benchmark: data shapes that once cost a rule or the reader far more than the plain file.

    python bench/shapes.py bench/data/contacts-100k --out bench/data/shapes [--repeat 3] [--only NAME]

From a folder written by ``bench/generate.py`` (``import.json``, ``contacts.csv``,
``companies.csv``) it writes, once (reused when present), one folder per shape of the contacts
file, each with the same request and companies file (the planted problems stay: one cell holds
bytes that are not UTF-8, which turns on HS403's look for cells valid UTF-8 by accident):

    plain           the file as generated
    quoted          every value quoted (many exporters' way)
    cyrillic        first and last names and cities in Cyrillic
    cjk             first and last names in Chinese, city 東京
    dvorak          last name Dvořák (two characters past ASCII side by side) in every row
    euros           annual revenue as `1.234.567 €`, every amount distinct
    cp1252          the file saved as Windows-1252 (Excel on Windows' "CSV")
    dates-dmy       create dates as DD/MM/YYYY under MONTH_DAY_YEAR: most cells bad, none with a letter
    spaces          a space before and after every value
    long-notes      notes of ~1,500 characters, a sixth of them ending in a space
    dup-emails      every email address twice, the second time in other letter case
    wide-120        120 mapped columns of short cells (its own rows: as many as the source's)
    wide-500        500 mapped columns, nine in ten cells empty (its own rows: 2/5 of the source's)
    export-500      a CRM export: the source's 13 columns, then 487 custom properties, 60 of them
                    filled in one row in ten and the rest empty throughout (2/5 of the source's rows)
    export-500-xlsx     the same as a workbook written by openpyxl (text cells; empty cells not written)
    export-500-mixed    the same workbook, its custom columns mixing number cells (7) and text cells

and times ``hubspot-preflight check`` on each against a one-thread ``pyarrow.csv.read_csv`` of
the same files (``bench/run.py``'s; a workbook: python-calamine's read of every row, as
``bench/xlsx_check.py``'s), alternately, ``--repeat`` fresh processes of each: median
wall and CPU time, their ratio, peak RSS. Each shape names the change that took its cliff away
in bench/HISTORY.md (rounds 31 and 32).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import CLI, READ, data_files, run_child  # noqa: E402

Rows = list[list[str]]
SHAPES = ("plain", "quoted", "cyrillic", "cjk", "dvorak", "euros", "cp1252", "dates-dmy", "spaces",
          "long-notes", "dup-emails", "wide-120", "wide-500", "export-500", "export-500-xlsx", "export-500-mixed")
# the baseline read of a shape's files: pyarrow's of each CSV file (bench/run.py's), then
# python-calamine's of each workbook, every row (bench/xlsx_check.py's), in one process
READ_ANY = """
import sys
books = [p for p in sys.argv[1:] if p.endswith(".xlsx")]
sys.argv[1:] = [p for p in sys.argv[1:] if not p.endswith(".xlsx")]
""" + READ + """
from python_calamine import CalamineWorkbook
for book in books:
    for row in CalamineWorkbook.from_path(book).get_sheet_by_index(0).iter_rows():
        rows += 1
print(rows)
"""

CYRILLIC_FIRST = ["Иван", "Пётр", "Анна", "Мария", "Сергей", "Ольга", "Дмитрий", "Елена", "Алексей", "Наталья",
                  "Юлия", "Андрей"]
CYRILLIC_LAST = ["Иванов", "Петров", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов",
                 "Новиков", "Фёдоров"]
CYRILLIC_CITIES = ["Москва", "Санкт-Петербург", "Новосибирск", "Екатеринбург", "Казань", "Самара"]
CJK_FIRST = [chr(a) + chr(b) for a in range(0x5000, 0x5030) for b in range(0x6000, 0x6030)]
CJK_LAST = [chr(c) for c in range(0x4E00, 0x4E00 + 200)]
LOREM = "lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "


def _cased(address: str, upper: int) -> str:
    """``address``, its first letters of each part upper-cased where ``upper`` (`User1@Example.com`)."""
    return "@".join(part[:1].upper() + part[1:] for part in address.split("@")) if upper else address


def _column(head: list[str], name: str, value: Callable[[int, str, random.Random], str]) -> Callable[[Rows], None]:
    index = head.index(name)

    def change(rows: Rows) -> None:
        rng = random.Random(index)
        for i, row in enumerate(rows):
            if len(row) > index:  # (a ragged row planted short keeps its shape)
                row[index] = value(i, row[index], rng)
    return change


def _every(head: list[str], changes: list[Callable[[Rows], None]]) -> Callable[[Rows], None]:
    def change(rows: Rows) -> None:
        for one in changes:
            one(rows)
    return change


def _changes(head: list[str]) -> dict[str, tuple[Callable[[Rows], None], dict[str, Any]]]:
    col = lambda name, value: _column(head, name, value)  # noqa: E731
    return {
        "plain": (lambda rows: None, {}),
        "quoted": (lambda rows: None, {"quoting": csv.QUOTE_ALL}),
        "cyrillic": (_every(head, [col("First Name", lambda i, v, r: r.choice(CYRILLIC_FIRST)),
                                   col("Last Name", lambda i, v, r: r.choice(CYRILLIC_LAST)),
                                   col("City", lambda i, v, r: r.choice(CYRILLIC_CITIES))]), {}),
        "cjk": (_every(head, [col("First Name", lambda i, v, r: r.choice(CJK_FIRST)),
                              col("Last Name", lambda i, v, r: r.choice(CJK_LAST)),
                              col("City", lambda i, v, r: "東京")]), {}),
        "dvorak": (col("Last Name", lambda i, v, r: "Dvořák"), {}),
        "euros": (col("Annual Revenue", lambda i, v, r: f"{1000 + i:,} €".replace(",", ".")), {}),
        "cp1252": (lambda rows: None, {"encoding": "cp1252"}),
        "dates-dmy": (col("Create Date", lambda i, v, r: f"{r.randint(1, 28):02d}/{r.randint(1, 12):02d}/"
                                                         f"20{r.randint(10, 24)}"), {}),
        "spaces": (lambda rows: [row.__setitem__(j, f" {c} ") for row in rows for j, c in enumerate(row) if c], {}),
        "long-notes": (col("Notes", lambda i, v, r: (LOREM * 20)[: 1400 + i % 200]), {}),
        "dup-emails": (col("Email", lambda i, v, r: _cased(f"user{i // 2}@example.com", i % 2)), {}),
    }


def _write_csv(path: Path, head: list[str], rows: Rows, quoting: int = csv.QUOTE_MINIMAL,
               encoding: str = "utf-8") -> None:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, quoting=quoting, lineterminator="\r\n")
    writer.writerow(head)
    writer.writerows(rows)
    errors = "surrogateescape" if encoding == "utf-8" else "replace"
    path.write_bytes(buf.getvalue().encode(encoding, errors=errors))


def _wide(out: Path, rows: int, columns: int, filled: float, seed: int) -> None:
    """A contacts file of ``columns`` mapped columns (Email and custom text properties) of short
    cells, a ``filled`` share of them not empty."""
    rng = random.Random(seed)
    names = ["Email"] + [f"Field {i}" for i in range(1, columns)]
    with (out / "contacts.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(names) + "\r\n")
        for r in range(rows):
            cells = (rng.choice(("alpha", "7", "yes", "beta gamma")) if rng.random() < filled else ""
                     for _ in range(columns - 1))
            fh.write(f"u{r}@example.com," + ",".join(cells) + "\r\n")
    mappings = [{"columnObjectTypeId": "0-1", "columnName": n,
                 "propertyName": "email" if n == "Email" else n.lower().replace(" ", "_")} for n in names]
    request = {"name": f"{columns} columns", "importOperations": {"0-1": "UPSERT"}, "dateFormat": "MONTH_DAY_YEAR",
               "files": [{"fileName": "contacts.csv", "fileFormat": "CSV",
                          "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}
    (out / "import.json").write_text(json.dumps(request, indent=2), encoding="utf-8")


def _export(source: Path, out: Path, head: list[str], rows: Rows, seed: int) -> None:
    """The source's contacts file as a CRM exports one: its columns, then custom properties up to
    500 columns, 60 of them filled in one row in ten, the others empty in every row."""
    rng = random.Random(seed)
    extra = [f"Custom {i}" for i in range(1, 501 - len(head))]
    with (out / "contacts.csv").open("w", encoding="utf-8", errors="surrogateescape", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(head + extra)
        for row in rows:  # (a planted blank line stays blank)
            writer.writerow(row and row + [rng.choice(("alpha", "7", "yes", "beta gamma"))
                                           if i < 60 and rng.random() < 0.1 else "" for i in range(len(extra))])
    request = json.loads((source / "import.json").read_text(encoding="utf-8"))
    contacts = next(f for f in request["files"] if f["fileName"] == "contacts.csv")
    contacts["fileImportPage"]["columnMappings"] += [
        {"columnObjectTypeId": "0-1", "columnName": n, "propertyName": n.lower().replace(" ", "_")} for n in extra]
    (out / "import.json").write_text(json.dumps(request, indent=2), encoding="utf-8")
    shutil.copy(source / "companies.csv", out / "companies.csv")


def _workbook(folder: Path, mixed: bool) -> None:
    """The ``export-500`` folder's contacts file as a workbook written by openpyxl (write-only:
    inline strings, empty cells not written); with ``mixed``, its custom columns' ``7`` as number
    cells among the text ones."""
    import openpyxl

    request = json.loads((folder / "import.json").read_text(encoding="utf-8"))
    contacts = next(f for f in request["files"] if f["fileName"] == "contacts.csv")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Contacts")
    with (folder / "contacts.csv").open(encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh)
        head = next(reader)
        sheet.append(head)
        for row in reader:
            cells: list[Any] = [c or None for c in row]
            if mixed:
                cells[13:] = [7 if c == "7" else c for c in cells[13:]]
            sheet.append(cells)
    book.save(folder / "contacts.xlsx")
    (folder / "contacts.csv").unlink()
    contacts.update(fileName="contacts.xlsx", fileFormat="SPREADSHEET")
    (folder / "import.json").write_text(json.dumps(request, indent=2), encoding="utf-8")


def make(source: Path, out: Path, shape: str) -> Path:
    """Write the folder of ``shape`` (once: reused when present)."""
    folder = out / shape
    if (folder / "import.json").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    with (source / "contacts.csv").open(encoding="utf-8", errors="surrogateescape", newline="") as fh:
        head, *rows = list(csv.reader(fh))
    if shape.startswith("export-500"):
        _export(source, folder, head, rows[: len(rows) * 2 // 5], seed=500)
        if shape != "export-500":
            _workbook(folder, mixed=shape.endswith("mixed"))
        return folder
    if shape.startswith("wide-"):
        columns = int(shape.split("-")[1])
        _wide(folder, len(rows) if columns < 200 else len(rows) * 2 // 5, columns, 0.8 if columns < 200 else 0.1,
              seed=columns)
        return folder
    change, how = _changes(head)[shape]
    change(rows)
    _write_csv(folder / "contacts.csv", head, rows, **how)
    shutil.copy(source / "companies.csv", folder / "companies.csv")
    shutil.copy(source / "import.json", folder / "import.json")
    return folder


def measure(folder: Path, repeat: int, report: Path) -> dict[str, Any]:
    request = folder / "import.json"
    files = data_files(request)
    check_cmd = [*CLI, "check", str(request), "--format", "json", "-o", str(report)]
    checks, reads = [], []
    for i in range(repeat):
        for what in (("check", "read") if i % 2 == 0 else ("read", "check")):
            if what == "check":
                checks.append(run_child(check_cmd))
            else:
                reads.append(run_child([sys.executable, "-c", READ_ANY, *map(str, files)]))
    wall = statistics.median(w for w, _r, _c in checks)
    read = statistics.median(w for w, _r, _c in reads)
    return {"shape": folder.name, "bytes": sum(f.stat().st_size for f in files), "check_s": wall, "read_s": read,
            "ratio": wall / read, "cpu_s": statistics.median(c for _w, _r, c in checks),
            "rss": max(r for _w, r, _c in checks)}


def main(argv: list[str] | None = None, echo: Callable[[str], None] = print) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="a folder written by bench/generate.py")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=SHAPES, action="append")
    parser.add_argument("--make-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    shapes = args.only or list(SHAPES)
    if args.make_only:
        for shape in shapes:
            make(args.source, args.out, shape)
        return []
    # written by a child: a process that held the rows would pass its peak RSS on to every check
    # it starts (Linux counts a child's memory before exec in its maximum)
    subprocess.run([sys.executable, __file__, str(args.source), "--out", str(args.out), "--make-only",
                    *(f"--only={s}" for s in shapes)], check=True)
    echo("| shape | size | check (median wall) | read (pyarrow; a workbook: calamine) | ratio | check CPU | peak RSS |")
    echo("|---|---|---|---|---|---|---|")
    results = []
    report = args.out / "report.json"
    for shape in shapes:
        got = measure(args.out / shape, args.repeat, report)
        results.append(got)
        echo(f"| {shape} | {got['bytes'] / 1e6:.0f} MB | {got['check_s']:.2f} s | {got['read_s']:.2f} s | "
             f"{got['ratio']:.2f}x | {got['cpu_s']:.2f} s | {got['rss'] / 2**20:.0f} MiB |")
    return results


if __name__ == "__main__":
    main()
