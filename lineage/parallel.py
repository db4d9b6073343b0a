"""Spreading per-item work over the cores: one mechanism for every stage.

Workers are forked, so they read the stage's large inputs (documents, tokens,
fingerprints) from memory they inherit instead of receiving them pickled; only the
items and the results travel. Below a size the caller decides, or with one worker, the
same function runs in this process, so both paths give the same results in the same
order.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import signal
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["chunks", "fork_map", "shared", "worker_count"]

T = TypeVar("T")
R = TypeVar("R")

_SHARED: dict[str, Any] = {}  # set before the fork; read by the workers through shared()


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


def shared(key: str) -> Any:
    """A value the caller of :func:`fork_map` made available to the work function."""
    return _SHARED[key]


@contextmanager
def _gc_paused() -> Iterator[None]:
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
def _sharing(values: Mapping[str, Any]) -> Iterator[None]:
    saved = dict(_SHARED)  # a fork_map inside another's work function keeps the outer's
    _SHARED.update(values)
    try:
        yield
    finally:
        _SHARED.clear()
        _SHARED.update(saved)


def _quiet_worker() -> None:
    """Ctrl-C reaches every process of the terminal's group: the parent alone answers it
    (and stops the pool), so a worker neither prints a traceback ("Process
    ForkPoolWorker-N:") nor runs a handler it inherited; the pool's SIGTERM ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def fork_map(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    workers: int,
    parallel: bool,
    share: Mapping[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    every: int = 200,
) -> list[R]:
    """``[fn(x) for x in items]``, on ``workers`` forked processes when ``parallel``.

    ``share`` is readable inside ``fn`` with :func:`shared`; ``progress(done, total)`` is
    called every ``every`` items and at the end.
    """
    n = len(items)
    out: list[R] = []
    with _sharing(share or {}), _gc_paused():
        if parallel and workers > 1 and n > 1:
            chunk = max(1, n // (workers * 16))
            with mp.get_context("fork").Pool(workers, initializer=_quiet_worker) as pool:
                for k, r in enumerate(pool.imap(fn, items, chunk)):
                    out.append(r)
                    if progress and k % every == 0:
                        progress(k, n)
        else:
            for k, x in enumerate(items):
                out.append(fn(x))
                if progress and k % every == 0:
                    progress(k, n)
    if progress:
        progress(n, n)
    return out
