"""The wire story on thousands of sites: N verbatim copies of one seed plus the five seeds.

    python bench/copies.py [--sizes 3000,10000] [--seed-doc 001] [--workers 0] [--no-html]
                           [--near]

Each copy carries the text of one seed (``seeds/001_*`` by default, the original of the
seeds' story) under its own opaque id, outlet, URL and a date after the seed's, in one
JSONL file beside a copy of ``seeds/``. Each size is analysed through the command line
(``lineage analyze``, HTML reports included unless ``--no-html``) in a fresh subprocess,
so the figures are the user's: wall time of the whole command, and peak memory of all
its processes (``ru_maxrss`` of the command and, apart, the largest of its forked
workers, from ``RUSAGE_CHILDREN`` of a wrapper process).

The floor, measured in the same run on the same files: read the JSONL and the seeds and
regex-tokenize every text, one process. Prints a markdown table (docs/BENCHMARKS.md,
"Identical copies").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def make_corpus(
    folder: Path, n: int, *, seed_doc: str = "001", seed: int = 1, near: bool = False
) -> Path:
    """``folder``/seeds (the five seeds) and ``folder``/copies.jsonl (``n`` copies).

    The copies' ids are random hex (never in date order), their dates fall on the days
    after the seed's, each has its own outlet and URL; the text is the seed's, verbatim,
    or with ``near`` one word of it replaced by a word of the copy's own.
    """
    import random

    from lineage.ingest import read_corpus

    shutil.copytree(SEEDS, folder / "seeds")
    (src,) = [d for d in read_corpus([SEEDS]).documents if d.id.startswith(seed_doc)]
    rng = random.Random(seed)
    base = src.date.timestamp() if src.date else 1_557_230_400.0  # 2019-05-07
    path = folder / "copies.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for k in range(n):
            when = time.gmtime(base + 86_400 + rng.randrange(0, 30 * 86_400))
            row = {
                "id": f"{rng.getrandbits(64):016x}",
                "date": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", when),
                "outlet": f"Outlet {rng.getrandbits(32):08x}",
                "url": f"https://site{k}.example/news/{rng.getrandbits(32):08x}",
                "title": src.title,
                "text": src.text,
            }
            if near:
                words = src.text.split(" ")
                at = rng.randrange(len(words))
                words[at] = f"edit{k}"
                row["text"] = " ".join(words)
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


_WORD = re.compile(r"\w+(?:['’]\w+)*")


def floor(folder: Path) -> float:
    """Seconds to read the corpus files and regex-tokenize every text, one process."""
    t = time.perf_counter()
    words = 0
    for p in sorted(folder.rglob("*")):
        if p.suffix == ".jsonl":
            with p.open(encoding="utf-8") as f:
                for line in f:
                    words += len(_WORD.findall(json.loads(line)["text"]))
        elif p.suffix == ".txt":
            words += len(_WORD.findall(p.read_text(encoding="utf-8")))
    assert words
    return time.perf_counter() - t


def run_cli(corpus: Path, out: Path, *, workers: int, no_html: bool, root: Path = ROOT) -> dict:
    """``lineage analyze`` in a fresh process; peak memory of it and of its workers."""
    code = (
        "import resource, sys, json\n"
        "from lineage.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:], standalone_mode=False)\n"
        "finally:\n"
        "    s = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "    c = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "    print(json.dumps({'self_mb': s, 'workers_mb': c}), file=sys.stderr)\n"
    )
    argv = [
        sys.executable,
        "-c",
        code,
        "analyze",
        str(corpus / "seeds"),
        str(corpus / "copies.jsonl"),
        "--out",
        str(out),
        "--workers",
        str(workers),
        *(["--no-html"] if no_html else []),
    ]
    env = dict(os.environ, PYTHONPATH=str(root))
    t = time.perf_counter()
    # cwd: not this checkout, whose lineage/ would shadow ``root``'s
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=out.parent)
    wall = time.perf_counter() - t
    mem = json.loads(proc.stderr.strip().splitlines()[-1])
    if proc.returncode:
        raise SystemExit(f"lineage analyze failed ({proc.returncode}):\n{proc.stderr}")
    data = json.loads((out / "lineage.json").read_text(encoding="utf-8"))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {
        "wall": wall,
        "self_mb": mem["self_mb"],
        "workers_mb": mem["workers_mb"],
        "documents": data["summary"]["documents"],
        "pairs": data["summary"]["pairs"],
        "edges": data["summary"]["edges"],
        "groups": [
            (g["representative"], len(g["members"]) - 1, g["kind"])
            for g in data.get("duplicates", [])
        ],
        "out_mb": size / 2**20,
        "summary": proc.stdout.splitlines()[:3],
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="3000,10000")
    ap.add_argument("--seed-doc", default="001")
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--no-html", action="store_true")
    ap.add_argument("--near", action="store_true", help="one word of each copy replaced")
    ap.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="folder holding the lineage package to run (e.g. git archive <commit> lineage)",
    )
    args = ap.parse_args(argv)
    print(
        f"machine: nproc={os.cpu_count()}, Python {platform.python_version()}, "
        f"load {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| copies | documents | pairs | edges | duplicate groups | floor s | wall s | "
        "wall / floor | peak MB (command) | peak MB (largest worker) | output MB |"
    )
    print("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for n in [int(s) for s in args.sizes.split(",") if s]:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            make_corpus(corpus, n, seed_doc=args.seed_doc, near=args.near)
            fl = min(floor(corpus) for _ in range(3))
            r = run_cli(
                corpus,
                Path(tmp) / "out",
                workers=args.workers,
                no_html=args.no_html,
                root=args.root,
            )
            groups = ", ".join(
                f"{m:,} {'identical' if kind == 'exact' else 'near-identical'} copies of {rep}"
                for rep, m, kind in r["groups"]
            )
            print(
                f"| {n:,} | {r['documents']:,} | {r['pairs']:,} | {r['edges']:,} | {groups} | "
                f"{fl:.3f} | {r['wall']:.1f} | {r['wall'] / fl:.0f}x | {r['self_mb']:.0f} | "
                f"{r['workers_mb']:.0f} | {r['out_mb']:.1f} |",
                flush=True,
            )
            for line in r["summary"]:
                print(f"<!-- {line} -->", file=sys.stderr)


if __name__ == "__main__":
    main()
