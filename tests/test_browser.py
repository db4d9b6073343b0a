"""The HTML report in a real browser: headless Chromium driven by Playwright.

The report is made from the seeds plus a hostile article (script tags, an onerror
image, a ``javascript:`` link, a title and an id that try to close an attribute) that
copies a long passage of a seed, so it gets its own side-by-side page. Pages are served
by ``http.server`` on 127.0.0.1 from a thread, stopped at the end.

Needs Debian's ``chromium`` (``bash scripts/install-browser.sh``, run by ``make test``)
and the ``playwright`` package (the ``test`` extra); never ``playwright install``.
Without either, every test here is SKIPPED with the reason, and a warning says so.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEEDS, seed_id

from lineage.cli import main
from lineage.report.html import pair_filename

pytestmark = pytest.mark.browser

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EVIL_ID = 'evil"><img src=x onerror=alert(3)>'
EVIL_TITLE = '"><svg onload=alert(1)>'
EVIL_LINES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">read the full story</a>',
]
# Set before any page script: records what a successful injection would leave behind.
WATCH = """
window.__lineage_csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__lineage_csp.push(e.violatedDirective + " " + (e.blockedURI || ""));
});
"""


def _chromium() -> str:
    """The Chromium executable, or a loud skip saying what is missing and how to fix it."""
    reason = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = (
            "browser tests SKIPPED: the 'playwright' package is missing "
            "(pip install -e '.[test]'; never `playwright install`)"
        )
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if reason is None and exe is None:
        reason = (
            "browser tests SKIPPED: no Chromium on PATH "
            "(run `bash scripts/install-browser.sh`, or apt-get install chromium)"
        )
    if reason is not None:
        warnings.warn(reason, stacklevel=2)
        pytest.skip(reason)
    assert exe is not None
    return exe


@pytest.fixture(scope="module")
def browser() -> Iterator:
    exe = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("browser")
    corpus = base / "corpus"
    shutil.copytree(SEEDS, corpus)
    seed_text = (SEEDS / f"{seed_id('000')}.txt").read_text(encoding="utf-8")
    copied = "\n\n".join(seed_text.split("\n\n")[3:9])  # six paragraphs of the seed
    text = "\n\n".join(
        [
            "A reader sent us this account, which we print in full below with thanks.",
            *EVIL_LINES,
            copied,
            "Readers can write to us with their own stories from the race this weekend.",
        ]
    )
    record = {
        "id": EVIL_ID,
        "title": EVIL_TITLE,
        "outlet": "<script>alert(4)</script>",
        "url": "javascript:alert(5)",
        "date": "2019-05-09",
        "text": text,
    }
    (corpus / "evil.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    out = base / "out"
    r = CliRunner().invoke(main, ["analyze", str(corpus), "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture(scope="module")
def server(report: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(report))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture
def page(browser):
    """A fresh page that records console errors, page errors and dialogs."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.dialogs = []  # type: ignore[attr-defined]

    def on_console(m) -> None:  # type: ignore[no-untyped-def]
        # Over HTTP Chromium asks for /favicon.ico on its own; the report declares no icon.
        if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico"):
            pg.errors.append(f"{m.text} ({m.location.get('url')})")

    pg.on("console", on_console)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))

    def on_dialog(d) -> None:  # type: ignore[no-untyped-def]
        pg.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    pg.on("dialog", on_dialog)
    pg.add_init_script(WATCH)
    try:
        yield pg
    finally:
        context.close()


def _evil_pair_page(report: Path) -> str:
    data = json.loads((report / "lineage.json").read_text())
    pairs = [p for p in data["pairs"] if EVIL_ID in (p["a"], p["b"])]
    assert pairs, "the hostile article must share a passage with a seed"
    best = max(pairs, key=lambda p: p["reused_words"])
    rel = pair_filename(best["a"], best["b"])
    assert (report / rel).is_file(), rel
    return rel


def _pages(report: Path) -> list[str]:
    return ["index.html", *sorted(str(p.relative_to(report)) for p in report.glob("pairs/*.html"))]


def _load(page, url: str) -> None:
    page.goto(url, wait_until="load")
    # lazy pictures load once near the viewport: walk the page so every one is fetched
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, 0)")


def test_pages_load_without_errors_and_show_every_picture(page, server, report):
    pages = _pages(report)
    assert len(pages) >= 3
    for rel in pages:
        _load(page, server + rel)
        imgs = page.evaluate(
            "Array.from(document.images).map(i => [i.getAttribute('src'), i.complete,"
            " i.naturalWidth])"
        )
        for src, complete, width in imgs:
            assert complete and width > 0, (rel, src)
        assert page.errors == [], (rel, page.errors)
        assert page.evaluate("window.__lineage_csp") == [], rel
    assert page.dialogs == []


def test_every_link_from_the_index_resolves(page, server, report):
    _load(page, server + "index.html")
    links = page.evaluate(
        "Array.from(document.querySelectorAll('a[href], img[src], link[href], script[src]'))"
        ".map(e => e.getAttribute('href') || e.getAttribute('src'))"
    )
    assert links
    checked_pages = 0
    for href in links:
        url = urllib.parse.urljoin(server + "index.html", href)
        parsed = urllib.parse.urlsplit(url)
        assert parsed.scheme == "http" and parsed.netloc == urllib.parse.urlsplit(server).netloc, (
            f"the report links outside itself: {href}"
        )
        if parsed.path in ("/", "/index.html") and parsed.fragment:
            target = urllib.parse.unquote(parsed.fragment)
            assert page.evaluate("id => !!document.getElementById(id)", target), href
            continue
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                assert resp.status == 200, href
        except urllib.error.HTTPError as exc:  # pragma: no cover - the failure to report
            pytest.fail(f"{href}: HTTP {exc.code}")
        checked_pages += parsed.path.endswith(".html")
    assert checked_pages >= 1  # at least one pair page is linked from the index


def test_pair_page_markers_point_at_their_counterparts(page, server, report):
    for rel in _pages(report)[1:]:
        page.goto(server + rel)
        broken = page.evaluate(
            """() => Array.from(document.querySelectorAll('a[href^="#"]'))
                 .map(a => a.getAttribute('href').slice(1))
                 .filter(id => !document.getElementById(decodeURIComponent(id)))"""
        )
        assert broken == [], (rel, broken)


_IN_VIEW = """sel => {
    const el = document.querySelector(sel);
    const r = el.getBoundingClientRect();
    const box = el.closest('.text').getBoundingClientRect();
    return r.height > 0
        && r.top >= Math.max(0, box.top) - 1
        && r.bottom <= Math.min(window.innerHeight, box.bottom) + 1;
}"""


def _in_view(page, selector: str) -> bool:
    """Whether the element is inside the viewport and inside its scroll box."""
    return page.evaluate(_IN_VIEW, selector)


@pytest.mark.parametrize(
    "width",
    [1280, 800],
    ids=["side-by-side", "stacked"],
)
def test_clicking_a_passage_brings_its_counterpart_into_view(browser, server, report, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        data = json.loads((report / "lineage.json").read_text())
        best = max(data["pairs"], key=lambda p: (p["passages"], p["a"], p["b"]))
        rel = pair_filename(best["a"], best["b"])
        page.goto(server + rel)
        ks = page.evaluate(
            "Array.from(document.querySelectorAll('#text-a a.pm')).map(a => a.id.slice(3))"
        )
        assert len(ks) >= 3, "this pair should show several passages"
        hidden_before = 0
        for k in (ks[-1], ks[0], ks[len(ks) // 2]):
            target = f"#b-p{k}"
            span = page.locator(f'#text-a [data-p="{k}"]').first
            span.scroll_into_view_if_needed()
            hidden_before += not _in_view(page, target)
            span.click()
            try:
                page.wait_for_function(_IN_VIEW, arg=target, timeout=3000)
            except Exception:  # noqa: BLE001 - the assertion below says what went wrong
                pass
            assert _in_view(page, target), f"passage {k}: {target} not in view after the click"
            # both sides of the passage are marked as the active one
            active = page.evaluate(
                "() => Array.from(document.querySelectorAll('.active-p'))"
                ".map(e => e.closest('.text').id + ':' + e.getAttribute('data-p'))"
            )
            assert {f"text-a:{k}", f"text-b:{k}"} <= set(active), active
        assert hidden_before >= 1, "no counterpart was out of view before its click"
        assert errors == []
    finally:
        context.close()


def test_hostile_article_runs_no_script(page, server, report):
    rel = _evil_pair_page(report)
    for url in (server + "index.html", server + rel):
        _load(page, url)
        found = page.evaluate(
            """() => ({
                scripts: Array.from(document.scripts).map(s => s.getAttribute('src')),
                handlers: Array.from(document.querySelectorAll('*')).flatMap(
                    e => Array.from(e.attributes).filter(a => /^on/i.test(a.name))
                        .map(a => e.tagName + ' ' + a.name)),
                js_links: Array.from(document.querySelectorAll('[href], [src]')).filter(
                    e => /^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src')))
                    .length,
                svgs_in_text: document.querySelectorAll('body svg').length,
                stray_imgs: document.querySelectorAll('img[src="x"]').length,
                csp: window.__lineage_csp,
                text: document.body.innerText,
            })"""
        )
        assert [s for s in found["scripts"] if s] == [
            ("../" if "pairs/" in url else "") + "report.js"
        ]
        assert found["handlers"] == []
        assert found["js_links"] == 0
        assert found["svgs_in_text"] == 0
        assert found["stray_imgs"] == 0
        assert found["csp"] == []
        if url.endswith(rel):
            # escaped, not stripped: the reader sees the markup as text
            for line in [*EVIL_LINES, EVIL_TITLE, "<script>alert(4)</script>"]:
                assert line in found["text"], line
    assert page.dialogs == []
    assert page.errors == []


# -- the site, as a reader uses it: the seeds and a simulated corpus of 1,000+ documents
def _serve(folder: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def big_report(tmp_path_factory) -> Path:
    """A simulated corpus of 1,000+ documents, analyzed and reported by the CLI."""
    _chromium()  # skip before the minute of analysis when there is no browser
    from lineage.evaluation.simulate import simulate, write

    base = tmp_path_factory.mktemp("big")
    corpus = simulate(stories=150, seed=7)  # 1,123 documents
    assert len(corpus.documents) >= 1000
    write(corpus, base / "corpus")
    out = base / "out"
    r = CliRunner().invoke(main, ["analyze", str(base / "corpus"), "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture(scope="module")
def big_server(big_report: Path) -> Iterator[str]:
    yield from _serve(big_report)


def _local_refs(html_path: Path) -> list[str]:
    import re

    text = html_path.read_text(encoding="utf-8")
    return [m.group(2) for m in re.finditer(r'\b(href|src)="([^"]*)"', text)
            if not m.group(2).startswith(("http://", "https://"))]  # fmt: skip


def _ids(html_path: Path) -> set[str]:
    import html as htmllib
    import re

    return {
        htmllib.unescape(m) for m in re.findall(r'\bid="([^"]*)"', html_path.read_text("utf-8"))
    }


@pytest.mark.parametrize("which", ["seeds", "simulated"])
def test_every_link_of_every_page_resolves(which, report, big_report):
    """Every href and src of every page (1,377 pages of the simulated corpus: a page per
    document and per story, 100 pair pages, the lists) points at a file that is there,
    and every #fragment at an element of that page."""
    import html as htmllib
    import os.path

    root = report if which == "seeds" else big_report
    pages = sorted(root.rglob("*.html"))
    assert len(pages) >= (10 if which == "seeds" else 1300)
    files = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    ids_of: dict[str, set[str]] = {}
    for page in pages:
        here = str(page.relative_to(root))
        for ref in _local_refs(page):
            ref = htmllib.unescape(ref)
            target, _, frag = ref.partition("#")
            dest = here
            if target:
                dest = os.path.normpath(
                    os.path.join(os.path.dirname(here), urllib.parse.unquote(target))
                )
            assert dest in files, (here, ref)  # there, and inside the report
            if frag and dest.endswith(".html"):
                if dest not in ids_of:
                    ids_of[dest] = _ids(root / dest)
                assert urllib.parse.unquote(frag) in ids_of[dest], (here, ref)


def test_search_finds_a_story_and_the_table_sorts(browser, big_server, big_report):
    data = json.loads((big_report / "lineage.json").read_text())
    stories = [s for s in data["stories"] if len(s) >= 2]
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(big_server + "index.html")
        rows = page.locator("#storytable tbody tr")
        total = rows.count()
        assert total == len(stories)  # every multi-document story is listed
        # a story from the middle of the table, found by two words of its title
        title = rows.nth(total // 2).locator("td.title a").inner_text()
        words = [w for w in title.split() if len(w) > 3][:2] or title.split()[:1]
        page.fill(".tools .q", " ".join(words))
        shown = page.locator("#storytable tbody tr:not([hidden])")
        assert 1 <= shown.count() < total
        assert title in shown.all_inner_texts()[0] or any(
            title in t for t in shown.all_inner_texts()
        )
        assert page.locator(".tools .count").inner_text().endswith(f"of {total} shown")
        page.fill(".tools .q", "")
        page.fill(".tools .min", "10")
        sizes = [int(t) for t in page.locator(
            "#storytable tbody tr:not([hidden]) td:nth-child(2)").all_inner_texts()]  # fmt: skip
        assert sizes and min(sizes) >= 10
        page.fill(".tools .min", "2")
        page.click("#storytable thead th:nth-child(2)")  # documents, ascending
        sizes = [
            int(t) for t in page.locator("#storytable tbody td:nth-child(2)").all_inner_texts()
        ]
        assert sizes == sorted(sizes)
        # and the story's page opens from its row
        page.fill(".tools .q", " ".join(words))
        page.locator("#storytable tbody tr:not([hidden]) td.title a").first.click()
        page.wait_for_load_state("load")
        assert "/stories/story-" in page.url
    finally:
        ctx.close()


_NODES_IN_REACH = """() => {
    const box = document.querySelector('.svgbox');
    const b = box.getBoundingClientRect();
    const out = [];
    for (const g of box.querySelectorAll('g.node')) {
        const r = g.getBoundingClientRect();
        // inside the box's scrollable content, which itself fits the page's width
        const left = r.left - b.left + box.scrollLeft, top = r.top - b.top + box.scrollTop;
        const ok = r.width > 0 && r.height > 0 && left >= -1 && top >= -1
            && left + r.width <= box.scrollWidth + 1 && top + r.height <= box.scrollHeight + 1;
        if (!ok) out.push(g.getAttribute('data-id'));
    }
    return {bad: out, n: box.querySelectorAll('g.node').length,
            boxRight: b.right, page: document.documentElement.clientWidth,
            rows: document.querySelectorAll('table.docs tbody tr').length};
}"""


@pytest.mark.parametrize("width", [1400, 400])
def test_story_pages_show_every_node_of_their_diagram(browser, big_server, big_report, width):
    stories = sorted((big_report / "stories").glob("story-*.html"))
    assert stories
    # the largest story, a middle one and the smallest
    chosen = [stories[0], stories[len(stories) // 2], stories[-1]]
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = ctx.new_page()
        for path in chosen:
            page.goto(big_server + f"stories/{path.name}")
            got = page.evaluate(_NODES_IN_REACH)
            assert got["n"] == got["rows"] >= 2, path.name  # a box for every document
            assert got["bad"] == [], (path.name, got["bad"][:5])
            assert got["boxRight"] <= got["page"] + 1, path.name
    finally:
        ctx.close()


def test_a_document_page_shows_its_sources(browser, big_server, big_report):
    data = json.loads((big_report / "lineage.json").read_text())
    edge = max(data["edges"], key=lambda e: (e["confidence"], e["child"]))
    from lineage.files import safe_name

    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(big_server + f"docs/{safe_name(edge['child'])}.html")
        first = page.locator("ol.srclist li").first.inner_text()
        assert "its source" in first and "of this text is also in" in first
        assert page.locator("#text-t span.p").count() >= 1  # its text, colour-coded
        colour = page.evaluate(
            "getComputedStyle(document.querySelector('#text-t span.p')).backgroundColor"
        )
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
        page.locator("ol.srclist li").first.locator("a", has_text="side by side").click()
        page.wait_for_load_state("load")
        assert "/pairs/" in page.url
        assert page.locator("a[rel=next], a[rel=prev], .crumbs a").count() >= 1
    finally:
        ctx.close()


_WIDE = "() => document.documentElement.scrollWidth"


def test_no_page_is_wider_than_a_phone(browser, server, report, big_server, big_report):
    def sample(root: Path) -> list[str]:
        out = ["index.html", "documents.html", "outlets.html", "glossary.html"]
        for folder in ("stories", "docs", "pairs"):
            files = sorted((root / folder).glob("*.html"), key=lambda p: -p.stat().st_size)
            out += [f"{folder}/{p.name}" for p in files[:2] + files[-1:]]
        return out

    ctx = browser.new_context(viewport={"width": 400, "height": 800})
    try:
        page = ctx.new_page()
        for base, root in ((server, report), (big_server, big_report)):
            for rel in sample(root):
                page.goto(base + rel, wait_until="load")
                assert page.evaluate(_WIDE) <= 400, rel
    finally:
        ctx.close()


def test_the_index_reads_without_scripting(browser, big_server, big_report):
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(big_server + "index.html")
        assert page.locator("#storytable tbody tr").count() >= 100
        assert page.locator("#storytable tbody tr:visible").count() >= 100
        assert not page.locator(".tools").is_visible()  # no dead search box
    finally:
        ctx.close()
