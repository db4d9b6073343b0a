"""Reports of an Analysis: an offline HTML folder with a lineage diagram and a heatmap.

>>> from lineage.report import write_reports   # doctest: +SKIP
>>> write_reports(analysis, "reports")           # doctest: +SKIP
[PosixPath('reports/report.css'), ...]
"""

from __future__ import annotations

from lineage.report.diagram import render_lineage
from lineage.report.heatmap import render_heatmap
from lineage.report.html import write_reports

__all__ = ["render_heatmap", "render_lineage", "write_reports"]
