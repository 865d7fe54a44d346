"""Every rule's case file: exact locations of its findings, failing and passing cases; and every
errorType a finding names is one its rule declares (``hubspot_error`` or ``other_errors``)."""

from __future__ import annotations

import pytest

from tests.casefiles import all_case_ids, case_report, load_cases
from validator.checks import all_rules
from validator.report.text import location

RULES = all_rules()


def declared(code: str) -> set[str | None]:
    rule = RULES[code]
    return {rule.hubspot_error, *rule.other_errors}


@pytest.mark.parametrize(("code", "index"), all_case_ids(), ids=lambda v: str(v))
def test_case(code: str, index: int, tmp_path) -> None:
    case = load_cases(code)[index]
    report = case_report(case, tmp_path)
    found = sorted(location(f) for f in report.findings if f.code == code)
    assert found == sorted(case.get("expect", [])), case.get("name")
    # explain-errors and the rule table name a rule under the errorTypes it declares: a finding
    # naming another would be explained as predicted by no rule
    undeclared = {(f.code, f.hubspot_error) for f in report.findings
                  if f.hubspot_error is not None and f.hubspot_error not in declared(f.code)}
    assert undeclared == set(), case.get("name")


@pytest.mark.parametrize("code", sorted(c for c, r in RULES.items() if r.other_errors))
def test_other_errors_are_named_by_a_case(code: str, tmp_path) -> None:
    """Each errorType a rule declares besides its own is one a finding of its cases names."""
    named: set[str | None] = set()
    for index, case in enumerate(load_cases(code)):
        (tmp_path / str(index)).mkdir()
        named |= {f.hubspot_error for f in case_report(case, tmp_path / str(index)).findings if f.code == code}
    assert set(RULES[code].other_errors) <= named
