"""Framing CSV bytes without parsing them: record boundaries, physical lines, quote soundness.

A few vectorized scans of a segment that starts on a record boundary (quotes, line feeds,
carriage returns) give every record's byte span and physical start and end line, and prove
that the csv module would split the bytes the same way: every quote opens at a field start or
closes before a delimiter or a line end (``""`` inside). Where that proof fails, ``Anomaly``
says where, so that the exact reader can take over at the record boundary before it.

Stray quotes (a quote inside an unquoted field: ``Robert "Bob" Smith``, ``5'10"``) are text
to the csv module and to pyarrow alike, but they break the quote count. Where the count does
not prove the quotes sound, one pass over the quotes alone (not the bytes) follows the csv
module's states and sets the stray ones aside; the segment is then framed by the others. Only
text after a closing quote (``"Buyer"Co``) still goes to the exact reader.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from validator.readers.csv_exact import FIELD_LIMIT

QUOTE, LF, CR = 0x22, 0x0A, 0x0D


class Anomaly(Exception):
    """Bytes the fast path will not read: the exact path reads that segment, or the rest of the file."""

    def __init__(self, reason: str, size: int | None = None, at: int | None = None):
        super().__init__(reason)
        self.size = size  # the segment's bytes, when it is known where the segment ends
        self.at = at  # where in the segment the first problem is, when known


@dataclass(frozen=True, slots=True)
class Framed:
    """Records of one segment: byte spans (content excludes the line end) and physical lines."""

    starts: np.ndarray
    ends: np.ndarray  # content end (exclusive), before \r\n or \n
    lines: np.ndarray  # start line of each record
    end_lines: np.ndarray
    newlines: int  # line ends (the file's: line feeds, or carriage returns) in the segment
    crlf: int
    size: int  # bytes of the segment (through its last line end)
    strays: np.ndarray  # offsets of the stray quotes (text inside unquoted fields)
    quotes: np.ndarray  # offsets of the field quotes (opening, closing, doubled)


def inside_quotes(quotes: np.ndarray, at: np.ndarray) -> np.ndarray:
    """1 for each of the offsets ``at`` (ascending, none a quote's) with an odd number of
    ``quotes`` (ascending offsets) before it, else 0. Where the quotes are fewer, each is placed
    among ``at`` and the counts summed up (a search per quote, not per offset: most segments
    hold far fewer quotes than line ends or delimiters)."""
    if not len(quotes):
        return np.zeros(len(at), dtype=np.intp)
    if len(quotes) >= len(at):
        return np.searchsorted(quotes, at) & 1
    before = np.bincount(np.searchsorted(at, quotes), minlength=len(at) + 1)[: len(at)]
    return np.cumsum(before) & 1


def frame(buf: np.ndarray, delimiter: int, first_line: int, final: bool, eol: int = LF) -> Framed | None:
    """Frame the records of ``buf`` (which starts on a record boundary); None: need more bytes.

    ``eol``: the byte lines end with, LF (``\\n`` or ``\\r\\n``) or, in a file saved with old Mac
    line ends, CR (``\\r`` alone: then any line feed is left to the exact reader)."""
    quotes, strays, sound = _field_quotes(buf, delimiter, eol)
    feeds = np.flatnonzero(buf == eol)
    inside = inside_quotes(quotes, feeds)
    outside = np.flatnonzero(inside == 0)  # indices into feeds of record-ending line ends
    if final:
        size = len(buf)
        if len(quotes) & 1:
            raise Anomaly("a quote is never closed", size, int(quotes[-1]))
    else:
        if eol == CR and len(outside):  # a segment never ends inside a \r\n, nor on a \r that may start one
            last = feeds[outside]
            pair = buf[np.minimum(last + 1, len(buf) - 1)] == LF
            pair[last + 1 >= len(buf)] = False
            outside = outside[~(pair | (last + 1 >= len(buf)))]
            if not len(outside) and pair.any():  # only \r\n ends: the exact reader reads on from the first
                raise Anomaly("a line feed in a file whose lines end in a carriage return", None,
                              int(last[np.argmax(pair)]))
        if not len(outside):
            return None
        size = int(feeds[outside[-1]]) + 1
        quotes = quotes[: np.searchsorted(quotes, size)]
        strays = strays[: np.searchsorted(strays, size)]
        feeds = feeds[: outside[-1] + 1]
    body = buf[:size]
    # where the count proved the quotes of all of buf sound, it proved body's: body ends outside
    # quotes, at a line end or at buf's end
    if not sound:
        check_quotes(body, quotes, delimiter, size, eol)
    if eol == CR:
        returns = crlf = 0
        lf = np.flatnonzero(body == LF)
        if len(lf):  # at the carriage return of a \r\n: its record must end with the line feed
            first = int(lf[0]) - (1 if lf[0] > 0 and body[lf[0] - 1] == CR else 0)
            raise Anomaly("a line feed in a file whose lines end in a carriage return", size, first)
    else:
        returns = int(np.count_nonzero(body == CR))
        crlf = int(np.count_nonzero(body[feeds[feeds > 0] - 1] == CR)) if returns else 0
        if returns != crlf:
            at = np.flatnonzero(body == CR)
            lone = at[(at + 1 >= size) | (body[np.minimum(at + 1, size - 1)] != LF)]
            raise Anomaly("a line ends in a lone carriage return", size, int(lone[0]))
    terminators = feeds[outside]
    tail = size > (int(terminators[-1]) + 1 if len(terminators) else 0)  # final record without a line end
    starts = np.concatenate(([0], terminators + 1))
    ends = terminators.copy()
    if tail:
        ends = np.concatenate((ends, [size]))
    else:
        starts = starts[:-1]
    if len(ends) and returns:
        crlf_end = np.zeros(len(ends), dtype=bool)
        valid = ends > starts
        crlf_end[valid] = body[np.maximum(ends[valid] - 1, 0)] == CR
        ends = ends - crlf_end
    if len(starts) and int(np.max(ends - starts)) > FIELD_LIMIT:
        long = int(np.argmax(ends - starts > FIELD_LIMIT))
        raise Anomaly("a record is longer than the csv module's field limit", size, int(starts[long]))
    lines = np.empty(len(starts), dtype=np.int64)
    end_lines = np.empty(len(starts), dtype=np.int64)
    if len(starts):
        lines[0] = first_line + 1
        lines[1:] = first_line + 2 + outside[: len(starts) - 1]
        end_lines[: len(terminators)] = first_line + 1 + outside
        if tail:
            end_lines[-1] = first_line + 1 + len(feeds)
    return Framed(starts, ends, lines, end_lines, len(feeds), crlf, size, strays, quotes)


def check_quotes(body: np.ndarray, quotes: np.ndarray, delimiter: int, size: int, eol: int = LF) -> None:
    """Every quote opens at a field start, or closes before a delimiter or line end, or is doubled.

    With quotes counted in order, even ones open and odd ones close a quoted field; a doubled
    quote inside is an odd one followed at once by an even one. The csv module reads the bytes
    the same way exactly when every opening quote follows a delimiter, a line feed, the
    segment start or another quote, and every closing one precedes a delimiter, a line end,
    another quote or the end.
    """
    if not len(quotes):
        return
    opening, closing = quotes[0::2], quotes[1::2]
    before = body[np.maximum(opening - 1, 0)]
    ok = (opening == 0) | (before == delimiter) | (before == eol) | (before == QUOTE)
    if not ok.all():
        raise Anomaly("a quote opens inside a field", size, int(opening[np.argmin(ok)]))
    after_pos = closing + 1
    at_end = after_pos >= len(body)
    after = body[np.minimum(after_pos, len(body) - 1)]
    ok = at_end | (after == delimiter) | (after == LF) | (after == CR) | (after == QUOTE)
    if not ok.all():
        raise Anomaly("text follows a closing quote", size, int(closing[np.argmin(ok)]))


_NONE = np.empty(0, dtype=np.intp)


def field_quotes(buf: np.ndarray, delimiter: int, eol: int) -> tuple[np.ndarray, np.ndarray]:
    """(quotes that open or close a quoted field or are doubled inside one, stray quotes) of
    ``buf``, which starts on a record boundary: the csv module's reading of every quote.

    Where the quote count alone proves every quote sound (``check_quotes``), there are no
    strays. Otherwise one pass over the quotes follows the csv module's states: outside a
    quoted field, a quote after a delimiter, a line end (``eol``) or the start opens one, and any other
    is a stray (text); inside, a quote followed by a quote is a doubled one, and a quote
    followed by a delimiter, a line end or the end closes it. A quote followed by anything else
    (``"Buyer"Co``, which the csv module rejects) ends the pass: from there on every quote is
    returned as a field quote, so that ``check_quotes`` raises there (or later), as it did
    before strays were set aside.
    """
    quotes, strays, _sound = _field_quotes(buf, delimiter, eol)
    return quotes, strays


def _field_quotes(buf: np.ndarray, delimiter: int, eol: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """``field_quotes``, and whether the quote count alone proved every quote of ``buf`` sound
    (``check_quotes`` passed on it).

    Where it did not, the csv module's states are followed from the first quote the count cannot
    place (``_first_unsound``: every quote before it is a field quote, in the order the count
    reads them), a stray one set aside at a time, the count taken up again after it: a
    segment of a file that quotes every value, with one stray quote in it, had its two million
    quotes walked one by one in Python (about 1 s each). Past ``_RESYNCS`` strays the rest is
    walked (``_walk``)."""
    quotes = np.flatnonzero(buf == QUOTE)
    if not len(quotes) or _count_sound(buf, quotes, delimiter, eol):
        return quotes, _NONE, True
    field: list[np.ndarray] = []
    stray: list[int] = []
    start = 0
    for _ in range(_RESYNCS):
        rest = quotes[start:]
        k = _first_unsound(buf, rest, delimiter, eol)
        if k is None or k & 1:  # all placed; or a closing quote with text after it: the rest are returned
            field.append(rest)  # as field quotes, so that check_quotes raises there (``_walk``'s way)
            return np.concatenate(field), np.asarray(stray, dtype=np.intp), False
        field.append(rest[:k])  # an opening quote not at a field's start: a stray, and the state
        stray.append(int(rest[k]))  # (outside a quoted field) is the same for the quote after it
        start += k + 1
    walked, strays = _walk(buf, quotes[start:], delimiter, eol)
    return (np.concatenate([*field, walked]), np.concatenate([np.asarray(stray, dtype=np.intp), strays]), False)


_RESYNCS = 16  # strays set aside by the count before the rest of a segment's quotes are walked


def _first_unsound(buf: np.ndarray, quotes: np.ndarray, delimiter: int, eol: int) -> int | None:
    """The index of the first of ``quotes`` (the first of them opening a quoted field) that
    ``check_quotes``' count cannot place: an opening one (even index) not after a field start or
    a quote (the first one: not after a field start), or a closing one (odd) before neither a
    field end nor a quote; None if none."""
    size = len(buf)
    opening, closing = quotes[0::2], quotes[1::2]
    before = buf[np.maximum(opening - 1, 0)]
    ok = (opening == 0) | (before == delimiter) | (before == eol) | (before == QUOTE)
    if len(ok) and before[0] == QUOTE:  # (the first has no closing quote before it: a quote there is a stray)
        ok[0] = opening[0] == 0
    bad_open = 2 * int(np.argmin(ok)) if not ok.all() else None
    after_pos = closing + 1
    after = buf[np.minimum(after_pos, size - 1)]
    ok = (after_pos >= size) | (after == delimiter) | (after == LF) | (after == CR) | (after == QUOTE)
    bad_close = 2 * int(np.argmin(ok)) + 1 if not ok.all() else None
    found = [k for k in (bad_open, bad_close) if k is not None]
    return min(found) if found else None


def _walk(buf: np.ndarray, quotes: np.ndarray, delimiter: int, eol: int) -> tuple[np.ndarray, np.ndarray]:
    """(field quotes, stray quotes) of ``quotes``, the first of them outside a quoted field: the
    csv module's states followed quote by quote. Outside a quoted field, a quote after a
    delimiter, a line end (``eol``) or the start opens one, and any other is a stray (text);
    inside, a quote followed by a quote is a doubled one, and a quote followed by a delimiter, a
    line end or the end closes it. A quote followed by anything else ends the walk: from there on
    every quote is a field quote (``_field_quotes``)."""
    size = len(buf)
    prev = buf[np.maximum(quotes - 1, 0)].tolist()
    nxt = buf[np.minimum(quotes + 1, size - 1)].tolist()
    at = quotes.tolist()
    starts = (delimiter, eol)
    ends = (delimiter, LF, CR)
    field: list[int] = []
    stray: list[int] = []
    inside = False
    i, n = 0, len(at)
    while i < n:
        p = at[i]
        if not inside:
            if p == 0 or prev[i] in starts:
                field.append(p)
                inside = True
            else:
                stray.append(p)
            i += 1
        elif i + 1 < n and at[i + 1] == p + 1:  # a doubled quote inside the field
            field.append(p)
            field.append(p + 1)
            i += 2
        elif p + 1 == size or nxt[i] in ends:
            field.append(p)
            inside = False
            i += 1
        else:
            return np.concatenate((np.asarray(field, dtype=np.intp), quotes[i:])), np.asarray(stray, dtype=np.intp)
    return np.asarray(field, dtype=np.intp), np.asarray(stray, dtype=np.intp)


def _count_sound(buf: np.ndarray, quotes: np.ndarray, delimiter: int, eol: int) -> bool:
    """Whether counting quotes (even ones open, odd ones close) reads them as the csv module
    does: ``check_quotes`` passes on all of ``buf``."""
    try:
        check_quotes(buf, quotes, delimiter, len(buf), eol)
    except Anomaly:
        return False
    return True


def unquoted(buf: np.ndarray, byte: int, dialect: tuple[int, int] | None = None) -> np.ndarray:
    """Positions of ``byte`` in ``buf`` outside quoted fields: an even number of field quotes
    before them, counted from a record boundary (all quotes, or with a ``dialect`` (delimiter,
    line end byte) the ones ``field_quotes`` finds, stray quotes set aside)."""
    quotes = np.flatnonzero(buf == QUOTE) if dialect is None else field_quotes(buf, *dialect)[0]
    at = np.flatnonzero(buf == byte)
    return at[inside_quotes(quotes, at) == 0]


def first_boundary(buf: np.ndarray, delimiter: int, eol: int) -> int | None:
    outside = unquoted(buf, eol, (delimiter, eol))
    return int(outside[0]) + 1 if len(outside) else None


def utf8_valid(raw: bytes | bytearray) -> bool:
    """Arrow's SIMD UTF-8 check (about ten times Python's decode); it agrees with Python's
    codec on surrogates, overlong forms and truncated sequences, and a "no" is re-checked by
    Python, which then also gives the position."""
    if raw.isascii():
        return True
    offsets = pa.py_buffer(np.array([0, len(raw)], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(raw)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


# A segment with a quote every _QUOTES_APART bytes or more often, or whose quoted values hold
# more than 1/_QUOTED_SHARE of its bytes (a file that quotes every value), is not rewritten here:
# the rows of its records with quotes are written from their cells (readers.written), cheaper
# there.
_QUOTES_APART = 16
_QUOTED_SHARE = 4


def mostly_quoted(framed: Framed) -> bool:
    """A segment with a quote every _QUOTES_APART bytes or more often (most values quoted)."""
    return int(np.count_nonzero(framed.quotes < framed.size)) * _QUOTES_APART > framed.size


def written_records(buf: np.ndarray, framed: Framed, delimiter: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each record of a framed segment as its row would be written to a CSV file with the
    file's delimiter, a value quoted only where it holds the delimiter, a quote, CR or LF:
    (bytes, starts, ends, written), where ``written[i]`` says that ``bytes[starts[i]:ends[i]]``
    is record i so written. A record without quotes already is; so is one whose quoted values
    all need their quotes; one that quotes a plain value (``"Ann"``) is, once those two quotes
    are taken out. Not written here: records with stray quotes (text quotes, which the writing
    would double), and, in a segment mostly quoted, every record with quotes."""
    starts, ends, size = framed.starts, framed.ends, framed.size
    quotes, strays = framed.quotes[framed.quotes < size], framed.strays[framed.strays < size]
    without = np.ones(len(starts), bool)  # records without stray quotes
    if len(strays):
        without = np.searchsorted(strays, starts) == np.searchsorted(strays, ends)
    if not len(quotes):
        return buf, starts, ends, without
    unquoted = without & (np.searchsorted(quotes, starts) == np.searchsorted(quotes, ends))
    if mostly_quoted(framed):  # not worth rewriting here
        return buf, starts, ends, unquoted
    # each quoted value: its opening quote (at the value's start) and its closing one (the last
    # of its quotes: any between are doubled pairs)
    odd = (np.arange(len(quotes)) & 1).astype(bool)
    adjacent = np.zeros(len(quotes), bool)  # right after the quote before it
    adjacent[1:] = quotes[1:] == quotes[:-1] + 1
    followed = np.zeros(len(quotes), bool)  # right before the quote after it
    followed[:-1] = adjacent[1:]
    opening = np.flatnonzero(~odd & ~adjacent)
    closing = np.flatnonzero(odd & ~followed)
    if len(opening) != len(closing) or not np.all(closing > opening):  # not sound quotes: not rewritten
        return buf, starts, ends, unquoted
    two = closing == opening + 1  # no doubled quote inside: a plain value, unless it holds a special byte
    first, last = quotes[opening[two]] + 1, quotes[closing[two]]  # each value's bytes
    lengths = last - first
    total = int(lengths.sum())
    if total * _QUOTED_SHARE > size:
        return buf, starts, ends, unquoted
    plain = np.ones(len(first), bool)
    if total:
        ends_at = np.cumsum(lengths)
        index = np.repeat(first - (ends_at - lengths), lengths) + np.arange(total)
        special = np.zeros(256, bool)
        special[[delimiter, CR, LF]] = True
        hits = np.flatnonzero(special[buf[index]])
        plain[np.searchsorted(ends_at, hits, side="right")] = False
    cut = np.sort(np.concatenate((first[plain] - 1, last[plain])))  # the quotes of the plain values
    if not len(cut):
        return buf, starts, ends, without
    return (np.delete(buf[:size], cut), starts - np.searchsorted(cut, starts), ends - np.searchsorted(cut, ends),
            without)
