"""The HTML report: index.html, one side-by-side page per pair, and the two pictures.

Layout of a report folder (every name built from ids goes through ``safe_name``)::

    index.html            the story at a glance: diagram, heatmap, then the numbers
    report.css report.js  copied next to the pages (the CSP forbids inline scripts)
    lineage.svg .png      who copied whom
    heatmap.svg .png      share of each text found in each other (small corpora only)
    stories/story-NNNN-*.svg   per-story pictures for large corpora
    pairs/<a>__<b>.html   the two texts side by side, reused passages highlighted

Article text reaches the page only as Jinja-escaped strings: highlighted text is a
list of ``Segment`` (text, classes) that the template renders, never markup built here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lineage.files import OutputDir, output_dir, safe_name
from lineage.parallel import fork_map, shared, worker_count
from lineage.report._common import (
    date_str,
    doc_sort_key,
    lineage_order,
    outlet_of,
    short_ids,
)
from lineage.report.quotes_panel import QuotePanels
from lineage.text import WORD_RE, normalize_word

if TYPE_CHECKING:
    from jinja2 import Environment

    from lineage.model import Analysis, Document, Edge, Pair

__all__ = ["Segment", "pair_filename", "passage_segments", "write_reports"]

CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; base-uri 'none'; form-action 'none'"
)
# Pictures: a diagram stays legible to about this many boxes; a heatmap to this many rows.
DIAGRAM_MAX_DOCS = 40
HEATMAP_MAX_DOCS = 60
# Large corpora: pictures for the largest stories only, and bounded tables.
STORY_PICTURES_MAX = 20
STORY_HEATMAP_MIN_DOCS = 3
PAIR_ROWS_MAX = 300
SKIPPED_ROWS_MAX = 200
PALETTE_SIZE = 8
PARALLEL_PAGES = 500  # pair pages above which they are written by a worker pool
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
    active_p: dict[int, int] = defaultdict(int)
    counts = {"c": 0, "b": 0}
    anchored: set[int] = set()
    out: list[Segment] = []
    cuts = sorted(points)
    for x, y in zip(cuts, cuts[1:], strict=False):
        for kind, delta, payload in events.get(x, ()):
            if kind == "p":
                active_p[payload] += delta
                if active_p[payload] == 0:
                    del active_p[payload]
            else:
                counts[kind] += delta
        # a passage that starts inside a lower-numbered one still needs its anchor
        for k in sorted(k for k in active_p if k not in anchored and first_start[k] == x):
            anchored.add(k)
            cls = f"pm c{(k - 1) % PALETTE_SIZE}" + (" q" if quoted_k[k] else "")
            out.append(Segment("", cls, k, f"{side}-p{k}", f"{other}-p{k}", f"{k}"))
        classes = []
        k_here = min(active_p) if active_p else None
        if k_here is not None:
            classes.append(f"p c{(k_here - 1) % PALETTE_SIZE}")
            if quoted_k[k_here]:
                classes.append("q")
            if counts["c"] > 0:
                classes.append("chg")
        if counts["b"] > 0:
            classes.append("bp")
        out.append(Segment(text[x:y], " ".join(classes), k_here))
    # merge neighbours drawn alike (keeps pages small)
    merged: list[Segment] = []
    for s in out:
        if (
            merged
            and not s.anchor
            and not merged[-1].anchor
            and merged[-1].cls == s.cls
            and merged[-1].k == s.k
        ):
            merged[-1] = Segment(merged[-1].text + s.text, s.cls, s.k)
        else:
            merged.append(s)
    return merged


# -- views ---------------------------------------------------------------------------
def pct(v: float | None) -> str:
    if v is None:
        return "–"
    r = round(v * 100)
    if r == 0 and v > 0:
        return "<1%"
    return f"{r}%"


@dataclass
class _Corpus:
    """Lookups over one Analysis, built once (Analysis' own lookups are linear scans)."""

    analysis: Analysis
    docs: dict[str, Document] = field(init=False)
    short: dict[str, str] = field(init=False)
    pairs_of: dict[str, list[Pair]] = field(init=False)
    pair_at: dict[tuple[str, str], Pair] = field(init=False)
    parent_edge: dict[str, Edge] = field(init=False)
    child_count: dict[str, int] = field(init=False)
    origin: dict[str, Any] = field(init=False)
    pair_files: dict[tuple[str, str], str] = field(init=False)

    def __post_init__(self) -> None:
        a = self.analysis
        self.docs = {d.id: d for d in a.documents}
        self.short = short_ids(self.docs)
        self._long_ids = sorted((i for i in self.docs if self.short[i] != i), key=len, reverse=True)
        self.pairs_of = defaultdict(list)
        self.pair_at = {}
        for p in a.pairs:
            if p.a not in self.docs or p.b not in self.docs:
                continue
            self.pairs_of[p.a].append(p)
            self.pairs_of[p.b].append(p)
            self.pair_at[(p.a, p.b)] = p
            self.pair_at[(p.b, p.a)] = p
        self.parent_edge = {}
        self.child_count = defaultdict(int)
        for e in a.edges:
            if e.child in self.docs and e.parent in self.docs:
                self.parent_edge.setdefault(e.child, e)
                self.child_count[e.parent] += 1
        self.origin = {o.id: o for o in a.origins}
        # pair pages: unique names even if two id pairs fold to the same safe names
        self.pair_files = {}
        used: set[str] = set()
        for p in sorted(a.pairs, key=lambda p: (p.a, p.b)):
            if not p.passages or (p.a, p.b) in self.pair_files:
                continue
            if p.a not in self.docs or p.b not in self.docs:
                continue
            stem = f"{safe_name(p.a)}__{safe_name(p.b)}"
            name, k = stem, 2
            while name.lower() in used:
                name, k = f"{stem}-{k}", k + 1
            used.add(name.lower())
            self.pair_files[(p.a, p.b)] = f"pairs/{name}.html"

    def who(self, doc_id: str) -> str:
        d = self.docs.get(doc_id)
        outlet = outlet_of(d) if d else None
        return (
            f"{self.short.get(doc_id, doc_id)} ({outlet})"
            if outlet
            else self.short.get(doc_id, doc_id)
        )

    def shorten(self, text: str) -> str:
        """Evidence reads better with the short ids the tables use."""
        for full in self._long_ids:
            if full in text:
                text = text.replace(full, self.short[full])
        return text

    def pair_href(self, p: Pair) -> str | None:
        return self.pair_files.get((p.a, p.b))

    def words(self, doc: Document) -> int:
        wc = self.analysis.word_counts.get(doc.id)
        return wc[0] if wc else len(WORD_RE.findall(doc.text))


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
    ordered = [lineage_order(a, g) for g in groups]
    ordered.sort(key=lambda g: (-len(g), doc_sort_key(c.docs[g[0]])))
    return ordered


def _doc_row(c: _Corpus, doc_id: str) -> dict[str, Any]:
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
    return {
        "id": d.id,
        "short": c.short[d.id],
        "anchor": f"doc-{safe_name(d.id)}",
        "outlet": outlet_of(d) or "",
        "date": date_str(d),
        "title": d.title or "",
        "words": c.words(d),
        "reused": reused,
        "bar": round(min(1.0, max(0.0, share_best)) * 100),
        "role": role.strip(" ·"),
        "kind": "copy" if e is not None else (o.kind if o is not None else ""),
    }


def _edge_row(c: _Corpus, e: Edge) -> dict[str, Any]:
    p = c.pair_at.get((e.parent, e.child))
    return {
        "parent": c.who(e.parent),
        "parent_anchor": f"doc-{safe_name(e.parent)}",
        "child": c.who(e.child),
        "child_anchor": f"doc-{safe_name(e.child)}",
        "confidence": e.confidence,
        "conf_pct": round(max(0.0, min(1.0, e.confidence)) * 100),
        # grouped by the records' sign: what supports the edge, then what speaks against
        "evidence": [c.shorten(x.text) for x in e.evidence if x.sign == "for"],
        "evidence_against": [c.shorten(x.text) for x in e.evidence if x.sign == "against"],
        "alternatives": [
            {"who": c.who(alt.parent), "confidence": alt.confidence} for alt in e.alternatives
        ],
        "share": pct(p.share(e.child)) if p else "",
        "href": c.pair_href(p) if p else None,
    }


def _pair_row(c: _Corpus, p: Pair) -> dict[str, Any]:
    return {
        "a": c.who(p.a),
        "b": c.who(p.b),
        "jaccard": p.jaccard,
        "a_in_b": p.a_in_b,
        "b_in_a": p.b_in_a,
        "passages": len(p.passages),
        "reused_words": p.reused_words,
        "href": c.pair_href(p),
    }


def _pair_strength(p: Pair) -> tuple[float, str, str]:
    return (-max(p.a_in_b, p.b_in_a), p.a, p.b)


# -- rendering -----------------------------------------------------------------------
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("lineage.report"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = pct
    env.filters["num"] = lambda v: f"{v:,}"
    env.filters["f2"] = lambda v: f"{v:.2f}"
    env.globals["csp"] = CSP
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


def _pair_page(c: _Corpus, p: Pair, env: Environment, generated_at: str | None) -> str:
    da, db = c.docs[p.a], c.docs[p.b]
    ordered = sorted(p.passages, key=lambda s: (s.a_start, s.b_start, s.a_end))
    a_changed: list[tuple[int, int]] = []
    b_changed: list[tuple[int, int]] = []
    rows = []
    for k, s in enumerate(ordered, start=1):
        a_slice, b_slice = da.text[s.a_start : s.a_end], db.text[s.b_start : s.b_end]
        ca, cb = changed_spans(a_slice, b_slice)
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
            edge = _edge_row(c, e)

    def side(d: Document, spans: Any, changed: Any, me: str, other: str, share: float) -> Any:
        return {
            "id": d.id,
            "short": c.short[d.id],
            "who": c.who(d.id),
            "outlet": outlet_of(d) or "",
            "title": d.title or "",
            "date": date_str(d),
            "url": d.url or "",
            "words": c.words(d),
            "share": share,
            "segments": passage_segments(
                d.text, spans, changed=changed, boilerplate=d.boilerplate, side=me, other=other
            ),
        }

    return env.get_template("pair.html.j2").render(
        page_title=f"{c.who(p.a)} ↔ {c.who(p.b)}",
        root="../",
        generated_at=generated_at,
        pair=_pair_row(c, p),
        edge=edge,
        passages=rows,
        quoted_count=sum(1 for s in ordered if s.quoted),
        a=side(da, a_spans, a_changed, "a", "b", p.a_in_b),
        b=side(db, b_spans, b_changed, "b", "a", p.b_in_a),
    )


def write_reports(
    analysis: Analysis, out_dir: str | Path | OutputDir, *, generated_at: str | None = None
) -> list[Path]:
    """Write the HTML report of ``analysis`` into ``out_dir``; return the files written.

    Only the report's own files are written (index.html, report.css, report.js, the
    pictures, ``stories/`` and ``pairs/`` pages); nothing in ``out_dir`` is deleted.
    Output is deterministic: no timestamp unless ``generated_at`` is given (or set in
    ``analysis.config.generated_at``).
    """
    with output_dir(out_dir) as out:
        return _write_reports(analysis, out, generated_at=generated_at)


def _write_reports(
    analysis: Analysis, out: OutputDir, *, generated_at: str | None = None
) -> list[Path]:
    if generated_at is None:
        generated_at = getattr(analysis.config, "generated_at", None)
    w = _Writer(out)
    env = _environment()
    c = _Corpus(analysis)
    env.globals["quotes"] = QuotePanels(analysis, name=c.who)  # the quotes panel's data
    stories = _stories(c)
    multi_stories = [s for s in stories if len(s) >= 2]
    singles = [s[0] for s in stories if len(s) == 1]
    n_docs = len(c.docs)
    small = n_docs <= DIAGRAM_MAX_DOCS and len(multi_stories) <= 6

    w.bytes("report.css", _static("report.css"))
    w.bytes("report.js", _static("report.js"))

    # pictures: the whole corpus when small, else the largest stories within a budget
    if small:
        overview_ids = [i for s in stories for i in s]
        overview_note = ""
    else:
        overview_ids = []
        shown = 0
        for s in multi_stories:
            if overview_ids and len(overview_ids) + len(s) > DIAGRAM_MAX_DOCS:
                break
            overview_ids.extend(s[:DIAGRAM_MAX_DOCS])
            shown += 1
        overview_note = (
            f"The largest {'story' if shown == 1 else f'{shown} stories'} of "
            f"{len(multi_stories):,}; every story below has its own pictures."
            if shown
            else ""
        )
    # Every picture is drawn first, by the workers when there are several (matplotlib
    # takes most of a large report's serial time): (file stem, kind, ids, formats)
    overview_set = set(overview_ids)
    jobs: list[tuple[str, str, tuple[str, ...] | None, tuple[str, ...]]] = []
    if overview_ids:
        jobs.append(("lineage", "lineage", tuple(overview_ids), ("png", "svg")))
        if 2 <= n_docs <= HEATMAP_MAX_DOCS:
            jobs.append(("heatmap", "heatmap", None, ("png", "svg")))
    if not small:
        for number, ids in enumerate(multi_stories[:STORY_PICTURES_MAX], start=1):
            stem = _story_stem(number)
            if not set(ids) <= overview_set:  # else already drawn at the top: not twice
                jobs.append((f"{stem}-lineage", "lineage", tuple(ids[:DIAGRAM_MAX_DOCS]), ("svg",)))
            if len(ids) >= STORY_HEATMAP_MIN_DOCS:
                jobs.append((f"{stem}-heatmap", "heatmap", tuple(ids[:HEATMAP_MAX_DOCS]), ("svg",)))
    drawn = fork_map(
        _draw,
        jobs,
        workers=worker_count(analysis.config.workers),
        parallel=len(jobs) >= PARALLEL_PICTURES,
        share={"draw": analysis},
    )
    svg: dict[str, bytes] = {}  # each picture's SVG, by file stem
    for (stem, _, _, _), rendered in zip(jobs, drawn, strict=True):
        for fmt, data in rendered.items():
            w.bytes(f"{stem}.{fmt}", data)
        svg[stem] = rendered["svg"]

    overview: dict[str, Any] | None = None
    if overview_ids:
        overview = {
            "lineage": "lineage.svg",
            "lineage_png": "lineage.png",
            "lineage_size": _display_size(svg["lineage"], scale=1.3 if n_docs <= 12 else 0.8),
            "note": overview_note,
            "heatmap": None,
            # a small corpus shows both pictures in one screen, side by side
            "side_by_side": n_docs <= 12,
        }
        if "heatmap" in svg:
            overview["heatmap"] = "heatmap.svg"
            overview["heatmap_png"] = "heatmap.png"
            overview["heatmap_size"] = _display_size(svg["heatmap"], scale=1.3)

    story_views = []
    story_of = {d: k for k, s in enumerate(stories) for d in s}
    pairs_by_story: dict[int, list[Pair]] = defaultdict(list)
    loose_pairs: list[Pair] = []
    for p in analysis.pairs:
        if p.a not in c.docs or p.b not in c.docs:
            continue
        sa, sb = story_of[p.a], story_of[p.b]
        if sa == sb and len(stories[sa]) >= 2:
            pairs_by_story[sa].append(p)
        else:
            loose_pairs.append(p)
    edges_by_story: dict[int, list[Edge]] = defaultdict(list)
    for e in analysis.edges:
        if e.child in story_of and e.parent in c.docs:
            edges_by_story[story_of[e.child]].append(e)
    for number, ids in enumerate(multi_stories, start=1):
        k = story_of[ids[0]]
        pics: dict[str, Any] = {"lineage": None, "heatmap": None, "above": False}
        if not small and number <= STORY_PICTURES_MAX:
            stem = _story_stem(number)
            pics["above"] = f"{stem}-lineage" not in svg  # drawn at the top instead
            if f"{stem}-lineage" in svg:
                pics["lineage"] = f"{stem}-lineage.svg"
                scale = 1.1 if len(ids) <= 12 else 0.8
                pics["lineage_size"] = _display_size(svg[f"{stem}-lineage"], scale=scale)
            if f"{stem}-heatmap" in svg:
                pics["heatmap"] = f"{stem}-heatmap.svg"
                pics["heatmap_size"] = _display_size(svg[f"{stem}-heatmap"], scale=1.1)
        edges = edges_by_story.get(k, [])
        rank = {d: r for r, d in enumerate(ids)}
        edges.sort(key=lambda e: (rank[e.child], e.parent))
        pairs = sorted(pairs_by_story.get(k, []), key=_pair_strength)
        root = c.docs[ids[0]]
        headline = next((c.docs[i].title for i in ids if c.docs[i].title), None)
        story_views.append(
            {
                "number": number,
                "anchor": f"story-{number}",
                "size": len(ids),
                "headline": headline or f"Story of {c.who(root.id)}",
                "root": c.who(root.id),
                "pics": pics,
                "pics_truncated": len(ids) > DIAGRAM_MAX_DOCS,
                "docs": [_doc_row(c, i) for i in ids],
                "origins": [
                    {"who": c.who(i), "anchor": f"doc-{safe_name(i)}", **_origin(c, i)}
                    for i in ids
                    if i in c.origin
                ],
                "edges": [_edge_row(c, e) for e in edges],
                "pairs": [_pair_row(c, p) for p in pairs[:PAIR_ROWS_MAX]],
                "more_pairs": max(0, len(pairs) - PAIR_ROWS_MAX),
            }
        )
    single_rows = []
    for i in singles:
        row = _doc_row(c, i)
        o = c.origin.get(i)
        row["reason"] = c.shorten(o.reason) if o is not None else ""
        single_rows.append(row)
    loose_pairs.sort(key=_pair_strength)

    skipped = [
        {"path": s.path, "line": s.line, "reason": s.reason}
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
    }
    index = env.get_template("index.html.j2").render(
        page_title="Syndication lineage",
        root="",
        generated_at=generated_at,
        summary=summary,
        skipped=skipped[:SKIPPED_ROWS_MAX],
        more_skipped=max(0, len(skipped) - SKIPPED_ROWS_MAX),
        overview=overview,
        small=small,
        stories=story_views,
        singles=single_rows,
        loose_pairs=[_pair_row(c, p) for p in loose_pairs[:PAIR_ROWS_MAX]],
        more_loose_pairs=max(0, len(loose_pairs) - PAIR_ROWS_MAX),
    )
    # one page per pair: tens of thousands in a large corpus, written by forked workers
    pages = [
        (p, rel)
        for p in sorted(analysis.pairs, key=lambda p: (p.a, p.b))
        if (rel := c.pair_files.get((p.a, p.b))) is not None
    ]
    # the workers inherit the pairs: only a page's number travels to them, not its Pair
    w.written += fork_map(
        _write_pair_page,
        range(len(pages)),
        workers=worker_count(analysis.config.workers),
        parallel=len(pages) >= PARALLEL_PAGES,
        share={"pair_pages": (pages, c, env, generated_at, out)},
    )
    w.text("index.html", index)  # last: it never links to a page not yet written
    return w.written


def _story_stem(number: int) -> str:
    """Where story ``number``'s pictures go, less the kind and the format."""
    return f"stories/story-{number:04d}"


def _draw(job: tuple[str, str, tuple[str, ...] | None, tuple[str, ...]]) -> dict[str, bytes]:
    """One picture of the report, in each of its formats."""
    from lineage.report.diagram import render_lineage
    from lineage.report.heatmap import render_heatmap

    _, kind, ids, formats = job
    render = render_lineage if kind == "lineage" else render_heatmap
    return render(shared("draw"), ids, formats=formats)


def _write_pair_page(k: int) -> Path:
    pages, c, env, generated_at, out = shared("pair_pages")
    p, rel = pages[k]
    return out.write_text(rel, _pair_page(c, p, env, generated_at))


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
