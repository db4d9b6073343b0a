"""A run's per-document arrays, read as objects only when a stage asks for one.

The fingerprint stage leaves the tokens and shingles of every document in a few
concatenated arrays a batch (:class:`lineage.fingerprint.Prepared`, in memory or in
the mapped files of :mod:`lineage.store`). :class:`Columns` holds those batches and
makes a document's :class:`~lineage.text.Tokens`, :class:`~lineage.fingerprint.Fingerprint`
or :class:`~lineage.align.AlignedDoc` (views into the arrays) when it is asked for, and
keeps none: a run holds no Python object per document for its arrays.

Note: the run used to keep an ``AlignedDoc`` (with its ``Tokens``, ``Fingerprint`` and
eight array views) for every document from fingerprinting to the end of alignment, and a
``Tokens`` for every document through inference: about 1.4 KB a document in the parent
(140 MB at 100k documents), and more in each forked alignment worker, which wrote to
(and so copied) the pages of every such object it read, with the document's text, and
cached three masks on each (docs/BENCHMARKS.md, round s23mem).

The texts: the parent's documents hold them. A forked worker that reads a parent's
string copies its pages (the reference count is written), so with a mapped store the
fingerprint workers also write each batch's texts (UTF-8) into the store, and workers
read them from there (:meth:`Columns.aligned` with ``own_text``): a string of their
own, made for the pair and freed with it.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar, overload

import numpy as np

from lineage.fingerprint import Fingerprint, Prepared
from lineage.text import Tokens

if TYPE_CHECKING:
    from lineage.align import AlignedDoc

__all__ = ["Columns", "Lazy", "StoredTexts", "TokenMap"]

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class StoredTexts:
    """A batch's texts as UTF-8 bytes (``surrogatepass``: any Python string comes back
    equal), with each text's byte offsets (length texts + 1)."""

    at: np.ndarray  # int64
    data: np.ndarray  # uint8

    @classmethod
    def of(cls, texts: Sequence[str]) -> StoredTexts:
        raw = [t.encode("utf-8", "surrogatepass") for t in texts]
        at = np.zeros(len(raw) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in raw], out=at[1:])
        return cls(at, np.frombuffer(b"".join(raw), dtype=np.uint8))

    def __getitem__(self, k: int) -> str:
        a, b = int(self.at[k]), int(self.at[k + 1])
        return self.data[a:b].tobytes().decode("utf-8", "surrogatepass")


class Columns:
    """The prepared batches of a run's documents (``parts[p]`` holds the documents from
    ``starts[p]`` on), their ids and texts, read one document at a time. The arrays are
    numpy arrays in memory, or :class:`lineage.store.FileArray` readers of the store's
    files, whose slices are read when made."""

    def __init__(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        parts: Sequence[Prepared],
        starts: Sequence[int],
        stored_texts: Sequence[StoredTexts] | None = None,
    ) -> None:
        self.ids, self.texts = ids, texts
        self.parts, self.starts = list(parts), list(starts)
        self.stored_texts = list(stored_texts) if stored_texts is not None else None

    def __len__(self) -> int:
        return len(self.ids)

    def _where(self, k: int) -> tuple[Prepared, int, int]:
        if not 0 <= k < len(self.ids):
            raise IndexError(k)
        p = bisect.bisect_right(self.starts, k) - 1
        return self.parts[p], k - self.starts[p], p

    def tokens(self, k: int, text: str | None = None) -> Tokens:
        """Document ``k``'s tokens (``text``: the string they point into, else the
        document's own)."""
        part, j, _ = self._where(k)
        return part.tokens(j, self.texts[k] if text is None else text)

    def fp(self, k: int) -> Fingerprint:
        part, j, _ = self._where(k)
        return part.fp(j, self.ids[k])

    def words(self, k: int) -> tuple[int, int]:
        """Words, and boilerplate words, of document ``k``."""
        part, j, _ = self._where(k)
        w0, w1 = int(part.words_at[j]), int(part.words_at[j + 1])
        return w1 - w0, int(np.count_nonzero(part.boilerplate[w0:w1]))

    def text(self, k: int, *, own: bool = False) -> str:
        """Document ``k``'s text: the parent's string, or with ``own`` (in a forked
        worker) a copy read from the store when it holds the texts."""
        if own and self.stored_texts is not None:
            _, j, p = self._where(k)
            return self.stored_texts[p][j]
        return self.texts[k]

    def aligned(self, k: int, *, own_text: bool = False) -> AlignedDoc:
        """What alignment needs of document ``k`` (:meth:`text` for ``own_text``)."""
        from lineage.align import AlignedDoc

        text = self.text(k, own=own_text)
        return AlignedDoc(self.ids[k], text, self.tokens(k, text), self.fp(k))

    def all_tokens(self) -> Lazy[Tokens]:
        return Lazy(len(self), self.tokens)

    def fps(self, keep: Sequence[int] | None = None) -> Lazy[Fingerprint]:
        """The fingerprints of all documents, or of the documents ``keep`` (indices),
        with their sizes (``sizes``: distinct shingles, from the batches' bounds)."""
        sizes = np.concatenate([np.diff(p.unique_at) for p in self.parts] or [np.zeros(0)])
        if keep is None:
            return Lazy(len(self), self.fp, sizes=sizes)
        picked = sizes[np.asarray(keep, dtype=np.int64)] if len(keep) else sizes[:0]
        return Lazy(len(keep), lambda r: self.fp(keep[r]), sizes=picked)


class Lazy(Sequence[T], Generic[T]):
    """A read-only sequence of ``n`` items, item ``k`` made by ``make(k)`` when read."""

    def __init__(self, n: int, make: Callable[[int], T], *, sizes: np.ndarray | None = None):
        self._n, self._make = n, make
        self.sizes = sizes  # of each item, when the maker knows them without making it

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, k: int) -> T: ...
    @overload
    def __getitem__(self, k: slice) -> list[T]: ...
    def __getitem__(self, k: int | slice) -> T | list[T]:
        if isinstance(k, slice):
            return [self._make(i) for i in range(*k.indices(self._n))]
        if k < 0:
            k += self._n
        if not 0 <= k < self._n:
            raise IndexError(k)
        return self._make(k)

    def __iter__(self) -> Iterator[T]:
        return (self._make(k) for k in range(self._n))


class TokenMap(Mapping[str, Tokens]):
    """Document id -> its :class:`Tokens`, for the documents of ``columns`` not in
    ``left_out`` (indices): found by bisection in the sorted ids, made when read, the
    last ``cache`` read kept (a story's documents are read again and again)."""

    def __init__(self, columns: Columns, left_out: Mapping[int, object], cache: int = 4096):
        self._c, self._out, self._cache = columns, left_out, cache
        self._recent: OrderedDict[int, Tokens] = OrderedDict()

    def _index(self, key: object) -> int:
        ids = self._c.ids
        if isinstance(key, str):
            k = bisect.bisect_left(ids, key)
            if k < len(ids) and ids[k] == key and k not in self._out:
                return k
        raise KeyError(key)

    def __getitem__(self, key: str) -> Tokens:
        k = self._index(key)
        hit = self._recent.get(k)
        if hit is not None:
            self._recent.move_to_end(k)
            return hit
        t = self._c.tokens(k)
        self._recent[k] = t
        if len(self._recent) > self._cache:
            self._recent.popitem(last=False)
        return t

    def __contains__(self, key: object) -> bool:
        try:
            self._index(key)
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return (d for k, d in enumerate(self._c.ids) if k not in self._out)

    def __len__(self) -> int:
        return len(self._c.ids) - sum(1 for k in self._out if 0 <= k < len(self._c.ids))
