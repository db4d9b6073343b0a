"""Story separation and the ``--profile auto`` choice, per source of truth.

    python bench/stories.py [--eval-dir DIR] [--seeds DIR] [--grid]

For each corpus of bench/accuracy.py (training and test halves; a joined corpus part by
part, as the benchmark analyzes it) and for the Wikipedia chains split as the revisions
profile was tuned (first 100 articles by name: training; the other 123: held out; and
all 223 in one run): story purity and completeness (lineage.evaluation.metrics
.story_scores), the stories that mix two true stories, and the profile ``auto`` chose
with its features. ``--grid`` also regroups the same pairs under other story thresholds
(``lineage.stories.group_stories``): the table the thresholds were chosen from, on the
training rows only (simulator seeds 7/17, wire seeds 1/3, Wikipedia's first 100).
Markdown on stdout.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import accuracy  # noqa: E402

import lineage  # noqa: E402
from lineage.evaluation.datasets import Corpus, write_corpus  # noqa: E402
from lineage.evaluation.metrics import Truth, story_scores  # noqa: E402
from lineage.model import Analysis, Config  # noqa: E402
from lineage.stories import group_stories  # noqa: E402

GRID = [(1, 0.0), (12, 0.0), (20, 0.0), (30, 0.0), (20, 0.2), (20, 0.3), (20, 0.4), (20, 0.5)]


def _run(corpus: Corpus) -> Analysis:
    with tempfile.TemporaryDirectory(prefix="lineage-stories-") as tmp:
        return lineage.analyze([write_corpus(corpus, tmp)], Config())


def _restrict(truth: Truth, stories: tuple[tuple[str, ...], ...]) -> Truth:
    keep = {d for s in stories for d in s}
    return Truth(tuple(d for d in truth.documents if d in keep), (), (), (), stories)


def _row(label: str, a: Analysis, truth: Truth, grid: bool) -> str:
    docs = set(truth.documents)
    ids = [d.id for d in a.documents if d.id in docs]
    pairs = [p for p in a.pairs if p.a in docs and p.b in docs]
    stories = group_stories(ids, pairs)
    purity, completeness = story_scores(stories, truth)
    label_of = {d: k for k, s in enumerate(truth.stories) for d in s}
    mixed = sum(1 for s in stories if len({label_of.get(d, d) for d in s}) > 1)
    pc = a.profile_choice
    cells = [
        label,
        str(len(ids)),
        f"{purity:.3f} / {completeness:.3f}",
        str(mixed),
        f"{pc.profile} (chain {pc.features['chain_shape']}, named {pc.features['named_share']})"
        if pc
        else "–",
    ]
    if grid:
        for words, ratio in GRID:
            p, c = story_scores(group_stories(ids, pairs, min_words=words, min_ratio=ratio), truth)
            cells.append(f"{p:.3f}/{c:.3f}")
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    ap.add_argument("--grid", action="store_true", help="also the threshold grid")
    args = ap.parse_args(argv)
    srcs, notes = accuracy.sources(quick=False, eval_dir=args.eval_dir, seeds_dir=args.seeds)
    head = ["corpus", "docs", "purity / completeness", "mixed stories", "auto chose"]
    if args.grid:
        head += [f"w>={w}, r>={r}" for w, r in GRID]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in srcs:
        halves = [("train", s.train)] + ([("test", s.test)] if s.test is not s.train else [])
        for tag, corpus in halves:
            for k, part in enumerate(corpus.parts or (corpus,)):
                a = _run(part)
                name = f"{s.label} {tag}" + (f" part {k + 1}" if corpus.parts else "")
                if part.kind == "revisions" and len(part.truth.stories) > 100:
                    first, rest = part.truth.stories[:100], part.truth.stories[100:]
                    lines.append(
                        _row(f"{name}: first 100", a, _restrict(part.truth, first), args.grid)
                    )
                    lines.append(
                        _row(
                            f"{name}: other {len(rest)}", a, _restrict(part.truth, rest), args.grid
                        )
                    )
                lines.append(_row(name, a, part.truth, args.grid))
    print("\n".join(lines))
    for n in notes:
        print(f"\n{n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
