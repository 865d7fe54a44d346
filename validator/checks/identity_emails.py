"""A contact's email that is another row's additional email (HS308), in one file or across the
import's files.

Emails are keyed as the duplicate rules key them (without regard to case), and the email key
sets of the file are the ones HS301 fills (shared, not copied); additional emails are split
at ``;`` as an address list is. Each earlier file's key sets are kept for the files after it,
so memory follows the distinct addresses of the import, never its rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from validator.checks.base import CatalogRule, Hit, quote
from validator.checks.typed import VALUE_COLUMN_TYPES
from validator.context import Column, FileContext, ImportContext
from validator.findings import Severity
from validator.keys import (
    KeySet,
    cell_keys,
    first_seen,
    id_kind,
    key_batch,
    part_keys,
    shared_set,
)
from validator.readers.base import Chunk
from validator.request import ColumnSpec


class EmailIsAdditionalEmail(CatalogRule):
    """A contact's email is another row's additional email (`hs_additional_emails`).

    Why: HubSpot keeps an address on one contact: a new contact's email may not be an existing
    contact's additional email (fact sheet 4.2, [V] S6), and an additional email that is another
    contact's email cannot be saved (SECONDARY_EMAIL_WRITE_FAILURE). Two rows of one import that
    share an address this way conflict once either is imported; that the other then fails is
    our inference from the rule for existing records, hence a warning. Emails are compared
    without regard to case, additional emails split at `;` (not inside a quoted local part,
    `"a;b"@x.com`); a contact listing its own email among its additional ones conflicts with no
    other row. Every contacts email column and every Additional emails column of the import
    counts, in one file or across its files (an email in one file, additional emails in
    another). Each pair of rows is reported once, at the later
    row (files in the request's order), naming the other row (and its file, if another one).
    Example: row 2 `ann@x.com` with additional emails `bo@x.com;cy@x.com`, and row 7 `Bo@X.com`.
    Fix: decide which contact owns the address: take it out of the other row's additional
    emails, or merge the two rows into one contact.
    """

    code = "HS308"
    name = "email-is-additional-email"
    severity = Severity.WARNING
    hubspot_error = "SECONDARY_EMAIL_WRITE_FAILURE"

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.active = False  # the import maps both an email and an additional emails column
        self.emails: list[Column] = []
        self.extras: list[Column] = []
        self.listed = KeySet()  # this file's additional emails, with the first row listing each
        # each earlier file's email key sets (shared with the duplicate rules: kept, not copied)
        # and additional emails: memory follows the distinct addresses, never the rows
        self.earlier: list[tuple[str, list[KeySet], KeySet]] = []

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        yield from super().on_import(ctx)
        specs = [c for f in ctx.spec.files for c in f.columns]
        self.active = (any(self._email(c) for c in specs) and any(_additional_emails(c) for c in specs))
        self.earlier = []

    def _email(self, spec: ColumnSpec | None) -> bool:
        return (spec is not None and spec.object_type_id == CONTACTS and spec.property_name == "email"
                and id_kind(spec, self.catalog) == "alternate")

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.listed = KeySet()
        self.emails = [c for c in file.mapped() if self._email(c.spec)] if self.active else []
        self.extras = [c for c in file.mapped() if _additional_emails(c.spec)] if self.active else []
        yield from ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if not self.emails and not self.extras:
            return
        rows = chunk.rows
        for column in self.emails:  # this chunk's emails join the file's sets
            first_seen(chunk, file, column, "email")
        at, keys, shown, which = self._parts(chunk)
        if len(self.extras) > 1:  # in row order (one column's parts already are)
            order = np.argsort(at, kind="stable")
            self.listed.add(keys[order], rows[at[order]])
        else:
            self.listed.add(keys, rows[at])
        sources = [*self.earlier, (None, [shared_set(file, c, "email") for c in self.emails], self.listed)]
        # each pair of rows is reported once, at the later row: an email listed as additional by
        # an earlier row, or an additional email that an earlier row has as its email; the
        # earliest such row is named (an earlier file's before this file's)
        for column in self.emails:
            pos, own = cell_keys(chunk, column, "email")
            left = np.ones(len(pos), bool)
            for name, _sets, listed in sources:
                found, listing = listed.first_rows(own)
                hit = left & found & ((listing < rows[pos]) if name is None else True)
                left &= ~hit
                if hit.any():
                    yield key_batch(self, chunk, file, column, pos[hit], listing[hit],
                                    _conflict("email", "an additional email", name))
        left = np.ones(len(at), bool)
        for name, sets, _listed in sources:
            found, owner = _first_rows(sets, keys)
            hit = left & found & ((owner < rows[at]) if name is None else True)
            left &= ~hit
            for j in np.unique(which[hit]):
                mine = hit & (which == j)
                yield key_batch(self, chunk, file, self.extras[j], at[mine], owner[mine],
                                _conflict("additional email", "the email", name), shown=shown[mine])

    def _parts(self, chunk: Chunk) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(positions, keys, parts as written, index into ``extras``) of the additional emails of
        every additional emails column, column after column, each in row order; without a row's
        own email (in any of the file's email columns)."""
        got = [part_keys(chunk, c, ADDITIONAL_EMAILS) for c in self.extras]
        if not got:
            return np.empty(0, np.intp), np.empty(0, np.uint64), np.empty(0, object), np.empty(0, np.intp)
        at = np.concatenate([g[0] for g in got])
        keys = np.concatenate([g[1] for g in got])
        shown = np.concatenate([g[2] for g in got])
        which = np.repeat(np.arange(len(got)), [len(g[0]) for g in got])
        other = np.ones(len(at), bool)
        for column in self.emails:  # the row's own email among its additional ones
            pos, own_keys = cell_keys(chunk, column, "email")
            own = np.zeros(len(chunk), np.uint64)
            has = np.zeros(len(chunk), bool)
            own[pos], has[pos] = own_keys, True
            other &= ~(has[at] & (own[at] == keys))
        return at[other], keys[other], shown[other], which[other]

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        if self.emails or self.extras:  # kept for the files after this one
            self.earlier.append((file.name, [shared_set(file, c, "email") for c in self.emails], self.listed))
        self.emails, self.extras, self.listed = [], [], KeySet()
        yield from ()


CONTACTS, ADDITIONAL_EMAILS = "0-1", "hs_additional_emails"


def _additional_emails(spec: ColumnSpec | None) -> bool:
    """A column of contacts' additional emails (a value column, not pointing at other records)."""
    return (spec is not None and not spec.ignored and spec.column_type in VALUE_COLUMN_TYPES
            and spec.object_type_id == CONTACTS and spec.property_name == ADDITIONAL_EMAILS
            and spec.to_object_type is None)


def _first_rows(sets: list[KeySet], keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(found mask, the least row where each key was first seen in any of ``sets``)."""
    found = np.zeros(len(keys), bool)
    first = np.zeros(len(keys), np.int64)
    for keyset in sets:
        hit, rows = keyset.first_rows(keys)
        better = hit & (~found | (rows < first))
        first[better] = rows[better]
        found |= hit
    return found, first


def _conflict(what: str, other: str, file: str | None = None) -> Callable[[str, int], str]:
    where = f" of {file}" if file is not None else ""
    return lambda value, row: (f"{what} {quote(value)} is {other} of row {row}{where}: HubSpot keeps an address "
                               "on one contact, so one of the two rows is likely to fail")
