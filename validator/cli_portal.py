"""``hubspot-preflight portal pull DIR``: save a portal snapshot from HubSpot's API (``validator.portal_pull``).

The token comes from the environment only (``HUBSPOT_TOKEN``, or the variable ``--token-env``
names): a command-line value would show in ``ps`` and in the shell's history. Nothing printed
holds it. Exit codes as ``check``'s: 0 pulled, 2 refused or failed (one line on stderr).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from validator.cli_commands import PathArg

TOKEN_ENV = "HUBSPOT_TOKEN"


@click.group("portal")
def portal() -> None:
    """Portal snapshots: the account's properties, pipelines, owners, custom objects and
    association labels, saved for check --portal."""


@portal.command("pull")
@click.argument("folder", metavar="DIR", type=PathArg())
@click.option("--object", "objects", multiple=True, metavar="NAME",
              help="Pull this object (id or name, custom objects too); repeatable (default: contacts, companies, "
                   "deals, tickets and every custom object).")
@click.option("--for", "requests", multiple=True, type=PathArg(), metavar="REQUEST.json",
              help="Pull the objects this importRequest uses; repeatable.")
@click.option("--token-env", default=TOKEN_ENV, show_default=True, metavar="NAME",
              help="The environment variable that holds the private app's access token.")
@click.option("--base-url", default="https://api.hubapi.com", show_default=True, metavar="URL",
              help="The API's address (a proxy's); https:// unless on localhost.")
@click.option("--force", is_flag=True, help="Replace DIR, a snapshot folder that is not empty, once the new one "
                                            "is complete.")
@click.option("--strict", is_flag=True, help="Fail (exit 2) where a file would be skipped (HTTP 403 or 404), or "
                                             "an object of --for no one knows.")
@click.option("--timeout", type=click.FloatRange(min=1), default=30.0, show_default=True, metavar="SECONDS",
              help="Seconds to wait for each answer.")
@click.option("--max-pages", type=click.IntRange(min=1), default=10_000, hidden=True)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but a failure's reason.")
@click.option("-v", "--verbose", is_flag=True, help="Say on stderr each call made and its answer.")
def pull_cmd(folder: Path, objects: tuple[str, ...], requests: tuple[Path, ...], token_env: str, base_url: str,
             force: bool, strict: bool, timeout: float, max_pages: int, quiet: bool, verbose: bool) -> None:
    """Save the account's portal snapshot into DIR (then: check ... --portal DIR), with the token in
    $HUBSPOT_TOKEN."""
    from validator.findings import ValidatorError
    from validator.portal_pull import files_summary, pull
    from validator.report.text import printable

    if verbose and quiet:
        raise ValidatorError("--verbose and --quiet ask for opposite things: give one")
    if not token_env or "=" in token_env:
        raise ValidatorError(f"--token-env {token_env!r}: not an environment variable's name")

    def log(line: str) -> None:
        click.echo(f"hubspot-preflight: {printable(line)}", err=True)

    summary = pull(folder, token=os.environ.get(token_env, ""), base=base_url, objects=objects or None,
                   requests=requests, force=force, strict=strict, timeout=timeout, max_pages=max_pages,
                   log=log if verbose else None, token_name=token_env)
    if not quiet:
        for line in files_summary(summary):
            click.echo(printable(line), err=True)
