"""Single checkboxes, dropdowns, radios and multiple checkboxes whose cells match no option, or
match one only loosely (HS207-HS211; fact sheet 4.4, 6).

An enumeration cell is matched once per chunk against the property's options (labels and
internal values, exactly and ignoring case; a multiple checkbox's values split at ``;``) and
each rule reads the part of the match it reports: no option, two options, a match in letter
case only, spaces beside the separator. The messages of a cell matching no option list the
property's options and say what HubSpot does with the row. Blank cells are skipped: HubSpot
ignores them [V] S6.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from validator import formats
from validator.catalog import Property
from validator.checks._facts import blank_at
from validator.checks.base import Hit, quote
from validator.checks.typed import ValueRule, cached, cells, is_bool, is_enumeration, is_stage
from validator.context import Column, FileContext
from validator.findings import Severity
from validator.readers.base import Chunk


class InvalidBool(ValueRule):
    """A single-checkbox cell is not True, Yes, False or No.

    Why: single checkbox (bool) properties take `True`/`Yes` (checked) or `False`/`No`
    (unchecked) [V] S6. We accept any letter case (HubSpot does not document it [GAP]). Other
    values are not imported.
    Example: `1`, `Y`, `checked`.
    Fix: write `True` or `False`.
    """

    code = "HS207"
    name = "invalid-bool"
    hubspot_error = "INVALID_PROPERTY_VALUE_FORMAT"

    def wants(self, prop: Property) -> bool:
        return is_bool(prop)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, _prop in self.typed(file, chunk):
            arr = cells(chunk, column)
            bad = ~formats.bools(arr) & ~blank_at(chunk, column.index)
            yield from self.cells(chunk, file, column, bad, "{value} is not True, Yes, False or No")


class EnumRule(ValueRule):
    def wants(self, prop: Property) -> bool:
        return is_enumeration(prop)

    def match(self, chunk: Chunk, column: Column, prop: Property) -> formats.EnumMatch:
        return cached(chunk, ("enum", column.index, prop.object_id, prop.name),
                      lambda: formats.match_options(cells(chunk, column), formats.OptionSet.of(prop.options),
                                                    multiple=prop.multiple))

    def _pipeline_part(self, column: Column) -> str | None:
        """``pipeline`` or ``stage`` where the column holds the pipeline or stage of an object
        with pipelines (deals, tickets, ...), else None."""
        obj = column.spec.object_type_id if column.spec is not None else None
        if obj is None or not self.catalog.pipelines(obj):
            return None
        pipeline, stage = self.catalog.pipeline_properties(obj)
        name = column.spec.property_name if column.spec is not None else None
        return "pipeline" if name == pipeline else "stage" if name == stage else None


def _unmatched(prop: Property, required: str | None = None, needed: bool = False) -> Any:
    """The message of a cell matching no option; ``required``: the pipeline or stage the
    property names (the row fails rather than importing without it); ``needed``: a property a
    new record cannot be created without (fact sheet 4.3)."""
    folded = formats.OptionSet.of(prop.options).folded  # the folded labels and values, made once
    outcome = (f"HubSpot rejects the row: its {required} must exist" if required
               else f"HubSpot leaves {prop.name} empty, and a new record needs it" if needed
               else f"HubSpot imports the record and leaves {prop.name} empty")

    def message(value: str) -> str:
        items = [v.strip() for v in value.split(";")] if prop.multiple else [value.strip()]
        wrong = [v for v, key in zip(items, formats.fold_texts(items), strict=True) if v and key not in folded]
        shown = ", ".join(quote(v) for v in wrong[:3]) or quote(value)
        if not prop.options:  # a snapshot's enumeration listing none (one with externalOptions is not judged)
            return (f"{shown} is not an option of {prop.name}: it has no options at all in the portal snapshot; "
                    f"{outcome}")
        sample = ", ".join(o.value for o in prop.options[:6]) + (", ..." if len(prop.options) > 6 else "")
        text = f"{shown} is not an option of {prop.name} ({sample}); {outcome}"
        if prop.multiple and any("," in v for v in wrong):  # options listed with commas, a spreadsheet's habit
            parts = [p.strip() for v in items for p in v.split(",") if p.strip()]
            if all(key in folded for key in formats.fold_texts(parts)):
                text += f"; separate checkbox values with ';': {quote(';'.join(parts))}"
        return text
    return message


class InvalidEnumerationOption(EnumRule):
    """A dropdown, radio or checkbox cell matches none of the property's options.

    Why: enumeration cells must give an option's label or internal value, and options must exist
    before the import (fact sheet 4.4, 6). HubSpot still imports the record but leaves the
    property empty, reported as INVALID_ENUMERATION_OPTION ([V-old] S9) - data is lost silently.
    A deal's or ticket's pipeline or stage that matches none is worse: the row fails
    (PROPERTY_VALUE_NOT_FOUND, fact sheet 9 #13, [V] S6).
    With a portal snapshot the account's own options apply (custom lifecycle stages, ...) and
    the finding is an error. A property the snapshot does not hold (no snapshot, or one without
    `properties/<object>.json`; a pipeline or stage held by neither `pipelines/<object>.json`
    nor options listed in the properties file) is judged by HubSpot's default list ([3P]/[I] in
    the fact sheet, 4.4), which accounts customise: that finding is a warning. A severity set in
    the configuration wins over both.
    Example: `Hot lead` in Lifecycle Stage; `a,b` in a multiple-checkbox column.
    Fix: use an existing label or internal value (the finding's message lists the property's
    options; a portal snapshot gives the account's own), or add the option in HubSpot first;
    separate checkbox values with `;`.
    """

    code = "HS208"
    name = "invalid-enumeration-option"
    severity_without_portal = Severity.WARNING
    hubspot_error = "INVALID_ENUMERATION_OPTION"
    other_errors = ("PROPERTY_VALUE_NOT_FOUND",)  # a deal's or ticket's pipeline or stage

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file, chunk):
            required = self._pipeline_part(column)
            needed = (prop.name,) in self.catalog.required(prop.object_id)  # a group of it alone
            yield from self.cells(chunk, file, column, self.match(chunk, column, prop).unmatched,
                                  _unmatched(prop, required, needed),
                                  hubspot_error="PROPERTY_VALUE_NOT_FOUND" if required else None,
                                  by_default=prop.source != "portal")


class AmbiguousEnumerationOption(EnumRule):
    """A cell is one option's label and another option's internal value.

    Why: HubSpot matches a cell against labels and internal values; when it is the label of one
    option and the value of another, it cannot choose and reports AMBIGUOUS_ENUMERATION_OPTION.
    Example: options `{label "Customer", value "customer"}` and `{label "customer", value "cust_old"}`
    and the cell `customer`.
    Fix: use the other option's internal value, or rename one option in HubSpot.
    """

    code = "HS209"
    name = "ambiguous-enumeration-option"
    hubspot_error = "AMBIGUOUS_ENUMERATION_OPTION"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file, chunk):
            yield from self.cells(chunk, file, column, self.match(chunk, column, prop).ambiguous,
                                  f"{{value}} is one option's label and another's internal value in {prop.name}")


class EnumerationCase(EnumRule):
    """A cell matches an option only when letter case is ignored.

    Why: HubSpot does not document whether option matching ignores case [GAP]. If it does not,
    the property is left empty (INVALID_ENUMERATION_OPTION); writing the exact label or value is safe.
    A deal's or ticket's stage counts too (a stage of any of the object's pipelines; whether it
    is one of the row's pipeline is HS235's): if HubSpot does not ignore case there, the row fails.
    A deal's or ticket's pipeline or stage HubSpot does not find fails the row as
    PROPERTY_VALUE_NOT_FOUND (fact sheet 9 #13, as HS208's), so those findings name that errorType.
    Example: `LEAD` for the option `lead` / `Lead`; `closed won` for the deal stage `Closed Won`.
    Fix: write the internal value or label exactly.
    """

    code = "HS210"
    name = "enumeration-case"
    severity = Severity.WARNING
    hubspot_error = "INVALID_ENUMERATION_OPTION"
    other_errors = ("PROPERTY_VALUE_NOT_FOUND",)  # a deal's or ticket's pipeline or stage

    def wants(self, prop: Property) -> bool:
        return is_enumeration(prop) or is_stage(prop)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file, chunk):
            m = self.match(chunk, column, prop)
            yield from self.cells(chunk, file, column, m.folded & ~m.exact, _case_message(prop),
                                  hubspot_error="PROPERTY_VALUE_NOT_FOUND" if self._pipeline_part(column) else None)


def _case_message(prop: Property) -> Any:
    """HS210's message, naming the option each value matches (``'closed won'``: ``'Closed Won'``):
    the first label or value that folds as the value does, from the property's ``OptionSet``,
    made once (it folded each option on its own, in every chunk: 100,000 options took 1.3 s a chunk)."""

    def message(value: str) -> str:
        exact = formats.OptionSet.of(prop.options).meant
        items = [v.strip() for v in value.split(";")] if prop.multiple else [value.strip()]
        meant = [exact[key] for v, key in zip(items, formats.fold_texts(items), strict=True)
                 if v and key in exact and v != exact[key]]
        shown = f" ({', '.join(quote(m) for m in meant[:3])})" if meant else ""
        return f"{quote(value)} matches an option of {prop.name}{shown} only ignoring case"
    return message


class CheckboxSpace(EnumRule):
    """A multiple-checkbox cell has a space before or after a `;`.

    Why: HubSpot's format is `value1;value2` with no spaces [V] S6; a space may become part of the
    option name and fail to match. Any Unicode space counts (a no-break space looks like none).
    Example: `PRODUCT_ISSUE; BILLING_ISSUE`, `PRODUCT_ISSUE ;BILLING_ISSUE`.
    Fix: remove the spaces: `PRODUCT_ISSUE;BILLING_ISSUE` (a leading `;` appends to existing values).
    """

    code = "HS211"
    name = "checkbox-separator-space"
    severity = Severity.WARNING
    hubspot_error = "INVALID_ENUMERATION_OPTION"

    def wants(self, prop: Property) -> bool:
        return is_enumeration(prop) and prop.multiple

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for column, prop in self.typed(file, chunk):
            yield from self.cells(chunk, file, column, self.match(chunk, column, prop).spaced,
                                  "{value} has a space beside ';'")

