"""Loaders, opaque ids, the average sign distance, the new baselines and the second
generator, on cases small enough to check by hand."""

from __future__ import annotations

import itertools
import re

import pytest
from conftest import EVAL, SEEDS

from lineage.evaluation.baselines import (
    baseline_longer_is_newer,
    baseline_nj,
    neighbour_joining,
)
from lineage.evaluation.datasets import (
    eval_dir,
    florilegium_corpus,
    opaque,
    opaque_ids,
    seeds_corpus,
    wikipedia_corpus,
    wire_corpus,
    write_corpus,
)
from lineage.evaluation.metrics import Prediction, Truth, average_sign_distance, score
from lineage.evaluation.wire import generate

BASE = eval_dir() or EVAL


# -- opaque ids ---------------------------------------------------------------------------


def test_opaque_ids_carry_no_order_and_are_reproducible():
    rows = [{"id": f"Article/{i}", "text": str(i)} for i in range(50)]
    a, names = opaque_ids(rows, "salt")
    b, _ = opaque_ids(rows, "salt")
    assert a == b
    assert all(re.fullmatch(r"d[0-9a-f]{16}", r["id"]) for r in a)
    # neither the new ids' sort order nor the row order follows the old order
    by_new = [old for old, _ in sorted(names.items(), key=lambda kv: kv[1])]
    assert by_new != sorted(names)
    old_of = {v: k for k, v in names.items()}
    assert [old_of[r["id"]] for r in a] != [r["id"] for r in rows]
    # the texts travel with their rows; a different salt gives different ids
    assert {(old_of[r["id"]], r["text"]) for r in a} == {(r["id"], r["text"]) for r in rows}
    c, other = opaque_ids(rows, "pepper")
    assert set(other.values()).isdisjoint(names.values())
    with pytest.raises(ValueError, match="duplicate"):
        opaque_ids(rows + rows[:1], "salt")


def test_opaque_renames_the_truth_with_the_rows():
    corpus = wire_corpus(stories=4, seed=0)
    o = opaque(corpus, "x")
    new_ids = {r["id"] for r in o.records}
    assert set(o.truth.documents) == new_ids
    assert {x for e in o.truth.edges for x in e} <= new_ids
    assert len(o.truth.edges) == len(corpus.truth.edges)
    # true edges still join the same texts
    text_old = {r["id"]: r["text"] for r in corpus.records}
    text_new = {r["id"]: r["text"] for r in o.records}
    assert {(text_old[p], text_old[c]) for p, c in corpus.truth.edges} == {
        (text_new[p], text_new[c]) for p, c in o.truth.edges
    }


def test_write_corpus_as_jsonl_and_as_files(tmp_path):
    seeds = opaque(seeds_corpus(SEEDS), "s")
    folder = write_corpus(seeds, tmp_path / "seeds")
    assert sorted(p.stem for p in folder.glob("*.txt")) == sorted(seeds.truth.documents)
    path = write_corpus(wire_corpus(stories=2, seed=0), tmp_path / "wire")
    assert path.name == "corpus.jsonl" and path.read_text(encoding="utf-8").count("\n") >= 2


def test_seeds_truth():
    c = seeds_corpus(SEEDS)
    pre = {d[:3]: d for d in c.truth.documents}
    assert set(c.truth.edges) == {(pre["001"], pre["000"]), (pre["001"], pre["002"])}
    assert set(c.truth.independents) == {pre["003"], pre["004"]}
    assert seeds_corpus(SEEDS / "absent") is None


# -- data sets read in place --------------------------------------------------------------


@pytest.mark.eval
def test_wikipedia_corpus_all_articles():
    c = wikipedia_corpus(BASE / "wikipedia_versions")
    if c is None:
        pytest.skip(f"{BASE}/wikipedia_versions is absent")
    assert len(c.truth.stories) == 223
    assert len(c.records) == len(c.truth.documents) > 1000
    assert len(c.truth.edges) == len(c.records) - 223  # one chain per article
    for s in c.truth.stories[:5]:
        assert list(zip(s, s[1:], strict=False)) == [e for e in c.truth.edges if e[1] in s]


@pytest.mark.eval
def test_florilegium_truth_and_scores():
    c = florilegium_corpus(BASE / "florilegium")
    if c is None:
        pytest.skip(f"{BASE}/florilegium is absent")
    assert len(c.records) == 13 and len(c.truth.tree) == 20
    assert set(c.truth.edges) == {("B", "P"), ("B", "S")}  # the only extant-to-extant links
    m = score(c.truth.tree, c.truth)
    assert m.asd == 100.0
    # renaming, hidden exemplars included, changes nothing
    o = opaque(c, "s")
    assert score(o.truth.tree, o.truth).asd == 100.0


# -- average sign distance on a hand-made tree -------------------------------------------


def test_average_sign_distance_by_hand():
    # lost x -> a, b; a -> c.  d(a,b)=2, d(a,c)=1, d(b,c)=3
    true = [("x", "a"), ("x", "b"), ("a", "c")]
    w = ["a", "b", "c"]
    assert average_sign_distance(true, true, w) == 100.0
    # the chain b - a - c is the same up to the lost node: d(a,b)=1, d(a,c)=1, d(b,c)=2.
    # A=a: true sign(2-1)=+1, pred sign(1-1)=0 -> 0.5; A=b: sign(2-3)=-1, sign(1-2)=-1 -> 1;
    # A=c: sign(1-3)=-1, sign(1-2)=-1 -> 1.  (0.5 + 1 + 1) / 3
    assert average_sign_distance([("a", "b"), ("a", "c")], true, w) == pytest.approx(250 / 3)
    # a star on c: d(a,b)=2, d(a,c)=1, d(b,c)=1. A=a: +1 vs +1 -> 1; A=b: -1 vs +1 -> 0;
    # A=c: -1 vs 0 -> 0.5
    assert average_sign_distance([("c", "a"), ("c", "b")], true, w) == pytest.approx(50.0)
    # direction plays no part; nothing linked: every predicted sign is a tie
    assert average_sign_distance([("c", "a"), ("b", "a")], true, w) == pytest.approx(250 / 3)
    assert average_sign_distance([], true, w) == pytest.approx(50.0)


# -- baselines ----------------------------------------------------------------------------


def test_neighbour_joining_recovers_an_additive_tree():
    # a tree with two cherries (a, b) and (d, e) and c between, unit branch lengths
    tree = [("u", "a"), ("u", "b"), ("u", "v"), ("v", "c"), ("v", "w"), ("w", "d"), ("w", "e")]
    leaves = list("abcde")
    from lineage.evaluation.metrics import path_lengths

    d = path_lengths(tree, leaves)
    dist = {(x, y): d[x][y] for x, y in itertools.combinations(leaves, 2)}
    got = neighbour_joining(leaves, dist)
    assert average_sign_distance(got, tree, leaves) == 100.0
    assert len(got) == 2 * len(leaves) - 3  # an unrooted binary tree


def test_nj_and_longer_is_newer_baselines():
    pred = Prediction(
        documents=("a", "b", "c", "z"),
        edges=(),
        stories=(),
        pairs=(("a", "b", 0.9), ("b", "c", 0.8), ("a", "c", 0.5)),
        words={"a": 100, "b": 120, "c": 150, "z": 10},
    )
    assert baseline_longer_is_newer(pred) == [("a", "b"), ("b", "c")]
    nj = baseline_nj(pred)
    assert {x for e in nj for x in e} >= {"a", "b", "c"} and "z" not in {x for e in nj for x in e}


# -- the second generator -----------------------------------------------------------------


def test_wire_generator_is_deterministic_and_consistent():
    rows, truth = generate(stories=10, seed=3, dates=True)
    again, truth2 = generate(stories=10, seed=3, dates=True)
    assert rows == again and truth == truth2
    ids = {r["id"] for r in rows}
    assert len(ids) == len(rows) == len(truth.documents)
    assert {x for e in truth.edges for x in e} <= ids
    assert all(r["date"] for r in rows)
    children = {c for _, c in truth.edges}
    assert set(truth.roots).isdisjoint(children)
    # a story of published documents: each is a root or has a published parent
    for s in truth.stories:
        assert all(d in truth.roots or d in children for d in s)
    # some wire originals are lost: then more than one root in a story
    assert any(sum(d in truth.roots for d in s) > 1 for s in truth.stories)
    none, _ = generate(stories=10, seed=3, dates=False)
    assert all(r["date"] is None for r in none)


def test_wire_independents_share_no_8_word_run_with_stories():
    rows, truth = generate(stories=20, seed=1)
    text = {r["id"]: r["text"].lower().split() for r in rows}

    def grams(d: str) -> set[tuple[str, ...]]:
        w = text[d]
        return {tuple(w[i : i + 8]) for i in range(len(w) - 7)}

    in_story = {d for s in truth.stories for d in s}
    story_grams = set().union(*(grams(d) for d in in_story))
    for i in truth.independents:
        assert not grams(i) & story_grams, i


def test_score_of_a_truth_with_lost_originals():
    t = Truth(("a", "b"), (), ("a", "b"), (), (("a", "b"),), tree=(("x", "a"), ("x", "b")))
    m = score([("a", "b")], t)
    assert m.edge_precision == 0.0 and m.root_accuracy == 0.5 and m.asd == 100.0


def test_concatenated_corpora_are_analyzed_apart():
    from lineage.evaluation.datasets import concat
    from lineage.evaluation.loso import analyze_corpus

    # two runs of the generator grow stories from the same base texts: one analysis of
    # both would join them into shared stories
    a = opaque(wire_corpus(stories=3, seed=0), "a")
    b = opaque(wire_corpus(stories=3, seed=0), "b")
    both = concat("both", [a, b])
    assert opaque(both, "c").parts and len(opaque(both, "c").records) == len(both.records)
    pred, _ = analyze_corpus(both, {"profile": "news"})
    side = {r["id"]: "a" for r in a.records} | {r["id"]: "b" for r in b.records}
    assert pred.edges and all(side[p] == side[c] for p, c in pred.edges)
    # pooled: the same edges as the two runs apart
    apart = {e for c in (a, b) for e in analyze_corpus(c, {"profile": "news"})[0].edges}
    assert set(pred.edges) == apart
