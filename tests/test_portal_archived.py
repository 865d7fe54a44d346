"""Archived properties, owners, pipelines and stages and hidden options of a portal snapshot
(README, "Portal snapshots"): a value that matches only one of them, or a column mapped to an
archived property, is a warning (HS247); one that also matches an active item is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ROOT
from validator import Config, validate
from validator.cli import main
from validator.findings import Report, ValidatorError
from validator.portal import load_portal, snapshot_files

PORTAL = str(ROOT / "fixtures" / "portal-archived")
GAP = "what HubSpot's import does with one is not documented"
SHARED = ("whether HubSpot's import counts archived users when it matches a name is not documented (if it "
          "does, the row fails as a name of several users)")


def _import(folder: Path, obj: str, header: str, rows: list[str], props: list[str]) -> Path:
    (folder / "data.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    request = {"name": "x", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [{"columnName": c, "columnObjectTypeId": obj, "propertyName": p}
                                              for c, p in zip(header.split(","), props, strict=True)]}}]}
    path = folder / "import.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    return path


def _found(report: Report, *codes: str) -> list[tuple[int | None, int | None, str | None, str, str]]:
    return [(f.row, f.column, f.pointer, f.code, f.message) for f in report.findings if f.code in codes]


def test_the_loader_reads_archived_and_hidden_items() -> None:
    portal = load_portal(PORTAL)
    assert [(o.id, o.archived) for o in portal.owners or ()] == [("201", False), ("202", True), ("203", True)]
    assert [(p.name, p.archived) for p in portal.properties["0-1"]][2] == ("old_score", True)
    assert [(o.value, o.hidden) for o in portal.properties["0-1"][1].options] == [("gold", False), ("silver", True)]
    assert [(p.id, p.archived, [(s.id, s.archived) for s in p.stages]) for p in portal.pipelines["0-3"]] == [
        ("default", False, [("open", False), ("legacy", True), ("won", False)]),
        ("old", True, [("won", False), ("parked", False)])]


def test_the_loader_reads_the_archived_owners_saved_beside_the_active_ones(tmp_path: Path) -> None:
    # `GET /crm/v3/owners?archived=true` lists the deactivated users only, and the loader read
    # owners.json alone: a snapshot had either the active users or the deactivated ones
    portal = tmp_path / "portal"
    portal.mkdir()
    (portal / "owners.json").write_text(json.dumps({"results": [
        {"id": "201", "email": "ann.lee@example.com", "firstName": "Ann", "lastName": "Lee", "archived": False}]}))
    archived = portal / "owners-archived.json"
    archived.write_text(json.dumps({"results": [  # (the body as saved: each user archived, whatever it says)
        {"id": "203", "email": "ann.lee@old-agency.example", "firstName": "Ann", "lastName": "Lee"},
        {"id": "202", "email": "sam@old-agency.example", "firstName": "Sam", "lastName": "Old", "archived": True},
        {"id": "201", "email": "ann.lee@example.com", "firstName": "Ann", "lastName": "Lee"}]}))
    assert [(o.id, o.archived) for o in load_portal(portal).owners or ()] == [
        ("201", False), ("203", True), ("202", True)]
    assert archived in snapshot_files(portal)  # an input: a report written never replaces it
    rows = ["a@x.example,Ann Lee", "b@x.example,sam@old-agency.example", "c@x.example,201"]
    report = validate(_import(tmp_path, "0-1", "Email,Owner", rows, ["email", "hubspot_owner_id"]),
                      config=Config(portal=str(portal)))
    assert _found(report, "HS247", "HS236", "HS237") == [
        (2, 2, None, "HS247", "'Ann Lee' is the name of an active user (ann.lee@example.com) and of 1 archived "
                              f"user (ann.lee@old-agency.example) in the portal snapshot; {SHARED}"),
        (3, 2, None, "HS247", f"'sam@old-agency.example' is an archived user in the portal snapshot; {GAP}")]
    (portal / "owners.json").unlink()  # alone it says nothing of the active users: every owner cell unknown
    with pytest.raises(ValidatorError) as refused:
        load_portal(portal)
    assert str(refused.value) == (f"portal snapshot {archived}: needs owners.json beside it "
                                  "(GET /crm/v3/owners: the active users)")


def test_an_owner_matching_only_an_archived_user(tmp_path: Path) -> None:
    rows = ["a@x.example,sam@old-agency.example", "b@x.example,202", "c@x.example,Ann Lee",
            "d@x.example,201", "e@x.example,Sam Old", "f@x.example,nobody@x.example", "g@x.example,"]
    report = validate(_import(tmp_path, "0-1", "Email,Owner", rows, ["email", "hubspot_owner_id"]),
                      config=Config(portal=PORTAL))
    # Ann Lee is an active user and an archived one (HS247, naming both); nobody@ is no user at all (HS236)
    assert _found(report, "HS247", "HS236", "HS237") == [
        (2, 2, None, "HS247", f"'sam@old-agency.example' is an archived user in the portal snapshot; {GAP}"),
        (3, 2, None, "HS247", f"'202' is an archived user in the portal snapshot; {GAP}"),
        (4, 2, None, "HS247", "'Ann Lee' is the name of an active user (ann.lee@example.com) and of 1 archived "
                              f"user (ann.lee@old-agency.example) in the portal snapshot; {SHARED}"),
        (6, 2, None, "HS247", f"'Sam Old' is an archived user in the portal snapshot; {GAP}"),
        (7, 2, None, "HS236", "'nobody@x.example' is no user's email, owner ID or name")]
    assert all(f.severity is not None and f.severity.label == "warning" for f in report.findings if f.code == "HS247")


def test_a_name_an_active_user_shares_with_archived_ones_is_a_warning_naming_them(tmp_path: Path) -> None:
    # `Ann Lee`, one active and one archived user, was HS237's error, "the name of several users",
    # naming neither: whether the import counts deactivated users by name is not documented. A
    # name of several active users stays HS237's; one of archived users only is HS247's alone
    owners = [("1", "ann@x.example", "Ann", "Lee", False), ("2", "", "Ann", "Lee", True),
              ("3", "ann@old.example", "Ann", "Lee", True), ("4", "alex@x.example", "Alex", "Kim", False),
              ("5", "alex.k@x.example", "Alex", "Kim", False), ("6", "alex@old.example", "Alex", "Kim", True),
              ("7", "cy@old.example", "Cy", "Wu", True), ("8", "cy.w@old.example", "Cy", "Wu", True),
              ("9", "bo@x.example", "Bo", "Ng", False)]
    portal = tmp_path / "portal"
    portal.mkdir()
    (portal / "owners.json").write_text(json.dumps({"results": [
        {"id": i, "email": e, "firstName": f, "lastName": la, "archived": a} for i, e, f, la, a in owners]}))
    rows = ["a@x.example,ann  LEE", "b@x.example,Alex Kim", "c@x.example,Cy Wu", "d@x.example,ann@x.example",
            "e@x.example,Bo Ng", "f@x.example,3"]
    report = validate(_import(tmp_path, "0-1", "Email,Owner", rows, ["email", "hubspot_owner_id"]),
                      config=Config(portal=str(portal)))
    assert [(f.row, f.column, f.code, f.severity.label if f.severity else None, f.hubspot_error, f.message)
            for f in report.findings if f.code in ("HS236", "HS237", "HS247")] == [
        (2, 2, "HS247", "warning", "MULTIPLE_OWNERS_FOUND", "'ann  LEE' is the name of an active user "
                                   f"(ann@x.example) and of 2 archived users (2, ann@old.example) in the portal "
                                   f"snapshot; {SHARED}"),
        (3, 2, "HS237", "error", "MULTIPLE_OWNERS_FOUND", "'Alex Kim' is the name of several users"),
        (4, 2, "HS247", "warning", None, f"'Cy Wu' is an archived user in the portal snapshot; {GAP}"),
        (7, 2, "HS247", "warning", None, f"'3' is an archived user in the portal snapshot; {GAP}")]


def test_a_hidden_option_and_an_archived_property(tmp_path: Path) -> None:
    rows = ["a@x.example,silver,1", "b@x.example,gold;Silver,", "c@x.example,gold,", "d@x.example,bronze,"]
    report = validate(_import(tmp_path, "0-1", "Email,Plan,Score", rows, ["email", "plan", "old_score"]),
                      config=Config(portal=PORTAL))
    hidden = f"matches only a hidden option of plan in the portal snapshot; {GAP}"
    assert _found(report, "HS247", "HS208") == [
        (None, None, "/files/0/fileImportPage/columnMappings/2/propertyName", "HS247",
         f"'old_score' is an archived property in the portal snapshot; {GAP}"),
        (2, 2, None, "HS247", f"'silver' {hidden}"),
        (3, 2, None, "HS247", f"'gold;Silver' {hidden}"),
        (5, 2, None, "HS208", "'bronze' is not an option of plan (gold, silver); "
                              "HubSpot imports the record and leaves plan empty")]


def test_an_archived_stage_or_pipeline(tmp_path: Path) -> None:
    rows = ["A,default,legacy", "B,default,open", "C,old,won", "D,Old Pipeline,parked", "E,default,won"]
    deals = _import(tmp_path, "0-3", "Deal Name,Pipeline,Stage", rows, ["dealname", "pipeline", "dealstage"])
    report = validate(deals, config=Config(portal=PORTAL))
    stage = f"matches only an archived stage (or a stage of an archived pipeline) in the portal snapshot; {GAP}"
    pipe = f"matches only an archived pipeline in the portal snapshot; {GAP}"
    # won is a stage of the active pipeline too
    assert _found(report, "HS247") == [(2, 3, None, "HS247", f"'legacy' {stage}"),
                                       (4, 2, None, "HS247", f"'old' {pipe}"),
                                       (5, 2, None, "HS247", f"'Old Pipeline' {pipe}"),
                                       (5, 3, None, "HS247", f"'parked' {stage}")]


def test_the_loader_reads_the_archived_properties_saved_beside_the_active_ones(tmp_path: Path) -> None:
    # `GET /crm/v3/properties/{object}?archived=true` lists the archived properties only, and the
    # loader read properties/<object>.json alone: a column mapped to an archived property was an
    # unknown property's error, not HS247's warning, in a snapshot saved as README said
    portal = tmp_path / "portal"
    (portal / "properties").mkdir(parents=True)
    (portal / "properties-archived").mkdir()
    (portal / "properties" / "contacts.json").write_text(json.dumps({"results": [
        {"name": "email", "label": "Email", "type": "string", "fieldType": "text"}]}))
    archived = portal / "properties-archived" / "contacts.json"
    archived.write_text(json.dumps({"results": [  # (the body as saved: each property archived, whatever it says)
        {"name": "old_score", "label": "Old score", "type": "number", "fieldType": "number"},
        {"name": "legacy_tier", "label": "Legacy tier", "type": "string", "fieldType": "text", "archived": True},
        {"name": "email", "label": "Email", "type": "string", "fieldType": "text"}]}))
    assert [(p.name, p.archived) for p in load_portal(portal).properties["0-1"]] == [
        ("email", False), ("old_score", True), ("legacy_tier", True)]
    assert archived in snapshot_files(portal)  # an input: a report written never replaces it
    report = validate(_import(tmp_path, "0-1", "Email,Score", ["a@x.example,1"], ["email", "old_score"]),
                      config=Config(portal=str(portal)))
    assert [(f.row, f.column, f.pointer, f.code, f.severity.label, f.message) for f in report.findings
            if f.code == "HS247" or (f.pointer or "").endswith("/propertyName")] == [
        (None, None, "/files/0/fileImportPage/columnMappings/1/propertyName", "HS247", "warning",
         f"'old_score' is an archived property in the portal snapshot; {GAP}")]
    (portal / "properties" / "contacts.json").unlink()  # alone it says nothing of the active properties
    with pytest.raises(ValidatorError) as refused:
        load_portal(portal)
    assert str(refused.value) == (f"portal snapshot {archived}: needs properties/contacts.json beside it "
                                  "(GET /crm/v3/properties/contacts: the active properties)")


_BODY = {"results": [{"name": "email", "label": "Email", "type": "string", "fieldType": "text"}]}


@pytest.mark.parametrize(("folder", "first", "second", "objects"), [
    ("properties", "0-1.json", "contacts.json", "0-1"),
    ("properties-archived", "0-1.json", "contacts.json", "0-1"),
    ("pipelines", "0-3.json", "deals.json", "0-3"),
    ("associations", "0-1/0-2.json", "contacts/companies.json", "0-1 to 0-2"),
])
def test_two_files_for_one_object_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], folder: str,
                                              first: str, second: str, objects: str) -> None:
    # a file named by id and one named by name for one object were both read, the one read last
    # winning silently: which body is the account's is not known, so the snapshot is refused
    portal = tmp_path / "portal"
    for name in (first, second):
        (portal / folder / name).parent.mkdir(parents=True, exist_ok=True)
        (portal / folder / name).write_text(json.dumps(_BODY if folder.startswith("properties") else {"results": []}))
    if folder == "properties-archived":  # read with the active properties, as always
        (portal / "properties").mkdir()
        (portal / "properties" / "contacts.json").write_text(json.dumps(_BODY))
    with pytest.raises(ValidatorError) as refused:
        load_portal(portal)
    assert str(refused.value) == (f"portal snapshot {portal / folder / second}: {folder}/{first} is a file for "
                                  f"the same object ({objects}): keep one of the two")
    request = _import(tmp_path, "0-1", "Email", ["a@x.example"], ["email"])
    with pytest.raises(SystemExit) as exited:
        main(["check", str(request), "--portal", str(portal)])
    assert (exited.value.code, capsys.readouterr().err) == (2, f"hubspot-preflight: error: {refused.value}\n")
    (portal / folder / first).unlink()  # one file: read as before
    load_portal(portal)


def test_several_users_in_one_cell_name_the_shared_names_and_the_unknown_users_once(tmp_path: Path) -> None:
    # a cell of deal collaborators with a name one active user shares with an archived one
    # crashed (KeyError: the message looked the whole cell up as one name); HS237 said the whole
    # cell was "the name of several users"; a user given twice was named twice
    owners = [("1", "ann@x.example", "Ann", "Lee", False), ("2", "ann@old.example", "Ann", "Lee", True),
              ("4", "alex@x.example", "Alex", "Kim", False), ("5", "alex.k@x.example", "Alex", "Kim", False)]
    portal = tmp_path / "portal"
    (portal / "properties").mkdir(parents=True)
    (portal / "owners.json").write_text(json.dumps({"results": [
        {"id": i, "email": e, "firstName": f, "lastName": la, "archived": a} for i, e, f, la, a in owners]}))
    (portal / "properties" / "deals.json").write_text(json.dumps({"results": [
        {"name": "dealname", "label": "Deal name", "type": "string", "fieldType": "text"},
        {"name": "hs_all_collaborator_owner_ids", "label": "Deal collaborator", "type": "enumeration",
         "fieldType": "checkbox", "options": [], "referencedObjectType": "OWNER", "externalOptions": True}]}))
    rows = ["A,Ann Lee;1", "B,4; ann lee", "C,1;Alex Kim", "D,zz;zz;1", "E,Ann Lee", "F,Alex Kim"]
    request = _import(tmp_path, "0-3", "Name,Collaborators", rows, ["dealname", "hs_all_collaborator_owner_ids"])
    report = validate(request, config=Config(portal=str(portal)))
    shared = "the name of an active user (ann@x.example) and of 1 archived user (ann@old.example)"
    assert [(f.row, f.column, f.code, f.message) for f in report.findings
            if f.code in ("HS236", "HS237", "HS247")] == [
        (2, 2, "HS247", f"'Ann Lee;1' names 'Ann Lee', {shared} in the portal snapshot; {SHARED}"),
        (3, 2, "HS247", f"'4; ann lee' names 'ann lee', {shared} in the portal snapshot; {SHARED}"),
        (4, 2, "HS237", "'1;Alex Kim' names 'Alex Kim', the name of several users"),
        (5, 2, "HS236", "'zz;zz;1' names 'zz', no user's email, owner ID or name"),
        (6, 2, "HS247", f"'Ann Lee' is {shared} in the portal snapshot; {SHARED}"),
        (7, 2, "HS237", "'Alex Kim' is the name of several users")]
