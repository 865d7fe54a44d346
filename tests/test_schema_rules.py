"""``validator.schema.for_file`` runs every rule that judges a cell on its own row, and flags the
cells ``check`` flags on the DataFrame written as CSV."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any
from unittest import mock

import pandas as pd
import pandera.pandas as pa
import pytest

import validator.schema
from tests.casefiles import CASES, build, load_cases, portal
from tests.conftest import ROOT
from validator import Config, validate
from validator.checks import all_rules
from validator.engine import Engine
from validator.request import parse_request
from validator.schema import ACROSS_ROWS, CHECK_ONLY, failures, for_file, rule_codes

PORTAL = ROOT / "fixtures" / "portal"
ARCHIVED = ROOT / "fixtures" / "portal-archived"
README = ROOT / "README.md"
FK_DEAL = {"associationTypeId": 20, "associationCategory": "HUBSPOT_DEFINED"}
FK_QUOTE = {"associationTypeId": 68, "associationCategory": "HUBSPOT_DEFINED"}


def _request(file_name: str, *columns: tuple[Any, ...]) -> dict[str, Any]:
    """A one-file request of (columnName, object, property[, more mapping keys]) columns."""
    mappings = [{"columnName": c[0], "columnObjectTypeId": c[1], "propertyName": c[2], **(c[3] if len(c) > 3 else {})}
                for c in columns]
    return {"name": "x", "files": [{"fileName": file_name, "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": mappings}}]}


def test_schema_runs_every_rule_that_judges_a_cell_on_its_row() -> None:
    # the schema ran the rules of the values* and records* modules only: HS409, HS430, HS431 and
    # the other rules that judge a cell on its row went unflagged in a pipeline
    chunk_rules = {code for code, cls in all_rules().items() if "on_chunk" in cls.hooks()}
    check_only = [code for codes in CHECK_ONLY.values() for code in codes]
    assert len(check_only) == len(set(check_only))
    assert set(check_only) <= chunk_rules  # (no code that is no rule judging rows)
    assert set(rule_codes()) == chunk_rules - set(check_only)
    # a rule that speaks after the file's last chunk judges more than one row: check only
    finishing = {code for code in chunk_rules if {"on_file_end", "on_import_end"} & set(all_rules()[code].hooks())}
    assert finishing <= set(check_only) | set(ACROSS_ROWS)
    for code in ACROSS_ROWS:  # (their file-end hook only forgets the file: no finding after the rows)
        assert "on_import_end" not in all_rules()[code].hooks()
        assert set(rule_codes()) >= {code}


def test_schema_flags_repeated_identifiers_as_check_does() -> None:
    # a DataFrame with the same email twice (in other letter case) and a Record ID twice passed
    # the schema: the duplicate rules were left to check
    request = _request("contacts.csv", ("Email", "0-1", "email", {"columnType": "HUBSPOT_ALTERNATE_ID"}),
                       ("Record ID", "0-1", "hs_object_id", {"columnType": "HUBSPOT_OBJECT_ID"}))
    df = pd.DataFrame({"Email": ["ann@x.com", "bo@x.com", "ANN@x.com", "cy@x.com"],
                       "Record ID": ["101", "102", "103", "102"]})
    with pytest.raises(pa.errors.SchemaErrors) as exc:
        for_file(request, "contacts.csv").validate(df, lazy=True)
    assert [f for f in failures(exc.value) if f[2] in ACROSS_ROWS] == [(2, "Email", "HS301"), (3, "Record ID", "HS303")]
    report = validate(request, files={"contacts.csv": df.to_csv(index=False).encode()})
    assert [(f.row, f.column_name, f.code) for f in report.findings if f.code in ACROSS_ROWS] == [
        (4, "Email", "HS301"), (5, "Record ID", "HS303")]


_CONTACTS = (_request("contacts.csv", ("Email", "0-1", "email"), ("First Name", "0-1", "firstname"),
                      ("Zip", "0-1", "zip"), ("Country", "0-1", "country"), ("Phone", "0-1", "phone"),
                      ("Other emails", "0-1", "hs_additional_emails"), ("Record ID", "0-1", "hs_object_id")),
             {"Email": ["ann@x.com", '"john.doe"@example.com', "a" * 65 + "@x.com", "ren\ufffde@x.com", "bo@x.com",
                        "cy@x.com"],
              "First Name": ["=HYPERLINK(1)", " Ann", "Ann\u202eexe", "Ann\nMarie", "x" * 32_768, "Ann\x00"],
              "Zip": ["2134", "02134", "", "", "", ""], "Country": ["", "Germany", "", "", "", ""],
              "Phone": ["1.5551E+16", "+1 555 0100", "", "", "", ""],
              "Other emails": ["", "", "", "", 'b@x.com;"b c"@x.com', ""],
              "Record ID": ["5101.0", "12", "", "", "", ""]},
             None,
             [(0, "First Name", "HS430"), (0, "Phone", "HS215"), (0, "Phone", "HS427"), (0, "Record ID", "HS305"),
              (0, "Zip", "HS428"), (1, "Email", "HS246"), (1, "First Name", "HS409"), (2, "Email", "HS248"),
              (2, "First Name", "HS431"), (3, "Email", "HS602"), (3, "First Name", "HS609"),
              (4, "First Name", "HS603"), (4, "Other emails", "HS246"), (5, "First Name", "HS405")])
_LINE_ITEMS = (_request("items.csv", ("Name", "0-8", "name"),
                        ("Deal ID", "0-8", None, {"columnType": "HUBSPOT_OBJECT_ID", "toColumnObjectTypeId": "0-3",
                                                  "foreignKeyType": FK_DEAL}),
                        ("Quote ID", "0-8", None, {"columnType": "HUBSPOT_OBJECT_ID", "toColumnObjectTypeId": "0-14",
                                                   "foreignKeyType": FK_QUOTE})),
               {"Name": ["Widget", "Gadget", "Gizmo", "Doohickey"], "Deal ID": ["101", "101;102", "Acme", "101;101"],
                "Quote ID": ["7", "", "", ""]},
               None,
               [(0, "Deal ID", "HS340"), (1, "Deal ID", "HS315"), (1, "Deal ID", "HS340"), (2, "Deal ID", "HS306"),
                (3, "Deal ID", "HS315"), (3, "Deal ID", "HS318")])
_COMPANIES = (_request("companies.csv", ("Domain", "0-2", "domain"),
                       ("Children", "0-2", "domain", {"columnType": "ASSOCIATION_KEYS"}),
                       ("Parent ID", "0-2", "hs_object_id", {"columnType": "ASSOCIATION_KEYS"})),
              {"Domain": ["acme.example", "labs.example"], "Children": ["labs.example;WWW.Acme.example", ""],
               "Parent ID": ["", "12x"]},
              None,
              [(0, "Children", "HS331"), (1, "Parent ID", "HS330")])
_LABELS = (_request("contacts.csv", ("Email", "0-1", "email"), ("Domain", "0-2", "domain"),
                    ("Label", "0-1", None, {"columnType": "FLEXIBLE_ASSOCIATION_LABEL",
                                            "toColumnObjectTypeId": "0-2"})),
           {"Email": ["ann@x.com", "bo@x.com"], "Domain": ["acme.example", "acme.example"],
            "Label": ["Manager", "billing contact"]},
           PORTAL,
           [(0, "Label", "HS322"), (1, "Label", "HS323")])
_ARCHIVED = (_request("contacts.csv", ("Email", "0-1", "email"), ("Owner", "0-1", "hubspot_owner_id"),
                      ("Plan", "0-1", "plan"), ("Close Date", "0-3", "closedate")),
             {"Email": ["a@x.com", "b@x.com", "c@x.com"], "Owner": ["sam@old-agency.example", "201", "Ann Lee"],
              "Plan": ["gold", "silver", ""], "Close Date": ["45366", "", ""]},
             ARCHIVED,
             [(0, "Close Date", "HS201"), (0, "Close Date", "HS429"), (0, "Owner", "HS247"),
              (1, "Close Date", "HS238"), (1, "Plan", "HS247"), (2, "Close Date", "HS238"), (2, "Owner", "HS247")])


@pytest.mark.parametrize(("request_", "columns", "snapshot", "expected"),
                         [_CONTACTS, _LINE_ITEMS, _COMPANIES, _LABELS, _ARCHIVED],
                         ids=["cells", "line-items", "association-keys", "labels", "archived"])
def test_schema_flags_the_cells_check_flags_beyond_the_value_rules(
        request_: dict[str, Any], columns: dict[str, list[str]], snapshot: Path | None,
        expected: list[tuple[int, str, str]]) -> None:
    # formula injection (HS430), surrounding spaces (HS409), control characters (HS431), NUL bytes,
    # U+FFFD, line breaks, Excel's lost digits and zeros, serial dates, rare and long emails,
    # Record and object ids, association keys, labels and parents, archived items: the schema
    # flagged none of them, where check flagged each cell of the DataFrame written as CSV
    df = pd.DataFrame(columns)
    name = request_["files"][0]["fileName"]
    with pytest.raises(pa.errors.SchemaErrors) as info:
        for_file(request_, name, portal=snapshot).validate(df, lazy=True)
    assert failures(info.value) == expected
    report = validate(request_, config=Config(portal=None if snapshot is None else str(snapshot)),
                      files={name: df.to_csv(index=False).encode()})
    checked = sorted((f.row - 2, df.columns[f.column - 1], f.code) for f in report.findings
                     if f.row is not None and f.row > 1)
    assert checked == expected


def _csv_cases(code: str) -> list[dict[str, Any]]:
    """The cases of a rule's case file that are one CSV file and a request."""
    return [case for case in load_cases(code) if "csv" in case and case.get("dataframe", True)
            and not {"workbook", "bytes_file", "files", "grow", "limits", "bom", "write"} & set(case)]


@pytest.mark.parametrize("code", rule_codes())
def test_schema_flags_what_check_flags_in_each_case_of_its_rules(code: str, tmp_path: Path) -> None:
    # each rule the schema runs, over each CSV of its case file read as a DataFrame: the cells
    # check flags on that DataFrame written as CSV, no more, no fewer
    for case in _csv_cases(code):
        request = build(case, tmp_path)
        name = case.get("file_name", "data.csv")
        df = pd.read_csv(io.StringIO(case["csv"]), dtype=str, keep_default_na=False)
        df.to_csv(tmp_path / Path(name).name, index=False)
        options = {**case.get("options", {}), "select": [code]}
        if "portal" in options:
            options["portal"] = str(CASES.parent / options["portal"])
        config = Config(**options)
        catalog = None
        if "labels" in case or "properties" in case:  # (a portal snapshot laid over the built-in catalog)
            catalog = portal(case.get("labels", {}), case.get("properties", []))
            spec = parse_request(request.read_bytes(), request.name, catalog)
            report = Engine(config, catalog).run(spec, request_path=request, base=tmp_path)
        else:
            report = validate(request, config=config)
        checked = sorted((f.row - 2, str(df.columns[f.column - 1]), f.code) for f in report.findings
                         if f.row is not None and f.row > 1 and f.column is not None)
        assert not [f for f in report.findings if f.row is not None and f.row > 1 and f.column is None]
        with mock.patch.object(validator.schema, "catalog_for",
                               validator.schema.catalog_for if catalog is None else mock.Mock(return_value=catalog)):
            schema = for_file(request, name, config=config)
        try:
            schema.validate(df, lazy=True)
            flagged: list[tuple[Any, str, str]] = []
        except pa.errors.SchemaErrors as exc:
            flagged = failures(exc)
        assert flagged == checked, case.get("name")


def _codes(text: str) -> set[str]:
    """The rule codes a README text names, ranges (HS110-HS117) spelled out."""
    out: set[str] = set()
    for first, last in re.findall(r"HS(\d{3})(?:-HS(\d{3}))?", text):
        out.update(f"HS{n:03d}" for n in range(int(first), int(last or first) + 1))
    return out


def test_readme_lists_the_rules_that_stay_with_check() -> None:
    # the README named HS204 and HS230-HS233 only, while the schema ran no rule outside the
    # values* and records* modules
    section = README.read_text(encoding="utf-8").split("### In a pipeline (pandera)", 1)[1].split("```", 1)[0]
    items = re.findall(r"^- (.*?)(?=^- |^\n)", section, flags=re.M | re.S)
    assert _codes("".join(item for item in items if not item.startswith("and every rule"))) == {
        code for codes in CHECK_ONLY.values() for code in codes}
    assert "(HS230-HS233 among them)" in section
