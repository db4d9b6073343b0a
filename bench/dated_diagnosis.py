"""Why dated stories get the wrong parent: every wrong edge of a dated corpus, categorized.

    python bench/dated_diagnosis.py [--corpus sim7|wire3|...] [--profile auto] [--kinds]
                                    [--examples N] [--json OUT]

With dates, orientation is mostly given; the errors are which earlier document is the
parent. For each document whose predicted parent is not a true parent (or that got none,
or got one while it has none), the category is read from the true forest:

* ``root-given-parent (lost source)``: a true root (its source is not in the corpus)
  linked to another copy of the same lost source;
* ``root-given-parent``: a true root (an original) given a parent;
* ``sibling``: the predicted parent shares a true parent with the child;
* ``grandparent`` / ``ancestor``: the predicted parent is above the true one;
* ``descendant``: the predicted parent is the child's own descendant;
* ``nephew``: a descendant of the true parent, not a sibling (a sibling's copy);
* ``other``: anything else in the story; ``other-story``: another story;
* ``missed-parent``: the child has a true parent but was made an origin.

Flags beside each: the predicted parent is dated after the child (``later``), the same
time as the true parent (``dates-equal``), a near-duplicate of the true parent
(``near-dup``: each holds >= 95% of the other's content words), whether the true parent
was scored as a candidate at all. ``--kinds`` sums, per evidence kind, score(predicted)
minus score(true) over the wrong edges whose true parent was a candidate: which kinds of
evidence pull the wrong way.

Only the training corpora are meant here (sim7: simulator seed 7, all dates, 50 stories;
wire3: wire generator seed 3, dates, 40 stories; the same opaque ids as bench/accuracy.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import networkx as nx

ROOT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT_DIR))

import lineage  # noqa: E402
import lineage.infer as infer_pkg  # noqa: E402
from lineage.evaluation.datasets import (  # noqa: E402
    Corpus,
    opaque,
    simulated_corpus,
    wire_corpus,
    write_corpus,
)
from lineage.evaluation.metrics import score  # noqa: E402
from lineage.model import Config  # noqa: E402

SALT = "lineage-bench-1"  # bench/accuracy.py's


def corpus_of(name: str) -> Corpus:
    """The named corpus under bench/accuracy.py's opaque ids."""
    kind = name.rstrip("0123456789")
    seed = int(name[len(kind) :])
    if kind == "sim":
        tag = {7: "train", 2026: "test"}.get(seed, f"s{seed}")
        return opaque(simulated_corpus(stories=50, seed=seed, dates="all"), f"{SALT}:{tag}:a")
    if kind == "wire":
        return opaque(wire_corpus(stories=40, seed=seed, dates=True), f"{SALT}:w{seed}")
    raise SystemExit(f"unknown corpus {name!r}")


def run(corpus: Corpus, profile: str) -> tuple[Any, dict[tuple[str, str], list[Any]]]:
    """The analysis and every scored candidate edge's evidence (the forest's trace)."""
    trace: dict[tuple[str, str], list[Any]] = {}
    real = infer_pkg.infer_lineage

    def traced(*args: Any, **kwargs: Any) -> Any:
        kwargs["trace"] = trace
        return real(*args, **kwargs)

    infer_pkg.infer_lineage = traced  # the pipeline imports it from lineage.infer per call
    try:
        with tempfile.TemporaryDirectory(prefix="lineage-diag-") as tmp:
            path = write_corpus(corpus, tmp)
            analysis = lineage.analyze([path], Config(profile=profile, workers=1))
    finally:
        infer_pkg.infer_lineage = real
    return analysis, trace


def diagnose(corpus: Corpus, analysis: Any, trace: dict[tuple[str, str], list[Any]]) -> dict:
    truth = corpus.truth
    parents: dict[str, set[str]] = defaultdict(set)
    kids: dict[str, set[str]] = defaultdict(set)
    for p, c in truth.edges:
        parents[c].add(p)
        kids[p].add(c)
    story_of = {d: k for k, s in enumerate(truth.stories) for d in s}
    roots = set(truth.roots)

    graph = nx.DiGraph(list(truth.edges))

    def ancestors(x: str) -> set[str]:
        return nx.ancestors(graph, x) if x in graph else set()

    def descendants(x: str) -> set[str]:
        return nx.descendants(graph, x) if x in graph else set()

    by_id = {d.id: d for d in analysis.documents}
    pred: dict[str, list[str]] = defaultdict(list)
    for e in analysis.edges:
        pred[e.child].append(e.parent)
    score_of = {k: sum(e.score for e in v) for k, v in trace.items()}
    share: dict[tuple[str, str], float] = {}
    for p in analysis.pairs:
        share[(p.a, p.b)] = p.a_in_b
        share[(p.b, p.a)] = p.b_in_a

    def near_dup(x: str, y: str) -> bool:
        return share.get((x, y), 0) >= 0.95 and share.get((y, x), 0) >= 0.95

    def hours(x: str, y: str) -> float | None:
        a, b = by_id[x].date, by_id[y].date
        return None if a is None or b is None else (b - a).total_seconds() / 3600

    cats: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    kinds: defaultdict[str, float] = defaultdict(float)
    kinds_n: Counter[str] = Counter()
    examples: list[dict] = []
    second_missed = 0
    for c in sorted(by_id):
        tp = parents.get(c, set())
        got = pred.get(c, [])
        if len(tp) > 1:
            second_missed += len(tp - set(got))
        wrong = [p for p in got if p not in tp]
        if not got and tp:
            cats["missed-parent"] += 1
            t = sorted(tp)[0]
            flags["missed: true parent a candidate"] += (t, c) in score_of
            examples.append({"child": c, "cat": "missed-parent", "true": sorted(tp)})
            continue
        for p in wrong:
            if not tp:
                if c not in roots:
                    cat = "independent-given-parent"
                elif p in roots and story_of.get(p) == story_of.get(c) and c not in kids.get(p, ()):
                    # both copies of a source the corpus lacks (or of the original)
                    cat = "root-given-parent (lost source)"
                elif p in descendants(c):
                    cat = "root-given-parent (own descendant)"
                else:
                    cat = "root-given-parent"
            elif story_of.get(p) != story_of.get(c):
                cat = "other-story"
            elif any(p in kids[t] for t in tp):
                cat = "sibling"
            elif any(p in parents[t] for t in tp):
                cat = "grandparent"
            elif any(p in ancestors(t) for t in tp):
                cat = "ancestor"
            elif p in descendants(c):
                cat = "descendant"
            elif any(p in descendants(t) for t in tp):
                cat = "nephew"
            else:
                cat = "other"
            cats[cat] += 1
            h = hours(p, c)
            if h is not None and h < 0:
                flags["pred parent dated after child"] += 1
            if h == 0:
                flags["pred parent same time as child"] += 1
            t = sorted(tp)[0] if tp else None
            ex: dict[str, Any] = {"child": c, "cat": cat, "pred": p, "true": sorted(tp)}
            if t is not None:
                if hours(p, t) == 0:
                    flags["pred and true parent same time"] += 1
                if near_dup(p, t):
                    flags["pred near-dup of true parent"] += 1
                cand = (t, c) in score_of
                flags["true parent a candidate"] += cand
                if cand:
                    ex["margin"] = round(score_of[(p, c)] - score_of[(t, c)], 3)
                    by_kind: defaultdict[str, float] = defaultdict(float)
                    for e in trace[(p, c)]:
                        by_kind[e.kind] += e.score
                    for e in trace[(t, c)]:
                        by_kind[e.kind] -= e.score
                    for k, v in by_kind.items():
                        kinds[k] += v
                        kinds_n[k] += v != 0
                    ex["kinds"] = {k: round(v, 2) for k, v in by_kind.items() if abs(v) > 1e-9}
                ex["h_pred"] = None if h is None else round(h, 2)
                ht = hours(t, c)
                ex["h_true"] = None if ht is None else round(ht, 2)
                ex["share_c_in_pred"] = round(share.get((c, p), 0), 3)
                ex["share_c_in_true"] = round(share.get((c, t), 0), 3)
                ex["share_pred_in_true"] = round(share.get((p, t), 0), 3)
                ex["share_true_in_pred"] = round(share.get((t, p), 0), 3)
            else:
                origin = score_of[("\x00root", c)]
                ex["margin_vs_origin"] = round(score_of.get((p, c), 0) - origin, 3)
            examples.append(ex)
    m = score([(e.parent, e.child) for e in analysis.edges], truth, stories=analysis.stories)
    return {
        "edge_f1": round(m.edge_f1, 4),
        "undirected_f1": round(m.undirected_f1, 4),
        "true_edges": m.true_edges,
        "predicted_edges": m.predicted_edges,
        "categories": dict(cats.most_common()),
        "flags": dict(flags.most_common()),
        "second_parents_missed": second_missed,
        "kinds": {
            k: (round(v, 2), kinds_n[k])
            for k, v in sorted(kinds.items(), key=lambda kv: kv[1], reverse=True)
        },
        "examples": examples,
        "profile": analysis.profile_choice.profile if analysis.profile_choice else None,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", action="append", default=None)
    ap.add_argument("--profile", default="auto")
    ap.add_argument("--kinds", action="store_true")
    ap.add_argument("--examples", type=int, default=0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    out = {}
    for name in args.corpus or ["sim7", "wire3"]:
        corpus = corpus_of(name)
        analysis, trace = run(corpus, args.profile)
        d = diagnose(corpus, analysis, trace)
        out[name] = d
        print(f"== {name} ({corpus.name}), profile {d['profile']}")
        print(f"edge F1 {d['edge_f1']}, undirected {d['undirected_f1']}, "
              f"true {d['true_edges']}, predicted {d['predicted_edges']}")  # fmt: skip
        print("categories:", json.dumps(d["categories"]))
        print("flags:", json.dumps(d["flags"]))
        print("second parents missed:", d["second_parents_missed"])
        if args.kinds:
            print("kinds (pred - true, n):", json.dumps(d["kinds"]))
        for ex in d["examples"][: args.examples]:
            print("  ", json.dumps(ex))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
