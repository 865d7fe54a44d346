"""Command line: ``hubspot-preflight check | rules | explain``.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 usage errors,
configuration errors and refused inputs, always with a one-line reason and never a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from validator import __version__

EXIT_USAGE = 2


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p.strip() for v in values for p in v.split(",") if p.strip())


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        name, sep, path = v.partition("=")
        if not sep or not name or not path:
            raise click.BadParameter(f"{v!r} is not NAME=PATH", param_hint="--file")
        out[name] = path
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="hubspot-preflight")
def cli() -> None:
    """Check a HubSpot CRM import (importRequest JSON + CSV/XLSX files) before uploading it."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--request", "request_opt", type=click.Path(path_type=Path),
              help="The importRequest JSON for the data files given (default: found by convention).")
@click.option("--file", "file_opts", multiple=True, metavar="NAME=PATH",
              help="Use PATH for the files[] entry whose fileName is NAME.")
@click.option("--format", "fmt", default="text", show_default=True,
              type=click.Choice(["text", "concise", "json"]), help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report to a file.")
@click.option("--select", multiple=True, help="Only these rules (codes, prefixes, names, ALL).")
@click.option("--extend-select", multiple=True, help="Add rules to the selection.")
@click.option("--ignore", multiple=True, help="Skip these rules (codes, prefixes, names).")
@click.option("--fail-on", default="error", show_default=True,
              type=click.Choice(["error", "warning", "info"]), help="Lowest severity that fails.")
@click.option("--max-per-rule", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Findings listed per rule and file; the rest are counted.")
@click.option("--chunk-rows", type=click.IntRange(min=1), default=50_000, hidden=True)
@click.option("--reader", type=click.Choice(["auto", "fast", "exact"]), default="auto", hidden=True)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail the check.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing; only the exit code tells.")
def check(paths: tuple[Path, ...], request_opt: Path | None, file_opts: tuple[str, ...], fmt: str,
          output: Path | None, select: tuple[str, ...], extend_select: tuple[str, ...],
          ignore: tuple[str, ...], fail_on: str, max_per_rule: int, chunk_rows: int,
          exit_zero: bool, quiet: bool, reader: str = "auto") -> None:
    """Check imports. PATHS are importRequest JSON files and/or their data files.

    A data file alone finds its request by convention: NAME.import.json beside NAME.csv, or a
    request in the same folder (*.import.json, import.json, request.json, importRequest.json)
    whose files[] names it.
    """
    from validator.api import validate
    from validator.config import Config
    from validator.findings import Report, Severity
    from validator.report import render

    config = Config(
        select=_split(select) or None, extend_select=_split(extend_select), ignore=_split(ignore),
        fail_on=Severity.parse(fail_on), max_per_rule=max_per_rule, chunk_rows=chunk_rows,
        reader=reader, progress=None if quiet else _progress(),
    )
    given = _pairs(file_opts)
    reports = []
    for request, files in _plan(paths, request_opt, given):
        reports.append(validate(request, files=files, config=config))
    if config.progress is not None:
        config.progress.close()
    report = reports[0] if len(reports) == 1 else Report.merge(reports)
    text = render(report, fmt)
    if output is not None:
        output.write_text(text, encoding="utf-8", errors="backslashreplace")
    elif not quiet:
        click.echo(text, nl=False)
    for refusal in report.refusals:
        click.echo(f"hubspot-preflight: {refusal.file}: refused: {refusal.reason}", err=True)
    code = report.exit_code(config.fail_on)
    sys.exit(0 if exit_zero and code == 1 else code)


def _progress() -> Any:
    """A progress bar on stderr for large files, only when stderr is a terminal."""
    if not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
        return None
    from validator.progress import ProgressBar

    return ProgressBar(sys.stderr)


def _plan(paths: tuple[Path, ...], request_opt: Path | None,
          given: dict[str, str]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Pair the paths on the command line with requests: (request, files for it)."""
    from validator.findings import ValidatorError
    from validator.sources import find_requests

    requests: dict[Path, dict[str, Any]] = {}
    data = [p for p in paths if p.suffix.lower() != ".json"]
    for p in paths:
        if p.suffix.lower() == ".json":
            requests.setdefault(p, {})
    if request_opt is not None:
        requests.setdefault(request_opt, {}).update({p.name: p for p in data})
    else:
        for p in data:
            if not p.exists():
                raise ValidatorError(f"{p}: no such file")
            found = find_requests(p)
            if not found:
                raise ValidatorError(
                    f"{p}: no importRequest found (looked for {p.stem}.import.json and requests "
                    f"in {p.parent or '.'} naming {p.name}); pass --request")
            for r in found:
                requests.setdefault(r, {})[p.name] = p
    if not requests:
        raise ValidatorError("nothing to check: give an importRequest JSON or a data file")
    for request, files in requests.items():
        yield request, {**files, **given}


@cli.command("rules")
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
            "enabled": entry.get("enabled", True), "hubspot_error": rule.hubspot_error,
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
        click.echo(f"{r['code']}  {r['name']:<34} {r['severity']:<8} "
                   f"{r['hubspot_error'] or '-':<38} {r['summary']}{flag}")


def rules_markdown(rows: list[dict[str, Any]]) -> str:
    """The README's rule table (tests/test_readme.py keeps README.md equal to this)."""
    out = ["| Code | Name | Severity | HubSpot errorType | Checks |", "|---|---|---|---|---|"]
    for r in rows:
        sev = r["severity"] + ("" if r["enabled"] else " (off)")
        summary = str(r["summary"]).replace("|", "\\|")
        error = f"`{r['hubspot_error']}`" if r["hubspot_error"] else ""
        out.append(f"| {r['code']} | `{r['name']}` | {sev} | {error} | {summary} |")
    return "\n".join(out) + "\n"


@cli.command()
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


def rule_page(cls: Any, entry: dict[str, Any]) -> str:
    sections = cls.sections()
    lines = [f"{cls.code} {cls.name}", "", sections["summary"], ""]
    lines.append(f"Severity: {entry.get('severity', cls.severity.label)}"
                 + ("" if entry.get("enabled", True) else " (off by default)"))
    lines.append(f"HubSpot errorType: {cls.hubspot_error or 'none (HubSpot reports no row error)'}")
    if cls.options:
        lines.append("Options: " + ", ".join(f"{k} = {v!r}" for k, v in cls.options.items()))
    for title in ("Why", "Example", "Fix"):
        if sections.get(title):
            lines += ["", f"{title}:", *(f"  {t}" for t in sections[title].splitlines())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn every failure into a message and an exit code."""
    from validator.findings import ValidatorError

    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        cli.main(args=argv, prog_name="hubspot-preflight", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except click.exceptions.Abort:
        sys.exit(130)
    except ValidatorError as exc:
        click.echo(f"hubspot-preflight: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except RecursionError:
        click.echo("hubspot-preflight: error: input nested too deeply to check", err=True)
        sys.exit(EXIT_USAGE)
    except MemoryError:
        click.echo("hubspot-preflight: error: out of memory", err=True)
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # a bug: say so in one line, never a traceback
        if os.environ.get("HUBSPOT_PREFLIGHT_DEBUG"):
            raise
        click.echo(f"hubspot-preflight: internal error: {type(exc).__name__}: {exc} "
                   "(set HUBSPOT_PREFLIGHT_DEBUG=1 for details)", err=True)
        sys.exit(EXIT_USAGE)
    sys.exit(0)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
