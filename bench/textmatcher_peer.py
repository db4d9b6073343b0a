"""text-matcher against lineage on the same small corpus, timed in the same run.

    python bench/textmatcher_peer.py [--docs 200] [--seed 1] [--python /tmp/tmvenv/bin/python]

text-matcher (Jonathan Reeve, PyPI ``text-matcher``) compares two texts at a time: its
command line, given a folder twice, runs its ``Matcher`` on every ordered pair of files.
Here it runs as its own authors use it from Python, on each *unordered* pair of
documents once (half of what its command line does on a folder), with ``--stops``
(``removeStopwords=False``: its stop-word list needs NLTK data that is fetched at run
time, and this machine is offline), its default threshold, cutoff and trigrams. It is
installed in a venv of its own (it pins nothing, and pulls NLTK):

    python3 -m venv /tmp/tmvenv && /tmp/tmvenv/bin/pip install text-matcher

Corpus: the first ``--docs`` records of ``bench/throughput.py``'s corpus (simulated
stories with their known derivation edges), written once as ``.txt`` files for
text-matcher and as JSONL for lineage. Measured in the same run, each in a fresh
process: the floor (read the JSONL, regex-tokenize: ``throughput.floor``), lineage
``--no-html`` and lineage's default run (exports and HTML reports, ``bench/scale.py``'s
child), and text-matcher. Figures: wall time (and its ratio to the floor), and the
**recall of the true derivation edges** among the pairs each tool reports as sharing
text (lineage: its aligned pairs, ``pairs.csv``; text-matcher: a pair with one match or
more), with the number of pairs each reports.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import throughput  # noqa: E402  (bench/ sibling, after the path is set)

#: run by text-matcher's interpreter: every unordered pair of the folder's .txt files
TM_SCRIPT = r"""
import itertools, json, sys, time
from pathlib import Path
from text_matcher.matcher import Matcher, Text
folder = Path(sys.argv[1])
files = sorted(folder.glob("*.txt"))
t = time.perf_counter()
texts = {f.stem: Text(f.read_text(encoding="utf-8"), f.stem, removeStopwords=False) for f in files}
found = []
for a, b in itertools.combinations(sorted(texts), 2):
    m = Matcher(texts[a], texts[b], removeStopwords=False)
    if m.match()[0] > 0:  # (number of matches, locations in a, locations in b)
        found.append([a, b])
print(json.dumps({"wall": time.perf_counter() - t, "pairs": found}))
"""


def _text_matcher(python: str, folder: Path) -> dict:
    t = time.perf_counter()
    out = subprocess.run(
        [python, "-c", TM_SCRIPT, str(folder)], check=True, capture_output=True, text=True
    )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["process_wall"] = time.perf_counter() - t
    return res


def _lineage(path: Path, out: Path, *, html: bool) -> dict:
    cmd = [sys.executable, "-m", "lineage", "analyze", str(path), "--out", str(out), "--quiet"]
    if not html:
        cmd.append("--no-html")
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    with open(out / "pairs.csv", encoding="utf-8", newline="") as f:
        pairs = [[r["a"], r["b"]] for r in csv.DictReader(f)]
    return {"wall": wall, "pairs": pairs}


def _recall(pairs: list[list[str]], truth: set[frozenset[str]]) -> float:
    found = {frozenset(p) for p in pairs}
    return len(truth & found) / len(truth) if truth else float("nan")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--python", default="/tmp/tmvenv/bin/python", help="text-matcher's venv")
    args = ap.parse_args(argv)

    from lineage.evaluation.simulate import simulate

    records = throughput.make_corpus(args.docs, args.seed)
    sim = simulate(stories=max(2, min(args.docs // 7, 700)), seed=args.seed)
    ids = {r["id"] for r in records}
    truth = {frozenset(e) for e in sim.edge_pairs if set(e) <= ids}

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        jsonl = throughput.write_jsonl(records, tmp)
        txt = tmp / "txt"
        txt.mkdir()
        for r in records:
            (txt / f"{r['id']}.txt").write_text(r["text"], encoding="utf-8")
        fl = throughput.floor(jsonl)
        rows = [
            ("lineage --no-html", _lineage(jsonl, tmp / "o1", html=False)),
            ("lineage (default: exports and HTML)", _lineage(jsonl, tmp / "o2", html=True)),
            ("text-matcher 0.1.6, every unordered pair", _text_matcher(args.python, txt)),
        ]
    n = len(records)
    print(
        f"{n} documents, {n * (n - 1) // 2:,} unordered pairs, {len(truth)} true edges; "
        f"floor {fl['wall']:.3f} s\n"
    )
    print("| tool | wall s | / floor | pairs reported | recall of true edges |")
    print("|---|---:|---:|---:|---:|")
    for name, r in rows:
        wall = r.get("process_wall", r["wall"])
        print(
            f"| {name} | {wall:.1f} | {wall / fl['wall']:.0f}x | {len(r['pairs']):,} | "
            f"{_recall(r['pairs'], truth):.3f} |"
        )
    tm = rows[2][1].get("process_wall", rows[2][1]["wall"])
    for name, r in rows[:2]:
        print(f"\n{name}: {tm / r['wall']:.1f}x faster than text-matcher", end="")
    print()


if __name__ == "__main__":
    main()
