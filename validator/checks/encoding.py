"""Bytes and encoding rules (HS40x): what the reader saw below the CSV structure."""

from __future__ import annotations

from collections.abc import Iterator

from validator.checks._facts import surrogate_rows
from validator.checks.base import Hit, Rule
from validator.context import FileContext
from validator.findings import Severity
from validator.readers.base import Chunk

SURROGATES = "[\udc00-\udcff]"


def encoding_label(encoding: str) -> str:
    """How messages name the encoding the reader decoded with: ``UTF-8``, ``UTF-16 LE``."""
    return encoding.upper().replace("-LE", " LE").replace("-BE", " BE")


class Utf8Bom(Rule):
    """The file starts with a UTF-8 byte order mark (BOM).

    Why: Excel's "CSV UTF-8" export writes one. It is invisible, but tools that keep it see the
    first header as `\\ufeffEmail` instead of `Email`, so a mapping to `Email` can miss. The
    validator strips it before comparing the header with `columnName`; HubSpot's handling is not
    documented.
    Example: bytes `EF BB BF` before `Email,First Name`.
    Fix: usually nothing; to be safe, save as "CSV" UTF-8 without BOM.
    """

    code = "HS401"
    name = "utf8-bom"
    severity = Severity.INFO

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        if file.readable and file.notes.bom and file.notes.encoding == "utf-8":
            name = file.header.cells[0] if file.header and file.header.cells else None
            yield self.finding("file starts with a UTF-8 byte order mark (ignored when matching "
                               "the header)", file=file, row=1 if file.header else None, line=1,
                               column=1, column_name=name, offset=0)


class InvalidUtf8(Rule):
    """A cell holds bytes that are not valid UTF-8.

    Why: HubSpot reads CSV files as UTF-8. Bytes from another encoding (Windows-1252 `é` is the
    single byte 0xE9) are garbled on import: names and addresses arrive with replacement
    characters. Each bad cell is reported, and once per file the first bad byte's offset.
    Example: `Ren\\xe9e` written by Excel's plain "CSV" export on Windows.
    Fix: re-save the file as "CSV UTF-8", or convert it: `iconv -f WINDOWS-1252 -t UTF-8`.
    """

    code = "HS402"
    name = "invalid-utf8"

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if not file.notes.decode_errors:
            return
        for col in file.columns:
            series = chunk.column(col.index)
            if getattr(series.dtype, "storage", None) != "python":
                continue  # Arrow-backed: the reader stored it there, so it decoded cleanly
            bad = surrogate_rows(chunk, col.index)  # = series.str.contains(SURROGATES), from the bytes
            yield from self.cells(chunk, file, col, bad,
                                  f"{{value}} is not valid {encoding_label(file.notes.encoding)} text")

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        notes = file.notes
        if not notes.decode_errors or not notes.decode_events:
            return
        first = notes.decode_events[0]
        yield self.finding(
            f"{notes.decode_errors:,} byte(s) are not valid {encoding_label(notes.encoding)}; the first, "
            f"0x{first.bytes.hex().upper()}, is at byte offset {first.offset:,} (line {first.line}, "
            f"character {first.column})",
            file=file, line=first.line, offset=first.offset)
