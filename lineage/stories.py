"""Stories: documents joined by reuse that a credit line or a stock phrase cannot bridge.

One union-find over the verified pairs. A pair joins two documents into one story only
when the passages they share hold at least ``min_words`` narrative words (words outside
quotation marks; page chrome never enters a passage). A shared quotation, a credit line,
or one stock phrase ("age 15 and over can read and write", "united kingdom of great
britain and northern ireland") is too short to merge two unrelated stories, however often
it recurs; the pair itself stays in the analysis, only the story grouping ignores it.

The floor (:data:`MIN_STORY_WORDS`) was chosen on the training halves of the project's
simulator (seeds 7, 17) and of the second generator (seeds 1, 3): the smallest floor at
which no story mixes documents of two true stories on either, with no true story split.
The Wikipedia chains, the florilegium, the seeds and the held-out generator seeds chose
nothing (docs/ACCURACY.md, "Stories").
"""

from __future__ import annotations

from collections.abc import Sequence

from lineage.model import Pair

__all__ = ["MIN_STORY_WORDS", "group_stories", "story_link"]

#: Narrative words a pair's passages must hold together to join two documents in a story.
MIN_STORY_WORDS = 20


def story_link(pair: Pair, *, min_words: int = MIN_STORY_WORDS) -> bool:
    """Whether ``pair`` joins its two documents in one story: its shared passages hold at
    least ``min_words`` words outside quotation marks (counted on the pair's ``a`` side)."""
    return sum(p.narrative_words for p in pair.passages) >= max(min_words, 1)


def group_stories(
    ids: Sequence[str], pairs: Sequence[Pair], *, min_words: int = MIN_STORY_WORDS
) -> tuple[tuple[str, ...], ...]:
    """Documents connected by story links (:func:`story_link`), largest story first.

    Every document is in exactly one story; a document that shares nothing, or only
    quotations and short stock passages, is a story of its own. The grouping depends on
    the pairs alone: the order of ``ids`` and of ``pairs`` changes nothing.
    """
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        if story_link(p, min_words=min_words):
            ra, rb = find(p.a), find(p.b)
            if ra != rb:
                # the smaller root names the set: any fixed choice gives the same sets
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for i in ids:
        groups.setdefault(find(i), []).append(i)
    return tuple(tuple(sorted(g)) for g in sorted(groups.values(), key=lambda g: (-len(g), min(g))))
