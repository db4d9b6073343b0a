"""Files for other tools: GraphML (Gephi, Cytoscape, yEd, networkx), Parquet (pandas,
Polars, DuckDB, Spark, R) and passim's JSON-lines input.

Each writer is a plain function of an :class:`~lineage.model.Analysis`, callable from
Jupyter (``lineage.export_graphml(analysis, "forest.graphml")``) and used by
:func:`lineage.export.write_exports` for ``lineage analyze --formats`` (by default
GraphML, and Parquet when pyarrow is installed):

* ``lineage.graphml`` -- the lineage forest: one node per document (id, title, outlet,
  date as ISO text, url, path, story index, role), one edge per derivation, parent to
  child, with its confidence and the kinds of evidence for and against it;
* ``documents.parquet``, ``pairs.parquet``, ``passages.parquet``, ``edges.parquet`` --
  the rows of the CSV tables and passages.jsonl, typed (needs pyarrow:
  ``pip install 'lineage[parquet]'``);
* ``passim.jsonl`` -- one line per document with ``id``, ``series``, ``date``, ``text``
  (and ``title``, ``url``), the input passim reads; ``series`` is the outlet, or the
  document's own id when no outlet is known, because passim ignores reuse inside a series.

Everything is written atomically (through :mod:`lineage.files`) and deterministically.
networkx and pyarrow are imported only when their format is written.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lineage.files import OutputDir, output_dir, write_bytes_atomic, write_text_atomic
from lineage.model import (
    _DOC_COLUMNS,
    _PAIR_COLUMNS,
    _PASSAGE_COLUMNS,
    Analysis,
    Edge,
    _document_row,
    _pair_row,
    _passage_row,
)

if TYPE_CHECKING:  # heavy; imported where a graph or a table is built
    import networkx as nx
    import pyarrow as pa

__all__ = [
    "FORMATS",
    "MissingDependency",
    "default_formats",
    "export_graphml",
    "export_parquet",
    "export_passim",
    "parquet_available",
    "parquet_tables",
    "passim_records",
    "parse_formats",
    "to_networkx",
    "write_formats",
]

# what ``--formats`` accepts, in the order they are written
FORMATS = ("graphml", "parquet", "passim")
PARQUET_TABLES = ("documents", "pairs", "passages", "edges")
INSTALL_PARQUET = "pip install 'lineage[parquet]'"


class MissingDependency(RuntimeError):
    """A format was asked for whose library is not installed; the message says how to
    install it, in one line."""


# -- which formats ----------------------------------------------------------------


def parquet_available() -> bool:
    """Whether pyarrow can be imported (Parquet is an optional extra)."""
    import importlib.util

    return importlib.util.find_spec("pyarrow") is not None


def default_formats() -> tuple[str, ...]:
    """GraphML always, Parquet when pyarrow is there; passim's JSONL only when asked for.

    Note: passim.jsonl is a copy of every text read (3.9 MB for the 3.9 MB, 1,483-document
    simulated corpus), so it is written on request; the GraphML (0.9 MB there) and the
    zstd Parquet tables (2.7 MB) are small beside passages.jsonl (24 MB).
    """
    return tuple(f for f in FORMATS if f == "graphml" or (f == "parquet" and parquet_available()))


def parse_formats(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"graphml,parquet"``, ``["passim"]``, ``"all"``, ``"none"`` or ``None`` (the
    default) as a tuple of format names in :data:`FORMATS` order.

    ``all`` and a named ``parquet`` need pyarrow: :class:`MissingDependency` otherwise,
    before any work is done. Unknown names are a :class:`ValueError` listing the choices.

    >>> parse_formats("passim, graphml")
    ('graphml', 'passim')
    >>> parse_formats("none")
    ()
    """
    if value is None:
        return default_formats()
    names = value.split(",") if isinstance(value, str) else list(value)
    wanted = {n.strip().lower() for n in names if n.strip()}
    if "none" in wanted:
        if len(wanted) > 1:
            raise ValueError("'none' cannot be combined with other formats")
        return ()
    if "all" in wanted:
        wanted = (wanted - {"all"}) | set(FORMATS)
    unknown = sorted(wanted - set(FORMATS))
    if unknown:
        raise ValueError(
            f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}, all, none"
        )
    if "parquet" in wanted and not parquet_available():
        raise MissingDependency(f"Parquet needs pyarrow, which is not installed: {INSTALL_PARQUET}")
    return tuple(f for f in FORMATS if f in wanted)


def write_formats(
    analysis: Analysis,
    out_dir: str | os.PathLike[str] | OutputDir,
    *,
    formats: Iterable[str] | None = None,
) -> list[Path]:
    """Write the files of ``formats`` (names of :data:`FORMATS`; ``None``: the
    :func:`default_formats`) into ``out_dir``; returns the files written."""
    chosen = parse_formats(formats)
    written: list[Path] = []
    with output_dir(out_dir) as out:  # the run's folder: each file goes in its manifest
        if "graphml" in chosen:
            written.append(out.write_bytes("lineage.graphml", graphml_bytes(analysis)))
        if "parquet" in chosen:
            written += [out.write_bytes(n, b) for n, b in parquet_files(analysis).items()]
        if "passim" in chosen:
            written.append(out.write_text("passim.jsonl", passim_text(analysis)))
    return written


# -- text every format can hold -----------------------------------------------------

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except the
# surrogates and U+FFFE/U+FFFF; an id or title can hold an ESC or a lone surrogate (from a
# JavaScript export), which would make the GraphML unreadable or the UTF-8 unwritable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _xml_text(value: str) -> str:
    # a control character is shown as an escape ("\\x1b"), as the terminal shows it, so
    # two ids stay two nodes; a lone surrogate becomes U+FFFD, as everywhere in lineage
    return _NOT_XML.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}"
        ),
        _utf8_text(value),
    )


def _utf8_text(value: str) -> str:
    return _SURROGATE.sub("\ufffd", value)


# -- evidence as data ---------------------------------------------------------------


def _evidence_records(edge: Edge) -> list[dict[str, Any]]:
    """Each piece of an edge's evidence as ``{kind, sign, score, facts, text}``.

    Evidence records (``kind``, ``sign``, ``score``, ``facts``, ``text``) are read as they
    are. Note: a plain sentence (the evidence of lineage 0.1, "reuse: 59% of ...") has
    no sign or score; its kind is the last word before its first colon, the way those
    sentences were written ("against, containment: ..." is kind "containment": that
    label's "against" was wording, not a sign, so it is not read as one).
    """
    records = []
    for ev in edge.evidence:
        if isinstance(ev, str):
            head, colon, _rest = ev.partition(":")
            kind = head.rsplit(",", 1)[-1].strip() if colon else ""
            records.append({"kind": kind, "sign": None, "score": None, "facts": None, "text": ev})
        else:
            facts = getattr(ev, "facts", None)
            records.append(
                {
                    "kind": str(getattr(ev, "kind", "")),
                    "sign": getattr(ev, "sign", None),
                    "score": getattr(ev, "score", None),
                    "facts": dict(facts) if facts else None,
                    "text": str(getattr(ev, "text", "")),
                }
            )
    return records


def _kinds(records: Sequence[dict[str, Any]], sign: str | None = None) -> list[str]:
    """The distinct kinds, in the records' order (strongest first), of one sign or all."""
    seen: dict[str, None] = {}
    for r in records:
        if r["kind"] and (sign is None or r["sign"] == sign):
            seen.setdefault(r["kind"], None)
    return list(seen)


# -- GraphML ------------------------------------------------------------------------


def to_networkx(analysis: Analysis) -> nx.DiGraph:
    """The lineage forest as a ``networkx.DiGraph``: every document a node keyed by its
    id, every derivation an edge parent -> child.

    Node attributes (absent when unknown): ``label`` (title, else id), ``title``,
    ``outlet``, ``date`` (ISO text: a day, or a time with its offset), ``url``,
    ``path``, ``words``, ``story`` (index into ``analysis.stories``), ``role``
    ("original", "independent" or "copy") and ``hypothetical`` (true for a node that
    an edge names but that is no document read, such as a lost source).
    Edge attributes: ``confidence``, ``evidence`` (the kinds of all its evidence,
    comma-separated, strongest first), ``evidence_for`` and ``evidence_against`` (the
    kinds by sign, when the evidence records carry one).
    Graph attributes: ``generator`` and ``profile``.

    Every value is a str, int, float or bool, so ``nx.write_graphml`` takes the graph as
    it is.
    """
    import networkx as nx

    from lineage import __version__

    g = nx.DiGraph(generator=f"lineage {__version__}", profile=analysis.config.profile)
    story_of = {doc: i for i, story in enumerate(analysis.stories) for doc in story}
    role = {o.id: o.kind for o in analysis.origins}
    role.update({e.child: "copy" for e in analysis.edges})
    for d in analysis.documents:
        words, _boiler = analysis.word_counts.get(d.id, (0, 0))
        attrs: dict[str, Any] = {
            "label": d.title or d.id,
            "title": d.title,
            "outlet": d.outlet,
            "date": d.date_iso,
            "url": d.url,
            "path": d.path,
            "words": words,
            "story": story_of.get(d.id),
            "role": role.get(d.id),
            "hypothetical": False,
        }
        g.add_node(d.id, **{k: v for k, v in attrs.items() if v is not None})
    for e in analysis.edges:
        for end in (e.parent, e.child):
            if end not in g:
                # an edge to something no document is (a lost common source): drawn, marked
                extra = {"label": end, "hypothetical": True, "story": story_of.get(e.child)}
                g.add_node(end, **{k: v for k, v in extra.items() if v is not None})
        records = _evidence_records(e)
        attrs = {"confidence": float(e.confidence), "evidence": ", ".join(_kinds(records))}
        if any(r["sign"] is not None for r in records):
            attrs["evidence_for"] = ", ".join(_kinds(records, "for"))
            attrs["evidence_against"] = ", ".join(_kinds(records, "against"))
        g.add_edge(e.parent, e.child, **attrs)
    return g


def export_graphml(analysis: Analysis, path: str | os.PathLike[str]) -> Path:
    """Write the lineage forest (:func:`to_networkx`) as GraphML to ``path``.

    >>> export_graphml(lineage.analyze(["seeds"]), "forest.graphml")   # doctest: +SKIP
    """
    return write_bytes_atomic(path, graphml_bytes(analysis))


def graphml_bytes(analysis: Analysis) -> bytes:
    """The lineage forest (:func:`to_networkx`) as a GraphML document."""
    import networkx as nx

    graph = to_networkx(analysis)
    # ids and titles are untrusted text: make every string one XML can hold
    clean = nx.relabel_nodes(graph, {n: _xml_text(n) for n in graph}, copy=True)
    for _n, attrs in clean.nodes(data=True):
        for k, v in attrs.items():
            if isinstance(v, str):
                attrs[k] = _xml_text(v)
    for _u, _v, attrs in clean.edges(data=True):
        for k, v in attrs.items():
            if isinstance(v, str):
                attrs[k] = _xml_text(v)
    buf = io.BytesIO()
    nx.write_graphml(clean, buf, encoding="utf-8", prettyprint=True)
    return buf.getvalue()


# -- Parquet ------------------------------------------------------------------------


def _edge_rows(analysis: Analysis) -> list[dict[str, Any]]:
    rows = []
    for e in analysis.edges:
        records = _evidence_records(e)
        rows.append(
            {
                "parent": e.parent,
                "child": e.child,
                "confidence": float(e.confidence),
                "evidence": [
                    {
                        "kind": r["kind"],
                        "sign": r["sign"],
                        "score": None if r["score"] is None else float(r["score"]),
                        "text": r["text"],
                        # free-form facts (ids, spans, counts): one JSON text per record
                        "facts": None
                        if r["facts"] is None
                        else json.dumps(r["facts"], ensure_ascii=False, sort_keys=True),
                    }
                    for r in records
                ],
                "evidence_kinds": _kinds(records),
                "alternatives": [
                    {"parent": a.parent, "confidence": float(a.confidence)} for a in e.alternatives
                ],
            }
        )
    return rows


def _schemas() -> dict[str, dict[str, pa.DataType | None]]:
    import pyarrow as pa

    evidence = pa.struct(
        [
            ("kind", pa.string()),
            ("sign", pa.string()),
            ("score", pa.float64()),
            ("text", pa.string()),
            ("facts", pa.string()),
        ]
    )
    alternative = pa.struct([("parent", pa.string()), ("confidence", pa.float64())])
    types: dict[str, pa.DataType] = {
        "id": pa.string(), "title": pa.string(), "outlet": pa.string(),
        "date": pa.string(), "path": pa.string(), "words": pa.int64(),
        "boilerplate_words": pa.int64(), "a": pa.string(), "b": pa.string(),
        "jaccard": pa.float64(), "a_in_b": pa.float64(), "b_in_a": pa.float64(),
        "a_in_b_narrative": pa.float64(), "b_in_a_narrative": pa.float64(),
        "passages": pa.int64(), "reused_words": pa.int64(), "a_start": pa.int64(),
        "a_end": pa.int64(), "b_start": pa.int64(), "b_end": pa.int64(),
        "similarity": pa.float64(), "quoted": pa.bool_(), "a_text": pa.string(),
        "b_text": pa.string(), "quoted_words": pa.int64(), "narrative_words": pa.int64(),
    }  # fmt: skip

    def schema(columns: Sequence[str]) -> dict[str, pa.DataType | None]:
        # None: a column added to the tables later and not typed here, typed by its values
        return {c: types.get(c) for c in columns}

    return {
        "documents": schema(_DOC_COLUMNS),
        "pairs": schema(_PAIR_COLUMNS),
        "passages": schema(_PASSAGE_COLUMNS),
        "edges": {
            "parent": pa.string(),
            "child": pa.string(),
            "confidence": pa.float64(),
            "evidence": pa.list_(evidence),
            "evidence_kinds": pa.list_(pa.string()),
            "alternatives": pa.list_(alternative),
        },
    }


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _utf8_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def parquet_tables(analysis: Analysis) -> dict[str, pa.Table]:
    """The documents, pairs, passages and edges tables as ``pyarrow.Table``: the rows of
    documents.csv, pairs.csv, passages.jsonl and edges.csv, with typed columns (an
    edge's evidence is a list of ``{kind, sign, score, text, facts}``)."""
    try:
        import pyarrow as pa
    except ImportError as exc:
        raise MissingDependency(
            f"Parquet needs pyarrow, which is not installed: {INSTALL_PARQUET}"
        ) from exc
    schemas = _schemas()
    rows: dict[str, list[dict[str, Any]]] = {
        "documents": [_document_row(analysis, d) for d in analysis.documents],
        "pairs": [_pair_row(p) for p in analysis.pairs],
        "passages": [_passage_row(p) for p in analysis.passages],
        "edges": _edge_rows(analysis),
    }
    tables = {}
    for name in PARQUET_TABLES:
        arrays = {}
        for column, kind in schemas[name].items():
            values = [_clean(r.get(column)) for r in rows[name]]
            array = pa.array(values, type=kind)
            if pa.types.is_null(array.type):  # untyped and empty (or all unknown): text
                array = array.cast(pa.string())
            arrays[column] = array
        tables[name] = pa.table(arrays)
    return tables


def export_parquet(analysis: Analysis, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write documents.parquet, pairs.parquet, passages.parquet and edges.parquet into
    ``out_dir`` (zstd-compressed); returns the files written.

    >>> pd.read_parquet("reports/pairs.parquet")   # doctest: +SKIP
    """
    return [
        write_bytes_atomic(Path(out_dir) / name, data)
        for name, data in parquet_files(analysis).items()
    ]


def parquet_files(analysis: Analysis) -> dict[str, bytes]:
    """``{file name: Parquet bytes}`` of the four tables, zstd-compressed."""
    tables = parquet_tables(analysis)
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = {}
    for name in PARQUET_TABLES:
        sink = pa.BufferOutputStream()
        pq.write_table(tables[name], sink, compression="zstd")
        files[f"{name}.parquet"] = sink.getvalue().to_pybytes()
    return files


# -- passim -------------------------------------------------------------------------


def passim_records(analysis: Analysis) -> list[dict[str, Any]]:
    """One record per document in passim's input format: ``id``, ``series``, ``date``
    (ISO text, or null when unknown), ``text`` (as read, chrome included), then
    ``title`` and ``url`` when known (passim passes other fields through to its output).

    ``series`` is the outlet, else the document's own id: passim ignores reuse between
    documents of one series, so documents of unknown outlet must not share one.
    """
    out = []
    for d in analysis.documents:
        rec: dict[str, Any] = {
            "id": d.id,
            "series": d.outlet or d.id,
            "date": d.date_iso,
            "text": d.text,
        }
        if d.title:
            rec["title"] = d.title
        if d.url:
            rec["url"] = d.url
        out.append(rec)
    return out


def export_passim(analysis: Analysis, path: str | os.PathLike[str]) -> Path:
    """Write :func:`passim_records` as JSON lines to ``path`` (run ``passim path out/``)."""
    return write_text_atomic(path, passim_text(analysis))


def passim_text(analysis: Analysis) -> str:
    """:func:`passim_records` as JSON lines."""
    lines = (json.dumps(r, ensure_ascii=False) for r in passim_records(analysis))
    return _utf8_text("".join(line + "\n" for line in lines))
