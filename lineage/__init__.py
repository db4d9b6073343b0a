"""lineage: find reused text across articles and infer who copied whom, with evidence.

Library first: ``lineage.analyze(paths)`` returns an :class:`Analysis` whose
``pairs_frame()``, ``documents_frame()``, ``passages_frame()`` and
``edges_frame()`` give pandas DataFrames for Jupyter.
"""

from __future__ import annotations

from lineage.model import (
    Alternative,
    Analysis,
    Config,
    Document,
    Edge,
    Origin,
    Pair,
    Passage,
    Skipped,
)

__all__ = [
    "Alternative",
    "Analysis",
    "Config",
    "Document",
    "Edge",
    "Origin",
    "Pair",
    "Passage",
    "Skipped",
    "analyze",
]
__version__ = "0.1.0"


def analyze(paths, config=None, **kwargs):  # type: ignore[no-untyped-def]
    """Run the whole pipeline over files/folders; see :func:`lineage.pipeline.analyze`."""
    from lineage.pipeline import analyze as _analyze

    return _analyze(paths, config, **kwargs)
