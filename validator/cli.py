"""Command line: ``hubspot-preflight check | rules | explain``.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 usage errors,
configuration errors and refused inputs, always with a one-line reason and never a traceback.
"""

from __future__ import annotations

import contextlib
import gc
import os
import stat
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
              help="Use PATH for the files[] entry whose fileName is NAME (- reads it from stdin).")
@click.option("--format", "fmt", default=None,
              type=click.Choice(["text", "concise", "json", "sarif", "junit", "github", "hubspot", "csv", "auto"]),
              help="Output format (default: text; github inside GitHub Actions).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report to a file.")
@click.option("--config", "config_file", type=click.Path(path_type=Path),
              help="Settings file (default: [tool.hubspot-preflight] of the nearest pyproject.toml).")
@click.option("--select", multiple=True, help="Only these rules (codes, prefixes, names, ALL).")
@click.option("--extend-select", multiple=True, help="Add rules to the selection.")
@click.option("--ignore", multiple=True, help="Skip these rules (codes, prefixes, names).")
@click.option("--fail-on", default=None, type=click.Choice(["error", "warning", "info"]),
              help="Lowest severity that fails (default: error).")
@click.option("--max-per-rule", type=click.IntRange(min=0), default=None,
              help="Findings listed per rule and file; the rest are counted (default: 1000).")
@click.option("--tier", type=click.Choice(["paid", "free"]), default=None,
              help="HubSpot plan tier, for size limits (default: paid).")
@click.option("--baseline", type=click.Path(path_type=Path),
              help="Accepted findings (JSON); findings it lists are not reported.")
@click.option("--write-baseline", is_flag=True,
              help="Write every finding to the --baseline file (all of them, whatever --max-per-rule lists) and "
                   "exit 0, or 2 where an input was refused (its findings are in no baseline); refused (exit 2, "
                   "nothing written) where a baseline cannot hold them all.")
@click.option("--redact", is_flag=True, default=None, help="Mask cell values in every format.")
@click.option("--emit-request", is_flag=True,
              help="Print the multipart request that would be POSTed to /crm/v3/imports; check nothing.")
@click.option("--ignore-unpaired", is_flag=True,
              help="Skip data files that belong to no importRequest, and JSON that is not one (pre-commit).")
@click.option("--portal", type=click.Path(path_type=Path), metavar="DIR",
              help="A portal snapshot folder (HubSpot API responses saved with curl; see README).")
@click.option("--chunk-rows", type=click.IntRange(min=1), default=50_000, hidden=True)
@click.option("--reader", type=click.Choice(["auto", "fast", "exact"]), default="auto", hidden=True)
@click.option("--threads", type=click.IntRange(1, 2), default=None,
              help="Rule threads per chunk (default: 2 for inputs over 16 MB, else 1).")
@click.option("--exit-zero", is_flag=True, default=None, help="Exit 0 even when findings fail the check.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but a refused input's reason; the exit code tells.")
def check(paths: tuple[Path, ...], request_opt: Path | None, file_opts: tuple[str, ...], fmt: str | None,
          output: Path | None, config_file: Path | None, select: tuple[str, ...],
          extend_select: tuple[str, ...], ignore: tuple[str, ...], fail_on: str | None,
          max_per_rule: int | None, tier: str | None, baseline: Path | None, write_baseline: bool,
          redact: bool | None, emit_request: bool, ignore_unpaired: bool, portal: Path | None,
          chunk_rows: int,
          exit_zero: bool | None, quiet: bool, reader: str = "auto", threads: int | None = None) -> None:
    """Check imports. PATHS are importRequest JSON files, their data files, or folders (every
    importRequest in the folder and below).

    A data file alone finds its request by convention: NAME.import.json beside NAME.csv, or a
    request in the same folder (*.import.json, import.json, request.json, importRequest.json)
    whose files[] names it.
    """
    if not emit_request and not ignore_unpaired:  # (unpaired files are skipped: no guessing)
        _read_ahead(paths, request_opt, file_opts)
    from validator.api import _patterns, validate
    from validator.findings import Report, ValidatorError
    from validator.report import render
    from validator.settings import choose_format, effective_config
    from validator.sources import named_by

    for flag, values in (("--select", select), ("--extend-select", extend_select), ("--ignore", ignore)):
        _patterns(list(values), flag)  # an unknown rule is refused naming the flag it came from
    flags = {"select": select, "extend_select": extend_select, "ignore": ignore, "fail_on": fail_on,
             "max_per_rule": max_per_rule, "tier": tier, "baseline": baseline, "redact": redact,
             "exit_zero": exit_zero, "chunk_rows": chunk_rows}
    config = effective_config(paths, config_file, **flags)
    if portal is not None:
        config = config.with_(portal=_portal(portal))
    config = config.with_(reader=reader, progress=None if quiet else _progress(),
                          threads=threads if threads is not None else config.threads)
    # what the command line sets holds for every request; a request's own settings file, the rest
    shared = {k: getattr(config, k) for k in ("reader", "progress", "threads")}
    if portal is not None:
        shared["portal"] = config.portal
    given: dict[str, Any] = dict(_pairs(file_opts))
    piped = [name for name, path in given.items() if path == "-"]
    if len(piped) > 1:
        raise ValidatorError(f"only one --file can be read from stdin (-), not {', '.join(piped)}")
    if piped and emit_request:
        raise ValidatorError("--emit-request needs the files on disk (curl uploads them), not on stdin")
    if piped:
        given[piped[0]] = _spooled_stdin()
    planned = list(_plan(paths, request_opt, given, ignore_unpaired))
    _no_stray_files(planned, given)
    planned = [(request, named_by(request, files)) for request, files in planned]  # (--file is for one of them)
    configs = _own_configs(planned, config, config_file, flags, shared)
    inputs = [*paths, *(r for r, _ in planned), *_named_files(planned), *(v for _, f in planned for v in f.values()),
              *{c.source for c in [config, *configs.values()] if c.source}]
    if output is not None:
        if write_baseline:
            raise ValidatorError("--output has no report to take with --write-baseline (it writes the --baseline file)")
        _never_overwrite_an_input(output, inputs)
        _writable(output, "--output")
    targets: dict[Path, Path] = {}
    if write_baseline:  # each request's findings to its own baseline file (the same one for all, mostly)
        for request, cfg in configs.items():
            if cfg.baseline is None or not isinstance(cfg.baseline, (str, os.PathLike)):
                raise ValidatorError("--write-baseline needs --baseline FILE (or baseline in the configuration)")
            targets[request] = Path(cfg.baseline)
        for target in dict.fromkeys(targets.values()):
            _never_overwrite_an_input(target, inputs, "--baseline")
            _writable(target, "--baseline")
        configs = {request: cfg.with_(baseline=None) for request, cfg in configs.items()}
    if emit_request:
        from validator.emit import plan, render_plan

        _deliver("\n".join(render_plan(plan(r, files)) for r, files in planned), output, quiet)
        return
    if not planned:
        if not quiet:
            click.echo("hubspot-preflight: nothing to check (no import requests among the files)", err=True)
        return
    _memory_pool()
    _imports_done()
    from validator.baseline import most_entries
    from validator.engine import keeping_all

    try:  # a baseline written takes every finding in, not the ones --max-per-rule lists
        with keeping_all(most_entries()) if write_baseline else contextlib.nullcontext():
            reports = [validate(request, files=files, config=configs[request]) for request, files in planned]
    finally:
        if config.progress is not None:
            config.progress.close()
        for name in piped:
            given[name].close()
    report = reports[0] if len(reports) == 1 else Report.merge(reports)
    if write_baseline:
        from validator.baseline import baseline_text
        from validator.baseline import write_baseline as write

        by_target: dict[Path, list[Any]] = {}
        for (request, _files), r in zip(planned, reports, strict=True):  # by fileName, as they are matched
            by_target.setdefault(targets[request], []).append((request, r))
        # every baseline made before any is written: one refused leaves them all as they were
        texts = {target: baseline_text(runs, target) for target, runs in by_target.items()}
        for target, (data, n) in texts.items():
            write(target, data)
            if not quiet:
                click.echo(f"hubspot-preflight: wrote {n:,} accepted finding(s) to {target}", err=True)
        _say_refusals(report)  # (a refused file's findings are in no baseline: say which, and why)
        sys.exit(2 if report.refusals else 0)
    fmt = choose_format(fmt or config.output_format)
    text = render(report, fmt, redact=config.redact)
    if fmt in ("json", "sarif", "hubspot") and output is None and not _utf(sys.stdout):
        # backslashreplace would write \xe9 into JSON strings: escape as JSON instead (R6)
        import json

        text = json.dumps(json.loads(text), ensure_ascii=True, indent=2) + "\n"
    _deliver(text, output, quiet)
    if fmt == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        from validator.report import redact_report, step_summary

        try:
            with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8", errors="backslashreplace") as fh:
                fh.write(step_summary(redact_report(report) if config.redact else report))
        except OSError as exc:
            click.echo(f"hubspot-preflight: cannot write the step summary: {exc.strerror or exc}", err=True)
    _say_refusals(report)
    code = report.exit_code(config.fail_on)
    sys.exit(0 if config.exit_zero and code == 1 else code)


def _say_refusals(report: Any) -> None:
    """Each refused input and why, on stderr (under -q too: the exit code 2 alone says nothing)."""
    from validator.report.text import printable

    for refusal in report.refusals:
        click.echo(f"hubspot-preflight: {printable(refusal.file)}: refused: {printable(refusal.reason)}", err=True)


@cli.command("config")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Settings file to read.")
@click.option("--format", "fmt", default="text", type=click.Choice(["text", "json"]), show_default=True)
def config_cmd(paths: tuple[Path, ...], config_file: Path | None, fmt: str) -> None:
    """Print the effective configuration for PATHS (default: the current folder)."""
    import json

    from validator.settings import describe, effective_config

    config = effective_config(paths, config_file)
    data = describe(config)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"# configuration: {data.pop('source') or 'built-in defaults (no configuration file found)'}")
    rules = data.pop("rules")
    for key, value in data.items():
        click.echo(f"{key} = {json.dumps(value)}")
    click.echo(f"# {len(rules)} active rules: " + ", ".join(f"{c}={s}" for c, s in rules.items()))


def _portal(path: Path | None) -> Any:
    """Load the snapshot once for every request checked (a malformed file is a refusal, exit 2)."""
    if path is None:
        return None
    from validator.portal import load_portal

    return load_portal(path)


def _no_stray_files(plan: list[tuple[Path, dict[str, Any]]], given: dict[str, Any]) -> None:
    """Refuse a data file (``--request R FILE``) or a ``--file NAME=...`` whose name no request
    names, not even but for letter case (HS601 reports those): it would be left unchecked while
    the request's own file, or none, is checked in its place."""
    from validator.findings import ValidatorError
    from validator.sources import base_name, fold_name, request_file_names

    # (a request that is no JSON, HS001, has no or an empty files list, HS003, or no fileName at
    # all, HS019: it names no file to tell a stray one by, and its report says what is wrong, as
    # validate() reports it)
    names = {request: request_file_names(request) for request, _ in plan}
    if any(not n for n in names.values()):
        return
    known = {fold_name(n) for ns in names.values() for n in ns or ()}
    listed = ", ".join(sorted({n for ns in names.values() for n in ns or ()})) or "none"
    for request, files in plan:
        for name, value in files.items():
            if fold_name(base_name(str(name))) in known:
                continue
            what = f"--file {name}" if name in given else str(value)
            fix = (f"; give it as --file NAME={value} for the fileName it stands for" if name not in given else "")
            whose = f"of {request} " if len(plan) == 1 else "of any request "
            raise ValidatorError(f"{what}: no files[] entry {whose}names {name!r} (fileNames: {listed}){fix}")


def _named_files(plan: list[tuple[Path, dict[str, Any]]]) -> list[Path]:
    """The data files each request names, where the engine will look for them."""
    from validator.sources import fold_name, request_file_names

    out: list[Path] = []
    for request, _files in plan:
        names = {fold_name(n) for n in request_file_names(request) or ()}
        with contextlib.suppress(OSError):  # (a name that matches but for letter case is read too)
            out.extend(p for p in request.parent.iterdir() if fold_name(p.name) in names)
    return out


STDIN_LIMIT = 512 << 20  # HubSpot's file size limit on any plan (HS502 holds smaller ones to the plan's)


def _spooled_stdin() -> Any:
    """Standard input as a seekable file (``--file NAME=-``): the readers look at a file's first
    bytes before they read it, so a pipe is copied to an unnamed temporary file first (in
    ``TMPDIR``; the system removes it when the process ends). Findings name the request's
    ``fileName``."""
    import tempfile

    from validator.findings import ValidatorError

    source = getattr(sys.stdin, "buffer", None)
    if source is None:
        raise ValidatorError("--file NAME=- reads standard input, which is closed")
    try:
        spool = tempfile.TemporaryFile(prefix="hubspot-preflight-")  # noqa: SIM115 (closed after the check)
        left = STDIN_LIMIT + 1
        while left > 0 and (block := source.read(min(1 << 20, left))):
            spool.write(block)
            left -= len(block)
    except OSError as exc:  # no writable temporary folder, or it filled up
        raise ValidatorError(f"cannot copy standard input to a temporary file: {exc.strerror or exc}") from None
    if left <= 0:  # (an endless pipe, /dev/zero, must not fill the disk)
        spool.close()
        raise ValidatorError(f"standard input is larger than {STDIN_LIMIT >> 20} MB, the most HubSpot takes in a "
                             "file: split it by rows")
    spool.seek(0)
    return spool


def _writable(path: Path, option: str) -> None:
    """Refuse, before the check runs, a file that cannot be written: a folder, or one in a folder
    that does not exist (a long check should not end in a traceback at the very end)."""
    from validator.findings import ValidatorError

    if path.is_dir():
        raise ValidatorError(f"{option} {path} is a folder; name a file")
    if not path.parent.is_dir():
        raise ValidatorError(f"{option} {path}: the folder {path.parent} does not exist")


def _own_configs(planned: list[tuple[Path, dict[str, Any]]], config: Any, config_file: Path | None,
                 flags: dict[str, Any], shared: dict[str, Any]) -> dict[Path, Any]:
    """The settings of each request checked: as ruff does, a request uses the settings file
    nearest to it (the run's own settings, its output format, fail-on and exit code, come from
    the file found for all the paths); a file that names no baseline takes the run's. With
    --config, that file's for every request."""
    from validator.settings import discover, effective_config

    made: dict[str | None, Any] = {config.source: config}
    out: dict[Path, Any] = {}
    for request, _files in planned:
        found = config_file if config_file is not None else discover((request,))
        key = str(found) if found is not None else None
        if key not in made:
            own = effective_config((request,), found, **flags).with_(**shared)
            made[key] = own if own.baseline is not None else own.with_(baseline=config.baseline)
        out[request] = made[key]
    return out


def _deliver(text: str, output: Path | None, quiet: bool) -> None:
    """The report (or emitted requests) to ``output``, else to stdout unless quiet."""
    from validator.findings import ValidatorError
    from validator.sources import write_text

    if output is not None:
        try:
            write_text(output, text)
        except OSError as exc:
            raise ValidatorError(f"cannot write the report to {output}: {exc.strerror or exc}") from None
    elif not quiet:
        click.echo(text, nl=False)


def _never_overwrite_an_input(output: Path, inputs: list[Any], option: str = "--output") -> None:
    """``-o`` (or the baseline written) naming one of the inputs (or a link to one) would
    destroy it: refuse (R4)."""
    from validator.findings import ValidatorError

    for item in inputs:
        try:
            same = os.path.samefile(output, item)
        except (OSError, TypeError, ValueError):
            continue
        if same:
            raise ValidatorError(f"{option} {output} is one of the inputs; choose another file")


def _progress() -> Any:
    """A progress bar on stderr for large files, only when stderr is a terminal."""
    if sys.stderr is None or not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
        return None
    from validator.progress import ProgressBar

    return ProgressBar(sys.stderr)


READ_AHEAD_REQUEST_BYTES = 1 << 20
READ_AHEAD_CANDIDATES = 64  # files looked at for a workbook to read ahead


def _read_ahead(paths: tuple[Path, ...], request_opt: Path | None, file_opts: tuple[str, ...]) -> None:
    """Start loading the first large workbook this check will read, on a thread, before pandas
    and the rules are imported (``readers/xlsx_prefetch``: calamine parses without the GIL).
    A guess from the command line and the requests' fileNames: the reader uses the work only
    for the very same file, and any failure here just means no head start."""
    try:
        import json

        from validator.readers import xlsx_prefetch

        given = {n: Path(p) for n, sep, p in (v.partition("=") for v in file_opts) if sep and n and p}
        requests = [p for p in paths if p.suffix.lower() == ".json"]
        requests += [request_opt] if request_opt is not None else []
        candidates = [p for p in paths if p.suffix.lower() in (".xlsx", ".xlsm")]
        for request in requests:
            # never blocks on a FIFO or device: opened without waiting, read only if regular
            fd = os.open(request, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
            with os.fdopen(fd, "rb") as fh:
                if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                    continue
                doc = json.loads(fh.read(READ_AHEAD_REQUEST_BYTES))
            if isinstance(doc, dict) and isinstance(doc.get("importRequest"), (dict, str)):
                inner = doc["importRequest"]
                doc = json.loads(inner) if isinstance(inner, str) else inner
            files = doc.get("files") if isinstance(doc, dict) else None
            for entry in files if isinstance(files, list) else []:
                name = entry.get("fileName") if isinstance(entry, dict) else None
                if isinstance(name, str) and name not in ("", ".", "..") and not any(c in name for c in "/\\\0"):
                    candidates.append(given.get(name, request.parent / name))
        for path in candidates[:READ_AHEAD_CANDIDATES]:  # a hostile files[] of millions costs nothing
            if xlsx_prefetch.start(path):  # released when the command ends, taken or not
                click.get_current_context().call_on_close(xlsx_prefetch.drop_all)
                return
    except Exception:  # only a head start is lost; the check itself reports everything
        pass


def _plan(paths: tuple[Path, ...], request_opt: Path | None, given: dict[str, str],
          ignore_unpaired: bool = False) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Pair the paths on the command line with requests: (request, files for it)."""
    from validator.findings import ValidatorError
    from validator.sources import find_requests, is_request, requests_under

    requests: dict[Path, dict[str, Any]] = {}
    given_paths = bool(paths)
    expanded: list[Path] = []
    for p in paths:  # a folder stands for every importRequest under it
        if not p.is_dir():
            expanded.append(p)
            continue
        under = requests_under(p)
        if not under and not ignore_unpaired:
            raise ValidatorError(f"{p}: no importRequest in this folder or below (*.import.json, import.json, "
                                 "request.json, importRequest.json)")
        expanded.extend(under)
    paths = tuple(expanded)
    data = [p for p in paths if p.suffix.lower() != ".json"]
    for p in paths:
        if p.suffix.lower() == ".json":
            if ignore_unpaired and not is_request(p):
                continue
            requests.setdefault(p, {})
    if request_opt is not None:
        requests.setdefault(request_opt, {}).update({p.name: p for p in data})
    else:
        for p in data:
            if not p.exists():
                raise ValidatorError(f"{p}: no such file")
            found = find_requests(p)
            if not found and ignore_unpaired:
                continue
            if not found:
                raise ValidatorError(
                    f"{p}: no importRequest found (looked for {p.stem}.import.json and requests "
                    f"in {p.parent or '.'} naming {p.name}); pass --request")
            for r in found:
                requests.setdefault(r, {})[p.name] = p
    if not requests and not (ignore_unpaired and given_paths):
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
            "severity_without_portal": rule.severity_without_portal.label if rule.severity_without_portal else None,
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
        if r["severity_without_portal"]:
            flag += f" ({r['severity_without_portal']} without a portal snapshot)"
        click.echo(f"{r['code']}  {r['name']:<34} {r['severity']:<8} "
                   f"{r['hubspot_error'] or '-':<38} {r['summary']}{flag}")


def rules_markdown(rows: list[dict[str, Any]]) -> str:
    """The README's rule table (tests/test_readme.py keeps README.md equal to this)."""
    out = ["| Code | Name | Severity | HubSpot errorType | Checks |", "|---|---|---|---|---|"]
    for r in rows:
        sev = r["severity"] + ("" if r["enabled"] else " (off)") + (
            f" ({r['severity_without_portal']} without a portal)" if r.get("severity_without_portal") else "")
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


@cli.command()
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


_gc_paused = False


def run() -> None:
    """Process entry point (the ``hubspot-preflight`` script, ``python -m validator``): ``main``,
    then flush the output and leave without tearing the interpreter down, which with pandas and
    pyarrow loaded takes about 40 ms of a small check: a pre-commit hook feels that. Nothing is
    left to finalise: files are closed and thread pools joined when the check returns, and the
    CLI registers no exit handlers. ``main`` (for tests and embedding) exits normally, and leaves
    the process's allocators as they are (``_allocator_settings`` is for a process of its own)."""
    _allocator_settings()
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        if not isinstance(exc.code, (int, type(None))):
            print(exc.code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with that descriptor closed (``2>&-``): nothing to flush
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: the exit code still tells
            code = code or 1
    os._exit(code)


def _imports_done() -> None:
    """Turn the cycle collector back on once the heavy modules are imported (see ``main``),
    with what they made moved out of its sight (``gc.freeze``): they live as long as this
    one-shot process, and every full collection of a check that makes many objects (a note per
    ragged row) would otherwise walk them all again."""
    global _gc_paused
    if _gc_paused:
        _gc_paused = False
        gc.freeze()
        gc.enable()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn every failure into a message and an exit code.

    The cycle collector is off while pandas, pyarrow and the rules are imported (tens of
    thousands of new objects, no garbage: about 30 ms of a small check), on for the check."""
    global _gc_paused
    paused = gc.isenabled()
    if paused:
        gc.disable()
        _gc_paused = True
    try:
        _main(argv)
    finally:
        _imports_done()
        if paused:  # a caller that runs the CLI in its own process gets its collector back as it was
            gc.unfreeze()


def _main(argv: list[str] | None) -> None:
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
        click.echo(f"hubspot-preflight: error: {_safe(str(exc))}", err=True)
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
        click.echo(f"hubspot-preflight: internal error: {type(exc).__name__}: {_safe(str(exc))} "
                   "(set HUBSPOT_PREFLIGHT_DEBUG=1 for details)", err=True)
        sys.exit(EXIT_USAGE)
    sys.exit(0)


# Arrow's jemalloc reads its settings once, when pyarrow loads: set before anything imports it,
# unless the environment sets them. It keeps freed pages for a second, then marks them free to
# the kernel for another, still counted in the process's memory until the kernel takes them:
# with those "muzzy" pages off, and one arena instead of one per thread (pages one thread frees
# serve the others), a file at HubSpot's limits peaks ~40 MiB lower, at the same speed.
ALLOCATOR_ENV = {"JE_ARROW_MALLOC_CONF": "narenas:1,muzzy_decay_ms:0"}


# glibc's malloc (numpy's arrays, the file's read buffers) serves blocks over a threshold with
# mmap, and raises the threshold as such blocks are freed (up to 32 MiB), handing the top of its
# heap back once twice that is free there. Both moves make the next block of a size just freed
# fault fresh zeroed pages in, as the chunk sizes vary, with the interpreter's lock held (a 4 MB
# read buffer, zero-filled by bytearray). Fixed thresholds keep such blocks in the heap.
MALLOC_THRESHOLDS = {-3: 64 << 20, -1: 256 << 20}  # M_MMAP_THRESHOLD, M_TRIM_THRESHOLD


def _allocator_settings() -> None:
    """The allocators' settings above, where the environment sets none of its own: first thing
    in ``run``, before pyarrow is imported."""
    if "pyarrow" not in sys.modules:
        for name, setting in ALLOCATOR_ENV.items():
            os.environ.setdefault(name, setting)
    if sys.platform == "linux" and not any(name.startswith("MALLOC_") for name in os.environ):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):  # not glibc (musl has no mallopt)
            libc = ctypes.CDLL(None)
            for option, threshold in MALLOC_THRESHOLDS.items():
                libc.mallopt(option, threshold)


def _memory_pool() -> None:
    """Arrow's jemalloc pool where the wheel has it (unless ARROW_DEFAULT_MEMORY_POOL says
    otherwise): it hands freed chunk memory back sooner than mimalloc, about 40 MiB less peak
    memory on a file at HubSpot's limits, at the same speed."""
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    import contextlib

    import pyarrow as pa

    with contextlib.suppress(NotImplementedError, AttributeError, pa.ArrowException):
        pa.set_memory_pool(pa.jemalloc_memory_pool())


def _utf(stream: Any) -> bool:
    return str(getattr(stream, "encoding", "") or "").lower().replace("-", "").startswith("utf")


def _safe(text: str) -> str:
    """Messages can quote file names and values: never let their control characters through."""
    from validator.report.text import printable

    return printable(text)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError):  # (no stdout at all: nothing to silence)
        pass
