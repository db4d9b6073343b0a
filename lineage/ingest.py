"""Reading inputs into :class:`~lineage.model.Document` records.

Files and folders go in; documents, skipped inputs and notices come out. One bad
input never sinks a run: anything that cannot be read becomes a :class:`Skipped`
with a one-line reason naming the file (and the line for JSONL/CSV rows).

Formats, by extension: ``.txt``, ``.md``, ``.html``/``.htm`` (article text through
trafilatura), ``.jsonl`` and ``.csv`` (one article per line/row, columns ``id``,
``text`` and optionally ``date``, ``outlet``, ``title``, ``url``). Inside folders other
extensions and hidden entries are ignored; a file named explicitly with an unknown
extension is read as text.

Plain text carries its metadata the way a person would read it: a short first line
without sentence punctuation is the title, a line near the top that is a date (or a
line starting with ``date 2019-05-07``) gives the date and is marked as boilerplate,
and a wire-style dateline such as ``BOSTON (WBZ) --`` names the outlet the story
says it comes from.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lineage.model import Document, Skipped

__all__ = [
    "Ingested",
    "Notice",
    "find_dateline_outlet",
    "find_text_date",
    "find_url_date",
    "guess_title",
    "iter_inputs",
    "names_time",
    "parse_date",
    "read_corpus",
]

FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".md": "md",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".csv": "csv",
}

_SNIFF_BYTES = 64 * 1024
_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class Notice(Skipped):
    """Something read but worth telling (truncated, renamed, re-decoded).

    Note: a subclass of :class:`Skipped` so that :func:`iter_inputs` can stream it
    with the same ``Document | Skipped`` type; tell them apart with ``isinstance``.
    """


@dataclass(frozen=True)
class Ingested:
    """Everything :func:`read_corpus` learned from its inputs."""

    documents: tuple[Document, ...]
    skipped: tuple[Skipped, ...]
    notices: tuple[Skipped, ...]


# --------------------------------------------------------------------------- walking


def iter_inputs(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    max_chars: int = 2_000_000,
) -> Iterator[Document | Skipped]:
    """Stream documents (and :class:`Skipped`/:class:`Notice` records) from ``paths``.

    Paths are read in the order given; folders are walked recursively in sorted
    order, following symlinks but never into a folder already visited (loops), and
    a file reached twice through links is read once. Every path is checked before
    anything is read: a missing one raises :class:`FileNotFoundError` naming it.
    Documents keep the file's id; duplicates are made unique by :func:`read_corpus`.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    given = [os.fspath(p) for p in paths]
    for p in given:
        if not os.path.lexists(p):
            raise FileNotFoundError(f"no such file or folder: {p}")
    return _iter(given, max_chars)


def _iter(given: list[str], max_chars: int) -> Iterator[Document | Skipped]:
    seen_dirs: set[str] = set()
    seen_files: dict[str, str] = {}
    for p in given:
        if os.path.isdir(p):
            files: Iterator[str | Skipped] = _walk(p, seen_dirs)
        else:
            files = iter([p])
        for item in files:
            if isinstance(item, Skipped):
                yield item
                continue
            real = os.path.realpath(item)
            if real in seen_files:
                yield Notice(item, f"{item}: same file as {seen_files[real]}; read once")
                continue
            seen_files[real] = item
            yield from _read_file(item, max_chars)


# The files every lineage report folder holds (see lineage.export).
_REPORT_FILES = frozenset({"lineage.json", "pairs.csv", "passages.jsonl"})


def _walk(folder: str, seen: set[str]) -> Iterator[str | Skipped]:
    real = os.path.realpath(folder)
    if real in seen:  # a symlink loop, or the same folder given twice
        return
    seen.add(real)
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Skipped(folder, f"{folder}: cannot list folder ({exc.strerror or exc})")
        return
    names = {e.name for e in entries}
    if _REPORT_FILES <= names:
        # our own output (``--out`` inside an input folder): its pages are not articles
        yield Notice(folder, f"{folder}: a lineage report folder; not read as input")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = os.path.join(folder, entry.name)
        try:
            is_dir = entry.is_dir()  # follows symlinks
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(path, seen)
        elif os.path.splitext(entry.name)[1].lower() in FORMATS:
            yield path


def _read_file(path: str, max_chars: int) -> Iterator[Document | Skipped]:
    if not os.path.exists(path):
        yield Skipped(path, f"{path}: broken symlink")
        return
    if not os.path.isfile(path):
        yield Skipped(path, f"{path}: not a regular file")
        return
    fmt = FORMATS.get(os.path.splitext(path)[1].lower(), "txt")
    try:
        if fmt == "jsonl":
            yield from _read_jsonl(path, max_chars)
        elif fmt == "csv":
            yield from _read_csv(path, max_chars)
        elif fmt == "html":
            yield from _read_html(path, max_chars)
        else:
            yield from _read_plain(path, fmt, max_chars)
    except OSError as exc:
        yield Skipped(path, f"{path}: cannot read ({exc.strerror or exc})")


# --------------------------------------------------------------------------- decoding


def _sniff(head: bytes) -> str | None:
    """The encoding to try first, from the first bytes; ``None`` for binary data."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in head:
        # UTF-16 without a BOM puts a NUL beside every ASCII character, always on the
        # same side; binary formats (PNG, zip, ...) scatter them.
        even, odd = head[0::2], head[1::2]
        if odd and odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
            return "utf-16-le"
        if even and even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
            return "utf-16-be"
        return None
    controls = sum(1 for b in head if b < 32 and b not in b"\t\n\r\f\v\x1b")
    if head and controls > 0.02 * len(head):
        return None
    return "utf-8"


def _looks_binary(text: str) -> bool:
    sample = text[:_SNIFF_BYTES]
    if not sample:
        return False
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\n\r\f\v\x1b") or c == "\ufffd")
    return bad > 0.02 * len(sample)


def _choose_encoding(path: str, limit: int | None) -> tuple[str | None, bool]:
    """(encoding, fell_back): the first encoding that decodes the file's first
    ``limit`` bytes (all when ``None``), read in chunks so memory stays bounded."""
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
        first = _sniff(head)
        if first is None:
            return None, False
        if first != "utf-8":
            return first, False
        for enc in ("utf-8", "cp1252"):
            fh.seek(0)
            decoder = codecs.getincrementaldecoder(enc)("strict")
            read = 0
            try:
                while limit is None or read < limit:
                    chunk = fh.read(_CHUNK_BYTES)
                    read += len(chunk)
                    decoder.decode(chunk, final=not chunk)
                    if not chunk:
                        break
            except UnicodeDecodeError:
                continue
            return enc, enc != "utf-8"
        return "latin-1", True


def _open_text(path: str, fmt: str, limit: int | None) -> tuple[Any, list[Skipped]] | Skipped:
    """An open text stream with universal newlines, or why there is none."""
    if os.path.getsize(path) == 0:
        return Skipped(path, f"{path}: empty file")
    enc, fell_back = _choose_encoding(path, limit)
    if enc is None:
        return Skipped(path, f"{path}: binary file")
    notes: list[Skipped] = []
    if fell_back:
        notes.append(Notice(path, f"{path}: not valid UTF-8, read as {enc}"))
    newline = "" if fmt == "csv" else None
    return open(path, encoding=enc, errors="replace", newline=newline), notes


def _cut(text: str, max_chars: int) -> str:
    """``text`` cut to at most ``max_chars``, at a paragraph boundary when there is one."""
    if len(text) <= max_chars:
        return text
    floor = max_chars // 2
    for sep in ("\n\n", "\n", " "):
        at = text.rfind(sep, 0, max_chars + 1)
        if at >= floor:
            return text[:at].rstrip()
    return text[:max_chars]


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- formats


def _read_plain(path: str, fmt: str, max_chars: int) -> Iterator[Document | Skipped]:
    opened = _open_text(path, fmt, max_chars * 4 + _CHUNK_BYTES)
    if isinstance(opened, Skipped):
        yield opened
        return
    fh, notes = opened
    with fh:
        # Text mode reads characters, so this never holds more than max_chars + 1 of them.
        text = fh.read(max_chars + 1)
        more = len(text) > max_chars
    if _looks_binary(text):
        yield Skipped(path, f"{path}: binary file")
        return
    if not text.strip():
        yield Skipped(path, f"{path}: {'empty file' if not text else 'only whitespace'}")
        return
    yield from notes
    if more:
        text = _cut(text, max_chars)
        size = os.path.getsize(path)
        yield Notice(
            path,
            f"{path}: larger than {max_chars:,} characters ({size:,} bytes); "
            f"truncated to {len(text):,} characters at a paragraph boundary",
        )
    yield _text_document(id=Path(path).stem, text=text, path=path, source_format=fmt, line=None)


def _read_html(path: str, max_chars: int) -> Iterator[Document | Skipped]:
    # Markup outweighs text several times over; read enough of it for max_chars of text.
    limit = max_chars * 4
    opened = _open_text(path, "html", limit * 4)
    if isinstance(opened, Skipped):
        yield opened
        return
    fh, notes = opened
    with fh:
        html = fh.read(limit + 1)
    if _looks_binary(html):
        yield Skipped(path, f"{path}: binary file")
        return
    if not html.strip():
        yield Skipped(path, f"{path}: {'empty file' if not html else 'only whitespace'}")
        return
    yield from notes
    if len(html) > limit:
        html = html[:limit]
        yield Notice(path, f"{path}: larger than {limit:,} characters; only the start was parsed")
    extracted = _extract_html(html)
    if extracted is None:
        yield Skipped(path, f"{path}: no article text found")
        return
    text, meta = extracted
    if len(text) > max_chars:
        text = _cut(text, max_chars)
        yield Notice(path, f"{path}: article truncated to {len(text):,} characters")
    date, day_only = _date_of(str(meta["date"])) if meta.get("date") else (None, False)
    yield _text_document(
        id=Path(path).stem,
        text=text,
        path=path,
        source_format="html",
        line=None,
        title=meta.get("title"),
        outlet=meta.get("sitename"),
        date=date,
        day_only=day_only,
        url=meta.get("url"),
    )


def _extract_html(html: str) -> tuple[str, dict[str, str | None]] | None:
    """Article text and metadata of an HTML page, or ``None`` when it has no article.

    Note: trafilatura's balanced mode falls back to whatever prose a page has (a
    cookie banner on a page without an article), so a precision-mode pass decides
    whether there is an article at all and the balanced pass gives its text.
    """
    import trafilatura  # heavy: imported only when a page is read

    def run(**kw: Any) -> Any:
        return trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            deduplicate=False,
            date_extraction_params={"extensive_search": True, "original_date": True},
            **kw,
        )

    strict = run(favor_precision=True)
    if strict is None or not _has_prose(strict.text or ""):
        return None
    doc = run()
    if doc is None or not _has_prose(doc.text or ""):
        doc = strict
    lines = (ln.strip() for ln in _normalize_newlines(doc.text).split("\n"))
    text = "\n\n".join(ln for ln in lines if ln)
    meta = {
        "title": (doc.title or "").strip() or None,
        "sitename": (doc.sitename or "").strip() or None,
        "date": doc.date,
        "url": doc.url,
    }
    return text, meta


def _has_prose(text: str) -> bool:
    """At least one line that reads like a sentence (enough words)."""
    return any(len(line.split()) >= 6 for line in text.splitlines())


def _read_jsonl(path: str, max_chars: int) -> Iterator[Document | Skipped]:
    opened = _open_text(path, "jsonl", None)
    if isinstance(opened, Skipped):
        yield opened
        return
    fh, notes = opened
    stem = Path(path).stem
    # JSON escapes can make a line several times longer than its text.
    limit = max_chars * 6 + 65_536
    any_line = False
    with fh:
        yield from notes
        lineno = 0
        while True:
            raw = fh.readline(limit)
            if not raw:
                break
            lineno += 1
            if len(raw) >= limit and not raw.endswith("\n"):
                while raw and not raw.endswith("\n"):  # drain the rest of the line
                    raw = fh.readline(limit)
                yield Skipped(
                    path, f"{path}:{lineno}: line longer than {limit:,} characters", lineno
                )
                continue
            if not raw.strip():
                continue
            any_line = True
            try:
                obj = json.loads(raw)
            except ValueError as exc:
                yield Skipped(path, f"{path}:{lineno}: not JSON ({_first_line(exc)})", lineno)
                continue
            if not isinstance(obj, dict):
                kind = _JSON_KINDS.get(type(obj), "not an object")
                yield Skipped(path, f"{path}:{lineno}: not a JSON object ({kind})", lineno)
                continue
            yield from _record(
                obj, path=path, stem=stem, line=lineno, fmt="jsonl", max_chars=max_chars
            )
    if not any_line:
        yield Skipped(path, f"{path}: no JSON lines")


def _read_csv(path: str, max_chars: int) -> Iterator[Document | Skipped]:
    opened = _open_text(path, "csv", None)
    if isinstance(opened, Skipped):
        yield opened
        return
    fh, notes = opened
    stem = Path(path).stem
    # Note: the csv field limit is process-wide; it is only ever raised, never lowered,
    # so other readers are unaffected. Longer fields end the file with a reason.
    need = max_chars * 2 + 65_536
    if csv.field_size_limit() < need:
        csv.field_size_limit(need)
    with fh:
        yield from notes
        reader = csv.reader(fh)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            yield Skipped(path, f"{path}:1: unreadable CSV header ({exc})", 1)
            return
        if header is None or not any(h.strip() for h in header):
            yield Skipped(path, f"{path}: empty file")
            return
        names = [h.strip().lstrip("\ufeff").lower() for h in header]
        if "text" not in names:
            cols = ", ".join(h for h in names if h) or "none"
            yield Skipped(path, f"{path}: no 'text' column (columns: {cols})")
            return
        last = reader.line_num
        while True:
            start = last + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                yield Skipped(
                    path, f"{path}:{start}: bad CSV ({exc}); rest of file not read", start
                )
                return
            last = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            obj = {name: value for name, value in zip(names, row, strict=False) if name}
            yield from _record(
                obj, path=path, stem=stem, line=start, fmt="csv", max_chars=max_chars
            )


_JSON_KINDS: dict[type, str] = {
    type(None): "null",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "an object",
}


def _record(
    obj: dict[str, Any], *, path: str, stem: str, line: int, fmt: str, max_chars: int
) -> Iterator[Document | Skipped]:
    """One JSONL line or CSV row as a document."""
    where = f"{path}:{line}"
    if "text" not in obj:
        yield Skipped(path, f'{where}: no "text" field', line)
        return
    text = obj["text"]
    if not isinstance(text, str):
        kind = _JSON_KINDS.get(type(text), "not a string")
        yield Skipped(path, f'{where}: "text" is {kind}', line)
        return
    text = _normalize_newlines(text)
    if not text.strip():
        yield Skipped(path, f"{where}: empty text", line)
        return
    raw_id = obj.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int, float)):
        raw_id = None
    doc_id = str(raw_id).strip() if raw_id is not None else ""
    if not doc_id:
        doc_id = f"{stem}:{line}"
    if len(text) > max_chars:
        text = _cut(text, max_chars)
        yield Notice(path, f"{where}: text truncated to {len(text):,} characters", line)
    date, day_only = None, False
    raw_date = obj.get("date")
    if isinstance(raw_date, str) and raw_date.strip():
        date, day_only = _date_of(raw_date)
        if date is None:
            yield Notice(path, f"{where}: date {raw_date.strip()[:40]!r} not understood", line)
    yield _text_document(
        id=doc_id,
        text=text,
        path=path,
        source_format=fmt,
        line=line,
        title=_field(obj, "title"),
        outlet=_field(obj, "outlet"),
        date=date,
        day_only=day_only,
        url=_field(obj, "url"),
    )


def _field(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _text_document(
    *,
    id: str,
    text: str,
    path: str,
    source_format: str,
    line: int | None,
    title: str | None = None,
    outlet: str | None = None,
    date: dt.datetime | None = None,
    day_only: bool = False,
    url: str | None = None,
) -> Document:
    """A document, with what the text itself says filling in missing metadata: a date
    near the top of the text, else a date in the URL's path (a whole day)."""
    found = find_text_date(text)
    spans: tuple[tuple[int, int], ...] = ()
    if found is not None:
        spans = (found[1],)
        if date is None:
            date = found[0]
            day_only = not names_time(text[slice(*found[1])])
    if date is None and url:
        date = find_url_date(url)
        day_only = date is not None
    if title is None:
        title = guess_title(text, skip=spans)
    dateline = find_dateline_outlet(text)
    return Document(
        id=id,
        text=text,
        path=path,
        title=title,
        outlet=outlet or dateline,
        date=date,
        day_only=day_only,
        url=url,
        dateline_outlet=dateline,
        boilerplate=spans,
        source_format=source_format,
        line=line,
    )


# --------------------------------------------------------------------------- metadata

_TOP_LINES = 6
_TERMINAL = ".!?…:;,"
_CLOSERS = "\"'”’)]»"
# An ISO date at the start of a line, after at most one label word ("date", "Posted:").
_ISO_PREFIX = re.compile(
    r"[ \t]*(?:(?P<label>[^\W\d_]{2,20}):?[ \t]+)?"
    r"(?P<date>\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)?)(?=\s|$)"
)
_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)")
# "BOSTON (WBZ) --", "WASHINGTON, March 5 (Reuters) -", "CAPE CANAVERAL, Fla. (AP) —"
_DATELINE = re.compile(
    r"[ \t]*(?P<city>[A-Z][A-Z'.\-]+(?:[ \t]+[A-Z][A-Z'.\-]+){0,3})"
    r"(?:,[ \t]*[^()\n]{1,30}?)?[ \t]*"
    r"\((?P<outlet>[A-Za-z][^()\n]{0,40}?)\)[ \t]*(?:-{1,3}|—|–|:)(?=\s)"
)
_DATE_SETTINGS: dict[str, Any] = {
    # Fixed, so a relative word can never become today's date; relative parsers are off.
    "RELATIVE_BASE": dt.datetime(2000, 1, 1),
    "PREFER_DATES_FROM": "past",
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["custom-formats", "absolute-time"],
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": False,
}


def parse_date(value: str) -> dt.datetime | None:
    """A date string as a naive datetime (UTC when it named a zone), or ``None``.

    Only absolute dates with day, month and year count: "Sunday" or "yesterday" are
    not dates here, so the result never depends on when the run happens. English is
    tried first; other languages only when English finds nothing.

    >>> parse_date("2019-05-07")
    datetime.datetime(2019, 5, 7, 0, 0)
    >>> parse_date("May 9, 2019, 6:45 PM")
    datetime.datetime(2019, 5, 9, 18, 45)
    >>> parse_date("Sunday") is None
    True
    """
    return _parse_first([value])


# a time of day in a date string: "18:45", "6:45 PM", "6 p.m.", ISO's "T18"
_TIME = re.compile(r"\d:\d\d|\d\s*[ap]\.?\s?m\b\.?|\dT\d", re.IGNORECASE)


def _date_of(value: str) -> tuple[dt.datetime | None, bool]:
    """:func:`parse_date` of ``value``, and whether the date names only a day."""
    date = parse_date(value)
    return date, date is not None and not names_time(value)


def names_time(value: str) -> bool:
    """Whether a date string gives a time of day, not just the day.

    >>> names_time("May 9, 2019, 6:45 PM"), names_time("2019-05-07"), names_time("2019-05-07T18")
    (True, False, True)
    """
    return _TIME.search(value) is not None


# a date in a URL's path, year-month-day: /2019/05/07/, /2019-05-07-slug (as htmldate reads
# them); a bare 8-digit run is too often an id to be read as a date
_URL_DATE = re.compile(r"\D((?:19|20)\d\d)[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?:\D|$)")


def find_url_date(url: str) -> dt.datetime | None:
    """The day a URL's path names, if any (its host is left out: no date there).

    >>> find_url_date("https://example.com/news/2019/05/07/two-runners-finish-together")
    datetime.datetime(2019, 5, 7, 0, 0)
    >>> find_url_date("https://example.com/story/20190507123") is None
    True
    """
    try:
        path = urlsplit(url.strip()).path
    except ValueError:  # a malformed URL ("http://[::1")
        return None
    m = _URL_DATE.search(path)
    if m is None:
        return None
    try:
        return dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:  # 2019/02/30
        return None


def _parse_first(values: Iterable[str]) -> dt.datetime | None:
    """The first of ``values`` that is a date, trying them all in English first."""
    cleaned = [v for v in (" ".join(x.split()) for x in values) if v and len(v) <= 80]
    for value in cleaned:
        try:
            iso = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            continue
        return _naive(iso)
    cleaned = [v for v in cleaned if _YEAR.search(v)]
    if not cleaned:
        return None
    for languages in (["en"], _OTHER_LANGUAGES):
        for value in cleaned:
            got = _dateparse(value, tuple(languages))
            if got is not None:
                return _naive(got)
    return None


# Trying all of dateparser's ~200 locales costs ~0.1 s a line; the common languages of
# the news cost a few milliseconds. A date in another language stays unread.
_OTHER_LANGUAGES = ["fr", "de", "es", "it", "pt", "nl"]


@functools.lru_cache(maxsize=4096)
def _dateparse(value: str, languages: tuple[str, ...]) -> dt.datetime | None:
    import dateparser  # heavy: only when a non-ISO date turns up

    return dateparser.parse(value, languages=list(languages), settings=_DATE_SETTINGS)


def _naive(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _top_lines(text: str, limit: int = _TOP_LINES) -> Iterator[tuple[int, int]]:
    """(start, end) of the first ``limit`` non-empty lines, whitespace excluded."""
    pos = 0
    found = 0
    while pos <= len(text) and found < limit:
        end = text.find("\n", pos)
        if end < 0:
            end = len(text)
        raw = text[pos:end]
        if raw.strip():
            lead = len(raw) - len(raw.lstrip())
            yield pos + lead, pos + len(raw.rstrip())
            found += 1
        pos = end + 1


def find_text_date(text: str) -> tuple[dt.datetime, tuple[int, int]] | None:
    """A date stated near the top of ``text`` and the span it occupies.

    Either a line that starts with an ISO date after at most one label word
    (``date 2021-10-04 BOSTON ...``: the span is just the prefix), or a short
    line that is a date as a whole (``May 9, 2019, 6:45 PM``).

    >>> find_text_date(" date 2021-10-04 BOSTON (WBZ) — A photo of two runners")
    (datetime.datetime(2021, 10, 4, 0, 0), (1, 16))
    """
    for start, end in _top_lines(text):
        line = text[start:end]
        m = _ISO_PREFIX.match(line)
        if m is not None:
            got = parse_date(m.group("date"))
            if got is not None:
                return got, (
                    start + m.start("label" if m.group("label") else "date"),
                    start + m.end("date"),
                )
        if len(line) <= 60 and len(line.split()) <= 8 and _YEAR.search(line):
            # the line as a whole, or after one label word ("Published: May 9, 2019")
            got = _parse_first([line, *line.split(None, 1)[1:]])
            if got is not None:
                return got, (start, end)
    return None


def guess_title(text: str, *, skip: Iterable[tuple[int, int]] = ()) -> str | None:
    """The headline a reader would see: the first line, if it is shaped like one.

    Lines inside ``skip`` spans (boilerplate) and date lines are passed over; the
    first other line is the only candidate. It must be short, standalone (more
    text follows), start with a capital, and not end like a sentence.

    >>> guess_title("Runners Finish Together\\n\\nTwo strangers crossed the line.")
    'Runners Finish Together'
    >>> guess_title("Two strangers crossed the line.\\n\\nThey had met at mile 14.") is None
    True
    """
    spans = list(skip)
    for start, end in _top_lines(text):
        if any(s <= start and end <= e for s, e in spans):
            continue
        line = text[start:end]
        if find_text_date(line) is not None and len(line.split()) <= 8:
            continue
        line = line.lstrip("#").strip()  # a Markdown heading
        if not text[end:].strip():
            return None  # nothing after it: not a title but the whole text
        words = line.split()
        if not 2 <= len(words) <= 25 or len(line) > 200:
            return None
        first = next((c for c in line if c.isalnum()), "")
        if not first or not (first.isupper() or first.isdigit()):
            return None
        tail = line.rstrip(_CLOSERS)
        if tail and tail[-1] in _TERMINAL and tail[-1] not in "?!":
            return None
        if _DATELINE.match(line):
            return None
        return " ".join(words)
    return None


def find_dateline_outlet(text: str) -> str | None:
    """The outlet a wire-style dateline names at the start of the body.

    >>> find_dateline_outlet("BOSTON (WBZ) -- A photo of two runners ...")
    'WBZ'
    >>> find_dateline_outlet("WASHINGTON, March 5 (Reuters) - The U.S. Senate ...")
    'Reuters'
    """
    for start, end in _top_lines(text):
        line = text[start:end]
        m = _ISO_PREFIX.match(line)
        if m is not None:
            line = line[m.end() :]
        d = _DATELINE.match(line)
        if d is None:
            continue
        outlet = " ".join(d.group("outlet").split())
        if any(c.isupper() for c in outlet):
            return outlet
    return None


# --------------------------------------------------------------------------- corpus


def read_corpus(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    max_chars: int = 2_000_000,
    progress: Callable[[int], None] | None = None,
) -> Ingested:
    """Read every input; duplicate ids become ``id~2``, ``id~3``... with a notice each.

    ``progress(documents_read)`` is called every 500 documents (the total is not known
    before the walk ends)."""
    documents: list[Document] = []
    skipped: list[Skipped] = []
    notices: list[Skipped] = []
    for item in iter_inputs(paths, max_chars=max_chars):
        if isinstance(item, Document):
            documents.append(item)
            if progress and len(documents) % 500 == 0:
                progress(len(documents))
        elif isinstance(item, Notice):
            notices.append(item)
        else:
            skipped.append(item)
    taken = {d.id for d in documents}
    used: set[str] = set()
    unique: list[Document] = []
    for doc in documents:
        if doc.id not in used:
            used.add(doc.id)
            unique.append(doc)
            continue
        k = 2
        while f"{doc.id}~{k}" in used or f"{doc.id}~{k}" in taken:
            k += 1
        new = f"{doc.id}~{k}"
        used.add(new)
        unique.append(replace(doc, id=new))
        where = doc.path if doc.line is None else f"{doc.path}:{doc.line}"
        notices.append(
            Notice(doc.path, f"{where}: duplicate id {doc.id!r} renamed to {new!r}", doc.line)
        )
    return Ingested(tuple(unique), tuple(skipped), tuple(notices))
