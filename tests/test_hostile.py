"""Hostile input end to end: every kind of bad file at once, beside the seeds.

One folder holds the seeds and every bad input we know of. The run must finish with
exit 0, leave the seeds' lineage unchanged, list each bad file in ``lineage.json``
("skipped", with a reason naming it), write only inside ``--out`` (keeping what was
there), and leave the input folder byte-identical. docs/RELIABILITY.md tabulates what
each input gets; keep the two in step.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import IS_ROOT, ROOT, SEEDS, as_unprivileged, seed_id

from lineage.cli import main

HUGE_BYTES = 50 * 1024 * 1024

S000, S001, S002 = seed_id("000"), seed_id("001"), seed_id("002")
SEEDS_ONLY_EDGES = {(S001, S000), (S001, S002)}
SEEDS_ONLY = {p.stem for p in SEEDS.glob("*.txt")}


# -- building the hostile folder ----------------------------------------------------


def _prose(tag: str, sentences: int = 6) -> str:
    """Sentences of made-up words, different for every ``tag``: shares nothing with the
    seeds or with another tag, so no reuse is found where none was planted."""
    rng = random.Random(tag)
    syll = ["ka", "lo", "mi", "ren", "tu", "vos", "zel", "pra", "dun", "qui", "bex", "oru"]
    out = []
    for _ in range(sentences):
        words = ["".join(rng.choice(syll) for _ in range(rng.randint(2, 4))) for _ in range(14)]
        out.append(words[0].capitalize() + " " + " ".join(words[1:]) + ".")
    return " ".join(out)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes([200, 30, 30]) * 16 for _ in range(16))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("article.txt", _prose("zipped", 40))
        z.writestr("data.bin", bytes(range(256)) * 64)
    return buf.getvalue()


def _write_huge(path: Path) -> None:
    """50 MB of one text, written in blocks (never held in memory whole)."""
    block = ("\n\n".join(_prose(f"huge{k}", 8) for k in range(40)) + "\n\n").encode()
    with open(path, "wb") as fh:
        written = 0
        while written < HUGE_BYTES:
            fh.write(block)
            written += len(block)


# name -> what the run must say about it: ("skipped", [words the reason holds], line)
# or ("read", check) for inputs that are odd but readable.
BAD: dict[str, tuple[str, list[str], int | None]] = {
    "empty.txt": ("skipped", ["empty file"], None),
    "blank.txt": ("skipped", ["only whitespace"], None),
    "picture.txt": ("skipped", ["binary file"], None),
    "archive.txt": ("skipped", ["binary file"], None),
    "no_article.html": ("skipped", ["no article text"], None),
    "feed.jsonl:2": ("skipped", ["not JSON"], 2),
    "feed.jsonl:3": ("skipped", ['no "text" field'], 3),
    "feed.jsonl:4": ("skipped", ['"text" is null'], 4),
    "feed.jsonl:5": ("skipped", ['"text" is a number'], 5),
    "no_text_column.csv": ("skipped", ["no 'text' column"], None),
    "rows.csv:3": ("skipped", ['no "text" field'], 3),
    "loop/ring_a.txt": ("skipped", ["broken symlink"], None),
    "loop/ring_b.txt": ("skipped", ["broken symlink"], None),
    # the second round (issue 17)
    "round2/deep.jsonl:1": ("skipped", ["JSON nested too deep"], 1),
    "round2/outside.txt": ("skipped", ["a symlink to", "outside the input folder"], None),
    "round2/huge_cell.csv:3": ("skipped", ["bad CSV row", "field larger than field limit"], 3),
}
# odd inputs of the second round that are read: id -> words of the notice about it (the
# path of the notice is the document's own)
READ2: dict[str, list[str]] = {
    "round2/surrogates": ["lone surrogates in text, title replaced by U+FFFD"],
    "round2/sentinel.jsonl-ok": ["date '9999-12-31T23:59:59-05:00' not understood"],
    "round2/deep.jsonl-ok": [],
    "round2/caf\\xe9": ["file name is not valid UTF-8"],
    "round2/sentinel": [],  # a .txt whose date line is the sentinel: no date, still read
    "sentinel-row": ["date '9999-12-31T23:59:59-05:00' not understood"],
    "nul-before": ["1 NUL character dropped"],
    "nul-cell": ["1 NUL character dropped"],
    "nul-after": ["1 NUL character dropped"],
    "round2/stray_nul": ["3 NUL characters dropped"],
    "cell-before": [],
    "cell-after": [],
    "round2/saved_page": ["1 inline data: URI (images, fonts) left out"],
    "round2/deep_divs": ["levels deep; text read flat"],
    '=HYPERLINK("http://x")': [],
    "+plus": [],
    "@at": [],
    "-minus": [],
    "long-title": ["title of 1,000,000 characters cut to 300"],
    "round2/evil\n\x1b[32mall clear": [],
    "round2/evil_copy": [],
    "\x1b]0;pwned\x07\x1b[2J\u202eid": [],
}
if not IS_ROOT:
    BAD["locked.txt"] = ("skipped", ["cannot read", "Permission denied"], None)


def build_hostile(folder: Path) -> Path:
    """Every bad input we know of, plus a copy of the seeds in ``folder/seeds``."""
    folder.mkdir(parents=True)
    shutil.copytree(SEEDS, folder / "seeds")
    for p in (folder / "seeds").iterdir():
        p.chmod(0o644)  # the seeds are read-only in the repo; copies need not be
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(b"  \n\t\r\n   \n\n")
    (folder / "picture.txt").write_bytes(_png())
    (folder / "archive.txt").write_bytes(_zip())
    latin = "Caf\xe9 cr\xe8me \u2014 \u201cna\xefve\u201d fa\xe7ade. " + _prose("latin")
    (folder / "latin1.txt").write_bytes(latin.encode("cp1252"))
    (folder / "utf16.txt").write_bytes(
        "Z\xfcrich \u65e5\u672c. ".encode("utf-16") + _prose("utf16").encode("utf-16-le")
    )
    (folder / "utf8bom.txt").write_bytes(b"\xef\xbb\xbf" + ("Bom " + _prose("bom")).encode())
    eol = _prose("eol").split(". ")
    (folder / "mixed_eol.txt").write_bytes(
        (eol[0] + ".\r\n" + eol[1] + ".\r" + eol[2] + ".\n\r\n" + ". ".join(eol[3:])).encode()
    )
    _write_huge(folder / "huge.txt")
    (folder / "feed.jsonl").write_text(
        "\n".join(
            [
                json.dumps({"id": "feed-ok", "title": "Fine", "text": _prose("feed-ok")}),
                '{"id": "broken", "text": "no closing brace"',
                json.dumps({"id": "no-text", "body": _prose("x")}),
                json.dumps({"id": "null-text", "text": None}),
                json.dumps({"id": "number-text", "text": 42}),
                json.dumps({"id": "dup", "text": _prose("dup-1")}),
                json.dumps({"id": "dup", "text": _prose("dup-2")}),
            ]
        )
        + "\n"
    )
    (folder / "no_text_column.csv").write_text(
        "id,title,body\nc1,Title,Some body text that is not in a text column\n"
    )
    quoted = _prose("csv-quoted").replace(". ", ".\n", 2)
    (folder / "rows.csv").write_text(
        "id,title,text\n"
        f'row-ok,Row,"{_prose("csv-ok")}"\n'
        "row-short,Short row\n"
        f'row-quoted,Quoted,"{quoted}"\n'
    )
    (folder / "no_article.html").write_text(
        "<!DOCTYPE html><html><head><title>Menu</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
        "<div class='cookie'>We use cookies.</div><footer>© 2024 Example</footer>"
        "</body></html>\n"
    )
    (folder / "chrome_only.txt").write_text(
        "Home\nNews\nSport\nWeather\nSign in\nSubscribe\nShare on Facebook\nShare on X\n"
        "Most read\nCookie settings\n"
    )
    # the same file name (so the same id) in two folders
    (folder / "a").mkdir()
    (folder / "b").mkdir()
    (folder / "a" / "same.txt").write_text(_prose("same-a"))
    (folder / "b" / "same.txt").write_text(_prose("same-b"))
    loop = folder / "loop"
    loop.mkdir()
    (loop / "up").symlink_to("..", target_is_directory=True)  # folder loop
    (loop / "ring_a.txt").symlink_to("ring_b.txt")  # file links pointing at each other
    (loop / "ring_b.txt").symlink_to("ring_a.txt")
    if not IS_ROOT:
        locked = folder / "locked.txt"
        locked.write_text(_prose("locked"))
        locked.chmod(0)
    _build_round2(folder / "round2")
    return folder


def _build_round2(r2: Path) -> None:
    """The inputs that sank a whole run or lost data silently in issue 17's round."""
    r2.mkdir()
    (r2 / "surrogates.jsonl").write_text(
        # \\ud83d: the escape in the file, as a JavaScript exporter writes half an emoji
        '{"id": "round2/surrogates", "title": "Runners \\ud83d", "text": "'
        + _prose("surrogates")
        + ' \\udc00 end"}\n'
    )
    sentinel = "9999-12-31T23:59:59-05:00"  # a "never expires" date past datetime's end
    (r2 / "sentinel.jsonl").write_text(
        json.dumps({"id": "round2/sentinel.jsonl-ok", "date": sentinel, "text": _prose("s1")})
        + "\n"
    )
    (r2 / "sentinel.txt").write_text(f"date {sentinel}\n\n{_prose('s2')}\n")
    (r2 / "deep.jsonl").write_text(
        "[" * 100_000
        + "]" * 100_000
        + "\n"
        + json.dumps({"id": "round2/deep.jsonl-ok", "text": _prose("deep-ok")})
        + "\n"
    )
    (r2 / os.fsdecode(b"caf\xe9.txt")).write_text(_prose("cafe"))  # not UTF-8: Latin-1
    (r2 / "csv_sentinel.csv").write_text(
        f'id,date,text\nsentinel-row,{sentinel},"{_prose("s3")}"\n'
    )
    (r2 / "nul_cell.csv").write_text(
        "id,text\n"
        f'nul-before,"{_prose("n1")}"\n'
        f'nul-cell,"{_prose("n2")}\x00 and more"\n'
        f'nul-after,"{_prose("n3")}"\n'
    )
    (r2 / "stray_nul.txt").write_text(_prose("nul-a") + "\x00\x00\x00 " + _prose("nul-b"))
    # one cell longer than any text lineage reads (12,065,536 characters for 2,000,000)
    with open(r2 / "huge_cell.csv", "w") as fh:
        fh.write(f'id,text\ncell-before,"{_prose("h1")}"\n')
        fh.write('cell-huge,"' + "x " * 6_100_000 + '"\n')
        fh.write(f'cell-after,"{_prose("h2")}"\n')
    article = "".join(f"<p>{_prose(f'saved{k}')}</p>" for k in range(4))
    image = "A" * 12_000_000  # 12 MB of base64 before the article, as single-file savers do
    (r2 / "saved_page.html").write_text(
        "<!DOCTYPE html><html><head><title>Saved page</title></head><body>"
        f'<img src="data:image/png;base64,{image}" alt="">'
        f"<article><h1>Saved page</h1>{article}</article></body></html>\n"
    )
    deep = "".join(f"<p>{_prose(f'deep{k}')}</p>" for k in range(4))
    (r2 / "deep_divs.html").write_text(
        "<html><head><title>Deep</title></head><body>"
        + "<div>" * 10_000
        + deep
        + "</div>" * 10_000
        + "</body></html>\n"
    )
    rows = [
        {"id": '=HYPERLINK("http://x")', "title": "=1+1", "outlet": "-30 tonight", "text": "f1"},
        {"id": "+plus", "title": "+1", "outlet": "@here", "text": "f2"},
        {"id": "@at", "title": "\tTab", "outlet": "\rCR", "text": "f3"},
        {"id": "-minus", "title": "-", "text": "f4"},
        {"id": "long-title", "title": "T" * 1_000_000, "text": "f5"},
        {"id": "\x1b]0;pwned\x07\x1b[2J\u202eid", "title": "\x1b[32mall clear", "text": "f6"},
    ]
    (r2 / "formulas.jsonl").write_text(
        "".join(json.dumps({**r, "text": _prose(r["text"])}) + "\n" for r in rows)
    )
    # a hostile file name, with a copy of its text so that it shows in an edge
    (r2 / "evil\n\x1b[32mall clear.txt").write_text(_prose("evil-name", 12))
    (r2 / "evil_copy.txt").write_text(_prose("evil-name", 12) + " " + _prose("more", 2))
    (r2 / "manual.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    outside = r2.parent.parent / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(_prose("secret"))
    (r2 / "outside.txt").symlink_to(outside / "secret.txt")


# -- snapshots ------------------------------------------------------------------------


def snapshot(root: Path, *, exclude: tuple[Path, ...] = ()) -> dict[str, tuple]:
    """Every entry under ``root``: kind, content hash (or link target), mode, mtime."""
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        d = Path(dirpath)
        dirnames[:] = [n for n in dirnames if d / n not in exclude]
        for name in dirnames + filenames:
            p = d / name
            if p in exclude:
                continue
            st = p.lstat()
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir", st.st_mode)
            else:
                digest = None
                if os.access(p, os.R_OK):
                    h = hashlib.sha256()
                    with open(p, "rb") as fh:
                        for chunk in iter(lambda: fh.read(1 << 20), b""):
                            h.update(chunk)
                    digest = h.hexdigest()
                out[rel] = ("file", digest, st.st_size, st.st_mode, st.st_mtime_ns)
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return build_hostile(tmp_path_factory.mktemp("hostile") / "corpus")


def _prepare_out(out: Path) -> Path:
    out.mkdir(parents=True)
    (out / "notes.txt").write_text("mine, not lineage's\n")
    (out / "pairs").mkdir()
    (out / "pairs" / "keep.html").write_text("<p>an older page of mine</p>\n")
    return out


def _check_run(corpus: Path, out: Path) -> dict:
    data = json.loads((out / "lineage.json").read_text())
    ids = {d["id"] for d in data["documents"]}
    # a document's id is its path from the folder given, without extension
    SEED_IDS = {f"seeds/{i}" for i in SEEDS_ONLY}  # noqa: N806
    SEED_EDGES = {(f"seeds/{p}", f"seeds/{c}") for p, c in SEEDS_ONLY_EDGES}  # noqa: N806

    # the seeds' lineage is unchanged, and nothing else touches the seeds
    assert SEED_IDS <= ids
    seed_edges = {
        (e["parent"], e["child"])
        for e in data["edges"]
        if e["parent"] in SEED_IDS or e["child"] in SEED_IDS
    }
    assert seed_edges == SEED_EDGES
    for p in data["pairs"]:
        assert (p["a"] in SEED_IDS) == (p["b"] in SEED_IDS), p
    for story in data["stories"]:
        assert set(story) <= SEED_IDS or not set(story) & SEED_IDS, story

    # every bad file is listed, with a reason naming it (and the line for rows)
    skipped = data["skipped"]
    for key, (_, words, line) in BAD.items():
        name = key.split(":")[0]
        path = str(corpus / name)
        hits = [s for s in skipped if s["path"] == path and s["line"] == line]
        assert len(hits) == 1, (key, skipped)
        reason = hits[0]["reason"]
        assert path in reason, reason
        if line is not None:
            assert f"{path}:{line}:" in reason, reason
        for w in words:
            assert w in reason, (key, reason)
    expected = {(str(corpus / k.split(":")[0]), line) for k, (_, _, line) in BAD.items()}
    assert {(s["path"], s["line"]) for s in skipped} == expected
    assert data["summary"]["skipped"] == len(skipped) == len(BAD)
    assert data["summary"]["documents"] == len(data["documents"])

    # odd but readable inputs are read, and read right
    docs = {d["id"]: d for d in data["documents"]}
    for stem in ("latin1", "utf16", "utf8bom", "mixed_eol", "huge", "chrome_only"):
        assert stem in docs, stem
    assert {"feed-ok", "dup", "dup~2", "row-ok", "row-quoted", "a/same", "b/same"} <= set(docs)
    assert docs["row-quoted"]["line"] == 4
    assert docs["chrome_only"]["words"] == docs["chrome_only"]["boilerplate_words"] > 0
    notices = " | ".join(n["reason"] for n in data["notices"])
    assert f"{corpus / 'latin1.txt'}: not valid UTF-8, read as cp1252" in notices
    assert f"{corpus / 'huge.txt'}: larger than" in notices and "truncated" in notices
    assert "duplicate id 'dup' renamed to 'dup~2'" in notices
    # each seed once: the folder loop (loop/up -> ..) read nothing twice
    assert not [i for i in ids if i.split("~")[0] in SEED_IDS and "~" in i]
    _check_round2(corpus, out, data)
    return data


def _check_terminal_output(output: str, corpus: Path) -> None:
    """No control character reaches the terminal, each message names its path once,
    and every list that is cut says how much was left out."""
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", output)
    lines = output.splitlines()
    assert not [ln for ln in lines if ln.startswith("all clear")]  # no forged line
    assert "round2/evil\\n\\x1b[32mall clear" in output  # the id, visibly escaped
    for line in lines:
        if line.startswith(("  skipped ", "  note ")):
            assert line.count(str(corpus)) <= 1, line
    assert re.search(r"… and [\d,]+ more notes", output)


def _check_round2(corpus: Path, out: Path, data: dict) -> None:
    docs = {d["id"]: d for d in data["documents"]}
    for doc_id, words in READ2.items():
        assert doc_id in docs, (doc_id, sorted(docs))
        d = docs[doc_id]
        where = d["path"] if d["line"] is None else f"{d['path']}:{d['line']}"
        mine = [  # notices about this row, or about its whole file
            n["reason"]
            for n in data["notices"]
            if n["reason"].startswith((f"{where}: ", f"{d['path']}: "))
        ]
        for w in words:
            assert any(w in n for n in mine), (doc_id, w, mine)
    # surrogates became U+FFFD, one for one; the file name shows its byte
    sur = docs["round2/surrogates"]
    assert sur["title"] == "Runners \ufffd"
    assert docs["round2/caf\\xe9"]["path"] == str(corpus / "round2" / "caf\\xe9.txt")
    assert docs["round2/sentinel"]["date"] is None and docs["sentinel-row"]["date"] is None
    # the saved page and the deep page give their article, not a fallback's noise
    assert docs["round2/saved_page"]["title"] == "Saved page"
    assert docs["round2/saved_page"]["words"] > 200
    assert docs["round2/deep_divs"]["words"] > 200
    assert len(docs["long-title"]["title"]) == 300
    # CSV cells never start a formula
    for name in ("documents.csv", "pairs.csv", "edges.csv"):
        with open(out / name, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
    with open(out / "documents.csv", newline="", encoding="utf-8") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    assert rows['\'=HYPERLINK("http://x")']["title"] == "'=1+1"
    assert rows['\'=HYPERLINK("http://x")']["outlet"] == "'-30 tonight"
    assert rows["'+plus"]["title"] == "'+1" and rows["'+plus"]["outlet"] == "'@here"
    assert rows["'@at"]["title"] == "Tab"  # whitespace around a title is dropped at ingest
    # the unsupported file is listed as ignored
    notices = [n["reason"] for n in data["notices"]]
    assert f"{corpus / 'round2' / 'manual.pdf'}: not a supported type (.pdf); ignored" in notices


def test_hostile_folder_end_to_end(hostile: Path, tmp_path: Path, monkeypatch):
    corpus = hostile
    work = tmp_path / "work"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    out_cli = _prepare_out(work / "out-clirunner")
    out_sub = _prepare_out(work / "out-subprocess")
    before_in = snapshot(corpus)
    before_tmp = snapshot(tmp_path)
    before_out = {o: snapshot(o) for o in (out_cli, out_sub)}

    monkeypatch.chdir(cwd)
    r = CliRunner().invoke(main, ["analyze", str(corpus), "--out", str(out_cli)])
    assert r.exit_code == 0, r.output
    assert f"{len(BAD)} skipped" in r.output
    _check_terminal_output(r.output, corpus)
    data = _check_run(corpus, out_cli)

    # one real process, its peak memory measured: ingest streams the 50 MB file. Note:
    # Linux keeps a process's peak RSS across fork and exec, so a child of this (large)
    # pytest process would report pytest's own peak: a small Python process started
    # first starts the run and measures it
    measure = (
        "import os, subprocess, sys\n"
        "p = subprocess.Popen(sys.argv[1:])\n"
        "_, status, usage = os.wait4(p.pid, 0)\n"
        "print(usage.ru_maxrss)\n"
        "sys.exit(os.waitstatus_to_exitcode(status))\n"
    )
    argv = [sys.executable, "-m", "lineage", "analyze", str(corpus), "--out", str(out_sub)]
    with open(tmp_path / "stderr", "wb") as se:
        proc = subprocess.run(
            [sys.executable, "-c", measure, *argv],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=se,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    assert proc.returncode == 0, (tmp_path / "stderr").read_text()
    peak_mb = int(proc.stdout.decode().split()[-1]) / 1024  # KiB on Linux
    assert peak_mb < 600, f"peak RSS {peak_mb:.0f} MB for a 50 MB input"
    data_sub = _check_run(corpus, out_sub)
    assert data_sub == data  # same run, same answer, in process or not

    # nothing written outside --out; what was in --out is kept; the input is untouched
    assert snapshot(corpus) == before_in
    assert os.listdir(cwd) == []
    after_tmp = snapshot(tmp_path)
    outside = {
        k: v for k, v in after_tmp.items() if not k.startswith(("work/out-", "stdout", "stderr"))
    }
    assert outside == {k: v for k, v in before_tmp.items() if not k.startswith(("work/out-",))}
    for o, snap in before_out.items():
        after = snapshot(o)
        for rel, entry in snap.items():
            if entry[0] == "file":
                assert after[rel] == entry, rel  # the unrelated files, byte for byte
        assert (o / "index.html").is_file() and (o / "lineage.svg").is_file()


def test_huge_file_is_streamed_not_loaded(hostile: Path):
    from lineage.ingest import read_corpus

    huge = hostile / "huge.txt"
    assert huge.stat().st_size >= HUGE_BYTES
    tracemalloc.start()
    try:
        got = read_corpus([huge])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (doc,) = got.documents
    assert len(doc.text) <= 2_000_000
    assert peak < HUGE_BYTES / 4, f"ingest peaked at {peak / 2**20:.1f} MB"


def test_odd_encodings_and_line_endings_are_read_right(hostile: Path):
    from lineage.ingest import read_corpus

    names = ("latin1.txt", "utf16.txt", "utf8bom.txt", "mixed_eol.txt", "rows.csv")
    got = read_corpus([hostile / n for n in names])
    text = {d.id: d.text for d in got.documents}
    assert text["latin1"].startswith("Caf\xe9 cr\xe8me \u2014 \u201cna\xefve\u201d fa\xe7ade. ")
    assert text["utf16"].startswith("Z\xfcrich \u65e5\u672c. ")
    assert text["utf8bom"].startswith("Bom ")
    assert all("\ufeff" not in t and "\r" not in t for t in text.values())
    assert text["mixed_eol"].count("\n") == 4
    assert text["row-quoted"].count("\n") == 2  # the quoted newlines are kept


def test_unreadable_file_is_skipped(shared_tmp):
    from lineage.ingest import read_corpus

    (shared_tmp / "ok.txt").write_text(_prose("ok"))
    locked = shared_tmp / "locked.txt"
    locked.write_text(_prose("locked"))
    locked.chmod(0)
    got = as_unprivileged(read_corpus, [shared_tmp])  # as root: read as "nobody"
    assert [d.id for d in got.documents] == ["ok"]
    (s,) = got.skipped
    assert s.path == str(locked) and "Permission denied" in s.reason


def test_one_document_gives_a_report_without_edges(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SEEDS / f"{S000}.txt", src)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["analyze", str(src), "--out", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads((out / "lineage.json").read_text())
    assert [d["id"] for d in data["documents"]] == [S000]
    assert data["edges"] == [] and data["pairs"] == [] and data["skipped"] == []
    assert data["stories"] == [[S000]]
    html = (out / "index.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and S000.split("_")[0] in html
    assert not list(out.glob("pairs/*.html"))
    assert gzip.open(out / "passages.jsonl.gz").read() == b""
    assert (out / "edges.csv").read_text() == "parent,child,confidence,evidence\n"


def test_nothing_readable_exits_1_and_writes_nothing(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "empty.txt").write_bytes(b"")
    (src / "picture.txt").write_bytes(_png())
    (src / "bad.jsonl").write_text("not json\n")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["analyze", str(src), "--out", str(out)])
    assert r.exit_code == 1, r.output
    assert "no document could be read" in r.output
    for name in ("empty.txt: empty file", "picture.txt: binary file", "bad.jsonl:1: not JSON"):
        assert name in r.output
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        [],  # no command
        ["analyze"],  # no path
        ["analyze", "{tmp}/missing"],
        ["analyze", "{seeds}", "--min-words", "0"],
        ["analyze", "{seeds}", "--shingle-size", "x"],
        ["analyze", "{seeds}", "--no-such-option"],
        ["nonsense"],
    ],
)
def test_bad_usage_exits_2(tmp_path, args):
    args = [a.format(tmp=tmp_path, seeds=SEEDS) for a in args]
    out = tmp_path / "out"
    r = CliRunner().invoke(main, [*args, "--out", str(out)] if args[:1] == ["analyze"] else args)
    assert r.exit_code == 2, r.output
    assert not out.exists()


UNSAFE_IDS = [
    "../../x",
    "x",
    "a/b",
    "a-b",
    "/etc/passwd",
    "..",
    "CON",
    "con.txt",
    "Lpt1",
    "n" * 300,
    "n" * 299 + "m",
    "tab\there",
    "nul\x00byte",
    "bell\x07\x1b[31m",
    "new\nline",
    "Abc",
    "abc",
    "ünï\u200bcode/∕",
    "C:\\Windows\\x",
]


# The diagram draws ids as given; matplotlib warns that control characters have no glyph.
@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_unsafe_ids_stay_inside_out_with_unique_names(tmp_path):
    shared = _prose("shared-story", 8)
    src = tmp_path / "in"
    src.mkdir()
    with open(src / "ids.jsonl", "w", encoding="utf-8") as fh:
        for k, doc_id in enumerate(UNSAFE_IDS):
            fh.write(json.dumps({"id": doc_id, "text": f"{_prose(f'own{k}', 2)} {shared}"}) + "\n")
    out = tmp_path / "deep" / "out"
    before = snapshot(tmp_path)
    r = CliRunner().invoke(main, ["analyze", str(src), "--out", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads((out / "lineage.json").read_text())
    assert sorted(d["id"] for d in data["documents"]) == sorted(UNSAFE_IDS)
    n = len(UNSAFE_IDS)
    assert len(data["pairs"]) == n * (n - 1) // 2  # every pair shares the story

    after = snapshot(tmp_path, exclude=(out,))
    assert {k: v for k, v in after.items() if k not in ("deep",)} == before
    root = out.resolve()
    files = [p for p in out.rglob("*") if p.is_file()]
    for p in files:
        assert root in p.resolve().parents
        assert len(p.name.encode()) <= 255
        assert p.name.isascii() and p.name.isprintable(), p.name
        assert p.name.split(".")[0].lower() not in {"con", "prn", "aux", "nul", "lpt1"}
    from lineage.report.html import PAIR_PAGES

    # pair pages: derivations, then the strongest others, PAIR_PAGES in all (docs/REPORTS.md)
    pages = sorted(p.name.lower() for p in (out / "pairs").glob("*.html"))
    want = min(len([p for p in data["pairs"] if p["passages"]]), PAIR_PAGES)
    assert len(pages) == len(set(pages)) == want
    doc_pages = sorted(p.name.lower() for p in (out / "docs").glob("*.html"))
    assert len(doc_pages) == len(set(doc_pages)) == n
    assert {p.parent for p in files} <= {out, *(out / f for f in ("pairs", "docs", "stories"))}


def test_interrupted_write_keeps_the_old_file(tmp_path, monkeypatch):
    import lineage.files as files

    target = tmp_path / "lineage.json"
    target.write_text("old\n")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.write_text_atomic(target, "new\n" * 1000)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lineage.json"]


def test_interrupted_export_keeps_the_previous_report(tmp_path, monkeypatch, seeds_analysis):
    import lineage.files as files
    from lineage.export import write_exports

    out = tmp_path / "out"
    write_exports(seeds_analysis, out)
    before = snapshot(out)
    real = os.replace
    calls = []

    def interrupt_third(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", interrupt_third)
    with pytest.raises(KeyboardInterrupt):
        write_exports(seeds_analysis, out)
    after = snapshot(out)
    assert set(after) == set(before)  # no temporary file left behind
    for rel, entry in before.items():
        assert after[rel][1] == entry[1], rel  # every file whole: old or new, same bytes


def test_out_naming_a_file_is_bad_usage(tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("not a folder\n")
    r = CliRunner().invoke(main, ["analyze", str(SEEDS), "--out", str(target)])
    assert r.exit_code == 2, r.output
    assert "is a file" in r.output
    assert target.read_text() == "not a folder\n"


def test_unwritable_out_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x\n")
    r = CliRunner().invoke(main, ["analyze", str(SEEDS), "--out", str(blocker / "out")])
    assert r.exit_code == 1, r.output
    assert "error: cannot write the reports to" in r.output
    assert isinstance(r.exception, SystemExit)  # a clean exit, not a crash
    assert "Traceback" not in r.output


def test_a_second_run_does_not_read_its_own_report(tmp_path, monkeypatch):
    for p in SEEDS.glob("*.txt"):
        shutil.copyfile(p, tmp_path / p.name)
    monkeypatch.chdir(tmp_path)
    first = CliRunner().invoke(main, ["analyze", ".", "-q"])  # --out reports, inside "."
    assert first.exit_code == 0, first.output
    one = json.loads((tmp_path / "reports" / "lineage.json").read_text())
    second = CliRunner().invoke(main, ["analyze", ".", "-q"])
    assert second.exit_code == 0, second.output
    two = json.loads((tmp_path / "reports" / "lineage.json").read_text())
    assert two["summary"] == one["summary"]
    assert two["edges"] == one["edges"]
