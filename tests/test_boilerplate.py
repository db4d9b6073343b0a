from __future__ import annotations

from pathlib import Path

import pytest

from lineage.boilerplate import chrome_shaped, find_host, mark_boilerplate, merge_spans
from lineage.ingest import read_corpus
from lineage.model import Document

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# What a reader sees as page chrome in the seeds, line by line.
CHROME_000 = [
    "Watch CBS News",
    "View CBS News In",
    "CBS News App Open",
    "Chrome Safari Continue",
    "Be the first to know",
    "Get browser notifications for breaking news, live events, and exclusive reporting.",
]
EXPECTED = {
    "000": CHROME_000,
    "001": ["date 2019-05-07"],  # a metadata prefix, marked by ingest
    "002": ["Read Full Story"],
    "003": ["May 9, 2019, 6:45 PM"],  # the date line, marked by ingest
    "004": [],
}


def doc(doc_id: str, text: str, **kw: object) -> Document:
    return Document(id=doc_id, text=text, path=f"{doc_id}.txt", **kw)  # type: ignore[arg-type]


def covered(d: Document) -> set[int]:
    return {i for s, e in d.boilerplate for i in range(s, e) if not d.text[i].isspace()}


def line_chars(text: str, lines: list[str]) -> set[int]:
    out: set[int] = set()
    for line in lines:
        at = text.index(line)
        assert text.count(line) == 1, line
        out |= {i for i in range(at, at + len(line)) if not text[i].isspace()}
    return out


@pytest.fixture(scope="module")
def seeds() -> dict[str, Document]:
    docs = read_corpus([SEEDS]).documents
    marked = mark_boilerplate(docs)
    assert [d.id for d in marked] == [d.id for d in docs]
    return {d.id[:3]: d for d in marked}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_seed_chrome_spans_are_exactly_the_chrome(seeds: dict[str, Document], key: str) -> None:
    d = seeds[key]
    assert covered(d) == line_chars(d.text, EXPECTED[key])
    assert list(d.boilerplate) == sorted(d.boilerplate)
    for (_, e1), (s2, _) in zip(d.boilerplate, d.boilerplate[1:], strict=False):
        assert e1 < s2 and d.text[e1:s2].strip(), "spans are merged"


def test_seed_000_chrome_shown(seeds: dict[str, Document]) -> None:
    d = seeds["000"]
    assert [d.text[s:e] for s, e in d.boilerplate] == [CHROME_000[0], "\n".join(CHROME_000[1:])]


def test_seed_titles_and_body_stay_article_text(seeds: dict[str, Document]) -> None:
    for d in seeds.values():
        body = d.text.split("\n\n")
        marked = covered(d)
        if d.title is not None:
            at = d.text.index(d.title)
            assert not marked & set(range(at, at + len(d.title))), d.id
        # every paragraph but the chrome ones is untouched
        for para in body:
            if para.strip() and not any(c in para for c in EXPECTED[d.id[:3]]):
                at = d.text.index(para)
                assert not marked & set(range(at, at + len(para))), para[:40]


def test_seed_outlets_and_titles(seeds: dict[str, Document]) -> None:
    d0 = seeds["000"]
    assert d0.host_outlet == "CBS News" and d0.outlet == "CBS News"
    assert d0.dateline_outlet == "KDKA"
    assert d0.title == (
        "'Not Letting Each Other Quit': Two Women Hold Hands, Motivate One Another To "
        "Finish Pittsburgh Marathon"
    )
    d1 = seeds["001"]
    assert d1.host_outlet is None and d1.outlet == "KDKA" and d1.dateline_outlet == "KDKA"
    for key in ("002", "003", "004"):
        assert seeds[key].host_outlet is None and seeds[key].outlet is None
    assert seeds["002"].title.startswith("Footage of two strangers")
    assert seeds["003"].title.startswith("Marathon makes friends")


def test_marking_twice_changes_nothing(seeds: dict[str, Document]) -> None:
    again = mark_boilerplate(list(seeds.values()))
    assert again == list(seeds.values())


# --------------------------------------------------------------------------- shapes

BODY = (
    "The council met on Tuesday night to vote on the new budget for the coming year.\n\n"
    "Members argued for three hours before the measure finally passed by one vote.\n\n"
    "The mayor said she would sign it into law before the end of the week.\n"
)


def test_line_shapes() -> None:
    assert chrome_shaped("Read Full Story")
    assert chrome_shaped("Share this:")
    assert chrome_shaped("ADVERTISEMENT")
    assert not chrome_shaped("He said it was over.")
    assert not chrome_shaped("“It was over,” he said.”")
    assert not chrome_shaped("Seven words in this line without punctuation")
    assert not chrome_shaped("12 34")


def test_host_needs_a_name_inside_different_lines() -> None:
    assert find_host(["Home", "Follow Metro Daily", "Metro Daily Newsletter"]) == "Metro Daily"
    assert find_host(["Fox Valley Post", "Fox Valley Post Live", "Fox Valley"]) == "Fox Valley"
    assert find_host(["Read More", "Read More"]) is None
    assert find_host(["Sign up", "Log in"]) is None


def test_merge_spans() -> None:
    assert merge_spans([]) == ()
    assert merge_spans([(5, 5), (3, 4), (0, 2)]) == ((0, 2), (3, 4))
    assert merge_spans([(0, 2), (4, 6)], "ab\n\ncd") == ((0, 6),)
    assert merge_spans([(0, 2), (5, 7)], "ab x cd") == ((0, 2), (5, 7))


def test_boilerplate_only_document_is_all_chrome() -> None:
    text = "Home\nNews Sports Weather\nSign In\n\nSubscribe Today\nContact Us"
    (d,) = mark_boilerplate([doc("nav", text)])
    assert d.boilerplate == ((0, len(text)),)


def test_short_title_is_kept_and_top_chrome_is_marked() -> None:
    text = "Budget Passes\n\n" + BODY + "\nShare\nTweet\nEmail"
    (d,) = mark_boilerplate([doc("a", text, title="Budget Passes")])
    assert [d.text[s:e] for s, e in d.boilerplate] == ["Share\nTweet\nEmail"]
    assert d.title == "Budget Passes" and d.host_outlet is None


def test_single_word_first_line_is_chrome_not_title() -> None:
    (d,) = mark_boilerplate([doc("a", "Menu\n\n" + BODY)])
    assert [d.text[s:e] for s, e in d.boilerplate] == ["Menu"]


def test_tail_sentence_needs_a_real_chrome_run() -> None:
    # One short line above the last sentence is a subheading, not a chrome block.
    text = BODY + "\nWhat Comes Next\n\nThe budget takes effect in July, officials said."
    (d,) = mark_boilerplate([doc("a", text)])
    assert d.boilerplate == ()


def test_recurring_short_lines_are_chrome_anywhere() -> None:
    paras = BODY.strip().split("\n\n")
    a = f"{paras[0]}\n\nAdvertisement\n\n{paras[1]}"
    b = f"A different story about the weather starts here today.\n\nAdvertisement\n\n{paras[2]}"
    marked = mark_boilerplate([doc("a", a), doc("b", b)])
    for d in marked:
        assert [d.text[s:e] for s, e in d.boilerplate] == ["Advertisement"]
    # below min_docs nothing recurs
    assert all(
        d.boilerplate == () for d in mark_boilerplate([doc("a", a), doc("b", b)], min_docs=3)
    )


def test_recurring_sentences_are_reuse_not_chrome() -> None:
    a = "Story A\n\n" + BODY
    b = "Story B Copy\n\n" + BODY
    for d in mark_boilerplate([doc("a", a), doc("b", b)]):
        assert d.boilerplate == ()


def test_shared_short_headline_of_copies_is_kept() -> None:
    original = "Budget Passes\n\n" + BODY
    copy = "Budget Passes\n\n" + BODY.replace("Tuesday", "Tuesday evening")
    for d in mark_boilerplate([doc("a", original), doc("b", copy)]):
        assert d.boilerplate == ()


def test_recurring_first_line_above_different_articles_is_chrome() -> None:
    a = "Metro Daily Live\n\n" + BODY
    b = "Metro Daily Live\n\nA different story about the weather starts here today, he said.\n"
    for d in mark_boilerplate([doc("a", a), doc("b", b)]):
        assert [d.text[s:e] for s, e in d.boilerplate] == ["Metro Daily Live"]


def test_a_lead_sentence_stays_text_when_a_copy_drops_the_next_paragraph() -> None:
    # three pages of one story under their sites' mastheads; the lead sentence is short
    # and recurs at the top edge of each, but one copy dropped the second paragraph, so
    # the line after the lead differs: still the same story around it, not a header
    lead = "The council voted to close the old bridge, the mayor said."
    rest = [  # paragraphs too long to be taken for footers
        "Engineers found cracks in two of the piers during an inspection in the spring, "
        "and the council's own surveyors confirmed them last month.",
        "Repairs would cost more than a new crossing, according to the city's estimate, "
        "which the finance committee reviewed at length on Tuesday night.",
        "Traffic will move to the river road from Monday until the new bridge opens, "
        "adding about ten minutes to the morning drive into town.",
        "Residents of the east bank asked for a ferry service in the meantime, and the "
        "mayor promised to look into the cost of running one.",
    ]
    pages = {
        "o": ["Metro Daily", lead, *rest],
        "c1": ["Valley Post Live", lead, *rest],
        "c2": ["County Wire Now", lead, *rest[1:]],
    }
    marked = mark_boilerplate([doc(k, "\n\n".join(v)) for k, v in pages.items()])
    for d in marked:
        chrome = [d.text[s:e] for s, e in d.boilerplate]
        assert not any(lead in c for c in chrome), (d.id, chrome)
    # the same sentence on top of pages of three different stories is a header
    others = [
        "A storm closed three schools and the county fair on Saturday afternoon.\n\n"
        "Crews cleared fallen trees from the highway through the night.",
        "The hospital opened a new wing for children after four years of building work.\n\n"
        "Nurses showed the first families around the playroom on the top floor.",
        "Fishermen on the coast reported the largest catch of herring in a decade.\n\n"
        "Prices at the harbour market fell by a third within a week.",
    ]
    header = "Metro Daily is the valley's most trusted source of local news."
    texts = [f"Metro Daily Live\n\n{header}\n\n{t}" for t in others]
    for d in mark_boilerplate([doc(f"s{i}", t) for i, t in enumerate(texts)]):
        assert any(header in d.text[s:e] for s, e in d.boilerplate), d.id


def test_footers_naming_their_own_outlet_are_one_template() -> None:
    # each site's footer names the site: masked, the two are one recurring sentence
    paras = BODY.strip().split("\n\n")
    footer = "Have a news tip? Contact {} newsroom.\nSign up for our newsletter."
    a = doc(
        "a",
        f"{paras[0]}\n\n{footer.format('the Bramblewood Sentinel')}",
        outlet="Bramblewood Sentinel",
    )
    b = doc(
        "b", f"{paras[2]}\n\n{footer.format('The Foxley Sentinel')}", outlet="The Foxley Sentinel"
    )
    for d in mark_boilerplate([a, b]):
        chrome = [d.text[s:e] for s, e in d.boilerplate]
        assert any("newsroom" in c for c in chrome), chrome
        assert not any(p in c for p in paras for c in chrome)  # the article stays text
    # without the outlets known, the two footers are different lines
    plain = mark_boilerplate([doc("a", a.text), doc("b", b.text)])
    assert not any("newsroom" in d.text[s:e] for d in plain for s, e in d.boilerplate)


def test_a_host_named_in_part_is_the_pages_outlet() -> None:
    # "News Service" recurs in more chrome lines than the page's own name, because one
    # line names another news service: the host is the outlet metadata names
    text = (
        "Millbrook News Service | Politics\n\n"
        + BODY
        + "\nPartner content from Eastmoor News Service\n"
        "Millbrook News Service Home\nShare this article"
    )
    (d,) = mark_boilerplate([doc("a", text)])
    assert d.host_outlet == "News Service"  # what the chrome alone says
    (d,) = mark_boilerplate([doc("a", text, outlet="Millbrook News Service")])
    assert d.host_outlet == "Millbrook News Service" and d.outlet == "Millbrook News Service"
    # a host that is another name altogether stays the host
    (d,) = mark_boilerplate([doc("a", text, outlet="Wire Service")])
    assert d.host_outlet == "News Service"


def test_metadata_outlet_wins_over_host() -> None:
    text = "Watch Metro Daily\n\n" + BODY + "\nMetro Daily Home\nMore From Metro Daily"
    (d,) = mark_boilerplate([doc("a", text, outlet="Wire Service", dateline_outlet="AP")])
    assert d.host_outlet == "Metro Daily" and d.outlet == "Wire Service"
    (d,) = mark_boilerplate([doc("a", text, outlet="AP", dateline_outlet="AP")])
    assert d.outlet == "Metro Daily"  # the dateline fallback gives way to the host
    (d,) = mark_boilerplate([doc("a", BODY, outlet="AP", dateline_outlet="AP")])
    assert d.outlet == "AP"


def test_existing_spans_are_kept_and_merged() -> None:
    text = "date 2019-05-07 The council met.\n\n" + BODY
    (d,) = mark_boilerplate([doc("a", text, boilerplate=((0, 15),))])
    assert d.boilerplate == ((0, 15),)


def test_empty_input_and_empty_text() -> None:
    assert mark_boilerplate([]) == []
    (d,) = mark_boilerplate([doc("a", "")])
    assert d.boilerplate == ()
