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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "CALIBRATION_FILE",
    "EXACT_DOCS",
    "FEATURES",
    "WALK_DOCS",
    "Calibration",
    "child_features",
    "direction",
    "edge_marginals",
    "load_calibration",
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


# -- calibration ----------------------------------------------------------------------------

#: The fitted calibration (bench/calibrate.py writes it; read here with json only)
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")

#: What the calibration reads of a child besides the marginal: things every run has,
#: the same for all of the child's candidate parents (so one child's candidates share one
#: monotone map and keep their order). :func:`child_features` computes them.
FEATURES = ("origin", "log_size", "dated", "dated_share", "runner_up")


def child_features(
    *, origin: bool, story_size: int, dated: bool, dated_share: float, runner_up: float
) -> dict[str, float]:
    """The calibration's features of one child: whether the forest makes it an origin,
    log of its story's size, whether it is dated, the share of its story that is dated,
    and the marginal of its best alternative parent (a listed one: not the chosen one, not
    the virtual root, no descendant of the child, at least 0.01; else 0)."""
    return {
        "origin": float(origin),
        "log_size": math.log(max(story_size, 1)),
        "dated": float(dated),
        "dated_share": float(dated_share),
        "runner_up": float(runner_up) if runner_up >= 0.01 else 0.0,
    }


@dataclass(frozen=True)
class Calibration:
    """A monotone map from an edge's marginal ``p`` to the probability that it is right:

    ``sigmoid(exp(slope . x) * logit(p) + shift . x)``

    where ``x`` is the child's :data:`FEATURES` plus a constant ``bias`` 1, and ``logit``
    is clipped to ``p`` in ``[eps, 1 - eps]``. The slope is positive whatever ``x``, so
    for one child (one ``x``) the map never reorders two candidates. Then, when the
    child's mapped candidates sum to more than 1 (they are exclusive events), all are
    scaled down alike.
    """

    slope: Mapping[str, float]
    shift: Mapping[str, float]
    eps: float = 1e-3
    provenance: str = ""

    def mapper(self, x: Mapping[str, float]) -> Callable[[float], float]:
        """The map of one child with features ``x``."""
        a = math.exp(self.slope.get("bias", 0.0) + sum(
            self.slope.get(k, 0.0) * v for k, v in x.items()
        ))  # fmt: skip
        b = self.shift.get("bias", 0.0) + sum(self.shift.get(k, 0.0) * v for k, v in x.items())
        lo, hi = math.log(self.eps / (1 - self.eps)), math.log((1 - self.eps) / self.eps)

        def f(p: float) -> float:
            z = math.log(p / (1 - p)) if 0.0 < p < 1.0 else (hi if p >= 1.0 else lo)
            z = a * min(max(z, lo), hi) + b
            return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

        return f

    def child(self, x: Mapping[str, float], raw: Mapping[str, float]) -> dict[str, float]:
        """Every candidate of one child (``raw``: candidate -> marginal) mapped, then
        scaled down alike if together they exceed 1."""
        f = self.mapper(x)
        out = {u: f(p) for u, p in raw.items()}
        total = math.fsum(out.values())
        if total > 1.0:
            out = {u: q / total for u, q in out.items()}
        return out


def load_calibration(
    name: str = "fitted", path: str | Path = CALIBRATION_FILE
) -> Calibration | None:
    """The calibration map ``name`` of a file bench/calibrate.py wrote: ``fitted`` (fitted
    on every source: the default run's), ``fitted-without-<source>`` (a leave-one-source-
    out fold's), or ``off`` (None: confidences are the raw marginals). With no file,
    ``fitted`` is None too; any other name the file lacks is an error."""
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
    return Calibration(
        slope={k: float(v) for k, v in m["slope"].items()},
        shift={k: float(v) for k, v in m["shift"].items()},
        eps=float(data.get("eps", 1e-3)),
        provenance=(
            f"fitted by bench/calibrate.py on {', '.join(m['sources'])} on {data.get('date')}; "
            f"{path.name}"
        ),
    )
