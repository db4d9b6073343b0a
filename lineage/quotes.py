"""Quote integrity: quotations and their speakers, and what each copy did to them.

Two steps, both plain functions:

* :func:`find_quotes` -- the quotations of one document as spans on its token stream
  (:class:`lineage.model.Quote`): straight and curly double quotes, quotes split around
  their attribution ("A," Heckert said. "B."), multi-paragraph quotes (each paragraph
  reopens the quotation, only the last one closes it), quotes inside quotes (single
  marks, ``level`` 1). Each is given its speaker where the text says so -- "Heckert
  said", "said Dan Heckert, who ...", "Magovern told CBS Pittsburgh", "according to
  ...", "he said" (the person last named) -- and a surname is resolved to the full
  name the document introduced ("Heckert" -> "Daniel Heckert").
* :func:`compare_quotes` -- one child's quotations against one parent's
  (:class:`lineage.model.QuoteMatch`): identical, trimmed, reworded (with the word-level
  change), misattributed (the same words given to a different speaker), merged, split,
  new in the child (with the outlet it credits, if any), dropped from the parent. The
  child's words are mapped to the parent's through the edit script each aligned passage
  keeps (``Passage.ops``); only quotes outside every passage (short ones, or moved) are
  matched by content with rapidfuzz over word ids.

:func:`quote_findings` runs both over an analysis' documents, edges and pairs.

Rule-based, not spaCy: quotation attribution is a matter of quotation marks, speech
verbs and name order, which no spaCy component does out of the box (the small English
model would still need these rules on top of its parser, and on PyPI it exists only as
third-party re-uploads). See docs/QUOTES.md for the figures.

Note: speakers are compared by surname (``Quote.speaker_key``): "Dan Heckert" in one
copy and "Daniel Heckert" in another are one speaker. A misattribution is only claimed
between two named speakers (not a speaker resolved from "he said", which a dropped
paragraph can shift).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from rapidfuzz.distance import Levenshtein

from lineage.model import Document, Edge, Pair, Passage, Quote, QuoteFindings, QuoteMatch
from lineage.text import Tokens

__all__ = [
    "compare_quotes",
    "describe",
    "find_quotes",
    "quote_findings",
]

# -- finding quotations ------------------------------------------------------------

_OPEN = "\u201c\u201e\u00ab"  # “ „ «
_CLOSE = "\u201d\u00bb"  # ” »
_MARKS = re.compile('[\n"\u201c\u201d\u201e\u00ab\u00bb]')
# single marks inside a quotation: opening before a word, closing after one
_S_OPEN = re.compile("(?<![\\w'\u2019])['\u2018](?=\\w)")
_S_CLOSE = re.compile("(?<=[\\w.,!?;:])['\u2019](?!\\w)")
_BRACKET = re.compile(r"\[[^\]\n]{0,80}\]")

_VERBS = (
    "said|says|say|told|tells|added|adds|explained|explains|recalled|recalls|noted|notes|"
    "wrote|writes|asked|asks|continued|continues|stated|states|insisted|insists|argued|"
    "argues|warned|warns|admitted|admits|declared|declares|replied|replies|responded|"
    "commented|acknowledged|remarked|posted|tweeted|shouted|yelled|exclaimed|concluded|"
    "agreed|claimed|claims|suggested|suggests|announced|announces|confirmed|confirms|"
    "stressed|emphasised|emphasized|joked|laughed|cried|whispered|urged|predicted|"
    "reported|reports"
)
# before a quotation: "Stephen Pound echoed the message, saying:" / "As Paul Flynn put it:"
_BEFORE_LEAD = re.compile(f"(?:\\b(?:{_VERBS})|\\bsaying|\\bput\\s+it)\\s*[:,]?\\s*$")
_WORD = "[A-Z][\\w\u2019'\\-]*\\w"
# a name: up to four capitalized words, allowing "de", "van", "bin" ... between them
_NAME = f"{_WORD}(?:\\s+(?:(?:de|da|van|von|der|bin|al|le|la|du)\\s+)?{_WORD}){{0,3}}"
_PRON = "he|she|they|He|She|They"
# an appositive between a name and its verb ("Heckert, a coach, said"); not ", he said"
_APPOS = (
    "(?:(?:,(?!\\s*(?:he|she|they)\\b)|\\s+of\\s|\\s+from\\s|\\s+who\\s)"
    '[^"\u201c\u201d.!?]{0,90}?,?)?'
)
# after the closing mark: "Heckert said" / "Heckert, a coach, said" / "he said" /
# "said Dan Heckert" / "according to Heckert"
_AFTER_SUBJ = re.compile(
    f"^[\\s,;:\u2014\u2013-]*(?:the\\s+)?(?P<name>{_NAME}|{_PRON}){_APPOS}\\s*,?\\s+(?P<verb>{_VERBS})\\b"
    f'(?P<rest>[^.!?"\u201c\u201d]*)'
)
_AFTER_VERB = re.compile(
    f'^[\\s,;:\u2014\u2013-]*(?:{_VERBS})\\s+(?P<name>{_NAME})(?P<rest>[^.!?"\u201c\u201d]*)'
)
_AFTER_ACC = re.compile(f"^[\\s,;:\u2014\u2013-]*according\\s+to\\s+(?P<name>{_NAME})")
# before the opening mark, in the same sentence: "Heckert said:" / "Jessica said she shed"
_BEFORE = re.compile(
    f'(?P<name>{_NAME}|\\b(?:{_PRON})){_APPOS}\\s+(?P<verb>{_VERBS})\\b(?P<rest>[^"\u201c\u201d]*)$'
)
_BEFORE_PRON = re.compile(
    f'\\b(?P<name>{_PRON})\\s+(?P<verb>{_VERBS})\\b(?P<rest>[^"\u201c\u201d]*)$'
)
# "Kuznetsova said:" right before the quote: it introduces this quote
_COLON_LEAD = re.compile(f"(?:\\b(?:{_VERBS})|\\bsaying)\\s*:\\s*$")
_TITLES = set("Mr Mrs Ms Miss Dr Prof Professor Sir Dame Lord Lady".split())
_BEFORE_ACC = re.compile(f"\\b[Aa]ccording\\s+to\\s+(?P<name>{_NAME}),?\\s*$")
_TOLD = re.compile(f"^\\s*(?:the\\s+)?(?P<name>{_NAME})")
_CREDIT_IN_TEXT = re.compile(
    f"(?:\\btold|[Aa]ccording\\s+to|\\bvia|\\bto)\\s+(?:the\\s+)?(?P<name>{_NAME})"
    f"|(?P<name2>{_NAME})\\s+(?:reported|reports|said\\s+in\\s+a\\s+report)"
)
_CAPSEQ = re.compile(_NAME)
_CREDIT_HINT = re.compile(r"told|ccording|\bvia\b|\bto\s+(?:the\s+)?[A-Z]|report")

_STOP = set(
    "The A An It Its This That These Those But And Or So Then In On At For When While After "
    "Before As If He She They We I You His Her Their Our My There Here What Who Why How "
    "Where Meanwhile However Also Still Yet Now Later Earlier Today Yesterday Tomorrow "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April "
    "May June July August September October November December Mr Mrs Ms Miss Dr Prof "
    "Professor Sir Dame Lord Lady President Prime Minister Chancellor Secretary Chief "
    "Executive Director Manager Chairman Chairwoman Senator Governor Mayor Coach Judge "
    "Officer Captain General Rev Reverend Bishop Pope King Queen Prince Princess Said "
    "According To Of By With From Not No Yes Oh Well One Two Some Many Most Every All Both "
    "Even Only Just Like Once Since Although Though Because Whether Let Don Please Thank "
    "Speaking Asked Writing Talking Responding Commenting Addressing Meanwhile "
    "MP MPs Tory Tories Ministers Officials Analysts Experts Critics Sources Officers".split()
)
# newsroom words that make a name an outlet's; not ones that are also common surnames
# (Fox, Post, Record, Daily...), which only the corpus' own outlet names make an outlet
_MEDIA = set(
    "news press times journal tribune gazette herald radio tv television reuters "
    "bbc cnn nbc abc ap afp telegraph magazine network wire chronicle examiner courier "
    "bulletin broadcasting channel newspaper newswire".split()
)


def _clean_name(raw: str) -> str | None:
    """A person's or outlet's name from a capitalized run: no leading sentence words or
    titles, no trailing weekday, no possessive."""
    toks = raw.split()
    while toks and toks[0].rstrip(".") in _STOP:
        toks.pop(0)
    while toks and toks[-1] in _STOP:
        toks.pop()
    if not toks:
        return None
    last = re.sub("['\u2019]s$", "", toks[-1])
    if not last:
        return None
    toks[-1] = last
    return " ".join(toks)


def _known_outlets(outlets: Iterable[str]) -> frozenset[str]:
    """Outlets as named in text: "The Roundup" is also "Roundup" once "The" is dropped."""
    if isinstance(outlets, frozenset):
        return outlets
    return frozenset(
        x for o in outlets if o for x in (o.casefold(), re.sub(r"^the\s+", "", o.casefold()))
    )


def _is_outlet(name: str, outlets: frozenset[str]) -> bool:
    """A known outlet, an acronym ("WXYZ"), or a name of several words one of which is a
    newsroom word ("Evening Gazette"). One such word alone is a surname: "Fox", "Post"."""
    if name.casefold() in outlets:
        return True
    toks = name.split()
    if any(t.isupper() and 2 <= len(t) <= 5 for t in toks):
        return True
    return len(toks) > 1 and any(t.casefold() in _MEDIA for t in toks)


def _segments(text: str) -> list[tuple[int, int]]:
    """Character spans between double quotation marks (the marks excluded).

    A paragraph that ends inside a quotation continues it when the next paragraph opens
    with a quotation mark (news style for multi-paragraph quotes); otherwise the
    quotation ends with its paragraph.
    """
    out: list[tuple[int, int]] = []
    inside = False
    start = 0
    skip = -1
    for m in _MARKS.finditer(text):
        i, ch = m.start(), m.group()
        if i == skip:
            continue
        if ch == "\n":
            if not inside:
                continue
            j = i
            while j < len(text) and text[j].isspace():
                j += 1
            if j < len(text) and (text[j] in _OPEN or text[j] == '"'):
                skip = j  # the next paragraph reopens this quotation
                continue
            out.append((start, i))
            inside = False
        elif ch == '"' and _looks(text, i) == ("close" if not inside else "open"):
            # a straight mark out of phase (one left unpaired earlier): read it by the
            # letters around it, so one stray mark does not invert the rest
            if inside:
                out.append((start, i))
                start = i + 1
        elif ch in _OPEN or (ch == '"' and not inside):
            if inside:  # an opening mark inside: the last quotation was never closed
                out.append((start, i))
            inside, start = True, i + 1
        elif inside:  # a closing mark, or a straight one that closes
            out.append((start, i))
            inside = False
    if inside:
        out.append((start, len(text)))
    return out


def _looks(text: str, i: int) -> str:
    """Whether a straight double mark at ``i`` reads as an opening or a closing one."""
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isspace() or before in "([\u2014\u2013-":
        return "open" if (after.isalnum() or after in "'\u2018.[") else ""
    if after.isspace() or after in ".,;:!?)\u2014\u2013-":
        return "close" if not before.isspace() else ""
    return ""


def _nested(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Spans in single quotation marks inside the quotation text[s:e]."""
    out: list[tuple[int, int]] = []
    pos = s
    while True:
        mo = _S_OPEN.search(text, pos, e)
        if not mo:
            return out
        mc = _S_CLOSE.search(text, mo.end(), e)
        if not mc:
            # the closing mark may sit just before the outer closing mark (e = that mark)
            if e < len(text) and text[e - 1 : e] in ("'", "\u2019"):
                out.append((mo.end(), e - 1))
            return out
        out.append((mo.end(), mc.start()))
        pos = mc.end()


def _word_range(tokens: Tokens, s: int, e: int) -> tuple[int, int]:
    lo, hi = np.searchsorted(tokens.starts, [s, e], side="left")
    return int(lo), int(hi)


def _sentence_tail(before: str) -> str:
    """The part of ``before`` after its last sentence end."""
    cut = max((m.end() for m in re.finditer(r"[.!?][\"”’']?\s+", before)), default=0)
    return before[cut:]


def _sentence_head(after: str) -> str:
    m = re.search(r"[.!?](?=\s|$)", after)
    return after[: m.start()] if m else after


def find_quotes(
    doc: Document | str,
    tokens: Tokens,
    *,
    doc_id: str | None = None,
    outlets: Iterable[str] = (),
) -> tuple[Quote, ...]:
    """The quotations of one document, in text order, with their speakers.

    ``doc`` is a Document (or its text, with ``doc_id``); ``tokens`` its tokens.
    ``outlets`` are outlet names known in the corpus: "told <outlet>" is a credit, not a
    person spoken to.

    >>> from lineage.text import tokenize
    >>> t = '"It is fine," Heckert said. "Really."'
    >>> [(q.text, q.speaker) for q in find_quotes(t, tokenize(t), doc_id="d")]
    [('It is fine', 'Heckert'), ('Really', 'Heckert')]
    """
    text = doc if isinstance(doc, str) else doc.text
    did = doc_id if doc_id is not None else ("" if isinstance(doc, str) else doc.id)
    known = _known_outlets(outlets)
    segs = [(s, e, *_word_range(tokens, s, e)) for s, e in _segments(text) if text[s:e].strip()]
    segs = [x for x in segs if x[3] > x[2]]
    if not segs:
        return ()
    # narrative text (outside quotations): where people are introduced
    quoted = np.zeros(len(text) + 1, dtype=bool)
    for s, e, _, _ in segs:
        quoted[s:e] = True
    people = _people(text, segs)
    breaks = [m.start() for m in re.finditer("\n", text)]

    def line_of(i: int) -> int:  # line breaks up to character i included
        return bisect_right(breaks, i)

    raw: list[dict] = []
    for k, (s, e, t0, t1) in enumerate(segs):
        line = line_of(min(s, len(text) - 1))
        prev_end = segs[k - 1][1] + 1 if k else 0
        nl = text.rfind("\n", 0, s)
        before = text[max(prev_end, nl + 1) : max(s - 1, 0)]
        nxt = segs[k + 1][0] - 1 if k + 1 < len(segs) else len(text)
        nl2 = text.find("\n", e)
        after = text[min(e + 1, len(text)) : nxt if nl2 < 0 else min(nxt, nl2)]
        end_char = text[e - 1 : e].strip() or text[:e].rstrip()[-1:]
        who, by, credit, where = _attribution(before, after, known, last=end_char)
        w0, w1 = int(tokens.starts[t0]), int(tokens.ends[t1 - 1])
        raw.append(
            dict(
                s=w0,
                e=w1,
                tok=(t0, t1),
                line=line,
                who=who,
                by=by,
                credit=credit,
                pos=s,
                where=where,
                line_end=line_of(max(min(e, len(text)) - 1, 0)),
                gap_before=before,
                gap_after=after,
            )
        )
    # a quotation split around its attribution, or continued after it in the same
    # paragraph, is the attributed speaker's: previous quote first, then the next one
    for k, r in enumerate(raw):
        if r["who"] is not None:
            continue
        for j in (k - 1, k + 1):
            # same paragraph: where the earlier of the two ends and the later begins
            if not (0 <= j < len(raw) and raw[min(j, k)]["line_end"] == raw[max(j, k)]["line"]):
                continue
            if raw[j]["by"] not in ("named", "pronoun", "inherited") or raw[j]["who"] is None:
                continue
            # only across the attribution itself ("A," X said. "B.") or nothing at all
            gap = r["gap_before"] if j < k else r["gap_after"]
            bare = not re.search(r"\w", gap)
            if not (bare or (j < k and raw[j]["where"] == "after" and _one_sentence(gap))):
                continue
            if True:
                r["who"], r["by"] = (
                    raw[j]["who"],
                    "pronoun"
                    if raw[j]["by"] == "pronoun"
                    else "inherited"
                    if j < k
                    else "adjacent",
                )
                r["credit"] = r["credit"] or raw[j]["credit"]
                break
    # pronouns: the person named first in the narrative just before (this paragraph's
    # text before the quote, then the previous paragraphs), else the last speaker
    named = {r["who"].split()[-1].casefold() for r in raw if r["by"] == "named"}
    last: str | None = None
    last_end = 0
    for r in raw:
        if r["by"] == "pronoun" and r["who"] in _PRONOUNS:
            # the person the narrative names since the last quote, else that quote's speaker
            since = last_end if last is not None else 0
            who = _antecedent(text, r["pos"], people, named, quoted, since=since)
            r["who"] = last if who in (None, _PREVIOUS) else who
            if r["who"] is None:
                r["by"] = ""
        if r["who"] is not None:
            last, last_end = r["who"], r["e"]
    # surname -> the fullest name the document gives that person, introduced earliest
    out: list[Quote] = []
    group = 0
    for k, r in enumerate(raw):
        who = _full_name(r["who"], people, r["pos"]) if r["who"] else None
        if k and not (
            raw[k - 1]["line"] == r["line"] and (raw[k - 1]["who"] or None) == (r["who"] or None)
        ):
            group += 1
        credit = r["credit"]
        out.append(
            Quote(
                doc=did,
                start=r["s"],
                end=r["e"],
                tok=r["tok"],
                text=text[r["s"] : r["e"]],
                speaker=who,
                speaker_by=r["by"] if who else "",
                group=group,
                level=0,
                credit=credit,
            )
        )
        for ns, ne in _nested(text, r["s"], segs[k][1]):
            n0, n1 = _word_range(tokens, ns, ne)
            if n1 > n0:
                a, b = int(tokens.starts[n0]), int(tokens.ends[n1 - 1])
                out.append(Quote(did, a, b, (n0, n1), text[a:b], group=group, level=1))
    return tuple(out)


def _attribution(
    before: str, after: str, outlets: frozenset[str], *, last: str = ""
) -> tuple[str | None, str, str | None, str]:
    """(speaker as written, how found, credited outlet, "after"/"before": where the
    attribution is) from the text around a quote; ``last`` is the quote's last character.

    The text after the quote is read first ("...," Heckert said), unless the sentence
    before it ends by introducing it ("Kuznetsova said:"). After a quote that ends its
    sentence ('...myself." Eerdekens said that ...') only a bare "Name said." counts.
    """
    tail = _sentence_tail(before)
    if _COLON_LEAD.search(tail):
        got = _attribution_before(tail, outlets)
        if got[0] is not None:
            return got
    head = _sentence_head(after)
    if last == "." and len(head.split()) > 5:
        head = ""
    for rx in (_AFTER_SUBJ, _AFTER_VERB):
        m = rx.match(head)
        if m and not re.match(
            r"\s*:", head[m.end("name") if rx is _AFTER_VERB else m.end("verb") :]
        ):
            # ("X said:" introduces the quote after it, not the one before)
            name = m.group("name")
            rest = m.groupdict().get("rest") or ""
            credit = _told_credit(m.groupdict().get("verb"), rest, outlets)
            if name in _PRONOUNS:
                return name, "pronoun", credit, "after"
            first = name.split()[0].rstrip(".")
            if rx is _AFTER_SUBJ and first in _STOP and first not in _TITLES:
                continue  # "... And Menzies Campbell said it was": a new sentence
            clean = _clean_name(name)
            if clean and not _is_outlet(clean, outlets):
                return clean, "named", credit, "after"
            if clean:  # "..., CBS said": the outlet speaks, as a credit
                return None, "", clean, "after"
    m = _AFTER_ACC.match(head)
    if m:
        clean = _clean_name(m.group("name"))
        if clean and _is_outlet(clean, outlets):
            return None, "", clean, "after"
        if clean:
            return clean, "named", None, "after"
    return _attribution_before(_sentence_tail(before), outlets)


def _attribution_before(
    tail: str, outlets: frozenset[str]
) -> tuple[str | None, str, str | None, str]:
    """The attribution in the sentence before a quote ("Heckert said:", "he said:")."""
    m = _BEFORE_PRON.search(tail)
    if m:
        return m.group("name"), "pronoun", None, "before"
    m = _BEFORE.search(tail)
    if m:
        name = m.group("name")
        credit = _told_credit(m.group("verb"), m.group("rest"), outlets)
        if name in _PRONOUNS:
            return name, "pronoun", credit, "before"
        clean = _clean_name(name)
        if clean and not _is_outlet(clean, outlets):
            return clean, "named", credit, "before"
    if _BEFORE_LEAD.search(tail):
        for m in _CAPSEQ.finditer(tail):
            clean = _clean_name(m.group())
            if clean and not _is_outlet(clean, outlets):
                return clean, "named", None, "before"
    m = _BEFORE_ACC.search(tail)
    if m:
        clean = _clean_name(m.group("name"))
        if clean and not _is_outlet(clean, outlets):
            return clean, "named", None, "before"
        if clean:
            return None, "", clean, "before"
    return None, "", None, ""


def _one_sentence(gap: str) -> bool:
    """At most one sentence end inside: the attribution clause, not more narrative."""
    return len(re.findall(r"[.!?](?=\s)", gap.strip())) <= 1


def _told_credit(verb: str | None, rest: str, outlets: frozenset[str]) -> str | None:
    if verb not in ("told", "tells"):
        return None
    m = _TOLD.match(rest)
    if not m:
        return None
    return _outlet_name(m.group("name"), outlets)


def _outlet_name(raw: str, outlets: frozenset[str]) -> str | None:
    """The outlet a capitalized run names, if it names one: a known outlet as written
    ("TopStory Today", "The Roundup"), else a name that reads as one ("WXYZ News")."""
    bare = re.sub(r"^[Tt]he\s+", "", raw.strip())
    for n in (raw.strip(), bare):
        if n.casefold() in outlets:
            return n
    name = _clean_name(raw)
    return name if name and _is_outlet(name, outlets) else None


def _paragraph_credit(text: str, pos: int, outlets: frozenset[str]) -> str | None:
    """An outlet the quote's paragraph credits: "told ABC News", "according to Reuters"."""
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    para = text[a : b if b >= 0 else len(text)]
    if not _CREDIT_HINT.search(para):  # most paragraphs credit nobody: skip the long regex
        return None
    for m in _CREDIT_IN_TEXT.finditer(para):
        name = _outlet_name(m.group("name") or m.group("name2"), outlets)
        if name:
            return name
    return None


_ORGISH = set(
    "city road runners station news university street avenue park church hospital "
    "school college department police council club team league association company group "
    "party government ministry office court house senate congress parliament committee "
    "institute foundation center centre bank airport county state river lake mountain "
    "race day week year festival cup championship games facebook twitter".split()
)
_PRONOUNS = ("he", "she", "they", "He", "She", "They")


def _people(text: str, segs: Sequence[tuple[int, int, int, int]]) -> list[tuple[int, str]]:
    """Capitalized names of two or more words in the narrative, with their offsets
    (not ones that read as places, bodies or events: "City Council", or a name whose last
    word the text also writes in lower case, as "the marathon" for "... Marathon")."""
    lower = set(re.findall(r"(?<![\w'\u2019])[a-z][a-z'\u2019-]*", text))
    out = []
    prev = 0
    spans = [(s, e) for s, e, _, _ in segs] + [(len(text), len(text))]
    for s, e in spans:
        for m in _CAPSEQ.finditer(text, prev, max(prev, s - 1)):
            name = _clean_name(m.group())
            if (
                name
                and len(name.split()) >= 2
                and name.split()[-1].casefold() not in lower
                and not any(t.casefold() in _ORGISH or t.casefold() in _MEDIA for t in name.split())
            ):
                out.append((m.start(), name))
        prev = e + 1
    return out


def _full_name(name: str, people: list[tuple[int, str]], pos: int) -> str:
    """The fullest name ending in ``name``'s surname, introduced earliest (before ``pos``
    if it was, else anywhere in the document). A lone first name ("Laura") that begins
    one person's full name is that person."""
    toks = name.split()
    key = toks[-1].casefold()
    hits = [(p, n) for p, n in people if n.split()[-1].casefold() == key]
    if not hits and len(toks) == 1:
        hits = [(p, n) for p, n in people if n.split()[0].casefold() == key]
        if len({n for _, n in hits}) > 1:
            hits = []  # two people of that first name: keep what the text says
    if not hits:
        return name
    earlier = [h for h in hits if h[0] < pos] or hits
    best = max(earlier, key=lambda h: (len(h[1].split()), -h[0]))[1]
    return best if len(best.split()) >= len(toks) else name


_PREVIOUS = "\0previous"  # "he" refers to whoever the last quote's speaker was


def _antecedent(
    text: str,
    pos: int,
    people: list[tuple[int, str]],
    named: set[str],
    quoted: np.ndarray,
    *,
    since: int = 0,
) -> str | None:
    """Who "he"/"she" in a quote's attribution is: the first known person (a named
    speaker, or a first name or surname of a person introduced in full) in the narrative
    before the quote, in its paragraph or up to two paragraphs back, and after ``since``
    (the last quote with a speaker: when the narrative since then names nobody, "he" is
    still that speaker, :data:`_PREVIOUS`). A paragraph that opens with a pronoun itself
    continues the last quote's speaker."""
    known = set(named)
    for _, n in people:
        t = n.split()
        known.update((t[0].casefold(), t[-1].casefold()))
    end = pos
    for _ in range(3):
        a = text.rfind("\n", 0, max(end - 1, 0))
        para_start = a + 1 if a >= 0 else 0
        first = True
        for m in re.finditer("[A-Za-z][\\w\u2019'-]*", text[para_start:end]):
            i = para_start + m.start()
            if quoted[i] or i < since:
                continue
            word = m.group()
            if first and word in _PRONOUNS and end != pos:
                return _PREVIOUS
            first = False
            if not word[0].isupper():
                continue
            w = re.sub("['\u2019]s$", "", word)
            if w.casefold() in known and w not in _STOP:
                return w
        if para_start == 0 or para_start <= since:
            return _PREVIOUS if since else None
        end = para_start
        while end > 0 and text[end - 1].isspace():
            end -= 1
    return None


# -- comparing quotations along an edge ---------------------------------------------

_MIN_RUN = 3  # content matches count in runs of at least this many words


def _bracketed(text: str, tokens: Tokens) -> np.ndarray:
    """Words inside square brackets: an editor's insertion, not the speaker's words."""
    mask = np.zeros(len(tokens), dtype=bool)
    for m in _BRACKET.finditer(text):
        lo, hi = _word_range(tokens, m.start(), m.end())
        mask[lo:hi] = True
    return mask


def _oriented(p: Passage, parent: str) -> tuple[int, int, Sequence[tuple[str, int, int, int, int]]]:
    """(parent's first word, child's first word, edit script parent -> child)."""
    if p.a == parent:
        return p.a_tok[0], p.b_tok[0], p.ops
    swap = {"insert": "delete", "delete": "insert"}
    return (
        p.b_tok[0],
        p.a_tok[0],
        tuple((swap.get(t, t), j1, j2, i1, i2) for t, i1, i2, j1, j2 in p.ops),
    )


def _word_text(text: str, tokens: Tokens, lo: int, hi: int) -> str:
    return text[int(tokens.starts[lo]) : int(tokens.ends[hi - 1])] if hi > lo else ""


def compare_quotes(
    parent: Document,
    child: Document,
    parent_quotes: Sequence[Quote],
    child_quotes: Sequence[Quote],
    *,
    parent_tokens: Tokens,
    child_tokens: Tokens,
    passages: Sequence[Passage] = (),
    relation: str = "edge",
    outlets: Iterable[str] = (),
) -> list[QuoteMatch]:
    """What the child did to the parent's quotations (see the module docstring).

    ``passages`` are the pair's aligned passages (either orientation): where a child
    quote lies in one, its words are mapped to the parent's through the passage's
    stored edit script. For ``relation="pair"`` (no derivation between the two), only
    matched quotes are returned: a quote new in one of two independent reports, or
    missing from it, says nothing.
    """
    pq = [q for q in parent_quotes if q.level == 0]
    cq = [q for q in child_quotes if q.level == 0]
    known = _known_outlets(outlets)
    if not pq and not cq:
        return []
    nc, np_ = len(child_tokens), len(parent_tokens)
    cmap = np.full(nc, -1, dtype=np.int64)  # child word -> parent word
    ceq = np.zeros(nc, dtype=bool)  # ... by an "equal" op
    pmap = np.full(np_, -1, dtype=np.int64)
    script: list[tuple[str, int, int, int, int]] = []  # absolute (tag, p0, p1, c0, c1)
    for psg in passages:
        p0, c0, ops = _oriented(psg, parent.id)
        for tag, i1, i2, j1, j2 in ops:
            a1, a2, b1, b2 = p0 + i1, p0 + i2, c0 + j1, c0 + j2
            script.append((tag, a1, a2, b1, b2))
            k = min(a2 - a1, b2 - b1)
            if k > 0:
                cmap[b1 : b1 + k] = np.arange(a1, a1 + k)
                pmap[a1 : a1 + k] = np.arange(b1, b1 + k)
                if tag == "equal":
                    ceq[b1 : b1 + k] = True
    p_of = np.full(np_, -1, dtype=np.int64)  # parent word -> its quote
    for i, q in enumerate(pq):
        p_of[q.tok[0] : q.tok[1]] = i
    cbr = _bracketed(child.text, child_tokens)
    pbr = _bracketed(parent.text, parent_tokens)
    ph, ch = parent_tokens.hashes, child_tokens.hashes

    # each child quote's source among the parent's quotes: {parent quote: matched words}
    sources: list[dict[int, int]] = []
    aligned: list[bool] = []
    narrative: list[bool] = []  # in a passage, but quoting what the parent has as narrative
    for q in cq:
        idx = np.arange(*q.tok)
        idx = idx[~cbr[idx]]
        m = cmap[idx]
        eq = ceq[idx] & (m >= 0)
        counts: dict[int, int] = {}
        for i in p_of[m[eq]].tolist():
            if i >= 0:
                counts[i] = counts.get(i, 0) + 1
        if counts or (int(np.count_nonzero(eq)) >= max(1, len(idx) // 2)):
            sources.append(_pick(counts, len(idx)))
            aligned.append(True)
            narrative.append(not counts)
            continue
        if relation == "pair":  # two reports quoting alike matter only where they align
            sources.append({})
            aligned.append(False)
            narrative.append(False)
            continue
        # outside every passage: by content, equal runs of words over word ids
        cw = ch[idx].tolist()
        counts = {}
        for i, p in enumerate(pq):
            pidx = np.arange(*p.tok)
            n = _run_matches(ph[pidx[~pbr[pidx]]].tolist(), cw, min_run=min(_MIN_RUN, len(cw)))
            if n:
                counts[i] = n
        sources.append(_pick(counts, len(cw), fuzzy=True))
        aligned.append(False)
        narrative.append(False)

    users: dict[int, list[int]] = {}
    for k, src in enumerate(sources):
        for i in src:
            users.setdefault(i, []).append(k)

    out: list[QuoteMatch] = []
    for k, q in enumerate(cq):
        src = sources[k]
        if not src:
            if relation == "edge":
                # words the parent has outside quotation marks, quoted in the child
                ch_ = (("quoted", "", q.text),) if narrative[k] else ()
                out.append(
                    QuoteMatch(
                        "new",
                        parent.id,
                        child.id,
                        relation,
                        q,
                        # the attribution's "told X", else a credit in its paragraph
                        credit=q.credit or _paragraph_credit(child.text, q.start, known),
                        form="new",
                        changes=ch_,
                        via_alignment=aligned[k],
                    )
                )
            continue
        ps = tuple(pq[i] for i in sorted(src, key=lambda i: pq[i].start))
        n_words = max(1, q.tok[1] - q.tok[0] - int(np.count_nonzero(cbr[q.tok[0] : q.tok[1]])))
        score = round(min(1.0, sum(src.values()) / n_words), 4)
        changes: tuple[tuple[str, str, str], ...] = ()
        if len(src) > 1:
            form = "merged"
        elif len(users.get(next(iter(src)), [])) > 1:
            form = "split"
        else:
            p = ps[0]
            if aligned[k]:
                form, changes = _form_aligned(
                    q, p, script, cmap, ceq, cbr, pbr, parent, child, parent_tokens, child_tokens
                )
            else:
                form, changes = _form_content(
                    q, p, cbr, pbr, parent, child, parent_tokens, child_tokens
                )
        kind = form
        if _misattributed(q, ps):
            kind = "misattributed"
        out.append(
            QuoteMatch(
                kind,
                parent.id,
                child.id,
                relation,
                q,
                ps,
                form=form,
                score=score,
                changes=changes,
                via_alignment=aligned[k],
            )
        )
    if relation == "edge":
        for i, p in enumerate(pq):
            if i not in users:
                kept = pmap[p.tok[0] : p.tok[1]]
                form = "dropped"
                facts_kept = float((kept >= 0).mean()) if len(kept) else 0.0
                out.append(
                    QuoteMatch(
                        "dropped",
                        parent.id,
                        child.id,
                        relation,
                        None,
                        (p,),
                        form=form,
                        # share of its words the child still carries, outside quotation
                        # marks (a quote turned into narrative)
                        score=round(facts_kept, 4),
                        via_alignment=bool((kept >= 0).any()),
                    )
                )
    return out


def _pick(counts: dict[int, int], n: int, *, fuzzy: bool = False) -> dict[int, int]:
    """The parent quotes a child quote of ``n`` words comes from, given the words it shares
    with each: the best one if it explains enough of it, then any other that explains a
    good part too (a merge). Content matches (``fuzzy``) need more than aligned words:
    "is all about" is in many quotes."""
    if not counts:
        return {}
    order = sorted(counts, key=lambda i: (-counts[i], i))
    first = order[0]
    need = min(_MIN_RUN, n) if not fuzzy else max(min(_MIN_RUN, n), 0.5 * n)
    if counts[first] < need:
        return {}
    more = max(_MIN_RUN + 1, 0.25 * n)
    return {i: counts[i] for i in order if i == first or counts[i] >= more}


def _misattributed(q: Quote, ps: Sequence[Quote]) -> bool:
    """Same words, a different speaker: only between speakers the text names next to the
    quote or across its attribution (not "he said", not a quote beside another one)."""
    if q.speaker_by not in ("named", "inherited") or q.speaker_key is None:
        return False
    named = [p for p in ps if p.speaker_by in ("named", "inherited") and p.speaker_key]
    return bool(named) and all(p.speaker_key != q.speaker_key for p in named)


def _run_matches(a: list[int], b: list[int], *, min_run: int) -> int:
    """Words of b in runs of at least ``min_run`` words equal to a run of a."""
    if not a or not b:
        return 0
    return sum(
        op.dest_end - op.dest_start
        for op in Levenshtein.opcodes(a, b)
        if op.tag == "equal" and op.dest_end - op.dest_start >= max(1, min_run)
    )


def _form_aligned(
    q: Quote,
    p: Quote,
    script: list[tuple[str, int, int, int, int]],
    cmap: np.ndarray,
    ceq: np.ndarray,
    cbr: np.ndarray,
    pbr: np.ndarray,
    parent: Document,
    child: Document,
    pt: Tokens,
    ct: Tokens,
) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """identical / trimmed / reworded, read from the passages' edit script."""
    c0, c1 = q.tok
    changes: list[tuple[str, str, str]] = []
    for tag, a1, a2, b1, b2 in script:
        if tag == "equal":
            continue
        if tag == "delete":
            inside = c0 < b1 < c1 and p.tok[0] <= a1 and a2 <= p.tok[1]
        else:
            inside = b1 < c1 and b2 > c0
        if not inside:
            continue
        bb1, bb2 = max(b1, c0), min(b2, c1)
        if tag != "delete" and cbr[bb1:bb2].all() and not (a2 > a1 and not pbr[a1:a2].all()):
            continue  # "[the]": an editor's insertion
        aa1, aa2 = (a1, a2) if tag != "insert" else (a1, a1)
        changes.append(
            (tag, _word_text(parent.text, pt, aa1, aa2), _word_text(child.text, ct, bb1, bb2))
        )
    idx = np.arange(c0, c1)
    idx = idx[~cbr[idx]]
    m = cmap[idx]
    inside = (m >= p.tok[0]) & (m < p.tok[1])
    if changes or not (ceq[idx] & inside).all():
        if not changes:
            # words quoted in the child that the parent has outside this quotation
            lo, hi = c0, c1
            changes.append(("quoted", "", _word_text(child.text, ct, lo, hi)))
        return "reworded", tuple(changes)
    pidx = np.arange(*p.tok)
    full = int(np.count_nonzero(~pbr[pidx]))
    return ("identical" if len(set(m.tolist())) >= full else "trimmed"), ()


def _form_content(
    q: Quote,
    p: Quote,
    cbr: np.ndarray,
    pbr: np.ndarray,
    parent: Document,
    child: Document,
    pt: Tokens,
    ct: Tokens,
) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """identical / trimmed / reworded for a quote outside every passage."""
    cidx = np.arange(*q.tok)
    cidx = cidx[~cbr[cidx]]
    pidx = np.arange(*p.tok)
    pidx = pidx[~pbr[pidx]]
    cw, pw = ct.hashes[cidx].tolist(), pt.hashes[pidx].tolist()
    if cw == pw:
        return "identical", ()
    ops = Levenshtein.opcodes(pw, cw)
    inner = [o for o in ops if o.tag != "equal"]
    # deletions at either end only: a contiguous part of the parent's quote
    if all(o.tag == "delete" and (o.src_start == 0 or o.src_end == len(pw)) for o in inner):
        return "trimmed", ()
    changes = []
    for o in inner:
        pa = (
            _word_text(parent.text, pt, int(pidx[o.src_start]), int(pidx[o.src_end - 1]) + 1)
            if o.src_end > o.src_start
            else ""
        )
        cb = (
            _word_text(child.text, ct, int(cidx[o.dest_start]), int(cidx[o.dest_end - 1]) + 1)
            if o.dest_end > o.dest_start
            else ""
        )
        if o.tag == "delete" and (o.src_start == 0 or o.src_end == len(pw)):
            continue  # trimmed at an end
        changes.append((o.tag, pa, cb))
    return "reworded", tuple(changes)


# -- over a whole analysis -------------------------------------------------------------


def quote_findings(
    documents: Sequence[Document],
    tokens: Mapping[str, Tokens],
    edges: Sequence[Edge],
    pairs: Sequence[Pair],
) -> QuoteFindings:
    """Every document's quotations, compared along every edge parent -> child and for
    every other pair whose passages share quoted words."""
    outlets = (
        {d.outlet for d in documents if d.outlet}
        | {d.host_outlet for d in documents if d.host_outlet}
        | {d.dateline_outlet for d in documents if d.dateline_outlet}
    )
    by_id = {d.id: d for d in documents}
    known = _known_outlets(outlets)
    quotes = {
        d.id: find_quotes(d, tokens[d.id], outlets=known) for d in documents if d.id in tokens
    }
    pair_of = {(p.a, p.b): p for p in pairs}
    matches: list[QuoteMatch] = []
    done: set[frozenset[str]] = set()
    for e in sorted(edges, key=lambda e: (e.child, e.parent)):
        if e.parent not in quotes or e.child not in quotes:
            continue
        pr = pair_of.get((e.parent, e.child)) or pair_of.get((e.child, e.parent))
        matches += compare_quotes(
            by_id[e.parent],
            by_id[e.child],
            quotes[e.parent],
            quotes[e.child],
            parent_tokens=tokens[e.parent],
            child_tokens=tokens[e.child],
            passages=pr.passages if pr else (),
            relation="edge",
            outlets=known,
        )
        done.add(frozenset((e.parent, e.child)))
    for pr in pairs:
        if frozenset((pr.a, pr.b)) in done or pr.a not in quotes or pr.b not in quotes:
            continue
        if not any(p.a_quoted_words or p.b_quoted_words for p in pr.passages):
            continue
        a, b = by_id[pr.a], by_id[pr.b]
        # the earlier document plays the parent; undated (or same-time) pairs, the longer
        # text (copies trim), then the text itself: never the ids, which carry no answer
        if _plays_parent(b, a):
            a, b = b, a
        matches += compare_quotes(
            a,
            b,
            quotes[a.id],
            quotes[b.id],
            parent_tokens=tokens[a.id],
            child_tokens=tokens[b.id],
            passages=pr.passages,
            relation="pair",
            outlets=known,
        )
    all_quotes = tuple(q for d in documents for q in quotes.get(d.id, ()))
    return QuoteFindings(all_quotes, tuple(matches))


def _plays_parent(x: Document, y: Document) -> bool:
    """Whether ``x`` rather than ``y`` is read as the source in a pair with no edge."""
    if x.date and y.date and x.date != y.date:
        try:
            return x.date < y.date
        except TypeError:  # naive against aware: fall back on the texts
            pass
    return (-len(x.text), x.text) < (-len(y.text), y.text)


# -- prose, in one place ---------------------------------------------------------------


def _clip(text: str, words: int = 12) -> str:
    w = " ".join(text.split()).split(" ")
    return " ".join(w[:words]) + (" …" if len(w) > words else "")


def describe(m: QuoteMatch, *, name: Mapping[str, str] | None = None) -> str:
    """One plain sentence for a journalist.

    >>> words = "It isn't about finishing first"
    >>> q1 = Quote("001", 0, 5, (0, 1), words, "Heckert", "named")
    >>> q2 = Quote("002", 0, 5, (0, 1), words, "Magovern", "named")
    >>> describe(QuoteMatch("misattributed", "001", "002", "edge", q2, (q1,), form="split"))
    "002 gives to Magovern the words that 001 gives to Heckert: 'It isn't about finishing first'"
    """
    n = name or {}
    par, chi = n.get(m.parent, m.parent), n.get(m.child, m.child)
    c = m.child_quote
    p = m.parent_quotes[0] if m.parent_quotes else None
    ptext = _clip(p.text) if p else ""
    ctext = _clip(c.text) if c else ""
    pwho = next((q.speaker for q in m.parent_quotes if q.speaker), None)
    if m.kind == "misattributed":
        cwho = c.speaker if c else "?"
        return f"{chi} gives to {cwho} the words that {par} gives to {pwho}: '{ctext}'"
    whose = f"{pwho}'s" if pwho else "a"
    if m.kind == "reworded":
        ch = "; ".join(
            f"'{a}' becomes '{b}'"
            if t == "replace"
            else f"adds '{b}'"
            if t in ("insert", "quoted")
            else f"leaves out '{a}'"
            for t, a, b in m.changes[:3]
        )
        return f"{chi} rewords {whose} quote from {par} ({ch}): '{ctext}'"
    if m.kind == "identical":
        return f"{chi} quotes {pwho or 'the speaker'} as {par} does: '{ctext}'"
    if m.kind == "trimmed":
        return f"{chi} quotes part of {whose} quote from {par}: '{ctext}'"
    if m.kind == "split":
        return f"{chi} splits {whose} quote from {par} in parts: '{ctext}'"
    if m.kind == "merged":
        return f"{chi} joins {len(m.parent_quotes)} quotes of {par} into one: '{ctext}'"
    if m.kind == "new":
        who = f" from {c.speaker}" if c and c.speaker else ""
        src = f", credited to {m.credit}" if m.credit else ", crediting no other outlet"
        return f"{chi} has a quote{who} that {par} lacks{src}: '{ctext}'"
    if m.kind == "dropped":
        kept = " (its words kept without quotation marks)" if m.score >= 0.8 else ""
        return f"{chi} leaves out {whose} quote from {par}{kept}: '{ptext}'"
    return f"{chi}: {m.kind} quote from {par}"
