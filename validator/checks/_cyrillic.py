"""Whether the bytes of a file that are not UTF-8 read as Cyrillic words in Windows-1251 (HS403).

Russian, Ukrainian or Bulgarian Excel's plain "CSV" export writes Windows-1251, whose Cyrillic
letters are the bytes 0xC0-0xFF (and a few of 0x80-0xBF: `Ё`, `ё`, `І`, `ї`, ...), where
Windows-1252 has its accented Latin letters. Which one a file is, the bytes alone do not say;
their places do ([I] heuristic): a Cyrillic word is a run of such bytes between ASCII that is no
letter (`,Иван,`), while a Latin word holds its accented letters among ASCII ones (`Renée`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from validator.readers.base import DecodeEvent

LABEL = "Windows-1251 (Cyrillic)"
# of the bytes in Cyrillic words and in Latin ones, the share a Windows-1251 file's words have
_MOST = 0.9


def cyrillic_words(events: Sequence[DecodeEvent]) -> bool:
    """Whether the noted bad bytes (``ReaderNotes.decode_events``, one byte each) read as Cyrillic
    words in Windows-1251: runs of 2 bytes or more (a word; a lone `à` reads as a Cyrillic `а` too)
    with no ASCII letter beside them, holding 2 Cyrillic letters or more and nothing Windows-1251
    leaves undefined, are at least 90% of the bytes in such words and in runs beside an ASCII
    letter (a Latin word's), and at least half of all of them."""
    words = latin = 0
    for run in _runs(events):
        if any(e.by_letter for e in run):
            latin += len(run)
            continue
        text = b"".join(e.bytes for e in run).decode("cp1251", "replace")
        if len(run) >= 2 and "\ufffd" not in text and sum(_cyrillic(c) for c in text) >= 2:
            words += len(run)
    return words > 0 and words >= _MOST * (words + latin) and 2 * words >= len(events)


def _runs(events: Sequence[DecodeEvent]) -> list[list[DecodeEvent]]:
    """The events in runs of adjacent bytes on one line."""
    runs: list[list[DecodeEvent]] = []
    for e in events:
        if runs and runs[-1][-1].offset + 1 == e.offset and runs[-1][-1].line == e.line:
            runs[-1].append(e)
        else:
            runs.append([e])
    return runs


def _cyrillic(char: str) -> bool:
    return char.isalpha() and unicodedata.name(char, "").startswith("CYRILLIC")
