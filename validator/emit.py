"""``check --emit-request``: exactly what would be POSTed to ``/crm/v3/imports``, sent nowhere.

HubSpot's import endpoint takes ``multipart/form-data`` with one ``importRequest`` text part (the
JSON as a string) and one ``files`` part per file, whose filename must equal ``fileName``
(fact sheet 1.1, 1.3). The multipart ``Content-Type`` header, with its boundary, is written by
the HTTP library; setting a second ``Content-Type`` yourself breaks the request, the mistake
HubSpot's docs warn about.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from validator.request import parse_request
from validator.sources import FileArg, base_name, locate, read_request_bytes

ENDPOINT = "https://api.hubapi.com/crm/v3/imports"
CONTENT_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
}


def plan(request: Path, files: dict[str, FileArg] | None = None) -> dict[str, Any]:
    """The multipart request as data: method, url, headers, parts (file sizes, not contents)."""
    raw = read_request_bytes(request)
    spec = parse_request(raw, request.name)
    text = raw.decode("utf-8-sig", errors="replace")
    lookups = locate(spec, request.parent, files or {})
    parts: list[dict[str, Any]] = [{
        "name": "importRequest", "content_disposition": 'form-data; name="importRequest"',
        "content_type": None, "body": text.strip(), "source": str(request),
    }]
    for name, lookup in lookups.items():
        short = base_name(name)
        size = None
        if lookup.path is not None and lookup.problem is None:
            size = os.stat(lookup.path).st_size
        parts.append({
            "name": "files", "filename": short,
            "content_disposition": f'form-data; name="files"; filename="{_header_quoted(short)}"',
            "content_type": CONTENT_TYPES.get(Path(short).suffix.lower(), "application/octet-stream"),
            "source": str(lookup.path) if lookup.path is not None else None,
            "bytes": size, "problem": lookup.detail or None,
        })
    return {
        "method": "POST", "url": ENDPOINT,
        "headers": {"Authorization": "Bearer <your token>",
                    "Content-Type": "multipart/form-data; boundary=<chosen by the HTTP library>"},
        "parts": parts,
    }


def _header_quoted(name: str) -> str:
    """A file name in a multipart header's quotes as HTTP clients write it (HTML's form encoding:
    curl since 7.81, requests and urllib3, browsers): ``"``, CR and LF as %22, %0D, %0A."""
    return name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _shown(text: str) -> str:
    """Text of the request as printed: control, bidi and invisible characters as ``\\uXXXX``
    escapes (within a JSON string, the same string), but for the line breaks and tabs of its
    layout; nothing reaches a terminal raw."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_INVISIBLE = "\x7f-\x9f\u00ad\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ud800-\udfff\ufeff"
_UNSAFE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_INVISIBLE}]|\r(?!\n)")  # (a layout's TAB, LF and CRLF stay)
_SHELL_UNSAFE = re.compile(f"[\x00-\x1f{_INVISIBLE}]")


def render_plan(p: dict[str, Any]) -> str:
    from validator.report.text import printable

    out = [f"{p['method']} {p['url']}"]
    out += [f"{k}: {v}" for k, v in p["headers"].items()]
    out.append("# The HTTP library writes the Content-Type header above; set no Content-Type of your own.")
    for i, part in enumerate(p["parts"], 1):
        out += ["", f"--- part {i} of {len(p['parts'])}",
                f"Content-Disposition: {printable(part['content_disposition'])}"]
        if part["content_type"]:
            out.append(f"Content-Type: {part['content_type']}")
        out.append("")
        if part["name"] == "importRequest":
            out.append(_shown(part["body"]))
        elif part["problem"]:
            out.append(f"<not sent: {printable(part['problem'])}>")
        else:
            out.append(f"<{part['bytes']:,} bytes from {printable(part['source'])}>")
    out += ["", "# the same with curl:", _curl(p)]
    return "\n".join(out) + "\n"


def _curl(p: dict[str, Any]) -> str:
    args = [f"curl -X POST {p['url']}", '-H "Authorization: Bearer $HUBSPOT_TOKEN"']
    first = p["parts"][0]
    body = first["body"]
    args.append("--form-string " + _shell("importRequest=" + json.dumps(json.loads(body), separators=(",", ":")))
                if _is_json(body)  # --form-string: no ; or @ parsing
                else "-F " + _shell(f"importRequest=<{_curl_quoted(first.get('source') or 'request.json')}"))
    for part in p["parts"][1:]:
        # the part's filename is the fileName, whatever the file on disk is called; the path in
        # curl's own quotes (a comma or a ';' in it would end it)
        path = _curl_quoted(part["source"] or part["filename"])
        args.append("-F " + _shell(f"files=@{path};filename={_curl_quoted(part['filename'])};"
                                   f"type={part['content_type']}"))
    return " \\\n  ".join(args)


def _curl_quoted(text: str) -> str:
    """A value in curl's -F syntax: in double quotes, backslash and quote escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _shell(text: str) -> str:
    """``text`` as one shell word: in single quotes; with a control, bidi or invisible character,
    in ``$'...'``, that character as its escape (bash, zsh), so the line pastes and prints safely."""
    if not _SHELL_UNSAFE.search(text):
        return "'" + text.replace("'", "'\"'\"'") + "'"
    return "$'" + _SHELL_UNSAFE.sub(_shell_escape, text.replace("\\", "\\\\").replace("'", "\\'")) + "'"


def _shell_escape(m: re.Match[str]) -> str:
    c = m.group()
    return {"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(c) or f"\\u{ord(c):04x}"
