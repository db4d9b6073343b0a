"""Shingles and MinHash sketches: a document reduced to what reuse detection compares.

A shingle is a run of ``n`` consecutive content words (no boilerplate word inside),
hashed to 64 bits from the word hashes with a vectorized polynomial hash, so the
shingles of a document cost a few numpy operations rather than a Python loop.
Sketches are datasketch ``MinHash`` objects (affine64 scheme, fixed seed) built
from those 64-bit values, so two runs give the same sketches.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lineage.parallel import chunks, fork_map
from lineage.text import Tokens, offset_dtype, tokenize_many

__all__ = [
    "Fingerprint",
    "Prepared",
    "fingerprint",
    "isin_sorted",
    "minhash_values",
    "minhashes",
    "prepare",
    "shared_shingles",
    "shingle_hashes",
    "sizes_of",
]

# Odd 64-bit multiplier for the polynomial shingle hash (wraps modulo 2**64).
_MULT = np.uint64(0x9E3779B97F4A7C15)
_MASK_EMPTY = np.empty(0, dtype=np.uint64)


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """The shingles of one document."""

    doc_id: str
    positions: np.ndarray  # int32 (offset_dtype): token index where each kept shingle starts
    hashes: np.ndarray  # uint64: shingle hash at each kept position (text order)
    unique: np.ndarray  # uint64: sorted distinct shingle hashes (the document's set)

    @property
    def size(self) -> int:
        return len(self.unique)


def shingle_hashes(tokens: Tokens, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every run of ``n`` content words, with the token index each starts at.

    Runs that touch a boilerplate word are dropped, so page chrome never makes two
    documents look alike.

    >>> from lineage.text import tokenize
    >>> pos, h = shingle_hashes(tokenize("a b c d e f"), 5)
    >>> pos.tolist(), len(set(h.tolist()))
    ([0, 1], 2)
    """
    m = len(tokens) - n + 1
    if m <= 0:
        return np.empty(0, dtype=offset_dtype(len(tokens))), _MASK_EMPTY
    words = tokens.hashes
    acc = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            acc = acc * _MULT + words[k : k + m]
        # final avalanche (splitmix64 finalizer) so nearby shingles spread evenly
        acc ^= acc >> np.uint64(30)
        acc *= np.uint64(0xBF58476D1CE4E5B9)
        acc ^= acc >> np.uint64(27)
        acc *= np.uint64(0x94D049BB133111EB)
        acc ^= acc >> np.uint64(31)
    boiler = tokens.boilerplate.astype(np.int64)
    if boiler.any():
        csum = np.concatenate(([0], np.cumsum(boiler)))
        clean = (csum[n : n + m] - csum[:m]) == 0
    else:
        clean = np.ones(m, dtype=bool)
    pos = np.nonzero(clean)[0].astype(offset_dtype(len(tokens)))
    return pos, acc[clean]


def fingerprint(doc_id: str, tokens: Tokens, *, shingle_size: int = 5) -> Fingerprint:
    pos, hashes = shingle_hashes(tokens, shingle_size)
    return Fingerprint(doc_id, pos, hashes, np.unique(hashes))


@dataclass(frozen=True, eq=False)
class Prepared:
    """The tokens and shingles of a batch of documents, as a few concatenated arrays.

    What a worker sends back instead of each document's objects: pickling a handful of
    large arrays costs a memory copy, where the words and text of every document cost
    more to unpickle in the parent than they took to compute. ``*_at`` hold each
    document's slice boundaries (length documents + 1).
    """

    words_at: np.ndarray  # int64
    hashes: np.ndarray  # uint64 word hashes
    starts: np.ndarray  # int32 (offset_dtype)
    ends: np.ndarray  # int32
    quoted: np.ndarray  # bool
    boilerplate: np.ndarray  # bool
    shingles_at: np.ndarray  # int64
    positions: np.ndarray  # int32
    shingles: np.ndarray  # uint64
    unique_at: np.ndarray  # int64
    unique: np.ndarray  # uint64

    def __len__(self) -> int:
        return len(self.words_at) - 1

    def tokens(self, k: int, text: str) -> Tokens:
        """Document ``k``'s :class:`Tokens`: views into the arrays (or, read from the
        store's files, slices read when made), with its ``text``."""
        w0, w1 = int(self.words_at[k]), int(self.words_at[k + 1])
        return Tokens(
            self.hashes[w0:w1],
            self.starts[w0:w1],
            self.ends[w0:w1],
            self.quoted[w0:w1],
            self.boilerplate[w0:w1],
            text,
        )

    def fp(self, k: int, doc_id: str) -> Fingerprint:
        """Document ``k``'s :class:`Fingerprint`, under ``doc_id``."""
        s0, s1 = int(self.shingles_at[k]), int(self.shingles_at[k + 1])
        u0, u1 = int(self.unique_at[k]), int(self.unique_at[k + 1])
        return Fingerprint(doc_id, self.positions[s0:s1], self.shingles[s0:s1], self.unique[u0:u1])

    def unpack(self, ids: Sequence[str], texts: Sequence[str]) -> list[tuple[Tokens, Fingerprint]]:
        """Each document's :meth:`tokens` and :meth:`fp`, with the documents' own
        ``texts`` (the parent already holds them)."""
        return [
            (self.tokens(k, text), self.fp(k, doc_id))
            for k, (doc_id, text) in enumerate(zip(ids, texts, strict=True))
        ]


def prepare(
    texts: Sequence[str],
    boilerplates: Sequence[tuple[tuple[int, int], ...]],
    *,
    shingle_size: int = 5,
) -> Prepared:
    """Tokenize and shingle a batch of documents (:func:`lineage.text.tokenize`,
    :func:`fingerprint`) into one :class:`Prepared`.

    >>> p = prepare(["a b c d e f", "x y"], [(), ()])
    >>> [(len(t), fp.size) for t, fp in p.unpack(["1", "2"], ["a b c d e f", "x y"])]
    [(6, 2), (2, 0)]
    """
    toks = tokenize_many(texts, boilerplates)
    fps = [fingerprint("", t, shingle_size=shingle_size) for t in toks]

    def cat(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(arrays) if arrays else np.empty(0, dtype=dtype)

    def bounds(sizes: list[int]) -> np.ndarray:
        return np.concatenate(([0], np.cumsum(np.array(sizes, dtype=np.int64))))

    return Prepared(
        words_at=bounds([len(t) for t in toks]),
        hashes=cat([t.hashes for t in toks], np.uint64),
        starts=cat([t.starts for t in toks], np.int32),
        ends=cat([t.ends for t in toks], np.int32),
        quoted=cat([t.quoted for t in toks], np.bool_),
        boilerplate=cat([t.boilerplate for t in toks], np.bool_),
        shingles_at=bounds([len(f.hashes) for f in fps]),
        positions=cat([f.positions for f in fps], np.int32),
        shingles=cat([f.hashes for f in fps], np.uint64),
        unique_at=bounds([f.size for f in fps]),
        unique=cat([f.unique for f in fps], np.uint64),
    )


def sizes_of(fps: Sequence[Fingerprint]) -> np.ndarray:
    """``[fp.size for fp in fps]`` as an int64 array: read from ``fps.sizes`` when the
    sequence has them (``lineage.columns``: the sizes from the batches' bounds, where
    making each fingerprint would read its three arrays from the store)."""
    known = getattr(fps, "sizes", None)
    if known is not None:
        return np.asarray(known, dtype=np.int64)
    return np.fromiter((fp.size for fp in fps), dtype=np.int64, count=len(fps))


def shared_shingles(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sorted distinct values in both sorted distinct arrays (``Fingerprint.unique``).

    Same result as ``np.intersect1d(a, b, assume_unique=True)``, by binary search of the
    smaller array in the larger rather than sorting both together.
    Note: 3-4x faster on article-sized sets; called once or twice per candidate pair.
    """
    if len(a) > len(b):
        a, b = b, a
    if not len(a) or not len(b):
        return a[:0]
    idx = np.searchsorted(b, a)
    idx[idx == len(b)] = 0
    return a[b[idx] == a]


def isin_sorted(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """``np.isin(values, table)`` for a sorted distinct non-empty ``table``."""
    idx = np.searchsorted(table, values)
    idx[idx == len(table)] = 0
    return table[idx] == values


def _identity(x: object) -> object:
    return x


def minhashes(fps: Sequence[Fingerprint], *, num_perm: int = 128, seed: int = 1) -> list:
    """datasketch MinHash sketches of the documents' shingle sets (scheme affine64).

    The shingles are already 64-bit hashes, so the sketches are computed here in numpy:
    datasketch's own ``update_batch`` (even through ``MinHash.bulk``) calls its
    ``hashfunc`` once per shingle in Python, which was its slow part. The values are
    datasketch's, bit for bit: its permutations (same ``seed``), its MurmurHash3
    pre-mix, then ``min(a * h + b)`` per permutation, wrapping modulo 2**64
    (``tests/test_fingerprint.py`` compares with ``MinHash.bulk``).
    """
    from datasketch import MinHash

    perms = _proto(num_perm, seed).permutations
    return [
        MinHash(
            seed=seed,
            hashfunc=_identity,
            hashvalues=values,
            permutations=perms,
            scheme="affine64",
        )
        for values in minhash_values(fps, num_perm=num_perm, seed=seed)
    ]


def minhash_values(
    fps: Sequence[Fingerprint], *, num_perm: int = 128, seed: int = 1, workers: int = 1
) -> np.ndarray:
    """The :func:`minhashes` sketch values alone, one row per document, computed on
    ``workers`` forked processes for a large corpus."""
    # decided once for the corpus, and compiled here before the fork, so that each
    # worker neither decides on its own chunk nor compiles the kernel again
    compiled = int(sizes_of(fps).sum()) >= _COMPILED_MIN_HASHES and _kernel() is not None
    parts = fork_map(
        _minhash_rows,
        chunks(len(fps), workers),
        workers=workers,
        parallel=len(fps) >= _PARALLEL_SKETCHES,
        context=(fps, num_perm, seed, compiled),
    )
    return np.concatenate(parts) if parts else np.empty((0, num_perm), dtype=np.uint64)


def _minhash_rows(
    context: tuple[Sequence[Fingerprint], int, int, bool], chunk: range
) -> np.ndarray:
    fps, num_perm, seed, compiled = context
    return _minhash_batch(
        [fps[k].unique for k in chunk], num_perm=num_perm, seed=seed, compiled=compiled
    )


def _minhash_batch(
    sets: Sequence[np.ndarray], *, num_perm: int, seed: int, compiled: bool | None = None
) -> np.ndarray:
    """Sketch values of many shingle sets at once, one row per set.

    ``compiled``: use the numba kernel (:func:`_kernel`; None: when numba is installed
    and the batch is large enough to repay compiling it). Otherwise numpy: all the sets'
    hashes are permuted together in blocks of ``_MINHASH_ROWS`` hashes (bounding the
    permutations x hashes temporary), each block reduced per set with one
    ``np.minimum.reduceat``. Both give datasketch's values bit for bit.
    Note: 5,000 sets of 0-1,200 hashes: numpy 0.4-0.9 s, as fast as a loop per set;
    the numba kernel 0.06-0.09 s, after ~0.3 s compiling once per process.
    """
    proto = _proto(num_perm, seed)
    perm_a, perm_b = proto.permutations[0], proto.permutations[1]
    sizes = np.fromiter(map(len, sets), dtype=np.int64, count=len(sets))
    total = int(sizes.sum())
    if compiled is None:
        compiled = total >= _COMPILED_MIN_HASHES and _kernel() is not None
    if not total:
        return np.tile(proto.hashvalues, (len(sets), 1))
    hv = _fmix64(np.concatenate(sets))
    if compiled:
        kernel = _kernel()
        if kernel is None:
            raise RuntimeError("numba is not installed: pip install 'lineage[fast]'")
        out = np.tile(proto.hashvalues, (len(sets), 1))
        kernel(hv, np.concatenate(([0], np.cumsum(sizes))), perm_a, perm_b, out)
        return out
    out_t = np.tile(proto.hashvalues[:, None], (1, len(sets)))  # permutations x sets
    a, b = perm_a[:, None], perm_b[:, None]
    owner = np.repeat(np.arange(len(sets), dtype=np.int64), sizes)
    with np.errstate(over="ignore"):
        for s in range(0, total, _MINHASH_ROWS):
            own = owner[s : s + _MINHASH_ROWS]
            block = a * hv[None, s : s + _MINHASH_ROWS] + b
            first = np.flatnonzero(np.concatenate(([True], own[1:] != own[:-1])))
            docs = own[first]  # distinct within a block: each set's hashes are consecutive
            out_t[:, docs] = np.minimum(out_t[:, docs], np.minimum.reduceat(block, first, axis=1))
    return np.ascontiguousarray(out_t.T)


@functools.lru_cache(maxsize=1)
def _kernel() -> Callable[..., None] | None:
    """The compiled MinHash loop, or None without numba (an optional extra: ``fast``).

    Compiled eagerly (explicit signature) in the process that first asks, so forked
    workers inherit the machine code; not cached to disk, so nothing is written.
    """
    try:
        import numba
    except ImportError:
        return None

    @numba.njit(
        "void(uint64[::1], int64[::1], uint64[::1], uint64[::1], uint64[:, ::1])",
        nogil=True,
        cache=False,
    )
    def minhash_kernel(hv, bounds, a, b, out):  # type: ignore[no-untyped-def]
        for d in range(len(bounds) - 1):
            for i in range(bounds[d], bounds[d + 1]):
                h = hv[i]
                for p in range(a.shape[0]):
                    v = a[p] * h + b[p]  # wraps modulo 2**64, as datasketch's affine64
                    if v < out[d, p]:
                        out[d, p] = v

    return minhash_kernel  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=8)
def _proto(num_perm: int, seed: int) -> Any:
    """An empty datasketch MinHash: its permutations (rows a and b) and its initial
    sketch values, for ``num_perm`` and ``seed``."""
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=seed, hashfunc=_identity, scheme="affine64")


_PARALLEL_SKETCHES = 2_000  # documents above which sketches are computed by the workers
_MINHASH_ROWS = 8192
_COMPILED_MIN_HASHES = 2_000_000  # hashes in one batch above which compiling pays


def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer, as datasketch pre-mixes affine64 inputs."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))
