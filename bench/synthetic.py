"""Cheap synthetic documents for the speed and recall benchmarks (not for accuracy).

Three kinds, all drawn from one ``numpy.random.default_rng(seed)`` so a seed gives the
same corpus every time:

* **unrelated** texts: an order-1 word Markov chain over the simulator's base texts (BBC
  News prose, :mod:`lineage.evaluation.corpus_texts`). Word frequencies and common bigrams are
  realistic, so stock phrases recur by chance, but no document carries a passage of
  another. All documents are generated together, one numpy step per word position.
* **edited copies** of a text: each word replaced by a random vocabulary word with
  probability ``rate`` and dropped with probability ``rate / 3``.
* **excerpts**: a run of consecutive words of a text, lightly edited.

The realistic syndication stories (trees of rewritten copies, chrome, credits) come from
:func:`lineage.evaluation.simulate.simulate`; these generators only fill corpora up to sizes the
base texts cannot reach on their own.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

if not os.environ.get("LINEAGE_ROOT"):  # bench/throughput.py --before sets its own
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lineage.evaluation.corpus_texts import BaseText, load_base_texts  # noqa: E402

_WORD = re.compile(r"[A-Za-z0-9']+")


@dataclass(frozen=True)
class Chain:
    vocab: np.ndarray  # object array of words
    starts: np.ndarray  # CSR offsets into succ, per word
    counts: np.ndarray  # successors per word
    succ: np.ndarray  # successor word ids (with multiplicity)


@lru_cache(maxsize=1)
def base_texts() -> tuple[BaseText, ...]:
    return tuple(load_base_texts())


def base_words(t: BaseText) -> list[str]:
    return _WORD.findall(" ".join(t.paragraphs))


@lru_cache(maxsize=1)
def chain() -> Chain:
    seqs = [base_words(t) for t in base_texts()]
    vocab_index: dict[str, int] = {}
    ids = [np.array([vocab_index.setdefault(w, len(vocab_index)) for w in s]) for s in seqs]
    src = np.concatenate([s[:-1] for s in ids])
    dst = np.concatenate([s[1:] for s in ids])
    order = np.argsort(src, kind="stable")
    src, dst = src[order], dst[order]
    n = len(vocab_index)
    counts = np.bincount(src, minlength=n)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    # a word never followed by another (text ends) restarts at a random word
    vocab = np.empty(n, dtype=object)
    for w, i in vocab_index.items():
        vocab[i] = w
    return Chain(vocab, starts, counts, dst)


def unrelated(
    n: int, rng: np.random.Generator, *, words: tuple[int, int] = (200, 900)
) -> list[str]:
    """``n`` Markov-chain texts of ``words`` (min, max) words, with sentences and paragraphs."""
    if n <= 0:
        return []
    ch = chain()
    nv = len(ch.vocab)
    lengths = rng.integers(words[0], words[1] + 1, n)
    longest = int(lengths.max())
    out = np.empty((n, longest), dtype=np.int64)
    state = rng.integers(0, nv, n)
    for k in range(longest):
        out[:, k] = state
        cnt = ch.counts[state]
        nxt = ch.succ[
            np.minimum(ch.starts[state] + (rng.random(n) * cnt).astype(np.int64), len(ch.succ) - 1)
        ]
        dead = cnt == 0
        nxt[dead] = rng.integers(0, nv, int(dead.sum()))
        state = nxt
    return [_render(ch.vocab[out[i, : lengths[i]]].tolist(), rng) for i in range(n)]


def _render(words: list[str], rng: np.random.Generator) -> str:
    """Words as prose: sentences of 12-28 words, paragraphs of 2-4 sentences."""
    paras: list[str] = []
    sents: list[str] = []
    i = 0
    while i < len(words):
        k = int(rng.integers(12, 29))
        s = words[i : i + k]
        sents.append(" ".join([s[0][:1].upper() + s[0][1:], *s[1:]]) + ".")
        i += k
        if len(sents) >= int(rng.integers(2, 5)):
            paras.append(" ".join(sents))
            sents = []
    if sents:
        paras.append(" ".join(sents))
    return "\n\n".join(paras)


def edit(words: list[str], rate: float, rng: np.random.Generator) -> list[str]:
    """Replace each word with a random vocabulary word (``rate``) or drop it (``rate/3``)."""
    if rate <= 0:
        return list(words)
    ch = chain()
    r = rng.random(len(words))
    repl = ch.vocab[rng.integers(0, len(ch.vocab), len(words))]
    out = []
    for w, x, s in zip(words, r, repl, strict=True):
        if x < rate:
            out.append(s)
        elif x < rate * 4 / 3:
            continue
        else:
            out.append(w)
    return out


def prose(words: list[str], rng: np.random.Generator) -> str:
    return _render(words, rng)
