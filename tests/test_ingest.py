from __future__ import annotations

import datetime as dt
import json
import os
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from conftest import as_unprivileged  # noqa: E402

from lineage.ingest import (
    Ingested,
    Notice,
    find_dateline_outlet,
    find_text_date,
    find_url_date,
    guess_title,
    iter_inputs,
    names_time,
    parse_date,
    read_corpus,
)
from lineage.model import Document, Skipped

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data" / "ingest"

# Smallest valid PNG (1x1 transparent pixel).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
ARTICLE = (
    "Runners Finish Together\n\n"
    "Two strangers crossed the finish line of the marathon hand in hand on Sunday.\n\n"
    "They had met at mile 14 and promised not to leave each other.\n"
)


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return path


def one(result: Ingested) -> Document:
    assert len(result.documents) == 1, (result.skipped, result.notices)
    return result.documents[0]


def reasons(items: tuple[Skipped, ...]) -> list[str]:
    return [s.reason for s in items]


# --------------------------------------------------------------------------- seeds


@pytest.fixture(scope="module")
def seeds() -> dict[str, Document]:
    got = read_corpus([SEEDS])
    assert got.skipped == () and got.notices == ()
    return {d.id[:3]: d for d in got.documents}


def test_seeds_read_in_sorted_order_with_file_ids() -> None:
    ids = [d.id for d in read_corpus([SEEDS]).documents]
    assert ids == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert len(ids) == 5


def test_seed_text_is_the_file_text(seeds: dict[str, Document]) -> None:
    for doc in seeds.values():
        assert doc.text == Path(doc.path).read_text(encoding="utf-8")
        assert doc.source_format == "txt" and doc.line is None
        assert doc.path.startswith(str(SEEDS))


def test_seed_dates(seeds: dict[str, Document]) -> None:
    assert seeds["001"].date == dt.datetime(2019, 5, 7)
    assert seeds["003"].date == dt.datetime(2019, 5, 9, 18, 45)
    # "On Sunday", "told ABC News Thursday": relative words are never dates.
    assert seeds["000"].date is None and seeds["002"].date is None
    assert seeds["004"].date is None


def test_seed_date_precision(seeds: dict[str, Document]) -> None:
    # "date 2019-05-07" names a day; "May 9, 2019, 6:45 PM" a time of day
    assert seeds["001"].day_only and seeds["001"].date_iso == "2019-05-07"
    assert not seeds["003"].day_only and seeds["003"].date_iso == "2019-05-09T18:45:00"


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://kdka.example/news/2019/05/07/runners-finish/", dt.datetime(2019, 5, 7)),
        ("https://x.example/2019-5-7-runners", dt.datetime(2019, 5, 7)),
        ("http://x.example/a/2019_05_07/b.html", dt.datetime(2019, 5, 7)),
        ("https://x.example/2019/02/30/no-such-day", None),
        ("https://x.example/story/20190507123", None),  # a bare digit run is an id
        ("https://2019-05-07.example/story", None),  # a host is not a path
        ("https://x.example/2019/13/01/", None),
        ("no url at all", None),
    ],
)
def test_url_dates(url: str, day: dt.datetime | None) -> None:
    assert find_url_date(url) == day


def test_names_time() -> None:
    for value in ("2019-05-07T18:45", "May 9, 2019, 6:45 PM", "9 May 2019 6 p.m.", "18:45 UTC"):
        assert names_time(value), value
    for value in ("2019-05-07", "May 9, 2019", "Thursday 9 April 2019", "7 May 2019"):
        assert not names_time(value), value


def test_a_date_comes_from_metadata_then_text_then_url(tmp_path: Path) -> None:
    url = "https://kdka.example/2019/05/06/runners"
    rows = [
        {"id": "meta", "text": "PITTSBURGH (KDKA) -- Two runners.", "date": "2019-05-08 10:30",
         "url": url},
        {"id": "text", "text": "May 9, 2019\n\nTwo runners finished together.", "url": url},
        {"id": "url", "text": "Two runners finished the race together.", "url": url},
        {"id": "none", "text": "Two runners finished the race together.",
         "url": "https://kdka.example/runners"},
    ]  # fmt: skip
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    docs = {d.id: d for d in read_corpus(path).documents}
    assert (docs["meta"].date, docs["meta"].day_only) == (dt.datetime(2019, 5, 8, 10, 30), False)
    assert (docs["text"].date, docs["text"].day_only) == (dt.datetime(2019, 5, 9), True)
    assert (docs["url"].date, docs["url"].day_only) == (dt.datetime(2019, 5, 6), True)
    assert docs["url"].date_iso == "2019-05-06"
    assert docs["none"].date is None and not docs["none"].day_only


def test_seed_date_lines_are_boilerplate(seeds: dict[str, Document]) -> None:
    d1 = seeds["001"]
    assert [d1.text[s:e] for s, e in d1.boilerplate] == ["date 2019-05-07"]
    d3 = seeds["003"]
    assert [d3.text[s:e] for s, e in d3.boilerplate] == ["May 9, 2019, 6:45 PM"]
    for key in ("000", "002", "004"):
        assert seeds[key].boilerplate == ()


def test_seed_datelines(seeds: dict[str, Document]) -> None:
    assert seeds["000"].dateline_outlet == "KDKA"
    assert seeds["001"].dateline_outlet == "KDKA"
    assert seeds["001"].outlet == "KDKA"  # no metadata, no chrome: the dateline names it
    for key in ("002", "003", "004"):
        assert seeds[key].dateline_outlet is None and seeds[key].outlet is None


def test_seed_titles(seeds: dict[str, Document]) -> None:
    assert seeds["002"].title == (
        "Footage of two strangers helping each other to complete marathon inspires world"
    )
    assert seeds["003"].title == (
        "Marathon makes friends out of complete strangers as 2 women help each other "
        "cross finish line"
    )
    assert seeds["001"].title is None and seeds["004"].title is None
    # Ingest alone takes 000's chrome first line; boilerplate marking corrects it.
    assert seeds["000"].title == "Watch CBS News"


# --------------------------------------------------------------------------- metadata


def test_parse_date_is_absolute_and_deterministic() -> None:
    assert parse_date("2019-05-07") == dt.datetime(2019, 5, 7)
    assert parse_date("2019-03-05T14:30:00Z") == dt.datetime(2019, 3, 5, 14, 30)
    assert parse_date("2019-03-05T10:30:00-04:00") == dt.datetime(2019, 3, 5, 14, 30)
    assert parse_date("Thursday, May 9, 2019") == dt.datetime(2019, 5, 9)
    for relative in ("Sunday", "yesterday", "last week", "the other day", "Thursday"):
        assert parse_date(relative) is None


def test_text_date_only_near_the_top_and_mostly_a_date() -> None:
    body = "\n\n".join(f"Paragraph {i} of the story, told in a sentence." for i in range(10))
    assert find_text_date(body + "\n\nMay 9, 2019") is None
    assert find_text_date("Posted: May 9, 2019\n\n" + body)[0] == dt.datetime(2019, 5, 9)
    line = "The race on May 9, 2019 drew thousands of runners to the city streets."
    assert find_text_date(line + "\n\n" + body) is None


def test_dateline_styles() -> None:
    assert find_dateline_outlet("PITTSBURGH (KDKA) -- Text.") == "KDKA"
    assert find_dateline_outlet("PITTSBURGH (KDKA) — Text.") == "KDKA"
    assert find_dateline_outlet("LONDON (AP) - Text.") == "AP"
    assert find_dateline_outlet("WASHINGTON, March 5 (Reuters) - The Senate.") == "Reuters"
    assert find_dateline_outlet("CAPE CANAVERAL, Fla. (AP) — A rocket.") == "AP"
    assert find_dateline_outlet("Pittsburgh (KDKA) said on Monday that it would.") is None
    assert find_dateline_outlet("The runners (both women) - finished.") is None


def test_title_shape() -> None:
    assert guess_title(ARTICLE) == "Runners Finish Together"
    assert guess_title("# A Markdown Heading\n\nBody text follows here.") == "A Markdown Heading"
    assert guess_title("Is This A Question?\n\nBody.") == "Is This A Question?"
    assert guess_title("A sentence that ends.\n\nBody.") is None
    assert guess_title("lowercase start here\n\nBody.") is None
    assert guess_title("Only One Line") is None
    assert guess_title("May 9, 2019\n\nThe Real Headline\n\nBody.") == "The Real Headline"


# --------------------------------------------------------------------------- HTML


def test_html_news_page() -> None:
    doc = one(read_corpus([DATA / "news_page.html"]))
    assert doc.id == "news_page" and doc.source_format == "html"
    assert doc.title == "Strangers Finish Marathon Hand in Hand"
    assert doc.outlet == "Riverside Gazette"
    assert doc.date == dt.datetime(2019, 5, 8)
    assert doc.url == "https://gazette.example.org/2019/05/08/strangers-finish-marathon"
    assert doc.dateline_outlet == "KDKA"
    assert "Laura Mazur, of New Bremen, Ohio, was running her twelfth marathon." in doc.text
    assert "“I told her I won’t leave you if you don’t leave me,” Mazur said" in doc.text
    for chrome in (
        "cookies",
        "Subscribe",
        "Weather",
        "All rights reserved",
        "Related stories",
        "bike lanes",
        "dataLayer",
        "font-family",
        "Privacy",
    ):
        assert chrome not in doc.text
    assert "\n\n" in doc.text  # paragraphs kept as blank-line separated blocks


def test_html_without_article_is_skipped(tmp_path: Path) -> None:
    page = (DATA / "news_page.html").read_text(encoding="utf-8")
    start, end = page.index("<main>"), page.index("</main>") + len("</main>")
    write(
        tmp_path / "empty_page.html",
        page[:start] + "<main><p>Nothing here.</p></main>" + page[end:],
    )
    got = read_corpus([tmp_path / "empty_page.html"])
    assert got.documents == ()
    assert reasons(got.skipped) == [f"{tmp_path / 'empty_page.html'}: no article text found"]


def test_html_empty_and_binary(tmp_path: Path) -> None:
    write(tmp_path / "a.html", "")
    write(tmp_path / "b.htm", PNG)
    got = read_corpus([tmp_path])
    assert got.documents == ()
    assert [r.split(": ", 1)[1] for r in reasons(got.skipped)] == ["empty file", "binary file"]


# --------------------------------------------------------------------------- JSONL / CSV


def test_jsonl_good_and_bad_lines() -> None:
    path = DATA / "articles.jsonl"
    got = read_corpus([path])
    docs = {d.id: d for d in got.documents}
    assert list(docs) == ["wire-1", "42", "articles:4", "odd-date"]
    wire = docs["wire-1"]
    assert wire.source_format == "jsonl" and wire.line == 1 and wire.path == str(path)
    assert wire.title == "Senate approves measure" and wire.outlet == "Reuters"
    assert wire.date == dt.datetime(2019, 3, 5, 14, 30)
    assert wire.url == "https://example.com/wire-1" and wire.dateline_outlet == "Reuters"
    assert wire.text.count("\n\n") == 1
    assert docs["42"].line == 2 and docs["42"].title is None
    assert docs["articles:4"].line == 4
    assert docs["odd-date"].date is None
    skipped = {s.line: s.reason for s in got.skipped}
    assert all(s.path == str(path) for s in got.skipped)
    assert skipped[5].startswith(f"{path}:5: not JSON (")
    assert skipped[6] == f'{path}:6: no "text" field'
    assert skipped[7] == f'{path}:7: "text" is null'
    assert skipped[8] == f'{path}:8: "text" is a number'
    assert skipped[9] == f"{path}:9: not a JSON object (a list)"
    assert skipped[10] == f"{path}:10: empty text"
    assert sorted(skipped) == [5, 6, 7, 8, 9, 10]
    assert reasons(got.notices) == [f"{path}:11: date 'the other day' not understood"]


def test_jsonl_overlong_line_is_skipped_and_reading_goes_on(tmp_path: Path) -> None:
    path = write(
        tmp_path / "long.jsonl",
        '{"id": "big", "text": "' + "word " * 40_000 + '"}\n'
        '{"id": "small", "text": "A short text after the long one."}\n',
    )
    got = read_corpus([path], max_chars=1_000)
    assert [d.id for d in got.documents] == ["small"]
    assert got.documents[0].line == 2
    assert got.skipped[0].line == 1 and "line longer than" in got.skipped[0].reason


def test_jsonl_long_text_truncated_with_notice(tmp_path: Path) -> None:
    text = "\\n\\n".join(f"Sentence number {i} is here." for i in range(100))
    path = write(tmp_path / "t.jsonl", '{"id": "t", "text": "' + text + '"}\n')
    got = read_corpus([path], max_chars=500)
    doc = one(got)
    assert len(doc.text) <= 500 and doc.text.endswith("is here.")
    assert reasons(got.notices) == [f"{path}:1: text truncated to {len(doc.text)} characters"]


def test_csv_quoted_newline_and_empty_row() -> None:
    path = DATA / "articles.csv"
    got = read_corpus([path])
    docs = {d.id: d for d in got.documents}
    assert list(docs) == ["c-1", "c-3"]
    first = docs["c-1"]
    assert first.text == 'A row whose text spans\ntwo lines, with a "quoted" word.'
    assert first.line == 2 and first.source_format == "csv"
    assert first.title == "First Row" and first.outlet == "Daily Planet"
    assert first.date == dt.datetime(2019, 5, 8)
    # the quoted newline makes row c-1 two physical lines: c-2 starts on line 4
    assert [(s.line, s.reason) for s in got.skipped] == [(4, f"{path}:4: empty text")]
    assert docs["c-3"].line == 5 and docs["c-3"].date == dt.datetime(2019, 5, 9)


def test_csv_without_text_column_is_skipped_whole() -> None:
    path = DATA / "no_text_column.csv"
    got = read_corpus([path])
    assert got.documents == ()
    assert reasons(got.skipped) == [f"{path}: no 'text' column (columns: id, body, outlet)"]


def test_csv_missing_id_falls_back_to_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "rows.csv", "Text,Title\nFirst text here.,T\nSecond text here.,\n")
    assert [d.id for d in read_corpus([path]).documents] == ["rows:2", "rows:3"]


# --------------------------------------------------------------------------- hostile files


def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    write(tmp_path / "empty.txt", "")
    write(tmp_path / "blank.md", " \n\t\r\n  \n")
    got = read_corpus([tmp_path])
    assert got.documents == ()
    assert reasons(got.skipped) == [
        f"{tmp_path / 'blank.md'}: only whitespace",
        f"{tmp_path / 'empty.txt'}: empty file",
    ]


def test_binary_files_with_text_extensions(tmp_path: Path) -> None:
    write(tmp_path / "image.txt", PNG)
    with zipfile.ZipFile(tmp_path / "archive.txt", "w") as zf:
        zf.writestr("inner.txt", ARTICLE * 5)
    write(tmp_path / "controls.md", bytes(range(1, 32)) * 50)
    got = read_corpus([tmp_path])
    assert got.documents == ()
    assert sorted(reasons(got.skipped)) == sorted(
        f"{tmp_path / n}: binary file" for n in ("archive.txt", "controls.md", "image.txt")
    )


def test_cp1252_text_is_decoded_with_a_notice(tmp_path: Path) -> None:
    text = "Caf\u00e9 owners said \u201cthank you\u201d \u2014 twice.\n\nA second paragraph.\n"
    path = write(tmp_path / "legacy.txt", text.encode("cp1252"))
    got = read_corpus([path])
    assert one(got).text == text
    assert reasons(got.notices) == [f"{path}: not valid UTF-8, read as cp1252"]


def test_latin1_bytes_undefined_in_cp1252(tmp_path: Path) -> None:
    path = write(tmp_path / "odd.txt", b"Bytes \x81 and \x8d are not in cp1252 at all.\n")
    assert one(read_corpus([path])).text == "Bytes \x81 and \x8d are not in cp1252 at all.\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom(tmp_path: Path, encoding: str) -> None:
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    path = write(
        tmp_path / "wide.txt",
        bom + ARTICLE.replace("Sunday", "Sunday \u00e9\u2014").encode(encoding),
    )
    doc = one(read_corpus([path]))
    assert doc.text == ARTICLE.replace("Sunday", "Sunday \u00e9\u2014")
    assert doc.title == "Runners Finish Together"


def test_utf16_without_bom_is_not_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "nobom.txt", ARTICLE.encode("utf-16-le"))
    assert one(read_corpus([path])).text == ARTICLE


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    path = write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + ARTICLE.encode())
    doc = one(read_corpus([path]))
    assert doc.text == ARTICLE and doc.title == "Runners Finish Together"


def test_mixed_line_endings_become_newlines(tmp_path: Path) -> None:
    path = write(tmp_path / "mixed.txt", b"Runners Finish Together\r\n\r\nOne.\rTwo.\n\r\nThree.")
    doc = one(read_corpus([path]))
    assert doc.text == "Runners Finish Together\n\nOne.\nTwo.\n\nThree."
    assert doc.title == "Runners Finish Together"


def test_big_file_is_streamed_and_truncated_at_a_paragraph(tmp_path: Path) -> None:
    paragraph = ("The runners kept going mile after mile through the city. " * 8).strip()
    block = (paragraph + "\n\n") * 1_000
    path = tmp_path / "huge.txt"
    with open(path, "w", encoding="utf-8") as fh:
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(block)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        got = read_corpus([path])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    doc = one(got)
    assert len(doc.text) <= 2_000_000 and doc.text.endswith(paragraph)
    assert len(doc.text) > 1_900_000
    assert peak < size / 4, f"peak {peak:,} bytes for a {size:,}-byte file"
    assert len(got.notices) == 1 and "truncated" in got.notices[0].reason
    assert str(path) in got.notices[0].reason


def test_unreadable_file_is_skipped(shared_tmp: Path) -> None:
    # as root, read as "nobody": root can read a chmod-000 file
    path = write(shared_tmp / "secret.txt", ARTICLE)
    path.chmod(0)
    got = as_unprivileged(read_corpus, [shared_tmp])
    assert got.documents == ()
    assert reasons(got.skipped) == [f"{path}: cannot read (Permission denied)"]


def test_missing_path_raises_before_reading(tmp_path: Path) -> None:
    write(tmp_path / "ok.txt", ARTICLE)
    missing = tmp_path / "nope.txt"
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        iter_inputs([tmp_path, missing])  # raised at the call, not on first next()


def test_symlink_loop_and_links_read_once(tmp_path: Path) -> None:
    write(tmp_path / "a" / "story.txt", ARTICLE)
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "a" / "back").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "z_same.txt").symlink_to(tmp_path / "a" / "story.txt")
    (tmp_path / "a" / "broken.txt").symlink_to(tmp_path / "missing.txt")
    got = read_corpus([tmp_path])
    assert [d.id for d in got.documents] == ["a/story"]
    assert reasons(got.skipped) == [f"{tmp_path / 'a' / 'broken.txt'}: broken symlink"]
    assert reasons(got.notices) == [
        f"{tmp_path / 'a' / 'z_same.txt'}: same file as {tmp_path / 'a' / 'story.txt'}; read once"
    ]


def test_ids_are_paths_from_the_root_and_collisions_keep_readable_names(tmp_path: Path) -> None:
    # a folder-per-article corpus: every file of every article keeps its own name
    for article in ("Hotel", "Park"):
        for n in ("3", "4"):
            write(tmp_path / "c" / article / f"{n}.txt", ARTICLE)
    write(tmp_path / "c" / "Hotel" / "3.md", ARTICLE)  # same id, other extension
    write(tmp_path / "d" / "Hotel" / "3.txt", ARTICLE)  # same path under another root
    write(tmp_path / "d" / "Hotel" / "3.html.txt", ARTICLE)  # an id that looks renamed
    got = read_corpus([tmp_path / "c", tmp_path / "d"])
    assert [d.id for d in got.documents] == [
        "Hotel/3",
        "Hotel/3.txt",
        "Hotel/4",
        "Park/3",
        "Park/4",
        "Hotel/3.html",
        "d/Hotel/3",
    ]
    assert not any("~" in d.id for d in got.documents)
    # "Hotel/3.txt" in c (same input: its extension), "d/Hotel/3" (another input: its name)
    assert reasons(got.notices) == [
        f"{tmp_path / 'c' / 'Hotel' / '3.txt'}: duplicate id 'Hotel/3' renamed to 'Hotel/3.txt'",
        f"{tmp_path / 'd' / 'Hotel' / '3.txt'}: duplicate id 'Hotel/3' renamed to 'd/Hotel/3'",
    ]
    assert all(isinstance(n, Notice) for n in got.notices)
    # the same input gives the same ids
    assert [d.id for d in read_corpus([tmp_path / "c", tmp_path / "d"]).documents] == [
        d.id for d in got.documents
    ]


def test_duplicate_row_ids_get_numbered_in_reading_order(tmp_path: Path) -> None:
    rows = [{"id": "dup", "text": ARTICLE}, {"id": "dup~2", "text": ARTICLE}]
    rows += [{"id": "dup", "text": ARTICLE}] * 2
    path = write(tmp_path / "rows.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    got = read_corpus([path])
    assert [d.id for d in got.documents] == ["dup", "dup~2", "dup~3", "dup~4"]
    assert reasons(got.notices) == [
        f"{path}:3: duplicate id 'dup' renamed to 'dup~3'",
        f"{path}:4: duplicate id 'dup' renamed to 'dup~4'",
    ]


def test_folder_walk_filters_extensions_and_hidden_entries(tmp_path: Path) -> None:
    write(tmp_path / "b" / "two.md", ARTICLE)
    write(tmp_path / "a.txt", ARTICLE)
    write(tmp_path / "c.TXT", ARTICLE)
    write(tmp_path / "notes.docx", PNG)
    write(tmp_path / "readme", ARTICLE)
    write(tmp_path / ".hidden.txt", ARTICLE)
    write(tmp_path / ".git" / "x.txt", ARTICLE)
    got = read_corpus([tmp_path])
    assert [(d.id, d.source_format) for d in got.documents] == [
        ("a", "txt"),
        ("b/two", "md"),
        ("c", "txt"),
    ]
    assert got.skipped == ()
    # files of other types are listed as ignored, hidden ones are not
    assert reasons(got.notices) == [
        f"{tmp_path / 'notes.docx'}: not a supported type (.docx); ignored",
        f"{tmp_path / 'readme'}: not a supported type (no extension); ignored",
    ]
    # named explicitly, an unknown extension is read as text
    explicit = one(read_corpus([tmp_path / "readme"]))
    assert explicit.id == "readme" and explicit.source_format == "txt"


def test_fifo_is_not_opened(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(tmp_path / "pipe.txt")
    got = read_corpus([tmp_path / "pipe.txt"])
    assert reasons(got.skipped) == [f"{tmp_path / 'pipe.txt'}: not a regular file"]


def test_iter_inputs_streams_in_order(tmp_path: Path) -> None:
    write(tmp_path / "1.txt", ARTICLE)
    write(tmp_path / "2.txt", "")
    write(tmp_path / "3.txt", ARTICLE)
    stream = iter_inputs(str(tmp_path))  # a single path is accepted, not split into chars
    first = next(stream)
    assert isinstance(first, Document) and first.id == "1"
    rest = list(stream)
    assert [type(x).__name__ for x in rest] == ["Skipped", "Document"]


def test_paths_given_explicitly_keep_their_order(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", ARTICLE)
    write(tmp_path / "a.txt", ARTICLE)
    got = read_corpus([tmp_path / "b.txt", tmp_path / "a.txt"])
    assert [d.id for d in got.documents] == ["b", "a"]
    assert got.documents[0].path == str(tmp_path / "b.txt")


def test_inline_data_uris_are_left_out_before_the_markup_cut(tmp_path: Path) -> None:
    article = "".join(f"<p>{ARTICLE}</p>" for _ in range(3))
    blob = "QUJD" * 600_000  # 2.4 MB of base64, over chunk boundaries, in a tag and in CSS
    page = (
        "<html><head><title>Runners</title><style>body{background:url(data:image/png;base64,"
        f"{blob})}} .a{{background:url('data:font/woff2;base64,{blob}')}}</style></head>"
        f"<body><img src=\"data:image/png;base64,{blob}\"><img src='DATA:image/gif;base64,{blob}'>"
        f"<article><h1>Runners finish</h1>{article}</article></body></html>"
    )
    path = write(tmp_path / "saved.html", page)
    got = read_corpus([path], max_chars=400_000)  # markup limit 1,600,000 < each blob
    doc = one(got)
    assert ARTICLE.split()[0] in doc.text and doc.title == "Runners finish"
    assert reasons(got.notices) == [f"{path}: 4 inline data: URIs (images, fonts) left out"]


def test_a_page_nested_past_the_parser_depth_is_read_flat(tmp_path: Path) -> None:
    body = "<div>" * 5_000 + f"<p>{ARTICLE}</p>" + "</div>" * 5_000
    page = f"<html><head><title>Deep page</title><script>var x = 1;</script></head><body>{body}"
    path = write(tmp_path / "deep.html", page + "</body></html>")
    got = read_corpus([path])
    doc = one(got)
    assert " ".join(doc.text.split()) == " ".join(ARTICLE.split()) and doc.title == "Deep page"
    assert reasons(got.notices) == [f"{path}: markup nested 5,003 levels deep; text read flat"]
    # chrome nested as deep is still no article
    chrome = "<div>" * 5_000 + "<nav>Home News Sport Weather Sign in now</nav>" + "</div>" * 5_000
    path = write(tmp_path / "deep_chrome.html", f"<html><body>{chrome}</body></html>")
    assert reasons(read_corpus([path]).skipped) == [f"{path}: no article text found"]


def test_lone_surrogates_and_long_fields_are_fixed_at_ingest(tmp_path: Path) -> None:
    line = '{"id": "a\\ud83d", "title": "Runners \\ud83d", "url": "http://x/%s", "text": %s}'
    path = write(tmp_path / "rows.jsonl", line % ("u" * 5_000, json.dumps(ARTICLE)) + "\n")
    got = read_corpus([path])
    doc = one(got)
    assert (doc.id, doc.title) == ("a\ufffd", "Runners \ufffd")
    assert len(doc.url or "") == 2_000
    assert reasons(got.notices) == [
        f"{path}:1: lone surrogates in id, title replaced by U+FFFD",
        f"{path}:1: url of 5,009 characters cut to 2,000",
    ]
    json.dumps(doc.__dict__, default=str, ensure_ascii=False).encode("utf-8")  # writable
    long_id = write(tmp_path / "ids.jsonl", json.dumps({"id": "i" * 400, "text": ARTICLE}))
    doc = one(read_corpus([long_id]))
    assert len(doc.id) == 300 and doc.id.startswith("i" * 289 + "…")


def test_a_few_nuls_are_dropped_but_binary_stays_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "nul.txt", ARTICLE + "\x00\x00\x00")
    got = read_corpus([path])
    assert "\x00" not in one(got).text
    assert reasons(got.notices) == [f"{path}: 3 NUL characters dropped"]
    assert reasons(read_corpus([write(tmp_path / "p.txt", PNG)]).skipped) == [
        f"{tmp_path / 'p.txt'}: binary file"
    ]
    rows = write(tmp_path / "rows.csv", f'id,text\na,"{ARTICLE}\x00"\nb,"{ARTICLE}"\n')
    got = read_corpus([rows])
    assert [d.id for d in got.documents] == ["a", "b"]
    assert reasons(got.notices) == [f"{rows}: 1 NUL character dropped"]


def test_dates_past_datetimes_range_are_not_understood(tmp_path: Path) -> None:
    assert parse_date("9999-12-31T23:59:59-05:00") is None
    assert parse_date("0001-01-01T00:00:00+05:00") is None
    assert parse_date("9999-12-31") is None  # a sentinel, too close to the end to use
    assert parse_date("2019-05-07T10:00:00-05:00") == dt.datetime(2019, 5, 7, 15, 0)


def test_a_file_given_twice_under_two_inputs_takes_the_inputs_name(tmp_path: Path) -> None:
    write(tmp_path / "one" / "story.txt", ARTICLE)
    write(tmp_path / "two" / "story.txt", ARTICLE + " More.")
    write(tmp_path / "two" / "story.md", ARTICLE + " Other.")
    got = read_corpus([tmp_path / "one", tmp_path / "two"])
    assert [d.id for d in got.documents] == ["story", "two/story", "story.txt"]
