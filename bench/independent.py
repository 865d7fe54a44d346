"""Recall on a file made independently of ``bench/generate.py``: other writer, dialect, columns and
problems, many of each kind, at rows drawn by the seed plus the rows next to chunk boundaries.

    python bench/independent.py --rows 1048576 --out bench/data/independent-1m [--seed 3]
    python bench/independent.py --rows 1048576 --out bench/data/independent-semi --delimiter ';' \
        --quoting minimal --crlf --date-format DAY_MONTH_YEAR --seed 21
    python bench/independent.py --rows 1048576 --out bench/data/independent-1252 --encoding cp1252 --seed 49

Writes ``contacts.csv`` with Python's csv module (by default every field quoted, LF line ends;
``--delimiter``, ``--quoting minimal``, ``--crlf`` and ``--date-format`` write other dialects),
with a UTF-8 byte order mark, a Record ID column, a postcode column and multi-line notes
(``--encoding cp1252``: saved as Windows-1252, as Excel on Windows saves "CSV", no byte order
mark, a town with an accent every ``ACCENT_EVERY`` rows, each to be reported as not UTF-8, HS402,
at its cell; the kinds that need characters Windows-1252 lacks are left out);
``companies.csv`` (one company per 20 contacts, naming a contact in the common column
``E-mail``; revenue as a number property); ``import.json`` and ``manifest.json`` (every planted
problem with the code it must be reported under, its spreadsheet row and column; a kind that
must not be reported, an option's label or internal value, says ``"expected": false``). Then it
runs ``hubspot-preflight check`` on it and prints, per kind, how many planted problems were
reported with that code at exactly their row and column, and the findings of those codes at any
other row, or of any code on a cell that must not be reported (false positives). Exit status 0
only when every planted problem is found and there is no false positive. ``--no-check`` only
writes the files.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

COLUMNS = [("Record ID", "hs_object_id"), ("E-mail", "email"), ("Given Name", "firstname"),
           ("Family Name", "lastname"), ("Mobile", "mobilephone"), ("Stage", "lifecyclestage"),
           ("Signed Up", "createdate"), ("Role", "jobtitle"),
           ("Town", "city"), ("Postcode", "zip"), ("Remarks", "message")]
COMPANY_COLUMNS = [("Name", "name"), ("Domain", "domain"), ("Revenue", "annualrevenue"), ("E-mail", None)]
STAGES = ("lead", "customer", "subscriber", "opportunity", "other")
GIVEN = ("Aino", "Bram", "Chiara", "Dov", "Eun", "Femi", "Gaia", "Hiro", "Ilse", "Jomo", "Kofi", "Liv")
FAMILY = ("Aalto", "Bakker", "Conti", "Dvořák", "Eze", "Fontaine", "Gupta", "Haddad", "Ito", "Jansen")
TOWNS = ("Tampere", "Utrecht", "Genova", "Brno", "Lagos", "Lyon", "Pune", "Beirut", "Sendai", "Gent")
ROLES = ("Buyer", "Analyst", "Director, Ops", "Engineer", "Owner")

# kind -> (code it must be reported under, column name or None for the whole row)
KINDS: dict[str, tuple[str, str | None]] = {
    "invalid_email": ("HS212", "E-mail"),
    "duplicate_email_other_case": ("HS301", "E-mail"),
    "duplicate_record_id": ("HS303", "Record ID"),
    "impossible_date": ("HS201", "Signed Up"),
    "bad_number": ("HS205", "Revenue"),  # companies.csv (a number property there)
    "unknown_stage": ("HS208", "Stage"),
    "extra_field": ("HS110", None),
    "missing_field": ("HS110", None),
    "blank_row": ("HS113", None),
    "text_after_quote": ("HS112", "Role"),
    "invalid_utf8": ("HS402", "Town"),
    "nul_byte": ("HS405", "Town"),
    "formula": ("HS430", "Role"),
    "broken_association_key": ("HS314", "E-mail"),  # companies.csv
    "unclosed_quote": ("HS111", "Remarks"),  # the last row only: it runs to the end of the file
    "date_other_order": ("HS201", "Signed Up"),  # day and month swapped, a day over 12: no such month
    "epoch_seconds": ("HS202", "Signed Up"),  # a UNIX time in seconds where HubSpot reads milliseconds
    "not_a_phone": ("HS215", "Mobile"),
    "email_spaces": ("HS409", "E-mail"),
    "value_too_long": ("HS218", "Remarks"),
    "zero_width_space": ("HS431", "Given Name"),
    "null_marker": ("HS254", "Role"),
    "zip_point_zero": ("HS438", "Postcode"),
    "zip_lost_zero": ("HS428", "Postcode"),
    "stage_other_case": ("HS210", "Stage"),
    "stage_label": ("HS208", "Stage"),  # negative: an option's label or internal value, reported by nothing
    "formatted_number": ("HS206", "Revenue"),  # companies.csv
    "duplicate_domain": ("HS301", "Domain"),  # companies.csv
    "legacy_accent": ("HS402", "Town"),  # --encoding cp1252 only: every ACCENT_EVERY rows, not planted by kind
}
PER_KIND = 4  # planted problems of each kind
COMPANY_KINDS = ("bad_number", "broken_association_key", "formatted_number", "duplicate_domain")
# kinds that must NOT be reported: any finding on their cell (of any code) is a false positive
NEGATIVE_KINDS = ("stage_label",)
# the values planted, taken in turn by row
NOT_A_PHONE = ("+44 71", "ask for reception", "555-CALL-NOW", "12")
NULL_MARKERS = ("NULL", "\\N", "nan", "NULL")
STAGE_CASES = ("LEAD", "CUSTOMER", "marketing qualified lead", "SubScriber")
STAGE_LABELS = ("Customer", "Marketing Qualified Lead", "salesqualifiedlead", "Evangelist")
ZERO_WIDTH = ("\u200b", "\u00ad", "\ufeff", "\u200d")  # zero-width space, soft hyphen (a web page's &shy;), BOM, joiner
FORMATTED = ("1,200,000", "2.500.000,50", "$45,000", "12,5")
# --encoding cp1252: a town with an accent every this many rows (in every segment the reader parses)
ACCENT_EVERY = 487
ACCENTED_TOWNS = ("Genève", "Zürich", "Málaga", "Kraków", "São Paulo", "Düsseldorf", "Besançon")
# kinds whose characters Windows-1252 lacks, or has only as bytes that are then not UTF-8 (HS402's)
NOT_IN_1252 = ("zero_width_space",)


def email(i: int) -> str:
    return f"{GIVEN[i % len(GIVEN)].lower()}{i}@{('mail', 'corp', 'post')[i % 3]}.example"


class Independent:
    def __init__(self, rows: int, seed: int, *, delimiter: str = ",", quoting: str = "all", newline: str = "\n",
                 date_format: str = "MONTH_DAY_YEAR", encoding: str = "utf-8"):
        self.delimiter, self.newline, self.date_format, self.encoding = delimiter, newline, date_format, encoding
        # (Windows-1252 has no ř: the name in ASCII, so that only the planted towns hold accents)
        self.family = FAMILY if encoding == "utf-8" else tuple(f.replace("ř", "r").replace("á", "a") for f in FAMILY)
        self.quoting = csv.QUOTE_ALL if quoting == "all" else csv.QUOTE_MINIMAL
        self.rows = rows
        self.rng = random.Random(seed)
        self.companies = max(20, rows // 20)
        self.plan = self._plan(seed)
        self.company_plan, self.repeats = self._company_plan(seed)
        self.nth: Counter[str] = Counter()  # problems of each kind written so far (which value is next)

    def _plan(self, seed: int) -> dict[int, str]:
        """Spreadsheet row -> kind, for contacts rows 1,003..rows, two next to each 50,000-row
        chunk boundary, problems at least 3 rows apart; the last row (rows + 1) gets the unclosed
        quote."""
        rng = random.Random(seed * 104729 + 7)
        kinds = [k for k in KINDS if k not in (*COMPANY_KINDS, "unclosed_quote", "legacy_accent")
                 and not (self.encoding != "utf-8" and k in NOT_IN_1252)]

        def fits(row: int, plan: dict[int, str]) -> bool:
            # apart from each other and from the rows duplicates repeat (1,000 rows earlier)
            return 1002 < row <= self.rows and all(abs(row - r) >= 3 and abs(abs(row - r) - 1000) >= 3
                                                   for r in plan)

        plan = _spread(rng, kinds, self.rows, fits)
        plan[self.rows + 1] = "unclosed_quote"
        return plan

    def _company_plan(self, seed: int) -> tuple[dict[int, str], dict[int, int]]:
        """Spreadsheet row -> kind for companies.csv, as for contacts (two next to each chunk
        boundary, at least 3 rows apart); and for each duplicate domain the earlier row it repeats."""
        rng = random.Random(seed * 7919 + self.rows)
        plan = _spread(rng, COMPANY_KINDS, self.companies + 1,
                       lambda row, plan: 5 <= row <= self.companies + 1 and all(abs(row - r) >= 3 for r in plan))
        repeats: dict[int, int] = {}
        for row in sorted(r for r, kind in plan.items() if kind == "duplicate_domain"):
            earlier = rng.randint(2, row - 3)
            while earlier in plan or earlier in repeats.values():
                earlier = rng.randint(2, row - 3)
            repeats[row] = earlier
        return plan, repeats

    def contact(self, i: int) -> list[str]:
        rng = self.rng
        note = "" if i % 4 else f"Met at {TOWNS[i % 10]}, {rng.choice(('follow up', 'sent deck'))}\nnext: call"
        return [str(100_000 + i), email(i), GIVEN[i % len(GIVEN)], self.family[(i // 5) % len(self.family)],
                f"+44 7{rng.randint(100, 999)} {rng.randint(100000, 999999)}", STAGES[i % len(STAGES)],
                self._date(rng.randint(1, 12), rng.randint(1, 28), rng.randint(2015, 2025)),
                ROLES[i % len(ROLES)], TOWNS[(i // 3) % len(TOWNS)], f"{(i * 7919 + 1234) % 100_000:05d}", note]

    def _date(self, month: int, day: int, year: int) -> str:
        if self.date_format == "DAY_MONTH_YEAR":
            return f"{day:02d}.{month:02d}.{year}"
        if self.date_format == "YEAR_MONTH_DAY":
            return f"{year}-{month:02d}-{day:02d}"
        return f"{month:02d}/{day:02d}/{year}"

    def line(self, cells: list[str], raw: dict[int, bytes] | None = None) -> bytes:
        """One record as this file's dialect writes it; ``raw``: cells written as given bytes."""
        buf = io.StringIO()
        # the line terminator tells the writer which characters need quotes: \r and \n always
        writer = csv.writer(buf, delimiter=self.delimiter, quoting=self.quoting, lineterminator="\r\n")
        if not raw:
            writer.writerow(cells)
            return (buf.getvalue()[:-2] + self.newline).encode(self.encoding)
        parts = []
        for k, cell in enumerate(cells):
            if k in raw:
                parts.append(raw[k])
                continue
            buf.seek(0)
            buf.truncate()
            writer.writerow([cell])
            parts.append(buf.getvalue()[:-2].encode(self.encoding))
        return self.delimiter.encode().join(parts) + self.newline.encode()

    def spoil(self, kind: str, row: int, cells: list[str]) -> bytes | None:
        """Change one row; return its raw bytes when they cannot be written by the csv module."""
        at = {name: k for k, (name, _p) in enumerate(COLUMNS)}
        earlier = row - 2 - 1000
        if kind == "invalid_email":
            cells[at["E-mail"]] = cells[at["E-mail"]].replace("@", " at ")
        elif kind == "duplicate_email_other_case":
            cells[at["E-mail"]] = email(earlier).title()
        elif kind == "duplicate_record_id":
            cells[at["Record ID"]] = str(100_000 + earlier)
        elif kind == "impossible_date":
            cells[at["Signed Up"]] = self._date(4, 31, 2024)
        elif kind == "unknown_stage":
            cells[at["Stage"]] = "Warm"
        elif kind == "extra_field":
            cells.append("surplus")
        elif kind == "missing_field":
            cells.pop()
        elif kind == "blank_row":
            return self.newline.encode()
        elif kind == "unclosed_quote":
            return self.line([*cells[:-1], ""], {len(cells) - 1: b'"never closed'})
        elif kind == "formula":
            cells[at["Role"]] = "=HYPERLINK(\"http://x.example\")"
        elif kind == "nul_byte":
            cells[at["Town"]] = "Gen\x00t"
        elif kind == "text_after_quote":
            return self.line(cells, {at["Role"]: _quoted(cells[at["Role"]], self.encoding) + b"Co"})
        elif kind == "invalid_utf8":
            return self.line(cells, {at["Town"]: b'"' + cells[at["Town"]][:2].encode() + b'\xe9\xff"'})
        n = self.nth[kind]
        self.nth[kind] += 1
        if kind == "date_other_order":  # 15/03/2024, 03.15.2024, 2024-15-03: only the other order reads
            cells[at["Signed Up"]] = self._date(15 + n, 3 + n, 2024)
        elif kind == "epoch_seconds":  # 2024-03-15 00:00 UTC and the days after it
            cells[at["Signed Up"]] = str(1_710_460_800 + n * 86_400)
        elif kind == "not_a_phone":
            cells[at["Mobile"]] = NOT_A_PHONE[n % len(NOT_A_PHONE)]
        elif kind == "email_spaces":
            # (Windows-1252's no-break space is a byte that is not UTF-8: two spaces there)
            last = "{}\u00a0" if self.encoding == "utf-8" else "{}  "
            cells[at["E-mail"]] = (" {}", "{} ", " {} ", last)[n % 4].format(cells[at["E-mail"]])
        elif kind == "value_too_long":  # a mail thread pasted into the notes: 66,000+ characters
            cells[at["Remarks"]] = "\n".join(["Thread pasted from the mailbox:"]
                                             + [f"Re: pricing for {y}, see the figures below" for y in range(1600)])
        elif kind == "zero_width_space":
            name = cells[at["Given Name"]]
            cells[at["Given Name"]] = name[:2] + ZERO_WIDTH[n % len(ZERO_WIDTH)] + name[2:]
        elif kind == "null_marker":
            cells[at["Role"]] = NULL_MARKERS[n % len(NULL_MARKERS)]
        elif kind == "zip_point_zero":  # pandas' float: 94105.0
            cells[at["Postcode"]] = f"{int(cells[at['Postcode']]) % 90_000 + 10_000}.0"
        elif kind == "zip_lost_zero":  # Excel's number: 02134 as 2134
            cells[at["Postcode"]] = f"{int(cells[at['Postcode']]) % 9_000 + 1_000}"
        elif kind == "stage_other_case":
            cells[at["Stage"]] = STAGE_CASES[n % len(STAGE_CASES)]
        elif kind == "stage_label":
            cells[at["Stage"]] = STAGE_LABELS[n % len(STAGE_LABELS)]
        return None

    def write(self, out: Path) -> dict[str, Any]:
        out.mkdir(parents=True, exist_ok=True)
        planted: list[dict[str, Any]] = []
        town = {name: k for k, (name, _p) in enumerate(COLUMNS)}["Town"]
        with open(out / "contacts.csv", "wb") as fh:
            fh.write((b"\xef\xbb\xbf" if self.encoding == "utf-8" else b"") + self.line([c for c, _p in COLUMNS]))
            block: list[bytes] = []
            for i in range(self.rows):
                row = i + 2
                cells = self.contact(i)
                kind = self.plan.get(row)
                raw = self.spoil(kind, row, cells) if kind else None
                if kind:
                    planted.append(_entry(kind, "contacts.csv", row))
                elif self.encoding != "utf-8" and i % ACCENT_EVERY == ACCENT_EVERY - 1:
                    cells[town] = ACCENTED_TOWNS[(i // ACCENT_EVERY) % len(ACCENTED_TOWNS)]
                    planted.append(_entry("legacy_accent", "contacts.csv", row))
                block.append(raw if raw is not None else self.line(cells))
                if len(block) >= 20_000:
                    fh.write(b"".join(block))
                    block = []
            fh.write(b"".join(block))
        spoiled = {r - 2 for r in self.plan}
        with open(out / "companies.csv", "wb") as fh:
            fh.write(self.line([c for c, _p in COMPANY_COLUMNS]))
            for j in range(self.companies):
                row = j + 2
                contact = self.rng.randrange(self.rows)
                while contact in spoiled:
                    contact = self.rng.randrange(self.rows)
                key, revenue, domain = email(contact), str(self.rng.randint(1, 5000) * 1000), f"co{j}.example"
                kind = self.company_plan.get(row)
                n = self.nth[kind] if kind else 0
                if kind == "broken_association_key":
                    key = f"ghost{j}@nowhere.example"
                elif kind == "bad_number":
                    revenue = "12 thousand"
                elif kind == "formatted_number":
                    revenue = FORMATTED[n % len(FORMATTED)]
                elif kind == "duplicate_domain":  # another case, or with www. (the host compared)
                    domain = ("co{}.example", "CO{}.Example", "www.co{}.example", "co{}.example")[n % 4].format(
                        self.repeats[row] - 2)
                if kind:
                    self.nth[kind] += 1
                    planted.append(_entry(kind, "companies.csv", row))
                fh.write(self.line([f"{self.family[j % len(self.family)]} {j} AG", domain, revenue, key]))
        contacts = {"fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {
            "hasHeader": True, "columnMappings": [
                {"columnObjectTypeId": "0-1", "columnName": c, "propertyName": p,
                 **({"columnType": "HUBSPOT_OBJECT_ID"} if p == "hs_object_id" else {}),
                 **({"associationIdentifierColumn": True} if p == "email" else {})} for c, p in COLUMNS]}}
        companies = {"fileName": "companies.csv", "fileFormat": "CSV", "fileImportPage": {
            "hasHeader": True, "columnMappings": [
                {"columnObjectTypeId": "0-2", "columnName": "Name", "propertyName": "name"},
                {"columnObjectTypeId": "0-2", "columnName": "Domain", "propertyName": "domain"},
                {"columnObjectTypeId": "0-2", "columnName": "Revenue", "propertyName": "annualrevenue"},
                {"columnObjectTypeId": "0-2", "columnName": "E-mail", "propertyName": None,
                 "toColumnObjectTypeId": "0-1",
                 "foreignKeyType": {"associationTypeId": 280, "associationCategory": "HUBSPOT_DEFINED"}}]}}
        request = {"name": f"Independent recall check ({self.rows:,} contacts)", "dateFormat": self.date_format,
                   "importOperations": {"0-1": "UPSERT", "0-2": "UPSERT"}, "files": [contacts, companies]}
        (out / "import.json").write_text(json.dumps(request, indent=2) + "\n", encoding="utf-8")
        manifest = {"rows": self.rows, "encoding": self.encoding,
                    "planted": sorted(planted, key=lambda p: (p["file"], p["row"]))}
        (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        return manifest


def _spread(rng: random.Random, kinds: Sequence[str], last: int, fits: Callable[[int, dict[int, str]], bool]
            ) -> dict[int, str]:
    """Row -> kind, PER_KIND of each kind: first two rows next to each 50,000-row chunk boundary
    (the last row of a chunk or the first of the next among them), the kinds taken in turn in an
    order drawn by ``rng``, then rows drawn at random from 3..last; ``fits(row, plan)``: whether
    the row may take a problem."""
    order = list(kinds)
    rng.shuffle(order)
    plan: dict[int, str] = {}
    count: Counter[str] = Counter()
    turn = 0
    for b in range(50_000, last - 3, 50_000):  # rows b + 1 and b + 2: a chunk's last row, the next one's first
        for row in rng.choice(((b - 1, b + 2), (b, b + 3), (b + 1, b + 4))):
            kind = order[turn % len(order)]
            turn += 1
            if count[kind] < PER_KIND and fits(row, plan):
                plan[row] = kind
                count[kind] += 1
    for kind in kinds:
        while count[kind] < PER_KIND:
            row = rng.randint(3, last)
            if fits(row, plan):
                plan[row] = kind
                count[kind] += 1
    return plan


def _entry(kind: str, file: str, row: int) -> dict[str, Any]:
    """A manifest entry: the code the problem must be reported under and its cell; a negative
    kind's (``"expected": false``) says no finding may name its cell."""
    code, col = KINDS[kind]
    return {"kind": kind, "code": code, "file": file, "row": row, "column_name": col,
            **({"expected": False} if kind in NEGATIVE_KINDS else {})}


def _quoted(cell: str, encoding: str = "utf-8") -> bytes:
    return ('"' + cell.replace('"', '""') + '"').encode(encoding)


def check(folder: Path) -> tuple[dict[str, Any], float]:
    """Run the CLI on the folder's request; (report, wall seconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "validator", "check", str(folder / "import.json"), "--format",
                        "json", "-o", str(out), "--max-per-rule", "100000"], cwd=ROOT, check=False,
                       stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        return json.loads(out.read_text(encoding="utf-8")), wall


def score(report: dict[str, Any], manifest: dict[str, Any]) -> dict[str, Any]:
    """Per kind, how many planted problems were reported with their code at their row and, where
    the manifest names one, their column (a negative kind: how many cells no finding names); the
    planted problems missed; the false positives: findings of the planted codes at other rows, and
    any finding on a negative kind's cell."""
    found = {(f["code"], f["file"], f["row"]) for f in report["findings"]}
    found_cells = {(f["code"], f["file"], f["row"], f.get("column_name")) for f in report["findings"]}
    named = {(f["file"], f["row"], f.get("column_name")) for f in report["findings"]}
    positive = [p for p in manifest["planted"] if p.get("expected", True)]
    expected = {(p["code"], p["file"], p["row"]) for p in positive}
    clean = {(p["file"], p["row"], p["column_name"]) for p in manifest["planted"] if not p.get("expected", True)}
    per_kind: dict[str, list[int]] = {}
    missed = []
    for p in manifest["planted"]:
        if not p.get("expected", True):
            hit = (p["file"], p["row"], p["column_name"]) not in named
        elif p["column_name"] is None:
            hit = (p["code"], p["file"], p["row"]) in found
        else:
            hit = (p["code"], p["file"], p["row"], p["column_name"]) in found_cells
        if not hit and p.get("expected", True):
            missed.append((p["code"], p["file"], p["row"]))
        counts = per_kind.setdefault(p["kind"], [0, 0])
        counts[0] += hit
        counts[1] += 1
    codes = {code for code, _col in KINDS.values()}
    false = sorted((f["code"], f["file"], f["row"]) for f in report["findings"]  # row None: a file's summary
                   if (f["code"] in codes and f["row"] is not None and (f["code"], f["file"], f["row"]) not in expected)
                   or (f["file"], f["row"], f.get("column_name")) in clean)
    return {"per_kind": per_kind, "missed": sorted(missed), "false": false,
            "found": len(positive) - len(missed), "planted": len(positive),
            "other_codes": dict(Counter(f["code"] for f in report["findings"] if f["code"] not in codes))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_048_576)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--no-check", action="store_true")
    parser.add_argument("--delimiter", default=",", choices=[",", ";", "tab", "|"])
    parser.add_argument("--quoting", default="all", choices=["all", "minimal"])
    parser.add_argument("--crlf", action="store_true", help="CRLF line ends (default LF)")
    parser.add_argument("--date-format", default="MONTH_DAY_YEAR",
                        choices=["MONTH_DAY_YEAR", "DAY_MONTH_YEAR", "YEAR_MONTH_DAY"])
    parser.add_argument("--encoding", default="utf-8", choices=["utf-8", "cp1252"],
                        help="the contacts file's encoding (cp1252: as Excel on Windows saves CSV)")
    args = parser.parse_args(argv)
    if args.rows < 5_000:
        raise SystemExit("--rows must be at least 5,000 (problems are planted apart, after row 1,002)")
    delimiter = "\t" if args.delimiter == "tab" else args.delimiter
    manifest = Independent(args.rows, args.seed, delimiter=delimiter, quoting=args.quoting,
                           newline="\r\n" if args.crlf else "\n", date_format=args.date_format,
                           encoding=args.encoding).write(args.out)
    print(f"wrote {args.out} ({len(manifest['planted'])} planted problems)")
    if args.no_check:
        return 0
    report, wall = check(args.out)
    result = score(report, manifest)
    for kind, (hit, total) in result["per_kind"].items():
        negative = "  (must not be reported)" if kind in NEGATIVE_KINDS else ""
        print(f"  {kind:28s} {KINDS[kind][0]}  {hit}/{total}{negative}")
    print(f"found {result['found']}/{result['planted']} at their exact row and column; false positives: "
          f"{len(result['false'])}; check took {wall:.1f} s")
    for code, file, row in result["missed"]:
        print(f"  MISSED {code} {file} row {row}")
    for code, file, row in result["false"][:20]:
        print(f"  FALSE {code} {file} row {row}")
    return 0 if not result["missed"] and not result["false"] else 1


if __name__ == "__main__":
    sys.exit(main())
