"""Hypothesis properties of the reader and engine."""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from validator import Config, validate

# Cells: printable text with the characters that matter to CSV, never only spaces (blank rows
# are their own finding).
CELL = st.text(alphabet=st.sampled_from(list("ab Z09,;\"'\n\r\t-=@é€")), max_size=8)


def _request(width: int) -> dict:
    mappings = [{"columnObjectTypeId": "0-1", "columnName": f"c{i}", "propertyName": f"p{i}"}
                for i in range(width)]
    return {"name": "p", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
            "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}


def _check(data: bytes, width: int, chunk_rows: int) -> list[tuple]:
    report = validate(_request(width), files={"data.csv": io.BytesIO(data)},
                      config=Config(chunk_rows=chunk_rows), base_dir="/nonexistent")
    return [(f.code, f.row, f.line, f.column, f.value, f.message) for f in report.findings]


@st.composite
def messy_csv(draw) -> tuple[bytes, int]:
    """A header plus rows that may be ragged, blank, or carry broken quotes."""
    width = draw(st.integers(1, 4))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = [",".join(f"c{i}" for i in range(width))]
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["ok", "ok", "ok", "short", "long", "blank", "quote", "nl"]))
        n = {"short": max(0, width - 1), "long": width + 1}.get(kind, width)
        cells = [draw(st.text(alphabet="abc01 ", min_size=1, max_size=4)) for _ in range(n)]
        if kind == "blank":
            cells = [""] * width
        if kind == "quote" and cells:
            cells[0] = '"' + cells[0]
        if kind == "nl" and cells:
            cells[-1] = '"x' + newline + 'y"'
        lines.append(",".join(cells))
    return (newline.join(lines) + newline).encode(), width


@given(messy_csv(), st.integers(1, 7))
def test_findings_identical_whatever_the_chunk_size(sample: tuple[bytes, int], chunk_rows: int) -> None:
    data, width = sample
    assert _check(data, width, chunk_rows) == _check(data, width, 50_000)


@given(st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=20),
       st.sampled_from(["\n", "\r\n"]))
def test_csv_writer_round_trip_has_no_structural_finding(rows: list[list[str]], newline: str) -> None:
    # rows of only-blank cells are blank rows (a finding of their own); make every row non-blank
    rows = [r if any(c.strip() for c in r) else ["x", *r[1:]] for r in rows]
    if newline == "\n":
        # csv.writer quotes only the characters of its own lineterminator: with "\n" a bare
        # "\r" is written unquoted, which is a real line break in the file (and is reported)
        rows = [[c.replace("\r", "") for c in r] for r in rows]
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator=newline)
    writer.writerow(["c0", "c1", "c2"])
    writer.writerows(rows)
    found = _check(buf.getvalue().encode(), 3, 4)
    # structure only: value, record and identity rules (HS2xx, HS3xx) judge the made-up properties
    # and the content; cell content (a value starting with "=", spaces) is HS4xx's business
    assert [f for f in found if f[0].startswith("HS1")] == []


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    report = validate(_request(2), files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent")
    assert report.exit_code() in (0, 1, 2)


@given(st.lists(st.lists(st.text(alphabet="abc01", min_size=1, max_size=3), min_size=3, max_size=3),
                min_size=1, max_size=30), st.data())
def test_a_ragged_row_planted_anywhere_is_reported_there(rows: list[list[str]], data) -> None:
    at = data.draw(st.integers(0, len(rows) - 1))
    rows[at] = rows[at][:2]
    text = "c0,c1,c2\n" + "".join(",".join(r) + "\n" for r in rows)
    found = _check(text.encode(), 3, data.draw(st.integers(1, 5)))
    structural = [(code, row, col) for code, row, _l, col, _v, _m in found if not code.startswith(("HS2", "HS3"))]
    assert structural == [("HS110", at + 2, 3)]


def test_property_module_uses_no_files(tmp_path: Path) -> None:
    # the properties above run fully in memory: nothing is written to the working tree
    assert json.dumps(_request(1))


# --- Hostile bytes, metamorphic line endings and BOM (hostile-inputs 8.2 P1, P3) ----------------

def _mutate(data: bytes, how: str, at: int, byte: int) -> bytes:
    at = at % (len(data) + 1)
    if how == "cut":
        return data[:at]
    if how == "flip":
        return data[:at] + bytes([byte]) + data[at + 1:]
    if how == "quote":
        return data[:at] + b'"' + data[at:]
    if how == "nul":
        return data[:at] + b"\x00" + data[at:]
    if how == "cp1252":
        return data.decode("utf-8", "replace").encode("cp1252", "replace")
    if how == "utf-16":
        return b"\xff\xfe" + data.decode("utf-8", "replace").encode("utf-16-le")[: at * 2 + 1]
    return data


@given(messy_csv(), st.lists(st.tuples(st.sampled_from(["cut", "flip", "quote", "nul", "cp1252", "utf-16"]),
                                        st.integers(0, 10_000), st.integers(0, 255)), max_size=3),
       st.integers(1, 7))
def test_mutated_csv_never_crashes(sample: tuple[bytes, int], mutations: list[tuple[str, int, int]],
                                   chunk_rows: int) -> None:
    data, width = sample
    for how, at, byte in mutations:
        data = _mutate(data, how, at, byte)
    report = validate(_request(width), files={"data.csv": io.BytesIO(data)},
                      config=Config(chunk_rows=chunk_rows), base_dir="/nonexistent")
    assert report.exit_code() in (0, 1, 2)
    json.dumps(report.to_dict())  # the machine output is always serialisable


def _table(rows: list[list[str]], newline: str) -> bytes:
    return ("c0,c1,c2" + newline + "".join(",".join(r) + newline for r in rows)).encode()


ROWS = st.lists(st.lists(st.text(alphabet="abc01 ", min_size=1, max_size=3), min_size=2, max_size=4),
                min_size=1, max_size=15)
LINE_ENDING_CODES = {"HS406", "HS407"}  # mixed-line-endings, cr-line-endings (hostile-inputs B5-B7)


@given(ROWS, st.sampled_from(["\n", "\r"]))
def test_line_endings_change_only_their_own_findings(rows: list[list[str]], newline: str) -> None:
    def located(data: bytes) -> list[tuple]:
        return [(c, r, line, col, v) for c, r, line, col, v, _m in _check(data, 3, 4) if c not in LINE_ENDING_CODES]

    assert located(_table(rows, newline)) == located(_table(rows, "\r\n"))


@given(ROWS, st.sampled_from(["\n", "\r\n"]))
def test_a_bom_adds_only_its_own_finding(rows: list[list[str]], newline: str) -> None:
    plain = _check(_table(rows, newline), 3, 5)
    with_bom = _check(b"\xef\xbb\xbf" + _table(rows, newline), 3, 5)
    assert [f for f in with_bom if f[0] != "HS401"] == plain
    assert [f[:4] for f in with_bom if f[0] == "HS401"] == [("HS401", 1, 1, 1)]


# --- importRequest: valid requests are clean, each single mutation is found where it is (P6) -----

PROPS = ["email", "firstname", "lastname", "phone", "company", "city", "zip", "jobtitle", "website", "state"]
HEADER = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "Zs"]), min_size=1, max_size=12
                 ).map(str.strip).filter(bool)


@st.composite
def valid_request(draw) -> tuple[dict, dict[str, bytes]]:
    n_files = draw(st.integers(1, 3))
    files, data = [], {}
    for i in range(n_files):
        props = draw(st.lists(st.sampled_from(PROPS), min_size=1, max_size=5, unique=True))
        names = draw(st.lists(HEADER, min_size=len(props), max_size=len(props), unique_by=str.casefold))
        mappings = [{"columnObjectTypeId": "0-1", "columnName": n, "propertyName": p}
                    for n, p in zip(names, props, strict=True)]
        if draw(st.booleans()):
            mappings[0]["columnType"] = "HUBSPOT_ALTERNATE_ID" if props[0] == "email" else "STANDARD"
        name = f"file{i}.csv"
        files.append({"fileName": name, "fileFormat": "CSV",
                      "fileImportPage": {"hasHeader": True, "columnMappings": mappings}})
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerow(["x"] * len(names))
        data[name] = buf.getvalue().encode()
    name = draw(st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=20))  # (HS028)
    request = {"name": name, "files": files,
               "importOperations": {"0-1": draw(st.sampled_from(["CREATE", "UPDATE", "UPSERT"]))}}
    if draw(st.booleans()):
        request["dateFormat"] = draw(st.sampled_from(["MONTH_DAY_YEAR", "DAY_MONTH_YEAR", "YEAR_MONTH_DAY"]))
    return request, data


def _validate_request(raw: dict | bytes, data: dict[str, bytes]) -> list[tuple[str, str | None]]:
    """Request findings (HS0xx) only: the data cells ("x") are not meant to be valid values."""
    report = validate(raw, files={k: io.BytesIO(v) for k, v in data.items()}, base_dir="/nonexistent")
    return sorted((f.code, f.pointer) for f in report.findings if f.code.startswith("HS0"))


@given(valid_request())
def test_valid_requests_give_no_finding(sample: tuple[dict, dict[str, bytes]]) -> None:
    request, data = sample
    assert _validate_request(request, data) == []


def _set(path: list, value) -> Callable[[dict], None]:
    def apply(req: dict) -> None:
        target = req
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return apply


def _del(path: list) -> Callable[[dict], None]:
    def apply(req: dict) -> None:
        target = req
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return apply


def mutations(req: dict) -> list[tuple[str, Callable[[dict], None], str, str]]:
    """(label, change, code, pointer) for every single mutation we know the answer to."""
    i = len(req["files"]) - 1
    page = ["files", i, "fileImportPage"]
    f = f"/files/{i}"
    return [
        ("hasHeader as text", _set([*page, "hasHeader"], "true"), "HS002", f"{f}/fileImportPage/hasHeader"),
        ("unknown fileFormat", _set(["files", i, "fileFormat"], "XLSX"), "HS006", f"{f}/fileFormat"),
        ("unknown columnType", _set([*page, "columnMappings", 0, "columnType"], "PRIMARY_KEY"), "HS007",
         f"{f}/fileImportPage/columnMappings/0/columnType"),
        ("unknown operation", _set(["importOperations", "0-1"], "MERGE"), "HS008", "/importOperations/0-1"),
        ("unknown dateFormat", _set(["dateFormat"], "DD/MM/YYYY"), "HS005", "/dateFormat"),
        ("misspelt key", _set(["colunmMappings"], []), "HS016", "/colunmMappings"),
        ("fileName with a path", _set(["files", i, "fileName"], f"exports/file{i}.csv"), "HS013", f"{f}/fileName"),
        ("columnMappings missing", _del([*page, "columnMappings"]), "HS004", f"{f}/fileImportPage/columnMappings"),
        ("files empty", _set(["files"], []), "HS003", "/files"),
    ]


@given(valid_request(), st.data())
def test_each_single_request_mutation_is_reported_at_its_pointer(sample: tuple[dict, dict[str, bytes]],
                                                                 data) -> None:
    request, files = sample
    label, change, code, pointer = data.draw(st.sampled_from(mutations(request)))
    mutated = copy.deepcopy(request)
    change(mutated)
    found = _validate_request(mutated, files)
    assert (code, pointer) in found, label
    # a request left with no column for an object also gets HS009 (the operation is unused)
    side = {"HS009"} if code in ("HS003", "HS004") else set()
    assert {c for c, _p in found if c.startswith("HS0")} - side == {code}, (label, found)


@given(valid_request())
def test_raw_text_mutations_are_reported(sample: tuple[dict, dict[str, bytes]]) -> None:
    request, files = sample
    text = json.dumps(request)
    assert _validate_request(b"\xef\xbb\xbf" + text.encode(), files) == [("HS023", "")]
    duplicated = text.replace('"importOperations": {', '"importOperations": {"0-1": "CREATE", ', 1)
    assert ("HS017", "/importOperations/0-1") in _validate_request(duplicated.encode(), files)
    cut = text.encode()[: len(text) // 2]
    assert [c for c, _p in _validate_request(cut, files)] == ["HS001"]


@given(st.lists(st.lists(st.text(alphabet="abc01", min_size=1, max_size=3), min_size=3, max_size=3),
                min_size=1, max_size=20), st.data())
def test_a_broken_quote_planted_anywhere_is_reported_there(rows: list[list[str]], data) -> None:
    at = data.draw(st.integers(0, len(rows) - 1))
    col = data.draw(st.integers(0, 2))
    rows[at][col] = f'"{rows[at][col]}"x'  # text after the closing quote (hostile-inputs B10)
    text = "c0,c1,c2\r\n" + "".join(",".join(r) + "\r\n" for r in rows)
    found = _check(text.encode(), 3, data.draw(st.integers(1, 5)))
    structural = [(code, row, column) for code, row, _l, column, _v, _m in found if code.startswith("HS1")]
    assert structural == [("HS112", at + 2, col + 1)]


@given(st.binary(max_size=200), st.text(alphabet=st.characters(codec="utf-8"), max_size=20))
def test_human_output_never_carries_raw_controls(data: bytes, header: str) -> None:
    # J4 / M14: escapes, C1 controls and bidi overrides from cells, headers or names stay escaped
    from tests.hostile.harness import UNSAFE
    from validator.report import render

    body = header.encode("utf-8", "surrogatepass") + b",x\r\n" + data + b"\r\nA\x1b[2J\xc2\x9b,\xe2\x80\xae,z\r\n"
    report = validate(_request(2), files={"data.csv": io.BytesIO(body)}, base_dir="/nonexistent")
    for fmt in ("text", "concise"):
        text = render(report, fmt)
        assert not UNSAFE.search(text), (fmt, text)
        text.encode("utf-8")


def _increasing_by_search(cols: list[int]) -> set[tuple[int, int]]:
    """The plain quadratic search HS102's run finder must agree with (same run among ties)."""
    best: list[list[int]] = []
    for i, x in enumerate(cols):
        prev = max((b for b in best if cols[b[-1]] < x), key=len, default=[])
        best.append([*prev, i])
    chain = max(best, key=len, default=[])
    return {(i, cols[i]) for i in chain}


@given(st.lists(st.integers(0, 40), unique=True, max_size=14))
def test_mapping_order_keeps_the_same_longest_run_as_the_plain_search(cols: list[int]) -> None:
    from validator.checks.header import _increasing
    from validator.context import Column

    placed = [(i, Column(c, f"h{c}", None, "exact")) for i, c in enumerate(cols)]
    assert _increasing(placed) == _increasing_by_search(list(cols))


def test_mapping_order_on_thousands_of_columns_reports_only_the_moved_one() -> None:
    from validator.checks.header import _increasing
    from validator.context import Column

    cols = list(range(20_000))
    cols.insert(5, cols.pop(15_000))  # one mapping moved far ahead
    placed = [(i, Column(c, f"h{c}", None, "exact")) for i, c in enumerate(cols)]
    kept = _increasing(placed)
    assert len(kept) == 19_999 and (5, 15_000) not in kept


@given(st.one_of(st.text(), st.text(st.characters(max_codepoint=127))))
def test_header_names_normalise_the_same_on_the_ascii_shortcut(text: str) -> None:
    """ASCII names skip NFKC and the invisibles (a header may have a million cells): the same
    result as the full normalisation, for ASCII and any other text."""
    from validator.context import _normalised, normalise_name

    assert normalise_name(text) == _normalised(text)
