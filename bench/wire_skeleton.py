"""The undated skeleton, measured on its own: lineage beside MST on the same analysis.

Each corpus is analyzed once through the CLI's path (``lineage.analyze`` on the corpus
written to a temporary folder, under opaque ids); the stages after alignment
(``lineage.pipeline.after_pairs``: stories, the profile, the forest, lost sources) are
then rerun from the cached inputs under each variant, so a variant costs seconds, not
the alignment. Cells: edge F1 / undirected F1 / root accuracy, and MST on Jaccard (the
baseline of bench/accuracy.py, on the same verified pairs).

Train corpora (choose on these): wire seeds 1 (undated) and 3 (dated, and rerun
undated), simulator seeds 7 (dates) and 17 (none). ``--test`` adds the held-out wire
seeds 2 (undated) and 4 (dated) and simulator seeds 2026 (dates) and 2027 (none); read
them only at the end.

    PYTHONPATH=$PWD .venv/bin/python bench/wire_skeleton.py [--test] [--variant NAME=FIELD:V,...]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import pickle
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lineage  # noqa: E402
import lineage.pipeline as pipeline  # noqa: E402
from lineage.evaluation.baselines import baseline_mst  # noqa: E402
from lineage.evaluation.datasets import (  # noqa: E402
    Corpus,
    opaque,
    simulated_corpus,
    wire_corpus,
    write_corpus,
)
from lineage.evaluation.metrics import Metrics, load_prediction, score  # noqa: E402
from lineage.infer import hypothetical  # noqa: E402
from lineage.infer import weights as weights_mod  # noqa: E402
from lineage.model import Config  # noqa: E402

SALT = "lineage-bench-1"  # bench/accuracy.py's: the same opaque ids
CACHE = Path(tempfile.gettempdir()) / "lineage-wire-skeleton"


def corpora(test: bool, stories: int) -> list[Corpus]:
    out = [
        opaque(wire_corpus(stories=stories, seed=1, dates=False), f"{SALT}:w1"),
        opaque(wire_corpus(stories=stories, seed=3, dates=True), f"{SALT}:w3"),
        opaque(wire_corpus(stories=stories, seed=3, dates=False), f"{SALT}:w3u"),
        opaque(simulated_corpus(stories=50, seed=7, dates="all"), f"{SALT}:train:a"),
        opaque(simulated_corpus(stories=50, seed=17, dates="none"), f"{SALT}:train:b"),
    ]
    if test:
        out += [
            opaque(wire_corpus(stories=stories, seed=2, dates=False), f"{SALT}:w2"),
            opaque(wire_corpus(stories=stories, seed=4, dates=True), f"{SALT}:w4"),
            opaque(simulated_corpus(stories=50, seed=2026, dates="all"), f"{SALT}:test:a"),
            opaque(simulated_corpus(stories=50, seed=2027, dates="none"), f"{SALT}:test:b"),
        ]
    return out


def _inputs(corpus: Corpus) -> dict[str, Any]:
    """The inputs the after_pairs stage of ``corpus``'s analysis was given, and the edges
    that stage never sees (each exact copy to its group's representative). Cached under
    the corpus's name only, not the code: clear the cache folder after changing any stage
    before the forest."""
    key = hashlib.sha256(corpus.name.encode()).hexdigest()[:16]
    path = CACHE / f"{key}.pickle"
    if path.is_file():
        return pickle.loads(path.read_bytes())
    seen: dict[str, Any] = {}
    original = pipeline.after_pairs

    def spy(docs: Any, pairs: Any, tokens: Any, config: Any, **kw: Any) -> Any:
        seen.update(docs=docs, pairs=pairs, tokens=tokens, config=config, kw=kw)
        return original(docs, pairs, tokens, config, **kw)

    pipeline.after_pairs = spy
    try:
        with tempfile.TemporaryDirectory(prefix="lineage-skel-") as tmp:
            analysis = lineage.analyze([write_corpus(corpus, tmp)], Config())
    finally:
        pipeline.after_pairs = original
    paired = {d.id for d in seen["docs"]}
    copies = {m for g in analysis.duplicates for m in g.members if m not in paired}
    seen["copy_edges"] = sorted((e.parent, e.child) for e in analysis.edges if e.child in copies)
    seen["kw"].pop("progress", None)
    seen["kw"].pop("timings", None)
    CACHE.mkdir(exist_ok=True)
    path.write_bytes(pickle.dumps(seen))
    return seen


def run(
    inputs: dict[str, Any], corpus: Corpus, fields: dict[str, Any]
) -> tuple[Metrics, Metrics, Any, Any]:
    """Metrics of lineage under the news/revisions profiles with ``fields`` changed, and
    of MST on the same pairs."""
    saved = dict(weights_mod.PROFILES)
    fields = dict(fields)
    drop = bool(fields.pop("drop_links", False))
    real = hypothetical.lost_sources
    if drop:
        hypothetical.lost_sources = functools.partial(real, drop_links=True)
    try:
        for name in ("news",):
            weights_mod.PROFILES[name] = replace(saved[name], **fields)
        analysis = pipeline.after_pairs(
            inputs["docs"], inputs["pairs"], inputs["tokens"], inputs["config"], **inputs["kw"]
        )
    finally:
        hypothetical.lost_sources = real
        weights_mod.PROFILES.clear()
        weights_mod.PROFILES.update(saved)
    pred = load_prediction(analysis)
    pred = replace(pred, edges=tuple(sorted({*pred.edges, *inputs["copy_edges"]})))
    ours = score(pred.edges, corpus.truth, stories=pred.stories or None, lost_edges=pred.lost_edges)
    mst_edges = baseline_mst(pred)
    mst = score(mst_edges, corpus.truth, stories=pred.stories or None)
    return ours, mst, pred.edges, mst_edges


def _cell(m: Metrics) -> str:
    return f"{m.edge_f1:.3f} / {m.undirected_f1:.3f} / {m.root_accuracy or 0:.2f}"


def _value(v: str) -> Any:
    for t in (int, float):
        try:
            return t(v)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(v, v)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--test", action="store_true", help="add the held-out wire seeds 2, 4")
    ap.add_argument("--stories", type=int, default=40)
    ap.add_argument(
        "--variant",
        action="append",
        default=[],
        help="NAME=FIELD:VALUE,FIELD:VALUE (Weights fields of the news profile; also "
        "drop_links:true)",
    )
    ap.add_argument("--errors", action="store_true", help="wrong edges by kind")
    args = ap.parse_args(argv)
    variants: list[tuple[str, dict[str, Any]]] = [("main", {})]
    for spec in args.variant:
        name, _, rest = spec.partition("=")
        fields = {k: _value(v) for k, _, v in (x.partition(":") for x in rest.split(",") if x)}
        variants.append((name, fields))
    for corpus in corpora(args.test, args.stories):
        inputs = _inputs(corpus)
        print(corpus.name)
        mst = None
        for name, fields in variants:
            ours, mst, edges, mst_edges = run(inputs, corpus, fields)
            print(f"  {name:24s} {_cell(ours)}")
            if args.errors:
                print(f"  {'':24s} {kinds(edges, corpus.truth)}")
        assert mst is not None
        print(f"  {'MST':24s} {_cell(mst)}")
        if args.errors:
            print(f"  {'':24s} {kinds(mst_edges, corpus.truth)}")
        sys.stdout.flush()
    return 0


def kinds(edges: Any, truth: Any) -> dict[str, int]:
    """Each edge of ``edges`` that is wrong, by what the truth says the pair is."""
    true = set(truth.edges)
    parents: dict[str, set[str]] = {}
    for p, c in true:
        parents.setdefault(c, set()).add(p)
    roots = set(truth.roots)

    def ancestors(x: str) -> set[str]:
        seen: set[str] = set()
        todo = list(parents.get(x, ()))
        while todo:
            y = todo.pop()
            if y not in seen:
                seen.add(y)
                todo.extend(parents.get(y, ()))
        return seen

    out: dict[str, int] = {}
    for p, c in edges:
        if (p, c) in true:
            k = "right"
        elif (c, p) in true:
            k = "reversed"
        elif p in roots and c in roots:
            k = "two roots"
        elif parents.get(p, set()) & parents.get(c, set()):
            k = "siblings"
        elif p in ancestors(c):
            k = "ancestor"
        elif c in ancestors(p):
            k = "descendant"
        elif c in roots:
            k = "child is root"
        else:
            k = "other"
        out[k] = out.get(k, 0) + 1
    return dict(sorted(out.items()))


if __name__ == "__main__":
    raise SystemExit(main())
