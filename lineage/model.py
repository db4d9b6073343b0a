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
import hashlib
import struct
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal, overload

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
    # stories: narrative words a pair must share to join two documents in one story
    # (lineage.stories: a credit line or a stock phrase does not bridge two stories)
    story_min_words: int = 20
    # ... and that share of the strongest link of the less-linked document of the pair
    story_min_ratio: float = 0.4
    # lineage: which weights of lineage.infer.PROFILES decide who copied whom: "news"
    # (syndication: copies trim their source), "revisions" (version histories that grow)
    # or "auto": the corpus decides (lineage.infer.profile; Analysis.profile_choice says why)
    profile: str = "auto"
    # how a confidence is read from its edge's marginal over the forests: "off" (the raw
    # marginal, the default), "fitted" (the map of lineage/infer/calibration.json, fitted
    # by bench/calibrate.py) or another map of that file ("fitted-without-<source>", a
    # fold's). Off by default: left out of its fit, no map lowered the expected
    # calibration error where it mattered (six sources, pooled 0.131 raw, 0.133 mapped;
    # docs/ACCURACY.md, "Calibration"), so it does not carry over
    calibration: str = "off"
    # whether version chains (the revisions profile) state the bootstrap support of each
    # place (lineage.infer.confidence.chain_support) instead of the model's marginals; no
    # edge changes. Off: on the 100 training articles it lowered ECE 0.086 -> 0.071, on the
    # 123 held-out ones it raised it 0.090 -> 0.140 (docs/ACCURACY.md, "Confidence, round
    # s21conf"; the held-out figures were read once, after the form was chosen)
    chain_support: bool = False
    # run
    workers: int = 0  # 0 = all cores
    # the budget, in MB, for the per-document arrays (tokens and shingles, about 6.5
    # bytes a character of text): past it they live in files of a temporary folder,
    # read a slice at a time (lineage.store), 0: always. Decides where, never what: the
    # results are the same, and it is not written with them (like generated_at)
    memory: int = 1024
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
    # where the dateline's outlet name, with its parentheses, stands in the text: set
    # with the chrome (lineage.boilerplate.mark_boilerplate), read by the inference
    dateline_span: tuple[int, int] | None = None
    # character spans (start, end) of page chrome: kept in the text, left out of reuse figures
    boilerplate: tuple[tuple[int, int], ...] = ()
    # where it came from: "txt", "md", "html", "jsonl", "csv"; line for JSONL/CSV rows
    source_format: str = "txt"
    line: int | None = None

    @property
    def content_key(self) -> tuple[str, str]:
        """What a stage breaks a tie by, or orders documents by, when it must: a hash of
        what the document says (its text, outlet, title and date), never its id alone,
        which may carry an order (``Article/3``) and so the answer. Only documents
        identical in all of these fall back to the id: a true tie, whichever is picked."""
        h = hashlib.blake2b(digest_size=16)
        for part in (self.text, self.outlet, self.title, self.date_iso):
            h.update((part or "").encode("utf-8", "surrogatepass") + b"\x00")
        return h.hexdigest(), self.id

    @property
    def home_outlet(self) -> str | None:
        """The outlet whose page this is: the host found in its chrome, else its outlet.
        The one definition; everything that asks whose page it is reads it here."""
        return self.host_outlet or self.outlet

    @property
    def names(self) -> tuple[str, ...]:
        """The names the page goes by: its outlet and its host."""
        return tuple(n for n in (self.outlet, self.host_outlet) if n)

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


Op = tuple[str, int, int, int, int]  # (tag, a0, a1, b0, b1): one step of an edit script

_TAGS = ("equal", "replace", "insert", "delete")  # rapidfuzz's opcode tags
_TAG_CODE = {t: k for k, t in enumerate(_TAGS)}
# a step is its tag's code and four word offsets: int16 when every offset fits (10 bytes a
# step: passages of fewer than 32,768 words), else int32 (20 bytes)
_NARROW, _WIDE = struct.Struct("<5h"), struct.Struct("<5i")
# the tag of a step read the other way: insert <-> delete (codes of _TAGS)
_MIRROR_CODE = (0, 1, 3, 2)


class EditScript(Sequence[Op]):
    """A word-level edit script, held as one ``bytes`` (10 bytes a step) and read as
    ``(tag, a0, a1, b0, b1)`` tuples, so every reader sees a sequence of tuples.

    Why not the tuples themselves: a passage's script has about 25 steps at 30,000 bench
    documents, and as tuples of a string and four ints they took 2-3 KB a passage, the
    largest part of the memory of the pairs (docs/BENCHMARKS.md, round 8); packed they
    take about 0.3 KB. Equal to another script, or to a tuple or list of the same steps.

    >>> s = EditScript([("equal", 0, 2, 0, 2), ("insert", 2, 2, 2, 3)])
    >>> list(s), len(s), s[1], s == (("equal", 0, 2, 0, 2), ("insert", 2, 2, 2, 3))
    ([('equal', 0, 2, 0, 2), ('insert', 2, 2, 2, 3)], 2, ('insert', 2, 2, 2, 3), True)
    >>> list(EditScript([("equal", 0, 40000, 7, 40007)]))
    [('equal', 0, 40000, 7, 40007)]
    """

    __slots__ = ("_data", "_wide")
    _data: bytes
    _wide: bool

    def __init__(self, ops: Iterable[Sequence[Any]] = ()) -> None:
        if isinstance(ops, EditScript):
            self._data, self._wide = ops._data, ops._wide
            return
        # the steps flattened, their tags swapped for codes and packed in one call: the
        # same bytes as a pack per step, without a Python loop per step (4.5% of an
        # alignment's CPU was this constructor, bench run of docs/BENCHMARKS.md s18core)
        flat = list(chain.from_iterable(ops))
        if len(flat) % 5:
            raise ValueError("an edit script's steps are (tag, a0, a1, b0, b1)")
        tags = flat[0::5]
        flat[0::5] = map(_TAG_CODE.__getitem__, tags)
        wide = bool(flat) and (max(flat) > 32767 or min(flat) < -32768)
        fmt = f"<{len(flat)}{'i' if wide else 'h'}"
        self._data, self._wide = struct.pack(fmt, *flat), wide

    @classmethod
    def _of(cls, data: bytes, wide: bool) -> EditScript:
        new = cls.__new__(cls)
        new._data, new._wide = data, wide
        return new

    def mirrored(self) -> EditScript:
        """The script read the other way (b's words into a's): each step's a and b
        offsets trade places, and an insert becomes a delete and back.

        >>> list(EditScript([("insert", 2, 2, 2, 3), ("equal", 0, 1, 4, 5)]).mirrored())
        [('delete', 2, 3, 2, 2), ('equal', 4, 5, 0, 1)]
        """
        import numpy as np

        steps = np.frombuffer(self._data, dtype="<i4" if self._wide else "<i2").reshape(-1, 5)
        out = steps[:, [0, 3, 4, 1, 2]]
        out[:, 0] = np.array(_MIRROR_CODE, dtype=steps.dtype)[steps[:, 0]]
        return EditScript._of(out.tobytes(), self._wide)  # same values: same width

    def __reduce__(self) -> tuple[Any, tuple[bytes, bool]]:
        return (EditScript._of, (self._data, self._wide))

    def _fmt(self) -> struct.Struct:
        return _WIDE if self._wide else _NARROW

    def __len__(self) -> int:
        return len(self._data) // self._fmt().size

    def __iter__(self) -> Iterator[Op]:
        tags = _TAGS
        for t, a0, a1, b0, b1 in self._fmt().iter_unpack(self._data):
            yield (tags[t], a0, a1, b0, b1)

    @overload
    def __getitem__(self, k: int) -> Op: ...
    @overload
    def __getitem__(self, k: slice) -> tuple[Op, ...]: ...
    def __getitem__(self, k: int | slice) -> Op | tuple[Op, ...]:
        if isinstance(k, slice):
            return tuple(self)[k]
        n = len(self)
        if not -n <= k < n:
            raise IndexError(k)
        fmt = self._fmt()
        t, a0, a1, b0, b1 = fmt.unpack_from(self._data, (k % n) * fmt.size)
        return (_TAGS[t], a0, a1, b0, b1)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EditScript):  # the width follows from the steps: one encoding
            return self._data == other._data
        if isinstance(other, (tuple, list)):
            return tuple(self) == tuple(tuple(op) for op in other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._data)

    def __repr__(self) -> str:
        return f"EditScript({list(self)!r})"


_NO_OPS = EditScript()


# slots, and texts read from the document's one string: a corpus holds tens of thousands
# of pairs and passages (docs/BENCHMARKS.md "Pairs and passages in memory")
@dataclass(frozen=True, slots=True)
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
    # where the passage's text is read from: a string holding a's text of the passage at
    # [a_start - a_src_at, a_end - a_src_at) (the document's whole text, a_src_at 0, as
    # alignment makes it: every passage of a document shares that one string instead of
    # holding a copy of its span; or the span alone, a_src_at = a_start, as Parquet
    # holds it). Not compared: ids and offsets say which text it is.
    a_src: str = field(repr=False, compare=False)
    b_src: str = field(repr=False, compare=False)
    # token index ranges [start, end) in each document's Tokens
    a_tok: tuple[int, int] = (0, 0)
    b_tok: tuple[int, int] = (0, 0)
    # word-level edit script a -> b over word ids: (tag, a0, a1, b0, b1), offsets relative
    # to a_tok[0] / b_tok[0]; tags "equal", "replace", "insert", "delete" (rapidfuzz);
    # given as any sequence of such tuples, held packed (EditScript)
    ops: EditScript = _NO_OPS
    # content words inside quotation marks, counted word by word on each side (issue 15:
    # ``quoted`` above is the old majority flag, which counted a whole passage one way)
    a_quoted_words: int = 0
    b_quoted_words: int = 0
    a_src_at: int = field(default=0, compare=False)
    b_src_at: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.ops, EditScript):
            object.__setattr__(self, "ops", EditScript(self.ops))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # its fields in order, read by one attrgetter: the dataclass's own pickling of a
        # slots class walks fields() in Python for every passage a worker sends back
        return (Passage, _passage_values(self))

    @property
    def a_text(self) -> str:
        """a's text of the passage (a slice of ``a_src``, made when read)."""
        return self.a_src[self.a_start - self.a_src_at : self.a_end - self.a_src_at]

    @property
    def b_text(self) -> str:
        return self.b_src[self.b_start - self.b_src_at : self.b_end - self.b_src_at]

    @property
    def words(self) -> int:
        return self.a_words

    @property
    def narrative_words(self) -> int:
        """a's words in the passage outside quotation marks."""
        return self.a_words - self.a_quoted_words


@dataclass(frozen=True, slots=True)
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

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (Pair, _pair_values(self))

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


# every field of a Passage and of a Pair, in order: what their pickles hold
_passage_values = attrgetter(*(f.name for f in fields(Passage)))
_pair_values = attrgetter(*(f.name for f in fields(Pair)))


@dataclass(frozen=True)
class Evidence:
    """One reason for or against an edge (or an origin), as data.

    ``kind`` names the test ("reuse", "credit", "dateline", ...), ``sign`` says which way
    it points, ``score`` is its weight in log-odds units (what the forest adds up) and
    ``facts`` what it rests on: ids, character spans, counts, words, JSON-ready. ``text``
    is its sentence, rendered from the record by :mod:`lineage.infer.explain` (the one
    place prose is written); empty for the evidence a reader is not shown.
    """

    kind: str
    score: float
    sign: Literal["for", "against"] = "for"
    facts: Mapping[str, Any] = field(default_factory=dict, hash=False)
    text: str = ""


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
    # what a reader is shown, as records: for the edge first, strongest first, then against
    evidence: tuple[Evidence, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    # a second source of one region of the child (an aggregator merging two wires, a
    # manuscript copied from two exemplars): ``region`` is the child's character span
    secondary: bool = False
    region: tuple[int, int] | None = None

    @property
    def reasons(self) -> tuple[str, ...]:
        """The evidence as sentences (rendered by :mod:`lineage.infer.explain`)."""
        return tuple(e.text for e in self.evidence)


@dataclass(frozen=True)
class Hypothetical:
    """A source that is not in the corpus (a lost exemplar, an uncollected wire story),
    inferred because its ``children`` each hold material of a common text the others lack.

    ``parent`` is the document the lost source itself came from, when there is one.
    """

    id: str
    children: tuple[str, ...]
    parent: str | None = None
    confidence: float = 0.0
    evidence: tuple[Evidence, ...] = ()

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(e.text for e in self.evidence)


@dataclass(frozen=True)
class Origin:
    """A document with no parent, and why: an original, or an independent report."""

    id: str
    kind: str  # "original" | "independent"
    reason: str
    confidence: float = 1.0
    # the case for having no parent, as records (as Edge.evidence): for it, then against
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Quote:
    """One quotation in one document: a span of words inside quotation marks.

    A quote split around its attribution ("A," Heckert said. "B.") is two quotes of one
    ``group``; a multi-paragraph quote (each paragraph reopening the quotation) is one.
    ``start``/``end`` are character offsets of its first and last word, ``tok`` its
    token range in the document's ``Tokens``.
    """

    doc: str
    start: int
    end: int
    tok: tuple[int, int]
    text: str
    speaker: str | None = None  # the fullest name the document gives the speaker
    # how the speaker was found: "named" (a name next to a speech verb), "pronoun"
    # ("he said", resolved to the speaker last named), "inherited" (the quote before it in
    # the paragraph, across its attribution), "adjacent" (the quote right after it), ""
    speaker_by: str = ""
    group: int = 0  # quotes of one quotation (split around "X said") share a group
    level: int = 0  # 0: a quotation; 1: a quote inside another quote
    credit: str | None = None  # outlet credited in the attribution ("told CBS Pittsburgh")

    @cached_property  # compared for every candidate match: computed once
    def speaker_key(self) -> str | None:
        """What two documents' speakers are compared by: the surname, case folded."""
        if not self.speaker:
            return None
        return self.speaker.split()[-1].replace("\u2019", "'").replace("\u02bc", "'").casefold()


QUOTE_KINDS = (
    "misattributed",
    "reworded",
    "merged",
    "split",
    "trimmed",
    "identical",
    "new",
    "dropped",
)


@dataclass(frozen=True)
class QuoteMatch:
    """What became of a quotation along parent -> child: an evidence record of its own kind.

    ``kind`` is one of :data:`QUOTE_KINDS`. ``form`` is the content relation under a
    misattribution (identical, trimmed, split...: the words kept), else equal to ``kind``.
    ``changes`` lists the word-level edits (tag, parent words, child words) of a reworded
    quote. ``relation`` is "edge" (an inferred derivation) or "pair" (two documents that
    share quoted text without an edge between them; only matched quotes are listed).
    """

    kind: str
    parent: str
    child: str
    relation: str
    child_quote: Quote | None
    parent_quotes: tuple[Quote, ...] = ()
    form: str = ""
    score: float = 0.0  # share of the child quote's words found in the parent quote(s)
    changes: tuple[tuple[str, str, str], ...] = ()
    credit: str | None = None  # for a new quote: an outlet the child credits for it
    via_alignment: bool = False  # matched through the passages' stored edit script

    @property
    def facts(self) -> dict[str, Any]:
        """The record as plain data (what lineage.json and quotes.jsonl hold)."""
        cq = self.child_quote
        return {
            "kind": self.kind,
            "form": self.form or self.kind,
            "parent": self.parent,
            "child": self.child,
            "relation": self.relation,
            "score": self.score,
            "child_speaker": cq.speaker if cq else None,
            "parent_speakers": [q.speaker for q in self.parent_quotes],
            "child_text": cq.text if cq else None,
            "parent_text": [q.text for q in self.parent_quotes],
            "changes": [list(c) for c in self.changes],
            "credit": self.credit,
            "via_alignment": self.via_alignment,
        }


@dataclass(frozen=True)
class QuoteFindings:
    """Every document's quotations, and what became of them along edges and pairs."""

    quotes: tuple[Quote, ...] = ()
    matches: tuple[QuoteMatch, ...] = ()


@dataclass(frozen=True)
class DuplicateGroup:
    """Documents with the same text ("exact": the same article words in the same order)
    or nearly ("near": shingle Jaccard >= 0.95 with the representative). In a large
    group only the representative is paired with the rest of the corpus; a few copies
    are paired in full (see lineage.duplicates)."""

    representative: str
    members: tuple[str, ...]  # sorted, the representative included
    kind: str  # "exact" | "near"


@dataclass(frozen=True)
class ProfileChoice:
    """Which weight profile a run used, whether the corpus chose it, and why (as data)."""

    profile: str
    auto: bool  # chosen from the corpus (``--profile auto``), not named by the user
    reason: str
    features: Mapping[str, float | int | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "profile": self.profile,
            "auto": self.auto,
            "reason": self.reason,
            "features": dict(self.features),
        }


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
    # quotations and what the copies did to them (lineage.quotes)
    quotes: QuoteFindings = field(default_factory=QuoteFindings)
    # identical and near-identical documents, largest group first
    duplicates: tuple[DuplicateGroup, ...] = ()
    # sources inferred but not in the corpus (lineage.infer.hypothetical); ``edges``
    # stay between documents, a hypothetical's links are its ``parent`` and ``children``
    hypotheticals: tuple[Hypothetical, ...] = ()
    # the weight profile used, and whether the corpus chose it and why (--profile auto)
    profile_choice: ProfileChoice | None = None

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
            if e.child == doc_id and not e.secondary:
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
                "evidence": "; ".join(e.reasons),
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
    "quoted_words",
    "narrative_words",
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
        "quoted_words": p.a_quoted_words,
        "narrative_words": p.narrative_words,
        "a_text": p.a_text,
        "b_text": p.b_text,
    }
