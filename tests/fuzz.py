"""Seeded fuzz run: mutated CSVs, workbooks and importRequests through ``validate()``.

    python -m tests.fuzz [--n 10000] [--seed 1] [--jobs 2] [--timeout 60] [--cli-every 50]
                         [--out DIR] [--only INDEX ...] [--kind csv|xlsx|xls|request]

Input ``i`` of seed ``S`` is built from ``random.Random(f"{S}:{i}")`` alone, so any input can be
rebuilt (``--only i``) whatever the number of jobs. Each one starts from a seed input (the
examples in ``fixtures/examples``, the small library-safe hostile fixtures of
``tests/hostile/generate.py`` and a few workbooks, .xlsx and .xls) and gets one to three
mutations of its kind (``--kind`` makes every input one kind; input ``i`` of a kind is then still
a function of the seed, the index and the kind):

- ``csv``: byte flips; insertions of quotes, CR, LF, NUL, BOM, delimiters and other awkward
  bytes; deleted, repeated and truncated spans; splices with another seed; random header names
  (the request follows them or not); ragged rows; blank lines; line-ending changes; re-encoding.
- ``xlsx``: ZIP-level (bytes of the archive, dropped, duplicated, renamed or stored entries,
  junk entries) and XML-level (bytes of a part, cell references, cell types, values, shared
  string indexes, elements removed or repeated, sheet names, relationship targets).
- ``xls`` (``tests/fuzz_xls.py``): BIFF-aware (the workbook stream's records: count, index and
  length fields of ROW, DIMENSIONS, MULRK, LABELSST, FORMULA, XF, FORMAT, SST, BOUNDSHEET and
  other records; records duplicated, dropped, swapped, cut or grown; the SST's counts, string
  lengths and flags; records inserted: an early EOF, a BOF, a cell past column 255), then written
  into a new compound file, sometimes in its mini stream; compound-file-aware (the header's
  sector sizes, FAT and miniFAT counts and starts, FAT entries, directory entries' sizes, starts
  and links); and byte flips, deleted, repeated and truncated spans of the file.
- ``request``: JSON-tree mutations of the importRequest (keys dropped or renamed, values of the
  wrong type, elements repeated, file names and formats changed), then sometimes a byte mutation
  of the JSON text.

Every input is written to a scratch folder and checked in a worker process (``--jobs`` of them,
``RLIMIT_AS`` each) by ``validate()``; the report is rendered as text and JSON. A **crash** is
any exception other than ``ValidatorError`` (the library's documented refusal, exit 2 in the
CLI), a worker dying, no result within ``--timeout`` seconds (the worker is killed), or an input
file changed or a file added beside it. Every ``--cli-every``-th input also goes through the
command line in a child process (``tests/hostile/harness.py``: exit 0/1/2, no traceback, no
signal death, inputs unchanged, safe output). Each crashing input is written to ``--out``
(``crash-INDEX/``: the files, the request, ``crash.txt``). Exit status 1 if anything crashed.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import io
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "fixtures" / "examples"
SEED_LIMIT = 64 << 10  # hostile fixtures bigger than this are not fuzz seeds (bombs, limits)
ADDRESS_SPACE = 3 << 30  # per worker, as for the CLI in the harness
REQUEST = "import.json"
SLOW_CPU = 5.0  # seconds of CPU in validate() that make an input "slow" in the summary
SMALL_FILE = 8 << 10  # inputs up to this size and line count may be read in chunks of 3 or 7 rows
SMALL_LINES = 300
REPEAT_LIMIT = 4 << 20  # bytes a repeated line may add
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: an .xls seed
KINDS = {"csv": 5, "xlsx": 3, "request": 2, "xls": 2}  # how often each kind is drawn

# -------------------------------------------------------------------------------------------
# seeds


@dataclass(frozen=True)
class Seed:
    name: str
    kind: str  # csv | xlsx | xls
    files: dict[str, bytes]
    request: Any  # dict, or bytes for a request that is not JSON to start with


def _is_zip(name: str, data: bytes) -> bool:
    return data.startswith(b"PK") or name.lower().endswith((".xlsx", ".xlsm"))


def _workbook_seeds() -> list[Seed]:
    from tests.hostile import xlsx as X
    from tests.hostile.generate import request
    from tests.workbooks import make_workbook

    header = ["Email", "First Name", "Phone", "Zip"]
    rows: list[list[object]] = [list(header), ["a@x.com", "Ann", 5551234, "02139"], ["b@x.com", "Bob", 1.5, 2139],
                                ["c@x.com", ("f", "A2&B2", "x"), ("e", "#N/A"), ("d", 45000)],
                                [None, "Dee", None, "x"], ["e@x.com", "", "", ""]]
    shared = ["Email", "First Name", "s@x.com", "Sam"]
    shared_sheet = X.sheet_xml([[("s", 0), ("s", 1)], [("s", 2), ("s", 3)], ["t@x.com", 7]])
    out = [
        Seed("xlsx-inline", "xlsx", {"data.xlsx": X.xlsx(rows)}, request({"data.xlsx": header}, fmt="SPREADSHEET")),
        Seed("xlsx-shared", "xlsx", {"data.xlsx": X.build(X.parts(sheets={"Contacts": shared_sheet}, shared=shared))},
             request({"data.xlsx": ["Email", "First Name"]}, fmt="SPREADSHEET")),
        Seed("xlsx-two-sheets", "xlsx",
             {"data.xlsx": X.build(X.parts(sheets={"A": X.sheet_xml(rows), "B": X.sheet_xml(rows[:2])},
                                           states={"B": "hidden"}))},
             request({"data.xlsx": header}, fmt="SPREADSHEET")),
    ]
    spec = {"sheets": [{"name": "Contacts", "rows": [header, ["a@x.com", "Ann", 12, "02139"],
                                                     ["b@x.com", "=1+1", 3.25, None]],
                        "merged": ["C3:D3"], "hidden_rows": [2]}]}
    out.append(Seed("xlsx-openpyxl", "xlsx", {"data.xlsx": make_workbook(spec)},
                    request({"data.xlsx": header}, fmt="SPREADSHEET")))
    return out


@functools.cache
def seeds() -> tuple[Seed, ...]:
    """Every seed input, in a fixed order (built once, before the workers fork)."""
    from tests.hostile.generate import REGISTRY, build_case

    out: list[Seed] = []
    for folder in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        req = next(iter(sorted(folder.glob("*.json"))))
        files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix != ".json"}
        out.append(Seed(f"example:{folder.name}", "csv", files, json.loads(req.read_bytes())))
    for cid in REGISTRY:
        c = build_case(cid)
        if (not c.library or c.request is None or c.args or c.setup is not None or c.during is not None
                or c.env or c.mutates or not c.files or sum(map(len, c.files.values())) > SEED_LIMIT):
            continue
        kind = ("xls" if any(d.startswith(OLE_MAGIC) for d in c.files.values())
                else "xlsx" if any(_is_zip(n, d) for n, d in c.files.items()) else "csv")
        out.append(Seed(f"hostile:{cid}", kind, dict(c.files), c.request))
    out.extend(_workbook_seeds())
    out.extend(_xls_seeds())
    return tuple(out)


def _xls_seeds() -> list[Seed]:
    from tests.fuzz_xls import seeds as xls_seeds
    from tests.hostile.generate import request

    return [Seed(name, "xls", {"data.xls": data}, request({"data.xls": header}, fmt="SPREADSHEET"))
            for name, data, header in xls_seeds()]


# -------------------------------------------------------------------------------------------
# mutations

TOKENS = [b'"', b'""', b'"', b"\r", b"\n", b"\r\n", b"\x00", b"\xef\xbb\xbf", b",", b",,", b";", b"\t", b"|",
          b"\\", b"'", b"\xff", b"\xc3", b"\xe2\x80\xae", b"=", b"#", b"\x1b[31m", b" ", b"\xe2\x80\xa8",
          b"\xef\xbf\xbd", b'"\r\n"', b'\n"', b"\x1a", b"\x0b\x0c", b"\x85", b"0x", b"1e999", b"-", b"@"]
NAMES = ["Email", "email", "E-mail", "First Name", "", " ", "Email ", "Phone", "Company", "Zip", "id",
         "Record ID", "Name\nSplit", "é", "\ufeffEmail", "=cmd()", "a" * 300, "Notes", "Email", "x,y", '"q"',
         "Association Label", "Company Domain Name", "\u202eevil", "0", "Last Name"]
JSON_VALUES: list[Any] = [None, True, False, 0, -1, 1, 2**63, 1e308, 0.5, "", "x", "0-1", "0-2", "CSV",
                          "SPREADSHEET", "UPSERT", "CREATE", "../x.csv", "/etc/passwd", "data.csv",
                          "DATA.CSV", "a" * 5000, [], {}, [None], {"": None}, "\u0000", "\ud800"]
XML_TOKENS = [b"<", b">", b"&", b'"', b"</c>", b"</row>", b'<c r="A1">', b"&#0;", b"&amp;", b"]]>",
              b"<!-- -->", b'<row r="1">', b"<v>", b"</v>", b"\x00", b"\xff", b"<is><t>x</t></is>",
              b'<c r="XFD1048576"><v>1</v></c>', b"&lt;", b"&#x110000;", b"<![CDATA[x]]>"]
CELL_TYPES = [b"s", b"str", b"inlineStr", b"b", b"e", b"n", b"d", b"", b"x", b"S"]
CELL_VALUES = [b"0", b"-1", b"99999999", b"1e400", b"nan", b"abc", b"", b"2958466", b"-693594", b"1.5",
               b"#N/A", b"TRUE", b"1" * 400, b"3", b"4"]


def _pos(rng: random.Random, data: bytes) -> int:
    return rng.randint(0, len(data))


def _span(rng: random.Random, data: bytes) -> tuple[int, int]:
    if not data:
        return 0, 0
    a = rng.randrange(len(data))
    return a, min(len(data), a + rng.choice([1, 2, 4, 16, 64, 512]))


def b_flip(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 8])):
        if out:
            i = rng.randrange(len(out))
            out[i] = out[i] ^ (1 << rng.randrange(8)) if rng.random() < 0.7 else rng.randrange(256)
    return bytes(out)


def b_insert(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    for _ in range(rng.choice([1, 1, 2, 5])):
        i = _pos(rng, data)
        data = data[:i] + rng.choice(TOKENS) + data[i:]
    return data


def b_delete(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    a, b = _span(rng, data)
    return data[:a] + data[b:]


def b_repeat(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    a, b = _span(rng, data)
    i = _pos(rng, data)
    return data[:i] + data[a:b] * rng.choice([1, 2, 50]) + data[i:]


def b_truncate(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    return data[:_pos(rng, data)]


def b_splice(rng: random.Random, data: bytes, other: bytes) -> bytes:
    return data[:_pos(rng, data)] + other[_pos(rng, other):]


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def _delimiter(data: bytes) -> bytes:
    head = data[:4096]
    return max([b",", b";", b"\t", b"|"], key=head.count)


def c_header(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    lines = _lines(data)
    d = _delimiter(data)
    width = max(1, lines[0].count(d) + 1 + rng.choice([-1, 0, 0, 0, 1, 3]))
    names = [rng.choice(NAMES) for _ in range(width)]
    if rng.random() < 0.3:
        names = [f'"{n}"' for n in names]
    lines[0] = d.join(n.encode("utf-8", "surrogatepass") for n in names) + b"\r\n"
    return b"".join(lines)


def c_ragged(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    lines = _lines(data)
    d = _delimiter(data)
    for _ in range(rng.choice([1, 2, 5])):
        i = rng.randrange(len(lines))
        body = lines[i].rstrip(b"\r\n")
        end = lines[i][len(body):]
        if d in body and rng.random() < 0.5:
            cells = body.split(d)
            del cells[rng.randrange(len(cells))]
            body = d.join(cells)
        else:
            body = body + d * rng.choice([1, 2, 40])
        lines[i] = body + end
    return b"".join(lines)


def c_blank(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    lines = _lines(data)
    d = _delimiter(data)
    for _ in range(rng.choice([1, 3])):
        i = rng.randint(0, len(lines))
        lines.insert(i, rng.choice([b"\r\n", b"\n", d * 3 + b"\r\n", b" \r\n", b'""\r\n', b"\x00\n"]))
    return b"".join(lines)


def c_quote(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    lines = _lines(data)
    d = _delimiter(data)
    i = rng.randrange(len(lines))
    cells = lines[i].rstrip(b"\r\n").split(d)
    end = lines[i][len(lines[i].rstrip(b"\r\n")):]
    j = rng.randrange(len(cells))
    cells[j] = rng.choice([b'"' + cells[j], cells[j] + b'"', b'"' + cells[j] + b'"x', b'x"' + cells[j],
                           b'"' + cells[j] + b'\r\nnext"', b'"' + cells[j].replace(b'"', b'\\"') + b'\\""'])
    lines[i] = d.join(cells) + end
    return b"".join(lines)


def c_newlines(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    lines = [line.rstrip(b"\r\n") for line in _lines(data)]
    if rng.random() < 0.3:
        return b"".join(line + rng.choice([b"\n", b"\r", b"\r\n", b"\n\r"]) for line in lines)
    return rng.choice([b"\n", b"\r", b"\r\n"]).join(lines) + rng.choice([b"", b"\n", b"\r"])


def c_encode(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    codec = rng.choice(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1", "utf-8-sig",
                        "shift_jis", "utf-7"])
    out = text.encode(codec, "replace")
    if rng.random() < 0.3:
        out = out[: rng.randint(0, len(out))]
    return out


def c_repeat_rows(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    line = lines[i] if lines[i].endswith((b"\n", b"\r")) else lines[i] + b"\n"
    times = min(rng.choice([2, 100, 2000]), max(2, REPEAT_LIMIT // max(1, len(line))))
    return b"".join(lines[:i]) + line * times + b"".join(lines[i + 1:])


TITLES = [b"Contacts export 2024-01-31", b"Notes:", b"", b"Export, March 2024", b'"Export; March";2024',
          b"sep=;", b'"unclosed title', b"\x00\x00", b"Report\tQ1", b"a|b|c", b"\xef\xbb\xbfTitle", b"   "]


def c_title(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    """A title or preamble above the header (HS608's case): a few lines with or without the
    file's delimiter, blank ones, lines of delimiters only, Excel's sep= line, an unclosed quote."""
    d = _delimiter(data)
    end = rng.choice([b"\r\n", b"\n", b"\r"])
    lines = []
    for _ in range(rng.choice([1, 1, 2, 3, 9, 10, 11, 40])):
        line = rng.choice(TITLES)
        if rng.random() < 0.2:
            line = d * rng.choice([1, 2, 5])
        elif rng.random() < 0.2:
            line = line + d + rng.choice([b"", b"x", d])
        lines.append(line + end)
    return b"".join(lines) + data


BYTE_MUTATIONS: list[Callable[[random.Random, bytes, bytes], bytes]] = [
    b_flip, b_insert, b_delete, b_repeat, b_truncate, b_splice]
CSV_MUTATIONS = [*BYTE_MUTATIONS, b_insert, b_insert, c_header, c_ragged, c_ragged, c_blank, c_quote, c_quote,
                 c_newlines, c_encode, c_repeat_rows, c_title, c_title]


# importRequest ------------------------------------------------------------------------------

def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _nodes(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _nodes(v, (*path, i))
    return out


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def _json_value(rng: random.Random) -> Any:
    """One of JSON_VALUES, copied: a later mutation of the tree must not change the constant (the
    next inputs of the process would differ from a replay of their seed) or put a container inside
    itself (json.dumps: "Circular reference detected")."""
    return json.loads(json.dumps(rng.choice(JSON_VALUES)))


def r_tree(rng: random.Random, req: Any) -> Any:
    nodes = _nodes(req)[1:]
    if not nodes:
        return _json_value(rng)
    path = rng.choice(nodes)
    parent, key = _get(req, path[:-1]), path[-1]
    action = rng.choice(["delete", "value", "value", "value", "repeat", "wrap", "rename", "extra", "copy"])
    if action == "delete":
        del parent[key]
    elif action == "value":
        parent[key] = _json_value(rng)
    elif action == "repeat" and isinstance(parent, list):
        parent.insert(key, json.loads(json.dumps(parent[key])))
    elif action == "wrap":
        parent[key] = [parent[key]] if rng.random() < 0.5 else {"value": parent[key]}
    elif action == "rename" and isinstance(parent, dict):
        new = rng.choice([key.upper(), key.lower(), key + "_", "", key[:-1]])
        parent[new] = parent.pop(key)
    elif action == "extra" and isinstance(parent, dict):
        parent[rng.choice(["unknown", "fileName", "files", "x" * 50, "__proto__"])] = _json_value(rng)
    else:  # copy another node over this one
        other = rng.choice(nodes)
        if other[: len(path)] != path:
            parent[key] = json.loads(json.dumps(_get(req, other)))
    return req


def r_column(rng: random.Random, req: Any) -> Any:
    """A mutation where the request model looks: names, formats, mappings, headers."""
    try:
        return _column(rng, req)
    except (KeyError, IndexError, TypeError, AttributeError):  # not shaped like a request any more
        return r_tree(rng, req)


def _column(rng: random.Random, req: Any) -> Any:
    try:
        entry = rng.choice(req["files"])
        page = entry["fileImportPage"]
        mappings = page["columnMappings"]
    except (KeyError, IndexError, TypeError):
        return r_tree(rng, req)
    choice = rng.randrange(8)
    if choice == 0 and mappings:
        rng.choice(mappings)["columnName"] = rng.choice(NAMES)
    elif choice == 1 and mappings:
        mappings.append(json.loads(json.dumps(rng.choice(mappings))))
    elif choice == 2 and mappings:
        rng.choice(mappings)["propertyName"] = rng.choice(["email", "firstname", "", "hs_object_id", "x" * 300,
                                                           "associatedcompanyid", "EMAIL", None])
    elif choice == 3 and mappings:
        rng.choice(mappings)["columnObjectTypeId"] = rng.choice(["0-1", "0-2", "0-3", "2-123", "", "0-99", 1])
    elif choice == 4:
        entry["fileFormat"] = rng.choice(["CSV", "SPREADSHEET", "csv", "XLSX", "", None])
    elif choice == 5:
        page["hasHeader"] = rng.choice([True, False, "true", None])
    elif choice == 6:
        entry["fileName"] = rng.choice(["../data.csv", "/data.csv", "DATA.csv", "missing.csv", "", "a/b.csv",
                                        "data.xlsx", "data.csv", "import.json", "."])
    else:
        mappings.reverse()
    return req


# workbooks ----------------------------------------------------------------------------------

def _entries(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        if sum(i.file_size for i in infos) > 4 << 20:  # a bomb seed: mutate its bytes instead
            raise ValueError("too big to unpack")
        return [(i.filename, zf.read(i)) for i in infos]


def _zip(entries: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are one of the mutations
        with zipfile.ZipFile(buf, "w", method) as zf:
            for name, part in entries:
                zf.writestr(name, part)
    return buf.getvalue()


def _pick_xml(rng: random.Random, entries: list[tuple[str, bytes]]) -> int:
    weights = [8 if "worksheets/" in n else 4 if "sharedStrings" in n else 2 if n.endswith(".xml") else 1
               for n, _ in entries]
    return rng.choices(range(len(entries)), weights)[0]


def _sub_some(rng: random.Random, pattern: bytes, text: bytes, make: Callable[[re.Match[bytes]], bytes]) -> bytes:
    matches = list(re.finditer(pattern, text))
    if not matches:
        return text
    for m in sorted(rng.sample(matches, min(len(matches), rng.choice([1, 1, 3]))), key=lambda m: -m.start()):
        text = text[:m.start()] + make(m) + text[m.end():]
    return text


def _ref(rng: random.Random) -> bytes:
    col = rng.choice(["A", "B", "C", "Z", "AA", "XFD", "XFE", "a", "", "AAAA"])
    row = rng.choice(["1", "2", "3", "0", "1048576", "1048577", "", "99999999999", "-1"])
    return (col + row).encode() if rng.random() < 0.9 else (row + col).encode()


def x_xml(rng: random.Random, part: bytes) -> bytes:
    choice = rng.randrange(9)
    if choice == 0:
        return _sub_some(rng, rb' r="[A-Z]*[0-9]*"', part, lambda m: b' r="' + _ref(rng) + b'"')
    if choice == 1:
        return _sub_some(rng, rb' t="[A-Za-z]*"', part, lambda m: b' t="' + rng.choice(CELL_TYPES) + b'"')
    if choice == 2:
        return _sub_some(rng, rb"<v>[^<]*</v>", part, lambda m: b"<v>" + rng.choice(CELL_VALUES) + b"</v>")
    if choice == 3:  # remove an element
        return _sub_some(rng, rb"<(c|row|si|sheet|Relationship|is|t|v|f)\b[^>]*?(/>|>.*?</\1>)", part,
                         lambda m: b"")
    if choice == 4:  # repeat an element
        return _sub_some(rng, rb"<(c|row|si|sheet|Relationship)\b[^>]*?(/>|>.*?</\1>)", part,
                         lambda m: m.group() * rng.choice([2, 3, 200]))
    if choice == 5:
        return _sub_some(rng, rb'(name|Target|sheetId|r:id|count|uniqueCount|ref|s)="[^"]*"', part,
                         lambda m: m.group(1) + b'="' + rng.choice(
                             [b"", b"x", b"0", b"-1", b"99999", b"../../x.xml", b"/xl/worksheets/sheet1.xml",
                              b"A1:XFD1048576", b"Sheet1", b"rId1", b"rId99"]) + b'"')
    if choice == 6:
        for _ in range(rng.choice([1, 2])):
            i = _pos(rng, part)
            part = part[:i] + rng.choice(XML_TOKENS) + part[i:]
        return part
    return rng.choice(BYTE_MUTATIONS)(rng, part, part)


def x_mutate(rng: random.Random, data: bytes, other: bytes) -> bytes:
    try:
        entries = _entries(data)
    except Exception:
        return rng.choice(BYTE_MUTATIONS)(rng, data, other)
    if not entries:
        return rng.choice(BYTE_MUTATIONS)(rng, data, other)
    choice = rng.randrange(10)
    method = zipfile.ZIP_DEFLATED
    if choice <= 4:
        i = _pick_xml(rng, entries)
        entries[i] = (entries[i][0], x_xml(rng, entries[i][1]))
    elif choice == 5:
        del entries[rng.randrange(len(entries))]
    elif choice == 6:
        entries.insert(rng.randint(0, len(entries)), rng.choice(entries))
    elif choice == 7:
        i = rng.randrange(len(entries))
        entries[i] = (rng.choice(["xl/worksheets/sheet2.xml", entries[i][0].upper(), "/" + entries[i][0],
                                  "../" + entries[i][0], entries[i][0] + "\x00", "xl\\workbook.xml"]),
                      entries[i][1])
    elif choice == 8:
        method = zipfile.ZIP_STORED
        rng.shuffle(entries)
    else:
        entries.append((rng.choice(["xl/vbaProject.bin", "xl/externalLinks/externalLink1.xml", "junk"]),
                        rng.randbytes(rng.choice([0, 10, 1000]))))
    return _zip(entries, method)


def x_xls(rng: random.Random, data: bytes, other: bytes) -> bytes:
    from tests import fuzz_xls

    return fuzz_xls.mutate(rng, data, other, BYTE_MUTATIONS)


XLSX_MUTATIONS = [x_mutate, x_mutate, x_mutate, x_mutate, x_mutate, x_mutate, b_flip, b_truncate, b_insert,
                  b_splice, b_delete]
XLS_MUTATIONS = [x_xls, x_xls, x_xls, x_xls, x_xls, x_xls, b_flip, b_delete, b_repeat, b_truncate]
TITLED = "title"  # (make_input's kind: a CSV with c_title first)
MUTATIONS = {"csv": CSV_MUTATIONS, "xlsx": XLSX_MUTATIONS, "xls": XLS_MUTATIONS}


# -------------------------------------------------------------------------------------------
# inputs


@dataclass
class Input:
    index: int
    kind: str
    seed: str
    mutations: list[str]
    files: dict[str, bytes]
    request: bytes
    chunk_rows: int
    reader: str
    large: bool = False  # the large-input settings: polars hashes keys and rows, two rule threads


def make_input(seed: int, index: int, kind: str | None = None) -> Input:
    """Input ``index`` of run ``seed`` (of ``kind`` when given: ``title``, a CSV with a title or
    preamble above its header, ``c_title``, before its other mutations): a function of these alone."""
    rng = random.Random(f"{seed}:{index}")
    pool = seeds()
    drawn = rng.choices(list(KINDS), list(KINDS.values()))[0]
    titled = kind == TITLED
    kind = "csv" if titled else kind or drawn
    candidates = [s for s in pool if s.kind == kind] if kind != "request" else list(pool)
    base = rng.choice(candidates)
    files = dict(base.files)
    req: Any = json.loads(json.dumps(base.request)) if not isinstance(base.request, bytes) else base.request
    mutations: list[str] = []
    if titled:
        name = rng.choice(sorted(files))
        files[name] = c_title(rng, files[name], files[name])
        mutations.append(c_title.__name__)
    for _ in range(rng.choice([1, 1, 2, 3])):
        if kind == "request":
            if isinstance(req, bytes) or rng.random() < 0.15:
                raw = req if isinstance(req, bytes) else json.dumps(req, indent=1).encode()
                byte_fn = rng.choice(BYTE_MUTATIONS)
                req, used = byte_fn(rng, raw, raw), byte_fn.__name__
            else:
                tree_fn = rng.choice([r_tree, r_tree, r_column])
                req, used = tree_fn(rng, req), tree_fn.__name__
        else:
            name = rng.choice(sorted(files))
            other = rng.choice([s for s in pool if s.kind == kind])
            other_data = next(iter(other.files.values()))
            fn = rng.choice(MUTATIONS[kind])
            files[name] = fn(rng, files[name], other_data)
            if fn is c_header and isinstance(req, dict) and rng.random() < 0.5:
                _follow_header(req, name, files[name])
            used = fn.__name__
        mutations.append(used)
    raw_request = req if isinstance(req, bytes) else json.dumps(req, indent=1, ensure_ascii=False).encode(
        "utf-8", "surrogatepass")
    # tiny chunks test chunk boundaries, but cost ~10 ms each in per-chunk overhead: small files only
    small = all(len(d) <= SMALL_FILE and d.count(b"\n") + d.count(b"\r") <= SMALL_LINES for d in files.values())
    chunk_rows = rng.choice([3, 7, 50_000]) if small else 50_000
    reader = rng.choice(["auto", "auto", "exact", "fast"])
    return Input(index, kind, base.name, mutations, files, raw_request, chunk_rows, reader, rng.random() < 0.3)


def _follow_header(req: dict[str, Any], name: str, data: bytes) -> None:
    """Map the new header's columns, so the mutated file is checked past the header."""
    from tests.hostile.corpus import columns_of
    from tests.hostile.generate import PROPS

    for entry in req.get("files", []):
        if isinstance(entry, dict) and entry.get("fileName") == name:
            entry.setdefault("fileImportPage", {})["columnMappings"] = [
                {"columnObjectTypeId": "0-1", "columnName": c, "propertyName": PROPS.get(c, "email")}
                for c in columns_of(data)]


# -------------------------------------------------------------------------------------------
# running one input


@dataclass
class Result:
    index: int
    outcome: str  # exit0 | exit1 | refused | error | crash
    detail: str = ""
    signature: str = ""
    seconds: float = 0.0
    cpu: float = 0.0  # CPU seconds of the validate() call (wall time varies with the machine's load)
    cli: str = ""  # "", "ok" or the CLI's problems


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def write_input(inp: Input, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in inp.files.items():
        (folder / name).write_bytes(data)
    (folder / REQUEST).write_bytes(inp.request)
    return folder / REQUEST


def _signature(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/validator/" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc).__name__} at {where}"


def run_library(inp: Input, scratch: Path) -> Result:
    from validator import Config, ValidatorError, validate
    from validator.report import render

    folder = scratch / f"in-{inp.index}"
    shutil.rmtree(folder, ignore_errors=True)
    path = write_input(inp, folder)
    before = _digest(folder)
    started, cpu = time.perf_counter(), time.process_time()
    result = Result(inp.index, "crash")
    from validator import engine, native

    saved, kernels = engine.LARGE_INPUT, native.kernels
    try:
        if inp.large:
            engine.LARGE_INPUT = 0
            if inp.index % 2:  # every other large input hashes with polars, as without the native kernels
                native.kernels = None
        report = validate(path, config=Config(chunk_rows=inp.chunk_rows, reader=inp.reader))
        render(report, "text")
        render(report, "json")
        result.outcome = "refused" if report.refusals else f"exit{report.exit_code(Config().fail_on)}"
    except ValidatorError as exc:
        result.outcome, result.detail = "error", str(exc)[:200]
    except Exception as exc:  # the thing a fuzz run looks for
        result.detail = "".join(traceback.format_exception(exc))[-4000:]
        result.signature = _signature(exc)
    finally:
        engine.LARGE_INPUT, native.kernels = saved, kernels
    result.seconds = time.perf_counter() - started
    result.cpu = time.process_time() - cpu
    after = _digest(folder)
    if after != before:
        changed = sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n))
        result.outcome, result.signature = "crash", "input changed"
        result.detail = f"changed or added: {changed}\n{result.detail}"
    shutil.rmtree(folder, ignore_errors=True)
    return result


def run_cli_case(inp: Input, scratch: Path, timeout: float) -> list[str]:
    from tests.hostile.generate import Case
    from tests.hostile.harness import run_case, safety_problems

    case = Case(f"fuzz:{inp.index}", dict(inp.files), inp.request, request_name=REQUEST, timeout=timeout)
    case.args = [REQUEST, "--chunk-rows", str(inp.chunk_rows), "--reader", inp.reader]
    tmp = scratch / f"cli-{inp.index}"
    try:
        outcome = run_case(case, tmp)
        problems = safety_problems(case, outcome)
        if problems:
            problems.append("stderr: " + " | ".join(outcome.err.strip().splitlines()[-3:])[:500])
        return problems
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# -------------------------------------------------------------------------------------------
# workers


def _worker(conn: Connection, seed: int, scratch: str, cli_timeout: float, kind: str | None = None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard >= ADDRESS_SPACE:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, hard))
    base = Path(scratch)
    while True:
        task = conn.recv()
        if task is None:
            return
        index, cli = task
        inp = make_input(seed, index, kind)
        result = run_library(inp, base)
        if cli:
            problems = run_cli_case(inp, base, cli_timeout)
            result.cli = "; ".join(problems) or "ok"
        conn.send(result)


@dataclass
class Summary:
    seed: int
    n: int
    seconds: float = 0.0
    by_kind: dict[str, Counter[str]] = field(default_factory=dict)
    mutations: Counter[str] = field(default_factory=Counter)
    crashes: list[tuple[Input, Result]] = field(default_factory=list)
    slow: list[tuple[Input, Result]] = field(default_factory=list)  # more than SLOW_CPU, not a crash
    cli_runs: int = 0
    cpu: float = 0.0

    def add(self, inp: Input, result: Result) -> None:
        self.by_kind.setdefault(inp.kind, Counter())[result.outcome] += 1
        self.mutations.update(inp.mutations)
        if result.cli:
            self.cli_runs += 1
        self.cpu += result.cpu
        if result.cpu > SLOW_CPU:
            self.slow.append((inp, result))
        if result.outcome == "crash" or result.cli not in ("", "ok"):
            self.crashes.append((inp, result))

    def text(self) -> str:
        ran = sum(sum(c.values()) for c in self.by_kind.values())
        lines = [f"fuzz seed {self.seed}: {ran} inputs in {self.seconds:.1f} s "
                 f"({ran / max(self.seconds, 1e-9):.1f}/s; {self.cpu:.0f} s of CPU in validate()), "
                 f"{self.cli_runs} also through the CLI"]
        for kind, counts in sorted(self.by_kind.items()):
            lines.append(f"  {kind:<8} {sum(counts.values()):>6}: "
                         + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        lines.append("  mutations: " + ", ".join(f"{k} {v}" for k, v in sorted(self.mutations.items())))
        signatures = Counter(r.signature or ("cli: " + r.cli[:120]) for _i, r in self.crashes)
        lines.append(f"  crashes: {len(self.crashes)} ({len(signatures)} distinct)")
        for sig, count in signatures.most_common():
            lines.append(f"    {count:>5}  {sig}")
        lines.append(f"  slow (over {SLOW_CPU:.0f} s of CPU, not a crash): {len(self.slow)}")
        for inp, r in sorted(self.slow, key=lambda t: -t[1].cpu)[:5]:
            size = sum(map(len, inp.files.values()))
            lines.append(f"    input {inp.index}: {r.cpu:.1f} s, {inp.kind} from {inp.seed} "
                         f"({', '.join(inp.mutations)}; {size:,} bytes)")
        return "\n".join(lines)


def run(n: int, seed: int = 1, jobs: int = 2, timeout: float = 60.0, cli_every: int = 50,
        out: Path | None = None, only: list[int] | None = None, progress: bool = False,
        kind: str | None = None) -> Summary:
    """Fuzz ``n`` inputs (or the ``only`` indexes; all of ``kind`` when given) and return the summary."""
    seeds()  # build before forking: every worker shares them
    indexes = list(only) if only else list(range(n))
    summary = Summary(seed, len(indexes))
    ctx = multiprocessing.get_context("fork")
    scratch = Path(tempfile.mkdtemp(prefix="fuzz-"))
    cli_timeout = 60.0
    workers: dict[int, tuple[Any, Connection, int | None, float]] = {}

    def start(slot: int) -> None:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child, seed, str(scratch), cli_timeout, kind), daemon=True)
        proc.start()
        child.close()
        workers[slot] = (proc, parent, None, 0.0)

    def finish(slot: int, result: Result) -> None:
        inp = make_input(seed, result.index, kind)
        summary.add(inp, result)
        if out is not None and (result.outcome == "crash" or result.cli not in ("", "ok")):
            save(inp, result, out, seed, kind)

    started = time.monotonic()
    pending = list(reversed(indexes))
    try:
        for slot in range(max(1, jobs)):
            start(slot)
        done = 0
        while pending or any(w[2] is not None for w in workers.values()):
            for slot, (proc, conn, busy, _since) in list(workers.items()):
                if busy is None and pending:
                    index = pending.pop()
                    conn.send((index, bool(cli_every) and index % cli_every == 0))
                    workers[slot] = (proc, conn, index, time.monotonic())
            ready = wait([w[1] for w in workers.values() if w[2] is not None], timeout=0.5)
            now = time.monotonic()
            for slot, (proc, conn, busy, since) in list(workers.items()):
                if busy is None:
                    continue
                limit = timeout + (cli_timeout if cli_every and busy % cli_every == 0 else 0)
                if conn in ready:
                    try:
                        result = conn.recv()
                    except (EOFError, OSError):
                        proc.join(5)
                        result = Result(busy, "crash", f"worker died: exit {proc.exitcode}",
                                        f"worker died (exit {proc.exitcode})")
                        conn.close()
                        start(slot)
                    else:
                        workers[slot] = (proc, conn, None, 0.0)
                    finish(slot, result)
                    done += 1
                elif now - since > limit:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.join()
                    conn.close()
                    finish(slot, Result(busy, "crash", f"no result within {limit:.0f} s", "hang"))
                    done += 1
                    start(slot)
                else:
                    continue
                if progress and done % 1000 == 0:
                    print(f"  ... {done} inputs, {len(summary.crashes)} crashes, "
                          f"{time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    finally:
        for proc, conn, _busy, _since in workers.values():
            with contextlib.suppress(OSError):
                conn.send(None)
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join()
        shutil.rmtree(scratch, ignore_errors=True)
    summary.seconds = time.monotonic() - started
    return summary


def save(inp: Input, result: Result, out: Path, seed: int, kind: str | None = None) -> Path:
    folder = out / f"crash-{seed}-{inp.index}"
    shutil.rmtree(folder, ignore_errors=True)
    write_input(inp, folder)
    (folder / "crash.txt").write_text(
        f"seed {seed} index {inp.index} kind {inp.kind} from {inp.seed}\n"
        f"mutations: {', '.join(inp.mutations)}; chunk_rows {inp.chunk_rows}; reader {inp.reader}; "
        f"large-input settings {inp.large}\n"
        f"rebuild: python -m tests.fuzz --seed {seed} --only {inp.index}{f' --kind {kind}' if kind else ''}\n"
        f"outcome: {result.outcome} {result.signature}\ncli: {result.cli}\n\n{result.detail}\n",
        encoding="utf-8", errors="backslashreplace")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="inputs to run (default 10,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="wall-clock seconds per input before it is a hang (default 60: the machine may be busy)")
    parser.add_argument("--cli-every", type=int, default=50, help="every Nth input also through the CLI (0: none)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "fuzz-crashes")
    parser.add_argument("--only", type=int, nargs="*", help="run just these input indexes")
    parser.add_argument("--kind", choices=[*sorted(KINDS), TITLED],
                        help=f"make every input of this kind ({TITLED}: a CSV with a title above its header)")
    args = parser.parse_args(argv)
    summary = run(args.n, args.seed, args.jobs, args.timeout, args.cli_every, args.out, args.only, progress=True,
                  kind=args.kind)
    print(summary.text())
    if summary.crashes:
        print(f"crashing inputs written to {args.out}")
    return 1 if summary.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
