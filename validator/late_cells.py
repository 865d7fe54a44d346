"""The cells of rows named only once every file is read, read again for the csv and hubspot formats.

A rule's ``on_import_end`` may name a row of a file read before (HS314: a key of a common column
that no row of the owning file holds, where the owning file comes after the key's file in
``files[]``). The engine keeps the cells of a row as its chunk is checked (``records.capture``),
and only for rows with findings then: keeping every row that might be named later would hold
the whole file. So such a row's cells are read again after the check, in a second pass over its
file with the same reader, which keeps the cells of those rows only (memory bounded by the rows
named, at most ``max_per_rule`` per rule, not by the file) and stops at the last of them.

Not read again, and said (``Report.unshown``): a file read from a stream (standard input, a
caller's file object), which cannot be read twice, and one that changed since it was read (its
size, modification time or inode differ: the rows there may be others now).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from validator.context import FileContext, ImportContext
from validator.findings import Finding, Report, first_data_row
from validator.held import span
from validator.readers.base import Refused
from validator.readers.dispatch import open_reader
from validator.records import capture


def late_rows(findings: Iterable[Finding], codes: set[str], records: Mapping[str, Mapping[int, tuple[str, ...]]],
              files: Iterable[FileContext]) -> dict[str, set[int]]:
    """The data rows, by file, that findings of ``codes`` (rules with ``on_import_end``) name and
    whose cells were not kept as the file was read."""
    firsts = {f.name: first_data_row(f.spec.has_header) for f in files}
    out: dict[str, set[int]] = {}
    for f in findings:
        name = f.file or ""
        if f.code in codes and f.row is not None and name in firsts and f.row >= firsts[name] \
                and f.row not in records.get(name, {}):
            out.setdefault(name, set()).add(f.row)
    return out


def read_again(report: Report, ctx: ImportContext, codes: set[str], chunk_rows: int, reader: str) -> None:
    """Add to ``report.records`` the cells of the rows ``late_rows`` finds, read again from their
    files; a file that cannot be read again is named in ``report.unshown`` with why."""
    wanted = late_rows(report.findings, codes, report.records, ctx.files)
    for fctx in ctx.files:
        rows = wanted.get(fctx.name)
        if rows and fctx.readable:
            why = _read(fctx, ctx, rows, report.records.setdefault(fctx.name, {}), chunk_rows, reader)
            if why is not None:
                report.unshown[fctx.name] = why


def _read(fctx: FileContext, ctx: ImportContext, rows: set[int], store: dict[int, tuple[str, ...]],
          chunk_rows: int, kind: str) -> str | None:
    """Copy the cells of ``rows`` into ``store`` from a second read of ``fctx``'s file; None when
    read, else why not."""
    lookup = fctx.lookup
    if lookup.stream is not None or lookup.path is None:
        return "it was read from standard input or a stream, which is read once"
    again = FileContext(fctx.spec, fctx.name, lookup, rank=fctx.rank, reports=fctx.reports)
    try:
        reader = open_reader(again, ctx, chunk_rows, kind)
    except (Refused, OSError):
        return "it cannot be read again"
    if reader is None:
        return "it cannot be read again"
    try:
        first = fctx.notes.extra.get("identity")
        if first is None or again.notes.extra.get("identity") != first:
            return "it changed since it was read"
        last = max(rows)
        for chunk in reader.chunks():
            capture(chunk, rows, store)
            if span(chunk)[1] >= last:
                break
    except (Refused, OSError):
        return "it cannot be read again"
    finally:
        reader.close()
    return None
