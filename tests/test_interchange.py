"""Files for other tools: GraphML, Parquet and passim's JSONL read back by the libraries
people use on them, and agree with lineage's own CSV and JSONL tables."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import SEEDS

import lineage
from lineage.cli import main
from lineage.export import read_jsonl
from lineage.model import Analysis, Document, Edge


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("interchange") / "out"
    args = ["analyze", str(SEEDS), "--out", str(out), "-q", "--no-html", "--formats", "all"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    return out


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# -- GraphML ------------------------------------------------------------------------


def test_graphml_reads_back_with_the_edges_of_edges_csv(seeds_out):
    g = nx.read_graphml(seeds_out / "lineage.graphml")
    assert g.is_directed()
    edges = _csv_rows(seeds_out / "edges.csv")
    assert edges, "the seeds have derivation edges"
    assert sorted(g.edges) == sorted((e["parent"], e["child"]) for e in edges)
    for e in edges:
        data = g.edges[e["parent"], e["child"]]
        assert data["confidence"] == pytest.approx(float(e["confidence"]))
        assert data["evidence"]  # the kinds of its evidence, e.g. "reuse, dateline, ..."
    docs = _csv_rows(seeds_out / "documents.csv")
    assert set(g.nodes) == {d["id"] for d in docs}
    for d in docs:
        node = g.nodes[d["id"]]
        for field in ("title", "outlet", "date", "path"):
            # absent when unknown (GraphML has no null), else the CSV's value
            assert node.get(field, "") == d[field], (d["id"], field)
        assert node["hypothetical"] is False
        assert node["role"] in {"original", "independent", "copy"}


def test_graphml_nodes_carry_story_and_role(seeds_analysis):
    g = seeds_analysis.to_networkx()
    assert g.graph["profile"] == seeds_analysis.config.profile
    for i, story in enumerate(seeds_analysis.stories):
        for doc in story:
            assert g.nodes[doc]["story"] == i
    for e in seeds_analysis.edges:
        assert g.nodes[e.child]["role"] == "copy"
    for o in seeds_analysis.origins:
        assert g.nodes[o.id]["role"] == o.kind
    # a forest: every node has at most one parent, and there is no cycle
    assert max(d for _, d in g.in_degree()) <= 1
    assert nx.is_forest(g.to_undirected()) and nx.is_directed_acyclic_graph(g)
    # the module function and the method give the same graph
    assert nx.utils.graphs_equal(g, lineage.to_networkx(seeds_analysis))


def test_graphml_holds_hostile_ids_and_lost_sources(tmp_path):
    """Control characters and lone surrogates are no XML; an edge from a source that is no
    document read becomes a hypothetical node, not an error."""
    docs = (
        Document(id="evil\x1b[31m", text="one two", path="a.txt", title="bad \ud800 title"),
        Document(id="plain", text="one two", path="b.txt", outlet="Outlet\x07"),
    )
    analysis = Analysis(
        documents=docs,
        pairs=(),
        edges=(
            Edge(parent="plain", child="evil\x1b[31m", confidence=0.5, evidence=("reuse: x",)),
            Edge(parent="lost source", child="plain", confidence=0.25),
        ),
        stories=(("evil\x1b[31m", "plain"),),
    )
    path = lineage.export_graphml(analysis, tmp_path / "x.graphml")
    g = nx.read_graphml(path)
    assert sorted(g.nodes) == ["evil\\x1b[31m", "lost source", "plain"]
    assert g.nodes["lost source"]["hypothetical"] is True
    assert g.nodes["plain"]["hypothetical"] is False
    assert g.nodes["plain"]["outlet"] == "Outlet\\x07"
    assert "\ufffd" in g.nodes["evil\\x1b[31m"]["title"]
    assert g.edges["plain", "evil\\x1b[31m"]["evidence"] == "reuse"
    assert set(g.edges) == {("plain", "evil\\x1b[31m"), ("lost source", "plain")}


# -- Parquet ------------------------------------------------------------------------


def test_parquet_has_the_rows_of_the_csv_tables(seeds_out):
    for name in ("documents", "pairs"):
        table = pq.read_table(seeds_out / f"{name}.parquet")
        from_csv = pd.read_csv(seeds_out / f"{name}.csv", keep_default_na=False)
        frame = table.to_pandas()
        assert list(frame.columns) == list(from_csv.columns)
        assert len(frame) == len(from_csv) > 0
        for col in frame.columns:
            got = ["" if pd.isna(v) else v for v in frame[col]]
            assert got == list(from_csv[col]), (name, col)
    edges = pd.read_parquet(seeds_out / "edges.parquet")
    rows = _csv_rows(seeds_out / "edges.csv")
    assert [(e.parent, e.child) for e in edges.itertuples()] == [
        (r["parent"], r["child"]) for r in rows
    ]
    for e, r in zip(edges.itertuples(), rows, strict=True):
        assert e.confidence == pytest.approx(float(r["confidence"]))
        # the CSV's evidence column is the records' sentences joined
        assert " | ".join(ev["text"] for ev in e.evidence) == r["evidence"]
        assert list(e.evidence_kinds) == list(dict.fromkeys(ev["kind"] for ev in e.evidence))


def test_parquet_passages_match_passages_jsonl(seeds_out):
    expected = list(read_jsonl(seeds_out / "passages.jsonl.gz"))
    got = pq.read_table(seeds_out / "passages.parquet").to_pylist()
    assert got == expected and len(got) > 0


def test_parquet_tables_are_typed_even_when_empty(tmp_path):
    analysis = Analysis(documents=(), pairs=())
    written = lineage.export_parquet(analysis, tmp_path)
    assert sorted(p.name for p in written) == [
        "documents.parquet", "edges.parquet", "pairs.parquet", "passages.parquet"
    ]  # fmt: skip
    schema = pq.read_schema(tmp_path / "pairs.parquet")
    assert str(schema.field("jaccard").type) == "double"
    assert pq.read_table(tmp_path / "edges.parquet").num_rows == 0


def test_without_pyarrow_parquet_is_refused_when_asked(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # what an install without it sees
    out = tmp_path / "out"
    args = ["analyze", str(SEEDS), "--out", str(out), "-q", "--no-html", "--formats", "graphml"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    assert not list(out.glob("*.parquet"))
    assert (out / "lineage.graphml").exists()

    r = CliRunner().invoke(
        main, ["analyze", str(SEEDS), "--out", str(tmp_path / "p"), "--formats", "parquet"]
    )
    assert r.exit_code == 2
    (line,) = [x for x in r.output.splitlines() if "pyarrow" in x]
    assert "pip install 'lineage[parquet]'" in line
    assert not (tmp_path / "p").exists()  # refused before any work
    with pytest.raises(lineage.interchange.MissingDependency, match=r"lineage\[parquet\]"):
        lineage.export_parquet(Analysis(documents=(), pairs=()), tmp_path)


# -- passim -------------------------------------------------------------------------


def test_passim_jsonl_has_the_fields_passim_reads(seeds_out, seeds_analysis):
    lines = (seeds_out / "passim.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(x) for x in lines]  # one JSON object per line, as passim reads
    docs = {d.id: d for d in seeds_analysis.documents}
    assert [r["id"] for r in records] == [d.id for d in seeds_analysis.documents]
    for r in records:
        assert {"id", "series", "date", "text"} <= set(r)
        assert isinstance(r["id"], str) and isinstance(r["text"], str) and r["text"]
        assert isinstance(r["series"], str) and r["series"]
        d = docs[r["id"]]
        assert r["text"] == d.text
        assert r["date"] == d.date_iso
        # passim ignores reuse within a series: no outlet, no shared series
        assert r["series"] == (d.outlet or d.id)
    no_outlet = [r for r in records if not docs[r["id"]].outlet]
    assert len({r["series"] for r in no_outlet}) == len(no_outlet) > 1


# -- choosing formats -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("formats", "expected"),
    [
        ("none", set()),
        ("graphml", {"lineage.graphml"}),
        ("passim,graphml", {"lineage.graphml", "passim.jsonl"}),
        (
            "all",
            {
                "lineage.graphml",
                "passim.jsonl",
                "documents.parquet",
                "pairs.parquet",
                "passages.parquet",
                "edges.parquet",
            },
        ),  # fmt: skip
    ],
)
def test_formats_option_writes_what_it_names(tmp_path, formats, expected):
    def run(out: Path, chosen: str) -> set[str]:
        args = ["analyze", str(SEEDS), "--out", str(out), "-q", "--no-html", "--formats", chosen]
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 0, r.output
        return {p.name for p in out.iterdir()}

    base = run(tmp_path / "none", "none")
    assert {"lineage.json", "pairs.csv", "edges.csv"} <= base
    assert not base & {"lineage.graphml", "passim.jsonl", "pairs.parquet"}
    assert run(tmp_path / "out", formats) - base == expected


def test_other_tools_formats_are_written_only_when_asked_for(tmp_path):
    """GraphML, Parquet and passim.jsonl repeat lineage.json, the CSVs and the texts in
    other tools' forms: written only when asked for (the size bound, docs/REPORTS.md)."""
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["analyze", str(SEEDS), "--out", str(out), "-q", "--no-html"])
    assert r.exit_code == 0, r.output
    names = {p.name for p in out.iterdir()}
    assert {"lineage.json", "pairs.csv", "passages.jsonl.gz", "quotes.jsonl.gz"} <= names
    assert not names & {"lineage.graphml", "pairs.parquet", "edges.parquet", "passim.jsonl"}


def test_unknown_format_is_bad_usage_listing_the_choices(tmp_path):
    r = CliRunner().invoke(main, ["analyze", str(SEEDS), "--out", str(tmp_path / "o"),
                                  "--formats", "graphml,gexf"])  # fmt: skip
    assert r.exit_code == 2
    assert "gexf" in r.output and "graphml, parquet, passim" in r.output
