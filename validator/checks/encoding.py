"""Bytes and encoding rules (HS40x): what the reader saw below the CSV structure."""

from __future__ import annotations

import re
from collections.abc import Iterator

from validator.checks._facts import surrogate_rows
from validator.checks.base import Hit, Rule, with_values
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
        for col in with_values(chunk, file.columns):
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


# The double-byte encodings East Asian versions of Excel save a plain "CSV" in: (name, iconv's
# name, the characters of its script). On a tie the earlier wins: Korean's EUC-KR bytes are
# also valid GBK and Big5 (as hanzi), simplified Chinese's GBK bytes often valid Big5.
EAST_ASIAN = (
    ("EUC-KR (Korean)", "EUC-KR", lambda c: "\uac00" <= c <= "\ud7a3"),
    ("GB18030 (GBK, simplified Chinese)", "GB18030", lambda c: _ideograph(c) and _in("gb2312", c)),
    ("Big5 (traditional Chinese)", "BIG5", lambda c: _ideograph(c)),
    ("Shift_JIS (Windows-31J, Japanese)", "CP932", lambda c: _ideograph(c) or "\u3041" <= c <= "\u30ff"),
)
EAST_ASIAN_SAMPLE = 4096  # bytes of the cells that are not UTF-8 looked at


_CYRILLIC_WORD = re.compile(r"^(?:[\u0401\u0410-\u042f]?[\u0430-\u044f\u0451]+|[\u0401\u0410-\u042f]+)$")


def _cyrillic_words(cells: list[bytes]) -> bool:
    """Whether every run of bytes above 0x7F reads as a Cyrillic word in Windows-1251."""
    runs = [run for cell in cells for run in re.findall(rb"[\x80-\xff]+", cell)]
    return all(_CYRILLIC_WORD.match(run.decode("cp1251", "replace")) for run in runs)


def _ideograph(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def _in(encoding: str, c: str) -> bool:
    try:
        c.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def east_asian_encoding(cells: list[bytes]) -> tuple[str, str, str] | None:
    """(name, iconv's name, the first cell as it reads) of the East Asian double-byte encoding
    that ``cells`` (the bytes of cells that are not UTF-8) are most likely written in, or None
    where they look like an 8-bit one ([I] heuristic).

    Those encodings write each character of their script as two bytes, the first 0x81 or above,
    so most bytes above 0x7F stand beside another; Windows-1252 text has its accented letters
    one by one between ASCII ones (`Soci\\xe9t\\xe9`). Of the encodings the cells decode in, the
    one reading most of their characters as its script's (hangul; common simplified hanzi;
    hanzi; kana and kanji) is named, if that is at least 4 in 5 of them. Russian in Windows-1251
    also has its letters side by side: where each run of them reads as a Cyrillic word there,
    none is named.
    """
    high = [(i, j) for i, cell in enumerate(cells) for j, b in enumerate(cell) if b >= 0x80]
    paired = sum(1 for i, j in high if (j > 0 and cells[i][j - 1] >= 0x80)
                 or (j + 1 < len(cells[i]) and cells[i][j + 1] >= 0x80))
    if len(high) < 4 or paired * 2 < len(high) or _cyrillic_words(cells):
        return None
    best: tuple[float, str, str, str] | None = None
    for name, iconv, native in EAST_ASIAN:
        try:
            texts = [cell.decode(iconv.lower()) for cell in cells]
        except UnicodeDecodeError:
            continue
        wide = [c for text in texts for c in text if c > "\x7f"]
        score = sum(map(native, wide)) / len(wide) if wide else 0.0
        if score >= 0.8 and (best is None or score > best[0]):
            best = (score, name, iconv, texts[0])
    return best[1:] if best else None
