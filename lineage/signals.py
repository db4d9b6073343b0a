"""What a careful editor reads in a text about where it came from.

Credits ("told CBS Pittsburgh", "according to the Daily Star", "(via Example News)"),
editorial insertions inside quotations ("[the]"), and names that look like a news
outlet. These are generic patterns of news writing; nothing here names an outlet.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Credit", "editorial_insertions", "find_credits", "name_key", "names_match"]

# A name: capitalized words or acronyms, optionally joined by "of"/"&"/"-"; e.g.
# "The Daily Star", "ABC 7 News", "WXYZ-TV". Deliberately strict about capitals, so
# "told reporters" or "according to police" is not a name.
_CAP = r"(?:[A-Z][\w'’&-]*|\d+)"
_NAME = rf"(?:the |The )?{_CAP}(?: (?:of |& |and )?{_CAP}){{0,5}}"

# Credit phrases: the name that follows them is the credited source.
_CREDIT_BEFORE = [
    r"\btold\s+",
    r"\b[Aa]ccording\s+to\s+",
    r"\([Vv]ia\s+",
    r"\b[Vv]ia\s+",
    r"\b(?:first\s+)?reported\s+by\s+",
    r"\b[Cc]ourtesy\s+(?:of\s+)?",
    r"\b[Ss]ource:\s*",
    r"\b[Cc]redit:\s*",
    r"\b(?:[Ii]n\s+an\s+)?[Ii]nterview\s+with\s+",
    r"\b[Ss]poke\s+(?:with|to)\s+",
    r"\b(?:[Aa]s\s+)?(?:first\s+)?[Rr]eported\s+(?:by|in)\s+",
    r"\b[Oo]riginally\s+(?:published|appeared)\s+(?:by|in|on)\s+",
]
_CREDIT_RE = re.compile(rf"(?P<cue>{'|'.join(_CREDIT_BEFORE)})(?P<name>{_NAME})")
# "<Name> reported" / "<Name> reports"
_CREDIT_AFTER_RE = re.compile(rf"(?P<name>{_NAME})\s+(?P<cue>reported|reports|first reported)\b")

# Words that make a name look like a news outlet (generic media vocabulary).
_MEDIA_WORDS = {
    "news", "times", "post", "press", "journal", "herald", "tribune", "gazette",
    "daily", "weekly", "radio", "tv", "television", "channel", "network", "media",
    "chronicle", "observer", "guardian", "telegraph", "express", "star", "sun",
    "record", "review", "report", "wire", "today", "magazine", "online", "broadcasting",
    "courier", "dispatch", "bulletin", "independent", "standard", "mirror", "globe",
    "examiner", "sentinel", "register", "inquirer", "reporter", "agency", "newspaper",
}  # fmt: skip
_STOP = {"the", "of", "and", "&"}


@dataclass(frozen=True)
class Credit:
    """A source named by a document: "…told CBS Pittsburgh" -> name "CBS Pittsburgh"."""

    name: str
    phrase: str  # the words as written, for evidence
    start: int
    end: int
    # the wording of the credit without the name, folded: "according to", "told", "via",
    # "first reported by"... An outlet tends to write its own credits one way
    cue: str = ""


@functools.lru_cache(maxsize=65536)
def name_key(name: str) -> tuple[str, ...]:
    """Comparison key of an outlet name: folded words without articles.

    >>> name_key("The  Daily-Star")
    ('daily', 'star')
    """
    folded = unicodedata.normalize("NFKC", name).casefold()
    words = re.findall(r"\w+", folded)
    return tuple(w for w in words if w not in _STOP)


def looks_like_outlet(name: str) -> bool:
    """An acronym of 2+ capitals (call signs, networks) or a name with a media word."""
    words = name.split()
    if any(len(w) >= 2 and w.isupper() and w.isalpha() for w in words):
        return True
    if any(re.fullmatch(r"[A-Z]{2,}(?:-[A-Z0-9]+)+", w) for w in words):
        return True
    return any(k in _MEDIA_WORDS for k in name_key(name))


@functools.lru_cache(maxsize=65536)  # outlet names, compared for every candidate edge
def names_match(a: str | None, b: str | None) -> float:
    """How surely two outlet names name the same outlet: 1.0 same words (or one's words
    all in the other's), 0.5 a distinctive word shared, else 0.0.

    >>> names_match("KDKA", "kdka"), names_match("CBS News", "CBS Pittsburgh")
    (1.0, 0.5)
    """
    if not a or not b:
        return 0.0
    ka, kb = set(name_key(a)), set(name_key(b))
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    if ka <= kb or kb <= ka:
        # a lone generic word ("News") is not a name
        if (ka & kb) - _MEDIA_WORDS:
            return 1.0
        return 0.0
    if (ka & kb) - _MEDIA_WORDS:
        return 0.5
    return 0.0


def _cue_words(cue: str) -> str:
    """A credit's wording, comparable across pages: folded words without articles.

    >>> _cue_words("(Via ")
    'via'
    >>> _cue_words("According to the ")
    'according to'
    """
    return " ".join(w for w in re.findall(r"\w+", cue.casefold()) if w not in _ARTICLES)


_ARTICLES = {"the", "a", "an"}


def _trim_name(name: str) -> str:
    # a credit name ends before a trailing weekday/time word ("told ABC News Thursday")
    words = name.split()
    while words and words[-1].rstrip(".,").lower() in _TRAILING:
        words.pop()
    while words and words[0].lower() == "the":
        words.pop(0)
    return " ".join(words).rstrip(".,;:")


_TRAILING = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "today", "yesterday", "tonight", "on", "in", "that", "last", "this",
}  # fmt: skip


def find_credits(text: str, *, known_outlets: frozenset[str] = frozenset()) -> list[Credit]:
    """Sources a text credits: credit phrases followed (or preceded) by an outlet-like
    name. A name counts when it looks like an outlet or is one of ``known_outlets``
    (the outlets of the corpus), so "according to Heckert" is not a credit.
    """
    known = _known_keys(known_outlets)
    out: list[Credit] = []
    seen: set[tuple[int, int]] = set()
    for m in _credit_matches(text):
        name = _trim_name(m.group("name"))
        if not name:
            continue
        if not (looks_like_outlet(name) or name_key(name) in known):
            continue
        span = (m.start(), m.end())
        if span in seen:
            continue
        seen.add(span)
        out.append(
            Credit(
                name=name,
                phrase=m.group(0).strip(" ("),
                start=m.start(),
                end=m.end(),
                cue=_cue_words(m.group("cue")),
            )
        )
    out.sort(key=lambda c: c.start)
    return out


# Lower-case words that start (or, for "reported", end) every credit phrase: the regexes
# run only near them. Scanning for them with str.find is ~10x cheaper than letting the
# alternation of cues try every position of a long text.
_CUES_BEFORE = ("told", "according", "via", "reported", "courtesy", "source", "credit",
                "interview", "spoke", "originally", "as ")  # fmt: skip
_CUES_AFTER = ("reported", "reports")


def _find_all(haystack: str, needle: str) -> list[int]:
    out, i = [], haystack.find(needle)
    while i >= 0:
        out.append(i)
        i = haystack.find(needle, i + 1)
    return out


def _credit_matches(text: str) -> list[re.Match[str]]:
    lower = text.lower()
    starts: set[int] = set()
    for cue in _CUES_BEFORE:
        for i in _find_all(lower, cue):
            # the cue pattern may begin a few characters earlier ("(via", "first reported")
            starts.update(range(max(0, i - 7), i + 1))
    matches: list[re.Match[str]] = []
    end = -1
    for i in sorted(starts):  # leftmost, non-overlapping: what finditer would give
        if i < end:
            continue
        m = _CREDIT_RE.match(text, i)
        if m:
            matches.append(m)
            end = m.end()
    # "<Name> reported": the name stands just before the cue
    after: dict[tuple[int, int], re.Match[str]] = {}
    for cue in _CUES_AFTER:
        for i in _find_all(lower, cue):
            for m in _CREDIT_AFTER_RE.finditer(text, max(0, i - 120), i + len(cue) + 1):
                if m.start("cue") == i:
                    after.setdefault(m.span(), m)
    end = -1
    for span in sorted(after):
        if span[0] >= end:
            matches.append(after[span])
            end = span[1]
    return matches


@functools.lru_cache(maxsize=64)
def _known_keys(known_outlets: frozenset[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(name_key(o) for o in known_outlets)


_BRACKET = re.compile(r"\[[^\[\]\n]{1,40}\]")


def editorial_insertions(text: str) -> list[tuple[int, int]]:
    """Spans of bracketed editorial insertions such as "[the]" or "[the finish line]"."""
    return [(m.start(), m.end()) for m in _BRACKET.finditer(text)]
