"""The local executor: this machine's cores, through :func:`lineage.parallel.fork_map`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from lineage.engine.base import Batch, Emit, Executor, Reduce
from lineage.parallel import chunks, fork_map, worker_count

__all__ = ["LocalExecutor"]


class LocalExecutor(Executor):
    """Collections are lists; batches go to ``workers`` forked processes once there are
    at least ``parallel_from`` items (below that a pool costs more than it saves)."""

    name = "local"

    def __init__(self, *, workers: int = 0, parallel_from: int = 2_000) -> None:
        self.workers = worker_count(workers)
        self.parallel_from = parallel_from

    def scatter(self, items: Sequence[Any]) -> list[Any]:
        return list(items)

    def collect(self, coll: Any) -> list[Any]:
        return list(coll)

    def concat(self, *colls: Any) -> list[Any]:
        return [x for c in colls for x in c]

    def _batches(self, fn: Batch, items: Sequence[Any]) -> list[Any]:
        parts = fork_map(
            _run_batch,
            chunks(len(items), self.workers),
            workers=self.workers,
            parallel=len(items) >= self.parallel_from,
            context=(fn, items),
        )
        return [r for part in parts for r in part]

    def map_documents(self, fn: Batch, docs: Any) -> list[Any]:
        return self._batches(fn, list(docs))

    def shuffle(
        self,
        emit: Emit,
        reduce: Reduce,
        records: Any,
        *,
        min_group: int = 1,
        max_group: int | None = None,
        bytes_keys: bool = False,
    ) -> list[Any]:
        groups: dict[Any, list[int]] = {}
        for rec in records:
            for key, value in emit(rec):
                groups.setdefault(key, []).append(value)
        out: list[Any] = []
        # keys in sorted order, so the local result does not depend on insertion order
        for key in sorted(groups):
            values = groups[key]
            if len(values) < min_group or (max_group is not None and len(values) > max_group):
                continue
            out.extend(reduce(key, sorted(values)))
        return out

    def map_pairs(self, fn: Batch, pairs: Any, docs: Any) -> list[Any]:
        by_index = {rec[0]: rec for rec in docs}
        items = [(i, j, by_index[i], by_index[j]) for i, j in pairs]
        return self._batches(fn, items)

    def map_stories(self, fn: Callable[[Any], Any], stories: Sequence[Any]) -> list[Any]:
        return fork_map(
            _run_one,
            list(stories),
            workers=self.workers,
            parallel=len(stories) >= self.parallel_from,
            context=fn,
        )


def _run_batch(context: tuple[Batch, Sequence[Any]], chunk: range) -> list[Any]:
    fn, items = context
    return list(fn([items[k] for k in chunk]))


def _run_one(fn: Callable[[Any], Any], item: Any) -> Any:
    return fn(item)
