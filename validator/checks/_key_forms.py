"""Identifier values that cannot name a record at all (not an email address, a domain name or a
Record ID, as the property they are compared by asks): no row of a file nor any record of the
account has one, so an association key of the kind fails (HS314, HS332), and such a value
repeated is no repeated identifier (HS301, HS303); with what HS314 says of a common-column value.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from validator import formats
from validator.checks._facts import fullmatch
from validator.checks.base import quote
from validator.checks.identity_ids import POSITIVE_INT
from validator.keys import RECORD_ID

# left to the plain message: a value holding an undecodable byte or a lost letter (HS402's and
# HS602's to name), and a list (whether HubSpot splits a common column's cell at `;` is not
# documented, [GAP])
_LEFT = re.compile("[\ud800-\udfff\ufffd;]")
FORMS = {"email": "an email address", "domain": "a domain name",
          RECORD_ID: "a Record ID (a positive 64-bit whole number)"}


def unusable(prop: str | None, values: np.ndarray) -> np.ndarray:
    """Positions of the ``values`` (keys as written) that are not an identifier of the kind
    ``prop`` is: such a key names no record, so the association fails even where a row of the
    owning file holds the same key (that row fails too: HS212, HS213, HS305), and rows holding
    it fail for it, not as duplicates."""
    if prop not in FORMS or not len(values):
        return np.empty(0, np.intp)
    texts = pd.Series(values, dtype=object)
    if prop == RECORD_ID:
        valid = fullmatch(texts, POSITIVE_INT)
    else:
        valid = formats.emails(texts) if prop == "email" else formats.domains(texts)[0]
    invalid = np.flatnonzero(~np.asarray(valid, dtype=bool))  # few: the per-value test on them only
    left = np.fromiter((bool(_LEFT.search(v)) for v in texts.iloc[invalid]), bool, len(invalid))
    return invalid[~left]


def no_row(target: str, where: str | None, prop: str | None, bad: frozenset[str]) -> Callable[[str], str]:
    """The message of a key: one of ``bad`` (``unusable``'s) is no identifier, any other names no row."""
    def render(value: str) -> str:
        if value in bad:
            return (f"{quote(value)} is not {FORMS[prop or '']}, so it names no {target} record, in {where} "
                    "or in the account: the association fails")
        return (f"{quote(value)} matches no {target} row of {where}; the association works only "
                "if the record already exists in the account")
    return render
