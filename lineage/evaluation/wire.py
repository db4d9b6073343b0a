"""A second generator of copied text, written apart from :mod:`lineage.evaluation.simulate`.

It shares no code, parameter, text source or edit rule with the first simulator, so that a
method tuned on one is measured on something it did not learn. It models what the first
does not:

* **a lost original**: an agency's wire text that most often is never published itself
  (the outlets' copies are siblings under a node the corpus does not hold);
* **merged sources**: a copy built from two earlier copies (two true parents);
* **reordered paragraphs** and **dropped middle paragraphs**;
* **regional rewrites**: a local paragraph inserted, the lead opened with a locality,
  spellings moved between US and British usage, a few words replaced.

Every copy differs from its source by at least one edit (when none was drawn, its lead
opens with a locality).

Base texts are prose paragraphs of the Python documentation's topic help shipped with the
interpreter (``pydoc_data.topics``, PSF licence): an English text source distinct from the
BBC texts the first simulator reads. They are read at run time, never stored here; figures
may move a little between Python versions, whose help texts differ.

``generate(stories=..., seed=...)`` returns analyzer rows and a
:class:`~lineage.evaluation.metrics.Truth` whose ``edges`` link published documents only:
a copy of a lost original is a root. Same seed, same output.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
import re
from dataclasses import dataclass, field
from typing import Any

from lineage.evaluation.metrics import Truth

__all__ = ["generate", "paragraph_pool"]

_WORD = re.compile(r"\w+")

# edit probabilities, chosen for this generator alone
P_LOST = 0.65  # the wire original is not in the corpus
P_FROM_WIRE = 0.55  # a copy is taken from the wire rather than from an earlier copy
P_MERGE = 0.15
P_TRUNCATE = 0.5
P_REORDER = 0.3
P_DROP_MIDDLE = 0.2
P_LOCAL = 0.4
P_SPELLING = 0.3
P_WORDS = 0.5

_US_UK = {
    "behavior": "behaviour", "color": "colour", "initialize": "initialise",
    "initialized": "initialised", "organization": "organisation", "analyze": "analyse",
    "recognize": "recognise", "favor": "favour", "center": "centre", "license": "licence",
    "program": "programme", "catalog": "catalogue", "defense": "defence",
    "optimization": "optimisation", "customize": "customise", "serialize": "serialise",
}  # fmt: skip
_WORDS = {
    "convenient": "handy", "equivalent": "the same", "illegal": "not allowed",
    "determined": "decided", "returns": "gives back", "specified": "given",
    "however": "but", "therefore": "so", "usually": "normally", "necessary": "needed",
    "provides": "offers", "contains": "holds", "allows": "lets", "attempt": "try",
    "identical": "the same", "modify": "change", "obtain": "get", "sufficient": "enough",
    "evaluated": "worked out", "called": "invoked", "raised": "thrown",
}  # fmt: skip
_REGIONS = (
    "Tarnwick", "Ossel Bay", "Upper Maddon", "Cray Valley", "Fenholt", "Brisk Point",
    "Lowther Plain", "Saltmere", "Quennell", "Harrow Fen", "Dunmarsh", "Ketterby",
)  # fmt: skip
_PAPERS = (
    "Daily", "Weekly", "Wire", "Voice", "Star", "Press", "Mail", "Echo", "Beacon", "Monitor",
    "Lantern", "Review",
)  # fmt: skip


@dataclass
class _Node:
    name: str
    paras: list[str]
    title: str
    outlet: str
    time: dt.datetime
    published: bool
    parents: list[str] = field(default_factory=list)


def _prose(text: str) -> list[str]:
    """Prose paragraphs of one help topic: no code, no headings, at least 25 words."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.splitlines()
        if not lines or any(ln.startswith((" ", "\t")) for ln in lines):
            continue  # code and grammar are indented
        para = " ".join(ln.strip() for ln in lines)
        if ">>>" in para or "::=" in para or re.fullmatch(r"[*=\-]+", para.replace(" ", "")):
            continue
        if len(_WORD.findall(para)) >= 25:
            out.append(para)
    return out


@functools.cache
def paragraph_pool() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Base texts: (topic, paragraphs), runs of 5 consecutive prose paragraphs of one help
    topic (a shorter last run of 3-4 is kept too), with no 8-word run shared between any
    two paragraphs kept (so unrelated documents share no text)."""
    from pydoc_data.topics import topics

    seen: set[tuple[str, ...]] = set()
    out = []
    for key in sorted(topics):
        kept = []
        for para in _prose(topics[key]):
            w = [x.lower() for x in _WORD.findall(para)]
            grams = {tuple(w[i : i + 8]) for i in range(len(w) - 7)}
            if grams & seen:
                continue
            seen |= grams
            kept.append(para)
        for i in range(0, len(kept), 5):
            run = kept[i : i + 5]
            if len(run) >= 3:
                out.append((f"{key}:{i // 5}", tuple(run)))
    return tuple(out)


def _sentences(para: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", para) if s]


def _replace_words(rng: random.Random, text: str, table: dict[str, str], k: int | None) -> str:
    keys = [w for w in table if re.search(rf"\b{w}\b", text, flags=re.I)]
    if k is not None:
        keys = rng.sample(keys, min(k, len(keys)))
    for w in keys:
        new = table[w]

        def cased(m: re.Match[str], new: str = new) -> str:
            return new.capitalize() if m.group(0)[0].isupper() else new

        text = re.sub(rf"\b{w}\b", cased, text, flags=re.I)
    return text


def _derive(rng: random.Random, src: list[str], local: list[str], region: str) -> list[str]:
    paras = list(src)
    if len(paras) > 3 and rng.random() < P_TRUNCATE:
        paras = paras[: rng.randint(3, len(paras) - 1)]
    if len(paras) > 4 and rng.random() < P_DROP_MIDDLE:
        del paras[rng.randint(1, len(paras) - 2)]
    if len(paras) > 3 and rng.random() < P_REORDER:
        i = rng.randint(1, len(paras) - 2)
        paras[i], paras[i + 1] = paras[i + 1], paras[i]
    if local and rng.random() < P_LOCAL:
        lead = _sentences(paras[0])
        lead[0] = f"In {region}, {lead[0][0].lower()}{lead[0][1:]}"
        paras[0] = " ".join(lead)
        paras.insert(min(2, len(paras)), local.pop())
    if rng.random() < P_SPELLING:
        paras = [_replace_words(rng, p, _US_UK, None) for p in paras]
    if rng.random() < P_WORDS:
        k = rng.randint(2, 5)
        i = rng.randrange(len(paras))
        paras[i] = _replace_words(rng, paras[i], _WORDS, k)
    if paras == src:
        # every copy differs from its source: a verbatim duplicate carries no direction,
        # and its edge would be scored by how a tie falls
        lead = _sentences(paras[0])
        lead[0] = f"In {region}, {lead[0][0].lower()}{lead[0][1:]}"
        paras[0] = " ".join(lead)
    return paras


def _headline(paras: list[str]) -> str:
    words = _sentences(paras[0])[0].split()
    return " ".join(words[:9]).rstrip(".,;:")


def generate(
    *, stories: int = 40, seed: int = 0, dates: bool = False, size: tuple[int, int] = (3, 8)
) -> tuple[list[dict[str, Any]], Truth]:
    """Analyzer rows and their truth: ``stories`` wire stories plus a quarter as many
    independent reports. ``dates``: give each published copy its time."""
    pool = paragraph_pool()
    rng = random.Random(f"wire:{seed}")
    order = list(range(len(pool)))
    rng.shuffle(order)
    n_ind = max(stories // 4, 0)
    if stories + n_ind > len(pool):
        raise ValueError(f"at most {len(pool)} stories and independents from this text pool")
    # local paragraphs come from topics no story or independent report uses
    spare = [p for i in order[stories + n_ind :] for p in pool[i][1]]
    rng.shuffle(spare)
    outlets = [f"The {r} {p}" for r in _REGIONS for p in _PAPERS]
    rows: list[dict[str, Any]] = []
    edges: list[tuple[str, str]] = []
    roots: list[str] = []
    story_ids: list[tuple[str, ...]] = []
    independents: list[str] = []
    t0 = dt.datetime(2025, 3, 1, 6, 0, tzinfo=dt.UTC)

    def publish(node: _Node) -> None:
        text = node.title + "\n\n" + "\n\n".join(node.paras) + "\n"
        rows.append({
            "id": node.name, "text": text, "outlet": node.outlet, "title": node.title,
            "date": node.time.isoformat() if dates else None, "url": None,
        })  # fmt: skip

    for s in range(stories):
        _, base = pool[order[s]]
        paras = list(base)
        start = t0 + dt.timedelta(days=s, minutes=rng.randint(0, 600))
        wire = _Node(f"w{s}", paras, _headline(paras), "Continental Wire", start,
                     published=rng.random() >= P_LOST)  # fmt: skip
        nodes = [wire]
        for k in range(rng.randint(*size)):
            parent = wire if rng.random() < P_FROM_WIRE else rng.choice(nodes)
            src = parent.paras
            parents = [parent]
            others = [x for x in nodes if x is not parent]
            if others and rng.random() < P_MERGE:
                second = rng.choice(others)
                half = max(1, len(src) // 2)
                extra = [p for p in second.paras if p not in src[:half]]
                src = src[:half] + extra[: max(1, len(extra) - half)]
                parents.append(second)
            region = rng.choice(_REGIONS)
            child_paras = _derive(rng, src, spare, region)
            delay = math.exp(rng.gauss(4.0, 1.0))  # minutes
            latest = max(p.time for p in parents)
            child = _Node(
                f"s{s}c{k}", child_paras, _headline(child_paras), rng.choice(outlets),
                latest + dt.timedelta(minutes=delay), published=True,
                parents=[p.name for p in parents],
            )  # fmt: skip
            nodes.append(child)
        published = {x.name for x in nodes if x.published}
        for x in nodes:
            if x.published:
                edges += [(p, x.name) for p in x.parents if p in published]
                if not any(p in published for p in x.parents):
                    roots.append(x.name)
                publish(x)
        members = tuple(x.name for x in nodes if x.published)
        if len(members) >= 2:
            story_ids.append(members)
        else:
            independents += members
    for i in range(n_ind):
        _, base = pool[order[stories + i]]
        paras = list(base[: rng.randint(3, 6)])
        day = dt.timedelta(days=rng.randint(0, max(stories, 1)))
        node = _Node(
            f"i{i}", paras, _headline(paras), rng.choice(outlets), t0 + day, published=True
        )
        publish(node)
        independents.append(node.name)
    ids = tuple(r["id"] for r in rows)
    # the lost originals are not in the truth: their copies are roots, and an edge between
    # two of their copies is wrong
    truth = Truth(ids, tuple(edges), tuple(roots), tuple(independents), tuple(story_ids))
    return rows, truth
