"""Machine-readable outputs: lineage.json, CSV tables and passages.jsonl.

The JSON contract (fields are added over time, never renamed)::

    {"documents": [{"id", "title", "outlet", "date", "path", "words", "boilerplate_words", ...}],
     "pairs": [{"a", "b", "jaccard", "a_in_b", "b_in_a", "passages", "reused_words", ...}],
     "edges": [{"parent", "child", "confidence", "evidence", "alternatives"}],
     "origins": [{"id", "kind", "reason", "confidence"}],
     "stories": [[id, ...], ...], "skipped": [{"path", "line", "reason"}],
     "duplicates": [{"representative", "kind", "members"}], ...}

Everything is written atomically and deterministically (sorted, no timestamps unless
``generated_at`` is given), so two runs over the same input can be diffed.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from lineage import __version__
from lineage.files import OutputDir, output_dir
from lineage.model import (
    _DOC_COLUMNS,
    _PAIR_COLUMNS,
    _PASSAGE_COLUMNS,
    Analysis,
    _document_row,
    _pair_row,
    _passage_row,
)

__all__ = ["to_dict", "write_exports"]


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
        "duplicates": [
            {"representative": g.representative, "kind": g.kind, "members": list(g.members)}
            for g in analysis.duplicates
        ],
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
    return {
        "documents": len(analysis.documents),
        "skipped": len(analysis.skipped),
        "pairs": len(analysis.pairs),
        "passages": sum(len(p.passages) for p in analysis.pairs),
        "edges": len(analysis.edges),
        "stories": sum(1 for s in analysis.stories if len(s) > 1),
    }


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in columns})
    return buf.getvalue()


def write_exports(
    analysis: Analysis, out_dir: str | Path | OutputDir, *, generated_at: str | None = None
) -> list[Path]:
    """Write lineage.json, documents.csv, pairs.csv, edges.csv and passages.jsonl."""
    with output_dir(out_dir) as out:
        return _write_exports(analysis, out, generated_at=generated_at)


def _write_exports(
    analysis: Analysis, out: OutputDir, *, generated_at: str | None = None
) -> list[Path]:
    data = to_dict(analysis, generated_at=generated_at)
    written = [
        out.write_text("lineage.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n"),
        out.write_text(
            "documents.csv",
            _csv([_document_row(analysis, d) for d in analysis.documents], _DOC_COLUMNS),
        ),
        out.write_text("pairs.csv", _csv([_pair_row(p) for p in analysis.pairs], _PAIR_COLUMNS)),
        out.write_text(
            "edges.csv",
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
    written.append(out.write_text("passages.jsonl", "".join(x + "\n" for x in lines)))
    return written
