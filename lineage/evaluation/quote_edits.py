"""Quote edits planted in a simulated corpus, and how well lineage.quotes finds them.

:func:`add_quote_edits` takes a :class:`~lineage.evaluation.simulate.SimCorpus` and, on
some of its leaf documents (a leaf has no children, so no copy inherits the edit and the
truth stays one edit on one edge), makes one of the edits a copy desk makes to a quote:

* ``reattribute`` -- the name next to a quote's speech verb becomes another person's
  name from the same document ("...," Mr Brown said -> "...," Mr Milburn said);
* ``reword`` -- one word inside a quote is replaced;
* ``drop`` -- a paragraph holding a quote is removed;
* ``add`` -- a new paragraph with a quote (a sentence of another story's text), said by a
  person of the document, half of the time "told <another outlet>".

The edits are found and made with their own patterns here, not with lineage.quotes, so
the detector is scored against text it did not choose. :func:`score_quote_edits` compares
an analysis' quote findings with the planted edits; :func:`run` does the whole loop:

    python -m lineage.evaluation.quote_edits --stories 120 --seeds 606,707,808

Note: the simulator itself rewrites some quotes (synonyms inside quotes, dropped
paragraphs, sentences of other articles added), which the truth does not list. It never
changes who said what, so misattribution precision is scored over every finding; for the
other classes precision is scored where an edit was planted (did the detector name the
planted change rightly), and the findings elsewhere are counted beside it.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from lineage.evaluation.simulate import SimCorpus, SimDocument, simulate
from lineage.model import QuoteFindings, QuoteMatch

__all__ = ["PlantedQuoteEdit", "add_quote_edits", "pooled", "run", "score_quote_edits"]

KINDS = ("reattribute", "reword", "drop", "add")
# the class lineage.quotes should give each edit
EXPECTED = {"reattribute": "misattributed", "reword": "reworded", "drop": "dropped", "add": "new"}

# a quotation: an opening mark after a space (or the line start), a closing one before a
# space or punctuation -- so the text between a closing and the next opening mark is not one
_QUOTE = re.compile(
    '(?<![^\\s(])["\u201c](?=\\S)([^"\u201c\u201d\\n]{20,600}?)(?<=\\S)["\u201d](?=[\\s,.;:!?)]|$)'
)
# a whole name ("Professor Brian Collins", "Jean-Philippe Cotis"): its last word is the
# surname the edit replaces
_NAME = r"(?:(?:Mr|Mrs|Ms|Dr|Professor)\.? )?[A-Z][\w'-]+(?: [A-Z][\w'-]+){0,3}"
_SURNAME = re.compile(r"[A-Z][a-z][a-z'-]+")  # "Blair", "O'Leary"; not "DZ", "EFF"
_VERB = r"(?:said|says|added|told)"
_AFTER = re.compile(rf"^,?[ \t]*(?:(?P<n1>{_NAME}) {_VERB}\b|{_VERB} (?P<n2>{_NAME}))")
_BEFORE = re.compile(rf"(?P<n>{_NAME}) {_VERB}:\s*$")
_PERSON = re.compile(r"\b(?:Mr|Mrs|Ms|Dr)\.? ([A-Z][a-z]{2,})\b|\b[A-Z][a-z]+ ([A-Z][a-z]{2,})\b")
_SWAP = ("important", "difficult", "serious", "different", "significant", "certain", "simple")
_NOT_SURNAME = set(
    "He She They It We I You His Her Their The This That There Then When What Labour Party "
    "Prime Minister Chancellor Secretary "
    "Government House Office Street News Times Post Wire January February March April May "
    "June July August September October November December Monday Tuesday Wednesday Thursday "
    "Friday Saturday Sunday Police Council Court Office Ministry Department Bank Group "
    "Company Club United City County Association Union Commission Committee".split()
)


@dataclass(frozen=True)
class PlantedQuoteEdit:
    """One edit made to ``child`` (whose parent is ``parent``).

    ``span`` is the edited quote's character span in the child's new text (for drop: the
    quotes removed, as ``texts``). ``speakers`` is (before, after) for a re-attribution;
    ``credit`` the outlet an added quote is credited to.
    """

    kind: str
    parent: str
    child: str
    span: tuple[int, int] = (0, 0)
    texts: tuple[str, ...] = ()
    speakers: tuple[str, str] | None = None
    credit: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "parent": self.parent,
            "child": self.child,
            "span": list(self.span),
            "texts": list(self.texts),
            "speakers": list(self.speakers) if self.speakers else None,
            "credit": self.credit,
        }


def _paragraphs(doc: SimDocument) -> list[tuple[int, int]]:
    """Body paragraph spans (not page chrome)."""
    out = []
    pos = 0
    for part in doc.text.split("\n\n"):
        s, e = pos, pos + len(part)
        pos = e + 2
        if part.strip() and not any(cs < e and s < ce for cs, ce in doc.chrome):
            out.append((s, e))
    return out


def _surnames(doc: SimDocument, outlet_words: frozenset[str]) -> list[str]:
    """People of the document: names next to a quote's speech verb, and "Mr X"."""
    t = doc.text
    out: list[str] = []
    found = []
    for s, e in _paragraphs(doc):
        for m in _QUOTE.finditer(t, s, e):
            after = _AFTER.match(t[m.end() : m.end() + 60])
            if after:
                found.append(after.group("n1") or after.group("n2"))
            before = _BEFORE.search(t[max(s, m.start() - 80) : m.start()])
            if before:
                found.append(before.group("n"))
    found += [m.group(1) for m in _PERSON.finditer(t) if m.group(1)]
    for n in found:
        last = n.split()[-1]
        if (
            _SURNAME.fullmatch(last)
            and last not in _NOT_SURNAME
            and last not in outlet_words
            and last not in out
        ):
            out.append(last)
    return out


def _balanced(text: str) -> bool:
    """No quotation left open (a multi-paragraph quote continues after this paragraph)."""
    straight = text.count('"') % 2 == 0
    return straight and text.count("\u201c") == text.count("\u201d")


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.replace("\u2019", "'").casefold()))


def _in_parent(quote: str, parent_text: str) -> bool:
    """The quote's words, in order, are the parent's too: the edit changes a quote the
    child took from its parent (not one the simulator's own rewriting made)."""
    return _key(quote) in _key(parent_text)


def _shift(doc: SimDocument, at: int, delta: int, text: str) -> SimDocument:
    """The document with new text; chrome spans after ``at`` move by ``delta``."""
    chrome = tuple((s + delta, e + delta) if s >= at else (s, e) for s, e in doc.chrome)
    return replace(doc, text=text, chrome=chrome)


def _reattribute(
    rng: random.Random,
    doc: SimDocument,
    parent: str,
    outlet_words: frozenset[str],
    elsewhere: Sequence[str],
) -> tuple[SimDocument, dict] | None:
    """Another person of the document, else a speaker of another story, gets the quote."""
    t = doc.text
    names = _surnames(doc, outlet_words)
    names += [x for x in elsewhere if x not in names and x not in t]
    options = []
    for s, e in _paragraphs(doc):
        for m in _QUOTE.finditer(t, s, e):
            if not _in_parent(m.group(1), parent):
                continue
            # "...," Name said: a quote that ends its sentence is followed by narrative
            after = _AFTER.match(t[m.end() : m.end() + 60]) if m.group(1)[-1] in ",?!" else None
            if after:
                n = after.group("n1") or after.group("n2")
                at = m.end() + after.start("n1" if after.group("n1") else "n2")
            else:
                before = _BEFORE.search(t[max(s, m.start() - 80) : m.start()])
                if not before:
                    continue
                n = before.group("n")
                at = max(s, m.start() - 80) + before.start("n")
            surname = n.split()[-1]
            if (
                not _SURNAME.fullmatch(surname)
                or surname in _NOT_SURNAME
                or any(w in outlet_words for w in n.split())
            ):
                continue
            others = [x for x in names if x != surname]
            if others:
                options.append((m, at, n, surname, others, e))
    if not options:
        return None
    m, at, n, surname, others, para_end = rng.choice(options)
    new = rng.choice(others)
    k = at + n.rindex(surname)
    text = t[:k] + new + t[k + len(surname) :]
    delta = len(new) - len(surname)
    shift = delta if m.start() > k else 0
    # the quote and any after it in its paragraph: one attribution speaks for them all
    span = (m.start(1) + shift, para_end + delta)
    return _shift(doc, k, delta, text), {"span": span, "speakers": (surname, new)}


def _reword(rng: random.Random, doc: SimDocument, parent: str) -> tuple[SimDocument, dict] | None:
    t = doc.text
    options = []
    for s, e in _paragraphs(doc):
        for m in _QUOTE.finditer(t, s, e):
            if not _in_parent(m.group(1), parent):
                continue
            words = list(re.finditer(r"\b[a-z]{4,}\b", m.group(1)))
            if len(m.group(1).split()) >= 8 and len(words) >= 3:
                options.append((m, words[1:-1] or words))
    if not options:
        return None
    m, words = rng.choice(options)
    w = rng.choice(words)
    new = rng.choice([x for x in _SWAP if x != w.group()])
    k = m.start(1) + w.start()
    text = t[:k] + new + t[k + len(w.group()) :]
    delta = len(new) - len(w.group())
    return _shift(doc, k, delta, text), {"span": (m.start(1), m.end(1) + delta)}


def _drop(rng: random.Random, doc: SimDocument, parent: str) -> tuple[SimDocument, dict] | None:
    t = doc.text
    paras = _paragraphs(doc)
    options = [  # keep the lede; a paragraph whose quotes are all the parent's
        (s, e)
        for s, e in paras[1:]
        if _QUOTE.search(t, s, e)
        and _balanced(t[s:e])
        and all(_in_parent(m.group(1), parent) for m in _QUOTE.finditer(t, s, e))
    ]
    if not options or len(paras) < 3:
        return None
    s, e = rng.choice(options)
    texts = tuple(m.group(1) for m in _QUOTE.finditer(t, s, e))
    text = t[:s] + t[e + 2 :]  # the paragraph and the break after it
    return _shift(doc, s, -(e + 2 - s), text), {"texts": texts}


def _add(
    rng: random.Random,
    doc: SimDocument,
    donors: Sequence[str],
    outlets: Sequence[str],
    outlet_words: frozenset[str],
) -> tuple[SimDocument, dict] | None:
    t = doc.text
    # after a paragraph that closes its quotes and before one that opens no continuation
    paras = [
        (s, e)
        for s, e in _paragraphs(doc)[:-1]
        if _balanced(t[s:e]) and not re.match('\\s*["\u201c]', t[e + 2 : e + 6])
    ]
    names = _surnames(doc, outlet_words)
    if not names or not paras or not donors:
        return None
    sentence = rng.choice(donors).rstrip(".")
    who = rng.choice(names)
    credit = rng.choice(outlets) if outlets and rng.random() < 0.5 else None
    tail = f" {who} told {credit}." if credit else f" {who} said."
    s, e = rng.choice(paras)
    para = f'"{sentence},"{tail}'
    at = e + 2
    text = t[:at] + para + "\n\n" + t[at:]
    return _shift(doc, at, len(para) + 2, text), {
        "span": (at + 1, at + 1 + len(sentence)),
        "credit": credit,
    }


def add_quote_edits(
    corpus: SimCorpus, *, seed: int = 0, share: float = 0.6
) -> tuple[SimCorpus, tuple[PlantedQuoteEdit, ...]]:
    """The corpus with one quote edit on ``share`` of its leaf documents, and the edits.

    Kinds are drawn in turn (each leaf gets the next kind it allows), a re-attribution
    offered first on every other leaf.
    """
    rng = random.Random(seed)
    parents = {e.child: e.parent for e in corpus.edges}
    has_child = {e.parent for e in corpus.edges}
    docs = {d.id: d for d in corpus.documents}
    leaves = sorted(d for d in parents if d not in has_child)
    rng.shuffle(leaves)
    # donor sentences: from documents of other base texts, without quotation marks
    donor_by_base: dict[str, list[str]] = {}
    for d in sorted(corpus.documents, key=lambda d: d.id):
        for s, e in _paragraphs(d)[1:3]:
            for sent in re.split(r"(?<=\.)\s+", d.text[s:e]):
                if 10 <= len(sent.split()) <= 30 and not re.search('["\u201c\u201d]', sent):
                    donor_by_base.setdefault(d.base, []).append(sent)
    outlets = sorted({d.outlet for d in corpus.documents})
    outlet_words = frozenset(w for o in outlets for w in o.split())
    # speakers of other stories, for a re-attribution in a document naming one person only
    by_base: dict[str, set[str]] = {}
    for d in corpus.documents:
        by_base.setdefault(d.base, set()).update(_surnames(d, outlet_words))
    speakers = {
        b: sorted(n for o, ns in by_base.items() if o != b for n in ns)[:200] for b in by_base
    }
    edits: list[PlantedQuoteEdit] = []
    turn = 0
    for leaf in leaves:
        if rng.random() >= share:
            continue
        d = docs[leaf]
        ptext = docs[parents[leaf]].text
        order = [KINDS[(turn + k) % len(KINDS)] for k in range(len(KINDS))]
        if len(edits) % 2 == 0:
            # few quotes carry a name next to them ("he said" is the rule): offer the
            # re-attribution first on every other leaf, or it is planted too rarely to score
            order.remove("reattribute")
            order.insert(0, "reattribute")
        for k, kind in enumerate(order):
            if kind == "reattribute":
                got = _reattribute(rng, d, ptext, outlet_words, speakers[d.base])
            elif kind == "reword":
                got = _reword(rng, d, ptext)
            elif kind == "drop":
                got = _drop(rng, d, ptext)
            else:
                donors = [s for b, ss in sorted(donor_by_base.items()) if b != d.base for s in ss]
                others = [o for o in outlets if o != d.outlet]
                got = _add(rng, d, donors, others, outlet_words)
            if got is None:
                continue
            docs[leaf], info = got
            edits.append(PlantedQuoteEdit(kind, parents[leaf], leaf, **info))
            turn += k + 1
            break
    edited = replace(corpus, documents=tuple(docs[d.id] for d in corpus.documents))
    return edited, tuple(edits)


# -- scoring -------------------------------------------------------------------------


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _hits(m: QuoteMatch, e: PlantedQuoteEdit) -> bool:
    """Whether finding ``m`` is about the quote edit ``e`` planted (any class)."""
    if m.child != e.child:
        # a pair (or reversed edge) seen from the other side: the edited quote is a
        # "parent" quote there
        return (
            m.parent == e.child
            and any(_overlaps((q.start, q.end), e.span) for q in m.parent_quotes)
            and e.kind != "drop"
        )
    if e.kind == "drop":
        if m.kind != "dropped" or not m.parent_quotes:
            return False
        w = _words(m.parent_quotes[0].text)
        return any(len(w & _words(t)) >= 0.5 * max(1, len(w)) for t in e.texts)
    c = m.child_quote
    return c is not None and _overlaps((c.start, c.end), e.span)


def _bare(outlet: str | None) -> str:
    return re.sub(r"^the\s+", "", (outlet or "").casefold())


def score_quote_edits(
    findings: QuoteFindings, edits: Sequence[PlantedQuoteEdit], *, edges: str = "edge"
) -> dict[str, Any]:
    """Precision and recall per class of the planted edits.

    ``edges="edge"`` scores findings along edges only (the true edges, when the findings
    were computed on them); ``"any"`` also counts findings between pairs and along
    reversed edges (the end-to-end run on inferred edges).
    """
    ms = [m for m in findings.matches if edges == "any" or m.relation == "edge"]
    if edges == "any":
        # an edge the inference reversed still shows the edit, seen from the other side
        ms = ms + [
            replace(m, parent=m.child, child=m.parent)
            for m in ms
            if m.kind in ("new", "dropped") and m.relation == "edge"
        ]
    out: dict[str, Any] = {}
    for kind, cls in EXPECTED.items():
        planted = [e for e in edits if e.kind == kind]
        found = [e for e in planted if any(m.kind == cls and _hits(m, e) for m in ms)]
        at_edits = [m for m in ms if m.kind == cls and any(_hits(m, e) for e in edits)]
        right = [m for m in at_edits if any(_hits(m, e) for e in planted)]
        everywhere = [m for m in ms if m.kind == cls]
        row: dict[str, Any] = {
            "planted": len(planted),
            "found": len(found),
            "at_edits": len(at_edits),
            "right_at_edits": len(right),
            "findings": len(everywhere),
        }
        if cls == "misattributed":
            # the simulator never changes a speaker: every other finding is an error
            row["true_findings"] = sum(1 for m in everywhere if any(_hits(m, e) for e in planted))
        if kind == "add":
            credited = [e for e in found if e.credit]
            row["credit_right"] = sum(
                1
                for e in credited
                if any(
                    m.kind == "new" and _hits(m, e) and _bare(m.credit) == _bare(e.credit)
                    for m in ms
                )
            )
            row["credited"] = len(credited)
        out[cls] = _ratios(row)
    return out


def _ratios(row: dict[str, Any]) -> dict[str, Any]:
    """Recall, precision at the planted edits and (misattribution) precision overall."""

    def r(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    row["recall"] = r(row["found"], row["planted"])
    row["precision_at_edits"] = r(row["right_at_edits"], row["at_edits"])
    if "true_findings" in row:
        row["precision"] = r(row["true_findings"], row["findings"])
    return row


def pooled(results: Sequence[dict[str, Any]], key: str) -> dict[str, Any]:
    """Counts of several runs (``run`` results) added up, ratios recomputed."""
    out: dict[str, dict[str, Any]] = {}
    for res in results:
        for cls, row in res[key].items():
            acc = out.setdefault(cls, {})
            for k, v in row.items():
                if isinstance(v, int) and not isinstance(v, bool):
                    acc[k] = acc.get(k, 0) + v
    return {cls: _ratios(acc) for cls, acc in out.items()}


def run(*, stories: int = 120, seed: int = 11, share: float = 0.6) -> dict[str, Any]:
    """Simulate, plant quote edits, analyze, and score: on the true edges (quote
    comparison alone) and on the inferred ones (end to end)."""
    from lineage.model import Document
    from lineage.pipeline import analyze_documents
    from lineage.quotes import quote_findings

    corpus = simulate(stories=stories, seed=seed)
    edited, edits = add_quote_edits(corpus, seed=seed, share=share)
    docs = [
        Document(
            id=d.id, text=d.text, path=f"{d.id}.txt", title=d.title, outlet=d.outlet,
            date=d.date, url=d.url,
        )
        for d in edited.documents
    ]  # fmt: skip
    analysis = analyze_documents(docs)
    docs = list(analysis.documents)  # with their page chrome marked
    from lineage.model import Edge
    from lineage.text import tokenize

    tokens = {d.id: tokenize(d.text, boilerplate=d.boilerplate) for d in docs}
    true_edges = [Edge(e.parent, e.child, 1.0) for e in edited.edges]
    on_truth = quote_findings(docs, tokens, true_edges, analysis.pairs)
    return {
        "settings": {"stories": stories, "seed": seed, "share": share},
        "documents": len(docs),
        "edges": len(edited.edges),
        "edits": {k: sum(1 for e in edits if e.kind == k) for k in KINDS},
        "true_edges": score_quote_edits(on_truth, edits),
        "inferred_edges": score_quote_edits(analysis.quotes, edits, edges="any"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stories", type=int, default=120)
    ap.add_argument("--seeds", default="606,707,808", help="comma-separated; results pooled")
    ap.add_argument("--share", type=float, default=0.6)
    args = ap.parse_args(argv)
    runs = [run(stories=args.stories, seed=int(x), share=args.share) for x in args.seeds.split(",")]
    out = {
        "runs": runs,
        "pooled": {k: pooled(runs, k) for k in ("true_edges", "inferred_edges")},
    }
    json.dump(out, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
