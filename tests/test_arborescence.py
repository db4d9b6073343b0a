"""lineage.arborescence against networkx's Edmonds, on generated graphs (hypothesis)."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lineage.arborescence import max_arborescence


@st.composite
def rooted_graphs(draw, distinct: bool) -> tuple[int, list[tuple[int, int, float]]]:
    """Node 0 has an edge to every node; other edges at random. ``distinct``: no two
    weights equal (whole numbers, so sums are exact; two trees can still tie on their
    sum); else small integers, with many ties."""
    n = draw(st.integers(1, 11))
    pairs = [(u, v) for u in range(1, n) for v in range(1, n) if u != v]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    ends = [(0, v) for v in range(1, n)] + chosen
    if distinct:
        ints = st.integers(-(10**6), 10**6)
        ws = draw(st.lists(ints, min_size=len(ends), max_size=len(ends), unique=True))
        weights = ws
    else:
        weights = draw(st.lists(st.integers(-3, 3), min_size=len(ends), max_size=len(ends)))
    return n, [(u, v, float(w)) for (u, v), w in zip(ends, weights, strict=True)]


def _networkx(n: int, edges: list[tuple[int, int, float]]) -> dict[int, int]:
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from((u, v, w + 100) for u, v, w in edges)  # positive
    return {v: u for u, v in nx.maximum_spanning_arborescence(g).edges()}


def _check_tree(n: int, parent: list[int], edges: list[tuple[int, int, float]]) -> float:
    weight = {(u, v): w for u, v, w in edges}
    assert parent[0] == -1
    for v in range(1, n):
        seen, x = set(), v
        while x != 0:  # every node reaches the root: no cycle
            assert x not in seen
            seen.add(x)
            x = parent[x]
    return sum(weight[(parent[v], v)] for v in range(1, n))


@settings(max_examples=300, deadline=None)
@given(rooted_graphs(distinct=True))
@example(  # found in CI: two optimal trees, 5 + 12 == 4 + 13
    (7, [(0, 1, 0.0), (0, 2, 5.0), (0, 3, 1.0), (0, 4, -1.0), (0, 5, 4.0), (0, 6, -2.0),
         (5, 2, 13.0), (2, 6, 2.0), (2, 5, 12.0)])
)  # fmt: skip
def test_same_tree_as_networkx_when_the_optimum_is_unique(graph):
    n, edges = graph
    parent = max_arborescence(n, edges)
    mine = _check_tree(n, parent, edges)
    if n > 1:
        theirs = _networkx(n, edges)
        if {v: parent[v] for v in range(1, n)} != theirs:
            # another tree only when the two sums tie exactly (distinct edge weights do
            # not make the optimum unique: 0.005 + 0.012 == 0.004 + 0.013)
            weight = {(u, v): w for u, v, w in edges}
            assert mine == sum(weight[(u, v)] for v, u in theirs.items())


@settings(max_examples=300, deadline=None)
@given(rooted_graphs(distinct=False))
def test_optimal_weight_with_ties(graph):
    n, edges = graph
    parent = max_arborescence(n, edges)
    mine = _check_tree(n, parent, edges)
    if n > 1:
        theirs = {(u, v): w for u, v, w in edges}
        best = sum(theirs[(u, v)] for v, u in _networkx(n, edges).items())
        assert mine == pytest.approx(best)
    assert max_arborescence(n, list(reversed(edges))) == parent  # edge order is no tie-break


def test_cycles_inside_cycles():
    # 1<->2 and 3<->4 are mutual best pairs; the pairs then prefer each other
    edges = [(0, v, 0.0) for v in range(1, 5)] + [
        (1, 2, 9.0), (2, 1, 9.0), (3, 4, 9.0), (4, 3, 9.0), (2, 3, 5.0), (4, 1, 4.0),
    ]  # fmt: skip
    parent = max_arborescence(5, edges)
    assert _check_tree(5, parent, edges) == 9 + 9 + 5  # 0->1->2->3->4 (or the mirror)


def test_a_node_without_a_root_edge_is_refused():
    with pytest.raises(ValueError, match="node 2 has no edge from the root"):
        max_arborescence(3, [(0, 1, 1.0), (1, 2, 1.0)])


def test_a_large_sparse_graph_gives_a_valid_tree():  # speed: bench/arborescence.py
    import random

    rng = random.Random(3)
    n = 5000
    edges = [(0, v, 0.0) for v in range(1, n)]
    edges += [(rng.randrange(1, n), rng.randrange(1, n), rng.uniform(0, 9)) for _ in range(40_000)]
    edges = [(u, v, w) for u, v, w in edges if u != v]
    parent = max_arborescence(n, edges)
    _check_tree(n, parent, edges)
