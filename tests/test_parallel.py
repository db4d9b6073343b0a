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
