"""How sure an edge is: its probability over all the forests the scores allow.

The scores are log-potentials: a forest's probability is proportional to the product
of ``exp(score / temperature)`` over its edges, the virtual root's edges included. An
edge's confidence is its marginal probability, the total probability of the forests
holding it. The matrix-tree theorem gives every marginal at once from the inverse of the
graph's Laplacian (Koo, Globerson, Carreras and Collins 2007, "Structured prediction
models via the matrix-tree theorem"; Smith and Smith 2007): exact, in O(n^3), for
stories up to :data:`EXACT_DOCS` documents, where floating point is accurate enough;
near-copies bound tightly to each other make it lose every digit, and then random walks
give the same marginals without cancellation, up to :data:`WALK_DOCS` documents. Beyond
that, :func:`softmax` of a child's competing parents times the probability of the
direction (:func:`direction`) approximates it locally.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import networkx as nx
import numpy as np

from lineage.model import Alternative, Document, Edge, Hypothetical, Origin

__all__ = [
    "CALIBRATION_FILE",
    "CHAIN_SUPPORT_DOCS",
    "CHAIN_SUPPORT_REPLICATES",
    "EXACT_DOCS",
    "FEATURES",
    "SUPPORT_DOCS",
    "SUPPORT_REPLICATES",
    "WALK_DOCS",
    "Calibration",
    "calibrate",
    "chain_support",
    "child_features",
    "direction",
    "edge_marginals",
    "is_support",
    "load_calibration",
    "placement_support",
    "softmax",
]

#: Stories up to this many documents get exact marginals from the Laplacian's inverse
#: in floating point, when its error bound allows (a dense n x n inverse: 400 documents
#: with 80,000 candidate edges took 0.5 s on this loaded 2-core machine) ...
EXACT_DOCS = 400
#: ... and otherwise, up to this many, from random walks (:func:`_marginals_by_walks`,
#: O(n^4): 0.4 ms for 15 documents, 42 ms for 60, 0.43 s for 120 on the same machine).
#: Larger stories, or a failed bound above WALK_DOCS, get the local approximation.
WALK_DOCS = 120


def edge_marginals(
    docs: Sequence[str],
    scores: Mapping[tuple[str, str], float],
    *,
    root: str,
    temperature: float = 1.0,
) -> dict[tuple[str, str], float] | None:
    """The marginal probability of each scored edge ``(parent, child)`` over the spanning
    arborescences of ``root`` + ``docs`` (``root``'s edges are the origins).

    Every document needs an edge from ``root``. ``None`` when the marginals cannot be had
    accurately (the caller then falls back to the local approximation).

    >>> m = edge_marginals(["a", "b"], {("r", "a"): 0.0, ("r", "b"): 0.0, ("a", "b"): 0.0},
    ...                    root="r")
    >>> round(m[("a", "b")], 3), round(m[("r", "b")], 3)
    (0.5, 0.5)
    """
    n = len(docs)
    idx = {x: k for k, x in enumerate(docs)}
    # rows: the root, then the documents as parents; columns: the documents as children
    s = np.full((n + 1, n), -np.inf)
    for (u, v), sc in scores.items():
        if u != v:
            s[0 if u == root else idx[u] + 1, idx[v]] = sc / temperature
    # each tree has exactly one edge into each document: scaling a column scales every
    # tree alike, so each column is scaled to a maximum of 1 (no overflow, same marginals)
    top = s.max(axis=0)
    if not np.all(np.isfinite(top)):
        raise ValueError("every document needs a scored edge into it")
    a = np.exp(s - top)
    lap = -a[1:, :]
    np.fill_diagonal(lap, a.sum(axis=0))
    mu = _marginals_float(a, lap)
    if mu is None and n <= WALK_DOCS:
        mu = _marginals_by_walks(a)
    if mu is None:
        return None
    rows = [0 if u == root else idx[u] + 1 for u, _ in scores]
    cols = [idx[v] for _, v in scores]
    values = mu[rows, cols].tolist()
    return {k: p for k, p in zip(scores, values, strict=True) if k[0] != k[1]}


# Koo et al.: mu(h, m) = a[h, m] * (inv[m, m] - inv[m, h]) and mu(root, m) = a[0, m] *
# inv[m, m]. The difference cancels where a group of near-copies links strongly within
# and weakly to the root (the inverse's entries grow as 1 / the root's weight): there
# floating point loses every digit, and the marginals are had from random walks instead.
_TOLERANCE = 1e-9  # of a marginal, from the error bound of the inverse


def _combine(a: np.ndarray, inv: np.ndarray) -> np.ndarray:
    diag = np.diag(inv)
    mu = np.empty_like(a)
    mu[0] = a[0] * diag
    mu[1:] = a[1:] * (diag[None, :] - inv.T)
    return mu


def _marginals_float(a: np.ndarray, lap: np.ndarray) -> np.ndarray | None:
    try:
        with np.errstate(all="ignore"):
            inv = np.linalg.inv(lap)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(inv)):
        return None
    # the inverse's error is about eps * cond * |inv|; a difference of its entries then
    # errs by about eps * |lap| * |inv|^2 (1-norms)
    with np.errstate(over="ignore"):
        bound = np.finfo(float).eps * np.linalg.norm(lap, 1) * np.linalg.norm(inv, 1) ** 2
    if not bound < _TOLERANCE:
        return None
    return np.clip(_combine(a, inv), 0.0, 1.0)


def _marginals_by_walks(a: np.ndarray) -> np.ndarray | None:
    """The marginals from the edge weights ``a`` (row 0 the root, rows 1.. the
    documents as parents; columns the documents as children), without a subtraction.

    A random forest's edge into ``m`` is the last step out of ``m`` of a walk from ``m``
    that steps from each document to a parent with probability proportional to the
    edge's weight, until it reaches the root (Wilson's algorithm, with ``m`` first):
    ``mu(h, m)`` is proportional to ``a[h, m]`` times the probability that a walk from
    ``h`` reaches the root before ``m``, and ``mu(root, m)`` to ``a[0, m]``. Those
    probabilities come from state reduction (Grassmann, Taksar and Heyman 1985), which
    adds and multiplies positive numbers only, so they keep their relative accuracy
    however strongly the near-copies hold together: O(n^4), batched over ``m``.
    """
    n = a.shape[1]
    # batch b = m: t[b, x, y] the weight of a step from document x to document y, good
    # the step to the root, bad the step to m (absorbing: m has no steps of its own)
    t = np.broadcast_to(a[1:, :].T, (n, n, n)).copy()  # [b, x, y] = a[y + 1, x]
    good = np.broadcast_to(a[0], (n, n)).copy()
    ar = np.arange(n)
    bad = t[ar, :, ar].copy()  # [b, x]: x's step to m = b
    t[ar, :, ar] = 0.0
    t[ar, ar, :] = 0.0
    good[ar, ar] = 1.0  # m's own row is never entered; any outflow keeps it finite
    bad[ar, ar] = 0.0
    outs = np.empty((n, n))
    for k in range(n):
        tk = t[:, k, k + 1 :]
        out = tk.sum(axis=1) + good[:, k] + bad[:, k]  # every step but the self-loop
        out = np.maximum(out, np.finfo(float).tiny)
        outs[:, k] = out
        f = t[:, k + 1 :, k] / out[:, None]
        t[:, k + 1 :, k + 1 :] += f[:, :, None] * tk[:, None, :]
        good[:, k + 1 :] += f * good[:, k, None]
        bad[:, k + 1 :] += f * bad[:, k, None]
    reach = np.zeros((n, n))  # [m, h]: a walk from h reaches the root before m
    for k in range(n - 1, -1, -1):
        reach[:, k] = (good[:, k] + (t[:, k, k + 1 :] * reach[:, k + 1 :]).sum(axis=1)) / outs[:, k]
    reach[ar, ar] = 0.0
    mu = np.empty_like(a)
    mu[0] = a[0]
    mu[1:] = a[1:] * reach.T  # [h, m]
    total = mu.sum(axis=0, keepdims=True)
    if not (np.all(np.isfinite(total)) and np.all(total > 0)):
        return None  # every way out underflowed (weights beyond e^-700 of each other)
    return mu / total


def direction(total: Mapping[tuple[str, str], float], u: str, v: str, t: float) -> float:
    """Probability that the edge between u and v points u -> v rather than v -> u."""
    back = total.get((v, u))
    if back is None:
        return 1.0
    return 1.0 / (1.0 + math.exp(-(total[(u, v)] - back) / t))


def softmax(scores: Mapping[str, float], temperature: float) -> dict[str, float]:
    m = max(scores.values())
    ex = {k: math.exp((v - m) / temperature) for k, v in scores.items()}
    z = math.fsum(ex.values())  # exactly rounded: the same whatever the order
    return {k: v / z for k, v in ex.items()}


# -- a stemma's support (the tradition path) ----------------------------------------------

#: How sure a witness's place in a stemma is: the share of stemmata, rebuilt from
#: distances redrawn as the counts they are (:func:`placement_support`), that put it in
#: the same place. Up to SUPPORT_DOCS witnesses (neighbour-joining is cubic, in Python:
#: the 40 stemmabench test traditions of 5-20 witnesses took about 2x as long to analyze
#: with it), with SUPPORT_REPLICATES redraws (a share to 0.02).
SUPPORT_DOCS = 40
SUPPORT_REPLICATES = 50


def _places(
    edges: Sequence[Edge], origins: Sequence[Origin], hypos: Sequence[Hypothetical]
) -> dict[str, str | None]:
    """Each witness's place in a stemma: its parent witness, its lost exemplar, or None
    (the root). Lost exemplars are named by the witnesses below them, so the same
    place has the same name in every stemma of the story."""
    place: dict[str, str | None] = {o.id: None for o in origins}
    for h in hypos:
        for c in h.children:
            if c in place:
                place[c] = h.id
    for e in edges:
        place[e.child] = e.parent
    return place


def placement_support(
    got: tuple[list[Edge], list[Origin], list[Hypothetical]],
    order: Sequence[str],
    dist: Mapping[tuple[str, str], float],
    extent: float,
    *,
    seed: int,
    rebuild: Callable[
        [Sequence[str], Mapping[tuple[str, str], float], np.random.Generator],
        tuple[list[Edge], list[Origin], list[Hypothetical]],
    ],
    replicates: int = SUPPORT_REPLICATES,
) -> tuple[list[Edge], list[Origin], list[Hypothetical]]:
    """The stemma ``got`` of the witnesses ``order`` (in an order of content), built from
    the distances ``dist``, with each confidence the bootstrap support of its place.
    ``rebuild(names, distances, rng)`` builds the stemma again (lineage.infer.stemma), the
    witnesses named ``names`` in ``order``'s order; ``rng`` is the replicates' generator,
    for what else the method resamples (the stemma's variant places).

    A distance is a count of disagreements over a shared extent: each replicate draws
    every pair's count again, binomially over the story's median extent (the pairs'
    own extents are not kept), and rebuilds the stemma (a parametric bootstrap, as
    phylogenetics reads a tree's support; Felsenstein 1985). A witness's confidence is
    the share of replicates that put it in the same place (the same parent witness, the
    same lost exemplar: the same witnesses below it, or the root); its alternatives are
    the other witnesses that replicates made its parent, on the same scale, none of them
    below it in ``got``. A lost exemplar's is the share of replicates that have it. The
    draws are seeded by ``seed`` (the caller's: of the story's content), so the run is
    deterministic under any ids."""
    edges, origins, hypos = got
    if extent <= 0 or replicates <= 0 or len(order) < 3:
        return got
    keys = [(a, b) for k, a in enumerate(order) for b in order[k + 1 :]]
    d0 = np.array([dist[k] for k in keys])
    redraw = d0 <= 1.0  # a path of rates through others (past 1 when far) is kept as is
    n = max(round(extent), 1)
    rng = np.random.default_rng(seed)
    # redrawn counts tie often, and the joins and contractions break ties by name: the
    # replicates name each witness by its place in the order of content, so no tie
    # falls by id
    alias = {x: f"\x01{k:06d}" for k, x in enumerate(order)}
    back: dict[str | None, str | None] = {v: k for k, v in alias.items()}
    a_order = [alias[x] for x in order]
    counts: dict[str, dict[str | None, int]] = {x: {} for x in order}
    seen: dict[str, int] = {}
    for _ in range(replicates):
        d = d0.copy()
        d[redraw] = rng.binomial(n, d0[redraw]) / n
        dd: dict[tuple[str, str], float] = {}
        for (a, b), v in zip(keys, d.tolist(), strict=True):
            dd[(alias[a], alias[b])] = dd[(alias[b], alias[a])] = v
        r_edges, r_origins, r_hypos = rebuild(a_order, dd, rng)
        for x, pl in _places(r_edges, r_origins, r_hypos).items():
            y, q = back[x], back.get(pl, pl)
            assert y is not None
            counts[y][q] = counts[y].get(q, 0) + 1
        for node in r_hypos:
            seen[node.id] = seen.get(node.id, 0) + 1
    place = _places(edges, origins, hypos)
    tree = nx.DiGraph((pl, x) for x, pl in place.items() if pl is not None)

    def below(x: str) -> set[str]:
        return nx.descendants(tree, x) if x in tree else set()

    rank = {x: k for k, x in enumerate(order)}

    def share(x: str) -> float:
        return round(counts[x].get(place[x], 0) / replicates, 3)

    out_edges = []
    for e in edges:
        under = below(e.child)
        alts = sorted(
            ((u, c / replicates) for u, c in counts[e.child].items()
             if u is not None and u in rank and u != e.parent and u not in under),
            key=lambda t: (-t[1], rank[t[0]]),
        )  # fmt: skip
        out_edges.append(
            replace(e, confidence=share(e.child),
                    alternatives=tuple(Alternative(u, round(q, 3)) for u, q in alts if q >= 0.01))
        )  # fmt: skip
    out_origins = [replace(o, confidence=share(o.id)) for o in origins]
    out_hypos = [replace(h, confidence=round(seen.get(h.id, 0) / replicates, 3)) for h in hypos]
    return out_edges, out_origins, out_hypos


# -- a chain's support (the version chains of the revisions profile) -----------------------

#: How sure a version's place in its chain is (:func:`chain_support`): stories of 3 up to
#: CHAIN_SUPPORT_DOCS versions (each replicate is an exact seriation over 2^n subsets, in
#: Python: 10 versions have 4x the subsets of 8; Wikipedia's stories have 3 to 8),
#: CHAIN_SUPPORT_REPLICATES replicates (a share to 0.02, as a stemma's support). Larger
#: chains keep the model's marginals.
CHAIN_SUPPORT_DOCS = 8
CHAIN_SUPPORT_REPLICATES = 50


def chain_support(
    docs: Sequence[str],
    *,
    seed: int,
    rebuild: Callable[[np.random.Generator], tuple[Sequence[str], float]],
    replicates: int = CHAIN_SUPPORT_REPLICATES,
) -> dict[str, dict[str | None, float]]:
    """Each of ``docs``' parents over bootstrap replicates of a chain: ``{doc: {parent:
    share}}``, the parent ``None`` for the first version.

    ``rebuild(rng)`` orders the documents again from a redraw of the evidence
    (lineage.infer.chain: the passages, resampled as Felsenstein's bootstrap resamples
    a collation's characters) and returns the ordering with the probability, under the
    direction model, that it reads first to last rather than last to first. Each
    replicate counts both readings at those probabilities: the ordering, which the
    model's marginals read from the same passage counts at a temperature fitted to
    them, is taken as the share of redraws that rebuild it; the orientation, one
    fitted logistic score per chain, as that score's probability. So a placement's
    share is the mean over the replicates of the probability of the same parent (or of
    being first). Seeded by ``seed`` (the caller's: of the story's content); the
    shares of one document sum to at most 1."""
    rng = np.random.default_rng(seed)
    out: dict[str, dict[str | None, float]] = {d: {} for d in docs}
    for _ in range(replicates):
        order, forward = rebuild(rng)
        for seq, w in ((list(order), forward), (list(order)[::-1], 1.0 - forward)):
            if w <= 0.0:
                continue
            first: dict[str | None, float] = out[seq[0]]
            first[None] = first.get(None, 0.0) + w / replicates
            for u, v in zip(seq, seq[1:], strict=False):
                out[v][u] = out[v].get(u, 0.0) + w / replicates
    return out


# -- calibration ----------------------------------------------------------------------------

#: The fitted calibration (bench/calibrate.py writes it; read here with json only)
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")

#: What the calibration reads of a document besides its marginal: what every run's output
#: has, the same for all of the document's candidate parents (so one child's candidates
#: share one monotone map and keep their order). :func:`child_features` computes them.
FEATURES = (
    "origin",
    "log_size",
    "dated",
    "dated_share",
    "runner_up",
    "log_alts",
    "lost",
    "second",
    "log_words",
    "share",
)


def child_features(
    edges: Sequence[Edge],
    origins: Sequence[Origin],
    *,
    stories: Sequence[Sequence[str]],
    documents: Sequence[Document],
    hypotheticals: Sequence[Hypothetical] = (),
) -> dict[str, dict[str, float]]:
    """The calibration's features of each document the forest placed (in a story of two
    or more documents): whether it is an origin; log of its story's size; whether it is
    dated, and the share of its story that is; the confidence of its best alternative
    parent and log(1 + the number listed) (0 for an origin, which lists none); whether a
    lost source is inferred above it (``lost``: it is a child of a hypothetical node);
    whether it has a second parent (``second``); and of the reuse its parent explains (0
    for an origin): log(1 + the narrative words shared) and the share of the child's
    words. Computed from a run's output alone, so a fit reads the same numbers. A map may
    use only some of them."""
    size = {d: len(s) for s in stories for d in s}
    dated = {d.id: d.date is not None for d in documents}
    share = {d: sum(dated.get(x, False) for x in s) / len(s) for s in stories for d in s}
    lost = {c for h in hypotheticals for c in h.children}
    second = {e.child for e in edges if e.secondary}
    runner: dict[str, float] = {}
    alts: dict[str, int] = {}
    reuse: dict[str, tuple[float, float]] = {}
    for e in edges:
        if e.secondary:
            continue
        runner[e.child] = max((a.confidence for a in e.alternatives), default=0.0)
        alts[e.child] = len(e.alternatives)
        r = next((x.facts for x in e.evidence if x.kind == "reuse"), {})
        reuse[e.child] = (float(r.get("narrative_words", 0)), float(r.get("share", 0.0)))
    out: dict[str, dict[str, float]] = {}
    for doc, origin in [(o.id, True) for o in origins] + [(c, False) for c in runner]:
        if size.get(doc, 1) < 2:  # alone in its story: no forest, no marginal
            continue
        out[doc] = {
            "origin": float(origin),
            "log_size": math.log(size[doc]),
            "dated": float(dated.get(doc, False)),
            "dated_share": share[doc],
            "runner_up": 0.0 if origin else runner[doc],
            "log_alts": 0.0 if origin else math.log1p(alts[doc]),
            "lost": float(doc in lost),
            "second": float(doc in second),
            "log_words": 0.0 if origin else math.log1p(reuse[doc][0]),
            "share": 0.0 if origin else reuse[doc][1],
        }
    return out


def is_support(record: Edge | Origin) -> bool:
    """Whether ``record``'s confidence is a stemma's bootstrap support (the tradition
    path, :func:`lineage.infer.stemma.placement_support`) rather than a forest marginal:
    a calibration of the marginals leaves it as it is."""
    return any(x.kind == "stemma" for x in record.evidence)


@dataclass(frozen=True)
class Calibration:
    """A monotone map from an edge's marginal ``p`` to the probability that it is right:

    ``sigmoid(exp(slope . x) * logit(p) + shift . x)``

    where ``x`` is the document's :data:`FEATURES` plus a constant ``bias`` 1, and
    ``logit`` is clipped to ``p`` in ``[eps, 1 - eps]``; the result is kept on the
    marginal's side of one half (so a true tie still says at most 0.5). The slope is
    positive whatever ``x``, so for one child (one ``x``) the map never reorders two
    candidates. When a
    child's mapped parent and alternatives sum to more than 1 (they are exclusive
    events), all are scaled down alike.
    """

    slope: Mapping[str, float]
    shift: Mapping[str, float]
    eps: float = 1e-3
    provenance: str = ""

    def mapper(self, x: Mapping[str, float]) -> Callable[[float], float]:
        """The map of one document with features ``x``."""
        a = math.exp(self.slope.get("bias", 0.0) + sum(
            self.slope.get(k, 0.0) * v for k, v in x.items()
        ))  # fmt: skip
        b = self.shift.get("bias", 0.0) + sum(self.shift.get(k, 0.0) * v for k, v in x.items())
        lo, hi = math.log(self.eps / (1 - self.eps)), math.log((1 - self.eps) / self.eps)

        def f(p: float) -> float:
            z = math.log(p / (1 - p)) if 0.0 < p < 1.0 else (hi if p >= 1.0 else lo)
            s = a * min(max(z, lo), hi) + b
            q = 1.0 / (1.0 + math.exp(-s)) if s > -700 else 0.0
            # never across one half: a marginal of at most 1/2 (the forest holds another
            # case at least as likely, a true tie among them) is never made a claim
            # that the edge is more likely right than not, nor the reverse
            return min(q, 0.5) if p <= 0.5 else max(q, 0.5)

        return f


def calibrate(
    edges: Sequence[Edge],
    origins: Sequence[Origin],
    *,
    stories: Sequence[Sequence[str]],
    documents: Sequence[Document],
    hypotheticals: Sequence[Hypothetical] = (),
    calibration: Calibration | None,
) -> tuple[list[Edge], list[Origin]]:
    """The forest's edges and origins with each confidence mapped by ``calibration``
    (None: unchanged). No edge changes: only confidences, and an alternative mapped below
    0.01 is no longer listed. A second parent's figure (a share of words, no marginal), a
    stemma's support (:func:`is_support`) and a document alone in its story are left as
    they are."""
    if calibration is None:
        return list(edges), list(origins)
    feats = child_features(
        edges, origins, stories=stories, documents=documents, hypotheticals=hypotheticals
    )
    out_edges: list[Edge] = []
    for e in edges:
        x = feats.get(e.child)
        if e.secondary or x is None or is_support(e):
            out_edges.append(e)
            continue
        f = calibration.mapper(x)
        conf = f(e.confidence)
        alts = [(a.parent, f(a.confidence), a.confidence) for a in e.alternatives]
        total = math.fsum([conf, *(q for _, q, _ in alts)])
        scale = 1.0 / total if total > 1.0 else 1.0
        kept = tuple(
            Alternative(u, round(q * scale, 3))
            for u, q, _ in sorted(alts, key=lambda t: (-t[1], -t[2]))  # stable: the forest's
            if q * scale >= 0.01
        )
        out_edges.append(replace(e, confidence=round(conf * scale, 3), alternatives=kept))
    out_origins = []
    for o in origins:
        x = feats.get(o.id)
        if x is None or is_support(o):
            out_origins.append(o)
        else:
            out_origins.append(replace(o, confidence=round(calibration.mapper(x)(o.confidence), 3)))
    return out_edges, out_origins


def load_calibration(
    name: str = "fitted", path: str | Path = CALIBRATION_FILE
) -> Calibration | None:
    """The calibration map ``name`` of a file bench/calibrate.py wrote: ``fitted`` (fitted
    on every source: the default run's), ``fitted-without-<source>`` (a leave-one-source-
    out fold's), or ``off`` (None: confidences are the raw marginals). A map the fit
    chose to be the identity is None too, as is ``fitted`` with no file; any other name
    the file lacks is an error."""
    if name == "off":
        return None
    path = Path(path)
    if not path.is_file():
        if name == "fitted":
            return None
        raise ValueError(f"calibration {name!r}: {path} is absent")
    data = json.loads(path.read_text(encoding="utf-8"))
    maps = data.get("maps", {})
    if name not in maps:
        raise ValueError(
            f"unknown calibration {name!r}: choose off or one of {', '.join(sorted(maps))}"
        )
    m = maps[name]
    if m.get("identity"):  # the fit chose no map: the raw marginals
        return None
    return Calibration(
        slope={k: float(v) for k, v in m["slope"].items()},
        shift={k: float(v) for k, v in m["shift"].items()},
        eps=float(data.get("eps", 1e-3)),
        provenance=(
            f"fitted by bench/calibrate.py on {', '.join(m['sources'])} on {data.get('date')}; "
            f"{path.name}"
        ),
    )
