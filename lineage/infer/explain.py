"""Evidence in words: the one place where the inference writes English.

Scorers (:mod:`lineage.infer.scorers`) return records with facts; this module turns a
record into the sentence a reader sees. A record whose kind has no sentence here
(an omission's cost, a prior) renders as ``""`` and is not shown to readers; it stays
in the record list for whoever adds the scores up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from lineage.model import Evidence

__all__ = ["explained", "origin_reason", "render"]

Facts = Mapping[str, Any]
_RENDER: dict[tuple[str, str], Callable[[Facts], str]] = {}


def _says(kind: str, sign: str = "for") -> Callable[[Callable[[Facts], str]], Callable]:
    def add(fn: Callable[[Facts], str]) -> Callable[[Facts], str]:
        _RENDER[(kind, sign)] = fn
        return fn

    return add


def render(ev: Evidence) -> str:
    """The sentence for one record ("" for evidence a reader is not shown)."""
    fn = _RENDER.get((ev.kind, ev.sign))
    return fn(ev.facts) if fn else ""


def explained(ev: Evidence) -> Evidence:
    """The record with its sentence."""
    return ev if ev.text else replace(ev, text=render(ev))


def _s(n: int) -> str:
    return "s" if n != 1 else ""


@_says("earlier")
def _earlier(f: Facts) -> str:
    return (
        f"time: {f['parent']} ({f['parent_date']}) was published before "
        f"{f['child']} ({f['child_date']})"
    )


@_says("time", "against")
def _later(f: Facts) -> str:
    return (
        f"against, time: {f['parent']} ({f['parent_date']}) is dated after "
        f"{f['child']} ({f['child_date']})"
    )


@_says("reuse")
def _reuse(f: Facts) -> str:
    n = f["passages"]
    text = (
        f"reuse: {f['share']:.0%} of {f['child']}'s text lies in {n} passage{_s(n)} "
        f"shared with {f['parent']} ({f['narrative_words']} narrative words, "
        f"{f['quoted_words']} in quotations)"
    )
    return text + ("; little beyond quotations: weak" if f["weak"] else "")


@_says("separative-readings")
def _separative_readings(f: Facts) -> str:
    return (
        f"lost source: {f['child']} keeps {f['child_words']} word{_s(f['child_words'])} of "
        f"the common text that {f['sibling']} lacks (also in {', '.join(f['shared_with'])}), "
        f"and lacks {f['sibling_words']} word{_s(f['sibling_words'])} of {f['sibling']}'s "
        "own inside the text it follows: it did not copy it"
    )


@_says("separative", "against")
def _separative(f: Facts) -> str:
    return (
        f"against: {f['parent']} has {f['words']} word{_s(f['words'])} of its own, no other "
        f"copy holds them, inside the text {f['child']} follows, and {f['child']} lacks them"
    )


@_says("shared-cut", "against")
def _shared_cut(f: Facts) -> str:
    n = f["covers"]
    return (
        f"against, shared cut: {n} earlier excerpt{_s(n)} of {f['parent']} hold{'s' * (n == 1)} "
        f"the same words of {f['child']} and stop{'s' * (n == 1)} where it stops"
    )


@_says("lost-source")
def _lost_source(f: Facts) -> str:
    return (
        f"lost source: {f['child']} holds {f['child_words']} words of the common text that "
        f"{f['sibling']} lacks (also in {', '.join(f['shared_with'])}), and {f['sibling']} "
        f"holds {f['sibling_words']} that {f['child']} lacks: neither copied the other"
    )


@_says("stemma")
def _stemma(f: Facts) -> str:
    where = f"below {f['parent']}" if f["parent"] else "at the centre of the stemma"
    return (
        f"stemma: {f['node']} sits {where}, {f['variants']:g} variant readings apart "
        f"({f['rate']:.2%} of the text they share), by neighbour-joining on variant rates"
    )


@_says("second-source")
def _second_source(f: Facts) -> str:
    a, b = f["region"]
    return (
        f"second source: characters {a}-{b} of {f['child']} ({f['words']} words) come from "
        f"{f['parent']}, material its first parent {f['first_parent']} does not hold"
    )


@_says("variant")
def _variant_for(f: Facts) -> str:
    return (
        f"variants: {f['child']} shares {f['words']} words with {f['parent']} that "
        f"{f['other']} lacks: “{f['snippet']}{'…' if f['more'] else ''}”"
    )


@_says("variant", "against")
def _variant_against(f: Facts) -> str:
    return (
        f"against, variants: {f['child']} shares {f['words']} words with {f['other']} that "
        f"{f['parent']} lacks"
    )


def _dateline_text(f: Facts) -> str:
    return (
        f"dateline: {f['child']} is a {f['child_home']} page carrying the dateline of "
        f"{f['dateline_outlet']}, the outlet of {f['parent']}"
    )


_says("dateline")(_dateline_text)


@_says("dateline-inherited")
def _dateline_inherited(f: Facts) -> str:
    return _dateline_text(f) + f" (a dateline it shares with {f['inherited_from']}: weak)"


@_says("dateline-against", "against")
def _dateline_against(f: Facts) -> str:
    return (
        f"against, dateline: {f['parent']} carries the dateline of {f['dateline_outlet']}, "
        f"the outlet of {f['child']}"
    )


def _credit_text(f: Facts) -> str:
    return (
        f"credit: {f['child']} credits {f['name']} (“{f['phrase']}”), the outlet of {f['parent']}"
    )


_says("credit")(_credit_text)


@_says("credit-inherited")
def _credit_inherited(f: Facts) -> str:
    if f["off_style"]:
        return _credit_text(f) + (
            f" (a credit it shares with {f['inherited_from']}, worded as its outlet does not "
            "word its own: it came with the text)"
        )
    return _credit_text(f) + f" (a credit it shares with {f['inherited_from']}: weak)"


@_says("credit-partial")
def _credit_partial(f: Facts) -> str:
    return (
        f"credit: {f['child']} credits {f['name']} (“{f['phrase']}”), close to "
        f"{f['parent']}'s outlet"
    )


@_says("credit-other")
def _credit_other(f: Facts) -> str:
    return (
        f"credit: {f['child']} credits {f['name']} (“{f['phrase']}”): it reuses another "
        "outlet's reporting"
    )


@_says("credit-against", "against")
def _credit_against(f: Facts) -> str:
    return f"against, credit: {f['parent']} credits {f['name']}, the outlet of {f['child']}"


@_says("edit")
def _edit_for(f: Facts) -> str:
    return f"edit: {f['child']} inserts “{f['insertion']}” into text shared with {f['parent']}"


@_says("edit", "against")
def _edit_against(f: Facts) -> str:
    return (
        f"against, edit: {f['parent']} inserts “{f['insertion']}” into text shared with "
        f"{f['child']}"
    )


def _containment(f: Facts) -> str:
    return (
        f"containment: {f['child_share']:.0%} of {f['child']} is in {f['parent']}, "
        f"{f['parent_share']:.0%} of {f['parent']} is in {f['child']}"
    )


_says("containment")(_containment)
_says("containment", "against")(lambda f: "against, " + _containment(f))


@_says("title")
def _title(f: Facts) -> str:
    # only a headline taken word for word is worth a sentence; a close one only scores
    if f["similarity"] != 1.0:
        return ""
    return f"title: {f['child']} has the headline of {f['parent']} word for word"


@_says("title-credit")
def _title_credit(f: Facts) -> str:
    return f"title: {f['child']}'s headline ends with “{f['site']}”, the outlet of {f['parent']}"


@_says("origin")
def _origin(f: Facts) -> str:
    return "origin: no copy of another document is shown"


@_says("origin-credit", "against")
def _origin_credit(f: Facts) -> str:
    return f"against: {f['doc']} credits {f['name']} (“{f['phrase']}”)"


@_says("origin-dateline", "against")
def _origin_dateline(f: Facts) -> str:
    return f"against: {f['doc']} is a {f['home']} page with a {f['dateline_outlet']} dateline"


@_says("referenced")
def _referenced(f: Facts) -> str:
    refs = f["referrers"]
    return (
        f"origin: {len(refs)} other document{_s(len(refs))} "
        f"({', '.join(refs[:4])}{'…' if len(refs) > 4 else ''}) credit or carry "
        f"the dateline of {f['outlet']}, its outlet"
    )


@_says("centrality-root")
def _centrality_root(f: Facts) -> str:
    return f"centrality: {f['doc']} holds {f['share']:.0%} of the text of the others"


@_says("origin-prior")
def _origin_prior(f: Facts) -> str:
    return (
        f"prior: {f['root']} is the story's original, and originals are copied more than copies are"
    )


@_says("chain-order")
def _chain_order(f: Facts) -> str:
    return (
        f"version chain: {f['parent']} and {f['child']} are neighbours in the order of the "
        f"versions that keeps their passages continuous (probability {f['probability']:.2f})"
    )


@_says("chain-direction")
def _chain_direction(f: Facts) -> str:
    if not f["added"] and not f["dropped"]:
        return (
            f"direction: {f['child']} has the same words as {f['parent']}, and no text says "
            f"which came first (probability {f['probability']:.2f})"
        )
    return (
        f"direction: read along the chain of {f['versions']} versions, the versions add more "
        f"text than they drop this way round; {f['child']} adds {f['added']} "
        f"word{_s(f['added'])} to {f['parent']} and drops {f['dropped']} "
        f"(probability {f['probability']:.2f})"
    )


@_says("chain-first")
def _chain_first(f: Facts) -> str:
    return (
        f"first version: {f['doc']} is the end of its chain of {f['versions']} versions from "
        f"which the others add more than they drop (probability {f['probability']:.2f})"
    )


@_says("identical")
def _identical(f: Facts) -> str:
    return (
        f"identical text: {f['child']} has the same article words as {f['parent']}, "
        "in the same order"
    )


@_says("identical-undated", "against")
def _identical_undated(f: Facts) -> str:
    return f"no date orders {f['parent']} and {f['child']}: either may be the copy"


def origin_reason(
    kind: str, *, reuse: Evidence | None = None, linked: bool = True, sibling: str = ""
) -> str:
    """Why a document has no parent: an original of its story, a copy of a lost source
    (``"lost"``, with the ``sibling`` copy it was told apart from), or an independent
    report (``reuse``: the reuse record of its likeliest parent, ``linked``: it shares any
    passage at all)."""
    if kind == "lost":
        return (
            f"copy of a source not in the corpus: it lacks readings of {sibling}'s own and "
            f"keeps readings of the common text that {sibling} lacks"
        )
    if kind == "original":
        return "original: the others derive from it and the evidence points from it, not to it"
    if not linked:
        return "shares no passage with any other document"
    text = render(reuse) if reuse is not None else ""
    return (
        "independent report: the text it shares is too little, or only quotations, "
        f"to make it a copy ({text})"
    )
