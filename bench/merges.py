"""Second sources on merged corpora: the simulators' merge operation (issue 13 item 6).

    python bench/merges.py [--merges N]

Adds N aggregator documents (lineage.evaluation.merge.with_merges) to the training seeds
of both generators (simulator 7 dated, 17 undated; wire 1 undated, 3 dated), under opaque
ids, and prints per corpus: the documents with two true parents, how many got both (one
as a ``secondary`` edge), edge F1 over all edges, and over the primary edges alone (the forest).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lineage  # noqa: E402
from lineage.evaluation.datasets import opaque, simulated_corpus, wire_corpus  # noqa: E402
from lineage.evaluation.loso import write_corpus  # noqa: E402
from lineage.evaluation.merge import merge_recall, with_merges  # noqa: E402
from lineage.evaluation.metrics import score  # noqa: E402
from lineage.model import Config  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--merges", type=int, default=8)
    ap.add_argument("--profile", default="news")
    args = ap.parse_args()
    corpora = [
        simulated_corpus(stories=30, seed=7, dates="all"),
        simulated_corpus(stories=30, seed=17, dates="none"),
        wire_corpus(stories=30, seed=1, dates=False),
        wire_corpus(stories=30, seed=3, dates=True),
    ]
    print("| corpus | two-parent docs | both found | secondary edges | edge F1 | primary only |")
    print("|---|---|---|---|---|---|")
    for k, base in enumerate(corpora):
        c = opaque(with_merges(base, merges=args.merges, seed=100 + k), f"merges:{k}")
        with tempfile.TemporaryDirectory() as tmp:
            a = lineage.analyze([write_corpus(c, tmp)], Config(profile=args.profile))
        n, both, sec = merge_recall([(e.parent, e.child, e.secondary) for e in a.edges], c.truth)
        m = score([(e.parent, e.child) for e in a.edges], c.truth)
        m0 = score([(e.parent, e.child) for e in a.edges if not e.secondary], c.truth)
        print(f"| {c.name} | {n} | {both} | {sec} | {m.edge_f1:.3f} | {m0.edge_f1:.3f} |")


if __name__ == "__main__":
    main()
