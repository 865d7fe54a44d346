"""Export the value checks as a pandera ``DataFrameSchema`` for pipelines.

``for_file(request, file_name, portal=None)`` returns a schema for the DataFrame a pipeline is
about to write as ``file_name``: one column per mapped header (present, any dtype, blanks allowed)
and one check per row-level rule. Each check runs the rule itself over the DataFrame, as
``hubspot-preflight check`` runs it over a chunk of the file, so the schema flags exactly the cells
``check`` would (the same predicates from ``validator.formats``). Every rule that judges a cell on
its own row runs, and those that find an identifier repeated in a later row (``ACROSS_ROWS``,
over the whole DataFrame); those that judge the file's structure or bytes, the whole file, a whole row,
values across rows or files, or a workbook's cells (``CHECK_ONLY``), and those over the request
alone (HS230-HS233), are not cell checks: run ``check`` for those.

Cells are compared as text: a missing value (None, NaN) is a blank cell; any other value is
``str(value)``. Write numbers and dates to the DataFrame the way they will be written to the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from validator.api import checked_config, mapping_json
from validator.catalog import Catalog
from validator.checks import all_rules
from validator.checks.base import Batch, Rule
from validator.config import Config, active_rules, file_ignores
from validator.context import FileContext, FileLookup, ImportContext, bind_columns
from validator.findings import ValidatorError
from validator.memo import Store, run_scope
from validator.portal import Portal, catalog_for
from validator.readers.base import Chunk, Header, string_frame
from validator.request import FileSpec, ImportSpec, parse_request
from validator.sources import read_request_bytes

RequestArg = str | os.PathLike[str] | Mapping[str, Any] | bytes
# The rules with an ``on_chunk`` hook that a schema does not run, by what they judge instead of a
# cell on its own row (README "In a pipeline (pandera)" lists them); the schema runs every other
# rule with an ``on_chunk`` hook
CHECK_ONLY: Mapping[str, tuple[str, ...]] = {
    "the file as the CSV reader reads it: header cells, its delimiter, quoting, ragged and blank rows, bytes that "
    "are not UTF-8, line endings, trailing empty columns": (
        "HS105", "HS110", "HS111", "HS112", "HS113", "HS114", "HS115", "HS116", "HS117",
        "HS402", "HS403", "HS406", "HS407", "HS408", "HS410"),
    "the whole file: its dateFormat verdict, a column of values of another kind than its property, its number of "
    "rows, a title row above the header, a header row under hasHeader false, and the header's mismatch with the "
    "mappings, said once under a title": (
        "HS101", "HS103", "HS106", "HS204", "HS255", "HS501", "HS507", "HS608"),
    "a whole row, no one cell: a row too large, a comment line": ("HS505", "HS606"),
    "values across rows or files: identical rows, values named in other files or rows, association counts": (
        "HS304", "HS308", "HS309", "HS314", "HS317", "HS319", "HS324", "HS325",
        "HS332", "HS341"),
    "a workbook's cells: their kinds (number, date, error, formula), hidden and formatted cells, a table's "
    "totals row": (
        "HS419", "HS421", "HS423", "HS424", "HS425", "HS426", "HS432", "HS433", "HS434", "HS437"),
}
_CHECK_ONLY = frozenset(code for codes in CHECK_ONLY.values() for code in codes)
# Rules that compare a file's rows with each other as they are read (a repeated email, domain,
# unique value or Record ID: the later row is flagged, naming the first); their file-end hook
# only forgets the file. A DataFrame is checked as one chunk, so they compare its rows as
# ``check`` compares the file's.
ACROSS_ROWS = ("HS301", "HS302", "HS303")


def _cell_rule(cls: type[Rule]) -> bool:
    """Whether a schema runs the rule: it judges the cells of a chunk, each on its own row."""
    return "on_chunk" in cls.hooks() and cls.code not in _CHECK_ONLY


def for_file(request: RequestArg, file_name: str, portal: str | os.PathLike[str] | Portal | None = None,
             config: Config | None = None) -> pa.DataFrameSchema:
    """A pandera schema checking a DataFrame bound for ``file_name`` of the import ``request``.
    ``config`` is taken as ``validate`` takes it (rules as a comma-separated string, rule names
    as keys of ``severity`` and ``options``) and refused where ``validate`` refuses it."""
    config = checked_config(config)
    catalog = catalog_for(portal if portal is not None else config.portal)
    spec = _parse(request, catalog)  # (as validate reads it: a portal's custom objects by name)
    file_spec = next((f for f in spec.files if f.file_name == file_name), None)
    if file_spec is None:
        names = ", ".join(repr(f.file_name) for f in spec.files) or "none"
        raise ValidatorError(f"the request has no files[] entry named {file_name!r} (it has {names})")
    active = active_rules(config)
    skip = file_ignores(config, {})  # (per-file-ignores by the fileName: the file is not written yet)
    rules = [a.cls for code, a in active.items()
             if _cell_rule(a.cls) and not (skip is not None and skip(code, file_name))]
    options = {code: a.options for code, a in active.items()}
    columns = {c.column_name: pa.Column(required=True, nullable=True, name=c.column_name)
               for c in file_spec.columns if not c.ignored and c.column_name is not None}
    def reports(code: str) -> bool:  # (FileContext.reports: a rule that leaves a cell to another asks it)
        return code in active and not (skip is not None and skip(code, file_name))
    # the lookups the checks make of the snapshot (a property's options, the users), made at
    # their first run and kept by the schema's checks alone: they go with the schema
    store: Store = {}
    checks = [pa.Check(_runner(cls, options.get(cls.code, {}), spec, file_spec, catalog, reports, store),
                       name=f"{cls.code} {cls.name}", error=f"{cls.code} {cls.summary()}",
                       ignore_na=False) for cls in rules]
    return pa.DataFrameSchema(columns, checks=checks, name=file_name, strict=False)


def _parse(request: RequestArg, catalog: Catalog) -> ImportSpec:
    """The request as ``validate`` reads it: a mapping as the JSON it would be sent as."""
    if isinstance(request, (Mapping, bytes)):
        return parse_request(mapping_json(request) if isinstance(request, Mapping) else request, "<request>", catalog)
    path = Path(request)
    return parse_request(read_request_bytes(path), path.name, catalog)


def _text_frame(df: pd.DataFrame) -> pd.DataFrame:
    cols = []
    for i in range(df.shape[1]):
        s = df.iloc[:, i].astype(object)
        cols.append(s.where(s.notna(), "").astype(str).to_numpy(dtype=object))
    return string_frame(cols, list(range(2, len(df) + 2)))


def _runner(cls: type[Rule], options: Mapping[str, Any], spec: ImportSpec, file_spec: FileSpec,
            catalog: Catalog, reports: Callable[[str], bool], store: Store) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def check(df: pd.DataFrame) -> pd.DataFrame:
        """True where the rule finds nothing, one cell per DataFrame cell."""
        with run_scope(store):
            return _checked(df)

    def _checked(df: pd.DataFrame) -> pd.DataFrame:
        header = [str(c) for c in df.columns]
        frame = _text_frame(df)
        fctx = FileContext(file_spec, file_spec.file_name or "", FileLookup(file_spec.file_name or "", None, "object"))
        fctx.header = Header(tuple(header), 1, 1, 1)
        fctx.width = len(header)
        fctx.columns = bind_columns(header, len(header), file_spec.columns)
        fctx.readable = True
        fctx.reports = reports
        ctx = ImportContext(spec, catalog, None, {})
        rule = cls(options)
        ok = np.ones(df.shape, dtype=bool)
        chunk = Chunk(frame, np.asarray(frame.index))
        for hook in (rule.on_import(ctx), rule.on_header(fctx), rule.on_chunk(chunk, fctx)):
            for hit in hook or ():
                if isinstance(hit, Batch):
                    ok[np.asarray(hit.rows) - 2, hit.column.index] = False
        return pd.DataFrame(ok, index=df.index, columns=df.columns)
    return check


def rule_codes() -> tuple[str, ...]:
    """Codes of the rules a schema from ``for_file`` checks (with the default profile)."""
    return tuple(code for code, cls in all_rules().items() if _cell_rule(cls))


def failures(error: pa.errors.SchemaErrors) -> list[tuple[Any, str, str]]:
    """(DataFrame index, column, rule code) of every cell a lazy ``validate`` flagged, sorted.

    The rules' checks are run again on the validated data (``error.data``): pandera's own
    ``failure_cases`` lose a failing cell whose value is missing (NaN, as ``pd.read_csv`` reads a
    blank cell), which it cannot tell from a cell that passed."""
    out: list[tuple[Any, str, str]] = []
    data = getattr(error, "data", None)
    schema = getattr(error, "schema", None)
    checks = [c for c in getattr(schema, "checks", ()) if str(c.name).startswith("HS")]
    if isinstance(data, pd.DataFrame) and checks:
        for check in checks:
            ok = check._check_fn(data)
            rows, cols = np.nonzero(~np.asarray(ok.to_numpy(), dtype=bool))
            code = str(check.name).split()[0]
            out.extend((data.index[r], str(data.columns[c]), code)
                       for r, c in zip(rows.tolist(), cols.tolist(), strict=True))
        return sorted(out)
    for check, index, case in error.failure_cases[["check", "index", "failure_case"]].itertuples(index=False):
        if isinstance(case, dict) and str(check).startswith("HS"):
            out.extend((index, str(col), str(check).split()[0]) for col in case)
    return sorted(out)
