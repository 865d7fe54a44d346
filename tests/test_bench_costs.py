"""bench/costs.py: thread CPU per rule and per shared fact of one check, in one process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_costs_times_each_rule_and_fact_of_a_check(tmp_path: Path) -> None:
    # (a process of its own: the script replaces the rules' hooks and the facts' cache for good)
    out = tmp_path / "costs.json"
    request = ROOT / "fixtures" / "examples" / "contacts" / "contacts.import.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "costs.py"), str(request), "--top", "5",
                           "--json", str(out), "--", "--select", "HS212,HS301,HS304"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    numbers = json.loads(out.read_text(encoding="utf-8"))
    assert numbers["exit"] == 0
    # the rules selected, each timed on its one chunk (HS301 at the file's end too), and no other
    assert {code: r["calls"] for code, r in numbers["rules"].items()} == {"HS212": 1, "HS301": 2, "HS304": 1}
    # the facts they ask for: the email column's byte screen, its keys and the file's key set
    assert {"screen", "cell-keys", "first-seen", "valid-emails"} <= set(numbers["facts"])
    assert numbers["facts"]["first-seen"]["calls"] == 1
    spent = sum(f["cpu_s"] for f in numbers["facts"].values())
    assert 0 < spent <= sum(r["cpu_s"] for r in numbers["rules"].values()) <= numbers["cpu_s"]
    printed = done.stdout.splitlines()
    assert printed[0].startswith(f"check {request}: exit 0, wall ")
    assert "| rule | CPU s | share | calls |" in printed and "| fact | CPU s | share | calls |" in printed
