"""Cells of a legacy-encoded CSV whose bytes are valid UTF-8 by accident (HS403).

In a file HS403 judges to be GBK, Big5, Shift_JIS, EUC-KR or Windows-1251, most cells of that
script hold bytes that are not UTF-8 (HS402), but some form valid UTF-8 by chance: GBK's `中`
(D6 D0) is UTF-8's Hebrew `א`, `猫` (C3 A8) is `è`. The reader takes those as UTF-8, and so would
HubSpot: the cell imports as other characters, silently. A cell is named only where both
readings say so ([I] heuristic, precision first): its bytes read in the file's encoding as text
of that encoding's script alone, and its UTF-8 reading is implausible text: a character of a
block no CRM value uses (C1 controls, unassigned and private-use code points, IPA, archaic
Cyrillic, Syriac, Thaana, NKo and the like), a combining mark without a letter before it, letters
of two scripts (`Ǣâ` is Latin, `¸Դ` Latin-1 and Armenian), a Cyrillic, Hebrew, Arabic or
Armenian letter inside a word of ASCII letters, or Latin-1 and Latin Extended characters side by
side with no ASCII letter beside them (`ũǫ`). `Müller`, `Иван Петров`, `東京` or `Nguyễn` read as
UTF-8 plausibly and are never named; a lone letter (`è`, which is GBK's `猫`) is not either.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from validator.checks._cyrillic import LABEL as CYRILLIC
from validator.checks._facts import column_bytes, screen, surrogate_rows
from validator.checks.base import with_values
from validator.checks.encoding import EAST_ASIAN
from validator.context import Column, FileContext
from validator.readers.base import Chunk
from validator.readers.text import bytes_and_offsets, cells_at

# blocks (and letters) of the 2- and 3-byte UTF-8 a legacy encoding's bytes fall in by chance
# that no name, address or note in a CRM uses: C1 controls; Latin Extended-B's African and
# phonetic letters but Vietnamese Ơ ơ Ư ư and the schwa and open e/o of Azerbaijani and West
# African alphabets; IPA but ə ɛ ɔ; combining medieval letters; archaic and extended Cyrillic;
# Armenian's unassigned points; Hebrew points and unassigned points; Syriac, Thaana, NKo
_RARE = ((0x80, 0x9F), (0x180, 0x185), (0x187, 0x18E), (0x191, 0x19F), (0x1A2, 0x1AE), (0x1B1, 0x1C3),
         (0x250, 0x253), (0x255, 0x258), (0x25A, 0x25A), (0x25C, 0x2AF), (0x363, 0x36F), (0x460, 0x489),
         (0x4C0, 0x4C0), (0x4F6, 0x52F), (0x557, 0x558), (0x58B, 0x58C), (0x591, 0x5CF), (0x5EB, 0x5EF),
         (0x5F5, 0x5FF), (0x700, 0x7FF))
# scripts whose letter inside a word of ASCII letters is no word (Greek's `μm` is one)
_NOT_AMONG_ASCII = ("CYRILLIC", "HEBREW", "ARABIC", "ARMENIAN")
_CJK = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "HALFWIDTH", "IDEOGRAPHIC")


def _rare(char: str) -> bool:
    point = ord(char)
    return (unicodedata.category(char) in ("Cn", "Co", "Cc", "Cs")
            or any(low <= point <= high for low, high in _RARE))


def _script(char: str) -> str:
    first = unicodedata.name(char, "?").split(" ", 1)[0]
    return "CJK" if first in _CJK else first


def _latin_supplement(char: str) -> bool:
    return "\x80" <= char <= "\u024f"


def _ascii_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def implausible(text: str) -> bool:
    """Whether ``text`` (a cell as UTF-8 reads it) is no text anyone wrote (the module's test)."""
    scripts: set[str] = set()
    for i, char in enumerate(text):
        if char.isascii():
            continue
        before = text[i - 1] if i else " "
        kind = unicodedata.category(char)
        if _rare(char) or (kind.startswith("M") and not unicodedata.category(before).startswith("L")):
            return True
        if kind.startswith("L"):
            scripts.add(_script(char))
            after = text[i + 1] if i + 1 < len(text) else " "
            if _script(char) in _NOT_AMONG_ASCII and (_ascii_letter(before) or _ascii_letter(after)):
                return True
        if i + 1 < len(text) and not text[i + 1].isascii() and _side_by_side(text, i):
            return True
    return len(scripts) > 1


def _side_by_side(text: str, i: int) -> bool:
    """Whether the characters at ``i`` and ``i + 1``, both past ASCII, one of them Latin-1 or
    Latin Extended, stand with no ASCII letter before or after them."""
    if not (_latin_supplement(text[i]) or _latin_supplement(text[i + 1])):
        return False
    return not any(0 <= j < len(text) and _ascii_letter(text[j]) for j in (i - 1, i + 2))


def _cyrillic_text(text: str) -> bool:
    return all(c.isascii() or (c.isalpha() and unicodedata.name(c, "").startswith("CYRILLIC")) for c in text)


# iconv's name of each encoding whose accidents are looked for, and the test that a reading in it
# is text of its script alone (its every character past ASCII)
def _of_script(native: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda text: all(c.isascii() or native(c) for c in text)


_NATIVE: dict[str, Callable[[str], bool]] = {
    **{iconv: _of_script(native) for _name, iconv, native in EAST_ASIAN},
    "WINDOWS-1251": _cyrillic_text,
}
# HS403's names of the encodings (``likely_encoding``'s for Windows-1251) -> iconv's
ICONV = {**{name: iconv for name, iconv, _native in EAST_ASIAN}, CYRILLIC: "WINDOWS-1251"}


def legacy_reading(text: str, iconv: str) -> str | None:
    """``text``'s UTF-8 bytes as they read in ``iconv`` (an encoding of ``_NATIVE``) where that
    is other text, of that encoding's script alone; else None."""
    try:
        other = text.encode("utf-8").decode(iconv.lower())
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    return other if other != text and _NATIVE[iconv](other) else None


# signs and punctuation of business text past ASCII (no-break space, currency, quotes, dashes,
# degrees, fractions, ...): no letter, mark or rare character, so one standing alone between ASCII
# adds nothing ``implausible`` looks at; a cell of amounts in euros or of typographic quotes, with
# a byte that is not UTF-8 somewhere in its file, was judged cell by cell (0.22 s of CPU for
# 200,000 distinct amounts)
_SIGNS = np.array(sorted(
    c for c in (*range(0xA0, 0xC0), 0xD7, 0xF7, *range(0x2010, 0x2040), *range(0x20A0, 0x20C0), 0x2116, 0x2122,
                0x2212)
    if not _rare(chr(c)) and unicodedata.category(chr(c))[0] not in "LM"), dtype=np.int64)


def maybe_implausible(arr: pa.Array) -> np.ndarray:
    """Which values of a UTF-8 Arrow array ``implausible`` may judge so, from their bytes: those
    past ASCII but for the ones whose every character past it is one of U+00C0-U+017F (lead
    byte C3-C5: Latin letters, `×` and `÷`) or of ``_SIGNS`` (`€`, `’`, `°`, a no-break space)
    standing alone, between ASCII or at an end (`Müller`, `São Paulo`, `1.200 €`, the Western text
    of most files): one script, no rare character, no mark and no two characters side by side,
    so never implausible. A necessary condition, as a byte screen: the exact test runs on the few
    values left (a Western file's 80,000 accented cells took 0.4 s of CPU one by one)."""
    data, offsets = bytes_and_offsets(arr)
    lead = np.flatnonzero(data >= 0xC0)  # (one pass; the rest on the few characters past ASCII)
    first = data[lead]
    odd = (first < 0xC3) | (first > 0xC5)
    if odd.any():  # signs of two or three bytes: their code points looked up
        at = lead[odd]
        lead_byte = data[at].astype(np.int64)
        second = data[np.minimum(at + 1, len(data) - 1)].astype(np.int64) & 0x3F
        third = data[np.minimum(at + 2, len(data) - 1)].astype(np.int64) & 0x3F
        point = np.where(lead_byte < 0xE0, ((lead_byte & 0x1F) << 6) | second,
                         np.where(lead_byte < 0xF0, ((lead_byte & 0x0F) << 12) | (second << 6) | third, -1))
        odd[odd] = ~np.isin(point, _SIGNS)
    odd |= (data[lead - 1] >= 0x80) & (lead > 0)  # (a character past ASCII right after another)
    return cells_at(offsets, lead[odd])


MEMO = 1 << 14  # verdicts on distinct cells kept for the next chunks of a file, at most,
MEMO_CHARS = 64  # each of a cell of at most this many characters (names, cities: ~4 MiB in all)


def _readings(text: str) -> list[tuple[str, str]]:
    """(iconv name, reading) of each encoding of ``_NATIVE`` ``text`` reads as other text in,
    where ``text`` (a cell as UTF-8 reads it) is implausible as UTF-8; else none."""
    if not implausible(text):
        return []
    return [(iconv, other) for iconv in _NATIVE if (other := legacy_reading(text, iconv)) is not None]


@dataclass
class Accidents:
    """The cells of one file that read as text of a legacy encoding, per iconv name: (row, line,
    column, the cell, its legacy reading), in the order read."""

    found: dict[str, list[tuple[int, int | None, Column, str, str]]] = field(default_factory=dict)
    # verdicts (``_readings``) on distinct short cells seen, up to MEMO of them: a name that
    # recurs (a family name, a city) is judged once a file, not once a chunk
    memo: dict[str, list[tuple[str, str]]] = field(default_factory=dict, repr=False)

    def look(self, chunk: Chunk, file: FileContext) -> None:
        """Note the cells of ``chunk`` past ASCII that are valid UTF-8, implausible as it, and
        read as text of an encoding of ``_NATIVE`` (judged once the file's encoding is known);
        the columns HubSpot imports only (not those mapped `"ignored": true`). Each distinct
        cell is judged once: a column of 100,000 `Dvořák`s (two characters past ASCII side by
        side, which the byte screen keeps) took 1 s of CPU judged cell by cell."""
        lines = chunk.lines if len(chunk.lines) == len(chunk.frame) else None
        for col in with_values(chunk, file.imported()):
            if not any(b >= 0xC0 for b in screen(chunk, col.index).present):
                continue  # (no character past ASCII: the byte screen's bytes, at hand)
            pieces = column_bytes(chunk, col.index)
            wide = np.concatenate([maybe_implausible(piece) for piece in pieces]) if pieces else np.zeros(0, bool)
            if not wide.any():
                continue
            at = np.flatnonzero(wide & ~surrogate_rows(chunk, col.index))
            if not len(at):
                continue
            texts = chunk.column(col.index).iloc[at]
            accidents = [t for t in texts.unique().tolist() if self._readings(str(t))]
            if not accidents:
                continue
            hit = np.flatnonzero(texts.isin(accidents).to_numpy(dtype=bool))
            for i, text in zip(at[hit].tolist(), texts.iloc[hit].tolist(), strict=True):
                for iconv, other in self._readings(str(text)):
                    line = int(lines[i]) if lines is not None else None
                    self.found.setdefault(iconv, []).append((int(chunk.rows[i]), line, col, str(text), other))

    def _readings(self, text: str) -> list[tuple[str, str]]:
        got = self.memo.get(text)
        if got is None:
            got = _readings(text)
            if len(self.memo) < MEMO and len(text) <= MEMO_CHARS:
                self.memo[text] = got
        return got
