"""HubSpot's grammars for text properties with a format (fact sheet 6): email addresses (RFC 5321
and 6531, internationalised domains), company domains and the parts of a URL HubSpot cuts from
them, phone numbers, terms (an ISO-8601 period or a month count, and their length in months),
File Manager file IDs, and the length a text value may have."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from validator import native
from validator.catalog import builtin
from validator.formats.arrays import arrow, as_mask, by_bytes_then, distinct_cells, matches
from validator.readers.text import FIND_MIN, byte_table, bytes_and_offsets, cells_at, holds_any, lookup, non_ascii_cells

_FACTS = builtin().raw.get("formats", {})
MAX_TEXT = int(_FACTS.get("max_text_length", 65536))

# A label of an internationalised domain holds letters, digits and combining marks (IDNA2008
# permits them: Devanagari's vowel signs, Tamil's virama, Thai's tone marks, and every accent of
# a decomposed `bu\u0308cher.de`), and the joiners U+200C/U+200D within it (Persian, Indic
# scripts); a label starts with a letter or digit, a top-level domain with a letter.
_LABEL = r"[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}\x{200C}\x{200D}-]*[\p{L}\p{M}\p{N}])?"
_TLD = r"\p{L}[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}]"
DOMAIN = rf"^(?:{_LABEL}\.)+{_TLD}$|^(?:{_LABEL}\.)+xn--[a-z0-9-]+$"
# A local part takes any UTF-8 text (RFC 6531) but U+FFFD: the replacement character stands for
# bytes that were not UTF-8 (``arrays.arrow``) or were lost to an earlier mis-decoding (HS602),
# never for a character of an address.
_ATOM = r"[^\s@\"(),:;<>\[\]\\.\x{FFFD}]"
_ATOM_DOT = r"[^\s@\"(),:;<>\[\]\\\x{FFFD}]"
EMAIL = rf"^{_ATOM}(?:{_ATOM_DOT}*{_ATOM})?@(?:{_LABEL}\.)+{_TLD}$"
# RFC 5321's other forms, which few senders use: a quoted local part (any text but an unescaped
# quote or a control character; `\\` escapes one character; UTF-8 as RFC 6531 allows) and an
# address literal for the domain (an IPv4 address, or `IPv6:` and one).
_QUOTED = r'"(?:[^"\\\x00-\x1f\x7f\x{FFFD}]|\\[\x20-\x7e])+"'
_IPV4 = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}"
_LITERAL = rf"\[(?:{_IPV4}|IPv6:(?:[0-9A-Fa-f]{{0,4}}:){{2,7}}(?:[0-9A-Fa-f]{{1,4}}|{_IPV4})?)\]"
EMAIL_RARE = (rf"^{_QUOTED}@(?:(?:{_LABEL}\.)+{_TLD}|{_LITERAL})$|"
              rf"^{_ATOM}(?:{_ATOM_DOT}*{_ATOM})?@{_LITERAL}$")
DOMAIN_EXTRA = r"^[A-Za-z][A-Za-z0-9+.-]*://|^www\.|[/?#:]|[^.]\.$"  # ... or the root's dot: `acme.com.`
PHONE = r"^\+?[\d\s().\-/]*\d[\d\s().\-/]*(?:\s*(?:ext\.?|x|#)\s*\d+)?$"
TERM = r"^P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?$|^\d+$"
FILE_ID = r"^\d+$|^https?://\S+$"


def _ascii(pattern: str) -> str:
    """``pattern`` for ASCII-only text, its letter and digit classes ASCII's: the same matches
    there, about twice as fast in RE2, and compiled in microseconds instead of milliseconds."""
    for wide, narrow in ((r"[\p{L}\p{M}\p{N}\x{200C}\x{200D}-]", "[A-Za-z0-9-]"),
                         (r"[\p{L}\p{M}\p{N}-]", "[A-Za-z0-9-]"), (r"[\p{L}\p{M}\p{N}]", "[A-Za-z0-9]"),
                         (r"[\p{L}\p{M}]", "[A-Za-z]"), (r"[\p{L}\p{N}]", "[A-Za-z0-9]"), (r"\p{L}", "[A-Za-z]")):
        pattern = pattern.replace(wide, narrow)
    return pattern


# The letters of U+00C0-U+017F (Latin-1's and Latin Extended-A's: all of the range but × and ÷),
# the characters past ASCII of most European names and of their domains (`müller@bücher.de`)
_LATIN_LETTERS = r"\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{17F}"


def _latin(pattern: str) -> str:
    """``pattern`` for text whose characters past ASCII are all ``_LATIN_LETTERS``: its letter and
    digit classes those letters and ASCII's (no mark or digit past ASCII is among them): the same
    matches there, compiled in a fraction of a millisecond where RE2 compiles the Unicode classes
    in 6-9 ms, at each call."""
    for wide, narrow in ((r"[\p{L}\p{M}\p{N}\x{200C}\x{200D}-]", f"[A-Za-z0-9{_LATIN_LETTERS}-]"),
                         (r"[\p{L}\p{M}\p{N}-]", f"[A-Za-z0-9{_LATIN_LETTERS}-]"),
                         (r"[\p{L}\p{M}\p{N}]", f"[A-Za-z0-9{_LATIN_LETTERS}]"),
                         (r"[\p{L}\p{M}]", f"[A-Za-z{_LATIN_LETTERS}]"),
                         (r"[\p{L}\p{N}]", f"[A-Za-z0-9{_LATIN_LETTERS}]"), (r"\p{L}", f"[A-Za-z{_LATIN_LETTERS}]")):
        pattern = pattern.replace(wide, narrow)
    return pattern


EMAIL_ASCII = _ascii(EMAIL)
DOMAIN_ASCII = _ascii(DOMAIN)
_WIDE_DOMAIN = r"@[^@]*[^\x00-\x7F]"  # a non-ASCII character after an @ (after the last, or two @s)


def _alphabets(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Per value of a string array: 0 where it is ASCII, 1 where its characters past ASCII are all
    U+00C0-U+017F (lead bytes C3-C5; ``_latin``'s classes hold that range's letters, so × and ÷
    are judged there as the Unicode classes judge them), 2 where it has others. From the UTF-8
    bytes (an Arrow string array's are valid UTF-8)."""
    out = []
    for piece in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        data, offsets = bytes_and_offsets(piece)
        kind = np.zeros(len(offsets) - 1, np.int8)
        high = np.flatnonzero(data >= 0x80)
        if len(high):
            kind[cells_at(offsets, high)] = 1
            lead = data[high]
            kind[cells_at(offsets, high[(lead >= 0xC6) | (lead < 0xC3) & (lead >= 0xC0)])] = 2
        out.append(kind)
    return np.concatenate(out) if out else np.zeros(0, np.int8)


def _narrowed(arr: pa.Array | pa.ChunkedArray, pattern: str) -> np.ndarray:
    """``match_substring_regex`` of ``pattern`` (one with Unicode letter classes), each value
    matched by the pattern for its alphabet (``_alphabets``): ASCII's, Latin's, or the whole
    pattern for the others. pyarrow compiles a pattern at every call, and RE2 takes 6-9 ms to
    compile the Unicode classes of the email and domain grammars: a chunk with one
    `müller@bücher.de` paid that for it."""
    kind = _alphabets(arr)
    ok = np.zeros(len(kind), bool)
    for alphabet, narrow in ((0, _ascii), (1, _latin), (2, None)):
        at = np.flatnonzero(kind == alphabet)
        if not len(at):
            continue
        use = pattern if narrow is None else narrow(pattern)
        ok[at] = as_mask(pc.match_substring_regex(arr if len(at) == len(kind) else pc.take(arr, pa.array(at)), use))
    return ok


def _utf8_bytes(arr: pa.Array | pa.ChunkedArray) -> list[np.ndarray]:
    """The UTF-8 bytes of the values of a string array, one uint8 view per Arrow chunk (no copy:
    numpy's tests of them release the GIL)."""
    return [bytes_and_offsets(piece)[0] for piece in (arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr])]


def _has_pair(data: np.ndarray, byte: int) -> bool:
    """Whether ``byte`` occurs twice in a row in ``data``."""
    at = data == byte
    return bool(np.any(at[1:] & at[:-1]))


def emails(values: pd.Series | pa.Array) -> np.ndarray:
    """A valid address: one ``@``, no spaces, a dotted domain ending in letters; or one of RFC
    5321's rarer forms (``rare_emails``). HubSpot's exact grammar is not published [GAP]; this
    accepts every address RFC 5321 mail uses (RFC 6531's UTF-8 included), but none holding
    U+FFFD, which stands for bytes that were not UTF-8 (``arrow``) or a character lost before."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    if native.kernels is not None and not arr.null_count and (pa.types.is_string(arr.type)
                                                              or pa.types.is_large_string(arr.type)):
        return _native_emails(arr)
    blocks = _utf8_bytes(arr) if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) else None
    ascii_only = blocks is not None and all(not len(b) or int(b.max()) < 0x80 for b in blocks)
    wide = non_ascii_cells(arr) if blocks is not None and not ascii_only else None
    if blocks is None:
        ok = as_mask(pc.match_substring_regex(arr, EMAIL))
    else:  # the grammars differ only after the @: the ASCII one decides every cell but those with
        # a non-ASCII character after an @ (RE2 compiles the Unicode one in ~2 ms, each call)
        ok = as_mask(pc.match_substring_regex(arr, EMAIL_ASCII))
        if wide is not None and wide.any():
            at = np.flatnonzero(wide)
            at = at[as_mask(pc.match_substring_regex(pc.take(arr, pa.array(at)), _WIDE_DOMAIN))]
            if len(at):
                ok[at] = _narrowed(pc.take(arr, pa.array(at)), EMAIL)
    if blocks is None or any(_has_pair(b, 0x2E) for b in blocks):
        ok &= ~as_mask(pc.match_substring(arr, ".."))
    if blocks is None or any(len(b) and ((b == 0x22).any() or (b == 0x5B).any()) for b in blocks):
        at = np.flatnonzero(~ok)  # only cells the plain grammar refused: a quote or a [ is rare
        if len(at):
            ok[at] = rare_emails(pc.take(arr, pa.array(at)))
    return ok


def _native_emails(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """``emails`` of a string array without nulls, the plain grammar checked by the native kernel
    (``email_values``: the ASCII grammar, and which cells hold two dots, a quote or a bracket, or
    a character past ASCII after an @) in one pass over its buffers; the cells the kernel points
    at judged by Arrow as ``emails`` judges them: the Unicode grammar for a non-ASCII domain, the
    rarer forms where the column holds a quote or a bracket."""
    flags = np.empty(len(arr), np.uint8)
    for data, offsets, part in native.buffers(arr):
        native.kernels.email_values(data, offsets, flags[part])
    ok = (flags & 1) != 0
    wide = np.flatnonzero(flags & 2)
    if len(wide):
        ok[wide] = _narrowed(pc.take(arr, pa.array(wide)), EMAIL)
    ok &= (flags & 4) == 0
    if (flags & 8).any():
        again = np.flatnonzero(~ok)  # only cells the plain grammar refused: a quote or a [ is rare
        if len(again):
            ok[again] = rare_emails(pc.take(arr, pa.array(again)))
    return ok


def rare_emails(values: pd.Series | pa.Array) -> np.ndarray:
    """RFC 5321 addresses that few senders use: a quoted local part (``"john.doe"@example.com``)
    or an address literal (``user@[192.168.1.1]``, ``user@[IPv6:2001:db8::1]``). Two dots in a
    row are allowed only inside the quotes."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    ok = _narrowed(arr, EMAIL_RARE)
    if ok.any():
        ok &= ~(as_mask(pc.match_substring(arr, "..")) & ~as_mask(pc.starts_with(arr, '"')))
    return ok


# A local part with a character outside ASCII, no quote in it: RFC 6531's internationalised mail
# (a format or control character, which prints as nothing, is HS431's: not counted here)
_WIDE_LOCAL = r'^[^@"]*[^\x00-\x7f\p{C}\p{Z}][^@"]*@[^@]*$'


def wide_local_emails(values: pd.Series | pa.Array, valid: np.ndarray | None = None) -> np.ndarray:
    """Addresses ``emails`` takes whose local part is not ASCII (``josé@example.com``): RFC 6531
    mail, which needs SMTPUTF8 on every server on the way; RFC 2822's grammar is ASCII.
    ``valid``, where given, is ``emails`` of the values, worked out already."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    ok = as_mask(pc.match_substring_regex(arr, _WIDE_LOCAL))
    if ok.any():
        at = np.flatnonzero(ok)
        ok[at] = valid[at] if valid is not None else emails(pc.take(arr, pa.array(at)))
    return ok


def domains(values: pd.Series | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(valid, stripped): ``stripped`` when HubSpot keeps only the host (a scheme, ``www.``,
    path, port or query is cut [V] S6); ``valid`` when the host left is a domain name."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    distinct = distinct_cells(arr)
    if distinct is not None:  # a contact file's company domains repeat: each distinct text once
        texts, at = distinct
        valid, extra = domains(texts)
        return valid[at], extra[at]
    extra = as_mask(pc.match_substring_regex(arr, DOMAIN_EXTRA, ignore_case=True))
    if np.count_nonzero(extra) * 2 > len(extra):
        return _hosts(_host(arr)), extra
    valid = _hosts(arr)  # a cell with nothing to cut is its own host
    if extra.any():
        at = np.flatnonzero(extra)
        valid[at] = _hosts(_host(pc.take(arr, pa.array(at))))
    return valid, extra


def domain_host(value: str) -> str:
    """The host HubSpot keeps of one cell (``_host``): `acme.com` of `https://www.acme.com/about`."""
    return str(_host(arrow([value]))[0].as_py())


def _host(arr: pa.Array) -> pa.Array:
    """The host HubSpot keeps: scheme, path, query, port, ``www.`` and the dot of a fully
    qualified name (``acme.com.``, DNS's name of the root, after the top-level domain) cut."""
    host = pc.replace_substring_regex(arr, r"^[A-Za-z][A-Za-z0-9+.-]*://", "")
    host = pc.replace_substring_regex(host, r"[/?#:].*$", "")
    host = pc.replace_substring_regex(host, r"([^.])\.$", r"\1")
    return pc.replace_substring_regex(host, r"(?i)^www\.", "")


def _hosts(arr: pa.Array) -> np.ndarray:
    """Whether each host, lower-cased, is a domain name: by the ASCII grammar where it is
    ASCII, by the Unicode one (~3 ms to compile, each call) on the others."""
    lowered = pc.utf8_lower(arr)
    ok = as_mask(pc.match_substring_regex(lowered, DOMAIN_ASCII))
    wide = non_ascii_cells(lowered)
    if wide.any():
        at = np.flatnonzero(wide)
        ok[at] = _narrowed(pc.take(lowered, pa.array(at)), DOMAIN)
    return ok


def phones(values: pd.Series | pa.Array) -> np.ndarray:
    """Digits with the usual punctuation, an optional leading ``+`` and ``ext<n>`` [V] S6."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    return by_bytes_then(arr, _PHONE_BYTES, lambda rest: matches(rest, PHONE, ignore_case=True))


# PHONE's plainest cells by bytes: a leading + or what may follow it, then digits, RE2's ``\s``
# and ( ) . - / only, ending in a digit (so holding one): each such cell matches PHONE
_PHONE_BYTES = (b"+0123456789\t\n\x0c\r ().-/", b"0123456789\t\n\x0c\r ().-/", b"0123456789")

# The fewest digits a phone number with its country code has: E.164 sets no minimum, but the
# shortest numbers in use are Niue's and Tokelau's, a three-digit country code (+683, +690) and
# four digits; fewer than 7 (`12`, `+1`, `+44 20`) is a fragment, not a number HubSpot can format.
PHONE_MIN_DIGITS = 7
_EXTENSION = r"(?i)\s*(?:ext\.?|x|#)\s*\d+$"


def phone_digits(values: pd.Series | pa.Array) -> np.ndarray:
    """How many ASCII digits each cell holds before its extension (``ext12``, ``x12``, ``#12``):
    counted over the UTF-8 bytes; only cells holding an ``x`` or ``#`` go through a regex."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
    n, marked = _digits(arr, b"xX#")
    at = np.flatnonzero(marked)
    if len(at):
        n[at] = _digits(pc.replace_substring_regex(pc.take(arr, pa.array(at)), _EXTENSION, ""), b"")[0]
    return n


def _digits(arr: pa.Array | pa.ChunkedArray, marks: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(ASCII digits in each cell, whether it holds one of the bytes ``marks``)."""
    counts, marked = [np.zeros(0, np.int64)], [np.zeros(0, bool)]
    for piece in (arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]):
        data, offsets = bytes_and_offsets(piece)
        n = len(offsets) - 1
        count = np.zeros(n, np.int64)
        # a sum per cell (reduceat: no running total of every byte); cells from ``k`` on start at
        # the end of the bytes (empty), and reduceat gives an empty cell its first byte: zeroed
        k = int(np.searchsorted(offsets[:-1], len(data)))
        if k:
            count[:k] = np.add.reduceat((data - np.uint8(0x30)) < 10, offsets[:k], dtype=np.int64)
            count[offsets[1:] == offsets[:-1]] = 0
        counts.append(count)
        if not marks or (len(data) >= FIND_MIN and not holds_any(data, marks)):  # (most columns)
            marked.append(np.zeros(n, bool))
        else:
            marked.append(cells_at(offsets, np.flatnonzero(lookup(byte_table(marks), data))))
    return np.concatenate(counts), np.concatenate(marked)


def terms(values: pd.Series | pa.Array) -> np.ndarray:
    """ISO-8601 period ``PnYnMnWnD`` (``P12M``, ``P1Y``) or a month count (``10``) [V] S6."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    upper = pc.utf8_upper(arr)
    return as_mask(pc.match_substring_regex(upper, TERM)) & as_mask(pc.not_equal(upper, "P"))


TERM_PARTS = r"^(?:P(?:(?P<y>\d+)Y)?(?:(?P<m>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?|(?P<n>\d+))$"
DAYS_PER_MONTH = 365.25 / 12


def term_months(values: pd.Series | pa.Array) -> np.ndarray:
    """The length in months of each term ``terms`` accepts (weeks and days at 365.25/12 days a
    month); NaN for any other cell."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    upper = pc.utf8_upper(arr)
    ok = terms(upper)
    parts = pc.extract_regex(upper, TERM_PARTS)

    def number(name: str) -> np.ndarray:
        field = pc.struct_field(parts, name)
        text = pc.if_else(pc.equal(field, ""), "0", pc.fill_null(field, "0"))
        return np.asarray(pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
    months = (number("y") * 12 + number("m") + number("n")
              + (number("w") * 7 + number("d")) / DAYS_PER_MONTH)
    return np.where(ok, months, np.nan)


def file_ids(values: pd.Series | pa.Array) -> np.ndarray:
    """A File Manager file ID [V] S6 (or a URL, which the errorType name allows [I])."""
    return matches(values, FILE_ID)


def too_long(values: pd.Series | pa.Array, limit: int = MAX_TEXT) -> np.ndarray:
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    return as_mask(pc.greater(pc.utf8_length(arr), limit))


# RFC 5321 (4.5.3.1) and RFC 1035 (2.3.4): 64 octets for a local part, 63 for a domain's label
# (an internationalised one as its `xn--` A-label, the form DNS holds), 254 for the address (a
# path's 256 less its angle brackets). HubSpot's own limits are not published [GAP].
LOCAL_MAX, LABEL_MAX, ADDRESS_MAX = 64, 63, 254


def long_emails(values: pd.Series | pa.Array) -> np.ndarray:
    """Which addresses pass a limit of RFC 5321's: a cell of 65 octets or fewer cannot but by
    a domain label's A-label (a 64-octet part and the rest take 66), so only longer cells and
    those with a non-ASCII character after their last ``@`` are split (accents in a local part,
    the usual ones, are not); A-labels are made for the distinct non-ASCII labels only."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else arrow(values)
    size = np.asarray(pc.fill_null(pc.binary_length(arr), 0).to_numpy(zero_copy_only=False), dtype=np.int64)
    out = size > ADDRESS_MAX
    wide = np.flatnonzero(non_ascii_cells(arr))
    domains = np.zeros(len(size), bool)
    if len(wide):  # few: where their last '@' is, among them only
        domains[wide[_non_ascii_domains(pc.take(arr, pa.array(wide)))]] = True
    at = np.flatnonzero(~out & ((size > LOCAL_MAX + 1) | domains))
    if not len(at):
        return out
    parts = pc.extract_regex(pc.take(arr, pa.array(at)), r"^(?P<local>.*)@(?P<domain>[^@]*)$")
    local = pc.fill_null(pc.struct_field(parts, "local"), "")
    labels = pc.split_pattern(pc.fill_null(pc.struct_field(parts, "domain"), ""), ".")
    flat = pc.list_flatten(labels)
    # a copy: written below (a large_string's lengths come as a read-only view of Arrow's buffer)
    length = np.array(pc.binary_length(flat).to_numpy(zero_copy_only=False), dtype=np.int64)
    wide = np.flatnonzero(non_ascii_cells(flat))
    if len(wide):
        taken = pc.take(flat, pa.array(wide))
        encoded = pc.dictionary_encode(taken.combine_chunks() if isinstance(taken, pa.ChunkedArray) else taken)
        a_label = np.array([a_label_length(s) for s in encoded.dictionary.to_pylist()], dtype=np.int64)
        length[wide] = a_label[np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.intp)]
    parent = np.asarray(pc.list_parent_indices(labels).to_numpy(zero_copy_only=False), dtype=np.intp)
    long_label = np.bincount(parent[length > LABEL_MAX], minlength=len(at)) > 0
    long_local = np.asarray(pc.binary_length(local).to_numpy(zero_copy_only=False), dtype=np.int64) > LOCAL_MAX
    out[at] = long_local | long_label
    return out


def _non_ascii_domains(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Which cells hold a byte over 0x7F after their last ``@`` (or anywhere, without one)."""
    out = [np.zeros(0, bool)]
    for piece in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        data, offsets = bytes_and_offsets(piece)
        mask = np.zeros(len(offsets) - 1, bool)
        wide = np.flatnonzero(data >= 0x80)
        if len(wide):
            cell = np.searchsorted(offsets, wide, side="right") - 1
            last = np.full(len(mask), -1, np.int64)  # each cell's last '@' (-1: none)
            ats = np.flatnonzero(data == 0x40)
            if len(ats):
                at_cell = np.searchsorted(offsets, ats, side="right") - 1
                final = np.append(at_cell[1:] != at_cell[:-1], True)  # the last '@' of its cell
                last[at_cell[final]] = ats[final]
            mask[cell[wide > last[cell]]] = True
        out.append(mask)
    return np.concatenate(out)


def a_label_length(label: str) -> int:
    """Octets of a label as DNS holds it: ASCII as it is, else its `xn--` A-label (RFC 5891)."""
    if label.isascii():
        return len(label)
    return 4 + len(label.lower().encode("punycode"))

