"""Small helpers shared by the HTML pages and the two pictures.

Everything here is deterministic: orderings break ties on ids, never on dict order or
hash order, so two renders of one Analysis give byte-identical files.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib is heavy; imported lazily where a figure is drawn
    from matplotlib.figure import Figure

    from lineage.model import Analysis, Document, Edge, Pair

# Fixed so the ids matplotlib puts in SVG files (clip paths, glyphs) never change.
SVG_HASHSALT = "lineage-report"

_PREFIX = re.compile(r"^([^_\s]{2,16})[_\s]")


def short_ids(ids: Iterable[str]) -> dict[str, str]:
    """Readable, still unique, display names for ids.

    Ids such as ``001_45bac6543a8ee06d`` show as ``001`` when that prefix is unique in
    the corpus; long ids are cut with an ellipsis; anything ambiguous keeps its full id.

    >>> short_ids(["001_ab", "002_cd"])
    {'001_ab': '001', '002_cd': '002'}
    """
    ids = list(dict.fromkeys(ids))
    cand: dict[str, str] = {}
    for i in ids:
        m = _PREFIX.match(i)
        cand[i] = m.group(1) if m else (i if len(i) <= 18 else i[:16] + "…")
    counts: dict[str, int] = defaultdict(int)
    for c in cand.values():
        counts[c] += 1
    return {i: (c if counts[c] == 1 and (c == i or c not in cand) else i) for i, c in cand.items()}


# Characters XML 1.0 forbids (C0 controls but tab/newline/return, surrogates, U+FFFE/F),
# plus the C1 controls and DEL that terminals act on: never written raw into an SVG.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Displayed metadata (titles, outlets, ids, paths, URLs) is cut at this many characters.
META_MAX = 200


def svg_safe(text: str) -> str:
    """``text`` with every character XML cannot hold (or a terminal would act on) shown
    as U+FFFD, so an SVG stays well-formed whatever an id or title contains.

    >>> svg_safe("a\x1bb")
    'a\ufffdb'
    """
    return _NOT_XML.sub("\ufffd", text)


def cap(text: str | None, limit: int = META_MAX) -> str:
    """Metadata as displayed: control characters made visible, at most ``limit``
    characters, ending in "…" when cut (the full value stays in lineage.json).

    >>> cap("x" * 300, 10)
    'xxxxxxxxx…'
    """
    if not text:
        return ""
    text = svg_safe(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def first_line(doc: Document, limit: int = 90) -> str:
    """The first line of ``doc``'s text outside page chrome, cut at a word with "…"."""
    text = doc.text
    for start, end in sorted(doc.boilerplate):
        if start > 4000:
            break
        text = text[:start] + " " * (max(0, end - start)) + text[end:]
    for line in text[:4000].splitlines():
        line = " ".join(line.split())
        if len(line) >= 3:
            if len(line) > limit:
                line = line[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:—-") + "…"
            return line
    return ""


def display_title(doc: Document) -> str:
    """The title a reader knows the document by: its title, else its first line, else
    its path."""
    return cap(doc.title or first_line(doc) or doc.path or doc.id)


def outlet_of(doc: Document) -> str | None:
    """The outlet a reader would name: declared, then host page, then dateline."""
    return doc.outlet or doc.host_outlet or doc.dateline_outlet


def date_str(doc: Document) -> str:
    return "" if doc.date is None else doc.date.date().isoformat()


def doc_sort_key(doc: Document) -> tuple[bool, str, str]:
    # ISO strings, not datetimes: naive and aware dates must never fail to compare
    iso = doc.date_iso or ""
    return (doc.date is None, iso, doc.id)


class Lookups:
    """Indexes over one Analysis, built once in linear time, so that every per-story
    step touches only that story's documents, edges and pairs (never the corpus)."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.docs: dict[str, Document] = {d.id: d for d in analysis.documents}
        self.children: dict[str, list[str]] = defaultdict(list)
        self.parent_edge: dict[str, Edge] = {}
        self.edges_from: dict[str, list[Edge]] = defaultdict(list)
        for e in analysis.edges:
            if e.parent == e.child or e.parent not in self.docs or e.child not in self.docs:
                continue
            self.children[e.parent].append(e.child)
            self.edges_from[e.parent].append(e)
            self.parent_edge.setdefault(e.child, e)
        self.pairs_of: dict[str, list[Pair]] = defaultdict(list)
        for p in analysis.pairs:
            if p.a in self.docs and p.b in self.docs:
                self.pairs_of[p.a].append(p)
                self.pairs_of[p.b].append(p)
        self.kind: dict[str, str] = {o.id: o.kind for o in analysis.origins}
        self._short: dict[str, str] | None = None

    @property
    def short(self) -> dict[str, str]:
        if self._short is None:
            self._short = short_ids(self.docs)
        return self._short

    def edges_within(self, ids: Iterable[str]) -> list[Edge]:
        """Edges between ``ids``, found from the ids' own adjacency (not the corpus)."""
        order = list(dict.fromkeys(ids))  # the caller's order, never a set's: deterministic
        s = set(order)
        return [e for i in order for e in self.edges_from.get(i, ()) if e.child in s]

    def pairs_within(self, ids: Iterable[str]) -> list[Pair]:
        s = set(ids)
        out = {
            (p.a, p.b): p
            for i in sorted(s)
            for p in self.pairs_of.get(i, ())
            if p.a in s and p.b in s
        }
        return [out[k] for k in sorted(out)]


def lineage_order(
    analysis: Analysis, ids: Sequence[str] | None = None, *, lookups: Lookups | None = None
) -> list[str]:
    """Documents with parents before children (depth-first over the edges), then the rest.

    Roots and siblings are ordered by date, then id; the unlinked rest likewise. With
    ``lookups`` (built once per Analysis) the work is proportional to ``ids`` alone.
    """
    lk = lookups if lookups is not None else Lookups(analysis)
    docs = lk.docs
    keep = list(docs) if ids is None else [i for i in dict.fromkeys(ids) if i in docs]
    keep_set = set(keep)
    children: dict[str, list[str]] = defaultdict(list)
    has_parent: set[str] = set()
    for e in lk.edges_within(keep):
        children[e.parent].append(e.child)
        has_parent.add(e.child)

    def key(i: str) -> tuple[bool, str, str]:
        return doc_sort_key(docs[i])

    for kids in children.values():
        kids.sort(key=key)
    out: list[str] = []
    seen: set[str] = set()

    def visit(root: str) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            out.append(node)
            stack.extend(reversed(children.get(node, [])))

    linked = sorted({*children, *has_parent} & keep_set, key=key)
    for r in linked:
        if r not in has_parent:
            visit(r)
    for r in linked:  # a cycle has no root: enter it at its earliest document
        if r not in seen:
            visit(r)
    out.extend(sorted((i for i in keep if i not in seen), key=key))
    return out


def edges_within(edges: Iterable[Edge], ids: Iterable[str]) -> list[Edge]:
    s = set(ids)
    return [e for e in edges if e.parent in s and e.child in s and e.parent != e.child]


def figure_bytes(fig: Figure, fmt: str, **kwargs: Any) -> bytes:
    """Save ``fig`` without timestamps or random ids, so equal input gives equal bytes."""
    import matplotlib

    buf = io.BytesIO()
    metadata: dict[str, Any]
    if fmt == "svg":
        metadata = {"Date": None, "Creator": None}
    elif fmt == "png":
        metadata = {"Software": None}
    else:
        metadata = {}
    with matplotlib.rc_context({"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path"}):
        fig.savefig(buf, format=fmt, metadata=metadata, **kwargs)
    return buf.getvalue()


def new_figure(width: float, height: float) -> Figure:
    """A pyplot-free figure: no global figure registry, no GUI backend, nothing leaks."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)
