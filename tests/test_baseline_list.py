"""A baseline given to ``validate`` as a list of entries (``Config(baseline=[...])``): with no
file, and so no folder, of its own, an entry names its import by the request's path from the
working folder (README, "Accepted findings (baseline)")."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from validator import Config, validate

DEALS = ROOT / "fixtures" / "examples" / "deals"
# the first HS208 of the deals import: row 2, column 2 (Pipeline)
ENTRY = {"file": "deals.csv", "code": "HS208", "key": "row:ef89a3e279d2644f", "column": "Pipeline"}


def _found(request: Any, entries: list[dict[str, Any]], **kwargs: Any) -> list[tuple[int | None, int | None, str]]:
    report = validate(request, config=Config(baseline=entries, select=["HS208", "HS901"]), **kwargs)
    return [(f.row, f.column, f.code) for f in report.findings]


ALL = [(2, 2, "HS208"), (4, 2, "HS208"), (4, 7, "HS208")]
ACCEPTED = ALL[1:]


@pytest.fixture
def imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The deals import in ``imports/``, the working folder its parent."""
    (tmp_path / "imports").mkdir()
    for f in ("deals.import.json", "deals.csv"):
        shutil.copy(DEALS / f, tmp_path / "imports" / f)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "imports"


def test_a_listed_entry_names_its_import_from_the_working_folder(imports: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    named = [{**ENTRY, "request": "imports/deals.import.json"}]
    request = imports / "deals.import.json"
    assert _found("imports/deals.import.json", named) == ACCEPTED
    assert _found(request, named) == ACCEPTED  # (however the request is given)
    # from another folder the same entry names another import: it accepts nothing, nor is it stale
    monkeypatch.chdir(imports)
    assert _found(request, named) == ALL
    assert _found(request, [{**ENTRY, "request": "deals.import.json"}]) == ACCEPTED
    # an entry that names no import accepts the finding in any import with that fileName
    assert _found(request, [ENTRY]) == ACCEPTED
    # a stale entry of this import is reported where the baseline is: "baseline"
    report = validate(request, config=Config(baseline=[{**ENTRY, "request": "deals.import.json", "key": "row:0"}],
                                             select=["HS208", "HS901"]))
    assert [(f.file, f.pointer, f.code) for f in report.findings if f.row is None] == [
        ("baseline", "/entries/0", "HS901")]


def test_a_listed_entry_names_a_request_given_as_data_by_its_name(imports: Path) -> None:
    data = (imports / "deals.import.json").read_bytes()
    assert _found(data, [{**ENTRY, "request": "<request>"}], base_dir=imports) == ACCEPTED
    assert _found(data, [{**ENTRY, "request": "deals"}], base_dir=imports, request_name="deals") == ACCEPTED
    assert _found(data, [{**ENTRY, "request": "imports/deals.import.json"}], base_dir=imports) == ALL
