"""The fitted weights: the file bench/fit.py writes, how weights.py reads it, and the
superset evidence the fit weighs."""

from __future__ import annotations

import dataclasses
import json

from lineage.infer import Weights, infer_lineage
from lineage.infer.weights import FITTED, FITTED_PROFILES, PROFILES, PROVENANCE, fitted_profiles
from lineage.model import Document, Evidence
from lineage.pipeline import analyze_documents, group_stories
from lineage.text import tokenize

SENTENCES = [
    "The river flooded the lower town on Friday night, forcing two hundred families from "
    "their homes.",
    "Volunteers filled sandbags along Mill Street until the water reached the bakery.",
    "The mayor opened the school gym as a shelter and asked residents to stay away from "
    "the bridge.",
    "Engineers will inspect the old levee on Monday morning, officials said.",
    "Farmers upstream reported losing most of the spring planting to the water.",
]


def _doc(i: str, text: str) -> Document:
    return Document(id=i, text=text, path=f"{i}.txt")


def test_weigh_scales_each_kind_and_leaves_the_others():
    recs = [Evidence("reuse", 10.0, "for", {}), Evidence("time", -2.0, "against", {})]
    assert Weights().weigh(recs) == 8.0
    w = Weights(kind_scale=(("reuse", 0.5),))
    assert w.weigh(recs) == 3.0


def test_a_fitted_file_gives_profiles_with_provenance(tmp_path):
    path = tmp_path / "fitted.json"
    path.write_text(
        json.dumps(
            {
                "date": "2026-12-01",
                "profiles": {
                    "x": {
                        "base": "revisions",
                        "sources": ["a", "b"],
                        "kind_scale": {"reuse": 0.25},
                        "fields": {"superset": 1.0, "temperature": 2.0},
                    }
                },
            }
        )
    )
    profiles, notes = fitted_profiles(path)
    w = profiles["x"]
    assert w.kind_scale == (("reuse", 0.25),) and w.superset == 1.0 and w.temperature == 2.0
    assert w.containment == PROFILES["revisions"].containment  # the rest is the base's
    assert "a, b" in notes["x"] and "2026-12-01" in notes["x"]
    assert fitted_profiles(tmp_path / "absent.json") == ({}, {})


def test_the_shipped_fit_is_read_with_its_sources():
    if not FITTED.is_file():
        return
    data = json.loads(FITTED.read_text())
    for name, fit in data["profiles"].items():
        assert name in FITTED_PROFILES and name not in PROFILES and fit["sources"]
        assert Weights.for_profile(name) == FITTED_PROFILES[name]
        assert all(s in PROVENANCE[name] for s in fit["sources"])


def _trace(docs: list[Document], w: Weights):
    analysis = analyze_documents(docs)
    ids = sorted({x for p in analysis.pairs for x in (p.a, p.b)})
    kept = [d for d in analysis.documents if d.id in ids]
    tokens = {d.id: tokenize(d.text, boilerplate=d.boilerplate) for d in kept}
    trace: dict = {}
    infer_lineage(
        kept,
        analysis.pairs,
        group_stories(ids, analysis.pairs),
        tokens=tokens,
        weights=w,
        trace=trace,
    )
    return trace


def test_the_superset_of_what_another_candidate_shares_with_the_child_gains():
    # full holds all the child shares with part, and more: the likelier source of the two
    docs = [
        _doc("full", " ".join(SENTENCES)),
        _doc("part", " ".join(SENTENCES[:2])),
        _doc("child", " ".join(SENTENCES[:4])),
    ]
    trace = _trace(docs, dataclasses.replace(Weights(), superset=1.0))

    def kinds(u: str, v: str) -> list[str]:
        return [e.kind for e in trace[(u, v)]]

    assert "superset" in kinds("full", "child")
    assert "superset" not in kinds("part", "child")
    # off in the hand-set profile: no record, no score
    trace = _trace(docs, Weights())
    assert "superset" not in kinds("full", "child")


def test_the_separative_fit_is_offered_with_its_provenance(tmp_path):
    from lineage.infer.weights import APPLY_SEPARATIVE, HAND_SET, fitted_separative

    path = tmp_path / "fitted.json"
    entry = {"fields": {"separative": 1.0, "separate_child": 1, "separate_parent": 2},
             "sources": ["a. simulator", "b. wire generator"], "date": "2026-12-02"}  # fmt: skip
    path.write_text(json.dumps({"separative": entry}))
    fields, note = fitted_separative(path)
    assert fields == entry["fields"] and note is not None
    assert "b. wire generator" in note and "2026-12-02" in note
    assert fitted_separative(tmp_path / "absent.json") == ({}, None)
    shipped = json.loads(FITTED.read_text()).get("separative") if FITTED.is_file() else None
    if shipped is None:
        return
    w = Weights.for_profile("news" if APPLY_SEPARATIVE else "news-separative")
    assert w.separative == shipped["fields"]["separative"]
    assert w.separate_parent == shipped["fields"]["separate_parent"]
    if not APPLY_SEPARATIVE:  # the default path keeps the hand-set news weights
        assert PROFILES["news"] == HAND_SET["news"] and PROFILES["news"].separative == 0.0
        assert all(s in PROVENANCE["news-separative"] for s in shipped["sources"])


def test_a_negative_excerpt_weight_takes_the_excerpt_that_stops_where_the_child_stops():
    # full and part hold the same words of the child, and part is an excerpt of full
    # (full has two sentences more that neither part nor the child has): with the excerpt
    # case weighed negative, full's edge to the child pays and part is the source
    own = "A spokesman for the county said the bridge would stay shut until the weekend."
    docs = [
        _doc("full", " ".join(SENTENCES)),
        _doc("part", " ".join(SENTENCES[:3])),
        _doc("child", " ".join([*SENTENCES[:3], own])),
    ]
    w = dataclasses.replace(Weights(), superset_excerpt=-0.5)
    trace = _trace(docs, w)
    (rec,) = [e for e in trace[("full", "child")] if e.kind == "superset-excerpt"]
    # a negative weight makes the record one against the edge, and it reads so
    assert rec.score < 0 and rec.sign == "against"
    assert not [e for e in trace[("part", "child")] if e.kind == "superset-excerpt"]
    analysis = analyze_documents(docs)
    ids = sorted({x for p in analysis.pairs for x in (p.a, p.b)})
    kept = [d for d in analysis.documents if d.id in ids]
    tokens = {d.id: tokenize(d.text, boilerplate=d.boilerplate) for d in kept}
    edges, _ = infer_lineage(
        kept, analysis.pairs, group_stories(ids, analysis.pairs), tokens=tokens, weights=w
    )
    assert {e.child: e.parent for e in edges}["child"] == "part"


def test_the_shipped_excerpt_profile_is_news_with_its_fitted_fields():
    shipped = json.loads(FITTED.read_text()).get("profiles", {}) if FITTED.is_file() else {}
    fit = shipped.get("news-excerpt")
    if fit is None:
        return
    w = Weights.for_profile("news-excerpt")
    assert w == dataclasses.replace(PROFILES["news"], **fit["fields"])
    assert "news-excerpt" not in PROFILES  # offered, not a default
