"""Shingles and MinHash sketches: a document reduced to what reuse detection compares.

A shingle is a run of ``n`` consecutive content words (no boilerplate word inside),
hashed to 64 bits from the word hashes with a vectorized polynomial hash, so the
shingles of a document cost a few numpy operations rather than a Python loop.
Sketches are datasketch ``MinHash`` objects (affine64 scheme, fixed seed) built
from those 64-bit values, so two runs give the same sketches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lineage.text import Tokens

__all__ = ["Fingerprint", "fingerprint", "minhashes", "shingle_hashes"]

# Odd 64-bit multiplier for the polynomial shingle hash (wraps modulo 2**64).
_MULT = np.uint64(0x9E3779B97F4A7C15)
_MASK_EMPTY = np.empty(0, dtype=np.uint64)


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """The shingles of one document."""

    doc_id: str
    positions: np.ndarray  # int64: token index where each kept shingle starts
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
        return np.empty(0, dtype=np.int64), _MASK_EMPTY
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
    pos = np.nonzero(clean)[0].astype(np.int64)
    return pos, acc[clean]


def fingerprint(doc_id: str, tokens: Tokens, *, shingle_size: int = 5) -> Fingerprint:
    pos, hashes = shingle_hashes(tokens, shingle_size)
    return Fingerprint(doc_id, pos, hashes, np.unique(hashes))


def _identity(x: object) -> object:
    return x


def minhashes(fps: Sequence[Fingerprint], *, num_perm: int = 128, seed: int = 1) -> list:
    """datasketch MinHash sketches of the documents' shingle sets, built in bulk.

    The shingles are already 64-bit hashes, so datasketch gets an identity ``hashfunc``
    and skips its SHA-1 step (its slow part); permutations are applied by its numpy path.
    """
    from datasketch import MinHash

    return MinHash.bulk(
        (fp.unique for fp in fps),
        num_perm=num_perm,
        seed=seed,
        hashfunc=_identity,
        scheme="affine64",
    )
