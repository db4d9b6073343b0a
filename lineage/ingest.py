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
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from lineage.model import Document, Skipped

__all__ = [
    "FIELD_LIMITS",
    "FORMATS",
    "Ignored",
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
    "show_path",
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
class Ignored(Notice):
    """A file inside a folder that is not of a supported type (``.pdf``, ``.docx``...)."""


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
    follow_links: bool = False,
    exclude: Iterable[str | os.PathLike[str]] = (),
) -> Iterator[Document | Skipped]:
    """Stream documents (and :class:`Skipped`/:class:`Notice` records) from ``paths``.

    Paths are read in the order given; folders are walked recursively in sorted
    order, never into a folder already visited (loops), and a file reached twice
    through links is read once. A symlink found in a folder whose target lies outside
    every folder given is listed as skipped unless ``follow_links``; a path named
    explicitly is always read. Folders in ``exclude`` (the report folder) are left out;
    when one of them is a folder given, only lineage's own files in it are. Every path
    is checked before anything is read: a missing one raises :class:`FileNotFoundError`
    naming it.

    A document's id is its path relative to the folder given, without extension
    (``Hotel/3``); a file given by name is its stem. Duplicates are made unique by
    :func:`read_corpus`. Every string is valid Unicode: see :func:`show_path`.
    """
    return (item for item, _ in _inputs(paths, max_chars, follow_links, exclude))


def _inputs(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    max_chars: int,
    follow_links: bool,
    exclude: Iterable[str | os.PathLike[str]],
) -> Iterator[tuple[Document | Skipped, tuple[str, ...]]]:
    """What :func:`iter_inputs` yields, each with the other names a document may take
    if its id is taken (checked now, before the first item is asked for)."""
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    given = [os.fspath(p) for p in paths]
    for p in given:
        if not os.path.lexists(p):
            raise FileNotFoundError(f"no such file or folder: {show_path(p)}")
    walk = _Walk(
        roots=tuple(os.path.realpath(p) for p in given if os.path.isdir(p)),
        follow_links=follow_links,
        exclude=frozenset(os.path.realpath(os.fspath(p)) for p in exclude),
    )
    return _iter(given, max_chars, walk)


@dataclass
class _Walk:
    """What a walk knows besides the folder it is in."""

    roots: tuple[str, ...]
    follow_links: bool
    exclude: frozenset[str]
    seen: set[str] = field(default_factory=set)

    def inside(self, real: str) -> bool:
        """Whether a resolved path lies in one of the folders given."""
        return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in self.roots)


def _iter(
    given: list[str], max_chars: int, walk: _Walk
) -> Iterator[tuple[Document | Skipped, tuple[str, ...]]]:
    seen_files: dict[str, str] = {}
    for root, p in enumerate(given):
        if os.path.isdir(p):
            label = os.path.basename(os.path.realpath(p)) or p
            files: Iterator[tuple[str, str] | Skipped] = _walk(p, "", walk)
        else:
            label = os.path.basename(os.path.dirname(os.path.realpath(p)))
            files = iter([(p, os.path.basename(os.path.normpath(p)))])
        for item in files:
            if isinstance(item, Skipped):
                yield _clean_record(item), ()
                continue
            path, rel = item
            real = os.path.realpath(path)
            if real in seen_files:
                note = Notice(path, f"{path}: same file as {seen_files[real]}; read once")
                yield _clean_record(note), ()
                continue
            seen_files[real] = path
            doc_id = os.path.splitext(rel)[0] or rel
            # which input it came from, then its other names: with its extension, with the
            # name of the folder given in front, with both
            names = (rel, f"{label}/{doc_id}", f"{label}/{rel}")
            alts = (str(root), *(show_path(x) for x in names))
            for got in _read_file(path, doc_id, max_chars):
                yield got, alts if isinstance(got, Document) and got.line is None else ()


# The files every lineage report folder holds (see lineage.export), and the names
# lineage writes at the top of one: a report folder given as input (``--out`` being the
# input folder itself) is read without them.
_REPORT_FILES = frozenset({"lineage.json", "pairs.csv"})
_OUTPUT_FILES = _REPORT_FILES | {
    "documents.csv",
    "edges.csv",
    "index.html",
    "quotes.jsonl",
    "passages.jsonl",
    "quotes.jsonl.gz",
    "passages.jsonl.gz",
}
# lineage's own pages say so in their first bytes (lineage/report/templates/base.html.j2)
_PAGE_MARKS = (b'http-equiv="Content-Security-Policy"', b'report.css">')
# passim's input (lineage.interchange) is JSON lines, a format read as a corpus
_OUTPUT_FILES = _OUTPUT_FILES | {"passim.jsonl"}


def _is_report_page(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(2048)
    except OSError:
        return False
    return all(m in head for m in _PAGE_MARKS)


def _walk(folder: str, rel: str, walk: _Walk) -> Iterator[tuple[str, str] | Skipped]:
    """(path, id) of every input file under ``folder``, ``rel`` its path from the root."""
    real = os.path.realpath(folder)
    if real in walk.seen:  # a symlink loop, or the same folder given twice
        return
    walk.seen.add(real)
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Skipped(folder, f"{folder}: cannot list folder ({exc.strerror or exc})")
        return
    names = {e.name for e in entries}
    ours = False  # a report folder read as input: leave out what lineage wrote
    if real in walk.exclude or _REPORT_FILES <= names:
        if rel:
            # our own output (``--out`` inside an input folder): its pages are not articles
            yield Notice(folder, f"{folder}: a lineage report folder; not read as input")
            return
        ours = True
        yield Notice(folder, f"{folder}: a lineage report folder; its own files not read")
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = os.path.join(folder, entry.name)
        sub = f"{rel}/{entry.name}" if rel else entry.name
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir()  # follows symlinks
        except OSError:
            is_link, is_dir = False, False
        ext = os.path.splitext(entry.name)[1].lower()
        if not is_dir and ext not in FORMATS:
            if not ours:
                yield Ignored(
                    path, f"{path}: not a supported type ({ext or 'no extension'}); ignored"
                )
            continue
        if ours and (
            entry.name in _OUTPUT_FILES or (ext in (".html", ".htm") and _is_report_page(path))
        ):
            continue
        if is_link and not walk.follow_links:
            target = os.path.realpath(path)
            if os.path.exists(target) and not walk.inside(target):
                yield Skipped(
                    path,
                    f"{path}: a symlink to {target}, outside the input folder; "
                    "not followed (--follow-links reads it)",
                )
                continue
        if is_dir:
            yield from _walk(path, sub, walk)
        elif ext in (".html", ".htm") and _is_report_page(path):
            continue  # a page lineage wrote (an old report folder, moved): not an article
        else:
            yield path, sub


def _read_file(path: str, doc_id: str, max_chars: int) -> Iterator[Document | Skipped]:
    shown = show_path(path)
    if shown != path:
        yield Notice(shown, f"{shown}: file name is not valid UTF-8; shown with \\x escapes")
    doc_id = show_path(doc_id)
    for item in _read_raw(path, doc_id, max_chars):
        if isinstance(item, Document):
            yield from _clean_document(item, shown=shown)
        else:
            yield _clean_record(item, path=path, shown=shown)


def _read_raw(path: str, doc_id: str, max_chars: int) -> Iterator[Document | Skipped]:
    if not os.path.exists(path):
        yield Skipped(path, f"{path}: broken symlink")
        return
    if not os.path.isfile(path):
        yield Skipped(path, f"{path}: not a regular file")
        return
    fmt = FORMATS.get(os.path.splitext(path)[1].lower(), "txt")
    try:
        if fmt == "jsonl":
            yield from _read_jsonl(path, doc_id, max_chars)
        elif fmt == "csv":
            yield from _read_csv(path, doc_id, max_chars)
        elif fmt == "html":
            yield from _read_html(path, doc_id, max_chars)
        else:
            yield from _read_plain(path, doc_id, fmt, max_chars)
    except OSError as exc:
        yield Skipped(path, f"{path}: cannot read ({exc.strerror or exc})")
    except Exception as exc:  # noqa: BLE001
        # The last wall: a reader that meets an input nobody foresaw loses that file
        # (and says why), never the run. Every known case has its own reason above it.
        yield Skipped(path, f"{path}: cannot read ({type(exc).__name__}: {_first_line(exc)})")


# --------------------------------------------------------------------------- valid Unicode

_SURROGATE = re.compile("[\ud800-\udfff]")


def show_path(path: str) -> str:
    """``path`` as valid Unicode: bytes of a non-UTF-8 file name become ``\\xe9``.

    Python reads such a name as lone surrogates (PEP 383), which no UTF-8 writer takes;
    the escaped form still tells a person which file it is.

    >>> show_path("caf\\udce9.txt")
    'caf\\\\xe9.txt'
    """
    if _SURROGATE.search(path) is None:
        return path
    try:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    except UnicodeError:  # a surrogate that is no escaped byte
        return _SURROGATE.sub("\ufffd", path)


def _valid(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (one for one: offsets hold)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _clean_record(item: Skipped, *, path: str = "", shown: str = "") -> Skipped:
    """``item`` with its path shown by :func:`show_path` and valid Unicode throughout."""
    s = show_path(item.path)
    reason = item.reason.replace(item.path, s) if s != item.path else item.reason
    if path != shown:
        reason = reason.replace(path, shown)
    return type(item)(_valid(s), _valid(reason), item.line)


# Metadata longer than this is cut, with a notice: a 1 MB title would make a 10 MB index.
FIELD_LIMITS: dict[str, int] = {"id": 300, "title": 300, "outlet": 200, "url": 2000}


def _clean_document(doc: Document, *, shown: str) -> Iterator[Document | Skipped]:
    """The document with valid Unicode everywhere and metadata of bounded length."""
    where = shown if doc.line is None else f"{shown}:{doc.line}"
    changes: dict[str, Any] = {}
    fixed = []
    for name in ("id", "text", "title", "outlet", "url", "dateline_outlet", "host_outlet"):
        value = changes.get(name, getattr(doc, name))
        if value is None:
            continue
        clean = _valid(value)
        if clean is not value and clean != value:
            fixed.append(name)
        changes[name] = clean
    if fixed:
        yield Notice(
            shown,
            f"{where}: lone surrogates in {', '.join(fixed)} replaced by U+FFFD",
            doc.line,
        )
    for name, limit in FIELD_LIMITS.items():
        value = changes.get(name)
        if value is not None and len(value) > limit:
            cut = value[: limit - 1].rstrip() + "…"
            if name == "id":
                # cut ids stay apart: a short hash of the whole id goes after the cut
                digest = hashlib.sha1(value.encode()).hexdigest()[:10]
                cut = f"{value[: limit - 11]}…{digest}"
            changes[name] = cut
            yield Notice(
                shown,
                f"{where}: {name} of {len(value):,} characters cut to {limit:,}",
                doc.line,
            )
    changes["path"] = _valid(shown)
    yield replace(doc, **changes)


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
        # same side; binary formats (PNG, zip, ...) scatter them among other control
        # bytes, so a text with a few stray NULs is still text (the NULs are dropped).
        even, odd = head[0::2], head[1::2]
        if odd and odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
            return "utf-16-le"
        if even and even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
            return "utf-16-be"
    controls = sum(1 for b in head if b < 32 and b not in b"\t\n\r\f\v\x1b")
    if head and controls > 0.02 * len(head):
        return None
    return "utf-8"


def _looks_binary(text: str, nuls: int = 0) -> bool:
    """Whether decoded text is binary data: many control or undecodable characters
    (``nuls`` NULs already dropped from it count too)."""
    sample = text[:_SNIFF_BYTES]
    if not sample:
        return nuls > 0
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\n\r\f\v\x1b") or c == "\ufffd")
    return bad + min(nuls, len(sample)) > 0.02 * (len(sample) + min(nuls, len(sample)))


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
    return _NulDropping(open(path, encoding=enc, errors="replace", newline=newline)), notes


class _NulDropping:
    """A text stream that drops NUL characters and counts them.

    Note: a NUL is never text. A stray one (a copy from a C program, a cell padded by a
    database export) used to make the whole file count as binary; now it is dropped, and
    the reader says how many were.
    """

    def __init__(self, fh: Any) -> None:
        self._fh = fh
        self.dropped = 0

    def _drop(self, s: str) -> str:
        if "\0" in s:
            self.dropped += s.count("\0")
            s = s.replace("\0", "")
        return s

    def read(self, n: int = -1) -> str:
        return self._drop(self._fh.read(n))

    def readline(self, n: int = -1) -> str:
        return self._drop(self._fh.readline(n))

    def __iter__(self) -> Iterator[str]:
        for line in self._fh:
            yield self._drop(line)

    def __enter__(self) -> _NulDropping:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()

    def notice(self, path: str) -> Iterator[Skipped]:
        if self.dropped:
            yield Notice(path, f"{path}: {_count(self.dropped, 'NUL character')} dropped")


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


def _read_plain(path: str, doc_id: str, fmt: str, max_chars: int) -> Iterator[Document | Skipped]:
    opened = _open_text(path, fmt, max_chars * 4 + _CHUNK_BYTES)
    if isinstance(opened, Skipped):
        yield opened
        return
    fh, notes = opened
    with fh:
        # Text mode reads characters, so this never holds more than max_chars + 1 of them.
        text = fh.read(max_chars + 1)
        more = len(text) > max_chars
    if _looks_binary(text, fh.dropped):
        yield Skipped(path, f"{path}: binary file")
        return
    if not text.strip():
        yield Skipped(path, f"{path}: {'empty file' if not text else 'only whitespace'}")
        return
    yield from notes
    yield from fh.notice(path)
    if more:
        text = _cut(text, max_chars)
        size = os.path.getsize(path)
        yield Notice(
            path,
            f"{path}: larger than {max_chars:,} characters ({size:,} bytes); "
            f"truncated to {len(text):,} characters at a paragraph boundary",
        )
    yield _text_document(id=doc_id, text=text, path=path, source_format=fmt, line=None)


def _read_html(path: str, doc_id: str, max_chars: int) -> Iterator[Document | Skipped]:
    # Markup outweighs text several times over; read enough of it for max_chars of text.
    limit = max_chars * 4
    opened = _open_text(path, "html", limit * 4)
    if isinstance(opened, Skipped):
        yield opened
        return
    fh, notes = opened
    with fh:
        html, inlined, stopped = _read_markup(fh, limit + 1)
    if _looks_binary(html, fh.dropped):
        yield Skipped(path, f"{path}: binary file")
        return
    if not html.strip():
        yield Skipped(path, f"{path}: {'empty file' if not html else 'only whitespace'}")
        return
    yield from notes
    yield from fh.notice(path)
    if inlined:
        what = _count(inlined, "inline data: URI")
        yield Notice(path, f"{path}: {what} (images, fonts) left out")
    if stopped:
        yield Notice(
            path, f"{path}: more than {limit * _RAW_FACTOR:,} characters; only the start was read"
        )
    if len(html) > limit:
        html = html[:limit]
        yield Notice(path, f"{path}: larger than {limit:,} characters; only the start was parsed")
    try:
        extracted = _extract_html(html)
    except RecursionError:  # a tree too deep for lxml's walkers: read flat below
        extracted = None
    if extracted is None:
        depth = _nesting_depth(html)
        if depth > _MAX_TREE_DEPTH:
            # Note: libxml2 (under lxml and trafilatura) stops building the tree at 256
            # levels, so a page nested deeper loses its article; read its text flat.
            text = _flat_text(html)
            if _has_prose(text):
                yield Notice(path, f"{path}: markup nested {depth:,} levels deep; text read flat")
                extracted = text, {"title": _flat_title(html)}
        if extracted is None:
            yield Skipped(path, f"{path}: no article text found")
            return
    text, meta = extracted
    if len(text) > max_chars:
        text = _cut(text, max_chars)
        yield Notice(path, f"{path}: article truncated to {len(text):,} characters")
    date, day_only = _date_of(str(meta["date"])) if meta.get("date") else (None, False)
    yield _text_document(
        id=doc_id,
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


# A data: URI in an attribute or a CSS url(): "single file" page savers inline every image
# and font this way, and 12 MB of base64 before the article used to push it past the cut.
_DATA_URI = re.compile(r"""(?:=[ \t\n]*(["'])|url\([ \t\n]*(["']?))data:""", re.IGNORECASE)
_RAW_FACTOR = 8  # read at most this many times the markup limit, data URIs included


def _read_markup(fh: Any, limit: int) -> tuple[str, int, bool]:
    """Up to ``limit`` characters of markup with the bodies of data: URIs left out
    (``src="data:,"`` stays), how many were, and whether the reading stopped at
    ``_RAW_FACTOR * limit`` characters before the end; memory stays near ``limit``."""
    out: list[str] = []
    size = 0
    dropped = 0
    closer = ""  # inside a data: URI, the character that ends it
    carry = ""
    budget = limit * _RAW_FACTOR
    while size < limit and budget > 0:
        chunk = fh.read(_CHUNK_BYTES)
        budget -= len(chunk)
        buf = carry + chunk
        carry = ""
        pos = 0
        while pos < len(buf):
            if closer:
                end = buf.find(closer, pos)
                if end < 0:
                    pos = len(buf)
                    break
                closer = ""
                pos = end
            m = _DATA_URI.search(buf, pos)
            if m is None:
                # a match may start in the last few characters: keep them for the next chunk
                keep = len(buf) if not chunk else max(pos, len(buf) - 32)
                out.append(buf[pos:keep])
                size += keep - pos
                carry = buf[keep:]
                break
            out.append(buf[pos : m.end()] + ",")
            size += m.end() - pos + 1
            dropped += 1
            quote = m.group(1) if m.group(1) is not None else m.group(2)
            closer = quote or (")" if m.group(1) is None else " ")
            pos = m.end()
        if not chunk:
            break
    return "".join(out), dropped, budget <= 0 and size < limit


_MAX_TREE_DEPTH = 200
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^>]*?(/?)>")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


def _nesting_depth(html: str) -> int:
    """How deep the elements of ``html`` nest (void and self-closed tags left out)."""
    depth = deepest = 0
    for m in _TAG.finditer(html):
        if m.group(2).lower() in _VOID or m.group(3):
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg", "nav", "footer"})
_BLOCK_TAGS = frozenset(
    "p div br li h1 h2 h3 h4 h5 h6 article section blockquote pre tr td th dd dt "
    "header main aside figure figcaption table ul ol".split()
)


def _flat_text(html: str) -> str:
    """The text of a page read as a stream of tags, with no tree (so no depth limit):
    paragraphs break at block elements; scripts, styles and navigation are left out."""
    from html.parser import HTMLParser

    parts: list[str] = []
    skipping = [0]

    class _Text(HTMLParser):
        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag in _SKIP_TAGS:
                skipping[0] += 1
            elif tag in _BLOCK_TAGS:
                parts.append("\n\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in _SKIP_TAGS:
                skipping[0] = max(0, skipping[0] - 1)
            elif tag in _BLOCK_TAGS:
                parts.append("\n\n")

        def handle_data(self, data: str) -> None:
            if not skipping[0]:
                parts.append(data)

    parser = _Text(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    paragraphs = (" ".join(p.split()) for p in "".join(parts).split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _flat_title(html: str) -> str | None:
    import html as html_lib

    m = _TITLE.search(html[:65_536])
    title = " ".join(html_lib.unescape(m.group(1)).split()) if m else ""
    return title or None


def _has_prose(text: str) -> bool:
    """At least one line that reads like a sentence (enough words)."""
    return any(len(line.split()) >= 6 for line in text.splitlines())


def _read_jsonl(path: str, doc_id: str, max_chars: int) -> Iterator[Document | Skipped]:
    opened = _open_text(path, "jsonl", None)
    if isinstance(opened, Skipped):
        yield opened
        return
    fh, notes = opened
    stem = doc_id
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
            except RecursionError:  # json raises this, not ValueError, on deep nesting
                yield Skipped(path, f"{path}:{lineno}: JSON nested too deep to read", lineno)
                continue
            if not isinstance(obj, dict):
                kind = _JSON_KINDS.get(type(obj), "not an object")
                yield Skipped(path, f"{path}:{lineno}: not a JSON object ({kind})", lineno)
                continue
            yield from _record(
                obj, path=path, stem=stem, line=lineno, fmt="jsonl", max_chars=max_chars
            )
    yield from fh.notice(path)
    if not any_line:
        yield Skipped(path, f"{path}: no JSON lines")


def _read_csv(path: str, doc_id: str, max_chars: int) -> Iterator[Document | Skipped]:
    opened = _open_text(path, "csv", None)
    if isinstance(opened, Skipped):
        yield opened
        return
    fh, notes = opened
    stem = doc_id
    # Note: the csv field limit is process-wide; it is only ever raised, never lowered,
    # so other readers are unaffected. A cell may be as long as a JSONL line (its text
    # is then cut to max_chars); a longer one costs its row, not the rows after it.
    need = max_chars * 6 + 65_536
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
        any_row = False
        while True:
            start = last + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                # the reader starts afresh on the next line: only this row is lost
                yield Skipped(path, f"{path}:{start}: bad CSV row ({exc}); row skipped", start)
                last = reader.line_num
                continue
            last = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            any_row = True
            obj = {name: value for name, value in zip(names, row, strict=False) if name}
            yield from _record(
                obj, path=path, stem=stem, line=start, fmt="csv", max_chars=max_chars
            )
    yield from fh.notice(path)
    if not any_row:
        yield Skipped(path, f"{path}: no rows after the header")


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


def _count(n: int, what: str) -> str:
    """``1 NUL character``, ``3 NUL characters``."""
    return f"{n:,} {what}{'' if n == 1 else 's'}"


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
        naive = _naive(iso)
        if naive is not None:
            return naive
    cleaned = [v for v in cleaned if _YEAR.search(v)]
    if not cleaned:
        return None
    for languages in (["en"], _OTHER_LANGUAGES):
        for value in cleaned:
            got = _dateparse(value, tuple(languages))
            if got is not None and _naive(got) is not None:
                return _naive(got)
    return None


# Trying all of dateparser's ~200 locales costs ~0.1 s a line; the common languages of
# the news cost a few milliseconds. A date in another language stays unread.
_OTHER_LANGUAGES = ["fr", "de", "es", "it", "pt", "nl"]


@functools.lru_cache(maxsize=4096)
def _dateparse(value: str, languages: tuple[str, ...]) -> dt.datetime | None:
    import dateparser  # heavy: only when a non-ISO date turns up

    try:
        return dateparser.parse(value, languages=list(languages), settings=_DATE_SETTINGS)
    except (OverflowError, ValueError):  # a year 9999 moved across a time zone
        return None


# A date this close to datetime's ends is a sentinel ("never expires"), not a publication
# date, and a day added to it (a whole day's span) would overflow.
_DATE_MIN = dt.datetime(1, 1, 8)
_DATE_MAX = dt.datetime(9999, 12, 24)


def _naive(value: dt.datetime) -> dt.datetime | None:
    """``value`` in UTC without a zone; ``None`` when that leaves datetime's range."""
    if value.tzinfo is not None:
        try:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        except (OverflowError, ValueError):  # 9999-12-31T23:59:59-05:00 is past year 9999
            return None
    if not _DATE_MIN <= value <= _DATE_MAX:
        return None
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
    follow_links: bool = False,
    exclude: Iterable[str | os.PathLike[str]] = (),
    progress: Callable[[int], None] | None = None,
) -> Ingested:
    """Read every input (see :func:`iter_inputs` for ``follow_links`` and ``exclude``).

    An id met twice is made unique, with a notice: the later file keeps its extension
    (``x.html`` beside ``x.txt``) or, when the id is held by a file of another input,
    takes the name of the folder given in front (``b/3`` when folders ``a`` and ``b``
    both hold ``3.txt``); failing those, and for JSONL/CSV rows, ``id~2``, ``id~3``...
    in reading order. ``progress(documents_read)``
    is called every 500 documents (the total is not known before the walk ends)."""
    documents: list[Document] = []
    skipped: list[Skipped] = []
    notices: list[Skipped] = []
    others: list[tuple[str, ...]] = []
    for item, alts in _inputs(paths, max_chars, follow_links, exclude):
        if isinstance(item, Document):
            documents.append(item)
            others.append(alts)
            if progress and len(documents) % 500 == 0:
                progress(len(documents))
        elif isinstance(item, Notice):
            notices.append(item)
        else:
            skipped.append(item)
    taken = {d.id for d in documents}
    used: dict[str, str] = {}  # id -> the input it came from
    unique: list[Document] = []
    for doc, alts in zip(documents, others, strict=True):
        root, *names = alts or ("",)
        if doc.id not in used:
            used[doc.id] = root
            unique.append(doc)
            continue
        if names and used[doc.id] != root:
            # the id is held by a file of another input: that input's name tells them apart
            names = [names[1], names[0], names[2]]
        new = next((c for c in names if c not in used and c not in taken), None)
        k = 2
        while new is None:
            if f"{doc.id}~{k}" not in used and f"{doc.id}~{k}" not in taken:
                new = f"{doc.id}~{k}"
            k += 1
        used[new] = root
        unique.append(replace(doc, id=new))
        where = doc.path if doc.line is None else f"{doc.path}:{doc.line}"
        notices.append(
            Notice(doc.path, f"{where}: duplicate id {doc.id!r} renamed to {new!r}", doc.line)
        )
    return Ingested(tuple(unique), tuple(skipped), tuple(notices))
