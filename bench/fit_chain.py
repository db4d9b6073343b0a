"""Fit the version-chain model (lineage/infer/chain.py) on the training revision chains.

    python bench/fit.py --chain [--eval-dir DIR]      (or python bench/fit_chain.py)

Training data: the first :data:`TRAIN_ARTICLES` articles (sorted by title) of
``wikipedia_versions``, each a true chain ``0 -> 1 -> ... -> n``; the other articles are
never read here (they are the held-out half of docs/ACCURACY.md's figure). Documents are
read, marked (page chrome) and tokenized as an analysis of those articles reads them.

Three things are chosen, in this order, each on the training chains only:

1. ``shingle``: the passage length of the seriation, by the share of true links the
   ordering of fewest passage runs recovers (the characters deciding between orderings
   of as many runs, as ``chain.TIE_BY_TEXT`` says; the documents seen in an order of
   content, never in the true order, so that no tie falls the right way by itself):
   the shortest of :data:`SHINGLE_GRID` within :data:`TOLERANCE` of the best;
2. ``temperature``: the weight of an ordering's runs (per mean passage count) in the
   log-linear model over orderings, by the log loss of its link marginals (every two
   documents of a training chain: linked in the truth or not), which an edge's
   confidence reads (scipy); the likelihood of whole true orderings put it at 43, and
   left the links' probabilities short of their accuracy (ECE 0.11 on the training half);
3. ``direction``: the weight of the summed direction score, by a logistic regression
   (scikit-learn, no intercept) of each true chain's direction on its score, both ways
   round, each chain weighing its links.

Writes ``lineage/infer/chain.json``: the fields, the grid's figures, the training
figures, the sources and the date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lineage.infer.chain import (  # noqa: E402
    EXACT_PATH,
    TIE_BY_TEXT,
    _shared,
    direction_score,
    link_marginals,
    order_cost,
    passage_sets,
    seriate,
    step_edits,
    text_distances,
)

TRAIN_ARTICLES = 100
SHINGLE_GRID = (1, 2, 3, 5, 8, 12, 20)
#: share of the training links within which two passage lengths count as equal
TOLERANCE = 0.005
SALT = "lineage-fit-chain"
OUT = ROOT / "lineage" / "infer" / "chain.json"


class Training:
    """One training chain: its documents' Tokens and texts in an order of content, and
    each one's place in the true chain (``age[k]``: 0 for the first version)."""

    def __init__(self, tokens: list[Any], texts: list[str], age: list[int]) -> None:
        self.tokens, self.texts, self.age = tokens, texts, age

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def true_order(self) -> list[int]:
        return sorted(range(len(self.age)), key=lambda k: self.age[k])


def training_chains(eval_dir: Path) -> list[Training]:
    """Each training article's documents as an analysis would make them (Tokens of the
    marked text), in an order of content, with their true places."""
    from lineage.boilerplate import mark_boilerplate
    from lineage.evaluation.datasets import opaque, wikipedia_corpus, write_corpus
    from lineage.ingest import read_corpus
    from lineage.model import Config
    from lineage.text import tokenize

    corpus = wikipedia_corpus(eval_dir / "wikipedia_versions", limit=TRAIN_ARTICLES)
    if corpus is None:
        raise SystemExit(f"{eval_dir / 'wikipedia_versions'}: absent")
    corpus = opaque(corpus, SALT)
    with tempfile.TemporaryDirectory(prefix="lineage-fit-chain-") as tmp:
        docs = read_corpus([write_corpus(corpus, tmp)]).documents
    docs = mark_boilerplate(
        sorted(docs, key=lambda d: d.id), min_docs=Config().boilerplate_min_docs
    )
    tokens = {d.id: tokenize(d.text, boilerplate=d.boilerplate) for d in docs}
    by_id = {d.id: d for d in docs}
    out = []
    for story in corpus.truth.stories:
        # the seriation sees the documents in an order of content, as chain_of_story
        # does, never in the true order (its ties would fall the right way)
        seen = sorted(range(len(story)), key=lambda k: by_id[story[k]].content_key)
        out.append(
            Training(
                [tokens[story[k]] for k in seen],
                [by_id[story[k]].text for k in seen],
                seen,
            )
        )
    return out


def _recovered(chains: list[Training], k: int, fines: list[Any]) -> float:
    """Share of true links that the ordering of fewest passage runs recovers."""
    ok = total = 0
    for ch, fine in zip(chains, fines, strict=True):
        sets = [passage_sets(t, k) for t in ch.tokens]
        size = np.array([len(s) for s in sets], dtype=float)
        order = seriate(size, _shared(sets), fine)
        got = {frozenset(e) for e in zip(order, order[1:], strict=False)}
        true = ch.true_order
        ok += sum(frozenset(e) in got for e in zip(true, true[1:], strict=False))
        total += len(ch) - 1
    return ok / total if total else 0.0


def fit(eval_dir: Path) -> dict[str, Any]:
    from scipy.optimize import minimize_scalar
    from sklearn.linear_model import LogisticRegression

    chains = [c for c in training_chains(eval_dir) if 2 <= len(c) <= EXACT_PATH]
    # the characters decide between orderings of as many runs (chain.TIE_BY_TEXT)
    fines = [text_distances(c.texts) if TIE_BY_TEXT and len(c) > 2 else None for c in chains]
    grid = {k: round(_recovered(chains, k, fines), 4) for k in SHINGLE_GRID}
    # the shortest passage within TOLERANCE of the best: a few links of difference is not
    # evidence, and shorter passages keep the criterion where edits are dense (a long
    # passage spans several edits, and an insertion cut out again revives the passages
    # across its place; tests/test_chain.py's synthetic histories show it)
    top = max(grid.values())
    k = min(x for x in SHINGLE_GRID if grid[x] >= top - TOLERANCE)
    # the true ordering's runs and each chain's figures for the likelihood
    stats = []
    scores = []
    for ch in chains:
        toks = [ch.tokens[j] for j in ch.true_order]  # oldest first
        sets = [passage_sets(t, k) for t in toks]
        size = np.array([len(s) for s in sets], dtype=float)
        both = _shared(sets)
        scale = max(1.0, float(size.mean()))
        stats.append((size, both, scale, order_cost(list(range(len(toks))), size, both)))
        steps = [step_edits(a, b) for a, b in zip(toks, toks[1:], strict=False)]
        scores.append((sum(direction_score(x, y) for x, y in steps), len(toks) - 1))

    def nll(log_t: float) -> float:
        """Mean log loss of the link marginals: every two documents of a chain, linked
        in the truth or not (what an edge's confidence reads)."""
        t = math.exp(log_t)
        total = 0.0
        count = 0
        for size, both, scale, _ in stats:
            n = len(size)
            marg = link_marginals(size, both, t / scale)
            for i in range(n):
                for j in range(i + 1, n):
                    p = min(max(float(marg[i, j]), 1e-9), 1 - 1e-9)
                    total -= math.log(p) if j == i + 1 else math.log(1 - p)
                    count += 1
        return total / max(1, count)

    res = minimize_scalar(nll, bounds=(-5.0, 9.0), method="bounded")
    temperature = math.exp(float(res.x))
    x = np.array([[s] for s, _ in scores] + [[-s] for s, _ in scores])
    y = np.array([1] * len(scores) + [0] * len(scores))
    w = np.array([n for _, n in scores] * 2, dtype=float)
    lr = LogisticRegression(fit_intercept=False).fit(x, y, sample_weight=w)
    direction = float(lr.coef_[0][0])
    links = sum(n for _, n in scores)
    oriented = sum(n * (1.0 if s > 0 else 0.5 if s == 0 else 0.0) for s, n in scores) / links
    return {
        "about": "bench/fit_chain.py: the version-chain model of lineage/infer/chain.py "
        "(seriation by fewest passage runs, orientation by the summed direction score), "
        "fitted on the training half of the Wikipedia revision chains; read by chain.py",
        "command": "python bench/fit.py --chain",
        "date": dt.date.today().isoformat(),
        "sources": [
            f"the first {TRAIN_ARTICLES} articles (sorted by title) of "
            "../shared/eval/wikipedia_versions; the other articles are held out"
        ],
        "fields": {
            "shingle": k,
            "temperature": round(temperature, 4),
            "direction": round(direction, 4),
        },
        "shingle_grid": {str(s): v for s, v in grid.items()},
        "train": {
            "chains": len(chains),
            "links": links,
            "links_recovered_by_the_ordering": grid[k],
            "links_oriented_right_on_the_true_ordering": round(oriented, 4),
            "mean_link_log_loss": round(float(res.fun), 4),
        },
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    doc = fit(args.eval_dir)
    args.out.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(doc, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
