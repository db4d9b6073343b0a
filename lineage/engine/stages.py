"""The analysis after ingest, written once against :class:`~lineage.engine.base.Executor`.

    documents -> sketches (map documents)
              -> rare-shingle votes (shuffle by shingle) + LSH buckets (shuffle by band)
              -> candidates (shuffle by pair: votes counted)
              -> verified and aligned pairs (map pairs)
              -> Parquet of pairs and passages
    then, here: stories, lineage inference, the Analysis.

The candidate rules are :mod:`lineage.candidates`' own: a shingle votes for the pairs of
documents holding it when it is in 2..``max_shingle_df`` documents, a pair needs
``min_shared_shingles`` votes; LSH uses datasketch ``MinHashLSH``'s band ranges for
``lsh_threshold`` and a pair shares a bucket when a whole band is equal; every candidate
is checked on the exact shingle sets (:func:`lineage.candidates.overlap`) and aligned
(:func:`lineage.align.align`). So the pairs are the local engine's, on any executor.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lineage.candidates import band_ranges
from lineage.engine.base import CountVotes, Executor, PairVotes, as_entry
from lineage.model import Analysis, Config, Document, EditScript, Pair, Passage, Skipped

__all__ = [
    "analyze_on",
    "find_pairs",
    "read_pairs",
    "write_pairs",
]

# A document record: (index, id, text, boilerplate spans). Its index is its place in id
# order, so pair (i, j) with i < j has a.id < b.id as in the local engine.
DocRecord = tuple[int, str, str, tuple[tuple[int, int], ...]]
# What the sketch stage keeps of a document: (index, distinct shingles as int64,
# MinHash values as int64 or None for a document without shingles, words, boilerplate words)
Sketch = tuple[int, np.ndarray, "np.ndarray | None", int, int]


def doc_records(docs: Sequence[Document]) -> list[DocRecord]:
    """Records of ``docs`` sorted by id (the index of each is its place in that order)."""
    ordered = sorted(docs, key=lambda d: d.id)
    return [
        (k, d.id, d.text, tuple((int(s), int(e)) for s, e in d.boilerplate))
        for k, d in enumerate(ordered)
    ]


# -- stage functions (top level: Spark pickles them by reference) ---------------------


def _aligned(rec: DocRecord, shingle_size: int) -> Any:
    from lineage.align import AlignedDoc
    from lineage.fingerprint import fingerprint
    from lineage.text import tokenize

    _, doc_id, text, boiler = rec
    tokens = tokenize(text, boilerplate=tuple((int(s), int(e)) for s, e in boiler))
    return AlignedDoc(doc_id, text, tokens, fingerprint(doc_id, tokens, shingle_size=shingle_size))


def sketch_batch(
    batch: list[DocRecord], *, shingle_size: int, num_perm: int, seed: int
) -> list[Sketch]:
    """Tokens, shingles and MinHash sketches of a batch of documents (one numpy batch)."""
    from lineage.fingerprint import minhash_values

    docs = [_aligned(rec, shingle_size) for rec in batch]
    some = [k for k, d in enumerate(docs) if d.fp.size]
    values = minhash_values([docs[k].fp for k in some], num_perm=num_perm, seed=seed)
    rows: dict[int, np.ndarray] = {k: values[r].view(np.int64) for r, k in enumerate(some)}
    return [
        (
            rec[0],
            d.fp.unique.view(np.int64),
            rows.get(k),
            len(d.tokens),
            int(d.tokens.boilerplate.sum()),
        )
        for k, (rec, d) in enumerate(zip(batch, docs, strict=True))
    ]


def shingle_entries(sk: Sketch) -> Iterator[tuple[int, int]]:
    """Rare-shingle index entries: (shingle, document)."""
    k = sk[0]
    for h in sk[1].tolist():
        yield h, k


def band_entries(sk: Sketch, *, ranges: tuple[tuple[int, int], ...]) -> Iterator[tuple[bytes, int]]:
    """LSH bucket entries: (band number and the band's values, document)."""
    values = sk[2]
    if values is None:
        return
    for b, (start, end) in enumerate(ranges):
        yield b.to_bytes(2, "big") + values[start:end].tobytes(), sk[0]


def verify_and_align(
    batch: list[tuple[int, int, DocRecord, DocRecord]], *, config: Config
) -> list[Pair]:
    """Exact overlap, then alignment, of each candidate pair; pairs without a passage
    share only scattered shingles and are dropped (as in the local engine)."""
    from lineage.candidates import overlap
    from lineage.pipeline import align_pair

    cache: dict[int, Any] = {}  # a document in many pairs of the batch is tokenized once

    def doc(rec: DocRecord) -> Any:
        if rec[0] not in cache:
            cache[rec[0]] = _aligned(rec, config.shingle_size)
        return cache[rec[0]]

    out = []
    for i, j, ri, rj in batch:
        a, b = doc(ri), doc(rj)
        ov = overlap(a.fp, b.fp, i, j)
        if ov.shared < 1:
            continue
        pair = align_pair(a, b, ov, config)
        if pair is not None:
            out.append(pair)
    return out


# -- the stage list --------------------------------------------------------------------


def find_pairs(ex: Executor, records: Any, n_docs: int, config: Config) -> tuple[Any, Any]:
    """Candidate, verified and aligned pairs of the document ``records`` (a collection
    of ``ex``). Returns (pairs, sketches) as collections of ``ex``."""
    sketches = ex.map_documents(
        functools.partial(
            sketch_batch,
            shingle_size=config.shingle_size,
            num_perm=config.num_perm,
            seed=config.seed,
        ),
        records,
    )
    rare = ex.shuffle(
        shingle_entries,
        PairVotes(n_docs, 1),
        sketches,
        min_group=2,
        max_group=config.max_shingle_df,
    )
    ranges = band_ranges(config.lsh_threshold, config.num_perm)
    lsh = ex.shuffle(
        functools.partial(band_entries, ranges=ranges),
        # a shared bucket is a candidate on its own: it brings all the votes a pair needs
        PairVotes(n_docs, config.min_shared_shingles),
        sketches,
        min_group=2,
        bytes_keys=True,
    )
    candidates = ex.shuffle(
        as_entry,
        CountVotes(n_docs, config.min_shared_shingles),
        ex.concat(rare, lsh),
    )
    pairs = ex.map_pairs(functools.partial(verify_and_align, config=config), candidates, records)
    return pairs, sketches


def _word_counts(sk: Sketch) -> tuple[int, int, int]:
    return sk[0], sk[3], sk[4]


# -- Parquet of pairs and passages ---------------------------------------------------

PAIR_FIELDS = (
    "a", "b", "jaccard", "a_in_b", "b_in_a", "reused_words", "a_in_b_narrative",
    "b_in_a_narrative", "shingle_containment_a", "shingle_containment_b",
)  # fmt: skip
PASSAGE_FIELDS = (
    "a", "b", "a_start", "a_end", "b_start", "b_end", "a_words", "b_words", "similarity",
    "quoted", "a_text", "b_text", "a_tok_start", "a_tok_end", "b_tok_start", "b_tok_end",
    "a_quoted_words", "b_quoted_words", "ops",
)  # fmt: skip


def pair_row(p: Pair) -> tuple[Any, ...]:
    return tuple(getattr(p, f) for f in PAIR_FIELDS)


def passage_rows(p: Pair) -> list[tuple[Any, ...]]:
    return [
        (
            q.a,
            q.b,
            q.a_start,
            q.a_end,
            q.b_start,
            q.b_end,
            q.a_words,
            q.b_words,
            q.similarity,
            q.quoted,
            q.a_text,
            q.b_text,
            *q.a_tok,
            *q.b_tok,
            q.a_quoted_words,
            q.b_quoted_words,
            json.dumps(list(q.ops)),  # the word-level edit script, one JSON list a passage
        )  # fmt: skip
        for q in p.passages
    ]


def write_pairs(pairs: Iterable[Pair], folder: Path) -> None:
    """``pairs.parquet`` and ``passages.parquet`` in ``folder`` (pyarrow, one file each)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pairs = list(pairs)
    folder.mkdir(parents=True, exist_ok=True)
    rows = [pair_row(p) for p in pairs]
    pq.write_table(
        pa.table({f: [r[k] for r in rows] for k, f in enumerate(PAIR_FIELDS)}),
        folder / "pairs.parquet",
    )
    prow = [r for p in pairs for r in passage_rows(p)]
    pq.write_table(
        pa.table({f: [r[k] for r in prow] for k, f in enumerate(PASSAGE_FIELDS)}),
        folder / "passages.parquet",
    )


def read_pairs(folder: Path) -> list[Pair]:
    """The pairs written by :func:`write_pairs` or by the Spark engine, in id order;
    passages in their order of the pair (text order on a's side, as aligned)."""
    import pyarrow.parquet as pq

    ptab = pq.read_table(folder / "pairs.parquet").to_pylist()
    qtab = pq.read_table(folder / "passages.parquet").to_pylist()
    by_pair: dict[tuple[str, str], list[Passage]] = {}
    for r in qtab:
        by_pair.setdefault((r["a"], r["b"]), []).append(
            Passage(
                a=r["a"],
                b=r["b"],
                a_start=r["a_start"],
                a_end=r["a_end"],
                b_start=r["b_start"],
                b_end=r["b_end"],
                a_words=r["a_words"],
                b_words=r["b_words"],
                similarity=r["similarity"],
                quoted=r["quoted"],
                a_src=r["a_text"],
                b_src=r["b_text"],
                a_src_at=r["a_start"],
                b_src_at=r["b_start"],
                a_tok=(r["a_tok_start"], r["a_tok_end"]),
                b_tok=(r["b_tok_start"], r["b_tok_end"]),
                ops=EditScript(json.loads(r["ops"])),
                a_quoted_words=r["a_quoted_words"],
                b_quoted_words=r["b_quoted_words"],
            )  # fmt: skip
        )
    out = []
    for r in ptab:
        key = (r["a"], r["b"])
        # passages keep the aligner's order: by a's token offsets, then b's
        passages = sorted(by_pair.get(key, []), key=lambda q: (q.a_tok, q.b_tok))
        out.append(Pair(**{f: r[f] for f in PAIR_FIELDS}, passages=tuple(passages)))
    return sorted(out, key=lambda p: (p.a, p.b))


class _LazyTokens(Mapping[str, Any]):
    """Tokens of a document, made when first asked for: inference reads only the
    documents of linked stories, so single-document stories are never tokenized here."""

    def __init__(self, docs: Sequence[Document]) -> None:
        self._docs = {d.id: d for d in docs}
        self._made: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._made:
            from lineage.text import tokenize

            d = self._docs[key]
            self._made[key] = tokenize(d.text, boilerplate=d.boilerplate)
        return self._made[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._docs)

    def __len__(self) -> int:
        return len(self._docs)


def analyze_on(
    ex: Executor,
    docs: Sequence[Document],
    config: Config | None = None,
    *,
    work: Path,
    skipped: Sequence[Skipped] = (),
    notices: Sequence[Skipped] = (),
) -> Analysis:
    """Every stage after ingest, the pair stages on ``ex``: the pairs and passages are
    written as Parquet into the folder ``work`` and read back, then stories and
    lineage inference run here, per story. The same Analysis as
    :func:`lineage.pipeline.analyze_documents` (same pairs, same figures)."""
    from lineage.pipeline import after_pairs, check_config

    config = check_config(config or Config())
    docs = sorted(docs, key=lambda d: d.id)
    records = doc_records(docs)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    coll = ex.documents(records, work)
    pairs_coll, sketches = find_pairs(ex, coll, len(records), config)
    ex.write_pairs(pairs_coll, work)
    counts = ex.collect(ex.map_documents(_counts_batch, sketches))
    timings["pairs"] = time.perf_counter() - t
    pairs = read_pairs(work)
    word_counts = {docs[k].id: (n, nb) for k, n, nb in sorted(counts)}
    # stories, the forest, lost sources and quotations: the local pipeline's own stages
    return after_pairs(
        docs,
        pairs,
        _LazyTokens(docs),
        config,
        skipped=skipped,
        notices=notices,
        word_counts=word_counts,
        timings=timings,
    )


def _counts_batch(batch: list[Sketch]) -> list[tuple[int, int, int]]:
    return [_word_counts(sk) for sk in batch]
