"""Leave-one-source-out: the fit reads only the training sources; rows are scored apart."""

from __future__ import annotations

from conftest import SEEDS

from lineage.evaluation.datasets import Corpus, opaque, seeds_corpus
from lineage.evaluation.loso import Result, Source, fit, headline, leave_one_out
from lineage.evaluation.metrics import Prediction, Truth, score

GRID = [{"profile": "news"}, {"profile": "revisions"}]


def _src(label: str) -> Source:
    c = Corpus(label, (), Truth((), (), (), (), ()))
    return Source(label, c, c)


def _result(f1_edges: int) -> Result:
    # a truth of 2 edges; f1_edges of them predicted
    t = Truth(("a", "b", "c"), (("a", "b"), ("b", "c")), ("a",), (), (("a", "b", "c"),))
    m = score(list(t.edges)[:f1_edges], t)
    return Result(m, Prediction((), (), ()), 0.0)


def test_fit_maximizes_the_mean_over_training_sources_only():
    a, b, c = _src("a"), _src("b"), _src("c")
    key = {"news": '{"profile": "news"}', "revisions": '{"profile": "revisions"}'}
    results = {}
    # a and b prefer news a little; c prefers revisions a lot
    for s, news, rev in ((a, 2, 1), (b, 2, 1), (c, 0, 2)):
        for role in ("train", "test"):
            results[(s.label, role, key["news"])] = _result(news)
            results[(s.label, role, key["revisions"])] = _result(rev)
    assert fit([a, b], GRID, results) == {"profile": "news"}
    # with c: means news (1 + 1 + 0) / 3 < revisions (2/3 + 2/3 + 1) / 3
    assert fit([a, b, c], GRID, results) == {"profile": "revisions"}
    # ties go to the grid's first point
    assert fit([], GRID, results) == {"profile": "news"}


def test_headline_is_asd_for_a_tradition():
    m = _result(2).metrics
    assert headline(m, "syndication") == m.edge_f1 == 1.0
    assert headline(m, "tradition") == 0.0  # no tree in this truth: no ASD


def test_leave_one_out_on_two_real_sources():
    seeds = opaque(seeds_corpus(SEEDS), "t")
    other = opaque(seeds_corpus(SEEDS), "u")
    other = Corpus("seeds again", other.records, other.truth, as_files=True)
    rows = leave_one_out([Source("s", seeds, seeds), Source("t", other, other)], GRID)
    assert [r.label for r in rows] == ["s", "t"]
    for r in rows:
        assert r.left_out.edge_f1 == 1.0  # the seeds' two edges, under any opaque ids
        assert set(r.baselines) == {"MST", "earlier", "longer-is-newer", "NJ"}
        assert r.baselines["NJ"] is None  # neighbour-joining is for traditions
        assert r.gap == 0.0


def test_a_corpus_of_parts_is_also_scored_part_by_part():
    from lineage.evaluation.datasets import concat

    seeds = seeds_corpus(SEEDS)
    # the second part without its last document: its own truth loses that node's edge
    keep = {r["id"] for r in seeds.records[:-1]}
    t = seeds.truth
    part_b = Corpus(
        "seeds minus one",
        tuple(r for r in seeds.records if r["id"] in keep),
        Truth(
            tuple(d for d in t.documents if d in keep),
            tuple(e for e in t.edges if set(e) <= keep),
            tuple(r for r in t.roots if r in keep),
            (),
            tuple(tuple(d for d in s if d in keep) for s in t.stories),
        ),
    )
    both = concat("two", [opaque(seeds, "p"), opaque(part_b, "q")])
    (row,) = leave_one_out([Source("s", both, both)], GRID[:1])
    assert [name for name, _, _ in row.parts] == ["seeds (5 articles)", "seeds minus one"]
    for _, m, base in row.parts:
        assert m.edge_f1 == 1.0 and base["MST"] is not None
    # the pooled row counts both parts' edges
    assert row.left_out.edge_f1 == 1.0
