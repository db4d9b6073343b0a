"""Fit the confidence calibration on the training sources, leave-one-source-out.

    python bench/calibrate.py [--eval-dir DIR] [--seeds DIR] [--quick] [--plot PNG]
                              [--rows CACHE.json]

Writes lineage/infer/calibration.json (the default run reads its ``fitted`` map).

An edge's marginal over the story's forests (lineage/infer/confidence.py) is a
probability under the model, not the frequency with which such edges are right. The map
(:class:`lineage.infer.confidence.Calibration`) is, per child,

    confidence = sigmoid(exp(slope . x) * logit(marginal) + shift . x)

over the child's features ``x`` (:data:`lineage.infer.confidence.FEATURES`: origin or
edge, story size, dated, the story's dated share, the best alternative's marginal) and a
constant, kept on the marginal's side of one half (a true tie stays at most 0.5). The
slope is positive, so the map is monotone in the marginal and never reorders a child's
candidates; it changes no edge.

1. Every source's train and test corpus (bench/accuracy.py's split, opaque ids) is
   analyzed by the default run with ``calibration="off"``; each document the forest
   places (its chosen parent, or its origin case, in a story of two or more documents)
   gives one row: the features, the raw confidence and whether the choice is right.
2. For each source, a map is fitted on the *other* sources' train rows
   (``fitted-without-<source>``), and one on every source (``fitted``: the default
   run's). The fit minimizes the log loss, each source weighing as the square root of its
   rows (so two seed documents do not count as much as 600 simulated ones, nor 600 as
   300 times as much), with a small L2 pull towards the identity map. scipy optimizes;
   the run reads the JSON this writes.
3. Each left-out source's test corpus is analyzed again by the default run under its
   fold's map (a fresh read of the file), and the expected calibration error (10
   equal-width bins) of the documents' confidences is reported before (raw marginals)
   and after, with n; the reliability diagram goes to ``--plot``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from lineage.evaluation.datasets import Corpus, write_corpus  # noqa: E402
from lineage.infer.confidence import (  # noqa: E402
    CALIBRATION_FILE,
    child_features,
)

EPS = 1e-3  # marginals are clipped to [EPS, 1 - EPS] before the logit
BINS = 10
# The candidate maps (features, L2 pull towards the identity map), chosen among by a
# leave-one-source-out inside the training sources (:func:`choose`): Platt scaling (the
# marginal alone); with the origin case apart; with every child feature a run has; and
# with the reuse the parent explains too.
_CHILD = ("origin", "log_size", "dated", "dated_share", "runner_up", "lost", "second")
CANDIDATES: tuple[tuple[tuple[str, ...], float], ...] = tuple(
    (f, pull)
    for f in ((), ("origin",), _CHILD, (*_CHILD, "log_words", "share"))
    for pull in (0.1, 0.03, 0.01)
)
Row = dict[str, Any]


def _parts(corpus: Corpus) -> list[Corpus]:
    return list(corpus.parts) if corpus.parts else [corpus]


def slug(label: str) -> str:
    """``"a. simulator"`` -> ``simulator``; ``"c. wikipedia (223 articles)"`` -> ``wikipedia``."""
    return label.split(" ", 2)[1] if label[:2].endswith(".") else label.split()[0]


def rows_of(corpus: Corpus, calibration: str) -> list[Row]:
    """One row per placed document of ``corpus`` analyzed by the default run under
    ``calibration``: its features, confidence and whether the forest's choice is right,
    and its listed alternative parents (``alts``: [confidence, whether it is the parent])."""
    import lineage
    from lineage.model import Config

    out: list[Row] = []
    for part in _parts(corpus):
        with tempfile.TemporaryDirectory(prefix="lineage-cal-") as tmp:
            a = lineage.analyze([write_corpus(part, tmp)], Config(calibration=calibration))
        # the whole true graph (a tradition's lost exemplars included): a witness whose
        # exemplar is lost is no original
        parent = {c: p for p, c in (part.truth.tree or part.truth.edges)}
        feats = child_features(
            a.edges,
            a.origins,
            stories=a.stories,
            documents=a.documents,
            hypotheticals=a.hypotheticals,
        )
        for e in a.edges:
            x = feats.get(e.child)
            if e.secondary or x is None:  # a second parent's figure is a share of words
                continue
            alts = [[y.confidence, parent.get(e.child) == y.parent] for y in e.alternatives]
            out.append({"p": e.confidence, "right": parent.get(e.child) == e.parent,
                        "alts": alts, **x})  # fmt: skip
        for o in a.origins:
            x = feats.get(o.id)
            if x is not None:
                out.append({"p": o.confidence, "right": o.id not in parent, "alts": [], **x})
    return out


def ece(rows: Sequence[Row], bins: int = BINS) -> float | None:
    """Expected calibration error: the rows' |mean confidence - share right| per
    equal-width bin, weighted by the bin's share of the rows."""
    if not rows:
        return None
    c = np.array([r["p"] for r in rows], dtype=float)
    y = np.array([r["right"] for r in rows], dtype=float)
    k = np.minimum((c * bins).astype(int), bins - 1)
    return float(
        sum(abs(c[k == b].mean() - y[k == b].mean()) * (k == b).sum() for b in range(bins)
            if (k == b).any()) / len(c)
    )  # fmt: skip


def _design(rows: Sequence[Row], features: Sequence[str]) -> dict[str, np.ndarray]:
    """Every candidate of the rows (each row's chosen one, then its alternatives): the
    logit of its clipped marginal, its row, its row's features with a constant first;
    and per row, its chosen candidate and label."""
    ps, group, chosen = [], [], []
    for k, r in enumerate(rows):
        chosen.append(len(ps))
        ps.append(r["p"])
        group.append(k)
        for q, _ in r["alts"]:
            ps.append(q)
            group.append(k)
    p = np.clip(np.array(ps, dtype=float), EPS, 1 - EPS)
    x = np.array([[1.0, *(float(r[f]) for f in features)] for r in rows])
    return {
        "z": np.log(p / (1 - p)),
        "group": np.array(group),
        "x": x[np.array(group)],
        "chosen": np.array(chosen),
        "y": np.array([float(r["right"]) for r in rows]),
        "n": np.array(len(rows)),
    }


def _confidences(
    theta: np.ndarray, d: Mapping[str, np.ndarray], y: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Each row's chosen confidence under the map ``theta`` as the run makes it (mapped,
    then scaled down with its alternatives when together they exceed 1); with labels
    ``y``, also the gradient of the rows' summed log loss."""
    k = d["x"].shape[1]
    slope = np.exp(d["x"] @ theta[:k])
    s = np.clip(slope * d["z"] + d["x"] @ theta[k:], -500.0, 500.0)
    f = 1.0 / (1.0 + np.exp(-s))
    # kept on the marginal's side of one half, as the run keeps it (no gradient there)
    held = ((d["z"] <= 0) & (f > 0.5)) | ((d["z"] > 0) & (f < 0.5))
    f = np.where(held, 0.5, f)
    slope = np.where(held, 0.0, slope)  # ds / dtheta is 0 where the map is held
    total = np.bincount(d["group"], weights=f, minlength=int(d["n"]))
    scale = np.maximum(total, 1.0)
    q = f[d["chosen"]] / scale
    if y is None:
        return q, None
    qc = np.clip(q, 1e-12, 1 - 1e-12)
    u = (1 - y) * qc / (1 - qc) - y  # d loss / d log q, per row
    # d log q = (1 - f_c) ds_c, minus sum_i f_i (1 - f_i) ds_i / T where the sum T > 1
    coef = np.zeros_like(f)
    over = (total > 1.0)[d["group"]]
    coef[over] = -(u / scale)[d["group"]][over] * (f * (1 - f))[over]
    coef[d["chosen"]] += u * (1 - f[d["chosen"]])
    coef[held] = 0.0
    grad = np.concatenate([(coef * slope * d["z"]) @ d["x"], coef @ d["x"]])
    return q, grad


def _weight(n: int) -> float:
    """A source's weight per row: each source counts as the square root of its rows."""
    return math.sqrt(n) / n


def fit_map(
    train: Mapping[str, Sequence[Row]], features: Sequence[str], pull: float
) -> dict[str, Any]:
    """The map's coefficients fitted on ``train`` (source -> rows of chosen parents and
    origins) over ``features``, each source weighing as the square root of its rows, with
    an L2 pull ``pull`` of every coefficient towards the identity map."""
    from scipy.optimize import minimize

    parts = [(_design(rs, features), _weight(len(rs))) for rs in train.values() if rs]
    total = sum(w * len(d["y"]) for d, w in parts)
    k = 1 + len(features)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        val = pull * float((theta**2).sum())
        grad = 2 * pull * theta
        for d, w in parts:
            q, g = _confidences(theta, d, d["y"])
            assert g is not None
            q = np.clip(q, 1e-12, 1 - 1e-12)
            y = d["y"]
            val -= w / total * float((y * np.log(q) + (1 - y) * np.log(1 - q)).sum())
            grad += w / total * g
        return val, grad

    # the log loss of the confidence the run reports, after the scaling
    res = minimize(loss, np.zeros(2 * k), jac=True, method="L-BFGS-B")
    names = ["bias", *features]
    return {
        "features": list(features),
        "pull": pull,
        "slope": {n: round(float(v), 5) for n, v in zip(names, res.x[:k], strict=True)},
        "shift": {n: round(float(v), 5) for n, v in zip(names, res.x[k:], strict=True)},
        "sources": sorted(train),
    }


def mapped(m: Mapping[str, Any], rows: Sequence[Row]) -> list[Row]:
    """``rows`` with their confidence mapped by the map ``m`` (as the run maps it)."""
    names = ["bias", *m["features"]]
    theta = np.array([m["slope"][n] for n in names] + [m["shift"][n] for n in names])
    q = _confidences(theta, _design(rows, m["features"]))[0] if rows else []
    return [{**r, "p": float(c)} for r, c in zip(rows, q, strict=True)]


def weighted_ece(per_source: Mapping[str, Sequence[Row]]) -> float:
    """The sources' ECEs, each weighing as the square root of its rows (as in the fit)."""
    vals = [(ece(rs) or 0.0, math.sqrt(len(rs))) for rs in per_source.values() if rs]
    return sum(e * w for e, w in vals) / sum(w for _, w in vals)


def choose(train: Mapping[str, Sequence[Row]]) -> dict[str, Any]:
    """The map of the candidate (:data:`CANDIDATES`) with the lowest leave-one-source-out
    ECE *within* ``train`` (each of its sources scored by a map fitted on the others),
    refitted on all of ``train``: the choice reads no row of a source left out of it."""
    best: tuple[float, int] | None = None
    scores = []
    for i, (features, pull) in enumerate(CANDIDATES):
        inner = {
            s: mapped(fit_map({k: v for k, v in train.items() if k != s}, features, pull), rows)
            for s, rows in train.items()
        }
        score = weighted_ece(inner)
        scores.append(round(score, 4))
        if best is None or score < best[0] - 1e-12:
            best = (score, i)
    assert best is not None
    features, pull = CANDIDATES[best[1]]
    return {**fit_map(train, features, pull), "inner_ece": scores}


def sources(args: argparse.Namespace) -> tuple[list[Any], list[str]]:
    from accuracy import sources as accuracy_sources

    return accuracy_sources(quick=args.quick, eval_dir=args.eval_dir, seeds_dir=args.seeds)


def reliability_plot(
    curves: Mapping[str, tuple[Sequence[Row], Sequence[Row]]], path: Path, *, bins: int = BINS
) -> None:
    """Per left-out source, share right against mean confidence per bin, before (raw
    marginals, dashed) and after (its fold's map, solid)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 5), sharey=True)
    for ax, which, title in ((axes[0], 0, "before: raw marginals"),
                             (axes[1], 1, "after: the fold's calibration")):  # fmt: skip
        ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--")
        for k, (label, pair) in enumerate(curves.items()):
            rows = pair[which]
            if not rows:
                continue
            c = np.array([r["p"] for r in rows], dtype=float)
            y = np.array([r["right"] for r in rows], dtype=float)
            b = np.minimum((c * bins).astype(int), bins - 1)
            xs = [c[b == i].mean() for i in range(bins) if (b == i).any()]
            ys = [y[b == i].mean() for i in range(bins) if (b == i).any()]
            ns = [int((b == i).sum()) for i in range(bins) if (b == i).any()]
            ax.plot(xs, ys, marker="o", ms=3, color=f"C{k}",
                    label=f"{label} (ECE {ece(rows):.3f}, n={len(rows)})")  # fmt: skip
            ax.scatter(xs, ys, s=[8 + 60 * n / len(rows) for n in ns], color=f"C{k}", alpha=0.4)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("confidence (10 equal-width bins; dot size: share of rows)")
        ax.set_title(title)
        ax.legend(fontsize=7, loc="lower right")
    axes[0].set_ylabel("share right")
    fig.suptitle("Reliability of each document's confidence, each source left out of the fit")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small corpora (a smoke run)")
    ap.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    ap.add_argument("--plot", type=Path, default=ROOT / "docs" / "reliability.png")
    ap.add_argument("--rows", type=Path, default=None,
                    help="cache of the raw rows (read if present, else written)")  # fmt: skip
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    srcs, notes = sources(args)
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    # 1. the raw rows of every train and test corpus
    if args.rows and args.rows.is_file():
        raw = json.loads(args.rows.read_text())
    else:
        raw = {}
        for s in srcs:
            raw[s.label] = {"train": rows_of(s.train, "off")}
            raw[s.label]["test"] = (
                raw[s.label]["train"] if s.test is s.train else rows_of(s.test, "off")
            )
            log(f"{s.label}: {len(raw[s.label]['train'])} / {len(raw[s.label]['test'])} rows "
                f"(train / test) at {time.perf_counter() - t0:.0f} s")  # fmt: skip
        if args.rows:
            args.rows.write_text(json.dumps(raw))
    t_rows = time.perf_counter() - t0

    def chosen(rs: Sequence[Row]) -> list[Row]:
        return list(rs)

    # 2. the maps: each fold's, and the one fitted on every source
    train = {label: chosen(v["train"]) for label, v in raw.items()}
    maps: dict[str, Any] = {"fitted": choose(train)}
    for label in raw:
        maps[f"fitted-without-{slug(label)}"] = choose(
            {k: v for k, v in train.items() if k != label}
        )
        log(f"without {label}: {maps[f'fitted-without-{slug(label)}']}")
    doc = {
        "about": "bench/calibrate.py: the confidence calibration (lineage.infer.confidence."
        "Calibration): confidence = sigmoid(exp(slope . x) * logit(clip(marginal, eps)) + "
        "shift . x), x = bias 1 and the features; each map fitted on the named sources' "
        "train corpora (bench/accuracy.py's split, opaque ids), fitted-without-<source> "
        "leaving that source out; fitted is the default run's",
        "date": dt.date.today().isoformat(),
        "command": "python bench/calibrate.py" + (" --quick" if args.quick else ""),
        "candidates": [{"features": list(f), "pull": p} for f, p in CANDIDATES],
        "eps": EPS,
        "notes": notes,
        "maps": maps,
    }
    CALIBRATION_FILE.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    t_fit = time.perf_counter() - t0 - t_rows
    # 3. each left-out test corpus under its fold's map, by the default run
    lines = [
        "| source | n | ECE before (raw marginals) | ECE after (fold left out) | "
        "ECE, `fitted` (all sources) | mean confidence after | share right |",
        "|---|---|---|---|---|---|---|",
    ]
    curves: dict[str, tuple[list[Row], list[Row]]] = {}
    for s in srcs:
        before = chosen(raw[s.label]["test"])
        after = chosen(rows_of(s.test, f"fitted-without-{slug(s.label)}"))
        final = chosen(rows_of(s.test, "fitted"))
        curves[s.label] = (before, after)
        mean = sum(r["p"] for r in after) / max(len(after), 1)
        right = sum(r["right"] for r in after) / max(len(after), 1)
        line = (f"| {s.label} | {len(after)} | {ece(before):.3f} | **{ece(after):.3f}** | "
                f"{ece(final):.3f} | {mean:.3f} | {right:.3f} |")  # fmt: skip
        log(line)
        lines.append(line)
    pooled_b = [r for b, _ in curves.values() for r in b]
    pooled_a = [r for _, a in curves.values() for r in a]
    lines.append(f"| pooled | {len(pooled_a)} | {ece(pooled_b):.3f} | {ece(pooled_a):.3f} | "
                 "| | |")  # fmt: skip
    if args.plot:
        reliability_plot(curves, args.plot)
    total = time.perf_counter() - t0
    lines += [
        "",
        f"Rows {t_rows:.0f} s, fit {t_fit:.1f} s, scoring {total - t_rows - t_fit:.0f} s; "
        f"total {total:.0f} s. Maps: {CALIBRATION_FILE}",
        *(f"- {n}" for n in notes),
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
