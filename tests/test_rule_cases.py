"""Every rule's case file: exact locations of its findings, failing and passing cases."""

from __future__ import annotations

import pytest

from tests.casefiles import all_case_ids, load_cases, run_case


@pytest.mark.parametrize(("code", "index"), all_case_ids(), ids=lambda v: str(v))
def test_case(code: str, index: int, tmp_path) -> None:
    case = load_cases(code)[index]
    found = run_case(code, case, tmp_path)
    assert found == sorted(case.get("expect", [])), case.get("name")
