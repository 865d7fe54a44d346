"""One generator per hostile-input class of ``tests/hostile/catalogue.toml``.

Each ``@case("ID")`` function returns a Case: the files to write into a fresh folder (bytes,
built at test time so binary and large inputs need not live in git), the importRequest, the
command-line arguments, and optional set-up for things that are not plain files (symlinks,
FIFOs, sockets, directories). ``materialise`` writes a case into a folder.
"""

from __future__ import annotations

import codecs
import functools
import gzip
import json
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.hostile import xlsx as X

PROPS = {"Email": "email", "First Name": "firstname", "Last Name": "lastname", "Phone": "phone",
         "Company": "company", "Zip": "zip", "City": "city", "Notes": "message"}
CLEAN = "Email,First Name\r\na@x.com,Ann\r\nb@x.com,Bob\r\n"


@dataclass
class Case:
    id: str
    files: dict[str, bytes] = field(default_factory=dict)
    request: Any = None  # dict -> JSON text; bytes -> written as is; None -> no request file
    request_name: str = "import.json"
    args: list[str | bytes] | None = None  # after `check`; default: the request file
    setup: Callable[[Path, Path], None] | None = None  # (case folder, outside folder)
    env: dict[str, str] = field(default_factory=dict)
    timeout: float = 20.0
    bounded: bool = False  # a refusal that must stay within the time and memory budget
    mutates: bool = False  # the case itself changes an input while the check runs
    during: Callable[[Path, threading.Event], None] | None = None  # (folder, set when the child ended)
    interrupt_after: float | None = None  # send SIGINT after this many seconds
    close_stdout: bool = False  # the reader of stdout goes away (broken pipe)
    library: bool = True  # safe to run in-process through validate() (no FIFOs, no bombs)


REGISTRY: dict[str, Callable[[], Case]] = {}


def case(cid: str) -> Callable[[Callable[[], Case]], Callable[[], Case]]:
    def register(fn: Callable[[], Case]) -> Callable[[], Case]:
        assert cid not in REGISTRY, cid
        REGISTRY[cid] = fn
        return fn
    return register


def request(files: dict[str, list[str]] | list[str], fmt: str = "CSV", **top: Any) -> dict[str, Any]:
    """An importRequest mapping each named column to a contact property."""
    if isinstance(files, list):
        files = {"data.csv": files}
    entries = []
    for name, columns in files.items():
        mappings = [{"columnObjectTypeId": "0-1", "columnName": c,
                     "propertyName": PROPS.get(c, "".join(ch for ch in c.lower() if ch.isalnum()) or "x")}
                    for c in columns]
        entries.append({"fileName": name, "fileFormat": fmt,
                        "fileImportPage": {"hasHeader": True, "columnMappings": mappings}})
    return {"name": "hostile", "importOperations": {"0-1": "UPSERT"}, "dateFormat": "YEAR_MONTH_DAY",
            **top, "files": entries}


def csv_case(cid: str, data: bytes | str, columns: list[str] | None = None, name: str = "data.csv",
             **kw: Any) -> Case:
    raw = data.encode() if isinstance(data, str) else data
    if columns is None:
        first = raw.split(b"\n", 1)[0].split(b"\r", 1)[0].decode("utf-8", "replace").lstrip("\ufeff")
        columns = first.split(",")
    return Case(cid, {name: raw}, request({name: columns}), **kw)


def sheet_case(cid: str, data: bytes, name: str = "data.xlsx", columns: list[str] | None = None,
               **kw: Any) -> Case:
    return Case(cid, {name: data}, request({name: columns or ["Email", "First Name"]}, fmt="SPREADSHEET"),
                **kw)


def rows(n: int, width: int = 2) -> str:
    return "".join(",".join(f"v{r}c{c}" for c in range(width)) + "\r\n" for r in range(n))


# A. Bytes and encoding -----------------------------------------------------------------------

@case("A1")
def a1() -> Case:
    return csv_case("A1", "Email,First Name\r\na@x.com,Ren\u00e9e\r\n")


@case("A2")
def a2() -> Case:
    return csv_case("A2", b"\xef\xbb\xbf" + CLEAN.encode())


def _tab_text() -> str:
    return "Email\tFirst Name\r\na@x.com\tRen\u00e9e\r\n"


@case("A3")
def a3() -> Case:
    return csv_case("A3", codecs.BOM_UTF16_LE + _tab_text().encode("utf-16-le"), ["Email", "First Name"])


@case("A4")
def a4() -> Case:
    return csv_case("A4", codecs.BOM_UTF16_BE + _tab_text().encode("utf-16-be"), ["Email", "First Name"])


@case("A5")
def a5() -> Case:
    return csv_case("A5", CLEAN.encode("utf-16-le"), ["Email", "First Name"])


@case("A6")
def a6() -> Case:
    return csv_case("A6", codecs.BOM_UTF32_LE + CLEAN.encode("utf-32-le"), ["Email", "First Name"])


@case("A7")
def a7() -> Case:
    # row 3, column 2: 'Ren\xe9e' (cp1252 e-acute), smart quotes and the euro sign in row 4
    text = "Email,First Name\r\na@x.com,Ann\r\nb@x.com,Ren\u00e9e\r\nc@x.com,\u201cBo\u201d \u20ac\r\n"
    return csv_case("A7", text.encode("cp1252"))


@case("A8")
def a8() -> Case:
    data = (b"Email,First Name\r\n" b"a@x.com,A\x80nn\r\n" b"b@x.com,\xffBob\r\n"
            b"c@x.com,\xc0\xafover\r\n" b"d@x.com,\xed\xa0\x80cesu\r\n")
    return csv_case("A8", data)


@case("A9")
def a9() -> Case:
    return csv_case("A9", b"Email,First Name\r\na@x.com,Ann\r\nb@x.com,Ren\xc3")


@case("A10")
def a10() -> Case:
    return csv_case("A10", b"Email,First Name\r\na@x.com,An\x00n\r\nb@x.com,\x00\r\n")


@case("A11")
def a11() -> Case:
    return csv_case("A11", b"Email,First Name\r\na@x.com,A\x01\x08nn\x0b\x0c\r\nb@x.com,\x1b[31mred\x7f\r\n"
                    + "c@x.com,c1\u0085\u009b\r\n".encode())


@case("A12")
def a12() -> Case:
    head = "Email,First Name\r\na@x.com,Ren\u00e9e\r\n".encode()
    return csv_case("A12", head + "b@x.com,Ren\u00e9e\r\n".encode("cp1252") + "c@x.com,Zo\u00eb\r\n".encode()
                    + "d@x.com,Zo\u00eb\r\n".encode("latin-1"))


@case("A13")
def a13() -> Case:
    return csv_case("A13", "Email,First Name\r\na@x.com,Ren\ufffde\r\n")


@case("A14")
def a14() -> Case:
    return Case("A14", {"data.csv": X.xlsx([["Email"], ["a@x.com"]]), "pdf.csv": b"%PDF-1.7\n%\xe2\xe3\n",
                        "gz.csv": gzip.compress(CLEAN.encode(), mtime=0)},
                request({"data.csv": ["Email"], "pdf.csv": ["Email"], "gz.csv": ["Email"]}))


# B. CSV structure ----------------------------------------------------------------------------

@case("B1")
def b1() -> Case:
    return csv_case("B1", b"", ["Email"])


@case("B2")
def b2() -> Case:
    return Case("B2", {"bom.csv": b"\xef\xbb\xbf", "blank.csv": b"\r\n\r\n\n", "space.csv": b"   \r\n \t \r\n"},
                request({"bom.csv": ["Email"], "blank.csv": ["Email"], "space.csv": ["Email"]}))


@case("B3")
def b3() -> Case:
    return csv_case("B3", "Email,First Name\r\n")


@case("B4")
def b4() -> Case:
    return csv_case("B4", "Email,First Name\r\na@x.com,Ann")


@case("B5")
def b5() -> Case:
    return csv_case("B5", CLEAN.replace("\r\n", "\r"))


@case("B6")
def b6() -> Case:
    return csv_case("B6", "Email,First Name\r\na@x.com,Ann\nb@x.com,Bob\rc@x.com,Cy\r\n")


@case("B7")
def b7() -> Case:
    return csv_case("B7", CLEAN.replace("\r\n", "\n"))


@case("B8")
def b8() -> Case:
    return csv_case("B8", 'Email,First Name\r\na@x.com,"Ann\r\nb@x.com,Bob\r\nc@x.com,Cy\r\n')


@case("B9")
def b9() -> Case:
    return csv_case("B9", 'Email,First Name\r\na@x.com,An"n\r\n')


@case("B10")
def b10() -> Case:
    return csv_case("B10", 'Email,First Name\r\na@x.com,"Ann"x\r\n')


@case("B11")
def b11() -> Case:
    return csv_case("B11", 'Email,First Name\r\na@x.com,   "Bob"\r\n')


@case("B12")
def b12() -> Case:
    return csv_case("B12", "Email,First Name\r\na@x.com,Ann,EXTRA\r\nb@x.com,Bob\r\nc@x.com,Cy,X,Y\r\n")


@case("B13")
def b13() -> Case:
    return csv_case("B13", "Email,First Name,Last Name\r\na@x.com,Ann\r\nb@x.com,Bob,Ray\r\n")


@case("B14")
def b14() -> Case:
    return csv_case("B14", "Email,First Name\r\na@x.com,Ann\r\n\r\nb@x.com,Bob\r\n")


@case("B15")
def b15() -> Case:
    return csv_case("B15", "Email,First Name\r\na@x.com,Ann\r\n,\r\nb@x.com,Bob\r\n")


@case("B16")
def b16() -> Case:
    return csv_case("B16", CLEAN + "\r\n\r\n\r\n")


@case("B17")
def b17() -> Case:
    return csv_case("B17", "Email,Notes\r\na@x.com," + "x" * 140_000 + "\r\nb@x.com,short\r\n")


@case("B18")
def b18() -> Case:
    # one record of 2 million fields (4 MB): must be handled in bounded time
    return csv_case("B18", "Email,First Name\r\n" + "a," * 2_000_000 + "b\r\n", ["Email", "First Name"],
                    bounded=True)


@case("B19")
def b19() -> Case:
    return csv_case("B19", "Email;First Name\r\na@x.com;Ann\r\nb@x.com;Bob\r\n", ["Email", "First Name"])


@case("B20")
def b20() -> Case:
    return csv_case("B20", "Email\tFirst Name\r\na@x.com\tAnn\r\nb@x.com\tBob\r\n", ["Email", "First Name"],
                    name="data.csv")


@case("B21")
def b21() -> Case:
    return csv_case("B21", "Email|First Name\r\na@x.com|Ann\r\nb@x.com|Bob\r\n", ["Email", "First Name"])


@case("B22")
def b22() -> Case:
    return csv_case("B22", "Email\r\na@x.com\r\nm@m.com\r\n")


@case("B23")
def b23() -> Case:
    sample = '"",' * 60 + '"' * 60 + "0" + '"' * 60 + "0"
    body = "Email\r\n" + sample + "\r\n" + "".join(f'"{i}@x.com"\r\n' for i in range(10_000))
    return csv_case("B23", body, ["Email"], timeout=10)


@case("B24")
def b24() -> Case:
    return csv_case("B24", "Contacts export 2024-01-31\r\nEmail,First Name\r\na@x.com,Ann\r\n", ["Email", "First Name"])


@case("B25")
def b25() -> Case:
    return csv_case("B25", 'Email,Notes\r\na@x.com,"line one\r\nline two"\r\nb@x.com,x,EXTRA\r\n')


@case("B26")
def b26() -> Case:
    return csv_case("B26", 'Email,Notes\r\na@x.com,"cr\ronly"\r\nb@x.com,"crlf\r\ninside"\r\n')


@case("B27")
def b27() -> Case:
    return csv_case("B27", 'Email,Notes\r\na@x.com,"say \\"hi\\" now"\r\n')


@case("B28")
def b28() -> Case:
    return csv_case("B28", "Email,First Name\r\n# exported by tool\r\na@x.com,Ann\r\n")


@case("B29")
def b29() -> Case:
    return csv_case("B29", "Email,First Name\r\na@x.com,Ann\r\na@x.com,Ann\r\n")


# C. Header row -------------------------------------------------------------------------------

@case("C1")
def c1() -> Case:
    return csv_case("C1", "Email,First Name,Email\r\na@x.com,Ann,b@x.com\r\n", ["Email", "First Name"])


@case("C2")
def c2() -> Case:
    return csv_case("C2", "Email,,First Name\r\na@x.com,x,Ann\r\n", ["Email", "First Name"])


@case("C3")
def c3() -> Case:
    return csv_case("C3", "Email,First Name,,\r\na@x.com,Ann,,\r\nb@x.com,Bob,,\r\n", ["Email", "First Name"])


@case("C4")
def c4() -> Case:
    return csv_case("C4", " Email ,First Name\r\na@x.com,Ann\r\n", ["Email", "First Name"])


@case("C5")
def c5() -> Case:
    return csv_case("C5", "Email\u00a0,First\u00adName,Phone\u200b\r\na@x.com,Ann,1\r\n",
                    ["Email", "FirstName", "Phone"])


@case("C6")
def c6() -> Case:
    # Cyrillic 'е' in Email, NFD 'é' in Société, full-width 'Ｃｉｔｙ'
    return csv_case("C6", "Emai\u0435l,Socie\u0301te\u0301,\uff23\uff49\uff54\uff59\r\na@x.com,x,y\r\n".replace(
        "Emai\u0435l", "\u0415mail"), ["Email", "Soci\u00e9t\u00e9", "City"])


@case("C7")
def c7() -> Case:
    return csv_case("C7", "EMAIL,first name\r\na@x.com,Ann\r\n", ["Email", "First Name"])


@case("C8")
def c8() -> Case:
    cols = [f"col{i}" for i in range(1000)]
    return csv_case("C8", ",".join(cols) + "\r\n" + ",".join("v" for _ in cols) + "\r\n", cols)


@case("C9")
def c9() -> Case:
    return csv_case("C9", '"Email\nAddress","First\tName",Last\x0bName\r\na@x.com,Ann,Ray\r\n',
                    ["Email\nAddress", "First\tName", "Last\x0bName"])


@case("C10")
def c10() -> Case:
    return csv_case("C10", "a@x.com,Ann\r\nb@x.com,Bob\r\n", ["Email", "First Name"])


@case("C11")
def c11() -> Case:
    req = request(["Email", "Missing Column"])
    maps = req["files"][0]["fileImportPage"]["columnMappings"]
    maps.append({"columnObjectTypeId": "0-1", "columnName": "Email", "propertyName": "email"})
    return Case("C11", {"data.csv": b"Email,First Name,Extra\r\na@x.com,Ann,e\r\n"}, req)


# D. Cell values ------------------------------------------------------------------------------

@case("D1")
def d1() -> Case:
    return csv_case("D1", "Email,First Name,Notes\r\na@x.com,=1+1,@SUM(A1)\r\nb@x.com,+33 1 23,"
                    "\"=cmd|' /C calc'!A0\"\r\nc@x.com,-5,\"\tTAB\"\r\n"
                    "d@x.com,\"=HYPERLINK(\"\"http://x\"\")\",\"\rCR\"\r\n")


@case("D2")
def d2() -> Case:
    return csv_case("D2", "Email,First Name,Last Name\r\na@x.com,NA,None\r\nb@x.com,null,#N/A\r\nc@x.com,nan,-NaN\r\n")


@case("D3")
def d3() -> Case:
    return csv_case("D3", "Email,Zip\r\na@x.com,02134\r\nb@x.com,00123\r\n")


@case("D4")
def d4() -> Case:
    return csv_case("D4", "Email,Phone\r\na@x.com,1E+10\r\nb@x.com,1.5551E+16\r\n")


@case("D5")
def d5() -> Case:
    return sheet_case("D5", X.xlsx([["Email", "Phone", "Record ID"],
                                    ["a@x.com", 15551234567890123, 123456789012345678]]),
                      columns=["Email", "Phone", "Record ID"])


@case("D6")
def d6() -> Case:
    return csv_case("D6", "Email,Birthday\r\na@x.com,45356\r\nb@x.com,03/04/24\r\nc@x.com,60\r\n")


@case("D7")
def d7() -> Case:
    # companies' annualrevenue is a number property (contacts' is text)
    req = request({"data.csv": ["Company Domain Name", "Annual Revenue"]})
    req["importOperations"] = {"0-2": "UPSERT"}
    for m, prop in zip(req["files"][0]["fileImportPage"]["columnMappings"], ("domain", "annualrevenue"), strict=True):
        m.update(columnObjectTypeId="0-2", propertyName=prop)
    data = 'Company Domain Name,Annual Revenue\r\nx.com,"1,000"\r\ny.com,"3,5"\r\nz.com,$100\r\nw.com,2500\r\n'
    return Case("D7", {"data.csv": data.encode()}, req)


@case("D8")
def d8() -> Case:
    return csv_case("D8", "Email,First Name\r\n a@x.com ,Ann\r\nb@x.com\u00a0,Bob\r\n")


@case("D9")
def d9() -> Case:
    return csv_case("D9", "Email,Notes\r\na@x.com," + "y" * 40_000 + "\r\n")


@case("D10")
def d10() -> Case:
    return csv_case("D10", "Email,First Name\r\na@x.com,Ann\u202egnp.exe\r\nb@x.com,B\u200bob\u2066x\u2069\r\n")


@case("D11")
def d11() -> Case:
    return csv_case("D11", 'Email,First Name\r\na@x.com,"Ann\nMarie"\r\n')


# E. XLSX/XLS container -----------------------------------------------------------------------

@case("E1")
def e1() -> Case:
    return sheet_case("E1", CLEAN.encode())


@case("E2")
def e2() -> Case:
    data = X.xlsx([["Email", "First Name"], ["a@x.com", "Ann"]])
    return sheet_case("E2", data[: len(data) // 2])


@case("E3")
def e3() -> Case:
    from tests.workbooks import make_xls

    data = make_xls({"sheets": [{"name": "Contacts", "rows": [["Email"], ["not-an-email"]]}]})
    return Case("E3", {"data.xls": data, "renamed.xlsx": data},
                request({"data.xls": ["Email"], "renamed.xlsx": ["Email"]}, fmt="SPREADSHEET"))


@case("E4")
def e4() -> Case:
    data = X.ole2({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b"\x10" * 64})
    return sheet_case("E4", data)


@case("E5")
def e5() -> Case:
    book = X.xlsx([["Email"], ["a@x.com"]])
    ods = X.build({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"})
    return Case("E5", {"data.xlsm": book, "data.xltx": book, "data.xlsb": book, "data.ods": ods},
                request({n: ["Email"] for n in ("data.xlsm", "data.xltx", "data.xlsb", "data.ods")},
                        fmt="SPREADSHEET"))


@case("E6")
def e6() -> Case:
    p = X.parts([["Email", "First Name"], ["a@x.com", "Ann"]])
    del p["[Content_Types].xml"]
    return sheet_case("E6", X.build(p))


@case("E7")
def e7() -> Case:
    data = X.bomb_part("xl/sharedStrings.xml", f'<sst xmlns="{X.NS}"><si><t>'.encode(), b"a", 200 << 20,
                       b"</t></si></sst>")
    return sheet_case("E7", data, bounded=True, library=False)


@case("E8")
def e8() -> Case:
    return sheet_case("E8", X.lie_about_sizes(X.xlsx([["Email", "First Name"], ["a@x.com", "Ann"]] * 200)),
                      bounded=True)


@case("E9")
def e9() -> Case:
    return sheet_case("E9", X.overlapping(X.xlsx([["Email", "First Name"]] + [["a@x.com", "A" * 50]] * 2000)),
                      bounded=True, library=False)


@case("E10")
def e10() -> Case:
    return sheet_case("E10", X.many_entries(200_000), bounded=True, library=False)


@case("E11")
def e11() -> Case:
    p = X.parts([["Email", "First Name"], ["a@x.com", "Ann"]])
    p["../../evil.txt"] = "evil"
    p["/abs/evil.txt"] = "evil"
    return sheet_case("E11", X.build(p))


LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                    for i in range(1, 10))
          + "]>")


@case("E12")
def e12() -> Case:
    sheet = X.sheet_xml([["Email"], ["&lol9;"]], prolog=LAUGHS).replace("&amp;lol9;", "&lol9;")
    p = X.parts(sheets={"Contacts": sheet})
    p["xl/sharedStrings.xml"] = LAUGHS.join(X.shared_xml(["&lol9;"]).split("\n", 1)).replace("&amp;", "&")
    return sheet_case("E12", X.build(p), bounded=True, library=False)


@case("E13")
def e13() -> Case:
    prolog = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    sheet = X.sheet_xml([["Email"], ["XXE"]], prolog=prolog).replace(">XXE<", ">&xxe;<")
    return sheet_case("E13", X.build(X.parts(sheets={"Contacts": sheet})), bounded=True)


@case("E14")
def e14() -> Case:
    deep = "<x>" * 200_000 + "</x>" * 200_000
    sheet = X.sheet_xml([["Email"], ["a@x.com"]], extra=deep)
    return sheet_case("E14", X.build(X.parts(sheets={"Contacts": sheet})), bounded=True, library=False)


@case("E15")
def e15() -> Case:
    p = X.parts([["Email"], ["a@x.com"]])
    p["xl/styles.xml"] = (f'<styleSheet xmlns="{X.NS}"><cellXfs count="1000000">' + "<xf/>" * 1_000_000
                          + "</cellXfs></styleSheet>")
    return sheet_case("E15", X.build(p), bounded=True, library=False)


@case("E16")
def e16() -> Case:
    p = X.parts([["Email"], ["a@x.com"]])
    p["xl/worksheets/sheet1.xml"] = (f'<worksheet xmlns="{X.NS}"><sheetData><row r="1">'
                                     '<c r="A1" t="inlineStr"><is><t>\x01')
    return sheet_case("E16", X.build(p))


# F. XLSX content -----------------------------------------------------------------------------

@case("F1")
def f1() -> Case:
    sheet = X.sheet_xml([["Email", "First Name"], ["a@x.com", "Ann"]], dimension="A1:XFD1048576")
    return sheet_case("F1", X.build(X.parts(sheets={"Contacts": sheet})))


@case("F2")
def f2() -> Case:
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row>'
    sheet = X.sheet_xml([["Email", "First Name"], ["a@x.com", "Ann"]]).replace("</sheetData>", far + "</sheetData>")
    return sheet_case("F2", X.build(X.parts(sheets={"Contacts": sheet})), bounded=True, library=False)


@case("F3")
def f3() -> Case:
    far = '<row r="5000000"><c r="A5000000" t="inlineStr"><is><t>far</t></is></c></row>'
    sheet = X.sheet_xml([["Email", "First Name"], ["a@x.com", "Ann"]]).replace("</sheetData>", far + "</sheetData>")
    return sheet_case("F3", X.build(X.parts(sheets={"Contacts": sheet})), bounded=True, library=False)


@case("F4")
def f4() -> Case:
    p = X.parts([["Email"], [("s", 0)]], shared=["a@x.com"])
    p["xl/sharedStrings.xml"] = X.shared_xml(["a@x.com"], unique=4294967295)
    return sheet_case("F4", X.build(p), bounded=True, library=False)


@case("F5")
def f5() -> Case:
    return sheet_case("F5", X.xlsx([["Email"], [("s", 99)]], shared=["a@x.com"]))


@case("F6")
def f6() -> Case:
    p = X.parts(sheets={"Chart": X.sheet_xml([]), "Contacts": X.sheet_xml([["Email"], ["a@x.com"]]),
                        "Hidden": X.sheet_xml([["Email"], ["h@x.com"]])}, states={"Hidden": "hidden"})
    p["xl/_rels/workbook.xml.rels"] = X.workbook_rels(3, {1: "chartsheet"})
    p["xl/chartsheets/sheet1.xml"] = p.pop("xl/worksheets/sheet1.xml")
    return sheet_case("F6", X.build(p))


@case("F7")
def f7() -> Case:
    sheet = X.sheet_xml([["Email", "First Name"], ["a@x.com", "Ann"], [None, None]],
                        extra='<mergeCells count="1"><mergeCell ref="B2:B3"/></mergeCells>')
    return sheet_case("F7", X.build(X.parts(sheets={"Contacts": sheet})))


@case("F8")
def f8() -> Case:
    return sheet_case("F8", X.xlsx([["Email", "First Name"], ["a@x.com", ("f", 'CONCAT("A","nn")', None)]]))


@case("F9")
def f9() -> Case:
    return sheet_case("F9", X.xlsx([["Email", "First Name"], ["a@x.com", ("e", "#N/A")], ["b@x.com", ("e", "#REF!")],
                                    ["c@x.com", ("e", "#DIV/0!")]]))


@case("F10")
def f10() -> Case:
    return sheet_case("F10", X.xlsx([["Email", "Birthday"], ["a@x.com", ("d", 45356)], ["b@x.com", 45356],
                                     ["c@x.com", ("d", 60)]], pr='<workbookPr date1904="1"/>'),
                      columns=["Email", "Birthday"])


@case("F11")
def f11() -> Case:
    return sheet_case("F11", X.xlsx([["Email", "Zip", "Phone"], ["a@x.com", 2134, 15551234567.0]]),
                      columns=["Email", "Zip", "Phone"])


@case("F12")
def f12() -> Case:
    rich = ('<c r="B3" t="inlineStr"><is><r><rPr><b/></rPr><t>Bo</t></r><r><t>b</t></r></is></c>')
    return sheet_case("F12", X.xlsx([["Email", "First Name"], ["a@x.com", "Ann_x000D_Marie"],
                                     ["b@x.com", ("x", rich)]]))


@case("F13")
def f13() -> Case:
    strict = "http://purl.oclc.org/ooxml/spreadsheetml/main"
    p = X.parts([["Email", "First Name"], ["a@x.com", "Ann"]])
    for k in ("xl/workbook.xml", "xl/worksheets/sheet1.xml"):
        p[k] = str(p[k]).replace(X.NS, strict)
    return sheet_case("F13", X.build(p))


@case("F14")
def f14() -> Case:
    return Case("F14", {"empty.xlsx": X.xlsx([]), "header.xlsx": X.xlsx([["Email", "First Name"]])},
                request({"empty.xlsx": ["Email"], "header.xlsx": ["Email", "First Name"]}, fmt="SPREADSHEET"))


@case("F15")
def f15() -> Case:
    styled = "".join(f'<row r="{r}"><c r="A{r}" s="1"/><c r="B{r}" s="1"/></row>' for r in range(3, 2000))
    right = "".join(f'<c r="{c}1" s="1"/>' for c in "CDEFGH")  # a fill on the header row through H
    sheet = X.sheet_xml([["Email", "First Name"], ["a@x.com", "Ann"]]).replace("</sheetData>", styled + "</sheetData>")
    sheet = sheet.replace("</row>", right + "</row>", 1)
    return sheet_case("F15", X.build(X.parts(sheets={"Contacts": sheet})))


@case("F16")
def f16() -> Case:
    return sheet_case("F16", X.xlsx([["Email", "First Name"], ["a@x.com", "z" * 40_000]]))


# G. importRequest JSON -----------------------------------------------------------------------

def request_case(cid: str, raw: bytes | dict[str, Any], data: bytes = CLEAN.encode(), **kw: Any) -> Case:
    return Case(cid, {"data.csv": data}, raw, **kw)


def _text(req: dict[str, Any]) -> str:
    return json.dumps(req, indent=1)


@case("G1")
def g1() -> Case:
    text = _text(request(["Email", "First Name"]))
    return Case("G1", {"data.csv": CLEAN.encode(), "empty.import.json": b"", "notjson.import.json": b"files: []"},
                text[: len(text) // 2].encode(),
                args=["import.json", "empty.import.json", "notjson.import.json"])


@case("G2")
def g2() -> Case:
    return request_case("G2", b"\xef\xbb\xbf" + _text(request(["Email", "First Name"])).encode())


@case("G3")
def g3() -> Case:
    return Case("G3", {"data.csv": CLEAN.encode(), "deep.import.json": b'{"files": ' + b"{\"a\":" * 5000
                       + b"1" + b"}" * 5001},
                b"[" * 100_000 + b"]" * 100_000, args=["import.json", "deep.import.json"], bounded=True)


@case("G4")
def g4() -> Case:
    text = _text(request(["Email", "First Name"])).replace('"hasHeader": true', '"hasHeader": ' + "9" * 5000)
    return request_case("G4", text.encode())


@case("G5")
def g5() -> Case:
    text = _text(request(["Email", "First Name"]))
    return Case("G5", {"data.csv": CLEAN.encode(),
                       "nan.import.json": text.replace('"hasHeader": true', '"hasHeader": NaN').encode(),
                       "inf.import.json": text.replace('"hasHeader": true', '"hasHeader": Infinity').encode()},
                text.replace('"hasHeader": true', '"hasHeader": 1e999999').encode(),
                args=["import.json", "nan.import.json", "inf.import.json"])


@case("G6")
def g6() -> Case:
    text = _text(request(["Email", "First Name"])).replace('"fileName": "data.csv"',
                                                          '"fileName": "data.csv", "fileName": "other.csv"')
    text = text.replace('"0-1": "UPSERT"', '"0-1": "UPSERT", "0-1": "CREATE"')
    return request_case("G6", text.encode())


@case("G7")
def g7() -> Case:
    req = request(["Email", "First Name"])
    req["files"][0]["fileImportPage"]["hasHeader"] = "true"
    req["files"].append({"fileName": "b.csv", "fileFormat": "CSV", "fileImportPage": {"hasHeader": True,
                         "columnMappings": {"columnName": "Email"}}})
    return Case("G7", {"data.csv": CLEAN.encode(), "b.csv": CLEAN.encode(), "null.import.json": b'{"files": null}'},
                req, args=["import.json", "null.import.json"])


@case("G8")
def g8() -> Case:
    req = request(["Email", "First Name"])
    page = req["files"][0]["fileImportPage"]
    page["colunmMappings"] = page["columnMappings"]
    req["nmae"] = "x"
    return request_case("G8", req)


@case("G9")
def g9() -> Case:
    req = request(["Email", "First Name"], dateFormat="DD/MM/YYYY")
    req["files"][0]["fileFormat"] = "XLSX"
    req["files"][0]["fileImportPage"]["columnMappings"][0]["columnType"] = "PRIMARY_KEY"
    req["importOperations"] = {"0-1": "MERGE"}
    return request_case("G9", req)


@case("G10")
def g10() -> Case:
    text = _text(request(["Email", "First Name"])).replace('"name": "hostile"', '"name": "x\\ud800y"')
    text = text.replace('"columnName": "Email"', '"columnName": "Em\\udc80ail"')
    return request_case("G10", text.encode())


@case("G11")
def g11() -> Case:
    req = request(["Email", "First Name"])
    req["name"] = "x" * (11 << 20)
    return request_case("G11", json.dumps(req).encode(), bounded=True)


@case("G12")
def g12() -> Case:
    req = request({"data.csv": ["Email", "Nope"], "absent.csv": ["Email"]})
    req["files"][0]["fileImportPage"]["columnMappings"].append(
        {"columnObjectTypeId": "0-2", "columnName": "First Name", "propertyName": "name",
         "toColumnObjectTypeId": "0-2"})
    return request_case("G12", req)


@case("G13")
def g13() -> Case:
    req = request(["Email", "First Name"])
    req["files"][0]["fileName"] = "a.csv\u0000.txt"
    req["files"][0]["fileImportPage"]["columnMappings"][1]["columnName"] = "First\u001bName"
    return request_case("G13", req)


# H. Paths and filesystem ---------------------------------------------------------------------

SECRET = b"SECRETHEADER,Other\r\nsecret@x.com,s\r\n"


def _outside(_case: Path, outside: Path) -> None:
    (outside / "secret.csv").write_bytes(SECRET)


@case("H1")
def h1() -> Case:
    names = ["../outside/secret.csv", "/etc/hosts.csv", "C:\\Users\\x\\secret.csv", "\\\\server\\share\\secret.csv",
             "..\\..\\secret.csv"]
    return Case("H1", {}, request({n: ["Email"] for n in names}), setup=_outside)


@case("H2")
def h2() -> Case:
    def setup(folder: Path, outside: Path) -> None:
        _outside(folder, outside)
        os.symlink(outside / "secret.csv", folder / "data.csv")
        os.symlink("/dev/zero", folder / "zero.csv")
        os.symlink("/dev/urandom", folder / "random.csv")
        os.symlink(folder / "nowhere.csv", folder / "broken.csv")
    return Case("H2", {}, request({n: ["Email"] for n in ("data.csv", "zero.csv", "random.csv", "broken.csv")}),
                setup=setup, bounded=True, library=False)


@case("H3")
def h3() -> Case:
    def setup(folder: Path, _outside: Path) -> None:
        os.mkfifo(folder / "fifo.csv")
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(folder / "sock.csv"))
        sock.close()
    return Case("H3", {}, request({"fifo.csv": ["Email"], "sock.csv": ["Email"]}), setup=setup, bounded=True,
                library=False)


@case("H4")
def h4() -> Case:
    return Case("H4", {}, request(["Email"]), setup=lambda folder, _o: (folder / "data.csv").mkdir(), bounded=True)


@case("H5")
def h5() -> Case:
    def setup(folder: Path, _outside: Path) -> None:
        (folder / "locked.csv").write_bytes(CLEAN.encode())
        os.chmod(folder / "locked.csv", 0)
    return Case("H5", {}, request({"missing.csv": ["Email"], "locked.csv": ["Email", "First Name"]}), setup=setup)


@case("H6")
def h6() -> Case:
    return Case("H6", {"data.csv": CLEAN.encode()}, request({"data.csv\u0000.csv": ["Email"]}),
                args=["import.json", "--file", "x.csv=data.csv"])


@case("H7")
def h7() -> Case:
    return Case("H7", {"data.csv": CLEAN.encode()}, request({"n" * 300 + ".csv": ["Email"]}),
                args=["import.json", "--file", "y.csv=" + "m" * 5000 + ".csv"])


@case("H8")
def h8() -> Case:
    name = b"caf\xe9\x1b[2J.csv"

    def setup(folder: Path, _outside: Path) -> None:
        (folder / os.fsdecode(name)).write_bytes(b"Email\r\na@x.com,extra\r\n")
    return Case("H8", {}, request(["Email"]), setup=setup, args=[b"--request", b"import.json", b"--file",
                b"data.csv=" + name])


@case("H9")
def h9() -> Case:
    return Case("H9", {"-rf.csv": CLEAN.encode(), "-rf.import.json": json.dumps(request({"-rf.csv": ["Email",
                "First Name"]})).encode()}, None, args=["--", "-rf.csv"])


@case("H10")
def h10() -> Case:
    def grow(folder: Path, stop: threading.Event) -> None:
        # an export still being written: a row every 2 ms until the check is over (at most 30 s)
        with open(folder / "data.csv", "ab") as fh:
            for i in range(15_000):
                fh.write(f"g{i}@x.com,Grow\r\n".encode())
                fh.flush()
                if stop.wait(0.002):
                    break
    return csv_case("H10", "Email,First Name\r\n" + "".join(f"{i}@x.com,A\r\n" for i in range(100_000)),
                    mutates=True, during=grow, library=False)


@case("H11")
def h11() -> Case:
    return Case("H11", {"data.csv.gz": gzip.compress(CLEAN.encode(), mtime=0),
                        "data.zip": X.build({"data.csv": CLEAN})},
                request({"data.csv.gz": ["Email", "First Name"], "data.zip": ["Email", "First Name"]}))


@case("H12")
def h12() -> Case:
    return Case("H12", {"Rene\u0301e.csv": CLEAN.encode(), "DATA.CSV": CLEAN.encode()},
                request({"Ren\u00e9e.csv": ["Email", "First Name"], "data.csv": ["Email", "First Name"]}))


# I. Resource limits --------------------------------------------------------------------------

@case("I1")
def i1() -> Case:
    def setup(folder: Path, _outside: Path) -> None:
        with open(folder / "data.csv", "wb") as fh:
            fh.write(CLEAN.encode())
            fh.truncate(513 << 20)  # sparse: 513 MB on paper, a few KB on disk
    return Case("I1", {}, request(["Email", "First Name"]), setup=setup, bounded=True, library=False)


@case("I2")
def i2() -> Case:
    return csv_case("I2", "Email\n" + "a\n" * 1_048_577, ["Email"], timeout=60, library=False)


@case("I3")
def i3() -> Case:
    cols = [f"c{i}" for i in range(1200)]
    return csv_case("I3", ",".join(cols) + "\r\n" + ",".join("v" for _ in cols) + "\r\n", cols)


@case("I4")
def i4() -> Case:
    data = X.bomb_part("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{X.NS}"><sheetData>'.encode(),
                       b'<row><c t="inlineStr"><is><t>x</t></is></c></row>', 300 << 20, b"</sheetData></worksheet>")
    return sheet_case("I4", data, bounded=True, library=False)


@case("I5")
def i5() -> Case:
    return csv_case("I5", "Email,First Name\r\n" + "".join(f"{i}@x.com,A\r\n" for i in range(200_000)),
                    timeout=60, library=False)


@case("I6")
def i6() -> Case:
    return csv_case("I6", "Email,First Name,Notes\r\n" + "".join(f"{i}@x.com,A,{'n' * 80}\r\n" for i in range(60_000)),
                    timeout=60, library=False)


@case("I7")
def i7() -> Case:
    return csv_case("I7", "Email,First Name\r\n" + "a@x.com\r\n" * 5000)


# J. Runtime, environment, output -------------------------------------------------------------

@case("J1")
def j1() -> Case:
    return csv_case("J1", "Email,First Name\r\nren\u00e9e@x.com,Ren\u00e9e \u2603,x\r\n",
                    env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C"})


@case("J2")
def j2() -> Case:
    return csv_case("J2", "Email,First Name\r\n" + "a@x.com\r\n" * 3000, close_stdout=True, library=False)


@case("J3")
def j3() -> Case:
    return csv_case("J3", "Email,First Name\r\n" + "".join(f"{i}@x.com\r\n" for i in range(400_000)),
                    interrupt_after=1.0, timeout=60, library=False)


@case("J4")
def j4() -> Case:
    def setup(folder: Path, _outside: Path) -> None:
        (folder / "e\x1b]52;c;SGVsbG8=\x07.csv").write_bytes(
            b"Email,First Name\r\na@x.com,\x1b[2J\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\,extra\r\n")
    return Case("J4", {}, request({"e\x1b]52;c;SGVsbG8=\x07.csv": ["Email", "First\x1b[31mName"]}), setup=setup)


@case("J5")
def j5() -> Case:
    # the CSV report lists failing rows as written: a ragged row (its fields as read) and a row
    # with a formula; neither may reach the report as a live formula
    data = 'Email,First Name\r\na@x.com,"=HYPERLINK(""http://x"",""<b>hi</b>"")",extra\r\nb@x.com,@SUM(A1)\r\n'
    c = csv_case("J5", data, ["Email", "First Name"])
    c.args = ["--format", "csv", "import.json"]
    return c


@case("J6")
def j6() -> Case:
    return csv_case("J6", 'Email,Annual Revenue\r\na@x.com,"1,5"\r\nb@x.com,1.5\r\n',
                    env={"LC_ALL": "de_DE.UTF-8", "LANG": "tr_TR.UTF-8"})


@case("J7")
def j7() -> Case:
    return sheet_case("J7", X.xlsx([["Email", "First Name"], ["a@x.com", None], ["b@x.com", ("d", 45356)]]))


# K. Library-mode hygiene (the in-process checks are in tests/test_hygiene.py) ----------------

@case("K1")
def k1() -> Case:
    return csv_case("K1", "Email,Notes\r\na@x.com," + "x" * 200_000 + "\r\n")


@case("K2")
def k2() -> Case:
    return csv_case("K2", "Email,First Name\r\na@x.com,Ann,EXTRA\r\n\xe9\r\n".encode("latin-1"))


@case("K3")
def k3() -> Case:
    return csv_case("K3", "Email,First Name\r\n" + "".join(f"{i}@x.com,A\r\n" for i in range(20_000)))


@case("K4")
def k4() -> Case:
    return Case("K4", {"a.csv": CLEAN.encode(), "b.csv": b"", "c.csv": b"\xff\xfe\x00", "d.xlsx": X.xlsx([["Email"]])},
                request({"a.csv": ["Email", "First Name"], "b.csv": ["Email"], "c.csv": ["Email"],
                         "d.xlsx": ["Email"]}))


@case("K5")
def k5() -> Case:
    return request_case("K5", b'{"files": [{"fileName": 5, "fileImportPage": []}], "importOperations": 7}')


@functools.cache
def build_case(cid: str) -> Case:
    return REGISTRY[cid]()


def materialise(c: Case, folder: Path, outside: Path) -> list[str | bytes]:
    """Write a case into ``folder`` (and its ``outside`` sibling); return the CLI arguments."""
    folder.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    for name, data in c.files.items():
        (folder / name).write_bytes(data)
    if c.request is not None:
        raw = c.request if isinstance(c.request, bytes) else json.dumps(c.request, indent=1).encode()
        (folder / c.request_name).write_bytes(raw)
    if c.setup is not None:
        c.setup(folder, outside)
    return list(c.args) if c.args is not None else [c.request_name]
