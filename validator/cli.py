"""Command line: ``hubspot-preflight check | config | rules | explain | explain-errors | doctor | portal pull``.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 usage errors,
configuration errors and refused inputs, always with a one-line reason and never a traceback.

This module holds the click group, the ``check`` command (its options and the order of its
steps) and the process entry (``run``, ``main``, the allocators' settings). Beside it:
``cli_inputs`` (what a check reads: paths paired with requests, ``--file`` and stdin, each
request's settings, the read-ahead), ``cli_output`` (what a check writes: the report, baselines,
refusals), ``cli_commands`` (config, rules, explain, doctor) and ``cli_portal`` (portal pull).
The names of ``cli_commands`` are importable from here too. Only the standard library and
click load before ``check`` starts: pandas, pyarrow and the rules load when the check needs
them, after the read-ahead has started.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from validator import __version__
from validator.cli_commands import PathArg, config_cmd, doctor, explain, explain_errors, rule_cmd, rules_cmd
from validator.cli_commands import rule_page as rule_page  # (re-exported)
from validator.cli_commands import rules_markdown as rules_markdown  # (re-exported)
from validator.cli_inputs import STDIN_LIMIT as STDIN_LIMIT  # (re-exported)
from validator.cli_inputs import (
    _given,
    _named_files,
    _no_stray_files,
    _own_configs,
    _plan,
    _read_ahead,
    _run_config,
    _stdin_as,
)
from validator.cli_inputs import _spooled_stdin as _spooled_stdin  # (re-exported)
from validator.cli_portal import portal

EXIT_USAGE = 2


FORMAT_ENV = "HUBSPOT_PREFLIGHT_OUTPUT_FORMAT"


class _FormatChoice(click.Choice):
    """``--format``'s choice, whose refusal of a value from the environment names the variable
    (click would name ``--format``, which the user did not give)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            from click.core import ParameterSource

            if ctx is not None and param is not None and param.name is not None and \
                    ctx.get_parameter_source(param.name) is ParameterSource.ENVIRONMENT:
                raise click.UsageError(f"{FORMAT_ENV}={value!r} is not one of {', '.join(self.choices)}",
                                       ctx) from exc
            raise


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="hubspot-preflight")
def cli() -> None:
    """Check a HubSpot CRM import (importRequest JSON + CSV/XLSX files) before uploading it."""


@cli.command()
@click.argument("paths", nargs=-1, type=PathArg())
@click.option("--request", "request_opt", type=PathArg(),
              help="The importRequest JSON for the data files given (default: found by convention).")
@click.option("--file", "file_opts", multiple=True, metavar="NAME=PATH",
              help="Use PATH for the files[] entry whose fileName is NAME (- reads it from stdin).")
@click.option("--stdin-filename", type=PathArg(), metavar="PATH",
              help="Read standard input as the data file PATH: its request found as PATH's (or --request), "
                   "findings naming its fileName.")
@click.option("--format", "--output-format", "fmt", default=None, envvar=FORMAT_ENV,
              type=_FormatChoice(["text", "grouped", "full", "concise", "pylint", "json", "json-lines", "sarif",
                                  "junit", "github", "gitlab", "azure", "hubspot", "csv", "auto"]),
              help="Output format (default: text; github inside GitHub Actions; env HUBSPOT_PREFLIGHT_OUTPUT_FORMAT).")
@click.option("-o", "--output", "--output-file", "output", type=PathArg(),
              help="Write the report to a file.")
@click.option("--config", "config_opts", multiple=True, metavar="FILE | 'KEY = VALUE'",
              help="Settings file (default: [tool.hubspot-preflight] of the nearest pyproject.toml), or a "
                   "TOML setting over it (--config 'select = [\"HS1\"]'); repeatable.")
@click.option("--isolated", is_flag=True,
              help="Read no settings file (pyproject.toml, hubspot-preflight.toml): defaults and flags only.")
@click.option("--select", multiple=True, help="Only these rules (codes, prefixes, names, ALL).")
@click.option("--extend-select", multiple=True, help="Add rules to the selection.")
@click.option("--ignore", multiple=True, help="Skip these rules (codes, prefixes, names).")
@click.option("--fail-on", default=None, type=click.Choice(["error", "warning", "info"], case_sensitive=False),
              help="Lowest severity that fails (default: error).")
@click.option("--max-per-rule", type=click.IntRange(min=0), default=None,
              help="Findings listed per rule and file; the rest are counted (default: 1000).")
@click.option("--statistics", is_flag=True,
              help="Print how many findings each rule made (text or json), not the findings.")
@click.option("--tier", type=click.Choice(["paid", "free"]), default=None,
              help="HubSpot plan tier, for size limits (default: paid).")
@click.option("--baseline", type=PathArg(),
              help="Accepted findings (JSON); findings it lists are not reported.")
@click.option("--write-baseline", is_flag=True,
              help="Write every finding to the --baseline file (all of them, whatever --max-per-rule lists) and "
                   "exit 0, or 2 where an input was refused (its findings are in no baseline); refused (exit 2, "
                   "nothing written) where a baseline cannot hold them all.")
@click.option("--redact", is_flag=True, default=None, help="Mask cell values in every format.")
@click.option("--emit-request", is_flag=True,
              help="Print the multipart request that would be POSTed to /crm/v3/imports; check nothing.")
@click.option("--show-files", is_flag=True,
              help="List each importRequest the paths name, the file each files[] entry reads and the settings "
                   "file it takes; check nothing.")
@click.option("--ignore-unpaired", is_flag=True,
              help="Skip data files that belong to no importRequest, and JSON that is not one (pre-commit).")
@click.option("--portal", type=PathArg(), metavar="DIR",
              help="A portal snapshot folder (HubSpot API responses, saved by portal pull; see README).")
@click.option("--chunk-rows", type=click.IntRange(min=1), default=50_000, hidden=True)
@click.option("--reader", type=click.Choice(["auto", "fast", "exact"]), default="auto", hidden=True)
@click.option("--threads", type=click.IntRange(1, 2), default=None,
              help="Rule threads per chunk (default: 2 for inputs over 16 MB, else 1).")
@click.option("--exit-zero", is_flag=True, default=None, help="Exit 0 even when findings fail the check.")
@click.option("-q", "--quiet", "-s", "--silent", "quiet", is_flag=True,
              help="Print nothing but a refused input's reason; the exit code tells.")
@click.option("-v", "--verbose", is_flag=True,
              help="Say on stderr what the check did: settings file, each file read (path, size, reader, rows, "
                   "seconds), rules selected, time.")
def check(paths: tuple[Path, ...], request_opt: Path | None, file_opts: tuple[str, ...], fmt: str | None,
          output: Path | None, config_opts: tuple[str, ...], isolated: bool, select: tuple[str, ...],
          extend_select: tuple[str, ...], ignore: tuple[str, ...], fail_on: str | None,
          max_per_rule: int | None, statistics: bool, tier: str | None, baseline: Path | None, write_baseline: bool,
          redact: bool | None, emit_request: bool, show_files: bool, ignore_unpaired: bool, portal: Path | None,
          chunk_rows: int,
          exit_zero: bool | None, quiet: bool, verbose: bool = False, reader: str = "auto",
          threads: int | None = None, stdin_filename: Path | None = None) -> None:
    """Check imports. PATHS are importRequest JSON files, their data files, or folders (every
    importRequest in the folder and below).

    A data file alone finds its request by convention: NAME.import.json beside NAME.csv, or a
    request in the same folder (*.import.json, import.json, request.json, importRequest.json)
    whose files[] names it.
    """
    started = time.perf_counter() if verbose else 0.0
    if verbose and quiet:  # (ruff refuses -v with -q too)
        from validator.findings import ValidatorError

        raise ValidatorError("--verbose and --quiet ask for opposite things: give one")
    if stdin_filename is not None:  # (ruff's --stdin-filename: `-` among the paths is standard input)
        paths, request_opt, file_opts = _stdin_as(stdin_filename, paths, request_opt, file_opts)
    if any(str(p) == "-" for p in (*paths, request_opt)) and not os.path.lexists("-"):  # (ruff's `check -`)
        from validator.findings import ValidatorError

        raise ValidatorError("-: standard input is read as a data file only: give its path as --stdin-filename "
                             "(check --stdin-filename contacts.csv -), or the request's path and --file NAME=- "
                             "(check contacts.import.json --file contacts.csv=-)")
    if not emit_request and not show_files and not ignore_unpaired:  # (unpaired files are skipped: no guessing)
        _read_ahead(paths, request_opt, file_opts)
    from validator.api import validate
    from validator.cli_output import (
        _baseline_targets,
        _deliver,
        _output_target,
        _say_missing_baselines,
        _say_refusals,
        _statistics_format,
        _write_baselines,
        _write_report,
    )
    from validator.config_rules import NO_RULE, patterns
    from validator.findings import Report, ValidatorError
    from validator.settings import config_arguments
    from validator.sources import named_by

    for flag, values in (("--select", select), ("--extend-select", extend_select), ("--ignore", ignore)):
        patterns(list(values), flag)  # an unknown rule is refused naming the flag it came from
    if emit_request and write_baseline:  # (it would write nothing, and exit 0)
        raise ValidatorError("--write-baseline needs a check, and --emit-request checks nothing")
    if show_files and (emit_request or write_baseline or statistics):
        other = "--emit-request" if emit_request else "--write-baseline" if write_baseline else "--statistics"
        raise ValidatorError(f"--show-files lists what a check would read, and checks nothing: not with {other}")
    if statistics and (emit_request or write_baseline):  # (nothing would be counted, or printed)
        why = "--emit-request checks nothing" if emit_request else "--write-baseline writes them to the baseline"
        raise ValidatorError(f"--statistics counts a check's findings, and {why}")
    if select and not patterns(list(select), "--select"):  # ("$RULES" unset: no rule checked, a pass)
        raise ValidatorError(f"--select names no rule: {NO_RULE.format(ignore='--ignore ALL')}")
    config_file, overrides = config_arguments(config_opts)
    flags = {"select": select, "extend_select": extend_select, "ignore": ignore, "fail_on": fail_on,
             "max_per_rule": max_per_rule, "tier": tier, "baseline": baseline, "redact": redact,
             "exit_zero": exit_zero, "chunk_rows": chunk_rows, "isolated": isolated,
             "overrides": overrides}
    config, shared = _run_config(paths, config_file, flags, portal, reader, threads, quiet)
    counted = _statistics_format(fmt, config) if statistics else None  # (refused before the check runs)
    given, piped = _given(file_opts, emit_request, read=not show_files)
    planned = list(_plan(paths, request_opt, given, ignore_unpaired))
    _no_stray_files(planned, given)
    planned = [(request, named_by(request, files)) for request, files in planned]  # (--file is for one of them)
    configs = _own_configs(planned, config, config_file, flags, shared)
    if not config.redact and any(c.redact for c in configs.values()):  # (values one import's settings mask)
        config = config.with_(redact=True)
    settings = [config, *configs.values()]
    inputs = [*paths, *(r for r, _ in planned), *_named_files(planned), *(v for _, f in planned for v in f.values()),
              *{c.source for c in settings if c.source}, *_snapshot_files(settings)]
    baselines = [c.baseline for c in settings if isinstance(c.baseline, (str, os.PathLike))]
    if output is not None:  # (nor over a baseline read: --write-baseline alone rewrites that)
        _output_target(output, write_baseline, [*inputs, *baselines])
    targets: dict[Path, Path] = {}
    if write_baseline:  # each request's findings to its own baseline file (the same one for all, mostly)
        targets = _baseline_targets(configs, inputs)
        configs = {request: cfg.with_(baseline=None) for request, cfg in configs.items()}
    from validator.cli_inputs import skipped_paths

    skipped = skipped_paths(paths, planned) if show_files or verbose else []
    if show_files:
        from validator.cli_commands import shown_files

        _deliver(shown_files(planned, configs, isolated, skipped), output, False)
        return
    if emit_request:
        from validator.emit import plan, render_plan

        _deliver("\n".join(render_plan(plan(r, files)) for r, files in planned), output, quiet)
        return
    if not planned:
        if verbose:
            from validator.cli_output import _say_skipped

            _say_skipped(skipped)
        if not quiet:
            click.echo("hubspot-preflight: nothing to check (no import requests among the files)", err=True)
        return
    if not write_baseline and not quiet:
        _say_missing_baselines(settings)
    _memory_pool()
    _imports_done()
    from validator.baseline import most_entries
    from validator.engine import keeping_all, without_late_cells
    from validator.settings import choose_format

    # only the csv and hubspot formats show a row's cells: the rows named once every file was
    # read (HS314) are read again from their files for them, for no other
    cells = counted is None and not write_baseline and choose_format(fmt or config.output_format) in ("csv", "hubspot")
    # (what else is written to stderr meanwhile, a warning or a log line, clears the bar's line first)
    holding = getattr(config.progress, "holding", None)
    try:  # a baseline written takes every finding in, not the ones --max-per-rule lists
        with (keeping_all(most_entries()) if write_baseline else contextlib.nullcontext(),
              without_late_cells() if not cells else contextlib.nullcontext(),
              holding() if holding is not None else contextlib.nullcontext()):
            reports = [validate(request, files=files, config=configs[request]) for request, files in planned]
    finally:
        if config.progress is not None:
            config.progress.close()
        for name in piped:
            given[name].close()
    if verbose:
        from validator.cli_output import _say_run

        _say_run(planned, reports, configs, config, isolated, time.perf_counter() - started, skipped, stdin_filename)
    report = reports[0] if len(reports) == 1 else Report.merge(reports)
    if write_baseline:
        _write_baselines(planned, reports, targets, quiet)
        _say_refusals(report)  # (a refused file's findings are in no baseline: say which, and why)
        sys.exit(2 if report.refusals else 0)
    if counted is not None:
        from validator.report.statistics import render_statistics

        _deliver(render_statistics(report, counted), output, quiet)
    else:
        _write_report(report, fmt, config, output, quiet, [*inputs, *baselines])
    _say_refusals(report)
    code = report.exit_code(config.fail_on)
    sys.exit(0 if config.exit_zero and code == 1 else code)


for _command in (config_cmd, rules_cmd, rule_cmd, explain, explain_errors, doctor, portal):
    cli.add_command(_command)


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
    except click.ClickException as exc:  # one line, as every refusal (click's own is three: usage, hint, error)
        if type(exc).__name__ == "NoArgsIsHelpError":  # no command given: the help itself (click 8.2+)
            exc.show()
            sys.exit(EXIT_USAGE)
        ctx = getattr(exc, "ctx", None)
        see = f" (see '{ctx.command_path} --help')" if isinstance(exc, click.UsageError) and ctx is not None else ""
        message = " ".join(exc.format_message().split())
        click.echo(f"hubspot-preflight: error: {_safe(message)}{see}", err=True)
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
        if isinstance(exc, OSError) and _writing_stdout(exc):  # (a full disk under `> report.txt`: not a bug)
            click.echo(f"hubspot-preflight: error: cannot write to standard output: {_safe(exc.strerror or str(exc))}",
                       err=True)
            sys.exit(EXIT_USAGE)
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


def _safe(text: str) -> str:
    """Messages can quote file names and values: never let their control characters through."""
    from validator.report.text import printable

    return printable(text)


def _snapshot_files(configs: list[Any]) -> list[Path]:
    """The portal snapshot files the settings read: inputs no report or baseline may replace."""
    from validator.portal import snapshot_files

    folders = {str(getattr(c.portal, "path", c.portal)) for c in configs if c.portal is not None}
    return [file for folder in sorted(folders) for file in snapshot_files(folder)]


def _writing_stdout(exc: BaseException) -> bool:
    """Whether an error was raised writing to standard output: every command's output, the help
    included, goes through ``click.echo``, so the error passed through it (to stdout, not err)."""
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name == "echo" and frame.f_globals.get("__name__") == "click.utils":
            return not frame.f_locals.get("err")
        tb = tb.tb_next
    return False


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError):  # (no stdout at all: nothing to silence)
        pass
