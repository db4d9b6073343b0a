"""The version chains' confidence: model marginals against bootstrap support, and its cost.

    python bench/chain_support.py [--eval-dir DIR] [--synthetic 3000] [--repeat 2]

1. **Wikipedia** (``../shared/eval/wikipedia_versions``, opaque ids, the ``revisions``
   profile's chains): every article analyzed by the default run twice, the chains'
   bootstrap support off (the model's marginals, the default) and on
   (``Config.chain_support``; lineage/infer/confidence.py ``chain_support``).
   Rows are bench/calibrate.py's (``placed_rows``: one per placed document, right against
   the true chain); printed
   per split, the first 100 articles by title (where the chain's weights were fitted and
   where the support's form was chosen) and the other 123 (held out): ECE over 10
   equal-width and 10 equal-mass bins, Brier, and mean confidence / share right of edges
   and origins. No edge changes between the two runs: checked.
2. **Cost** (``--synthetic N``): a corpus of N documents in version histories of 3 to 10
   versions (Markov-chain prose, ``bench/synthetic.py``; each version inserts a sentence
   and now and then cuts one of the first version's), analyzed with ``--profile
   revisions``, support off and on alternating (``--repeat`` rounds, fastest kept),
   beside the floor (read and regex-tokenize every text) measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from calibrate import brier, ece, ece_mass, placed_rows  # noqa: E402


def analyze(path: Path, support: bool, **config: Any) -> tuple[Any, float]:
    """``lineage.analyze`` of ``path`` with the chains' support on or off; its seconds."""
    import lineage
    from lineage.model import Config

    t = time.perf_counter()
    a = lineage.analyze(
        [str(path)], Config(calibration="off", workers=1, chain_support=support, **config)
    )
    return a, time.perf_counter() - t


def _cells(rows: list[dict[str, Any]]) -> str:
    e = [r for r in rows if not r["origin"]]
    o = [r for r in rows if r["origin"]]

    def mr(rs: list[dict[str, Any]]) -> str:
        return f"{np.mean([r['p'] for r in rs]):.2f} / {np.mean([r['right'] for r in rs]):.2f}"

    return (f"{len(rows)} | {ece(rows):.3f} | {ece_mass(rows):.3f} | {brier(rows):.3f} | "
            f"{mr(e)} ({len(e)}) | {mr(o)} ({len(o)})")  # fmt: skip


def wikipedia(eval_dir: Path) -> list[str]:
    from accuracy import SALT

    from lineage.evaluation.datasets import opaque, wikipedia_corpus, write_corpus

    corpus = wikipedia_corpus(eval_dir / "wikipedia_versions")
    if corpus is None:
        return [f"- {eval_dir / 'wikipedia_versions'} absent: skipped"]
    w = opaque(corpus, SALT)
    first = set(d for s in w.truth.stories[:100] for d in s)
    out = {}
    seconds = {}
    with tempfile.TemporaryDirectory(prefix="lineage-chain-") as tmp:
        path = write_corpus(w, tmp)
        for support in (False, True):
            a, seconds[support] = analyze(path, support)
            out[support] = (a, placed_rows(a, w.truth))
    (a0, _), (a1, _) = out[False], out[True]
    same = sorted((e.parent, e.child) for e in a0.edges) == sorted(
        (e.parent, e.child) for e in a1.edges
    ) and sorted(o.id for o in a0.origins) == sorted(o.id for o in a1.origins)
    ids = {}
    for support, (a, _) in out.items():
        ids[support] = [e.child for e in a.edges if not e.secondary] + [o.id for o in a.origins]
    lines = [
        "| articles | confidence | rows | ECE equal-width | ECE equal-mass | Brier "
        "| edges: mean conf / right (n) | origins: mean conf / right (n) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, keep in (("first 100 (training)", True), ("other 123 (held out)", False),
                       ("all 223", None)):  # fmt: skip
        for support, label in ((False, "model marginals"), (True, "bootstrap support")):
            a, rows = out[support]
            placed = _placed_ids(a)
            sel = [r for r, d in zip(rows, placed, strict=True)
                   if keep is None or (d in first) == keep]  # fmt: skip
            lines.append(f"| {name} | {label} | {_cells(sel)} |")
    lines += [
        "",
        f"Edges and origins the same in both runs: {same}. Analysis: {seconds[False]:.1f} s "
        f"(marginals) and {seconds[True]:.1f} s (support), one worker, the same process.",
    ]
    return lines


def _placed_ids(a: Any) -> list[str]:
    """The documents of ``placed_rows(a, ...)``, in its order."""
    from lineage.infer.confidence import child_features

    feats = child_features(a.edges, a.origins, stories=a.stories, documents=a.documents,
                           hypotheticals=a.hypotheticals)  # fmt: skip
    out = [e.child for e in a.edges if not e.secondary and e.child in feats]
    return out + [o.id for o in a.origins if o.id in feats]


def histories(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` documents in version histories of 3-10 versions, oldest first, ids opaque."""
    import random

    from synthetic import unrelated

    rng = np.random.default_rng(seed)
    pick = random.Random(seed)
    rows: list[dict[str, Any]] = []
    k = 0
    while len(rows) < n:
        versions = min(pick.randint(3, 10), n - len(rows))
        if versions < 2:
            break
        base = unrelated(1 + versions, rng, words=(250, 500))
        first = re.split(r"(?<=\.) ", base[0].replace("\n\n", " "))
        extra = re.split(r"(?<=\.) ", base[1].replace("\n\n", " "))
        text = list(first)
        for v in range(versions):
            if v:
                text.insert(pick.randrange(len(text) + 1), extra[(v - 1) % len(extra)])
                old = [s for s in text if s in first]
                if old and pick.random() < 0.3:
                    text.remove(pick.choice(old))
            rows.append({"id": f"h{pick.getrandbits(48):012x}", "text": " ".join(text)})
        k += 1
    return rows


def cost(n: int, repeat: int) -> list[str]:
    from throughput import floor_child

    rows = histories(n, seed=1)
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="lineage-chain-cost-") as tmp:
        path = Path(tmp) / "corpus.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        for _ in range(repeat):
            f = floor_child(str(path))
            best["floor"] = min(best.get("floor", 1e9), float(f["wall"]))
            for support in (False, True):
                a, s = analyze(path, support, profile="revisions")
                key = "support" if support else "marginals"
                best[key] = min(best.get(key, 1e9), s)
        chained = sum(1 for s in a.stories if len(s) > 1)
    return [
        "| corpus | floor (s) | marginals: s (x floor) | support: s (x floor) "
        "| support / marginals |",
        "|---|---|---|---|---|",
        f"| {len(rows)} documents, {chained} histories of 3-10 versions | {best['floor']:.2f} | "
        f"{best['marginals']:.1f} ({best['marginals'] / best['floor']:.0f}x) | "
        f"{best['support']:.1f} ({best['support'] / best['floor']:.0f}x) | "
        f"{best['support'] / best['marginals']:.2f} |",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--synthetic", type=int, default=0, help="documents of the cost corpus")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--no-wikipedia", action="store_true")
    args = ap.parse_args(argv)
    if not args.no_wikipedia:
        print("\n".join(wikipedia(args.eval_dir)), flush=True)
    if args.synthetic:
        print()
        print("\n".join(cost(args.synthetic, args.repeat)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
