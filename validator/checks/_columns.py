"""What a column is for, as far as spreadsheet and safety rules need to know ([I] heuristics).

A column's role comes from its mapping: the columnType, the property's type in the catalog
(standard properties, or a portal snapshot), else the property's internal name or the header
text. Names are matched as whole words, so `zip` matches `zip` and `billing_zip` but not
`zipper`.
"""

from __future__ import annotations

import re

from validator.catalog import Catalog, Property, builtin
from validator.context import Column

ID_TYPES = frozenset({"HUBSPOT_OBJECT_ID", "HUBSPOT_ALTERNATE_ID"})
_ID_NAME = re.compile(r"(?:^|[\W_])(?:id|record id|object id|sku|phone|mobile ?phone|fax|tel|telephone|zip|"
                      r"zip ?code|postal ?code|post ?code|postcode|iban|account ?number)(?:$|[\W_])", re.I)
_ZIP_NAME = re.compile(r"(?:^|[\W_])(?:zip|zip ?code|postal ?code|post ?code|postcode)(?:$|[\W_])", re.I)
_DATE_NAME = re.compile(r"(?:^|[\W_])(?:date|datetime|timestamp|birthday|dob)(?:$|[\W_])|_at$|(?:^|[\W_])"
                        r"(?:created|modified|closed?) ?(?:at|on)(?:$|[\W_])", re.I)


def _names(column: Column) -> list[str]:
    out = []
    if column.spec is not None and column.spec.property_name:
        out.append(column.spec.property_name)
    if column.label:
        out.append(column.label)
    return out


def _property_type(column: Column, catalog: Catalog) -> str | None:
    spec = column.spec
    if spec is None:
        return None
    prop = catalog.property_of(spec.object_type_id, spec.property_name)
    return prop.type if prop is not None else None


def is_identifier(column: Column, catalog: Catalog | None = None) -> bool:
    """IDs, phone numbers and postal codes: digits that must survive exactly."""
    if column.spec is not None and column.spec.column_type in ID_TYPES:
        return True
    if _phone_property(column, catalog or builtin()):
        return True
    return any(_ID_NAME.search(n) for n in _names(column))


_PHONE_NAME = re.compile(r"(?:^|[\W_])(?:phone|mobile ?phone|fax|tel|telephone)(?:$|[\W_])", re.I)


def _phone_property(column: Column, catalog: Catalog) -> bool:
    """A phone property: of type phone_number, or (as HubSpot's own are) a string shown as a
    phone number (fieldType phonenumber)."""
    spec = column.spec
    if spec is None:
        return False
    prop = catalog.property_of(spec.object_type_id, spec.property_name)
    return prop is not None and (prop.type == "phone_number" or prop.field_type == "phonenumber")


def is_phone(column: Column, catalog: Catalog | None = None) -> bool:
    """Phone and fax numbers: a phone property (type or field type), else by name."""
    return _phone_property(column, catalog or builtin()) or any(_PHONE_NAME.search(n) for n in _names(column))


def is_email(column: Column, catalog: Catalog | None = None) -> bool:
    """A column of email addresses: mapped to a property whose format is email, as HS212 reads
    it (a value or an alternate identifier, not another record's key)."""
    return _value_format(column, catalog or builtin()) == "email"


def is_domain(column: Column, catalog: Catalog | None = None) -> bool:
    """A column of company domains: mapped to a property whose format is domain, as HS213 reads it."""
    return _value_format(column, catalog or builtin()) == "domain"


# the lists of secondary identifiers HS245 reads: property -> (object, the format of each part)
ADDITIONAL = {"hs_additional_emails": ("0-1", "email"), "hs_additional_domains": ("0-2", "domain")}


def additional_kind(column: Column, catalog: Catalog | None = None) -> str | None:
    """``email`` or ``domain`` for a column of a contact's additional emails or a company's
    additional domains (a list, as HS245 reads it), else None."""
    prop = _value_property(column, catalog or builtin())
    kind = ADDITIONAL.get(prop.name) if prop is not None else None
    return kind[1] if prop is not None and kind is not None and kind[0] == prop.object_id else None


def _value_property(column: Column, catalog: Catalog) -> Property | None:
    """The property whose values a column holds (a value or an alternate identifier, not
    another record's key), as the format rules read it."""
    spec = column.spec
    if (spec is None or spec.ignored or spec.column_type not in ("STANDARD", "HUBSPOT_ALTERNATE_ID")
            or spec.to_object_type_id is not None):
        return None
    return catalog.property_of(spec.object_type_id, spec.property_name)


def _value_format(column: Column, catalog: Catalog) -> str | None:
    prop = _value_property(column, catalog)
    return prop.format if prop is not None else None


def is_zip(column: Column) -> bool:
    return any(_ZIP_NAME.search(n) for n in _names(column))


def is_date(column: Column, catalog: Catalog | None = None) -> bool:
    """Date and datetime properties (and event timestamps)."""
    if column.spec is not None and column.spec.column_type == "EVENT_TIMESTAMP":
        return True
    kind = _property_type(column, catalog or builtin())
    if kind is not None:
        return kind in ("date", "datetime")
    return any(_DATE_NAME.search(n) for n in _names(column))
