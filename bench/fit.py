"""Fit the inference's weights on the training sources, leave-one-source-out.

    python bench/fit.py [--quick] [--eval-dir DIR] [--seeds DIR] [--out lineage/infer/fitted.json]

The model: each candidate edge (and each document's origin case) is scored, as the forest
scores it, by the sum of its evidence records; here each evidence *kind* gets a fitted
multiplier (the hand-set scale is the prior: a kind the data says nothing about keeps
factor 1), the superset rule (``Weights.superset``) a fitted weight and the origin case a
fitted intercept. The fit maximizes the conditional likelihood of each document's true
parent among its candidates (a softmax over the candidates, the virtual root included:
the local factor of the log-linear model over arborescences), each source weighing
alike, with an L2 pull towards the hand-set scale. scipy is the optimizer; the analysis
only reads the JSON this writes.

One profile per left-out source (``fitted-without-<source>``, trained on the others'
*train* corpora), and ``fitted`` on all. Then each left-out source's *test* corpus is
analyzed under its fold's profile (in a fresh process, which reads the file) and scored:
edge F1 / undirected F1 / root accuracy (ASD for the tradition) and the expected
calibration error of the confidences (each document's chosen parent or origin, 10 bins).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import lineage  # noqa: E402
from lineage.evaluation.datasets import Corpus, write_corpus  # noqa: E402
from lineage.model import Config  # noqa: E402

BASE = "news"  # the profile the fitted ones rescale
PRIOR = 1.0  # L2 pull per kind towards its hand-set factor (per source's mean loss)
VIRTUAL = "\x00root"

# a story: its size, its scored edges (row: 0 the virtual root, k + 1 document k; column:
# the child), and each document's true parent row (-1: unknown, left free)
Group = tuple[int, list[tuple[int, int, dict[str, float]]], list[int]]
MAX_STORY = 400
# the features the hand-set profiles leave off (weight 0), by evidence kind: the fit
# reads them at weight 1 and gives each its factor (prior 0)
EXTRA = {
    "superset": "superset",
    "reuse-log": "reuse_log",
    "child-coverage": "child_coverage",
    "parent-coverage": "parent_coverage",
}


def _parts(corpus: Corpus) -> list[Corpus]:
    return list(corpus.parts) if corpus.parts else [corpus]


def _slug(label: str) -> str:
    return label.split(" ", 2)[1] if label[:2].endswith(".") else label.split()[0]


def features(corpus: Corpus) -> list[Group]:
    """Per document: its candidate parents' per-kind evidence sums and which is true."""
    from lineage.infer import Weights, infer_lineage
    from lineage.pipeline import group_stories
    from lineage.text import tokenize

    base = dataclasses.replace(Weights.for_profile(BASE), **{k: 1.0 for k in EXTRA.values()})
    groups: list[Group] = []
    for part in _parts(corpus):
        with tempfile.TemporaryDirectory(prefix="lineage-fit-") as tmp:
            analysis = lineage.analyze([write_corpus(part, tmp)], Config(profile=BASE))
        ids = sorted({x for p in analysis.pairs for x in (p.a, p.b)})
        docs = [d for d in analysis.documents if d.id in set(ids)]
        tokens = {d.id: tokenize(d.text, boilerplate=d.boilerplate) for d in docs}
        stories = group_stories(ids, analysis.pairs)
        trace: dict[tuple[str, str], list[Any]] = {}
        infer_lineage(docs, analysis.pairs, stories, tokens=tokens, weights=base, trace=trace)
        parent = {c: p for p, c in part.truth.edges}
        tops = set(part.truth.roots) | set(part.truth.independents)
        for story in stories:
            if len(story) < 2 or len(story) > MAX_STORY:
                continue
            idx = {x: k for k, x in enumerate(story)}
            edges: list[tuple[int, int, dict[str, float]]] = []
            for v in story:
                for u in [VIRTUAL, *story]:
                    records = trace.get((u, v))
                    if records is None:
                        continue
                    f: dict[str, float] = {"origin-bias": 1.0} if u == VIRTUAL else {}
                    for e in records:
                        f[e.kind] = f.get(e.kind, 0.0) + e.score
                    edges.append((0 if u == VIRTUAL else idx[u] + 1, idx[v], f))
            # each document's true parent, where it is a candidate: the virtual root for a
            # true root; -1 (free) for a copy of a lost exemplar or of a collapsed copy
            true = []
            have = {(r, c) for r, c, _ in edges}
            for v in story:
                t = 0 if v in tops else (idx[parent[v]] + 1 if parent.get(v) in idx else -1)
                true.append(t if (t, idx[v]) in have else -1)
            if any(t >= 0 for t in true):
                groups.append((len(story), edges, true))
    return groups


def _log_z(
    n: int, rows: np.ndarray, cols: np.ndarray, s: np.ndarray
) -> tuple[float, np.ndarray] | None:
    """log of the summed weight of the spanning arborescences (matrix-tree theorem) over
    the edges given, and each edge's marginal; None when numerically out of reach."""
    m = np.full((n + 1, n), -np.inf)
    m[rows, cols] = s
    top = m.max(axis=0)
    if not np.all(np.isfinite(top)):
        return None
    a = np.exp(m - top)
    lap = -a[1:, :]
    np.fill_diagonal(lap, a.sum(axis=0))
    sign, logdet = np.linalg.slogdet(lap)
    if sign <= 0:
        return None
    try:
        inv = np.linalg.inv(lap)
    except np.linalg.LinAlgError:
        return None
    diag = np.diag(inv)
    mu = np.where(rows == 0, a[rows, cols] * diag[cols], 0.0)
    inner = rows > 0
    r = rows[inner] - 1
    mu[inner] = a[rows[inner], cols[inner]] * (diag[cols[inner]] - inv[cols[inner], r])
    return float(top.sum() + logdet), np.clip(mu, 0.0, 1.0)


def fit(data: Mapping[str, list[Group]]) -> dict[str, float]:
    """Per-kind factors (and the origin intercept) maximizing the mean per-source
    log-likelihood of the true forests under the log-linear model over arborescences
    (documents whose true parent is no candidate are marginalized out)."""
    kinds = sorted({k for gs in data.values() for g in gs for *_, f in g[1] for k in f})
    col = {k: i for i, k in enumerate(kinds)}
    prior = np.array([0.0 if k in EXTRA or k == "origin-bias" else 1.0 for k in kinds])
    stories: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]] = []
    for gs in data.values():
        for n, edges, true in gs:
            x = np.zeros((len(edges), len(kinds)))
            for e, (_, _, f) in enumerate(edges):
                for k, v in f.items():
                    x[e, col[k]] = v
            rows = np.array([r for r, _, _ in edges])
            cols = np.array([c for _, c, _ in edges])
            t = np.array(true)
            keep = (t[cols] < 0) | (t[cols] == rows)  # the edges the truth allows
            stories.append((n, rows, cols, x, keep, 1.0 / max(1, len(gs))))

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        # params: the kinds' weights, then c: the pull is towards c times the hand-set
        # scale, so an overall scale (1 / temperature) is free and only the ratios pay
        theta, c = params[:-1], params[-1]
        d = theta - c * prior
        total = PRIOR * float((d**2).sum())
        grad = np.zeros_like(params)
        grad[:-1] = 2 * PRIOR * d
        grad[-1] = -2 * PRIOR * float((d * prior).sum())
        for n, rows, cols, x, keep, scale in stories:
            s = x @ theta
            full = _log_z(n, rows, cols, s)
            part = _log_z(n, rows[keep], cols[keep], s[keep])
            if full is None or part is None:
                continue
            total -= scale * (part[0] - full[0])
            grad[:-1] -= scale * (part[1] @ x[keep] - full[1] @ x)
        return total, grad

    res = minimize(loss, np.append(prior, 1.0), jac=True, method="L-BFGS-B")
    theta, c = res.x[:-1], float(res.x[-1])
    # the forest's scores keep the hand-set scale; the overall factor is the temperature
    out = {k: round(float(v) / c, 4) for k, v in zip(kinds, theta, strict=True)}
    out["temperature"] = round(1.0 / c, 4)
    return out


def profile(theta: Mapping[str, float], sources: Sequence[str]) -> dict[str, Any]:
    scale = {k: v for k, v in theta.items() if k not in ("origin-bias", "temperature")}
    return {
        "base": BASE,
        "sources": list(sources),
        "kind_scale": scale,
        "fields": {
            **{f: 1.0 for f in EXTRA.values()},
            "origin_bias": theta.get("origin-bias", 0.0),
            "temperature": theta["temperature"],
        },
    }


def evaluate(corpus: Corpus, name: str) -> dict[str, Any]:
    """Metrics and calibration of ``corpus`` analyzed under profile ``name``."""
    from lineage.evaluation.loso import _merge
    from lineage.evaluation.metrics import load_prediction, score

    preds = []
    conf: list[tuple[float, bool]] = []
    for part in _parts(corpus):
        with tempfile.TemporaryDirectory(prefix="lineage-fit-") as tmp:
            a = lineage.analyze([write_corpus(part, tmp)], Config(profile=name))
        preds.append(load_prediction(a))
        parent = {c: p for p, c in part.truth.edges}
        for e in a.edges:
            if e.confidence is not None:
                conf.append((e.confidence, parent.get(e.child) == e.parent))
        for o in a.origins:
            if o.confidence is not None and o.kind != "independent":
                conf.append((o.confidence, o.id not in parent))
    pred = _merge(preds)
    m = score(pred.edges, corpus.truth, stories=pred.stories or None)
    return {"metrics": dataclasses.asdict(m), "ece": ece(conf), "n": len(conf), "pairs": conf}


def ece(conf: Sequence[tuple[float, bool]], bins: int = 10) -> float | None:
    if not conf:
        return None
    c = np.array([x for x, _ in conf])
    y = np.array([float(t) for _, t in conf])
    k = np.minimum((c * bins).astype(int), bins - 1)
    return float(sum(abs(c[k == b].mean() - y[k == b].mean()) * (k == b).sum()
                     for b in range(bins) if (k == b).any()) / len(c))  # fmt: skip


TIME_KINDS = frozenset({"earlier", "time", "closest", "origin-prior"})  # read the dates


def _drop_dates(corpus: Corpus, dated: float) -> Corpus:
    """The corpus with only a share ``dated`` of its documents keeping their date: which
    ones by a hash of the text, so the same share keeps the same documents."""
    import hashlib

    def keep(r: Mapping[str, Any]) -> bool:
        h = hashlib.sha256(str(r.get("text", "")).encode()).digest()
        return int.from_bytes(h[:4], "big") / 2**32 < dated

    rows = tuple({**r, "date": r.get("date") if keep(r) else None} for r in corpus.records)
    return dataclasses.replace(corpus, records=rows, name=f"{corpus.name}, {dated:.0%} dated")


def self_taught(corpus: Corpus) -> dict[str, float]:
    """The corpus teaches itself: the direction of its dated pairs (the earlier is the
    source) is the label of a logistic fit of the kind factors that do not read dates,
    on the difference of the two directions' evidence; the undated pairs are then scored
    with those factors. No dated pair: every factor stays 1 (the base profile)."""
    from lineage.infer import Weights, infer_lineage
    from lineage.pipeline import group_stories
    from lineage.text import tokenize

    base = dataclasses.replace(Weights.for_profile(BASE), **{k: 1.0 for k in EXTRA.values()})
    diffs: list[dict[str, float]] = []
    for part in _parts(corpus):
        with tempfile.TemporaryDirectory(prefix="lineage-fit-") as tmp:
            analysis = lineage.analyze([write_corpus(part, tmp)], Config(profile=BASE))
        ids = sorted({x for p in analysis.pairs for x in (p.a, p.b)})
        docs = [d for d in analysis.documents if d.id in set(ids)]
        tokens = {d.id: tokenize(d.text, boilerplate=d.boilerplate) for d in docs}
        trace: dict[tuple[str, str], list[Any]] = {}
        stories = group_stories(ids, analysis.pairs)
        infer_lineage(docs, analysis.pairs, stories, tokens=tokens, weights=base, trace=trace)
        date = {d.id: d.date for d in docs}

        def feats(u: str, v: str, trace: Mapping[tuple[str, str], Any] = trace) -> dict:
            f: dict[str, float] = {}
            for e in trace[(u, v)]:
                if e.kind not in TIME_KINDS:
                    f[e.kind] = f.get(e.kind, 0.0) + e.score
            return f

        for p in analysis.pairs:
            da, db = date.get(p.a), date.get(p.b)
            if da is None or db is None or da == db or (p.a, p.b) not in trace:
                continue
            u, v = (p.a, p.b) if da < db else (p.b, p.a)  # u: the earlier, the source
            fu, fv = feats(u, v), feats(v, u)
            diffs.append({k: fu.get(k, 0.0) - fv.get(k, 0.0) for k in {*fu, *fv}})
    if not diffs:
        return {}
    kinds = sorted({k for d in diffs for k in d})
    x = np.array([[d.get(k, 0.0) for k in kinds] for d in diffs])
    prior = np.array([0.0 if k in EXTRA else 1.0 for k in kinds])

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        theta, c = params[:-1], params[-1]
        z = x @ theta
        # mean -log sigmoid(z): the earlier document is the source
        total = float(np.logaddexp(0.0, -z).mean())
        g = -(1.0 / (1.0 + np.exp(z)))[:, None] * x
        d = theta - c * prior
        grad = np.append(g.mean(axis=0) + 2 * PRIOR * d, -2 * PRIOR * float((d * prior).sum()))
        return total + PRIOR * float((d**2).sum()), grad

    res = minimize(loss, np.append(prior, 1.0), jac=True, method="L-BFGS-B")
    theta, c = res.x[:-1], float(res.x[-1])
    return {k: round(float(v) / c, 4) for k, v in zip(kinds, theta, strict=True)}


def dated_experiment() -> list[str]:
    """Edge F1 at 0%, 30% and 70% dated, with the base profile and self-taught."""
    from accuracy import SALT

    from lineage.evaluation.datasets import opaque, simulated_corpus, wire_corpus
    from lineage.infer.weights import FITTED_PROFILES, Weights

    gens = [
        opaque(simulated_corpus(stories=50, seed=2026, dates="all"), f"{SALT}:d1"),
        opaque(wire_corpus(stories=40, seed=4, dates=True), f"{SALT}:d2"),
    ]
    lines = ["| corpus | dated | `news` | self-taught |", "|---|---|---|---|"]
    for gen in gens:
        for share in (0.0, 0.3, 0.7):
            c = _drop_dates(gen, share)
            scale = self_taught(c)
            # the extra features off unless the dated pairs gave them a factor
            off = {k: 0.0 for k in EXTRA}
            FITTED_PROFILES["self-taught"] = dataclasses.replace(
                Weights.for_profile(BASE),
                **{k: 1.0 for k in EXTRA.values()},
                kind_scale=tuple(sorted({**off, **scale}.items())),
            )
            a = evaluate(c, BASE)["metrics"]
            b = evaluate(c, "self-taught")["metrics"]
            line = f"| {gen.name} | {share:.0%} | {a['edge_f1']:.3f} | {b['edge_f1']:.3f} |"
            print(line, file=sys.stderr, flush=True)
            lines.append(line)
    return lines


def reliability_plot(results: Mapping[str, Any], path: Path, *, bins: int = 10) -> None:
    """A reliability diagram per left-out source: mean confidence against accuracy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--", label="calibrated")
    for key, r in sorted(results.items()):
        label, name = key.split("|")
        if not name.startswith("fitted") or not r["pairs"]:
            continue
        c = np.array([float(x) for x, _ in r["pairs"]])
        y = np.array([bool(t) for _, t in r["pairs"]], dtype=float)
        k = np.minimum((c * bins).astype(int), bins - 1)
        xs = [c[k == b].mean() for b in range(bins) if (k == b).any()]
        ys = [y[k == b].mean() for b in range(bins) if (k == b).any()]
        ece_ = r["ece"]
        ax.plot(xs, ys, marker="o", label=f"{label} (ECE {ece_:.3f}, n={len(c)})")
    ax.set_xlabel("confidence (edge marginal; origin probability)")
    ax.set_ylabel("share correct")
    ax.set_title("Reliability, each source left out of the fit")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    ap.add_argument("--out", type=Path, default=ROOT / "lineage" / "infer" / "fitted.json")
    ap.add_argument("--evaluate", metavar="JSON", type=Path, help="score the folds into JSON")
    ap.add_argument("--plot", nargs=2, metavar=("JSON", "PNG"), type=Path,
                    help="draw the reliability diagram of an --evaluate JSON")  # fmt: skip
    ap.add_argument("--dated", action="store_true", help="issue 13 item 4: 0/30/70%% dated")
    args = ap.parse_args()
    if args.dated:
        print("\n".join(dated_experiment()))
        return
    if args.plot:
        reliability_plot(json.loads(args.plot[0].read_text()), args.plot[1])
        return
    from accuracy import sources

    srcs, notes = sources(quick=args.quick, eval_dir=args.eval_dir, seeds_dir=args.seeds)
    if args.evaluate:
        out = {}
        for s in srcs:
            for name in (f"fitted-without-{_slug(s.label)}", BASE):
                r = evaluate(s.test, name)
                out[f"{s.label}|{name}"] = r
                m = r["metrics"]
                print(f"{s.label} {name}: edge {m['edge_f1']:.3f} undirected "
                      f"{m['undirected_f1']:.3f} root {m['root_accuracy']} asd {m['asd']} "
                      f"ece {r['ece']}", file=sys.stderr, flush=True)  # fmt: skip
        args.evaluate.write_text(json.dumps(out, indent=1, default=str))
        return
    data: dict[str, list[Group]] = {}
    for s in srcs:
        data[s.label] = features(s.train)
        print(f"{s.label}: {len(data[s.label])} stories with a known parent",
              file=sys.stderr, flush=True)  # fmt: skip
    profiles = {"fitted": profile(fit(data), list(data))}
    for s in srcs:
        rest = {k: v for k, v in data.items() if k != s.label}
        profiles[f"fitted-without-{_slug(s.label)}"] = profile(fit(rest), list(rest))
    doc = {
        "about": "bench/fit.py: per-evidence-kind factors fitted on the named sources' "
        "train corpora (leave-one-source-out folds); read by lineage/infer/weights.py",
        "date": dt.date.today().isoformat(),
        "command": "python bench/fit.py" + (" --quick" if args.quick else ""),
        "notes": notes,
        "profiles": profiles,
    }
    args.out.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(profiles, indent=1))


if __name__ == "__main__":
    main()
