"""The pre-commit hook, run by the real ``pre-commit`` in a fresh git repository.

The hook repository is a snapshot of this checkout committed to a temporary git repo, and the
``.pre-commit-config.yaml`` is the README's snippet with its path and rev filled in. To stay
offline, pip installs the hook without fetching dependencies: they are the ones this test runs
with (PYTHONPATH), so what is tested is the manifest, the entry point and the exit codes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT

EXAMPLES = ROOT / "fixtures" / "examples"
SNAPSHOT = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "validator", "rules")

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def readme_hook_config() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- pre-commit:start -->\s*```yaml\n(.*?)```", text, re.S)
    assert match, "README has no pre-commit snippet"
    return match.group(1)


def git(cwd: Path, *args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=check, capture_output=True, text=True)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("home")
    site = sysconfig.get_paths()["purelib"]
    out = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PIP_", "PRE_COMMIT"))}
    out.update({
        "HOME": str(home), "PRE_COMMIT_HOME": str(home / "pre-commit"),
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
        "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1", "PIP_NO_BUILD_ISOLATION": "0",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONPATH": site,
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
    })
    out.pop("HUBSPOT_PREFLIGHT_DEBUG", None)
    return out


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> tuple[Path, str]:
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in SNAPSHOT:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(src, repo / name)
    git(repo, "init", "-q", env=env)
    git(repo, "add", "-A", env=env)
    git(repo, "commit", "-q", "-m", "snapshot", env=env)
    return repo, git(repo, "rev-parse", "HEAD", env=env).stdout.strip()


def test_hook_blocks_a_broken_import_and_lets_a_clean_one_through(
        tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]) -> None:
    repo_path, rev = hook_repo
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", env=env)
    config = readme_hook_config().replace("/path/to/hubspot-preflight", str(repo_path)).replace("<commit>", rev)
    (work / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    (work / "package.json").write_text('{"name": "not an import"}', encoding="utf-8")
    git(work, "add", "-A", env=env)
    git(work, "commit", "-q", "--no-verify", "-m", "config", env=env)
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=work, env=env,
                               capture_output=True, text=True)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # A clean import, committed data file only: the hook finds its request on disk. A JSON file
    # named like a request but without files[] is not an import and is ignored.
    clean = work / "imports"
    clean.mkdir()
    shutil.copy2(EXAMPLES / "contacts" / "contacts.csv", clean / "contacts.csv")
    shutil.copy2(EXAMPLES / "contacts" / "contacts.import.json", clean / "contacts.import.json")
    git(work, "add", "imports/contacts.import.json", env=env)
    git(work, "commit", "-q", "--no-verify", "-m", "request", env=env)
    (work / "settings").mkdir()
    (work / "settings" / "request.json").write_text('{"url": "https://example.com"}', encoding="utf-8")
    git(work, "add", "-A", env=env)
    ok = git(work, "commit", "-m", "clean contacts and a JSON file that is no import", env=env, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "HubSpot import pre-flight" in ok.stdout + ok.stderr

    # A broken import is blocked, with the finding in the hook's output.
    broken = work / "broken"
    broken.mkdir()
    for name in ("contacts.csv", "contacts.import.json"):
        shutil.copy2(EXAMPLES / "broken" / name, broken / name)
    git(work, "add", "-A", env=env)
    blocked = git(work, "commit", "-m", "broken contacts", env=env, check=False)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "3:4  error   HS110 row has 3 fields, fewer than the header's 4" in output
    assert git(work, "log", "--oneline", env=env).stdout.count("\n") == 3  # config, request, clean
