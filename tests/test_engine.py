"""The executor interface: the local executor and Spark give the local pipeline's result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lineage.engine import LocalExecutor
from lineage.engine.stages import analyze_on, read_pairs
from lineage.model import Config


def _corpus(tmp: Path, n: int, seed: int) -> list:
    from lineage.boilerplate import mark_boilerplate
    from lineage.evaluation.simulate import simulate
    from lineage.ingest import read_corpus

    records = simulate(stories=max(2, n // 6), seed=seed).records()[:n]
    path = tmp / "corpus.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    docs = mark_boilerplate(read_corpus([path]).documents, min_docs=2)
    assert len(docs) == n
    return docs


def _same_analysis(got, want) -> None:  # type: ignore[no-untyped-def]
    assert [(p.a, p.b) for p in got.pairs] == [(p.a, p.b) for p in want.pairs]
    assert got.pairs == want.pairs  # every figure and passage, not only the ids
    assert got.stories == want.stories
    assert got.edges == want.edges
    assert got.origins == want.origins
    assert got.word_counts == want.word_counts


def test_local_executor_gives_the_pipelines_analysis(tmp_path: Path) -> None:
    from lineage.pipeline import analyze_documents

    docs = _corpus(tmp_path, 250, seed=5)
    want = analyze_documents(docs, Config(workers=2))
    assert len(want.pairs) > 100  # stories of several copies, so the test can fail
    got = analyze_on(LocalExecutor(workers=2), docs, Config(workers=2), work=tmp_path / "w")
    _same_analysis(got, want)
    # the Parquet it went through holds the same pairs
    assert read_pairs(tmp_path / "w") == list(want.pairs)


def _verbs(ex) -> tuple:  # type: ignore[no-untyped-def]
    import functools

    groups = ex.collect(
        ex.shuffle(_emit, _keep, ex.scatter(list(range(40))), min_group=2, max_group=4)
    )
    docs = ex.scatter([(k, f"d{k}") for k in range(6)])
    pairs = ex.collect(ex.map_pairs(_names, ex.scatter([(0, 5), (2, 3), (1, 4)]), docs))
    mapped = ex.collect(ex.map_documents(functools.partial(_double, by=3), docs))
    stories = ex.map_stories(len, [("a",), ("b", "c"), ("d", "e", "f")])
    return sorted(groups), sorted(pairs), sorted(mapped), stories


def _emit(x: int):  # type: ignore[no-untyped-def]
    yield x % 7, x  # 7 groups of 5 or 6 values
    if x < 9:
        yield 100 + x % 3, x  # 3 groups of 3


def _keep(key: int, values: list[int]):  # type: ignore[no-untyped-def]
    yield key, tuple(values)


def _names(batch):  # type: ignore[no-untyped-def]
    return [(ri[1], rj[1]) for _, _, ri, rj in batch]


def _double(batch, *, by: int):  # type: ignore[no-untyped-def]
    return [k * by for k, _ in batch]


def test_local_verbs() -> None:
    groups, pairs, mapped, stories = _verbs(LocalExecutor(workers=1))
    # groups of 5-6 are dropped by max_group=4; the three groups of 3 are kept, sorted
    assert groups == [(100, (0, 3, 6)), (101, (1, 4, 7)), (102, (2, 5, 8))]
    assert pairs == [("d0", "d5"), ("d1", "d4"), ("d2", "d3")]
    assert mapped == [0, 3, 6, 9, 12, 15]
    assert stories == [1, 2, 3]


# -- Spark, in local[2] -----------------------------------------------------------------


@pytest.fixture(scope="module")
def spark():  # type: ignore[no-untyped-def]
    pytest.importorskip("pyspark", reason="the lineage[spark] extra is not installed")
    import sys

    from pyspark import cloudpickle

    from lineage.engine.spark import spark_session

    # the work functions of these tests travel by value: the workers cannot import tests/
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    session = spark_session("local[2]", partitions=4, driver_memory="1g")
    yield session
    session.stop()


@pytest.mark.slow
def test_spark_verbs_match_local(spark) -> None:  # type: ignore[no-untyped-def]
    from lineage.engine.spark import SparkExecutor

    assert _verbs(SparkExecutor(spark, partitions=4)) == _verbs(LocalExecutor(workers=1))


@pytest.mark.slow
def test_spark_gives_the_local_engines_pairs(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from lineage.engine.spark import SparkExecutor
    from lineage.pipeline import analyze_documents

    docs = _corpus(tmp_path, 2000, seed=11)
    config = Config(workers=2)
    want = analyze_documents(docs, config)
    assert len(want.pairs) > 1000
    got = analyze_on(SparkExecutor(spark, partitions=4), docs, config, work=tmp_path / "spark")
    _same_analysis(got, want)
    # Spark wrote the pairs and passages as Parquet folders (one file per partition)
    assert list((tmp_path / "spark" / "pairs.parquet").glob("part-*.parquet"))
    assert read_pairs(tmp_path / "spark") == list(want.pairs)


@pytest.mark.slow
def test_cli_engine_spark_writes_the_local_exports(spark, tmp_path: Path, seeds_dir) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from lineage.cli import main

    runner = CliRunner()
    outs = {}
    for engine in ("local", "spark"):
        out = tmp_path / engine
        args = ["analyze", str(seeds_dir), "--out", str(out), "--no-html", "-q"]
        args += ["--engine", engine, "--spark-master", "local[2]"]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        outs[engine] = out
    for name in ("pairs.csv", "edges.csv", "documents.csv", "passages.jsonl.gz"):
        assert (outs["spark"] / name).read_bytes() == (outs["local"] / name).read_bytes(), name
    assert (outs["spark"] / "spark" / "passages.parquet").is_dir()
    assert spark.sparkContext._jsc is not None  # the test's session is left running
