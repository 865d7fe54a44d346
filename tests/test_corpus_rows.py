"""Broken files from other projects' test suites: each structural problem reported at its row.

The outside corpus (README, "Hostile inputs") is kept out of the repository; these are the few
files whose defects the projects themselves document, so the exact row can be asserted:

- csv-spectrum (github.com/max-mapper/csv-spectrum, by max ogden; BSD-2-Clause according to
  its package.json): files copied as published (line endings restored from the file sizes).
- csvlint.rb (github.com/Data-Liberation-Front/csvlint.rb, MIT licence, copyright (c) 2014 The
  Open Data Institute): features/fixtures, copied as published.
- Clever/csvlint (github.com/Clever/csvlint, test_data/): no licence file in the repository,
  so equivalent files are written here with the same defect at the same record.

Each runs through both CSV readers, in chunks of 2 rows and in one chunk.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from validator import Config, validate


def findings(data: bytes, columns: list[str], reader: str, chunk_rows: int) -> list[tuple]:
    mappings = [{"columnObjectTypeId": "0-1", "columnName": c, "propertyName": f"p{i}"}
                for i, c in enumerate(columns)]
    request = {"name": "t", "files": [{"fileName": "data.csv", "fileFormat": "CSV",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}
    report = validate(request, files={"data.csv": io.BytesIO(data)}, base_dir="/nonexistent",
                      config=Config(reader=reader, chunk_rows=chunk_rows, select=("HS1", "HS406", "HS407", "HS408")))
    assert not report.refusals
    return [(f.code, f.row, f.line, f.column) for f in report.findings]


CASES = {
    # Clever/csvlint one_long_column.csv, mult_long_columns.csv: a 4th field in records 2 and 4
    "clever-long-columns": (b"id,name,city\n1,Ann,Oslo\n2,Bob,Rome,extra\n3,Cy,Kyiv\n4,Di,Lima,x\n5,Ed,Bonn\n",
                            ["id", "name", "city"],
                            [("HS110", 3, 3, 4), ("HS110", 5, 5, 4)]),
    # ... and the same with tabs: one HS408 for the file, the long rows still found
    "clever-long-columns-tabs": (b"id\tname\tcity\n1\tAnn\tOslo\n2\tBob\tRome\textra\n3\tCy\tKyiv\n",
                                 ["id", "name", "city"],
                                 [("HS408", 1, 1, None), ("HS110", 3, 3, 4)]),
    # csvlint.rb invalid_many_rows.csv: a stray quote after a closed field in row 4, blank rows 8 and 11
    "csvlint-invalid-many-rows": (
        b'"Foo","Bar","Baz"\n"1","2","3"\n"3","2","1"\n"1","2","3" "\n"3","two","1"\n"1","2","3"\n'
        b'"3","2","1"\n\n"3","2","1"\n"3","2","1"\n"","",""\n"3","2","1"',
        ["Foo", "Bar", "Baz"],
        [("HS112", 4, 4, 3), ("HS113", 8, 8, None), ("HS113", 11, 11, None)]),
    # csvlint.rb title-row.csv: a title line above the header; mapping only its first cell
    # used to make the reader pick ';' (absent from the line) as the delimiter
    "csvlint-title-row": (
        b'"This is a title row",,\n"Foo","Bsr","Baz"\n"Biff","Baff","Boff"\n"Qux","Teaspoon","Doge"',
        ["This is a title row"], [("HS101", 1, 1, 2), ("HS105", 1, 1, 2), ("HS105", 1, 1, 3)]),
    # csvlint.rb inconsistent-line-endings.csv: CR then LF (a file-level finding, no row)
    "csvlint-inconsistent-line-endings": (b'"Foo","Bsr","Baz"\r"Biff","Baff","Boff"\n', ["Foo", "Bsr", "Baz"],
                                          [("HS406", None, None, None)]),
    # csv-spectrum newlines_cr.csv: classic Mac line endings, one of them inside a quoted field
    "spectrum-newlines-cr": (b'a,b,c\r1,2,3\r"Once upon \ra time",5,6\r7,8,9\r', ["a", "b", "c"],
                             [("HS407", None, None, None)]),
    # csv-spectrum quotes_and_newlines.csv / escaped_quotes.csv: valid, nothing structural
    "spectrum-quotes-and-newlines": (b'a,b\n1,"ha \n""ha"" \nha"\n3,4\n', ["a", "b"], []),
    "spectrum-escaped-quotes": (b'a,b\n1,"ha ""ha"" ha"\n3,4\n', ["a", "b"], []),
}


@pytest.mark.parametrize("reader", ["exact", "fast"])
@pytest.mark.parametrize("chunk_rows", [2, 50_000])
@pytest.mark.parametrize("name", sorted(CASES))
def test_structural_problem_is_reported_at_its_row(name: str, reader: str, chunk_rows: int) -> None:
    data, columns, expected = CASES[name]
    assert findings(data, columns, reader, chunk_rows) == expected


def test_one_mapping_does_not_make_an_absent_delimiter_fit() -> None:
    # found by the outside corpus (csvlint.rb title-row.csv): with one mapping, a delimiter
    # absent from the header line "fitted" (0 + 1 == 1 field), so a comma file was read with ';'
    # and a semicolon file with ','; every row was mis-read
    data = b"Email,First Name,Last Name\r\na@x.com,Ann,Lee\r\n"
    semi = data.replace(b",", b";")
    for reader in ("exact", "fast"):
        # the two unmapped columns are HS101; no HS408, no HS103 (Email is found)
        assert findings(data, ["Email"], reader, 50_000) == [("HS101", 1, 1, 2)]
        # and a semicolon header with one mapping is read with ';' (it was read with ',')
        assert findings(semi, ["Email"], reader, 50_000) == [("HS408", 1, 1, None), ("HS101", 1, 1, 2)]
        assert findings(semi, ["Email", "First Name", "Last Name"], reader, 50_000) == [("HS408", 1, 1, None)]


def test_corpus_row_check_agrees_with_the_strict_reader_and_catches_a_wrong_row(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import validator
    from tests.hostile.corpus import row_problems

    path = tmp_path / "ragged.csv"
    path.write_bytes(b'a,b,c\n1,2,3\n4,5\n\n\n"x\ny",8,9\n7,8,9,10\n')
    assert row_problems(path) == ("checked", [])
    real = validator.validate

    def drop_one(*a: Any, **k: Any) -> Any:  # a validator that loses the last ragged row
        report = real(*a, **k)
        report.findings = [f for f in report.findings if (f.code, f.row) != ("HS110", 7)]
        return report

    monkeypatch.setattr(validator, "validate", drop_one)
    assert row_problems(path) == ("checked", ["HS110 rows [3], expected [3, 7]"])


def test_corpus_reader_check_sees_the_same_report_and_catches_a_different_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import validator
    from tests.hostile.corpus import readers_differ

    path = tmp_path / "mixed.csv"
    path.write_bytes('a,b,c\n1,"x\ny",Ren\xe9e\n4,5\n"A"b,8,9\n'.encode("cp1252"))
    assert readers_differ(path) is False
    real = validator.validate

    def fast_drops_one(*a: Any, **k: Any) -> Any:  # a fast reader that loses a finding
        report = real(*a, **k)
        if k["config"].reader == "fast":
            report.findings = report.findings[1:]
        return report

    monkeypatch.setattr(validator, "validate", fast_drops_one)
    assert readers_differ(path) is True


def test_workbook_zipped_by_macos_finder_is_read_not_refused() -> None:
    # found by the outside corpus (xlsx2csv's test_escape.xlsx): Finder's "Compress" adds
    # AppleDouble entries (__MACOSX/xl/._sharedStrings.xml, binary) that no reader opens; they
    # used to refuse the workbook as "part ... is not UTF-8 XML"
    from tests.hostile import xlsx as X

    apple_double = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02\x00\x00\x00\x09" + bytes(40)
    parts = X.parts([["Email", "First Name"], ["a@x.com", "Ann"], ["b@x.com", "Bob", "extra"]])
    parts["__MACOSX/xl/._sharedStrings.xml"] = apple_double
    parts["__MACOSX/xl/worksheets/._sheet1.xml"] = apple_double
    mappings = [{"columnObjectTypeId": "0-1", "columnName": c, "propertyName": p}
                for c, p in (("Email", "email"), ("First Name", "firstname"))]
    request = {"name": "t", "files": [{"fileName": "data.xlsx", "fileFormat": "SPREADSHEET",
                                       "fileImportPage": {"hasHeader": True, "columnMappings": mappings}}]}
    report = validate(request, files={"data.xlsx": io.BytesIO(X.build(parts))}, base_dir="/nonexistent",
                      config=Config(select=("HS1",)))
    assert report.refusals == []
    assert [(f.code, f.row, f.column) for f in report.findings] == [("HS110", 3, 3)]
