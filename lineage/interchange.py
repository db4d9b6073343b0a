"""Files for other tools: GraphML (Gephi, Cytoscape, yEd, networkx), Parquet (pandas,
Polars, DuckDB, Spark, R) and passim's JSON-lines input.

Each writer is a plain function of an :class:`~lineage.model.Analysis`, callable from
Jupyter (``lineage.export_graphml(analysis, "forest.graphml")``) and used by
:func:`lineage.export.write_exports` for ``lineage analyze --formats`` (none by
default: ``--formats graphml,parquet``, ``all``):

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
import itertools
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from lineage.files import OutputDir, open_atomic, output_dir
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
    """None: GraphML, Parquet and passim's JSONL are written when asked for
    (``--formats graphml,parquet``, ``all``).

    Note: they repeat what lineage.json, the CSV tables and passages.jsonl.gz hold, in
    other tools' forms. On the 1,483-document simulated corpus (2026-12-02) the GraphML
    was 1.07 MB, the zstd Parquet tables 0.68 MB and passim.jsonl, a copy of every text
    read, 3.9 MB: written by default they were part of an output 12x the input, and
    the issue's bound is 25 MB (docs/REPORTS.md, "Size").
    """
    return ()


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
    passage_text: bool = False,
) -> list[Path]:
    """Write the files of ``formats`` (names of :data:`FORMATS`; ``None``: the
    :func:`default_formats`) into ``out_dir``; returns the files written.
    ``passage_text``: passages.parquet also holds the passages' two texts, as
    passages.jsonl does (:func:`lineage.export.write_exports`)."""
    chosen = parse_formats(formats)
    written: list[Path] = []
    with output_dir(out_dir) as out:  # the run's folder: each file goes in its manifest
        # each file streamed into its temporary: no file is ever one bytes object
        if "graphml" in chosen:
            with out.open_binary("lineage.graphml") as fh:
                _write_graphml(analysis, fh)
            written.append(out.target("lineage.graphml"))
        if "parquet" in chosen:
            for name in PARQUET_TABLES:
                with out.open_binary(f"{name}.parquet") as fh:
                    _write_parquet(analysis, name, fh, passage_text=passage_text)
                written.append(out.target(f"{name}.parquet"))
        if "passim" in chosen:
            with out.open_text("passim.jsonl") as fh:
                _write_passim(analysis, fh)
            written.append(out.target("passim.jsonl"))
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
    records: list[dict[str, Any]] = []
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
    with open_atomic(path, "wb") as fh:
        _write_graphml(analysis, fh)
    return Path(path)


def graphml_bytes(analysis: Analysis) -> bytes:
    """The lineage forest (:func:`to_networkx`) as a GraphML document."""
    buf = io.BytesIO()
    _write_graphml(analysis, buf)
    return buf.getvalue()


def _write_graphml(analysis: Analysis, fh: IO[bytes]) -> None:
    import networkx as nx

    graph = to_networkx(analysis)
    # ids and titles are untrusted text: make every string one XML can hold. The graph
    # is this call's own, so it is cleaned in place (a copy was a second graph in memory);
    # only ids that change are relabelled, by a copy, which keeps the nodes' order
    renamed = {n: _xml_text(n) for n in graph if _xml_text(n) != n}
    if renamed:
        graph = nx.relabel_nodes(graph, renamed, copy=True)
    for _n, attrs in graph.nodes(data=True):
        for k, v in attrs.items():
            if isinstance(v, str):
                attrs[k] = _xml_text(v)
    for _u, _v, attrs in graph.edges(data=True):
        for k, v in attrs.items():
            if isinstance(v, str):
                attrs[k] = _xml_text(v)
    # written to the file as it is serialized (networkx's lxml writer is incremental)
    nx.write_graphml(graph, fh, encoding="utf-8", prettyprint=True)


# -- Parquet ------------------------------------------------------------------------


def _edge_rows(analysis: Analysis) -> Iterator[dict[str, Any]]:
    for e in analysis.edges:
        records = _evidence_records(e)
        yield (
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


# rows per Parquet row group: the tables are built and written a chunk at a time, so a
# passages table of millions of rows never sits in memory whole
_CHUNK_ROWS = 10_000
_CHUNK_EDGES = 2_000  # an edge's row holds its evidence records: a few kB each


def _table_rows(analysis: Analysis, name: str) -> Iterator[dict[str, Any]]:
    if name == "documents":
        return (_document_row(analysis, d) for d in analysis.documents)
    if name == "pairs":
        return (_pair_row(p) for p in analysis.pairs)
    if name == "passages":
        return (_passage_row(p) for p in analysis.passages)
    return _edge_rows(analysis)


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise MissingDependency(
            f"Parquet needs pyarrow, which is not installed: {INSTALL_PARQUET}"
        ) from exc


# the passages' two texts: in passages.parquet only when asked for, as in passages.jsonl
_PASSAGE_TEXTS = ("a_text", "b_text")


def _record_batches(
    analysis: Analysis, name: str, *, chunk: int | None = None, passage_text: bool = True
) -> Iterator[pa.Table]:
    """Table ``name`` as tables of at most ``chunk`` rows, all of one schema (an untyped
    column takes the type of its first chunk's values, text when they are all null)."""
    _require_pyarrow()
    import pyarrow as pa

    chunk = chunk or (_CHUNK_EDGES if name == "edges" else _CHUNK_ROWS)
    schema = {c: t for c, t in _schemas()[name].items() if passage_text or c not in _PASSAGE_TEXTS}
    fixed: dict[str, pa.DataType] = {}
    rows = iter(_table_rows(analysis, name))  # islice on a list would restart it
    first = True
    while True:
        part = list(itertools.islice(rows, chunk))
        if not part and not first:
            return
        arrays = {}
        for column, kind in schema.items():
            values = [_clean(r.get(column)) for r in part]
            array = pa.array(values, type=kind or fixed.get(column))
            if pa.types.is_null(array.type):  # untyped and empty (or all unknown): text
                array = array.cast(pa.string())
            fixed.setdefault(column, array.type)
            arrays[column] = array
        first = False
        yield pa.table(arrays)
        if len(part) < chunk:
            return


def parquet_tables(analysis: Analysis, *, passage_text: bool = True) -> dict[str, pa.Table]:
    """The documents, pairs, passages and edges tables as ``pyarrow.Table``: the rows of
    documents.csv, pairs.csv, passages.jsonl and edges.csv, with typed columns (an
    edge's evidence is a list of ``{kind, sign, score, text, facts}``). ``passage_text``:
    the passages table holds each passage's two texts (the files leave them out unless
    asked for)."""
    _require_pyarrow()
    import pyarrow as pa

    return {
        name: pa.concat_tables(list(_record_batches(analysis, name, passage_text=passage_text)))
        for name in PARQUET_TABLES
    }


def _write_parquet(
    analysis: Analysis, name: str, fh: IO[bytes], *, passage_text: bool = False
) -> None:
    """Table ``name``, zstd-compressed, one row group per chunk of rows."""
    _require_pyarrow()
    import pyarrow.parquet as pq

    writer: pq.ParquetWriter | None = None
    try:
        for table in _record_batches(analysis, name, passage_text=passage_text):
            if writer is None:
                writer = pq.ParquetWriter(fh, table.schema, compression="zstd")
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def export_parquet(
    analysis: Analysis, out_dir: str | os.PathLike[str], *, passage_text: bool = False
) -> list[Path]:
    """Write documents.parquet, pairs.parquet, passages.parquet and edges.parquet into
    ``out_dir`` (zstd-compressed); returns the files written. ``passage_text``:
    passages.parquet holds the passages' two texts too.

    >>> pd.read_parquet("reports/pairs.parquet")   # doctest: +SKIP
    """
    written = []
    for name in PARQUET_TABLES:
        with open_atomic(Path(out_dir) / f"{name}.parquet", "wb") as fh:
            _write_parquet(analysis, name, fh, passage_text=passage_text)
        written.append(Path(out_dir) / f"{name}.parquet")
    return written


def parquet_files(analysis: Analysis, *, passage_text: bool = False) -> dict[str, bytes]:
    """``{file name: Parquet bytes}`` of the four tables, zstd-compressed."""
    files = {}
    for name in PARQUET_TABLES:
        buf = io.BytesIO()
        _write_parquet(analysis, name, buf, passage_text=passage_text)
        files[f"{name}.parquet"] = buf.getvalue()
    return files


# -- passim -------------------------------------------------------------------------


def passim_records(analysis: Analysis) -> list[dict[str, Any]]:
    """One record per document in passim's input format: ``id``, ``series``, ``date``
    (ISO text, or null when unknown), ``text`` (as read, chrome included), then
    ``title`` and ``url`` when known (passim passes other fields through to its output).

    ``series`` is the outlet, else the document's own id: passim ignores reuse between
    documents of one series, so documents of unknown outlet must not share one.
    """
    return list(_passim_records(analysis))


def _passim_records(analysis: Analysis) -> Iterator[dict[str, Any]]:
    """The records of :func:`passim_records`, one at a time."""
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
        yield rec


def export_passim(analysis: Analysis, path: str | os.PathLike[str]) -> Path:
    """Write :func:`passim_records` as JSON lines to ``path`` (run ``passim path out/``)."""
    with open_atomic(path, "w") as fh:
        _write_passim(analysis, fh)
    return Path(path)


def passim_text(analysis: Analysis) -> str:
    """:func:`passim_records` as JSON lines."""
    buf = io.StringIO()
    _write_passim(analysis, buf)
    return buf.getvalue()


def _write_passim(analysis: Analysis, fh: IO[str]) -> None:
    for r in _passim_records(analysis):  # a line at a time: each is a document's text
        fh.write(_utf8_text(json.dumps(r, ensure_ascii=False)) + "\n")
