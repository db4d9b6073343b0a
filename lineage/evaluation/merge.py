"""The simulators' merge operation: an aggregator that joins two wires into one page.

:func:`with_merges` takes a generated corpus (either simulator) and adds aggregator
documents, each made of the leading paragraphs of one story's text and the leading
paragraphs of another's. Such a document has two true parents, so its truth holds two
edges into it, and the two stories become one (the aggregator links them). What a
lineage should say: one parent, and a ``secondary`` edge from the other with the region.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import random
from collections.abc import Mapping
from typing import Any

from lineage.evaluation.datasets import Corpus
from lineage.evaluation.metrics import Truth

__all__ = ["merge_recall", "with_merges"]


def _body(text: str) -> tuple[str, list[str]]:
    """The title line and the paragraphs of a generated text."""
    paras = [p.strip() for p in text.split("\n\n") if p.strip()]
    return (paras[0], paras[1:]) if len(paras) > 1 else ("", paras)


def with_merges(corpus: Corpus, *, merges: int, seed: int, keep: float = 0.5) -> Corpus:
    """``corpus`` with ``merges`` aggregator documents, each merging two stories' texts.

    Each takes the first ``keep`` of the paragraphs of a document of one story and of a
    document of another (stories of two or more documents, drawn without replacement),
    dated an hour after the later one when the corpus is dated. Same seed, same output.
    """
    rng = random.Random(seed)
    by_id: dict[str, Mapping[str, Any]] = {r["id"]: r for r in corpus.records}
    stories = [list(s) for s in corpus.truth.stories if len(s) > 1]
    rng.shuffle(stories)
    rows = list(corpus.records)
    edges = list(corpus.truth.edges)
    joined: list[set[str]] = [set(s) for s in corpus.truth.stories]
    for k in range(min(merges, len(stories) // 2)):
        sa, sb = stories[2 * k], stories[2 * k + 1]
        a, b = by_id[rng.choice(sorted(sa))], by_id[rng.choice(sorted(sb))]
        title, pa = _body(a["text"])
        _, pb = _body(b["text"])
        na, nb = max(1, round(len(pa) * keep)), max(1, round(len(pb) * keep))
        text = title + "\n\n" + "\n\n".join(pa[:na] + pb[:nb]) + "\n"
        new_id = "m" + hashlib.sha1(text.encode()).hexdigest()[:9]  # no answer in the id
        dates = [str(x["date"]) for x in (a, b) if x.get("date")]
        date = None
        if len(dates) == 2:
            later = max(dt.datetime.fromisoformat(d) for d in dates)
            date = (later + dt.timedelta(hours=1)).isoformat()
        rows.append({**{f: None for f in a}, "id": new_id, "text": text, "title": title,
                     "outlet": "aggregator", "date": date})  # fmt: skip
        edges += [(a["id"], new_id), (b["id"], new_id)]
        sa_set = next(s for s in joined if a["id"] in s)
        sb_set = next(s for s in joined if b["id"] in s)
        joined = [s for s in joined if s is not sa_set and s is not sb_set]
        joined.append(sa_set | sb_set | {new_id})
    t = corpus.truth
    truth = Truth(
        documents=tuple(r["id"] for r in rows),
        edges=tuple(edges),
        roots=t.roots,
        independents=t.independents,
        stories=tuple(tuple(sorted(s)) for s in joined),
        passages=t.passages,
        tree=t.tree,
    )
    return dataclasses.replace(
        corpus, name=f"{corpus.name} + {merges} merges", records=tuple(rows), truth=truth
    )


def merge_recall(edges: list[tuple[str, str, bool]], truth: Truth) -> tuple[int, int, int]:
    """(merged documents, those given both true parents, those with a secondary edge).

    ``edges``: (parent, child, secondary) of a prediction.
    """
    parents: dict[str, set[str]] = {}
    for p, c in truth.edges:
        parents.setdefault(c, set()).add(p)
    merged = {c: ps for c, ps in parents.items() if len(ps) == 2}
    got: dict[str, set[str]] = {}
    sec: set[str] = set()
    for p, c, s in edges:
        got.setdefault(c, set()).add(p)
        if s:
            sec.add(c)
    both = sum(1 for c, ps in merged.items() if got.get(c, set()) >= ps)
    return len(merged), both, len(sec & set(merged))
