"""Email rules beside HS212 (HS246, HS248): addresses RFC 5321 allows that HubSpot may still
refuse, in an email column or in a list of additional emails, and addresses longer than RFC 5321
allows."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from validator import formats
from validator.catalog import Property
from validator.checks._facts import blank_at, rows_with, screen
from validator.checks.base import Hit, quote
from validator.checks.typed import ValueRule, cells
from validator.checks.values_formats import valid_emails
from validator.context import FileContext
from validator.findings import Severity
from validator.keys import split_list, split_quoted
from validator.readers.base import Chunk
from validator.readers.text import non_ascii_cells


class _AddressRule(ValueRule):
    """A rule over email cells and the addresses of Additional emails lists (``_listed``)."""

    def wants(self, prop: Property) -> bool:
        return ((prop.format == "email" and prop.type in ("string", "enumeration", "phone_number"))
                or _listed(prop))


class RareEmailForm(_AddressRule):
    """An email, or an address of an Additional emails list, is valid in a form few senders use:
    a quoted local part, an IP address in brackets for the domain, or a local part that is not
    ASCII.

    Why: RFC 5321 mail takes `"john.doe"@example.com` and `user@[192.168.1.1]`, and RFC 6531 mail
    `josé@example.com`, so they are not HS212's malformed addresses; but HubSpot does not
    publish the grammar behind INVALID_EMAIL ([GAP], fact sheet 6), many mail systems and forms
    refuse these forms (a local part that is not ASCII needs SMTPUTF8 on every server on the
    way, and RFC 2822's grammar has ASCII only), hence a warning. A domain that is not ASCII
    (`taro@例え.jp`) is not reported: it has an ASCII form (`xn--`) every server takes.
    Each address of an Additional emails list (`hs_additional_emails`, split at `;` as HS245
    splits it: not inside a quoted local part) is looked at too; the cell is reported once,
    naming its first such address.
    Example: `"john.doe"@example.com`, `user@[192.168.1.1]`, `ann@[IPv6:2001:db8::1]`,
    `josé@例え.jp`, `ann@x.com;"bo lee"@x.com` as additional emails.
    Fix: use the address's usual form if it has one (`john.doe@example.com`, or the ASCII
    address many providers give beside an internationalised one); otherwise import a test row
    first and see whether HubSpot keeps it.
    """

    code = "HS246"
    name = "rare-email-form"
    severity = Severity.WARNING
    hubspot_error = "INVALID_EMAIL"
    constants = (r"RFC 6531",)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file, chunk):
            rare = rows_with(chunk, column.index, b'"[')  # byte screens: rare
            if any(b >= 0x80 for b in screen(chunk, column.index).present):
                rare = rare | non_ascii_cells(cells(chunk, column))
            at = np.flatnonzero(rare)
            if not len(at):
                continue
            arr = cells(chunk, column).take(pa.array(at))
            bad = np.zeros(len(chunk), bool)
            if not _listed(prop):
                bad[at] = _rare(arr, valid_emails(chunk, column)[at])
                yield from self.cells(chunk, file, column, bad, _message)
                continue
            parent, parts = split_list(arr, ";", quoted=True)
            bad[at[parent[_rare(pc.utf8_trim_whitespace(parts))]]] = True
            yield from self.cells(chunk, file, column, bad, _list_message)


def _rare(arr: pa.Array, valid: np.ndarray | None = None) -> np.ndarray:
    """Which of ``arr`` are a rare form: each form's pattern only over the cells that can hold it
    (a quote or bracket; a byte past ASCII), as pyarrow compiles a regex at every call: the
    quoted-form pattern over every chunk's non-ASCII emails (5% of the bench's: carlos.müller)
    cost 0.08 s a million rows. ``valid``, where given, is ``formats.emails`` of ``arr`` (HS212's,
    computed once per chunk), for the local parts that are not ASCII."""
    out = np.zeros(len(arr), bool)
    at = np.flatnonzero(_quoted_or_bracketed(arr))
    if len(at):
        out[at] |= formats.rare_emails(arr.take(pa.array(at)))
    at = np.flatnonzero(non_ascii_cells(arr))
    if len(at):
        out[at] |= formats.wide_local_emails(arr.take(pa.array(at)), None if valid is None else valid[at])
    return out


def _quoted_or_bracketed(arr: pa.Array) -> np.ndarray:
    return np.asarray(pc.or_(pc.match_substring(arr, '"'), pc.match_substring(arr, "[")).fill_null(False))


def _listed(prop: Property) -> bool:
    """A contact's Additional emails: several addresses separated by ``;`` (fact sheet 6, [V])."""
    return prop.name == "hs_additional_emails" and prop.object_id == "0-1"


def _form(address: str) -> str:
    address = address.strip()
    if address.startswith('"'):
        return "a quoted local part"
    if address.endswith("]"):
        return "an IP address for a domain"
    return "a local part that is not ASCII (RFC 6531)"


def _message(value: str) -> str:
    return f"{quote(value)} has {_form(value)}; valid, but HubSpot's email grammar is unpublished"


def _list_message(value: str) -> str:
    parts = [p.strip() for p in split_quoted(value)]
    # (``formats.arrow``: a part holding an undecodable byte cannot be UTF-8 as it is)
    rare = _rare(formats.arrow(parts, trim=False))
    part = next((p for p, yes in zip(parts, rare, strict=True) if yes), value)
    return (f"{quote(part)} in {quote(value)} has {_form(part)}; valid, but HubSpot's email grammar "
            "is unpublished")


class LongEmail(_AddressRule):
    """An email address, or an address of an Additional emails list, is longer than RFC 5321
    allows: a local part over 64 octets, a domain label over 63 (RFC 1035; an internationalised
    label as its `xn--` form), or over 254 in all.

    Why: HS212's grammar looks at an address's characters, not its lengths, and such an address
    cannot be delivered: mail servers and DNS refuse it. Whether HubSpot's INVALID_EMAIL check
    counts lengths is not documented ([GAP], fact sheet 6), hence a warning. Each address of an
    Additional emails list (split at `;` as HS245 splits it) is measured too; the cell is
    reported once, naming its first such address (one HS245 refuses is HS245's alone).
    Example: a 65-character local part before `@example.com`; `ann@` and a 64-letter label `.com`;
    `ann@x.com;` and that 65-character local part as additional emails.
    Fix: correct the address (a long one is often two addresses run together, or text pasted in).
    """

    code = "HS248"
    name = "email-too-long"
    severity = Severity.WARNING
    hubspot_error = "INVALID_EMAIL"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file, chunk):
            seen = screen(chunk, column.index)
            if seen.longest <= formats.LOCAL_MAX + 1 and not any(b >= 0x80 for b in seen.present):
                continue  # ASCII cells of 65 bytes or fewer: no address (nor list part) can pass a limit
            arr = cells(chunk, column)
            if _listed(prop):
                yield from self.cells(chunk, file, column, _long_lists(arr, blank_at(chunk, column.index)),
                                      _long_list_message)
                continue
            bad = formats.long_emails(arr) & ~blank_at(chunk, column.index)
            at = np.flatnonzero(bad)
            if len(at):  # a cell HS212 refuses is HS212's alone
                bad[at] = formats.emails(arr.take(pa.array(at)))
            yield from self.cells(chunk, file, column, bad, _long_message)


def _long_lists(arr: pa.Array, blank: np.ndarray) -> np.ndarray:
    """Lists of additional emails holding an address ``formats.emails`` takes but that is too
    long; only cells over 65 octets or with a non-ASCII byte are split (``formats.long_emails``:
    a shorter ASCII cell cannot hold a too long address)."""
    size = np.asarray(pc.fill_null(pc.binary_length(arr), 0).to_numpy(zero_copy_only=False), dtype=np.int64)
    bad = np.zeros(len(arr), bool)
    at = np.flatnonzero(~blank & ((size > formats.LOCAL_MAX + 1) | non_ascii_cells(arr)))
    if not len(at):
        return bad
    parent, parts = split_list(arr.take(pa.array(at)), ";", quoted=True)
    parts = pc.utf8_trim_whitespace(parts)
    long = np.flatnonzero(formats.long_emails(parts))
    if len(long):  # a part HS245 refuses is HS245's alone
        long = long[formats.emails(parts.take(pa.array(long)))]
    bad[at[parent[long]]] = True
    return bad


def _long_list_message(value: str) -> str:
    parts = [p.strip() for p in split_quoted(value)]
    arr = formats.arrow(parts, trim=False)
    part = next((p for p, yes, ok in zip(parts, formats.long_emails(arr), formats.emails(arr), strict=True)
                 if yes and ok), value)
    return (f"{quote(part)} in {quote(value)} is longer than email allows: {_too_long(part)}; "
            "HubSpot's own limit is not published")


def _long_message(value: str) -> str:
    return f"{quote(value)} is longer than email allows: {_too_long(value)}; HubSpot's own limit is not published"


def _too_long(value: str) -> str:
    """Which of RFC 5321's limits an address passes: its local part, a domain label, its length."""
    address = value.strip()
    local, _, domain = address.rpartition("@")
    octets = len(local.encode("utf-8", "replace"))
    if octets > formats.LOCAL_MAX:
        return f"its local part has {octets} octets (RFC 5321 allows {formats.LOCAL_MAX})"
    label = next((p for p in domain.split(".") if formats.a_label_length(p) > formats.LABEL_MAX), None)
    if label is None:
        return f"it has {len(address.encode('utf-8', 'replace'))} octets (RFC 5321 allows {formats.ADDRESS_MAX})"
    return (f"its domain label {quote(label)} has {formats.a_label_length(label)} octets "
            f"(RFC 1035 allows {formats.LABEL_MAX})")
