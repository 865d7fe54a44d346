"""Currencies: a multi-currency account's prices by currency (``hs_price_<code>``) and amounts
written with a currency code or symbol (HS206)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.conftest import write_csv_import
from validator import Config, formats, validate
from validator.catalog import builtin


# -- hs_price_<code> -------------------------------------------------------------------------
def test_a_price_in_a_currency_is_a_number_property_of_products_and_line_items() -> None:
    catalog = builtin()
    for obj in ("0-7", "0-8"):
        prop = catalog.property_of(obj, "hs_price_eur")
        assert prop is not None
        assert (prop.name, prop.label, prop.type, prop.format) == ("hs_price_eur", "Price EUR", "number", "currency")
    # no such code, upper case (HubSpot's internal names are lower case), no code, other objects
    for obj, name in (("0-7", "hs_price_xyz"), ("0-7", "hs_price_USD"), ("0-7", "hs_price_"),
                      ("0-7", "hs_price_usd_2"), ("0-3", "hs_price_usd"), ("0-1", "hs_price_usd")):
        assert catalog.property_of(obj, name) is None, name


def test_a_price_in_a_currency_is_checked_as_a_number(tmp_path: Path) -> None:
    request = write_csv_import(tmp_path, [("Name", "0-7", "name"), ("Unit price", "0-7", "price"),
                                ("Price USD", "0-7", "hs_price_usd"), ("Price XYZ", "0-7", "hs_price_xyz")],
                     [["Seat", "120.00", "130.00", "1"], ["Key", "49.9", "n/a", "2"], ["Pack", "1500", "$1600", "3"]])
    report = validate(request)
    found = [(f.row, f.column, f.code) for f in report.findings if f.code.startswith("HS2")]
    assert found == [(None, None, "HS231"), (3, 3, "HS205"), (4, 3, "HS206")]
    unknown = next(f for f in report.findings if f.code == "HS231")
    assert unknown.pointer == "/files/0/fileImportPage/columnMappings/3/propertyName"
    assert unknown.message == (
        "'hs_price_xyz' is not a standard property of products (0-7) we know (hs_price_<code> takes an ISO 4217 "
        "currency code in lower case, such as hs_price_usd); unless it is a custom property, HubSpot will not find it")


def test_with_a_snapshot_of_the_objects_properties_the_snapshot_decides(tmp_path: Path) -> None:
    """A portal snapshot lists the account's currencies' prices: one it lacks is HS230's."""
    portal = tmp_path / "portal"
    (portal / "properties").mkdir(parents=True)
    props = [{"name": n, "label": n, "type": t, "fieldType": f} for n, t, f in (
        ("name", "string", "text"), ("price", "number", "number"), ("hs_price_usd", "number", "number"))]
    (portal / "properties" / "products.json").write_text(json.dumps({"results": props}), encoding="utf-8")
    request = write_csv_import(tmp_path, [("Name", "0-7", "name"), ("Price USD", "0-7", "hs_price_usd"),
                                ("Price EUR", "0-7", "hs_price_eur")], [["Seat", "130.00", "110.00"]])
    report = validate(request, config=Config(portal=str(portal)))
    assert [(f.code, f.pointer) for f in report.findings if f.code in ("HS230", "HS231")] == [
        ("HS230", "/files/0/fileImportPage/columnMappings/2/propertyName")]


# -- amounts with a currency code or symbol (HS206) ------------------------------------------
def _amounts(tmp_path: Path, amounts: list[str]) -> list[tuple[object, ...]]:
    """(row, column, code, message) of the HS205 and HS206 findings of deals whose amounts are ``amounts``."""
    request = write_csv_import(tmp_path, [("Deal Name", "0-3", "dealname"), ("Amount", "0-3", "amount")],
                               [["D", a] for a in amounts])
    return [(f.row, f.column, f.code, f.message) for f in validate(request).findings
            if f.code in ("HS205", "HS206")]


def test_an_amount_with_a_currency_code_or_symbol_names_it_and_the_number_towrite_csv_import(tmp_path: Path) -> None:
    """A code or symbol before or after the amount, with or without a space: HS206's warning,
    naming what it found and the number to write; three letters that are no ISO 4217 code, and a
    code alone, stay HS205's errors."""
    amounts = ["USD 23000", "EUR8400.50", "23000 USD", "23 000 EUR", "€8.400,50", "$ 1,200", "€8.400", "$-50",
               "ABC 100", "EUR"]
    found = _amounts(tmp_path, amounts)
    expects = "HubSpot expects digits and one decimal point"
    assert found == [
        (2, 2, "HS206", f"'USD 23000' has a currency code, 'USD'; {expects}: write 23000"),
        (3, 2, "HS206", f"'EUR8400.50' has a currency code, 'EUR'; {expects}: write 8400.50"),
        (4, 2, "HS206", f"'23000 USD' has a currency code, 'USD'; {expects}: write 23000"),
        (5, 2, "HS206", f"'23 000 EUR' has a currency code, 'EUR'; {expects}: write 23000"),
        (6, 2, "HS206", f"'€8.400,50' has a currency symbol, '€'; {expects}: write 8400.50"),
        (7, 2, "HS206", f"'$ 1,200' has a currency symbol, '$'; {expects}: write 1200"),
        (8, 2, "HS206", f"'€8.400' has a currency symbol, '€'; {expects}: write 8400 (8.400 if the dot is a "
                        "decimal point)"),
        (9, 2, "HS206", f"'$-50' has a currency symbol, '$'; {expects}: write -50"),
        (10, 2, "HS205", "'ABC 100' is not a number"),
        (11, 2, "HS205", "'EUR' is not a number"),
    ]


# -- negative amounts as ledgers write them (HS205) ------------------------------------------
def test_a_negative_amount_in_parentheses_or_with_the_minus_after_it_gives_the_number_to_write(tmp_path: Path) -> None:
    """Accounting's `(1,200.50)` and SAP's `1200-` were only "not a number": the amount is
    certain, and the message gives it with its minus in front; parentheses around no number,
    or a sign inside them too, stay as they were."""
    amounts = ["(1200)", "(1,200.50)", "($1,200)", "(1.234,5)", "(1,234)", "( 12.5 )", "1200-", "$1,200.00-",
               "(abc)", "(-5)", "--5", "1-2", "-1200"]
    found = _amounts(tmp_path, amounts)
    brackets = "is not a number: parentheses are accounting's way of writing a negative amount; write"
    after = "is not a number: a minus after the number is how SAP and other ledgers write a negative amount; write"
    assert found == [
        (2, 2, "HS205", f"'(1200)' {brackets} -1200"),
        (3, 2, "HS205", f"'(1,200.50)' {brackets} -1200.50"),
        (4, 2, "HS205", f"'($1,200)' {brackets} -1200"),
        (5, 2, "HS205", f"'(1.234,5)' {brackets} -1234.5"),
        (6, 2, "HS205", f"'(1,234)' {brackets} -1234 (-1.234 if the separator is a decimal mark)"),
        (7, 2, "HS205", f"'( 12.5 )' {brackets} -12.5"),
        (8, 2, "HS205", f"'1200-' {after} -1200"),
        (9, 2, "HS205", f"'$1,200.00-' {after} -1200.00"),
        (10, 2, "HS205", "'(abc)' is not a number"),
        (11, 2, "HS205", "'(-5)' is not a number"),
        (12, 2, "HS205", "'--5' is not a number"),
        (13, 2, "HS205", "'1-2' is not a number"),
    ]


# -- one cell in Python, as the column's RE2 patterns read it --------------------------------
_PATTERNS = {name: getattr(formats, name) for name in
             ("NUMBER", "SCIENTIFIC", "PERCENT", "SPACED_PERCENT", "THOUSANDS", "DECIMAL_COMMA", "CURRENCY")}
_PIECES = st.sampled_from(["1", "23", "1,234", "1.234", "12,5", "1 000", "1\u00a0000", "1\u202f000", "1'234", "1’234",
                           ".5", "5.", "1e3", "-", "+", "$", "€", "R$", "US$", "kr", "zł", "USD", "EUR", "usd", "ABC",
                           " ", "\t", "\x0b", "\n", "%", " %", "(", ")", "1,23,456.78", "\u20c0", "\U00011fdd", "x"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PIECES, min_size=1, max_size=5).map("".join) | st.text(max_size=8), min_size=1, max_size=20))
@example(["$ 1,200", "1200\n", "EUR8400.50", "23 000 EUR", "12,5 %", "1,234.5", "-$50", "$-50", "\u20c01",
          "25\x0b%", "1200\x0bEUR", "$\x0b5", "25\t%"])
def test_one_cell_matches_a_number_pattern_as_the_column_does(cells: list[str]) -> None:
    # HS205's and HS206's messages ask about one cell; RE2 compiled the pattern at each call
    # (0.15-0.5 ms), so a message took ~1 ms; matches_one reads the pattern in Python
    for name, pattern in _PATTERNS.items():
        assert [formats.matches_one(c, pattern) for c in cells] == formats.matches(cells, pattern).tolist(), name


def test_the_currency_symbols_are_re2s() -> None:
    every = pa.array([chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF])
    re2 = pc.match_substring_regex(every, r"^\p{Sc}$").to_numpy(zero_copy_only=False)
    assert [ord(c) for c in every.filter(pa.array(re2)).to_pylist()] == [
        ord(c) for c in every.to_pylist() if formats.matches_one(c, r"^\p{Sc}$")]
