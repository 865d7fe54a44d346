"""``--format junit``: JUnit XML as ruff writes it, for CI test-report viewers.

One ``<testsuite>`` per file (the request first); one ``<testcase name="hubspot-preflight.HS110"
classname="data/contacts" file="data/contacts.csv">`` with a ``<failure>`` per finding: as ruff
writes them, the classname is the file's path without its extension (the path as the report
gives it: as the command line or ``validate()`` named it; the fileName where it has none), and
``file`` the path; a single passing case for a clean file; a refused file is an ``<error>``.
Findings over ``--max-per-rule``, counted but not listed, are one failing case per rule saying
how many: in their file's suite where the report tells the file (``common.unlisted``), else in
a last suite, "findings not listed". Text from the input is made XML-safe (control characters
and undecodable bytes, which XML 1.0 cannot hold, become ``\\uXXXX`` text); NEL and the other C1
controls, U+2028, U+2029, bidi and invisible characters, which it can, are written as character
references (``&#x2028;``), which an XML reader decodes to the same text, as the JSON formats
escape them; so is the ``[`` of an Azure logging command's ``##vso[`` (``&#x5b;``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from validator.findings import Finding, Report, Severity
from validator.report.common import TOOL, file_names, rule_name, severity, unlisted
from validator.report.json_format import UNSAFE
from validator.report.text import location

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

NOT_LISTED = "findings not listed"  # the suite of unlisted findings whose file the report does not tell

_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str | None) -> str:
    if not text:
        return ""
    return _XML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _classname(path: str) -> str:
    """``path`` ('/'-separated) without the extension of its last part: ``data/contacts``."""
    path = path.replace("\\", "/")
    stem = path.rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1].lstrip(".") else path
    return xml_safe(stem)


def _path(name: str, findings: list[Finding], report: Report) -> str:
    """The path of the file the report names ``name``, as the report gives it (its findings'
    ``path``, else the report's ``paths``), or ``name`` where it has none (a file given as bytes)."""
    return next((f.path for f in findings if f.path), None) or report.paths.get(name) or name


def _where(f: Finding) -> str:
    if f.row is not None:
        parts = [f"row {f.row}"]
        if f.line is not None and f.end_line is not None and f.end_line > f.line:
            parts.append(f"lines {f.line}-{f.end_line}")
        elif f.line is not None and f.line != f.row:
            parts.append(f"line {f.line}")
        if f.column is not None:
            parts.append(f"col {f.column}")
        return ", ".join(parts)
    return location(f)


def _unlisted_cases(suite: ET.Element, code: str, n: int, report: Report, *, classname: str, file: str | None,
                    more: bool, name: str | None) -> int:
    """A failing case per severity of the ``n`` findings of ``code`` counted but not listed
    (``--max-per-rule``) in the file ``name`` (None: not known), as that file's import gave them
    (``Report.unlisted_split``); how many cases."""
    split = report.unlisted_split(code, name, n)
    for level, k in split.items():
        _unlisted_case(suite, code, k, level, report, classname=classname, file=file, more=more)
    return len(split)


def _unlisted_case(suite: ET.Element, code: str, n: int, level: Severity, report: Report, *, classname: str,
                   file: str | None, more: bool) -> None:
    import xml.etree.ElementTree as ET

    sev = level.label
    rule = rule_name(code, report.findings)
    case = ET.SubElement(suite, "testcase", name=f"{TOOL}.{code}", classname=classname)
    if file:
        case.set("file", xml_safe(file))
    counted = f"{n:,} {'more ' if more else ''}finding(s) not listed"
    failure = ET.SubElement(case, "failure", type=sev,
                            message=f"{code} {rule}: {counted} (raise --max-per-rule to see them)")
    failure.text = f"{code} {rule} ({sev}): {counted}; raise --max-per-rule to see them"


def render_junit(report: Report) -> str:
    import xml.etree.ElementTree as ET  # only when this format is asked for (start-up time)

    grouped = report.by_file()
    refused = {r.file: r for r in report.refusals}
    hidden = unlisted(report)
    listed = {f.code for f in report.findings}
    unplaced = sum(n for (code, file), n in hidden.items() if file is None and code not in listed)
    root = ET.Element("testsuites", name=TOOL)
    total = failures = errors = skips = 0
    for name in file_names(report):
        findings = grouped.get(name, [])
        path = _path(name, findings, report)
        classname = _classname(path)
        suite = ET.SubElement(root, "testsuite", name=xml_safe(name))
        cases = failed = 0
        for f in findings:
            case = ET.SubElement(suite, "testcase", name=f"{TOOL}.{f.code}", classname=classname,
                                 file=xml_safe(f.path or path))
            if f.line is not None:
                case.set("line", str(f.line))
            failure = ET.SubElement(case, "failure", type=severity(f).label,
                                    message=xml_safe(f"{_where(f)}: {f.code} {f.message}"))
            detail = [f"{f.code} {f.rule} ({severity(f).label}) at {_where(f)}"]
            if f.column_name:
                detail.append(f"column: {f.column_name}")
            if f.value is not None:
                detail.append(f"value: {f.value}")
            if f.hubspot_error:
                detail.append(f"HubSpot errorType: {f.hubspot_error}")
            if f.hint:
                detail.append(f"hint: {f.hint}")
            failure.text = xml_safe("\n".join(detail))
            cases += 1
            failed += 1
        for (code, file), n in hidden.items():
            if file == name:
                added = _unlisted_cases(suite, code, n, report, classname=classname,
                                        more=any(f.code == code for f in findings), file=path, name=name)
                cases += added
                failed += added
        if name in refused:
            case = ET.SubElement(suite, "testcase", name=f"{TOOL}.read", classname=classname)
            ET.SubElement(case, "error", type="refused", message=xml_safe(refused[name].reason))
            errors += 1
            cases += 1
        skipped = 0
        if not cases:
            case = ET.SubElement(suite, "testcase", name=TOOL, classname=classname)
            if unplaced:  # not known to be clean: unlisted findings may be this file's
                ET.SubElement(case, "skipped", message=f"not known to be clean: {unplaced:,} finding(s) of the "
                              "run are not listed and the report does not tell their file (--max-per-rule)")
                skipped = 1
            cases = 1
        suite.set("tests", str(cases))
        suite.set("failures", str(failed))
        suite.set("errors", "1" if name in refused else "0")
        suite.set("skipped", str(skipped))
        total += cases
        failures += failed
        skips += skipped
    elsewhere = [(code, n) for (code, file), n in hidden.items() if file is None]
    if elsewhere:  # the report does not tell in which file (--max-per-rule 0, or several files)
        suite = ET.SubElement(root, "testsuite", name=NOT_LISTED)
        added = sum(_unlisted_cases(suite, code, n, report, classname=TOOL, file=None, more=code in listed, name=None)
                    for code, n in elsewhere)
        for key, value in (("tests", added), ("failures", added), ("errors", 0), ("skipped", 0)):
            suite.set(key, str(value))
        total += added
        failures += added
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    root.set("skipped", str(skips))
    root.set("time", f"{report.seconds:.3f}")
    ET.indent(root)
    # (these characters, and an Azure logging command's ``##vso[``, which its agent runs wherever it
    # stands in a line, come only from the input's text, in attribute values and text, where a
    # character reference stands for the character itself)
    body = UNSAFE.sub(lambda m: f"&#x{ord(m.group()):04x};", ET.tostring(root, encoding="unicode"))
    body = body.replace("##vso[", "##vso&#x5b;")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
