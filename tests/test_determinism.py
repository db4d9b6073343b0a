"""Runs are deterministic: the same input gives byte-identical output files.

Two real processes (different ``PYTHONHASHSEED``, so set and dict-of-str orderings
differ between them) analyze the seeds into two folders; every file must match byte
for byte: lineage.json, the CSVs, passages.jsonl, GraphML, Parquet,
every HTML page, SVG and PNG.
Then the input order changes (folders named so they walk in another order, JSONL
lines shuffled) and lineage.json must not change except where it names the input
(``path``, and ``line`` for shuffled JSONL rows).
"""

from __future__ import annotations

import difflib
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, SEEDS

from lineage.cli import main

OUTPUTS = {
    "lineage.json", "documents.csv", "pairs.csv", "edges.csv", "passages.jsonl",
    "lineage.graphml",
    "documents.parquet", "pairs.parquet", "passages.parquet", "edges.parquet",
    "index.html", "report.css", "report.js",
    "lineage.svg", "lineage.png", "heatmap.svg", "heatmap.png",
}  # fmt: skip


def _run_process(paths: list[Path], out: Path, *, hashseed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hashseed, "PYTHONPATH": str(ROOT)}
    r = subprocess.run(
        [sys.executable, "-m", "lineage", "analyze", *map(str, paths), "--out", str(out), "-q"],
        capture_output=True, text=True, env=env, cwd=out.parent,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _first_difference(name: str, x: bytes, y: bytes) -> str:
    """Where two versions of one output differ, readably, for the failure message."""
    if name.endswith((".png",)):
        at = next((i for i, (u, v) in enumerate(zip(x, y, strict=False)) if u != v), None)
        return f"{name}: {len(x)} vs {len(y)} bytes, first difference at byte {at}"
    diff = difflib.unified_diff(
        x.decode(errors="replace").splitlines(), y.decode(errors="replace").splitlines(),
        lineterm="", n=1,
    )  # fmt: skip
    return f"{name}:\n" + "\n".join(list(diff)[:20])


def assert_same_files(one: Path, two: Path) -> None:
    a, b = _files(one), _files(two)
    assert set(a) == set(b)
    assert OUTPUTS <= set(a)
    assert any(n.startswith("pairs/") for n in a)
    different = [n for n in sorted(a) if a[n] != b[n]]
    assert not different, "\n\n".join(_first_difference(n, a[n], b[n]) for n in different)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("determinism")
    one, two = base / "one", base / "two"
    _run_process([SEEDS], one, hashseed="1")
    _run_process([SEEDS], two, hashseed="2")
    return one, two


def test_same_input_gives_byte_identical_files(two_runs):
    assert_same_files(*two_runs)


def test_in_process_run_matches_a_fresh_process(two_runs, tmp_path):
    """Caches warmed by earlier tests (lru_cache, csv field limit) change nothing."""
    out = tmp_path / "three"
    r = CliRunner().invoke(main, ["analyze", str(SEEDS), "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert_same_files(two_runs[0], out)


def _without(data: dict, fields: set[str]) -> dict:
    data = json.loads(json.dumps(data))
    for d in data["documents"]:
        for f in fields:
            d.pop(f, None)
    for s in data["skipped"] + data["notices"]:
        for f in fields:
            s.pop(f, None)
    return data


def _seed_copies(folder: Path, names: dict[str, str]) -> Path:
    """The seeds under ``folder``, each in a subfolder ``names[stem]`` (walk order)."""
    for src in sorted(SEEDS.glob("*.txt")):
        dst = folder / names[src.stem] / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    return folder


def test_input_order_does_not_change_the_result(tmp_path):
    stems = sorted(p.stem for p in SEEDS.glob("*.txt"))
    # subfolders named so the walk meets the seeds in reverse order, then interleaved
    backwards = _seed_copies(tmp_path / "backwards", {s: f"z{9 - k}" for k, s in enumerate(stems)})
    mixed = _seed_copies(tmp_path / "mixed", {s: f"m{(k * 3) % 5}" for k, s in enumerate(stems)})
    outs = []
    for name, paths in (
        ("plain", [SEEDS]),
        # each subfolder given as a folder of its own, so ids stay the seeds' stems (an id
        # is the path from the folder given) while the order they are met changes
        ("backwards", sorted(backwards.iterdir())),
        ("mixed", sorted(mixed.iterdir())),
        ("files-reversed", sorted(SEEDS.glob("*.txt"), reverse=True)),
    ):
        out = tmp_path / f"out-{name}"
        r = CliRunner().invoke(main, ["analyze", *map(str, paths), "--out", str(out), "-q"])
        assert r.exit_code == 0, r.output
        outs.append(out)
    first = _without(json.loads((outs[0] / "lineage.json").read_text()), {"path"})
    for out in outs[1:]:
        assert _without(json.loads((out / "lineage.json").read_text()), {"path"}) == first
        # pages and pictures never show the input path, so they match byte for byte too
        for name in ("index.html", "lineage.svg", "heatmap.svg", "pairs.csv", "edges.csv"):
            assert (out / name).read_bytes() == (outs[0] / name).read_bytes(), (out, name)


def test_shuffled_jsonl_lines_give_the_same_result(tmp_path):
    records = [
        {"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted(SEEDS.glob("*.txt"))
    ]
    outs = []
    for k, seed in enumerate((None, 7, 11)):
        rows = list(records)
        if seed is not None:
            random.Random(seed).shuffle(rows)
        assert k == 0 or rows != records
        src = tmp_path / f"in{k}"
        src.mkdir()
        (src / "articles.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
        out = tmp_path / f"out{k}"
        r = CliRunner().invoke(main, ["analyze", str(src), "--out", str(out), "-q"])
        assert r.exit_code == 0, r.output
        outs.append(json.loads((out / "lineage.json").read_text()))
    first = _without(outs[0], {"path", "line"})
    assert first["edges"], "the seeds must give edges for this test to mean anything"
    for data in outs[1:]:
        assert _without(data, {"path", "line"}) == first
