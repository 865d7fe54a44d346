"""Values made once per object, by identity.

A portal snapshot's tuples (a property's options, the account's users) are made into the
lookups the rules need once a run, not in every chunk and for every finding's message: a
property of 100,000 options and a snapshot of 1,000,000 users took seconds each time
(tests/test_portal_scale.py counts the work).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

# the values made in the run under way (``run_scope``): a run's, shared by its rule threads
_RUN: contextvars.ContextVar[dict[tuple[int, int], Any] | None] = contextvars.ContextVar("memo_run", default=None)


@contextlib.contextmanager
def run_scope() -> Iterator[None]:
    """The values ``ByIdentity`` makes in this block are kept for it alone and let go at its end
    (the engine's run): a long-lived process checking against a snapshot it loads for each check
    held the lookups of the last 64 snapshots' properties (60 MB each for 100,000 options), and
    runs in other threads at the same time keep their own."""
    token = _RUN.set({})
    try:
        yield
    finally:
        _RUN.reset(token)


class ByIdentity(Generic[K, V]):
    """``get(obj, make)`` is ``make(obj)``, made once for the same object: by identity, the object
    held beside its value so that its id is not another's while it is here. In a run
    (``run_scope``) for the run; outside one (a pandera schema's checks) at most ``limit``
    objects, then it starts over. Two threads may both make a value the first time: the same."""

    def __init__(self, limit: int):
        self.limit = limit
        self._held: dict[int, tuple[K, V]] = {}

    def get(self, obj: K, make: Callable[[K], V]) -> V:
        run = _RUN.get()
        if run is not None:
            key = (id(self), id(obj))
            kept = run.get(key)
            if kept is not None and kept[0] is obj:
                return kept[1]
            made = make(obj)
            run[key] = (obj, made)
            return made
        held = self._held.get(id(obj))
        if held is not None and held[0] is obj:
            return held[1]
        made = make(obj)
        if len(self._held) >= self.limit:
            self._held.clear()
        self._held[id(obj)] = (obj, made)
        return made
