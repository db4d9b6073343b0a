"""How sure an edge is: probabilities from the scores of a child's competing parents.

A child's candidate parents (the virtual root among them) compete through a softmax of
their scores; an edge's confidence is the chosen parent's share times the probability
that the link points this way and not the other.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = ["direction", "softmax"]


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
