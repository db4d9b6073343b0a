"""Who copied whom: evidence scorers, then the derivation forest chosen globally.

The package, one room per job:

* :mod:`~lineage.infer.weights` -- :class:`Weights` and the named :data:`PROFILES`,
  with where their numbers come from (:data:`PROVENANCE`);
* :mod:`~lineage.infer.features` -- what is computed once per document, pair and story;
* :mod:`~lineage.infer.scorers` -- one registered scorer per kind of evidence, each
  returning :class:`~lineage.model.Evidence` records;
* :mod:`~lineage.infer.forest` -- the maximum spanning arborescence over each story;
* :mod:`~lineage.infer.confidence` -- how sure each edge is;
* :mod:`~lineage.infer.explain` -- the one place records become sentences.
"""

from __future__ import annotations

from lineage.infer.explain import explained, render
from lineage.infer.features import (
    Features,
    features_of,
    hours_between,
    house_styles,
    missing_runs,
    own_dateline_mask,
)
from lineage.infer.forest import ROOT, infer_lineage
from lineage.infer.scorers import (
    SCORERS,
    credit_evidence,
    dateline_evidence,
    origin_evidence,
    reuse_evidence,
    text_direction_evidence,
    time_evidence,
    title_evidence,
    variant_evidence,
)
from lineage.infer.weights import PROFILES, PROVENANCE, Weights
from lineage.model import Evidence

__all__ = [
    "PROFILES",
    "PROVENANCE",
    "ROOT",
    "SCORERS",
    "Evidence",
    "Features",
    "Weights",
    "credit_evidence",
    "dateline_evidence",
    "explained",
    "features_of",
    "hours_between",
    "house_styles",
    "infer_lineage",
    "missing_runs",
    "origin_evidence",
    "own_dateline_mask",
    "render",
    "reuse_evidence",
    "text_direction_evidence",
    "time_evidence",
    "title_evidence",
    "variant_evidence",
]
