"""Identical and near-identical documents, collapsed before pairing.

A wire story runs on thousands of sites word for word. Paired naively, 3,000 copies make
4.5 million candidate pairs, each aligned and drawn; yet a person wants one sentence:
"3,000 identical copies of X". So, after tokenizing and before candidate search:

* **Exact groups.** Documents whose article words (boilerplate left out, words
  normalized as for every comparison) are the same sequence share a content hash, and
  are listed in a :class:`~lineage.model.DuplicateGroup` of kind ``"exact"``. In a group
  larger than :data:`PAIR_IN_FULL`, one of them, the **representative**, goes on to
  candidates, alignment and inference; the others become children of it with the
  evidence "identical text".
* **Near groups.** Among the representatives, documents whose shingle sets have a
  Jaccard similarity of at least ``near`` (0.95 by default: a credit line or a word
  changed) with a group's representative join that group: a prefix filter finds them
  without loss, the exact shingle sets confirm them. Only groups larger than
  :data:`PAIR_IN_FULL` are kept: a member is aligned against its representative only,
  never against the other members nor the rest of the corpus, and inference decides
  the direction of that one pair like any other.

The representative is never chosen by id (ids carry no answer): it is the earliest-dated
document, an undated one after every dated one, then the one whose metadata (title,
outlet, URL, date, path) hash lowest; only documents equal in all of these fall
back to their ids, which then decide nothing a reader could see but the name.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from lineage.fingerprint import Fingerprint, shared_shingles, sizes_of
from lineage.model import Document, DuplicateGroup, Edge, Evidence
from lineage.text import Tokens

__all__ = ["Collapse", "collapse_duplicates", "copy_edges", "content_key", "with_copies"]

# Groups up to this size are paired in full (see collapse_duplicates). Not a fitted
# number: a cost bound, 28 pairs within a group of 8.
PAIR_IN_FULL = 8
NEAR_JACCARD = 0.95  # shingle Jaccard from which two documents are near-identical


@dataclass(frozen=True)
class Collapse:
    """What :func:`collapse_duplicates` decided, as indices into the documents given."""

    keep: tuple[int, ...]  # go to candidate search: representatives of both kinds, sorted
    near: tuple[tuple[int, int], ...]  # (representative, member) pairs to align, i < j
    copies: dict[int, int]  # exact copy -> its representative
    groups: tuple[DuplicateGroup, ...]


def content_key(tokens: Tokens) -> bytes | None:
    """A hash of the document's article words in order (normalized, boilerplate left
    out); ``None`` when it has none to compare.

    >>> from lineage.text import tokenize
    >>> content_key(tokenize("The MAYOR said.")) == content_key(tokenize("the mayor  said"))
    True
    """
    words = tokens.hashes[~tokens.boilerplate]
    if not len(words):
        return None
    return hashlib.blake2b(np.ascontiguousarray(words).tobytes(), digest_size=16).digest()


_EPOCH = dt.datetime(1970, 1, 1)


def _rank(doc: Document) -> tuple[bool, float, bytes]:
    """Earliest first, undated last, then a hash of the metadata (never the id)."""
    when = 0.0
    if doc.date is not None:  # seconds since 1970 UTC, a naive date taken as UTC; no
        # conversion to UTC, which overflows on 9999-12-31T23:59:59-05:00
        offset = doc.date.utcoffset() or dt.timedelta(0)
        when = ((doc.date.replace(tzinfo=None) - _EPOCH) - offset).total_seconds()
    meta = "\x1f".join(
        # not the line of a JSONL/CSV row: the order of the input never decides
        str(x)
        for x in (doc.title, doc.outlet, doc.url, doc.date_iso, doc.path)
    )
    return (doc.date is None, when, hashlib.blake2b(meta.encode("utf-8", "surrogatepass")).digest())


def collapse_duplicates(
    docs: Sequence[Document],
    tokens: Sequence[Tokens],
    fps: Sequence[Fingerprint],
    *,
    near: float = NEAR_JACCARD,
    min_words: int = 5,
    pair_in_full: int = PAIR_IN_FULL,
) -> Collapse:
    """Exact groups by :func:`content_key`, then near groups among their representatives
    (``near``: shingle Jaccard, 0 or above 1 turns them off). Documents with fewer than
    ``min_words`` article words are left alone: they pair with nothing anyway.

    A group of at most ``pair_in_full`` documents is listed but not collapsed: its
    members are paired in full, like any documents. Identical words do not make
    identical sources: among a few copies, credits, datelines and dates still tell which
    one a later page took (on simulated corpora, collapsing every pair of identical
    copies lost 3 of 237 true edges and 0.03 of plagdet), and pairing a few costs little.
    Past that size pairing costs k squared and the copies are, to a reader, one text."""
    n = len(docs)

    @functools.cache
    def rank(i: int) -> tuple[bool, float, bytes]:  # only documents in a group need one
        return _rank(docs[i])

    by_key: dict[bytes, list[int]] = {}
    for i, t in enumerate(tokens):
        if int((~t.boilerplate).sum()) >= min_words and (key := content_key(t)) is not None:
            by_key.setdefault(key, []).append(i)
    copies: dict[int, int] = {}
    groups: list[DuplicateGroup] = []
    for members in by_key.values():
        if len(members) < 2:
            continue
        rep = min(members, key=lambda i: (rank(i), docs[i].id))
        if len(members) > pair_in_full:
            copies.update((i, rep) for i in members if i != rep)
        groups.append(_group(docs, rep, members, "exact"))

    reps = [i for i in range(n) if i not in copies]
    near_pairs: list[tuple[int, int]] = []
    near_stars = []
    if 0 < near <= 1:
        stars = _near_groups(reps, rank, docs, fps, near)
        near_stars = [(c, m) for c, m in stars if len(m) + 1 > pair_in_full]
        for center, members in near_stars:
            near_pairs.extend((min(center, m), max(center, m)) for m in members)
            groups.append(_group(docs, center, [center, *members], "near"))
    near_members = {m for pair in near_pairs for m in pair} - {c for c, _ in near_stars}
    keep = tuple(i for i in reps if i not in near_members)
    groups.sort(key=lambda g: (-len(g.members), g.kind, g.representative))
    return Collapse(keep, tuple(sorted(near_pairs)), copies, tuple(groups))


def _group(docs: Sequence[Document], rep: int, members: Sequence[int], kind: str) -> DuplicateGroup:
    return DuplicateGroup(
        representative=docs[rep].id,
        members=tuple(sorted(docs[i].id for i in members)),
        kind=kind,
    )


def _near_groups(
    reps: list[int],
    rank: Callable[[int], tuple[bool, float, bytes]],
    docs: Sequence[Document],
    fps: Sequence[Fingerprint],
    near: float,
) -> list[tuple[int, list[int]]]:
    """Stars: in representative order, each document not yet taken takes every document
    not yet taken whose exact shingle Jaccard with it is at least ``near``. A member is
    compared with its star's center only, so one drifting chain (A~B, B~C, A and C
    apart) never merges, and a group of k costs k checks, not k squared.

    The candidates come from the prefix filter of set-similarity joins (Chaudhuri et
    al. 2006; Bayardo et al. 2007), which loses none: two sets with Jaccard >= t share
    at least t * max(|x|, |y|) elements, so under one global order (the hash order
    ``Fingerprint.unique`` already has) their first |x| - ceil(t |x|) + 1 elements
    meet. At t = 0.95 that is 5% of each set, and no sketch to compute. Note: on the
    10,000-document corpus of bench/throughput.py (busy machine, same process, twice),
    this pass took 2.6 / 1.9 s where MinHash LSH (128 permutations, datasketch's banding
    for 0.85, then the same exact check) took 6.6 / 6.0 s and the whole candidate stage
    16.2 / 14.5 s; both found the same 304 groups."""
    all_sizes = sizes_of(fps)
    cand = [i for i in reps if all_sizes[i]]
    if len(cand) < 2:
        return []
    sizes = all_sizes[np.asarray(cand, dtype=np.int64)]
    prefix = sizes - np.ceil(near * sizes - 1e-9).astype(np.int64) + 1
    # each prefix copied: a view would keep its document's whole set alive until the
    # concatenation (read from the store, the sets of every document: 1.1 GB at 300k)
    tok = np.concatenate(
        [fps[i].unique[:k].copy() for i, k in zip(cand, prefix.tolist(), strict=True)]
    )
    row = np.repeat(np.arange(len(cand), dtype=np.int64), prefix)
    order = np.lexsort((row, tok))
    tok, row = tok[order], row[order]
    starts = np.flatnonzero(np.concatenate(([True], tok[1:] != tok[:-1])))
    counts = np.diff(np.append(starts, len(tok)))
    multi = counts > 1
    if not multi.any():
        return []
    # each element of a shared prefix token, as (bucket start, bucket end) by row
    in_multi = np.repeat(multi, counts)
    b_start = np.repeat(starts, counts)[in_multi]
    b_end = np.repeat(starts + counts, counts)[in_multi]
    rows = row[in_multi]
    by_row = np.argsort(rows, kind="stable")
    rows, b_start, b_end = rows[by_row], b_start[by_row], b_end[by_row]
    first = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
    last = np.append(first[1:], len(rows))
    spans = {int(rows[f]): (int(f), int(e)) for f, e in zip(first, last, strict=True)}
    order_rows = sorted(spans, key=lambda r: (rank(cand[r]), docs[cand[r]].id))
    taken = np.zeros(len(cand), dtype=bool)
    out: list[tuple[int, list[int]]] = []
    for r in order_rows:
        if taken[r]:
            continue
        taken[r] = True
        f, e = spans[r]
        parts = [row[a:z] for a, z in zip(b_start[f:e], b_end[f:e], strict=True)]
        seen = np.unique(np.concatenate(parts))
        seen = seen[~taken[seen]]
        # the length filter: Jaccard >= t needs t <= |y| / |x| <= 1 / t
        seen = seen[(sizes[seen] >= near * sizes[r]) & (near * sizes[seen] <= sizes[r])]
        if not len(seen):
            continue
        fc = fps[cand[r]]
        members = []
        for x in sorted(seen.tolist(), key=lambda x: (rank(cand[x]), docs[cand[x]].id)):
            fx = fps[cand[x]]
            shared = len(shared_shingles(fc.unique, fx.unique))
            union = fc.size + fx.size - shared
            if union and shared / union >= near:
                taken[x] = True
                members.append(cand[x])
        if members:
            out.append((cand[r], members))
    return out


def copy_edges(docs: Sequence[Document], copies: dict[int, int]) -> list[Edge]:
    """Each exact copy is a child of its representative: the same words, and (when dates
    say so) published later. Without an order in time the direction is a guess, and the
    confidence says so."""
    from lineage.infer import time_evidence
    from lineage.infer.explain import explained

    edges = []
    for i, rep in copies.items():
        parent, child = docs[rep], docs[i]
        try:
            timed = time_evidence(parent, child)
        except OverflowError:  # a date at the edge of datetime's range: no order known
            timed = []
        later = bool(timed) and timed[0].kind == "earlier"
        facts = {"parent": parent.id, "child": child.id}
        evidence = [
            Evidence("identical", 0.0, "for", facts),
            *timed,
            *([] if later else [Evidence("identical-undated", 0.0, "against", facts)]),
        ]
        edges.append(
            Edge(parent.id, child.id, 1.0 if later else 0.5, tuple(map(explained, evidence)))
        )
    return edges


def with_copies(
    stories: Sequence[Sequence[str]], groups: Sequence[DuplicateGroup]
) -> tuple[tuple[str, ...], ...]:
    """The stories, each with the exact copies of its documents added, largest first."""
    extra: dict[str, list[str]] = {}
    for g in groups:
        if g.kind == "exact":
            extra[g.representative] = [m for m in g.members if m != g.representative]
    grown = [tuple(sorted([*s, *(c for i in s for c in extra.get(i, ()))])) for s in stories]
    return tuple(sorted(grown, key=lambda s: (-len(s), s[0])))
