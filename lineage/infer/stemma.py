"""A stemma for a story that is a manuscript tradition: readings, lost exemplars, a centre.

Copies of one text by hand, with no dates and no publishers, carry no direction signal
that the forest's evidence can read (A -> B scores within a fraction of B -> A), and
most of their exemplars are lost: the witnesses are leaves and inner points of a tree
whose other inner points are gone. So for such a story (``--profile auto`` says which,
:mod:`lineage.infer.profile`) the skeleton is built as stemmatology builds it:

1. **distance = disagreement rate over the shared extent.** For every two documents of
   the story (:data:`MAX_ALIGNED`), the share of words that do not read alike in their
   word alignment, between its first and last agreement: a fragment or a lacunose
   witness is measured on what it has, not on what it lacks. Readings are compared
   without accents and case (Unicode NFKD, combining marks removed, casefold): those
   are orthography, not readings. A pair with no figure gets the shortest path of
   known distances between the two.
2. **neighbour-joining** (Saitou & Nei 1987) on that matrix: a first tree;
3. **parsimony over the collation** (up to :data:`MAX_PARSIMONY` documents): every
   witness aligned to the longest one gives the places of variation and each witness's
   reading there (none outside its extent or in a lacuna: a fragment is judged on what it
   holds); nearest-neighbour interchanges that lower the fewest changes of reading the
   tree needs (unit-cost Sankoff) refine it;
4. **what the text cannot resolve is not drawn**: a branch is contracted when the tree
   without it needs at most :data:`FIT` ``inner_tolerance`` more changes (a group shown
   by one shared reading is not shown), a witness's own branch at most
   ``witness_tolerance`` (a copy makes readings of its own; a witness with almost none is
   its exemplar's place: an extant exemplar). Both fitted on generated training
   traditions by ``bench/stemma_fit.py`` (``stemma.json`` beside this file). Larger
   stories contract neighbour-joining's short branches instead (:data:`MIN_BRANCH`);
5. **orientation from the centre**: the root is the node of the tree with the least
   summed branch length to the witnesses (the stemma's centre: the archetype is the
   text from which the witnesses departed least, in sum); every link points away.

The inner nodes left are :class:`~lineage.model.Hypothetical` nodes; links between two
witnesses are edges; a witness below a lost exemplar or at the root is an origin.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from lineage.infer.confidence import SUPPORT_DOCS, placement_support
from lineage.infer.explain import explained
from lineage.model import Document, Edge, Evidence, Hypothetical, Origin, Pair
from lineage.text import Tokens

__all__ = [
    "MAX_ALIGNED",
    "MAX_STORY",
    "FIT",
    "MAX_PARSIMONY",
    "MIN_BRANCH",
    "collation",
    "parsimony_length",
    "aligned_rate",
    "distances",
    "neighbour_joining",
    "stemma_of_story",
    "stemmata",
]

#: The fitted numbers of the stemma and their provenance (``bench/stemma_fit.py`` writes
#: the file from the training traditions; docs/ACCURACY.md, "Manuscript traditions").
FIT_FILE = Path(__file__).with_name("stemma.json")
FIT: dict[str, Any] = json.loads(FIT_FILE.read_text(encoding="utf-8"))["values"]

#: Stories of more documents than this keep neighbour-joining's branch lengths for
#: contraction (:data:`MIN_BRANCH`); up to it the tree is refined and contracted by
#: parsimony over the collation (each trial re-scores the whole tree).
MAX_PARSIMONY = 60

#: Above :data:`MAX_PARSIMONY`: a branch shorter than this share of the story's median
#: witness branch is contracted (fitted on the training traditions by the previous
#: version of bench/stemma_fit.py's grid: the best of 0.1, 0.2, 0.35, 0.5, 0.75).
MIN_BRANCH = 0.5

#: A stemma as the callers take it: edges between witnesses, origins, lost exemplars.
Stemma = tuple[list[Edge], list[Origin], list[Hypothetical]]


def _plain(word: str) -> str:
    """A word without accents or case: what orthography leaves of a reading."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def pair_variants(pair: Pair, tokens: Mapping[str, Tokens]) -> tuple[int, float]:
    """(variant locations, shared extent in words) of one verified pair, from its passages."""
    wa, wb = tokens[pair.a].words, tokens[pair.b].words
    events = 0
    extent = 0.0
    for ps in pair.passages:
        # the passage's two sides in the pair's own order
        (a0, a1), (b0, b1) = (ps.a_tok, ps.b_tok) if ps.a == pair.a else (ps.b_tok, ps.a_tok)
        extent += ((a1 - a0) + (b1 - b0)) / 2
        flip = ps.a != pair.a
        for tag, i1, i2, j1, j2 in ps.ops:
            if tag == "equal":
                continue
            if flip:
                i1, i2, j1, j2 = j1, j2, i1, i2
            if tag == "replace":
                left = [_plain(w) for w in wa[a0 + i1 : a0 + i2]]
                right = [_plain(w) for w in wb[b0 + j1 : b0 + j2]]
                if "".join(left) == "".join(right):
                    continue  # spelling, accents or word division only
            events += 1
    return events, extent


def _anchored(ops: list[Any], anchor: int) -> list[Any]:
    """An edit script trimmed to the span between its first and last run of at least
    ``anchor`` agreeing words: outside it the alignment of a fragment against a whole
    text pairs stray common words (two fragments of different parts that overlap a
    little disagreed by 33% on the florilegium, from such pairings)."""

    def run(o: Any) -> bool:
        return bool(o.tag == "equal" and o.src_end - o.src_start >= anchor)

    lo, hi = 0, len(ops)
    while lo < hi and not run(ops[lo]):
        lo += 1
    while hi > lo and not run(ops[hi - 1]):
        hi -= 1
    return ops[lo:hi]


def aligned_rate(
    x: Sequence[int], y: Sequence[int], *, anchor: int | None = None, lacuna: int | None = None
) -> tuple[float, float] | None:
    """(disagreement rate, shared extent in words) of two word sequences, or None when
    they share no run of ``anchor`` words (:data:`ANCHOR_WORDS`): the word-level
    alignment (Levenshtein edit script) trimmed to the span between the first and last
    such run, so that what one text lacks at either end (a fragment, a lost leaf) is not
    counted as disagreement."""
    from rapidfuzz.distance import Levenshtein

    anchor = FIT["anchor_words"] if anchor is None else anchor
    lacuna = FIT["lacuna_words"] if lacuna is None else lacuna
    ops = _anchored(list(Levenshtein.opcodes(x, y)), anchor)
    if not ops:
        return None
    same = sum(o.src_end - o.src_start for o in ops if o.tag == "equal")
    extent = ((ops[-1].src_end - ops[0].src_start) + (ops[-1].dest_end - ops[0].dest_start)) / 2
    # a run of words one text lacks is a lacuna or one omission by one scribe: one
    # variant location, its words no shared extent
    for o in ops:
        gap = (o.src_end - o.src_start) + (o.dest_end - o.dest_start)
        if o.tag in ("insert", "delete") and gap > lacuna:
            extent -= gap / 2 - 1
    return 1.0 - same / extent, extent


#: Stories of at most this many documents align every two of their documents (the
#: verified pairs miss cousins that share few 8-word runs); larger ones read the
#: verified pairs' passages only.
MAX_ALIGNED = 150


def sequences(story: Sequence[str], tokens: Mapping[str, Tokens]) -> list[list[int]]:
    """Each document's content words as ints, one int a reading without accents or case."""
    vocab: dict[str, int] = {}
    return [
        [vocab.setdefault(_plain(w), len(vocab))
         for w, keep in zip(tokens[i].words, tokens[i].content.tolist(), strict=True) if keep]
        for i in story
    ]  # fmt: skip


def distances(
    story: Sequence[str],
    pairs: Sequence[Pair],
    tokens: Mapping[str, Tokens],
    *,
    anchor: int | None = None,
    lacuna: int | None = None,
) -> tuple[dict[tuple[str, str], float], float]:
    """Each pair's disagreement rate over its shared extent (both orders), and the
    story's median shared extent. Readings are compared without accents or case.

    Up to :data:`MAX_ALIGNED` documents every pair is aligned (:func:`aligned_rate`);
    above, the verified pairs' passages give the rates (variant locations per shared
    word, :func:`pair_variants`). A pair with no figure gets the shortest path of
    known rates between the two."""
    import networkx as nx

    members = set(story)
    g = nx.Graph()
    g.add_nodes_from(story)
    extents: list[float] = []
    if len(story) <= MAX_ALIGNED:
        seqs = dict(zip(story, sequences(story, tokens), strict=True))
        for k, a in enumerate(story):
            for b in story[k + 1 :]:
                got = aligned_rate(seqs[a], seqs[b], anchor=anchor, lacuna=lacuna)
                if got is not None:
                    g.add_edge(a, b, weight=got[0])
                    extents.append(got[1])
    else:
        for p in pairs:
            if p.a in members and p.b in members and p.a != p.b and p.passages:
                ev, ext = pair_variants(p, tokens)
                if ext > 0:
                    g.add_edge(p.a, p.b, weight=ev / ext)
                    extents.append(ext)
    paths = dict(nx.all_pairs_dijkstra_path_length(g, weight="weight"))
    far = max((w for _, _, w in g.edges(data="weight")), default=1.0) * len(story) or 1.0
    d: dict[tuple[str, str], float] = {}
    for a in story:
        for b in story:
            if a != b:
                d[(a, b)] = float(paths.get(a, {}).get(b, far))
    return d, (statistics.median(extents) if extents else 0.0)


def neighbour_joining(
    nodes: Sequence[str], dist: Mapping[tuple[str, str], float], *, prefix: str
) -> list[tuple[str, str, float]]:
    """Saitou & Nei's neighbour-joining: (inner node, node, branch length) triples.

    Inner nodes are named ``prefix`` + a counter. ``nodes`` come in an order of content
    (the caller's), and the joins are chosen by the figures, ties by that order.
    """
    live = list(nodes)
    d = {(a, b): float(v) for (a, b), v in dist.items()}

    def g(a: str, b: str) -> float:
        return 0.0 if a == b else d[(a, b)]

    out: list[tuple[str, str, float]] = []
    k = 0
    while len(live) > 2:
        n = len(live)
        r = {x: sum(g(x, y) for y in live) for x in live}
        best: tuple[float, int, int] | None = None
        for i, a in enumerate(live):
            for j in range(i + 1, n):
                q = (n - 2) * g(a, live[j]) - r[a] - r[live[j]]
                if best is None or q < best[0] - 1e-12:
                    best = (q, i, j)
        assert best is not None
        a, b = live[best[1]], live[best[2]]
        u = f"{prefix}{k}"
        k += 1
        la = 0.5 * g(a, b) + (r[a] - r[b]) / (2 * (n - 2))
        lb = g(a, b) - la
        out += [(u, a, max(la, 0.0)), (u, b, max(lb, 0.0))]
        for x in live:
            if x not in (a, b):
                v = max(0.5 * (g(a, x) + g(b, x) - g(a, b)), 0.0)
                d[(u, x)] = d[(x, u)] = v
        live = [x for x in live if x not in (a, b)] + [u]
    if len(live) == 2:
        out.append((live[0], live[1], g(live[0], live[1])))
    return out


def collation(
    seqs: Sequence[Sequence[int]],
    *,
    ref: int,
    anchor: int | None = None,
    lacuna: int | None = None,
    events: int = 0,
) -> np.ndarray:
    """The witnesses' readings at each place of variation: (witnesses, places) ints,
    -1 where a witness has no reading there (outside its extent, inside a lacuna).

    Every witness is aligned to the reference ``seqs[ref]`` (word Levenshtein, trimmed as
    in :func:`aligned_rate`); each reference word is a place (the word read there, or an
    omission), and so is each gap between two reference words (the words a witness adds
    there, or none). A run of more than ``lacuna`` words one side lacks is no reading at
    all (a lacuna, a lost leaf). Places where fewer than two readings occur are dropped.

    ``events`` > 0 adds, that many times each, the losses two or more witnesses share
    (:func:`_losses`): where a witness's text ends or starts, a run of more than
    ``lacuna`` words it lacks or holds beside the reference.
    """
    from rapidfuzz.distance import Levenshtein

    anchor = FIT["anchor_words"] if anchor is None else anchor
    lacuna = FIT["lacuna_words"] if lacuna is None else lacuna
    r = seqs[ref]
    n = len(r)
    # place 2p: what stands before reference word p (an addition, () for none); 2p + 1:
    # the reading of reference word p (() for an omission); None: no reading
    rows: list[list[tuple[int, ...] | None]] = []
    spans: list[_Span | None] = []
    for k, s in enumerate(seqs):
        row: list[tuple[int, ...] | None] = [None] * (2 * n + 1)
        if k == ref:
            spans.append((0, n, [], []))
            row = [()] * (2 * n + 1)
            for p in range(n):
                row[2 * p + 1] = (r[p],)
            rows.append(row)
            continue
        ops = _anchored(list(Levenshtein.opcodes(r, s)), anchor)
        spans.append(None)
        if ops:
            a0, a1 = ops[0].src_start, ops[-1].src_end
            spans[-1] = (
                a0,
                a1,
                [(o.src_start, o.src_end) for o in ops
                 if o.tag == "delete" and o.src_end - o.src_start > lacuna],
                [o.src_start for o in ops
                 if o.tag == "insert" and o.dest_end - o.dest_start > lacuna],
            )  # fmt: skip
            for p in range(a0, a1):
                row[2 * p + 1] = ()
                if p > a0:
                    row[2 * p] = ()
        for o in ops:
            i1, i2, j1, j2 = o.src_start, o.src_end, o.dest_start, o.dest_end
            if o.tag == "equal":
                for q in range(i1, i2):
                    row[2 * q + 1] = (r[q],)
            elif o.tag == "delete" and i2 - i1 > lacuna:
                for q in range(2 * i1 + 1, 2 * i2):
                    row[q] = None
            elif o.tag == "insert":
                row[2 * i1] = tuple(s[j1:j2]) if j2 - j1 <= lacuna else None
            elif o.tag == "replace":
                m = min(i2 - i1, j2 - j1)
                for q in range(m):
                    row[2 * (i1 + q) + 1] = (s[j1 + q],)
                if j2 - j1 > m:
                    row[2 * i2] = tuple(s[j1 + m : j2])
            # a short "delete" leaves the omission () set above
        rows.append(row)
    cols: list[list[int]] = []
    for q in range(2 * n + 1):
        seen: dict[tuple[int, ...], int] = {}
        col = []
        for row in rows:
            x = row[q]
            col.append(-1 if x is None else seen.setdefault(x, len(seen)))
        if len(seen) >= 2:
            cols.append(col)
    if events:
        cols += _losses(spans, n) * events
    if not cols:
        return np.zeros((len(seqs), 0), dtype=np.int64)
    return np.array(cols, dtype=np.int64).T


#: a witness's extent against the reference: (first, end) reference words, its long
#: omissions (reference word ranges) and long additions (reference positions)
_Span = tuple[int, int, list[tuple[int, int]], list[int]]

#: Two losses are the same when their bounds are this close in reference words (the
#: alignment may place a loss's edge a word or two off where the words around it repeat).
LOSS_SLACK = 2


def _losses(spans: Sequence[_Span | None], n: int) -> list[list[int]]:
    """Places of variation made of shared losses: 1 for a witness with the loss, 0 for one
    whose text covers the place without it, -1 unknown. Only losses two or more
    witnesses share against two or more without: a witness's own damage says nothing
    of its kin, and copies of a mutilated exemplar lack the same words."""
    near = LOSS_SLACK

    def merged(xs: Sequence[Any]) -> list[Any]:
        out: list[Any] = []
        for x in sorted(set(xs)):
            if not out or any(
                abs(a - b) > near
                for a, b in zip(
                    x if isinstance(x, tuple) else (x,),
                    out[-1] if isinstance(out[-1], tuple) else (out[-1],),
                    strict=True,
                )
            ):
                out.append(x)
        return out  # fmt: skip

    known = [sp for sp in spans if sp is not None]
    cols: list[list[int]] = []
    for e in merged([sp[1] for sp in known if sp[1] < n - near]):  # the text ends at e
        cols.append([-1 if sp is None else 1 if abs(sp[1] - e) <= near else
                     0 if sp[1] > e else -1 for sp in spans])  # fmt: skip
    for e in merged([sp[0] for sp in known if sp[0] > near]):  # the text starts at e
        cols.append([-1 if sp is None else 1 if abs(sp[0] - e) <= near else
                     0 if sp[0] < e else -1 for sp in spans])  # fmt: skip
    for g in merged([g for sp in known for g in sp[2]]):  # words g[0]:g[1] lost
        col = []
        for sp in spans:
            if sp is None:
                col.append(-1)
            elif any(abs(h[0] - g[0]) <= near and abs(h[1] - g[1]) <= near for h in sp[2]):
                col.append(1)
            elif (
                sp[0] <= g[0]
                and sp[1] >= g[1]
                and not any(h[0] < g[1] and g[0] < h[1] for h in sp[2])
            ):
                col.append(0)
            else:
                col.append(-1)
        cols.append(col)
    for at in merged([a for sp in known for a in sp[3]]):  # words the reference lacks
        col = []
        for sp in spans:
            if sp is None:
                col.append(-1)
            elif any(abs(a - at) <= near for a in sp[3]):
                col.append(1)
            else:
                col.append(0 if sp[0] < at < sp[1] else -1)
        cols.append(col)
    return [c for c in cols if c.count(1) >= 2 and c.count(0) >= 2]


def _leaf_costs(states: np.ndarray) -> np.ndarray:
    """(witnesses, places, states) costs of each reading: 0 for the witness's own reading,
    inf for the others, 0 for every reading where it has none."""
    k = int(states.max()) + 1 if states.size else 1
    cost = np.full((*states.shape, k), np.inf)
    have = states >= 0
    cost[~have] = 0.0
    w, q = np.nonzero(have)
    cost[w, q, states[w, q]] = 0.0
    return cost


def parsimony_length(adj: Mapping[str, set[str]], costs: Mapping[str, np.ndarray]) -> float:
    """The fewest changes of reading an unrooted tree needs (unit-cost Sankoff).

    ``adj``: the tree; ``costs``: each witness's (places, readings) leaf costs
    (:func:`_leaf_costs`); a witness may be an inner node (an extant exemplar). The
    figure does not depend on where the recursion starts."""
    start = min(costs)
    order: list[tuple[str, str | None]] = []
    stack: list[tuple[str, str | None]] = [(start, None)]
    while stack:
        x, p = stack.pop()
        order.append((x, p))
        stack.extend((y, x) for y in adj[x] if y != p)
    acc: dict[str, np.ndarray] = {}
    for x, p in reversed(order):
        own = costs.get(x)
        total = own.copy() if own is not None else None
        for y in adj[x]:
            if y == p:
                continue
            c = acc.pop(y)
            t = np.minimum(c, c.min(axis=1, keepdims=True) + 1.0)
            total = t if total is None else total + t
        assert total is not None
        acc[x] = total
    return float(acc[start].min(axis=1).sum())


def _merged(adj: Mapping[str, set[str]], keep: str, drop: str) -> dict[str, set[str]]:
    """The tree with the branch keep-drop contracted: drop's other neighbours go to keep."""
    out = {k: set(v) for k, v in adj.items() if k != drop}
    for x in adj[drop]:
        if x == keep:
            out[x].discard(drop)
            continue
        out[x].discard(drop)
        out[x].add(keep)
        out[keep].add(x)
    return out


def _refine(
    adj: dict[str, set[str]],
    costs: Mapping[str, np.ndarray],
    rank: Mapping[str, int],
    *,
    rounds: int,
) -> tuple[dict[str, set[str]], float]:
    """Nearest-neighbour interchanges that shorten the tree, the best one each round."""
    best = parsimony_length(adj, costs)
    inner = sorted((x for x in adj if x not in costs), key=rank.__getitem__)
    for _ in range(rounds):
        found: tuple[float, dict[str, set[str]]] | None = None
        for u in inner:
            for v in sorted(adj[u], key=rank.__getitem__):
                if v in costs or rank[v] < rank[u]:
                    continue  # each inner branch once
                x = min(adj[u] - {v}, key=rank.__getitem__)  # one side fixed: 2 swaps
                for y in sorted(adj[v] - {u}, key=rank.__getitem__):
                    trial = {k: set(s) for k, s in adj.items()}
                    trial[u] -= {x}
                    trial[x] -= {u}
                    trial[v] -= {y}
                    trial[y] -= {v}
                    trial[u].add(y)
                    trial[y].add(u)
                    trial[v].add(x)
                    trial[x].add(v)
                    length = parsimony_length(trial, costs)
                    if length < best - 1e-9 and (found is None or length < found[0] - 1e-9):
                        found = (length, trial)
        if found is None:
            break
        best, adj = found
    return adj, best


def _contract_parsimony(
    adj: dict[str, set[str]],
    costs: Mapping[str, np.ndarray],
    rank: Mapping[str, int],
    *,
    inner_tolerance: float,
    witness_tolerance: float,
) -> dict[str, set[str]]:
    """Contract what the readings do not support: an inner branch whose loss costs at
    most ``inner_tolerance`` changes (a group the text shows by so few shared readings
    is not shown), a witness's own branch at most ``witness_tolerance`` (a copy makes
    readings of its own; a witness with so few is its lost exemplar's place).

    Tried cheapest first (each branch's cost in the tree as first refined, ties by the
    order of content), each re-checked on the tree as it stands."""
    base = parsimony_length(adj, costs)

    def branches(a: Mapping[str, set[str]]) -> list[tuple[str, str]]:
        return [(u, v) for u in a for v in a[u]
                if (u in costs) != (v in costs) and u in costs  # witness -> inner
                or (u not in costs and v not in costs and rank[u] < rank[v])]  # fmt: skip

    def trial(a: Mapping[str, set[str]], u: str, v: str) -> dict[str, set[str]]:
        return _merged(a, u, v)  # u: the witness, or the inner node ranked first

    while True:  # passes until none is left: a contraction renames its neighbours' branches
        first = []
        for u, v in branches(adj):
            tol = witness_tolerance if u in costs else inner_tolerance
            delta = parsimony_length(trial(adj, u, v), costs) - base
            if delta <= tol + 1e-9:
                first.append((delta, rank[u], rank[v], u, v))
        done = 0
        for _, _, _, u, v in sorted(first):
            if u not in adj or v not in adj or v not in adj[u]:
                continue
            tol = witness_tolerance if u in costs else inner_tolerance
            t = trial(adj, u, v)
            length = parsimony_length(t, costs)
            if length - base <= tol + 1e-9:
                adj, base = t, length
                done += 1
        if not done:
            return adj


def _contract(
    branches: Sequence[tuple[str, str, float]], inner: set[str], min_length: float
) -> dict[str, dict[str, float]]:
    """The tree as adjacency with lengths, its short branches contracted (shortest first).

    Two inner nodes merge; an inner node and a witness: the witness takes its place.
    Two witnesses are never merged."""
    adj: dict[str, dict[str, float]] = {}
    for u, v, w in branches:
        adj.setdefault(u, {})[v] = w
        adj.setdefault(v, {})[u] = w
    while True:
        short = sorted(
            (w, u, v)
            for u in adj
            for v, w in adj[u].items()
            if u < v and w < min_length and (u in inner or v in inner)
        )
        if not short:
            return adj
        _, u, v = short[0]
        keep, drop = (v, u) if u in inner else (u, v)
        for x, w in adj.pop(drop).items():
            del adj[x][drop]
            if x != keep:
                adj[keep][x] = w
                adj[x][keep] = w


def variant_places(
    order: Sequence[str], tokens: Mapping[str, Tokens], values: Mapping[str, Any]
) -> np.ndarray:
    """The collation of ``order``'s witnesses against the longest (ties: the order of
    content): a row of readings per witness, in ``order``'s order."""
    seqs = sequences(order, tokens)
    ref = max(range(len(order)), key=lambda k: (len(seqs[k]), -k))
    return collation(seqs, ref=ref, anchor=values["anchor_words"],
                     lacuna=values["lacuna_words"], events=values["loss_events"])  # fmt: skip


def _by_parsimony(
    order: Sequence[str],
    branches: Sequence[tuple[str, str, float]],
    states: np.ndarray,
    values: Mapping[str, Any],
    *,
    resample: np.random.Generator | None = None,
) -> dict[str, dict[str, float]] | None:
    """Neighbour-joining's tree refined and contracted by parsimony over the collation
    ``states`` (:func:`variant_places`): adjacency with each branch's changes of reading
    (what contracting it would cost), or None when the witnesses share no place of
    variation. ``resample``: over a bootstrap sample of the places (as many, drawn with
    replacement)."""
    if states.shape[1] == 0:
        return None
    if resample is not None:
        m = states.shape[1]
        states = states[:, np.sort(resample.integers(0, m, m))]
    costs = dict(zip(order, _leaf_costs(states), strict=True))
    adj: dict[str, set[str]] = {}
    for u, v, _ in branches:
        adj.setdefault(u, set()).add(v)
        adj.setdefault(v, set()).add(u)
    # witnesses by the order of content, inner nodes by the order of their joins
    rank = {x: k for k, x in enumerate(order)}
    for u, _, _ in branches:
        rank.setdefault(u, len(rank))
    adj, _ = _refine(adj, costs, rank, rounds=2 * len(order))
    adj = _contract_parsimony(adj, costs, rank, inner_tolerance=values["inner_tolerance"],
                              witness_tolerance=values["witness_tolerance"])  # fmt: skip
    base = parsimony_length(adj, costs)
    out: dict[str, dict[str, float]] = {x: {} for x in adj}
    for u in adj:
        for v in adj[u]:
            if rank[u] >= rank[v]:
                continue
            if u in costs and v in costs:  # two witnesses: the places where they differ
                a, b = states[order.index(u)], states[order.index(v)]
                w = float(((a >= 0) & (b >= 0) & (a != b)).sum())
            else:
                keep, drop = (v, u) if v in costs else (u, v)
                w = parsimony_length(_merged(adj, keep, drop), costs) - base
            out[u][v] = out[v][u] = w
    return out


def skeleton(
    order: Sequence[str],
    pairs: Sequence[Pair],
    tokens: Mapping[str, Tokens],
    *,
    prefix: str,
    min_branch: float = MIN_BRANCH,
    fit: Mapping[str, Any] | None = None,
) -> tuple[dict[str, dict[str, float]], float]:
    """The unrooted stemma of ``order`` (documents in an order of content): adjacency
    with branch lengths (rates over the story's median shared extent), inner nodes named
    ``prefix`` + a counter, and that extent. ``fit``: values in place of :data:`FIT`
    (the fit's grid)."""
    values = {**FIT, **(fit or {})}
    dist, extent = distances(order, pairs, tokens, anchor=values["anchor_words"],
                             lacuna=values["lacuna_words"])  # fmt: skip
    adj = tree_of(order, dist, extent, tokens, values, prefix=prefix, min_branch=min_branch)
    return adj, extent


def tree_of(
    order: Sequence[str],
    dist: Mapping[tuple[str, str], float],
    extent: float,
    tokens: Mapping[str, Tokens],
    values: Mapping[str, Any],
    *,
    prefix: str,
    min_branch: float = MIN_BRANCH,
    resample: np.random.Generator | None = None,
    states: np.ndarray | None = None,
) -> dict[str, dict[str, float]]:
    """:func:`skeleton` from the pairs' distances: neighbour-joining's tree, refined and
    contracted by parsimony over the collation up to :data:`MAX_PARSIMONY` documents,
    else contracted by branch length. The bootstrap's replicates call it with redrawn
    distances, so the support is that of the very method that built the stemma;
    ``resample``: the parsimony reads a bootstrap sample of the variant places, drawn
    with replacement (Felsenstein 1985), so a witness with few readings of its own (a
    fragment) is placed less surely than a whole one. ``states``: the collation, when
    the caller has it (the replicates share one; it does not depend on the distances)."""
    branches = neighbour_joining(order, dist, prefix=prefix)
    inner = {u for u, _, _ in branches if u.startswith(prefix)} - set(order)
    if 3 <= len(order) <= MAX_PARSIMONY:
        if states is None:
            states = variant_places(order, tokens, values)
        changes = _by_parsimony(order, branches, states, values, resample=resample)
        if changes is not None:
            # lengths: the changes of reading each branch carries, as a rate
            return {u: {v: w / extent if extent else 0.0 for v, w in nb.items()}
                    for u, nb in changes.items()}  # fmt: skip
    leaves = sorted(w for _, v, w in branches if v in set(order))
    min_length = min_branch * statistics.median(leaves) if leaves else 0.0
    return _contract(branches, inner, min_length)


def stemma_of_story(
    story: Sequence[str],
    pairs: Sequence[Pair],
    tokens: Mapping[str, Tokens],
    docs: Mapping[str, Document],
    *,
    min_branch: float = MIN_BRANCH,
) -> tuple[list[Edge], list[Origin], list[Hypothetical]]:
    """The story's stemma: edges between witnesses, origins, lost exemplars; each
    witness's confidence is the bootstrap support of its place (
    :func:`lineage.infer.confidence.placement_support`, stories up to
    :data:`~lineage.infer.confidence.SUPPORT_DOCS`; above, 0 until the caller gives one).

    The replicates redraw the pairs' distances and rebuild the stemma from them by the
    same method: neighbour-joining, then parsimony over a bootstrap sample of the
    collation's variant places (:func:`tree_of`)."""
    # an order of content, never of ids: the joins' ties fall the same under any naming
    order = sorted(story, key=lambda i: (docs[i].content_key, i))
    tag = hashlib.sha1("\x1f".join(docs[i].content_key[0] for i in order).encode()).hexdigest()
    prefix = f"lost-{tag[:8]}-"
    dist, extent = distances(order, pairs, tokens, anchor=FIT["anchor_words"],
                             lacuna=FIT["lacuna_words"])  # fmt: skip
    # the collation is read once: every replicate resamples the same places
    states = variant_places(order, tokens, FIT) if 3 <= len(order) <= MAX_PARSIMONY else None
    adj = tree_of(order, dist, extent, tokens, FIT, prefix=prefix, min_branch=min_branch,
                  states=states)  # fmt: skip
    got = _rooted(adj, extent, order, docs)
    if len(order) > SUPPORT_DOCS:
        return got

    def rebuild(
        names: Sequence[str], d: Mapping[tuple[str, str], float], rng: np.random.Generator
    ) -> Stemma:
        named = {n: docs[x] for n, x in zip(names, order, strict=True)}
        toks = {n: tokens[x] for n, x in zip(names, order, strict=True)}
        adj = tree_of(names, d, extent, toks, FIT, prefix=prefix, min_branch=min_branch,
                      resample=rng, states=states)  # fmt: skip
        return _rooted(adj, extent, names, named)

    return placement_support(got, order, dist, extent, seed=int(tag[:16], 16), rebuild=rebuild)


def _rooted(
    adj: Mapping[str, Mapping[str, float]],
    extent: float,
    order: Sequence[str],
    docs: Mapping[str, Document],
) -> Stemma:
    """The unrooted stemma ``adj`` rooted at its centre, as edges, origins and lost
    exemplars named by the witnesses below them."""
    witnesses = set(order)
    # the centre: least summed branch length to the witnesses
    import networkx as nx

    tree = nx.Graph()
    for u, nbrs in adj.items():
        for v, w in nbrs.items():
            tree.add_edge(u, v, weight=w)
    if tree.number_of_nodes() == 0:
        tree.add_nodes_from(order)
    lengths = dict(nx.all_pairs_dijkstra_path_length(tree, weight="weight"))
    rank = {x: k for k, x in enumerate(order)}

    def key(x: str) -> tuple[float, int, int, str]:
        # summed in the order of content: a set's order would change the float sum
        # with the hash seed, and near-ties between centres with it
        return (sum(lengths[x].get(wi, 0.0) for wi in order), x not in witnesses,
                rank.get(x, len(rank)), x)  # fmt: skip

    root = min(tree.nodes, key=key)
    parent: dict[str, str | None] = {root: None}
    todo = [root]
    seen = {root}
    while todo:
        x = todo.pop()
        for y in sorted(tree.neighbors(x), key=lambda n: (rank.get(n, len(rank)), n)):
            if y not in seen:
                seen.add(y)
                parent[y] = x
                todo.append(y)
    # name the lost exemplars by what they hold, never by the order of the joins
    kids: dict[str, list[str]] = {}
    for c, p in parent.items():
        if p is not None:
            kids.setdefault(p, []).append(c)

    def below(x: str) -> list[str]:
        out, stack = [], [x]
        while stack:
            y = stack.pop()
            if y in witnesses:
                out.append(docs[y].content_key[0])
            stack.extend(kids.get(y, ()))
        return sorted(out)

    names = {
        h: "lost-" + hashlib.sha1("\x1f".join(below(h)).encode()).hexdigest()[:10]
        for h in parent
        if h not in witnesses
    }

    def name(x: str | None) -> str | None:
        return None if x is None else names.get(x, x)

    edges: list[Edge] = []
    origins: list[Origin] = []
    hypos: list[Hypothetical] = []
    for x in sorted(parent, key=lambda n: name(n) or ""):
        p = parent[x]
        length = tree[p][x]["weight"] if p is not None else 0.0
        facts = {"node": name(x), "parent": name(p), "variants": round(length * extent, 2),
                 "rate": round(length, 4)}  # fmt: skip
        ev = explained(Evidence("stemma", round(length * extent, 2), "for", facts))
        if x not in witnesses:
            children = tuple(sorted(name(c) or "" for c in kids.get(x, ())))
            hypos.append(Hypothetical(names[x], children, name(p), 0.0, (ev,)))
        elif p is not None and p in witnesses:
            edges.append(Edge(p, x, 0.0, (ev,)))
        else:
            why = (
                "the centre of the stemma of variant readings"
                if p is None
                else f"copied from a lost exemplar ({name(p)}) by the stemma of variant readings"
            )
            origins.append(Origin(x, "original", why, 0.0, (ev,)))
    return edges, origins, hypos


#: Stories of more documents keep the forest (neighbour-joining is cubic in the story).
MAX_STORY = 200


def stemmata(
    docs: Sequence[Document],
    pairs: Sequence[Pair],
    stories: Sequence[Sequence[str]],
    edges: Sequence[Edge],
    origins: Sequence[Origin],
    *,
    tokens: Mapping[str, Tokens],
    min_branch: float = MIN_BRANCH,
) -> tuple[list[Edge], list[Origin], list[Hypothetical]]:
    """The forest's edges and origins with every story of 3 to :data:`MAX_STORY`
    documents replaced by its stemma (:func:`stemma_of_story`).

    Up to :data:`~lineage.infer.confidence.SUPPORT_DOCS` documents, every edge and origin
    has the stemma's own confidence and alternatives (the bootstrap support of the
    witness's place), and an edge the forest chose too keeps the forest's evidence beside
    the stemma's record.
    Above, an edge the forest chose too keeps its confidence and evidence (the stemma's
    record added); an edge the forest did not choose takes the probability the forest
    gave that parent among the child's alternatives (0 when it listed none)."""
    by_id = {d.id: d for d in docs}
    pairs_of: dict[str, list[Pair]] = {}
    for p in pairs:
        pairs_of.setdefault(p.a, []).append(p)
    forest = {e.child: e for e in edges if not e.secondary}
    out_edges = list(edges)
    out_origins = list(origins)
    hypos: list[Hypothetical] = []
    for story in stories:
        if not 3 <= len(story) <= MAX_STORY:
            continue
        members = set(story)
        story_pairs = [p for i in story for p in pairs_of.get(i, ()) if p.b in members]
        s_edges, s_origins, s_hypos = stemma_of_story(
            story, story_pairs, tokens, by_id, min_branch=min_branch
        )
        out_edges = [e for e in out_edges if e.child not in members]
        out_origins = [o for o in out_origins if o.id not in members]
        for e in s_edges:
            old = forest.get(e.child)
            if len(story) <= SUPPORT_DOCS:  # the stemma's own support, on its own scale
                same = old is not None and old.parent == e.parent
                ev = (*old.evidence, *e.evidence) if same and old is not None else e.evidence
                out_edges.append(replace(e, evidence=ev))
                continue
            if old is not None and old.parent == e.parent:
                out_edges.append(Edge(e.parent, e.child, old.confidence,
                                      (*old.evidence, *e.evidence), old.alternatives))  # fmt: skip
                continue
            alt = {a.parent: a.confidence for a in old.alternatives} if old is not None else {}
            out_edges.append(Edge(e.parent, e.child, alt.get(e.parent, 0.0), e.evidence,
                                  old.alternatives if old is not None else ()))  # fmt: skip
        out_origins.extend(s_origins)
        hypos.extend(s_hypos)
    out_edges.sort(key=lambda e: (e.parent, e.child, e.secondary))
    out_origins.sort(key=lambda o: o.id)
    hypos.sort(key=lambda h: h.id)
    return out_edges, out_origins, hypos
