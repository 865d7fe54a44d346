"""Spreadsheet rules on digits (HS426-HS428, HS436, HS438): what Excel and pandas do to
identifiers, phone numbers and postal codes. Number cells holding an ID, phone or postal code
(HS426), digits already lost to scientific notation or past 15 significant digits (HS427),
postal codes that lost a leading zero (HS428), Excel's leading apostrophe (HS436) and a whole
number written as a float, `94105.0` (HS438), with the helpers reading a number cell's shape,
its zero-padded format (`00000`, which shows a zero the cell does not hold) and a row's country.
Cell kinds come from ``Chunk.kinds``; the rules on text apply to CSV files too, since a CSV saved
by Excel or pandas carries the same damage as text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from validator import formats
from validator.checks._columns import is_identifier, is_phone, is_zip
from validator.checks._facts import Screen, exactly, fullmatch, rows_with, screen, screened
from validator.checks.base import Hit, quote, with_values
from validator.checks.spreadsheet import _CatalogRule
from validator.checks.typed import cached, kind_mask, padded_formats
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.keys import RECORD_ID
from validator.readers.base import Chunk

# a number in scientific notation as spreadsheets write it: one digit before the point, and the
# exponent's sign (`1.5551E+16`, `1,23457E+17`); a hex or coded ID (`0019e29423`, `12e4`) is not one
SCIENTIFIC = r"^\s*[+-]?[1-9](?:[.,]\d+)?[eE][+-]\d+\s*$"
# a number kept as text with Excel's leading apostrophe: `'02134`, `'+1 415-555-0132`, `'0019`
APOSTROPHE = r"^'\+?\d[\d ().\-/]*$"
# A complete North American (NANP) number as a number cell holds it: area code and exchange each
# start with 2-9, after the country code 1 or not; no + or 0 was there to lose
NANP = r"1?[2-9]\d{2}[2-9]\d{6}"


class NumberCellIdentifier(_CatalogRule):
    """A number cell holds an ID or postal code of 12 digits or more or with a fraction, a
    postal code that lost its leading zero, or a phone number other than a complete North
    American one.

    Why: in its General format Excel shows a number of 12 digits or more in scientific notation
    (`1.23457E+11`) and keeps only 15 significant digits; one save as CSV and the digits are gone
    (HS427 says where they already are). A Number format (`0`, `#,##0`) shows every digit, but the
    cell still holds a number, which HubSpot may import otherwise than Excel shows it (how it
    reads a number format is not documented): the message says both (the reader sees a cell's
    number, not its format). Past 15 significant digits the digits are lost whatever the format
    shows: the cell holds a number (`1234567890123456789` written is `1234567890123456800`, the
    value quoted), and Excel keeps 15 of its digits; the message says so. A fraction is no ID:
    the cell shows, and a CSV saved from it carries, what its format rounds the number to. A
    phone number starts with `+` (HubSpot's format is `+<country code><number>`, fact sheet 6)
    or, in national form, mostly with 0: a number cell holds neither, so Excel dropped them as
    the number was typed, and an international number (`447700900123`) or a national one
    (`7700900123`, a UK mobile that was `07700 900123`) no longer says its country or its trunk
    0. A complete North American number
    lost nothing that way: 10 digits, area code and exchange each starting with 2-9
    (`6175551234`), or 11 digits, `1` and those 10 (`16175551234`); the cell holds what the same
    digits typed into a Text cell would, so it is not named, unless the row's country (the
    `country` column of the phone's object, as HS428 finds it) is outside the North American
    Numbering Plan: a German number of that shape lost its `+49`.
    A postal code too short for its country (3-4 or 7-8 digits where the row's country is the
    US or blank, as HS428 reads it) lost its leading zero the same way; HS428 says so of any cell,
    this rule names the number cell that did it. A whole number of up to 11 digits otherwise
    lost nothing and stays as it is (`42`, a 10-digit ID, the ZIP code `90210`: Excel keeps up
    to 15 digits exactly and shows up to 11), so it is not named. (The reader sees a cell's
    number, not its format: a whole number formatted with decimals, `12345.0` on screen, reads
    as `12345`.) A postal code in a zero-padded format (Excel's Zip Code, `00000`, or Zip Code + 4,
    `00000-0000`) shows its zero, `02134`, but the cell holds `2134`: the message says so, naming
    the format, as HS428's does; so does a phone number in one (`7700900123` formatted
    `00000000000` shows `07700900123`).
    Example: Record ID `123456789012` typed into a number cell; `1234567890123456789` in any;
    phone `447700900123` or `7700900123` (`6175551234` is not named).
    Fix: format the column as Text before entering or pasting the values.
    """

    code = "HS426"
    name = "number-cell-identifier"
    severity = Severity.WARNING

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in with_values(chunk, file.columns):
            mask = kind_mask(chunk, col.index, "n")
            if mask is None or not mask.any() or not is_identifier(col, self.catalog):
                continue
            if is_phone(col, self.catalog):
                yield from self._phones(chunk, file, col, mask)
                continue
            at = np.flatnonzero(mask)
            values = chunk.column(col.index).iloc[at]
            long, fraction = _number_shape(values)
            lost = np.zeros(len(at), bool)
            if long.any():  # (past 15 significant digits: whatever the format shows, the digits are gone)
                lost[long] = (_significant(values.iloc[np.flatnonzero(long)]) > 15).to_numpy(dtype=bool)
            for risky, why in ((long & ~lost, _LONG_ID),
                               (fraction, "with a fraction, which Excel shows as the cell's format rounds it")):
                if risky.any():
                    bad = np.zeros(len(chunk), bool)
                    bad[at[risky]] = True
                    yield from self.cells(chunk, file, col, bad, f"{{value}} is stored as a number cell {why}; "
                                          "IDs and ZIP codes belong in Text cells")
            if lost.any():
                bad = np.zeros(len(chunk), bool)
                bad[at[lost]] = True
                yield from self.cells(chunk, file, col, bad, _LOST_DIGITS)
            if is_zip(col):
                for bad, code in by_padded_format(chunk, file, col, mask & lost_zero(chunk, file, col)):
                    yield from self.cells(chunk, file, col, bad, "{value} is stored as a number cell, which holds "
                                          "no leading zero, and looks like a postal code that lost one; ZIP codes "
                                          "belong in Text cells" if code is None else _padded(_PADDED_CELL, code))


    def _phones(self, chunk: Chunk, file: FileContext, col: Column, mask: np.ndarray) -> Iterator[Hit]:
        at = np.flatnonzero(mask)
        nanp = np.zeros(len(chunk), bool)
        nanp[at] = chunk.column(col.index).iloc[at].str.fullmatch(NANP).to_numpy(dtype=bool, na_value=False)
        elsewhere = np.zeros(len(chunk), bool)
        country = country_column(file, col)
        if country is not None and nanp.any():
            elsewhere = nanp & ~north_american_or_blank(chunk.column(country.index))
        for bad, why in ((mask & ~nanp, "is no complete North American number: one was lost, or its country "
                                        "is unclear"),
                         (elsewhere, "the row's country is not North American: its country code or trunk 0 was "
                                     "lost")):
            for cells, code in by_padded_format(chunk, file, col, bad):
                yield from self.cells(chunk, file, col, cells, "phone number {value} is stored as a number cell, "
                                      f"which holds no leading + or 0, and {why}; phones belong in Text cells, as "
                                      "+<country code><number>" if code is None else _padded(_PADDED_PHONE, code))


def _number_shape(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(12 digits or more before the point, else a fraction) of number-cell texts (``-1234.5``:
    the reader writes no exponent and no thousands separator)."""
    size = values.str.len().to_numpy(dtype=np.int64, na_value=0)
    point = values.str.find(".").to_numpy(dtype=np.int64, na_value=-1)
    sign = values.str.match(r"[+-]").to_numpy(dtype=bool, na_value=False)
    whole = np.where(point >= 0, point, size) - sign
    return whole >= 12, (point >= 0) & (whole < 12)


def _significant(values: pd.Series) -> pd.Series:
    """Significant digits of number-cell texts that can have lost some to Excel: an integer's
    (trailing zeros are Excel's padding), and a fraction's whole part only. A fraction's digits
    past the 15th are the double's (``0.30000000000000004``, ``110.00000000000001``: what
    ``=0.1+0.2`` and ``=100*1.1`` hold), not digits anyone wrote."""
    unsigned = values.str.replace(r"^[+-]", "", regex=True)
    whole = unsigned.str.replace(r"\..*$", "", regex=True).str.lstrip("0")
    digits = whole.where(unsigned.str.contains(".", regex=False), whole.str.rstrip("0"))
    return digits.str.len()


class MangledNumber(_CatalogRule):
    """Digits were lost to Excel: scientific notation, or more than 15 significant digits.

    Why: Excel keeps 15 significant digits; an 18-digit Record ID becomes
    `123456789012345000` or `1.23457E+17`, and a CSV saved afterwards carries that text. HubSpot
    then matches or creates the wrong record, or rejects the ID.
    Scientific notation is the spreadsheets' form, one digit before the point and a signed exponent
    (`1.23457E+17`): a hex or coded ID such as `0019e29423` keeps its digits. A column mapped
    `"ignored": true` is not imported, so not checked.
    Example: `1.5551E+16` in a phone column of a CSV; a 17-digit number cell in an XLSX.
    Fix: re-export from the source with the column formatted as Text; the lost digits cannot be
    recovered from the file.
    """

    code = "HS427"
    name = "mangled-number"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in with_values(chunk, file.imported()):
            values = chunk.column(col.index)
            bad = np.zeros(len(values), dtype=bool)
            if is_identifier(col, self.catalog):  # scientific notation has an e or E
                bad |= exactly(values, rows_with(chunk, col.index, b"eE"),
                               lambda v: v.str.match(SCIENTIFIC).to_numpy(dtype=bool))
            numbers = kind_mask(chunk, col.index, "n")
            if numbers is not None and numbers.any():  # 16 digits need 16 characters at least
                long = np.flatnonzero(numbers & (values.str.len() > 15).to_numpy(dtype=bool))
                if len(long):
                    bad[long[(_significant(values.iloc[long]) > 15).to_numpy(dtype=bool)]] = True
            yield from self.cells(chunk, file, col, bad,
                                  "{value} has lost digits to Excel (scientific notation or over 15 "
                                  "significant digits)")


class LeadingApostrophe(_CatalogRule):
    """A number, postal code, phone number or ID is written with a leading apostrophe.

    Why: Excel takes a leading `'` as "keep this as text" and hides it, and exports write it into
    CSV files to keep leading zeros and a `+` (Shopify's customer export: `'02134`, `'+14155550132`).
    HubSpot does not read it so: the apostrophe is a character of the value and is stored with it
    ([I]: no step of its import is documented to strip it), so a ZIP code, phone number or ID no
    longer matches, dials or sorts. In a workbook, Excel's "quote prefix" is a style, not part of
    the value (not reported); an apostrophe in the cell's text is. Only a digit, or `+` and a digit,
    after the apostrophe is reported, with the usual separators of phone numbers (spaces,
    `( ) . - /`): `'90s` or `'Tis` are words. A phone cell is reported here alone, not as an invalid
    phone number (HS215) too.
    Example: `'02134` in a ZIP column, `'+14155550132` in a phone column of a CSV.
    Fix: remove the apostrophe (`02134`); to keep leading zeros, format the column as Text in the
    spreadsheet instead.
    """

    code = "HS436"
    name = "leading-apostrophe"
    severity = Severity.WARNING

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col, _first in screened(chunk, with_values(chunk, file.imported()), _apostrophe_first):
            yield from self.cells(chunk, file, col, apostrophe(chunk, col), _apostrophe_message,
                                  hint="remove the apostrophe; to keep leading zeros, format the column as Text "
                                       "instead")


def _apostrophe_message(value: str) -> str:
    return (f"{quote(value)} starts with an apostrophe, which Excel writes to keep a number as text and HubSpot "
            f"stores as part of the value: write {quote(value[1:])}")


def _apostrophe_first(seen: Screen) -> np.ndarray:
    return seen.first_in(b"'")


def apostrophe(chunk: Chunk, col: Column) -> np.ndarray:
    """Per row: the cell is a number, postal code, phone or ID after a leading apostrophe (HS436,
    and HS215, which leaves such a phone cell to it); once per chunk and column."""
    def make() -> np.ndarray:
        # (the cells that start with one, from the byte screen's first bytes: looking for an
        # apostrophe anywhere took every note's "don't" and "O'Brien" to the pattern)
        first = screen(chunk, col.index).first_in(b"'")
        if not first.any():  # (most columns: no cell of them is looked at)
            return np.zeros(len(first), dtype=bool)
        return exactly(chunk.column(col.index), first, lambda v: v.str.match(APOSTROPHE).to_numpy(dtype=bool))
    return cached(chunk, ("apostrophe", col.index), make)


class LostLeadingZero(_CatalogRule):
    """A ZIP or postal code looks like it lost its leading zero.

    Why: Excel turns `02134` into the number `2134`; HubSpot then stores a wrong postal code,
    which breaks territory and tax rules. US ZIP codes have 5 digits, ZIP+4 codes 9. Other
    countries' codes have 4 digits (Australia, Switzerland, Denmark, Belgium, Austria), 7
    (Israel, Japan without its hyphen) or 8 (Brazil): a row whose `country` column (of the same
    object) names another country is not judged; a blank country is read as the US.
    A number cell of a workbook in a zero-padded format (Excel's Zip Code, `00000`, or Zip Code + 4,
    `00000-0000`: only 0s and hyphens) shows the zero, `02134`, yet holds the number `2134`, as a
    CSV saved from it writes it unless the format is applied; whether HubSpot's import reads the
    number or what Excel shows is not documented, so the warning stays, and its message names the
    format, what Excel shows and what the file holds.
    Example: `2134` in a Zip column; `2134` in a cell formatted `00000`, shown as `02134`.
    Fix: format the column as Text and re-enter or re-import the codes with their zeros (write
    `02134` as text).
    """

    code = "HS428"
    name = "lost-leading-zero"
    severity = Severity.WARNING

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in with_values(chunk, file.columns):
            if is_zip(col):
                for bad, code in by_padded_format(chunk, file, col, lost_zero(chunk, file, col)):
                    yield from self.cells(chunk, file, col, bad, "postal code {value} looks like it lost a leading "
                                          "zero" if code is None else _padded(_PADDED_ZIP, code))


def by_padded_format(chunk: Chunk, file: FileContext, col: Column, bad: np.ndarray
                     ) -> Iterator[tuple[np.ndarray, str | None]]:
    """``bad`` split by the zero-padded number format (``00000``) of the cells, as the workbook's
    byte scan found them (``typed.padded_formats``): (cells in one, its code) for each, then (the
    others, None); ``bad`` whole with None for a CSV or a column with no such cell."""
    shown = padded_formats(chunk, file, col.index) if bad.any() else None
    if shown is None:
        yield bad, None
        return
    for code in sorted({str(c) for c in shown[bad]} - {""}):
        yield bad & (shown == code), code
    yield bad & (shown == ""), None


_SHOWN = ("Excel shows {shown} through the cell's number format {code}, but the file holds the number")
_PADDED_ZIP = ("postal code {value} is stored as a number, which holds no leading zero: " + _SHOWN + ", which "
               "HubSpot may import without the zero (how it reads a number format is not documented); make the "
               "column Text, or write {shown} as text")
_PADDED_CELL = ("{value} is stored as a number cell, which holds no leading zero: " + _SHOWN +
                "; ZIP codes belong in Text cells")
_PADDED_PHONE = ("phone number {value} is stored as a number cell, which holds no leading + or 0: " + _SHOWN +
                 "; phones belong in Text cells, as +<country code><number>")
# an ID of 12 to 15 significant digits in a number cell: the reader gives no cell's format
_LONG_ID = ("with 12 digits or more, which Excel shows in scientific notation (1.23457E+11) in the General format "
            "(a Number format such as 0 shows every digit, but the cell still holds a number)")
_LOST_DIGITS = ("{value} is stored as a number cell with more than 15 significant digits: the cell holds that "
                "number, not the digits typed, and Excel keeps 15 of them, so the digits past the 15th are lost "
                "whatever the cell's number format shows; IDs and ZIP codes belong in Text cells")


def _padded(text: str, code: str) -> Callable[[str], str]:
    """The message ``text`` on a number cell in the zero-padded format ``code``: the cell
    (``{value}``) and what Excel shows (``{shown}``) quoted, so --redact masks them, and the format
    (``{code}``) bare: no cell's value, the workbook's, which --redact keeps."""
    from validator.readers.xlsx_styles import padded_shown  # (a workbook's alone: no CSV run imports it)

    def message(value: str) -> str:
        return text.format(value=quote(value), shown=quote(padded_shown(value.strip(), code)), code=code)
    return message


def lost_zero(chunk: Chunk, file: FileContext, col: Column) -> np.ndarray:
    """Per row: the postal code looks like it lost a leading zero (HS428, and HS426 of a number
    cell); once per chunk and column."""
    def make() -> np.ndarray:
        bad = exactly(chunk.column(col.index), _zip_lengths(chunk, col.index),
                      lambda v: v.str.fullmatch(r"(?:\d{3,4}|\d{7,8})(?:\.0+)?").to_numpy(dtype=bool))
        country = country_column(file, col)
        if country is not None and bad.any():
            bad = bad & us_or_blank(chunk.column(country.index))
        return bad
    return cached(chunk, ("lost-zero", col.index), make)


def _zip_lengths(chunk: Chunk, index: int) -> np.ndarray | None:
    """Cells that may be 3, 4, 7 or 8 digits, by the byte screen: in a column of ASCII text
    (characters are bytes there), those 3, 4, 7 or 8 bytes long, or longer with a `.` (`2134.0`,
    as pandas writes the number, HS438); None (every cell) where the column holds other bytes (a
    digit of another script, which ``\\d`` takes, is 2-4 bytes)."""
    seen = screen(chunk, index)
    if any(b >= 0x80 for b in seen.present):
        return None
    return np.isin(seen.length, _ZIP_LENGTHS) | ((seen.length > 4) & rows_with(chunk, index, b"."))


_ZIP_LENGTHS = np.array([3, 4, 7, 8], np.int32)
# a whole number as pandas writes a float: `94105.0` (an integer column with a blank cell is float64)
POINT_ZERO = r"[0-9]+\.0+"


class TrailingPointZero(_CatalogRule):
    """An ID, phone number or postal code is a whole number written with `.0` after it.

    Why: pandas reads a column of whole numbers that has a blank cell as floats, and `to_csv`
    writes them so: ZIP code `94105` becomes `94105.0`, phone `4155550101` becomes
    `4155550101.0`, an ID `5001` becomes `5001.0` (a ZIP code with a leading zero has lost it
    too: `2134.0`, which HS428 names). The cell is text to HubSpot, which stores it as written
    ([I]: no import step is documented to cut the `.0`): the ZIP code no longer matches
    territories, the phone number gains a digit, the ID matches no other system's. Record ID and
    associated-record id columns are HS305's and HS306's errors, and a column mapped to a
    number property takes `5001.0` as the number 5001: neither is named here.
    Example: `94105.0` in a Zip column, `4155550101.0` in a Phone column of a CSV.
    Fix: write the whole number (`94105`): read the column as text (`dtype=str`), or as pandas'
    nullable integers (`Int64`), before writing the CSV.
    """

    code = "HS438"
    name = "trailing-point-zero"
    severity = Severity.WARNING
    constants = (r"written with '\.0'",)  # the rule's own text, chosen by no cell

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in with_values(chunk, file.imported()):
            if not self._named(col):
                continue
            bad = exactly(chunk.column(col.index), rows_with(chunk, col.index, b"."),
                          lambda v: fullmatch(v, POINT_ZERO))
            zero = bad & lost_zero(chunk, file, col) if bad.any() and is_zip(col) else np.zeros(len(bad), bool)
            hint = "read the column as text (dtype=str) or as Int64 before writing the CSV"
            yield from self.cells(chunk, file, col, bad & ~zero, _point_zero_message, hint=hint)
            yield from self.cells(chunk, file, col, zero, _point_zero_message_zip, hint=hint)

    def _named(self, col: Column) -> bool:
        """An identifier column (IDs, phones, postal codes) this rule names: not a Record ID or an
        associated record's id (HS305, HS306), nor one mapped to a number property."""
        spec = col.spec
        if not is_identifier(col, self.catalog):
            return False
        if spec is None:
            return True
        if spec.column_type == "HUBSPOT_OBJECT_ID" or spec.property_name == RECORD_ID:
            return False
        prop = self.catalog.property_of(spec.object_type_id, spec.property_name)
        return prop is None or prop.type != "number"


def _point_zero_message(value: str) -> str:
    return (f"{quote(value)} is a whole number written with '.0', as pandas writes an integer column that has "
            f"blank cells; HubSpot stores the text as it is: write {quote(value.strip().split('.')[0])}")


def _point_zero_message_zip(value: str) -> str:
    return (f"{quote(value)} is a whole number written with '.0', as pandas writes an integer column that has "
            f"blank cells; HubSpot stores the text as it is: write the postal code without it, and with the "
            f"leading zero it lost (HS428)")
_US = pa.array(["us", "usa", "u.s.", "u.s.a.", "united states", "united states of america"])


def country_column(file: FileContext, zip_column: Column) -> Column | None:
    """The column mapped to the ``country`` property of the postal code's object (contacts and
    companies both name it so), else any column mapped to ``country`` when the postal code's
    column is unmapped."""
    spec = zip_column.spec
    for col in file.columns:
        other = col.spec
        if (other is not None and not other.ignored and (other.property_name or "").lower() == "country"
                and other.to_object_type_id is None
                and (spec is None or spec.object_type_id == other.object_type_id)):
            return col
    return None


# Countries of the North American Numbering Plan (+1), as a country cell may name them
_NANP_COUNTRIES = pa.array([
    *_US.to_pylist(), "ca", "can", "canada", "pr", "puerto rico", "american samoa", "anguilla",
    "antigua and barbuda", "bahamas", "the bahamas", "barbados", "bermuda", "british virgin islands",
    "cayman islands", "dominica", "dominican republic", "grenada", "guam", "jamaica", "montserrat",
    "northern mariana islands", "saint kitts and nevis", "saint lucia", "saint vincent and the grenadines",
    "sint maarten", "trinidad and tobago", "turks and caicos islands", "u.s. virgin islands",
    "us virgin islands"])


def north_american_or_blank(values: pd.Series) -> np.ndarray:
    """Per row: the country cell is blank or names a country of the North American Numbering
    Plan (the usual spellings of the US and Canada, the other members' English names; any case,
    trimmed)."""
    return _blank_or_in(values, _NANP_COUNTRIES)


def us_or_blank(values: pd.Series) -> np.ndarray:
    """Per row: the country cell is blank or names the United States (the usual spellings,
    any case, trimmed)."""
    return _blank_or_in(values, _US)


def _blank_or_in(values: pd.Series, names: pa.Array) -> np.ndarray:
    lowered = pc.utf8_lower(formats.arrow(values))
    return np.asarray(pc.or_(pc.equal(lowered, ""), pc.is_in(lowered, value_set=names)).to_numpy(
        zero_copy_only=False), dtype=bool)
