"""Stories: a credit line or a stock phrase does not bridge two stories; partial copies
of one document beside a story change none of its other edges."""

from __future__ import annotations

import hashlib
import re

import pytest
from conftest import SEEDS, seed_id

import lineage
from lineage.model import Pair, Passage
from lineage.stories import MIN_STORY_WORDS, group_stories, story_link

S0, S1, S2, S3, S4 = (seed_id(f"00{i}") for i in range(5))


def _pair(a: str, b: str, *words: int, quoted: int = 0) -> Pair:
    passages = tuple(
        Passage(a, b, 0, 1, 0, 1, w, w, 1.0, False, "x", "x", a_quoted_words=quoted) for w in words
    )
    return Pair(a, b, 0.1, 0.1, 0.1, passages=passages, reused_words=sum(words))


def test_pipeline_name_still_importable():
    from lineage.pipeline import group_stories as old

    assert old is group_stories


def test_one_stock_phrase_does_not_join_two_stories():
    pairs = [
        _pair("a1", "a2", 120),
        _pair("b1", "b2", 90),
        _pair("a2", "b1", 8),  # "age 15 and over can read and write"
    ]
    assert group_stories(["a1", "a2", "b1", "b2"], pairs) == (("a1", "a2"), ("b1", "b2"))


def test_a_shared_quotation_is_not_a_story_link():
    assert not story_link(_pair("a", "b", 40, quoted=40))
    assert story_link(_pair("a", "b", 40, quoted=40 - MIN_STORY_WORDS))


def test_several_short_passages_add_up():
    assert story_link(_pair("a", "b", 8, 8, 8))
    assert not story_link(_pair("a", "b", 8, 8))


def test_grouping_ignores_input_order():
    pairs = [_pair("c", "d", 30), _pair("a", "b", 30), _pair("b", "c", 30), _pair("e", "f", 5)]
    ids = ["f", "e", "d", "c", "b", "a"]
    assert group_stories(ids, pairs) == group_stories(sorted(ids), pairs[::-1])
    assert group_stories(ids, pairs) == (("a", "b", "c", "d"), ("e",), ("f",))


def test_seed_follow_ups_sharing_only_quotes_are_their_own_stories(seeds_analysis):
    stories = {frozenset(s) for s in seeds_analysis.stories}
    assert frozenset((S0, S1, S2)) in stories
    assert frozenset((S3,)) in stories and frozenset((S4,)) in stories


def _seeds_with_prefixes(tmp_path, sizes, *, drop_dates=False):
    for src in sorted(SEEDS.glob("*.txt")):
        text = src.read_text(encoding="utf-8")
        if drop_dates:
            text = re.sub(r"^\s*date \d{4}-\d\d-\d\d ", "", text)
            text = text.replace("May 9, 2019, 6:45 PM\n", "")
        (tmp_path / src.name).write_text(text, encoding="utf-8")
    first = (tmp_path / f"{S1}.txt").read_text(encoding="utf-8")
    names = []
    for n in sizes:  # teasers and scraped pages: the first n characters, their own ids
        name = f"teaser{n}"
        (tmp_path / f"{name}.txt").write_text(first[:n], encoding="utf-8")
        names.append(name)
    return names


@pytest.mark.parametrize("drop_dates", [False, True], ids=["dated", "undated"])
@pytest.mark.parametrize("sizes", [(600,), (1200,), (2000,), (600, 1200, 2000)])
def test_partial_copies_change_none_of_the_seeds_edges(tmp_path, sizes, drop_dates):
    teasers = _seeds_with_prefixes(tmp_path, sizes, drop_dates=drop_dates)
    a = lineage.analyze([tmp_path])
    assert a.profile_choice.profile == "news", a.profile_choice.reason  # teasers: no chain
    edges = {(e.parent, e.child) for e in a.edges}
    others = {(p, c) for p, c in edges if p not in teasers and c not in teasers}
    assert others == {(S1, S0), (S1, S2)}
    # each teaser is placed inside the story, under the document it was cut from or
    # another teaser of it, never as a parent of a full seed
    assert {c for _, c in edges if c in teasers} == set(teasers)
    assert all(p in (S1, *teasers) for p, c in edges if c in teasers)


def test_a_minor_tie_between_two_strong_chains_is_no_story_link():
    # two revision chains of related articles sharing one table (60 words)
    pairs = [
        _pair("a1", "a2", 400),
        _pair("a2", "a3", 500),
        _pair("b1", "b2", 300),
        _pair("a3", "b1", 60),
    ]
    assert group_stories(["a1", "a2", "a3", "b1", "b2"], pairs) == (
        ("a1", "a2", "a3"),
        ("b1", "b2"),
    )


def test_a_teaser_joins_the_story_it_was_cut_from():
    # its only tie is short beside the original's strongest, but it is the teaser's own
    pairs = [_pair("orig", "copy", 800), _pair("orig", "teaser", 40)]
    assert group_stories(["copy", "orig", "teaser"], pairs) == (("copy", "orig", "teaser"),)


@pytest.mark.parametrize("salt", ["a", "b", "c"])
def test_partial_copies_under_opaque_names(tmp_path, salt):
    # ids carry no answer: hashed names for the seeds and the teasers alike
    def name(s: str) -> str:
        return hashlib.sha256(f"{salt}:{s}".encode()).hexdigest()[:12]

    for src in sorted(SEEDS.glob("*.txt")):
        (tmp_path / f"{name(src.stem)}.txt").write_text(src.read_text(encoding="utf-8"))
    first = (SEEDS / f"{S1}.txt").read_text(encoding="utf-8")
    teasers = {name(str(n)) for n in (600, 1200, 2000)}
    for n in (600, 1200, 2000):
        (tmp_path / f"{name(str(n))}.txt").write_text(first[:n], encoding="utf-8")
    a = lineage.analyze([tmp_path])
    others = {
        (e.parent, e.child) for e in a.edges if e.parent not in teasers and e.child not in teasers
    }
    assert others == {(name(S1), name(S0)), (name(S1), name(S2))}
