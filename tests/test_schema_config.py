"""``validator.schema.for_file`` takes a Config as ``validate`` takes it."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest

from tests.conftest import ROOT
from validator import Config, ValidatorError, validate
from validator.schema import failures, for_file

DEALS = ROOT / "fixtures" / "examples" / "deals" / "deals.import.json"
PORTAL = ROOT / "fixtures" / "portal"


def _flagged(config: Config) -> list[tuple[int, int, str]]:
    """(row, column, code) of the cells the schema flags in deals.csv, rows as check counts them."""
    df = pd.read_csv(DEALS.parent / "deals.csv", dtype=str, keep_default_na=False)
    with pytest.raises(pa.errors.SchemaErrors) as info:
        for_file(DEALS, "deals.csv", portal=PORTAL, config=config).validate(df, lazy=True)
    return [(index + 2, list(df.columns).index(col) + 1, code) for index, col, code in failures(info.value)]


def _checked(config: Config) -> list[tuple[int, int, str]]:
    report = validate(DEALS, config=config.with_(portal=str(PORTAL)))
    return sorted((f.row, f.column, f.code) for f in report.findings if f.row is not None and f.row > 1)


@pytest.mark.parametrize("config", [
    Config(select="HS205,HS208"), Config(select="HS2", ignore="HS208"), Config(ignore="invalid-enumeration-option"),
    Config(select=["HS203"], options={"date-out-of-range": {"min_year": 2030}}),
])
def test_schema_takes_a_config_as_validate_takes_it(config: Config) -> None:
    # rules as one comma-separated string were read letter by letter ("unknown rule code or name
    # 'S'"), and a rule name as an options or severity key was "unknown rule code"
    assert sorted(_flagged(config)) == _checked(config) != []


def test_schema_selects_what_the_config_selects() -> None:
    assert _flagged(Config(select="HS205,HS208")) == [(4, 7, "HS208"), (6, 4, "HS205")]
    assert _flagged(Config(select=["HS203"], options={"date-out-of-range": {"min_year": 2030}})) == [
        (2, 5, "HS203"), (3, 5, "HS203"), (5, 5, "HS203")]


def test_schema_refuses_a_config_it_cannot_use() -> None:
    # Config values of the wrong type reached the rules (max_per_rule="x" was taken) or ended in
    # AttributeError ('int' object has no attribute 'portal')
    # (an unknown rule is refused as the Config is built: test_api)
    for config, message in ((5, "config must be a validator.Config, not int"),
                            (Config(fail_on="fatal"), "unknown severity 'fatal'")):
        with pytest.raises(ValidatorError, match=message):
            for_file(DEALS, "deals.csv", config=config)  # type: ignore[arg-type]


@pytest.mark.parametrize("object_type", ["cars", "p123456_cars", "2-1234567"])
def test_schema_reads_the_request_with_the_portals_custom_objects(tmp_path, object_type: str) -> None:
    # the request was read without the portal: a custom object named by its name (as validate
    # reads it, from the portal's schemas) had no properties, and the schema flagged nothing
    request = {"name": "cars", "importOperations": {object_type: "CREATE"}, "files": [{
        "fileName": "cars.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True, "columnMappings": [
            {"columnObjectTypeId": object_type, "columnName": c, "propertyName": p}
            for c, p in (("VIN", "vin"), ("Model", "model"), ("Year", "year"))]}}]}
    df = pd.DataFrame({"VIN": ["V1", "V2", "V3"], "Model": ["Golf", None, "Polo"], "Year": ["abc", "1999", "1e400"]})
    with pytest.raises(pa.errors.SchemaErrors) as info:
        for_file(request, "cars.csv", portal=PORTAL).validate(df, lazy=True)
    assert failures(info.value) == [(0, "Year", "HS205"), (1, "Model", "HS234"), (2, "Year", "HS205")]
    df.to_csv(tmp_path / "cars.csv", index=False)
    report = validate(request, config=Config(portal=str(PORTAL)), base_dir=tmp_path)
    assert [(f.row, f.column, f.code) for f in report.findings if f.row] == [(2, 3, "HS205"), (3, 2, "HS234"),
                                                                            (4, 3, "HS205")]


def test_schema_leaves_out_the_rules_per_file_ignores_turns_off_for_its_file() -> None:
    # per_file_ignores was not read: the schema flagged HS205 and HS208 cells check leaves alone
    config = Config(per_file_ignores={"deals.csv": ["HS208", "HS205"], "other.csv": ["HS2"]})
    assert sorted(_flagged(config)) == _checked(config) == [
        (3, 4, "HS206"), (3, 6, "HS237"), (4, 3, "HS235"), (4, 5, "HS201"), (5, 6, "HS236"), (6, 3, "HS234"),
        (6, 5, "HS202")]
