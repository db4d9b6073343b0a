"""Maximum-weight spanning arborescence in O(E log² E) time and O(E) memory.

Chu-Liu/Edmonds, grown along a path (Tarjan 1977, with the expansion step of Camerini,
Fratta and Maffioli 1979): follow each node's best incoming edge until the path meets
the finished tree or closes a cycle; a cycle is contracted into one node whose incoming
edges are merged (smaller heap into larger, with a lazy offset per heap) after each is
reduced by what it would displace. A forest of the contractions then gives the edges.

networkx's ``maximum_spanning_arborescence`` copies the whole graph at each contraction,
so its memory grows with contractions x edges: 8 GB and rising on one 4,835-document
story (docs/BENCHMARKS.md). This one keeps each edge once.

Ties are broken by node number (lower source first), so the result is deterministic.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

__all__ = ["max_arborescence"]


def max_arborescence(n: int, edges: Sequence[tuple[int, int, float]], root: int = 0) -> list[int]:
    """Parent of each node 0..n-1 (``-1`` for ``root``) in a maximum-weight spanning
    arborescence rooted at ``root``, over directed ``edges`` ``(source, target, weight)``.

    ``root`` must have an edge to every other node, so an arborescence always exists.

    >>> max_arborescence(3, [(0, 1, 1.0), (0, 2, 1.0), (1, 2, 5.0), (2, 1, 4.0)])
    [-1, 0, 1]
    """
    # minimize the negated weights; heap items: (weight - heap offset, source, target)
    heaps: list[list[tuple[float, int, int]]] = [[] for _ in range(n)]
    has_root_edge = [False] * n
    for u, v, w in edges:
        if u == v or v == root:
            continue
        heaps[v].append((-w, u, v))
        has_root_edge[v] |= u == root
    missing = [v for v in range(n) if v != root and not has_root_edge[v]]
    if missing:
        raise ValueError(f"node {missing[0]} has no edge from the root")
    for h in heaps:
        heapq.heapify(h)
    offset = [0.0] * n  # added to every weight in the node's heap
    find_parent = list(range(n))  # union-find over contracted nodes (grows with them)

    def find(x: int) -> int:
        while find_parent[x] != x:
            find_parent[x] = find_parent[find_parent[x]]
            x = find_parent[x]
        return x

    forest_parent = [-1] * n  # the cycle node each node was contracted into
    children: list[list[int]] = [[] for _ in range(n)]
    chosen: list[tuple[int, int]] = [(-1, -1)] * n  # (source, target): original nodes
    cost = [0.0] * n  # reduced weight of the chosen edge
    state = [0] * n  # 0 not reached, 1 on the current path, 2 in the finished tree
    state[root] = 2

    for start in range(n):
        if state[find(start)]:
            continue
        path = [find(start)]
        state[path[0]] = 1
        while path:
            x = path[-1]
            heap = heaps[x]
            while True:  # best incoming edge from outside x (the root edge always is)
                w, u, v = heapq.heappop(heap)
                if find(u) != x:
                    break
            chosen[x] = (u, v)
            cost[x] = w + offset[x]
            y = find(u)
            if state[y] == 2:
                for z in path:
                    state[z] = 2
                break
            if state[y] == 0:
                state[y] = 1
                path.append(y)
                continue
            # y is on the path: the path from y to x is a cycle, contract it into z
            z = len(find_parent)
            find_parent.append(z)
            forest_parent.append(-1)
            children.append([])
            chosen.append((-1, -1))
            cost.append(0.0)
            state.append(1)
            members = []
            while True:
                m = path.pop()
                members.append(m)
                if m == y:
                    break
            big = max(members, key=lambda m: len(heaps[m]))
            merged, merged_off = heaps[big], offset[big] - cost[big]
            for m in members:
                forest_parent[m] = z
                children[z].append(m)
                find_parent[m] = z
                if m == big:
                    continue
                shift = offset[m] - cost[m] - merged_off
                for w_, u_, v_ in heaps[m]:
                    heapq.heappush(merged, (w_ + shift, u_, v_))
                heaps[m] = []
            heaps[big] = []
            heaps.append(merged)
            offset.append(merged_off)
            path.append(z)

    # expand: a node's chosen edge enters one original node of it; along the way up from
    # that node, every other member of each cycle keeps the edge it chose in the cycle
    parent = [-1] * n
    todo = [x for x in range(len(forest_parent)) if forest_parent[x] == -1 and x != root]
    while todo:
        x = todo.pop()
        u, v = chosen[x]
        parent[v] = u
        y = v
        while y != x:
            up = forest_parent[y]
            todo.extend(c for c in children[up] if c != y)
            y = up
    return parent
