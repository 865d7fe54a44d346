"""Values made once per object, by identity.

A portal snapshot's tuples (a property's options, the account's users) are made into the
lookups the rules need once a run, not in every chunk and for every finding's message: a
property of 100,000 options and a snapshot of 1,000,000 users took seconds each time
(tests/test_portal_scale.py counts the work).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class ByIdentity(Generic[K, V]):
    """``get(obj, make)`` is ``make(obj)``, made once for the same object: by identity, the object
    held beside its value so that its id is not another's while it is here; at most ``limit``
    objects, then it starts over. Two threads may both make a value the first time: the same."""

    def __init__(self, limit: int):
        self.limit = limit
        self._held: dict[int, tuple[K, V]] = {}

    def get(self, obj: K, make: Callable[[K], V]) -> V:
        held = self._held.get(id(obj))
        if held is not None and held[0] is obj:
            return held[1]
        made = make(obj)
        if len(self._held) >= self.limit:
            self._held.clear()
        self._held[id(obj)] = (obj, made)
        return made
