"""Invariants of tokens, passages and pairs, over generated texts (hypothesis).

Each property runs a modest number of examples so the file stays under ~20 s; the
generators lean on what breaks text code: combining marks, ligatures and full-width
forms whose normalized form has another length, case folds that grow ("ß", "İ"),
curly apostrophes inside words, CRLF, control characters, and empty texts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import tempfile

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lineage.model import Analysis, Config, Document
from lineage.pipeline import analyze_documents
from lineage.text import normalize_word, tokenize

CONFIG = Config(workers=1)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PIPELINE = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TRICKY = (
    "a", "Z", "0", "9", " ", "\n", "\r\n", "\t", "'", "’", "ʼ", "-", "—", '"', "“", "”", "«",
    "é", "e\u0301", "ß", "İ", "ﬁ", "Ａ", "①", "²", "日", "本", "ي", "\u200b", "\u00a0",
    "\x00", "\x1b", "🙂", "\U0001d400", "ǅ", "ﬀ", "Ω", "ς",
)  # fmt: skip
# arbitrary unicode (hypothesis leaves out surrogates by default), and a dense mix of
# the characters above
TEXT = st.one_of(
    st.text(max_size=300), st.lists(st.sampled_from(TRICKY), max_size=200).map("".join)
)

VOCAB = (
    "the", "council", "voted", "late", "on", "Tuesday", "to", "close", "bridge", "naïve",
    "Zürich", "İstanbul", "ﬁnance", "don’t", "Mazur's", "ＡＢＣ", "日本", "co-op", "río",
    "STRASSE", "straße", "2019", "3,000", "résumé", "Ωmega", "café", "crews", "river",
    "said", "mayor", "whose", "plan", "drew", "anger", "from", "residents", "across",
)  # fmt: skip
SEPS = (" ", " ", " ", "\n", ", ", ". ", " “", "” ", "\r\n", " — ", "\n\n")


@st.composite
def prose(draw, *, min_words: int = 0, max_words: int = 60) -> str:
    words = draw(st.lists(st.sampled_from(VOCAB), min_size=min_words, max_size=max_words))
    out = []
    for w in words:
        out.append(w)
        out.append(draw(st.sampled_from(SEPS)))
    return "".join(out)


@st.composite
def copied_pair(draw) -> tuple[Document, Document, list[str]]:
    """Two documents sharing a run of words, B's copy possibly edited.

    Returns the documents and the run when it was copied verbatim (else ``[]``)."""
    shared = draw(
        st.lists(st.sampled_from(VOCAB), min_size=draw(st.sampled_from([0, 12, 30])), max_size=80)
    )
    edited = list(shared)
    edits = draw(
        st.just([]) | st.lists(st.tuples(st.integers(0, 200), st.sampled_from(VOCAB)), max_size=4)
    )
    for at, word in edits:
        if edited:
            edited[at % len(edited)] = word
    sep = draw(st.sampled_from(SEPS))
    a = draw(prose()) + sep.join(shared) + " " + draw(prose())
    b = draw(prose()) + "\n" + sep.join(edited) + ". " + draw(prose())
    verbatim = shared if edited == shared else []
    return Document(id="a", text=a, path="a"), Document(id="b", text=b, path="b"), verbatim


def check_analysis(analysis: Analysis, docs: list[Document]) -> None:
    """Every figure of every pair and passage is consistent with the documents."""
    by_id = {d.id: d for d in docs}
    assert sorted(d.id for d in analysis.documents) == sorted(by_id)
    story_ids = [i for s in analysis.stories for i in s]
    assert sorted(story_ids) == sorted(by_id)  # every document in exactly one story
    for p in analysis.pairs:
        assert p.a < p.b
        da, db = by_id[p.a], by_id[p.b]
        words_a = analysis.word_counts[p.a][0]
        assert 0 <= p.reused_words <= words_a
        assert p.reused_words <= sum(s.a_words for s in p.passages)
        for v in (
            p.jaccard, p.a_in_b, p.b_in_a, p.a_in_b_narrative, p.b_in_a_narrative,
            p.shingle_containment_a, p.shingle_containment_b,
        ):  # fmt: skip
            assert 0.0 <= v <= 1.0, p
        assert p.passages
        for s in p.passages:
            assert (s.a, s.b) == (p.a, p.b)
            assert 0 <= s.a_start < s.a_end <= len(da.text)
            assert 0 <= s.b_start < s.b_end <= len(db.text)
            assert da.text[s.a_start : s.a_end] == s.a_text
            assert db.text[s.b_start : s.b_end] == s.b_text
            assert s.a_words == s.a_tok[1] - s.a_tok[0] > 0
            assert s.b_words == s.b_tok[1] - s.b_tok[0] > 0
            assert s.a_words <= words_a and s.b_words <= analysis.word_counts[p.b][0]
            assert 0.0 <= s.similarity <= 1.0
    for e in analysis.edges:
        assert e.parent in by_id and e.child in by_id and e.parent != e.child
        assert 0.0 <= e.confidence <= 1.0


# -- tokens ---------------------------------------------------------------------------


@FAST
@given(TEXT)
def test_token_offsets_map_back_to_the_text(text):
    t = tokenize(text)
    assert len(t.words) == len(t.starts) == len(t.ends) == len(t.hashes)
    last_end = 0
    for word, s, e in zip(t.words, t.starts.tolist(), t.ends.tolist(), strict=True):
        assert last_end <= s < e <= len(text)
        assert normalize_word(text[s:e]) == word
        last_end = e


@FAST
@given(TEXT, st.lists(st.tuples(st.integers(0, 400), st.integers(0, 400)), max_size=4))
def test_boilerplate_marks_exactly_the_words_inside_spans(text, raw_spans):
    spans = tuple((min(x, y), max(x, y)) for x, y in raw_spans)
    t = tokenize(text, boilerplate=spans)
    for s, flag in zip(t.starts.tolist(), t.boilerplate.tolist(), strict=True):
        assert flag == any(lo <= s < hi for lo, hi in spans)


# -- passages and pairs ---------------------------------------------------------------


@PIPELINE
@given(copied_pair())
def test_passages_lie_inside_both_documents(case):
    a, b, verbatim = case
    analysis = analyze_documents([a, b], CONFIG)
    check_analysis(analysis, [a, b])
    words = [w for chunk in verbatim for w in tokenize(chunk).words]
    distinct = {tuple(words[i : i + 5]) for i in range(len(words) - 4)}
    # a long verbatim copy is always found, unless it is page chrome: one word a line,
    # recurring in both documents, is what a site's menu looks like (lineage.boilerplate)
    chrome = any(d.boilerplate for d in analysis.documents)
    if len(words) >= 20 and len(distinct) >= 10 and not chrome:
        (pair,) = analysis.pairs
        assert pair.reused_words >= len(words) - 2


@PIPELINE
@given(copied_pair())
def test_pair_figures_do_not_depend_on_argument_order(case):
    a, b, _ = case
    one = analyze_documents([a, b], CONFIG)
    two = analyze_documents([b, a], CONFIG)
    assert one.pairs == two.pairs
    assert one.edges == two.edges and one.origins == two.origins


@PIPELINE
@given(copied_pair())
def test_pair_figures_mirror_when_the_documents_swap_ids(case):
    """The same two texts under swapped ids: the same passages, seen from the other side."""
    a, b, _ = case
    swapped = [Document(id="a", text=b.text, path="b"), Document(id="b", text=a.text, path="a")]
    one = analyze_documents([a, b], CONFIG)
    two = analyze_documents(swapped, CONFIG)
    assert len(one.pairs) == len(two.pairs)
    for p, q in zip(one.pairs, two.pairs, strict=True):
        assert (p.a_in_b, p.b_in_a) == (q.b_in_a, q.a_in_b)
        assert p.jaccard == q.jaccard
        spans_p = sorted((s.a_start, s.a_end, s.b_start, s.b_end) for s in p.passages)
        spans_q = sorted((s.b_start, s.b_end, s.a_start, s.a_end) for s in q.passages)
        assert spans_p == spans_q


# -- the analyzer never raises ------------------------------------------------------

ODD = st.sampled_from(["", " ", "\n\n", "\x00", "a", "\ufeff"])
DOC_TEXT = st.one_of(TEXT, prose(min_words=20), ODD)
DATES = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2030, 1, 1))


@st.composite
def corpora(draw) -> list[Document]:
    texts = draw(st.lists(DOC_TEXT, max_size=4))
    # copies, so pairs, passages and inference run too
    for k in draw(
        st.lists(st.integers(0, 10), min_size=draw(st.sampled_from([0, 1, 2])), max_size=3)
    ):
        if texts:
            texts.append(texts[k % len(texts)] + draw(prose(max_words=10)))
    docs = []
    for k, text in enumerate(texts):
        docs.append(
            Document(
                id=draw(st.sampled_from([f"d{k}", f"{k}/../é{k}", f"{k}\x00{k}", f"İ{k}"])),
                text=text,
                path=f"p{k}",
                title=draw(st.none() | st.text(max_size=20)),
                outlet=draw(st.none() | st.sampled_from(["AP", "Reuters", "", "é\x00"])),
                date=draw(st.none() | DATES),
            )
        )
    return docs


@PIPELINE
@given(corpora())
def test_the_analyzer_never_raises(docs):
    assume(len({d.id for d in docs}) == len(docs))
    analysis = analyze_documents(docs, CONFIG)
    check_analysis(analysis, docs)


# -- the whole command line over hostile files (issue 17) ---------------------------

# any code point, lone surrogates included (hypothesis leaves them out by default), with
# the controls, bidi marks and separators that break terminals and writers drawn often
HOSTILE_CHARS = st.one_of(
    st.characters(codec=None, exclude_categories=()),
    st.sampled_from(
        [
            "\x00", "\x1b", "\x07", "\n", "\r", "\t", "\x85", "\x9b", "\u2028", "\u202e",
            "\u2066", "\u200b", "\ufeff", "\ud83d", "\udc00", "\udce9", "=", "+", "-", "@",
            '"', ",", "\\", "{", "[",
        ]
    ),
)  # fmt: skip
HOSTILE = st.text(HOSTILE_CHARS, max_size=40)
ISO_DATES = st.datetimes(
    min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59)
).flatmap(
    lambda d: st.sampled_from(
        [d.isoformat(), d.isoformat() + "-05:00", d.isoformat() + "+14:00", d.isoformat() + "Z"]
    )
)
FIELD = st.one_of(
    HOSTILE,
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    ISO_DATES,
)


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@st.composite
def rows(draw) -> dict:
    row: dict = {}
    for key in ("id", "title", "outlet", "url", "date"):
        if draw(st.booleans()):
            row[key] = draw(ISO_DATES if key == "date" and draw(st.booleans()) else FIELD)
    text = draw(st.one_of(prose(min_words=6, max_words=30), HOSTILE, FIELD))
    if draw(st.integers(0, 9)):
        row["text"] = text
    return row


# file names: any bytes but "/" and NUL (Linux), so non-UTF-8 names too
NAME_BYTES = st.binary(min_size=1, max_size=30).map(
    lambda b: b"f" + b.replace(b"/", b"_").replace(b"\x00", b"_")
)


@st.composite
def hostile_corpora(draw) -> list[tuple[bytes, bytes, list[int]]]:
    """(file name, file bytes, line numbers of its rows) for a few JSONL, CSV and text
    files of hostile content."""
    files = []
    names = draw(st.lists(NAME_BYTES, min_size=1, max_size=4, unique=True))
    for k, name in enumerate(names):
        kind = draw(st.sampled_from(["jsonl", "csv", "txt"]))
        lines: list[int] = []
        if kind == "jsonl":
            out = []
            for n, row in enumerate(draw(st.lists(rows(), max_size=4)), start=1):
                deep = draw(st.sampled_from([0, 0, 0, 3, 1_000, 100_000]))
                # ensure_ascii writes lone surrogates as \ud83d escapes, as JS exporters do
                out.append(_nested(deep) if deep > 3 else json.dumps(row))
                lines.append(n)
            data = ("\n".join(out) + "\n").encode()
        elif kind == "csv":
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(["id", "date", "title", "text"])
            for row in draw(st.lists(rows(), max_size=4)):
                w.writerow([str(row.get(c, "")) for c in ("id", "date", "title", "text")])
            data = buf.getvalue().encode("utf-8", "surrogatepass")  # invalid UTF-8 too
        else:
            head = draw(st.one_of(st.just(""), ISO_DATES.map(lambda d: f"date {d}\n\n")))
            body = head + draw(st.one_of(prose(min_words=6, max_words=40), HOSTILE))
            data = body.encode("utf-8", "surrogatepass")
        files.append((name + f"{k}.{kind}".encode(), data, lines))
    return files


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(hostile_corpora(), st.booleans())
def test_the_command_line_never_raises_and_accounts_for_every_input(files, html):
    from click.testing import CliRunner

    from lineage.cli import main
    from lineage.ingest import show_path

    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(os.fsencode(tmp), b"in")
        os.mkdir(folder)
        for name, data, _ in files:
            with open(os.path.join(folder, name), "wb") as fh:
                fh.write(data)
        out = os.path.join(tmp, "out")
        args = ["analyze", os.fsdecode(folder), "--out", out, "--workers", "1"]
        r = CliRunner().invoke(main, [*args] if html else [*args, "--no-html"])
        # a clean exit: 0, or 1 when nothing at all could be read; never a traceback
        assert isinstance(r.exception, SystemExit) or r.exception is None, r.exc_info
        assert r.exit_code in (0, 1), r.output
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", r.output)
        paths = {show_path(os.fsdecode(os.path.join(folder, n))) for n, _, _ in files}
        if r.exit_code == 1:
            assert "no document could be read" in r.output and not os.path.exists(out)
            return
        with open(os.path.join(out, "lineage.json"), encoding="utf-8") as fh:
            data = json.load(fh)
        assert data["summary"]["documents"] == len(data["documents"]) > 0
        listed = {(d["path"], d["line"]) for d in data["documents"]}
        listed |= {(s["path"], s["line"]) for s in data["skipped"]}
        whole = {p for p, _ in listed} | {s["path"] for s in data["skipped"]}
        for name, _, lines in files:
            path = show_path(os.fsdecode(os.path.join(folder, name)))
            # every file is read or listed; every JSONL row read or listed by its line
            assert path in whole, (path, data["skipped"], data["notices"])
            if not any(s["path"] == path and s["line"] is None for s in data["skipped"]):
                for n in lines:
                    assert (path, n) in listed, (path, n, data["skipped"])
        assert {d["path"] for d in data["documents"]} <= paths
        for name in ("documents.csv", "pairs.csv", "edges.csv"):
            with open(os.path.join(out, name), encoding="utf-8", newline="") as fh:
                for row in csv.reader(fh):
                    assert not any(c.startswith(("=", "+", "-", "@")) for c in row), row
