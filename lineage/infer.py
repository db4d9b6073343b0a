"""Who copied whom: evidence scorers, then the derivation forest chosen globally.

For every story, every ordered pair (p, c) of documents that share passages is a
possible edge "c was derived from p". Each scorer below weighs one kind of evidence
a careful editor would use and returns :class:`Evidence` items (a score in log-odds
units and a sentence saying why):

* :func:`time_evidence` -- a document cannot derive from a later one (strong, not absolute);
* :func:`reuse_evidence` -- how much narrative text the two share (quotes count less);
* :func:`variant_evidence` -- the stemmatic test: words the child shares with one
  candidate parent but not with another;
* :func:`dateline_evidence` -- a page that carries another outlet's dateline
  republishes that outlet's story;
* :func:`credit_evidence` -- the child names the parent's outlet ("told X", "via X");
* :func:`text_direction_evidence` -- asymmetries edits leave: bracketed insertions,
  page chrome, which side holds text the other lacks;
* :func:`origin_evidence` -- the case for a document having no parent at all.

The forest is then the maximum-weight spanning arborescence (Chu-Liu/Edmonds,
:mod:`lineage.arborescence`) of a graph with a virtual root whose edge to each document
carries the evidence that it is an original or an independent report. Confidences are
the softmax of a child's competing incoming scores, so a direction that rests on weak
evidence says so.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz.distance import Indel, Levenshtein

from lineage.arborescence import max_arborescence
from lineage.model import Alternative, Document, Edge, Origin, Pair
from lineage.parallel import chunks, fork_map, shared, worker_count
from lineage.signals import Credit, editorial_insertions, find_credits, name_key, names_match
from lineage.text import Tokens

__all__ = [
    "PROFILES",
    "Evidence",
    "Weights",
    "credit_evidence",
    "dateline_evidence",
    "hours_between",
    "house_styles",
    "infer_lineage",
    "origin_evidence",
    "reuse_evidence",
    "text_direction_evidence",
    "time_evidence",
    "variant_evidence",
]

ROOT = "\x00root"  # the virtual root: its children are originals and independents
_MAX_CANDIDATES = 12  # candidate parents per child kept for the arborescence


@dataclass(frozen=True)
class Weights:
    """Scale of each kind of evidence, in log-odds units. The defaults are the "news"
    profile, tuned on the syndication simulator (see docs/ACCURACY.md); see
    :data:`PROFILES` and :meth:`for_profile` for the others."""

    time: float = 5.6
    time_scale_hours: float = 6.0  # a gap this long counts fully
    per_word: float = 0.1  # closeness: per word of the child its parent explains exactly
    closest: float = 0.08  # per word a candidate explains fewer than the closest candidate
    omission: float = 0.028  # a parent word missing from the child costs this much of a word
    omission_run: float = 0.07  # ... and each run of parent words missing from the child
    # words counted at most: a long cut is one decision, so a source and its trimmed copy
    # (both holding the child) stay equals; growing versions need it off (``revisions``)
    omission_cap: int = 150
    min_narrative_words: int = 12  # shared text beyond quotations needed for a copy
    quotes_only_penalty: float = 3.0
    dateline: float = 1.5
    credit: float = 2.5
    credit_partial: float = 0.3
    inherited: float = 0.1  # a dateline shared with another copy counts this much
    inherited_credit: float = 0.25  # a credit shared with another copy counts this much
    # ... this much when the parent or the child is undated (an empirical choice, tuned on
    # simulator seeds 11, 13, 21 and 23 with no dates and some dates)
    inherited_credit_undated: float = 0.2
    # ... and this much when it is worded in a way the child's outlet is not seen to write
    # its own credits ("according to X" from an outlet whose credits say "told X"): it
    # came with the text of the copy that shares it (docs/ACCURACY.md, lesson 23)
    inherited_credit_off_style: float = 0.0
    # Among sources dated before the child that explain it equally well: a copy is made
    # soon after its source appears (each hour between them counts ``delay`` against, up
    # to ``delay_cap_hours``: after two days, older says nothing more), and the story's
    # first-dated document, its likely original, is the one copied most (``original``,
    # which makes up for its being the oldest). Tuned on simulator seeds 11, 13, 21 and
    # 23 with all and some dates; they replace two tanh-shaped priors, one for the
    # earlier source and one for recent copies (docs/ACCURACY.md, lesson 22).
    delay: float = 0.02
    delay_cap_hours: float = 48.0
    original: float = 0.2
    central_root: float = 2.0  # prior: the document holding most of the others' text
    central_parent: float = 0.35
    root_parent: float = 0.2  # prior, undated: a copy's parent is the story's original
    title: float = 2.0  # headline similarity (0-1) times this
    title_credit: float = 0.5  # the child's headline ends with the parent outlet's name
    referenced: float = 2.0  # origin: other documents credit this document's outlet
    bracket: float = 0.8
    containment: float = 0.42
    origin: float = 1.2
    origin_credit: float = 1.0
    origin_dateline: float = 1.5
    temperature: float = 1.0

    @classmethod
    def for_profile(cls, name: str) -> Weights:
        """The weights of a named profile (``news`` or ``revisions``)."""
        try:
            return PROFILES[name]
        except KeyError:
            raise ValueError(
                f"unknown profile {name!r}: choose one of {', '.join(sorted(PROFILES))}"
            ) from None


#: Weight profiles. ``news``: syndication, where copies mostly trim their source and the
#: original is copied most (tuned on the simulator). ``revisions``: version histories
#: such as Wikipedia revisions or drafts, where each version grows out of the previous
#: one: a document holding another's text plus more is the later one, and no version is
#: favoured as everyone's source (tuned on the first 100 articles of the Wikipedia
#: revision chains in ../shared/eval; docs/ACCURACY.md scores it on the other 123).
PROFILES: dict[str, Weights] = {
    "news": Weights(),
    "revisions": Weights(
        containment=-1.0,  # the later version holds the earlier one and more
        omission=0.056,
        omission_cap=1_000_000,  # a version adds or keeps: every word counts
        central_root=0.0,
        central_parent=0.0,
        root_parent=0.0,
    ),
}


@dataclass(frozen=True)
class Evidence:
    """One reason, with its weight (positive: supports the edge or the origin)."""

    kind: str
    score: float
    text: str


@dataclass
class _Child:
    """What the scorers need of one document, computed once."""

    doc: Document
    tokens: Tokens
    credits: list[Credit]
    brackets: list[tuple[int, int]]
    # how the page's outlet words its own credits (:attr:`Credit.cue`); None: not known
    house: frozenset[str] | None = None
    # for each candidate parent: mask of this document's words that match it exactly
    exact: dict[str, np.ndarray] = field(default_factory=dict)


# -- scorers ------------------------------------------------------------------------


def time_evidence(
    parent: Document, child: Document, *, w: Weights = Weights(), first: bool = False
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
    pd_, cd = parent.date.date().isoformat(), child.date.date().isoformat()
    if hours > 0:
        # Being earlier is no evidence of being copied: it leaves the edge possible. Among
        # sources that explain the child equally well, the likelier is the one published
        # shortly before it, or the story's original (see ``Weights.delay``)
        score = -w.delay * min(hours, w.delay_cap_hours) + (w.original if first else 0.0)
        text = f"time: {parent.id} ({pd_}) was published before {child.id} ({cd})"
        return [Evidence("earlier", score, text)]
    if hours == 0:
        return []
    # a few minutes apart is barely an order (update times, time zones); a day is clear
    score = w.time * math.tanh(hours / w.time_scale_hours)
    text = f"against, time: {parent.id} ({pd_}) is dated after {child.id} ({cd})"
    return [Evidence("time", score, text)]


def hours_between(a: Document, b: Document) -> float | None:
    """Hours from ``a``'s date to ``b``'s (negative: ``b`` is the earlier); ``None`` when
    either is undated; 0 when the two cannot be ordered: the same time, or a day-only
    date (:attr:`Document.day_only`) whose day holds the other date. Between a day and
    another date, the gap is taken from the middle of the day."""
    return _gap(_clock(a), _clock(b))


def _gap(a: _Clock | None, b: _Clock | None) -> float | None:
    """:func:`hours_between` on two :func:`_clock` values."""
    if a is None or b is None:
        return None
    if max(a[0], b[0]) < min(a[1], b[1]):  # overlapping: no order
        return 0.0
    return b[2] - a[2]


_Clock = tuple[float, float, float]
_EPOCH = dt.datetime(1970, 1, 1)
_INSTANT = 1 / 3600  # a timed date covers a second: equal times overlap, distinct ones not


def _clock(d: Document) -> _Clock | None:
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


def reuse_evidence(
    pair: Pair,
    parent: str,
    child: str,
    *,
    exact_words: int,
    exact_narrative: int,
    parent_missing: int = 0,
    parent_runs: int = 0,
    w: Weights = Weights(),
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
    score = w.per_word * exact_words
    narr_words = sum(p.narrative_words for p in pair.passages)  # counted per word
    quot_words = sum(p.a_quoted_words for p in pair.passages)
    share = pair.share(child)
    text = (
        f"reuse: {share:.0%} of {child}'s text lies in {len(pair.passages)} passage"
        f"{'s' if len(pair.passages) != 1 else ''} shared with {parent} "
        f"({narr_words} narrative words, {quot_words} in quotations)"
    )
    weak = exact_narrative < w.min_narrative_words
    out = [Evidence("reuse", score, text + ("; little beyond quotations: weak" if weak else ""))]
    if parent_missing > 0:
        # each word, and each place where the child leaves out parent text: an edit that
        # drops one passage costs less than edits scattered all over (a trimmed copy
        # against a later version that added in many places)
        missing = min(parent_missing, w.omission_cap)
        cost = w.per_word * w.omission * missing + w.omission_run * parent_runs
        out.append(Evidence("omission", -cost, ""))
    if weak:
        out.append(Evidence("quotes-only", -w.quotes_only_penalty, ""))
    return out


def variant_evidence(child: _Child, parent: str, others: Sequence[str]) -> list[Evidence]:
    """The stemmatic test, said in words: what the child shares with ``parent`` but not
    with another candidate (a passage present in A and C but not in B makes A, not B,
    C's source), and the reverse where it exists.

    Its weight is already in :func:`reuse_evidence` (the parent explains the most of the
    child's words); these items explain the choice against the runners-up.
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
        n, m = int(only_mine.sum()), int(only_theirs.sum())
        if n >= 3 and n > m:
            out.append(
                Evidence(
                    "variant",
                    0.0,
                    f"variants: {child.doc.id} shares {n} words with {parent} that {q} "
                    f"lacks: “{_snippet(child.doc.text, child.tokens, only_mine)}”",
                )
            )
        elif m >= 3 and m > n:
            out.append(
                Evidence(
                    "variant",
                    0.0,
                    f"against, variants: {child.doc.id} shares {m} words with {q} that "
                    f"{parent} lacks",
                )
            )
    return out


def dateline_evidence(
    parent: Document,
    child: Document,
    *,
    inherited_from: str | None = None,
    other_page: str | None = None,
    w: Weights = Weights(),
) -> list[Evidence]:
    """A page carrying the dateline of another outlet ("CITY (OUTLET) --") republishes
    that outlet's story: the outlet's own page is its parent -- unless the child shares
    the dateline with another copy (``inherited_from``), which may be where it took it.
    A parent carrying the child's outlet's dateline argues against the edge, unless that
    outlet has another page in the story (``other_page``) the parent may have taken."""
    out: list[Evidence] = []
    cdl, pdl = child.dateline_outlet, parent.dateline_outlet
    c_home, p_home = _home(child), _home(parent)
    if _foreign_dateline(child):
        m = max(names_match(cdl, p_home), names_match(cdl, parent.outlet))
        if m >= 1.0:
            text = (
                f"dateline: {child.id} is a {c_home} page carrying the dateline of "
                f"{cdl}, the outlet of {parent.id}"
            )
            kind, factor = "dateline", 1.0
            if inherited_from:
                kind, factor = "dateline-inherited", w.inherited
                text += f" (a dateline it shares with {inherited_from}: weak)"
            out.append(Evidence(kind, w.dateline * m * factor, text))
    if _foreign_dateline(parent) and not other_page:
        m = max(names_match(pdl, c_home), names_match(pdl, child.outlet))
        if m >= 1.0:
            out.append(
                Evidence(
                    "dateline-against",
                    -w.dateline * m,
                    f"against, dateline: {parent.id} carries the dateline of {pdl}, "
                    f"the outlet of {child.id}",
                )
            )
    return out


def credit_evidence(
    parent: Document,
    child: _Child,
    parent_credits: Sequence[Credit] = (),
    *,
    inherited_from: Mapping[int, str] | None = None,
    other_page: str | None = None,
    w: Weights = Weights(),
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
    names = _own_names(parent)
    for c in child.credits:
        m = max((names_match(c.name, n) for n in names), default=0.0)
        if m >= 1.0:
            text = (
                f"credit: {child.doc.id} credits {c.name} (“{c.phrase}”), the outlet of {parent.id}"
            )
            kind, factor = "credit", 1.0
            other = (inherited_from or {}).get(c.start)
            if other:
                dated = parent.date is not None and child.doc.date is not None
                kind = "credit-inherited"
                factor = w.inherited_credit if dated else w.inherited_credit_undated
                if child.house is not None and c.cue not in child.house:
                    factor = w.inherited_credit_off_style
                    text += (
                        f" (a credit it shares with {other}, worded as its outlet does not "
                        "word its own: it came with the text)"
                    )
                else:
                    text += f" (a credit it shares with {other}: weak)"
            out.append(Evidence(kind, w.credit * factor, text))
            break
        if m > 0:
            out.append(
                Evidence(
                    "credit-partial",
                    w.credit_partial,
                    f"credit: {child.doc.id} credits "
                    f"{c.name} (“{c.phrase}”), close to {parent.id}'s outlet",
                )
            )
            break
    if not out and child.credits:
        c = child.credits[0]
        out.append(
            Evidence(
                "credit",
                0.0,
                f"credit: {child.doc.id} credits {c.name} "
                f"(“{c.phrase}”): it reuses another outlet's reporting",
            )
        )
    for c in parent_credits if not other_page else ():
        if _named(c.name, child.doc):
            out.append(
                Evidence(
                    "credit-against",
                    -w.credit,
                    f"against, credit: {parent.id} credits {c.name}, the outlet of {child.doc.id}",
                )
            )
            break
    return out


def text_direction_evidence(
    pair: Pair, parent: _Child, child: _Child, *, w: Weights = Weights()
) -> list[Evidence]:
    """Asymmetries that edits leave when dates cannot tell the direction."""
    out: list[Evidence] = []
    side_c = "a" if pair.a == child.doc.id else "b"
    # bracketed insertions ("[the]") inside shared text, absent from the other side
    for p in pair.passages:
        c_start, c_end = (p.a_start, p.a_end) if side_c == "a" else (p.b_start, p.b_end)
        p_text = p.b_text if side_c == "a" else p.a_text
        for s, e in child.brackets:
            if c_start <= s < c_end and child.doc.text[s:e] not in p_text:
                out.append(
                    Evidence(
                        "edit",
                        w.bracket,
                        f"edit: {child.doc.id} inserts "
                        f"“{child.doc.text[s:e]}” into text shared with {parent.doc.id}",
                    )
                )
                break
        for s, e in parent.brackets:
            p_start, p_end = (p.b_start, p.b_end) if side_c == "a" else (p.a_start, p.a_end)
            c_text = p.a_text if side_c == "a" else p.b_text
            if p_start <= s < p_end and parent.doc.text[s:e] not in c_text:
                out.append(
                    Evidence(
                        "edit",
                        -w.bracket,
                        f"against, edit: {parent.doc.id} inserts "
                        f"“{parent.doc.text[s:e]}” into text shared with {child.doc.id}",
                    )
                )
                break
    # a copy tends to keep most of its source: the child's share found in the parent
    # exceeds the parent's share found in the child when the child trims
    c_share, p_share = pair.share(child.doc.id), pair.share(parent.doc.id)
    diff = c_share - p_share
    if abs(diff) >= 0.1:
        out.append(
            Evidence(
                "containment",
                w.containment * diff,
                ("" if diff > 0 else "against, ")
                + f"containment: {c_share:.0%} of {child.doc.id} is in {parent.doc.id}, "
                f"{p_share:.0%} of {parent.doc.id} is in {child.doc.id}",
            )
        )
    return out


def title_evidence(parent: Document, child: Document, *, w: Weights = Weights()) -> list[Evidence]:
    """Headlines are rewritten along the way too: a child whose headline matches one
    candidate's, and not another's, shares that candidate's variant. A headline that
    ends with the parent outlet's name ("… - KDKA"), not the child's own, came from the
    parent's page."""
    if not parent.title or not child.title:
        return []
    out: list[Evidence] = []
    pw, cw = _title_words(parent.title), _title_words(child.title)
    if pw and cw and w.title:
        sim = Indel.normalized_similarity(pw, cw)
        text = (
            f"title: {child.id} has the headline of {parent.id} word for word" if sim == 1.0 else ""
        )
        out.append(Evidence("title", w.title * sim, text))
    site = _title_site(child.title)
    if site and w.title_credit:
        if _named(site, parent) and not _named(site, child):
            out.append(
                Evidence(
                    "title-credit",
                    w.title_credit,
                    f"title: {child.id}'s headline ends with “{site}”, the outlet of {parent.id}",
                )
            )
    return out


_SITE_SUFFIX = re.compile(r"\s(?:-|\||–|—)\s+([^-|–—]{2,60}?)\s*$")


@functools.lru_cache(maxsize=65536)
def _title_site(title: str) -> str | None:
    """The site name a headline ends with ("Runners finish together - KDKA" -> "KDKA")."""
    m = _SITE_SUFFIX.search(title)
    return m.group(1) if m else None


def _named(name: str, doc: Document) -> bool:
    """``name`` is one of the names the page goes by."""
    return any(names_match(name, n) >= 1.0 for n in _own_names(doc))


@functools.lru_cache(maxsize=65536)
def _title_words(title: str) -> tuple[str, ...]:
    from lineage.text import tokenize

    return tokenize(title).words


def origin_evidence(child: _Child, *, w: Weights = Weights()) -> list[Evidence]:
    """The case for a document having no parent in the corpus."""
    d = child.doc
    out = [Evidence("origin", w.origin, "origin: no copy of another document is shown")]
    if child.credits:
        c = child.credits[0]
        if not _named(c.name, d):
            out.append(
                Evidence(
                    "origin-credit",
                    -w.origin_credit,
                    f"against: {d.id} credits {c.name} (“{c.phrase}”)",
                )
            )
    if _foreign_dateline(d):
        out.append(
            Evidence(
                "origin-dateline",
                -w.origin_dateline,
                f"against: {d.id} is a {_home(d)} page with a {d.dateline_outlet} dateline",
            )
        )
    return out


# -- the forest -------------------------------------------------------------------


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
) -> tuple[list[Edge], list[Origin]]:
    """The derivation forest: one parent or none for every document.

    ``trace``, when given, receives every scored candidate edge ``(parent, child)``
    (``ROOT`` as parent for the origin case) with its evidence: what a person
    debugging a surprising edge wants to see.
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
        _marks_chunk,
        chunks(len(order), workers),
        workers=workers,
        parallel=len(order) >= _PARALLEL_DOCS,
        share={"marks": (order, by_id, known_outlets)},
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
        (big if split and len(s) >= _SPLIT_DOCS else rest).append(s)
    results = [_story_forest(s, *args, workers=workers) for s in big]
    results += fork_map(
        _story_forest_shared,
        rest,
        workers=workers,
        # stories are independent: workers read the inputs, send back small results
        parallel=trace is None and sum(len(s) for s in rest) >= _PARALLEL_DOCS,
        share={"args": args},
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
_SPLIT_DOCS = 2_000  # documents in one story above which its scoring is split over workers


def _story_forest_shared(story: Sequence[str]) -> tuple[list[Edge], list[Origin]]:
    return _story_forest(story, *shared("args"))


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

    def spread(fn: Callable[[range], list[Any]], n: int, **share: Any) -> list[Any]:
        """``fn`` over chunks of range(n), on the workers when ``split``; flattened."""
        done = fork_map(fn, chunks(n, workers), workers=workers, parallel=split, share=share)
        return [x for part in done for x in part]

    info = {
        i: _Child(by_id[i], tokens[i], *marks[i], styles.get(name_key(_home(by_id[i]) or "")))
        for i in story
    }
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
    house = {i: _own_dateline(by_id[i], tokens[i]) for i in story}
    masks = spread(_masks_chunk, len(story_pairs), masks=(story_pairs, tokens, house, split))
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
            int((ea & ~tokens[p.a].quoted).sum()), int((eb & ~tokens[p.b].quoted).sum())
        )
        exact_counts[(p.b, p.a)] = (int(ea.sum()), narrative)  # (parent, child): child's words
        exact_counts[(p.a, p.b)] = (int(eb.sum()), narrative)
    content = {i: tokens[i].content for i in story}  # a property: computed once here
    size = {i: int(m.sum()) for i, m in content.items()}
    # which candidates share each credit / the dateline of each document word for word
    phrases = {i: {c.phrase.casefold() for c in info[i].credits} for i in story}
    clock = {i: _clock(by_id[i]) for i in story}
    sharers = {i: _sharers(info[i], phrases, clock) for i in story}

    # the other pages of each document's outlet in the story: a parent that names the
    # child's outlet may have taken the story from one of those instead of the child
    home_key = {i: name_key(_home(by_id[i]) or "") for i in story}
    by_home: dict[tuple[str, ...], list[str]] = {}
    for i in sorted(story):
        if home_key[i]:
            by_home.setdefault(home_key[i], []).append(i)
    same_outlet = {i: [j for j in by_home.get(home_key[i], ()) if j != i] for i in story}
    # the story's earliest-dated document: its likely original (see Weights.delay)
    dated = [(c[0], i) for i, c in clock.items() if c is not None]
    first = min(dated)[1] if dated else None
    # score every possible edge and every origin
    state = _StoryState(
        by_id, info, exact_counts, content, size, sharers, same_outlet, clock, first, w
    )
    # each candidate edge's score; its evidence, a list of sentences, is made again for
    # the edges a person will read (workers need not send back hundreds of thousands)
    base: dict[tuple[str, str], float] = dict(
        spread(_score_chunk, len(story_pairs), score=(story_pairs, state))
    )
    pair_of = {(p.a, p.b): p for p in story_pairs}
    # evidence that needs the whole story (closeness ranks, centrality, the origin prior)
    extra: dict[tuple[str, str], list[Evidence]] = {}
    if w.closest:
        # Among a child's candidate parents that dates place before it, each word fewer
        # than the closest of them explains counts extra: it ranks those candidates and
        # leaves the case for an origin alone. Undated, a document is explained best by
        # any copy that contains it, its own expansions included, so it is not used.
        def dated_before(parent: str, child: str) -> bool:
            return (_gap(clock[parent], clock[child]) or 0.0) > 0

        best_exact: dict[str, int] = {}
        for (parent, child), (n_exact, _) in exact_counts.items():
            if dated_before(parent, child):
                best_exact[child] = max(n_exact, best_exact.get(child, 0))
        for parent, child in base:
            if dated_before(parent, child):
                lag = best_exact[child] - exact_counts[(parent, child)][0]
                if lag:
                    extra.setdefault((parent, child), []).append(
                        Evidence("closest", -w.closest * lag, "")
                    )
    referenced = _referenced(story, by_id, info)
    central = _centrality(story, story_pairs)
    for parent, child in base:
        if central[parent] > 0 and w.central_parent:
            extra.setdefault((parent, child), []).append(
                Evidence("centrality", w.central_parent * central[parent], "")
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
                    f"origin: {len(refs)} other document{'s' if len(refs) > 1 else ''} "
                    f"({', '.join(refs[:4])}{'…' if len(refs) > 4 else ''}) credit or carry "
                    f"the dateline of {by_id[i].outlet}, its outlet",
                )
            )
        if central[i] > 0 and w.central_root:
            scored[(ROOT, i)].append(
                Evidence(
                    "centrality-root",
                    w.central_root * central[i],
                    f"centrality: {i} holds {central[i]:.0%} of the text of the others",
                )
            )

    total = dict(base)
    for k, more in extra.items():
        for e in more:
            total[k] += e.score
    total.update((k, sum(e.score for e in v)) for k, v in scored.items())

    def evidence(u: str, v: str) -> list[Evidence]:
        if u == ROOT:
            return scored[(u, v)]
        p = pair_of.get((u, v)) or pair_of[(v, u)]
        return _edge_evidence(p, u, v, state) + extra.get((u, v), [])

    parent_of, children = _arborescence(story, total)
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
                if by_id[r].date is None or by_id[v].date is None:
                    boosted = True
                    prior = Evidence(
                        "origin-prior",
                        w.root_parent,
                        f"prior: {r} is the story's original, and originals are copied "
                        "more than copies are",
                    )
                    extra.setdefault((r, v), []).append(prior)
                    total[(r, v)] += prior.score
        if boosted:
            parent_of, children = _arborescence(story, total)

    incoming_of: dict[str, dict[str, float]] = {i: {} for i in story}
    for (u, v), sc in sorted(total.items(), key=lambda kv: (kv[0][0] != ROOT, kv[0][0])):
        incoming_of[v][u] = sc  # the virtual root first, then candidate parents by id
    edges: list[Edge] = []
    origins: list[Origin] = []
    for child in sorted(story):
        parent = parent_of[child]
        incoming = incoming_of[child]
        probs = _softmax(incoming, w.temperature)
        alts = tuple(
            Alternative(u, round(pr, 3))
            for u, pr in sorted(probs.items(), key=lambda kv: (-kv[1], kv[0]))
            if u not in (parent, ROOT) and pr >= 0.01
        )
        if parent == ROOT:
            linked = [u for u in incoming if u != ROOT]
            kids = children[child]
            kind, reason = _origin_reason(child, linked, bool(kids), evidence, incoming)
            # an original is as sure as the direction of its weakest out-edge
            conf = min(
                (_direction(total, child, k, w.temperature) for k in kids), default=probs[ROOT]
            )
            origins.append(Origin(child, kind, reason, round(conf, 3)))
            continue
        # what supports the edge first, strongest first; then what speaks against it
        ranked = sorted(
            evidence(parent, child), key=lambda e: (e.text.startswith("against"), -abs(e.score))
        )
        runners_up = [a.parent for a in alts[:3]]
        ranked += variant_evidence(info[child], parent, runners_up)
        ranked.sort(key=lambda e: e.text.startswith("against"))  # stable: keeps the order
        reasons = [e.text for e in ranked if e.text]
        # right parent among the candidates, and the right way round
        conf = probs[parent] * _direction(total, parent, child, w.temperature)
        edges.append(Edge(parent, child, round(conf, 3), tuple(reasons), alts))
    if trace is not None:
        trace.update((k, evidence(*k)) for k in total)
    return edges, origins


@dataclass(frozen=True)
class _StoryState:
    """What scoring one candidate edge of a story reads."""

    by_id: Mapping[str, Document]
    info: Mapping[str, _Child]
    exact_counts: Mapping[tuple[str, str], tuple[int, int]]
    content: Mapping[str, np.ndarray]
    size: Mapping[str, int]
    sharers: Mapping[str, dict[str, dict[int, tuple[str, ...]]]]
    same_outlet: Mapping[str, list[str]]
    clock: Mapping[str, _Clock | None]
    first: str | None
    w: Weights


def _edge_evidence(p: Pair, parent: str, child: str, st: _StoryState) -> list[Evidence]:
    """The evidence for one of a pair's two possible edges, ``parent`` -> ``child``."""
    n_shared, narr = st.exact_counts[(parent, child)]
    cinfo = st.info[child]
    credit_from = {
        start: q
        for start, holders in st.sharers[child]["credits"].items()
        if (q := _first_other(holders, parent))
    }
    dl_from = _first_other(st.sharers[child]["dateline"].get(0, ()), parent)
    other_page = _first_other(st.same_outlet[child], parent)
    return (
        reuse_evidence(
            p,
            parent,
            child,
            exact_words=n_shared,
            exact_narrative=narr,
            parent_missing=st.size[parent] - n_shared,
            parent_runs=_missing_runs(st.info[parent].exact[child], st.content[parent]),
            w=st.w,
        )
        + _time_evidence(
            _gap(st.clock[parent], st.clock[child]),
            st.by_id[parent],
            st.by_id[child],
            st.w,
            parent == st.first,
        )
        + dateline_evidence(
            st.by_id[parent],
            st.by_id[child],
            inherited_from=dl_from,
            other_page=other_page,
            w=st.w,
        )
        + credit_evidence(
            st.by_id[parent],
            cinfo,
            st.info[parent].credits,
            inherited_from=credit_from,
            other_page=other_page,
            w=st.w,
        )
        + text_direction_evidence(p, st.info[parent], st.info[child], w=st.w)
        + title_evidence(st.by_id[parent], st.by_id[child], w=st.w)
    )


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
            home = _home(by_id[i])
            for c in credits.get(i, ()):
                if home and c.cue and carried[c.phrase.casefold()] == 1:
                    out.setdefault(name_key(home), set()).add(c.cue)
    return {k: frozenset(v) for k, v in out.items()}


def _marks_chunk(chunk: range) -> list[tuple[list[Credit], list[tuple[int, int]]]]:
    """Credits and bracketed insertions of documents ``chunk`` of the linked ones."""
    order, by_id, known = shared("marks")
    return [
        (
            find_credits(by_id[order[k]].text, known_outlets=known),
            editorial_insertions(by_id[order[k]].text),
        )
        for k in chunk
    ]


def _masks_chunk(chunk: range) -> list[tuple[np.ndarray, np.ndarray]]:
    """For pairs ``chunk``: the words of each side the other matches exactly, less the
    page's own dateline (see :func:`_own_dateline`); bit-packed when ``pack`` (a worker
    sends them back)."""
    pairs, tokens, house, pack = shared("masks")
    out = []
    for k in chunk:
        p = pairs[k]
        ea, eb = _exact_masks(p, tokens[p.a], tokens[p.b])
        if (ha := house[p.a]) is not None:
            ea &= ~ha
        if (hb := house[p.b]) is not None:
            eb &= ~hb
        out.append((np.packbits(ea), np.packbits(eb)) if pack else (ea, eb))
    return out


def _score_chunk(chunk: range) -> list[tuple[tuple[str, str], float]]:
    """For pairs ``chunk``: the score of each pair's two possible edges."""
    pairs, state = shared("score")
    out = []
    for k in chunk:
        p = pairs[k]
        for parent, child in ((p.a, p.b), (p.b, p.a)):
            out.append(
                ((parent, child), sum(e.score for e in _edge_evidence(p, parent, child, state)))
            )
    return out


def _arborescence(
    story: Sequence[str], total: Mapping[tuple[str, str], float]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The maximum spanning arborescence over the virtual root and the story: each
    document's parent (``ROOT`` for an original) and each node's children, sorted."""
    nodes = [ROOT, *sorted(story)]
    index = {x: k for k, x in enumerate(nodes)}
    # A child's weakest candidates never win: keep its best few (the virtual root is
    # always kept), so a story of hundreds of near-copies stays a sparse graph.
    best_in: dict[str, list[tuple[float, str]]] = {}
    for (u, v), sc in total.items():
        if u != ROOT:
            best_in.setdefault(v, []).append((sc, u))
    keep = {(ROOT, v) for v in story}
    for v, cands in best_in.items():
        keep.update((u, v) for _, u in sorted(cands, key=lambda x: (-x[0], x[1]))[:_MAX_CANDIDATES])
    edges = [(index[u], index[v], total[(u, v)]) for u, v in sorted(keep)]
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
) -> tuple[str, str]:
    if has_children:
        return "original", (
            "original: the others derive from it and the evidence points from it, not to it"
        )
    best = max((u for u in linked), key=lambda u: incoming[u], default=None)
    if best is None:
        return "independent", "shares no passage with any other document"
    reuse = next((e.text for e in evidence(best, doc) if e.kind == "reuse"), "")
    return "independent", (
        "independent report: the text it shares is too little, or only quotations, "
        f"to make it a copy ({reuse})"
    )


def _referenced(
    story: Sequence[str], by_id: Mapping[str, Document], info: Mapping[str, _Child]
) -> dict[str, list[str]]:
    """For each document, the other documents of its story that name its outlet as their
    source: in a credit, or in a dateline on a page of a different outlet. The outlet a
    story's copies point at is where the story started."""
    # names are compared once per distinct (outlet, named) pair, not once per two
    # documents: a story of thousands of pages has a few hundred outlet names
    namers: dict[str, list[str]] = {}  # a name -> the documents naming it
    for j in story:
        named = {c.name for c in info[j].credits}
        dateline = by_id[j].dateline_outlet
        if dateline:
            named.add(dateline)
        for n in named:
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


def _centrality(story: Sequence[str], pairs: Sequence[Pair]) -> dict[str, float]:
    """How much of the other documents' text each document holds, on average.

    An original holds what every copy kept of it; a copy holds less of its siblings'
    (each lost or changed something). Used as a weak prior for roots and parents.
    """
    total = dict.fromkeys(story, 0.0)
    for p in pairs:
        total[p.a] += p.b_in_a
        total[p.b] += p.a_in_b
    n = max(1, len(story) - 1)
    return {k: v / n for k, v in total.items()}


def _sharers(
    child: _Child,
    phrases: Mapping[str, set[str]],
    clock: Mapping[str, _Clock | None],
) -> dict[str, dict[int, tuple[str, ...]]]:
    """For each credit of the child (by its start) and for its dateline (key 0), the
    candidates that carry the same text: the credit word for word (inside a shared
    passage, or the same credit phrase), the same dateline outlet. A candidate dated
    after the child cannot have passed it on and is left out."""

    doc = child.doc

    def could_pass_on(q: str) -> bool:
        return (_gap(clock[q], clock[doc.id]) or 0.0) >= 0

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
    span = _dateline_span(doc) if doc.dateline_outlet else None
    if span:
        out["dateline"][0] = holders(*span)
    return out


def _missing_runs(mask: np.ndarray, content: np.ndarray) -> int:
    """How many runs of a parent's content words (``~mask``) the child lacks."""
    missing = ~mask[content]
    if not missing.any():
        return 0
    return int(missing[0]) + int(np.count_nonzero(missing[1:] & ~missing[:-1]))


def _first_other(holders: Sequence[str], parent: str) -> str | None:
    return next((q for q in holders if q != parent), None)


def _dateline_span(doc: Document) -> tuple[int, int] | None:
    """Where the dateline's outlet name stands near the top of the text."""
    name = doc.dateline_outlet or ""
    i = doc.text.find(f"({name})", 0, 400)
    return None if i < 0 else (i, i + len(name) + 2)


def _own_dateline(doc: Document, tokens: Tokens) -> np.ndarray | None:
    """Mask of the words of the document's dateline when it names its own outlet."""
    name = doc.dateline_outlet
    if not name or not _named(name, doc):
        return None
    span = _dateline_span(doc)
    if span is None:
        return None
    line_start = doc.text.rfind("\n", 0, span[0]) + 1
    lo, hi = np.searchsorted(tokens.starts, [line_start, span[1]])
    mask = np.zeros(len(tokens), dtype=bool)
    mask[lo:hi] = True
    return mask


def _home(doc: Document) -> str | None:
    """The outlet whose page this is: the host found in its chrome, else its outlet."""
    return doc.host_outlet or doc.outlet


def _own_names(doc: Document) -> list[str]:
    """The names the page goes by: its outlet and its host."""
    return [n for n in (doc.outlet, doc.host_outlet) if n]


def _foreign_dateline(doc: Document) -> bool:
    """The page carries another outlet's dateline ("CITY (OTHER OUTLET) --")."""
    home = _home(doc)
    return bool(doc.dateline_outlet and home and names_match(doc.dateline_outlet, home) < 1.0)


def _direction(total: Mapping[tuple[str, str], float], u: str, v: str, t: float) -> float:
    """Probability that the edge between u and v points u -> v rather than v -> u."""
    back = total.get((v, u))
    if back is None:
        return 1.0
    return 1.0 / (1.0 + math.exp(-(total[(u, v)] - back) / t))


def _softmax(scores: Mapping[str, float], temperature: float) -> dict[str, float]:
    m = max(scores.values())
    ex = {k: math.exp((v - m) / temperature) for k, v in scores.items()}
    z = sum(ex.values())
    return {k: v / z for k, v in ex.items()}


def _exact_masks(pair: Pair, ta: Tokens, tb: Tokens) -> tuple[np.ndarray, np.ndarray]:
    """Words of a and of b that match a word of the other exactly inside a passage."""
    ma = np.zeros(len(ta), dtype=bool)
    mb = np.zeros(len(tb), dtype=bool)
    for p in pair.passages:
        a0, a1 = p.a_tok
        b0, b1 = p.b_tok
        sa, sb = ta.hashes[a0:a1].tolist(), tb.hashes[b0:b1].tolist()
        for op in Levenshtein.opcodes(sa, sb):
            if op.tag == "equal":
                ma[a0 + op.src_start : a0 + op.src_end] = True
                mb[b0 + op.dest_start : b0 + op.dest_end] = True
    return ma & ta.content, mb & tb.content


def _snippet(text: str, tokens: Tokens, mask: np.ndarray, limit: int = 12) -> str:
    """The first run of masked words, as written."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return ""
    start = end = int(idx[0])
    # follow the run across gaps of a word or two (a changed word inside the variant)
    while end - start < limit - 1:
        nxt = [k for k in (end + 1, end + 2, end + 3) if k < len(mask) and mask[k]]
        if not nxt:
            break
        end = nxt[0]
    s = text[int(tokens.starts[start]) : int(tokens.ends[end])]
    return " ".join(s.split()) + ("…" if end + 1 < len(mask) and mask[end + 1] else "")
