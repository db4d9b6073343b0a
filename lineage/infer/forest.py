"""The derivation forest: who copied whom, chosen globally over each story.

For every story, every ordered pair (p, c) of documents that share passages is a
possible edge "c was derived from p", scored by the registered scorers
(:mod:`lineage.infer.scorers`). The forest is the maximum-weight spanning arborescence
(Chu-Liu/Edmonds, :mod:`lineage.arborescence`) of a graph with a virtual root whose
edge to each document carries the evidence that it is an original or an independent
report. Confidences come from :mod:`lineage.infer.confidence`; sentences from
:mod:`lineage.infer.explain`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from lineage.arborescence import max_arborescence
from lineage.infer.confidence import EXACT_DOCS, direction, edge_marginals, softmax
from lineage.infer.explain import explained, origin_reason
from lineage.infer.features import (
    Features,
    StoryState,
    centrality,
    chain_shape,
    content_key,
    gap,
    house_styles,
    marks_chunk,
    masks_chunk,
    own_dateline_mask,
    separative_words,
)
from lineage.infer.features import clock as clock_of
from lineage.infer.features import referenced as referenced_by
from lineage.infer.features import sharers as sharers_of
from lineage.infer.profile import CHAIN_SHAPE
from lineage.infer.scorers import edge_evidence, origin_evidence, variant_evidence
from lineage.infer.weights import Weights
from lineage.model import Alternative, Document, Edge, Evidence, Origin, Pair
from lineage.parallel import chunks, fork_map, worker_count
from lineage.signals import Credit, name_key
from lineage.text import Tokens

__all__ = ["ROOT", "infer_lineage"]

ROOT = "\x00root"  # the virtual root: its children are originals and independents
_MAX_CANDIDATES = 12  # candidate parents per child kept for the arborescence


def infer_lineage(
    docs: Sequence[Document],
    pairs: Sequence[Pair],
    stories: Sequence[Sequence[str]],
    *,
    tokens: Mapping[str, Tokens],
    weights: Weights | None = None,
    trace: dict[tuple[str, str], list[Evidence]] | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    split_docs: int = 2_000,
) -> tuple[list[Edge], list[Origin]]:
    """The derivation forest: one parent or none for every document.

    ``trace``, when given, receives every scored candidate edge ``(parent, child)``
    (``ROOT`` as parent for the origin case) with its evidence: what a person
    debugging a surprising edge wants to see. ``split_docs``: documents in one story
    above which its scoring is split over the workers.
    """
    w = weights or Weights()
    by_id = {d.id: d for d in docs}
    known_outlets = frozenset(
        n for d in docs for n in (d.outlet, d.host_outlet, d.dateline_outlet) if n
    )
    pairs_of: dict[str, list[Pair]] = {}
    for p in pairs:
        pairs_of.setdefault(p.a, []).append(p)
        pairs_of.setdefault(p.b, []).append(p)
    edges: list[Edge] = []
    origins: list[Origin] = []
    linked = [s for s in stories if len(s) > 1]
    for story in stories:
        if len(story) == 1:
            origins.append(
                Origin(story[0], "independent", "shares no passage with any other document")
            )
    # every linked document's credits and bracketed insertions, then how each outlet
    # words its own credits, learnt from the whole corpus
    order = [i for s in linked for i in s]
    done = fork_map(
        marks_chunk,
        chunks(len(order), workers),
        workers=workers,
        parallel=len(order) >= _PARALLEL_DOCS,
        context=(order, by_id, known_outlets),
    )
    marks = dict(zip(order, (m for part in done for m in part), strict=True))
    styles = house_styles(linked, by_id, {i: m[0] for i, m in marks.items()})
    args = (by_id, pairs_of, tokens, marks, styles, w, trace)
    # A story of thousands of documents would be one worker's work while the other
    # waits: such a story is split over the workers itself, the others are shared out.
    split = worker_count(workers) > 1 and trace is None
    big: list[Sequence[str]] = []
    rest: list[Sequence[str]] = []
    for s in linked:
        (big if split and len(s) >= split_docs else rest).append(s)
    results = [_story_forest(s, *args, workers=workers) for s in big]
    results += fork_map(
        _story_forest_of,
        rest,
        workers=workers,
        # stories are independent: workers read the inputs, send back small results
        parallel=trace is None and sum(len(s) for s in rest) >= _PARALLEL_DOCS,
        context=args,
        progress=None if progress is None else lambda k, n: progress(k + len(big), n + len(big)),
        every=50,
    )
    for e, o in results:
        edges.extend(e)
        origins.extend(o)
    edges.sort(key=lambda e: (e.parent, e.child))
    origins.sort(key=lambda o: o.id)
    return edges, origins


_PARALLEL_DOCS = 1_000  # documents in linked stories above which stories go to workers


def _story_forest_of(
    args: tuple[Any, ...], story: Sequence[str]
) -> tuple[list[Edge], list[Origin]]:
    """:func:`_story_forest` with the corpus-wide inputs ``args`` first (a fork_map's
    context)."""
    return _story_forest(story, *args)


def _story_forest(
    story: Sequence[str],
    by_id: Mapping[str, Document],
    pairs_of: Mapping[str, list[Pair]],
    tokens: Mapping[str, Tokens],
    marks: Mapping[str, tuple[list[Credit], list[tuple[int, int]]]],
    styles: Mapping[tuple[str, ...], frozenset[str]],
    w: Weights,
    trace: dict[tuple[str, str], list[Evidence]] | None = None,
    workers: int = 1,
) -> tuple[list[Edge], list[Origin]]:
    """One story's forest. ``workers`` > 1: the per-document and per-pair work is split
    over forked workers (for a story too large to be one worker's share)."""
    members = set(story)
    split = workers > 1

    def spread(fn: Callable[[Any, range], list[Any]], n: int, context: Any) -> list[Any]:
        """``fn(context, chunk)`` over chunks of range(n), on the workers when ``split``;
        flattened."""
        done = fork_map(fn, chunks(n, workers), workers=workers, parallel=split, context=context)
        return [x for part in done for x in part]

    home_key = {i: name_key(by_id[i].home_outlet or "") for i in story}
    info = {i: Features(by_id[i], tokens[i], *marks[i], styles.get(home_key[i])) for i in story}
    story_pairs = sorted(
        {
            (p.a, p.b): p
            for i in story
            for p in pairs_of.get(i, [])
            if p.a in members and p.b in members
        }.values(),
        key=lambda p: (p.a, p.b),
    )
    # a page's own dateline ("DUBLIN (Its Own Name) -") is house style, written by each
    # page of the outlet alike: two pages sharing it are no closer for that
    house = {i: own_dateline_mask(by_id[i], tokens[i]) for i in story}
    rank = {i: content_key(by_id[i]) for i in story}  # ties are broken by content, not id
    masks = spread(masks_chunk, len(story_pairs), (story_pairs, tokens, house, rank, split))
    exact_counts: dict[tuple[str, str], tuple[int, int]] = {}
    for p, (ea, eb) in zip(story_pairs, masks, strict=True):
        if split:  # bit-packed for the trip back from the workers
            ea = np.unpackbits(ea, count=len(tokens[p.a])).view(bool)
            eb = np.unpackbits(eb, count=len(tokens[p.b])).view(bool)
        info[p.a].exact[p.b] = ea
        info[p.b].exact[p.a] = eb
        # closeness counts every word of the child shared exactly; whether the shared
        # text is more than quotations is judged on both sides (quotation marks are not
        # always detected alike in two copies)
        narrative = max(
            int(np.count_nonzero(ea & ~tokens[p.a].quoted)),
            int(np.count_nonzero(eb & ~tokens[p.b].quoted)),
        )
        # (parent, child): the child's words
        exact_counts[(p.b, p.a)] = (int(np.count_nonzero(ea)), narrative)
        exact_counts[(p.a, p.b)] = (int(np.count_nonzero(eb)), narrative)
    content = {i: tokens[i].content for i in story}  # a property: computed once here
    size = {i: int(np.count_nonzero(m)) for i, m in content.items()}
    # which candidates share each credit / the dateline of each document word for word
    phrases = {i: {c.phrase.casefold() for c in info[i].credits} for i in story}
    clock = {i: clock_of(by_id[i]) for i in story}
    sharers = {i: sharers_of(info[i], phrases, clock) for i in story}

    # the other pages of each document's outlet in the story: a parent that names the
    # child's outlet may have taken the story from one of those instead of the child
    by_home: dict[tuple[str, ...], list[str]] = {}
    for i in sorted(story):
        if home_key[i]:
            by_home.setdefault(home_key[i], []).append(i)
    same_outlet = {i: [j for j in by_home.get(home_key[i], ()) if j != i] for i in story}
    # the story's earliest-dated document: its likely original (see Weights.delay)
    dated = [(c[0], i) for i, c in clock.items() if c is not None]
    first = min(dated, key=lambda x: (x[0], rank[x[1]]))[1] if dated else None
    # score every possible edge and every origin
    state = StoryState(
        by_id, info, exact_counts, content, size, sharers, same_outlet, clock, first, w
    )
    # each candidate edge's score; its evidence, a list of sentences, is made again for
    # the edges a person will read (workers need not send back hundreds of thousands)
    base: dict[tuple[str, str], float] = dict(
        spread(_score_chunk, len(story_pairs), (story_pairs, state))
    )
    pair_of = {(p.a, p.b): p for p in story_pairs}
    # evidence that needs the whole story (closeness ranks, centrality, the origin prior)
    extra: dict[tuple[str, str], list[Evidence]] = {}

    def dated_before(parent: str, child: str) -> bool:
        return (gap(clock[parent], clock[child]) or 0.0) > 0

    def ordered(parent: str, child: str) -> bool:
        """Dates order the two (either way): direction is read from them."""
        return bool(gap(clock[parent], clock[child]))

    if w.closest:
        # Among a child's candidate parents that dates place before it, each word fewer
        # than the closest of them explains counts extra: it ranks those candidates and
        # leaves the case for an origin alone. Undated, a document is explained best by
        # any copy that contains it, its own expansions included, so it is not used.
        best_exact: dict[str, int] = {}
        for (parent, child), (n_exact, _) in exact_counts.items():
            if dated_before(parent, child):
                best_exact[child] = max(n_exact, best_exact.get(child, 0))
        for parent, child in base:
            if dated_before(parent, child):
                lag = best_exact[child] - exact_counts[(parent, child)][0]
                if lag:
                    extra.setdefault((parent, child), []).append(
                        Evidence(
                            "closest",
                            -w.closest * lag,
                            "against",
                            {"parent": parent, "child": child, "words": lag},
                        )
                    )
    if w.superset or w.superset_excerpt or w.excerpt_dated:
        # The superset rule: a candidate parent that holds all the material another
        # candidate shares with the child (and more) is the likelier source of the two;
        # the copy holding less took it from the superset, or from the child. Judged on
        # the child's content words, from the same exact masks both directions read.
        # Two cases, weighed apart: ``superset``, u holds more of the child's words than
        # q; ``superset-excerpt``, both hold the same child words and q is an excerpt of
        # u (u holds q's text, q lacks some of u's): textually either could be the
        # source, and only u pays omissions for the material it has beyond q.
        cands: dict[str, list[str]] = {}
        for parent, child in base:
            cands.setdefault(child, []).append(parent)
        for child, ps in cands.items():
            if len(ps) < 2:
                continue
            held = {u: info[child].exact[u] & content[child] for u in ps}
            n = {u: int(np.count_nonzero(m)) for u, m in held.items()}

            def contains(u: str, q: str) -> bool:
                """u holds (nearly) all of q's own text."""
                m = info[q].exact.get(u)
                return (
                    m is not None
                    and int(np.count_nonzero(m & content[q])) >= w.superset_cover * size[q]
                )

            for u in ps:
                n_more = n_excerpt = n_cut = 0
                for q in ps:
                    if q == u or not 0 < n[q] <= n[u]:
                        continue
                    if int(np.count_nonzero(held[q] & held[u])) < w.superset_cover * n[q]:
                        continue
                    # more: beyond what the cover's tolerance leaves to alignment noise
                    if n[q] < w.superset_cover * n[u]:
                        n_more += 1
                    elif contains(u, q) and not contains(q, u):
                        n_excerpt += 1
                        if ordered(u, child) and ordered(q, child):
                            n_cut += 1
                for kind, count, weight in (
                    ("superset", n_more, w.superset),
                    ("superset-excerpt", n_excerpt, w.superset_excerpt),
                    ("shared-cut", n_cut, w.excerpt_dated),
                ):
                    if count and weight:
                        extra.setdefault((u, child), []).append(
                            Evidence(
                                kind,
                                weight * count / (len(ps) - 1),
                                "for" if weight > 0 else "against",
                                {"parent": u, "child": child, "covers": count},
                            )
                        )
    shape = chain_shape(story_pairs, rank) if w.separative or w.separative_dated else None
    if (w.separative or w.separative_dated) and shape is not None and shape < CHAIN_SHAPE:
        # Separative readings (the stemmatic test, symmetric by construction): words of the
        # candidate parent p that no other document of the story holds (p's own readings:
        # a rewording, an inserted lead or paragraph), lying inside the stretch of p that
        # the child c follows, yet missing from c. A copy inherits its source's readings
        # where it follows its text; c lacking them says c and p each came from something
        # else (often a common source the corpus lacks: both are then originals here).
        # Not in a story shaped as a chain of versions: each version drops words of the
        # one before, which the next keeps dropped (lineage.infer.profile, CHAIN_SHAPE).
        # (``separative_dated``: on a candidate edge whose two ends dates order, the only
        # question left being which document, if any, the child copied)
        for (parent, child), words in separative_words(story, info, content).items():
            weight = w.separative_dated if ordered(parent, child) else w.separative
            if (parent, child) in base and words and weight:
                extra.setdefault((parent, child), []).append(
                    Evidence(
                        "separative",
                        -weight * math.log1p(words),
                        "against",
                        {"parent": parent, "child": child, "words": words},
                    )
                )
    referenced = referenced_by(story, by_id, info)
    central = centrality(story, story_pairs)
    for parent, child in base:
        factor = w.central_parent
        if w.central_parent_dated != 1.0 and ordered(parent, child):
            factor *= w.central_parent_dated  # dates order the two (Weights)
        if central[parent] > 0 and factor:
            extra.setdefault((parent, child), []).append(
                Evidence(
                    "centrality",
                    factor * central[parent],
                    "for",
                    {"parent": parent, "share": central[parent]},
                )
            )
    scored: dict[tuple[str, str], list[Evidence]] = {}  # the origins' evidence
    for i in story:
        scored[(ROOT, i)] = origin_evidence(info[i], w=w)
        refs = referenced.get(i, [])
        if refs and w.referenced:
            scored[(ROOT, i)].append(
                Evidence(
                    "referenced",
                    w.referenced * min(1.0, len(refs) / 2),
                    "for",
                    {"doc": i, "referrers": refs, "outlet": by_id[i].outlet},
                )
            )
        if central[i] > 0 and w.central_root:
            scored[(ROOT, i)].append(
                Evidence(
                    "centrality-root",
                    w.central_root * central[i],
                    "for",
                    {"doc": i, "share": central[i]},
                )
            )

    total = dict(base)
    for k, more in extra.items():
        total[k] += w.weigh(more)
    total.update((k, w.weigh(v) + w.origin_bias) for k, v in scored.items())

    def evidence(u: str, v: str) -> list[Evidence]:
        if u == ROOT:
            return scored[(u, v)]
        p = pair_of.get((u, v)) or pair_of[(v, u)]
        return edge_evidence(p, u, v, state) + extra.get((u, v), [])

    parent_of, children = _arborescence(story, total, rank)
    if w.root_parent:
        # Originals are copied far more than copies are. Dates already prefer the earlier
        # of equal sources; where they cannot (either side undated), once the forest names
        # a story's original, a copy whose text fits the original and another copy
        # equally well is taken to come from the original.
        boosted = False
        copies_of: dict[str, list[str]] = {}  # each document's candidate children, by id
        for u, v in sorted(total):
            if u != ROOT:
                copies_of.setdefault(u, []).append(v)
        for r in children[ROOT]:
            if not children[r]:
                continue
            for v in copies_of.get(r, ()):
                # a copy identical to the original, or one whose link to it scores the
                # same both ways, is a true tie that the forest broke by content hash:
                # the prior would only confirm that arbitrary pick
                if rank[r][0] == rank[v][0] or total.get((v, r)) == total[(r, v)]:
                    continue
                if by_id[r].date is None or by_id[v].date is None:
                    boosted = True
                    prior = Evidence("origin-prior", w.root_parent, "for", {"root": r, "child": v})
                    extra.setdefault((r, v), []).append(prior)
                    total[(r, v)] += w.weigh([prior])
        if boosted:
            parent_of, children = _arborescence(story, total, rank)

    incoming_of: dict[str, dict[str, float]] = {i: {} for i in story}
    for (u, v), sc in sorted(total.items(), key=lambda kv: (kv[0][0] != ROOT, kv[0][0])):
        incoming_of[v][u] = sc  # the virtual root first, then candidate parents
    # each edge's probability over the story's forests (exact up to EXACT_DOCS documents)
    marginal = (
        edge_marginals(sorted(story), total, root=ROOT, temperature=w.temperature)
        if len(story) <= EXACT_DOCS
        else None
    )

    def chance(u: str, v: str, probs: Mapping[str, float]) -> float:
        """The probability of u -> v: its marginal, else the local approximation (the
        parent's share among v's candidates, times the probability of the direction)."""
        if marginal is not None:
            return marginal.get((u, v), 0.0)
        if u == ROOT:
            return probs[ROOT]
        return probs[u] * direction(total, u, v, w.temperature)

    below = _descendants(children)
    edges: list[Edge] = []
    origins: list[Origin] = []
    for child in sorted(story):
        parent = parent_of[child]
        incoming = incoming_of[child]
        probs = softmax(incoming, w.temperature) if marginal is None else {}
        # the other candidate parents on the edge's own scale; a document derived from
        # the child is no alternative source of it
        alts = tuple(
            Alternative(u, round(pr, 3))
            for u, pr in sorted(
                ((u, chance(u, child, probs)) for u in incoming if u not in (parent, ROOT)),
                key=lambda kv: (-kv[1], rank[kv[0]]),
            )
            if pr >= 0.01 and not below(child, u)
        )
        if parent == ROOT:
            linked = [u for u in incoming if u != ROOT]
            kids = children[child]
            kind, reason = _origin_reason(child, linked, bool(kids), evidence, incoming, rank)
            if marginal is not None:
                conf = chance(ROOT, child, probs)
            else:
                # an original is as sure as the direction of its weakest out-edge
                conf = min(
                    (direction(total, child, k, w.temperature) for k in kids),
                    default=probs[ROOT],
                )
            case = sorted(scored[(ROOT, child)], key=lambda e: (e.sign == "against", -abs(e.score)))
            shown = tuple(x for x in map(explained, case) if x.text)
            origins.append(Origin(child, kind, reason, round(conf, 3), shown))
            continue
        # what supports the edge first, strongest first; then what speaks against it
        ranked = sorted(evidence(parent, child), key=lambda e: (e.sign == "against", -abs(e.score)))
        runners_up = [a.parent for a in alts[:3]]
        ranked += variant_evidence(info[child], parent, runners_up)
        ranked.sort(key=lambda e: e.sign == "against")  # stable: keeps the order
        # what a reader is shown: the records that have a sentence
        reasons = [x for x in map(explained, ranked) if x.text]
        # right parent among the candidates, and the right way round
        conf = chance(parent, child, probs)
        edges.append(Edge(parent, child, round(conf, 3), tuple(reasons), alts))
    if trace is not None:
        trace.update((k, [explained(e) for e in evidence(*k)]) for k in total)
    return edges, origins


def _score_chunk(
    context: tuple[Sequence[Pair], Any], chunk: range
) -> list[tuple[tuple[str, str], float]]:
    """For pairs ``chunk`` of ``context``'s ``(pairs, state)``: the score of each pair's
    two possible edges."""
    pairs, state = context
    out = []
    for k in chunk:
        p = pairs[k]
        for parent, child in ((p.a, p.b), (p.b, p.a)):
            out.append(((parent, child), state.w.weigh(edge_evidence(p, parent, child, state))))
    return out


def _arborescence(
    story: Sequence[str],
    total: Mapping[tuple[str, str], float],
    rank: Mapping[str, tuple[str, str]],
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The maximum spanning arborescence over the virtual root and the story: each
    document's parent (``ROOT`` for an original) and each node's children.

    The nodes are numbered by ``rank`` (:func:`content_key`): the arborescence breaks
    ties by node number, which must not be id order."""
    nodes = [ROOT, *sorted(story, key=rank.__getitem__)]
    index = {x: k for k, x in enumerate(nodes)}
    # A child's weakest candidates never win: keep its best few (the virtual root is
    # always kept), so a story of hundreds of near-copies stays a sparse graph.
    best_in: dict[str, list[tuple[float, int]]] = {}
    for (u, v), sc in total.items():
        if u != ROOT:
            best_in.setdefault(v, []).append((-sc, index[u]))
    keep = {(0, index[v]) for v in story}
    for v, cands in best_in.items():
        keep.update((u, index[v]) for _, u in sorted(cands)[:_MAX_CANDIDATES])
    edges = [(u, v, total[(nodes[u], nodes[v])]) for u, v in sorted(keep)]
    parent_of = max_arborescence(len(nodes), edges, root=0)
    parent = {nodes[k]: nodes[parent_of[k]] for k in range(1, len(nodes))}
    children: dict[str, list[str]] = {x: [] for x in nodes}
    for child in nodes[1:]:
        children[parent[child]].append(child)
    return parent, children


def _origin_reason(
    doc: str,
    linked: list[str],
    has_children: bool,
    evidence: Callable[[str, str], list[Evidence]],
    incoming: Mapping[str, float],
    rank: Mapping[str, tuple[str, str]],
) -> tuple[str, str]:
    if has_children:
        return "original", origin_reason("original")
    best = max(linked, key=lambda u: (incoming[u], rank[u]), default=None)
    if best is None:
        return "independent", origin_reason("independent", linked=False)
    reuse = next((e for e in evidence(best, doc) if e.kind == "reuse"), None)
    return "independent", origin_reason("independent", reuse=reuse)


def _descendants(children: Mapping[str, list[str]]) -> Callable[[str, str], bool]:
    """``below(c, u)``: u lies under c in the forest (``children`` from the virtual
    root), by the entry and exit times of one walk: O(1) a question."""
    enter: dict[str, int] = {}
    leave: dict[str, int] = {}
    clock = 0
    stack = [(ROOT, False)]
    while stack:
        x, done = stack.pop()
        if done:
            leave[x] = clock
            continue
        enter[x] = clock
        clock += 1
        stack.append((x, True))
        stack.extend((k, False) for k in children.get(x, ()))

    def below(c: str, u: str) -> bool:
        return enter[c] < enter[u] < leave[c]

    return below
