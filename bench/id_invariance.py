"""Do ids carry the answer? The same corpora under different opaque ids, edges compared.

    python bench/id_invariance.py [--quick] [--eval-dir DIR] [--salts 3]

Each corpus is fed under its original ids and under ``--salts`` sets of opaque, shuffled
ids (lineage.evaluation.datasets.opaque), through ``lineage.analyze`` as the CLI reads it.
Edges are mapped back to the original ids and compared: a method that never breaks a tie
by id gives the same edges under every naming, except where two parents truly tie. Prints
per corpus and naming the edge F1 and how many edges differ from the first opaque naming.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lineage.evaluation.datasets import (  # noqa: E402  (after the path tweak, to run from a checkout)
    ENV,
    Corpus,
    opaque_ids,
    rename_truth,
    seeds_corpus,
    simulated_corpus,
    wikipedia_corpus,
    wire_corpus,
)
from lineage.evaluation.loso import analyze_corpus  # noqa: E402
from lineage.evaluation.metrics import score  # noqa: E402


def _named(corpus: Corpus, salt: str | None) -> tuple[Corpus, dict[str, str]]:
    if salt is None:
        return corpus, {r["id"]: r["id"] for r in corpus.records}
    rows, names = opaque_ids(corpus.records, salt)
    truth = rename_truth(corpus.truth, names, salt)
    return Corpus(corpus.name, tuple(rows), truth, corpus.kind, corpus.as_files), names


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument(
        "--eval-dir",
        type=Path,
        default=Path(os.environ.get(ENV) or ROOT.parent / "shared" / "eval"),
    )
    ap.add_argument("--salts", type=int, default=3)
    args = ap.parse_args(argv)
    n = 10 if args.quick else 50
    jobs: list[tuple[Corpus, dict[str, str]]] = []
    seeds = seeds_corpus(ROOT / "seeds")
    if seeds is not None:
        jobs.append((seeds, {"profile": "news"}))
    jobs.append((simulated_corpus(stories=n, seed=2027, dates="none"), {"profile": "news"}))
    jobs.append((wire_corpus(stories=n, seed=2), {"profile": "news"}))
    wiki = wikipedia_corpus(args.eval_dir / "wikipedia_versions", limit=40 if args.quick else None)
    if wiki is not None:
        jobs += [(wiki, {"profile": "news"}), (wiki, {"profile": "revisions"})]
    print("| corpus | profile | naming | edge F1 | edges | differ from opaque #1 |")
    print("|---|---|---|---|---|---|")
    for corpus, params in jobs:
        base: set[tuple[str, str]] | None = None
        for salt in [None, *(f"invariance-{i}" for i in range(args.salts))]:
            named, names = _named(corpus, salt)
            back = {v: k for k, v in names.items()}
            pred, _ = analyze_corpus(named, params)
            m = score(pred.edges, named.truth)
            edges = {(back[p], back[c]) for p, c in pred.edges}
            if salt is not None and base is None:
                base = edges
            differ = "" if base is None else str(len(edges - base))
            label = "original ids" if salt is None else f"opaque {salt[-1]}"
            print(f"| {corpus.name} | {params['profile']} | {label} | {m.edge_f1:.3f} | "
                  f"{len(edges)} | {differ} |", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
