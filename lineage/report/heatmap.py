"""The reuse heatmap: how much of each row's text is found in each column's.

Cell (row i, column j) is ``pair.share(row_id)``: the share of document i's words that
sit inside passages shared with document j. Documents are in lineage order (parents
before children), so a copied family shows as a bright block near the diagonal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lineage.report._common import (
    Lookups,
    figure_bytes,
    lineage_order,
    new_figure,
    outlet_of,
    svg_safe,
)

if TYPE_CHECKING:
    import numpy as np

    from lineage.model import Analysis

__all__ = ["HEATMAP_MAX_DOCS", "render_heatmap", "share_matrix"]

# Beyond this a matrix is a texture, not a picture: callers draw per-story heatmaps.
HEATMAP_MAX_DOCS = 60
# Cell values are written up to this many documents.
_CELL_TEXT_MAX = 30


def share_matrix(
    analysis: Analysis, ids: Sequence[str], *, lookups: Lookups | None = None
) -> np.ndarray:
    """``m[i, j]`` = share of ``ids[i]``'s words found in ``ids[j]``; NaN on the diagonal."""
    import numpy as np

    pos = {d: k for k, d in enumerate(ids)}
    m = np.zeros((len(ids), len(ids)), dtype=float)
    pairs = lookups.pairs_within(ids) if lookups is not None else analysis.pairs
    for p in pairs:
        i, j = pos.get(p.a), pos.get(p.b)
        if i is None or j is None:
            continue
        m[i, j] = p.a_in_b
        m[j, i] = p.b_in_a
    np.fill_diagonal(m, np.nan)
    return m


def _labels(lk: Lookups, ids: Sequence[str]) -> list[str]:
    out = []
    for i in ids:
        outlet = outlet_of(lk.docs[i])
        # matplotlib copies text into SVG comments: no raw control characters
        label = svg_safe(f"{lk.short[i]} · {outlet}" if outlet else lk.short[i])
        out.append(label if len(label) <= 30 else label[:29] + "…")
    return out


def render_heatmap(
    analysis: Analysis,
    ids: Sequence[str] | None = None,
    *,
    formats: Sequence[str] = ("png", "svg"),
    title: str | None = None,
    lookups: Lookups | None = None,
) -> dict[str, bytes]:
    """Draw the heatmap of ``ids`` (default: every document) and return bytes per format.

    Sizes scale with the number of documents: roomy cells with percentages at 5
    documents, small cells and small labels at 60, no cell text above 30.
    """
    import numpy as np
    from matplotlib import colormaps

    lk = lookups if lookups is not None else Lookups(analysis)
    order = lineage_order(analysis, ids, lookups=lk)
    n = len(order)
    m = share_matrix(analysis, order, lookups=lk)
    labels = _labels(lk, order)
    title = svg_safe(title) if title else title

    cell = 0.62 if n <= 8 else max(0.2, min(0.62, 5.5 / n))
    label_pt = 9.0 if n <= 12 else max(5.5, 9.0 - (n - 12) * 0.08)
    cell_pt = max(5.0, min(9.0, cell * 14))
    side = max(cell * n, 1.2)
    margin = 0.075 * label_pt * max((len(s) for s in labels), default=4) / 1.0
    fig = new_figure(side + margin + 1.2, side + margin + 0.6)
    ax = fig.add_axes((0, 0, 1, 1))  # resized by bbox_inches="tight" at save time
    ax.set_position(
        (
            (margin + 0.1) / fig.get_figwidth(),
            0.2 / fig.get_figheight(),
            side / fig.get_figwidth(),
            side / fig.get_figheight(),
        )
    )
    cmap = colormaps["YlOrRd"].with_extremes(bad="#e6e6e6")
    im = ax.imshow(np.ma.masked_invalid(m), cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xticklabels(labels, rotation=60, ha="left", fontsize=label_pt, parse_math=False)
    ax.set_yticklabels(labels, fontsize=label_pt, parse_math=False)
    ax.xaxis.tick_top()
    ax.tick_params(length=0, pad=3)
    ax.set_xticks(np.arange(-0.5, n, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, n, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.2 if n <= 30 else 0.4)
    ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_ylabel("share of the row's text found in the column's document", fontsize=label_pt,
                  color="#444")  # fmt: skip
    if n <= _CELL_TEXT_MAX:
        for i in range(n):
            for j in range(n):
                v = m[i, j]
                if np.isnan(v):
                    continue
                if v < 0.005:
                    text, color = "·", "#b0b0b0"
                else:
                    text = f"{round(v * 100):d}" + ("%" if n <= 8 else "")
                    color = "white" if v >= 0.55 else "#3a2a1a"
                ax.text(
                    j, i, text, ha="center", va="center", fontsize=cell_pt,
                    color=color, parse_math=False,
                )  # fmt: skip
    # outline the cell of each inferred derivation: row = the copy, column = its parent
    from matplotlib.patches import Rectangle

    pos = {d: k for k, d in enumerate(order)}
    for e in lk.edges_within(order):
        row, col = pos.get(e.child), pos.get(e.parent)
        if row is not None and col is not None and row != col:
            ax.add_patch(
                Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="#1f5fa8",
                          linewidth=2.2 if n <= 30 else 1.0, zorder=3)
            )  # fmt: skip
    cax = fig.add_axes(
        (
            (margin + side + 0.3) / fig.get_figwidth(),
            0.2 / fig.get_figheight(),
            0.12 / fig.get_figwidth(),
            min(side, 3.0) / fig.get_figheight(),
        )
    )
    cb = fig.colorbar(im, cax=cax)
    cb.set_ticks([0, 0.25, 0.5, 0.75, 1.0], labels=["0%", "25%", "50%", "75%", "100%"])
    cb.ax.tick_params(labelsize=max(6.0, label_pt - 1), length=2)
    cb.outline.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=label_pt + 2, parse_math=False)
    out = {
        fmt: figure_bytes(fig, fmt, bbox_inches="tight", pad_inches=0.15, dpi=110)
        for fmt in formats
    }
    return out
