from __future__ import annotations

import ast
import os
import platform
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from lineage import parallel


def _scaled(factor: int, x: int) -> int:
    return x * factor


def test_forked_and_serial_paths_agree_and_report_progress():
    items = list(range(50))
    seen: list[tuple[int, int]] = []
    one = parallel.fork_map(_scaled, items, workers=1, parallel=True, context=3)
    two = parallel.fork_map(
        _scaled, items, workers=2, parallel=True, context=3,
        progress=lambda k, n: seen.append((k, n)), every=10,
    )  # fmt: skip
    assert one == two == [3 * x for x in items]
    assert seen[-1] == (50, 50)
    assert parallel._INHERITED == {}  # nothing left behind for the next stage


def _row_sum(rows: list[list[int]], k: int) -> int:
    return sum(rows[k])


def _pid_of(factor: int, x: int) -> tuple[int, int]:
    return x * factor, os.getpid()


def test_workers_replaced_after_their_tasks_give_the_same_results():
    kept = parallel.fork_map(_pid_of, range(12), workers=2, parallel=True, context=2)
    fresh = parallel.fork_map(
        _pid_of, range(12), workers=2, parallel=True, context=2, tasks_per_worker=2
    )
    assert [x for x, _ in fresh] == [x for x, _ in kept] == [2 * k for k in range(12)]
    pids = [p for _, p in fresh]
    assert all(pids.count(p) <= 2 for p in pids)  # a worker made at most 2 items
    assert len(set(pids)) >= 6 and os.getpid() not in pids


def test_forked_workers_read_the_context_they_inherited():
    # the context is not sent: a worker reads the parent's object as it was at the fork
    rows = [[k] * 1000 for k in range(40)]
    out = parallel.fork_map(_row_sum, range(40), workers=2, parallel=True, context=rows)
    assert out == [1000 * k for k in range(40)]


def test_worker_count():
    assert parallel.worker_count(3) == 3
    assert 1 <= parallel.worker_count(0) <= 8


def _outer(factor: int, x: int) -> int:
    # a stage's work function may itself spread work, with a context of its own
    inner = parallel.fork_map(_scaled, [x, x], workers=1, parallel=False, context=2)
    return sum(inner) + factor


def test_nested_fork_maps_each_get_their_own_context():
    out = parallel.fork_map(_outer, [1, 2, 3], workers=1, parallel=False, context=10)
    assert out == [14, 18, 22]
    assert parallel._INHERITED == {}


def test_cyclic_gc_is_paused_inside_a_stage_and_restored():
    import gc

    states = parallel.fork_map(lambda _, __: gc.isenabled(), [0, 1], workers=1, parallel=False)
    assert states == [False, False] and gc.isenabled()


# -- stage code never reads a global: only lineage/parallel.py holds the inherited context

_PRIVATE = {"_INHERITED", "_SHARED", "_call_inherited", "_inherited"}


def _global_reads(source: str) -> list[str]:
    """What in ``source`` reads the executor's fork-inherited state: a call of a function
    named ``shared``, or any use of the executor module's private names."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            f = node.func
            name = (
                f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            )
            if name == "shared":
                out.append(f"line {node.lineno}: calls shared()")
        if isinstance(node, ast.Attribute) and node.attr in _PRIVATE:
            out.append(f"line {node.lineno}: reads {node.attr}")
        if isinstance(node, ast.Name) and node.id in _PRIVATE:
            out.append(f"line {node.lineno}: reads {node.id}")
        if isinstance(node, ast.ImportFrom) and node.module == "lineage.parallel":
            bad = [a.name for a in node.names if a.name in _PRIVATE | {"shared"}]
            if bad:
                out.append(f"line {node.lineno}: imports {bad}")
    return out


def test_the_scan_finds_each_way_of_reading_the_global():
    assert sorted(_global_reads("from lineage.parallel import shared\nx = shared('k')\n")) == [
        "line 1: imports ['shared']",
        "line 2: calls shared()",
    ]
    assert _global_reads("from lineage import parallel\nparallel.shared('k')\n")
    assert _global_reads("from lineage import parallel\nparallel._SHARED['k']\n")
    assert _global_reads("from lineage import parallel\nparallel._INHERITED['job']\n")
    assert _global_reads("from lineage.parallel import _INHERITED\n")
    # names that merely contain the word are not reads
    assert not _global_reads("def _shared(s):\n    return s\n_shared(1)\nshared_shingles(1, 2)\n")


def test_no_stage_module_reads_the_executors_global():
    pkg = ROOT / "lineage"
    for path in pkg.rglob("*.py"):
        if path == pkg / "parallel.py":
            continue
        found = _global_reads(path.read_text(encoding="utf-8"))
        assert not found, (str(path.relative_to(ROOT)), found)
    assert not hasattr(parallel, "shared")  # no reader of a global left to call


def test_tests_and_benchmarks_pass_the_context_too():
    for folder in ("tests", "bench"):
        for path in Path(ROOT, folder).rglob("*.py"):
            if path == Path(__file__):
                continue
            found = _global_reads(path.read_text(encoding="utf-8"))
            assert not found, (str(path.relative_to(ROOT)), found)


def _marked(rows: list[list[int]], scale: int) -> tuple[int, list[int]]:
    return os.getpid(), [scale * sum(r) for r in rows]


def _fails(message: str) -> None:
    raise ValueError(message)


def test_fork_call_gives_the_direct_result_from_another_process():
    rows = [[k] * 100 for k in range(30)]
    pid, forked = parallel.fork_call(_marked, rows, 2)
    here, direct = _marked(rows, 2)
    assert forked == direct
    assert pid != here  # it ran in a child, which is gone
    with pytest.raises(ValueError, match="from the child"):
        parallel.fork_call(_fails, "from the child")


def test_chrome_in_a_child_marks_the_documents_as_in_this_process(monkeypatch):
    from lineage import pipeline
    from lineage.boilerplate import mark_boilerplate
    from lineage.ingest import read_corpus

    docs = sorted(read_corpus([ROOT / "seeds"]).documents, key=lambda d: d.id)
    here = mark_boilerplate(docs, min_docs=2)
    assert parallel.fork_call(mark_boilerplate, docs) == here
    monkeypatch.setattr(pipeline, "_PARALLEL_DOCS", 1)  # the seeds, marked in a child
    assert pipeline._mark_chrome(docs, 2) == here


def test_release_memory_runs_everywhere():
    parallel.release_memory()  # glibc's malloc_trim here, a collection alone elsewhere
    if sys.platform.startswith("linux") and "glibc" in " ".join(platform.libc_ver()):
        assert parallel._malloc_trim() is not None
