from __future__ import annotations

from lineage.signals import editorial_insertions, find_credits, looks_like_outlet, names_match


def test_credits_need_an_outlet_like_name():
    text = (
        "The coach told WXYZ-TV the race was hard. According to Smith, it was her first. "
        "She spoke to the Daily Courier on Monday. (Via Example News) "
        "Officials told reporters nothing."
    )
    names = [c.name for c in find_credits(text)]
    assert names == ["WXYZ-TV", "Daily Courier", "Example News"]


def test_known_outlets_make_plain_names_credits():
    text = "He told Riverside Beacon that the bridge would close."
    assert find_credits(text) == []
    (c,) = find_credits(text, known_outlets=frozenset({"Riverside Beacon"}))
    assert c.name == "Riverside Beacon" and c.phrase == "told Riverside Beacon"


def test_trailing_day_is_not_part_of_the_name():
    (c,) = find_credits("She told Metro News Thursday that she was fine.")
    assert c.name == "Metro News"


def test_a_credit_carries_its_wording_without_the_name():
    text = (
        "Snow fell, according to the Daily Star. She told CBS Pittsburgh on Monday. "
        "Roads shut (via Larkspur Press Wire). Metro News reported the closures."
    )
    cues = [(c.name, c.cue) for c in find_credits(text)]
    assert cues == [
        ("Daily Star", "according to"),
        ("CBS Pittsburgh", "told"),
        ("Larkspur Press Wire", "via"),
        ("Metro News", "reported"),
    ]


def test_name_matching():
    assert names_match("The Daily Star", "daily star") == 1.0
    assert names_match("WXYZ", "WXYZ Detroit") == 1.0
    assert names_match("Metro News", "Metro Radio") == 0.5
    assert names_match("Metro News", "City News") == 0.0  # a shared generic word is no match
    assert names_match(None, "x") == 0.0
    assert looks_like_outlet("KQED") and not looks_like_outlet("Heckert")


def test_editorial_insertions():
    t = 'She said "we crossed [the finish line] together" and "that [the] winner did".'
    assert [t[s:e] for s, e in editorial_insertions(t)] == ["[the finish line]", "[the]"]


def test_cue_scan_finds_what_a_full_regex_scan_finds():
    """find_credits runs its regexes only near cue words; the answer must be the one
    a plain finditer over the whole text gives."""
    from lineage import signals

    text = (
        "The mayor told WRVN-TV on Monday. (Via Example News) Officials reported nothing. "
        "Metro Daily reported that, according to the Daily Courier, the bridge closed. "
        "As first reported by KQED, rain fell. Courtesy of Riverside Beacon."
    )
    fast = [(c.name, c.start, c.end) for c in find_credits(text)]
    slow = []
    for rx in (signals._CREDIT_RE, signals._CREDIT_AFTER_RE):
        for m in rx.finditer(text):
            name = signals._trim_name(m.group("name"))
            if name and signals.looks_like_outlet(name):
                slow.append((name, m.start(), m.end()))
    assert sorted(fast) == sorted(set(slow))
    assert len(fast) >= 5
