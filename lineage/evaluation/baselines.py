"""Baselines: naive lineages built from the same Analysis the method reads.

Every baseline reads only what a :class:`~lineage.evaluation.metrics.Prediction` carries
(verified pairs with their Jaccard, dates, word counts), so it sees exactly the candidate
pairs the analysis verified:

* :func:`baseline_mst`: maximum spanning tree on Jaccard, rooted at the earliest (else
  most central) document;
* :func:`baseline_most_similar_earlier`: each document's parent is its most similar
  earlier document (dates; length when undated);
* :func:`baseline_longer_is_newer`: each document's parent is its most similar shorter
  document, dates ignored;
* :func:`neighbour_joining` / :func:`baseline_nj`: Saitou & Nei's neighbour-joining on
  ``1 - Jaccard``, for traditions: its inner nodes play the lost exemplars.

Ties left after the figures are broken by document id: evaluation feeds opaque, shuffled
ids (:func:`lineage.evaluation.datasets.opaque_ids`), so that order carries no answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lineage.evaluation.metrics import Prediction, load_prediction

if TYPE_CHECKING:
    from lineage.model import Analysis

__all__ = [
    "baseline_longer_is_newer",
    "baseline_most_similar_earlier",
    "baseline_mst",
    "baseline_nj",
    "neighbour_joining",
]


def _weighted_graph(pred: Prediction) -> Any:
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(sorted(pred.documents))
    for a, b, j in pred.pairs:
        if a != b and j > 0:
            g.add_edge(a, b, weight=float(j))
    return g


def baseline_mst(
    analysis: Analysis | Mapping[str, Any] | str | Path | Prediction,
) -> list[tuple[str, str]]:
    """Maximum spanning tree on pair Jaccard, per connected component, oriented from a root.

    The root of a component is its earliest dated document; with no dated document, the
    most central one (largest summed Jaccard to its neighbours; ties by id). Edges point
    away from the root.
    """
    import networkx as nx

    pred = load_prediction(analysis)
    g = _weighted_graph(pred)
    dates = pred.dates or {}
    out: list[tuple[str, str]] = []
    for comp in sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: c[0]):
        if len(comp) < 2:
            continue
        # a fresh graph with its edges in sorted order: a subgraph view of a large graph
        # iterates its nodes from a set, so Kruskal's ties would fall by string hashing,
        # which differs from one process to the next
        sub = nx.Graph()
        sub.add_nodes_from(comp)
        sub.add_weighted_edges_from(
            sorted((min(u, v), max(u, v), w) for u, v, w in g.subgraph(comp).edges(data="weight"))
        )
        tree = nx.maximum_spanning_tree(sub, weight="weight")
        dated = [d for d in comp if dates.get(d) is not None]
        if dated:
            root = min(dated, key=lambda d: (dates[d], d))
        else:
            root = min(comp, key=lambda d: (-g.degree(d, weight="weight"), d))
        out.extend((p, c) for p, c in nx.bfs_edges(tree, root, sort_neighbors=sorted))
    return out


def baseline_most_similar_earlier(
    analysis: Analysis | Mapping[str, Any] | str | Path | Prediction,
) -> list[tuple[str, str]]:
    """Each document's parent is its most similar (Jaccard) earlier document.

    "Earlier" compares dates when both documents are dated. When either date is missing,
    order falls back to length: the shorter document is taken as the earlier one ("longer
    is newer", equal lengths ordered by id) — the input order of documents carries no
    information. Documents with no earlier neighbour get no parent. With mixed dated and
    undated documents the two orders can disagree, so cycles are possible.
    """
    pred = load_prediction(analysis)
    dates = pred.dates or {}
    words = pred.words or {}

    def earlier(x: str, y: str) -> bool:
        dx, dy = dates.get(x), dates.get(y)
        if dx is not None and dy is not None and dx != dy:
            return dx < dy
        return (words.get(x, 0), x) < (words.get(y, 0), y)

    best: dict[str, tuple[float, str]] = {}
    for a, b, j in pred.pairs:
        if a == b or j <= 0:
            continue
        parent, child = (a, b) if earlier(a, b) else (b, a)
        cur = best.get(child)
        if cur is None or j > cur[0] or (j == cur[0] and parent < cur[1]):
            best[child] = (j, parent)
    return sorted((p, c) for c, (_, p) in best.items())


def baseline_longer_is_newer(
    analysis: Analysis | Mapping[str, Any] | str | Path | Prediction,
) -> list[tuple[str, str]]:
    """Each document's parent is its most similar (Jaccard) shorter document; dates ignored.

    "Longer is newer": revisions grow and copies of a lost text are ordered by how much
    they kept. Equal lengths are ordered by (opaque) id. The result is a forest.
    """
    pred = load_prediction(analysis)
    words = pred.words or {}
    best: dict[str, tuple[float, str]] = {}
    for a, b, j in pred.pairs:
        if a == b or j <= 0:
            continue
        parent, child = (a, b) if (words.get(a, 0), a) < (words.get(b, 0), b) else (b, a)
        cur = best.get(child)
        if cur is None or j > cur[0] or (j == cur[0] and parent < cur[1]):
            best[child] = (j, parent)
    return sorted((p, c) for c, (_, p) in best.items())


def neighbour_joining(
    names: Sequence[str], dist: Mapping[tuple[str, str], float], *, prefix: str = "nj:"
) -> list[tuple[str, str]]:
    """Neighbour-joining (Saitou & Nei 1987): an unrooted tree as (inner, node) edges.

    ``dist[(a, b)]`` (either order) is the distance of two names; inner nodes are named
    ``prefix + n``. Branch lengths are not returned: scores read the topology only. With
    an additive distance the true tree comes back:

    >>> d = {("a", "b"): 5, ("a", "c"): 9, ("a", "d"): 9, ("a", "e"): 8, ("b", "c"): 10,
    ...      ("b", "d"): 10, ("b", "e"): 9, ("c", "d"): 8, ("c", "e"): 7, ("d", "e"): 3}
    >>> for edge in sorted(neighbour_joining(list("abcde"), d)):
    ...     print(*edge)
    nj:0 a
    nj:0 b
    nj:1 c
    nj:1 nj:0
    nj:2 d
    nj:2 e
    nj:2 nj:1
    """
    nodes = list(dict.fromkeys(names))
    if len(nodes) < 2:
        return []
    if len(nodes) == 2:
        return [(nodes[0], nodes[1])]
    d: dict[str, dict[str, float]] = {a: {} for a in nodes}
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            v = dist.get((a, b), dist.get((b, a)))
            if v is None:
                raise KeyError(f"no distance between {a!r} and {b!r}")
            d[a][b] = d[b][a] = float(v)
    edges: list[tuple[str, str]] = []
    k = 0
    while len(nodes) > 3:
        n = len(nodes)
        total = {a: sum(d[a][b] for b in nodes if b != a) for a in nodes}
        best: tuple[float, int, int] | None = None
        for i, a in enumerate(nodes):
            for j in range(i + 1, n):
                b = nodes[j]
                q = (n - 2) * d[a][b] - total[a] - total[b]
                if best is None or q < best[0] - 1e-12:
                    best = (q, i, j)
        assert best is not None
        _, i, j = best
        a, b = nodes[i], nodes[j]
        u = f"{prefix}{k}"
        k += 1
        edges += [(u, a), (u, b)]
        d[u] = {}
        for c in nodes:
            if c not in (a, b):
                d[u][c] = d[c][u] = (d[a][c] + d[b][c] - d[a][b]) / 2
        nodes = [c for c in nodes if c not in (a, b)] + [u]
    # the last three join at one inner node
    u = f"{prefix}{k}"
    edges += [(u, c) for c in nodes]
    return edges


def baseline_nj(
    analysis: Analysis | Mapping[str, Any] | str | Path | Prediction,
) -> list[tuple[str, str]]:
    """Neighbour-joining on ``1 - Jaccard`` per connected component of the verified pairs.

    A pair the analysis did not verify has distance 1. Edges are undirected in meaning
    (inner node first); score them with the average sign distance, not edge F1.
    """
    import networkx as nx

    pred = load_prediction(analysis)
    g = _weighted_graph(pred)
    out: list[tuple[str, str]] = []
    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: c[0])
    for n, comp in enumerate(comps):
        if len(comp) < 2:
            continue
        dist = {
            (a, b): 1.0 - float(g[a][b]["weight"]) if g.has_edge(a, b) else 1.0
            for i, a in enumerate(comp)
            for b in comp[i + 1 :]
        }
        out += neighbour_joining(comp, dist, prefix=f"nj{n}:")
    return out
