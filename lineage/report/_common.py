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

    from lineage.model import Analysis, Document, Edge

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


def outlet_of(doc: Document) -> str | None:
    """The outlet a reader would name: declared, then host page, then dateline."""
    return doc.outlet or doc.host_outlet or doc.dateline_outlet


def date_str(doc: Document) -> str:
    return "" if doc.date is None else doc.date.date().isoformat()


def doc_sort_key(doc: Document) -> tuple[bool, str, str]:
    # ISO strings, not datetimes: naive and aware dates must never fail to compare
    iso = doc.date_iso or ""
    return (doc.date is None, iso, doc.id)


def lineage_order(analysis: Analysis, ids: Sequence[str] | None = None) -> list[str]:
    """Documents with parents before children (depth-first over the edges), then the rest.

    Roots and siblings are ordered by date, then id; the unlinked rest likewise.
    """
    docs = {d.id: d for d in analysis.documents}
    keep = list(docs) if ids is None else [i for i in ids if i in docs]
    keep_set = set(keep)
    children: dict[str, list[str]] = defaultdict(list)
    has_parent: set[str] = set()
    for e in analysis.edges:
        if e.parent in keep_set and e.child in keep_set and e.parent != e.child:
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

    linked = sorted({*children, *has_parent}, key=key)
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
