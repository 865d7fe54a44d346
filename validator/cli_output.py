"""What ``check`` writes: the report in its format, to standard output or ``-o`` (refused, before
the check runs, where it would overwrite an input or cannot be written), GitHub's step summary,
the baseline files ``--write-baseline`` writes, and each refused input on stderr.

Split from ``cli.py`` (the click command and its steps), which imports this module when a check
starts. Only the standard library and click are imported up front: the rest (the report
formats, ``validator.baseline``, ...) when a function needs it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click


def _output_target(output: Path, write_baseline: bool, inputs: list[Any]) -> None:
    """``-o``: refused with ``--write-baseline``, over an input, or where it cannot be written."""
    from validator.findings import ValidatorError

    if write_baseline:
        raise ValidatorError("--output has no report to take with --write-baseline (it writes the --baseline file)")
    _never_overwrite_an_input(output, inputs)
    _writable(output, "--output")


def _baseline_targets(configs: dict[Path, Any], inputs: list[Any]) -> dict[Path, Path]:
    """``--write-baseline``: each request's findings to its own baseline file (the same one for
    all, mostly), each refused before the check runs as ``-o`` is."""
    from validator.findings import ValidatorError

    targets: dict[Path, Path] = {}
    for request, cfg in configs.items():
        if cfg.baseline is None or not isinstance(cfg.baseline, (str, os.PathLike)):
            raise ValidatorError("--write-baseline needs --baseline FILE (or baseline in the configuration)")
        targets[request] = Path(cfg.baseline)
    for target in dict.fromkeys(targets.values()):
        _never_overwrite_an_input(target, inputs, "--baseline")
        _writable(target, "--baseline")
    return targets


def _write_baselines(planned: list[tuple[Path, dict[str, Any]]], reports: list[Any], targets: dict[Path, Path],
                     quiet: bool) -> None:
    """Every finding of each request's report to its baseline file."""
    from validator.baseline import baseline_text
    from validator.baseline import write_baseline as write
    from validator.report.text import printable

    by_target: dict[Path, list[Any]] = {}
    for (request, _files), r in zip(planned, reports, strict=True):  # by fileName, as they are matched
        by_target.setdefault(targets[request], []).append((request, r))
    # every baseline made before any is written: one refused leaves them all as they were
    texts = {target: baseline_text(runs, target) for target, runs in by_target.items()}
    for target, (data, n) in texts.items():
        write(target, data)
        if not quiet:
            click.echo(f"hubspot-preflight: wrote {n:,} accepted finding(s) to {printable(os.fspath(target))}",
                       err=True)


def _say_missing_baselines(settings: list[Any]) -> None:
    """A baseline file that is not there reads as no entries (so that ``--write-baseline`` can make
    it), which a misspelt path would hide: each run says so on stderr, the exit code unchanged."""
    from validator.report.text import printable

    for path in dict.fromkeys(c.baseline for c in settings if isinstance(c.baseline, (str, os.PathLike))):
        try:
            os.lstat(path)
        except FileNotFoundError:
            click.echo(f"hubspot-preflight: baseline {printable(os.fspath(path))} does not exist: no finding is "
                       "accepted (make it with --write-baseline)", err=True)
        except OSError:  # (a name too long, say: the check refuses it, in one line)
            pass


def _write_report(report: Any, fmt: str | None, config: Any, output: Path | None, quiet: bool,
                  inputs: Sequence[Any] = ()) -> None:
    """The report in ``fmt`` (or the configured format) to ``output`` or stdout, and in GitHub
    Actions its step summary (not over one of the ``inputs``)."""
    from validator.report import render
    from validator.settings import choose_format

    fmt = choose_format(fmt or config.output_format)
    text = render(report, fmt, redact=config.redact)
    if fmt in ("json", "sarif", "hubspot", "gitlab") and output is None and not _utf(sys.stdout):
        # backslashreplace would write \xe9 into JSON strings: escape as JSON instead (R6)
        import json

        text = json.dumps(json.loads(text), ensure_ascii=True, indent=2) + "\n"
    elif fmt == "json-lines" and output is None and not _utf(sys.stdout):  # (likewise, one line each)
        import json

        text = "".join(json.dumps(json.loads(line), ensure_ascii=True) + "\n" for line in text.split("\n") if line)
    _deliver(text, output, quiet)
    if fmt in ("csv", "hubspot") and not quiet:
        _say_unshown(report)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt == "github" and summary:
        if _an_input(summary, inputs):  # (a side output: said, the check's exit code kept)
            from validator.report.text import printable

            click.echo(f"hubspot-preflight: no step summary written: GITHUB_STEP_SUMMARY {printable(summary)} is "
                       "one of the inputs", err=True)
            return
        _write_step_summary(report, config.redact, summary)


def _statistics_format(fmt: str | None, config: Any) -> str:
    """What ``--statistics`` prints: its table for ``text`` (and ``grouped`` and ``full``, its
    other names), ``concise`` and ``auto`` (a count per rule is no annotation), a JSON list for
    ``json``; any other format (the flag's,
    the environment's or the settings file's) is refused before the check runs, as ruff does."""
    from validator.findings import ValidatorError
    from validator.report.statistics import FORMATS

    chosen = fmt or config.output_format
    if chosen is None or chosen in ("auto", "text", "grouped", "full", "concise"):
        return "text"
    if chosen not in FORMATS:
        raise ValidatorError(f"--statistics prints a table (text) or json, not {chosen}: give --format text or json")
    return chosen


def _write_step_summary(report: Any, redact: bool, path: str) -> None:
    """The summary appended to what the step wrote before, within GitHub's 1 MiB for it all."""
    from validator.report import redact_report, step_summary
    from validator.report.github import SUMMARY_BYTES

    try:
        room = SUMMARY_BYTES - (os.path.getsize(path) if os.path.isfile(path) else 0)
        text = step_summary(redact_report(report) if redact else report, room=room)
        if len(text.encode("utf-8", "backslashreplace")) > room:
            click.echo("hubspot-preflight: no step summary written: the step's summary is at GitHub's 1 MiB",
                       err=True)
            return
        with open(path, "a", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(text)
    except OSError as exc:
        click.echo(f"hubspot-preflight: cannot write the step summary: {exc.strerror or exc}", err=True)


def _say_unshown(report: Any) -> None:
    """The files whose rows named once every file was read (HS314) show no cells in the csv and
    hubspot formats, and why (``late_cells``: read from a stream, or changed since), on stderr."""
    from validator.report.text import printable

    for name, why in report.unshown.items():
        click.echo(f"hubspot-preflight: {printable(name)}: the cells of rows named once every file was read "
                   f"(HS314) are not shown: {why}", err=True)


def _say_refusals(report: Any) -> None:
    """Each refused input and why, on stderr (under -q too: the exit code 2 alone says nothing)."""
    from validator.report.text import printable

    for refusal in report.refusals:
        click.echo(f"hubspot-preflight: {printable(refusal.file)}: refused: {printable(refusal.reason)}", err=True)


def _writable(path: Path, option: str) -> None:
    """Refuse, before the check runs, a file that cannot be written: a folder, or one in a folder
    that does not exist (a long check should not end in a traceback at the very end)."""
    from validator.findings import ValidatorError
    from validator.sources import is_folder

    if is_folder(path, f"{option} "):
        raise ValidatorError(f"{option} {path} is a folder; name a file")
    if not is_folder(path.parent, f"{option} "):
        if os.path.lexists(path.parent):  # (a file, or a link to one or to nothing)
            raise ValidatorError(f"{option} {path}: {path.parent} is not a folder")
        raise ValidatorError(f"{option} {path}: the folder {path.parent} does not exist")


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

    if _an_input(output, inputs):
        raise ValidatorError(f"{option} {output} is one of the inputs; choose another file")


def _an_input(path: str | os.PathLike[str], inputs: Sequence[Any]) -> bool:
    """Whether ``path`` is one of the ``inputs`` files (or a link to one)."""
    for item in inputs:
        try:
            if os.path.samefile(path, item):
                return True
        except (OSError, TypeError, ValueError):
            continue
    return False


def _utf(stream: Any) -> bool:
    return str(getattr(stream, "encoding", "") or "").lower().replace("-", "").startswith("utf")


def settings_named(cfg: Any, isolated: bool) -> str:
    """The settings file a run or request takes, as ``--verbose`` and ``--show-files`` name it:
    its path, ``none (--isolated)`` where none was looked for, else ``none found`` (the built-in
    profile, with what ``--config 'KEY = VALUE'`` and the flags change)."""
    from validator.report.text import printable

    return printable(os.fspath(cfg.source)) if cfg.source else "none (--isolated)" if isolated else "none found"


def _say(text: str) -> None:
    click.echo(f"hubspot-preflight: {text}", err=True)


def _say_skipped(skipped: Sequence[Path]) -> None:
    """``check --verbose``: each path given that no request takes (``--ignore-unpaired``), with
    why, as ``--show-files`` lists it."""
    from validator.cli_inputs import skip_reason
    from validator.report.text import printable

    for p in skipped:
        _say(f"{printable(os.fspath(p))}: skipped ({skip_reason(p)})")


def _say_run(planned: list[tuple[Path, dict[str, Any]]], reports: list[Any], configs: dict[Path, Any],
             config: Any, isolated: bool, seconds: float, skipped: Sequence[Path] = (),
             stdin_filename: Path | None = None) -> None:
    """``check --verbose``: what the run did, on stderr (never in the report): the settings file
    each request takes, the paths given that no request takes (skipped, with why), the rules
    selected, and each ``files[]`` entry: the file read, with its path, size, reader (why the
    exact one, where the reader says), rows and seconds, or the file refused or not found; then
    the totals. Written from the reports after the check, so a run without ``--verbose`` does
    none of it. A file read from standard input is named by the option that read it:
    ``--stdin-filename PATH`` (``stdin_filename``, as given), or ``--file NAME=-``."""
    from validator.config import active_rules
    from validator.report.text import printable

    def settings(cfg: Any) -> str:
        return settings_named(cfg, isolated)

    say = _say

    def path(name: str, report: Any, files: dict[str, Any]) -> str:
        source = files.get(name)
        if source is not None and not isinstance(source, str | os.PathLike):  # (--file NAME=-, spooled)
            if stdin_filename is not None:  # (read as --file NAME=- for its name: the only one, then)
                return f"standard input (--stdin-filename {printable(os.fspath(stdin_filename))})"
            return f"standard input (--file {printable(name)}=-)"
        return printable(os.fspath(report.paths.get(name, name)))

    say(f"settings: {settings(config)}")
    _say_skipped(skipped)
    for (request, given), report in zip(planned, reports, strict=True):
        cfg = configs[request]
        say(f"request {printable(os.fspath(request))}: settings {settings(cfg)}; "
            f"{len(active_rules(cfg)):,} rules selected")
        for s in report.files:
            reader = "not read" if s.reader is None else f"{s.reader} reader" + (
                f" ({s.reader_why})" if s.reader_why else "")
            say(f"  {printable(s.name)}: {path(s.name, report, given)}, {s.bytes:,} bytes, {reader}; "
                f"{s.rows:,} rows in {s.seconds:.3f} s")
        read = {s.name for s in report.files}
        for r in report.refusals:  # (its reason follows, with the other refusals)
            if r.file not in read and r.file != report.request and (r.file in report.paths or r.file in given):
                size = _size(report.paths[r.file]) if r.file in report.paths else None
                say(f"  {printable(r.file)}: {path(r.file, report, given)}, "
                    f"{'' if size is None else f'{size:,} bytes, '}refused ({r.code})")
        refused = {r.file for r in report.refusals}
        for name in report.paths:  # neither read nor refused: a fileName that matches no file (HS011's)
            if name != report.request and name not in read and name not in refused:
                say(f"  {printable(name)}: {path(name, report, given)}, not found (HS011)")
    files, rows = sum(len(r.files) for r in reports), sum(r.rows for r in reports)
    say(f"checked {len(reports):,} request(s), {files:,} file(s), {rows:,} rows in {seconds:.3f} s")


def _size(path: str) -> int | None:
    try:
        return os.stat(path).st_size
    except (OSError, ValueError):
        return None
