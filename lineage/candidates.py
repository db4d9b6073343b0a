"""Candidate pairs without comparing all pairs, then exact verification.

Two channels, unioned:

* **rare-shingle index** (as in passim): every shingle that occurs in 2..``max_df``
  documents votes for each pair of documents holding it; a pair with at least
  ``min_shared`` votes is a candidate. It finds a short copy of a long article (high
  containment, low Jaccard) as surely as a near-duplicate, because it counts shared
  passages, not set similarity. Shingles in more than ``max_df`` documents (stock
  phrases, or a text syndicated to hundreds of outlets) are left to the next channel.
  Note: measured on a 20k-document corpus of edited copies, LSH at Jaccard 0.5 found
  39-57% of planted pairs; this index finds them all.
* **MinHash LSH** (datasketch ``MinHashLSH``): catches near-duplicates whose shared
  shingles are all too common for the index, e.g. one wire story on 500 sites.

Each candidate is then verified on the exact shingle sets: Jaccard and both
containments, and dropped when nothing is really shared.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lineage.columns import Lazy
from lineage.fingerprint import Fingerprint, minhash_values, minhashes, shared_shingles, sizes_of
from lineage.parallel import chunks, fork_map, worker_count

__all__ = [
    "IndexPart",
    "Overlap",
    "candidate_array",
    "candidate_pairs",
    "overlap",
    "rare_shingle_pairs",
    "lsh_pairs",
]

# Entries (shingle, document) handled per partition of the index, in all workers at
# once: bounds memory on large corpora (each partition is a slice of the hash space).
# A slice in flight costs about 50 bytes an entry (its selection, the sort, the sorted
# copies): at 20M, two workers added about 1.9 GB at 100k documents (BENCHMARKS, round 8).
_PARTITION_ENTRIES = 8_000_000


def _doc_dtype(n_docs: int) -> type[np.signedinteger]:
    """The narrowest of int32 and int64 that numbers ``n_docs`` documents."""
    return np.int32 if n_docs < 2**31 else np.int64


@dataclass(frozen=True)
class Overlap:
    """Exact shingle overlap of a verified candidate pair (indices into the corpus)."""

    i: int
    j: int
    shared: int
    jaccard: float
    containment_i: float  # |S_i & S_j| / |S_i|
    containment_j: float


@dataclass(frozen=True, eq=False)
class IndexPart:
    """Entries of the rare-shingle index as a caller already holds them: the distinct
    shingles of a run of documents, one document after another (``hashes``, each
    document's slice bounded by ``at``, length documents + 1), and each of those
    documents' number in the index (``docs``; -1: not in it). The fingerprint stage's
    batches are such runs (``Prepared.unique``, ``Prepared.unique_at``), so the index is
    read where it lies, in memory or in the mapped store, and never concatenated."""

    hashes: np.ndarray  # uint64
    at: np.ndarray  # int64
    docs: np.ndarray  # int64

    @classmethod
    def of(cls, fps: Sequence[Fingerprint]) -> IndexPart:
        """The entries of ``fps``, document k numbered k."""
        sizes = sizes_of(fps)
        hashes = np.concatenate([fp.unique for fp in fps]) if len(fps) else np.empty(0, np.uint64)
        at = np.concatenate(([0], np.cumsum(sizes)))
        return cls(hashes, at, np.arange(len(fps), dtype=np.int64))

    def entries(self) -> int:
        """Entries of the documents in the index."""
        return int(np.diff(self.at)[self.docs >= 0].sum())


def rare_shingle_pairs(
    fps: Sequence[Fingerprint],
    *,
    max_df: int = 64,
    min_shared: int = 2,
    workers: int = 1,
    index: Sequence[IndexPart] | None = None,
) -> np.ndarray:
    """Pairs (i, j), i < j, sharing at least ``min_shared`` shingles of document frequency
    2..``max_df``. Returns an ``(k, 2)`` int64 array, sorted. ``workers``: a large
    corpus's index is cut into slices of the hash space, one or more per worker.
    ``index``: the entries of ``fps`` as the caller holds them (:class:`IndexPart`),
    read in place."""
    n_docs = len(fps)
    if index is None:
        index = [IndexPart.of(fps)] if n_docs >= 2 else []
    total = sum(p.entries() for p in index)
    if n_docs < 2 or total == 0:
        return np.empty((0, 2), dtype=np.int64)
    # slices of at most _PARTITION_ENTRIES entries in flight at once, in all workers
    w = worker_count(workers) if total >= _PARALLEL_ENTRIES else 1
    parts = max(-(-total * w // _PARTITION_ENTRIES), w)
    votes = fork_map(
        _slice_votes,
        range(parts),
        workers=w,
        parallel=w > 1,
        context=(list(index), n_docs, max_df, parts),
    )
    key = np.concatenate([k for k, _ in votes])
    cnt = np.concatenate([c for _, c in votes])
    if parts > 1 and len(key):
        uniq, inv = np.unique(key, return_inverse=True)
        cnt = np.bincount(inv, weights=cnt).astype(np.int64)
        key = uniq
    key = key[cnt >= min_shared]
    return (
        np.stack([key // n_docs, key % n_docs], axis=1) if len(key) else np.empty((0, 2), np.int64)
    )


# Index entries (shingle, document) above which the slices are counted by the workers
_PARALLEL_ENTRIES = 2_000_000


def _slice_votes(
    context: tuple[list[IndexPart], int, int, int], part: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pair keys and their votes from one slice of the index's hash space: ``context``
    is the whole index (its parts), the corpus size, the document frequency cap and
    the number of slices."""
    index, n_docs, max_df, parts = context
    dtype = _doc_dtype(n_docs)
    hs, ds = [], []
    for ip in index:
        hashes, docs = _slice_of(ip.hashes, ip, parts, part)
        hs.append(hashes)
        ds.append(docs.astype(dtype))
    return _pair_votes(np.concatenate(hs), np.concatenate(ds), n_docs, max_df)


# Entries of the index whose slice number is computed at once: the selection of a slice
# made over the whole index at once held a uint64 temporary of every entry (376 MB at
# 100k documents) in each worker
_SELECT_BLOCK = 1 << 20


def _slice_of(
    hashes: np.ndarray, ip: IndexPart, parts: int, part: int
) -> tuple[np.ndarray, np.ndarray]:
    """The entries of the index part ``ip`` whose hash is ``part`` modulo ``parts``, in
    index order, with their documents (entries of documents numbered -1 left out),
    selected a block at a time (same result as one boolean mask over the index).
    ``hashes`` (``ip.hashes``) may be any array read by slices
    (``lineage.store.FileArray``): a block is read at a time."""
    p, k = np.uint64(parts), np.uint64(part)
    hs, ds = [], []
    for s in range(0, len(hashes), _SELECT_BLOCK):
        block = hashes[s : s + _SELECT_BLOCK]
        at = np.flatnonzero(block % p == k) if parts > 1 else np.arange(len(block))
        d = ip.docs[np.searchsorted(ip.at, at + s, side="right") - 1]
        at, d = at[d >= 0], d[d >= 0]
        hs.append(block[at])
        ds.append(d)
    if not hs:
        return hashes[:0].copy(), ip.docs[:0]
    return np.concatenate(hs), np.concatenate(ds)


def _pair_votes(
    h: np.ndarray, d: np.ndarray, n_docs: int, max_df: int
) -> tuple[np.ndarray, np.ndarray]:
    """Vote counts for pair keys i * n_docs + j from one slice of the index."""
    order = np.lexsort((d, h))
    h, d = h[order], d[order]
    starts = np.flatnonzero(np.concatenate(([True], h[1:] != h[:-1])))
    sizes = np.diff(np.append(starts, len(h)))
    keep = (sizes >= 2) & (sizes <= max_df)
    keys = _group_pair_keys(d, starts[keep], sizes[keep], n_docs)
    if not len(keys):
        return keys, np.empty(0, np.int64)
    return np.unique(keys, return_counts=True)


def _group_pair_keys(
    members: np.ndarray, starts: np.ndarray, sizes: np.ndarray, n_docs: int
) -> np.ndarray:
    """Keys i * n_docs + j of every pair inside each group ``members[s : s + size]``
    (members ascending within a group), with repeats across groups."""
    all_keys: list[np.ndarray] = []
    # Groups of equal size are expanded together: a (groups x size) matrix of document
    # indices, and the upper-triangle index pairs of one row applied to all rows.
    for size in np.unique(sizes):
        g = starts[sizes == size]
        mat = members[g[:, None] + np.arange(size)[None, :]]
        iu, ju = np.triu_indices(int(size), k=1)
        a, b = mat[:, iu].ravel().astype(np.int64), mat[:, ju].ravel()
        all_keys.append(a * n_docs + b)
    if not all_keys:
        return np.empty(0, np.int64)
    return np.concatenate(all_keys)


@functools.lru_cache(maxsize=16)
def band_ranges(threshold: float, num_perm: int) -> tuple[tuple[int, int], ...]:
    """datasketch ``MinHashLSH``'s band ranges for ``threshold``: its (bands, rows) choice
    integrates the false positive and negative rates over every split (~80 ms), so it is
    made once per setting, not once per run."""
    from datasketch import MinHashLSH

    return tuple(MinHashLSH(threshold=threshold, num_perm=num_perm).hashranges)


def lsh_pairs(
    fps: Sequence[Fingerprint],
    *,
    threshold: float = 0.3,
    num_perm: int = 128,
    seed: int = 1,
    workers: int = 1,
) -> np.ndarray:
    """Pairs (i, j), i < j, that MinHash LSH places in a common bucket.

    The banding is datasketch ``MinHashLSH``'s: its (bands, rows) choice for
    ``threshold`` and its band ranges; two documents share a bucket when all the sketch
    values of one band are equal. The buckets are found by sorting the bands in numpy
    rather than by inserting and querying a ``MinHashLSH`` one document at a time.
    Note: same pairs as insert + query (``tests/test_speedups.py``), ~10x faster.
    """
    keep = np.flatnonzero(sizes_of(fps)).astype(np.int64)
    if len(keep) < 2:
        return np.empty((0, 2), dtype=np.int64)
    # read when asked for: a list would hold an object a document, made again by each
    # worker that reads it
    picked = keep.tolist()
    some = Lazy(len(picked), lambda r: fps[picked[r]], sizes=sizes_of(fps)[keep])
    values = minhash_values(some, num_perm=num_perm, seed=seed, workers=workers)
    n_docs = len(fps)
    keys: list[np.ndarray] = []
    for start, end in band_ranges(threshold, num_perm):
        band = values[:, start:end]
        # rows sorted by band values, then by document (ascending inside each bucket)
        order = np.lexsort((keep, *band.T[::-1]))
        band = band[order]
        starts = np.flatnonzero(np.concatenate(([True], (band[1:] != band[:-1]).any(axis=1))))
        sizes = np.diff(np.append(starts, len(band)))
        big = sizes >= 2
        keys.append(_group_pair_keys(keep[order], starts[big], sizes[big], n_docs))
    key = np.unique(np.concatenate(keys))
    if not len(key):
        return np.empty((0, 2), dtype=np.int64)
    return np.stack([key // n_docs, key % n_docs], axis=1)


def _lsh_pairs_datasketch(
    fps: Sequence[Fingerprint], *, threshold: float = 0.3, num_perm: int = 128, seed: int = 1
) -> np.ndarray:
    """Reference for :func:`lsh_pairs`: insert into and query a datasketch MinHashLSH."""
    from datasketch import MinHashLSH

    keep = [i for i, fp in enumerate(fps) if fp.size]
    if len(keep) < 2:
        return np.empty((0, 2), dtype=np.int64)
    sketches = minhashes([fps[i] for i in keep], num_perm=num_perm, seed=seed)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    found: set[tuple[int, int]] = set()
    with lsh.insertion_session() as session:
        for i, m in zip(keep, sketches, strict=True):
            session.insert(i, m)
    for i, m in zip(keep, sketches, strict=True):
        for j in lsh.query(m):
            if j != i:
                found.add((min(i, j), max(i, j)))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    return np.array(sorted(found), dtype=np.int64)


def overlap(
    fp_i: Fingerprint, fp_j: Fingerprint, i: int, j: int, *, common: np.ndarray | None = None
) -> Overlap:
    """Exact shingle-set overlap of two documents (``common``: their shared shingles,
    when the caller already has them)."""
    if common is None:
        common = shared_shingles(fp_i.unique, fp_j.unique)
    shared = len(common)
    union = fp_i.size + fp_j.size - shared
    return Overlap(
        i,
        j,
        shared,
        shared / union if union else 0.0,
        shared / fp_i.size if fp_i.size else 0.0,
        shared / fp_j.size if fp_j.size else 0.0,
    )


def candidate_array(
    fps: Sequence[Fingerprint],
    *,
    max_df: int = 64,
    min_shared: int = 2,
    lsh_threshold: float = 0.3,
    num_perm: int = 128,
    seed: int = 1,
    use_lsh: bool = True,
    workers: int = 1,
    index: Sequence[IndexPart] | None = None,
) -> np.ndarray:
    """The union of both channels before verification: an ``(k, 2)`` int64 array of
    pairs (i, j), i < j, sorted, each once. ``index``: as :func:`rare_shingle_pairs`."""
    chans = [
        rare_shingle_pairs(
            fps,
            max_df=max_df,
            min_shared=min_shared,
            workers=workers,
            index=index,
        )
    ]
    if use_lsh:
        chans.append(
            lsh_pairs(
                fps,
                threshold=lsh_threshold,
                num_perm=num_perm,
                seed=seed,
                workers=workers,
            )
        )
    allp = np.concatenate(chans)
    return np.unique(allp, axis=0) if len(allp) else np.empty((0, 2), dtype=np.int64)


def candidate_pairs(
    fps: Sequence[Fingerprint],
    *,
    max_df: int = 64,
    min_shared: int = 2,
    lsh_threshold: float = 0.3,
    num_perm: int = 128,
    seed: int = 1,
    use_lsh: bool = True,
    workers: int = 1,
) -> list[Overlap]:
    """Verified candidate pairs, in (i, j) order: the union of both channels, each
    checked on exact shingle sets and kept when they share at least one shingle.
    ``workers``: the sketches and the checks of a large corpus run on forked workers."""
    allp = candidate_array(
        fps,
        max_df=max_df,
        min_shared=min_shared,
        lsh_threshold=lsh_threshold,
        num_perm=num_perm,
        seed=seed,
        use_lsh=use_lsh,
        workers=workers,
    )
    if not len(allp):
        return []
    parts = fork_map(
        _verified,
        [allp[r.start : r.stop] for r in chunks(len(allp), workers)],
        workers=workers,
        parallel=len(allp) >= _PARALLEL_CHECKS,
        context=fps,
    )
    return [ov for part in parts for ov in part]


_PARALLEL_CHECKS = 20_000  # candidate pairs above which the checks run on the workers


def _verified(fps: Sequence[Fingerprint], pairs: np.ndarray) -> list[Overlap]:
    out = []
    for i, j in pairs.tolist():
        ov = overlap(fps[i], fps[j], i, j)
        if ov.shared >= 1:
            out.append(ov)
    return out
