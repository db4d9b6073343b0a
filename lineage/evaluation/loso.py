"""Leave-one-source-out: every tuned number is chosen on the other sources of truth.

A :class:`Source` is one family of truth (a generator, a real data set) with a ``train``
corpus, read while choosing, and a ``test`` corpus, only scored (a generator's fresh seeds;
for a fixed data set both are the same corpus). The machinery is generic:

* ``fit(sources, grid, results) -> params``: the grid point (a dict of
  :class:`lineage.Config` fields, e.g. ``{"profile": "news"}``) with the best mean
  headline score over the sources' ``train`` corpora;
* ``score(source, params)``: the test corpus's metrics under ``params``.

:func:`leave_one_out` fits on all sources but one and scores that one (column
"left-out"), fits on that source's own ``train`` and scores its ``test`` ("in-source"),
and scores every baseline on the same analysis. The gap in-source minus left-out measures
how much choosing on a source flatters it.

Every analysis runs the CLI's path: the corpus is written to a temporary folder (JSONL or
files, under the opaque ids it was given) and read back by :func:`lineage.analyze`.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lineage.evaluation.baselines import (
    baseline_longer_is_newer,
    baseline_most_similar_earlier,
    baseline_mst,
    baseline_nj,
)
from lineage.evaluation.datasets import Corpus, write_corpus
from lineage.evaluation.metrics import Metrics, Prediction, load_prediction, score

__all__ = [
    "BASELINES",
    "Result",
    "Source",
    "analyze_corpus",
    "fit",
    "headline",
    "leave_one_out",
    "run_grid",
]

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Source:
    """One source of truth: ``train`` is read while choosing, ``test`` only scored."""

    label: str
    train: Corpus
    test: Corpus

    @property
    def kind(self) -> str:
        return self.test.kind


@dataclass
class Result:
    """Metrics of one corpus under one grid point, and the prediction they came from."""

    metrics: Metrics
    prediction: Prediction
    seconds: float
    #: a corpus of parts: each part's name, its own prediction and its metrics (the
    #: simulator's dated and undated seeds are read apart here)
    parts: tuple[tuple[str, Prediction, Metrics], ...] = ()


def _key(params: Params) -> str:
    return json.dumps(dict(params), sort_keys=True)


def _merge(preds: Sequence[Prediction]) -> Prediction:
    spans = [p.passages for p in preds]
    pooled = None if any(s is None for s in spans) else tuple(x for s in spans for x in s or ())
    return Prediction(
        documents=tuple(d for p in preds for d in p.documents),
        edges=tuple(e for p in preds for e in p.edges),
        stories=tuple(s for p in preds for s in p.stories),
        passages=pooled,
        pairs=tuple(x for p in preds for x in p.pairs),
        dates={k: v for p in preds for k, v in (p.dates or {}).items()},
        words={k: v for p in preds for k, v in (p.words or {}).items()},
        lost_edges=tuple(e for p in preds for e in p.lost_edges),
    )


def analyze_corpus(corpus: Corpus, params: Params) -> tuple[Prediction, float]:
    """``lineage.analyze`` on the corpus written to a temporary folder, as the CLI reads it.

    A corpus of :attr:`~lineage.evaluation.datasets.Corpus.parts` is analyzed part by
    part and the predictions pooled.
    """
    if corpus.parts:
        runs = [analyze_corpus(c, params) for c in corpus.parts]
        return _merge([p for p, _ in runs]), sum(s for _, s in runs)
    import lineage
    from lineage.model import Config

    with tempfile.TemporaryDirectory(prefix="lineage-eval-") as tmp:
        path = write_corpus(corpus, tmp)
        t0 = time.perf_counter()
        analysis = lineage.analyze([path], Config(**dict(params)))
        seconds = time.perf_counter() - t0
    return load_prediction(analysis), seconds


def _score(pred: Prediction, corpus: Corpus) -> Metrics:
    return score(pred.edges, corpus.truth, stories=pred.stories or None,
                 lost_edges=pred.lost_edges)  # fmt: skip


def headline(m: Metrics, kind: str) -> float:
    """The one number a fit maximizes: ASD / 100 for a tradition, else directed edge F1."""
    if kind == "tradition":
        return (m.asd or 0.0) / 100.0
    return m.edge_f1


def run_grid(
    sources: Sequence[Source],
    grid: Sequence[Params],
    *,
    log: Callable[[str], None] | None = None,
) -> dict[tuple[str, str, str], Result]:
    """Analyze every distinct corpus (train and test) under every grid point, once.

    Keyed by (corpus name, ``"train"``/``"test"``, params as JSON).
    """
    out: dict[tuple[str, str, str], Result] = {}
    done: dict[tuple[str, str], Result] = {}
    for src in sources:
        for role, corpus in (("train", src.train), ("test", src.test)):
            for params in grid:
                k = (corpus.name, _key(params))
                if k not in done:
                    runs = [(c, *analyze_corpus(c, params)) for c in corpus.parts]
                    if runs:
                        pred = _merge([p for _, p, _ in runs])
                        secs = sum(t for _, _, t in runs)
                    else:
                        pred, secs = analyze_corpus(corpus, params)
                    parts = tuple((c.name, p, _score(p, c)) for c, p, _ in runs)
                    done[k] = Result(_score(pred, corpus), pred, secs, parts)
                    if log:
                        h = headline(done[k].metrics, corpus.kind)
                        log(f"{corpus.name} {_key(params)}: {h:.3f} in {secs:.1f} s")
                out[(src.label, role, _key(params))] = done[k]
    return out


def fit(
    sources: Iterable[Source],
    grid: Sequence[Params],
    results: Mapping[tuple[str, str, str], Result],
) -> Params:
    """The grid point with the best mean headline over the sources' train corpora.

    Ties go to the earlier grid point (the grid's order is the caller's, never an id).
    """
    srcs = list(sources)
    best: tuple[float, int] | None = None
    for i, params in enumerate(grid):
        vals = [headline(results[(s.label, "train", _key(params))].metrics, s.kind) for s in srcs]
        mean = sum(vals) / len(vals) if vals else 0.0
        if best is None or mean > best[0] + 1e-12:
            best = (mean, i)
    assert best is not None, "empty grid"
    return grid[best[1]]


#: name -> (baseline, which kinds of source it is scored on)
_ALL = frozenset({"syndication", "revisions", "tradition"})
BASELINES: dict[str, tuple[Callable[[Prediction], list[tuple[str, str]]], frozenset[str]]] = {
    "MST": (baseline_mst, _ALL),
    "earlier": (baseline_most_similar_earlier, _ALL),
    "longer-is-newer": (baseline_longer_is_newer, _ALL),
    "NJ": (baseline_nj, frozenset({"tradition"})),
}


@dataclass
class Row:
    """One source's line of the table."""

    label: str
    kind: str
    left_out_params: Params
    left_out: Metrics
    in_source_params: Params
    in_source: Metrics
    baselines: dict[str, Metrics | None] = field(default_factory=dict)
    seconds: float = 0.0
    #: the left-out run read part by part: (part name, its metrics, its baselines)
    parts: tuple[tuple[str, Metrics, dict[str, Metrics | None]], ...] = ()

    @property
    def gap(self) -> float:
        return headline(self.in_source, self.kind) - headline(self.left_out, self.kind)


def _baselines(pred: Prediction, corpus: Corpus) -> dict[str, Metrics | None]:
    """Each baseline of :data:`BASELINES` that applies to the corpus's kind, scored."""
    return {
        name: score(fn(pred), corpus.truth, stories=pred.stories or None)
        if corpus.kind in kinds else None
        for name, (fn, kinds) in BASELINES.items()
    }  # fmt: skip


def leave_one_out(
    sources: Sequence[Source],
    grid: Sequence[Params],
    *,
    log: Callable[[str], None] | None = None,
) -> list[Row]:
    """One :class:`Row` per source: fit on the others' train corpora, score its test one."""
    results = run_grid(sources, grid, log=log)
    rows = []
    for src in sources:
        others = [s for s in sources if s is not src]
        lo = fit(others, grid, results) if others else grid[0]
        ins = fit([src], grid, results)
        r_lo = results[(src.label, "test", _key(lo))]
        r_in = results[(src.label, "test", _key(ins))]
        # the baselines read the verified pairs, which no grid point here changes: take
        # them from the left-out run
        base = _baselines(r_lo.prediction, src.test)
        by_name = {c.name: c for c in src.test.parts}
        parts = tuple((name, m, _baselines(p, by_name[name])) for name, p, m in r_lo.parts)
        rows.append(Row(src.label, src.kind, lo, r_lo.metrics, ins, r_in.metrics, base,
                        r_lo.seconds, parts))  # fmt: skip
    return rows
