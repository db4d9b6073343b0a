"""The whole analysis, stage after stage, readable top to bottom.

    ingest -> chrome (boilerplate, host, dateline spans) -> tokens -> fingerprints
           -> candidates -> alignment -> stories -> lineage inference -> Analysis

:func:`analyze` only reads the inputs; every stage after ingest is
:func:`analyze_documents`, so the two entry points give the same analysis.

Each stage is a plain function of its own module; this one only sequences them,
times them, and spreads the per-document and per-pair work over the cores.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from lineage.align import AlignedDoc, align, detach_texts, pair_figures, share_texts
from lineage.candidates import IndexPart, Overlap, candidate_array, overlap
from lineage.columns import Columns, StoredTexts, TokenMap
from lineage.duplicates import Collapse, collapse_duplicates, copy_edges, with_copies
from lineage.fingerprint import Prepared, prepare, shared_shingles
from lineage.model import Analysis, Config, Document, Pair, ProfileChoice, Skipped
from lineage.parallel import chunks, fork_call, fork_map, release_memory, worker_count
from lineage.store import ArrayStore
from lineage.stories import group_stories  # re-exported: lineage.pipeline.group_stories
from lineage.text import Tokens

__all__ = [
    "after_pairs",
    "align_pair",
    "analyze",
    "analyze_documents",
    "check_config",
    "group_stories",
    "verify_and_align",
]

# Below these sizes a worker pool costs more than it saves.
_PARALLEL_DOCS = 2_000
_PARALLEL_PAIRS = 400
# Fingerprinting: documents a batch at most (a batch's arrays and temporaries are a
# worker's memory: 1/16 of 100k documents took 450 MB a worker), and batches a worker
# makes before a fresh one replaces it (a worker copies the pages of the texts it reads)
_PREPARE_DOCS = 2_000
_PREPARE_TASKS = 8
# Below this size a run holds too little to give back to the system after a stage: the
# full collection of release_memory costs ~50 ms in a busy interpreter (a notebook, a
# test session), which a five-document run would pay at each of its eight stage ends.
_RELEASE_DOCS = 2_000

AUTO = "auto"  # Config.profile: the corpus chooses

Progress = Callable[[str, int, int], None]  # (stage, done, total); total 0: not known yet


def analyze(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    config: Config | None = None,
    *,
    progress: Progress | None = None,
    follow_links: bool = False,
    exclude: Iterable[str | os.PathLike[str]] = (),
) -> Analysis:
    """Read ``paths`` (files and folders) and run every stage. ``follow_links`` and
    ``exclude`` go to :func:`lineage.ingest.read_corpus`.

    >>> a = analyze(["seeds"])            # doctest: +SKIP
    >>> a.pairs_frame().head()            # doctest: +SKIP
    """
    from lineage.ingest import read_corpus

    config = config or Config()
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    t0 = time.perf_counter()
    ingested = read_corpus(
        [Path(p) for p in paths],
        follow_links=follow_links,
        exclude=exclude,
        progress=(lambda n: progress("reading", n, 0)) if progress else None,
    )
    t_ingest = time.perf_counter() - t0
    if progress:  # the total, once known (the reader reports every 500 documents)
        progress("reading", len(ingested.documents), len(ingested.documents))
    analysis = analyze_documents(
        ingested.documents,
        config,
        skipped=ingested.skipped,
        notices=ingested.notices,
        progress=progress,
    )
    analysis.timings["ingest"] = round(t_ingest, 4)
    return analysis


def check_config(config: Config) -> Config:
    """``config``, after checking the names it gives (profile, calibration): an unknown
    name fails before any work, on every engine."""
    from lineage.infer import Weights
    from lineage.infer.confidence import load_calibration
    from lineage.infer.profile import TRADITION

    if config.profile not in (AUTO, TRADITION):
        Weights.for_profile(config.profile)
    load_calibration(config.calibration)
    return config


def analyze_documents(
    docs: Sequence[Document],
    config: Config | None = None,
    *,
    skipped: Sequence[Skipped] = (),
    notices: Sequence[Skipped] = (),
    progress: Progress | None = None,
) -> Analysis:
    """Every stage after ingest, on documents already read (ids must be unique): the
    chrome is marked here (idempotent, so documents marked before are unchanged)."""
    config = check_config(config or Config())
    docs = sorted(docs, key=lambda d: d.id)  # input order never changes the result
    timings: dict[str, float] = {}
    workers = worker_count(config.workers)

    # chrome, the page's host and the dateline's place: resolved once, read from Document
    # (one progress step each, as below: 10 s and 1.5 s at 10k documents)
    with _stage(timings, "chrome", progress, "page chrome", release=len(docs) >= _RELEASE_DOCS):
        docs = _mark_chrome(docs, config.boilerplate_min_docs)

    # the tokens and shingles of every document: in memory, or past the budget in
    # files of a temporary folder read as needed, deleted when the analysis is done
    store = ArrayStore.for_run(sum(len(d.text) for d in docs), config.memory)
    try:
        analysis, dup = _after_chrome(
            docs, config, store, workers, timings, skipped, notices, progress
        )
    finally:
        store.close()
    if not dup.copies:
        return replace(analysis, documents=tuple(docs), duplicates=dup.groups)
    edges = sorted(
        [*analysis.edges, *copy_edges(docs, dup.copies)], key=lambda e: (e.parent, e.child)
    )
    return replace(
        analysis,
        documents=tuple(docs),
        edges=tuple(edges),
        stories=with_copies(analysis.stories, dup.groups),
        duplicates=dup.groups,
    )


def _after_chrome(
    docs: Sequence[Document],
    config: Config,
    store: ArrayStore,
    workers: int,
    timings: dict[str, float],
    skipped: Sequence[Skipped],
    notices: Sequence[Skipped],
    progress: Progress | None,
) -> tuple[Analysis, Collapse]:
    """The stages after the chrome, their per-document arrays kept in ``store``."""
    release = len(docs) >= _RELEASE_DOCS
    # the arrays of every document, read as objects only when a stage asks (Columns)
    with _stage(timings, "fingerprints", release=release):
        cols = _prepare(docs, config, store, workers, progress)

    # identical and near-identical copies collapse before pairing (lineage.duplicates)
    with _stage(timings, "duplicates", progress, release=release):
        dup = collapse_duplicates(
            docs, cols.all_tokens(), cols.fps(), min_words=config.shingle_size
        )

    with _stage(timings, "candidates", progress, release=release):
        todo, near = _candidates(cols, dup.keep, dup.near, config, store, workers)

    # verification on the exact shingle sets and alignment, one pass per pair
    with _stage(timings, "alignment", release=release):
        pairs = _align_all(cols, todo, near, config, store, workers, progress)

    # the exact copies wait outside: each becomes a child of its group's representative
    analysed = [d for k, d in enumerate(docs) if k not in dup.copies]
    tokens = TokenMap(cols, dup.copies)
    word_counts = {d.id: cols.words(k) for k, d in enumerate(docs)}
    del todo, near
    if release:
        release_memory()
    analysis = after_pairs(
        analysed,
        pairs,
        tokens,
        config,
        skipped=skipped,
        notices=notices,
        word_counts=word_counts,
        timings=timings,
        progress=progress,
    )
    return analysis, dup


def after_pairs(
    docs: Sequence[Document],
    pairs: Sequence[Pair],
    tokens: Mapping[str, Tokens],
    config: Config,
    *,
    skipped: Sequence[Skipped] = (),
    notices: Sequence[Skipped] = (),
    word_counts: Mapping[str, tuple[int, int]] | None = None,
    timings: Mapping[str, float] | None = None,
    progress: Progress | None = None,
) -> Analysis:
    """The stages after alignment, the same for every engine: stories, the profile,
    the derivation forest, lost sources and second parents, and quotations. ``docs``
    are the documents that were paired (marked, sorted by id); ``tokens`` theirs."""
    from lineage.infer import Weights, infer_lineage
    from lineage.infer.chain import chains
    from lineage.infer.confidence import calibrate, load_calibration
    from lineage.infer.hypothetical import lost_sources
    from lineage.infer.profile import TRADITION, TRADITION_WEIGHTS
    from lineage.infer.stemma import stemmata
    from lineage.quotes import quote_findings

    timings = dict(timings or {})
    stories = group_stories(
        [d.id for d in docs],
        pairs,
        min_words=config.story_min_words,
        min_ratio=config.story_min_ratio,
    )
    choice = _profile(config.profile, docs, pairs, stories, tokens)
    tradition = choice.profile == TRADITION
    weights = Weights.for_profile(TRADITION_WEIGHTS if tradition else choice.profile)
    calibration = load_calibration(config.calibration)
    t = time.perf_counter()
    edges, origins = infer_lineage(
        docs,
        pairs,
        stories,
        tokens=tokens,
        weights=weights,
        workers=worker_count(config.workers),
        progress=(lambda k, n: progress("inference", k, n)) if progress else None,
    )
    # lost sources and second parents, read from what the texts hold beyond the forest
    edges, origins, hypotheticals = lost_sources(
        docs,
        pairs,
        edges,
        origins,
        tokens=tokens,
        separate=(weights.separate_child, weights.separate_parent),
    )
    if tradition:  # a hand-copied tradition: each story's skeleton is its stemma
        edges, origins, hypotheticals = stemmata(
            docs, pairs, stories, edges, origins, tokens=tokens
        )
    elif choice.profile == "revisions":  # versions of one text: each story is a chain
        edges, origins, hypotheticals = chains(
            docs,
            stories,
            edges,
            origins,
            hypotheticals,
            tokens=tokens,
            support=config.chain_support,
        )
    # each marginal mapped to how often such an edge is right (no edge changes)
    edges, origins = calibrate(
        edges,
        origins,
        stories=stories,
        documents=docs,
        hypotheticals=hypotheticals,
        calibration=calibration,
    )
    if len(docs) >= _RELEASE_DOCS:
        release_memory()
    timings["inference"] = time.perf_counter() - t

    # quotations along the inferred edges
    with _stage(timings, "quotes", progress, "quotations", release=len(docs) >= _RELEASE_DOCS):
        quotes = quote_findings(docs, tokens, edges, pairs)

    return Analysis(
        documents=tuple(docs),
        pairs=tuple(pairs),
        edges=tuple(edges),
        origins=tuple(origins),
        stories=stories,
        skipped=tuple(skipped),
        notices=tuple(notices),
        config=config,
        word_counts=dict(word_counts or {}),
        timings={k: round(v, 4) for k, v in timings.items()},
        quotes=quotes,
        hypotheticals=tuple(hypotheticals),
        profile_choice=choice,
    )


@contextlib.contextmanager
def _stage(
    timings: dict[str, float],
    name: str,
    progress: Progress | None = None,
    label: str | None = None,
    *,
    release: bool = True,
) -> Iterator[None]:
    """Time the block into ``timings[name]``; with ``progress``, report it as one step
    (``label``, else ``name``), for stages with no count of their own to report; with
    ``release``, give what the stage freed back to the system."""
    t = time.perf_counter()
    if progress:
        progress(label or name, 0, 1)
    yield
    if release:
        release_memory()  # what the stage freed goes back to the system, not kept for reuse
    timings[name] = time.perf_counter() - t
    if progress:
        progress(label or name, 1, 1)


def _chrome_changes(docs: Sequence[Document], min_docs: int) -> list[dict[str, Any]]:
    """For each document in order, the fields the chrome stage changes on it (any
    field of :class:`Document`: what :func:`lineage.boilerplate.mark_boilerplate` sets
    is read from its result, not listed here), with their new values."""
    from lineage.boilerplate import mark_boilerplate

    marked = mark_boilerplate(docs, min_docs=min_docs)
    names = [f.name for f in fields(Document)]
    out: list[dict[str, Any]] = []
    for d, m in zip(docs, marked, strict=True):
        if m is d:
            out.append({})
            continue
        out.append(
            {
                n: getattr(m, n)
                for n in names
                if getattr(m, n) is not getattr(d, n) and getattr(m, n) != getattr(d, n)
            }
        )
    return out


def _mark_chrome(docs: Sequence[Document], min_docs: int) -> list[Document]:
    """The documents with their chrome marked. From ``_PARALLEL_DOCS`` documents up
    the marking runs in a forked child, which sends back only the fields it changed:
    its line objects (several hundred MB at 100k documents, freed but kept by the
    allocator in the process that made them) die with the child."""
    if len(docs) < _PARALLEL_DOCS:
        changes = _chrome_changes(docs, min_docs)
    else:
        changes = fork_call(_chrome_changes, docs, min_docs)
    return [replace(d, **change) if change else d for d, change in zip(docs, changes, strict=True)]


def _profile(
    name: str,
    docs: Sequence[Document],
    pairs: Sequence[Pair],
    stories: Sequence[Sequence[str]],
    tokens: Mapping[str, Tokens] | None = None,
) -> ProfileChoice:
    """The profile named, or with ``auto`` the one the corpus looks like (its stories'
    shape and metadata: lineage.infer.profile)."""
    from lineage.infer.profile import choose_profile

    if name == AUTO:
        return choose_profile(docs, pairs, stories, tokens=tokens)
    return ProfileChoice(name, False, "named by the run's configuration")


def _candidates(
    cols: Columns,
    keep: Sequence[int],
    near: Sequence[tuple[int, int]],
    config: Config,
    store: ArrayStore,
    workers: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (i, j) of indices into the corpus, in (i, j) order, and whether
    each is a near-identical pair of the duplicates stage (aligned whatever it shares;
    a candidate is aligned when it shares a shingle: ``lineage.candidates.candidate_pairs``).
    The rare-shingle index is read where the fingerprint batches hold it (IndexPart):
    concatenated, it was 12 bytes a distinct shingle of every document (564 MB at 100k)."""
    number = np.full(len(cols), -1, dtype=np.int64)  # a document's number among `keep`
    number[np.asarray(keep, dtype=np.int64)] = np.arange(len(keep))
    index = [
        IndexPart(part.unique, part.unique_at, number[s : s + len(part)])
        for part, s in zip(cols.parts, cols.starts, strict=True)
    ]
    cand = candidate_array(
        cols.fps(keep),
        max_df=config.max_shingle_df,
        min_shared=config.min_shared_shingles,
        lsh_threshold=config.lsh_threshold,
        num_perm=config.num_perm,
        seed=config.seed,
        workers=workers,
        index=index,
    )
    cand = np.asarray(keep, dtype=np.int64)[cand] if len(cand) else cand  # keep is sorted
    todo = np.concatenate([cand, np.asarray(near, dtype=np.int64).reshape(-1, 2)])
    is_near = np.arange(len(todo)) >= len(cand)
    order = np.lexsort((todo[:, 1], todo[:, 0]))  # stable: a candidate before its near twin
    return todo[order], is_near[order]


# -- per-document and per-pair work, spread over the cores --------------------------


def _prepare_chunk(
    context: tuple[Sequence[Document], Config, ArrayStore], chunk: range
) -> tuple[Any, Any]:
    docs, config, store = context
    texts = [docs[k].text for k in chunk]
    prepared = prepare(
        texts, [docs[k].boilerplate for k in chunk], shingle_size=config.shingle_size
    )
    kept = store.keep(prepared, f"prepared-{chunk.start}")  # mapped: a file name travels
    # mapped, the texts too: the alignment workers read them from there (Columns.text)
    stored = store.keep(StoredTexts.of(texts), f"texts-{chunk.start}") if store.mapped else None
    return kept, stored


def _prepare(
    docs: Sequence[Document],
    config: Config,
    store: ArrayStore,
    workers: int,
    progress: Progress | None,
) -> Columns:
    # Workers read the documents they inherited and send back arrays only (Prepared),
    # or with a mapped store only the name of the file they wrote them to: the texts
    # stay where they are, and no word string is pickled.
    ranges = chunks(len(docs), workers)
    if ranges and len(ranges[0]) > _PREPARE_DOCS:
        ranges = [
            range(k, min(len(docs), k + _PREPARE_DOCS)) for k in range(0, len(docs), _PREPARE_DOCS)
        ]
    parts = fork_map(
        _prepare_chunk,
        ranges,
        workers=workers,
        parallel=len(docs) >= _PARALLEL_DOCS,
        context=(docs, config, store),
        progress=(lambda k, n: progress("fingerprints", _done(ranges, k), len(docs)))
        if progress
        else None,
        every=1,
        tasks_per_worker=_PREPARE_TASKS,
    )
    # in files: the document bounds read into memory, the rest read a slice at a time
    bounds = ("words_at", "shingles_at", "unique_at")
    prepared: list[Prepared] = [store.open(kept, bounds) for kept, _ in parts]
    texts = [store.open(t, ("at",)) for _, t in parts] if store.mapped else None
    return Columns(
        [d.id for d in docs],
        [d.text for d in docs],
        prepared,
        [r.start for r in ranges],
        texts,
    )


def _done(ranges: Sequence[range], k: int) -> int:
    """Documents done when chunk ``k`` of ``ranges`` starts (all of them past the end)."""
    return ranges[k].start if k < len(ranges) else ranges[-1].stop if ranges else 0


def align_pair(
    a: AlignedDoc, b: AlignedDoc, ov: Overlap, config: Config, *, common: np.ndarray | None = None
) -> Pair | None:
    """The passages two candidate documents share and the pair's figures, or None when
    they share only scattered shingles (every engine's verification step). ``common``:
    their shared shingles if the caller found them."""
    passages = align(
        a,
        b,
        shingle_size=config.shingle_size,
        min_words=config.min_passage_words,
        max_gap=config.max_gap_words,
        min_similarity=config.min_passage_similarity,
        common=common,
    )
    pair = pair_figures(
        a,
        b,
        passages,
        jaccard=ov.jaccard,
        containment_a=ov.containment_i,
        containment_b=ov.containment_j,
    )
    return pair if pair.passages else None


def verify_and_align(
    a: AlignedDoc, b: AlignedDoc, i: int, j: int, config: Config, *, always: bool = False
) -> Pair | None:
    """A candidate pair checked on its exact shingle sets (dropped when it shares none,
    unless ``always``) and aligned, its shared shingles found once for both steps."""
    common = shared_shingles(a.fp.unique, b.fp.unique)
    if not len(common) and not always:
        return None
    ov = overlap(a.fp, b.fp, i, j, common=common)
    return align_pair(a, b, ov, config, common=common)


def _align_chunk(
    context: tuple[Columns, np.ndarray, np.ndarray, Config, ArrayStore], r: range
) -> list[Pair | None]:
    cols, todo, near, config, store = context
    out = []
    # each document of a pair made here, from the arrays (and, mapped, the stored text):
    # a worker writes to no page of the parent's per-document objects, and keeps none
    # (the pairs come in order of i: document i is made once for all its pairs)
    last, a = -1, None
    for (i, j), nr in zip(
        todo[r.start : r.stop].tolist(), near[r.start : r.stop].tolist(), strict=True
    ):
        if i != last or a is None:
            last, a = i, cols.aligned(i, own_text=True)
        b = cols.aligned(j, own_text=True)
        pair = verify_and_align(a, b, i, j, config, always=bool(nr))
        out.append(None if pair is None else detach_texts(pair))  # the parent has the texts
    return out


def _align_all(
    cols: Columns,
    todo: np.ndarray,
    near: np.ndarray,
    config: Config,
    store: ArrayStore,
    workers: int,
    progress: Progress | None,
) -> list[Pair]:
    # chunks of pairs, not one pair at a time: each item sent costs a pickle both ways
    ranges = chunks(len(todo), workers, per_worker=64)
    out: list[Pair] = []
    texts = dict(zip(cols.ids, cols.texts, strict=True))
    # The pairs' passages are most of what the run holds at scale. A passage reads its
    # text from its document's string; a worker's pairs arrive without those strings
    # (detach_texts), and read the parent's own (share_texts). Note: they used to
    # arrive with copies of the texts, freed by aligning in up to eight rounds of
    # workers; without the copies one round does, and forks its workers once.
    parts = fork_map(
        _align_chunk,
        ranges,
        workers=workers,
        parallel=len(todo) >= _PARALLEL_PAIRS,
        context=(cols, todo, near, config, store),
        progress=_offset_progress(progress, ranges, 0, len(todo)),
        every=1,
    )
    for part in parts:
        # pairs without a passage share only scattered shingles: not reuse
        out.extend(share_texts(p, texts) for p in part if p is not None)
    return out


def _offset_progress(
    progress: Progress | None, ranges: Sequence[range], r0: int, total: int
) -> Callable[[int, int], None] | None:
    """The alignment progress of a round whose first chunk is ``ranges[r0]``."""
    if progress is None:
        return None
    report = progress
    return lambda k, n: report("alignment", _done(ranges, r0 + k), total)
