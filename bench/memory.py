"""Memory of the export step (lineage.json, CSV, JSONL, GraphML, Parquet) at growing
corpus sizes: the streamed writers against the whole-string writers of an older
checkout, on the same analysis, in the same run.

    python bench/memory.py [--sizes 20000,50000] [--workers 2] [--seed 1]
                           [--before DIR] [--limit-gb 6] [--json results.jsonl]

Each size's corpus is ``bench/throughput.py``'s (simulated stories, edited-copy
clusters, unrelated texts). One process analyzes it once; then each writer runs in a
process forked from it, so both start from the same analysis in memory and neither
sees what the other allocated. Measured in the forked process, while it writes the
default exports (``write_exports``: JSON, CSV, JSONL, GraphML, and Parquet when pyarrow
is installed) into a fresh folder:

* **Python peak**: ``tracemalloc``'s peak of the memory Python allocated during the
  export (the analysis, allocated before, is not counted);
* **Arrow peak**: pyarrow's memory pool peak (Parquet's buffers, not seen by
  tracemalloc);
* **RSS growth**: peak resident memory, sampled every 0.05 s, minus the resident memory
  when the export started. A forked process also copies every page of the analysis it
  touches (reference counts), so this overstates both writers by the same amount;
* the **largest record** (the longest line of lineage.json's records, of passages.jsonl
  and of quotes.jsonl, in bytes) and the **bytes written**, so a peak can be read as a
  multiple of either.

``--before DIR`` holds an older ``lineage`` package (``git archive <commit> lineage |
tar -x -C DIR``): its ``export.py`` and ``interchange.py`` are loaded beside this
checkout's package and run on the same analysis. Each forked writer may grow by at most
``--limit-gb`` of address space (``RLIMIT_AS``): a writer that needs more fails with
MemoryError and is shown as ">" that limit, instead of taking the shared machine down.
Prints a markdown table (docs/BENCHMARKS.md, "Memory of the exports").
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))


def _rss() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _vm_size() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


class _Peak(threading.Thread):
    def __init__(self, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.every, self.peak, self.done = every, 0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, _rss())
            self.done.wait(self.every)


def _old_writer(before: Path) -> ModuleType:
    """The older checkout's export module, its write_formats from its own interchange,
    everything else (model, files) from this checkout's package."""

    def load(name: str, path: Path, replace: tuple[str, str] | None = None) -> ModuleType:
        source = path.read_text(encoding="utf-8")
        if replace:
            source = source.replace(*replace)
        spec = importlib.util.spec_from_loader(name, loader=None)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        exec(compile(source, str(path), "exec"), module.__dict__)
        return module

    load("_old_interchange", before / "lineage" / "interchange.py")
    return load(
        "_old_export",
        before / "lineage" / "export.py",
        ("from lineage.interchange import", "from _old_interchange import"),
    )


def _largest_line(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as f:
        return max((len(line) for line in f), default=0)


def _largest_json_record(path: Path) -> int:
    """The longest record of lineage.json's lists (the writer puts each on its own
    lines, indented by four spaces, and closes it with a line "    }" or "    ]")."""
    best = cur = 0
    with path.open("rb") as f:
        for line in f:
            cur += len(line)
            if line in (b"    },\n", b"    }\n", b"    ],\n", b"    ]\n"):
                best, cur = max(best, cur), 0
            elif line.startswith(b"  ") and not line.startswith(b"    "):
                cur = 0  # a top-level key
    return best


def _measure(analysis: object, writer: ModuleType, out: Path, limit: int) -> dict:
    """Fork; in the child, write the exports with ``writer``; its figures, via a pipe."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the forked writer
        os.close(read)
        code = 0
        try:
            resource.setrlimit(resource.RLIMIT_AS, (_vm_size() + limit, resource.RLIM_INFINITY))
            try:
                import pyarrow as pa

                pool = pa.default_memory_pool()
            except ImportError:
                pool = None
            peak = _Peak()
            start_rss = _rss()
            peak.start()
            tracemalloc.start()
            t = time.perf_counter()
            try:
                writer.write_exports(analysis, out)
                r: dict = {"ok": True}
            except MemoryError:
                r = {"ok": False}
            r["seconds"] = time.perf_counter() - t
            _now, r["python_peak"] = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            peak.done.set()
            peak.join()
            r["rss_growth"] = max(peak.peak, _rss()) - start_rss
            r["arrow_peak"] = pool.max_memory() if pool is not None else 0
            if r["ok"]:
                r["bytes"] = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
                r["largest_record"] = max(
                    _largest_json_record(out / "lineage.json"),
                    _largest_line(out / "passages.jsonl"),
                    _largest_line(out / "quotes.jsonl"),
                )
                r["lineage_json"] = (out / "lineage.json").stat().st_size
            os.write(write, json.dumps(r).encode())
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            os.write(write, json.dumps({"ok": False, "error": repr(exc)[:500]}).encode())
            code = 1
        finally:
            os.close(write)
            os._exit(code)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks).decode() or '{"ok": false, "error": "no answer"}')


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="20000,50000")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--before", help="folder holding an older lineage package: old vs new")
    ap.add_argument("--limit-gb", type=float, default=6.0, help="address space per writer")
    ap.add_argument("--json", help="also append every measurement to this JSONL file")
    args = ap.parse_args(argv)

    # imported before the forks: their modules are no writer's memory
    import networkx  # noqa: F401
    import throughput  # bench/throughput.py: the corpus

    import lineage
    import lineage.export as new_export
    from lineage.model import Config

    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        pass
    writers: list[tuple[str, ModuleType]] = [("streamed", new_export)]
    if args.before:
        writers.insert(0, ("before", _old_writer(Path(args.before))))
    limit = int(args.limit_gb * 1e9)
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            path = throughput.write_jsonl(throughput.make_corpus(n, args.seed), folder)
            t = time.perf_counter()
            analysis = lineage.analyze([path], Config(workers=args.workers))
            seconds = time.perf_counter() - t
            print(f"{n:,} documents analyzed in {seconds:.0f} s", file=sys.stderr, flush=True)
            # each writer once on a small corpus first: lazy imports and first-call caches
            # (lxml, pyarrow's writers: ~27 MB) are no writer's memory
            (folder / "s").mkdir()
            small = throughput.write_jsonl(throughput.make_corpus(200, args.seed), folder / "s")
            warm = lineage.analyze([small], Config(workers=1))
            for name, writer in writers:
                writer.write_exports(warm, folder / f"warm-{name}")
            for name, writer in writers:
                r = _measure(analysis, writer, folder / f"out-{name}", limit)
                r.update(size=n, writer=name, docs=len(analysis.documents))
                r["passages"] = len(analysis.passages)
                print(json.dumps(r), file=sys.stderr, flush=True)
                rows.append(r)
                if args.json:
                    with open(args.json, "a", encoding="utf-8") as f:
                        f.write(json.dumps(r) + "\n")
            del analysis
    print(
        "| documents | passages | writer | Python peak MB | Arrow peak MB | RSS growth MB "
        "| largest record KB | written MB | Python peak / largest record |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if not r.get("ok"):
            what = r.get("error") or f"> {args.limit_gb:g} GB (MemoryError)"
            print(f"| {r['size']:,} | {r['passages']:,} | {r['writer']} | {what} | | | | | |")
            continue
        ratio = r["python_peak"] / max(r["largest_record"], 1)
        print(
            f"| {r['docs']:,} | {r['passages']:,} | {r['writer']} | {_mb(r['python_peak'])} "
            f"| {_mb(r['arrow_peak'])} | {_mb(r['rss_growth'])} "
            f"| {r['largest_record'] / 1e3:,.1f} | {_mb(r['bytes'])} | {ratio:,.0f}x |"
        )


if __name__ == "__main__":
    main()
