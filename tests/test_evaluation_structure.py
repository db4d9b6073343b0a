"""lineage.evaluation stays apart from the analysis, and takes its data paths as inputs."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PKG = ROOT / "lineage"

_SCRIPT = """
import sys
import lineage
lineage.analyze(["seeds"])
print(sorted(m for m in sys.modules if m.startswith("lineage.evaluation")))
"""


def test_analyze_loads_no_evaluation_module():
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]", done.stdout


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_no_analysis_module_imports_the_evaluation():
    # lineage/cli.py is the command-line shell: it registers `simulate` and `evaluate`
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        if rel.parts[0] == "evaluation" or rel == Path("cli.py"):
            continue
        bad = {m for m in _imports(path) if m.startswith("lineage.evaluation")}
        assert not bad, (rel, bad)


def test_evaluation_derives_no_data_path_from_its_own_location():
    for path in (PKG / "evaluation").rglob("*.py"):
        assert "__file__" not in path.read_text(encoding="utf-8"), path


def test_evaluation_uses_only_the_analysis_public_api():
    # the pipeline's entry points and records, plus two stage functions a scorer calls on
    # the truth: tokens of a document, and quote comparison along the true edges
    allowed = {"lineage", "lineage.model", "lineage.pipeline", "lineage.text", "lineage.quotes"}
    for path in (PKG / "evaluation").rglob("*.py"):
        used = {
            m
            for m in _imports(path)
            if m.startswith("lineage") and not m.startswith("lineage.evaluation")
        }
        assert used <= allowed, (path.name, used - allowed)
