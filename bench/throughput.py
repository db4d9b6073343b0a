"""Throughput benchmark: documents/s per pipeline stage, peak memory, candidate pairs
against all pairs, and the 1-worker vs 2-worker speedup, at growing corpus sizes.

    python bench/throughput.py [--sizes 1000,5000,20000] [--seed 1] [--repeat 1]
                               [--dupes 100,200,400]

Corpora (``make_corpus``): syndication stories from :func:`lineage.evaluation.simulate.simulate`
(one story per 7 documents wanted, at most 700 stories: the base texts run out near
875), then, to reach the size, 40% edited copies of base texts (clusters of 2-4 copies,
1-10% of words edited) and 60% unrelated Markov-chain texts (``bench/synthetic.py``).
Each corpus is written as JSONL to a temporary folder and analyzed by a fresh
subprocess per (size, workers), so ingest is timed, and peak memory (``ru_maxrss`` of
the analyzing process; forked workers are reported apart) belongs to that run alone.
1-worker and 2-worker runs of one size alternate within the same run, so their ratio
is measured under the same machine load.

``--before DIR``: a before/after table instead (``--before-workers``, default 1),
alternating runs of the
``lineage`` package found in DIR (e.g. ``git archive <commit> lineage | tar -x -C DIR``)
and of this checkout on the same corpus files.

``--dupes``: the pathological case, one story of K lightly edited copies of one text,
where every pair is a candidate and every pair is aligned: K(K-1)/2 pairs.

Every size also times the **floor** in its own process, in the same run: read the
JSONL and regex-tokenize each text (``FLOOR_WORD``, one process), the least any
analysis of the corpus must do. Totals are given as ratios to it, since the machine
is shared and absolute seconds drift with its load.

Prints markdown tables (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if os.environ.get("LINEAGE_ROOT"):  # --before: time another checkout's lineage package
    sys.path.insert(0, os.environ["LINEAGE_ROOT"])
    # an editable install's import hook would still find this checkout's package first
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]

import synthetic  # noqa: E402  (bench/synthetic.py, after the path tweak)

STAGES = ("ingest", "fingerprints", "candidates", "alignment", "inference")
# The floor's tokenizer: lineage's word pattern, written out here so that a --before run
# times the same floor whatever the package's version.
FLOOR_WORD = re.compile(r"\w+(?:['\u2019\u02bc]\w+)*")


def floor_child(path: str) -> dict:
    """The floor, in this process: read the JSONL, regex-tokenize every text."""
    import resource

    t, c = time.perf_counter(), time.process_time()
    docs = words = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            words += len(FLOOR_WORD.findall(json.loads(line)["text"]))
            docs += 1
    return {
        "docs": docs,
        "words": words,
        "wall": time.perf_counter() - t,
        "cpu": time.process_time() - c,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def floor(path: Path) -> dict:
    """:func:`floor_child` in a fresh process (its memory is its own)."""
    out = subprocess.run(
        [sys.executable, __file__, "--floor", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_corpus(n: int, seed: int, *, bounded: bool = False) -> list[dict]:
    """``n`` JSONL records: simulated stories, edited-copy clusters, unrelated texts.

    Each cluster of 2-4 edited copies (1-10% of words edited) comes from one of the
    simulated stories' base texts, so a base text gets more copies as the corpus grows;
    ``bounded``: from a base text of its own (a Markov-chain text of 150-600 words), so
    story sizes do not grow with the corpus (``bench/scale.py --corpus bounded``)."""
    from lineage.evaluation.simulate import simulate

    rng = np.random.default_rng(seed)
    stories = max(2, min(n // 7, 700))
    records = simulate(stories=stories, seed=seed).records()[:n]
    rest = n - len(records)
    n_copies = int(rest * 0.4)
    if bounded:
        own = iter(synthetic.unrelated(n_copies // 2 + 1, rng, words=(150, 600)))

        def base() -> list[str]:
            return synthetic._WORD.findall(next(own))
    else:
        texts = synthetic.base_texts()

        def base() -> list[str]:
            return synthetic.base_words(texts[int(rng.integers(len(texts)))])

    copies: list[str] = []
    while len(copies) < n_copies:
        words = base()
        for _ in range(int(rng.integers(2, 5))):
            copies.append(
                synthetic.prose(synthetic.edit(words, float(rng.uniform(0.01, 0.1)), rng), rng)
            )
    fillers = copies[:n_copies] + synthetic.unrelated(rest - n_copies, rng)
    for k, text in enumerate(fillers):
        records.append(
            {
                "id": f"x{k:06d}",
                "date": f"2024-0{1 + k % 9}-{1 + k % 28:02d}T{k % 24:02d}:00:00+00:00",
                "outlet": f"outlet{k % 97}",
                "url": f"https://outlet{k % 97}.example/{k}",
                "title": " ".join(text.split()[:8]),
                "text": text,
            }
        )
    return records


def make_dupes(k: int, seed: int) -> list[dict]:
    """One story of ``k`` lightly edited copies (1-3% of words) of one base text."""
    rng = np.random.default_rng(seed)
    base = synthetic.base_words(
        max(synthetic.base_texts(), key=lambda t: (t.words <= 600, t.words))
    )
    out = []
    for i in range(k):
        text = synthetic.prose(synthetic.edit(base, float(rng.uniform(0.01, 0.03)), rng), rng)
        out.append(
            {
                "id": f"dup{i:05d}",
                "date": f"2024-03-01T{i % 24:02d}:{i % 60:02d}:00+00:00",
                "outlet": f"outlet{i}",
                "text": text,
            }
        )
    return out


def write_jsonl(records: list[dict], folder: Path) -> Path:
    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


# -- one measured run, in its own process --------------------------------------------


def child(path: str, workers: int) -> dict:
    import resource

    import lineage
    import lineage.pipeline as pipeline
    from lineage.model import Config

    seen: dict[str, int] = {}
    real = pipeline.candidate_pairs

    def counting(fps, **kw):  # type: ignore[no-untyped-def]
        out = real(fps, **kw)
        seen["candidates"] = len(out)
        return out

    pipeline.candidate_pairs = counting  # type: ignore[assignment]
    t = time.perf_counter()
    a = lineage.analyze([path], Config(workers=workers))
    wall = time.perf_counter() - t
    return {
        "docs": len(a.documents),
        "pairs": len(a.pairs),
        "candidates": seen.get("candidates", 0),
        "timings": a.timings,
        "wall": wall,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def stage_child(path: str, workers: int) -> dict:
    """The fingerprint stage alone (``pipeline._prepare``: tokens and shingles, sent back
    to the parent) after ingest, with its CPU time and the workers'; the floor is timed
    in this same process just before."""
    import resource

    from lineage import pipeline
    from lineage.boilerplate import mark_boilerplate
    from lineage.ingest import read_corpus
    from lineage.model import Config
    from lineage.store import ArrayStore

    config = Config(workers=workers)
    ingested = read_corpus([Path(path)])
    docs = mark_boilerplate(ingested.documents, min_docs=config.boilerplate_min_docs)
    docs = sorted(docs, key=lambda d: d.id)
    t, c = time.perf_counter(), time.process_time()
    for d in docs:
        FLOOR_WORD.findall(d.text)
    floor_wall, floor_cpu = time.perf_counter() - t, time.process_time() - c
    t0, t = os.times(), time.perf_counter()
    pipeline._prepare(docs, config, ArrayStore(), workers, None)
    wall, t1 = time.perf_counter() - t, os.times()
    return {
        "docs": len(docs),
        "floor": floor_wall,
        "floor_cpu": floor_cpu,
        "wall": wall,
        "cpu_parent": (t1.user - t0.user) + (t1.system - t0.system),
        "cpu_workers": (t1.children_user - t0.children_user)
        + (t1.children_system - t0.children_system),
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run(path: Path, workers: int, root: str | None = None, *, stage: bool = False) -> dict:
    env = dict(os.environ)
    env.pop("LINEAGE_ROOT", None)
    if root:
        env["LINEAGE_ROOT"] = root
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--workers", str(workers)]
        + (["--fingerprints-only"] if stage else []),
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def best(runs: list[dict]) -> dict:
    """Fastest of repeated runs (stage by stage): the least disturbed by other load."""
    r = dict(runs[0])
    r["timings"] = {s: min(x["timings"].get(s, 0.0) for x in runs) for s in STAGES}
    r["wall"] = min(x["wall"] for x in runs)
    r["maxrss_mb"] = max(x["maxrss_mb"] for x in runs)
    return r


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,5000,20000")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="runs per (size, workers); best kept")
    ap.add_argument("--dupes", default="", help="sizes of the one-story near-duplicate case")
    ap.add_argument("--before", help="folder holding an older lineage package: before/after")
    ap.add_argument("--before-workers", type=int, default=1, help="workers of --before runs")
    ap.add_argument(
        "--fingerprints-only",
        action="store_true",
        help="with --before: time the fingerprint stage alone (CPU too), floor in-process",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--floor", help=argparse.SUPPRESS)
    ap.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        fn = stage_child if args.fingerprints_only else child
        print(json.dumps(fn(args.child, args.workers)))
        return
    if args.floor:
        print(json.dumps(floor_child(args.floor)))
        return

    print(
        f"machine: nproc={os.cpu_count()}, Python {platform.python_version()}, "
        f"{platform.machine()}, numpy {np.__version__}\n"
    )
    rows = []
    if args.before and args.fingerprints_only:
        print(f"### The fingerprint stage alone, {args.before_workers} worker(s), old vs new\n")
        print(
            "| docs | code | wall / floor | CPU (parent + workers) / floor CPU | parent CPU s ",
            end="",
        )
        print("| parent peak RSS MB |\n|---:|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(s) for s in args.sizes.split(",") if s]:
            folder = Path(tmp) / f"n{n}"
            folder.mkdir()
            t = time.perf_counter()
            path = write_jsonl(make_corpus(n, args.seed), folder)
            print(f"corpus {n}: built in {time.perf_counter() - t:.1f}s", file=sys.stderr)
            r1: list[dict] = []
            r2: list[dict] = []
            fl: list[dict] = []
            if args.before and args.fingerprints_only:
                for _ in range(args.repeat):  # alternate, so both see the same load
                    for code, root in (("old", args.before), ("new", None)):
                        r = run(path, args.before_workers, root, stage=True)
                        cpu = r["cpu_parent"] + r["cpu_workers"]
                        print(
                            f"| {n:,} | {code} | {r['wall']:.1f} / {r['floor']:.1f} = "
                            f"{r['wall'] / r['floor']:.1f}x | {cpu:.1f} / {r['floor_cpu']:.2f} = "
                            f"{cpu / r['floor_cpu']:.1f}x | {r['cpu_parent']:.1f} "
                            f"| {r['maxrss_mb']:,.0f} |"
                        )
                continue
            if args.before:
                for _ in range(args.repeat):  # alternate, so both see the same load
                    fl.append(floor(path))
                    r1.append(run(path, args.before_workers, args.before))
                    r2.append(run(path, args.before_workers))
                    print(
                        f"  before {r1[-1]['timings']}  after {r2[-1]['timings']}", file=sys.stderr
                    )
                rows.append((n, best(r1), best(r2), min(x["wall"] for x in fl)))
                continue
            for _ in range(args.repeat):  # alternate, so both see the same load
                fl.append(floor(path))
                r1.append(run(path, 1))
                r2.append(run(path, 2))
                print(f"  w1 {r1[-1]['timings']}  w2 {r2[-1]['timings']}", file=sys.stderr)
            rows.append((n, best(r1), best(r2), min(x["wall"] for x in fl)))
        if args.before and args.fingerprints_only:
            return
        if args.before:
            _before_after(rows, args.before_workers)
            return
        _tables(rows)
        dupes = [int(s) for s in args.dupes.split(",") if s]
        if dupes:
            drows = []
            for k in dupes:
                folder = Path(tmp) / f"d{k}"
                folder.mkdir()
                path = write_jsonl(make_dupes(k, args.seed), folder)
                drows.append((k, run(path, 1)))
                print(f"  dupes {k}: {drows[-1][1]['timings']}", file=sys.stderr)
            _dupe_table(drows)


def _tables(rows: list[tuple[int, dict, dict, float]]) -> None:
    print("### Documents/s per stage (1 worker), total as a ratio to the floor\n")
    print("| docs | " + " | ".join(STAGES) + " | floor s | total s | total / floor | peak RSS MB |")
    print("|---:|" + "---:|" * (len(STAGES) + 4))
    for _n, r1, _r2, fl in rows:
        d = r1["docs"]
        cells = [f"{d / r1['timings'][s]:,.0f}" if r1["timings"][s] else "-" for s in STAGES]
        total = sum(r1["timings"][s] for s in STAGES)
        print(
            f"| {d:,} | " + " | ".join(cells) + f" | {fl:.2f} | {total:.1f} | {total / fl:.1f}x "
            f"| {r1['maxrss_mb']:.0f} |"
        )
    print("\n### Candidate pairs against all pairs\n")
    print(
        "| docs | all pairs n(n-1)/2 | candidates (verified, aligned) | share of all pairs "
        "| pairs with passages |"
    )
    print("|---:|---:|---:|---:|---:|")
    for _n, r1, _r2, _fl in rows:
        d = r1["docs"]
        allp = d * (d - 1) // 2
        print(
            f"| {d:,} | {allp:,} | {r1['candidates']:,} | {r1['candidates'] / allp:.4%} "
            f"| {r1['pairs']:,} |"
        )
    print("\n### 1 worker vs 2 workers (same run, alternating; seconds, speedup = w1/w2)\n")
    print(
        "| docs | " + " | ".join(f"{s} w1 / w2 (x)" for s in STAGES) + " | total (x) "
        "| peak RSS MB w2 (parent + largest worker) |"
    )
    print("|---:|" + "---|" * (len(STAGES) + 2))
    for _n, r1, r2, _fl in rows:
        cells = []
        for s in STAGES:
            a, b = r1["timings"][s], r2["timings"][s]
            cells.append(f"{a:.2f} / {b:.2f} ({a / b:.2f})" if b else f"{a:.2f} / {b:.2f}")
        t1 = sum(r1["timings"][s] for s in STAGES)
        t2 = sum(r2["timings"][s] for s in STAGES)
        print(
            f"| {r1['docs']:,} | " + " | ".join(cells) + f" | {t1 / t2:.2f} "
            f"| {r2['maxrss_mb']:.0f} + {r2['children_maxrss_mb']:.0f} |"
        )
    print()


def _before_after(rows: list[tuple[int, dict, dict, float]], workers: int) -> None:
    print(f"### Before / after ({workers} worker(s); seconds per floor, speedup = before/after)\n")
    print(
        "| docs | floor s | "
        + " | ".join(STAGES)
        + " | total / floor | candidates (before, after) |"
    )
    print("|---:|---:|" + "---|" * (len(STAGES) + 2))
    for _n, b, a, fl in rows:
        cells = []
        for s in [*STAGES, "total"]:
            if s == "total":
                x, y = (sum(r["timings"][k] for k in STAGES) for r in (b, a))
            else:
                x, y = b["timings"][s], a["timings"][s]
            cells.append(
                f"{x / fl:.2f} -> {y / fl:.2f} ({x / y:.2f}x)" if y else f"{x:.2f} -> {y:.2f}"
            )
        same = (
            "same pairs"
            if (b["pairs"], b["candidates"]) == (a["pairs"], a["candidates"])
            else "DIFFERENT"
        )
        print(
            f"| {a['docs']:,} | {fl:.2f} | "
            + " | ".join(cells)
            + f" | {b['candidates']:,}, {a['candidates']:,} ({same}) |"
        )
    print()


def _dupe_table(rows: list[tuple[int, dict]]) -> None:
    print("### One story of K near-duplicates (1 worker): every pair is a candidate\n")
    print(
        "| K | pairs K(K-1)/2 | candidates | pairs with passages | candidates s "
        "| alignment s | inference s | peak RSS MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k, r in rows:
        t = r["timings"]
        print(
            f"| {k} | {k * (k - 1) // 2:,} | {r['candidates']:,} | {r['pairs']:,} "
            f"| {t['candidates']:.2f} | {t['alignment']:.2f} | {t['inference']:.2f} "
            f"| {r['maxrss_mb']:.0f} |"
        )
    print()


if __name__ == "__main__":
    main()
