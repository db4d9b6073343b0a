"""Copy texts with stemmabench's scribal model: run by ANOTHER Python, never imported here.

``stemmabench`` (PyPI 0.0.1, metz-theolab) pins exact old versions of pydantic, typer,
PyYAML and loguru, so it lives in a venv of its own and this file is run with that venv's
interpreter by :mod:`lineage.evaluation.traditions` (it imports nothing of ``lineage``).

Input on stdin, JSON: ``{"seed": int, "traditions": [{"text": str, "parents": [int|null,
...], "variants": {"words": {...}, "sentences": {...}}}, ...]}``: per tradition the
archetype's text, each manuscript's parent (an index into the list; ``null`` for the
archetype, which must come first and parents before their copies) and the variant
configuration in stemmabench's own schema; optionally ``"second": [[int, float]|null,
...]``, a second exemplar per manuscript and the share of the text after which the
scribe switched to it (contamination); optionally ``"cut": [["end", share] | ["run",
share, words] | null, ...]``, a loss the manuscript suffered before it was copied (its
last ``share`` of words, or ``words`` words from ``share`` of the way on), which its
copies inherit. Output on stdout, JSON: ``{"texts": [[str,
...], ...]}``, each manuscript's text, made by ``Text(parent).transform(variants)``:
stemmabench's own copying step (word synonyms from its English list, misspelt letters,
omitted words, duplicated word groups).

The tree is drawn by the caller, not by ``Stemma.generate``: in 0.0.1 that method names
a manuscript by its index under its parent and its level only, so below the second level
copies of different parents get the same name and overwrite each other's texts and edges.
The archetype itself goes through one copy with every rate 0, which brings it to the
form stemmabench writes (lower case, no punctuation but sentence stops).
"""

from __future__ import annotations

import json
import random
import sys


def main() -> int:
    # only in stemmabench's own venv: this script is never imported by the project
    from stemmabench.config_parser import VariantConfig  # type: ignore[import-not-found]
    from stemmabench.textual_units.text import Text  # type: ignore[import-not-found]

    job = json.load(sys.stdin)
    random.seed(int(job["seed"]))  # stemmabench draws from the module-level generator
    out = []
    for trad in job["traditions"]:
        variants = VariantConfig(**trad["variants"])
        zero = {"law": "Bernouilli", "rate": 0.0}
        plain = VariantConfig(
            words={k: zero for k in trad["variants"]["words"]},
            sentences={k: zero for k in trad["variants"]["sentences"]},
        )
        texts: list[str] = []
        for i, parent in enumerate(trad["parents"]):
            if parent is None:
                if i != 0:
                    raise SystemExit("the archetype must come first")
                texts.append(Text(trad["text"]).transform(plain))
            else:
                source = texts[parent]
                mixed = (trad.get("second") or [None] * len(trad["parents"]))[i]
                if mixed is not None:  # contamination: the rest from a second exemplar
                    other, share = mixed
                    a, b = source.split(" "), texts[other].split(" ")
                    source = " ".join(a[: round(share * len(a))] + b[round(share * len(b)) :])
                texts.append(Text(source).transform(variants))
            cut = (trad.get("cut") or [None] * len(trad["parents"]))[i]
            if cut is not None:  # mutilated before it was copied: its copies lack it too
                words = texts[-1].split(" ")
                if cut[0] == "end":
                    words = words[: max(1, round((1 - cut[1]) * len(words)))]
                else:
                    at = round(cut[1] * len(words))
                    words = words[:at] + words[at + int(cut[2]) :]
                texts[-1] = " ".join(words)
        out.append(texts)
    json.dump({"texts": out}, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
