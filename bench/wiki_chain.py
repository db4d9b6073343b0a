"""The version chains on the Wikipedia revision chains: all articles in one run, fast.

    python bench/wiki_chain.py [--eval-dir DIR] [--cache FILE] [--held-out] [--errors]

One analysis of all articles (opaque shuffled ids, the default profile, the CLI's path)
gives the documents and the stories; the stories' chains are then built again by
``lineage.infer.chain.chains`` from those (so a change of the chain model is measured
in seconds; ``--cache`` keeps the analysis between runs). The edges are scored, as
``bench/accuracy.py`` splits row c, on the **first 100 articles** (sorted by title: the
training half, which ``bench/fit_chain.py`` reads) and, only with ``--held-out``, on
the **other articles** (which chose nothing) and on all of them.

``--errors`` sorts the training half's wrong links by kind (the chain of one story, the
true chain's links): a true link split across stories, a link lost by the ordering
(skeleton), a link found but pointing the wrong way (orientation), and of those how
many join versions with the same words.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lineage  # noqa: E402
from lineage.evaluation.datasets import opaque, wikipedia_corpus, write_corpus  # noqa: E402
from lineage.evaluation.metrics import Truth, score  # noqa: E402
from lineage.infer.chain import chains  # noqa: E402
from lineage.model import Config  # noqa: E402
from lineage.text import tokenize  # noqa: E402

SALT = "lineage-bench-1"  # bench/accuracy.py's
TRAIN_ARTICLES = 100


def _analysis(eval_dir: Path, cache: Path | None):  # type: ignore[no-untyped-def]
    if cache is not None and cache.is_file():
        return pickle.loads(cache.read_bytes())
    wiki = wikipedia_corpus(eval_dir / "wikipedia_versions")
    if wiki is None:
        raise SystemExit(f"{eval_dir / 'wikipedia_versions'}: absent")
    corpus = opaque(wiki, SALT)
    with tempfile.TemporaryDirectory(prefix="lineage-wiki-") as tmp:
        a = lineage.analyze([write_corpus(corpus, tmp)], Config())
    out = (corpus.truth, a.documents, a.stories, a.profile_choice, a.edges)
    if cache is not None:
        cache.write_bytes(pickle.dumps(out))
    return out


def _restrict(truth: Truth, stories: tuple[tuple[str, ...], ...]) -> Truth:
    keep = {d for s in stories for d in s}
    edges = tuple(e for e in truth.edges if e[0] in keep)
    roots = tuple(r for r in truth.roots if r in keep)
    return Truth(tuple(d for d in truth.documents if d in keep), edges, roots, (), stories)


def _row(label: str, edges: list[tuple[str, str]], truth: Truth) -> str:
    keep = set(truth.documents)
    m = score([e for e in edges if e[0] in keep and e[1] in keep], truth)
    return (
        f"{label}: edge F1 {m.edge_f1:.3f} / undirected {m.undirected_f1:.3f} / root "
        f"{m.root_accuracy:.3f} ({m.true_edges} true links)"
    )


def _errors(edges: list[tuple[str, str]], truth: Truth, stories, tokens) -> Counter:  # type: ignore[no-untyped-def]
    story_of = {d: k for k, s in enumerate(stories) for d in s}
    pe = set(edges)
    und = {frozenset(e) for e in pe}
    c: Counter = Counter()
    for p, ch in truth.edges:
        same = (tokens[p].hashes[tokens[p].content].tobytes()) == (
            tokens[ch].hashes[tokens[ch].content].tobytes()
        )
        if (p, ch) in pe:
            c["right"] += 1
        elif story_of.get(p) != story_of.get(ch):
            c["split across stories"] += 1
        elif frozenset((p, ch)) in und:
            c["reversed" + (" (same words)" if same else "")] += 1
        else:
            c["not linked (skeleton)"] += 1
    return c


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--held-out", action="store_true", help="also score the held-out articles")
    ap.add_argument("--errors", action="store_true", help="the training half's errors by kind")
    args = ap.parse_args(argv)
    truth, docs, stories, choice, pipeline_edges = _analysis(args.eval_dir, args.cache)
    tokens = {d.id: tokenize(d.text, boilerplate=d.boilerplate) for d in docs}
    # the edges outside every chained story (a story with dated versions, or between
    # stories) stay as the pipeline left them; chains() drops the rest and rebuilds them
    edges, _, _ = chains(list(docs), stories, list(pipeline_edges), [], [], tokens=tokens)
    pairs = [(e.parent, e.child) for e in edges]
    print(f"profile: {choice.profile if choice else '-'}")
    first = _restrict(truth, truth.stories[:TRAIN_ARTICLES])
    print(_row(f"first {TRAIN_ARTICLES} (train)", pairs, first))
    if args.errors:
        print(dict(sorted(_errors(pairs, first, stories, tokens).items())))
    if args.held_out:
        rest = _restrict(truth, truth.stories[TRAIN_ARTICLES:])
        print(_row(f"other {len(rest.stories)} (held out)", pairs, rest))
        print(_row(f"all {len(truth.stories)}", pairs, truth))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
