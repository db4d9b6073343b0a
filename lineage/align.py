"""Word-level alignment of two documents: where a passage is born.

Seed and extend, on word-hash sequences (never on raw strings):

1. **seeds**: positions where both documents hold the same shingle (n words);
2. **blocks**: seeds on one diagonal that follow each other merge into exact runs;
3. **chains**: runs that follow each other in both documents with at most
   ``max_gap`` words between them merge into one passage, so a changed word, a
   dropped or added word, or a typo inside a sentence does not cut it in two;
4. **extension**: each passage grows outwards word by word over an edit script from
   rapidfuzz (``Levenshtein.opcodes`` on the next few words of both sides), scoring
   +1 a matching word and -1 an edited one, kept up to the best score (X-drop). This
   recovers the edited words just before the first seed: "this *was* Mazur's" vs
   "this *marked* Mazur's";
5. overlapping passages are merged or, where they disagree, the longer one wins.

Passages shorter than ``min_words`` are dropped; the rest carry both documents'
character offsets, their similarity (rapidfuzz normalized Indel on the word runs), the
word-level edit script between the two runs, how many of their words lie inside
quotation marks on each side, and (kept for old readers) whether most of them do.
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import cast

import numpy as np
from rapidfuzz.distance import Indel, Levenshtein

from lineage.fingerprint import Fingerprint, isin_sorted, shared_shingles
from lineage.model import EditScript, Pair, Passage, _passage_values
from lineage.text import Tokens

__all__ = ["AlignedDoc", "align", "detach_texts", "edit_script", "pair_figures", "share_texts"]

_WINDOW = 20  # words looked at beyond a passage's edge when extending
_XDROP = 3  # stop extending once the score falls this far below its best
_MAX_REPEAT = 8  # a shingle occurring more often than this in one document seeds nothing


@dataclass(frozen=True, eq=False)
class AlignedDoc:
    """What alignment needs of one document."""

    id: str
    text: str
    tokens: Tokens
    fp: Fingerprint

    # Per-document masks and counts every pair of the document reads: made once, on the
    # first pair that needs them (in the worker that aligns it), not once per pair.
    @functools.cached_property
    def boiler_at(self) -> list[int]:
        """Token indices of the boilerplate words, ascending (usually none)."""
        return np.flatnonzero(self.tokens.boilerplate).tolist()

    @functools.cached_property
    def content(self) -> np.ndarray:
        return ~self.tokens.boilerplate

    @functools.cached_property
    def narrative(self) -> np.ndarray:
        return self.content & ~self.tokens.quoted

    @functools.cached_property
    def totals(self) -> tuple[int, int]:
        """Content words, narrative (unquoted content) words."""
        return int(np.count_nonzero(self.content)), int(np.count_nonzero(self.narrative))


@dataclass
class _Span:
    a0: int
    a1: int
    b0: int
    b1: int


def _blocks(
    fa: Fingerprint, fb: Fingerprint, n: int, shared: np.ndarray | None = None
) -> list[_Span]:
    """Exact runs shared by both documents, from equal shingles on one diagonal
    (``shared``: their common shingles, sorted, when the caller has them)."""
    if shared is None:
        shared = shared_shingles(fa.unique, fb.unique)
    if not len(shared):
        return []
    ma, mb = _seed_matches(fa, fb, shared)
    if not len(ma):
        return []
    diag = mb - ma
    order = np.lexsort((ma, diag))
    ma, diag = ma[order], diag[order]
    brk = np.concatenate(([True], (diag[1:] != diag[:-1]) | (ma[1:] != ma[:-1] + 1)))
    starts = np.flatnonzero(brk)
    ends = np.append(starts[1:], len(ma)) - 1
    # one block per run, in (a0, b0) order: no two blocks share both (a run on one
    # diagonal is maximal), so the order is total
    a0 = ma[starts]
    a1 = ma[ends] + n
    d = diag[starts]
    b0, b1 = a0 + d, a1 + d
    by = np.lexsort((b0, a0))
    return [
        _Span(*t)
        for t in zip(
            a0[by].tolist(), a1[by].tolist(), b0[by].tolist(), b1[by].tolist(), strict=True
        )
    ]


def _seed_matches(
    fa: Fingerprint, fb: Fingerprint, shared: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Token positions (in a, in b) of every occurrence in a matched with every
    occurrence in b of the same shared shingle, in a's text order (then b's); a shingle
    found more than ``_MAX_REPEAT`` times in b seeds nothing.

    Usually each shared shingle occurs once in b: then each of a's occurrences has its
    one match, looked up by the shingle's rank in ``shared`` (:func:`_seed_matches_any`
    gives the same matches for any counts; ``tests/test_speedups.py`` compares them).
    """
    last = len(shared) - 1
    rank_b = np.minimum(np.searchsorted(shared, fb.hashes), last)
    ib = np.flatnonzero(shared[rank_b] == fb.hashes)
    if len(ib) != len(shared):  # a shingle repeated in b
        return _seed_matches_any(fa, fb, shared)
    at_b = np.empty(len(shared), dtype=fb.positions.dtype)
    at_b[rank_b[ib]] = fb.positions[ib]
    rank_a = np.minimum(np.searchsorted(shared, fa.hashes), last)
    ia = np.flatnonzero(shared[rank_a] == fa.hashes)
    return fa.positions[ia], at_b[rank_a[ia]]


def _seed_matches_any(
    fa: Fingerprint, fb: Fingerprint, shared: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_seed_matches` for any number of occurrences of a shingle in b."""
    ia = np.flatnonzero(isin_sorted(fa.hashes, shared))
    ib = np.flatnonzero(isin_sorted(fb.hashes, shared))
    ha, hb = fa.hashes[ia], fb.hashes[ib]
    pa, pb = fa.positions[ia], fb.positions[ib]
    # match every occurrence in a with every occurrence in b of the same hash
    ob = np.argsort(hb, kind="stable")
    hb, pb = hb[ob], pb[ob]
    lo = np.searchsorted(hb, ha, side="left")
    hi = np.searchsorted(hb, ha, side="right")
    reps = hi - lo
    ok = reps <= _MAX_REPEAT
    pa, lo, reps = pa[ok], lo[ok], reps[ok]
    ma = np.repeat(pa, reps)
    offs = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    return ma, pb[np.repeat(lo, reps) + offs]


def _chain(blocks: list[_Span], max_gap: int) -> list[_Span]:
    """Merge blocks that follow each other in both documents with small gaps."""
    chains: list[_Span] = []
    for blk in blocks:
        best = None
        best_gap = None
        for c in chains[-8:]:  # recent chains only: blocks come in a order
            ga, gb = blk.a0 - c.a1, blk.b0 - c.b1
            if -_MAX_OVERLAP <= ga <= max_gap and -_MAX_OVERLAP <= gb <= max_gap:
                gap = abs(ga) + abs(gb)
                if best_gap is None or gap < best_gap:
                    best, best_gap = c, gap
        if best is None:
            chains.append(_Span(blk.a0, blk.a1, blk.b0, blk.b1))
        else:
            best.a1 = max(best.a1, blk.a1)
            best.b1 = max(best.b1, blk.b1)
    return chains


_MAX_OVERLAP = 2  # blocks on neighbouring diagonals may overlap by a word or two
_MAX_SHIFT = 3  # words a merge of two passages may add to the difference of their sides


def _extend(wa: list[int], wb: list[int]) -> tuple[int, int]:
    """How far two word sequences (starting at a passage edge) continue to agree.

    Returns (words of a, words of b) to add, at the best X-drop score of the edit script.
    """
    if not wa or not wb:
        return 0, 0
    score = best = 0
    best_at = (0, 0)
    for tag, i1, i2, j1, j2 in _opcodes(wa, wb):
        if tag == "equal":
            score += i2 - i1
            if score > best:
                best, best_at = score, (i2, j2)
        else:
            score -= max(i2 - i1, j2 - j1)
            if score < best - _XDROP:
                break
    return best_at


def _content_run(doc: AlignedDoc, start: int, stop: int, step: int) -> list[int]:
    """Word hashes from ``start`` towards ``stop``, up to the first boilerplate word."""
    boiler = doc.boiler_at
    hashes = doc.tokens.hashes
    if step > 0:
        if boiler:  # the first boilerplate word at or after start ends the run
            k = bisect_left(boiler, start)
            if k < len(boiler):
                stop = min(stop, boiler[k])
        return hashes[start:stop].tolist() if stop > start else []
    if start < 0:
        return []
    if boiler:  # the last boilerplate word at or before start ends the run (downwards)
        k = bisect_right(boiler, start) - 1
        if k >= 0:
            stop = max(stop, boiler[k])
    if stop >= start:
        return []
    # stop may be -1 (run down to word 0 included)
    return hashes[start : stop if stop >= 0 else None : -1].tolist()


def _grow(sp: _Span, a: AlignedDoc, b: AlignedDoc) -> None:
    na, nb = len(a.tokens), len(b.tokens)
    # right
    wa = _content_run(a, sp.a1, min(na, sp.a1 + _WINDOW), 1)
    wb = _content_run(b, sp.b1, min(nb, sp.b1 + _WINDOW), 1)
    da, db = _extend(wa, wb)
    sp.a1 += da
    sp.b1 += db
    # left (sequences reversed)
    wa = _content_run(a, sp.a0 - 1, max(-1, sp.a0 - 1 - _WINDOW), -1)
    wb = _content_run(b, sp.b0 - 1, max(-1, sp.b0 - 1 - _WINDOW), -1)
    da, db = _extend(wa, wb)
    sp.a0 -= da
    sp.b0 -= db


def _skew(a0: int, a1: int, b0: int, b1: int) -> int:
    return abs((a1 - a0) - (b1 - b0))


def _resolve(spans: list[_Span]) -> list[_Span]:
    """Merge passages that grew into each other; drop the shorter of any other overlap."""
    spans.sort(key=lambda s: (s.a0, s.b0))
    merged: list[_Span] = []
    for s in spans:
        last = merged[-1] if merged else None
        # grew into each other: s starts inside last on both sides. Merged only if that
        # keeps the two sides about as long as each other, as a passage's sides are: s
        # may instead repeat part of last's text found again further on in one document
        if (
            last
            and s.a0 <= last.a1
            and last.b0 <= s.b0 <= last.b1
            and _skew(last.a0, max(last.a1, s.a1), last.b0, max(last.b1, s.b1))
            <= max(_skew(last.a0, last.a1, last.b0, last.b1), _skew(s.a0, s.a1, s.b0, s.b1))
            + _MAX_SHIFT
        ):
            last.a1 = max(last.a1, s.a1)
            last.b1 = max(last.b1, s.b1)
        else:
            merged.append(s)
    merged.sort(key=lambda s: (-(s.a1 - s.a0), s.a0, s.b0))
    kept: list[_Span] = []
    taken_a = np.zeros(max((s.a1 for s in merged), default=0), dtype=bool)
    taken_b = np.zeros(max((s.b1 for s in merged), default=0), dtype=bool)
    for s in merged:
        # a longer passage that grew over this one's edge (extension runs through a
        # shared word where a paragraph was dropped) trims it; only an overlap that
        # remains inside once the edges are trimmed drops it
        while s.a0 < s.a1 and s.b0 < s.b1 and (taken_a[s.a0] or taken_b[s.b0]):
            s.a0 += 1
            s.b0 += 1
        while s.a0 < s.a1 and s.b0 < s.b1 and (taken_a[s.a1 - 1] or taken_b[s.b1 - 1]):
            s.a1 -= 1
            s.b1 -= 1
        if s.a0 >= s.a1 or s.b0 >= s.b1:
            continue
        if taken_a[s.a0 : s.a1].any() or taken_b[s.b0 : s.b1].any():
            continue
        taken_a[s.a0 : s.a1] = True
        taken_b[s.b0 : s.b1] = True
        kept.append(s)
    kept.sort(key=lambda s: (s.a0, s.b0))
    return kept


def align(
    a: AlignedDoc,
    b: AlignedDoc,
    *,
    shingle_size: int = 5,
    min_words: int = 8,
    max_gap: int = 3,
    min_similarity: float = 0.8,
    common: np.ndarray | None = None,
) -> list[Passage]:
    """The reused passages of ``a`` and ``b``, in ``a``'s text order. ``common``: the
    sorted shingle hashes both hold (``lineage.fingerprint.shared_shingles``) if known.

    Symmetric: the pair is always aligned in one order (the shorter text first), so
    swapping ``a`` and ``b`` gives the same passages seen from the other side, even where
    repeated text leaves several equally good alignments.
    """
    if (len(b.tokens), b.text) < (len(a.tokens), a.text):
        mirrored = [
            _mirror(p, a.tokens)
            for p in align(
                b,
                a,
                shingle_size=shingle_size,
                min_words=min_words,
                max_gap=max_gap,
                min_similarity=min_similarity,
                common=common,
            )
        ]
        return sorted(mirrored, key=lambda p: (p.a_start, p.b_start))
    blocks = _blocks(a.fp, b.fp, shingle_size, common)
    if not blocks:
        return []
    spans = _chain(blocks, max_gap)
    for sp in spans:
        _grow(sp, a, b)
    spans = _resolve(spans)
    ha, hb = a.tokens.hashes, b.tokens.hashes
    out: list[Passage] = []
    for sp in spans:
        na, nb = sp.a1 - sp.a0, sp.b1 - sp.b0
        if min(na, nb) < min_words:
            continue
        wa, wb = ha[sp.a0 : sp.a1].tolist(), hb[sp.b0 : sp.b1].tolist()
        sim = Indel.normalized_similarity(wa, wb)
        if sim < min_similarity:
            continue
        a_start, a_end = a.tokens.char_span(sp.a0, sp.a1)
        b_start, b_end = b.tokens.char_span(sp.b0, sp.b1)
        out.append(
            Passage(
                a=a.id,
                b=b.id,
                a_start=a_start,
                a_end=a_end,
                b_start=b_start,
                b_end=b_end,
                a_words=na,
                b_words=nb,
                similarity=round(float(sim), 4),
                quoted=_mostly_quoted(a.tokens, sp.a0, sp.a1),
                a_src=a.text,
                b_src=b.text,
                a_tok=(sp.a0, sp.a1),
                b_tok=(sp.b0, sp.b1),
                ops=edit_script(wa, wb),
                a_quoted_words=_quoted_words(a.tokens, sp.a0, sp.a1),
                b_quoted_words=_quoted_words(b.tokens, sp.b0, sp.b1),
            )
        )
    return out


def edit_script(wa: list[int], wb: list[int]) -> EditScript:
    """The word-level edit script turning word run ``wa`` into ``wb``.

    rapidfuzz ``Levenshtein.opcodes`` over word ids, kept on the passage so later stages
    (quotes) read what changed instead of diffing text again. Offsets are relative to the
    passage's first word on each side; tags are "equal", "replace", "insert", "delete".

    >>> list(edit_script([1, 2, 3], [1, 9, 3]))
    [('equal', 0, 1, 0, 1), ('replace', 1, 2, 1, 2), ('equal', 2, 3, 2, 3)]
    """
    return EditScript(_opcodes(wa, wb))


def _opcodes(wa: list[int], wb: list[int]) -> list[tuple[str, int, int, int, int]]:
    """rapidfuzz's opcodes as plain (tag, i1, i2, j1, j2) tuples (``as_list``: faster to
    read than the Opcode objects' attributes; typed there as Opcode)."""
    return cast("list[tuple[str, int, int, int, int]]", Levenshtein.opcodes(wa, wb).as_list())


def _quoted_words(tokens: Tokens, start: int, end: int) -> int:
    """Content words [start, end) inside quotation marks: counted per word (issue 15)."""
    return int(np.count_nonzero(tokens.quoted[start:end] & ~tokens.boilerplate[start:end]))


def _mostly_quoted(tokens: Tokens, start: int, end: int) -> bool:
    """Whether most words [start, end) lie inside quotation marks (more than half of
    them: the mean of the mask above 0.5, counted in integers)."""
    return 2 * int(np.count_nonzero(tokens.quoted[start:end])) > end - start


def _mirror(p: Passage, a_tokens: Tokens) -> Passage:
    """The passage seen from b's side (b becomes a): every ``a``/``a_*`` field trades
    places with its ``b`` twin; ``quoted`` is judged again on the new a side."""
    values = _passage_values(p)
    mirrored = [values[k] for k in _mirror_order()]
    mirrored[_QUOTED] = _mostly_quoted(a_tokens, *p.b_tok)
    mirrored[_OPS] = p.ops.mirrored()
    return Passage(*mirrored)


_QUOTED = [f.name for f in fields(Passage)].index("quoted")
_OPS = [f.name for f in fields(Passage)].index("ops")


@functools.cache
def _mirror_order() -> tuple[int, ...]:
    """For each field of Passage in order, the index of the field it takes its value
    from in the mirrored passage: its twin's (:func:`_swapped_fields`), or its own.
    Note: building the mirrored passage from these, rather than by ``replace``, halved
    the cost of mirroring (bench run of docs/BENCHMARKS.md, round s18core)."""
    names = [f.name for f in fields(Passage)]
    twin = dict(_swapped_fields())
    return tuple(names.index(twin.get(n, n)) for n in names)


@functools.cache
def _swapped_fields() -> tuple[tuple[str, str], ...]:
    """(field, its twin on the other side) for every ``a``/``a_*``/``b``/``b_*`` field."""
    return tuple(
        (f.name, _OTHER_SIDE[f.name[0]] + f.name[1:])
        for f in fields(Passage)
        if f.name[0] in _OTHER_SIDE and f.name[1:2] in ("", "_")
    )


_OTHER_SIDE = {"a": "b", "b": "a"}


def _covered(doc: AlignedDoc, ranges: list[tuple[int, int]]) -> np.ndarray:
    """The content words inside any of the word ranges."""
    mask = np.zeros(len(doc.tokens), dtype=bool)
    for s, e in ranges:
        mask[s:e] = True
    return mask & doc.content


def _share(covered: int, total: int) -> float:
    return float(covered) / total if total else 0.0


def pair_figures(
    a: AlignedDoc,
    b: AlignedDoc,
    passages: list[Passage],
    *,
    jaccard: float,
    containment_a: float = 0.0,
    containment_b: float = 0.0,
) -> Pair:
    """A ``Pair`` with the shares of each document covered by the passages."""
    ca = _covered(a, [p.a_tok for p in passages])
    cb = _covered(b, [p.b_tok for p in passages])
    # covered words are content words: covered & content is covered itself
    na, nb = int(np.count_nonzero(ca)), int(np.count_nonzero(cb))
    (content_a, narr_a), (content_b, narr_b) = a.totals, b.totals
    return Pair(
        a=a.id,
        b=b.id,
        jaccard=round(jaccard, 4),
        a_in_b=round(_share(na, content_a), 4),
        b_in_a=round(_share(nb, content_b), 4),
        passages=tuple(passages),
        reused_words=na,
        a_in_b_narrative=round(_share(int(np.count_nonzero(ca & a.narrative)), narr_a), 4),
        b_in_a_narrative=round(_share(int(np.count_nonzero(cb & b.narrative)), narr_b), 4),
        shingle_containment_a=round(containment_a, 4),
        shingle_containment_b=round(containment_b, 4),
    )


def detach_texts(pair: Pair) -> Pair:
    """``pair``, its passages holding an empty string where they read a document's
    whole text: what a worker sends back, so that no text is pickled to the parent,
    which holds every text already and puts them back (:func:`share_texts`).

    Note: done in place on a pair just made, as :func:`share_texts`. Pickling the
    texts back cost the parent more CPU to read than the pairs themselves.
    """
    for p in pair.passages:
        if p.a_src_at == 0:
            object.__setattr__(p, "a_src", "")
        if p.b_src_at == 0:
            object.__setattr__(p, "b_src", "")
    return pair


def share_texts(pair: Pair, texts: Mapping[str, str]) -> Pair:
    """``pair``, its passages reading their texts from the strings of ``texts`` (each
    document's text by id), when they hold an equal string or none
    (:func:`detach_texts`): a pair made by a worker arrives without the texts, or with
    its own copy of each document's text, which is then freed, so that every passage of
    a document reads the parent's one string.

    Note: done in place on a pair just made, before any other code has seen it: the
    values do not change, only which string object holds them (``Passage`` is frozen
    for its readers; ``object.__setattr__`` is the dataclass's own way round that).
    """
    for p in pair.passages:
        for doc, src, at in ((p.a, "a_src", p.a_src_at), (p.b, "b_src", p.b_src_at)):
            mine, kept = getattr(p, src), texts.get(doc)
            if at == 0 and kept is not None and mine is not kept and (not mine or mine == kept):
                object.__setattr__(p, src, kept)
    return pair
