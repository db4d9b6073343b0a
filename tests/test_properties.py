"""Invariants of tokens, passages and pairs, over generated texts (hypothesis).

Each property runs a modest number of examples so the file stays under ~20 s; the
generators lean on what breaks text code: combining marks, ligatures and full-width
forms whose normalized form has another length, case folds that grow ("ß", "İ"),
curly apostrophes inside words, CRLF, control characters, and empty texts.
"""

from __future__ import annotations

import datetime as dt

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
