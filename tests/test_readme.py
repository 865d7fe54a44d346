"""README.md stays true: the set-up commands, the rule table, and .ci/run."""

from __future__ import annotations

import re
import tomllib

from click.testing import CliRunner

from tests.conftest import ROOT
from validator.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", README)


def test_readme_starts_with_the_two_setup_commands() -> None:
    first, second = commands()[:2]
    assert README.index(first) < 400
    assert "hubspot-preflight check fixtures/examples/" in first and "pip install" in first
    assert "pytest" in second and "pip install" in second


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands()[1] in ci.splitlines()


def test_rule_table_is_current() -> None:
    table = CliRunner().invoke(cli, ["rules", "--format", "markdown"]).output
    current = README.split("<!-- rules:start -->\n", 1)[1].split("<!-- rules:end -->", 1)[0]
    assert current == table, "run: python -m tests.test_readme  (regenerates the table)"


def test_every_package_is_shipped() -> None:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        listed = set(tomllib.load(fh)["tool"]["setuptools"]["packages"])
    found = {".".join(p.relative_to(ROOT).parent.parts) for p in (ROOT / "validator").rglob("__init__.py")}
    assert found | {"validator.rules"} == listed


if __name__ == "__main__":  # regenerate the table in README.md
    table = CliRunner().invoke(cli, ["rules", "--format", "markdown"]).output
    head, rest = README.split("<!-- rules:start -->\n", 1)
    tail = rest.split("<!-- rules:end -->", 1)[1]
    (ROOT / "README.md").write_text(f"{head}<!-- rules:start -->\n{table}<!-- rules:end -->{tail}",
                                    encoding="utf-8")


def test_no_sentence_of_a_table_row_runs_into_the_next() -> None:
    # the format table's sarif, github and gitlab rows read "...as JSON escapes Where a record
    # spans several lines...": a sentence appended without the full stop of the one before
    rows = [line for line in README.splitlines() if line.startswith("| ")]
    assert [line[:40] for line in rows if re.search(r"[a-z)`] (?:Where|The|It) [a-z]", line)] == []


def test_hostile_inputs_counts_are_the_catalogues() -> None:
    # "6 of them carry a note" stood while the catalogue had 9 classes with a note
    from tests.hostile.catalogue import load

    classes = load()
    section = README.split("## Hostile inputs", 1)[1].split("\n## ", 1)[0]
    notes = sum("note" in c for c in classes)
    families = len({c["id"][0] for c in classes})
    assert f"({len(classes)} classes in {families} families:" in section
    assert f"all {len(classes)} classes meet their required behaviour outright" in section
    assert f"; {notes} of them carry a note" in section
    assert f"**Run time**: {len(classes)} child processes" in section
    assert ("No class is left pending." in section) == (not any("pending" in c for c in classes))


def test_every_option_of_portal_pull_is_in_its_table() -> None:
    import click

    from validator.cli_portal import pull_cmd

    table = README.split("Options of `portal pull`:\n\n", 1)[1].split("\n\n", 1)[0]
    documented = {flag.split()[0] for cell in re.findall(r"^\| (`[^|]+`) \|", table, re.M)
                  for spelt in re.findall(r"`([^`]+)`", cell) for flag in spelt.split(", ")}
    options = {o for p in pull_cmd.params if isinstance(p, click.Option) and not p.hidden for o in p.opts}
    assert documented == options
    assert "hubspot-preflight portal pull portal/" in README
