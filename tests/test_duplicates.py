"""Identical and near-identical copies collapse before pairing (issue 17, the wire story)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random

from click.testing import CliRunner
from conftest import SEEDS, seed_id

import lineage
from lineage.cli import main
from lineage.duplicates import PAIR_IN_FULL, collapse_duplicates
from lineage.model import Document, DuplicateGroup
from lineage.pipeline import analyze_documents

S0, S1, S2 = (seed_id(f"00{i}") for i in range(3))


def _seed(prefix: str) -> Document:
    (doc,) = [d for d in lineage.analyze([SEEDS]).documents if d.id.startswith(prefix)]
    return doc


def _copies_jsonl(path, n: int, *, src: Document, rng: random.Random, edit=None) -> list[str]:
    """``n`` copies of ``src`` under random ids, each on its own site, dated after it."""
    ids = []
    with path.open("w", encoding="utf-8") as f:
        for k in range(n):
            doc_id = f"{rng.getrandbits(64):016x}"
            when = src.date + dt.timedelta(days=1, minutes=rng.randrange(60 * 24 * 30))
            text = src.text if edit is None else edit(src.text, k)
            row = {
                "id": doc_id,
                "date": when.isoformat(),
                "outlet": f"Outlet {k}",
                "url": f"https://site{k}.example/story",
                "title": src.title,
                "text": text,
            }
            f.write(json.dumps(row) + "\n")
            ids.append(doc_id)
    return ids


def test_two_hundred_copies_of_a_seed_collapse_and_the_seeds_keep_their_edges(tmp_path):
    src = _seed("001")
    ids = _copies_jsonl(tmp_path / "copies.jsonl", 200, src=src, rng=random.Random(3))
    out = tmp_path / "out"
    r = CliRunner().invoke(
        main,
        ["analyze", str(SEEDS), str(tmp_path / "copies.jsonl"), "--out", str(out), "--no-html"],
    )
    assert r.exit_code == 0, r.output
    assert f"200 identical copies of {S1}" in r.output
    data = json.loads((out / "lineage.json").read_text(encoding="utf-8"))
    # the seeds' five pairs, not 20,301: no copy was paired
    assert data["summary"]["pairs"] == 5
    assert data["duplicates"] == [
        {"representative": S1, "kind": "exact", "members": sorted([S1, *ids])}
    ]
    edges = {(e["parent"], e["child"]): e for e in data["edges"]}
    assert {(S1, S0), (S1, S2)} <= set(edges)
    assert set(edges) == {(S1, S0), (S1, S2), *((S1, i) for i in ids)}
    for i in ids:
        e = edges[(S1, i)]
        first = e["evidence"][0]
        assert (first["kind"], first["sign"]) == ("identical", "for")
        assert first["text"].startswith(f"identical text: {i} has the same article words")
        assert e["confidence"] == 1.0  # dated after the representative
    (story,) = [s for s in data["stories"] if S1 in s]
    assert set(ids) <= set(story)


def test_the_representative_is_the_earliest_not_the_smallest_id():
    base = Document(
        id="x",
        text="The mayor said the bridge will close on Monday for repairs.",
        path="x.txt",
        date=dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
    )
    docs = [
        dataclasses.replace(
            base,
            id=f"{k:02d}",
            path=f"{k}.txt",
            outlet=f"o{k}",
            date=base.date + dt.timedelta(hours=20 - k),
        )
        for k in range(PAIR_IN_FULL + 4)
    ]
    docs.append(dataclasses.replace(base, id="00-undated", path="u.txt", date=None))
    a = analyze_documents(docs)
    (group,) = a.duplicates
    latest_id_earliest_date = f"{PAIR_IN_FULL + 3:02d}"
    assert group == DuplicateGroup(
        latest_id_earliest_date, tuple(sorted(d.id for d in docs)), "exact"
    )
    parents = {e.child: e for e in a.edges}
    assert parents["00-undated"].parent == latest_id_earliest_date
    assert parents["00-undated"].confidence == 0.5  # no date orders an undated copy
    assert any(
        (x.kind, x.sign) == ("identical-undated", "against") and "no date orders" in x.text
        for x in parents["00-undated"].evidence
    )
    assert not a.pairs  # nothing else to pair with: no pair among the copies either


def test_renaming_the_ids_changes_nothing_but_the_names():
    rng = random.Random(5)
    words = [f"w{rng.randrange(5000)}" for _ in range(120)]
    text = " ".join(words) + "."
    docs = [
        Document(
            id=f"d{k}",
            text=text,
            path=f"{k}.txt",
            outlet=f"o{k}",
            date=dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=k),
        )
        for k in range(12)
    ]
    renamed = [dataclasses.replace(d, id=f"{rng.getrandbits(40):010x}") for d in docs]
    names = {d.id: r.id for d, r in zip(docs, renamed, strict=True)}
    a, b = analyze_documents(docs), analyze_documents(renamed)
    assert names[a.duplicates[0].representative] == b.duplicates[0].representative == renamed[0].id
    assert {(names[e.parent], names[e.child]) for e in a.edges} == {
        (e.parent, e.child) for e in b.edges
    }


def test_a_few_copies_are_listed_but_still_paired_in_full(tmp_path):
    src = _seed("001")
    ids = _copies_jsonl(tmp_path / "c.jsonl", 3, src=src, rng=random.Random(1))
    a = lineage.analyze([SEEDS, tmp_path / "c.jsonl"])
    (group,) = a.duplicates
    assert group.kind == "exact" and set(group.members) == {S1, *ids}
    for x in ids:  # each copy paired with the seed and with the other copies
        assert a.pair(S1, x) is not None
        assert all(a.pair(x, y) is not None for y in ids if y != x)


def test_near_copies_are_aligned_against_their_representative_only(tmp_path):
    src = _seed("001")
    n = 40

    def edit(text: str, k: int) -> str:  # one word of the last paragraph replaced
        head, _, tail = text.rpartition(" ")
        return f"{head} variant{k}x {tail}"

    ids = _copies_jsonl(tmp_path / "near.jsonl", n, src=src, rng=random.Random(2), edit=edit)
    a = lineage.analyze([SEEDS, tmp_path / "near.jsonl"])
    (group,) = a.duplicates
    assert group.kind == "near"
    assert group.representative == S1
    assert set(group.members) == {S1, *ids}
    # each copy aligned with the seed alone: n pairs beside the seeds' five, not n**2 / 2
    assert len(a.pairs) == n + 5
    assert all(S1 in (p.a, p.b) for p in a.pairs if {p.a, p.b} & set(ids))
    assert {(S1, S0), (S1, S2)} <= {(e.parent, e.child) for e in a.edges}
    assert {e.child for e in a.edges} >= set(ids)  # every copy has a parent


def test_off_switch_and_short_texts():
    short = [Document(id=f"s{k}", text="Breaking news.", path=f"{k}.txt") for k in range(20)]
    from lineage.text import tokenize

    toks = [tokenize(d.text) for d in short]
    from lineage.fingerprint import fingerprint

    fps = [fingerprint(d.id, t) for d, t in zip(short, toks, strict=True)]
    c = collapse_duplicates(short, toks, fps, min_words=5)
    assert c.groups == () and not c.copies and c.keep == tuple(range(20))


def test_copies_under_each_sites_own_chrome_are_identical(tmp_path):
    src = _seed("001")
    n = PAIR_IN_FULL + 4

    def chrome(text: str, k: int) -> str:  # each site's menu and footer, naming the site
        site = f"Outlet {k}"
        return f"Menu\nNews Sports Weather\n\n{text}\n\nShare on {site}\nMore from {site}"

    ids = _copies_jsonl(tmp_path / "c.jsonl", n, src=src, rng=random.Random(4), edit=chrome)
    a = lineage.analyze([SEEDS, tmp_path / "c.jsonl"])
    (group,) = a.duplicates
    assert (group.kind, group.representative, set(group.members)) == ("exact", S1, {S1, *ids})
    assert len(a.pairs) == 5
