"""The rules' ``on_chunk`` over one chunk, on the engine's thread and, for large inputs, a rule thread.

``_chunk_runner`` makes the engine's step for a file's chunks: every rule's hits on a chunk,
in rule order, and what gives the next chunk (``_Following``). With a pool of one rule thread
the two threads take the chunk's work from one list; the next chunk is read on it too, early,
after a chunk light enough (``_light``) to hold while the next one is made.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait

from validator.checks.base import Hit, Rule
from validator.context import FileContext
from validator.readers.base import Chunk


class _Following:
    """The chunk after the one just checked: read by a rule thread while the other one still
    checks (the first item of their list), or read here when asked. An error the reader raised
    there is raised here, after the checked chunk's findings are in, as it would have been here."""

    __slots__ = ("chunk", "chunks", "done", "error")

    def __init__(self, chunks: Iterator[Chunk]):
        self.chunks = chunks
        self.chunk: Chunk | None = None
        self.error: BaseException | None = None
        self.done = False

    def read(self) -> None:
        try:
            self.chunk = next(self.chunks, None)
        except BaseException as exc:  # raised on the engine's thread by __call__
            self.error = exc
        self.done = True

    def __call__(self) -> Chunk | None:
        if not self.done:
            self.read()
        if self.error is not None:
            raise self.error
        return self.chunk


def _light(chunk: Chunk) -> bool:
    """A chunk whose cells are all in Arrow and with few notes: the next one is likely the same,
    and may be read while this one is still held. Chunks with cells stored in Python (a file
    saved as Windows-1252) or many notes (ragged rows) weigh several times more: reading the next
    one only after this one is let go keeps the peak memory down."""
    return not chunk.cell_bytes and len(chunk.notes) * 10 <= len(chunk)


Runner = Callable[[Chunk], tuple[list[list[Hit]], Callable[[], "Chunk | None"]]]


def _chunk_runner(rules: list[Rule], fctx: FileContext, pool: ThreadPoolExecutor | None,
                  chunks: Iterator[Chunk], ahead: bool = False) -> Runner:
    """Runs every rule's on_chunk over a chunk; returns the hits (in rule order) and what gives
    the next chunk of ``chunks``.

    With a pool, this thread and the pool's thread take the chunk's work from one list, each the
    next item as soon as it is free, so neither waits long for the other at the chunk's end:
    with ``ahead`` (readers that allow it) and after a light chunk (``_light``), reading the
    next chunk first (it waits on the reader's parser thread, so it is best begun early), then
    the rules in order of their CPU time so far, largest first (rule order on the first
    chunk), so that the last ones taken are the shortest. The Collector's result depends
    neither on the order of hits nor on which thread ran a rule."""
    n = len(rules)
    if pool is None or n < 2:
        return lambda chunk: ([list(r.on_chunk(chunk, fctx) or ()) for r in rules], _Following(chunks))
    spent = [0.0] * n  # CPU seconds of each rule so far
    read = -1  # the list item that reads the next chunk

    def both(chunk: Chunk) -> tuple[list[list[Hit]], Callable[[], Chunk | None]]:
        out: list[list[Hit]] = [[] for _ in range(n)]
        following = _Following(chunks)
        order = sorted(range(n), key=lambda i: -spent[i])  # stable: rule order while nothing is known
        items = iter([read, *order] if ahead and _light(chunk) else order)
        lock = threading.Lock()

        def work() -> None:
            while True:
                with lock:
                    item = next(items, None)
                if item is None:
                    return
                if item == read:
                    following.read()
                    continue
                started = time.thread_time()
                out[item] = list(rules[item].on_chunk(chunk, fctx) or ())
                spent[item] += time.thread_time() - started

        later = pool.submit(contextvars.copy_context().run, work)
        try:
            work()
        finally:  # never leave the other thread working on rule state while the engine moves on
            wait([later])
        later.result()
        return out, following
    return both
