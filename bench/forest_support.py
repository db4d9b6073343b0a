"""Three ideas for the forest's confidence, measured on the training corpora only.

    python bench/forest_support.py [--quick]

The forest's confidence is each edge's marginal over the story's spanning forests
(lineage/infer/confidence.py). On the train corpora of the two forest sources of
bench/accuracy.py (simulator seeds 7 + 17, wire generator seeds 1 + 3; opaque ids; the
held-out seeds are not read), the default run is analyzed once while every story's
candidate edges are recorded with their evidence, summed per kind as the forest weighs
them (this process wraps ``lineage.infer.forest._story_forest`` with a trace; the
analysis is unchanged). From the records, for every placed document (bench/calibrate.py's
rows: right against the true forest), printed beside the raw marginal:

1. **Copies grouped**: the chosen parent's marginal plus those of the child's other
   candidates that are near-identical to it (each holds at least ``theta`` of the
   other's words, the pairs' ``a_in_b`` / ``b_in_a``), none below the child.
2. **Evidence-weight bootstrap**: R = 30 replicates, each evidence kind's weight
   multiplied by exp(sigma z), z standard normal, per story and kind (seeded by the
   story's content); the forest rebuilt (maximum arborescence); the confidence is the
   share of replicates with the same placement.
3. **Bagged marginals**: the mean marginal over the same replicates.

Prints, per source and setting: ECE (10 equal-width bins), ECE (10 equal-mass), Brier,
mean confidence / share right of edges and of origins.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from calibrate import brier, ece, ece_mass  # noqa: E402

R = 30
SIGMAS = (0.25, 0.5, 1.0, 2.0, 4.0)
THETAS = (0.98, 0.95, 0.9, 0.8)


def record(corpus: Any) -> list[dict[str, Any]]:
    """Each story of each part: its documents, per-kind scores of every candidate edge,
    the run's placements and the truth."""
    import lineage
    import lineage.infer.forest as forest
    from lineage.evaluation.datasets import write_corpus
    from lineage.model import Config

    real = forest._story_forest
    out: list[dict[str, Any]] = []
    for part in corpus.parts or (corpus,):
        seen: list[dict[str, Any]] = []

        def wrapped(story, by_id, pairs_of, tokens, marks, styles, w, trace=None, workers=1,
                    seen=seen):  # type: ignore[no-untyped-def]  # fmt: skip
            tr: dict[Any, Any] = {}
            got = real(story, by_id, pairs_of, tokens, marks, styles, w, tr, workers)
            scale = dict(w.kind_scale)
            kinds: dict[Any, dict[str, float]] = {k: {} for k in tr}
            for k, evs in tr.items():
                for e in evs:
                    kinds[k][e.kind] = kinds[k].get(e.kind, 0.0) + e.score * scale.get(e.kind, 1.0)
            texts = sorted(by_id[i].content_key[0] for i in story)
            seen.append({"docs": list(story), "kinds": kinds, "bias": w.origin_bias,
                         "T": w.temperature, "seed": texts})  # fmt: skip
            return got

        forest._story_forest = wrapped  # type: ignore[assignment]
        try:
            with tempfile.TemporaryDirectory(prefix="lineage-fs-") as tmp:
                a = lineage.analyze([write_corpus(part, tmp)], Config(calibration="off", workers=1))
        finally:
            forest._story_forest = real  # type: ignore[assignment]
        truth = {c: p for p, c in (part.truth.tree or part.truth.edges)}
        placed = {e.child: e.parent for e in a.edges if not e.secondary}
        placed |= {o.id: forest.ROOT for o in a.origins}
        cover = {}
        for p in a.pairs:
            cover[(p.a, p.b)], cover[(p.b, p.a)] = p.a_in_b, p.b_in_a
        for st in seen:
            st["placed"] = {d: placed[d] for d in st["docs"]}
            st["truth"] = {d: truth.get(d, forest.ROOT) for d in st["docs"]}
            st["cover"] = cover
            out.append(st)
    return out


def _total(st: dict[str, Any], scale: dict[str, float] | None = None) -> dict[Any, float]:
    from lineage.infer.forest import ROOT as VROOT

    return {
        k: sum(v * (scale.get(kd, 1.0) if scale else 1.0) for kd, v in ks.items())
        + (st["bias"] if k[0] == VROOT else 0.0)
        for k, ks in st["kinds"].items()
    }


def _forest(docs: list[str], total: dict[Any, float]) -> dict[str, str]:
    from lineage.arborescence import max_arborescence
    from lineage.infer.forest import ROOT as VROOT

    nodes = [VROOT, *sorted(docs)]
    ix = {x: i for i, x in enumerate(nodes)}
    par = max_arborescence(len(nodes), [(ix[u], ix[v], s) for (u, v), s in total.items()], root=0)
    return {nodes[k]: nodes[par[k]] for k in range(1, len(nodes))}


def _below(placed: dict[str, str], d: str) -> set[str]:
    """The documents placed below ``d`` (``placed``: child -> parent)."""
    graph = nx.DiGraph([(p, c) for c, p in placed.items()])
    return nx.descendants(graph, d) if d in graph else set()


def rows(stories: list[dict[str, Any]], how: str, x: float | None) -> list[dict[str, Any]]:
    from lineage.infer.confidence import edge_marginals
    from lineage.infer.forest import ROOT as VROOT

    out = []
    for st in stories:
        docs, placed = st["docs"], st["placed"]
        conf: dict[str, float] = {}
        if how in ("raw", "group"):
            m = edge_marginals(docs, _total(st), root=VROOT, temperature=st["T"]) or {}
            for d in docs:
                p = placed[d]
                c = m.get((p, d), 0.0)
                if how == "group" and p != VROOT:
                    under = _below(placed, d)
                    cov = st["cover"]
                    c += sum(mu for (u, v), mu in m.items() if v == d and u not in (p, VROOT)
                             and u not in under
                             and min(cov.get((u, p), 0.0), cov.get((p, u), 0.0)) >= x)  # fmt: skip
                conf[d] = min(c, 1.0)
        else:
            kinds = sorted({kd for ks in st["kinds"].values() for kd in ks})
            seed = int(hashlib.sha1("\x1f".join(st["seed"]).encode()).hexdigest()[:16], 16)
            rng = np.random.default_rng(seed)
            conf = {d: 0.0 for d in docs}
            for _ in range(R):
                assert x is not None
                scale = dict(zip(kinds, np.exp(x * rng.standard_normal(len(kinds))).tolist(),
                                 strict=True))  # fmt: skip
                t = _total(st, scale)
                if how == "bootstrap":
                    f = _forest(docs, t)
                    for d in docs:
                        conf[d] += (f[d] == placed[d]) / R
                else:
                    m = edge_marginals(docs, t, root=VROOT, temperature=st["T"]) or {}
                    for d in docs:
                        conf[d] += m.get((placed[d], d), 0.0) / R
        for d in docs:
            out.append({"p": conf[d], "right": st["truth"][d] == placed[d],
                        "origin": placed[d] == VROOT})  # fmt: skip
    return out


def line(label: str, setting: str, rs: list[dict[str, Any]]) -> str:
    e = [r for r in rs if not r["origin"]]
    o = [r for r in rs if r["origin"]]

    def mr(x: list[dict[str, Any]]) -> str:
        return f"{np.mean([r['p'] for r in x]):.2f} / {np.mean([r['right'] for r in x]):.2f}"

    return (f"| {label} | {setting} | {len(rs)} | {ece(rs):.3f} | {ece_mass(rs):.3f} | "
            f"{brier(rs):.3f} | {mr(e)} | {mr(o)} |")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    from accuracy import VALIDATION_SEEDS, _sim, _wire

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    n_sim, n_wire = (10, 12) if args.quick else (50, 40)
    srcs = {"a. simulator (train)": _sim(VALIDATION_SEEDS, n_sim, "train"),
            "b. wire generator (train)": _wire((1, 3), n_wire)}  # fmt: skip
    print("| source | confidence | rows | ECE equal-width | ECE equal-mass | Brier "
          "| edges: conf / right | origins: conf / right |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for label, corpus in srcs.items():
        st = record(corpus)
        print(line(label, "raw marginals", rows(st, "raw", None)), flush=True)
        for theta in THETAS:
            print(
                line(label, f"copies grouped, theta {theta}", rows(st, "group", theta)), flush=True
            )
        for sigma in SIGMAS:
            print(line(label, f"weight bootstrap, sigma {sigma}", rows(st, "bootstrap", sigma)),
                  flush=True)  # fmt: skip
        for sigma in (0.5, 1.0):
            print(line(label, f"bagged marginals, sigma {sigma}", rows(st, "bagged", sigma)),
                  flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
