"""Accuracy benchmark: leave-one-source-out over six sources of truth, with baselines.

    python bench/accuracy.py [--quick] [--eval-dir DIR] [--seeds DIR] [--json OUT]

Sources (each its own family; ids opaque and shuffled, lineage.evaluation.datasets.opaque):

  a. the project's simulator: train = validation seeds 7 (all dates) and 17 (no dates),
     read in earlier rounds; test = fresh seeds 2026 (all dates) and 2027 (no dates),
     never read while choosing;
  b. the second generator (lineage.evaluation.wire): train seeds 1 (no dates) and 3
     (dates), test seeds 2 (no dates) and 4 (dates);
  c. the Wikipedia revision chains, all 223 articles in one run (no dates);
  d. the florilegium: 13 witnesses, the scholar's stemma with 8 lost exemplars (ASD);
  e. the seeds (five articles, two true edges);
  f. artificial manuscript traditions (lineage.evaluation.traditions: stemmabench's
     scribes run in their own venv, lost exemplars, true stemmata; ASD per tradition):
     train seeds 1 and 3, test seeds 2 and 4, 20 traditions each (skipped, with a note,
     when the stemmabench venv is absent).

The grid of tuned choices is every weight profile (``Config.profile``); a fit picks the
one with the best mean headline (edge F1; ASD/100 for the tradition) on the training
sources. Every analysis goes through ``lineage.analyze`` on a corpus written to a
temporary folder, as the CLI reads it. Markdown on stdout, ready for docs/ACCURACY.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lineage.evaluation.datasets import (  # noqa: E402  (after the path tweak, to run from a checkout)
    ENV,
    Corpus,
    concat,
    florilegium_corpus,
    opaque,
    seeds_corpus,
    simulated_corpus,
    wikipedia_corpus,
    wire_corpus,
)
from lineage.evaluation.loso import BASELINES, Row, Source, headline, leave_one_out  # noqa: E402
from lineage.evaluation.metrics import Metrics  # noqa: E402

SALT = "lineage-bench-1"
TRADITION_TRAIN = (1, 3)
TRADITION_TEST = (2, 4)
PROFILES = ("auto", "news", "revisions")  # the default first: ties go to it
VALIDATION_SEEDS = (7, 17)  # read in earlier rounds
HELD_OUT_SEEDS = (2026, 2027)  # fresh: never read while choosing


def _sim(seeds: tuple[int, int], stories: int, tag: str) -> Corpus:
    parts = [
        opaque(simulated_corpus(stories=stories, seed=seeds[0], dates="all"), f"{SALT}:{tag}:a"),
        opaque(simulated_corpus(stories=stories, seed=seeds[1], dates="none"), f"{SALT}:{tag}:b"),
    ]
    return concat(
        f"simulator seeds {seeds[0]} (dates) + {seeds[1]} (none), {stories} stories each", parts
    )


def _wire(seeds: tuple[int, int], stories: int) -> Corpus:
    parts = [
        opaque(wire_corpus(stories=stories, seed=seeds[0], dates=False), f"{SALT}:w{seeds[0]}"),
        opaque(wire_corpus(stories=stories, seed=seeds[1], dates=True), f"{SALT}:w{seeds[1]}"),
    ]
    return concat(
        f"wire seeds {seeds[0]} (none) + {seeds[1]} (dates), {stories} stories each", parts
    )


def _traditions(seeds: tuple[int, ...], n: int) -> Corpus | None:
    """stemmabench traditions of ``seeds`` (n each), generated into a temporary folder."""
    import tempfile

    from lineage.evaluation.traditions import generate, stemmabench_python, traditions_corpus

    if stemmabench_python() is None:
        return None
    parts = []
    for seed in seeds:
        with tempfile.TemporaryDirectory(prefix="lineage-traditions-") as tmp:
            generate(tmp, traditions=n, seed=seed)
            corpus = traditions_corpus(tmp, name=f"traditions seed {seed}")
        assert corpus is not None
        parts += [opaque(c, f"{SALT}:t{seed}:{k}") for k, c in enumerate(corpus.parts)]
    label = " + ".join(str(s) for s in seeds)
    return concat(f"stemmabench traditions seeds {label}, {n} each", parts)


def sources(*, quick: bool, eval_dir: Path, seeds_dir: Path) -> tuple[list[Source], list[str]]:
    """The six sources (those whose data is present) and notes on any skipped."""
    n_sim = 10 if quick else 50
    n_wire = 12 if quick else 40
    out = [
        Source(
            "a. simulator",
            _sim(VALIDATION_SEEDS, n_sim, "train"),
            _sim(HELD_OUT_SEEDS, n_sim, "test"),
        ),
        Source("b. wire generator", _wire((1, 3), n_wire), _wire((2, 4), n_wire)),
    ]
    notes = []
    wiki = wikipedia_corpus(eval_dir / "wikipedia_versions", limit=40 if quick else None)
    if wiki is not None:
        w = opaque(wiki, SALT)
        out.append(Source(f"c. {wiki.name}", w, w))
    else:
        notes.append(f"c. Wikipedia: {eval_dir / 'wikipedia_versions'} absent, skipped")
    flor = florilegium_corpus(eval_dir / "florilegium")
    if flor is not None:
        f = opaque(flor, SALT)
        out.append(Source(f"d. {flor.name}", f, f))
    else:
        notes.append(f"d. florilegium: {eval_dir / 'florilegium'} absent, skipped")
    seeds = seeds_corpus(seeds_dir)
    if seeds is not None:
        s = opaque(seeds, SALT)
        out.append(Source(f"e. {seeds.name}", s, s))
    n_trad = 5 if quick else 20
    train, test = _traditions(TRADITION_TRAIN, n_trad), _traditions(TRADITION_TEST, n_trad)
    if train is not None and test is not None:
        out.append(Source("f. stemmabench traditions", train, test))
    else:
        notes.append("f. traditions: no stemmabench venv ($LINEAGE_STEMMABENCH_PYTHON), skipped")
    return out, notes


#: sources of at most this many parts get a row per part
MAX_PART_ROWS = 4


def _cell(m: Metrics | None, kind: str) -> str:
    if m is None:
        return "–"
    if kind == "tradition":
        # the skeleton among the witnesses too: undirected F1 of witness-to-witness links
        return f"ASD {m.asd:.1f} ({m.undirected_f1:.2f})" if m.asd is not None else "–"
    root = "–" if m.root_accuracy is None else f"{m.root_accuracy:.2f}"
    return f"{m.edge_f1:.3f} / {m.undirected_f1:.3f} / {root}"


def table(rows: list[Row]) -> list[str]:
    names = [
        "source",
        "lineage (left out)",
        *BASELINES,
        "lineage (in-source)",
        "gap",
        "fit chose (left out / in)",
    ]
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    for r in rows:
        cells = [r.label, _cell(r.left_out, r.kind)]
        cells += [_cell(r.baselines.get(b), r.kind) for b in BASELINES]
        gap = r.gap * (100 if r.kind == "tradition" else 1)
        cells += [
            _cell(r.in_source, r.kind),
            f"{gap:+.3f}" if r.kind != "tradition" else f"{gap:+.1f}",
        ]
        cells.append(f"{_params(r.left_out_params)} / {_params(r.in_source_params)}")
        lines.append("| " + " | ".join(cells) + " |")
        # a few parts (a generator's dated and undated seeds) are read apart as well; many
        # (one per stemmabench tradition) only pooled
        for name, m, base in r.parts if len(r.parts) <= MAX_PART_ROWS else ():
            sub = [f"&nbsp;&nbsp;↳ {name}", _cell(m, r.kind)]
            sub += [_cell(base.get(b), r.kind) for b in BASELINES]
            lines.append("| " + " | ".join(sub + ["", "", ""]) + " |")
    return lines


def _params(p: Mapping[str, Any]) -> str:
    return ", ".join(str(v) if k == "profile" else f"{k}={v}" for k, v in p.items())


def parse_grid(specs: Sequence[str]) -> list[dict[str, Any]]:
    """``["profile=news,revisions", "lsh_threshold=0.3,0.4"]`` -> their product as Config
    fields, each value cast to the type of the field's default."""
    from lineage.model import Config

    defaults = {f.name: f.default for f in dataclasses.fields(Config)}
    axes: list[tuple[str, list[Any]]] = []
    for spec in specs:
        key, _, values = spec.partition("=")
        if key not in defaults or not values:
            raise SystemExit(f"--grid {spec!r}: expected FIELD=V1,V2 with a lineage.Config field")
        kind = type(defaults[key])
        axes.append((key, [kind(v) for v in values.split(",")]))
    return [dict(zip([k for k, _ in axes], combo, strict=True))
            for combo in itertools.product(*(v for _, v in axes))]  # fmt: skip


def _as_json(rows: list[Row]) -> list[dict[str, Any]]:
    return [
        {
            "source": r.label, "kind": r.kind, "left_out_params": dict(r.left_out_params),
            "in_source_params": dict(r.in_source_params), "left_out": r.left_out.as_dict(),
            "in_source": r.in_source.as_dict(), "gap": r.gap, "analyze_seconds": r.seconds,
            "baselines": {k: (None if v is None else v.as_dict()) for k, v in r.baselines.items()},
            "parts": [{"name": n, "left_out": m.as_dict()} for n, m, _ in r.parts],
        }
        for r in rows
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small corpora, 40 Wikipedia articles")
    ap.add_argument(
        "--eval-dir",
        type=Path,
        default=Path(os.environ.get(ENV) or ROOT.parent / "shared" / "eval"),
        help=f"evaluation data [default: ${ENV}, else ../shared/eval]",
    )  # fmt: skip
    ap.add_argument("--seeds", type=Path, default=ROOT / "seeds", help="the seeds folder")
    ap.add_argument("--json", type=Path, default=None, help="also write the rows as JSON here")
    ap.add_argument(
        "--grid",
        action="append",
        default=None,
        help="FIELD=V1,V2 of lineage.Config the fit chooses among (repeatable; product) "
        f"[default: profile={','.join(PROFILES)}]",
    )
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    srcs, notes = sources(quick=args.quick, eval_dir=args.eval_dir, seeds_dir=args.seeds)
    grid = parse_grid(args.grid or [f"profile={','.join(PROFILES)}"])
    rows = leave_one_out(srcs, grid, log=lambda s: print(s, file=sys.stderr, flush=True))
    lines = [
        f"Leave-one-source-out{' (--quick)' if args.quick else ''}; grid: "
        f"{'; '.join(_params(g) for g in grid)}. Cells: edge F1 / undirected F1 / root "
        "accuracy; the traditions: average sign distance (0-100) and, in brackets, the "
        "undirected F1 of links between two witnesses. gap = in-source minus "
        "left-out headline (edge F1; ASD for the tradition).",
        "",
        *table(rows),
        "",
        "Corpora (train / test):",
        *(f"- {s.label}: {s.train.name} ({len(s.train.records)} docs) / {s.test.name} "
          f"({len(s.test.records)} docs)" for s in srcs),
        *(f"- {n}" for n in notes),
        f"\nTotal {time.perf_counter() - t0:.0f} s.",
    ]  # fmt: skip
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps(_as_json(rows), indent=2, sort_keys=True), encoding="utf-8")
    # the headline of each row, for a quick glance in logs
    for r in rows:
        print(f"{r.label}: {headline(r.left_out, r.kind):.3f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
