"""lineage: find reused text across articles and infer who copied whom, with evidence.

Library first: ``lineage.analyze(paths)`` returns an :class:`Analysis` whose
``pairs_frame()``, ``documents_frame()``, ``passages_frame()`` and
``edges_frame()`` give pandas DataFrames for Jupyter; ``analysis.to_networkx()`` the
lineage forest as a graph, and :func:`export_graphml`, :func:`export_parquet` and
:func:`export_passim` write it for other tools.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lineage.files import OutputDir

# light: networkx and pyarrow are imported only when a graph or a table is made
from lineage.interchange import export_graphml, export_parquet, export_passim, to_networkx
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
    "export_graphml",
    "export_parquet",
    "export_passim",
    "to_networkx",
    "write_reports",
]
__version__ = "0.1.0"


def analyze(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    config: Config | None = None,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    follow_links: bool = False,
    exclude: Iterable[str | os.PathLike[str]] = (),
    **options: Any,
) -> Analysis:
    """Read ``paths`` (files and folders) and run every stage.

    Options of :class:`Config` may be given by name (``analyze(["seeds"],
    profile="revisions", workers=2)``), on top of ``config`` when both are given.
    ``follow_links`` and ``exclude`` go to :func:`lineage.ingest.read_corpus`.

    >>> a = analyze(["seeds"], profile="news")   # doctest: +SKIP
    >>> a.pairs_frame().head()                    # doctest: +SKIP
    """
    from dataclasses import fields, replace

    from lineage.pipeline import analyze as run

    known = {f.name for f in fields(Config)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise TypeError(
            f"analyze() got unknown option(s) {', '.join(unknown)}; "
            f"Config has {', '.join(sorted(known))}"
        )
    config = replace(config or Config(), **options)
    return run(paths, config, progress=progress, follow_links=follow_links, exclude=exclude)


def write_reports(
    analysis: Analysis,
    out: str | os.PathLike[str] | OutputDir,
    *,
    html: bool = True,
    generated_at: str | None = None,
    formats: Iterable[str] | None = None,
    max_pages: int | None = None,
    passage_text: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Path]:
    """Write everything ``lineage analyze`` writes into the folder ``out``: lineage.json,
    documents.csv, pairs.csv, edges.csv, passages.jsonl.gz and quotes.jsonl.gz; the
    files of ``formats`` ("graphml", "parquet", "passim"; none by default); then
    (unless ``html`` is false) the HTML report and its pictures, with ``max_pages``
    side-by-side pair pages (None: ``lineage.report.html.PAIR_PAGES``, 100). Returns the
    files written. ``passage_text``: passages.jsonl.gz also gives
    each passage's two texts (by default offsets into the documents' texts).
    ``progress(stage, done, total)`` is called as "exports" and "reports" advance.

    >>> lineage.write_reports(lineage.analyze(["seeds"]), "reports")   # doctest: +SKIP
    """
    from lineage.export import write_exports
    from lineage.files import output_dir

    with output_dir(out) as folder:  # the command line's open folder, or one of its own
        written = write_exports(
            analysis,
            folder,
            generated_at=generated_at,
            formats=formats,
            passage_text=passage_text,
            progress=progress,
        )
        if html:
            from lineage.report import write_reports as write_html

            written += write_html(
                analysis, folder, generated_at=generated_at, max_pages=max_pages, progress=progress
            )
    return written
