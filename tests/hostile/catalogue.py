"""The hostile-input catalogue: ids, required behaviour and expectations, and which lack a fixture.

``tests/hostile/catalogue.toml`` holds one ``[[class]]`` per id of the reference catalogue
(``shared/reference/hostile-inputs.md``, section 3), so CI needs nothing outside the repository.
Each entry has ``expect`` (asserted now) and may have ``pending`` (the behaviour that lands with
another issue; the tests report it as an expected failure naming that issue).

    python -m tests.hostile.catalogue              # ids without a fixture (exit 1 if any)
    python -m tests.hostile.catalogue --md PATH    # also compare the ids with the reference
    python -m tests.hostile.catalogue --table      # id, fixture, pending issue
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "catalogue.toml"

def _reference() -> Path:
    """The reference catalogue: $HOSTILE_INPUTS_MD, or shared/ beside the checkout (or its parent)."""
    if os.environ.get("HOSTILE_INPUTS_MD"):
        return Path(os.environ["HOSTILE_INPUTS_MD"])
    for up in HERE.parents[1:4]:
        candidate = up / "shared" / "reference" / "hostile-inputs.md"
        if candidate.exists():
            return candidate
    return HERE.parents[2] / "shared" / "reference" / "hostile-inputs.md"


REFERENCE = _reference()
_ROW = re.compile(r"^\|\s*([A-K]\d+)\s*\|(.*)\|\s*$")
_FAMILY = re.compile(r"^###\s+([A-K])\.\s+(.*)$")


def load(path: Path = CATALOGUE) -> list[dict[str, Any]]:
    with open(path, "rb") as fh:
        return list(tomllib.load(fh)["class"])


def parse_markdown(text: str) -> list[dict[str, str]]:
    """(id, family, title, required) of every row of the section-3 tables."""
    out: list[dict[str, str]] = []
    family, columns = "", []
    for line in text.splitlines():
        if m := _FAMILY.match(line):
            family, columns = m.group(1), []
            continue
        if family and line.startswith("| ID"):
            columns = [c.strip() for c in line.strip().strip("|").split("|")]
            continue
        m = _ROW.match(line)
        if m and family and columns and m.group(1)[0] == family:
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
            row = dict(zip(columns, cells, strict=False))
            out.append({"id": m.group(1), "family": family, "title": _plain(cells[1]),
                        "required": _plain(row.get("Required", ""))})
    return out


def _plain(cell: str) -> str:
    return re.sub(r"\*\*|`", "", cell).strip()


def fixture_ids() -> set[str]:
    from tests.hostile.generate import REGISTRY

    return set(REGISTRY)


def missing(entries: list[dict[str, Any]] | None = None) -> list[str]:
    """Catalogue ids with no fixture generator."""
    have = fixture_ids()
    return [e["id"] for e in entries or load() if e["id"] not in have]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.hostile.catalogue", description=__doc__.split("\n")[0])
    parser.add_argument("--md", type=Path, help="reference catalogue to compare ids with")
    parser.add_argument("--table", action="store_true", help="list every id with its status")
    args = parser.parse_args(argv)
    entries = load()
    status = 0
    gaps = missing(entries)
    for cid in gaps:
        print(f"{cid}: no fixture")
    extra = sorted(fixture_ids() - {e["id"] for e in entries})
    for cid in extra:
        print(f"{cid}: fixture without a catalogue entry")
    md = args.md or (REFERENCE if REFERENCE.exists() else None)
    if md is not None:
        ref = {r["id"] for r in parse_markdown(md.read_text(encoding="utf-8"))}
        ours = {e["id"] for e in entries}
        for cid in sorted(ref - ours):
            print(f"{cid}: in {md.name} but not in {CATALOGUE.name}")
        for cid in sorted(ours - ref):
            print(f"{cid}: in {CATALOGUE.name} but not in {md.name}")
        status |= bool(ref ^ ours)
    if args.table:
        for e in entries:
            pending = e.get("pending", {}).get("issue", "")
            print(f"{e['id']:<4} {'fixture' if e['id'] not in gaps else 'MISSING':<8} {pending:<10} {e['title']}")
    print(f"{len(entries)} classes, {len(entries) - len(gaps)} with a fixture, "
          f"{sum(1 for e in entries if 'pending' in e)} with a pending expectation")
    return 1 if gaps or extra or status else 0


if __name__ == "__main__":
    sys.exit(main())
