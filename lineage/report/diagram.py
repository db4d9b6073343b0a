"""The lineage diagram: who copied whom, drawn top-down as a forest.

One box per document (short id, outlet, date), arrows parent -> child labelled with
the edge's confidence and its main evidence. Documents that no edge touches are
drawn apart, in a framed row of "independent / unlinked reports".

The layout is computed here, in Python, so no Graphviz binary is needed:

* a tidy tree layout: leaves on consecutive slots, each parent centred on its children;
* drawn top-down while the forest is at most ``_TOP_DOWN_MAX_SLOTS`` leaves wide; a
  wider forest (a wire story copied by dozens) is drawn left-to-right instead, so it
  grows down the page, which scrolls, rather than across it.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lineage.report._common import (
    Lookups,
    cap,
    date_str,
    figure_bytes,
    lineage_order,
    new_figure,
    outlet_of,
    svg_safe,
)

if TYPE_CHECKING:
    from lineage.model import Analysis, Edge

__all__ = ["layout_forest", "lineage_svg", "render_lineage"]

_MAX_COLS = 7  # unlinked boxes per row
_TOP_DOWN_MAX_SLOTS = 8.0
_SLOT_W = 2.25  # inches per box slot (top-down)
_BOX_W = 1.8
_BOX_H = 0.66
_ROW_H = 1.55  # top-down: inches between depths
_COL_W = 3.2  # left-to-right: inches between depths
_BUS = 0.28  # left-to-right: where a parent's elbow turns down, inches right of its box
_LANE_H = 0.86  # left-to-right: inches between sibling lanes

_STYLE = {
    # kind: (face, edge)
    "original": ("#e7f4ea", "#2e7d32"),
    "derived": ("#e8f0fb", "#1f5fa8"),
    "independent": ("#f3f3f3", "#7a7a7a"),
}


def layout_forest(
    ids: Sequence[str], edges: Sequence[Edge]
) -> tuple[dict[str, tuple[float, float]], list[str], float, int]:
    """Tidy positions (slot, depth) of linked documents, the unlinked rest, slots, depths.

    ``ids`` must already be in lineage order (see ``lineage_order``).
    """
    children: dict[str, list[str]] = defaultdict(list)
    parent: dict[str, str] = {}
    for e in edges:
        if e.child not in parent:  # one parent per child in a forest
            parent[e.child] = e.parent
            children[e.parent].append(e.child)
    rank = {d: k for k, d in enumerate(ids)}
    for kids in children.values():
        kids.sort(key=rank.__getitem__)
    linked = [d for d in ids if d in parent or d in children]
    unlinked = [d for d in ids if d not in parent and d not in children]
    roots = [d for d in linked if d not in parent]
    # depth of each node; cycles (should not happen) are cut where first met
    depth: dict[str, int] = {}
    pre: list[str] = []
    for r in roots + [d for d in linked if d in parent]:
        if r in depth:
            continue
        stack = [(r, 0)]
        while stack:
            node, dep = stack.pop()
            if node in depth:
                continue
            depth[node] = dep
            pre.append(node)
            stack.extend((c, dep + 1) for c in reversed(children.get(node, [])))

    # tidy: leaves take consecutive slots, parents sit centred on their children
    slot = 0.0
    xs: dict[str, float] = {}

    def place(node: str, seen: set[str]) -> float:
        nonlocal slot
        seen.add(node)
        kids = [c for c in children.get(node, []) if c not in seen and depth[c] > depth[node]]
        if not kids:
            xs[node] = slot
            slot += 1.0
        else:
            got = [place(c, seen) for c in kids]
            xs[node] = (got[0] + got[-1]) / 2
        return xs[node]

    seen: set[str] = set()
    for node in pre:
        if node not in seen and (node not in parent or parent[node] not in depth):
            place(node, seen)
            slot += 0.15  # a little air between trees
    for node in pre:
        if node not in xs:  # unreachable through the tidy walk: give it a slot
            xs[node] = slot
            slot += 1.0
    width = max(slot - 0.15, 1.0) if pre else 0.0
    pos = {node: (xs[node], float(depth[node])) for node in pre}
    levels = (max(depth.values()) + 1) if depth else 0
    return pos, unlinked, width, levels


def _clip(s: str, n: int) -> str:
    s = svg_safe(s)  # matplotlib copies text into SVG comments: no raw control characters
    return s if len(s) <= n else s[: n - 1] + "…"


def _edge_label(e: Edge, short: dict[str, str], *, with_evidence: bool, width: int = 24) -> str:
    """Confidence, then the evidence in brief: the kinds of what supports it
    ("reuse · dateline"), read from the records, never from their wording."""
    label = f"{e.confidence:.2f}"
    if not (with_evidence and e.evidence):
        return label
    # the label names what supports the edge; counter-evidence stays in the report's list
    support = [x for x in e.evidence if x.sign == "for"] or list(e.evidence)
    tags = [x.kind.split("-")[0] for x in support]  # "credit-inherited" -> "credit"
    lines = textwrap.wrap(" · ".join(dict.fromkeys(tags)), width=width, max_lines=2,
                          placeholder=" …")  # fmt: skip
    return label + "\n" + "\n".join(lines)


def render_lineage(
    analysis: Analysis,
    ids: Sequence[str] | None = None,
    *,
    formats: Sequence[str] = ("png", "svg"),
    title: str | None = None,
    lookups: Lookups | None = None,
) -> dict[str, bytes]:
    """Draw the derivation forest of ``ids`` (default: every document).

    ``lookups`` (``Lookups(analysis)``, built once) keeps the work proportional to ``ids``.
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path

    lk = lookups if lookups is not None else Lookups(analysis)
    docs = lk.docs
    order = lineage_order(analysis, ids, lookups=lk)
    edges = lk.edges_within(order)
    edge_of = {e.child: e for e in edges}
    kinds = lk.kind
    short = lk.short
    title = svg_safe(title) if title else title
    pos, unlinked, width, levels = layout_forest(order, edges)

    n = len(order)
    show_title = n <= 12
    with_evidence = len(edges) <= 12
    # top-down while the forest is narrow; wide forests turn left-to-right, where the
    # page scrolls: a wire story with 25 copies is a column of boxes, not a 50-inch row
    top_down = width <= _TOP_DOWN_MAX_SLOTS
    if top_down:
        tree_w = width * _SLOT_W
        tree_h = ((levels - 1) * _ROW_H + _BOX_H) if levels else 0.0
    else:
        tree_w = (levels - 1) * _COL_W + _BOX_W
        tree_h = (width - 1) * _LANE_H + _BOX_H
    max_un_cols = max(3, min(_MAX_COLS, int((tree_w + 0.4) // _SLOT_W)))
    un_cols = min(len(unlinked), max_un_cols)
    un_rows = -(-len(unlinked) // un_cols) if unlinked else 0
    fig_w = max(tree_w, un_cols * _SLOT_W, 2.2 * _SLOT_W) + 0.4
    un_h = (un_rows * (_BOX_H + 0.35) + 0.55) if unlinked else 0.0
    gap = 0.45 if (levels and unlinked) else 0.0
    fig_h = tree_h + gap + un_h + (0.45 if title else 0.1) + 0.2
    fig = new_figure(fig_w, fig_h)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, fig_w)
    ax.set_ylim(0, fig_h)
    ax.set_axis_off()
    top = fig_h - (0.45 if title else 0.1)
    if title:
        ax.text(0.2, fig_h - 0.22, title, fontsize=11, fontweight="bold", va="center",
                color="#222", parse_math=False)  # fmt: skip

    centre: dict[str, tuple[float, float]] = {}
    x0 = (fig_w - tree_w) / 2
    for node, (slot, dep) in pos.items():
        if top_down:
            centre[node] = (x0 + (slot + 0.5) * _SLOT_W, top - _BOX_H / 2 - dep * _ROW_H)
        else:
            centre[node] = (x0 + _BOX_W / 2 + dep * _COL_W, top - _BOX_H / 2 - slot * _LANE_H)
    un_top = top - tree_h - gap
    if unlinked:
        fx0 = (fig_w - un_cols * _SLOT_W) / 2
        for k, node in enumerate(unlinked):
            r, c = divmod(k, un_cols)
            in_row = min(un_cols, len(unlinked) - r * un_cols)
            rx0 = fx0 + (un_cols - in_row) * _SLOT_W / 2
            centre[node] = (
                rx0 + (c + 0.5) * _SLOT_W,
                un_top - 0.5 - r * (_BOX_H + 0.35) - _BOX_H / 2,
            )
        frame = FancyBboxPatch(
            (fx0 + 0.05, un_top - un_h + 0.05), un_cols * _SLOT_W - 0.1, un_h - 0.1,
            boxstyle="round,pad=0,rounding_size=0.12", facecolor="#fafafa",
            edgecolor="#c8c8c8", linewidth=1.0, linestyle=(0, (4, 3)),
        )  # fmt: skip
        ax.add_patch(frame)
        ax.text(fx0 + 0.2, un_top - 0.22, "independent or unlinked reports", fontsize=8.5,
                color="#666", va="center", style="italic")  # fmt: skip

    def kind_of(node: str) -> str:
        if node in edge_of:
            return "derived"
        if node in unlinked or kinds.get(node) == "independent":
            return "independent"
        return "original"

    for node, (cx, cy) in centre.items():
        d = docs[node]
        face, edge_c = _STYLE[kind_of(node)]
        ax.add_patch(
            FancyBboxPatch(
                (cx - _BOX_W / 2, cy - _BOX_H / 2), _BOX_W, _BOX_H,
                boxstyle="round,pad=0,rounding_size=0.08", facecolor=face,
                edgecolor=edge_c, linewidth=1.3, zorder=3,
            )
        )  # fmt: skip
        outlet = outlet_of(d) or "unknown outlet"
        ax.text(cx, cy + 0.17, _clip(short[node], 22), ha="center", va="center", fontsize=9.5,
                fontweight="bold", color="#1d1d1d", zorder=4, parse_math=False)  # fmt: skip
        sub = _clip(outlet, 26)
        ax.text(cx, cy - 0.03, sub, ha="center", va="center", fontsize=8, color="#333",
                zorder=4, parse_math=False)  # fmt: skip
        line3 = date_str(d) or "undated"
        if show_title and d.title:
            line3 = _clip(f"{line3} · {d.title}" if date_str(d) else d.title, 32)
        ax.text(cx, cy - 0.2, line3, ha="center", va="center", fontsize=6.8, color="#666",
                zorder=4, parse_math=False)  # fmt: skip

    for e in edges:
        if e.parent not in centre or e.child not in centre:
            continue
        (px, py), (cx, cy) = centre[e.parent], centre[e.child]
        if not top_down and cx > px:
            start, end = (px + _BOX_W / 2, py), (cx - _BOX_W / 2, cy)
        elif cy > py:  # child drawn above its parent (cycle remnant): arrow upwards
            start, end = (px, py + _BOX_H / 2), (cx, cy - _BOX_H / 2)
        else:
            start, end = (px, py - _BOX_H / 2), (cx, cy + _BOX_H / 2)
        strength = max(0.15, min(1.0, e.confidence))
        # opaque colours, lighter for weaker edges: shared elbow segments must not darken
        ink = 0.35 + 0.6 * strength
        colour = tuple(1 - (1 - ch) * ink for ch in (0.122, 0.373, 0.659))
        style: dict[str, Any] = {
            "arrowstyle": "-|>,head_length=6,head_width=3.5", "mutation_scale": 1.0,
            "linewidth": 0.8 + 1.6 * strength, "color": colour, "zorder": 2,
        }  # fmt: skip
        if top_down or end[0] <= start[0]:
            ax.add_patch(FancyArrowPatch(start, end, shrinkA=1, shrinkB=2, **style))
            t = 0.55
            lx, ly = start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t
        else:
            # left-to-right: an elbow (out of the parent, down its bus, into the child),
            # labelled on the last stretch where every child has its own lane
            bus = start[0] + _BUS
            path = Path([start, (bus, start[1]), (bus, end[1]), end])
            ax.add_patch(FancyArrowPatch(path=path, shrinkA=0, shrinkB=1, **style))
            lx, ly = (bus + end[0]) / 2, end[1]
        label = _edge_label(e, short, with_evidence=with_evidence, width=24 if top_down else 20)
        label = svg_safe(label)
        ax.text(
            lx, ly, label,
            ha="center", va="center", fontsize=7.5 if top_down else 7, color="#173f6d", zorder=5,
            linespacing=1.15, parse_math=False,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none",
                  "alpha": 0.92},
        )  # fmt: skip
    return {fmt: figure_bytes(fig, fmt, dpi=150) for fmt in formats}


# -- the story pages' diagram: SVG written directly -----------------------------------
# A story page draws every node of its story. matplotlib costs 0.1-0.7 s and 30-360 KB
# per story picture (text drawn as glyph paths); the same layout written as SVG elements
# takes milliseconds and about half a kilobyte per box, and its text stays text.
_PX = 80.0  # SVG user units (CSS pixels at 100%) per layout inch
# In the SVG itself, so the file shows the same drawn alone as inline in a page.
_SVG_STYLE = (
    "<style>"
    "svg.lineage{font-family:system-ui,'DejaVu Sans',Arial,sans-serif}"
    "svg.lineage text{text-anchor:middle;dominant-baseline:middle}"
    "svg.lineage .node rect{stroke-width:1.3}"
    "svg.lineage .k-orig rect{fill:#e7f4ea;stroke:#2e7d32}"
    "svg.lineage .k-copy rect{fill:#e8f0fb;stroke:#1f5fa8}"
    "svg.lineage .k-indep rect{fill:#f3f3f3;stroke:#7a7a7a}"
    "svg.lineage .t1{font-size:12.5px;font-weight:700;fill:#1d1d1d}"
    "svg.lineage .t2{font-size:10.5px;fill:#333}"
    "svg.lineage .t3{font-size:9px;fill:#666}"
    "svg.lineage .edge{fill:none;stroke:#1f5fa8}"
    "svg.lineage .elabel rect{fill:#fff;fill-opacity:.92}"
    "svg.lineage .elabel text{font-size:9.5px;fill:#173f6d}"
    # a label that opens a pair page says so: most derivations have none (PAIR_PAGES)
    "svg.lineage .elabel a text{font-weight:700;text-decoration:underline}"
    "svg.lineage .elabel a rect{stroke:#1f5fa8;stroke-width:.8}"
    "svg.lineage .unlinked{fill:#fafafa;stroke:#c8c8c8;stroke-dasharray:4 3}"
    "svg.lineage .unlinked-label{font-size:11px;fill:#666;font-style:italic;"
    "text-anchor:start}"
    "svg.lineage .k-lost rect{fill:#fff;stroke:#8a5a00;stroke-dasharray:5 3}"
    "svg.lineage .edge.hypo{stroke:#8a5a00;stroke-dasharray:5 3}"
    "svg.lineage .edge.secondary{stroke:#1f5fa8;stroke-dasharray:6 4;stroke-opacity:.7}"
    "svg.lineage a:hover rect{stroke-width:2.5}"
    "</style>"
)
_KIND_CLASS = {"original": "k-orig", "derived": "k-copy", "independent": "k-indep"}


def _x(text: str) -> str:
    """Text for SVG character data or a double-quoted attribute: escaped, XML-legal."""
    from xml.sax.saxutils import escape

    return escape(svg_safe(text), {'"': "&quot;"})


def lineage_svg(
    lookups: Lookups,
    ids: Sequence[str],
    *,
    doc_href: dict[str, str] | None = None,
    pair_href: dict[tuple[str, str], str] | None = None,
    with_titles: bool = True,
) -> str:
    """The derivation forest of ``ids`` as one self-contained ``<svg>`` element.

    Every document of ``ids`` gets a box (``<g class="node" data-id=...>``), whatever the
    story's size: wide forests run left-to-right so the picture grows down the page. Boxes
    link to ``doc_href[id]`` and arrows' labels to ``pair_href[(parent, child)]`` when
    given. Work and size are proportional to ``ids``; nothing is read from the corpus.
    """
    lk = lookups
    order = lineage_order(lk.analysis, ids, lookups=lk)
    edges = lk.edges_within(order)
    # second sources and lost (hypothetical) sources are drawn dashed over the forest
    seconds = [e for e in edges if e.secondary]
    inside = set(order)
    lost = [h for h in lk.analysis.hypotheticals if inside.intersection(h.children)]
    first_parent: dict[str, Edge] = {}
    for e in edges:
        if not e.secondary:
            first_parent.setdefault(e.child, e)
    edges = list(first_parent.values())  # a forest: one drawn parent per child
    pos, unlinked, width, levels = layout_forest(order, edges)
    top_down = width <= _TOP_DOWN_MAX_SLOTS
    if top_down:
        tree_w = width * _SLOT_W
        tree_h = ((levels - 1) * _ROW_H + _BOX_H) if levels else 0.0
    else:
        tree_w = (levels - 1) * _COL_W + _BOX_W if levels else 0.0
        tree_h = (width - 1) * _LANE_H + _BOX_H if levels else 0.0
    max_un_cols = max(3, min(_MAX_COLS, int((tree_w + 0.4) // _SLOT_W)))
    un_cols = min(len(unlinked), max_un_cols)
    un_rows = -(-len(unlinked) // un_cols) if unlinked else 0
    fig_w = max(tree_w, un_cols * _SLOT_W, 2.2 * _SLOT_W) + 0.4
    un_h = (un_rows * (_BOX_H + 0.35) + 0.55) if unlinked else 0.0
    gap = 0.45 if (levels and unlinked) else 0.0
    lost_h = (_BOX_H + 0.7) if lost else 0.0
    fig_h = tree_h + gap + un_h + lost_h + 0.3
    top = 0.15
    centre: dict[str, tuple[float, float]] = {}
    x0 = (fig_w - tree_w) / 2
    for node, (slot, dep) in pos.items():
        if top_down:
            centre[node] = (x0 + (slot + 0.5) * _SLOT_W, top + _BOX_H / 2 + dep * _ROW_H)
        else:
            centre[node] = (x0 + _BOX_W / 2 + dep * _COL_W, top + _BOX_H / 2 + slot * _LANE_H)
    out: list[str] = []
    W, H = fig_w * _PX, fig_h * _PX

    def f(v: float) -> str:
        return f"{v * _PX:.1f}"

    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" width="{W:.0f}" '
        f'height="{H:.0f}" viewBox="0 0 {W:.0f} {H:.0f}" role="img" '
        f'aria-label="Lineage diagram of {len(order)} documents">'
    )
    out.append(_SVG_STYLE)
    out.append(
        '<defs><marker id="arr" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" '
        'fill="#1f5fa8"/></marker></defs>'
    )
    if unlinked:
        un_top = top + tree_h + gap
        fx0 = (fig_w - un_cols * _SLOT_W) / 2
        out.append(
            f'<rect class="unlinked" x="{f(fx0 + 0.05)}" y="{f(un_top)}" '
            f'width="{f(un_cols * _SLOT_W - 0.1)}" height="{f(un_h - 0.1)}" rx="10"/>'
            f'<text class="unlinked-label" x="{f(fx0 + 0.2)}" y="{f(un_top + 0.28)}">'
            "independent or unlinked reports</text>"
        )
        for k, node in enumerate(unlinked):
            r, c = divmod(k, un_cols)
            in_row = min(un_cols, len(unlinked) - r * un_cols)
            rx0 = fx0 + (un_cols - in_row) * _SLOT_W / 2
            centre[node] = (rx0 + (c + 0.5) * _SLOT_W, un_top + 0.5 + r * (_BOX_H + 0.35)
                            + _BOX_H / 2)  # fmt: skip
    if lost:
        lost_y = top + tree_h + gap + un_h + 0.45 + _BOX_H / 2
        step = fig_w / (len(lost) + 1)
        for k, h in enumerate(lost):
            centre[h.id] = ((k + 1) * step, lost_y)
    # arrows first, boxes over them
    for h in lost:
        hx, hy = centre[h.id]
        for kid in h.children:
            if kid in centre:
                cx, cy = centre[kid]
                out.append(
                    f'<path class="edge hypo" d="M{f(hx)},{f(hy - _BOX_H / 2)}'
                    f'L{f(cx)},{f(cy + _BOX_H / 2)}" marker-end="url(#arr)"/>'
                )
    for e in seconds:
        if e.parent in centre and e.child in centre:
            (px, py), (cx, cy) = centre[e.parent], centre[e.child]
            out.append(
                f'<path class="edge secondary" d="M{f(px)},{f(py)}L{f(cx)},{f(cy)}" '
                f'marker-end="url(#arr)"><title>second source of a region of '
                f"{_x(cap(lk.short[e.child]))}</title></path>"
            )
    with_evidence = len(edges) <= 12
    for e in edges:
        (px, py), (cx, cy) = centre[e.parent], centre[e.child]
        strength = max(0.15, min(1.0, e.confidence))
        sw = 0.8 + 1.6 * strength
        opacity = 0.35 + 0.6 * strength
        if top_down or cx <= px:
            if cy >= py:
                sx, sy, ex, ey = px, py + _BOX_H / 2, cx, cy - _BOX_H / 2
            else:  # drawn above its parent (a cycle's remnant): arrow upwards
                sx, sy, ex, ey = px, py - _BOX_H / 2, cx, cy + _BOX_H / 2
            dpath = f"M{f(sx)},{f(sy)}L{f(ex)},{f(ey)}"
            lx, ly = sx + (ex - sx) * 0.55, sy + (ey - sy) * 0.55
        else:
            sx, sy, ex, ey = px + _BOX_W / 2, py, cx - _BOX_W / 2, cy
            bus = sx + _BUS
            dpath = f"M{f(sx)},{f(sy)}H{f(bus)}V{f(ey)}H{f(ex)}"
            lx, ly = (bus + ex) / 2, ey
        out.append(
            f'<path class="edge" d="{dpath}" stroke-width="{sw:.2f}" '
            f'stroke-opacity="{opacity:.2f}" marker-end="url(#arr)"/>'
        )
        label = _edge_label(e, lk.short, with_evidence=with_evidence, width=24 if top_down else 20)
        lines = label.split("\n")[:3]
        lh = 0.14
        y0 = ly - (len(lines) - 1) * lh / 2
        tw = max(len(t) for t in lines) * 0.072 + 0.14
        body = (
            f'<rect x="{f(lx - tw / 2)}" y="{f(y0 - lh / 2 - 0.05)}" width="{f(tw)}" '
            f'height="{f(len(lines) * lh + 0.1)}" rx="3"/>'
            + "".join(
                f'<text x="{f(lx)}" y="{f(y0 + i * lh)}">{_x(t)}</text>'
                for i, t in enumerate(lines)
            )
        )
        href = (pair_href or {}).get((e.parent, e.child))
        if href:
            body = f'<a href="{_x(href)}">{body}</a>'
        out.append(f'<g class="elabel">{body}</g>')
    for node in order:
        cx, cy = centre[node]
        d = lk.docs[node]
        kind = (
            "derived"
            if node in first_parent
            else "independent"
            if node in unlinked or lk.kind.get(node) == "independent"
            else "original"
        )
        outlet = outlet_of(d) or "unknown outlet"
        line3 = date_str(d) or "undated"
        if with_titles and d.title:
            line3 = f"{line3} · {cap(d.title, 80)}" if date_str(d) else cap(d.title, 80)
        bx, by = cx - _BOX_W / 2, cy - _BOX_H / 2
        body = (
            f"<title>{_x(cap(d.id))}</title>"
            f'<rect x="{f(bx)}" y="{f(by)}" width="{f(_BOX_W)}" height="{f(_BOX_H)}" rx="6"/>'
            f'<text class="t1" x="{f(cx)}" y="{f(cy - 0.14)}">'
            f"{_x(_clip(lk.short[node], 22))}</text>"
            f'<text class="t2" x="{f(cx)}" y="{f(cy + 0.05)}">{_x(_clip(outlet, 26))}</text>'
            f'<text class="t3" x="{f(cx)}" y="{f(cy + 0.22)}">{_x(_clip(line3, 29))}</text>'
        )
        href = (doc_href or {}).get(node)
        if href:
            body = f'<a href="{_x(href)}">{body}</a>'
        out.append(f'<g class="node {_KIND_CLASS[kind]}" data-id="{_x(cap(node))}">{body}</g>')
    for h in lost:
        cx, cy = centre[h.id]
        bx, by = cx - _BOX_W / 2, cy - _BOX_H / 2
        n = len(h.children)
        out.append(
            f'<g class="node k-lost" data-id="{_x(cap(h.id))}" data-hypothetical="true">'
            f"<title>{_x(cap(h.id))}</title>"
            f'<rect x="{f(bx)}" y="{f(by)}" width="{f(_BOX_W)}" height="{f(_BOX_H)}" rx="6"/>'
            f'<text class="t1" x="{f(cx)}" y="{f(cy - 0.08)}">lost source</text>'
            f'<text class="t3" x="{f(cx)}" y="{f(cy + 0.14)}">not in the corpus · '
            f"{n} cop{'y' if n == 1 else 'ies'}</text></g>"
        )
    out.append("</svg>")
    return "\n".join(out)
