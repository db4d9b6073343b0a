"""A stemma for a story that is a manuscript tradition: readings, lost exemplars, a centre.

Copies of one text by hand, with no dates and no publishers, carry no direction signal
that the forest's evidence can read (A -> B scores within a fraction of B -> A), and
most of their exemplars are lost: the witnesses are leaves and inner points of a tree
whose other inner points are gone. So for such a story (``--profile auto`` says which,
:mod:`lineage.infer.profile`) the skeleton is built as stemmatology builds it:

1. **distance = disagreement rate over the shared extent.** For every two documents of
   the story (:data:`MAX_ALIGNED`), the share of words that do not read alike in their
   word alignment, between its first and last agreement: a fragment or a lacunose
   witness is measured on what it has, not on what it lacks. Readings are compared
   without accents and case (Unicode NFKD, combining marks removed, casefold): those
   are orthography, not readings. A pair with no figure gets the shortest path of
   known distances between the two.
2. **neighbour-joining** (Saitou & Nei 1987) on that matrix, with branch lengths;
3. **what the text cannot resolve is not drawn**: a branch shorter than
   :data:`MIN_BRANCH` of the story's median witness branch is contracted. An inner
   branch contracted makes a lost exemplar with more children; a witness's own branch
   contracted puts the witness in its lost exemplar's place (an extant exemplar, the
   source of the others there);
4. **orientation from the centre**: the root is the node of the tree with the least
   summed branch length to the witnesses (the stemma's centre: the archetype is the
   text from which the witnesses departed least, in sum); every link points away.

The inner nodes left are :class:`~lineage.model.Hypothetical` nodes; links between two
witnesses are edges; a witness below a lost exemplar or at the root is an origin.
"""

from __future__ import annotations

import hashlib
import statistics
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import replace

from lineage.infer.confidence import SUPPORT_DOCS, placement_support
from lineage.infer.explain import explained
from lineage.model import Document, Edge, Evidence, Hypothetical, Origin, Pair
from lineage.text import Tokens

__all__ = [
    "MAX_ALIGNED",
    "MAX_STORY",
    "MIN_BRANCH",
    "aligned_rate",
    "distances",
    "neighbour_joining",
    "stemma_of_story",
    "stemmata",
]

#: A branch shorter than this share of the story's median witness branch (the typical
#: length of one copying, in the story's own scale: traditions are copied with more or
#: fewer changes) is contracted. Fitted: the best of 0.1, 0.2, 0.35, 0.5, 0.75 on the
#: training traditions (stemmabench seeds 1 and 3, with contamination, fragments and
#: lacunae; docs/ACCURACY.md, "Manuscript traditions"). An absolute count of variant
#: readings did about as well on the first version of that source (without damage); the
#: share was kept because it does not depend on how much a tradition's scribes changed.
MIN_BRANCH = 0.5

#: A stemma as the callers take it: edges between witnesses, origins, lost exemplars.
Stemma = tuple[list[Edge], list[Origin], list[Hypothetical]]


def _plain(word: str) -> str:
    """A word without accents or case: what orthography leaves of a reading."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def pair_variants(pair: Pair, tokens: Mapping[str, Tokens]) -> tuple[int, float]:
    """(variant locations, shared extent in words) of one verified pair, from its passages."""
    wa, wb = tokens[pair.a].words, tokens[pair.b].words
    events = 0
    extent = 0.0
    for ps in pair.passages:
        # the passage's two sides in the pair's own order
        (a0, a1), (b0, b1) = (ps.a_tok, ps.b_tok) if ps.a == pair.a else (ps.b_tok, ps.a_tok)
        extent += ((a1 - a0) + (b1 - b0)) / 2
        flip = ps.a != pair.a
        for tag, i1, i2, j1, j2 in ps.ops:
            if tag == "equal":
                continue
            if flip:
                i1, i2, j1, j2 = j1, j2, i1, i2
            if tag == "replace":
                left = [_plain(w) for w in wa[a0 + i1 : a0 + i2]]
                right = [_plain(w) for w in wb[b0 + j1 : b0 + j2]]
                if "".join(left) == "".join(right):
                    continue  # spelling, accents or word division only
            events += 1
    return events, extent


def aligned_rate(x: Sequence[int], y: Sequence[int]) -> tuple[float, float] | None:
    """(disagreement rate, shared extent in words) of two word sequences, or None when
    they share no word: the word-level alignment (Levenshtein edit script) trimmed to
    the span between the first and last agreement, so that what one text lacks at
    either end (a fragment, a lost leaf) is not counted as disagreement."""
    from rapidfuzz.distance import Levenshtein

    ops = [o for o in Levenshtein.opcodes(x, y)]
    while ops and ops[0].tag != "equal":
        ops.pop(0)
    while ops and ops[-1].tag != "equal":
        ops.pop()
    if not ops:
        return None
    same = sum(o.src_end - o.src_start for o in ops if o.tag == "equal")
    extent = ((ops[-1].src_end - ops[0].src_start) + (ops[-1].dest_end - ops[0].dest_start)) / 2
    # a run of words one text lacks is a lacuna or one omission by one scribe: one
    # variant location, its words no shared extent
    for o in ops:
        gap = (o.src_end - o.src_start) + (o.dest_end - o.dest_start)
        if o.tag in ("insert", "delete") and gap > LACUNA_WORDS:
            extent -= gap / 2 - 1
    return 1.0 - same / extent, extent


#: An insertion or deletion longer than this is a lacuna or one omission: one variant
#: location, its words no shared extent. Fitted with MIN_BRANCH on the same training
#: traditions: the best of 3, 8, 20 and none (none: 83.8 / 85.7 ASD; 3: 88.1 / 88.8).
LACUNA_WORDS = 3

#: Stories of at most this many documents align every two of their documents (the
#: verified pairs miss cousins that share few 8-word runs); larger ones read the
#: verified pairs' passages only.
MAX_ALIGNED = 150


def distances(
    story: Sequence[str], pairs: Sequence[Pair], tokens: Mapping[str, Tokens]
) -> tuple[dict[tuple[str, str], float], float]:
    """Each pair's disagreement rate over its shared extent (both orders), and the
    story's median shared extent. Readings are compared without accents or case.

    Up to :data:`MAX_ALIGNED` documents every pair is aligned (:func:`aligned_rate`);
    above, the verified pairs' passages give the rates (variant locations per shared
    word, :func:`pair_variants`). A pair with no figure gets the shortest path of
    known rates between the two."""
    import networkx as nx

    members = set(story)
    g = nx.Graph()
    g.add_nodes_from(story)
    extents: list[float] = []
    if len(story) <= MAX_ALIGNED:
        vocab: dict[str, int] = {}
        seqs = {
            i: [vocab.setdefault(_plain(w), len(vocab))
                for w, keep in zip(tokens[i].words, tokens[i].content.tolist(), strict=True)
                if keep]
            for i in story
        }  # fmt: skip
        for k, a in enumerate(story):
            for b in story[k + 1 :]:
                got = aligned_rate(seqs[a], seqs[b])
                if got is not None:
                    g.add_edge(a, b, weight=got[0])
                    extents.append(got[1])
    else:
        for p in pairs:
            if p.a in members and p.b in members and p.a != p.b and p.passages:
                ev, ext = pair_variants(p, tokens)
                if ext > 0:
                    g.add_edge(p.a, p.b, weight=ev / ext)
                    extents.append(ext)
    paths = dict(nx.all_pairs_dijkstra_path_length(g, weight="weight"))
    far = max((w for _, _, w in g.edges(data="weight")), default=1.0) * len(story) or 1.0
    d: dict[tuple[str, str], float] = {}
    for a in story:
        for b in story:
            if a != b:
                d[(a, b)] = float(paths.get(a, {}).get(b, far))
    return d, (statistics.median(extents) if extents else 0.0)


def neighbour_joining(
    nodes: Sequence[str], dist: Mapping[tuple[str, str], float], *, prefix: str
) -> list[tuple[str, str, float]]:
    """Saitou & Nei's neighbour-joining: (inner node, node, branch length) triples.

    Inner nodes are named ``prefix`` + a counter. ``nodes`` come in an order of content
    (the caller's), and the joins are chosen by the figures, ties by that order.
    """
    live = list(nodes)
    d = {(a, b): float(v) for (a, b), v in dist.items()}

    def g(a: str, b: str) -> float:
        return 0.0 if a == b else d[(a, b)]

    out: list[tuple[str, str, float]] = []
    k = 0
    while len(live) > 2:
        n = len(live)
        r = {x: sum(g(x, y) for y in live) for x in live}
        best: tuple[float, int, int] | None = None
        for i, a in enumerate(live):
            for j in range(i + 1, n):
                q = (n - 2) * g(a, live[j]) - r[a] - r[live[j]]
                if best is None or q < best[0] - 1e-12:
                    best = (q, i, j)
        assert best is not None
        a, b = live[best[1]], live[best[2]]
        u = f"{prefix}{k}"
        k += 1
        la = 0.5 * g(a, b) + (r[a] - r[b]) / (2 * (n - 2))
        lb = g(a, b) - la
        out += [(u, a, max(la, 0.0)), (u, b, max(lb, 0.0))]
        for x in live:
            if x not in (a, b):
                v = max(0.5 * (g(a, x) + g(b, x) - g(a, b)), 0.0)
                d[(u, x)] = d[(x, u)] = v
        live = [x for x in live if x not in (a, b)] + [u]
    if len(live) == 2:
        out.append((live[0], live[1], g(live[0], live[1])))
    return out


def _contract(
    branches: Sequence[tuple[str, str, float]], inner: set[str], min_length: float
) -> dict[str, dict[str, float]]:
    """The tree as adjacency with lengths, its short branches contracted (shortest first).

    Two inner nodes merge; an inner node and a witness: the witness takes its place.
    Two witnesses are never merged."""
    adj: dict[str, dict[str, float]] = {}
    for u, v, w in branches:
        adj.setdefault(u, {})[v] = w
        adj.setdefault(v, {})[u] = w
    while True:
        short = sorted(
            (w, u, v)
            for u in adj
            for v, w in adj[u].items()
            if u < v and w < min_length and (u in inner or v in inner)
        )
        if not short:
            return adj
        _, u, v = short[0]
        keep, drop = (v, u) if u in inner else (u, v)
        for x, w in adj.pop(drop).items():
            del adj[x][drop]
            if x != keep:
                adj[keep][x] = w
                adj[x][keep] = w


def stemma_of_story(
    story: Sequence[str],
    pairs: Sequence[Pair],
    tokens: Mapping[str, Tokens],
    docs: Mapping[str, Document],
    *,
    min_branch: float = MIN_BRANCH,
) -> tuple[list[Edge], list[Origin], list[Hypothetical]]:
    """The story's stemma: edges between witnesses, origins, lost exemplars; each
    witness's confidence is the bootstrap support of its place (
    :func:`lineage.infer.confidence.placement_support`, stories up to
    :data:`~lineage.infer.confidence.SUPPORT_DOCS`; above, 0 until the caller gives one)."""
    # an order of content, never of ids: the joins' ties fall the same under any naming
    order = sorted(story, key=lambda i: (docs[i].content_key, i))
    dist, extent = distances(order, pairs, tokens)
    tag = hashlib.sha1("\x1f".join(docs[i].content_key[0] for i in order).encode()).hexdigest()
    got = _stemma(order, dist, extent, tag, docs, min_branch)
    if len(order) > SUPPORT_DOCS:
        return got

    def rebuild(names: Sequence[str], d: Mapping[tuple[str, str], float]) -> Stemma:
        named = {n: docs[x] for n, x in zip(names, order, strict=True)}
        return _stemma(names, d, extent, tag, named, min_branch)

    return placement_support(got, order, dist, extent, seed=int(tag[:16], 16), rebuild=rebuild)


def _stemma(
    order: Sequence[str],
    dist: Mapping[tuple[str, str], float],
    extent: float,
    tag: str,
    docs: Mapping[str, Document],
    min_branch: float,
) -> tuple[list[Edge], list[Origin], list[Hypothetical]]:
    prefix = f"lost-{tag[:8]}-"
    branches = neighbour_joining(order, dist, prefix=prefix)
    inner = {u for u, _, _ in branches if u.startswith(prefix)} - set(order)
    leaves = sorted(w for _, v, w in branches if v in set(order))
    min_length = min_branch * statistics.median(leaves) if leaves else 0.0
    adj = _contract(branches, inner, min_length)
    witnesses = set(order)
    # the centre: least summed branch length to the witnesses
    import networkx as nx

    tree = nx.Graph()
    for u, nbrs in adj.items():
        for v, w in nbrs.items():
            tree.add_edge(u, v, weight=w)
    if tree.number_of_nodes() == 0:
        tree.add_nodes_from(order)
    lengths = dict(nx.all_pairs_dijkstra_path_length(tree, weight="weight"))
    rank = {x: k for k, x in enumerate(order)}

    def key(x: str) -> tuple[float, int, int, str]:
        return (sum(lengths[x].get(wi, 0.0) for wi in witnesses), x not in witnesses,
                rank.get(x, len(rank)), x)  # fmt: skip

    root = min(tree.nodes, key=key)
    parent: dict[str, str | None] = {root: None}
    todo = [root]
    seen = {root}
    while todo:
        x = todo.pop()
        for y in sorted(tree.neighbors(x), key=lambda n: (rank.get(n, len(rank)), n)):
            if y not in seen:
                seen.add(y)
                parent[y] = x
                todo.append(y)
    # name the lost exemplars by what they hold, never by the order of the joins
    kids: dict[str, list[str]] = {}
    for c, p in parent.items():
        if p is not None:
            kids.setdefault(p, []).append(c)

    def below(x: str) -> list[str]:
        out, stack = [], [x]
        while stack:
            y = stack.pop()
            if y in witnesses:
                out.append(docs[y].content_key[0])
            stack.extend(kids.get(y, ()))
        return sorted(out)

    names = {
        h: "lost-" + hashlib.sha1("\x1f".join(below(h)).encode()).hexdigest()[:10]
        for h in parent
        if h not in witnesses
    }

    def name(x: str | None) -> str | None:
        return None if x is None else names.get(x, x)

    edges: list[Edge] = []
    origins: list[Origin] = []
    hypos: list[Hypothetical] = []
    for x in sorted(parent, key=lambda n: name(n) or ""):
        p = parent[x]
        length = tree[p][x]["weight"] if p is not None else 0.0
        facts = {"node": name(x), "parent": name(p), "variants": round(length * extent, 2),
                 "rate": round(length, 4)}  # fmt: skip
        ev = explained(Evidence("stemma", round(length * extent, 2), "for", facts))
        if x not in witnesses:
            children = tuple(sorted(name(c) or "" for c in kids.get(x, ())))
            hypos.append(Hypothetical(names[x], children, name(p), 0.0, (ev,)))
        elif p is not None and p in witnesses:
            edges.append(Edge(p, x, 0.0, (ev,)))
        else:
            why = (
                "the centre of the stemma of variant readings"
                if p is None
                else f"copied from a lost exemplar ({name(p)}) by the stemma of variant readings"
            )
            origins.append(Origin(x, "original", why, 0.0, (ev,)))
    return edges, origins, hypos


#: Stories of more documents keep the forest (neighbour-joining is cubic in the story).
MAX_STORY = 200


def stemmata(
    docs: Sequence[Document],
    pairs: Sequence[Pair],
    stories: Sequence[Sequence[str]],
    edges: Sequence[Edge],
    origins: Sequence[Origin],
    *,
    tokens: Mapping[str, Tokens],
    min_branch: float = MIN_BRANCH,
) -> tuple[list[Edge], list[Origin], list[Hypothetical]]:
    """The forest's edges and origins with every story of 3 to :data:`MAX_STORY`
    documents replaced by its stemma (:func:`stemma_of_story`).

    Up to :data:`~lineage.infer.confidence.SUPPORT_DOCS` documents, every edge and origin
    has the stemma's own confidence and alternatives (the bootstrap support of the
    witness's place), and an edge the forest chose too keeps the forest's evidence beside
    the stemma's record.
    Above, an edge the forest chose too keeps its confidence and evidence (the stemma's
    record added); an edge the forest did not choose takes the probability the forest
    gave that parent among the child's alternatives (0 when it listed none)."""
    by_id = {d.id: d for d in docs}
    pairs_of: dict[str, list[Pair]] = {}
    for p in pairs:
        pairs_of.setdefault(p.a, []).append(p)
    forest = {e.child: e for e in edges if not e.secondary}
    out_edges = list(edges)
    out_origins = list(origins)
    hypos: list[Hypothetical] = []
    for story in stories:
        if not 3 <= len(story) <= MAX_STORY:
            continue
        members = set(story)
        story_pairs = [p for i in story for p in pairs_of.get(i, ()) if p.b in members]
        s_edges, s_origins, s_hypos = stemma_of_story(
            story, story_pairs, tokens, by_id, min_branch=min_branch
        )
        out_edges = [e for e in out_edges if e.child not in members]
        out_origins = [o for o in out_origins if o.id not in members]
        for e in s_edges:
            old = forest.get(e.child)
            if len(story) <= SUPPORT_DOCS:  # the stemma's own support, on its own scale
                same = old is not None and old.parent == e.parent
                ev = (*old.evidence, *e.evidence) if same and old is not None else e.evidence
                out_edges.append(replace(e, evidence=ev))
                continue
            if old is not None and old.parent == e.parent:
                out_edges.append(Edge(e.parent, e.child, old.confidence,
                                      (*old.evidence, *e.evidence), old.alternatives))  # fmt: skip
                continue
            alt = {a.parent: a.confidence for a in old.alternatives} if old is not None else {}
            out_edges.append(Edge(e.parent, e.child, alt.get(e.parent, 0.0), e.evidence,
                                  old.alternatives if old is not None else ()))  # fmt: skip
        out_origins.extend(s_origins)
        hypos.extend(s_hypos)
    out_edges.sort(key=lambda e: (e.parent, e.child, e.secondary))
    out_origins.sort(key=lambda o: o.id)
    hypos.sort(key=lambda h: h.id)
    return out_edges, out_origins, hypos
