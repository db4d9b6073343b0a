"""Why the raw confidences are miscalibrated, per source: a diagnosis, not a fit.

    python bench/calibration_diagnosis.py [--eval-dir DIR] [--seeds DIR] [--quick]

For every source of bench/accuracy.py (the same corpora, opaque ids), the default run
(``calibration="off"``, one worker) is analyzed while the story scores the forest hands
to :func:`lineage.infer.confidence.edge_marginals` are recorded (this process wraps
that function; the analysis itself is unchanged). From them, each placed document's
marginal is recomputed at other temperatures (``exp(score / T)``), which changes no
edge. Printed, per source:

1. over- or underconfidence: mean confidence against share right, for edges and for
   origins apart;
2. the temperature that minimizes the log loss of the source's own train rows, and the
   ECE there (what one temperature could do in-sample);
3. one temperature chosen leave-one-source-out (the log loss of the other sources' train
   rows, each weighing as the square root of its rows), and the left-out test corpus's
   ECE and Brier score at it;
4. edges by the number of candidate parents (the virtual root included) and by story
   size: mean confidence and share right.

Rows are those of bench/calibrate.py (one per placed document; right judged the same
way). A stemma's rows (the tradition profile) keep their bootstrap support at every
temperature: it is no marginal.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from calibrate import brier, ece, placed_rows  # noqa: E402

TEMPERATURES = (0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.5, 2.0, 3.0)


def analyzed(corpus: Any) -> list[tuple[Any, Any, list[dict[str, Any]]]]:
    """Each part of ``corpus`` analyzed: (analysis, truth, the forest's recorded stories)."""
    import lineage
    import lineage.infer.forest as forest
    from lineage.evaluation.datasets import write_corpus
    from lineage.model import Config

    real = forest.edge_marginals
    out = []
    for part in corpus.parts or (corpus,):
        seen: list[dict[str, Any]] = []

        def record(docs: Sequence[str], scores: Any, *, root: str, temperature: float = 1.0,
                   seen: list[dict[str, Any]] = seen) -> Any:  # fmt: skip
            seen.append({"docs": list(docs), "scores": dict(scores), "root": root,
                         "T": temperature})  # fmt: skip
            return real(docs, scores, root=root, temperature=temperature)

        forest.edge_marginals = record  # type: ignore[assignment]
        try:
            with tempfile.TemporaryDirectory(prefix="lineage-diag-") as tmp:
                a = lineage.analyze([write_corpus(part, tmp)], Config(calibration="off", workers=1))
        finally:
            forest.edge_marginals = real  # type: ignore[assignment]
        out.append((a, part.truth, seen))
    return out


def rows_at(parts: Sequence[tuple[Any, Any, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """The placed rows of ``parts``, each with ``at``: its confidence at every temperature."""
    from lineage.infer.confidence import edge_marginals
    from lineage.infer.forest import ROOT as VROOT

    out = []
    for a, truth, seen in parts:
        marg: dict[float, dict[tuple[str, str], float]] = {t: {} for t in TEMPERATURES}
        for st in seen:
            for t in TEMPERATURES:
                m = edge_marginals(st["docs"], st["scores"], root=st["root"],
                                   temperature=t * st["T"])  # fmt: skip
                marg[t].update(m or {})
        placed = {e.child: e.parent for e in a.edges if not e.secondary}
        into = Counter(v for _, v in marg[1.0])
        rows = placed_rows(a, truth)
        ids = [e.child for e in a.edges if not e.secondary and e.child in _feats(a)]
        ids += [o.id for o in a.origins if o.id in _feats(a)]
        for r, doc in zip(rows, ids, strict=True):
            key = (placed.get(doc, VROOT), doc)
            r["id"] = doc
            r["candidates"] = into[doc]
            r["at"] = [r["p"] if r["stemma"] else marg[t].get(key, r["p"]) for t in TEMPERATURES]
            out.append(r)
    return out


def _feats(a: Any) -> dict[str, Any]:
    from lineage.infer.confidence import child_features

    return child_features(
        a.edges, a.origins, stories=a.stories, documents=a.documents, hypotheticals=a.hypotheticals
    )


def log_loss(rows: Sequence[dict[str, Any]], k: int) -> float:
    c = np.clip([r["at"][k] for r in rows], 1e-4, 1 - 1e-4)
    y = np.array([float(r["right"]) for r in rows])
    return float(-(y * np.log(c) + (1 - y) * np.log(1 - c)).mean())


def at(rows: Sequence[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    return [{**r, "p": r["at"][k]} for r in rows]


def main(argv: list[str] | None = None) -> int:
    from accuracy import sources

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    args = ap.parse_args(argv)
    srcs, notes = sources(quick=args.quick, eval_dir=args.eval_dir, seeds_dir=args.seeds)
    data = {}
    for s in srcs:
        tr = rows_at(analyzed(s.train))
        data[s.label] = (tr, tr if s.test is s.train else rows_at(analyzed(s.test)))
        print(f"{s.label}: {len(data[s.label][0])} / {len(data[s.label][1])} rows", file=sys.stderr)
    one = TEMPERATURES.index(1.0)
    print("| source | edges: mean confidence / share right (n) | origins: mean confidence / "
          "share right (n) | in-sample best T (ECE at 1 -> at best) | T chosen on the others "
          "| ECE at 1 -> at that T | Brier at 1 -> at that T |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for label, (train, test) in data.items():
        cells = [label]
        for origin in (False, True):
            rs = [r for r in test if bool(r["origin"]) == origin]
            mc = np.mean([r["p"] for r in rs]) if rs else float("nan")
            mr = np.mean([r["right"] for r in rs]) if rs else float("nan")
            cells.append(f"{mc:.2f} / {mr:.2f} ({len(rs)})")
        forest = [r for r in train if not r["stemma"]]
        if forest:
            k = int(np.argmin([log_loss(forest, j) for j in range(len(TEMPERATURES))]))
            cells.append(f"{TEMPERATURES[k]} ({ece(at(forest, one)):.3f} -> "
                         f"{ece(at(forest, k)):.3f})")  # fmt: skip
        else:
            cells.append("– (stemma support only)")
        tot = np.zeros(len(TEMPERATURES))
        for other, (tr, _) in data.items():
            f = [r for r in tr if not r["stemma"]]
            if other != label and f:
                tot += [math.sqrt(len(f)) * log_loss(f, j) for j in range(len(TEMPERATURES))]
        k = int(np.argmin(tot))
        cells.append(str(TEMPERATURES[k]))
        cells.append(f"{ece(at(test, one)):.3f} -> {ece(at(test, k)):.3f}")
        cells.append(f"{brier(at(test, one)):.3f} -> {brier(at(test, k)):.3f}")
        print("| " + " | ".join(cells) + " |")
    print()
    print(
        "Edges by candidate parents (the root included) and by story size: n, mean "
        "confidence, share right (forest rows of the test corpora)"
    )
    print()
    print("| source | 1-3 candidates | 4-6 | 7+ | story of 2-5 | 6-15 | 16+ |")
    print("|---|---|---|---|---|---|---|")
    for label, (_, test) in data.items():
        rs = [r for r in test if not r["origin"] and not r["stemma"]]
        if len(rs) < 20:
            continue
        cells = [label]
        for key, bounds in (("candidates", ((1, 3), (4, 6), (7, 10**9))),
                            ("log_size", ((2, 5), (6, 15), (16, 10**9)))):  # fmt: skip
            for lo, hi in bounds:
                sel = [r for r in rs if lo <= _count(r, key) <= hi]
                cells.append(
                    f"{len(sel)}: {np.mean([r['p'] for r in sel]):.2f} / "
                    f"{np.mean([r['right'] for r in sel]):.2f}"
                    if sel
                    else "–"
                )
        print("| " + " | ".join(cells) + " |")
    for n in notes:
        print(f"- {n}")
    return 0


def _count(r: dict[str, Any], key: str) -> int:
    return int(r["candidates"]) if key == "candidates" else round(math.exp(r["log_size"]))


if __name__ == "__main__":
    raise SystemExit(main())
