"""The executor interface: four verbs, and the plumbing that moves collections.

A *collection* is whatever the executor keeps its items in (a list for the local
executor, an RDD for Spark); stage code only passes collections back to the executor
that made them, and calls :meth:`Executor.collect` when it needs the items here.

The verbs:

* :meth:`~Executor.map_documents`: a function over batches of document records;
* :meth:`~Executor.shuffle`: records emit ``(key, value)`` entries, the entries are
  grouped by key, and each group (its values sorted) is reduced to output items:
  the rare-shingle index (key: a shingle) and LSH buckets (key: a band) are shuffles;
* :meth:`~Executor.map_pairs`: a function over batches of ``(i, j, record_i, record_j)``,
  the executor bringing both documents' records to each pair (a join on Spark);
* :meth:`~Executor.map_stories`: a function over stories.

Work functions must be picklable top-level functions (or ``functools.partial`` of
them): Spark ships them to other machines, and the local executor forks. They take what
they need as arguments (a partial's bound values, a frozen record like
:class:`PairVotes`) and read no global.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Batch", "CountVotes", "Emit", "Executor", "PairVotes", "Reduce", "as_entry"]

Batch = Callable[[list[Any]], Iterable[Any]]  # a batch of items -> its results
Emit = Callable[[Any], Iterable[tuple[Any, int]]]  # a record -> (key, value) entries
Reduce = Callable[[Any, list[int]], Iterable[Any]]  # key, its values sorted -> results


# Work an executor may run natively, because a shuffle's volume is in it: the emit that
# passes (key, value) items on as they are, and the two reduces of pair counting (on
# Spark they run as SQL in the JVM; called as functions, they are their own reference).


def as_entry(item: tuple[Any, int]) -> Iterator[tuple[Any, int]]:
    """The emit of items that already are (key, value) entries."""
    yield item


@dataclass(frozen=True)
class PairVotes:
    """A reduce: ``(a * n_docs + b, vote)`` for every pair a < b of a group's values."""

    n_docs: int
    vote: int

    def __call__(self, key: Any, members: list[int]) -> Iterator[tuple[int, int]]:
        for x, a in enumerate(members):
            base = a * self.n_docs
            for b in members[x + 1 :]:
                yield base + b, self.vote


@dataclass(frozen=True)
class CountVotes:
    """A reduce: the pair ``(key // n_docs, key % n_docs)`` when its votes add up to at
    least ``min_votes``."""

    n_docs: int
    min_votes: int

    def __call__(self, key: int, votes: list[int]) -> Iterator[tuple[int, int]]:
        if sum(votes) >= self.min_votes:
            yield key // self.n_docs, key % self.n_docs


class Executor(ABC):
    """Where a stage's work runs. See the module docstring for the verbs."""

    name: str = ""

    # -- plumbing -------------------------------------------------------------
    @abstractmethod
    def scatter(self, items: Sequence[Any]) -> Any:
        """A collection of ``items`` (kept in this order by the local executor)."""

    @abstractmethod
    def collect(self, coll: Any) -> list[Any]:
        """The items of a collection, here (in no promised order on Spark)."""

    @abstractmethod
    def concat(self, *colls: Any) -> Any:
        """One collection holding the items of all ``colls``."""

    def documents(self, records: Sequence[Any], work: Path) -> Any:
        """A collection of document records; ``work`` is a folder the executor may
        stage them in (Spark reads them back from Parquet there)."""
        return self.scatter(records)

    def write_pairs(self, pairs: Any, work: Path) -> None:
        """``pairs.parquet`` and ``passages.parquet`` of a collection of pairs, in
        ``work``: what story inference reads."""
        from lineage.engine.stages import write_pairs

        write_pairs(self.collect(pairs), work)

    def close(self) -> None:  # noqa: B027 (nothing to release by default)
        """Release what the executor holds (a Spark session it started)."""

    # -- the four verbs -------------------------------------------------------
    @abstractmethod
    def map_documents(self, fn: Batch, docs: Any) -> Any:
        """``fn`` over batches of document records; the results, flattened."""

    @abstractmethod
    def shuffle(
        self,
        emit: Emit,
        reduce: Reduce,
        records: Any,
        *,
        min_group: int = 1,
        max_group: int | None = None,
        bytes_keys: bool = False,
    ) -> Any:
        """Group the ``(key, value)`` entries that ``emit`` makes of each record by key;
        keep the groups of ``min_group`` to ``max_group`` entries; ``reduce(key, values)``
        (values ascending) on each kept group; the results, flattened. Keys are ``int``
        (64-bit signed), or ``bytes`` when ``bytes_keys``; values are ``int``."""

    @abstractmethod
    def map_pairs(self, fn: Batch, pairs: Any, docs: Any) -> Any:
        """``fn`` over batches of ``(i, j, docs[i], docs[j])`` for each ``(i, j)`` of
        ``pairs``, where a document record's first field is its index ``i``."""

    @abstractmethod
    def map_stories(self, fn: Callable[[Any], Any], stories: Sequence[Any]) -> list[Any]:
        """``[fn(s) for s in stories]``, in order."""
