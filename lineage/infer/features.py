"""What the scorers read: per-document features, pair masks and story-wide figures.

Everything here is computed from the documents, their tokens and their pairs, once per
document or pair; nothing here weighs evidence (:mod:`lineage.infer.scorers`) or words
it (:mod:`lineage.infer.explain`).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz.distance import Levenshtein

from lineage.infer.weights import Weights
from lineage.model import Document, Pair
from lineage.signals import Credit, editorial_insertions, find_credits, name_key, names_match
from lineage.text import Tokens, tokenize

__all__ = [
    "Features",
    "chain_shape",
    "content_key",
    "StoryState",
    "features_of",
    "hours_between",
    "house_styles",
    "missing_runs",
    "own_dateline_mask",
    "separative_words",
]


@dataclass
class Features:
    """What the scorers need of one document, computed once."""

    doc: Document
    tokens: Tokens
    credits: list[Credit]
    brackets: list[tuple[int, int]]
    # how the page's outlet words its own credits (:attr:`Credit.cue`); None: not known
    house: frozenset[str] | None = None
    # for each candidate parent: mask of this document's words that match it exactly
    exact: dict[str, np.ndarray] = field(default_factory=dict)


def features_of(
    doc: Document,
    *,
    known_outlets: frozenset[str] = frozenset(),
    house: frozenset[str] | None = None,
) -> Features:
    """A document's :class:`Features` on its own (no candidate parents yet)."""
    return Features(
        doc,
        tokenize(doc.text, boilerplate=doc.boilerplate),
        find_credits(doc.text, known_outlets=known_outlets),
        editorial_insertions(doc.text),
        house,
    )


def content_key(doc: Document) -> tuple[str, str]:
    """:attr:`Document.content_key`: what the inference breaks ties by, never the id."""
    return doc.content_key


# -- time ---------------------------------------------------------------------------

Clock = tuple[float, float, float]
_EPOCH = dt.datetime(1970, 1, 1)
_INSTANT = 1 / 3600  # a timed date covers a second: equal times overlap, distinct ones not


def hours_between(a: Document, b: Document) -> float | None:
    """Hours from ``a``'s date to ``b``'s (negative: ``b`` is the earlier); ``None`` when
    either is undated; 0 when the two cannot be ordered: the same time, or a day-only
    date (:attr:`Document.day_only`) whose day holds the other date. Between a day and
    another date, the gap is taken from the middle of the day."""
    return gap(clock(a), clock(b))


def gap(a: Clock | None, b: Clock | None) -> float | None:
    """:func:`hours_between` on two :func:`clock` values."""
    if a is None or b is None:
        return None
    if max(a[0], b[0]) < min(a[1], b[1]):  # overlapping: no order
        return 0.0
    return b[2] - a[2]


def clock(d: Document) -> Clock | None:
    """The span of hours a document's date covers (since 1970, UTC; a naive date is taken
    as UTC, as ingest writes them) and its middle: a day-only date covers its day."""
    if d.date is None:
        return None
    t = d.date
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC).replace(tzinfo=None)
    h = (t - _EPOCH).total_seconds() / 3600.0
    if d.day_only:
        return h, h + 24.0, h + 12.0
    return h, h + _INSTANT, h


# -- names --------------------------------------------------------------------------


def named(name: str, doc: Document) -> bool:
    """``name`` is one of the names the page goes by (:attr:`Document.names`)."""
    return any(names_match(name, n) >= 1.0 for n in doc.names)


def foreign_dateline(doc: Document) -> bool:
    """The page carries another outlet's dateline ("CITY (OTHER OUTLET) --")."""
    h = doc.home_outlet
    return bool(doc.dateline_outlet and h and names_match(doc.dateline_outlet, h) < 1.0)


_SITE_SUFFIX = re.compile(r"\s(?:-|\||–|—)\s+([^-|–—]{2,60}?)\s*$")


@functools.lru_cache(maxsize=65536)
def title_site(title: str) -> str | None:
    """The site name a headline ends with ("Runners finish together - KDKA" -> "KDKA")."""
    m = _SITE_SUFFIX.search(title)
    return m.group(1) if m else None


@functools.lru_cache(maxsize=65536)
def title_words(title: str) -> tuple[str, ...]:
    return tokenize(title).words


def own_dateline_mask(doc: Document, tokens: Tokens) -> np.ndarray | None:
    """Mask of the words of the document's dateline when it names its own outlet."""
    name = doc.dateline_outlet
    if not name or not named(name, doc):
        return None
    span = doc.dateline_span
    if span is None:
        return None
    line_start = doc.text.rfind("\n", 0, span[0]) + 1
    lo, hi = np.searchsorted(tokens.starts, [line_start, span[1]])
    mask = np.zeros(len(tokens), dtype=bool)
    mask[lo:hi] = True
    return mask


def house_styles(
    stories: Sequence[Sequence[str]],
    by_id: Mapping[str, Document],
    credits: Mapping[str, Sequence[Credit]],
) -> dict[tuple[str, ...], frozenset[str]]:
    """How each outlet words its own credits (:attr:`Credit.cue`), by :func:`name_key` of
    the outlet: learnt from the credits no other document of the story carries word for
    word, which the page cannot have taken from another copy's text.

    An outlet writes its credits its own way ("told KDKA" against "according to KDKA",
    "(via KDKA)"); a shared credit in another wording came with the text it was copied
    with, and names the source of that text, not the page's own source.
    """
    out: dict[tuple[str, ...], set[str]] = {}
    for story in stories:
        carried = Counter(c.phrase.casefold() for i in story for c in credits.get(i, ()))
        for i in story:
            h = by_id[i].home_outlet
            for c in credits.get(i, ()):
                if h and c.cue and carried[c.phrase.casefold()] == 1:
                    out.setdefault(name_key(h), set()).add(c.cue)
    return {k: frozenset(v) for k, v in out.items()}


# -- word masks ---------------------------------------------------------------------


def exact_masks(
    pair: Pair, ta: Tokens, tb: Tokens, *, flip: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Words of a and of b that match a word of the other exactly inside a passage.

    An edit script is not symmetric where several are equally short: ``flip`` computes
    it from b to a, so that a caller can take it in an order of the documents' content
    (:attr:`Document.content_key`) rather than of their ids."""
    ma = np.zeros(len(ta), dtype=bool)
    mb = np.zeros(len(tb), dtype=bool)
    for p in pair.passages:
        a0, a1 = p.a_tok
        b0, b1 = p.b_tok
        sa, sb = ta.hashes[a0:a1].tolist(), tb.hashes[b0:b1].tolist()
        if flip:
            for op in Levenshtein.opcodes(sb, sa):
                if op.tag == "equal":
                    mb[b0 + op.src_start : b0 + op.src_end] = True
                    ma[a0 + op.dest_start : a0 + op.dest_end] = True
            continue
        for op in Levenshtein.opcodes(sa, sb):
            if op.tag == "equal":
                ma[a0 + op.src_start : a0 + op.src_end] = True
                mb[b0 + op.dest_start : b0 + op.dest_end] = True
    return ma & ta.content, mb & tb.content


def missing_runs(mask: np.ndarray, content: np.ndarray) -> int:
    """How many runs of a parent's content words (``~mask``) the child lacks."""
    missing = ~mask[content]
    if not missing.any():
        return 0
    return int(missing[0]) + int(np.count_nonzero(missing[1:] & ~missing[:-1]))


def held_figures(mask: np.ndarray, content: np.ndarray) -> tuple[int, int]:
    """(:func:`missing_runs`, the inner missing words) of one document against another,
    from one pass over ``mask[content]``: the content words the other lacks, counted in
    runs, and counted inside the stretch of the first that the other follows (from its
    first to its last held content word)."""
    held = mask[content]
    missing = ~held
    runs = (
        int(missing[0]) + int(np.count_nonzero(missing[1:] & ~missing[:-1])) if missing.any() else 0
    )
    idx = np.flatnonzero(held)
    inner = int(np.count_nonzero(missing[idx[0] : idx[-1] + 1])) if len(idx) >= 2 else 0
    return runs, inner


def first_run(
    text: str, tokens: Tokens, mask: np.ndarray, limit: int = 12
) -> tuple[str, tuple[int, int], bool]:
    """The first run of masked words: as written (spaces folded), its character span,
    and whether the run goes on past ``limit`` words."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return "", (0, 0), False
    start = end = int(idx[0])
    # follow the run across gaps of a word or two (a changed word inside the variant)
    while end - start < limit - 1:
        nxt = [k for k in (end + 1, end + 2, end + 3) if k < len(mask) and mask[k]]
        if not nxt:
            break
        end = nxt[0]
    s, e = int(tokens.starts[start]), int(tokens.ends[end])
    more = bool(end + 1 < len(mask) and mask[end + 1])
    return " ".join(text[s:e].split()), (s, e), more


def marks_chunk(
    context: tuple[Sequence[str], Mapping[str, Document], frozenset[str]], chunk: range
) -> list[tuple[list[Credit], list[tuple[int, int]]]]:
    """Credits and bracketed insertions of documents ``chunk`` of ``order``; ``context``
    is ``(order, by_id, known_outlets)``."""
    order, by_id, known = context
    return [
        (
            find_credits(by_id[order[k]].text, known_outlets=known),
            editorial_insertions(by_id[order[k]].text),
        )
        for k in chunk
    ]


def masks_chunk(
    context: tuple[
        Sequence[Pair],
        Mapping[str, Tokens],
        Mapping[str, np.ndarray | None],
        Mapping[str, tuple[str, str]],
        bool,
    ],
    chunk: range,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """For pairs ``chunk``: the words of each side the other matches exactly, less the
    page's own dateline (see :func:`own_dateline_mask`); bit-packed when ``pack`` (a
    worker sends them back). ``context`` is ``(pairs, tokens, house, rank, pack)``."""
    pairs, tokens, house, rank, pack = context
    out = []
    for k in chunk:
        p = pairs[k]
        ea, eb = exact_masks(p, tokens[p.a], tokens[p.b], flip=rank[p.b] < rank[p.a])
        if (ha := house[p.a]) is not None:
            ea &= ~ha
        if (hb := house[p.b]) is not None:
            eb &= ~hb
        out.append((np.packbits(ea), np.packbits(eb)) if pack else (ea, eb))
    return out


# -- story-wide figures -------------------------------------------------------------


def centrality(story: Sequence[str], pairs: Sequence[Pair]) -> dict[str, float]:
    """How much of the other documents' text each document holds, on average.

    An original holds what every copy kept of it; a copy holds less of its siblings'
    (each lost or changed something). Used as a weak prior for roots and parents.
    """
    held: dict[str, list[float]] = {k: [] for k in story}
    for p in pairs:
        held[p.a].append(p.b_in_a)
        held[p.b].append(p.a_in_b)
    n = max(1, len(story) - 1)
    # fsum: exactly rounded, so the pairs' order (by id) cannot tip a near tie
    return {k: math.fsum(v) / n for k, v in held.items()}


def referenced(
    story: Sequence[str], by_id: Mapping[str, Document], info: Mapping[str, Features]
) -> dict[str, list[str]]:
    """For each document, the other documents of its story that name its outlet as their
    source: in a credit, or in a dateline on a page of a different outlet. The outlet a
    story's copies point at is where the story started."""
    # names are compared once per distinct (outlet, named) pair, not once per two
    # documents: a story of thousands of pages has a few hundred outlet names
    namers: dict[str, list[str]] = {}  # a name -> the documents naming it
    for j in story:
        names = {c.name for c in info[j].credits}
        dateline = by_id[j].dateline_outlet
        if dateline:
            names.add(dateline)
        for n in names:
            namers.setdefault(n, []).append(j)
    by_outlet: dict[str, list[str]] = {}
    for i in story:
        outlet = by_id[i].outlet
        if outlet:
            by_outlet.setdefault(outlet, []).append(i)
    out: dict[str, list[str]] = {}
    for mine, docs in by_outlet.items():
        naming = {j for n, js in namers.items() if names_match(n, mine) >= 1.0 for j in js}
        # a page of the same outlet naming it is not a reference to another source
        naming = {j for j in naming if names_match(by_id[j].outlet, mine) < 1.0}
        for i in docs:
            refs = sorted(naming - {i})
            if refs:
                out[i] = refs
    return out


def sharers(
    child: Features,
    phrases: Mapping[str, set[str]],
    clocks: Mapping[str, Clock | None],
) -> dict[str, dict[int, tuple[str, ...]]]:
    """For each credit of the child (by its start) and for its dateline (key 0), the
    candidates that carry the same text: the credit word for word (inside a shared
    passage, or the same credit phrase), the same dateline outlet. A candidate dated
    after the child cannot have passed it on and is left out."""

    doc = child.doc

    def could_pass_on(q: str) -> bool:
        return (gap(clocks[q], clocks[doc.id]) or 0.0) >= 0

    cands = [q for q in sorted(child.exact) if could_pass_on(q)]

    def holders(start: int, end: int, phrase: str | None = None) -> tuple[str, ...]:
        lo, hi = np.searchsorted(child.tokens.starts, [start, end])
        out = []
        for q in cands:
            if hi > lo and child.exact[q][lo:hi].mean() >= 0.5:
                out.append(q)
            elif phrase and phrase in phrases[q]:
                out.append(q)  # a credit line too short to lie in a passage
        return tuple(out)

    out: dict[str, dict[int, tuple[str, ...]]] = {
        "credits": {c.start: holders(c.start, c.end, c.phrase.casefold()) for c in child.credits},
        "dateline": {},
    }
    span = doc.dateline_span if doc.dateline_outlet else None
    if span:
        out["dateline"][0] = holders(*span)
    return out


def first_other(holders: Sequence[str], parent: str) -> str | None:
    return next((q for q in holders if q != parent), None)


@dataclass(frozen=True)
class StoryState:
    """What scoring one candidate edge of a story reads."""

    by_id: Mapping[str, Document]
    info: Mapping[str, Features]
    exact_counts: Mapping[tuple[str, str], tuple[int, int]]
    content: Mapping[str, np.ndarray]
    size: Mapping[str, int]
    sharers: Mapping[str, dict[str, dict[int, tuple[str, ...]]]]
    same_outlet: Mapping[str, list[str]]
    clock: Mapping[str, Clock | None]
    first: str | None
    w: Weights
    # (document, other) -> held_figures of the document's exact mask against the other:
    # read by both of a pair's candidate edges, filled as they are scored
    held: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict, compare=False)

    def held_figures(self, doc: str, other: str) -> tuple[int, int]:
        """:func:`held_figures` of ``doc``'s exact mask against ``other``, made once."""
        got = self.held.get((doc, other))
        if got is None:
            got = self.held[(doc, other)] = held_figures(
                self.info[doc].exact[other], self.content[doc]
            )
        return got


def separative_words(
    story: Sequence[str],
    info: Mapping[str, Features],
    content: Mapping[str, np.ndarray],
) -> dict[tuple[str, str], int]:
    """For each candidate edge (p, c) of a story: p's own content words (held exactly with
    no other document of the story) inside the stretch of p that c follows (from the
    first to the last word of p that c holds). c lacks them by definition.

    A copy keeps its source's own readings where it follows the source's text (a
    rewording, an inserted paragraph); a document lacking them is less likely to have
    taken that text from p, and more likely to share a source with it. The figure reads
    the exact masks both directions of the pair read, so p -> c and c -> p are judged
    alike (issue 13: direction evidence symmetric by construction).
    """
    out: dict[tuple[str, str], int] = {}
    for p in story:
        held = info[p].exact
        if not held:
            continue
        shared = np.zeros_like(content[p])
        for m in held.values():
            shared |= m
        own = content[p] & ~shared
        if not own.any():
            continue
        cum = np.concatenate(([0], np.cumsum(own)))
        for c, m in held.items():
            where = np.flatnonzero(m)
            if len(where):
                out[(p, c)] = int(cum[where[-1] + 1] - cum[where[0]])
    return out


def chain_shape(story_pairs: Sequence[Pair], rank: Mapping[str, tuple[str, str]]) -> float | None:
    """How much a story's reuse links look like a chain of versions: the diameter of the
    maximum spanning tree of shingle Jaccard over its pairs, over ``n - 1`` (1 for a chain,
    ``2 / (n - 1)`` for a star), as :mod:`lineage.infer.profile` reads a whole corpus;
    None below :data:`~lineage.infer.profile.MIN_STORY_SIZE` documents (three documents
    are both). Pairs enter in an order of content (``rank``), never of ids."""
    import networkx as nx

    from lineage.infer.profile import MIN_STORY_SIZE

    g = nx.Graph()
    for p in sorted(story_pairs, key=lambda p: sorted((rank[p.a], rank[p.b]))):
        if p.passages:
            g.add_edge(p.a, p.b, weight=p.jaccard)
    if g.number_of_nodes() < MIN_STORY_SIZE or not nx.is_connected(g):
        return None
    tree = nx.maximum_spanning_tree(g, weight="weight")
    return nx.diameter(tree) / (g.number_of_nodes() - 1)
