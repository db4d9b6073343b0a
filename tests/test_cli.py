from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner
from conftest import SEEDS

from lineage.cli import main
from lineage.export import read_jsonl


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
    lines = list(read_jsonl(out / "passages.jsonl.gz"))
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
    }  # the passages' texts only with --passage-text (tests/test_export_stream.py)
    assert all(set(x) == keys for x in lines)
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
    assert seen["reading"] == (5, 5)  # the total, once known
    assert seen["page chrome"] == seen["duplicates"] == (1, 1)
    assert seen["fingerprints"] == (5, 5)
    assert seen["candidates"] == (1, 1)
    assert seen["alignment"][0] == seen["alignment"][1] >= 3
    assert seen["inference"] == (1, 1)  # one story with reuse among the seeds
    assert seen["quotations"] == (1, 1)


def test_progress_callback_sees_the_exports_and_every_page(seeds_dir, tmp_path):
    import lineage

    analysis = lineage.analyze([seeds_dir])
    seen: dict[str, list[tuple[int, int]]] = {}
    written = lineage.write_reports(
        analysis,
        tmp_path,
        progress=lambda stage, done, total: seen.setdefault(stage, []).append((done, total)),
    )
    done, total = seen["exports"][-1]
    assert done == total >= 6 and seen["exports"][0] == (0, total)
    done, total = seen["reports"][-1]
    pages = [p for p in written if p.suffix == ".html"]
    assert done == total == len(pages)  # one step a page
    assert all(d <= t for d, t in seen["reports"])


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


# -- issue 15's CLI items and issue 17's output-folder cases ------------------------


def test_profile_choices_are_the_profiles_of_infer():
    from lineage.cli import PROFILE_CHOICES, PROFILE_NAMES
    from lineage.infer import PROFILES
    from lineage.infer.profile import TRADITION

    assert tuple(sorted(PROFILES)) == PROFILE_NAMES
    assert PROFILE_CHOICES == ("auto", *PROFILE_NAMES, TRADITION)
    r = CliRunner().invoke(main, ["analyze", "--help"])
    assert "[auto|news|revisions|tradition]" in r.output


def test_nothing_of_a_supported_type_lists_the_types_and_the_files_ignored(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = CliRunner().invoke(main, ["analyze", str(empty), "--out", str(tmp_path / "o")])
    assert r.exit_code == 1
    assert "no document could be read; supported types: .csv .htm .html .jsonl .md .txt" in (
        r.output
    )
    office = tmp_path / "office"
    office.mkdir()
    for k in range(13):
        (office / f"report{k:02d}.pdf").write_bytes(b"%PDF-1.4\n")
    (office / "notes.docx").write_bytes(b"PK\x03\x04")
    r = CliRunner().invoke(main, ["analyze", str(office), "--out", str(tmp_path / "o")])
    assert r.exit_code == 1 and not (tmp_path / "o").exists()
    assert "supported types: .csv .htm .html .jsonl .md .txt" in r.output
    assert "14 files of other types ignored:" in r.output
    assert str(office / "notes.docx") in r.output and "… and 4 more" in r.output


def test_summary_counts_match_lineage_json(tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["analyze", str(SEEDS), "--out", str(out), "--no-html"])
    assert r.exit_code == 0, r.output
    data = json.loads((out / "lineage.json").read_text())
    s = data["summary"]
    assert s["stories"] == len(data["stories"])
    assert s["shared_stories"] == sum(1 for st in data["stories"] if len(st) > 1)
    assert (
        f"{s['documents']} documents read, {s['skipped']} skipped, {s['pairs']} pairs with "
        f"reuse, {s['passages']} passages, {s['stories']} stories ({s['shared_stories']} of "
        f"two or more documents), {s['edges']} derivation edges"
    ) in r.output
    files = [p for p in out.rglob("*") if p.is_file() and p.name != ".lineage-manifest.json"]
    size = sum(p.stat().st_size for p in files)
    assert f"wrote {len(files):,} files, {size / 1e6:,.1f} MB" in r.output


def test_analyze_takes_config_options_by_name(seeds_dir):
    import pytest

    import lineage

    a = lineage.analyze([seeds_dir], profile="revisions", workers=1)
    assert a.config.profile == "revisions" and a.config.workers == 1
    base = lineage.Config(min_passage_words=12)
    b = lineage.analyze(seeds_dir, base, profile="revisions")
    assert (b.config.min_passage_words, b.config.profile) == (12, "revisions")
    with pytest.raises(TypeError, match="unknown option"):
        lineage.analyze([seeds_dir], profil="news")


def test_bad_out_folders_are_one_line_errors(tmp_path):
    r = CliRunner().invoke(main, ["analyze", str(SEEDS), "--out", ""])
    assert r.exit_code == 2 and "empty name is refused" in r.output
    assert not (Path.cwd() / "lineage.json").exists()
    dangling = tmp_path / "gone"
    dangling.symlink_to(tmp_path / "nowhere")
    r = CliRunner().invoke(main, ["analyze", str(SEEDS), "--out", str(dangling)])
    assert r.exit_code == 2 and "which does not exist" in r.output
    assert "File exists" not in r.output and not (tmp_path / "nowhere").exists()
    # a symlink planted inside --out that leads out of it: refused in one line
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "pairs").symlink_to(elsewhere, target_is_directory=True)
    r = CliRunner().invoke(main, ["analyze", str(SEEDS), "--out", str(out)])
    assert r.exit_code == 1, r.output
    (line,) = [ln for ln in r.output.splitlines() if ln.startswith("error:")]
    assert line.startswith(f"error: cannot write the reports to {out}")
    assert "symlink" in line and "not followed" in line
    assert isinstance(r.exception, SystemExit)  # no traceback
    assert list(elsewhere.iterdir()) == []


def test_out_equal_to_the_input_folder_reads_the_inputs_again(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for p in SEEDS.glob("*.txt"):
        (folder / p.name).write_bytes(p.read_bytes())
    runs = []
    for _ in range(2):
        r = CliRunner().invoke(main, ["analyze", str(folder), "--out", str(folder), "-q"])
        assert r.exit_code == 0, r.output
        runs.append(json.loads((folder / "lineage.json").read_text()))
    assert runs[1]["summary"] == runs[0]["summary"]
    assert runs[1]["summary"]["documents"] == 5
    assert runs[1]["edges"] == runs[0]["edges"]
    # --out inside the input folder (lineage analyze . with the default --out reports)
    inner = CliRunner().invoke(main, ["analyze", str(folder), "--out", str(folder / "r"), "-q"])
    again = CliRunner().invoke(main, ["analyze", str(folder), "--out", str(folder / "r"), "-q"])
    assert inner.exit_code == again.exit_code == 0
    assert json.loads((folder / "r" / "lineage.json").read_text())["summary"]["documents"] == 5


def test_symlinks_out_of_the_input_are_skipped_unless_followed(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for p in SEEDS.glob("*.txt"):
        (folder / p.name).write_bytes(p.read_bytes())
    secret = tmp_path / "private"
    secret.mkdir()
    (secret / "diary.txt").write_text(VERSIONS[2])
    (folder / "diary.txt").symlink_to(secret / "diary.txt")
    (folder / "private").symlink_to(secret, target_is_directory=True)
    (folder / "inside.txt").symlink_to(folder / sorted(p.name for p in SEEDS.glob("*"))[0])
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["analyze", str(folder), "--out", str(out), "--no-html"])
    assert r.exit_code == 0, r.output
    data = json.loads((out / "lineage.json").read_text())
    assert {d["id"] for d in data["documents"]} == {p.stem for p in SEEDS.glob("*.txt")}
    reasons = sorted(s["reason"] for s in data["skipped"])
    assert reasons == [
        f"{folder / 'diary.txt'}: a symlink to {secret / 'diary.txt'}, outside the input "
        "folder; not followed (--follow-links reads it)",
        f"{folder / 'private'}: a symlink to {secret}, outside the input folder; not "
        "followed (--follow-links reads it)",
    ]
    args = ["analyze", str(folder), "--out", str(out), "--no-html", "--follow-links"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    data = json.loads((out / "lineage.json").read_text())
    ids = {d["id"] for d in data["documents"]}
    assert {"diary", "private/diary"} & ids == {"diary"}  # the same file, read once
    assert data["skipped"] == []


def test_terminal_output_escapes_ids_and_paths(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    seed = sorted(SEEDS.glob("*.txt"))[0].read_text()
    rows = [
        {"id": "\x1b]0;owned\x07\x1b[2J", "text": seed},
        {"id": "ok\n\x1b[32mall clear\u202e", "text": seed + " One more sentence here."},
    ]
    (folder / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (folder / "bad\x1b[31m.jsonl").write_text("not json\n")
    r = CliRunner().invoke(main, ["analyze", str(folder), "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.output and "\x07" not in r.output and "\u202e" not in r.output
    assert "\\x1b]0;owned\\x07\\x1b[2J" in r.output
    assert "ok\\n\\x1b[32mall clear\\u202e" in r.output
    (line,) = [ln for ln in r.output.splitlines() if "skipped" in ln and "bad" in ln]
    assert line == (
        f"  skipped {folder}/bad\\x1b[31m.jsonl:1: "
        "not JSON (Expecting value: line 1 column 1 (char 0))"
    )


def test_write_reports_writes_what_the_command_writes(tmp_path, seeds_analysis):
    import lineage

    written = lineage.write_reports(seeds_analysis, tmp_path / "lib")
    names = {p.name for p in written}
    assert {"lineage.json", "documents.csv", "pairs.csv", "edges.csv", "passages.jsonl.gz",
            "quotes.jsonl.gz"} <= names  # fmt: skip
    assert "index.html" in names
    data_only = lineage.write_reports(seeds_analysis, tmp_path / "data", html=False)
    assert not any(p.suffix == ".html" for p in data_only)
    r = CliRunner().invoke(main, ["analyze", str(SEEDS), "--out", str(tmp_path / "cli"), "-q"])
    assert r.exit_code == 0, r.output
    for name in ("lineage.json", "documents.csv", "edges.csv", "index.html"):
        assert (tmp_path / "cli" / name).read_bytes() == (tmp_path / "lib" / name).read_bytes()


def test_exports_take_documents_built_by_hand_with_lone_surrogates(tmp_path):
    from lineage.export import write_exports
    from lineage.model import Config, Document
    from lineage.pipeline import analyze_documents

    text = sorted(SEEDS.glob("*.txt"))[0].read_text()
    docs = [
        Document(id="a\ud83d", text=text, path="p\udce9", title="=Runners \ud83d"),
        Document(id="b", text=text + " One more.", path="q"),
    ]
    analysis = analyze_documents(docs, Config(workers=1))
    write_exports(analysis, tmp_path)
    data = json.loads((tmp_path / "lineage.json").read_text(encoding="utf-8"))
    assert {d["id"] for d in data["documents"]} == {"a\ufffd", "b"}
    rows = (tmp_path / "documents.csv").read_text(encoding="utf-8")
    assert "'=Runners \ufffd" in rows
