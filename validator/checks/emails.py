"""Email rules beside HS212 (HS246): addresses RFC 5321 allows that HubSpot may still refuse."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from validator import formats
from validator.catalog import Property
from validator.checks._facts import rows_with
from validator.checks.base import Hit, quote
from validator.checks.typed import ValueRule, cells
from validator.context import FileContext
from validator.findings import Severity
from validator.readers.base import Chunk


class RareEmailForm(ValueRule):
    """An email cell is a valid address in a form few senders use: a quoted local part or an IP
    address in brackets for the domain.

    Why: RFC 5321 mail takes `"john.doe"@example.com` and `user@[192.168.1.1]`, so they are not
    HS212's malformed addresses; but HubSpot does not publish the grammar behind INVALID_EMAIL
    ([GAP], fact sheet 6), and many mail systems and forms refuse these forms, hence a warning.
    Example: `"john.doe"@example.com`, `user@[192.168.1.1]`, `ann@[IPv6:2001:db8::1]`.
    Fix: use the address's usual form if it has one (`john.doe@example.com`); otherwise import a
    test row first and see whether HubSpot keeps it.
    """

    code = "HS246"
    name = "rare-email-form"
    severity = Severity.WARNING
    hubspot_error = "INVALID_EMAIL"

    def wants(self, prop: Property) -> bool:
        return prop.format == "email" and prop.type in ("string", "enumeration", "phone_number")

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, _prop in self.typed(file):
            at = np.flatnonzero(rows_with(chunk, column.index, b'"['))  # a byte screen: rare
            if not len(at):
                continue
            bad = np.zeros(len(chunk), bool)
            bad[at] = formats.rare_emails(cells(chunk, column).take(pa.array(at)))
            yield from self.cells(chunk, file, column, bad, _message)


def _message(value: str) -> str:
    form = "a quoted local part" if value.strip().startswith('"') else "an IP address for a domain"
    return f"{quote(value)} has {form}; valid, but HubSpot's email grammar is unpublished"
