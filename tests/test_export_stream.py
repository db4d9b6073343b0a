"""The exports written record by record: the same bytes as one json.dumps / one CSV
string, atomic, journalled, and in memory one record at a time (issue 14 item 3)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import tracemalloc
from pathlib import Path

import pytest

import lineage
from lineage.export import read_jsonl, to_dict, write_exports
from lineage.files import MANIFEST, OutputDir
from lineage.model import Analysis

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    from lineage.evaluation.simulate import simulate, write

    folder = tmp_path_factory.mktemp("sim")
    write(simulate(stories=25, seed=3), folder)
    return lineage.analyze([folder / "corpus.jsonl"])


@pytest.fixture(scope="module")
def seeds() -> Analysis:
    return lineage.analyze([SEEDS])


def _csv_text(rows: list[dict[str, object]], columns: list[str]) -> str:
    """The CSV as the writer of lineage <= 0.4 made it: one string."""
    from lineage.export import spreadsheet_safe

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else spreadsheet_safe(r.get(k))) for k in columns})
    return buf.getvalue()


@pytest.mark.parametrize("corpus", ["seeds", "simulated"])
def test_streamed_exports_hold_the_whole_analysis_and_the_tables_bytes(
    corpus: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    analysis: Analysis = request.getfixturevalue(corpus)
    write_exports(analysis, tmp_path, generated_at="2026-12-01T00:00:00Z", formats=())
    written = (tmp_path / "lineage.json").read_bytes()
    whole = to_dict(analysis, generated_at="2026-12-01T00:00:00Z")
    assert json.loads(written) == json.loads(json.dumps(whole))
    # compact, one record a line: each line past the first is a record or a key's value
    lines = written.decode("utf-8").splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    assert len(lines) >= len(analysis.documents) + len(analysis.pairs) + len(analysis.edges)
    assert not any(line.startswith(" ") for line in lines)
    # the rows of the tables (no public name gives them as dicts; the frames hold NaN)
    from lineage.model import _DOC_COLUMNS, _PAIR_COLUMNS, _document_row, _pair_row

    docs = [_document_row(analysis, d) for d in analysis.documents]
    expected = _csv_text(docs, _DOC_COLUMNS)
    assert (tmp_path / "documents.csv").read_text(encoding="utf-8") == expected
    pairs = [_pair_row(p) for p in analysis.pairs]
    assert (tmp_path / "pairs.csv").read_text(encoding="utf-8") == _csv_text(pairs, _PAIR_COLUMNS)
    assert (tmp_path / "pairs.csv").read_text(encoding="utf-8").count("\n") == len(
        analysis.pairs
    ) + 1


def test_an_empty_list_and_an_empty_analysis_are_written_as_json_dumps_reads_them(
    tmp_path: Path,
) -> None:
    from lineage.pipeline import analyze_documents

    empty = analyze_documents([])
    write_exports(empty, tmp_path, formats=())
    written = (tmp_path / "lineage.json").read_text(encoding="utf-8")
    assert json.loads(written) == json.loads(json.dumps(to_dict(empty)))
    assert '"documents":[]' in written


def test_passages_keep_offsets_and_counts_and_give_texts_on_request(
    seeds: Analysis, tmp_path: Path
) -> None:
    write_exports(seeds, tmp_path / "plain", formats=())
    write_exports(seeds, tmp_path / "texts", formats=(), passage_text=True)
    plain = list(read_jsonl(tmp_path / "plain" / "passages.jsonl.gz"))
    texts = list(read_jsonl(tmp_path / "texts" / "passages.jsonl.gz"))
    assert len(plain) == len(texts) == len(seeds.passages) > 0
    for p, t in zip(plain, texts, strict=True):
        assert "a_text" not in p and "b_text" not in p
        assert {k: v for k, v in t.items() if k not in ("a_text", "b_text")} == p
        assert {"words", "similarity", "quoted_words", "narrative_words"} <= set(p)
        # the offsets give the texts back from the documents
        assert seeds.document(p["a"]).text[p["a_start"] : p["a_end"]] == t["a_text"]
        assert seeds.document(p["b"]).text[p["b_start"] : p["b_end"]] == t["b_text"]
    big = (tmp_path / "texts" / "passages.jsonl.gz").stat().st_size
    assert (tmp_path / "plain" / "passages.jsonl.gz").stat().st_size < big / 3


def test_the_command_line_writes_passage_texts_with_its_flag(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from lineage.cli import main

    out = tmp_path / "out"
    args = ["analyze", str(SEEDS), "--out", str(out), "--no-html", "--formats", "none"]
    assert CliRunner().invoke(main, [*args, "--passage-text", "-q"]).exit_code == 0
    first = next(read_jsonl(out / "passages.jsonl.gz"))
    assert first["a_text"] and first["b_text"]


def test_a_streamed_file_is_atomic_journalled_and_in_the_manifest(tmp_path: Path) -> None:
    with OutputDir(tmp_path) as out:
        with out.open_text("rows.jsonl") as fh:
            fh.write("old\n")
    with pytest.raises(RuntimeError), OutputDir(tmp_path) as out:
        with out.open_text("rows.jsonl") as fh:
            fh.write("half of the new file")
            raise RuntimeError("killed mid-file")
    assert (tmp_path / "rows.jsonl").read_text() == "old\n"  # the previous file stays
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    with OutputDir(tmp_path) as out:
        with out.open_text("sub/rows.jsonl") as fh:
            fh.write("é\r\n")  # UTF-8, newlines as written
        with out.open_binary("t.bin") as fb:
            fb.write(b"\x00\x01")
    assert (tmp_path / "sub" / "rows.jsonl").read_bytes() == "é\r\n".encode()
    files = json.loads((tmp_path / MANIFEST).read_text())["files"]
    assert files == ["sub/rows.jsonl", "t.bin"]
    assert not (tmp_path / "rows.jsonl").exists()  # this run did not write it: pruned
    with OutputDir(tmp_path) as out, pytest.raises(ValueError):
        out.open_text("../outside.txt").__enter__()


def test_a_lone_surrogate_costs_a_replacement_character_not_the_export(
    seeds: Analysis, tmp_path: Path
) -> None:
    from dataclasses import replace

    doc = replace(seeds.documents[0], title="bad \ud800 title")
    a = Analysis(**{f: getattr(seeds, f) for f in seeds.__dataclass_fields__})
    object.__setattr__(a, "documents", (doc, *seeds.documents[1:]))
    write_exports(a, tmp_path, formats=())
    assert "bad \ufffd title" in (tmp_path / "lineage.json").read_text(encoding="utf-8")
    assert "bad \ufffd title" in (tmp_path / "documents.csv").read_text(encoding="utf-8")


def test_export_memory_is_a_fraction_of_what_it_writes(simulated: Analysis, tmp_path: Path) -> None:
    # Python allocations while writing, beyond the analysis already in memory. The
    # whole-string writer held lineage.json as a dict and as one string (the string
    # alone is the file's size, and up to 4 bytes a character); streamed, only the
    # indexes over quotations and one record at a time remain.
    # with the passages' texts: gzip's compressor state (zlib's window and hash tables,
    # about 256 KB, one file at a time) is a fixed cost the figures-only files of this
    # small corpus (1.35 MB of text, 2026-12-02) do not dwarf
    write_exports(simulated, tmp_path / "warm", formats=(), passage_text=True)  # imports
    tracemalloc.start()
    try:
        written = write_exports(simulated, tmp_path / "out", formats=(), passage_text=True)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # every file it wrote (lineage.json alone became compact: 528 KB here, 1.3 MB indented),
    # the gzipped JSON lines counted as the text they hold: that is what was made
    size = sum(len(gzip.open(p).read()) if p.suffix == ".gz" else p.stat().st_size for p in written)
    assert size > 1_000_000, size  # big enough for the fixed costs not to decide it
    assert peak < size / 4, (peak, size)


def test_parquet_written_a_chunk_at_a_time_reads_back_as_the_whole_table(
    simulated: Analysis, tmp_path: Path
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    from lineage import interchange

    whole = interchange.parquet_tables(simulated)["passages"]
    assert whole.num_rows > 40
    small = tmp_path / "passages.parquet"
    with small.open("wb") as fh:
        writer = None  # the writer's own loop, with chunks of 17 rows
        for table in interchange._record_batches(simulated, "passages", chunk=17):
            if writer is None:
                writer = pq.ParquetWriter(fh, table.schema, compression="zstd")
            writer.write_table(table)
        assert writer is not None
        writer.close()
    back = pq.read_table(small)
    assert pq.ParquetFile(small).num_row_groups == -(-whole.num_rows // 17)
    assert back.equals(whole)


def test_passim_and_graphml_streamed_are_the_whole_strings(seeds: Analysis, tmp_path: Path) -> None:
    from lineage import interchange

    write_exports(seeds, tmp_path, formats=("graphml", "passim"))
    assert (tmp_path / "passim.jsonl").read_text(encoding="utf-8") == "".join(
        json.dumps(r, ensure_ascii=False) + "\n" for r in interchange.passim_records(seeds)
    )
    assert (tmp_path / "lineage.graphml").read_bytes() == interchange.graphml_bytes(seeds)


def test_the_whole_default_output_is_a_small_multiple_of_the_input(
    simulated: Analysis, tmp_path: Path
) -> None:
    # measured 2026-12-01 on the 1,483-document simulated corpus (3.93 MB of texts,
    # docs/BENCHMARKS.md "Size"): exports 47.2 -> 23.7 MB (12.0x -> 6.0x the texts) once
    # passages.jsonl left out its texts; the whole folder 81.7 -> 58.2 MB (20.8x -> 14.8x).
    # On this corpus the exports were 12.7x its texts before, 6.5x now
    written = lineage.write_reports(simulated, tmp_path / "out")
    text = sum(len(d.text.encode()) for d in simulated.documents)
    total = sum(p.stat().st_size for p in (tmp_path / "out").rglob("*") if p.is_file())
    exports = sum(
        p.stat().st_size
        for p in written
        if p.suffix not in (".html", ".svg", ".png", ".css", ".js")
    )
    print(f"exports {exports / text:.1f}x, folder {total / text:.1f}x the texts")
    assert exports <= 8 * text, (exports, text)
    # a small corpus pays more for the site's fixed pages: 18.5x here on 2026-12-01
    assert total <= 22 * text, (total, text)
