"""The inner-edits evidence (round s21skel): the words each of two documents lacks inside
the stretch of the other it follows. Symmetric by construction, free for a trimmed end,
and the news profile takes the fitted weight from fitted.json's ``inner`` entry."""

from __future__ import annotations

import dataclasses
import json

from test_dated_weights import _docs
from test_infer_fitted import _trace

from lineage.infer.weights import APPLY_INNER, FITTED, HAND_SET, PROVENANCE, fitted_inner


def _inner(trace, u, v) -> float:
    return sum(e.score for e in trace[(u, v)] if e.kind == "inner-edits")


def test_inner_edits_are_the_same_both_ways_and_free_for_a_trimmed_end():
    trace = _trace(_docs(False), dataclasses.replace(HAND_SET["news"], inner_edits=0.01))
    pairs = [k for k in trace if k[0] in {d.id for d in _docs(False)}]
    assert pairs
    for u, v in pairs:
        assert _inner(trace, u, v) == _inner(trace, v, u)
    # the excerpt is the source's first three sentences: a cut end, no edit inside
    assert _inner(trace, "source", "excerpt") == 0
    # the regional copy inserted a sentence inside the text the child follows; the child
    # changed one word of the source
    assert _inner(trace, "regional", "child") < _inner(trace, "source", "child") < 0
    off = _trace(_docs(False), dataclasses.replace(HAND_SET["news"], inner_edits=0.0))
    assert not any(e.kind == "inner-edits" for v in off.values() for e in v)


def test_news_takes_the_fitted_inner_entry():
    fields, note = fitted_inner(FITTED)
    assert fields, "fitted.json has an 'inner' entry (bench/fit.py --inner)"
    assert APPLY_INNER
    for k, v in fields.items():
        assert getattr(HAND_SET["news"], k) == v
    assert HAND_SET["revisions"].inner_edits == 0
    assert note and "inner edits" in PROVENANCE["news"]
    data = json.loads(FITTED.read_text(encoding="utf-8"))["inner"]
    assert data["command"] == "python bench/fit.py --inner"
    # chosen on training corpora only: no held-out seed (simulator 2026/2027, wire 2/4)
    assert all(
        "seed 2026" not in s and "seed 2027" not in s and "seed 2," not in s and "seed 4," not in s
        for s in data["sources"]
    )


def test_no_inner_entry_gives_no_fields(tmp_path):
    path = tmp_path / "fitted.json"
    path.write_text(json.dumps({"profiles": {}}))
    assert fitted_inner(path) == ({}, None)
