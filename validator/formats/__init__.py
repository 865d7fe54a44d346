"""HubSpot's import value grammars as vectorized predicates (fact sheet 6).

Every predicate takes a Series of cell strings and returns numpy arrays over the same rows: a
boolean mask, and where a rule needs it the parsed value. Work is done by pyarrow compute kernels
(RE2 regular expressions, casts, set lookups), never by a Python loop over cells. Blank cells
(empty or spaces) are HubSpot's "leave the value alone" [V] S6: predicates return True for them
through ``ok = blank | valid`` in the rules, and the parsers mark them ``blank``.

One module per kind of value: ``dates``, ``numbers``, ``options`` (checkboxes and enumerations)
and ``text`` (emails, domains, phones, terms, file IDs, length), on the shared helpers of
``arrays``. Rules use them as ``formats.X``: this package names each one here.
"""

from __future__ import annotations

from validator.formats.arrays import (
    DISTINCT_GLANCE,
    DISTINCT_MIN_ROWS,
    arrow,
    arrow_of_bytes,
    as_mask,
    blank,
    by_bytes_then,
    byte_class_cells,
    distinct_cells,
    fold,
    fold_texts,
    matches,
)
from validator.formats.dates import (
    DATE_FORMATS,
    EPOCH_MS_DIGITS,
    MONTHS,
    PIVOT,
    SERIAL_MAX,
    Dates,
    ParsedTexts,
    SharedTexts,
    ambiguous_dates,
    ambiguous_of,
    date_verdict,
    parse_dates,
    serial_dates,
    serial_datetime,
    serial_numbers,
    valid_ymd,
)
from validator.formats.numbers import (
    CURRENCY,
    DECIMAL_COMMA,
    NUMBER,
    PERCENT,
    SCIENTIFIC,
    SPACED_PERCENT,
    THOUSANDS,
    CurrencyAmount,
    Numbers,
    currency_amount,
    digit_script,
    duration_ms,
    in_ascii_digits,
    matches_one,
    parse_numbers,
    plain_number,
)
from validator.formats.options import BOOL_FALSE, BOOL_TRUE, EnumMatch, OptionSet, bools, match_options
from validator.formats.text import (
    ADDRESS_MAX,
    DAYS_PER_MONTH,
    DOMAIN,
    DOMAIN_ASCII,
    DOMAIN_EXTRA,
    EMAIL,
    EMAIL_ASCII,
    EMAIL_RARE,
    FILE_ID,
    LABEL_MAX,
    LOCAL_MAX,
    MAX_TEXT,
    PHONE,
    PHONE_MIN_DIGITS,
    TERM,
    TERM_PARTS,
    a_label_length,
    domain_host,
    domains,
    emails,
    file_ids,
    long_emails,
    phone_digits,
    phones,
    rare_emails,
    term_months,
    terms,
    too_long,
    wide_local_emails,
)

__all__ = [
    "ADDRESS_MAX", "BOOL_FALSE", "BOOL_TRUE", "CURRENCY", "DATE_FORMATS", "DAYS_PER_MONTH",
    "DECIMAL_COMMA", "DISTINCT_GLANCE", "DISTINCT_MIN_ROWS", "DOMAIN", "DOMAIN_ASCII", "DOMAIN_EXTRA",
    "EMAIL", "EMAIL_ASCII", "EMAIL_RARE", "EPOCH_MS_DIGITS", "FILE_ID", "LABEL_MAX", "LOCAL_MAX",
    "MAX_TEXT", "MONTHS", "NUMBER", "PERCENT", "PHONE", "PHONE_MIN_DIGITS", "PIVOT", "SCIENTIFIC",
    "SERIAL_MAX", "SPACED_PERCENT", "TERM", "TERM_PARTS", "THOUSANDS", "CurrencyAmount", "Dates", "EnumMatch",
    "Numbers", "OptionSet", "ParsedTexts", "SharedTexts", "a_label_length", "ambiguous_dates", "ambiguous_of",
    "arrow", "arrow_of_bytes", "as_mask",
    "blank", "bools", "by_bytes_then", "byte_class_cells", "currency_amount", "date_verdict", "digit_script",
    "distinct_cells", "domain_host", "domains",
    "duration_ms", "emails", "file_ids", "fold", "fold_texts", "in_ascii_digits", "long_emails", "match_options",
    "matches", "matches_one", "parse_dates",
    "parse_numbers", "phone_digits", "phones", "plain_number", "rare_emails", "serial_dates", "serial_datetime",
    "serial_numbers", "term_months", "terms", "too_long", "valid_ymd", "wide_local_emails",
]
