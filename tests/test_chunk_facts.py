"""Shortcuts of the hot path give exactly what the plain per-cell computation gives."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from validator import formats
from validator.checks._facts import _line_breaks
from validator.formats.text import _digits
from validator.keys import hashes
from validator.readers.base import PY_STR, Chunk, string_frame

CELL = st.text(alphabet="ab \t\r\n\x00\x01\x85é\u00a0\u2007\u202f\u202e\u061c=+-@1", max_size=5)


def _plain_breaks(frame: pd.DataFrame) -> dict[str, int]:
    out = {"\r\n": 0, "\n": 0, "\r": 0}
    for i in range(frame.shape[1]):
        s = frame[i].astype(object).astype(PY_STR)
        crlf = int(s.str.count("\r\n").sum())
        out["\r\n"] += crlf
        out["\n"] += int(s.str.count("\n").sum()) - crlf
        out["\r"] += int(s.str.count("\r").sum()) - crlf
    return out


@given(st.lists(st.lists(CELL, min_size=0, max_size=8), min_size=1, max_size=3), st.booleans())
def test_line_breaks_from_buffers_match_per_cell_counts(columns: list[list[str]], sliced: bool) -> None:
    n = min(len(c) for c in columns)
    frame = string_frame([c[:n] for c in columns], list(range(2, n + 2)))
    if sliced and n > 2:
        frame = frame.iloc[1:-1]  # Arrow arrays with an offset
    chunk = Chunk(frame, np.arange(len(frame)))
    assert _line_breaks(chunk) == _plain_breaks(frame)


def test_line_breaks_do_not_join_a_cr_and_lf_of_neighbouring_cells() -> None:
    frame = string_frame([["a\r", "\nb", "", "\r\n"]], [2, 3, 4, 5])
    assert _line_breaks(Chunk(frame, np.arange(4))) == {"\r\n": 1, "\n": 1, "\r": 1}


def test_a_cell_hashes_the_same_whether_or_not_its_chunk_holds_undecodable_bytes() -> None:
    clean = string_frame([["é", "x"], ["a", "b"]], [2, 3])
    dirty = string_frame([["é", "x\udcfc"], ["a", "b"]], [4, 5])
    assert str(dirty[0].dtype.storage) == "python"
    assert hashes(clean.iloc[:1]).tolist() == hashes(dirty.iloc[:1]).tolist()
    assert hashes(clean[0]).tolist()[0] == hashes(dirty[0]).tolist()[0]
    assert hashes(clean[0]).tolist()[1] != hashes(dirty[0]).tolist()[1]
    plain = pd.util.hash_pandas_object(clean, index=False).to_numpy(dtype=np.uint64)
    assert hashes(clean).tolist() == plain.tolist()


def test_dates_parsed_once_per_distinct_text_equal_dates_parsed_per_cell() -> None:
    texts = ["02/29/2024", "02/30/2024", "", " 1/2/24 ", "Jan-05-2023", "1700000000000", "1700000000",
             "12/31/1999 23:59", "3/4/2024 13:00 PM", "x", "13/01/2020"]
    cells = formats.arrow(pd.Series(texts * 400, dtype="str"))
    assert len(cells) >= formats.DISTINCT_MIN_ROWS
    for fmt in formats.DATE_FORMATS:
        for with_time in (False, True):
            fast = formats.parse_dates(cells, fmt, with_time=with_time)
            slow = formats.parse_dates(cells.slice(0, len(texts)), fmt, with_time=with_time)
            for f in dataclasses.fields(fast):
                assert getattr(fast, f.name).tolist() == getattr(slow, f.name).tolist() * 400, f.name


@given(st.lists(CELL, min_size=1, max_size=12))
@example(["a \n", "=1", "b"])
@example(["\u3000", "\u3000\n", " ", "\t\u00a0", "a\u2007\n", "\u00a0a", "a\u202f", "\n", " \n", "a \r\n"])
@example(["+1 555 0100", "-12.5", "+1 ext. 12", "=1+1", "@x", "+", "+1"])  # most rows candidates
def test_byte_screens_keep_every_cell_the_full_predicates_flag(cells: list[str]) -> None:
    frame = string_frame([cells], list(range(2, len(cells) + 2)))
    _assert_screens_keep_flagged_cells(Chunk(frame, np.arange(len(cells))))


def _assert_screens_keep_flagged_cells(chunk: Chunk) -> None:
    """Each rule's predicate over the rows its byte screen keeps equals it over every row."""
    from validator.checks import dialect, safety
    from validator.checks._facts import CONTROL, NUL, exactly, rows_with, screen

    seen = screen(chunk, 0)
    assert seen is not None
    values = chunk.frame[0]
    cases = [
        (seen.first_in(dialect._SPACE_FIRST) | seen.last_in(dialect._SPACE_LAST), dialect._around),
        (seen.first_in(safety._FORMULA_FIRST), safety._formula),
        (seen.first_in(safety._FORMULA_FIRST), safety._formula, safety._not_signed),  # the rule's way
        (seen.has(CONTROL), lambda v: v.str.contains(safety.CONTROLS, regex=True).to_numpy(dtype=bool)),
        (seen.has(NUL), lambda v: v.str.contains("\x00", regex=False).to_numpy(dtype=bool)),
        (rows_with(chunk, 0, b"#"), lambda v: v.str.contains("#", regex=False).to_numpy(dtype=bool)),
    ]
    for candidates, predicate, *on_candidates in cases:
        assert exactly(values, candidates, (on_candidates or [predicate])[0]).tolist() == predicate(values).tolist()
    # HS409's rows from the cells' first and last bytes, against its regex over every cell
    assert dialect._around_rows(chunk, 0).tolist() == dialect._around(values).tolist()


@given(st.lists(st.text(alphabet=" \t\x0b\x1c\x85\u00a0\u1680\u2000\u2028\u3000\ufeffa", max_size=4),
                min_size=1, max_size=12))
def test_blank_cells_from_the_screen_equal_blank_cells_of_trimmed_text(cells: list[str]) -> None:
    from validator.checks._facts import blank_at

    frame = string_frame([cells], list(range(2, len(cells) + 2)))
    chunk = Chunk(frame, np.arange(len(cells)))
    assert blank_at(chunk, 0).tolist() == formats.blank(frame[0]).tolist()


@given(st.lists(st.text(alphabet="+-=@ \t\r\n\x0b\x1c\x85\u00a0\u2000\u3000()./,0129xet\u0661\u06f9\u0967\uff11",
                        max_size=8), min_size=1, max_size=12))
@example(["+1 555 0100", "+1\u2000555", "-12.5\n", "+1 ext. 12", "=1+1", "+\x0b1", "@x", "+\u0669\u0667 \uff11",
          "+\u0661e\u0662"])
def test_formula_test_by_re2_equals_the_test_by_python_re(cells: list[str]) -> None:
    from validator.checks import safety

    values = pd.Series(cells, dtype="str")
    assert safety._formula(values).tolist() == safety._formula_python(values).tolist()


@given(st.lists(st.lists(st.integers(0, 40), max_size=12), max_size=12), st.booleans(), st.integers(0, 5),
       st.integers(1, 4), st.sampled_from([0, 9, 1 << 19]))
def test_key_set_levels_give_the_first_row_of_every_key(chunks: list[list[int]], full: bool, ratio: int,
                                                        max_levels: int, lean: int) -> None:
    """Against a dict of each key's first row, whatever the levels' policy: the levels stay
    sorted, disjoint, at most ``max_levels``, each holding more than ``ratio`` times the keys of
    the level after it unless there are ``max_levels`` of them; merged either way (``lean``:
    the keys of a merge that places the smaller level by binary searches, at least)."""
    from validator.keys import sets

    saved, sets.LEAN_MERGE = sets.LEAN_MERGE, lean
    try:
        _key_set_levels(chunks, full, ratio, max_levels)
    finally:
        sets.LEAN_MERGE = saved


def _key_set_levels(chunks: list[list[int]], full: bool, ratio: int, max_levels: int) -> None:
    from itertools import pairwise

    from validator.keys import KeySet

    seen = KeySet(keep_values=full, hashed=False)
    seen.ratio, seen.max_levels = ratio, max_levels
    first: dict[int, int] = {}
    row = 2
    for chunk in chunks:
        rows = np.arange(row, row + len(chunk), dtype=np.int64)
        row += len(chunk)
        got = seen.add(np.asarray(chunk, np.uint64), rows, rows + 100, np.asarray([str(k) for k in chunk], object))
        want = [first.setdefault(k, int(r)) for k, r in zip(chunk, rows, strict=True)]
        assert got.tolist() == want
        assert len(seen) == len(first)
        sizes = [len(level["keys"]) for level in seen.levels]
        assert len(sizes) <= max_levels and all(sizes)
        assert all(a > ratio * b for a, b in pairwise(sizes)) or len(sizes) == max_levels
        held = [k for level in seen.levels for k in level["keys"].tolist()]
        assert sorted(held) == sorted(first)  # each key in one level
        for level in seen.levels:
            assert level["keys"].tolist() == sorted(level["keys"].tolist())
            assert level["rows"].tolist() == [first[k] for k in level["keys"].tolist()]
        found, found_rows = seen.first_rows(np.arange(45, dtype=np.uint64))
        assert found.tolist() == [k in first for k in range(45)]
        assert found_rows.tolist() == [first.get(k, 0) for k in range(45)]
    assert seen.keys.tolist() == sorted(first)
    assert seen.rows.tolist() == [first[k] for k in sorted(first)]
    assert len(seen.levels) <= 1
    if full:
        assert seen.values.tolist() == [str(k) for k in sorted(first)]
        assert seen.lines.tolist() == [first[k] + 100 for k in sorted(first)]


def test_rows_per_chunk_shrink_with_row_width_only() -> None:
    from validator.readers.dispatch import JOINED_CHUNK_BYTES, MIN_CHUNK_ROWS, rows_per_chunk

    narrow = b"a@x.com,Ann\n" * 1000
    wide = (b"x" * 999 + b"\n") * 60
    assert rows_per_chunk(narrow, 50_000) == 50_000
    assert rows_per_chunk(narrow.replace(b"\n", b"\r"), 50_000) == 50_000  # old Mac line ends count too
    assert rows_per_chunk(narrow.replace(b"\n", b"\r\n"), 50_000) == 50_000
    # (a row of few cells: its columns are joined into one piece a chunk, a copy: 12 MiB of text)
    assert rows_per_chunk(wide, 50_000) == JOINED_CHUNK_BYTES // 1000
    assert rows_per_chunk(wide.replace(b"\n", b"\r"), 50_000) == JOINED_CHUNK_BYTES // 1000
    assert rows_per_chunk(b"x" * 65536, 50_000) == MIN_CHUNK_ROWS  # one huge line
    assert rows_per_chunk(wide, 7) == 7  # a smaller setting is kept


def test_rows_per_chunk_shrink_with_the_cells_of_a_row() -> None:
    # a CRM export of 500 columns, most of them empty: 40,000 rows of 27 MB peaked at 517-532 MiB,
    # as a chunk of 14 MiB held 10 million cells; a cell counts as CELL_BYTES of text at least
    from validator.readers.dispatch import CELL_BYTES, CHUNK_BYTES, MIN_CHUNK_ROWS, rows_per_chunk

    sparse = (b"a@x.com" + b",alpha" * 49 + b"," * 450 + b"\r\n") * 60  # 500 cells, 751 bytes a row
    assert rows_per_chunk(sparse, 50_000) == CHUNK_BYTES // (CELL_BYTES * 500)
    assert rows_per_chunk(sparse.replace(b",", b";"), 50_000) == CHUNK_BYTES // (CELL_BYTES * 500)
    assert rows_per_chunk(sparse.replace(b",", b"\t"), 50_000) == CHUNK_BYTES // (CELL_BYTES * 500)
    assert rows_per_chunk(b"x," * 5000 + b"x\n", 50_000) == MIN_CHUNK_ROWS  # however many cells
    # 28 cells of 17 bytes (the bench's 28-column file): its text bounds it, 12 MiB of it (its
    # columns are joined into one piece a chunk: JOIN_BELOW); from 64 cells on, 14 MiB
    from validator.readers.dispatch import JOIN_BELOW, JOINED_CHUNK_BYTES

    wide28 = (b",".join([b"x" * 16] * 28) + b"\r\n") * 60
    assert rows_per_chunk(wide28, 50_000) == JOINED_CHUNK_BYTES // 477
    assert JOIN_BELOW == 64
    wide63, wide64 = ((b",".join([b"x" * 49] * n) + b"\n") * 60 for n in (63, 64))
    assert rows_per_chunk(wide63, 50_000) == JOINED_CHUNK_BYTES // (63 * 50)
    assert rows_per_chunk(wide64, 50_000) == CHUNK_BYTES // (64 * 50)


_DIGITS_AND_SPACES = "0159 -.x\t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2003\u2028\u202f\u3000\u200b\ufeff٣５²߂𝟘"


@given(st.lists(st.text(alphabet=_DIGITS_AND_SPACES, max_size=7), min_size=1, max_size=12))
@example(["\u3000 0012\u2028", "12 ", " 0", "1\u200b", "٣", "1.0", "\x851\xa0", " 45366 ", "4536５", "45366.5\n",
          "4²366", "߂𝟘000"])
def test_fullmatch_by_re2_equals_pandas_fullmatch_by_python_re(cells: list[str]) -> None:
    from validator.checks._facts import fullmatch
    from validator.checks.identity_ids import POSITIVE_INT
    from validator.checks.spreadsheet_dates import SERIAL

    values = pd.Series(cells, dtype="str")
    python = values.astype(object).astype(pd.StringDtype("python"))
    for pattern in (POSITIVE_INT, SERIAL):  # \s spelled out; \d as Unicode digits
        want = python.str.fullmatch(pattern).to_numpy(dtype=bool)
        assert fullmatch(values, pattern).tolist() == want.tolist()  # Arrow-stored: RE2
        assert fullmatch(python, pattern).tolist() == want.tolist()  # Python-stored: pandas


@given(st.lists(st.text(alphabet="a\u00e9\ud7ff\ud800\udbff\udc00\udc80\udcff\udd00\udfff\ue000\U0001f600\n",
                        max_size=5), min_size=1, max_size=10))
@example(["Ren\udce9e", "\ud7ff\udcff", "\udd00", "\udc00x", ""])
def test_surrogate_rows_from_bytes_equal_the_surrogate_regex(cells: list[str]) -> None:
    from validator.checks._facts import column_bytes, surrogate_rows
    from validator.checks.encoding import SURROGATES

    values = pd.Series(cells, dtype=PY_STR)
    chunk = Chunk(string_frame([cells], list(range(2, 2 + len(cells)))), np.arange(2, 2 + len(cells)))
    assert chunk.frame[0].dtype == values.dtype or not any("\ud800" <= c <= "\udfff" for v in cells for c in v)
    want = values.str.contains(SURROGATES, regex=True).to_numpy(dtype=bool)
    assert surrogate_rows(chunk, 0).tolist() == want.tolist()
    assert sum(len(a) for a in column_bytes(chunk, 0)) == len(cells)
    # worked out once per chunk and column, read-only (HS402, the keys and HS403 each ask)
    assert surrogate_rows(chunk, 0) is surrogate_rows(chunk, 0) and not surrogate_rows(chunk, 0).flags.writeable


# cells with undecodable bytes (lone surrogates): the column is stored in Python, and the
# screens work from its surrogatepass bytes
DIRTY = st.text(alphabet="a #\t\r\n=+\x00\x1b\u00a0\u2028\u202e\ufffd\udce9\udc85\udca0\udcc2\udce2\udcef", max_size=6)


@given(st.lists(st.one_of(CELL, DIRTY), min_size=1, max_size=12).map(lambda c: [*c, "x\udcff"]))
@example(["\udcc2\udca0", "\udce2\udc80\udc8b", " \udce9", "\udcef\udcbf\udcbd", "\udc85"])
def test_byte_screens_of_a_column_with_undecodable_bytes_keep_every_flagged_cell(cells: list[str]) -> None:
    from validator.checks._facts import blank_at, screen

    frame = string_frame([cells], list(range(2, len(cells) + 2)))
    assert str(frame[0].dtype.storage) == "python"
    chunk = Chunk(frame, np.arange(len(cells)))
    _assert_screens_keep_flagged_cells(chunk)
    seen = screen(chunk, 0)
    assert seen is not None
    values = frame[0]
    assert (seen.length >= values.str.len().to_numpy()).all()  # bytes bound characters
    for char, byte in (("\ufffd", b"\xef"), ("\n", b"\n"), ("#", b"#")):
        assert seen.holds(byte) or not values.str.contains(char, regex=False).any()
    assert blank_at(chunk, 0).tolist() == formats.blank(values).tolist()
    assert _line_breaks(chunk) == _plain_breaks(frame)


DATE_TEXT = st.sampled_from(["02/29/2024", "02/30/2024", "", " 1/2/24 ", "Jan-05-2023", "1700000000000",
                             "1700000000", "12/31/1999 23:59", "3/4/2024 13:00 PM", "x", "13/01/2020",
                             "2024-03-04", "04.03.2024", "31/04/2024", "3/4/2024 1:05 am +02:00"])


@given(st.lists(st.lists(DATE_TEXT, min_size=1, max_size=9, unique=True), min_size=1, max_size=6),
       st.sampled_from(formats.DATE_FORMATS), st.booleans(), st.integers(2, 40))
def test_dates_parsed_once_per_file_equal_dates_parsed_per_chunk(chunks: list[list[str]], fmt: str,
                                                                with_time: bool, limit: int) -> None:
    shared = formats.SharedTexts()  # the column's other dateFormats and grammars share the texts kept
    memos = [formats.ParsedTexts(f, w, shared) for f in dict.fromkeys([fmt, *formats.DATE_FORMATS])
             for w in dict.fromkeys([with_time, not with_time])]
    for memo in memos:
        memo.limit = limit  # a small cap: texts past it are parsed every time, never kept
    for texts in chunks:
        arr = formats.arrow(pd.Series(texts, dtype="str"))
        for memo in memos:
            got = memo.parse(arr)
            want = formats.parse_dates(arr, memo.date_format, with_time=memo.with_time, distinct=None)
            for f in dataclasses.fields(want):
                assert getattr(got, f.name).tolist() == getattr(want, f.name).tolist(), f.name
            assert memo.texts is None or len(memo.texts) <= limit
        assert all(memo.texts is memos[0].texts for memo in memos)  # one array kept, one lookup a chunk


@given(st.lists(st.sampled_from(["Lead", "lead", "LEAD", " lead", "customer", "Customer", "cust_old", "",
                                 "a;b", "lead; customer", ";lead", "x", "lead;;Customer", "  "]),
                min_size=1, max_size=40), st.booleans())
def test_options_matched_per_distinct_text_equal_options_matched_per_cell(cells: list[str], multiple: bool) -> None:
    from validator.catalog import Option

    options = formats.OptionSet.of([Option("Lead", "lead"), Option("Customer", "customer"),
                                    Option("customer", "cust_old"), Option("a", "b")])
    many = formats.arrow(pd.Series(cells * (4096 // len(cells) + 1), dtype="str"))  # repeats: by distinct text
    assert formats.distinct_cells(many) is not None
    whole = formats.match_options(many, options, multiple=multiple)
    parts = [formats.match_options(many.slice(i, 1000), options, multiple=multiple)  # short: cell by cell
             for i in range(0, len(many), 1000)]
    for f in dataclasses.fields(whole):
        assert getattr(whole, f.name).tolist() == np.concatenate([getattr(p, f.name) for p in parts]).tolist()


@given(st.lists(st.text(alphabet="aé \t\n\u3000\u200b\x00", max_size=4), max_size=30), st.integers(1, 3))
def test_blank_cells_are_those_of_no_bytes(cells: list[str], pieces: int) -> None:
    """``blank`` takes a cell's length from the Arrow offsets (bytes), not its characters: the
    same cells (no characters, no bytes; a space is no blank cell), for string pieces and for the
    bytes of a column that is not UTF-8, which a count of characters cannot take."""
    cut = max(1, len(cells) // pieces)
    arr = pa.chunked_array([pa.array(cells[k:k + cut], pa.large_string()) for k in range(0, len(cells), cut)],
                           pa.large_string())
    assert formats.blank(arr).tolist() == [c == "" for c in cells]
    raw = pa.array([c.encode("utf-8") for c in cells], pa.large_binary())
    assert formats.blank(raw).tolist() == [c == "" for c in cells]


_OPTION_CELLS = ["Lead", "lead", "customer", "Customer", "cust_old", "a", "b", "", "", "LEAD", " lead", "x", "  "]


@given(st.lists(st.sampled_from(_OPTION_CELLS), max_size=60), st.integers(1, 4), st.booleans(), st.booleans())
@example(["customer", "", "lead", "b"], 2, True, False)  # every filled cell an option, one ambiguous
def test_a_column_of_options_by_lookup_equals_the_match_per_text(cells: list[str], pieces: int, repeat: bool,
                                                                 clean: bool) -> None:
    """A single-option column whose filled cells are all options as written is matched by one
    lookup of its cells (``_all_options``); the match is the one found per distinct text or cell by
    cell: exact, ignoring case, ambiguous ('customer': one option's label, another's value)."""
    from validator.catalog import Option
    from validator.formats import options as module

    options = formats.OptionSet.of([Option("Lead", "lead"), Option("Customer", "customer"),
                                    Option("customer", "cust_old"), Option("a", "b")])
    if clean:
        cells = [c for c in cells if c in ("Lead", "lead", "customer", "Customer", "cust_old", "a", "b", "")]
    cells = cells * (4096 // max(len(cells), 1) + 1) if repeat else cells
    cut = max(1, len(cells) // pieces)
    arr = pa.chunked_array([pa.array(cells[k:k + cut], pa.large_string()) for k in range(0, len(cells), cut)],
                           pa.large_string())
    got = formats.match_options(arr, options)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(module, "_all_options", lambda arr, options: None)
        want = formats.match_options(arr, options)
    for f in dataclasses.fields(want):
        assert getattr(got, f.name).tolist() == getattr(want, f.name).tolist(), f.name


def test_a_clean_column_of_options_is_matched_without_its_distinct_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding the distinct texts (``dictionary_encode``) costs twice a lookup of the cells: a
    column whose filled cells are all options skips it; one with another text takes it, as before."""
    from validator.catalog import Option
    from validator.formats import options as module

    options = formats.OptionSet.of([Option("Lead", "lead"), Option("Customer", "customer")])
    asked: list[int] = []
    real = module.distinct_cells
    monkeypatch.setattr(module, "distinct_cells", lambda arr: asked.append(len(arr)) or real(arr))
    clean = pa.array(["lead", "Customer", "", "Lead"] * 2000, pa.large_string())
    m = formats.match_options(clean, options)
    assert asked == [] and m.unmatched.sum() == 0 and m.blank.sum() == 2000
    wrong = pa.array(["lead", "Customer", "", "Lead"] * 2000 + ["Hot lead"], pa.large_string())
    m = formats.match_options(wrong, options)
    assert asked[:1] == [8001] and np.flatnonzero(m.unmatched).tolist() == [8000]  # (then its 5 texts)


@given(st.lists(st.text(alphabet="aW.:/?#9٣ü \n-", max_size=10), min_size=1, max_size=30))
@example(["https://www.Acme.com:8080/x", "acme.com:", "gómez.es:٣", "x:y:1", "a\n:1", "www.a.b."])
def test_domain_keys_equal_the_plain_pandas_chain(cells: list[str]) -> None:
    from validator.keys import _SCHEME, domain_key

    s = pd.Series(cells, dtype="str")
    plain = s.str.strip().str.lower().str.replace(_SCHEME, "", regex=True)
    plain = plain.str.replace(r"[/?#].*$", "", regex=True).str.replace(r":\d*$", "", regex=True)
    plain = plain.str.replace(r"^www\.", "", regex=True).str.rstrip(".")
    assert domain_key(s).tolist() == plain.tolist()


@given(st.lists(st.sampled_from(["acme.com", "https://www.Acme.com/x", "acme", "ann@acme.com", "", " a.b ",
                                 "xn--bcher-kva.example", "müller.de", "www.a.b:80", "a..b"]), min_size=1, max_size=30))
def test_domains_checked_per_distinct_text_equal_domains_checked_per_cell(cells: list[str]) -> None:
    many = formats.arrow(pd.Series(cells * (4096 // len(cells) + 1), dtype="str"))
    assert formats.distinct_cells(many) is not None
    valid, extra = formats.domains(many)
    parts = [formats.domains(many.slice(i, 1000)) for i in range(0, len(many), 1000)]  # short: cell by cell
    assert valid.tolist() == np.concatenate([p[0] for p in parts]).tolist()
    assert extra.tolist() == np.concatenate([p[1] for p in parts]).tolist()


@given(st.lists(st.text(alphabet="ab\u00e9\u4e2d\U0001f600 ", max_size=5), max_size=20), st.integers(0, 5),
       st.sampled_from(["string", "large_string", "binary", "large_binary"]))
def test_non_ascii_cells_from_the_buffers_of_any_string_or_binary_array(values: list[str], cut: int, kind: str) -> None:
    import pyarrow as pyarr

    from validator.readers.text import non_ascii_cells

    typ = getattr(pyarr, kind)()
    data = [v.encode() for v in values] if "binary" in kind else values
    arr = pyarr.array(data, typ)
    want = [not v.isascii() for v in values]
    assert non_ascii_cells(arr).tolist() == want
    assert non_ascii_cells(arr.slice(cut)).tolist() == want[cut:]  # an offset into the buffers
    assert non_ascii_cells(pyarr.chunked_array([arr.slice(0, cut), arr.slice(cut)], typ)).tolist() == want


@given(st.lists(st.text(max_size=6), min_size=1, max_size=12), st.integers(0, 3))
@example(["a#b", '"', "\x7f", "é", ""], 1)
@example(["a#b", "xyz ~"], 0)  # printable ASCII only: the minimum-and-maximum road, with '#'
@example(["xyz ~", '"quoted"', ""], 0)  # the same without '#': nothing rare
@example(["ok", "\x1f", "!"], 0)  # just under the printable range
def test_screen_rare_bytes_are_the_bytes_of_the_column_outside_common_text(cells: list[str], cut: int) -> None:
    import pyarrow as pa

    from validator.checks._facts import _COMMON, Screen

    arr = pa.array([c.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for c in cells],
                   pa.large_string())[cut % len(cells):]  # sliced: offsets not starting at 0
    data = b"".join(v.as_py().encode("utf-8") for v in arr)
    seen = Screen([arr])
    assert seen.present == frozenset(data.translate(None, _COMMON))
    assert bytes(range(0x20, 0x7F)) == _COMMON
    # ``#`` (looked for on demand) and every rare byte: held exactly where a cell holds it
    assert [seen.holds(bytes([b])) for b in range(256)] == [b in data or (b in _COMMON and b != 0x23)
                                                            for b in range(256)]


@given(st.lists(st.text(alphabet="\x00 \t'=+-@aZ09\u00a0\u3000é", max_size=4), min_size=1, max_size=12),
       st.integers(0, 3), st.lists(st.binary(min_size=1, max_size=3), min_size=1, max_size=4))
@example(["", "ab", "ba"], 0, [b" ", b"a", b"b", b"\x00"])  # empty cells: 0 left out of the least byte
@example(["ab", "", "", "cd", ""], 0, [b"a", b"b", b"c", b"d"])  # empty cells at a piece's ends
@example(["\x00a", "", "b"], 0, [b"\x00", b"\x01"])  # a NUL first and an empty cell: asked for 0, looked up
@example(["@", "'"], 0, [b"'@", b"(", b"="])  # a set around the bytes, none between them
def test_screen_first_and_last_bytes_equal_the_bytes_of_each_cell(cells: list[str], cut: int,
                                                                  sets: list[bytes]) -> None:
    import pyarrow as pa

    from validator.checks._facts import Screen

    arr = pa.array(cells, pa.large_string())[cut % len(cells):]
    texts = [v.as_py().encode("utf-8") for v in arr]
    split = len(arr) // 2  # in two pieces, as a chunk's column comes from the reader's segments
    seen = Screen([arr.slice(0, split), arr.slice(split)])
    assert seen.length.tolist() == [len(t) for t in texts] and seen.longest == max(map(len, texts), default=0)
    for chars in sets:  # sets in no cell skip the lookup: the same answer, read-only
        for at_first, got in ((True, seen.first_in(chars)), (False, seen.last_in(chars))):
            want = [((t[0] if at_first else t[-1]) if t else 0) in chars for t in texts]  # empty: 0
            assert got.tolist() == want and not got.flags.writeable


SPACES_AND_TEXT = st.text(alphabet=" \t\n\x0b\x0c\r\x1c\x1f\x85\u00a0\u1680\u180e\u2000\u200a\u200b\u2028\u2029"
                                   "\u202f\u205f\u3000\ufeffaé\u4e2d\U0001f600\udce9", max_size=5)


@given(st.lists(SPACES_AND_TEXT, min_size=1, max_size=12))
@example(["ab", "c"])  # nothing to trim: the screen skips the trim
@example(["a\u3000", "b"])  # a Unicode space at the end only
def test_cells_skip_the_trim_only_where_it_changes_nothing(cells: list[str]) -> None:
    from validator.checks.typed import cells as typed_cells
    from validator.context import Column

    frame = string_frame([cells], list(range(2, len(cells) + 2)))
    chunk = Chunk(frame, np.arange(len(cells)))
    got = typed_cells(chunk, Column(index=0, name="x", spec=None))
    assert got.to_pylist() == formats.arrow(frame[0]).to_pylist()


@given(st.lists(st.tuples(SPACES_AND_TEXT, SPACES_AND_TEXT), min_size=1, max_size=12))
@example([("", " "), ("\u3000", "\u2029"), ("a", ""), ("\x1c", "\u00a0")])
def test_empty_rows_from_the_first_columns_screen_are_the_rows_of_blank_cells(rows: list[tuple[str, str]]) -> None:
    from validator.checks.rows import _blank, empty_rows

    frame = string_frame([[a for a, _ in rows], [b for _, b in rows]], list(range(2, len(rows) + 2)))
    chunk = Chunk(frame, np.arange(len(rows)))
    want = np.flatnonzero(_blank(frame[0]) & _blank(frame[1]))  # every row tested, both columns
    assert empty_rows(chunk).tolist() == want.tolist()


SIGNISH = st.text(alphabet="+-0129 \t\x0b\x0c\r\n().,/#extxé\u00a0\u0661\uff19", max_size=8)


@given(st.lists(st.text(alphabet="ab;%eE:T\u00e9\udce9", max_size=5), min_size=1, max_size=12),
       st.sampled_from([b"eE", b";", b"%", b"TZ+:", b'"[']), st.booleans())
@example(["1e5", "x"], b"eE", True)  # held: looked up
@example(["12", "x"], b"eE", True)  # held by no cell of a long column: no lookup
def test_rows_with_bytes_equal_the_cells_holding_them(cells: list[str], chars: bytes, long: bool) -> None:
    from validator.checks._facts import rows_with
    from validator.readers.text import FIND_MIN

    if long:  # over the size where a find comes before the lookup
        cells = [*cells, "x" * FIND_MIN]
    frame = string_frame([cells], list(range(2, len(cells) + 2)))
    want = [any(chr(c) in cell for c in chars) for cell in cells]
    assert rows_with(Chunk(frame, np.arange(len(cells))), 0, chars).tolist() == want


@given(st.lists(st.text(alphabet="0129 -\n\u0661\uff19\udce9a", max_size=9), min_size=1, max_size=16))
@example(["2134", "02134", "123", "12", "1234567", "12345678", "123456789", "2134\n", " 2134"])
@example(["\u0661\u0662\u0663", "2134"])  # Arabic-Indic digits (6 bytes, 3 digits): every cell judged
@example(["2134", "x\udce9"])  # an undecodable byte: the column is kept in Python, every cell judged
def test_postal_codes_screened_by_length_equal_the_pattern_on_every_cell(cells: list[str]) -> None:
    from validator.checks._facts import exactly
    from validator.checks.spreadsheet_numbers import _zip_lengths

    frame = string_frame([cells], list(range(2, len(cells) + 2)))
    values = frame[0]

    def pattern(v: pd.Series) -> np.ndarray:
        return np.asarray(v.str.fullmatch(r"\d{3,4}|\d{7,8}").to_numpy(dtype=bool))

    got = exactly(values, _zip_lengths(Chunk(frame, np.arange(len(cells))), 0), pattern)
    assert got.tolist() == pattern(values).tolist()


@given(st.lists(st.one_of(st.sampled_from(["", " ", "\u3000", "\t"]), SIGNISH), min_size=1, max_size=16))
@example(["", "", "call me", " ", "+1 415 555 0101", "12", ""])  # mostly blank: the filled cells alone
@example(["", "\u3000", " "])  # all blank
@example(["+1 415 555 0101", "", "12"])  # mostly filled: every cell, as before
def test_phones_judged_on_the_filled_cells_equal_phones_judged_on_every_cell(cells: list[str]) -> None:
    from validator.checks._facts import blank_at
    from validator.checks.typed import cells as typed_cells
    from validator.checks.values_formats import InvalidPhone, filled_invalid
    from validator.context import Column

    frame = string_frame([cells], list(range(2, len(cells) + 2)))
    chunk = Chunk(frame, np.arange(len(cells)))
    arr, blank = typed_cells(chunk, Column(index=0, name="x", spec=None)), blank_at(chunk, 0)
    valid = InvalidPhone().valid
    assert filled_invalid(arr, blank, valid).tolist() == (~valid(arr) & ~blank).tolist()


@given(st.lists(SIGNISH, min_size=1, max_size=12), st.integers(0, 3), st.integers(0, 12))
@example(["+1\x0b2", "+1+2", "+", "1 ", "(617)", "-1,5", "+1 ext 2", "é1", ""], 3, 4)
def test_cells_plain_by_bytes_are_decided_as_the_patterns_decide(cells: list[str], copies: int, cut: int) -> None:
    """Phone numbers and signed numbers whose bytes are plainly in the grammar skip RE2: the
    answer is the pattern's on every cell, as slices and in several Arrow chunks too."""
    import pyarrow as pa

    from validator.checks import safety

    texts = ["x", *cells, *["+1 617 555 0100"] * (len(cells) * copies)]  # mostly plain: the by-bytes way
    whole = pa.array(texts, pa.large_string()).slice(1)  # an offset into the buffers
    cut = min(cut, len(whole))
    assert formats.phones(pa.chunked_array([], pa.large_string())).tolist() == []  # no chunks at all
    for arr in (whole, pa.chunked_array([whole.slice(0, cut), whole.slice(cut)])):
        assert formats.phones(arr).tolist() == formats.matches(arr, formats.PHONE, ignore_case=True).tolist()
        by_python = ~pd.Series(texts[1:], dtype=object).str.fullmatch(safety.SIGNED_DATA).to_numpy(dtype=bool)
        assert safety._not_signed(pd.Series(pd.arrays.ArrowExtensionArray(arr))).tolist() == by_python.tolist()


DOMAINISH = st.text(alphabet="aZ.-:/?#9wü\u00e9", max_size=10)


@given(st.lists(DOMAINISH, min_size=1, max_size=20), st.integers(0, 3))
@example(["https://www.Acme.com/x", "acme.com", "müller.de", "www.bücher.de:80", "a..b", "WWW.io", ""], 0)
@example(["acme.com", "müller.de", "https://x.io"], 3)
def test_domains_cut_and_judge_each_cell_as_the_plain_chain(cells: list[str], bare: int) -> None:
    """Hosts cut only where there is something to cut (scheme, path, port, ``www.``), judged by
    the ASCII grammar unless non-ASCII: the plain chain's answer on every cell, with few or most
    cells needing a cut."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(cells + ["acme.com"] * (len(cells) * bare), pa.string())
    host = pc.replace_substring_regex(arr, r"^[A-Za-z][A-Za-z0-9+.-]*://", "")
    host = pc.replace_substring_regex(pc.replace_substring_regex(host, r"[/?#:].*$", ""), r"(?i)^www\.", "")
    plain = pc.match_substring_regex(pc.utf8_lower(host), formats.DOMAIN).to_pylist()
    extra = pc.match_substring_regex(arr, formats.DOMAIN_EXTRA, ignore_case=True).to_pylist()
    valid, stripped = formats.domains(arr)
    assert valid.tolist() == plain and stripped.tolist() == extra


# ASCII, Latin letters (× and ÷ are not), letters and marks of other scripts, other digits, the
# joiners, U+FFFD, and the grammars' punctuation
ADDRESSISH = st.text(alphabet='aZ09.-@"[]\\ :_üÉßŁſ\u00d7\u00f7\u00c0\u017f\u0180é\u0301例ж\u0663\u200d\ufffd',
                     max_size=14)


@given(st.lists(ADDRESSISH, min_size=1, max_size=12), st.sampled_from(["EMAIL", "EMAIL_RARE", "DOMAIN"]))
@example(["müller@bücher.de", "ann@x.com", "zoë@例え.jp", "a@b×c.de", '"jö"@bücher.de', "ſ@ſ.ſſ"], "EMAIL")
@example(["bücher.de", "b\u00f7.de", "ŀ.com", "x.\u0180b", "acme.com"], "DOMAIN")
@example(['"a b"@bücher.de', "a@[1.2.3.4]", '"x"@例え.jp'], "EMAIL_RARE")
def test_a_grammar_matched_by_each_cells_alphabet_matches_as_the_whole_grammar(cells: list[str], name: str) -> None:
    """The email and domain grammars run with their letter classes narrowed to ASCII's, or to
    ASCII's and U+00C0-U+017F's letters, on the cells whose characters are all there (compiled
    in microseconds where the Unicode classes take 6-9 ms, at each call): the whole grammar's
    answer on every cell."""
    from validator.formats.text import _narrowed

    pattern = getattr(formats, name)
    arr = pa.array(cells, pa.string())
    assert _narrowed(arr, pattern).tolist() == pc.match_substring_regex(arr, pattern).to_pylist()
    pieces = pa.chunked_array([arr.slice(0, len(cells) // 2), arr.slice(len(cells) // 2)])
    assert _narrowed(pieces, pattern).tolist() == pc.match_substring_regex(pieces, pattern).to_pylist()


def test_a_column_different_at_its_head_is_not_encoded_whole() -> None:
    """Only a speed choice (the per-cell way gives the same answers): a column whose first
    cells are all different is judged cell by cell, even if it repeats further on."""
    head = [f"{i}.example.com" for i in range(formats.DISTINCT_GLANCE)]
    unique_head = formats.arrow(pd.Series(head + ["a.com"] * (4 * formats.DISTINCT_GLANCE), dtype="str"))
    repeating = formats.arrow(pd.Series(["a.com", "b.com"] * formats.DISTINCT_GLANCE, dtype="str"))
    assert formats.distinct_cells(unique_head) is None
    texts, at = formats.distinct_cells(repeating)
    assert texts.to_pylist() == ["a.com", "b.com"] and at.tolist() == [0, 1] * formats.DISTINCT_GLANCE


def test_a_chunk_hands_out_each_column_once() -> None:
    frame = string_frame([["a", "b"], ["c", ""]], [2, 3])
    chunk = Chunk(frame, np.arange(2))
    assert chunk.column(1) is chunk.column(1)  # made once, whichever rule asks first
    assert chunk.column(1).tolist() == frame[1].tolist() == ["c", ""]
    assert chunk.column(0).tolist() == ["a", "b"]


@given(st.binary(min_size=0, max_size=40_000), st.binary(min_size=0, max_size=8), st.booleans())
@example(bytes(range(256)) * 80, b"\x00\xff", True)  # over the size numpy keeps, every byte value
def test_byte_lookup_equals_numpy_take(data: bytes, chars: bytes, flags: bool) -> None:
    from validator.readers.text import byte_table, lookup

    table = byte_table(chars)
    if flags:  # a table of byte flags, as the screens use
        table = np.arange(256, dtype=np.uint8) * table
    got = lookup(table, np.frombuffer(data, np.uint8))
    assert got.dtype == table.dtype
    assert got.tolist() == np.take(table, np.frombuffer(data, np.uint8)).tolist()


def test_a_screen_gives_each_rule_the_same_read_only_first_and_last_bytes() -> None:
    from validator.checks._facts import screen

    frame = string_frame([[" a", "b ", "", "c"] * 5000], list(range(2, 20002)))
    seen = screen(Chunk(frame, np.arange(len(frame))), 0)
    first = seen.first_in(b" ")
    assert first is seen.first_in(b" ") and not first.flags.writeable
    assert np.flatnonzero(first).tolist()[:2] == [0, 4] and int(first.sum()) == 5000
    assert np.flatnonzero(seen.last_in(b" ")).tolist()[:2] == [1, 5] and int(seen.last_in(b" ").sum()) == 5000


@given(st.lists(st.text(alphabet="4536 .\t\u00a0\u2007\u180e\u0663x/", max_size=9), min_size=1, max_size=20))
@example(["45366", " 45366.5\t", "\u00a045366\u2007", "\u180e45366", "\u0664\u0665\u0663\u0666\u0666", "4536",
          "45366.", "x45366", "45366 x"])
def test_serial_texts_by_distinct_text_equal_the_whole_cell_match(cells: list[str]) -> None:
    from validator.checks._facts import fullmatch
    from validator.checks.spreadsheet_dates import SERIAL, serial_texts
    from validator.context import Column

    many = cells * (2 * formats.DISTINCT_MIN_ROWS // len(cells) + 1)  # repeats: by distinct text
    frame = string_frame([many], list(range(2, len(many) + 2)))
    chunk = Chunk(frame, np.arange(len(many)))
    want = pd.Series(many, dtype="str").str.fullmatch(SERIAL).to_numpy(dtype=bool)
    assert serial_texts(chunk, Column(0, "Close Date", None)).tolist() == want.tolist()
    assert fullmatch(frame[0], SERIAL).tolist() == want.tolist()


@given(st.lists(st.text(alphabet="0123456789 +()x#Xé٣-", max_size=8), max_size=12), st.integers(0, 3))
@example(["12", ""], 0)  # an empty cell last: the cell before it still counts its last byte
@example(["+1 617 555 0100", "1" * (1 << 14)], 0)  # over the size where a find looks for the marks first
@example(["+1 617 555 0100 x12", "1" * (1 << 14)], 1)
def test_phone_digits_by_bytes_count_what_a_per_cell_count_gives(values: list[str], pad: int) -> None:
    arr = pa.array(["pad"] * pad + values, pa.large_string()).slice(pad)  # an offset into its bytes too
    counts, marked = _digits(arr, b"xX#")
    assert counts.tolist() == [sum(c in "0123456789" for c in v) for v in values]
    assert marked.tolist() == [any(c in "xX#" for c in v) for v in values]


def _too_long(value: str) -> bool:
    if len(value.encode()) > formats.ADDRESS_MAX:
        return True
    if "@" not in value:
        return False
    local, _, domain = value.rpartition("@")
    return len(local.encode()) > formats.LOCAL_MAX or any(
        formats.a_label_length(label) > formats.LABEL_MAX for label in domain.split("."))


@given(st.lists(st.text(alphabet="a@.é\u4e00", min_size=0, max_size=90), max_size=8), st.integers(0, 2))
@example(["é" * 40 + "@x.com", "a@" + "é" * 40 + ".com", "a@" + "b" * 64], 0)
def test_long_emails_by_bytes_find_what_a_per_cell_measure_finds(values: list[str], pad: int) -> None:
    arr = pa.array(["pad"] * pad + values, pa.large_string()).slice(pad)
    halves = pa.chunked_array([arr[: len(values) // 2], arr[len(values) // 2:]], pa.large_string())
    for given_ in (arr, halves):
        assert formats.long_emails(given_).tolist() == [_too_long(v) for v in values]


def test_no_text_of_characters_under_u0300_changes_in_nfc() -> None:
    # what lets HS325 normalise only the cells holding a byte from 0xCC up (identity_forms)
    import unicodedata

    from validator.checks.identity_forms import MAY_COMPOSE
    assert chr(0x2FF).encode()[0] < MAY_COMPOSE == chr(0x300).encode()[0]
    under = [chr(c) for c in range(0x300)]
    assert all(unicodedata.is_normalized("NFC", c) and not unicodedata.combining(c) for c in under)
    seconds = {int(d.split()[1], 16) for d in map(unicodedata.decomposition, map(chr, range(0x110000)))
               if d and not d.startswith("<") and len(d.split()) == 2}
    assert min(seconds) >= 0x300  # no character composes from a pair ending under U+0300
    texts = pa.array(["".join(random.Random(i).choices(under[0x80:], k=6)) for i in range(200)])
    assert pc.equal(pc.utf8_normalize(texts, "NFC"), texts).to_pylist() == [True] * 200


@given(st.lists(st.lists(st.text(alphabet="ab #\x00\x01é\u00a0\u202e=", max_size=4), min_size=4, max_size=4),
                min_size=3, max_size=9), st.integers(1, 12))
@example([["a", "", "é", "#"], ["", "", "", ""], ["\x00", "b", "", "=a"]], 5)
def test_a_wide_chunks_screens_made_together_equal_each_columns_own(columns: list[list[str]], group: int) -> None:
    # the screens of a wide chunk's columns, worked out a group of columns at a time from their
    # pieces joined (_facts._screens), against each column's own; a column stored in Python (a lone
    # surrogate) and an empty one are left to their own
    from validator.checks import _facts

    arrays = [pa.chunked_array([pa.array(c[:2], pa.large_string()), pa.array(c[2:], pa.large_string())])
              for c in columns]
    series = {i: pd.Series(a, dtype=pd.ArrowDtype(pa.large_string())) for i, a in enumerate(arrays)}
    series[len(arrays)] = pd.Series(["\udce9", "a", "", "b"], dtype=PY_STR)
    frame = pd.DataFrame(series)
    frame.index = pd.Index([2, 3, 4, 5])
    chunk = Chunk(frame, np.arange(2, 6))
    alone = Chunk(frame, np.arange(2, 6))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_facts, "WIDE_SCREENS", 2)
        mp.setattr(_facts, "GROUP_CELLS", group)
        for i in range(frame.shape[1]):
            if not chunk.filled(i):
                continue
            got = _facts.screen(chunk, i)
            want = _facts.Screen(_facts.column_bytes(alone, i))
            assert (got.first.tolist(), got.last.tolist(), got.length.tolist(), got.longest, got.present) == (
                want.first.tolist(), want.last.tolist(), want.length.tolist(), want.longest, want.present), i
            assert got.contains.tolist() == want.contains.tolist() and got.holds(b"#") == want.holds(b"#")
            for chars in (b"=a", b" ", b"\x00#", b"\xa0"):  # (looked up once for the group of columns)
                assert got.first_in(chars).tolist() == want.first_in(chars).tolist()
                assert got.last_in(chars).tolist() == want.last_in(chars).tolist()
                assert not got.first_in(chars).flags.writeable
        made = chunk.memo[("screens",)].value
        assert set(made) == {i for i in range(len(arrays)) if chunk.filled(i)}  # (not the Python one)


@given(st.lists(st.one_of(st.none(), st.text(alphabet="ab \t\u00e9\ud55c\ud7a3\U0001f600\udce9\udc80\ud800\udfff"
                                                   "\u3000", max_size=6)), min_size=1, max_size=12),
       st.booleans(), st.integers(0, 3))
@example(["caf\udce9", None, "\ud55c\udcff", ""], True, 0)  # a Hangul syllable's lead byte is ED too
def test_a_python_columns_arrow_from_its_bytes_equals_the_one_from_its_texts(cells: list[str | None], trim: bool,
                                                                            cut: int) -> None:
    # a column stored in Python (undecodable bytes kept as lone surrogates) made Arrow text from
    # the bytes the reader kept (each surrogate's three bytes as U+FFFD's), as from its texts
    arr = pa.array([None if v is None else v.encode("utf-8", "surrogatepass") for v in cells], pa.large_binary())
    pieces = [arr.slice(0, cut % len(cells)), arr.slice(cut % len(cells))]  # (sliced: offsets not from 0)
    got = formats.arrow_of_bytes(pieces, trim=trim)
    want = formats.arrow(pd.Series(cells, dtype=PY_STR), trim=trim)
    assert got.type == want.type and got.to_pylist() == want.to_pylist()
