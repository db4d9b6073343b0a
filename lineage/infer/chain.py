"""Version chains: the ``revisions`` profile's skeleton and orientation, each on its own.

The versions of one text (a page's edit history, a draft's successive states) form a
chain: each version grows out of the one before it. So for a story under the
``revisions`` profile (:mod:`lineage.infer.profile` says when) the skeleton is an
ordering of its documents, and once the ordering and its first document are chosen
every link's direction is fixed. The two are chosen apart, as a seriation and then an
orientation of the whole path:

1. **Skeleton: the ordering that keeps passages continuous.** Text enters a history
   once and stays until it is cut (a revert apart), so along the true order each
   passage (a run of :data:`SHINGLE` content words) is present in one unbroken run of
   versions. The ordering chosen is the one with the fewest such runs, summed over all
   passages: the consecutive-ones criterion of archaeological seriation. Its cost is
   ``(|S_first| + |S_last| + sum |S_x ^ S_y|) / 2`` over the path's steps (``S`` a
   document's set of passages), the same read either way round: the skeleton carries
   no direction. Exact (Held-Karp over subsets) up to :data:`EXACT_PATH` documents;
   larger stories take a greedy path improved by 2-opt. Runs are whole numbers and
   often tie (a version saved again with a mended comma, a link or a heading has the
   passages of the one before it): among orderings of as many runs the one of fewest
   characters inserted and deleted along the path wins (:func:`text_distances`).
2. **Orientation: the whole path, by one fitted direction score.** For each step, one
   word alignment says how many words the later version adds and how many it drops;
   ``log((added + 1) / (dropped + 1))`` is antisymmetric by construction (read the
   other way it changes sign). Summed along the path, its sign says which end is the
   first version: one decision per chain, so that a step with no direction of its own
   (two versions with the same words) is carried by the rest.
3. **Confidence is a probability of this model.** Orderings are weighed
   ``exp(-temperature * runs / mean |S|)`` (a log-linear model over the story's
   Hamiltonian paths): a link's probability is its marginal over them (exact up to
   :data:`EXACT_PATH` documents, by the same subsets; beyond, the link's share among
   the child's candidates); the direction's, ``sigmoid(direction * score)``. An edge
   is as sure as both. With ``Config.chain_support`` (off by default), stories of 3 to
   :data:`~lineage.infer.confidence.CHAIN_SUPPORT_DOCS` documents state the
   ordering's bootstrap support instead of its marginal
   (:func:`lineage.infer.confidence.chain_support`): the story's passages are redrawn
   (each distinct passage weighs a Poisson(1) count), the ordering is seriated again,
   and each replicate's two readings count at the direction model's probability; a
   placement's confidence is the mean probability of the same parent (or of being
   first). No edge changes.

The two weights (``temperature``, ``direction``) and :data:`SHINGLE` come from
``bench/fit_chain.py``, fitted on the first 100 Wikipedia articles (sorted by title)
and kept with their provenance in ``chain.json`` beside this module.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lineage.infer.confidence import CHAIN_SUPPORT_DOCS, chain_support
from lineage.infer.explain import explained
from lineage.model import Alternative, Document, Edge, Evidence, Hypothetical, Origin
from lineage.text import Tokens

__all__ = [
    "CHAIN_FIT",
    "EXACT_PATH",
    "MAX_CHAIN",
    "SHINGLE",
    "Chain",
    "chain_of_story",
    "chains",
    "direction_score",
    "order_cost",
    "passage_sets",
    "seriate",
    "text_distances",
]

#: The fitted weights and their provenance (bench/fit_chain.py writes it)
CHAIN_FIT = Path(__file__).with_name("chain.json")
_FIT = json.loads(CHAIN_FIT.read_text(encoding="utf-8")) if CHAIN_FIT.is_file() else {}
_FIELDS: Mapping[str, float] = _FIT.get("fields", {})

#: Words per passage of the seriation. Chosen by bench/fit_chain.py on the training
#: chains (the grid and its figures are in chain.json).
SHINGLE = int(_FIELDS.get("shingle", 5))
#: Weight of an ordering's passage runs (per mean passage count of the story's
#: documents) in the model over orderings: fitted by maximum likelihood.
TEMPERATURE = float(_FIELDS.get("temperature", 1.0))
#: Weight of the summed direction score: a logistic regression over the training chains.
DIRECTION = float(_FIELDS.get("direction", 1.0))
#: Documents up to which the ordering and its marginals are exact (2^n subsets).
EXACT_PATH = 12
#: Documents above which a story is not ordered here (every pair is compared): the
#: forest's edges stay.
MAX_CHAIN = 300
#: Whether the documents' characters decide between orderings of as many passage runs
#: (versions with the same words: a link, a heading, punctuation still differ).
#: bench/wiki_chain.py measured it on the training articles (docs/ACCURACY.md, "Version
#: chains, round s18wiki").
TIE_BY_TEXT = True
#: Share of dated documents at or above which a story is left to the forest, whose
#: time evidence orders dated versions.
DATED_SHARE = 0.5

_PRIME = np.uint64(1_000_003)


def passage_sets(tokens: Tokens, k: int = SHINGLE) -> np.ndarray:
    """The distinct runs of ``k`` content words of one document, as sorted hashes; a
    document shorter than ``k`` words is one passage (none when it has no word)."""
    h = tokens.hashes[tokens.content]
    if len(h) == 0:
        return np.empty(0, dtype=np.uint64)
    k = min(k, len(h))
    acc = np.zeros(len(h) - k + 1, dtype=np.uint64)
    for j in range(k):  # a polynomial hash of the run, wrapping at 2^64
        acc = acc * _PRIME + h[j : len(h) - k + 1 + j]
    return np.unique(acc)


def _shared(sets: Sequence[np.ndarray]) -> np.ndarray:
    n = len(sets)
    both = np.zeros((n, n))
    for i in range(n):
        both[i, i] = len(sets[i])
        for j in range(i + 1, n):
            c = len(np.intersect1d(sets[i], sets[j], assume_unique=True))
            both[i, j] = both[j, i] = c
    return both


def order_cost(order: Sequence[int], size: np.ndarray, both: np.ndarray) -> float:
    """Passage runs along ``order``: every passage of the first document starts a run,
    and each step starts one per passage the next holds and the previous lacks."""
    runs = float(size[order[0]])
    for x, y in zip(order, order[1:], strict=False):
        runs += size[y] - both[x, y]
    return runs


def _exact(size: np.ndarray, both: np.ndarray, fine: np.ndarray | None = None) -> list[int]:
    """Held-Karp: the path of fewest runs; among paths of as many runs, the shortest by
    ``fine`` (a symmetric distance, see :func:`seriate`). Remaining ties go to the lower
    index (an order of content, the caller's)."""
    n = len(size)
    step = (size[:, None] + size[None, :] - 2 * both) / 2  # symmetric: |S_x ^ S_y| / 2
    if fine is not None:
        step = step + _tie_scale(fine) * fine
    full = (1 << n) - 1
    f = np.full((1 << n, n), np.inf)
    back = np.full((1 << n, n), -1, dtype=np.int64)
    for i in range(n):
        f[1 << i, i] = size[i] / 2
    idx = np.arange(n)
    for mask in range(1, full):
        row = f[mask]
        if not np.isfinite(row).any():
            continue
        cand = row[:, None] + step
        arg = np.argmin(cand, axis=0)
        best = cand[arg, idx]
        free = [k for k in range(n) if not mask >> k & 1]
        for k in free:
            m = mask | 1 << k
            if best[k] < f[m, k] - 1e-12:
                f[m, k] = best[k]
                back[m, k] = arg[k]
    total = f[full] + size / 2
    end = int(np.argmin(total))
    order = []
    mask, j = full, end
    while j != -1:
        order.append(j)
        prev = int(back[mask, j])
        mask ^= 1 << j
        j = prev
    return order[::-1]


def _heuristic(size: np.ndarray, both: np.ndarray) -> list[int]:
    """A large story: the path grown greedily from its cheapest step, then 2-opt
    (reversing a stretch of the path) while the runs drop."""
    n = len(size)
    d = size[:, None] + size[None, :] - 2 * both
    pairs = sorted((d[i, j], i, j) for i in range(n) for j in range(i + 1, n))
    deg = [0] * n
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    adj: list[list[int]] = [[] for _ in range(n)]
    for _, i, j in pairs:
        if deg[i] < 2 and deg[j] < 2 and find(i) != find(j):
            parent[find(i)] = find(j)
            deg[i] += 1
            deg[j] += 1
            adj[i].append(j)
            adj[j].append(i)
    start = min(i for i in range(n) if deg[i] <= 1)
    order, prev = [start], -1
    while len(order) < n:
        nxt = [x for x in adj[order[-1]] if x != prev]
        prev = order[-1]
        order.append(nxt[0])
    # 2-opt on the symmetric form of the runs, (|S_first| + |S_last| + sum d) / 2: the
    # reversal of order[i..j] changes two steps (or a step and an end), O(1) each
    end = size  # an end's cost (the halves cancel out of the comparison)

    def gain(i: int, j: int) -> float:
        a, b = order[i], order[j]
        before = (d[order[i - 1], a] if i > 0 else end[a]) + (
            d[b, order[j + 1]] if j < n - 1 else end[b]
        )
        after = (d[order[i - 1], b] if i > 0 else end[b]) + (
            d[a, order[j + 1]] if j < n - 1 else end[a]
        )
        return before - after

    improved = True
    while improved:
        improved = False
        for i in range(n - 1):
            for j in range(i + 1, n):
                if gain(i, j) > 1e-9:
                    order[i : j + 1] = order[i : j + 1][::-1]
                    improved = True
    return order


def _tie_scale(fine: np.ndarray) -> float:
    """A weight that keeps the summed ``fine`` distances of any path under one passage
    run (runs are whole numbers): ``fine`` only orders paths that tie on runs."""
    return 0.5 / (1.0 + float(np.abs(fine).sum()))


def seriate(size: np.ndarray, both: np.ndarray, fine: np.ndarray | None = None) -> list[int]:
    """The ordering of fewest passage runs (indices into ``size``); exact up to
    :data:`EXACT_PATH` documents. ``fine``: a finer symmetric distance between the
    documents (:func:`text_distances`) that decides between orderings of as many runs
    (exact case only), such as where two versions with the same passages go."""
    n = len(size)
    if n <= 2:
        return list(range(n))
    return _exact(size, both, fine) if n <= EXACT_PATH else _heuristic(size, both)


def text_distances(texts: Sequence[str]) -> np.ndarray:
    """Characters inserted or deleted between every two texts (rapidfuzz's Indel
    distance): the edits too small for passages of words to see (punctuation, a link,
    a heading, a stop word), which tell where a version with the same passages as
    another goes in the chain."""
    from rapidfuzz.distance import Indel

    n = len(texts)
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            out[i, j] = out[j, i] = Indel.distance(texts[i], texts[j])
    return out


def _log_walks(size: np.ndarray, both: np.ndarray, beta: float) -> np.ndarray:
    """log of the summed weight of the paths over each subset ending at each member,
    the first document's half-passages and each step's half-difference included."""
    n = len(size)
    step = -beta * (size[:, None] + size[None, :] - 2 * both) / 2
    g = np.full((1 << n, n), -np.inf)
    for i in range(n):
        g[1 << i, i] = -beta * size[i] / 2
    for mask in range(1, 1 << n):
        row = g[mask]
        if not np.isfinite(row).any():
            continue
        cand = np.logaddexp.reduce(row[:, None] + step, axis=0)
        for k in range(n):
            if not mask >> k & 1:
                m = mask | 1 << k
                g[m, k] = np.logaddexp(g[m, k], cand[k])
    return g


def link_marginals(size: np.ndarray, both: np.ndarray, beta: float) -> np.ndarray:
    """P(x and y are neighbours) under the model over orderings, for every two documents
    (exact: every ordering is counted by the subsets before and after the link)."""
    n = len(size)
    if n == 2:
        return np.array([[0.0, 1.0], [1.0, 0.0]])
    g = _log_walks(size, both, beta)
    full = (1 << n) - 1
    log_z = np.logaddexp.reduce(g[full] - beta * size / 2)  # each ordering twice
    step = -beta * (size[:, None] + size[None, :] - 2 * both) / 2
    acc = np.full((n, n), -np.inf)
    for mask in range(1, full):
        inside = [i for i in range(n) if mask >> i & 1]
        outside = [j for j in range(n) if not mask >> j & 1]
        a, b = g[mask, inside], g[full ^ mask, outside]
        block = a[:, None] + b[None, :]
        acc[np.ix_(inside, outside)] = np.logaddexp(acc[np.ix_(inside, outside)], block)
    marg = np.exp(acc + step + math.log(2) - log_z)
    marg = (marg + marg.T) / 2  # each link is counted from either side: the same sum
    np.fill_diagonal(marg, 0.0)
    return np.clip(marg, 0.0, 1.0)


def _local_marginals(size: np.ndarray, both: np.ndarray, beta: float) -> np.ndarray:
    """A large story: each link's share among the child's candidates (a softmax)."""
    d = -beta * (size[:, None] + size[None, :] - 2 * both) / 2
    np.fill_diagonal(d, -np.inf)
    p = np.exp(d - d.max(axis=0, keepdims=True))
    p /= p.sum(axis=0, keepdims=True)
    return np.maximum(p, p.T)


def step_edits(older: Tokens, newer: Tokens) -> tuple[int, int]:
    """(words ``newer`` adds, words it drops) from one word alignment of the two
    documents' content words."""
    from rapidfuzz.distance import Levenshtein

    a = older.hashes[older.content].tolist()
    b = newer.hashes[newer.content].tolist()
    added = dropped = 0
    for o in Levenshtein.opcodes(a, b):
        if o.tag != "equal":
            added += o.dest_end - o.dest_start
            dropped += o.src_end - o.src_start
    return added, dropped


def direction_score(added: int, dropped: int) -> float:
    """The step's direction feature, antisymmetric: read backwards, added and dropped
    swap and the score changes sign."""
    return math.log((added + 1) / (dropped + 1))


@dataclass(frozen=True)
class Chain:
    """One story's chain: its documents first to last, each link's probability, the
    direction's, and each step's (added, dropped) words."""

    order: tuple[str, ...]
    links: Mapping[tuple[str, str], float]
    direction: float
    score: float
    steps: tuple[tuple[int, int], ...]
    root_end: float  # P(the first document is an end of the ordering)
    # each document's parents over bootstrap replicates (None: first), when computed
    # (:func:`lineage.infer.confidence.chain_support`)
    support: Mapping[str, Mapping[str | None, float]] | None = None


def chain_of_story(
    story: Sequence[str],
    tokens: Mapping[str, Tokens],
    rank: Mapping[str, object],
    *,
    temperature: float = TEMPERATURE,
    direction: float = DIRECTION,
    k: int = SHINGLE,
    texts: Mapping[str, str] | None = None,
    support: bool = False,
) -> Chain:
    """The chain of one story: seriation, then the orientation of the whole path.
    ``rank``: each document's order of content (ties fall by it, never by id);
    ``texts``: each document's text, whose character edits decide between orderings
    of as many passage runs (:func:`text_distances`; up to :data:`EXACT_PATH`
    documents). ``support``: the placements' bootstrap support too (:func:`_support`,
    stories of 3 to :data:`~lineage.infer.confidence.CHAIN_SUPPORT_DOCS` documents)."""
    ids = sorted(story, key=lambda i: rank[i])  # type: ignore[arg-type, return-value]
    sets = [passage_sets(tokens[i], k) for i in ids]
    size = np.array([len(s) for s in sets], dtype=float)
    both = _shared(sets)
    fine = (
        text_distances([texts[i] for i in ids])
        if texts is not None and 2 < len(ids) <= EXACT_PATH
        else None
    )
    order = seriate(size, both, fine)
    steps = [
        step_edits(tokens[ids[x]], tokens[ids[y]]) for x, y in zip(order, order[1:], strict=False)
    ]
    score = sum(direction_score(a, d) for a, d in steps)
    # a tie (no step says anything) falls by content: the end earlier in that order first
    if score < 0 or (score == 0 and order[-1] < order[0]):
        order = order[::-1]
        steps = [(d, a) for a, d in steps[::-1]]
        score = -score
    scale = max(1.0, float(size.mean()))
    beta = temperature / scale
    marg = (
        link_marginals(size, both, beta)
        if len(ids) <= EXACT_PATH
        else _local_marginals(size, both, beta)
    )
    links = {(ids[x], ids[y]): float(marg[x, y]) for x in range(len(ids)) for y in range(len(ids))}
    if len(ids) <= EXACT_PATH and len(ids) > 2:
        g = _log_walks(size, both, beta)
        full = (1 << len(ids)) - 1
        log_z = np.logaddexp.reduce(g[full] - beta * size / 2)
        first = order[0]
        root_end = float(np.exp(g[full, first] - beta * size[first] / 2 - log_z + math.log(2)))
    else:
        root_end = 1.0
    return Chain(
        tuple(ids[x] for x in order),
        links,
        1.0 / (1.0 + math.exp(-direction * score)),
        score,
        tuple(steps),
        min(1.0, root_end),
        _support(ids, sets, fine, tokens, direction)
        if support and 3 <= len(ids) <= CHAIN_SUPPORT_DOCS
        else None,
    )


def _support(
    ids: Sequence[str],
    sets: Sequence[np.ndarray],
    fine: np.ndarray | None,
    tokens: Mapping[str, Tokens],
    direction: float,
) -> dict[str, dict[str | None, float]]:
    """Each document's parents over bootstrap replicates of the chain
    (:func:`lineage.infer.confidence.chain_support`): every distinct passage of the
    story weighs a Poisson(1) count (the nonparametric bootstrap of the passages), the
    replicate is seriated from the weighed counts as the chain is (``fine`` breaks the
    same ties), and oriented by the direction model's probability of its summed step
    score. ``ids`` in an order of content; the draws are seeded by the documents'
    contents, so the shares do not depend on ids."""
    union = np.unique(np.concatenate(list(sets)))
    member = np.zeros((len(ids), len(union)))
    for k, s in enumerate(sets):
        member[k, np.searchsorted(union, s)] = 1.0
    edits: dict[tuple[int, int], tuple[int, int]] = {}

    def step(x: int, y: int) -> tuple[int, int]:
        if (x, y) not in edits:
            edits[(x, y)] = step_edits(tokens[ids[x]], tokens[ids[y]])
        return edits[(x, y)]

    def rebuild(rng: np.random.Generator) -> tuple[list[str], float]:
        w = rng.poisson(1.0, len(union)).astype(float)
        size = member @ w
        both = (member * w) @ member.T
        order = seriate(size, both, fine)
        score = sum(direction_score(*step(x, y)) for x, y in zip(order, order[1:], strict=False))
        return [ids[x] for x in order], 1.0 / (1.0 + math.exp(-direction * score))

    h = hashlib.sha1()
    for s in sets:  # the passages themselves, in the order of content: no id
        h.update(s.tobytes() + b"\x1f")
    seed = int(h.hexdigest()[:16], 16)
    return chain_support(ids, seed=seed, rebuild=rebuild)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return round(math.log(p / (1 - p)), 3)


def chains(
    docs: Sequence[Document],
    stories: Sequence[Sequence[str]],
    edges: Sequence[Edge],
    origins: Sequence[Origin],
    hypotheticals: Sequence[Hypothetical],
    *,
    tokens: Mapping[str, Tokens],
    support: bool = False,
) -> tuple[list[Edge], list[Origin], list[Hypothetical]]:
    """Each story of 2 to :data:`MAX_CHAIN` documents, most of them undated, as a chain
    (:func:`chain_of_story`): its edges, its first document as the original, the lost
    sources and second parents of the forest before it dropped (a chain has neither).
    Other stories keep what they had. ``support``: state each place's bootstrap support
    (``Config.chain_support``)."""
    by_id = {d.id: d for d in docs}
    rank = {i: by_id[i].content_key for i in by_id}
    texts = {i: by_id[i].text for i in by_id}
    chained: set[str] = set()
    new_edges: list[Edge] = []
    new_origins: list[Origin] = []
    for story in stories:
        n = len(story)
        if n < 2 or n > MAX_CHAIN or any(i not in tokens for i in story):
            continue
        if sum(1 for i in story if by_id[i].date is not None) >= DATED_SHARE * n:
            continue
        chain = chain_of_story(
            story, tokens, rank, texts=texts if TIE_BY_TEXT else None, support=support
        )
        chained.update(story)
        order = chain.order
        # versions with the same words: which of them came first no text can say, so a
        # step between two of them, and the first place among them, is an even chance
        words = {i: tokens[i].hashes[tokens[i].content].tobytes() for i in story}
        twins = {i: sum(1 for j in story if words[j] == words[i]) for i in story}
        for pos, (parent, child) in enumerate(zip(order, order[1:], strict=False)):
            link = chain.links[(parent, child)]
            added, dropped = chain.steps[pos]
            way = 0.5 if words[parent] == words[child] else chain.direction
            facts_link = {"parent": parent, "child": child, "probability": round(link, 3)}
            facts_dir = {
                "parent": parent,
                "child": child,
                "added": added,
                "dropped": dropped,
                "versions": n,
                "probability": round(way, 3),
            }
            evidence = (
                explained(Evidence("chain-order", _logit(link), "for", facts_link)),
                explained(Evidence("chain-direction", _logit(way), "for", facts_dir)),
            )
            earlier = order[:pos]  # a later version derives from the child: no alternative
            if chain.support is None:
                conf = link * way
                alts = sorted(
                    ((u, chain.links[(u, child)] * chain.direction) for u in earlier),
                    key=lambda kv: (-kv[1], rank[kv[0]]),
                )
            else:  # the bootstrap support: shares of replicates, on one scale
                got = chain.support[child]
                # a step between versions with the same words is an even chance, as above
                half = {u: 0.5 if words[u] == words[child] else 1.0 for u in order[: pos + 1]}
                conf = got.get(parent, 0.0) * half[parent]
                alts = sorted(
                    ((u, got.get(u, 0.0) * half[u]) for u in earlier if u != parent),
                    key=lambda kv: (-kv[1], rank[kv[0]]),
                )
            new_edges.append(
                Edge(
                    parent,
                    child,
                    round(conf, 3),
                    evidence,
                    tuple(Alternative(u, round(p, 3)) for u, p in alts if p >= 0.01),
                )
            )
        first = order[0]
        facts = {"doc": first, "versions": n, "probability": round(chain.direction, 3)}
        new_origins.append(
            Origin(
                first,
                "original",
                "original: the first version of its chain (the order that keeps passages "
                "continuous, read in the direction in which versions add more than they drop)",
                round(
                    (
                        chain.direction * chain.root_end
                        if chain.support is None
                        else chain.support[first].get(None, 0.0)
                    )
                    / twins[first],
                    3,
                ),
                (explained(Evidence("chain-first", _logit(chain.direction), "for", facts)),),
            )
        )
    kept_edges = [e for e in edges if e.child not in chained and e.parent not in chained]
    kept_origins = [o for o in origins if o.id not in chained]
    kept_hyp = [
        h
        for h in hypotheticals
        if not any(c in chained for c in h.children) and (h.parent not in chained)
    ]
    out_edges = sorted([*kept_edges, *new_edges], key=lambda e: (e.parent, e.child))
    out_origins = sorted([*kept_origins, *new_origins], key=lambda o: o.id)
    return out_edges, out_origins, kept_hyp
