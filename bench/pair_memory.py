"""Memory held by an analysis's pairs and passages, by kind of field.

    python bench/pair_memory.py CORPUS [--workers 2]

Walks ``Analysis.pairs`` with ``sys.getsizeof``, counting each object once (shared strings
and tuples too), and reports the total, the passages' texts and their edit scripts
(docs/BENCHMARKS.md, "Pairs and passages in memory").
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import lineage
from lineage.model import Passage


def deep_size(obj: Any, seen: set[int]) -> int:
    """Bytes of ``obj`` and everything it holds, each object counted once in ``seen``."""
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    n = sys.getsizeof(obj)
    if isinstance(obj, (tuple, list)):
        n += sum(deep_size(x, seen) for x in obj)
    elif isinstance(obj, dict):
        n += sum(deep_size(v, seen) for v in obj.values())
    elif hasattr(obj, "__slots__") or hasattr(obj, "__dict__"):
        if hasattr(obj, "__dict__"):
            n += sys.getsizeof(obj.__dict__)
            names = list(vars(obj))
        else:
            names = list(obj.__slots__)
        n += sum(deep_size(getattr(obj, k), seen) for k in names)
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    a = lineage.analyze([args.corpus], workers=args.workers)
    passages = [p for pr in a.pairs for p in pr.passages]
    total = deep_size(list(a.pairs), set())
    seen: set[int] = set()
    # the strings passages hold their texts in: their own spans' copies (a_text fields,
    # before), or the documents' texts they slice from (a_src, now)
    side = ("a_src", "b_src") if hasattr(Passage, "a_src") else ("a_text", "b_text")
    texts = sum(deep_size(getattr(p, f), seen) for p in passages for f in side)
    seen = set()
    ops = sum(deep_size(p.ops, seen) for p in passages)
    doc_text = sum(len(d.text) for d in a.documents)
    print(
        f"pairs {len(a.pairs):,}  passages {len(passages):,}  pairs+passages "
        f"{total / 1e6:.1f} MB  strings the passages hold ({side[0]}, {side[1]}) "
        f"{texts / 1e6:.1f} MB  ops {ops / 1e6:.1f} MB  "
        f"document text {doc_text / 1e6:.2f} M characters"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
