"""The local and Spark engines on one corpus: wall time as a ratio to the floor measured
in the same run, and whether both write the same pairs.

    python bench/engines.py [--size 20000] [--seed 1] [--master local[2]] [--html]

The corpus is ``bench/throughput.py``'s (simulated stories, edited copies, unrelated
texts), written as JSONL to a temporary folder. The floor: one process reads the JSONL
and regex-tokenizes every text (``lineage.text.WORD_RE``), nothing else. Each engine
runs as ``lineage analyze`` in its own process (``--no-html`` unless ``--html``), so
Spark's start-up (JVM, Python workers) is inside its time. The floor runs before and
after the engines; the smaller of its two times is the ratio's base. Peak memory is
``ru_maxrss`` of the finished children (the largest single process: for Spark that is
the JVM or the driver). Prints a markdown table (docs/SCALING.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import throughput  # noqa: E402  (bench/throughput.py: the corpus)

FLOOR = """
import json, sys
from lineage.text import WORD_RE
n = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        n += len(WORD_RE.findall(json.loads(line)["text"]))
print(n)
"""


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds of ``cmd``, and the peak RSS (MB) of the largest child so far."""
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--html", action="store_true", help="write the HTML reports too")
    args = ap.parse_args(argv)
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = throughput.write_jsonl(throughput.make_corpus(args.size, args.seed), folder)
        floors = [timed([py, "-c", FLOOR, str(path)])[0]]
        runs = {}
        for engine in ("local", "spark"):
            out = folder / f"out-{engine}"
            cmd = [py, "-m", "lineage", "analyze", str(path), "--out", str(out), "-q"]
            cmd += ["--engine", engine, "--spark-master", args.master]
            if not args.html:
                cmd.append("--no-html")
            runs[engine] = timed(cmd)
            print(f"{engine}: {runs[engine][0]:.1f} s", file=sys.stderr)
        floors.append(timed([py, "-c", FLOOR, str(path)])[0])
        same = (folder / "out-local" / "pairs.csv").read_bytes() == (
            folder / "out-spark" / "pairs.csv"
        ).read_bytes()
        n_pairs = (folder / "out-local" / "pairs.csv").read_text().count("\n") - 1
    floor = min(floors)
    print(
        f"machine: nproc={os.cpu_count()}, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}; {args.size:,} documents, "
        f"{n_pairs:,} pairs; same pairs.csv: {same}\n"
    )
    print("| run | wall s | wall / floor |")
    print("|---|---:|---:|")
    print(f"| floor (read JSONL + regex-tokenize, 1 process) | {floor:.1f} | 1.0x |")
    for engine, (wall, _) in runs.items():
        name = "local engine" if engine == "local" else f"Spark engine, {args.master}"
        print(f"| {name}{'' if args.html else ', --no-html'} | {wall:.1f} | {wall / floor:.1f}x |")


if __name__ == "__main__":
    main()
