"""Report writing time: 1 worker against 2, on one analysis, alternating.

    python bench/reports.py [--docs 10000] [--seed 1] [--rounds 2]

The corpus is ``bench/throughput.py``'s ``make_corpus`` (simulated stories, edited
copies and unrelated texts), analyzed once; ``write_reports`` then writes the HTML
report (index, pictures, one page per pair) into fresh folders, with 1 and 2 workers in
turn, so both see the same machine load. The two folders are checked to be
byte-identical. Prints a markdown table (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from throughput import make_corpus  # noqa: E402

import lineage  # noqa: E402
from lineage.model import Config  # noqa: E402
from lineage.report import write_reports  # noqa: E402


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        with corpus.open("w", encoding="utf-8") as f:
            for r in make_corpus(args.docs, args.seed):
                f.write(json.dumps(r) + "\n")
        analysis = lineage.analyze([corpus])
        times: dict[int, list[float]] = {1: [], 2: []}
        for r in range(args.rounds):
            for workers in (1, 2):
                out = Path(tmp) / f"r{r}-w{workers}"
                a = dataclasses.replace(analysis, config=Config(workers=workers))
                t = time.perf_counter()
                written = write_reports(a, out)
                times[workers].append(time.perf_counter() - t)
            same = tree(Path(tmp) / f"r{r}-w1") == tree(Path(tmp) / f"r{r}-w2")
            assert same, "1-worker and 2-worker reports differ"
        print(f"{args.docs:,} documents, {len(analysis.pairs):,} pairs, {len(written):,} files")
        print("| workers | seconds per round | best |")
        print("|---:|---|---:|")
        for w, ts in times.items():
            print(f"| {w} | {', '.join(f'{t:.1f}' for t in ts)} | {min(ts):.1f} |")
        print(f"\nspeedup (best 1 / best 2): {min(times[1]) / min(times[2]):.2f}x")


if __name__ == "__main__":
    main()
