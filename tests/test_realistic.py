"""Imports written the way real tools write them (``tests/data/realistic/``), each checked
whole: a clean one gives no error and only the findings listed, each justified; one problem
planted in it is found at its row and column.

The files: a Salesforce report export in US and UK locales (UTF-8 with BOM, CRLF, every field
quoted, `3/15/2024 2:30 PM` and `15/03/2024 14:30`, phones in national forms, addresses over two
lines); Excel's "CSV UTF-8" and plain "CSV" saves (Windows-1252; a German one with `;`, `1234,5`,
`15.03.2024` and `WAHR`/`FALSCH`, whose findings are all true); a Google Sheets download (LF, no
last line break, ISO dates, `25%`); a Mailchimp audience export (every column, those not wanted
mapped `"ignored": true`) and one with merge-tag headers; a HubSpot export imported again
(Record ID, lifecycle stage labels, multi-select values, owners by email, name and id); a
companies and contacts pair associated by domain, and one by email; workbooks written by
openpyxl and by pandas ``to_excel`` (date cells, percentage cells, a ZIP code as text, phone
numbers as numbers). ``portal/`` is the account's properties and owners.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from validator import Config, validate

DATA = Path(__file__).resolve().parent / "data" / "realistic"
PORTAL = DATA / "portal"

# every finding of each clean import: (file, row, column, code); why each is right:
# HS401 a BOM (information); HS419 Excel date cells (information); HS316 the common column is
# named differently in the two files (HubSpot documents one name); HS206 `1,200` in Google
# Sheets' number column (thousands separators are undocumented); the German save: not UTF-8
# (HS402, HS403), semicolons (HS408), a decimal comma (HS206), WAHR/FALSCH for a checkbox (HS207)
CLEAN = {
    "salesforce-us": [("contacts.csv", 1, 1, "HS401")],
    "salesforce-uk": [("contacts.csv", 1, 1, "HS401")],
    "excel-csv-utf8": [("customers.csv", 1, 1, "HS401")],
    "excel-csv-windows": [],
    "excel-csv-german": [
        ("kunden.csv", None, None, "HS402"), ("kunden.csv", None, None, "HS403"),
        ("kunden.csv", 1, None, "HS408"), ("kunden.csv", 2, 4, "HS206"), ("kunden.csv", 2, 6, "HS207"),
        ("kunden.csv", 3, 3, "HS402"), ("kunden.csv", 3, 6, "HS207")],
    "google-sheets": [("Contacts - Sheet1.csv", 3, 6, "HS206")],
    "mailchimp": [],
    "mailchimp-merge-tags": [],
    "hubspot-reexport": [("hubspot-crm-exports-all-contacts-2024-03-20.csv", 1, 1, "HS401")],
    "companies-contacts-by-domain": [("import.json", None, None, "HS316")],
    "contacts-companies-by-email": [],
    "xlsx-openpyxl": [("contacts.xlsx", 2, 6, "HS419"), ("contacts.xlsx", 2, 7, "HS419")],
    "xlsx-pandas": [("contacts.xlsx", 2, 6, "HS419"), ("contacts.xlsx", 2, 7, "HS419")],
}

# one problem planted in a clean import: (file, bytes replaced, replacement, findings added)
PLANTED = {
    "salesforce-us": ("contacts.csv", b'"3/18/2024"', b'"15/03/2024"',
                      [("contacts.csv", 1, 15, "HS204"), ("contacts.csv", 2, 15, "HS201")]),
    "salesforce-uk": ("contacts.csv", b'"31/12/2023 23:59"', b'"12/31/2023 11:59 PM"',
                      [("contacts.csv", 1, 14, "HS204"), ("contacts.csv", 4, 14, "HS201")]),
    "excel-csv-utf8": ("customers.csv", b",250,", b",#N/A,", [("customers.csv", 3, 5, "HS205")]),
    "excel-csv-windows": ("customers.csv", b"Diaz", "Díaz".encode("cp1252"),
                          [("customers.csv", None, None, "HS402"), ("customers.csv", None, None, "HS403"),
                           ("customers.csv", 4, 3, "HS402")]),
    "google-sheets": ("Contacts - Sheet1.csv", b",events,", b',"Events, Webinars",',
                      [("Contacts - Sheet1.csv", 3, 8, "HS208")]),
    "mailchimp": ("members.csv", b'"bo@globex.com"', b'"bo@globex"', [("members.csv", 3, 1, "HS212")]),
    "mailchimp-merge-tags": ("subscribed.csv", b"2023-11-02 09:05:17", b"11/02/2023 09:05",
                             [("subscribed.csv", 1, 4, "HS204"), ("subscribed.csv", 3, 4, "HS201")]),
    "hubspot-reexport": ("hubspot-crm-exports-all-contacts-2024-03-20.csv", "José García".encode(), b"Alex Kim",
                         [("hubspot-crm-exports-all-contacts-2024-03-20.csv", 4, 7, "HS236")]),
    "companies-contacts-by-domain": ("contacts.csv", b"r,beispiel-gmbh.de,", b"r,beispiel.de,",
                                     [("contacts.csv", 4, 4, "HS314")]),
    "contacts-companies-by-email": ("companies.csv", b"bo@globex.com", b"bo@globex.co",
                                    [("companies.csv", 3, 3, "HS314")]),
}


def _findings(folder: Path) -> list[tuple[str | None, int | None, int | None, str]]:
    report = validate(folder / "import.json", config=Config(portal=str(PORTAL)))
    assert not report.refusals
    return [(Path(f.file).name if f.file else None, f.row, f.column, f.code) for f in report.findings]


def test_every_import_is_listed() -> None:
    assert sorted(CLEAN) == sorted(p.name for p in DATA.iterdir() if (p / "import.json").is_file())


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_clean_import(name: str) -> None:
    assert _findings(DATA / name) == CLEAN[name]


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_problem(name: str, tmp_path: Path) -> None:
    folder = tmp_path / name
    shutil.copytree(DATA / name, folder)
    file, old, new, added = PLANTED[name]
    data = (folder / file).read_bytes()
    assert data.count(old) == 1
    (folder / file).write_bytes(data.replace(old, new))
    assert sorted(_findings(folder), key=repr) == sorted(CLEAN[name] + added, key=repr)


def test_planted_in_workbook(tmp_path: Path) -> None:
    """A ZIP code typed as a number in openpyxl's workbook: it lost its leading zero."""
    openpyxl = pytest.importorskip("openpyxl")
    folder = tmp_path / "xlsx-openpyxl"
    shutil.copytree(DATA / "xlsx-openpyxl", folder)
    book = openpyxl.load_workbook(folder / "contacts.xlsx")
    book.active["D4"] = 7302  # 07302, Jersey City
    book.save(folder / "contacts.xlsx")
    assert ("contacts.xlsx", 4, 4, "HS426") in _findings(folder)
