"""Which columns identify records, and how HubSpot compares their values: a column's kind of
identifier (``id_kind``), a column pointing at another object (``is_foreign``) and the
normalisers that turn a cell into the key HubSpot compares (emails without regard to case,
domains as their host, Record IDs as numbers).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from validator.catalog import Catalog
from validator.request import ColumnSpec

RECORD_ID = "hs_object_id"
# Properties a multi-file common column may use besides hs_object_id and unique properties
# (fact sheet 1.4, [V] S5): email for contacts, domain for companies.
COMMON_COLUMN = {"0-1": "email", "0-2": "domain"}
NOT_KEYS = ("FLEXIBLE_ASSOCIATION_LABEL", "ASSOCIATION_KEYS", "EVENT_TIMESTAMP")
_SCHEME = r"^[a-z][a-z0-9+.\-]*://"


def id_kind(spec: ColumnSpec, catalog: Catalog) -> str | None:
    """How a mapped column identifies the record of its own object: ``record`` (Record ID),
    ``alternate`` (the object's own identifier, or a HUBSPOT_ALTERNATE_ID column), ``unique``
    (a hasUniqueValue property), or None. Columns pointing at another object are not keys here."""
    if (spec.ignored or spec.object_type_id is None or spec.to_object_type is not None
            or spec.foreign_key is not None or spec.column_type in NOT_KEYS):
        return None
    if spec.column_type == "HUBSPOT_OBJECT_ID" or spec.property_name == RECORD_ID:
        return "record"
    own = catalog.identifiers_map.get(spec.object_type_id, ())
    if spec.property_name in own or (spec.column_type == "HUBSPOT_ALTERNATE_ID" and spec.property_name):
        return "alternate"  # (an alternate id column that names no property identifies nothing: HS029)
    prop = catalog.property_of(spec.object_type_id, spec.property_name)
    if prop is not None and prop.unique:
        return "unique"
    return None


def is_foreign(spec: ColumnSpec) -> bool:
    """A column that points at records of another object (a common column or a foreign ID)."""
    return (not spec.ignored and spec.to_object_type is not None
            and spec.column_type not in ("FLEXIBLE_ASSOCIATION_LABEL",))


def normaliser(prop: str | None) -> Callable[[pd.Series], pd.Series]:
    """How HubSpot compares values of this property: email ignoring case ([V] HubSpot treats
    addresses case-insensitively), domain as the host it keeps ([V] S6: the path after the TLD is
    dropped; [I] scheme, port and a leading ``www.`` too), everything else trimmed."""
    if prop in ("email", "hs_additional_emails"):
        return lambda s: lower(s.str.strip())
    if prop == "domain":
        return domain_key
    if prop == RECORD_ID:  # a number (HS305 takes 0101 as 101): compared without leading zeros
        return record_id_key
    return lambda s: s.str.strip()


def record_id_key(s: pd.Series) -> pd.Series:
    """A Record ID as the number it writes: trimmed, leading zeros dropped (one 0 is kept)."""
    out = s.str.strip()
    return _where_holding(out, r"^0+[0-9]", lambda v: v.str.replace(r"^0+([0-9])", r"\1", regex=True), regex=True)


def domain_key(s: pd.Series) -> pd.Series:
    """The host, lower-cased: the cuts on the cells that have something to cut only (a bare
    domain, the common cell, holds none of ``:/?#`` and does not start with ``www.``)."""
    out = lower(s.str.strip())
    return _where_holding(out, r"[:/?#]|^www\.", _cut_to_host, regex=True).str.rstrip(".")


_SURROGATES = re.compile("([\ud800-\udfff]+)")
# text Python lowers as Arrow does: the letters before İ (U+0130), the first that differs, and
# lone surrogates (left as they are): a Windows-1252 file's accented names and their bytes
_LATIN = re.compile("[\x00-\u012f\ud800-\udfff]*")


def lower(values: pd.Series) -> pd.Series:
    """The cells lower-cased as Arrow's ``utf8_lower`` does it, however the column is stored.
    Arrow maps each character on its own (a capital sigma is σ wherever it stands, a dotted
    capital I is i) by the Unicode version it was built with; Python's ``str.lower`` writes a
    word's final sigma ς and a dotted I as i and a combining dot, and knows only its own
    version's letters. A column stored in Python (a cell holds an undecodable byte, a lone
    surrogate) is lowered by Arrow too, around those bytes, so that one address keys alike in
    every chunk: cells of ASCII, Latin letters before U+0130 and lone surrogates by Python (the
    same result), the others' text between lone surrogates in one Arrow call."""
    data = getattr(values.array, "_pa_array", None)
    if isinstance(data, pa.ChunkedArray):
        return values.str.lower()
    cells = values.to_numpy(dtype=object, copy=True)
    wide = []
    for i, v in enumerate(cells):
        if isinstance(v, str):
            if v.isascii() or _LATIN.fullmatch(v):
                cells[i] = v.lower()
            else:
                wide.append(i)
    if wide:
        pieces = [_SURROGATES.split(cells[i]) for i in wide]  # text, surrogates, text, ...
        texts = [t for p in pieces for t in p[::2]]
        lowered = iter(pc.utf8_lower(pa.array(texts, pa.large_string())).to_pylist())
        for i, p in zip(wide, pieces, strict=True):
            p[::2] = [next(lowered) for _ in p[::2]]
            cells[i] = "".join(p)
    return pd.Series(cells, index=values.index, dtype=values.dtype, name=values.name)


def _cut_to_host(values: pd.Series) -> pd.Series:
    out = _where_holding(values.str.replace(_SCHEME, "", regex=True).str.replace(r"[/?#].*$", "", regex=True),
                         ":", lambda v: v.str.replace(r":\d*$", "", regex=True))
    return out.str.replace(r"^www\.", "", regex=True)


def _where_holding(values: pd.Series, what: str, change: Callable[[pd.Series], pd.Series],
                   regex: bool = False) -> pd.Series:
    r"""``change(values)`` worked out on the cells holding ``what`` (a pattern, with ``regex``)
    only: for a change that leaves every other cell as it is. (pandas runs a pattern with
    ``\d`` cell by cell in Python as soon as a column holds any non-ASCII text; a port is rare,
    company names with accents are not.)"""
    holding = values.str.contains(what, regex=regex).to_numpy(dtype=bool, na_value=False)
    if not holding.any():
        return values
    if holding.all():
        return change(values)
    out = values.copy()
    out[holding] = change(values[holding])
    return out
