"""A contact's email that is another row's additional email (HS308), and a company's domain that
is another row's additional domain (HS319), in one file or across the import's files.

Emails are keyed as the duplicate rules key them (without regard to case), domains as the host
HubSpot keeps, and the key sets of the file are the ones HS301 fills (shared, not copied);
additional emails are split at ``;`` as an address list is, additional domains at every ``;``.
Each earlier file's key sets are kept for the files after it, so memory follows the distinct
identifiers of the import, never its rows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from validator.checks._facts import screen
from validator.checks.base import CatalogRule, Hit, quote
from validator.checks.identity_forms import MAY_COMPOSE, out_of_nfc
from validator.checks.typed import VALUE_COLUMN_TYPES, cells
from validator.context import Column, FileContext, ImportContext
from validator.findings import Severity
from validator.keys import (
    KeySet,
    cell_keys,
    first_seen,
    hashes,
    id_kind,
    key_batch,
    part_keys,
    shared_set,
)
from validator.keys.columns import normaliser
from validator.readers.base import Chunk
from validator.request import ColumnSpec


class _AdditionalConflict(CatalogRule):
    """A record's primary identifier (``prop``) that is another row's additional one (``extra``,
    a ``;`` list), of one object: each pair of rows reported once, at the later row, naming the
    other (and its file, if another one)."""

    object_id = ""
    prop = ""  # the primary identifier: email, domain
    extra = ""  # the list of additional ones: hs_additional_emails, hs_additional_domains
    why = ""  # the end of each message (from its colon): why the two rows conflict
    spans_files = True  # each file's identifiers are kept for the conflicts of the files after it
    # also compared in NFC form (HS325's forms), where the bytes differ: a second look, with
    # ``forms_why`` as the end of its messages
    forms = False
    forms_why = ""

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.active = False  # the import maps both a primary and an additional identifiers column
        self.primary: list[Column] = []
        self.extras: list[Column] = []
        self.listed = KeySet()  # this file's additional identifiers, with the first row listing each
        # (``forms``) the NFC keys of this file's identifiers out of NFC form: primary, additional
        self.odd, self.listed_odd = KeySet(), KeySet()
        # each earlier file's primary key sets (shared with the duplicate rules: kept, not copied)
        # and additional identifiers (and those out of NFC form): memory follows the distinct
        # identifiers, never the rows
        self.earlier: list[tuple[str, list[KeySet], KeySet, KeySet, KeySet]] = []

    def on_import(self, ctx: ImportContext) -> Iterator[Hit]:
        yield from super().on_import(ctx)
        specs = [c for f in ctx.spec.files for c in f.columns]
        self.active = any(self._primary(c) for c in specs) and any(self._additional(c) for c in specs)
        self.earlier = []

    def _primary(self, spec: ColumnSpec | None) -> bool:
        return (spec is not None and spec.object_type_id == self.object_id and spec.property_name == self.prop
                and id_kind(spec, self.catalog) == "alternate")

    def _additional(self, spec: ColumnSpec | None) -> bool:
        """A column of the object's additional identifiers (a value column, not pointing at other
        records)."""
        return (spec is not None and not spec.ignored and spec.column_type in VALUE_COLUMN_TYPES
                and spec.object_type_id == self.object_id and spec.property_name == self.extra
                and spec.to_object_type is None)

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.listed = KeySet()
        self.primary = [c for c in file.mapped() if self._primary(c.spec)] if self.active else []
        self.extras = [c for c in file.mapped() if self._additional(c.spec)] if self.active else []
        yield from ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if not self.primary and not self.extras:
            return
        rows = chunk.rows
        for column in self.primary:  # this chunk's identifiers join the file's sets
            first_seen(chunk, file, column, self.prop)
        own = [cell_keys(chunk, column, self.prop) for column in self.primary]
        nfc = self._nfc_own(chunk, own)
        at, keys, shown, which, nfc_keys = self._parts(chunk, own, nfc)
        order = np.argsort(at, kind="stable") if len(self.extras) > 1 else slice(None)  # in row order
        self.listed.add(keys[order], rows[at[order]])
        if nfc is not None:  # the identifiers out of NFC form, by their NFC form's key
            odd = nfc_keys[order] != keys[order]
            self.listed_odd.add(nfc_keys[order][odd], rows[at[order]][odd])
            pos = np.concatenate([p for p, _ in own] + [np.empty(0, np.intp)])
            ko = np.concatenate([k for _, k in own] + [np.empty(0, np.uint64)])
            kn = np.concatenate([*nfc, np.empty(0, np.uint64)])
            odd_own = np.flatnonzero(kn != ko)
            by_row = odd_own[np.argsort(rows[pos[odd_own]], kind="stable")]
            self.odd.add(kn[by_row], rows[pos[by_row]])
        this = (None, [shared_set(file, c, self.prop) for c in self.primary], self.listed, self.odd, self.listed_odd)
        sources = [*self.earlier, this]
        # each pair of rows is reported once, at the later row: an identifier listed as additional
        # by an earlier row, or an additional one that an earlier row has as its own; the earliest
        # such row is named (an earlier file's before this file's). Where none is found byte for
        # byte (without regard to case), the NFC forms are compared (``forms``): another message
        for j, column in enumerate(self.primary):
            pos, own_keys = own[j]
            left = np.ones(len(pos), bool)
            looks = [(own_keys, False, self.why)]
            if nfc is not None:
                looks.append((nfc[j], True, self.forms_why))
            for lookup, forms, why in looks:
                for name, _sets, listed, _odd, listed_odd in sources:
                    found, listing = _first_rows([listed, listed_odd] if forms else [listed], lookup)
                    hit = left & found & ((listing < rows[pos]) if name is None else True)
                    left &= ~hit
                    if hit.any():
                        yield key_batch(self, chunk, file, column, pos[hit], listing[hit],
                                        self._conflict(self.prop, f"an additional {self.prop}", name, why),
                                        keys=self._compared(chunk.column(column.index).iloc[pos[hit]]))
        left = np.ones(len(at), bool)
        looks = [(keys, False, self.why)]
        if nfc is not None:
            looks.append((nfc_keys, True, self.forms_why))
        done: set[tuple[str | None, int, int, int]] = set()  # (file, cell's position, column, other row)
        for lookup, forms, why in looks:
            for name, sets, _listed, odd_own_set, _listed_odd in sources:
                found, owner = _first_rows([*sets, odd_own_set] if forms else sets, lookup)
                hit = left & found & ((owner < rows[at]) if name is None else True)
                left &= ~hit
                # a cell listing the other row's identifier twice, in two forms, is one pair of rows
                for i in np.flatnonzero(hit):
                    pair = (name, int(at[i]), int(which[i]), int(owner[i]))
                    hit[i] = pair not in done
                    done.add(pair)
                for j in np.unique(which[hit]):
                    mine = hit & (which == j)
                    yield key_batch(self, chunk, file, self.extras[j], at[mine], owner[mine],
                                    self._conflict(f"additional {self.prop}", f"the {self.prop}", name, why),
                                    shown=shown[mine], keys=self._compared(pd.Series(shown[mine], dtype=object)))

    def _compared(self, texts: pd.Series) -> np.ndarray:
        """The identifiers ``texts`` (a row's own, or one part of another row's list) as compared
        (``normaliser``; in NFC form first, with ``forms``): what a finding is keyed by
        (``value:<key>``). The two rows meet in one identifier, so the finding keeps its key
        whichever of them comes later, though it moves to the other row's column (and message):
        baselines and fingerprints leave its column out (``findings.COLUMN_MOVES``)."""
        return normaliser(self.prop)(texts.str.normalize("NFC") if self.forms else texts).to_numpy(dtype=object)

    def _nfc_own(self, chunk: Chunk, own: list[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray] | None:
        """(``forms``) each primary column's keys, those of its cells out of NFC form keyed by
        their NFC form; None where a look in NFC form cannot find more than the bytes do (no
        cell of the chunk can be out of NFC form, and no file so far has one)."""
        if not self.forms:
            return None
        columns = [*self.primary, *self.extras]
        if (not len(self.odd) and not len(self.listed_odd) and not any(len(e[3]) or len(e[4]) for e in self.earlier)
                and not any(b >= MAY_COMPOSE for c in columns for b in screen(chunk, c.index).present)):
            return None
        out = []
        for column, (pos, keys) in zip(self.primary, own, strict=True):
            odd, forms = out_of_nfc(cells(chunk, column), pos)
            keys = keys.copy()
            if odd.any():
                keys[odd] = hashes(normaliser(self.prop)(forms.to_pandas().astype(object)))
            out.append(keys)
        return out

    def _parts(self, chunk: Chunk, own: list[tuple[np.ndarray, np.ndarray]], nfc: list[np.ndarray] | None,
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(positions, keys, parts as written, index into ``extras``, keys in NFC form) of the
        additional identifiers of every additional column, column after column, each in row
        order; without a row's own identifier (of ``own``, the primary columns' keys; compared
        in NFC form where ``nfc`` has those keys so)."""
        got = [part_keys(chunk, c, self.prop) for c in self.extras]  # keyed as the primary ones are
        if not got:
            none = np.empty(0, np.uint64)
            return np.empty(0, np.intp), none, np.empty(0, object), np.empty(0, np.intp), none
        at = np.concatenate([g[0] for g in got])
        keys = np.concatenate([g[1] for g in got])
        shown = np.concatenate([g[2] for g in got])
        which = np.repeat(np.arange(len(got)), [len(g[0]) for g in got])
        nfc_keys = keys if nfc is None else _nfc_parts(keys, shown, self.prop)
        other = np.ones(len(at), bool)
        for j, (pos, own_keys) in enumerate(own):  # the row's own identifier among its additional ones
            mine = np.zeros(len(chunk), np.uint64)
            has = np.zeros(len(chunk), bool)
            mine[pos], has[pos] = (own_keys if nfc is None else nfc[j]), True
            other &= ~(has[at] & (mine[at] == nfc_keys))
        return at[other], keys[other], shown[other], which[other], nfc_keys[other]

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        if self.primary or self.extras:  # kept for the files after this one
            self.earlier.append((file.name, [shared_set(file, c, self.prop) for c in self.primary], self.listed,
                                 self.odd, self.listed_odd))
        self.primary, self.extras, self.listed = [], [], KeySet()
        self.odd, self.listed_odd = KeySet(), KeySet()
        yield from ()

    def _conflict(self, what: str, other: str, file: str | None, why: str) -> Callable[[str, int], str]:
        where = f" of {file}" if file is not None else ""
        return lambda value, row: f"{what} {quote(value)} is {other} of row {row}{where}{why}"


class EmailIsAdditionalEmail(_AdditionalConflict):
    """A contact's email is another row's additional email (`hs_additional_emails`).

    Why: HubSpot keeps an address on one contact: a new contact's email may not be an existing
    contact's additional email (fact sheet 4.2, [V] S6), and an additional email that is another
    contact's email cannot be saved (SECONDARY_EMAIL_WRITE_FAILURE). Two rows of one import that
    share an address this way conflict once either is imported; that the other then fails is
    our inference from the rule for existing records, hence a warning. Emails are compared
    without regard to case, additional emails split at `;` (not inside a quoted local part,
    `"a;b"@x.com`); a contact listing its own email among its additional ones conflicts with no
    other row. Where the bytes differ, the NFC forms are compared as HS325 compares emails (`é` as
    one character or as `e` and U+0301): whether HubSpot takes the two forms for one address is
    not documented ([GAP], fact sheet 6), and the message says so; a warning still, as for one
    form. HS325 compares emails with emails only, so no pair is reported by both. Every contacts
    email column and every Additional emails column of the import counts, in one file or across
    its files (an email in one file, additional emails in another). Each pair of rows is
    reported once, at the later row (files in the request's order), naming the other row (and
    its file, if another one).
    Example: row 2 `ann@x.com` with additional emails `bo@x.com;cy@x.com`, and row 7 `Bo@X.com`.
    Fix: decide which contact owns the address: take it out of the other row's additional
    emails, or merge the two rows into one contact.
    """

    code = "HS308"
    name = "email-is-additional-email"
    severity = Severity.WARNING
    hubspot_error = "SECONDARY_EMAIL_WRITE_FAILURE"
    object_id, prop, extra = "0-1", "email", "hs_additional_emails"
    why = ": HubSpot keeps an address on one contact, so one of the two rows is likely to fail"
    forms = True
    forms_why = (" in another Unicode form (an accent as its own character, or a letter written two ways): "
                 "whether HubSpot takes them as one address is not documented; if it does, it keeps the "
                 "address on one contact, so one of the two rows is likely to fail")


class DomainIsAdditionalDomain(_AdditionalConflict):
    """A company's domain is another row's additional domain (`hs_additional_domains`).

    Why: a new company's domain may not be an existing record's additional domain (fact sheet
    4.2, [V] S6). Two rows of one import that share a domain this way conflict once the row
    listing it as additional is imported first; that the other then fails is our inference from
    the rule for existing records, and HubSpot names no errorType for it, hence a warning.
    Domains are compared as the host HubSpot keeps (`https://www.Acme.com/x` is `acme.com`),
    additional domains split at `;`; a company listing its own domain among its additional ones
    conflicts with no other row. Every companies domain column and every Additional domains
    column of the import counts, in one file or across its files. Each pair of rows is reported
    once, at the later row (files in the request's order), naming the other row (and its file,
    if another one).
    Example: row 2 `acme.com` with additional domains `acme.co.uk;acme.de`, and row 5 `acme.de`.
    Fix: decide which company owns the domain: take it out of the other row's additional
    domains, or merge the two rows into one company.
    """

    code = "HS319"
    name = "domain-is-additional-domain"
    severity = Severity.WARNING
    object_id, prop, extra = "0-2", "domain", "hs_additional_domains"
    why = (": a new company's domain may not be another company's additional domain, so one of the two "
           "rows may fail")


CONTACTS = EmailIsAdditionalEmail.object_id


def _nfc_parts(keys: np.ndarray, shown: np.ndarray, prop: str) -> np.ndarray:
    """``keys`` of the parts ``shown``, those of the parts out of NFC form keyed by their NFC form
    (only a part holding a character from U+0300 up can be one: ``MAY_COMPOSE``)."""
    odd = [i for i, text in enumerate(shown)
           if max(text, default="\0") >= "\u0300" and not unicodedata.is_normalized("NFC", text)]
    if not odd:
        return keys
    out = keys.copy()
    forms = pd.Series([unicodedata.normalize("NFC", shown[i]) for i in odd], dtype=object)
    out[odd] = hashes(normaliser(prop)(forms))
    return out


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
