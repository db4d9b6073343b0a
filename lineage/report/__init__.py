"""Reports of an Analysis: an offline HTML site (docs/REPORTS.md).

An index of every story, one page per story (its diagram with every document, its
heatmap), per document and per chosen pair, outlet totals and a glossary.

>>> from lineage.report import write_reports   # doctest: +SKIP
>>> write_reports(analysis, "reports", max_pages=500)   # doctest: +SKIP
[PosixPath('reports/report.css'), ...]
"""

from __future__ import annotations

from lineage.report.diagram import lineage_svg, render_lineage
from lineage.report.heatmap import render_heatmap
from lineage.report.html import write_reports

__all__ = ["lineage_svg", "render_heatmap", "render_lineage", "write_reports"]
