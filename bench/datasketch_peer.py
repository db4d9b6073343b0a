"""Fingerprinting against datasketch used the obvious way, on the same corpus.

    python bench/datasketch_peer.py [--docs 5000] [--seed 1] [--threshold 0.3] [--repeat 1]

Corpus: ``bench/throughput.py``'s (simulated stories, edited copies, unrelated texts),
read with ``lineage.ingest.read_corpus``, chrome marked and tokenized by lineage once
(both sides start from the same words). Then, one process, one core each:

* **lineage**: the shingle hashes of every document (``lineage.fingerprint.fingerprint``),
  the MinHash sketches of the whole corpus in one batch (``minhash_values``) and the LSH
  pairs by sorting the bands (``lineage.candidates.lsh_pairs``);
* **datasketch, the obvious way**: each document's shingles as strings (its five
  normalized words joined by spaces, at the same positions lineage shingles: no
  boilerplate word inside), ``MinHash(num_perm, seed).update(shingle.encode())`` per
  shingle, then ``MinHashLSH(threshold, num_perm)``: ``insert`` every sketch, ``query``
  every sketch;
* **datasketch, `update_batch`**: the same with one ``update_batch`` call per document
  (datasketch's own faster path), for reference.

Both sides build the same shingle sets; datasketch hashes the strings with its SHA-1
(32 bits), lineage its 64-bit word-hash polynomial, so the sketches differ and the LSH
pairs differ by MinHash noise only: the table gives the pairs both find and those one
side alone finds. **datasketch fed lineage's shingle hashes** (``hashfunc`` the identity)
checks that lineage's LSH gives exactly datasketch's pairs on equal inputs.

The **floor** (read the JSONL, regex-tokenize each text: ``throughput.floor``) is
measured in the same run, and each time is also given as a ratio to it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import throughput  # noqa: E402  (bench/throughput.py: the corpus and the floor)


def _tokens(path: Path) -> tuple[list, list]:
    from lineage.boilerplate import mark_boilerplate
    from lineage.ingest import read_corpus
    from lineage.text import tokenize

    docs = sorted(read_corpus([path]).documents, key=lambda d: d.id)
    docs = mark_boilerplate(docs)
    return docs, [tokenize(d.text, boilerplate=d.boilerplate) for d in docs]


def run_lineage(tokens: list, *, threshold: float, num_perm: int, seed: int) -> dict:
    from lineage.candidates import lsh_pairs
    from lineage.fingerprint import fingerprint, minhash_values

    c = time.process_time()
    fps = [fingerprint(str(k), t) for k, t in enumerate(tokens)]
    t_shingles = time.process_time() - c
    values = minhash_values(fps, num_perm=num_perm, seed=seed)
    t_sketch = time.process_time() - c
    pairs = lsh_pairs(fps, threshold=threshold, num_perm=num_perm, seed=seed)
    return {
        "shingles": t_shingles,
        "sketch": t_sketch,
        "total": time.process_time() - c,
        "pairs": {tuple(p) for p in pairs.tolist()},
        "fps": fps,
        "values": values,
    }


def _lsh(sketches: list, *, threshold: float, num_perm: int) -> set[tuple[int, int]]:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for k, m in enumerate(sketches):
        if m is not None:
            lsh.insert(k, m)
    found: set[tuple[int, int]] = set()
    for k, m in enumerate(sketches):
        if m is None:
            continue
        for j in lsh.query(m):
            if j != k:
                found.add((min(k, j), max(k, j)))
    return found


def run_datasketch(
    tokens: list, fps: list, *, threshold: float, num_perm: int, seed: int, batch: bool
) -> dict:
    from datasketch import MinHash

    c = time.process_time()
    sketches: list = []
    n_shingles = 0
    for t, fp in zip(tokens, fps, strict=True):
        if not fp.size:  # lineage leaves documents without a shingle out of LSH too
            sketches.append(None)
            continue
        words = t.words
        shingles = [" ".join(words[p : p + 5]).encode() for p in fp.positions.tolist()]
        n_shingles += len(shingles)
        m = MinHash(num_perm=num_perm, seed=seed)
        if batch:
            m.update_batch(shingles)
        else:
            for s in shingles:
                m.update(s)
        sketches.append(m)
    t_sketch = time.process_time() - c
    pairs = _lsh(sketches, threshold=threshold, num_perm=num_perm)
    return {
        "sketch": t_sketch,
        "total": time.process_time() - c,
        "pairs": pairs,
        "shingles": n_shingles,
    }


def run_datasketch_same_hashes(
    fps: list, values: np.ndarray, *, threshold: float, num_perm: int, seed: int
) -> set[tuple[int, int]]:
    """datasketch's LSH over sketches of lineage's shingle hashes (hashfunc: identity)."""
    from lineage.fingerprint import minhashes

    keep = [k for k, fp in enumerate(fps) if fp.size]
    ms = minhashes([fps[k] for k in keep], num_perm=num_perm, seed=seed)
    sketches: list = [None] * len(fps)
    for k, m in zip(keep, ms, strict=True):
        sketches[k] = m
    return _lsh(sketches, threshold=threshold, num_perm=num_perm)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threshold", type=float, default=0.3)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--repeat", type=int, default=1, help="rounds; the fastest of each kept")
    args = ap.parse_args(argv)
    kw = {"threshold": args.threshold, "num_perm": args.num_perm, "seed": 1}
    with tempfile.TemporaryDirectory() as tmp:
        path = throughput.write_jsonl(throughput.make_corpus(args.docs, args.seed), Path(tmp))
        docs, tokens = _tokens(path)
        rounds = []
        for _ in range(args.repeat):
            fl = throughput.floor(path)
            lin = run_lineage(tokens, **kw)
            ds = run_datasketch(tokens, lin["fps"], batch=False, **kw)
            dsb = run_datasketch(tokens, lin["fps"], batch=True, **kw)
            rounds.append((fl, lin, ds, dsb))
            print(f"lineage shingles {lin['shingles']:.2f}s", file=sys.stderr)
            print(
                f"floor {fl['cpu']:.2f}s lineage {lin['total']:.2f}s "
                f"datasketch {ds['total']:.1f}s batch {dsb['total']:.1f}s",
                file=sys.stderr,
            )
        same = run_datasketch_same_hashes(lin["fps"], lin["values"], **kw)
    fl = min((r[0] for r in rounds), key=lambda f: f["cpu"])
    lin = min((r[1] for r in rounds), key=lambda r: r["total"])
    ds = min((r[2] for r in rounds), key=lambda r: r["total"])
    dsb = min((r[3] for r in rounds), key=lambda r: r["total"])
    n_sh = ds["shingles"]
    print(
        f"{len(docs):,} documents, {n_sh:,} shingles (5 words), {args.num_perm} permutations, "
        f"LSH threshold {args.threshold}; CPU seconds, one process; floor (read + "
        f"regex-tokenize) {fl['cpu']:.2f} s CPU\n"
    )
    print("| step | lineage | datasketch, update per shingle | datasketch, update_batch |")
    print("|---|---:|---:|---:|")

    def cell(s: float) -> str:
        return f"{s:.2f} s ({s / fl['cpu']:.1f}x floor)"

    print(f"| sketches | {cell(lin['sketch'])} | {cell(ds['sketch'])} | {cell(dsb['sketch'])} |")
    print(
        f"| sketches + LSH pairs | {cell(lin['total'])} | {cell(ds['total'])} | "
        f"{cell(dsb['total'])} |"
    )
    print(
        f"| per shingle, sketch | {lin['sketch'] / n_sh * 1e6:.2f} us | "
        f"{ds['sketch'] / n_sh * 1e6:.2f} us | {dsb['sketch'] / n_sh * 1e6:.2f} us |"
    )
    print(
        f"| datasketch / lineage, sketches | 1 | {ds['sketch'] / lin['sketch']:.1f}x | "
        f"{dsb['sketch'] / lin['sketch']:.1f}x |"
    )
    print(
        f"| datasketch / lineage, with LSH | 1 | {ds['total'] / lin['total']:.1f}x | "
        f"{dsb['total'] / lin['total']:.1f}x |\n"
    )
    a, b = lin["pairs"], ds["pairs"]
    print("| LSH pairs | count |")
    print("|---|---:|")
    print(f"| lineage | {len(a):,} |")
    print(f"| datasketch (string shingles, SHA-1) | {len(b):,} |")
    print(f"| both | {len(a & b):,} |")
    print(f"| lineage only | {len(a - b):,} |")
    print(f"| datasketch only | {len(b - a):,} |")
    print(f"| datasketch fed lineage's shingle hashes | {len(same):,} |")
    print(f"| ... equal to lineage's pairs | {'yes' if same == a else 'NO'} |")


if __name__ == "__main__":
    main()
