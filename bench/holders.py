"""What the parent process holds per document, stage by stage, in one analysis.

    python bench/holders.py CORPUS.jsonl [--workers 2] [--tracemalloc] [--json out.json]

Runs ``lineage.analyze`` on ``CORPUS`` in this process, with the pipeline's stage
functions wrapped from here (nothing in ``lineage`` changes), and at each stage's end
measures in the parent:

* its own PSS and RSS (``/proc/self/smaps_rollup``);
* the size of what it holds: the documents (texts, the ``Document`` objects and their
  other fields), the per-document ``AlignedDoc`` / ``Tokens`` / ``Fingerprint`` objects
  (the array *objects*; their data, in memory or in the mapped store, is counted
  apart), the pairs and their passages and edit scripts, the tokens dict of inference;
* with ``--tracemalloc``, the top allocation sites alive at each stage end (slow: about
  twice the run's time).

Prints a table: holder, MB, bytes per document (docs/BENCHMARKS.md, round s23mem).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))


def _rollup() -> dict[str, int]:
    with open("/proc/self/smaps_rollup", encoding="ascii") as f:
        lines = f.read().splitlines()[1:]
    out = {}
    for line in lines:
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            out[key] = int(parts[0]) * 1024
    return out


def _str_bytes(s: object) -> int:
    return sys.getsizeof(s) if isinstance(s, str) else 0


def documents_size(docs: Any) -> dict[str, int]:
    """Texts, and the objects around them (ids, paths, titles, spans...)."""
    texts = objects = 0
    seen: set[int] = set()
    for d in docs:
        if id(d.text) not in seen:
            seen.add(id(d.text))
            texts += sys.getsizeof(d.text)
        objects += sys.getsizeof(d) + sys.getsizeof(getattr(d, "__dict__", {}))
        for name, v in vars(d).items():
            if name == "text":
                continue
            objects += _str_bytes(v)
            if isinstance(v, tuple):
                objects += sys.getsizeof(v) + sum(sys.getsizeof(x) for x in v)
            elif v is not None and not isinstance(v, (str, bool, int)):
                objects += sys.getsizeof(v)
    return {"document texts": texts, "Document objects and fields": objects}


def _array_objects(arrays: list[Any]) -> tuple[int, int]:
    """(bytes of the ndarray objects, bytes of data they own) of ``arrays``."""
    obj = data = 0
    for a in arrays:
        obj += sys.getsizeof(a) - (a.nbytes if a.base is None else 0)
        data += a.nbytes if a.base is None else 0
    return obj, data


def aligned_size(aligned: Any) -> dict[str, int]:
    if not isinstance(aligned, list):  # lineage.columns.Columns: no object a document
        lists = sys.getsizeof(aligned.ids) + sys.getsizeof(aligned.texts)
        return {"Columns (its id and text lists)": lists}
    objs = views = owned = 0
    for a in aligned:
        t, fp = a.tokens, a.fp
        objs += sys.getsizeof(a) + sys.getsizeof(vars(a))
        objs += sys.getsizeof(t) + sys.getsizeof(vars(t)) + sys.getsizeof(fp)
        objs += sys.getsizeof(vars(fp))
        arrays = [t.hashes, t.starts, t.ends, t.quoted, t.boilerplate]
        arrays += [fp.positions, fp.hashes, fp.unique]
        arrays += [v for k, v in vars(a).items() if k in ("content", "narrative")]
        o, d = _array_objects(arrays)
        views += o
        owned += d
    return {
        "AlignedDoc/Tokens/Fingerprint objects": objs,
        "ndarray view objects": views,
        "ndarray data owned by the views": owned,
    }


def pairs_size(pairs: Any) -> dict[str, int]:
    pair_obj = passage_obj = scripts = 0
    n_passages = 0
    for p in pairs:
        pair_obj += sys.getsizeof(p) + sys.getsizeof(p.passages)
        for s in p.passages:
            n_passages += 1
            passage_obj += sys.getsizeof(s) + sys.getsizeof(s.a_tok) + sys.getsizeof(s.b_tok)
            passage_obj += sys.getsizeof(s.similarity)
            scripts += sys.getsizeof(s.ops) + sys.getsizeof(getattr(s.ops, "_data", b""))
    return {
        "Pair objects": pair_obj,
        "Passage objects": passage_obj,
        "edit scripts": scripts,
        "_passages": n_passages,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--tracemalloc", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args(argv)

    import lineage
    from lineage import pipeline
    from lineage.model import Config

    rows: list[dict[str, Any]] = []
    t0 = time.perf_counter()

    def note(stage: str, sizes: dict[str, int]) -> None:
        r = _rollup()
        row: dict[str, Any] = {
            "stage": stage,
            "seconds": round(time.perf_counter() - t0, 1),
            "pss": r.get("Pss", 0),
            "rss": r.get("Rss", 0),
            "anon": r.get("Pss_Anon", 0),
            "file": r.get("Pss_File", 0),
            **sizes,
        }
        if args.tracemalloc:
            snap = tracemalloc.take_snapshot()
            stats = snap.statistics("lineno")[:12]
            row["top"] = [(str(s.traceback[0]), s.size) for s in stats]
        rows.append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "top"}), file=sys.stderr)
        for site, size in row.get("top", []):
            print(f"    {size / 1e6:9.1f} MB  {site}", file=sys.stderr)

    held: dict[str, Any] = {}
    prepare, align_all, after = pipeline._prepare, pipeline._align_all, pipeline.after_pairs
    candidates = pipeline._candidates

    def _prepare(docs: Any, *a: Any, **k: Any) -> Any:
        note("after chrome", documents_size(docs))
        out = prepare(docs, *a, **k)
        held["docs"] = docs
        note("after fingerprints", {**documents_size(docs), **aligned_size(out)})
        return out

    def _candidates(fps: Any, *a: Any, **k: Any) -> Any:
        out = candidates(fps, *a, **k)
        note(
            "after candidates",
            {"candidate array": out[0].nbytes + out[1].nbytes, **documents_size(held["docs"])},
        )
        return out

    def _align_all(aligned: Any, *a: Any, **k: Any) -> Any:
        out = align_all(aligned, *a, **k)
        note(
            "after alignment",
            {**documents_size(held["docs"]), **aligned_size(aligned), **pairs_size(out)},
        )
        return out

    def _after(docs: Any, pairs: Any, tokens: Any, *a: Any, **k: Any) -> Any:
        note("before inference", {**documents_size(docs), **pairs_size(pairs)})
        out = after(docs, pairs, tokens, *a, **k)
        note("after quotations", {**documents_size(docs), **pairs_size(pairs)})
        return out

    pipeline._prepare = _prepare  # type: ignore[assignment]
    pipeline._candidates = _candidates  # type: ignore[assignment]
    pipeline._align_all = _align_all  # type: ignore[assignment]
    pipeline.after_pairs = _after  # type: ignore[assignment]
    if args.tracemalloc:
        tracemalloc.start()
    a = lineage.analyze([args.corpus], Config(workers=args.workers))
    note("analysis returned", {**documents_size(a.documents), **pairs_size(a.pairs)})
    n = len(a.documents)
    print(f"\n{n:,} documents, {len(a.pairs):,} pairs, pid {os.getpid()}\n")
    print("| stage | holder | MB | bytes / document |")
    print("|---|---|---:|---:|")
    for row in rows:
        for k, v in row.items():
            if k in ("stage", "seconds", "top") or k.startswith("_"):
                continue
            print(f"| {row['stage']} | {k} | {v / 2**20:,.1f} | {v / n:,.0f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
