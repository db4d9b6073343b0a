"""Fit the confidence calibration on the training sources, leave-one-source-out.

    python bench/calibrate.py [--eval-dir DIR] [--seeds DIR] [--quick] [--plot PNG]
                              [--rows CACHE.json]

Writes lineage/infer/calibration.json (``Config(calibration="fitted")`` reads its
``fitted`` map; the default run, ``"off"``, reads none) and the reliability diagram.

An edge's marginal over the story's forests (lineage/infer/confidence.py) is a
probability under the model, not the frequency with which such edges are right. A map
(:class:`lineage.infer.confidence.Calibration`) is, per child,

    confidence = sigmoid(exp(slope . x) * logit(marginal) + shift . x)

over the child's features ``x`` (:data:`lineage.infer.confidence.FEATURES`) and a
constant, kept on the marginal's side of one half (a true tie stays at most 0.5). The
slope is positive, so the map is monotone in the marginal and never reorders a child's
candidates; it changes no edge. A stemma's bootstrap support (the tradition path) is
never mapped.

1. Every source's train and test corpus (bench/accuracy.py's split, opaque ids) is
   analyzed by the default run with ``calibration="off"``; each document the run places
   (its chosen parent, or its origin case, in a story of two or more documents) gives
   one row: the features, the confidence and whether the placement is right
   (:func:`placed_rows`).
2. For each source, a map is chosen and fitted on the *other* sources' train rows
   (``fitted-without-<source>``), and one on every source (``fitted``). The candidates
   (:data:`CANDIDATES`) start with the identity, so a map is chosen only if it beats the
   raw figures in a leave-one-source-out inside the fold's sources (:func:`choose`). A
   fit minimizes the log loss of what the run reports, each source weighing as the
   square root of its rows, with a small L2 pull towards the identity (scipy).
3. Each left-out source's test corpus is analyzed again by the default run under its
   fold's map (a fresh read of the file), and printed before (raw) and after: ECE over
   10 equal-width bins and over 10 equal-mass bins, the Brier score, and the ECE of every
   probability stated for a placement (the chosen one and each listed alternative);
   the reliability diagram goes to ``--plot``.
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
    is_support,
)

EPS = 1e-3  # marginals are clipped to [EPS, 1 - EPS] before the logit
BINS = 10
# The candidate maps (features, L2 pull towards the identity map), chosen among by a
# leave-one-source-out inside the training sources (:func:`choose`): none at all (the
# raw marginals: a map must beat them to be chosen); Platt scaling (the marginal alone,
# the post-hoc form of one temperature); with the origin case apart; with every child
# feature a run has; and with the reuse the parent explains too.
_CHILD = ("origin", "log_size", "dated", "dated_share", "runner_up", "log_alts", "lost", "second")
IDENTITY: tuple[None, float] = (None, 0.0)
CANDIDATES: tuple[tuple[tuple[str, ...] | None, float], ...] = (
    IDENTITY,
    *(
        (f, pull)
        for f in ((), ("origin",), _CHILD, (*_CHILD, "log_words", "share"))
        for pull in (0.1, 0.03, 0.01)
    ),
)
Row = dict[str, Any]


def _parts(corpus: Corpus) -> list[Corpus]:
    return list(corpus.parts) if corpus.parts else [corpus]


def slug(label: str) -> str:
    """``"a. simulator"`` -> ``simulator``; ``"c. wikipedia (223 articles)"`` -> ``wikipedia``."""
    return label.split(" ", 2)[1] if label[:2].endswith(".") else label.split()[0]


def rows_of(corpus: Corpus, calibration: str) -> list[Row]:
    """One row per placed document of ``corpus`` analyzed by the default run under
    ``calibration``: its features, confidence and whether the run's placement is right,
    its listed alternative parents (``alts``: [confidence, whether it is the parent]),
    and ``stemma``: whether the confidence is a stemma's bootstrap support (the map
    leaves those as they are)."""
    import lineage
    from lineage.model import Config

    out: list[Row] = []
    for part in _parts(corpus):
        with tempfile.TemporaryDirectory(prefix="lineage-cal-") as tmp:
            a = lineage.analyze([write_corpus(part, tmp)], Config(calibration=calibration))
        out += placed_rows(a, part.truth)
    return out


def placed_rows(a: Any, truth: Any) -> list[Row]:
    """The rows of one analysis ``a`` judged against ``truth`` (see :func:`rows_of`).

    Right is judged against the whole true graph, a tradition's lost exemplars included:
    a document the run puts below a lost source (an origin that is a hypothetical node's
    child) is right when its true parent is lost too and is the true parent of every
    extant document the run puts there beside it; any other origin is right when the
    document has no true parent."""
    parent = {c: p for p, c in (truth.tree or truth.edges)}
    extant = set(truth.documents)
    hypos = {h.id: h for h in a.hypotheticals}
    lost_of = {c: h.id for h in a.hypotheticals for c in h.children if c in extant}

    def right(child: str, p: str | None) -> bool:
        if p in hypos:
            tp = parent.get(child)
            siblings = [c for c in hypos[p].children if c in extant]
            return (
                tp is not None and tp not in extant and all(parent.get(c) == tp for c in siblings)
            )
        return parent.get(child) == p

    feats = child_features(
        a.edges, a.origins, stories=a.stories, documents=a.documents, hypotheticals=a.hypotheticals
    )
    out: list[Row] = []
    for e in a.edges:
        x = feats.get(e.child)
        if e.secondary or x is None:  # a second parent's figure is a share of words
            continue
        alts = [[y.confidence, right(e.child, y.parent)] for y in e.alternatives]
        out.append({"p": e.confidence, "right": right(e.child, e.parent), "alts": alts,
                    "stemma": is_support(e), **x})  # fmt: skip
    for o in a.origins:
        x = feats.get(o.id)
        if x is not None:
            out.append({"p": o.confidence, "right": right(o.id, lost_of.get(o.id)), "alts": [],
                        "stemma": is_support(o), **x})  # fmt: skip
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
    ps: list[float] = []
    group: list[int] = []
    chosen: list[int] = []
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
    train: Mapping[str, Sequence[Row]], features: Sequence[str] | None, pull: float
) -> dict[str, Any]:
    """The map's coefficients fitted on ``train`` (source -> rows of chosen parents and
    origins) over ``features``, each source weighing as the square root of its rows, with
    an L2 pull ``pull`` of every coefficient towards the identity map. Rows whose
    confidence is a stemma's support (``stemma``) are not mapped, so not fitted on.
    ``features`` None: the identity (no map)."""
    from scipy.optimize import minimize

    if features is None:
        return {"identity": True, "features": [], "pull": 0.0, "slope": {}, "shift": {},
                "sources": sorted(train)}  # fmt: skip
    forest = {k: [r for r in rs if not r["stemma"]] for k, rs in train.items()}
    parts = [(_design(rs, features), _weight(len(rs))) for rs in forest.values() if rs]
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
    """``rows`` with their confidence mapped by the map ``m`` (as the run maps it); a
    stemma's support, and every row under the identity, as they are."""
    if m.get("identity"):
        return list(rows)
    names = ["bias", *m["features"]]
    theta = np.array([m["slope"][n] for n in names] + [m["shift"][n] for n in names])
    todo = [r for r in rows if not r["stemma"]]
    q = iter(_confidences(theta, _design(todo, m["features"]))[0].tolist() if todo else [])
    return [r if r["stemma"] else {**r, "p": float(next(q))} for r in rows]


def weighted_ece(per_source: Mapping[str, Sequence[Row]]) -> float:
    """The sources' ECEs, each weighing as the square root of its rows (as in the fit)."""
    vals = [(ece(rs) or 0.0, math.sqrt(len(rs))) for rs in per_source.values() if rs]
    return sum(e * w for e, w in vals) / sum(w for _, w in vals)


def choose(train: Mapping[str, Sequence[Row]]) -> dict[str, Any]:
    """The map of the candidate (:data:`CANDIDATES`) with the lowest leave-one-source-out
    ECE *within* ``train`` (each of its sources scored by a map fitted on the others),
    refitted on all of ``train``: the choice reads no row of a source left out of it.
    The identity comes first, so a map is chosen only if it beats the raw marginals."""
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


def ece_mass(rows: Sequence[Row], bins: int = BINS) -> float | None:
    """ECE over equal-mass bins (the rows sorted by confidence, ties kept together by a
    stable sort, cut into ``bins`` runs of equal count)."""
    if not rows:
        return None
    c = np.array([r["p"] for r in rows], dtype=float)
    y = np.array([r["right"] for r in rows], dtype=float)
    k = np.empty(len(c), dtype=int)
    k[np.argsort(c, kind="stable")] = np.minimum(np.arange(len(c)) * bins // len(c), bins - 1)
    return float(
        sum(abs(c[k == b].mean() - y[k == b].mean()) * (k == b).sum() for b in range(bins)
            if (k == b).any()) / len(c)
    )  # fmt: skip


def brier(rows: Sequence[Row]) -> float | None:
    """Mean squared difference between confidence and right (1) or wrong (0)."""
    if not rows:
        return None
    return float(np.mean([(r["p"] - float(r["right"])) ** 2 for r in rows]))


def candidates_of(rows: Sequence[Row]) -> list[Row]:
    """Every probability a run states for a placement: each row's chosen parent or
    origin case, and each listed alternative parent, with whether it is right."""
    out = []
    for r in rows:
        out.append({"p": r["p"], "right": r["right"]})
        out += [{"p": q, "right": ok} for q, ok in r["alts"]]
    return out


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

    # 2. the maps: each fold's, and the one fitted on every source
    train = {label: list(v["train"]) for label, v in raw.items()}
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
        "leaving that source out, and chosen among the candidates by a leave-one-source-out "
        "inside its sources (inner_ece, in the candidates' order); identity: the choice "
        "was no map (the raw marginals). A stemma's bootstrap support is never mapped. "
        "fitted is what Config(calibration='fitted') runs",
        "date": dt.date.today().isoformat(),
        "command": "python bench/calibrate.py" + (" --quick" if args.quick else ""),
        "candidates": [
            {"features": None if f is None else list(f), "pull": p} for f, p in CANDIDATES
        ],
        "eps": EPS,
        "notes": notes,
        "maps": maps,
    }
    CALIBRATION_FILE.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    t_fit = time.perf_counter() - t0 - t_rows
    # 3. each left-out test corpus under its fold's map, by the default run
    lines = [
        "| source | n | share right | mean confidence | ECE, equal-width | ECE, equal-mass "
        "| Brier | ECE, every stated candidate (n) | fold's choice |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    curves: dict[str, tuple[list[Row], list[Row]]] = {}

    def pair(f: Any, b: Sequence[Row], a: Sequence[Row]) -> str:
        return f"{f(b):.3f} -> **{f(a):.3f}**"

    for s in srcs:
        fold = maps[f"fitted-without-{slug(s.label)}"]
        before = list(raw[s.label]["test"])
        after = (
            before if fold.get("identity") else rows_of(s.test, f"fitted-without-{slug(s.label)}")
        )
        curves[s.label] = (before, after)
        mean = sum(r["p"] for r in after) / max(len(after), 1)
        mean0 = sum(r["p"] for r in before) / max(len(before), 1)
        right = sum(r["right"] for r in after) / max(len(after), 1)
        cb, ca = candidates_of(before), candidates_of(after)
        line = (f"| {s.label} | {len(after)} | {right:.3f} | {mean0:.3f} -> {mean:.3f} | "
                f"{pair(ece, before, after)} | {pair(ece_mass, before, after)} | "
                f"{pair(brier, before, after)} | {pair(ece, cb, ca)} ({len(ca)}) | "
                f"{describe(fold)} |")  # fmt: skip
        log(line)
        lines.append(line)
    pooled_b = [r for b, _ in curves.values() for r in b]
    pooled_a = [r for _, a in curves.values() for r in a]
    lines.append(f"| pooled | {len(pooled_a)} | | | {pair(ece, pooled_b, pooled_a)} | "
                 f"{pair(ece_mass, pooled_b, pooled_a)} | {pair(brier, pooled_b, pooled_a)} "
                 "| | |")  # fmt: skip
    if args.plot:
        reliability_plot(curves, args.plot)
    total = time.perf_counter() - t0
    lines += [
        "",
        f"`fitted` (every source): {describe(maps['fitted'])}.",
        f"Rows {t_rows:.0f} s, fit {t_fit:.1f} s, scoring {total - t_rows - t_fit:.0f} s; "
        f"total {total:.0f} s. Maps: {CALIBRATION_FILE}",
        *(f"- {n}" for n in notes),
    ]
    print("\n".join(lines))
    return 0


def describe(m: Mapping[str, Any]) -> str:
    """A map in a few words: ``identity``, ``Platt, pull 0.03``, ``+ origin, pull 0.1``."""
    if m.get("identity"):
        return "identity (no map)"
    f = m["features"]
    kind = "Platt" if not f else ("+ origin" if f == ["origin"] else f"+ {len(f)} features")
    return f"{kind}, pull {m['pull']}"


if __name__ == "__main__":
    raise SystemExit(main())
