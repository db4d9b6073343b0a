from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
EVAL = ROOT.parent / "shared" / "eval"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seeds_analysis():
    """The seeds analyzed once for the whole session (read-only)."""
    import lineage

    return lineage.analyze([SEEDS])


def seed_id(prefix: str) -> str:
    """The full id of a seed from its number, e.g. '001' -> '001_45bac6543a8ee06d'."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.stem
