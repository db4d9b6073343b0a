"""Evaluation gate: a fast slice of docs/ACCURACY.md that fails when quality drops.

Floors sit just under what the method reaches (measured when they were set; see
docs/ACCURACY.md for the full tables). Raise a floor when the method improves; lowering
one needs a reason in the commit message, never a silent edit.
"""

from __future__ import annotations

import pytest

import lineage
from lineage.evaluation.evaluate import (
    baseline_most_similar_earlier,
    baseline_mst,
    evaluate,
    load_truth,
    score,
    wikipedia_records,
    wikipedia_truth,
)
from lineage.model import Config, Document
from lineage.pipeline import analyze_documents
from lineage.evaluation.simulate import simulate, write

# measured 2026-11-29 (fifth round) on simulate(stories=40, seed=5): all
# 0.958/1.000/1.000/0.964, none 0.882 (undirected 0.924, root 0.850). The fifth round's
# house styles of credits (docs/ACCURACY.md, lesson 23) raised the undirected score
# (0.920 before) and cost this slice one directed edge (0.886 before); both 200-story
# held-out seeds rose in every setting.
FLOORS = {
    "all": {"edge_f1": 0.95, "root_accuracy": 0.97, "independent_accuracy": 0.98, "plagdet": 0.95},
    "none": {"edge_f1": 0.87, "undirected_f1": 0.92, "independent_accuracy": 0.98},
}


@pytest.fixture(scope="module", params=sorted(FLOORS))
def run(request, tmp_path_factory):
    dates = request.param
    out = tmp_path_factory.mktemp(f"sim-{dates}")
    write(simulate(stories=40, seed=5, dates=dates), out)
    analysis = lineage.analyze([out / "corpus.jsonl"])
    return dates, analysis, out / "truth.json"


def test_floors_hold(run):
    dates, analysis, truth = run
    m = evaluate(analysis, truth)
    for metric, floor in FLOORS[dates].items():
        assert getattr(m, metric) >= floor, (dates, metric, getattr(m, metric), floor)


def test_beats_both_baselines(run):
    _, analysis, truth = run
    t = load_truth(truth)
    ours = evaluate(analysis, truth).edge_f1
    for baseline in (baseline_mst, baseline_most_similar_earlier):
        theirs = score(baseline(analysis), t, stories=analysis.stories).edge_f1
        assert ours > theirs, (baseline.__name__, ours, theirs)


@pytest.mark.eval
def test_wikipedia_revision_chains():
    truth = wikipedia_truth(limit=30)
    if truth is None:
        pytest.skip("../shared/eval/wikipedia_versions is absent: Wikipedia gate not run")
    docs = [Document(id=r["id"], text=r["text"], path=r["id"]) for r in wikipedia_records(limit=30)]
    analysis = analyze_documents(docs)
    m = score([(e.parent, e.child) for e in analysis.edges], truth, stories=analysis.stories)
    mst = score(baseline_mst(analysis), truth, stories=analysis.stories)
    # The news profile is not meant for version histories (it takes the fuller text as
    # the source): it must still group them and link the right pairs. Measured
    # 2026-11-29 on 30 articles: edge F1 0.48 (MST 0.42), undirected 0.82 (0.45 and 0.82
    # before the fifth round).
    assert m.story_purity >= 0.85  # measured 0.89: some articles share template sentences
    assert m.undirected_f1 >= 0.78
    # the profile for version histories (tuned on the first 100 articles: a regression
    # check here, not a held-out figure; docs/ACCURACY.md has that)
    rev = analyze_documents(docs, Config(profile="revisions"))
    r = score([(e.parent, e.child) for e in rev.edges], truth, stories=rev.stories)
    earlier = score(baseline_most_similar_earlier(analysis), truth, stories=analysis.stories)
    # measured 2026-11-29 on 30 articles: edge F1 0.79 (earlier baseline 0.59), undirected 0.88
    assert r.edge_f1 >= 0.75 and r.edge_f1 > earlier.edge_f1 and r.edge_f1 > mst.edge_f1
