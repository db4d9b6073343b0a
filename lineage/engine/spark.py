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
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from lineage.engine.base import Batch, Emit, Executor, Reduce

__all__ = ["SparkExecutor", "spark_session"]


def spark_session(
    master: str | None = None,
    *,
    partitions: int | None = None,
    driver_memory: str | None = None,
) -> Any:
    """A SparkSession for ``master`` (``local[*]`` when none is given and no
    ``spark-submit`` chose one). Python workers run this interpreter, so a local run
    uses the same environment as the driver."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # the optional extra is not installed
        raise RuntimeError("the Spark engine needs pyspark: pip install 'lineage[spark]'") from exc

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("lineage")
    if master:
        builder = builder.master(master)
    elif "PYSPARK_GATEWAY_PORT" not in os.environ:  # not under spark-submit, which sets one
        builder = builder.master("local[*]")
    if partitions:
        builder = builder.config("spark.default.parallelism", str(partitions))
    if driver_memory:
        builder = builder.config("spark.driver.memory", driver_memory)
    builder = builder.config("spark.ui.enabled", "false").config(
        "spark.ui.showConsoleProgress", "false"
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class SparkExecutor(Executor):
    """Stages as Spark jobs. ``spark``: a SparkSession (made with :func:`spark_session`
    when not given, and then stopped by :meth:`close`); ``partitions``: how many slices
    the documents and each shuffle are cut into (default: 4 per core of the cluster)."""

    name = "spark"

    def __init__(
        self, spark: Any = None, *, master: str | None = None, partitions: int | None = None
    ) -> None:
        self._own = spark is None
        self.spark = spark if spark is not None else spark_session(master, partitions=partitions)
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
        return list(coll.collect())

    def concat(self, *colls: Any) -> Any:
        return self.sc.union(list(colls))

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
        rdd = df.rdd.map(_doc_record)
        return rdd.cache()

    def write_pairs(self, pairs: Any, work: Path) -> None:
        from pyspark.sql import types as T

        from lineage.engine.stages import PAIR_FIELDS, PASSAGE_FIELDS, pair_row, passage_rows

        pairs = pairs.cache()
        types = {
            "a": T.StringType(), "b": T.StringType(), "a_text": T.StringType(),
            "b_text": T.StringType(), "quoted": T.BooleanType(),
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
        from pyspark.sql import types as T

        entries = records.flatMap(emit)
        key_type = T.BinaryType() if bytes_keys else T.LongType()
        schema = T.StructType(
            [T.StructField("key", key_type, False), T.StructField("value", T.LongType(), False)]
        )
        df = self.spark.createDataFrame(entries, schema)
        groups = df.groupBy("key").agg(
            F.count(F.lit(1)).alias("n"), F.sort_array(F.collect_list("value")).alias("values")
        )
        keep = F.col("n") >= min_group
        if max_group is not None:
            keep = keep & (F.col("n") <= max_group)
        kept = groups.where(keep).select("key", "values")
        return kept.rdd.flatMap(_reduced(reduce))

    def map_pairs(self, fn: Batch, pairs: Any, docs: Any) -> Any:
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
