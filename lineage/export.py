"""Machine-readable outputs: lineage.json, CSV tables, passages.jsonl.gz and quotes.jsonl.gz.

The JSON contract (fields are added over time, never renamed)::

    {"documents": [{"id", "title", "outlet", "date", "path", "words", "boilerplate_words", ...}],
     "pairs": [{"a", "b", "jaccard", "a_in_b", "b_in_a", "passages", "reused_words", ...}],
     "edges": [{"parent", "child", "confidence", "evidence": [{"kind", "sign", "score",
                "facts", "text"}], "alternatives", "quotes": {"counts"}}],
       (an edge's quotation findings are the rows of quotes.jsonl.gz whose "document"
       is the child and "parent" the parent, and the parent's rows it is in the
       "dropped_by" of; lineage.json held them too, by offsets, until 2026-12-02)
     "origins": [{"id", "kind", "reason", "confidence", "evidence"}],
     "nodes": [{"id", "hypothetical": true, "parent", "children", "confidence",
                "evidence"}],  (sources inferred but not in the corpus)
     "stories": [[id, ...], ...], "skipped": [{"path", "line", "reason"}],
     "duplicates": [{"representative", "kind", "members"}],
     "profile": {"profile", "auto", "reason", "features"}, ...}

Everything is written atomically and deterministically (sorted, no timestamps unless
``generated_at`` is given), so two runs over the same input can be diffed. lineage.json
is compact JSON with one record a line; the JSONL files have no spaces.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from lineage import __version__
from lineage.files import OutputDir, output_dir
from lineage.interchange import parse_formats, write_formats
from lineage.model import (
    _DOC_COLUMNS,
    _PAIR_COLUMNS,
    _PASSAGE_COLUMNS,
    QUOTE_KINDS,
    Analysis,
    Evidence,
    Quote,
    QuoteMatch,
    _document_row,
    _pair_row,
    _passage_row,
)

__all__ = [
    "PASSAGES_FILE",
    "QUOTES_FILE",
    "read_jsonl",
    "quote_sections",
    "spreadsheet_safe",
    "summary",
    "to_dict",
    "write_exports",
    "write_quotes_jsonl",
]


def to_dict(analysis: Analysis, *, generated_at: str | None = None) -> dict[str, Any]:
    """The whole analysis as plain JSON-ready data."""
    return {
        k: list(v) if isinstance(v, Iterator) else v
        for k, v in _sections(analysis, generated_at=generated_at).items()
    }


def _sections(analysis: Analysis, *, generated_at: str | None = None) -> dict[str, Any]:
    """:func:`to_dict`'s keys in order, the long lists as iterators of their records, so
    lineage.json can be written one record at a time (:func:`_dump_json`)."""
    edge_quotes = _edge_matches(analysis)

    def documents() -> Iterator[dict[str, Any]]:
        for d in analysis.documents:
            row = _document_row(analysis, d)
            row.update(
                {
                    "url": d.url,
                    "dateline_outlet": d.dateline_outlet,
                    "host_outlet": d.host_outlet,
                    "boilerplate": [list(s) for s in d.boilerplate],
                    "format": d.source_format,
                    "line": d.line,
                }
            )
            yield row

    def pairs() -> Iterator[dict[str, Any]]:
        for p in analysis.pairs:
            row = _pair_row(p)
            row["shingle_containment_a"] = p.shingle_containment_a
            row["shingle_containment_b"] = p.shingle_containment_b
            yield row

    out: dict[str, Any] = {
        "documents": documents(),
        "pairs": pairs(),
        "edges": (
            {
                "parent": e.parent,
                "child": e.child,
                "confidence": e.confidence,
                "evidence": [evidence_record(x) for x in e.evidence],
                "alternatives": [
                    {"parent": a.parent, "confidence": a.confidence} for a in e.alternatives
                ],
                "quotes": {
                    "counts": _quote_section(edge_quotes.get((e.parent, e.child), ()))["counts"]
                },
                **(
                    {"secondary": True, "region": list(e.region) if e.region else None}
                    if e.secondary
                    else {}
                ),
            }
            for e in analysis.edges
        ),
        "origins": (
            {
                "id": o.id,
                "kind": o.kind,
                "reason": o.reason,
                "confidence": o.confidence,
                "evidence": [evidence_record(x) for x in o.evidence],
            }
            for o in analysis.origins
        ),
        "nodes": (
            {
                "id": h.id,
                "hypothetical": True,
                "parent": h.parent,
                "children": list(h.children),
                "confidence": h.confidence,
                "evidence": [evidence_record(x) for x in h.evidence],
            }
            for h in analysis.hypotheticals
        ),
        "stories": (list(s) for s in analysis.stories),
        "duplicates": (
            {"representative": g.representative, "kind": g.kind, "members": list(g.members)}
            for g in analysis.duplicates
        ),
        "skipped": ({"path": s.path, "line": s.line, "reason": s.reason} for s in analysis.skipped),
        "notices": ({"path": s.path, "line": s.line, "reason": s.reason} for s in analysis.notices),
        "summary": summary(analysis),
        "config": {
            k: v for k, v in vars(analysis.config).items() if k not in ("generated_at", "memory")
        },
        # the weight profile used; with --profile auto, the corpus features that chose it
        "profile": None if analysis.profile_choice is None else analysis.profile_choice.as_dict(),
        "generator": f"lineage {__version__}",
    }
    if generated_at:
        out["generated_at"] = generated_at
    return out


def dumps_compact(value: Any) -> str:
    """One JSON value without spaces (``separators=(",", ":")``), non-ASCII kept: the
    form every record of lineage.json and of the JSONL files is written in."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _dump_json(fh: IO[str], data: dict[str, Any]) -> None:
    """Write ``data`` as compact JSON with one record a line, holding one record at a
    time: a value that is an iterator (or a list) is written item by item, each item on
    its own line; other values on the line of their key.

    The file is ``json.loads``-equal to ``json.dumps(data)``, and a third of the size of
    the ``indent=2`` form it replaced (2026-12-01: 12.2 -> 7.6 MB on the 1,483-document
    simulated corpus before the quote findings left it); one record a line still diffs
    and greps well."""
    if not data:
        fh.write("{}\n")
        return
    fh.write("{")
    for n, (key, value) in enumerate(data.items()):
        fh.write(("," if n else "") + "\n" + dumps_compact(key) + ":")
        if isinstance(value, (Iterator, list)):
            first = True
            for item in value:
                fh.write(("[\n" if first else ",\n") + dumps_compact(item))
                first = False
            fh.write("[]" if first else "\n]")
        else:
            fh.write(dumps_compact(value))
    fh.write("\n}\n")


def evidence_record(ev: Evidence) -> dict[str, Any]:
    """One evidence record as JSON: kind, sign, score, the facts and its sentence."""
    return {
        "kind": ev.kind,
        "sign": ev.sign,
        "score": round(ev.score, 4),
        "facts": {k: _plain(v) for k, v in ev.facts.items()},
        "text": ev.text,
    }


def _plain(v: Any) -> Any:
    """JSON-ready: tuples as lists, numpy scalars as Python numbers, floats to 6 places."""
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    if isinstance(v, float):
        return round(v, 6)
    return v


def summary(analysis: Analysis) -> dict[str, int]:
    """The counts of a run. ``stories`` counts every entry of ``stories`` (a document that
    shares nothing is a story of its own); ``shared_stories`` those of two or more."""
    return {
        "documents": len(analysis.documents),
        "skipped": len(analysis.skipped),
        "pairs": len(analysis.pairs),
        "passages": sum(len(p.passages) for p in analysis.pairs),
        "edges": len(analysis.edges),
        "stories": len(analysis.stories),
        "shared_stories": sum(1 for s in analysis.stories if len(s) > 1),
    }


# A cell that starts with one of these is a formula to Excel, LibreOffice and Google
# Sheets ("=HYPERLINK(...)", but also an innocent "-30 tonight"); OWASP's CSV-injection
# advice is to prefix such text with a single quote, which spreadsheets show as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet never runs: text that starts like a formula
    gets a leading ``'``; numbers (a negative one included) stay numbers.

    >>> spreadsheet_safe("=1+1"), spreadsheet_safe("-30 tonight"), spreadsheet_safe(-0.5)
    ("'=1+1", "'-30 tonight", -0.5)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _write_csv(
    out: OutputDir, rel: str, rows: Iterable[dict[str, Any]], columns: list[str]
) -> Path:
    """A CSV table written row by row."""
    with _open_text(out, rel) as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(
                {k: ("" if r.get(k) is None else spreadsheet_safe(r.get(k))) for k in columns}
            )
    return out.target(rel)


def _write_jsonl(
    out: OutputDir, rel: str, rows: Iterable[dict[str, Any]], *, sort_keys: bool = False
) -> Path:
    """JSON lines written one line at a time, without spaces (a tenth of the bytes);
    gzip-compressed when ``rel`` ends in ``.gz``."""
    opener = _open_gzip_text if rel.endswith(".gz") else _open_text
    with opener(out, rel) as fh:
        for r in rows:
            line = json.dumps(r, ensure_ascii=False, sort_keys=sort_keys, separators=(",", ":"))
            fh.write(line + "\n")
    return out.target(rel)


def read_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    """The records of a JSON-lines file, ``.jsonl`` or ``.jsonl.gz`` (passages.jsonl.gz
    and quotes.jsonl.gz), one at a time.

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = write_quotes_jsonl(Analysis(documents=(), pairs=()), tmp)
    ...     list(read_jsonl(os.path.join(tmp, QUOTES_FILE)))
    []
    """
    p = Path(path)
    with (gzip.open(p, "rt", encoding="utf-8") if p.suffix == ".gz"
          else p.open(encoding="utf-8")) as fh:  # fmt: skip
        for line in fh:
            if line.strip():
                yield json.loads(line)


_SURROGATE = re.compile("[\ud800-\udfff]")


class _Utf8Text:
    """A text file that writes a lone surrogate as U+FFFD. Note: ingest already replaces
    them; documents built by hand (``analyze_documents``) may still hold one, and it must
    cost a U+FFFD, not the whole run's output."""

    def __init__(self, fh: IO[str]) -> None:
        self._fh = fh

    def write(self, text: str) -> int:
        return self._fh.write(_SURROGATE.sub("\ufffd", text))


@contextlib.contextmanager
def _open_text(out: OutputDir, rel: str) -> Iterator[Any]:
    # buffered by the file object: each record is a small write, the file one stream
    with out.open_text(rel) as fh:
        yield _Utf8Text(fh)


@contextlib.contextmanager
def _open_gzip_text(out: OutputDir, rel: str) -> Iterator[Any]:
    """``rel`` as gzip-compressed UTF-8 text, byte-identical from run to run: no file
    name and no time in the gzip header (``mtime=0``).

    Note: passages.jsonl and quotes.jsonl are the two large tables (3.1 and 3.9 MB of
    the 1,483-document simulated corpus's output, 2026-12-02), made of short repeated
    keys and ids: gzip makes them 0.36 and 0.64 MB, and pandas (``pd.read_json(path,
    lines=True)``), DuckDB and Spark read ``.jsonl.gz`` as they read ``.jsonl``."""
    with (
        out.open_binary(rel) as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
        io.TextIOWrapper(gz, encoding="utf-8", newline="\n") as fh,
    ):
        yield _Utf8Text(fh)


PASSAGES_FILE = "passages.jsonl.gz"
QUOTES_FILE = "quotes.jsonl.gz"

# passages.jsonl leaves out the passages' two texts unless asked for: they are the
# documents' text between the offsets, and written twice they were 85% of the file
# (24 MB of the 1,483-document simulated corpus's output)
_PASSAGE_TEXTS = ("a_text", "b_text")


def write_exports(
    analysis: Analysis,
    out_dir: str | Path | OutputDir,
    *,
    generated_at: str | None = None,
    formats: Iterable[str] | None = None,
    passage_text: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Path]:
    """Write lineage.json, documents.csv, pairs.csv, edges.csv, passages.jsonl.gz and
    quotes.jsonl.gz, then the files of ``formats`` (see
    :func:`lineage.interchange.write_formats`; none by default). Each file is written
    record by record, so memory holds one record, not the file.

    ``passage_text``: passages.jsonl.gz also gives each passage's text on both sides
    (``a_text``, ``b_text``); by default it gives the offsets into each document's text
    (``text[a_start:a_end]``), the word counts, the similarity and the quote counts."""
    with output_dir(out_dir) as out:
        return _write_exports(
            analysis,
            out,
            generated_at=generated_at,
            formats=formats,
            passage_text=passage_text,
            progress=progress,
        )


def _write_exports(
    analysis: Analysis,
    out: OutputDir,
    *,
    generated_at: str | None = None,
    formats: Iterable[str] | None = None,
    passage_text: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Path]:
    extra = parse_formats(formats)
    steps = 6 + len(extra)  # the files below, then one per extra format
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress("exports", done, steps)

    if progress:
        progress("exports", 0, steps)
    with _open_text(out, "lineage.json") as fh:
        _dump_json(fh, _sections(analysis, generated_at=generated_at))
    step()
    written = [out.target("lineage.json")]
    written.append(
        _write_csv(
            out,
            "documents.csv",
            (_document_row(analysis, d) for d in analysis.documents),
            _DOC_COLUMNS,
        )
    )
    step()
    written.append(
        _write_csv(out, "pairs.csv", (_pair_row(p) for p in analysis.pairs), _PAIR_COLUMNS)
    )
    step()
    written.append(
        _write_csv(
            out,
            "edges.csv",
            (
                {
                    "parent": e.parent,
                    "child": e.child,
                    "confidence": e.confidence,
                    "evidence": " | ".join(e.reasons),
                }
                for e in analysis.edges
            ),
            ["parent", "child", "confidence", "evidence"],
        )
    )
    step()
    columns = [c for c in _PASSAGE_COLUMNS if passage_text or c not in _PASSAGE_TEXTS]
    written.append(
        _write_jsonl(
            out,
            PASSAGES_FILE,
            ({c: row[c] for c in columns} for row in map(_passage_row, analysis.passages)),
        )
    )
    step()
    written.append(write_quotes_jsonl(analysis, out))
    step()
    for fmt in extra:
        written += write_formats(analysis, out, formats=(fmt,), passage_text=passage_text)
        step()
    return written


# -- quotations (lineage.quotes) ---------------------------------------------------


def _no_quotes() -> dict[str, Any]:
    return {"counts": {k: 0 for k in QUOTE_KINDS}, "findings": []}


def quote_sections(analysis: Analysis) -> dict[tuple[str, str], dict[str, Any]]:
    """Per edge (parent, child): counts of its quotations by class, and each finding's
    facts, misattributions first."""
    return {edge: _quote_section(ms) for edge, ms in _edge_matches(analysis).items()}


def _edge_matches(analysis: Analysis) -> dict[tuple[str, str], list[QuoteMatch]]:
    """The quotation matches along each edge, in text order: references only, so an
    edge's section is built when it is written (the facts of every match at once were
    most of the export's memory)."""
    out: dict[tuple[str, str], list[QuoteMatch]] = {}
    for m in analysis.quotes.matches:
        if m.relation == "edge":
            out.setdefault((m.parent, m.child), []).append(m)
    return out


def _quote_section(matches: Iterable[QuoteMatch]) -> dict[str, Any]:
    rank = {k: i for i, k in enumerate(QUOTE_KINDS)}
    sec = _no_quotes()
    for m in matches:
        sec["counts"][m.kind] += 1
        sec["findings"].append(_finding_ref(m))
    sec["findings"].sort(key=lambda f: rank[f["kind"]])  # stable: text order within
    return sec


def _finding_ref(m: QuoteMatch) -> dict[str, Any]:
    """A finding along an edge by reference: its class, score, and the offsets of the
    child's quotation and of the parent's quotations it was compared with. Their texts,
    speakers and word changes are in quotes.jsonl, one row per quotation, keyed by
    (document, start, end). Note: written out in full here they were 4.7 of the 12.2 MB
    of lineage.json on the 1,483-document simulated corpus, and quotes.jsonl holds them."""
    cq = m.child_quote
    return {
        "kind": m.kind,
        "form": m.form or m.kind,
        "score": m.score,
        "child_quote": [cq.start, cq.end] if cq else None,
        "parent_quotes": [[q.start, q.end] for q in m.parent_quotes],
    }


def _quote_ref(q: Quote) -> dict[str, Any]:
    # no text: the parent's quotation is a row of quotes.jsonl of its own, keyed by
    # (document, start, end) (its text here too was 0.7 of the 4.5 MB of the file)
    return {"document": q.doc, "start": q.start, "end": q.end, "speaker": q.speaker}


def write_quotes_jsonl(analysis: Analysis, out_dir: str | Path | OutputDir) -> Path:
    """quotes.jsonl: one quotation a line -- its document, offsets, text and speaker, and
    what became of it: its match in the parent and its class along the document's edge,
    the children that dropped it, and its class in other documents that share it."""
    along: dict[tuple[str, int, int], QuoteMatch] = {}
    dropped: dict[tuple[str, int, int], list[str]] = {}
    shared: dict[tuple[str, int, int], list[QuoteMatch]] = {}
    for m in analysis.quotes.matches:
        if m.kind == "dropped":
            for q in m.parent_quotes:
                dropped.setdefault((q.doc, q.start, q.end), []).append(m.child)
        elif m.child_quote is not None:
            key = (m.child_quote.doc, m.child_quote.start, m.child_quote.end)
            if m.relation == "edge":
                along[key] = m
            else:
                shared.setdefault(key, []).append(m)

    def rows() -> Iterator[dict[str, Any]]:
        for q in analysis.quotes.quotes:
            key = (q.doc, q.start, q.end)
            hit = along.get(key)
            row = {
                "document": q.doc,
                "start": q.start,
                "end": q.end,
                "text": q.text,
                "speaker": q.speaker,
                "speaker_by": q.speaker_by or None,
                "level": q.level,
                "group": q.group,
                "credit": q.credit,
                "parent": hit.parent if hit else None,
                "class": hit.kind if hit else None,
                "form": (hit.form or hit.kind) if hit else None,
                "score": hit.score if hit else None,
                "match": [_quote_ref(p) for p in hit.parent_quotes] if hit else [],
                "changes": [list(c) for c in hit.changes] if hit else [],
                "dropped_by": sorted(dropped.get(key, [])),
                "shared_with": sorted(
                    ({"document": x.parent, "class": x.kind} for x in shared.get(key, [])),
                    key=lambda r: r["document"],
                ),
            }
            yield row

    with output_dir(out_dir) as out:
        return _write_jsonl(out, QUOTES_FILE, rows(), sort_keys=True)
