"""``--profile auto``: the corpus's stories and metadata choose news or revisions."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from lineage.cli import PROFILE_CHOICES, main
from lineage.infer.profile import CHAIN_SHAPE, choose_profile
from lineage.model import Config, Document
from lineage.pipeline import analyze_documents

BASE = (
    "The city council met on Tuesday evening to debate the new budget for the coming "
    "year, and members argued for hours over the cost of repairing the old bridge that "
    "crosses the river near the market square, which engineers say is no longer safe. "
)
MORE = [
    "The mayor said the repairs would begin in the spring if the state agrees to pay half. ",
    "Residents who spoke at the meeting asked for a temporary footbridge during the work. ",
    "A second vote is planned for next month, after the engineers deliver their report. ",
    "Shop owners near the square fear the closure will keep customers away all summer. ",
    "The council also approved a small rise in parking fees to help cover the costs. ",
]


def _chain(prefix: str) -> list[Document]:
    """Versions that each grow out of the one before: a revision history."""
    texts = [BASE + "".join(MORE[:k]) for k in range(len(MORE) + 1)]
    return [Document(f"{prefix}{k}", t, f"{prefix}{k}.txt") for k, t in enumerate(texts)]


def _star(prefix: str) -> list[Document]:
    """One full story and outlets' copies, each keeping a different part of it."""
    full = BASE + "".join(MORE)
    sentences = [BASE, *MORE]
    docs = [Document(f"{prefix}o", full, f"{prefix}o.txt", outlet="Wire")]
    for k in range(1, len(sentences)):
        kept = sentences[0] + sentences[k]
        docs.append(Document(f"{prefix}{k}", kept, f"{prefix}{k}.txt", outlet=f"Paper {k}"))
    return docs


def test_auto_is_the_default():
    assert Config().profile == "auto"
    assert PROFILE_CHOICES[0] == "auto"


def test_a_revision_history_reads_as_revisions():
    a = analyze_documents(_chain("v"), Config(workers=1))
    pc = a.profile_choice
    assert pc is not None and pc.auto
    assert pc.profile == "revisions", pc.reason
    assert pc.features["chain_shape"] >= CHAIN_SHAPE
    assert "chain" in pc.reason


def test_syndicated_copies_read_as_news():
    a = analyze_documents(_star("s"), Config(workers=1))
    assert a.profile_choice.profile == "news", a.profile_choice.reason
    assert a.profile_choice.features["chain_shape"] < CHAIN_SHAPE


def test_chains_whose_documents_name_outlets_stay_news():
    docs = [Document(d.id, d.text, d.path, outlet=f"Outlet {k}") for k, d in enumerate(_chain("v"))]
    a = analyze_documents(docs, Config(workers=1))
    assert a.profile_choice.profile == "news"
    assert "outlet" in a.profile_choice.reason


def test_too_small_to_tell_is_news_and_says_so(seeds_analysis):
    pc = seeds_analysis.profile_choice
    assert pc.profile == "news" and pc.auto
    assert pc.features["chain_shape"] is None
    assert "no story" in pc.reason


@pytest.mark.parametrize("name", ["news", "revisions"])
def test_a_named_profile_overrides(name):
    a = analyze_documents(_chain("v"), Config(profile=name, workers=1))
    assert a.profile_choice.profile == name and not a.profile_choice.auto


def test_choice_is_independent_of_ids_and_order():
    docs = _chain("v")
    renamed = [Document(f"z{9 - k}", d.text, d.path) for k, d in enumerate(docs)]
    a = analyze_documents(docs, Config(workers=1)).profile_choice
    b = analyze_documents(renamed[::-1], Config(workers=1)).profile_choice
    assert (a.profile, a.features) == (b.profile, b.features)


def test_choose_profile_on_no_documents():
    assert choose_profile([], [], []).profile == "news"


def test_summary_and_lineage_json_say_which_and_why(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for d in _chain("v"):
        (src / f"{d.id}.txt").write_text(d.text, encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["analyze", str(src), "--out", str(out), "--no-html"])
    assert r.exit_code == 0, r.output
    assert "profile revisions (chosen from the corpus): " in r.output
    data = json.loads((out / "lineage.json").read_text(encoding="utf-8"))
    assert data["profile"]["profile"] == "revisions" and data["profile"]["auto"] is True
    assert data["profile"]["reason"] and "chain_shape" in data["profile"]["features"]
    r = CliRunner().invoke(
        main, ["analyze", str(src), "--out", str(out), "--no-html", "--profile", "news"]
    )
    assert r.exit_code == 0, r.output
    assert "profile news (as configured)" in r.output
