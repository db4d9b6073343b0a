"""Dated stories: variants of the news weights on the dated training corpora, fast.

Each corpus is analyzed once (bench/wire_skeleton.py's cache of the inputs of the stages
after alignment); each variant reruns only those stages. Cells: edge F1 / undirected F1 /
root accuracy, then the wrong edges by kind (bench/wire_skeleton.py's ``kinds``).

Train (choose on these): simulator seed 7 (all dates, 50 stories) and wire generator
seed 3 (dates, 40 stories), under bench/accuracy.py's opaque ids. ``--test`` adds the
held-out simulator seed 2026 and wire seed 4: read them once, at the end.

    PYTHONPATH=$PWD .venv/bin/python bench/dated_variants.py [--test] [--errors] \
        [--variant NAME=FIELD:V,...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import wire_skeleton  # noqa: E402

from lineage.evaluation.datasets import Corpus, opaque, simulated_corpus, wire_corpus  # noqa: E402

SALT = wire_skeleton.SALT
wire_skeleton.CACHE = Path(tempfile.gettempdir()) / "lineage-dated-variants"


def corpora(test: bool) -> list[Corpus]:
    out = [
        opaque(simulated_corpus(stories=50, seed=7, dates="all"), f"{SALT}:train:a"),
        opaque(wire_corpus(stories=40, seed=3, dates=True), f"{SALT}:w3"),
    ]
    if test:
        out += [
            opaque(simulated_corpus(stories=50, seed=2026, dates="all"), f"{SALT}:test:a"),
            opaque(wire_corpus(stories=40, seed=4, dates=True), f"{SALT}:w4"),
        ]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--test", action="store_true", help="add held-out seeds 2026 and 4")
    ap.add_argument("--variant", action="append", default=[], help="NAME=FIELD:V,FIELD:V")
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args(argv)
    variants: list[tuple[str, dict[str, Any]]] = [("main", {})]
    for spec in args.variant:
        name, _, rest = spec.partition("=")
        fields = {
            k: wire_skeleton._value(v)
            for k, _, v in (x.partition(":") for x in rest.split(",") if x)
        }
        variants.append((name, fields))
    means: dict[str, list[float]] = {n: [] for n, _ in variants}
    for corpus in corpora(args.test):
        inputs = wire_skeleton._inputs(corpus)
        print(corpus.name)
        for name, fields in variants:
            ours, _, edges, _ = wire_skeleton.run(inputs, corpus, fields)
            means[name].append(ours.edge_f1)
            print(f"  {name:24s} {wire_skeleton._cell(ours)}")
            if args.errors:
                print(f"  {'':24s} {wire_skeleton.kinds(edges, corpus.truth)}")
        sys.stdout.flush()
    for name, xs in means.items():
        each = ", ".join(f"{x:.3f}" for x in xs)
        print(f"mean edge F1 {name:24s} {sum(xs) / len(xs):.4f}  ({each})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
