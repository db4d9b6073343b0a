"""Sources of truth, read in place, and the opaque ids every benchmark feeds them under.

A :class:`Corpus` is analyzer input (rows with ``id``, ``text``, ``date``, ``outlet``,
``title``, ``url``) together with its :class:`~lineage.evaluation.metrics.Truth`. Loaders:

* :func:`wikipedia_corpus`: the Wikipedia revision chains (``wikipedia_versions/``, truth
  ``0 -> 1 -> ... -> n`` per article, no dates);
* :func:`florilegium_corpus`: 13 witnesses of a Greek florilegium with the scholar's
  stemma (8 lost exemplars), scored by average sign distance;
* :func:`seeds_corpus`: the five example articles (``001`` is the original, ``000`` and
  ``002`` copy it, ``003`` and ``004`` are independent reports that share only quotes);
* :func:`simulated_corpus` (the project's simulator) and :func:`wire_corpus` (the second,
  independently written generator of :mod:`lineage.evaluation.wire`).

Every path is passed in: nothing here is derived from this file's location. Callers take
the evaluation folder from an option or ``$LINEAGE_EVAL_DIR`` (:func:`eval_dir`).

:func:`opaque_ids` renames and shuffles documents so that an id carries no order and no
answer (``Article/3`` sorts chronologically; a tie broken by id would leak it);
:func:`opaque` does the same to a whole Corpus, truth included.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from lineage.evaluation.metrics import Truth

__all__ = [
    "Corpus",
    "corpus_digest",
    "eval_dir",
    "florilegium_corpus",
    "opaque",
    "opaque_ids",
    "rename_truth",
    "seeds_corpus",
    "simulated_corpus",
    "wikipedia_corpus",
    "wire_corpus",
    "write_corpus",
]

ENV = "LINEAGE_EVAL_DIR"


def eval_dir(path: str | Path | None = None) -> Path | None:
    """The evaluation-data folder: ``path`` if given, else ``$LINEAGE_EVAL_DIR``, else None."""
    if path is not None:
        return Path(path)
    env = os.environ.get(ENV)
    return Path(env) if env else None


@dataclass(frozen=True)
class Corpus:
    """Analyzer input with its known truth.

    ``as_files``: write each row as ``<id>.txt`` holding its text (texts that carry their
    own header lines, as the seeds do) instead of one JSONL file.
    ``kind``: ``"syndication"``, ``"revisions"`` or ``"tradition"`` (which baselines and
    headline metric apply).
    """

    name: str
    records: tuple[Mapping[str, Any], ...]
    truth: Truth
    kind: str = "syndication"
    as_files: bool = False
    # corpora joined by :func:`concat`: each is analyzed on its own (two generator runs
    # can grow stories from the same base text, which one analysis would join)
    parts: tuple[Corpus, ...] = ()


# -- opaque ids -------------------------------------------------------------------------


def _hex(salt: str, tag: str, name: str) -> str:
    return hashlib.sha256(f"{salt}\0{tag}\0{name}".encode()).hexdigest()


def opaque_ids(
    docs: Iterable[Mapping[str, Any]], salt: str
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Rows renamed to ids that carry no order and no answer, in a shuffled order.

    A row's new id is ``d`` and 16 hex digits of SHA-256 of the salt and its old id; rows
    come back ordered by another hash of the same, so neither the ids nor the order say
    anything about the truth. Returns the rows and the old -> new mapping.

    >>> rows, names = opaque_ids([{"id": "A/0"}, {"id": "A/1"}], "s")
    >>> sorted(names) == ["A/0", "A/1"] and all(len(v) == 17 for v in names.values())
    True
    """
    rows = [dict(d) for d in docs]
    names: dict[str, str] = {}
    for r in rows:
        old = str(r["id"])
        if old in names:
            raise ValueError(f"duplicate id {old!r}")
        names[old] = "d" + _hex(salt, "id", old)[:16]
    if len(set(names.values())) != len(names):  # pragma: no cover - 64-bit collision
        raise ValueError("opaque ids collide: choose another salt")
    for r in rows:
        r["id"] = names[str(r["id"])]
    rows.sort(key=lambda r: _hex(salt, "order", r["id"]))
    return rows, names


def rename_truth(truth: Truth, names: Mapping[str, str], salt: str = "") -> Truth:
    """The truth under new ids; a node missing from ``names`` (a lost exemplar) is hashed."""

    def n(x: str) -> str:
        return names[x] if x in names else "h" + _hex(salt, "hidden", x)[:16]

    return Truth(
        documents=tuple(n(d) for d in truth.documents),
        edges=tuple((n(p), n(c)) for p, c in truth.edges),
        roots=tuple(n(r) for r in truth.roots),
        independents=tuple(n(i) for i in truth.independents),
        stories=tuple(tuple(n(d) for d in s) for s in truth.stories),
        passages=tuple((n(a), a0, a1, n(b), b0, b1) for a, a0, a1, b, b0, b1 in truth.passages),
        tree=tuple((n(p), n(c)) for p, c in truth.tree),
    )


def opaque(corpus: Corpus, salt: str) -> Corpus:
    """``corpus`` with opaque, shuffled ids (:func:`opaque_ids`) and its truth renamed."""
    if corpus.parts:
        parts = [opaque(c, f"{salt}:{i}") for i, c in enumerate(corpus.parts)]
        return concat(corpus.name, parts)
    rows, names = opaque_ids(corpus.records, salt)
    return replace(corpus, records=tuple(rows), truth=rename_truth(corpus.truth, names, salt))


def corpus_digest(corpus: Corpus) -> str:
    """SHA-256 over the corpus's ids and texts in order, and its true edges: drift shows."""
    h = hashlib.sha256()
    for r in corpus.records:
        h.update(str(r["id"]).encode())
        h.update(b"\0")
        h.update(str(r.get("text", "")).encode())
        h.update(b"\1")
    for p, c in sorted(corpus.truth.edges):
        h.update(f"{p}>{c}\n".encode())
    return h.hexdigest()


def write_corpus(corpus: Corpus, folder: str | Path) -> Path:
    """Write the corpus as the CLI reads it; returns the path to hand to ``lineage.analyze``.

    JSONL rows (``corpus.jsonl``), or one ``<id>.txt`` per row when ``as_files``.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    if corpus.as_files:
        docs = out / "docs"
        docs.mkdir(exist_ok=True)
        for r in corpus.records:
            (docs / f"{r['id']}.txt").write_text(str(r["text"]), encoding="utf-8")
        return docs
    path = out / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for r in corpus.records:
            row = {k: r.get(k) for k in ("id", "text", "date", "outlet", "title", "url")}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def _row(doc_id: str, text: str) -> dict[str, Any]:
    return {"id": doc_id, "text": text, "date": None, "outlet": None, "title": None, "url": None}


# -- Wikipedia revision chains ------------------------------------------------------------


def _articles(root: Path, limit: int | None) -> list[tuple[str, list[Path]]]:
    out = []
    for art in sorted(p for p in (root / "version_documents").iterdir() if p.is_dir()):
        files = sorted(
            (f for f in art.glob("*.txt") if f.stem.isdigit()), key=lambda f: int(f.stem)
        )
        if len(files) >= 2:
            out.append((art.name, files))
        if limit is not None and len(out) >= limit:
            break
    return out


def wikipedia_corpus(root: str | Path, *, limit: int | None = None) -> Corpus | None:
    """The revision chains under ``root`` (the ``wikipedia_versions`` folder); None if absent.

    Ids ``<article>/<i>`` (feed them through :func:`opaque`), no dates; truth: a chain
    ``0 -> 1 -> ... -> n`` per article, ``0`` its root.
    """
    base = Path(root)
    if not (base / "version_documents").is_dir():
        return None
    rows: list[dict[str, Any]] = []
    edges: list[tuple[str, str]] = []
    roots: list[str] = []
    stories: list[tuple[str, ...]] = []
    for art, files in _articles(base, limit):
        ids = [f"{art}/{f.stem}" for f in files]
        rows += [_row(i, f.read_text(encoding="utf-8")) for i, f in zip(ids, files, strict=True)]
        roots.append(ids[0])
        stories.append(tuple(ids))
        edges += list(zip(ids, ids[1:], strict=False))
    truth = Truth(tuple(r["id"] for r in rows), tuple(edges), tuple(roots), (), tuple(stories))
    return Corpus(f"wikipedia ({len(stories)} articles)", tuple(rows), truth, kind="revisions")


# -- the florilegium ----------------------------------------------------------------------


def florilegium_corpus(root: str | Path) -> Corpus | None:
    """13 witnesses and the scholar's stemma under ``root`` (``florilegium/``); None if absent.

    The truth's ``edges`` link extant witnesses only (B -> P, B -> S); its ``tree`` is the
    whole stemma with the lost exemplars, which the average sign distance reads.
    """
    base = Path(root)
    wit = base / "witnesses"
    tsv = base / "true_edges.tsv"
    if not wit.is_dir() or not tsv.is_file():
        return None
    rows = [_row(f.stem, f.read_text(encoding="utf-8").strip()) for f in sorted(wit.glob("*.txt"))]
    extant = {r["id"] for r in rows}
    tree: list[tuple[str, str]] = []
    for line in tsv.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            p, c = line.split("\t")
            tree.append((p.strip(), c.strip()))
    edges = tuple((p, c) for p, c in tree if p in extant and c in extant)
    ids = tuple(r["id"] for r in rows)
    truth = Truth(ids, edges, (), (), (ids,), tree=tuple(tree))
    return Corpus("florilegium (13 witnesses)", tuple(rows), truth, kind="tradition")


# -- the seeds ----------------------------------------------------------------------------

#: The seeds' known lineage by file-name prefix (tests/test_seeds.py): 001 (KDKA) is the
#: original; 000 (the CBS page) and 002 (the aggregator) copy it; 003 and 004 are
#: independent reports on the same race that share only quotes.
SEEDS_EDGES = (("001", "000"), ("001", "002"))
SEEDS_INDEPENDENT = ("003", "004")


def seeds_corpus(folder: str | Path) -> Corpus | None:
    """The example articles of ``folder`` (``seeds/``), written back as files; None if absent."""
    files = sorted(Path(folder).glob("[0-9][0-9][0-9]_*.txt"))
    if not files:
        return None
    by_prefix = {f.stem[:3]: f.stem for f in files}
    rows = [_row(f.stem, f.read_text(encoding="utf-8")) for f in files]
    edges = tuple((by_prefix[p], by_prefix[c]) for p, c in SEEDS_EDGES)
    story = tuple(by_prefix[x] for x in ("001", "000", "002"))
    truth = Truth(
        documents=tuple(r["id"] for r in rows),
        edges=edges,
        roots=(by_prefix["001"],),
        independents=tuple(by_prefix[x] for x in SEEDS_INDEPENDENT),
        stories=(story,),
    )
    return Corpus("seeds (5 articles)", tuple(rows), truth, as_files=True)


# -- generators ---------------------------------------------------------------------------


def simulated_corpus(*, stories: int, seed: int, **kwargs: Any) -> Corpus:
    """A corpus of the project's simulator (:func:`lineage.evaluation.simulate.simulate`)."""
    from lineage.evaluation.metrics import load_truth
    from lineage.evaluation.simulate import simulate

    sim = simulate(stories=stories, seed=seed, **kwargs)
    desc = ", ".join(f"{k}={v}" for k, v in sorted(kwargs.items()))
    name = f"simulator (seed {seed}, {stories} stories{', ' + desc if desc else ''})"
    return Corpus(name, tuple(sim.records()), load_truth(sim.truth()))


def wire_corpus(*, stories: int, seed: int, dates: bool = False) -> Corpus:
    """A corpus of the second generator (:func:`lineage.evaluation.wire.generate`)."""
    from lineage.evaluation.wire import generate

    rows, truth = generate(stories=stories, seed=seed, dates=dates)
    name = f"wire generator (seed {seed}, {stories} stories, {'dates' if dates else 'no dates'})"
    return Corpus(name, tuple(rows), truth)


def concat(name: str, parts: Sequence[Corpus]) -> Corpus:
    """Several corpora scored as one, each analyzed on its own (ids must not collide)."""
    rows = tuple(r for c in parts for r in c.records)
    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        raise ValueError("corpora share ids: rename them first")
    t = [c.truth for c in parts]
    truth = Truth(
        documents=tuple(d for x in t for d in x.documents),
        edges=tuple(e for x in t for e in x.edges),
        roots=tuple(r for x in t for r in x.roots),
        independents=tuple(i for x in t for i in x.independents),
        stories=tuple(s for x in t for s in x.stories),
        passages=tuple(p for x in t for p in x.passages),
        tree=tuple(e for x in t for e in x.tree),
    )
    return Corpus(name, rows, truth, kind=parts[0].kind, as_files=parts[0].as_files,
                  parts=tuple(parts))  # fmt: skip
