"""The commands beside ``check``: ``config`` (the effective settings), ``rules`` (the rule table;
``rules_markdown`` is the README's), ``explain`` (a rule's page, ``rule_page``), ``explain-errors``
(HubSpot's error report mapped back to the rules) and ``doctor`` (the hardened parsers in place).

Split from ``cli.py``, which adds them to its click group and re-exports every name here. Each
command imports what it needs when it runs: ``hubspot-preflight check`` loads none of it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click


class PathArg(click.Path):
    """A path given on the command line; an empty one, which ``Path("")`` reads as the current
    folder, is refused (``check "$FILE"`` with FILE unset checked every import below)."""

    def __init__(self) -> None:
        super().__init__(path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value:
            self.fail("'' names no file or folder", param, ctx)
        return super().convert(value, param, ctx)


@click.command("config")
@click.argument("paths", nargs=-1, type=PathArg())
@click.option("--config", "config_opts", multiple=True, metavar="FILE | 'KEY = VALUE'",
              help="Settings file to read, or a TOML setting over it; repeatable.")
@click.option("--isolated", is_flag=True, help="Read no settings file: the built-in defaults.")
@click.option("--format", "fmt", default="text", type=click.Choice(["text", "json"]), show_default=True)
def config_cmd(paths: tuple[Path, ...], config_opts: tuple[str, ...], isolated: bool, fmt: str) -> None:
    """Print the effective configuration for PATHS (default: the current folder)."""
    import json

    from validator.findings import ValidatorError
    from validator.report.text import printable
    from validator.settings import config_arguments, describe, effective_config
    from validator.sources import stat_named

    for path in paths:  # (a typo would print the settings of a folder above it as its own)
        if stat_named(path, "config ") is None:
            raise ValidatorError(f"config {path}: no such file or folder")
    config_file, overrides = config_arguments(config_opts)
    config = effective_config(paths, config_file, isolated=isolated, overrides=overrides)
    data = describe(config)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    none = "built-in defaults (--isolated)" if isolated else "built-in defaults (no configuration file found)"
    over = f"; --config {', '.join(dict.fromkeys(k for _, t in overrides for k in t))} over it" if overrides else ""
    click.echo(f"# configuration: {printable(data.pop('source') or none)}{over}")
    rules = data.pop("rules")
    for key, value in data.items():
        click.echo(f"{key} = {json.dumps(value)}")
    click.echo(f"# {len(rules)} active rules: " + ", ".join(f"{c}={s}" for c, s in rules.items()))


@click.command("rules")
@click.option("--format", "fmt", default="text", type=click.Choice(["text", "json", "markdown"]),
              show_default=True)
def rules_cmd(fmt: str) -> None:
    """List every rule: code, name, default severity, HubSpot errorType and summary."""
    import json

    from validator.checks import all_rules
    from validator.config import load_profile

    profile = load_profile()
    rows = []
    for code, rule in all_rules().items():
        entry = profile.get(code, {})
        rows.append({
            "code": code, "name": rule.name, "severity": entry.get("severity", rule.severity.label),
            "severity_without_portal": rule.severity_without_portal.label if rule.severity_without_portal else None,
            "enabled": entry.get("enabled", True), "hubspot_error": rule.hubspot_error,
            "other_errors": list(rule.other_errors),
            "summary": rule.summary(),
        })
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if fmt == "markdown":
        click.echo(rules_markdown(rows), nl=False)
        return
    for r in rows:
        flag = "" if r["enabled"] else " (off by default)"
        if r["severity_without_portal"]:
            flag += f" ({by_default(r['severity_without_portal'])})"
        click.echo(f"{r['code']}  {r['name']:<34} {r['severity']:<8} "
                   f"{r['hubspot_error'] or '-':<38} {r['summary']}{flag}")


def by_default(severity: str) -> str:
    """What a rule's ``severity_without_portal`` means, as ``rules``, its markdown (the README's
    table) and ``explain`` say it: not only without a snapshot, but wherever the snapshot lacks
    the property's options or the object's pipelines."""
    return f"{severity} where a default list, not the portal snapshot, judged the value"


def rules_markdown(rows: list[dict[str, Any]]) -> str:
    """The README's rule table (tests/test_readme.py keeps README.md equal to this)."""
    out = ["| Code | Name | Severity | HubSpot errorType | Checks |", "|---|---|---|---|---|"]
    for r in rows:
        sev = r["severity"] + ("" if r["enabled"] else " (off)") + (
            f" ({by_default(r['severity_without_portal'])})" if r.get("severity_without_portal") else "")
        summary = str(r["summary"]).replace("|", "\\|")
        error = f"`{r['hubspot_error']}`" if r["hubspot_error"] else ""
        if r.get("other_errors"):
            error += (" " if error else "") + f"(some findings: {', '.join(f'`{e}`' for e in r['other_errors'])})"
        out.append(f"| {r['code']} | `{r['name']}` | {sev} | {error} | {summary} |")
    return "\n".join(out) + "\n"


@click.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Print a rule's page: what it checks, why, an example and the fix."""
    from validator.checks import find_rule
    from validator.config import load_profile
    from validator.findings import ValidatorError

    cls = find_rule(rule)
    if cls is None:
        raise ValidatorError(f"unknown rule {rule!r} (see `hubspot-preflight rules`)")
    click.echo(rule_page(cls, load_profile().get(cls.code, {})))


@click.command("rule")
@click.argument("code", required=False)
@click.option("--all", "every", is_flag=True, help="Every rule, as `rules` lists them.")
@click.option("--format", "--output-format", "fmt", default="text", type=click.Choice(["text", "json", "markdown"]),
              show_default=True, help="With --all: as `rules --format`.")
@click.pass_context
def rule_cmd(ctx: click.Context, code: str | None, every: bool, fmt: str) -> None:
    """A rule's page, as `explain` prints it, under ruff's name for it (`rule CODE`); `rule --all`
    lists every rule, as `rules` does."""
    from validator.findings import ValidatorError

    if every == (code is not None):
        raise ValidatorError("rule takes a rule's code or name, or --all: give one")
    if every:
        ctx.invoke(rules_cmd, fmt=fmt)
        return
    if fmt != "text":
        raise ValidatorError(f"rule {code} prints the rule's page as text; --format {fmt} lists every rule with --all")
    ctx.invoke(explain, rule=code)


def rule_page(cls: Any, entry: Mapping[str, Any]) -> str:
    sections = cls.sections()
    lines = [f"{cls.code} {cls.name}", "", sections["summary"], ""]
    lines.append(f"Severity: {entry.get('severity', cls.severity.label)}"
                 + ("" if entry.get("enabled", True) else " (off by default)")
                 + (f" ({by_default(cls.severity_without_portal.label)})" if cls.severity_without_portal else ""))
    lines.append(f"HubSpot errorType: {cls.hubspot_error or 'none (HubSpot reports no row error)'}"
                 + (f" (some findings: {', '.join(cls.other_errors)})" if cls.other_errors else ""))
    if cls.options:
        lines.append("Options: " + ", ".join(f"{k} = {v!r}" for k, v in cls.options.items()))
    for title in ("Why", "Example", "Fix"):
        if sections.get(title):
            lines += ["", f"{title}:", *(f"  {t}" for t in sections[title].splitlines())]
    return "\n".join(lines)


@click.command("explain-errors")
@click.argument("files", nargs=-1, required=True)
@click.option("--header", "headers", multiple=True, metavar="[FILEID=]DATA_FILE",
              help="The CSV file that was uploaded: its first row names the columns of the examples. "
                   "Repeatable as FILEID=DATA_FILE, each file's header for the errors of its sourceData.fileId.")
@click.option("--examples", type=click.IntRange(min=0), default=3, show_default=True,
              help="Example rows shown per errorType.")
@click.option("--format", "fmt", default="text", type=click.Choice(["text", "json"]), show_default=True)
def explain_errors(files: tuple[str, ...], headers: tuple[str, ...], examples: int, fmt: str) -> None:
    """Explain HubSpot's error report of an import that ran: per errorType, what it means, whether
    a check before upload catches it and the rules that do, with example rows.

    FILES: the JSON of GET /crm/v3/imports/{importId}/errors (one page, pages one after another,
    or a list of pages; check --format hubspot writes it too), or a CSV with an errorType column;
    - reads standard input. Exits 0 once read (it explains, it does not check), 2 when refused.
    """
    from validator.hubspot_errors import read_errors, read_headers
    from validator.report.explained import explained, render_json, render_text

    reading = read_errors(list(files))
    data = explained(reading, read_headers(headers, reading), examples)
    click.echo(render_json(data) if fmt == "json" else render_text(data), nl=False)


@click.command()
@click.option("--format", "fmt", default="text", type=click.Choice(["text", "json"]), show_default=True)
def doctor(fmt: str) -> None:
    """Check that the hardened parsers are in place (defusedxml, expat limits, zip overlap check).

    Exits 1 when any protection is missing.
    """
    import json

    from validator.doctor import run

    probes = run()
    if fmt == "json":
        click.echo(json.dumps([{"check": p.name, "ok": p.ok, "detail": p.detail} for p in probes], indent=2))
    else:
        for p in probes:
            click.echo(f"{'ok' if p.ok else 'FAIL':<4}  {p.name}: {p.detail}")
    sys.exit(0 if all(p.ok for p in probes) else 1)


def shown_files(planned: list[tuple[Path, dict[str, Any]]], configs: dict[Path, Any], isolated: bool,
                skipped: Sequence[Path] = ()) -> str:
    """``check --show-files``: each request, the settings file it takes, and what each of its
    files[] entries reads (a path, standard input, or why nothing), as the check would match them;
    then the paths given that no request takes (``--ignore-unpaired`` skips them)."""
    from validator.cli_inputs import skip_reason
    from validator.cli_output import settings_named
    from validator.report.text import printable
    from validator.request import parse_request
    from validator.sources import locate, read_request_bytes

    out = []
    for request, files in planned:
        out.append(f"{printable(str(request))}  (settings: {settings_named(configs[request], isolated)})")
        try:
            spec = parse_request(read_request_bytes(request), request.name)
        except OSError as exc:
            out.append(f"  cannot read the request: {printable(exc.strerror or str(exc))}")
            continue
        if not spec.parsed:  # not a JSON object: what the check's HS001 or HS002 says
            why = next((n for n in spec.notes if n.pointer == ""), None)
            text = "request is not a JSON object" if why is None else (
                f"request is not valid JSON: {why.detail}" if why.kind == "not-json" else why.detail)
            out.append(f"  (no files[] entry read: {printable(text)})")
            continue
        lookups = locate(spec, request.parent, files)
        if not lookups:
            out.append("  (no files[] entry with a fileName)")
        for name, lookup in lookups.items():
            if lookup.problem is not None:
                where = f"{lookup.problem}: {lookup.detail}" if lookup.detail else lookup.problem
            elif lookup.path is None:
                where = "standard input"  # (the command line's only file object)
            else:
                where = str(lookup.path)
            near = " (its name differs from the fileName in letter case or Unicode form: HS601)" if lookup.near else ""
            out.append(f"  {printable(name)} -> {printable(where)}{near}")
    out += [f"{printable(str(p))}  (skipped: {skip_reason(p)})" for p in skipped]
    return "\n".join(out) + "\n"

