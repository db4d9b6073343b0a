"""The accuracy gate: pinned floors on a few small corpora, checked in CI.

Modelled on trafilatura's ``tests/eval_gate.py`` with its ``eval_baseline.json``:

* the floors live in a JSON file (``tests/accuracy_floors.json``), one entry per gate
  corpus: the grid point it runs under, the digest of the corpus (ids, texts and true
  edges, under opaque ids), the figures measured when it was pinned and the floors;
* :func:`check` fails when a figure drops below its floor, when a corpus's digest differs
  from the pinned one (the corpus drifted: the floors no longer mean what they said), or
  when a gate corpus has no floors;
* :func:`pin` writes new floors from a measurement and refuses to lower any floor unless
  told ``allow_lower=True`` (``--allow-lower``): lowering is a decision, never a side
  effect of re-pinning;
* every corpus runs through :func:`lineage.analyze` on a corpus written to a temporary
  folder, the path the CLI takes.

    python -m lineage.evaluation.gate [--floors FILE] [--pin [--allow-lower]] [--only NAME]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lineage.evaluation.datasets import (
    Corpus,
    corpus_digest,
    eval_dir,
    florilegium_corpus,
    opaque,
    seeds_corpus,
    simulated_corpus,
    wikipedia_corpus,
    wire_corpus,
)
from lineage.evaluation.loso import analyze_corpus
from lineage.evaluation.metrics import score

__all__ = [
    "GateCorpus",
    "GateError",
    "check",
    "gate_corpora",
    "main",
    "measure",
    "pin",
]

SALT = "lineage-gate-1"
MARGIN = 0.01  # a floor sits this far under the pinned figure (run-to-run figures are exact)


class GateError(Exception):
    """A refusal: pinning would lower a floor without ``allow_lower``."""


@dataclass(frozen=True)
class GateCorpus:
    name: str
    corpus: Corpus
    params: Mapping[str, Any]
    metrics: tuple[str, ...]


def gate_corpora(
    *, eval_root: str | Path | None = None, seeds_dir: str | Path | None = None
) -> list[GateCorpus]:
    """The gate's corpora, small enough for CI; those whose data is absent are left out."""
    sim = ("edge_f1", "undirected_f1", "root_accuracy", "independent_accuracy")
    out = [
        GateCorpus(
            "simulator-all-dates",
            opaque(simulated_corpus(stories=40, seed=5, dates="all"), SALT),
            {"profile": "news"},
            (*sim, "plagdet"),
        ),
        GateCorpus(
            "simulator-no-dates",
            opaque(simulated_corpus(stories=40, seed=5, dates="none"), SALT),
            {"profile": "news"},
            sim,
        ),
        GateCorpus(
            "wire-no-dates",
            opaque(wire_corpus(stories=20, seed=11), SALT),
            {"profile": "news"},
            sim,
        ),
    ]
    if seeds_dir is not None and (seeds := seeds_corpus(seeds_dir)) is not None:
        out.append(
            GateCorpus(
                "seeds", opaque(seeds, SALT), {"profile": "news"}, ("edge_f1", "root_accuracy")
            )
        )
    base = eval_dir(eval_root)
    if base is not None:
        if (flor := florilegium_corpus(base / "florilegium")) is not None:
            out.append(GateCorpus("florilegium", opaque(flor, SALT), {"profile": "news"}, ("asd",)))
        if (wiki := wikipedia_corpus(base / "wikipedia_versions", limit=30)) is not None:
            w = opaque(wiki, SALT)
            for profile in ("news", "revisions"):
                out.append(
                    GateCorpus(
                        f"wikipedia-30-{profile}",
                        w,
                        {"profile": profile},
                        ("edge_f1", "undirected_f1", "root_accuracy", "story_purity"),
                    )
                )
    return out


def measure(corpora: Sequence[GateCorpus]) -> dict[str, dict[str, Any]]:
    """Each corpus's digest, grid point and figures, through ``lineage.analyze``."""
    out: dict[str, dict[str, Any]] = {}
    digests: dict[str, str] = {}
    for g in corpora:
        pred, _ = analyze_corpus(g.corpus, g.params)
        m = score(pred.edges, g.corpus.truth, stories=pred.stories or None, passages=(
            pred.passages if g.corpus.truth.passages else None))  # fmt: skip
        digest = digests.setdefault(g.corpus.name, corpus_digest(g.corpus))
        values = {k: getattr(m, k) for k in g.metrics}
        out[g.name] = {"digest": digest, "params": dict(g.params), "measured": values}
    return out


def load_floors(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if not p.exists():
        return {"corpora": {}}
    data = json.loads(p.read_text(encoding="utf-8"))
    data.setdefault("corpora", {})
    return data


def check(measured: Mapping[str, Mapping[str, Any]], floors: Mapping[str, Any]) -> list[str]:
    """Every failure, one line each; [] when the gate passes."""
    pinned = floors.get("corpora", {})
    failures = []
    for name, got in sorted(measured.items()):
        entry = pinned.get(name)
        if entry is None:
            failures.append(f"{name}: no floors pinned (run the gate with --pin)")
            continue
        if entry.get("digest") != got["digest"]:
            failures.append(
                f"{name}: the corpus changed (digest {got['digest'][:12]} != pinned "
                f"{str(entry.get('digest'))[:12]}): its floors no longer apply; re-pin"
            )
        if entry.get("params") != got["params"]:
            failures.append(f"{name}: runs under {got['params']}, pinned {entry.get('params')}")
        for metric, floor in sorted(entry.get("floors", {}).items()):
            value = got["measured"].get(metric)
            if value is None or value < floor:
                failures.append(f"{name}: {metric} {value} is below its floor {floor}")
    return failures


def _floor(value: float | None) -> float | None:
    if value is None:
        return None
    scale = 100.0 if value > 1.0 else 1.0  # ASD is a percentage
    return math.floor((value - MARGIN * scale) * 1000) / 1000


def pin(
    measured: Mapping[str, Mapping[str, Any]],
    floors: Mapping[str, Any],
    *,
    allow_lower: bool = False,
) -> dict[str, Any]:
    """New floors from ``measured``, a margin under each figure; other corpora are kept.

    Raises :class:`GateError` naming every floor that would go down, unless
    ``allow_lower``.
    """
    corpora = {k: dict(v) for k, v in floors.get("corpora", {}).items()}
    lowered = []
    for name, got in sorted(measured.items()):
        old = corpora.get(name, {}).get("floors", {})
        new = {k: f for k, v in got["measured"].items() if (f := _floor(v)) is not None}
        for metric, value in sorted(new.items()):
            if metric in old and value < old[metric]:
                lowered.append(f"{name}: {metric} {old[metric]} -> {value}")
        corpora[name] = {
            "digest": got["digest"],
            "params": got["params"],
            "measured": got["measured"],
            "floors": new,
        }
    if lowered and not allow_lower:
        raise GateError("refusing to lower floors without --allow-lower: " + "; ".join(lowered))
    out = {k: v for k, v in floors.items() if k != "corpora"}
    out["corpora"] = corpora
    return out


def write_floors(path: str | Path, floors: Mapping[str, Any]) -> None:
    p = Path(path)
    tmp = p.with_suffix(p.suffix + ".tmp")
    tmp.write_text(json.dumps(floors, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(p)  # atomically


def main(argv: Sequence[str] | None = None) -> int:
    """Check (exit 1 on a failure) or pin (exit 2 on a refusal) the gate's floors."""
    ap = argparse.ArgumentParser(prog="python -m lineage.evaluation.gate", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("--floors", type=Path, default=Path("tests/accuracy_floors.json"))
    ap.add_argument("--eval-dir", type=Path, default=None,
                    help="evaluation data [default: $LINEAGE_EVAL_DIR, else skipped]")  # fmt: skip
    ap.add_argument("--seeds", type=Path, default=None, help="the seeds folder (skipped if absent)")
    ap.add_argument("--only", action="append", default=None, help="gate corpus name (repeatable)")
    ap.add_argument("--pin", action="store_true", help="write floors from this measurement")
    ap.add_argument("--allow-lower", action="store_true", help="with --pin: a floor may go down")
    args = ap.parse_args(argv)
    if args.allow_lower and not args.pin:
        ap.error("--allow-lower goes with --pin")
    corpora = gate_corpora(eval_root=args.eval_dir, seeds_dir=args.seeds)
    if args.only:
        unknown = set(args.only) - {g.name for g in corpora}
        if unknown:
            ap.error(f"no gate corpus named {', '.join(sorted(unknown))}")
        corpora = [g for g in corpora if g.name in args.only]
    measured = measure(corpora)
    floors = load_floors(args.floors)
    for name, got in sorted(measured.items()):
        figures = ", ".join(f"{k} {v:.3f}" for k, v in got["measured"].items() if v is not None)
        print(f"{name}: {figures}")
    if args.pin:
        try:
            new = pin(measured, floors, allow_lower=args.allow_lower)
        except GateError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        write_floors(args.floors, new)
        print(f"pinned {len(measured)} corpora in {args.floors}")
        return 0
    failures = check(measured, floors)
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
