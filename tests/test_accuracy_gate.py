"""The accuracy gate: every gate corpus meets its pinned floor, through ``lineage.analyze``.

Floors, digests and the figures they were pinned from are in ``tests/accuracy_floors.json``
(written by ``python -m lineage.evaluation.gate --pin``, which refuses to lower a floor
without ``--allow-lower``). docs/ACCURACY.md has the full leave-one-source-out tables.
"""

from __future__ import annotations

import json

import pytest
from conftest import EVAL, ROOT, SEEDS

from lineage.evaluation import gate
from lineage.evaluation.baselines import baseline_most_similar_earlier, baseline_mst
from lineage.evaluation.datasets import eval_dir
from lineage.evaluation.loso import analyze_corpus
from lineage.evaluation.metrics import score

FLOORS = ROOT / "tests" / "accuracy_floors.json"


@pytest.fixture(scope="module")
def corpora():
    return gate.gate_corpora(eval_root=eval_dir() or EVAL, seeds_dir=SEEDS)


@pytest.fixture(scope="module")
def measured(corpora):
    return gate.measure(corpora)


def test_every_gate_corpus_meets_its_floor(measured):
    floors = gate.load_floors(FLOORS)
    assert gate.check(measured, floors) == []
    # every pinned corpus was measured, unless its data is absent here
    missing = set(floors["corpora"]) - set(measured)
    if missing:
        pytest.skip(f"not measured (data absent): {sorted(missing)}")


@pytest.mark.parametrize("name", ["simulator-all-dates", "simulator-no-dates"])
def test_beats_both_baselines(corpora, name):
    (g,) = [g for g in corpora if g.name == name]
    pred, _ = analyze_corpus(g.corpus, g.params)
    ours = score(pred.edges, g.corpus.truth).edge_f1
    for baseline in (baseline_mst, baseline_most_similar_earlier):
        theirs = score(baseline(pred), g.corpus.truth).edge_f1
        assert ours > theirs, (baseline.__name__, ours, theirs)


def test_a_changed_corpus_fails_the_gate(measured):
    floors = gate.load_floors(FLOORS)
    name = sorted(measured)[0]
    floors["corpora"][name]["digest"] = "0" * 64
    failures = gate.check(measured, floors)
    assert any(f.startswith(f"{name}: the corpus changed") for f in failures), failures


def test_a_figure_below_its_floor_fails(measured):
    floors = gate.load_floors(FLOORS)
    name = "simulator-all-dates"
    floors["corpora"][name]["floors"]["edge_f1"] = 1.01
    assert gate.check(measured, floors) == [
        f"{name}: edge_f1 {measured[name]['measured']['edge_f1']} is below its floor 1.01"
    ]


def test_pinning_refuses_to_lower_a_floor_silently(tmp_path, capsys):
    """Through the command line: a floor above what is measured would go down on --pin."""
    path = tmp_path / "floors.json"
    floors = gate.load_floors(FLOORS)
    floors["corpora"]["seeds"]["floors"]["edge_f1"] = 0.999  # measured 1.0 pins 0.99
    path.write_text(json.dumps(floors), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    argv = ["--floors", str(path), "--seeds", str(SEEDS), "--only", "seeds", "--pin"]
    assert gate.main(argv) == 2
    assert "refusing to lower floors without --allow-lower: seeds: edge_f1 0.999 -> 0.99" in (
        capsys.readouterr().err
    )
    assert path.read_text(encoding="utf-8") == before  # nothing written
    assert gate.main([*argv, "--allow-lower"]) == 0
    assert json.loads(path.read_text(encoding="utf-8"))["corpora"]["seeds"]["floors"] == {
        "edge_f1": 0.99,
        "root_accuracy": 0.99,
    }


def test_pin_keeps_floors_that_rise_or_stay():
    got = {"x": {"digest": "d", "params": {}, "measured": {"edge_f1": 0.9, "asd": 60.0}}}
    new = gate.pin(got, {"corpora": {"x": {"floors": {"edge_f1": 0.5}}}})
    assert new["corpora"]["x"]["floors"] == {"edge_f1": 0.89, "asd": 59.0}
    with pytest.raises(gate.GateError, match="x: asd 59.5 -> 59.0"):
        gate.pin(got, {"corpora": {"x": {"floors": {"asd": 59.5}}}})
