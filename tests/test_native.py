"""The native kernels (``validator.native``, built from native/preflight_native.c): each one
against a reference written here in Python, on hostile arguments, and the whole check's report
the same with them and without them."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from validator import native
from validator.keys import hashers

kernels = native.kernels
M = (1 << 64) - 1
P1, P2, P3, P4, P5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x85EBCA77C2B2AE63,
                      0x27D4EB2F165667C5)


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & M


def _round(acc: int, lane: int) -> int:
    return (_rotl((acc + lane * P2) & M, 31) * P1) & M


def xxh64(data: bytes, seed: int) -> int:
    """XXH64 as its specification (xxhash's doc/xxhash_spec.md) gives it, in Python."""
    n, p = len(data), 0
    if n >= 32:
        v = [(seed + P1 + P2) & M, (seed + P2) & M, seed, (seed - P1) & M]
        while p + 32 <= n:
            v = [_round(v[i], int.from_bytes(data[p + 8 * i:p + 8 * i + 8], "little")) for i in range(4)]
            p += 32
        h = (_rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18)) & M
        for lane in v:
            h = (((h ^ _round(0, lane)) * P1) + P4) & M
    else:
        h = (seed + P5) & M
    h = (h + n) & M
    while p + 8 <= n:
        h = ((_rotl(h ^ _round(0, int.from_bytes(data[p:p + 8], "little")), 27) * P1) + P4) & M
        p += 8
    if p + 4 <= n:
        h = ((_rotl(h ^ ((int.from_bytes(data[p:p + 4], "little") * P1) & M), 23) * P2) + P3) & M
        p += 4
    while p < n:
        h = (_rotl(h ^ ((data[p] * P5) & M), 11) * P1) & M
        p += 1
    h = ((h ^ (h >> 33)) * P2) & M
    h = ((h ^ (h >> 29)) * P3) & M
    return h ^ (h >> 32)


def test_the_kernels_are_built_here() -> None:
    """An install where a C compiler is at hand builds them (the README's commands do): a build
    that silently failed would leave every large check on the slower way."""
    if os.environ.get(native.ENV, "").strip() == "0":
        pytest.skip(f"{native.ENV}=0: the kernels are turned off")
    assert kernels is not None, "the native kernels are not built: install with a C compiler"


needs_kernels = pytest.mark.skipif(kernels is None, reason="the native kernels are not built")


def test_reference_is_xxh64() -> None:
    # XXH64's published values: "" and "a" with seed 0 (xxhash's test vectors)
    assert xxh64(b"", 0) == 0xEF46DB3751D8E999
    assert xxh64(b"a", 0) == 0xD24EC4F1A98C6E5B


@needs_kernels
@given(st.lists(st.binary(max_size=80), max_size=30), st.integers(0, M), st.sampled_from([np.int32, np.int64]),
       st.integers(0, 3))
def test_hash_values_is_xxh64_of_each_value(values: list[bytes], seed: int, width: type, lead: int) -> None:
    """Every length across XXH64's stripes and tails, offsets of either width, starting anywhere."""
    data = np.frombuffer(b"\xff" * lead + b"".join(values), np.uint8)
    offsets = (lead + np.cumsum([0] + [len(v) for v in values])).astype(width)
    out = np.zeros(len(values), np.uint64)
    kernels.hash_values(data, offsets, out, seed)
    assert out.tolist() == [xxh64(v, seed) for v in values]


@needs_kernels
@pytest.mark.parametrize(("offsets", "out_len", "message"), [
    ([0, 5, 3], 2, "outside"),  # decreasing
    ([0, 2, 99], 2, "outside"),  # past the data
    ([-1, 2], 1, "outside"),  # before it
    ([0, 2], 2, "one more"),  # too few offsets for the values asked
])
def test_hash_values_refuses_offsets_outside_the_data(offsets: list[int], out_len: int, message: str) -> None:
    data = np.frombuffer(b"abcdef", np.uint8)
    out = np.zeros(out_len, np.uint64)
    with pytest.raises(ValueError, match=message):
        kernels.hash_values(data, np.array(offsets, np.int64), out, 0)


@needs_kernels
def test_hash_values_refuses_wrong_buffers() -> None:
    data = np.frombuffer(b"abc", np.uint8)
    with pytest.raises(ValueError, match="4 or 8 bytes"):
        kernels.hash_values(data, np.array([0, 1], np.int16), np.zeros(1, np.uint64), 0)
    with pytest.raises(BufferError):
        kernels.hash_values(data, np.array([0, 1], np.int64), np.zeros(1, np.uint64).tobytes(), 0)  # read-only out
    with pytest.raises(ValueError, match="8-byte"):
        kernels.hash_values(data, np.array([0, 1], np.int64), np.zeros(2, np.uint32), 0)
    with pytest.raises((BufferError, ValueError)):  # (not contiguous)
        kernels.hash_values(data, np.array([0, 1, 2, 3], np.int64)[::2], np.zeros(1, np.uint64), 0)
    with pytest.raises(TypeError):
        kernels.hash_values("abc", np.array([0, 1], np.int64), np.zeros(1, np.uint64), 0)


@needs_kernels
def test_the_native_hash_takes_every_arrow_layout() -> None:
    """String, large string, binary and view pieces of the same bytes hash alike, also mixed in
    one column; a missing value is not the empty one."""
    texts = ["a@x.com", "", "é", "x" * 40, "b@x.com "]
    raw = [t.encode() for t in texts]
    want = [xxh64(r, hashers._SEED) for r in raw]
    for kind in (pa.string(), pa.large_string(), pa.binary(), pa.large_binary(), pa.binary_view(), pa.string_view()):
        assert hashers._native_hash([pa.array(raw, kind)]).tolist() == want
    mixed = [pa.array(texts[:2], pa.string()), pa.array(raw[2:], pa.large_binary()).slice(0)]
    assert hashers._native_hash(mixed).tolist() == want
    sliced = pa.array(["zz", *texts], pa.string()).slice(1)  # (an array that starts inside its buffers)
    assert hashers._native_hash([sliced]).tolist() == want
    with_null = hashers._native_hash([pa.array(["", None], pa.string())]).tolist()
    assert with_null[0] == xxh64(b"", hashers._SEED) and with_null[1] != with_null[0]
    assert hashers._native_hash([]).tolist() == []


def test_the_kernels_can_be_turned_off() -> None:
    """``HUBSPOT_PREFLIGHT_NATIVE=0``: every large check then hashes with polars."""
    code = "from validator import native; print(native.kernels is None)"
    env = dict(os.environ, **{native.ENV: "0"})
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert got.stdout.strip() == "True"


_PIECE_TYPES = [pa.string(), pa.large_string(), pa.binary(), pa.large_binary()]


def _pieces(cells: list[bytes], cuts: list[int], kinds: list[int]) -> list[pa.Array]:
    """The cells in pieces of Arrow arrays of the types ``kinds`` picks (text types only where the
    bytes are UTF-8), each piece a slice of a longer array (so its offsets do not start at 0)."""
    bounds = sorted({0, len(cells), *(c % (len(cells) + 1) for c in cuts)})
    out = []
    for k, (a, b) in enumerate(itertools.pairwise(bounds)):
        kind = _PIECE_TYPES[kinds[k % len(kinds)] % 4]
        part = [b"pad", *cells[a:b]]
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            try:
                texts = [c.decode() for c in part]
            except UnicodeDecodeError:
                kind = pa.binary()
            else:
                out.append(pa.array(texts, kind).slice(1))
                continue
        out.append(pa.array(part, kind).slice(1))
    return out


@needs_kernels
@given(st.lists(st.binary(max_size=12), min_size=1, max_size=30), st.lists(st.integers(0, 40), max_size=4),
       st.lists(st.integers(0, 3), min_size=1, max_size=4))
def test_screens_by_the_kernel_equal_screens_by_numpy(cells: list[bytes], cuts: list[int], kinds: list[int]) -> None:
    from validator.checks import _facts

    pieces = _pieces(cells, cuts, kinds)
    made = _facts.Screen(pieces)
    same = [p.cast(pa.large_binary()) for p in pieces]  # (a group's pieces are of one type: ``_screens``)
    saved = native.kernels
    try:
        native.kernels = None
        plain = _facts.Screen(pieces)
        group_plain: dict[int, _facts.Screen] = {}
        _facts._screen_group([(0, same[:1]), (1, same[1:])], group_plain)
    finally:
        native.kernels = saved
    group_made: dict[int, _facts.Screen] = {}
    _facts._screen_group([(0, same[:1]), (1, same[1:])], group_made)
    assert made.length.tolist() == plain.length.tolist() == [len(c) for c in cells]
    assert made.first.tolist() == plain.first.tolist() == [c[0] if c else 0 for c in cells]
    assert made.last.tolist() == plain.last.tolist() == [c[-1] if c else 0 for c in cells]
    assert made.present == plain.present == {b for c in cells for b in c if not 0x20 <= b <= 0x7E}
    assert made.longest == plain.longest
    assert set(group_made) == set(group_plain)
    for i in group_made:
        m, p = group_made[i], group_plain[i]
        assert (m.first.tolist(), m.last.tolist(), m.length.tolist(), m.present) == (
            p.first.tolist(), p.last.tolist(), p.length.tolist(), p.present)
        assert m._group is not None and p._group is not None
        assert m._group[1:] == p._group[1:] and m._group[0].whole.present == p._group[0].whole.present


@needs_kernels
def test_screen_values_refuses_bad_buffers() -> None:
    data = np.frombuffer(b"abcdef", np.uint8)
    first, last, length = np.zeros(2, np.uint8), np.zeros(2, np.uint8), np.zeros(2, np.int32)
    seen = np.zeros(256, np.uint8)
    with pytest.raises(ValueError, match="outside"):
        kernels.screen_values(data, np.array([0, 4, 9], np.int64), first, last, length, seen)
    with pytest.raises(ValueError, match="256"):
        kernels.screen_values(data, np.array([0, 4, 6], np.int64), first, last, length, np.zeros(255, np.uint8))
    with pytest.raises(ValueError, match="int32"):
        kernels.screen_values(data, np.array([0, 4, 6], np.int64), first, last, np.zeros(2, np.int64), seen)
    kernels.screen_values(data, np.array([0, 4, 6], np.int32), first, last, length, seen)
    assert (first.tolist(), last.tolist(), length.tolist(), int(seen.sum())) == ([97, 101], [100, 102], [4, 2], 0)


_KEY_ALPHABET = "aZ@.-_ \t\n\r\x0b\x0c\x1c\x1f\x85\u00a0\u2028\u3000\ufeffé\u0130\u03a3İK\u212a0"


@needs_kernels
@given(st.lists(st.text(alphabet=_KEY_ALPHABET, max_size=6), min_size=1, max_size=30),
       st.sampled_from(["email", "hs_additional_emails", "firstname", "company_key"]), st.integers(1, 3))
def test_keys_by_the_kernel_equal_keys_by_arrow(cells: list[str], prop: str, pieces: int) -> None:
    """Cells trimmed (and lower-cased) by the kernel key as Arrow's utf8_trim_whitespace and
    utf8_lower key them, Unicode spaces, case mappings outside ASCII and lone long cells included
    (those the kernel leaves to Arrow)."""
    import pandas as pd

    from validator.keys import hashing, keying, normaliser
    from validator.readers.base import STR

    cut = max(1, len(cells) // pieces)
    data = pa.chunked_array([pa.array(cells[k:k + cut], pa.large_string()) for k in range(0, len(cells), cut)])
    values = pd.Series(data, dtype=STR, copy=False)
    with hashing(fast=True):
        got = keying._native_keys(values, prop)
        norm = normaliser(prop)(values)
        pos = np.flatnonzero((norm != "").to_numpy(dtype=bool))
        want = hashers.hashes(norm)[pos]
    assert got is not None
    assert got[0].tolist() == pos.tolist() and got[1].tolist() == want.tolist()


@needs_kernels
def test_key_values_decides_what_needs_no_unicode_table() -> None:
    cells = [b"  Ann@X.com\t", b"", b" \x1c ", b"\xc2\xa0a@x.com", b"a@x.com\xc2\xa0", b"Jos\xc3\xa9@x.com",
             b"x" * 1025, b"Ren\xc3\xa9e Lee"]
    data = np.frombuffer(b"".join(cells), np.uint8)
    offsets = np.cumsum([0] + [len(c) for c in cells]).astype(np.int64)
    for lower, want_state in ((True, [1, 0, 0, 2, 2, 2, 2, 2]), (False, [1, 0, 0, 2, 2, 1, 1, 1])):
        out, state = np.zeros(len(cells), np.uint64), np.zeros(len(cells), np.uint8)
        kernels.key_values(data, offsets, lower, 7, out, state)
        assert state.tolist() == want_state
        assert out[0] == xxh64(b"ann@x.com" if lower else b"Ann@X.com", 7)
        if not lower:
            assert out[5] == xxh64(b"Jos\xc3\xa9@x.com", 7) and out[6] == xxh64(b"x" * 1025, 7)
    with pytest.raises(ValueError, match="outside"):
        kernels.key_values(data, offsets[::-1].copy(), True, 7, out, state)


@needs_kernels
@given(st.lists(st.lists(st.integers(0, 300), max_size=60), max_size=12), st.integers(0, 2))
def test_a_hashed_key_set_gives_what_sorted_levels_give(chunks: list[list[int]], spread: int) -> None:
    """The hash table (grown from 16 slots as keys come) against a dict of each key's first row
    and against the sorted levels: ``add``, ``first_rows``, ``find``, ``keys``, ``rows``,
    ``missing_from``; keys spread over 64 bits or crowded into few slots (equal low and high bits)."""
    from validator.keys import KeySet

    hashed, plain = KeySet(hashed=True), KeySet(hashed=False)
    first: dict[int, int] = {}
    row = 2
    scale = [1, 2**40 + 1, 0x9E3779B97F4A7C15][spread]
    for chunk in chunks:
        keys = (np.asarray(chunk, np.uint64) * np.uint64(scale))
        rows = np.arange(row, row + len(chunk), dtype=np.int64)
        row += len(chunk)
        want = [first.setdefault(int(k), int(r)) for k, r in zip(keys, rows, strict=True)]
        assert hashed.add(keys, rows).tolist() == want == plain.add(keys, rows).tolist()
        assert len(hashed) == len(first) == len(plain)
        asked = np.arange(0, 310, dtype=np.uint64) * np.uint64(scale)
        got, want_got = hashed.first_rows(asked), plain.first_rows(asked)
        assert got[0].tolist() == want_got[0].tolist() and got[1].tolist() == want_got[1].tolist()
        assert 4 * len(hashed) <= 3 * (hashed.nbytes // 12)
    assert hashed.keys.tolist() == plain.keys.tolist() == sorted(first)
    assert hashed.rows.tolist() == plain.rows.tolist()
    asked = np.asarray([*sorted(first)[::2], 7, 8], np.uint64)
    assert [a.tolist() for a in hashed.find(asked)] == [a.tolist() for a in plain.find(asked)]
    other = KeySet(hashed=False)
    other.add(np.asarray(sorted(first)[::3], np.uint64), np.arange(len(sorted(first)[::3]), dtype=np.int64))
    assert hashed.missing_from(other).tolist() == plain.missing_from(other).tolist()


@needs_kernels
def test_a_hashed_key_set_turns_to_levels_for_rows_past_32_bits() -> None:
    from validator.keys import KeySet

    seen = KeySet()
    assert seen._table is not None
    assert seen.add(np.array([5, 6], np.uint64), np.array([2, 3])).tolist() == [2, 3]
    assert seen.add(np.array([6, 7], np.uint64), np.array([2**33, 2**33 + 1])).tolist() == [3, 2**33 + 1]
    assert seen._table is None and seen.keys.tolist() == [5, 6, 7] and seen.rows.tolist() == [2, 3, 2**33 + 1]
    with pytest.raises(ValueError, match="values"):
        KeySet(keep_values=True, hashed=True)


@needs_kernels
def test_table_kernels_refuse_bad_tables() -> None:
    keys, rows = np.zeros(16, np.uint64), np.zeros(16, np.uint32)
    out = np.empty(1, np.int64)
    with pytest.raises(ValueError, match="power of two"):
        kernels.table_add(np.zeros(12, np.uint64), np.zeros(12, np.uint32), 0, np.ones(1, np.uint64),
                          np.ones(1, np.int64), out)
    with pytest.raises(ValueError, match="power of two"):
        kernels.table_find(keys, np.zeros(8, np.uint32), np.ones(1, np.uint64), np.empty(1, np.uint8), out)
    with pytest.raises(ValueError, match="row"):
        kernels.table_add(keys, rows, 0, np.ones(1, np.uint64), np.array([-1], np.int64), out)
    # a table said to be full takes no key, and says so; one truly full is never probed forever
    assert kernels.table_add(keys, rows, 12, np.ones(1, np.uint64), np.ones(1, np.int64), out) == (0, 0)
    rows[:] = 1
    assert kernels.table_add(keys, rows, 0, np.ones(1, np.uint64), np.ones(1, np.int64), out) == (0, 0)
    found = np.empty(1, np.uint8)
    kernels.table_find(keys, rows, np.ones(1, np.uint64), found, out)
    assert found.tolist() == [0] and out.tolist() == [0]


_EMAIL_PARTS = st.text(alphabet="aZ09.-_+@\"[]\\ \t\x0b\x00:;,()<>éü\ufffd中\u0301\u200c", max_size=6)


@needs_kernels
@given(st.lists(st.one_of(_EMAIL_PARTS, st.builds(lambda a, b, c: f"{a}@{b}.{c}", _EMAIL_PARTS, _EMAIL_PARTS,
                                                  _EMAIL_PARTS),
                          st.sampled_from(["ann@x.com", "a..b@x.com", ".a@x.com", "a.@x.com", "a@-x.com",
                                           "a@x-.com", "a@x.c", "a@x.c0m", "a@x.co-m", "a@b@x.com", "a@x..com",
                                           '"a b"@x.com', "a@[192.168.0.1]", "jos\u00e9@x.com", "a@b\u00fccher.de",
                                           "a\ufffd@x.com", "a@xn--bcher-kva.de", "a\x0bb@x.com", "a@1.2.3",
                                           "\u4e2d@\u4e2d.\u4e2d\u6587", "a@x.com\n", " a@x.com"])),
                min_size=1, max_size=25), st.integers(1, 3))
def test_emails_by_the_kernel_equal_emails_by_re2(cells: list[str], pieces: int) -> None:
    from validator.formats.text import emails

    cut = max(1, len(cells) // pieces)
    arr = pa.chunked_array([pa.array(cells[k:k + cut], pa.string()) for k in range(0, len(cells), cut)])
    got = emails(arr)
    saved = native.kernels
    try:
        native.kernels = None
        want = emails(arr)
    finally:
        native.kernels = saved
    assert got.tolist() == want.tolist()


@needs_kernels
def test_email_values_flags() -> None:
    cells = [b"ann@x.com", b"a..b@x.com", b"a@b\xc3\xbccher.de", b'"a"@x.com', b"a@[1.2.3.4]", b"", b"a\x0bb@x.com"]
    data = np.frombuffer(b"".join(cells), np.uint8)
    offsets = np.cumsum([0] + [len(c) for c in cells]).astype(np.int32)
    flags = np.zeros(len(cells), np.uint8)
    kernels.email_values(data, offsets, flags)
    assert flags.tolist() == [1, 5, 2, 8, 8, 0, 1]  # (two dots in a row: the grammar takes them, emails not)


@needs_kernels
@given(st.lists(st.text(alphabet="+09 ()x\u00e9.", max_size=6), min_size=1, max_size=30), st.integers(1, 3),
       st.sampled_from([(b"+0123456789", b"0123456789 ().", b"0123456789"), (b"0", b"9x", None), (b"", b"", None)]))
def test_byte_class_cells_by_the_kernel_equal_them_by_numpy(cells: list[str], pieces: int,
                                                            classes: tuple[bytes, bytes, bytes | None]) -> None:
    from validator.formats.arrays import byte_class_cells

    cut = max(1, len(cells) // pieces)
    arr = pa.chunked_array([pa.array(cells[k:k + cut], pa.string()).slice(0) for k in range(0, len(cells), cut)])
    got = byte_class_cells(arr, *classes)
    saved = native.kernels
    try:
        native.kernels = None
        want = byte_class_cells(arr, *classes)
    finally:
        native.kernels = saved
    assert got.dtype == bool and got.tolist() == want.tolist()


def test_the_kernels_are_an_optional_extension_of_the_package() -> None:
    """The install builds them from the source shipped with the package; a machine without a C
    compiler installs the tool all the same (the extension is optional) and runs without them."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    (ext,) = config["tool"]["setuptools"]["ext-modules"]
    assert ext["name"] == "_preflight_native" and ext["optional"] is True
    assert all((root / source).is_file() for source in ext["sources"])
    # (ext-modules in pyproject.toml: setuptools 74.1 and later)
    assert any(r.startswith("setuptools>=74.1") for r in config["build-system"]["requires"])
