"""The small typed records that flow through the pipeline.

Every stage is a plain function from some of these to others:

    ingest   paths               -> Document, Skipped
    text     Document            -> Tokens
    fingerprint  Tokens          -> Fingerprint
    candidates   Fingerprint...  -> candidate id pairs
    align    Tokens x Tokens     -> Pair (with Passage)
    infer    Documents, Pairs    -> Edge, Origin
    report   Analysis            -> files

All records are frozen; offsets are character offsets into ``Document.text``
(end exclusive), so ``doc.text[p.a_start:p.a_end]`` is what a passage shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is heavy; imported lazily where frames are built
    import pandas as pd


@dataclass(frozen=True)
class Config:
    """Every tunable of a run, in one place. Options are keyword-only by design."""

    # tokens / fingerprints
    shingle_size: int = 5
    num_perm: int = 128
    seed: int = 1
    # candidates: a pair is a candidate when it shares at least `min_shared_shingles`
    # shingles that occur in at most `max_shingle_df` documents (passim-style rare n-gram
    # index, exact recall for shared passages), or when MinHash LSH puts it in one bucket.
    min_shared_shingles: int = 2
    max_shingle_df: int = 64
    lsh_threshold: float = 0.3
    # alignment
    min_passage_words: int = 8
    max_gap_words: int = 10
    min_passage_similarity: float = 0.8
    # boilerplate: a line recurring in at least this many documents (and this share) is chrome
    boilerplate_min_docs: int = 2
    # lineage: which weights of lineage.infer.PROFILES decide who copied whom: "news"
    # (syndication: copies trim their source) or "revisions" (version histories that grow)
    profile: str = "news"
    # run
    workers: int = 0  # 0 = all cores
    generated_at: str | None = None


@dataclass(frozen=True)
class Document:
    """One article as read: its original text and what was learned about it."""

    id: str
    text: str
    path: str
    title: str | None = None
    outlet: str | None = None
    date: dt.datetime | None = None
    url: str | None = None
    # the date names a day, not a time of day ("2019-05-07", a date in a URL): it covers
    # the whole day, so it orders the document only against dates outside that day
    day_only: bool = False
    # outlet named in a dateline such as "PITTSBURGH (KDKA) --": where the story says it is from
    dateline_outlet: str | None = None
    # outlet named by the page chrome around the article ("Watch CBS News"): who hosts this copy
    host_outlet: str | None = None
    # character spans (start, end) of page chrome: kept in the text, left out of reuse figures
    boilerplate: tuple[tuple[int, int], ...] = ()
    # where it came from: "txt", "md", "html", "jsonl", "csv"; line for JSONL/CSV rows
    source_format: str = "txt"
    line: int | None = None

    @property
    def date_iso(self) -> str | None:
        if self.date is None:
            return None
        return self.date.date().isoformat() if self.day_only else self.date.isoformat()


@dataclass(frozen=True)
class Skipped:
    """An input that could not be read, and why. One bad document never sinks a run."""

    path: str
    reason: str
    line: int | None = None


@dataclass(frozen=True)
class Passage:
    """A maximal aligned run of words shared by documents a and b."""

    a: str
    b: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_words: int
    b_words: int
    similarity: float  # 0..1, normalized Indel similarity of the two word runs
    quoted: bool  # mostly inside quotation marks on a's side
    a_text: str
    b_text: str
    # token index ranges [start, end) in each document's Tokens
    a_tok: tuple[int, int] = (0, 0)
    b_tok: tuple[int, int] = (0, 0)

    @property
    def words(self) -> int:
        return self.a_words


@dataclass(frozen=True)
class Pair:
    """Verified reuse between two documents (a < b by id order)."""

    a: str
    b: str
    jaccard: float  # exact shingle Jaccard (non-boilerplate shingles)
    a_in_b: float  # share of a's non-boilerplate words inside passages shared with b
    b_in_a: float
    passages: tuple[Passage, ...] = ()
    reused_words: int = 0  # a's words inside passages
    # the same shares counting narrative (non-quoted) words only
    a_in_b_narrative: float = 0.0
    b_in_a_narrative: float = 0.0
    shingle_containment_a: float = 0.0  # |S_a & S_b| / |S_a|
    shingle_containment_b: float = 0.0

    def share(self, doc: str, *, narrative: bool = False) -> float:
        """Share of ``doc``'s words found in the other document of the pair."""
        if doc == self.a:
            return self.a_in_b_narrative if narrative else self.a_in_b
        if doc == self.b:
            return self.b_in_a_narrative if narrative else self.b_in_a
        raise KeyError(doc)

    def other(self, doc: str) -> str:
        if doc == self.a:
            return self.b
        if doc == self.b:
            return self.a
        raise KeyError(doc)


@dataclass(frozen=True)
class Alternative:
    parent: str
    confidence: float


@dataclass(frozen=True)
class Edge:
    """``child`` was derived from ``parent``."""

    parent: str
    child: str
    confidence: float
    evidence: tuple[str, ...] = ()
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True)
class Origin:
    """A document with no parent, and why: an original, or an independent report."""

    id: str
    kind: str  # "original" | "independent"
    reason: str
    confidence: float = 1.0


@dataclass(frozen=True)
class Analysis:
    """The result of a run; what reports and exports are made from."""

    documents: tuple[Document, ...]
    pairs: tuple[Pair, ...]
    edges: tuple[Edge, ...] = ()
    origins: tuple[Origin, ...] = ()
    stories: tuple[tuple[str, ...], ...] = ()
    skipped: tuple[Skipped, ...] = ()
    notices: tuple[Skipped, ...] = ()  # read, but worth telling (renamed duplicate id, ...)
    config: Config = field(default_factory=Config)
    # per-document word counts (all words, boilerplate words)
    word_counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    # -- lookups -------------------------------------------------------------
    def document(self, doc_id: str) -> Document:
        for d in self.documents:
            if d.id == doc_id:
                return d
        raise KeyError(doc_id)

    def pair(self, a: str, b: str) -> Pair | None:
        for p in self.pairs:
            if (p.a, p.b) in ((a, b), (b, a)):
                return p
        return None

    def parent_of(self, doc_id: str) -> Edge | None:
        for e in self.edges:
            if e.child == doc_id:
                return e
        return None

    @property
    def passages(self) -> tuple[Passage, ...]:
        return tuple(p for pair in self.pairs for p in pair.passages)

    # -- pandas at the edges ------------------------------------------------
    def documents_frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = [_document_row(self, d) for d in self.documents]
        return pd.DataFrame(rows, columns=_DOC_COLUMNS)

    def pairs_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([_pair_row(p) for p in self.pairs], columns=_PAIR_COLUMNS)

    def passages_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([_passage_row(p) for p in self.passages], columns=_PASSAGE_COLUMNS)

    def edges_frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = [
            {
                "parent": e.parent,
                "child": e.child,
                "confidence": e.confidence,
                "evidence": "; ".join(e.evidence),
            }
            for e in self.edges
        ]
        return pd.DataFrame(rows, columns=["parent", "child", "confidence", "evidence"])

    def to_networkx(self) -> Any:  # a networkx.DiGraph; networkx is imported lazily
        """The lineage forest as a ``networkx.DiGraph`` (see
        :func:`lineage.interchange.to_networkx` for its attributes)."""
        from lineage.interchange import to_networkx

        return to_networkx(self)


_DOC_COLUMNS = ["id", "title", "outlet", "date", "path", "words", "boilerplate_words"]
_PAIR_COLUMNS = [
    "a",
    "b",
    "jaccard",
    "a_in_b",
    "b_in_a",
    "a_in_b_narrative",
    "b_in_a_narrative",
    "passages",
    "reused_words",
]
_PASSAGE_COLUMNS = [
    "a",
    "b",
    "a_start",
    "a_end",
    "b_start",
    "b_end",
    "words",
    "similarity",
    "quoted",
    "a_text",
    "b_text",
]


def _document_row(analysis: Analysis, d: Document) -> dict[str, Any]:
    words, boiler = analysis.word_counts.get(d.id, (0, 0))
    return {
        "id": d.id,
        "title": d.title,
        "outlet": d.outlet,
        "date": d.date_iso,
        "path": d.path,
        "words": words,
        "boilerplate_words": boiler,
    }


def _pair_row(p: Pair) -> dict[str, Any]:
    return {
        "a": p.a,
        "b": p.b,
        "jaccard": round(p.jaccard, 4),
        "a_in_b": round(p.a_in_b, 4),
        "b_in_a": round(p.b_in_a, 4),
        "a_in_b_narrative": round(p.a_in_b_narrative, 4),
        "b_in_a_narrative": round(p.b_in_a_narrative, 4),
        "passages": len(p.passages),
        "reused_words": p.reused_words,
    }


def _passage_row(p: Passage) -> dict[str, Any]:
    return {
        "a": p.a,
        "b": p.b,
        "a_start": p.a_start,
        "a_end": p.a_end,
        "b_start": p.b_start,
        "b_end": p.b_end,
        "words": p.a_words,
        "similarity": round(p.similarity, 4),
        "quoted": p.quoted,
        "a_text": p.a_text,
        "b_text": p.b_text,
    }
