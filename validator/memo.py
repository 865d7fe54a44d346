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

Store = dict[tuple[int, int], Any]

# the values made in the run under way (``run_scope``): a run's, shared by its rule threads
_RUN: contextvars.ContextVar[Store | None] = contextvars.ContextVar("memo_run", default=None)


@contextlib.contextmanager
def run_scope(store: Store | None = None) -> Iterator[None]:
    """The values ``ByIdentity`` makes in this block are kept in ``store`` (a new one if none is
    given: the engine's run) and nowhere else, so they go when it goes: a long-lived process
    checking against a snapshot it loads for each check held the lookups of the last 64
    snapshots' properties (60 MB each for 100,000 options). A pandera schema passes its own, kept
    as long as the schema. Runs in other threads at the same time keep their own."""
    token = _RUN.set({} if store is None else store)
    try:
        yield
    finally:
        _RUN.reset(token)


class ByIdentity(Generic[K, V]):
    """``get(obj, make)`` is ``make(obj)``, made once for the same object in a ``run_scope``: by
    identity, the object held beside its value so that its id is not another's while it is here.
    Outside any run it is made each time and held by nothing. Two threads may both make a value
    the first time: the same."""

    def get(self, obj: K, make: Callable[[K], V]) -> V:
        run = _RUN.get()
        if run is None:
            return make(obj)
        key = (id(self), id(obj))
        kept = run.get(key)
        if kept is not None and kept[0] is obj:
            return kept[1]
        made = make(obj)
        run[key] = (obj, made)
        return made
