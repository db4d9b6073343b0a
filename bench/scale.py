"""Scaling benchmark: whole runs at growing corpus sizes, as ratios to a floor measured
in the same run, with growth exponents.

    python bench/scale.py [--sizes 1000,10000,100000] [--modes no-html,default]
                          [--workers 2] [--seed 1] [--repeat 1] [--max-seconds 1800]
                          [--limit-gb 10] [--before DIR] [--json results.jsonl]
                          [--corpus throughput|bounded] [--corpus-dir DIR]

Each size's corpus is ``bench/throughput.py``'s (simulated stories, edited-copy
clusters, unrelated texts), written once as JSONL. Its copy clusters are drawn from the
same 1,698 base texts as the simulated stories, so a base text's copies grow with the
corpus (about 6 at 30k, 22 at 100k) and its true reuse pairs with their square:
``--corpus bounded`` gives each cluster of 2-4 copies a base text of its own (a
Markov-chain text, ``bench/synthetic.py``), so stories keep their size as the corpus
grows and the pairs grow with it linearly (docs/BENCHMARKS.md, round 8).

Each run is a fresh process doing what ``lineage analyze --out DIR [--no-html]`` does
(``lineage.analyze``, then the exports, then the HTML reports unless ``--no-html``), so
imports and writing are timed. Measured for every run, by this process:

* **wall** time, and **CPU** time of the run and of all its workers (``os.wait4``,
  which adds the reaped workers' time to the run's);
* **peak memory of all processes**: the run and its forked workers, sampled every
  0.2 s from ``/proc`` as the sum of their PSS (proportional set size: a page shared
  by a parent and its forked workers is counted once, split between them). The sum of
  RSS counts such pages once per process and overstates;
* **documents/s**, and the seconds the HTML reports took **per story** (the figure a
  quadratic report makes grow with the corpus);
* **planted stories**: of the simulated stories in the corpus (their members known),
  recall = the share whose members all lie in one story found, precision = the share
  of stories found holding simulated documents whose simulated documents all belong to
  one planted story (an independent report counts as a story of its own).

The **floor** (read the JSONL, regex-tokenize each text, one process:
``throughput.floor``) is timed beside every size, before each repeat, and every
figure is also given as a ratio to it: the machine is shared, and ratios drift less
than seconds. ``--before DIR`` alternates runs of the ``lineage`` package found in DIR
(``git archive <commit> lineage | tar -x -C DIR``) with this checkout's, run by run,
so both see the same load. A run longer than ``--max-seconds`` is stopped and shown
as such. Prints markdown tables (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


# -- one measured run, in its own process ---------------------------------------------


def planted(found: list[list[str]], truth: dict[str, str]) -> tuple[float, float]:
    """(recall, precision) of the planted stories ``truth`` (document -> story label)
    among the stories ``found`` (documents not in ``truth`` are not judged)."""
    where: dict[str, int] = {}
    pure = held = 0
    for k, story in enumerate(found):
        labels = {truth[d] for d in story if d in truth}
        if labels:
            held += 1
            pure += len(labels) == 1
        for d in story:
            where[d] = k
    members: dict[str, list[str]] = {}
    for d, label in truth.items():
        members.setdefault(label, []).append(d)
    planted_ = [m for label, m in members.items() if not label.startswith("independent:")]
    whole = sum(len({where.get(d, -1 - i) for i, d in enumerate(m)}) == 1 for m in planted_)
    return whole / max(1, len(planted_)), pure / max(1, held)


def child(path: str, out: str, *, workers: int, html: bool, truth: str | None = None) -> dict:
    """What ``lineage analyze`` does, with each phase timed (runs in the measured process).
    With ``SCALE_TRACE``, each stage's start is appended to that file with the wall and CPU
    seconds and the summed PSS of this process and its workers then, and each stage's
    peak of that sum (sampled every 0.5 s) when it ends, with the peak of this process's
    own PSS (the rest is its workers')."""
    if os.environ.get("LINEAGE_ROOT"):  # --before: another checkout's package first
        sys.path.insert(0, os.environ["LINEAGE_ROOT"])
        sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
    else:
        sys.path.insert(0, str(ROOT))
    import lineage
    from lineage.export import write_exports
    from lineage.model import Config

    progress = None
    stage = ["start"]
    if os.environ.get("SCALE_TRACE"):  # stage starts, to a file that outlives a stopped run
        trace = open(os.environ["SCALE_TRACE"], "a", encoding="utf-8")  # noqa: SIM115
        t0 = time.perf_counter()
        peaks: dict[str, float] = {}
        own: dict[str, float] = {}  # the peak of this process's PSS alone
        split: dict[str, tuple[float, float]] = {}  # anonymous / file-backed, at the peak

        def tree_mb() -> float:
            return sum(_rollup(p).get("Pss", 0) for p in _tree(os.getpid())) / 1024

        def progress(name: str, done: int, total: int) -> None:
            if name != stage[0]:
                anon, file = split.get(stage[0], (0.0, 0.0))
                trace.write(
                    f"  peak {peaks.get(stage[0], 0):.0f}MB in {stage[0]}"
                    f" (this process {own.get(stage[0], 0):.0f}MB; at the peak, anonymous"
                    f" {anon:.0f}MB, mapped files {file:.0f}MB)\n"
                )
                stage[0] = name
                c = os.times()
                cpu = c.user + c.system + c.children_user + c.children_system
                trace.write(
                    f"{time.perf_counter() - t0:.1f}s cpu {cpu:.1f}s pss {tree_mb():.0f}MB"
                    f" -> {name}\n"
                )
                trace.flush()

        def sample() -> None:  # the peak of each stage, sampled every 0.5 s
            while True:
                kb = [_rollup(p) for p in _tree(os.getpid())]
                mb = sum(r.get("Pss", 0) for r in kb) / 1024
                if mb > peaks.get(stage[0], 0.0):
                    split[stage[0]] = (
                        sum(r.get("Pss_Anon", 0) for r in kb) / 1024,
                        sum(r.get("Pss_File", 0) for r in kb) / 1024,
                    )
                peaks[stage[0]] = max(peaks.get(stage[0], 0.0), mb)
                mine = _rollup(os.getpid()).get("Pss", 0) / 1024
                own[stage[0]] = max(own.get(stage[0], 0.0), mine)
                time.sleep(0.5)

        threading.Thread(target=sample, daemon=True).start()

    t = time.perf_counter()
    a = lineage.analyze([path], Config(workers=workers), progress=progress)
    t_analysis = time.perf_counter() - t
    t_report = 0.0
    if not html:
        if progress:
            progress("exports", 0, 0)
        t = time.perf_counter()
        write_exports(a, Path(out), generated_at=None)
        t_export = time.perf_counter() - t
    else:
        # what the command line calls: lineage.write_reports, the exports then the pages:
        # "export" is the time until the first page's progress (the exports, then the
        # report's own preparation: its views and indexes), "report" the rest
        t = time.perf_counter()
        first_page = [0.0]

        def writing(name: str, done: int, total: int) -> None:
            if name == "reports" and not first_page[0]:
                first_page[0] = time.perf_counter()
            if progress:
                progress(name, done, total)

        lineage.write_reports(a, Path(out), generated_at=None, progress=writing)
        t_end = time.perf_counter()
        t_export = (first_page[0] or t_end) - t
        t_report = t_end - (first_page[0] or t_end)
    if progress:
        progress("end", 0, 0)
    recall = precision = float("nan")
    if truth:
        with open(truth, encoding="utf-8") as f:
            recall, precision = planted([list(s) for s in a.stories], json.load(f))
    return {
        "docs": len(a.documents),
        "pairs": len(a.pairs),
        "passages": sum(len(p.passages) for p in a.pairs),
        "stories": len(a.stories),
        "recall": recall,
        "precision": precision,
        "timings": a.timings,
        "analysis": t_analysis,
        "export": t_export,
        "report": t_report,
    }


class _Sampler(threading.Thread):
    """Peak summed PSS (and RSS) of a process and all its descendants, from /proc."""

    def __init__(self, pid: int, every: float = 0.2, limit_kb: float = 0.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.limit_kb = pid, every, limit_kb
        self.peak_pss = self.peak_rss = 0
        self.over = False
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            pss = rss = 0
            for p in _tree(self.pid):
                kb = _rollup(p)
                pss += kb.get("Pss", 0)
                rss += kb.get("Rss", 0)
            self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)
            if self.limit_kb and pss > self.limit_kb and not self.over:
                # the machine is shared: a run past the budget is stopped, not let grow
                self.over = True
                os.killpg(self.pid, 9)
            self.done.wait(self.every)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, ()))
    return out


def _rollup(pid: int) -> dict[str, int]:
    """kB figures of /proc/PID/smaps_rollup (empty once the process is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            lines = f.read().splitlines()[1:]
    except OSError:
        return {}
    out = {}
    for line in lines:
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            out[key] = int(parts[0])
    return out


def measure(
    path: Path,
    out: Path,
    *,
    workers: int,
    html: bool,
    root: str | None,
    max_seconds: float,
    limit_gb: float = 0.0,
    truth: Path | None = None,
) -> dict:
    """One run of :func:`child` in a fresh process: its figures, wall, CPU and memory."""
    env = dict(os.environ)
    env.pop("LINEAGE_ROOT", None)
    if root:
        env["LINEAGE_ROOT"] = root
    cmd = [sys.executable, __file__, "--child", str(path), "--out", str(out)]
    cmd += ["--workers", str(workers)] + ([] if html else ["--no-html"])
    cmd += ["--truth", str(truth)] if truth else []
    t = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True
    )
    sampler = _Sampler(proc.pid, limit_kb=limit_gb * 1024 * 1024)
    sampler.start()
    timer = threading.Timer(max_seconds, lambda: os.killpg(proc.pid, 9))
    timer.start()
    stdout = proc.stdout.read() if proc.stdout else b""
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    timer.cancel()
    sampler.done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    r: dict = {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "pss_mb": sampler.peak_pss / 1024,
        "rss_sum_mb": sampler.peak_rss / 1024,
        "maxrss_mb": usage.ru_maxrss / 1024,
        "stopped": proc.returncode != 0,
        "over_memory": sampler.over,
    }
    if proc.returncode == 0:
        r.update(json.loads(stdout.decode().strip().splitlines()[-1]))
    elif wall < max_seconds and not sampler.over:
        raise RuntimeError(f"run failed ({proc.returncode}): {stderr.decode()[-2000:]}")
    return r


# -- corpora ---------------------------------------------------------------------------


def planted_truth(n: int, seed: int) -> dict[str, str]:
    """Document -> story label of the simulated part of either corpus (the first records
    of ``throughput.make_corpus``, made again the same way)."""
    from lineage.evaluation.simulate import simulate

    sim = simulate(stories=max(2, min(n // 7, 700)), seed=seed)
    ids = {r["id"] for r in sim.records()[:n]}
    truth = {d: f"story:{k}" for k, members in enumerate(sim.stories) for d in members}
    return {d: truth.get(d, f"independent:{d}") for d in ids}


# -- tables ---------------------------------------------------------------------------


def _exponent(n1: int, y1: float, n2: int, y2: float) -> float:
    return math.log(y2 / y1) / math.log(n2 / n1) if y1 > 0 and y2 > 0 else float("nan")


def _fmt(r: dict, fl: dict) -> list[str]:
    if r["stopped"]:
        why = f", past {r['pss_mb']:,.0f} MB" if r.get("over_memory") else ""
        return [f"stopped after {r['wall']:.0f} s{why}", "", "", "", "", "", "", ""]
    per_story = f"{r['report'] / r['stories'] * 1000:.2f}" if r["report"] else "-"
    return [
        f"{r['wall']:.1f} ({r['wall'] / fl['wall']:.1f}x)",
        f"{r['cpu']:.1f} ({r['cpu'] / fl['cpu']:.1f}x)",
        f"{r['pss_mb']:,.0f} ({r['pss_mb'] / fl['maxrss_mb']:.1f}x)",
        f"{r['docs'] / r['wall']:,.0f} ({r['docs'] / r['wall'] / (fl['docs'] / fl['wall']):.3f})",
        f"{r['stories']:,}",
        f"{r['pairs']:,}",
        f"{r.get('recall', float('nan')):.3f} / {r.get('precision', float('nan')):.3f}",
        per_story,
    ]


def tables(rows: list[dict], *, before: bool) -> None:
    """rows: {n, mode, floor, new, old?}, in size order within each mode."""
    head = (
        "| docs | mode | floor s (docs/s) | "
        + ("code | " if before else "")
        + "wall s (/ floor) | CPU s (/ floor) | peak PSS MB, all processes (/ floor) "
        + "| docs/s (/ floor's) | stories | pairs | planted stories recall / precision "
        + "| report ms / story |"
    )
    print(head)
    print("|---:|---|---:|" + ("---|" if before else "") + "---:|" * 8)
    for row in rows:
        fl = row["floor"]
        lead = (
            f"| {row['n']:,} | {row['mode']} | {fl['wall']:.2f} ({fl['docs'] / fl['wall']:,.0f}) | "
        )
        for code in ("old", "new") if before else ("new",):
            cells = _fmt(row[code], fl)
            print(lead + (f"{code} | " if before else "") + " | ".join(cells) + " |")
    print()
    print("Growth exponents (log of the ratio of two sizes' figures / log of their size ratio):\n")
    print("| mode | code | sizes | wall | CPU | peak PSS | wall / floor |")
    print("|---|---|---|---:|---:|---:|---:|")
    for mode in dict.fromkeys(r["mode"] for r in rows):
        mine = [r for r in rows if r["mode"] == mode]
        for code in ("old", "new") if before else ("new",):
            for a, b in itertools.pairwise(mine):
                ra, rb = a[code], b[code]
                if ra["stopped"] or rb["stopped"]:
                    continue
                cells = [_exponent(a["n"], ra[k], b["n"], rb[k]) for k in ("wall", "cpu", "pss_mb")]
                cells.append(
                    _exponent(
                        a["n"],
                        ra["wall"] / a["floor"]["wall"],
                        b["n"],
                        rb["wall"] / b["floor"]["wall"],
                    )
                )
                print(
                    f"| {mode} | {code} | {a['n']:,} -> {b['n']:,} | "
                    + " | ".join(f"{c:.2f}" for c in cells)
                    + " |"
                )
    print()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--modes", default="no-html,default", help="no-html, default, or both")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="runs per (size, mode); fastest kept")
    ap.add_argument("--max-seconds", type=float, default=1800.0, help="a run is stopped after")
    ap.add_argument(
        "--limit-gb", type=float, default=0.0, help="stop a run whose PSS passes this (0: none)"
    )
    ap.add_argument("--before", help="folder holding an older lineage package: old vs new")
    ap.add_argument("--json", help="also append every measured run to this JSONL file")
    ap.add_argument(
        "--corpus",
        choices=("throughput", "bounded"),
        default="throughput",
        help="throughput: bench/throughput.py's corpus; bounded: copy clusters of their own",
    )
    ap.add_argument(
        "--corpus-dir",
        help="write each size's corpus into this folder once, and reuse it in later runs",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--truth", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--no-html", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        r = child(
            args.child, args.out, workers=args.workers, html=not args.no_html, truth=args.truth
        )
        print(json.dumps(r))
        return

    sys.path.insert(0, str(HERE))
    import throughput  # bench/throughput.py: the corpus and the floor

    modes = [m for m in args.modes.split(",") if m]
    codes = ("old", "new") if args.before else ("new",)
    rows = []
    log = open(args.json, "a", encoding="utf-8") if args.json else None  # noqa: SIM115
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(s) for s in args.sizes.split(",") if s]:
            if args.corpus_dir:  # written once, kept, and read again by later runs
                folder = Path(args.corpus_dir) / f"{args.corpus}-n{n}-seed{args.seed}"
            else:
                folder = Path(tmp) / f"n{n}"
            folder.mkdir(parents=True, exist_ok=True)
            path, truth = folder / "corpus.jsonl", folder / "truth.json"
            if not (args.corpus_dir and path.exists() and truth.exists()):
                t = time.perf_counter()
                make = functools.partial(throughput.make_corpus, bounded=args.corpus == "bounded")
                throughput.write_jsonl(make(n, args.seed), folder)
                truth.write_text(json.dumps(planted_truth(n, args.seed)), encoding="utf-8")
                print(f"corpus {n}: built in {time.perf_counter() - t:.1f}s", file=sys.stderr)
            for mode in modes:
                runs: dict[str, list[dict]] = {c: [] for c in codes}
                floors = []
                for k in range(args.repeat):
                    floors.append(throughput.floor(path))
                    for code in codes:  # alternate, so old and new see the same load
                        out = Path(tmp) / f"out_{n}_{mode}_{code}_{k}"
                        r = measure(
                            path,
                            out,
                            workers=args.workers,
                            html=mode == "default",
                            root=args.before if code == "old" else None,
                            max_seconds=args.max_seconds,
                            limit_gb=args.limit_gb,
                            truth=truth,
                        )
                        runs[code].append(r)
                        print(
                            f"  {n} {mode} {code}: wall {r['wall']:.1f}s cpu {r['cpu']:.1f}s "
                            f"pss {r['pss_mb']:.0f}MB floor {floors[-1]['wall']:.2f}s",
                            file=sys.stderr,
                        )
                        if log:
                            rec = {"n": n, "mode": mode, "code": code, "floor": floors[-1], **r}
                            log.write(json.dumps(rec) + "\n")
                            log.flush()
                        subprocess.run(["rm", "-rf", str(out)], check=False)
                row = {"n": n, "mode": mode, "floor": min(floors, key=lambda f: f["wall"])}
                for code in codes:
                    row[code] = min(runs[code], key=lambda r: (r["stopped"], r["wall"]))
                rows.append(row)
            if not args.corpus_dir:
                path.unlink()
    if log:
        log.close()
    rows.sort(key=lambda r: (modes.index(r["mode"]), r["n"]))
    tables(rows, before=bool(args.before))


if __name__ == "__main__":
    main()
