from __future__ import annotations

from lineage import parallel


def _scaled(x: int) -> int:
    return x * parallel.shared("factor")


def test_forked_and_serial_paths_agree_and_report_progress():
    items = list(range(50))
    seen: list[tuple[int, int]] = []
    one = parallel.fork_map(_scaled, items, workers=1, parallel=True, share={"factor": 3})
    two = parallel.fork_map(
        _scaled, items, workers=2, parallel=True, share={"factor": 3},
        progress=lambda k, n: seen.append((k, n)), every=10,
    )  # fmt: skip
    assert one == two == [3 * x for x in items]
    assert seen[-1] == (50, 50)
    assert parallel._SHARED == {}  # nothing left behind for the next stage


def test_worker_count():
    assert parallel.worker_count(3) == 3
    assert 1 <= parallel.worker_count(0) <= 8


def _outer(x: int) -> int:
    # a stage's work function may itself spread work: the inner fork_map must leave the
    # outer one's shared values in place
    inner = parallel.fork_map(_scaled_inner, [x, x], workers=1, parallel=False, share={"k": 2})
    return sum(inner) + parallel.shared("factor")


def _scaled_inner(x: int) -> int:
    return x * parallel.shared("k")


def test_nested_fork_maps_keep_the_outer_shared_values():
    out = parallel.fork_map(_outer, [1, 2, 3], workers=1, parallel=False, share={"factor": 10})
    assert out == [14, 18, 22]
    assert parallel._SHARED == {}


def test_cyclic_gc_is_paused_inside_a_stage_and_restored():
    import gc

    states = parallel.fork_map(lambda _: gc.isenabled(), [0, 1], workers=1, parallel=False)
    assert states == [False, False] and gc.isenabled()
