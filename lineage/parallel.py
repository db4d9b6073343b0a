"""Spreading per-item work over the cores: one mechanism for every stage.

Workers are forked, so they read the stage's large inputs (documents, tokens,
fingerprints) from memory they inherit instead of receiving them pickled; only the
items and the results travel. The caller hands those inputs to :func:`fork_map` as its
``context``, and the work function receives them as its first argument: no stage code
reads a global. The one module-level value, the context set before the fork for the
workers to inherit, is this module's own. Below a size the caller decides, or with one
worker, the same function runs in this process, so both paths give the same results in
the same order.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["chunks", "fork_map", "worker_count"]

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")

# The running fork_map's work function and context, set before the pool forks: a worker
# inherits them, so the context's arrays are never pickled. Private to this module.
_INHERITED: dict[str, Any] = {}


def worker_count(requested: int) -> int:
    """``requested`` processes, or all cores (at most 8) for 0."""
    return requested or max(1, min(os.cpu_count() or 1, 8))


def chunks(n: int, workers: int, per_worker: int = 8) -> list[range]:
    """range(n) cut into about ``per_worker`` consecutive chunks per worker: the items of
    a :func:`fork_map` whose work per item is too small to send one at a time.

    >>> chunks(5, 1, per_worker=2)
    [range(0, 3), range(3, 5)]
    """
    size = max(1, -(-n // (worker_count(workers) * per_worker)))
    return [range(k, min(n, k + size)) for k in range(0, n, size)]


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a stage runs: its many small objects (evidence,
    passages) hold no cycles, yet each full collection walks every object alive, and in a
    forked worker that walk writes to, and so copies, every page it inherited."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def _inherited(fn: Callable[[Any, Any], Any], context: Any) -> Iterator[None]:
    saved = dict(_INHERITED)  # a fork_map inside another's work function keeps the outer's
    _INHERITED["job"] = (fn, context)
    try:
        yield
    finally:
        _INHERITED.clear()
        _INHERITED.update(saved)


def _call_inherited(item: Any) -> Any:
    """In a worker: the work function on ``item``, with the context it inherited."""
    fn, context = _INHERITED["job"]
    return fn(context, item)


def _quiet_worker() -> None:
    """Ctrl-C reaches every process of the terminal's group: the parent alone answers it
    (and stops the pool), so a worker neither prints a traceback ("Process
    ForkPoolWorker-N:") nor runs a handler it inherited; the pool's SIGTERM ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def fork_map(
    fn: Callable[[C, T], R],
    items: Sequence[T],
    *,
    workers: int,
    parallel: bool,
    context: C = None,  # type: ignore[assignment]
    progress: Callable[[int, int], None] | None = None,
    every: int = 200,
) -> list[R]:
    """``[fn(context, x) for x in items]``, on ``workers`` forked processes when
    ``parallel``.

    ``context`` is whatever the work needs besides its item (a tuple or a small record of
    the stage's arrays): the forked workers inherit it, they are not sent it.
    ``progress(done, total)`` is called every ``every`` items and at the end.
    """
    n = len(items)
    out: list[R] = []
    with gc_paused():
        if parallel and workers > 1 and n > 1:
            chunk = max(1, n // (workers * 16))
            with (
                _inherited(fn, context),
                mp.get_context("fork").Pool(workers, initializer=_quiet_worker) as pool,
            ):
                for k, r in enumerate(pool.imap(_call_inherited, items, chunk)):
                    out.append(r)
                    if progress and k % every == 0:
                        progress(k, n)
        else:
            for k, x in enumerate(items):
                out.append(fn(context, x))
                if progress and k % every == 0:
                    progress(k, n)
    if progress:
        progress(n, n)
    return out
