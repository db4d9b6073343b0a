"""Accuracy benchmark: simulator -> analyzer -> metrics, for every setting, plus baselines.

    python bench/accuracy.py [--stories 200] [--seed 7] [--quick] [--no-wikipedia]

For each setting a corpus is simulated (``lineage.evaluation.simulate``), written as JSONL to a
temporary folder, analyzed with ``lineage.analyze`` and scored (``lineage.evaluation.evaluate``)
together with two baselines computed from the same Analysis: a maximum spanning tree on
Jaccard ("MST") and "most similar earlier document" ("earlier"). The Wikipedia revision
chains of ../shared/eval are scored too when present (read in place). Prints markdown
tables to stdout, ready for docs/ACCURACY.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lineage.evaluation.evaluate import (  # noqa: E402  (after the path tweak, to run from a checkout)
    Metrics,
    baseline_most_similar_earlier,
    baseline_mst,
    evaluate,
    load_prediction,
    score,
    wikipedia_records,
    wikipedia_truth,
)


@dataclass(frozen=True)
class Setting:
    name: str
    kwargs: dict[str, Any] = field(default_factory=dict)


SETTINGS = (
    Setting("dates: all", {"dates": "all"}),
    Setting("dates: some (70%)", {"dates": "some"}),
    Setting("dates: none", {"dates": "none"}),
    Setting("dates: noisy", {"dates": "noisy"}),
    Setting("rewrite: light", {"rewrite": "light"}),
    Setting("rewrite: heavy", {"rewrite": "heavy"}),
    Setting("stories: small (2-4)", {"story_size": (2, 4)}),
    Setting("stories: large (10-15)", {"story_size": (10, 15)}),
)

COLUMNS = (
    ("edge F1", "edge_f1"),
    ("edge P", "edge_precision"),
    ("edge R", "edge_recall"),
    ("undirected F1", "undirected_f1"),
    ("root acc", "root_accuracy"),
    ("indep acc", "independent_accuracy"),
    ("ancestry F1", "ancestry_f1"),
    ("purity", "story_purity"),
    ("completeness", "story_completeness"),
    ("plagdet", "plagdet"),
)


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _row(setting: str, method: str, m: Metrics, seconds: float | None) -> str:
    cells = [setting, method] + [_fmt(getattr(m, attr)) for _, attr in COLUMNS]
    cells.append("" if seconds is None else f"{seconds:.1f}")
    return "| " + " | ".join(cells) + " |"


def _header() -> list[str]:
    names = ["setting", "method"] + [n for n, _ in COLUMNS] + ["analyze s"]
    return ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]


def _analyze(path: Path, profile: str = "news") -> Any:
    import lineage
    from lineage.model import Config

    return lineage.analyze([path], Config(profile=profile))


def run_setting(setting: Setting, *, stories: int, seed: int, workdir: Path) -> list[str]:
    from lineage.evaluation.simulate import simulate, write

    corpus = simulate(stories=stories, seed=seed, **setting.kwargs)
    corpus_path, _ = write(corpus, workdir / setting.name.replace(" ", "_").replace(":", ""))
    t0 = time.perf_counter()
    analysis = _analyze(corpus_path)
    seconds = time.perf_counter() - t0
    pred = load_prediction(analysis)
    truth = corpus.truth()
    rows = [_row(setting.name, "lineage", evaluate(analysis, truth), seconds)]
    from lineage.evaluation.evaluate import load_truth

    t = load_truth(truth)
    rows.append(_row(setting.name, "MST", score(baseline_mst(pred), t), None))
    rows.append(_row(setting.name, "earlier", score(baseline_most_similar_earlier(pred), t), None))
    return rows


# The "revisions" profile was tuned on the first 100 articles (sorted by name); the
# held-out rows score every method on the other articles only.
WIKI_TUNING_ARTICLES = 100


def _restrict(truth: Any, edges: list[tuple[str, str]], keep: set[str]) -> tuple[Any, list]:
    """The truth and predicted edges of the stories whose documents are all in ``keep``."""
    from lineage.evaluation.evaluate import Truth

    stories = tuple(s for s in truth.stories if set(s) <= keep)
    docs = {d for s in stories for d in s}
    sub = Truth(
        documents=tuple(d for d in truth.documents if d in docs),
        edges=tuple(e for e in truth.edges if e[1] in docs),
        roots=tuple(r for r in truth.roots if r in docs),
        independents=(),
        stories=stories,
    )
    return sub, [e for e in edges if e[0] in docs and e[1] in docs]


def run_wikipedia(*, limit: int | None, workdir: Path) -> list[str]:
    truth = wikipedia_truth(limit=limit)
    if truth is None:
        return []
    path = workdir / "wikipedia.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for row in wikipedia_records(limit=limit):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    results = {}
    for profile in ("news", "revisions"):
        t0 = time.perf_counter()
        analysis = _analyze(path, profile)
        results[profile] = (analysis, time.perf_counter() - t0)
    path.unlink()  # the texts stay in ../shared/eval only
    pred = load_prediction(results["news"][0])
    methods = [
        (f"lineage --profile {p}", [(e.parent, e.child) for e in a.edges], s)
        for p, (a, s) in results.items()
    ]
    methods += [
        ("MST", baseline_mst(pred), None),
        ("earlier", baseline_most_similar_earlier(pred), None),
    ]
    name = f"wikipedia ({len(truth.stories)} articles)"
    rows = [_row(name, m, score(edges, truth), s) for m, edges, s in methods]
    tuned = {d for s in wikipedia_truth(limit=WIKI_TUNING_ARTICLES).stories for d in s}
    held_out = set(truth.documents) - tuned
    if held_out:
        n = sum(1 for s in truth.stories if set(s) <= held_out)
        name = f"wikipedia held out ({n} articles)"
        for m, edges, _ in methods:
            sub, sub_edges = _restrict(truth, edges, held_out)
            rows.append(_row(name, m, score(sub_edges, sub), None))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--stories", type=int, default=200, help="stories per simulated corpus")
    ap.add_argument("--seed", type=int, default=7, help="simulator seed")
    ap.add_argument("--quick", action="store_true", help="30 stories, 40 Wikipedia articles")
    ap.add_argument("--no-wikipedia", action="store_true", help="skip ../shared/eval")
    args = ap.parse_args(argv)
    stories = 30 if args.quick else args.stories
    try:
        import lineage.pipeline  # noqa: F401
    except ImportError as exc:
        print(f"the analyzer is not available yet: {exc}", file=sys.stderr)
        return 2
    lines = [
        f"Simulated corpora: {stories} stories (+{stories // 4} independent reports), "
        f"seed {args.seed}, mixed rewriting and 2-15 documents per story unless the "
        "setting says otherwise. Baselines: MST = maximum spanning tree on Jaccard rooted "
        "at the earliest (else most central) document; earlier = most similar earlier "
        "document (longer-is-newer when undated). Metrics: docs/METRICS.md.",
        "",
        *_header(),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for setting in SETTINGS:
            lines += run_setting(setting, stories=stories, seed=args.seed, workdir=work)
            print(f"done: {setting.name}", file=sys.stderr)
        if not args.no_wikipedia:
            wiki = run_wikipedia(limit=40 if args.quick else None, workdir=work)
            if wiki:
                lines += ["", "Wikipedia revision chains (no dates; chain 0 -> 1 -> ... -> n):"]
                lines += ["", *_header(), *wiki]
            else:
                lines += ["", "Wikipedia revision chains: ../shared/eval absent, skipped."]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
