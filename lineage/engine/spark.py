"""The Spark executor: the same verbs on a PySpark cluster (``pip install lineage[spark]``).

* documents are staged as Parquet and read with ``spark.read.parquet``: on a cluster that
  folder is shared storage (HDFS, S3, a network disk);
* :meth:`SparkExecutor.shuffle` is a DataFrame ``groupBy`` of the (key, value) entries:
  the grouping, the counting and the group-size filter run in the JVM, only the kept
  groups come back to Python;
* :meth:`SparkExecutor.map_pairs` joins the candidate pairs with the documents twice
  (by i, then by j), so each pair's batch holds both texts;
* pairs and passages are written as Parquet by the executors (one file per partition).

Collections are RDDs. Work functions reach the workers pickled, so ``lineage`` must be
importable there (the wheel installed on every node, or shipped with ``--py-files``).
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from lineage.engine.base import Batch, CountVotes, Emit, Executor, PairVotes, Reduce, as_entry
from lineage.model import Analysis, Config

__all__ = ["SparkExecutor", "SparkUnavailable", "analyze_spark", "spark_session"]


class SparkUnavailable(RuntimeError):
    """pyspark (the ``lineage[spark]`` extra) is not installed."""


def analyze_spark(
    paths: Iterable[str | os.PathLike[str]],
    config: Config | None = None,
    *,
    work: str | os.PathLike[str],
    master: str | None = None,
    partitions: int | None = None,
    follow_links: bool = False,
    exclude: Iterable[str | os.PathLike[str]] = (),
) -> Analysis:
    """:func:`lineage.analyze` with the pair stages on Spark: documents are read and
    their chrome marked here (as the local engine does), staged as Parquet in ``work``,
    fingerprinted, paired, verified and aligned by Spark, which writes
    ``work/pairs.parquet`` and ``work/passages.parquet``; stories and lineage inference
    then run here from those files."""
    import time

    from lineage.boilerplate import mark_boilerplate
    from lineage.engine.stages import analyze_on
    from lineage.ingest import read_corpus

    config = config or Config()
    started = time.perf_counter()
    ingested = read_corpus(list(paths), follow_links=follow_links, exclude=exclude)
    docs = mark_boilerplate(ingested.documents, min_docs=config.boilerplate_min_docs)
    reading = time.perf_counter() - started
    ex = SparkExecutor(master=master, partitions=partitions)
    try:
        analysis = analyze_on(
            ex,
            docs,
            config,
            work=Path(work),
            skipped=ingested.skipped,
            notices=ingested.notices,
        )
    finally:
        ex.close()
    analysis.timings["ingest"] = round(reading, 4)
    return analysis


def spark_session(
    master: str | None = None,
    *,
    partitions: int | None = None,
    driver_memory: str | None = None,
) -> Any:
    """A SparkSession for ``master`` (``local[*]`` when none is given and no
    ``spark-submit`` chose one). A local master's Python workers run this interpreter,
    so they use the same environment as the driver."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # the optional extra is not installed
        raise SparkUnavailable(
            "the Spark engine needs pyspark: pip install 'lineage[spark]'"
        ) from exc

    if not master and "PYSPARK_GATEWAY_PORT" not in os.environ:  # spark-submit sets one
        master = "local[*]"
    if master and master.startswith("local"):
        # workers on this machine run this interpreter; a cluster's come from its config
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("lineage")
    if master:
        builder = builder.master(master)
    if partitions:
        builder = builder.config("spark.default.parallelism", str(partitions))
    if driver_memory:
        builder = builder.config("spark.driver.memory", driver_memory)
    if master and master.startswith("local"):
        # this JVM is started here: errors only on its stderr (a cluster keeps its own)
        conf = Path(__file__).with_name("log4j2.properties")
        builder = builder.config(
            "spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{conf}"
        )
    builder = builder.config("spark.ui.enabled", "false").config(
        "spark.ui.showConsoleProgress", "false"
    )
    # pyspark 4.x warns about pandas 3 on import of its pandas helpers; no stage here
    # goes through pandas
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _active_session() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return None  # spark_session() says what to install
    return SparkSession.getActiveSession()


class SparkExecutor(Executor):
    """Stages as Spark jobs. ``spark``: a SparkSession (made with :func:`spark_session`
    when not given, and then stopped by :meth:`close`); ``partitions``: how many slices
    the documents and each shuffle are cut into (default: 4 per core of the cluster)."""

    name = "spark"

    def __init__(
        self, spark: Any = None, *, master: str | None = None, partitions: int | None = None
    ) -> None:
        if spark is None:
            # a session already running in this process (a notebook, a test) is used and
            # left running; one started here is stopped by close()
            active = _active_session()
            self._own = active is None
            spark = active or spark_session(master, partitions=partitions)
        else:
            self._own = False
        self.spark = spark
        self.sc = self.spark.sparkContext
        self.partitions = partitions or max(2, 4 * self.sc.defaultParallelism)
        # the DataFrame shuffles (groupBy) are cut like the RDDs, not into Spark's 200
        self.spark.conf.set("spark.sql.shuffle.partitions", str(self.partitions))

    def close(self) -> None:
        if self._own:
            self.spark.stop()

    # -- plumbing -----------------------------------------------------------------
    def scatter(self, items: Sequence[Any]) -> Any:
        return self.sc.parallelize(list(items), self.partitions)

    def collect(self, coll: Any) -> list[Any]:
        return [tuple(r) if hasattr(r, "__fields__") else r for r in coll.collect()]

    def concat(self, *colls: Any) -> Any:
        from pyspark.sql import DataFrame

        if all(isinstance(c, DataFrame) for c in colls):
            out = colls[0]
            for c in colls[1:]:
                out = out.unionByName(c)
            return out
        return self.sc.union([c.rdd.map(tuple) if isinstance(c, DataFrame) else c for c in colls])

    def documents(self, records: Sequence[Any], work: Path) -> Any:
        import pyarrow as pa
        import pyarrow.parquet as pq

        work.mkdir(parents=True, exist_ok=True)
        path = work / "documents.parquet"
        pq.write_table(
            pa.table(
                {
                    "k": [r[0] for r in records],
                    "id": [r[1] for r in records],
                    "text": [r[2] for r in records],
                    "boilerplate": [[list(s) for s in r[3]] for r in records],
                }
            ),
            path,
            row_group_size=max(1, len(records) // self.partitions + 1),
        )
        df = self.spark.read.parquet(str(path.resolve())).repartition(self.partitions, "k")
        return df.cache()

    def write_pairs(self, pairs: Any, work: Path) -> None:
        from pyspark.sql import types as T

        from lineage.engine.stages import PAIR_FIELDS, PASSAGE_FIELDS, pair_row, passage_rows

        pairs = pairs.cache()
        types = {
            "a": T.StringType(), "b": T.StringType(), "a_text": T.StringType(),
            "b_text": T.StringType(), "quoted": T.BooleanType(), "ops": T.StringType(),
            "jaccard": T.DoubleType(), "a_in_b": T.DoubleType(), "b_in_a": T.DoubleType(),
            "a_in_b_narrative": T.DoubleType(), "b_in_a_narrative": T.DoubleType(),
            "shingle_containment_a": T.DoubleType(), "shingle_containment_b": T.DoubleType(),
            "similarity": T.DoubleType(),
        }  # fmt: skip

        def schema(names: Sequence[str]) -> Any:
            return T.StructType([T.StructField(n, types.get(n, T.LongType())) for n in names])

        for name, rows, fields in (
            ("pairs", pairs.map(pair_row), PAIR_FIELDS),
            ("passages", pairs.flatMap(passage_rows), PASSAGE_FIELDS),
        ):
            df = self.spark.createDataFrame(rows, schema(fields))
            df.write.mode("overwrite").parquet(str((work / f"{name}.parquet").resolve()))
        pairs.unpersist()

    # -- the four verbs -------------------------------------------------------------
    def map_documents(self, fn: Batch, docs: Any) -> Any:
        from pyspark.sql import DataFrame

        if isinstance(docs, DataFrame):  # documents()
            docs = docs.rdd.map(_doc_record)
        # kept: a stage's per-document results feed several shuffles
        return docs.mapPartitions(_batched(fn), preservesPartitioning=True).cache()

    def shuffle(
        self,
        emit: Emit,
        reduce: Reduce,
        records: Any,
        *,
        min_group: int = 1,
        max_group: int | None = None,
        bytes_keys: bool = False,
    ) -> Any:
        from pyspark.sql import functions as F

        df = self._entries(emit, records, bytes_keys)
        if isinstance(reduce, CountVotes) and min_group <= 1 and max_group is None:
            n = reduce.n_docs
            votes = df.groupBy("key").agg(F.sum("value").alias("votes"))
            kept = votes.where(F.col("votes") >= reduce.min_votes)
            return kept.select(
                F.floor(F.col("key") / n).cast("long").alias("i"), (F.col("key") % n).alias("j")
            )
        groups = df.groupBy("key").agg(
            F.count(F.lit(1)).alias("n"), F.sort_array(F.collect_list("value")).alias("values")
        )
        keep = F.col("n") >= min_group
        if max_group is not None:
            keep = keep & (F.col("n") <= max_group)
        kept = groups.where(keep)
        if isinstance(reduce, PairVotes):
            # every pair of a group, expanded in the JVM: posexplode twice, a before b
            one = kept.select("values", F.posexplode("values").alias("pa", "a"))
            two = one.select("pa", "a", F.posexplode("values").alias("pb", "b"))
            return two.where(F.col("pa") < F.col("pb")).select(
                (F.col("a") * reduce.n_docs + F.col("b")).alias("key"),
                F.lit(reduce.vote).cast("long").alias("value"),
            )
        return kept.select("key", "values").rdd.flatMap(_reduced(reduce))

    def _entries(self, emit: Emit, records: Any, bytes_keys: bool) -> Any:
        """The (key, value) entries of ``records`` as a DataFrame."""
        from pyspark.sql import DataFrame
        from pyspark.sql import types as T

        if isinstance(records, DataFrame):
            if emit is as_entry and records.columns == ["key", "value"]:
                return records
            records = records.rdd
        key_type = T.BinaryType() if bytes_keys else T.LongType()
        schema = T.StructType(
            [T.StructField("key", key_type, False), T.StructField("value", T.LongType(), False)]
        )
        return self.spark.createDataFrame(records.flatMap(emit), schema, verifySchema=False)

    def map_pairs(self, fn: Batch, pairs: Any, docs: Any) -> Any:
        from pyspark.sql import DataFrame
        from pyspark.sql import functions as F

        if isinstance(docs, DataFrame):  # documents(): join the candidates in SQL
            if not isinstance(pairs, DataFrame):
                pairs = self.spark.createDataFrame(pairs, "i long, j long")
            side = {
                s: docs.select(
                    F.col("k").alias(s), F.struct("k", "id", "text", "boilerplate").alias("d" + s)
                )
                for s in ("i", "j")
            }
            items = pairs.join(side["i"], "i").join(side["j"], "j")
            return items.rdd.map(
                lambda r: (r.i, r.j, _doc_record(r.di), _doc_record(r.dj))
            ).mapPartitions(_batched(fn))
        if isinstance(pairs, DataFrame):
            pairs = pairs.rdd.map(tuple)
        by_index = docs.map(lambda rec: (rec[0], rec))
        with_i = pairs.join(by_index, self.partitions)  # (i, (j, rec_i))
        by_j = with_i.map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))
        both = by_j.join(by_index, self.partitions)  # (j, ((i, rec_i), rec_j))
        items = both.map(lambda kv: (kv[1][0][0], kv[0], kv[1][0][1], kv[1][1]))
        return items.mapPartitions(_batched(fn))

    def map_stories(self, fn: Callable[[Any], Any], stories: Sequence[Any]) -> list[Any]:
        indexed = self.sc.parallelize(list(enumerate(stories)), self.partitions)
        done = indexed.map(lambda ks: (ks[0], fn(ks[1]))).collect()
        return [r for _, r in sorted(done, key=lambda kr: kr[0])]


_BATCH = 512  # records handed to a batch function at once (bounds a worker's memory)


def _batched(fn: Batch) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def run(it: Iterator[Any]) -> Iterator[Any]:
        batch: list[Any] = []
        for x in it:
            batch.append(x)
            if len(batch) >= _BATCH:
                yield from fn(batch)
                batch = []
        if batch:
            yield from fn(batch)

    return run


def _reduced(reduce: Reduce) -> Callable[[Any], Any]:
    """``reduce`` on a grouped row (binary keys come back from the JVM as bytearray)."""

    def run(row: Any) -> Any:
        key = row[0]
        return reduce(bytes(key) if isinstance(key, bytearray) else key, list(row[1]))

    return run


def _doc_record(row: Any) -> tuple[int, str, str, tuple[tuple[int, int], ...]]:
    return (row.k, row.id, row.text, tuple((int(s), int(e)) for s, e in row.boilerplate))
