"""``--profile auto``: does the corpus look like syndication or like revisions?

The two weight profiles (:data:`lineage.infer.weights.PROFILES`) model two kinds of
lineage: ``news``, syndication, where one story is copied by many outlets and the copies
trim it (a star around the original), and ``revisions``, version histories of one text,
each version growing out of the one before (a chain). The choice reads two features of
the corpus that any collection of either kind has, whichever tool made it:

* **chain shape** of the stories: per story of at least :data:`MIN_STORY_SIZE`
  documents, the diameter of its maximum spanning tree of shingle Jaccard over its
  reuse links, divided by ``n - 1`` (1 for a chain, ``2 / (n - 1)`` for a star); the
  mean over such stories, weighted by their size;
* **named sources**: the share of documents that carry an outlet, a host or a URL.
  Syndicated copies name who published them; the versions of one page do not.

Under ``revisions`` each story's forest is then replaced by a version chain, ordered and
oriented as a whole (:mod:`lineage.infer.chain`).

Revisions when the stories are chains (chain shape >= :data:`CHAIN_SHAPE`) and few
documents name a source (< :data:`NAMED_SHARE`); news otherwise, and news when no story
is large enough to show a shape (news is the product's main case, and the choice it made
before ``auto``). The reason is kept as data (:class:`ProfileChoice`) and said in the run
summary and ``lineage.json``.

Where the thresholds come from (docs/ACCURACY.md, "Profile"): the training corpora of
the leave-one-source-out benchmark: the simulator's seeds 7 and 17 and the second
generator's seeds 1 and 3 (news) against the first 100 Wikipedia articles (revisions):
:data:`CHAIN_SHAPE` halfway between the highest news figure (0.77) and the Wikipedia
figure (0.93), rounded down; :data:`NAMED_SHARE` halfway between 0 and 1, the two sides' figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lineage.model import Document, Pair, ProfileChoice
from lineage.text import Tokens

__all__ = [
    "CHAIN_SHAPE",
    "MIN_STORY_SIZE",
    "NAMED_SHARE",
    "TRADITION",
    "TRADITION_WEIGHTS",
    "ProfileChoice",
    "choose_profile",
]

#: The profile of a hand-copied tradition: stories that are neither stars of syndicated
#: copies nor chains of versions, whose documents name no source and carry no date. Its
#: skeleton is a stemma of variant readings (:mod:`lineage.infer.stemma`); the forest
#: before it (whose confidences the stemma's edges keep) is scored with
#: :data:`TRADITION_WEIGHTS`.
TRADITION = "tradition"
TRADITION_WEIGHTS = "revisions"
#: Share of dated documents below which a corpus shows no dates to read direction from.
DATED_SHARE = 0.5
#: Scribes change words; editors of versions add and drop passages. Of the places where
#: neighbouring documents differ, the share that are variants of at most SHORT_VARIANT
#: words, over the corpus: 0.96-0.97 for the training traditions (stemmabench seeds 1, 3,
#: with contamination, fragments and lacunae; 0.84-1.0 tradition by tradition), 0.60
#: over the first 100 Wikipedia articles (the revisions profile's training corpus) and
#: 0.78-0.83 for the hand-made plagiarism cases of tests/plagiarism_cases.py (answers
#: built from excerpts of one source with word-level edits, where a stemma scores edge F1
#: 0.00-0.20 against news's 0.56-0.84). The threshold is halfway between the highest
#: non-tradition figure (0.83) and the lowest tradition one (0.96), rounded down. (An
#: earlier 0.7, halfway to Wikipedia alone, sent every plagiarism case to the stemma.
#: Counted by words instead of places, the florilegium's lacunae weighed as much as its
#: readings: 0.44 there, read as news.)
SHORT_VARIANT = 3
WORD_VARIANTS = 0.9

#: The smallest story whose reuse tree tells a chain from a star (three documents are both).
MIN_STORY_SIZE = 4
#: Chain shape at or above which the stories read as version chains.
CHAIN_SHAPE = 0.85
#: Share of documents naming an outlet, host or URL below which no syndication is visible.
NAMED_SHARE = 0.5


def _chain_shape(
    stories: Sequence[Sequence[str]],
    pairs: Sequence[Pair],
    key: Mapping[str, tuple[str, str]],
    trees: list[list[tuple[str, str]]] | None = None,
) -> tuple[float | None, int]:
    import networkx as nx

    story_of = {d: k for k, s in enumerate(stories) for d in s if len(s) >= MIN_STORY_SIZE}
    graphs: dict[int, nx.Graph] = {}
    # edges enter in an order of content, not of ids, so that a tie in the spanning tree
    # is broken the same way whatever the documents are called
    ordered = sorted(
        pairs, key=lambda p: sorted((key.get(p.a, ("", p.a)), key.get(p.b, ("", p.b))))
    )
    for p in ordered:
        k = story_of.get(p.a)
        if k is None or k != story_of.get(p.b) or not p.passages:
            continue
        graphs.setdefault(k, nx.Graph()).add_edge(p.a, p.b, weight=p.jaccard)
    total = weight = 0.0
    counted = 0
    for _, g in sorted(graphs.items()):
        if not nx.is_connected(g):  # a story joined through pairs outside this view
            g = g.subgraph(max(nx.connected_components(g), key=len)).copy()
        n = g.number_of_nodes()
        if n < MIN_STORY_SIZE:
            continue
        tree = nx.maximum_spanning_tree(g, weight="weight")
        if trees is not None:
            trees.append(sorted(tree.edges(), key=lambda e: sorted((key[e[0]], key[e[1]]))))
        total += n * nx.diameter(tree) / (n - 1)
        weight += n
        counted += 1
    return (round(total / weight, 3) if weight else None), counted


def _word_variants(
    trees: Sequence[Sequence[tuple[str, str]]], tokens: Mapping[str, Tokens]
) -> float | None:
    """Of the variant locations of neighbours in the stories' reuse trees (the non-equal
    steps of their word alignment, between its first and last agreement), the share of at
    most :data:`SHORT_VARIANT` words: a lacuna or an added paragraph is one location."""
    from rapidfuzz.distance import Levenshtein

    short = total = 0
    for tree in trees:
        for a, b in tree:
            if a not in tokens or b not in tokens:
                continue
            ops = list(Levenshtein.opcodes(tokens[a].hashes.tolist(), tokens[b].hashes.tolist()))
            while ops and ops[0].tag != "equal":
                ops.pop(0)
            while ops and ops[-1].tag != "equal":
                ops.pop()
            for o in ops:
                if o.tag != "equal":
                    w = max(o.src_end - o.src_start, o.dest_end - o.dest_start)
                    total += 1
                    short += 1 if w <= SHORT_VARIANT else 0
    return round(short / total, 3) if total else None


def choose_profile(
    docs: Sequence[Document],
    pairs: Sequence[Pair],
    stories: Sequence[Sequence[str]],
    *,
    tokens: Mapping[str, Tokens] | None = None,
) -> ProfileChoice:
    """The profile the corpus looks like, with the features and the reason.

    ``tokens`` (each document's words) let it tell a hand-copied tradition (word-level
    variants) from the rest; without them the tradition profile is never chosen."""
    n = len(docs)
    named = round(sum(1 for d in docs if d.outlet or d.host_outlet or d.url) / n, 3) if n else 0.0
    trees: list[list[tuple[str, str]]] = []
    shape, counted = _chain_shape(stories, pairs, {d.id: d.content_key for d in docs}, trees)
    dated = round(sum(1 for d in docs if d.date is not None) / n, 3) if n else 0.0
    features: dict[str, float | int | None] = {
        "chain_shape": shape,
        "stories_measured": counted,
        "named_share": named,
        "dated_share": dated,
    }
    if shape is None:
        reason = (
            f"no story of {MIN_STORY_SIZE} or more documents shows whether copies "
            "form chains (revisions) or stars (syndication); news is the default"
        )
        return ProfileChoice("news", True, reason, features)
    shape_txt = (
        f"the reuse trees of {counted} stories of {MIN_STORY_SIZE}+ documents have chain "
        f"shape {shape:.2f} ({'>=' if shape >= CHAIN_SHAPE else '<'} {CHAIN_SHAPE}: "
        f"{'chains' if shape >= CHAIN_SHAPE else 'stars and trees'})"
    )
    named_txt = (
        f"{named:.0%} of documents name an outlet, host or URL "
        f"({'<' if named < NAMED_SHARE else '>='} {NAMED_SHARE:.0%})"
    )
    if shape >= CHAIN_SHAPE and named < NAMED_SHARE:
        return ProfileChoice("revisions", True, f"{shape_txt}; {named_txt}", features)
    if named < NAMED_SHARE and dated < DATED_SHARE and tokens is not None:
        share = _word_variants(trees, tokens)
        features["word_variants"] = share
        if share is not None and share >= WORD_VARIANTS:
            dated_txt = f"{dated:.0%} of documents are dated (< {DATED_SHARE:.0%})"
            variants_txt = (
                f"{share:.0%} of the places where neighbouring copies differ are variants "
                f"of {SHORT_VARIANT} words or fewer (>= {WORD_VARIANTS:.0%})"
            )
            return ProfileChoice(
                TRADITION,
                True,
                f"{shape_txt}; {named_txt}; {dated_txt}; {variants_txt}: copies of one "
                "text by hand, read as a stemma of variant readings",
                features,
            )
    return ProfileChoice("news", True, f"{shape_txt}; {named_txt}", features)
