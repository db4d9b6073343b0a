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

import ctypes
import ctypes.util
import functools
import gc
import multiprocessing as mp
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["chunks", "fork_call", "fork_map", "release_memory", "worker_count"]

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
    tasks_per_worker: int | None = None,
) -> list[R]:
    """``[fn(context, x) for x in items]``, on ``workers`` forked processes when
    ``parallel``.

    ``context`` is whatever the work needs besides its item (a tuple or a small record of
    the stage's arrays): the forked workers inherit it, they are not sent it.
    ``progress(done, total)`` is called every ``every`` items and at the end.
    ``tasks_per_worker``: a worker is replaced by a newly forked one after that many
    items (None: workers live for the whole map). A worker that reads the parent's
    objects writes their reference counts, and so copies each page it reads (a
    document's text, most of a page): a worker kept for the whole stage ends up holding
    its own copy of everything it read.
    """
    n = len(items)
    out: list[R] = []
    with gc_paused():
        if parallel and workers > 1 and n > 1:
            chunk = max(1, n // (workers * 16))
            with (
                _inherited(fn, context),
                mp.get_context("fork").Pool(
                    workers, initializer=_quiet_worker, maxtasksperchild=tasks_per_worker
                ) as pool,
            ):
                if tasks_per_worker is not None:  # a task is one item: counted as such
                    chunk = 1
                for k, r in enumerate(pool.imap(_call_inherited, items, chunk)):
                    out.append(r)
                    if progress and k % every == 0:
                        progress(k, n)
                if tasks_per_worker is not None:
                    # workers end on their own before the pool is left: terminating a
                    # pool that replaces its workers races with a replacement being
                    # forked, which then never gets the signal and is waited for forever
                    pool.close()
                    pool.join()
        else:
            for k, x in enumerate(items):
                out.append(fn(context, x))
                if progress and k % every == 0:
                    progress(k, n)
    if progress:
        progress(n, n)
    return out


def fork_call(fn: Callable[..., R], *args: Any) -> R:
    """``fn(*args)``, run in a forked child process: its result is pickled back, its
    exception raised here.

    For a stage whose transient memory is far larger than its result (the chrome
    stage's line objects: freed, but kept by the allocator and reused only by small
    objects): that memory dies with the child. The child inherits ``args`` (they are
    not pickled); only the result travels, so it should be compact.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            os.close(read_fd)
            _quiet_worker()
            gc.disable()  # a collection would write to, and so copy, every inherited page
            try:
                payload = pickle.dumps((True, fn(*args)), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as e:  # noqa: BLE001 (sent to the parent, raised there)
                try:
                    payload = pickle.dumps((False, e), protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:  # noqa: BLE001 (an exception that does not pickle)
                    payload = pickle.dumps((False, RuntimeError(repr(e))))
            with os.fdopen(write_fd, "wb") as out:
                out.write(payload)
        except BaseException:  # noqa: BLE001 (the pipe closed: the parent sees no result)
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb") as inp:
            payload = inp.read()
    except BaseException:  # interrupted (the child ignores Ctrl-C): it is not waited for
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        _, status = os.waitpid(pid, 0)
    if not payload:
        raise RuntimeError(f"fork_call: the child ended without a result (status {status})")
    ok, value = pickle.loads(payload)
    del payload
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


def release_memory() -> None:
    """Give the memory freed so far back to the operating system: a full collection,
    then glibc's ``malloc_trim(0)`` (freed arenas are otherwise kept for reuse by later
    small objects only; a no-op where the C library has no such call)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None (another C library, another system)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]
