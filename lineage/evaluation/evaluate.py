"""The evaluation's public names in one place (``from lineage.evaluation.evaluate import ...``).

The code lives in one module per job: :mod:`~lineage.evaluation.metrics` (truth and
prediction records, every metric, ``evaluate``), :mod:`~lineage.evaluation.baselines`,
:mod:`~lineage.evaluation.datasets` (loaders and opaque ids) and
:mod:`~lineage.evaluation.gate`. Metric definitions: ``docs/METRICS.md``.
"""

from __future__ import annotations

from lineage.evaluation.baselines import (
    baseline_longer_is_newer,
    baseline_most_similar_earlier,
    baseline_mst,
    baseline_nj,
    neighbour_joining,
)
from lineage.evaluation.metrics import (
    Metrics,
    Prediction,
    Truth,
    average_sign_distance,
    evaluate,
    load_prediction,
    load_truth,
    plagdet,
    score,
    story_scores,
    truth_dict,
)

__all__ = [
    "Metrics",
    "Prediction",
    "Truth",
    "average_sign_distance",
    "baseline_longer_is_newer",
    "baseline_most_similar_earlier",
    "baseline_mst",
    "baseline_nj",
    "evaluate",
    "load_prediction",
    "load_truth",
    "neighbour_joining",
    "plagdet",
    "score",
    "story_scores",
    "truth_dict",
]
