"""What a cell looks like, as HS255 tells a column's values apart: an email address, a web
address, a date, a phone number or a number, by patterns over a sample (``values_kinds``).

Not a rule family: it holds no rules (the registry skips modules whose names start with ``_``).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from validator import formats

# the kinds a cell can look like, in the order a cell is given one (an email address before a
# web address: `https://ann@acme.com` is both shapes; a date before a phone number: 03-15-2024 is
# both shapes)
EMAIL, DATE, WEB, PHONE, NUMBER = "email", "date", "web", "phone", "number"
PLURAL = {EMAIL: "email addresses", DATE: "dates", WEB: "web addresses", PHONE: "phone numbers", NUMBER: "numbers"}
_EMAIL_SHAPE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# a URL from its scheme or `www.`; or a bare domain: labels of letters, digits and hyphens (a
# character past ASCII counts as a letter: `bücher.de`), the last one of two letters or more
# (`1.5`, `15.03.2024` are none) or an IDNA `xn--` label, then maybe the root's dot, a port, a
# path. ASCII classes and one range: RE2 compiles Unicode's letter classes at each call (~40 ms)
_WEB_LETTER = r"a-z\x{80}-\x{10FFFF}"
_WEB_LABEL = rf"[0-9{_WEB_LETTER}](?:[0-9{_WEB_LETTER}-]*[0-9{_WEB_LETTER}])?"
_WEB_SHAPE = (rf"(?i)^(?:https?://|www\.)\S+$|"
              rf"^(?:{_WEB_LABEL}\.)+(?:[{_WEB_LETTER}]{{2,}}|xn--[a-z0-9-]+)\.?(?:[:/?#]\S*)?$")
_PLAIN_NUMBER = r"^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$|^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"
_DIGITS_ONLY = r"^-?(?:\d+(?:\.\d+)?|\.\d+)$|^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"
_PHONE_SHAPE = r"^\+?[\d\s().\-]*\d[\d\s().\-]*$"


def cell_kinds(arr: pa.Array, least: float = 0) -> np.ndarray:
    """Each cell's kind (``EMAIL``, ``DATE``, ``WEB``, ``PHONE``, ``NUMBER``) or '' (trimmed,
    non-blank cells). An email address: one `@`, a dot after it, no spaces. A date: one under any
    of the three dateFormats (a bare number is not counted as a date, though HubSpot may read it
    as epoch milliseconds). A web address, not an email address or a date: a URL starting
    `http://`, `https://` or `www.` with no space, or a domain (`acme.com`, `sub.acme.co.uk`,
    `acme.com/about`) whose last label is letters (`1.5`, `15.03.2024` are none). A phone
    number: `+`, digits, spaces, brackets, hyphens and dots with 7 to 15 digits, but not digits
    alone (`4155550101` is a number; `+14155550101`, `415-555-0101` are phone numbers). A number:
    digits with one decimal point, or thousands separated by commas.
    Dates are looked for only where at least ``least`` cells may be one (parsing them is the cost)."""
    out = np.full(len(arr), "", dtype=object)
    if not len(arr):
        return out
    email = formats.matches(arr, _EMAIL_SHAPE)
    out[email] = EMAIL
    rest = ~email
    may_date = rest & may_be(arr, {DATE})
    if may_date.any() and may_date.sum() >= least:
        dated = np.zeros(len(arr), dtype=bool)
        for ok in formats.date_verdict(arr.filter(pa.array(may_date)), with_time=True).values():
            dated[np.flatnonzero(may_date)[ok]] = True
        out[dated] = DATE
        rest &= ~dated
    web = rest & formats.matches(arr, _WEB_SHAPE)  # (letters: never a phone number or a number)
    out[web] = WEB
    rest &= ~web
    digits = formats.phone_digits(arr)
    phone = (rest & formats.matches(arr, _PHONE_SHAPE) & (digits >= 7) & (digits <= 15)
             & ~formats.matches(arr, _DIGITS_ONLY))
    out[phone] = PHONE
    rest &= ~phone
    out[rest & formats.matches(arr, _PLAIN_NUMBER)] = NUMBER
    return out


def may_be(arr: pa.Array, kinds: frozenset[str] | set[str]) -> np.ndarray:
    """Cells that may be of one of ``kinds`` by their characters alone (a date: a digit, no
    `@`, at most five words), a necessary condition that costs a pattern or two."""
    out = np.zeros(len(arr), dtype=bool)
    if EMAIL in kinds:
        out |= formats.matches(arr, _EMAIL_SHAPE)
    if WEB in kinds:
        out |= formats.matches(arr, _WEB_SHAPE)
    if PHONE in kinds:
        out |= formats.matches(arr, _PHONE_SHAPE)
    if NUMBER in kinds:
        out |= formats.matches(arr, _PLAIN_NUMBER)
    if DATE in kinds:
        out |= formats.matches(arr, r"^[^@]*\d[^@]*$") & formats.matches(arr, r"^\S+(?:\s+\S+){0,4}$")
    return out
