"""Deterministic generator of realistic HubSpot imports with planted problems at known rows.

    python bench/generate.py --rows 1048576 --out bench/data/contacts-1m            # ~170 MB
    python bench/generate.py --rows 1048576 --wide --out bench/data/wide-1m         # 28 columns, ~510 MB
    python bench/generate.py --rows 100000 --seed 7 --out bench/data/check-100k     # other rows planted

Writes into OUT: ``contacts.csv`` (CRLF, Excel-style quoting; notes with quoted commas and
newlines), ``companies.csv`` (one company per ~10 contacts, each naming a contact by email: the
association keys), ``import.json`` (the importRequest for both files), ``contacts.import.json``
(contacts alone) and ``manifest.json``: every planted problem with its kind, file, spreadsheet
row (header = 1) and column. The same arguments always give the same bytes; another ``--seed``
plants the problems at other rows.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = words("Ann Bo Chen Dana Eli Fatima Gus Hana Ivan Jo Kai Lena Marco Nia Omar Pia Quinn Rosa Sam "
         "Tariq Uma Vera Wen Xavi Yara Zoe Amir Beth Carlos Dmitri Elena Farid Greta Hugo Ines "
         "Jonas Keiko Luis Maya Noor Olga Pavel Rania Sven Tomas Ulla Victor Wanda Yusuf Zainab")
LAST = words("Lee Smith Chen Garcia Müller Novak Okafor Patel Rossi Silva Tanaka Ueda Varga Weber Young "
        "Zhang Andersen Brown Costa Dubois Eriksen Fischer Gómez Horvat Ivanova Jensen Kowalski "
        "Larsen Moreau Nielsen O'Brien Petrov Quispe Romero Santos Thomsen Urban Vogel Walsh")
DOMAINS = words("example.com example.org example.net acme.io globex.com initech.com umbrella.co "
           "hooli.com stark.dev wayne.biz wonka.eu tyrell.ai cyberdyne.tech soylent.food")
STAGES = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
          "customer", "evangelist", "other")
TITLES = ("Head of Sales", "CTO", "Marketing Manager", "Account Executive", "Founder", "VP Finance",
          "Office Manager", "Data Engineer", "RevOps Lead", "Consultant")
CITIES = ("Berlin", "Boston", "Dublin", "Lisbon", "Zürich", "Kraków", "Austin", "Toronto", "Osaka",
          "São Paulo", "Cape Town", "Melbourne")
INDUSTRIES = ("COMPUTER_SOFTWARE", "RETAIL", "HOSPITAL_HEALTH_CARE", "FINANCIAL_SERVICES", "EDUCATION_MANAGEMENT")
WORDS = words("call back next week about the renewal budget approved pilot demo went well asked for "
         "pricing sent proposal waiting on legal met at the conference referral from partner")

CONTACT_COLUMNS = [
    ("Email", "email"), ("First Name", "firstname"), ("Last Name", "lastname"),
    ("Phone Number", "phone"), ("Company Domain Name", "hs_email_domain"),
    ("Lifecycle Stage", "lifecyclestage"), ("Create Date", "createdate"),
    ("Annual Revenue", "annualrevenue"), ("Job Title", "jobtitle"), ("City", "city"),
    ("Company Name", "company"), ("Website URL", "website"), ("Notes", "message"),
]
WIDE_COLUMNS = [
    ("Street Address", "address"), ("State/Region", "state"), ("Postal Code", "zip"),
    ("Country/Region", "country"), ("Industry", "industry"), ("Fax Number", "fax"),
    ("Mobile Phone Number", "mobilephone"),
    ("Twitter Username", "twitterhandle"), ("Date of Birth", "date_of_birth"),
    ("Last Contacted", "notes_last_contacted"), ("Lead Status", "hs_lead_status"),
    ("Salutation", "salutation"), ("Seniority", "seniority"), ("Additional Emails", "hs_additional_emails"),
    ("Description", "description"),
]
COMPANY_COLUMNS = [("Company Name", "name"), ("Company Domain Name", "domain"), ("Email", None),
                   ("City", "city"), ("Annual Revenue", "annualrevenue")]

# Planted problem kinds: (file, column name or None for the whole row). The codes they should be
# reported under live in bench/run.py (KIND_CODES), next to the recall computation.
KINDS: dict[str, tuple[str, str | None]] = {
    "ragged_row": ("contacts.csv", None),
    "blank_row": ("contacts.csv", None),
    "bad_quote": ("contacts.csv", "Job Title"),
    "invalid_utf8": ("contacts.csv", "City"),
    "bad_date": ("contacts.csv", "Create Date"),
    "invalid_lifecycle_stage": ("contacts.csv", "Lifecycle Stage"),
    "bad_number": ("companies.csv", "Annual Revenue"),
    "invalid_email": ("contacts.csv", "Email"),
    "duplicate_email": ("contacts.csv", "Email"),
    "broken_association_key": ("companies.csv", "Email"),
    "unclosed_quote": ("contacts.csv", "Notes"),  # always the last contact row: it swallows the rest
}


def email(i: int) -> str:
    return f"{FIRST[i % len(FIRST)].lower()}.{LAST[(i // 7) % len(LAST)].lower().replace(chr(39), '')}{i}" \
           f"@{DOMAINS[(i // 3) % len(DOMAINS)]}"


def quote(value: str) -> str:
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


class Generator:
    def __init__(self, rows: int, seed: int, wide: bool):
        if rows < 100:
            raise SystemExit("--rows must be at least 100 (problems are planted apart)")
        self.rows = rows
        self.seed = seed
        self.wide = wide
        self.rng = random.Random(seed)
        self.columns = CONTACT_COLUMNS + (WIDE_COLUMNS if wide else [])
        self.index = {name: i for i, (name, _p) in enumerate(self.columns)}
        self.companies = max(10, rows // 10)
        self.plan = self._plan()

    def _plan(self) -> dict[str, int]:
        """Spreadsheet row of each planted problem (contacts rows 2..rows+1, companies 2..)."""
        rng = random.Random(self.seed * 7919 + 1)
        taken: dict[str, set[int]] = {"contacts.csv": set(), "companies.csv": set()}
        plan: dict[str, int] = {}
        for kind, (file, _col) in KINDS.items():
            if kind == "unclosed_quote":
                plan[kind] = self.rows + 1
                continue
            top = (self.companies if file == "companies.csv" else self.rows - 2) + 1
            free = [r for r in range(3, top + 1) if not any(abs(r - t) < 3 for t in taken[file])] \
                if top < 5000 else None
            if free is not None and not free:
                raise SystemExit("--rows is too small to plant every problem apart")
            while True:
                row = rng.choice(free) if free else rng.randint(3, top)
                if not any(abs(row - t) < 3 for t in taken[file]):
                    break
            taken[file].add(row)
            plan[kind] = row
        return plan

    def contact(self, i: int) -> list[str]:
        rng = self.rng
        first, last = FIRST[i % len(FIRST)], LAST[(i // 7) % len(LAST)]
        r = rng.random()
        if r < 0.70:
            notes = ""
        elif r < 0.90:
            notes = " ".join(rng.choices(WORDS, k=rng.randint(2, 8)))
        elif r < 0.97:
            notes = f"{rng.choice(WORDS)}, {rng.choice(WORDS)}, then {rng.choice(WORDS)}"
        else:
            notes = f"{' '.join(rng.choices(WORDS, k=4))}\n{' '.join(rng.choices(WORDS, k=3))}"
        row = [
            email(i), first, last, f"+1 617 {rng.randint(200, 999)} {rng.randint(1000, 9999)}",
            DOMAINS[(i // 3) % len(DOMAINS)], rng.choice(STAGES),
            f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.randint(2015, 2026)}",
            str(rng.randint(10, 5000) * 1000), rng.choice(TITLES), rng.choice(CITIES),
            f"{last} {rng.choice(('GmbH', 'Inc.', 'Ltd', 'and Sons', 'Group'))}",
            f"https://www.{DOMAINS[(i // 3) % len(DOMAINS)]}", notes,
        ]
        if self.wide:
            words = " ".join(rng.choices(WORDS, k=rng.randint(24, 38)))
            row += [
                f"{rng.randint(1, 999)} {rng.choice(LAST)} Street", "MA", f"{rng.randint(1000, 99999):05d}",
                "United States", rng.choice(INDUSTRIES), "",
                f"+1 617 {rng.randint(200, 999)} {rng.randint(1000, 9999)}",
                f"{first.lower()}{i % 1000}",
                f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.randint(1950, 2004)}",
                f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/2026",
                rng.choice(("NEW", "OPEN", "IN_PROGRESS", "CONNECTED")), rng.choice(("Mr", "Ms", "Dr", "")),
                rng.choice(("employee", "manager", "director", "executive")), "", words,
            ]
        return row

    def plant(self, kind: str, row: int, cells: list[str]) -> tuple[str | None, str]:
        """Spoil one row in place; returns (column name, raw line override or '')."""
        col = KINDS[kind][1]
        at = self.index.get(col) if col else None
        if kind == "ragged_row":
            return None, ",".join(quote(c) for c in cells) + ",extra"
        if kind == "blank_row":
            return None, "\x00blank"
        if kind == "bad_quote":
            cells[at] = "\x00bq"  # placeholder: written raw below
            cells[self.index["Notes"]] = ""  # the csv module resumes on the next line
            return col, ""
        if kind == "invalid_utf8":
            cells[at] = "Z\udcfcrich"
            return col, ""
        if kind == "bad_date":
            cells[at] = "02/30/2024"
        elif kind == "invalid_lifecycle_stage":
            cells[at] = "Hot Lead"
        elif kind == "invalid_email":
            cells[at] = f"{cells[self.index['First Name']].lower()}@@example"
        elif kind == "duplicate_email":
            dup = email(max(0, row - 2 - 1000))  # an earlier contact, in another letter case
            cells[at] = dup.upper()
        elif kind == "unclosed_quote":
            return col, ",".join(quote(c) for c in cells[:-1]) + ',"never closed'
        return col, ""

    def write(self, out: Path) -> dict[str, Any]:
        out.mkdir(parents=True, exist_ok=True)
        planted = []
        by_row = {row: kind for kind, row in self.plan.items() if KINDS[kind][0] == "contacts.csv"}
        with open(out / "contacts.csv", "w", encoding="utf-8", errors="surrogateescape", newline="") as fh:
            fh.write(",".join(quote(c) for c, _p in self.columns) + "\r\n")
            buf: list[str] = []
            for i in range(self.rows):
                row = i + 2
                cells = self.contact(i)
                kind = by_row.get(row)
                line = ""
                if kind:
                    col, line = self.plant(kind, row, cells)
                    planted.append(self._entry(kind, "contacts.csv", row, col))
                if line == "\x00blank":
                    line = ""
                elif not line:
                    line = ",".join(quote(c) for c in cells).replace("\x00bq", '"Acme" Inc')
                buf.append(line)
                if len(buf) >= 10_000:
                    fh.write("\r\n".join(buf) + "\r\n")
                    buf = []
            if buf:
                fh.write("\r\n".join(buf) + "\r\n")
        self._companies(out, planted)
        self._requests(out)
        manifest = {"rows": self.rows, "seed": self.seed, "wide": self.wide,
                    "columns": len(self.columns), "companies": self.companies,
                    "files": {p.name: p.stat().st_size for p in sorted(out.glob("*.csv"))},
                    "planted": sorted(planted, key=lambda p: (p["file"], p["row"]))}
        (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        return manifest

    def _entry(self, kind: str, file: str, row: int, col: str | None) -> dict[str, Any]:
        columns = COMPANY_COLUMNS if file == "companies.csv" else self.columns
        number = next((i + 1 for i, (c, _p) in enumerate(columns) if c == col), None)
        return {"kind": kind, "file": file, "row": row, "column": number, "column_name": col}

    def _companies(self, out: Path, planted: list[dict[str, Any]]) -> None:
        rng = random.Random(self.seed + 17)
        broken = self.plan["broken_association_key"]
        bad_number = self.plan["bad_number"]
        skip = {row - 2 for kind, row in self.plan.items() if KINDS[kind][0] == "contacts.csv"}
        with open(out / "companies.csv", "w", encoding="utf-8", newline="") as fh:
            fh.write(",".join(c for c, _p in COMPANY_COLUMNS) + "\r\n")
            for j in range(self.companies):
                row = j + 2
                contact = rng.randrange(self.rows)
                while contact in skip:
                    contact = rng.randrange(self.rows)
                key = email(contact)
                if row == broken:
                    key = f"nobody{self.seed}@{DOMAINS[0]}"
                    planted.append(self._entry("broken_association_key", "companies.csv", row, "Email"))
                name = f"{LAST[j % len(LAST)]} {rng.choice(('GmbH', 'Inc.', 'Ltd', 'and Sons', 'Group'))}"
                revenue = str(rng.randint(1, 900) * 100_000)
                if row == bad_number:
                    revenue = "1.2k"
                    planted.append(self._entry("bad_number", "companies.csv", row, "Annual Revenue"))
                cells = [name, f"{LAST[j % len(LAST)].lower().replace(chr(39), '')}{j}.example.com", key,
                         rng.choice(CITIES), revenue]
                fh.write(",".join(quote(c) for c in cells) + "\r\n")

    def _requests(self, out: Path) -> None:
        contacts = self._file_entry("contacts.csv", [
            {"columnObjectTypeId": "0-1", "columnName": c, "propertyName": p,
             **({"associationIdentifierColumn": True} if p == "email" else {})}
            for c, p in self.columns])
        companies = self._file_entry("companies.csv", [
            {"columnObjectTypeId": "0-2", "columnName": "Company Name", "propertyName": "name"},
            {"columnObjectTypeId": "0-2", "columnName": "Company Domain Name", "propertyName": "domain"},
            {"columnObjectTypeId": "0-2", "columnName": "Email", "propertyName": None,
             "toColumnObjectTypeId": "0-1",
             "foreignKeyType": {"associationTypeId": 280, "associationCategory": "HUBSPOT_DEFINED"}},
            {"columnObjectTypeId": "0-2", "columnName": "City", "propertyName": "city"},
            {"columnObjectTypeId": "0-2", "columnName": "Annual Revenue", "propertyName": "annualrevenue"}])
        both = {"name": f"Benchmark import ({self.rows:,} contacts)", "dateFormat": "MONTH_DAY_YEAR",
                "importOperations": {"0-1": "UPSERT", "0-2": "UPSERT"}, "files": [contacts, companies]}
        alone = {**both, "importOperations": {"0-1": "UPSERT"}, "files": [contacts]}
        for name, request in (("import.json", both), ("contacts.import.json", alone)):
            (out / name).write_text(json.dumps(request, indent=2) + "\n", encoding="utf-8")

    @staticmethod
    def _file_entry(name: str, mappings: list[dict[str, Any]]) -> dict[str, Any]:
        return {"fileName": name, "fileFormat": "CSV",
                "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}


def main(argv: list[str] | None = None, echo: Callable[[str], None] = print) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="contact rows (default 100,000)")
    parser.add_argument("--wide", action="store_true", help="28 contact columns instead of 11")
    parser.add_argument("--seed", type=int, default=1, help="where the problems are planted")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (created)")
    args = parser.parse_args(argv)
    manifest = Generator(args.rows, args.seed, args.wide).write(args.out)
    sizes = ", ".join(f"{n} {s / 1e6:.1f} MB" for n, s in manifest["files"].items())
    echo(f"{args.out}: {manifest['rows']:,} contacts x {manifest['columns']} columns ({sizes}); "
         f"{len(manifest['planted'])} problems planted (manifest.json)")
    return manifest


if __name__ == "__main__":
    main()
