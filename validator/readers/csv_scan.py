"""What the exact reader needs to know of a record the csv module rejected: where a quote that is
still open began, where a bad quote is, and how long each field of a one-line record is.

These run over the record's whole text, which can be a single 100 MB value: they jump over runs
of characters that cannot change the state (with ``str.find`` and regexes, in C) instead of
stepping through every character in Python (a 100 MB value took 2.5 s; 100 values of 1 MB in a
100 MB file, 6 s of its 11).
"""

from __future__ import annotations

import functools
import re


class ScanState:
    __slots__ = ("after_quote", "at_start", "error_at", "error_field", "field_at", "field_no", "in_quotes",
                 "offset", "open_field", "open_line")

    def __init__(self) -> None:
        self.open_line: int | None = None
        self.open_field: int | None = None
        self.error_field: int | None = None
        self.error_at: int | None = None  # offset of the character that follows the bad quote
        self.field_at = 0  # offset where the field in error (or the last field) starts
        # where the scan stands, so that it can go on with more lines (``_rest_of_record``)
        self.field_no, self.in_quotes, self.at_start, self.after_quote, self.offset = 1, False, True, False, -1


@functools.cache
def _plain(delimiter: str) -> re.Pattern[str]:
    """Characters outside quotes that change nothing once a field has begun (a quote among
    them is text: it does not start the field)."""
    return re.compile(f"[^{re.escape(delimiter)}\r\n]+")


def scan(lines: list[str], delimiter: str, stop_on_error: bool = False,
         state: ScanState | None = None) -> ScanState:
    """A tiny RFC 4180 state machine, run only on a record the csv module rejected. Past a bad
    quote it reads on leniently (the text joins the field). ``state``: go on from an earlier scan."""
    state = state or ScanState()
    field_no, in_quotes, at_start, after_quote = state.field_no, state.in_quotes, state.at_start, state.after_quote
    plain = _plain(delimiter)
    base = state.offset + 1  # the offset of the line's first character
    for i, line in enumerate(lines):
        pos, size = 0, len(line)
        while pos < size:
            if in_quotes:  # only a quote ends a quoted run
                pos = line.find('"', pos) + 1
                if not pos:
                    break
                in_quotes, after_quote = False, True
                continue
            ch = line[pos]
            at = base + pos
            pos += 1
            if after_quote:
                after_quote = False
                if ch == '"':  # doubled quote inside a quoted field
                    in_quotes = True
                    continue
                if ch not in (delimiter, "\r", "\n"):
                    state.error_field, state.error_at = field_no, at
                    if stop_on_error:
                        return state
            if ch == delimiter:
                field_no, at_start, state.field_at = field_no + 1, True, at + 1
            elif ch in "\r\n":
                at_start, state.field_at = True, at + 1
            elif ch == '"' and at_start:
                in_quotes, state.open_line, state.open_field = True, i, field_no
                at_start = False
            else:
                at_start = False
                run = plain.match(line, pos)
                if run:
                    pos = run.end()
        base += size
    state.field_no, state.in_quotes, state.at_start, state.after_quote = field_no, in_quotes, at_start, after_quote
    state.offset = base - 1
    if not in_quotes:
        state.open_line = state.open_field = None
    return state


# a quoted field's text "unrolled" (runs of non-quotes between doubled quotes): ``(?:[^"]|"")*``
# reads the same but keeps a backtracking entry per character, 130 bytes each, so a 30 MB quoted
# value took 4 GB and a 100 MB one 12 GB
_FIELD = r'"[^"]*(?:""[^"]*)*"[^{d}]*|[^{d}]*'


def field_lengths(line: str, delimiter: str, stop: int | None = None) -> list[int]:
    """The length of each field of a one-line record (a quoted one, its quotes and all), without
    the csv module, which stops at its field limit. ``stop``: where the record ends in ``line``
    (before its line break; cutting that off would copy a 100 MB line)."""
    pattern = re.compile(_FIELD.format(d=re.escape(delimiter)))
    size = len(line) if stop is None else stop
    out, at = [], 0
    while True:
        m = pattern.match(line, at, size)
        end = m.end() if m else size
        out.append(end - at)
        if end >= size or line[end] != delimiter:
            return out
        at = end + len(delimiter)
