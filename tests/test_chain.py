"""The version-chain model of the revisions profile (lineage/infer/chain.py)."""

from __future__ import annotations

import hashlib
import itertools
import math
import random

import numpy as np
import pytest
from conftest import assert_no_descendant_alternative

from lineage.infer.chain import (
    _shared,
    chain_of_story,
    direction_score,
    link_marginals,
    order_cost,
    passage_sets,
    seriate,
    step_edits,
    text_distances,
)
from lineage.text import tokenize

_WORDS = (
    "river bank harbour council bridge market tower station garden museum library "
    "theatre factory railway castle church school hospital prison island valley forest "
    "mountain lake canal airport stadium palace temple village"
).split()


def _sentence(rng: random.Random, n: int = 12) -> str:
    return " ".join(rng.choice(_WORDS) + str(rng.randrange(1000)) for _ in range(n)) + "."


def _history(n: int, seed: int = 0, cut: float = 0.3) -> list[str]:
    """Versions of one text, oldest first: each adds a sentence and now and then
    cuts one of the first version's, as page histories grow. (No cut takes back an
    insertion: that is a revert, which brings back the passages across its place.)"""
    rng = random.Random(seed)
    first = [_sentence(rng) for _ in range(6)]
    text = list(first)
    out = [" ".join(text)]
    for _ in range(n - 1):
        text.insert(rng.randrange(len(text) + 1), _sentence(rng))
        old = [s for s in text if s in first]
        if old and rng.random() < cut:
            text.remove(rng.choice(old))
        out.append(" ".join(text))
    return out


def _tokens(texts: list[str], names: list[str]) -> dict:
    return {name: tokenize(t) for name, t in zip(names, texts, strict=True)}


def test_direction_score_is_antisymmetric() -> None:
    for a, d in ((0, 0), (5, 2), (120, 3), (0, 40)):
        assert direction_score(a, d) == pytest.approx(-direction_score(d, a))
    assert direction_score(3, 3) == 0.0


def test_step_edits_count_what_the_newer_adds_and_drops() -> None:
    old = tokenize("the council met on monday and voted")
    new = tokenize("the council met on monday evening and voted twice")
    assert step_edits(old, new) == (2, 0)
    assert step_edits(new, old) == (0, 2)


def test_passage_sets_are_runs_of_content_words() -> None:
    t = tokenize("a b c d e")
    assert len(passage_sets(t, 3)) == 3
    assert len(passage_sets(t, 10)) == 1  # shorter than a passage: one
    assert len(passage_sets(tokenize(""), 3)) == 0


def test_the_cost_of_an_ordering_reads_the_same_either_way_round() -> None:
    texts = _history(6, seed=3)
    sets = [passage_sets(tokenize(t), 5) for t in texts]
    size = np.array([len(s) for s in sets], dtype=float)
    both = _shared(sets)
    for order in ([0, 1, 2, 3, 4, 5], [2, 0, 5, 1, 4, 3]):
        assert order_cost(order, size, both) == pytest.approx(order_cost(order[::-1], size, both))


@pytest.mark.parametrize("seed", range(5))
def test_a_shuffled_history_is_put_back_in_order_oldest_first(seed: int) -> None:
    texts = _history(7, seed=seed)
    names = [f"v{k}" for k in range(len(texts))]
    rng = random.Random(seed)
    shuffled = names[:]
    rng.shuffle(shuffled)
    tokens = _tokens(texts, names)
    # the order of content: a hash of the text, never the name
    rank = {n: hashlib.sha256(texts[int(n[1:])].encode()).hexdigest() for n in names}
    chain = chain_of_story(shuffled, tokens, rank)
    assert list(chain.order) == names
    assert chain.direction > 0.5
    assert all(0.0 <= p <= 1.0 for p in chain.links.values())


def test_names_carry_no_answer() -> None:
    texts = _history(6, seed=11)
    a = [f"doc{k}" for k in range(6)]
    b = [f"z{5 - k}" for k in range(6)]  # names that sort the other way round
    rank_a = {n: str(k) for k, n in enumerate(a)}
    rank_b = {n: str(k) for k, n in enumerate(b)}
    ca = chain_of_story(a[::-1], _tokens(texts, a), rank_a)
    cb = chain_of_story(b, _tokens(texts, b), rank_b)
    assert [a.index(x) for x in ca.order] == [b.index(x) for x in cb.order]


def test_link_marginals_match_the_orderings_counted_one_by_one() -> None:
    texts = _history(5, seed=7)
    sets = [passage_sets(tokenize(t), 3) for t in texts]
    size = np.array([len(s) for s in sets], dtype=float)
    both = _shared(sets)
    beta = 0.05
    marg = link_marginals(size, both, beta)
    # brute force over the orderings (each undirected path once)
    weights: dict[tuple[int, ...], float] = {}
    for perm in itertools.permutations(range(5)):
        key = min(perm, perm[::-1])
        weights[key] = math.exp(-beta * order_cost(list(perm), size, both))
    z = sum(weights.values())
    brute = np.zeros((5, 5))
    for perm, w in weights.items():
        for x, y in zip(perm, perm[1:], strict=False):
            brute[x, y] += w / z
            brute[y, x] += w / z
    assert np.allclose(marg, brute, atol=1e-9)
    assert np.triu(marg).sum() == pytest.approx(4.0)  # every ordering has n - 1 links


def test_seriate_is_exact_and_the_large_case_finds_a_chain() -> None:
    texts = _history(15, seed=5)
    sets = [passage_sets(tokenize(t), 5) for t in texts]
    size = np.array([len(s) for s in sets], dtype=float)
    both = _shared(sets)
    order = seriate(size, both)  # 15 documents: the greedy path and 2-opt
    assert order in (list(range(15)), list(range(15))[::-1])


def test_a_revisions_run_reads_each_story_as_a_chain(tmp_path) -> None:
    import lineage
    from lineage.model import Config

    # growth alone: with cuts, two orders can keep passages equally continuous (a tie the
    # model reports as a link of probability 0.5)
    texts = _history(6, seed=21, cut=0.0)
    names = ["q", "c", "x", "a", "m", "f"]  # names in no order of the versions
    for name, text in zip(names, texts, strict=True):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    analysis = lineage.analyze([tmp_path], Config(profile="revisions"))
    got = {(e.parent, e.child) for e in analysis.edges}
    assert got == set(zip(names, names[1:], strict=False))
    roots = [o for o in analysis.origins if o.kind == "original"]
    assert [o.id for o in roots] == ["q"]
    for e in analysis.edges:
        assert 0.0 <= e.confidence <= 1.0
        assert {r.kind for r in e.evidence} == {"chain-order", "chain-direction"}
        assert all(r.text for r in e.evidence)
        # a later version derives from the child: never an alternative source of it
        later = names[names.index(e.child) + 1 :]
        assert not any(a.parent in later for a in e.alternatives)


def test_the_news_profile_keeps_its_forest(tmp_path) -> None:
    import lineage
    from lineage.model import Config

    for name, text in zip("abcd", _history(4, seed=2), strict=True):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    analysis = lineage.analyze([tmp_path], Config(profile="news"))
    kinds = {r.kind for e in analysis.edges for r in e.evidence}
    assert not kinds & {"chain-order", "chain-direction"}


def test_versions_with_the_same_words_are_an_even_chance(tmp_path) -> None:
    import lineage
    from lineage.model import Config

    texts = _history(4, seed=8, cut=0.0)
    texts.insert(2, texts[1])  # a version saved twice: which came first no text says
    for name, text in zip("pkbwe", texts, strict=True):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    analysis = lineage.analyze([tmp_path], Config(profile="revisions"))
    twins = [e for e in analysis.edges if {e.parent, e.child} == {"k", "b"}]
    assert len(twins) == 1 and twins[0].confidence <= 0.5
    assert any("same words" in r.text for r in twins[0].evidence)
    assert len(analysis.edges) == 4


@pytest.mark.parametrize("seed", range(4))
def test_the_characters_place_a_version_with_the_same_words(seed: int) -> None:
    # v2 is v1 with its punctuation mended, and v3 keeps the mend: the passages of
    # words tie the orders 0-1-2-3 and 0-2-1-3; the characters do not
    texts = _history(4, seed=seed, cut=0.0)
    fixed = texts[1].replace(".", ";", 1)
    texts = [texts[0], texts[1], fixed, fixed + " " + _sentence(random.Random(seed + 50))]
    names = [f"v{k}" for k in range(4)]
    tokens = _tokens(texts, names)
    assert tokens["v1"].hashes[tokens["v1"].content].tolist() == (
        tokens["v2"].hashes[tokens["v2"].content].tolist()
    )
    by_name = dict(zip(names, texts, strict=True))
    true = {frozenset(e) for e in zip(names, names[1:], strict=False)}
    for perm in itertools.permutations(names):
        rank = {n: str(perm.index(n)) for n in names}  # every order of content
        chain = chain_of_story(list(perm), tokens, rank, texts=by_name)
        got = {frozenset(e) for e in zip(chain.order, chain.order[1:], strict=False)}
        assert got == true
    # without the characters, some order of content puts the twins the wrong way round
    wrong = 0
    for perm in itertools.permutations(names):
        rank = {n: str(perm.index(n)) for n in names}
        chain = chain_of_story(list(perm), tokens, rank)
        got = {frozenset(e) for e in zip(chain.order, chain.order[1:], strict=False)}
        wrong += got != true
    assert wrong > 0


def test_text_distances_count_characters_inserted_and_deleted() -> None:
    d = text_distances(["abc", "abxc", "abc"])
    assert d[0, 1] == d[1, 0] == 1 and d[0, 2] == 0
    assert np.allclose(d, d.T)


# -- the chain's bootstrap support (issue 13 item 5) ----------------------------------------


def _support_chain(names: list[str], texts: list[str], *, support: bool = True):
    tokens = _tokens(texts, names)
    by_name = dict(zip(names, texts, strict=True))
    rank = {n: hashlib.sha256(by_name[n].encode()).hexdigest() for n in names}
    return chain_of_story(list(names), tokens, rank, texts=by_name, support=support)


def test_a_chain_states_the_bootstrap_support_of_each_place() -> None:
    from lineage.infer.confidence import CHAIN_SUPPORT_REPLICATES

    texts = _history(6, seed=1)
    names = [f"v{k}" for k in range(len(texts))]
    chain = _support_chain(names, texts)
    assert chain.support is not None and set(chain.support) == set(names)
    for doc, got in chain.support.items():
        # shares of the replicates over the document's parents (None: first), at most 1
        assert all(0.0 <= p <= 1.0 + 1e-9 for p in got.values())
        assert sum(got.values()) <= 1.0 + 1e-9
        assert doc not in got
    # the whole support is 1 over the first places and over each link's two readings
    firsts = sum(got.get(None, 0.0) for got in chain.support.values())
    assert firsts == pytest.approx(1.0)
    # a clean history is rebuilt by every replicate: each link is (nearly) certain, up
    # to its direction, which the direction model gives
    order = list(chain.order)
    for parent, child in zip(order, order[1:], strict=False):
        assert chain.support[child].get(parent, 0.0) > 0.5
    assert chain.support[order[0]].get(None, 0.0) > 0.5
    # with support off (or a story too large), nothing is computed
    assert _support_chain(names, texts, support=False).support is None
    assert CHAIN_SUPPORT_REPLICATES >= 20


def test_chain_support_is_the_same_under_other_names_and_input_orders() -> None:
    texts = _history(7, seed=4, cut=0.6)
    a = _support_chain([f"v{k}" for k in range(7)], texts)
    other = [f"doc-{c}" for c in "QZMKRTA"]
    rng = random.Random(9)
    perm = list(range(7))
    rng.shuffle(perm)
    b = _support_chain([other[k] for k in perm], [texts[k] for k in perm])
    rename = {f"v{k}": other[k] for k in range(7)}
    assert a.support is not None and b.support is not None
    for doc, got in a.support.items():
        mapped = {None if p is None else rename[p]: q for p, q in got.items()}
        assert mapped == pytest.approx(b.support[rename[doc]])


def test_analyzed_chains_state_support_with_alternatives_on_its_scale(tmp_path) -> None:
    import lineage
    from lineage.model import Config

    # a history with reverts (A cut and put back), which some redraws order otherwise
    rng = random.Random(3)
    base = [_sentence(rng) for _ in range(6)]
    a_, b_, c_ = (_sentence(rng, 4) for _ in range(3))
    versions = [base, [*base, a_], [*base, a_, b_], [*base[:5], b_], [*base[:5], b_, c_],
                [*base[:4], a_, b_, c_]]  # fmt: skip
    texts = [" ".join(v) for v in versions]
    paths = []
    for k, t in enumerate(texts):
        p = tmp_path / f"r{k}.txt"
        p.write_text(t, encoding="utf-8")
        paths.append(p)
    # off by default (docs/ACCURACY.md)
    a = lineage.analyze([str(tmp_path)], Config(profile="revisions", workers=1, chain_support=True))
    raw = lineage.analyze([str(tmp_path)], Config(profile="revisions", workers=1))
    # no edge changes, only what is stated
    assert [(e.parent, e.child) for e in a.edges] == [(e.parent, e.child) for e in raw.edges]
    assert [o.id for o in a.origins] == [o.id for o in raw.origins]
    assert [e.confidence for e in a.edges] != [e.confidence for e in raw.edges]
    assert len(a.edges) == len(texts) - 1
    assert all(any(x.kind == "chain-order" for x in e.evidence) for e in a.edges)
    assert_no_descendant_alternative(a.edges, tol=0.002)
    assert all(0.0 < e.confidence <= 1.0 for e in a.edges)
