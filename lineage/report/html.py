"""The HTML report: a small offline site over one Analysis.

Layout of a report folder (every name built from ids goes through ``safe_name``)::

    index.html            every story in one searchable, sortable table; how to read it
    documents.html        every document, searchable; outlets.html: who copies whom
    glossary.html         the numbers in plain words
    report.css report.js  copied next to the pages (the CSP forbids inline scripts)
    lineage.svg .png      who copied whom, heatmap.svg .png: small corpora only
    stories/story-NNNN.html   one page per story: diagram (every node), heatmap, tables
    docs/<id>.html        one page per document: where its text comes from, colour-coded
    pairs/<a>__<b>.html   two texts side by side: every derivation and the strongest pairs

Work is linear in the corpus: indexes are built once (``Lookups``), each story, document
and pair page reads only its own records, and each page is written once.

Article text reaches the page only as Jinja-escaped strings: highlighted text is a
list of ``Segment`` (text, classes) that the template renders, never markup built here.
The story diagrams are SVG built in ``diagram.lineage_svg``, which escapes every string.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import accumulate, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lineage.files import OutputDir, output_dir, safe_name
from lineage.parallel import fork_map, gc_paused, worker_count
from lineage.report._common import (
    META_MAX,
    Lookups,
    cap,
    date_str,
    display_title,
    doc_sort_key,
    lineage_order,
    outlet_of,
)
from lineage.report.quotes_panel import QuotePanels
from lineage.text import _SPLIT as _WORD_SPLIT  # WORD_RE captured: gap, word, ..., gap
from lineage.text import WORD_RE, normalize_word

if TYPE_CHECKING:
    from jinja2 import Environment
    from markupsafe import Markup

    from lineage.model import Analysis, Document, Edge, Pair, Passage

__all__ = ["Segment", "pair_filename", "passage_segments", "render_segments", "write_reports"]

CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; base-uri 'none'; form-action 'none'"
)
# Pictures: a diagram stays legible to about this many boxes; a heatmap to this many rows.
DIAGRAM_MAX_DOCS = 40
HEATMAP_MAX_DOCS = 60
# Story pages: a heatmap (an HTML table) up to this many documents; above this many
# the diagram also gets a scaled-down overview beside its scrolling full-size view.
STORY_HEATMAP_MAX = 40
STORY_OVERVIEW_MIN = 40
# Side-by-side pair pages by default (``max_pages``). Each holds both texts (12 KB on
# the simulated corpus): one per derivation made them 16 of its 48 MB (2026-12-02).
PAIR_PAGES = 100
# Bounded lists: each says "… and N more" where it is cut.
OUTLET_ROWS_MAX = 500
SINGLE_ROWS_MAX = 200
DOCUMENT_ROWS_MAX = 20_000  # documents.html: past this a browser struggles with one table
DUPLICATE_NAMES_MAX = 12
PAIR_ROWS_MAX = 300
STORY_PAIR_ROWS_MAX = 15  # the heatmap shows every pair's shares
SKIPPED_ROWS_MAX = 200
PALETTE_SIZE = 8
DOC_SOURCES_MAX = PALETTE_SIZE  # a document page lists one colour each along the text
PARALLEL_PAGES = 500  # pages above which they are written by a worker pool
PARALLEL_PICTURES = 4  # pictures above which they are drawn by a worker pool


# -- text segments -------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """A run of a document's text with the classes it is drawn with."""

    text: str
    cls: str = ""
    k: int | None = None  # passage number (1-based) when inside a passage
    anchor: str | None = None  # set on a passage's first segment: "a-p3"
    target: str | None = None  # the counterpart's anchor: "b-p3"
    label: str = ""  # what the passage marker says


@lru_cache(maxsize=1 << 16)
def _normalize(word: str) -> str:
    # the pipeline's own comparison key, so "changed" means what it means in alignment
    return normalize_word(word)


def _tokens(text: str) -> tuple[list[str], list[int], list[int]]:
    """Normalized words with character offsets.

    Note: a regex with a cached ``lineage.text.normalize_word`` rather than the full
    ``lineage.text.tokenize``, whose hashes and masks cost 25 s over a 9,000-page report.
    """
    words, starts, ends = [], [], []
    for m in WORD_RE.finditer(text):
        words.append(_normalize(m.group()))
        starts.append(m.start())
        ends.append(m.end())
    return words, starts, ends


def changed_spans(a_text: str, b_text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Character spans of the words that differ between two sides of one passage.

    A word diff (rapidfuzz Indel opcodes over token lists, not characters), so a
    changed word is marked whole and punctuation or case alone is not a change.
    """
    from rapidfuzz.distance import Indel

    aw, as_, ae = _tokens(a_text)
    bw, bs, be = _tokens(b_text)
    a_out: list[tuple[int, int]] = []
    b_out: list[tuple[int, int]] = []
    for op in Indel.opcodes(aw, bw):
        if op.tag == "equal":
            continue
        if op.src_end > op.src_start:
            a_out.append((as_[op.src_start], ae[op.src_end - 1]))
        if op.dest_end > op.dest_start:
            b_out.append((bs[op.dest_start], be[op.dest_end - 1]))
    return a_out, b_out


def _changed_from_ops(
    s: Passage, a_text: str, b_text: str
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]] | None:
    """:func:`changed_spans` read from the passage's own edit script (``Passage.ops``,
    word indices from alignment), so the report does not diff the words again.

    None when there is no script, or when the words of the slices (``WORD_RE``) are not
    the ones the script counts (the pipeline's tokenizer also joins a word around an
    invisible character): the caller then diffs. Note: re-diffing every passage was the
    largest cost of a pair page (a third of the report's CPU at 10,000 documents).
    """
    if not s.ops:
        return None
    if all(op[0] == "equal" for op in s.ops):
        return [], []  # the same words on both sides: nothing to mark, nothing to read
    a_at = _word_bounds(a_text)
    b_at = _word_bounds(b_text)
    if len(a_at) // 2 != s.a_tok[1] - s.a_tok[0] or len(b_at) // 2 != s.b_tok[1] - s.b_tok[0]:
        return None
    return _script_spans(s.ops, a_at, 0), _script_spans(s.ops, b_at, 1)


def _script_spans(
    ops: Sequence[tuple[str, int, int, int, int]], at: list[int], side: int
) -> list[tuple[int, int]]:
    """The character spans, by word bounds ``at`` (:func:`_word_bounds`), of the words the
    edit script ``ops`` changes on one side (0: a, 1: b)."""
    out: list[tuple[int, int]] = []
    for tag, a0, a1, b0, b1 in ops:
        lo, hi = (a0, a1) if side == 0 else (b0, b1)
        if tag != "equal" and hi > lo:
            out.append((at[2 * lo], at[2 * hi - 1]))
    return out


def _word_bounds(text: str) -> list[int]:
    """Word k of ``text`` (``WORD_RE``) spans ``at[2k]:at[2k + 1]``; ``len(at) // 2``
    words. The running sum of one ``re.split``'s piece lengths: no match object per word
    (``finditer`` and ``span`` were most of reading an edit script)."""
    at = list(accumulate(map(len, _WORD_SPLIT.split(text))))
    at.pop()  # the end of the last gap: the text's length
    return at


def passage_segments(
    text: str,
    passages: Sequence[tuple[int, int, int, bool]],
    *,
    changed: Iterable[tuple[int, int]] = (),
    boilerplate: Iterable[tuple[int, int]] = (),
    side: str = "a",
    other: str = "b",
) -> list[Segment]:
    """Cut ``text`` into segments at every passage, change and boilerplate boundary.

    ``passages`` are (start, end, k, quoted) in characters. Overlapping passages on one
    side are drawn as the lower-numbered one; every passage still gets its anchor.
    """
    n = len(text)
    events: dict[int, list[tuple[str, int, Any]]] = defaultdict(list)
    points = {0, n}

    def add(kind: str, start: int, end: int, payload: Any = None) -> None:
        start, end = max(0, min(n, start)), max(0, min(n, end))
        if end <= start:
            return
        points.update((start, end))
        events[start].append((kind, +1, payload))
        events[end].append((kind, -1, payload))

    quoted_k: dict[int, bool] = {}
    first_start: dict[int, int] = {}
    for start, end, k, quoted in passages:
        add("p", start, end, k)
        quoted_k[k] = quoted
        first_start.setdefault(k, max(0, min(n, start)))
    for start, end in changed:
        add("c", start, end)
    for start, end in boilerplate:
        add("b", start, end)
    # which passages begin (their anchor) at each cut
    starts_at: dict[int, list[int]] = defaultdict(list)
    for k, x in first_start.items():
        starts_at[x].append(k)
    active_p: dict[int, int] = defaultdict(int)
    counts = {"c": 0, "b": 0}
    anchored: set[int] = set()
    classes_of: dict[tuple[int | None, bool, bool], str] = {}
    out: list[Segment] = []
    # neighbours drawn alike are one segment (keeps pages small): the pending run of
    # text from ``run_x``, written out when the drawing changes or an anchor comes
    run_x: int | None = None
    run_cls = ""
    run_k: int | None = None
    cuts = sorted(points)
    for x in cuts[:-1]:
        for kind, delta, payload in events.get(x, ()):
            if kind == "p":
                active_p[payload] += delta
                if active_p[payload] == 0:
                    del active_p[payload]
            else:
                counts[kind] += delta
        # a passage that starts inside a lower-numbered one still needs its anchor
        new = starts_at.get(x)
        if new:
            for k in sorted(k for k in new if k in active_p and k not in anchored):
                if run_x is not None:
                    out.append(Segment(text[run_x:x], run_cls, run_k))
                    run_x = None
                anchored.add(k)
                mark = f"pm c{(k - 1) % PALETTE_SIZE}" + (" q" if quoted_k[k] else "")
                out.append(Segment("", mark, k, f"{side}-p{k}", f"{other}-p{k}", f"{k}"))
        k_here = min(active_p) if active_p else None
        key = (k_here, counts["c"] > 0, counts["b"] > 0)
        cls = classes_of.get(key)
        if cls is None:
            classes = []
            if k_here is not None:
                classes.append(f"p c{(k_here - 1) % PALETTE_SIZE}")
                if quoted_k[k_here]:
                    classes.append("q")
                if key[1]:
                    classes.append("chg")
            if key[2]:
                classes.append("bp")
            cls = classes_of[key] = " ".join(classes)
        if run_x is not None and cls == run_cls and k_here == run_k:
            continue
        if run_x is not None:
            out.append(Segment(text[run_x:x], run_cls, run_k))
        run_x, run_cls, run_k = x, cls, k_here
    if run_x is not None:
        out.append(Segment(text[run_x : cuts[-1]], run_cls, run_k))
    return out


def _text_escape(text: str) -> str:
    # a text node needs &, < and > escaped; " too, so that no article text ever looks
    # like an attribute to a tool that greps the page. Apostrophes are left as they are:
    # markupsafe's &#39; for each one bought nothing in a text node
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    )


def render_segments(segments: Sequence[Segment], *, linked: bool = True) -> Markup:
    """The segments of :func:`passage_segments` as HTML, every text escaped.

    A passage is one ``<span class="p cN" data-p="k">`` (``linked``: the pair page's
    script finds both sides by ``data-p``); its changed words and page chrome are
    spans inside it, not new passage spans. Its marker is ``<a class="pm cN" id=...
    href=...>k</a>``. Built here rather than in the template: one string join instead
    of a macro call per segment (the text was most of a pair page's rendering time).
    """
    from markupsafe import Markup

    out: list[str] = []
    open_k: int | None = None
    open_cls = ""
    for s in segments:
        if s.anchor:
            if open_k is not None:
                out.append("</span>")
                open_k = None
            out.append(f'<a class="{s.cls}" id="{s.anchor}" href="#{s.target}">{s.label}</a>')
            continue
        text = _text_escape(s.text)
        if s.k is None:
            if open_k is not None:
                out.append("</span>")
                open_k = None
            out.append(f'<span class="{s.cls}">{text}</span>' if s.cls else text)
            continue
        classes = s.cls.split()
        base = " ".join(c for c in classes if c not in ("chg", "bp"))
        inner = " ".join(c for c in classes if c in ("chg", "bp"))
        if open_k != s.k or open_cls != base:
            if open_k is not None:
                out.append("</span>")
            data = f' data-p="{s.k}"' if linked else ""
            out.append(f'<span class="{base}"{data}>')
            open_k, open_cls = s.k, base
        out.append(f'<span class="{inner}">{text}</span>' if inner else text)
    if open_k is not None:
        out.append("</span>")
    return Markup("".join(out))


# -- views ---------------------------------------------------------------------------
def pct(v: float | None) -> str:
    if v is None:
        return "–"
    r = round(v * 100)
    if r == 0 and v > 0:
        return "<1%"
    return f"{r}%"


def _unique_files(items: Iterable[tuple[Any, str]], folder: str) -> dict[Any, str]:
    """``key -> folder/stem.html`` with stems made unique case-insensitively, in order."""
    out: dict[Any, str] = {}
    used: set[str] = set()
    for key, stem in items:
        name, k = stem, 2
        while name.lower() in used:
            name, k = f"{stem}-{k}", k + 1
        used.add(name.lower())
        out[key] = f"{folder}/{name}.html"
    return out


def http_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address a reader may follow, else None."""
    if not url:
        return None
    u = url.strip()
    if not _HTTP.match(u) or any(ch.isspace() or ord(ch) < 32 for ch in u) or len(u) > 2000:
        return None
    return u


_ID_WORD = re.compile(r"[\w.~/-]+")
_HTTP = re.compile(r"^https?://[^\s/?#]+", re.IGNORECASE)


@dataclass
class _Corpus:
    """Lookups over one Analysis, built once (Analysis' own lookups are linear scans)."""

    analysis: Analysis
    max_pages: int | None = None
    lk: Lookups = field(init=False)
    docs: dict[str, Document] = field(init=False)
    short: dict[str, str] = field(init=False)
    pairs_of: dict[str, list[Pair]] = field(init=False)
    pair_at: dict[tuple[str, str], Pair] = field(init=False)
    parent_edge: dict[str, Edge] = field(init=False)
    child_count: dict[str, int] = field(init=False)
    origin: dict[str, Any] = field(init=False)
    pair_files: dict[tuple[str, str], str] = field(init=False)
    doc_files: dict[str, str] = field(init=False)
    story_of: dict[str, int] = field(init=False)  # doc id -> story number (multi only)
    story_files: dict[int, str] = field(init=False)
    long_fields: bool = field(init=False)

    def __post_init__(self) -> None:
        a = self.analysis
        self.lk = Lookups(a)
        self.docs = self.lk.docs
        self.short = {i: cap(s, 60) for i, s in self.lk.short.items()}
        self._long = {i: s for i, s in self.short.items() if s != i}
        self._words: dict[str, int] = {}
        self._rows: dict[str, dict[str, Any]] = {}  # _doc_row's, made once a document
        self._edge_rows: dict[int, dict[str, Any]] = {}  # _edge_row's, once an edge
        self._who: dict[str, str] = {}
        self.pairs_of = self.lk.pairs_of
        self.pair_at = {}
        for p in a.pairs:
            if p.a in self.docs and p.b in self.docs:
                self.pair_at[(p.a, p.b)] = p
                self.pair_at[(p.b, p.a)] = p
        self.parent_edge = self.lk.parent_edge
        self.child_count = defaultdict(int)
        for e in a.edges:
            if e.child in self.docs and e.parent in self.docs:
                self.child_count[e.parent] += 1
        self.origin = {o.id: o for o in a.origins}
        self.pair_files = _unique_files(
            (((p.a, p.b), f"{safe_name(p.a)}__{safe_name(p.b)}") for p in self._paged_pairs()),
            "pairs",
        )
        self.doc_files = _unique_files(((i, safe_name(i)) for i in sorted(self.docs)), "docs")
        self.story_of = {}
        self.story_files = {}
        self.long_fields = any(
            len(x) > META_MAX
            for d in a.documents
            for x in (d.id, d.title or "", d.outlet or "", d.path or "", d.url or "")
        )

    def _paged_pairs(self) -> list[Pair]:
        """The pairs that get a side-by-side page, ``max_pages`` of them (None:
        ``PAIR_PAGES``): derivations first, taken story by story in turns -- the surest
        derivation of every story, largest story first, then the second surest of every
        story, ... -- so a cap reaches every story before any story gets a second page,
        and the largest stories first; then the strongest
        other pairs. Sorted by ids so page names do not depend on the cap."""
        story = {d: n for n, ids in enumerate(self.analysis.stories) for d in ids}
        size = [len(ids) for ids in self.analysis.stories]
        edge_pairs: dict[tuple[str, str], float] = {}
        for e in self.analysis.edges:
            p = self.pair_at.get((e.parent, e.child))
            if p is not None and p.passages:
                key = (p.a, p.b)
                edge_pairs[key] = max(edge_pairs.get(key, 0.0), e.confidence)
        with_text = [p for p in self.analysis.pairs if p.passages and p.a in self.docs
                     and p.b in self.docs]  # fmt: skip
        surest = sorted(
            (p for p in with_text if (p.a, p.b) in edge_pairs),
            key=lambda p: (-edge_pairs[(p.a, p.b)], p.a, p.b),
        )
        turn: dict[int, int] = defaultdict(int)  # story -> its derivations ranked so far
        ranked = []
        for p in surest:
            k = story.get(p.a, -1)
            # in each turn the largest stories first, as the index lists them
            ranked.append(
                (turn[k], -(size[k] if k >= 0 else 0), -edge_pairs[(p.a, p.b)], p.a, p.b, p)
            )
            turn[k] += 1
        first = [r[-1] for r in sorted(ranked, key=lambda r: r[:5])]
        rest = sorted((p for p in with_text if (p.a, p.b) not in edge_pairs), key=_pair_strength)
        limit = PAIR_PAGES if self.max_pages is None else self.max_pages
        chosen = (first + rest)[: max(0, limit)]
        return sorted(chosen, key=lambda p: (p.a, p.b))

    def who(self, doc_id: str) -> str:
        # asked for 12 times a document on average (every table row, edge and page that
        # names it): made once
        got = self._who.get(doc_id)
        if got is None:
            d = self.docs.get(doc_id)
            outlet = cap(outlet_of(d), 60) if d else None
            name = self.short.get(doc_id) or cap(doc_id, 60)
            got = self._who[doc_id] = f"{name} ({outlet})" if outlet else name
        return got

    def shorten(self, text: str) -> str:
        """Evidence reads better with the short ids the tables use.

        Note: each id-like word is looked up, rather than each id searched for in the
        text, which would cost (ids x evidence): the square of the corpus.
        """
        if self._long:
            text = _ID_WORD.sub(lambda m: self._long.get(m.group(), m.group()), text)
        return cap(text, 600)

    def pair_href(self, p: Pair) -> str | None:
        return self.pair_files.get((p.a, p.b))

    def doc_href(self, doc_id: str) -> str:
        return self.doc_files[doc_id]

    def story_href(self, doc_id: str) -> str | None:
        k = self.story_of.get(doc_id)
        return None if k is None else self.story_files[k]

    def words(self, doc: Document) -> int:
        wc = self.analysis.word_counts.get(doc.id)
        if wc:
            return wc[0]
        n = self._words.get(doc.id)
        if n is None:  # no counts from the pipeline (a hand-made Analysis): count once
            n = self._words[doc.id] = len(WORD_RE.findall(doc.text))
        return n


def pair_filename(a: str, b: str) -> str:
    """Where the page of pair (a, b) goes, relative to the report folder."""
    return f"pairs/{safe_name(a)}__{safe_name(b)}.html"


def _stories(c: _Corpus) -> list[list[str]]:
    """Stories largest first, each in lineage order; every document in exactly one."""
    a = c.analysis
    groups: list[list[str]] = []
    seen: set[str] = set()
    for story in a.stories:
        g = [i for i in dict.fromkeys(story) if i in c.docs and i not in seen]
        seen.update(g)
        if g:
            groups.append(g)
    rest = [d for d in c.docs if d not in seen]
    if rest:
        # no stories from the pipeline (or some left out): connected components
        from lineage.pipeline import group_stories

        inside = set(rest)
        pairs = [p for p in a.pairs if p.a in inside and p.b in inside]
        groups.extend(list(g) for g in group_stories(rest, pairs))
    # each story ordered from its own edges only (Lookups): linear in the corpus
    ordered = [lineage_order(a, g, lookups=c.lk) for g in groups]
    ordered.sort(key=lambda g: (-len(g), doc_sort_key(c.docs[g[0]])))
    return ordered


def _doc_row(c: _Corpus, doc_id: str, root: str = "") -> dict[str, Any]:
    """A document's row in a table, its links relative to ``root``: a new dict each
    call (callers add to it), made from one computed once a document (a row is asked
    for four times: the index's story, the story page, documents.html, its own page)."""
    base = c._rows.get(doc_id)
    if base is None:
        base = c._rows[doc_id] = _doc_row_of(c, doc_id)
    if not root:
        return dict(base)
    story = base["story_href"]
    return {**base, "href": root + base["href"], "story_href": root + story if story else None}


def _doc_row_of(c: _Corpus, doc_id: str) -> dict[str, Any]:
    d = c.docs[doc_id]
    e = c.parent_edge.get(doc_id)
    reused = ""
    if e is not None:
        p = c.pair_at.get((doc_id, e.parent))
        share = p.share(doc_id) if p else None
        reused = (
            f"{pct(share)} from {c.who(e.parent)}"
            if share is not None
            else (f"from {c.who(e.parent)}")
        )
    else:
        best = max(
            c.pairs_of.get(doc_id, []),
            key=lambda p: (p.share(doc_id), p.other(doc_id)),
            default=None,
        )
        if best is not None and best.share(doc_id) > 0:
            reused = f"{pct(best.share(doc_id))} shared with {c.who(best.other(doc_id))}"
    o = c.origin.get(doc_id)
    kids = c.child_count.get(doc_id, 0)
    if e is not None:
        role = "copy"
    elif o is not None:
        role = o.kind
    else:
        role = "source" if kids else ""
    if kids:
        role += f" · source of {kids}" if role != "source" else f" of {kids}"
    share_best = 0.0
    if e is not None:
        p = c.pair_at.get((doc_id, e.parent))
        share_best = p.share(doc_id) if p else 0.0
    story = c.story_href(doc_id)
    return {
        "id": cap(d.id),
        "short": c.short[d.id],
        "anchor": f"doc-{safe_name(d.id)}",
        "href": c.doc_href(doc_id),
        "story_href": story or None,
        "story": c.story_of.get(doc_id),
        "path": cap(d.path),
        "outlet": cap(outlet_of(d)),
        "date": date_str(d),
        "title": cap(d.title),
        "display_title": display_title(d),
        "words": c.words(d),
        "reused": reused,
        "bar": round(min(1.0, max(0.0, share_best)) * 100),
        "share_best": share_best,
        "role": role.strip(" ·"),
        "kind": "copy" if e is not None else (o.kind if o is not None else ""),
    }


def _edge_row(c: _Corpus, e: Edge, root: str = "") -> dict[str, Any]:
    """An edge as the templates show it, links relative to ``root``: computed once an
    edge (story views, both documents' pages and a pair page ask for it), a new dict
    each call; the lists in it are shared, and no template changes them."""
    base = c._edge_rows.get(id(e))
    if base is None:  # the Analysis holds every edge alive: id(e) stays its own
        base = c._edge_rows[id(e)] = _edge_row_of(c, e)
    if not root:
        return dict(base)
    href = base["href"]
    return {
        **base,
        "parent_href": root + base["parent_href"],
        "child_href": root + base["child_href"],
        "href": root + href if href else None,
    }


def _edge_row_of(c: _Corpus, e: Edge) -> dict[str, Any]:
    p = c.pair_at.get((e.parent, e.child))
    href = c.pair_href(p) if p else None
    return {
        "parent": c.who(e.parent),
        "parent_anchor": f"doc-{safe_name(e.parent)}",
        "parent_href": c.doc_href(e.parent),
        "child": c.who(e.child),
        "child_anchor": f"doc-{safe_name(e.child)}",
        "child_href": c.doc_href(e.child),
        "confidence": e.confidence,
        "conf_pct": round(max(0.0, min(1.0, e.confidence)) * 100),
        # grouped by the records' sign: what supports the edge, then what speaks against
        "evidence": [c.shorten(x.text) for x in e.evidence if x.sign == "for"],
        "evidence_against": [c.shorten(x.text) for x in e.evidence if x.sign == "against"],
        "alternatives": [
            {"who": c.who(alt.parent), "confidence": alt.confidence} for alt in e.alternatives
        ],
        "share": pct(p.share(e.child)) if p else "",
        "href": href or None,
    }


def _pair_row(c: _Corpus, p: Pair, root: str = "") -> dict[str, Any]:
    href = c.pair_href(p)
    return {
        "a": c.who(p.a),
        "b": c.who(p.b),
        "a_href": root + c.doc_href(p.a),
        "b_href": root + c.doc_href(p.b),
        "jaccard": p.jaccard,
        "a_in_b": p.a_in_b,
        "b_in_a": p.b_in_a,
        "passages": len(p.passages),
        "reused_words": p.reused_words,
        "href": root + href if href else None,
    }


def _pair_strength(p: Pair) -> tuple[float, str, str]:
    return (-max(p.a_in_b, p.b_in_a), p.a, p.b)


# -- rendering -----------------------------------------------------------------------
_DICT_ATTRIBUTES = frozenset(dir(dict))


@lru_cache(maxsize=1)
def _environment_class() -> type[Environment]:
    from jinja2 import Environment

    class _Env(Environment):
        """Jinja's environment, reading ``view.key`` of the page views (dicts) as the
        key at once. Jinja's own ``getattr`` tries the attribute first and falls back
        to the key on the AttributeError: an exception for every field a page prints
        (about 160 a document page). A name that is also a dict attribute (``items``)
        still goes Jinja's way, so every template reads what it read before."""

        def getattr(self, obj: Any, attribute: str) -> Any:
            if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
                try:
                    return obj[attribute]
                except KeyError:
                    pass
            return Environment.getattr(self, obj, attribute)

    return _Env


def _environment(c: _Corpus | None = None) -> Environment:
    from jinja2 import PackageLoader, StrictUndefined
    from markupsafe import Markup

    env = _environment_class()(
        loader=PackageLoader("lineage.report"),
        # templates compiled once and never checked again against their files: with
        # the default True every render stat()ed its template and each it extends or
        # imports (three a page)
        auto_reload=False,
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = pct
    env.filters["num"] = lambda v: f"{v:,}"
    env.filters["f2"] = lambda v: f"{v:.2f}"
    env.globals["csp"] = Markup(CSP)  # quotes as they are: 13 &#39; cost 52 bytes a page
    env.globals["meta_max"] = META_MAX
    env.globals["long_fields"] = bool(c is not None and c.long_fields)
    return env


class _Writer:
    """Writes under one folder only (through its :class:`OutputDir`), and remembers what
    it wrote."""

    def __init__(self, out: OutputDir) -> None:
        self.out = out
        self.written: list[Path] = []

    def text(self, rel: str, text: str) -> None:
        self.written.append(self.out.write_text(rel, text))

    def bytes(self, rel: str, data: bytes) -> None:
        self.written.append(self.out.write_bytes(rel, data))


def _static(name: str) -> bytes:
    return resources.files("lineage.report").joinpath(name).read_bytes()


def _doc_side(c: _Corpus, d: Document) -> dict[str, Any]:
    return {
        "id": cap(d.id),
        "short": c.short[d.id],
        "who": c.who(d.id),
        "outlet": cap(outlet_of(d)),
        "title": cap(d.title),
        "display_title": display_title(d),
        "path": cap(d.path),
        "date": date_str(d),
        "url": cap(d.url, 300) if d.url else "",
        "url_short": cap(d.url, 90) if d.url else "",
        "link": http_url(d.url),
        "words": c.words(d),
        "href": "../" + c.doc_href(d.id),
    }


def _pair_page(
    c: _Corpus, p: Pair, env: Environment, generated_at: str | None,
    nav: dict[str, Any] | None = None,
) -> str:  # fmt: skip
    da, db = c.docs[p.a], c.docs[p.b]
    ordered = sorted(p.passages, key=lambda s: (s.a_start, s.b_start, s.a_end))
    a_changed: list[tuple[int, int]] = []
    b_changed: list[tuple[int, int]] = []
    rows = []
    for k, s in enumerate(ordered, start=1):
        a_slice, b_slice = da.text[s.a_start : s.a_end], db.text[s.b_start : s.b_end]
        found = _changed_from_ops(s, a_slice, b_slice)
        ca, cb = found if found is not None else changed_spans(a_slice, b_slice)
        a_changed += [(s.a_start + x, s.a_start + y) for x, y in ca]
        b_changed += [(s.b_start + x, s.b_start + y) for x, y in cb]
        words = a_slice.split()
        rows.append(
            {
                "k": k,
                "c": (k - 1) % PALETTE_SIZE,
                "words": s.a_words,
                "similarity": s.similarity,
                "quoted": s.quoted,
                "quoted_words": s.a_quoted_words,  # per word (issue 15), not the majority flag
                "changed": len(ca) + len(cb),
                "start": " ".join(words[:9]) + (" …" if len(words) > 9 else ""),
            }
        )
    a_spans = [(s.a_start, s.a_end, k, s.quoted) for k, s in enumerate(ordered, start=1)]
    b_spans = [(s.b_start, s.b_end, k, s.quoted) for k, s in enumerate(ordered, start=1)]
    edge = None
    for child, parent in ((p.a, p.b), (p.b, p.a)):
        e = c.parent_edge.get(child)
        if e is not None and e.parent == parent:
            edge = _edge_row(c, e, "../")

    def side(d: Document, spans: Any, changed: Any, me: str, other: str, share: float) -> Any:
        return {
            **_doc_side(c, d),
            "share": share,
            "text_html": render_segments(
                passage_segments(
                    d.text,
                    spans,
                    changed=changed,
                    boilerplate=d.boilerplate,
                    side=me,
                    other=other,
                )
            ),
        }

    story = c.story_href(p.a) or c.story_href(p.b)
    return env.get_template("pair.html.j2").render(
        page_title=f"{c.who(p.a)} ↔ {c.who(p.b)}",
        root="../",
        generated_at=generated_at,
        pair=_pair_row(c, p, "../"),
        edge=edge,
        story_href="../" + story if story else None,
        nav=nav or {},
        passages=rows,
        quoted_count=sum(1 for s in ordered if s.quoted),
        a=side(da, a_spans, a_changed, "a", "b", p.a_in_b),
        b=side(db, b_spans, b_changed, "b", "a", p.b_in_a),
    )


def _changed_in(d: Document, other: Document, p: Pair) -> list[tuple[int, int]]:
    """The character spans of ``d``'s words that differ from ``other``'s in the
    passages of their pair ``p`` (from the passages' edit scripts, as a pair page)."""
    out: list[tuple[int, int]] = []
    mine_a = p.a == d.id
    for s in p.passages:
        a_doc, b_doc = (d, other) if mine_a else (other, d)
        a_slice, b_slice = a_doc.text[s.a_start : s.a_end], b_doc.text[s.b_start : s.b_end]
        found = _changed_one_side(s, a_slice, b_slice, mine_a=mine_a)
        if found is None:
            ca, cb = changed_spans(a_slice, b_slice)
            found = ca if mine_a else cb
        at = s.a_start if mine_a else s.b_start
        out += [(at + x, at + y) for x, y in found]
    return out


def _changed_one_side(
    s: Passage, a_text: str, b_text: str, *, mine_a: bool
) -> list[tuple[int, int]] | None:
    """One side of :func:`_changed_from_ops` (side a when ``mine_a``), None when that
    would be None. The other side's words are only counted (``findall``), not placed."""
    if not s.ops:
        return None
    if all(op[0] == "equal" for op in s.ops):
        return []
    at = _word_bounds(a_text if mine_a else b_text)
    n_mine = len(at) // 2
    n_other = len(WORD_RE.findall(b_text if mine_a else a_text))
    n_a, n_b = (n_mine, n_other) if mine_a else (n_other, n_mine)
    if n_a != s.a_tok[1] - s.a_tok[0] or n_b != s.b_tok[1] - s.b_tok[0]:
        return None
    return _script_spans(s.ops, at, 0 if mine_a else 1)


def _doc_page(c: _Corpus, doc_id: str, env: Environment, generated_at: str | None) -> str:
    """One document: where its text comes from, colour-coded along it, and its family."""
    d = c.docs[doc_id]
    root = "../"
    parent = c.parent_edge.get(doc_id)
    kids = {e.child for e in c.lk.edges_from.get(doc_id, ())}
    pairs = [p for p in c.pairs_of.get(doc_id, ()) if p.share(doc_id) > 0 or p.passages]
    # the parent first, then by how much of this text each document holds
    pairs.sort(
        key=lambda p: (
            not (parent is not None and p.other(doc_id) == parent.parent),
            -p.share(doc_id),
            p.other(doc_id),
        )
    )
    sources = []
    spans: list[tuple[int, int, int, bool]] = []
    changed: list[tuple[int, int]] = []
    for k, p in enumerate(pairs[:DOC_SOURCES_MAX], start=1):
        other = p.other(doc_id)
        if parent is not None and other == parent.parent:
            relation = "its source"
        elif other in kids:
            relation = "its copy"
        else:
            relation = "look-alike"
        drawn = k <= PALETTE_SIZE
        if drawn:
            for s in p.passages:
                if p.a == doc_id:
                    spans.append((s.a_start, s.a_end, k, s.quoted))
                else:
                    spans.append((s.b_start, s.b_end, k, s.quoted))
        if relation == "its source":
            # the words this copy changed from its source, marked as on a pair page: most
            # derivations have no pair page of their own (PAIR_PAGES)
            changed += _changed_in(d, c.docs[other], p)
        href = c.pair_href(p)
        sources.append(
            {
                "k": k,
                "c": (k - 1) % PALETTE_SIZE,
                "drawn": drawn,
                "who": c.who(other),
                "title": display_title(c.docs[other]),
                "doc_href": root + c.doc_href(other),
                "pair_href": root + href if href else None,
                "share": p.share(doc_id),
                "words": p.reused_words if p.a == doc_id else sum(s.b_words for s in p.passages),
                "relation": relation,
            }
        )
    segments = passage_segments(
        d.text, spans, changed=changed, boilerplate=d.boilerplate, side="t", other="s"
    )
    children = [_edge_row(c, e, root) for e in c.lk.edges_from.get(doc_id, ())]
    o = c.origin.get(doc_id)
    story = c.story_href(doc_id)
    return env.get_template("doc.html.j2").render(
        page_title=display_title(d),
        root=root,
        generated_at=generated_at,
        doc=_doc_side(c, d),
        row=_doc_row(c, doc_id, root),
        story_href=root + story if story else None,
        parent=_edge_row(c, parent, root) if parent is not None else None,
        origin=_origin(c, doc_id) if o is not None else None,
        children=children,
        sources=sources,
        more_sources=max(0, len(pairs) - DOC_SOURCES_MAX),
        text_html=render_segments(segments, linked=False),
    )


def _story_view(c: _Corpus, number: int, ids: list[str], edges: list[Edge],
                pairs: list[Pair], root: str) -> dict[str, Any]:  # fmt: skip
    """What a story shows, from its own documents, edges and pairs only."""
    rank = {d: r for r, d in enumerate(ids)}
    edges = sorted(edges, key=lambda e: (rank[e.child], e.parent))
    pairs = sorted(pairs, key=_pair_strength)
    root_doc = c.docs[ids[0]]
    docs = [_doc_row(c, i, root) for i in ids]
    words = sum(r["words"] for r in docs) or 1
    copied = sum(r["words"] * r["share_best"] for r in docs if r["kind"] == "copy")
    outlets = sorted({r["outlet"] for r in docs if r["outlet"]})
    dates = sorted(r["date"] for r in docs if r["date"])
    return {
        "number": number,
        "anchor": f"story-{number}",
        "href": root + c.story_files[number],
        "size": len(ids),
        "headline": display_title(root_doc),
        "root": c.who(root_doc.id),
        "root_href": root + c.doc_href(root_doc.id),
        "docs": docs,
        "first": dates[0] if dates else "",
        "last": dates[-1] if dates else "",
        "outlets": outlets,
        "reused": copied / words,
        "origins": [
            {
                "who": c.who(i),
                "anchor": f"doc-{safe_name(i)}",
                "href": root + c.doc_href(i),
                **_origin(c, i),
            }
            for i in ids
            if i in c.origin
        ],  # fmt: skip
        "edges": [_edge_row(c, e, root) for e in edges],
        "pairs": [_pair_row(c, p, root) for p in pairs[:STORY_PAIR_ROWS_MAX]],
        "more_pairs": max(0, len(pairs) - STORY_PAIR_ROWS_MAX),
    }


def _heatmap_rows(c: _Corpus, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The heatmap as table rows: cell (i, j) = share of i's words found in j."""
    pos = {d: k for k, d in enumerate(ids)}
    n = len(ids)
    grid: list[list[float | None]] = [[0.0] * n for _ in range(n)]
    for i in range(n):
        grid[i][i] = None
    for p in c.lk.pairs_within(ids):
        i, j = pos[p.a], pos[p.b]
        grid[i][j] = p.a_in_b
        grid[j][i] = p.b_in_a
    parent_col: dict[int, set[int]] = {}
    for e in c.lk.edges_within(ids):
        parent_col.setdefault(pos[e.child], set()).add(pos[e.parent])
    rows = []
    for i, d in enumerate(ids):
        cells = []
        for j, v in enumerate(grid[i]):
            if v is None:
                cells.append(("self", ""))
                continue
            r = round(v * 100)
            cls = f"h{min(10, round(v * 10))}" + (" edge" if j in parent_col.get(i, ()) else "")
            cells.append((cls, str(r) if r else "·"))
        rows.append({"who": c.short[d], "href": c.doc_href(d), "cells": cells})
    return rows


def _story_page(c: _Corpus, view: dict[str, Any], ids: list[str], env: Environment,
                generated_at: str | None, lookups: Lookups) -> tuple[str, str | None]:  # fmt: skip
    """The story's page and, for a large story, its diagram as a file for the overview."""
    from markupsafe import Markup

    from lineage.report.diagram import lineage_svg

    doc_href = {i: "../" + c.doc_href(i) for i in ids}
    pair_href = {}
    for e in lookups.edges_within(ids):
        p = c.pair_at.get((e.parent, e.child))
        if p is not None and (href := c.pair_href(p)):
            pair_href[(e.parent, e.child)] = "../" + href
    svg = lineage_svg(lookups, ids, doc_href=doc_href, pair_href=pair_href,
                      with_titles=len(ids) <= 40)  # fmt: skip
    large = len(ids) > STORY_OVERVIEW_MIN
    heat = _heatmap_rows(c, ids) if len(ids) <= STORY_HEATMAP_MAX else []
    html = env.get_template("story.html.j2").render(
        page_title=view["headline"],
        root="../",
        generated_at=generated_at,
        s=view,
        svg=Markup(svg),
        overview=(c.story_files[view["number"]][:-5] + ".svg").split("/")[-1] if large else None,
        heat=heat,
        heat_ids=[c.short[i] for i in ids] if heat else [],
        heat_max=STORY_HEATMAP_MAX,
    )
    return html, (svg if large else None)


def _outlet_view(c: _Corpus) -> dict[str, Any]:
    """Who copies whom, how much: outlet-to-outlet totals over the derivations."""
    flows: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    per: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for d in c.docs.values():
        o = outlet_of(d) or "unknown outlet"
        per[o]["documents"] += 1
        if c.origin.get(d.id) is not None and c.origin[d.id].kind == "original":
            per[o]["originals"] += 1
    for e in c.analysis.edges:
        if e.child not in c.docs or e.parent not in c.docs:
            continue
        src = outlet_of(c.docs[e.parent]) or "unknown outlet"
        dst = outlet_of(c.docs[e.child]) or "unknown outlet"
        p = c.pair_at.get((e.parent, e.child))
        words = c.words(c.docs[e.child]) * (p.share(e.child) if p else 0.0)
        f = flows[(src, dst)]
        f[0] += 1
        f[1] += words
        per[src]["copied_by_others"] += 1
        per[dst]["copies"] += 1
        per[dst]["words_copied"] += words
    flow_rows: list[dict[str, Any]] = [
        {"src": cap(s, 80), "dst": cap(t, 80), "n": int(v[0]), "words": round(v[1])}
        for (s, t), v in flows.items()
    ]
    flow_rows.sort(key=lambda r: (-r["n"], -r["words"], r["src"], r["dst"]))
    outlet_rows: list[dict[str, Any]] = [
        {
            "name": cap(o, 80),
            "documents": int(v["documents"]),
            "originals": int(v["originals"]),
            "copied_by_others": int(v["copied_by_others"]),
            "copies": int(v["copies"]),
            "words_copied": round(v["words_copied"]),
        }
        for o, v in per.items()
    ]
    outlet_rows.sort(key=lambda r: (-r["copied_by_others"], -r["documents"], r["name"]))
    return {
        "flows": flow_rows[:OUTLET_ROWS_MAX],
        "more_flows": max(0, len(flow_rows) - OUTLET_ROWS_MAX),
        "outlets": outlet_rows[:OUTLET_ROWS_MAX],
        "more_outlets": max(0, len(outlet_rows) - OUTLET_ROWS_MAX),
    }


def _duplicate_views(c: _Corpus) -> list[dict[str, Any]]:
    """``Analysis.duplicates`` (exact or near copies collapsed before pairing), if any."""
    out = []
    for g in getattr(c.analysis, "duplicates", ()) or ():
        rep = getattr(g, "representative", None)
        members = tuple(getattr(g, "members", ()) or ())
        if rep not in c.docs:
            continue
        out.append(
            {
                "count": len(members),
                "kind": "identical" if getattr(g, "kind", "exact") == "exact" else "near-identical",
                "title": display_title(c.docs[rep]),
                "rep": rep,
                "href": c.doc_href(rep),
                "members": [c.who(m) for m in members[:DUPLICATE_NAMES_MAX]],
                "more": max(0, len(members) - DUPLICATE_NAMES_MAX),
            }
        )
    out.sort(key=lambda v: (-v["count"], v["rep"]))
    return out


def write_reports(
    analysis: Analysis,
    out_dir: str | Path | OutputDir,
    *,
    generated_at: str | None = None,
    max_pages: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Path]:
    """Write the HTML report of ``analysis`` into ``out_dir``; return the files written.

    The report is a small site: ``index.html`` (every story, searchable and sortable),
    one page per story (``stories/``), per document (``docs/``) and per chosen pair
    (``pairs/``), plus ``documents.html``, ``outlets.html`` and ``glossary.html``.
    ``max_pages`` bounds the side-by-side pair pages: derivations first, then the
    strongest other pairs (default ``PAIR_PAGES``).
    Nothing in ``out_dir`` is deleted. Output is deterministic: no timestamp unless
    ``generated_at`` is given (or set in ``analysis.config.generated_at``).
    ``progress("reports", done, total)`` is called as the pages are written.
    """
    # no cyclic garbage collection while the report is made (as within fork_map, which
    # writes its pages): a full collection walks every object of the Analysis alive, and
    # the views and pages built outside the pool (the index, documents.html) set off
    # several; they were a fifth of the report's CPU at 3,000 documents
    with gc_paused(), output_dir(out_dir) as out:
        return _write_reports(
            analysis, out, generated_at=generated_at, max_pages=max_pages, progress=progress
        )


def _write_reports(
    analysis: Analysis,
    out: OutputDir,
    *,
    generated_at: str | None = None,
    max_pages: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Path]:
    if generated_at is None:
        generated_at = getattr(analysis.config, "generated_at", None)
    if max_pages is not None and max_pages < 0:
        raise ValueError(f"max_pages must be >= 0, not {max_pages}")
    w = _Writer(out)
    c = _Corpus(analysis, max_pages=max_pages)
    env = _environment(c)
    env.globals["quotes"] = QuotePanels(analysis, name=c.who)  # the quotes panel's data
    stories = _stories(c)
    multi_stories = [s for s in stories if len(s) >= 2]
    singles = [s[0] for s in stories if len(s) == 1]
    for number, ids in enumerate(multi_stories, start=1):
        c.story_files[number] = f"{_story_stem(number)}.html"
        for i in ids:
            c.story_of[i] = number
    n_docs = len(c.docs)
    small = n_docs <= DIAGRAM_MAX_DOCS and len(multi_stories) <= 6

    w.bytes("report.css", _static("report.css"))
    w.bytes("report.js", _static("report.js"))

    # the corpus at a glance, drawn by matplotlib, for a small corpus only: larger ones
    # get one page per story with its own diagram
    overview: dict[str, Any] | None = None
    if small and n_docs:
        overview_ids = tuple(i for s in stories for i in s)
        jobs: list[tuple[str, str, tuple[str, ...] | None, tuple[str, ...]]] = [
            ("lineage", "lineage", overview_ids, ("png", "svg"))
        ]
        if 2 <= n_docs <= HEATMAP_MAX_DOCS:
            jobs.append(("heatmap", "heatmap", None, ("png", "svg")))
        drawn = fork_map(
            _draw,
            jobs,
            workers=worker_count(analysis.config.workers),
            parallel=len(jobs) >= PARALLEL_PICTURES,
            context=(analysis, c.lk),
        )
        svg: dict[str, bytes] = {}
        for (stem, _, _, _), rendered in zip(jobs, drawn, strict=True):
            for fmt, data in rendered.items():
                w.bytes(f"{stem}.{fmt}", data)
            svg[stem] = rendered["svg"]
        overview = {
            "lineage": "lineage.svg",
            "lineage_png": "lineage.png",
            "lineage_size": _display_size(svg["lineage"], scale=1.3 if n_docs <= 12 else 0.8),
            "note": "",
            "heatmap": None,
            # a small corpus shows both pictures in one screen, side by side
            "side_by_side": n_docs <= 12,
        }
        if "heatmap" in svg:
            overview["heatmap"] = "heatmap.svg"
            overview["heatmap_png"] = "heatmap.png"
            overview["heatmap_size"] = _display_size(svg["heatmap"], scale=1.3)

    # one pass over pairs and edges puts each in its story: linear, never per story
    story_index = {d: k for k, s in enumerate(multi_stories) for d in s}
    pairs_by_story: dict[int, list[Pair]] = defaultdict(list)
    loose_pairs: list[Pair] = []
    for p in analysis.pairs:
        if p.a not in c.docs or p.b not in c.docs:
            continue
        sa, sb = story_index.get(p.a), story_index.get(p.b)
        if sa is not None and sa == sb:
            pairs_by_story[sa].append(p)
        else:
            loose_pairs.append(p)
    edges_by_story: dict[int, list[Edge]] = defaultdict(list)
    for e in analysis.edges:
        k = story_index.get(e.child)
        if k is not None and e.parent in c.docs and story_index.get(e.parent) == k:
            edges_by_story[k].append(e)
    views_index = []  # as linked from index.html (root "")
    views_story = []  # as linked from stories/ (root "../")
    for k, ids in enumerate(multi_stories):
        edges, pairs = edges_by_story.get(k, []), pairs_by_story.get(k, [])
        views_index.append(_story_view(c, k + 1, ids, edges, pairs, ""))
        views_story.append(_story_view(c, k + 1, ids, edges, pairs, "../"))
    # previous / next derivation, in the order the story lists them, for pair pages
    nav: dict[tuple[str, str], dict[str, Any]] = {}
    for view in views_story:
        linked = [e for e in view["edges"] if e["href"]]
        for j, e in enumerate(linked):
            nav[e["href"]] = {
                "prev": linked[j - 1]["href"] if j else None,
                "next": linked[j + 1]["href"] if j + 1 < len(linked) else None,
                "at": j + 1,
                "of": len(linked),
                "all": len(view["edges"]),  # the story's derivations, paged or not
            }

    skipped = [
        {"path": cap(s.path), "line": s.line, "reason": cap(s.reason, 400)}
        for s in sorted(analysis.skipped, key=lambda s: (s.path, s.line or 0, s.reason))
    ]
    summary = {
        "documents": n_docs,
        "skipped": len(skipped),
        "pairs": len(analysis.pairs),
        "passages": sum(len(p.passages) for p in analysis.pairs),
        "edges": len(analysis.edges),
        "stories": len(multi_stories),
        "singles": len(singles),
        "pair_pages": len(c.pair_files),
        "pairs_with_text": sum(1 for p in analysis.pairs if p.passages),
    }
    single_rows = []
    for i in singles[:SINGLE_ROWS_MAX]:
        row = _doc_row(c, i)
        o = c.origin.get(i)
        row["reason"] = c.shorten(o.reason) if o is not None else ""
        single_rows.append(row)
    loose_pairs.sort(key=_pair_strength)
    duplicates = _duplicate_views(c)
    common = {"generated_at": generated_at, "summary": summary}

    # every page but the index first: the index, written last, never links to a page
    # that is not there yet
    jobs_pages: list[tuple[str, Any]] = []
    jobs_pages += [("story", k) for k in range(len(multi_stories))]
    jobs_pages += [("doc", i) for i in sorted(c.docs)]
    jobs_pages += [("pair", (p.a, p.b)) for p in analysis.pairs if (p.a, p.b) in c.pair_files]
    w.written += [
        path
        for paths in fork_map(
            _write_page,
            jobs_pages,
            workers=worker_count(analysis.config.workers),
            parallel=len(jobs_pages) >= PARALLEL_PAGES,
            context=(c, env, generated_at, w, multi_stories, views_story, nav),
            # the index, documents and outlets pages after these: 4 more steps
            progress=(lambda k, n: progress("reports", k, n + 4)) if progress else None,
        )
        for path in paths
    ]
    w.text(
        "documents.html",
        env.get_template("documents.html.j2").render(
            page_title="All documents", root="", **common,
            docs=[_doc_row(c, i) for i in islice((i for s in stories for i in s),
                                                 DOCUMENT_ROWS_MAX)],
            more_docs=max(0, n_docs - DOCUMENT_ROWS_MAX),
        ),
    )  # fmt: skip
    w.text(
        "outlets.html",
        env.get_template("outlets.html.j2").render(
            page_title="Outlets: who copies whom", root="", **common, o=_outlet_view(c)
        ),
    )
    w.text(
        "glossary.html",
        env.get_template("glossary.html.j2").render(page_title="How to read this report",
                                                    root="", **common),
    )  # fmt: skip
    index = env.get_template("index.html.j2").render(
        page_title="Syndication lineage",
        root="",
        **common,
        skipped=skipped[:SKIPPED_ROWS_MAX],
        more_skipped=max(0, len(skipped) - SKIPPED_ROWS_MAX),
        overview=overview,
        small=small,
        stories=views_index,
        duplicates=duplicates,
        singles=single_rows,
        more_singles=max(0, len(singles) - SINGLE_ROWS_MAX),
        loose_pairs=[_pair_row(c, p) for p in loose_pairs[:PAIR_ROWS_MAX]],
        more_loose_pairs=max(0, len(loose_pairs) - PAIR_ROWS_MAX),
    )
    w.text("index.html", index)  # last: it never links to a page not yet written
    if progress:
        progress("reports", len(jobs_pages) + 4, len(jobs_pages) + 4)
    return w.written


def _story_stem(number: int) -> str:
    """Where story ``number``'s page goes, less the format."""
    return f"stories/story-{number:04d}"


def _draw(
    context: tuple[Analysis, Any], job: tuple[str, str, tuple[str, ...] | None, tuple[str, ...]]
) -> dict[str, bytes]:
    """One picture of the report, in each of its formats; ``context``: the analysis and
    its lookups."""
    from lineage.report.diagram import render_lineage
    from lineage.report.heatmap import render_heatmap

    _, kind, ids, formats = job
    analysis, lk = context
    render = render_lineage if kind == "lineage" else render_heatmap
    return render(analysis, ids, formats=formats, lookups=lk)


def _write_page(context: tuple[Any, ...], job: tuple[str, Any]) -> list[Path]:
    """One page of the site (and a large story's diagram file), through the run's folder;
    ``context``: what every page is drawn from (see the fork_map that calls this)."""
    c, env, generated_at, w, multi_stories, views_story, nav = context
    kind, key = job
    if kind == "story":
        view = views_story[key]
        rel = c.story_files[view["number"]]
        html, svg = _story_page(c, view, multi_stories[key], env, generated_at, c.lk)
        files = []
        if svg is not None:
            files.append(w.out.write_text(rel[:-5] + ".svg", svg))
        files.append(w.out.write_text(rel, html))
        return files
    if kind == "doc":
        return [w.out.write_text(c.doc_files[key], _doc_page(c, key, env, generated_at))]
    p = c.pair_at[key]
    rel = c.pair_files[key]
    return [w.out.write_text(rel, _pair_page(c, p, env, generated_at, nav.get("../" + rel)))]


def _origin(c: _Corpus, doc_id: str) -> dict[str, Any]:
    o = c.origin[doc_id]
    return {"kind": o.kind, "reason": c.shorten(o.reason), "confidence": o.confidence}


_SVG_SIZE = re.compile(rb'<svg[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"')


def _display_size(svg: bytes, *, scale: float = 1.0) -> tuple[int, int]:
    """CSS pixels to show a matplotlib SVG at ``scale`` times its natural size."""
    m = _SVG_SIZE.search(svg[:2000])
    if not m:
        return (800, 600)
    w, h = float(m.group(1)), float(m.group(2))
    return (round(w * 4 / 3 * scale), round(h * 4 / 3 * scale))
