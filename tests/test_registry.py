"""The rule registry: every rule is documented, profiled, has cases, and names real errorTypes."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from tests.casefiles import CASES, load_cases
from tests.conftest import ROOT
from validator.catalog import builtin
from validator.checks import all_rules, find_rule
from validator.config import load_profile

RULES = all_rules()


def test_codes_are_unique_and_well_formed() -> None:
    assert len(RULES) >= 39
    for code, rule in RULES.items():
        assert re.fullmatch(r"HS\d{3}", code), code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_docstring_has_every_section(code: str) -> None:
    sections = RULES[code].sections()
    assert sections["summary"].endswith("."), code
    # the one-line summary (rules, README's table, SARIF) is the whole first sentence, not its first line
    assert RULES[code].summary() == " ".join(sections["summary"].split()), code
    for title in ("Why", "Example", "Fix"):
        assert sections.get(title), f"{code} lacks {title}"


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_has_failing_and_passing_case(code: str) -> None:
    assert (CASES / f"{code}.toml").exists(), f"fixtures/rules/{code}.toml is missing"
    cases = load_cases(code)
    assert any(c.get("expect") for c in cases), f"{code}: no case with findings"
    assert any(not c.get("expect") for c in cases), f"{code}: no case without findings"


def test_profile_lists_every_rule_once_with_its_severity() -> None:
    profile = load_profile()
    assert set(profile) == set(RULES)
    for code, entry in profile.items():
        assert entry["severity"] == RULES[code].severity.label, code
        assert isinstance(entry["enabled"], bool)


def test_hubspot_errors_are_real_error_types() -> None:
    known = set(builtin().error_types)
    assert "INCORRECT_NUMBER_OF_COLUMNS" in known
    for code, rule in RULES.items():
        if rule.hubspot_error is not None:
            assert rule.hubspot_error in known, f"{code}: {rule.hubspot_error}"


def test_every_error_type_has_its_meaning_and_preflight_verdict() -> None:
    catalog = builtin()
    assert list(catalog.error_about) == list(catalog.error_types)  # the fact sheet's 69, in one order
    assert len(catalog.error_types) == 69
    for name, about in catalog.error_about.items():
        assert about["meaning"] and about["version"], name
        assert about["preflight"][0] in "YPN", name
    assert catalog.error_about["UNKNOWN_ERROR"]["preflight"] == "N"
    assert catalog.error_about["COULD_NOT_PARSE_DATE"]["preflight"] == "Y"


def test_no_case_file_without_a_rule() -> None:
    for path in CASES.glob("HS*.toml"):
        assert path.stem in RULES, path.name
        with open(path, "rb") as fh:
            assert tomllib.load(fh)["case"]


def test_find_rule_by_code_and_name() -> None:
    assert find_rule("HS110") is RULES["HS110"]
    assert find_rule("ragged-row") is RULES["HS110"]
    assert find_rule("hs110") is RULES["HS110"]
    assert find_rule("no-such-rule") is None


def test_the_profile_and_rule_modules_are_read_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # each validate() parsed rules/default.toml and listed the rule modules' folder five times
    # over: a third of a small file's check
    import pkgutil

    import validator.config as config_module
    from validator import validate
    from validator.checks import families

    reads: list[str] = []
    listings: list[object] = []
    load, walk = config_module.load_toml, pkgutil.iter_modules
    monkeypatch.setattr(config_module, "load_toml", lambda name: reads.append(name) or load(name))
    monkeypatch.setattr(pkgutil, "iter_modules", lambda *a, **k: listings.append(a) or walk(*a, **k))
    load_profile.cache_clear()
    families.cache_clear()
    request = ROOT / "fixtures" / "examples" / "contacts" / "contacts.import.json"
    first, second = validate(request), validate(request)
    assert first.to_dict()["findings"] == second.to_dict()["findings"]
    assert reads == ["default.toml"] and len(listings) == 1
    with pytest.raises(TypeError):
        load_profile()["HS001"]["enabled"] = False  # type: ignore[index]  # shared: read-only


def test_each_shipped_toml_file_has_a_json_twin_of_its_data() -> None:
    # the twins are what a start reads (~1 ms against ~30 ms of TOML parsing): made from the TOML
    # as it is now (after editing one: python -m validator.catalog)
    import hashlib

    rules = ROOT / "rules"
    tomls = sorted(rules.glob("*.toml"))
    assert [t.name for t in tomls] == ["default.toml", "hubspot.toml"]
    for toml in tomls:
        twin = json.loads((rules / (toml.stem + ".json")).read_text(encoding="utf-8"))
        assert twin["sha256"] == hashlib.sha256(toml.read_bytes()).hexdigest(), \
            f"{toml.name} changed since its twin was written: run python -m validator.catalog"
        assert twin["data"] == tomllib.loads(toml.read_text(encoding="utf-8"))


def test_a_toml_file_edited_since_its_twin_was_written_is_read_itself(tmp_path: Path, monkeypatch) -> None:
    import hashlib

    from validator import catalog

    (tmp_path / "x.toml").write_text('a = 1\nb = ["c"]\n', encoding="utf-8")
    assert catalog.write_twins(tmp_path) == [tmp_path / "x.json"]
    monkeypatch.setattr(catalog, "_rules_file", lambda name: tmp_path / name)
    (tmp_path / "x.json").write_text(
        (tmp_path / "x.json").read_text(encoding="utf-8").replace('"a":1', '"a":2'), encoding="utf-8")
    assert catalog.load_toml("x.toml") == {"a": 2, "b": ["c"]}  # (the twin's data, where its hash matches)
    (tmp_path / "x.toml").write_text('a = 3\nb = ["c"]\n', encoding="utf-8")
    assert catalog.load_toml("x.toml") == {"a": 3, "b": ["c"]}  # edited: the TOML itself
    (tmp_path / "x.json").write_text("{not json", encoding="utf-8")
    assert catalog.load_toml("x.toml") == {"a": 3, "b": ["c"]}
    digest = hashlib.sha256((tmp_path / "x.toml").read_bytes()).hexdigest()
    (tmp_path / "x.json").write_text(json.dumps({"sha256": digest}), encoding="utf-8")  # (no data)
    assert catalog.load_toml("x.toml") == {"a": 3, "b": ["c"]}
    (tmp_path / "x.json").unlink()
    assert catalog.load_toml("x.toml") == {"a": 3, "b": ["c"]}
