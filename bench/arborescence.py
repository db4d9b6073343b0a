"""Maximum spanning arborescence: lineage.arborescence against networkx, same graphs.

    python bench/arborescence.py [--sizes 250,500,1000,2000,4000] [--networkx-max 500]

Graphs shaped like a story's candidate graph: a virtual root with an edge to every
node, and for each node up to 12 candidate parents, most of them mutual (both
directions scored, as two copies of one text are), which is what makes Edmonds contract
many cycles. Time is wall-clock, peak memory is ``tracemalloc``'s peak of Python
allocations during the call; both implementations run in this process on the same
edges, alternating. networkx is skipped above ``--networkx-max`` nodes (its memory
grows with contractions x edges). Prints a markdown table (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lineage.arborescence import max_arborescence  # noqa: E402


def story_graph(n: int, seed: int) -> list[tuple[int, int, float]]:
    rng = random.Random(seed)
    edges = {(0, v): rng.uniform(0, 2) for v in range(1, n)}
    for v in range(1, n):
        for _ in range(6):
            u = rng.randrange(1, n)
            if u != v:
                w = rng.uniform(0, 10)
                edges[(u, v)] = w
                edges[(v, u)] = w + rng.uniform(-0.5, 0.5)  # the other direction, near
    return [(u, v, w) for (u, v), w in sorted(edges.items())]


def run_networkx(n: int, edges: list[tuple[int, int, float]]) -> list[int]:
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from((u, v, w + 100.0) for u, v, w in edges)
    parent = [-1] * n
    for u, v in nx.maximum_spanning_arborescence(g).edges():
        parent[v] = u
    return parent


def measure(fn, *args) -> tuple[float, float, list[int]]:
    tracemalloc.start()
    t = time.perf_counter()
    out = fn(*args)
    dt = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return dt, peak, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="250,500,1000,2000,4000")
    ap.add_argument("--networkx-max", type=int, default=500)
    args = ap.parse_args()
    print("| nodes | edges | lineage s | lineage peak MB | networkx s | networkx peak MB |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",")):
        edges = story_graph(n, seed=n)
        t1, m1, ours = measure(max_arborescence, n, edges)
        cell = "– | –"
        if n <= args.networkx_max:
            t2, m2, theirs = measure(run_networkx, n, edges)
            weight = {(u, v): w for u, v, w in edges}
            mine = sum(weight[(ours[v], v)] for v in range(1, n))
            best = sum(weight[(theirs[v], v)] for v in range(1, n))
            assert abs(mine - best) < 1e-6, "different optimum"
            cell = f"{t2:.2f} | {m2:.0f}"
        print(f"| {n:,} | {len(edges):,} | {t1:.2f} | {m1:.1f} | {cell} |", flush=True)


if __name__ == "__main__":
    main()
