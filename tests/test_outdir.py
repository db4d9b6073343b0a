"""The output folder is exactly one run: locked, no temporaries, a manifest, stale files
removed and nothing else (issues 14, 15 and 17)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner
from conftest import ROOT, SEEDS

from lineage.cli import main
from lineage.files import MANIFEST, OutputBusy, OutputDir

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and flock")


def _files(out) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def _manifest(out) -> list[str]:
    return json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]


def _many_pairs(folder, n: int = 34) -> None:
    """``n`` texts that share one passage and little else: n(n-1)/2 pairs, and as many
    pair pages, enough for the report to write them on a worker pool."""
    rng = random.Random(7)
    shared = (SEEDS / "001_45bac6543a8ee06d.txt").read_text(encoding="utf-8").split("\n\n")[2]
    folder.mkdir()
    with (folder / "many.jsonl").open("w", encoding="utf-8") as f:
        for k in range(n):
            own = " ".join(f"w{rng.randrange(50_000)}" for _ in range(150))
            row = {
                "id": f"{rng.getrandbits(48):012x}",
                "outlet": f"o{k}",
                "text": f"{own}.\n\n{shared}\n\n{own[::-1]}.",
            }
            f.write(json.dumps(row) + "\n")


def _analyze(*args: str):
    return CliRunner().invoke(main, ["analyze", *map(str, args)])


def test_a_second_run_into_a_locked_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    with OutputDir(out):
        r = _analyze(SEEDS, "--out", out, "--no-html")
        assert r.exit_code == 1
        assert "another lineage run" in r.output and str(out) in r.output
        assert "Traceback" not in r.output
        with pytest.raises(OutputBusy), OutputDir(out):
            pass
        assert not (out / "lineage.json").exists()
    r = _analyze(SEEDS, "--out", out, "--no-html")  # released: the next run goes ahead
    assert r.exit_code == 0, r.output
    assert _files(out) == {*_manifest(out), MANIFEST}  # no lock file, no journal left


def test_rerun_with_a_smaller_corpus_leaves_only_this_runs_files(tmp_path):
    corpus = tmp_path / "corpus"
    _many_pairs(corpus)
    out = tmp_path / "out"
    # a page for every pair, so the first run leaves many the second one does not write
    assert _analyze(corpus, SEEDS, "--out", out, "--max-pages", "100000").exit_code == 0
    first = _files(out)
    assert len([f for f in first if f.startswith("pairs/")]) > 500
    # files of the user's own: beside the report, inside its folders, named like a page
    (out / "notes.txt").write_text("mine\n")
    (out / "pairs" / "my-pair.html").write_text("mine\n")
    (out / ".hidden").write_text("mine\n")
    r = _analyze(SEEDS, "--out", out)
    assert r.exit_code == 0, r.output
    second = _manifest(out)
    assert _files(out) == {*second, MANIFEST, "notes.txt", "pairs/my-pair.html", ".hidden"}
    assert len([f for f in second if f.startswith("pairs/")]) == 5
    assert (out / "pairs" / "my-pair.html").read_text() == "mine\n"
    data = json.loads((out / "lineage.json").read_text(encoding="utf-8"))
    assert data["summary"]["documents"] == 5
    # --no-html: the pages of the run before are not this run's, so they go too
    assert _analyze(SEEDS, "--out", out, "--no-html").exit_code == 0
    assert not (out / "index.html").exists()
    assert _files(out) == {*_manifest(out), MANIFEST, "notes.txt", "pairs/my-pair.html", ".hidden"}


def test_a_tampered_manifest_never_removes_outside_the_folder(tmp_path):
    out = tmp_path / "out"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep\n")
    (out / "pairs").mkdir(parents=True)
    (out / "link").symlink_to(outside)
    listed = [
        "../outside/precious.txt",
        str(outside / "precious.txt"),
        "link/precious.txt",
        "pairs/../../outside/precious.txt",
        "link",
        ".lineage.lock",
    ]
    (out / MANIFEST).write_text(json.dumps({"files": listed}))
    assert _analyze(SEEDS, "--out", out, "--no-html").exit_code == 0
    assert (outside / "precious.txt").read_text() == "keep\n"
    assert (out / "link").is_symlink()


def test_earlier_temporaries_are_removed_and_a_killed_runs_files_are_known(tmp_path):
    out = tmp_path / "out"
    (out / "pairs").mkdir(parents=True)
    (out / ".index.html.abc123_x.tmp").write_text("half")
    (out / "pairs" / ".a--b.html.zz9y8x7w.tmp").write_text("half")
    (out / ".notes.tmp").write_text("mine\n")  # not a name lineage makes
    pid = os.fork()
    if pid == 0:  # a run killed (as by SIGKILL) after writing one page: no cleanup at all
        folder = OutputDir(out).__enter__()
        folder.write_text("pairs/x--y.html", "old page")
        os._exit(0)
    os.waitpid(pid, 0)
    assert (out / "pairs" / "x--y.html").exists()
    r = _analyze(SEEDS, "--out", out, "--no-html")
    assert r.exit_code == 0, r.output
    assert not (out / "pairs" / "x--y.html").exists()  # the killed run's journal named it
    assert _files(out) == {*_manifest(out), MANIFEST, ".notes.tmp"}


_HOOKED = textwrap.dedent(
    """
    import os, signal, sys, time
    parent = os.getpid()
    real = os.replace
    seen = [0]

    def replace(src, dst):  # the 20th page a worker writes: a signal arrives
        if os.getpid() != parent and "/pairs/" in str(dst):
            seen[0] += 1
            if seen[0] == 20:
                if os.environ["HOOK_SIGNAL"] == "SIGINT":  # Ctrl-C: the terminal's group
                    os.killpg(os.getpgid(0), signal.SIGINT)
                else:  # kill, a service manager: the command alone
                    os.kill(parent, signal.SIGTERM)
                time.sleep(30)  # holding its temporary, until the pool ends this worker
        return real(src, dst)

    os.replace = replace
    from lineage.cli import main
    main(sys.argv[1:])
    """
)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
def test_a_signal_while_pages_are_written_leaves_no_temporary(tmp_path, sig):
    corpus = tmp_path / "corpus"
    _many_pairs(corpus)
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(ROOT), HOOK_SIGNAL=sig.name)
    argv = [
        sys.executable,
        "-c",
        _HOOKED,
        "analyze",
        str(corpus),
        "--out",
        str(out),
        "--workers",
        "2",
        "--max-pages",  # every pair a page: enough for the workers to be writing them
        "100000",
    ]
    proc = subprocess.run(
        argv, capture_output=True, text=True, env=env, timeout=300, start_new_session=True
    )
    assert proc.returncode == 128 + sig, proc.stderr
    # one line: no traceback, no "Process ForkPoolWorker-N:" from the workers
    assert proc.stderr.strip().splitlines() == [
        f"interrupted ({sig.name}): the report in {out} is incomplete"
    ]
    files = _files(out)
    assert not [f for f in files if f.endswith(".tmp")]
    assert "index.html" not in files  # written last: never beside a missing page
    assert not {".lineage.lock", ".lineage-journal"} & files
    assert set(_manifest(out)) == files - {MANIFEST}  # what it wrote, for the next run
    r = _analyze(SEEDS, "--out", out)
    assert r.exit_code == 0, r.output
    assert _files(out) == {*_manifest(out), MANIFEST}
    assert not [f for f in _files(out) if f.endswith(".tmp")]


def test_library_writers_keep_each_others_files_and_the_index_comes_last(tmp_path, seeds_analysis):
    from lineage.export import write_exports
    from lineage.report import write_reports

    out = tmp_path / "out"
    exports = write_exports(seeds_analysis, out)
    pages = write_reports(seeds_analysis, out)
    assert pages[-1] == out.resolve() / "index.html"  # never links to a page not yet there
    assert all(p.exists() for p in exports)  # a library call removes nothing
    assert set(_manifest(out)) == _files(out) - {MANIFEST}
    with OutputDir(out) as folder:  # one folder for both: the command line's way
        write_exports(seeds_analysis, folder)
    assert not (out / "index.html").exists()  # pruned: not written by this run
    assert set(_manifest(out)) == {p.name for p in exports}
