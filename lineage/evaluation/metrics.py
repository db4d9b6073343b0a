"""Metrics: how close a predicted lineage is to a known one.

``evaluate(pred, truth)`` scores an :class:`~lineage.model.Analysis` (or a parsed or on-disk
``lineage.json``) against a known truth (:class:`~lineage.evaluation.simulate.SimCorpus`,
``truth.json`` or its dict, or a :class:`Truth`). Definitions are in ``docs/METRICS.md``;
in short:

* directed edge precision / recall / F1 over (parent, child) pairs, and undirected F1;
* root accuracy (each story's original is given no parent) and independent accuracy
  (an independent report is in no edge);
* ancestry precision / recall / F1 over (ancestor, descendant) pairs of the closures;
* story purity and completeness (inverse purity) of the predicted ``stories``;
* PAN-style character precision, recall, granularity and plagdet (Potthast et al. 2010)
  of predicted passages against planted ones;
* for traditions with lost exemplars, :func:`average_sign_distance` (Roos & Heikkilä
  2009) on path lengths through the true graph, hidden nodes included.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lineage.evaluation.simulate import SimCorpus
    from lineage.model import Analysis

__all__ = [
    "Metrics",
    "Prediction",
    "Span",
    "Truth",
    "average_sign_distance",
    "evaluate",
    "load_prediction",
    "load_truth",
    "path_lengths",
    "plagdet",
    "score",
    "sniff",
    "story_scores",
    "truth_dict",
]

Span = tuple[str, int, int, str, int, int]  # (doc a, a_start, a_end, doc b, b_start, b_end)


# -- inputs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Truth:
    """What is known: the forest, the stories and the planted passages."""

    documents: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]
    roots: tuple[str, ...]
    independents: tuple[str, ...]
    stories: tuple[tuple[str, ...], ...]
    passages: tuple[Span, ...] = ()
    # the whole true graph, lost (hidden) exemplars included, for traditions scored by
    # average sign distance; () when every node of the truth is an extant document
    tree: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Prediction:
    """What the analyzer said, reduced to what the metrics read."""

    documents: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]
    stories: tuple[tuple[str, ...], ...]
    passages: tuple[Span, ...] | None = None  # None: no passages to score
    # for the baselines: (a, b, jaccard) of verified pairs, dates and word counts
    pairs: tuple[tuple[str, str, float], ...] = ()
    dates: Mapping[str, dt.datetime | None] | None = None
    words: Mapping[str, int] | None = None
    # links through hypothetical (lost) sources: (parent, hypothetical), (hypothetical,
    # child). Read by the average sign distance only: edge F1 scores links between documents
    lost_edges: tuple[tuple[str, str], ...] = ()


def _lost_edges(nodes: Iterable[Any]) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for n in nodes:
        hid, parent, kids = (
            (n["id"], n.get("parent"), n["children"]) if isinstance(n, Mapping)
            else (n.id, n.parent, n.children)
        )  # fmt: skip
        if parent is not None:
            out.append((parent, hid))
        out.extend((hid, c) for c in kids)
    return tuple(out)


def _truth_from_dict(data: Mapping[str, Any]) -> Truth:
    docs = tuple(d["id"] if isinstance(d, Mapping) else d for d in data.get("documents", []))
    edges = tuple((e["parent"], e["child"]) for e in data.get("edges", []))
    passages = tuple(
        (p["a"], p["a_start"], p["a_end"], p["b"], p["b_start"], p["b_end"])
        for p in data.get("passages", [])
    )
    stories = tuple(tuple(s) for s in data.get("stories", []))
    if not docs:
        seen = [i for s in stories for i in s] + list(data.get("independents", []))
        docs = tuple(dict.fromkeys(seen))
    return Truth(
        documents=docs,
        edges=edges,
        roots=tuple(data.get("roots", [])),
        independents=tuple(data.get("independents", [])),
        stories=stories,
        passages=passages,
        tree=tuple((e["parent"], e["child"]) for e in data.get("tree", [])),
    )


def truth_dict(truth: Truth) -> dict[str, Any]:
    """The JSON-ready form of a :class:`Truth` (what ``truth.json`` holds)."""
    out: dict[str, Any] = {
        "documents": [{"id": d} for d in truth.documents],
        "edges": [{"parent": p, "child": c} for p, c in truth.edges],
        "roots": list(truth.roots),
        "independents": list(truth.independents),
        "stories": [list(s) for s in truth.stories],
        "passages": [
            {"a": a, "a_start": a0, "a_end": a1, "b": b, "b_start": b0, "b_end": b1}
            for a, a0, a1, b, b0, b1 in truth.passages
        ],
    }
    if truth.tree:
        out["tree"] = [{"parent": p, "child": c} for p, c in truth.tree]
    return out


def sniff(data: Any) -> str | None:
    """``"truth"`` for a parsed ``truth.json``, ``"prediction"`` for a ``lineage.json``, else None.

    A truth names its ``roots`` / ``independents``; a prediction has verified ``pairs``
    and no roots.

    >>> sniff({"roots": [], "edges": []}), sniff({"pairs": [], "edges": []}), sniff([])
    ('truth', 'prediction', None)
    """
    if not isinstance(data, Mapping):
        return None
    if "roots" in data or "independents" in data:
        return "truth"
    if "pairs" in data and "edges" in data:
        return "prediction"
    return None


def load_truth(truth: SimCorpus | Mapping[str, Any] | str | Path | Truth) -> Truth:
    """A :class:`Truth` from a SimCorpus, a parsed ``truth.json``, or its path / folder."""
    if isinstance(truth, Truth):
        return truth
    if isinstance(truth, (str, Path)):
        p = Path(truth)
        if p.is_dir():
            p = p / "truth.json"
        return _truth_from_dict(json.loads(p.read_text(encoding="utf-8")))
    if isinstance(truth, Mapping):
        return _truth_from_dict(truth)
    return _truth_from_dict(truth.truth())  # a SimCorpus


def _parse_date(value: Any) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        d = value
    else:
        try:
            d = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def _passage_rows(rows: Iterable[Mapping[str, Any]]) -> tuple[Span, ...]:
    return tuple(
        (str(r["a"]), int(r["a_start"]), int(r["a_end"]), str(r["b"]), int(r["b_start"]),
         int(r["b_end"]))
        for r in rows
    )  # fmt: skip


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    import gzip

    # passages.jsonl.gz since 2026-12-02, passages.jsonl before
    with (
        gzip.open(path, "rt", encoding="utf-8")
        if path.suffix == ".gz"
        else path.open(encoding="utf-8") as fh
    ):
        return [json.loads(line) for line in fh if line.strip()]


def _prediction_from_dict(data: Mapping[str, Any], passages: tuple[Span, ...] | None) -> Prediction:
    docs = data.get("documents", [])
    return Prediction(
        documents=tuple(d["id"] for d in docs),
        edges=tuple((e["parent"], e["child"]) for e in data.get("edges", [])),
        stories=tuple(tuple(s) for s in data.get("stories", [])),
        passages=passages,
        pairs=tuple((p["a"], p["b"], float(p["jaccard"])) for p in data.get("pairs", [])),
        dates={d["id"]: _parse_date(d.get("date")) for d in docs},
        words={d["id"]: int(d.get("words") or 0) for d in docs},
        lost_edges=_lost_edges(n for n in data.get("nodes", []) if n.get("hypothetical")),
    )


def load_prediction(
    pred: Analysis | Mapping[str, Any] | str | Path | Prediction,
    *,
    passages: Iterable[Mapping[str, Any]] | str | Path | None = None,
) -> Prediction:
    """A :class:`Prediction` from an Analysis, a parsed ``lineage.json`` or its path / folder.

    Passages come from ``passages`` when given (rows or a ``passages.jsonl[.gz]`` path),
    else from the Analysis, else from ``passages.jsonl.gz`` beside ``lineage.json``.
    """
    if isinstance(pred, Prediction):
        return pred
    spans: tuple[Span, ...] | None = None
    if isinstance(passages, (str, Path)):
        spans = _passage_rows(_read_jsonl(Path(passages)))
    elif passages is not None:
        spans = _passage_rows(passages)
    if isinstance(pred, (str, Path)):
        p = Path(pred)
        if p.is_dir():
            p = p / "lineage.json"
        side = p.parent / "passages.jsonl.gz"
        if not side.exists():  # written before 2026-12-02
            side = p.parent / "passages.jsonl"
        if spans is None and side.exists():
            spans = _passage_rows(_read_jsonl(side))
        return _prediction_from_dict(json.loads(p.read_text(encoding="utf-8")), spans)
    if isinstance(pred, Mapping):
        return _prediction_from_dict(pred, spans)
    # an Analysis
    if spans is None:
        spans = tuple((x.a, x.a_start, x.a_end, x.b, x.b_start, x.b_end) for x in pred.passages)
    return Prediction(
        documents=tuple(d.id for d in pred.documents),
        edges=tuple((e.parent, e.child) for e in pred.edges),
        stories=tuple(tuple(s) for s in pred.stories),
        passages=spans,
        pairs=tuple((p.a, p.b, p.jaccard) for p in pred.pairs),
        dates={d.id: _parse_date(d.date) for d in pred.documents},
        words={
            d.id: pred.word_counts.get(d.id, (len(d.text.split()), 0))[0] for d in pred.documents
        },
        lost_edges=_lost_edges(pred.hypotheticals),
    )


# -- metrics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metrics:
    """Every figure of one evaluation; ``None`` where it cannot be computed."""

    edge_precision: float
    edge_recall: float
    edge_f1: float
    undirected_precision: float
    undirected_recall: float
    undirected_f1: float
    root_accuracy: float | None
    independent_accuracy: float | None
    ancestry_precision: float
    ancestry_recall: float
    ancestry_f1: float
    story_purity: float
    story_completeness: float
    passage_precision: float | None = None
    passage_recall: float | None = None
    passage_granularity: float | None = None
    plagdet: float | None = None
    true_edges: int = 0
    predicted_edges: int = 0
    # average sign distance (0-100, higher is better), when the truth has a ``tree``
    asd: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _prf(pred: set[Any], true: set[Any]) -> tuple[float, float, float]:
    """Precision, recall, F1; an empty set on both sides scores 1.0."""
    if not pred and not true:
        return 1.0, 1.0, 1.0
    hit = len(pred & true)
    p = hit / len(pred) if pred else 0.0
    r = hit / len(true) if true else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _closure(edges: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """(ancestor, descendant) pairs; cycles are tolerated (a node is not its own ancestor)."""
    children: dict[str, list[str]] = defaultdict(list)
    for p, c in edges:
        children[p].append(c)
    out: set[tuple[str, str]] = set()
    for start in list(children):
        stack = list(children[start])
        seen: set[str] = set()
        while stack:
            x = stack.pop()
            if x in seen or x == start:
                continue
            seen.add(x)
            out.add((start, x))
            stack.extend(children.get(x, ()))
    return out


def _components(docs: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    parent = {d: d for d in docs}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for d in list(parent):
        groups[find(d)].append(d)
    return [sorted(g) for _, g in sorted(groups.items())]


def _purity(clusters: list[list[str]], classes: list[list[str]], n: int) -> float:
    label = {d: i for i, c in enumerate(classes) for d in c}
    total = 0
    for c in clusters:
        counts: dict[int, int] = defaultdict(int)
        for d in c:
            if d in label:
                counts[label[d]] += 1
        total += max(counts.values(), default=0)
    return total / n if n else 1.0


def story_scores(pred_stories: Sequence[Sequence[str]], truth: Truth) -> tuple[float, float]:
    """Purity and completeness (inverse purity) over the truth's documents.

    Every true story is a class and each independent report its own class; predicted
    stories are restricted to the truth's documents, and a document in no predicted story
    is its own cluster.
    """
    universe = list(dict.fromkeys(truth.documents))
    known = set(universe)
    classes = [list(s) for s in truth.stories]
    in_story = {d for s in truth.stories for d in s}
    classes += [[d] for d in universe if d not in in_story]
    clusters: list[list[str]] = []
    placed: set[str] = set()
    for s in pred_stories:
        c = [d for d in dict.fromkeys(s) if d in known and d not in placed]
        placed.update(c)
        if c:
            clusters.append(c)
    clusters += [[d] for d in universe if d not in placed]
    n = len(universe)
    return _purity(clusters, classes, n), _purity(classes, clusters, n)


# -- PAN-style passage measures -----------------------------------------------------------


def _merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(intervals):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _length(intervals: Iterable[tuple[int, int]]) -> int:
    return sum(e - s for s, e in _merge(intervals))


def _canon(span: Span) -> tuple[tuple[str, str], tuple[int, int], tuple[int, int]]:
    """Order a passage's two sides by document id, so a detection's direction is moot."""
    a, a0, a1, b, b0, b1 = span
    if (b, b0) < (a, a0):
        a, a0, a1, b, b0, b1 = b, b0, b1, a, a0, a1
    return (a, b), (a0, a1), (b0, b1)


def _overlap(x: tuple[int, int], y: tuple[int, int]) -> tuple[int, int] | None:
    s, e = max(x[0], y[0]), min(x[1], y[1])
    return (s, e) if s < e else None


def _covered(
    cases: list[tuple[tuple[str, str], tuple[int, int], tuple[int, int]]],
    dets: list[tuple[tuple[str, str], tuple[int, int], tuple[int, int]]],
) -> tuple[float, list[int]]:
    """Σ over cases of the share of its characters detected, and detections per case.

    A detection detects a case when both are about the same two documents and overlap on
    both sides (PAN: s_plg ∩ r_plg ≠ ∅ and s_src ∩ r_src ≠ ∅).
    """
    by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, r in enumerate(dets):
        by_pair[r[0]].append(j)
    total = 0.0
    counts: list[int] = []
    for pair, sa, sb in cases:
        got_a: list[tuple[int, int]] = []
        got_b: list[tuple[int, int]] = []
        n = 0
        for j in by_pair.get(pair, ()):
            _, ra, rb = dets[j]
            oa, ob = _overlap(sa, ra), _overlap(sb, rb)
            if oa and ob:
                got_a.append(oa)
                got_b.append(ob)
                n += 1
        size = (sa[1] - sa[0]) + (sb[1] - sb[0])
        if size:
            total += (_length(got_a) + _length(got_b)) / size
        counts.append(n)
    return total, counts


def plagdet(cases: Sequence[Span], detections: Sequence[Span]) -> tuple[float, float, float, float]:
    """PAN character precision, recall, granularity and plagdet (Potthast et al. 2010).

    ``cases`` are the true passages, ``detections`` the predicted ones, each
    ``(doc_a, a_start, a_end, doc_b, b_start, b_end)``; direction does not matter. A passage
    is the set of its characters in both documents. As in the PAN reference code: no cases
    and no detections scores (1, 1, 1, 1); only one of them empty scores precision and
    recall 0 and granularity 1.

    >>> plagdet([("x", 0, 10, "y", 0, 10)], [("y", 0, 5, "x", 0, 5)])
    (1.0, 0.5, 1.0, 0.6666666666666666)
    """
    S = [_canon(s) for s in cases]
    R = [_canon(r) for r in detections]
    if not S and not R:
        return 1.0, 1.0, 1.0, 1.0
    if not S or not R:
        return 0.0, 0.0, 1.0, 0.0
    rec_sum, per_case = _covered(S, R)
    prec_sum, _ = _covered(R, S)
    recall = rec_sum / len(S)
    precision = prec_sum / len(R)
    detected = [n for n in per_case if n > 0]
    gran = sum(detected) / len(detected) if detected else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, gran, f1 / math.log2(1 + gran)


# -- traditions: average sign distance ---------------------------------------------------


def path_lengths(
    edges: Iterable[tuple[str, str]], nodes: Iterable[str]
) -> dict[str, dict[str, int]]:
    """Undirected path lengths (edge counts) from each of ``nodes`` to every node it reaches."""
    adj: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        if a != b:
            adj[a].add(b)
            adj[b].add(a)
    out: dict[str, dict[str, int]] = {}
    for start in nodes:
        dist = {start: 0}
        frontier = [start]
        while frontier:
            nxt = []
            for x in frontier:
                for y in adj.get(x, ()):
                    if y not in dist:
                        dist[y] = dist[x] + 1
                        nxt.append(y)
            frontier = nxt
        out[start] = dist
    return out


def _sign(d: Mapping[str, int], b: str, c: str) -> int:
    # an unreachable node is farther than any reachable one; two unreachable ones tie
    x, y = d.get(b, math.inf), d.get(c, math.inf)
    return 0 if x == y else (-1 if x < y else 1)


def average_sign_distance(
    pred_edges: Iterable[tuple[str, str]],
    true_edges: Iterable[tuple[str, str]],
    witnesses: Sequence[str],
) -> float:
    """Average sign distance (Roos & Heikkilä 2009), as a percentage: 100 is a perfect score.

    For every ordered triple of distinct extant ``witnesses`` (A, B, C), compare
    ``sign(d(A, B) - d(A, C))`` in the true graph and in the predicted one, where ``d`` is
    the undirected path length (hidden exemplars of the true graph count as nodes; a
    prediction may name nodes of its own). Equal signs score 1, opposite signs 0, and one
    tie against a difference 0.5. Direction plays no part.

    >>> true = [("x", "a"), ("x", "b"), ("x", "c")]  # a, b, c copy a lost x
    >>> average_sign_distance([("a", "b"), ("a", "c")], true, ["a", "b", "c"])
    66.66666666666667
    """
    w = list(dict.fromkeys(witnesses))
    if len(w) < 3:
        return 100.0
    dt_ = path_lengths(true_edges, w)
    dp = path_lengths(pred_edges, w)
    total = 0.0
    n = 0
    for a in w:
        for i, b in enumerate(w):
            if b == a:
                continue
            for c in w[i + 1 :]:
                if c == a:
                    continue
                # (a, c, b) flips both signs: the same agreement, so count it twice
                total += 2 * (1 - abs(_sign(dt_[a], b, c) - _sign(dp[a], b, c)) / 2)
                n += 2
    return 100.0 * total / n


# -- the evaluation ------------------------------------------------------------------------


def score(
    pred_edges: Iterable[tuple[str, str]],
    truth: Truth,
    *,
    stories: Sequence[Sequence[str]] | None = None,
    passages: Sequence[Span] | None = None,
    lost_edges: Iterable[tuple[str, str]] = (),
) -> Metrics:
    """Metrics of a bare edge list (stories default to the edges' connected components).

    ``lost_edges``: the links through hypothetical sources, which the average sign
    distance reads as nodes of the predicted graph (edge F1 scores ``pred_edges`` only).
    """
    truth = load_truth(truth)
    pe = set(pred_edges)
    te = set(truth.edges)
    ep, er, ef = _prf(pe, te)
    und = {frozenset(e) for e in pe if e[0] != e[1]}
    up, ur, uf = _prf(und, {frozenset(e) for e in te})
    ap, ar, af = _prf(_closure(pe), _closure(te))
    children = {c for _, c in pe}
    in_edge = {x for e in pe for x in e}
    roots = truth.roots
    root_acc = sum(r not in children for r in roots) / len(roots) if roots else None
    ind = truth.independents
    ind_acc = sum(i not in in_edge for i in ind) / len(ind) if ind else None
    if stories is None:
        stories = [c for c in _components(truth.documents, pe) if len(c) > 1]
    purity, completeness = story_scores(stories, truth)
    pp = pr = pg = pd = None
    if passages is not None:
        pp, pr, pg, pd = plagdet(truth.passages, passages)
    asd = None
    if truth.tree:
        # several traditions in one truth (a generated source): the mean of each one's
        # ASD over its own witnesses (pooled triples across traditions would all tie)
        groups = [s for s in truth.stories if len(s) >= 3] or [truth.documents]
        graph = pe | set(lost_edges)
        asd = sum(average_sign_distance(graph, truth.tree, g) for g in groups) / len(groups)
    return Metrics(
        edge_precision=ep,
        edge_recall=er,
        edge_f1=ef,
        undirected_precision=up,
        undirected_recall=ur,
        undirected_f1=uf,
        root_accuracy=root_acc,
        independent_accuracy=ind_acc,
        ancestry_precision=ap,
        ancestry_recall=ar,
        ancestry_f1=af,
        story_purity=purity,
        story_completeness=completeness,
        passage_precision=pp,
        passage_recall=pr,
        passage_granularity=pg,
        plagdet=pd,
        true_edges=len(te),
        predicted_edges=len(pe),
        asd=asd,
    )


def evaluate(
    pred: Analysis | Mapping[str, Any] | str | Path | Prediction,
    truth: SimCorpus | Mapping[str, Any] | str | Path | Truth,
    *,
    passages: Iterable[Mapping[str, Any]] | str | Path | None = None,
) -> Metrics:
    """Score a prediction against a truth.

    ``pred``: an Analysis, a parsed ``lineage.json`` or its path (or folder; a
    ``passages.jsonl`` beside it is read). ``truth``: a SimCorpus, a parsed ``truth.json``
    or its path / folder. Passage metrics are ``None`` when there are no predicted passages
    to read, or when the truth has none planted.
    """
    p = load_prediction(pred, passages=passages)
    t = load_truth(truth)
    stories = p.stories if p.stories else None
    spans = p.passages if t.passages else None
    return score(p.edges, t, stories=stories, passages=spans, lost_edges=p.lost_edges)
