"""Bytes and dialect rules for CSV (HS403-HS410): encodings, NULs, line endings, delimiter, spacing."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from validator.checks._accidental import ICONV, Accidents
from validator.checks._cyrillic import LABEL as CYRILLIC
from validator.checks._cyrillic import cyrillic_words
from validator.checks._facts import NUL, Screen, exactly, line_breaks, screen, screened, surrogate_rows
from validator.checks.base import Hit, Rule, counted, deferred, quote, space_name, with_values
from validator.checks.encoding import EAST_ASIAN_SAMPLE, SURROGATES, east_asian_encoding, encoding_label
from validator.checks.header_sep import reports_sep_line, sep_line
from validator.checks.header_title import HeldUnderTitle, TitleHeader
from validator.checks.typed import cached
from validator.context import FileContext
from validator.findings import Finding, Severity
from validator.readers.base import MAX_EVENTS, Chunk, DecodeEvent

UTF16 = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
DELIMITER_NAMES = {";": "semicolon", "\t": "tab", "|": "pipe", ",": "comma"}
# Unicode's white space but the line breaks (which other rules name): what the value rules' trim
# takes off, so a value they check trimmed is never silently one with spaces around it
SPACES = " \t\x0b\x0c\x85\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
AROUND = f"^[{SPACES}]|[{SPACES}]$"
MAC_ROMAN = "Mac Roman (Excel for Mac's \"CSV (Macintosh)\")"
# iconv's name of an encoding HS403 names, but Windows-1252
_ICONV = {CYRILLIC: "WINDOWS-1251", MAC_ROMAN: "MACINTOSH"}
_ENDING_ORIGINS = {"\r\n": ("CRLF", "Windows"), "\n": ("LF", "Unix"), "\r": ("CR", "classic Mac")}


def _is_csv(file: FileContext) -> bool:
    return file.readable and file.notes.kind == "csv"


def likely_encoding(sample: bytes, events: Sequence[DecodeEvent] = ()) -> tuple[str, str]:
    """(encoding, how the first byte reads in it) for bytes that are not UTF-8 ([I] heuristic).

    Bytes that read as Cyrillic words (``events``: where they lie) name Windows-1251. Bytes
    0x80-0x9F are C1 controls in Latin-1 but letters and punctuation in Windows-1252
    (`€`, smart quotes, dashes), so their presence names Windows-1252; otherwise the two agree.
    """
    if not sample:
        return "an 8-bit encoding", ""
    if cyrillic_words(events):
        return CYRILLIC, sample[:1].decode("cp1251", "replace")
    shown = sample[:1].decode("cp1252", "replace")
    if any(0x80 <= b <= 0x9F for b in sample):
        return "Windows-1252", shown
    return "Windows-1252 or ISO-8859-1 (Latin-1)", shown


def _fits(text: str, i: int) -> bool:
    """Whether ``text[i]`` reads as a letter of the word it stands in: beside a letter, not a
    capital after a small letter (`RenŽe`), and a small letter only beside another (`Renée`)."""
    c, left, right = text[i], text[i - 1:i], text[i + 1:i + 2]
    if not c.isalpha() or not (left.isalpha() or right.isalpha()):
        return False
    if c.isupper():
        return not left.islower()
    return left.islower() or right.islower()


def mac_roman(cells: Sequence[bytes]) -> bool:
    """Whether the bytes of cells that are not UTF-8 are Mac Roman text ([I] heuristic): Excel for
    Mac's "CSV (Macintosh)" writes it, with lone CR line ends. Its accented letters are bytes
    0x80-0x9F (`é` 0x8E, `ü` 0x9F), which Windows-1252 reads as capitals and punctuation (`RenŽe`,
    `MŸller`): the cells hold such a byte, and more of their bytes above 0x7F read
    as letters of their words, or as quotes, dashes and signs, in Mac Roman than in Windows-1252."""
    if not any(0x80 <= b <= 0x9F for cell in cells for b in cell):
        return False
    def read(encoding: str) -> int:
        texts = [cell.decode(encoding, "replace") for cell in cells]
        return sum(_fits(text, i) or c in _TYPOGRAPHY for text in texts for i, c in enumerate(text) if c > "\x7f")

    return read("mac_roman") > read("cp1252")


# quotes, dashes and signs both encodings have (Windows-1252's at 0x80-0x9F, where Mac Roman has
# letters): in the text they read as what was typed (`O’Brien`, `€50`)
_TYPOGRAPHY = frozenset("‘’“”–—…•€™")


def _cut_short(notes: Any, sample: bytes) -> bool:
    """Whether the only bytes that are not UTF-8 are the start of one UTF-8 sequence, at the very
    end of the file (no line break after it): a UTF-8 file cut short, as likely as an 8-bit one."""
    events = notes.decode_events
    if notes.final_newline or notes.decode_errors != len(sample) or not 1 <= len(sample) <= 3:
        return False
    end = notes.bytes + (3 if notes.bom else 0)  # (the reader counts the bytes after the BOM)
    if any(b.offset != events[0].offset + i for i, b in enumerate(events)) or events[0].offset + len(sample) != end:
        return False
    lead = sample[0]
    length = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF4 else 0
    return len(sample) < length and all(0x80 <= b <= 0xBF for b in sample[1:])


_SURROGATE = re.compile(SURROGATES)
_SAMPLE_KEY = ("HS403", "cells not UTF-8")
_ACCIDENTS_KEY = ("HS403", "cells UTF-8 by accident")


def _sample(file: FileContext, cells: list[str]) -> int:
    """Keep the bytes of ``cells`` (undecodable bytes as the readers keep them) for HS403's
    guess at the encoding, up to EAST_ASIAN_SAMPLE bytes in all; how many are kept."""
    kept: list[bytes] = file.parsed.setdefault(_SAMPLE_KEY, [])
    size = sum(map(len, kept))
    for cell in cells:
        if size >= EAST_ASIAN_SAMPLE:
            break
        try:
            raw = cell.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # (a kept byte below 0x80: not text read as UTF-8)
            continue
        kept.append(raw)
        size += len(raw)
    return size


_VERDICT_KEY = ("HS403", "names cells UTF-8 by accident")


def _names_accidents(file: FileContext) -> bool:
    """Whether ``on_file_end`` may name cells valid UTF-8 by accident (``_accidents``): where the
    file's encoding is judged East Asian (from the sample of cells not UTF-8) or Cyrillic (from
    the noted bad bytes). Both are certain once the sample is full (EAST_ASIAN_SAMPLE bytes) and
    the file's MAX_EVENTS bad bytes are noted, as neither changes after: from then on a file in
    an encoding of neither kind (a Windows-1252 export, the usual one) has its chunks looked at
    no more (HS403 took 0.58 s of a 1,048,576-row file's CPU, 0.05 s now); True until then."""
    verdict = file.parsed.get(_VERDICT_KEY)
    if verdict is None:
        cells: list[bytes] = file.parsed.get(_SAMPLE_KEY, [])
        if sum(map(len, cells)) < EAST_ASIAN_SAMPLE or len(file.notes.decode_events) < MAX_EVENTS:
            return True
        verdict = file.parsed[_VERDICT_KEY] = (east_asian_encoding(cells) is not None
                                               or cyrillic_words(file.notes.decode_events))
    return bool(verdict)


def _undecodable_cells(chunk: Chunk, file: FileContext) -> list[str]:
    """The cells of ``chunk`` holding bytes that are not UTF-8, row by row and left to right in
    a row, as many as HS403's sample can take (each has a byte at least): the file's first such
    cells in its order, whatever the chunk size."""
    found: list[tuple[int, int]] = []
    for col in file.columns:
        if getattr(chunk.column(col.index).dtype, "storage", None) != "python":
            continue  # Arrow-backed: the reader stored it there, so it decoded cleanly (HS402's test)
        found.extend((int(i), col.index) for i in np.flatnonzero(surrogate_rows(chunk, col.index))[:EAST_ASIAN_SAMPLE])
    return [str(chunk.column(index).iloc[i]) for i, index in sorted(found)[:EAST_ASIAN_SAMPLE]]


class LegacyEncoding(Rule):
    """The file is not UTF-8 but a legacy encoding: an 8-bit one such as Windows-1252 or Latin-1,
    or an East Asian double-byte one (Shift_JIS, GB18030/GBK, Big5, EUC-KR).

    Why: HubSpot needs UTF-8 when a file has non-English characters (fact sheet 6, [V] S6, S7).
    Excel's plain "CSV" export writes the system's code page: Windows-1252 in Western Europe and
    the Americas, so `Renée` arrives garbled; Windows-1251 in Russia; Shift_JIS in Japan and GBK
    in China, so every name does. The finding names the likely encoding (from the bytes of the
    cells that are not UTF-8, an [I] heuristic) and the first bad byte's offset; each bad cell is
    reported by HS402. Where the bytes read as Cyrillic words (`Имя,Фамилия` from Russian Excel:
    runs of bytes 0xC0-0xFF between ASCII that is no letter, where Western text holds its accented
    letters among ASCII ones), it names Windows-1251, whose iconv name the hint gives. Excel for
    Mac's "CSV (Macintosh)" writes Mac Roman, whose accented letters are bytes 0x80-0x9F (`é` is
    0x8E, which Windows-1252 reads as `Ž`): where the cells read as words in it, not in
    Windows-1252, it names Mac Roman (iconv's MACINTOSH).
    In a file so named East Asian or Cyrillic, a cell whose bytes are valid UTF-8 by accident
    (GBK's `郑伟`, bytes `D6 A3 CE B0`, is UTF-8's `֣ΰ`) is read as UTF-8, as HubSpot would read
    it: it is named at its row and column, with what it reads as in the file's encoding, where
    that is text of its script alone and the UTF-8 reading is implausible (a character of a
    block no CRM value uses, letters of two scripts, Latin-1 characters side by side with no
    ASCII letter by them; [I] heuristic, precision first: `Müller`, `東京`, a lone `è` are never
    named), from the first byte that is not UTF-8 on. Those cells are this rule's, not HS402's:
    their bytes are valid UTF-8, and only the file's encoding, judged here, says otherwise.
    Example: byte 0xE9 (`é` in Windows-1252) at offset 57; `山田` saved by Japanese Excel (bytes
    `8E 52 93 63` in Shift_JIS).
    Fix: save as "CSV UTF-8 (Comma delimited)" in Excel, or convert:
    `iconv -f WINDOWS-1252 -t UTF-8 in.csv > out.csv` (`-f WINDOWS-1251` for Cyrillic text,
    `-f CP932` for Shift_JIS, `-f GB18030`).
    """

    code = "HS403"
    name = "legacy-encoding"
    severity = Severity.WARNING

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        if _is_csv(file) and file.notes.encoding == "utf-8" and file.header is not None:
            _sample(file, [c for c in file.header.cells if _SURROGATE.search(c)])
        return iter(())

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        if not (_is_csv(file) and file.notes.encoding == "utf-8" and file.notes.decode_errors):
            return iter(())  # (a UTF-8 file: nothing to look at)
        if _sample(file, []) < EAST_ASIAN_SAMPLE:
            _sample(file, _undecodable_cells(chunk, file))
        if _names_accidents(file):
            accidents: Accidents = file.parsed.setdefault(_ACCIDENTS_KEY, Accidents())
            accidents.look(chunk, file)
        return iter(())

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        notes = file.notes
        if not _is_csv(file) or notes.encoding != "utf-8" or not notes.decode_events:
            return
        first = notes.decode_events[0]
        cells = file.parsed.get(_SAMPLE_KEY, [])
        east = east_asian_encoding(cells) if cells else None
        if east is not None:
            name, iconv, shown = east
            yield self.finding(
                f"the file is not UTF-8; it looks like {name} (byte 0x{first.bytes.hex().upper()} at offset "
                f"{first.offset:,}, line {first.line}; the first such cell reads as {quote(shown)} in it)",
                file=file, line=first.line, offset=first.offset, value=shown,  # a piece of the data
                hint=f"save as CSV UTF-8, or convert with iconv -f {iconv} -t UTF-8")
            yield from self._accidents(file, name, first.line)
            return
        sample = b"".join(e.bytes for e in notes.decode_events)
        encoding, shown = likely_encoding(sample, notes.decode_events)
        if encoding == CYRILLIC:
            yield from self._accidents(file, encoding, first.line)
        elif cells and mac_roman(cells):
            encoding, shown = MAC_ROMAN, sample[:1].decode("mac_roman")
        if _cut_short(notes, sample):  # (a download or `head -c` cut a UTF-8 file: no encoding to convert)
            yield self.finding(
                f"the file ends in the middle of a UTF-8 character (byte 0x{first.bytes.hex().upper()} at offset "
                f"{first.offset:,}, line {first.line}): it looks cut short; if it was not saved as UTF-8, it "
                f"looks like {encoding} (where the byte reads as {quote(shown)})",
                file=file, line=first.line, offset=first.offset, value=shown or None,
                hint="export the file again in full; convert it with iconv only if it was not saved as UTF-8")
            return
        yield self.finding(
            f"the file is not UTF-8; it looks like {encoding} (byte 0x{first.bytes.hex().upper()} at offset "
            f"{first.offset:,}, line {first.line}, reads as {quote(shown)} there)",
            file=file, line=first.line, offset=first.offset, value=shown or None,  # a piece of the data
            hint=f"save as CSV UTF-8, or convert with iconv -f {_ICONV.get(encoding, 'WINDOWS-1252')} -t UTF-8")

    def _accidents(self, file: FileContext, name: str, first_line: int) -> Iterator[Hit]:
        """The cells of the file judged to be in ``name`` whose bytes are valid UTF-8 by accident
        and read as its script's text (``_accidental``), from the line of the first byte that is
        not UTF-8 on: the cells before it are not looked at, whatever the chunk size."""
        accidents: Accidents | None = file.parsed.get(_ACCIDENTS_KEY)
        iconv = ICONV[name]
        found = [a for a in (accidents.found.get(iconv, []) if accidents else [])
                 if a[1] is None or a[1] >= first_line]
        if not found:
            return
        hint = f"save as CSV UTF-8, or convert with iconv -f {iconv} -t UTF-8"

        def make(i: int) -> Finding:
            row, line, column, text, other = found[i]
            return self.finding(
                f"{quote(text)} is valid UTF-8 only by accident: in {name}, the file's encoding, its bytes read as "
                f"{quote(other)}; HubSpot would import {quote(text)}",
                file=file, row=row, line=line, column=column, value=text, hint=hint)
        yield deferred(self, file.name, [a[0] for a in found], make)


class Utf16Encoding(Rule):
    """The file is UTF-16 or UTF-32 text, not UTF-8.

    Why: Excel's "Unicode Text" export writes UTF-16 (and tabs between values). HubSpot expects
    UTF-8 CSV; a UTF-16 file arrives as garbage with a NUL byte after every letter. The
    validator decodes it to check the rest, so the other findings show what HubSpot would see
    after conversion.
    Example: bytes `FF FE 45 00 6D 00` (`Em` in UTF-16 LE with a byte order mark).
    Fix: save as "CSV UTF-8 (Comma delimited)", or `iconv -f UTF-16 -t UTF-8`.
    """

    code = "HS404"
    name = "utf16-encoding"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        notes = file.notes
        if not _is_csv(file) or notes.encoding not in UTF16:
            return
        how = "with a byte order mark" if notes.bom else "without a byte order mark"
        label = encoding_label(notes.encoding)
        excel = " (Excel \"Unicode Text\")" if notes.encoding.startswith("utf-16") else ""
        yield self.finding(f"the file is {label} text {how}{excel}; HubSpot expects UTF-8",
                           file=file, line=1, offset=0)


class NulByte(Rule):
    """A cell or header contains a NUL byte (0x00).

    Why: NUL is never text. Databases and HubSpot's importer cut or reject values holding it;
    many NULs usually mean UTF-16 read as UTF-8, or a binary file renamed to .csv.
    Example: `Ann\\x00` left by a broken export.
    Fix: remove the NUL bytes (`tr -d '\\000'`), or re-export the file as CSV UTF-8.
    """

    code = "HS405"
    name = "nul-byte"

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        if file.header is None:
            return
        for col in file.columns:
            if col.name and "\x00" in col.name:
                yield self.finding(f"header {quote(col.name)} contains a NUL byte", file=file, row=1,
                                   line=file.header.line, column=col)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col in with_values(chunk, file.columns):
            seen = screen(chunk, col.index)
            if not seen.may_have(NUL):
                continue
            bad = exactly(chunk.column(col.index), seen.has(NUL),
                          lambda v: v.str.contains("\x00", regex=False).to_numpy(dtype=bool))
            yield from self.cells(chunk, file, col, bad, "{value} contains a NUL byte")


class _EndingRule(Rule):
    """Counts line breaks that end records (breaks inside quoted values excluded)."""

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.inside = {"\r\n": 0, "\n": 0, "\r": 0}

    def _count_inside(self, cells: tuple[str, ...]) -> None:
        text = "\x00".join(cells)  # (no CRLF across two cells: a NUL between them)
        crlf = text.count("\r\n")
        self.inside["\r\n"] += crlf
        self.inside["\n"] += text.count("\n") - crlf
        self.inside["\r"] += text.count("\r") - crlf

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        if _is_csv(file) and file.header is not None:  # a quoted header cell may hold line breaks
            self._count_inside(file.header.cells)
        yield from ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        # every break inside a value is counted, found from this chunk alone (the reader may be
        # a chunk ahead of the rules); the byte screens skip chunks whose cells hold none
        if not _is_csv(file):
            return
        if any(screen(chunk, i).holds(b"\r\n") for i in range(chunk.frame.shape[1]) if chunk.filled(i)):
            for k, n in line_breaks(chunk).items():
                self.inside[k] += n
        for note in chunk.notes:  # a ragged or bad-quote record's values are in no chunk's cells
            if note.kind == "ragged" and note.end_line > note.line:
                self._count_inside(note.cells)
            elif note.kind in ("bad-quote", "field-too-large"):
                for k, n in zip(("\r\n", "\n", "\r"), note.breaks, strict=True):
                    self.inside[k] += n
        yield from ()

    def record_endings(self, file: FileContext) -> dict[str, int]:
        inside, self.inside = self.inside, {"\r\n": 0, "\n": 0, "\r": 0}
        return {k: max(0, n - inside[k]) for k, n in file.notes.line_endings.items()}


class MixedLineEndings(_EndingRule):
    """Records end with different line breaks (CRLF, LF, CR) within one file.

    Why: mixed endings mean the file was stitched together from several sources or edited by
    hand; parsers disagree on them (a lone CR is a row break for some, text for others), so
    rows can merge or split on import.
    Example: a Windows export (CRLF) with rows appended on a Mac (LF).
    Fix: normalise the line endings, e.g. save the file again from one editor or run `dos2unix`.
    """

    code = "HS406"
    name = "mixed-line-endings"
    severity = Severity.WARNING

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        if not _is_csv(file):
            return
        quoted = {k for k, n in self.inside.items() if n}  # kinds also found inside values
        endings = self.record_endings(file)
        used = {k: n for k, n in endings.items() if n}
        if len(used) > 1:
            # the first line of each kind, where no value holds that kind (then its first one
            # surely ends a record)
            first = {k: line for k, line in file.notes.first_endings.items() if k not in quoted}
            parts = ", ".join(
                f"{n:,} {_ENDING_ORIGINS[k][0]} ({_ENDING_ORIGINS[k][1]}"
                + (f", first on line {first[k]:,})" if k in first else ")") for k, n in used.items())
            yield self.finding(f"line endings are mixed: {parts}", file=file)


class CrLineEndings(_EndingRule):
    """Records end with a lone CR, the classic Mac line break.

    Why: old Mac exports end lines with CR only. Many tools, and possibly HubSpot's importer,
    read such a file as one single long line.
    Example: `Email,Name\\ra@x.com,Ann\\r`.
    Fix: convert to CRLF or LF line endings (`mac2unix`, or save again as CSV UTF-8).
    """

    code = "HS407"
    name = "cr-line-endings"
    severity = Severity.INFO

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        if not _is_csv(file):
            return
        endings = self.record_endings(file)
        if endings["\r"] and not endings["\n"] and not endings["\r\n"]:
            yield self.finding("every line ends with a lone CR (classic Mac line endings)", file=file)


class NonCommaDelimiter(HeldUnderTitle):
    """The file is separated by semicolons, tabs or pipes rather than commas.

    Why: HubSpot's documentation assumes commas between values, and says nothing of other
    delimiters (fact sheet 6, [GAP]): whether it detects them or reads the file as one single
    column is unknown, hence a warning. Excel in many European locales saves "CSV" with
    semicolons, and "Unicode Text" with tabs. Under Excel's `sep=` line (HS108), which names
    the delimiter the file is read with, the delimiters counted are those of the header under
    the line, not the line's own; under a title (HS608), those of the header the mappings name
    below it, not the title's (a title that holds no delimiter is read with its header's).
    Example: `Email;First Name;Phone`.
    Fix: save as "CSV UTF-8 (Comma delimited)", or change the list separator and export again.
    """

    code = "HS408"
    name = "non-comma-delimiter"
    severity = Severity.WARNING

    def under_title(self, file: FileContext, found: TitleHeader, held: list[Hit]) -> Iterator[Hit]:
        # the title's delimiters are no evidence: count those of the header the mappings name
        notes = file.notes
        name = DELIMITER_NAMES.get(notes.delimiter, repr(notes.delimiter))
        commas = sum(c.count(",") for c in found.cells)
        yield self.finding(
            f"the file is {name}-separated ({counted(found.width - 1, name)} in the header on {found.where()}, "
            f"under the title (HS608), {counted(commas, 'comma')}); HubSpot expects commas",
            file=file, row=1, line=1, value=notes.delimiter)

    def header_findings(self, file: FileContext) -> Iterator[Hit]:
        notes = file.notes
        if not _is_csv(file) or notes.delimiter == "," or notes.empty:
            return
        name = DELIMITER_NAMES.get(notes.delimiter, repr(notes.delimiter))
        line = sep_line(file) if reports_sep_line(file) else None
        if line is not None and notes.next_line_counts:  # the line's own delimiter is no evidence: count the header's
            under = notes.next_line_counts
            yield self.finding(
                f"Excel's delimiter line {quote(line)} (HS108) names the {name} as the file's delimiter "
                f"({counted(under.get(notes.delimiter, 0), name)} in the header under it, "
                f"{counted(under.get(',', 0), 'comma')}); HubSpot expects commas",
                file=file, row=1, line=1, value=notes.delimiter)
            return
        if notes.delimiter_line > 1:  # line 1 holds none: the delimiter is the header's under a title
            under = notes.delimiter_line_counts
            yield self.finding(
                f"the file is {name}-separated (no delimiter in the header line, "
                f"{counted(under.get(notes.delimiter, 0), name)} in line {notes.delimiter_line} under it, "
                f"{counted(under.get(',', 0), 'comma')}); HubSpot expects commas",
                file=file, row=1, line=1, value=notes.delimiter)
            return
        found = notes.delimiter_counts.get(notes.delimiter, 0)
        yield self.finding(
            f"the file is {name}-separated ({counted(found, name)} in the header line, "
            f"{counted(notes.delimiter_counts.get(',', 0), 'comma')}); HubSpot expects commas",
            file=file, row=1 if file.header else None, line=1, value=notes.delimiter)


class SurroundingWhitespace(Rule):
    """A header or value has spaces (or tabs, non-breaking spaces) before or after it.

    Why: HubSpot keeps them: `Email ` does not match a mapping to `Email`, and
    ` ann@example.com` fails as an email or creates a second record beside `ann@example.com`.
    A column mapped `"ignored": true` has its header checked (its `columnName` must match it),
    not its values, which HubSpot does not import.
    Example: `Ann ,ann@example.com ` exported from a form.
    Fix: trim the values (Excel: `=TRIM(A2)`; most tools have a "trim whitespace" option).
    """

    code = "HS409"
    name = "surrounding-whitespace"
    severity = Severity.WARNING

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        if file.header is None:
            return
        for col in file.columns:
            name = col.name or ""
            if name.strip(SPACES) and name != name.strip(SPACES):
                yield self.finding(f"header {_around_message(name)}", file=file, row=1,
                                   line=file.header.line, column=col)

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        for col, _ends in screened(chunk, with_values(chunk, file.imported()), _space_ends):
            yield from self.cells(chunk, file, col, _around_rows(chunk, col.index), _around_message)


# First and last UTF-8 bytes of the SPACES (a cell without them at an end has none around it);
# a final LF too, since ``$`` also matches before a trailing newline
_SPACE_FIRST = bytes(sorted({c.encode()[0] for c in SPACES}))
_SPACE_LAST = bytes(sorted({c.encode()[-1] for c in SPACES} | {0x0A}))


def _around_message(value: str) -> str:
    """``'Lee\u00a0' has spaces around it: a no-break space (U+00A0) at the end``: a space other
    than U+0020 is named, since the quoted value shows it as a plain one (or not at all)."""
    ends = ((value[:len(value) - len(value.lstrip(SPACES))], "at the start"),
            (value[len(value.rstrip(SPACES)):], "at the end"))
    named = [f"{', '.join(space_name(c) for c in dict.fromkeys(part) if c != ' ')} {where}"
             for part, where in ends if part.strip(" ")]
    return f"{quote(value)} has spaces around it" + (f": {', '.join(named)}" if named else "")


def _around(values: pd.Series) -> np.ndarray:
    """HS409's verdict on each cell as its regex states it: the reference ``_around_rows`` (which
    the rule runs) is held to by the byte screens' Hypothesis test."""
    bad = values.str.contains(AROUND, regex=True).to_numpy(dtype=bool)
    if bad.any():
        bad = bad & (values.str.strip(SPACES) != "").to_numpy(dtype=bool)
    return bad


_ASCII_SPACES = b" \t\x0b\x0c"  # (a cell whose first or last byte is one starts or ends with it)
_STARTS = tuple(SPACES)
_ENDS = _STARTS + tuple(f"{c}\n" for c in SPACES)  # (``$`` matches before a final line feed)


def _space_ends(seen: Screen) -> np.ndarray:
    """The cells ``_around_rows`` looks at: a first or last byte of a space (or a final LF)."""
    return seen.first_in(_SPACE_FIRST) | seen.last_in(_SPACE_LAST) | seen.first_in(_ASCII_SPACES) \
        | seen.last_in(_ASCII_SPACES)


def _around_rows(chunk: Chunk, index: int) -> np.ndarray:
    """``_around`` of a column's cells, from their first and last bytes: a regex over every
    cell ending in a space scanned it whole for ``[...]$`` (1.1 s of CPU for 200,000 notes of
    ~2,000 characters, half of them ending in a space). A first or last byte that is an ASCII
    space settles it; other candidates (a no-break or ideographic space, a space before a final
    line feed) are compared at their ends; only a cell that starts and ends with such bytes may
    be all spaces, and is stripped to see."""
    seen = screen(chunk, index)
    starts, ends = seen.first_in(_SPACE_FIRST), seen.last_in(_SPACE_LAST)
    bad = seen.first_in(_ASCII_SPACES) | seen.last_in(_ASCII_SPACES)
    values = chunk.column(index)
    at = np.flatnonzero((starts | ends) & ~bad)
    if len(at):
        maybe = values.iloc[at]
        bad[at] = (maybe.str.startswith(_STARTS) | maybe.str.endswith(_ENDS)).to_numpy(dtype=bool)
    at = np.flatnonzero(bad & starts & ends)
    if len(at):
        bad[at] = (values.iloc[at].str.strip(SPACES) != "").to_numpy(dtype=bool)
    return bad


class TrailingBlank:
    """The blank header cells that end a CSV's header (an Excel export's trailing delimiters:
    `Email,Name,,`), and whether any of their columns holds a value. HS410 names such columns
    once, where they are empty throughout; HS105 then leaves their blank headers to it."""

    __slots__ = ("start", "used")

    def __init__(self) -> None:
        self.start: int | None = None  # the first of the trailing columns
        self.used = False

    def header(self, file: FileContext) -> None:
        self.start, self.used = None, False
        if file.header is None or not _is_csv(file):
            return
        cells = list(file.header.cells)
        n = len(cells)
        while cells and not cells[-1].strip():
            cells.pop()
        if cells and len(cells) < n:
            self.start = len(cells)

    def chunk(self, chunk: Chunk) -> None:
        start = self.start
        if start is not None and not self.used:  # (once per chunk for HS105 and HS410 both)
            self.used = cached(chunk, ("trailing-used", start), lambda: any(
                bool((chunk.column(i).str.strip() != "").any()) for i in range(start, chunk.frame.shape[1]))
                # a record longer than the header holds values there too (`sep=,` read as the header)
                or any(n.kind == "ragged" and any(c.strip() for c in n.cells[start:]) for n in chunk.notes))

    def empty(self, file: FileContext) -> int | None:
        """The first trailing column where they are empty throughout the file (None: none, or
        rows not read, as in a file over the column limit: their values are unknown)."""
        empty = self.start is not None and not self.used and file.header is not None and file.readable
        return self.start if empty else None


class TrailingEmptyColumns(Rule):
    """The last columns have no header and no values (trailing delimiters).

    Why: Excel exports formatted-but-empty columns as trailing commas (`Email,Name,,`). HubSpot
    counts them as columns, so the request needs a mapping for each or the import fails with
    INCORRECT_NUMBER_OF_COLUMNS. Their blank headers are not named one by one (HS105) as well.
    A column that holds a value in a row longer than the header (HS110's) is not empty, and
    the blank cell of Excel's `sep=` line read as the header (`sep=` and one blank cell) is
    HS108's, not this (with HS108 turned off, as before).
    Example: header `Email,Name,,` and rows `a@x.com,Ann,,`.
    Fix: delete the empty columns in Excel (select them, Delete) and export again.
    """

    code = "HS410"
    name = "trailing-empty-columns"
    severity = Severity.WARNING

    def __init__(self, options: Mapping[str, Any] | None = None):
        super().__init__(options)
        self.trailing = TrailingBlank()

    def on_header(self, file: FileContext) -> Iterator[Hit]:
        self.trailing.header(file)
        yield from ()

    def on_chunk(self, chunk: Chunk, file: FileContext) -> Iterator[Hit]:
        self.trailing.chunk(chunk)
        yield from ()

    def on_file_end(self, file: FileContext) -> Iterator[Hit]:
        start = self.trailing.empty(file)
        self.trailing = TrailingBlank()
        if start is None or file.header is None or reports_sep_line(file):  # the line's blank cell: HS108's
            return
        n = file.width - start
        last = "the last column has" if n == 1 else f"the last {n:,} columns have"
        yield self.finding(f"{last} no header and no values (trailing delimiters)",
                           file=file, row=1, line=file.header.line, column=start + 1)

