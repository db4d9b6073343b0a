from __future__ import annotations

from lineage.align import AlignedDoc, align, pair_figures
from lineage.fingerprint import fingerprint
from lineage.text import tokenize

PROSE = (
    "The city council approved the new budget on Tuesday evening after a debate that ran "
    "past midnight. Council members argued about teacher pay, the size of classes and the "
    "cost of repairing old school buildings. The mayor said the plan was the best the city "
    "could afford this year."
)


def _doc(i, text, boiler=()):
    t = tokenize(text, boilerplate=boiler)
    return AlignedDoc(i, text, t, fingerprint(i, t))


def test_verbatim_copy_is_one_passage_with_offsets_into_both_texts():
    a = _doc("a", PROSE)
    b = _doc("b", "HEADLINE HERE\n\n" + PROSE + "\n\nMore from us.")
    (p,) = align(a, b)
    assert p.a_text == a.text[p.a_start : p.a_end] == PROSE[:-1]  # last word ends before "."
    assert p.b_text == b.text[p.b_start : p.b_end]
    assert p.similarity == 1.0 and p.a_words == p.b_words == len(a.tokens)
    assert not p.quoted


def test_small_edits_do_not_split_a_passage():
    edited = (
        PROSE.replace("approved", "passed")  # changed word
        .replace("after a debate", "after debate")  # dropped word
        .replace("teacher pay", "teachr pay")  # typo
    )
    (p,) = align(_doc("a", PROSE), _doc("b", edited))
    assert p.a_words == len(tokenize(PROSE))
    assert 0.85 < p.similarity < 1.0


def test_changed_word_before_first_seed_is_recovered_by_extension():
    a = "According to the coach, this was her 12th marathon and her friend's first race ever."
    b = "According to the coach, this marked her 12th marathon and her friend's first. They met."
    (p,) = align(_doc("a", a), _doc("b", b))
    assert p.a_text.startswith("According to the coach, this was")
    assert p.b_text.startswith("According to the coach, this marked")


def test_reordered_paragraphs_give_separate_passages():
    p1 = "The first paragraph tells how the runners met at mile fourteen of the race course."
    p2 = "The second paragraph tells how the cheer station volunteers took the famous photo."
    ps = align(_doc("a", p1 + "\n\n" + p2), _doc("b", p2 + "\n\n" + p1))
    assert len(ps) == 2
    assert {p.a_text for p in ps} == {p1[:-1], p2[:-1]}


def test_short_matches_below_min_words_are_dropped():
    a = _doc("a", "one two three four five six seven alpha beta gamma delta")
    b = _doc("b", "one two three four five six seven zulu yankee xray whiskey")
    assert align(a, b, min_words=8) == []
    assert len(align(a, b, min_words=7)) == 1


def test_quoted_passages_are_marked_and_figures_split_narrative():
    quote = '"We trained for months and we finished together, that is what matters," she said.'
    narrative = "Officials closed the course at four in the afternoon as the last runners arrived."
    a = _doc(
        "a", quote + "\n" + narrative + "\nAn extra closing line nobody else has at all today."
    )
    b = _doc("b", "Intro words here.\n" + quote)
    (p,) = align(a, b)
    assert p.quoted
    pair = pair_figures(a, b, [p], jaccard=0.1)
    assert pair.a_in_b > 0 and pair.a_in_b_narrative < pair.a_in_b
    assert 0 <= pair.b_in_a <= 1 and pair.reused_words <= len(a.tokens)


def test_boilerplate_is_never_part_of_a_passage():
    chrome = "Subscribe Now Today Click Here For More Great Stories From Us\n"
    a = _doc("a", chrome + PROSE, boiler=((0, len(chrome)),))
    b = _doc("b", chrome + PROSE, boiler=((0, len(chrome)),))
    (p,) = align(a, b)
    assert p.a_start >= len(chrome) and p.b_start >= len(chrome)


def test_passage_after_a_dropped_paragraph_survives_a_one_word_overlap():
    # The copy drops the middle paragraph. Extending the first passage runs over "The",
    # which starts both the dropped paragraph and the next one, so the two passages
    # share a word of the copy; the second must be trimmed by that word, not lost.
    p1 = "The council approved the budget on Tuesday after a debate that ran past midnight."
    drop = "The mayor said the plan was the best the city could afford this year."
    p3 = "The teachers union welcomed the pay rise but warned that class sizes would grow."
    a = _doc("a", f"{p1}\n\n{drop}\n\n{p3}")
    b = _doc("b", f"{p1}\n\n{p3}")
    ps = align(a, b, max_gap=10)
    covered = sum(p.b_words for p in ps)
    assert covered == len(b.tokens)  # every word of the copy is in a passage
    assert any(p.b_text.endswith("warned that class sizes would grow") for p in ps)
    spans = sorted((p.b_start, p.b_end) for p in ps)
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False))


def test_a_repeat_of_the_passage_later_in_one_text_is_not_merged_into_it():
    # hypothesis found it: b holds all of a, then repeats a's first words; the repeat,
    # grown back over a's start, was merged into the whole copy as one 20-to-31-word
    # span, whose similarity fell under the floor, and the copy was lost
    a = _doc(
        "a", "the the the the the the the the the the the council the the the the voted the the the"
    )
    b = _doc("b", f"{a.text}. the the the the the the the the the the council")
    (p,) = align(a, b)
    assert p.a_tok == p.b_tok == (0, 20) and p.similarity == 1.0


def test_passages_read_their_texts_from_the_documents_one_string():
    import pickle

    from lineage.align import share_texts

    a = _doc("a", PROSE)
    copies = [_doc(f"c{k}", f"Story {k}.\n\n" + PROSE) for k in range(3)]
    pairs = [pair_figures(a, c, align(a, c), jaccard=1.0) for c in copies]
    before = [[(p.a_text, p.b_text) for p in pr.passages] for pr in pairs]
    assert before[0][0][0] == a.text[pairs[0].passages[0].a_start : pairs[0].passages[0].a_end]
    # as a worker sends them: each pair with its own copies of the texts
    arrived = [pickle.loads(pickle.dumps(pr)) for pr in pairs]
    assert arrived[0].passages[0].a_src is not a.text
    texts = {d.id: d.text for d in (a, *copies)}
    shared = [share_texts(pr, texts) for pr in arrived]
    assert shared == pairs  # the same pairs, offsets and figures
    assert [[(p.a_text, p.b_text) for p in pr.passages] for pr in shared] == before
    assert all(p.a_src is a.text for pr in shared for p in pr.passages)
    # a string that is not the document's text is never swapped in
    odd = pickle.loads(pickle.dumps(pairs[0]))
    share_texts(odd, {"a": a.text + " changed"})
    assert odd.passages[0].a_src is not a.text and odd.passages[0].a_text == before[0][0][0]


def test_verify_and_align_is_overlap_then_align_pair():
    from lineage.candidates import overlap
    from lineage.model import Config
    from lineage.pipeline import align_pair, verify_and_align

    config = Config()
    a = _doc("a", PROSE)
    b = _doc("b", "HEADLINE HERE\n\n" + PROSE.replace("approved", "passed"))
    unrelated = _doc("u", "Nothing in this text is shared with the other one at all, not a run.")
    assert verify_and_align(a, b, 0, 1, config) == align_pair(
        a, b, overlap(a.fp, b.fp, 0, 1), config
    )
    assert verify_and_align(a, unrelated, 0, 2, config) is None  # shares no shingle


def test_edit_script_packed_reads_as_the_tuples_it_was_given():
    import pickle

    from lineage.align import edit_script
    from lineage.model import EditScript, Passage

    steps = [("equal", 0, 3, 0, 3), ("replace", 3, 4, 3, 5), ("delete", 4, 6, 5, 5)]
    s = EditScript(steps)
    assert list(s) == steps and len(s) == 3 and s[-1] == steps[-1] and s[1:] == tuple(steps[1:])
    assert s == tuple(steps) and s != tuple(steps[:2])
    assert pickle.loads(pickle.dumps(s)) == s
    wide = EditScript([("equal", 0, 40_000, 5, 40_005)])  # past int16: stored as int32
    assert list(wide) == [("equal", 0, 40_000, 5, 40_005)]
    assert list(edit_script([1, 2, 3], [1, 9, 3]))[1] == ("replace", 1, 2, 1, 2)
    # a passage given plain tuples holds them packed, and compares equal to one given packed
    p = Passage("a", "b", 0, 1, 0, 1, 1, 1, 1.0, False, "x", "x", ops=tuple(steps))
    assert isinstance(p.ops, EditScript) and p == Passage(
        "a", "b", 0, 1, 0, 1, 1, 1, 1.0, False, "x", "x", ops=s
    )
    assert hash(p) == hash(Passage("a", "b", 0, 1, 0, 1, 1, 1, 1.0, False, "y", "y", ops=s))


def test_pairs_sent_back_without_texts_read_the_documents_strings():
    """A worker's pairs travel without the documents' texts (detach_texts); the parent
    puts its own strings back (share_texts): same pairs, same passage texts."""
    import pickle

    from lineage.align import detach_texts, share_texts

    a = _doc("a", PROSE)
    copies = [_doc(f"c{k}", f"Story {k}.\n\n" + PROSE) for k in range(3)]
    pairs = [pair_figures(a, c, align(a, c), jaccard=1.0) for c in copies]
    before = [[(p.a_text, p.b_text) for p in pr.passages] for pr in pairs]
    sent = pickle.dumps([detach_texts(pickle.loads(pickle.dumps(pr))) for pr in pairs])
    assert PROSE[:40].encode() not in sent  # no text travels
    texts = {d.id: d.text for d in (a, *copies)}
    back = [share_texts(pr, texts) for pr in pickle.loads(sent)]
    assert back == pairs
    assert [[(p.a_text, p.b_text) for p in pr.passages] for pr in back] == before
    assert all(p.a_src is a.text for pr in back for p in pr.passages)
