from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
EVAL = ROOT.parent / "shared" / "eval"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seeds_analysis():
    """The seeds analyzed once for the whole session (read-only)."""
    import lineage

    return lineage.analyze([SEEDS])


def seed_id(prefix: str) -> str:
    """The full id of a seed from its number, e.g. '001' -> '001_45bac6543a8ee06d'."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.stem


IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NOBODY = 65534  # uid and gid of "nobody" on Debian


def assert_no_descendant_alternative(edges: Any, tol: float = 1e-9) -> None:
    """No edge lists a document below its child as an alternative parent, and a child's
    parent and alternatives share at most 1 (up to ``tol``)."""
    import networkx as nx

    graph = nx.DiGraph([(e.parent, e.child) for e in edges])
    for e in edges:
        assert not nx.descendants(graph, e.child) & {x.parent for x in e.alternatives}
        assert e.confidence + sum(x.confidence for x in e.alternatives) <= 1.0 + tol


def as_unprivileged(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in a process that a chmod-000 file keeps out: this one, unless it is
    root (root reads any file); then a forked child that has dropped to "nobody" first,
    so tests of unreadable files run in CI containers too. The result comes back pickled."""
    if not IS_ROOT:
        return fn(*args)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            data = pickle.dumps(("ok", fn(*args)))
        except BaseException as exc:  # noqa: BLE001  (reported to the parent)
            data = pickle.dumps(("error", repr(exc)))
        with os.fdopen(w, "wb") as f:
            f.write(data)
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    kind, value = pickle.loads(data)
    if kind == "error":
        raise AssertionError(f"in the unprivileged child: {value}")
    return value


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A temporary folder any user may enter and read (pytest's own are private to the
    user running it, so "nobody" could not even reach the files)."""
    path = Path(tempfile.mkdtemp(prefix="lineage-test-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
