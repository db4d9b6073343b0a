"""Words with character offsets: what every later stage counts, hashes and aligns.

Words are matched in the text with its default-ignorable code points left out (soft
hyphens, zero-width spaces and joiners, byte-order marks, bidi controls, variation
selectors: invisible, yet they cut a word in two), but offsets always point into the
*original* ``Document.text``; only the word's comparison key is normalized (NFKC, curly
quotes and dashes folded, case folded, ignorables removed). Each word also knows whether
it lies inside quotation marks and whether it lies in page chrome (boilerplate spans).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import regex  # type: ignore[import-untyped]  # no stubs; used for one property class
import xxhash

__all__ = [
    "IGNORABLE_RE",
    "WORD_RE",
    "Tokens",
    "normalize_word",
    "offset_dtype",
    "tokenize",
    "tokenize_many",
    "word_hash",
]

# A word: letters/digits, with inner apostrophes ("didn't", "Mazur's", "Mazur’s").
WORD_RE = re.compile(r"\w+(?:['\u2019\u02bc]\w+)*")
# The same pattern captured, for re.split (gap, word, gap, ..., word, gap).
_SPLIT = re.compile(f"({WORD_RE.pattern})")
# Runs of default-ignorable code points (Unicode property Default_Ignorable_Code_Point,
# from the regex library's tables, so it follows new Unicode versions). Note: `regex`
# scans a text for them ~5x faster than the same class in `re`.
IGNORABLE_RE = regex.compile(r"\p{Default_Ignorable_Code_Point}+")
_CACHE_MAX = 1 << 20


class _HashCache(dict[str, int]):
    """Raw word -> its hash: news vocabulary repeats, so most words skip normalization
    and hashing. A word not seen yet is hashed where it is looked up (``__missing__``),
    so a document with one new word is still read in one pass. Bounded; cleared whole
    when full. (Keys are cached in _key.)

    Note: the pass before looked the words up, and on a miss made the set of the
    document's words and looked them all up again: 7% of tokenizing's CPU at 20k bench
    documents (docs/BENCHMARKS.md, round s18core)."""

    def __missing__(self, word: str) -> int:
        if len(self) >= _CACHE_MAX:
            self.clear()
        h = self[word] = word_hash(_key(word))
        return h


_HASHES = _HashCache()
_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
    }
)  # fmt: skip

# Quotation marks that open / close a quotation, or do either (straight ").
_OPEN = {"\u201c", "\u201e", "\u00ab"}
_CLOSE = {"\u201d", "\u00bb"}
_TOGGLE = {'"'}
_QUOTE_OR_BREAK = re.compile('[\n"\u201c\u201d\u201e\u00ab\u00bb]')


def normalize_word(word: str) -> str:
    """The comparison key of a word.

    >>> normalize_word("Mazur\u2019s"), normalize_word("ＡＢＣ")
    ("mazur's", 'abc')
    """
    return unicodedata.normalize("NFKC", IGNORABLE_RE.sub("", word)).translate(_FOLD).casefold()


_key = functools.lru_cache(maxsize=1 << 18)(normalize_word)  # keys by word type


def word_hash(key: str) -> int:
    """Stable 64-bit hash of a normalized word (seeded xxhash, same on every machine).

    Not cached itself: :func:`tokenize` keeps the raw word -> hash cache."""
    return xxhash.xxh64_intdigest(key.encode("utf-8", "surrogatepass"), seed=0x11E)


@dataclass(frozen=True, eq=False)
class Tokens:
    """The words of one text, as parallel arrays (one entry a word).

    Note: the normalized words themselves (:attr:`words`) are made from ``source`` on
    first use only: the stages after tokenizing read the arrays, and a forked worker
    sends back arrays alone (``lineage.fingerprint.prepare``), never strings.
    """

    hashes: np.ndarray  # uint64 word hashes
    # character offsets into source: int32 (int64 for a text of 2**31 characters or
    # more: offset_dtype), half the bytes of int64 for a number a text's length bounds
    starts: np.ndarray  # inclusive
    ends: np.ndarray  # exclusive
    quoted: np.ndarray  # bool: inside quotation marks
    boilerplate: np.ndarray  # bool: inside a boilerplate span
    source: str = field(default="", repr=False)  # the text the offsets point into

    def __len__(self) -> int:
        return len(self.hashes)

    @functools.cached_property
    def words(self) -> tuple[str, ...]:
        """The normalized keys (what :attr:`hashes` hash), in text order."""
        text = self.source
        return tuple(
            _key(text[s:e]) for s, e in zip(self.starts.tolist(), self.ends.tolist(), strict=True)
        )

    @property
    def content(self) -> np.ndarray:
        """Mask of the words that count in reuse figures (not boilerplate)."""
        return ~self.boilerplate

    def char_span(self, start: int, end: int) -> tuple[int, int]:
        """Character span of words [start, end)."""
        return int(self.starts[start]), int(self.ends[end - 1])


def tokenize(text: str, *, boilerplate: tuple[tuple[int, int], ...] = ()) -> Tokens:
    """Split ``text`` into words that keep their offsets.

    >>> t = tokenize("He said: \u201cIt\u2019s fine.\u201d")
    >>> t.words, t.quoted.tolist()
    (('he', 'said', "it's", 'fine'), [False, False, True, True])

    Invisible characters inside a word do not split it; its offsets still cover them:

    >>> t = tokenize("inter\u00adnational news")
    >>> t.words, t.starts.tolist(), t.ends.tolist()
    (('international', 'news'), [0, 15], [14, 19])
    """
    visible, kept = _visible(text)
    # One regex pass: splitting on the captured word pattern alternates gap, word, gap,
    # ..., gap, so offsets are cumulative lengths. Note: ~2.5x faster than building
    # Match objects (finditer + start/end/group), measured in bench/throughput.py.
    parts = _SPLIT.split(visible)
    raw = parts[1::2]
    n = len(raw)
    cum = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
    starts = cum[0 : 2 * n : 2]
    ends = cum[1 : 2 * n : 2]
    if kept is not None and n:  # offsets in the visible text -> in the original
        starts = kept[starts]
        ends = kept[ends - 1] + 1
    dtype = offset_dtype(len(text))
    starts, ends = starts.astype(dtype), ends.astype(dtype)
    hashes = np.fromiter(map(_HASHES.__getitem__, raw), dtype=np.uint64, count=n)
    quoted = _quoted_mask(text, starts)
    boiler = _span_mask(starts, boilerplate)
    return Tokens(hashes, starts, ends, quoted, boiler, text)


def tokenize_many(
    texts: Sequence[str], boilerplates: Sequence[tuple[tuple[int, int], ...]] | None = None
) -> list[Tokens]:
    """:func:`tokenize` of each text, the words of all of them found at once.

    The texts' characters are read as one array of code points: a word is a run of word
    characters (``\\w``, from a table made by ``re`` itself) and of apostrophes between
    two of them, which is what :data:`WORD_RE` matches. The words are grouped by their
    characters in numpy (a hash of the code points, then every character checked against
    the group's first word), so each distinct word is looked up once in the batch, not
    once a time it occurs. Same arrays as :func:`tokenize` (``tests/test_speedups.py``).

    >>> [t.words for t in tokenize_many(["It’s fine.", "fine, fine"])]
    [("it's", 'fine'), ('fine', 'fine')]
    """
    boilerplates = boilerplates if boilerplates is not None else [()] * len(texts)
    out: list[Tokens] = []
    k = 0
    while k < len(texts):  # batches of about _BATCH_CHARS characters (at least one text)
        stop, size = k + 1, len(texts[k])
        while stop < len(texts) and size + len(texts[stop]) <= _BATCH_CHARS:
            size += len(texts[stop])
            stop += 1
        out.extend(_tokenize_batch(texts[k:stop], boilerplates[k:stop]))
        k = stop
    return out


# characters read as one array: its temporaries take about 40 bytes a character
_BATCH_CHARS = 1 << 20


def _tokenize_batch(
    texts: Sequence[str], boilerplates: Sequence[tuple[tuple[int, int], ...]]
) -> list[Tokens]:
    visible = [_visible(t) for t in texts]
    found = _words_of([v for v, _ in visible])
    if found is None:  # two different words grouped as one: the word-by-word path
        return [tokenize(t, boilerplate=b) for t, b in zip(texts, boilerplates, strict=True)]
    hashes, starts, ends, at = found
    out = []
    for k, (text, (_, kept), boiler) in enumerate(zip(texts, visible, boilerplates, strict=True)):
        w0, w1 = at[k], at[k + 1]
        s, e = starts[w0:w1], ends[w0:w1]
        if kept is not None and w1 > w0:  # offsets in the visible text -> in the original
            s, e = kept[s], kept[e - 1] + 1
        dtype = offset_dtype(len(text))
        s, e = s.astype(dtype), e.astype(dtype)
        out.append(Tokens(hashes[w0:w1], s, e, _quoted_mask(text, s), _span_mask(s, boiler), text))
    return out


def _words_of(
    texts: Sequence[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]] | None:
    """Word hashes, starts and ends (offsets into each text) of all the texts, and where
    each text's words begin (length texts + 1); None if two different words hashed alike
    (never seen: the caller then reads the texts word by word)."""
    joined = "\n".join(texts)  # a line break is no word character: no word spans two texts
    base = np.zeros(len(texts), dtype=np.int64)
    if len(texts) > 1:
        base[1:] = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))[
            :-1
        ] + np.arange(1, len(texts))
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    word = _word_table()[cps]
    inner = (cps[1:-1] == 0x27) | (cps[1:-1] == 0x2019) | (cps[1:-1] == 0x2BC)
    inword = word.copy()
    if len(cps) > 2:
        inword[1:-1] |= inner & word[:-2] & word[2:]
    edge = np.diff(inword.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edge == 1)
    ends = np.flatnonzero(edge == -1)
    at = np.searchsorted(starts, base).tolist() + [len(starts)]
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), np.diff(at))
    if not len(starts):
        empty = np.empty(0, dtype=np.int64)
        return np.empty(0, dtype=np.uint64), empty, empty, at
    # group the words by their characters: a polynomial hash of the code points and the
    # length (prefix sums of c_i * P**i, wrapping modulo 2**64; P odd, so invertible)
    lens = ends - starts
    with np.errstate(over="ignore"):
        powers = np.full(len(cps), _P, dtype=np.uint64)
        powers[0] = 1
        powers = np.multiply.accumulate(powers)
        inverse = np.full(len(cps), _P_INV, dtype=np.uint64)
        inverse[0] = 1
        inverse = np.multiply.accumulate(inverse)
        prefix = np.concatenate(([np.uint64(0)], np.cumsum(cps.astype(np.uint64) * powers)))
        key = (prefix[ends] - prefix[starts]) * inverse[starts]
        key ^= lens.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    _, first, which = np.unique(key, return_index=True, return_inverse=True)
    which = which.reshape(-1)
    # exact: every word's characters equal its group's first word's
    rep = first[which]
    if not np.array_equal(lens, lens[rep]):
        return None
    offs = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
    if not np.array_equal(
        cps[np.repeat(starts, lens) + offs], cps[np.repeat(starts[rep], lens) + offs]
    ):
        return None
    get = _HASHES.__getitem__
    typed = np.fromiter(
        (
            get(joined[a:b])
            for a, b in zip(starts[first].tolist(), ends[first].tolist(), strict=True)
        ),
        dtype=np.uint64,
        count=len(first),
    )
    return typed[which], starts - base[doc], ends - base[doc], at


_P = np.uint64(0x100000001B3)  # odd: invertible modulo 2**64
_P_INV = np.uint64(pow(int(_P), -1, 2**64))


@functools.lru_cache(maxsize=1)
def _word_table() -> np.ndarray:
    """For every code point, whether ``re``'s ``\\w`` matches it (as :data:`WORD_RE` reads
    a word character): made by ``re`` over all code points, once per process."""
    table = np.zeros(0x110000, dtype=bool)
    for m in re.finditer(r"\w+", "".join(map(chr, range(0x110000)))):
        table[m.start() : m.end()] = True
    return table


def offset_dtype(n: int) -> type[np.signedinteger]:
    """The dtype of offsets up to ``n``: int32, or int64 from 2**31.

    Note: the offsets and shingle positions as int32 rather than int64 were 8-12 bytes
    of the about 50 the run holds a word (docs/BENCHMARKS.md, round s18core)."""
    return np.int32 if n < 2**31 else np.int64


def _visible(text: str) -> tuple[str, np.ndarray | None]:
    """``text`` without its default-ignorable code points, and for each character left
    its offset in ``text`` (None when nothing was removed: the common case)."""
    if IGNORABLE_RE.search(text) is None:
        return text, None
    keep = np.ones(len(text), dtype=bool)
    for m in IGNORABLE_RE.finditer(text):
        keep[m.start() : m.end()] = False
    return IGNORABLE_RE.sub("", text), np.flatnonzero(keep).astype(np.int64)


def _span_mask(starts: np.ndarray, spans: tuple[tuple[int, int], ...]) -> np.ndarray:
    mask = np.zeros(len(starts), dtype=bool)
    for s, e in spans:
        lo, hi = np.searchsorted(starts, [s, e], side="left")
        mask[lo:hi] = True
    return mask


def _quoted_mask(text: str, starts: np.ndarray) -> np.ndarray:
    """Which words lie inside double quotation marks.

    News style reopens a quotation at each paragraph of a multi-paragraph quote and
    sometimes never closes it, so the state resets at every line break.
    """
    # Positions where the quote state changes, in text order.
    state_at: list[tuple[int, bool]] = []
    inside = False
    for m in _QUOTE_OR_BREAK.finditer(text):
        i, ch = m.start(), m.group()
        if ch == "\n":
            if inside:
                inside = False
                state_at.append((i, inside))
        elif ch in _OPEN or (ch in _TOGGLE and not inside):
            if not inside:
                inside = True
                state_at.append((i, inside))
        elif ch in _CLOSE or ch in _TOGGLE:
            if inside:
                inside = False
                state_at.append((i, inside))
    mask = np.zeros(len(starts), dtype=bool)
    if not state_at:
        return mask
    pos = np.array([p for p, _ in state_at], dtype=np.int64)
    val = np.array([v for _, v in state_at], dtype=bool)
    idx = np.searchsorted(pos, starts, side="right") - 1
    ok = idx >= 0
    mask[ok] = val[idx[ok]]
    return mask
