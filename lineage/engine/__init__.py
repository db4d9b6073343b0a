"""Executors: where the per-document, per-key, per-pair and per-story work runs.

One small interface (:class:`Executor`) and two implementations: :class:`LocalExecutor`
(forked processes on this machine, :func:`lineage.parallel.fork_map`) and
:class:`~lineage.engine.spark.SparkExecutor` (PySpark, the ``lineage[spark]`` extra).
The stage code in :mod:`lineage.engine.stages` is written once against the interface and
receives its executor as an argument: nothing is read from a global.
"""

from __future__ import annotations

from lineage.engine.base import Executor
from lineage.engine.local import LocalExecutor

__all__ = ["Executor", "LocalExecutor"]
