from __future__ import annotations

import json
import subprocess
import sys

import click
from click.testing import CliRunner
from conftest import SEEDS

from lineage.cli import main


def test_analyze_writes_the_contract(tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["analyze", str(SEEDS), "--out", str(out), "--no-html"])
    assert r.exit_code == 0, r.output
    assert "5 documents read, 0 skipped" in r.output
    data = json.loads((out / "lineage.json").read_text())
    assert set(data) >= {"documents", "pairs", "edges", "stories", "skipped", "origins"}
    d0 = data["documents"][0]
    assert set(d0) >= {"id", "title", "outlet", "date", "path", "words", "boilerplate_words"}
    p0 = data["pairs"][0]
    assert set(p0) >= {"a", "b", "jaccard", "a_in_b", "b_in_a", "passages", "reused_words"}
    e0 = data["edges"][0]
    assert set(e0) == {"parent", "child", "confidence", "evidence", "alternatives", "quotes"}
    lines = (out / "passages.jsonl").read_text().splitlines()
    assert len(lines) == data["summary"]["passages"]
    keys = {
        "a",
        "b",
        "a_start",
        "a_end",
        "b_start",
        "b_end",
        "words",
        "similarity",
        "quoted",
        "quoted_words",
        "narrative_words",
        "a_text",
        "b_text",
    }
    assert all(set(json.loads(x)) == keys for x in lines)
    for name in ("pairs.csv", "documents.csv", "edges.csv"):
        assert (out / name).read_text().count("\n") >= 2


def test_missing_path_is_usage_error(tmp_path):
    r = CliRunner().invoke(main, ["analyze", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert r.exit_code == 2 and "no such file or folder" in r.output


def test_nothing_readable_exits_1(tmp_path):
    (tmp_path / "empty.txt").write_text("   \n")
    r = CliRunner().invoke(main, ["analyze", str(tmp_path), "--out", str(tmp_path / "o")])
    assert r.exit_code == 1
    assert "empty.txt" in r.output and "no document could be read" in r.output


def test_every_command_has_help():
    def walk(cmd):
        yield cmd
        for sub in getattr(cmd, "commands", {}).values():
            yield from walk(sub)

    for cmd in walk(main):
        assert cmd.help, cmd.name
        for p in cmd.params:
            if isinstance(p, click.Option):
                assert p.help, (cmd.name, p.name)


def test_python_dash_m_entry_point():
    r = subprocess.run([sys.executable, "-m", "lineage", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "analyze" in r.stdout


def test_progress_callback_sees_every_stage(seeds_dir):
    import lineage

    seen: dict[str, tuple[int, int]] = {}
    lineage.analyze(
        [seeds_dir], progress=lambda stage, done, total: seen.update({stage: (done, total)})
    )
    assert seen["fingerprints"] == (5, 5)
    assert seen["alignment"][0] == seen["alignment"][1] >= 3
    assert seen["inference"] == (1, 1)  # one story with reuse among the seeds


def test_progress_bar_is_quiet_off_a_terminal(tmp_path):
    r = CliRunner().invoke(main, ["analyze", str(SEEDS), "--out", str(tmp_path), "--no-html"])
    assert r.exit_code == 0
    assert "\r" not in r.output and "━" not in r.output  # no bar drawn into a pipe


VERSIONS = [
    "The bridge over the Mill River opened in 1872 and carried the county road for a "
    "century. Engineers closed it in 1975 after a flood undermined the east pier.",
    "The bridge over the Mill River opened in 1872 and carried the county road for a "
    "century. Engineers closed it in 1975 after a flood undermined the east pier. A "
    "preservation society raised money to restore the iron trusses in the 1990s.",
    "The bridge over the Mill River opened in 1872 and carried the county road for more "
    "than a century. Engineers closed it in 1975 after a flood undermined the east pier. A "
    "preservation society raised money to restore the iron trusses in the 1990s. It "
    "reopened to walkers and cyclists in 2004 and was listed as a landmark in 2010.",
]


def test_revisions_profile_reads_growing_versions_oldest_first(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i, text in enumerate(VERSIONS):  # names carry no order: the text decides
        (src / f"{'zyx'[i]}.txt").write_text(text)
    out = tmp_path / "out"
    args = ["analyze", str(src), "--out", str(out), "--no-html", "--profile", "revisions"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    data = json.loads((out / "lineage.json").read_text())
    assert data["config"]["profile"] == "revisions"
    assert {(e["parent"], e["child"]) for e in data["edges"]} == {("z", "y"), ("y", "x")}
    bad = CliRunner().invoke(main, ["analyze", str(src), "--out", str(out), "--profile", "x"])
    assert bad.exit_code == 2 and "news" in bad.output and "revisions" in bad.output
