"""Candidate-stage recall: which channel finds planted reuse, and at what cost in pairs.

    python bench/candidates_recall.py [--docs 20000] [--excerpts 900] [--copies 700] [--seed 1]

The question (issue): "LSH at Jaccard 0.5 found only 39-57% of planted pairs while
passim's rare-n-gram index found all of them; choose and test the candidate stage for
that recall."

Corpus (``bench/synthetic.py``), each base text used by one planted pair at most:

* **excerpt pairs**: a long article (two base texts joined, 600-1,800 words) and a short
  excerpt of it (40-150 consecutive words, 0-3% of words edited). Containment of the
  excerpt in the article is high, Jaccard low (typically 0.03-0.2);
* **full-copy pairs**: a base text and an edited copy (1-8% of words edited, so Jaccard
  spans roughly 0.3-0.9);
* **unrelated** Markov-chain texts up to ``--docs``.

Channels, on the pipeline's own fingerprints (``lineage.pipeline._prepare``, 5-word
shingles): (a) datasketch MinHash LSH alone at Jaccard 0.5 and 0.3 (128 permutations),
(b) the rare-shingle index alone (``max_df=64, min_shared=2``), (c) the union the
pipeline uses (:func:`lineage.candidates.candidate_pairs`, verified pairs). Recall is the
share of planted pairs among a channel's candidates; candidates are counted before
verification for (a) and (b). Prints a markdown table (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import synthetic  # noqa: E402

from lineage.candidates import candidate_pairs, lsh_pairs, rare_shingle_pairs  # noqa: E402
from lineage.model import Config, Document  # noqa: E402
from lineage.pipeline import _prepare  # noqa: E402
from lineage.store import ArrayStore  # noqa: E402


def make_corpus(
    n_docs: int, n_excerpts: int, n_copies: int, seed: int
) -> tuple[list[str], dict[tuple[int, int], str]]:
    """Texts and planted pairs {(i, j): kind}, i < j."""
    rng = np.random.default_rng(seed)
    texts_in = list(synthetic.base_texts())
    order = rng.permutation(len(texts_in))
    need = 2 * n_excerpts + n_copies
    if need > len(order):
        raise SystemExit(f"{need} base texts needed, {len(order)} available")
    pool = [synthetic.base_words(texts_in[k]) for k in order[:need]]
    texts: list[str] = []
    planted: dict[tuple[int, int], str] = {}
    for e in range(n_excerpts):
        article = pool[2 * e] + pool[2 * e + 1]
        k = int(rng.integers(40, 151))
        s = int(rng.integers(0, max(1, len(article) - k)))
        excerpt = synthetic.edit(article[s : s + k], float(rng.uniform(0, 0.03)), rng)
        texts += [synthetic.prose(article, rng), synthetic.prose(excerpt, rng)]
        planted[(len(texts) - 2, len(texts) - 1)] = "excerpt"
    for c in range(n_copies):
        words = pool[2 * n_excerpts + c]
        copy = synthetic.edit(words, float(rng.uniform(0.01, 0.08)), rng)
        texts += [synthetic.prose(words, rng), synthetic.prose(copy, rng)]
        planted[(len(texts) - 2, len(texts) - 1)] = "copy"
    texts += synthetic.unrelated(n_docs - len(texts), rng)
    # shuffle document order so planted pairs are not neighbours
    perm = rng.permutation(len(texts))
    where = np.empty_like(perm)
    where[perm] = np.arange(len(perm))
    shuffled = [texts[k] for k in perm]
    moved = {}
    for (i, j), kind in planted.items():
        a, b = int(where[i]), int(where[j])
        moved[(min(a, b), max(a, b))] = kind
    return shuffled, moved


def recall(found: np.ndarray | set, planted: dict[tuple[int, int], str], kind: str | None) -> float:
    pairs = found if isinstance(found, set) else set(map(tuple, found.tolist()))
    want = [p for p, k in planted.items() if kind is None or k == kind]
    return sum(p in pairs for p in want) / len(want) if want else float("nan")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--excerpts", type=int, default=500)
    ap.add_argument("--copies", type=int, default=600)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    t = time.perf_counter()
    texts, planted = make_corpus(args.docs, args.excerpts, args.copies, args.seed)
    docs = [Document(id=f"d{k:06d}", text=x, path="-") for k, x in enumerate(texts)]
    cfg = Config(workers=1)
    fps = [a.fp for a in _prepare(docs, cfg, ArrayStore(), 1, None)]
    print(
        f"corpus: {len(texts):,} documents, {len(planted):,} planted pairs "
        f"({args.excerpts} excerpt, {args.copies} full copy); built and fingerprinted "
        f"in {time.perf_counter() - t:.0f}s",
        file=sys.stderr,
    )

    # exact figures of the planted pairs, to describe them
    jac, cont = {}, {}
    for i, j in planted:
        a, b = fps[i].unique, fps[j].unique
        sh = len(np.intersect1d(a, b, assume_unique=True))
        jac[(i, j)] = sh / (len(a) + len(b) - sh)
        cont[(i, j)] = sh / min(len(a), len(b))
    for kind in ("excerpt", "copy"):
        js = [jac[p] for p, k in planted.items() if k == kind]
        cs = [cont[p] for p, k in planted.items() if k == kind]
        print(
            f"- {kind} pairs: shingle Jaccard median {np.median(js):.2f} "
            f"(range {min(js):.2f}-{max(js):.2f}), containment of the smaller "
            f"median {np.median(cs):.2f} (range {min(cs):.2f}-{max(cs):.2f})"
        )
    print()

    rows = []
    for name, fn in (
        ("(a) MinHash LSH alone, Jaccard 0.5", lambda: lsh_pairs(fps, threshold=0.5)),
        ("(a) MinHash LSH alone, Jaccard 0.3", lambda: lsh_pairs(fps, threshold=0.3)),
        ("(b) rare-shingle index alone (df 2..64, >= 2 shared)", lambda: rare_shingle_pairs(fps)),
        (
            "(c) union, verified (`candidate_pairs`, the pipeline)",
            lambda: {
                (o.i, o.j)
                for o in candidate_pairs(
                    fps,
                    max_df=cfg.max_shingle_df,
                    min_shared=cfg.min_shared_shingles,
                    lsh_threshold=cfg.lsh_threshold,
                    num_perm=cfg.num_perm,
                    seed=cfg.seed,
                )
            },
        ),
    ):
        t = time.perf_counter()
        found = fn()
        secs = time.perf_counter() - t
        rows.append(
            (
                name,
                len(found),
                recall(found, planted, None),
                recall(found, planted, "excerpt"),
                recall(found, planted, "copy"),
                secs,
            )
        )
    n = len(texts)
    print(
        f"| channel ({n:,} docs, {n * (n - 1) // 2:,} possible pairs) | candidates "
        "| recall, all planted | excerpt pairs | full-copy pairs | seconds |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, c, r, re_, rc, s in rows:
        print(f"| {name} | {c:,} | {r:.1%} | {re_:.1%} | {rc:.1%} | {s:.1f} |")
    # recall of LSH 0.5 by Jaccard band of the planted pair
    lsh5 = set(map(tuple, lsh_pairs(fps, threshold=0.5).tolist()))
    lsh3 = set(map(tuple, lsh_pairs(fps, threshold=0.3).tolist()))
    print(
        "\n| planted pairs by exact shingle Jaccard | pairs | LSH 0.5 recall | LSH 0.3 recall "
        "| rare-shingle recall |"
    )
    print("|---|---:|---:|---:|---:|")
    rare = set(map(tuple, rare_shingle_pairs(fps).tolist()))
    for lo, hi in ((0, 0.1), (0.1, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 1.01)):
        ps = [p for p in planted if lo <= jac[p] < hi]
        if not ps:
            continue
        r5 = sum(p in lsh5 for p in ps) / len(ps)
        r3 = sum(p in lsh3 for p in ps) / len(ps)
        rr = sum(p in rare for p in ps) / len(ps)
        print(f"| {lo:.1f}-{min(hi, 1):.1f} | {len(ps)} | {r5:.1%} | {r3:.1%} | {rr:.1%} |")


if __name__ == "__main__":
    main()
