"""Bytes -> physical lines, decoded on our side so every bad byte keeps its absolute offset.

Lines end at ``\\r\\n``, ``\\n`` or ``\\r`` only (what ``newline=''`` means to the csv module), never
at the other characters ``str.splitlines`` breaks on. Undecodable bytes become lone surrogates
(``surrogateescape``), so no byte is lost or silently replaced, and each is recorded as a
DecodeEvent with offset, line and column.
"""

from __future__ import annotations

import codecs
import functools
import io
import re
from collections import deque
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from validator.readers.base import MAX_EVENTS, DecodeEvent, ReaderNotes

BLOCK = 1 << 20
_SURROGATE = re.compile("[\udc00-\udcff]")
_END = re.compile(r"\r\n?|\n")
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")  # what StringIO(newline="").readlines() gives
ERRORS = "hubspot-preflight-bytes"
# Python's ``\s`` (on str: Unicode whitespace, what str.isspace() and str.strip() go by) spelled
# out for RE2 (pyarrow's regexes), whose ``\s`` is ASCII only; pandas hands any pattern with
# ``\s`` to Python's re, cell by cell
PY_SPACE = (r"[\t\n\x{0b}\x{0c}\r\x{1c}-\x{1f} \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}"
            r"\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]")


def _keep_bytes(exc: UnicodeError) -> tuple[str, int]:
    """``surrogateescape`` for every byte: that handler cannot keep bytes below 0x80, so a
    truncated UTF-16 or UTF-32 code unit (``FF FE 00``) would raise instead of being kept."""
    if isinstance(exc, UnicodeDecodeError):
        return "".join(chr(0xDC00 + b) for b in exc.object[exc.start:exc.end]), exc.end
    raise exc


codecs.register_error(ERRORS, _keep_bytes)
# UTF-8's undecodable bytes are all 0x80 and above, so Python's own handler (in C, several times
# faster than one in Python) keeps them exactly as ``_keep_bytes`` does
KEEP_UTF8 = "surrogateescape"


@functools.lru_cache(maxsize=64)
def byte_table(chars: bytes) -> np.ndarray:
    """256 booleans: which byte values are among ``chars`` (a lookup beats ``np.isin`` on bytes)."""
    table = np.zeros(256, bool)
    table[np.frombuffer(chars, np.uint8)] = True
    table.flags.writeable = False
    return table


def lookup(table: np.ndarray, data: np.ndarray) -> np.ndarray:
    """``table[data]``: each byte of ``data`` (uint8) looked up in a table of 256 booleans or
    bytes, the result of the table's type. By Arrow's take, which indexes by the bytes
    themselves: numpy's ``take`` first widens every byte to a 64-bit index, about ten times
    slower on a chunk's column (16 MiB: 4 against 50 ms). Neither holds the interpreter's lock
    meanwhile."""
    import pyarrow.compute as pc

    if len(data) < 1 << 14:  # (numpy is faster on a few thousand bytes)
        return np.take(table, data)
    found = pc.take(_as_bytes(table), pa.array(np.ascontiguousarray(data, np.uint8)))
    return np.asarray(found.to_numpy(zero_copy_only=False)).view(table.dtype)


FIND_MIN = 1 << 14  # (below this, a lookup costs less than the copy ``holds_any`` makes)


def holds_any(data: np.ndarray, chars: bytes) -> bool:
    """Whether ``data`` (uint8) holds any of the bytes ``chars``: one copy and a ``bytes.find``
    per byte (memchr), several times faster than a lookup and the positions where none is, the
    usual case (an ``e`` in a phone column, a ``;`` in most)."""
    raw = data.tobytes()
    return any(raw.find(c) >= 0 for c in chars)


@functools.lru_cache(maxsize=64)
def _as_bytes_cached(key: bytes) -> pa.Array:
    return pa.array(np.frombuffer(key, np.uint8))


def _as_bytes(table: np.ndarray) -> pa.Array:
    return _as_bytes_cached(np.asarray(table, np.uint8).tobytes())


def bytes_and_offsets(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(UTF-8 bytes of the values of one string or binary Arrow array, value offsets into those
    bytes, rebased to 0), from its buffers without a copy."""
    kind = np.int64 if pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type) else np.int32
    bufs = arr.buffers()
    if not len(arr) or bufs[1] is None:
        return np.empty(0, np.uint8), np.zeros(len(arr) + 1, np.int64)
    offsets = np.frombuffer(bufs[1], dtype=kind)[arr.offset: arr.offset + len(arr) + 1]
    start, end = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(bufs[2], dtype=np.uint8)[start:end] if bufs[2] is not None and end > start \
        else np.empty(0, np.uint8)
    if kind is np.int64 and not start:  # the buffer's own offsets, read-only, without a copy
        return data, offsets
    return data, offsets.astype(np.int64) - start


def cells_at(offsets: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Which values hold a byte at the positions ``at`` of the bytes ``bytes_and_offsets`` gave
    with ``offsets``."""
    mask = np.zeros(len(offsets) - 1, dtype=bool)
    mask[np.searchsorted(offsets, at, side="right") - 1] = True
    return mask


def non_ascii_cells(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Which values of a string or binary Arrow array hold a byte over 0x7F (in UTF-8: which are
    not ASCII), from its buffers."""
    out = []
    for piece in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        data, offsets = bytes_and_offsets(piece)
        out.append(cells_at(offsets, np.flatnonzero(data >= 0x80)))
    return np.concatenate(out) if out else np.zeros(0, dtype=bool)


def keeping(encoding: str) -> str:
    """The error handler that keeps every undecodable byte of ``encoding`` as a lone surrogate."""
    return KEEP_UTF8 if codecs.lookup(encoding).name == "utf-8" else ERRORS
RECORD_KEEP_CHARS = 8 << 20  # the current record's lines kept for diagnosing parse errors


class LineSource:
    """Iterates physical lines (with their terminators) of a byte stream.

    ``record`` holds the lines consumed since the last ``reset_record()``, so that when the csv
    module rejects a record the caller can see exactly which lines it spanned.
    """

    def __init__(self, stream: BinaryIO, notes: ReaderNotes, encoding: str = "utf-8",
                 skip: int = 0, block: int = BLOCK, first_line: int = 0):
        self.stream = stream
        self.notes = notes
        self.encoding = encoding
        self._utf8 = codecs.lookup(encoding).name == "utf-8"
        self.skip = skip  # bytes before the stream's first byte (a BOM, or where a resumed read starts)
        self.block = block
        self.line = first_line  # lines consumed so far (a peeked line is not consumed)
        self.record: list[str] = []
        self._kept = 0
        self._generated = first_line
        # lines read ahead and not consumed yet, each with the batch it came in (``offset``)
        self._ahead: deque[tuple[str, tuple[int, list[str], int]]] = deque()
        # the lines last handed out together: (lines before them, the lines, byte offset of their start)
        self._batch: tuple[int, list[str], int] = (first_line, [], skip)
        self._lines = self._generate()

    def __iter__(self) -> Iterator[str]:
        return self

    def peek(self) -> str | None:
        """The next line without consuming it (None at the end)."""
        return next(self.ahead(), None)

    def ahead(self) -> Iterator[str]:
        """The lines from the next one on, without consuming them: each line it reads is kept
        until it is consumed (a few lines at the top of a file, where line 1 says too little;
        none is consumed while it is read)."""
        ahead = self._ahead
        at = 0
        while True:
            if at == len(ahead):
                line = next(self._lines, None)
                if line is None:
                    return
                ahead.append((line, self._batch))
            yield ahead[at][0]
            at += 1

    def __next__(self) -> str:
        if self._ahead:  # (the batch it came in: lines read after it may have started another)
            line, self._batch = self._ahead.popleft()
        else:
            line = next(self._lines)
        self.line += 1
        if self._kept < RECORD_KEEP_CHARS:
            self.record.append(line)
            self._kept += len(line)
        return line

    def reset_record(self) -> None:
        self.record.clear()
        self._kept = 0

    def offset(self) -> int:
        """The file's byte offset just after the lines consumed (a chunk's end, for the progress
        bar): one join of part of a block, once a chunk, not a count per line."""
        before, lines, start = self._batch
        text = "".join(lines[: max(0, self.line - before)])
        return start + (len(text) if self._utf8 and text.isascii() else _byte_len(text, self.encoding))

    def _blocks(self) -> Iterator[tuple[str, int, int]]:
        """Decoded text blocks with the byte offsets where each block's text begins and ends."""
        decoder = codecs.getincrementaldecoder(self.encoding)(errors=keeping(self.encoding))
        offset = self.skip
        while True:
            raw = self.stream.read(self.block)
            final = not raw
            pending_before = len(decoder.getstate()[0])
            text = decoder.decode(raw, final=final)
            pending_after = len(decoder.getstate()[0])
            consumed = pending_before + len(raw) - pending_after
            self.notes.bytes += len(raw)
            if text:
                yield text, offset, offset + consumed
            offset += consumed
            if final:
                return

    def _generate(self) -> Iterator[str]:
        carry = ""
        carry_offset = self.skip
        last = ""  # the last line given, for a code unit cut short after it (``_cut_unit``)
        parts: list[str] = []  # blocks of one line longer than a block, joined once it ends
        for text, offset, end in self._blocks():
            if "\n" not in text and "\r" not in text and not carry.endswith("\r"):
                # no line ends here: adding the block to the line so far (``carry + text``) each
                # time made a 100 MB line cost 100 copies of up to 100 MB
                if not parts:  # the line so far starts the parts (``carry_offset`` is its start)
                    if not carry:
                        carry_offset = offset
                    parts.append(carry)
                    carry = ""
                parts.append(text)
                continue
            cut = _first_end(text) if parts else None
            if parts and cut is not None:
                # the long line ends in this block: joined once from its parts (never the whole
                # of the parts and the block, then the line cut out of that: three copies of it)
                line, parts = "".join([*parts, text[:cut]]), []
                if _SURROGATE.search(line):
                    self._record_events([line], carry_offset)
                self._count_endings(line)
                self._generated += 1
                last = line
                yield line
                offset += _byte_len(text[:cut], self.encoding)
                text = text[cut:]
                if not text:
                    continue
            if parts:
                parts.append(text)
                combined, start, parts = "".join(parts), carry_offset, []
                # (StringIO would hold the text at 4 bytes a character: 400 MB for a 100 MB line)
                lines = _LINE.findall(combined)
            else:
                combined = carry + text if carry else text
                start = carry_offset if carry else offset
                lines = io.StringIO(combined, newline="").readlines()
            # an incomplete line, or a lone \r that may be the first half of \r\n, waits
            carry = "" if lines[-1].endswith("\n") else lines.pop()
            if _SURROGATE.search(combined):
                self._record_events(lines, start)
            self._count_endings(combined[: len(combined) - len(carry)])
            if carry:
                carry_offset = end - _byte_len(carry, self.encoding)
            self._batch = (self._generated, lines, start)
            self._generated += len(lines)
            if lines:
                last = lines[-1]
            yield from lines
        if parts:
            carry = "".join(parts)
        if carry and self._cut_unit(carry, last):
            # the bytes of a UTF-16/32 code unit the file's end cut short, after a line break (the
            # second half of a \r\n, say): HS402's, at the end of the last line, and no line
            body = last.rstrip("\r\n")  # (the event at the line's end: its offset stays the byte's own)
            note_decode_events(self.notes, body + carry, carry_offset - _byte_len(body, self.encoding),
                               self._generated, self.encoding)
            self.notes.final_newline = True
            carry = ""
        if carry:
            self.notes.final_newline = carry.endswith(("\n", "\r"))
            if _SURROGATE.search(carry):
                self._record_events([carry], carry_offset)
            self._count_endings(carry)
            self._batch = (self._generated, [carry], carry_offset)
            self._generated += 1
            yield carry
        else:
            self.notes.final_newline = True
        self.notes.lines = self._generated

    def _cut_unit(self, carry: str, last: str) -> bool:
        """``carry`` (the text after the last line break) is only the bytes of one UTF-16 or
        UTF-32 code unit cut short by the file's end, after a line without undecodable bytes."""
        unit = 2 if self.encoding.startswith("utf-16") else 4 if self.encoding.startswith("utf-32") else 0
        return (0 < len(carry) < unit and _SURROGATE.fullmatch(carry[0]) is not None
                and all(_SURROGATE.fullmatch(c) for c in carry) and last.endswith(("\n", "\r"))
                and not _SURROGATE.search(last))

    def _count_endings(self, text: str) -> None:
        """Line breaks of complete lines (quoted ones included; rules subtract those)."""
        endings = self.notes.line_endings
        crlf = text.count("\r\n")
        counts = {"\r\n": crlf, "\n": text.count("\n") - crlf, "\r": text.count("\r") - crlf}
        for kind, n in counts.items():
            endings[kind] += n
        note_first_endings(self.notes, text, self._generated, counts)

    def _record_events(self, lines: list[str], start: int) -> None:
        """Locate undecodable bytes (rare: only blocks that contain any)."""
        note_decode_events(self.notes, "".join(lines), start, self._generated + 1, self.encoding)


_FIRST_ENDING = {"\r\n": r"\r\n", "\n": r"(?<!\r)\n", "\r": r"\r(?!\n)"}
_FIRST_IN_TEXT = {k: re.compile(p) for k, p in _FIRST_ENDING.items()}
_FIRST_IN_BYTES = {k: re.compile(p.encode()) for k, p in _FIRST_ENDING.items()}


def note_first_endings(notes: ReaderNotes, text: str | bytes | bytearray, lines_before: int,
                       counts: dict[str, int]) -> None:
    """Note the physical line that each kind of line end in ``counts`` (kind: how many ``text``
    holds) first ends, for a kind not met before. ``text`` starts a line, after ``lines_before``
    lines. Both readers call it on the file's text in order (the exact one on its blocks, the fast
    one on its segments), so they note the same lines; a search runs only on a kind's first block."""
    first = notes.first_endings
    for kind, n in counts.items():
        if n <= 0 or kind in first:
            continue
        binary = not isinstance(text, str)
        found = (_FIRST_IN_BYTES if binary else _FIRST_IN_TEXT)[kind].search(text)  # type: ignore[arg-type]
        if found is None:
            continue
        at = found.start()
        lf, cr, crlf = (b"\n", b"\r", b"\r\n") if binary else ("\n", "\r", "\r\n")
        ends = text.count(lf, 0, at) + text.count(cr, 0, at) - text.count(crlf, 0, at)  # type: ignore[arg-type]
        first[kind] = lines_before + ends + 1


def note_decode_events(notes: ReaderNotes, text: str, offset: int, line: int, encoding: str = "utf-8") -> None:
    """Count the undecodable bytes (lone surrogates) of ``text`` and note the first MAX_EVENTS of
    a file: absolute byte offset, physical line, character in that line, the byte. ``text``
    holds whole lines, starting at byte ``offset`` of the file on physical line ``line``; lines
    end at ``\r\n``, ``\n`` or ``\r``. One pass however many events (the fast CSV reader
    notes those of the segments it reads as bytes here too)."""
    room = MAX_EVENTS - len(notes.decode_events)
    if room <= 0:
        notes.decode_errors += len(_SURROGATE.findall(text))
        return
    found = list(_SURROGATE.finditer(text))
    notes.decode_errors += len(found)
    char = byte = line_start = 0
    for m in found[:room]:
        at = m.start()
        piece = text[char:at]  # from the previous bad byte: a \r\n is never split
        byte += len(piece) if piece.isascii() and encoding == "utf-8" else _byte_len(piece, encoding)
        breaks = piece.count("\n") + piece.count("\r") - piece.count("\r\n")
        if breaks:
            line += breaks
            line_start = char + max(piece.rfind("\n"), piece.rfind("\r")) + 1
        notes.decode_events.append(DecodeEvent(offset + byte, line, at - line_start + 1,
                                               bytes([ord(m.group()) - 0xDC00]),
                                               _ascii_letter(text[at - 1: at]) or _ascii_letter(text[at + 1: at + 2])))
        char = at


def note_utf8_events(notes: ReaderNotes, raw: bytes | bytearray, offset: int, line: int) -> None:
    """``note_decode_events`` for UTF-8 bytes (``raw`` holds whole lines). Once a file's
    MAX_EVENTS are noted, its bad bytes are only counted: by two decodes in C (each bad byte is
    one character kept and none ignored), not a search of the text. A few bad bytes (a file
    with a stray one here and there) are found where they lie, each line holding one decoded
    alone: the same events as decoding the whole of ``raw``, without a pass over its text in
    Python for each."""
    if len(notes.decode_events) >= MAX_EVENTS:
        notes.decode_errors += bad_utf8_count(raw)
        return
    bad = _bad_utf8(raw, SPARSE_BAD)
    if bad is None:  # many: one decode and one pass over the text
        note_decode_events(notes, raw.decode("utf-8", KEEP_UTF8), offset, line)
        return
    notes.decode_errors += len(bad)
    room = MAX_EVENTS - len(notes.decode_events)
    at = 0  # the line breaks before ``at`` are counted into ``line``
    for b in bad[:room]:
        line += raw.count(b"\n", at, b) + raw.count(b"\r", at, b) - raw.count(b"\r\n", at, b)
        at = b
        start = max(raw.rfind(b"\n", 0, b), raw.rfind(b"\r", 0, b)) + 1
        column = len(raw[start:b].decode("utf-8", KEEP_UTF8)) + 1
        notes.decode_events.append(DecodeEvent(offset + b, line, column, bytes(raw[b: b + 1]),
                                               _ascii_letter(raw[b - 1: b])
                                               or _ascii_letter(raw[b + 1: b + 2])))


def bad_utf8_count(raw: bytes | bytearray) -> int:
    """How many bytes of ``raw`` are not UTF-8 (each a lone surrogate in ``KEEP_UTF8`` decoding).
    Where no byte that may lead a sequence (0xC2-0xF4) is followed by a continuation byte
    (0x80-0xBF), no sequence of several bytes is valid, so each byte from 0x80 up is one: counted
    in numpy (a Windows-1252 file's accented letters; 1.6 against 3.7 ms a 4 MB segment); else by
    two decodes in C (each bad byte one character kept and none ignored)."""
    body = np.frombuffer(raw, dtype=np.uint8)
    high = np.flatnonzero(body >= 0x80)
    value = body[high]
    lead = high[(value >= 0xC2) & (value <= 0xF4)]
    lead = lead[lead + 1 < len(body)]
    if not ((body[lead + 1] & 0xC0) == 0x80).any():
        return len(high)
    return len(raw.decode("utf-8", KEEP_UTF8)) - len(raw.decode("utf-8", "ignore"))


def _ascii_letter(char: str | bytes | bytearray) -> bool:
    """Whether ``char`` (one character or byte, or none) is an ASCII letter."""
    return len(char) == 1 and (char.isalpha() and char.isascii() if isinstance(char, str) else bytes(char).isalpha())


SPARSE_BAD = 64  # bad bytes in a segment up to which each is found where it lies


def _bad_utf8(raw: bytes | bytearray, most: int) -> list[int] | None:
    """Offsets of the bytes of ``raw`` that are not UTF-8 (each byte a lone surrogate in
    ``KEEP_UTF8`` decoding), or None when there are more than ``most``."""
    view = memoryview(raw)
    out: list[int] = []
    at = 0
    while True:
        try:
            codecs.utf_8_decode(view[at:], "strict", True)
            return out
        except UnicodeDecodeError as exc:
            out.extend(range(at + exc.start, at + exc.end))
            at += exc.end
            if len(out) > most:
                return None


def _first_end(text: str) -> int | None:
    """Just after the first line end in ``text`` (None: none, or a ``\\r`` last, which may be the
    first half of a ``\\r\\n``)."""
    found = _END.search(text)
    if found is None or (found.group() == "\r" and found.end() == len(text)):
        return None
    return found.end()


def _byte_len(text: str, encoding: str) -> int:
    # a kept byte is one byte whatever the encoding (UTF-16 cannot encode a lone byte back)
    kept = len(_SURROGATE.findall(text))
    if not kept:
        return len(text.encode(encoding))
    return len(_SURROGATE.sub("", text).encode(encoding)) + kept
