"""HS220: month names and abbreviations of other languages (and English `Sept`), against HS201."""

from __future__ import annotations

import io

import pytest

from validator import Config, validate
from validator.catalog import builtin
from validator.formats.dates import FOREIGN_MONTHS

FACTS = builtin().raw["formats"]
FOREIGN = ("names its month otherwise than by its English name or 3-letter abbreviation; it is a "
           "DAY_MONTH_YEAR date once that is read as its month, but HubSpot documents English names, "
           "3-letter abbreviations and numbers only, and whether it reads others is not documented")


def _request() -> dict:
    return {"name": "x", "dateFormat": "DAY_MONTH_YEAR", "files": [{
        "fileName": "contacts.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnName": "Close", "columnObjectTypeId": "0-1", "propertyName": "closedate"},
            {"columnName": "Email", "columnObjectTypeId": "0-1", "propertyName": "email"}]}}]}


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_a_month_abbreviated_in_another_language_is_a_warning_not_an_unparseable_date(reader: str) -> None:
    # `5/janv/2024`, `5/dic/2024` and English `5/Sept/2024` were HS201's errors while `5/janvier/2024`
    # was HS220's warning: HubSpot documents English names and 3-letter abbreviations ([V] S6), and
    # says nothing of the others ([GAP]), abbreviated or not. An impossible day stays HS201's.
    cells = ["5/janv/2024", "5/dic/2024", "5/okt/2024", "5/ago/2024", "5/Sept/2024", "5/janv./2024",
             "5-févr.-2024", "5.Mrt..24", "5.Mrt.24", "31/Sept/2024", "31/jun/2024", "30/feb./2024",
             "5/the/2024", "5/Jan/2024", "5/out/2024 10:00"]
    data = ("Close,Email\n" + "".join(f"{c},a{i}@x.com\n" for i, c in enumerate(cells))).encode()
    want = [(row, 1, "HS201", "error", f"'{cells[row - 2]}' is not a DAY_MONTH_YEAR datetime")
            if row in (11, 12, 13, 14) else (row, 1, "HS220", "warning", f"'{cells[row - 2]}' {FOREIGN}")
            for row in range(2, len(cells) + 2) if row != 15]
    for chunk_rows in (50_000, 1):
        report = validate(_request(), files={"contacts.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                          config=Config(chunk_rows=chunk_rows, reader=reader))
        assert [(f.row, f.column, f.code, f.severity.label, f.message) for f in report.findings
                if f.code in ("HS201", "HS220")] == want, chunk_rows


def test_every_foreign_month_token_names_one_month_and_an_english_one_its_english_month() -> None:
    # a token listed under two months, or an English month's name or abbreviation read as another
    # month, would turn an impossible date (HS201's error) into HS220's warning
    english = {name: i + 1 for i, name in enumerate(FACTS["months"])} | {
        name[:3]: i + 1 for i, name in enumerate(FACTS["months"])}
    seen: dict[str, int] = {}
    for key in ("foreign_months", "foreign_month_abbreviations"):
        assert len(FACTS[key]) == 12
        for month, names in enumerate(FACTS[key], 1):
            for name in names:
                assert seen.setdefault(name, month) == month, name
                assert english.get(name, month) == month, name
    for name, month in seen.items():
        assert FOREIGN_MONTHS[name] == month
    for name in (n for names in FACTS["foreign_month_abbreviations"] for n in names):
        assert FOREIGN_MONTHS[f"{name}."] == seen[name], name
        assert english.get(name, seen[name]) == seen[name]


@pytest.mark.parametrize("reader", ["exact", "fast"])
def test_dates_without_letters_are_not_parsed_again_for_a_month_name(reader: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # the month-name pattern's \p{L} costs RE2 ~14 ms to compile at each call: a column of dates in
    # the other order (`25/03/2019` under MONTH_DAY_YEAR) paid it in every chunk, though a cell
    # without a letter names no month. Only the bad cells with a letter are parsed again.
    from validator import formats
    from validator.checks import values_months

    parsed: list[list[str]] = []
    real = formats.parse_dates

    def spy(values, *args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("foreign"):
            parsed.append(values.to_pylist())
        return real(values, *args, **kwargs)

    monkeypatch.setattr(values_months.formats, "parse_dates", spy)
    cells = ["13/25/2024", "5/janvier/2024", "31/12/2024", "5/Jan/2024 25:00", "2024-13-01"]
    data = ("Close,Email\n" + "".join(f"{c},a{i}@x.com\n" for i, c in enumerate(cells))).encode()
    request = _request() | {"dateFormat": "MONTH_DAY_YEAR"}
    report = validate(request, files={"contacts.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                      config=Config(reader=reader))
    assert [(f.row, f.column, f.code) for f in report.findings if f.code in ("HS201", "HS220")] == [
        (2, 1, "HS201"), (3, 1, "HS201"), (4, 1, "HS201"), (5, 1, "HS201"), (6, 1, "HS201")]
    assert parsed == [["5/janvier/2024", "5/Jan/2024 25:00"]]
