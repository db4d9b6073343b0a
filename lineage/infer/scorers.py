"""The evidence scorers: each weighs one kind of evidence a careful editor would use.

Every scorer returns :class:`~lineage.model.Evidence` records (a score in log-odds units,
a sign, and the facts behind it); none writes a sentence, which is
:mod:`lineage.infer.explain`'s job.

* :func:`time_evidence` -- a document cannot derive from a later one (strong, not absolute);
* :func:`reuse_evidence` -- how much narrative text the two share (quotes count less);
* :func:`variant_evidence` -- the stemmatic test: words the child shares with one
  candidate parent but not with another;
* :func:`dateline_evidence` -- a page that carries another outlet's dateline
  republishes that outlet's story;
* :func:`credit_evidence` -- the child names the parent's outlet ("told X", "via X");
* :func:`text_direction_evidence` -- asymmetries edits leave: bracketed insertions,
  which side holds text the other lacks;
* :func:`title_evidence` -- the same headline, or one ending with the parent's name;
* :func:`origin_evidence` -- the case for a document having no parent at all.

:data:`SCORERS` is the registry the forest scores a candidate edge with: one small
function per kind of evidence, in the order their records are listed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel

from lineage.infer.features import (
    Features,
    StoryState,
    first_other,
    first_run,
    foreign_dateline,
    gap,
    hours_between,
    named,
    title_site,
    title_words,
)
from lineage.infer.weights import Weights
from lineage.model import Document, Evidence, Pair
from lineage.signals import Credit, names_match

__all__ = [
    "SCORERS",
    "Candidate",
    "credit_evidence",
    "dateline_evidence",
    "edge_evidence",
    "origin_evidence",
    "reuse_evidence",
    "text_direction_evidence",
    "time_evidence",
    "title_evidence",
    "variant_evidence",
]


NEWS = Weights()  # the default weights (frozen: safe to share as a default)


def _for(kind: str, score: float, **facts: object) -> Evidence:
    return Evidence(kind, score, "for", facts)


def _against(kind: str, score: float, **facts: object) -> Evidence:
    return Evidence(kind, score, "against", facts)


def _day(d: Document) -> str | None:
    return None if d.date is None else d.date.date().isoformat()


def time_evidence(
    parent: Document, child: Document, *, w: Weights = NEWS, first: bool = False
) -> list[Evidence]:
    """Dates order the two documents; missing dates say nothing. ``first``: the parent
    is the earliest-dated document of the story, its likely original."""
    return _time_evidence(hours_between(parent, child), parent, child, w, first)


def _time_evidence(
    hours: float | None, parent: Document, child: Document, w: Weights, first: bool
) -> list[Evidence]:
    """:func:`time_evidence`, given :func:`hours_between` of the two."""
    if hours is None or parent.date is None or child.date is None:
        return []
    facts = {
        "parent": parent.id,
        "child": child.id,
        "parent_date": _day(parent),
        "child_date": _day(child),
        "hours": hours,
    }
    if hours > 0:
        # Being earlier is no evidence of being copied: it leaves the edge possible. Among
        # sources that explain the child equally well, the likelier is the one published
        # shortly before it, or the story's original (see ``Weights.delay``)
        score = -w.delay * min(hours, w.delay_cap_hours) + (w.original if first else 0.0)
        return [_for("earlier", score, **facts, first=first)]
    if hours == 0:
        return []
    # a few minutes apart is barely an order (update times, time zones); a day is clear
    return [_against("time", w.time * math.tanh(hours / w.time_scale_hours), **facts)]


def reuse_evidence(
    pair: Pair,
    parent: str,
    child: str,
    *,
    exact_words: int,
    exact_narrative: int,
    parent_missing: int = 0,
    parent_runs: int = 0,
    w: Weights = NEWS,
) -> list[Evidence]:
    """How close two documents are: the words they share exactly, inside passages.

    The same both ways, and additive in words, so that among a child's candidate
    parents the one that explains most of its wording wins: the true parent holds
    the edits it passed on, which a grandparent lacks, and lacks a sibling's own edits
    (the stemmatic principle). Text shared only inside quotations is weak evidence of
    copying, since two reporters can quote the same person: such a link pays a penalty.
    """
    # words of the child explained by the parent, less a little for each word of the
    # parent the child lacks (an omission: cheap, and often made independently, so two
    # trimmed copies are not taken for each other's source)
    weak = exact_narrative < w.min_narrative_words
    out = [
        _for(
            "reuse",
            w.per_word * exact_words,
            parent=parent,
            child=child,
            share=pair.share(child),
            passages=len(pair.passages),
            narrative_words=sum(p.narrative_words for p in pair.passages),  # counted per word
            quoted_words=sum(p.a_quoted_words for p in pair.passages),
            exact_words=exact_words,
            weak=weak,
        )
    ]
    if parent_missing > 0:
        # each word, and each place where the child leaves out parent text: an edit that
        # drops one passage costs less than edits scattered all over (a trimmed copy
        # against a later version that added in many places)
        missing = min(parent_missing, w.omission_cap)
        cost = w.per_word * w.omission * missing + w.omission_run * parent_runs
        out.append(
            _against(
                "omission",
                -cost,
                parent=parent,
                child=child,
                words=parent_missing,
                runs=parent_runs,
            )
        )
    if weak:
        out.append(
            _against(
                "quotes-only",
                -w.quotes_only_penalty,
                parent=parent,
                child=child,
                narrative_words=exact_narrative,
            )
        )
    return out


def variant_evidence(child: Features, parent: str, others: Sequence[str]) -> list[Evidence]:
    """The stemmatic test, as records: what the child shares with ``parent`` but not
    with another candidate (a passage present in A and C but not in B makes A, not B,
    C's source), and the reverse where it exists.

    Its weight is already in :func:`reuse_evidence` (the parent explains the most of the
    child's words); these records explain the choice against the runners-up.
    """
    mine = child.exact.get(parent)
    if mine is None:
        return []
    out: list[Evidence] = []
    for q in others:
        theirs = child.exact.get(q)
        if theirs is None:
            continue
        only_mine = mine & ~theirs
        only_theirs = theirs & ~mine
        n, m = int(np.count_nonzero(only_mine)), int(np.count_nonzero(only_theirs))
        ids = {"child": child.doc.id, "parent": parent, "other": q}
        if n >= 3 and n > m:
            words, span, more = first_run(child.doc.text, child.tokens, only_mine)
            out.append(_for("variant", 0.0, **ids, words=n, snippet=words, span=span, more=more))
        elif m >= 3 and m > n:
            out.append(_against("variant", 0.0, **ids, words=m))
    return out


def dateline_evidence(
    parent: Document,
    child: Document,
    *,
    inherited_from: str | None = None,
    other_page: str | None = None,
    w: Weights = NEWS,
) -> list[Evidence]:
    """A page carrying the dateline of another outlet ("CITY (OUTLET) --") republishes
    that outlet's story: the outlet's own page is its parent -- unless the child shares
    the dateline with another copy (``inherited_from``), which may be where it took it.
    A parent carrying the child's outlet's dateline argues against the edge, unless that
    outlet has another page in the story (``other_page``) the parent may have taken."""
    out: list[Evidence] = []
    cdl, pdl = child.dateline_outlet, parent.dateline_outlet
    c_home, p_home = child.home_outlet, parent.home_outlet
    if foreign_dateline(child):
        m = max(names_match(cdl, p_home), names_match(cdl, parent.outlet))
        if m >= 1.0:
            kind, factor = "dateline", 1.0
            if inherited_from:
                kind, factor = "dateline-inherited", w.inherited
            out.append(
                _for(
                    kind,
                    w.dateline * m * factor,
                    parent=parent.id,
                    child=child.id,
                    child_home=c_home,
                    dateline_outlet=cdl,
                    inherited_from=inherited_from,
                )
            )
    if foreign_dateline(parent) and not other_page:
        m = max(names_match(pdl, c_home), names_match(pdl, child.outlet))
        if m >= 1.0:
            out.append(
                _against(
                    "dateline-against",
                    -w.dateline * m,
                    parent=parent.id,
                    child=child.id,
                    dateline_outlet=pdl,
                )
            )
    return out


def credit_evidence(
    parent: Document,
    child: Features,
    parent_credits: Sequence[Credit] = (),
    *,
    inherited_from: Mapping[int, str] | None = None,
    other_page: str | None = None,
    w: Weights = NEWS,
) -> list[Evidence]:
    """The child names the parent's outlet as its source (or the parent names the child's).

    A credit the child shares word for word with another copy (``inherited_from``: credit
    start -> that copy) may have come with the text it took from that copy: it then points
    at the story's source, not surely at the child's own parent, and counts little; nothing
    when it is worded as the child's outlet does not word its own credits
    (``child.house``).
    A parent crediting the child's outlet argues against the edge, unless that outlet
    has another page in the story (``other_page``).
    """
    out: list[Evidence] = []
    names = parent.names
    ids = {"parent": parent.id, "child": child.doc.id}
    for c in child.credits:
        m = max((names_match(c.name, n) for n in names), default=0.0)
        said = {"name": c.name, "phrase": c.phrase, "span": (c.start, c.end)}
        if m >= 1.0:
            kind, factor, off_style = "credit", 1.0, False
            other = (inherited_from or {}).get(c.start)
            if other:
                dated = parent.date is not None and child.doc.date is not None
                kind = "credit-inherited"
                factor = w.inherited_credit if dated else w.inherited_credit_undated
                if child.house is not None and c.cue not in child.house:
                    factor, off_style = w.inherited_credit_off_style, True
            out.append(
                _for(
                    kind,
                    w.credit * factor,
                    **ids,
                    **said,
                    inherited_from=other,
                    off_style=off_style,
                )
            )
            break
        if m > 0:
            out.append(_for("credit-partial", w.credit_partial, **ids, **said))
            break
    if not out and child.credits:
        c = child.credits[0]
        # the child credits some other outlet: it reuses reporting, not the parent's
        out.append(
            _for("credit-other", 0.0, **ids, name=c.name, phrase=c.phrase, span=(c.start, c.end))
        )
    for c in parent_credits if not other_page else ():
        if named(c.name, child.doc):
            out.append(
                _against(
                    "credit-against",
                    -w.credit,
                    **ids,
                    name=c.name,
                    phrase=c.phrase,
                    span=(c.start, c.end),
                )
            )
            break
    return out


def text_direction_evidence(
    pair: Pair,
    parent: Features,
    child: Features,
    *,
    w: Weights = NEWS,
    containment_scale: float = 1.0,
) -> list[Evidence]:
    """Asymmetries that edits leave when dates cannot tell the direction.
    ``containment_scale``: the containment record's share of its weight (see
    ``Weights.containment_dated``: dates order the two)."""
    out: list[Evidence] = []
    side_c = "a" if pair.a == child.doc.id else "b"
    ids = {"parent": parent.doc.id, "child": child.doc.id}
    # bracketed insertions ("[the]") inside shared text, absent from the other side
    # (only where either side has a bracketed insertion to look for)
    for p in pair.passages if child.brackets or parent.brackets else ():
        c_start, c_end = (p.a_start, p.a_end) if side_c == "a" else (p.b_start, p.b_end)
        p_start, p_end = (p.b_start, p.b_end) if side_c == "a" else (p.a_start, p.a_end)
        # each side's text of the passage, sliced from its document once (Passage.a_text)
        p_text = p.b_text if side_c == "a" else p.a_text
        c_text = p.a_text if side_c == "a" else p.b_text
        for s, e in child.brackets:
            if c_start <= s < c_end and child.doc.text[s:e] not in p_text:
                out.append(
                    _for(
                        "edit",
                        w.bracket,
                        **ids,
                        by=child.doc.id,
                        insertion=child.doc.text[s:e],
                        span=(s, e),
                    )
                )
                break
        for s, e in parent.brackets:
            if p_start <= s < p_end and parent.doc.text[s:e] not in c_text:
                out.append(
                    _against(
                        "edit",
                        -w.bracket,
                        **ids,
                        by=parent.doc.id,
                        insertion=parent.doc.text[s:e],
                        span=(s, e),
                    )
                )
                break
    # a copy tends to keep most of its source: the child's share found in the parent
    # exceeds the parent's share found in the child when the child trims
    c_share, p_share = pair.share(child.doc.id), pair.share(parent.doc.id)
    diff = c_share - p_share
    if abs(diff) >= 0.1 and containment_scale:
        out.append(
            Evidence(
                "containment",
                w.containment * containment_scale * diff,
                "for" if diff > 0 else "against",
                {**ids, "child_share": c_share, "parent_share": p_share},
            )
        )
    return out


def title_evidence(parent: Document, child: Document, *, w: Weights = NEWS) -> list[Evidence]:
    """Headlines are rewritten along the way too: a child whose headline matches one
    candidate's, and not another's, shares that candidate's variant. A headline that
    ends with the parent outlet's name ("… - KDKA"), not the child's own, came from the
    parent's page."""
    if not parent.title or not child.title:
        return []
    out: list[Evidence] = []
    ids = {"parent": parent.id, "child": child.id}
    pw, cw = title_words(parent.title), title_words(child.title)
    if pw and cw and w.title:
        sim = Indel.normalized_similarity(pw, cw)
        out.append(_for("title", w.title * sim, **ids, similarity=sim))
    site = title_site(child.title)
    if site and w.title_credit:
        if named(site, parent) and not named(site, child):
            out.append(_for("title-credit", w.title_credit, **ids, site=site))
    return out


def origin_evidence(child: Features, *, w: Weights = NEWS) -> list[Evidence]:
    """The case for a document having no parent in the corpus."""
    d = child.doc
    out = [_for("origin", w.origin, doc=d.id)]
    if child.credits:
        c = child.credits[0]
        if not named(c.name, d):
            out.append(
                _against(
                    "origin-credit",
                    -w.origin_credit,
                    doc=d.id,
                    name=c.name,
                    phrase=c.phrase,
                    span=(c.start, c.end),
                )
            )
    if foreign_dateline(d):
        out.append(
            _against(
                "origin-dateline",
                -w.origin_dateline,
                doc=d.id,
                home=d.home_outlet,
                dateline_outlet=d.dateline_outlet,
            )
        )
    return out


# -- the registry the forest scores candidate edges with ---------------------------


@dataclass(frozen=True)
class Candidate:
    """One possible edge of a story, ``parent`` -> ``child``, with what scoring reads."""

    pair: Pair
    parent: str
    child: str
    story: StoryState


Scorer = Callable[[Candidate], list[Evidence]]

#: The scorers of a candidate edge, by name, in the order their records are listed.
SCORERS: dict[str, Scorer] = {}


def register(name: str) -> Callable[[Scorer], Scorer]:
    """Add a scorer to :data:`SCORERS` under ``name``."""

    def add(fn: Scorer) -> Scorer:
        SCORERS[name] = fn
        return fn

    return add


@register("reuse")
def _reuse(c: Candidate) -> list[Evidence]:
    st = c.story
    n_shared, narr = st.exact_counts[(c.parent, c.child)]
    return reuse_evidence(
        c.pair,
        c.parent,
        c.child,
        exact_words=n_shared,
        exact_narrative=narr,
        parent_missing=st.size[c.parent] - n_shared,
        parent_runs=st.held_figures(c.parent, c.child)[0],
        w=st.w,
    )


@register("inner-edits")
def _inner_edits(c: Candidate) -> list[Evidence]:
    """How far apart two documents are inside the text they share, the same both ways:
    the words each lacks inside the stretch of the other that it follows (from the first
    to the last word of the other it holds). A passage one of them added or dropped in
    the middle is an edit between the two; a trimmed start or end is not (a copy that
    stops early made one decision). Symmetric by construction, so it weighs which two
    documents are linked, not which way (issue 13 items 1 and 2; off when 0)."""
    st, w = c.story, c.story.w
    if not w.inner_edits:
        return []
    words = st.held_figures(c.parent, c.child)[1] + st.held_figures(c.child, c.parent)[1]
    if not words:
        return []
    return [
        _against("inner-edits", -w.inner_edits * words, parent=c.parent, child=c.child, words=words)
    ]


@register("rates")
def _rates(c: Candidate) -> list[Evidence]:
    """Closeness as rates over what the two share, the same alignment read both ways: a
    fragment is judged by how much of itself the other explains, not by how many words
    it explains (off in the hand-set profiles; the fitted ones weigh them)."""
    st, w = c.story, c.story.w
    if not (w.reuse_log or w.child_coverage or w.parent_coverage):
        return []
    n_child = st.exact_counts[(c.parent, c.child)][0]  # the child's words the parent holds
    n_parent = st.exact_counts[(c.child, c.parent)][0]  # the parent's words the child holds
    facts = {"parent": c.parent, "child": c.child}
    out = []
    if w.reuse_log:
        out.append(_for("reuse-log", w.reuse_log * math.log1p(n_child), **facts))
    if w.child_coverage:
        rate = min(1.0, n_child / max(1, st.size[c.child]))
        out.append(_for("child-coverage", w.child_coverage * rate, rate=round(rate, 4), **facts))
    if w.parent_coverage:
        rate = min(1.0, n_parent / max(1, st.size[c.parent]))
        out.append(_for("parent-coverage", w.parent_coverage * rate, rate=round(rate, 4), **facts))
    return out


@register("time")
def _time(c: Candidate) -> list[Evidence]:
    st = c.story
    return _time_evidence(
        gap(st.clock[c.parent], st.clock[c.child]),
        st.by_id[c.parent],
        st.by_id[c.child],
        st.w,
        c.parent == st.first,
    )


@register("dateline")
def _dateline(c: Candidate) -> list[Evidence]:
    st = c.story
    return dateline_evidence(
        st.by_id[c.parent],
        st.by_id[c.child],
        inherited_from=first_other(st.sharers[c.child]["dateline"].get(0, ()), c.parent),
        other_page=first_other(st.same_outlet[c.child], c.parent),
        w=st.w,
    )


@register("credit")
def _credit(c: Candidate) -> list[Evidence]:
    st = c.story
    credit_from = {
        start: q
        for start, holders in st.sharers[c.child]["credits"].items()
        if (q := first_other(holders, c.parent))
    }
    return credit_evidence(
        st.by_id[c.parent],
        st.info[c.child],
        st.info[c.parent].credits,
        inherited_from=credit_from,
        other_page=first_other(st.same_outlet[c.child], c.parent),
        w=st.w,
    )


@register("text-direction")
def _text_direction(c: Candidate) -> list[Evidence]:
    st = c.story
    scale = 1.0
    if st.w.containment_dated != 1.0 and gap(st.clock[c.parent], st.clock[c.child]):
        scale = st.w.containment_dated  # dates order the two: direction is read from them
    return text_direction_evidence(
        c.pair, st.info[c.parent], st.info[c.child], w=st.w, containment_scale=scale
    )


@register("title")
def _title(c: Candidate) -> list[Evidence]:
    st = c.story
    return title_evidence(st.by_id[c.parent], st.by_id[c.child], w=st.w)


def edge_evidence(pair: Pair, parent: str, child: str, story: StoryState) -> list[Evidence]:
    """Every registered scorer's records for one of a pair's two possible edges."""
    cand = Candidate(pair, parent, child, story)
    return [e for scorer in SCORERS.values() for e in scorer(cand)]
