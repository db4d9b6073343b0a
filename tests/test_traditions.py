"""Manuscript traditions: the stemma skeleton, the tradition profile, the stemmabench source."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

# the invented vocabulary of the hand-made lost-source cases, shared with them
from test_hypothetical import _WORDS

import lineage
from lineage.evaluation.metrics import average_sign_distance, load_prediction, score
from lineage.evaluation.traditions import (
    generate,
    read_tradition,
    stemmabench_python,
    traditions_corpus,
)
from lineage.infer.profile import TRADITION
from lineage.infer.stemma import distances, neighbour_joining
from lineage.model import Config
from lineage.text import tokenize


def _archetype(seed: int, n: int = 240) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(_WORDS) for _ in range(n)]


def _copy(words: list[str], rng: random.Random, changes: int) -> list[str]:
    """A copy with ``changes`` readings of its own (a word replaced by a new one)."""
    out = list(words)
    for pos in rng.sample(range(len(out)), changes):
        out[pos] = f"{out[pos]}{rng.randrange(10**6)}"
    return out


def _tradition() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Archetype (lost) -> two lost exemplars x and y; x -> A, B; y -> C, D, E; y -> F,
    a fragment (its first half). Every copying makes 8 readings of its own."""
    rng = random.Random(7)
    arch = _archetype(3)
    x, y = _copy(arch, rng, 8), _copy(arch, rng, 8)
    texts = {k: _copy(x, rng, 8) for k in "AB"}
    texts |= {k: _copy(y, rng, 8) for k in "CDE"}
    texts["F"] = _copy(y, rng, 8)[:120]
    tree = [("arch", "x"), ("arch", "y"), ("x", "A"), ("x", "B")]
    tree += [("y", k) for k in "CDEF"]
    return {k: " ".join(v) for k, v in texts.items()}, tree


def _analyze(tmp_path: Path, texts: dict[str, str], **cfg: object) -> lineage.Analysis:
    path = tmp_path / "corpus.jsonl"
    rows = [{"id": k, "text": v} for k, v in texts.items()]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return lineage.analyze([path], Config(**cfg))  # type: ignore[arg-type]


def test_an_undated_sourceless_tradition_is_read_as_a_stemma(tmp_path):
    texts, tree = _tradition()
    a = _analyze(tmp_path, texts)
    pc = a.profile_choice
    assert pc is not None and pc.auto and pc.profile == TRADITION, pc and pc.reason
    assert "stemma" in pc.reason
    # the two lost exemplars come back as hypothetical nodes holding their witnesses
    groups = {frozenset(c for c in h.children if c in texts) for h in a.hypotheticals}
    assert frozenset("AB") in groups and frozenset("CDEF") in groups, groups
    assert all(h.evidence and h.evidence[0].kind == "stemma" for h in a.hypotheticals)
    assert all(e.text for h in a.hypotheticals for e in h.evidence)
    # every witness is placed: a child of an edge, or an origin below a lost exemplar
    placed = {e.child for e in a.edges} | {o.id for o in a.origins}
    assert placed == set(texts)
    pred = load_prediction(a)
    assert average_sign_distance(pred.edges + pred.lost_edges, tree, sorted(texts)) == 100.0


def test_the_stemma_does_not_depend_on_the_names(tmp_path):
    texts, _ = _tradition()
    (tmp_path / "a").mkdir()
    first = _analyze(tmp_path / "a", texts)
    renamed = {f"z{ord(k) * 7919 % 97:02d}": v for k, v in texts.items()}
    back = {f"z{ord(k) * 7919 % 97:02d}": k for k in texts}
    (tmp_path / "b").mkdir()
    second = _analyze(tmp_path / "b", renamed)

    def shape(a: lineage.Analysis, names: dict[str, str]) -> set[frozenset[str]]:
        return {frozenset(names.get(c, "lost") for c in h.children) for h in a.hypotheticals}

    assert shape(first, {k: k for k in texts}) == shape(second, back)


def test_accents_and_case_are_orthography_not_readings():
    plain = " ".join(_archetype(5, 60))
    accented = plain.replace("a", "á").replace("e", "È")
    other = " ".join(_copy(_archetype(5, 60), random.Random(1), 6))
    tokens = {"p": tokenize(plain), "q": tokenize(accented), "r": tokenize(other)}
    d, extent = distances(["p", "q", "r"], [], tokens)
    assert d[("p", "q")] == 0.0
    assert d[("p", "r")] == pytest.approx(6 / 60)
    assert extent == 60


def test_neighbour_joining_recovers_an_additive_tree():
    # ((a:1, b:2):1, c:3, d:1) as a path-length matrix
    legs = {"a": 1, "b": 2, "c": 3, "d": 1}
    inner = {"a": 1, "b": 1, "c": 0, "d": 0}  # a and b meet one branch away from c, d

    def dd(x: str, y: str) -> float:
        return legs[x] + legs[y] + (1 if inner[x] != inner[y] else 0)

    names = sorted(legs)
    dist = {(x, y): dd(x, y) for x in names for y in names if x != y}
    branches = neighbour_joining(names, dist, prefix="h")
    got = {(u, v): w for u, v, w in branches}
    assert sum(got.values()) == pytest.approx(sum(legs.values()) + 1)
    assert any({v for u, v, _ in branches if u == h} >= {"a", "b"} for h, _, _ in branches)


def test_news_and_revisions_are_unchanged_by_the_tradition_profile(tmp_path):
    texts, _ = _tradition()
    a = _analyze(tmp_path, texts, profile="news")
    assert a.profile_choice is not None and a.profile_choice.profile == "news"
    assert not any(e.kind == "stemma" for h in a.hypotheticals for e in h.evidence)


def _write(folder: Path, witnesses: dict[str, str], tree: list[tuple[str, str]]) -> None:
    (folder / "witnesses").mkdir(parents=True)
    for k, v in witnesses.items():
        (folder / "witnesses" / f"{k}.txt").write_text(v, encoding="utf-8")
    rows = ["parent\tchild", *(f"{p}\t{c}" for p, c in tree)]
    (folder / "true_edges.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_traditions_are_read_and_scored_one_by_one(tmp_path):
    _write(tmp_path / "t1", {"a": "x y", "b": "x z", "c": "y z"},
           [("lost", "a"), ("lost", "b"), ("a", "c")])  # fmt: skip
    _write(tmp_path / "t2", {"p": "1", "q": "2", "r": "3"}, [("p", "q"), ("p", "r")])
    one = read_tradition(tmp_path / "t1")
    assert one is not None and one.kind == "tradition"
    assert one.truth.edges == (("t1/a", "t1/c"),) and one.truth.roots == ()
    both = traditions_corpus(tmp_path)
    assert both is not None and len(both.parts) == 2
    assert both.truth.stories == (("t1/a", "t1/b", "t1/c"), ("t2/p", "t2/q", "t2/r"))
    # the true stemmata score 100; the score is the mean of each tradition's own
    perfect = score([], both.truth, lost_edges=both.truth.tree)
    assert perfect.asd == 100.0
    wrong = [*one.truth.tree, ("t2/q", "t2/p"), ("t2/q", "t2/r")]
    m = score([], both.truth, lost_edges=wrong)
    alone = average_sign_distance(wrong, both.truth.tree, ["t2/p", "t2/q", "t2/r"])
    assert m.asd == pytest.approx((100.0 + alone) / 2) and alone < 100.0
    assert read_tradition(tmp_path / "absent") is None


@pytest.mark.skipif(stemmabench_python() is None, reason="no stemmabench venv")
def test_stemmabench_generates_the_same_traditions_for_a_seed(tmp_path):
    generate(tmp_path / "a", traditions=3, seed=11)
    generate(tmp_path / "b", traditions=3, seed=11)
    a, b = traditions_corpus(tmp_path / "a"), traditions_corpus(tmp_path / "b")
    assert a is not None and b is not None
    assert [r["text"] for r in a.records] == [r["text"] for r in b.records]
    for part in a.parts:
        assert 5 <= len(part.records) <= 20
        nodes = {x for e in part.truth.tree for x in e}
        assert set(part.truth.documents) <= nodes  # every witness is in its stemma
        kids = [c for _, c in part.truth.tree]
        assert len(kids) == len(set(kids)) == len(nodes) - 1  # a tree


def test_copies_that_differ_by_whole_passages_are_no_tradition(tmp_path):
    # undated and unnamed, not a chain, but the copies keep or drop whole passages: an
    # editor's work, not a scribe's, so the forest stays (news)
    para = [" ".join(_archetype(k, 40)) + "." for k in range(6)]
    texts = {f"c{k}": " ".join(para[:1] + para[1 + k % 5 : 3 + k % 5]) for k in range(5)}
    texts["full"] = " ".join(para)
    a = _analyze(tmp_path, texts)
    pc = a.profile_choice
    assert pc is not None and pc.profile == "news", pc and pc.reason
    share = pc.features.get("word_variants")
    assert share is not None and share < 0.7


def test_plagiarised_answers_are_no_tradition(tmp_path):
    # answers built from excerpts of one source with word-level edits are undated,
    # unnamed and not a chain, like a tradition; a stemma scores them 0.00-0.20 edge F1
    # where the forest (news) scores 0.56-0.84, so auto must not send them to it
    from plagiarism_cases import edge_f1, plagiarism, write

    case = plagiarism(0, region=0.15, per_level=3)
    write(case, tmp_path)
    a = lineage.analyze([str(tmp_path)])
    pc = a.profile_choice
    assert pc is not None and pc.profile == "news", pc and pc.reason
    assert edge_f1(case, {(e.parent, e.child) for e in a.edges}) > 0.5


def test_the_collation_reads_a_fragment_only_where_it_has_text():
    from lineage.infer.stemma import collation

    whole = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    variant = [1, 2, 3, 4, 50, 6, 7, 8, 9, 10, 11, 12]  # one reading of its own at word 5
    fragment = [7, 8, 90, 10, 11]  # words 7-11, one reading at word 9
    states = collation([whole, variant, fragment], ref=0, anchor=1, lacuna=3)
    # two places vary: word 5 (the fragment has no reading there) and word 9
    assert states.tolist() == [[0, 0], [1, 0], [-1, 1]]


def test_parsimony_counts_the_fewest_changes_and_prefers_the_true_grouping():
    import numpy as np

    from lineage.infer.stemma import _leaf_costs, parsimony_length

    # A, B share a reading at two places that C, D lack: the split AB|CD costs 2,
    # AC|BD costs 4
    states = np.array([[0, 0], [0, 0], [1, 1], [1, 1]])
    costs = dict(zip("ABCD", _leaf_costs(states), strict=True))

    def quartet(x: str, y: str, z: str, w: str) -> dict[str, set[str]]:
        return {x: {"u"}, y: {"u"}, z: {"v"}, w: {"v"}, "u": {x, y, "v"}, "v": {z, w, "u"}}

    assert parsimony_length(quartet("A", "B", "C", "D"), costs) == 2.0
    assert parsimony_length(quartet("A", "C", "B", "D"), costs) == 4.0
    # a witness without a reading at a place costs nothing there
    states[3, 0] = -1
    costs = dict(zip("ABCD", _leaf_costs(states), strict=True))
    assert parsimony_length(quartet("A", "B", "C", "D"), costs) == 2.0


def test_the_stemma_fit_file_names_its_sources():
    from lineage.infer.stemma import FIT, FIT_FILE

    meta = json.loads(FIT_FILE.read_text(encoding="utf-8"))
    assert meta["values"] == FIT
    assert {"anchor_words", "inner_tolerance", "witness_tolerance", "lacuna_words"} <= set(FIT)
    assert "stemmabench" in meta["sources"] and meta["date"]


def test_a_loss_two_witnesses_share_is_a_place_of_variation():
    from lineage.infer.stemma import collation

    ref = list(range(40))
    lost = ref[:10] + ref[25:]  # words 10-24 lost (15 words, a lacuna's length)
    texts = [ref, list(ref), lost, list(lost)]
    without = collation(texts, ref=0, anchor=1, lacuna=3)
    assert without.shape[1] == 0  # the readings all agree; the loss is no reading
    with_losses = collation(texts, ref=0, anchor=1, lacuna=3, events=1)
    assert with_losses.tolist() == [[0], [0], [1], [1]]
    # one witness's own loss says nothing of its kin
    alone = collation([ref, list(ref), lost, list(ref)], ref=0, anchor=1, lacuna=3, events=1)
    assert alone.shape[1] == 0


@pytest.mark.skipif(stemmabench_python() is None, reason="no stemmabench venv")
def test_the_generator_records_inherited_losses_and_can_leave_them_out(tmp_path):
    generate(tmp_path / "t", traditions=20, seed=5)
    found = 0
    for folder in sorted((tmp_path / "t").iterdir()):
        meta = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        assert "inherited_loss" in meta
        found += len(meta["inherited_loss"])
    assert found > 0
    # without them, the same trees and the texts of the version before
    generate(tmp_path / "u", traditions=2, seed=5, inherited=False)
    meta = json.loads((tmp_path / "u" / "tradition-5-000" / "config.json").read_text("utf-8"))
    assert meta["inherited_loss"] == {}
