"""Identity and associations end to end: the three import scenarios, a broken two-file import,
duplicates across chunks, and the key sets' memory."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.casefiles import portal
from tests.conftest import ROOT
from validator import Config, Report, engine, native, validate
from validator.checks._facts import fullmatch
from validator.checks.identity_ids import POSITIVE_INT
from validator.cli import cli
from validator.engine import Engine
from validator.keys import KeySet
from validator.records import content_hash
from validator.request import parse_request

EXAMPLES = ROOT / "fixtures" / "examples"
SCENARIOS = ["contacts-companies/import.json", "contacts-companies-one-file/import.json",
             "company-hierarchy/import.json"]


def where(report: Report) -> list[tuple]:
    return [(f.file, f.row, f.column, f.pointer, f.code, f.hubspot_error) for f in report.findings]


@pytest.mark.parametrize("request_file", SCENARIOS)
def test_each_scenario_has_a_clean_example(request_file: str) -> None:
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES / request_file)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Found 0 errors, 0 warnings, 0 infos" in result.output


@pytest.mark.parametrize("request_file", [*SCENARIOS, "two-file-broken/import.json"])
def test_findings_do_not_depend_on_chunk_size(request_file: str) -> None:
    one = validate(EXAMPLES / request_file, config=Config(chunk_rows=1))
    assert [(f.code, f.row, f.column, f.message) for f in one.findings] == \
        [(f.code, f.row, f.column, f.message) for f in validate(EXAMPLES / request_file).findings]


def test_two_file_import_with_association_mistakes() -> None:
    report = validate(EXAMPLES / "two-file-broken" / "import.json")
    m = "/files/{}/fileImportPage/columnMappings/{}/{}"
    assert where(report) == [
        ("import.json", None, None, m.format(0, 3, "propertyName"), "HS311", "INVALID_COLUMN_CONFIGURATION"),
        ("import.json", None, None, m.format(1, 1, "associationIdentifierColumn"), "HS311",
         "INVALID_COLUMN_CONFIGURATION"),
        ("import.json", None, None, m.format(0, 3, "foreignKeyType/associationTypeId"), "HS312",
         "INVALID_COLUMN_CONFIGURATION"),
        ("import.json", None, None, "/importOperations/0-2", "HS352", None),
        # contacts have no `domain` property: only an info without a portal snapshot (HS231)
        ("contacts.csv", None, None, m.format(0, 3, "propertyName"), "HS231", "PROPERTY_DEFINITION_NOT_FOUND"),
        ("contacts.csv", 5, 3, None, "HS301", "DUPLICATE_ALTERNATE_ID"),
        ("companies.csv", 4, 3, None, "HS314", "NO_OBJECT_ID_FROM_ASSOCIATION_IDENTIFIER"),
    ]
    by_code = {f.code: f for f in report.findings}
    assert "280 is companies (0-2) to contacts (0-1)" in by_code["HS312"].message
    assert "1 (Primary), 279" in by_code["HS312"].message
    missing = by_code["HS314"]
    assert missing.value == "dan.smith@initech.example" and missing.severity is not None
    assert missing.severity.label == "warning" and "already exists in the account" in missing.message
    assert "repeats row 2" in by_code["HS301"].message


def _contacts(tmp_path: Path, lines: list[str]) -> Path:
    (tmp_path / "contacts.csv").write_text("Record ID,Email\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return _request(tmp_path)


def _request(tmp_path: Path) -> Path:
    mappings = [{"columnObjectTypeId": "0-1", "columnName": "Record ID", "propertyName": "hs_object_id"},
                {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"}]
    request = {"name": "t", "files": [{"fileName": "contacts.csv", "fileFormat": "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request))
    return path


def test_duplicate_email_in_other_letter_case_names_both_rows(tmp_path: Path) -> None:
    request = _contacts(tmp_path, ["1,Ann.Lee@Example.com", "2,bo@example.com", "3,ann.lee@EXAMPLE.COM"])
    report = validate(request, config=Config(select=("HS301",)))
    assert [(f.row, f.column, f.code, f.value) for f in report.findings] == \
        [(4, 2, "HS301", "ann.lee@EXAMPLE.COM")]
    assert "repeats row 2" in report.findings[0].message


def _keys_in_both_orders(report_of: Any, rows: list[str]) -> list[list[tuple]]:
    """(row, column, code, key) of each finding, for the rows as given and re-sorted (reversed)."""
    return [[(f.row, f.column, f.code, f.key) for f in report_of(order).findings]
            for order in (rows, rows[::-1])]


def test_a_duplicates_key_is_its_value_as_compared_whichever_row_comes_later(tmp_path: Path) -> None:
    # a duplicate's finding is on its later row; it was keyed by that row's record (here its
    # Record ID), so a re-sort that put the other row later gave it another key, and a baseline
    # entry for it went stale: it is keyed by the repeated value as compared (lower-cased email,
    # a Record ID without leading zeros)
    def report_of(rows: list[str]) -> Report:
        return validate(_contacts(tmp_path, rows), config=Config(select=("HS301", "HS303")))

    assert _keys_in_both_orders(report_of, ["1,Ann.Lee@Example.com", "2,ann.lee@EXAMPLE.COM"]) == [
        [(3, 2, "HS301", "value:ann.lee@example.com")]] * 2
    assert _keys_in_both_orders(report_of, ["501,a@x.com", "0501,b@x.com"]) == [
        [(3, 1, "HS303", "value:501")]] * 2


def test_a_unique_values_key_is_the_value_whichever_row_comes_later(tmp_path: Path) -> None:
    catalog = portal({}, [{"object": "0-1", "name": "member", "unique": True}])
    mappings = [{"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
                {"columnObjectTypeId": "0-1", "columnName": "Member", "propertyName": "member"}]
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"name": "t", "files": [{"fileName": "contacts.csv", "fileFormat": "CSV",
                                                           "fileImportPage": {"hasHeader": True,
                                                                              "columnMappings": mappings}}]}))

    def report_of(rows: list[str]) -> Report:
        (tmp_path / "contacts.csv").write_text("Email,Member\n" + "".join(f"{r}\n" for r in rows), encoding="utf-8")
        spec = parse_request(request.read_bytes(), request.name, catalog)
        return Engine(Config(select=("HS302",)), catalog).run(spec, request_path=request, base=tmp_path)

    assert _keys_in_both_orders(report_of, ["ann@x.com,A-1", "bo@x.com, A-1 "]) == [
        [(3, 2, "HS302", "value:A-1")]] * 2


def test_record_id_repeated_far_apart_across_many_chunks(tmp_path: Path) -> None:
    lines = [f"{i + 1},u{i}@x.com" for i in range(3000)]
    lines[2500] = "501,late@x.com"  # row 2502 repeats the id of row 502, 2,000 rows (20 chunks) later
    report = validate(_contacts(tmp_path, lines), config=Config(chunk_rows=97, select=("HS303",)))
    assert [(f.row, f.column, f.code, f.hubspot_error) for f in report.findings] == \
        [(2502, 1, "HS303", "DUPLICATE_OBJECT_ID")]
    assert report.findings[0].message == "Record ID '501' repeats row 502"


@pytest.mark.slow
def test_record_id_repeated_100k_rows_apart_in_a_million_rows(tmp_path: Path) -> None:
    with open(tmp_path / "contacts.csv", "w", encoding="utf-8") as fh:
        fh.write("Record ID,Email\n")
        fh.writelines(f"{100_001 if i == 200_000 else i + 1},u{i}@x.com\n" for i in range(1_000_000))
    report = validate(_request(tmp_path), config=Config(select=("HS301", "HS303")))
    assert [(f.row, f.column, f.code) for f in report.findings] == [(200_002, 1, "HS303")]
    assert "repeats row 100002" in report.findings[0].message


@pytest.mark.parametrize("hashed", [False, True])
def test_key_set_memory_follows_distinct_keys_not_rows(hashed: bool) -> None:
    if hashed and native.kernels is None:
        pytest.skip("the native kernels are not built (tests/test_native.py says so)")
    seen = KeySet(hashed=hashed)
    rng = np.random.default_rng(7)
    distinct = rng.integers(0, 2**63, 10_000, dtype=np.uint64)
    for start in range(0, 1_000_000, 50_000):  # a million rows over 10,000 distinct keys
        keys = distinct[rng.integers(0, len(distinct), 50_000)]
        seen.add(keys, np.arange(start, start + 50_000, dtype=np.int64))
    assert len(seen) == len(np.unique(distinct))
    if hashed:  # 12 bytes a slot, a power of two of them, 3/8 to 3/4 full
        assert seen.nbytes == 12 * 16384
    else:
        assert seen.nbytes == 12 * len(seen)  # 8-byte hash + 4-byte first row per distinct key


@pytest.mark.parametrize("hashed", [False, True])
def test_key_set_first_rows_within_and_across_chunks(hashed: bool) -> None:
    if hashed and native.kernels is None:
        pytest.skip("the native kernels are not built (tests/test_native.py says so)")
    seen = KeySet(hashed=hashed)
    first = seen.add(np.array([5, 6, 5], np.uint64), np.array([2, 3, 4]))
    assert first.tolist() == [2, 3, 2]
    assert seen.add(np.array([6, 7], np.uint64), np.array([9, 10])).tolist() == [3, 10]


@pytest.mark.parametrize(("level_size", "asked"), [(0, 10), (100, 5_000), (40_000, 5_000), (40_000, 50_000),
                                                     (200_000, 44_000), (200_000, 3)])
def test_key_lookups_in_no_order_find_what_binary_searches_find(level_size: int, asked: int) -> None:
    """Many keys in no order looked up in a large level are sorted first (their binary searches
    then walk the level in order); the positions are those of ``np.searchsorted`` either way,
    for keys in the level, between its keys, repeated, and past either end."""
    from validator.keys.sets import _positions

    rng = np.random.default_rng(level_size + asked)
    level = np.unique(rng.integers(1, 2**64 - 1, level_size, dtype=np.uint64))
    keys = rng.integers(0, 2**64 - 1, asked, dtype=np.uint64, endpoint=True)
    if len(level):
        keys[::3] = level[rng.integers(0, len(level), len(keys[::3]))]
        keys[:2] = [0, 2**64 - 1]
    keys[-5:] = keys[0]
    assert np.array_equal(_positions(level, keys), np.searchsorted(level, keys))
    assert np.array_equal(_positions(level, np.sort(keys)), np.searchsorted(level, np.sort(keys)))
    seen = KeySet()
    seen.add(level, np.arange(len(level), dtype=np.int64) + 2)
    found, rows = seen.first_rows(keys)
    expect = dict(zip(level.tolist(), range(2, len(level) + 2), strict=True))
    assert found.tolist() == [k in expect for k in keys.tolist()]
    assert rows.tolist() == [expect.get(k, 0) for k in keys.tolist()]


def _with_portal(request: Path, labels: dict[str, list[str]]) -> Report:
    catalog = portal(labels, [])
    spec = parse_request(request.read_bytes(), request.name, catalog)
    return Engine(Config(), catalog).run(spec, request_path=request, base=request.parent)


def test_association_labels_checked_against_a_portal_snapshot() -> None:
    request = EXAMPLES / "contacts-companies-one-file" / "import.json"
    report = _with_portal(request, {"0-1>0-2": ["Decision maker"]})
    assert [(f.row, f.column, f.code, f.hubspot_error) for f in report.findings] == \
        [(3, 6, "HS322", "ASSOCIATION_LABEL_NOT_FOUND")]
    assert "'Billing contact'" in report.findings[0].message
    assert _with_portal(request, {"0-1>0-2": ["Decision maker", "Billing contact"]}).findings == []


def test_company_hierarchy_self_reference_and_unknown_parent(tmp_path: Path) -> None:
    source = EXAMPLES / "company-hierarchy"
    (tmp_path / "import.json").write_bytes((source / "import.json").read_bytes())
    text = (source / "companies.csv").read_text(encoding="utf-8")
    text = text.replace("acme.example,acme-retail.example", "acme.example,acme-retail.example;Acme.example")
    text = text.replace("Acme Labs,acme-labs.example,", "Acme Labs,acme-labs.example,umbrella.example")
    (tmp_path / "companies.csv").write_text(text, encoding="utf-8")
    report = validate(tmp_path / "import.json")
    assert [(f.row, f.column, f.code) for f in report.findings] == [(3, 3, "HS331"), (4, 3, "HS332")]


def test_undecodable_bytes_in_label_and_key_cells_are_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_bytes(
        b"Email,Domain,Label,Children\n"
        b"ann@x.com,acme.example,Man\xffager;Primary,a\xff.example;acme.example\n"
        b"bo@x.com,b.example,Manager,\n")
    mappings = [
        {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
        {"columnObjectTypeId": "0-2", "columnName": "Domain", "propertyName": "domain"},
        {"columnObjectTypeId": "0-1", "columnName": "Label", "columnType": "FLEXIBLE_ASSOCIATION_LABEL",
         "toColumnObjectTypeId": "0-2"},
        {"columnObjectTypeId": "0-2", "columnName": "Children", "propertyName": "domain",
         "columnType": "ASSOCIATION_KEYS", "toColumnObjectTypeId": "0-2"}]
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"files": [{"fileName": "data.csv", "fileImportPage": {
        "hasHeader": True, "columnMappings": mappings}}]}))
    catalog = portal({"0-1>0-2": ["Manager"]}, [])
    spec = parse_request(request.read_bytes(), request.name, catalog)
    report = Engine(Config(options={"HS341": {"limit": 1}}), catalog).run(spec, request_path=request, base=tmp_path)
    assert [(f.row, f.column, f.code) for f in report.findings if f.code.startswith("HS3")] == [
        (2, 2, "HS341"), (2, 3, "HS322"), (2, 4, "HS331"), (2, 4, "HS332")]
    assert "'Man\\xffager'" in next(f.message for f in report.findings if f.code == "HS322")


_DOMAINS = ["acme.example", "ACME.example", "labs.example", "www.labs.example", "x.example", ""]


@settings(max_examples=25)  # each example validates twice; the reader's own properties run more
@given(st.lists(st.tuples(st.sampled_from(["ann@x.com", "ANN@x.com", "bo@x.com", "", "1", "7"]),
                          st.sampled_from(_DOMAINS),
                          st.lists(st.sampled_from(_DOMAINS), max_size=3).map(";".join)),
                min_size=1, max_size=20),
       st.integers(1, 6))
def test_identity_findings_identical_whatever_the_chunk_size(rows: list[tuple[str, str, str]], size: int) -> None:
    text = "Email,Domain,Children,Record ID\n" + "".join(f"{e},{d},{c},{e}\n" for e, d, c in rows)
    mappings = [
        {"columnObjectTypeId": "0-2", "columnName": "Email", "propertyName": "email_of_contact"},
        {"columnObjectTypeId": "0-2", "columnName": "Domain", "propertyName": "domain"},
        {"columnObjectTypeId": "0-2", "columnName": "Children", "propertyName": "domain",
         "columnType": "ASSOCIATION_KEYS", "toColumnObjectTypeId": "0-2"},
        {"columnObjectTypeId": "0-2", "columnName": "Record ID", "propertyName": "hs_object_id"}]
    request = {"files": [{"fileName": "c.csv", "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}

    def run(chunk_rows: int) -> list[tuple]:
        report = validate(request, files={"c.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent",
                          config=Config(chunk_rows=chunk_rows, options={"HS341": {"limit": 1}}))
        return [(f.code, f.row, f.column, f.message) for f in report.findings]

    assert run(size) == run(50_000)


@pytest.mark.parametrize("chunk_rows", [50_000, 7])
def test_a_row_with_bytes_not_utf8_repeated_where_the_exact_reader_read_it_is_a_duplicate_row(
        chunk_rows: int, monkeypatch) -> None:
    # the fast reader hashes a segment's records as read, a Windows-1252 segment's too (their bad
    # bytes as they are); a row the exact reader read (from a ragged record with such a byte on)
    # is hashed from its cells, their lone surrogates as the bytes read: the repeats meet
    from validator.readers import csv_fast_fallback

    monkeypatch.setattr(engine, "LARGE_INPUT", 0)  # (rows hashed with polars, as written records)
    monkeypatch.setattr(csv_fast_fallback, "EXACT_PIECE", 64)
    first = b"ann@x.com,Ren\xe9e,Gen\xe8ve\n"
    rows = [first, *(b"r%d@x.com,Jos\xe9,Z\xfcrich\n" % i for i in range(20)), b"bo@x.com,Bo\xe9\n",  # ragged: row 23
            first, *(b"s%d@x.com,Jos\xe9,Z\xfcrich\n" % i for i in range(20)), first]
    data = b"Email,First Name,City\n" + b"".join(rows)
    request = {"name": "t", "files": [{"fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": _mappings("0-1", ("Email", "email"), ("First Name", "firstname"),
                                                       ("City", "city"))}}]}
    report = validate(request, files={"c.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                      config=Config(chunk_rows=chunk_rows, reader="fast", select=("HS110", "HS304")))
    assert report.files[0].reader == "fast"
    assert [(f.row, f.column, f.code, f.message) for f in report.findings] == [
        (23, 3, "HS110", "row has 2 fields, fewer than the header's 3"),
        (24, None, "HS304", "row is identical to row 2"),
        (45, None, "HS304", "row is identical to row 2")]


@given(st.lists(st.tuples(st.sampled_from(["ann@x.com", "ANN@x.com", " ann@x.com", "bo@x.com", "", " "]),
                          st.sampled_from(["", " ", "A", "B"])), min_size=1, max_size=24),
       st.integers(1, 6), st.booleans(), st.sampled_from(["email", "hs_object_id", "firstname"]))
def test_duplicate_rows_are_the_first_identical_row_whatever_the_chunks(
        rows: list[tuple[str, str]], size: int, alone: bool, key: str) -> None:
    """HS304 names, for each non-empty row, the first earlier row identical to it: also where
    the key column (its pivot: an email, a Record ID) repeats with other cells, is blank, or is
    keyed only by HS304 itself, and where the file has no key column at all."""
    text = "Email,Name\n" + "".join(f"{e},{n}\n" for e, n in rows)
    request = {"files": [{"fileName": "c.csv", "fileImportPage": {"hasHeader": True, "columnMappings": [
        {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": key},
        {"columnObjectTypeId": "0-1", "columnName": "Name", "propertyName": "firstname"}]}}]}
    report = validate(request, files={"c.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent",
                      config=Config(chunk_rows=size, **({"select": ("HS304",)} if alone else {})))
    got = [(f.row, f.column, f.message) for f in report.findings if f.code == "HS304"]
    want = []
    for i, row in enumerate(rows):
        earlier = [j for j in range(i) if rows[j] == row]
        if earlier and any(cell.strip() for cell in row):
            want.append((i + 2, None, f"row is identical to row {earlier[0] + 2}"))
    assert got == want


def test_portal_snapshot_folder_feeds_association_labels() -> None:
    """Labels saved from GET /crm/v4/associations/contacts/companies/labels reach HS322."""
    from validator import Config

    request = EXAMPLES / "contacts-companies-one-file" / "import.json"
    report = validate(request, config=Config(portal=str(EXAMPLES.parent / "portal")))
    assert [(f.file, f.row, f.column, f.code, f.value) for f in report.findings] == [
        ("contacts-with-companies.csv", 2, 6, "HS322", "Primary;Decision maker")]
    assert validate(request).findings == []  # without a snapshot labels are not judged


def test_key_set_rows_widen_past_32_bits() -> None:
    big = 2**31 + 5
    seen = KeySet()
    first = seen.add(np.array([1, 2], np.uint64), np.array([2, 3]))
    assert first.tolist() == [2, 3] and seen.rows.dtype == np.int32
    first = seen.add(np.array([3, 1], np.uint64), np.array([big, big + 1]))
    assert first.tolist() == [big, 2]  # the new key keeps its 64-bit row, the old one its first row
    assert seen.rows.dtype == np.int64 and sorted(seen.rows.tolist()) == [2, 3, big]
    assert seen.add(np.array([4], np.uint64), np.array([big * 2])).tolist() == [big * 2]
    assert sorted(seen.rows.tolist()) == [2, 3, big, big * 2]


def _validate_csvs(files: dict[str, tuple[str, list[dict[str, Any]]]], config: Config) -> Report:
    """validate() of CSV files given as {name: (text, columnMappings)}, read from memory."""
    request = {"name": "t", "files": [
        {"fileName": name, "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}
        for name, (_text, mappings) in files.items()]}
    return validate(request, files={n: io.BytesIO(t.encode()) for n, (t, _m) in files.items()},
                    base_dir="/nonexistent", config=config)


def _mappings(object_id: str, *columns: tuple) -> list[dict]:
    out = []
    for name, prop, *extra in columns:
        out.append({"columnObjectTypeId": object_id, "columnName": name, "propertyName": prop,
                    **(extra[0] if extra else {})})
    return out


def test_common_column_owner_and_findings_do_not_depend_on_file_order() -> None:
    # a deals file mapping a contact Email column came first: it was taken as the owner of the
    # companies file's Email link (HS311 and three false HS314) instead of contacts.csv, whose
    # Email is the associationIdentifierColumn
    files = {
        "deals.csv": "Deal Name,Pipeline,Deal Stage,Email\nBig deal,default,appointmentscheduled,ann@acme.example\n",
        "contacts.csv": "First Name,Email\nAnn,Ann@Acme.example\nBo,bo@globex.example\n",
        "companies.csv": ("Company Name,Email\nAcme,ann@acme.example\nGlobex,BO@globex.example\n"
                          "Other,nobody@x.example\n"),
    }
    entries = {
        "deals.csv": _mappings("0-3", ("Deal Name", "dealname"), ("Pipeline", "pipeline"),
                               ("Deal Stage", "dealstage")) + _mappings("0-1", ("Email", "email")),
        "contacts.csv": _mappings("0-1", ("First Name", "firstname"),
                                  ("Email", "email", {"associationIdentifierColumn": True})),
        "companies.csv": _mappings("0-2", ("Company Name", "name"), ("Email", None, {
            "toColumnObjectTypeId": "0-1",
            "foreignKeyType": {"associationTypeId": 280, "associationCategory": "HUBSPOT_DEFINED"}})),
    }

    def check(order: list[str]) -> list[tuple]:
        request = {"name": "t", "files": [{"fileName": n, "fileFormat": "CSV", "fileImportPage": {
            "hasHeader": True, "columnMappings": entries[n]}} for n in order]}
        report = validate(request, files={n: io.BytesIO(t.encode()) for n, t in files.items()},
                          base_dir="/nonexistent")
        return sorted((f.code, f.file, f.row, f.column) for f in report.findings if f.code.startswith("HS31"))
    first = check(["deals.csv", "contacts.csv", "companies.csv"])
    assert first == [("HS314", "companies.csv", 4, 2)]
    assert check(["contacts.csv", "companies.csv", "deals.csv"]) == first
    assert check(["companies.csv", "deals.csv", "contacts.csv"]) == first


def test_a_common_column_pointing_to_an_unknown_object_is_hs021s_alone() -> None:
    # HS311 added "column 'Email' points to ?, but no other file has a column 'Email' mapped to ?"
    # to HS021's finding of the unknown object
    entries = {
        "contacts.csv": _mappings("0-1", ("Email", "email", {"associationIdentifierColumn": True})),
        "companies.csv": _mappings("0-2", ("Company Name", "name"), ("Email", None, {
            "toColumnObjectTypeId": "0-99",
            "foreignKeyType": {"associationTypeId": 280, "associationCategory": "HUBSPOT_DEFINED"}})),
    }
    files = {"contacts.csv": "Email\nann@acme.example\n",
             "companies.csv": "Company Name,Email\nAcme,ann@acme.example\n"}
    request = {"name": "t", "files": [{"fileName": n, "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": m}} for n, m in entries.items()]}
    report = validate(request, files={n: io.BytesIO(t.encode()) for n, t in files.items()}, base_dir="/nonexistent")
    assert [(f.code, f.row, f.column, f.pointer, f.message) for f in report.findings
            if f.code in ("HS021", "HS311", "HS312", "HS316")] == [
        ("HS021", None, None, "/files/1/fileImportPage/columnMappings/1/toColumnObjectTypeId",
         "toColumnObjectTypeId '0-99' is not a known HubSpot object")]


def test_a_hierarchy_keys_column_is_no_common_column_in_a_two_file_import() -> None:
    # ASSOCIATION_KEYS links companies of its own file: HS311 took it for a common column once a
    # second file made the import a multi-file one (three errors, none of which could be fixed)
    request = {"name": "t", "files": [
        {"fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings":
            _mappings("0-1", ("Email", "email"), ("Company Domain", None, {
                "toColumnObjectTypeId": "0-2",
                "foreignKeyType": {"associationTypeId": 279, "associationCategory": "HUBSPOT_DEFINED"}}))}},
        {"fileName": "companies.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings":
            _mappings("0-2", ("Company Name", "name"),
                      ("Company Domain", "domain", {"associationIdentifierColumn": True}),
                      ("Child Companies", "domain", {"columnType": "ASSOCIATION_KEYS",
                                                     "toColumnObjectTypeId": "0-2"}))}}]}
    files = {"contacts.csv": "Email,Company Domain\nann@acme.example,acme.example\n",
             "companies.csv": "Company Name,Company Domain,Child Companies\nAcme,acme.example,sub.acme.example\n"
                              "Sub,sub.acme.example,\n"}
    report = validate(request, files={n: io.BytesIO(t.encode()) for n, t in files.items()}, base_dir="/nonexistent")
    assert [(f.code, f.pointer) for f in report.findings] == []


@pytest.mark.parametrize(("category", "type_id", "hint"), [
    ("HUBSPOT_DEFINED", 279, "; association type 279 is contacts (0-1) to companies (0-2), so it goes with "
                             '"toColumnObjectTypeId": "0-2"'),
    ("USER_DEFINED", 36, ""),  # a portal's own id (a custom label's) may go anywhere: no target is named
])
def test_a_foreign_key_type_without_its_target_is_an_error_in_a_single_file_import(
        category: str, type_id: int, hint: str) -> None:
    # HS029 passed the column by as a common column's, and HS311 looked only at multi-file imports
    report = _one_file("0-1", "Email,Company\na@x.com,x.com\n", ("Email", "email"), ("Company", None, {
        "foreignKeyType": {"associationTypeId": type_id, "associationCategory": category}}))
    assert [(f.code, f.row, f.column, f.pointer, f.severity.label, f.hubspot_error, f.message)
            for f in report.findings] == [
        ("HS311", None, None, "/files/0/fileImportPage/columnMappings/1/toColumnObjectTypeId", "error",
         "INVALID_COLUMN_CONFIGURATION", f"column 'Company' has foreignKeyType but no toColumnObjectTypeId{hint}")]


def test_a_target_without_a_foreign_key_type_is_a_warning_in_a_single_file_import() -> None:
    # a multi-file import's common column without foreignKeyType is HS311's error; in one file the
    # same column passed without a word, though HubSpot documents no toColumnObjectTypeId without it
    report = _one_file("0-1", "Email,Company\na@x.com,x.com\n", ("Email", "email"),
                       ("Company", None, {"toColumnObjectTypeId": "0-2"}))
    assert [(f.code, f.row, f.column, f.pointer, f.severity.label, f.hubspot_error, f.message)
            for f in report.findings] == [
        ("HS326", None, None, "/files/0/fileImportPage/columnMappings/1/foreignKeyType", "warning", None,
         "column 'Company' points to companies (0-2) but has no foreignKeyType: HubSpot documents "
         "toColumnObjectTypeId only with the foreignKeyType that names the association type, so the "
         "association will likely not be made (HUBSPOT_DEFINED ids from contacts (0-1) to companies (0-2): "
         "1 (Primary), 279)")]
    assert validate(EXAMPLES / "contacts-companies-one-file" / "import.json").findings == []


def test_association_type_hint_lists_each_hubspot_defined_id_once() -> None:
    # with a portal snapshot the ids were listed twice, and a USER_DEFINED label's id among them
    request = ROOT / "fixtures" / "examples" / "two-file-broken" / "import.json"
    expected = ("association type 280 is companies (0-2) to contacts (0-1), but column 'Company Domain' associates "
                "contacts (0-1) to companies (0-2) (HUBSPOT_DEFINED ids for that: 1 (Primary), 279)")
    for config in (Config(), Config(portal=str(ROOT / "fixtures" / "portal"))):
        assert [f.message for f in validate(request, config=config).findings if f.code == "HS312"] == [expected]


def _one_file(object_id: str, text: str, *columns: tuple, chunk_rows: int = 50_000) -> Report:
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": _mappings(object_id, *columns)}}]}
    return validate(request, files={"data.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent",
                    config=Config(chunk_rows=chunk_rows))


@pytest.mark.parametrize("fast", [False, True])
def test_an_email_that_is_another_rows_additional_email_is_a_warning_naming_that_row(fast: bool, monkeypatch) -> None:
    # fact sheet 4.2 [V] S6: a new contact's email may not be another record's additional email;
    # between two rows of one file that is inferred, hence a warning (SECONDARY_EMAIL_WRITE_FAILURE)
    text = ("Email,Additional emails,First Name\n"
            "ann@x.com,bo@x.com; cy@x.com,Ann\n"   # row 2 lists Bo's address (row 3) and Cy's (row 5)
            "Bo@X.com,,Bo\n"                        # row 3: its email is row 2's additional email
            "dee@x.com,dee@x.com;ANN@x.com,Dee\n"   # row 4: its own email (no conflict), and Ann's (row 2)
            "cy@x.com,,Cy\n"                        # row 5: row 2's additional email again
            ",ed@x.com,Ed\n")                       # row 6: an address no row has as its email
    columns = (("Email", "email"), ("Additional emails", "hs_additional_emails"), ("First Name", "firstname"))
    if fast:  # keys hashed with polars, as in a large import (two threads)
        monkeypatch.setattr(engine, "LARGE_INPUT", 0)
    for chunk_rows in (50_000, 1, 2):
        report = _one_file("0-1", text, *columns, chunk_rows=chunk_rows)
        found = [(f.row, f.column, f.code, f.severity.label if f.severity else None, f.hubspot_error, f.value,
                  f.message) for f in report.findings if f.code == "HS308"]
        assert found == [
            (3, 1, "HS308", "warning", "SECONDARY_EMAIL_WRITE_FAILURE", "Bo@X.com",
             "email 'Bo@X.com' is an additional email of row 2: HubSpot keeps an address on one contact, "
             "so one of the two rows is likely to fail"),
            (4, 2, "HS308", "warning", "SECONDARY_EMAIL_WRITE_FAILURE", "dee@x.com;ANN@x.com",
             "additional email 'ANN@x.com' is the email of row 2: HubSpot keeps an address on one contact, "
             "so one of the two rows is likely to fail"),
            (5, 1, "HS308", "warning", "SECONDARY_EMAIL_WRITE_FAILURE", "cy@x.com",
             "email 'cy@x.com' is an additional email of row 2: HubSpot keeps an address on one contact, "
             "so one of the two rows is likely to fail"),
        ], chunk_rows


def _hs308(files: dict[str, tuple[str, list[dict]]], chunk_rows: int) -> list[tuple]:
    report = _validate_csvs(files, Config(chunk_rows=chunk_rows))
    return [(f.file, f.row, f.column, f.code, f.message.split(":")[0]) for f in report.findings if f.code == "HS308"]


@pytest.mark.parametrize("fast", [False, True])
def test_an_email_and_an_additional_email_meet_in_any_of_the_files_columns(fast: bool, monkeypatch) -> None:
    # only the first additional emails column was read: Cy's address (row 2's second column) and
    # Ann's (row 5's second column) went unnoticed
    text = ("Email,Additional emails,Other emails\n"
            "ann@x.com,bo@x.com,cy@x.com\n"   # row 2 lists Bo's address (row 3) and Cy's (row 4)
            "Bo@X.com,,\n"
            "cy@x.com,,\n"
            "dee@x.com,,dee@x.com;ANN@x.com\n")  # its own email (no conflict), and Ann's (row 2)
    mappings = _mappings("0-1", ("Email", "email"), ("Additional emails", "hs_additional_emails"),
                         ("Other emails", "hs_additional_emails"))
    if fast:
        monkeypatch.setattr(engine, "LARGE_INPUT", 0)
    for chunk_rows in (50_000, 1, 2):
        assert _hs308({"c.csv": (text, mappings)}, chunk_rows) == [
            ("c.csv", 3, 1, "HS308", "email 'Bo@X.com' is an additional email of row 2"),
            ("c.csv", 4, 1, "HS308", "email 'cy@x.com' is an additional email of row 2"),
            ("c.csv", 5, 3, "HS308", "additional email 'ANN@x.com' is the email of row 2"),
        ], chunk_rows


def test_an_email_and_an_additional_email_meet_across_files() -> None:
    # each file was checked alone, and only where it held both columns: a.csv's additional
    # email that is b.csv's email, b.csv's additional emails that are a.csv's emails, and
    # c.csv's (it has no email column) went unnoticed; each pair is reported at its later row
    contacts = _mappings("0-1", ("Email", "email"), ("Additional emails", "hs_additional_emails"))
    files = {
        "a.csv": ("Email,Additional emails\nann@x.com,bo@x.com\ned@x.com,\n", contacts),
        "b.csv": ("Email,Additional emails\nBO@x.com,\ncy@x.com,ed@x.com; ann@x.com\nann@x.com,ANN@x.com\n",
                  contacts),
        "c.csv": ("Record ID,Additional emails\n101,cy@x.com\n102,ann@x.com;zed@x.com\n",
                  _mappings("0-1", ("Record ID", "hs_object_id"), ("Additional emails", "hs_additional_emails"))),
    }
    for chunk_rows in (50_000, 1):
        assert _hs308(files, chunk_rows) == [
            ("b.csv", 2, 1, "HS308", "email 'BO@x.com' is an additional email of row 2 of a.csv"),
            ("b.csv", 3, 2, "HS308", "additional email 'ann@x.com' is the email of row 2 of a.csv"),
            ("b.csv", 3, 2, "HS308", "additional email 'ed@x.com' is the email of row 3 of a.csv"),
            # (row 4 is a.csv's row 2 again, listing its own email: no conflict with either row)
            ("b.csv", 4, 1, "HS308", "email 'ann@x.com' is an additional email of row 3"),
            ("c.csv", 2, 2, "HS308", "additional email 'cy@x.com' is the email of row 3 of b.csv"),
            ("c.csv", 3, 2, "HS308", "additional email 'ann@x.com' is the email of row 2 of a.csv"),
        ], chunk_rows


FORMS = (" in another Unicode form (an accent as its own character, or a letter written two ways): whether "
         "HubSpot takes them as one address is not documented; if it does, it keeps the address on one contact, "
         "so one of the two rows is likely to fail")
LIKELY = ": HubSpot keeps an address on one contact, so one of the two rows is likely to fail"


@pytest.mark.parametrize("fast", [False, True])
def test_an_email_and_an_additional_email_in_two_unicode_forms_meet(fast: bool, monkeypatch) -> None:
    # HS308 compared bytes (without regard to case): `ren\u00e9@x.com` (the accent one character)
    # and `rene\u0301@x.com` (e and a combining accent) passed, though HS325 takes such emails
    # for one address HubSpot may compare in one form; the NFC forms are compared too, and the
    # message says the forms differ (HS325 compares emails with emails, not additional ones)
    text = ("Email,Additional emails\n"
            "jos\u00e9@x.com,rene\u0301@x.com; bo@x.com\n"  # row 2: lists Ren\u00e9 decomposed, and Bo
            "REN\u00c9@x.com,\n"                           # row 3: composed, another case: row 2's additional
            "ann@x.com,jose\u0301@x.com\n"                  # row 4: row 2's email, decomposed
            "zoe\u0308@x.com,zo\u00eb@x.com\n"              # row 5: its own email, composed: no conflict
            "bo@x.com,\n"                                  # row 6: row 2's additional, byte for byte
            "jose\u0301@x.com,\n")                         # row 7: row 4's additional byte for byte
    mappings = _mappings("0-1", ("Email", "email"), ("Additional emails", "hs_additional_emails"))
    if fast:
        monkeypatch.setattr(engine, "LARGE_INPUT", 0)
    for chunk_rows in (50_000, 1, 2):
        report = _one_file("0-1", text, ("Email", "email"), ("Additional emails", "hs_additional_emails"),
                           chunk_rows=chunk_rows)
        assert [(f.row, f.column, f.code, f.severity.label, f.message) for f in report.findings
                if f.code == "HS308"] == [
            (3, 1, "HS308", "warning", f"email 'REN\u00c9@x.com' is an additional email of row 2{FORMS}"),
            (4, 2, "HS308", "warning", f"additional email 'jose\u0301@x.com' is the email of row 2{FORMS}"),
            (6, 1, "HS308", "warning", f"email 'bo@x.com' is an additional email of row 2{LIKELY}"),
            (7, 1, "HS308", "warning", f"email 'jose\u0301@x.com' is an additional email of row 4{LIKELY}"),
        ], chunk_rows
    files = {"a.csv": ("Email,Additional emails\njos\u00e9@x.com,rene\u0301@x.com\n", mappings),
             "b.csv": ("Email,Additional emails\nren\u00e9@x.com,\nbo@x.com,JOSE\u0301@x.com\n", mappings)}
    for chunk_rows in (50_000, 1):
        assert _hs308(files, chunk_rows) == [
            ("b.csv", 2, 1, "HS308", "email 'ren\u00e9@x.com' is an additional email of row 2 of a.csv in another "
                                     "Unicode form (an accent as its own character, or a letter written two ways)"),
            ("b.csv", 3, 2, "HS308", "additional email 'JOSE\u0301@x.com' is the email of row 2 of a.csv in "
                                     "another Unicode form (an accent as its own character, or a letter written "
                                     "two ways)"),
        ], chunk_rows


def test_an_additional_email_listed_in_both_unicode_forms_is_one_pair_of_rows() -> None:
    # a cell listing row 2's email composed and decomposed was reported twice at one cell (once
    # byte for byte, once in another form), where each pair of rows is reported once
    text = ("Email,Additional emails\n"
            "rene\u0301@x.com,\n"
            "di@x.com,REN\u00c9@x.com; rene\u0301@x.com\n"
            "cy@x.com,REN\u00c9@x.com\n")
    for chunk_rows in (50_000, 1):
        report = _one_file("0-1", text, ("Email", "email"), ("Additional emails", "hs_additional_emails"),
                           chunk_rows=chunk_rows)
        assert [(f.row, f.column, f.code, f.message) for f in report.findings if f.code == "HS308"] == [
            (3, 2, "HS308", f"additional email 'rene\u0301@x.com' is the email of row 2{LIKELY}"),
            (4, 2, "HS308", f"additional email 'REN\u00c9@x.com' is the email of row 2{FORMS}"),
        ], chunk_rows


@pytest.mark.parametrize("fast", [False, True])
def test_a_domain_that_is_another_rows_additional_domain_is_a_warning_naming_that_row(fast: bool, monkeypatch) -> None:
    # fact sheet 4.2 [V] S6: a new company's domain may not be another record's additional
    # domain; HS308 checked this for contacts' emails only, so these companies went unnoticed
    text = ("Company Domain,Additional domains,Name\n"
            "acme.com,acme.co.uk; ACME.de,Acme\n"      # row 2 lists row 3's domain and row 5's
            "https://www.acme.co.uk/home,,Acme UK\n"   # row 3: row 2's additional domain, as HubSpot keeps it
            "beta.com,beta.com;www.acme.com,Beta\n"    # row 4: its own domain (no conflict), and Acme's (row 2)
            "acme.de,,Acme DE\n"                       # row 5: row 2's additional domain again
            ",gamma.com,Gamma\n")                      # row 6: a domain no row has as its domain
    columns = (("Company Domain", "domain"), ("Additional domains", "hs_additional_domains"), ("Name", "name"))
    if fast:  # keys hashed with polars, as in a large import (two threads)
        monkeypatch.setattr(engine, "LARGE_INPUT", 0)
    why = "a new company's domain may not be another company's additional domain, so one of the two rows may fail"
    for chunk_rows in (50_000, 1, 2):
        report = _one_file("0-2", text, *columns, chunk_rows=chunk_rows)
        found = [(f.row, f.column, f.code, f.severity.label if f.severity else None, f.hubspot_error, f.value,
                  f.message) for f in report.findings if f.code == "HS319"]
        assert found == [
            (3, 1, "HS319", "warning", None, "https://www.acme.co.uk/home",
             f"domain 'https://www.acme.co.uk/home' is an additional domain of row 2: {why}"),
            (4, 2, "HS319", "warning", None, "beta.com;www.acme.com",
             f"additional domain 'www.acme.com' is the domain of row 2: {why}"),
            (5, 1, "HS319", "warning", None, "acme.de", f"domain 'acme.de' is an additional domain of row 2: {why}"),
        ], chunk_rows


@pytest.mark.parametrize("reader", ["exact", "fast"])
@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("byte", [b"\xe9", b"\xff", b"\x80"])
def test_an_email_and_an_additional_email_with_the_same_undecodable_byte_meet(
        reader: str, fast: bool, byte: bytes, monkeypatch) -> None:
    # an email column keeps the byte as read (a lone surrogate); an additional emails list was
    # split from the cells as Arrow holds them, the byte replaced: the two keyed different text
    data = (b"Email,Additional emails\n"
            b"ann@x.com,b" + byte + b"o@x.com;cy@x.com\n"   # row 2 lists row 3's address
            b"B" + byte + b"O@x.com,\n"                     # row 3: row 2's additional email
            b"cy" + byte + b"@x.com,\n"                     # row 4: not row 2's cy@x.com
            b"dee@x.com,ann@x.com; cy" + byte + b"@X.com\n")  # row 5: rows 2's and 4's emails
    request = {"name": "t", "files": [{"fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": _mappings("0-1", ("Email", "email"),
                                                       ("Additional emails", "hs_additional_emails"))}}]}
    if fast:  # keys hashed with polars, as in a large import
        monkeypatch.setattr(engine, "LARGE_INPUT", 0)
    for chunk_rows in (50_000, 1, 2):
        report = validate(request, files={"c.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                          config=Config(chunk_rows=chunk_rows, reader=reader))
        found = [(f.row, f.column, f.code, f.message.split(":")[0]) for f in report.findings if f.code == "HS308"]
        shown = "\\x" + byte.hex()
        assert found == [
            (3, 1, "HS308", f"email 'B{shown}O@x.com' is an additional email of row 2"),
            (5, 2, "HS308", "additional email 'ann@x.com' is the email of row 2"),
            (5, 2, "HS308", f"additional email 'cy{shown}@X.com' is the email of row 4"),
        ], chunk_rows



@pytest.mark.parametrize("reader", ["exact", "fast"])
@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("email", ["ΟΔΟΣ@x.com", "İnci@x.com"])
def test_an_email_is_keyed_alike_in_a_chunk_with_an_undecodable_byte_and_in_one_without(
        reader: str, fast: bool, email: str, monkeypatch) -> None:
    # a column with an undecodable byte in a chunk is stored in Python there; its other cells were
    # keyed by Python's lower(), which reads a final sigma (ΟΔΟΣ: οδος) and keeps a dotted I's dot,
    # where Arrow's, which keys a chunk without such a byte, does neither (οδοσ, inci): the same
    # address in two such chunks met nothing. A cell without the byte is keyed in Arrow in both.
    data = (f"Email,First Name\n{email},Ann\nbo@x.com,Bo\n".encode()
            + b"cy\xe9@x.com,Cy\n" + f" {email.upper()},Dee\ncy\xe9@X.com,Ed\n".encode())
    request = {"name": "t", "files": [{"fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": _mappings("0-1", ("Email", "email"), ("First Name", "firstname"))}}]}
    if fast:  # keys hashed with polars, as in a large import
        monkeypatch.setattr(engine, "LARGE_INPUT", 0)
    for chunk_rows in (2, 50_000):
        report = validate(request, files={"c.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                          config=Config(chunk_rows=chunk_rows, reader=reader, select=("HS301",)))
        assert [(f.row, f.column, f.code, f.value) for f in report.findings] == [
            (5, 1, "HS301", f" {email.upper()}")], chunk_rows
        assert "repeats row 2" in report.findings[0].message


@pytest.mark.parametrize("reader", ["exact", "fast"])
@pytest.mark.parametrize("fast", [False, True])
def test_an_additional_email_beside_an_undecodable_byte_meets_the_same_email(reader: str, fast: bool,
                                                                             monkeypatch) -> None:
    # a list of additional emails holding an undecodable byte is stored in Python: its other
    # parts were keyed by Python's lower() (ΟΔΟΣ: οδος), the email column by Arrow's (οδοσ)
    data = ("Email,Additional emails\nann@x.com,ΟΔΟΣ@x.com;".encode() + b"b\xe9@x.com\n"
            + "ΟΔΟΣ@X.COM,\n".encode())
    request = {"name": "t", "files": [{"fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": _mappings("0-1", ("Email", "email"),
                                                       ("Additional emails", "hs_additional_emails"))}}]}
    if fast:
        monkeypatch.setattr(engine, "LARGE_INPUT", 0)
    for chunk_rows in (50_000, 1):
        report = validate(request, files={"c.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                          config=Config(chunk_rows=chunk_rows, reader=reader, select=("HS308",)))
        assert [(f.row, f.column, f.message.split(":")[0]) for f in report.findings] == [
            (3, 1, "email 'ΟΔΟΣ@X.COM' is an additional email of row 2")], chunk_rows


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("word", ["ΟΔΟΣ", "İNCİ"])
def test_an_email_out_of_nfc_form_with_a_final_sigma_or_dotted_i_meets_its_nfc_twin(
        fast: bool, word: str, monkeypatch) -> None:
    # a cell out of NFC form was keyed by its NFC form lowered by Python (ΟΔΟΣ: οδος, İ: i and a
    # combining dot), the cells in NFC form by Arrow (οδοσ, i): HS325 and HS308 missed the pair
    text = (f"Email,Additional emails\n"
            f"jos\u00e9.{word}@x.com,\n"                    # row 2: NFC
            f"jose\u0301.{word}@X.com,\n"                   # row 3: NFD, row 2's address
            f"ann@x.com,rene\u0301.{word}@x.com\n"          # row 4: lists row 5's address, NFD
            f"REN\u00c9.{word}@x.com,\n")                   # row 5: NFC, row 4's additional email
    if fast:
        monkeypatch.setattr(engine, "LARGE_INPUT", 0)
    for chunk_rows in (50_000, 1):
        report = _one_file("0-1", text, ("Email", "email"), ("Additional emails", "hs_additional_emails"),
                           chunk_rows=chunk_rows)
        assert [(f.row, f.column, f.code, f.message.split(" in another")[0].split(":")[0])
                for f in report.findings if f.code in ("HS308", "HS325")] == [
            (3, 1, "HS325", f"'jose\u0301.{word}@X.com' is the email of row 2"),
            (5, 1, "HS308", f"email 'REN\u00c9.{word}@x.com' is an additional email of row 4"),
        ], chunk_rows


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.characters(exclude_categories=("Cs",))) | st.sampled_from(["ΟΔΟΣ", "İ", "Σ\udce9Σ"]),
                min_size=1, max_size=8))
def test_lower_is_arrows_lower_however_the_cells_are_stored(cells: list[str]) -> None:
    """``keys.columns.lower`` of cells stored in Python is Arrow's ``utf8_lower`` of them (each
    run of text between lone surrogates lowered on its own), as for cells stored in Arrow."""
    import re

    from validator.keys.columns import lower
    from validator.readers.base import PY_STR, STR

    def arrow(text: str) -> str:
        parts = re.split("([\ud800-\udfff]+)", text)
        parts[::2] = pc.utf8_lower(pa.array(parts[::2], pa.large_string())).to_pylist()
        return "".join(parts)

    assert lower(pd.Series(cells, dtype=PY_STR)).tolist() == [arrow(c) for c in cells]
    assert lower(pd.Series(cells, dtype=object)).tolist() == [arrow(c) for c in cells]
    clean = [c for c in cells if not any("\ud800" <= ch <= "\udfff" for ch in c)]
    assert lower(pd.Series(clean, dtype=STR)).tolist() == [arrow(c) for c in clean]


_KEY_CELL = st.text(alphabet="aB Σ\tİé@.\udce9\udcff", max_size=6)


@settings(max_examples=150, deadline=None)
@given(st.lists(_KEY_CELL, min_size=1, max_size=12), st.sampled_from(["email", "domain", "hs_object_id", None]),
       st.booleans())
def test_cells_of_a_column_stored_in_python_are_keyed_as_in_arrow_but_those_holding_a_byte(
        cells: list[str], prop: str | None, fast: bool) -> None:
    """``cell_keys`` of a column stored in Python (a cell holds an undecodable byte, a lone
    surrogate): each cell without one gets the key it gets in a column stored in Arrow, each cell
    with one the key of its Python normalisation; blank keys are left out as before."""
    from validator.context import Column
    from validator.keys import cell_keys, hashes, hashing, normaliser
    from validator.readers.base import PY_STR, STR, Chunk, string_frame

    def keys_of(frame: pd.DataFrame) -> tuple[list[int], list[int]]:
        chunk = Chunk(frame, np.arange(2, len(frame) + 2), ())
        pos, keys = cell_keys(chunk, Column(0, "c", None), prop)
        return pos.tolist(), keys.tolist()

    with hashing(fast):
        frame = string_frame([cells], list(range(2, len(cells) + 2)))
        odd = [any("\udc80" <= c <= "\udcff" for c in cell) for cell in cells]
        assert (frame[0].dtype == PY_STR) is any(odd)
        pos, keys = keys_of(frame)
        want: dict[int, int] = {}
        for i, cell in enumerate(cells):
            series = pd.Series([cell], dtype=PY_STR if odd[i] else STR)
            norm = normaliser(prop)(series)
            if norm.iloc[0] != "":
                want[i] = int(hashes(norm)[0])
        assert pos == sorted(want) and keys == [want[i] for i in pos]
        clean = [i for i in range(len(cells)) if not odd[i]]  # (their keys in a column stored in Arrow)
        if clean and any(odd):
            cpos, ckeys = keys_of(string_frame([[cells[i] for i in clean]], list(range(2, len(clean) + 2))))
            assert {clean[p]: k for p, k in zip(cpos, ckeys, strict=True)} == {i: want[i] for i in clean if i in want}


def test_an_additional_email_with_a_quoted_local_part_meets_the_same_email() -> None:
    # '"a;b"@x.com' among additional emails was split into '"a' and 'b"@x.com', so it met no email
    contacts = _mappings("0-1", ("Email", "email"), ("Additional emails", "hs_additional_emails"))
    text = 'Email,Additional emails\n"""a;b""@x.com",\nbo@x.com,"cy@x.com;""A;B""@x.com"\n'
    for chunk_rows in (50_000, 1):
        assert _hs308({"c.csv": (text, contacts)}, chunk_rows) == [
            ("c.csv", 3, 2, "HS308", "additional email '\"A;B\"@x.com' is the email of row 2")], chunk_rows


@pytest.mark.parametrize(("by", "prop", "extra"), [
    ("ERP ID", "erp_id", {"columnType": "HUBSPOT_ALTERNATE_ID"}),
    ("Record ID", "hs_object_id", {}),
])
def test_a_domain_repeated_where_companies_are_deduplicated_otherwise_is_a_warning(by: str, prop: str,
                                                                                     extra: dict) -> None:
    # fact sheet 4.2 [V] S6, pitfall 23: deduplicated by a unique property (or Record ID),
    # companies need not have unique domains, so HubSpot creates several with one domain; HS301
    # rightly calls none of them a duplicate, but the user gets a word of it
    text = (f"{by},Domain\n"
            "11,acme.example\n"
            "12,https://www.Acme.example/about\n"   # another company with row 2's domain
            "11,acme.example\n"                     # row 2's company again: not another company
            "13,globex.example\n"
            "14,\n")
    columns = ((by, prop, extra), ("Domain", "domain"))
    for chunk_rows in (50_000, 1):
        report = _one_file("0-2", text, *columns, chunk_rows=chunk_rows)
        found = [(f.row, f.column, f.code, f.severity.label if f.severity else None, f.hubspot_error, f.message)
                 for f in report.findings if f.code in ("HS301", "HS309") and f.column == 2]
        assert found == [
            (3, 2, "HS309", "warning", None,
             f"domain 'https://www.Acme.example/about' repeats row 2: companies are deduplicated by '{by}' here, "
             "not by domain, so HubSpot keeps two companies with this domain"),
        ], chunk_rows



def test_a_shared_domains_key_is_the_domain_whichever_company_comes_later() -> None:
    # HS309's warning is on the later company; with no email column each row was keyed by its
    # cells' hash, so a re-sort that put the other company later gave it another key
    columns = (("ERP ID", "erp_id", {"columnType": "HUBSPOT_ALTERNATE_ID"}), ("Domain", "domain"))

    def report_of(rows: list[str]) -> Report:
        report = _one_file("0-2", "ERP ID,Domain\n" + "".join(rows), *columns)
        return dataclasses.replace(report, findings=[f for f in report.findings if f.code == "HS309"])

    assert _keys_in_both_orders(report_of, ["11,acme.example\n", "12,https://www.Acme.example/about\n"]) == [
        [(3, 2, "HS309", "value:acme.example")]] * 2


def test_an_email_in_another_unicode_forms_key_is_its_nfc_form_whichever_row_comes_later(tmp_path: Path) -> None:
    # HS325's warning is on the later of the two rows; it was keyed by that row's record (here its
    # Record ID), so a re-sort that put the other row later gave it another key: it is keyed by
    # the email as compared, its NFC form lower-cased, in one file or across files
    def report_of(rows: list[str]) -> Report:
        return validate(_contacts(tmp_path, rows), config=Config(select=("HS325",)))

    assert _keys_in_both_orders(report_of, ["1,jos\u00e9@x.com", "2,JOSE\u0301@x.com"]) == [
        [(3, 2, "HS325", "value:jos\u00e9@x.com")]] * 2
    contacts = _mappings("0-1", ("Record ID", "hs_object_id"), ("Email", "email"))
    report = _validate_csvs({"a.csv": ("Record ID,Email\n1,a\u1fefb@x.com\n", contacts),
                             "b.csv": ("Record ID,Email\n7,bo@x.com\n8,A`B@x.com\n", contacts)},
                            Config(select=("HS325",)))
    assert [(f.file, f.row, f.column, f.code, f.key) for f in report.findings] == [
        ("b.csv", 3, 2, "HS325", "value:a`b@x.com")]


@pytest.mark.parametrize("fast", [False, True])
def test_a_repeated_participations_key_is_its_contact_and_time_whichever_row_comes_later(fast: bool,
                                                                                        monkeypatch) -> None:
    # HS317's warning is on the later of the two rows; it was keyed by that row's record, here
    # its Record ID as written (0501, 501), so a re-sort that put the other row later gave it
    # another key: it is keyed by the contact and timestamp as compared
    if fast:  # rows hashed with polars, as in a large import
        monkeypatch.setattr(engine, "LARGE_INPUT", 0)
    event = {"columnObjectTypeId": "0-54", "columnType": "EVENT_TIMESTAMP"}
    mappings = [{"columnObjectTypeId": "0-1", "columnName": "Record ID", "propertyName": "hs_object_id"},
                {**event, "columnName": "Registered", "marketingEventSubmissionType": "REGISTERED"}]
    request = {"name": "t", "marketingEventObjectId": 123456, "dateFormat": "YEAR_MONTH_DAY", "files": [
        {"fileName": "f.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}

    def report_of(rows: list[str]) -> Report:
        text = "Record ID,Registered\n" + "".join(f"{r}\n" for r in rows)
        return validate(request, files={"f.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent",
                        config=Config(select=("HS317",)))

    assert _keys_in_both_orders(report_of, ["501,2024-03-01 10:00", "0501, 2024-03-01 10:00 "]) == [
        [(3, 2, "HS317", "value:501 2024-03-01 10:00")]] * 2


@pytest.mark.parametrize("fast", [False, True])
def test_an_identical_rows_key_and_an_identifier_in_another_files_key_stay_when_the_rows_are_re_sorted(
        fast: bool, monkeypatch) -> None:
    # HS304's finding is on the later of two identical rows: one record, so one key whichever it
    # is; HS324's is on each row of the later file holding the value, keyed by that row's record,
    # whatever the order of either file's rows (both were checked, and keep their keys)
    if fast:  # rows hashed with polars, as in a large import
        monkeypatch.setattr(engine, "LARGE_INPUT", 0)

    def identical(rows: list[str]) -> list[tuple]:
        report = _one_file("0-2", "Name,Domain\n" + "".join(rows), ("Name", "name"), ("Domain", "domain"))
        return [(f.row, f.column, f.code, f.key) for f in report.findings if f.code == "HS304"]

    rows = ["Acme,acme.example\n", "Acme,acme.example\n", "Globex,globex.example\n"]
    acme = "row:" + content_hash(["Acme", "acme.example"])
    assert [identical(rows), identical(rows[::-1])] == [[(3, None, "HS304", acme)], [(4, None, "HS304", acme)]]
    contacts = _mappings("0-1", ("Record ID", "hs_object_id"), ("Email", "email"))

    def in_files(earlier: list[str], later: list[str]) -> list[tuple]:
        report = _validate_csvs({"a.csv": ("Record ID,Email\n" + "".join(earlier), contacts),
                                 "b.csv": ("Record ID,Email\n" + "".join(later), contacts)}, Config(select=("HS324",)))
        return [(f.file, f.row, f.column, f.code, f.key) for f in report.findings]

    earlier, later = ["1,ann@x.com\n", "2,bo@x.com\n"], ["7,Ann@x.com\n", "8,cy@x.com\n"]
    assert [in_files(earlier, later), in_files(earlier[::-1], later[::-1])] == [
        [("b.csv", 2, 2, "HS324", "id:7")], [("b.csv", 3, 2, "HS324", "id:7")]]


@pytest.mark.parametrize("fast", [False, True])
def test_an_email_that_is_another_rows_additional_email_is_keyed_by_that_email_whichever_row_comes_later(
        fast: bool, monkeypatch) -> None:
    # HS308's warning is on the later of the two rows: on its email where the row listing the
    # address comes first, on its additional emails where it comes later. It was keyed by that
    # row's record (email:bo@x.com, email:ann@x.com), so a re-sort gave it another key; it is keyed
    # by the address the two rows share, as compared (lower-cased, in NFC form), in either column
    if fast:  # keys hashed with polars, as in a large import
        monkeypatch.setattr(engine, "LARGE_INPUT", 0)
    columns = (("Email", "email"), ("Additional emails", "hs_additional_emails"))

    def report_of(rows: list[str]) -> Report:
        report = _one_file("0-1", "Email,Additional emails\n" + "".join(rows), *columns)
        return dataclasses.replace(report, findings=[f for f in report.findings if f.code == "HS308"])

    assert _keys_in_both_orders(report_of, ["ann@x.com,cy@x.com; Bo@x.com\n", "BO@X.com,\n"]) == [
        [(3, 1, "HS308", "value:bo@x.com")], [(3, 2, "HS308", "value:bo@x.com")]]
    assert _keys_in_both_orders(report_of, ["ann@x.com,rene\u0301@x.com\n", "REN\u00c9@x.com,\n"]) == [
        [(3, 1, "HS308", "value:ren\u00e9@x.com")], [(3, 2, "HS308", "value:ren\u00e9@x.com")]]
    # so one ignore-records entry (without a column) turns the finding off in either order
    ignore = Config(ignore_records=[{"rule": "HS308", "key": "value:bo@x.com"}])
    for rows in (["ann@x.com,bo@x.com\n", "Bo@x.com,\n"], ["Bo@x.com,\n", "ann@x.com,bo@x.com\n"]):
        request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
            "hasHeader": True, "columnMappings": _mappings("0-1", *columns)}}]}
        text = "Email,Additional emails\n" + "".join(rows)
        report = validate(request, files={"data.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent",
                          config=ignore)
        assert ([f.code for f in report.findings if f.code == "HS308"], report.ignored_records) == ([], {"HS308": 1})


def test_a_domain_that_is_another_rows_additional_domain_is_keyed_by_that_domain_whichever_row_comes_later() -> None:
    # as HS308: the host the two companies share, whichever row comes later
    columns = (("Domain", "domain"), ("Additional domains", "hs_additional_domains"), ("Name", "name"))

    def report_of(rows: list[str]) -> Report:
        report = _one_file("0-2", "Domain,Additional domains,Name\n" + "".join(rows), *columns)
        return dataclasses.replace(report, findings=[f for f in report.findings if f.code == "HS319"])

    rows = ["acme.com,acme.co.uk,Acme\n", "https://www.ACME.co.uk/home,,Acme UK\n"]
    assert _keys_in_both_orders(report_of, rows) == [
        [(3, 1, "HS319", "value:acme.co.uk")], [(3, 2, "HS319", "value:acme.co.uk")]]

def _found(mappings: list[dict], text: str, codes: tuple[str, ...], **top: object) -> list[tuple]:
    request = {"name": "t", **top, "files": [{"fileName": "f.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": mappings}}]}
    report = validate(request, files={"f.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent",
                      config=Config(chunk_rows=2))
    return [(f.row, f.column, f.code, f.severity.label if f.severity else None, f.hubspot_error, f.value, f.message)
            for f in report.findings if f.code in codes]


def test_a_repeated_participation_is_a_duplicate_event_warning_across_chunks() -> None:
    # the same contact (email compared without case), event column and timestamp in two rows;
    # another type, another time, or another contact at that time are other participations
    event = {"columnObjectTypeId": "0-54", "columnType": "EVENT_TIMESTAMP"}
    mappings = [{"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
                {**event, "columnName": "Registered", "marketingEventSubmissionType": "REGISTERED"},
                {**event, "columnName": "Attended", "marketingEventSubmissionType": "JOINED"}]
    text = ("Email,Registered,Attended\nann@x.com,2024-03-01 10:00,\nbo@x.com,2024-03-01 10:00,\n"
            "ann@x.com,,2024-03-01 10:00\nAnn@X.com,2024-03-01 10:00,2024-03-02 10:00\n")
    assert _found(mappings, text, ("HS317", "HS301", "HS304"), marketingEventObjectId=123456,
                  dateFormat="YEAR_MONTH_DAY") == [
        (5, 2, "HS317", "warning", "DUPLICATE_EVENT", "2024-03-01 10:00",
         "participation (REGISTERED) of 'Ann@X.com' at this time repeats row 2: the same contact, event column "
         "and timestamp")]


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize(("settings", "hs304"), [
    ("", True),
    ('select = ["HS317"]', False),
    ('[per-file-ignores]\n"f.csv" = ["HS304"]', False),
    ('[per-file-ignores]\n"*.csv" = ["duplicate-row"]', False),
    ('[per-file-ignores]\n"other.csv" = ["HS304"]', True),
])
def test_a_row_repeated_cell_for_cell_is_reported_once_as_a_duplicate_row(settings: str, hs304: bool, fast: bool,
                                                                          tmp_path: Path, monkeypatch) -> None:
    # a participant row repeated cell for cell was HS304's and HS317's too, one finding per event
    # column: the same problem three times. It is HS304's alone where HS304 reports the file; where
    # it does not (not selected, or turned off for the file by a per-file ignore, which left the
    # repeat unreported by either rule), HS317 names its repeated participations
    if fast:  # rows hashed with polars, as in a large import (as written records, where HS304 runs)
        monkeypatch.setattr(engine, "LARGE_INPUT", 0)
    event = {"columnObjectTypeId": "0-54", "columnType": "EVENT_TIMESTAMP"}
    mappings = [{"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
                {**event, "columnName": "Registered", "marketingEventSubmissionType": "REGISTERED"},
                {**event, "columnName": "Attended", "marketingEventSubmissionType": "JOINED"}]
    text = ("Email,Registered,Attended\n"
            "ann@x.com,2024-03-01 10:00,\n"
            "ann@x.com,2024-03-01 10:00,2024-03-02 10:00\n"  # row 3: registered again, attended: HS317
            "ann@x.com,2024-03-01 10:00,\n"                  # row 4: row 2 again: HS304
            "ann@x.com,2024-03-01 10:00,2024-03-02 10:00\n"  # row 5: row 3 again: HS304
            "Ann@X.com,2024-03-01 10:00,\n")                 # row 6: not row 2 cell for cell: HS317
    request = {"name": "t", "marketingEventObjectId": 123456, "dateFormat": "YEAR_MONTH_DAY", "files": [
        {"fileName": "f.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}
    (tmp_path / "preflight.toml").write_text(settings + "\n", encoding="utf-8")

    def registered(contact: str, row: int) -> str:
        return (f"participation (REGISTERED) of {contact!r} at this time repeats row {row}: the same contact, "
                "event column and timestamp")
    copies = [(4, None, "HS304", "row is identical to row 2"), (5, None, "HS304", "row is identical to row 3")]
    if not hs304:
        copies = [(4, 2, "HS317", registered("ann@x.com", 2)), (5, 2, "HS317", registered("ann@x.com", 2)),
                  (5, 3, "HS317", "participation (JOINED) of 'ann@x.com' at this time repeats row 3: the same "
                                  "contact, event column and timestamp")]
    for chunk_rows in (50_000, 1, 2):
        config = Config.from_pyproject(tmp_path / "preflight.toml", chunk_rows=chunk_rows)
        report = validate(request, files={"f.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent",
                          config=config)
        found = [(f.row, f.column, f.code, f.message) for f in report.findings if f.code in ("HS304", "HS317")]
        assert found == [(3, 2, "HS317", registered("ann@x.com", 2)), *copies,
                         (6, 2, "HS317", registered("Ann@X.com", 2))], chunk_rows


def test_an_associated_record_named_twice_in_a_cell_is_a_duplicate_association_id_warning() -> None:
    # a line item's parent deal `101;0101` is one deal named twice (Record IDs compared as numbers):
    # HS318's warning, and no longer HS340's error (several parents); `101;102` still is
    mappings = [{"columnObjectTypeId": "0-8", "columnName": "Name", "propertyName": "name"},
                {"columnObjectTypeId": "0-8", "columnName": "Deal ID", "columnType": "HUBSPOT_OBJECT_ID",
                 "toColumnObjectTypeId": "0-3",
                 "foreignKeyType": {"associationTypeId": 20, "associationCategory": "HUBSPOT_DEFINED"}}]
    text = "Name,Deal ID\nWidget,101;0101\nGadget,101;102\nGizmo,101\n"
    assert _found(mappings, text, ("HS318", "HS340")) == [
        (2, 2, "HS318", "warning", "DUPLICATE_ASSOCIATION_ID", "101;0101",
         "'101;0101' names the same associated record more than once"),
        (3, 2, "HS340", "error", "LINE_ITEM_MULTIPLE_PARENTS_IN_ROW", "101;102",
         "line item row names more than one parent deal or quote")]
    # same-object keys: emails compared without case; each company once per cell is fine
    keys = [{"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "Knows", "propertyName": "email",
             "columnType": "ASSOCIATION_KEYS"}]
    text = "Email,Knows\na@x.com,b@x.com; B@x.com;c@x.com\nb@x.com,a@x.com;c@x.com\nc@x.com,\n"
    assert [r[:3] + r[5:] for r in _found(keys, text, ("HS318",))] == [
        (2, 2, "HS318", "b@x.com; B@x.com;c@x.com",
         "'b@x.com; B@x.com;c@x.com' names the same associated record more than once")]


@pytest.mark.parametrize("chunk_rows", [50_000, 1])
def test_association_keys_of_emails_are_split_as_address_lists_by_every_rule(chunk_rows: int) -> None:
    # HS318 split a keys column of emails as an address list, HS331, HS332 and HS341 at every ';':
    # '"a;b"@x.com' was the two keys '"a' and 'b"@x.com', each "matching no row" (HS332), never the
    # row's own address (HS331), and two associations where it is one (HS341: row 3 had three)
    keys = [{"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "Knows", "propertyName": "email",
             "columnType": "ASSOCIATION_KEYS"}]
    text = ('Email,Knows\n'
            '"""a;b""@x.com","""A;B""@x.com"\n'  # row 2 names itself
            'bo@x.com,"""a;b""@x.com;cy@x.com"\n'  # names rows 2 and 4: two associations
            'cy@x.com,"""c;d""@x.com"\n')           # names no row: one key
    request = {"name": "t", "files": [{"fileName": "f.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": keys}}]}
    report = validate(request, files={"f.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent",
                      config=Config(chunk_rows=chunk_rows, options={"HS341": {"limit": 2}}))
    assert [(f.row, f.column, f.code, f.message) for f in report.findings
            if f.code in ("HS318", "HS331", "HS332", "HS341")] == [
        (2, 2, "HS331", "'\"A;B\"@x.com' associates the record with itself"),
        (4, 2, "HS332", "key '\"c;d\"@x.com' matches no row of this file: the record must already exist in the "
                        "account")]


@pytest.mark.parametrize("chunk_rows", [50_000, 1])
@pytest.mark.parametrize(("word", "low"), [("ΟΔΟΣ", "οδοσ"), ("İNCİ", "inci")])
@pytest.mark.parametrize("odd", [False, True])
def test_association_keys_with_a_final_sigma_or_dotted_i_meet_the_rows_they_name(chunk_rows: int, word: str,
                                                                                 low: str, odd: bool) -> None:
    # a keys column holding an undecodable byte in a chunk (row 5, ``odd``) is stored in Python
    # there, and its parts were lowered by Python (ΟΔΟΣ: οδος, İ: i and a combining dot), the
    # email column by Arrow (οδοσ, i): a row naming itself (HS331) or another row (HS332: "matches
    # no row") and one record named twice in two cases (HS318) were judged on different keys
    keys = [{"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-1", "columnName": "Knows", "propertyName": "email",
             "columnType": "ASSOCIATION_KEYS"}]
    text = (f"Email,Knows\n"
            f"{word}@x.com,{word}@X.COM\n"                      # row 2 names itself
            f"bo@x.com,{word}@x.com;{low}@x.com\n"              # row 3 names row 2 (twice, in two cases)
            f"cy@x.com,bo@x.com\n").encode() + (b"dee@x.com,\xe9@x.com\n" if odd else b"")
    request = {"name": "t", "files": [{"fileName": "f.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": keys}}]}
    report = validate(request, files={"f.csv": io.BytesIO(text)}, base_dir="/nonexistent",
                      config=Config(chunk_rows=chunk_rows))
    assert [(f.row, f.column, f.code, f.message) for f in report.findings
            if f.code in ("HS318", "HS331", "HS332", "HS341")] == [
        (2, 2, "HS331", f"'{word}@X.COM' associates the record with itself"),
        (3, 2, "HS318", f"'{word}@x.com;{low}@x.com' names the same associated record more than once"),
        *([(5, 2, "HS332", "key '\\xe9@x.com' matches no row of this file: the record must already exist in the "
                           "account")] if odd else [])]


def test_two_deal_id_columns_naming_different_deals_are_two_parents_of_a_line_item() -> None:
    # Record IDs of deals in two columns (a pointing column and the deal's own Record ID column, or
    # two pointing columns) are counted together: 101 and 0101 are one deal, 101 and 102 two;
    # a deal's name beside its Record ID still names the same deal
    point = {"columnObjectTypeId": "0-8", "columnType": "HUBSPOT_OBJECT_ID", "toColumnObjectTypeId": "0-3",
             "foreignKeyType": {"associationTypeId": 20, "associationCategory": "HUBSPOT_DEFINED"}}
    mappings = [{"columnObjectTypeId": "0-8", "columnName": "Name", "propertyName": "name"},
                {**point, "columnName": "Deal ID"}, {**point, "columnName": "Renewal Deal ID"}]
    text = "Name,Deal ID,Renewal Deal ID\nWidget,101,\nGadget,101,0101\nGizmo,,102\nGear,101,102\n"
    assert _found(mappings, text, ("HS340",)) == [
        (5, 2, "HS340", "error", "LINE_ITEM_MULTIPLE_PARENTS_IN_ROW", "101",
         "line item row names more than one parent deal or quote")]
    mappings = [{"columnObjectTypeId": "0-8", "columnName": "Name", "propertyName": "name"},
                {**point, "columnName": "Deal ID"},
                {"columnObjectTypeId": "0-3", "columnName": "Deal Record ID", "propertyName": "hs_object_id"},
                {"columnObjectTypeId": "0-3", "columnName": "Deal Name", "propertyName": "dealname"}]
    text = ("Name,Deal ID,Deal Record ID,Deal Name\nWidget,101,101,Acme\nGadget,,102,Acme\n"
            "Gizmo,101,102,Acme\n")
    assert [r[:5] for r in _found(mappings, text, ("HS340",), importOperations={"0-8": "CREATE", "0-3": "UPDATE"})] == [
        (4, 2, "HS340", "error", "LINE_ITEM_MULTIPLE_PARENTS_IN_ROW")]


def test_a_label_that_matches_only_ignoring_case_is_a_warning_of_its_own() -> None:
    # 'manager' for the portal's 'Manager' was HS322, an error, where an option that matches only
    # ignoring case is a warning (HS210): whether HubSpot ignores case in labels is not documented
    from tests.casefiles import portal
    from validator.engine import Engine
    from validator.request import parse_request

    catalog = portal({"0-1>0-2": ["Manager", "Decision maker"]}, [])
    request = {"name": "t", "files": [{"fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"},
            {"columnObjectTypeId": "0-2", "columnName": "Domain", "propertyName": "domain"},
            {"columnObjectTypeId": "0-1", "columnName": "Label", "columnType": "FLEXIBLE_ASSOCIATION_LABEL",
             "toColumnObjectTypeId": "0-2"}]}}]}
    spec = parse_request(json.dumps(request).encode(), "r.json", catalog)
    data = b"Email,Domain,Label\nann@x.com,acme.example,manager\nbo@x.com,acme.example,MANAGER;Billing\n"
    report = Engine(Config(), catalog).run(spec, files={"c.csv": io.BytesIO(data)}, base=Path("/nonexistent"))
    assert [(f.row, f.column, f.code, f.severity.label if f.severity else None, f.message) for f in report.findings
            if f.code in ("HS322", "HS323")] == [
        (2, 3, "HS323", "warning", "association label(s) 'manager' (the pair's label is 'Manager') match a label "
                                   "of this object pair only when letter case is ignored"),
        (3, 3, "HS322", "error", "association label(s) 'Billing' do not exist for this object pair"),
        (3, 3, "HS323", "warning", "association label(s) 'MANAGER' (the pair's label is 'Manager') match a label "
                                   "of this object pair only when letter case is ignored")]


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_a_record_id_over_the_largest_64_bit_id_is_invalid_and_says_why(reader: str) -> None:
    text = ("Record ID,Name,Company ID\n9223372036854775807,Ann,9223372036854775807\n"
            "9223372036854775808,Bo,1.5\n0101,Cy,99999999999999999999\n")
    mappings = [{"columnObjectTypeId": "0-1", "columnName": "Record ID", "propertyName": "hs_object_id"},
                {"columnObjectTypeId": "0-1", "columnName": "Name", "propertyName": "firstname"},
                {"columnObjectTypeId": "0-1", "columnName": "Company ID", "columnType": "HUBSPOT_OBJECT_ID",
                 "toColumnObjectTypeId": "0-2",
                 "foreignKeyType": {"associationTypeId": 1, "associationCategory": "HUBSPOT_DEFINED"}}]
    request = {"name": "t", "files": [{"fileName": "f.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": mappings}}]}
    report = validate(request, files={"f.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent",
                      config=Config(chunk_rows=2, reader=reader, select=("HS305", "HS306")))
    assert [(f.row, f.column, f.code, f.hubspot_error, f.message) for f in report.findings] == [
        (3, 1, "HS305", "INVALID_RECORD_ID", "'9223372036854775808' is larger than any Record ID "
         "(HubSpot's ids are 64-bit: at most 9223372036854775807)"),
        (3, 3, "HS306", "INVALID_OBJECT_ID", "'1.5' is not a valid object id (a positive whole number)"),
        (4, 3, "HS306", "INVALID_OBJECT_ID", "'99999999999999999999' is larger than any object id "
         "(HubSpot's ids are 64-bit: at most 9223372036854775807)"),
    ]


@given(st.integers(min_value=-10, max_value=2**70))
def test_record_id_pattern_takes_exactly_the_positive_64_bit_integers(n: int) -> None:
    values = pd.Series([str(n), f"00{n}", f" {n} "], dtype="string[pyarrow]")
    assert fullmatch(values, POSITIVE_INT).tolist() == [0 < n < 2**63] * 3


@pytest.mark.parametrize("reader", ["exact", "fast"])
@pytest.mark.parametrize("chunk_rows", [50_000, 1])
def test_a_common_column_key_that_is_no_identifier_fails_even_where_the_owning_file_has_it(
        reader: str, chunk_rows: int) -> None:
    link = {"toColumnObjectTypeId": "0-1",
            "foreignKeyType": {"associationTypeId": 280, "associationCategory": "HUBSPOT_DEFINED"}}
    files = {
        "contacts.csv": ("Email,Name\nnot-an-email,Ann\nbo@x.example,Bo\n",
                         _mappings("0-1", ("Email", "email", {"associationIdentifierColumn": True}),
                                   ("Name", "firstname"))),
        "companies.csv": ("Domain,Email\na.example,not-an-email\nb.example,BO@x.example\n"
                          "c.example,nobody@x.example\nd.example,mailto:bo@x.example\n"
                          "e.example,bo@x.example;cy@x.example\nf.example,not-an-email\n",
                          _mappings("0-2", ("Domain", "domain"), ("Email", None, link))),
    }
    report = _validate_csvs(files, Config(chunk_rows=chunk_rows, reader=reader, select=("HS314", "HS212")))
    fails = "so it names no contacts (0-1) record, in contacts.csv or in the account: the association fails"
    no_row = ("matches no contacts (0-1) row of contacts.csv; the association works only if the record "
              "already exists in the account")
    assert [(f.file, f.row, f.column, f.code, f.hubspot_error, f.message) for f in report.findings] == [
        ("contacts.csv", 2, 1, "HS212", "INVALID_EMAIL", "'not-an-email' is not a valid email address"),
        ("companies.csv", 2, 2, "HS314", "NO_OBJECT_ID_FROM_ASSOCIATION_IDENTIFIER",
         f"'not-an-email' is not an email address, {fails}"),
        ("companies.csv", 4, 2, "HS314", "NO_OBJECT_ID_FROM_ASSOCIATION_IDENTIFIER", f"'nobody@x.example' {no_row}"),
        ("companies.csv", 5, 2, "HS314", "NO_OBJECT_ID_FROM_ASSOCIATION_IDENTIFIER",
         f"'mailto:bo@x.example' is not an email address, {fails}"),
        ("companies.csv", 6, 2, "HS314", "NO_OBJECT_ID_FROM_ASSOCIATION_IDENTIFIER",
         f"'bo@x.example;cy@x.example' {no_row}"),
    ], (reader, chunk_rows)


def test_a_record_id_common_column_key_that_is_no_record_id_fails() -> None:
    link = {"toColumnObjectTypeId": "0-2",
            "foreignKeyType": {"associationTypeId": 1, "associationCategory": "HUBSPOT_DEFINED"}}
    files = {
        "companies.csv": ("Company ID,Name\n0101,Acme\n9223372036854775808,Big\n",
                          _mappings("0-2", ("Company ID", "hs_object_id", {"associationIdentifierColumn": True}),
                                    ("Name", "name"))),
        "contacts.csv": ("Email,Company ID\na@x.example,101\nb@x.example,9223372036854775808\nc@x.example,abc\n"
                         "d@x.example,404\n",
                         _mappings("0-1", ("Email", "email"), ("Company ID", None, link))),
    }
    report = _validate_csvs(files, Config(chunk_rows=2, select=("HS314",)))
    fails = ("is not a Record ID (a positive 64-bit whole number), so it names no companies (0-2) record, "
             "in companies.csv or in the account: the association fails")
    assert [(f.file, f.row, f.column, f.code, f.message) for f in report.findings] == [
        ("contacts.csv", 3, 2, "HS314", f"'9223372036854775808' {fails}"),
        ("contacts.csv", 4, 2, "HS314", f"'abc' {fails}"),
        ("contacts.csv", 5, 2, "HS314", "'404' matches no companies (0-2) row of companies.csv; the association "
         "works only if the record already exists in the account"),
    ]


@pytest.mark.parametrize("reader", ["exact", "fast"])
@pytest.mark.parametrize("chunk_rows", [50_000, 1])
def test_a_same_object_key_that_is_no_domain_fails_even_where_a_row_has_it(reader: str, chunk_rows: int) -> None:
    text = ("Domain,Children\nh.example,not a domain;orphan.example\nbad domain,\nz.example,bad domain\n"
            "y.example,NOT A DOMAIN\n")
    columns = (("Domain", "domain"), ("Children", "domain", {"columnType": "ASSOCIATION_KEYS",
                                                             "toColumnObjectTypeId": "0-2"}))
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": _mappings("0-2", *columns)}}]}
    report = validate(request, files={"data.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent",
                      config=Config(chunk_rows=chunk_rows, reader=reader, select=("HS332",)))
    fails = "is not a domain name, so it names no record, in this file or in the account: the association fails"
    assert [(f.row, f.column, f.code, f.hubspot_error, f.message) for f in report.findings] == [
        (2, 2, "HS332", "ASSOCIATION_RECORD_NOT_FOUND", f"key 'not a domain' {fails}"),
        (2, 2, "HS332", "ASSOCIATION_RECORD_NOT_FOUND",
         "key 'orphan.example' matches no row of this file: the record must already exist in the account"),
        (4, 2, "HS332", "ASSOCIATION_RECORD_NOT_FOUND", f"key 'bad domain' {fails}"),
    ], (reader, chunk_rows)


@pytest.mark.parametrize("reader", ["exact", "fast"])
@pytest.mark.parametrize("chunk_rows", [50_000, 1])
def test_a_repeated_value_that_is_no_identifier_is_its_format_rules_alone(reader: str, chunk_rows: int) -> None:
    text = ("Email,Record ID\nnot-an-email,0\nNOT-AN-EMAIL,00\nann@x.example,101\nAnn@x.example,0101\n"
            "mailto:bo@x.example,abc\nmailto:bo@x.example,abc\n")
    columns = (("Email", "email"), ("Record ID", "hs_object_id"))
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": _mappings("0-1", *columns)}}]}
    report = validate(request, files={"data.csv": io.BytesIO(text.encode())}, base_dir="/nonexistent",
                      config=Config(chunk_rows=chunk_rows, reader=reader, select=("HS301", "HS303")))
    assert [(f.row, f.column, f.code, f.hubspot_error, f.message) for f in report.findings] == [
        (5, 1, "HS301", "DUPLICATE_ALTERNATE_ID", "identifier (email) 'Ann@x.example' repeats row 4"),
        (5, 2, "HS303", "DUPLICATE_OBJECT_ID", "Record ID '0101' repeats row 4"),
    ], (reader, chunk_rows)


@pytest.mark.parametrize("reader", ["exact", "fast"])
@pytest.mark.parametrize("chunk_rows", [50_000, 1, 2])
def test_an_identifier_in_two_files_of_one_object_is_a_warning_naming_the_earlier_file(
        reader: str, chunk_rows: int) -> None:
    columns = _mappings("0-1", ("Name", "firstname"), ("Email", "email"), ("Record ID", "hs_object_id"))
    files = {"a.csv": "Name,Email,Record ID\nAnn,ann@x.example,101\nBo,bo@x.example,102\n",
             "b.csv": "Name,Email,Record ID\nCy,cy@x.example,\nAnn,ANN@x.example,0101\nBo2,bo@x.example,\n",
             "c.csv": "Name,Email,Record ID\nCy,cy@x.example,\nBo3, BO@x.example ,102\n"}
    request = {"name": "t", "files": [
        {"fileName": name, "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": columns}}
        for name in files]}
    report = validate(request, files={n: io.BytesIO(t.encode()) for n, t in files.items()},
                      base_dir="/nonexistent", config=Config(chunk_rows=chunk_rows, reader=reader))
    also = "which imports the same object: both rows name one record"
    assert [(f.file, f.row, f.column, f.code, f.severity.label, f.message)
            for f in report.findings if f.code == "HS324"] == [
        ("b.csv", 3, 2, "HS324", "warning", f"identifier 'ANN@x.example' is also in row 2 of a.csv, {also}"),
        ("b.csv", 3, 3, "HS324", "warning", f"identifier '0101' is also in row 2 of a.csv, {also}"),
        ("b.csv", 4, 2, "HS324", "warning", f"identifier 'bo@x.example' is also in row 3 of a.csv, {also}"),
        ("c.csv", 2, 2, "HS324", "warning", f"identifier 'cy@x.example' is also in row 2 of b.csv, {also}"),
        ("c.csv", 3, 2, "HS324", "warning", f"identifier ' BO@x.example ' is also in row 3 of a.csv, {also}"),
        ("c.csv", 3, 3, "HS324", "warning", f"identifier '102' is also in row 3 of a.csv, {also}"),
    ], (reader, chunk_rows)


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_an_identifier_in_an_ignored_earlier_file_is_still_found_in_the_later_one(reader: str) -> None:
    # HS324 turned off for a.csv alone: its findings there are dropped, but a.csv's identifiers
    # are still what b.csv's rows are held to
    columns = _mappings("0-1", ("Name", "firstname"), ("Email", "email"))
    files = {"a.csv": "Name,Email\nAnn,ann@x.example\n", "b.csv": "Name,Email\nAnn,ANN@x.example\n"}
    request = {"name": "t", "files": [
        {"fileName": name, "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": columns}}
        for name in files]}
    for ignored in ("a.csv", "b.csv"):
        report = validate(request, files={n: io.BytesIO(t.encode()) for n, t in files.items()},
                          base_dir="/nonexistent",
                          config=Config(reader=reader, per_file_ignores={ignored: "HS324"}))
        found = [(f.file, f.row, f.column, f.code) for f in report.findings if f.code == "HS324"]
        assert found == ([("b.csv", 2, 2, "HS324")] if ignored == "a.csv" else []), (reader, ignored)


@pytest.mark.parametrize("reader", ["exact", "fast"])
@pytest.mark.parametrize("chunk_rows", [50_000, 1])
def test_a_common_column_key_in_any_file_of_the_owning_object_has_its_row(reader: str, chunk_rows: int) -> None:
    link = {"toColumnObjectTypeId": "0-1",
            "foreignKeyType": {"associationTypeId": 280, "associationCategory": "HUBSPOT_DEFINED"}}
    owner = _mappings("0-1", ("Name", "firstname"), ("Email", "email", {"associationIdentifierColumn": True}))
    files = {"a.csv": ("Name,Email\nAnn,ann@x.example\n", owner),
             "b.csv": ("Name,Email\nBo,bo@x.example\n", owner),
             "companies.csv": ("Domain,Email\na.example,ann@x.example\nb.example,BO@x.example\n"
                               "c.example,cy@x.example\n",
                               _mappings("0-2", ("Domain", "domain"), ("Email", None, link)))}
    report = _validate_csvs(files, Config(chunk_rows=chunk_rows, reader=reader))
    assert [(f.file, f.row, f.column, f.code, f.message) for f in report.findings if f.code == "HS314"] == [
        ("companies.csv", 4, 2, "HS314", "'cy@x.example' matches no contacts (0-1) row of a.csv or b.csv; the "
         "association works only if the record already exists in the account"),
    ], (reader, chunk_rows)


def test_common_column_keys_judged_as_read_leave_the_owning_key_sets_levels_unmerged(monkeypatch) -> None:
    """HS314 looks each chunk's new common-column keys up in the owning files' key sets level by
    level (``first_rows``), where ``find`` merged a set of a million contacts' emails into one
    level first, for nothing else needs it merged; the same findings."""
    merged = []
    merge = KeySet._merge

    def counted(self: KeySet, start: int = 0) -> None:
        if start == 0 and len(self.levels) > 1:
            merged.append(len(self))
        merge(self, start)
    monkeypatch.setattr(KeySet, "_merge", counted)
    monkeypatch.setattr(KeySet, "ratio", 0)  # every chunk's keys a level of their own, up to max_levels
    link = {"toColumnObjectTypeId": "0-1",
            "foreignKeyType": {"associationTypeId": 280, "associationCategory": "HUBSPOT_DEFINED"}}
    owner = _mappings("0-1", ("Email", "email"))
    files = {"contacts.csv": ("Email\n" + "".join(f"u{i}@x.example\n" for i in range(6)), owner),
             "companies.csv": ("Domain,Email\na.example,u1@x.example\nb.example,U5@x.example\n"
                               "c.example,cy@x.example\n",
                               _mappings("0-2", ("Domain", "domain"), ("Email", None, link)))}
    report = _validate_csvs(files, Config(chunk_rows=2, select=("HS314",)))
    assert [(f.file, f.row, f.column, f.code) for f in report.findings] == [("companies.csv", 4, 2, "HS314")]
    assert merged == []


@pytest.mark.parametrize("reader", ["exact", "fast"])
@pytest.mark.parametrize("fast", [False, True])
def test_an_email_in_another_unicode_form_is_a_warning_naming_the_earlier_row(
        reader: str, fast: bool, monkeypatch) -> None:
    # `josé` with its accent as one character (U+00E9) and as e and U+0301 look the same but
    # were compared as bytes: neither HS301 nor anything else reported them
    data = ("Email\n"
            "jos\u00e9@x.com\n"       # row 2: composed
            "jose\u0301@x.com\n"      # row 3: decomposed: row 2's address
            "jos\u00e9@x.com\n"       # row 4: row 2 byte for byte: HS301's
            "rene\u0301@x.com\n"      # row 5: decomposed first
            "ann@x.com\n"             # row 6
            "REN\u00c9@x.com\n"       # row 7: composed, another case: row 5's address
            "a\u1fefb@x.com\n"        # row 8: Greek varia, whose NFC form is the ASCII `
            "a`b@x.com\n"             # row 9: plain ASCII, row 8's address
            "jose\u0301@x.org\n").encode()  # row 10: another domain: no one's
    request = {"name": "t", "files": [{"fileName": "c.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": _mappings("0-1", ("Email", "email"))}}]}
    if fast:  # keys hashed with polars, as in a large import
        monkeypatch.setattr(engine, "LARGE_INPUT", 0)
    tail = ("in another Unicode form (an accent as its own character, or a letter written two ways): they "
            "look alike but their bytes differ; whether HubSpot takes them as one address is not documented")
    for chunk_rows in (50_000, 1, 2, 3):
        report = validate(request, files={"c.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                          config=Config(chunk_rows=chunk_rows, reader=reader))
        found = [(f.row, f.column, f.code, f.severity.label, f.message) for f in report.findings
                 if f.code in ("HS301", "HS325")]
        assert found == [
            (3, 1, "HS325", "warning", f"'jose\u0301@x.com' is the email of row 2 {tail}"),
            (4, 1, "HS301", "error", "identifier (email) 'jos\u00e9@x.com' repeats row 2"),
            (7, 1, "HS325", "warning", f"'REN\u00c9@x.com' is the email of row 5 {tail}"),
            (9, 1, "HS325", "warning", f"'a`b@x.com' is the email of row 8 {tail}"),
        ], chunk_rows


@pytest.mark.parametrize("reader", ["exact", "fast"])
@pytest.mark.parametrize("chunk_rows", [50_000, 1, 2])
def test_an_email_in_another_unicode_form_in_an_earlier_file_of_the_object_is_a_warning_naming_it(
        reader: str, chunk_rows: int) -> None:
    # HS325 compared the rows of one file: `jos\u00e9@x.com` in a.csv and `jose\u0301@x.com` in
    # b.csv, two contacts files of one import, passed (HS324 names byte-identical ones only)
    files = {"a.csv": "Email\njos\u00e9@x.com\nrene\u0301@x.com\na\u1fefb@x.com\nann@x.com\n",
             "b.csv": ("Email\n"
                       "bo@x.com\n"              # row 2
                       "JOSE\u0301@x.com\n"      # row 3: a.csv's row 2, decomposed, another case
                       "ren\u00e9@x.com\n"       # row 4: a.csv's row 3, composed
                       "rene\u0301@x.com\n"      # row 5: a.csv's row 3 byte for byte: HS324's (and row 4's form)
                       "jos\u00e9@X.com\n"       # row 6: a.csv's row 2 but for case (HS324), row 3's form
                       "a`b@x.com\n"             # row 7: a.csv's row 4's NFC form, all ASCII
                       "ren\u00e9@x.com\n"),     # row 8: b.csv's row 4 byte for byte: HS301's
             "c.csv": "Email\nbo@x.com\nann@x.com\n"}  # (all ASCII, no form of another)
    request = {"name": "t", "files": [
        {"fileName": name, "fileFormat": "CSV", "fileImportPage": {
            "hasHeader": True, "columnMappings": _mappings("0-1", ("Email", "email"))}} for name in files]}
    # (a.csv's forms count for b.csv where HS325 is ignored for a.csv: the rule still reads it)
    ignores = {"a.csv": ["HS325"]} if chunk_rows == 2 else {}
    report = validate(request, files={n: io.BytesIO(t.encode()) for n, t in files.items()}, base_dir="/nonexistent",
                      config=Config(chunk_rows=chunk_rows, reader=reader, per_file_ignores=ignores))
    tail = ("in another Unicode form (an accent as its own character, or a letter written two ways): they "
            "look alike but their bytes differ; whether HubSpot takes them as one address is not documented")
    also = "of a.csv, which imports the same object,"
    assert [(f.file, f.row, f.column, f.code, f.severity.label, f.message) for f in report.findings
            if f.code in ("HS301", "HS324", "HS325")] == [
        ("b.csv", 3, 1, "HS325", "warning", f"'JOSE\u0301@x.com' is the email of row 2 {also} {tail}"),
        ("b.csv", 4, 1, "HS325", "warning", f"'ren\u00e9@x.com' is the email of row 3 {also} {tail}"),
        ("b.csv", 5, 1, "HS324", "warning", "identifier 'rene\u0301@x.com' is also in row 3 of a.csv, which "
                                            "imports the same object: both rows name one record"),
        ("b.csv", 5, 1, "HS325", "warning", f"'rene\u0301@x.com' is the email of row 4 {tail}"),
        ("b.csv", 6, 1, "HS324", "warning", "identifier 'jos\u00e9@X.com' is also in row 2 of a.csv, which "
                                            "imports the same object: both rows name one record"),
        ("b.csv", 6, 1, "HS325", "warning", f"'jos\u00e9@X.com' is the email of row 3 {tail}"),
        ("b.csv", 7, 1, "HS325", "warning", f"'a`b@x.com' is the email of row 4 {also} {tail}"),
        ("b.csv", 8, 1, "HS301", "error", "identifier (email) 'ren\u00e9@x.com' repeats row 4"),
        ("c.csv", 2, 1, "HS324", "warning", "identifier 'bo@x.com' is also in row 2 of b.csv, which imports "
                                            "the same object: both rows name one record"),
        ("c.csv", 3, 1, "HS324", "warning", "identifier 'ann@x.com' is also in row 5 of a.csv, which imports "
                                            "the same object: both rows name one record"),
    ], (reader, chunk_rows)


@pytest.mark.parametrize("category", ["USER_DEFINED", "INTEGRATOR_DEFINED"])
def test_one_of_hubspots_own_association_ids_under_another_category_is_named(category: str) -> None:
    # USER_DEFINED 279 passed: 279 is HubSpot's own (HUBSPOT_DEFINED) contact-to-company type, and
    # custom labels' and apps' ids are their own
    report = _one_file("0-1", "Email,Company ID\na@x.com,501\n", ("Email", "email"), ("Company ID", None, {
        "columnType": "HUBSPOT_OBJECT_ID", "toColumnObjectTypeId": "0-2",
        "foreignKeyType": {"associationTypeId": 279, "associationCategory": category}}))
    assert [(f.code, f.row, f.column, f.pointer, f.severity.label, f.hubspot_error, f.message)
            for f in report.findings] == [
        ("HS328", None, None, "/files/0/fileImportPage/columnMappings/1/foreignKeyType/associationCategory", "warning",
         "INVALID_COLUMN_CONFIGURATION", f"association type 279 is HUBSPOT_DEFINED (contacts (0-1) to companies "
         f"(0-2)), but column 'Company ID' gives it as {category}, whose ids are the portal's or an app's own: "
         "write HUBSPOT_DEFINED, or the custom label's id")]


def test_a_portal_label_of_hubspots_id_under_its_own_category_passes(tmp_path: Path) -> None:
    # a portal snapshot that lists the id under the category given knows it as the portal's
    portal = tmp_path / "portal"
    shutil.copytree(ROOT / "fixtures" / "portal", portal)
    (portal / "associations" / "contacts" / "companies.json").write_text(json.dumps({"results": [
        {"category": "USER_DEFINED", "typeId": 279, "label": "Billing contact"}]}), encoding="utf-8")
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": _mappings("0-1", ("Email", "email"), ("Company ID", None, {
            "columnType": "HUBSPOT_OBJECT_ID", "toColumnObjectTypeId": "0-2",
            "foreignKeyType": {"associationTypeId": 279, "associationCategory": "USER_DEFINED"}}))}}]}
    report = validate(request, files={"data.csv": io.BytesIO(b"Email,Company ID\na@x.com,501\n")},
                      base_dir="/nonexistent", config=Config(portal=str(portal)))
    assert [f.code for f in report.findings if f.code in ("HS312", "HS328")] == []
