"""Marking page chrome: the text around an article that is not the article.

Copies of a story are often scraped with the host page's furniture still attached
(navigation, app prompts, "read more" links). It stays in ``Document.text`` but is
marked as boilerplate spans, so it counts neither as shared nor as original prose.

Chrome is recognised by its shape, never by its words:

* **Edge runs.** Lines without sentence shape (a few words, no terminal punctuation)
  in a run at the start or the end of the text. At the end, up to two sentence-like
  lines between a run of at least three such lines and the edge belong to it (a
  closing "get notifications for ..." blurb under a block of buttons).
* **Recurrence.** A short line that recurs, normalized, in ``min_docs`` documents or
  more is chrome wherever it stands.
* **Titles are kept.** A headline-shaped first line stays article text unless it
  names the host (below) or recurs above different text in different documents.

The **host** is a capitalized name of two or more words that recurs inside two or
more different chrome lines of one document ("Watch X News" ... "X News App Open");
it becomes ``host_outlet`` and, unless metadata named one, the ``outlet``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from lineage.columns import Lazy
from lineage.ingest import guess_title
from lineage.model import Document

__all__ = ["chrome_shaped", "dateline_span", "find_host", "mark_boilerplate", "merge_spans"]

_MAX_CHROME_WORDS = 6
_SENTENCE_END = ".!?…"
_CLOSERS = "\"'”’)]»"
# At the end edge: how many sentence-like lines a chrome run may carry to the edge,
# how long they may be, and how long the run must be to carry them.
_MAX_TAIL_LINES = 2
_MAX_TAIL_WORDS = 30
_MIN_RUN_FOR_TAIL = 3
# Short sentences recurring at the edges of different articles are footers/headers.
_MAX_FOOTER_WORDS = 15
# Word overlap above which the lines under a recurring line count as the same text.
_SAME_FOLLOWER = 0.5
# Share of the smaller document's vocabulary two documents hold in common above which
# they are taken for copies of one story (simulated corpora: 99.5% of same-story pairs
# are above 0.42, 99.9% of pairs from different stories below 0.47)
_SAME_STORY = 0.45


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str
    key: str  # the line for comparison across documents (see _line_key)


def _line_key(text: str, own: str) -> str:
    """A site's footer names the site ("Contact the Foxley Sentinel newsroom."): the
    document's own outlet name (``own``, normalized, no leading "the") is masked, so the
    same template under different outlets is one recurring line."""
    key = _normalize(text)
    if own and own in key:
        key = key.replace(own, "<outlet>").replace("the <outlet>", "<outlet>")
    return key


def _normalize(line: str) -> str:
    return " ".join(line.casefold().split()).strip(" .,:;!?-–—|•·\"'“”‘’()[]")


def _lines(text: str, outlet: str | None = None) -> list[_Line]:
    """Non-empty lines with their spans, surrounding whitespace excluded."""
    out: list[_Line] = []
    own = _normalize(outlet or "")
    own = own[4:] if own.startswith("the ") else own
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            key = _line_key(stripped, own)
            out.append(_Line(pos + lead, pos + lead + len(stripped), stripped, key))
        pos += len(raw) + 1
    return out


def chrome_shaped(line: str) -> bool:
    """A line that is not a sentence: a few words and no terminal punctuation.

    >>> chrome_shaped("Subscribe Now")
    True
    >>> chrome_shaped("Two runners crossed the line together.")
    False
    """
    words = line.split()
    if not 1 <= len(words) <= _MAX_CHROME_WORDS or not any(c.isalpha() for c in line):
        return False
    tail = line.rstrip().rstrip(_CLOSERS)
    return not tail or tail[-1] not in _SENTENCE_END


def merge_spans(spans: Iterable[tuple[int, int]], text: str = "") -> tuple[tuple[int, int], ...]:
    """Sorted spans with overlaps merged; with ``text``, also across whitespace-only gaps.

    >>> merge_spans([(10, 12), (0, 3), (2, 5)])
    ((0, 5), (10, 12))
    >>> merge_spans([(0, 3), (4, 6)], "abc def")
    ((0, 6),)
    """
    out: list[tuple[int, int]] = []
    for start, end in sorted((s, e) for s, e in spans if e > s):
        if out and (start <= out[-1][1] or (text and not text[out[-1][1] : start].strip())):
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return tuple(out)


def _capital_runs(line: str) -> set[tuple[str, ...]]:
    """Every run of two or more consecutive capitalized words in ``line``."""
    grams: set[tuple[str, ...]] = set()
    run: list[str] = []
    for token in [*line.split(), ""]:
        word = token.strip(".,:;!?\"'“”‘’()[]|•")
        if word and word[0].isupper():
            run.append(word)
            continue
        for i in range(len(run)):
            for j in range(i + 2, len(run) + 1):
                grams.add(tuple(run[i:j]))
        run = []
    return grams


def find_host(chrome_lines: Sequence[str], outlet: str | None = None) -> str | None:
    """A capitalized multi-word name found inside two or more different chrome lines.

    The most widespread wins, then the longest, then the first seen. The page's
    ``outlet`` (from metadata) wins when the chrome names it, even in part: the words
    two outlets' names share are no host of their own ("News Service" from "Copyright
    Millbrook News Service" and "First reported by Eastmoor News Service").

    >>> find_host(["Watch Metro Daily", "Open Metro Daily App", "Continue"])
    'Metro Daily'
    >>> find_host(["Read More", "Read More"]) is None
    True
    >>> lines = ["Copyright 2024 The Greyhaven Post.", "First reported by The Greyhaven Journal."]
    >>> find_host(lines + ["The Greyhaven Post"])
    'The Greyhaven'
    >>> find_host(lines + ["The Greyhaven Post"], outlet="The Greyhaven Post")
    'The Greyhaven Post'
    """
    count: Counter[tuple[str, ...]] = Counter()
    first: dict[tuple[str, ...], int] = {}
    for i, line in enumerate(dict.fromkeys(_normalize_spacing(x) for x in chrome_lines)):
        for gram in _capital_runs(line):
            count[gram] += 1
            first.setdefault(gram, i)
    best = [g for g, n in count.items() if n >= 2]
    if not best:
        return None
    best.sort(key=lambda g: (-count[g], -len(g), first[g]))
    host = best[0]
    if outlet:
        own = tuple(w.casefold() for w in outlet.split())
        folded = tuple(w.casefold() for w in host)
        if any(own[k : k + len(folded)] == folded for k in range(len(own) - len(folded) + 1)):
            return outlet
    return " ".join(host)


def _normalize_spacing(line: str) -> str:
    return " ".join(line.split())


def _edge_runs(lines: list[_Line]) -> tuple[int, int]:
    """(top, bottom): lines[:top] and lines[bottom:] are the chrome runs at the edges."""
    shaped = [chrome_shaped(line.text) for line in lines]
    top = 0
    while top < len(lines) and shaped[top]:
        top += 1
    if top == len(lines):
        return top, 0
    # From the end: a few sentence-like lines may sit between a chrome run and the edge.
    bottom = len(lines)
    tail = 0
    while (
        tail < _MAX_TAIL_LINES
        and bottom - tail > top
        and not shaped[bottom - tail - 1]
        and len(lines[bottom - tail - 1].text.split()) <= _MAX_TAIL_WORDS
    ):
        tail += 1
    for extra in range(tail, -1, -1):
        run_end = bottom - extra
        run_start = run_end
        while run_start > top and shaped[run_start - 1]:
            run_start -= 1
        run = run_end - run_start
        if (extra == 0 and run >= 1) or (extra > 0 and run >= _MIN_RUN_FOR_TAIL):
            return top, run_start
    return top, len(lines)


def mark_boilerplate(docs: Sequence[Document], *, min_docs: int = 2) -> list[Document]:
    """The same documents, in order, with chrome spans, ``host_outlet``, ``outlet`` and
    ``dateline_span`` set: the text stage every analysis runs (idempotent).

    Spans already on a document (a date line found by ingest) are kept and merged.

    A document's lines are split again by each pass that reads them, not kept: kept for
    every document they took about 11 KB a document (each line's text and key, twice the
    text, and an object a line: 1.1 GB at 100k; docs/BENCHMARKS.md, round s23mem), and
    splitting is a fifth of this function's time.
    """

    def lines_of(k: int) -> list[_Line]:
        return _lines(docs[k].text, docs[k].outlet)

    # the recurrence tests compare each line with its first occurrence: "first" is taken
    # in an order of the documents' content, so neither ids nor input order change it
    order = sorted(range(len(docs)), key=lambda k: docs[k].content_key)
    by_content = Lazy(len(order), lambda i: lines_of(order[i]))  # split when read
    recurring = _recurring(by_content, min_docs=min_docs)
    recurring.update(dict.fromkeys(_edge_sentences(by_content, min_docs=min_docs), True))
    return [_mark(doc, lines_of(k), recurring) for k, doc in enumerate(docs)]


def _recurring(per_doc: Sequence[list[_Line]], *, min_docs: int) -> dict[str, bool]:
    """Short lines found in ``min_docs`` documents or more -> whether the text right
    below them differs between documents (chrome above different articles, rather
    than a headline shared by copies of one story, which may be lightly edited)."""
    docs_with: defaultdict[str, set[int]] = defaultdict(set)
    below: dict[str, frozenset[str]] = {}
    differs: defaultdict[str, bool] = defaultdict(bool)
    for i, lines in enumerate(per_doc):
        for j, line in enumerate(lines):
            key = line.key
            if not key or not chrome_shaped(line.text):
                continue
            docs_with[key].add(i)
            nxt = frozenset(lines[j + 1].key.split()) if j + 1 < len(lines) else frozenset()
            first = below.setdefault(key, nxt)
            if _jaccard(first, nxt) < _SAME_FOLLOWER:
                differs[key] = True
    need = max(min_docs, 2)
    return {k: differs[k] for k, ds in docs_with.items() if len(ds) >= need}


def _edge_sentences(per_doc: Sequence[list[_Line]], *, min_docs: int) -> set[str]:
    """Short sentences that recur at the edges of different articles: site footers and
    headers ("This article may not be republished ..."), as opposed to a sentence that
    copies of one story share.

    A document's edge block is its longest run of first (or last) lines that are each
    chrome-shaped or a short line recurring in ``min_docs`` documents. A recurring
    sentence in such blocks is chrome when the article line next to the block differs
    between its occurrences and the two documents share little vocabulary: the same
    footer under different stories. A sentence copied with its story has the same
    article text next to it in every copy, or at least the same story around it.
    """
    count: Counter[str] = Counter()
    for lines in per_doc:
        for key in {ln.key for ln in lines if len(ln.text.split()) <= _MAX_FOOTER_WORDS}:
            count[key] += 1
    need = max(min_docs, 2)

    def edgy(ln: _Line) -> bool:
        return chrome_shaped(ln.text) or count.get(ln.key, 0) >= need

    beside: defaultdict[str, list[tuple[frozenset[str], int]]] = defaultdict(list)
    # each document's lines between its edge blocks: [top, bottom), two arrays, not a
    # dict of tuples of every document
    body = np.zeros((len(per_doc), 2), dtype=np.int64)
    vocab: dict[int, frozenset[str]] = {}
    for d, lines in enumerate(per_doc):
        if len(lines) < 2:
            continue
        top = 0
        while top < len(lines) - 1 and edgy(lines[top]):
            top += 1
        bottom = len(lines)
        while bottom > top + 1 and edgy(lines[bottom - 1]):
            bottom -= 1
        body[d] = top, bottom
        for block, article in ((lines[:top], lines[top]), (lines[bottom:], lines[bottom - 1])):
            words = frozenset(article.key.split())
            for ln in block:
                if not chrome_shaped(ln.text) and count.get(ln.key, 0) >= need:
                    beside[ln.key].append((words, d))

    def words_of(d: int) -> frozenset[str]:  # the article's words, between the blocks
        if d not in vocab:
            top, bottom = body[d].tolist()
            vocab[d] = frozenset(w for ln in per_doc[d][top:bottom] for w in ln.key.split())
        return vocab[d]

    def other_story(d: int, e: int) -> bool:
        # a copy whose next paragraph was dropped or rewritten still shares most of its
        # words with the other copies; a footer's other pages are other stories
        a, b = words_of(d), words_of(e)
        return len(a & b) < _SAME_STORY * min(len(a), len(b))

    out = set()
    for key, neighbours in beside.items():
        first, d0 = neighbours[0]
        if any(
            _jaccard(first, other) < _SAME_FOLLOWER and other_story(d0, d)
            for other, d in neighbours[1:]
        ):
            out.add(key)
    return out


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return 1.0 if not (a or b) else len(a & b) / len(a | b)


def dateline_span(doc: Document) -> tuple[int, int] | None:
    """Where the dateline's outlet name, "(NAME)", stands near the top of the text."""
    if not doc.dateline_outlet:
        return None
    i = doc.text.find(f"({doc.dateline_outlet})", 0, 400)
    return None if i < 0 else (i, i + len(doc.dateline_outlet) + 2)


def _mark(doc: Document, lines: list[_Line], recurring: dict[str, bool]) -> Document:
    if doc.dateline_span is None and doc.dateline_outlet:
        doc = replace(doc, dateline_span=dateline_span(doc))
    if not lines:
        return doc
    top, bottom = _edge_runs(lines)
    chrome = set(range(top)) | set(range(bottom, len(lines)))
    chrome |= {i for i, line in enumerate(lines) if line.key in recurring}

    # The headline is article text unless there is evidence beyond its shape.
    title_line = None
    if len(chrome) < len(lines):
        title = guess_title(doc.text, skip=doc.boilerplate)
        if title is not None:
            title_line = next(
                (
                    i
                    for i, ln in enumerate(lines)
                    if _normalize_spacing(ln.text.lstrip("#")) == title
                ),
                None,
            )
    host = find_host([lines[i].text for i in sorted(chrome)], doc.outlet)
    if title_line is not None and title_line in chrome:
        line = lines[title_line]
        named = host is not None and host in _normalize_spacing(line.text)
        if not (named or recurring.get(line.key, False)):
            chrome.discard(title_line)

    spans = merge_spans(
        [*doc.boilerplate, *((lines[i].start, lines[i].end) for i in chrome)], doc.text
    )
    host_outlet = host or doc.host_outlet
    outlet = doc.outlet
    if outlet is None or outlet == doc.dateline_outlet:
        outlet = host_outlet or doc.dateline_outlet
    title = doc.title
    if title is not None and any(_normalize_spacing(lines[i].text) == title for i in chrome):
        title = guess_title(doc.text, skip=spans)
    return replace(doc, boilerplate=spans, host_outlet=host_outlet, outlet=outlet, title=title)
