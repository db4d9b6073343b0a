"""The quotes panel of the report: what the copies did to what people said.

Built once per report from ``Analysis.quotes`` and handed to the templates as the
``quotes`` global, so the pair pages (written by forked workers) and the index read one
index instead of scanning every finding per page. Sentences come from
:func:`lineage.quotes.describe`, the one place quote findings become prose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lineage.model import QUOTE_KINDS, Analysis, QuoteMatch
from lineage.quotes import describe

__all__ = ["QuotePanels"]

# what a reader is told first: changes to what someone said, then what stayed the same
_RANK = {k: i for i, k in enumerate(QUOTE_KINDS)}
_LABEL = {
    "misattributed": "wrong speaker",
    "reworded": "reworded",
    "merged": "merged",
    "split": "split",
    "trimmed": "shortened",
    "identical": "as in the source",
    "new": "new quote",
    "dropped": "left out",
}
_INDEX_KINDS = ("misattributed", "reworded", "merged")  # what the index lists, corpus-wide


class QuotePanels:
    """Quote findings by document pair, and the corpus-wide list for the index."""

    def __init__(self, analysis: Analysis, *, name: Callable[[str], str], limit: int = 50) -> None:
        self._name = _Names(name)
        self._limit = limit
        self._by_pair: dict[frozenset[str], list[QuoteMatch]] = {}
        for m in analysis.quotes.matches:
            self._by_pair.setdefault(frozenset((m.parent, m.child)), []).append(m)
        self._all = [m for m in analysis.quotes.matches if m.kind in _INDEX_KINDS]

    def _rows(self, matches: list[QuoteMatch], limit: int) -> dict[str, Any]:
        ordered = sorted(matches, key=lambda m: _RANK[m.kind])  # stable: text order within
        counts = {k: 0 for k in QUOTE_KINDS}
        for m in matches:
            counts[m.kind] += 1
        rows = [
            {"kind": m.kind, "label": _LABEL[m.kind], "text": describe(m, name=self._name)}
            for m in ordered[:limit]
        ]
        return {
            "rows": rows,
            "more": max(0, len(ordered) - limit),
            "counts": [{"kind": k, "label": _LABEL[k], "n": n} for k, n in counts.items() if n],
            "total": len(matches),
        }

    def pair(self, a: str, b: str) -> dict[str, Any]:
        """The findings between documents ``a`` and ``b`` (either direction)."""
        return self._rows(self._by_pair.get(frozenset((a, b)), []), 10**6)

    def index(self) -> dict[str, Any]:
        """Misattributions, rewordings and merges over the whole corpus."""
        return self._rows(self._all, self._limit)


class _Names(dict[str, str]):
    """Display names looked up on demand (``describe`` takes a mapping)."""

    def __init__(self, name: Callable[[str], str]) -> None:
        super().__init__()
        self._f = name

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return self._f(key)
