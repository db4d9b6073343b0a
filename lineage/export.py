"""Machine-readable outputs: lineage.json, CSV tables and passages.jsonl.

The JSON contract (fields are added over time, never renamed)::

    {"documents": [{"id", "title", "outlet", "date", "path", "words", "boilerplate_words", ...}],
     "pairs": [{"a", "b", "jaccard", "a_in_b", "b_in_a", "passages", "reused_words", ...}],
     "edges": [{"parent", "child", "confidence", "evidence", "alternatives"}],
     "origins": [{"id", "kind", "reason", "confidence"}],
     "stories": [[id, ...], ...], "skipped": [{"path", "line", "reason"}], ...}

Everything is written atomically and deterministically (sorted, no timestamps unless
``generated_at`` is given), so two runs over the same input can be diffed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lineage import __version__
from lineage.files import write_text_atomic
from lineage.interchange import write_formats
from lineage.model import (
    _DOC_COLUMNS,
    _PAIR_COLUMNS,
    _PASSAGE_COLUMNS,
    Analysis,
    _document_row,
    _pair_row,
    _passage_row,
)

__all__ = ["spreadsheet_safe", "summary", "to_dict", "write_exports"]


def to_dict(analysis: Analysis, *, generated_at: str | None = None) -> dict[str, Any]:
    """The whole analysis as plain JSON-ready data."""
    docs = []
    for d in analysis.documents:
        row = _document_row(analysis, d)
        row.update(
            {
                "url": d.url,
                "dateline_outlet": d.dateline_outlet,
                "host_outlet": d.host_outlet,
                "boilerplate": [list(s) for s in d.boilerplate],
                "format": d.source_format,
                "line": d.line,
            }
        )
        docs.append(row)
    pairs = []
    for p in analysis.pairs:
        row = _pair_row(p)
        row["shingle_containment_a"] = p.shingle_containment_a
        row["shingle_containment_b"] = p.shingle_containment_b
        pairs.append(row)
    out: dict[str, Any] = {
        "documents": docs,
        "pairs": pairs,
        "edges": [
            {
                "parent": e.parent,
                "child": e.child,
                "confidence": e.confidence,
                "evidence": list(e.evidence),
                "alternatives": [
                    {"parent": a.parent, "confidence": a.confidence} for a in e.alternatives
                ],
            }
            for e in analysis.edges
        ],
        "origins": [
            {"id": o.id, "kind": o.kind, "reason": o.reason, "confidence": o.confidence}
            for o in analysis.origins
        ],
        "stories": [list(s) for s in analysis.stories],
        "skipped": [{"path": s.path, "line": s.line, "reason": s.reason} for s in analysis.skipped],
        "notices": [{"path": s.path, "line": s.line, "reason": s.reason} for s in analysis.notices],
        "summary": summary(analysis),
        "config": {k: v for k, v in vars(analysis.config).items() if k != "generated_at"},
        "generator": f"lineage {__version__}",
    }
    if generated_at:
        out["generated_at"] = generated_at
    return out


def summary(analysis: Analysis) -> dict[str, int]:
    """The counts of a run. ``stories`` counts every entry of ``stories`` (a document that
    shares nothing is a story of its own); ``shared_stories`` those of two or more."""
    return {
        "documents": len(analysis.documents),
        "skipped": len(analysis.skipped),
        "pairs": len(analysis.pairs),
        "passages": sum(len(p.passages) for p in analysis.pairs),
        "edges": len(analysis.edges),
        "stories": len(analysis.stories),
        "shared_stories": sum(1 for s in analysis.stories if len(s) > 1),
    }


# A cell that starts with one of these is a formula to Excel, LibreOffice and Google
# Sheets ("=HYPERLINK(...)", but also an innocent "-30 tonight"); OWASP's CSV-injection
# advice is to prefix such text with a single quote, which spreadsheets show as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet never runs: text that starts like a formula
    gets a leading ``'``; numbers (a negative one included) stay numbers.

    >>> spreadsheet_safe("=1+1"), spreadsheet_safe("-30 tonight"), spreadsheet_safe(-0.5)
    ("'=1+1", "'-30 tonight", -0.5)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else spreadsheet_safe(r.get(k))) for k in columns})
    return buf.getvalue()


_SURROGATE = re.compile("[\ud800-\udfff]")


def _write(path: Path, text: str) -> Path:
    """Write ``text`` as UTF-8. Note: ingest already replaces lone surrogates; documents
    built by hand (``analyze_documents``) may still hold one, and it must cost a U+FFFD,
    not the whole run's output."""
    return write_text_atomic(path, _SURROGATE.sub("\ufffd", text))


def write_exports(
    analysis: Analysis,
    out_dir: str | Path,
    *,
    generated_at: str | None = None,
    formats: Iterable[str] | None = None,
) -> list[Path]:
    """Write lineage.json, documents.csv, pairs.csv, edges.csv and passages.jsonl, then
    the files of ``formats`` (see :func:`lineage.interchange.write_formats`: GraphML
    and, when pyarrow is installed, Parquet by default)."""
    out = Path(out_dir)
    data = to_dict(analysis, generated_at=generated_at)
    written = [
        _write(out / "lineage.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n"),
        _write(
            out / "documents.csv",
            _csv([_document_row(analysis, d) for d in analysis.documents], _DOC_COLUMNS),
        ),
        _write(out / "pairs.csv", _csv([_pair_row(p) for p in analysis.pairs], _PAIR_COLUMNS)),
        _write(
            out / "edges.csv",
            _csv(
                [
                    {
                        "parent": e.parent,
                        "child": e.child,
                        "confidence": e.confidence,
                        "evidence": " | ".join(e.evidence),
                    }
                    for e in analysis.edges
                ],
                ["parent", "child", "confidence", "evidence"],
            ),
        ),
    ]
    lines = [
        json.dumps({c: _passage_row(p)[c] for c in _PASSAGE_COLUMNS}, ensure_ascii=False)
        for p in analysis.passages
    ]
    written.append(_write(out / "passages.jsonl", "".join(x + "\n" for x in lines)))
    written += write_formats(analysis, out, formats=formats)
    return written
