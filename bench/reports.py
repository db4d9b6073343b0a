"""Report writing time: 1 worker against 2; and time per story as stories grow.

    python bench/reports.py [--docs 10000] [--seed 1] [--rounds 2]
    python bench/reports.py --scaling [--stories 1000 3000 10000]

``--scaling`` builds Analyses of 1k to 10k stories directly (three documents each, an
original and two copies, plus as many standalone documents), so only the report is
timed, with one worker. Each size is written twice and the best kept; the floor, in the
same run, writes the same number of files of the same total size with the same atomic
writer. Time per story stays flat when no step grows with the square of anything.

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


_WORDS = (
    "the council said on monday that a new plan for the city would cost more than "
    "expected after months of talks with residents and local firms who had asked for "
    "changes to roads schools parks and homes across the northern district"
).split()


def story_analysis(n_stories: int, *, seed: int = 1):  # type: ignore[no-untyped-def]
    """``n_stories`` stories of an original and two copies, and as many standalones."""
    import datetime as dt
    import random

    from lineage.model import Analysis, Document, Edge, Origin, Pair, Passage

    rng = random.Random(seed)
    docs, pairs, edges, origins, stories = [], [], [], [], []
    day = dt.datetime(2024, 1, 1)
    for s in range(n_stories):
        base = " ".join(rng.choice(_WORDS) for _ in range(160))
        ids = [f"s{s:05d}-{k}" for k in range(3)]
        for k, i in enumerate(ids):
            docs.append(Document(id=i, text=base, path=f"{i}.txt", title=f"Story {s} take {k}",
                                 outlet=f"Outlet {rng.randrange(60)}",
                                 date=day + dt.timedelta(hours=s + k)))  # fmt: skip
        n = len(base)
        for a, b in ((ids[0], ids[1]), (ids[0], ids[2]), (ids[1], ids[2])):
            p = Passage(a, b, 0, n, 0, n, 160, 160, 1.0, False, base, base, (0, 160), (0, 160))
            pairs.append(Pair(a, b, 1.0, 1.0, 1.0, (p,), 160, 1.0, 1.0, 1.0, 1.0))
        edges += [Edge(ids[0], ids[1], 0.9, ("reuse: the same text",)),
                  Edge(ids[0], ids[2], 0.8, ("reuse: the same text",))]  # fmt: skip
        origins.append(Origin(ids[0], "original", "copied by the others"))
        stories.append(tuple(ids))
        single = f"u{s:05d}"
        docs.append(Document(id=single, text=" ".join(rng.choice(_WORDS) for _ in range(120)),
                             path=f"{single}.txt", title=None, outlet="Elsewhere"))  # fmt: skip
        stories.append((single,))
    return Analysis(documents=tuple(docs), pairs=tuple(pairs), edges=tuple(edges),
                    origins=tuple(origins), stories=tuple(stories),
                    config=Config(workers=1))  # fmt: skip


def scaling(sizes: list[int], *, tmp_root: str | None = None, rounds: int = 2) -> None:
    """Sizes interleaved round by round (so all see the same machine load), best kept."""
    import shutil

    from lineage.files import write_text_atomic

    analyses = {n: story_analysis(n) for n in sizes}
    best = {n: float("inf") for n in sizes}
    cpu = {n: float("inf") for n in sizes}
    floor = {n: float("inf") for n in sizes}
    files, size = {}, {}
    for _ in range(rounds):
        for n in sizes:
            with tempfile.TemporaryDirectory(dir=tmp_root) as tmp:
                t, c = time.perf_counter(), time.process_time()
                written = write_reports(analyses[n], Path(tmp) / "out")
                best[n] = min(best[n], time.perf_counter() - t)
                # CPU time of this process: what the report costs, whatever else runs
                cpu[n] = min(cpu[n], time.process_time() - c)
                files[n] = len(written)
                size[n] = sum(p.stat().st_size for p in written)
                shutil.rmtree(Path(tmp) / "out")
                body = "x" * (size[n] // max(1, files[n]))
                t = time.perf_counter()
                for k in range(files[n]):
                    write_text_atomic(Path(tmp) / "floor" / f"{k % 64}" / f"{k}.html", body)
                floor[n] = min(floor[n], time.perf_counter() - t)
    print("| stories | documents | files | MB | report s | floor s | report / floor "
          "| ms per story | CPU ms per story |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        print(f"| {n:,} | {len(analyses[n].documents):,} | {files[n]:,} | {size[n] / 1e6:.1f} "
              f"| {best[n]:.1f} | {floor[n]:.1f} | {best[n] / floor[n]:.1f}x "
              f"| {best[n] / n * 1000:.2f} | {cpu[n] / n * 1000:.2f} |")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--scaling", action="store_true", help="time per story, 1k to 10k")
    ap.add_argument("--stories", type=int, nargs="+", default=[1_000, 3_000, 10_000])
    ap.add_argument("--tmp", default=None, help="folder for the reports (e.g. /dev/shm)")
    args = ap.parse_args()
    if args.scaling:
        scaling(args.stories, tmp_root=args.tmp, rounds=args.rounds)
        return
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
