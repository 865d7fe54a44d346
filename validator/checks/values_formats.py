"""Cells of string properties with a format HubSpot checks (emails, company domains and the
additional ones, phones, terms, File Manager IDs), and values too long for any property
(HS212-HS218, HS244, HS245; fact sheet 6).

Most rules here are a ``FormatRule``: the catalog's format of the property picks the columns, a
predicate from ``validator.formats`` the cells that are not written as HubSpot reads that
format. A domain column is parsed once per chunk for both of its rules (invalid, and stripped
to its bare domain). Blank cells are skipped: HubSpot ignores them [V] S6. A cell that fails
because it holds bytes that are not UTF-8 (``formats.arrow``) says so: the file's encoding is
what to fix there (HS402 names the byte), not the value.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from validator import formats
from validator.catalog import Property
from validator.checks._columns import ADDITIONAL
from validator.checks._facts import blank_at, screen
from validator.checks.base import Hit, option_float, quote, with_values
from validator.checks.spreadsheet_numbers import LeadingApostrophe, apostrophe
from validator.checks.typed import ValueRule, cached, cells
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.keys import split_list, split_quoted
from validator.readers.base import Chunk

# an undecodable byte as the readers keep it (a lone surrogate; ``formats.arrow`` makes it U+FFFD)
_UNDECODABLE = re.compile("[\ud800-\udfff]")
BYTES_NOTE = ": it holds bytes that are not UTF-8 (HS402); save the file as UTF-8"


def bytes_note(value: object) -> str:
    """``BYTES_NOTE`` for a cell holding undecodable bytes, else ``""`` (read for reported cells only)."""
    return BYTES_NOTE if isinstance(value, str) and _UNDECODABLE.search(value) else ""


def noting_bytes(message: str) -> Callable[[str], str]:
    """The message of a template with ``{value}``, ending with ``bytes_note`` of the cell."""
    return lambda value: message.format(value=quote(value)) + bytes_note(value)


class FormatRule(ValueRule):
    """A rule for one text format (``fmt``): every non-blank cell must pass ``valid``. With
    ``lost`` (an identifier's kind), a cell that fails only for a U+FFFD written in it is left to
    HS602 (``lost_letters``)."""

    fmt: ClassVar[str] = ""
    message: ClassVar[str] = ""  # a template with {value}
    lost: ClassVar[str | None] = None

    def wants(self, prop: Property) -> bool:
        return prop.format == self.fmt and prop.type in ("string", "enumeration", "phone_number")

    def valid(self, arr: Any) -> Any:
        """A boolean mask: True where the cell is written as HubSpot reads this format."""
        raise NotImplementedError

    def valid_cells(self, chunk: Chunk, column: Column) -> Any:
        """``valid`` of the column's cells in the chunk."""
        return self.valid(cells(chunk, column))

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, _prop in self.typed(file, chunk):
            bad = ~self.valid_cells(chunk, column) & ~blank_at(chunk, column.index)
            if self.lost is not None and bad.any():
                bad &= ~lost_letters(chunk, column, self.lost, self.valid)
            yield from self.cells(chunk, file, column, bad, self.describe)

    def describe(self, value: str) -> str:
        """The message of a reported cell (read for reported cells only)."""
        return noting_bytes(self.message)(value)


class InvalidEmail(FormatRule):
    """An email cell is not a valid address.

    Why: HubSpot rejects malformed addresses with INVALID_EMAIL ([V] S9); for contacts the email is
    also the identifier, so the row cannot be matched or deduplicated. An address that fails
    only for a U+FFFD written in it (`ren�e@x.com`: a letter lost to an earlier mis-decoding)
    is HS602's alone: whether HubSpot refuses the character is not documented ([GAP], fact sheet
    6), the lost letter is the problem either way, and HS602 names it and its fix.
    Example: `ann.lee@example`, `ann lee@example.com`, `ann@@example.com`.
    Fix: correct the address, or leave the cell empty.
    """

    code = "HS212"
    name = "invalid-email"
    hubspot_error = "INVALID_EMAIL"
    fmt = "email"

    message = "{value} is not a valid email address"
    lost = "email"

    def valid(self, arr: Any) -> Any:
        return formats.emails(arr)

    def valid_cells(self, chunk: Chunk, column: Column) -> Any:
        return valid_emails(chunk, column)

    def describe(self, value: str) -> str:
        several = _several_addresses(value)
        if several is None:
            return super().describe(value)
        parts, separator = several
        return (f"{quote(value)} holds {len(parts)} email addresses separated by {quote(separator)}; an email "
                f"property takes one: keep one here (a contact's others go in Additional emails, "
                f"hs_additional_emails, separated by ';')")


# what joins several addresses in one cell: `;` or `,` (a list as Excel and mail clients write it),
# or Google Contacts' ` ::: ` (several values of one field); spaces alone are a typo as often
_ADDRESS_SEPARATOR = re.compile(r"\s*(?:[;,]|:::)\s*")


def _several_addresses(value: str) -> tuple[list[str], str] | None:
    """(the addresses, the first separator as written) of a cell that is several valid addresses
    joined, as HS212 names it; None for any other cell."""
    text = value.strip()
    found = _ADDRESS_SEPARATOR.search(text)
    if found is None:
        return None
    parts = [p for p in _ADDRESS_SEPARATOR.split(text) if p]
    if len(parts) < 2 or not bool(np.all(formats.emails(formats.arrow(parts, trim=False)))):
        return None
    return parts, found.group(0)


def valid_emails(chunk: Chunk, column: Column) -> np.ndarray:
    """``formats.emails`` of the column's cells (HS212's verdict), once per chunk and column:
    HS246 reads it for the cells it would warn of (an address HS212 refuses is HS212's alone)."""
    return cached(chunk, ("valid-emails", column.index), lambda: formats.emails(cells(chunk, column)))


def lost_letters(chunk: Chunk, column: Column, what: str, valid: Callable[[pa.Array], Any]) -> np.ndarray:
    """Per row: the cell holds U+FFFD as written (an earlier mis-decoding's, HS602; not a byte
    that is not UTF-8, which ``formats.arrow`` makes U+FFFD too) and would pass ``valid`` (an
    address, a domain, a list of them: ``what``) were each U+FFFD a letter. Such a cell is
    HS602's alone, which names the lost letter and its fix: the format rule of its column
    (HS212, HS213, HS245) leaves it out. Once per chunk and column."""
    def make() -> np.ndarray:
        out = np.zeros(len(chunk), bool)
        if not screen(chunk, column.index).holds(b"\xef"):  # U+FFFD is EF BF BD in UTF-8
            return out
        values = chunk.column(column.index)
        at = np.flatnonzero(values.str.contains("\ufffd", regex=False).to_numpy(dtype=bool, na_value=False))
        if len(at):
            out[at] = valid(formats.arrow(values.iloc[at].str.replace("\ufffd", "a", regex=False)))
        return out
    return cached(chunk, ("lost-letters", what, column.index), make)


class InvalidDomain(FormatRule):
    """A company domain cell is not a domain name.

    Why: the company domain is the company's identifier; HubSpot rejects values that are not a
    domain with INVALID_DOMAIN ([V] S9). A domain that fails only for a U+FFFD written in it
    (`acm�.com`: a letter lost to an earlier mis-decoding) is HS602's alone, as HS212 leaves
    such an address: the lost letter is the problem, and HS602 names it and its fix.
    Example: `acme`, `acme .com`, `ann@acme.com`.
    Fix: write the bare domain: `acme.com`.
    """

    code = "HS213"
    name = "invalid-domain"
    hubspot_error = "INVALID_DOMAIN"
    fmt = "domain"

    message = "{value} is not a domain name"
    lost = "domain"

    def valid(self, arr: Any) -> Any:
        return _valid_domains(arr)

    def valid_cells(self, chunk: Chunk, column: Column) -> Any:
        return _domains(chunk, column)[0]  # (shared with HS214)


def _domains(chunk: Chunk, column: Column) -> tuple[Any, Any]:
    """``formats.domains`` of a column, once per chunk (HS213 and HS214 both read it)."""
    return cached(chunk, ("domains", column.index), lambda: formats.domains(cells(chunk, column)))


class InvalidAdditionalIdentifier(ValueRule):
    """A contact's additional email, or a company's additional domain, is not an address (a
    domain name).

    Why: "Additional email addresses" and "Additional Domains" hold several values separated by
    `;` (fact sheet 6, [V]); each is a secondary identifier HubSpot matches records on (fact
    sheet 4.2), so it must be an address (a domain) as the primary one must. What HubSpot does
    with one that is not is not documented (the row's secondary emails may fail with
    SECONDARY_EMAIL_WRITE_FAILURE) [I], hence a warning. A part with a scheme or a path is a
    domain HubSpot cuts, as HS214 says of the primary one, not an invalid one. Emails are split
    as an address list is: not at a `;` inside double quotes (a backslash there escapes the next
    character), so `"a;b"@example.com` is one address. A part that fails only for a U+FFFD
    written in it (`ren�e@x.com`: a letter lost to an earlier mis-decoding) is HS602's, as HS212
    leaves such an address: a list whose other parts are valid is named there alone, with its
    fix, and a list named here names a part malformed otherwise.
    Example: `ann@x.com;ann at x dot com` for a contact, `acme.com;acme` for a company.
    Fix: correct or remove the part; separate the values with `;`.
    """

    code = "HS245"
    name = "invalid-additional-identifier"
    severity = Severity.WARNING
    hubspot_error = "INVALID_EMAIL"
    other_errors = ("INVALID_DOMAIN",)  # an additional domain

    def wants(self, prop: Property) -> bool:
        kind = ADDITIONAL.get(prop.name)
        return kind is not None and kind[0] == prop.object_id

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file, chunk):
            kind = ADDITIONAL[prop.name][1]
            filled = np.flatnonzero(~blank_at(chunk, column.index))
            if not len(filled):
                continue
            bad = np.zeros(len(chunk), bool)
            bad[filled] = ~_lists_valid(cells(chunk, column).take(pa.array(filled)), kind)
            if bad.any():
                bad &= ~lost_letters(chunk, column, f"additional {kind}", functools.partial(_lists_valid, kind=kind))
            yield from self.cells(chunk, file, column, bad, _additional_message(kind),
                                  hubspot_error="INVALID_EMAIL" if kind == "email" else "INVALID_DOMAIN")


def _additional_message(kind: str) -> Callable[[str], str]:
    what = "email address" if kind == "email" else "domain name"
    several = "email addresses" if kind == "email" else "domain names"

    def message(value: str) -> str:
        fixed = _comma_fix(value, kind)
        if fixed is not None:  # `a@x.com, b@x.com`: each is valid, the separator is not
            return (f"{quote(value)} separates its {several} with ','; HubSpot separates them with ';': "
                    f"write {quote(fixed)}")
        part = _first_invalid(value, kind)
        within = "" if part == value.strip() else f" in {quote(value)}"  # (the cell is that one part)
        return (f"{quote(part)}{within} is not a valid {what} "
                f"(several are separated by ';'){bytes_note(part)}")
    return message


def _comma_fix(value: str, kind: str) -> str | None:
    """The list to write where ``value`` separates valid addresses (domains) with commas, as
    spreadsheets and other CRMs join them (`a@x.com, b@x.com`): each comma a `;`; None where a
    part split so is still no address (domain), or there is no comma to split at. A quoted local
    part is not split."""
    if "," not in value:
        return None
    parts = split_quoted(value) if kind == "email" else value.split(";")
    pieces = [q.strip() for p in parts
              for q in (p.split(",") if not p.strip().startswith('"') else [p])]
    pieces = [q for q in pieces if q]
    if len(pieces) < 2:
        return None
    ok = _parts_valid(formats.arrow(pieces, trim=False), kind)
    return ";".join(pieces) if bool(np.all(ok)) else None


def _lists_valid(arr: pa.Array, kind: str) -> np.ndarray:
    """Per cell of ``arr``: every part of its list (split at `;`, trimmed) an address or a domain."""
    parent, parts = split_list(arr, ";", quoted=kind == "email")
    ok = np.ones(len(arr), bool)
    ok[parent[~_parts_valid(pc.utf8_trim_whitespace(parts), kind)]] = False
    return ok


def _parts_valid(parts: Any, kind: str) -> np.ndarray:
    """Per part (trimmed; an empty one, as after a last ``;``, passes): an address or a domain."""
    ok = np.asarray(formats.emails(parts) if kind == "email" else formats.domains(parts)[0], dtype=bool)
    return ok | np.asarray(pc.equal(parts, "").to_numpy(zero_copy_only=False), dtype=bool)


def _first_invalid(value: str, kind: str) -> str:
    parts = [p.strip() for p in (split_quoted(value) if kind == "email" else value.split(";"))]
    # (``formats.arrow``: a part holding an undecodable byte cannot be UTF-8 as it is; a part
    # valid but for a U+FFFD written in it is HS602's, not the one this finding is about)
    ok = _parts_valid(formats.arrow([p.replace("\ufffd", "a") for p in parts], trim=False), kind)
    return next((p for p, good in zip(parts, ok, strict=True) if not good), value)


class DomainStripped(FormatRule):
    """A company domain carries a scheme, `www.`, a path or a port that HubSpot strips.

    Why: HubSpot keeps only the domain: anything after the top-level domain is dropped [V] S6, so
    `https://acme.com/home` becomes `acme.com`. Two rows that differ only there become one company.
    The dot that ends a fully qualified name (`acme.com.`) is after the top-level domain too: the
    name is valid, and `acme.com` is what remains [I]. A domain valid but for a U+FFFD written in
    it (`https://acm�.com/about`, HS602's) is named here too: the cut is needed either way.
    Example: `https://www.acme.com/about`, `acme.com.`.
    Fix: write `acme.com`.
    """

    code = "HS214"
    name = "domain-stripped"
    severity = Severity.WARNING
    fmt = "domain"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, _prop in self.typed(file, chunk):
            valid, extra = _domains(chunk, column)
            cut = valid & extra
            if (extra & ~valid).any():  # (HS213 reads the same lost letters: once per chunk)
                cut |= extra & lost_letters(chunk, column, "domain", _valid_domains)
            yield from self.cells(chunk, file, column, cut, _stripped_message)


def _stripped_message(value: str) -> str:
    return (f"{quote(value)} is not a bare domain; HubSpot keeps only the domain name: "
            f"write {quote(formats.domain_host(value))}")


def _valid_domains(arr: Any) -> Any:
    return formats.domains(arr)[0]


class InvalidPhone(FormatRule):
    """A phone cell holds something other than a phone number, or too few digits to be one.

    Why: HubSpot expects `+<country code><number>`, an extension as `ext<n>` [V] S6, and formats
    the number by its country code. Letters, or no digit at all, mean the value will not dial.
    Checked is what the cell is made of (digits, spaces, `( ) . - /`, a leading `+`, an extension
    as `ext`, `x` or `#` and digits) and that it has at least 7 digits before its extension: the
    shortest numbers in use with their country code (Niue's and Tokelau's, `+683 4002`) have 7,
    so `12` or `+1` is a fragment. How many a given country's numbers need is HubSpot's to judge.
    A number in digits other than 0-9 (full-width `＋８１ ３-１２３４-５６７８` from a CJK input
    method, Arabic-Indic `٤٣٤٥٦٧٨٩`): whether HubSpot reads them is not documented [GAP], and the
    message names the digits and gives the number in 0-9 to write, as HS206 and HS252 do.
    A number after a leading apostrophe (`'+14155550132`, Excel's mark for text) is HS436's alone,
    which names the apostrophe (with HS436 turned off, reported here).
    Example: `call reception`, `555-CALL-NOW`, `+1`, `12`, `＋８１ ３-１２３４-５６７８`.
    Fix: write `+14155550101 ext12`, in the digits 0-9 (`+81 3-1234-5678`).
    """

    code = "HS215"
    name = "invalid-phone"
    severity = Severity.WARNING
    hubspot_error = "INVALID_PROPERTY_VALUE_FORMAT"
    fmt = "phone"

    message = "{value} is not a phone number (+<country><number> ext<n>)"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        quoted = file.reports(LeadingApostrophe.code)  # `'+14155550132`: HS436 names the apostrophe
        for column, _prop in self.typed(file, chunk):
            blank = blank_at(chunk, column.index)
            if blank.all():  # (a column left empty, as a fax column often is: no cell parsed)
                continue
            bad = filled_invalid(cells(chunk, column), blank, self.valid)
            if quoted and bad.any():
                bad &= ~apostrophe(chunk, column)
            yield from self.cells(chunk, file, column, bad, self.describe)

    def valid(self, arr: Any) -> Any:
        return formats.phones(arr) & (formats.phone_digits(arr) >= formats.PHONE_MIN_DIGITS)

    def describe(self, value: str) -> str:
        arr = formats.arrow([value])
        if not formats.phones(arr)[0]:
            plain = formats.in_ascii_digits(value)
            if plain is None or not formats.phones(formats.arrow([plain]))[0]:
                return super().describe(value)
            return _other_digits_phone(value, plain)
        return f"{quote(value)} has {_too_few(int(formats.phone_digits(arr)[0]))}"


def filled_invalid(arr: pa.Array, blank: np.ndarray, valid: Callable[[pa.Array], Any]) -> np.ndarray:
    """``~valid(arr) & ~blank`` for a per-cell ``valid``: where most cells are blank, ``valid``
    runs on the others only."""
    if 2 * (len(blank) - int(np.count_nonzero(blank))) >= len(blank):
        return np.asarray(~valid(arr) & ~blank, dtype=bool)
    filled = np.flatnonzero(~blank)
    bad = np.zeros(len(blank), dtype=bool)
    if len(filled):
        bad[filled] = ~np.asarray(valid(pc.take(arr, pa.array(filled))), dtype=bool)
    return bad


def _too_few(digits: int) -> str:
    return (f"{digits} digit{'s' if digits != 1 else ''}, too few for a phone number with its country code "
            f"(the shortest in use have {formats.PHONE_MIN_DIGITS})")


def _other_digits_phone(value: str, plain: str) -> str:
    """HS215's message for a phone number in digits of another script (``plain``: in 0-9)."""
    words = formats.digit_script(value)
    digits = int(formats.phone_digits(formats.arrow([plain]))[0])
    if digits < formats.PHONE_MIN_DIGITS:
        return f"{quote(value)} has {words} digits; in 0-9 it is {plain}, which has {_too_few(digits)}"
    return (f"{quote(value)} has {words} digits; HubSpot documents phone numbers in the digits 0-9, and "
            f"whether it reads others is not documented: write {plain}")


class UnparseableTerm(FormatRule):
    """A product or line-item term is not an ISO-8601 period or a month count.

    Why: the term takes `PnYnMnD` / `PnW` (`P12M`, `P1Y`) or a plain month count (`12`) [V] S6;
    other values fail with COULD_NOT_PARSE_TERM.
    Example: `12 months`, `1 year`.
    Fix: write `P12M` or `12`.
    """

    code = "HS216"
    name = "unparseable-term"
    hubspot_error = "COULD_NOT_PARSE_TERM"
    fmt = "term"

    message = "{value} is not a term (P12M, P1Y or a number of months)"

    def valid(self, arr: Any) -> Any:
        return formats.terms(arr)


class TermOutOfRange(FormatRule):
    """A product or line-item term parses but has no length, or is longer than `max_years`.

    Why: HubSpot has an errorType for a term that parses but lies outside the allowed range
    (OUTSIDE_VALID_TERM_RANGE); the range itself is not documented ([GAP]), hence a warning.
    A term of no length (`0`, `P0M`) bills for no period at all, and one longer than
    `max_years` (default 100) is far more often a price or a day count typed into the term
    column than a contract [I]. A blank cell is the default term [V] S6 and is not judged.
    Example: `P0M`, `0`, or `2400` (200 years).
    Fix: write the term in months (`12`) or as a period (`P1Y`); leave the cell blank for the
    default term; raise `max_years` for this rule where such terms are meant.
    """

    code = "HS244"
    name = "term-out-of-range"
    severity = Severity.WARNING
    hubspot_error = "OUTSIDE_VALID_TERM_RANGE"
    fmt = "term"
    options: ClassVar[Mapping[str, Any]] = {"max_years": 100}

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        most = option_float(self.opt["max_years"])
        for column, _prop in self.typed(file, chunk):
            months = formats.term_months(cells(chunk, column))
            yield from self.cells(chunk, file, column, months == 0, "{value} is a term of no length")
            yield from self.cells(chunk, file, column, months > most * 12,
                                  f"{{value}} is a term of more than {most:g} years")


class InvalidFileId(FormatRule):
    """A file property cell is not a File Manager file ID.

    Why: file properties take the File ID from HubSpot's File Manager [V] S6; other values fail
    with INVALID_ENUM_FILE_ID_OR_URL.
    Example: `contract.pdf`.
    Fix: upload the file to the File Manager and use its numeric ID.
    """

    code = "HS217"
    name = "invalid-file-id"
    hubspot_error = "INVALID_ENUM_FILE_ID_OR_URL"
    fmt = "file"

    message = "{value} is not a File Manager file ID"

    def valid(self, arr: Any) -> Any:
        return formats.file_ids(arr)


class ValueTooLong(ValueRule):
    """A cell is longer than the 65,536 characters a HubSpot property value holds.

    Why: a string property holds at most 65,536 characters [V] S10; longer cells fail with
    COLUMN_TOO_LARGE.
    Example: a notes column holding a whole e-mail thread.
    Fix: shorten the value, or attach the text as a note or file.
    """

    code = "HS218"
    name = "value-too-long"
    hubspot_error = "COLUMN_TOO_LARGE"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column in with_values(chunk, file.mapped()):
            seen = screen(chunk, column.index)
            if seen.longest <= formats.MAX_TEXT:
                continue  # no cell has more bytes, so none more characters, than the limit
            bad = formats.too_long(cells(chunk, column))
            yield from self.cells(chunk, file, column, bad,
                                  lambda v: f"the value has {len(v):,} characters, more than 65,536")
