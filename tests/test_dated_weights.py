"""The dated-candidate weights (round s20dated): they read only edges whose two ends dates
order, and the news profile takes the fitted ones from fitted.json's ``dated`` entry."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from test_infer_fitted import SENTENCES, _doc, _trace

from lineage.infer.weights import APPLY_DATED, FITTED, HAND_SET, PROVENANCE, fitted_dated

T0 = dt.datetime(2025, 3, 1, 6, 0, tzinfo=dt.UTC)


def _dated(doc, hours: float):
    return dataclasses.replace(doc, date=T0 + dt.timedelta(hours=hours))


def _docs(dated: bool):
    # the source holds all five sentences, the excerpt its first three; the child follows
    # the first three, and the regional copy inserted a sentence of its own among them
    own = "Residents of Harrow Fen said the flood was the worst they could remember."
    docs = [
        _doc("source", " ".join(SENTENCES)),
        _doc("excerpt", " ".join(SENTENCES[:3])),
        _doc("regional", " ".join([SENTENCES[0], own, *SENTENCES[1:4]])),
        _doc("child", " ".join(SENTENCES[:3]).replace("Friday", "Saturday")),
        # two more copies of the source: the story is a star, not a chain of versions
        _doc("copy1", " ".join(SENTENCES) + " The council will meet on Thursday to plan repairs."),
        _doc("copy2", " ".join(SENTENCES) + " Insurers opened a hotline for flooded households."),
    ]
    if dated:
        docs = [_dated(d, h) for d, h in zip(docs, (0, 1, 2, 3, 4, 5), strict=True)]
    return docs


def _scores(trace, u, v):
    return {e.kind: e.score for e in trace[(u, v)]}


def test_dated_weights_read_only_edges_that_dates_order():
    w = dataclasses.replace(
        HAND_SET["news"], excerpt_dated=-1.0, separative_dated=1.0, central_parent_dated=0.0
    )
    off = dataclasses.replace(
        HAND_SET["news"], excerpt_dated=0.0, separative_dated=0.0, central_parent_dated=1.0
    )
    undated_on, undated_off = _trace(_docs(False), w), _trace(_docs(False), off)
    # undated: the same records, score for score
    assert {k: sorted(e.score for e in v) for k, v in undated_on.items()} == {
        k: sorted(e.score for e in v) for k, v in undated_off.items()
    }
    dated = _trace(_docs(True), w)
    # the source, of which the earlier excerpt holds the same child words: a shared cut
    assert _scores(dated, "source", "child").get("shared-cut", 0) < 0
    assert "shared-cut" not in _scores(dated, "excerpt", "child")
    # the regional copy's own sentence lies inside the text the child follows
    assert _scores(dated, "regional", "child").get("separative", 0) < 0
    # no centrality prior for a parent on an ordered edge at multiplier 0
    assert "centrality" not in _scores(dated, "source", "child")
    assert "centrality" in _scores(_trace(_docs(True), off), "source", "child")


def test_news_takes_the_fitted_dated_entry():
    fields, note = fitted_dated(FITTED)
    assert fields, "fitted.json has a 'dated' entry (bench/fit.py --dated-weights)"
    assert APPLY_DATED
    for k, v in fields.items():
        assert getattr(HAND_SET["news"], k) == v
    assert note and "dated candidates" in PROVENANCE["news"]
    data = json.loads(FITTED.read_text(encoding="utf-8"))["dated"]
    assert data["command"] == "python bench/fit.py --dated-weights"
    assert all("seed 2026" not in s and "seed 4," not in s for s in data["sources"])


def test_no_dated_entry_gives_no_fields(tmp_path):
    path = tmp_path / "fitted.json"
    path.write_text(json.dumps({"profiles": {}}))
    assert fitted_dated(path) == ({}, None)
