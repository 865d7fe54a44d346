"""One record in several rows of a file with several objects (HS329): the rows must agree."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_csv_import
from validator import Config, validate

DEALS = [("Deal Name", "0-3", "dealname"), ("Pipeline", "0-3", "pipeline"), ("Deal Stage", "0-3", "dealstage")]




def _found(request: Path, **config: object) -> list[tuple[int | None, int | None, str]]:
    report = validate(request, config=Config(**config))  # type: ignore[arg-type]
    return [(f.row, f.column, f.message) for f in report.findings if f.code == "HS329"]


def test_a_contact_beside_two_deals_with_another_name_is_named_at_its_cell(tmp_path: Path) -> None:
    request = write_csv_import(tmp_path, [("Email", "0-1", "email"), ("First Name", "0-1", "firstname"), *DEALS], [
        ["ann@x.com", "Ann", "Platform", "default", "closedwon"],
        ["ann@x.com", "Ann", "Seats", "default", "closedwon"],
        ["Ann@x.com", "Anne", "Renewal", "default", "closedwon"]])
    assert _found(request) == [
        (4, 2, "'Anne' is not the 'First Name' row 2 gives contacts (0-1) record 'Ann@x.com' ('Email'): HubSpot "
               "writes one record from both rows, and only one of the values remains")]


def test_blank_cells_and_appended_options_are_no_other_value(tmp_path: Path) -> None:
    """A blank cell leaves the record's value alone, and `;x` adds an option ([V] S6)."""
    columns = [("Email", "0-1", "email"), ("First Name", "0-1", "firstname"), ("Last Name", "0-1", "lastname"),
               ("Lead Status", "0-1", "hs_lead_status"), *DEALS]
    rows = [["ann@x.com", "Ann", "", "NEW", "Platform", "default", "closedwon"],
            ["ann@x.com", "", "Lee", "", "Seats", "default", "closedwon"],
            ["ann@x.com", " Ann ", "Lee", "NEW", "Renewal", "default", "closedwon"]]
    assert _found(write_csv_import(tmp_path, columns, rows)) == []


def test_options_added_to_a_multiple_checkbox_are_no_other_value(tmp_path: Path) -> None:
    """`;x` adds an option to a ticket's categories ([V] S6); a cell without the `;` replaces them."""
    columns = [("Ticket ID", "0-5", "hs_object_id"), ("Category", "0-5", "hs_ticket_category"),
               ("Email", "0-1", "email")]
    rows = [["101", "BILLING_ISSUE", "ann@x.com"], ["101", ";PRODUCT_ISSUE", "ann@x.com"],
            ["101", "GENERAL_INQUIRY", "bo@x.com"]]
    assert [(r, c) for r, c, _ in _found(write_csv_import(tmp_path, columns, rows))] == [(4, 2)]


def test_a_record_with_a_record_id_is_told_by_it(tmp_path: Path) -> None:
    """A contact with a Record ID and an email: told by the Record ID, as HubSpot matches it; the
    differing phone is reported once, and another email for the same Record ID is a difference."""
    columns = [("Record ID", "0-1", "hs_object_id"), ("Email", "0-1", "email"), ("Phone", "0-1", "phone"),
               ("Company", "0-2", "name"), ("Domain", "0-2", "domain")]
    rows = [["101", "ann@x.com", "+1 555 0100", "Acme", "acme.example"],
            ["101", "ann@x.com", "+1 555 0199", "Acme", "acme.example"],
            ["101", "ann.lee@x.com", "+1 555 0100", "Acme", "acme.example"]]
    found = _found(write_csv_import(tmp_path, columns, rows))
    assert [(r, c) for r, c, _ in found] == [(3, 3), (4, 2)]


def test_findings_are_the_same_whatever_the_chunk_size(tmp_path: Path) -> None:
    columns = [("Email", "0-1", "email"), ("First Name", "0-1", "firstname"), ("Company", "0-2", "name"),
               ("Domain", "0-2", "domain"), *DEALS]
    rows = [[f"p{i % 5}@x.com", f"N{i % 7}", f"C{i % 3}", f"c{i % 4}.example", f"D{i}", "default", "closedwon"]
            for i in range(40)]
    request = write_csv_import(tmp_path, columns, rows)
    whole = _found(request)
    assert whole and _found(request, chunk_rows=1) == whole == _found(request, chunk_rows=7)


def test_a_findings_key_is_its_record_whichever_row_comes_later(tmp_path: Path) -> None:
    """The finding is on the later of two rows giving a record two values; it was keyed by that
    row's record key, here another contact's email in each row (email:ann@x.com, email:bo@x.com),
    so a re-sort that put the other row later gave it another key: it is keyed by the record's
    identifier as compared (a domain's host), whichever row comes later; three values of one
    record make two findings with one key."""
    columns = [("Email", "0-1", "email"), ("Company", "0-2", "name"), ("Domain", "0-2", "domain")]
    rows = [["ann@x.com", "Acme", "acme.example"], ["bo@x.com", "Acme Inc", "https://www.ACME.example/about"],
            ["cy@x.com", "Globex", "globex.example"]]

    def keys(rows: list[list[str]]) -> list[tuple]:
        report = validate(write_csv_import(tmp_path, columns, rows), config=Config(select=("HS329",)))
        return [(f.row, f.column, f.code, f.key) for f in report.findings]

    assert keys(rows) == keys([rows[1], rows[0], rows[2]]) == [(3, 2, "HS329", "value:acme.example")]
    rows.append(["dee@x.com", "ACME", "acme.example"])
    acme = "value:acme.example"
    assert [keys(rows), keys(rows[::-1])] == [[(3, 2, "HS329", acme), (5, 2, "HS329", acme)],
                                              [(4, 2, "HS329", acme), (5, 2, "HS329", acme)]]
