"""Value grammars, portal snapshots, the dateFormat verdict and the pandera export."""

from __future__ import annotations

import calendar
import csv
import io
import json
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

from tests.conftest import ROOT
from validator import Config, formats, validate
from validator.catalog import Option
from validator.checks.base import quote
from validator.cli import main
from validator.findings import ValidatorError
from validator.keys import split_list, split_quoted
from validator.portal import catalog_for, load_portal
from validator.schema import failures, for_file

EXAMPLES = ROOT / "fixtures" / "examples"
PORTAL = ROOT / "fixtures" / "portal"
DEALS = EXAMPLES / "deals" / "deals.import.json"


def _request(file_name: str, *columns: tuple[str, str, str]) -> dict:
    """A one-file request mapping (columnName, object, property) columns, in order."""
    return {"name": "x", "files": [{"fileName": file_name, "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [{"columnName": c, "columnObjectTypeId": o, "propertyName": p}
                                              for c, o, p in columns]}}]}


def _both_chunk_sizes(request: dict[str, Any], name: str, data: bytes, reader: str) -> Iterator[tuple[int, Any]]:
    """(rows a chunk, report) of the file ``name`` holding ``data`` checked by ``reader``, with one
    chunk for the file and with one row a chunk: a rule's findings are the same either way."""
    for chunk_rows in (50_000, 1):
        yield chunk_rows, validate(request, files={name: io.BytesIO(data)}, base_dir="/nonexistent",
                                   config=Config(chunk_rows=chunk_rows, reader=reader))


# -- formats ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("fmt", "good", "bad"), [
    ("MONTH_DAY_YEAR", ["10/28/2023", "10-28-23", "Oct.28.2023", "OCTOBER/28/2023", "2/29/2024", "1/2/24"],
     ["28/10/2023", "02/30/2024", "2/29/2023", "2023-10-28", "10/28-2023", "10/28/2023x", "13/01/2024"]),
    ("DAY_MONTH_YEAR", ["28/10/2023", "28-Oct-23", "31.december.2024", "29/02/2024"],
     ["10/28/2023", "31/04/2024", "31/06/2024", "00/01/2024", "28/Octo/2023"]),
    ("YEAR_MONTH_DAY", ["2023.OCT.28", "2023-10-28", "23/10/28", "2024/February/29"],
     ["2023-02-30", "28/10/2023", "2023-13-01"]),
])
def test_dates_under_each_format(fmt: str, good: list[str], bad: list[str]) -> None:
    d = formats.parse_dates(pd.Series(good + bad), fmt)
    assert list(d.ok) == [True] * len(good) + [False] * len(bad)


def test_datetimes_with_times_ampm_offsets_and_epochs() -> None:
    good = ["02-28-26 7:00AM +01:00", "10/28/2023 14:30", "10/28/2023 2:30 pm", "10/28/2023 14:30:05",
            "10/28/2023", "1700000000000", "10/28/2023 09:15 -05:00"]
    bad = ["10/28/2023 25:00", "10/28/2023 13:30 PM", "10/28/2023 14:61", "10/28/2023 14:30 +15:00", "noon"]
    d = formats.parse_dates(pd.Series(good + bad), "MONTH_DAY_YEAR", with_time=True)
    assert list(d.ok) == [True] * len(good) + [False] * len(bad)
    seconds = formats.parse_dates(pd.Series(["1700000000"]), "MONTH_DAY_YEAR", with_time=True)
    assert list(seconds.epoch_seconds) == [True]


def test_fractions_of_a_second_up_to_nanoseconds() -> None:
    """What pandas and Python write (``.123456``, ``.123456789``) is read as ``.123`` is (the
    time's documented form is hh:mm; no fraction length is documented, so none is singled out);
    ten digits, or a fraction without digits, are no time."""
    good = ["2024-03-15 14:30:00.1", "2024-03-15 14:30:00.123", "2024-03-15 14:30:00.123456",
            "2024-03-15T14:30:00.123456789Z"]
    bad = ["2024-03-15 14:30:00.1234567890", "2024-03-15 14:30:00.", "2024-03-15 14:30.5"]
    d = formats.parse_dates(pd.Series(good + bad), "YEAR_MONTH_DAY", with_time=True)
    assert list(d.ok) == [True] * len(good) + [False] * len(bad)


def test_the_widest_epochs_keep_their_exact_dates_in_narrow_integers() -> None:
    """Dates are kept as int32 years and int8 months and days: the epochs of 15 digits, the
    widest that parse, still give their exact calendar dates (pandas reads them in milliseconds)."""
    d = formats.parse_dates(pd.Series(["-999999999999999", "999999999999999", "12/31/1999", "x"]),
                            "MONTH_DAY_YEAR", with_time=True, distinct=None)
    assert list(d.ok) == [True, True, True, False] and list(d.epoch) == [True, True, False, False]
    assert (d.year.dtype, d.month.dtype, d.day.dtype) == (np.int32, np.int8, np.int8)
    assert [(int(y), int(m), int(x)) for y, m, x in zip(d.year, d.month, d.day, strict=True)] == [
        (-29719, 4, 5), (33658, 9, 27), (1999, 12, 31), (0, 0, 0)]


def test_impossible_dates_are_not_rolled_over() -> None:
    # pyarrow's strptime turns 02/30 into 03/01; ours must not
    d = formats.parse_dates(pd.Series(["02/30/2024", "04/31/2024", "02/29/2100", "02/29/2000"]), "MONTH_DAY_YEAR")
    assert list(d.ok) == [False, False, False, True]
    assert (d.year[3], d.month[3], d.day[3]) == (2000, 2, 29)


def test_numbers() -> None:
    cells = ["12", "-1.5", ".25", "1.5e3", "1,234", "$12", "12,5", "1.2.3", "x", "", "25%"]
    n = formats.parse_numbers(pd.Series(cells))
    assert list(n.ok) == [True, True, True, True, False, False, False, False, False, False, False]
    assert list(n.formatted) == [False, False, False, False, True, True, True, False, False, False, False]
    assert list(n.bad) == [False] * 7 + [True, True, False, True]
    assert list(formats.parse_numbers(pd.Series(["25%", "1.5e3"]), percent=True, scientific=False).ok) == [True, False]


def test_bools_accept_any_case() -> None:
    assert list(formats.bools(pd.Series(["True", "YES", "false", "No", "1", "Y", ""]))) == [True] * 4 + [False] * 3


def test_options_label_value_case_and_ambiguity() -> None:
    opts = formats.OptionSet.of([Option("Customer", "customer"), Option("customer", "cust_old"),
                                 Option("Lead", "lead")])
    m = formats.match_options(pd.Series(["Lead", "lead", "LEAD", "customer", "cust_old", "nope", ""]), opts)
    assert list(m.exact) == [True, True, False, True, True, False, False]
    assert list(m.unmatched) == [False, False, False, False, False, True, False]
    assert list(m.ambiguous) == [False, False, False, True, False, False, False]


def test_multiple_checkboxes() -> None:
    opts = formats.OptionSet.of([Option("Gold", "gold"), Option("Silver", "silver")])
    cells = pd.Series(["gold;Silver", ";silver", "gold; silver", "gold,silver", "gold;;silver", "gold;bronze"])
    m = formats.match_options(cells, opts, multiple=True)
    assert list(m.unmatched) == [False, False, False, True, False, True]
    assert list(m.spaced) == [False, False, True, False, False, False]


def test_text_formats() -> None:
    assert list(formats.emails(pd.Series(["a@b.co", "a@b", "a b@c.de", "a..b@c.de", ".a@c.de"]))) == [
        True, False, False, False, False]
    valid, stripped = formats.domains(pd.Series(["acme.com", "https://acme.com/x", "acme", "www.acme.io"]))
    assert list(valid) == [True, True, False, True] and list(stripped) == [False, True, False, True]
    assert list(formats.terms(pd.Series(["P12M", "p1y", "12", "P", "P1M2D", "12m"]))) == [
        True, True, True, False, True, False]
    assert list(formats.phones(pd.Series(["+11234567890 ext123", "(555) 123-4567", "call me"]))) == [True, True, False]


def test_terms_of_no_length_or_past_max_years_are_warnings() -> None:
    # the allowed term range is not documented ([GAP]): OUTSIDE_VALID_TERM_RANGE as a warning
    months = formats.term_months(pd.Series(["P12M", "12", "P1Y6M", "P0M", "0", "P2W", "12 months", ""]))
    assert list(months[:5]) == [12, 12, 18, 0, 0] and 0.45 < months[5] < 0.47 and np.isnan(months[6:]).all()
    import io
    text = "Name,Term\nSeats,P0M\nSupport,P12M\nTraining,P101Y\nHosting,\nSetup,12 months\n"
    request = _request("items.csv", ("Name", "0-8", "name"), ("Term", "0-8", "hs_recurring_billing_period"))

    def found(config: Config) -> list[tuple]:
        report = validate(request, files={"items.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent",
                          config=config)
        return [(f.row, f.column, f.code, f.severity.label if f.severity else None, f.hubspot_error, f.message)
                for f in report.findings if f.code in ("HS216", "HS244")]
    assert found(Config()) == [
        (2, 2, "HS244", "warning", "OUTSIDE_VALID_TERM_RANGE", "'P0M' is a term of no length"),
        (4, 2, "HS244", "warning", "OUTSIDE_VALID_TERM_RANGE", "'P101Y' is a term of more than 100 years"),
        (6, 2, "HS216", "error", "COULD_NOT_PARSE_TERM", "'12 months' is not a term (P12M, P1Y or a number of months)"),
    ]
    assert [r[:3] for r in found(Config(options={"HS244": {"max_years": 200}}))] == [
        (2, 2, "HS244"), (6, 2, "HS216")]
    # max_years = 10**400 (a whole number, as the option takes) was an internal error: OverflowError,
    # int too large to convert to float; no term is that long
    assert [r[:3] for r in found(Config(options={"HS244": {"max_years": 10**400}}))] == [
        (2, 2, "HS244"), (6, 2, "HS216")]


# -- the dateFormat verdict -----------------------------------------------------------------
def _contacts(tmp: Path, csv: str, **top: object) -> Path:
    (tmp / "c.csv").write_text(csv, encoding="utf-8")
    header = csv.split("\n", 1)[0].split(",")
    request = {"name": "t", **top, "files": [{"fileName": "c.csv", "fileImportPage": {"hasHeader": True,
               "columnMappings": [{"columnObjectTypeId": "0-1", "columnName": h, "propertyName": h} for h in header]}}]}
    path = tmp / "r.json"
    path.write_text(json.dumps(request))
    return path


@pytest.mark.parametrize(("csv", "message"), [
    ("email,closedate\na@x.com,28/10/2023\nb@x.com,15/03/2024\nc@x.com,03/04/2024\n",
     "2 of 3 values are impossible as MONTH_DAY_YEAR; every value parses as DAY_MONTH_YEAR; the request says "
     "MONTH_DAY_YEAR; 1 of them is ambiguous"),
    # a whole column in the other order, with some junk in it: the verdict still names the format
    ("email,closedate\na@x.com,28/10/2023\nb@x.com,soon\nc@x.com,15/03/2024\nd@x.com,03/04/2024\n"
     "e@x.com,2023-13-45\n",
     "4 of 5 values are impossible as MONTH_DAY_YEAR; all 3 that are dates parse as DAY_MONTH_YEAR (2 other "
     "values are no date in any format); the request says MONTH_DAY_YEAR; 1 of them is ambiguous"),
    ("email,closedate\na@x.com,28/10/2023\nb@x.com,10/28/2023\nc@x.com,soon\n",
     "the column mixes date formats: of the 2 values that are dates (1 other value is no date in any format) "
     "1 parses as MONTH_DAY_YEAR, 1 parses as DAY_MONTH_YEAR"),
])
def test_verdict_names_the_format_that_parses_every_date(tmp_path: Path, csv: str, message: str) -> None:
    report = validate(_contacts(tmp_path, csv))
    found = [f for f in report.findings if f.code == "HS204"]
    assert [(f.row, f.column, f.message) for f in found] == [(1, 2, message)]
    impossible = [i + 2 for i, line in enumerate(csv.splitlines()[1:])  # HS201 names each cell the verdict counts
                  if line.split(",")[1] in ("28/10/2023", "15/03/2024", "soon", "2023-13-45")]
    assert [(f.row, f.column) for f in report.findings if f.code == "HS201"] == [(r, 2) for r in impossible]


def test_checkbox_values_listed_with_commas_are_told_the_separator(tmp_path: Path) -> None:
    """A multiple-checkbox cell of options separated by commas: HS208 says how to write it."""
    (tmp_path / "t.csv").write_text("subject,hs_ticket_category\nA,\"Product issue, Billing issue\"\n"
                                     "B,\"PRODUCT_ISSUE,Nonsense\"\nC,Product issue;Billing issue\n", encoding="utf-8")
    mappings = [{"columnObjectTypeId": "0-5", "columnName": h, "propertyName": h}
                for h in ("subject", "hs_ticket_category")]
    request = {"name": "t", "files": [{"fileName": "t.csv",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}
    (tmp_path / "r.json").write_text(json.dumps(request))
    found = [(f.row, f.column, f.message) for f in validate(tmp_path / "r.json").findings if f.code == "HS208"]
    options = "PRODUCT_ISSUE, BILLING_ISSUE, FEATURE_REQUEST, GENERAL_INQUIRY"
    assert found == [
        (2, 2, f"'Product issue, Billing issue' is not an option of hs_ticket_category ({options}); HubSpot "
               "imports the record and leaves hs_ticket_category empty; separate checkbox values with ';': "
               "'Product issue;Billing issue'"),
        (3, 2, f"'PRODUCT_ISSUE,Nonsense' is not an option of hs_ticket_category ({options}); HubSpot imports "
               "the record and leaves hs_ticket_category empty"),  # not every item an option: no rewrite offered
    ]


# -- realistic imports ------------------------------------------------------------------------
CLEAN = {
    "contacts": ("0-1", "MONTH_DAY_YEAR", [
        ("Email", "email", ["ann.lee@example.com", "bo.chen@example.org", "carla@example.net"]),
        ("Lifecycle Stage", "lifecyclestage", ["lead", "Customer", ""]),
        ("Lead Status", "hs_lead_status", ["NEW", "Attempted to Contact", "OPEN_DEAL"]),
        ("Close Date", "closedate", ["10/28/2023", "Oct-28-23 7:00AM +01:00", "1700000000000"]),
        ("Phone", "phone", ["+11234567890 ext123", "", "+442071838750"]),
        ("Employees", "numemployees", ["1-5", "1000+", ""])]),
    "companies": ("0-2", "DAY_MONTH_YEAR", [
        ("Name", "name", ["Acme", "Globex", "Initech"]),
        ("Domain", "domain", ["acme.com", "globex.co.uk", ""]),
        ("Revenue", "annualrevenue", ["1200.50", "1.5e6", ""]),
        ("Public", "is_public", ["True", "no", ""]),
        ("Type", "type", ["PARTNER", "Vendor", ""]),
        ("Closed", "closedate", ["28/10/2023", "28.October.2023 14:30", "29-02-24"])]),
    "deals": ("0-3", "YEAR_MONTH_DAY", [
        ("Deal Name", "dealname", ["Renewal", "Upsell", "Pilot"]),
        ("Pipeline", "pipeline", ["default", "Sales Pipeline", "default"]),
        ("Stage", "dealstage", ["closedwon", "Qualified To Buy", "contractsent"]),
        ("Amount", "amount", ["12000", "99.95", ""]),
        ("Forecast", "hs_forecast_probability", ["25%", ".25", ""]),
        ("Close Date", "closedate", ["2023.OCT.28", "2024-02-29 11:59 PM", "23/10/28"])]),
    "tickets": ("0-5", "MONTH_DAY_YEAR", [
        ("Subject", "subject", ["Login fails", "Invoice wrong", "Feature idea"]),
        ("Pipeline", "hs_pipeline", ["0", "Support Pipeline", "0"]),
        ("Status", "hs_pipeline_stage", ["1", "Waiting on us", "4"]),
        ("Priority", "hs_ticket_priority", ["HIGH", "Low", ""]),
        ("Category", "hs_ticket_category", ["PRODUCT_ISSUE;Billing issue", ";FEATURE_REQUEST", ""])]),
}


def _write(tmp: Path, name: str, obj: str, fmt: str, columns: list, op: str = "UPSERT") -> Path:
    rows = zip(*[values for _h, _p, values in columns], strict=True)
    text = ",".join(h for h, _p, _v in columns) + "\n" + "".join(",".join(r) + "\n" for r in rows)
    (tmp / f"{name}.csv").write_text(text, encoding="utf-8")
    request = {"name": name, "dateFormat": fmt, "importOperations": {obj: op}, "files": [{
        "fileName": f"{name}.csv", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": obj, "columnName": h, "propertyName": p} for h, p, _v in columns]}}]}
    path = tmp / f"{name}.import.json"
    path.write_text(json.dumps(request))
    return path


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_valid_values_of_every_kind_are_never_flagged(tmp_path: Path, name: str) -> None:
    obj, fmt, columns = CLEAN[name]
    report = validate(_write(tmp_path, name, obj, fmt, columns))
    assert [(f.row, f.column, f.code, f.message) for f in report.findings] == []


def test_each_bad_value_at_its_row_and_column_with_its_error_type(tmp_path: Path) -> None:
    columns = [
        ("Email", "email", ["ann@example.com", "bo@example", "cy@example.com", "di@example.com"]),
        ("Stage", "lifecyclestage", ["lead", "Hot lead", "customer", ""]),
        ("Close", "closedate", ["10/28/2023", "10/28/2023", "31/12/2024", "02/30/2024"]),
        ("Employees", "numemployees", ["1-5", "", "6-10", "1000+"]),
    ]
    report = validate(_write(tmp_path, "c", "0-1", "MONTH_DAY_YEAR", columns))
    got = [(f.row, f.column, f.code, f.hubspot_error) for f in report.findings if f.code != "HS204"]
    assert got == [(3, 1, "HS212", "INVALID_EMAIL"), (3, 2, "HS208", "INVALID_ENUMERATION_OPTION"),
                   (4, 3, "HS201", "COULD_NOT_PARSE_DATE"), (4, 4, "HS208", "INVALID_ENUMERATION_OPTION"),
                   (5, 3, "HS201", "COULD_NOT_PARSE_DATE")]
    message = next(f.message for f in report.findings if f.code == "HS208")
    assert "leaves lifecyclestage empty" in message


# -- portal snapshots -------------------------------------------------------------------------
def _codes(report) -> list[tuple[int | None, int | None, str]]:  # type: ignore[no-untyped-def]
    return [(f.row, f.column, f.code) for f in report.findings]


def test_snapshot_overrides_the_builtin_catalog() -> None:
    with_portal = _codes(validate(DEALS, config=Config(portal=str(PORTAL))))
    assert with_portal == [(3, 4, "HS206"), (3, 6, "HS237"), (4, 3, "HS235"), (4, 5, "HS201"), (4, 7, "HS208"),
                           (5, 6, "HS236"), (6, 3, "HS234"), (6, 4, "HS205"), (6, 5, "HS202")]
    builtin = _codes(validate(DEALS))
    # without the snapshot the Renewals pipeline is unknown and owners are not checked
    assert builtin == [(2, 2, "HS208"), (3, 4, "HS206"), (4, 2, "HS208"), (4, 5, "HS201"), (4, 7, "HS208"),
                       (6, 3, "HS234"), (6, 4, "HS205"), (6, 5, "HS202")]


def test_deal_collaborators_are_users_separated_by_semicolons(tmp_path: Path) -> None:
    # a multi-valued owner property (deal collaborators: a checkbox of users) takes several users
    # separated by ';' [V] S6; the whole cell was looked up as one user, so every valid list of
    # two was HS236's error, and one unknown user among them was not named
    portal = tmp_path / "portal"
    shutil.copytree(PORTAL, portal)
    props = json.loads((portal / "properties" / "deals.json").read_text(encoding="utf-8"))
    props["results"].append({"name": "hs_all_collaborator_owner_ids", "label": "Deal collaborator",
                             "type": "enumeration", "fieldType": "checkbox", "options": [],
                             "referencedObjectType": "OWNER", "externalOptions": True})
    (portal / "properties" / "deals.json").write_text(json.dumps(props), encoding="utf-8")
    request = {"name": "t", "importOperations": {"0-3": "CREATE"}, "files": [
        {"fileName": "deals.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-3", "columnName": "Name", "propertyName": "dealname"},
            {"columnObjectTypeId": "0-3", "columnName": "Pipeline", "propertyName": "pipeline"},
            {"columnObjectTypeId": "0-3", "columnName": "Stage", "propertyName": "dealstage"},
            {"columnObjectTypeId": "0-3", "columnName": "Collaborators",
             "propertyName": "hs_all_collaborator_owner_ids"}]}}]}
    text = ("Name,Pipeline,Stage,Collaborators\n"
            "A,default,closedwon,ann.lee@example.com;101\n"
            "B,default,closedwon,;101;ann.lee@example.com\n"
            "C,default,closedwon,101;sam@old-agency.com\n"
            "D,default,closedwon,101;Alex Kim\n"
            "E,default,closedwon,sam@old-agency.com\n")
    report = validate(request, files={"deals.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent",
                      config=Config(portal=str(portal)))  # type: ignore[arg-type]
    assert [(f.row, f.column, f.code) for f in report.findings] == [(4, 4, "HS236"), (5, 4, "HS237"),
                                                                     (6, 4, "HS236")]
    assert [f.message for f in report.findings if f.code == "HS236"] == [
        "'101;sam@old-agency.com' names 'sam@old-agency.com', no user's email, owner ID or name",
        "'sam@old-agency.com' is no user's email, owner ID or name"]


def _deals(csv: str, **config: object):  # type: ignore[no-untyped-def]
    import io
    request = {"name": "t", "importOperations": {"0-3": "CREATE"}, "files": [
        {"fileName": "deals.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-3", "columnName": "Name", "propertyName": "dealname"},
            {"columnObjectTypeId": "0-3", "columnName": "Pipeline", "propertyName": "pipeline"},
            {"columnObjectTypeId": "0-3", "columnName": "Stage", "propertyName": "dealstage"}]}}]}
    return validate(request, files={"deals.csv": io.BytesIO(csv.encode())}, base_dir="/nonexistent",
                    config=Config(**config))  # type: ignore[arg-type]


def test_stage_not_in_pipeline_names_each_rows_own_pipeline() -> None:
    # one chunk, two rows with stages of the other pipeline: each message names its row's pipeline
    report = _deals("Name,Pipeline,Stage\nA,Renewals,closedwon\nB,Sales Pipeline,Renewed\nC,Renewals,Renewed\n",
                    portal=str(PORTAL))
    assert [(f.row, f.column, f.message) for f in report.findings if f.code == "HS235"] == [
        (2, 3, "'closedwon' is not a stage of the row's pipeline (Renewals)"),
        (3, 3, "'Renewed' is not a stage of the row's pipeline (Sales Pipeline)")]


@pytest.mark.parametrize(("operation", "columns", "csv", "expected"), [
    # rows that update a deal and name no pipeline: the deal keeps its own pipeline, which the
    # file does not give, so a stage of the Renewals pipeline was reported as not one of Sales Pipeline's
    ("UPDATE", (("Record ID", "hs_object_id"), ("Stage", "dealstage")),
     "Record ID,Stage\n101,Renewed\n102,closedwon\n103,Nope\n",
     [(4, 2, "'Nope' is not a stage of any pipeline")]),
    ("UPSERT", (("Record ID", "hs_object_id"), ("Pipeline", "pipeline"), ("Stage", "dealstage")),
     "Record ID,Pipeline,Stage\n101,,98767\n102,,Nope\n,,Renewed\n104,Sales Pipeline,Renewed\n",
     [(3, 3, "'Nope' is not a stage of any pipeline"),
      # a row without its identifier creates a deal: the default pipeline's stages only
      (4, 3, "'Renewed' is not a stage of the row's pipeline (Sales Pipeline)"),
      (5, 3, "'Renewed' is not a stage of the row's pipeline (Sales Pipeline)")]),
])
def test_a_row_that_updates_a_deal_and_names_no_pipeline_takes_any_pipelines_stage(
        operation: str, columns: tuple, csv: str, expected: list) -> None:
    import io

    request = {"name": "t", "importOperations": {"0-3": operation}, "files": [
        {"fileName": "deals.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-3", "columnName": c, "propertyName": p} for c, p in columns]}}]}
    report = validate(request, files={"deals.csv": io.BytesIO(csv.encode())}, base_dir="/nonexistent",
                      config=Config(portal=str(PORTAL)))
    assert [(f.row, f.column, f.severity.label if f.severity else None, f.hubspot_error, f.message)
            for f in report.findings if f.code == "HS235"] == [
        (row, column, "error", "INVALID_REQUIRED_PROPERTY", message) for row, column, message in expected]


def test_unknown_pipeline_or_stage_fails_the_row() -> None:
    # fact sheet 9 #13 [V]: a pipeline or stage that does not exist fails the row, where another
    # dropdown's unknown option is imported as empty
    report = _deals("Name,Pipeline,Stage\nA,Renewalz,closedwon\nB,default,Nope\n")
    assert [(f.code, f.row, f.column, f.hubspot_error, f.message) for f in report.findings] == [
        ("HS208", 2, 2, "PROPERTY_VALUE_NOT_FOUND",
         "'Renewalz' is not an option of pipeline (default); HubSpot rejects the row: its pipeline must exist"),
        ("HS235", 3, 3, "INVALID_REQUIRED_PROPERTY", "'Nope' is not a stage of the row's pipeline (Sales Pipeline)")]


def test_pipeline_or_stage_in_another_letter_case_names_the_rows_error() -> None:
    # HS210 gave a pipeline's or stage's case slip INVALID_ENUMERATION_OPTION (the property left
    # empty), though a pipeline or stage HubSpot does not find fails the row as
    # PROPERTY_VALUE_NOT_FOUND (fact sheet 9 #13), HS208's errorType for one matching none
    report = _deals("Name,Pipeline,Stage\nA,DEFAULT,closedwon\nB,default,closed won\n")
    assert [(f.code, f.row, f.column, f.hubspot_error, f.message) for f in report.findings
            if f.code == "HS210"] == [
        ("HS210", 2, 2, "PROPERTY_VALUE_NOT_FOUND",
         "'DEFAULT' matches an option of pipeline ('default') only ignoring case"),
        ("HS210", 3, 3, "PROPERTY_VALUE_NOT_FOUND",
         "'closed won' matches an option of dealstage ('Closed Won') only ignoring case")]
    other = _contacts_case("lifecyclestage", "LEAD")
    assert [(f.code, f.row, f.column, f.hubspot_error, f.message) for f in other.findings if f.code == "HS210"] == [
        ("HS210", 2, 2, "INVALID_ENUMERATION_OPTION", "'LEAD' matches an option of lifecyclestage ('Lead') only "
                                                      "ignoring case")]


def _contacts_case(prop: str, value: str):  # type: ignore[no-untyped-def]
    import io
    request = {"name": "t", "importOperations": {"0-1": "CREATE"}, "files": [
        {"fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "Stage", "propertyName": prop}]}}]}
    return validate(request, files={"c.csv": io.BytesIO(f"Email,Stage\na@x.com,{value}\n".encode())},
                    base_dir="/nonexistent")


def test_line_items_need_their_deal() -> None:
    # fact sheet 4.3 [V]: line items need Name, Quantity, Price and the associated deal
    import io

    def line_items(with_deals: bool):  # type: ignore[no-untyped-def]
        items = [{"columnObjectTypeId": "0-8", "columnName": n, "propertyName": n.lower()}
                 for n in ("Name", "Quantity", "Price", "SKU")]
        files = [{"fileName": "items.csv", "fileFormat": "CSV",
                  "fileImportPage": {"hasHeader": True, "columnMappings": items}}]
        if with_deals:  # a deals file whose SKU column points at the line items
            files.append({"fileName": "deals.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True,
                          "columnMappings": [
                              {"columnObjectTypeId": "0-3", "columnName": "Deal Name", "propertyName": "dealname"},
                              {"columnObjectTypeId": "0-3", "columnName": "SKU", "propertyName": None,
                               "toColumnObjectTypeId": "0-8"}]}})
        request = {"name": "t", "importOperations": {"0-8": "CREATE", "0-3": "UPDATE"}, "files": files}
        data = {"items.csv": b"Name,Quantity,Price,SKU\nWidget,2,10.00,W-1\n", "deals.csv": b"Deal Name,SKU\nBig,W-1\n"}
        given = {k: io.BytesIO(v) for k, v in data.items() if with_deals or k == "items.csv"}  # (only named files)
        report = validate(request, files=given, base_dir="/nonexistent")
        return [(f.file, f.pointer, f.message) for f in report.findings if f.code == "HS233"]
    assert line_items(False) == [("items.csv", "/files/0/fileImportPage/columnMappings",
                                  "CREATE of line items (0-8) needs the deal each one belongs to: a column with "
                                  "the deal's Record ID or Deal name")]
    assert line_items(True) == []


def test_case_is_set_aside_one_way_for_cells_and_names(tmp_path: Path) -> None:
    # options were folded with Python's casefold, cells with Arrow's lower case: they differ on
    # ß, a final sigma and İ, so a case-only variant was an error (HS208) instead of HS210; an
    # owner named İlker was not found
    options = formats.OptionSet.of([Option("Straße", "strasse_v"), Option("ΟΔΟΣ", "odos"),
                                    Option("İstanbul", "ist")])
    cells = pd.Series(["Straße", "straße", "STRASSE", "οδος", "Οδος", "İSTANBUL", "istanbul", "Rome"])
    m = formats.match_options(cells, options)
    assert m.exact.tolist() == [True, False, False, False, False, False, False, False]
    assert m.folded.tolist() == [True, True, True, True, True, True, True, False]
    portal = tmp_path / "portal"
    shutil.copytree(PORTAL, portal)
    owners = json.loads((portal / "owners.json").read_text(encoding="utf-8"))
    owners["results"].append({**owners["results"][0], "id": "104", "email": "ilker@example.com",
                              "firstName": "İlker", "lastName": "Yılmaz"})
    (portal / "owners.json").write_text(json.dumps(owners), encoding="utf-8")
    report = _deals("Name,Pipeline,Stage\nA,default,closedwon\n", portal=str(portal))
    assert report.findings == []
    import io

    request = json.loads(DEALS.read_text(encoding="utf-8"))
    data = (EXAMPLES / "deals" / "deals.csv").read_text(encoding="utf-8").splitlines()
    header = data[0].split(",")
    row = dict(zip(header, data[1].split(","), strict=True))
    for owner in ("İlker Yılmaz", "ilker yılmaz", "İLKER Yılmaz"):  # (YILMAZ lowers to yilmaz: no ı)
        row["Owner"] = owner
        text = ",".join(header) + "\n" + ",".join(row[h] for h in header) + "\n"
        found = validate(request, files={"deals.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent",
                         config=Config(portal=str(portal)))
        assert [f.code for f in found.findings if f.code in ("HS236", "HS237")] == [], owner


def test_an_option_cell_with_bytes_that_are_not_utf8_is_reported_not_a_crash() -> None:
    # (fuzz seed 1503) the option matching's message folded the cell through Arrow, which takes
    # no lone surrogates (the reader's stand-ins for undecodable bytes): UnicodeEncodeError
    import io

    request = json.loads(DEALS.read_text(encoding="utf-8"))
    data = (EXAMPLES / "deals" / "deals.csv").read_bytes().replace(b",high\n", b",hi\xe9h\n", 1)
    report = validate(request, files={"deals.csv": io.BytesIO(data)}, base_dir="/nonexistent")
    assert (2, 7) in [(f.row, f.column) for f in report.findings if f.code == "HS208"]


def test_a_cell_with_a_space_that_prints_as_a_plain_one_says_so() -> None:
    # '10:00\u202fAM' (newer locales' time format) printed as '10:00 AM': the message looked wrong
    import io

    request = _request("x.csv", ("Domain", "0-2", "domain"), ("Revenue", "0-2", "annualrevenue"),
                       ("Closed", "0-2", "closedate"))
    text = "Domain,Revenue,Closed\nx.com,1\u00a0000,03/15/2024 10:00\u202fAM\ny.com,1 000,03/15/2024 10:00 AM\n"
    found = validate(request, files={"x.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent")
    got = [(f.code, f.row, f.column, f.message) for f in found.findings]
    assert ("HS201", 2, 3, "'03/15/2024 10:00\u202fAM' is not a MONTH_DAY_YEAR datetime; it holds a narrow "
            "no-break space (U+202F) where a plain space is meant") in got
    # (a no-break space between digits is a thousands separator, not a stand-in for a plain space)
    assert ("HS206", 2, 2, "'1\u00a0000' has thousands separators; HubSpot expects digits and one decimal point: "
            "write 1000") in got
    assert ("HS206", 3, 2, "'1 000' has thousands separators; HubSpot expects digits and one decimal point: "
            "write 1000") in got
    assert [c for c, r, *_ in got if r == 3 and c == "HS201"] == []


def test_snapshot_custom_stage_property_and_object() -> None:
    catalog = catalog_for(PORTAL)
    assert Option("Partner", "1234567") in catalog.property_of("0-1", "lifecyclestage").options  # type: ignore[union-attr]
    assert catalog.property_of("0-1", "favorite_color") is not None
    assert catalog.object_id("cars") == "2-1234567" and catalog.required("2-1234567") == (("model",),)
    assert catalog.identifiers("2-1234567") == ("hs_object_id", "vin")
    assert [p.label for p in catalog.pipelines("0-3")] == ["Sales Pipeline", "Renewals"]
    assert len(load_portal(PORTAL).association_labels[("0-1", "0-2")]) == 3
    assert catalog.association(36, "USER_DEFINED").label == "Billing contact"  # type: ignore[union-attr]


def test_a_custom_object_by_its_fully_qualified_name_needs_no_snapshot() -> None:
    # p<portal id>_<name> (schemas' fullyQualifiedName) is a custom object's name, never a HubSpot
    # object's: it was HS021 (an error) without a snapshot, where a 2-<id> is taken as it stands;
    # with a snapshot it is looked up, as a 2-<id> is
    def hs021(obj: str, **config: Any) -> list[tuple[str, str]]:
        request = {"name": "x", "importOperations": {obj: "CREATE"},
                   "files": [{"fileName": "x.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True,
                              "columnMappings": [{"columnName": "Model", "columnObjectTypeId": obj,
                                                  "propertyName": "model"}]}}]}
        found = validate(request, files={"x.csv": io.BytesIO(b"Model\nRoadster\n")}, base_dir="/nonexistent",
                         config=Config(**config))
        return [(f.pointer or "", f.message) for f in found.findings if f.code == "HS021"]
    assert hs021("p123456_cars") == []
    assert hs021("p123456_cars", portal=str(PORTAL)) == []  # the snapshot's fullyQualifiedName
    listed = ": the portal snapshot's custom objects (schemas.json) are 2-1234567 (cars)"
    assert hs021("p999_trucks", portal=str(PORTAL)) == [
        ("/files/0/fileImportPage/columnMappings/0/columnObjectTypeId",
         "columnObjectTypeId 'p999_trucks' is not a known HubSpot object" + listed),
        ("/importOperations/p999_trucks", "importOperations names unknown object 'p999_trucks'" + listed)]
    hint = "; a custom object's name is known only from a portal snapshot (--portal with schemas.json): or give its "
    # a fully qualified name is one of a mapping's forms, where importOperations keys are ids (HS033 warns
    # of a name there): the hint for a key named no form HS033 then warned of
    assert hs021("cars") == [
        ("/files/0/fileImportPage/columnMappings/0/columnObjectTypeId", "columnObjectTypeId 'cars' is not a known "
         "HubSpot object" + hint + "2-<id>, fully qualified name p<portal id>_<name> or short-hand name p_<name>"),
        ("/importOperations/cars", "importOperations names unknown object 'cars'" + hint
         + "2-<id> (HubSpot documents objectTypeIds as importOperations keys)")]
    assert hs021("0-99")[0][1] == "columnObjectTypeId '0-99' is not a known HubSpot object"  # an id: no hint


def test_a_custom_object_the_portal_snapshot_lacks_is_unknown(tmp_path: Path) -> None:
    # schemas.json lists every custom object of the portal: 2-999 there is MISSING_OBJECT_DEFINITION
    import io

    request = {"name": "x", "importOperations": {"2-999": "CREATE", "2-1234567": "CREATE"},
               "files": [{"fileName": "x.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True,
                          "columnMappings": [{"columnName": "Serial", "columnObjectTypeId": "2-999",
                                              "propertyName": "serial"},
                                             {"columnName": "Model", "columnObjectTypeId": "cars",
                                              "propertyName": "model"}]}}]}
    data = {"x.csv": io.BytesIO(b"Serial,Model\nS1,Roadster\n")}
    found = validate(request, files=data, base_dir="/nonexistent", config=Config(portal=str(PORTAL)))
    hs021 = sorted((f.pointer, f.value, f.message) for f in found.findings if f.code == "HS021")
    assert [(p, v) for p, v, _ in hs021] == [("/files/0/fileImportPage/columnMappings/0/columnObjectTypeId", "2-999"),
                                             ("/importOperations/2-999", "2-999")]
    assert "HS009" not in [f.code for f in found.findings]  # the unknown object is HS021's alone
    assert "custom objects (schemas.json) are 2-1234567 (cars)" in hs021[0][2]
    data = {"x.csv": io.BytesIO(b"Serial,Model\nS1,Roadster\n")}
    without = validate(request, files=data, base_dir="/nonexistent")  # no snapshot: any 2-... id may exist
    assert [f.value for f in without.findings if f.code == "HS021"] == ["cars"]  # a name needs the snapshot
    no_schemas = tmp_path / "portal"
    shutil.copytree(PORTAL, no_schemas)
    (no_schemas / "schemas.json").unlink()
    assert catalog_for(no_schemas).object_id("2-999") == "2-999"  # a snapshot without schemas.json says nothing


@pytest.mark.parametrize(("path", "text", "why"), [
    ("owners.json", "{not json", "not JSON"),
    # (it said Python's advice: "use sys.set_int_max_str_digits() to increase the limit")
    ("owners.json", '{"results": [{"id": ' + "9" * 5000 + "}]}",
     r"owners.json: not JSON \(a number of 5,000 digits is too long to read\)$"),
    ("properties/contacts.json", '{"results": {"name": "email"}}', '"results" list'),
    ("properties/unicorns.json", '{"results": []}', "not an object type id or name"),
    ("pipelines/deals.json", '{"results": [{"id": "x", "label": "X"}]}', '"stages"'),
    # a property without its type (or with one that is not a string) was read as a text property,
    # so its cells went unchecked
    ("properties/deals.json", '{"results": [{"name": "hs_priority", "fieldType": "select", "options": []}]}',
     r'results\[0\] \(hs_priority\): "type" is missing or not a string'),
    ("properties/deals.json", '{"results": [{"name": "amount", "type": ["number"], "fieldType": "number"}]}',
     r'results\[0\] \(amount\): "type" is missing or not a string'),
    ("properties/deals.json", '{"results": [{"name": "amount", "type": "number", "fieldType": 7}]}',
     r'results\[0\] \(amount\): "fieldType" is not a string'),
    # a name listed twice: the later one silently replaced the earlier
    ("properties/deals.json", '{"results": [{"name": "amount", "type": "number", "fieldType": "number"}, '
                              '{"name": "amount", "type": "string", "fieldType": "text"}]}',
     r"results\[1\]: property 'amount' is listed twice \(results\[0\]\)"),
    ("schemas.json", '{"results": [{"objectTypeId": "2-1", "name": "cars", "properties": '
                     '[{"name": "vin", "type": "string"}, {"name": "vin", "type": "string"}]}]}',
     r"results\[0\].properties\[1\]: property 'vin' is listed twice \(results\[0\].properties\[0\]\)"),
    # a name that is a list was an internal error (TypeError: unhashable type: 'list'), and a lone
    # surrogate (JSON's "\ud800") one of pyarrow's (UnicodeEncodeError) when a cell met it
    ("properties/contacts.json", '{"results": [{"name": [null], "type": "string"}]}',
     r'results\[0\]: "name" is missing or not a string'),
    ("pipelines/deals.json", '{"results": [{"id": "\\ud800", "label": "X", "stages": []}]}',
     r"^portal snapshot \S+/pipelines/deals.json: a string holds a lone surrogate \(\\ud800\), which no HubSpot "
     r"response holds$"),
    # a custom object's property that is not an object was an internal error (AttributeError)
    ("schemas.json", '{"results": [{"objectTypeId": "2-1", "name": "cars", "properties": [5]}]}',
     r"results\[0\].properties\[0\] is not an object"),
    # a name, email, label or value that is not a string was taken as its text (`5` for the
    # property `5`, `true` for an owner's email `True`): HubSpot's bodies hold strings there
    ("properties/contacts.json", '{"results": [{"name": 5, "type": "string"}]}',
     r'contacts.json: results\[0\]: "name" is missing or not a string$'),
    ("properties/contacts.json", '{"results": [{"name": "email", "label": 7, "type": "string"}]}',
     r'contacts.json: results\[0\] \(email\): "label" is not a string$'),
    ("owners.json", '{"results": [{"id": "1", "email": "a@b.co"}, {"id": "2", "email": 5}]}',
     r'owners.json: results\[1\]: "email" is not a string$'),
    ("owners.json", '{"results": [{"id": "1", "email": "a@b.co", "firstName": true}]}',
     r'owners.json: results\[0\]: "firstName" is not a string$'),
    ("properties/deals.json", '{"results": [{"name": "hs_priority", "type": "enumeration", "fieldType": "select", '
                              '"options": [{"label": "Low", "value": "low"}, {"label": 2, "value": "high"}]}]}',
     r'deals.json: results\[0\].options\[1\] \(hs_priority\): "label" is missing or not a string$'),
    ("schemas.json", '{"results": [{"objectTypeId": "2-1", "name": "cars", "properties": [{"name": "vin", '
                     '"type": "enumeration", "options": [{"label": "A", "value": ["a"]}]}]}]}',
     r'schemas.json: results\[0\].properties\[0\].options\[0\] \(vin\): "value" is missing or not a string$'),
    ("pipelines/deals.json", '{"results": [{"id": "p", "label": "P", "stages": [{"id": "s", "label": 1.5}]}]}',
     r'deals.json: results\[0\].stages\[0\]: "label" is missing or not a string$'),
])
def test_malformed_snapshot_is_a_refusal_naming_the_file(tmp_path: Path, path: str, text: str, why: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    portal = tmp_path / "portal"
    shutil.copytree(PORTAL, portal)
    (portal / path).parent.mkdir(parents=True, exist_ok=True)
    (portal / path).write_text(text)
    with pytest.raises(ValidatorError, match=why):
        load_portal(portal)
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(DEALS), "--portal", str(portal)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert str(portal / path) in err and err.count("\n") == 1


def test_a_snapshot_reads_null_where_hubspot_sends_null(tmp_path: Path) -> None:
    # a user without a name or an email, a property without a label: HubSpot sends null (or leaves
    # the key out) there, which is no text, not a refusal
    portal = tmp_path / "portal"
    (portal / "properties").mkdir(parents=True)
    (portal / "owners.json").write_text('{"results": [{"id": "1", "email": null, "firstName": null, '
                                        '"lastName": null}, {"id": 2, "email": "b@x.example"}]}')
    (portal / "properties" / "contacts.json").write_text('{"results": [{"name": "email", "label": null, '
                                                         '"type": "string"}]}')
    loaded = load_portal(portal)
    assert [(o.id, o.email, o.first_name, o.last_name) for o in loaded.owners or ()] == [
        ("1", "", "", ""), ("2", "b@x.example", "", "")]
    assert [(p.name, p.label) for p in loaded.properties["0-1"]] == [("email", "")]


@pytest.mark.parametrize("name", ["owners.json", "schemas.json"])
def test_a_snapshot_file_that_is_a_folder_is_a_refusal_naming_it(tmp_path: Path, name: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # owners.json or schemas.json made a folder was passed over as if absent: the owners went
    # unchecked (HS236, HS237 gone) and the check exited 1, where properties/x.json was refused
    portal = tmp_path / "portal"
    shutil.copytree(PORTAL, portal)
    (portal / name).unlink()
    (portal / name).mkdir()
    with pytest.raises(ValidatorError, match="is not a regular file or a pipe"):
        load_portal(portal)
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(DEALS), "--portal", str(portal)])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (f"hubspot-preflight: error: portal snapshot: {portal / name} "
                                       "is not a regular file or a pipe\n")


def test_cli_portal_option() -> None:
    result = CliRunner().invoke(
        __import__("validator.cli", fromlist=["cli"]).cli, ["check", str(DEALS), "--portal", str(PORTAL),
                                                          "--format", "json"])
    codes = {f["code"] for f in json.loads(result.output)["findings"]}
    assert {"HS235", "HS236", "HS237"} <= codes


# -- findings do not depend on chunk size -----------------------------------------------------------
def test_value_findings_identical_for_any_chunk_size() -> None:
    base = _codes(validate(DEALS, config=Config(portal=str(PORTAL))))
    for rows in (1, 2, 3):
        assert _codes(validate(DEALS, config=Config(portal=str(PORTAL), chunk_rows=rows))) == base


# -- pandera ------------------------------------------------------------------------------------
def test_schema_flags_the_same_cells_as_check() -> None:
    df = pd.read_csv(EXAMPLES / "deals" / "deals.csv", dtype=str, keep_default_na=False)
    schema = for_file(DEALS, "deals.csv", portal=PORTAL)
    with pytest.raises(pa.errors.SchemaErrors) as info:
        schema.validate(df, lazy=True)
    flagged = [(index + 2, list(df.columns).index(col) + 1, code) for index, col, code in failures(info.value)]
    report = validate(DEALS, config=Config(portal=str(PORTAL)))
    expected = [(f.row, f.column, f.code) for f in report.findings if f.row is not None and f.row > 1]
    assert sorted(flagged) == sorted(expected)


def test_schema_flags_blank_cells_read_as_nan() -> None:
    # pd.read_csv reads a blank cell as NaN, which pandera's failure cases drop: HS234 on a blank
    # Deal Stage went unreported
    df = pd.DataFrame({"Deal Name": ["Hooli seats"], "Pipeline": ["Sales Pipeline"], "Deal Stage": [np.nan],
                       "Amount": [2500], "Close Date": ["28/10/2025"], "Owner": ["101"], "Priority": ["low"]})
    with pytest.raises(pa.errors.SchemaErrors) as info:
        for_file(DEALS, "deals.csv", portal=PORTAL).validate(df, lazy=True)
    assert failures(info.value) == [(0, "Deal Stage", "HS234")]


def test_schema_passes_clean_data_and_names_unknown_files() -> None:
    df = pd.DataFrame({"Deal Name": ["A"], "Pipeline": ["default"], "Deal Stage": ["closedwon"],
                       "Amount": [12.5], "Close Date": ["28/10/2025"], "Owner": ["101"], "Priority": [None]})
    assert for_file(DEALS, "deals.csv", portal=PORTAL).validate(df).equals(df)
    with pytest.raises(ValidatorError, match="no files"):
        for_file(DEALS, "other.csv")


# -- properties of the date grammar -------------------------------------------------------------
_ORDER = {"MONTH_DAY_YEAR": "mdy", "DAY_MONTH_YEAR": "dmy", "YEAR_MONTH_DAY": "ymd"}


@given(st.dates(min_value=date(1970, 1, 1), max_value=date(2068, 12, 31)), st.sampled_from(sorted(_ORDER)),
       st.sampled_from("/-."), st.sampled_from(["num", "pad", "abbr", "ABBR", "full"]), st.booleans())
def test_any_real_date_written_any_accepted_way_parses_to_itself(day: date, fmt: str, sep: str, month: str,
                                                                  short_year: bool) -> None:
    names = formats.MONTHS[day.month - 1]
    m = {"num": str(day.month), "pad": f"{day.month:02d}", "abbr": names[:3].title(), "ABBR": names[:3].upper(),
         "full": names.title()}[month]
    y = f"{day.year % 100:02d}" if short_year else str(day.year)
    parts = {"m": m, "d": str(day.day), "y": y}
    text = sep.join(parts[k] for k in _ORDER[fmt])
    d = formats.parse_dates(pd.Series([text]), fmt)
    assert d.ok[0], text
    assert (d.year[0], d.month[0], d.day[0]) == (day.year, day.month, day.day)


@given(st.integers(1, 12), st.integers(29, 31), st.integers(1971, 2060))
def test_days_past_the_end_of_the_month_never_parse(month: int, day: int, year: int) -> None:
    last = calendar.monthrange(year, month)[1]
    text = f"{month:02d}/{day:02d}/{year}"
    assert formats.parse_dates(pd.Series([text]), "MONTH_DAY_YEAR").ok[0] == (day <= last)


_EMAILISH = st.text(alphabet=st.sampled_from(list("ab.-@_+ 9Z\"")), max_size=14)


@given(st.lists(st.one_of(_EMAILISH, st.builds(lambda a, b: f"{a}@{b}.com", _EMAILISH, _EMAILISH)), max_size=30))
def test_ascii_email_pattern_agrees_with_the_unicode_one(values: list[str]) -> None:
    import pyarrow as pyarr
    import pyarrow.compute as pc

    arr = pyarr.array(values, pyarr.string())
    assert pc.match_substring_regex(arr, formats.EMAIL_ASCII).to_pylist() == \
        pc.match_substring_regex(arr, formats.EMAIL).to_pylist()
    # and emails() takes the same decisions on the ASCII column with a non-ASCII cell added
    plain = formats.emails(pd.Series(values, dtype="str")).tolist()
    mixed = formats.emails(pd.Series([*values, "é@é.com"], dtype="str")).tolist()
    assert mixed[: len(values)] == plain


_UNI_EMAILISH = st.text(alphabet=st.sampled_from(list("ab.-@_ 9éü中\u00a0")), max_size=12)


@given(st.lists(st.one_of(_EMAILISH, _UNI_EMAILISH, st.builds(lambda a, b: f"{a}@{b}.com", _UNI_EMAILISH, _EMAILISH),
                          st.builds(lambda a, b: f"{a}@{b}.de", _EMAILISH, _UNI_EMAILISH)), max_size=30))
@example(["a@é.de", "jö@b.com", "ann@b.com", "a@b@é.de", "é@b.ü", "b@é.com\u00a0"])
def test_emails_on_a_mixed_column_decide_each_cell_as_the_unicode_pattern_alone(values: list[str]) -> None:
    import pyarrow as pyarr
    import pyarrow.compute as pc

    arr = pc.utf8_trim_whitespace(pyarr.array(values, pyarr.string()))  # emails() sees cells trimmed
    alone = [bool(m) and ".." not in v for m, v in zip(pc.match_substring_regex(arr, formats.EMAIL).to_pylist(),
                                                        arr.to_pylist(), strict=True)]
    assert formats.emails(pd.Series(values, dtype="str")).tolist() == alone


def test_each_file_of_an_import_is_checked_by_its_own_typed_columns() -> None:
    """A rule instance serves every file of a run: the columns it checks are each file's own."""
    import io

    from validator import validate

    files = {"contacts.csv": b"Email,Revenue\nbad-email,12\n", "companies.csv": b"Name,Revenue\nAcme,lots\n"}
    request = {"files": [
        {"fileName": "contacts.csv", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "Revenue", "propertyName": "annualrevenue"}]}},
        {"fileName": "companies.csv", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-2", "columnName": "Name", "propertyName": "name"},
            {"columnObjectTypeId": "0-2", "columnName": "Revenue", "propertyName": "annualrevenue"}]}}]}
    report = validate(request, files={k: io.BytesIO(v) for k, v in files.items()}, base_dir="/nonexistent")
    got = [(f.file, f.row, f.column, f.code) for f in report.findings if f.code in ("HS212", "HS205")]
    assert got == [("contacts.csv", 2, 1, "HS212"), ("companies.csv", 2, 2, "HS205")]


def test_serial_dates_follow_excels_two_date_systems() -> None:
    # 1 = 1900-01-01; 59 = 1900-02-28; Excel's 29 February 1900 (60) has no calendar day; 61 = 1 March;
    # 2,958,465 = 9999-12-31; in the 1904 system 0 = 1904-01-01; text cells and non-serials are left
    import pyarrow

    values = ["1", "59", "61", "45366.75", "2958465", "2958466", "0", "-3", "abc", "45366"]
    number = np.array([True] * 9 + [False])
    before = formats.parse_dates(pd.Series(values), "MONTH_DAY_YEAR")
    got = formats.serial_dates(before, pyarrow.array(values), number)
    ymd = list(zip(got.year.tolist(), got.month.tolist(), got.day.tolist(), strict=True))
    assert got.ok.tolist() == [True, True, True, True, True, False, False, False, False, False]
    assert ymd[:5] == [(1900, 1, 1), (1900, 2, 28), (1900, 3, 1), (2024, 3, 15), (9999, 12, 31)]
    mac = formats.serial_dates(before, pyarrow.array(values), number, date1904=True)
    assert mac.ok.tolist()[:7] == [True, True, True, True, False, False, True]
    assert (int(mac.year[6]), int(mac.month[6]), int(mac.day[6])) == (1904, 1, 1)
    assert (int(mac.year[3]), int(mac.month[3]), int(mac.day[3])) == (2028, 3, 16)
    # the one-cell form (HS429's messages) reads every serial as the columns do, 60 included
    for system, parsed in ((False, got), (True, mac)):
        for i, v in enumerate(values):
            when = formats.serial_datetime(float(v), system) if number[i] and v != "abc" else None
            assert (when is not None) == bool(parsed.ok[i]) or not number[i], (v, system)
            if when is not None:
                assert (when.year, when.month, when.day) == (parsed.year[i], parsed.month[i], parsed.day[i]), v
    assert formats.serial_datetime(60) == formats.serial_datetime(59) and formats.serial_datetime(45366.75).hour == 18


def test_a_space_before_an_opening_quote_gets_the_hint_that_fixes_it() -> None:
    # the hint to quote and double the quote made `" ""Lee"," Ann"""`, still three fields (HS110)
    import io

    request = _request("c.csv", ("Email", "0-1", "email"), ("Name", "0-1", "firstname"))
    text = b'Email,Name\nbo@example.com, "Lee, Ann"\nann@example.com,An"n\ncy@example.com, "Lee, Cy", "Paris, FR"\n'
    found = validate(request, files={"c.csv": io.BytesIO(text)}, base_dir="/nonexistent")
    opening = "remove the space before the opening quote: the field is then quoted, delimiters inside it included"
    rest = "the rest of the value begun in column {}, cut at a delimiter: remove the space before that value's " \
           "opening quote"
    assert [(f.row, f.column, f.hint) for f in found.findings if f.code == "HS117"] == [
        (2, 2, opening), (2, 3, rest.format(2)),
        (3, 2, 'quote the whole value and double the quote inside it: "An""n", or drop the quote'),
        (4, 2, opening), (4, 3, rest.format(2)), (4, 4, opening), (4, 5, rest.format(4))]
    fixed = validate(request, files={"c.csv": io.BytesIO(text.replace(b', "', b',"').split(b"cy@")[0])},
                     base_dir="/nonexistent")
    assert [f.code for f in fixed.findings if f.row == 2] == []


def test_a_number_too_large_to_store_is_invalid_number_size() -> None:
    import io

    request = _request("c.csv", ("Domain", "0-2", "domain"), ("Revenue", "0-2", "annualrevenue"))
    text = b"Domain,Revenue\nx.com,1e400\ny.com,-1E999\nz.com,twelve\nw.com,1e300\n"
    found = validate(request, files={"c.csv": io.BytesIO(text)}, base_dir="/nonexistent")
    assert [(f.row, f.column, f.hubspot_error, f.message) for f in found.findings if f.code == "HS205"] == [
        (2, 2, "INVALID_NUMBER_SIZE", "'1e400' is too large a number to store (past 1.8e308)"),
        # (it was "past 1.8e308", which a number below zero is not)
        (3, 2, "INVALID_NUMBER_SIZE", "'-1E999' is too large a negative number to store (past -1.8e308)"),
        (4, 2, "COULD_NOT_PARSE_NUMBER", "'twelve' is not a number")]


def test_default_option_lists_give_warnings_and_a_portals_lists_errors() -> None:
    # lifecycle stages and deal pipelines are HubSpot's defaults without a snapshot ([3P]), and
    # accounts customise them: a value outside them was an error in every portal with its own
    import io

    request = json.loads(DEALS.read_text(encoding="utf-8"))
    data = (EXAMPLES / "deals" / "deals.csv").read_bytes()

    def severities(config: Config) -> set[tuple[str, str]]:
        report = validate(request, files={"deals.csv": io.BytesIO(data)}, base_dir="/nonexistent", config=config)
        return {(f.code, f.severity.label) for f in report.findings if f.code in ("HS208", "HS235") and f.severity}

    assert severities(Config()) == {("HS208", "warning")}
    assert severities(Config(portal=str(PORTAL))) >= {("HS208", "error")}
    assert severities(Config(severity={"HS208": "error"})) == {("HS208", "error")}
    from validator.config import active_rules

    assert [active_rules(c)["HS235"].severity.label for c in (Config(), Config(portal=str(PORTAL)))] == [
        "warning", "error"]



def test_a_larger_cell_or_row_option_does_not_loosen_the_limit() -> None:
    # max_chars = 50000 hid a 40,000-character cell from HS603 (Excel holds 32,767); HS505 likewise
    import io

    request = _request("c.csv", ("Email", "0-1", "email"), ("Notes", "0-1", "message"))
    text = ("Email,Notes\na@x.com," + "n" * 40_000 + "\n").encode()

    def hs603(max_chars: int) -> list[str]:
        report = validate(request, files={"c.csv": io.BytesIO(text)}, base_dir="/nonexistent",
                          config=Config(options={"HS603": {"max_chars": max_chars}, "HS505": {"max_chars": 39_000}}))
        return sorted(f"{f.code} {f.row}:{f.column} {f.message}" for f in report.findings
                      if f.code in ("HS603", "HS505"))

    excel = ("HS603 2:2 value is 40,000 characters; an Excel cell holds at most 32,767, so Excel cuts it when it "
             "opens the file")
    row = "HS505 2:None the row's values are 40,007 characters together, over the configured 39,000"
    assert hs603(50_000) == [row, excel] and hs603(0) == [row, excel]
    assert hs603(30_000) == [row, "HS603 2:2 value is 40,000 characters; the configured most is 30,000"]


def test_an_unknown_option_of_a_required_property_says_the_record_needs_it() -> None:
    # an email's direction is required to create it (fact sheet 4.3): "imports the record and
    # leaves it empty" was wrong there
    import io

    request = _request("e.csv", ("Body", "0-49", "hs_email_text"), ("Direction", "0-49", "hs_email_direction"))
    found = validate(request, files={"e.csv": io.BytesIO(b"Body,Direction\nHi,SENT\n")}, base_dir="/nonexistent")
    messages = [f.message for f in found.findings if f.code == "HS208"]
    assert len(messages) == 1 and messages[0].startswith("'SENT' is not an option of hs_email_direction (")
    assert messages[0].endswith("; HubSpot leaves hs_email_direction empty, and a new record needs it")


def test_contacts_created_without_an_email_are_a_warning_and_without_any_name_an_error() -> None:
    # fact sheet 4.3: the current import tool asks for Email to create contacts ([V] S6), the
    # older KB accepted any of first name, last name, email ([V-old] S8): a contact created with
    # only a name is a warning (HS242); one with none of the three an error (HS233, HS234)
    import io

    def check(text: str, *columns: tuple[str, str], op: str | None = None) -> list[tuple]:
        request = _request("c.csv", *((c, "0-1", p) for c, p in columns))
        if op is not None:
            request["importOperations"] = {"0-1": op}
        report = validate(request, files={"c.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent")
        return [(f.row, f.column, f.pointer, f.code, f.severity.label if f.severity else None, f.hubspot_error,
                 f.message) for f in report.findings if f.code in ("HS233", "HS234", "HS242")]
    mappings = "/files/0/fileImportPage/columnMappings"
    # no email column, a name column: every row creates a contact without an email
    for op in ("CREATE", "UPSERT"):
        assert check("First Name,City\nAnn,Boston\n", ("First Name", "firstname"), ("City", "city"), op=op) == [
            (None, None, mappings, "HS242", "warning", "MISSING_REQUIRED_PROPERTY",
             f"{op} of contacts (0-1) has no column mapped to 'email': HubSpot's import tool asks for an email "
             "to create a contact (its older versions accepted a first or last name instead)")]
    # none of the three: an error, as before
    assert check("City\nBoston\n", ("City", "city"), op="CREATE") == [
        (None, None, mappings, "HS233", "error", "MISSING_REQUIRED_PROPERTY",
         "CREATE of contacts (0-1) needs a column mapped to 'email' or 'firstname' or 'lastname'")]
    # UPDATE creates nothing
    assert check("First Name,Record ID\nAnn,5\n", ("First Name", "firstname"), ("Record ID", "hs_object_id"),
                 op="UPDATE") == []
    # rows: an email column, and rows that create a contact with a name but no email (a warning),
    # or with nothing of the three (an error, HS234)
    text = "Email,First Name,Last Name,City\nann@x.com,Ann,,Boston\n,Bo,,Austin\n,,Cy,Austin\n,,,Austin\n"
    columns = (("Email", "email"), ("First Name", "firstname"), ("Last Name", "lastname"), ("City", "city"))
    warning = ("the row creates a contact without an email: HubSpot's import tool asks for one "
               "(its older versions accepted a first or last name instead)")
    assert check(text, *columns) == [
        (3, 1, None, "HS242", "warning", "MISSING_REQUIRED_PROPERTY", warning),
        (4, 1, None, "HS242", "warning", "MISSING_REQUIRED_PROPERTY", warning),
        (5, 1, None, "HS234", "error", "MISSING_REQUIRED_PROPERTY",
         "the row creates a record of contacts (0-1) without email or firstname or lastname")]
    # UPSERT with a Record ID but no email column: the rows without a Record ID create contacts
    assert check("Record ID,First Name\n5,Ann\n,Bo\n", ("Record ID", "hs_object_id"), ("First Name", "firstname")) \
        == [(3, 2, None, "HS242", "warning", "MISSING_REQUIRED_PROPERTY", warning)]


def test_a_time_of_day_on_a_date_property_is_a_warning_not_an_unparseable_date() -> None:
    # a date property (line items' start date) given a date and a time: Excel writes one from a
    # date column formatted with a time, pandas from a datetime column. HubSpot documents a time
    # for datetime properties only; what its importer does with one on a date property is not
    # known (fact sheet 6: [GAP]), so it is HS219's warning, not HS201's error. A value that is
    # no date, or an impossible time, stays HS201.
    import io

    from tests.workbooks import make_workbook
    from validator.findings import Severity

    def found(name: str, data: bytes, fmt: str) -> list[tuple[int | None, int | None, str, Severity]]:
        request = {"name": "t", "importOperations": {"0-8": "CREATE"}, "files": [{
            "fileName": name, "fileFormat": fmt, "fileImportPage": {"hasHeader": True, "columnMappings": [
                {"columnObjectTypeId": "0-8", "columnName": "Name", "propertyName": "name"},
                {"columnObjectTypeId": "0-8", "columnName": "Start",
                 "propertyName": "hs_recurring_billing_start_date"}]}}]}
        report = validate(request, files={name: io.BytesIO(data)}, base_dir="/nonexistent")
        return [(f.row, f.column, f.code, f.severity) for f in report.findings if f.code in ("HS201", "HS219")]

    csv = (b"Name,Start\nSeats,03/15/2024 14:30\nSupport,3/15/2024 0:00\nSetup,03/15/2024\n"
           b"Bad,03/15/2024 25:00\nSwapped,15/03/2024 14:30\nSoon,soon\n")
    assert found("items.csv", csv, "CSV") == [
        (2, 2, "HS219", Severity.WARNING), (3, 2, "HS219", Severity.WARNING),
        (5, 2, "HS201", Severity.ERROR), (6, 2, "HS201", Severity.ERROR), (7, 2, "HS201", Severity.ERROR)]
    # a workbook's date cell with a time (the Number-format date HubSpot asks for) is read as
    # '03/15/2024 14:30': the same warning; a date cell at midnight is the day alone
    book = make_workbook({"sheets": [{"name": "Items", "rows": [
        ["Name", "Start"], ["Seats", datetime(2024, 3, 15, 14, 30)], ["Support", datetime(2024, 3, 15)]]}]})
    assert found("items.xlsx", book, "SPREADSHEET") == [(2, 2, "HS219", Severity.WARNING)]


def test_activity_fields_known_only_by_their_usual_internal_name_are_warnings() -> None:
    # fact sheet 4.3: the import tool requires a note's body, a task's title, an email's body, a
    # meeting's description and times ([V] S6), but their internal names (hs_note_body, ...) are
    # HubSpot's usual ones, not checked in an official table ([I]): a file mapping the body under
    # another name is a warning (HS243), not an error. hs_timestamp (a task's due date) and
    # hs_email_direction are required by the object API under those names ([V] S11): still errors
    import io

    def check(file: str, text: str, obj: str, *columns: tuple[str, str]) -> list[tuple]:
        request = _request(file, *((c, obj, p) for c, p in columns))
        request["importOperations"] = {obj: "CREATE"}
        report = validate(request, files={file: io.BytesIO(text.encode())}, base_dir="/nonexistent")
        return [(f.row, f.column, f.pointer, f.code, f.severity.label if f.severity else None, f.message)
                for f in report.findings if f.code in ("HS233", "HS234", "HS243")]
    mappings = "/files/0/fileImportPage/columnMappings"
    # the note's body mapped under another name: a warning about the usual one
    assert check("n.csv", "Note\nCalled Ann\n", "0-46", ("Note", "hs_body_preview")) == [
        (None, None, mappings, "HS243", "warning",
         "CREATE of notes (0-46) has no column mapped to 'hs_note_body': HubSpot's import tool requires "
         "'Note body' (usual internal name 'hs_note_body', not confirmed in HubSpot's documentation)")]
    # a blank body in one row: a warning at that cell
    assert check("n.csv", "Body,Owner\nCalled Ann,1\n,2\n", "0-46", ("Body", "hs_note_body"),
                 ("Owner", "hubspot_owner_id")) == [
        (3, 1, None, "HS243", "warning",
         "the row creates a record of notes (0-46) without hs_note_body: HubSpot's import tool requires "
         "'Note body' (usual internal name 'hs_note_body', not confirmed in HubSpot's documentation)")]
    # a task: its title is a warning, its due date (hs_timestamp, [V]) still an error
    assert check("t.csv", "Title,Owner\nCall Ann,1\n", "0-27", ("Title", "hs_task_subject"),
                 ("Owner", "hubspot_owner_id")) == [
        (None, None, mappings, "HS233", "error", "CREATE of tasks (0-27) needs a column mapped to 'hs_timestamp'")]
    assert check("t.csv", "Title,Due\nCall Ann,2024-03-15\n,2024-03-16\nEmail Bo,\n", "0-27",
                 ("Title", "hs_task_subject"), ("Due", "hs_timestamp")) == [
        (3, 1, None, "HS243", "warning",
         "the row creates a record of tasks (0-27) without hs_task_subject: HubSpot's import tool requires "
         "'Task title' (usual internal name 'hs_task_subject', not confirmed in HubSpot's documentation)"),
        (4, 2, None, "HS234", "error", "the row creates a record of tasks (0-27) without hs_timestamp")]
    # an email: its body under another name a warning, no direction column (hs_email_direction, [V]) an error
    assert check("e.csv", "Text\nHi\n", "0-49", ("Text", "hs_body_preview")) == [
        (None, None, mappings, "HS233", "error",
         "CREATE of emails (0-49) needs a column mapped to 'hs_email_direction'"),
        (None, None, mappings, "HS243", "warning",
         "CREATE of emails (0-49) has no column mapped to 'hs_email_text' or 'hs_email_html': HubSpot's import "
         "tool requires 'Email body' (usual internal name 'hs_email_text' or 'hs_email_html', not confirmed in "
         "HubSpot's documentation)")]


@pytest.mark.parametrize("chunk_rows", [50_000, 1])
def test_an_additional_email_or_domain_that_is_none_is_a_warning_naming_the_part(
        tmp_path: Path, chunk_rows: int) -> None:
    """Each ';'-separated part of a contact's additional emails (a company's additional domains)
    is read as the primary identifier is; an empty part (after a last ';') and a domain HubSpot
    cuts (a path) are no problem."""
    (tmp_path / "contacts.csv").write_text(
        "Email,Additional email addresses\nann@x.com,ann@y.com;ann at x dot com\nbo@x.com,bo@y.com; bo@z.com;\n"
        "cy@x.com,di@@x.com\n", encoding="utf-8")
    (tmp_path / "companies.csv").write_text(
        "Company Domain Name,Additional Domains\nacme.com,acme.co.uk;https://acme.de/home\nbeta.com,beta.io;beta\n",
        encoding="utf-8")
    request = {"name": "x", "importOperations": {"0-1": "UPSERT", "0-2": "UPSERT"}, "files": [
        {"fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email",
             "columnType": "HUBSPOT_ALTERNATE_ID"},
            {"columnObjectTypeId": "0-1", "columnName": "Additional email addresses",
             "propertyName": "hs_additional_emails"}]}},
        {"fileName": "companies.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-2", "columnName": "Company Domain Name", "propertyName": "domain",
             "columnType": "HUBSPOT_ALTERNATE_ID"},
            {"columnObjectTypeId": "0-2", "columnName": "Additional Domains",
             "propertyName": "hs_additional_domains"}]}}]}
    (tmp_path / "import.json").write_text(json.dumps(request), encoding="utf-8")
    report = validate(tmp_path / "import.json", config=Config(chunk_rows=chunk_rows))
    assert [(f.file, f.row, f.column, f.severity.name, f.hubspot_error, f.message)
            for f in report.findings if f.code == "HS245"] == [
        ("contacts.csv", 2, 2, "WARNING", "INVALID_EMAIL",
         "'ann at x dot com' in 'ann@y.com;ann at x dot com' is not a valid email address "
         "(several are separated by ';')"),
        ("contacts.csv", 4, 2, "WARNING", "INVALID_EMAIL",
         "'di@@x.com' is not a valid email address (several are separated by ';')"),
        ("companies.csv", 3, 2, "WARNING", "INVALID_DOMAIN",
         "'beta' in 'beta.io;beta' is not a valid domain name (several are separated by ';')")]


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_additional_emails_and_domains_joined_by_commas_are_named_with_the_list_to_write(reader: str) -> None:
    # `a@x.com, b@x.com` (a list as spreadsheets and other CRMs join it) was named as one invalid
    # address, quoted twice ("'x' in 'x'"), with no word that the comma alone was wrong
    data = (b"Email,Additional emails,Domain,Additional domains\n"
            b"ann@x.com,\"ann@y.com, ann@z.com\",acme.com,\"acme.de,acme.fr\"\n"
            b"bo@x.com,\"bo@y.com;bo@z.com, bo@w.com\",beta.com,\"beta.de, beta\"\n"
            b"cy@x.com,cy at y,gamma.com,gamma.de\n")
    request = _request("contacts.csv", ("Email", "0-1", "email"), ("Additional emails", "0-1", "hs_additional_emails"),
                       ("Domain", "0-2", "domain"), ("Additional domains", "0-2", "hs_additional_domains"))
    for chunk_rows, report in _both_chunk_sizes(request, "contacts.csv", data, reader):
        assert [(f.row, f.column, f.code, f.message) for f in report.findings if f.code == "HS245"] == [
            (2, 2, "HS245", "'ann@y.com, ann@z.com' separates its email addresses with ','; HubSpot separates "
                            "them with ';': write 'ann@y.com;ann@z.com'"),
            (2, 4, "HS245", "'acme.de,acme.fr' separates its domain names with ','; HubSpot separates them with "
                            "';': write 'acme.de;acme.fr'"),
            (3, 2, "HS245", "'bo@y.com;bo@z.com, bo@w.com' separates its email addresses with ','; HubSpot "
                            "separates them with ';': write 'bo@y.com;bo@z.com;bo@w.com'"),
            (3, 4, "HS245", "'beta.de, beta' is not a valid domain name (several are separated by ';')"),
            (4, 2, "HS245", "'cy at y' is not a valid email address (several are separated by ';')")], chunk_rows


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_an_email_cell_of_several_addresses_says_so_and_where_the_others_go(reader: str) -> None:
    # Google Contacts writes a field's several values joined by ` ::: `, mail clients a list by
    # `;` or `,`: HS212 said only that the cell is no valid address, as of a typo
    data = (b"Email,First Name\njamal@x.com ::: jamal@y.family,Jamal\n\"ann@x.com, ann@y.com\",Ann\n"
            b"bo@x.com;bo@y.com;bo@z.com,Bo\ncy@x.com;cy at y,Cy\ndi@@x.com,Di\n")
    request = _request("contacts.csv", ("Email", "0-1", "email"), ("First Name", "0-1", "firstname"))
    tail = "; an email property takes one: keep one here (a contact's others go in Additional emails, " \
           "hs_additional_emails, separated by ';')"
    for chunk_rows, report in _both_chunk_sizes(request, "contacts.csv", data, reader):
        assert [(f.row, f.column, f.code, f.message) for f in report.findings if f.code == "HS212"] == [
            (2, 1, "HS212", "'jamal@x.com ::: jamal@y.family' holds 2 email addresses separated by ' ::: '" + tail),
            (3, 1, "HS212", "'ann@x.com, ann@y.com' holds 2 email addresses separated by ', '" + tail),
            (4, 1, "HS212", "'bo@x.com;bo@y.com;bo@z.com' holds 3 email addresses separated by ';'" + tail),
            (5, 1, "HS212", "'cy@x.com;cy at y' is not a valid email address"),
            (6, 1, "HS212", "'di@@x.com' is not a valid email address")], chunk_rows


@pytest.mark.parametrize("chunk_rows", [50_000, 1])
def test_an_additional_email_with_a_quoted_local_part_is_one_address(chunk_rows: int) -> None:
    # the list was split at every ';', also inside a quoted local part: '"a;b"@example.com' was
    # the two invalid parts '"a' and 'b"@example.com'. It is split as an address list is: not
    # inside double quotes, where a backslash escapes the next character
    rows = [("Email", "Additional email addresses"),
            ("ann@x.com", '"a;b"@example.com;bo@x.com'),          # two valid addresses
            ("cy@x.com", '"c\\";d"@example.com; not an email'),   # an escaped quote: still inside
            ("di@x.com", '"e;f@example.com'),                     # an unclosed quote runs to the end
            ("ed@x.com", 'ed@y.com;ed at z')]                     # no quote: split by Arrow
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    request = _request("contacts.csv", ("Email", "0-1", "email"),
                       ("Additional email addresses", "0-1", "hs_additional_emails"))
    report = validate(request, files={"contacts.csv": io.BytesIO(text.getvalue().encode())},
                      base_dir="/nonexistent", config=Config(chunk_rows=chunk_rows))
    assert [(f.row, f.column, f.code, f.message) for f in report.findings if f.code == "HS245"] == [
        (3, 2, "HS245", "'not an email' in '\"c\\\";d\"@example.com; not an email' is not a valid email address "
                        "(several are separated by ';')"),
        (4, 2, "HS245", "'\"e;f@example.com' is not a valid email address (several are separated by ';')"),
        (5, 2, "HS245", "'ed at z' in 'ed@y.com;ed at z' is not a valid email address "
                        "(several are separated by ';')")]


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_an_additional_email_with_an_undecodable_byte_is_named_not_a_traceback(reader: str) -> None:
    # the message's part was looked up again from the cell as read, undecodable byte and all:
    # Arrow cannot hold a lone surrogate, and validate() raised UnicodeEncodeError
    data = b"Email,Additional emails\nann@x.com,bo@x.com\nbo@y.com,\"x\xff;y\"\ncy@x.com,cy@y.com;\xe9t\xe9\n"
    request = _request("contacts.csv", ("Email", "0-1", "email"),
                       ("Additional emails", "0-1", "hs_additional_emails"))
    for chunk_rows, report in _both_chunk_sizes(request, "contacts.csv", data, reader):
        assert [(f.row, f.column, f.code, f.message) for f in report.findings if f.code == "HS245"] == [
            (3, 2, "HS245", "'x\\xff' in 'x\\xff;y' is not a valid email address (several are separated by ';')"
                            ": it holds bytes that are not UTF-8 (HS402); save the file as UTF-8"),
            (4, 2, "HS245", "'\\xe9t\\xe9' in 'cy@y.com;\\xe9t\\xe9' is not a valid email address "
                            "(several are separated by ';'): it holds bytes that are not UTF-8 (HS402); "
                            "save the file as UTF-8")], chunk_rows


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_a_format_cell_that_fails_for_an_undecodable_byte_says_the_encoding_is_the_cause(reader: str) -> None:
    # the message sent the user to fix the address ("'b\xe9o@x.com' is not a valid email
    # address") where the file's encoding is the cause: HS402 names the byte
    data = (b"Email,Phone,Domain,Additional emails\n"
            b"b\xe9o@x.com,+1415\xff,ac\xe9me.com,cy@x.com;d\xffi@x.com\n"
            b"bad,call me,acme,ann@x.com;bad\n")
    request = _request("contacts.csv", ("Email", "0-1", "email"), ("Phone", "0-1", "phone"),
                       ("Domain", "0-2", "domain"), ("Additional emails", "0-1", "hs_additional_emails"))
    note = ": it holds bytes that are not UTF-8 (HS402); save the file as UTF-8"
    for chunk_rows, report in _both_chunk_sizes(request, "contacts.csv", data, reader):
        assert [(f.row, f.column, f.code, f.message) for f in report.findings
                if f.code in ("HS212", "HS213", "HS215", "HS245")] == [
            (2, 1, "HS212", "'b\\xe9o@x.com' is not a valid email address" + note),
            (2, 2, "HS215", "'+1415\\xff' is not a phone number (+<country><number> ext<n>)" + note),
            (2, 3, "HS213", "'ac\\xe9me.com' is not a domain name" + note),
            (2, 4, "HS245", "'d\\xffi@x.com' in 'cy@x.com;d\\xffi@x.com' is not a valid email address "
                            "(several are separated by ';')" + note),
            (3, 1, "HS212", "'bad' is not a valid email address"),
            (3, 2, "HS215", "'call me' is not a phone number (+<country><number> ext<n>)"),
            (3, 3, "HS213", "'acme' is not a domain name"),
            (3, 4, "HS245", "'bad' in 'ann@x.com;bad' is not a valid email address "
                            "(several are separated by ';')")], chunk_rows


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_an_email_with_an_undecodable_byte_fails_the_email_grammar_as_every_typed_check(reader: str) -> None:
    # formats.arrow's stand-in for such a byte was "?" (str.encode's "replace"), which a local
    # part takes: b\xe9o@x.com had HS402 alone, though every other typed check fails such a cell
    data = (b"Email,Additional emails\n"
            b"b\xe9o@x.com,\n"                       # the byte in an email
            b"ann@x.com,cy@x.com;d\xffi@x.com\n"      # ... in an additional email
            b"\"\"\"e\xe9\"\"@x.com\",\n"              # ... inside a quoted local part
            b"f\x80@[10.0.0.1],\n"                   # ... before an address literal
            b"ren\xc3\xa9e@x.com,\n")                # UTF-8 text in an address: valid
    request = _request("contacts.csv", ("Email", "0-1", "email"),
                       ("Additional emails", "0-1", "hs_additional_emails"))
    for chunk_rows, report in _both_chunk_sizes(request, "contacts.csv", data, reader):
        assert [(f.row, f.column, f.code) for f in report.findings
                if f.code in ("HS212", "HS245", "HS402") and f.row is not None] == [
            (2, 1, "HS212"), (2, 1, "HS402"), (3, 2, "HS245"), (3, 2, "HS402"),
            (4, 1, "HS212"), (4, 1, "HS402"), (5, 1, "HS212"), (5, 1, "HS402")], chunk_rows
    assert formats.emails(formats.arrow(["b\ufffdo@x.com", '"e\ufffd"@x.com', "f\ufffd@[10.0.0.1]",
                                         "b\udce9o@x.com", "ren\u00e9e@x.com"])).tolist() == [
        False, False, False, False, True]

@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_an_email_holding_a_replacement_character_is_one_finding_that_says_how_to_fix_it(reader: str) -> None:
    # ren\ufffde@x.com had HS212 (invalid email, an error) and HS602 (U+FFFD) both: one letter
    # lost to an earlier mis-decoding, said twice. It is HS602's alone, its message naming the
    # address and the fix; an address malformed otherwise too is still HS212's, and an
    # undecodable byte (which formats.arrow makes U+FFFD) is still HS212's and HS402's
    data = ("Email,First name\n"
            "ren\ufffde@x.com,Ren\ufffde\n"      # valid but for the U+FFFD: HS602 alone
            "ann@x\ufffd.com,Ann\n"              # ... in the domain
            "ren\ufffde at x.com,Bo\n"           # malformed otherwise too: HS212 and HS602
            ).encode() + b"b\xe9o@x.com,Cy\n"     # not UTF-8: HS212 and HS402, no HS602
    request = _request("contacts.csv", ("Email", "0-1", "email"), ("First name", "0-1", "firstname"))

    def lost(value: str) -> str:
        return (f"email {value!r} contains U+FFFD: an earlier mis-decoding lost a character of the address, "
                "which HubSpot may refuse or import as another address; take the address from the source "
                "again, exported as UTF-8, or correct it by hand")
    for chunk_rows, report in _both_chunk_sizes(request, "contacts.csv", data, reader):
        assert [(f.row, f.column, f.code, f.message) for f in report.findings
                if f.code in ("HS212", "HS402", "HS602") and f.row is not None] == [
            (2, 1, "HS602", lost("ren\ufffde@x.com")),
            (2, 2, "HS602", "'Ren\ufffde' contains U+FFFD: an earlier mis-decoding likely lost characters"),
            (3, 1, "HS602", lost("ann@x\ufffd.com")),
            (4, 1, "HS212", "'ren\ufffde at x.com' is not a valid email address"),
            (4, 1, "HS602", lost("ren\ufffde at x.com")),
            (5, 1, "HS212", "'b\\xe9o@x.com' is not a valid email address: it holds bytes that are not UTF-8 "
                            "(HS402); save the file as UTF-8"),
            (5, 1, "HS402", "'b\\xe9o@x.com' is not valid UTF-8 text")], chunk_rows


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_a_domain_or_additional_identifier_holding_a_replacement_character_is_one_finding(reader: str) -> None:
    # as an email (above): a company domain valid but for its U+FFFD had HS213 (an error) and
    # HS602 both, a list of additional emails or domains HS245 and HS602. It is HS602's alone,
    # its message naming the value and the fix for its column; a value malformed otherwise too
    # is still the format rule's, whose message names the part malformed otherwise (not the
    # part valid but for its U+FFFD, before it), and undecodable bytes are still named as such
    data = ("Domain,Additional emails,Additional domains\n"
            "acm\ufffd.com,ann@x.com;ren\ufffde@x.com,acme.co.uk;acm\ufffd.de\n"  # HS602 alone
            "acm\ufffd com,ren\ufffde@x.com;bad,acm\ufffd.de;beta\n"              # malformed otherwise too
            ).encode() + (b"ac\xe9me.com,cy@x.com;d\xffi@x.com,x\xff.com\n"       # not UTF-8: no HS602
                          b"acme.com,ren\xef\xbf\xbde@x.com;d\xffi@x.com,acme.com\n")  # U+FFFD, and a byte
    request = _request("contacts.csv", ("Domain", "0-2", "domain"),
                       ("Additional emails", "0-1", "hs_additional_emails"),
                       ("Additional domains", "0-2", "hs_additional_domains"))
    note = ": it holds bytes that are not UTF-8 (HS402); save the file as UTF-8"

    def domain(value: str) -> str:
        return (f"domain {value!r} contains U+FFFD: an earlier mis-decoding lost a character of the domain, "
                "which HubSpot may refuse or import as another company's domain; take the domain from the "
                "source again, exported as UTF-8, or correct it by hand")

    def emails(value: str) -> str:
        return (f"additional emails {quote(value)} contain U+FFFD: an earlier mis-decoding lost a character of "
                "an address, which HubSpot may refuse or import as another address; take the addresses from "
                "the source again, exported as UTF-8, or correct them by hand")

    def domains(value: str) -> str:
        return (f"additional domains {value!r} contain U+FFFD: an earlier mis-decoding lost a character of a "
                "domain, which HubSpot may refuse or import as another company's domain; take the domains "
                "from the source again, exported as UTF-8, or correct them by hand")
    for chunk_rows, report in _both_chunk_sizes(request, "contacts.csv", data, reader):
        assert [(f.row, f.column, f.code, f.message) for f in report.findings
                if f.code in ("HS213", "HS245", "HS402", "HS602") and f.row is not None] == [
            (2, 1, "HS602", domain("acm\ufffd.com")),
            (2, 2, "HS602", emails("ann@x.com;ren\ufffde@x.com")),
            (2, 3, "HS602", domains("acme.co.uk;acm\ufffd.de")),
            (3, 1, "HS213", "'acm\ufffd com' is not a domain name"),
            (3, 1, "HS602", domain("acm\ufffd com")),
            (3, 2, "HS245", "'bad' in 'ren\ufffde@x.com;bad' is not a valid email address "
                            "(several are separated by ';')"),
            (3, 2, "HS602", emails("ren\ufffde@x.com;bad")),
            (3, 3, "HS245", "'beta' in 'acm\ufffd.de;beta' is not a valid domain name "
                            "(several are separated by ';')"),
            (3, 3, "HS602", domains("acm\ufffd.de;beta")),
            (4, 1, "HS213", "'ac\\xe9me.com' is not a domain name" + note),
            (4, 1, "HS402", "'ac\\xe9me.com' is not valid UTF-8 text"),
            (4, 2, "HS245", "'d\\xffi@x.com' in 'cy@x.com;d\\xffi@x.com' is not a valid email address "
                            "(several are separated by ';')" + note),
            (4, 2, "HS402", "'cy@x.com;d\\xffi@x.com' is not valid UTF-8 text"),
            (4, 3, "HS245", "'x\\xff.com' is not a valid domain name (several are separated by ';')" + note),
            (4, 3, "HS402", "'x\\xff.com' is not valid UTF-8 text"),
            (5, 2, "HS245", "'d\\xffi@x.com' in 'ren\ufffde@x.com;d\\xffi@x.com' is not a valid email "
                            "address (several are separated by ';')" + note),
            (5, 2, "HS402", "'ren\ufffde@x.com;d\\xffi@x.com' is not valid UTF-8 text"),
            (5, 2, "HS602", emails("ren\ufffde@x.com;d\udcffi@x.com"))], chunk_rows


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_a_url_valid_but_for_a_replacement_character_is_still_named_as_a_domain_hubspot_cuts(reader: str) -> None:
    # HS214 looked only at domains valid as they stand, so a URL whose host held a U+FFFD had
    # HS602 alone: its scheme and path, which HubSpot cuts, went unsaid until the letter was fixed
    data = ("Domain\n"
            "https://acm\ufffd.com/about\n"   # HS214 and HS602
            "https://acm\ufffd com/about\n"   # malformed otherwise too: HS213 and HS602, no HS214
            "acm\ufffd.com\n"                 # nothing to cut: HS602 alone
            "https://beta.com/about\n").encode()  # HS214
    request = _request("companies.csv", ("Domain", "0-2", "domain"))
    for chunk_rows, report in _both_chunk_sizes(request, "companies.csv", data, reader):
        assert [(f.row, f.column, f.code) for f in report.findings
                if f.code in ("HS213", "HS214", "HS602") and f.row is not None] == [
            (2, 1, "HS214"), (2, 1, "HS602"), (3, 1, "HS213"), (3, 1, "HS602"), (4, 1, "HS602"),
            (5, 1, "HS214")], chunk_rows
        assert next(f.message for f in report.findings if f.code == "HS214") == (
            "'https://acm\ufffd.com/about' is not a bare domain; HubSpot keeps only the domain name: write "
            "'acm\ufffd.com'")


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_a_domain_hubspot_cuts_is_named_with_the_domain_it_keeps(reader: str) -> None:
    # HS214 said that HubSpot keeps only the domain name, not which: the fix was left to the reader
    data = (b"Domain,Name\nhttps://www.Acme.example/about?x=1,Acme\nwww.globex.example,Globex\n"
            b"initech.example.,Initech\nhttp://umbrella.example:8080,Umbrella\nhooli.example,Hooli\n")
    request = _request("companies.csv", ("Domain", "0-2", "domain"), ("Name", "0-2", "name"))
    tail = "is not a bare domain; HubSpot keeps only the domain name: write"
    report = validate(request, files={"companies.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                      config=Config(reader=reader))
    assert [(f.row, f.column, f.code, f.message) for f in report.findings if f.code == "HS214"] == [
        (2, 1, "HS214", f"'https://www.Acme.example/about?x=1' {tail} 'Acme.example'"),
        (3, 1, "HS214", f"'www.globex.example' {tail} 'globex.example'"),
        (4, 1, "HS214", f"'initech.example.' {tail} 'initech.example'"),
        (5, 1, "HS214", f"'http://umbrella.example:8080' {tail} 'umbrella.example'")]


@given(st.lists(st.text(alphabet='a;"\\@ ', max_size=12), max_size=8))
def test_address_lists_are_split_alike_by_arrow_and_by_python(texts: list[str]) -> None:
    """``keys.split_list`` splits cells with a quote in Python and the others with Arrow: the
    parts, in cell order, are those of ``split_quoted`` of each cell (``str.split`` without a quote)."""
    import pyarrow

    parent, parts = split_list(pyarrow.array(texts, pyarrow.string()), ";", quoted=True)
    assert list(zip(parent.tolist(), parts.to_pylist(), strict=True)) == [
        (i, p) for i, t in enumerate(texts) for p in split_quoted(t)]
    assert all(split_quoted(t) == t.split(";") for t in texts if '"' not in t)


@pytest.mark.parametrize("chunk_rows", [50_000, 2_500])
def test_verdict_counted_over_distinct_dates_equals_the_count_row_by_row(tmp_path: Path, chunk_rows: int) -> None:
    # a column of 3,000 rows and 5 texts: HS204 counts each distinct text once, weighted by its
    # rows (2,500-row chunks: the second chunk, 500 rows, is counted row by row)
    rows = ["28/10/2023", "15/03/2024", "03/04/2024", "soon", "10/28/2023"] * 600
    csv = "email,closedate\n" + "".join(f"a{i}@x.com,{d}\n" for i, d in enumerate(rows))
    report = validate(_contacts(tmp_path, csv), config=Config(chunk_rows=chunk_rows))
    assert [(f.row, f.column, f.message) for f in report.findings if f.code == "HS204"] == [
        (1, 2, "the column mixes date formats: of the 2,400 values that are dates (600 other values are no date in "
               "any format) 1,200 parse as MONTH_DAY_YEAR, 1,800 parse as DAY_MONTH_YEAR; 600 of them are ambiguous")]


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_a_phone_with_fewer_digits_than_the_shortest_number_in_use_is_reported(reader: str) -> None:
    # `12` and `+1` passed HS215: the grammar looked at what a cell is made of, never how many
    # digits; the shortest numbers in use with their country code (Niue's, +683 4002) have 7
    data = (b"Email,Phone\n" b"a@x.com,12\n" b"b@x.com,+1\n" b"c@x.com,+683 4002\n" b"d@x.com,(44) 20 x12345\n"
            b"e@x.com,555-0101 ext9\n" b"f@x.com,call me\n" b"g@x.com,+44 20\n")
    request = _request("contacts.csv", ("Email", "0-1", "email"), ("Phone", "0-1", "phone"))
    for chunk_rows, report in _both_chunk_sizes(request, "contacts.csv", data, reader):
        assert [(f.row, f.column, f.code, f.severity.label, f.message) for f in report.findings
                if f.code == "HS215"] == [
            (2, 2, "HS215", "warning", "'12' has 2 digits, too few for a phone number with its country code "
                                       "(the shortest in use have 7)"),
            (3, 2, "HS215", "warning", "'+1' has 1 digit, too few for a phone number with its country code "
                                       "(the shortest in use have 7)"),
            (5, 2, "HS215", "warning", "'(44) 20 x12345' has 4 digits, too few for a phone number with its "
                                       "country code (the shortest in use have 7)"),
            (7, 2, "HS215", "warning", "'call me' is not a phone number (+<country><number> ext<n>)"),
            (8, 2, "HS215", "warning", "'+44 20' has 4 digits, too few for a phone number with its country "
                                       "code (the shortest in use have 7)")], chunk_rows


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_an_email_over_rfc_5321s_lengths_is_a_warning_naming_the_part(reader: str) -> None:
    # a 65-octet local part, a 64-octet label and a 255-octet address passed HS212, whose grammar
    # counts no lengths; HubSpot's own limits are unpublished ([GAP]): a warning. A label is
    # measured as DNS holds it: `a...aüöäßé` is 60 octets in UTF-8 but 66 as its xn-- A-label
    local64, label63, wide = "a" * 64, "b" * 63, "a" * 50 + "üöäßé"
    rows = [f"{local64}@x.com", f"{local64}a@x.com", f"ann@{label63}.com", f"ann@{label63}b.com",
            f"ann@{'.'.join([label63] * 3)}.{'c' * 55}.io", f"ann@{'.'.join([label63] * 3)}.{'c' * 56}.io",
            f"ann@{wide}.de", "ann@" + "日本語中文" * 4 + ".jp", f"bad {local64}a@x.com"]
    data = ("Email,First Name\n" + "".join(f"{r},A\n" for r in rows)).encode()
    request = _request("contacts.csv", ("Email", "0-1", "email"), ("First Name", "0-1", "firstname"))
    tail = "; HubSpot's own limit is not published"
    for chunk_rows, report in _both_chunk_sizes(request, "contacts.csv", data, reader):
        assert [(f.row, f.column, f.code, f.severity.label, f.message) for f in report.findings
                if f.code in ("HS212", "HS248")] == [
            (3, 1, "HS248", "warning", f"{quote(rows[1])} is longer than email allows: its local part has 65 "
                                       "octets (RFC 5321 allows 64)" + tail),
            (5, 1, "HS248", "warning", f"{quote(rows[3])} is longer than email allows: its domain label "
                                       f"{quote(label63 + 'b')} has 64 octets (RFC 1035 allows 63)" + tail),
            (7, 1, "HS248", "warning", f"{quote(rows[5])} is longer than email allows: it has 255 octets "
                                       "(RFC 5321 allows 254)" + tail),
            (8, 1, "HS248", "warning", f"{quote(rows[6])} is longer than email allows: its domain label "
                                       f"{quote(wide)} has 66 octets (RFC 1035 allows 63)" + tail),
            (10, 1, "HS212", "error", f"{quote(rows[8])} is not a valid email address")], chunk_rows


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_a_too_long_address_in_an_additional_emails_list_is_a_warning_naming_it(reader: str) -> None:
    # HS248 measured the Email column only: `b@x.com;` and a 65-octet local part as additional
    # emails passed silently, though HS245 and HS246 look inside such a list. A part HS245
    # refuses stays HS245's alone; a short ASCII list (65 octets or fewer) cannot hold one
    long, label = "c" * 65 + "@x.com", "d" * 64
    lists = [f"b@x.com;{long}", f"b@x.com; ann@{label}.com ;{long}", f"bad {long};b@x.com", "b@x.com;e@y.com",
             f'"a;b"@x.com;{"f" * 64}@x.com', f"ann@{'ü' * 60}.de"]
    data = ("Email,Additional emails\n" + "".join(f"a{i}@x.com,{v}\n" for i, v in enumerate(lists))).encode()
    request = _request("contacts.csv", ("Email", "0-1", "email"),
                       ("Additional emails", "0-1", "hs_additional_emails"))
    tail = "; HubSpot's own limit is not published"
    for chunk_rows, report in _both_chunk_sizes(request, "contacts.csv", data, reader):
        assert [(f.row, f.column, f.code, f.severity.label, f.message) for f in report.findings
                if f.code in ("HS245", "HS248")] == [
            (2, 2, "HS248", "warning", f"{quote(long)} in {quote(lists[0])} is longer than email allows: its "
                                       "local part has 65 octets (RFC 5321 allows 64)" + tail),
            (3, 2, "HS248", "warning", f"{quote(f'ann@{label}.com')} in {quote(lists[1])} is longer than email "
                                       f"allows: its domain label {quote(label)} has 64 octets (RFC 1035 allows "
                                       "63)" + tail),
            (4, 2, "HS245", "warning", f"{quote(f'bad {long}')} in {quote(lists[2])} is not a valid email "
                                       "address (several are separated by ';')"),
            (7, 2, "HS248", "warning", f"{quote(f'ann@{chr(252) * 60}.de')} in {quote(lists[5])} is longer than "
                                       f"email allows: its domain label {quote(chr(252) * 60)} has 66 octets "
                                       "(RFC 1035 allows 63)" + tail)], chunk_rows


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_a_month_named_in_another_language_is_a_warning_not_an_unparseable_date(reader: str) -> None:
    # `5/janvier/2024` was HS201's error, "not a DAY_MONTH_YEAR date", though it is one once its
    # month is read: HubSpot documents English names ([V] S6) and says nothing of others ([GAP])
    data = "Close,Email\n5/janvier/2024,a@x.com\n3-März-24 10:00,b@x.com\njanvier/5/2024,c@x.com\n" \
           "5/Jan/2024,d@x.com\n31/février/2024,e@x.com\n1.DICIEMBRE.2024,f@x.com\n".encode()
    request = {**_request("contacts.csv", ("Close", "0-1", "closedate"), ("Email", "0-1", "email")),
               "dateFormat": "DAY_MONTH_YEAR"}
    foreign = ("names its month otherwise than by its English name or 3-letter abbreviation; it is a "
               "DAY_MONTH_YEAR date once that is read as its month, but HubSpot documents English names, "
               "3-letter abbreviations and numbers only, and whether it reads others is not documented")
    for chunk_rows, report in _both_chunk_sizes(request, "contacts.csv", data, reader):
        assert [(f.row, f.column, f.code, f.severity.label, f.message) for f in report.findings
                if f.code in ("HS201", "HS220")] == [
            (2, 1, "HS220", "warning", f"'5/janvier/2024' {foreign}"),
            (3, 1, "HS220", "warning", f"'3-März-24 10:00' {foreign}"),
            (4, 1, "HS201", "error", "'janvier/5/2024' is not a DAY_MONTH_YEAR datetime"),
            (6, 1, "HS201", "error", "'31/février/2024' is not a DAY_MONTH_YEAR datetime"),
            (7, 1, "HS220", "warning", f"'1.DICIEMBRE.2024' {foreign}")], chunk_rows


# a contact's close date and email, in year-month-day order; HS221's words for a datetime form
# HubSpot does not document for imports
_CLOSE_DATES = {**_request("contacts.csv", ("Close", "0-1", "closedate"), ("Email", "0-1", "email")),
                "dateFormat": "YEAR_MONTH_DAY"}
_UNDOCUMENTED_FORM = (": HubSpot documents `date hh:mm` and `+hh:mm` offsets for imports, and whether it reads "
                      "this form is not documented")


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_a_datetime_in_the_object_apis_iso_form_is_a_warning_naming_the_form(reader: str) -> None:
    # `2024-01-05T10:00:00Z` passed silently: HubSpot documents `date hh:mm` and `+hh:mm` for
    # imports ([V] S6); T and Z are its object API's forms, undocumented for imports ([GAP])
    data = (b"Close,Email\n2024-01-05T10:00:00Z,a@x.com\n2024-01-05 10:00,b@x.com\n2024-01-05 10:00 Z,c@x.com\n"
            b"2024-01-05 10:00+0100,d@x.com\n2024-01-05 7:00PM -05:00,e@x.com\n2024-01-05-0500,f@x.com\n")
    request, tail = _CLOSE_DATES, _UNDOCUMENTED_FORM
    for chunk_rows, report in _both_chunk_sizes(request, "contacts.csv", data, reader):
        assert [(f.row, f.column, f.code, f.severity.label, f.message) for f in report.findings
                if f.code in ("HS201", "HS221")] == [
            (2, 1, "HS221", "warning", "'2024-01-05T10:00:00Z' writes its time with a T between the date and the time"
                                       + tail),
            (4, 1, "HS221", "warning", "'2024-01-05 10:00 Z' writes its time with Z for UTC" + tail),
            (5, 1, "HS221", "warning", "'2024-01-05 10:00+0100' writes its time with an offset without its colon"
                                       + tail),
            (7, 1, "HS201", "error", "'2024-01-05-0500' is not a YEAR_MONTH_DAY datetime")], chunk_rows


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_an_offset_of_hours_alone_as_postgres_writes_it_is_a_warning_not_an_error(reader: str) -> None:
    # PostgreSQL's text of a timestamptz (COPY ... CSV, psql) writes its offset as hours alone
    # (`+00`, `-05`) where the hour is whole: HS201 failed it as no datetime at all, with no word
    # of why, where `+0000` (an offset without its colon, as undocumented) is HS221's warning
    data = (b"Close,Email\n2024-03-15 14:30:00+00,a@x.com\n2024-03-15 14:30:00.123456-05,b@x.com\n"
            b"2024-03-15 14:30:00+05:30,c@x.com\n2024-03-15 14:30:00+15,d@x.com\n2024-03-15 14:30:00+5,e@x.com\n")
    request, tail = _CLOSE_DATES, _UNDOCUMENTED_FORM
    for chunk_rows, report in _both_chunk_sizes(request, "contacts.csv", data, reader):
        assert [(f.row, f.column, f.code, f.severity.label, f.message) for f in report.findings
                if f.code in ("HS201", "HS221")] == [
            (2, 1, "HS221", "warning", "'2024-03-15 14:30:00+00' writes its time with an offset of hours alone"
                                       + tail),
            (3, 1, "HS221", "warning", "'2024-03-15 14:30:00.123456-05' writes its time with an offset of hours "
                                       "alone" + tail),
            (5, 1, "HS201", "error", "'2024-03-15 14:30:00+15' is not a YEAR_MONTH_DAY datetime"),
            (6, 1, "HS201", "error", "'2024-03-15 14:30:00+5' is not a YEAR_MONTH_DAY datetime")], chunk_rows


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_a_null_written_by_the_exporting_tool_in_a_text_column_is_named(reader: str) -> None:
    # PostgreSQL's COPY wrote `\N` and pandas `nan` where there was no value: in a number or date
    # column that is an invalid value (HS205, HS201), but in a text column it passed silently,
    # and HubSpot stores the text (an update overwrites the record's job title with `\N`)
    data = (b"Email,Job Title,Company,Created\n"
            b"a@x.com,\\N,nan,\\N\nb@x.com,CTO,Acme,2024-01-02\nc@x.com,NULL,None,\n")
    request = {**_request("contacts.csv", ("Email", "0-1", "email"), ("Job Title", "0-1", "jobtitle"),
                          ("Company", "0-1", "company"), ("Created", "0-1", "createdate")),
               "importOperations": {"0-1": "UPDATE"}, "dateFormat": "YEAR_MONTH_DAY"}
    for chunk_rows, report in _both_chunk_sizes(request, "contacts.csv", data, reader):
        assert [(f.row, f.column, f.code, f.severity.label, f.message) for f in report.findings
                if f.code in ("HS254", "HS201")] == [
            (2, 2, "HS254", "warning", "'\\N' is PostgreSQL's COPY and MySQL's text for a NULL; HubSpot imports it "
                                       "as text, where a blank cell would leave the property as it is"),
            (2, 3, "HS254", "warning", "'nan' is pandas' text for a missing value; HubSpot imports it as text, "
                                       "where a blank cell would leave the property as it is"),
            (2, 4, "HS201", "error", "'\\N' is not a YEAR_MONTH_DAY datetime"),
            (4, 2, "HS254", "warning", "'NULL' is a database export's text for a NULL; HubSpot imports it as "
                                       "text, where a blank cell would leave the property as it is")], chunk_rows


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_null_markers_among_many_cells_shaped_like_them(reader: str) -> None:
    # HS254 looks up the cells whose length and first and last bytes are a marker's (names like
    # Nolan, Ned or N, and markers) in the column's Arrow storage, or by pandas' isin where the
    # chunk's column is stored in Python (a cell of bytes that are not UTF-8, row 602): every
    # marker is named either way, nothing else
    names = ["Nolan", "NULL", "Nathan", "nan", "Nat", "NaT", "undefined", "Ned", "null", "N"]
    data = (b"Email,First Name\n" + b"".join(f"p{i}@x.com,{names[i % len(names)]}\n".encode() for i in range(600))
            + b"q@x.com,N\xe9d\n")
    request = _request("contacts.csv", ("Email", "0-1", "email"), ("First Name", "0-1", "firstname"))
    markers = [i + 2 for i in range(600) if names[i % len(names)] in ("NULL", "nan", "NaT", "undefined", "null")]
    for chunk_rows in (50_000, 20):
        report = validate(request, files={"contacts.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                          config=Config(chunk_rows=chunk_rows, reader=reader, max_per_rule=1000))
        assert [(f.row, f.column) for f in report.findings if f.code == "HS254"] == [(r, 2) for r in markers]


def test_schema_flags_times_durations_and_month_names_as_check_does() -> None:
    # the schema ran no rule of values_times or values_months: HS219, HS220, HS221, HS250 and
    # HS251 went unflagged in a pipeline, where the README says it flags exactly check's cells
    request = _request("calls.csv", ("Date", "0-48", "hs_timestamp"), ("Duration", "0-48", "hs_call_duration"))
    request["dateFormat"] = "DAY_MONTH_YEAR"
    df = pd.DataFrame({"Date": ["15/03/2024 10:00", "15/03/2024 10:00 +0100", "5/janvier/2024 10:00"],
                       "Duration": ["150000", "150", "-5"]})
    report = validate(request, files={"calls.csv": df.to_csv(index=False).encode()})
    expected = [(f.row, f.column, f.code) for f in report.findings if f.row is not None and f.row > 1]
    assert sorted(expected) == [(3, 1, "HS221"), (3, 2, "HS250"), (4, 1, "HS220"), (4, 2, "HS251")]
    with pytest.raises(pa.errors.SchemaErrors) as info:
        for_file(request, "calls.csv").validate(df, lazy=True)
    flagged = [(index + 2, list(df.columns).index(col) + 1, code) for index, col, code in failures(info.value)]
    assert sorted(flagged) == sorted(expected)
