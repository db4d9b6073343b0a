"""Machine-readable outputs: lineage.json, CSV tables and passages.jsonl.

The JSON contract (fields are added over time, never renamed)::

    {"documents": [{"id", "title", "outlet", "date", "path", "words", "boilerplate_words", ...}],
     "pairs": [{"a", "b", "jaccard", "a_in_b", "b_in_a", "passages", "reused_words", ...}],
     "edges": [{"parent", "child", "confidence", "evidence": [{"kind", "sign", "score",
                "facts", "text"}], "alternatives"}],
     "origins": [{"id", "kind", "reason", "confidence", "evidence"}],
     "stories": [[id, ...], ...], "skipped": [{"path", "line", "reason"}], ...}

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
from lineage.files import write_text_atomic
from lineage.model import (
    _DOC_COLUMNS,
    _PAIR_COLUMNS,
    _PASSAGE_COLUMNS,
    Analysis,
    Evidence,
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
                "evidence": [evidence_record(x) for x in e.evidence],
                "alternatives": [
                    {"parent": a.parent, "confidence": a.confidence} for a in e.alternatives
                ],
            }
            for e in analysis.edges
        ],
        "origins": [
            {
                "id": o.id,
                "kind": o.kind,
                "reason": o.reason,
                "confidence": o.confidence,
                "evidence": [evidence_record(x) for x in o.evidence],
            }
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


def evidence_record(ev: Evidence) -> dict[str, Any]:
    """One evidence record as JSON: kind, sign, score, the facts and its sentence."""
    return {
        "kind": ev.kind,
        "sign": ev.sign,
        "score": round(ev.score, 4),
        "facts": {k: _plain(v) for k, v in ev.facts.items()},
        "text": ev.text,
    }


def _plain(v: Any) -> Any:
    """JSON-ready: tuples as lists, numpy scalars as Python numbers, floats to 6 places."""
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    if isinstance(v, float):
        return round(v, 6)
    return v


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
    analysis: Analysis, out_dir: str | Path, *, generated_at: str | None = None
) -> list[Path]:
    """Write lineage.json, documents.csv, pairs.csv, edges.csv and passages.jsonl."""
    out = Path(out_dir)
    data = to_dict(analysis, generated_at=generated_at)
    written = [
        write_text_atomic(
            out / "lineage.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        ),
        write_text_atomic(
            out / "documents.csv",
            _csv([_document_row(analysis, d) for d in analysis.documents], _DOC_COLUMNS),
        ),
        write_text_atomic(
            out / "pairs.csv", _csv([_pair_row(p) for p in analysis.pairs], _PAIR_COLUMNS)
        ),
        write_text_atomic(
            out / "edges.csv",
            _csv(
                [
                    {
                        "parent": e.parent,
                        "child": e.child,
                        "confidence": e.confidence,
                        "evidence": " | ".join(e.reasons),
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
    written.append(write_text_atomic(out / "passages.jsonl", "".join(x + "\n" for x in lines)))
    return written
