"""A large portal snapshot costs its size once, not once per chunk (README, "Hostile inputs"):
a property of many options, a snapshot of many users, a big body scanned for lone surrogates.
Each test counts the work (texts folded, strings searched) rather than timing it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from validator import Config, formats, portal, validate
from validator.findings import Report
from validator.formats import arrays, options


def _found(report: Report) -> list[tuple[int | None, int | None, str]]:
    return [(f.row, f.column, f.code) for f in report.findings]


def _request(folder: Path, header: str, rows: list[str], mappings: list[dict[str, Any]], obj: str) -> Path:
    (folder / "data.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    request = {"name": "big portal", "files": [{"fileName": "data.csv", "fileFormat": "CSV", "fileImportPage": {
        "hasHeader": True, "columnMappings": [{"columnObjectTypeId": obj, **m} for m in mappings]}}]}
    path = folder / "data.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    return path


@pytest.fixture
def folded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of texts each ``fold_texts`` call folds, wherever it is called from."""
    sizes: list[int] = []
    real = arrays.fold_texts

    def counting(texts: Iterable[str]) -> list[str]:
        out = real(texts)
        sizes.append(len(out))
        return out
    monkeypatch.setattr(formats, "fold_texts", counting)
    monkeypatch.setattr(options, "fold_texts", counting)
    return sizes


def test_a_property_of_many_options_is_folded_once_not_per_chunk_and_option(tmp_path: Path,
                                                                            folded: list[int]) -> None:
    # HS210's message folded each option on its own, in every chunk whether or not a cell needed
    # it (100,000 options: 1.3 s a chunk), and HS208/HS210 folded the option set again per chunk
    n = 2_000
    snapshot = tmp_path / "portal"
    (snapshot / "properties").mkdir(parents=True)
    plan = {"name": "plan", "label": "Plan", "type": "enumeration", "fieldType": "select",
            "options": [{"label": f"Plan {i}", "value": f"plan_{i}"} for i in range(n)]}
    (snapshot / "properties" / "contacts.json").write_text(json.dumps({"results": [
        {"name": "email", "label": "Email", "type": "string", "fieldType": "text"}, plan]}), encoding="utf-8")
    cells = ["plan_7", "PLAN_8", "nope", "Plan 9"] * 5
    request = _request(tmp_path, "Email,Plan", [f"a{i}@example.com,{c}" for i, c in enumerate(cells)],
                       [{"columnName": "Email", "propertyName": "email"},
                        {"columnName": "Plan", "propertyName": "plan"}], "0-1")
    report = validate(request, config=Config(portal=str(snapshot), chunk_rows=4))
    assert sorted(_found(report)) == sorted([(r, 2, "HS210") for r in range(3, 22, 4)]
                                            + [(r, 2, "HS208") for r in range(4, 22, 4)])
    assert {f.message for f in report.findings if f.code == "HS210"} == {
        "'PLAN_8' matches an option of plan ('plan_8') only ignoring case"}
    # 5 chunks: the 4,000 labels and values are folded once for the set and once for HS210's
    # message (whose first finding needs them), not 4,000 one-text calls a chunk
    assert sum(size for size in folded if size >= n) <= 2 * 2 * n
    assert sum(1 for size in folded if size == 1) < 50


def test_a_snapshot_of_many_users_is_read_into_lookups_once(tmp_path: Path, folded: list[int]) -> None:
    # every chunk and every rule folded every user's name and email again, and Arrow hashed the
    # whole list in each lookup (1,000,000 users: 19 s of CPU for 300,000 rows, 6 s now)
    n = 20_000
    snapshot = tmp_path / "portal"
    snapshot.mkdir()
    users = [{"id": str(i), "email": f"u{i}@example.com", "firstName": "User", "lastName": str(i)}
             for i in range(n)]
    users += [{"id": "a1", "email": "alex1@example.com", "firstName": "Alex", "lastName": "Kim"},
              {"id": "a2", "email": "alex2@example.com", "firstName": "Alex", "lastName": "Kim"}]
    (snapshot / "owners.json").write_text(json.dumps({"results": users}), encoding="utf-8")
    cells = ["u7@example.com", "nobody@example.com", "Alex Kim", "123", "User 19999"] * 4
    request = _request(tmp_path, "Deal Name,Owner", [f"Deal {i},{c}" for i, c in enumerate(cells)],
                       [{"columnName": "Deal Name", "propertyName": "dealname"},
                        {"columnName": "Owner", "propertyName": "hubspot_owner_id"}], "0-3")
    report = validate(request, config=Config(portal=str(snapshot), chunk_rows=3,
                                             select=("HS236", "HS237", "HS247")))
    assert sorted(_found(report)) == sorted([(r, 2, "HS236") for r in range(3, 22, 5)]
                                            + [(r, 2, "HS237") for r in range(4, 22, 5)])
    # 7 chunks, 3 rules: each list of names and emails (all users, then the active ones) once
    assert sum(size for size in folded if size >= n) <= 4 * (n + 2)


def test_a_snapshot_body_is_walked_for_lone_surrogates_only_when_its_text_escapes_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # UTF-8 cannot hold a surrogate: only a \ud800-\udfff escape makes one, and a body without
    # such an escape was walked string by string all the same (1,000,000 users: 2.5 s)
    searched: list[str] = []
    real = portal._SURROGATE

    class Counting:
        def search(self, text: str) -> Any:
            searched.append(text)
            return real.search(text)
    monkeypatch.setattr(portal, "_SURROGATE", Counting())
    snapshot = tmp_path / "portal"
    snapshot.mkdir()
    users = [{"id": str(i), "email": f"u{i}@example.com", "firstName": "Zoë \\ud83d\\ude00"} for i in range(50)]
    (snapshot / "owners.json").write_text(json.dumps({"results": users}).replace("\\\\", "\\"), encoding="utf-8")
    loaded = portal.load_portal(snapshot)
    assert loaded.owners is not None and loaded.owners[0].name.startswith("Zoë \U0001F600")
    # the pair escapes one emoji, a surrogate escape: walked, nothing found
    assert len(searched) > 50
    searched.clear()
    (snapshot / "owners.json").write_text(json.dumps({"results": users}).replace("\\\\ud83d\\\\ude00", ""),
                                          encoding="utf-8")
    assert len(portal.load_portal(snapshot).owners or ()) == 50
    assert searched == []
    (snapshot / "owners.json").write_text('{"results": [{"id": "1", "email": "a@b.co", "firstName": "\\udc00"}]}',
                                          encoding="utf-8")
    with pytest.raises(portal.ValidatorError, match=r"lone surrogate \(\\udc00\)"):
        portal.load_portal(snapshot)
