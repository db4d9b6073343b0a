"""The confidence calibration (issue 13 item 5): a monotone map after the marginals,
fitted by bench/calibrate.py, that changes confidences and never an edge."""

from __future__ import annotations

import datetime as dt
import json
import math
import random

import pytest
from conftest import SEEDS, assert_no_descendant_alternative

import lineage
from lineage.infer.confidence import (
    CALIBRATION_FILE,
    FEATURES,
    Calibration,
    calibrate,
    load_calibration,
)
from lineage.model import Alternative, Document, Edge, Origin


def _maps() -> dict[str, Calibration]:
    names = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))["maps"]
    out = {}
    for n, m in names.items():
        cal = load_calibration(n)
        assert (cal is None) == bool(m.get("identity")), n  # the identity: raw marginals
        if cal is not None:
            out[n] = cal
    return out


def _features(rng: random.Random) -> dict[str, float]:
    origin = rng.random() < 0.3
    return {
        "origin": float(origin),
        "log_size": rng.uniform(0.69, 7.0),
        "dated": float(rng.random() < 0.5),
        "dated_share": rng.random(),
        "runner_up": 0.0 if origin else rng.random(),
        "log_alts": 0.0 if origin else rng.uniform(0.0, 3.0),
        "lost": float(rng.random() < 0.1),
        "second": float(rng.random() < 0.1),
        "log_words": 0.0 if origin else rng.uniform(0.0, 8.0),
        "share": 0.0 if origin else rng.random(),
    }


def test_every_shipped_map_is_monotone_in_the_marginal_and_stays_in_0_1():
    rng = random.Random(13)
    grid = [0.0, 1e-9, 1e-4, *(k / 200 for k in range(1, 200)), 1 - 1e-4, 1.0]
    maps = _maps()
    assert "fitted" in json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))["maps"]
    for name, cal in maps.items():
        for _ in range(200):
            f = cal.mapper(_features(rng))
            ys = [f(p) for p in grid]
            assert all(0.0 <= y <= 1.0 for y in ys), name
            assert all(a <= b for a, b in zip(ys, ys[1:], strict=False)), name  # never reorders
            # never across one half: a true tie still says at most 0.5
            assert all((y <= 0.5) == (p <= 0.5) or y == 0.5 for p, y in zip(grid, ys, strict=True))


def test_the_map_file_has_provenance():
    data = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    dt.date.fromisoformat(data["date"])
    assert data["command"].startswith("python bench/calibrate.py")
    assert data["about"]
    assert set(data["maps"]["fitted"]["features"]) <= set(FEATURES)
    every = set(data["maps"]["fitted"]["sources"])
    assert len(every) >= 2
    for name, m in data["maps"].items():
        if name.startswith("fitted-without-"):
            left_out = name.removeprefix("fitted-without-")
            # a fold's map is fitted on every source but the one it is scored on
            assert len(m["sources"]) == len(every) - 1
            assert all(left_out not in s for s in m["sources"]), name
    cal = load_calibration()
    assert cal is not None and data["date"] in cal.provenance


def test_unknown_calibration_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown calibration 'nope'"):
        load_calibration("nope")
    with pytest.raises(ValueError, match="calibration"):
        lineage.analyze([SEEDS], calibration="nope")
    assert load_calibration("off") is None


def test_calibration_changes_no_edge_on_the_seeds(seeds_analysis, tmp_path):
    raw = seeds_analysis  # the default run: raw marginals
    assert raw.config.calibration == "off"
    # a map of the file that is not the identity (the fit may choose none for the default)
    name = next(iter(_maps()))
    cal = lineage.analyze([SEEDS], calibration=name)

    def edges(a):
        return [(e.parent, e.child, e.secondary) for e in a.edges]

    assert edges(cal) == edges(raw)
    assert [(o.id, o.kind) for o in cal.origins] == [(o.id, o.kind) for o in raw.origins]
    changed = 0
    for e, r in zip(cal.edges, raw.edges, strict=True):
        assert 0.0 <= e.confidence <= 1.0
        assert all(0.0 <= a.confidence <= 1.0 for a in e.alternatives)
        # one map for the child's candidates: their order stays (some may fall below 0.01)
        before = {a.parent: a.confidence for a in r.alternatives} | {e.parent: r.confidence}
        after = {a.parent: a.confidence for a in e.alternatives} | {e.parent: e.confidence}
        for u in after:
            for v in after:
                if before[u] > before[v]:
                    assert after[u] >= after[v]
        changed += e.confidence != r.confidence
    assert changed  # the map does something
    # and lineage.json lists the same edges
    lineage.write_reports(cal, tmp_path / "cal", html=False)
    lineage.write_reports(raw, tmp_path / "raw", html=False)
    a, b = (json.loads((tmp_path / d / "lineage.json").read_text()) for d in ("cal", "raw"))
    assert [(e["parent"], e["child"]) for e in a["edges"]] == [
        (e["parent"], e["child"]) for e in b["edges"]
    ]
    assert [o["id"] for o in a["origins"]] == [o["id"] for o in b["origins"]]


def _doc(i: str) -> Document:
    return Document(i, f"text of {i}", f"{i}.txt")


def test_calibrate_keeps_order_and_scales_exclusive_candidates_to_at_most_one():
    # a map that flattens the marginals: the parent and alternatives would sum past 1
    flat = Calibration(slope={"bias": math.log(0.5)}, shift={"bias": 0.0})
    e = Edge("p", "c", 0.45, alternatives=(Alternative("q", 0.3), Alternative("r", 0.2)))
    docs = [_doc(x) for x in "cpqr"]
    (out,), origins = calibrate(
        [e], [Origin("p", "original", "first")], stories=[["c", "p", "q", "r"]],
        documents=docs, calibration=flat,
    )  # fmt: skip
    assert (out.parent, out.child) == ("p", "c")
    assert [a.parent for a in out.alternatives] == ["q", "r"]
    assert out.confidence > out.alternatives[0].confidence > out.alternatives[1].confidence
    assert out.confidence + sum(a.confidence for a in out.alternatives) <= 1.0 + 1e-3
    assert 0.5 < origins[0].confidence <= 1.0
    # None: nothing changes
    same, _ = calibrate([e], [], stories=[["c", "p"]], documents=docs, calibration=None)
    assert same == [e]


def test_a_document_alone_in_its_story_keeps_its_confidence():
    up = Calibration(slope={"bias": 0.0}, shift={"bias": 3.0})
    alone = Origin("z", "independent", "shares no passage", 1.0)
    _, (o,) = calibrate([], [alone], stories=[["z"]], documents=[_doc("z")], calibration=up)
    assert o == alone


# -- the tradition path: a stemma's own confidence ----------------------------------------


def test_a_stemma_states_the_bootstrap_support_of_each_place_never_0(tmp_path):
    from test_traditions import _analyze, _tradition

    from lineage.infer.confidence import is_support

    texts, _ = _tradition()
    a = _analyze(tmp_path, texts)
    conf = {e.child: e.confidence for e in a.edges if not e.secondary}
    conf |= {o.id: o.confidence for o in a.origins}
    assert set(conf) == set(texts)
    # no placement the run draws says 0.00: each is the share of redrawn stemmata that
    # put the witness in the same place (A and B sit under their lost exemplar x in all)
    assert all(0.0 < c <= 1.0 for c in conf.values()), conf
    assert conf["A"] >= 0.9 and conf["B"] >= 0.9, conf
    # the fragment F (half a text) is placed less surely than a whole witness
    assert conf["F"] < min(conf["A"], conf["B"]), conf
    assert all(0.0 < h.confidence <= 1.0 for h in a.hypotheticals)
    # the stemma's figures are its own: no calibration of the marginals touches them
    assert all(is_support(o) for o in a.origins)
    up = Calibration(slope={"bias": 0.0}, shift={"bias": 3.0})
    docs = [Document(k, v, f"{k}.txt") for k, v in texts.items()]
    same_e, same_o = calibrate(
        list(a.edges), list(a.origins), stories=a.stories, documents=docs,
        hypotheticals=a.hypotheticals, calibration=up,
    )  # fmt: skip
    assert same_o == list(a.origins) and same_e == list(a.edges)
    # on the same scale as its alternatives, none of them below the child
    assert_no_descendant_alternative(a.edges)


def test_stemma_support_is_the_same_under_other_names(tmp_path):
    from test_traditions import _analyze, _tradition

    texts, _ = _tradition()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = _analyze(tmp_path / "a", texts)
    names = {k: f"w{v}" for k, v in zip(texts, "QZMKRT", strict=True)}
    b = _analyze(tmp_path / "b", {names[k]: v for k, v in texts.items()})
    assert sorted((names[o.id], o.confidence) for o in a.origins) == sorted(
        (o.id, o.confidence) for o in b.origins
    )
    assert sorted(h.confidence for h in a.hypotheticals) == sorted(
        h.confidence for h in b.hypotheticals
    )
