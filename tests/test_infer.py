"""Each evidence scorer on hand-made cases, then the forest on small corpora."""

from __future__ import annotations

import datetime as dt

import pytest

from lineage.model import Document
from lineage.pipeline import analyze_documents

ORIGINAL = (
    "The river flooded the lower town on Friday night, forcing two hundred families from "
    "their homes. Volunteers filled sandbags along Mill Street until the water reached the "
    "bakery. The mayor opened the school gym as a shelter and asked residents to stay away "
    "from the bridge. Engineers will inspect the old levee on Monday morning, officials said. "
    "Farmers upstream reported losing most of the spring planting to the water."
)
# a rewrite that keeps most sentences and adds its own
REWRITE = (
    "Two hundred families left their homes. The river flooded the lower town on Friday "
    "night. Volunteers filled sandbags along Mill Street until the water reached the bakery. "
    "The mayor opened the school gym as a shelter and asked residents to stay away from the "
    "bridge, a spokesman told River Valley News. Residents said the flood was the worst in "
    "thirty years and that the cleanup would take weeks."
)
# a copy of the rewrite (shares the rewrite's own additions)
COPY_OF_REWRITE = (
    "Volunteers filled sandbags along Mill Street until the water reached the bakery. "
    "Residents said the flood was the worst in thirty years and that the cleanup would "
    "take weeks. More at eleven."
)
INDEPENDENT = (
    "A separate report: heavy rain across the county closed three roads and a school on "
    "Saturday, the weather service said, with more storms expected later in the week."
)


def _doc(i, text, **kw):
    return Document(id=i, text=text, path=f"{i}.txt", **kw)


def _edges(analysis):
    return {(e.parent, e.child) for e in analysis.edges}


def test_dates_orient_edges_and_chain_beats_star():
    docs = [
        _doc("x1", ORIGINAL, outlet="River Valley News", date=dt.datetime(2024, 4, 5, 22)),
        _doc("x2", REWRITE, outlet="Metro Daily", date=dt.datetime(2024, 4, 6, 8)),
        _doc("x3", COPY_OF_REWRITE, outlet="Aggregator", date=dt.datetime(2024, 4, 6, 12)),
        _doc("x4", INDEPENDENT, outlet="County Post", date=dt.datetime(2024, 4, 6, 9)),
    ]
    a = analyze_documents(docs)
    assert _edges(a) == {("x1", "x2"), ("x2", "x3")}  # x3 shares x2's additions: a chain
    origins = {o.id: o for o in a.origins}
    assert origins["x1"].kind == "original" and origins["x4"].kind == "independent"
    e23 = next(e for e in a.edges if e.child == "x3")
    assert any(t.startswith("variants: x3 shares") and "x1 lacks" in t for t in e23.reasons)
    (variant,) = [x for x in e23.evidence if x.kind == "variant"]
    assert variant.sign == "for" and (variant.facts["parent"], variant.facts["other"]) == (
        "x2",
        "x1",
    )


def test_credit_orients_an_undated_pair():
    docs = [
        _doc("a", ORIGINAL, outlet="River Valley News"),
        _doc("b", REWRITE, outlet="Metro Daily"),
    ]
    a = analyze_documents(docs)
    (e,) = a.edges
    assert (e.parent, e.child) == ("a", "b")
    assert any(t.startswith("credit: b credits River Valley News") for t in e.reasons)
    assert any(x.kind == "credit" and x.facts["name"] == "River Valley News" for x in e.evidence)
    # swap ids: the answer follows the evidence, not the names
    docs2 = [
        _doc("b", ORIGINAL, outlet="River Valley News"),
        _doc("a", REWRITE, outlet="Metro Daily"),
    ]
    (e2,) = analyze_documents(docs2).edges
    assert (e2.parent, e2.child) == ("b", "a")


def test_time_is_strong_but_not_absolute():
    # dates say b is older, but b credits a by name: credit and dates conflict
    docs = [
        _doc("a", ORIGINAL, outlet="River Valley News", date=dt.datetime(2024, 4, 6, 9)),
        _doc("b", REWRITE, outlet="Metro Daily", date=dt.datetime(2024, 4, 6, 7, 0)),
    ]
    (e,) = analyze_documents(docs).edges
    assert (e.parent, e.child) == (
        "a",
        "b",
    )  # two hours of clock skew do not outweigh a credit by name
    undated = [
        _doc("a", ORIGINAL, outlet="River Valley News"),
        _doc("b", REWRITE, outlet="Metro Daily"),
    ]
    (e0,) = analyze_documents(undated).edges
    assert e.confidence < e0.confidence  # the conflict lowers the confidence
    assert any("against, time" in t for t in e.reasons)
    assert [x.sign for x in e.evidence if x.kind == "time"] == ["against"]
    # what speaks for the edge is listed first, what speaks against it after
    signs = [x.sign for x in e.evidence]
    assert signs == sorted(signs, key=lambda g: g == "against")
    # without the credit, a day the other way decides
    docs = [
        _doc("a", ORIGINAL, outlet="Other Outlet", date=dt.datetime(2024, 4, 6, 9)),
        _doc("b", REWRITE, outlet="Metro Daily", date=dt.datetime(2024, 4, 5, 9)),
    ]
    (e,) = analyze_documents(docs).edges
    assert (e.parent, e.child) == ("b", "a")


def test_dateline_of_another_outlet_marks_a_republished_copy():
    body = ORIGINAL
    docs = [
        _doc("p", "RIVERTON (WRVN) -- " + body, outlet="WRVN", dateline_outlet="WRVN"),
        _doc(
            "c",
            "RIVERTON (WRVN) -- " + body + " Share this story.",
            outlet="Big Network",
            host_outlet="Big Network",
            dateline_outlet="WRVN",
        ),
    ]
    (e,) = analyze_documents(docs).edges
    assert (e.parent, e.child) == ("p", "c")
    assert any(t.startswith("dateline: c is a Big Network page") for t in e.reasons)


def test_shared_quotations_alone_leave_documents_independent():
    quote = (
        '"We have never seen water this high in my lifetime, and I have lived here '
        'seventy years," said Ann Lee.'
    )
    docs = [
        _doc("r1", "Reporter one wrote a long story about the dam and the town.\n" + quote),
        _doc("r2", "Another paper sent its own reporter to the levee on Sunday.\n" + quote),
    ]
    a = analyze_documents(docs)
    assert a.edges == ()
    assert {o.kind for o in a.origins} == {"independent"}
    assert len(a.pairs) == 1 and a.pairs[0].passages[0].quoted


def test_every_document_has_exactly_one_parent_or_origin():
    docs = [
        _doc("x1", ORIGINAL),
        _doc("x2", REWRITE),
        _doc("x3", COPY_OF_REWRITE),
        _doc("x4", INDEPENDENT),
    ]
    a = analyze_documents(docs)
    children = [e.child for e in a.edges]
    assert len(children) == len(set(children))
    assert set(children) | {o.id for o in a.origins} == {d.id for d in docs}
    assert not set(children) & {o.id for o in a.origins}
    for e in a.edges:
        assert 0 <= e.confidence <= 1 and e.evidence
        assert all(0 <= alt.confidence <= 1 for alt in e.alternatives)


# -- each scorer on its own ------------------------------------------------------

from lineage import infer  # noqa: E402
from lineage.boilerplate import mark_boilerplate  # noqa: E402
from lineage.signals import find_credits, name_key  # noqa: E402
from lineage.text import tokenize  # noqa: E402


def _child(doc, known=frozenset()):
    return infer.features_of(doc, known_outlets=known)


def _says(ev):
    return infer.render(ev)


def _total(evs):
    return sum(e.score for e in evs)


def test_time_scorer_penalizes_only_the_impossible_direction():
    early = _doc("e", "x", date=dt.datetime(2024, 1, 1, 8))
    late = _doc("l", "x", date=dt.datetime(2024, 1, 2, 8))
    fwd, back = infer.time_evidence(early, late), infer.time_evidence(late, early)
    # the possible direction carries only a prior (a day's delay); the other is ruled out
    assert -1 < _total(fwd) < 1 and _total(back) < -5
    assert back[0].sign == "against" and fwd[0].sign == "for"
    assert "against, time" in _says(back[0]) and "against" not in _says(fwd[0])
    assert infer.time_evidence(early, _doc("u", "x")) == []  # a missing date says nothing


def test_a_day_only_date_orders_only_against_other_days():
    # "2024-01-01" covers the whole day: 08:00 that day is neither before nor after it
    day = _doc("d", "x", date=dt.datetime(2024, 1, 1), day_only=True)
    morning = _doc("m", "x", date=dt.datetime(2024, 1, 1, 8))
    eve = _doc("e", "x", date=dt.datetime(2023, 12, 31, 18))
    assert infer.hours_between(day, morning) == 0 == infer.hours_between(morning, day)
    assert infer.time_evidence(morning, day) == [] == infer.time_evidence(day, morning)
    # against the evening before, the gap runs to the middle of the day
    assert infer.hours_between(eve, day) == 18.0
    assert infer.hours_between(day, eve) == -18.0
    assert _total(infer.time_evidence(day, eve)) < -5  # the day is surely after the evening
    # two whole days: a day apart; the same day: no order
    next_day = _doc("n", "x", date=dt.datetime(2024, 1, 2), day_only=True)
    assert infer.hours_between(day, next_day) == 24.0
    same_day = _doc("s", "x", date=dt.datetime(2024, 1, 1), day_only=True)
    assert infer.hours_between(day, same_day) == 0
    # timed dates keep their exact order
    assert infer.hours_between(eve, morning) == 14.0
    assert infer.hours_between(morning, _doc("u", "x")) is None


def test_among_equal_copies_the_recent_one_is_the_likelier_source():
    # o is the original; a and b are word-for-word copies of it, so all three explain
    # the child c equally well; c was published 1 h after b and 4 h after a
    t0 = dt.datetime(2024, 4, 5, 8)
    docs = [
        _doc("o", ORIGINAL, outlet="River Valley News", date=t0),
        _doc("a", ORIGINAL, outlet="Metro Daily", date=t0 + dt.timedelta(hours=2)),
        _doc("b", ORIGINAL, outlet="County Post", date=t0 + dt.timedelta(hours=5)),
        _doc("c", ORIGINAL, outlet="Aggregator", date=t0 + dt.timedelta(hours=6)),
    ]
    w = infer.Weights()
    fresh = infer.time_evidence(docs[2], docs[3], w=w)
    stale = infer.time_evidence(docs[1], docs[3], w=w)
    assert _total(fresh) > _total(stale)
    # the story's original is the most copied: within hours it stays every equal copy's
    # likeliest source
    original = infer.time_evidence(docs[0], docs[3], w=w, first=True)
    assert _total(original) > _total(fresh)
    assert {e.child: e.parent for e in analyze_documents(docs).edges} == {
        "a": "o",
        "b": "o",
        "c": "o",
    }
    # ... but a day and a half on, the copy out an hour before is the likelier source
    late = _doc("d", ORIGINAL, outlet="Aggregator", date=t0 + dt.timedelta(hours=36))
    recent = _doc("r", ORIGINAL, outlet="County Post", date=t0 + dt.timedelta(hours=35))
    assert _total(infer.time_evidence(recent, late, w=w)) > _total(
        infer.time_evidence(docs[0], late, w=w, first=True)
    )
    edges = analyze_documents([*docs[:3], recent, late]).edges
    assert {e.child: e.parent for e in edges}["d"] == "r"
    # after two days, older says nothing more
    week = _doc("w", ORIGINAL, date=t0 + dt.timedelta(days=7))
    month = _doc("m", ORIGINAL, date=t0 + dt.timedelta(days=30))
    assert _total(infer.time_evidence(docs[0], week)) == _total(infer.time_evidence(docs[0], month))


def test_an_own_dateline_is_house_style_not_shared_text():
    text = "Northgate Journal\n\nDUBLIN (Northgate Journal) - " + ORIGINAL
    # the dateline's place is found with the chrome, the text stage every analysis runs
    (own,) = mark_boilerplate(
        [_doc("n", text, outlet="Northgate Journal", dateline_outlet="Northgate Journal")]
    )
    mask = infer.own_dateline_mask(own, tokenize(text))
    words = [w for w, m in zip(tokenize(text).words, mask, strict=True) if m]
    assert words == ["dublin", "northgate", "journal"]
    # a dateline naming another outlet is copied text: it stays
    (kept,) = mark_boilerplate(
        [_doc("k", text, outlet="Metro Daily", dateline_outlet="Northgate Journal")]
    )
    assert kept.dateline_span is not None
    assert infer.own_dateline_mask(kept, tokenize(text)) is None


def test_dateline_scorer_points_at_the_named_outlet():
    origin = _doc("o", "x", outlet="WRVN", dateline_outlet="WRVN")
    copy = _doc("c", "x", outlet="Big Network", host_outlet="Big Network", dateline_outlet="WRVN")
    other = _doc("n", "x", outlet="Other Paper")
    full = infer.Weights().dateline
    assert _total(infer.dateline_evidence(origin, copy)) == pytest.approx(full)
    assert _total(infer.dateline_evidence(copy, origin)) == pytest.approx(-full)
    assert infer.dateline_evidence(other, copy) == []
    inherited = infer.dateline_evidence(origin, copy, inherited_from="z")
    assert 0 <= _total(inherited) < _total(infer.dateline_evidence(origin, copy))
    # the origin carrying Big Network's dateline would argue against Big Network's page
    # being its parent -- unless Big Network has another page it may have come from
    assert _total(infer.dateline_evidence(copy, origin, other_page="b2")) == 0


def test_credit_scorer_names_the_parent_and_weakens_inherited_credits():
    parent = _doc("p", "x", outlet="River Valley News")
    sibling = _doc("s", "x", outlet="Metro Daily")
    child = _child(_doc("c", "The mayor spoke, a spokesman told River Valley News on Monday."))
    assert _total(infer.credit_evidence(parent, child)) > 2
    unmatched = infer.credit_evidence(sibling, child)
    assert _total(unmatched) == 0 and "reuses another outlet's reporting" in _says(unmatched[0])
    # a page that only carries the credited outlet's dateline is not that outlet's page:
    # the credit names the outlet's own page as the source, not a copy of it
    carrier = _doc("k", "x", outlet="Metro Daily", dateline_outlet="River Valley News")
    assert _total(infer.credit_evidence(carrier, child)) == 0
    inherited = infer.credit_evidence(parent, child, inherited_from={child.credits[0].start: "q"})
    assert _total(inherited) < _total(infer.credit_evidence(parent, child))
    # both dated, an inherited credit keeps inherited_credit of its weight; undated, less
    w = infer.Weights()
    day = dt.datetime(2024, 4, 5)
    dated_p = _doc("p", "x", outlet="River Valley News", date=day)
    dated_c = _child(_doc("c", child.doc.text, date=day + dt.timedelta(hours=3)))
    dated = infer.credit_evidence(dated_p, dated_c, inherited_from={child.credits[0].start: "q"})
    assert _total(dated) == pytest.approx(w.credit * w.inherited_credit)
    assert _total(inherited) == pytest.approx(w.credit * w.inherited_credit_undated)
    # the parent credits the child's outlet: against, unless the outlet has another page
    crediting = _child(_doc("p2", "Quiet day, a spokesman told Metro Daily on Monday."))
    metro = _doc("m", "x", outlet="Metro Daily")
    against = infer.credit_evidence(crediting.doc, _child(metro), crediting.credits)
    assert _total(against) < 0 and "against, credit" in _says(against[-1])
    assert (
        _total(
            infer.credit_evidence(crediting.doc, _child(metro), crediting.credits, other_page="m2")
        )
        == 0
    )


def test_a_shared_credit_worded_against_the_outlets_house_style_counts_nothing():
    # Metro Daily words its own credits "according to X": a shared "told River Valley
    # News" came with the text of the copy that shares it
    parent = _doc("p", "x", outlet="River Valley News")
    text = "The mayor spoke, a spokesman told River Valley News on Monday."
    w = infer.Weights()
    for house, weight in [
        (None, w.inherited_credit_undated),  # the outlet's own credits are not known
        (frozenset({"told"}), w.inherited_credit_undated),
        (frozenset({"according to"}), w.inherited_credit_off_style),
    ]:
        child = _child(_doc("c", text, outlet="Metro Daily"))
        child.house = house
        ev = infer.credit_evidence(parent, child, inherited_from={child.credits[0].start: "q"})
        assert _total(ev) == pytest.approx(w.credit * weight), house
        assert ("does not word its own" in _says(ev[0])) == (house == {"according to"})
    # an unshared credit is the page's own, whatever the wording
    child = _child(_doc("c", text, outlet="Metro Daily"))
    child.house = frozenset({"according to"})
    assert _total(infer.credit_evidence(parent, child)) == pytest.approx(w.credit)


def test_house_styles_learn_from_credits_no_other_copy_carries():
    docs = {
        "a": _doc("a", "x. A spokesman told River Valley News so.", outlet="Metro Daily"),
        # the same credit in two pages of one story: either may have it from the other
        "b": _doc("b", "y. It fell, according to Big Network.", outlet="Metro Daily"),
        "c": _doc("c", "z. It fell, according to Big Network.", outlet="The Aggregator"),
        "d": _doc("d", "w. Snow (via Big Network)", outlet="The Aggregator"),
    }
    credits = {i: find_credits(d.text) for i, d in docs.items()}
    styles = infer.house_styles([("a", "b", "c"), ("d",)], docs, credits)
    assert styles == {
        name_key("Metro Daily"): frozenset({"told"}),
        name_key("The Aggregator"): frozenset({"via"}),
    }


def test_a_short_credit_line_shared_with_a_copy_counts_as_inherited():
    # "First reported by X." is too short to lie in an aligned passage; a copy that
    # carries the same line may have passed it on, so it says little about X's page
    # being the child's own parent
    body = ORIGINAL + " " + INDEPENDENT
    credit = "First reported by River Valley News."
    # two copies, each with its own house line (longer than an alignment gap) before it
    house = {
        "Metro Daily": "Metro Daily readers can sign up for alerts on their phones, free.",
        "Aggregator": "The Aggregator brings you every story first, from hundreds of sources.",
    }
    docs = [_doc("g", body, outlet="River Valley News", date=dt.datetime(2024, 4, 6, 8))]
    for hour, (i, outlet) in enumerate([("p", "Metro Daily"), ("c", "Aggregator")], 9):
        text = f"{body}\n\n{house[outlet]}\n\n{credit}"
        docs.append(_doc(i, text, outlet=outlet, date=dt.datetime(2024, 4, 6, hour)))
    a = analyze_documents(docs)
    trace: dict = {}
    tokens = {d.id: tokenize(d.text) for d in a.documents}
    infer.infer_lineage(a.documents, a.pairs, a.stories, tokens=tokens, trace=trace)
    kinds = {e.kind for e in trace[("g", "c")]}
    assert "credit-inherited" in kinds and "credit" not in kinds
    c_side = [
        x.a_text if q.a == "c" else x.b_text
        for q in a.pairs
        if "c" in (q.a, q.b)
        for x in q.passages
    ]
    assert c_side and not any("First reported" in t for t in c_side)  # in no passage


def test_title_scorer_prefers_the_same_headline():
    a = _doc("a", "x", title="Flood forces 200 families from homes")
    b = _doc("b", "x", title="UPDATE: Flood forces 200 families from homes")
    c = _doc("c", "x", title="Flood forces 200 families from homes")
    assert _total(infer.title_evidence(a, c)) > _total(infer.title_evidence(b, c)) > 0
    assert infer.title_evidence(_doc("n", "x"), c) == []


def test_a_headline_ending_with_the_parents_outlet_name_credits_it():
    parent = _doc("p", "x", outlet="River Valley News", title="Flood forces families out")
    other = _doc("o", "x", outlet="Big Network", title="Flood forces families out")
    child = _doc(
        "c", "x", outlet="Metro Daily", title="Flood forces families out - River Valley News"
    )
    credit = [e for e in infer.title_evidence(parent, child) if e.kind == "title-credit"]
    assert credit and "River Valley News" in _says(credit[0])
    assert not [e for e in infer.title_evidence(other, child) if e.kind == "title-credit"]
    # a headline ending with the page's own name credits nobody
    own = _doc("m", "x", outlet="River Valley News", title="Flood forces families out - RVN")
    mine = _doc("n", "x", outlet="RVN", title="Flood forces families out - RVN")
    assert not [e for e in infer.title_evidence(own, mine) if e.kind == "title-credit"]


def test_origin_scorer_counts_credits_and_foreign_datelines_against():
    plain = _child(_doc("o", ORIGINAL, outlet="River Valley News"))
    credited = _child(_doc("c", REWRITE, outlet="Metro Daily"))
    foreign = _child(_doc("f", ORIGINAL, outlet="Big Network", dateline_outlet="WRVN"))
    base = _total(infer.origin_evidence(plain))
    assert _total(infer.origin_evidence(credited)) < base
    assert _total(infer.origin_evidence(foreign)) < base


def test_trace_exposes_every_scored_candidate():
    docs = [_doc("x1", ORIGINAL), _doc("x2", REWRITE), _doc("x3", COPY_OF_REWRITE)]
    a = analyze_documents(docs)
    trace: dict = {}
    tokens = {d.id: tokenize(d.text) for d in a.documents}
    infer.infer_lineage(a.documents, a.pairs, a.stories, tokens=tokens, trace=trace)
    assert (infer.ROOT, "x1") in trace and ("x1", "x2") in trace and ("x2", "x1") in trace


def test_profiles_are_named_and_an_unknown_name_is_refused():
    import dataclasses

    from lineage.infer.weights import fitted_dated, fitted_inner
    from lineage.model import Config

    # the news profile: the defaults with the fitted entries weights.py applies
    fitted = {**fitted_dated()[0], **fitted_inner()[0]}
    assert infer.Weights.for_profile("news") == dataclasses.replace(infer.Weights(), **fitted)
    assert infer.Weights.for_profile("revisions").containment < 0  # longer is later
    with pytest.raises(ValueError, match="news, revisions"):
        infer.Weights.for_profile("wire")
    with pytest.raises(ValueError, match="unknown profile 'wire'"):
        analyze_documents([_doc("a", ORIGINAL)], Config(profile="wire"))


def test_missing_runs_count_cuts_not_words():
    import numpy as np

    m = np.array  # parent words the child holds; content: not boilerplate
    keep = m([1, 1, 0, 0, 0, 1, 0, 1, 0, 0], dtype=bool)
    content = m([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], dtype=bool)
    assert infer.missing_runs(keep, content) == 3  # one 3-word cut, one word, a tail
    # a boilerplate word inside a cut does not split it in two
    keep2 = m([1, 0, 1, 0, 1], dtype=bool)
    content2 = m([1, 1, 0, 1, 1], dtype=bool)
    assert infer.missing_runs(keep2, content2) == 1
    assert infer.missing_runs(np.ones(4, dtype=bool), np.ones(4, dtype=bool)) == 0


def test_held_figures_are_the_missing_runs_and_the_inner_missing_words():
    # one pass over mask[content] gives what the reuse and inner-edits scorers read
    import numpy as np

    from lineage.infer.features import held_figures

    rng = np.random.default_rng(5)
    for n in range(1, 30):
        for _ in range(20):
            mask, content = rng.random(n) < 0.6, rng.random(n) < 0.8
            held = mask[content]
            idx = np.flatnonzero(held)
            inner = int((~held[idx[0] : idx[-1] + 1]).sum()) if len(idx) >= 2 else 0
            assert held_figures(mask, content) == (infer.missing_runs(mask, content), inner)
    keep = np.array([0, 1, 0, 0, 1, 1, 0], dtype=bool)  # held words 1, 4, 5: 2 inside
    assert held_figures(keep, np.ones(7, dtype=bool)) == (3, 2)


def test_a_story_split_over_workers_gives_the_serial_forest(monkeypatch):
    # a story above split_docs has its credits, word masks and edge scores computed by
    # two workers; the forest and every edge's evidence must be the serial ones
    from lineage.evaluation.simulate import simulate
    from lineage.model import Config

    corpus = simulate(stories=6, seed=3, independents=0)
    docs = [
        _doc(d.id, d.text, outlet=d.outlet, title=d.title, date=d.date) for d in corpus.documents
    ]
    seen: dict = {}
    real = infer.infer_lineage

    def spy(docs, pairs, stories, **kw):
        seen.update(docs=docs, pairs=pairs, stories=stories, tokens=kw["tokens"])
        return real(docs, pairs, stories, **kw)

    monkeypatch.setattr(infer, "infer_lineage", spy)
    serial = analyze_documents(docs, Config(workers=1))
    monkeypatch.setattr(infer, "infer_lineage", lambda *a, **kw: real(*a, **kw, split_docs=2))
    split = analyze_documents(docs, Config(workers=2))
    assert split.edges == serial.edges and split.origins == serial.origins
    assert len(serial.edges) >= 10
    # the trace holds every candidate edge's evidence, the chosen edges' as reported
    trace: dict = {}
    real(seen["docs"], seen["pairs"], seen["stories"], tokens=seen["tokens"], trace=trace)
    for e in serial.edges:
        texts = {x.text for x in trace[(e.parent, e.child)] if x.text}
        assert texts <= set(e.reasons) and texts
    assert len(trace) > len(serial.edges) + len(serial.origins)


# -- confidence: marginal probabilities over the story's forests ---------------------


def _brute_marginals(docs, scores, root):
    """Each edge's probability by enumerating every forest (every acyclic choice of one
    parent per document), each weighted by exp(sum of its edges' scores)."""
    import itertools
    import math

    options = [[u for (u, v) in scores if v == d] for d in docs]
    total, marg = 0.0, dict.fromkeys(scores, 0.0)
    for choice in itertools.product(*options):
        parent = dict(zip(docs, choice, strict=True))

        def reaches_root(x, parent=parent):
            seen = set()
            while x != root:
                if x in seen:
                    return False
                seen.add(x)
                x = parent[x]
            return True

        if not all(reaches_root(d) for d in docs):
            continue
        weight = math.exp(sum(scores[(parent[d], d)] for d in docs))
        total += weight
        for d in docs:
            marg[(parent[d], d)] += weight
    return {k: v / total for k, v in marg.items()}


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("spread", [12, 80])
def test_edge_marginals_match_enumerating_every_forest(seed, spread):
    # spread 80: near-copies linked far more strongly to each other than to the root,
    # where the floating-point inverse loses every digit
    import random

    from lineage.infer.confidence import edge_marginals

    rng = random.Random(seed)
    docs = [f"d{k}" for k in range(rng.randint(1, 5))]
    scores = {("R", d): rng.uniform(-5, 5) for d in docs}
    for u in docs:
        for v in docs:
            if u != v and rng.random() < 0.7:
                scores[(u, v)] = rng.uniform(-spread, spread)
    exact = _brute_marginals(docs, scores, "R")
    fast = edge_marginals(docs, scores, root="R")
    assert fast.keys() == exact.keys()
    for k in exact:
        assert fast[k] == pytest.approx(exact[k], abs=1e-9)
    # one parent each: a document's incoming marginals sum to one
    for d in docs:
        assert sum(p for (u, v), p in fast.items() if v == d) == pytest.approx(1.0)


def test_confidences_are_probabilities_and_no_alternative_is_a_descendant():
    from lineage.evaluation.simulate import simulate

    corpus = simulate(stories=6, seed=3, dates="none", independents=1)
    docs = [
        _doc(d.id, d.text, outlet=d.outlet, title=d.title, date=d.date) for d in corpus.documents
    ]
    a = analyze_documents(docs)
    parent = {e.child: e.parent for e in a.edges}

    def ancestors(x):
        while x in parent:
            x = parent[x]
            yield x

    assert len(a.edges) >= 10
    for e in a.edges:
        # the edge and its alternatives share one scale: together at most one
        assert e.confidence + sum(x.confidence for x in e.alternatives) <= 1.0 + 0.01
        for alt in e.alternatives:
            assert e.child not in set(ancestors(alt.parent))  # alt is no descendant of child


def test_edge_marginals_give_up_rather_than_return_nan():
    from lineage.infer.confidence import edge_marginals

    # weights e^-2000 apart underflow every way out of the tight pair: the caller is told
    # to approximate, never handed NaN
    docs = ["a", "b", "c"]
    scores = {("R", "a"): 0.0, ("R", "b"): 0.0, ("R", "c"): 0.0}
    scores |= {("a", "b"): 2000.0, ("b", "a"): 2000.0, ("a", "c"): 900.0, ("c", "a"): -900.0}
    m = edge_marginals(docs, scores, root="R")
    assert m is None or all(0.0 <= p <= 1.0 for p in m.values())
