"""Where a check's CPU goes: thread CPU per rule and per shared fact, in one process.

    python bench/costs.py REQUEST [--top N] [--json FILE] [-- CHECK OPTIONS...]

runs ``hubspot-preflight check REQUEST --format json -o <temp file>`` (with the options after
``--``) in this process, the command line's allocator settings included, and prints two tables:

- **rules**: each rule's ``on_chunk`` and ``on_file_end`` (thread CPU, ``time.thread_time``, of
  the call and of consuming what it yields), the facts it asks for first included: the first
  rule to ask a chunk for a fact (a column's byte screen, its emails checked, its keys added to
  the file's key set) pays for it, the others find it made;
- **facts**: each fact of ``checks.typed.cached`` by kind (``screen``, ``first-seen``,
  ``valid-emails`` ...), its own thread CPU: the facts it asks for in turn are subtracted, so the
  column adds up to the facts' total.

Wall and process CPU of the whole run come first. The rules' generators are consumed as they are
called (a list), which the engine otherwise does as it goes: the same work, timed in one piece.
The numbers are one run's and move with the machine's load: compare runs made alternately.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:  # run as a script from anywhere: the checkout's validator
    sys.path.insert(0, str(_ROOT))


class Costs:
    """Thread CPU by rule (``rules``) and by fact kind (``facts``, self time), with call counts."""

    def __init__(self) -> None:
        self.rules: collections.Counter[str] = collections.Counter()
        self.rule_calls: collections.Counter[str] = collections.Counter()
        self.facts: collections.Counter[str] = collections.Counter()
        self.fact_calls: collections.Counter[str] = collections.Counter()
        self._local = threading.local()
        self._lock = threading.Lock()

    def fact(self, kind: str, make: Callable[[], Any]) -> Callable[[], Any]:
        """``make`` timed as one fact of ``kind``: its own thread CPU, the facts it makes subtracted."""
        def timed() -> Any:
            stack = self._local.__dict__.setdefault("stack", [])
            start = time.thread_time()
            stack.append(0.0)
            try:
                return make()
            finally:
                spent = time.thread_time() - start
                inner = stack.pop()
                if stack:
                    stack[-1] += spent
                with self._lock:
                    self.facts[kind] += spent - inner
                    self.fact_calls[kind] += 1
        return timed

    def rule(self, code: str, method: Callable[..., Any]) -> Callable[..., Any]:
        """A rule's hook timed under ``code``, what it yields consumed in the call."""
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.thread_time()
            try:
                out = method(*args, **kwargs)
                return list(out or ())
            finally:
                with self._lock:
                    self.rules[code] += time.thread_time() - start
                    self.rule_calls[code] += 1
        return timed


def instrument(costs: Costs) -> None:
    """Time every ``cached`` fact and every rule's chunk and file-end hooks. ``cached`` is
    replaced before the rules' modules are imported (they bind it by name)."""
    import validator.checks.typed as typed

    made = typed.cached

    def cached(chunk: Any, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        return made(chunk, key, costs.fact(str(key[0]), make))

    typed.cached = cached
    from validator.checks import all_rules
    from validator.checks.base import Rule

    for code, cls in all_rules().items():
        for name in ("on_chunk", "on_file_end"):
            method = cls.__dict__.get(name) or getattr(cls, name, None)
            if method is not None and method is not getattr(Rule, name, None):
                setattr(cls, name, costs.rule(code, method))


def table(title: str, spent: collections.Counter[str], calls: collections.Counter[str], top: int) -> str:
    total = sum(spent.values())
    lines = [f"{title}: {total:.3f} s in all", "", f"| {title[:-1]} | CPU s | share | calls |", "|---|---|---|---|"]
    for name, seconds in spent.most_common(top):
        share = seconds / total if total else 0.0
        lines.append(f"| {name} | {seconds:.3f} | {share:.0%} | {calls[name]} |")
    left = len(spent) - min(top, len(spent))
    if left:
        lines.append(f"| ({left} more) | {total - sum(s for _n, s in spent.most_common(top)):.3f} | | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    extra: list[str] = []
    if "--" in args:
        at = args.index("--")
        args, extra = args[:at], args[at + 1:]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("request", help="the importRequest JSON to check")
    parser.add_argument("--top", type=int, default=25, help="rows per table (default 25)")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file as JSON")
    opts = parser.parse_args(args)

    from validator import cli

    cli._allocator_settings()  # (as the command line sets them, before pyarrow is loaded)
    costs = Costs()
    instrument(costs)
    with tempfile.TemporaryDirectory() as tmp:
        started, cpu = time.perf_counter(), time.process_time()
        try:
            cli.main(["check", opts.request, "--format", "json", "-o", str(Path(tmp) / "report.json"), *extra])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"check {opts.request}: exit {code}, wall {wall:.2f} s, process CPU {cpu:.2f} s\n")
    print(table("rules", costs.rules, costs.rule_calls, opts.top))
    print()
    print(table("facts", costs.facts, costs.fact_calls, opts.top))
    if opts.json is not None:
        opts.json.write_text(json.dumps({
            "request": opts.request, "exit": code, "wall_s": wall, "cpu_s": cpu,
            "rules": {k: {"cpu_s": v, "calls": costs.rule_calls[k]} for k, v in costs.rules.most_common()},
            "facts": {k: {"cpu_s": v, "calls": costs.fact_calls[k]} for k, v in costs.facts.most_common()},
        }, indent=2), encoding="utf-8")
    return 0 if code in (0, 1) else code


if __name__ == "__main__":
    sys.exit(main())
