"""The README's examples run as written.

Every ```bash and ```python block of the README carries a marker on the line before it:
``<!-- runnable -->`` (this test runs it) or ``<!-- not run: why -->`` (the Quick start's
``make`` commands, which set up a virtual environment). The runnable blocks run in order,
in one temporary folder holding a copy of ``seeds/``, as a reader pasting them would:
bash blocks with ``set -e`` and ``lineage``/``python`` meaning this checkout, Python
blocks each in a fresh interpreter. A block that fails names itself and its output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS

README = ROOT / "README.md"
_FENCE = re.compile(r"^```(\w*)\s*$")
_MARK = re.compile(r"^<!--\s*(runnable|not run:[^>]*)\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    language: str
    code: str
    line: int  # where the block starts in the README (1-based)
    runnable: bool


def readme_blocks(text: str) -> list[Block]:
    """The README's fenced blocks with their language and marker (or none)."""
    lines = text.splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m or not m.group(1):
            i += 1
            continue
        language, start = m.group(1), i
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        before = next((lines[j] for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        mark = _MARK.match(before)
        blocks.append(
            Block(
                language=language,
                code="\n".join(lines[start + 1 : end]) + "\n",
                line=start + 1,
                runnable=bool(mark and mark.group(1) == "runnable"),
            )
        )
        if not mark and language in ("bash", "python"):
            raise AssertionError(
                f"README.md:{start + 1}: a {language} block with neither <!-- runnable --> "
                "nor <!-- not run: why --> on the line before it"
            )
        i = end + 1
    return blocks


def test_every_example_is_marked_and_most_run():
    blocks = [b for b in readme_blocks(README.read_text(encoding="utf-8"))
              if b.language in ("bash", "python")]  # fmt: skip
    runnable = [b for b in blocks if b.runnable]
    assert len(runnable) >= 5, "the README's examples went missing from the test"
    # only the Quick start's make commands are left out
    assert [b.code.split()[0] for b in blocks if not b.runnable] == ["make"]


def _shims(folder: Path) -> Path:
    """A bin folder where ``lineage`` and ``python`` are this interpreter on this checkout."""
    folder.mkdir()
    for name, command in (("lineage", "-m lineage"), ("python", "")):
        shim = folder / name
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" {command} "$@"\n', encoding="utf-8")
        shim.chmod(0o755)
    return folder


def test_readme_examples_run_as_written(tmp_path):
    work = tmp_path / "work"
    shutil.copytree(SEEDS, work / "seeds")
    env = {
        **os.environ,
        "PATH": f"{_shims(tmp_path / 'bin')}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        "MPLBACKEND": "Agg",
    }
    runnable = [b for b in readme_blocks(README.read_text(encoding="utf-8")) if b.runnable]
    for block in runnable:
        if block.language == "bash":
            cmd = ["bash", "-e", "-o", "pipefail", "-c", block.code]
        elif block.language == "python":
            cmd = [sys.executable, "-c", block.code]
        else:
            pytest.fail(f"README.md:{block.line}: cannot run a {block.language} block")
        r = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, (
            f"README.md:{block.line}: the {block.language} example failed "
            f"(exit {r.returncode}):\n{block.code}\n--- stdout\n{r.stdout[-2000:]}"
            f"\n--- stderr\n{r.stderr[-2000:]}"
        )
    # what the examples say they write is there
    for path in (
        "reports/index.html", "reports/passages.jsonl.gz", "revisions/lineage.json",
        "sim/truth.json", "sim/out/lineage.json", "forest.graphml", "passim.jsonl",
        "tables/edges.parquet", "data/lineage.graphml", "data/passim.jsonl",
    ):  # fmt: skip
        assert (work / path).is_file(), path
    assert not (work / "data" / "index.html").exists()
    assert not list((work / "data").glob("*.parquet"))  # --formats graphml,passim
    # the input was not touched
    assert sorted(p.name for p in (work / "seeds").iterdir()) == sorted(
        p.name for p in SEEDS.iterdir()
    )
